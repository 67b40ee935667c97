"""Speed as staff feel it: whole processes, from their start to their exit, against baselines.

Every figure here except the warm ribbon click is a whole process started with ``subprocess``
(interpreter start-up, imports, the work, writing the output, exit), the way a clerk waits for
``taizhang`` on the command line or for a month-end run.  In this one run, interleaved
(A B C A B C …), best of N, each measure against its baseline:

- ``taizhang --version`` and ``taizhang --help`` against a bare ``python -c "import argparse, json"``
  (goal <= 4x);
- ``taizhang check`` of one small ledger (a workbook of the bundled month) against a fresh
  interpreter reading the same file with python-calamine (goal <= 6x);
- a month of 72 units x 4 ledgers x 50 rows: ``check --json`` and ``summary --json`` against a
  fresh interpreter reading every file with python-calamine (goal <= 3x); ``consolidate`` into a
  new master against the naive pandas + openpyxl script ``naive_consolidate.py``, run as a
  process of its own (goal <= 0.35x); and, no goal, the work per file in one reader process:
  ``check --jobs 1`` of the month less ``check --jobs 1`` of one file of it, over the other files;
- 100 and 1,000 units: ``check``, ``summary`` and ``consolidate``, peak resident memory of the
  process and its children (worker processes; Linux ``/proc``, sampled as ``PeakMemory`` does)
  (goal < 300 MB), and the time per file at 1,000 units against 100 (goal <= 1.2x);
- a ribbon click, warm (``bench_ribbon.py``'s in-memory port, in this interpreter: the COM
  server is already running when a clerk clicks), slowest over the bundled month (goal <= 0.3 s).

The machines are shared and noisy: only the ratios of one run mean anything; the spread
(slowest / fastest) is printed beside each figure.  ``--quick`` runs a smaller variant
(24 units, 20 against 200 units, 3 repetitions) to try it in a few minutes.  Each process is
run once untimed first; its bytecode is written to a folder of the run and reused, as an
installed taizhang's is (even where ``PYTHONDONTWRITEBYTECODE`` is set).

    python benchmarks/bench_processes.py [--quick] [--repeat 5] [--units 72]
                                         [--small 100] [--large 1000] [--scale-repeat 2]
                                         [--skip-scale] [--skip-ribbon] [--against DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MONTH = ROOT / "workbooks" / "samples" / "2026-10"
sys.path[:0] = [str(ROOT), str(HERE)]

from benchdata import make_month, spread, tree_rss  # noqa: E402

PY = sys.executable
AS_OF = "2026-10-31"
#: The children's environment: an installed taizhang has its bytecode compiled (pip does it),
#: so a child may write and reuse it (in a folder of this run, not beside the sources) even
#: where the environment asks Python not to (``PYTHONDONTWRITEBYTECODE``, as on these machines).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

#: A fresh interpreter reading every workbook given (files or folders) with python-calamine.
RAW_READ = """
import sys
from pathlib import Path
from python_calamine import CalamineWorkbook
cells = 0
for arg in sys.argv[1:]:
    p = Path(arg)
    for path in (sorted(p.glob("*.xlsx")) if p.is_dir() else [p]):
        wb = CalamineWorkbook.from_path(str(path))
        for name in wb.sheet_names:
            cells += sum(len(r) for r in wb.get_sheet_by_name(name).to_python())
"""

def taizhang_command() -> list[str]:
    """The ``taizhang`` console script beside this interpreter (what staff run), else ``-m``."""
    script = Path(PY).parent / ("taizhang.exe" if os.name == "nt" else "taizhang")
    return [str(script)] if script.exists() else [PY, "-m", "taizhang"]


class Process:
    """One whole process: its wall-clock time and the peak resident memory of its tree."""

    def __init__(self, argv: list[str], *, memory: bool = False, ok: tuple[int, ...] = (0, 1),
                 setup: Callable[[], None] | None = None, env: dict[str, str] | None = None) -> None:
        self.argv, self.memory, self.ok, self.setup, self.env = argv, memory, ok, setup, env or {}

    def twin(self, env: dict[str, str]) -> Process:
        """The same process under more environment (another checkout's code on PYTHONPATH)."""
        return Process(self.argv, memory=self.memory, ok=self.ok, setup=self.setup, env={**self.env, **env})

    def run(self) -> tuple[float, int]:
        if self.setup:
            self.setup()
        peak = 0
        start = time.perf_counter()
        proc = subprocess.Popen(self.argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**ENV, **self.env})
        if self.memory:
            stop = threading.Event()

            def sample() -> None:
                nonlocal peak
                while not stop.is_set():
                    peak = max(peak, tree_rss(proc.pid))
                    stop.wait(0.05)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
        _out, err = proc.communicate()
        seconds = time.perf_counter() - start
        if self.memory:
            stop.set()
            sampler.join()
        if proc.returncode not in self.ok:
            raise SystemExit(f"{' '.join(self.argv)} ended with {proc.returncode}:\n{err.decode(errors='replace')}")
        return seconds, peak


