"""The add-in as Excel and xlwings would read it: the built ``taizhang.xlam`` is opened, its VBA
project extracted with oletools' olevba (an independent MS-OVBA reader), and checked against
xlwings' own ``generate_vba_wrapper``, the ribbon's callbacks, the settings sheet, the names.
A second reader that is not Python (LibreOffice's VBA import) lists the same modules."""

from __future__ import annotations

import inspect
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import types
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import olefile
import pytest
import python_calamine as pc
from oletools.olevba import VBA_Parser, decompress_stream

from addin.actions import ACTIONS, REGISTRY, TAB_LABEL
from addin.build import CONF_SHEET, build, default_settings
from addin.ribbon import CUSTOMUI_NS, DISPATCHER, ribbon_xml
from addin.vba import FUNCTION_CATEGORY, PROJECT_NAME, ribbon_module, template_path, xlwings_vba_version
from addin.xlwings_udfs import UDF_MODULE, udf_module, worksheet_functions, wrapper_vba
from macros import actions as macro_module
from taizhang.cli import main

NS = {"ui": CUSTOMUI_NS}
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build(tmp_path_factory.mktemp("addin"))


@pytest.fixture(scope="module")
def vba(built):
    """Module name -> source, as olevba extracts them from the built add-in."""
    parser = VBA_Parser(str(built["xlam"]))
    try:
        return {name.rsplit(".", 1)[0]: code for _f, _s, name, code in parser.extract_macros()}
    finally:
        parser.close()


def _vba_part(xlam: Path) -> olefile.OleFileIO:
    with zipfile.ZipFile(xlam) as z:
        return olefile.OleFileIO(io.BytesIO(z.read("xl/vbaProject.bin")))


def _procedures(source: str) -> dict[str, str]:
    """Procedure name -> its declaration line."""
    found = re.finditer(r"^[ \t]*((?:Public |Private )?(?:Sub|Function) (\w+)\(.*\))[ \t]*\r?$", source, flags=re.M)
    return {m.group(2): m.group(1) for m in found}


def _dir_records(data: bytes) -> dict[int, list[bytes]]:
    """The records of a decompressed ``dir`` stream, by id ([MS-OVBA] 2.3.4.2)."""
    import struct

    records: dict[int, list[bytes]] = {}
    pos = 0
    while pos < len(data):
        rid, size = struct.unpack_from("<HI", data, pos)
        size = 6 if rid == 0x0009 else size  # PROJECTVERSION's size field is fixed at 4
        records.setdefault(rid, []).append(data[pos + 6:pos + 6 + size])
        pos += 6 + size
    return records


def _tztext(expr: str) -> str:
    """Evaluate the VBA string expressions the add-in writes (quoted ASCII, TzText("hex"))."""
    out = []
    for literal, codes in re.findall(r'"((?:[^"]|"")*)"(?<!TzText\(")|TzText\("([0-9A-F]*)"\)', expr):
        out.append(bytes.fromhex(codes).decode("utf-16-be") if codes else literal.replace('""', '"'))
    return "".join(out)


def _assigned(source: str, var: str) -> list[str]:
    """Every value the generated code assigns to ``var`` (``v = …`` then ``v = v & …`` lines)."""
    values: list[str] = []
    pattern = re.compile(rf"^\s*{re.escape(var)} = ({re.escape(var)} & )?(.*)$")
    for line in source.splitlines():
        m = pattern.match(line)
        if m:
            if m.group(1) and values:
                values[-1] += _tztext(m.group(2))
            else:
                values.append(_tztext(m.group(2)))
    return values


# --- the ribbon ---------------------------------------------------------------------------

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


def test_every_action_reaches_a_real_macro():
    for action in REGISTRY:
        assert action.id.isascii() and ACTIONS[action.id] is action
        assert getattr(macro_module, action.macro.__name__) is action.macro
        params = list(inspect.signature(action.macro).parameters)
        assert params[:2] == ["port", "config"]


