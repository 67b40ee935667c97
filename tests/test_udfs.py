"""Worksheet functions: plain calls with row lists as xlwings passes them, checked against
`taizhang summary` on the same data, and a sample workbook evaluated by a formula engine."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from fixtures import write_xlsx
from taizhang.cli import main
from udfs import functions as f

SAMPLE = Path(__file__).resolve().parent.parent / "workbooks" / "samples" / "函数示例.xlsx"

# as xlwings passes a range with ndim=2: None for blanks, float for numbers, datetime for dates
REFUNDS = [
    ["退费台账", None, None, None, None, None],
    ["单位", "违规项目", "日期", "学生数", "应退", "实退金额"],
    ["一中", "补课费", datetime(2026, 10, 8), 10.0, "4.5万元", "肆万元整"],
    [None, None, None, None, None, None],
    ["二中", "资料费", "2026/10/9", 3.0, 1234.56, "1,000.50"],
    ["二中", "择校", datetime(2026, 9, 9), 1.0, 100.0, 100.0],
    ["合计", None, None, 14.0, 46334.56, 41100.5],
]
COMPLAINTS = [
    ["信访编号", "受理日期", "信访来源", "状态", "办结日期"],
    [1.0, datetime(2026, 10, 1), "省纪委转办", "已办结", datetime(2026, 10, 5)],
    [2.0, datetime(2026, 10, 2), "市局转办", "在办", None],
    [3.0, datetime(2026, 9, 2), "直接受理", "在办", None],
    [4.0, datetime(2026, 10, 3), "省转", "在办", None],
]
SANCTIONS = [
    ["被处理人", "违纪类型", "处分种类", "决定日期"],
    ["张某", "乱收费", "诫勉谈话", datetime(2026, 10, 8)],
    ["张某", "乱收费", "政务警告", datetime(2026, 10, 9)],
    ["李某", "乱招生", "诫勉", datetime(2026, 10, 9)],
]
RECT = [
    ["问题描述", "责任单位", "整改时限", "整改状态", "完成时间"],
    ["甲", "一中", datetime(2026, 9, 30), "整改中", None],
    ["乙", "一中", datetime(2026, 12, 31), "已整改", datetime(2026, 10, 1)],
    ["丙", "二中", "长期坚持", "正在整改", None],
    ["丁", "二中", datetime(2026, 8, 31), "销号", datetime(2026, 8, 1)],
]


def summary_json(tmp_path, capsys, sheets, period="2026-10"):
    path = write_xlsx(tmp_path / "ledger.xlsx", sheets)
    main(["summary", str(path), "--period", period, "--as-of", "2026-10-31", "--json"])
    return json.loads(capsys.readouterr().out)


def test_functions_agree_with_taizhang_summary(tmp_path, capsys):
    data = summary_json(tmp_path, capsys, {"退费台账": REFUNDS, "信访举报台账": COMPLAINTS,
                                           "处分台账": SANCTIONS, "整改台账": RECT}, period="all")
    assert f.REFUND_TOTAL(REFUNDS) == float(data["refunds"]["refunded"]) == 41100.5
    assert f.REFUND_DUE(REFUNDS) == float(data["refunds"]["outstanding"]) == 5234.06
    assert f.COMPLAINT_COUNT(COMPLAINTS) == data["complaints"]["total"] == 4
    for source in ("省转办", "市转办", "自办"):
        assert f.COMPLAINT_COUNT(COMPLAINTS, source) == data["complaints"]["by_source"][source]
    assert f.SANCTION_COUNT(SANCTIONS) == data["sanctions"]["persons"] == 2
    assert f.SANCTION_COUNT(SANCTIONS, "诫勉", "违规收费") == data["sanctions"]["by_cause"]["违规收费"]["诫勉"] == 1
    assert f.RECTIFY_OVERDUE(RECT, datetime(2026, 10, 31)) == data["rectification"]["overdue"] == 1
    assert f.RECTIFY_RATE(RECT) == data["rectification"]["completion_rate"] == 0.5


def test_periods_schools_and_synonyms(tmp_path, capsys):
    october = summary_json(tmp_path, capsys, {"退费台账": REFUNDS, "信访举报台账": COMPLAINTS})
    assert f.REFUND_TOTAL(REFUNDS, None, "2026-10") == float(october["refunds"]["refunded"]) == 41000.5
    assert f.REFUND_TOTAL(REFUNDS, "二中", "2026") == 1100.5
    assert f.REFUND_TOTAL(REFUNDS, "二中", datetime(2026, 9, 15)) == 100.0  # a date cell: its month
    assert f.COMPLAINT_COUNT(COMPLAINTS, "省纪委转办", "2026-10") == october["complaints"]["by_source"]["省转办"] == 2
    assert f.COMPLAINT_COUNT(COMPLAINTS, None, 2026.0) == 4  # a year typed as a number


def test_ledger_check_spills_findings_or_says_ok():
    assert f.LEDGER_CHECK(COMPLAINTS, datetime(2026, 10, 31)) == "OK"
    bad = COMPLAINTS + [[5.0, "2026-13-01", "区转办", "在办", None]]
    assert f.LEDGER_CHECK(bad, datetime(2026, 10, 31)) == [
        ["B6", "错误", "无法识别的日期“2026-13-01”（不存在这一天）"],
        ["C6", "错误", "“区转办”不是规定的来源，应为：省转办、市转办、自办"],
    ]


@pytest.mark.parametrize("call, message", [
    (lambda: f.REFUND_TOTAL([[1.0, 2.0]]), "#错误：所选区域中没有找到退费台账的表头"),
    (lambda: f.REFUND_TOTAL(None), "#错误：所选区域中没有找到退费台账的表头"),
    (lambda: f.COMPLAINT_COUNT(COMPLAINTS, "区转办"), "#错误：“区转办”不是规定的来源"),
    (lambda: f.REFUND_TOTAL(REFUNDS, None, "十月"), "#错误：期间应写作"),
    (lambda: f.RECTIFY_OVERDUE(RECT, "明天"), "#错误：检查日期"),
    (lambda: f.RECTIFY_RATE([RECT[0]]), "#错误：台账中没有整改问题"),
    (lambda: f.SANCTION_COUNT(SANCTIONS, "罚款"), "#错误：“罚款”不是规定的处理方式"),
])
def test_bad_input_returns_readable_text(call, message):
    result = call()
    assert isinstance(result, str) and result.startswith(message)
    assert "Traceback" not in result


def _as_rows(value):
    """A `formulas` argument as xlwings would pass it: ranges as lists of rows, blanks None."""
    import numpy as np
    from formulas.ranges import Ranges

    if isinstance(value, Ranges):
        value = value.value
    if isinstance(value, np.ndarray):
        from formulas.functions import is_not_empty

        rows = [[v if is_not_empty(v) and not (isinstance(v, str) and v == "") else None for v in row]
                for row in value.tolist()]
        if value.size == 1:
            return rows[0][0]
        return rows
    return value


def _excel_date(serial):
    from taizhang.values import excel_serial_to_date

    return datetime.combine(excel_serial_to_date(serial), datetime.min.time())


@pytest.mark.slow
def test_sample_workbook_evaluated_by_a_formula_engine():
    formulas = pytest.importorskip("formulas")
    registry = formulas.get_functions()

    def adapt(fn, date_args=()):
        def call(*args):
            args = [_as_rows(a) for a in args]
            args = [None if isinstance(a, str) and a == "" else a for a in args]
            for i in date_args:
                if i < len(args) and isinstance(args[i], (int, float)):
                    args[i] = _excel_date(args[i])
            return fn(*args)
        return call

    for name in ("REFUND_TOTAL", "REFUND_DUE", "COMPLAINT_COUNT", "SANCTION_COUNT", "RECTIFY_RATE"):
        registry[name] = adapt(getattr(f, name))
    registry["RECTIFY_OVERDUE"] = adapt(f.RECTIFY_OVERDUE, date_args=(1,))
    model = formulas.ExcelModel().loads(str(SAMPLE)).finish()
    solution = model.calculate()
    values = {k.split("!")[1]: v.value[0][0] for k, v in solution.items() if "统计" in k and "!" in k}
    assert values["B2"] == 28500.0      # 18,000 + 10,500; the 合计 row not counted
    assert values["B3"] == 18000.0      # October only (the other refund was found in September)
    assert values["B4"] == 0.0
    assert values["B5"] == 4            # complaints
    assert values["B6"] == 1            # 省转办
    assert values["B7"] == 1            # 市纪委转办 -> 市转办, in October
    assert values["B8"] == 2            # persons
    assert values["B9"] == 1            # 因违规收费诫勉
    assert values["B10"] == 0           # nothing overdue on 2026-10-31
    assert values["B11"] == 0.5         # 2 of 4 done


def test_an_error_value_in_the_range_is_named_never_summed_around():
    """xlwings passes #REF! as text (err_to_str, set on every table argument): a total computed
    around it would look right and be wrong, so the function names the cell instead."""
    broken = [row[:] for row in REFUNDS]
    broken[4][5] = "#REF!"  # 实退金额 of the second 二中 row (F5)
    cell = "F5"
    assert f.REFUND_TOTAL(broken) == f"#错误：{cell} 显示错误值 #REF!，请先改正"
    assert f.LEDGER_CHECK(broken, datetime(2026, 10, 31))[0][:2] == [cell, "错误"]
    # every table argument of every worksheet function, as xlwings' decorators record them
    from addin.xlwings_udfs import udf_module, worksheet_functions

    functions = worksheet_functions(udf_module())
    table_args = {fn.__name__: [a["options"] for a in fn.__xlfunc__["args"] if a["name"] == "table"]
                  for fn in functions}
    assert len(functions) >= 7
    assert table_args == {fn.__name__: [{"ndim": 2, "err_to_str": True}] for fn in functions}


# --- older Excel (2016/2019): date serials, one-cell results --------------------------------

def test_a_period_given_as_a_date_serial_or_datetime_is_its_month():
    october = f.COMPLAINT_COUNT(COMPLAINTS, None, "2026-10")
    assert october == 3
    # DATE(2026,10,1) in a formula arrives as the serial 46296 (no date format travels with it)
    assert f.COMPLAINT_COUNT(COMPLAINTS, None, 46296.0) == october
    assert f.COMPLAINT_COUNT(COMPLAINTS, None, 46326.75) == october  # 2026-10-31 18:00
    assert f.COMPLAINT_COUNT(COMPLAINTS, None, datetime(2026, 10, 15, 9, 30)) == october
    assert f.COMPLAINT_COUNT(COMPLAINTS, None, 46268.0) == 1  # 2026-09-03: September
    # a year typed as a number stays a year, text stays what it says
    assert f.COMPLAINT_COUNT(COMPLAINTS, None, 2026.0) == f.COMPLAINT_COUNT(COMPLAINTS, None, "2026") == 4
    assert f.REFUND_TOTAL(REFUNDS, None, 46296.0) == f.REFUND_TOTAL(REFUNDS, None, "2026-10")
    assert f.SANCTION_COUNT(SANCTIONS, None, None, 46296.0) == 2
    assert f.COMPLAINT_COUNT(COMPLAINTS, None, 1.5).startswith("#错误：期间“1.5”")


def test_as_of_given_as_a_date_serial_is_that_day():
    assert f.RECTIFY_OVERDUE(RECT, 46326.0) == f.RECTIFY_OVERDUE(RECT, datetime(2026, 10, 31)) == 1
    assert f.RECTIFY_OVERDUE(RECT, 46265.0) == 0  # 2026-08-31: nothing overdue yet
    assert f.LEDGER_CHECK(RECT, 46326.0) == f.LEDGER_CHECK(RECT, "2026-10-31")


def test_text_that_looks_like_a_number_keeps_its_meaning():
    rows = [["序号", "问题描述", "责任单位", "整改时限", "整改状态", "完成时间"],
            ["001", "甲", "一中", "2026-12-31", "整改中", None],
            ["001", "乙", "一中", "2026-12-31", "整改中", None],
            [1.0, "丙", "一中", "2026-12-31", "整改中", None]]
    # "001" typed as text is not the number 1: two 001 are duplicates, the 1 is not one of them
    assert f.LEDGER_CHECK(rows, "2026-10-31") == [["A3", "错误", "“序号” 001 与第 2 行重复"]]


def test_one_cell_results_for_excel_without_dynamic_arrays():
    spilled = f.LEDGER_CHECK(RECT, "2026-10-31")
    assert isinstance(spilled, list) and spilled
    assert f.LEDGER_CHECK_COUNT(RECT, None, "2026-10-31") == len(spilled)
    errors = sum(1 for row in spilled if row[1] == "错误")
    assert f.LEDGER_CHECK_COUNT(RECT, "错误", "2026-10-31") == errors
    assert f.LEDGER_CHECK_COUNT(RECT, "提醒", "2026-10-31") == len(spilled) - errors
    # filled down with ROW()-1: each row one finding, then blanks
    items = [f.LEDGER_CHECK_ITEM(RECT, float(n), "2026-10-31") for n in range(1, len(spilled) + 3)]
    assert items[:len(spilled)] == [" ".join(row) for row in spilled] and items[len(spilled):] == ["", ""]
    clean = [["问题描述", "责任单位", "整改时限", "整改状态"], ["甲", "一中", datetime(2026, 12, 31), "整改中"]]
    assert f.LEDGER_CHECK(clean, "2026-10-31") == "OK" == f.LEDGER_CHECK_ITEM(clean, 1, "2026-10-31")
    assert f.LEDGER_CHECK_COUNT(clean, None, "2026-10-31") == 0
    assert f.LEDGER_CHECK_ITEM(RECT, 0).startswith("#错误：序号“0”")
    assert f.LEDGER_CHECK_COUNT(RECT, "严重").startswith("#错误：级别应为")


def test_the_collector_runs_again_after_every_function():
    """Worksheet functions pause the cyclic garbage collector while they work: it runs again
    after an answer and after an error text, and one the caller had paused stays paused."""
    import gc

    table = [["序号", "学校", "收费项目", "应退金额", "已退金额"], [1, "一中", "教辅材料", 100, 100]]
    assert gc.isenabled()
    assert f.REFUND_TOTAL(table) == 100
    assert gc.isenabled()
    assert str(f.REFUND_TOTAL([["no", "ledger"]])).startswith("#错误")
    assert gc.isenabled()
    gc.disable()
    try:
        assert f.REFUND_TOTAL(table) == 100
        assert not gc.isenabled()
    finally:
        gc.enable()
