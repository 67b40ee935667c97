"""Benchmark target 5: 1,000 units in one consolidation against 100 units.

Makes two synthetic months (100 and 1,000 units x 4 ledgers x 50 rows) and consolidates each
into a new master, interleaved, best of N, sampling the resident memory of the process and
its worker processes (Linux ``/proc``) while each runs.

Targets: per-file time at 1,000 units <= 1.2 x that at 100 units; peak memory < 1 GB.

    python benchmarks/bench_scale.py [--small 100] [--large 1000] [--repeat 2]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from benchdata import PeakMemory, make_month, spread, timed
from taizhang.config import default_config
from taizhang.consolidation.run import consolidate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--large", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    config = default_config()
    sizes = (args.small, args.large)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        rosters = {n: make_month(root / f"m{n}", n) for n in sizes}
        times: dict[int, list[float]] = {n: [] for n in sizes}
        peaks: dict[int, int] = {n: 0 for n in sizes}
        for _ in range(args.repeat):
            for n in sizes:
                out = root / f"out{n}"
                shutil.rmtree(out, ignore_errors=True)
                out.mkdir()
                with PeakMemory() as mem:
                    times[n].append(timed(consolidate, root / f"m{n}", "2026-10", out / "master.xlsx",
                                          config=config, roster_path=rosters[n]))
                peaks[n] = max(peaks[n], mem.peak)
    print(f"{'单位数':>6}{'最快(s)':>9}{'每文件(ms)':>11}{'波动':>7}{'内存峰值(MB)':>13}")
    per_file = {}
    for n in sizes:
        per_file[n] = min(times[n]) / n
        print(f"{n:>6}{min(times[n]):>9.2f}{1000 * per_file[n]:>11.1f}{spread(times[n]):>7}"
              f"{peaks[n] / 2**20:>13.0f}")
    ratio = per_file[args.large] / per_file[args.small]
    ok = ratio <= 1.2 and peaks[args.large] < 2**30
    print(f"每文件时间 {args.large} 单位 / {args.small} 单位 = {ratio:.2f}（目标 ≤ 1.2）；"
          f"内存峰值 {peaks[args.large] / 2**20:.0f} MB（目标 < 1024 MB）：{'达到目标' if ok else '未达到目标'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
