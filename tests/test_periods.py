"""Periods other than a month (issue 27): quarters, half-years and ranges of months, as staff
write them, and what every face does with them — ``summary``/``report``/``consolidate``, the
汇总表 and its 明细, the paragraph, the Word report, the ribbon and the worksheet functions —
on workbooks written here with openpyxl and read back."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

import docx
import openpyxl
import pytest

from fixtures import write_xlsx
from taizhang.cli import main
from taizhang.figures import Period, PeriodError
from taizhang.figures.period import PERIOD_HELP
from udfs import functions as f

AS_OF = "2026-12-31"

# --- parsing -------------------------------------------------------------------------------

WRITTEN = [
    # quarters
    ("2026Q3", "2026Q3", "2026年第三季度"), ("2026-Q3", "2026Q3", "2026年第三季度"),
    ("2026q3", "2026Q3", "2026年第三季度"), ("２０２６Ｑ３", "2026Q3", "2026年第三季度"),
    ("2026年第三季度", "2026Q3", "2026年第三季度"), ("2026年3季度", "2026Q3", "2026年第三季度"),
    ("2026年第3季度", "2026Q3", "2026年第三季度"), ("２０２６年第３季度", "2026Q3", "2026年第三季度"),
    (" 2026 q1 ", "2026Q1", "2026年第一季度"), ("2026年第四季度", "2026Q4", "2026年第四季度"),
    ("2026年2季度", "2026Q2", "2026年第二季度"),
    # half-years
    ("2026H1", "2026H1", "2026年上半年"), ("2026h1", "2026H1", "2026年上半年"),
    ("2026年上半年", "2026H1", "2026年上半年"), ("2026H2", "2026H2", "2026年下半年"),
    ("2026年下半年", "2026H2", "2026年下半年"), ("２０２６Ｈ２", "2026H2", "2026年下半年"),
    # ranges of months
    ("2026-03..2026-08", "2026-03..2026-08", "2026年3月至8月"),
    ("2026年3月至8月", "2026-03..2026-08", "2026年3月至8月"),
    ("2026年3月-8月", "2026-03..2026-08", "2026年3月至8月"),
    ("2026年3月至2026年8月", "2026-03..2026-08", "2026年3月至8月"),
    ("２０２６年３月至８月", "2026-03..2026-08", "2026年3月至8月"),
    ("2025-11..2026-02", "2025-11..2026-02", "2025年11月至2026年2月"),
    ("2025年11月至2026年2月", "2025-11..2026-02", "2025年11月至2026年2月"),
    # a range that is a quarter, a year or a month is that period
    ("2026-07..2026-09", "2026Q3", "2026年第三季度"), ("2026-01..2026-06", "2026H1", "2026年上半年"),
    ("2026-01..2026-12", "2026", "2026年"), ("2026-10..2026-10", "2026-10", "2026年10月"),
    # the forms of before, unchanged
    ("2026-10", "2026-10", "2026年10月"), ("2026/10", "2026-10", "2026年10月"), ("2026.10", "2026-10", "2026年10月"),
    ("2026年10月", "2026-10", "2026年10月"), ("202610", "2026-10", "2026年10月"), ("2026", "2026", "2026年"),
    ("2026年", "2026", "2026年"), ("all", "all", "全部"), ("全部", "all", "全部"), ("", "all", "全部"),
]


@pytest.mark.parametrize("text, key, label", WRITTEN)
def test_every_written_form_reads_as_its_period(text, key, label):
    period = Period.parse(text)
    assert (period.key, period.label) == (key, label)
    assert Period.parse(period.key) == period  # the key reads back as the same period
    assert Period.parse(period.label) == period  # and so does the label staff read


@pytest.mark.parametrize("text", ["2026Q5", "2026Q0", "2026H3", "2026年第五季度", "2026年中半年", "2026-08..2026-03",
                                  "2026年8月至3月", "2026年3月至", "至2026年8月", "2026..2027", "2026-03-2026-08",
                                  "Q3", "第三季度", "上半年", "10月", "2026-13", "1899Q1", "2026年3月至13月", "x"])
def test_what_is_no_period_is_refused_listing_the_forms(text):
    with pytest.raises(PeriodError) as caught:
        Period.parse(text)
    message = str(caught.value)
    assert f"期间应写作 {PERIOD_HELP}" in message and f"收到“{text}”" in message
    for form in ("2026Q3", "2026年第三季度", "2026H1", "2026年上半年", "2026-03..2026-08", "2026年3月至8月"):
        assert form in message


def test_a_reversed_range_says_so():
    with pytest.raises(PeriodError, match="结束月份（2026年3月）早于开始月份（2026年8月）"):
        Period.parse("2026年8月至2026年3月")


@pytest.mark.parametrize("text, start, end, ytd, before, year_earlier, heading", [
    ("2026-10", date(2026, 10, 1), date(2026, 10, 31), "2026年1—10月", "2026-09", "2025-10", "本月"),
    ("2026-01", date(2026, 1, 1), date(2026, 1, 31), "2026年1—1月", "2025-12", "2025-01", "本月"),
    ("2026Q3", date(2026, 7, 1), date(2026, 9, 30), "2026年1—9月", "2026Q2", "2025Q3", "本季度"),
    ("2026Q1", date(2026, 1, 1), date(2026, 3, 31), "2026年1—3月", "2025Q4", "2025Q1", "本季度"),
    ("2026H1", date(2026, 1, 1), date(2026, 6, 30), "2026年1—6月", "2025H2", "2025H1", "本半年"),
    ("2026H2", date(2026, 7, 1), date(2026, 12, 31), "2026年1—12月", "2026H1", "2025H2", "本半年"),
    ("2026-03..2026-08", date(2026, 3, 1), date(2026, 8, 31), "2026年1—8月", "2025-09..2026-02",
     "2025-03..2025-08", "本期"),
    ("2025-11..2026-02", date(2025, 11, 1), date(2026, 2, 28), "2026年1—2月", "2025-07..2025-10",
     "2024-11..2025-02", "本期"),
    ("2026", date(2026, 1, 1), date(2026, 12, 31), None, "2025", "2025", "2026年"),
])
def test_bounds_year_to_date_and_the_periods_around(text, start, end, ytd, before, year_earlier, heading):
    period = Period.parse(text)
    assert (period.start, period.end, period.heading) == (start, end, heading)
    assert (period.year_to_date().label if period.year_to_date() else None) == ytd
    assert (period.previous().key, period.year_earlier().key) == (before, year_earlier)
    assert period.contains(start) and period.contains(end) and not period.contains(None)
    assert not period.contains(date.fromordinal(start.toordinal() - 1))
    assert not period.contains(date.fromordinal(end.toordinal() + 1))
    assert [m.key for m in period.months][0] == f"{start.year}-{start.month:02d}"
    assert len(period.months) == (end.year - start.year) * 12 + end.month - start.month + 1
    assert period.month_before() == (Period(start.year, start.month - 1) if start.month > 1 else Period(start.year - 1, 12))


def test_everything_has_no_period_around_it_and_months_stay_months():
    everything = Period.parse("all")
    assert (everything.previous(), everything.year_earlier(), everything.year_to_date()) == (None, None, None)
    assert Period.parse("2026-10").is_month and not Period.parse("2026Q3").is_month
    assert Period.parse("2026年10月") == Period(2026, 10) and Period.parse("2026") == Period(2026)
    with pytest.raises(PeriodError, match="这里需要一个月份.*2026年第三季度"):
        Period.parse_month("2026Q3")


# --- on real files -------------------------------------------------------------------------

MONTHS = (6, 7, 8, 9, 10)


def _unit_book(path):
    """One unit's ledgers with rows in June to October 2026 (and one undated complaint)."""
    complaints = [["编号", "收件日期", "来源", "方式", "办理状态"]]
    refunds = [["学校", "收费项目", "查实日期", "应退金额", "已退金额"]]
    sanctions = [["姓名", "问题类型", "处理方式", "处理日期"]]
    rect = [["问题来源", "发现日期", "问题描述", "责任单位", "整改时限", "整改状态", "完成时间"]]
    acts = [["编号", "开展日期", "类型", "主题", "场次", "参加人数"]]
    n = 0
    for month in MONTHS:
        for i in range(month - 5):  # 1 row in June … 5 in October
            n += 1
            day = f"2026-{month:02d}-{10 + i:02d}"
            complaints.append([n, day, ("省转办", "市转办", "自办")[i % 3], "来信", ("办结", "在办")[i % 2]])
            refunds.append(["县一中", "补课费", day, f"{100 * month + i}.25", f"{100 * month}.00"])
            sanctions.append([f"干部{n}", "违规收费", ("诫勉", "警告")[i % 2], day])
            rect.append(["巡察", day, f"问题{n}", "县一中", "2026-11-30", ("整改中", "已整改")[i % 2],
                         day if i % 2 else None])
            acts.append([n, day, "专题学习", f"学习{n}", 1 + i, 10 * month])
    complaints.append([n + 1, None, "自办", "来电", "在办"])
    return write_xlsx(path, {"信访举报台账": complaints, "退费台账": refunds, "处分台账": sanctions,
                             "整改台账": rect, "工作开展台账": acts})


