"""A new user's slips: outputs never written over a ledger, taizhang's own files never read as
ledgers, files open in Excel/WPS/LibreOffice left alone, a mistyped folder writes nothing,
Ctrl-C ends cleanly, cell text is never markup, every message is Chinese, no traceback."""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from fixtures import write_xlsx
from taizhang.cli import main

COMPLAINTS = ["编号", "收件日期", "来源", "方式", "办理状态", "办结日期"]


def ledger(path: Path, unit: str, n: int = 2, source: str = "自办") -> Path:
    rows = [[i + 1, date(2026, 10, 1 + i), source, "来信", "在办", None] for i in range(n)]
    return write_xlsx(path, {"信访举报台账": [[f"填报单位：{unit}"], COMPLAINTS, *rows]})


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def inbox(tmp_path):
    folder = tmp_path / "10月"
    folder.mkdir()
    ledger(folder / "县一中.xlsx", "县一中", 3, "省转办")
    ledger(folder / "县二中.xlsx", "县二中", 2, "市转办")
    return folder


@pytest.fixture(autouse=True)
def _log_here(tmp_path, monkeypatch):
    monkeypatch.setenv("TAIZHANG_LOG_DIR", str(tmp_path / "logs"))


def summary_json(capsys, *args) -> tuple[int, dict, str]:
    code = main(["summary", *args, "--period", "2026-10", "--as-of", "2026-10-31", "--json"])
    out = capsys.readouterr()
    return code, (json.loads(out.out) if out.out.strip() else {}), out.err


def test_summary_into_a_ledger_of_the_folder_is_refused_and_the_ledger_untouched(inbox, capsys):
    target = inbox / "县一中.xlsx"
    before = digest(target)
    code, _data, err = summary_json(capsys, str(inbox), "-o", str(target))
    assert code == 2
    assert "不能写入被统计的台账" in err
    assert digest(target) == before


def test_summary_into_a_ledger_reached_through_a_link_is_refused(inbox, tmp_path, capsys):
    link = tmp_path / "链接.xlsx"
    os.link(inbox / "县二中.xlsx", link)  # the same file under another name, outside the folder
    before = digest(link)
    code, _data, err = summary_json(capsys, str(inbox), "-o", str(link))
    assert code == 2 and "不能写入被统计的台账" in err
    assert digest(link) == before


def test_the_summary_written_into_the_folder_is_not_read_as_a_ledger_next_time(inbox, capsys):
    out = inbox / "汇总.xlsx"
    code1, first, _ = summary_json(capsys, str(inbox), "-o", str(out))
    code2, second, err = summary_json(capsys, str(inbox), "-o", str(out))
    assert code1 == code2 == 0
    assert second["complaints"] == first["complaints"]  # the same figures: 汇总.xlsx was not counted
    assert err == ""  # the summary being rewritten is no ledger, and needs no word
    # and `check` of the folder does not take it for a unit's workbook
    assert main(["check", str(inbox), "--json", "--as-of", "2026-10-31"]) in (0, 1)
    listed = [Path(f["path"]).name for f in json.loads(capsys.readouterr().out)["files"]]
    assert sorted(listed) == ["县一中.xlsx", "县二中.xlsx"]


def test_the_mark_survives_a_rename_and_is_not_a_matter_of_the_name(inbox, tmp_path, capsys):
    out = tmp_path / "汇总.xlsx"
    assert summary_json(capsys, str(inbox), "-o", str(out))[0] == 0
    out.rename(inbox / "县三中.xlsx")  # an output under a unit's name: still ours
    ledger(inbox / "汇总.xlsx", "县四中", 1)  # a unit's ledger named like an output: still a ledger
    code, data, err = summary_json(capsys, str(inbox))
    assert code == 0
    assert "县三中.xlsx" in err
    assert data["complaints"]["total"] == 6  # 3 + 2 + 1


def test_a_master_and_its_backups_in_the_folder_are_not_read_as_units(inbox, tmp_path, capsys):
    roster = write_xlsx(tmp_path / "名册.xlsx", {"单位名册": [["单位", "别名"], ["县第一中学", "县一中"],
                                                              ["县第二中学", "县二中"]]})
    master = inbox / "局主表.xlsx"
    args = ["consolidate", str(inbox), "--period", "2026-10", "--master", str(master), "--roster", str(roster),
            "--json"]
    assert main(args) == 0  # the first run writes the master into the folder
    assert main(args) == 0  # a second: a backup of it is made beside it
    capsys.readouterr()
    assert main(args) == 0  # a third: master and backup lie in the folder
    data = json.loads(capsys.readouterr().out)
    names = sorted(Path(f["path"]).name for f in data["files"])
    assert names == ["县一中.xlsx", "县二中.xlsx"]
    assert list(inbox.glob("局主表.备份-*.xlsx"))


