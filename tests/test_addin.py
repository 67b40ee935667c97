"""The add-in: one registry generates the ribbon XML and the VBA glue; the package the
installer would write is a valid Office package with the ribbon part and its relationship."""

from __future__ import annotations

import inspect
import zipfile
from xml.etree import ElementTree as ET

import python_calamine as pc
import pytest

from addin.actions import ACTIONS, REGISTRY, TAB_LABEL
from addin.build import CONF_SHEET, build, default_settings
from addin.ribbon import CUSTOMUI_NS, DISPATCHER, ribbon_xml
from addin.vba import vba_module
from macros import actions as macro_module
from taizhang.cli import main

NS = {"ui": CUSTOMUI_NS}


def test_ribbon_is_well_formed_customui_and_every_button_reaches_the_dispatcher():
    root = ET.fromstring(ribbon_xml())
    assert root.tag == f"{{{CUSTOMUI_NS}}}customUI"
    [tab] = root.findall("ui:ribbon/ui:tabs/ui:tab", NS)
    assert tab.get("label") == TAB_LABEL == "纪检台账"
    buttons = tab.findall("ui:group/ui:button", NS)
    assert [b.get("id") for b in buttons] == [a.id for a in REGISTRY]
    assert {b.get("onAction") for b in buttons} == {DISPATCHER}
    assert [b.get("label") for b in buttons] == ["检查台账", "汇总统计", "生成汇报", "月度合并", "设置"]
    assert all(b.get("imageMso") for b in buttons)
    ids = [e.get("id") for e in root.iter() if e.get("id")]
    assert len(ids) == len(set(ids))


def test_vba_is_ascii_and_defines_the_dispatcher_that_calls_python():
    text = vba_module()
    text.encode("ascii")
    module, procedure = DISPATCHER.split(".")
    assert f'Attribute VB_Name = "{module}"' in text
    assert f"Public Sub {procedure}(control As IRibbonControl)" in text
    assert "RunPython \"import macros.ribbon as r; r.dispatch('\" & control.Id & \"')\"" in text
    assert "\r\n" in text  # VBA modules are CRLF


def test_every_action_reaches_a_real_macro():
    for action in REGISTRY:
        assert action.id.isascii() and ACTIONS[action.id] is action
        assert getattr(macro_module, action.macro.__name__) is action.macro
        params = list(inspect.signature(action.macro).parameters)
        assert params[:2] == ["port", "config"]


def test_built_package_is_a_valid_office_package_with_the_ribbon(tmp_path):
    files = build(tmp_path, interpreter=r"C:\Python311\python.exe")
    xlam = files["xlam"]
    with zipfile.ZipFile(xlam) as z:
        assert z.testzip() is None
        names = set(z.namelist())
        assert {"[Content_Types].xml", "_rels/.rels", "customUI/customUI.xml", "xl/workbook.xml",
                "xl/vbaProject.bin"} <= names
        rels = ET.fromstring(z.read("_rels/.rels"))
        ui = [r for r in rels if r.get("Target") == "customUI/customUI.xml"]
        # the relationship type Office expects for a 2006/01 customUI part
        assert [r.get("Type") for r in ui] == ["http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"]
        types = ET.fromstring(z.read("[Content_Types].xml"))
        overrides = {o.get("PartName"): o.get("ContentType") for o in types}
        assert overrides["/xl/workbook.xml"] == "application/vnd.ms-excel.addin.macroEnabled.main+xml"
        ribbon = ET.fromstring(z.read("customUI/customUI.xml"))
        assert ET.tostring(ribbon) == ET.tostring(ET.fromstring(ribbon_xml()))
        workbook = z.read("xl/workbook.xml").decode()
        assert f'name="{CONF_SHEET}"' in workbook
    book = pc.CalamineWorkbook.from_path(str(xlam))
    conf = {r[0]: r[1] for r in book.get_sheet_by_name(CONF_SHEET).to_python()}
    assert conf == {"INTERPRETER_WIN": r"C:\Python311\pythonw.exe", "UDF MODULES": "udfs.functions",
                    "PYTHONPATH": default_settings()["PYTHONPATH"], "SHOW CONSOLE": "False"}
    assert files["vba"].read_bytes().decode("ascii") == vba_module()
    assert files["ribbon"].read_text(encoding="utf-8") == ribbon_xml()


def test_cli_build_and_install_elsewhere_than_windows(tmp_path, capsys):
    assert main(["addin", "build", "-o", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "xlam" in out and (tmp_path / "out" / "taizhang.xlam").exists()
    import sys

    if sys.platform != "win32":
        assert main(["addin", "install"]) == 2
        assert "只能在装有 Excel 的 Windows 电脑上安装" in capsys.readouterr().err
    else:  # pragma: no cover
        pytest.skip("installing touches this machine's Excel")
