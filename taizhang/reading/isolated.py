"""Read a workbook in a child process, so that a reader that aborts cannot take us with it.

python-calamine is fast and usually safe, but on some damaged legacy ``.xls`` files (found
by fuzzing) the Rust reader panics or asks for hundreds of gigabytes and aborts the whole
process, which no ``except`` can catch.  Such files are read here in a child process with a
memory ceiling; if the child dies, the file is refused with a clear reason instead.

The child hands its result back in a file of its own that nothing else writes to: readers
print warnings on stdout (xlrd does, on Excel 95 files), which must never be mistaken for the
result.  The child's stdout and stderr go to the log.

    python -m taizhang.reading.isolated PATH LIMITS_JSON RESULT_FILE   (what the parent runs)
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

from taizhang.reading.book import Limits, Workbook, WorkbookRefused

from taizhang.reading.source import open_workbook

#: The child's address-space ceiling (POSIX), and how long it may take.
MEMORY_LIMIT = 3 * 1024 ** 3
TIMEOUT_SECONDS = 120
_OK, _REFUSED = 0, 3

log = logging.getLogger("taizhang.reading")

#: The peak memory (resident set, bytes) of the last child, where the system reports it.
last_peak_bytes: int | None = None


def read_isolated(path: Path, limits: Limits) -> Workbook:
    """:func:`open_workbook` in a child process; a crash there is a ``corrupt-workbook``."""
    global last_peak_bytes
    fd, result = tempfile.mkstemp(prefix="taizhang-", suffix=".result")
    os.close(fd)
    cmd = [sys.executable, "-m", "taizhang.reading.isolated", str(path),
           json.dumps(dataclasses.asdict(limits)), result]
    try:
        try:
            proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            raise WorkbookRefused("corrupt-workbook",
                                  f"{path}：读取超过 {TIMEOUT_SECONDS} 秒仍未完成（文件可能已损坏或被篡改），未读取",
                                  f"child timed out after {TIMEOUT_SECONDS} s") from None
        chatter = (proc.stdout + proc.stderr).decode("utf-8", "replace").strip()
        if chatter:
            log.info("%s: reader said: %s", path, chatter[-600:])
        payload = None
        if proc.returncode in (_OK, _REFUSED):
            try:
                with open(result, "rb") as fh:
                    payload = pickle.load(fh)
            except (OSError, EOFError, pickle.UnpicklingError):
                payload = None
        if payload is None:
            raise WorkbookRefused(
                "corrupt-workbook", f"{path}：读取程序在读这个文件时异常终止（文件已损坏或被篡改），未读取",
                f"child exit status {proc.returncode}: {chatter[-300:]}")
        value, last_peak_bytes = payload
        if proc.returncode == _REFUSED:
            code, reason, detail = value
            raise WorkbookRefused(code, reason, detail)
        return value
    finally:
        try:
            os.unlink(result)
        except OSError:
            pass


def _peak() -> int | None:
    """This process's peak resident memory.  On Linux from ``VmHWM``, which starts afresh with
    the program: ``ru_maxrss`` carries over the parent's size from before the exec."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        import resource

        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return kb * (1 if sys.platform == "darwin" else 1024)
    except ImportError:  # Windows
        return None


def _main(argv: list[str]) -> int:
    path, limits, result = Path(argv[0]), Limits(**json.loads(argv[1])), argv[2]
    sys.stdout = sys.stderr  # whatever a reader prints is chatter, never the result
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    except (ImportError, ValueError, OSError):  # Windows has no rlimit: isolation alone
        pass
    try:
        book = open_workbook(path, limits, isolate=False)
    except WorkbookRefused as exc:
        payload, status = (exc.code, exc.reason, exc.detail), _REFUSED
    except KeyboardInterrupt:
        return 130
    else:
        payload, status = book, _OK
    with open(result, "wb") as fh:
        pickle.dump((payload, _peak()), fh)
    return status


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
