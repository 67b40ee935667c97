"""Slips at the edges of a run (issue 24, items 1-5): an output named inside a folder given is
never one of its ledgers; an empty or wrong folder is no success; with no period named, the
month the ledgers hold is reported and said so; dates as staff write them; a master is an .xlsx.

Every case runs the real command line on real workbooks written with openpyxl."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from fixtures import write_xlsx
from taizhang.cli import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "workbooks" / "samples"
COMPLAINTS = ["编号", "收件日期", "来源", "方式", "办理状态", "办结日期"]


@pytest.fixture(autouse=True)
def _log_here(tmp_path, monkeypatch):
    monkeypatch.setenv("TAIZHANG_LOG_DIR", str(tmp_path / "logs"))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def ledger(path: Path, unit: str, days: list[date]) -> Path:
    rows = [[i + 1, day, "自办", "来信", "在办", None] for i, day in enumerate(days)]
    return write_xlsx(path, {"信访举报台账": [[f"填报单位：{unit}"], COMPLAINTS, *rows]})


def months_back(n: int, day: int = 10) -> date:
    """A day ``n`` months before this month (the tests run on whatever day it is)."""
    today = date.today()
    year, month = today.year, today.month - n
    while month < 1:
        year, month = year - 1, month + 12
    return date(year, month, day)


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


# --- 1. an output inside a folder given is never one of its ledgers ------------------------

@pytest.mark.slow
@pytest.mark.parametrize("command", ["check", "summary"])
def test_an_output_naming_a_ledger_inside_the_folder_is_refused_and_the_ledger_untouched(tmp_path, capsys, command):
    folder = tmp_path / "10月"
    shutil.copytree(SAMPLES / "2026-10", folder)
    target = folder / "实验小学_10月台账.xlsx"
    before = {p.name: digest(p) for p in folder.iterdir()}
    code, _out, err = run(capsys, command, str(folder), "-o", str(target))
    assert code == 2
    assert "不能写入被" in err and "源台账从不改动" in err and str(target) in err
    assert {p.name: digest(p) for p in folder.iterdir()} == before
    # and a later summary still counts every unit: nothing was marked as taizhang's own
    code, out, _err = run(capsys, "summary", str(folder), "--period", "2026-10", "--json")
    assert json.loads(out)["complaints"]["total"] == 33


@pytest.mark.slow
def test_checks_own_list_in_the_folder_is_replaced_without_a_note(tmp_path, capsys):
    folder = tmp_path / "10月"
    shutil.copytree(SAMPLES / "2026-10", folder)
    listing = folder / "问题清单.xlsx"
    assert run(capsys, "check", str(folder), "-o", str(listing))[0] in (0, 1)
    code, _out, err = run(capsys, "check", str(folder), "-o", str(listing))
    assert code in (0, 1) and "已跳过" not in err
    assert "问题清单" in openpyxl.load_workbook(listing, read_only=True).sheetnames


# --- 2. wrong folders are no success ---------------------------------------------------------

def test_consolidate_of_an_empty_folder_fails_and_writes_no_master(tmp_path, capsys):
    empty = tmp_path / "空"
    empty.mkdir()
    master = tmp_path / "主表.xlsx"
    code, _out, err = run(capsys, "consolidate", str(empty), "--period", "2026-10", "--master", str(master),
                          "--roster", str(SAMPLES / "单位名册.xlsx"))
    assert code == 2
    assert "没有找到工作簿文件" in err and "主表没有改动" in err and "--recursive" not in err
    assert not master.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["logs", "空"]


@pytest.mark.slow
def test_consolidate_of_a_folder_of_sub_folders_fails_and_names_recursive(tmp_path, capsys):
    top = tmp_path / "各单位"
    shutil.copytree(SAMPLES / "2026-10", top / "县一中")
    master = tmp_path / "主表.xlsx"
    args = ["consolidate", str(top), "--period", "2026-10", "--master", str(master),
            "--roster", str(SAMPLES / "单位名册.xlsx")]
    code, _out, err = run(capsys, *args)
    assert code == 2 and "子文件夹中有 8 个工作簿" in err and "--recursive" in err and not master.exists()
    code, _out, _err = run(capsys, *args, "--recursive", "--json")
    assert code in (0, 1, 2) and master.exists()  # the samples hold planted faults: read, not refused whole


@pytest.mark.slow
@pytest.mark.parametrize("command", ["check", "summary"])
def test_check_and_summary_say_where_the_workbooks_are_and_read_them_with_recursive(tmp_path, capsys, command):
    top = tmp_path / "各单位"
    shutil.copytree(SAMPLES / "2026-10", top / "十月")
    (top / "说明.txt").write_text("不是台账", encoding="utf-8")
    code, out, err = run(capsys, command, str(top), "--json")
    assert code == 2 and out == ""
    assert "没有找到工作簿文件" in err and "子文件夹中有 8 个工作簿" in err and "--recursive" in err
    code, out, _err = run(capsys, command, str(top), "--recursive", "--json", *(
        ["--period", "2026-10"] if command == "summary" else []))
    data = json.loads(out)
    if command == "check":
        assert data["summary"]["files"] == 8
    else:
        assert data["complaints"]["total"] == 33


def test_an_empty_folder_given_to_check_says_so_without_a_hint(tmp_path, capsys):
    code, _out, err = run(capsys, "check", str(tmp_path))
    assert code == 2 and "没有找到工作簿文件" in err and "--recursive" not in err


# --- 3. the default period -------------------------------------------------------------------

def _month_of_units(folder: Path, stray: bool = True) -> Path:
    """Seven units' ledgers of two months ago; one holds a row already dated last month."""
    folder.mkdir()
    for n in range(7):
        days = [months_back(2, 3 + i) for i in range(n % 3 + 1)]
        if stray and n == 4:
            days.append(months_back(1, 2))
        ledger(folder / f"第{n}学校.xlsx", f"第{n}学校", days)
    return folder


