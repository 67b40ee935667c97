"""`taizhang check` on workbooks built here: every defect gives its exact finding (code, cell)."""

from __future__ import annotations

import re

from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest

from fixtures import AS_OF, write_ods, write_xls, write_xlsx
from taizhang.config import Kind
from taizhang.usecases.files import check_file

COMPLAINT_HEADER = ["编号", "收件日期", "来源", "方式", "类别", "被反映人", "反映人", "联系电话",
                    "承办单位", "处置方式", "办理状态", "办结日期", "核查结论", "来访人次"]


def complaint(seq, received, source="自办", status="办结", closed="2026-10-20", visitors=None,
              conclusion="属实"):
    return [seq, received, source, "来信", "违规收费", "王某某", "赵举报", "13800001111",
            "县一中", "初步核实", status, closed, conclusion, visitors]


def found(report, code=None):
    return sorted((f.code, f.cell) for f in report.findings if code is None or f.code == code)


def check(path, **kw):
    return check_file(path, as_of=AS_OF, **kw)


# --- reading ------------------------------------------------------------------------------

def test_header_below_titles_synonyms_any_order_and_provenance(tmp_path):
    rows = [
        ["县教育局信访举报台账"],
        ["填报单位：县第一中学", None, None, "填报月份：2026年10月"],
        [],
        ["办理状态", "信访来源", "受理日期", "序号", "举报人", "信访方式", "办结时间"],
        ["已办结", "省纪委转办", "2026/10/8", 1, "赵举报", "来信", "2026年10月20日"],
        [None, None, None, None, None, None, None],
        ["在办", "直接受理", datetime(2026, 10, 9), 2, "钱举报", "来访", None],
    ]
    path = write_xlsx(tmp_path / "u.xlsx", {"Sheet1": rows}, merged={"Sheet1": ["A1:F1"]})
    report = check(path)
    assert found(report) == []
    [ledger] = report.ledgers
    assert (ledger.kind, ledger.header_row, ledger.reporting_unit) == (Kind.COMPLAINTS, 4, "县第一中学")
    assert [(r.origin.row, r.source, r.status, r.received_on) for r in ledger.rows] == [
        (5, "省转办", "办结", date(2026, 10, 8)),
        (7, "自办", "在办", date(2026, 10, 9)),
    ]
    assert ledger.rows[0].origin.file == str(path) and ledger.rows[0].origin.sheet == "Sheet1"


def test_two_row_header_with_merged_parent_in_wanyuan(tmp_path):
    rows = [
        ["退费台账"],
        ["学校", "收费项目", "金额（万元）", None, None, None, "涉及学生数"],
        [None, None, "违规金额", "应退金额", "已退金额", "上缴金额", None],
        ["城关小学", "教辅", 1.2, 1, "0.5", 0.2, 30],
        ["合计", None, 1.2, 1, 0.5, 0.2, 30],
    ]
    path = write_xlsx(tmp_path / "r.xlsx", {"退费台账": rows},
                      merged={"退费台账": ["A2:A3", "B2:B3", "C2:F2", "G2:G3"]})
    report = check(path)
    assert found(report) == []
    [ledger] = report.ledgers
    [row] = ledger.rows
    assert (row.violation, row.due, row.refunded, row.to_treasury) == (
        Decimal("12000"), Decimal("10000"), Decimal("5000"), Decimal("2000"))
    assert row.item == "教辅材料" and row.students == 30
    assert ledger.layout.header_height == 2 and ledger.header_row == 2


def test_total_rows_are_claims_not_rows(tmp_path):
    rows = [
        ["学校", "应退金额", "已退金额", "涉及学生数"],
        ["一中", "45,000.00", "45000元", 10],
        ["二中", "4.5万元", "肆万伍仟元整", "１０"],
        ["小 计", 90000, 90000, 20],
        ["三中", 100, 100, 1],
        ["合计", 90100, 90000, 21],
    ]
    report = check(write_xlsx(tmp_path / "t.xlsx", {"退费": rows}))
    [ledger] = report.ledgers
    assert [r.refunded for r in ledger.rows] == [Decimal(45000), Decimal(45000), Decimal(100)]
    assert found(report) == [("total-mismatch", "C6")]
    [finding] = report.findings
    assert finding.row == 6 and finding.column == "已退金额" and "90,100.00" in finding.message


