"""处分台账 — the sanctions and accountability ledger (kind ``sanctions``).

Sanctioned people are counted in 人 (distinct persons), measures in 人次; the category and
the form (四种形态) of a measure are configuration (``forms.toml``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import field
from typing import Any, Callable, ClassVar, Iterable


from taizhang import roles
from taizhang.checks.base import CheckContext
from taizhang.config import Config
from taizhang.findings import Finding
from taizhang.kinds.base import (Block, Chart, Kind, KindDef, Line, ReportSection, ReportWriter, WorksheetFunction,
                                 register)
from taizhang.kinds.common import PERSONS, TIMES, Lines, Tally, add_counts, canonical_or_none, rank, tally_in
from taizhang.model import Day, LedgerRow, Text
from taizhang.reading.ledger import Ledger
from taizhang.records import dataclass
from taizhang.sanctions import UNCLASSIFIED, categories_of, form_of, resolve_category
from taizhang.values import clean_text

KIND = Kind("sanctions")
FORMS = ("第一种形态", "第二种形态", "第三种形态", "第四种形态")
CATEGORIES = ("党纪处分", "政务处分", "组织处理", "问责/其他措施")


@dataclass(frozen=True, kw_only=True)
class SanctionRow(LedgerRow):
    """处分台账: one measure taken against one person."""

    kind: ClassVar[Kind] = KIND
    event_dates: ClassVar[tuple[str, ...]] = ("decided_on",)
    period_fields: ClassVar[tuple[str, ...]] = ("decided_on",)
    not_cells: ClassVar[frozenset[str]] = frozenset({"origin", "measure_written"})
    #: What ``prepare`` sets (the other fields are parsed from their cells as they are).
    derived: ClassVar[frozenset[str]] = frozenset({"measure_written"})

    name: Text = None
    unit: Text = None
    post: Text = None
    cause: Text = None
    category: Text = None
    measure: Text = None
    #: The measure as written (党内警告), kept to tell 党纪 from 政务 when 处分类别 is empty.
    measure_written: str | None = None
    decided_on: Day = None
    doc_no: Text = None

    @classmethod
    def prepare(cls, values: dict[str, Any]) -> dict[str, Any]:
        values["measure_written"] = clean_text(values.get("measure"))
        return values


# --- checks ------------------------------------------------------------------------------

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


RULES = (category,)


# --- figures -----------------------------------------------------------------------------

@dataclass(kw_only=True)
class SanctionFigures:
    """The figures of the 处分台账: persons and 人次, by measure, cause, category and 形态."""

    #: Distinct people (same 姓名 and 单位), and measures taken (rows) in 人次.
    persons: int = 0
    person_times: int = 0
    #: measure -> persons who received it
    by_measure: dict[str, int] = field(default_factory=dict)
    #: cause -> measure -> persons
    by_cause: dict[str, dict[str, int]] = field(default_factory=dict)
    #: category -> persons: the four categories always, 未分类 only when some measure could
    #: not be classified (a person whose measures fall in two categories counts in both)
    by_category: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CATEGORIES, 0))
    #: Persons with a measure but no (known) 问题类型: they are in ``by_measure`` but not in
    #: ``by_cause``; an unknown 问题类型 is also an error finding of the ledger.
    unknown_cause: int = 0
    #: 第一种形态 … 第四种形态 -> 人次
    by_form: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FORMS, 0))
    undated: int = 0


def _person_of(name: str | None, unit: str | None, where: tuple) -> tuple:
    """One person: the same 姓名 and 单位; a row without a 姓名 is a person of its own
    (``where``: its file, sheet and row)."""
    if name is None:  # nobody to match
        return ("", *where)
    return (name, unit or "")


def _person(row: SanctionRow) -> tuple:
    return _person_of(row.name, row.unit, (row.origin.file, row.origin.sheet, row.origin.row))


def sanction_parts(rows: Iterable[SanctionRow], config: Config) -> dict[str, Any]:
    """What the figures need of ``rows`` (see :meth:`KindDef.parts`).  People are counted once
    however many rows name them, so the parts keep who (姓名 and 单位, or the row of a nameless
    one) received what: the people once, in ``persons``, and each tally as their positions
    there; the 人次 are counts."""
    rows = list(rows)
    seen: dict[tuple, int] = {}
    per_measure: dict[str, set] = defaultdict(set)
    per_cause: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    per_category: dict[str, set] = defaultdict(set)
    forms: Counter[str] = Counter()
    no_cause: set = set()
    for r in rows:
        person = seen.setdefault(_person(r), len(seen))
        if r.measure:
            per_measure[r.measure].add(person)
            if r.cause:
                per_cause[r.cause][r.measure].add(person)
            else:
                no_cause.add(person)
            form = form_of(config, r.measure)
            if form:
                forms[form] += 1
            per_category[resolve_category(config, r) or UNCLASSIFIED].add(person)
    return {
        "persons": list(seen),
        "person_times": len(rows),
        "by_measure": {m: sorted(p) for m, p in per_measure.items()},
        "by_cause": {c: {m: sorted(p) for m, p in ms.items()} for c, ms in per_cause.items()},
        "by_category": {c: sorted(p) for c, p in per_category.items()},
        "no_cause": sorted(no_cause),
        "by_form": dict(forms),
    }


def sanction_merge(parts: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The parts of the rows behind ``parts`` laid end to end, as one part: the people of all,
    once each, and every tally as their positions in that list."""
    seen: dict[tuple, int] = {}
    person_times = 0
    per_measure: dict[str, set] = defaultdict(set)
    per_cause: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    per_category: dict[str, set] = defaultdict(set)
    no_cause: set = set()
    forms: dict[str, int] = {}
    for part in parts:
        # where each of the part's people stands among all (a list once it has been through JSON)
        at = [seen.setdefault(tuple(p), len(seen)) for p in part["persons"]]
        person_times += part["person_times"]
        for m, found in part["by_measure"].items():
            per_measure[m].update(at[i] for i in found)
        for c, ms in part["by_cause"].items():
            for m, found in ms.items():
                per_cause[c][m].update(at[i] for i in found)
        for c, found in part["by_category"].items():
            per_category[c].update(at[i] for i in found)
        no_cause.update(at[i] for i in part["no_cause"])
        add_counts(forms, part["by_form"])
    return {
        "persons": list(seen),
        "person_times": person_times,
        "by_measure": {m: sorted(p) for m, p in per_measure.items()},
        "by_cause": {c: {m: sorted(p) for m, p in ms.items()} for c, ms in per_cause.items()},
        "by_category": {c: sorted(p) for c, p in per_category.items()},
        "no_cause": sorted(no_cause),
        "by_form": forms,
    }


