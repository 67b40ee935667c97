"""Install the add-in into Excel (Windows): build the package, import the VBA dispatcher
through Excel's COM, and register it as an add-in.

Importing VBA needs the same permission as xlwings' "Import Functions": Excel → 文件 →
选项 → 信任中心 → 信任中心设置 → 宏设置 → 勾选“信任对 VBA 工程对象模型的访问”.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from addin.build import XLAM_NAME, build


class InstallError(Exception):
    """The add-in cannot be installed here; the message says why and what to do."""


def addins_folder() -> Path:
    """Excel's per-user add-ins folder (``%APPDATA%\\Microsoft\\AddIns``)."""
    return Path(os.environ.get("APPDATA", Path.home())) / "Microsoft" / "AddIns"


def install(interpreter: str | None = None) -> Path:
    if sys.platform != "win32":
        raise InstallError(
            f"只能在装有 Excel 的 Windows 电脑上安装加载项（本机是 {sys.platform}）。"
            "可以用 taizhang addin build 生成功能区 XML、VBA 模块和加载项文件，再到 Windows 上安装。")
    import xlwings as xw  # pragma: no cover - Windows with Excel only

    target = addins_folder() / XLAM_NAME  # pragma: no cover
    with tempfile.TemporaryDirectory() as tmp:  # pragma: no cover
        files = build(Path(tmp), interpreter)
        app = xw.App(visible=False, add_book=False)
        try:
            book = app.books.open(str(files["xlam"]))
            try:
                book.api.VBProject.VBComponents.Import(str(files["vba"]))
            except Exception as exc:
                raise InstallError(
                    "Excel 不允许导入 VBA 模块。请在 Excel 中依次点击 文件 → 选项 → 信任中心 → 信任中心设置 → "
                    "宏设置，勾选“信任对 VBA 工程对象模型的访问”，然后重新运行 taizhang addin install。"
                    f"（{exc}）") from None
            target.parent.mkdir(parents=True, exist_ok=True)
            book.save(str(target))
            book.close()
            addin = app.api.AddIns.Add(str(target))
            addin.Installed = True
        finally:
            app.quit()
    return target  # pragma: no cover
