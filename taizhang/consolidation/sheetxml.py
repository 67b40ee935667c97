"""Fast writing of large sheets: stream rows straight into the sheet XML of a saved xlsx.

openpyxl builds a Python object per cell, which for the consolidated detail of a whole
county (hundreds of thousands of cells) costs most of a consolidation.  Here openpyxl still
writes each such sheet, with its header, column widths, frozen panes, filter and one
template row whose cells carry each column's date or money format and alignment (long text
wrapped), all set up for printing by :mod:`taizhang.printing` for the final number of rows;
then the sheet's ``<sheetData>`` is replaced by rows generated as XML text, reusing the
template's style ids.  The same
package, the same look, a fraction of the time.  Strings are always written as text
(inline strings), so ledger text never becomes a formula.
"""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence
from xml.sax.saxutils import escape

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from taizhang.printing import ColumnFit, row_height
from taizhang.reading.extent import sheet_parts
from taizhang.values import date_to_excel_serial

_CELL = re.compile(r'<c r="([A-Z]+)2"([^>]*)>')
_STYLE = re.compile(r'\ss="(\d+)"')
_SHEETDATA = re.compile(r"<sheetData>.*</sheetData>|<sheetData\s*/>", re.S)
_ROW1 = re.compile(r'<row r="1"[ >].*?</row>', re.S)


def template_styles(sheet_xml: str) -> dict[str, str]:
    """Column letter -> style id of the template row (row 2)."""
    styles = {}
    for m in _CELL.finditer(sheet_xml):
        s = _STYLE.search(m.group(2))
        if s:
            styles[m.group(1)] = s.group(1)
    return styles


def cell_xml(value: Any, style: str | None, ref: str | None = None) -> str:
    """One ``<c>`` element: text inline (never a formula), dates as serials, money exact.

    Without ``ref`` the cell carries no reference, so a block of rows fits anywhere in a sheet.
    """
    r = f' r="{ref}"' if ref else ""
    s = f' s="{style}"' if style else ""
    if isinstance(value, str):
        if value.isprintable() and "&" not in value and "<" not in value and ">" not in value:
            text = value  # no control character to drop, nothing to escape: most ledger text
        else:
            text = escape(ILLEGAL_CHARACTERS_RE.sub("", value))
        space = ' xml:space="preserve"' if text != text.strip() else ""
        return f'<c{r}{s} t="inlineStr"><is><t{space}>{text}</t></is></c>'
    if isinstance(value, bool):
        return f'<c{r} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, datetime):
        serial = date_to_excel_serial(value.date()) + (
            value.hour * 3600 + value.minute * 60 + value.second) / 86400
        return f"<c{r}{s}><v>{serial!r}</v></c>"
    if isinstance(value, date):
        return f"<c{r}{s}><v>{date_to_excel_serial(value)}</v></c>"
    if isinstance(value, Decimal):
        return f'<c{r}{s}><v>{format(value, "f")}</v></c>'
    if isinstance(value, (int, float)):
        return f"<c{r}{s}><v>{value!r}</v></c>"
    return cell_xml(str(value), None, ref)


def _rows_xml(header: str, columns: list[str], rows: Iterable[dict[str, Any]],
              styles: dict[str, str], date_style: str | None, date_columns: set[str],
              fits: Sequence[ColumnFit] | None = None) -> Iterator[str]:
    letters = [get_column_letter(i) for i in range(1, len(columns) + 1)]
    date_letters = {letter for letter, name in zip(letters, columns) if name in date_columns}
    wrapped = [(name, fit) for name, fit in zip(columns, fits or ()) if fit.wrap]
    yield "<sheetData>"
    yield header
    for r, row in enumerate(rows, start=2):
        height = row_height([row.get(name) for name, _fit in wrapped], [fit for _name, fit in wrapped])
        if height is not None:  # wrapped text: the row as tall as its lines
            yield f'<row r="{r}" ht="{height:g}" customHeight="1">'
        else:
            yield f'<row r="{r}">'

        cells = []
        for letter, name in zip(letters, columns):
            value = row.get(name)
            if value is None or value == "":
                continue
            if isinstance(value, (date, datetime)):
                style = styles.get(letter) if letter in date_letters else date_style
            else:  # the column's alignment (wrapped long text) and number format
                style = styles.get(letter)
            cells.append(cell_xml(value, style, f"{letter}{r}"))
        yield f'{"".join(cells)}</row>'
    yield "</sheetData>"


