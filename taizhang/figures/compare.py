"""Comparisons: a period's figures beside those of the period before (较上月, 较上季度 …) and of
the same period a year earlier (同比).

:func:`with_comparison` attaches the two reports to a report; the report paragraph then says,
for each kind, what its main figures (``KindDef.compared``) did::

    受理信访举报较上月增加12件（14.3%），同比减少3件（3.0%）；退费金额与上月持平。

A period the inputs hold nothing for (no row dated in it) is no comparison: nothing is said of
it.  A figure that was 0 before changes by no percentage: "较上月增加3件".  :func:`line_differences`
gives the 汇总表's 上期 and 同比 columns: each line's figure less the other period's.
"""

from __future__ import annotations

import re
from dataclasses import field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from taizhang.config import Config
from taizhang.kinds import by_rank
from taizhang.kinds.common import fen
from taizhang.records import dataclass

if TYPE_CHECKING:
    from taizhang.figures import Report
    from taizhang.figures.period import Period

#: The JSON keys of the two periods compared with (``summary --compare``).
PREVIOUS, YEAR_EARLIER = "previous_period", "same_period_last_year"


@dataclass
class Comparison:
    """The reports of the period before and of the same period a year earlier (None where
    there is no such period: "everything"), from the same inputs as the report they compare."""

    previous: Report | None
    year_earlier: Report | None
    #: kind -> its comparison sentence ('' when there is nothing to say), for the Word report
    sentences: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The comparison paragraph: every kind's sentence, in report order."""
        parts = [s.removesuffix("。") for s in self.sentences.values() if s]
        return "；".join(parts) + "。" if parts else ""


def previous_word(period: Period) -> str:
    """How an official names the period before ``period``: 上月, 上季度, 上半年 (the first half
    before the second), 上年下半年 (the second half of last year before the first), 上年, else 上期."""
    key = period.key
    if period.is_month:
        return "上月"
    if re.fullmatch(r"\d{4}", key):
        return "上年"
    if re.search(r"Q\d", key, re.I):
        return "上季度"
    half = re.search(r"H([12])", key, re.I)
    if half:
        return "上半年" if half.group(1) == "2" else "上年下半年"
    return "上期"


def has_data(report: Report | None, config: Config) -> bool:
    """Whether the inputs hold anything for ``report``'s period (a kind has something to say)."""
    from taizhang.figures.narrative import sentences

    return report is not None and bool(sentences(report.current, config))


def _amount(value: Any, unit: str) -> str:
    from taizhang.figures.narrative import yuan

    return f"{yuan(Decimal(value))}{unit}" if unit == "元" else f"{value}{unit}"


def _percent(change: Any, before: Any) -> str:
    """``（14.3%）``: the change as a share of the figure before, one decimal, half up."""
    share = Decimal(abs(change)) * 100 / Decimal(before)
    return f"（{share.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%）"


def change_phrase(now: Any, before: Any, unit: str, word: str) -> str:
    """``较上月增加12件（14.3%）``, ``较上月减少3件``, ``与上月持平`` (``word`` 上月), or with
    ``word`` 同比: ``同比增加…``, ``同比持平``; '' when both are 0 (nothing to compare)."""
    now, before = now or 0, before or 0
    if not now and not before:
        return ""
    change = now - before
    same, more = (("同比持平", "同比") if word == "同比" else (f"与{word}持平", f"较{word}"))
    if not change:
        return same
    text = f"{more}{'增加' if change > 0 else '减少'}{_amount(abs(change), unit)}"
    return text + (_percent(change, before) if before else "")


