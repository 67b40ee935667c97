"""Every figure of a quarter, a half-year or any range of months is its months' figures added up,
exactly, for all five kinds (counts, Decimal money, and the tallies key by key), and its 累计
is the 累计 of its last month.

Which figures are not added up, and the rule each follows instead (tested as such below):

- ``undated`` (every kind): the rows without a date lie in no period; every period, a month
  as a quarter, says how many the ledger has, so a quarter's is each of its months'.
- ``completion_rate`` (整改): a ratio, (已完成 + 已销号) / 总数 of the period's added-up counts.
- the people of 处分 (``persons``, and the persons per measure, cause and category,
  ``unknown_cause``): a person (same 姓名 and 单位) punished in two months of a quarter is one
  person of the quarter, so a quarter counts the distinct people of its months' rows: no more
  than its months added up, no fewer than its largest month, and exactly their sum when no one
  appears in two months.  The 人次 (``person_times``, ``by_form``) add up.
- 成果数量 of 工作开展 (``quantity`` and ``unit`` of a category): counted in the category's unit,
  the one written most over the whole period, so a month that wrote another unit counts other
  rows; with one unit a category (what the ``mixed-unit`` finding asks for) they add up.
"""

from __future__ import annotations

import dataclasses

from datetime import date
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taizhang.config import Kind, default_config
from taizhang.figures import Period, compute, compute_from_parts, report_parts
from taizhang.kinds import definition
from taizhang.model import ROW_MODELS, Origin, period_date
from test_figure_parts import POOLS

CONFIG = default_config()
AS_OF = date(2026, 12, 31)
KINDS = ("complaints", "refunds", "sanctions", "rectification", "activities")
#: The field that places a row of each kind in a period, given dates over October 2025 to
#: December 2026 (and blanks).
PERIOD_FIELD = {"complaints": "received_on", "refunds": "found_on", "sanctions": "decided_on",
                "rectification": "found_on", "activities": "held_on"}
DAYS = [None, *(date(y, m, d) for y, m in [(2025, 10), (2025, 11), (2025, 12)] + [(2026, m) for m in range(1, 13)]
                for d in (1, 15, 28))]
#: One 计量单位 for each 活动类别 (None: written without one), so that quantities add up.
UNIT_OF = {"专题学习": "篇", "廉政讲座": None, "警示教育大会": "次", "宣传信息": "条", "跳舞": "篇", None: None}

#: Figures not added up (see the module docstring), per kind.
NOT_ADDED = {
    "complaints": {"undated"}, "refunds": {"undated"}, "rectification": {"undated", "completion_rate"},
    "sanctions": {"undated", "persons", "by_measure", "by_cause", "by_category", "unknown_cause"},
    "activities": {"undated"},
}


def rows_of(kind: str, one_unit: bool):
    model = ROW_MODELS[Kind(kind)]
    pools = {**POOLS[kind], PERIOD_FIELD[kind]: DAYS}

    def build(picks):
        rows = []
        for i, pick in enumerate(picks):
            values = {f: pools[f][k % len(pools[f])] for f, k in zip(pools, pick)}
            if kind == "activities" and one_unit:
                values["measure_unit"] = UNIT_OF[values["category"]]
            rows.append(model(origin=Origin(file=f"{int(i >= len(picks) // 2)}.xlsx", sheet="表",
                                                          row=i + 2), **values))
        return rows

    return st.lists(st.lists(st.integers(0, 60), min_size=len(pools), max_size=len(pools)), max_size=30).map(build)


def periods():
    """A quarter or a half-year of 2026, or any range of months in October 2025 to December 2026."""
    months = [(2025, 10), (2025, 11), (2025, 12), *((2026, m) for m in range(1, 13))]
    ranges = st.tuples(st.integers(0, len(months) - 1), st.integers(0, len(months) - 1)).map(
        lambda ab: Period.between(months[min(ab)], months[max(ab)]))
    return st.one_of(st.integers(1, 4).map(lambda q: Period.quarter(2026, q)),
                     st.integers(1, 2).map(lambda h: Period.half(2026, h)), ranges)


def plus(a: Any, b: Any) -> Any:
    """Two figures added up: numbers as numbers, tallies key by key (a key missing is 0)."""
    if a is None:
        return b
    if b is None:
        return a
    if isinstance(a, dict):
        return {k: plus(a.get(k), b.get(k)) for k in dict.fromkeys([*a, *b])}
    if isinstance(a, str):  # a unit: the same in every month that has one
        assert a == b
        return a
    return a + b


def without(figures: dict, names: set[str]) -> dict:
    return {k: v for k, v in figures.items() if k not in names}


def dumped(report, kind: str) -> dict:
    return dataclasses.asdict(report.current.of(kind))


def people(rows) -> set:
    """The distinct people of sanction rows: the same 姓名 and 单位; a row without a 姓名 a
    person of its own."""
    return {(r.name, r.unit or "") if r.name is not None else (r.origin.file, r.origin.row) for r in rows}


