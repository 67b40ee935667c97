"""整改台账 — the rectification ledger (kind ``rectification``): a tracker of problems."""

from __future__ import annotations

from collections import Counter
from dataclasses import field
from datetime import date
from typing import Any, ClassVar, Iterable


from taizhang import roles
from taizhang.checks.base import CheckContext, missing_conditional_column, rows_to_check, ymd
from taizhang.config import Config, default_config
from taizhang.findings import Finding
from taizhang.kinds.base import Block, Kind, KindDef, ReportSection, ReportWriter, WorksheetFunction, register
from taizhang.kinds.common import ITEMS, RATE, Lines, canonical_or_none, merge_tallies, ordered, tally_in
from taizhang.model import Day, LedgerRow, ParseInfo, Text, _ctx
from taizhang.reading.ledger import Ledger
from taizhang.records import dataclass

KIND = Kind("rectification")


@dataclass(frozen=True, kw_only=True)
class RectificationRow(LedgerRow):
    """整改台账: one problem to rectify."""

    kind: ClassVar[Kind] = KIND
    event_dates: ClassVar[tuple[str, ...]] = ("found_on", "completed_on")
    #: Items are placed by 发现日期 only: an open item with a later 整改时限 is not a later
    #: row, and an item without 发现日期 has simply been on the ledger all along.
    period_fields: ClassVar[tuple[str, ...]] = ("found_on",)
    #: What ``before_parse`` sets (the other fields are parsed from their cells as they are).
    derived: ClassVar[frozenset[str]] = frozenset({"deadline", "deadline_type"})

    source: Text = None
    found_on: Day = None
    description: Text = None
    unit: Text = None
    owner: Text = None
    measures: Text = None
    deadline_type: Text = None
    deadline: Day = None
    status: Text = None
    completed_on: Day = None
    evidence: Text = None

    @classmethod
    def before_parse(cls, data: Any, info: ParseInfo) -> Any:
        """立行立改 / 长期坚持 written in the 整改时限 column is a deadline type, not a bad date."""
        if not isinstance(data, dict) or not isinstance(data.get("deadline"), str):
            return data
        vocab = _ctx(info).config.vocabulary("deadline_type")
        word = vocab.lookup(data["deadline"])
        if word is None or word == "限期整改":
            return data
        data = dict(data)
        data["deadline"] = None
        data["deadline_type"] = data.get("deadline_type") or word
        return data

    @property
    def is_done(self) -> bool:
        return self.status in _done(default_config())


def _done(config: Config) -> tuple[str, ...]:
    return roles.values(config, "rectification", "completed") + roles.values(config, "rectification", "closed")


def _open(config: Config) -> tuple[str, ...]:
    return roles.values(config, "rectification", "not_started") + roles.values(config, "rectification", "in_progress")


# --- checks ------------------------------------------------------------------------------

def _rows(ledger: Ledger, fields: tuple[str, ...] = (), suspect: Any = None) -> Iterable[RectificationRow]:
    """The rectification rows of the ledger (those ``suspect`` lets through, see
    ``checks.base.rows_to_check``)."""
    rows = ledger.rows if suspect is None else rows_to_check(ledger, fields, suspect)
    return (r for r in rows if isinstance(r, RectificationRow))


def completion_date(ledger: Ledger, ctx: CheckContext) -> Iterable[Finding]:
    """已完成 / 已销号 needs a completion date, and it cannot precede the problem's discovery."""
    done = _done(ctx.config)
    has_column = "completed_on" in ledger.layout.columns
    if not has_column and any(r.status in done for r in _rows(ledger)):
        yield missing_conditional_column(ledger, "completed_on", "有已完成或已销号的问题")

    def suspect(status: Any, completed_on: Any, found_on: Any) -> Any:
        return (status in done and completed_on is None) or (completed_on and found_on and completed_on < found_on)

    for row in _rows(ledger, ("status", "completed_on", "found_on"), suspect):
        if has_column and row.status in done and row.completed_on is None and not _bad(ledger, row, "completed_on"):
            yield ledger.finding("missing-completion-date",
                                 f"整改状态为“{row.status}”，但没有填写完成时间", "completed_on", row.origin.row)
        if row.completed_on and row.found_on and row.completed_on < row.found_on:
            yield ledger.finding(
                "completion-before-found",
                f"完成时间 {ymd(row.completed_on)} 早于发现日期 {ymd(row.found_on)}",
                "completed_on", row.origin.row)


def deadlines(ledger: Ledger, ctx: CheckContext) -> Iterable[Finding]:
    """Overdue (逾期未完成) and completed after the deadline (逾期完成)."""
    still_open = _open(ctx.config)
    as_of = ctx.as_of

    def suspect(deadline: Any, status: Any, completed_on: Any) -> Any:
        return deadline is not None and ((status in still_open and deadline < as_of)
                                         or (completed_on and completed_on > deadline))

    for row in _rows(ledger, ("deadline", "status", "completed_on"), suspect):
        if row.deadline is None:
            continue
        if row.status in still_open and row.deadline < ctx.as_of:
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