def test_a_units_ledger_given_as_the_master_is_refused_and_untouched(inbox, tmp_path, capsys):
    roster = write_xlsx(tmp_path / "名册.xlsx", {"单位名册": [["单位", "别名"], ["县第一中学", "县一中"]]})
    target = inbox / "县二中.xlsx"
    before = digest(target)
    code = main(["consolidate", str(inbox), "--period", "2026-10", "--master", str(target), "--roster", str(roster)])
    assert code == 2
    assert "不是局主表" in capsys.readouterr().err
    assert digest(target) == before
    assert not list(inbox.glob("*.备份-*"))


@pytest.mark.parametrize("name,lock_name", [
    ("汇总.xlsx", "~$汇总.xlsx"),                     # Excel, WPS
    ("汇总.xlsx", ".~lock.汇总.xlsx#"),               # LibreOffice
    ("教育局十月份汇总表.xlsx", "~$局十月份汇总表.xlsx"),  # Excel, a long name: ~$ over its first two characters
])
def test_an_output_open_in_excel_wps_or_libreoffice_is_refused_and_untouched(inbox, tmp_path, capsys, name,
                                                                              lock_name):
    out = tmp_path / name
    assert summary_json(capsys, str(inbox), "-o", str(out))[0] == 0
    before = digest(out)
    (tmp_path / lock_name).write_bytes(b"owner")
    code, _data, err = summary_json(capsys, str(inbox), "-o", str(out))
    assert code == 2
    assert "文件正在被打开" in err and lock_name in err
    assert digest(out) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".") and p.suffix == ".tmp") == []


def test_a_master_open_in_excel_is_refused_before_anything_is_written(inbox, tmp_path, capsys):
    roster = write_xlsx(tmp_path / "名册.xlsx", {"单位名册": [["单位", "别名"], ["县第一中学", "县一中"]]})
    master = tmp_path / "局主表.xlsx"
    args = ["consolidate", str(inbox), "--period", "2026-10", "--master", str(master), "--roster", str(roster)]
    assert main(args) == 1  # written; 县二中 is not on this roster, so its file is turned back
    before = digest(master)
    (tmp_path / "~$局主表.xlsx").write_bytes(b"owner")
    capsys.readouterr()
    assert main(args) == 2
    assert "文件正在被打开" in capsys.readouterr().err
    assert digest(master) == before
    assert not list(tmp_path.glob("局主表.备份-*")) and not (tmp_path / "局主表.xlsx.lock").exists()


def test_a_mistyped_folder_writes_nothing(tmp_path, capsys):
    out = tmp_path / "汇总.xlsx"
    code, _data, err = summary_json(capsys, str(tmp_path / "10 月"), "-o", str(out))
    assert code == 2
    assert "找不到" in err
    assert not out.exists()


def test_text_in_cells_and_file_names_is_never_taken_as_markup(tmp_path, capsys):
    path = write_xlsx(tmp_path / "[bold]单位.xlsx", {"信访": [
        ["填报单位：[/red]县一中"], COMPLAINTS,
        [1, date(2026, 10, 2), "[/red]", "[link=x]来信", "在办", None]]})
    assert main(["check", str(path), "--as-of", "2026-10-31"]) == 1
    out = capsys.readouterr().out
    assert "[/red]" in out and "[bold]单位.xlsx" in out and "[link=x]来信" in out


