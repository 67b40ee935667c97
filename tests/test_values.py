"""Cell values to typed values: every accepted form, every refusal, and no crash on anything."""

from __future__ import annotations

import contextlib
from datetime import date, datetime, time
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taizhang.values import (
    ValueParseError,
    clean_text,
    date_to_excel_serial,
    excel_serial_to_date,
    match_key,
    parse_chinese_number,
    parse_count,
    parse_date,
    parse_money,
)

OCT_8 = date(2026, 10, 8)


# --- clean_text and match_key ----------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    (None, None), ("", None), ("   ", None), ("\u3000\xa0\n\t", None),
    ("  张三 ", "张三"), ("\u3000张三\u3000", "张三"), ("\xa0张三\n", "张三"), ("\ufeff张三", "张三"),
    ("张 三", "张 三"),  # inner spaces are kept
    (3.0, "3"), (-12.0, "-12"), (3.5, "3.5"), (0.1, "0.1"), (7, "7"), (float("nan"), None),
    (date(2026, 10, 8), "2026-10-08"), (datetime(2026, 10, 8), "2026-10-08"),
    (datetime(2026, 10, 8, 9, 30), "2026-10-08 09:30:00"),
    (True, "是"), (False, "否"),
])
def test_clean_text(raw, expected):
    assert clean_text(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    (" 收件\n日期 *", "收件日期"), ("ＡＢ", "ab"), ("收件日期", "收件日期"), ("收件　日期", "收件日期"),
    ("*整改状态：", "整改状态"), ("＊整改状态:", "整改状态"),
    ("应退金额（万元）", "应退金额(万元)"), ("金额\xa0（万元）", "金额(万元)"),
    ("来源、", "来源"), ("，来源。", "来源"), ("方式.", "方式"), ("RMB", "rmb"), ("", ""),
])
def test_match_key(raw, expected):
    assert match_key(raw) == expected


def test_match_key_makes_header_variants_equal():
    variants = ["收件日期", " 收件日期 ", "收件\n日期", "*收件日期", "收件日期：", "收件日期*", "收 件 日 期"]
    assert {match_key(v) for v in variants} == {"收件日期"}


# --- dates -----------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    (OCT_8, OCT_8), (datetime(2026, 10, 8, 17, 45), OCT_8),
    (46303, OCT_8), (46303.0, OCT_8), (46303.75, OCT_8),  # Excel serials (a fraction is the time)
    (20261008, OCT_8), (20261008.0, OCT_8),  # yyyymmdd typed as a number
    (1, date(1900, 1, 1)), (59, date(1900, 2, 28)), (61, date(1900, 3, 1)),
    ("2026-10-08", OCT_8), ("2026/10/8", OCT_8), ("2026.10.8", OCT_8), ("2026-1-8", date(2026, 1, 8)),
    ("2026年10月8日", OCT_8), ("2026年10月8号", OCT_8), ("2026 年 10 月 8 日", OCT_8),
    ("20261008", OCT_8), ("2026-10-08 00:00:00", OCT_8), ("2026-10-08T09:30", OCT_8),
    ("2026/10/8 9:30", OCT_8), ("2026-10-08 09:30:15.250", OCT_8), ("2026年10月8日 9:30", OCT_8),
    ("２０２６年１０月８日", OCT_8), ("２０２６－１０－０８", OCT_8), ("  2026-10-08\u3000", OCT_8),
    ("\n2026/10/8\xa0", OCT_8),
    ("二〇二六年十月八日", OCT_8), ("二零二六年十月二十八日", date(2026, 10, 28)),
    ("二〇二六年十二月三十一日", date(2026, 12, 31)), ("二〇二六年元月八日", date(2026, 1, 8)),
    ("46303", OCT_8), ("46303.5", OCT_8),
    ("2100-12-31", date(2100, 12, 31)), ("1900-01-01", date(1900, 1, 1)), ("2024-02-29", date(2024, 2, 29)),
])
def test_parse_date_accepts(raw, expected):
    assert parse_date(raw) == expected
    assert type(parse_date(raw)) is date