def race(contenders: dict[str, Process], repeat: int, warm_up: bool = True) -> tuple[dict[str, list[float]], dict[str, int]]:
    """Each contender run in turn ``repeat`` times (A B C A B C …), after one untimed run of
    each (bytecode written, files in the page cache): times and peak memory."""
    times: dict[str, list[float]] = {k: [] for k in contenders}
    peaks: dict[str, int] = {k: 0 for k in contenders}
    for proc in contenders.values() if warm_up else ():
        proc.run()
    for _ in range(repeat):
        for name, proc in contenders.items():
            seconds, peak = proc.run()
            times[name].append(seconds)
            peaks[name] = max(peaks[name], peak)
    return times, peaks


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str, str, str]] = []
        self.missed: list[str] = []

    def ratio(self, label: str, ours: list[float], base: list[float], goal: float, base_label: str,
              counts: bool = True) -> None:
        value = min(ours) / min(base)
        met = value <= goal
        self.rows.append((label, f"{min(ours):.3f} s ({spread(ours)})", f"{min(base):.3f} s ({spread(base)}) {base_label}",
                          f"{value:.2f}×", f"≤ {goal}×", "met" if met else "NOT met"))
        if not met and counts:
            self.missed.append(label)

    def figure(self, label: str, value: str, base: str, shown: str, goal: str, met: bool) -> None:
        self.rows.append((label, value, base, shown, goal, "met" if met else "NOT met"))
        if not met:
            self.missed.append(label)

    def print(self) -> None:
        heads = ("measure", "taizhang (spread)", "baseline (spread)", "ratio", "goal", "")
        widths = [max(len(r[i]) for r in [heads, *self.rows]) for i in range(6)]
        for row in [heads, *self.rows]:
            print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="24 units, 20 against 200 units, 3 repetitions")
    parser.add_argument("--repeat", type=int, default=None, help="repetitions of each process (default 5; 3 quick)")
    parser.add_argument("--units", type=int, default=None, help="units of the month (default 72; 24 quick)")
    parser.add_argument("--small", type=int, default=None, help="the small month of the scale test (default 100)")
    parser.add_argument("--large", type=int, default=None, help="the large month of the scale test (default 1000)")
    parser.add_argument("--scale-repeat", type=int, default=2, help="repetitions at scale (default 2)")
    parser.add_argument("--skip-scale", action="store_true", help="leave out the 100/1,000-unit runs")
    parser.add_argument("--skip-ribbon", action="store_true", help="leave out the warm ribbon click")
    parser.add_argument("--against", metavar="DIR",
                        help="also run every taizhang process with the package of DIR (another checkout, e.g. "
                             "`git worktree add DIR main`) on PYTHONPATH, interleaved in the same races: "
                             "before and after in one run (start-up, one ledger, the month)")
    args = parser.parse_args()
    repeat = args.repeat or (3 if args.quick else 5)
    units = args.units or (24 if args.quick else 72)
    small = args.small or (20 if args.quick else 100)
    large = args.large or (200 if args.quick else 1000)
    tz = taizhang_command()
    table = Table()
    per_file_notes: list[str] = []
    against = {"PYTHONPATH": str(Path(args.against).resolve())} if args.against else None

    def both(contenders: dict[str, Process], ours: tuple[str, ...]) -> dict[str, Process]:
        """``contenders`` and, with --against, a twin of each of ``ours`` running DIR's code."""
        if against is None:
            return contenders
        return {**contenders, **{f"{k}@before": contenders[k].twin(against) for k in ours}}

    def ratios(label: str, times: dict[str, list[float]], key: str, base: str, goal: float, base_label: str) -> None:
        table.ratio(label, times[key], times[base], goal, base_label)
        if f"{key}@before" in times:
            table.ratio(f"  the same, {args.against}", times[f"{key}@before"], times[base], goal, base_label,
                        counts=False)
    one_ledger = next(p for p in sorted(MONTH.iterdir()) if p.suffix == ".xlsx")

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        ENV["PYTHONPYCACHEPREFIX"] = str(root / "pycache")
        print(f"whole processes, best of {repeat}, interleaved, one run ({PY})", flush=True)

        # start-up
        times, _ = race(both({
            "bare": Process([PY, "-c", "import argparse, json"]),
            "version": Process([*tz, "--version"]),
            "help": Process([*tz, "--help"]),
        }, ("version", "help")), repeat)
        ratios("taizhang --version", times, "version", "bare", 4, "python -c 'import argparse, json'")
        ratios("taizhang --help", times, "help", "bare", 4, "python -c 'import argparse, json'")

        # one small ledger
        times, _ = race(both({
            "raw": Process([PY, "-c", RAW_READ, str(one_ledger)]),
            "check": Process([*tz, "check", str(one_ledger), "--as-of", AS_OF, "--json"]),
        }, ("check",)), repeat)
        ratios(f"check of one ledger ({one_ledger.stat().st_size // 1024} KB)", times, "check", "raw", 6,
               "calamine read, fresh python")

        # a month
        month = root / "month"
        roster = make_month(month, units)
        out = root / "out"

        def fresh() -> None:
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir()

        times, _ = race(both({
            "raw": Process([PY, "-c", RAW_READ, str(month)]),
            "check": Process([*tz, "check", str(month), "--as-of", AS_OF, "--json"]),
            "summary": Process([*tz, "summary", str(month), "--as-of", AS_OF, "--period", "2026-10", "--json"]),
            "naive": Process([PY, str(HERE / "naive_consolidate.py"), str(month), str(out / "naive.xlsx")], setup=fresh),
            "consolidate": Process([*tz, "consolidate", str(month), "--period", "2026-10", "--master",
                                    str(out / "master.xlsx"), "--roster", str(roster), "--json"], setup=fresh),
            # one reader process: the month, and one file of it, whose difference is the work per file
            "check1": Process([*tz, "check", str(month), "--as-of", AS_OF, "--json", "--jobs", "1"]),
            "check1 one": Process([*tz, "check", str(min(month.glob("*.xlsx"))), "--as-of", AS_OF, "--json",
                                   "--jobs", "1"]),
        }, ("check", "summary", "consolidate", "check1", "check1 one")), repeat)
        raw = "calamine read of every file, fresh python"
        ratios(f"check, {units} units", times, "check", "raw", 3, raw)
        ratios(f"summary, {units} units", times, "summary", "raw", 3, raw)
        ratios(f"consolidate, {units} units", times, "consolidate", "naive", 0.35, "naive pandas+openpyxl script")
        for suffix, whose in (("", "this checkout"), ("@before", args.against)):
            if f"check1{suffix}" in times:
                per_file = (min(times[f"check1{suffix}"]) - min(times[f"check1 one{suffix}"])) / (units - 1)
                per_file_notes.append(f"check --jobs 1, {units} units, work per file ({whose}): "
                                      f"{1000 * per_file:.1f} ms (the month less one file of it, over {units - 1})")

        # at scale
        if not args.skip_scale:
            print(f"making months of {small} and {large} units …", flush=True)
            folders = {n: root / f"m{n}" for n in (small, large)}
            rosters = {n: make_month(folders[n], n) for n in (small, large)}
            contenders: dict[str, Process] = {}
            for n in (small, large):
                f = str(folders[n])
                contenders[f"check {n}"] = Process([*tz, "check", f, "--as-of", AS_OF, "--json"], memory=True)
                contenders[f"summary {n}"] = Process(
                    [*tz, "summary", f, "--as-of", AS_OF, "--period", "2026-10", "--json"], memory=True)
                contenders[f"consolidate {n}"] = Process(
                    [*tz, "consolidate", f, "--period", "2026-10", "--master", str(out / "master.xlsx"),
                     "--roster", str(rosters[n]), "--json"], memory=True, setup=fresh)
            times, peaks = race(contenders, args.scale_repeat, warm_up=False)  # the month's runs warmed up
            for command in ("check", "summary", "consolidate"):
                big, little = times[f"{command} {large}"], times[f"{command} {small}"]
                per_big, per_little = min(big) / large, min(little) / small
                table.figure(f"{command}, {large} units: time per file", f"{1000 * per_big:.1f} ms ({spread(big)})",
                             f"{1000 * per_little:.1f} ms ({spread(little)}) at {small} units",
                             f"{per_big / per_little:.2f}×", "≤ 1.2×", per_big / per_little <= 1.2)
            for command in ("check", "summary", "consolidate"):
                peak = peaks[f"{command} {large}"] / 2**20
                table.figure(f"{command}, {large} units: peak memory", f"{peak:.0f} MB",
                             f"{peaks[f'{command} {small}'] / 2**20:.0f} MB at {small} units", "",
                             "< 300 MB", peak < 300)

    if not args.skip_ribbon:
        from bench_ribbon import click, load_month  # noqa: E402 - imports taizhang in this process

        books = load_month()
        click("tz_check", books[-1])  # the morning's first click, on another workbook: imports done
        warm: list[float] = []
        for book in books:
            warm.append(click("tz_check", book)[0])  # this workbook's first click in the warm server
            warm.extend(click("tz_check", book)[0] for _ in range(repeat))
        table.figure("ribbon click 检查台账, warm (in-process)", f"{max(warm):.3f} s slowest",
                     f"{len(books)} workbooks of the bundled month", f"median {sorted(warm)[len(warm) // 2]:.3f} s",
                     "≤ 0.3 s", max(warm) <= 0.3)

    table.print()
    for note in per_file_notes:
        print(note)
    print("all goals met" if not table.missed else f"goals NOT met: {'; '.join(table.missed)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
