"""The report paragraph says what the tables say: generated from the same figures objects,
in the words of the block lines, and each breakdown it states adds up to the total it states -
on random ledgers (hypothesis), not only on the samples."""

from __future__ import annotations

import re
from datetime import date, timedelta

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from taizhang.config import Kind, default_config
from taizhang.figures import Period, compute, rows_by_kind
from taizhang.ranges import load_sheets, sheet_from_values
from taizhang.summary import write_summary

CONFIG = default_config()
AS_OF = date(2026, 10, 31)
days = st.dates(date(2026, 1, 1), date(2026, 10, 31))

complaint = st.tuples(days, st.sampled_from(["省转办", "市转办", "自办", "区转办", None]),
                      st.sampled_from(["谈话函询", "初步核实", "暂存待查", "予以了结", None]),
                      st.sampled_from(["在办", "办结"]))
rectification = st.tuples(days, st.sampled_from(["未启动", "整改中", "已完成", "已销号", "搁置", None]))
sanction = st.tuples(days, st.sampled_from(["张", "李", "王", "赵"]),
                     st.sampled_from(["违规收费", "其他", "违规招生", None]), st.sampled_from(["警告", "诫勉", "记过"]))


def _report(complaints, items, sanctions, disposal_column=True):
    c_head = ["编号", "收件日期", "来源", *(["处置方式"] if disposal_column else []), "办理状态", "办结日期"]
    c_rows = [[i + 1, d, s, *([w] if disposal_column else []), status, d + timedelta(days=1) if status == "办结" else None]
              for i, (d, s, w, status) in enumerate(complaints)]
    r_rows = [["自查", d, f"问题{i}", "一中", date(2026, 12, 31), s, d if s in ("已完成", "已销号") else None]
              for i, (d, s) in enumerate(items)]
    s_rows = [[name, cause, measure, d] for d, name, cause, measure in sanctions]
    sheets = [sheet_from_values("信访举报台账", [c_head, *c_rows]),
              sheet_from_values("整改台账", [["问题来源", "发现日期", "问题描述", "责任单位", "整改时限", "整改状态", "完成时间"],
                                            *r_rows]),
              sheet_from_values("处分台账", [["姓名", "问题类型", "处理方式", "处理日期"], *s_rows])]
    loaded = load_sheets(sheets, CONFIG, __import__("pathlib").Path("random.xlsx"))
    return compute(rows_by_kind(loaded.ledgers), Period.parse("2026-10"), AS_OF, CONFIG)


def _parts(paragraph: str) -> list[str]:
    """The month's part and the year to date's part of the paragraph."""
    return paragraph.split("截至10月底，全年累计")


def _check(part: str, fig) -> None:
    # 信访举报: the sources, with 来源不明, add up to the total; so do the ways of disposal
    c = fig.complaints
    m = re.search(r"共受理信访举报(\d+)件([^。]*)。", part)
    if c.total:
        total, rest = int(m.group(1)), m.group(2)
        assert total == c.total
        head = rest.split("，已办结")[0]
        stated = sum(int(n) for n in re.findall(r"(?:省转办件|市转办件|自办件|来源不明)(\d+)件", head))
        assert stated == total, part
        if "按处置方式" in rest:
            ways = rest.split("按处置方式，")[1]
            named = re.findall(r"(谈话函询|初步核实|暂存待查|予以了结|未填写处置方式)(\d+)件", ways)
            assert sum(int(n) for _w, n in named) == total, part
            assert {w: int(n) for w, n in named if w != "未填写处置方式"} == {k: v for k, v in c.by_disposal.items() if v}
        else:
            assert not c.by_disposal
    else:
        assert m is None
    # 整改: the statuses in the table's words add up to the total
    t = fig.rectification
    m = re.search(r"整改问题(\d+)个(?:，其中([^；，。]*))?", part)
    if t.total:
        states = dict(re.findall(r"(已完成|已销号|整改中|未启动|状态不明)(\d+)个", m.group(2) or ""))
        assert int(m.group(1)) == t.total == sum(int(n) for n in states.values()), part
        assert {k: int(v) for k, v in states.items()} == {k: v for k, v in (
            ("已完成", t.completed), ("已销号", t.closed), ("整改中", t.in_progress), ("未启动", t.not_started),
            ("状态不明", t.unknown_status)) if v}
        assert "正在整改" not in part
    # 处分: 因其他问题, never 因其他给予
    assert "因其他给予" not in part
    if "其他" in fig.sanctions.by_cause:
        assert "因其他问题给予" in part


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(complaint, max_size=25), st.lists(rectification, max_size=25), st.lists(sanction, max_size=10),
       st.booleans())
