"""The command line's log file (``taizhang.logs.RotatingLog``): kept under its size by moving it
to ``NAME.1`` … ``NAME.N`` as ``logging.handlers.RotatingFileHandler`` does, file for file."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from taizhang.logs import RotatingLog


def _write(handler: logging.Handler, lines: int) -> None:
    logger = logging.Logger("rotation-test")
    logger.addHandler(handler)
    for i in range(lines):
        logger.warning("记录 %d %s", i, "x" * (i % 37))
    handler.close()


def _files(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.iterdir())}


def test_the_log_rotates_as_the_standard_handler_does(tmp_path):
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    ours.mkdir()
    theirs.mkdir()
    _write(RotatingLog(ours / "taizhang.log", max_bytes=700, backups=3), 200)
    _write(logging.handlers.RotatingFileHandler(theirs / "taizhang.log", maxBytes=700, backupCount=3,
                                                encoding="utf-8"), 200)
    assert _files(ours) == _files(theirs)
    assert set(_files(ours)) == {"taizhang.log", "taizhang.log.1", "taizhang.log.2", "taizhang.log.3"}


def test_a_log_under_its_size_is_appended_to(tmp_path):
    path = tmp_path / "taizhang.log"
    path.write_text("前一次运行\n", encoding="utf-8")
    _write(RotatingLog(path, max_bytes=1 << 20, backups=3), 3)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("前一次运行\n") and text.count("\n") == 4
    assert [p.name for p in tmp_path.iterdir()] == ["taizhang.log"]
