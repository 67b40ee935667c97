"""The size scan before calamine: how far each sheet reaches, read from the sheet's own
bytes (its XML, its xlsb records, its BIFF records), so that a sheet too large for the limits
is refused before a reader builds its grid, and the cells a reader hands over empty (formulas
without a value, error values) are known by their reference.

The pieces of the scan, public so that each can be checked on its own against a reader:

- :func:`extent_bound` bounds a sheet's extent from its XML at the speed of a byte search,
  by :func:`tag_counts` (whole-array operations, for sizes within :data:`VECTOR_BYTES`) or by
  :func:`extent_bound_searched` (regular expressions and byte counts), which agree;
- :func:`harmless` says whether a sheet of such a bound needs no closer look;
- :func:`refless_row` is the last row where calamine puts a cell without a reference;
- :func:`biff_error` reads the error value (``#REF!`` …) of an .xls cell record.
"""

from __future__ import annotations

import contextlib
import functools
import io
import re
import struct
import sys
import zipfile
from dataclasses import field
from pathlib import Path
from typing import Any, NamedTuple

from taizhang.reading import package
from taizhang.reading.book import Limits, WorkbookRefused, _col_index, _local
from taizhang.reading.package import Parts, _rel_attrs, _wide, records
from taizhang.records import dataclass
from taizhang.values import LazyPattern


def _describe(height: int, width: int, limits: Limits) -> str:
    return (f"工作表有 {height:,} 行 × {width:,} 列，超过读取上限（{limits.max_rows:,} 行或 "
            f"{limits.max_cells:,} 个单元格），未读取；如确有这么多数据，请拆分后报送")


def _refuse_declarations(path: Path, part: str | None) -> None:
    if part is not None:
        raise WorkbookRefused(
            "unsafe-workbook",
            f"{path}：工作簿的“{part}”部分含有 Excel 从不生成的 XML 实体声明（可能是恶意文件），未读取")


@dataclass
class SheetScan:
    """What a byte-level pass over a sheet's XML found before any parser touches it."""

    max_row: int = 0
    max_col: int = 0
    formulas: set[tuple[int, int]] = field(default_factory=set)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    #: Cells holding a picture: WPS writes ``=DISPIMG("ID_…",1)`` as the cached text, Excel
    #: ``#VALUE!`` pointing at a rich value (``vm=``); neither is an error to report.
    images: set[tuple[int, int]] = field(default_factory=set)
    #: (rows, columns) of the grid a reader will allocate whatever the cells, where a format
    #: states it (an .xlsb's dimension record), else None.
    stated: tuple[int, int] | None = None
    #: How many cells hold something (None where the scan does not count them).
    filled: int | None = None

    def _grid(self) -> int:
        return self.max_row * self.max_col

    def sparse(self) -> bool:
        """Readers hold a sheet as a dense grid, rows x columns, whatever the cells: a grid
        far larger than the cells filled would cost memory out of all proportion to the file."""
        return (self.filled is not None and self._grid() > SPARSE_FLOOR
                and self._grid() > SPARSE_RATIO * max(self.filled, 1))

    def too_large(self, limits: Limits) -> bool:
        cells = self.max_row * min(self.max_col, limits.max_columns)
        if self.stated is not None and self.stated[0] * self.stated[1] > 4 * limits.max_cells:
            return True  # calamine would allocate the stated grid, columns and all
        return self.max_row > limits.max_rows or cells > limits.max_cells or self.sparse()

    def sparse_only(self, limits: Limits) -> bool:
        """Too large only for being sparse (a reader that keeps rows short can read it)."""
        return self.sparse() and self.max_row <= limits.max_rows and self.filled is not None \
            and self.filled <= limits.max_cells

    def describe(self, limits: Limits) -> str:
        if self.stated is not None and self.stated[0] * self.stated[1] > 4 * limits.max_cells:
            return _describe(*self.stated, limits)
        if self.sparse() and not (self.max_row > limits.max_rows
                                  or self.max_row * min(self.max_col, limits.max_columns) > limits.max_cells):
            return (f"工作表的内容散布在 {self.max_row:,} 行 × {self.max_col:,} 列的范围内，却只有 "
                    f"{self.filled:,} 个单元格有内容，读取要占用与文件大小极不相称的内存，未读取；"
                    "请删除远处多余的单元格后报送")
        return _describe(self.max_row, self.max_col, limits)


