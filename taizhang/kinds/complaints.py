"""信访举报台账 — the complaint and petition ledger (kind ``complaints``).

Counted in 件; visits also in 人次.  Which 来源 is 省转办 / 市转办 / 自办, which 办理状态
means 办结 and which 核查结论 means 查实 are roles in ``roles.toml``.
"""

from __future__ import annotations

import operator
from collections import Counter
from dataclasses import field
from typing import Any, ClassVar, Iterable


from taizhang import roles
from taizhang.checks.base import CheckContext, missing_conditional_column, rows_to_check, ymd
from taizhang.config import Config, default_config
from taizhang.findings import Finding
from taizhang.kinds.base import Block, Chart, Kind, KindDef, ReportSection, ReportWriter, WorksheetFunction, register
from taizhang.kinds.common import COUNT, TIMES, Lines, canonical_or_none, merge_tallies, ordered, tally_in
from taizhang.model import Count, Day, LedgerRow, Text
from taizhang.reading.ledger import Ledger
from taizhang.records import dataclass
from taizhang.values import clean_text

KIND = Kind("complaints")
#: The three sources of the shipped roles (the JSON's ``by_source`` always has them).
SOURCES = ("省转办", "市转办", "自办")


@dataclass(frozen=True, kw_only=True)
class ComplaintRow(LedgerRow):
    """信访举报台账: one complaint (件)."""

    kind: ClassVar[Kind] = KIND
    summable: ClassVar[tuple[str, ...]] = ("visitors",)
    event_dates: ClassVar[tuple[str, ...]] = ("received_on", "closed_on")
    period_fields: ClassVar[tuple[str, ...]] = ("received_on",)

    received_on: Day = None
    source: Text = None
    channel: Text = None
    category: Text = None
    subject: Text = None
    complainant: Text = None  # confidential: never printed, masked when it leaves the unit
    phone: Text = None  # confidential
    summary: Text = None
    handler: Text = None
    disposal: Text = None
    status: Text = None
    closed_on: Day = None
    conclusion: Text = None
    visitors: Count = None

    @property
    def substantiated(self) -> bool:
        """查实: the conclusion is 属实 or 部分属实 (the shipped roles)."""
        return self.conclusion in roles.values(default_config(), "complaints", "substantiated")


# --- checks ------------------------------------------------------------------------------

def closing_date(ledger: Ledger, ctx: CheckContext) -> Iterable[Finding]:
    """办结 needs a closing date, and a complaint cannot close before it was received."""
    done = roles.values(ctx.config, "complaints", "done")
    bad_cells = {f.cell for f in ledger.findings}
    rows = [r for r in ledger.rows if isinstance(r, ComplaintRow)]
    if "closed_on" not in ledger.layout.columns and any(r.status in done for r in rows):
        yield missing_conditional_column(ledger, "closed_on", "有“办结”的信访件")

    def suspect(status: Any, closed_on: Any, received_on: Any) -> Any:
        return (status in done and closed_on is None) or (closed_on and received_on and closed_on < received_on)

    for row in rows_to_check(ledger, ("status", "closed_on", "received_on"), suspect):
        if not isinstance(row, ComplaintRow):
            continue
        cell = ledger.cell("closed_on", row.origin.row)
        if row.status in done and row.closed_on is None and cell is not None and cell not in bad_cells:
            yield ledger.finding("missing-closing-date", "办理状态为“办结”，但没有填写办结日期",
                                 "closed_on", row.origin.row)
        if row.closed_on and row.received_on and row.closed_on < row.received_on:
            yield ledger.finding(
                "closing-before-received",
                f"办结日期 {ymd(row.closed_on)} 早于收件日期 {ymd(row.received_on)}",
                "closed_on", row.origin.row)


RULES = (closing_date,)


# --- figures -----------------------------------------------------------------------------

