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
- only the fields asked for are parsed, with the row model's own validators, by the column
  parser of ``model.parse_rows`` (each distinct value once, plain numbers in a money column in
  one go), after the rules a kind applies to whole rows (a ``prepare``, a model validator)
  where they may set a field asked for (a row model names the fields its rules set in
  ``derived``); no row is built.

``tests/test_column_path.py`` holds every worksheet function to the figures the whole reading
gives, on random ranges.
"""

from __future__ import annotations

from itertools import compress
from typing import Any, Iterable

from taizhang.config import Config, Kind
from taizhang.errors import TaizhangError
from taizhang.model import LedgerRow, ParseContext, ParseInfo, fields_of, row_model
from taizhang.records import dataclass
from taizhang.validation import _by_columns, _parse_column, _plan, _validator_of
from taizhang.reading.layout import HEADER_SCAN_ROWS, Layout, locate
from taizhang.reading.ledger import _Texts, classify_rows
from taizhang.reading.book import Sheet, cell_ref

class RangeError(TaizhangError, ValueError):
    """The range holds no ledger, or an argument cannot be understood; a Chinese message."""


def grid(values: Any) -> list[list[Any]]:
    """A 2-D list from whatever a range gives: a single value, a row, or rows."""
    if values is None:
        return []
    if not isinstance(values, (list, tuple)):
        return [[values]]
    if values and not isinstance(values[0], (list, tuple)):
        return [list(values)]
    return [list(r) for r in values]


#: The error values Excel shows, as xlwings (``err_to_str=True``) and openpyxl hand them over.
EXCEL_ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
                          "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!"})


def no_ledger(config: Config, kind: Kind | None) -> RangeError:
    what = config.kinds[kind].label if kind else "台账"
    return RangeError(f"所选区域中没有找到{what}的表头（区域应包含表头行）")


#: The name ``ranges.ledger_in`` gives the range (the rows' origin, file and sheet).
SHEET = "所选区域"
#: The rows ``locate`` reads to find a header: the rows it scans and the one under the last.
HEAD_ROWS = HEADER_SCAN_ROWS + 2


class Unreadable(Exception):
    """Cells the column path does not take (a value that cannot be hashed), or a row model
    with rules of its own: read the range whole."""


@dataclass
class Columns:
    """The data rows of a ledger in a range, field by field."""

    kind: Kind
    #: Excel row number (within the range) of each data row, in order.
    rows: list[int]
    #: field -> its typed value in each data row (None: blank, not understood or not parsed).
    values: dict[str, list[Any]]

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, name: str) -> list[Any]:
        found = self.values.get(name)
        return found if found is not None else [None] * len(self.rows)

    def keep(self, mask: Iterable[Any]) -> Columns:
        """The rows where ``mask`` is true."""
        mask = list(mask)
        return Columns(self.kind, list(compress(self.rows, mask)),
                       {f: list(compress(v, mask)) for f, v in self.values.items()})

    @classmethod
    def of_rows(cls, kind: Kind, rows: list[LedgerRow], fields: Iterable[str]) -> Columns:
        """The columns of typed rows (the whole reading's)."""
        return cls(kind, [r.origin.row for r in rows], {f: [getattr(r, f) for r in rows] for f in fields})


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


def _parse(cols: list[Any], n: int, width: int, data: list[int] | None, layout: Layout, config: Config,
           fields: set[str]) -> Columns:
    kind = layout.kind
    model = row_model(kind)
    if not _by_columns(model):  # rules of its own (a field validator): the whole reading
        raise Unreadable
    start = layout.data_start
    index = range(n) if data is None else data
    numbers = [start + i + 1 for i in index]
    ctx = ParseContext(config, kind, layout.scales)

    def cells(c: int) -> list[Any]:
        if c >= width:
            return [None] * len(numbers)
        col = cols[c]
        return list(col) if data is None else [col[i] for i in data]

    wanted = [f for f in fields_of(model) if f in fields and f != "origin"]
    raw: dict[str, list[Any]] = {}
    plan = _plan(model)  # the kind's rules of whole rows: its own prepare, its before_parse
    derived = getattr(model, "derived", None)  # what those rules may set; None: not said
    if (plan.prepares or plan.before) and (derived is None or not derived.isdisjoint(wanted)):
        # rules of the rows beyond their fields' validators: applied to whole rows, as
        # model.parse_rows applies them, then the fields asked for taken from what they give
        whole = {f: cells(c) for f, c in layout.columns.items()}
        rows = [dict(zip(whole, values)) for values in zip(*whole.values())] if whole else [{} for _ in numbers]
        rows = [model.prepare(r) for r in rows]
        info = ParseInfo(None, ctx)
        for rule in plan.before:
            rows = [rule(r, info) for r in rows]
        present = set().union(*rows)
        raw = {f: [r.get(f) for r in rows] for f in wanted if f in present}
    else:
        raw = {f: cells(layout.columns[f]) for f in wanted if f in layout.columns}
    return Columns(kind, numbers, {f: _typed(model, f, values, ctx) for f, values in raw.items()})


def _typed(model: type[LedgerRow], name: str, raw: list[Any], ctx: ParseContext) -> list[Any]:
    """The typed values of one field's cells: its validator's, by ``model.parse_rows``' column
    parser; None where it fails."""
    return _parse_column(name, raw, _validator_of(model, name), ParseInfo(name, ctx), ctx, {})


__all__ = ["HEAD_ROWS", "SHEET", "Columns", "Unreadable", "read_columns"]
