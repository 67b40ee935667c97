"""A run killed at any moment (``kill -9``, Task Manager's 结束任务, a closed terminal) leaves no
process behind, and nothing with a ledger in it on disk (issue 29; issue 23, item 10).

Each command that reads in worker processes (``check``, ``summary``, ``consolidate``) is run
on a month of files that includes legacy ``.xls`` files (each read by a child of its own,
``taizhang.reading.isolated``) and a workbook encrypted with Excel's default password (read
through a decrypted copy), and killed at random moments of its run, spread over the run.
The run is started in a process group of its own; every process of that group (workers,
their reader children) must be gone a few seconds later.  The temporary folder (``TMPDIR``,
this test's own) may then hold nothing but the killed run's private folder (0700), which the
next run removes."""

from __future__ import annotations

import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="processes are looked up in /proc (the mechanisms of other systems: "
                                       "tests/test_workers.py and the README)")

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "workbooks" / "samples"
KILLS = 5
#: A run's private folder: ``<TMPDIR>/taizhang-run-<pid>-<random>`` (``taizhang.workers``).
PRIVATE = "taizhang-run-"
#: How long the processes of a killed run may take to end.
GRACE_SECONDS = 5.0
SEED = int(os.environ.get("TAIZHANG_KILL_SEED", random.randrange(1 << 30)))

_SPAWN_AND_POLL = ("import sys\n"
                   "from taizhang import workers\n"
                   "workers._context = lambda: (workers._TiedSpawnContext(), 2)\n"
                   "workers.WATCH = 'poll'\n"
                   "from taizhang.cli import main\n"
                   "sys.exit(main(sys.argv[1:]))\n")


@pytest.fixture(scope="module")
def month(tmp_path_factory) -> Path:
    """Two copies of the sample month (16 files, two .xls among them) and one workbook
    encrypted with Excel's default password, which is read through a decrypted copy."""
    from msoffcrypto.format.ooxml import OOXMLFile

    folder = tmp_path_factory.mktemp("killed") / "2026-10"
    folder.mkdir()
    for copy in range(2):
        for path in sorted((SAMPLES / "2026-10").iterdir()):
            shutil.copy(path, folder / f"{copy}_{path.name}")
    with (SAMPLES / "2026-10" / "城关小学_2026年10月台账.xlsx").open("rb") as src, \
            (folder / "加密_城关小学_2026年10月台账.xlsx").open("wb") as out:
        OOXMLFile(src).encrypt("VelvetSweatshop", out)
    return folder


