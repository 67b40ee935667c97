"""The report paragraph, in the bureau's style, ready to paste into 情况汇报.

    2026年10月，共受理信访举报96件，其中省转办件12件、市转办件31件、自办件53件，已办结88件。
    查实违规教育乱收费3件，共计退费52,340元。因违规招生给予警告处分1人、诫勉3人；…
    学习教育方面，组织专题学习3次，参与学习的干部职工达150人次，撰写学习心得12篇。…

Each kind writes its own sentences (``KindDef.sentences``), in report order: what happened
(信访举报, 退费, 处分, 整改), then what was done (工作开展).  Only blocks with data get a sentence.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from taizhang.config import Config
from taizhang.kinds import by_rank
from taizhang.kinds.common import fen

if TYPE_CHECKING:
    from taizhang.figures import Figures, Report


def yuan(amount: Decimal) -> str:
    """``52340`` -> ``52,340``; ``52340.5`` -> ``52,340.50`` (元 exact to the fen)."""
    amount = fen(amount)
    return f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"


def sentences(fig: Figures, config: Config) -> str:
    return "".join(d.sentences(getattr(fig, d.kind.value), config) for d in by_rank())


def narrative(report: Report, config: Config) -> str:
    """The paragraph for ``report``: the period, then (for a month, a quarter, a half-year or a
    range of months) the year to date at its end."""
    period = report.period
    body = sentences(report.current, config) or "无相关事项。"
    text = f"{period.label}，{body}" if not period.is_all else body
    if getattr(report, "compare", None) is not None:  # 较上月…、同比…, where there is a comparison
        text += report.compare.text
    if report.year_to_date is not None and not period.is_all:
        ytd = sentences(report.year_to_date, config)
        if ytd:
            text += f"{ytd_opening(period)}{ytd}"
    return text


def ytd_opening(period) -> str:
    """``截至9月底，全年累计``: how the 累计 part of the paragraph opens (the month the period ends)."""
    return f"截至{period.end.month}月底，全年累计"