def sanction_from_parts(parts: Iterable[dict[str, Any]], config: Config) -> SanctionFigures:
    merged = sanction_merge(parts)
    measures = config.vocabulary("sanction_measure").canonical
    causes = config.vocabulary("sanction_cause").canonical
    per_measure, per_cause, forms = merged["by_measure"], merged["by_cause"], merged["by_form"]
    by_measure = {m: len(per_measure[m]) for m in sorted(per_measure, key=rank(measures))}
    by_cause = {c: {m: len(per_cause[c][m]) for m in sorted(per_cause[c], key=rank(measures))}
                for c in sorted(per_cause, key=rank(causes))}
    categories = config.vocabulary("sanction_category").canonical or list(CATEGORIES)
    cat_order = [*categories, UNCLASSIFIED]
    by_category = dict.fromkeys(categories, 0)
    by_category.update({c: len(merged["by_category"][c]) for c in sorted(merged["by_category"], key=rank(cat_order))})
    return SanctionFigures(
        persons=len(merged["persons"]),
        person_times=merged["person_times"],
        by_measure=by_measure,
        by_cause=by_cause,
        by_category=by_category,
        unknown_cause=len(merged["no_cause"]),
        by_form={f: forms.get(f, 0) for f in [*FORMS, *sorted(set(forms) - set(FORMS))]},
    )


