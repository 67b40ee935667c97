"""A ledger in a worksheet range, read column by column, for the worksheet functions that add
up or count a column or two (``REFUND_TOTAL``, ``COMPLAINT_COUNT`` …).

:func:`read_columns` gives what ``ranges.ledger_in`` gives for the fields a function reads,
without a typed row per line:

- the header is found on the first rows by ``layout.locate``, as for a whole sheet;
- the rows are told apart by the rules of ``reading.ledger.read_ledger``: a 合计/小计/总计
  row is a claim, never a row, a ``填表人：…`` line ends the table, a row blank in the ledger's
  columns (or holding only a 序号) is skipped.  A number or a date can never be such a label,
  so only the text cells of the range are looked at, each distinct text once;
- an error value (``#N/A`` …) in a ledger column of a row the reader looks at is the same
  ``#错误：C12 显示错误值 #N/A，请先改正`` RangeError;
- only the fields asked for are parsed, with the row model's own validators (each distinct
  value once; plain numbers in a money column by ``values.parse_money_column``).  A kind whose
  rows have rules beyond their fields' validators (a ``prepare``, a model validator) has its
  data rows parsed by ``model.parse_rows``, as the reader does.

``tests/test_column_path.py`` holds every worksheet function to the figures the whole reading
gives, on random ranges.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import compress
from typing import Any, Iterable

from taizhang.config import Config, Kind
from taizhang.model import (
    LedgerRow,
    Origin,
    ParseContext,
    _as_money,
    _by_columns,
    _Info,
    _parse_value,
    _validator_of,
    construct,
    parse_rows,
    row_model,
)
from taizhang.reading.layout import HEADER_SCAN_ROWS, Layout, locate
from taizhang.reading.ledger import _Texts, classify_rows
from taizhang.reading.source import Sheet, cell_ref
from taizhang.values import parse_money_column

#: The name ``ranges.ledger_in`` gives the range (the rows' origin, file and sheet).
SHEET = "所选区域"
#: The rows ``locate`` reads to find a header: the rows it scans and the one under the last.
HEAD_ROWS = HEADER_SCAN_ROWS + 2
#: Types whose equal values are the same cell value, when a column mixes no two numeric types.
_BY_VALUE = frozenset({str, float, int, bool, Decimal, datetime, date, type(None)})
_NUMERIC = frozenset({float, int, bool, Decimal})


class Unreadable(Exception):
    """Cells the column path does not take (a value that cannot be hashed): read it whole."""


@dataclass
class Columns:
    """The data rows of a ledger in a range, field by field."""

    kind: Kind
    #: Excel row number (within the range) of each data row, in order.
    rows: list[int]
    #: field -> its typed value in each data row (None: blank, not understood or not parsed).
    values: dict[str, list[Any]]
    #: The typed rows, when the kind's rows were parsed whole (``model.parse_rows``).
    typed: list[LedgerRow] | None = None

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, name: str) -> list[Any]:
        found = self.values.get(name)
        if found is None:
            found = [getattr(r, name) for r in self.typed] if self.typed is not None else [None] * len(self.rows)
            self.values[name] = found
        return found

    def keep(self, mask: Iterable[Any]) -> Columns:
        """The rows where ``mask`` is true."""
        mask = list(mask)
        return Columns(self.kind, list(compress(self.rows, mask)),
                       {f: list(compress(v, mask)) for f, v in self.values.items()},
                       None if self.typed is None else list(compress(self.typed, mask)))

    def models(self) -> list[LedgerRow]:
        """The rows as row models holding the fields parsed (the others None), as
        ``ranges.ledger_in(…, fields=…)`` gives them: for a kind's figures."""
        if self.typed is not None:
            return self.typed
        model = row_model(self.kind)
        out = []
        for i, row in enumerate(self.rows):
            values: dict[str, Any] = {"origin": construct(Origin, {"file": SHEET, "sheet": SHEET, "row": row})}
            for name, column in self.values.items():
                values[name] = column[i]
            out.append(construct(model, values))
        return out


def read_columns(values: Any, config: Config, kind: Kind, fields: set[str]) -> Columns | None:
    """The ``kind`` ledger of a range (header included), its ``fields`` parsed; the
    ``ranges.RangeError`` of ``ranges.ledger_in`` when the range holds no such ledger or shows
    an error value the reader would meet; None when the cells are for the whole reading (see
    :class:`Unreadable`)."""
    try:
        return _read(values, config, kind, fields)
    except Unreadable:
        return None


