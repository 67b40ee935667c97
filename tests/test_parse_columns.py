"""Column-by-column parsing gives exactly what the row-by-row pydantic validation gives: the
same typed rows, the same problems in the same order, for any mix of good and bad cells."""

from __future__ import annotations

import random
from datetime import date, datetime, time
from decimal import Decimal

import pytest
import dataclasses

from taizhang.config import Kind, default_config
from taizhang.model import ROW_MODELS, Origin, ParseContext, fields_of
from taizhang.validation import parse_row, parse_rows

POOL = [
    None, "", "   ", "\u3000", 0, 1, 1.0, 2.5, -3.0, True, False, float("nan"), float("inf"), 10**30,
    "2026-10-08", "2026年10月8日", "20261008", "2026/13/40", 46300.0, 12.0, date(2026, 10, 8),
    datetime(2026, 10, 8, 9, 30), datetime(1985, 1, 1), time(9, 30), "45,000.00", "4.5万元", "肆万伍仟元整",
    "４５０００", "abc", "=SUM(A1)", "省转", "市局转办", "直接受理", "区转办", "来信", "来访", "办结", "在办",
    "已整改", "正在整改", "销号", "立行立改", "长期坚持", "限期整改", "巡察反馈", "警告", "党内警告", "诫勉谈话",
    "违规收费", "乱招生", "政务处分", "属实", "部分属实", "不属实", "教辅材料", "补课费", "一中", "张三",
    Decimal("12.345"), "-5", "3人", "十二",
]


#: Cells of one number type among texts, dates and blanks, as a reader gives a column: each
#: distinct value parsed once without memos per type (``model._apart``).
APART = {
    "floats": [v for v in POOL if type(v) not in (int, bool, Decimal)],
    "ints": [v for v in POOL if type(v) not in (float, bool, Decimal)],
    "bools": [v for v in POOL if type(v) not in (int, float, Decimal)],
}


@pytest.mark.slow
@pytest.mark.parametrize("kind", list(Kind))
@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("pool", ["all", *APART])
def test_columns_parse_like_rows(kind, seed, pool):
    config = default_config()
    rnd = random.Random(f"{kind}-{seed}-{pool}")
    cells = POOL if pool == "all" else APART[pool]
    fields = [c.field for c in config.kinds[kind].columns if c.field in fields_of(ROW_MODELS[kind])]
    present = rnd.sample(fields, k=rnd.randrange(1, len(fields) + 1))
    scales = {f: Decimal(10000) for f in present if rnd.random() < 0.2}
    rows = [{f: rnd.choice(cells) for f in present} for _ in range(120)]
    rows += rows[:30]  # repeated values, as ledgers repeat them
    origins = [Origin(file="f.xlsx", sheet="S", row=i + 2) for i in range(len(rows))]
    by_rows = [parse_row(kind, r, o, ParseContext(config, kind, scales)) for r, o in zip(rows, origins)]
    by_columns = parse_rows(kind, rows, origins, ParseContext(config, kind, scales))
    assert len(by_columns) == len(by_rows)
    for (row_a, problems_a), (row_b, problems_b) in zip(by_rows, by_columns):
        assert row_b == row_a
        assert dataclasses.asdict(row_b) == dataclasses.asdict(row_a)
        assert list(row_b.__dict__) == list(row_a.__dict__)
        assert problems_b == problems_a


