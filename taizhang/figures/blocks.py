"""The four blocks of figures, each a pure function of typed ledger rows.

Counting units follow DOMAIN.md: complaints in 件 (visits also in 人次), sanctioned people
in 人 (distinct persons) and measures in 人次, money exact to the fen as ``Decimal``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable

from pydantic import BaseModel, Field

from taizhang.config import Config
from taizhang.model import ComplaintRow, RectificationRow, RefundRow, SanctionRow
from taizhang.sanctions import UNCLASSIFIED, form_of, resolve_category

ZERO = Decimal(0)
CENT = Decimal("0.01")
SOURCES = ("省转办", "市转办", "自办")
FORMS = ("第一种形态", "第二种形态", "第三种形态", "第四种形态")
CATEGORIES = ("党纪处分", "政务处分", "组织处理", "问责/其他措施")


def fen(amount: Decimal) -> Decimal:
    """``amount`` rounded to the fen (分) for output, half up (四舍五入); sums stay exact."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _ordered(counter: Counter, order: Iterable[str]) -> dict[str, int]:
    """Counts in vocabulary order, then any other key in order of first appearance."""
    order = list(order)
    out = {k: counter[k] for k in order if counter.get(k)}
    out.update({k: v for k, v in counter.items() if k not in out and v})
    return out


class ComplaintFigures(BaseModel):
    total: int = 0
    by_source: dict[str, int] = Field(default_factory=lambda: dict.fromkeys(SOURCES, 0))
    #: Rows whose 来源 is missing or not in the vocabulary (each is also a finding).
    unknown_source: int = 0
    by_channel: dict[str, int] = {}
    by_category: dict[str, int] = {}
    by_disposal: dict[str, int] = {}
    closed: int = 0
    in_progress: int = 0
    substantiated: int = 0
    #: 来访 complaints in 件, and the people who came in 人次.
    visits: int = 0
    person_times: int = 0
    undated: int = 0


def complaint_figures(rows: Iterable[ComplaintRow], config: Config) -> ComplaintFigures:
    """Complaints of ``rows``; a row with no 来访人次 counts 1 人次 when it is a 来访, else 0."""
    rows = list(rows)
    sources = Counter(r.source for r in rows if r.source in SOURCES)

    def vocab(name: str) -> list[str]:
        return config.vocabulary(name).canonical

    return ComplaintFigures(
        total=len(rows),
        by_source={s: sources.get(s, 0) for s in SOURCES},
        unknown_source=sum(r.source not in SOURCES for r in rows),
        by_channel=_ordered(Counter(r.channel for r in rows if r.channel), vocab("complaint_channel")),
        by_category=_ordered(Counter(r.category for r in rows if r.category), vocab("complaint_category")),
        by_disposal=_ordered(Counter(r.disposal for r in rows if r.disposal), vocab("complaint_disposal")),
        closed=sum(r.status == "办结" for r in rows),
        in_progress=sum(r.status == "在办" for r in rows),
        substantiated=sum(r.substantiated for r in rows),
        visits=sum(r.channel == "来访" for r in rows),
        person_times=sum(max(r.visitors, 0) if r.visitors is not None else int(r.channel == "来访")
                         for r in rows),
    )


class MoneyLine(BaseModel):
    cases: int = 0
    students: int = 0
    due: Decimal = ZERO
    refunded: Decimal = ZERO
    outstanding: Decimal = ZERO
    to_treasury: Decimal = ZERO


class RefundFigures(MoneyLine):
    by_school: dict[str, MoneyLine] = {}
    by_item: dict[str, MoneyLine] = {}
    undated: int = 0


def _money_line(rows: list[RefundRow]) -> MoneyLine:
    """Sums; ``outstanding`` is, per row, 应退 − 已退 (nothing refunded counts 0), never below 0."""
    return MoneyLine(
        cases=len(rows),
        students=sum(r.students or 0 for r in rows if (r.students or 0) > 0),
        due=sum((r.due for r in rows if r.due is not None), ZERO),
        refunded=sum((r.refunded for r in rows if r.refunded is not None), ZERO),
        outstanding=sum((max(r.due - (r.refunded or ZERO), ZERO) for r in rows if r.due is not None), ZERO),
        to_treasury=sum((r.to_treasury for r in rows if r.to_treasury is not None), ZERO),
    )


