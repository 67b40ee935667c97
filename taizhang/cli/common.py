"""What every command shares: exit codes and argument types."""

from __future__ import annotations

import argparse
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterator

#: Exit codes (a public interface): 0 done, no errors; 1 done, the ledgers have errors;
#: 2 a file could not be read at all, or the command could not run.
EXIT_OK, EXIT_ERRORS, EXIT_UNREADABLE = 0, 1, 2


AS_OF_FORMS = "2026-10-31、2026/10/31、2026.10.31 或 2026年10月31日"


def as_of_date(text: str) -> date:
    """A day as staff write it: the forms a ledger's date cells take (``values.parse_date``),
    full-width digits included; a bare number (an Excel serial) is not taken for a day here."""
    from taizhang.values import parse_date

    cleaned = str(text).strip()
    if cleaned.isdigit() and len(cleaned) != 8:  # 46303 typed on a command line is no date
        cleaned = ""
    try:
        return parse_date(cleaned)
    except ValueError as exc:
        detail = "（不存在这一天）" if "不存在" in str(exc) else ""
        raise argparse.ArgumentTypeError(f"日期应写作 {AS_OF_FORMS}{detail}（收到“{text}”）") from None


def jobs_count(text: str) -> int:
    try:
        jobs = int(text)
    except ValueError:
        jobs = 0
    if jobs < 1:
        raise argparse.ArgumentTypeError(f"进程数应为正整数，例如 2（收到“{text}”）")
    # never more workers than the machine has cores: more only cost memory and start-up time
    # (a request to the local service asking for 300 would otherwise fork 300)
    import os

    return min(jobs, os.cpu_count() or 1)


JOBS_HELP = "同时读取文件的进程数（默认：CPU 核数，最多 2；不超过 CPU 核数；文件少时只用本进程）"


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


@contextmanager
def progress_bar() -> Iterator[Progress | None]:
    """A progress bar for the files being read, on stderr and only when stderr is a terminal:
    ``读取 ━━━━━╺━━━ 120/400 0:00:02 县一中.xlsx``, cleared once done, so that what the command
    prints after it (a table, ``--json``, on stdout) follows on a clean screen.  Piped, redirected
    to a file or captured (a script, the service, a log), it gives ``None`` and writes nothing:
    not even rich's terminal codes, which ``FORCE_COLOR`` would send down a pipe."""
    if not _stderr_is_terminal():
        yield None
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bar, TextColumn, TimeElapsedColumn

    err = Console(stderr=True, highlight=False)
    bar = Bar(TextColumn("读取"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
              TextColumn("{task.description}"), console=err, transient=True)
    task = bar.add_task("", total=None)
    with bar:
        yield lambda done, total, name: bar.update(task, completed=done, total=total, description=escape(name))


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr is not None and sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced by an object without isatty, or closed
        return False


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


from taizhang.logs import trace_for_log  # noqa: E402,F401 - the CLI's handler uses it from here

#: Exit status after Ctrl-C (128 + SIGINT), as shells report it.
EXIT_INTERRUPTED = 130


def log_path() -> Path:
    """Where taizhang keeps its log: ``TAIZHANG_LOG_DIR`` if set, else the user's local
    application data (Windows) or state folder (elsewhere)."""
    import os
    from pathlib import Path

    base = os.environ.get("TAIZHANG_LOG_DIR")
    if base:
        return Path(base) / "taizhang.log"
    if os.name == "nt":
        root = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
        return root / "taizhang" / "logs" / "taizhang.log"
    root = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    return root / "taizhang" / "taizhang.log"


def start_log() -> Path | None:
    """Send taizhang's log (readers' own words, unexpected errors with their trace) to the
    log file; returns its path, or None when no log can be written (the command still runs)."""
    import logging
    import tempfile
    from logging.handlers import RotatingFileHandler
    from pathlib import Path

    logger = logging.getLogger("taizhang")
    wanted = log_path()
    for handler in list(logger.handlers):
        if getattr(handler, "_taizhang_cli", False):
            if Path(handler.baseFilename) == wanted.absolute():
                return wanted
            logger.removeHandler(handler)  # another log folder asked for (tests, a second run)
            handler.close()
    for path in (wanted, Path(tempfile.gettempdir()) / "taizhang" / "taizhang.log"):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handler = RotatingFileHandler(path, maxBytes=2 * 1024 * 1024, backupCount=3, encoding="utf-8")
        except OSError:
            continue
        handler.setFormatter(logging.Formatter("%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"))
        handler._taizhang_cli = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        return path
    return None
