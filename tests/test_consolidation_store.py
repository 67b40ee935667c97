"""The store beside the master: a month's run without re-reading earlier months, and the master
always the record (a missing or out-of-step store is rebuilt from it, no row lost)."""

from __future__ import annotations

import os
import random
import sqlite3
import zipfile
import zlib
from datetime import date

import openpyxl
import pytest

from taizhang.config import Kind, default_config
from taizhang.consolidation import store as store_module
from taizhang.consolidation.deflate import crc32_combine, crc32_combine_py, piece, write_deflated
from taizhang.consolidation.run import consolidate
from taizhang.consolidation.store import store_path
from test_consolidate import complaint, month, run, sheet_values, unit_book  # noqa: F401 - month is a fixture


def _september(tmp_path):
    folder = tmp_path / "sep"
    folder.mkdir()
    unit_book(folder, "东关小学9月.xlsx", "东关", [complaint(1, date(2026, 9, 3), "省转"),
                                              complaint(2, date(2026, 9, 4), status="办结", closed=date(2026, 9, 9)),
                                              complaint(3, None)],  # undated: counted as such
              [["东关小学", date(2026, 9, 5), "1,200.50", 1000]])
    for p in folder.iterdir():
        os.utime(p, (1_790_000_000, 1_790_000_000))  # the same file time wherever it is made
    return folder


def _two_months(month, tmp_path, *, drop_store_between: bool):
    inbox, roster, master = month
    sep = run(_september(tmp_path), roster, master, period="2026-09")
    if drop_store_between:
        store_path(master).unlink()
    oct_ = run(inbox, roster, master)
    return sep, oct_, sheet_values(master)


def test_the_store_gives_the_master_and_figures_a_rebuild_from_the_master_gives(month, tmp_path):
    inbox, roster, master = month
    _sep, with_store, sheets = _two_months(month, tmp_path, drop_store_between=False)
    other = tmp_path / "other"
    other.mkdir()
    again = (inbox, roster, other / "局主表.xlsx")
    _sep2, rebuilt, sheets2 = _two_months(again, other, drop_store_between=True)
    assert sheets2 == sheets
    assert rebuilt.summary == with_store.summary
    ytd = with_store.summary["year_to_date"]
    # October's three, 县一中's September row in its October file, 东关's two dated rows
    assert ytd["complaints"]["total"] == 3 + 1 + 2
    assert ytd["complaints"]["undated"] == with_store.summary["complaints"]["undated"] == 1
    assert ytd["refunds"]["refunded"] == "46000.00"
    rows = sheets["信访举报合并"][1:]
    assert [(r[0], r[1]) for r in rows].count(("东关小学", "2026-09")) == 3


def test_a_missing_store_is_rebuilt_from_the_master_and_no_row_is_lost(month, tmp_path):
    inbox, roster, master = month
    run(_september(tmp_path), roster, master, period="2026-09")
    before = sheet_values(master)["信访举报合并"]
    store_path(master).unlink()
    run(inbox, roster, master)
    after = sheet_values(master)["信访举报合并"]
    assert all(r in after for r in before[1:])  # every September row is still there
    assert store_path(master).exists()


def test_the_master_is_the_record_a_row_deleted_by_hand_stays_deleted(month, tmp_path):
    inbox, roster, master = month
    run(_september(tmp_path), roster, master, period="2026-09")
    wb = openpyxl.load_workbook(master)
    ws = wb["信访举报合并"]
    assert ws.cell(2, 1).value == "东关小学"
    ws.delete_rows(2)  # the clerk removes a September row and saves the master
    wb.save(master)
    result = run(inbox, roster, master)
    rows = sheet_values(master)["信访举报合并"][1:]
    assert [(r[0], r[1]) for r in rows].count(("东关小学", "2026-09")) == 2  # of three
    assert result.summary["year_to_date"]["complaints"]["total"] == 3 + 1 + 1


def test_a_run_that_dies_before_the_store_is_committed_leaves_it_to_be_rebuilt(month, tmp_path, monkeypatch):
    inbox, roster, master = month
    run(_september(tmp_path), roster, master, period="2026-09")

    def dies(self, _master):
        raise OSError("power cut")

    monkeypatch.setattr(store_module.Store, "commit", dies)
    with pytest.raises(OSError):
        run(inbox, roster, master)  # the master is replaced, the store is not
    monkeypatch.undo()
    written = sheet_values(master)
    again = run(inbox, roster, master)  # out of step: rebuilt from the master
    assert sheet_values(master) == written
    assert again.summary["year_to_date"]["complaints"]["total"] == 3 + 1 + 2