def refund_figures(rows: Iterable[RefundRow], config: Config) -> RefundFigures:
    rows = list(rows)
    by_school: dict[str, list[RefundRow]] = defaultdict(list)
    by_item: dict[str, list[RefundRow]] = defaultdict(list)
    for r in rows:
        by_school[r.school or "（未填学校）"].append(r)
        by_item[r.item or "（未填项目）"].append(r)
    items = config.vocabulary("fee_item").canonical
    item_order = sorted(by_item, key=lambda k: (items.index(k) if k in items else len(items), k))
    return RefundFigures(
        **_money_line(rows).model_dump(),
        by_school={k: _money_line(v) for k, v in by_school.items()},
        by_item={k: _money_line(by_item[k]) for k in item_order},
    )


class SanctionFigures(BaseModel):
    #: Distinct people (same 姓名 and 单位), and measures taken (rows) in 人次.
    persons: int = 0
    person_times: int = 0
    #: measure -> persons who received it
    by_measure: dict[str, int] = {}
    #: cause -> measure -> persons
    by_cause: dict[str, dict[str, int]] = {}
    #: category -> persons: the four categories always, 未分类 only when some measure could
    #: not be classified (a person whose measures fall in two categories counts in both)
    by_category: dict[str, int] = Field(default_factory=lambda: dict.fromkeys(CATEGORIES, 0))
    #: Persons with a measure but no (known) 问题类型: they are in ``by_measure`` but not in
    #: ``by_cause``; an unknown 问题类型 is also an error finding of the ledger.
    unknown_cause: int = 0
    #: 第一种形态 … 第四种形态 -> 人次
    by_form: dict[str, int] = Field(default_factory=lambda: dict.fromkeys(FORMS, 0))
    undated: int = 0


def _person(row: SanctionRow) -> tuple:
    if row.name is None:  # nobody to match: a person of their own
        return ("", row.origin.file, row.origin.sheet, row.origin.row)
    return (row.name, row.unit or "")


def sanction_figures(rows: Iterable[SanctionRow], config: Config) -> SanctionFigures:
    rows = list(rows)
    measures = config.vocabulary("sanction_measure").canonical
    causes = config.vocabulary("sanction_cause").canonical
    per_measure: dict[str, set] = defaultdict(set)
    per_cause: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    per_category: dict[str, set] = defaultdict(set)
    forms: Counter[str] = Counter()
    no_cause: set = set()
    for r in rows:
        person = _person(r)
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

    def rank(order: list[str]):
        return lambda k: (order.index(k) if k in order else len(order), k)

    by_measure = {m: len(per_measure[m]) for m in sorted(per_measure, key=rank(measures))}
    by_cause = {c: {m: len(per_cause[c][m]) for m in sorted(per_cause[c], key=rank(measures))}
                for c in sorted(per_cause, key=rank(causes))}
    categories = config.vocabulary("sanction_category").canonical or list(CATEGORIES)
    cat_order = [*categories, UNCLASSIFIED]
    by_category = dict.fromkeys(categories, 0)
    by_category.update({c: len(per_category[c]) for c in sorted(per_category, key=rank(cat_order))})
    return SanctionFigures(
        persons=len({_person(r) for r in rows}),
        person_times=len(rows),
        by_measure=by_measure,
        by_cause=by_cause,
        by_category=by_category,
        unknown_cause=len(no_cause),
        by_form={f: forms.get(f, 0) for f in [*FORMS, *sorted(set(forms) - set(FORMS))]},
    )


class RectificationFigures(BaseModel):
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
    by_source: dict[str, int] = {}
    by_unit: dict[str, int] = {}
    undated: int = 0


def rectification_figures(rows: Iterable[RectificationRow], config: Config, as_of: date) -> RectificationFigures:
    rows = list(rows)
    status = Counter(r.status for r in rows)
    done = status["已完成"] + status["已销号"]
    sources = config.vocabulary("rectification_source").canonical
    return RectificationFigures(
        total=len(rows),
        not_started=status["未启动"],
        in_progress=status["整改中"],
        completed=status["已完成"],
        closed=status["已销号"],
        unknown_status=sum(n for s, n in status.items() if s not in ("未启动", "整改中", "已完成", "已销号")),
        overdue=sum(r.status in ("未启动", "整改中") and r.deadline is not None and r.deadline < as_of
                    for r in rows),
        completed_late=sum(r.completed_on is not None and r.deadline is not None and r.completed_on > r.deadline
                           for r in rows),
        completion_rate=round(done / len(rows), 4) if rows else None,
        by_source=_ordered(Counter(r.source or "（未填）" for r in rows), sources),
        by_unit=dict(Counter(r.unit or "（未填）" for r in rows)),
    )
