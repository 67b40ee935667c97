"""``check`` and ``summary`` read a folder's files in two worker processes when that pays
(``taizhang.workers``): the same output as in one process, to the byte, including the
summary's figures put together from each file's parts instead of from all the rows."""

from __future__ import annotations

import gc
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from fixtures import write_xlsx
from taizhang import workers
from taizhang.cli import main

SAMPLES = Path(__file__).resolve().parent.parent / "workbooks" / "samples" / "2026-10"
SANCTIONS = [["姓名", "单位", "问题类型", "处理方式", "处理日期"],
             ["张某", "城关小学", "违规收费", "诫勉", "2026-10-08"],
             ["李某", "实验小学", "违规招生", "警告", "2026-09-09"],
             ["王某", "实验小学", "违规收费", "记过", None]]
REFUNDS = [["学校", "收费项目", "查实日期", "应退金额", "已退金额"],
           ["城关小学", "资料费", "2026-10-03", 1200.5, 1200.5],
           ["实验小学", "补课费", "2026-08-12", "3,000", 1000],
           ["实验小学", "补课费", "2026年13月", 10, "十元"]]
SETTINGS = [["设置项", "值"], ["局名称", "某某县教育局"], ["检查日期", datetime(2026, 10, 31)],
            [None, None], ["处理方式", "四种形态"], ["诫勉", "第二种形态"]]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The bundled month (its .xls too), plus files with errors, a hidden ledger, one that
    cannot be read and one that is no workbook: more than enough files for the workers."""
    month = tmp_path / "month"
    shutil.copytree(SAMPLES, month)
    write_xlsx(month / "处分.xlsx", {"处分台账": SANCTIONS})
    write_xlsx(month / "退费.xlsx", {"退费台账": REFUNDS, "隐藏": SANCTIONS}, hidden=["隐藏"])
    (month / "坏文件.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    write_xlsx(month / "空白.xlsx", {"Sheet1": [[None]]})
    assert workers.in_processes(len(list(month.iterdir())), 2) or not sys.platform.startswith("linux")
    return month


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.slow
@pytest.mark.parametrize("as_json", [True, False])
def test_check_in_two_processes_says_what_one_process_says(folder, capsys, as_json):
    args = ["check", str(folder), "--as-of", "2026-10-31", *(["--json"] if as_json else [])]
    one = _run(capsys, *args, "--jobs", "1")
    two = _run(capsys, *args, "--jobs", "2")
    assert one == two
    assert one[0] == 2 and "坏文件.xlsx" in one[2]  # the unreadable file, named, and exit 2
    if as_json:
        files = {Path(f["path"]).name: f for f in json.loads(one[1])["files"]}
        assert files["退费.xlsx"]["ledgers"][1]["hidden"] and files["退费.xlsx"]["ledgers"][0]["rows"] == 3
        assert any(f["findings"] for f in files.values())


@pytest.mark.slow
@pytest.mark.parametrize("period", ["2026-10", "2026", "all"])
def test_summary_from_each_files_parts_equals_the_summary_from_all_rows(folder, capsys, tmp_path, period):
    """Without -o each file passes back its share of the figures; with -o (the 明细 sheet needs
    the rows) all rows are counted in one place: the same figures either way."""
    args = ["summary", str(folder), "--as-of", "2026-10-31", "--period", period, "--json"]
    code, parts_out, parts_err = _run(capsys, *args, "--jobs", "2")
    one = _run(capsys, *args, "--jobs", "1")
    assert one == (code, parts_out, parts_err)
    rows_code, rows_out, rows_err = _run(capsys, *args, "-o", str(tmp_path / f"汇总{period}.xlsx"))
    by_parts, by_rows = json.loads(parts_out), json.loads(rows_out)
    assert by_rows.pop("output") and by_parts.pop("output") is None
    assert by_parts == by_rows and (code, parts_err) == (rows_code, rows_err)
    assert by_parts["refunds"]["cases"] > 0 and by_parts["sanctions"]["persons"] > 0


@pytest.mark.slow
def test_a_settings_sheet_in_one_of_the_files_is_read_as_in_one_process(folder, capsys, tmp_path):
    """The files are first read with the settings known before reading; the 台账设置 sheet of
    one of them changes the as-of day and the 四种形态, and they are read again with it."""
    write_xlsx(folder / "设置.xlsx", {"处分台账": SANCTIONS, "台账设置": SETTINGS})
    seen: list[str] = []
    from taizhang.usecases.requests import SummaryRequest
    from taizhang.usecases.summarise import summarise

    request = SummaryRequest(paths=[str(folder)], jobs=2)
    outcome = summarise(request, progress=lambda done, total, name: seen.append(name))
    assert sorted(seen) == sorted(p.name for p in folder.iterdir())  # each file once, not twice
    by_rows = json.loads(_run(capsys, "summary", str(folder), "--json", "-o", str(tmp_path / "汇总.xlsx"))[1])
    by_rows.pop("output")
    data = dict(outcome.data)
    data.pop("output")
    assert data == by_rows
    assert (data["bureau"], data["as_of"], data["period"]) == ("某某县教育局", "2026-10-31", "2026-10")
    assert data["sanctions"]["by_form"]["第二种形态"] >= 2  # 诫勉 counted as the sheet says


def _forked(monkeypatch):
    """Workers by fork whatever else runs in this test process, as on a plain Linux run."""
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork on this system: the crash is injected by patching the parent")
    monkeypatch.setattr(workers, "start_context", lambda: (multiprocessing.get_context("fork"), 2))


@pytest.mark.slow
def test_a_file_that_kills_its_reader_costs_that_file_only(folder, capsys, monkeypatch):
    import taizhang.usecases.files as service

    _forked(monkeypatch)
    real = service.load_workbook

    def load_or_die(path, *args, **kw):
        if Path(path).name == "处分.xlsx":
            os._exit(134)  # what an abort inside a reader looks like from outside
        return real(path, *args, **kw)

    monkeypatch.setattr(service, "load_workbook", load_or_die)
    code, out, err = _run(capsys, "check", str(folder), "--as-of", "2026-10-31", "--json")
    files = {Path(f["path"]).name: f for f in json.loads(out)["files"]}
    assert code == 2 and not files["处分.xlsx"]["readable"] and "异常终止" in files["处分.xlsx"]["reason"]
    assert files["县第一中学_2026年10月台账.xlsx"]["readable"] and len(files) == len(list(folder.iterdir()))
    code, out, err = _run(capsys, "summary", str(folder), "--as-of", "2026-10-31", "--json")
    data = json.loads(out)
    assert code == 2 and any(u["path"].endswith("处分.xlsx") and "异常终止" in u["reason"] for u in data["unreadable"])
    assert data["refunds"]["cases"] > 0


def test_an_internal_error_in_a_worker_is_the_one_chinese_message_and_its_frames_go_to_the_log(
        folder, capsys, monkeypatch, tmp_path):
    import taizhang.usecases.files as service

    _forked(monkeypatch)
    monkeypatch.setenv("TAIZHANG_LOG_DIR", str(tmp_path / "logs"))
    phone = "138" + "87654321"

    def broken_reader(path, *args, **kw):
        raise RuntimeError(f"internal failure {phone}")

    monkeypatch.setattr(service, "load_workbook", broken_reader)
    assert main(["check", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "程序内部出错（RuntimeError）" in err and "Traceback" not in err
    log = (tmp_path / "logs" / "taizhang.log").read_text(encoding="utf-8")
    assert "In the worker process" in log and "broken_reader" in log  # where it failed, in the worker
    assert phone not in log  # a cell's telephone number never reaches the log


def _square(path: Path, add: int) -> tuple[str, int, int]:
    return path.name, int(path.stem) ** 2 + add, os.getpid()


def test_map_files_keeps_the_files_order_and_tells_each_file_done(tmp_path, monkeypatch):
    _forked(monkeypatch)
    paths = [tmp_path / f"{n}.xlsx" for n in range(20)]
    done: list[Path] = []
    out = workers.map_files(_square, paths, (1,), jobs=2, crashed=lambda p: ("", 0, 0), progress=done.append)
    assert [(name, value) for name, value, _ in out] == [(p.name, int(p.stem) ** 2 + 1) for p in paths]
    assert sorted(done) == sorted(paths) and os.getpid() not in {pid for *_, pid in out}
    alone = workers.map_files(_square, paths, (1,), jobs=1, crashed=lambda p: ("", 0, 0))
    assert {pid for *_, pid in alone} == {os.getpid()}


def _frozen(path: Path) -> tuple[int, int]:
    return gc.get_freeze_count(), os.getpid()


def test_forked_workers_inherit_this_process_frozen_and_it_is_unfrozen_after(tmp_path, monkeypatch):
    """A forked worker's garbage collector does not walk what it inherited (``gc.freeze``
    before the fork); this process's sees everything again once the workers have started."""
    _forked(monkeypatch)
    assert gc.get_freeze_count() == 0
    out = workers.map_files(_frozen, [tmp_path / f"{n}.xlsx" for n in range(8)], jobs=2, crashed=lambda p: (0, 0))
    assert all(count > 1000 for count, _ in out) and os.getpid() not in {pid for _, pid in out}
    assert gc.get_freeze_count() == 0


