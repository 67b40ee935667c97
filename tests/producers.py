"""Workbooks in the shape WPS Office and Apple Numbers save them, written byte by byte here.

Neither program runs on this machine, so these builders reproduce what real files saved by
them contain.  The conventions were read off real files (public test files of SheetJS:
``wps/*.xlsx``, ``wps/*.et``, ``artifacts/wps/write.*`` saved by WPS Spreadsheets 10-11;
``minimal_112.xlsx``, ``Attendance.xlsx`` exported by Numbers 11-12), and every one of those
real files was read by taizhang on the day these builders were written; nothing of theirs is
copied here.

WPS 表格 (.xlsx)
    directory entries in the zip and its fixed 2012-07-02 timestamps; ``standalone="yes"``;
    ``docProps/custom.xml`` with ``KSOProductBuildVer``; ``<Application>WPS 表格``; the
    ``etc`` namespace (``http://www.wps.cn/officeDocument/2017/etCustomData``); ``spans`` on
    rows; ``t="str"`` formula results; rich-text runs with ``<rFont val="宋体"/><charset
    val="134"/>``; dates as serials under a custom ``yyyy"年"m"月"d"日"`` format; pictures
    placed in cells as ``_xlfn.DISPIMG("ID_…",1)`` formulas whose cached text is
    ``=DISPIMG(…)``, with ``xl/cellimages.xml`` and a WPS relationship type.
WPS 表格 (.et)
    WPS's own format is the BIFF8 container of an Excel 97-2003 ``.xls``: the real ``fn.et``
    and ``fn.xls`` differ only in 38 bytes of timestamps, so the tests write one with ``write_xls``.
Numbers (.xlsx export)
    no application name, empty core properties; each table becomes a sheet named
    "工作表 - 表格"; the sheet title is a drawing, so row 1 is an empty tall row and the
    table starts on row 2; ``<col … max="16384">``; cell attributes in the order ``r t s``;
    a custom format reusing a built-in id (``numFmtId="59" formatCode="m/d"``); ``t="b"``
    booleans; and, when a document has several tables, an "导出摘要" sheet first.
Numbers (.numbers)
    a zip of ``Index/*.iwa`` protobuf streams, or a zipped package folder holding
    ``Index.zip``; not a spreadsheet any reader of ours understands.
"""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

from taizhang.reading.book import column_letter as col

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
WPS_ETC = "http://www.wps.cn/officeDocument/2017/etCustomData"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

#: A 1x1 PNG, the picture placed in a cell.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360f8cf000000030101007a2b5b3c0000000049454e44ae426082")


def serial(d: date) -> int:
    """An Excel date serial (1900 system)."""
    return (d - date(1899, 12, 30)).days


