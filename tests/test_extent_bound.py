"""The quick extent bound of a sheet's XML (``extent_bound``) never lies below what a reader
makes of the sheet: the cells calamine itself places are the oracle, for sheets with and
without references, quoted either way, with spaces around ``=``, rows and cells out of order."""

from __future__ import annotations

import random
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from taizhang.reading.book import Limits

from taizhang.reading.extent import extent_bound, harmless

from taizhang.reading.source import open_workbook


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


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(80))
def test_bound_is_never_below_what_calamine_places(tmp_path, seed):
    rnd = random.Random(seed)
    xml = _sheet_xml(rnd)
    path = _xlsx(tmp_path, xml, f"s{seed}")
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    height = max((i + 1 for i, r in enumerate(rows) if any(v != "" for v in r)), default=0)
    width = max((j + 1 for r in rows for j, v in enumerate(r) if v != ""), default=0)
    bound = extent_bound(xml)
    if bound is None:
        return  # a reference reaches row 1,000 or column AA: the cells are looked at one by one
    assert height <= bound[0] and width <= bound[1], (xml[:300], height, width, bound)


def test_far_references_are_looked_at_closely():
    assert extent_bound(b'<row r="1"><c r="A1"><v>1</v></c></row>') == (1001, 26)
    assert extent_bound(b'<row r="1"><c s="1" r="A1"><v>1</v></c></row>') == (1001, 27)
    for far in (b"<c r='A1000'>", b'<c r = "AA1">', b'<row r="1048576">', b"<c r=\n'$XFD$1'>"):
        assert extent_bound(b"<sheetData><row>" + far + b"<v>1</v></c></row></sheetData>") is None
    # an attribute that only ends in r is not a reference
    assert extent_bound(b'<cfRule operator="between"/><row r="2"><c r="B2"/></row>') is not None


def test_many_cells_without_references_are_not_waved_through(tmp_path):
    """A row of 3,000 cells without references spreads over 3,000 columns: the bound says so,
    and the sheet is judged by its cells (refused with these tight limits)."""
    xml = (b'<sheetData><row r="1">' + b"<c><v>1</v></c>" * 3000 + b'</row><row r="999"><c r="A999"><v>2</v></c>'
           b"</row></sheetData>")
    rows, cols = extent_bound(xml)
    assert cols >= 3000
    tight = Limits(max_cells=500_000, max_columns=5000)
    assert not harmless((rows, cols), tight)
    path = _xlsx(tmp_path, xml, "wide")
    book = open_workbook(path, tight)
    assert book.sheets[0].too_large


# -- the whole-array path (tag_counts) against the byte search ------------------------------------

