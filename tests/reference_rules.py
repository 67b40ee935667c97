"""The oracle of ``tests/test_rules_by_columns.py``: the rules for every ledger
(``taizhang.checks.common``) and the kinds' rules that look at whole columns first, written
the plain way, row by row; the totals by another method still (exact fractions, the figures
spelt digit by digit), so that the oracle is no copy of the rule it checks."""

from __future__ import annotations

import operator
from fractions import Fraction
from typing import Callable, Iterable

from taizhang import roles
from taizhang.checks.base import CheckContext, Rule, missing_conditional_column, ymd
from taizhang.findings import Finding
from taizhang.kinds.activities import ActivityRow
from taizhang.kinds.complaints import ComplaintRow
from taizhang.kinds.rectification import RectificationRow
from taizhang.kinds.refunds import RefundRow
from taizhang.model import LedgerRow, fields_of
from taizhang.reading.ledger import Ledger


def required_values(ledger: Ledger, ctx: CheckContext) -> Iterable[Finding]:
    """A required column is there, but the cell is empty (and was not a bad value)."""
    present = ledger.layout.columns
    required = [c for c in ledger.layout.spec.columns if c.required and c.field in present]
    bad = {(f.row, f.column) for f in ledger.findings}
    for row in ledger.rows:
        for col in required:
            if getattr(row, col.field) is None and (row.origin.row, col.name) not in bad:
                yield ledger.finding("missing-value", f"“{col.name}”不能为空", col.field, row.origin.row)


def future_dates(ledger: Ledger, ctx: CheckContext) -> Iterable[Finding]:
    """A date of something that has happened lies after the as-of day."""
    fields = ledger.model.event_dates
    for row in ledger.rows:
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
    for row in ledger.rows:
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


def _content(model: type[LedgerRow]) -> Callable[[LedgerRow], tuple]:
    """What a row of ``model`` holds in its cells but 序号, as one comparable value."""
    names = [k for k in fields_of(model) if k not in model.not_cells and k != "seq"]
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
    for row in ledger.rows:
        number = row.origin.row
        first = first_seen.setdefault(content(row), number)  # the content hashed once
        if first != number:
            yield ledger.finding(
                "duplicate-row", f"与第 {first} 行内容完全相同，是否重复登记？", first_col, number)


def totals(ledger: Ledger, ctx: CheckContext) -> Iterable[Finding]:
    """A 合计 / 小计 row equals the cells written in the rows it covers, added as exact
    fractions; the message gives the claim, the sum and the difference."""
    money = set(ledger.model.money_fields)
    for total in ledger.totals:
        covered = ledger.rows[total.covers[0]:total.covers[1]]
        for f, claimed in total.claims.items():
            written = [Fraction(str(getattr(r, f))) for r in covered if getattr(r, f) is not None]
            actual, claim = sum(written, Fraction(0)), Fraction(str(claimed))
            if actual != claim:
                yield ledger.finding(
                    "total-mismatch",
                    f"{total.label}行“{ledger.column_name(f)}”写的是 {_spell(claim, f in money)}，"
                    f"上方明细合计为 {_spell(actual, f in money)}，相差 {_spell(claim - actual, f in money)}",
                    f, total.row)


def _grouped(digits: str) -> str:
    """``1234567`` -> ``1,234,567``."""
    head = len(digits) % 3 or 3
    return ",".join([digits[:head], *(digits[i:i + 3] for i in range(head, len(digits), 3))])


def _spell(value: Fraction, money: bool) -> str:
    """A figure as the clerk reads it: money to the fen (half to even), anything else exactly,
    without trailing zeros, digits grouped by thousands."""
    sign, value = ("-" if value < 0 else ""), abs(value)
    if money:
        whole, fen = divmod(round(value * 100), 100)
        return f"{sign}{_grouped(str(whole))}.{fen:02d}"
    places = 0
    while (value * 10 ** places).denominator != 1:  # a decimal figure: a finite expansion
        places += 1
    digits = str((value * 10 ** places).numerator).rjust(places + 1, "0")
    whole, fraction = digits[:len(digits) - places], digits[len(digits) - places:].rstrip("0")
    return f"{sign}{_grouped(whole)}" + (f".{fraction}" if fraction else "")


RULES: tuple[Rule, ...] = (
    required_values, future_dates, negative_figures, duplicate_ids, duplicate_rows, totals,
)


# --- the kinds' rules that look at whole columns first, here row by row ------------------

def _rows(ledger):
    return (r for r in ledger.rows if isinstance(r, RectificationRow))


def _activity_rows(ledger):
    return (r for r in ledger.rows if isinstance(r, ActivityRow))