class Strings:
    """A shared-string table; a run list makes a rich-text string."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, text: str, runs: list[str] | None = None) -> int:
        if runs:
            body = "".join(f'<r><rPr><rFont val="宋体"/><charset val="134"/><sz val="11"/></rPr>'
                           f"<t>{escape(r)}</t></r>" for r in runs)
        else:
            body = f"<t>{escape(text)}</t>"
        self.items.append(f"<si>{body}</si>")
        return len(self.items) - 1

    def xml(self, **attrs: str) -> str:
        extra = "".join(f' {k}="{v}"' for k, v in attrs.items())
        return f'<sst xmlns="{MAIN}"{extra}>{"".join(self.items)}</sst>'


# --- WPS 表格 --------------------------------------------------------------------------------

#: The rectification ledger both builders write (as the unit typed it).  Cell kinds:
#: ("s", text) shared string, ("rich", [runs]), ("d", date), ("n", number),
#: ("str", formula, cached text), ("img", picture id), None for blank.
WPS_TITLE = "县第三中学整改台账（2026年10月）"
WPS_HEADER = ["序号", "问题来源", "问题描述", "责任单位", "责任人", "整改措施", "发现日期", "整改时限",
              "整改状态", "完成时间", "佐证材料"]
WPS_ROWS = [
    [("n", 1), ("s", "巡察反馈"), ("s", "食堂账目不清"), ("s", "县第三中学"), ("s", "张某"), ("s", "建立食堂台账"),
     ("d", date(2026, 10, 8)), ("d", date(2026, 10, 31)), ("rich", ["已", "完成"]), ("d", date(2026, 10, 20)),
     ("img", "ID_6F1A2B3C4D5E4F60A1B2C3D4E5F60718")],
    [("n", 2), ("s", "专项检查"), ("s", "违规订购教辅"), ("s", "县第三中学"), ("s", "李某"), ("s", "全部退订"),
     ("d", date(2026, 10, 12)), ("s", "2026-11-30"),
     ("str", 'IF(J5="","整改中","已完成")', "整改中"), None, None],
    [("n", 3), ("s", "自查"), ("s", "校服收费未公示"), ("s", "县第三中学"), ("s", "王某"), ("s", "公示收费标准"),
     ("d", date(2026, 10, 15)), ("s", "立行立改"), ("s", "已完成"), ("d", date(2026, 10, 16)),
     ("img", "ID_0A1B2C3D4E5F40718293A4B5C6D7E8F9")],
]


def _wps_cell(ref: str, cell, sst: Strings) -> str:
    kind = cell[0]
    if kind == "s":
        return f'<c r="{ref}" s="2" t="s"><v>{sst.add(cell[1])}</v></c>'
    if kind == "rich":
        return f'<c r="{ref}" s="2" t="s"><v>{sst.add("".join(cell[1]), cell[1])}</v></c>'
    if kind == "d":
        return f'<c r="{ref}" s="3"><v>{serial(cell[1])}</v></c>'
    if kind == "n":
        return f'<c r="{ref}" s="2"><v>{cell[1]}</v></c>'
    if kind == "str":
        return f'<c r="{ref}" s="2" t="str"><f>{escape(cell[1])}</f><v>{escape(cell[2])}</v></c>'
    if kind == "img":
        call = f'DISPIMG(&quot;{cell[1]}&quot;,1)'
        return f'<c r="{ref}" s="2" t="str"><f>_xlfn.{call}</f><v>={call}</v></c>'
    raise ValueError(kind)


def wps_xlsx(path: Path) -> Path:
    """The rectification ledger as WPS 表格 11 saves it (see the module's notes)."""
    sst = Strings()
    width = len(WPS_HEADER)
    rows = [f'<row r="1" ht="30" customHeight="1" spans="1:{width}">'
            f'<c r="A1" s="1" t="s"><v>{sst.add(WPS_TITLE)}</v></c></row>',
            f'<row r="2" spans="1:{width}"><c r="A2" t="s"><v>{sst.add("填报单位：县第三中学")}</v></c></row>',
            f'<row r="3" spans="1:{width}">' + "".join(
                f'<c r="{col(i)}3" s="2" t="s"><v>{sst.add(h)}</v></c>' for i, h in enumerate(WPS_HEADER)) + "</row>"]
    for r, cells in enumerate(WPS_ROWS, start=4):
        body = "".join(_wps_cell(f"{col(i)}{r}", c, sst) for i, c in enumerate(cells) if c is not None)
        rows.append(f'<row r="{r}" ht="56.25" customHeight="1" spans="1:{width}">{body}</row>')
    last = f"{col(width - 1)}{3 + len(WPS_ROWS)}"
    sheet = (
        f'{XML_HEAD}<worksheet xmlns="{MAIN}" xmlns:r="{REL}" '
        'xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
        'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main" '
        f'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" xmlns:etc="{WPS_ETC}">'
        f'<sheetPr/><dimension ref="A1:{last}"/><sheetViews><sheetView tabSelected="1" workbookViewId="0">'
        '<selection activeCell="K6" sqref="K6"/></sheetView></sheetViews>'
        '<sheetFormatPr defaultColWidth="9" defaultRowHeight="13.5"/>'
        '<cols><col min="3" max="3" width="24.6272727272727" customWidth="1"/>'
        '<col min="11" max="11" width="13.6363636363636" customWidth="1"/></cols>'
        f'<sheetData>{"".join(rows)}</sheetData>'
        f'<mergeCells count="1"><mergeCell ref="A1:{col(width - 1)}1"/></mergeCells>'
        '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>'
        '<headerFooter/></worksheet>')
    styles = (
        f'{XML_HEAD}<styleSheet xmlns="{MAIN}" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
        '<numFmts count="1"><numFmt numFmtId="176" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>'
        '</numFmts><fonts count="2"><font><sz val="11"/><color theme="1"/><name val="宋体"/><charset val="134"/>'
        '<scheme val="minor"/></font><font><b/><sz val="16"/><name val="宋体"/><charset val="134"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>'
        '</fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"><alignment vertical="center"/>'
        '</xf></cellStyleXfs><cellXfs count="4">'
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"><alignment vertical="center"/></xf>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"><alignment horizontal="center"/></xf>'
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1"><alignment wrapText="1"/></xf>'
        '<xf numFmtId="176" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '</cellXfs><cellStyles count="1"><cellStyle name="常规" xfId="0" builtinId="0"/></cellStyles>'
        '</styleSheet>')
    images = "".join(
        f'<etc:cellImage><xdr:pic><xdr:nvPicPr><xdr:cNvPr id="{n + 2}" name="{c[1]}" descr="佐证照片"/>'
        f'<xdr:cNvPicPr/></xdr:nvPicPr><xdr:blipFill><a:blip r:embed="rId{n + 1}"/><a:stretch><a:fillRect/>'
        '</a:stretch></xdr:blipFill><xdr:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="952500" cy="952500"/>'
        '</a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></xdr:spPr></xdr:pic></etc:cellImage>'
        for n, c in enumerate(c for row in WPS_ROWS for c in row if c and c[0] == "img"))
    n_images = images.count("<etc:cellImage>")
    parts = {
        "[Content_Types].xml": (
            f'{XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="png" ContentType="image/png"/>'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
            '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            '<Override PartName="/docProps/custom.xml" ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/>'
            '<Override PartName="/xl/cellimages.xml" ContentType="application/vnd.wps-officedocument.cellimage+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>"),
        "_rels/": None,
        "_rels/.rels": (
            f'{XML_HEAD}<Relationships xmlns="{PKG_REL}">'
            f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
            f'<Relationship Id="rId3" Type="{REL}/extended-properties" Target="docProps/app.xml"/>'
            f'<Relationship Id="rId4" Type="{REL}/custom-properties" Target="docProps/custom.xml"/>'
            "</Relationships>"),
        "docProps/": None,
        "docProps/app.xml": (
            f'{XML_HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
            'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
            "<Application>WPS 表格</Application><HeadingPairs><vt:vector size=\"2\" baseType=\"variant\">"
            "<vt:variant><vt:lpstr>工作表</vt:lpstr></vt:variant><vt:variant><vt:i4>1</vt:i4></vt:variant>"
            '</vt:vector></HeadingPairs><TitlesOfParts><vt:vector size="1" baseType="lpstr">'
            "<vt:lpstr>整改台账</vt:lpstr></vt:vector></TitlesOfParts></Properties>"),
        "docProps/core.xml": (
            f'{XML_HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            '<dc:creator>Administrator</dc:creator><cp:lastModifiedBy>WPS_1623456789</cp:lastModifiedBy>'
            '<dcterms:created xsi:type="dcterms:W3CDTF">2026-10-08T01:20:00Z</dcterms:created>'
            '<dcterms:modified xsi:type="dcterms:W3CDTF">2026-10-30T09:12:33Z</dcterms:modified></cp:coreProperties>'),
        "docProps/custom.xml": (
            f'{XML_HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
            'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
            '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="KSOProductBuildVer">'
            "<vt:lpwstr>2052-12.1.0.16729</vt:lpwstr></property>"
            '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="3" name="ICV">'
            "<vt:lpwstr>5A0C2B1E9D8F4E6AB1C2D3E4F5A6B7C8_13</vt:lpwstr></property></Properties>"),
        "xl/": None,
        "xl/_rels/": None,
        "xl/_rels/workbook.xml.rels": (
            f'{XML_HEAD}<Relationships xmlns="{PKG_REL}">'
            '<Relationship Id="rId5" Type="http://www.wps.cn/officeDocument/2020/cellImage" Target="cellimages.xml"/>'
            f'<Relationship Id="rId4" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
            f'<Relationship Id="rId3" Type="{REL}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>"),
        "xl/_rels/cellimages.xml.rels": (
            f'{XML_HEAD}<Relationships xmlns="{PKG_REL}">' + "".join(
                f'<Relationship Id="rId{n + 1}" Type="{REL}/image" Target="media/image{n + 1}.png"/>'
                for n in range(n_images)) + "</Relationships>"),
        "xl/cellimages.xml": (
            f'{XML_HEAD}<etc:cellImages xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
            f'xmlns:r="{REL}" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:etc="{WPS_ETC}">'
            f"{images}</etc:cellImages>"),
        "xl/media/": None,
        **{f"xl/media/image{n + 1}.png": PNG for n in range(n_images)},
        "xl/sharedStrings.xml": XML_HEAD + sst.xml(count=str(len(sst.items)), uniqueCount=str(len(sst.items))),
        "xl/styles.xml": styles,
        "xl/workbook.xml": (
            f'{XML_HEAD}<workbook xmlns="{MAIN}" xmlns:r="{REL}"><fileVersion appName="xl" lastEdited="3" '
            'lowestEdited="5" rupBuild="9302"/><workbookPr/><bookViews><workbookView windowWidth="28125" '
            'windowHeight="12540"/></bookViews><sheets><sheet name="整改台账" sheetId="1" r:id="rId1"/></sheets>'
            '<calcPr calcId="144525"/></workbook>'),
        "xl/worksheets/": None,
        "xl/worksheets/sheet1.xml": sheet,
    }
    stamp = (2012, 7, 2, 9, 52, 0)  # WPS writes this fixed time on every entry
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            info = zipfile.ZipInfo(name, stamp)
            info.compress_type = zipfile.ZIP_STORED if data is None else zipfile.ZIP_DEFLATED
            zf.writestr(info, b"" if data is None else data)
    return path


def wps_expected_rows() -> list[list]:
    """What a reader should see in the WPS ledger's data rows: the values, pictures as the marker."""
    from taizhang.reading.book import CELL_IMAGE

    def value(cell):
        if cell is None:
            return None
        kind = cell[0]
        return {"rich": lambda: "".join(cell[1]), "str": lambda: cell[2], "img": lambda: CELL_IMAGE}.get(
            kind, lambda: cell[1])()

    return [[value(c) for c in row] for row in WPS_ROWS]


# --- Numbers ---------------------------------------------------------------------------------

def numbers_xlsx(path: Path, tables: dict[str, list[list]]) -> Path:
    """An Excel export from Numbers: ``tables`` maps "工作表 - 表格" sheet names to rows
    (str, int/float, bool, date or None); see the module's notes."""
    sst = Strings()
    sheets_xml = []
    names = list(tables)
    if len(tables) > 1:
        rows = [["导出摘要"], [], ["表格名称", "工作表名称", "导出为工作表"]]
        rows += [[n.split(" - ")[-1], n.split(" - ")[0], n] for n in names]
        tables = {"导出摘要": rows, **tables}
    for name, rows in tables.items():
        # the sheet's title is a drawing: row 1 stays empty and tall, the table starts on row 2
        out = ['<row r="1" ht="78" customHeight="1"/>']
        for r, row in enumerate(rows, start=2):
            cells = []
            for c, v in enumerate(row):
                ref = f"{col(c)}{r}"
                if v is None or v == "":
                    continue
                if isinstance(v, bool):
                    cells.append(f'<c r="{ref}" t="b" s="4"><v>{int(v)}</v></c>')
                elif isinstance(v, date):
                    cells.append(f'<c r="{ref}" s="3"><v>{serial(v)}</v></c>')
                elif isinstance(v, (int, float)):
                    cells.append(f'<c r="{ref}" s="4"><v>{v}</v></c>')
                else:
                    cells.append(f'<c r="{ref}" t="s" s="2"><v>{sst.add(str(v))}</v></c>')
            out.append(f'<row r="{r}" ht="20.05" customHeight="1">{"".join(cells)}</row>')
        width = max((len(r) for r in rows), default=1)
        sheets_xml.append(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<worksheet xmlns:r="{REL}" xmlns="{MAIN}"><dimension ref="A2:{col(width - 1)}{len(rows) + 1}"/>'
            '<sheetViews><sheetView workbookViewId="0" showGridLines="0" defaultGridColor="1"/></sheetViews>'
            '<sheetFormatPr defaultColWidth="16.3333" defaultRowHeight="19.9" customHeight="1" outlineLevelRow="0" '
            f'outlineLevelCol="0"/><cols><col min="1" max="{width}" width="16.3516" style="1" customWidth="1"/>'
            f'<col min="{width + 1}" max="16384" width="16.3516" style="1" customWidth="1"/></cols>'
            f'<sheetData>{"".join(out)}</sheetData><pageMargins left="0.5" right="0.5" top="0.75" bottom="0.75" '
            'header="0.277778" footer="0.277778"/><pageSetup firstPageNumber="1" fitToHeight="1" fitToWidth="1" '
            'scale="72" useFirstPageNumber="0" orientation="portrait" pageOrder="downThenOver"/></worksheet>')
    all_names = list(tables)
    head = '<?xml version="1.0" encoding="UTF-8"?>\n'
    parts = {
        "_rels/.rels": (
            f'{head}<Relationships xmlns="{PKG_REL}">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
            f'<Relationship Id="rId2" Type="{REL}/extended-properties" Target="docProps/app.xml"/>'
            f'<Relationship Id="rId3" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "docProps/core.xml": (
            f'{head}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>'),
        "docProps/app.xml": (
            f'{head}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
            'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"/>'),
        "xl/workbook.xml": (
            f'{head}<workbook xmlns:r="{REL}" xmlns="{MAIN}"><bookViews><workbookView xWindow="0" yWindow="40" '
            'windowWidth="15960" windowHeight="18080"/></bookViews><sheets>' + "".join(
                f'<sheet name="{escape(n)}" sheetId="{i + 1}" r:id="rId{i + 4}"/>' for i, n in enumerate(all_names))
            + "</sheets></workbook>"),
        "xl/_rels/workbook.xml.rels": (
            f'{head}<Relationships xmlns="{PKG_REL}">'
            f'<Relationship Id="rId1" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
            f'<Relationship Id="rId2" Type="{REL}/styles" Target="styles.xml"/>' + "".join(
                f'<Relationship Id="rId{i + 4}" Type="{REL}/worksheet" Target="worksheets/sheet{i + 1}.xml"/>'
                for i in range(len(all_names))) + "</Relationships>"),
        **{f"xl/worksheets/sheet{i + 1}.xml": x for i, x in enumerate(sheets_xml)},
        "xl/sharedStrings.xml": head + sst.xml(uniqueCount=str(len(sst.items))),
        "xl/styles.xml": (
            f'{head}<styleSheet xmlns="{MAIN}"><numFmts count="2"><numFmt numFmtId="0" formatCode="General"/>'
            '<numFmt numFmtId="59" formatCode="yyyy/m/d"/></numFmts><fonts count="1"><font><sz val="10"/>'
            '<color indexed="8"/><name val="PingFang SC"/></font></fonts><fills count="2"><fill>'
            '<patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" applyNumberFormat="0" applyFont="1" '
            'applyFill="0" applyBorder="0" applyAlignment="1" applyProtection="0"/></cellStyleXfs>'
            '<cellXfs count="5"><xf numFmtId="0" fontId="0" xfId="0"/><xf numFmtId="0" fontId="0" xfId="0"/>'
            '<xf numFmtId="0" fontId="0" xfId="0" applyAlignment="1"><alignment wrapText="1"/></xf>'
            '<xf numFmtId="59" fontId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="0" fontId="0" xfId="0"/>'
            '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            "</styleSheet>"),
        "[Content_Types].xml": (
            f'{head}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            + "".join(f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                      for i in range(len(all_names)))
            + '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            "</Types>"),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def numbers_document(path: Path) -> Path:
    """A ``.numbers`` document: IWA streams in a zip (the bytes are not a real protobuf)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in ("Index/Document.iwa", "Index/ViewState.iwa", "Index/CalculationEngine.iwa",
                     "Index/Tables/Tile.iwa", "Index/Tables/DataList.iwa", "Metadata/Properties.plist"):
            zf.writestr(name, b"\x00\x1b\x00\x00" + name.encode())
    return path


def numbers_package_zip(path: Path) -> Path:
    """A ``.numbers`` package folder zipped on its way (mail, browser): ``X.numbers/Index.zip``."""
    stem = path.name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"{stem}/Index.zip", b"PK\x05\x06" + b"\0" * 18)
        zf.writestr(f"{stem}/Metadata/Properties.plist", b"<plist/>")
        zf.writestr(f"{stem}/preview.jpg", b"\xff\xd8\xff")
    return path


def spreadsheetml_2003(path: Path) -> Path:
    """"XML 表格 2003" as WPS still offers it (the head of a real WPS-saved file)."""
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<?mso-application progid="Excel.Sheet"?>\n'
        '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
        'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="处分台账"><Table>'
        '<Row><Cell><Data ss:Type="String">姓名</Data></Cell></Row></Table></Worksheet></Workbook>', encoding="utf-8")
    return path


def single_file_web_page(path: Path) -> Path:
    """"单个文件网页" (.mht) as Excel and WPS save it; systems often name it .xls."""
    path.write_bytes(
        b'MIME-Version: 1.0\r\nX-Document-Type: Workbook\r\n'
        b'Content-Type: multipart/related; boundary="----=_NextPart_01DA1B2C.3D4E5F60"\r\n\r\n'
        b'------=_NextPart_01DA1B2C.3D4E5F60\r\nContent-Location: file:///C:/D0C1/sheet001.htm\r\n'
        b'Content-Type: text/html; charset="gb2312"\r\n\r\n<html><body><table><tr><td>\xd0\xd5\xc3\xfb</td></tr>'
        b'</table></body></html>\r\n')
    return path