@pytest.fixture
def book(tmp_path):
    return _unit_book(tmp_path / "县一中.xlsx")


def _summary(capsys, *argv):
    code = main(["summary", *argv, "--as-of", AS_OF, "--json"])
    out = capsys.readouterr()
    return code, json.loads(out.out) if out.out else None, out.err


def _added(blocks: list, path: tuple) -> int:
    total = 0
    for b in blocks:
        for step in path:
            b = b[step]
        total += b
    return total


def test_summary_of_a_quarter_is_its_months_added_up(book, capsys):
    code, quarter, _ = _summary(capsys, str(book), "--period", "2026年第三季度")
    assert code in (0, 1) and quarter["period"] == "2026Q3"
    months = [_summary(capsys, str(book), "--period", f"2026-{m:02d}")[1] for m in (7, 8, 9)]
    for path in [("complaints", "total"), ("complaints", "closed"), ("complaints", "by_source", "省转办"),
                 ("sanctions", "person_times"), ("sanctions", "persons"), ("rectification", "total"),
                 ("rectification", "completed"), ("activities", "rows")]:
        assert _added([quarter], path) == _added(months, path) > 0, path
    for money in ("due", "refunded", "outstanding"):
        assert sum(Decimal(m["refunds"][money]) for m in months) == Decimal(quarter["refunds"][money]) > 0
    assert quarter["complaints"]["total"] == 2 + 3 + 4  # the rows written for July, August and September
    # 累计 is the year to September: the September month's 累计, exactly
    assert quarter["year_to_date"] == months[-1]["year_to_date"]
    assert quarter["complaints"]["undated"] == months[0]["complaints"]["undated"] == 1
    assert quarter["narrative"].startswith("2026年第三季度，共受理信访举报9件")
    assert "截至9月底，全年累计" in quarter["narrative"]


