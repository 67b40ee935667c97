"""Files that cannot be read or written: a clear message, exit 2, nothing lost or half-written.

The commands run in a child process.  As root (CI is root) permission bits are not enforced,
so the child is started without the two capabilities that bypass them (CAP_DAC_OVERRIDE,
CAP_DAC_READ_SEARCH): it stays uid 0 and meets a chmod exactly as a clerk's account would.
A workbook open in Excel or WPS on Windows is locked; Python sees the same PermissionError
when it replaces it, which the last tests inject where the move happens.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from fixtures import write_xlsx
from taizhang.cli import main

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")

PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 24, 1, 2
COMPLAINTS = ["编号", "收件日期", "来源", "方式", "办理状态", "办结日期"]


def _drop_override() -> None:  # runs in the child between fork and exec
    if os.geteuid() == 0:
        libc = ctypes.CDLL(None, use_errno=True)
        for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
            if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def taizhang(*args: str) -> subprocess.CompletedProcess:
    """``taizhang ARGS`` in a child process that permission bits apply to."""
    return subprocess.run([sys.executable, "-m", "taizhang", *args], capture_output=True, text=True,
                          timeout=300, preexec_fn=_drop_override)


@pytest.fixture(scope="module", autouse=True)
def _permissions_are_enforced(tmp_path_factory):
    probe = tmp_path_factory.mktemp("probe") / "secret"
    probe.write_text("x")
    probe.chmod(0)
    proc = subprocess.run(["cat", str(probe)], capture_output=True, preexec_fn=_drop_override)
    if proc.returncode == 0:
        pytest.skip("this machine cannot take the override capabilities away (no CAP_SETPCAP)")


def ledger(path: Path, unit: str, n: int = 2) -> Path:
    rows = [[f"填报单位：{unit}"], COMPLAINTS] + [[i, date(2026, 10, i + 1), "自办", "来信", "在办", None]
                                              for i in range(1, n + 1)]
    return write_xlsx(path, {"信访举报台账": rows})


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture
def month(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    ledger(inbox / "县一中.xlsx", "县一中")
    ledger(inbox / "县二中.xlsx", "县二中", 3)
    roster = write_xlsx(tmp_path / "名册.xlsx", {"单位名册": [["单位", "别名"], ["县第一中学", "县一中"],
                                                            ["县第二中学", "县二中"]]})
    out = tmp_path / "out"
    out.mkdir()
    return inbox, roster, out


def consolidate_args(inbox, roster, master, *extra):
    return ("consolidate", str(inbox), "--period", "2026-10", "--master", str(master), "--roster", str(roster),
            *extra)


@pytest.mark.slow
def test_a_workbook_without_read_permission_is_refused_by_name(tmp_path):
    locked = ledger(tmp_path / "县一中 十月.xlsx", "县一中")
    locked.chmod(0)
    proc = taizhang("check", "--json", str(locked))
    assert proc.returncode == 2
    [file] = json.loads(proc.stdout)["files"]
    assert file["readable"] is False and file["findings"][0]["code"] == "unreadable-file"
    assert str(locked) in file["reason"] and "没有读取权限" in file["reason"]


@pytest.mark.slow
def test_an_unreadable_unit_file_costs_that_file_only(month):
    inbox, roster, out = month
    (inbox / "县二中.xlsx").chmod(0)
    proc = taizhang(*consolidate_args(inbox, roster, out / "主表.xlsx", "--json"))
    assert proc.returncode == 2, proc.stderr  # as in every command: a file could not be read, the others were
    assert "有文件无法读取" in proc.stderr
    files = {Path(f["path"]).name: f for f in json.loads(proc.stdout)["files"]}
    assert files["县一中.xlsx"]["status"] == "ok" and files["县一中.xlsx"]["rows_written"] == 2
    assert files["县二中.xlsx"]["status"] == "rejected" and "没有读取权限" in files["县二中.xlsx"]["reason"]
    assert (out / "主表.xlsx").is_file()


@pytest.mark.slow
def test_a_master_folder_without_write_permission_exits_2_and_writes_nothing(month):
    inbox, roster, out = month
    before = digest(inbox)
    out.chmod(0o555)
    try:
        proc = taizhang(*consolidate_args(inbox, roster, out / "主表.xlsx"))
    finally:
        out.chmod(0o755)
    assert proc.returncode == 2
    assert "主表所在文件夹不可写" in proc.stderr and str(out) in proc.stderr
    assert list(out.iterdir()) == [] and digest(inbox) == before


@pytest.mark.slow
def test_a_read_only_master_exits_2_and_stays_as_it_was(month):
    inbox, roster, out = month
    master = out / "主表.xlsx"
    assert taizhang(*consolidate_args(inbox, roster, master)).returncode == 0
    master.chmod(0o444)
    before = digest(out)
    proc = taizhang(*consolidate_args(inbox, roster, master))
    assert proc.returncode == 2 and "主表不可写" in proc.stderr and str(master) in proc.stderr
    assert digest(out) == before  # no backup, no temporary file, no lock left behind


@pytest.mark.slow
def test_a_summary_into_a_folder_without_write_permission_exits_2(month):
    inbox, _roster, out = month
    out.chmod(0o555)
    try:
        proc = taizhang("summary", str(inbox), "--period", "2026-10", "--as-of", "2026-10-31",
                        "-o", str(out / "汇总.xlsx"))
    finally:
        out.chmod(0o755)
    assert proc.returncode == 2
    assert "汇总表无法写入" in proc.stderr and "请关闭后重试" in proc.stderr
    assert list(out.iterdir()) == []


def _lock_like_excel(monkeypatch, locked: Path) -> None:
    """``os.replace`` onto ``locked`` fails as it does on Windows while Excel has the file open."""
    real = os.replace

    def replace(src, dst, *a, **kw):
        if Path(dst) == locked:
            raise PermissionError(13, "另一个程序正在使用此文件，进程无法访问。", str(dst))
        return real(src, dst, *a, **kw)

    monkeypatch.setattr(os, "replace", replace)


def test_a_master_open_in_excel_is_left_as_it_was_and_the_clerk_told_to_close_it(month, monkeypatch, capsys):
    inbox, roster, out = month
    master = out / "主表.xlsx"
    assert main(list(consolidate_args(inbox, roster, master))) == 0
    ledger(inbox / "县一中.xlsx", "县一中", 5)  # a corrected file arrives
    before = digest(out)
    capsys.readouterr()
    _lock_like_excel(monkeypatch, master)
    assert main(list(consolidate_args(inbox, roster, master))) == 2
    err = capsys.readouterr().err
    assert "主表无法写入" in err and "正在 Excel/WPS 中打开" in err and "原文件未改动" in err
    assert digest(out) == before  # the master as it was; no stray backup, temporary file or lock
    monkeypatch.undo()
    assert main(list(consolidate_args(inbox, roster, master, "--json"))) == 0  # closed: it goes through
    one = next(f for f in json.loads(capsys.readouterr().out)["files"] if f["path"].endswith("县一中.xlsx"))
    assert one["rows_written"] == 5


def test_a_summary_open_in_excel_is_left_as_it_was(month, monkeypatch, capsys):
    inbox, _roster, out = month
    target = out / "汇总.xlsx"
    args = ["summary", str(inbox), "--period", "2026-10", "--as-of", "2026-10-31", "-o", str(target)]
    assert main(args) == 0
    before = digest(out)
    capsys.readouterr()
    _lock_like_excel(monkeypatch, target)
    assert main(args) == 2
    assert "请关闭后重试" in capsys.readouterr().err
    assert digest(out) == before