def test_workers_start_where_it_pays(monkeypatch):
    """By fork (Linux) from a few files; by spawn (importing taizhang: 0.5-1 s a worker) only
    from many; never with one job."""
    assert not workers.in_processes(1000, 1)
    monkeypatch.setattr(sys, "platform", "linux")
    assert workers.in_processes(workers.FORK_THRESHOLD, 2) and not workers.in_processes(workers.FORK_THRESHOLD - 1, 2)
    monkeypatch.setattr(sys, "platform", "win32")
    assert workers.start_context()[0].get_start_method() == "spawn"
    assert not workers.in_processes(workers.SPAWN_THRESHOLD - 1, 2) and workers.in_processes(workers.SPAWN_THRESHOLD, 2)


def test_jobs_must_be_a_positive_number(capsys, folder):
    with pytest.raises(SystemExit) as exited:  # as argparse ends the command line
        main(["check", str(folder), "--jobs", "0"])
    assert exited.value.code == 2 and "进程数应为正整数" in capsys.readouterr().err


# -- ending with the parent; nothing left on disk (issue 29; issue 23, item 10) -------------
# The kills at random moments of whole runs are in tests/test_killed_runs.py.

def test_a_child_whose_parent_is_gone_before_it_binds_itself_ends_at_once():
    """The race the parent-death signal leaves open: the parent died between the fork and the
    prctl call, and the child was handed to another parent.  The child looks and ends."""
    code = "import sys; from taizhang import workers; workers.bind_to_parent(int(sys.argv[1]), {!r}); print('alive')"
    for watch in (None, "poll"):
        gone = subprocess.run([sys.executable, "-c", code.format(watch), str(os.getpid() + 1_000_000)],
                              capture_output=True, text=True, timeout=60)
        assert (gone.returncode, gone.stdout) == (workers.ORPHANED, "")
        bound = subprocess.run([sys.executable, "-c", code.format(watch), str(os.getpid())],
                               capture_output=True, text=True, timeout=60)
        assert (bound.returncode, bound.stdout) == (0, "alive\n"), bound.stderr