@pytest.mark.parametrize("raw", [
    "2026-02-30", "2026-13-01", "2026-00-10", "2025-02-29", "2026年2月30日", "20260230", "20261301",
    "待定", "下月底", "立行立改", "十月", "2026-10", "2026年10月", "abc", "2026-10/08", "2026-10-08 25:00",
    "26-10-08", "26/10/8", "26年10月8日", "261008",
    True, False, 0, -1, -46303, 0.5, 60, 261008, 99999999, 3e9, float("nan"), float("inf"),
    "1899-12-31", "2101-01-01", "0001-01-01", date(1899, 12, 31), datetime(2101, 1, 1), date(9999, 1, 1),
    "12345", "80001", "46303.5.1", "-46303", time(9, 30), None, "", "  ",
])
def test_parse_date_refuses(raw):
    with pytest.raises(ValueParseError):
        parse_date(raw)


@pytest.mark.parametrize("raw, message", [
    ("2026-13-45", "无法识别的日期“2026-13-45”（不存在这一天）"),
    ("2026-13-01", "无法识别的日期“2026-13-01”（不存在这一天）"),
    ("待定", "无法识别的日期“待定”"),
    ("2101-01-01", "无法识别的日期“2101-01-01”（年份应在1900至2100之间）"),
    (True, "无法识别的日期“TRUE”"),
    (time(9, 30), "无法识别的日期“09:30:00”（只有时间）"),
    (None, "日期为空"),
    (" ", "日期为空"),
    ("一二三四五六七八九十" * 4, "无法识别的日期“" + ("一二三四五六七八九十" * 3)[:29] + "…”"),
    ("  待\n定  ", "无法识别的日期“待 定”"),
])
def test_date_error_messages(raw, message):
    with pytest.raises(ValueParseError) as caught:
        parse_date(raw)
    assert str(caught.value) == message


def test_value_parse_error_is_a_value_error():
    assert issubclass(ValueParseError, ValueError)


@pytest.mark.parametrize("serial, day", [
    (1, date(1900, 1, 1)), (2, date(1900, 1, 2)), (59, date(1900, 2, 28)), (61, date(1900, 3, 1)),
    (25569, date(1970, 1, 1)), (36526, date(2000, 1, 1)), (45658, date(2025, 1, 1)), (46303, OCT_8),
    (73415, date(2100, 12, 31)), (2958465, date(9999, 12, 31)),
])
def test_excel_serials_both_ways(serial, day):
    assert excel_serial_to_date(serial) == day
    assert excel_serial_to_date(float(serial) + 0.99) == day
    assert date_to_excel_serial(day) == serial
    assert date_to_excel_serial(datetime.combine(day, time(12))) == serial


@pytest.mark.parametrize("serial", [0, 0.5, -1, 60, 60.5, 2958466, float("nan"), float("inf"), True])
def test_excel_serial_refusals(serial):
    with pytest.raises(ValueParseError):
        excel_serial_to_date(serial)


def test_dates_before_1900_have_no_serial():
    with pytest.raises(ValueParseError):
        date_to_excel_serial(date(1899, 12, 31))


@settings(max_examples=100, deadline=None)
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(9999, 12, 31)))
def test_serial_round_trip(day):
    assert excel_serial_to_date(date_to_excel_serial(day)) == day


