"""The ribbon macros, run headless through the openpyxl adapter on real workbook files."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from macros.openpyxl_port import OpenpyxlWorkbook
from macros.port import ERROR_FILL, WARNING_FILL
from macros.ribbon import run
from taizhang.config import default_config
from taizhang.figures import Period, compute, rows_by_kind
from taizhang.findings import CATALOGUE
from taizhang.findings_sheet import FINDINGS_COLUMNS
from taizhang.usecases.files import check_file

SAMPLES = Path(__file__).resolve().parent.parent / "workbooks" / "samples"
UNIT = SAMPLES / "2026-10" / "县第二中学_10月台账.xlsx"


@pytest.fixture
def unit(tmp_path):
    path = tmp_path / UNIT.name
    shutil.copy(UNIT, path)
    return path


def _fill(ws, ref):
    fill = ws[ref].fill
    return fill.fgColor.rgb[-6:] if fill.fill_type == "solid" else None


def _set_as_of(port, day):
    run("tz_settings", port)
    ws = port.book["台账设置"]
    ws["B3"] = day
    port.save()
    port.reload()


def test_check_writes_the_findings_and_colours_the_cells(unit):
    port = OpenpyxlWorkbook(unit)
    _set_as_of(port, datetime(2026, 10, 31))
    message = run("tz_check", port)
    port.save()
    expected = check_file(UNIT, as_of=datetime(2026, 10, 31).date())
    assert message.startswith(f"检查完成（检查日期 2026-10-31）：错误 {expected.stats.errors} 个")
    wb = openpyxl.load_workbook(unit)
    rows = list(wb["问题清单"].iter_rows(values_only=True))
    assert rows[0] == FINDINGS_COLUMNS  # the one layout every command writes
    assert sorted((r[3], r[4], r[10]) for r in rows[1:]) == sorted(
        (f.sheet, f.cell, f.code) for f in expected.findings)
    assert all(r[8] == CATALOGUE[r[10]][1] for r in rows[1:])  # each code beside its Chinese title
    complaints, refunds = wb["信访举报台账"], wb["退费台账"]
    assert _fill(complaints, "C5") == ERROR_FILL           # 区转办
    assert _fill(complaints, "N3") == WARNING_FILL         # unknown column 督办情况
    assert _fill(refunds, "H9") == ERROR_FILL              # the 合计 that does not add up
    assert _fill(complaints, "C4") is None                 # a good cell stays as it was


def test_a_fixed_cell_loses_its_colour_on_the_next_check(unit):
    port = OpenpyxlWorkbook(unit)
    _set_as_of(port, datetime(2026, 10, 31))
    run("tz_check", port)
    port.book["信访举报台账"]["C5"] = "市转办"
    port.save()
    port.reload()
    run("tz_check", port)
    port.save()
    wb = openpyxl.load_workbook(unit)
    assert _fill(wb["信访举报台账"], "C5") is None
    assert _fill(wb["信访举报台账"], "B6") == ERROR_FILL
    assert ("信访举报台账", "C5") not in {(r[3], r[4]) for r in wb["问题清单"].iter_rows(values_only=True)}


@pytest.mark.slow
def test_settings_summary_and_report(unit):
    port = OpenpyxlWorkbook(unit)
    run("tz_settings", port)
    settings = port.book["台账设置"]
    settings["B2"] = "某某县教育局"
    settings["B3"] = datetime(2026, 10, 31)
    row = next(r for r in range(1, settings.max_row + 1) if settings.cell(r, 1).value == "诫勉")
    settings.cell(row, 2).value = "第二种形态"  # the office counts 诫勉 differently
    port.save()
    port.reload()
    assert run("tz_summary", port).startswith("已生成“汇总表”（2026年10月）")
    text = run("tz_report", port)
    port.save()
    wb = openpyxl.load_workbook(unit)
    assert wb["汇总表"]["A1"].value == "某某县教育局纪检监察工作统计汇总表"
    assert wb["汇总表"]["A3"].value.startswith("注意")  # the unit's ledgers have errors
    report = compute(rows_by_kind(check_file(UNIT).ledgers), Period.parse("2026-10"),
                     datetime(2026, 10, 31).date(), default_config())
    assert report.narrative == wb["汇报材料"]["A2"].value
    document = unit.with_name(f"{unit.stem}_2026年10月情况汇报.docx")  # beside the workbook
    assert text.startswith(f"已生成情况汇报：{document.name}") and document.is_file()
    assert wb.sheetnames[:2] == ["汇总表", "明细"] and "信访举报台账" in wb.sheetnames


@pytest.mark.slow
def test_month_consolidation_into_this_workbook(tmp_path):
    master = tmp_path / "局主表.xlsx"
    shutil.copy(SAMPLES / "单位名册.xlsx", master)
    port = OpenpyxlWorkbook(master, folder=SAMPLES / "2026-10")
    _set_as_of(port, datetime(2026, 10, 31))
    message = run("tz_consolidate", port)
    assert message.startswith("2026-10 合并完成：已报送 8 个单位，未报送 2 个")
    assert {"汇总表", "信访举报合并", "报送情况", "问题清单", "单位名册", "台账设置"} <= set(port.sheet_names())


def _set_period(port, text):
    """台账设置's 统计期间 (the row 设置 writes) set to ``text``, 检查日期 left blank."""
    run("tz_settings", port)
    ws = port.book["台账设置"]
    [row] = [r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "统计期间"]
    ws.cell(row, 2).value = text
    port.save()
    port.reload()


