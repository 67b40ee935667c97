"""工作开展台账 — the activity ledger (kind ``activities``): the work done, not cases.

Study sessions, lectures, warning-education meetings, talks, publicity, rules written,
inspections: the figures of sentences such as "共组织专题学习3次，参与学习的干部职工达150人次，
撰写学习心得12篇".  Per category (``activity_category``, a vocabulary the office extends):
次数 (blank means 1), 参与人次 and 成果数量 with its 计量单位.  How categories are grouped
and worded in the paragraph is data (``taizhang/data/activities.toml``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import field
from typing import Any, Callable, ClassVar, Iterable


from taizhang.checks.base import CheckContext, rows_to_check, ymd
from taizhang.config import Config, default_config
from taizhang.findings import Finding
from taizhang.kinds.base import (Block, Chart, Kind, KindDef, ReportSection, ReportWriter, WorksheetFunction,
                                 register)
from taizhang.kinds.common import TIMES, Lines, add_counts, add_fields, canonical_or_none, tally_in
from taizhang.model import Count, Day, LedgerRow, Text
from taizhang.reading.ledger import Ledger
from taizhang.records import dataclass
from taizhang.values import clean_text, match_key

KIND = Kind("activities")
OTHER_GROUP = "其他"
UNKNOWN = "类别不明"
TIMES_FMT = '#,##0"次"'
PLAIN = "#,##0"


@dataclass(frozen=True, kw_only=True)
class ActivityRow(LedgerRow):
    """工作开展台账: one activity (or several of the same, 次数)."""

    kind: ClassVar[Kind] = KIND
    summable: ClassVar[tuple[str, ...]] = ("times", "person_times", "quantity")
    event_dates: ClassVar[tuple[str, ...]] = ("held_on",)
    period_fields: ClassVar[tuple[str, ...]] = ("held_on",)

    held_on: Day = None
    category: Text = None
    content: Text = None
    times: Count = None
    person_times: Count = None
    quantity: Count = None
    measure_unit: Text = None
    organizer: Text = None

    @property
    def count(self) -> int:
        """次数, a blank counting 1 (a negative one, already a finding, counts 0)."""
        return times_count(self.times)


def times_count(times: int | None) -> int:
    """The activities a row stands for: its 次数, a blank counting 1, a negative one 0."""
    return 1 if times is None else max(times, 0)


# --- the data ----------------------------------------------------------------------------

def _table(config: Config) -> dict[str, Any]:
    return config.tables.get("activities", {})


def groups(config: Config) -> dict[str, list[str]]:
    """Group (学习教育 …) -> its categories, in report order; 其他 for the rest."""
    out = {g: list(cats) for g, cats in _table(config).get("groups", {}).items()}
    grouped = {c for cats in out.values() for c in cats}
    rest = [c for c in config.vocabulary("activity_category").canonical if c not in grouped]
    if rest:
        out.setdefault(OTHER_GROUP, []).extend(rest)
    return out


def category_order(config: Config) -> list[str]:
    return [c for cats in groups(config).values() for c in cats]


def _meta(config: Config, category: str) -> dict[str, Any]:
    return _table(config).get("categories", {}).get(category, {})


# --- checks ------------------------------------------------------------------------------

def _rows(ledger: Ledger) -> Iterable[ActivityRow]:
    return (r for r in ledger.rows if isinstance(r, ActivityRow))


def dates_in_year(ledger: Ledger, ctx: CheckContext) -> Iterable[Finding]:
    """The ledger is the year's: a date of another year is probably a typing slip."""
    as_of = ctx.as_of

    def suspect(held_on: Any) -> Any:
        return held_on is not None and held_on.year != as_of.year and held_on <= as_of

    for row in (r for r in rows_to_check(ledger, ("held_on",), suspect) if isinstance(r, ActivityRow)):
        if row.held_on is not None and row.held_on.year != ctx.as_of.year and row.held_on <= ctx.as_of:
            yield ledger.finding(
                "date-outside-year",
                f"“{ledger.column_name('held_on')}”为 {ymd(row.held_on)}，不在本年度（{ctx.as_of.year}年）内，请核对",
                "held_on", row.origin.row)