def _read(values: Any, config: Config, kind: Kind, fields: set[str]) -> Columns:
    from taizhang.ranges import EXCEL_ERRORS, RangeError, grid, no_ledger

    rows = values if isinstance(values, list) and values and set(map(type, values)) <= {list, tuple} \
        else grid(values)
    head = [[None if isinstance(v, str) and v in EXCEL_ERRORS else v for v in r] for r in rows[:HEAD_ROWS]]
    layout = locate(Sheet(name=SHEET, visible=True, rows=head), config)
    if layout is None or layout.kind is not kind:
        raise no_ledger(config, kind)
    start = layout.data_start
    body = rows[start:]
    lengths = set(map(len, body))
    width = max(lengths, default=0)
    if len(lengths) > 1:  # ragged rows: the missing cells are blanks
        body = [list(r) + [None] * (width - len(r)) for r in body]
    cols: list[Any] = list(zip(*body)) if body else []
    errors = _error_values(cols, EXCEL_ERRORS)
    texts = _Texts()
    end, data = _data_rows(cols, len(body), layout, texts)
    ledger_cols = {c: k for k, c in enumerate(layout.columns.values())}
    broken = sorted(((i, ledger_cols[j]), j) for (i, j) in errors
                    if i < end and j in ledger_cols and texts.first([c[i] for c in cols], 1))
    if broken:
        (i, _order), j = broken[0]
        raise RangeError(f"{cell_ref(start + i, j)} 显示错误值 {errors[(i, j)]}，请先改正")
    return _parse(cols, len(body), width, data, layout, config, fields)


def _error_values(cols: list[Any], shown: frozenset[str]) -> dict[tuple[int, int], str]:
    """(row, column) -> the error value shown there; those cells become blanks in ``cols``."""
    errors: dict[tuple[int, int], str] = {}
    for j, col in enumerate(cols):
        try:
            if shown.isdisjoint(col):
                continue
        except TypeError:
            raise Unreadable from None
        col = list(col)
        for i, v in enumerate(col):
            if isinstance(v, str) and v in shown:
                errors[(i, j)] = v
                col[i] = None
        cols[j] = col
    return errors


def _data_rows(cols: list[Any], n: int, layout: Layout, texts: _Texts) -> tuple[int, list[int] | None]:
    """(the row the table ends before, the data rows: None when every row before the end is
    one), as the reader tells them apart (``reading.ledger.classify_rows``)."""
    end, blank, labels = classify_rows(cols, n, layout, texts)
    skip = blank | labels.keys()
    if end == n and not skip:
        return end, None
    return end, [i for i in range(end) if i not in skip]


def _column_rules(model: type[LedgerRow]) -> bool:
    """Whether every rule of ``model`` is one of its fields' validators, applied cell by cell."""
    return _by_columns(model) and model.prepare.__func__ is LedgerRow.prepare.__func__ \
        and not model.__pydantic_decorators__.model_validators


def _parse(cols: list[Any], n: int, width: int, data: list[int] | None, layout: Layout, config: Config,
           fields: set[str]) -> Columns:
    kind = layout.kind
    model = row_model(kind)
    start = layout.data_start
    index = range(n) if data is None else data
    numbers = [start + i + 1 for i in index]
    ctx = ParseContext(config, kind, layout.scales)

    def cells(c: int) -> list[Any]:
        if c >= width:
            return [None] * len(numbers)
        col = cols[c]
        return list(col) if data is None else [col[i] for i in data]

    if not _column_rules(model):  # the rows parsed whole, as the reader parses them
        raw = {f: cells(c) for f, c in layout.columns.items()}
        dicts = [dict(zip(raw, values)) for values in zip(*raw.values())] if raw else [{} for _ in numbers]
        origins = [construct(Origin, {"file": SHEET, "sheet": SHEET, "row": r}) for r in numbers]
        typed = [row for row, _problems in parse_rows(kind, dicts, origins, ctx, fields)]
        return Columns(kind, numbers, {}, typed)
    out: dict[str, list[Any]] = {}
    for name in fields:
        c = layout.columns.get(name)
        if c is not None and name in model.model_fields:
            out[name] = _typed(model, name, cells(c), ctx)
    return Columns(kind, numbers, out)


def _typed(model: type[LedgerRow], name: str, raw: list[Any], ctx: ParseContext) -> list[Any]:
    """The typed values of one field's cells: its validator's, None where it fails."""
    validator = _validator_of(model, name)
    if validator is _as_money:
        found = parse_money_column(raw, ctx.scales.get(name, Decimal(1)))
        if found is not None:
            return found
    info = _Info(name, ctx)
    kinds = set(map(type, raw))
    try:
        if kinds <= _BY_VALUE and len(kinds & _NUMERIC) <= 1:  # equal values are the same cell value
            # the first of equal values stands for them, as in model.parse_rows (0.0 for -0.0)
            memo = {v: _parse_value(validator, v, info, ctx)[0] for v in dict.fromkeys(raw)}
            return list(map(memo.__getitem__, raw))
        typed_memo: dict[tuple[type, Any], Any] = {}
        out = []
        for v in raw:
            key = (type(v), v)
            if key not in typed_memo:
                typed_memo[key] = _parse_value(validator, v, info, ctx)[0]
            out.append(typed_memo[key])
        return out
    except TypeError:  # a value that cannot be hashed: never from a cell
        return [_parse_value(validator, v, info, ctx)[0] for v in raw]


__all__ = ["HEAD_ROWS", "SHEET", "Columns", "Unreadable", "read_columns"]
