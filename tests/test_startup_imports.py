"""A command imports only what it asks for: ``taizhang --version`` and ``--help`` no reader and
no writer, ``check`` and ``summary --json`` no openpyxl (it is for workbooks written) and no
pydantic (it validates what comes from outside: the service's bodies, the office file), small
files no numpy.  Each command runs in a fresh interpreter, as staff start it; what was
imported is read from that interpreter's ``sys.modules`` once the command has finished.
Speed itself is shown by ``benchmarks/bench_processes.py``, not asserted here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MONTH = ROOT / "workbooks" / "samples" / "2026-10"
LEDGER = MONTH / "县教师进修学校_10月台账.xlsx"

CHILD = """
import json, sys
out, argv = sys.argv[1], sys.argv[2:]
sys.argv = ["taizhang", *argv]
from taizhang.entry import main
try:
    code = main()
except SystemExit as exc:
    code = exc.code
with open(out, "w") as f:
    json.dump({"code": code, "modules": sorted(sys.modules)}, f)
"""

HEAVY = ("openpyxl", "numpy", "pandas", "pydantic", "rich", "python_calamine", "fastapi", "docx")


def imported(tmp_path: Path, *argv: str) -> tuple[int, set[str], str]:
    """(exit status, top-level packages imported, stdout) of ``taizhang ARGV`` in a fresh interpreter."""
    out = tmp_path / "modules.json"
    done = subprocess.run([sys.executable, "-c", CHILD, str(out), *argv], capture_output=True, text=True,
                          cwd=tmp_path, timeout=300)
    assert out.exists(), done.stderr
    result = json.loads(out.read_text())
    return result["code"], {m.split(".")[0] for m in result["modules"]}, done.stdout


@pytest.mark.parametrize("argv", [["--version"], ["--help"], ["check", "--help"]])
def test_version_and_help_load_no_reader_writer_or_model(tmp_path, argv):
    code, modules, stdout = imported(tmp_path, *argv)
    assert code == 0
    assert "taizhang" in stdout
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))


@pytest.mark.slow
def test_check_of_one_ledger_loads_neither_openpyxl_nor_numpy(tmp_path):
    code, modules, stdout = imported(tmp_path, "check", str(LEDGER), "--as-of", "2026-10-31", "--json")
    data = json.loads(stdout)
    assert data["summary"]["files"] == 1 and data["files"][0]["ledgers"]  # the ledger was really read
    assert code in (0, 1)
    assert "python_calamine" in modules
    unwanted = {"openpyxl", "numpy", "pandas", "pydantic", "pydantic_core", "rich", "multiprocessing"}
    assert not modules & unwanted, sorted(modules & unwanted)  # pydantic: the rows, findings, requests are plain


@pytest.mark.slow
@pytest.mark.parametrize("json_flag", [["--json"], []])
def test_summary_without_output_loads_no_openpyxl(tmp_path, json_flag):
    code, modules, stdout = imported(tmp_path, "summary", str(MONTH), "--as-of", "2026-10-31",
                                     "--period", "2026-10", *json_flag)
    assert code in (0, 1) and stdout.strip()
    assert not modules & {"openpyxl", "pandas", "pydantic", "pydantic_core"}, sorted(
        modules & {"openpyxl", "pandas", "pydantic", "pydantic_core"})
    if sys.platform.startswith("linux"):  # the month's eight files read by forked workers (taizhang.forkpool)
        assert not modules & {"multiprocessing", "concurrent", "socket"}, sorted(
            modules & {"multiprocessing", "concurrent", "socket"})


@pytest.mark.slow
def test_summary_with_output_does_load_openpyxl(tmp_path):
    """The other side: a 汇总表 written is written with openpyxl (the test above can fail)."""
    code, modules, _ = imported(tmp_path, "summary", str(MONTH), "--as-of", "2026-10-31", "--period", "2026-10",
                                "-o", str(tmp_path / "汇总.xlsx"))
    assert code in (0, 1) and (tmp_path / "汇总.xlsx").exists()
    assert "openpyxl" in modules


REQUEST_ON_THE_COMMAND_LINE = """
import argparse, sys
from taizhang.cli.common import request_of
from taizhang.usecases.requests import REQUESTS
for command, args in (("check", dict(paths=["a.xlsx"], as_of="2026-10-31", jobs="1", recursive=True)),
                      ("summary", dict(paths=["b"], period="202610", compare=False)),
                      ("report", dict(paths=["c"], output="d.docx")),
                      ("consolidate", dict(folder="e", period="2026-10", master="m.xlsx"))):
    assert request_of(REQUESTS[command], argparse.Namespace(**args)) is not None, command
print(sorted({m.split(".")[0] for m in sys.modules}))
"""


def test_a_request_made_on_the_command_line_loads_no_pydantic():
    """The command line checks its request in plain Python (the service keeps pydantic for its
    JSON bodies): the request module and ``request_of`` alone, what else a command loads being
    the other tests' business."""
    done = subprocess.run([sys.executable, "-c", REQUEST_ON_THE_COMMAND_LINE], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    modules = set(json.loads(done.stdout.replace("'", '"')))
    assert "taizhang" in modules
    assert not modules & {"pydantic", "pydantic_core", "fastapi"}, sorted(modules & {"pydantic", "pydantic_core"})


COLLECTOR = """
import gc, json, sys
out, argv = sys.argv[1], sys.argv[2:]
sys.argv = ["taizhang", *argv]
import taizhang.cli.check as check
seen = {}
real = check.cmd_check
def cmd_check(args):
    seen["enabled"], seen["frozen"] = gc.isenabled(), gc.get_freeze_count()
    return real(args)
check.cmd_check = cmd_check
from taizhang.entry import main
code = main()
from taizhang.cli import main as in_process
frozen = gc.get_freeze_count()
in_process(argv)
with open(out, "w") as f:
    json.dump({"code": code, **seen, "again": gc.get_freeze_count() == frozen and gc.isenabled()}, f)
"""


def test_the_collector_waits_for_the_start_and_runs_for_the_command(tmp_path):
    """``taizhang``'s entry point pauses the garbage collector while the command loads (what it
    makes then is never garbage), and the command runs with it on again, the start frozen out
    of its sight; the command line called in a process of its own (a test, the service) is left
    as it was."""
    out = tmp_path / "collector.json"
    done = subprocess.run([sys.executable, "-c", COLLECTOR, str(out), "check", str(LEDGER), "--as-of", "2026-10-31",
                           "--json"], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert out.exists(), done.stderr
    result = json.loads(out.read_text())
    assert result["code"] in (0, 1) and result["enabled"] and result["frozen"] > 1000 and result["again"], result
