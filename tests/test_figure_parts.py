"""Figures from parts: the parts of row sets, kept as JSON and merged in order, give exactly the
figures of the rows laid end to end (what lets the consolidation compute 累计 from the parts of
each unit's month instead of from every row of the year)."""

from __future__ import annotations

import copy
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taizhang.config import Kind, default_config
from taizhang.consolidation.tagging import dumps, loads
from taizhang.kinds import definition
from taizhang.model import ROW_MODELS, Origin

CONFIG = default_config()
DAYS = [None, *(date(2026, 1, 1) + timedelta(days=d) for d in (0, 40, 95, 180, 300))]
MONEY = [None, Decimal("100"), Decimal("12.50"), Decimal("0.005"), Decimal("-3"), Decimal("45000.00")]
UNITS = ["县一中", "二中", "东关小学", None]

# every field a figure reads, with values of the vocabulary, values outside it and blanks
POOLS: dict[str, dict[str, list]] = {
    "complaints": {
        "received_on": DAYS, "source": ["省转办", "市转办", "自办", "区转办", None],
        "channel": ["来信", "来访", "来电", "网络", "信鸽", None],
        "category": ["违规收费", "有偿补课", "师德师风", "别的事", None],
        "disposal": ["谈话函询", "初步核实", "暂存待查", "搁置", None],
        "status": ["在办", "办结", "挂起", None], "conclusion": ["属实", "部分属实", "不属实", None],
        "visitors": [None, 0, 1, 3, -2],
    },
    "refunds": {
        "school": UNITS, "item": ["有偿补课", "教辅材料", "补课费", None], "found_on": DAYS,
        "students": [None, 0, 5, -1], "violation": MONEY, "due": MONEY, "refunded": MONEY, "to_treasury": MONEY,
    },
    "sanctions": {
        "name": ["张某", "李某", None], "unit": UNITS, "cause": ["违规收费", "违规招生", "别的", None],
        "category": ["党纪处分", "政务处分", "组织处理", None],
        "measure": ["警告", "诫勉", "记过", "撤职", "留党察看", "罚站", None],
        "measure_written": ["警告", "党内警告", None], "decided_on": DAYS,
    },
    "rectification": {
        "source": ["巡察反馈", "审计", "领导交办", None], "unit": UNITS, "found_on": DAYS,
        "status": ["未启动", "整改中", "已完成", "已销号", "搁置", None],
        "deadline": DAYS, "completed_on": DAYS,
    },
    "activities": {
        "held_on": DAYS, "category": ["专题学习", "廉政讲座", "警示教育大会", "宣传信息", "跳舞", None],
        "times": [None, 0, 2, -1], "person_times": [None, 30, -5], "quantity": [None, 0, 4, -1],
        "measure_unit": [None, "篇", "条", "次"],
    },
}


def rows_of(kind: str):
    model = ROW_MODELS[Kind(kind)]
    pools = POOLS[kind]

    def build(n_and_values):
        n, picks = n_and_values
        return [model(origin=Origin(file=f"{i % 3}.xlsx", sheet="表", row=i + 2),
                                      **{f: pools[f][k % len(pools[f])] for f, k in zip(pools, pick)})
                for i, pick in enumerate(picks[:n])]

    width = len(pools)
    return st.integers(0, 40).flatmap(
        lambda n: st.tuples(st.just(n), st.lists(st.lists(st.integers(0, 20), min_size=width, max_size=width),
                                                 min_size=n, max_size=n))).map(build)


def split(rows, cuts):
    points = sorted({c % (len(rows) + 1) for c in cuts})
    bounds = [0, *points, len(rows)]
    return [rows[a:b] for a, b in zip(bounds, bounds[1:])]


def check(kind: str, rows, cuts, as_of: date) -> None:
    d = definition(kind)
    whole = d.figures(rows, CONFIG, as_of)
    parts = [loads(dumps(d.parts(chunk, CONFIG))) for chunk in split(rows, cuts)]  # kept as the store keeps them
    before = copy.deepcopy(parts)
    merged = d.from_parts(parts, CONFIG, as_of)
    assert repr(merged) == repr(whole)  # values, and the order of every tally
    d.merge_parts(parts, CONFIG)
    assert parts == before  # parts are left as they are (one may stand for two blocks)
    # the parts of the first chunks merged into one (and kept as JSON), then the others: the same
    # figures, and merging a merged part again changes nothing (a unit's year so far, month by month)
    for k in range(len(parts) + 1):
        head = loads(dumps(d.merge_parts(parts[:k], CONFIG)))
        again = loads(dumps(d.merge_parts([head], CONFIG)))
        assert again == head
        assert repr(d.from_parts([head, *parts[k:]], CONFIG, as_of)) == repr(whole)


