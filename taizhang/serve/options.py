"""A request's JSON options turned into the command's own ``argparse`` namespace.

The keys are the command's long options with ``_`` for ``-`` (``as_of`` for ``--as-of``) and
its positionals by their names (``paths``, ``folder``).  They are handed to the command's own
parser, so that a request is validated exactly as the command line is; every value naming a
file or folder must lie in the allowed folders.
"""

from __future__ import annotations

import argparse
import re
import threading
from typing import Any

from taizhang.serve.security import Allowed

#: Options naming files or folders (beyond the positionals), checked against the allowed folders.
PATH_OPTIONS = {"paths", "folder", "master", "roster", "output", "template", "config"}
_PATH_METAVAR = re.compile(r"FILE|DIR|PATH|FOLDER|MASTER|\.xlsx|\.docx|\.toml", re.IGNORECASE)
#: Not options of a request: the service always answers the JSON shape.
_NOT_OPTIONS = {"help", "json"}


#: argparse's messages are switched to Chinese module-wide while a request is parsed.
_ARGPARSE_LOCK = threading.Lock()


class BadOptions(Exception):
    """The options of a request are not the command's (HTTP 400); the message is Chinese."""


def command_parser(command: str) -> argparse.ArgumentParser:
    """The sub-parser of ``taizhang COMMAND``, built by the command line itself."""
    from taizhang.cli import build_parser

    parser = build_parser()
    for action in parser._actions:  # noqa: SLF001 - argparse has no public accessor
        if isinstance(action, argparse._SubParsersAction) and command in action.choices:  # noqa: SLF001
            return action.choices[command]
    raise KeyError(command)


def option_actions(command: str) -> dict[str, argparse.Action]:
    """The command's options by request key (positionals first, in order)."""
    actions = [a for a in command_parser(command)._actions  # noqa: SLF001
               if a.dest not in _NOT_OPTIONS and not isinstance(a, argparse._HelpAction)]  # noqa: SLF001
    return {a.dest: a for a in sorted(actions, key=lambda a: bool(a.option_strings))}


def is_path(key: str, action: argparse.Action) -> bool:
    return not action.option_strings or key in PATH_OPTIONS or bool(_PATH_METAVAR.search(str(action.metavar or "")))


def to_namespace(command: str, options: Any, allowed: Allowed) -> argparse.Namespace:
    """Parse ``options`` as ``taizhang COMMAND … --json`` would parse its arguments.

    Raises :class:`BadOptions` for anything the command line would refuse and
    :class:`~taizhang.serve.security.OutsideAllowed` for a path outside the allowed folders.
    """
    if not isinstance(options, dict):
        raise BadOptions("请求体应为 JSON 对象，例如 {\"paths\": [\"D:\\\\台账\\\\2026-10\"]}")
    actions = option_actions(command)
    argv: list[str] = []
    positionals: list[str] = []
    for key, value in options.items():
        action = actions.get(key)
        if action is None:
            known = "、".join(actions)
            raise BadOptions(f"taizhang {command} 没有选项“{key}”（可用：{known}）")
        if value is None:
            continue
        values = value if isinstance(value, list) else [value]
        if isinstance(value, list) and action.nargs not in ("+", "*"):
            raise BadOptions(f"选项“{key}”只接受一个值")
        if isinstance(action, (argparse._StoreTrueAction, argparse._StoreFalseAction)):  # noqa: SLF001
            if not isinstance(value, bool):
                raise BadOptions(f"选项“{key}”应为 true 或 false")
            if value == isinstance(action, argparse._StoreTrueAction):  # noqa: SLF001
                argv.append(max(action.option_strings, key=len))
            continue
        for v in values:
            if isinstance(v, bool) or not isinstance(v, (str, int)):
                raise BadOptions(f"选项“{key}”的值应为文字或数字")
            if isinstance(v, str) and ("\x00" in v or not v.strip()):
                raise BadOptions(f"选项“{key}”的值为空或含非法字符")
        if is_path(key, action):
            values = [str(allowed.check(str(v))) for v in values]
        if not action.option_strings:
            positionals.extend(str(v) for v in values)
        else:
            long = max(action.option_strings, key=len)
            argv.extend(f"{long}={v}" for v in values)  # "=": a value is never read as an option

    with _ARGPARSE_LOCK, _chinese():  # the command line's own Chinese argparse messages
        return _parse(command, argv, positionals)


def _chinese() -> Any:
    try:
        from taizhang.cli import _chinese_argparse  # noqa: PLC2701 - the command line's wording
    except ImportError:
        import contextlib
        return contextlib.nullcontext()
    return _chinese_argparse()


def _parse(command: str, argv: list[str], positionals: list[str]) -> argparse.Namespace:
    parser = command_parser(command)

    def refuse(message: str | None = None, *_args: Any, **_kw: Any) -> None:
        raise BadOptions(f"参数错误：{message}" if isinstance(message, str) else "参数错误")

    parser.error = refuse  # type: ignore[method-assign]
    parser.exit = lambda status=0, message=None: refuse(message)  # type: ignore[method-assign]
    if any(a.dest == "json" for a in parser._actions):  # noqa: SLF001
        argv.append("--json")
    return parser.parse_args([*argv, "--", *positionals] if positionals else argv)
