"""What goes into taizhang's log, and what never does.

The command line sends the log to a file (see ``taizhang.cli.common.start_log``); everywhere
else ``logging.getLogger("taizhang")`` logs nowhere unless an application asks.
"""

from __future__ import annotations

import logging
import os
import re


class RotatingLog(logging.FileHandler):
    """A log file kept under ``max_bytes`` by moving it to ``NAME.1`` (``NAME.1`` to
    ``NAME.2`` …, ``backups`` of them), before a record would take it past that size: what
    ``logging.handlers.RotatingFileHandler`` does, without importing ``logging.handlers``
    (which brings socket, pickle and queue, a hundredth of a second of every start)."""

    def __init__(self, filename: str | os.PathLike, max_bytes: int, backups: int, encoding: str = "utf-8") -> None:
        super().__init__(filename, mode="a", encoding=encoding)
        self.max_bytes = max_bytes
        self.backups = backups

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self._full(record):
                self._rotate()
            super().emit(record)
        except Exception:  # noqa: BLE001 - as logging's own handlers: the record is reported, never raised
            self.handleError(record)

    def _full(self, record: logging.LogRecord) -> bool:
        if self.stream is None:
            self.stream = self._open()
        if self.max_bytes <= 0 or (os.path.exists(self.baseFilename) and not os.path.isfile(self.baseFilename)):
            return False
        self.stream.seek(0, 2)
        return self.stream.tell() + len(f"{self.format(record)}\n") >= self.max_bytes

    def _rotate(self) -> None:
        if self.stream:
            self.stream.close()
            self.stream = None  # type: ignore[assignment]
        for i in range(self.backups - 1, 0, -1):
            older, newer = f"{self.baseFilename}.{i}", f"{self.baseFilename}.{i + 1}"
            if os.path.exists(older):
                if os.path.exists(newer):
                    os.remove(newer)
                os.rename(older, newer)
        first = f"{self.baseFilename}.1"
        if self.backups > 0:
            if os.path.exists(first):
                os.remove(first)
            if os.path.exists(self.baseFilename):
                os.rename(self.baseFilename, first)
        self.stream = self._open()


def trace_for_log(exc: BaseException) -> str:
    """The trace of an unexpected error for the log: where it happened, the error's type,
    and its message only when it holds no Chinese text nor long digit runs (which could be a
    cell's content: a complainant's name or telephone number never goes into the log)."""
    import traceback

    frames = "".join(traceback.format_tb(exc.__traceback__))
    remote = exc.__cause__
    if type(remote).__name__ in ("RemoteTraceback", "_RemoteTraceback"):  # raised in a worker (taizhang.workers)
        lines = str(remote).splitlines()
        where = [f"{line}\n{lines[i + 1] if i + 1 < len(lines) else ''}\n"  # its frames, not its message
                 for i, line in enumerate(lines) if line.startswith('  File "')]
        frames = f"{frames}In the worker process:\n{''.join(where)}"
    message = str(exc)
    if re.search(r"[\u3400-\u9fff]|\d{7,}", message):
        message = "（消息含表格内容，未记录）"
    return f"{frames}{type(exc).__name__}: {message[:500]}"