@pytest.mark.slow
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_with_no_period_the_month_the_ledgers_hold_is_reported_and_said_first(tmp_path, capsys, jobs):
    folder = _month_of_units(tmp_path / "收件")
    held = months_back(2)
    code, out, _err = run(capsys, "summary", str(folder), "--jobs", jobs)
    first = out.splitlines()[0]
    assert first.startswith(f"统计期间：{held.year}年{held.month}月（未指定期间，取台账中有数据的最近月份，7 个文件中 6 个")
    assert "--period" in first
    code, out, err = run(capsys, "summary", str(folder), "--jobs", jobs, "--json")
    data = json.loads(out)
    assert data["period"] == f"{held.year:04d}-{held.month:02d}" and data["period_source"] == "latest_rows"
    assert data["complaints"]["total"] == 1 + 2 + 3 + 1 + 2 + 3 + 1  # every unit's rows of that month
    assert err.startswith("统计期间：")  # with --json the line goes to stderr; stdout stays JSON


def test_an_as_of_or_a_period_given_is_obeyed_as_before(tmp_path, capsys):
    folder = _month_of_units(tmp_path / "收件")
    last = months_back(1)
    code, out, _err = run(capsys, "summary", str(folder), "--as-of", last.isoformat(), "--json")
    data = json.loads(out)
    assert data["period"] == f"{last.year:04d}-{last.month:02d}" and data["period_source"] == "as_of"
    assert data["complaints"]["total"] == 1 and data["period_note"] is None
    held = months_back(2)
    code, out, _err = run(capsys, "summary", str(folder), "--period", f"{held.year}年{held.month}月", "--json")
    assert json.loads(out)["period_source"] == "given"


def test_ledgers_without_dated_rows_fall_back_to_this_month_and_say_so(tmp_path, capsys):
    path = write_xlsx(tmp_path / "单位.xlsx", {"信访举报台账": [COMPLAINTS, [1, None, "自办", "来信", "在办", None]]})
    code, out, _err = run(capsys, "summary", str(path))
    today = date.today()
    assert out.splitlines()[0].startswith(f"统计期间：{today.year}年{today.month}月（未指定期间，台账中没有带日期的记录，取本月")