#: A grid of more cells than this, and more than this many times the cells filled, is sparse.
SPARSE_FLOOR, SPARSE_RATIO = 2_000_000, 50



#: A cell's start tag (attributes, self-closing slash) or its end tag.  Every pattern here is
#: bounded and stops at ``<``, so that a hostile part of unclosed tags costs linear time
#: (an unbounded ``.*?`` made a 500 KB part take a minute).
_CELL_TAG = LazyPattern(rb'<(?:\w+:)?c\b([^<>]{0,400}?)(/?)>|</(?:\w+:)?c>')
_CELL_REF = LazyPattern(rb'\sr="([A-Z]{1,3})(\d+)"')
_FORMULA = LazyPattern(rb"<(?:\w+:)?f\b")
_VALUE = LazyPattern(rb"<(?:\w+:)?v>([^<]{0,20})")


def _opened(source: Path | io.BytesIO | zipfile.ZipFile | Parts) -> Any:
    """A zip package to read, as a context: one already open is left open."""
    return contextlib.nullcontext(source) if isinstance(source, (zipfile.ZipFile, Parts)) else zipfile.ZipFile(source)


def _scan_cells(data: bytes, scan: SheetScan) -> None:
    """Formulas without a cached value, error values (``t="e"``) and pictures in cells."""
    ref: tuple[int, int] | None = None  # the open cell, its attributes and where its body starts
    attrs, start = b"", 0
    for m in _CELL_TAG.finditer(data):
        if m.group(1) is not None:  # <c …>
            cell = _CELL_REF.search(m.group(1))
            ref = None if m.group(2) or cell is None else (int(cell.group(2)) - 1, _col_index(cell.group(1).decode()))
            attrs, start = m.group(1), m.end()
            continue
        if ref is None:  # </c> of a cell not worth a look
            continue
        body = data[start:m.start()]
        formula = _FORMULA.search(body) is not None
        is_error = b't="e"' in attrs
        # WPS: =DISPIMG(…) cached as text; Excel: a rich value (vm=) with no formula behind it
        # (a rich value *with* a formula may be an error with details, #FIELD! and the like)
        if b"DISPIMG(" in body or (is_error and b' vm="' in attrs and (not formula or b"IMAGE(" in body)):
            scan.images.add(ref)
        else:
            value = _VALUE.search(body)
            text = value.group(1) if value else b""
            # a cached "" is <v></v> under t="str"; openpyxl's uncached formulas have <v />
            if formula and not (text or (b't="str"' in attrs and value is not None)):
                scan.formulas.add(ref)
            if is_error:
                scan.errors[ref] = text.decode("utf-8", "replace") if text else "#错误"
        ref = None


