"""Build the add-in: the generated ribbon XML, VBA module and xlwings settings, and the
``.xlam`` package made from xlwings' own ribbon add-in template (BSD licence).

Everything here runs on any system; only importing the VBA module into the package and
registering it with Excel need Excel (``addin.install``).
"""

from __future__ import annotations

import re
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from addin.ribbon import ribbon_xml
from addin.vba import MODULE_NAME, vba_module

#: The template's project name: its VBA reads settings from the sheet "<project>.conf".
PROJECT_NAME = "myaddin"
CONF_SHEET = f"{PROJECT_NAME}.conf"
XLAM_NAME = "taizhang.xlam"
UDF_MODULES = "udfs.functions"


def template_path() -> Path:
    """xlwings' ribbon add-in template, shipped inside the xlwings package."""
    import xlwings

    return Path(xlwings.__file__).parent / "quickstart_addin_ribbon.xlam"


def default_settings(interpreter: str | None = None) -> dict[str, str]:
    """The xlwings settings of the add-in: which Python runs, which modules hold the UDFs."""
    python = interpreter or sys.executable
    # pythonw.exe runs without a console window flashing up at every button
    pythonw = python[: -len("python.exe")] + "pythonw.exe" if python.lower().endswith("python.exe") else python
    project = Path(__file__).resolve().parent.parent
    return {
        "INTERPRETER_WIN": pythonw,
        "UDF MODULES": UDF_MODULES,
        "PYTHONPATH": str(project),
        "SHOW CONSOLE": "False",
    }


def conf_text(settings: dict[str, str]) -> str:
    """The settings in xlwings' config-file format (``"KEY","VALUE"`` per line)."""
    return "".join(f'"{k}","{v}"\n' for k, v in settings.items())


def _conf_sheet_data(settings: dict[str, str]) -> str:
    rows = []
    for r, (key, value) in enumerate(settings.items(), start=1):
        rows.append(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>{escape(key)}</t></is></c>'
                    f'<c r="B{r}" t="inlineStr"><is><t>{escape(value)}</t></is></c></row>')
    return "<sheetData>" + "".join(rows) + "</sheetData>"


def build_xlam(out: Path, settings: dict[str, str], template: Path | None = None) -> Path:
    """The add-in package: the template with our ribbon and our settings sheet.

    The VBA dispatcher is not in it yet: a vbaProject.bin can only be changed by Excel, so
    ``addin.install`` imports ``TaizhangRibbon.bas`` through COM.
    """
    template = template or template_path()
    with zipfile.ZipFile(template) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "customUI/customUI.xml":
                data = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + ribbon_xml()).encode()
            elif item.filename == "xl/workbook.xml":
                data = data.replace(f'name="_{CONF_SHEET}"'.encode(), f'name="{CONF_SHEET}"'.encode())
            elif item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode("utf-8")
                text = re.sub(r"<sheetData>.*</sheetData>", lambda _m: _conf_sheet_data(settings), text, flags=re.S)
                text = re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="A1:B{len(settings)}"/>', text)
                data = text.encode("utf-8")
            zout.writestr(item, data)
    return out


def build(out_dir: Path, interpreter: str | None = None) -> dict[str, Path]:
    """Write the ribbon XML, the VBA module, the settings and the add-in package to ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    settings = default_settings(interpreter)
    files = {
        "ribbon": out_dir / "customUI.xml",
        "vba": out_dir / f"{MODULE_NAME}.bas",
        "settings": out_dir / f"{PROJECT_NAME}.conf",
        "xlam": out_dir / XLAM_NAME,
    }
    files["ribbon"].write_text(ribbon_xml(), encoding="utf-8")
    files["vba"].write_bytes(vba_module().encode("ascii"))
    files["settings"].write_text(conf_text(settings), encoding="utf-8")
    build_xlam(files["xlam"], settings)
    return files
