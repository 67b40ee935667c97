"""Find a ledger in a sheet: its kind, its header row(s) and which column holds which field.

Units' sheets have title rows, a ``填报单位：…`` line, headers spread over two rows under
merged parent cells, synonyms instead of the standard names and columns in any order.  The
header is the row (or pair of rows) among the first rows of the sheet that names the most
known columns of one ledger kind; a sheet name with a ledger keyword (整改, 信访, …) settles
the kind when the header alone is not clear.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache
from dataclasses import field
from decimal import Decimal
from typing import Any

from taizhang.config import ColumnSpec, Config, Kind, KindSpec, config_memo
from taizhang.reading.book import Sheet
from taizhang.records import dataclass
from taizhang.values import clean_text, clean_text_column, is_trimmed, match_key

#: How far down a sheet the header is looked for.
HEADER_SCAN_ROWS = 30
#: Known columns a header row must name to be taken as a ledger's header.
MIN_HEADER_MATCHES = 3

_UNIT_SUFFIX = re.compile(r"^(?P<name>.+?)\((?P<unit>[^()]*)\)$")
_REPORTING_UNIT = re.compile(r"(?:填报|报送|填表)单位\s*[:：]\s*(?P<unit>\S.*)?$")


@dataclass(frozen=True)
class HeaderCell:
    """A cell of a ledger's header: its column, its text, the column it names (None: none)."""

    col: int
    text: str
    spec: ColumnSpec | None


@dataclass
class Layout:
    """Where a ledger's parts are in its sheet.  Rows and columns are 0-based."""

    kind: Kind
    spec: KindSpec
    header_row: int
    header_height: int
    columns: dict[str, int]  # field -> column
    scales: dict[str, Decimal]  # field -> multiplier for plain numbers (万元 -> 10000)
    unknown: list[HeaderCell] = field(default_factory=list)
    duplicates: list[HeaderCell] = field(default_factory=list)
    missing_required: list[ColumnSpec] = field(default_factory=list)
    reporting_unit: str | None = None
    title: str | None = None

    @property
    def data_start(self) -> int:
        return self.header_row + self.header_height


def _split_unit(text: str) -> tuple[str, Decimal]:
    """``应退金额（万元）`` -> (``应退金额``, 10000); the key is already NFKC-normalised."""
    m = _UNIT_SUFFIX.match(text)
    if not m:
        return text, Decimal(1)
    unit = m.group("unit")
    scale = Decimal(10000) if "万" in unit else Decimal(1)
    return m.group("name"), scale


#: A header cell prepared for lookups: its key, the key without a unit suffix, the unit's scale.
HeaderKey = tuple[str, str, Decimal] | None


def _header_key(raw: Any) -> HeaderKey:
    if not isinstance(raw, str):
        return None  # numbers and dates are never headers
    return _text_key(raw) if len(raw) <= 200 else _text_key.__wrapped__(raw)


@lru_cache(maxsize=8192)
def _text_key(raw: str) -> HeaderKey:
    """The header key of a text (the same texts come back sheet after sheet)."""
    text = clean_text(raw)
    if text is None:
        return None
    key = match_key(text)
    name, scale = _split_unit(key)
    return key, name, scale


@lru_cache(maxsize=4096)
def _key(text: str) -> str:
    """``match_key`` of a header text, a column name, a sheet name or its keywords: the same
    few come back sheet after sheet."""
    return match_key(text)


def _lookup(spec: KindSpec, hk: HeaderKey) -> tuple[ColumnSpec | None, Decimal]:
    if hk is None:
        return None, Decimal(1)
    key, name, scale = hk
    hit = spec.header_index.get(key)
    if hit is not None:
        return hit, Decimal(1)
    return spec.header_index.get(name), scale


def _merged_fill(sheet: Sheet, limit: int) -> dict[tuple[int, int], Any]:
    """Value of the top-left cell for every cell inside a merged range in the first rows."""
    fill: dict[tuple[int, int], Any] = {}
    for (r0, c0), (r1, c1) in sheet.merged:
        if r0 >= limit:
            continue
        value = sheet.value(r0, c0)
        for r in range(r0, min(r1, limit) + 1):
            for c in range(c0, c1 + 1):
                fill[(r, c)] = value
    return fill


