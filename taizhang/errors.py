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

import errno
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


#: The system's (English) reasons for a failed file operation, in the clerk's words.
_ERRNO_ZH = {
    "ENOENT": "文件或文件夹不存在", "EACCES": "没有权限", "EPERM": "没有权限", "ENOSPC": "磁盘空间已满",
    "EROFS": "磁盘是只读的", "EISDIR": "这是一个文件夹", "ENOTDIR": "路径中有一项不是文件夹",
    "EBUSY": "文件正被其他程序占用", "ETXTBSY": "文件正被其他程序占用", "ENAMETOOLONG": "文件名太长",
    "EIO": "磁盘读写出错", "EMFILE": "打开的文件太多", "EDQUOT": "磁盘配额已满", "EEXIST": "文件已存在",
    "EINVAL": "文件名或路径无效", "ELOOP": "链接循环", "EXDEV": "不能跨磁盘移动",
}


def os_error_zh(exc: OSError) -> str:
    """A failed file operation's reason in Chinese (the system's own words are English)."""
    name = errno.errorcode.get(exc.errno or 0, "")
    if name in _ERRNO_ZH:
        return _ERRNO_ZH[name]
    return f"系统错误 {exc.errno}" if exc.errno else "系统错误"


def reason_zh(exc: BaseException) -> str:
    """What went wrong, said in Chinese for the clerk: a failed file operation's reason, a
    taizhang refusal's own message, else a plain sentence; the original text (often English,
    from the system or a library) goes to the log, never to the message."""
    if isinstance(exc, TaizhangError):
        return str(exc)
    import logging

    logging.getLogger("taizhang").warning("原始错误：%s: %s", type(exc).__name__, exc)
    if isinstance(exc, OSError):
        return os_error_zh(exc)
    return "发生了意外错误（原文已记入日志）"
