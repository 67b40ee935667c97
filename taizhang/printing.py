"""How every sheet taizhang writes looks on screen and on paper: one helper for all writers.

A bureau prints its 汇总表, 明细, 问题清单, 报送情况 and the master's detail sheets, signs them
and sends them up, so each sheet is set up the same way:

- A4, portrait when the columns fit across it, landscape when they do not; fitted to the page
  width when that keeps the text legible (no text below 8 pt on paper, :data:`MIN_SCALE`),
  otherwise printed at a fixed legible scale across as many pages as the columns need, the
  first column (the unit, the block) repeated on each of them;
- the header row(s) repeated at the top of every page, the sheet name above and
  "第 N 页，共 M 页" below, in a size that stays legible once the page is scaled;
- a print area ending at the last column and row written, so that nothing beyond the table
  (text running past the last column, an empty formatted row) makes a page of its own;
- column widths measured from the content, a CJK character counting two, a date as the date
  format shows it (``2026年10月31日``) so that no date prints as ``###``; text longer than the
  widest column allowed is wrapped onto several lines instead of being cut;
- on tables: the header frozen on screen, an autofilter, gridlines printed.

:func:`measure` computes the widths, :func:`setup_table` and :func:`setup_page` apply the
settings to an openpyxl sheet; :mod:`taizhang.consolidation.sheetxml` keeps them when it
streams the rows of the master's large detail sheets (the sheet is set up here first, with
the final number of rows).
"""

from __future__ import annotations

import math
import unicodedata
from datetime import date, datetime
from decimal import Decimal
from itertools import islice
from typing import Any, Iterable, Mapping, Sequence

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from taizhang.records import dataclass

#: Column widths are in Excel's character units (the width of "0" in the default font).
MIN_WIDTH = 6
#: The widest a text column gets; longer text wraps.
MAX_WIDTH = 40
#: Room around the content (cell padding, a filter button on the header, bold glyphs).
PADDING = 2.5
#: Columns that fit across A4 portrait at 100% between the margins below; a wider table is
#: printed landscape (always scaled to the page width).
PORTRAIT_CHARS = 95
#: How many rows are measured: the first ones, then a sample (a county's master can hold
#: hundreds of thousands of rows; measuring each cell would cost more than writing it).
MEASURE_ALL = 2000
MEASURE_STRIDE = 50
#: Height of one line of 11-point text, and the tallest row Excel allows, in points.
LINE_POINTS = 14.5
MAX_ROW_HEIGHT = 409
#: How much wider text prints than its count of character units (glyph widths, word breaks).
WIDTH_MARGIN = 1.0
#: The smallest text allowed on paper, in points, and the smallest font taizhang writes on a
#: sheet (11 pt body and headers); a page is never scaled below their ratio, with a margin for
#: the difference between a column's width in characters and the printer's glyphs.
MIN_PRINTED_POINTS = 8
SMALLEST_FONT_POINTS = 11
MIN_SCALE = 0.78
#: The scale of a sheet printed across several pages: legible, not more paper than needed.
WIDE_SCALE = 0.85
#: Text size of the page header and footer (scaled with the page like the cells).
HEADER_FOOTER_POINTS = 11
#: A4 between the margins set below (0.5 inch left and right), in points.
PRINTABLE_POINTS = {False: 595.3 - 72, True: 841.9 - 72}

FONT = "宋体"
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
_THIN = Side(style="thin", color="000000")
BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
HEADER_FONT = Font(name=FONT, bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")


class _Widths(dict):
    """Character -> display width (2 for East Asian wide and full-width, else 1), looked up in
    ``unicodedata`` once per distinct character: a county's cells repeat the same few
    thousand characters."""

    def __missing__(self, ch: str) -> int:
        width = 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
        self[ch] = width
        return width


_WIDTHS = _Widths()


def text_width(text: str) -> int:
    """Display width of ``text``: a CJK (wide or full-width) character counts two, the
    widest line of several counts."""
    text = str(text)
    if text.isascii():
        return max(map(len, text.splitlines()), default=0) if "\n" in text else len(text)
    if "\n" in text:
        return max(text_width(line) for line in text.splitlines())
    return sum(map(_WIDTHS.__getitem__, text))


def shown(value: Any, number_format: str | None = None) -> str:
    """The text a cell shows for ``value`` (as far as its width goes)."""
    if value is None:
        return ""
    if isinstance(value, datetime) and value.time() != datetime.min.time() and (
            number_format is None or "h" in number_format):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, (date, datetime)):
        if number_format and "年" in number_format:
            return f"{value.year}年{value.month:02d}月{value.day:02d}日"  # the widest month and day
        return value.strftime("%Y-%m-%d")
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float, Decimal)):
        if number_format and "0.00" in number_format:
            text = f"{Decimal(str(value)):,.2f}"
        elif number_format and "#,##0" in number_format:
            text = f"{Decimal(str(value)):,.0f}"
        else:
            text = str(value)
        suffix = "".join(part for part in number_format.split('"')[1::2]) if number_format else ""
        return text + suffix
    return str(value)