def _header_grid(sheet: Sheet, fill: dict[tuple[int, int], Any],
                 only: tuple[int, int] | None = None) -> list[list[HeaderKey]]:
    """Header keys of the first rows (merged cells filled from their top-left cell);
    ``only``: just the rows from ``only[0]`` to before ``only[1]`` (the header's: the others
    are left empty)."""
    rows = min(len(sheet.rows), HEADER_SCAN_ROWS + 1)
    width = max(map(len, sheet.rows[:rows]), default=0)
    grid = []
    text_key, header_key = _text_key, _header_key
    for r in range(rows):
        if only is not None and not only[0] <= r < only[1]:
            grid.append([])
            continue
        cells = sheet.rows[r]
        # what _header_key gives, without a call for the numbers, dates and blanks
        keys = [(text_key(v) if len(v) <= 200 else header_key(v)) if type(v) is str
                else (header_key(v) if isinstance(v, str) else None) for v in cells[:width]]
        if len(keys) < width:
            keys.extend(itertools.repeat(None, width - len(keys)))
        grid.append(keys)
    for (r, c), value in fill.items():  # a merged cell: its top-left cell's text
        if r < rows and c < width and (only is None or only[0] <= r < only[1]):
            grid[r][c] = _header_key(value)
    return grid


#: Per configuration (``config_memo``): each header key -> the column it names in each kind.
_KIND_INDEX: dict[tuple[int, None], tuple[Config, dict[str, dict[Kind, ColumnSpec]]]] = {}


def _kind_index(config: Config) -> dict[str, dict[Kind, ColumnSpec]]:
    """``match_key`` of every column name and synonym of every kind -> {kind: its column}: a
    header cell is looked up once for all kinds."""
    def make() -> dict[str, dict[Kind, ColumnSpec]]:
        index: dict[str, dict[Kind, ColumnSpec]] = {}
        for kind, spec in config.kinds.items():
            for key, col in spec.header_index.items():
                index.setdefault(key, {})[kind] = col
        return index

    return config_memo(_KIND_INDEX, config, make=make)


#: A row of the header grid as the columns its cells name in one kind: {column: ColumnSpec}.
RowHits = dict[int, ColumnSpec]


def _header_candidates(named: dict[int, RowHits]) -> tuple[int, int, int]:
    """(score, row, height) of the best header, from the columns each row names in one kind
    (the rows naming none left out)."""
    best = (0, -1, 1)
    for r, top in named.items():
        if r >= HEADER_SCAN_ROWS:
            break  # the row under the last scanned one: only ever the lower row of a header
        s1 = len({c.field for c in top.values()})
        if s1 > best[0]:
            best = (s1, r, 1)
        below = named.get(r + 1)
        if below:
            combined = {**top, **below}  # the cell below names the column where it can
            s2 = len({c.field for c in combined.values()})
            if s2 > s1 and s2 > best[0]:
                best = (s2, r, 2)
    return best


def sheet_kind_hint(config: Config, sheet_name: str) -> Kind | None:
    """The kind a sheet's name points to (``信访举报台账`` -> complaints), if any."""
    key = _key(sheet_name) if len(sheet_name) <= 200 else match_key(sheet_name)
    for kind, spec in config.kinds.items():
        if any(_key(word) in key for word in spec.sheet_keywords):
            return kind
    return None


#: Per configuration (``config_memo``): a header cell's value -> what it names in each kind
#: ({kind: its column}, empty when nothing: any value but a text).
_TEXT_HITS: dict[tuple[int, None], tuple[Config, dict[Any, dict[Kind, ColumnSpec]]]] = {}
_NO_HITS: dict[Kind, ColumnSpec] = {}