def test_xls_and_ods_read_like_xlsx(tmp_path):
    rows = [
        ["处分台账"],
        ["姓名", "单位", "问题类型", "处分类别", "处理方式", "处理日期"],
        ["张某", "一中", "乱收费", "党纪处分", "党内警告", date(2026, 10, 8)],
        ["张某", "一中", "乱收费", None, "诫勉谈话", date(2026, 10, 9)],
    ]
    reports = [check(write_xls(tmp_path / "s.xls", {"处分台账": rows})),
               check(write_ods(tmp_path / "s.ods", {"处分台账": rows}))]
    for report in reports:
        assert found(report) == []
        [ledger] = report.ledgers
        assert [(r.origin.row, r.name, r.cause, r.measure, r.decided_on) for r in ledger.rows] == [
            (3, "张某", "违规收费", "警告", date(2026, 10, 8)),
            (4, "张某", "违规收费", "诫勉", date(2026, 10, 9)),
        ]


def test_trailing_blank_rows_and_prefilled_numbers_are_ignored(tmp_path):
    path = tmp_path / "blank.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "整改台账"
    ws.append(["序号", "问题描述", "责任单位", "整改状态", "整改时限"])
    ws.append([1, "食堂账目不清", "一中", "整改中", date(2026, 12, 31)])
    for r in range(3, 5003):
        ws.cell(r, 1, r - 1)  # a template with 序号 filled down
        ws.cell(r, 2).number_format = "@"  # formatted but empty
    wb.save(path)
    report = check(path)
    assert found(report) == []
    assert len(report.ledgers[0].rows) == 1


# --- workbook-level -------------------------------------------------------------------

def test_hidden_sheet_checked_and_other_sheet_skipped(tmp_path):
    ledger = [["姓名", "问题类型", "处理方式"], ["李某", "有偿补课", "诫勉"]]
    path = write_xlsx(tmp_path / "h.xlsx", {
        "填报说明": [["请按模板填写"], ["金额单位：元"]],
        "处分台账(旧)": ledger,
        "Sheet3": [],
    }, hidden=["处分台账(旧)"])
    report = check(path)
    assert sorted((f.code, f.sheet, f.severity.value) for f in report.findings) == [
        ("hidden-sheet", "处分台账(旧)", "warning"),
        ("sheet-skipped", "填报说明", "warning"),
    ]
    assert report.ledgers[0].hidden and len(report.ledgers[0].rows) == 1


def test_empty_workbook(tmp_path):
    report = check(write_xlsx(tmp_path / "e.xlsx", {"Sheet1": []}))
    assert found(report) == [("empty-workbook", None)] and report.has_errors


def test_unknown_and_missing_columns(tmp_path):
    rows = [["编号", "收件日期", "督办情况", "办理状态"],
            [1, "2026-10-01", "已督办", "在办"],
            [2, "2026-10-02", "", "办结"],
            [3, "2026-10-03", "", "办结"]]
    report = check(write_xlsx(tmp_path / "c.xlsx", {"信访举报台账": rows}))
    # one finding per missing column, not one per row: 来源 is required, 办结日期 is once 办结
    assert found(report) == [("missing-column", None), ("missing-column", None), ("unknown-column", "C1")]
    assert sorted(f.column for f in report.findings if f.code == "missing-column") == ["办结日期", "来源"]
    missing = next(f for f in report.findings if f.column == "来源")
    assert missing.row == 1 and missing.sheet == "信访举报台账" and missing.is_error


def test_formula_without_cached_value(tmp_path):
    rows = [["学校", "应退金额", "已退金额"], ["一中", 100, 50], ["二中", 200, 200],
            ["合计", "=SUM(B2:B3)", "=SUM(C2:C3)"]]
    report = check(write_xlsx(tmp_path / "f.xlsx", {"退费台账": rows}))
    assert found(report) == [("formula-no-value", "B4"), ("formula-no-value", "C4")]
    assert not report.has_errors


