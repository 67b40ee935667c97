"""`taizhang consolidate`: a real month of units' workbooks into a master, safely."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import openpyxl
import pytest
import python_calamine as pc

from fixtures import write_xls, write_xlsx
from taizhang.cli import main
from taizhang.config import default_config
from taizhang.consolidation.lock import lock_path
from taizhang.consolidation.run import consolidate

COMPLAINTS = ["编号", "收件日期", "来源", "方式", "反映人", "联系电话", "办理状态", "办结日期"]
REFUNDS = ["学校", "查实日期", "应退金额", "已退金额"]


def unit_book(folder: Path, name: str, unit: str | None, complaints: list, refunds: list | None = None,
              xls: bool = False) -> Path:
    title = [[f"填报单位：{unit}"]] if unit else [["信访举报台账"]]
    sheets = {"信访举报台账": title + [COMPLAINTS] + complaints}
    if refunds is not None:
        sheets["退费台账"] = [["退费台账"], REFUNDS] + refunds
    return (write_xls if xls else write_xlsx)(folder / name, sheets)


def complaint(n, day, source="自办", who="张三丰", phone="13812345678", status="在办", closed=None):
    return [n, day, source, "来信", who, phone, status, closed]


@pytest.fixture
def month(tmp_path):
    """A folder of October submissions with a roster, and where the master goes."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    unit_book(inbox, "县一中10月.xlsx", "县一中", [
        complaint(1, date(2026, 10, 8), "省转", status="办结", closed=date(2026, 10, 20)),
        complaint(2, date(2026, 10, 9), "市局转办"),
        complaint(3, date(2026, 9, 28), "直接受理"),     # an earlier month, still in the ledger
        complaint(4, date(2026, 11, 3)),                 # after the month: rejected with a reason
    ], [["一中", date(2026, 10, 10), "4.5万元", 45000]])
    unit_book(inbox, "二中.xls", None, [complaint(1, date(2026, 10, 2), "区转办")], xls=True)  # unknown source
    unit_book(inbox, "某培训机构.xlsx", "某培训机构", [complaint(1, date(2026, 10, 2))])
    (inbox / "城关小学.xlsx").write_bytes(b"PK\x03\x04broken")
    (inbox / "~$县一中10月.xlsx").write_bytes(b"lock")
    roster = write_xlsx(tmp_path / "名册.xlsx", {"单位名册": [
        ["单位", "别名"], ["县第一中学", "县一中、一中"], ["县第二中学", "二中，第二中学"],
        ["城关小学", ""], ["东关小学", "东关"]]})
    return inbox, roster, tmp_path / "局主表.xlsx"


def run(inbox, roster, master, period="2026-10", **kw):
    return consolidate(inbox, period, master, config=default_config(), roster_path=roster, jobs=1, **kw)


def sheet_values(path: Path) -> dict[str, list[list]]:
    book = pc.CalamineWorkbook.from_path(str(path))
    return {n: book.get_sheet_by_name(n).to_python() for n in book.sheet_names}


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_consolidation_accounts_for_every_row_and_unit(month):
    inbox, roster, master = month
    before = digest(inbox)
    result = run(inbox, roster, master)
    assert digest(inbox) == before  # sources untouched
    by_name = {f.path.name: f for f in result.files}
    assert set(by_name) == {"县一中10月.xlsx", "二中.xls", "某培训机构.xlsx", "城关小学.xlsx"}
    one = by_name["县一中10月.xlsx"]
    assert (one.unit, one.status, one.rows_read, one.rows_written, one.rows_rejected) == (
        "县第一中学", "ok", 5, 4, 1)
    assert "晚于 2026-10" in one.reason
    two = by_name["二中.xls"]
    assert (two.unit, two.status, two.rows_written, two.errors) == ("县第二中学", "ok", 1, 1)
    stranger = by_name["某培训机构.xlsx"]
    assert (stranger.status, stranger.rows_read, stranger.rows_rejected) == ("rejected", 1, 1)
    assert "不在单位名册" in stranger.reason
    broken = by_name["城关小学.xlsx"]
    assert broken.status == "rejected" and "损坏" in broken.reason
    for f in result.files:
        assert f.rows_read == f.rows_written + f.rows_rejected
    assert result.units_reported == ["县第一中学", "县第二中学"]
    assert result.units_missing == ["城关小学", "东关小学"]

    sheets = sheet_values(master)
    detail = sheets["信访举报合并"]
    header = detail[0]
    assert header[:5] == ["单位", "月份", "来源文件", "原工作表", "原行号"]
    rows = [dict(zip(header, r)) for r in detail[1:]]
    assert [(r["单位"], r["月份"], r["原行号"], r["来源"]) for r in rows] == [
        ("县第一中学", "2026-09", 5, "自办"),
        ("县第一中学", "2026-10", 3, "省转办"),
        ("县第一中学", "2026-10", 4, "市转办"),
        ("县第二中学", "2026-10", 3, "区转办"),  # kept as written, flagged
    ]
    assert rows[3]["检查结果"] == "不在规定选项内（unknown-value）"  # the code beside its title
    assert {r["反映人"] for r in rows} == {"张**"} and {r["联系电话"] for r in rows} == {"138****5678"}
    status = {r[0]: r for r in sheets["报送情况"][1:]}
    assert status["东关小学"][2] == "未报送" and status["县第一中学"][2] == "已报送"
    assert status["县第一中学"][5:8] == [5, 4, 1]
    issues = sheets["问题清单"]
    assert issues[0][7:11] == ["级别", "问题类型", "问题", "代码"]  # the code last, hidden
    assert any([r[8], r[10]] == ["不在规定选项内", "unknown-value"] and r[4] == "C3" for r in issues[1:])
    # complainant identity appears nowhere in the master
    blob = json.dumps(sheets, default=str, ensure_ascii=False)
    assert "张三丰" not in blob and "13812345678" not in blob