def sanction_figures(rows: Iterable[SanctionRow], config: Config) -> SanctionFigures:
    return sanction_from_parts([sanction_parts(rows, config)], config)


def _unformed(s: Any) -> int:
    """人次 that fall in none of the four forms (no measure, or a measure the mapping lacks)."""
    return s.person_times - sum(s.by_form.values())


def _measure_words(config: Config, measure: str) -> str:
    """Measures that are 处分 proper take the word: 警告处分, 记过处分; 诫勉 does not."""
    cats = set(config.categories.get(measure, ()))
    disciplinary = set(roles.values(config, "sanctions", "disciplinary"))
    return f"{measure}处分" if cats and cats <= disciplinary else measure


# --- worksheet functions -----------------------------------------------------------------

def sanction_count(table: Any, measure: Any = None, cause: Any = None, period: Any = None,
                   config: Config | None = None) -> int:
    """处分人数（同一人多次处理计 1 人），可按处理方式、问题类型。"""
    from taizhang.ranges import canonical, columns_in, config_or_default
    from taizhang.reading.columns import SHEET

    config = config_or_default(config)
    fields = {"name", "unit"} | {f for f, arg in (("measure", measure), ("cause", cause)) if clean_text(arg)}
    rows = columns_in(table, KIND, period, config, fields)
    m = canonical(config, "sanction_measure", measure)
    c = canonical(config, "sanction_cause", cause)
    rows = rows.keep((m is None or x == m) and (c is None or y == c) for x, y in zip(rows["measure"], rows["cause"]))
    # persons as sanction_figures counts them
    return len({_person_of(n, u, (SHEET, SHEET, r)) for n, u, r in zip(rows["name"], rows["unit"], rows.rows)})


def cause_words(cause: str) -> str:
    """A cause as it reads after 因: 因违规收费, but 因其他问题 (因其他 is no phrase)."""
    return f"{cause}问题" if cause in ("其他", "其它") else cause


