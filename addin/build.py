"""Build the add-in ``taizhang.xlam`` on any system, complete: the ribbon (customUI), the VBA
project with the ribbon's module and a wrapper for every worksheet function, and the
settings sheet ``taizhang.conf``.  Made from xlwings' own ribbon add-in template (BSD
licence), renamed as xlwings' "Renaming your add-in" describes.

The package carries nothing of the machine that built it: the interpreter is written at
install time on the target PC (``addin.install``, into ``%USERPROFILE%\\.taizhang\\
taizhang.conf``, which xlwings' VBA reads after the settings sheet).  The build is
byte-for-byte reproducible: fixed entry times, sorted entries, a deterministic VBA project.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import defusedxml.ElementTree as ET

from addin.ribbon import CUSTOMUI_PAIRS, CUSTOMUI_PART, CUSTOMUI_RELATIONSHIP, ribbon_xml
from addin.vba import MODULE_NAME, PROJECT_NAME, XLAM_NAME, ribbon_module, template_path, udf_module_vba, \
    vba_project_bin
from addin.xlwings_udfs import UDF_MODULE

CONF_SHEET = f"{PROJECT_NAME}.conf"
#: The template's settings sheet (its leading "_" switches it off in xlwings).
TEMPLATE_CONF_SHEET = "_myaddin.conf"
#: A fixed time for every entry of the package (the ZIP format's earliest), for reproducible builds.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)

__all__ = ["CONF_SHEET", "XLAM_NAME", "build", "build_xlam", "default_settings", "conf_text", "template_path"]


def default_settings() -> dict[str, str]:
    """The settings sheet of the add-in: which module holds the worksheet functions, and that the
    buttons run in the same warm Python process as the functions.

    No interpreter and no PYTHONPATH here: those belong to the PC the add-in runs on and are
    written there at install (a key on this sheet would override the installed value)."""
    return {
        "UDF MODULES": UDF_MODULE,  # xlwings reads this key with a space
        "SHOW CONSOLE": "False",
        # RunPython (every ribbon button) runs in the COM server the worksheet functions keep
        # warm, instead of starting python.exe and importing taizhang on every click
        "USE UDF SERVER": "True",
    }


def conf_text(settings: dict[str, str]) -> str:
    """Settings in xlwings' config-file format (``"KEY","VALUE"`` per line, as VBA ``Write #``)."""
    return "".join(f'"{k}","{v}"\r\n' for k, v in settings.items())


def _conf_sheet_data(settings: dict[str, str]) -> str:
    rows = []
    for r, (key, value) in enumerate(settings.items(), start=1):
        rows.append(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>{escape(key)}</t></is></c>'
                    f'<c r="B{r}" t="inlineStr"><is><t>{escape(value)}</t></is></c></row>')
    return "<sheetData>" + "".join(rows) + "</sheetData>"


CORE_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    "<dc:title>纪检台账</dc:title><dc:creator>taizhang</dc:creator>"
    "<dc:description>纪检台账 Excel 加载项（taizhang）</dc:description></cp:coreProperties>"
)


def _workbook_xml(data: bytes) -> bytes:
    text = data.decode("utf-8")
    text = text.replace(f'name="{TEMPLATE_CONF_SHEET}"', f'name="{CONF_SHEET}"')
    # the template remembers the folder it was last saved in on its author's PC
    text = re.sub(r"<mc:AlternateContent[^>]*>.*?</mc:AlternateContent>", "", text, flags=re.S)
    return text.encode("utf-8")


def _sheet_xml(data: bytes, settings: dict[str, str]) -> bytes:
    text = data.decode("utf-8")
    text = re.sub(r"<sheetData>.*</sheetData>", lambda _m: _conf_sheet_data(settings), text, flags=re.S)
    text = re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="A1:B{len(settings)}"/>', text)
    return text.encode("utf-8")


PACKAGE_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"


def _package_rels(data: bytes) -> bytes:
    """The package's relationships with the ribbon's pointing at our part by its matching type.

    xlwings' template gives ``customUI/customUI.xml`` (2006/01 namespace) the 2007 type, a pair the
    specification does not allow; every other relationship is kept as the template has it."""
    root = ET.fromstring(data)
    others = [r for r in root if r.get("Type") not in CUSTOMUI_PAIRS]
    if len(others) == len(root):
        raise ValueError("xlwings' template has no ribbon relationship: is this the xlwings this add-in pins?")
    taken = {r.get("Id") for r in others}
    rid = next(f"rId{n}" for n in range(1, len(root) + 2) if f"rId{n}" not in taken)
    rels = [(r.get("Id"), r.get("Type"), r.get("Target")) for r in others]
    rels.append((rid, CUSTOMUI_RELATIONSHIP, CUSTOMUI_PART))
    body = "".join(f"<Relationship Id={quoteattr(i)} Type={quoteattr(t)} Target={quoteattr(target)}/>"
                   for i, t, target in sorted(rels))
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="{PACKAGE_RELS_NS}">{body}</Relationships>').encode("utf-8")


def package_parts(settings: dict[str, str] | None = None, template: Path | None = None) -> dict[str, bytes]:
    """Every part of the add-in package, by name."""
    settings = settings or default_settings()
    template = template or template_path()
    parts: dict[str, bytes] = {}
    with zipfile.ZipFile(template) as z:
        for name in z.namelist():
            parts[name] = z.read(name)
    parts[CUSTOMUI_PART] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + ribbon_xml()).encode("utf-8")
    parts["_rels/.rels"] = _package_rels(parts["_rels/.rels"])
    parts["xl/workbook.xml"] = _workbook_xml(parts["xl/workbook.xml"])
    parts["xl/worksheets/sheet1.xml"] = _sheet_xml(parts["xl/worksheets/sheet1.xml"], settings)
    parts["xl/vbaProject.bin"] = vba_project_bin(parts["xl/vbaProject.bin"])
    parts["docProps/core.xml"] = CORE_XML.encode("utf-8")
    return parts


def write_package(out: Path, parts: dict[str, bytes]) -> Path:
    """A zip with fixed times and attributes, entries sorted ([Content_Types].xml first)."""
    with zipfile.ZipFile(out, "w") as z:
        for name in sorted(parts):
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            z.writestr(info, parts[name], compresslevel=9)
    return out


def build_xlam(out: Path, settings: dict[str, str] | None = None, template: Path | None = None) -> Path:
    return write_package(out, package_parts(settings, template))


def build(out_dir: Path) -> dict[str, Path]:
    """Write the add-in and, for reading, its ribbon XML, VBA modules and settings to ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    settings = default_settings()
    files = {
        "xlam": out_dir / XLAM_NAME,
        "ribbon": out_dir / "customUI.xml",
        "vba": out_dir / f"{MODULE_NAME}.bas",
        "udfs": out_dir / "TaizhangUDFs.bas",
        "settings": out_dir / CONF_SHEET,
    }
    build_xlam(files["xlam"], settings)
    files["ribbon"].write_text(ribbon_xml(), encoding="utf-8")
    files["vba"].write_bytes(ribbon_module().encode("ascii"))
    files["udfs"].write_bytes(udf_module_vba().encode("ascii"))
    files["settings"].write_text(conf_text(settings), encoding="utf-8")
    return files
