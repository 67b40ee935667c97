"""Rules of the sanctions ledger (处分台账)."""

from __future__ import annotations

from typing import Iterable

from taizhang.checks.base import CheckContext, Rule
from taizhang.findings import Finding
from taizhang.model import SanctionRow
from taizhang.reading.ledger import Ledger
from taizhang.sanctions import categories_of, resolve_category


def category(ledger: Ledger, ctx: CheckContext) -> Iterable[Finding]:
    """The 处分类别 must fit the measure; an ambiguous measure needs one."""
    config = ctx.config
    for row in ledger.rows:
        if not isinstance(row, SanctionRow) or row.measure is None:
            continue
        allowed = categories_of(config, row.measure)
        if row.category is not None:
            if allowed and row.category in config.vocabulary("sanction_category").values \
                    and row.category not in allowed:
                yield ledger.finding(
                    "category-mismatch",
                    f"处理方式“{row.measure}”属于{'或'.join(allowed)}，与处分类别“{row.category}”不符",
                    "category", row.origin.row)
        elif resolve_category(config, row) is None:
            yield ledger.finding(
                "category-unclear",
                f"“{row.measure}”可能是{'或'.join(allowed)}，请填写处分类别",
                "measure", row.origin.row)


RULES: tuple[Rule, ...] = (category,)