#: Columns as readers give them, each of one kind of cell: dates, datetimes, whole numbers …,
#: some with a value that column parsers hand over to the value-by-value parsing.
COLUMNS = [
    [date(2026, 10, 8), date(2026, 1, 1), date(2030, 5, 5), None],
    [date(2026, 10, 8), date(1985, 1, 1), None],  # before 1990: a bad date
    [date(2026, 10, 8), date(1850, 1, 1)],  # outside 1900-2100
    [datetime(2026, 10, 8, 9, 30), datetime(2026, 1, 1), None],
    [datetime(2026, 10, 8, 9, 30), datetime(2026, 1, 1)],
    [datetime(2026, 10, 8, 9, 30), datetime(2026, 1, 1), datetime(2101, 1, 1, 0, 0, 1), None],
    [datetime(2026, 10, 8, 9, 30), datetime(1950, 1, 1), None],
    [date(2026, 10, 8), datetime(2026, 10, 8)],
    [1.0, 3.0, 0.0, -2.0, 12.0, None, -0.0],
    [1.0, 3.0, 2.5, None],
    [1.0, float("nan"), None],
    [1.0, float("inf")],
    [1, 3, 0, -2, None],
    [1, 10**15, None],
    [1, 2.0, -3, None],
    [1.0, 1e15, None],
    [999999999999999.0, None],
    [None],
    [date(2026, 10, 8), "", None],  # an empty cell as calamine gives it
    [datetime(2026, 10, 8), ""],
    [3.0, "", 12.0],
    [1000.5, "", None, 12.0],
    ["", "  ", date(2026, 10, 8)],
]


@pytest.mark.slow
@pytest.mark.parametrize("kind", list(Kind))
@pytest.mark.parametrize("column", range(len(COLUMNS)))
def test_columns_of_one_kind_of_cell_parse_like_rows(kind, column):
    config = default_config()
    rnd = random.Random(f"{kind}-{column}")
    fields = [c.field for c in config.kinds[kind].columns if c.field in fields_of(ROW_MODELS[kind])]
    rows = [{f: rnd.choice(COLUMNS[column]) for f in fields} for _ in range(60)]
    origins = [Origin(file="f.xlsx", sheet="S", row=i + 2) for i in range(len(rows))]
    by_rows = [parse_row(kind, r, o, ParseContext(config, kind)) for r, o in zip(rows, origins)]
    by_columns = parse_rows(kind, rows, origins, ParseContext(config, kind))
    for (row_a, problems_a), (row_b, problems_b) in zip(by_rows, by_columns, strict=True):
        assert dataclasses.asdict(row_b) == dataclasses.asdict(row_a)
        assert [type(v) for v in row_b.__dict__.values()] == [type(v) for v in row_a.__dict__.values()]
        assert problems_b == problems_a


def test_only_the_fields_asked_for_are_parsed():
    config = default_config()
    rows = [{"school": "一中", "refunded": "1,000.50", "due": "abc", "found_on": "2026-10-08"}]
    origins = [Origin(file="f", sheet="S", row=2)]
    [(row, problems)] = parse_rows(Kind.REFUNDS, rows, origins, ParseContext(config, Kind.REFUNDS),
                                   {"refunded", "found_on"})
    assert (row.refunded, row.found_on, row.due, row.school) == (Decimal("1000.50"), date(2026, 10, 8), None, None)
    assert problems == []  # the bad 应退 was not asked for


def test_rows_made_at_once_are_apart():
    """The rows of one call are made in one go (see ``validation.made_all``), each with its own
    state: a copy of one row with a field changed leaves it and its siblings as they were."""
    config = default_config()
    rows = [{"school": "一中", "refunded": 1.0}, {"school": "二中", "refunded": "abc"}]
    origins = [Origin(file="f", sheet="S", row=2), Origin(file="f", sheet="S", row=3)]
    (first, _), (second, problems) = parse_rows(Kind.REFUNDS, rows, origins, ParseContext(config, Kind.REFUNDS))
    assert [p.code for p in problems] == ["invalid-amount"]
    changed = dataclasses.replace(first, item="教辅材料")
    assert first.__dict__ is not second.__dict__ and changed.__dict__ is not first.__dict__
    assert (first.item, second.item) == (None, None)
    assert (first.school, second.school, second.refunded, changed.item) == ("一中", "二中", None, "教辅材料")
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.school = "三中"  # frozen: nothing changes a row in place
    assert origins[0] == first.origin