def test_every_customui_callback_is_a_vba_sub_with_the_signature_office_requires(built, vba):
    with zipfile.ZipFile(built["xlam"]) as z:
        ui = ET.fromstring(z.read("customUI/customUI.xml"))
    callbacks = {e.get("onAction") for e in ui.iter() if e.get("onAction")}
    assert callbacks == {DISPATCHER}
    for callback in callbacks:
        module, procedure = callback.split(".")
        assert module in vba, f"module {module} is not in the built VBA project"
        declaration = _procedures(vba[module])[procedure]
        # Office calls a button's onAction as Sub X(control As IRibbonControl)
        assert re.fullmatch(rf"(Public )?Sub {procedure}\(control As IRibbonControl\)", declaration)
    # the dispatcher hands the button's id to Python; the id is an ASCII registry key
    assert "RunPython \"import macros.ribbon as r; r.dispatch('\" & control.Id & \"')\"" in vba["TaizhangRibbon"]


def test_the_ribbon_module_tells_the_user_in_chinese_when_python_is_missing(vba):
    messages = _assigned(vba["TaizhangRibbon"], "msg")
    assert any("找不到本加载项使用的 Python" in m and "安装.bat" in m for m in messages)
    # RunPython names ActiveWorkbook: with only the add-in open there is none
    assert "请先打开或新建一个工作簿，再点击“纪检台账”中的按钮。" in messages
    source = vba["TaizhangRibbon"]
    assert source.index("If ActiveWorkbook Is Nothing Then") < source.index("RunPython")
    assert _assigned(vba["TaizhangRibbon"], "tail") == ["请在命令行运行 taizhang addin doctor 检查安装。"]


def test_the_vba_project_references_the_office_library_that_declares_iribboncontrol(built):
    ole = _vba_part(built["xlam"])
    directory = bytes(decompress_stream(bytearray(ole.openstream("VBA/dir").read())))
    assert b"{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}" in directory  # Microsoft Office Object Library


def test_every_stream_of_the_built_project_is_compressed_chunks_only(built):
    """Excel drops a module held in a stored (flag 0) chunk; read every chunk header of the built
    project's ``dir`` and module streams (MODULEOFFSET 0: the source starts each module stream)."""
    import struct

    ole = _vba_part(built["xlam"])
    streams = [p for p in ole.listdir() if p[0] == "VBA" and p[1] != "_VBA_PROJECT"]
    assert len(streams) >= 7  # dir and the six modules
    for path in streams:
        data = ole.openstream(path).read()
        assert data[0] == 1, path
        pos = 1
        while pos < len(data):
            header = struct.unpack_from("<H", data, pos)[0]
            assert header >> 15 == 1, f"stored chunk in {'/'.join(path)} at byte {pos}"
            pos += (header & 0x0FFF) + 3
        assert pos == len(data), path
        if path[1] != "dir":  # a module's source ends in its last line, never in padding
            source = bytes(decompress_stream(bytearray(data)))
            assert b"\x00" not in source and source.endswith(b"\r\n"), path


# --- the worksheet functions --------------------------------------------------------------

def test_every_worksheet_function_has_exactly_the_wrapper_xlwings_generates(vba):
    module = udf_module()
    functions = worksheet_functions(module)
    plain = __import__("udfs.functions", fromlist=["x"])
    excel_names = [n for n in dir(plain) if n.isupper() and callable(getattr(plain, n))]
    assert sorted(f.__name__ for f in functions) == sorted(excel_names) and len(functions) >= 7
    source = vba["TaizhangUDFs"]
    declared = {name for name, line in _procedures(source).items() if line.startswith("Function ")}
    assert declared == {f.__name__ for f in functions}
    for f in functions:
        alone = types.SimpleNamespace(**{f.__name__: f})
        expected = wrapper_vba(UDF_MODULE, alone, "taizhang.xlam").replace("\n", "\r\n")
        assert expected in source, f.__name__
        # and independently of xlwings: the optional arguments are the Python defaults
        params = inspect.signature(f).parameters.values()
        sig = ", ".join(("Optional " if p.default is not inspect.Parameter.empty else "") + p.name for p in params)
        assert f"Function {f.__name__}({sig})\r\n" in source
        assert f'XLPy.CallUDF("{UDF_MODULE}", "{f.__name__}", Array(' in source
    assert '#Const App = "Microsoft Excel"' in source


