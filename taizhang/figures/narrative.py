"""The report paragraph, in the bureau's style, ready to paste into 情况汇报.

    2026年10月，共受理信访举报96件，其中省转办件12件、市转办件31件、自办件53件，已办结88件。
    查实违规教育乱收费3件，共计退费52,340元。因违规招生给予警告处分1人、诫勉3人；…

Only blocks with data get a sentence.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from taizhang.config import Config
from taizhang.figures.blocks import fen

if TYPE_CHECKING:
    from taizhang.figures import Figures, Report

#: Measures that are 处分 proper take the word: 警告处分, 记过处分; 诫勉 does not.
_DISCIPLINARY = {"党纪处分", "政务处分"}


def yuan(amount: Decimal) -> str:
    """``52340`` -> ``52,340``; ``52340.5`` -> ``52,340.50`` (元 exact to the fen)."""
    amount = fen(amount)
    return f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"


def _measure_words(config: Config, measure: str) -> str:
    cats = set(config.categories.get(measure, ()))
    return f"{measure}处分" if cats and cats <= _DISCIPLINARY else measure


def sentences(fig: Figures, config: Config) -> str:
    parts = []
    c = fig.complaints
    if c.total:
        src = "、".join(f"{s}件{n}件" for s, n in c.by_source.items() if n)
        text = f"共受理信访举报{c.total}件"
        if src:
            text += f"，其中{src}"
        if c.unknown_source:
            text += f"，来源不明{c.unknown_source}件"
        text += f"，已办结{c.closed}件"
        if c.substantiated:
            text += f"，查实{c.substantiated}件"
        parts.append(text + "。")
    r = fig.refunds
    if r.cases:
        text = f"查实违规教育乱收费{r.cases}件，共计退费{yuan(r.refunded)}元"
        if r.outstanding:
            text += f"，尚有{yuan(r.outstanding)}元待退"
        parts.append(text + "。")
    s = fig.sanctions
    if s.by_cause:
        clauses = []
        for cause, measures in s.by_cause.items():
            items = "、".join(f"{_measure_words(config, m)}{n}人" for m, n in measures.items())
            clauses.append(f"因{cause}给予{items}")
        if s.unknown_cause:
            clauses.append(f"另有{s.unknown_cause}人问题类型未填写或无法识别")
        parts.append("；".join(clauses) + "。")
    elif s.person_times:
        parts.append(f"处理{s.persons}人、{s.person_times}人次。")
    t = fig.rectification
    if t.total:
        done = t.completed + t.closed
        text = f"整改问题{t.total}个，已完成{done}个"
        if t.closed:
            text += f"（其中已销号{t.closed}个）"
        if t.in_progress or t.not_started:
            text += f"，正在整改{t.in_progress + t.not_started}个"
        if t.overdue:
            text += f"，逾期未完成{t.overdue}个"
        if t.completion_rate is not None:
            text += f"，完成率{t.completion_rate * 100:.1f}%"
        parts.append(text + "。")
    return "".join(parts)


def narrative(report: Report, config: Config) -> str:
    """The paragraph for ``report``: the period, then for a month the year to date."""
    period = report.period
    body = sentences(report.current, config) or "无相关事项。"
    text = f"{period.label}，{body}" if not period.is_all else body
    if report.year_to_date is not None and period.month:
        ytd = sentences(report.year_to_date, config)
        if ytd:
            text += f"截至{period.month}月底，全年累计{ytd}"
    return text
