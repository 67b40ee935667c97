"""The child that reads one workbook for :func:`taizhang.reading.isolated.read_isolated`.

    python -m taizhang.reading.isolated_child PATH LIMITS_JSON PARENT_PID

(the environment names the run's private folder, for a decrypted copy).  It opens the file
with :func:`taizhang.reading.source.open_workbook`, isolation off, under a memory ceiling,
and pickles ``(workbook or refusal, peak memory)`` onto the pipe its stdout was at start.
"""

from __future__ import annotations

import json
import os
import pickle
import sys
from pathlib import Path

from taizhang import workers
from taizhang.reading.book import Limits, WorkbookRefused
from taizhang.reading.isolated import FOLDER_VARIABLE, MEMORY_LIMIT, OK_STATUS, REFUSED_STATUS
from taizhang.reading.source import open_workbook


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
        payload, status = (exc.code, exc.reason, exc.detail), REFUSED_STATUS
    except KeyboardInterrupt:
        return 130
    else:
        payload, status = book, OK_STATUS
    with channel:
        pickle.dump((payload, _peak()), channel, protocol=pickle.HIGHEST_PROTOCOL)
    return status


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
