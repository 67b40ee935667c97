"""What the ribbon's VBA calls: ``RunPython "import macros.ribbon as r; r.dispatch('tz_check')"``.

``dispatch`` finds the action in the add-in's registry, runs its macro on the calling
workbook and turns any failure into a Chinese message box (what happened, what to do)
instead of a traceback; the trace goes to the add-in's rotating log
(``%LOCALAPPDATA%\\taizhang\\logs``).
"""

from __future__ import annotations

from addin.logs import get_logger, log_file
from taizhang.config import ConfigError, load_config


def failure_message(label: str, exc: BaseException) -> str:
    """A sentence the clerk can act on, for an exception a macro raised."""
    if isinstance(exc, PermissionError):
        name = exc.filename or "文件"
        what = (f"无法写入“{name}”：文件被占用或没有写入权限。请关闭打开它的程序"
                "（包括 Excel 中打开的同名工作簿）后重试")
    elif isinstance(exc, FileNotFoundError):
        what = f"找不到“{exc.filename or '文件'}”。请确认文件或文件夹仍在原处"
    elif isinstance(exc, OSError):
        what = f"读写文件时出错（{exc.strerror or type(exc).__name__}）。请确认磁盘空间和文件夹权限"
    elif isinstance(exc, MemoryError):
        what = "内存不足。请关闭其他工作簿后重试"
    else:
        what = f"程序出错（{type(exc).__name__}）。请把此提示截图发给技术人员"
    return f"“{label}”未能完成：{what}。详细记录：{log_file()}"


def run(action_id: str, port) -> str:
    """Run the macro of ``action_id`` on ``port``; failures become a message to the clerk."""
    from addin.actions import ACTIONS

    action = ACTIONS.get(action_id)
    if action is None:
        message = f"未知的按钮：{action_id}。请重新安装加载项（taizhang addin install）。"
        _notify(port, message)
        return message
    try:
        return action.macro(port, load_config())
    except ConfigError as exc:
        message = f"配置文件有误：{exc}"
    except Exception as exc:  # noqa: BLE001 - the clerk gets a sentence, the log gets the details
        get_logger("ribbon").exception("macro %s failed", action_id)
        message = failure_message(action.label, exc)
    _notify(port, message)
    return message


def _notify(port, message: str) -> None:
    try:
        port.notify(message)
    except Exception:  # noqa: BLE001 - a message box that cannot show must not hide the log
        get_logger("ribbon").exception("could not show: %s", message)


def dispatch(action_id: str) -> None:
    """Entry point for the ribbon: the workbook that called is the one worked on."""
    import xlwings as xw

    from macros.xlwings_port import XlwingsWorkbook

    try:
        port = XlwingsWorkbook(xw.Book.caller())
    except Exception as exc:  # noqa: BLE001 - e.g. no workbook open, or Excel busy
        get_logger("ribbon").exception("no calling workbook for %s", action_id)
        message = ("请先打开或新建一个工作簿，再点击“纪检台账”中的按钮。"
                   f"（{type(exc).__name__}；详细记录：{log_file()}）")
        try:
            xw.apps.active.alert(message, title="纪检台账")
        except Exception:  # noqa: BLE001
            get_logger("ribbon").exception("could not show: %s", message)
        return
    run(action_id, port)
