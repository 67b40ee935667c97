"""The worksheet functions read a range column by column (``taizhang.reading.columns``); on
any range they answer exactly what the whole reading answers: ``ranges.ledger_in`` (every
row typed by its row model), the rows of the period, and the kind's figures.

Ranges are random: synonyms and units (万元) in the header, a two-row header, title rows,
total rows (合计, 小计, 本月合计) and footers (填表人：…) anywhere, blank rows and rows holding
only a 序号, bad values, text amounts, error values (#N/A …) in any cell, ragged rows.
"""

from __future__ import annotations

import copy
import random
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taizhang.config import Kind, default_config
from taizhang.errors import TaizhangError
from taizhang.kinds import kinds
from taizhang.kinds.activities import activity_figures, count_in
from taizhang.kinds.complaints import complaint_figures, source_rows
from taizhang.kinds.rectification import rectification_figures
from taizhang.kinds.refunds import refund_figures
from taizhang.kinds.sanctions import sanction_figures
from taizhang.model import LedgerRow, ParseContext, fields_of, period_date
from taizhang.ranges import RangeError, as_of_of, canonical, ledger_in, period_arg, period_of
from taizhang.reading.columns import HEAD_ROWS
from taizhang.values import ValueParseError, clean_text, match_key, parse_money, parse_money_column

CONFIG = default_config()


# --- the whole reading: ledger_in, row models, the kinds' figures -----------------------------

def full_rows(table, kind, period=None):
    rows = ledger_in(copy.deepcopy(table), CONFIG, Kind(kind)).rows
    p = period_of(period_arg(period))
    return [r for r in rows if p.contains(period_date(r))]


def of_school(rows, school):
    name = clean_text(school)
    return rows if name is None else [r for r in rows if r.school and match_key(r.school) == match_key(name)]


def complaints_of(table, source, period):
    figures = complaint_figures(full_rows(table, "complaints", period), CONFIG)
    wanted = canonical(CONFIG, "complaint_source", source)
    if wanted is None:
        return figures.total
    label = next((lb for lb, vals in source_rows(CONFIG).items() if wanted in vals), wanted)
    return figures.by_source.get(label, 0)


def sanctions_of(table, measure, cause, period):
    rows = full_rows(table, "sanctions", period)
    m = canonical(CONFIG, "sanction_measure", measure)
    c = canonical(CONFIG, "sanction_cause", cause)
    return sanction_figures([r for r in rows if (m is None or r.measure == m) and (c is None or r.cause == c)],
                            CONFIG).persons


def rate_of(table):
    rate = rectification_figures(full_rows(table, "rectification"), CONFIG, date.today()).completion_rate
    if rate is None:
        raise RangeError("台账中没有整改问题")
    return rate


WHOLE = {
    "REFUND_TOTAL": lambda t, school, period: float(
        refund_figures(of_school(full_rows(t, "refunds", period), school), CONFIG).refunded),
    "REFUND_DUE": lambda t, school, period: float(
        refund_figures(of_school(full_rows(t, "refunds", period), school), CONFIG).outstanding),
    "COMPLAINT_COUNT": complaints_of,
    "SANCTION_COUNT": sanctions_of,
    "RECTIFY_OVERDUE": lambda t, as_of: rectification_figures(
        full_rows(t, "rectification"), CONFIG, as_of_of(as_of)).overdue,
    "RECTIFY_RATE": rate_of,
    "ACTIVITY_COUNT": lambda t, category, measure, period: count_in(
        activity_figures(full_rows(t, "activities", period), CONFIG), category, measure, CONFIG),
}

#: What staff pass for each argument after the table: good, synonyms, blank and bad.
ARGS = {
    "school": [None, "一中", " 一中 ", "二中", "四中", ""],
    "period": [None, "2026-10", "2026", "2026-09", datetime(2026, 10, 15), 46296.0, 2026.0, "十月", 1.5],
    "source": [None, "省转办", "省纪委转办", "市转办", "自办", "直接受理", "区转办"],
    "measure": [None, None, "诫勉", "诫勉谈话", "警告", "罚款"],
    "cause": [None, None, "违规收费", "乱招生", "师德师风", "打牌"],
    "ACTIVITY_COUNT measure": [None, "次数", "人次", "参与人次", "数量", "篇"],
    "as_of": [None, datetime(2026, 10, 31), "2026-09-30", "明天"],
    "category": [None, None, "专题学习", "学习教育", "警示教育", "不存在"],
}


def outcome(call):
    """What a cell shows: the answer, or the ``#错误：…`` text (as udfs.functions._guarded)."""
    try:
        return call()
    except RangeError as exc:
        return f"#错误：{exc}"
    except TaizhangError as exc:
        return f"#错误：{exc.message}"


