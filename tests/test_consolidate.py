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

from conftest import write_xls, write_xlsx
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


def test_a_file_that_kills_its_reader_is_refused_and_the_rest_consolidated(month, tmp_path, monkeypatch):
    """A reader that aborts the process (seen with damaged files) costs one file, not the run."""
    import taizhang.consolidation.run as run_module

    import multiprocessing

    from taizhang import workers

    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork on this system: the crash is injected by patching the parent")
    # workers by fork, whatever else runs in this test process (as on a plain Linux run)
    monkeypatch.setattr(workers, "_context", lambda: (multiprocessing.get_context("fork"), 2))
    inbox, roster, master = month
    for i in range(6):  # files for the worker pool
        unit_book(inbox, f"东关{i}.xlsx", "东关小学", [complaint(i + 1, date(2026, 10, i + 1))])
    poison = unit_book(inbox, "致命.xlsx", "东关小学", [complaint(1, date(2026, 10, 1))])
    real = run_module.read_file

    def read_or_die(path, *args):
        if path.name == poison.name:
            os._exit(134)  # what an abort inside the reader looks like from outside
        return real(path, *args)

    monkeypatch.setattr(run_module, "read_file", read_or_die)
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