def test_a_formula_whose_cached_result_is_empty_text_is_not_taken_for_a_missing_value(tmp_path):
    """LibreOffice and Excel cache ``=IF(…,"",…)`` as ``t="str"`` with ``<v></v>``; only a
    formula with no cached value at all (``<v />``, as openpyxl writes) is reported."""
    import zipfile

    rows = [["学校", "应退金额", "已退金额"], ["一中", 100, "=IF(B2>0,\"\",0)"], ["二中", 200, "=B3"]]
    path = write_xlsx(tmp_path / "f.xlsx", {"退费台账": rows})
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    # openpyxl writes <v /> with its own writer, <v></v> when lxml is installed (python-docx needs it)
    sheet = re.sub(r'<c r="C2"><f>(IF\(B2&gt;0,"",0\))</f>(?:<v ?/>|<v></v>)</c>',
                   lambda m: f'<c r="C2" t="str"><f>{m.group(1)}</f><v></v></c>', sheet)
    assert 't="str"' in sheet
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    assert found(check(path), "formula-no-value") == [("formula-no-value", "C3")]


@pytest.mark.parametrize("content, code", [
    (b"\xe5\xad\xa6\xe6\xa0\xa1,\xe5\xba\x94\xe9\x80\x80\n\xe4\xb8\x80\xe4\xb8\xad,100\n", "not-a-workbook"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "not-a-workbook"),
    (b"", "not-a-workbook"),
    (b"PK\x03\x04\x14\x00\x00\x00\x08\x00garbage", "corrupt-workbook"),
])
def test_files_that_are_not_workbooks_are_refused(tmp_path, content, code):
    path = tmp_path / "台账 十月.xlsx"
    path.write_bytes(content)
    report = check(path)
    assert report.refusal is not None and report.refusal.code == code
    assert str(path) in report.refusal.message


def test_truncated_workbook_is_corrupt(tmp_path):
    good = write_xlsx(tmp_path / "g.xlsx", {"退费台账": [["学校", "应退金额", "已退金额"], ["一中", 1, 1]]})
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    report = check(bad)
    assert report.refusal is not None and report.refusal.code == "corrupt-workbook"


def test_password_protected_workbook_is_refused_as_encrypted(tmp_path):
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = write_xlsx(tmp_path / "plain.xlsx", {"退费台账": [["学校", "应退金额", "已退金额"], ["一中", 1, 1]]})
    locked = tmp_path / "加密.xlsx"
    with plain.open("rb") as src, locked.open("wb") as out:
        OOXMLFile(src).encrypt("secret", out)
    report = check(locked)
    assert report.refusal is not None and report.refusal.code == "encrypted-workbook"
    assert "加密" in report.refusal.message and "secret" not in report.refusal.message


def test_missing_file_and_folder(tmp_path):
    assert check(tmp_path / "nope.xlsx").refusal.code == "file-not-found"
    assert check(tmp_path).refusal.code == "unreadable-file"


# --- values and rules ------------------------------------------------------------------

def test_complaint_rules(tmp_path):
    rows = [COMPLAINT_HEADER,
            complaint(1, "2026-10-08"),
            complaint(2, "2026-10-09", source="区转办"),                       # row 3
            complaint(3, "2026-13-45"),                                        # row 4
            complaint(4, "2026-10-10", status="办结", closed=None),            # row 5
            complaint(5, "2026-10-12", closed="2026-10-01"),                   # row 6
            complaint(5, "2026-11-05", status="在办", closed=None),            # row 7
            complaint(7, "2026-10-14", visitors="若干", status="在办", closed=None),  # row 8
            complaint(8, "2026-10-15", source=None, status=None, closed=None),  # row 9
            ]
    report = check(write_xlsx(tmp_path / "c.xlsx", {"信访举报台账": rows}))
    assert found(report) == sorted([
        ("unknown-value", "C3"),
        ("invalid-date", "B4"),
        ("missing-closing-date", "L5"),
        ("closing-before-received", "L6"),
        ("duplicate-id", "A7"),
        ("future-date", "B7"),
        ("invalid-number", "N8"),
        ("missing-value", "C9"),
        ("missing-value", "K9"),
    ])
    unknown = next(f for f in report.findings if f.code == "unknown-value")
    assert unknown.severity.value == "error" and "区转办" in unknown.message and "省转办" in unknown.message
    # confidentiality: no finding message carries the complainant or the phone
    assert not any("赵举报" in f.message or "13800001111" in f.message for f in report.findings)


