"""Rules of the complaint and petition ledger (信访举报台账)."""

from __future__ import annotations

from typing import Iterable

from taizhang.checks.base import CheckContext, Rule, missing_conditional_column, ymd
from taizhang.findings import Finding
from taizhang.model import ComplaintRow
from taizhang.reading.ledger import Ledger


def closing_date(ledger: Ledger, ctx: CheckContext) -> Iterable[Finding]:
    """办结 needs a closing date, and a complaint cannot close before it was received."""
    bad_cells = {f.cell for f in ledger.findings}
    rows = [r for r in ledger.rows if isinstance(r, ComplaintRow)]
    if "closed_on" not in ledger.layout.columns and any(r.status == "办结" for r in rows):
        yield missing_conditional_column(ledger, "closed_on", "有“办结”的信访件")
    for row in rows:
        cell = ledger.cell("closed_on", row.origin.row)
        if row.status == "办结" and row.closed_on is None and cell is not None and cell not in bad_cells:
            yield ledger.finding("missing-closing-date", "办理状态为“办结”，但没有填写办结日期",
                                 "closed_on", row.origin.row)
        if row.closed_on and row.received_on and row.closed_on < row.received_on:
            yield ledger.finding(
                "closing-before-received",
                f"办结日期 {ymd(row.closed_on)} 早于收件日期 {ymd(row.received_on)}",
                "closed_on", row.origin.row)


RULES: tuple[Rule, ...] = (closing_date,)
