"""The oracle of ``tests/test_locate.py``: ``reading.layout.locate`` written the plain way - a
call per cell, a table of header hits per row for every kind - where the package scans each
row once for all kinds; both must find the same layout, in the same place, on any sheet."""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from typing import Any

from taizhang.config import ColumnSpec, Config, Kind, KindSpec
from taizhang.reading.layout import HEADER_SCAN_ROWS, MIN_HEADER_MATCHES, HeaderCell, Layout
from taizhang.reading.book import Sheet
from taizhang.values import clean_text, match_key

_UNIT_SUFFIX = re.compile(r"^(?P<name>.+?)\((?P<unit>[^()]*)\)$")
_REPORTING_UNIT = re.compile(r"(?:填报|报送|填表)单位\s*[:：]\s*(?P<unit>\S.*)?$")


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


def _header_grid(sheet: Sheet, fill: dict[tuple[int, int], Any]) -> list[list[HeaderKey]]:
    """Header keys of the first rows (merged cells filled from their top-left cell)."""
    rows = min(len(sheet.rows), HEADER_SCAN_ROWS + 1)
    width = max((len(r) for r in sheet.rows[:rows]), default=0)
    grid = []
    for r in range(rows):
        cells = sheet.rows[r]
        keys = [_header_key(v) for v in cells[:width]]
        keys.extend(None for _ in range(width - len(keys)))
        grid.append(keys)
    for (r, c), value in fill.items():  # a merged cell: its top-left cell's text
        if r < rows and c < width:
            grid[r][c] = _header_key(value)
    return grid


#: Per configuration: each header key -> the column it names in each kind.
_KIND_INDEX: dict[int, tuple[Config, dict[str, dict[Kind, ColumnSpec]]]] = {}


def _kind_index(config: Config) -> dict[str, dict[Kind, ColumnSpec]]:
    """``match_key`` of every column name and synonym of every kind -> {kind: its column}: a
    header cell is looked up once for all kinds."""
    found = _KIND_INDEX.get(id(config))
    if found is None or found[0] is not config:
        if len(_KIND_INDEX) > 16:
            _KIND_INDEX.clear()
        index: dict[str, dict[Kind, ColumnSpec]] = {}
        for kind, spec in config.kinds.items():
            for key, col in spec.header_index.items():
                index.setdefault(key, {})[kind] = col
        found = _KIND_INDEX[id(config)] = (config, index)
    return found[1]


#: A row of the header grid as the columns its cells name in one kind: {column: ColumnSpec}.
RowHits = dict[int, ColumnSpec]


def _grid_hits(config: Config, grid: list[list[HeaderKey]]) -> dict[Kind, list[RowHits]]:
    """What each header cell names, for every kind in one pass over the grid (what
    :func:`_lookup` gives per kind: the whole text first, then the text without its unit)."""
    index = _kind_index(config)
    out: dict[Kind, list[RowHits]] = {kind: [{} for _ in grid] for kind in config.kinds}
    for r, keys in enumerate(grid):
        for c, hk in enumerate(keys):
            if hk is None:
                continue
            whole, bare = index.get(hk[0]), index.get(hk[1])
            if bare is not None:
                for kind, spec in bare.items():
                    out[kind][r][c] = spec
            if whole is not None:
                for kind, spec in whole.items():
                    out[kind][r][c] = spec
    return out


def _header_candidates(named: list[RowHits]) -> tuple[int, int, int]:
    """(score, row, height) of the best header, from the columns each row names in one kind."""
    best = (0, -1, 1)
    for r in range(min(len(named), HEADER_SCAN_ROWS)):
        top = named[r]
        if not top:
            continue
        s1 = len({c.field for c in top.values()})
        if s1 > best[0]:
            best = (s1, r, 1)
        if r + 1 < len(named):
            below = named[r + 1]
            combined = {**top, **below}  # the cell below names the column where it can
            s2 = len({c.field for c in combined.values()})
            if s2 > s1 and s2 > best[0]:
                best = (s2, r, 2)
    return best


def sheet_kind_hint(config: Config, sheet_name: str) -> Kind | None:
    """The kind a sheet's name points to (``信访举报台账`` -> complaints), if any."""
    key = match_key(sheet_name)
    for kind, spec in config.kinds.items():
        if any(match_key(word) in key for word in spec.sheet_keywords):
            return kind
    return None


def reference_locate(sheet: Sheet, config: Config) -> Layout | None:
    """The ledger in ``sheet``, or None when the sheet holds no ledger."""
    if not sheet.rows:
        return None
    fill = _merged_fill(sheet, HEADER_SCAN_ROWS + 2)
    grid = _header_grid(sheet, fill)
    hint = sheet_kind_hint(config, sheet.name)
    hits = _grid_hits(config, grid)
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
    return _build_layout(sheet, config.kinds[kind], row, height, grid)


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
        is_canonical = match_key(text or "").startswith(match_key(col_spec.name))
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
    return clean_text(sheet.value(row, col))


def _title_lines(sheet: Sheet, header_row: int) -> tuple[str | None, str | None]:
    """The reporting unit (``填报单位：…``) and the title from the rows above the header."""
    unit = title = None
    for r in range(header_row):
        cells = [clean_text(v) for v in sheet.rows[r]]
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
