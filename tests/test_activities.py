"""The activity ledger (工作开展台账): found by sheet name or header, categories and headers by
synonym, blank 次数 = 1, 合计 rows never counted, cell-level findings, and its figures in
`summary --json`, on the 汇总表 (block and chart), in the paragraph, in the master and in
=ACTIVITY_COUNT — on workbooks written here and read back."""

from __future__ import annotations

import json
from datetime import date, datetime

import openpyxl

from fixtures import write_xlsx
from taizhang.cli import main
from taizhang.config import default_config
from taizhang.consolidation.run import consolidate
from taizhang.usecases.files import check_file
from udfs import functions as udf

AS_OF = date(2026, 10, 31)

# a unit's own spelling of the headers, under a title and a 填报单位 line
ACTIVITIES = [
    ["县第一中学2026年工作开展台账"],
    ["填报单位：县第一中学"],
    ["编号", "开展日期", "类型", "主题", "场次", "参加人数", "篇数", "量词", "开展单位"],
    [1, "2026-10-09", "集中学习", "学习《条例》", 2, 80, 10, "篇", "党支部"],
    [2, "2026/10/16", "专题学习", "学习研讨", None, 70, 2, "篇", "党支部"],     # blank 次数 counts 1
    [3, "2026年10月20日", "观看警示教育片", "《零容忍》", 1, 120, None, None, "工会"],
    [4, "2026-10-22", "任前廉政谈话", "新任中层", 1, 6, None, None, "纪检组"],
    [5, "2026-10-25", "明察暗访", "有偿补课", 3, None, 4, "个", "纪检组"],
    [6, "2026-10-28", "专栏信息", "工作动态", 5, None, 5, "条", "办公室"],
    [7, "2026-09-12", "集中学习", "九月学习", 1, 60, 3, "篇", "党支部"],        # September: 累计 only
    ["合计", None, None, None, 13, 336, 24, None, None],                       # right: SUM() adds the cells written
]


def _book(tmp_path, rows=ACTIVITIES, name="工作开展台账"):
    return write_xlsx(tmp_path / "县一中.xlsx", {name: rows})


def _summary(tmp_path, capsys, path, *extra):
    code = main(["summary", str(path), "--period", "2026-10", "--as-of", "2026-10-31", "--json", *extra])
    return code, json.loads(capsys.readouterr().out)


def test_found_by_sheet_name_and_header_with_synonyms_and_the_total_row_verified(tmp_path):
    report = check_file(_book(tmp_path), as_of=AS_OF)
    [ledger] = report.ledgers
    assert (ledger.kind.value, ledger.header_row, ledger.reporting_unit) == ("activities", 3, "县第一中学")
    assert len(ledger.rows) == 7  # the 合计 row is a claim, never a row
    assert report.findings == []
    assert [r.category for r in ledger.rows] == ["专题学习", "专题学习", "警示教育片", "廉政谈话", "监督检查",
                                                 "宣传信息", "专题学习"]
    # found by its header alone under another sheet name
    other = check_file(_book(tmp_path, name="Sheet1"), as_of=AS_OF)
    assert [lg.kind.value for lg in other.ledgers] == ["activities"]


def test_cell_level_findings_in_chinese(tmp_path):
    rows = [row[:] for row in ACTIVITIES[:9]]
    rows[3][2] = "读书会"          # unknown category (C4)
    rows[4][4] = 1.5               # fractional 次数 (E5)
    rows[5][5] = -3                # negative 参与人次 (F6)
    rows[6][1] = "2025-12-20"      # last year (B7)
    rows[8][7] = "期"              # the first 宣传信息 row (H9) now counts in 期 …
    rows.append([8, "2026-10-29", "工作动态", "再发", 1, None, 2, "篇", "办公室"])  # … and this one in 篇 (H10)
    rows.append(["合计", None, None, None, 99, None, None, None, None])              # wrong (E11)
    report = check_file(_book(tmp_path, rows), as_of=AS_OF)
    found = {(f.code, f.cell) for f in report.findings}
    assert found == {("unknown-value", "C4"), ("invalid-number", "E5"), ("invalid-number", "F6"),
                     ("date-outside-year", "B7"), ("mixed-unit", "H10"), ("total-mismatch", "E11")}
    messages = {f.code: f.message for f in report.findings}
    assert "不是规定的活动类别" in messages["unknown-value"] and "专题学习" in messages["unknown-value"]
    assert "不是整数" in messages["invalid-number"] or "负数" in messages["invalid-number"]
    assert "不在本年度（2026年）内" in messages["date-outside-year"]
    assert "写的是 99" in messages["total-mismatch"]