# --- random ranges ----------------------------------------------------------------------------

ERRORS = ["#N/A", "#REF!", "#DIV/0!", "#VALUE!"]
DATES = [datetime(2026, 10, 8), datetime(2026, 9, 30), date(2026, 10, 1), "2026-10-08", "2026年10月9日",
         "2026/13/40", 46300.0, 12.0, "待定", datetime(1985, 1, 1), "立行立改", " 长期坚持", "限期整改", None]
MONEY = [1000.0, 45000.5, 0.0, -300.0, 12.34, 1234.56, 7, "45,000.00", "4.5万元", "肆万元整", "45000元", "abc",
         "", "  ", True, float("nan"), datetime(2026, 10, 8), None, None]
MONEY_AS_NUMBERS = [1000.0, 45000.5, 0.0, 12.34, 1.25, -3.5, None, None, float("nan")]  # a column Excel holds as numbers
COUNTS_AS_NUMBERS = [1.0, 3.0, 12.0, 0.0, None, float("nan")]
COUNTS = [1.0, 3.0, 12.0, "3人", "十二", 2.5, -1.0, "abc", None, 0.0]
TEXTS = ["一中", "二中", " 一中", "县三中", "张三", "李四", "某某单位", "部分属实", 101.0, None, None]
LABELS = ["合计", "小计", "本月合计", "总计：", " 合 计 ", "累计", "合计人数", "计划", "填表人：王五", "审核人：",
          "*制表人", "制表日期：2026-10-31", "单位负责人", "报送日期", "备注：合计见上", "\u2003填表人：赵六",
          "，\u3000审核人"]


def pool(config, kind, field, numbers=False):
    spec = next(c for c in config.kinds[kind].columns if c.field == field)
    if field in ("seq",):
        return [1.0, 2.0, "001", None]
    if spec.vocabulary:
        vocab = config.vocabulary(spec.vocabulary)
        words = list(vocab.canonical) + [s for group in vocab.values.values() for s in group]
        rnd_words = words[:8] + words[-4:]
        return rnd_words + ["不明", " " + vocab.canonical[0] + " ", None]
    model = next(d.row_model for d in kinds() if d.kind == kind)
    name = str(fields_of(model)[field].metadata) if field in fields_of(model) else ""
    if "_as_money" in name:
        return MONEY_AS_NUMBERS if numbers else MONEY
    if "_as_date" in name:
        return DATES
    if "_as_count" in name:
        return COUNTS_AS_NUMBERS if numbers else COUNTS
    return TEXTS


def header_name(rnd, spec):
    name = rnd.choice([spec.name, spec.name, *spec.synonyms])
    return name + rnd.choice(["", "", "（万元）", "(元)"]) if "金额" in spec.name or spec.name in ("应退", "已退") \
        else name


def random_range(rnd: random.Random, kind):
    spec = CONFIG.kinds[kind]
    columns = [c for c in spec.columns if c.required or rnd.random() < 0.6]
    rnd.shuffle(columns)
    names = [header_name(rnd, c) for c in columns]
    if rnd.random() < 0.3:
        columns.insert(rnd.randrange(len(columns) + 1), None)  # a column no ledger has
        names.insert(columns.index(None), "自定义列")
    width = len(columns)
    table = [[rnd.choice(["退费台账", "填报单位：县一中", None])] + [None] * (width - 1)
             for _ in range(rnd.randrange(3))]
    if rnd.random() < 0.25 and width > 3:  # two header rows: a parent over the last columns
        cut = rnd.randrange(1, width - 1)
        table.append(names[:cut] + [rnd.choice(["金额（万元）", "办理情况"])] + [None] * (width - cut - 1))
        table.append([None] * cut + names[cut:])
    else:
        table.append(list(names))
    numbers = rnd.random() < 0.4
    pools = [pool(CONFIG, kind, c.field, numbers) if c is not None else TEXTS for c in columns]
    for _ in range(rnd.randrange(0, 2 * HEAD_ROWS)):
        shape = rnd.random()
        if shape < 0.08:
            row = [None] * width
        elif shape < 0.14:
            row = [None] * width
            row[rnd.randrange(width)] = rnd.choice([5.0, "6", " ", float("nan")])  # a pre-filled 序号, a space
        elif shape < 0.24:
            row = [rnd.choice(p) for p in pools]
            for _ in range(rnd.randrange(1, 3)):
                row[rnd.randrange(width)] = rnd.choice(LABELS)
        else:
            row = [rnd.choice(p) for p in pools]
        if rnd.random() < 0.015:
            row[rnd.randrange(width)] = rnd.choice(ERRORS)
        if rnd.random() < 0.05:
            row = row[: rnd.randrange(width + 1)]  # a ragged row
        table.append(tuple(row) if rnd.random() < 0.1 else row)
    if rnd.random() < 0.05:
        at = rnd.randrange(len(table))
        table[at] = [rnd.choice(ERRORS), *table[at][1:]]  # even in the header
    return table


