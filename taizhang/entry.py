"""The ``taizhang`` command's entry point, light to import.

``taizhang.cli`` builds the parser; the command's own modules (readers, pydantic, openpyxl
when a workbook is written …) load when it runs, which can take a second on an office PC:
Ctrl-C pressed meanwhile would end in a Python traceback.  This module imports nothing of the
kind itself, so that the interruption is told in one Chinese line (exit 130) whenever it comes.
"""

from __future__ import annotations

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
    try:
        from taizhang.cli import main as run
    except KeyboardInterrupt:
        print(f"\n{STARTING}", file=sys.stderr)
        return EXIT_INTERRUPTED
    return run()


if __name__ == "__main__":  # pragma: no cover - python -m taizhang goes through __main__
    sys.exit(main())
