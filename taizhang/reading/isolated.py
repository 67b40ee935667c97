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

    python -m taizhang.reading.isolated PATH LIMITS_JSON PARENT_PID   (what the parent runs;
    the environment names the run's private folder, for a decrypted copy)
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
from taizhang.reading.source import open_workbook

#: The child's address-space ceiling (POSIX), and how long it may take.
MEMORY_LIMIT = 3 * 1024 ** 3
TIMEOUT_SECONDS = 120
_OK, _REFUSED = 0, 3
#: The environment variable naming the run's private folder to the child.
FOLDER_VARIABLE = "TAIZHANG_RUN_FOLDER"

log = logging.getLogger("taizhang.reading")

#: The peak memory (resident set, bytes) of the last child, where the system reports it.
last_peak_bytes: int | None = None


def read_isolated(path: Path, limits: Limits) -> Workbook:
    """:func:`open_workbook` in a child process; a crash there is a ``corrupt-workbook``."""
    global last_peak_bytes
    cmd = [sys.executable, "-m", "taizhang.reading.isolated", str(path),
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
    if proc.returncode in (_OK, _REFUSED):
        try:
            payload = pickle.loads(result)
        except Exception:  # noqa: BLE001 - a truncated or garbled result: the child did not finish
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


def _result_channel():
    """The stdout pipe, kept for the result alone; file descriptor 1 (and ``sys.stdout``) then
    lead to stderr, so that nothing a reader prints can be mistaken for the result."""
    channel = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    if os.name == "nt":  # pragma: no cover - Windows
        import msvcrt

        msvcrt.setmode(channel, os.O_BINARY)
    return os.fdopen(channel, "wb")


def _main(argv: list[str]) -> int:
    path, limits, parent = Path(argv[0]), Limits(**json.loads(argv[1])), int(argv[2])
    workers.bind_to_parent(parent)
    folder = os.environ.get(FOLDER_VARIABLE)
    if folder:
        workers.use_private_folder(Path(folder))
    channel = _result_channel()
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
    with channel:
        pickle.dump((payload, _peak()), channel, protocol=pickle.HIGHEST_PROTOCOL)
    return status


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