class Sanctions(KindDef):
    kind = KIND
    codes = {
        "category-mismatch": ("warning", "处理方式与处分类别不符"),
        "category-unclear": ("warning", "处分类别不明"),
    }
    row_model = SanctionRow
    figures_model = SanctionFigures
    report_rank = 30
    block_title = "处分处理"
    detail_label = "处分"
    master_sheet = "处分合并"

    def rules(self):
        return RULES

    def figures(self, rows, config, as_of):
        return sanction_figures(rows, config)

    def parts(self, rows, config):
        return sanction_parts(rows, config)

    def from_parts(self, parts, config, as_of):
        return sanction_from_parts(parts, config)

    def merge_parts(self, parts, config):
        return sanction_merge(parts)

    def block(self, now, ytd, config) -> Block:
        b = Lines(now, ytd)
        b.add("处理人数", "persons", PERSONS, bold=True).add("处理人次", "person_times", TIMES)
        b.section("按处理方式：")
        for m in b.keys("by_measure"):
            b.add(m, f"by_measure.{m}", PERSONS, 1)
        b.section("按处分类别：")
        for k in b.keys("by_category"):
            b.add(k, f"by_category.{k}", PERSONS, 1)
        b.section("按四种形态：")
        for f in now.by_form:
            b.add(f, f"by_form.{f}", TIMES, 1)
        unformed = [_unformed(f) if f is not None else None for f in (now, ytd)]
        if any(unformed):
            b.lines.append(Line("未归入四种形态（无处理方式或未配置）", *unformed, TIMES, 1))
        b.lines.append(Line("小计（应等于处理人次）",
                            *(sum(f.by_form.values()) + _unformed(f) if f is not None else None
                              for f in (now, ytd)), TIMES, 1, True))
        causes = b.keys("by_cause")
        if causes or now.unknown_cause or (ytd and ytd.unknown_cause):
            b.section("按问题类型和处理方式：")
            for cause in causes:
                b.lines.append(Line(cause, None, None, "General", 1))
                pairs = list(dict.fromkeys([*now.by_cause.get(cause, {}),
                                            *(ytd.by_cause.get(cause, {}) if ytd else {})]))
                b.lines += [Line(m, now.by_cause.get(cause, {}).get(m, 0),
                                 ytd.by_cause.get(cause, {}).get(m, 0) if ytd else None, PERSONS, 2)
                            for m in pairs]
            if now.unknown_cause or (ytd and ytd.unknown_cause):
                b.add("问题类型不明（见问题清单）", "unknown_cause", PERSONS, 1)
        return Block(self.block_title, b.lines,
                     [Chart("处理方式（人）", after="按处理方式：", until="按处分类别：", horizontal=True)])

    def sentences(self, s, config) -> str:
        if s.by_cause:
            clauses = []
            for cause, measures in s.by_cause.items():
                items = "、".join(f"{_measure_words(config, m)}{n}人" for m, n in measures.items())
                clauses.append(f"因{cause_words(cause)}给予{items}")
            if s.unknown_cause:
                clauses.append(f"另有{s.unknown_cause}人问题类型未填写或无法识别")
            return "；".join(clauses) + "。"
        if s.person_times:
            return f"处理{s.persons}人、{s.person_times}人次。"
        return ""

    def compared(self, s):
        return (("问责处理", s.persons, "人"),)

    def detail(self, x):
        return (x.unit, x.cause, x.measure, None, x.name)

    def worksheet_functions(self):
        from taizhang.ranges import PERIOD_DOC, TABLE_DOC

        return (WorksheetFunction(
            "SANCTION_COUNT", sanction_count, "处分人数（同一人受多项处理计 1 人）。",
            (("table", TABLE_DOC), ("measure", "处理方式，如 警告、诫勉；省略为全部"),
             ("cause", "问题类型，如 违规收费；省略为全部"), ("period", PERIOD_DOC))),)

    def report_sections(self) -> tuple[ReportSection, ...]:
        return (ReportSection(40, "问责处理情况", _report_part),)

    def report_figures(self, figures: dict, config: Config) -> dict:
        out = dict(figures)
        measures = canonical_or_none(config, "sanction_measure")
        tally_in(out, "by_measure", measures)
        tally_in(out, "by_category", canonical_or_none(config, "sanction_category"))
        tally_in(out, "by_form", ("第一种形态", "第二种形态", "第三种形态", "第四种形态"))
        if isinstance(out.get("by_cause"), dict):
            out["by_cause"] = Tally({c: Tally(m, measures) for c, m in out["by_cause"].items()},
                                    canonical_or_none(config, "sanction_cause"), lambda: Tally({}, measures))
        return out

    def report_filters(self, config: Config) -> dict[str, Callable[..., Any]]:
        def causes(by_cause: dict) -> str:
            """cause × measure -> ``因违规招生给予诫勉1人；因违规收费给予警告处分2人``."""
            clauses = []
            for cause, measures in by_cause.items():
                items = "、".join(f"{_measure_words(config, m)}{n}人" for m, n in measures.items() if n)
                if items:
                    clauses.append(f"因{cause}给予{items}")
            return "；".join(clauses)

        return {"causes": causes}


def _report_part(out: ReportWriter, s: str, when: str) -> None:
    out.tag(f"{{%p if {s}.person_times %}}")
    out.p(f"{when}共问责处理{{{{ {s}.persons }}}}人、{{{{ {s}.person_times }}}}人次。"
          f"{{% if {s}.by_cause %}}其中{{{{ {s}.by_cause | causes }}}}"
          f"{{% if {s}.unknown_cause %}}；另有{{{{ {s}.unknown_cause }}}}人问题类型未填写或无法识别{{% endif %}}。{{% endif %}}"
          f"运用监督执纪“四种形态”，{{{{ {s}.by_form | counts('人次', {s}.person_times, '未归入四种形态') }}}}。")
    out.tag("{%p else %}")
    out.p(f"{when}没有问责处理人员。")
    out.tag("{%p endif %}")


register(Sanctions)
