"""Read a workbook in a child process, so that a reader that aborts cannot take us with it.

python-calamine is fast and usually safe, but on some damaged legacy ``.xls`` files (found
by fuzzing) the Rust reader panics or asks for hundreds of gigabytes and aborts the whole
process, which no ``except`` can catch.  Such files are read here in a child process with a
memory ceiling; if the child dies, the file is refused with a clear reason instead.

The child hands its result back on its stdout, a pipe, and nothing else goes there: readers
print warnings (xlrd does, on Excel 95 files), so before reading, the child keeps the pipe
for the result and sends whatever else is written to stdout, even by C code, to its stderr,
which goes to the log.  Nothing of the workbook touches the disk, so nothing of it is left
behind when either process is killed; and the child ends when its parent ends
(``taizhang.workers.bind_to_parent``).

The child is :mod:`taizhang.reading.isolated_child`, which opens the file with the opener of
:mod:`taizhang.reading.source` (isolation off); this module, the parent's side, imports
neither, so the opener and its isolation form no import circle.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import pickle
import subprocess
import sys
from pathlib import Path

from taizhang import workers
from taizhang.reading.book import Limits, Workbook, WorkbookRefused

#: The child's address-space ceiling (POSIX), and how long it may take.
MEMORY_LIMIT = 3 * 1024 ** 3
TIMEOUT_SECONDS = 120
#: The child's exit status when it hands back a workbook, and when it hands back a refusal.
OK_STATUS, REFUSED_STATUS = 0, 3
#: The environment variable naming the run's private folder to the child.
FOLDER_VARIABLE = "TAIZHANG_RUN_FOLDER"

log = logging.getLogger("taizhang.reading")

#: The peak memory (resident set, bytes) of the last child, where the system reports it.
last_peak_bytes: int | None = None


def read_isolated(path: Path, limits: Limits) -> Workbook:
    """``taizhang.reading.source.open_workbook`` in a child process; a crash there is a
    ``corrupt-workbook``."""
    global last_peak_bytes
    cmd = [sys.executable, "-m", "taizhang.reading.isolated_child", str(path),
           json.dumps(dataclasses.asdict(limits)), str(os.getpid())]
    env = {**os.environ, FOLDER_VARIABLE: str(workers.private_folder())}
    with subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          env=env) as proc:
        workers.hold_child(proc.pid)
        try:
            result, chatter_bytes = proc.communicate(timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            raise WorkbookRefused("corrupt-workbook",
                                  f"{path}：读取超过 {TIMEOUT_SECONDS} 秒仍未完成（文件可能已损坏或被篡改），未读取",
                                  f"child timed out after {TIMEOUT_SECONDS} s") from None
        except BaseException:  # Ctrl-C or the like: the child goes too
            proc.kill()
            raise
    chatter = chatter_bytes.decode("utf-8", "replace").strip()
    if chatter:
        log.info("%s: reader said: %s", path, chatter[-600:])
    payload = None
    if proc.returncode in (OK_STATUS, REFUSED_STATUS):
        try:
            payload = pickle.loads(result)
        except Exception:  # noqa: BLE001 - a truncated or garbled result: the child did not finish
            payload = None
    if payload is None:
        raise WorkbookRefused(
            "corrupt-workbook", f"{path}：读取程序在读这个文件时异常终止（文件已损坏或被篡改），未读取",
            f"child exit status {proc.returncode}: {chatter[-300:]}")
    value, last_peak_bytes = payload
    if proc.returncode == REFUSED_STATUS:
        code, reason, detail = value
        raise WorkbookRefused(code, reason, detail)
    return value
