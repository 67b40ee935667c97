"""The use cases are one layer under the faces (issue 25, item 2): the service imports nothing
of the command line, no code reads argparse's private names, and both faces validate into the
same typed requests."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "taizhang"
SOURCES = sorted([*PACKAGE.rglob("*.py"), *(REPO / "macros").rglob("*.py"), *(REPO / "addin").rglob("*.py"),
                  *(REPO / "udfs").rglob("*.py")])


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every module an import statement of ``path`` names (at any depth: function-level too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def _under(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_the_service_imports_nothing_of_the_command_line():
    serve = sorted((PACKAGE / "serve").rglob("*.py"))
    assert serve
    bad = [f"{p.relative_to(REPO)}:{line} {m}" for p in serve for line, m in _imports(p)
           if _under(m, "taizhang.cli")]
    assert not bad, bad


def test_the_use_cases_import_no_face():
    cases = sorted((PACKAGE / "usecases").rglob("*.py"))
    assert cases
    faces = ("taizhang.cli", "taizhang.serve", "taizhang.api", "macros", "udfs", "addin")
    bad = [f"{p.relative_to(REPO)}:{line} {m}" for p in cases for line, m in _imports(p)
           if any(_under(m, face) for face in faces)]
    assert not bad, bad


def test_no_code_reads_argparses_private_names():
    bad = []
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            where = f"{path.relative_to(REPO)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Attribute):
                if node.attr == "_actions" or node.attr == "_option_string_actions":
                    bad.append(f"{where} .{node.attr}")
                elif (isinstance(node.value, ast.Name) and node.value.id == "argparse"
                      and node.attr.startswith("_")):
                    bad.append(f"{where} argparse.{node.attr}")
            elif isinstance(node, ast.ImportFrom) and node.module == "argparse":
                bad += [f"{where} from argparse import {a.name}" for a in node.names
                        if a.name.startswith("_")]
    assert not bad, bad


def test_the_running_service_loads_no_command_line_module(tmp_path):
    """At run time too: building the application and answering a request load nothing of cli."""
    code = (
        "import sys\n"
        "from taizhang.config import load_config\n"
        "from taizhang.serve.app import ServeSettings, create_app, runner\n"
        "from taizhang.usecases.requests import CheckRequest\n"
        "settings = ServeSettings(token='t', config=load_config(), allowed_folders=[],\n"
        f"                         workdir={str(tmp_path)!r})\n"
        "create_app(settings)\n"
        f"outcome = runner('check')(CheckRequest(paths=[{str(tmp_path)!r}]), load_config())\n"
        "assert outcome.code == 2 and outcome.messages, outcome\n"
        "print(sorted(m for m in sys.modules if m.startswith('taizhang.cli')))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


@pytest.mark.parametrize("argv, body", [
    (["check", "a.xlsx", "b", "--as-of", "2026年10月31日", "--recursive", "--jobs", "1", "-o", "out.xlsx"],
     {"paths": ["a.xlsx", "b"], "as_of": "2026-10-31", "recursive": True, "jobs": 1, "output": "out.xlsx"}),
    (["summary", "台账", "--period", "202610", "--bureau", "某某县教育局"],
     {"paths": "台账", "period": 202610, "bureau": "某某县教育局"}),
    (["consolidate", "各单位", "--period", "2026-10", "--master", "主表.xlsx", "--roster", "名册.xlsx"],
     {"folder": "各单位", "period": "2026-10", "master": "主表.xlsx", "roster": "名册.xlsx"}),
    (["report", "台账", "-o", "汇报.docx", "--template", "t.docx", "--config", "office.toml"],
     {"paths": ["台账"], "output": "汇报.docx", "template": "t.docx", "config": "office.toml"}),
])
def test_a_command_line_and_a_json_body_make_the_same_request(argv, body):
    """The command line parses its arguments into the request model the service validates
    its JSON into: the same options give the same request."""
    from taizhang.cli import build_parser
    from taizhang.cli.common import request_of
    from taizhang.serve.options import confine, request_model
    from taizhang.usecases.requests import REQUESTS, validate

    model = REQUESTS[argv[0]]
    from_cli = request_of(model, build_parser().parse_args(argv))
    assert from_cli is not None and from_cli == validate(model, body)
    everywhere = type("Everywhere", (), {"check": staticmethod(lambda path: path)})()
    from_service = confine(argv[0], request_model(argv[0]).model_validate(body), everywhere)
    assert from_cli == from_service


@pytest.mark.parametrize("body, said", [
    ({"paths": ["x"], "frobnicate": 1}, "没有选项“frobnicate”"),
    ({"as_of": "2026-10-31"}, "缺少必需的参数：PATH"),
    ({"paths": [], "as_of": "2026-10-31"}, "缺少必需的参数：PATH"),
    ({"paths": ["x"], "as_of": "31/10/2026"}, "参数 --as-of：日期应写作 2026-10-31"),
    ({"paths": ["x"], "jobs": 0}, "参数 --jobs：进程数应为正整数"),
    ({"paths": ["x"], "jobs": True}, "“jobs”的值应为文字或数字"),
    ({"paths": ["x"], "recursive": "yes"}, "“recursive”应为 true 或 false"),
    ({"paths": ["x"], "output": ["a.xlsx", "b.xlsx"]}, "“output”只接受一个值"),
    ({"paths": ["x\x00"]}, "“paths”的值为空或含非法字符"),
])
def test_a_refused_request_is_told_in_chinese(body, said):
    from taizhang.usecases.requests import CheckRequest, RequestError, validate

    with pytest.raises(RequestError) as refused:
        validate(CheckRequest, body)
    assert said in str(refused.value)


def test_jobs_never_exceed_the_cores():
    import os

    from taizhang.usecases.requests import CheckRequest

    assert CheckRequest(paths=["x"], jobs=10_000).jobs == (os.cpu_count() or 1)
    assert CheckRequest(paths=["x"], jobs="1").jobs == 1


@pytest.mark.parametrize("command", ["check", "summary", "report", "consolidate"])
def test_the_openapi_description_of_each_option_is_its_command_line_help(command, capsys):
    """Each field of a request says what ``taizhang COMMAND --help`` says of its option."""
    from taizhang.cli import main
    from taizhang.usecases.requests import REQUESTS

    with pytest.raises(SystemExit):
        main([command, "--help"])
    shown = "".join(capsys.readouterr().out.split())
    model = REQUESTS[command]
    for field in model.SPECS:
        assert field.description and "".join(field.description.split()) in shown, (command, field.name)
        assert model.help(field.name) == field.description


def test_every_help_line_is_chinese(capsys):
    """argparse's own lines too (``-h``, ``--version``, the titles, the usage prefix)."""
    import re

    from taizhang.cli import main

    for argv in (["--help"], ["check", "--help"], ["addin", "bundle", "--help"], ["serve", "--help"]):
        with pytest.raises(SystemExit):
            main(argv)
        out = capsys.readouterr().out
        assert out.startswith("用法：") and "选项" in out, argv
        assert not re.search(r"usage|show |options:|positional arguments|help message", out), (argv, out)