# --- money -----------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    (45000, "45000"), (45000.5, "45000.5"), (0.1, "0.1"), (0.3, "0.3"), (-500, "-500"), (0, "0"),
    (Decimal("123.45"), "123.45"),
    ("45000", "45000"), ("45,000.00", "45000"), ("45，000", "45000"), ("1,234,567.89", "1234567.89"),
    ("45000元", "45000"), ("45000.00 元", "45000"), ("45000元整", "45000"), ("45000圆", "45000"),
    ("￥45,000", "45000"), ("¥45000", "45000"), ("RMB45000", "45000"), ("rmb 45000", "45000"),
    ("人民币45000元", "45000"), ("  45000\u3000", "45000"), (".5", "0.5"),
    ("4.5万元", "45000"), ("4.5万", "45000"), ("0.5 万元", "5000"), ("1.2亿元", "120000000"),
    ("3亿", "300000000"),
    ("４５，０００．００", "45000"), ("４．５万元", "45000"),
    ("肆万伍仟元整", "45000"), ("壹万贰仟叁佰肆拾伍元陆角柒分", "12345.67"), ("伍佰元", "500"),
    ("人民币壹仟元整", "1000"), ("拾元", "10"), ("壹拾元", "10"), ("贰佰零伍元伍角", "205.5"), ("零元", "0"),
    ("壹元零伍分", "1.05"), ("伍角", "0.5"), ("陆角柒分", "0.67"), ("壹佰圆整", "100"), ("陸萬元", "60000"),
    ("貳億元正", "200000000"),
    ("四万五千元", "45000"), ("两千元", "2000"), ("一万零五十元", "10050"), ("四万五千", "45000"),
    ("-500", "-500"), ("−500", "-500"), ("－500", "-500"), ("-4.5万", "-45000"), ("-￥500", "-500"),
    ("￥-500", "-500"), ("负五百元", "-500"),
])
def test_parse_money(raw, expected):
    result = parse_money(raw)
    assert type(result) is Decimal
    assert result == Decimal(expected)


@pytest.mark.parametrize("raw, expected", [
    (3, "30000"), (4.5, "45000"), (0.1, "1000"), (1.2345, "12345"), ("4.5", "45000"), ("3,000元", "3000"),
    ("0.3万", "3000"), ("4.5万元", "45000"), ("4.5万", "45000"),
    ("45000元", "45000"), ("肆万伍仟元整", "45000"), ("三", "30000"), ("1.2亿元", "120000000"),
])
def test_a_column_unit_applies_to_plain_numbers_only(raw, expected):
    assert parse_money(raw, unit=Decimal(10000)) == Decimal(expected)


def test_money_is_exact_not_float_arithmetic():
    assert parse_money(0.1) + parse_money(0.2) == Decimal("0.3")
    assert parse_money(1.1, unit=Decimal(3)) == Decimal("3.3")
    assert parse_money("12345678901234567890123456789.01") == Decimal("12345678901234567890123456789.01")
    big = 12345678901234567890123456789
    assert parse_money(big, unit=Decimal(10000)) == big * 10000


@pytest.mark.parametrize("raw", [
    True, False, None, "", "   ", "abc", "待定", "待核实", "元", "整", "-", "4.5万万", "1,2,3x",
    "45 000", "45,00", "4,5000",
    "4.5.6", "--500", "4人民币5", "1e5", "NaN", "Infinity", "一二三", "五零", "一万万", "元角",
    "3人", float("nan"), float("inf"), Decimal("NaN"), OCT_8, datetime(2026, 10, 8), time(9, 30),
])
def test_parse_money_refuses(raw):
    with pytest.raises(ValueParseError):
        parse_money(raw)


@pytest.mark.parametrize("raw, message", [
    ("abc", "无法识别的金额“abc”"), ("待核实", "无法识别的金额“待核实”"),
    (True, "无法识别的金额“TRUE”"), ("", "金额为空"),
    ("x" * 40, "无法识别的金额“" + "x" * 29 + "…”"),
])
def test_money_error_messages(raw, message):
    with pytest.raises(ValueParseError) as caught:
        parse_money(raw)
    assert str(caught.value) == message


# --- counts ----------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    (3, 3), (3.0, 3), (0, 0), ("3", 3), ("３", 3), ("3人", 3), ("3 人次", 3), ("12名", 12), ("5次", 5),
    ("3.0", 3), ("1,200人次", 1200), ("三", 3), ("十二人", 12), ("二十", 20), ("两人", 2), ("零", 0),
    ("一百零五人次", 105), (-2, -2), (-2.0, -2), ("-2", -2), ("−2人", -2), (" 7 ", 7),
])
def test_parse_count(raw, expected):
    result = parse_count(raw)
    assert type(result) is int
    assert result == expected