def _sheet_of_size(rnd: random.Random, size: int, plain: bool) -> bytes:
    """Sheet XML of about ``size`` bytes mixing what extent_bound and the formula check look
    for: row and cell tags with and without prefixes, references, attributes whose names only
    end in r, formulas, and text that looks like them.  ``plain``: references written as Excel
    writes them (``r="…"``), none reaching row 1,000 or column AA; else in every spelling, near
    and far."""

    def _attr(rnd: random.Random, value: str) -> str:
        if plain:
            return f'r="{value}"'
        q = rnd.choice(['"'] * 6 + ["'"])
        eq = rnd.choice(["="] * 8 + [" =", "= ", "=\n", "\t=\t", " " * 9 + "="])
        return f"r{eq}{q}{value}{q}"

    def _value(rnd: random.Random) -> str:
        if plain:
            return rnd.choice(["A1", "Z999", "c52", "$B1", "$B$5", "B$5", "52", "999", "A", "", "$5", "1:9", "A1:B2"])
        col = rnd.choice(["A", "Z", "c", "AA", "$B", "$AB", "XFD", "", "$"])
        row = rnd.choice(["1", "52", "999", "0999", "1000", "01000", "0001", "1048576", "9999", "", "$5"])
        return rnd.choice([col + row, col + row, row, col, rnd.choice(["1:9", "A1:B2", "between", "rId1"])])

    pieces = []
    while sum(map(len, pieces)) < size:
        kind = rnd.randrange(12)
        if kind < 5:
            pieces.append(f"<c {_attr(rnd, _value(rnd)) if rnd.random() < 0.9 else ''} s=\"1\"><v>{rnd.randrange(10**6)}</v></c>")
        elif kind == 5:
            pieces.append(f"<row {_attr(rnd, str(rnd.choice([1, 7, 999] if plain else [1, 7, 999, 1000, 65536])))} spans=\"1:9\">")
        elif kind == 6:
            pieces.append(rnd.choice(["</row>", "<x:row>", "<x:c r=\"B2\">", "<cols><col min=\"1\"/></cols>",
                                      "<f>SUM(A1:A9)</f>", "<x:f>1</x:f>", "<v>1</v>", "</c>"]))
        elif kind == 7:
            pieces.append(rnd.choice([f'<cfRule operator="between" xr="{_value(rnd)}"/>', f'<a hr="{_value(rnd)}"/>',
                                      f"<t>for r=\"{_value(rnd)}\" {'xr' if plain else 'r'} {_value(rnd)}</t>",
                                      f"<t>{_attr(rnd, _value(rnd))}</t>"]))
        else:
            pieces.append(rnd.choice(["<c><v>1</v></c>", "<c/>", "  ", "\n", "<is><t>整改中</t></is>",
                                      "<c t=\"e\"><v>#REF!</v></c>", "<c r=\"A1\"><v>2026</v></c>"]))
    data = "".join(pieces)
    if rnd.random() < 0.2:  # an attribute r at the very end of the part
        data += rnd.choice([' r="A', ' r="A1"', ' r="A1', ' r="'] if plain else [' r="AA', ' r=', ' r', ' r="1000'])
    return data.encode()


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(12))
def test_the_whole_array_path_gives_what_the_byte_search_gives(seed):
    """For sheets both sides of the size the whole-array path takes: the same bound (or None)
    as the regular expression and byte counts, the same formula tags, and a sheet taken for
    one without far references never has one."""
    from taizhang.reading.extent import VECTOR_BYTES, extent_bound_searched, tag_counts

    rnd = random.Random(seed)
    taken = far = 0
    for i in range(60):
        size = rnd.choice([VECTOR_BYTES[0] - 200, VECTOR_BYTES[0] + 10, 20_000, 60_000])
        data = _sheet_of_size(rnd, size, plain=rnd.random() < 0.5)
        expected = extent_bound_searched(data)
        assert extent_bound(data) == expected, data[:200]
        tags = tag_counts(data)
        if len(data) < VECTOR_BYTES[0]:
            assert tags is None
            continue
        assert tags is not None
        assert tags.rows == data.count(b"<row") + data.count(b":row") + data.count(b"</row")
        assert tags.cells == data.count(b"<c") + data.count(b":c")
        assert tags.referenced == data.count(b'<c r="')
        assert tags.unreferenced == len(re.findall(rb"[<:]c[ \t\n\r>/]", data)) - tags.referenced
        assert tags.formula == (b"<f" in data or b":f" in data)
        if not tags.far:
            assert expected is not None
            taken += 1
        far += tags.far
    assert taken and far  # both ways were taken


@pytest.mark.parametrize("far, expected", [
    (b'<c r="AA1">', None), (b'<c r="$AB$1">', None), (b'<c r="$AB1">', None), (b'<c r="ab">', None),
    (b'<c r="A1000">', None), (b'<row r="1000">', None), (b'<c r="A01000">', None), (b"<c r='B1000'>", None),
    (b'<c r ="AA1">', None), (b'<c r= "A1000">', None),
    (b'<c r="Z999">', (1001, 26)), (b'<c r="A0999">', (1001, 26)), (b'<c xr="AA1">', (1001, 27)),
    (b'<c r="$A$999">', (1001, 26)), (b'<c s="1">', (1001, 27)),
])
def test_far_references_in_a_sheet_the_whole_array_path_takes(far, expected):
    from taizhang.reading.extent import VECTOR_BYTES, tag_counts

    data = b"<sheetData><row>" + b'<c r="B2"><v>1</v></c>' * 27 + far + b"<v>1</v></c></row>" \
        + b" " * VECTOR_BYTES[0] + b"</sheetData>"
    assert tag_counts(data) is not None
    assert extent_bound(data) == expected