@pytest.mark.slow
def test_the_report_takes_the_same_month_and_says_so(tmp_path, capsys):
    folder = _month_of_units(tmp_path / "收件")
    held = months_back(2)
    out_doc = tmp_path / "汇报.docx"
    code, out, err = run(capsys, "report", str(folder), "-o", str(out_doc), "--json")
    data = json.loads(out)
    assert data["period"] == f"{held.year:04d}-{held.month:02d}" and data["period_source"] == "latest_rows"
    assert err.startswith(f"taizhang: 统计期间：{held.year}年{held.month}月")
    import docx

    text = "\n".join(p.text for p in docx.Document(out_doc).paragraphs)
    assert f"{held.year}年{held.month}月" in text


def test_the_ribbon_takes_the_month_the_workbook_holds_when_no_as_of_is_filled_in(tmp_path):
    from macros.actions import summarize
    from macros.openpyxl_port import OpenpyxlWorkbook
    from taizhang.config import load_config

    held = months_back(2)
    path = ledger(tmp_path / "单位.xlsx", "县一中", [months_back(2, 3), months_back(2, 9), months_back(3, 9)])
    message = summarize(OpenpyxlWorkbook(path), load_config())
    assert f"（{held.year}年{held.month}月）" in message and "取台账中有数据的最近月份" in message
    assert "台账设置" in message  # where to name another month


# --- 4. dates as staff write them ------------------------------------------------------------

@pytest.mark.parametrize("text", ["2026-10-31", "2026/10/31", "2026.10.31", "2026年10月31日", "２０２６－１０－３１",
                                  "２０２６年１０月３１日", " 2026-10-31 ", "20261031"])
def test_as_of_takes_the_forms_staff_write(tmp_path, capsys, text):
    path = ledger(tmp_path / "单位.xlsx", "县一中", [date(2026, 10, 3)])
    code, out, err = run(capsys, "summary", str(path), "--as-of", text, "--json")
    assert code == 0, err
    assert json.loads(out)["as_of"] == "2026-10-31"


@pytest.mark.parametrize("text, detail", [("2026-13-01", "不存在这一天"), ("明天", ""), ("46303", ""),
                                          ("2026-10", "")])
def test_an_as_of_that_is_no_day_is_refused_in_chinese(tmp_path, capsys, text, detail):
    path = ledger(tmp_path / "单位.xlsx", "县一中", [date(2026, 10, 3)])
    with pytest.raises(SystemExit) as exit_:
        main(["check", str(path), "--as-of", text])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "日期应写作 2026-10-31、2026/10/31、2026.10.31 或 2026年10月31日" in err and detail in err
    assert f"收到“{text}”" in err


# --- 5. a master is an .xlsx ---------------------------------------------------------------

@pytest.mark.parametrize("name", ["主表.xls", "主表.xlsm", "主表"])
def test_a_master_not_named_xlsx_is_refused_with_the_name_to_use(tmp_path, capsys, name):
    master = tmp_path / name
    code, _out, err = run(capsys, "consolidate", str(SAMPLES / "2026-10"), "--period", "2026-10",
                          "--master", str(master), "--roster", str(SAMPLES / "单位名册.xlsx"))
    assert code == 2 and "主表应保存为 .xlsx 文件" in err and "--master 主表.xlsx" in err
    assert not master.exists() and not (tmp_path / "主表.xlsx").exists()


def test_an_existing_xls_master_is_left_as_it_is(tmp_path, capsys):
    master = tmp_path / "主表.xls"
    master.write_bytes(b"\xd0\xcf\x11\xe0 an old master")
    code, _out, err = run(capsys, "consolidate", str(SAMPLES / "2026-10"), "--period", "2026-10",
                          "--master", str(master), "--roster", str(SAMPLES / "单位名册.xlsx"))
    assert code == 2 and master.read_bytes() == b"\xd0\xcf\x11\xe0 an old master"
    assert "另存为" in err
