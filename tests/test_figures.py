"""Figures on workbooks built here: exact counts and money, every vocabulary by synonym."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from fixtures import AS_OF, write_xlsx
from taizhang.figures import Period, PeriodError, compute, report_json, rows_by_kind
from taizhang.usecases.files import check_file


def report_for(tmp_path, sheets, period="2026-10", config=None):
    path = write_xlsx(tmp_path / "unit.xlsx", sheets)
    checked = check_file(path, as_of=AS_OF, config=config)
    from taizhang.config import default_config

    return compute(rows_by_kind(checked.ledgers), Period.parse(period), AS_OF, config or default_config()), checked


COMPLAINTS = [
    ["信访编号", "受理日期", "交办来源", "渠道", "反映问题类型", "处置方式", "办理状态", "核查结论", "人次"],
    ["1", "2026-10-01", "省纪委转办", "信件", "乱收费", "初核", "已办结", "查实", None],
    ["2", "2026/10/02", "省厅转办", "走访", "有偿家教", "函询", "办理中", "部分查实", 5],
    ["3", "2026.10.3", "市局转办", "电话", "乱招生", "暂存", "结案", "失实", None],
    ["4", "2026年10月4日", "市转", "网上举报", "师德", "了结", "已结", None, None],
    ["5", 20261005, "直接受理", "上访", "违规宴请", "立案审查", "在查", None, None],
    ["6", "2026-10-06", "本级受理", "领导批示", "教辅", "核实", "办结", "基本属实", None],
    ["7", "2026-10-07", "区转办", "短信", "基建", None, "在办", None, None],        # unknown source
    ["8", "2026-09-20", "自办", "来访", "其它", None, "办结", "不属实", 2],           # September
    ["合计", None, None, None, None, None, None, None, 7],
]


def test_complaint_figures_count_every_synonym_once(tmp_path):
    report, checked = report_for(tmp_path, {"信访举报台账": COMPLAINTS})
    # 区转办, and no 办结日期 column although some are 办结; the 合计 row (7 人次) is right
    assert sorted((f.code, f.column) for f in checked.findings) == [("missing-column", "办结日期"),
                                                                   ("unknown-value", "来源")]
    c = report.current.complaints
    assert c.total == 7
    assert c.by_source == {"省转办": 2, "市转办": 2, "自办": 2}
    assert c.unknown_source == 1 and sum(c.by_source.values()) + c.unknown_source == c.total
    assert c.by_channel == {"来信": 1, "来访": 2, "来电": 1, "网络": 1, "短信": 1, "领导批转": 1}
    assert c.by_category == {"违规收费": 1, "有偿补课": 1, "违规招生": 1, "师德师风": 1, "违规吃喝": 1,
                             "教辅征订": 1, "工程建设": 1}
    assert c.by_disposal == {"谈话函询": 1, "初步核实": 2, "暂存待查": 1, "予以了结": 1, "立案": 1}
    assert (c.closed, c.in_progress, c.substantiated) == (4, 3, 3)
    assert (c.visits, c.person_times) == (2, 6)  # a group of 5, and one visit with no 人次 counts 1
    ytd = report.year_to_date.complaints
    assert ytd.total == 8 and ytd.by_source["自办"] == 3 and ytd.person_times == 8


REFUNDS = [
    ["学校", "收费项目", "查实日期", "学生数", "查实金额", "应退", "实退金额", "上缴国库"],
    ["一中", "补课费", "2026-10-08", 10, "45,000.00", "4.5万元", "肆万伍仟元整", "0"],
    ["一中", "资料费", "2026-10-09", "１２", 1000.10, 900.10, "800.05元", 100],
    ["二中", "择校", "2026-10-10", "3人", "0.3万", 2000, 2000, 1000],
    ["小计", None, None, 25, None, 47900.10, 47800.05, None],
    ["二中", "代收费", "2026-08-10", 1, 99.99, 99.99, 99.99, 0],
]


def test_refund_figures_are_exact_to_the_fen(tmp_path):
    report, checked = report_for(tmp_path, {"退费台账": REFUNDS})
    assert checked.findings == []
    r = report.current.refunds
    assert (r.cases, r.students) == (3, 25)
    assert (r.due, r.refunded, r.outstanding, r.to_treasury) == (
        Decimal("47900.10"), Decimal("47800.05"), Decimal("100.05"), Decimal("1100"))
    assert r.by_school["一中"].refunded == Decimal("45800.05")
    assert list(r.by_item) == ["有偿补课", "教辅材料", "择校费"]
    data = report_json(report)
    assert data["refunds"]["refunded"] == "47800.05" and data["refunds"]["to_treasury"] == "1100.00"
    assert data["year_to_date"]["refunds"]["due"] == "48000.09"
    assert data["refunds"]["by_school"]["二中"] == {"cases": 1, "students": 3, "due": "2000.00",
                                                   "refunded": "2000.00", "outstanding": "0.00",
                                                   "to_treasury": "1000.00"}


SANCTIONS = [
    ["被处理人", "所在单位", "违纪类型", "类别", "处理结果", "决定日期"],
    ["张某", "一中", "乱收费", "党纪处分", "党内警告", "2026-10-08"],
    ["张某", "一中", "乱收费", None, "诫勉谈话", "2026-10-09"],          # one person, two measures
    ["李某", "二中", "乱收费", "政务处分", "警告", "2026-10-10"],
    ["王某", "二中", "乱招生", None, "诫勉", "2026-10-11"],
    ["赵某", "三中", "其它", None, "开除党籍", "2026-10-12"],
    ["钱某", "三中", "违规吃喝", None, "移送司法机关", "2026-10-13"],
    ["孙某", "四中", "有偿补课", None, "免职", "2026-10-14"],
]


def test_sanction_figures_persons_and_person_times(tmp_path):
    report, checked = report_for(tmp_path, {"处分台账": SANCTIONS})
    assert checked.findings == []
    s = report.current.sanctions
    assert (s.persons, s.person_times) == (6, 7)
    assert s.by_measure == {"诫勉": 2, "警告": 2, "免职": 1, "开除党籍": 1, "移送司法机关": 1}
    assert s.by_cause == {"违规招生": {"诫勉": 1}, "违规收费": {"诫勉": 1, "警告": 2},
                          "有偿补课": {"免职": 1}, "违规吃喝": {"移送司法机关": 1}, "其他": {"开除党籍": 1}}
    assert s.by_category == {"党纪处分": 2, "政务处分": 1, "组织处理": 1, "问责/其他措施": 3}
    assert s.by_form == {"第一种形态": 2, "第二种形态": 3, "第三种形态": 1, "第四种形态": 1}
    assert "因违规收费给予诫勉1人、警告处分2人" in report.narrative


def test_form_mapping_is_configuration(tmp_path):
    office = tmp_path / "office.toml"
    office.write_text('[forms]\n"第二种形态" = ["诫勉", "警告", "免职"]\n', encoding="utf-8")
    from taizhang.config import load_config

    report, _ = report_for(tmp_path, {"处分台账": SANCTIONS}, config=load_config(office))
    assert report.current.sanctions.by_form["第二种形态"] == 5


RECT = [
    ["问题来源", "发现日期", "问题描述", "责任单位", "整改时限", "整改状态", "完成时间"],
    ["巡察", "2026-10-01", "甲", "一中", "2026-10-20", "未整改", None],        # overdue
    ["审计", "2026-10-02", "乙", "一中", "2026-12-31", "正在整改", None],
    ["督查", "2026-10-03", "丙", "二中", "2026-10-10", "已整改", "2026-10-15"],  # late
    ["自查", "2026-10-04", "丁", "二中", "立行立改", "销号", "2026-10-05"],
    ["自查", None, "戊", "二中", None, "完成", "2026-06-01"],                    # undated
]


def test_rectification_figures_and_periods(tmp_path):
    report, _ = report_for(tmp_path, {"整改台账": RECT})
    t = report.current.rectification
    assert (t.total, t.not_started, t.in_progress, t.completed, t.closed) == (4, 1, 1, 1, 1)
    assert (t.overdue, t.completed_late, t.completion_rate, t.undated) == (1, 1, 0.5, 1)
    # 累计 is the tracker as it stands at the month's end: the undated item is on it
    y = report.year_to_date.rectification
    assert (y.total, y.completed, y.undated) == (5, 2, 0)
    everything, _ = report_for(tmp_path, {"整改台账": RECT}, period="all")
    assert everything.current.rectification.total == 5 and everything.year_to_date is None
    assert everything.current.rectification.undated == 0


@pytest.mark.parametrize("text, key, label", [
    ("2026-10", "2026-10", "2026年10月"), ("2026年3月", "2026-03", "2026年3月"),
    ("2026", "2026", "2026年"), ("all", "all", "全部"), (None, "all", "全部"),
    ("2026/10", "2026-10", "2026年10月"), ("202610", "2026-10", "2026年10月"), ("202603", "2026-03", "2026年3月"),
    ("2026.10", "2026-10", "2026年10月"), ("2026年10月份", "2026-10", "2026年10月"), (" 2026 / 10 ", "2026-10", "2026年10月"),
    ("２０２６－１０", "2026-10", "2026年10月"), ("2026年", "2026", "2026年"), ("ALL", "all", "全部"), ("全部", "all", "全部"),
])
def test_periods(text, key, label):
    p = Period.parse(text)
    assert (p.key, p.label) == (key, label)


@pytest.mark.parametrize("text", ["2026-13", "10月", "26-10", "2026-1-1", "202613", "202600", "20261", "2026100",
                                  "2026-00", "1899-10", "十月"])
def test_bad_periods(text):
    with pytest.raises(PeriodError):
        Period.parse(text)


def test_year_to_date_contains_january_to_the_month():
    ytd = Period.parse("2026-10").year_to_date()
    assert ytd.contains(date(2026, 1, 1)) and ytd.contains(date(2026, 10, 31))
    assert not ytd.contains(date(2026, 11, 1)) and not ytd.contains(date(2025, 12, 31))


# --- more exact figures: dates that place a row, undated rows, categories, causes ---------

def test_undated_rows_are_counted_out_of_a_month_and_in_everything(tmp_path):
    sheets = {
        "信访举报台账": [["收件日期", "来源", "方式"], ["2026-10-02", "自收", "来信"], [None, "省转", "来信"]],
        "处分台账": [["姓名", "单位", "问题类型", "处理方式", "处理日期"],
                    ["甲", "一中", "乱收费", "诫勉", "2026-10-09"], ["乙", "一中", "乱收费", "诫勉", None]],
        "退费台账": [["学校", "查实日期", "应退金额", "已退金额", "退费日期"],
                    ["一中", None, 10, 10, "2026-10-20"],      # placed by its 退费日期
                    ["一中", None, 5, 5, None],                # no date at all
                    ["一中", "2026-09-30", 1, 1, "2026-10-02"]],  # 查实日期 wins: September
    }
    report, _ = report_for(tmp_path, sheets)
    c, s, r = report.current.complaints, report.current.sanctions, report.current.refunds
    assert (c.total, c.undated, c.by_source) == (1, 1, {"省转办": 0, "市转办": 0, "自办": 1})
    assert (s.persons, s.undated) == (1, 1)
    assert (r.cases, r.refunded, r.undated) == (1, Decimal(10), 1)
    assert report.year_to_date.refunds.cases == 2 and report.year_to_date.refunds.undated == 1
    everything, _ = report_for(tmp_path, sheets, period="all")
    e = everything.current
    assert (e.complaints.total, e.sanctions.persons, e.refunds.cases) == (2, 2, 3)
    assert (e.complaints.undated, e.sanctions.undated, e.refunds.undated) == (0, 0, 0)
    assert report_json(everything)["period"] == "all" and "year_to_date" not in report_json(everything)


def test_a_year_period_has_no_year_to_date(tmp_path):
    report, _ = report_for(tmp_path, {"退费台账": REFUNDS}, period="2026")
    assert report.year_to_date is None and report.current.refunds.cases == 4
    assert report.narrative.startswith("2026年，查实违规教育乱收费4件，共计退费47,900.04元")


def test_refunds_in_wanyuan_columns_and_what_is_outstanding(tmp_path):
    rows = [
        ["学校", "违规项目", "日期", "人数", "应退金额（万元）", "已退金额（万元）", "上缴金额"],
        ["城关小学", "代办费", "2026-10-01", 30, 1.2345, "1.2万", 0],   # 12,345.00 due, 12,000.00 paid
        ["城关小学", "其它", "2026-10-02", None, 0.5, None, None],        # nothing refunded yet
        ["实验小学", "服务性收费项目", "2026-10-03", 4, None, 0.01, 0],   # 应退 unknown: no outstanding
        ["总计", None, None, 34, 1.7345, 1.21, 0],
    ]
    report, checked = report_for(tmp_path, {"退费": rows})
    # 已退 and 应退 are required: the two rows are errors of the ledger, and still counted
    assert [(f.code, f.cell) for f in checked.findings] == [("missing-value", "F3"), ("missing-value", "E4")]
    r = report.current.refunds
    assert (r.cases, r.students) == (3, 34)
    assert (r.due, r.refunded, r.outstanding) == (Decimal("17345"), Decimal("12100"), Decimal("5345"))
    assert list(r.by_item) == ["服务性收费", "代收费", "其他"]
    assert r.by_school["城关小学"].outstanding == Decimal("5345")
    assert report_json(report)["refunds"]["outstanding"] == "5345.00"


def test_categories_are_always_the_four_and_unclassified_only_when_needed(tmp_path):
    only_first_form = [["姓名", "单位", "问题类型", "处理方式", "处理日期"], ["甲", "一中", "乱收费", "诫勉", "2026-10-09"]]
    report, _ = report_for(tmp_path, {"处分台账": only_first_form})
    assert report.current.sanctions.by_category == {"党纪处分": 0, "政务处分": 0, "组织处理": 0, "问责/其他措施": 1}
    unclear = [["姓名", "单位", "问题类型", "处理方式", "处理日期"], ["乙", "二中", "乱招生", "警告", "2026-10-09"]]
    report, checked = report_for(tmp_path, {"处分台账": unclear})
    assert [f.code for f in checked.findings] == ["category-unclear"]
    assert report.current.sanctions.by_category == {"党纪处分": 0, "政务处分": 0, "组织处理": 0,
                                                    "问责/其他措施": 0, "未分类": 1}


def test_same_name_in_two_units_is_two_people_and_a_missing_cause_is_reported(tmp_path):
    rows = [
        ["姓名", "单位", "问题类型", "处理方式", "处理日期"],
        ["王某", "一中", "乱收费", "诫勉", "2026-10-09"],
        ["王某", "二中", "乱收费", "诫勉", "2026-10-10"],
        ["王某", "二中", None, "通报", "2026-10-11"],
    ]
    report, _ = report_for(tmp_path, {"处分台账": rows})
    s = report.current.sanctions
    assert (s.persons, s.person_times, s.unknown_cause) == (2, 3, 1)
    assert s.by_measure == {"诫勉": 2, "通报批评": 1} and s.by_cause == {"违规收费": {"诫勉": 2}}
    assert report.narrative.endswith("因违规收费给予诫勉2人；另有1人问题类型未填写或无法识别。")


def test_rectification_sources_and_units_by_synonym(tmp_path):
    report, _ = report_for(tmp_path, {"整改台账": RECT}, period="all")
    t = report.current.rectification
    assert t.by_source == {"巡察反馈": 1, "督查": 1, "审计": 1, "自查": 2}
    assert t.by_unit == {"一中": 2, "二中": 3}
    assert t.completion_rate == 0.6 and report_json(report)["rectification"]["completion_rate"] == 0.6


def test_json_counts_are_integers_and_money_is_a_string_to_the_fen(tmp_path):
    report, _ = report_for(tmp_path, {"退费台账": REFUNDS, "信访举报台账": COMPLAINTS, "处分台账": SANCTIONS})
    data = report_json(report)
    assert list(data["complaints"]["by_source"]) == ["省转办", "市转办", "自办"]
    for block in ("complaints", "sanctions", "rectification", "refunds"):
        for key, value in data[block].items():
            if key in ("due", "refunded", "outstanding", "to_treasury"):
                assert isinstance(value, str) and value.count(".") == 1 and len(value.split(".")[1]) == 2
            elif key in ("total", "persons", "person_times", "cases", "students", "closed", "undated"):
                assert type(value) is int
    assert data["year_to_date"]["sanctions"]["by_cause"] == data["sanctions"]["by_cause"]
    assert all(type(n) is int for m in data["sanctions"]["by_cause"].values() for n in m.values())


def test_narrative_has_a_sentence_only_for_blocks_with_data(tmp_path):
    report, _ = report_for(tmp_path, {"信访举报台账": COMPLAINTS[:3]})
    assert report.narrative == (  # 处置方式 filled in: the ways of disposal, adding up to the total
        "2026年10月，共受理信访举报2件，其中省转办件2件，已办结1件，查实2件；按处置方式，谈话函询1件、初步核实1件。"
        "截至10月底，全年累计共受理信访举报2件，其中省转办件2件，已办结1件，查实2件；按处置方式，谈话函询1件、初步核实1件。")
    september, _ = report_for(tmp_path, {"信访举报台账": COMPLAINTS[:1] + COMPLAINTS[8:9]})
    assert september.narrative == "2026年10月，无相关事项。截至10月底，全年累计共受理信访举报1件，其中自办件1件，已办结1件。"
    nothing, _ = report_for(tmp_path, {"信访举报台账": COMPLAINTS[:1] + COMPLAINTS[9:]})
    assert nothing.narrative == "2026年10月，无相关事项。"


def test_money_in_the_narrative_is_exact():
    from taizhang.figures.narrative import yuan

    assert (yuan(Decimal("52340")), yuan(Decimal("52340.5")), yuan(Decimal("0.005"))) == ("52,340", "52,340.50", "0.01")


def test_an_unknown_rectification_status_is_counted_so_states_add_up(tmp_path):
    rows = RECT[:3] + [["自查", "2026-10-05", "己", "二中", "2026-10-30", "搁置", None]]
    report, checked = report_for(tmp_path, {"整改台账": rows})
    assert ("unknown-value", "整改状态") in [(f.code, f.column) for f in checked.findings]
    t = report.current.rectification
    assert (t.total, t.not_started, t.in_progress, t.unknown_status) == (3, 1, 1, 1)
    assert t.not_started + t.in_progress + t.completed + t.closed + t.unknown_status == t.total