RULES = (completion_date, deadlines)


# --- figures -----------------------------------------------------------------------------

@dataclass(kw_only=True)
class RectificationFigures:
    """The figures of the 整改台账: items by status, overdue and completed late, the completion rate, by source and unit."""

    total: int = 0
    not_started: int = 0
    in_progress: int = 0
    completed: int = 0
    closed: int = 0
    overdue: int = 0
    completed_late: int = 0
    #: Problems whose 整改状态 is missing or not in the vocabulary (each also a finding), so
    #: that not_started + in_progress + completed + closed + unknown_status == total
    unknown_status: int = 0
    #: (已完成 + 已销号) / total, 4 decimal places; None when there is nothing to rectify
    completion_rate: float | None = None
    by_source: dict[str, int] = field(default_factory=dict)
    by_unit: dict[str, int] = field(default_factory=dict)
    undated: int = 0


_STAGES = ("not_started", "in_progress", "completed", "closed")
#: The figures of rectification that are plain counts (added up when parts are merged).
_COUNTS = ("total", *_STAGES, "unknown_status", "completed_late")


def rectification_parts(rows: Iterable[RectificationRow], config: Config) -> dict[str, Any]:
    """What the figures need of ``rows`` (see :meth:`KindDef.parts`): counts, tallies in order
    of first appearance, and the deadlines of the items still open (how many are overdue
    depends on the day they are judged at, which the parts do not fix)."""
    rows = list(rows)
    return parts_of_columns({f: [getattr(r, f) for r in rows] for f in _READ}, len(rows), config)


#: The fields the figures read.
_READ = ("status", "deadline", "completed_on", "source", "unit")


def parts_of_columns(columns: Any, total: int, config: Config) -> dict[str, Any]:
    """:func:`rectification_parts` of ``total`` rows given column by column: ``columns[field]``
    holds the values of a field, one per row (a field not read: all None)."""
    status, deadline, completed_on, source, unit = (columns[f] for f in _READ)
    stage = {name: roles.values(config, "rectification", name) for name in _STAGES}
    known = {v for vals in stage.values() for v in vals}
    still_open = _open(config)
    return {
        "total": total,
        **{name: sum(s in vals for s in status) for name, vals in stage.items()},
        "unknown_status": sum(s not in known for s in status),
        "open_deadlines": dict(Counter(d.isoformat() for s, d in zip(status, deadline)
                                       if s in still_open and d is not None)),
        "completed_late": sum(c is not None and d is not None and c > d for c, d in zip(completed_on, deadline)),
        "by_source": dict(Counter(x or "（未填）" for x in source)),
        "by_unit": dict(Counter(x or "（未填）" for x in unit)),
    }


_TALLIES = ("open_deadlines", "by_source", "by_unit")


