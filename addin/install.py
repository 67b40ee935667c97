"""Install and uninstall the add-in on a Windows PC with Excel - steps that cannot half-fail.

The built ``taizhang.xlam`` is complete (its VBA project already holds the ribbon module and
the worksheet functions), so installing needs no access to the VBA project object model:
1. write ``%USERPROFILE%\\.taizhang\\taizhang.conf`` with the interpreter of this PC (xlwings'
   VBA reads it after the add-in's own settings sheet);
2. copy the add-in into Excel's add-ins folder (replacing an older copy, atomically; Excel
   holds the file open while the add-in is loaded, so it is unloaded first);
3. register and enable it in Excel through COM - with Excel closed (a hidden instance is
   started) or open, and with no workbook open (``AddIns.Add`` needs one: a temporary book
   is added and closed again).
Every step is idempotent; a failure names the step in Chinese and says what to do, and the
trace goes to the log.  ``uninstall`` undoes all three.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from addin.build import XLAM_NAME, build_xlam, conf_text
from addin.logs import get_logger
from addin.vba import PROJECT_NAME
from taizhang.errors import TaizhangError, reason_zh

ADDIN_TITLE = "taizhang"  # AddIns(...) is looked up by the file's name without extension


class InstallError(TaizhangError):
    """The add-in cannot be (un)installed here; the message says why and what to do."""


def addins_folder() -> Path:
    """Excel's per-user add-ins folder (``%APPDATA%\\Microsoft\\AddIns``)."""
    return Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming") / "Microsoft" / "AddIns"


def user_conf_path() -> Path:
    """Where xlwings' VBA looks for this add-in's user settings: ``%USERPROFILE%\\.taizhang\\taizhang.conf``."""
    return Path(os.environ.get("USERPROFILE") or Path.home()) / f".{PROJECT_NAME}" / f"{PROJECT_NAME}.conf"


def windowless(python: str) -> str:
    """pythonw.exe beside python.exe, so no console window flashes at every button."""
    path = Path(python)
    if path.name.lower() == "python.exe" and (path.parent / "pythonw.exe").exists():
        return str(path.parent / "pythonw.exe")
    return python


def installed_settings(interpreter: str | None = None) -> dict[str, str]:
    """The settings written on this PC: the interpreter, and PYTHONPATH only when the package
    is not installed into that interpreter (a source checkout)."""
    python = windowless(interpreter or sys.executable)
    settings = {"INTERPRETER_WIN": python}
    import addin

    source_root = Path(addin.__file__).resolve().parent.parent
    if (source_root / "pyproject.toml").exists():  # running from a checkout (pip install -e)
        settings["PYTHONPATH"] = str(source_root)
    return settings


def write_user_conf(settings: dict[str, str], path: Path | None = None) -> Path:
    """Write (replace) the user settings file in the encoding VBA's ``Input #`` reads."""
    path = path or user_conf_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    encoding = "mbcs" if sys.platform == "win32" else "utf-8"
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(conf_text(settings).encode(encoding))
    os.replace(tmp, path)
    return path


@dataclass
class Step:
    name: str  # Chinese, shown to the user
    done: bool = False


@dataclass
class Report:
    target: Path
    conf: Path
    steps: list[Step] = field(default_factory=list)


def _excel(factory: Callable | None):
    """(app, started): Excel's running instance, or a hidden new one."""
    if factory is not None:
        return factory()
    import xlwings as xw  # pragma: no cover - Windows with Excel

    if xw.apps.count:  # pragma: no cover
        return xw.apps.active, False
    return xw.App(visible=False, add_book=False), True  # pragma: no cover


def _with_a_book(app, action: Callable[[], None]) -> None:
    """Run ``action`` with at least one workbook open (``AddIns.Add`` raises 1004 otherwise)."""
    temporary = app.books.add() if len(app.books) == 0 else None
    try:
        action()
    finally:
        if temporary is not None:
            temporary.close()


def _find_addin(app, target: Path):
    for i in range(1, app.api.AddIns.Count + 1):
        item = app.api.AddIns(i)
        if str(item.FullName).lower() == str(target).lower() or str(item.Name).lower() == XLAM_NAME:
            return item
    return None


def _step(report: Report, name: str, action: Callable[[], object], advice: str):
    step = Step(name)
    report.steps.append(step)
    try:
        result = action()
    except InstallError:
        raise
    except Exception as exc:  # noqa: BLE001 - every step ends in a sentence the user can act on
        get_logger("install").exception("install step failed: %s", name)
        raise InstallError(f"“{name}”未能完成：{_describe(exc)}。{advice}") from exc
    step.done = True
    return result


