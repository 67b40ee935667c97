"""Benchmark target 3: `taizhang consolidate` against the plain pandas + openpyxl script a user would write.

Makes a synthetic month (72 units x 4 ledgers x 50 rows) in a temporary folder, then times,
in this one run, interleaved, best of N:

- the baseline: ``pandas.read_excel`` of every sheet (openpyxl engine), ``concat`` per ledger,
  ``to_excel`` of the four detail sheets (openpyxl) — no checks, no roster, no provenance;
- ``taizhang consolidate`` into a new master doing that and its checks, roster matching,
  masking, status and findings sheets, the 汇总表, atomic write.

Target: taizhang <= 0.35 x the baseline.  Ratios, not absolute times, are the result: these
machines are noisy.  (Per-file time at 100 and 1,000 units: ``bench_scale.py``.)

    python benchmarks/bench_consolidate.py [--units 72] [--repeat 3]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import naive_consolidate
from benchdata import interleaved, make_month, spread
from taizhang.config import default_config
from taizhang.consolidation.run import consolidate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=72)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    config = default_config()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        folder = root / "month"
        roster = make_month(folder, args.units)
        out = root / "out"

        def fresh() -> None:
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir()

        times = interleaved({
            "baseline": lambda: naive_consolidate.consolidate(folder, out / "base.xlsx"),
            "taizhang": lambda: consolidate(folder, "2026-10", out / "master.xlsx", config=config,
                                            roster_path=roster),
        }, args.repeat, setup=fresh)
    base, ours = min(times["baseline"]), min(times["taizhang"])
    ratio = ours / base
    print(f"{args.units} 单位 × 4 台账 × 50 行；各 {args.repeat} 次交替运行取最快")
    print(f"baseline(pandas+openpyxl) {base:.2f} s（波动 {spread(times['baseline'])}）  "
          f"taizhang {ours:.2f} s（波动 {spread(times['taizhang'])}）  每文件 {1000 * ours / args.units:.1f} ms")
    print(f"比值 taizhang / baseline = {ratio:.2f}（目标 ≤ 0.35）：{'达到目标' if ratio <= 0.35 else '未达到目标'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
