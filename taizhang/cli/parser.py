"""An argparse parser that speaks Chinese, through argparse's public hooks only.

argparse takes its messages through gettext, for which Python ships no Chinese catalogue.
Instead of swapping argparse's module-level ``_`` this parser translates at the public seams:
the group titles (``add_argument_group``), the help of ``-h`` (``add_argument``), the usage
prefix (the formatter's ``add_usage``) and the error messages (``error``), the latter by the
English templates of Python 3.11–3.14.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any, NoReturn

#: Exit status of a refused command line (as every refusal: 2).
EXIT_USAGE = 2

TITLES = {"positional arguments": "位置参数", "options": "选项", "optional arguments": "选项"}
HELPS = {"show this help message and exit": "显示本帮助并退出",
         "show program's version number and exit": "显示版本号并退出"}
USAGE = "用法："

#: argparse's English error messages (as formatted) and their Chinese; ``{1}`` … are the
#: groups, a ``{m1}`` group is itself a message (translated in turn).
_ERRORS: list[tuple[re.Pattern[str], str]] = [(re.compile(p, re.DOTALL), zh) for p, zh in (
    (r"argument (.+?): (.*)", "参数 {1}：{m2}"),
    (r"the following arguments are required: (.*)", "缺少必需的参数：{1}"),
    (r"unrecognized arguments: (.*)", "无法识别的参数：{1}（参数的位置或拼写可能有误，用 -h 查看用法）"),
    (r"invalid choice: (.*?), maybe you meant (.*?)\? \(choose from (.*)\)", "无效的选择：{1}，是否想输入 {2}？（可选：{3}）"),
    (r"invalid choice: (.*?) \(choose from (.*)\)", "无效的选择：{1}（可选：{2}）"),
    (r"expected one argument", "需要一个值"),
    (r"expected at most one argument", "最多只能有一个值"),
    (r"expected at least one argument", "至少需要一个值"),
    (r"expected (\d+) arguments?", "需要 {1} 个值"),
    (r"invalid (.*?) value: (.*)", "无效的 {1} 值：{2}"),
    (r"ambiguous option: (.*?) could match (.*)", "有歧义的选项：{1} 可以是 {2}"),
    (r"not allowed with argument (.*)", "不能与参数 {1} 同时使用"),
    (r"ignored explicit argument (.*)", "忽略了多余的值 {1}"),
    (r"one of the arguments (.*) is required", "必须给出以下参数之一：{1}"),
    (r"unexpected option string: (.*)", "意外的选项：{1}"),
)]


def chinese(message: str) -> str:
    """argparse's English ``message`` in Chinese (unchanged when it is not one of argparse's)."""
    for pattern, zh in _ERRORS:
        match = pattern.fullmatch(message)
        if match:
            out = zh
            for i, group in enumerate(match.groups(), start=1):
                out = out.replace(f"{{m{i}}}", chinese(group)).replace(f"{{{i}}}", group)
            return out
    return message


class ChineseHelpFormatter(argparse.HelpFormatter):
    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, USAGE if prefix is None else prefix)


class ChineseParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose titles, help and errors are Chinese; an error prints the
    usage and exits 2 with ``taizhang: 参数错误：…``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", ChineseHelpFormatter)
        super().__init__(*args, **kwargs)

    def add_argument_group(self, *args: Any, **kwargs: Any) -> Any:
        if args and isinstance(args[0], str):
            args = (TITLES.get(args[0], args[0]), *args[1:])
        elif isinstance(kwargs.get("title"), str):
            kwargs["title"] = TITLES.get(kwargs["title"], kwargs["title"])
        return super().add_argument_group(*args, **kwargs)

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        if isinstance(kwargs.get("help"), str):
            kwargs["help"] = HELPS.get(kwargs["help"], kwargs["help"])
        return super().add_argument(*args, **kwargs)

    def error(self, message: str) -> NoReturn:  # usage errors exit 2, like every refusal
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"taizhang: 参数错误：{chinese(message)}\n")
