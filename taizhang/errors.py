"""One family of errors: everything taizhang refuses is a :class:`TaizhangError`, carrying a
message in Chinese for the clerk (``str(exc)`` / ``exc.message``) and the exit status the
command line ends with (``exc.exit_code``: 2, "could not run or could not read").

The classes of each layer keep their names and their other bases (``PeriodError`` is still a
``ValueError``), so that code catching them as before still does:

- ``ConfigError`` (the office configuration file), ``PeriodError`` (a period), ``OutputError``
  (where a summary may be written), ``WorkbookRefused`` (a file that is no readable workbook,
  with its finding ``code``), ``ValueParseError`` (a cell value), ``RangeError`` (a worksheet
  function's range or argument), ``RosterError``, ``LockedError``, ``ConsolidationError``
  (the consolidation), ``ReportError`` / ``TemplateRefused`` (the written report).
"""

from __future__ import annotations

from typing import ClassVar

#: The exit status of a command that could not run or could not read a file.
EXIT_CANNOT_RUN = 2


class TaizhangError(Exception):
    """Base of every error taizhang raises on purpose."""

    exit_code: ClassVar[int] = EXIT_CANNOT_RUN

    @property
    def message(self) -> str:
        """The Chinese message (what ``str`` gives)."""
        return str(self)


def family() -> list[type[TaizhangError]]:
    """Every class of the family defined by the package (for documentation and tests)."""
    import taizhang.api  # noqa: F401 - defining modules
    import taizhang.config  # noqa: F401
    import taizhang.consolidation.lock  # noqa: F401
    import taizhang.consolidation.roster  # noqa: F401
    import taizhang.consolidation.run  # noqa: F401
    import taizhang.figures.period  # noqa: F401
    import taizhang.ranges  # noqa: F401
    import taizhang.reading.source  # noqa: F401
    import taizhang.report.template  # noqa: F401
    import taizhang.summary.sheet  # noqa: F401
    import taizhang.values  # noqa: F401

    out: list[type[TaizhangError]] = []
    todo = list(TaizhangError.__subclasses__())
    while todo:
        cls = todo.pop(0)
        if cls not in out:
            out.append(cls)
            todo.extend(cls.__subclasses__())
    return out


def reason_zh(exc: BaseException) -> str:
    """What went wrong, said in Chinese for the clerk: a failed file operation's reason, a
    taizhang refusal's own message, else a plain sentence; the original text (often English,
    from the system or a library) goes to the log, never to the message."""
    import logging

    if isinstance(exc, TaizhangError):
        return str(exc)
    logging.getLogger("taizhang").warning("原始错误：%s: %s", type(exc).__name__, exc)
    if isinstance(exc, OSError):
        from taizhang.reading.source import os_error_zh

        return os_error_zh(exc)
    return "发生了意外错误（原文已记入日志）"