def check_period(rows: dict, period: Period) -> None:
    whole = compute(rows, period, AS_OF, CONFIG)
    months = [compute(rows, month, AS_OF, CONFIG) for month in period.months]
    for kind in KINDS:
        mine, theirs = dumped(whole, kind), [dumped(m, kind) for m in months]
        if kind == "activities":  # quantities add up (one unit a category); the unit is no count
            for line in [*mine["by_category"].values(), *(x for t in theirs for x in t["by_category"].values())]:
                line.pop("unit")
        total = theirs[0]
        for other in theirs[1:]:
            total = plus(total, other)
        assert without(mine, NOT_ADDED[kind]) == without(total, NOT_ADDED[kind]), kind
        assert {t["undated"] for t in theirs} == {mine["undated"]}
        assert mine["undated"] == sum(period_date(r) is None for r in rows[Kind(kind)])
    rect = whole.current.rectification
    assert rect.completion_rate == (round((rect.completed + rect.closed) / rect.total, 4) if rect.total else None)
    sanctions = [m.current.sanctions for m in months]
    mine = whole.current.sanctions
    in_period = [r for r in rows[Kind.SANCTIONS] if period.contains(r.decided_on)]
    assert mine.persons == len(people(in_period))
    assert max(s.persons for s in sanctions) <= mine.persons <= sum(s.persons for s in sanctions)
    for measure, n in mine.by_measure.items():
        assert n == len(people(r for r in in_period if r.measure == measure))
        assert max(s.by_measure.get(measure, 0) for s in sanctions) <= n <= sum(s.by_measure.get(measure, 0)
                                                                                 for s in sanctions)
    # 累计 is the year to date at the period's end: its last month's (a whole year has none)
    last = months[-1]
    assert (whole.year_to_date is None) is period.is_year
    if whole.year_to_date is not None:
        assert dataclasses.asdict(whole.year_to_date) == dataclasses.asdict(last.year_to_date)
    # and the figures put together from each file's parts (what summary does) are the same
    files = [{k: [r for r in v if r.origin.file == name] for k, v in rows.items()} for name in ("0.xlsx", "1.xlsx")]
    merged = compute_from_parts([report_parts(f, period, CONFIG) for f in files], period, AS_OF, CONFIG)
    assert repr(merged.current) == repr(whole.current)
    assert (merged.year_to_date and repr(merged.year_to_date)) == (whole.year_to_date and repr(whole.year_to_date))
    assert merged.narrative == whole.narrative


ALL_KINDS = st.fixed_dictionaries({Kind(k): rows_of(k, one_unit=True) for k in KINDS})
RUNS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@RUNS
@given(ALL_KINDS, periods())
def test_every_figure_of_a_period_is_its_months_added_up(rows, period):
    check_period(rows, period)


@RUNS
@given(ALL_KINDS, periods())
def test_people_each_named_once_add_up_as_well(rows, period):
    """No one in two months: the people of 处分 add up too."""
    rows[Kind.SANCTIONS] = [dataclasses.replace(r, name=f"干部{i}") for i, r in enumerate(rows[Kind.SANCTIONS])]
    whole = dataclasses.asdict(compute(rows, period, AS_OF, CONFIG).current.sanctions)
    total = None
    for month in period.months:
        total = plus(total, dataclasses.asdict(compute(rows, month, AS_OF, CONFIG).current.sanctions))
    assert without(whole, {"undated"}) == without(total, {"undated"})


@RUNS
@given(rows_of("activities", one_unit=False), periods())
def test_quantities_count_in_the_unit_of_the_period(rows, period):
    """Units mixed within a category: the period counts the rows in its most written unit (and
    those without a unit), month by month."""
    d = definition("activities")
    whole = compute({Kind.ACTIVITIES: rows}, period, AS_OF, CONFIG).current.activities
    for category, line in whole.by_category.items():
        counted = 0
        for month in period.months:
            part = d.parts([r for r in rows if month.contains(r.held_on)], CONFIG)["by_category"].get(category)
            if part:
                counted += sum(n for unit, n in part["quantity"].items() if unit in ("", line.unit))
        assert line.quantity == counted


def test_money_adds_up_to_the_fen():
    """Decimal money, no float: a quarter's amounts are its months' to the fen."""
    model = ROW_MODELS[Kind.REFUNDS]
    rows = [model(origin=Origin(file="a.xlsx", sheet="表", row=i + 2), school="县一中", item="补课费",
                                  found_on=date(2026, 7 + i % 3, 5), due=Decimal("0.10"), refunded=Decimal("0.05"),
                                  to_treasury=None, students=1)
            for i in range(30)]
    quarter = compute({Kind.REFUNDS: rows}, Period.parse("2026Q3"), AS_OF, CONFIG).current.refunds
    months = [compute({Kind.REFUNDS: rows}, m, AS_OF, CONFIG).current.refunds for m in Period.parse("2026Q3").months]
    assert quarter.due == sum((m.due for m in months), Decimal(0)) == Decimal("3.00")
    assert isinstance(quarter.refunded, Decimal) and quarter.refunded == Decimal("1.50")