@pytest.mark.slow
def test_month_consolidation_takes_the_month_of_the_settings_period(tmp_path):
    """On 6 December with 检查日期 blank, a 统计期间 of 2026年10月 merges October, not December."""
    master = tmp_path / "局主表.xlsx"
    shutil.copy(SAMPLES / "单位名册.xlsx", master)
    port = OpenpyxlWorkbook(master, folder=SAMPLES / "2026-10")
    _set_period(port, "2026年10月")
    message = run("tz_consolidate", port)
    assert message.startswith("2026-10 合并完成：已报送 8 个单位"), message
    months = {r[1] for r in openpyxl.load_workbook(master)["报送情况"].iter_rows(min_row=2, values_only=True)}
    assert months == {"2026-10"}


def test_month_consolidation_refuses_a_quarter_in_the_settings_and_leaves_the_master(tmp_path):
    master = tmp_path / "局主表.xlsx"
    shutil.copy(SAMPLES / "单位名册.xlsx", master)
    port = OpenpyxlWorkbook(master, folder=SAMPLES / "2026-10")
    _set_period(port, "2026Q3")
    before = master.read_bytes()
    message = run("tz_consolidate", port)
    assert message.startswith("无法合并：月度合并按月进行") and "2026年第三季度" in message and "2026-09" in message
    assert port.messages[-1] == message and master.read_bytes() == before


def test_month_consolidation_that_cannot_run_is_a_message_and_the_master_is_untouched(tmp_path):
    """The ribbon runs the command line's use case: a folder that is not there is said as the
    command line says it, and the master is left as it was."""
    master = tmp_path / "局主表.xlsx"
    shutil.copy(SAMPLES / "单位名册.xlsx", master)
    port = OpenpyxlWorkbook(master, folder=tmp_path / "没有这个文件夹")
    before = openpyxl.load_workbook(master).sheetnames
    message = run("tz_consolidate", port)
    assert "没有这个文件夹" in message and "合并完成" not in message, message
    assert port.messages[-1].startswith("无法合并：") and not message.startswith("taizhang")
    assert openpyxl.load_workbook(master).sheetnames == before == port.sheet_names()


def test_cancelled_folder_and_unknown_button_and_failures_are_messages(tmp_path, unit, monkeypatch):
    monkeypatch.setenv("TAIZHANG_LOG_DIR", str(tmp_path / "logs"))
    port = OpenpyxlWorkbook(unit)
    assert run("tz_consolidate", port) == "已取消。"
    assert run("tz_nothing", port).startswith("未知的按钮：tz_nothing。")
    from macros import actions

    def broken(port, config):
        raise KeyError("boom")

    monkeypatch.setattr(actions, "summarize", broken)
    from addin.actions import ACTIONS, Action

    monkeypatch.setitem(ACTIONS, "tz_summary", Action("tz_summary", "汇总统计", "统计", "X", broken))
    message = run("tz_summary", port)
    assert message.startswith("“汇总统计”未能完成：程序出错（KeyError）。请把此提示截图发给技术人员。详细记录：")
    assert port.messages[-1] == message
    from addin.logs import log_file

    assert str(log_file()) in message and "KeyError: 'boom'" in log_file().read_text(encoding="utf-8")

    def locked(port, config):
        raise PermissionError(13, "Permission denied", str(tmp_path / "局主表.xlsx"))

    monkeypatch.setitem(ACTIONS, "tz_summary", Action("tz_summary", "汇总统计", "统计", "X", locked))
    assert "文件被占用或没有写入权限" in run("tz_summary", port)


def test_an_error_value_in_the_open_workbook_is_listed_and_coloured(unit):
    wb = openpyxl.load_workbook(unit)
    ws = wb["退费台账"]
    assert ws["H3"].value == "实退金额"  # the sample's header for 已退金额
    cell = ws["H4"]
    cell.value = "#REF!"  # openpyxl writes a string that is an error code as an error cell (t="e")
    wb.save(unit)
    port = OpenpyxlWorkbook(unit)
    _set_as_of(port, datetime(2026, 10, 31))
    run("tz_check", port)
    port.save()
    wb = openpyxl.load_workbook(unit)
    listed = [(r[3], r[4], r[10]) for r in wb["问题清单"].iter_rows(min_row=2, values_only=True)]
    assert ("退费台账", cell.coordinate, "cell-error") in listed
    assert _fill(wb["退费台账"], cell.coordinate) == ERROR_FILL
