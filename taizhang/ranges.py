"""Ledgers in a block of cell values: a worksheet range as xlwings passes it (``ndim=2``),
or a live sheet's values from A1.  Used by the worksheet functions and the ribbon macros."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from taizhang.config import Config, Kind, load_config, office_config
from taizhang.figures import Period, PeriodError
from taizhang.figures.settings import resolve
from taizhang.model import row_model
from taizhang.reading.book import Sheet, cell_ref
from taizhang.reading.columns import EXCEL_ERRORS, Columns, RangeError, grid, no_ledger, read_columns
from taizhang.reading.ledger import Ledger
from taizhang.reading.workbook import load_sheets
from taizhang.values import ValueParseError, clean_text, parse_date


def sheet_from_values(name: str, values: Any, *, visible: bool = True) -> Sheet:
    """A :class:`Sheet` from live cell values; error values become blanks the checker names
    (``cell-error``), as they do when a file is read."""
    if isinstance(values, list) and all(type(r) is list for r in values):
        rows = list(values)  # the rows themselves are shared: only a row holding an error is copied
    else:
        rows = grid(values)
    errors: dict[tuple[int, int], str] = {}
    for r, row in enumerate(rows):
        try:
            clean = EXCEL_ERRORS.isdisjoint(row)
        except TypeError:  # an unhashable value: looked at cell by cell
            clean = False
        if clean:
            continue
        row = rows[r] = list(row)
        for c, value in enumerate(row):
            if isinstance(value, str) and value in EXCEL_ERRORS:
                errors[(r, c)] = value
                row[c] = None
    return Sheet(name=name, visible=visible, rows=rows, cell_errors=errors)


def ledger_in(values: Any, config: Config, kind: Kind | None = None, *, strict: bool = True,
              fields: set[str] | None = None) -> Ledger:
    """The ledger in a range (including its header row); a RangeError when there is none,
    or (``strict``) when one of its cells shows an error value: a figure computed without
    that cell would look right and be wrong.  ``fields``: only those typed values are
    worked out (a function summing one column reads the rest only to find the rows)."""
    sheet = sheet_from_values("所选区域", values)
    loaded = load_sheets([sheet], config, Path(sheet.name), fields)
    found = [lg for lg in loaded.ledgers if kind is None or lg.kind is kind]
    if not found:
        raise no_ledger(config, kind)
    ledger = found[0]
    broken = next((f for f in ledger.findings if f.code == "cell-error"), None)
    if strict and broken is not None:
        error = next(e for (r, c), e in sheet.cell_errors.items() if cell_ref(r, c) == broken.cell)
        raise RangeError(f"{broken.cell} 显示错误值 {error}，请先改正")
    return ledger


def period_of(value: Any) -> Period:
    """A period from what staff type (``2026-10``, ``2026Q3``, ``2026年上半年``, ``2026``, …, every
    form ``Period.parse`` takes) or a date cell (that date's month); empty means everything."""
    if value is None or clean_text(value) is None:
        return Period()
    if isinstance(value, (datetime, date)):
        return Period.of_month(value)
    if isinstance(value, float) and value.is_integer():
        value = str(int(value))  # 2026 typed as a number
    try:
        return Period.parse(clean_text(value))
    except PeriodError as exc:
        raise RangeError(str(exc)) from None


def as_of_of(value: Any) -> date:
    """The as-of day from a date cell, a date typed as text, or today when empty."""
    if value is None or clean_text(value) is None:  # the settings' as-of day: the office file's, else today
        return resolve(load_config()).as_of
    try:
        return parse_date(value)
    except ValueParseError as exc:
        raise RangeError(f"检查日期：{exc}") from None


TABLE_DOC = "台账区域，须包含表头行，例如 退费台账!A1:K200"
PERIOD_DOC = ("期间：2026-10（月）、2026Q3（季度）、2026H1（半年）、2026-03..2026-08（月份区间）、2026（年），"
              "或日期（日期单元格、DATE(2026,10,1)，取其所在月）；省略为全部")

#: Excel date serials (1900 system) of 1927-10-10 and 9999-12-31: a number in this range
#: given as a period is a date (``DATE(2026,10,1)`` arrives as 46296), below it a year.
_FIRST_SERIAL, _LAST_SERIAL = 10000, 2958465


def period_arg(value: Any) -> Any:
    """What Excel hands over for a period, made what staff meant: a date serial (a cell or
    ``DATE(…)`` without a date format, as Excel 2016 passes it) becomes its date; a datetime
    (pywintypes' included) its date; a year typed as a number and text stay as they are."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if _FIRST_SERIAL <= value <= _LAST_SERIAL:
            return parse_date(value)
        if not float(value).is_integer():
            raise RangeError(f"期间“{value}”不是年份、月份或日期")
    return value


def config_or_default(config: Config | None) -> Config:
    """The configuration a worksheet function uses: the one given, else the office's."""
    if config is not None:
        return config
    return office_config()


def columns_in(table: Any, kind: Kind, period: Any, config: Config, fields: set[str]) -> Columns:
    """The data rows of the ``kind`` ledger in ``table`` that lie in ``period``, the ``fields``
    a worksheet function reads parsed (and, for a period, the dates that place a row in it):
    what ``ledger_in`` gives, read column by column (``taizhang.reading.columns``).  Raises
    as ``ledger_in`` does, then for a period that cannot be understood."""
    try:
        p, unclear = period_of(period_arg(period)), None
    except Exception as exc:  # noqa: BLE001 - said once the range is known to hold the ledger
        p, unclear = Period(), exc
    dated = row_model(kind).period_fields if not p.is_all else ()
    wanted = set(fields) | set(dated)
    found = read_columns(table, config, kind, wanted)
    if found is None:  # cells the column path does not take: the whole reading
        found = Columns.of_rows(kind, ledger_in(table, config, kind, fields=wanted).rows, wanted)
    if unclear is not None:
        raise unclear
    if not dated:
        return found
    # the date that places a row in a period: the first of the period fields given (model.period_date)
    days = zip(*(found[name] for name in dated))
    return found.keep(p.contains(next((d for d in ds if d is not None), None)) for ds in days)


def canonical(config: Config, vocabulary: str, value: Any) -> str | None:
    """The canonical vocabulary value for an argument typed by staff (None when blank)."""
    text = clean_text(value)
    if text is None:
        return None
    vocab = config.vocabulary(vocabulary)
    found = vocab.lookup(text)
    if found is None:
        raise RangeError(f"“{text}”不是规定的{vocab.label}，应为：{'、'.join(vocab.canonical)}")
    return found
