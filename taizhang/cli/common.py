"""What every command shares: exit codes, argument types, the progress bar, the log."""

from __future__ import annotations

import argparse
import os
import sys
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from taizhang.usecases.exits import EXIT_ERRORS, EXIT_OK, EXIT_UNREADABLE  # noqa: F401 - what the commands share
from taizhang.usecases.parsing import AS_OF_FORMS, COMPARE_HELP, JOBS_HELP, parse_as_of, parse_jobs  # noqa: F401

if TYPE_CHECKING:
    from taizhang.usecases.common import Progress


def as_of_date(text: str) -> date:
    """``--as-of``: a day as staff write it (``usecases.requests.parse_as_of``)."""
    try:
        return parse_as_of(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def jobs_count(text: str) -> int:
    """``--jobs``: a positive whole number, at most the machine's cores."""
    try:
        return parse_jobs(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def console_width() -> int | None:
    """Rich's width: the terminal's, or wide enough for tables when output is piped."""
    return None if sys.stdout.isatty() else 160


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


from taizhang.logs import trace_for_log  # noqa: E402,F401 - the CLI's handler uses it from here

#: Exit status after Ctrl-C (128 + SIGINT), as shells report it.
EXIT_INTERRUPTED = 130


def log_path() -> Path:
    """Where taizhang keeps its log: ``TAIZHANG_LOG_DIR`` if set, else the user's local
    application data (Windows) or state folder (elsewhere)."""
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

    from taizhang.logs import RotatingLog

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
            handler = RotatingLog(path, max_bytes=2 * 1024 * 1024, backups=3, encoding="utf-8")
        except OSError:
            continue
        handler.setFormatter(logging.Formatter("%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"))
        handler._taizhang_cli = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        return path
    return None


def request_of(model: type, args: argparse.Namespace) -> object:
    """The use case's request from the parsed arguments (each field from the argument of its
    name); a value its model refuses is said as a usage error (exit 2) and gives ``None``."""
    from taizhang.usecases.requests import RequestError, validate

    values = {name: getattr(args, name) for name in model.model_fields
              if getattr(args, name, None) is not None}
    try:
        return validate(model, values)
    except RequestError as exc:
        message = str(exc)
        print(message if message.startswith("taizhang") else f"taizhang: {message}", file=sys.stderr)
        return None