def test_rectification_rules(tmp_path):
    header = ["序号", "问题来源", "发现日期", "问题描述", "责任单位", "整改时限", "整改状态", "完成时间"]
    rows = [header,
            [1, "巡察", "2026-03-01", "食堂问题", "一中", "2026-06-30", "已整改", "2026-06-01"],
            [2, "审计", "2026-03-01", "账目问题", "一中", "2026-06-30", "已完成", None],        # 3
            [3, "审计", "2026-05-01", "票据问题", "一中", "2026-06-30", "已完成", "2026-04-01"],  # 4
            [4, "督查", "2026-03-01", "补课问题", "一中", "2026-09-30", "整改中", None],        # 5
            [5, "督查", "2026-03-01", "收费问题", "一中", "2026-06-30", "已销号", "2026-07-15"],  # 6
            [6, "自查", "2026-03-01", "制度问题", "一中", "长期坚持", "整改中", None],          # 7
            [7, "自查", "2026-03-01", "公示问题", "一中", "下月底", "待定", None],              # 8
            [8, "自查", "2026-03-01", "宿舍问题", None, "立行立改", "已完成", "2026-11-20"],     # 9
            ]
    report = check(write_xlsx(tmp_path / "z.xlsx", {"整改台账": rows}))
    assert found(report) == sorted([
        ("missing-completion-date", "H3"),
        ("completion-before-found", "H4"),
        ("overdue", "F5"),
        ("completed-late", "H6"),
        ("invalid-date", "F8"),
        ("unknown-value", "G8"),
        ("missing-value", "E9"),
        ("future-date", "H9"),
    ])
    [overdue] = [f for f in report.findings if f.code == "overdue"]
    assert overdue.severity.value == "warning" and "31 天" in overdue.message
    assert report.ledgers[0].rows[5].deadline_type == "长期坚持"


def test_refund_rules(tmp_path):
    header = ["序号", "学校", "收费项目", "涉及学生数", "违规金额", "应退金额", "已退金额", "上缴金额"]
    rows = [header,
            [1, "一中", "补课费", 10, 5000, 4000, 4000, 1000],
            [2, "二中", "资料费", 10, 5000, 4500, 4000, 1000],   # 3: due mismatch
            [3, "三中", "择校", 10, None, 3000, 3500, None],     # 4: refunded > due
            [4, "四中", "其他", 10, None, 3000, -5, None],       # 5: negative
            [5, "五中", "其他", 10, None, "待核实", 0, None],     # 6: invalid amount
            [6, "六中", "代收", 10, None, 10, 0, None],          # 7: unknown item -> warning
            ]
    report = check(write_xlsx(tmp_path / "r.xlsx", {"退费台账": rows}))
    assert found(report) == sorted([
        ("due-mismatch", "F3"), ("refund-exceeds-due", "G4"), ("negative-amount", "G5"),
        ("invalid-amount", "F6"), ("unknown-value", "C7"),
    ])
    [warn] = [f for f in report.findings if f.code == "unknown-value"]
    assert warn.severity.value == "warning"
    row = report.ledgers[0].rows[5]
    assert row.item == "代收" and row.due == Decimal(10)


def test_sanction_rules(tmp_path):
    rows = [["姓名", "问题类型", "处分类别", "处理方式"],
            ["甲", "违规招生", "党纪处分", "严重警告"],
            ["乙", "违规收费", "党纪处分", "记过"],     # 3: 记过 is 政务 only
            ["丙", "违规收费", None, "警告"],           # 4: 警告 with no category
            ["丁", "违规收费", None, "政务警告"],        # clear from the wording
            ["戊", "打牌", None, "开除"],               # 6: unknown cause
            ["己", "违规收费", None, "罚款"],            # 7: unknown measure
            ["己", "违规收费", None, "罚款"],            # 8: the same row again
            ]
    report = check(write_xlsx(tmp_path / "s.xlsx", {"处分台账": rows}))
    assert found(report) == sorted([
        ("category-mismatch", "C3"), ("category-unclear", "D4"), ("unknown-value", "B6"),
        ("unknown-value", "D7"), ("unknown-value", "D8"), ("duplicate-row", "A8"),
    ])


def test_office_can_extend_synonyms_without_code(tmp_path, monkeypatch):
    office = tmp_path / "taizhang.toml"
    office.write_text(
        '[columns.complaints.synonyms]\n"来源" = ["线索来源"]\n'
        '[vocabularies.complaint_source.values]\n"市转办" = ["区转办"]\n', encoding="utf-8")
    rows = [["线索来源", "办理状态"], ["区转办", "在办"]]
    path = write_xlsx(tmp_path / "c.xlsx", {"信访举报台账": rows})
    from taizhang.config import load_config

    report = check(path, config=load_config(office))
    assert found(report) == [] and report.ledgers[0].rows[0].source == "市转办"
