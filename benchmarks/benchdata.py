"""Shared by the benchmarks: synthetic months of units' workbooks, interleaved timing, memory.

Figures on these shared 2-core machines are noisy: every script times its baseline and
taizhang in the same run, interleaved, takes the best of N repetitions, and prints the
spread (slowest / fastest) beside the ratio.
"""

from __future__ import annotations

import os
import random
import threading
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Callable

import openpyxl

SHEETS = {
    "整改台账": ["序号", "问题来源", "问题描述", "责任单位", "整改时限", "整改状态", "完成时间"],
    "信访举报台账": ["编号", "收件日期", "来源", "方式", "类别", "反映人", "联系电话", "办理状态", "办结日期"],
    "退费台账": ["序号", "学校", "收费项目", "查实日期", "涉及学生数", "应退金额", "已退金额"],
    "处分台账": ["序号", "姓名", "单位", "问题类型", "处分类别", "处理方式", "处理日期"],
}


def unit_names(units: int) -> list[str]:
    return [f"第{n:04d}学校" for n in range(units)]


def _row(sheet: str, i: int, unit: str, rnd: random.Random, first: date, days: int) -> list:
    day = first + timedelta(days=rnd.randrange(days))
    if sheet == "整改台账":
        done = rnd.random() < 0.5
        return [i, rnd.choice(["巡察反馈", "审计", "自查"]), f"问题{i}", unit, date(first.year, 12, 31),
                "已完成" if done else "整改中", day if done else None]
    if sheet == "信访举报台账":
        closed = rnd.random() < 0.7
        return [i, day, rnd.choice(["省转办", "市转办", "自办"]), "来信", "违规收费", f"举报人{i}",
                f"138{i:08d}", "办结" if closed else "在办", day if closed else None]
    if sheet == "退费台账":
        due = rnd.randrange(100, 100000)
        return [i, unit, "教辅材料", day, rnd.randrange(1, 50), due, due]
    return [i, f"人员{i}", unit, "违规收费", "政务处分", "记过", day]


def write_roster(path: Path, units: int) -> Path:
    roster = openpyxl.Workbook()
    roster.active.append(["单位", "别名"])
    for name in unit_names(units):
        roster.active.append([name, ""])
    roster.save(path)
    return path


def make_month(folder: Path, units: int, rows: int = 50, seed: int = 7, month: str = "2026-10") -> Path:
    """``units`` workbooks of four ledgers x ``rows`` rows dated in ``month``; returns the roster."""
    rnd = random.Random(f"{seed}-{month}")
    year, mon = (int(x) for x in month.split("-"))
    first = date(year, mon, 1)
    days = ((date(year + mon // 12, mon % 12 + 1, 1)) - first).days
    folder.mkdir(parents=True, exist_ok=True)
    for name in unit_names(units):
        wb = openpyxl.Workbook(write_only=True)
        for sheet, header in SHEETS.items():
            ws = wb.create_sheet(sheet)
            ws.append([f"填报单位：{name}"])
            ws.append(header)
            for i in range(1, rows + 1):
                ws.append(_row(sheet, i, name, rnd, first, days))
        wb.save(folder / f"{name}.xlsx")
    return write_roster(folder.parent / f"roster-{units}.xlsx", units)


def timed(fn: Callable[..., Any], *args: Any, **kw: Any) -> float:
    start = time.perf_counter()
    fn(*args, **kw)
    return time.perf_counter() - start


def interleaved(contenders: dict[str, Callable[[], Any]], repeat: int,
                setup: Callable[[], None] | None = None) -> dict[str, list[float]]:
    """Times of each contender, run in turn ``repeat`` times (A B C A B C …)."""
    times: dict[str, list[float]] = {k: [] for k in contenders}
    for _ in range(repeat):
        for name, fn in contenders.items():
            if setup:
                setup()
            times[name].append(timed(fn))
    return times


def spread(values: list[float]) -> str:
    return f"{max(values) / min(values):.2f}" if min(values) > 0 else "—"


def fmt_times(values: list[float], unit: str = "s") -> str:
    scale = 1000 if unit == "ms" else 1
    return "/".join(f"{v * scale:.{1 if unit == 'ms' else 2}f}" for v in values)


def tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants (Linux /proc)."""
    total = 0
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read().rsplit(b")", 1)[1].split()
            children.setdefault(int(stat[1]), []).append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    stack = [pid]
    page = os.sysconf("SC_PAGE_SIZE")
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/statm") as fh:
                total += int(fh.read().split()[1]) * page
        except (OSError, IndexError, ValueError):
            pass
        stack.extend(children.get(p, []))
    return total


class PeakMemory:
    """Samples the resident memory of this process and its children (worker processes) while
    the ``with`` block runs; ``peak`` is the largest sum seen, in bytes."""

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss(os.getpid()))
            self._stop.wait(self.interval)

    def __enter__(self) -> "PeakMemory":
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, tree_rss(os.getpid()))
