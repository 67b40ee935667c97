"""A cell showing an error value (#REF!, #DIV/0! …) is named, never silently read as blank.

python-calamine hands such cells over as empty strings in every format; taizhang finds
them in the file itself and reports each one with its cell, so a broken formula in an
amount column cannot quietly lower a month's figures.
"""

from __future__ import annotations

import json
import re
import struct
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from fixtures import AS_OF, write_xlsx
from taizhang.reading.extent import biff_error
from taizhang.reading.source import open_workbook
from taizhang.usecases.files import check_file

HEADER = ["学校", "收费项目", "违规金额", "应退金额", "已退金额", "涉及学生数"]
ROWS = [HEADER,
        ["县一中", "资料费", 1000, 1000, 400, 10],
        ["县二中", "补课费", 2000, 2000, "#REF!", 20],   # the cell Excel shows as #REF!
        ["县三中", "校服费", 300, 300, "#DIV/0!", 3]]


def _xlsx(path: Path) -> Path:
    """An .xlsx as Excel writes it: error cells are ``t="e"`` with the error as cached value."""
    write_xlsx(path, {"退费台账": [[v if not str(v).startswith("#") else "PLACEHOLDER" + str(v) for v in r]
                                for r in ROWS]})
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    # openpyxl writes <c r="E3" t="inlineStr"><is><t>PLACEHOLDER#REF!</t></is></c>; Excel writes:
    sheet, n = re.subn(r'<c r="([A-Z]+\d+)"([^>]*?) t="inlineStr"><is><t>PLACEHOLDER(#[^<]+)</t></is></c>',
                       r'<c r="\1"\2 t="e"><f>SUM(#REF!)</f><v>\3</v></c>', sheet)
    assert n == 2
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def _xls(path: Path) -> Path:
    """An .xls with BOOLERR error records, as Excel 97-2003 stores a constant error."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("退费台账")
    for r, row in enumerate(ROWS):
        for c, value in enumerate(row):
            if isinstance(value, str) and value.startswith("#"):
                ws.row(r).set_cell_error(c, value)
            else:
                ws.write(r, c, value)
    book.save(str(path))
    return path


def _ods_cell(value) -> str:
    if isinstance(value, str) and value.startswith("#"):  # LibreOffice's shape for an error result
        return ('<table:table-cell table:formula="of:=[.Z99]/0" office:value-type="string" office:string-value="" '
                f'calcext:value-type="error"><text:p>{value}</text:p></table:table-cell>')
    if isinstance(value, str):
        return f'<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>'
    return (f'<table:table-cell office:value-type="float" office:value="{value}">'
            f'<text:p>{value}</text:p></table:table-cell>')


def _ods(path: Path) -> Path:
    rows = "".join("<table:table-row>" + "".join(_ods_cell(v) for v in r) + "</table:table-row>" for r in ROWS)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" office:version="1.3">'
        f'<office:body><office:spreadsheet><table:table table:name="退费台账">{rows}</table:table>'
        '</office:spreadsheet></office:body></office:document-content>')
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        '</manifest:manifest>')
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        zf.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        zf.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return path


@pytest.mark.parametrize("make, name", [(_xlsx, "u.xlsx"), (_xls, "u.xls"), (_ods, "u.ods")])
def test_error_cells_are_named_with_their_cell(tmp_path, make, name):
    path = make(tmp_path / name)
    sheet = open_workbook(path).sheets[0]
    assert sheet.rows[2][4] in ("", None)  # what the reader alone would have said: nothing
    assert sheet.cell_errors == {(2, 4): "#REF!", (3, 4): "#DIV/0!"}

    report = check_file(path, as_of=AS_OF)
    errors = [(f.code, f.cell, f.column) for f in report.findings if f.code == "cell-error"]
    assert errors == [("cell-error", "E3", "已退金额"), ("cell-error", "E4", "已退金额")]
    assert all(f.is_error for f in report.findings if f.code == "cell-error") and report.has_errors
    message = next(f.message for f in report.findings if f.cell == "E3")
    assert "#REF!" in message
    # the figures count only what could be read: 400 refunded, never a guess for the broken cells
    [ledger] = report.ledgers
    assert [r.refunded for r in ledger.rows] == [Decimal("400"), None, None]


def test_check_json_reports_the_error_cell_and_fails(tmp_path):
    path = _xlsx(tmp_path / "县二中 退费.xlsx")
    proc = subprocess.run([sys.executable, "-m", "taizhang", "check", "--json", str(path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    [file] = json.loads(proc.stdout)["files"]
    cells = [(f["code"], f["sheet"], f["cell"]) for f in file["findings"] if f["code"] == "cell-error"]
    assert cells == [("cell-error", "退费台账", "E3"), ("cell-error", "退费台账", "E4")]


def test_formula_record_with_an_error_result():
    # FORMULA: row, col, xf, then an 8-byte result: type 2 (error), the code, then 0xFFFF
    body = struct.pack("<HHH", 4, 2, 15) + bytes([2, 0, 0x17, 0, 0, 0]) + b"\xff\xff" + b"\0" * 6
    assert biff_error(0x0006, body) == "#REF!"
    number = struct.pack("<HHHd", 4, 2, 15, 12.5) + b"\0" * 6
    assert biff_error(0x0006, number) is None
