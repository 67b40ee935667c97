"""The ``taizhang`` command's entry point, light to import.

``taizhang.cli`` builds the parser; the command's own modules (readers, pydantic, openpyxl
when a workbook is written …) load when it runs, which can take a second on an office PC:
Ctrl-C pressed meanwhile would end in a Python traceback.  This module imports nothing of the
kind itself, so that the interruption is told in one Chinese line (exit 130) whenever it comes.
"""

from __future__ import annotations

import gc
import os
import sys

#: Exit status after Ctrl-C (128 + SIGINT), as in :mod:`taizhang.cli.common`.
EXIT_INTERRUPTED = 130
STARTING = "taizhang: 已中断（Ctrl-C）：程序还在启动，什么都没有读取或写入"


def main() -> int:
    # pydantic looks for plugins among every installed distribution's entry points the first
    # time a model is built (importlib.metadata, some 20 ms of every command's start); taizhang
    # uses none, so the command line tells it not to look, unless the environment says otherwise.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    pause_collector()
    try:
        from taizhang.cli import main as run
    except KeyboardInterrupt:
        print(f"\n{STARTING}", file=sys.stderr)
        return EXIT_INTERRUPTED
    return run()


#: Whether :func:`main` paused the garbage collector (until :func:`resume_collector`).
_paused = False


def pause_collector() -> None:
    """Python's garbage collector off while the command starts.  A command makes most of what
    it will ever hold as it starts (modules, classes, the configuration): none of it is garbage,
    yet the collector would walk it some thirty times as it is made (a tenth of the parent's
    processor time in a summary of a month, measured here).  Python's documentation advises
    the same for a process that forks workers, as a month's commands do (``gc.disable``)."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume_collector() -> None:
    """The collector on again once the command's modules are loaded and its configuration
    read, what the start made frozen out of its sight (``gc.freeze``: it lives as long as the
    process).  Nothing where :func:`main` did not pause it (the command line run in a test)."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()


if __name__ == "__main__":  # pragma: no cover - python -m taizhang goes through __main__
    sys.exit(main())
