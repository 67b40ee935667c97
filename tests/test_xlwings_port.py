"""The live adapter (``macros.xlwings_port``) against Excel faked from xlwings' own classes
(``create_autospec`` of Book, Sheets, Sheet, Range, App): the same macros as headless, on
the workbook open in Excel - 月度合并 saves or asks, closes the master, writes, reopens."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
import xlwings as xw

import taizhang.consolidation.run as consolidation
from macros.openpyxl_port import OpenpyxlWorkbook
from macros.ribbon import dispatch, run
from macros.xlwings_port import XlwingsWorkbook
from taizhang.findings_sheet import FINDINGS_COLUMNS
from taizhang.usecases.files import check_file
from tests.xl_fakes import FakeExcel, FakeWorkbookInExcel

SAMPLES = Path(__file__).resolve().parent.parent / "workbooks" / "samples"
UNIT = SAMPLES / "2026-10" / "县第二中学_10月台账.xlsx"


@pytest.fixture(autouse=True)
def logs(tmp_path, monkeypatch):
    monkeypatch.setenv("TAIZHANG_LOG_DIR", str(tmp_path / "logs"))


def _as_of(path: Path, day: datetime) -> None:
    port = OpenpyxlWorkbook(path)
    run("tz_settings", port)
    port.book["台账设置"]["B3"] = day
    port.save()


@pytest.fixture
def master(tmp_path):
    path = tmp_path / "局主表.xlsx"
    shutil.copy(SAMPLES / "单位名册.xlsx", path)
    _as_of(path, datetime(2026, 10, 31))
    return path


def _open_in_excel(path: Path, answer: str | None = None, *, saved: bool = True):
    excel = FakeExcel(books=0)
    opened = [FakeWorkbookInExcel(excel, path, saved=saved)]
    excel.app.books.open.side_effect = lambda fullname, **kw: (
        opened.append(FakeWorkbookInExcel(excel, Path(fullname))) or opened[-1].book)
    prompts: list[str] = []

    def alert(prompt, title=None, buttons="ok", mode=None, callback=None):
        prompts.append(prompt)
        return answer if buttons == "yes_no_cancel" else "ok"

    excel.app.alert.side_effect = alert
    return excel, opened, prompts


def _stored(block):
    """What Excel stores for values assigned through COM: a leading apostrophe marks text and is dropped."""
    return [[v[1:] if isinstance(v, str) and v.startswith("'") else v for v in row] for row in block]


def _pick(excel: FakeExcel, folder: Path) -> None:
    dialog = excel.api.FileDialog.return_value
    dialog.Show.return_value = -1
    dialog.SelectedItems.return_value = str(folder)


def _spy_on_consolidation(monkeypatch, opened):
    held: list[bool] = []
    real = consolidation.consolidate

    def spy(*args, **kwargs):
        held.append(not opened[0].closed)  # is Excel still holding the master?
        return real(*args, **kwargs)

    monkeypatch.setattr(consolidation, "consolidate", spy)
    return held


@pytest.mark.slow
def test_month_consolidation_saves_the_clerks_edits_closes_writes_and_reopens(master, monkeypatch):
    excel, opened, prompts = _open_in_excel(master, "yes", saved=False)

    def excel_saves_the_edit():  # what Excel's save would write: the clerk's unsaved edit
        wb = openpyxl.load_workbook(master)
        wb["单位名册"]["Z1"] = "刚改的备注"
        wb.save(master)

    opened[0].book.save.side_effect = excel_saves_the_edit
    _pick(excel, SAMPLES / "2026-10")
    held = _spy_on_consolidation(monkeypatch, opened)
    port = XlwingsWorkbook(opened[0].book)
    message = run("tz_consolidate", port)

    assert message.startswith("2026-10 合并完成：已报送 8 个单位，未报送 2 个")
    assert held == [False]  # the master was closed in Excel before it was written
    assert "尚未保存的修改" in prompts[0] and prompts[-1] == message
    opened[0].book.save.assert_called_once_with()
    excel.app.books.open.assert_called_once_with(str(master))
    assert port.book is opened[1].book and not opened[1].closed  # reopened in front of the clerk
    wb = openpyxl.load_workbook(master)
    assert {"汇总表", "信访举报合并", "报送情况", "问题清单"} <= set(wb.sheetnames)
    assert wb["单位名册"]["Z1"].value == "刚改的备注"  # the edit saved first survived the merge
    assert {"汇总表", "报送情况"} <= set(port.sheet_names())  # the reopened book shows the result


@pytest.mark.slow
def test_answering_no_drops_the_edits_and_cancel_changes_nothing(master, monkeypatch):
    before = master.read_bytes()
    excel, opened, prompts = _open_in_excel(master, "cancel", saved=False)
    _pick(excel, SAMPLES / "2026-10")
    held = _spy_on_consolidation(monkeypatch, opened)
    assert run("tz_consolidate", XlwingsWorkbook(opened[0].book)) == "已取消。"
    assert held == [] and not opened[0].closed and master.read_bytes() == before
    opened[0].book.save.assert_not_called()

    excel, opened, prompts = _open_in_excel(master, "no", saved=False)
    _pick(excel, SAMPLES / "2026-10")
    run("tz_consolidate", XlwingsWorkbook(opened[0].book))
    opened[0].book.save.assert_not_called()
    assert opened[0].closed and len(opened) == 2
    assert "汇总表" in openpyxl.load_workbook(master).sheetnames


def test_a_refused_consolidation_still_reopens_the_master(master, tmp_path):
    excel, opened, prompts = _open_in_excel(master)
    _pick(excel, tmp_path / "no such folder")
    port = XlwingsWorkbook(opened[0].book)
    message = run("tz_consolidate", port)
    assert opened[0].closed and port.book is opened[1].book
    assert prompts[-1].startswith("无法合并：") and message in prompts[-1]


def test_a_new_book_never_saved_is_asked_to_be_saved_first(master):
    excel, opened, prompts = _open_in_excel(master)
    opened[0].book.fullname = "工作簿1"
    _pick(excel, SAMPLES / "2026-10")
    assert run("tz_consolidate", XlwingsWorkbook(opened[0].book)) == "已取消。"
    assert prompts == ["请先把本工作簿保存为局主表（.xlsx 或 .xlsm），再进行月度合并。"]
    assert not opened[0].closed


@pytest.mark.slow
def test_check_writes_into_the_open_workbook(tmp_path):
    unit = tmp_path / UNIT.name
    shutil.copy(UNIT, unit)
    _as_of(unit, datetime(2026, 10, 31))
    excel, opened, prompts = _open_in_excel(unit)
    fake = opened[0]
    message = run("tz_check", XlwingsWorkbook(fake.book))
    expected = check_file(UNIT, as_of=datetime(2026, 10, 31).date())
    assert message.startswith(f"检查完成（检查日期 2026-10-31）：错误 {expected.stats.errors} 个")
    fake.book.sheets.add.assert_called_once()
    assert fake.book.sheets.add.call_args.args == ("问题清单",)
    [block] = [_stored(r.value) for r in fake.writes["问题清单"] if isinstance(r.value, list)]
    assert block[0] == list(FINDINGS_COLUMNS)  # the one layout every command writes
    assert sorted((r[3], r[4], r[10]) for r in block[1:]) == sorted((f.sheet, f.cell, f.code) for f in expected.findings)
    coloured = {r.color for r in fake.writes["信访举报台账"] if not isinstance(r.color, type(fake.book.api))}
    assert (0xFF, 0xC7, 0xCE) in coloured  # the error fill, as xlwings takes it (an RGB tuple)
    assert prompts == [message]


def test_dispatch_without_a_calling_workbook_says_so_in_chinese(monkeypatch, tmp_path):
    def no_caller(cls=None):
        raise RuntimeError("Book.caller() is only available when called from Excel")

    monkeypatch.setattr(xw.Book, "caller", classmethod(lambda cls: no_caller()))
    excel = FakeExcel()

    class Apps:
        active = excel.app

    monkeypatch.setattr(xw, "apps", Apps())
    dispatch("tz_check")
    [call] = excel.app.alert.call_args_list
    assert call.args[0].startswith("请先打开或新建一个工作簿") and call.kwargs["title"] == "纪检台账"
    assert "RuntimeError" in (tmp_path / "logs" / "taizhang-addin.log").read_text(encoding="utf-8")


@pytest.mark.slow
def test_summary_and_settings_write_into_the_open_workbook(tmp_path):
    unit = tmp_path / UNIT.name
    shutil.copy(UNIT, unit)
    _as_of(unit, datetime(2026, 10, 31))
    excel, opened, prompts = _open_in_excel(unit)
    fake = opened[0]
    port = XlwingsWorkbook(fake.book)

    message = run("tz_summary", port)
    assert message.startswith("已生成“汇总表”（2026年10月）")
    # the summary is written by the same writer as headless, into a file, and its two sheets
    # copied in front of the clerk's sheets
    [summary] = opened[1:]
    assert summary.closed and summary.path.name == "summary.xlsx"
    copied = [summary._sheets[n].copy.call_args for n in ("汇总表", "明细")]
    assert all(c.kwargs == {"before": fake._sheets[next(iter(fake._sheets))]} for c in copied)
    assert summary.data["汇总表"][0][0].endswith("纪检监察工作统计汇总表")

    run("tz_settings", port)
    [block] = [_stored(r.value) for r in fake.writes["台账设置"] if isinstance(r.value, list)]
    assert block[:3] == [["设置项", "值"], ["局名称", "县教育局"], ["检查日期", datetime(2026, 10, 31)]]
    assert prompts[-1].startswith("请在“台账设置”中修改局名称")


@pytest.mark.slow
def test_text_written_into_excel_stays_text(tmp_path):
    """Excel parses a value assigned through COM as if typed: the findings list of a workbook
    whose sheet is named 2026-10, with 序号 001, must not turn into a date and the number 1."""
    from fixtures import write_xlsx

    path = write_xlsx(tmp_path / "月报.xlsx", {"2026-10": [
        ["序号", "问题描述", "责任单位", "整改时限", "整改状态", "完成时间"],
        ["001", "甲", "一中", "2026-12-31", "整改中", None],
        ["001", "乙", "一中", "2026-12-31", "整改中", None]]})
    excel, opened, prompts = _open_in_excel(path)
    fake = opened[0]
    run("tz_check", XlwingsWorkbook(fake.book))
    [block] = [r.value for r in fake.writes["问题清单"] if isinstance(r.value, list)]
    finding = next(row for row in block[1:] if row[10] == "'duplicate-id")  # the one 问题清单 layout
    assert finding[3:5] == ["'2026-10", "'A3"] and "001" in finding[9]
    # every text as text; 行号 is the one number
    assert all(v is None or (isinstance(v, str) and v.startswith("'")) for row in block for v in row[:5] + row[6:])
    assert all(isinstance(row[5], int) for row in block[1:] if row[5] is not None)