def test_argparse_speaks_chinese(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["check"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "缺少必需的参数" in err and "用法" in err
    assert not re.search(r"usage:|error:|the following arguments|required", err)
    with pytest.raises(SystemExit):
        main(["summary", "x", "--no-such-option"])
    err = capsys.readouterr().err
    assert "无法识别的参数" in err and "unrecognized" not in err
    with pytest.raises(SystemExit):
        main(["chek", "x"])
    err = capsys.readouterr().err
    assert "无效的选择" in err and "invalid choice" not in err


def test_one_top_level_handler_chinese_message_log_path_and_the_trace_in_the_log(tmp_path, monkeypatch, capsys,
                                                                                  inbox):
    import taizhang.usecases.check as check_case

    phone = "138" + "12345678"

    def boom(*_a, **_k):
        raise RuntimeError(f"internal failure {phone}")

    monkeypatch.setattr(check_case, "check_slim", boom)
    assert main(["check", str(inbox)]) == 2
    err = capsys.readouterr().err
    log = tmp_path / "logs" / "taizhang.log"
    assert "程序内部出错" in err and str(log) in err
    assert "Traceback" not in err
    text = log.read_text(encoding="utf-8")
    assert "RuntimeError" in text and "check_slim" not in err and "cmd_check" in text
    assert "13812345678" not in text  # a cell's telephone number never reaches the log


def test_a_readers_english_error_is_summarised_in_chinese_and_kept_in_the_log(tmp_path, capsys):
    import zipfile

    from fixtures import write_xlsx as wx

    good = wx(tmp_path / "g.xlsx", {"信访举报台账": [COMPLAINTS, [1, date(2026, 10, 1), "自办", "来信", "在办", None]]})
    bad = tmp_path / "坏.xlsx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bad, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename.startswith("xl/worksheets/"):
                data = data.replace(b'<c r="A2"', b'<c r="2A"')  # a cell reference no reader understands
            zout.writestr(item, data)
    assert main(["check", str(bad), "--json"]) == 2
    out = capsys.readouterr()
    reason = json.loads(out.out)["files"][0]["reason"]
    assert reason.startswith(str(bad))
    assert not re.search(r"[A-Za-z]{4,}", reason.removeprefix(str(bad)).replace("Excel", ""))
    log = (tmp_path / "logs" / "taizhang.log").read_text(encoding="utf-8")
    assert "坏.xlsx" in log and "corrupt-workbook" in log


@pytest.mark.slow
def test_ctrl_c_during_consolidate_exits_130_cleanly(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for i in range(40):
        ledger(inbox / f"单位{i:02d}.xlsx", f"单位{i:02d}", 30)
    roster = write_xlsx(tmp_path / "名册.xlsx", {"单位名册": [["单位", "别名"],
                                                              *[[f"单位{i:02d}", ""] for i in range(40)]]})
    master = tmp_path / "局主表.xlsx"
    args = [sys.executable, "-m", "taizhang", "consolidate", str(inbox), "--period", "2026-10",
            "--master", str(master), "--roster", str(roster), "--jobs", "2"]
    env = {**os.environ, "TAIZHANG_LOG_DIR": str(tmp_path / "logs")}
    subprocess.run(args, env=env, check=True, capture_output=True, timeout=300)
    before = digest(master)
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    lock = tmp_path / "局主表.xlsx.lock"
    deadline = time.time() + 60
    while not lock.exists() and time.time() < deadline and proc.poll() is None:
        time.sleep(0.02)
    time.sleep(0.05)  # inside the run: since the store, a second run of 40 units takes well under a second
    os.killpg(proc.pid, signal.SIGINT)  # as the terminal does: the whole process group
    out, err = proc.communicate(timeout=120)
    text = err.decode("utf-8", "replace")
    assert proc.returncode == 130, text
    assert "Traceback" not in text and "KeyboardInterrupt" not in text
    assert "已中断" in text
    assert digest(master) == before
    assert not lock.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    assert not list(tmp_path.glob("局主表.备份-*"))


def test_a_system_error_is_said_in_chinese(inbox, tmp_path, capsys):
    code, _data, err = summary_json(capsys, str(inbox), "-o", str(tmp_path / "没有的文件夹" / "汇总.xlsx"))
    assert code == 2
    assert "文件或文件夹不存在" in err and "No such file" not in err


def test_one_files_failure_is_contained_and_the_others_reported(inbox, tmp_path, monkeypatch, capsys):
    import taizhang.reading.workbook as workbook

    real = workbook.load_sheets

    def flaky(sheets, config, path, *a, **k):
        if Path(path).name == "县一中.xlsx":
            raise IndexError("list index out of range")
        return real(sheets, config, path, *a, **k)

    monkeypatch.setattr(workbook, "load_sheets", flaky)
    assert main(["check", str(inbox), "--json", "--as-of", "2026-10-31"]) == 2
    out = capsys.readouterr()
    files = {Path(f["path"]).name: f for f in json.loads(out.out)["files"]}
    assert files["县二中.xlsx"]["readable"] and files["县二中.xlsx"]["ledgers"]
    assert not files["县一中.xlsx"]["readable"]
    assert files["县一中.xlsx"]["findings"][0]["code"] == "internal-error"
    assert "程序处理这个文件时出错" in files["县一中.xlsx"]["reason"]
    assert "Traceback" not in out.err
    log = (tmp_path / "logs" / "taizhang.log").read_text(encoding="utf-8")
    assert "IndexError" in log and "flaky" in log
