"""Benchmark: `taizhang consolidate` against the plain pandas + openpyxl script a user would write.

Makes a synthetic month (N units x 4 ledgers x 50 rows) in a temporary folder, then times,
in this one run:

- the baseline: ``pandas.read_excel`` of every sheet (openpyxl engine), ``concat`` per ledger,
  ``to_excel`` of the four detail sheets (openpyxl) — no checks, no roster, no provenance;
- ``taizhang consolidate`` doing that and its checks, roster matching, masking, status and
  findings sheets, atomic write.

It prints the ratio taizhang / baseline at 72 units and the per-file time of taizhang at 100
and 1,000 units.  Ratios, not absolute times, are the result: these machines are noisy.

    python benchmarks/bench_consolidate.py            # 72 and 100 units (a few minutes)
    python benchmarks/bench_consolidate.py --large    # also 1,000 units
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pandas as pd

from taizhang.config import default_config
from taizhang.consolidation.run import consolidate

SHEETS = {
    "整改台账": ["序号", "问题来源", "问题描述", "责任单位", "整改时限", "整改状态", "完成时间"],
    "信访举报台账": ["编号", "收件日期", "来源", "方式", "类别", "反映人", "联系电话", "办理状态", "办结日期"],
    "退费台账": ["序号", "学校", "收费项目", "查实日期", "涉及学生数", "应退金额", "已退金额"],
    "处分台账": ["序号", "姓名", "单位", "问题类型", "处分类别", "处理方式", "处理日期"],
}


def _row(sheet: str, i: int, unit: str, rnd: random.Random) -> list:
    day = date(2026, 10, 1) + timedelta(days=rnd.randrange(30))
    if sheet == "整改台账":
        done = rnd.random() < 0.5
        return [i, rnd.choice(["巡察反馈", "审计", "自查"]), f"问题{i}", unit, date(2026, 12, 31),
                "已完成" if done else "整改中", day if done else None]
    if sheet == "信访举报台账":
        closed = rnd.random() < 0.7
        return [i, day, rnd.choice(["省转办", "市转办", "自办"]), "来信", "违规收费", f"举报人{i}",
                f"138{i:08d}", "办结" if closed else "在办", day if closed else None]
    if sheet == "退费台账":
        due = rnd.randrange(100, 100000)
        return [i, unit, "教辅材料", day, rnd.randrange(1, 50), due, due]
    return [i, f"人员{i}", unit, "违规收费", "政务处分", "记过", day]


def make_month(folder: Path, units: int, rows: int = 50, seed: int = 7) -> Path:
    rnd = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    names = [f"第{n:04d}学校" for n in range(units)]
    roster = openpyxl.Workbook()
    roster.active.append(["单位", "别名"])
    for name in names:
        roster.active.append([name, ""])
    roster_path = folder.parent / f"roster-{units}.xlsx"
    roster.save(roster_path)
    for name in names:
        wb = openpyxl.Workbook(write_only=True)
        for sheet, header in SHEETS.items():
            ws = wb.create_sheet(sheet)
            ws.append([f"填报单位：{name}"])
            ws.append(header)
            for i in range(1, rows + 1):
                ws.append(_row(sheet, i, name, rnd))
        wb.save(folder / f"{name}.xlsx")
    return roster_path


def baseline(folder: Path, out: Path) -> None:
    """What a user would write: read every sheet with pandas, concat, write with openpyxl."""
    frames: dict[str, list[pd.DataFrame]] = {s: [] for s in SHEETS}
    for path in sorted(folder.glob("*.xlsx")):
        for sheet, df in pd.read_excel(path, sheet_name=None, header=1, engine="openpyxl").items():
            df.insert(0, "来源文件", path.name)
            frames[sheet].append(df)
    with pd.ExcelWriter(out, engine="openpyxl") as writer:
        for sheet, parts in frames.items():
            pd.concat(parts, ignore_index=True).to_excel(writer, sheet_name=sheet, index=False)


def timed(fn, *args, **kw) -> float:
    start = time.perf_counter()
    fn(*args, **kw)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", action="store_true", help="also 1,000 units")
    args = parser.parse_args()
    config = default_config()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        print("单位数  baseline(s)  taizhang(s)  比值  taizhang 每文件(ms)")
        sizes = [72, 100] + ([1000] if args.large else [])
        per_file: dict[int, float] = {}
        for n in sizes:
            folder = root / f"m{n}"
            roster = make_month(folder, n)
            t_base = timed(baseline, folder, root / f"base{n}.xlsx") if n <= 100 else 0.0
            master = root / f"master{n}.xlsx"
            t_ours = timed(consolidate, folder, "2026-10", master, config=config, roster_path=roster)
            per_file[n] = t_ours / n
            base = f"{t_base:>11.2f}" if n <= 100 else f"{'—':>11}"
            ratio = f"{t_ours / t_base:>4.2f}" if n <= 100 else f"{'—':>4}"
            print(f"{n:>6}  {base}  {t_ours:>11.2f}  {ratio}  {1000 * per_file[n]:>10.1f}")
            sys.stdout.flush()
        if 1000 in per_file:
            print(f"每文件时间 1000 单位 / 100 单位 = {per_file[1000] / per_file[100]:.2f}（不随文件数增长时约为 1）")
    return 0


if __name__ == "__main__":
    sys.exit(main())
