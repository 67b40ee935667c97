"""What every use case shares: exit codes, the outcome, progress, the message for a file that
cannot be written."""

from __future__ import annotations

from dataclasses import field
from pathlib import Path
from typing import Any, Callable, Iterable

from taizhang.records import dataclass
from taizhang.usecases.exits import EXIT_ERRORS, EXIT_OK, EXIT_UNREADABLE  # noqa: F401 - shared by every use case


@dataclass
class Outcome:
    """What a use case produced, before anything is shown: the command line prints it, the
    local service (``taizhang serve``) answers it as JSON.  ``data`` is the ``--json`` shape,
    ``None`` when the use case could not run; ``messages`` are what goes to stderr."""

    code: int
    data: dict[str, Any] | None = None
    messages: list[str] = field(default_factory=list)
    #: What the human-readable printer needs (reports, results); not part of any interface.
    detail: Any = None


#: ``progress(done, total, name)``: a file finished (``done`` of ``total``); ``name`` is its name.
Progress = Callable[[int, "int | None", str], None]


def per_file(progress: Progress | None, total: int) -> Callable[[Any], None] | None:
    """``progress`` as a callback given each file's path as it is done (``workers.map_files``)."""
    if progress is None:
        return None
    done = 0

    def one_done(path: Any) -> None:
        nonlocal done
        done += 1
        progress(done, total, path.name)

    return one_done


def cannot_write(what: str, path: object, exc: OSError) -> str:
    """The message for a file taizhang could not write: on Windows a workbook open in Excel or
    WPS is locked, which shows as a permission error, so the clerk is told to close it."""
    from taizhang.writing import FileInUse

    if isinstance(exc, FileInUse):
        return f"taizhang: {exc.message(what)}"
    if isinstance(exc, PermissionError):
        return (f"taizhang: {what}无法写入：{path}（没有写入权限，或该文件正在 Excel/WPS 中打开：请关闭后重试；"
                f"原文件未改动）")
    from taizhang.errors import os_error_zh

    return f"taizhang: {what}无法写入：{path}（{os_error_zh(exc)}；原文件未改动）"


def is_one_of(path: Path, files: Iterable[Path]) -> bool:
    """Whether ``path`` is one of ``files`` (the same file, however it is named)."""
    if not path.is_file():
        return False
    return any(f.is_file() and path.samefile(f) for f in files)