def _describe(exc: BaseException) -> str:
    """A COM error's own text (Excel's), else the exception's, without a traceback."""
    args = getattr(exc, "excepinfo", None) or (exc.args[2] if len(getattr(exc, "args", ())) > 2 else None)
    if isinstance(args, tuple) and len(args) > 2 and args[2]:
        return str(args[2])
    return reason_zh(exc)


def _require_windows() -> None:
    if sys.platform != "win32":
        raise InstallError(
            f"只能在装有 Excel 的 Windows 电脑上安装加载项（本机是 {sys.platform}）。"
            "可以用 taizhang addin build 生成加载项文件，或用 taizhang addin bundle 生成离线安装包，再到 Windows 上安装。")


def install(interpreter: str | None = None, *, excel: Callable | None = None, folder: Path | None = None,
            conf: Path | None = None) -> Report:
    """Install (or reinstall) the add-in; ``excel`` and the paths are for tests."""
    if excel is None:
        _require_windows()
    target = (folder or addins_folder()) / XLAM_NAME
    report = Report(target, conf or user_conf_path())
    settings = installed_settings(interpreter)
    if not Path(settings["INTERPRETER_WIN"]).exists():
        raise InstallError(f"找不到 Python：{settings['INTERPRETER_WIN']}。请用 --interpreter 指定 python.exe 的完整路径。")
    _step(report, "写入本机设置", lambda: write_user_conf(settings, report.conf),
          f"请确认可以写入 {report.conf.parent}。")
    with _excel_session(report, excel, "请确认本机已安装 Excel 并能正常打开；如 Excel 有对话框未关闭，请先关闭后重试。") as app:
        def unload_old() -> None:
            existing = _find_addin(app, target)
            if existing is not None and existing.Installed:
                existing.Installed = False  # Excel releases the file

        _step(report, "卸下旧版本", lambda: _with_a_book(app, unload_old),
              "请关闭 Excel 后重新运行安装。")

        def copy() -> None:
            target.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryDirectory() as tmp:
                fresh = build_xlam(Path(tmp) / XLAM_NAME)
                staged = target.with_name(target.name + ".new")
                shutil.copyfile(fresh, staged)
                os.replace(staged, target)

        _step(report, "复制加载项文件", copy,
              f"请确认 {target.parent} 可写；如 Excel 仍占用旧文件，请关闭所有 Excel 窗口后重试。")

        def register() -> None:
            item = _find_addin(app, target) or app.api.AddIns.Add(str(target), False)
            item.Installed = True

        _step(report, "在 Excel 中启用加载项", lambda: _with_a_book(app, register),
              "请在 Excel 中打开 文件 → 选项 → 加载项 → 管理 Excel 加载项 → 转到，勾选“taizhang”。")
    return report


@contextmanager
def _excel_session(report: Report, excel: Callable | None, advice: str):
    """Excel for the steps inside (the running instance, or a hidden one started for them and
    quit afterwards: the add-in's state is already settled then, so a failed quit is only logged)."""
    app, started = _step(report, "连接 Excel", lambda: _excel(excel), advice)
    try:
        yield app
    finally:
        if started:
            try:
                app.quit()
            except Exception:  # noqa: BLE001 - a hidden Excel left over is harmless
                get_logger("install").exception("could not quit the Excel started for these steps")


def uninstall(*, excel: Callable | None = None, folder: Path | None = None, conf: Path | None = None) -> Report:
    """Remove the add-in from Excel, its file and this PC's settings; safe to run twice."""
    if excel is None:
        _require_windows()
    target = (folder or addins_folder()) / XLAM_NAME
    report = Report(target, conf or user_conf_path())
    with _excel_session(report, excel, "请确认本机已安装 Excel 并能正常打开。") as app:
        def disable() -> None:
            item = _find_addin(app, target)
            if item is not None:
                item.Installed = False

        _step(report, "在 Excel 中停用加载项", lambda: _with_a_book(app, disable),
              "请在 Excel 的“加载项”对话框中取消勾选“taizhang”。")
    _step(report, "删除加载项文件", lambda: target.unlink(missing_ok=True),
          f"请关闭所有 Excel 窗口后重试，或手动删除 {target}。")
    _step(report, "删除本机设置", lambda: report.conf.unlink(missing_ok=True),
          f"请手动删除 {report.conf}。")
    return report
