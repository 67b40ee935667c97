"""Size bombs: sheets and packages far larger than any ledger are refused within limits."""

from __future__ import annotations

import zipfile
from pathlib import Path

from conftest import AS_OF, write_xlsx
from taizhang.reading.source import Limits
from taizhang.service import check_file

LEDGER = [["姓名", "问题类型", "处理方式"], ["甲", "违规收费", "诫勉"]]


def patch_part(path: Path, part: str, transform) -> Path:
    """Rewrite one part of an xlsx package (the way a hostile tool could)."""
    out = path.with_name("patched-" + path.name)
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            zout.writestr(item, transform(data) if item.filename == part else data)
    return out


def test_a_million_rows_claimed_by_one_far_cell_is_refused_and_the_rest_checked(tmp_path):
    path = write_xlsx(tmp_path / "big.xlsx", {"处分台账": LEDGER, "巨表": [["x"]]})
    far = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
    bomb = patch_part(path, "xl/worksheets/sheet2.xml", lambda d: d.replace(b"</sheetData>", far))
    report = check_file(bomb, as_of=AS_OF)
    assert [(f.code, f.sheet) for f in report.findings] == [("sheet-too-large", "巨表")]
    assert "1,048,576 行" in report.findings[0].message
    assert len(report.ledgers) == 1 and len(report.ledgers[0].rows) == 1


def test_sixteen_thousand_columns_are_cut_to_the_column_limit(tmp_path):
    path = write_xlsx(tmp_path / "wide.xlsx", {"处分台账": LEDGER})
    wide = patch_part(path, "xl/worksheets/sheet1.xml",
                      lambda d: d.replace(b"</sheetData>", b'<row r="5"><c r="XFD5"><v>1</v></c></row></sheetData>'))
    report = check_file(wide, as_of=AS_OF)
    assert report.findings == [] and len(report.ledgers[0].rows) == 1


def test_decompression_bomb_is_refused_before_parsing(tmp_path):
    path = write_xlsx(tmp_path / "zip.xlsx", {"处分台账": LEDGER})
    padding = b"<!--" + b"0" * (30 * 1024 * 1024) + b"-->"
    bomb = patch_part(path, "xl/worksheets/sheet1.xml", lambda d: d.replace(b"<sheetData>", padding + b"<sheetData>"))
    assert bomb.stat().st_size < 1024 * 1024  # 30 MB of XML in well under 1 MB
    report = check_file(bomb, as_of=AS_OF, limits=Limits(max_unzipped_bytes=20 * 1024 * 1024))
    assert report.refusal is not None and report.refusal.code == "file-too-large"
    assert "压缩炸弹" in report.refusal.message


def test_entity_expansion_in_workbook_xml_is_refused(tmp_path):
    path = write_xlsx(tmp_path / "xxe.xlsx", {"处分台账": LEDGER})
    lol = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
           b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>')
    hostile = patch_part(path, "xl/workbook.xml", lambda d: lol + d)
    report = check_file(hostile, as_of=AS_OF)
    # Excel never writes a DTD: the file is refused rather than read without the size scan
    assert report.refusal is not None and report.refusal.code == "unsafe-workbook"