def _hits_of(index: dict[str, dict[Kind, ColumnSpec]], hk: HeaderKey) -> dict[Kind, ColumnSpec]:
    """What a header key names in each kind: the whole text's column, else the one of the text
    without its unit."""
    if hk is None:
        return _NO_HITS
    whole, bare = index.get(hk[0]), index.get(hk[1])
    if whole is None:
        return bare or _NO_HITS
    return {**bare, **whole} if bare else whole


def _header_hits(sheet: Sheet, config: Config, fill: dict[tuple[int, int], Any]) -> dict[Kind, dict[int, RowHits]]:
    """What each cell of the first rows names (merged cells filled from their top-left cell),
    for every kind in one pass: per kind, row -> what its cells name, for the rows naming
    something, in order.  Each distinct text is looked up once per configuration (the whole
    text first, then the text without its unit), so that most cells, a ledger's first rows of
    data, cost one look-up; no grid of keys is made (:func:`_header_grid` makes the header's)."""
    memo: dict[Any, dict[Kind, ColumnSpec]] = config_memo(_TEXT_HITS, config)
    if len(memo) > 65536:  # a long-lived process reading many files: kept bounded
        memo.clear()
    index = _kind_index(config)
    rows = min(len(sheet.rows), HEADER_SCAN_ROWS + 1)
    width = max(map(len, sheet.rows[:rows]), default=0)
    merged: dict[int, dict[int, Any]] = {}
    for (r, c), value in fill.items():  # a merged cell: its top-left cell's text
        if r < rows and c < width:
            merged.setdefault(r, {})[c] = value
    out: dict[Kind, dict[int, RowHits]] = {kind: {} for kind in config.kinds}
    get = memo.get
    for r in range(rows):
        cells = sheet.rows[r]
        if r in merged:
            cells = list(cells) + [None] * (width - len(cells))
            for c, value in merged[r].items():
                cells[c] = value
        try:
            got = list(map(get, cells))  # the row's cells looked up at C speed
        except TypeError:  # an unhashable value (never from a reader): each on its own
            got = [None] * len(cells)
        if None in got:
            for c, value in enumerate(cells):
                if got[c] is None:
                    got[c] = _cell_hits(memo, index, value)
        for c, hits in itertools.compress(enumerate(got), got):  # the cells naming something
            for kind, spec in hits.items():
                row_hits = out[kind].get(r)
                if row_hits is None:
                    row_hits = out[kind][r] = {}
                row_hits[c] = spec
    return out


def _cell_hits(memo: dict[Any, dict[Kind, ColumnSpec]], index: dict[str, dict[Kind, ColumnSpec]],
               value: Any) -> dict[Kind, ColumnSpec]:
    """What a cell names in each kind, kept in ``memo`` for the next cell of its value: a text
    (up to 200 characters) by its header key, any other value (a number, a date, a blank)
    nothing."""
    if isinstance(value, str):
        hits = _hits_of(index, _header_key(value))
        if type(value) is str and len(value) <= 200:
            memo[value] = hits
        return hits
    try:
        memo[value] = _NO_HITS
    except TypeError:  # unhashable
        pass
    return _NO_HITS


def locate(sheet: Sheet, config: Config) -> Layout | None:
    """The ledger in ``sheet``, or None when the sheet holds no ledger."""
    if not sheet.rows:
        return None
    fill = _merged_fill(sheet, HEADER_SCAN_ROWS + 2)
    hint = sheet_kind_hint(config, sheet.name)
    hits = _header_hits(sheet, config, fill)
    scored = []
    for kind in config.kinds:
        score, row, height = _header_candidates(hits[kind])
        bonus = 1 if kind is hint else 0
        scored.append((score + bonus, score, kind, row, height))
    scored.sort(key=lambda t: (t[0], t[2] is hint), reverse=True)
    _total, score, kind, row, height = scored[0]
    needed = MIN_HEADER_MATCHES - (1 if kind is hint else 0)
    if score < needed:
        return None
    return _build_layout(sheet, config.kinds[kind], row, height, _header_grid(sheet, fill, (row, row + height)))