@pytest.mark.slow
def test_rerun_is_identical_and_resubmission_replaces_only_that_unit(month, tmp_path):
    inbox, roster, master = month
    run(inbox, roster, master)
    first = sheet_values(master)
    run(inbox, roster, master)
    assert sheet_values(master) == first
    assert len(list(tmp_path.glob("局主表.备份-*.xlsx"))) >= 1

    # 县一中 sends a corrected file: one complaint fewer in October, alone in a new folder
    fix = tmp_path / "fix"
    fix.mkdir()
    unit_book(fix, "县一中10月(更正).xlsx", "县第一中学", [
        complaint(1, date(2026, 10, 8), "省转", status="办结", closed=date(2026, 10, 20)),
    ])
    run(fix, roster, master)
    rows = sheet_values(master)["信访举报合并"][1:]
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("县第一中学", "2026-09", "县一中10月.xlsx"),       # September is not in the new file: kept
        ("县第一中学", "2026-10", "县一中10月(更正).xlsx"),
        ("县第二中学", "2026-10", "二中.xls"),              # nobody else's rows change
    ]
    refunds = sheet_values(master)["退费合并"][1:]
    assert [r[0] for r in refunds] == ["县第一中学"]  # the corrected file has no refunds sheet


@pytest.mark.slow
def test_earlier_months_are_kept(month, tmp_path):
    inbox, roster, master = month
    september = tmp_path / "sep"
    september.mkdir()
    unit_book(september, "东关小学9月.xlsx", "东关", [complaint(1, date(2026, 9, 3)), complaint(2, date(2026, 9, 4))])
    sep = run(september, roster, master, period="2026-09")
    assert sep.summary["complaints"]["total"] == 2
    result = run(inbox, roster, master)
    # October alone this month; the year to date adds September's rows, kept in the master
    assert result.summary["period"] == "2026-10"
    assert result.summary["complaints"]["total"] == 3          # 县一中 x2, 二中 x1 (区转办)
    assert result.summary["complaints"]["by_source"] == {"省转办": 1, "市转办": 1, "自办": 0}
    ytd = result.summary["year_to_date"]["complaints"]
    assert ytd["total"] == 3 + 1 + 2                          # + 县一中's September row + 东关's two
    assert ytd["by_source"]["自办"] == 3
    assert result.summary["refunds"]["refunded"] == "45000.00"
    summary = openpyxl.load_workbook(master)["汇总表"]
    labels = {str(summary.cell(r, 1).value).strip("　"): r for r in range(1, summary.max_row + 1)}
    row = labels["受理信访举报总数"]
    assert (summary.cell(row, 2).value, summary.cell(row, 3).value) == (3, 6)
    banner = summary["A3"].value
    assert banner.startswith("注意") and "县第二中学：错误 1 个" in banner
    rows = sheet_values(master)["信访举报合并"][1:]
    months = sorted((r[0], r[1]) for r in rows)
    assert months.count(("东关小学", "2026-09")) == 2
    status = [(r[0], r[1], r[2]) for r in sheet_values(master)["报送情况"][1:]]
    assert ("东关小学", "2026-09", "已报送") in status and ("东关小学", "2026-10", "未报送") in status


@pytest.mark.slow
def test_other_sheets_of_the_master_survive(month):
    inbox, roster, master = month
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "领导批示"
    ws["A1"] = "请各单位按时报送"
    ws["B2"] = 12345.67
    ws["B2"].number_format = "#,##0.00"
    ws.merge_cells("A3:C3")
    wb.save(master)
    run(inbox, roster, master)
    back = openpyxl.load_workbook(master)
    assert back.sheetnames[0] == "领导批示"
    assert back.sheetnames[1:3] == ["汇总表", "整改台账合并"]
    kept = back["领导批示"]
    assert (kept["A1"].value, kept["B2"].value, kept["B2"].number_format) == ("请各单位按时报送", 12345.67, "#,##0.00")
    assert [str(r) for r in kept.merged_cells.ranges] == ["A3:C3"]