@dataclass(kw_only=True)
class ComplaintFigures:
    """The figures of the 信访举报台账: 件 by source, channel, category and disposal, by status, visits and 人次."""

    total: int = 0
    #: 件 per source: 省转办, 市转办, 自办 and every source the office added (roles.toml)
    by_source: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SOURCES, 0))
    #: Rows whose 来源 is missing or not in the vocabulary (each is also a finding).
    unknown_source: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)
    by_disposal: dict[str, int] = field(default_factory=dict)
    closed: int = 0
    in_progress: int = 0
    #: Rows whose 办理状态 is missing or neither 办结 nor 在办: closed + in_progress + this = total.
    status_unknown: int = 0
    substantiated: int = 0
    #: 来访 complaints in 件, and the people who came in 人次.
    visits: int = 0
    person_times: int = 0
    undated: int = 0


def source_rows(config: Config) -> dict[str, tuple[str, ...]]:
    """Row of "by source" -> the canonical 来源 values it counts."""
    return roles.grouped(config, "complaints", "sources", "complaint_source")


def _row_of_source(config: Config) -> dict[str, str]:
    """Canonical 来源 -> the row of "by source" that counts it."""
    return {v: label for label, vals in source_rows(config).items() for v in vals}


def _by_source(sources: Iterable[str | None], row_of: dict[str, str]) -> Counter[str]:
    """件 per row of "by source" (a 来源 missing or not in the vocabulary counts in none)."""
    return Counter(row_of[s] for s in sources if s in row_of)


#: The figures of complaints that are plain counts (added up when parts are merged).
_COUNTS = ("total", "unknown_source", "closed", "in_progress", "status_unknown", "substantiated", "visits",
           "person_times")
#: The figures of complaints that are counts per value, in order of first appearance.
_TALLIES = ("by_source", "by_channel", "by_category", "by_disposal")


#: What the counts read of a row, taken at once.
_VALUES = operator.attrgetter("source", "channel", "category", "disposal", "status", "conclusion", "visitors")


def complaint_parts(rows: Iterable[ComplaintRow], config: Config) -> dict[str, Any]:
    """What the figures need of ``rows`` (see :meth:`KindDef.parts`): every figure of
    complaints is a count, so the parts are the counts, tallies by value in order of first
    appearance."""
    values = list(map(_VALUES, rows))  # the row's values the counts read, taken at once
    source, channel, category, disposal, status, conclusion, visitors = zip(*values) if values else ((),) * 7
    row_of = _row_of_source(config)
    visit = roles.values(config, "complaints", "visit_channels")
    done = roles.values(config, "complaints", "done")
    handling = roles.values(config, "complaints", "in_progress")
    found = roles.values(config, "complaints", "substantiated")
    return {
        "total": len(values),
        "by_source": dict(_by_source(source, row_of)),
        "unknown_source": sum(s not in row_of for s in source),
        "by_channel": dict(Counter(filter(None, channel))),
        "by_category": dict(Counter(filter(None, category))),
        "by_disposal": dict(Counter(filter(None, disposal))),
        "closed": sum(map(done.__contains__, status)),
        "in_progress": sum(map(handling.__contains__, status)),
        "status_unknown": sum(s not in done and s not in handling for s in status),
        "substantiated": sum(map(found.__contains__, conclusion)),
        "visits": sum(map(visit.__contains__, channel)),
        "person_times": sum(max(v, 0) if v is not None else int(c in visit) for v, c in zip(visitors, channel)),
    }



