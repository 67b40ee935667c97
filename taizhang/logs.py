"""What goes into taizhang's log, and what never does.

The command line sends the log to a file (see ``taizhang.cli.common.start_log``); everywhere
else ``logging.getLogger("taizhang")`` logs nowhere unless an application asks.
"""

from __future__ import annotations

import re
import traceback


def trace_for_log(exc: BaseException) -> str:
    """The trace of an unexpected error for the log: where it happened, the error's type,
    and its message only when it holds no Chinese text nor long digit runs (which could be a
    cell's content: a complainant's name or telephone number never goes into the log)."""
    frames = "".join(traceback.format_tb(exc.__traceback__))
    remote = exc.__cause__
    if type(remote).__name__ == "_RemoteTraceback":  # raised in a worker process (taizhang.workers)
        lines = str(remote).splitlines()
        where = [f"{line}\n{lines[i + 1] if i + 1 < len(lines) else ''}\n"  # its frames, not its message
                 for i, line in enumerate(lines) if line.startswith('  File "')]
        frames = f"{frames}In the worker process:\n{''.join(where)}"
    message = str(exc)
    if re.search(r"[\u3400-\u9fff]|\d{7,}", message):
        message = "（消息含表格内容，未记录）"
    return f"{frames}{type(exc).__name__}: {message[:500]}"