def rectification_merge(parts: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The parts of the rows behind ``parts`` laid end to end, as one part."""
    return merge_tallies(parts, _COUNTS, _TALLIES)


def rectification_from_parts(parts: Iterable[dict[str, Any]], config: Config, as_of: date) -> RectificationFigures:
    merged = rectification_merge(parts)
    day = as_of.isoformat()
    total = merged["total"]
    return RectificationFigures(
        **{name: merged[name] for name in _COUNTS},
        overdue=sum(n for deadline, n in merged["open_deadlines"].items() if deadline < day),
        completion_rate=round((merged["completed"] + merged["closed"]) / total, 4) if total else None,
        by_source=ordered(merged["by_source"], config.vocabulary("rectification_source").canonical),
        by_unit=merged["by_unit"],
    )


def rectification_figures(rows: Iterable[RectificationRow], config: Config, as_of: date) -> RectificationFigures:
    return rectification_from_parts([rectification_parts(rows, config)], config, as_of)


# --- worksheet functions -----------------------------------------------------------------

def rectify_overdue(table: Any, as_of: Any = None, config: Config | None = None) -> int:
    """逾期未完成的整改问题个数。"""
    from taizhang.ranges import as_of_of, columns_in, config_or_default

    config = config_or_default(config)
    rows = columns_in(table, KIND, None, config, {"status", "deadline"})
    return rectification_from_parts([parts_of_columns(rows, len(rows), config)], config, as_of_of(as_of)).overdue


def rectify_rate(table: Any, config: Config | None = None) -> float:
    """整改完成率（已完成与已销号占全部问题的比例，0 到 1）。"""
    from taizhang.ranges import RangeError, columns_in, config_or_default

    config = config_or_default(config)
    rows = columns_in(table, KIND, None, config, {"status"})
    rate = rectification_from_parts([parts_of_columns(rows, len(rows), config)], config, date.today()).completion_rate
    if rate is None:
        raise RangeError("台账中没有整改问题")
    return rate


class Rectification(KindDef):
    kind = KIND
    codes = {
        "missing-completion-date": ("error", "已完成但没有完成时间"),
        "completion-before-found": ("error", "完成时间早于发现日期"),
        "overdue": ("warning", "逾期未完成"),
        "completed-late": ("warning", "逾期完成"),
    }
    row_model = RectificationRow
    figures_model = RectificationFigures
    report_rank = 40
    block_title = "问题整改"
    detail_label = "整改"
    master_sheet = "整改台账合并"
    ytd_is_tracker = True

    def rules(self):
        return RULES

    def figures(self, rows, config, as_of):
        return rectification_figures(rows, config, as_of)

    def parts(self, rows, config):
        return rectification_parts(rows, config)

    def from_parts(self, parts, config, as_of):
        return rectification_from_parts(parts, config, as_of)

    def merge_parts(self, parts, config):
        return rectification_merge(parts)

    def block(self, now, ytd, config) -> Block:
        b = Lines(now, ytd)
        b.add("整改问题总数", "total", ITEMS, bold=True)
        b.add("未启动", "not_started", ITEMS, 1).add("整改中", "in_progress", ITEMS, 1)
        b.add("已完成", "completed", ITEMS, 1).add("已销号", "closed", ITEMS, 1)
        if now.unknown_status or (ytd and ytd.unknown_status):
            b.add("状态不明（见问题清单）", "unknown_status", ITEMS, 1)
        states = ("not_started", "in_progress", "completed", "closed", "unknown_status")
        b.value("状态小计（应等于总数）", sum(getattr(now, k) for k in states),
                sum(getattr(ytd, k) for k in states) if ytd is not None else None, ITEMS, 1, True)
        b.add("逾期未完成", "overdue", ITEMS).add("逾期完成", "completed_late", ITEMS)
        b.value("完成率", now.completion_rate, ytd.completion_rate if ytd is not None else None, RATE)
        return Block(self.block_title, b.lines)

    def sentences(self, t, config) -> str:
        """The statuses in the words of the block's lines (已完成, 已销号, 整改中, 未启动,
        状态不明), each that is not nought, adding up to the total stated."""
        if not t.total:
            return ""
        states = [(label, n) for label, n in (("已完成", t.completed), ("已销号", t.closed), ("整改中", t.in_progress),
                                              ("未启动", t.not_started), ("状态不明", t.unknown_status)) if n]
        text = f"整改问题{t.total}个"
        if states:
            text += "，其中" + "、".join(f"{label}{n}个" for label, n in states)
        if t.overdue:
            text += f"；逾期未完成{t.overdue}个"
        if t.completion_rate is not None:
            text += f"，完成率（已完成和已销号占总数）{t.completion_rate * 100:.1f}%"
        return text + "。"

    def compared(self, t):
        return (("整改问题", t.total, "个"),)

    def detail(self, x):
        return (x.unit, x.source, x.status, None, x.description)

    def worksheet_functions(self):
        from taizhang.ranges import TABLE_DOC

        return (
            WorksheetFunction("RECTIFY_OVERDUE", rectify_overdue, "逾期未完成的整改问题个数。",
                              (("table", TABLE_DOC), ("as_of", "检查日期（日期单元格）；省略为今天"))),
            WorksheetFunction("RECTIFY_RATE", rectify_rate, "整改完成率（0 到 1，可设为百分比格式）。",
                              (("table", TABLE_DOC),)),
        )

    def report_sections(self) -> tuple[ReportSection, ...]:
        return (ReportSection(20, "问题整改情况", _report_part, ytd_when="截至{{ period_end_label }}底，"),)

    def report_figures(self, figures: dict, config: Config) -> dict:
        out = dict(figures)
        tally_in(out, "by_source", canonical_or_none(config, "rectification_source"))
        return out


def _report_part(out: ReportWriter, r: str, when: str) -> None:
    found = "新发现需整改的问题" if "year_to_date" not in r else "整改台账共有问题"
    out.tag(f"{{%p if {r}.total %}}")
    out.p(f"{when}{found}{{{{ {r}.total }}}}个，其中"
          f"{{{{ {{'未启动': {r}.not_started, '整改中': {r}.in_progress, '已完成': {r}.completed, "
          f"'已销号': {r}.closed}} | counts('个', {r}.total, '状态未填写或无法识别') }}}}"
          f"{{% if {r}.completion_rate is not none %}}，整改完成率{{{{ {r}.completion_rate | pct }}}}{{% endif %}}"
          f"{{% if {r}.overdue %}}；逾期未完成{{{{ {r}.overdue }}}}个，已督促限期整改{{% endif %}}"
          f"{{% if {r}.completed_late %}}；逾期完成{{{{ {r}.completed_late }}}}个{{% endif %}}。"
          f"按问题来源分，{{{{ {r}.by_source | counts('个', {r}.total, '来源未填写') }}}}。")
    out.tag("{%p else %}")
    out.p(f"{when}{'未发现新的需整改问题' if 'year_to_date' not in r else '整改台账中没有问题'}。")
    out.tag("{%p endif %}")


register(Rectification)
