"""The 汇总表's compared columns (``summary --compare``): 较上月增减 (the period before) and 同比增减
(the same period a year earlier), each line's figure less that period's.

A period the inputs hold nothing for keeps its column, blank, and row 2 says so ("无数据"):
a difference with nothing is no difference.
"""

from __future__ import annotations

from typing import Any

from taizhang.config import Config
from taizhang.figures import Report
from taizhang.figures.compare import has_data, line_differences, previous_word
from taizhang.kinds import by_rank
from taizhang.records import dataclass


@dataclass
class ComparedColumn:
    """One compared column: its heading, the line row 2 gives it, and the other period."""

    header: str
    note: str
    other: Report | None
    with_data: bool

    def differences(self, report: Report, config: Config | None) -> list[list[Any]] | None:
        """Per block of the 汇总表 (report order), per line, the difference; None when the
        other period has no data."""
        if not self.with_data:
            return None
        from taizhang.config import default_config

        config = config or default_config()
        return [line_differences(d, report.current.of(d.kind.value),
                                 report.year_to_date.of(d.kind.value) if report.year_to_date is not None else None,
                                 self.other.current.of(d.kind.value), config)
                for d in by_rank()]


def compared_columns(report: Report, config: Config | None) -> list[ComparedColumn]:
    """The compared columns of ``report``: none without a comparison, nor for "everything"
    (there is no period before it)."""
    comparison = report.compare
    if comparison is None or (comparison.previous is None and comparison.year_earlier is None):
        return []
    from taizhang.config import default_config

    config = config or default_config()
    out = []
    for other, header, name in ((comparison.previous, f"较{previous_word(report.period)}增减", "上期"),
                                (comparison.year_earlier, "同比增减", "上年同期")):
        label = other.period.label if other is not None else "无"
        data = has_data(other, config)
        out.append(ComparedColumn(header, f"{name}：{label}{'' if data else '（无数据）'}", other, data))
    return out


def signed(fmt: str) -> str:
    """The number format of a difference: ``+3件``, ``-3件``, ``0件`` (``fmt`` that of the line)."""
    if not fmt or fmt == "General" or ";" in fmt:
        return "+0;-0;0"
    return f"+{fmt};-{fmt};{fmt}"
