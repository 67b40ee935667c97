"""The quick extent bound of a sheet's XML (``_extent_bound``) never lies below what a reader
makes of the sheet: the cells calamine itself places are the oracle, for sheets with and
without references, quoted either way, with spaces around ``=``, rows and cells out of order."""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from taizhang.reading.source import Limits, _extent_bound, _harmless, open_workbook


def _column(n: int) -> str:
    name = ""
    while n:
        n, rem = divmod(n - 1, 26)
        name = chr(65 + rem) + name
    return name


def _sheet_xml(rnd: random.Random) -> bytes:
    """Rows and cells with references or without, in any order, quoted and spaced at random."""
    parts = []
    for _ in range(rnd.randrange(1, 12)):
        row = rnd.choice([None, rnd.randrange(1, 40), rnd.randrange(1, 999), rnd.randrange(1, 1400) if rnd.random() < 0.1 else None])
        q = rnd.choice(['"', "'"])
        eq = rnd.choice(["=", " = ", "=\n"])
        cells = []
        for _ in range(rnd.choice([1, 3, rnd.randrange(1, 60)])):
            col = rnd.choice([None, None, rnd.randrange(1, 27), rnd.randrange(1, 40) if rnd.random() < 0.05 else 3])
            ref = f" r{eq}{q}{_column(col)}{row or 1}{q}" if col is not None and (row or rnd.random() < 0.5) else ""
            cells.append(f"<c{ref}><v>{rnd.randrange(100)}</v></c>")
        attr = f" r{eq}{q}{row}{q}" if row is not None else ""
        parts.append(f"<row{attr}>{''.join(cells)}</row>")
    return ("<sheetData>" + "".join(parts) + "</sheetData>").encode()


def _xlsx(folder: Path, sheet_data: bytes, name: str) -> Path:
    base = folder / f"base-{name}.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "x"
    wb.save(base)
    out = folder / f"{name}.xlsx"
    with zipfile.ZipFile(base) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                start, end = data.index(b"<sheetData"), data.index(b"</sheetData>") + len(b"</sheetData>")
                data = data[:start] + sheet_data + data[end:]
            zout.writestr(item, data)
    return out


@pytest.mark.parametrize("seed", range(80))
def test_bound_is_never_below_what_calamine_places(tmp_path, seed):
    rnd = random.Random(seed)
    xml = _sheet_xml(rnd)
    path = _xlsx(tmp_path, xml, f"s{seed}")
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    height = max((i + 1 for i, r in enumerate(rows) if any(v != "" for v in r)), default=0)
    width = max((j + 1 for r in rows for j, v in enumerate(r) if v != ""), default=0)
    bound = _extent_bound(xml)
    if bound is None:
        return  # a reference reaches row 1,000 or column AA: the cells are looked at one by one
    assert height <= bound[0] and width <= bound[1], (xml[:300], height, width, bound)


def test_far_references_are_looked_at_closely():
    assert _extent_bound(b'<row r="1"><c r="A1"><v>1</v></c></row>') == (1000, 27)
    for far in (b"<c r='A1000'>", b'<c r = "AA1">', b'<row r="1048576">', b"<c r=\n'$XFD$1'>"):
        assert _extent_bound(b"<sheetData><row>" + far + b"<v>1</v></c></row></sheetData>") is None
    # an attribute that only ends in r is not a reference
    assert _extent_bound(b'<cfRule operator="between"/><row r="2"><c r="B2"/></row>') is not None


def test_many_cells_without_references_are_not_waved_through(tmp_path):
    """A row of 3,000 cells without references spreads over 3,000 columns: the bound says so,
    and the sheet is judged by its cells (refused with these tight limits)."""
    xml = (b'<sheetData><row r="1">' + b"<c><v>1</v></c>" * 3000 + b'</row><row r="999"><c r="A999"><v>2</v></c>'
           b"</row></sheetData>")
    rows, cols = _extent_bound(xml)
    assert cols >= 3000
    tight = Limits(max_cells=500_000, max_columns=5000)
    assert not _harmless((rows, cols), tight)
    path = _xlsx(tmp_path, xml, "wide")
    book = open_workbook(path, tight)
    assert book.sheets[0].too_large
