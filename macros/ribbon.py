"""What the ribbon's VBA calls: ``RunPython "import macros.ribbon as r; r.dispatch('tz_check')"``.

``dispatch`` finds the action in the add-in's registry, runs its macro on the calling
workbook and turns any failure into a message box instead of a traceback.
"""

from __future__ import annotations

import logging

from taizhang.config import ConfigError, load_config

log = logging.getLogger(__name__)


def run(action_id: str, port) -> str:
    """Run the macro of ``action_id`` on ``port``; failures become a message to the clerk."""
    from addin.actions import ACTIONS

    action = ACTIONS.get(action_id)
    if action is None:
        message = f"未知的按钮：{action_id}"
        port.notify(message)
        return message
    try:
        return action.macro(port, load_config())
    except ConfigError as exc:
        message = f"配置文件有误：{exc}"
    except Exception as exc:  # noqa: BLE001 - the clerk gets a sentence, the log gets the details
        log.exception("macro %s failed", action_id)
        message = f"“{action.label}”未能完成：{type(exc).__name__}。请把此提示截图发给技术人员。"
    port.notify(message)
    return message


def dispatch(action_id: str) -> None:  # pragma: no cover - needs Excel
    """Entry point for the ribbon: the workbook that called is the one worked on."""
    import xlwings as xw

    from macros.xlwings_port import XlwingsWorkbook

    run(action_id, XlwingsWorkbook(xw.Book.caller()))
