"""Value parsers: every form units type dates, amounts and counts in; and nothing else escapes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taizhang.values import (
    ValueParseError, clean_text, date_to_excel_serial, excel_serial_to_date, match_key,
    parse_chinese_number, parse_count, parse_date, parse_money,
)


@pytest.mark.parametrize("raw, expected", [
    (date(2026, 10, 8), date(2026, 10, 8)), (datetime(2026, 10, 8, 9, 30), date(2026, 10, 8)),
    (46303, date(2026, 10, 8)), (46303.75, date(2026, 10, 8)), (20261008, date(2026, 10, 8)),
    ("2026-10-08", date(2026, 10, 8)), ("2026/10/8", date(2026, 10, 8)), ("2026.10.8", date(2026, 10, 8)),
    ("2026年10月8日", date(2026, 10, 8)), ("2026年10月8号", date(2026, 10, 8)), ("20261008", date(2026, 10, 8)),
    ("2026-10-08 00:00:00", date(2026, 10, 8)), ("2026/10/8 9:30", date(2026, 10, 8)),
    (" ２０２６年１０月８日 ", date(2026, 10, 8)), ("二〇二六年十月八日", date(2026, 10, 8)),
    ("二零二六年十月二十八日", date(2026, 10, 28)), ("46303", date(2026, 10, 8)),
    (61, date(1900, 3, 1)), (1, date(1900, 1, 1)),
])
def test_dates(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize("raw", ["2026-02-30", "2026-13-01", "待定", "下月底", True, 0, -5, "26-10-08", "", None,
                                 "1899-12-31", "2101-01-01", float("nan")])
def test_dates_refused(raw):
    with pytest.raises(ValueParseError):
        parse_date(raw)


def test_serial_round_trip():
    for d in (date(1900, 1, 1), date(1900, 2, 28), date(1900, 3, 1), date(2026, 10, 8), date(2099, 12, 31)):
        assert excel_serial_to_date(date_to_excel_serial(d)) == d


@pytest.mark.parametrize("raw, expected", [
    (45000, "45000"), (45000.5, "45000.5"), (0.1, "0.1"), ("45000", "45000"), ("45,000.00", "45000.00"),
    ("45，000", "45000"), ("45000元", "45000"), ("45000.00 元", "45000.00"), ("￥45,000", "45000"),
    ("¥45000", "45000"), ("RMB45000", "45000"), ("人民币45000元", "45000"), ("4.5万元", "45000"),
    ("4.5万", "45000"), ("0.5 万元", "5000"), ("1.2亿元", "120000000"), ("４５，０００．００", "45000.00"),
    ("肆万伍仟元整", "45000"), ("壹万贰仟叁佰肆拾伍元陆角柒分", "12345.67"), ("伍佰元", "500"),
    ("人民币壹仟元整", "1000"), ("拾元", "10"), ("壹拾元", "10"), ("贰佰零伍元伍角", "205.5"), ("零元", "0"),
    ("四万五千元", "45000"), ("两千元", "2000"), ("一万零五十元", "10050"), ("-500", "-500"),
    ("−500", "-500"), ("-4.5万", "-45000"),
])
def test_money_is_exact(raw, expected):
    assert parse_money(raw) == Decimal(expected)


def test_money_unit_from_the_header_applies_to_plain_numbers_only():
    wan = Decimal(10000)
    assert parse_money(1.2345, unit=wan) == Decimal("12345")
    assert parse_money("3,000元", unit=wan) == Decimal(3000)  # the text's own unit wins
    assert parse_money("0.3万", unit=wan) == Decimal(3000)


@pytest.mark.parametrize("raw", ["待核实", "abc", True, "", None, "4.5万万", "1,2,3x", float("inf")])
def test_money_refused(raw):
    with pytest.raises(ValueParseError):
        parse_money(raw)


@pytest.mark.parametrize("raw, expected", [(3, 3), (3.0, 3), ("3", 3), ("３", 3), ("3人", 3), ("3 人次", 3),
                                           ("12名", 12), ("三", 3), ("十二人", 12), ("二十", 20), ("-2", -2)])
def test_counts(raw, expected):
    assert parse_count(raw) == expected


@pytest.mark.parametrize("raw", [3.5, "3.5人", "若干", True, None])
def test_counts_refused(raw):
    with pytest.raises(ValueParseError):
        parse_count(raw)


@pytest.mark.parametrize("raw, expected", [("十二", 12), ("一万零五十", 10050), ("一亿二千万", 120000000),
                                           ("贰拾", 20), ("萬", 10000)])
def test_chinese_numerals(raw, expected):
    assert parse_chinese_number(raw) == expected


def test_text_and_keys():
    assert clean_text(3.0) == "3" and clean_text("  \u3000 ") is None and clean_text(None) is None
    assert clean_text(datetime(2026, 10, 8)) == "2026-10-08"
    assert match_key(" 收件\n日期 *") == "收件日期" and match_key("ＡＢ") == "ab"
    assert match_key("应退金额（万元）") == "应退金额(万元)"


def test_messages_are_chinese_and_quote_the_value():
    with pytest.raises(ValueParseError, match="无法识别的金额“待核实”"):
        parse_money("待核实")
    with pytest.raises(ValueParseError, match="不存在这一天"):
        parse_date("2026-02-30")


anything = st.one_of(st.text(), st.integers(), st.floats(), st.none(), st.booleans(), st.dates(), st.datetimes(),
                     st.decimals())


@settings(max_examples=300, deadline=None)
@given(anything)
def test_nothing_but_a_value_parse_error_ever_escapes(value):
    for parse in (parse_date, parse_money, parse_count):
        try:
            parse(value)
        except ValueParseError:
            pass
    clean_text(value)