def test_summary_json_figures_per_category_month_and_year_to_date(tmp_path, capsys):
    code, data = _summary(tmp_path, capsys, _book(tmp_path))
    assert code == 0
    a = data["activities"]
    assert a["by_category"] == {
        "专题学习": {"count": 3, "person_times": 150, "quantity": 12, "unit": "篇"},
        "警示教育片": {"count": 1, "person_times": 120, "quantity": 0, "unit": None},
        "廉政谈话": {"count": 1, "person_times": 6, "quantity": 0, "unit": None},
        "宣传信息": {"count": 5, "person_times": 0, "quantity": 5, "unit": "条"},
        "监督检查": {"count": 3, "person_times": 0, "quantity": 4, "unit": "个"},
    }
    assert (a["rows"], a["undated"], a["unknown_category"]) == (6, 0, 0)
    assert a["by_group"]["学习教育"] == {"count": 3, "person_times": 150}
    y = data["year_to_date"]["activities"]
    assert y["by_category"]["专题学习"] == {"count": 4, "person_times": 210, "quantity": 15, "unit": "篇"}
    assert y["rows"] == 7
    text = data["narrative"]
    assert "学习教育方面，组织专题学习3次，参与学习的干部职工达150人次，撰写学习心得12篇。" in text
    assert "组织观看警示教育片1场，观看120人次" in text and "开展廉政谈话1次，谈话6人次" in text
    assert "开展监督检查3次，发现并纠正问题4个" in text


def test_block_and_chart_on_the_summary_sheet(tmp_path, capsys):
    out = tmp_path / "汇总.xlsx"
    _summary(tmp_path, capsys, _book(tmp_path), "-o", str(out))
    ws = openpyxl.load_workbook(out)["汇总表"]
    labels = {}
    for r in range(1, ws.max_row + 1):
        if ws.cell(r, 1).value is not None:
            labels.setdefault(str(ws.cell(r, 1).value).strip("　"), r)
    assert "五、工作开展" in labels

    def at(label, after):
        row = next(r for r in range(labels[after], ws.max_row + 1)
                   if str(ws.cell(r, 1).value).strip("　") == label)
        return ws.cell(row, 2).value, ws.cell(row, 3).value

    assert at("开展工作总次数", "五、工作开展") == (13, 14)
    assert at("专题学习", "按类别（次数）：") == (3, 4)
    assert at("专题学习", "按类别（参与人次）：") == (150, 210)
    assert at("专题学习（篇）", "按类别（成果数量）：") == (12, 15)
    charts = {c.title.tx.rich.p[0].r[0].t: c for c in ws._charts}
    chart = charts["工作开展次数（次）"]
    start = labels["按类别（次数）："] + 1
    assert chart.series[0].val.numRef.f == f"'汇总表'!$B${start}:$B${start + 4}"


def test_master_gets_an_activity_detail_sheet(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_xlsx(inbox / "县一中.xlsx", {"工作开展台账": ACTIVITIES})
    roster = write_xlsx(tmp_path / "名册.xlsx", {"单位名册": [["单位", "别名"], ["县第一中学", "一中"]]})
    master = tmp_path / "局主表.xlsx"
    result = consolidate(inbox, "2026-10", master, config=default_config(), roster_path=roster, jobs=1)
    assert (result.rows_read, result.rows_written, result.rows_rejected) == (7, 7, 0)
    ws = openpyxl.load_workbook(master)["工作开展合并"]
    header = [c.value for c in ws[1]]
    assert header[:5] == ["单位", "月份", "来源文件", "原工作表", "原行号"]
    assert {"活动类别", "次数", "参与人次", "成果数量", "计量单位"} <= set(header)
    rows = [dict(zip(header, (c.value for c in r))) for r in ws.iter_rows(min_row=2)]
    assert sorted((r["月份"], r["活动类别"]) for r in rows)[0] == ("2026-09", "专题学习")
    assert result.summary["activities"]["by_category"]["专题学习"]["count"] == 3
    assert result.summary["year_to_date"]["activities"]["by_category"]["专题学习"]["count"] == 4


def test_activity_count_worksheet_function_agrees_with_summary(tmp_path, capsys):
    _code, data = _summary(tmp_path, capsys, _book(tmp_path))
    table = [[None if v is None else (float(v) if isinstance(v, int) else v) for v in row]
             for row in ACTIVITIES[2:]]
    table = [[datetime.fromisoformat(v) if i == 1 and isinstance(v, str) and v[:4].isdigit() and "-" in v
              else v for i, v in enumerate(row)] for row in table]
    a = data["activities"]["by_category"]
    assert udf.ACTIVITY_COUNT(table, "专题学习", None, "2026-10") == a["专题学习"]["count"] == 3
    assert udf.ACTIVITY_COUNT(table, "集中学习", "人次", "2026-10") == 150
    assert udf.ACTIVITY_COUNT(table, "专题学习", "数量") == 15          # all periods
    assert udf.ACTIVITY_COUNT(table, "学习教育", "次数", "2026-10") == 3  # a group
    assert udf.ACTIVITY_COUNT(table) == 14
    assert udf.ACTIVITY_COUNT(table, "读书会").startswith("#错误：“读书会”不是规定的活动类别")
    assert udf.ACTIVITY_COUNT(table, "专题学习", "金额").startswith("#错误：“金额”不是统计口径")