def test_roster_from_the_master_and_cli_json(month, capsys):
    inbox, roster, master = month
    wb = openpyxl.load_workbook(roster)
    wb.save(master)  # the master carries its own 单位名册 sheet
    code = main(["consolidate", str(inbox), "--period", "2026-10", "--master", str(master), "--json"])
    out = capsys.readouterr()
    assert code == 2  # 城关小学.xlsx cannot be read: exit 2 as in every command, the others merged
    data = json.loads(out.out)
    assert data["exit_status"] == 2 and "有文件无法读取" in out.err
    assert set(data) >= {"period", "units_reported", "units_missing", "files", "rows_read",
                         "rows_written", "rows_rejected", "summary"}
    assert data["rows_read"] == data["rows_written"] + data["rows_rejected"] == 7
    assert set(data["files"][0]) >= {"path", "unit", "status", "reason", "rows_read", "rows_written",
                                     "rows_rejected", "errors", "warnings"}
    assert "张三丰" not in out.out + out.err and "13812345678" not in out.out + out.err
    assert "单位名册" in openpyxl.load_workbook(master).sheetnames


@pytest.mark.parametrize("argv, message", [
    (["--period", "2026-13"], "期间应写作 2026-10、2026/10、2026年10月、202610"),
    (["--period", "10月"], "期间应写作"),
    (["--period", "2026"], "这里需要一个月份"),
    (["--period", "all"], "这里需要一个月份"),
])
def test_bad_period_exits_2(month, capsys, argv, message):
    inbox, roster, master = month
    code = main(["consolidate", str(inbox), "--master", str(master), "--roster", str(roster), *argv])
    assert code == 2 and message in capsys.readouterr().err
    assert not master.exists()


def test_missing_folder_exits_2(month, capsys):
    _inbox, roster, master = month
    code = main(["consolidate", "/no/such/folder", "--period", "2026-10", "--master", str(master),
                 "--roster", str(roster)])
    assert code == 2 and "文件夹不存在" in capsys.readouterr().err


def test_lock_refuses_a_second_run_and_a_stale_lock_is_recovered(month, capsys):
    inbox, roster, master = month
    lock = lock_path(master)
    import socket

    lock.write_text(json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "started": "now"}))
    code = main(["consolidate", str(inbox), "--period", "2026-10", "--master", str(master), "--roster", str(roster)])
    assert code == 2 and "正在被另一个合并任务使用" in capsys.readouterr().err
    assert not master.exists() and lock.exists()

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    lock.write_text(json.dumps({"pid": int(dead.stdout), "host": socket.gethostname(), "started": "then"}))
    code = main(["consolidate", str(inbox), "--period", "2026-10", "--master", str(master), "--roster", str(roster)])
    assert code == 2 and "已清除" in capsys.readouterr().err  # merged; 2 for the one unreadable file
    assert master.exists() and not lock.exists()


