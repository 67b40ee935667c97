"""The command line builds in full only the command it is given (``cli.build_parser(words)``):
the others are a name and a line of help.  What a clerk sees must not tell the difference:
every help text, every refusal and every parsed command line is what the full parser gives."""

from __future__ import annotations

import contextlib
import io

import pytest

from taizhang.cli import COMMANDS, build_parser

SUBCOMMANDS = {"addin": ["build", "install", "uninstall", "doctor", "bundle"], "wps": ["install", "uninstall"]}

ARGVS = [
    [], ["--help"], ["--version"], ["foo"], ["--config"], ["--config", "a.toml"], ["--json", "check", "x"],
    ["--config", "a.toml", "check", "x"], ["check", "x", "--config", "b.toml"], ["check", "x", "--j"],
    ["check", "x", "--jobs", "0"], ["summary", "x", "--period", "2026-10", "--as-of", "2026-10-31", "--json"],
    ["consolidate", "f", "--period", "2026-10"], ["schema", "foo"], ["serve", "--port", "x"],
    ["addin", "bundle", "-o", "d", "--python-installer", "e", "--without-python"], ["wps", "install", "x"],
    ["report"], ["x", "check"],
    *([name, "--help"] for name in COMMANDS), *([name] for name in COMMANDS),
    *([name, sub, "--help"] for name, subs in SUBCOMMANDS.items() for sub in subs),
]


def outcome(parser_of, argv: list[str]) -> tuple:
    """(exit status, stdout, stderr, the parsed arguments) of ``argv`` given to ``parser_of(argv)``."""
    out, err = io.StringIO(), io.StringIO()
    code, parsed = None, None
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            args = parser_of(argv).parse_args(argv)
            parsed = {k: getattr(v, "__name__", v) for k, v in vars(args).items()}
        except SystemExit as exc:
            code = exc.code
    return code, out.getvalue(), err.getvalue(), parsed


@pytest.mark.parametrize("argv", ARGVS, ids=lambda argv: " ".join(argv) or "(none)")
def test_the_parser_built_for_a_command_line_answers_it_as_the_full_parser(argv, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    assert outcome(build_parser, argv) == outcome(lambda _: build_parser(), argv)


def test_the_other_commands_are_only_named():
    """The one asked for has its arguments, the others none (besides -h): that is the saving."""
    parser = build_parser(["summary", "x"])
    sub = next(a for a in parser._actions if a.dest == "command")
    assert list(sub.choices) == list(COMMANDS)
    sizes = {name: len(p._actions) for name, p in sub.choices.items()}
    assert sizes["summary"] > 5
    assert all(size == 1 for name, size in sizes.items() if name != "summary"), sizes


def test_a_command_imports_no_other_commands_module():
    """``taizhang check`` builds neither the service's nor the report's options, and so imports
    neither's module (the service's security module among them)."""
    import subprocess
    import sys

    code = ("import sys; from taizhang.cli import build_parser; build_parser(['check', 'x']).parse_args(['check', 'x']);"
            "print(' '.join(m for m in sys.modules if m.startswith('taizhang.')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    modules = set(done.stdout.split())
    assert not modules & {"taizhang.cli.serve", "taizhang.cli.wps", "taizhang.cli.report", "taizhang.serve"}, modules