def test_a_damaged_store_file_is_replaced_and_rebuilt(month, tmp_path):
    inbox, roster, master = month
    run(_september(tmp_path), roster, master, period="2026-09")
    store_path(master).write_bytes(b"not a database at all" * 100)
    result = run(inbox, roster, master)
    assert result.summary["year_to_date"]["complaints"]["total"] == 3 + 1 + 2


def test_the_store_holds_no_complainant_identity(month, tmp_path):
    inbox, roster, master = month
    _two_months(month, tmp_path, drop_store_between=False)
    raw = store_path(master).read_bytes()
    assert "张三丰".encode() not in raw and b"13812345678" not in raw
    db = sqlite3.connect(store_path(master))
    assert db.execute("SELECT count(*) FROM typed_complaints WHERE f_complainant IS NOT NULL OR f_phone IS NOT NULL"
                      ).fetchone() == (0,)


def test_the_store_beside_the_master_is_not_taken_for_a_submission(month):
    inbox, roster, _master = month
    master = inbox / "局主表.xlsx"  # the master kept in the folder being consolidated
    run(inbox, roster, master)
    result = run(inbox, roster, master)
    assert store_path(master).exists()
    assert store_path(master).name not in [f.path.name for f in result.files]


def test_a_failed_first_run_leaves_no_store_behind(month, capsys):
    inbox, roster, master = month
    master.write_bytes(b"this is not a workbook")
    from taizhang.cli import main

    assert main(["consolidate", str(inbox), "--period", "2026-10", "--master", str(master),
                 "--roster", str(roster)]) == 2
    assert not store_path(master).exists()


def test_a_month_consolidated_again_replaces_its_rows_and_keeps_pieces_valid(month, tmp_path):
    """Pieces of earlier runs are reused only with the styles they were made for: a master run
    three times over two months reads back cell for cell like a fresh one."""
    inbox, roster, master = month
    sep = _september(tmp_path)
    for folder, period in ((sep, "2026-09"), (inbox, "2026-10"), (sep, "2026-09"), (inbox, "2026-10")):
        run(folder, roster, master, period=period)
    fresh = tmp_path / "fresh.xlsx"
    run(sep, roster, fresh, period="2026-09")
    run(inbox, roster, fresh)
    assert sheet_values(master) == sheet_values(fresh)
    with zipfile.ZipFile(master) as zf:
        assert zf.testzip() is None
    wb = openpyxl.load_workbook(master)
    dates = [c for c in wb["信访举报合并"]["G"][1:] if c.value is not None]
    assert dates and all(c.number_format == 'yyyy"年"m"月"d"日"' for c in dates)


def test_typed_rows_stand_in_for_models_in_the_figures(month):
    """The light rows the store hands to the figures read like the pydantic rows they came from."""
    inbox, roster, master = month
    run(inbox, roster, master)
    s = store_module.Store.open(master, "x")
    try:
        rows = [r for unit, month, _n in s.layout_of("信访举报合并") if month == "2026-10"
                for r in s.block_rows(Kind.COMPLAINTS, unit, month)]
        refunds = [r for unit, month, _n in s.layout_of("退费合并") for r in s.block_rows(Kind.REFUNDS, unit, month)]
    finally:
        s.close()
    assert sorted(str(r.source) for r in rows) == ["None", "市转办", "省转办"]  # 区转办 is no source
    assert all(isinstance(r.received_on, date) and r.origin.sheet == "信访举报台账" for r in rows)
    assert [(r.due, r.refunded) for r in refunds] == [(45000, 45000)]
    assert not any(r.substantiated for r in rows)


def test_deflate_pieces_laid_end_to_end_make_one_valid_part(tmp_path):
    rnd = random.Random(16)
    parts = [bytes(rnd.randrange(256) for _ in range(rnd.randrange(0, 4000))) for _ in range(30)]
    for a, b in zip(parts, parts[1:]):
        assert crc32_combine(zlib.crc32(a), zlib.crc32(b), len(b)) == zlib.crc32(a + b)
        assert crc32_combine_py(zlib.crc32(a), zlib.crc32(b), len(b)) == zlib.crc32(a + b)
    path = tmp_path / "p.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.txt", "before")
        write_deflated(zf, "big.bin", [*(piece(p) for p in parts), piece(b"end", final=True)])
        zf.writestr("b.txt", "after")
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        assert zf.read("big.bin") == b"".join(parts) + b"end"
        assert zf.read("b.txt") == b"after"


