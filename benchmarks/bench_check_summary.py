"""Benchmark target 2: ``taizhang check`` and ``taizhang summary`` against a raw read.

Makes a synthetic month (72 units x 4 ledgers x 50 rows), then times in this one run,
interleaved, best of N:

- the baseline: ``python-calamine`` opening every file and reading every sheet to Python
  values, nothing else;
- ``taizhang check FOLDER --json`` and ``taizhang summary FOLDER --json`` run in-process
  (output discarded).

Target: each <= 3 x the raw read.

    python benchmarks/bench_check_summary.py [--units 72] [--repeat 3]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import tempfile
from pathlib import Path

from python_calamine import CalamineWorkbook

from benchdata import interleaved, make_month, spread
from taizhang.cli import main as taizhang


def raw_read(folder: Path) -> int:
    cells = 0
    for path in sorted(folder.glob("*.xlsx")):
        wb = CalamineWorkbook.from_path(str(path))
        for name in wb.sheet_names:
            cells += sum(len(r) for r in wb.get_sheet_by_name(name).to_python())
    return cells


def run(*argv: str) -> None:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        taizhang(list(argv))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=72)
    parser.add_argument("--rows", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "month"
        make_month(folder, args.units, args.rows)
        f = str(folder)
        times = interleaved({
            "raw": lambda: raw_read(folder),
            "check": lambda: run("check", f, "--as-of", "2026-10-31", "--json"),
            "summary": lambda: run("summary", f, "--as-of", "2026-10-31", "--period", "2026-10", "--json"),
        }, args.repeat)
    base = min(times["raw"])
    print(f"{args.units} 单位 × 4 台账 × {args.rows} 行；每项 {args.repeat} 次交替运行取最快")
    print(f"{'':<10}{'最快(s)':>9}{'比值':>8}{'目标':>6}{'波动':>7}")
    print(f"{'calamine':<10}{base:>9.2f}{'1.0×':>8}{'':>6}{spread(times['raw']):>7}")
    ok = True
    for name in ("check", "summary"):
        ratio = min(times[name]) / base
        ok &= ratio <= 3
        print(f"{name:<10}{min(times[name]):>9.2f}{ratio:>7.1f}×{'≤3':>6}{spread(times[name]):>7}")
    print("达到目标" if ok else "未达到目标")
    return 0


if __name__ == "__main__":
    sys.exit(main())
