"""What a bureau relies on around its outputs: one period parser for every command, the same
exit status everywhere, the master's backups kept to a number, the roster kept in the master,
and 问题清单 written by one writer with each code beside its Chinese title."""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from conftest import AS_OF, write_xlsx
from taizhang.cli import main
from taizhang.config import default_config, load_config
from taizhang.consolidation.master import backups_of
from taizhang.consolidation.roster import read_roster
from taizhang.consolidation.run import consolidate
from taizhang.findings import CATALOGUE
from taizhang.findings_sheet import FINDINGS_COLUMNS
from udfs import functions as udf

COMPLAINTS = ["编号", "收件日期", "来源", "方式", "办理状态", "办结日期"]


def unit_book(folder: Path, name: str, unit: str, rows: list) -> Path:
    return write_xlsx(folder / name, {"信访举报台账": [[f"填报单位：{unit}"], COMPLAINTS, *rows]})


def good(n: int, day: date, source: str = "自办") -> list:
    return [n, day, source, "来信", "办结", day]


@pytest.fixture
def clean(tmp_path):
    """Two units' October ledgers without a single finding, and a roster."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    unit_book(inbox, "县一中10月.xlsx", "县一中", [good(1, date(2026, 10, 8), "省转办"), good(2, date(2026, 10, 9))])
    unit_book(inbox, "县二中10月.xlsx", "县二中", [good(1, date(2026, 10, 12), "市转办")])
    roster = write_xlsx(tmp_path / "名册.xlsx", {"名册": [
        ["单位", "别名"], ["县第一中学", "县一中、一中"], ["县第二中学", "县二中"]]})
    return inbox, roster, tmp_path / "局主表.xlsx"


def cli(capsys, *argv):
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


# --- one period parser --------------------------------------------------------------------

@pytest.mark.parametrize("text", ["2026-10", "2026/10", "2026年10月", "202610", "2026.10", "２０２６年１０月"])
def test_every_command_reads_every_form_of_a_month(clean, capsys, text):
    inbox, roster, master = clean
    code, out, _ = cli(capsys, "summary", inbox, "--period", text, "--as-of", AS_OF.isoformat(), "--json")
    data = json.loads(out)
    assert code == 0 and data["period"] == "2026-10" and data["complaints"]["total"] == 3
    assert data["year_to_date"]["complaints"]["total"] == 3
    code, out, _ = cli(capsys, "consolidate", inbox, "--period", text, "--master", master, "--roster", roster, "--json")
    data = json.loads(out)
    assert code == 0 and data["period"] == "2026-10" and data["summary"]["complaints"]["total"] == 3
    status = openpyxl.load_workbook(master)["报送情况"]
    assert {r[1] for r in status.iter_rows(min_row=2, values_only=True)} == {"2026-10"}
    table = [["信访编号", "受理日期", "信访来源", "状态"], [1.0, datetime(2026, 10, 3), "自办", "在办"],
             [2.0, datetime(2026, 9, 3), "自办", "在办"]]
    assert udf.complaint_count(table, None, text) == 1  # the worksheet functions too


@pytest.mark.parametrize("text, total", [("2026", 3), ("all", 3), ("2026年", 3)])
def test_summary_reads_a_year_and_everything(clean, capsys, text, total):
    inbox, _roster, _master = clean
    code, out, _ = cli(capsys, "summary", inbox, "--period", text, "--as-of", AS_OF.isoformat(), "--json")
    assert code == 0 and json.loads(out)["complaints"]["total"] == total


# --- exit status --------------------------------------------------------------------------

def test_consolidate_exit_status_means_what_it_means_everywhere(clean, capsys):
    inbox, roster, master = clean
    args = ("consolidate", inbox, "--period", "2026-10", "--master", master, "--roster", roster)
    assert cli(capsys, *args)[0] == 0  # no errors
    # a newer file of the same unit supersedes the old one: not a fault
    newer = unit_book(inbox, "县一中10月（更正）.xlsx", "县一中", [good(1, date(2026, 10, 8), "省转办")])
    import os
    os.utime(newer, (newer.stat().st_atime, newer.stat().st_mtime + 60))
    code, out, _ = cli(capsys, *args, "--json")
    assert code == 0 and any(f["superseded"] for f in json.loads(out)["files"])
    # a ledger error: done, exit 1 (as the README says, like check and summary)
    unit_book(inbox, "县二中10月.xlsx", "县二中", [good(1, date(2026, 10, 12), "区转办")])
    code, out, err = cli(capsys, *args, "--json")
    assert code == 1 and json.loads(out)["exit_status"] == 1 and "有台账存在错误" in err
    assert cli(capsys, "check", inbox / "县二中10月.xlsx", "--as-of", AS_OF.isoformat())[0] == 1
    assert cli(capsys, "summary", inbox, "--as-of", AS_OF.isoformat())[0] == 1
    # a file that cannot be read at all: exit 2, the others merged all the same
    (inbox / "县三中.xlsx").write_bytes(b"PK\x03\x04 broken")
    code, out, _ = cli(capsys, *args, "--json")
    data = json.loads(out)
    assert code == 2 and data["units_reported"] == ["县第一中学", "县第二中学"]
    assert [f["readable"] for f in data["files"] if Path(f["path"]).name == "县三中.xlsx"] == [False]
    assert cli(capsys, "check", inbox, "--as-of", AS_OF.isoformat())[0] == 2
    assert cli(capsys, "summary", inbox, "--as-of", AS_OF.isoformat())[0] == 2


# --- backups and roster -------------------------------------------------------------------

def test_backups_keep_the_last_ten(clean):
    inbox, roster, master = clean
    made = []
    for _ in range(13):
        result = consolidate(inbox, "2026-10", master, config=default_config(), roster_path=roster, jobs=1)
        if result.backup is not None:
            made.append(result.backup)
    assert len(made) == 12  # every run after the first backs up the master it replaces
    kept = backups_of(master)
    assert kept == made[-10:] and all(p.is_file() for p in kept)
    assert not any(p.exists() for p in made[:2])


def test_backups_kept_are_configurable(clean, tmp_path):
    inbox, roster, master = clean
    office = tmp_path / "taizhang.toml"
    office.write_text("[limits]\nbackups = 3\n", encoding="utf-8")
    config = load_config(office)
    made = [consolidate(inbox, "2026-10", master, config=config, roster_path=roster, jobs=1).backup
            for _ in range(6)]
    assert backups_of(master) == made[-3:]
    stranger = master.with_name("局主表.备份-说明.txt")  # not a backup: never touched
    stranger.write_text("x")
    consolidate(inbox, "2026-10", master, config=config, roster_path=roster, jobs=1)
    assert stranger.exists() and len(backups_of(master)) == 3


def test_the_master_keeps_the_roster_it_was_checked_against(clean):
    inbox, roster, master = clean
    consolidate(inbox, "2026-10", master, config=default_config(), roster_path=roster, jobs=1)
    kept = read_roster(master, "单位名册")
    assert kept.units == ["县第一中学", "县第二中学"]
    assert kept.aliases["县第一中学"] == ("县一中", "一中")
    # the next month needs no --roster: the master's own is used
    shutil.copy(inbox / "县一中10月.xlsx", inbox.parent / "keep.xlsx")
    result = consolidate(inbox, "2026-10", master, config=default_config(), jobs=1)
    assert result.units_reported == ["县第一中学", "县第二中学"] and result.units_missing == []
    # a changed roster given again replaces the kept one
    write_xlsx(roster, {"名册": [["单位", "别名"], ["县第一中学", "县一中"], ["县第二中学", "县二中"], ["东关小学", ""]]})
    result = consolidate(inbox, "2026-10", master, config=default_config(), roster_path=roster, jobs=1)
    assert result.units_missing == ["东关小学"]
    assert read_roster(master, "单位名册").units == ["县第一中学", "县第二中学", "东关小学"]


# --- 问题清单 --------------------------------------------------------------------------------

def test_summary_and_master_write_one_findings_layout_with_titles(clean, capsys, tmp_path):
    inbox, roster, master = clean
    unit_book(inbox, "县二中10月.xlsx", "县二中", [good(1, date(2026, 10, 12), "区转办")])
    out = tmp_path / "汇总.xlsx"
    cli(capsys, "summary", inbox, "--as-of", AS_OF.isoformat(), "-o", out)
    cli(capsys, "consolidate", inbox, "--period", "2026-10", "--master", master, "--roster", roster)
    for path in (out, master):
        ws = openpyxl.load_workbook(path)["问题清单"]
        rows = list(ws.iter_rows(values_only=True))
        assert rows[0] == FINDINGS_COLUMNS
        listed = [dict(zip(FINDINGS_COLUMNS, r)) for r in rows[1:]]
        assert [(r["文件"], r["单元格"], r["代码"], r["问题类型"]) for r in listed] == [
            ("县二中10月.xlsx", "C3", "unknown-value", "不在规定选项内")]
        assert listed[0]["单位"] == "县二中" if path == out else "县第二中学"
        assert listed[0]["月份"] == "2026-10"
    # the 汇总表's "见问题清单" points at a sheet the summary wrote
    wb = openpyxl.load_workbook(out)
    labels = [c.value for c in wb["汇总表"]["A"] if isinstance(c.value, str)]
    assert any("来源不明（见问题清单）" in v for v in labels) and "问题清单" in wb.sheetnames
    detail = openpyxl.load_workbook(master)["信访举报合并"]
    header = [c.value for c in detail[1]]
    issues = [r[header.index("检查结果")] for r in detail.iter_rows(min_row=2, values_only=True)]
    assert "不在规定选项内（unknown-value）" in issues
    for code, (_severity, title) in CATALOGUE.items():  # every code has a Chinese title to stand by
        assert title and not title.isascii(), code


def test_check_writes_the_same_findings_sheet(clean, capsys, tmp_path):
    inbox, _roster, _master = clean
    bad = unit_book(inbox, "县二中10月.xlsx", "县二中", [good(1, date(2026, 10, 12), "区转办")])
    out = tmp_path / "问题.xlsx"
    code, _, _ = cli(capsys, "check", inbox, "--as-of", AS_OF.isoformat(), "-o", out)
    assert code == 1
    rows = list(openpyxl.load_workbook(out)["问题清单"].iter_rows(values_only=True))
    assert rows[0] == FINDINGS_COLUMNS and [(r[8], r[10]) for r in rows[1:]] == [("不在规定选项内", "unknown-value")]
    before = bad.read_bytes()
    code, _, err = cli(capsys, "check", bad, "-o", bad)
    assert code == 2 and "不能写入被检查的台账" in err and bad.read_bytes() == before


def test_backups_made_within_one_second_keep_their_order(clean, monkeypatch):
    """Runs in the same second number their backups after the ones still there, so that the
    newest always sorts last and pruning never deletes it."""
    import taizhang.consolidation.master as master_module

    inbox, roster, master = clean
    real = master_module.time.strftime
    monkeypatch.setattr(master_module.time, "strftime",
                        lambda fmt, *t: "20261031-120000" if fmt == "%Y%m%d-%H%M%S" else real(fmt, *t))
    made = [consolidate(inbox, "2026-10", master, config=default_config(), roster_path=roster, jobs=1).backup
            for _ in range(14)][1:]
    assert backups_of(master) == made[-10:]
    assert made[-1].name == "局主表.备份-20261031-120000-12.xlsx"
