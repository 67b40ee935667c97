"""The shipped data files are parsed once and kept beside the bytecode (``config.PARSED_DEFAULTS``):
a command then reads them as JSON.  The configuration must be the one the TOML gives, whatever
is kept there (nothing yet, an older text, a damaged file), and an office file is read as ever."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from taizhang.config import DATA_FILES, PARSED_DEFAULTS

CHILD = """
import sys
from taizhang.config import default_config, load_config
config = load_config(sys.argv[1]) if len(sys.argv) > 1 else default_config()
print("tomllib" in sys.modules)
print(repr(config))
"""


def run(prefix: Path, *args: str, write: bool = True) -> tuple[bool, str]:
    """(whether TOML was parsed, the configuration's repr) in a fresh interpreter whose bytecode
    goes under ``prefix``."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "TAIZHANG_CONFIG")}
    env["PYTHONPYCACHEPREFIX"] = str(prefix)
    if not write:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    done = subprocess.run([sys.executable, "-c", CHILD, *args], capture_output=True, text=True, env=env,
                          timeout=120, cwd=prefix.parent)
    assert done.returncode == 0, done.stderr
    parsed, config = done.stdout.split("\n", 1)
    return parsed == "True", config


def kept(prefix: Path) -> Path:
    found = list(prefix.rglob(PARSED_DEFAULTS))
    assert len(found) == 1, found
    return found[0]


def test_the_defaults_kept_parsed_are_the_ones_the_toml_gives(tmp_path):
    prefix = tmp_path / "pycache"
    parsed, reference = run(prefix, write=False)
    assert parsed and not list(prefix.rglob(PARSED_DEFAULTS))  # no bytecode asked for: nothing kept
    parsed, first = run(prefix)
    assert parsed and first == reference
    path = kept(prefix)
    assert sorted(json.loads(path.read_text(encoding="utf-8"))["texts"]) == sorted(DATA_FILES)
    parsed, second = run(prefix)
    assert not parsed and second == reference  # read as kept, tomllib not even imported

    older = json.loads(path.read_text(encoding="utf-8"))
    older["texts"]["forms"] += "\n# an edit since"
    older["tables"]["forms"] = {"forms": {}, "categories": {}}
    path.write_text(json.dumps(older, ensure_ascii=False), encoding="utf-8")
    parsed, again = run(prefix)
    assert parsed and again == reference  # the data file changed: parsed anew, and kept anew
    assert not run(prefix)[0]

    path.write_text("{damaged", encoding="utf-8")
    assert run(prefix) == (True, reference)


def test_an_office_file_is_read_over_the_defaults_kept_parsed(tmp_path):
    prefix = tmp_path / "pycache"
    office = tmp_path / "taizhang.toml"
    office.write_text('[settings]\nbureau = "某某县教育局"\n', encoding="utf-8")
    _, reference = run(prefix, str(office), write=False)
    run(prefix)  # the defaults kept parsed
    parsed, config = run(prefix, str(office))
    assert parsed and config == reference and "某某县教育局" in config