def _scan_ooxml(source: Path | io.BytesIO | zipfile.ZipFile | Parts, limits: Limits,
                path: Path | None = None) -> dict[str, SheetScan]:
    """Scan each sheet's XML for its real extent and for formulas without a cached value.

    The extent is taken from the cells that hold something (a value, inline text or a
    formula), not from the ``<dimension>`` a hostile file could fake, nor from the formatted
    empty rows Excel keeps down to row 1,048,576 when a whole column was formatted: readers
    allocate for the cells with content only.  Files written by programs (openpyxl among
    them) store formulas without results; Excel computes them on opening, but a reader sees
    an empty cell, so the checker says so.
    """
    path = path if path is not None else Path(str(source))
    scans: dict[str, SheetScan] = {}
    with _opened(source) as zf:
        zf = package.parts_of(zf)
        try:
            parts = sheet_parts(zf)
        except Exception as exc:  # noqa: BLE001 - told apart here, defusedxml imported only then
            from defusedxml import DefusedXmlException, ElementTree

            if isinstance(exc, DefusedXmlException):
                raise WorkbookRefused(
                    "unsafe-workbook",
                    f"{path}：工作簿结构中含有 Excel 从不生成的 XML 实体声明（可能是恶意文件），未读取") from None
            if isinstance(exc, (KeyError, ElementTree.ParseError, ValueError)):
                return scans
            raise
        names = set(zf.names)
        for name, part in parts.items():
            if part not in names:
                continue
            data = zf.zf.read(part)
            if package.declares_entities(data):
                _refuse_declarations(path, part)
            scan = SheetScan()
            tags = tag_counts(data)
            colons = colon_tags(data) if tags is None else None
            bound = extent_bound(data, tags, colons)
            if bound is not None and harmless(bound, limits):
                scan.max_row, scan.max_col = bound  # small whatever its cells: no closer look needed
            else:
                # Rows holding a cell with content, and such cells whose own reference lies beyond
                # row 99,999.  Only the bound matters: every one-letter column counts as 26, so the
                # scan builds no list as long as the sheet's cells.
                rows = _VALUE_ROW.findall(data) + _FAR_VALUE.findall(data)
                refless = 0 if tags is not None and not tags.unreferenced else refless_row(data)
                scan.max_row = max(max((int(r) for r in rows), default=0), refless)
                wide = set(_WIDE_VALUE.findall(data))
                scan.max_col = max((_col_index(c.decode()) + 1 for c in wide), default=26 if scan.max_row else 0)
                scan.filled = data.count(b"<v>") + data.count(b"<v ") + data.count(b":v>") + data.count(b"<is>")
            formula = tags.formula if tags is not None else (
                b"<f" in data or (colons[2] if colons is not None else b":f" in data))
            if formula or b't="e"' in data:
                _scan_cells(data, scan)
            scans[name] = scan
    return scans


#: A row or cell reference (``r="…"``) to row 1,000 or beyond, or to column AA or beyond.
#: (An attribute whose name only ends in r, ``operator="between"``, is told apart afterwards:
#: a lookbehind here would cost the search its speed.)
_FAR_REF = LazyPattern(rb"""r\s{0,8}=\s{0,8}["'](?:\$?[A-Za-z]{2}|[A-Za-z$]{0,4}0*[1-9]\d{3})""")
_NAME_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_:.-")


def extent_bound(data: bytes, tags: TagCounts | None = None,
                 colons: tuple[int, int, bool] | None = None) -> tuple[int, int] | None:
    """An upper bound of a sheet's extent (rows, columns) found at the speed of a byte search,
    or None when its references reach row 1,000 or column AA (then the cells are looked at).

    No reference beyond row 999 or column Z: a cell with a reference is placed by it, and
    the reader places one without in the column after the cell before it (the first column
    after the end of a row) and in the row it is at, which a row's reference sets and each
    end of a row moves down by one (calamine's lenient parser takes ``</row>`` as the end of
    a row whatever element it closes).  So no cell lies beyond row 999 plus the number of row
    tags, start and end, nor beyond column 26 plus the number of cell tags without a
    reference.  Tags are counted generously (``<c`` also counts ``<cols>``, a cell tag is
    taken for one with a reference only when it starts ``<c r="``): the bound only errs
    upwards.

    ``tags``: what :func:`tag_counts` found in ``data``; where it rules out every far reference,
    the answer is its counts, else the one the byte search gives (the same either way);
    ``colons``: what :func:`colon_tags` found in ``data``, when asked already.
    """
    if tags is None:
        tags = tag_counts(data)
    if tags is not None and not tags.far:
        return 999 + tags.rows, 26 + tags.cells - tags.referenced
    return extent_bound_searched(data, colons)


def extent_bound_searched(data: bytes, colons: tuple[int, int, bool] | None = None) -> tuple[int, int] | None:
    """:func:`extent_bound` by regular expression and byte counts (``colons``: see
    :func:`extent_bound`)."""
    for m in _FAR_REF.finditer(data):
        if m.start() == 0 or data[m.start() - 1] not in _NAME_BYTES:
            return None
    if colons is None:
        colons = colon_tags(data)
    if colons is None:
        colons = data.count(b":row"), data.count(b":c"), False
    rows = data.count(b"<row") + colons[0] + data.count(b"</row")
    cells = data.count(b"<c") + colons[1] - data.count(b'<c r="')
    return 999 + rows, 26 + cells