def test_the_job_objects_limits_are_laid_out_as_windows_lays_them_out():
    """The Windows job object cannot be made here; what can be checked is the structure given
    to SetInformationJobObject, against the sizes and offsets of winnt.h's
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION (a wrong layout is refused, or sets other limits)."""
    import ctypes

    limits = workers.job_limits_type()
    basic = limits._fields_[0][1]
    if ctypes.sizeof(ctypes.c_void_p) == 8:
        assert ctypes.sizeof(limits) == 144 and ctypes.sizeof(basic) == 64
        assert (basic.LimitFlags.offset, basic.Affinity.offset, basic.SchedulingClass.offset) == (16, 48, 60)
        assert (limits.IoInfo.offset, limits.ProcessMemoryLimit.offset, limits.PeakJobMemoryUsed.offset) == (64, 112, 136)
    else:
        assert ctypes.sizeof(limits) == 112 and ctypes.sizeof(basic) == 48
    assert workers.JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE == 0x2000 and workers.JOB_OBJECT_EXTENDED_LIMIT_INFORMATION == 9


def test_spawned_workers_are_started_by_the_context_that_holds_them_in_the_job(monkeypatch):
    monkeypatch.setattr(sys, "platform", "win32")
    context, _ = workers.start_context()
    assert context.get_start_method() == "spawn"
    # a process class of its own (the one tying each worker to the job), not multiprocessing's
    assert issubclass(context.Process, multiprocessing.context.SpawnProcess)
    assert context.Process is not multiprocessing.context.SpawnProcess