def amounts(ledger: Ledger, ctx: CheckContext) -> Iterable[Finding]:
    """已退 ≤ 应退, and 应退 = 违规金额 − 上缴 where all three are given."""
    for row in ledger.rows:
        if not isinstance(row, RefundRow):
            continue
        if row.refunded is not None and row.due is not None and row.refunded > row.due:
            yield ledger.finding(
                "refund-exceeds-due",
                f"已退金额 {row.refunded:,.2f} 元大于应退金额 {row.due:,.2f} 元",
                "refunded", row.origin.row)
        if None not in (row.violation, row.due, row.to_treasury):
            expected = row.violation - row.to_treasury
            if row.due != expected:
                yield ledger.finding(
                    "due-mismatch",
                    f"应退金额 {row.due:,.2f} 元 ≠ 违规金额 {row.violation:,.2f} 元 − "
                    f"上缴金额 {row.to_treasury:,.2f} 元（应为 {expected:,.2f} 元）",
                    "due", row.origin.row)


def closing_date(ledger: Ledger, ctx: CheckContext) -> Iterable[Finding]:
    """办结 needs a closing date, and a complaint cannot close before it was received."""
    done = roles.values(ctx.config, "complaints", "done")
    bad_cells = {f.cell for f in ledger.findings}
    rows = [r for r in ledger.rows if isinstance(r, ComplaintRow)]
    if "closed_on" not in ledger.layout.columns and any(r.status in done for r in rows):
        yield missing_conditional_column(ledger, "closed_on", "有“办结”的信访件")
    for row in rows:
        cell = ledger.cell("closed_on", row.origin.row)
        if row.status in done and row.closed_on is None and cell is not None and cell not in bad_cells:
            yield ledger.finding("missing-closing-date", "办理状态为“办结”，但没有填写办结日期",
                                 "closed_on", row.origin.row)
        if row.closed_on and row.received_on and row.closed_on < row.received_on:
            yield ledger.finding(
                "closing-before-received",
                f"办结日期 {ymd(row.closed_on)} 早于收件日期 {ymd(row.received_on)}",
                "closed_on", row.origin.row)


def _done(config) -> tuple[str, ...]:
    """The statuses of a finished rectification (完成, 销号), by their roles."""
    return roles.values(config, "rectification", "completed") + roles.values(config, "rectification", "closed")


def _open(config) -> tuple[str, ...]:
    """The statuses of one still open (未开始, 整改中), by their roles."""
    return roles.values(config, "rectification", "not_started") + roles.values(config, "rectification", "in_progress")


def _bad(ledger: Ledger, row: RectificationRow, field: str) -> bool:
    """The cell already has a finding of its own (a value that did not read)."""
    cell = ledger.cell(field, row.origin.row)
    return cell is not None and any(f.cell == cell for f in ledger.findings)


def completion_date(ledger: Ledger, ctx: CheckContext) -> Iterable[Finding]:
    """已完成 / 已销号 needs a completion date, and it cannot precede the problem's discovery."""
    done = _done(ctx.config)
    has_column = "completed_on" in ledger.layout.columns
    if not has_column and any(r.status in done for r in _rows(ledger)):
        yield missing_conditional_column(ledger, "completed_on", "有已完成或已销号的问题")
    for row in _rows(ledger):
        if has_column and row.status in done and row.completed_on is None and not _bad(ledger, row, "completed_on"):
            yield ledger.finding("missing-completion-date",
                                 f"整改状态为“{row.status}”，但没有填写完成时间", "completed_on", row.origin.row)
        if row.completed_on and row.found_on and row.completed_on < row.found_on:
            yield ledger.finding(
                "completion-before-found",
                f"完成时间 {ymd(row.completed_on)} 早于发现日期 {ymd(row.found_on)}",
                "completed_on", row.origin.row)


def deadlines(ledger: Ledger, ctx: CheckContext) -> Iterable[Finding]:
    """Overdue (逾期未完成) and completed after the deadline (逾期完成)."""
    still_open = _open(ctx.config)
    for row in _rows(ledger):
        if row.deadline is None:
            continue
        if row.status in still_open and row.deadline < ctx.as_of:
            days = (ctx.as_of - row.deadline).days
            yield ledger.finding(
                "overdue", f"整改时限 {ymd(row.deadline)} 已过 {days} 天，状态仍为“{row.status}”（逾期未完成）",
                "deadline", row.origin.row)
        if row.completed_on and row.completed_on > row.deadline:
            days = (row.completed_on - row.deadline).days
            yield ledger.finding(
                "completed-late",
                f"完成时间 {ymd(row.completed_on)} 晚于整改时限 {ymd(row.deadline)} {days} 天（逾期完成）",
                "completed_on", row.origin.row)


def dates_in_year(ledger: Ledger, ctx: CheckContext) -> Iterable[Finding]:
    """The ledger is the year's: a date of another year is probably a typing slip."""
    for row in _activity_rows(ledger):
        if row.held_on is not None and row.held_on.year != ctx.as_of.year and row.held_on <= ctx.as_of:
            yield ledger.finding(
                "date-outside-year",
                f"“{ledger.column_name('held_on')}”为 {ymd(row.held_on)}，不在本年度（{ctx.as_of.year}年）内，请核对",
                "held_on", row.origin.row)


#: kind -> its rules as they were, by name.
KIND_RULES = {
    "refunds": {"amounts": amounts},
    "complaints": {"closing_date": closing_date},
    "rectification": {"completion_date": completion_date, "deadlines": deadlines},
    "activities": {"dates_in_year": dates_in_year},
}