def complaint_merge(parts: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The parts of the rows behind ``parts`` laid end to end, as one part."""
    return merge_tallies(parts, _COUNTS, _TALLIES)


def complaint_from_parts(parts: Iterable[dict[str, Any]], config: Config) -> ComplaintFigures:
    merged = complaint_merge(parts)

    def vocab(name: str) -> list[str]:
        return config.vocabulary(name).canonical

    return ComplaintFigures(
        **{name: merged[name] for name in _COUNTS},
        by_source={s: merged["by_source"].get(s, 0) for s in source_rows(config)},
        by_channel=ordered(merged["by_channel"], vocab("complaint_channel")),
        by_category=ordered(merged["by_category"], vocab("complaint_category")),
        by_disposal=ordered(merged["by_disposal"], vocab("complaint_disposal")),
    )


def complaint_figures(rows: Iterable[ComplaintRow], config: Config) -> ComplaintFigures:
    """Complaints of ``rows``; a row with no 来访人次 counts 1 人次 when it is a 来访, else 0."""
    return complaint_from_parts([complaint_parts(rows, config)], config)


# --- worksheet functions -----------------------------------------------------------------

def complaint_count(table: Any, source: Any = None, period: Any = None, config: Config | None = None) -> int:
    """信访举报件数，可按来源（省转办/市转办/自办）。"""
    from taizhang.ranges import canonical, columns_in, config_or_default
    config = config_or_default(config)
    rows = columns_in(table, KIND, period, config, {"source"} if clean_text(source) is not None else set())
    wanted = canonical(config, "complaint_source", source)
    if wanted is None:
        return len(rows)  # the total
    label = next((lb for lb, vals in source_rows(config).items() if wanted in vals), wanted)
    return _by_source(rows["source"], _row_of_source(config)).get(label, 0)


def undisposed(c) -> int:
    """Complaints counted in the total whose 处置方式 is not filled in."""
    return c.total - sum(c.by_disposal.values())


def uncategorised(c) -> int:
    """Complaints counted in the total whose 问题类别 is not filled in."""
    return c.total - sum(c.by_category.values())


class Complaints(KindDef):
    kind = KIND
    codes = {
        "missing-closing-date": ("error", "已办结但没有办结日期"),
        "closing-before-received": ("error", "办结日期早于收件日期"),
    }
    row_model = ComplaintRow
    figures_model = ComplaintFigures
    report_rank = 10
    block_title = "信访举报"
    detail_label = "信访举报"
    master_sheet = "信访举报合并"
    parts_version = "2"  # status_unknown

    def rules(self):
        return RULES

    def figures(self, rows, config, as_of):
        return complaint_figures(rows, config)

    def parts(self, rows, config):
        return complaint_parts(rows, config)

    def from_parts(self, parts, config, as_of):
        return complaint_from_parts(parts, config)

    def merge_parts(self, parts, config):
        return complaint_merge(parts)

    def block(self, now, ytd, config) -> Block:
        b = Lines(now, ytd)
        b.add("受理信访举报总数", "total", COUNT, bold=True).section("其中按来源：")
        for s in now.by_source:
            b.add(s, f"by_source.{s}", COUNT, 1)
        if now.unknown_source or (ytd and ytd.unknown_source):
            b.add("来源不明（见问题清单）", "unknown_source", COUNT, 1)
        b.value("来源小计（应等于总数）", sum(now.by_source.values()) + now.unknown_source,
                (sum(ytd.by_source.values()) + ytd.unknown_source) if ytd is not None else None, COUNT, 1, True)
        b.add("已办结", "closed", COUNT).add("在办", "in_progress", COUNT)
        if now.status_unknown or (ytd and ytd.status_unknown):
            b.add("办理状态未填写或不明", "status_unknown", COUNT)
        disposals = b.keys("by_disposal")
        if disposals:  # 处置方式 filled in: the four ways a clue is disposed of, adding up to the total
            b.section("按处置方式：")
            for k in disposals:
                b.add(k, f"by_disposal.{k}", COUNT, 1)
            b.value("未填写处置方式", undisposed(now), undisposed(ytd) if ytd is not None else None, COUNT, 1)
            b.value("处置方式小计（应等于总数）", now.total, ytd.total if ytd is not None else None, COUNT, 1, True)
        b.add("查实（属实、部分属实）", "substantiated", COUNT)
        b.add("来访", "visits", COUNT).add("来访人次", "person_times", TIMES)
        categories = b.keys("by_category")
        if categories:  # 问题类别 filled in: the categories and the rows without one add up to the total
            b.section("按问题类别：")
            for k in categories:
                b.add(k, f"by_category.{k}", COUNT, 1)
            if uncategorised(now) or (ytd is not None and uncategorised(ytd)):
                b.value("未填写问题类别", uncategorised(now), uncategorised(ytd) if ytd is not None else None, COUNT, 1)
        return Block(self.block_title, b.lines,
                     [Chart("信访举报来源（件）", after="其中按来源：", count=len(now.by_source))])

    def sentences(self, c, config) -> str:
        if not c.total:
            return ""
        src = "、".join(f"{s}件{n}件" for s, n in c.by_source.items() if n)
        text = f"共受理信访举报{c.total}件"
        if src:
            text += f"，其中{src}"
        if c.unknown_source:
            text += f"，来源不明{c.unknown_source}件"
        text += f"，已办结{c.closed}件"
        if c.status_unknown:
            text += f"，办理状态未填写或不明{c.status_unknown}件"
        if c.substantiated:
            text += f"，查实{c.substantiated}件"
        if c.by_disposal:
            ways = [f"{k}{n}件" for k, n in c.by_disposal.items() if n]
            if undisposed(c):
                ways.append(f"未填写处置方式{undisposed(c)}件")
            text += "；按处置方式，" + "、".join(ways)
        return text + "。"

    def compared(self, c):
        return (("受理信访举报", c.total, "件"),)

    def detail(self, x):
        return (x.handler or x.subject, x.source, x.status, None,
                "、".join(filter(None, (x.category, x.conclusion))))

    def worksheet_functions(self):
        from taizhang.ranges import PERIOD_DOC, TABLE_DOC

        return (WorksheetFunction(
            "COMPLAINT_COUNT", complaint_count, "信访举报件数。",
            (("table", TABLE_DOC), ("source", "来源：省转办、市转办或自办（可写同义词）；省略为全部"),
             ("period", PERIOD_DOC))),)

    def report_sections(self) -> tuple[ReportSection, ...]:
        return (ReportSection(10, "信访举报办理情况", _report_part),)

    def report_figures(self, figures: dict, config: Config) -> dict:
        out = dict(figures)
        for key, vocabulary in (("by_source", "complaint_source"), ("by_channel", "complaint_channel"),
                                ("by_category", "complaint_category"), ("by_disposal", "complaint_disposal")):
            tally_in(out, key, canonical_or_none(config, vocabulary))
        return out


def _report_part(out: ReportWriter, c: str, when: str) -> None:
    out.tag(f"{{%p if {c}.total %}}")
    out.p(f"{when}共受理信访举报{{{{ {c}.total }}}}件。按来源分，"
          f"{{{{ {c}.by_source | counts('件', {c}.total, '来源不明', label='件') }}}}"
          # a breakdown whose column the ledgers lack has nothing to say: left out, not "未填写N件"
          f"{{% if {c}.by_channel %}}；按方式分，{{{{ {c}.by_channel | counts('件', {c}.total, '方式未填写') }}}}"
          f"{{% endif %}}"
          f"{{% if {c}.by_category %}}；按问题类别分，{{{{ {c}.by_category | counts('件', {c}.total, '类别未填写') }}}}"
          f"{{% endif %}}"
          f"{{% if {c}.by_disposal %}}；按处置方式分，"
          f"{{{{ {c}.by_disposal | counts('件', {c}.total, '尚未确定处置方式') }}}}{{% endif %}}。")
    out.p(f"从办理情况看，{{{{ {{'已办结': {c}.closed, '在办': {c}.in_progress}} | "
          f"counts('件', {c}.total, '办理状态未填写') }}}}"
          f"{{% if {c}.substantiated %}}；经核查，反映问题属实或部分属实的{{{{ {c}.substantiated }}}}件{{% endif %}}。"
          f"{{% if {c}.visits %}}其中来访{{{{ {c}.visits }}}}件、{{{{ {c}.person_times }}}}人次。{{% endif %}}")
    out.tag("{%p else %}")
    out.p(f"{when}未受理信访举报。")
    out.tag("{%p endif %}")


register(Complaints)