def test_only_the_worksheet_functions_are_public_functions_of_our_standard_modules(vba):
    """Excel lists every public function of a standard module as a worksheet function: of ours,
    only the wrappers may be (xlwings' own module stays as xlwings ships it)."""
    workbook_functions = {f.__name__ for f in worksheet_functions(udf_module())}
    public = set()
    for module in ("TaizhangRibbon", "TaizhangUDFs"):
        source = vba[module]
        public |= set(re.findall(r"^[ \t]*(?:Public )?Function (\w+)\(", source, flags=re.M))
        # a private function is the module's own: each module that spells Chinese defines TzText
        assert re.search(r'TzText\("[0-9A-F]+"\)', source), module
        assert len(re.findall(r"^Private Function TzText\(codes As String\) As String\r?$", source, flags=re.M)) == 1
    assert public == workbook_functions
    assert "TzText" not in public


def test_the_dictionary_class_keeps_its_description(built):
    """MODULEDOCSTRING ([MS-OVBA] 2.3.4.2.3.2.3) of each module, as the template has it."""
    with zipfile.ZipFile(template_path()) as z:
        template = olefile.OleFileIO(io.BytesIO(z.read("xl/vbaProject.bin")))

    def docstrings(ole: olefile.OleFileIO) -> dict[str, tuple[bytes, str]]:
        records = _dir_records(bytes(decompress_stream(bytearray(ole.openstream("VBA/dir").read()))))
        names = [n.decode("cp1252") for n in records[0x0019]]
        return {n: (mbcs, uni.decode("utf-16-le")) for n, mbcs, uni in zip(names, records[0x001C], records[0x0048])}

    theirs, ours = docstrings(template), docstrings(_vba_part(built["xlam"]))
    assert theirs["Dictionary"][1].startswith("Drop-in replacement for Scripting.Dictionary")
    assert ours["Dictionary"] == theirs["Dictionary"]
    assert ours["TaizhangRibbon"] == (b"", "")


def test_the_function_wizard_gets_the_category_and_chinese_argument_descriptions(vba):
    thisworkbook = vba["ThisWorkbook"]
    assert re.search(r"Private Sub Workbook_Open\(\)\s+.*\s+On Error Resume Next\s+TaizhangUDFs\.TzRegisterFunctions",
                     thisworkbook)
    source = vba["TaizhangUDFs"]
    body = source[source.index("Sub TzRegisterFunctions()"):]
    assert _assigned(body, "cat") == [FUNCTION_CATEGORY] == ["纪检台账"]
    blocks = re.split(r"^\s*' (\w+)\r?$", body, flags=re.M)[1:]
    described = dict(zip(blocks[0::2], blocks[1::2]))
    for f in worksheet_functions(udf_module()):
        block = described[f.__name__]
        docs = [a["doc"] for a in f.__xlfunc__["args"]]
        assert [_assigned(block, f"a({i})")[0] for i in range(len(docs))] == docs
        assert all(re.search(r"[\u4e00-\u9fff]", d) for d in docs)  # Chinese, not xlwings' default
        assert _assigned(block, "d") == [f.__doc__.strip()]
        assert f'Macro:=book & "{f.__name__}", Description:=d, Category:=cat, ArgumentDescriptions:=a' in block


def test_vba_source_is_ascii_and_crlf(built):
    ole = _vba_part(built["xlam"])
    for path in ole.listdir(streams=True):
        if path[0] == "VBA" and path[1] not in ("dir", "_VBA_PROJECT"):
            text = bytes(decompress_stream(bytearray(ole.openstream(path).read())))
            text.decode("ascii")
            assert b"\n" not in text.replace(b"\r\n", b"")


# --- names and settings -------------------------------------------------------------------