CUTS = st.lists(st.integers(0, 60), max_size=6)
AS_OF = st.sampled_from([date(2026, 1, 15), date(2026, 6, 30), date(2026, 12, 31)])
RUNS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.slow
@RUNS
@given(rows_of("complaints"), CUTS, AS_OF)
def test_complaint_parts_merge_to_the_figures_of_all_rows(rows, cuts, as_of):
    check("complaints", rows, cuts, as_of)


@RUNS
@given(rows_of("refunds"), CUTS, AS_OF)
def test_refund_parts_merge_to_the_figures_of_all_rows(rows, cuts, as_of):
    check("refunds", rows, cuts, as_of)


@RUNS
@given(rows_of("sanctions"), CUTS, AS_OF)
def test_sanction_parts_merge_to_the_figures_of_all_rows(rows, cuts, as_of):
    check("sanctions", rows, cuts, as_of)


@RUNS
@given(rows_of("rectification"), CUTS, AS_OF)
def test_rectification_parts_merge_to_the_figures_of_all_rows(rows, cuts, as_of):
    check("rectification", rows, cuts, as_of)


@RUNS
@given(rows_of("activities"), CUTS, AS_OF)
def test_activity_parts_merge_to_the_figures_of_all_rows(rows, cuts, as_of):
    check("activities", rows, cuts, as_of)


def test_parts_merge_across_units_as_staff_count_them():
    """The cases that need more than adding: a person sanctioned in two months is one person,
    an item overdue only at the later day, a category's unit decided by all its rows."""
    sanctions = ROW_MODELS[Kind("sanctions")]
    jan = [sanctions(origin=Origin(file="a", sheet="s", row=2), name="张某", unit="一中",
                                     cause="违规收费", measure="警告", decided_on=date(2026, 1, 5))]
    feb = [sanctions(origin=Origin(file="b", sheet="s", row=2), name="张某", unit="一中",
                                     cause="违规收费", measure="警告", decided_on=date(2026, 2, 5))]
    d = definition("sanctions")
    fig = d.from_parts([loads(dumps(d.parts(jan, CONFIG))), loads(dumps(d.parts(feb, CONFIG)))], CONFIG, None)
    assert (fig.persons, fig.person_times, fig.by_cause) == (1, 2, {"违规收费": {"警告": 1}})

    rect = ROW_MODELS[Kind("rectification")]
    item = rect(origin=Origin(file="a", sheet="s", row=2), status="整改中",
                                deadline=date(2026, 3, 31))
    d = definition("rectification")
    part = loads(dumps(d.parts([item], CONFIG)))
    assert d.from_parts([part], CONFIG, date(2026, 3, 31)).overdue == 0
    assert d.from_parts([part], CONFIG, date(2026, 4, 1)).overdue == 1

    act = ROW_MODELS[Kind("activities")]
    rows = [act(origin=Origin(file="a", sheet="s", row=i), category="专题学习", quantity=q,
                                measure_unit=u) for i, (q, u) in enumerate([(5, "条"), (3, "篇"), (4, "篇"), (2, None)])]
    d = definition("activities")
    fig = d.from_parts([loads(dumps(d.parts(rows[:2], CONFIG))), loads(dumps(d.parts(rows[2:], CONFIG)))], CONFIG, None)
    line = fig.by_category["专题学习"]
    assert (line.unit, line.quantity) == ("篇", 3 + 4 + 2)  # 篇 written twice; the 条 row is not added


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.fixed_dictionaries({kind: rows_of(kind) for kind in POOLS}),
       st.sampled_from(["2026-01", "2026-02", "2026-04", "2026-07", "2026-11", "2026"]))
def test_report_parts_are_the_parts_of_each_block(rows, key):
    """A file's share of a month and of its 累计 (dates worked out once; the month's parts
    standing for 累计 where it has as many rows) is what each block's rows give on their own."""
    from taizhang.figures import Period, block_parts, report_parts

    rows = {Kind(k): v for k, v in rows.items()}
    period = Period.parse(key)
    blocks = [period, *([period.year_to_date()] if period.year_to_date() else [])]
    assert report_parts(rows, period, CONFIG) == [block_parts(rows, block, CONFIG) for block in blocks]