@pytest.mark.parametrize("raw", [
    3.5, "3.5", "3.5人", "abc", "若干", "人", True, False, None, "", "3..5", "3 5", "一二",
    float("nan"), OCT_8,
])
def test_parse_count_refuses(raw):
    with pytest.raises(ValueParseError):
        parse_count(raw)


@pytest.mark.parametrize("raw, message", [
    (3.5, "“3.5”不是整数"), ("3.5人", "“3.5人”不是整数"), ("abc", "无法识别的数字“abc”"), (None, "数字为空"),
])
def test_count_error_messages(raw, message):
    with pytest.raises(ValueParseError) as caught:
        parse_count(raw)
    assert str(caught.value) == message


# --- Chinese numerals ------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("零", "0"), ("〇", "0"), ("一", "1"), ("十", "10"), ("十二", "12"), ("二十", "20"), ("二十五", "25"),
    ("一百", "100"), ("一百零五", "105"), ("一百一十", "110"), ("一千零五十", "1050"), ("三千五", "3500"),
    ("两千", "2000"), ("一万", "10000"), ("十万", "100000"), ("一万零五十", "10050"), ("一万零五", "10005"),
    ("一万五", "15000"), ("四万五千", "45000"), ("一亿二千万", "120000000"), ("一亿零五万", "100050000"),
    ("一万亿", "1000000000000"), ("两亿五千万", "250000000"),
    ("壹", "1"), ("拾", "10"), ("壹拾", "10"), ("贰佰零伍", "205"), ("肆萬伍仟", "45000"),
    ("貳億", "200000000"),
    ("陸仟", "6000"), ("贰拾", "20"), ("万", "10000"), ("萬", "10000"), ("亿", "100000000"),
    ("玖仟玖佰玖拾玖億玖仟玖佰玖拾玖萬玖仟玖佰玖拾玖", "999999999999"),
    ("肆万伍仟元整", "45000"), ("壹万贰仟叁佰肆拾伍元陆角柒分", "12345.67"), ("伍佰元正", "500"),
    ("零元", "0"), ("壹圆", "1"), ("贰佰零伍元伍角", "205.5"), ("壹元零伍分", "1.05"), ("伍角", "0.5"),
])
def test_parse_chinese_number(text, expected):
    assert parse_chinese_number(text) == Decimal(expected)


@pytest.mark.parametrize("text", [
    "", "元", "整", "一二三", "五零", "一万万", "一亿亿", "百", "十十", "一百一千", "三角五角", "五元元",
    "abc", "5万",
])
def test_parse_chinese_number_refuses(text):
    with pytest.raises(ValueParseError):
        parse_chinese_number(text)


# --- nothing but ValueParseError escapes -----------------------------------------------

CELLS = st.one_of(
    st.text(), st.integers(), st.floats(), st.none(), st.dates(), st.datetimes(), st.booleans(), st.times(),
    st.decimals(),
    st.text(alphabet="0123456789０１２-/.: T年月日号元万亿,，￥¥零一二两三十百千壹贰拾佰仟角分整人",
            max_size=14),
)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(CELLS)
def test_no_input_crashes(value):
    result = clean_text(value)
    assert result is None or (isinstance(result, str) and result == result.strip() and result)
    for parse, kind in ((parse_date, date), (parse_money, Decimal), (parse_count, int)):
        try:
            assert isinstance(parse(value), kind)
        except ValueParseError as exc:
            assert str(exc) and len(str(exc)) < 60
    if isinstance(value, str):
        assert isinstance(match_key(value), str)
        with contextlib.suppress(ValueParseError):
            assert isinstance(parse_chinese_number(value), Decimal)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        with contextlib.suppress(ValueParseError):
            assert isinstance(excel_serial_to_date(value), date)


@given(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=6), st.dates(),
                 st.datetimes(), st.times(), st.decimals(allow_nan=True),
                 st.sampled_from(["", " ", "\u3000", "\u200b", "\ufeff x", "\n", "0", "nan"])))
def test_is_blank_is_clean_text_none(value):
    from taizhang.values import is_blank

    assert is_blank(value) == (clean_text(value) is None)


