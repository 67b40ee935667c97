"""A corpus of broken and hostile workbooks, made here (nothing downloaded), with the exact
outcome taizhang must give for each.

    python tests/hostile_corpus.py OUT_DIR     # write the corpus to look at it

``tests/test_hostile.py`` builds it in a temporary folder and asserts every outcome.
"""

from __future__ import annotations

import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fixtures import Text, write_ods, write_xls, write_xlsx  # noqa: E402
from producers import numbers_document, wps_xlsx  # noqa: E402

LEDGER = [["姓名", "问题类型", "处理方式"], ["甲", "违规收费", "诫勉"]]


@dataclass
class Case:
    """One hostile input and what taizhang check must say of it."""

    name: str
    make: Callable[[Path], Path]
    refusal: str | None = None  # the refusal code, when the file is refused
    findings: list[tuple[str, str | None]] = field(default_factory=list)  # (code, sheet) otherwise
    rows: int | None = None  # ledger rows read, when it is read
    why: str = ""


def patch_part(path: Path, part: str, transform: Callable[[bytes], bytes], out: Path) -> Path:
    """Rewrite one part of an xlsx package, the way a hostile tool could."""
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            zout.writestr(item, transform(data) if item.filename == part else data)
    return out


def _ledger(folder: Path, name: str = "base.xlsx", sheets: dict | None = None) -> Path:
    return write_xlsx(folder / f".{name}", sheets or {"处分台账": LEDGER})


def _bytes(data: bytes) -> Callable[[Path], Path]:
    def make(p: Path) -> Path:
        p.write_bytes(data)
        return p
    return make


