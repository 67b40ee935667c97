"""Rules of the rectification ledger (整改台账)."""

from __future__ import annotations

from typing import Iterable

from taizhang.checks.base import CheckContext, Rule, missing_conditional_column, ymd
from taizhang.findings import Finding
from taizhang.model import RectificationRow
from taizhang.reading.ledger import Ledger


def _rows(ledger: Ledger) -> Iterable[RectificationRow]:
    return (r for r in ledger.rows if isinstance(r, RectificationRow))


def completion_date(ledger: Ledger, ctx: CheckContext) -> Iterable[Finding]:
    """已完成 / 已销号 needs a completion date, and it cannot precede the problem's discovery."""
    has_column = "completed_on" in ledger.layout.columns
    if not has_column and any(r.is_done for r in _rows(ledger)):
        yield missing_conditional_column(ledger, "completed_on", "有已完成或已销号的问题")
    for row in _rows(ledger):
        if has_column and row.is_done and row.completed_on is None and not _bad(ledger, row, "completed_on"):
            yield ledger.finding("missing-completion-date",
                                 f"整改状态为“{row.status}”，但没有填写完成时间", "completed_on", row.origin.row)
        if row.completed_on and row.found_on and row.completed_on < row.found_on:
            yield ledger.finding(
                "completion-before-found",
                f"完成时间 {ymd(row.completed_on)} 早于发现日期 {ymd(row.found_on)}",
                "completed_on", row.origin.row)


def deadlines(ledger: Ledger, ctx: CheckContext) -> Iterable[Finding]:
    """Overdue (逾期未完成) and completed after the deadline (逾期完成)."""
    for row in _rows(ledger):
        if row.deadline is None:
            continue
        if row.status in ("未启动", "整改中") and row.deadline < ctx.as_of:
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


def _bad(ledger: Ledger, row: RectificationRow, field: str) -> bool:
    cell = ledger.cell(field, row.origin.row)
    return any(f.cell == cell for f in ledger.findings) if cell else False


RULES: tuple[Rule, ...] = (completion_date, deadlines)