def _group(pgid: int) -> list[tuple[int, str]]:
    """The live processes of process group ``pgid`` (a zombie holds no memory: not counted)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                fields = fh.read().rpartition(b")")[2].split()
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                cmdline = fh.read().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] not in (b"Z", b"X"):
            found.append((int(entry), cmdline[:160]))
    return found


def _leftovers(tmpdir: Path, killed: int) -> list[str]:
    """Files in ``tmpdir`` outside the killed run's private folder, and private folders that
    are not private."""
    wrong = []
    for root, dirs, files in os.walk(tmpdir):
        rel = Path(root).relative_to(tmpdir)
        top = rel.parts[0] if rel.parts else None
        if top is None:
            wrong += [f"{name}（在私有文件夹之外）" for name in files]
            for name in dirs:
                mode = stat.S_IMODE((tmpdir / name).lstat().st_mode)
                if name.startswith(f"{PRIVATE}{killed}-") and mode != 0o700:
                    wrong.append(f"{name}：权限 {oct(mode)}")
        elif not top.startswith(f"{PRIVATE}{killed}-"):
            wrong += [str(rel / name) for name in files]
    return wrong


def _files(tmpdir: Path) -> list[str]:
    return sorted(str(p.relative_to(tmpdir)) for p in tmpdir.rglob("*"))


def _env(tmp_path: Path) -> dict[str, str]:
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "TAIZHANG_CONFIG"}
    env.update(TMPDIR=str(tmpdir), TAIZHANG_LOG_DIR=str(tmp_path / "logs"), PYTHONUNBUFFERED="1",
               XDG_CONFIG_HOME=str(tmp_path / "config"), HOME=str(tmp_path / "home"))
    (tmp_path / "home").mkdir(exist_ok=True)
    return env


def _command(name: str, month: Path, tmp_path: Path) -> list[str]:
    if name == "check":
        return ["check", str(month), "--as-of", "2026-10-31", "--jobs", "2", "--json"]
    if name == "summary":
        return ["summary", str(month), "--as-of", "2026-10-31", "--period", "2026-10", "--jobs", "2", "--json"]
    return ["consolidate", str(month), "--period", "2026-10", "--master", str(tmp_path / "主表.xlsx"),
            "--roster", str(SAMPLES / "单位名册.xlsx"), "--jobs", "2", "--json"]


def _kill_runs(cmd: list[str], env: dict[str, str], tmpdir: Path, rnd: random.Random, kills: int = KILLS, *,
               next_start: bool = False) -> None:
    # a whole run first: how long one takes here, and that it leaves nothing
    started = time.monotonic()
    whole = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, timeout=300)
    took = time.monotonic() - started
    assert whole.returncode in (0, 1, 2), whole.stderr.decode("utf-8", "replace")[-2000:]
    assert whole.stdout.startswith(b"{"), whole.stderr.decode("utf-8", "replace")[-2000:]
    assert _files(tmpdir) == []
    seen_workers = 0
    for k in range(kills):
        # at moments spread over the run; the last one once the workers are seen, so that
        # however this machine's load stretches a run, at least one kill comes while they read
        last = k == kills - 1
        moment = 0.9 * took * rnd.uniform(k / kills, (k + 1) / kills)
        proc = subprocess.Popen(cmd, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        started = time.monotonic()
        deadline = None if last else started + moment
        before: list[tuple[int, str]] = []
        while proc.poll() is None:
            before = _group(proc.pid)
            if deadline is None and len(before) > 1:
                deadline = time.monotonic() + rnd.uniform(0, 0.3)
            if deadline is not None and time.monotonic() >= deadline:
                break
            time.sleep(0.05)
        moment = time.monotonic() - started
        if proc.poll() is None:  # a run quicker than the first may have ended: nothing to kill
            os.kill(proc.pid, signal.SIGKILL)
            seen_workers += len(before) > 1
        proc.wait(timeout=30)
        left = _group(proc.pid)
        ends = time.monotonic() + GRACE_SECONDS
        while left and time.monotonic() < ends:
            time.sleep(0.05)
            left = _group(proc.pid)
        if left:  # the test must not leave them either
            for pid, _ in left:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        assert not left, (f"killed after {moment:.2f} s (seed {SEED}): still running {GRACE_SECONDS} s later: "
                          f"{left}; before the kill: {before}")
        assert not _leftovers(tmpdir, proc.pid), (moment, SEED, _leftovers(tmpdir, proc.pid))
    if next_start:  # the next run removes what the killed ones left (an .xls read makes it start its folder)
        one = subprocess.run([sys.executable, "-m", "taizhang", "check", str(SAMPLES / "2026-10" / "县中心幼儿园_2026年10月.xls"),
                              "--json"], env=env, cwd=REPO, capture_output=True, timeout=120)
        assert one.returncode in (0, 1), one.stderr.decode("utf-8", "replace")
    else:  # what the next run does first
        from taizhang import workers

        workers.sweep(tmpdir)
    assert _files(tmpdir) == []
    assert seen_workers >= 1, f"no kill came while workers ran (seed {SEED}): the test proved nothing"


@pytest.mark.parametrize("command", ["check", "summary", "consolidate"])
def test_a_killed_run_leaves_no_process_and_no_ledger_behind(month, tmp_path, command):
    env = _env(tmp_path)
    cmd = [sys.executable, "-m", "taizhang", *_command(command, month, tmp_path)]
    _kill_runs(cmd, env, tmp_path / "tmp", random.Random(f"{SEED}-{command}"), next_start=command == "check")


def test_spawned_workers_watching_their_parent_end_with_it(month, tmp_path):
    """The way of Windows and macOS on Linux: workers started by ``spawn`` (the context that
    puts them into the job object on Windows), each watching its parent from a thread (what
    is left where kqueue is missing)."""
    env = _env(tmp_path)
    cmd = [sys.executable, "-c", _SPAWN_AND_POLL, *_command("check", month, tmp_path)]
    _kill_runs(cmd, env, tmp_path / "tmp", random.Random(f"{SEED}-spawn"), kills=3)


def test_a_killed_service_leaves_no_worker_behind(month, tmp_path):
    """``taizhang serve`` runs a request in a thread of its own process: the workers of that run
    are its children and end with it, as a command's do."""
    from servehelp import start_service

    env_root = tmp_path / "serve"
    service = start_service(env_root)
    try:
        allowed = service.allowed / "2026-10"
        shutil.copytree(month, allowed)
        answered: list[int] = []

        def ask() -> None:
            try:
                answered.append(service.post("check", {"paths": [str(allowed)], "as_of": "2026-10-31"},
                                             timeout=60)[0])
            except OSError:
                answered.append(-1)

        asking = threading.Thread(target=ask)
        asking.start()
        children: list[int] = []
        ends = time.monotonic() + 30
        while not children and time.monotonic() < ends:  # kill while the run's workers are reading
            children = _children(service.proc.pid)
            time.sleep(0.02)
        assert children, "the service started no worker"
        time.sleep(random.Random(SEED).uniform(0, 0.3))
        os.kill(service.proc.pid, signal.SIGKILL)
        service.proc.wait(timeout=30)
        asking.join(timeout=60)
        ends = time.monotonic() + GRACE_SECONDS
        while any(_running(pid) for pid in children) and time.monotonic() < ends:
            time.sleep(0.05)
        left = [pid for pid in children if _running(pid)]
        for pid in left:
            os.kill(pid, signal.SIGKILL)
        assert not left, f"workers of the killed service still running: {left}"
    finally:
        if service.proc.poll() is None:
            service.stop()


def _children(parent: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as fh:
                    fields = fh.read().rpartition(b")")[2].split()
            except OSError:
                continue
            if int(fields[1]) == parent:
                out.append(int(entry))
    return out


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rpartition(b")")[2].split()[0] not in (b"Z", b"X")
    except OSError:
        return False