@pytest.mark.slow
def test_killed_writer_leaves_previous_master_intact(month):
    inbox, roster, master = month
    run(inbox, roster, master)
    before = master.read_bytes()
    first = sheet_values(master)
    script = textwrap.dedent(f"""
        import os, signal
        import openpyxl.workbook.workbook as wbmod
        real_save = wbmod.Workbook.save
        def dying_save(self, filename):
            real_save(self, filename)
            with open(filename, "r+b") as fh:   # half-written, then the process is killed
                fh.truncate(os.path.getsize(filename) // 2)
            os.kill(os.getpid(), signal.SIGKILL)
        wbmod.Workbook.save = dying_save
        from pathlib import Path
        from taizhang.config import default_config
        from taizhang.consolidation.run import consolidate
        consolidate(Path({str(inbox)!r}), "2026-10", Path({str(master)!r}), config=default_config(),
                    roster_path=Path({str(roster)!r}), jobs=1)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert proc.returncode != 0
    assert master.read_bytes() == before
    assert lock_path(master).exists()  # left behind by the killed process
    assert list(master.parent.glob(f".{master.name}.*.tmp"))  # and its half-written file
    result = run(inbox, roster, master)  # recovers the stale lock
    assert not list(master.parent.glob(f".{master.name}.*.tmp"))
    assert result.notices and "已清除" in result.notices[0]
    assert sheet_values(master) == first


@pytest.mark.slow
def test_parallel_reading_gives_the_same_master(month, tmp_path):
    inbox, roster, master = month
    for i in range(8):
        unit_book(inbox, f"东关{i}.xlsx", "东关小学", [complaint(i + 1, date(2026, 10, i + 1))])
        os.utime(inbox / f"东关{i}.xlsx", (1_800_000_000 + i, 1_800_000_000 + i))
    serial = tmp_path / "serial.xlsx"
    consolidate(inbox, "2026-10", serial, config=default_config(), roster_path=roster, jobs=1)
    parallel = tmp_path / "parallel.xlsx"
    result = consolidate(inbox, "2026-10", parallel, config=default_config(), roster_path=roster, jobs=2)
    assert sheet_values(serial) == sheet_values(parallel)
    dong = [f for f in result.files if f.unit == "东关小学"]
    assert [f.status for f in dong].count("ok") == 1 and "东关7.xlsx" in [f.path.name for f in dong if f.status == "ok"]


def test_links_leaving_the_folder_are_not_followed(month, tmp_path):
    inbox, roster, master = month
    outside = unit_book(tmp_path, "外部.xlsx", "东关小学", [complaint(1, date(2026, 10, 2))])
    (inbox / "东关小学.xlsx").symlink_to(outside)
    result = run(inbox, roster, master)
    link = next(f for f in result.files if f.path.name == "东关小学.xlsx")
    assert link.status == "rejected" and "链接" in link.reason and link.rows_read == 0
    assert "东关小学" in result.units_missing


@pytest.mark.slow
def test_a_file_that_kills_its_reader_is_refused_and_the_rest_consolidated(month, tmp_path, monkeypatch):
    """A reader that aborts the process (seen with damaged files) costs one file, not the run."""
    import taizhang.consolidation.intake as intake

    import multiprocessing

    from taizhang import workers

    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork on this system: the crash is injected by patching the parent")
    # workers by fork, whatever else runs in this test process (as on a plain Linux run)
    monkeypatch.setattr(workers, "start_context", lambda: (multiprocessing.get_context("fork"), 2))
    inbox, roster, master = month
    for i in range(6):  # files for the worker pool
        unit_book(inbox, f"东关{i}.xlsx", "东关小学", [complaint(i + 1, date(2026, 10, i + 1))])
    poison = unit_book(inbox, "致命.xlsx", "东关小学", [complaint(1, date(2026, 10, 1))])
    real = intake.read_file

    def read_or_die(path, *args):
        if path.name == poison.name:
            os._exit(134)  # what an abort inside the reader looks like from outside
        return real(path, *args)

    monkeypatch.setattr(intake, "read_file", read_or_die)
    result = consolidate(inbox, "2026-10", master, config=default_config(), roster_path=roster, jobs=2)
    dead = next(f for f in result.files if f.path.name == "致命.xlsx")
    assert dead.status == "rejected" and "异常终止" in dead.reason
    assert "县第一中学" in result.units_reported and "东关小学" in result.units_reported


@pytest.mark.parametrize("where, message", [("no/such/dir/主表.xlsx", "文件夹不存在"), (".", "不是文件夹")])
def test_a_master_that_cannot_be_written_exits_2_before_reading_anything(month, capsys, where, message):
    inbox, roster, _master = month
    target = inbox.parent / where
    code = main(["consolidate", str(inbox), "--period", "2026-10", "--master", str(target), "--roster", str(roster)])
    assert code == 2 and message in capsys.readouterr().err


def test_an_unreadable_master_exits_2(month, capsys):
    inbox, roster, master = month
    master.write_bytes(b"this is not a workbook")
    code = main(["consolidate", str(inbox), "--period", "2026-10", "--master", str(master), "--roster", str(roster)])
    assert code == 2 and "主表无法读取" in capsys.readouterr().err
    assert master.read_bytes() == b"this is not a workbook"


def test_an_open_rectification_item_with_a_later_deadline_is_not_a_later_row(month):
    inbox, roster, master = month
    write_xlsx(inbox / "东关小学.xlsx", {"整改台账": [
        ["填报单位：东关小学"], ["问题描述", "责任单位", "整改时限", "整改状态"],
        ["食堂账目不清", "东关小学", date(2026, 12, 31), "整改中"]]})
    result = run(inbox, roster, master)
    dong = next(f for f in result.files if f.unit == "东关小学")
    assert (dong.rows_written, dong.rows_rejected) == (1, 0)
    rows = sheet_values(master)["整改台账合并"][1:]
    assert [(r[0], r[1]) for r in rows] == [("东关小学", "2026-10")]
    assert result.summary["year_to_date"]["rectification"]["total"] == 1


# -- the master is the clerk's file too: hand edits kept, or refused loudly (issue 24, item 8) --

def _clean(month):
    """The month's folder without its broken and off-roster files: exit status 1 (二中's error)."""
    inbox, roster, master = month
    (inbox / "城关小学.xlsx").unlink()
    (inbox / "某培训机构.xlsx").unlink()
    return inbox, roster, master


def _cli(inbox, roster, master, capsys, period="2026-10"):
    code = main(["consolidate", str(inbox), "--period", period, "--master", str(master), "--roster", str(roster)])
    return code, capsys.readouterr().err


@pytest.mark.slow
def test_a_column_inserted_by_hand_is_kept_with_its_values(month, tmp_path, capsys):
    inbox, roster, master = _clean(month)
    sep = tmp_path / "sep"
    sep.mkdir()
    unit_book(sep, "东关小学9月.xlsx", "东关", [complaint(1, date(2026, 9, 3)), complaint(2, date(2026, 9, 4))])
    run(sep, roster, master, period="2026-09")
    run(inbox, roster, master)
    wb = openpyxl.load_workbook(master)
    ws = wb["信访举报合并"]
    ws.insert_cols(8)  # after 收件日期: the clerk's own column, filled in for every row
    ws.cell(1, 8).value = "承办人"
    handlers = {ws.cell(r, 1).value + str(ws.cell(r, 6).value) + ws.cell(r, 2).value: f"李{r}"
                for r in range(2, ws.max_row + 1)}
    for r in range(2, ws.max_row + 1):
        ws.cell(r, 8).value = f"李{r}"
    wb.save(master)

    def kept() -> dict[str, str]:
        rows = sheet_values(master)["信访举报合并"]
        assert rows[0][7] == "承办人" and rows[0][:7] == ["单位", "月份", "来源文件", "原工作表", "原行号", "编号", "收件日期"]
        assert rows[0][8] == "来源"
        return {r[0] + str(int(r[5])) + r[1]: r[7] or None for r in rows[1:]}

    code, err = _cli(inbox, roster, master, capsys)  # the same files again: every row kept, and its 承办人
    assert code == 1 and "手工添加的列已保留" in err and "承办人" in err
    assert kept() == handlers
    code, err = _cli(inbox, roster, master, capsys)  # and again, from the store
    assert code == 1 and kept() == handlers
    # 县一中 sends a corrected file: the row it changed cannot carry the clerk's value: said so
    fix = tmp_path / "fix"
    fix.mkdir()
    unit_book(fix, "县一中10月(更正).xlsx", "县第一中学", [
        complaint(1, date(2026, 10, 8), "省转", status="办结", closed=date(2026, 10, 20)),
        complaint(2, date(2026, 10, 9), "市局转办", status="办结", closed=date(2026, 10, 30)),
    ])
    code, err = _cli(fix, roster, master, capsys)
    assert code == 0
    after = kept()
    assert after["县第一中学12026-10"] == handlers["县第一中学12026-10"]  # unchanged row: kept
    assert after["县第一中学22026-10"] is None  # changed: the notice names it and the backup
    assert "1 行的“承办人”" in err and "备份" in err
    assert after["东关小学12026-09"] == handlers["东关小学12026-09"]


@pytest.mark.slow
def test_a_renamed_detail_sheet_is_refused_and_the_master_left_as_it_was(month, tmp_path, capsys):
    inbox, roster, master = _clean(month)
    sep = tmp_path / "sep"
    sep.mkdir()
    unit_book(sep, "东关小学9月.xlsx", "东关", [complaint(1, date(2026, 9, 3))],
              [["东关小学", date(2026, 9, 5), "1,200.50", 1000]])
    run(sep, roster, master, period="2026-09")
    full = run(inbox, roster, master).summary["year_to_date"]["refunds"]
    assert (full["cases"], full["refunded"]) == (2, "46000.00")
    wb = openpyxl.load_workbook(master)
    wb["退费合并"].title = "退费合并（旧）"
    wb.save(master)
    before = master.read_bytes()
    code, err = _cli(inbox, roster, master, capsys)
    assert code == 2
    assert "“退费合并”被改名为“退费合并（旧）”" in err and "主表未改动" in err
    assert master.read_bytes() == before
    wb = openpyxl.load_workbook(master)  # named back: the year's refunds are all there
    wb["退费合并（旧）"].title = "退费合并"
    wb.save(master)
    again = run(inbox, roster, master).summary["year_to_date"]["refunds"]
    assert (again["cases"], again["refunded"]) == (2, "46000.00")


def _edit_a_figure(ws) -> None:
    cell = next(c for row in ws.iter_rows() for c in row if c.value == 3)
    cell.value = 4


@pytest.mark.slow
@pytest.mark.parametrize("edit, message", [
    (lambda wb: wb.remove(wb["退费合并"]), "“退费合并”被删除或改名"),
    (lambda wb: setattr(wb["信访举报合并"]["H1"], "value", "信访来源"), "“来源”列被改名为“信访来源”"),
    (lambda wb: wb["信访举报合并"].delete_cols(8), "“来源”列被删除或改名"),
    (lambda wb: setattr(wb["信访举报合并"]["Z3"], "value", "备忘"), "Z 列有内容，但第 1 行没有列名"),
    (lambda wb: setattr(wb["报送情况"]["L1"], "value", "单位"), "“单位”出现了不止一次"),
    (lambda wb: _edit_a_figure(wb["汇总表"]), "“汇总表”有手工修改"),
])
def test_edits_that_cannot_be_kept_are_refused_naming_sheet_and_edit(month, capsys, edit, message):
    inbox, roster, master = _clean(month)
    run(inbox, roster, master)
    wb = openpyxl.load_workbook(master)
    edit(wb)
    wb.save(master)
    before = master.read_bytes()
    code, err = _cli(inbox, roster, master, capsys)
    assert code == 2 and message in err and "合并没有进行，主表未改动" in err
    assert master.read_bytes() == before


# -- faults say what happened (item 9) -----------------------------------------------------

@pytest.mark.slow
def test_a_truncated_master_is_not_blamed_on_a_unit(month, capsys):
    inbox, roster, master = _clean(month)
    run(inbox, roster, master)
    run(inbox, roster, master)  # a backup to name
    data = master.read_bytes()
    master.write_bytes(data[: len(data) // 2])
    code, err = _cli(inbox, roster, master, capsys)
    assert code == 2 and "主表无法读取" in err and "已损坏" in err
    assert "报送单位" not in err and "局主表.备份-" in err and "主表未改动" in err


@pytest.mark.slow
def test_a_truncated_backup_and_a_broken_file_of_a_roster_unit_are_labelled_truly(month, tmp_path):
    inbox, roster, master = month
    backup = inbox / "局主表.备份-20261101-093000.xlsx"  # a master's backup copied into the folder, cut short
    run(inbox, roster, tmp_path / "other.xlsx")
    data = (tmp_path / "other.xlsx").read_bytes()
    backup.write_bytes(data[: len(data) // 2])
    outside = unit_book(tmp_path, "外部.xlsx", "东关小学", [complaint(1, date(2026, 10, 2))])
    (inbox / "东关小学.xlsx").symlink_to(outside)  # turned back unread: its name tells the unit
    result = run(inbox, roster, master)
    status = {r[3]: r for r in sheet_values(master)["报送情况"][1:] if r[3]}
    assert status["城关小学.xlsx"][0] == "城关小学"  # on the roster: not （名册外）
    assert status["城关小学.xlsx"][2] == "退回"
    assert status["东关小学.xlsx"][0] == "东关小学" and "链接" in status["东关小学.xlsx"][10]
    refused = status[backup.name]
    assert refused[0].startswith("（主表备份）") and "主表的备份" in refused[10] and "报送单位" not in refused[10]
    assert "名册外" not in json.dumps(sheet_values(master)["报送情况"], ensure_ascii=False, default=str)
    issues = [r for r in sheet_values(master)["问题清单"][1:] if r[2] == "城关小学.xlsx"]
    assert issues and {r[0] for r in issues} == {"城关小学"}
    assert next(f for f in result.files if f.path.name == "城关小学.xlsx").unit == "城关小学"


@pytest.mark.slow
def test_report_into_a_folder_says_so_in_chinese(tmp_path, capsys):
    folder = tmp_path / "汇报.docx"
    folder.mkdir()
    samples = Path(__file__).resolve().parents[1] / "workbooks" / "samples" / "2026-10"
    code = main(["report", str(samples), "--period", "2026-10", "-o", str(folder)])
    err = capsys.readouterr().err
    assert code == 2 and "这是一个文件夹" in err and "Is a directory" not in err


@pytest.mark.slow
def test_an_unreadable_config_folder_is_said_so_not_an_internal_error(month, tmp_path):
    """~/.config/taizhang that the user may not look into (its permissions changed)."""
    import tempfile

    inbox, _roster, _master = month
    home = Path(tempfile.mkdtemp(prefix="tz-home-"))
    try:
        home.chmod(0o755)
        ledger = home / "台账.xlsx"
        ledger.write_bytes((inbox / "县一中10月.xlsx").read_bytes())
        folder = home / ".config" / "taizhang"
        folder.mkdir(parents=True)
        (folder / "taizhang.toml").write_text("[settings]\nbureau = '县教育局'\n", encoding="utf-8")
        folder.chmod(0o000)
        env = {**os.environ, "HOME": str(home), "TAIZHANG_LOG_DIR": str(home)}
        env.pop("TAIZHANG_CONFIG", None)
        command = [sys.executable, "-m", "taizhang", "check", str(ledger)]
        if os.geteuid() == 0:  # root reads any folder: without that power, as the clerk
            import shutil

            if shutil.which("setpriv") is None:
                pytest.skip("running as root without setpriv: root reads any folder")
            command = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--", *command]
        proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 2, proc.stderr
        assert "无法读取本机配置文件夹" in proc.stderr and "没有权限" in proc.stderr
        assert "内部出错" not in proc.stderr and "Traceback" not in proc.stderr
    finally:
        (home / ".config" / "taizhang").chmod(0o755)
        import shutil

        shutil.rmtree(home, ignore_errors=True)


# -- debris after a kill (item 10) -----------------------------------------------------------

def _dies_in(step: str, inbox, roster, master) -> subprocess.CompletedProcess:
    """A real consolidation killed (SIGKILL) halfway through ``step``: the backup's copy, or the
    sheets written from the store."""
    script = textwrap.dedent(f"""
        import os, shutil, signal, sys
        from pathlib import Path
        import taizhang.consolidation.sheetfill as sheetfill

        def half_then_die(target, data):
            with open(target, "wb") as fh:   # half of it on disk, then the process is killed
                fh.write(data[: len(data) // 2])
                fh.flush()
            os.kill(os.getpid(), signal.SIGKILL)

        if {step!r} == "backup":
            shutil.copy2 = lambda src, dst, **kw: half_then_die(dst, Path(src).read_bytes())
        else:
            real = sheetfill.write_deflated
            def dying(zout, name, pieces):
                real(zout, name, pieces)
                zout.fp.flush()
                os.kill(os.getpid(), signal.SIGKILL)
            sheetfill.write_deflated = dying
        from taizhang.cli import main
        sys.exit(main(["consolidate", {str(inbox)!r}, "--period", "2026-10", "--master", {str(master)!r},
                       "--roster", {str(roster)!r}, "--jobs", "1"]))
    """)
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_a_kill_while_the_lock_is_taken_never_leaves_an_empty_lock(month):
    """A run killed between creating the lock and writing its owner into it left an empty lock:
    every later run was refused (未知进程) until someone deleted it by hand."""
    inbox, roster, master = _clean(month)
    script = textwrap.dedent(f"""
        import json, os, signal, sys
        def dying(*args, **kw):   # the moment between the lock's name and its content
            os.kill(os.getpid(), signal.SIGKILL)
        json.dump = dying
        os.link = dying
        from taizhang.cli import main
        sys.exit(main(["consolidate", {str(inbox)!r}, "--period", "2026-10", "--master", {str(master)!r},
                       "--roster", {str(roster)!r}, "--jobs", "1"]))
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert proc.returncode == -9, proc.stderr
    assert not lock_path(master).exists() or lock_path(master).read_text(encoding="utf-8").strip()
    for left in master.parent.glob(f".{master.name}.*"):
        os.utime(left, (1_700_000_000, 1_700_000_000))  # a while ago
    result = run(inbox, roster, master)
    assert result.exit_status == 1 and master.exists()
    assert [p.name for p in master.parent.iterdir() if p.name.startswith(f".{master.name}.")] == []


def _complete(path: Path) -> bool:
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            return zf.testzip() is None and "xl/workbook.xml" in zf.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


@pytest.mark.slow
@pytest.mark.parametrize("step", ["backup", "sheets"])
def test_a_kill_leaves_no_truncated_backup_and_its_debris_is_cleared(month, step):
    from taizhang.consolidation.master import backups_of

    inbox, roster, master = _clean(month)
    run(inbox, roster, master)
    before = master.read_bytes()
    proc = _dies_in(step, inbox, roster, master)
    assert proc.returncode == -9, proc.stderr
    assert master.read_bytes() == before
    assert all(_complete(b) for b in backups_of(master)), "a truncated backup among the rotated ones"
    assert lock_path(master).exists()
    result = run(inbox, roster, master)  # recovers the stale lock, and what the dead run left
    assert "已清除" in result.notices[0]
    assert [p.name for p in master.parent.iterdir() if p.name.startswith(f".{master.name}.")] == []
    assert all(_complete(b) for b in backups_of(master)) and _complete(master)


@pytest.mark.slow
def test_kills_at_random_moments_leave_a_whole_master_and_whole_backups(month):
    """SIGKILL of a real ``taizhang consolidate`` at random moments (bounded repetitions): the
    master is always the previous one or the new one, whole; every backup whole; the next run
    clears the lock and every file the dead one left."""
    import random
    import time

    from taizhang.consolidation.master import backups_of

    inbox, roster, master = _clean(month)
    for i in range(12):  # enough to read and write that a kill lands anywhere
        unit_book(inbox, f"东关{i}.xlsx", "东关小学", [complaint(n, date(2026, 10, 1 + n % 28)) for n in range(40)])
    command = [sys.executable, "-m", "taizhang", "consolidate", str(inbox), "--period", "2026-10",
               "--master", str(master), "--roster", str(roster), "--jobs", "1"]
    started = time.monotonic()
    assert subprocess.run(command, capture_output=True, timeout=300).returncode == 1
    took = time.monotonic() - started
    rng = random.Random(24)
    known = {hashlib.sha256(master.read_bytes()).hexdigest()}
    for _attempt in range(6):
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(rng.uniform(0.3 * took, 1.1 * took))
        proc.kill()
        _out, err = proc.communicate(timeout=60)
        assert b"Traceback" not in err
        assert _complete(master)
        assert all(_complete(b) for b in backups_of(master))
        known.add(hashlib.sha256(master.read_bytes()).hexdigest())
    final = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert final.returncode == 1, final.stderr
    assert [p.name for p in master.parent.iterdir() if p.name.startswith(f".{master.name}.")] == []
    assert not lock_path(master).exists()
    assert all(_complete(b) for b in backups_of(master))


def test_the_owner_file_of_a_run_killed_before_linking_its_lock_goes_at_the_next_run(month, capsys):
    """A run killed between writing ``.<master>.<pid>.lock`` and linking it leaves that file; the
    next run removes it at once when that process is gone (not only a minute on)."""
    import socket

    inbox, roster, master = _clean(month)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    left = master.with_name(f".{master.name}.{dead.pid}.lock")
    left.write_text(json.dumps({"pid": dead.pid, "host": socket.gethostname(), "started": "2026-10-31 09:00:00"}),
                    encoding="utf-8")
    alive = master.with_name(f".{master.name}.{os.getppid()}.lock")  # a live process's: kept
    alive.write_text(json.dumps({"pid": os.getppid(), "host": socket.gethostname()}), encoding="utf-8")
    try:
        code, _err = _cli(inbox, roster, master, capsys)
        assert code == 1 and not left.exists() and alive.exists()
    finally:
        alive.unlink(missing_ok=True)


# -- Ctrl-C (item 11) -----------------------------------------------------------------------

def test_ctrl_c_while_the_program_is_still_starting_prints_one_chinese_line(tmp_path):
    """A real SIGINT sent while the installed ``taizhang`` command imports its libraries."""
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(textwrap.dedent("""
        import os, signal, sys

        class Interrupt:  # Ctrl-C while the command line's own modules load (its parser's among them)
            def find_spec(self, name, path=None, target=None):
                if name == "taizhang.cli.parser":
                    sys.meta_path.remove(self)
                    os.kill(os.getpid(), signal.SIGINT)
                return None

        sys.meta_path.insert(0, Interrupt())
    """), encoding="utf-8")
    script = Path(sys.executable).parent / "taizhang"
    if not script.exists():
        pytest.skip(f"the taizhang command is not installed beside {sys.executable}")
    env = {**os.environ, "PYTHONPATH": str(hook)}
    proc = subprocess.run([str(script), "check", str(tmp_path)], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 130, proc.stderr
    assert "Traceback" not in proc.stderr and "KeyboardInterrupt" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "已中断（Ctrl-C）" in lines[0] and "启动" in lines[0]


@pytest.mark.slow
def test_ctrl_c_after_the_master_was_replaced_says_the_run_completed(month):
    from taizhang.consolidation.master import backups_of

    inbox, roster, master = _clean(month)
    run(inbox, roster, master)
    before = master.read_bytes()
    script = textwrap.dedent(f"""
        import os, signal, sys
        import taizhang.consolidation.store as store
        real = store.Store.commit
        def interrupted(self, master):   # Ctrl-C once the new master is in place
            os.kill(os.getpid(), signal.SIGINT)
            real(self, master)
        store.Store.commit = interrupted
        from taizhang.cli import main
        sys.exit(main(["consolidate", {str(inbox)!r}, "--period", "2026-10", "--master", {str(master)!r},
                       "--roster", {str(roster)!r}, "--jobs", "1"]))
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 130, proc.stderr
    assert "本次运行已经完成" in proc.stderr and str(master) in proc.stderr
    assert "未完成的输出没有写入" not in proc.stderr and "原有文件保持不变" not in proc.stderr
    assert master.read_bytes() != before and _complete(master)
    assert [b.read_bytes() for b in backups_of(master)][-1] == before  # the previous master kept


@pytest.mark.slow
def test_a_summary_renamed_by_hand_is_kept_and_a_new_one_written(month, capsys):
    inbox, roster, master = _clean(month)
    run(inbox, roster, master)
    wb = openpyxl.load_workbook(master)
    _edit_a_figure(wb["汇总表"])
    wb["汇总表"].title = "汇总表（定稿）"
    wb.save(master)
    code, _err = _cli(inbox, roster, master, capsys)
    assert code == 1
    sheets = sheet_values(master)
    assert "汇总表" in sheets and "汇总表（定稿）" in sheets
    assert 4 in [v for row in sheets["汇总表（定稿）"] for v in row]  # the clerk's figure, as left
