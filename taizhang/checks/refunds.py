"""Rules of the refund ledger (退费台账)."""

from __future__ import annotations

from typing import Iterable

from taizhang.checks.base import CheckContext, Rule
from taizhang.findings import Finding
from taizhang.model import RefundRow
from taizhang.reading.ledger import Ledger


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


RULES: tuple[Rule, ...] = (amounts,)