def kind_sentence(d: Any, report: Report, comparison: Comparison, config: Config) -> str:
    """One kind's comparison sentence: each of its compared figures with what it did since the
    period before and since a year earlier; '' when there is nothing to say."""
    others = []
    word = previous_word(report.period)
    if has_data(comparison.previous, config):
        others.append((word, comparison.previous))
    # a year's period before is the year before: 同比 would say it twice
    if has_data(comparison.year_earlier, config) and not (
            comparison.previous is not None and comparison.year_earlier.period == comparison.previous.period):
        others.append(("同比", comparison.year_earlier))
    if not others:
        return ""
    now = d.compared(report.current.of(d.kind.value))
    befores = [d.compared(other.current.of(d.kind.value)) for _w, other in others]
    clauses = []
    for i, (label, value, unit) in enumerate(now):
        phrases = [change_phrase(value, before[i][1], unit, w) for (w, _o), before in zip(others, befores)]
        phrases = [p for p in phrases if p]
        if phrases:
            clauses.append(label + "，".join(phrases))
    return "，".join(clauses) + "。" if clauses else ""


def with_comparison(report: Report, previous: Report | None, year_earlier: Report | None,
                    config: Config) -> Report:
    """``report`` with the reports of the period before and a year earlier attached, and its
    paragraph saying what changed (see the module docstring)."""
    from taizhang.figures.narrative import narrative

    comparison = Comparison(previous, year_earlier)
    comparison.sentences = {d.kind.value: kind_sentence(d, report, comparison, config) for d in by_rank()}
    report.compare = comparison
    report.narrative = narrative(report, config)
    return report


# --- the 汇总表's 上期 and 同比 columns ---------------------------------------------------------

def _keys(lines: list) -> list[tuple[str, str, int]]:
    """Each line's (section it stands under, label, how many such before it): how the lines of
    two blocks of one kind are matched."""
    out, seen, section = [], {}, ""
    for ln in lines:
        if ln.now is None and ln.ytd is None and ln.fmt == "General":
            section = ln.label
        key = (section, ln.label)
        seen[key] = seen.get(key, -1) + 1
        out.append((*key, seen[key]))
    return out


def _minus(now: Any, before: Any) -> Any:
    if isinstance(now, bool) or isinstance(before, bool):
        return None
    if isinstance(now, Decimal) or isinstance(before, Decimal):
        if isinstance(now, (int, Decimal)) and isinstance(before, (int, Decimal)):
            return fen(Decimal(now)) - fen(Decimal(before))
        return None
    if isinstance(now, float) or isinstance(before, float):
        if isinstance(now, (int, float)) and isinstance(before, (int, float)):
            return round(now - before, 4)
        return None
    if isinstance(now, int) and isinstance(before, int):
        return now - before
    return None


def line_differences(d: Any, now: Any, ytd: Any, other: Any, config: Config) -> list[Any]:
    """For each line of ``d.block(now, ytd)``: its figure less the same line's figure of the
    period ``other`` (None for a section heading, a line without a number, or no ``other``).

    The other period's figure of a line is the kind's own: from its block of ``other`` beside
    the same 累计 (so the same vocabulary lines), else beside ``now``.
    """
    lines = d.block(now, ytd, config).lines
    if other is None:
        return [None] * len(lines)
    found: dict[tuple, Any] = {}
    beside_now = d.block(now, other, config).lines
    found.update(zip(_keys(beside_now), (ln.ytd for ln in beside_now)))
    of_other = d.block(other, ytd if ytd is not None else now, config).lines
    found.update(zip(_keys(of_other), (ln.now for ln in of_other)))
    out = []
    for key, ln in zip(_keys(lines), lines):
        if ln.now is None or key not in found:
            out.append(None)
        else:
            out.append(_minus(ln.now, found[key]))
    return out


def compared_periods(periods: tuple, compare: bool) -> tuple:
    """``periods`` and, with ``compare``, each one's period before and a year earlier: the
    periods a file's share of the figures is worked out for (``service.summarise_file``)."""
    out = list(periods)
    if compare:
        for p in periods:
            for other in (p.previous(), p.year_earlier()):
                if other is not None and other not in out:
                    out.append(other)
    return tuple(out)