@pytest.mark.parametrize("seed", range(30))
def test_bound_of_a_sheet_the_whole_array_path_takes_is_never_below_what_calamine_places(tmp_path, seed):
    """As above, each sheet blown up with blanks between its rows to the size the whole-array
    path takes."""
    from taizhang.reading.extent import VECTOR_BYTES, tag_counts

    rnd = random.Random(1000 + seed)
    xml = _sheet_xml(rnd).replace(b"</row>", b"</row>" + b" " * (VECTOR_BYTES[0] // 2), 2)
    xml = xml.replace(b"</sheetData>", b" " * VECTOR_BYTES[0] + b"</sheetData>")
    assert tag_counts(xml) is not None
    path = _xlsx(tmp_path, xml, f"s{seed}")
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    height = max((i + 1 for i, r in enumerate(rows) if any(v != "" for v in r)), default=0)
    width = max((j + 1 for r in rows for j, v in enumerate(r) if v != ""), default=0)
    bound = extent_bound(xml)
    if bound is None:
        return
    assert height <= bound[0] and width <= bound[1], (xml[:300], height, width, bound)


@pytest.mark.parametrize("data", [b'r="AA1"' + b" " * 5000, b'r="1000"' + b" " * 5000,
                                  b" " * 5000 + b'<c r="AA', b" " * 5000 + b'<row r="1000'])
def test_a_far_reference_at_either_end_of_a_part_is_seen(data):
    from taizhang.reading.extent import extent_bound_searched, tag_counts

    assert tag_counts(data) is not None
    assert extent_bound(data) is None and extent_bound_searched(data) is None


_ENDS_CLOSE_ANY = (b'<row r="5"><c r="A5"><v>1</v></c>' + b"<a>" * 3000 + b"</row>" * 3000
                   + b"<c><v>2</v></c>" * 30 + b"</row>")


@pytest.mark.parametrize("sheet_data", [
    # a cell with a reference, then cells without: they follow it, past column Z
    b'<row r="1"><c r="Z1"><v>1</v></c>' + b'<c s="1"><v>2</v></c>' * 5 + b"</row>",
    b'<row r="1"><c t="n" r="Y1"><v>1</v></c>' + b"<c><v>2</v></c>" * 4 + b'<c r="B1"><v>3</v></c><c><v>4</v></c></row>',
    # </row> closing other elements moves the reader down a row each time
    _ENDS_CLOSE_ANY,
    _ENDS_CLOSE_ANY + b" " * 5000,  # the same on the whole-array path
    # rows without references, each one down from the one before
    b"<row></row>" * 1200 + b"<row>" + b"<c><v>2</v></c>" * 3 + b"</row>",
], ids=["after-Z", "r-not-first", "ends-close-any", "ends-close-any-long", "rows-without-r"])
def test_the_bound_holds_where_cells_without_references_follow_others(tmp_path, sheet_data):
    xml = b"<sheetData>" + sheet_data + b"</sheetData>"
    path = _xlsx(tmp_path, xml, "follow")
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    height = max((i + 1 for i, r in enumerate(rows) if any(v != "" for v in r)), default=0)
    width = max((j + 1 for r in rows for j, v in enumerate(r) if v != ""), default=0)
    bound = extent_bound(xml)
    assert bound is not None
    assert height <= bound[0] and width <= bound[1], (height, width, bound)


def test_a_large_ordinary_sheet_needs_no_closer_look(tmp_path):
    """A ledger of 990 rows as Excel and openpyxl write it (a reference on every row and
    cell) is small by the bound alone: the cells are not looked at one by one."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for i in range(990):
        ws.append([i, "一中", "教辅材料", 100.5, "2026-10-01", "已退", None, "备注", i * 2, "x"])
    path = tmp_path / "large.xlsx"
    wb.save(path)
    with zipfile.ZipFile(path) as zf:
        xml = zf.read("xl/worksheets/sheet1.xml")
    bound = extent_bound(xml)
    assert bound is not None and harmless(bound, Limits())
    assert bound[1] <= 30
    book = open_workbook(path)
    assert len(book.sheets[0].rows) == 990 and book.sheets[0].too_large is None


# -- cells without references, in the closer look --------------------------------------------

def _refless_sheet(rnd: random.Random) -> bytes:
    """Rows with and without references, self-closing rows, ``</row>`` closing other
    elements, and cells with content but no reference (some with an x:r, which is no r)."""
    parts = []
    for _ in range(rnd.randrange(1, 15)):
        kind = rnd.randrange(6)
        if kind == 0:
            parts.append(f'<row r="{rnd.randrange(1, 60)}"/>' if rnd.random() < 0.5 else "<row/>")
            continue
        attr = f' r="{rnd.randrange(1, 60)}"' if kind in (1, 2) else ""
        cells = "".join(rnd.choice(["<c><v>1</v></c>", '<c t="n"><v>2</v></c>', "<c/>", '<c s="1"></c>',
                                    '<c x:r="B2"><v>3</v></c>'])
                        for _ in range(rnd.randrange(0, 4)))
        extra = rnd.choice([0, 0, 0, rnd.randrange(1, 30)])  # elements that </row> closes
        parts.append(f"<row{attr}>{cells}" + "<a>" * extra + "</row>" * extra + f"{cells}</row>")
    return ("<sheetData>" + "".join(parts) + "</sheetData>").encode()


@pytest.mark.parametrize("seed", range(40))
def test_cells_without_references_are_never_placed_below_the_row_the_scan_says(tmp_path, seed):
    from taizhang.reading.extent import refless_row

    xml = _refless_sheet(random.Random(seed))
    path = _xlsx(tmp_path, xml, f"r{seed}")
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    height = max((i + 1 for i, r in enumerate(rows) if any(v != "" for v in r)), default=0)
    assert height <= refless_row(xml), (xml[:400], height)
    if b"/>" not in xml.replace(b"<c/>", b""):  # no row closing itself: exactly where calamine puts it
        assert height == refless_row(xml)


@pytest.mark.parametrize("sheet_data", [
    b"<row></row>" * 100_000 + b"<row>" + b"<c><v>2</v></c>" * 30 + b"</row>",
    b'<row r="5"><c r="A5"><v>1</v></c>' + b"<a>" * 100_000 + b"</row>" * 100_000 + b"<c><v>2</v></c>" * 30 + b"</row>",
], ids=["rows-without-references", "ends-closing-other-elements"])
def test_cells_pushed_far_down_by_the_ends_of_rows_are_refused_before_they_are_read(tmp_path, sheet_data):
    """A few kilobytes that would have the reader hold 100,000 rows for 30 cells: told as
    too spread out, before the reader is asked for the sheet."""
    path = _xlsx(tmp_path, b"<sheetData>" + sheet_data + b"</sheetData>", "spread")
    assert path.stat().st_size < 20_000
    sheet = open_workbook(path).sheets[0]
    assert sheet.rows == [] and sheet.too_large is not None and "散布在 100,0" in sheet.too_large


# -- the colons visited one by one (colon_tags) against the byte counts -------------------------

@pytest.mark.parametrize("seed", range(6))
def test_the_colons_visited_give_what_the_byte_counts_give(seed):
    """``colon_tags`` (where it answers) counts what ``data.count`` counts, and the bound of the
    byte search is the same with it or without it."""
    from taizhang.reading.extent import colon_tags, extent_bound_searched

    rnd = random.Random(seed)
    answered = 0
    for _ in range(80):
        data = _sheet_of_size(rnd, rnd.choice([200, 3000, 20_000]), plain=rnd.random() < 0.5)
        if rnd.random() < 0.5:  # a few colons only: namespaces, as programs write them
            data = data.replace(b"<x:", b"<x").replace(b"</x:", b"</x")
        found = colon_tags(data)
        if found is not None:
            answered += 1
            assert found == (data.count(b":row"), data.count(b":c"), b":f" in data)
        assert extent_bound_searched(data, found) == extent_bound_searched(data, (
            data.count(b":row"), data.count(b":c"), b":f" in data))
    assert answered


def test_plain_xml_is_parsed_as_defusedxml_parses_it_and_a_declaration_is_still_refused():
    """Parts without a ``!`` byte are parsed by the standard library's parser into the tree
    defusedxml makes; a part that may declare an entity is defusedxml's, which refuses it."""
    from defusedxml import DefusedXmlException
    from defusedxml import ElementTree as Defused

    from taizhang.reading.extent import parse_xml

    def shape(e):
        return e.tag, dict(e.attrib), e.text, [shape(c) for c in e]

    plain = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="urn:x" '
             'xmlns:r="urn:r"><sheets><sheet name="A&amp;B &#20013;" sheetId="1" r:id="rId1"/></sheets></workbook>')
    for data in (plain.encode(), plain.replace("UTF-8", "utf-16").encode("utf-16"),
                 plain.replace(' encoding="UTF-8"', "").encode()):
        assert shape(parse_xml(data)) == shape(Defused.fromstring(data))
    bomb = ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><r>&a;</r>')
    for data in (bomb.encode(), bomb.encode("utf-16"), bomb.replace('version="1.0"', 'version="1.0" encoding="cp037"')
                 .encode()):
        with pytest.raises((DefusedXmlException, Defused.ParseError)):
            parse_xml(data)
