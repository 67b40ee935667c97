"""Read a workbook in a child process, so that a reader that aborts cannot take us with it.

python-calamine is fast and usually safe, but on some damaged legacy ``.xls`` files (found
by fuzzing) the Rust reader panics or asks for hundreds of gigabytes and aborts the whole
process, which no ``except`` can catch.  Such files are read here in a child process with a
memory ceiling; if the child dies, the file is refused with a clear reason instead.

    python -m taizhang.reading.isolated PATH LIMITS_JSON   (what the parent runs)
"""

from __future__ import annotations

import dataclasses
import json
import pickle
import subprocess
import sys
from pathlib import Path

from taizhang.reading.source import Limits, Workbook, WorkbookRefused, open_workbook

#: The child's address-space ceiling (POSIX), and how long it may take.
MEMORY_LIMIT = 3 * 1024 ** 3
TIMEOUT_SECONDS = 120
_REFUSED = 3


def read_isolated(path: Path, limits: Limits) -> Workbook:
    """:func:`open_workbook` in a child process; a crash there is a ``corrupt-workbook``."""
    cmd = [sys.executable, "-m", "taizhang.reading.isolated", str(path), json.dumps(dataclasses.asdict(limits))]
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        raise WorkbookRefused("corrupt-workbook",
                              f"{path}：读取超过 {TIMEOUT_SECONDS} 秒仍未完成（文件可能已损坏或被篡改），未读取") from None
    if proc.returncode == 0:
        return pickle.loads(proc.stdout)
    if proc.returncode == _REFUSED:
        code, reason = pickle.loads(proc.stdout)
        raise WorkbookRefused(code, reason)
    raise WorkbookRefused("corrupt-workbook", f"{path}：读取程序在读这个文件时异常终止（文件已损坏或被篡改），未读取")


def _main(argv: list[str]) -> int:
    path, limits = Path(argv[0]), Limits(**json.loads(argv[1]))
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    except (ImportError, ValueError, OSError):  # Windows has no rlimit: isolation alone
        pass
    try:
        book = open_workbook(path, limits, isolate=False)
    except WorkbookRefused as exc:
        sys.stdout.buffer.write(pickle.dumps((exc.code, exc.reason)))
        return _REFUSED
    sys.stdout.buffer.write(pickle.dumps(book))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