def test_named_taizhang_everywhere(built, vba):
    xlam = built["xlam"]
    assert xlam.name == "taizhang.xlam"
    ole = _vba_part(xlam)
    project = ole.openstream("PROJECT").read().decode("cp1252")
    assert 'Name="taizhang"' in project.splitlines()
    directory = bytes(decompress_stream(bytearray(ole.openstream("VBA/dir").read())))
    assert _dir_records(directory)[0x0004] == [b"taizhang"]  # PROJECTNAME
    assert 'Public Const PROJECT_NAME As String = "taizhang"' in vba["xlwings"]
    assert "TaizhangRibbon" in vba and "RibbonMyAddin" not in vba
    with zipfile.ZipFile(xlam) as z:
        for name in z.namelist():
            data = z.read(name)
            if name == "xl/vbaProject.bin":
                continue
            assert b"myaddin" not in data.lower(), name
        workbook = z.read("xl/workbook.xml").decode()
        assert f'<sheet name="{CONF_SHEET}"' in workbook and CONF_SHEET == "taizhang.conf"
    for name, code in vba.items():
        assert "myaddin" not in code.lower(), name


def test_settings_sheet_has_xlwings_keys_and_nothing_of_the_build_machine(built):
    book = pc.CalamineWorkbook.from_path(str(built["xlam"]))
    assert book.sheet_names == ["taizhang.conf"]
    conf = {r[0]: r[1] for r in book.get_sheet_by_name(CONF_SHEET).to_python()}
    assert conf == {"UDF MODULES": "udfs.functions", "SHOW CONSOLE": "False", "USE UDF SERVER": "True"} \
        == default_settings()
    assert not {"INTERPRETER_WIN", "PYTHONPATH", "INTERPRETER"} & set(conf)


def test_the_buttons_run_in_the_warm_udf_server_as_xlwings_vba_reads_the_setting(built, vba):
    """The key is spelled as xlwings' own VBA (in the built add-in) reads it, and that VBA sends
    RunPython to the COM server (XLPy.Exec) when it is true, not to a new python.exe."""
    book = pc.CalamineWorkbook.from_path(str(built["xlam"]))
    conf = {str(r[0]).upper(): r[1] for r in book.get_sheet_by_name(CONF_SHEET).to_python()}
    source = vba["xlwings"]
    read = re.search(r'^\s*(\w+) = GetConfig\("([^"]+)", False\)\r?$', source, flags=re.M)
    assert read and read.group(2) in conf and conf[read.group(2)] == "True"
    flag = read.group(1)
    body = source[source.index(f"If {flag} = True Then"):]
    body = body[:body.index("Else")]
    assert 'XLPy.Exec "" & PythonCommand & ""' in body
    assert re.search(rf"^\s*Dim {flag} As Boolean", source, flags=re.M)  # "True" on the sheet is CBool'd


def test_no_path_of_any_machine_in_any_part(built):
    here = [str(ROOT), str(Path.home()), sys.prefix, os.getcwd(), str(built["xlam"].parent)]
    # a user's folder on any system (xlwings' comments say "/Users/<User>", which is no one's)
    foreign = re.compile(rb"[A-Za-z]:\\\\?Users\\\\?[\w.]|/home/\w|/Users/\w|felix|AppData", re.I)
    with zipfile.ZipFile(built["xlam"]) as z:
        blobs = {name: z.read(name) for name in z.namelist()}
    ole = olefile.OleFileIO(io.BytesIO(blobs.pop("xl/vbaProject.bin")))
    for path in ole.listdir(streams=True):
        raw = ole.openstream(path).read()
        blobs["/".join(path)] = raw
        if path[0] == "VBA" and path[1] != "_VBA_PROJECT":
            blobs["/".join(path) + " (decompressed)"] = bytes(decompress_stream(bytearray(raw)))
    for name, data in blobs.items():
        assert not foreign.search(data), (name, foreign.search(data))
        for p in here:
            assert p.encode() not in data, (name, p)


