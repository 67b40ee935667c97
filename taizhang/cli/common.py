"""What every command shares: exit codes and argument types."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable

#: Exit codes (a public interface): 0 done, no errors; 1 done, the ledgers have errors;
#: 2 a file could not be read at all, or the command could not run.
EXIT_OK, EXIT_ERRORS, EXIT_UNREADABLE = 0, 1, 2


def as_of_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期应为 YYYY-MM-DD，例如 2026-10-31（收到“{text}”）") from None


def cannot_write(what: str, path: object, exc: OSError) -> str:
    """The message for a file taizhang could not write: on Windows a workbook open in Excel or
    WPS is locked, which shows as a permission error, so the clerk is told to close it."""
    if isinstance(exc, PermissionError):
        return (f"taizhang: {what}无法写入：{path}（没有写入权限，或该文件正在 Excel/WPS 中打开：请关闭后重试；"
                f"原文件未改动）")
    return f"taizhang: {what}无法写入：{path}（{exc.strerror or exc}；原文件未改动）"


def console_width() -> int | None:
    """Rich's width: the terminal's, or wide enough for tables when output is piped."""
    return None if sys.stdout.isatty() else 160


@dataclass
class Outcome:
    """What a command produced, before anything is printed: the command line prints it, the
    local service (``taizhang serve``) answers it as JSON.  ``data`` is the ``--json`` shape,
    ``None`` when the command could not run; ``messages`` are what goes to stderr."""

    code: int
    data: dict[str, Any] | None = None
    messages: list[str] = field(default_factory=list)
    #: What the human-readable printer needs (reports, results); not part of any interface.
    detail: Any = None


#: ``progress(done, total, name)``: a file finished (``done`` of ``total``); ``name`` is its name.
Progress = Callable[[int, int | None, str], None]