def test_each_breakdown_in_the_paragraph_adds_up_to_its_total(complaints, items, sanctions, disposal_column):
    report = _report(complaints, items, sanctions, disposal_column)
    month, *ytd = _parts(report.narrative)
    _check(month, report.current)
    if ytd:
        _check(ytd[0], report.year_to_date)


def test_the_sample_month_reads_like_its_table():
    report = _report([(date(2026, 10, 2), "省转办", "初步核实", "办结"), (date(2026, 10, 3), None, None, "在办")],
                     [(date(2026, 10, 1), "已完成"), (date(2026, 10, 2), "整改中"), (date(2026, 10, 3), "未启动"),
                      (date(2026, 10, 4), "搁置")],
                     [(date(2026, 10, 5), "张", "其他", "诫勉")])
    month = _parts(report.narrative)[0]
    assert "整改问题4个，其中已完成1个、整改中1个、未启动1个、状态不明1个" in month
    assert "来源不明1件" in month and "按处置方式，初步核实1件、未填写处置方式1件" in month
    assert "因其他问题给予诫勉1人" in month


def test_disposals_have_their_lines_on_the_sheet_adding_up(tmp_path):
    report = _report([(date(2026, 10, 2), "省转办", "初步核实", "办结"), (date(2026, 10, 3), "自办", "谈话函询", "在办"),
                      (date(2026, 10, 4), "自办", None, "在办")], [], [])
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    write_summary(wb, report, bureau="县教育局")
    path = tmp_path / "s.xlsx"
    wb.save(path)
    ws = openpyxl.load_workbook(path)["汇总表"]
    lines = {str(r[0]).strip("　"): r[1:3] for r in ws.iter_rows(min_col=1, max_col=3, values_only=True) if r[0]}
    assert lines["按处置方式："] == (None, None)
    assert lines["初步核实"] == (1, 1) and lines["谈话函询"] == (1, 1) and lines["未填写处置方式"] == (1, 1)
    assert lines["处置方式小计（应等于总数）"] == lines["受理信访举报总数"] == (3, 3)


def test_the_detail_sheet_traces_every_figure_month_and_year_to_date(tmp_path):
    """明细 lists the rows behind 本月 and behind 累计: per block, the rows counted in a column
    are as many as the figure they make up."""
    from pathlib import Path

    from taizhang.usecases.files import check_file

    samples = Path(__file__).resolve().parent.parent / "workbooks" / "samples" / "2026-10"
    reports = [check_file(p, as_of=AS_OF) for p in sorted(samples.iterdir()) if not p.name.startswith((".", "~$"))]
    report = compute(rows_by_kind(lg for r in reports for lg in r.ledgers if not lg.hidden),
                     Period.parse("2026-10"), AS_OF, CONFIG)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    write_summary(wb, report, bureau="县教育局")
    wb.save(tmp_path / "s.xlsx")
    rows = list(openpyxl.load_workbook(tmp_path / "s.xlsx")["明细"].iter_rows(values_only=True))
    assert rows[0][:2] == ("板块", "计入")
    for label, figure in (("信访举报", lambda f: f.complaints.total), ("退费", lambda f: f.refunds.cases),
                          ("处分", lambda f: f.sanctions.person_times), ("整改", lambda f: f.rectification.total)):
        month = sum(r[0] == label and r[1] == "本月、累计" for r in rows[1:])
        ytd = sum(r[0] == label and r[1] in ("本月、累计", "累计") for r in rows[1:])
        assert (month, ytd) == (figure(report.current), figure(report.year_to_date)), label
        assert ytd > month or label == "整改"  # the sample has earlier months
    # a year (no 累计 column): every row counts in the one period
    year = compute(rows_by_kind(lg for r in reports for lg in r.ledgers if not lg.hidden), Period.parse("2026"),
                   AS_OF, CONFIG)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    write_summary(wb, year, bureau="县教育局")
    assert {r[1] for r in list(wb["明细"].iter_rows(values_only=True))[1:]} == {"本期"}
