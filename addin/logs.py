"""The add-in's log: a rotating file under ``%LOCALAPPDATA%\\taizhang\\logs`` (elsewhere
``$XDG_STATE_HOME/taizhang/logs`` or ``~/.local/state/taizhang/logs``; ``TAIZHANG_LOG_DIR``
overrides both).  Ribbon actions and install steps write their traces here, so the user
sees a Chinese sentence and the technician finds the details."""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from pathlib import Path

LOGGER = "taizhang.addin"
LOG_FILE = "taizhang-addin.log"
MAX_BYTES, BACKUPS = 1_000_000, 5


def log_dir() -> Path:
    if os.environ.get("TAIZHANG_LOG_DIR"):
        return Path(os.environ["TAIZHANG_LOG_DIR"])
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "taizhang" / "logs"
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "taizhang" / "logs"


def log_file() -> Path:
    return log_dir() / LOG_FILE


class _Handler(logging.handlers.RotatingFileHandler):
    """Rotating file handler that follows ``log_file()`` (the folder may change between runs)."""


def get_logger(name: str) -> logging.Logger:
    """A child of the add-in's logger, which writes to the rotating log file."""
    root = logging.getLogger(LOGGER)
    path = log_file()
    current = [h for h in root.handlers if isinstance(h, _Handler)]
    if not current or Path(current[0].baseFilename) != path.resolve():
        for h in current:
            root.removeHandler(h)
            h.close()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handler = _Handler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
            handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
            root.addHandler(handler)
        except OSError:  # no log is better than no add-in
            pass
        root.setLevel(logging.INFO)
        root.propagate = True
    return root.getChild(name)