def test_a_half_year_a_range_and_a_range_across_the_year_end(book, capsys):
    _, half, _ = _summary(capsys, str(book), "--period", "2026H1")
    _, june, _ = _summary(capsys, str(book), "--period", "2026-06")
    assert half["period"] == "2026H1" and half["complaints"]["total"] == june["complaints"]["total"] == 1
    _, span, _ = _summary(capsys, str(book), "--period", "2026年6月至8月")
    assert span["period"] == "2026-06..2026-08" and span["complaints"]["total"] == 1 + 2 + 3
    assert span["narrative"].startswith("2026年6月至8月，")
    _, across, _ = _summary(capsys, str(book), "--period", "2025-11..2026-02")
    assert across["period"] == "2025-11..2026-02" and across["complaints"]["total"] == 0


def test_the_summary_sheet_of_a_quarter_says_quarter_never_month(book, tmp_path, capsys):
    out = tmp_path / "汇总.xlsx"
    code = main(["summary", str(book), "--period", "2026Q3", "--as-of", AS_OF, "-o", str(out)])
    printed = capsys.readouterr().out
    assert code in (0, 1) and "本季度" in printed and "累计（2026年1—9月）" in printed
    wb = openpyxl.load_workbook(out)
    ws = wb["汇总表"]
    assert ws["A2"].value.startswith("统计期间：2026年第三季度")
    heads = {ws.cell(r, c).value for r in range(1, ws.max_row + 1) for c in (2, 3)}
    assert {"本季度", "累计（2026年1—9月）"} <= heads and "本月" not in heads
    assert ws["A3"].value.startswith("注意")  # the undated complaint is an error of the ledger
    assert ws["A4"].value.startswith("2026年第三季度，共受理信访举报9件")
    cells = " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
    assert "本月" not in cells and "截至9月底，全年累计" in cells
    counted = {row[1] for row in wb["明细"].iter_rows(min_row=2, values_only=True)}
    assert counted == {"本季度、累计", "累计"}