@given(st.text(max_size=6))
def test_is_trimmed_is_clean_text_itself(text):
    from taizhang.values import is_trimmed

    assert is_trimmed(text) == (clean_text(text) == text)


# --- column parsers: the value rules, a whole column at once ----------------------------

def _outcome(fn, value):
    try:
        return fn(value)
    except ValueParseError:
        return "refused"


EDGES = "".join(c for c in map(chr, range(0x110000)) if c.isspace()) + "\u200b\ufeff"
TEXTS = st.text(alphabet=st.sampled_from(EDGES[:8] + EDGES[-6:] + "一中aB1 "), max_size=6)


def test_edge_characters_are_what_clean_text_trims():
    """clean_text_column trims with a list of characters made at import (up to U+3000): every
    character clean_text's pattern takes for a space is in it, and only those."""
    from taizhang.values import EDGE_CHARACTERS
    assert set(EDGE_CHARACTERS) == set(EDGES)
    assert all(clean_text(f"x{c}") == "x" for c in EDGES)


@given(st.lists(st.one_of(st.none(), TEXTS, st.floats(), st.floats(-1e17, 1e17).map(float.__floor__).map(float),
                          st.integers(-5, 5), st.booleans()), max_size=30))
def test_text_column_is_clean_text(values):
    from taizhang.values import clean_text_column
    found = clean_text_column(values)
    if found is not None:
        assert found == [clean_text(v) for v in values]
    kinds = set(map(type, values))
    if kinds and (kinds <= {str, type(None)} and str in kinds):
        assert found is not None  # texts and blanks: always taken


@given(st.lists(st.one_of(st.none(), st.floats(), st.floats(-1e16, 1e16).map(round).map(float),
                          st.integers(-10**16, 10**16), st.booleans(), st.text(max_size=2)), max_size=30))
def test_count_column_is_parse_count(values):
    from taizhang.values import parse_count_column
    found = parse_count_column(values)
    if found is not None:
        assert found == [None if v is None else _outcome(parse_count, v) for v in values]
        assert all(type(x) is int for x in found if x is not None)


DATES = st.dates(date(1800, 1, 1), date(2200, 1, 1))


@given(st.lists(st.one_of(st.none(), DATES, st.datetimes(datetime(1800, 1, 1), datetime(2200, 1, 1)),
                          st.floats(0, 60000), st.text(max_size=2)), max_size=30), st.booleans())
def test_date_column_is_parse_date(values, one_kind):
    from taizhang.values import parse_date_column
    if one_kind:  # as readers give a date column: one kind of cell and blanks
        kinds = [type(v) for v in values if v is not None]
        values = [v for v in values if v is None or type(v) is (kinds[0] if kinds else None)]
    found = parse_date_column(values)
    if found is not None:
        assert found == [None if v is None else _outcome(parse_date, v) for v in values]
        assert all(type(x) is date for x in found if x is not None)


def test_column_parsers_take_what_readers_give():
    from taizhang.values import clean_text_column, parse_count_column, parse_date_column
    assert clean_text_column([" 一中", "二中\u3000", None, "\u200b"]) == ["一中", "二中", None, None]
    assert clean_text_column([1.0, 2.0, None, -0.0]) == ["1", "2", None, "0"]
    assert parse_count_column([1.0, None, 3.0, -2.0]) == [1, None, 3, -2]
    assert parse_count_column([1, 2, 3]) == [1, 2, 3]
    assert parse_date_column([datetime(2026, 10, 8, 9, 30), None]) == [OCT_8, None]
    assert parse_date_column([OCT_8, None]) == [OCT_8, None]
    assert parse_date_column([None, None]) == [None, None]
    # handed over, value by value: a fraction, a NaN, a date beyond 2100, dates with datetimes
    assert parse_count_column([1.0, 2.5]) is None and parse_count_column([1.0, float("nan")]) is None
    assert parse_date_column([OCT_8, date(2101, 1, 1)]) is None
    assert parse_date_column([OCT_8, datetime(2026, 10, 8)]) is None