def _build_layout(sheet: Sheet, spec: KindSpec, row: int, height: int,
                  grid: list[list[HeaderKey]]) -> Layout:
    top = grid[row]
    below = grid[row + 1] if height == 2 else [None] * len(top)
    columns: dict[str, int] = {}
    scales: dict[str, Decimal] = {}
    canonical_hit: dict[str, bool] = {}
    unknown: list[HeaderCell] = []
    duplicates: list[HeaderCell] = []
    reported: set[str] = set()
    for c in range(len(top)):
        parent = _text_of(sheet, grid, row, c)
        child = _text_of(sheet, grid, row + 1, c) if height == 2 else None
        col_spec, scale, text = None, Decimal(1), None
        for candidate, hk in ((child, below[c]), (parent, top[c])):
            if candidate is not None:
                col_spec, scale = _lookup(spec, hk)
                if col_spec is not None:
                    text = candidate
                    break
        if col_spec is None:
            text = child or parent
            if text is None or text in reported:
                continue  # blank, or a merged parent such as 金额（元） already reported
            reported.add(text)
            unknown.append(HeaderCell(c, text, None))
            continue
        if text == child and parent and parent != child and scale == 1 and top[c] is not None:
            # a child under a merged parent such as 金额（万元）: the parent's unit applies
            scale = top[c][2]
        is_canonical = (_key(text) if text and len(text) <= 200 else match_key(text or "")).startswith(
            _key(col_spec.name))
        if col_spec.field in columns:
            if is_canonical and not canonical_hit[col_spec.field]:
                duplicates.append(HeaderCell(columns[col_spec.field], text or "", col_spec))
                scales.pop(col_spec.field, None)
            else:
                duplicates.append(HeaderCell(c, text or "", col_spec))
                continue
        columns[col_spec.field] = c
        canonical_hit[col_spec.field] = is_canonical
        if scale != 1:
            scales[col_spec.field] = scale
    # 序号 beside 编号 (or the reverse) is an ordinary layout, not a duplicate to report.
    duplicates = [d for d in duplicates if d.spec is None or d.spec.field != "seq"]
    missing = [c for c in spec.columns if c.required and c.field not in columns]
    unit, title = _title_lines(sheet, row)
    return Layout(
        kind=spec.kind, spec=spec, header_row=row, header_height=height,
        columns=columns, scales=scales, unknown=unknown, duplicates=duplicates,
        missing_required=missing, reporting_unit=unit, title=title,
    )


def _text_of(sheet: Sheet, grid: list[list[HeaderKey]], row: int, col: int) -> str | None:
    """The header text at (row, col), merged cells filled, for messages."""
    hk = grid[row][col] if row < len(grid) and col < len(grid[row]) else None
    if hk is None:
        return None
    for (r0, c0), (r1, c1) in sheet.merged:
        if r0 <= row <= r1 and c0 <= col <= c1:
            return clean_text(sheet.value(r0, c0))
    value = sheet.value(row, col)
    return value if type(value) is str and is_trimmed(value) else clean_text(value)


def _title_lines(sheet: Sheet, header_row: int) -> tuple[str | None, str | None]:
    """The reporting unit (``填报单位：…``) and the title from the rows above the header."""
    unit = title = None
    for r in range(header_row):
        row = sheet.rows[r]
        cells = clean_text_column(row)  # a row of texts at once
        if cells is None:
            cells = [clean_text(v) for v in row]
        texts = [t for t in cells if t]
        if not texts:
            continue
        if title is None and len(texts) == 1 and "：" not in texts[0] and ":" not in texts[0]:
            title = texts[0]
        for i, text in enumerate(texts):
            m = _REPORTING_UNIT.search(text)
            if not m:
                continue
            found = m.group("unit")
            if not found and i + 1 < len(texts):
                found = texts[i + 1]
            if found:
                # "填报单位：县一中    填报月份：2026年10月" in one cell
                found = re.split(r"\s{2,}|\s*(?:填报|报送|填表)(?:月份|日期|时间)\s*[:：]", found)[0].strip()
                unit = unit or found or None
    return unit, title