def test_the_sweep_removes_what_dead_runs_left_and_nothing_else(tmp_path):
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = int(ended.stdout)
    made = {}
    for name in (f"taizhang-run-{dead}-abc", f"taizhang-run-{os.getpid()}-def", "taizhang-run-1-ghi",
                 "taizhang-serve-x1y2z3w4", "taizhang", "taizhang-k2j4h5g6"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "book.xlsx").write_bytes(b"PK names and phones")
        made[name] = tmp_path / name
    for name in ("taizhang-old45678.result", "taizhang-new45678.result"):
        (tmp_path / name).write_bytes(b"pickled ledger")
    old = time.time() - 3600
    for name in ("taizhang-old45678.result", "taizhang-k2j4h5g6"):
        os.utime(tmp_path / name, (old, old))
    gone = workers.sweep(tmp_path)
    assert sorted(p.name for p in gone) == sorted([f"taizhang-run-{dead}-abc", "taizhang-old45678.result",
                                                   "taizhang-k2j4h5g6"])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([
        f"taizhang-run-{os.getpid()}-def", "taizhang-run-1-ghi", "taizhang-serve-x1y2z3w4", "taizhang",
        "taizhang-new45678.result"])  # alive, another program's, too young to be a dead run's


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a process kills itself with SIGKILL")
def test_a_save_killed_midway_leaves_its_sheet_files_only_in_the_private_folder(tmp_path):
    """openpyxl writes a worksheet into a temporary file before zipping it: killed then, the
    sheet (names, phone numbers) stays on disk.  It is in the run's private folder, which the
    next run removes."""
    phone = "139" + "12345678"
    script = ("import os, signal, sys\n"
              "from pathlib import Path\n"
              "import openpyxl\n"
              "from openpyxl.worksheet import _writer\n"
              "from taizhang.writing import replace_atomically\n"
              "wb = openpyxl.Workbook()\n"
              f"wb.active.append(['张某某', '{phone}'])\n"
              "_writer.WorksheetWriter.cleanup = lambda self: os.kill(os.getpid(), signal.SIGKILL)\n"
              "replace_atomically(Path(sys.argv[1]), wb.save)\n")
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    proc = subprocess.run([sys.executable, "-c", script, str(tmp_path / "out.xlsx")], capture_output=True,
                          env={**os.environ, "TMPDIR": str(tmpdir)}, timeout=120)
    assert proc.returncode == -9, proc.stderr.decode("utf-8", "replace")
    (folder,) = tmpdir.iterdir()  # nothing beside the private folder
    assert folder.name.startswith("taizhang-run-") and oct(folder.stat().st_mode & 0o777) == "0o700"
    left = [p for p in folder.rglob("*") if p.is_file()]
    assert any(phone.encode() in p.read_bytes() for p in left)  # what was looked at is the sheet
    assert workers.sweep(tmpdir) == [folder] and not list(tmpdir.iterdir())


# --- Ctrl-C while the workers are forked -------------------------------------------------------

_SIGINT_AFTER_FORK = {"armed": False}


def _interrupt_in_fork_hook() -> None:
    """An at-fork hook of the parent (as logging's lock release is) in which Ctrl-C arrives."""
    if _SIGINT_AFTER_FORK["armed"]:
        _SIGINT_AFTER_FORK["armed"] = False
        import signal

        os.kill(os.getpid(), signal.SIGINT)
        sum(range(1000))  # Python handles the signal here, inside the hook


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_parent=_interrupt_in_fork_hook)


def _name_of(path: Path) -> str:
    return path.name


@pytest.mark.skipif(workers.start_context()[0].get_start_method() != "fork", reason="the workers are forked only on Linux")
def test_ctrl_c_while_the_workers_are_forked_is_raised_not_lost():
    paths = [Path(f"单位{i}.xlsx") for i in range(12)]
    assert workers.in_processes(len(paths), 2)
    _SIGINT_AFTER_FORK["armed"] = True
    try:
        with pytest.raises(KeyboardInterrupt):
            workers.map_files(_name_of, paths, jobs=2, crashed=_name_of)
    finally:
        _SIGINT_AFTER_FORK["armed"] = False
    # and the pool works as before once no key is pressed
    assert workers.map_files(_name_of, paths, jobs=2, crashed=_name_of) == [p.name for p in paths]


def test_ctrl_c_held_raises_once_the_block_is_done():
    import signal

    with pytest.raises(KeyboardInterrupt):
        with workers.ctrl_c_held():
            os.kill(os.getpid(), signal.SIGINT)
            done = sum(range(100000))  # no KeyboardInterrupt in here
    assert done == sum(range(100000))
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