@pytest.mark.slow
def test_the_build_is_reproducible_byte_for_byte(tmp_path, built):
    env = {**os.environ, "TZ": "Pacific/Auckland", "SOURCE_DATE_EPOCH": "1700000000"}
    out = tmp_path / "again"
    subprocess.run([sys.executable, "-m", "taizhang", "addin", "build", "-o", str(out)],
                   cwd=tmp_path, env=env, check=True, capture_output=True)
    assert (out / "taizhang.xlam").read_bytes() == built["xlam"].read_bytes()
    with zipfile.ZipFile(built["xlam"]) as z:
        assert z.namelist() == sorted(z.namelist()) and z.namelist()[0] == "[Content_Types].xml"
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_xlwings_is_pinned_to_the_version_whose_dll_names_the_add_in_carries(vba):
    import xlwings

    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    [pin] = [d for d in deps if d.replace(" ", "").startswith("xlwings")]
    pinned = re.match(r"xlwings\s*==\s*([\w.]+)", pin)
    assert pinned, f"xlwings must be pinned exactly: {pin}"
    carried = xlwings_vba_version(vba["xlwings"])
    assert pinned.group(1) == carried == xlwings.__version__
    assert f'"xlwings64-{carried}.dll"' in vba["xlwings"] and f'"xlwings32-{carried}.dll"' in vba["xlwings"]


def test_built_package_is_a_valid_office_package_with_the_ribbon(built):
    with zipfile.ZipFile(built["xlam"]) as z:
        assert z.testzip() is None
        names = set(z.namelist())
        assert {"[Content_Types].xml", "_rels/.rels", "customUI/customUI.xml", "xl/workbook.xml",
                "xl/vbaProject.bin"} <= names
        rels = ET.fromstring(z.read("_rels/.rels"))
        ui = [r for r in rels if r.get("Target") == "customUI/customUI.xml"]
        assert [r.get("Type") for r in ui] == ["http://schemas.microsoft.com/office/2006/relationships/ui/extensibility"]
        types_ = ET.fromstring(z.read("[Content_Types].xml"))
        overrides = {o.get("PartName"): o.get("ContentType") for o in types_}
        assert overrides["/xl/workbook.xml"] == "application/vnd.ms-excel.addin.macroEnabled.main+xml"
        assert overrides["/xl/vbaProject.bin"] == "application/vnd.ms-office.vbaProject"
        ribbon = ET.fromstring(z.read("customUI/customUI.xml"))
        assert ET.tostring(ribbon) == ET.tostring(ET.fromstring(ribbon_xml()))
    assert built["vba"].read_bytes().decode("ascii") == ribbon_module()
    assert built["ribbon"].read_text(encoding="utf-8") == ribbon_xml()


#: The pairs [MS-OI29500] and [MS-CUSTOMUI] allow, written out here from the specifications (not
#: taken from addin.ribbon): relationship type -> (part name, root namespace).
SPEC_PAIRS = {
    "http://schemas.microsoft.com/office/2006/relationships/ui/extensibility":
        ("customUI/customUI.xml", "http://schemas.microsoft.com/office/2006/01/customui"),
    "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility":
        ("customUI/customUI14.xml", "http://schemas.microsoft.com/office/2009/07/customui"),
}
SUBSET_XSD = Path(__file__).parent / "schemas" / "customui-2006-subset.xsd"


def test_the_ribbon_relationship_and_its_part_belong_together(built):
    with zipfile.ZipFile(built["xlam"]) as z:
        rels = ET.fromstring(z.read("_rels/.rels"))
        ui = [r for r in rels if "ui/extensibility" in (r.get("Type") or "")]
        assert len(ui) == 1, "exactly one ribbon part"
        rel_type, target = ui[0].get("Type"), ui[0].get("Target")
        assert rel_type in SPEC_PAIRS
        part, namespace = SPEC_PAIRS[rel_type]
        assert target == part
        root = ET.fromstring(z.read(target))
        assert root.tag == f"{{{namespace}}}customUI"
        # every relationship id is unique and every target is in the package
        assert len({r.get("Id") for r in rels}) == len(rels)
        assert {r.get("Target") for r in rels} <= set(z.namelist())