def test_consolidating_into_a_master_without_a_store_of_an_older_version(month, tmp_path, monkeypatch):
    """A store written by another version is not trusted: rebuilt from the master."""
    inbox, roster, master = month
    run(_september(tmp_path), roster, master, period="2026-09")
    monkeypatch.setattr(store_module, "VERSION", "0-older")
    result = consolidate(inbox, "2026-10", master, config=default_config(), roster_path=roster, jobs=1)
    assert result.summary["year_to_date"]["complaints"]["total"] == 3 + 1 + 2


# -- faults of the disk are not damage of the store (issue 24, item 9) ------------------------

@pytest.fixture
def small_disk(tmp_path):
    """A 2 MB tmpfs, mounted for the test and unmounted after it (root only)."""
    import subprocess

    if os.geteuid() != 0:
        pytest.skip("a small disk is a tmpfs mounted for the test, which needs root")
    where = tmp_path / "disk"
    where.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(where)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"mounting a tmpfs is not permitted here: {mounted.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def _fill(disk, leave: int) -> None:
    """Fill ``disk`` but for about ``leave`` bytes."""
    filler = disk / "filler.bin"
    with open(filler, "wb") as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
        except OSError:
            pass
    with open(filler, "r+b") as fh:  # the last partial write may not have been flushed
        size = os.fstat(fh.fileno()).st_size
        fh.truncate(max(size - leave, 0))


def test_disk_full_while_the_store_writes_says_so_and_changes_nothing(month, small_disk, capsys):
    from taizhang.cli import main

    inbox, roster, _master = month
    master = small_disk / "局主表.xlsx"
    run(_september(inbox.parent), roster, master, period="2026-09")
    store_path(master).unlink()  # to be made again from the master: the store writes a lot
    before = master.read_bytes()
    _fill(small_disk, 8192)
    code = main(["consolidate", str(inbox), "--period", "2026-10", "--master", str(master), "--roster", str(roster)])
    err = capsys.readouterr().err
    assert code == 2
    assert "磁盘空间已满；原文件未改动" in err
    assert "内部出错" not in err and "已损坏" not in err
    assert master.read_bytes() == before
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler.bin", "局主表.xlsx"]  # nothing half-made
    # room made: the run goes through
    (small_disk / "filler.bin").unlink()
    result = run(inbox, roster, master)
    assert result.summary["year_to_date"]["complaints"]["total"] == 3 + 1 + 2


def test_disk_full_with_the_store_in_step(month, small_disk, capsys):
    """The store as the last run left it, the disk full: nothing damaged, nothing rebuilt."""
    from taizhang.cli import main

    inbox, roster, _master = month
    master = small_disk / "局主表.xlsx"
    run(_september(inbox.parent), roster, master, period="2026-09")
    before, kept = master.read_bytes(), store_path(master).read_bytes()
    _fill(small_disk, 8192)  # room for the lock, not for the new master
    code = main(["consolidate", str(inbox), "--period", "2026-10", "--master", str(master), "--roster", str(roster)])
    err = capsys.readouterr().err
    assert code == 2 and "磁盘空间已满；原文件未改动" in err and "内部出错" not in err
    assert master.read_bytes() == before and store_path(master).read_bytes() == kept
    (small_disk / "filler.bin").unlink()
    result = run(inbox, roster, master)
    assert not any("重建" in n for n in result.notices)  # the store was not judged damaged


def test_a_read_only_store_is_not_called_damaged_nor_replaced(month, tmp_path, capsys):
    import subprocess

    from taizhang.cli import main

    inbox, roster, master = month
    run(_september(tmp_path), roster, master, period="2026-09")
    store = store_path(master)
    kept = store.read_bytes()
    bound = False
    if os.geteuid() == 0:  # root writes any file: the store bound read-only over itself
        ro = subprocess.run(f"mount --bind '{store}' '{store}' && mount -o remount,ro,bind '{store}'",
                            shell=True, capture_output=True, text=True)
        bound = True
        if ro.returncode != 0:
            subprocess.run(["umount", str(store)], capture_output=True)
            pytest.skip(f"cannot make a read-only file as root here: {ro.stderr.strip()}")
    else:
        store.chmod(0o444)
    try:
        before = master.read_bytes()
        code = main(["consolidate", str(inbox), "--period", "2026-10", "--master", str(master),
                     "--roster", str(roster)])
        err = capsys.readouterr().err
        assert code == 2 and "只读" in err and str(store) in err
        assert "已损坏" not in err and "内部出错" not in err
        assert master.read_bytes() == before and store.read_bytes() == kept
    finally:
        if bound:
            subprocess.run(["umount", str(store)], capture_output=True)
        else:
            store.chmod(0o644)
    result = run(inbox, roster, master)
    assert result.summary["year_to_date"]["complaints"]["total"] == 3 + 1 + 2
