"""Workbooks saved by WPS Office and Apple Numbers read like the same ledger saved by Excel.

The files are made by ``tests/producers.py`` in the shape those programs write (see its
notes on where each convention was read off real files).
"""

from __future__ import annotations

import dataclasses

import json
from datetime import date
from pathlib import Path

import pytest
import python_calamine as pc

from fixtures import AS_OF, write_xls, write_xlsx
from producers import (WPS_HEADER, WPS_TITLE, numbers_document, numbers_package_zip, numbers_xlsx,
                       single_file_web_page, spreadsheetml_2003,
                       wps_expected_rows, wps_xlsx)
from taizhang.cli import main
from taizhang.config import default_config
from taizhang.consolidation.run import consolidate
from taizhang.reading.book import CELL_IMAGE
from taizhang.reading.source import open_workbook
from taizhang.usecases.files import check_file


def rows_of(report):
    return [[{k: v for k, v in dataclasses.asdict(r).items() if k != "origin"} for r in lg.rows] for lg in report.ledgers]


def findings_of(report):
    return sorted((f.code, f.sheet, f.cell) for f in report.findings)


def test_wps_xlsx_reads_every_cell_as_written(tmp_path):
    path = wps_xlsx(tmp_path / "县三中 整改台账（WPS）.xlsx")
    [sheet] = open_workbook(path).sheets
    assert sheet.rows[0][0] == WPS_TITLE and sheet.rows[2] == WPS_HEADER
    data = [[None if v == "" else v for v in row] for row in sheet.rows[3:]]
    assert [[float(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in row]
            for row in wps_expected_rows()] == data
    assert sheet.cell_errors == {} and sheet.formulas_without_value == set()


def test_wps_xlsx_checks_like_the_same_ledger_saved_by_excel(tmp_path):
    wps = check_file(wps_xlsx(tmp_path / "wps.xlsx"), as_of=AS_OF)
    plain_rows = [[WPS_TITLE], ["填报单位：县第三中学"], WPS_HEADER, *wps_expected_rows()]
    excel = check_file(write_xlsx(tmp_path / "excel.xlsx", {"整改台账": plain_rows}), as_of=AS_OF)
    assert findings_of(wps) == findings_of(excel) == []
    assert rows_of(wps) == rows_of(excel)
    [ledger] = wps.ledgers
    assert ledger.reporting_unit == "县第三中学"
    # rich text joined, a formula's cached text taken, a picture in a cell shown as such
    assert [r.status for r in ledger.rows] == ["已完成", "整改中", "已完成"]
    assert [r.evidence for r in ledger.rows] == [CELL_IMAGE, None, CELL_IMAGE]
    assert [r.deadline for r in ledger.rows] == [date(2026, 10, 31), date(2026, 11, 30), None]


def test_wps_pictures_reach_the_master_as_a_marker_never_as_a_formula(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    wps_xlsx(inbox / "县三中.xlsx")
    roster = write_xlsx(tmp_path / "名册.xlsx", {"单位名册": [["单位", "别名"], ["县第三中学", "县三中"]]})
    master = tmp_path / "主表.xlsx"
    result = consolidate(inbox, "2026-10", master, config=default_config(), roster_path=roster, jobs=1)
    assert [(f.unit, f.status, f.rows_written) for f in result.files] == [("县第三中学", "ok", 3)]
    detail = pc.CalamineWorkbook.from_path(str(master)).get_sheet_by_name("整改台账合并").to_python()
    column = detail[0].index("佐证材料")
    assert [r[column] for r in detail[1:]] == [CELL_IMAGE, "", CELL_IMAGE]
    assert "DISPIMG" not in json.dumps(detail, default=str, ensure_ascii=False)


@pytest.mark.slow
def test_wps_et_file_is_read_and_consolidated_like_xls(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    rows = [["填报单位：县第三中学"], WPS_HEADER[:10],
            [1, "巡察反馈", "食堂账目不清", "县第三中学", "张某", "建立食堂台账", date(2026, 10, 8),
             date(2026, 10, 31), "已完成", date(2026, 10, 20)]]
    et = write_xls(inbox / "县三中10月.et", {"整改台账": rows})
    xls = write_xls(tmp_path / "same.xls", {"整改台账": rows})
    assert rows_of(check_file(et, as_of=AS_OF)) == rows_of(check_file(xls, as_of=AS_OF))
    assert findings_of(check_file(et, as_of=AS_OF)) == []
    roster = write_xlsx(tmp_path / "名册.xlsx", {"单位名册": [["单位", "别名"], ["县第三中学", "县三中"]]})
    result = consolidate(inbox, "2026-10", tmp_path / "主表.xlsx", config=default_config(),
                         roster_path=roster, jobs=1)
    assert [(f.path.name, f.status, f.rows_written) for f in result.files] == [("县三中10月.et", "ok", 1)]


COMPLAINTS = [["编号", "收件日期", "来源", "方式", "类别", "被反映人", "反映人", "联系电话", "承办单位", "处置方式",
               "办理状态", "办结日期", "核查结论"],
              [1, date(2026, 10, 8), "省转办", "来信", "违规收费", "王某某", "赵某", "13800001111", "县四中", "初步核实",
               "办结", date(2026, 10, 20), "属实"],
              [2, date(2026, 10, 12), "自办", "来电", "有偿补课", "李某", "钱某", "13900002222", "县四中", "谈话函询",
               "在办", None, None]]
REFUNDS = [["学校", "收费项目", "查实日期", "违规金额", "应退金额", "已退金额", "涉及学生数"],
           ["县四中", "资料费", date(2026, 10, 9), 12000, 12000, 12000, 40],
           ["县四中", "补课费", date(2026, 10, 15), 3500.5, 3500.5, 0, 7]]


def test_numbers_export_reads_like_the_same_tables_saved_by_excel(tmp_path):
    tables = {"信访举报 - 表格 1": [["填报单位：县第四中学"], *COMPLAINTS], "退费 - 表格 1": REFUNDS}
    numbers = check_file(numbers_xlsx(tmp_path / "县四中（Numbers 导出）.xlsx", tables), as_of=AS_OF)
    excel = check_file(write_xlsx(tmp_path / "excel.xlsx", {"信访举报": [[], *tables["信访举报 - 表格 1"]],
                                                           "退费": [[], *REFUNDS]}), as_of=AS_OF)
    assert rows_of(numbers) == rows_of(excel)
    assert [(lg.kind.value, lg.sheet, lg.header_row, len(lg.rows)) for lg in numbers.ledgers] == [
        ("complaints", "信访举报 - 表格 1", 3, 2), ("refunds", "退费 - 表格 1", 2, 2)]
    # the export summary Numbers adds is not a ledger: a warning, nothing else
    assert findings_of(numbers) == [("sheet-skipped", "导出摘要", None)]
    assert numbers.ledgers[0].reporting_unit == "县第四中学"


@pytest.mark.parametrize("make", [numbers_document, numbers_package_zip])
def test_a_numbers_document_is_refused_with_what_to_do(tmp_path, make, capsys):
    path = make(tmp_path / "县四中台账.numbers")
    report = check_file(path, as_of=AS_OF)
    assert report.refusal.code == "not-a-workbook" and "导出为 › Excel" in report.refusal.message
    assert main(["check", str(path)]) == 2
    assert "Numbers" in capsys.readouterr().err


def test_look_alikes_in_the_folder_are_listed_with_their_reason_not_passed_over(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    wps_xlsx(inbox / "县三中.xlsx")
    numbers_document(inbox / "县四中.numbers")
    package = inbox / "县五中.numbers"  # a Numbers package as it sits on a Mac: a folder
    (package / "Index").mkdir(parents=True)
    (package / "Index" / "Document.iwa").write_bytes(b"\0")
    (inbox / "县六中.csv").write_text("学校,应退金额\n县六中,100\n", encoding="gbk")
    (inbox / "通知.docx").write_bytes(b"PK")  # not a table: not listed
    roster = write_xlsx(tmp_path / "名册.xlsx", {"单位名册": [["单位", "别名"], ["县第三中学", "县三中"]]})
    result = consolidate(inbox, "2026-10", tmp_path / "主表.xlsx", config=default_config(),
                         roster_path=roster, jobs=1)
    outcome = {f.path.name: (f.status, f.reason) for f in result.files}
    assert set(outcome) == {"县三中.xlsx", "县四中.numbers", "县五中.numbers", "县六中.csv"}
    assert outcome["县三中.xlsx"][0] == "ok"
    for name in ("县四中.numbers", "县五中.numbers"):
        assert outcome[name][0] == "rejected" and "导出为 › Excel" in outcome[name][1]
    assert outcome["县六中.csv"][0] == "rejected" and "CSV" in outcome["县六中.csv"][1]
    # check on the folder lists the same files
    report_paths = sorted(Path(p).name for p in _checked(inbox))
    assert report_paths == sorted(outcome)


def _checked(folder: Path) -> list[str]:
    from taizhang.reading.folder import expand_paths

    return [str(p) for p in expand_paths([folder])]



@pytest.mark.parametrize("make, name, says", [
    (single_file_web_page, "系统导出.xls", "单个文件网页"),
    (spreadsheetml_2003, "处分台账.xml", "XML 表格 2003"),
])
def test_other_formats_wps_offers_are_refused_with_what_they_are(tmp_path, make, name, says):
    report = check_file(make(tmp_path / name), as_of=AS_OF)
    assert report.refusal.code == "not-a-workbook"
    assert says in report.refusal.message and "另存为” .xlsx" in report.refusal.message