FUNCTIONS = [(d.kind, wf) for d in kinds() for wf in d.worksheet_functions()]


def test_every_worksheet_function_has_its_whole_reading():
    assert {wf.name for _kind, wf in FUNCTIONS} == set(WHOLE)


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1))
def test_column_path_answers_what_the_whole_reading_answers(seed):
    rnd = random.Random(seed)
    for kind, wf in FUNCTIONS:
        table = random_range(rnd, kind)
        args = [rnd.choice(ARGS.get(f"{wf.name} {name}", ARGS[name])) for name, _doc in wf.args[1:]]
        expected = outcome(lambda t=table, a=args, name=wf.name: WHOLE[name](t, *a))
        got = outcome(lambda t=table, a=args, fn=wf.impl: fn(copy.deepcopy(t), *a, config=CONFIG))
        assert got == expected, (wf.name, args, table)


def rules_of_whole_rows(model):
    rules = [model.before_parse] if model.before_parse.__func__ is not LedgerRow.before_parse.__func__ else []
    return rules if rules or model.prepare.__func__ is not LedgerRow.prepare.__func__ else None


@pytest.mark.parametrize("kind", [d.kind for d in kinds() if rules_of_whole_rows(d.row_model) is not None])
@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_rules_of_whole_rows_set_only_what_the_row_model_says(kind, seed):
    """A row model whose rules work on whole rows (a prepare, a model validator) names the fields
    they set (``derived``); the column path parses every other field from its cells alone."""
    model = next(d.row_model for d in kinds() if d.kind == kind)
    assert isinstance(model.derived, frozenset)
    rnd = random.Random(seed)
    fields = [c.field for c in CONFIG.kinds[kind].columns]
    # What a rule reads of pydantic's ValidationInfo: the field and the context.
    info = SimpleNamespace(field_name=None, context={"parse": ParseContext(CONFIG, Kind(kind))})
    for _ in range(50):
        row = {f: rnd.choice(pool(CONFIG, kind, f)) for f in rnd.sample(fields, rnd.randrange(1, len(fields) + 1))}
        done = model.prepare(dict(row))
        for rule in rules_of_whole_rows(model):
            done = rule(done, info)
        missing = object()
        assert {f for f in {*row, *done} if row.get(f, missing) is not done.get(f, missing)} <= model.derived


# --- targeted cases -----------------------------------------------------------------------------

HEADER = ["序号", "学校", "收费项目", "查实日期", "应退金额", "已退金额"]


def refunds(*rows):
    return [["退费台账", None, None, None, None, None], HEADER, *[list(r) for r in rows]]


def total(table, *args):
    return outcome(lambda: next(wf for _k, wf in FUNCTIONS if wf.name == "REFUND_TOTAL").impl(
        copy.deepcopy(table), *args, config=CONFIG))


def test_totals_footers_blank_rows_and_error_values():
    rows = [[float(i), "一中", "教辅材料", datetime(2026, 10, 1), 100.0, 100.0] for i in range(1, 41)]
    table = refunds(*rows[:20], ["小计", None, None, None, 2000.0, 2000.0], [21.0, None, None, None, None, None],
                    *rows[20:], [None, "合计", None, None, 4000.0, 4000.0], ["填表人：王五", None, None, None, None, 5.0],
                    [None, "一中", None, None, None, 7.0])
    assert total(table) == 4000.0  # neither the 小计 nor the 合计, nothing after the footer
    broken = copy.deepcopy(table)
    broken[30][5] = "#N/A"
    assert total(broken) == "#错误：F31 显示错误值 #N/A，请先改正"
    after_footer = copy.deepcopy(table)
    after_footer[-1][5] = "#REF!"  # below 填表人: not the ledger's
    assert total(after_footer) == 4000.0
    alone = copy.deepcopy(table)
    alone.insert(10, [None, None, "#DIV/0!", None, None, None])  # a row holding only an error value
    assert total(alone) == 4000.0
    assert total(alone) == outcome(lambda: WHOLE["REFUND_TOTAL"](alone, None, None))