def colon_tags(data: bytes) -> tuple[int, int, bool] | None:
    """(how many ``:row``, how many ``:c``, whether a ``:f``) in ``data`` (what ``data.count``
    and ``in`` give), found by visiting each colon, where a sheet has few (one in the namespace
    of a sheet a program wrote, one a row in Excel's): three byte searches fewer.  None where
    the colons are too many for that to pay."""
    rows = cells = 0
    formula = False
    find = data.find
    at = find(b":")
    for _ in range(len(data) // 64 + 16):
        if at < 0:
            return rows, cells, formula
        after = data[at + 1:at + 4]
        if after == b"row":
            rows += 1
        elif after[:1] == b"c":
            cells += 1
        elif after[:1] == b"f":
            formula = True
        at = find(b":", at + 1)
    return None


class TagCounts(NamedTuple):
    """What :func:`extent_bound` and the formula check look for in a sheet's XML."""

    rows: int  # "<row", ":row" and "</row", counted as extent_bound counts them
    cells: int  # "<c" and ":c"
    referenced: int  # '<c r="'
    unreferenced: int  # cell tags ("<c" or ":c", then a blank, ">" or "/") not starting '<c r="'
    formula: bool  # whether there is a "<f" or ":f"
    far: bool  # whether a reference may reach row 1,000 or column AA (False: none does)


#: Sheets of these sizes are looked at with whole-array operations (numpy, which openpyxl and
#: xlwings load anyway): a few microseconds each whatever the size, where each byte search
#: costs about a microsecond per kilobyte.  Smaller sheets cost less by byte search, and larger
#: ones would hold several arrays of their size.
VECTOR_BYTES = (4096, 8 << 20)


#: Bytes of sheets a process reads by byte search before it imports numpy for the rest (unless
#: something else, openpyxl, has imported it already).  The import costs 0.1-0.15 s; the byte
#: searches cost about 17 ms a megabyte and the whole-array operations about 10, so the import
#: pays for itself only after some 15-20 MB of sheets: a single workbook or a month of 72
#: units (about 6 MB of sheets, split between two forked workers that would each import it) is
#: read sooner without it, and a large folder pays for it once in each process.  The answers
#: are the same either way.
_SEARCH_BEFORE_NUMPY = 16 << 20
_searched = 0


def _numpy_pays(size: int) -> bool:
    """Whether a sheet of ``size`` bytes is looked at with numpy (see :data:`_SEARCH_BEFORE_NUMPY`)."""
    global _searched
    if "numpy" in sys.modules or _searched >= _SEARCH_BEFORE_NUMPY:
        return True
    _searched += size
    return False


@functools.lru_cache(maxsize=1)
def _byte_classes() -> Any:
    """Byte -> class tables (numpy): name characters, letters, digits, characters of a
    reference's value, what may follow an attribute's name (blanks, ``=``) and what may
    follow a tag's name (blanks, ``>``, ``/``)."""
    import numpy as np

    letters = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

    def table(chars: bytes) -> Any:
        t = np.zeros(256, dtype=bool)
        t[list(chars)] = True
        return t

    return (np, table(bytes(_NAME_BYTES)), table(letters), table(b"0123456789"),
            table(letters + b"0123456789$"), table(b" \t\n\r\x0b\x0c="), table(b" \t\n\r>/"))


def tag_counts(data: bytes) -> TagCounts | None:
    """The row and cell tags of a sheet's XML counted, formula tags looked for, and far
    references ruled out, by whole-array operations; None for a size outside
    :data:`VECTOR_BYTES` (or without numpy).

    ``far`` errs only upwards: :data:`_FAR_REF` matches only at an ``r`` that follows a byte
    no part of a name and is followed by a blank or ``=``.  Unless every such ``r`` is followed
    by ``="`` exactly, ``far`` is True.  After ``r="`` the pattern takes two letters (or ``$``
    and two letters), or up to four letters or ``$``, zeros, then four digits the first not a
    zero: at least four characters of letters, digits and ``$``, of which the first is a digit
    when there are just four.  ``far`` is False only when no value after ``r="`` starts so.
    """
    if not VECTOR_BYTES[0] <= len(data) <= VECTOR_BYTES[1] or not _numpy_pays(len(data)):
        return None
    try:
        np, name, letter, digit, value, after_r, tag_end = _byte_classes()
    except ImportError:  # pragma: no cover - numpy comes with pandas, a dependency
        return None
    a = np.frombuffer(data + bytes(8), dtype=np.uint8)  # zeros after the end: no test runs past it
    opener = (a == 0x3C) | (a == 0x3A)  # "<" or ":"
    c = np.flatnonzero(opener[:-1] & (a[1:] == 0x63))  # "c"
    cells = len(c)
    cell_tags = int(np.count_nonzero(tag_end[a[c + 2]]))
    formula = bool((opener[:-1] & (a[1:] == 0x66)).any())  # "f"
    r = np.flatnonzero(a == 0x72)  # "r": of "row" after "<", ":" or "</" ...
    end = (a[r - 1] == 0x2F) & (a[r - 2] == 0x3C)
    rows = int(np.count_nonzero((opener[r - 1] | end) & (a[r + 1] == 0x6F) & (a[r + 2] == 0x77)))
    r = r[after_r[a[r + 1]] & ~name[a[r - 1]]]  # ... and of an attribute: then a blank or "=", after no name
    referenced = int(np.count_nonzero((a[r - 1] == 0x20) & (a[r - 2] == 0x63) & (a[r - 3] == 0x3C)
                                      & (a[r + 1] == 0x3D) & (a[r + 2] == 0x22)))  # '<c r="'
    far = False
    if len(r):
        if not ((a[r + 1] == 0x3D) & (a[r + 2] == 0x22)).all():  # not 'r="' each
            far = True
        else:
            v0, v1, v2, v3, v4 = (a[r + i] for i in range(3, 8))  # the first five bytes of each value
            two_letters = letter[v1] & (letter[v0] | ((v0 == 0x24) & letter[v2]))
            four = value[v0] & value[v1] & value[v2] & value[v3] & (value[v4] | digit[v0])
            far = bool((two_letters | four).any())
    return TagCounts(rows, cells, referenced, cell_tags - referenced, formula, far)


def harmless(bound: tuple[int, int], limits: Limits) -> bool:
    """Whether a sheet of at most ``bound`` (rows, columns) is within every limit, and too small
    a grid to be sparse (see :meth:`SheetScan.sparse`), whatever its cells."""
    rows, cols = bound
    return rows <= limits.max_rows and rows * min(cols, limits.max_columns) <= limits.max_cells \
        and rows * cols <= SPARSE_FLOOR


#: The tail of a cell's start tag followed by its content (a value, inline text, a formula).
_HAS_CONTENT = rb'[^<>]{0,400}?(?<!/)>\s{0,64}<(?:\w+:)?(?:v|is|f)\b'
#: A row, by its number, holding a cell with content: blanks and empty formatted cells are
#: stepped over (one character or one cell at a time, so that a failing row costs linear time).
_VALUE_ROW = LazyPattern(
    rb'<(?:\w+:)?row\b[^<>]{0,1000}?\sr="(\d+)"[^<>]{0,1000}?(?<!/)>'
    rb'(?:\s|<(?:\w+:)?c\b[^<>]{0,400}?/>|<(?:\w+:)?c\b[^<>]{0,400}?(?<!/)>\s{0,64}</(?:\w+:)?c>)*'
    rb'<(?:\w+:)?c\b' + _HAS_CONTENT)
_FAR_VALUE = LazyPattern(rb'\sr="[A-Z]{1,3}(\d{6,})"' + _HAS_CONTENT)
_WIDE_VALUE = LazyPattern(rb'\sr="([A-Z]{2,3})\d+"' + _HAS_CONTENT)
#: A cell with content whose tag has no attribute named r (a prefixed x:r is not one).
_REFLESS_CELL = rb'<(?:[^<>\s/:]+:)?c\b(?![^<>]{0,400}?\sr\s{0,8}=)' + _HAS_CONTENT
#: A row's start or end tag (whether it closes itself, its attributes), or a cell as above.
_ROW_EVENT = LazyPattern(rb'<(/?)(?:[^<>\s/:]+:)?row\b([^<>]{0,1000}?)(/?)>|' + _REFLESS_CELL)
_ROW_REF = LazyPattern(rb"""\sr\s{0,8}=\s{0,8}["'](\d{1,9})""")


def refless_row(data: bytes) -> int:
    """The last row (from 1) where calamine places a cell with content and without a
    reference of its own, or 0: the row a row's reference sets, moved down by one at each end
    of a row, which calamine's lenient parser takes wherever ``</row>`` closes an element.  A
    row tag that closes itself is taken both ways (expanded into a start and an end, or not
    looked at), so the answer only errs upwards.  Only sheets with such cells are walked."""
    if re.search(_REFLESS_CELL, data) is None:
        return 0
    row = last = 0  # row: where the next such cell goes (from 0), at most
    for m in _ROW_EVENT.finditer(data):
        end, attrs, closed = m.groups()
        if attrs is None:  # a cell without a reference
            last = max(last, row + 1)
        elif end:
            row += 1
        else:
            ref = _ROW_REF.search(attrs)
            start = max(int(ref.group(1)) - 1, 0) if ref else None
            if closed:
                row = row + 1 if start is None else max(row, start + 1)
            elif start is not None:
                row = start
    return last


def _scan_xlsb(source: Path | io.BytesIO | zipfile.ZipFile, limits: Limits,
               path: Path | None = None) -> dict[str, SheetScan]:
    """The real extent of each sheet of an .xlsb, from its row and cell records.

    calamine sizes a sheet's grid by the dimension record a file states (BrtWsDim), which
    costs hundreds of megabytes for a few bytes of a damaged or hostile file: the cells
    themselves say how far the sheet reaches, and the sheet is refused before it is loaded
    if that is beyond the limits, or if the stated dimension is far beyond its cells.
    """
    scans: dict[str, SheetScan] = {}
    with _opened(source) as zf:
        for name, part in _xlsb_sheet_parts(zf).items():
            try:
                data = zf.read(part)
            except KeyError:
                continue
            scan = SheetScan()
            row = -1
            for _start, rtype, body, _next in records(data):
                if rtype == 0x0000 and len(body) >= 4:  # BrtRowHdr
                    row = int.from_bytes(body[:4], "little")
                elif 0x0001 <= rtype <= 0x000B and len(body) >= 4 and row >= 0:  # BrtCell*, BrtFmla*
                    col = int.from_bytes(body[:4], "little")
                    if rtype != 0x0001:  # a blank cell holds nothing
                        scan.max_row = max(scan.max_row, row + 1)
                        scan.max_col = max(scan.max_col, col + 1)
                        scan.filled = (scan.filled or 0) + 1
                elif rtype == 0x0094 and len(body) >= 16:  # BrtWsDim: what calamine allocates
                    r1, r2, c1, c2 = (int.from_bytes(body[i:i + 4], "little") for i in (0, 4, 8, 12))
                    scan.stated = (max(r2 - r1 + 1, 0), max(c2 - c1 + 1, 0))
            scans[name] = scan
    return scans


def _xlsb_sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> the zip part holding it, in an .xlsb package."""
    data = zf.read("xl/workbook.bin")
    rels = {r.get("Id"): r.get("Target", "") for r in _rel_attrs(zf.read("xl/_rels/workbook.bin.rels"))}
    parts = {}
    for _start, rtype, body, _next in records(data):
        if rtype == 0x9C and len(body) >= 8:
            rid, pos = _wide(body, 8)
            title, _ = _wide(body, pos)
            target = rels.get(rid)
            if target:
                parts[title] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    return parts


_ODS_TOKEN = LazyPattern(
    rb'<table:table\b[^<>]*?table:name="([^"<>]*)"|<table:table-row\b([^<>]*?)>|</table:table-row>'
    rb'|<table:(?:covered-)?table-cell\b([^<>]*?)(/?)>')
_ROWS_REPEATED = LazyPattern(rb'number-rows-repeated="(\d+)"')
_COLS_REPEATED = LazyPattern(rb'number-columns-repeated="(\d+)"')
_ODS_TEXT = LazyPattern(rb"<text:p>([^<]{1,20})</text:p>")


def _scan_ods(source: Path | io.BytesIO | zipfile.ZipFile, limits: Limits,
              path: Path | None = None) -> dict[str, SheetScan]:
    """The real extent of each table of an OpenDocument spreadsheet.

    A few bytes of ``number-rows-repeated`` / ``number-columns-repeated`` can ask for
    billions of cells, which a reader would allocate before we see a row.  Only repeats that
    carry a value count: the empty trailing rows LibreOffice writes by the million do not.
    """
    path = path if path is not None else Path(str(source))
    with _opened(source) as zf:
        info = zf.getinfo("content.xml")
        if info.file_size > limits.max_unzipped_bytes:
            raise WorkbookRefused("file-too-large", f"{path}：内容解压后超过 {limits.max_unzipped_bytes // 1048576} MB，未读取")
        data = zf.read("content.xml")
    scans: dict[str, SheetScan] = {}
    scan = SheetScan()
    row_pos = col_pos = repeat = 0
    has_value = False
    for m in _ODS_TOKEN.finditer(data):
        name, row_attrs, cell_attrs, closed = m.groups()
        if name is not None:
            scan = scans.setdefault(name.decode("utf-8", "replace"), SheetScan())
            row_pos = 0
        elif row_attrs is not None:
            r = _ROWS_REPEATED.search(row_attrs)
            repeat, col_pos, has_value = int(r.group(1)) if r else 1, 0, False
        elif cell_attrs is not None:
            c = _COLS_REPEATED.search(cell_attrs)
            width = int(c.group(1)) if c else 1
            if not closed or b"value-type" in cell_attrs:
                has_value = True
                scan.max_col = max(scan.max_col, col_pos + width)
            if b'value-type="error"' in cell_attrs:
                text = _ODS_TEXT.search(data, m.end(), m.end() + 400)
                scan.errors[(row_pos, col_pos)] = text.group(1).decode("utf-8", "replace") if text else "#错误"
            col_pos += width
        else:  # end of a row
            if has_value:
                scan.max_row = row_pos + repeat
            row_pos += repeat
    return scans


#: BIFF records that hold a cell: row (u16) and column (u16) come first.  Blank cells
#: (BLANK, MULBLANK) are left out: readers do not make grid cells of them.
_BIFF_CELLS = {0x0006, 0x00FD, 0x0203, 0x0204, 0x027E, 0x0205, 0x00D6}
_BIFF_MULRK, _BIFF_BOF, _BIFF_EOF, _BIFF_SHEET = 0x00BD, 0x0809, 0x000A, 0x0085
_BIFF_FORMULA, _BIFF_BOOLERR = 0x0006, 0x0205
#: BIFF error codes and the text Excel shows for them.
_BIFF_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?",
                0x24: "#NUM!", 0x2A: "#N/A"}


def _scan_xls(path: Path, limits: Limits) -> tuple[dict[str, SheetScan], bool]:
    """The real extent of each sheet of a legacy .xls, from its cell records.

    Readers hold a sheet as a dense grid: one cell at row 65,536, column 256 of a 5 KB file
    costs a gigabyte.  Walking the BIFF records first lets such a sheet be skipped.
    """
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            name = "Workbook" if ole.exists("Workbook") else "Book"
            data = ole.openstream(name).read()
    except Exception:  # noqa: BLE001 - a damaged container: let the reader say what is wrong
        return {}, True

    def records(pos: int):
        while pos + 4 <= len(data):
            rtype, size = struct.unpack_from("<HH", data, pos)
            yield pos, rtype, data[pos + 4: pos + 4 + size]
            pos += 4 + size

    sheets: list[tuple[str, int]] = []
    biff8 = True
    for pos, rtype, body in records(0):
        if rtype == _BIFF_BOF and pos == 0 and len(body) >= 2:
            biff8 = struct.unpack_from("<H", body)[0] >= 0x0600
        elif rtype == _BIFF_SHEET and len(body) >= 8:
            offset, cch = struct.unpack_from("<I", body)[0], body[6]
            if biff8:
                raw = body[8:]
                title = raw[: cch * 2].decode("utf-16-le", "replace") if body[7] & 1 else raw[:cch].decode("latin-1")
            else:
                title = body[7: 7 + cch].decode("gbk", "replace")
            sheets.append((title, offset))
        elif rtype == _BIFF_EOF:
            break
    scans: dict[str, SheetScan] = {}
    for title, offset in sheets:
        scan = scans.setdefault(title, SheetScan())
        for _pos, rtype, body in records(offset):
            if rtype in _BIFF_CELLS and len(body) >= 4:
                row, col = struct.unpack_from("<HH", body)
                error = biff_error(rtype, body)
                if error is not None:
                    scan.errors[(row, col)] = error
            elif rtype == _BIFF_MULRK and len(body) >= 6:
                row = struct.unpack_from("<H", body)[0]
                col = struct.unpack_from("<H", body, len(body) - 2)[0]
            elif rtype == _BIFF_EOF:
                break
            else:
                continue
            scan.max_row = max(scan.max_row, row + 1)
            scan.max_col = max(scan.max_col, col + 1)
            scan.filled = (scan.filled or 0) + (len(body) - 6) // 6 if rtype == _BIFF_MULRK else (scan.filled or 0) + 1
    return scans, biff8


def biff_error(rtype: int, body: bytes) -> str | None:
    """The error a BOOLERR or FORMULA record shows (``#REF!`` …), or None."""
    if rtype == _BIFF_BOOLERR and len(body) >= 8 and body[7] == 1:
        return _BIFF_ERRORS.get(body[6], "#错误")
    if rtype == _BIFF_FORMULA and len(body) >= 14 and body[12:14] == b"\xff\xff" and body[6] == 2:
        return _BIFF_ERRORS.get(body[8], "#错误")
    return None


def sheet_parts(zf: zipfile.ZipFile | Parts) -> dict[str, str]:
    """Sheet name -> the zip part holding it, in an xlsx/xlsm package (a ``zipfile.ZipFile``,
    or a :class:`package.Parts`, which keeps the answer, or the error, for the next asking)."""
    if not isinstance(zf, Parts):
        return _sheet_parts(zf.read)
    memo = zf.memo.get("sheet_parts")
    if memo is None:
        try:
            memo = zf.memo["sheet_parts"] = _sheet_parts(zf.read)
        except Exception as exc:  # noqa: BLE001 - the callers tell the errors apart
            memo = zf.memo["sheet_parts"] = exc
    if isinstance(memo, Exception):
        raise memo
    return dict(memo)


def _sheet_parts(read: Any) -> dict[str, str]:
    wb = parse_xml(read("xl/workbook.xml"))
    rels = parse_xml(read("xl/_rels/workbook.xml.rels"))
    targets = {}
    for rel in rels:
        target = rel.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else "xl/" + target
        targets[rel.get("Id")] = target
    # by local names: transitional and strict OOXML differ only in their namespaces
    parts = {}
    for sh in (e for e in wb.iter() if _local(e.tag) == "sheet"):
        rid = next((v for k, v in sh.attrib.items() if _local(k) == "id"), None)
        if rid in targets:
            parts[sh.get("name")] = targets[rid]
    return parts


#: The encoding an XML declaration names.
_XML_ENCODING = LazyPattern(rb"""<\?xml\b[^<>]{0,200}?\bencoding\s{0,8}=\s{0,8}["']([^"'<>]{0,40})["']""")


def parse_xml(data: bytes) -> Any:
    """The element tree of a part, by defusedxml (which refuses entity declarations: the
    billion-laughs bomb, external entities) wherever the part may declare one.  A part with
    no ``!`` byte cannot (no ``<!DOCTYPE``, ``<!ENTITY``, nor comment or CDATA, in UTF-8 or
    UTF-16, where ``!`` is that byte): it is parsed by the standard library's parser, the
    same tree at a third less of the time, without importing defusedxml."""
    if b"!" not in data and _utf(data):
        from xml.etree import ElementTree
    else:
        from defusedxml import ElementTree
    return ElementTree.fromstring(data)


def _utf(data: bytes) -> bool:
    """Whether the XML declaration of ``data``, if any, names UTF-8 or UTF-16 (or none): the
    encodings in which a ``!`` is a ``!`` byte."""
    head = data[:400]
    if b"encoding" not in head:
        return True
    found = _XML_ENCODING.search(head)
    return found is not None and found.group(1).strip().lower().replace(b"_", b"-") in (
        b"utf-8", b"utf8", b"utf-16", b"utf16")