def test_the_ribbon_part_is_valid_against_the_schema_of_its_namespace(built):
    from lxml import etree

    schema = etree.XMLSchema(etree.parse(str(SUBSET_XSD)))
    with zipfile.ZipFile(built["xlam"]) as z:
        part = etree.fromstring(z.read("customUI/customUI.xml"))
    assert part.nsmap[None] == "http://schemas.microsoft.com/office/2006/01/customui"
    assert schema.validate(part), schema.error_log
    # the schema is a real check: a size the specification does not know, or an empty label, fails
    button = part.find(".//{*}button")
    for attribute, value in (("size", "huge"), ("label", ""), ("onClick", "x")):
        mutated = etree.fromstring(etree.tostring(part))
        mutated.find(".//{*}button").set(attribute, value)
        assert not schema.validate(mutated), (attribute, value)
    assert button is not None


# --- a reader that is not Python: LibreOffice ---------------------------------------------

def _libreoffice_modules(xlam: Path, tmp: Path) -> dict:
    """Open a copy whose workbook part has the .xlsm content type (LibreOffice opens no .xlam)."""
    tmp.mkdir(parents=True, exist_ok=True)
    copy = tmp / (xlam.stem + ".xlsm")
    with zipfile.ZipFile(xlam) as zin, zipfile.ZipFile(copy, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"application/vnd.ms-excel.addin.macroEnabled.main+xml",
                                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
            zout.writestr(item, data)
    done = subprocess.run(["/usr/bin/python3", str(Path(__file__).parent / "lo_basic_modules.py"), str(copy),
                           str(tmp / "lo-profile")], capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _have_libreoffice() -> str | None:
    if not shutil.which("soffice"):
        return "soffice is not installed"
    if not Path("/usr/bin/python3").exists() or subprocess.run(
            ["/usr/bin/python3", "-c", "import uno"], capture_output=True).returncode:
        return "python3-uno is not installed for /usr/bin/python3"
    return None


@pytest.mark.slow
@pytest.mark.render
@pytest.mark.skipif(_have_libreoffice() is not None, reason=f"LibreOffice check skipped: {_have_libreoffice()}")
def test_libreoffice_imports_the_wrapper_and_ribbon_modules_as_it_does_an_excel_written_one(built, tmp_path):
    # the control: xlwings' template, a project Excel wrote
    excel_written = _libreoffice_modules(template_path(), tmp_path / "template")
    assert "RunMain" in _procedures(excel_written["libraries"]["MyAddin"]["RibbonMyAddin"])

    ours = _libreoffice_modules(built["xlam"], tmp_path / "ours")
    assert ours["filter"] == "Calc MS Excel 2007 VBA XML" and ours["vba_compat"] is True
    assert ours["sheets"] == ["taizhang.conf"]
    library = ours["libraries"][PROJECT_NAME]
    assert {"TaizhangRibbon", "TaizhangUDFs", "xlwings", "ThisWorkbook", "Dictionary"} <= set(library)
    assert _procedures(library["TaizhangRibbon"])["OnAction"].endswith("OnAction(control As IRibbonControl)")
    functions = {name for name, line in _procedures(library["TaizhangUDFs"]).items() if line.startswith("Function")}
    assert functions == {f.__name__ for f in worksheet_functions(udf_module())}
    assert "RunPython" in _procedures(library["xlwings"])


# --- the command line ---------------------------------------------------------------------

def test_cli_build_and_install_elsewhere_than_windows(tmp_path, capsys):
    assert main(["addin", "build", "-o", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "xlam" in out and (tmp_path / "out" / "taizhang.xlam").exists()
    if sys.platform != "win32":
        assert main(["addin", "install"]) == 2
        assert "只能在装有 Excel 的 Windows 电脑上安装" in capsys.readouterr().err
    else:  # pragma: no cover
        pytest.skip("installing touches this machine's Excel")
