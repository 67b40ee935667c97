"""What a report template is filled with: the ``summary --json`` dict, plus ``bureau``,
``period_label``, ``period_heading`` and ``period_end_label``, and the filters that turn its figures into Chinese phrases.

The figures are never re-counted here: :func:`template_context` takes the very dict
``taizhang summary --json`` prints.  Only two things are added for templates:

- the tallies keyed by a vocabulary (``complaints.by_channel``, ``sanctions.by_measure`` …)
  answer ``0`` (or an empty line of zeros) for a value of the vocabulary that has no case
  this period, so that ``{{ complaints.by_channel['来访'] }}`` reads 0 in a month without
  visits instead of being refused; a name outside the vocabulary is still refused (each kind
  says which of its figures are such tallies: ``KindDef.report_figures``);
- the filters below (``counts``, ``yuan``, ``pct`` …) and each kind's own (``causes``,
  ``activity`` …), which only format and join.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from taizhang.config import Config
from taizhang.figures import Period
from taizhang.figures.narrative import yuan as _yuan
from taizhang.kinds import kinds
from taizhang.kinds.common import Tally

__all__ = ["TESTS", "Tally", "make_filters", "period_label", "template_context"]


def _tallies(block: dict, config: Config) -> dict:
    """``block`` (one period's figures) with each kind's figures as its report reads them
    (``KindDef.report_figures``: vocabulary-keyed tallies as :class:`Tally`)."""
    out = dict(block)
    for d in kinds():
        part = out.get(d.kind.value)
        if isinstance(part, dict):
            out[d.kind.value] = d.report_figures(part, config)
    return out


def period_label(summary: dict) -> str:
    """``2026-10`` -> ``2026年10月``, ``2026`` -> ``2026年``, ``all`` -> ``全部``."""
    return Period.parse(summary.get("period")).label


def template_context(summary: dict, config: Config) -> dict:
    """The context of a report template: ``summary`` (the ``summary --json`` dict),
    ``period_label`` (``2026年第三季度``), ``period_heading`` (本月, 本季度, 本半年, 本期; a year
    by its label) and ``period_end_label`` (the period's last month, ``2026年9月``: 累计 runs to
    its end); ``bureau`` is already in it."""
    from taizhang.figures import Period

    context = _tallies(summary, config)
    if isinstance(summary.get("year_to_date"), dict):
        context["year_to_date"] = _tallies(summary["year_to_date"], config)
    context["period_label"] = period_label(summary)
    period = Period.parse(summary.get("period"))
    context["period_heading"] = period.heading
    last = period.last_month
    context["period_end_label"] = Period(*last).label if last else period.label
    return context


# --- filters ---------------------------------------------------------------------------------

def _decimal(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"“{value}”不是金额") from None


def yuan(value: Any) -> str:
    """``"52340.00"`` -> ``52,340``; ``"52340.50"`` -> ``52,340.50`` (the 汇总表's form)."""
    return _yuan(_decimal(value))


def positive(value: Any) -> bool:
    """Test: a count or an amount above zero (``{% if refunds.outstanding is positive %}``)."""
    try:
        return _decimal(value) > 0
    except ValueError:
        return False


def pct(value: Any) -> str:
    """``0.5161`` -> ``51.6%``."""
    return f"{_decimal(value) * 100:.1f}%"


def cndate(value: Any) -> str:
    """``2026-10-31`` -> ``2026年10月31日``."""
    day = value if isinstance(value, date) else date.fromisoformat(str(value))
    return f"{day.year}年{day.month}月{day.day}日"


def counts(tally: dict, unit: str, total: Any = None, rest: str = "其他", label: str = "") -> str:
    """``{'省转办': 6, '市转办': 11}`` -> ``省转办6件、市转办11件`` (zeros left out).

    With ``total``, what the parts leave of it is named ``rest`` (``来源不明3件``), so the
    phrase always adds up to the total it stands under.  ``label`` goes between the name and
    the figure (``省转办件6件``).
    """
    parts = [f"{name}{label}{n}{unit}" for name, n in tally.items() if n]
    if total is not None:
        missing = int(total) - sum(int(n) for n in tally.values())
        if missing > 0:
            parts.append(f"{rest}{missing}{unit}")
    return "、".join(parts)


def money(lines: dict) -> str:
    """Refund lines by school or item -> ``教辅材料2件、已退53,000元；择校费1件``."""
    parts = []
    for name, line in lines.items():
        text = f"{name}{line['cases']}件"
        if positive(line.get("refunded", 0)):
            text += f"、已退{yuan(line['refunded'])}元"
        parts.append(text)
    return "；".join(parts)


def file_name(value: Any) -> str:
    """A path -> its file name (the report names a ledger, never a folder)."""
    return Path(str(value)).name


def error_list(blocking: list) -> str:
    """Ledgers with errors, by file: ``县二中.xlsx（信访举报台账5个、退费台账5个）``."""
    by_file: dict[str, list[str]] = {}
    for b in blocking:
        where = b.get("sheet") or "整个工作簿"
        by_file.setdefault(file_name(b.get("file")), []).append(f"{where}{b.get('errors')}个")
    return "；".join(f"{name}（{'、'.join(parts)}）" for name, parts in by_file.items())


def make_filters(config: Config) -> dict[str, Any]:
    """The filters of a report template: the formatting ones above, and each kind's own
    (``causes``, ``activity`` …)."""
    filters: dict[str, Any] = {"yuan": yuan, "pct": pct, "cndate": cndate, "counts": counts, "money": money,
                               "file_name": file_name, "error_list": error_list}
    for d in kinds():
        filters.update(d.report_filters(config))
    return filters


TESTS = {"positive": positive}