def units(ledger: Ledger, ctx: CheckContext) -> Iterable[Finding]:
    """成果数量 needs its 计量单位 to be counted with the category's others."""
    first: dict[str, tuple[str, int]] = {}
    for row in _rows(ledger):
        if row.category is None or row.quantity is None:
            continue
        unit = row.measure_unit or _meta(ctx.config, row.category).get("unit")
        if unit is None:
            continue
        seen = first.setdefault(row.category, (unit, row.origin.row))
        if seen[0] != unit:
            column = "measure_unit" if "measure_unit" in ledger.layout.columns else "quantity"
            yield ledger.finding(
                "mixed-unit",
                f"“{row.category}”的计量单位“{unit}”与第 {seen[1]} 行的“{seen[0]}”不同，"
                f"该行成果数量未计入“{seen[0]}”的合计，请统一计量单位",
                column, row.origin.row)


RULES = (dates_in_year, units)


# --- figures -----------------------------------------------------------------------------

@dataclass(kw_only=True)
class ActivityLine:
    """One category: 次数, 参与人次, 成果数量 in its 计量单位."""

    count: int = 0
    person_times: int = 0
    quantity: int = 0
    unit: str | None = None


@dataclass(kw_only=True)
class GroupLine:
    """Sessions (次数) and 参与人次 of a group of activities."""

    count: int = 0
    person_times: int = 0


@dataclass(kw_only=True)
class ActivityFigures:
    """The figures of the 工作开展台账: by category and by group."""

    #: category -> figures, categories with rows only, in the order of the data
    by_category: dict[str, ActivityLine] = field(default_factory=dict)
    #: 学习教育 / 警示教育 / 宣传 / 制度 / 监督 (and 其他) -> 次数 and 参与人次
    by_group: dict[str, GroupLine] = field(default_factory=dict)
    #: rows counted (a row may stand for several activities: 次数)
    rows: int = 0
    #: rows whose 活动类别 is missing or not in the vocabulary (each also a finding): in
    #: ``rows`` but in no category
    unknown_category: int = 0
    undated: int = 0


#: Where parts keep the 成果数量 of rows without a 计量单位 (never a unit's name).
_NO_UNIT = ""


def activity_parts(rows: Iterable[ActivityRow], config: Config) -> dict[str, Any]:
    """What the figures need of ``rows`` (see :meth:`KindDef.parts`): per category the sums,
    the 计量单位 written (in order of first appearance: the most written one is the category's)
    and the 成果数量 per unit written, since which unit counts is known only once all rows are."""
    rows = list(rows)
    return parts_of_columns({f: [getattr(r, f) for r in rows] for f in COUNTED}, len(rows), config)


#: The fields the figures read.
COUNTED = ("category", "times", "person_times", "quantity", "measure_unit")


def parts_of_columns(columns: Any, total: int, config: Config) -> dict[str, Any]:
    """:func:`activity_parts` of ``total`` rows given column by column: ``columns[field]``
    holds the values of each field of :data:`COUNTED`, one per row."""
    category, times, person_times, quantity, measure_unit = (columns[f] for f in COUNTED)
    known = set(config.vocabulary("activity_category").canonical)
    per: dict[str, dict[str, Any]] = {}
    for cat, n, people, amount, unit in zip(category, times, person_times, quantity, measure_unit):
        if cat not in known:
            continue
        part = per.setdefault(cat, {"count": 0, "person_times": 0, "units": {}, "quantity": {}})
        part["count"] += times_count(n)
        part["person_times"] += max(people or 0, 0)
        if amount is not None:
            if unit:
                part["units"][unit] = part["units"].get(unit, 0) + 1
            key = unit or _NO_UNIT
            part["quantity"][key] = part["quantity"].get(key, 0) + max(amount, 0)
    return {"rows": total, "unknown_category": sum(c not in known for c in category), "by_category": per}