def stream_rows(path: Path, tables: dict[str, tuple]) -> None:
    """Replace the rows of the named sheets in the xlsx at ``path``.

    ``tables`` maps a sheet name to (columns, rows, date columns[, measured columns]); with the
    measured columns (:func:`taizhang.printing.measure`) a row whose wrapped text needs
    several lines is given the height for them.  Each sheet must hold the
    header in row 1 and a template row in row 2 whose formatted cells give the styles.
    """
    tmp = path.with_name(path.name + ".stream")
    with zipfile.ZipFile(path) as zin:
        parts = sheet_parts(zin)
        targets = {parts[name]: name for name in tables if name in parts}
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zout:
            for item in zin.infolist():
                if item.filename not in targets:
                    zout.writestr(item, zin.read(item.filename))
                    continue
                name = targets[item.filename]
                columns, rows, date_columns, *rest = tables[name]
                fits = rest[0] if rest else None
                xml = zin.read(item.filename).decode("utf-8")
                styles = template_styles(xml)
                date_style = next((styles[get_column_letter(i + 1)] for i, c in enumerate(columns)
                                   if c in date_columns and get_column_letter(i + 1) in styles), None)
                header_match = _ROW1.search(xml)
                header = header_match.group(0) if header_match else ""
                last = f"{get_column_letter(len(columns))}{len(rows) + 1}"
                body = "".join(_rows_xml(header, columns, rows, styles, date_style, date_columns, fits))
                xml = _SHEETDATA.sub(lambda _m: body, xml, count=1)
                xml = re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="A1:{last}"/>', xml, count=1)
                xml = re.sub(r'<autoFilter ref="[^"]*"', f'<autoFilter ref="A1:{last}"', xml, count=1)
                with zout.open(item.filename, "w") as fh:
                    fh.write(xml.encode("utf-8"))
    tmp.replace(path)


def strip_sheets(src: Path, dst: Path, names: Iterable[str]) -> None:
    """Copy the xlsx ``src`` to ``dst`` with the named sheets emptied (fast to load)."""
    empty = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             "<sheetData/></worksheet>").encode()
    with zipfile.ZipFile(src) as zin:
        parts = sheet_parts(zin)
        emptied = {parts[n] for n in names if n in parts}
        with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
            for item in zin.infolist():
                data = empty if item.filename in emptied else zin.read(item.filename)
                zout.writestr(item, data)


# --- rows without references (a block of them fits anywhere in a sheet) ----------------

def render(rows: Iterable[list], styles: list[str | None], date_style: str | None,
           wrap: list | None = None) -> bytes:
    """Rows (values aligned with the sheet's columns) as ``<row>`` elements without references:
    each cell takes the next column (an empty one is ``<c/>``), each row the next row.  Text
    takes its column's style (wrapped long text); with ``wrap`` (a column's width where its text
    wraps) a row is given the height its wrapped lines need (see :mod:`taizhang.printing`)."""
    wrapped = [(i, ColumnFit(w, True)) for i, w in enumerate(wrap or ()) if w]
    out = []
    for row in rows:
        height = row_height([row[i] if i < len(row) else None for i, _f in wrapped],
                            [f for _i, f in wrapped]) if wrapped else None
        cells = []
        for value, style in zip(row, styles):
            if value is None or value == "":
                cells.append("<c/>")
                continue
            if isinstance(value, (date, datetime)):
                cells.append(cell_xml(value, style or date_style))
            else:
                cells.append(cell_xml(value, style))
        while cells and cells[-1] == "<c/>":
            cells.pop()
        ht = f' ht="{height:g}" customHeight="1"' if height else ""
        out.append(f"<row{ht}>{''.join(cells)}</row>")
    return "".join(out).encode("utf-8")