def _truncated(p: Path) -> Path:
    whole = _ledger(p.parent).read_bytes()
    p.write_bytes(whole[: len(whole) // 2])
    return p


def _encrypted(p: Path) -> Path:
    from msoffcrypto.format.ooxml import OOXMLFile

    with _ledger(p.parent).open("rb") as src, p.open("wb") as out:
        OOXMLFile(src).encrypt("123456", out)
    return p


def _word(p: Path) -> Path:
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return p


def _zip_bomb(p: Path) -> Path:
    """1.1 GB of zeros in one part, about a megabyte on disk."""
    base = _ledger(p.parent)
    with zipfile.ZipFile(base) as zin, zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item, zin.read(item.filename))
        with zout.open("xl/media/padding.bin", "w", force_zip64=True) as fh:
            chunk = bytes(16 * 1024 * 1024)
            for _ in range(70):
                fh.write(chunk)
    return p


def _far_cell(p: Path) -> Path:
    base = _ledger(p.parent, sheets={"处分台账": LEDGER, "巨表": [["x"]]})
    far = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
    return patch_part(base, "xl/worksheets/sheet2.xml", lambda d: d.replace(b"</sheetData>", far), p)


def _ods_repeats(rows: int) -> Callable[[Path], Path]:
    """An .ods of a few kilobytes whose first row repeats a valued cell ``rows`` x 1,000 times."""
    def make(p: Path) -> Path:
        base = write_ods(p.parent / f".{p.stem}.ods", {"处分台账": LEDGER, "巨表": [["x"], ["y"]]})

        def bomb(d: bytes) -> bytes:
            table = d.index(b'table:name="\xe5\xb7\xa8\xe8\xa1\xa8"')  # 巨表
            row = d.index(b"<table:table-row", table)
            cell = b'<table:table-cell table:number-columns-repeated="1000" office:value-type="float" office:value="1"/>'
            start = d.index(b">", row) + 1
            return (d[:row] + f'<table:table-row table:number-rows-repeated="{rows}">'.encode() + cell
                    + d[start:])
        return patch_part(base, "content.xml", bomb, p)
    return make


def _sparse_xls(p: Path) -> Path:
    """A 5 KB .xls with one cell at row 65,536, column 256: a gigabyte as a dense grid."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("处分台账")
    for r, row in enumerate(LEDGER):
        for c, value in enumerate(row):
            ws.write(r, c, value)
    ws.write(65535, 255, 1)
    book.save(str(p))
    return p


def _excel95(p: Path) -> Path:
    from biff5 import write_biff5

    rows = [["处分台账"], ["姓名", "问题类型", "处理方式", "处理日期"],
            ["张某", "违规收费", "诫勉", "2026-10-08"], ["李某", "乱招生", "警告", "2026年10月9日"]]
    return write_biff5(p, {"处分台账": rows})


def _wide(p: Path) -> Path:
    wide = b'<row r="5"><c r="XFD5"><v>1</v></c></row></sheetData>'
    return patch_part(_ledger(p.parent), "xl/worksheets/sheet1.xml", lambda d: d.replace(b"</sheetData>", wide), p)


def _entities(p: Path) -> Path:
    lol = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
           b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>')
    return patch_part(_ledger(p.parent), "xl/workbook.xml", lambda d: lol + d, p)


def _external_entity(p: Path) -> Path:
    xxe = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    return patch_part(_ledger(p.parent), "xl/workbook.xml", lambda d: xxe + d, p)


def _strict(p: Path) -> Path:
    base = _ledger(p.parent)
    swaps = [(b"http://schemas.openxmlformats.org/spreadsheetml/2006/main", b"http://purl.oclc.org/ooxml/spreadsheetml/main"),
             (b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
              b"http://purl.oclc.org/ooxml/officeDocument/relationships")]
    with zipfile.ZipFile(base) as zin, zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            for a, b in swaps:
                data = data.replace(a, b)
            zout.writestr(item, data)
    return p


def _garbage_in_sheet(p: Path) -> Path:
    return patch_part(_ledger(p.parent), "xl/worksheets/sheet1.xml", lambda d: d[: len(d) // 2] + b"\x00\xff<<", p)


def _unclosed_cells(p: Path) -> Path:
    """200,000 error cells that never close (5 MB of XML): once took hours to scan."""
    junk = b'<c r="A1" t="e"><f>1</f>' * 200_000
    return patch_part(_ledger(p.parent), "xl/worksheets/sheet1.xml",
                      lambda d: d.replace(b"<sheetData>", b"<sheetData>" + junk, 1), p)


def _error_values(p: Path) -> Path:
    """Excel's error values (#REF!, #N/A) in a ledger's cells; readers give them as blanks."""
    rows = [LEDGER[0], ["甲", "违规收费", "诫勉"], ["乙", "#REF!", "警告"], ["丙", "违规收费", "#N/A"]]
    return write_xlsx(p, {"处分台账": rows})  # openpyxl writes an error code as an error cell (t="e")


def _injection(p: Path) -> Path:
    rows = [["姓名", "问题类型", "处理方式", "备注"],
            [Text("=cmd|' /C calc'!A0"), "违规收费", "诫勉", Text("=HYPERLINK(\"http://evil\",\"点我\")")],
            [Text("+1+1"), "违规收费", "诫勉", Text("@SUM(1,2)")],
            [Text("-2+3"), "违规收费", "诫勉", Text("\t=1+1")]]
    return write_xlsx(p, {"处分台账": rows})


def _wrong_extension(p: Path) -> Path:
    xls = write_xls(p.with_name(".real.xls"), {"处分台账": LEDGER})
    p.write_bytes(xls.read_bytes())
    return p


def _html_xls(p: Path) -> Path:
    p.write_text("<html><body><table><tr><td>姓名</td><td>问题类型</td></tr></table></body></html>", encoding="utf-8")
    return p


def _empty(p: Path) -> Path:
    return write_xlsx(p, {"Sheet1": []})


def _not_a_ledger(p: Path) -> Path:
    return write_xlsx(p, {"说明": [["本表用于记录"], ["请勿删除"]]})


def _chinese_name_readonly(p: Path) -> Path:
    write_xlsx(p, {"处分台账": LEDGER})
    p.chmod(0o444)
    return p


CORPUS: list[Case] = [
    Case("空文件.xlsx", _bytes(b""), refusal="not-a-workbook", why="0 字节"),
    Case("其实是CSV.xlsx", _bytes("姓名,问题类型\n甲,违规收费\n".encode("gbk")), refusal="not-a-workbook"),
    Case("其实是PDF.xlsx", _bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), refusal="not-a-workbook"),
    Case("网页导出.xls", _html_xls, refusal="not-a-workbook", why="系统导出的“假 xls”"),
    Case("其实是Word.xlsx", _word, refusal="not-a-workbook"),
    Case("截断.xlsx", _truncated, refusal="corrupt-workbook"),
    Case("乱码.xlsx", _bytes(b"\x00\x01\x02\x03" * 256), refusal="not-a-workbook"),
    Case("半截工作表.xlsx", _garbage_in_sheet, refusal="corrupt-workbook", why="sheet XML cut and garbage appended"),
    Case("加密.xlsx", _encrypted, refusal="encrypted-workbook"),
    Case("解压炸弹.xlsx", _zip_bomb, refusal="file-too-large", why="1.1 GB unpacked from ~1 MB"),
    Case("实体膨胀.xlsx", _entities, refusal="unsafe-workbook", why="billion laughs DTD"),
    Case("外部实体.xlsx", _external_entity, refusal="unsafe-workbook", why="XXE to /etc/passwd"),
    Case("百万行.xlsx", _far_cell, findings=[("sheet-too-large", "巨表")], rows=1),
    Case("重复单元格九千万.ods", _ods_repeats(90_000), findings=[("sheet-too-large", "巨表")], rows=1,
         why="90 million cells asked for by a 6 KB file; once aborted the process out of memory"),
    Case("重复单元格十亿.ods", _ods_repeats(1_000_000), refusal="file-too-large"),
    Case("一万六千列.xlsx", _wide, rows=1),
    Case("稀疏巨表.xls", _sparse_xls, rows=1,
         why="one cell far out: calamine's dense grid would take a gigabyte; xlrd, keeping rows short, reads it"),
    Case("严格OOXML.xlsx", _strict, rows=1),
    Case("公式注入.xlsx", _injection, rows=3),
    Case("扩展名不符.xlsx", _wrong_extension, rows=1, why="an .xls saved as .xlsx"),
    Case("Excel95旧格式.xls", _excel95, rows=2, findings=[("category-unclear", "处分台账")],
         why="BIFF5 with GBK text: calamine garbles it, xlrd reads it (警告 without 处分类别 is a warning)"),
    Case("空工作簿.xlsx", _empty, findings=[("empty-workbook", None)]),
    Case("不是台账.xlsx", _not_a_ledger, findings=[("no-ledger", None), ("sheet-skipped", "说明")]),
    Case("县 一中 十月 台账（只读）.xlsx", _chinese_name_readonly, rows=1),
    Case("未闭合单元格.xlsx", _unclosed_cells, refusal="corrupt-workbook",
         why="5 MB of unclosed cells; the pre-read scan once took hours on such a part"),
    Case("错误值.xlsx", _error_values, rows=3,
         findings=[("cell-error", "处分台账"), ("cell-error", "处分台账"), ("category-unclear", "处分台账")],
         why="#REF! and #N/A come back from the reader as blanks; named with their cells"),
    Case("WPS单元格图片.xlsx", wps_xlsx, rows=3, why="WPS 表格 11 conventions, =DISPIMG pictures in cells"),
    Case("苹果Numbers.numbers", numbers_document, refusal="not-a-workbook", why="to be exported as .xlsx"),
]


def build(folder: Path) -> list[tuple[Case, Path]]:
    folder.mkdir(parents=True, exist_ok=True)
    return [(case, case.make(folder / case.name)) for case in CORPUS]


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-corpus")
    for case, path in build(out):
        print(path)