@dataclass(frozen=True)
class ColumnFit:
    """The measured width of a column and whether its text must wrap to fit it."""

    width: float
    wrap: bool


def _sample(rows: Sequence[Any] | Iterable[Any]) -> Iterable[Any]:
    if isinstance(rows, Sequence) and len(rows) > MEASURE_ALL:
        return [*rows[:MEASURE_ALL], *islice(rows, MEASURE_ALL, None, MEASURE_STRIDE)]
    return rows


def measure(columns: Sequence[str], rows: Iterable[Sequence[Any] | Mapping[str, Any]],
            formats: Mapping[str, str] | None = None, *, max_width: float = MAX_WIDTH,
            fixed: Mapping[str, float] | None = None) -> list[ColumnFit]:
    """Widths for a table with header ``columns`` and ``rows`` (lists in column order, or
    dicts by header).  ``formats`` gives the number format of a column (dates, money) so that
    the width is that of the text shown; ``fixed`` sets a column's width outright.  A value
    wider than ``max_width`` makes its column ``max_width`` wide and wrapped."""
    formats = formats or {}
    fixed = fixed or {}
    content = [0.0] * len(columns)
    seen: list[set] = [set() for _ in columns]  # values measured already, per column
    for row in _sample(rows):
        values = [row.get(c) for c in columns] if isinstance(row, Mapping) else row
        for i, value in enumerate(values):
            if i >= len(columns) or value is None or value == "":
                continue
            try:
                key = (type(value), value)
                if key in seen[i]:
                    continue  # a ledger repeats its schools, dates and statuses
                seen[i].add(key)
            except TypeError:
                pass
            w = text_width(shown(value, formats.get(columns[i])))
            if w > content[i]:
                content[i] = w
    fits = []
    for name, w in zip(columns, content):
        if name in fixed:
            fits.append(ColumnFit(fixed[name], w + PADDING > fixed[name]))
            continue
        # a header may wrap onto two lines, but not inside a word shorter than 4 characters
        header = text_width(name)
        head = header if header <= 8 else max(8, (header + 1) // 2)
        width = max(MIN_WIDTH, head + PADDING, w + PADDING)
        fits.append(ColumnFit(min(width, max_width), w + PADDING > max_width))
    return fits


def apply_widths(ws: Worksheet, fits: Sequence[ColumnFit], first_column: int = 1) -> None:
    for i, fit in enumerate(fits, start=first_column):
        ws.column_dimensions[get_column_letter(i)].width = round(fit.width, 1)


def style_header(ws: Worksheet, ncols: int, row: int = 1) -> None:
    """Bold, shaded, boxed, centred and wrapped header cells."""
    for c in range(1, ncols + 1):
        cell = ws.cell(row=row, column=c)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.border = BOX
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def lines_needed(text: str, width: float) -> int:
    """Lines ``text`` takes wrapped in a column ``width`` wide (a line breaks before a word
    that does not fit, hence the margin)."""
    usable = max(width - 1.5, 1.0) / WIDTH_MARGIN
    if "\n" not in text:
        if 2 * len(text) <= usable:  # fits whatever its characters (the common case, cheaply)
            return 1
        return max(1, math.ceil(text_width(text) / usable))
    return sum(max(1, math.ceil(text_width(line) / usable)) for line in text.splitlines())


def row_height(values: Sequence[Any], fits: Sequence[ColumnFit]) -> float | None:
    """The height (points) of a row whose wrapped cells need several lines, else None (the
    default height).  Written out rather than left to the program opening the file:
    LibreOffice, for one, keeps such a row one line high and cuts the wrapped text."""
    lines = 1
    for value, fit in zip(values, fits):
        if fit.wrap and value is not None:
            n = lines_needed(value if isinstance(value, str) else shown(value), fit.width)
            if n > lines:
                lines = n
    return min(MAX_ROW_HEIGHT, lines * LINE_POINTS + 2) if lines > 1 else None


def wrap_cells(ws: Worksheet, fits: Sequence[ColumnFit], first_row: int, last_row: int) -> None:
    """Wrap the text of the columns that need it, rows ``first_row``..``last_row``, each row
    as tall as its text; other body cells align to the top, so that a wrapped row reads level."""
    for r in range(first_row, last_row + 1):
        values = []
        for c, fit in enumerate(fits, start=1):
            cell = ws.cell(row=r, column=c)
            cell.alignment = WRAP if fit.wrap else TOP
            values.append(cell.value)
        height = row_height(values, fits)
        if height is not None:
            ws.row_dimensions[r].height = height


def header_height(columns: Sequence[str], fits: Sequence[ColumnFit]) -> float | None:
    """The header row's height when a header needs two lines in its column."""
    lines = max((lines_needed(name, fit.width) for name, fit in zip(columns, fits)), default=1)
    return min(MAX_ROW_HEIGHT, lines * LINE_POINTS + 2) if lines > 1 else None


def total_width(fits: Iterable[ColumnFit] | Iterable[float]) -> float:
    return sum(f.width if isinstance(f, ColumnFit) else f for f in fits)


def width_points(chars: float) -> float:
    """A column ``chars`` characters wide, in points as printed at 100%, the wider of what Excel
    prints (7 pixels a character of Calibri and 5 of padding, 96 pixels an inch: 5.25 pt a
    character) and what LibreOffice prints without Calibri (7 pt a character, as measured on
    its PDF): a page legible in the one is legible in the other."""
    return max((chars * 7 + 5) * 0.75, chars * 7.0) if chars else 0.0


def pages_across(widths: Sequence[float], scale: float, landscape: bool, title_columns: int = 0) -> int:
    """How many pages wide columns ``widths`` (characters) print at ``scale``: a column is never
    cut, the first ``title_columns`` repeat on every page."""
    room = PRINTABLE_POINTS[landscape] / scale
    repeated = sum(width_points(w) for w in widths[:title_columns])
    pages, used = 1, repeated
    for w in widths[title_columns:]:
        pt = width_points(w)
        if used + pt > room and used > repeated:
            pages, used = pages + 1, repeated
        used += pt
    return pages


def legible_scale(widths: Sequence[float], landscape: bool, title_columns: int = 0) -> int | None:
    """None when the columns fit across one page at a legible scale (the page is then fitted to
    its width), else the print scale in percent: the largest up to :data:`WIDE_SCALE` that needs
    no more pages across than :data:`MIN_SCALE` does."""
    total = sum(width_points(w) for w in widths)
    if total * MIN_SCALE <= PRINTABLE_POINTS[landscape]:
        return None
    least = round(MIN_SCALE * 100)
    pages = pages_across(widths, least / 100, landscape, title_columns)
    return next(s for s in range(round(WIDE_SCALE * 100), least - 1, -1)
                if pages_across(widths, s / 100, landscape, title_columns) <= pages)


def setup_page(ws: Worksheet, *, ncols: int, nrows: int, title_rows: str | None = "1:1",
               landscape: bool | None = None, width_chars: float | None = None,
               centred: bool = False, gridlines: bool = False, title_columns: int = 1) -> None:
    """A4, title rows repeated, print area = the table, page numbers; fitted to the page width
    when the text stays legible there, else at a legible scale across several pages with the
    first ``title_columns`` columns repeated on each (:func:`legible_scale`).

    ``landscape`` None chooses by ``width_chars`` (the sum of the column widths): landscape
    when the columns do not fit across a portrait page.
    """
    widths = [0.0 if ws.column_dimensions[get_column_letter(c)].hidden
              else (ws.column_dimensions[get_column_letter(c)].width or 8.43) for c in range(1, ncols + 1)]
    if landscape is None:
        if width_chars is None:
            width_chars = sum(widths)
        landscape = width_chars > PORTRAIT_CHARS
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    scale = legible_scale(widths, landscape, title_columns)
    if scale is None:
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    else:  # too wide to fit legibly: across several pages, the first column(s) on each
        ws.sheet_properties.pageSetUpPr.fitToPage = False
        ws.page_setup.scale = scale
        ws.page_setup.pageOrder = "overThenDown"  # a band of rows across, then the next band
        if title_columns:
            ws.print_title_cols = f"A:{get_column_letter(title_columns)}"
    ws.print_options.horizontalCentered = centred
    ws.print_options.gridLines = gridlines
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.page_margins.header = ws.page_margins.footer = 0.3
    ws.oddHeader.center.text = "&A"
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    for item in (ws.oddHeader.center, ws.oddFooter.center):
        item.font, item.size = FONT, HEADER_FOOTER_POINTS
    if title_rows:
        ws.print_title_rows = title_rows
    ws.print_area = f"A1:{get_column_letter(max(ncols, 1))}{max(nrows, 1)}"


def setup_table(ws: Worksheet, columns: Sequence[str], fits: Sequence[ColumnFit], nrows: int, *,
                freeze: str | None = "A2", autofilter: bool = True, landscape: bool | None = None,
                hidden: Iterable[str] = (), title_columns: int = 1) -> None:
    """A table sheet (header in row 1, ``nrows`` rows in all with the header): widths, header
    style, frozen header, autofilter, print setup.  Columns named in ``hidden`` are kept but
    hidden (on screen and on paper).  Body cells are the caller's (or :func:`wrap_cells`)."""
    ncols = len(columns)
    apply_widths(ws, fits)
    hidden = set(hidden)
    for i, name in enumerate(columns, start=1):
        if name in hidden:
            ws.column_dimensions[get_column_letter(i)].hidden = True
    style_header(ws, ncols)
    height = header_height(columns, fits)
    if height is not None:
        ws.row_dimensions[1].height = height
    ws.freeze_panes = freeze
    if autofilter and nrows > 1:
        ws.auto_filter.ref = f"A1:{get_column_letter(ncols)}{nrows}"
    shown_fits = [f for name, f in zip(columns, fits) if name not in hidden]
    setup_page(ws, ncols=ncols, nrows=nrows, title_rows="1:1", landscape=landscape,
               width_chars=total_width(shown_fits), gridlines=True, title_columns=title_columns)