def test_ten_thousand_units_and_text_amounts():
    table = [["学校", "查实日期", "应退金额（万元）", "已退金额（万元）"],
             ["一中", datetime(2026, 10, 1), 1.5, 1.25], ["二中", datetime(2026, 9, 1), "3万元", "2000元"],
             ["二中", "2026-10-03", 2.0, "abc"]]
    assert total(table) == 14500.0
    assert total(table, "二中", "2026-09") == 2000.0
    assert total(table, " 二中", "2026-10") == 0.0
    numbers = [table[0], ["一中", datetime(2026, 10, 1), 1.5, 1.25], ["二中", datetime(2026, 9, 1), 3.0, None],
               [None, None, float("nan"), None], ["小计", None, 4.5, float("nan")]]
    assert total(numbers) == 12500.0
    assert outcome(lambda: next(wf for _k, wf in FUNCTIONS if wf.name == "REFUND_DUE").impl(
        copy.deepcopy(numbers), config=CONFIG)) == 32500.0  # a NaN is a blank: its row is no row


def parsed(values, unit):
    out = []
    for v in values:
        try:
            out.append(parse_money(v, unit=unit))
        except ValueParseError:
            out.append(None)
    return out


UNITS = st.sampled_from([Decimal(1), Decimal("1.0"), Decimal(10000), 1])


@given(st.lists(st.one_of(st.none(), st.floats(-1e15, 1e15)), max_size=30), UNITS)
def test_money_column_of_numbers_is_parse_money(values, unit):
    found = parse_money_column(values, unit)
    assert found is not None  # taken: only numbers and blanks
    assert [(x, str(x)) for x in found] == [(x, str(x)) for x in parsed(values, unit)]  # the same digits


@pytest.mark.slow
@given(st.lists(st.one_of(st.none(), st.floats(), st.integers(-10, 10), st.text(max_size=3)), max_size=30), UNITS)
def test_money_column_takes_only_what_it_parses_alike(values, unit):
    found = parse_money_column(values, unit)
    if found is not None:
        assert [(x, str(x)) for x in found] == [(x, str(x)) for x in parsed(values, unit)]
    if any(type(v) is not float and v is not None for v in values):
        assert found is None  # text, whole numbers: each through parse_money


@pytest.mark.parametrize("kind", ["refunds", "complaints", "sanctions", "rectification", "activities"])
def test_a_range_without_the_ledger_says_so(kind):
    wf = next(wf for k, wf in FUNCTIONS if k == kind)
    other = refunds([1.0, "一中", "教辅材料", datetime(2026, 10, 1), 1.0, 1.0]) if kind != "refunds" \
        else [["编号", "收件日期", "来源", "办理状态"], [1.0, datetime(2026, 10, 1), "省转办", "在办"]]
    assert outcome(lambda: wf.impl(other, config=CONFIG)).startswith(
        f"#错误：所选区域中没有找到{CONFIG.kinds[kind].label}的表头")


def test_a_nan_is_a_blank_cell():
    """A NaN (or an infinity) in a column of numbers is a blank, as clean_text says: a row
    holding nothing else is no row."""
    table = [["编号", "收件日期", "来源", "来访人次"], [1.0, datetime(2026, 10, 1), "省转办", 2.0],
             [None, None, None, float("nan")], [3.0, None, None, float("inf")], [None, None, None, 1.0]]
    count = next(wf for _k, wf in FUNCTIONS if wf.name == "COMPLAINT_COUNT").impl
    assert count(copy.deepcopy(table), config=CONFIG) == 2 == WHOLE["COMPLAINT_COUNT"](table, None, None)


def test_a_cell_no_reader_gives_goes_to_the_whole_reading():
    """A value that cannot be hashed (never from Excel, but never a crash) sends the range to
    the whole reading, which answers as it always did."""
    table = [["学校", "查实日期", "应退金额", "已退金额"], ["一中", datetime(2026, 10, 1), 100.0, 40.0],
             ["二中", datetime(2026, 10, 2), ["列表"], 10.0], ["三中", {"字典": 1}, 5.0, 5.0]]
    from taizhang.reading.columns import read_columns

    assert read_columns(copy.deepcopy(table), CONFIG, Kind("refunds"), {"refunded"}) is None  # not taken
    expected = outcome(lambda: WHOLE["REFUND_TOTAL"](table, None, "2026-10"))
    assert expected == 50.0
    assert total(table, None, "2026-10") == expected
    due = next(wf for _k, wf in FUNCTIONS if wf.name == "REFUND_DUE").impl
    assert outcome(lambda: due(copy.deepcopy(table), config=CONFIG)) == \
        outcome(lambda: WHOLE["REFUND_DUE"](table, None, None)) == 60.0