def test_a_range_across_the_year_end_counts_its_december_in_the_period_alone(tmp_path, capsys):
    book = write_xlsx(tmp_path / "县一中.xlsx", {"信访举报台账": [
        ["编号", "收件日期", "来源", "方式", "办理状态"],
        [1, "2025-12-10", "自办", "来信", "办结"], [2, "2026-01-10", "自办", "来信", "办结"],
        [3, "2026-02-10", "自办", "来信", "在办"], [4, "2026-03-10", "自办", "来信", "在办"]]})
    out = tmp_path / "汇总.xlsx"
    code, data, _ = _summary(capsys, str(book), "--period", "2025年12月至2026年2月", "-o", str(out))
    assert data["complaints"]["total"] == 3 and data["year_to_date"]["complaints"]["total"] == 2
    assert "截至2月底，全年累计" in data["narrative"]
    rows = {r[4]: r[1] for r in openpyxl.load_workbook(out)["明细"].iter_rows(min_row=2, values_only=True)}
    assert rows == {2: "本期", 3: "本期、累计", 4: "本期、累计"}


def test_report_of_a_half_year(book, tmp_path, capsys):
    out = tmp_path / "汇报.docx"
    code = main(["report", str(book), "--period", "2026年上半年", "--as-of", AS_OF, "-o", str(out), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code in (0, 1) and data["period"] == "2026H1" and data["period_label"] == "2026年上半年"
    text = "\n".join(p.text for p in docx.Document(out).paragraphs)
    assert "关于2026年上半年纪检监察工作情况的汇报" in text
    assert "（一）本半年情况" in text and "截至2026年6月底，全年累计" in text
    assert "本月" not in text


def test_consolidate_refuses_a_quarter_with_the_reason(book, tmp_path, capsys):
    master = tmp_path / "局主表.xlsx"
    code = main(["consolidate", str(book.parent), "--period", "2026Q3", "--master", str(master)])
    err = capsys.readouterr().err
    assert code == 2 and not master.exists()
    assert "这里需要一个月份" in err and "2026年第三季度" in err and "请逐月合并" in err


def test_a_bad_period_is_refused_by_summary_and_report(book, capsys):
    code, data, err = _summary(capsys, str(book), "--period", "2026Q5")
    assert code == 2 and data is None and "期间应写作" in err and "2026Q3" in err


def test_worksheet_functions_take_a_quarter(book):
    ws = openpyxl.load_workbook(book)

    def table(name):
        return [list(r) for r in ws[name].iter_rows(values_only=True)]

    complaints, refunds, acts = table("信访举报台账"), table("退费台账"), table("工作开展台账")
    months = ("2026-07", "2026-08", "2026-09")
    assert f.COMPLAINT_COUNT(complaints, None, "2026Q3") == sum(f.COMPLAINT_COUNT(complaints, None, m) for m in months) == 9
    assert f.REFUND_TOTAL(refunds, None, "2026年第三季度") == sum(f.REFUND_TOTAL(refunds, None, m) for m in months)
    assert f.ACTIVITY_COUNT(acts, None, None, "2026-07..2026-09") == sum(
        f.ACTIVITY_COUNT(acts, None, None, m) for m in months)
    assert f.COMPLAINT_COUNT(complaints, None, "2026H2") == sum(
        f.COMPLAINT_COUNT(complaints, None, f"2026-{m:02d}") for m in range(7, 13)) == 2 + 3 + 4 + 5
    assert str(f.COMPLAINT_COUNT(complaints, None, "2026Q5")).startswith("#错误：期间应写作")


def test_the_ribbon_counts_the_period_named_on_its_settings_sheet(book):
    from macros.openpyxl_port import OpenpyxlWorkbook
    from macros.ribbon import run

    port = OpenpyxlWorkbook(book)
    run("tz_settings", port)
    sheet = port.book["台账设置"]
    row = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == "统计期间")
    sheet.cell(row, 2).value = "2026年第三季度"
    sheet["B3"] = datetime(2026, 12, 31)
    port.save()
    port.reload()
    assert run("tz_summary", port).startswith("已生成“汇总表”（2026年第三季度）")
    port.save()
    ws = openpyxl.load_workbook(book)["汇总表"]
    heads = {ws.cell(r, c).value for r in range(1, ws.max_row + 1) for c in (2, 3)}
    assert {"本季度", "累计（2026年1—9月）"} <= heads and "本月" not in heads


def test_a_bad_period_on_the_settings_sheet_names_the_sheet(tmp_path, capsys):
    book = _unit_book(tmp_path / "县一中.xlsx")
    wb = openpyxl.load_workbook(book)
    settings = wb.create_sheet("台账设置")
    for row in (["设置项", "值"], ["统计期间", "2026年第五季度"]):
        settings.append(row)
    wb.save(book)
    code, data, err = _summary(capsys, str(book))
    assert code == 2 and "“台账设置”中的统计期间" in err and "期间应写作" in err
    settings["B2"] = "2026H1"
    wb.save(book)
    code, data, _ = _summary(capsys, str(book))
    assert data["period"] == "2026H1" and data["period_source"] == "given"
    code, data, _ = _summary(capsys, str(book), "--period", "2026-07")  # the argument over the sheet
    assert data["period"] == "2026-07"



@pytest.mark.slow
def test_the_local_service_takes_a_quarter_and_refuses_one_to_consolidate(tmp_path):
    from servehelp import cli_json, start_service

    service = start_service(tmp_path)
    try:
        book = _unit_book(service.allowed / "县一中.xlsx")
        code, expected = cli_json(service.env, "summary", str(book), "--period", "2026Q3", "--as-of", AS_OF)
        status, _, body = service.post("summary", {"paths": [str(book)], "period": "2026年第三季度", "as_of": AS_OF})
        assert status == 200 and body == expected and body["period"] == "2026Q3"
        status, _, body = service.post("summary", {"paths": [str(book)], "period": "2026Q5"})
        assert status == 422 and "期间应写作" in body["error"] and "2026年上半年" in body["error"]
        master = service.allowed / "局主表.xlsx"
        status, _, body = service.post("consolidate", {"folder": str(book.parent), "period": "2026Q3",
                                                       "master": str(master)})
        assert status == 422 and "这里需要一个月份" in body["error"] and not master.exists()
    finally:
        service.stop()


@pytest.mark.parametrize("cell, key", [(datetime(2026, 10, 1), "2026-10"), (2026.0, "2026"), (202610.0, "2026-10"),
                                       ("２０２６年第３季度", "2026Q3"), (" 2026h1 ", "2026H1")])
def test_the_settings_sheet_period_as_excel_hands_it_over(cell, key):
    """Excel makes ``2026-10`` typed in a cell a date, and ``2026`` a number."""
    from taizhang.config import default_config
    from taizhang.figures.settings import choose_period, resolve

    settings = resolve(default_config(), sheet=[["设置项", "值"], ["统计期间", cell]])
    period, source, note = choose_period(None, settings)
    assert (period.key, source, note, settings.sources["period"]) == (key, "given", None, "台账设置")
