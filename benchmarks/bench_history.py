"""Benchmark target 4: a year of history in one master; December's run against January's.

The same units send a month of ledgers every month; each month is consolidated into the same
master, January to December.  The months are run once in order (their times printed); then,
interleaved, best of N: January into a new master, and December into a copy of the master as
it stood after November (with whatever taizhang keeps beside it).

Target: December <= 1.5 x January (the cost of a month's run flat in the master's history).

The year is the last one that has ended (``--year`` to choose): December is consolidated once
it is over, as offices do.  A December still to come would have every row dated after today,
each a finding of its own, and the ratio would measure those rather than the history.

    python benchmarks/bench_history.py [--units 72] [--rows 50] [--repeat 3] [--year YYYY]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path

from benchdata import interleaved, make_month, spread, timed
from taizhang.config import default_config
from taizhang.consolidation.run import consolidate

MASTER = "局汇总.xlsx"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=72)
    parser.add_argument("--rows", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--year", type=int, default=date.today().year - 1)
    args = parser.parse_args()
    config = default_config()
    months = [f"{args.year}-{m:02d}" for m in range(1, 13)]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        folders = {}
        for m in months:
            folders[m] = root / "in" / m
            roster = make_month(folders[m], args.units, args.rows, month=m)

        def run(month: str, where: Path) -> None:
            consolidate(folders[month], month, where / MASTER, config=config, roster_path=roster)

        year = root / "year"
        year.mkdir()
        print(f"{args.units} 单位 × 4 台账 × {args.rows} 行，{args.year} 年逐月合并到同一主表：")
        once = {}
        for m in months[:-1]:
            once[m] = timed(run, m, year)
            print(f"  {m}  {once[m]:.2f} s", flush=True)
        snapshot = root / "after-november"
        shutil.copytree(year, snapshot)
        jan_dir, dec_dir = root / "jan", root / "dec"

        def fresh() -> None:
            for d in (jan_dir, dec_dir):
                shutil.rmtree(d, ignore_errors=True)
            jan_dir.mkdir()
            shutil.copytree(snapshot, dec_dir)

        times = interleaved({"january": lambda: run(months[0], jan_dir),
                             "december": lambda: run(months[-1], dec_dir)}, args.repeat, setup=fresh)
    jan, dec = min(times["january"]), min(times["december"])
    print(f"{args.repeat} 次交替运行取最快：一月（新主表）{jan:.2f} s（波动 {spread(times['january'])}），"
          f"十二月（已有 11 个月）{dec:.2f} s（波动 {spread(times['december'])}）")
    ratio = dec / jan
    print(f"比值 十二月 / 一月 = {ratio:.2f}（目标 ≤ 1.5）：{'达到目标' if ratio <= 1.5 else '未达到目标'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