def activity_merge(parts: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The parts of the rows behind ``parts`` laid end to end, as one part."""
    counts = {"rows": 0, "unknown_category": 0}
    per: dict[str, dict[str, Any]] = {}
    for part in parts:
        add_fields(counts, part, ("rows", "unknown_category"))
        for cat, theirs in part["by_category"].items():
            mine = per.setdefault(cat, {"count": 0, "person_times": 0, "units": {}, "quantity": {}})
            add_fields(mine, theirs, ("count", "person_times"))
            add_counts(mine["units"], theirs["units"])
            add_counts(mine["quantity"], theirs["quantity"])
    return {**counts, "by_category": per}


def activity_from_parts(parts: Iterable[dict[str, Any]], config: Config) -> ActivityFigures:
    merged = activity_merge(parts)
    counts = {"rows": merged["rows"], "unknown_category": merged["unknown_category"]}
    per = merged["by_category"]
    order = category_order(config)
    by_category: dict[str, ActivityLine] = {}
    for cat in sorted(per, key=lambda c: (order.index(c) if c in order else len(order), c)):
        line = per[cat]
        written = Counter(line["units"])
        unit = written.most_common(1)[0][0] if written else _meta(config, cat).get("unit")
        # a row counts when its unit is the category's, or when it wrote none
        quantity = line["quantity"].get(_NO_UNIT, 0) + (line["quantity"].get(unit, 0) if unit else 0)
        by_category[cat] = ActivityLine(count=line["count"], person_times=line["person_times"],
                                        quantity=quantity, unit=unit)
    by_group: dict[str, GroupLine] = {}
    for group, cats in groups(config).items():
        lines = [by_category[c] for c in cats if c in by_category]
        if lines:
            by_group[group] = GroupLine(count=sum(x.count for x in lines),
                                        person_times=sum(x.person_times for x in lines))
    return ActivityFigures(by_category=by_category, by_group=by_group, **counts)


def activity_figures(rows: Iterable[ActivityRow], config: Config) -> ActivityFigures:
    return activity_from_parts([activity_parts(rows, config)], config)


def _total(fig: ActivityFigures | None, attr: str) -> int | None:
    return None if fig is None else sum(getattr(x, attr) for x in fig.by_category.values())


def _line(fig: ActivityFigures | None, category: str, attr: str) -> int | None:
    if fig is None:
        return None
    line = fig.by_category.get(category)
    return getattr(line, attr) if line is not None else 0


def _phrase(template: str, line: ActivityLine, category: str) -> str:
    return template.format(count=line.count, person_times=line.person_times, quantity=line.quantity,
                           unit=line.unit or "", name=category)


def sentences(fig: ActivityFigures, config: Config, only: Iterable[str] | None = None) -> str:
    """学习教育方面，组织专题学习3次，参与学习的干部职工达150人次，撰写学习心得12篇；…。
    ``only`` names the groups to write (all by default)."""
    parts = []
    wanted = set(only) if only is not None else None
    for group, cats in groups(config).items():
        if wanted is not None and group not in wanted:
            continue
        clauses = []
        for cat in cats:
            line = fig.by_category.get(cat)
            if line is None or not (line.count or line.person_times or line.quantity):
                continue
            meta = _meta(config, cat)
            words = [_phrase(meta.get("count", "开展{name}{count}次"), line, cat)]
            if line.person_times:
                words.append(_phrase(meta.get("person_times", "参与{person_times}人次"), line, cat))
            if line.quantity:
                words.append(_phrase(meta.get("quantity", "形成成果{quantity}{unit}"), line, cat))
            clauses.append("，".join(words))
        if clauses:
            parts.append(f"{group}方面，" + "；".join(clauses) + "。")
    return "".join(parts)


# --- worksheet functions -----------------------------------------------------------------

MEASURES = {"count": ("次数", "次", "count", "场次"),
            "person_times": ("人次", "参与人次", "person_times", "人数"),
            "quantity": ("数量", "成果数量", "quantity", "成果")}


def activity_count(table: Any, category: Any = None, measure: Any = None, period: Any = None,
                   config: Config | None = None) -> int:
    """工作开展次数（次数空白计 1），或参与人次、成果数量；可按活动类别或板块（学习教育…）。"""
    from taizhang.ranges import columns_in, config_or_default

    config = config_or_default(config)
    rows = columns_in(table, KIND, period, config, set(COUNTED))
    return count_in(activity_from_parts([parts_of_columns(rows, len(rows), config)], config), category, measure,
                    config)


def count_in(fig: ActivityFigures, category: Any, measure: Any, config: Config) -> int:
    """``ACTIVITY_COUNT``'s figure: of a category, a group or all, by ``measure``."""
    from taizhang.ranges import RangeError

    wanted = clean_text(measure) or "次数"
    attr = next((a for a, names in MEASURES.items() if match_key(wanted) in {match_key(n) for n in names}), None)
    if attr is None:
        raise RangeError(f"“{wanted}”不是统计口径，应为：次数、人次或数量")
    name = clean_text(category)
    if name is None:
        return sum(getattr(x, attr) for x in fig.by_category.values())
    group = next((g for g in groups(config) if match_key(g) == match_key(name)), None)
    if group is not None:
        cats = groups(config)[group]
    else:
        found = config.vocabulary("activity_category").lookup(name)
        if found is None:
            raise RangeError(f"“{name}”不是规定的活动类别，应为：{'、'.join(category_order(config))}，"
                             f"或板块：{'、'.join(groups(config))}")
        cats = [found]
    return sum(getattr(fig.by_category[c], attr) for c in cats if c in fig.by_category)


class Activities(KindDef):
    kind = KIND
    codes = {
        "date-outside-year": ("warning", "日期不在本年度"),
        "mixed-unit": ("warning", "计量单位不一致"),
    }
    row_model = ActivityRow
    figures_model = ActivityFigures
    report_rank = 50
    block_title = "工作开展"
    detail_label = "工作开展"
    master_sheet = "工作开展合并"

    def rules(self):
        return RULES

    def figures(self, rows, config, as_of):
        return activity_figures(rows, config)

    def parts(self, rows, config):
        return activity_parts(rows, config)

    def from_parts(self, parts, config, as_of):
        return activity_from_parts(parts, config)

    def merge_parts(self, parts, config):
        return activity_merge(parts)

    def block(self, now, ytd, config) -> Block:
        b = Lines(now, ytd)
        order = category_order(config)
        cats = sorted(b.keys("by_category"), key=lambda c: (order.index(c) if c in order else len(order), c))
        b.value("开展工作总次数", _total(now, "count"), _total(ytd, "count"), TIMES_FMT, bold=True)
        b.value("参与总人次", _total(now, "person_times"), _total(ytd, "person_times"), TIMES)
        b.section("按类别（次数）：")
        for c in cats:
            b.value(c, _line(now, c, "count"), _line(ytd, c, "count"), TIMES_FMT, 1)
        if now.unknown_category or (ytd and ytd.unknown_category):
            b.add("类别不明的行（见问题清单）", "unknown_category", '#,##0"行"', 1)
        with_people = [c for c in cats if _line(now, c, "person_times") or _line(ytd, c, "person_times")]
        if with_people:
            b.section("按类别（参与人次）：")
            for c in with_people:
                b.value(c, _line(now, c, "person_times"), _line(ytd, c, "person_times"), TIMES, 1)
        with_output = [c for c in cats if _line(now, c, "quantity") or _line(ytd, c, "quantity")]
        if with_output:
            b.section("按类别（成果数量）：")
            for c in with_output:
                line = now.by_category.get(c) or (ytd.by_category.get(c) if ytd else None)
                unit = line.unit if line is not None else None
                fmt = f'#,##0"{unit}"' if unit else PLAIN
                b.value(f"{c}（{unit}）" if unit else c, _line(now, c, "quantity"), _line(ytd, c, "quantity"),
                        fmt, 1)
        charts = [Chart("工作开展次数（次）", after="按类别（次数）：", count=len(cats), horizontal=True)] if cats else []
        return Block(self.block_title, b.lines, charts)

    def sentences(self, fig, config) -> str:
        return sentences(fig, config)

    def compared(self, fig):
        return (("开展工作", _total(fig, "count"), "次"),)

    def detail(self, x):
        note = "、".join(filter(None, (
            x.content, f"{x.count}次",
            f"{x.person_times}人次" if x.person_times is not None else None,
            f"{x.quantity}{x.measure_unit or ''}" if x.quantity is not None else None)))
        return (x.organizer, x.category, None, None, note)

    def worksheet_functions(self):
        from taizhang.ranges import PERIOD_DOC, TABLE_DOC

        return (WorksheetFunction(
            "ACTIVITY_COUNT", activity_count,
            "工作开展次数（次数空白计 1），或参与人次、成果数量：自动识别表头，跳过合计行。",
            (("table", TABLE_DOC), ("category", "活动类别，如 专题学习，或板块 学习教育；省略为全部"),
             ("measure", "统计口径：次数（默认）、人次 或 数量"), ("period", PERIOD_DOC))),)

    report_preamble = ("{%p set acts = activities is defined and (activities.rows or activities.undated or "
                       "(year_to_date is defined and year_to_date.activities is defined and "
                       "year_to_date.activities.rows)) %}",)

    def report_sections(self) -> tuple[ReportSection, ...]:
        # the ledger's two parts, when one was given (summary --json has "activities")
        guard, ytd = "activities is defined and acts", "截至{{ period_end_label }}底，全年"
        return (ReportSection(50, "学习教育和警示教育情况",
                              _report_part(("学习教育", "警示教育"), "未开展学习教育和警示教育活动"), ytd, guard),
                ReportSection(60, "宣传、制度和监督工作情况",
                              _report_part(("宣传", "制度", "监督", "其他"), "未开展宣传、制度建设和监督检查工作"),
                              ytd, guard))

    def report_figures(self, figures: dict, config: Config) -> dict:
        out = dict(figures)
        if isinstance(out.get("by_category"), dict):
            tally_in(out, "by_category", canonical_or_none(config, "activity_category"),
                     lambda: {"count": 0, "person_times": 0, "quantity": 0, "unit": None})
            tally_in(out, "by_group", [*report_groups(config), OTHER_GROUP], lambda: {"count": 0, "person_times": 0})
        return out

    def report_filters(self, config: Config) -> dict[str, Callable[..., Any]]:
        groups = report_groups(config)
        wording = _table(config).get("categories", {})

        def phrase(category: str, line: dict) -> str:
            meta = wording.get(category, {})
            values = {"name": category, "count": line.get("count", 0), "person_times": line.get("person_times", 0),
                      "quantity": line.get("quantity", 0), "unit": line.get("unit") or ""}
            words = [meta.get("count", "开展{name}{count}次").format(**values)]
            if values["person_times"]:
                words.append(meta.get("person_times", "参与{person_times}人次").format(**values))
            if values["quantity"]:
                words.append(meta.get("quantity", "形成成果{quantity}{unit}").format(**values))
            return "，".join(words)

        def activity(activities: dict, *names: str) -> str:
            """The activity ledger's groups ``names`` (学习教育, 警示教育 …) as sentences, each led by
            the group's total that its categories add up to:
            ``学习教育方面，共开展活动5次、参与210人次：组织专题学习3次，…；开展廉政讲座2场，…。``"""
            by_category, by_group = activities.get("by_category", {}), activities.get("by_group", {})
            grouped = {c for cats in groups.values() for c in cats}
            parts = []
            for group in names:
                cats = groups.get(group) if group != OTHER_GROUP else [c for c in by_category if c not in grouped]
                line = by_group[group] if group in by_group else None
                clauses = [phrase(c, by_category[c]) for c in (cats or []) if c in by_category
                           and by_category[c].get("count")]
                if not clauses:
                    continue
                count = line["count"] if line else sum(by_category[c]["count"] for c in cats if c in by_category)
                people = line["person_times"] if line else sum(by_category[c]["person_times"] for c in cats
                                                               if c in by_category)
                head = f"{group}方面，共开展活动{count}次" + (f"、参与{people}人次" if people else "")
                parts.append(f"{head}：{'；'.join(clauses)}。")
            return "".join(parts)

        return {"activity": activity}


def _report_part(groups: tuple[str, ...], nothing: str) -> Callable[[ReportWriter, str, str], None]:
    names = ", ".join(f"'{g}'" for g in groups)

    def write(out: ReportWriter, a: str, when: str) -> None:
        out.tag("{%p if " + " or ".join(f"{a}.by_group['{g}'].count" for g in groups) + " %}")
        out.p(f"{when}{{{{ {a} | activity({names}) }}}}")
        out.tag("{%p else %}")
        out.p(f"{when}{nothing}。")
        out.tag("{%p endif %}")
    return write


def report_groups(config: Config) -> dict[str, list[str]]:
    """Group (学习教育 …) -> its categories in the report's order: the configuration's groups,
    else the shipped ones (without the 其他 of :func:`groups`)."""
    found = _table(config).get("groups")
    if not found:
        found = _table(default_config()).get("groups", {})
    return {g: list(cats) for g, cats in found.items()}


register(Activities)
