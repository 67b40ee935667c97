"""Rules for every ledger: required values, dates after the as-of day, negative amounts and
counts, repeated 序号, repeated rows, and the ledger's own total rows."""

from __future__ import annotations

import functools
import itertools
import operator
from decimal import Decimal
from typing import Any, Callable, Iterable

from taizhang.checks.base import CheckContext, Rule, ymd
from taizhang.findings import Finding
from taizhang.model import LedgerRow, fields_of
from taizhang.reading.ledger import Ledger


def required_values(ledger: Ledger, ctx: CheckContext) -> Iterable[Finding]:
    """A required column is there, but the cell is empty (and was not a bad value)."""
    present = ledger.layout.columns
    required = [c for c in ledger.layout.spec.columns if c.required and c.field in present]
    rows = ledger.rows
    # the rows with an empty required value, found column by column (most have none)
    empty: set[int] = set()
    for col in required:
        values = ledger.column(col.field)
        if not all(map(_GIVEN, values)):  # by identity: an amount's == is slow
            empty.update(_where(operator.is_, values, None))
    if not empty:
        return
    bad = {(f.row, f.column) for f in ledger.findings}
    for row in map(rows.__getitem__, sorted(empty)):
        for col in required:
            if getattr(row, col.field) is None and (row.origin.row, col.name) not in bad:
                yield ledger.finding("missing-value", f"“{col.name}”不能为空", col.field, row.origin.row)


def _where(test: Callable[[Any, Any], Any], values: list[Any], other: Any) -> Iterable[int]:
    """The indexes of the values for which ``test(value, other)`` holds."""
    return itertools.compress(itertools.count(), map(test, values, itertools.repeat(other)))


_GIVEN = functools.partial(operator.is_not, None)


def _beyond(ledger: Ledger, fields: Iterable[str], limit: Any, above: bool) -> list[int]:
    """The rows (indexes, in order) holding in one of ``fields`` a value above ``limit``
    (below it: ``above`` false), found column by column; every row when a column's values
    cannot be compared (their rule then looks at each row as it does)."""
    found: set[int] = set()
    for f in fields:
        values = ledger.column(f)
        given = list(filter(_GIVEN, values))
        try:
            if not given or (max(given) <= limit if above else min(given) >= limit):
                continue
            found.update(i for i, v in enumerate(values) if v is not None and (v > limit if above else v < limit))
        except (TypeError, ArithmeticError):
            return list(range(len(ledger.rows)))
    return sorted(found)


def future_dates(ledger: Ledger, ctx: CheckContext) -> Iterable[Finding]:
    """A date of something that has happened lies after the as-of day."""
    fields = ledger.model.event_dates
    for row in map(ledger.rows.__getitem__, _beyond(ledger, fields, ctx.as_of, True)):
        for f in fields:
            value = getattr(row, f)
            if value is not None and value > ctx.as_of:
                yield ledger.finding(
                    "future-date",
                    f"“{ledger.column_name(f)}”为 {ymd(value)}，晚于检查日期 {ymd(ctx.as_of)}，请核对",
                    f, row.origin.row)


def negative_figures(ledger: Ledger, ctx: CheckContext) -> Iterable[Finding]:
    """Amounts and counts cannot be negative."""
    money, summable = ledger.model.money_fields, ledger.model.summable
    if not summable:
        return
    values = operator.itemgetter(*summable) if len(summable) > 1 else (lambda d: (d[summable[0]],))
    for row in map(ledger.rows.__getitem__, _beyond(ledger, summable, 0, False)):
        for f, value in zip(summable, values(row.__dict__)):
            if value is not None and value < 0:
                code = "negative-amount" if f in money else "invalid-number"
                what, shown = ("金额", f"{value:,.2f}") if f in money else (_what(ledger, f), f"{value}")
                yield ledger.finding(code, f"“{ledger.column_name(f)}”为负数（{shown}），{what}不能为负",
                                     f, row.origin.row)


def _what(ledger: Ledger, f: str) -> str:
    """What a count column counts, for a message: 人数 for people, else 数字."""
    name = ledger.column_name(f)
    return "人数" if "人" in name or "学生" in name else "数字"


def duplicate_ids(ledger: Ledger, ctx: CheckContext) -> Iterable[Finding]:
    """The same 序号 twice in one sheet: reported on the later row."""
    given = list(filter(_GIVEN, ledger.column("seq")))
    if len(set(given)) == len(given):
        return  # every 序号 once
    first_seen: dict[str, int] = {}
    for row in ledger.rows:
        if row.seq is None:
            continue
        if row.seq in first_seen:
            yield ledger.finding(
                "duplicate-id",
                f"“{ledger.column_name('seq')}” {row.seq} 与第 {first_seen[row.seq]} 行重复",
                "seq", row.origin.row)
        else:
            first_seen[row.seq] = row.origin.row


def _content_names(model: type[LedgerRow]) -> list[str]:
    """The fields of ``model`` holding what a row says in its cells but 序号."""
    return [k for k in fields_of(model) if k not in model.not_cells and k != "seq"]


def _content(model: type[LedgerRow]) -> Callable[[LedgerRow], tuple]:
    """What a row of ``model`` holds in its cells but 序号, as one comparable value."""
    names = _content_names(model)
    if not names:
        return lambda row: ()
    values = operator.itemgetter(*names)
    if len(names) == 1:
        return lambda row: (values(row.__dict__),)
    return lambda row: values(row.__dict__)


def duplicate_rows(ledger: Ledger, ctx: CheckContext) -> Iterable[Finding]:
    """Two rows identical in every column but 序号: probably entered twice."""
    first_seen: dict[tuple, int] = {}
    first_col = min(ledger.layout.columns, key=ledger.layout.columns.__getitem__, default=None)
    content = _content(ledger.model)
    names = _content_names(ledger.model)
    if names and len(set(zip(*map(ledger.column, names)))) == len(ledger.rows):
        return  # no two rows alike, found column by column
    for row in ledger.rows:
        number = row.origin.row
        first = first_seen.setdefault(content(row), number)  # the content hashed once
        if first != number:
            yield ledger.finding(
                "duplicate-row", f"与第 {first} 行内容完全相同，是否重复登记？", first_col, number)


def totals(ledger: Ledger, ctx: CheckContext) -> Iterable[Finding]:
    """A 合计 / 小计 row must equal the sum of the cells written in the rows it covers: what
    ``SUM()`` of the column gives, like with like.  A figure may read a blank as something (an
    activity's blank 次数 is one session); the check of a written total does not."""
    money = ledger.model.money_fields
    for total in ledger.totals:
        start, end = total.covers
        covered = ledger.rows[start:end]
        for f, claimed in total.claims.items():
            actual = sum((Decimal(v) for r in covered if (v := getattr(r, f)) is not None), Decimal(0))
            if actual != claimed:
                yield ledger.finding(
                    "total-mismatch",
                    f"{total.label}行“{ledger.column_name(f)}”写的是 {_fmt(claimed, f, money)}，"
                    f"上方明细合计为 {_fmt(actual, f, money)}，相差 {_fmt(claimed - actual, f, money)}",
                    f, total.row)


def _fmt(value: Decimal, f: str, money: tuple[str, ...] = ()) -> str:
    if f in money:
        return f"{value:,.2f}"
    return f"{value:,f}".rstrip("0").rstrip(".") if "." in f"{value}" else f"{value:,}"


RULES: tuple[Rule, ...] = (
    required_values, future_dates, negative_figures, duplicate_ids, duplicate_rows, totals,
)
