"""Benchmark target 1: worksheet functions on a 10,000-row ledger range, as xlwings hands it over.

The range is a list of rows (header first) holding floats, datetimes, text and ``None``, the
way xlwings passes ``ndim=2`` ranges.  In one run, interleaved, best of N, it times:

- the baseline: a plain pass turning the 已退金额 column into ``Decimal``s;
- ``REFUND_TOTAL``, ``COMPLAINT_COUNT(…,"省转办")`` and ``LEDGER_CHECK`` (the functions Excel
  calls, configuration loading included), and the other kinds' functions
  (``SANCTION_COUNT(…,"诫勉")``, ``RECTIFY_OVERDUE``, ``ACTIVITY_COUNT(…,"学习教育","人次")``),
  each on a *first call* (content not seen before: one value differs from every earlier
  repetition) and on a *repeated call* (a fresh copy of the same content: xlwings builds new
  lists at every recalculation).

Targets: first call <= 10 x the baseline (<= 25 x for LEDGER_CHECK, which reads every cell);
repeated call <= 3 x.

    python benchmarks/bench_formulas.py [--rows 10000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import copy
import random
import sys
import time
from datetime import datetime, timedelta
from decimal import Decimal

from benchdata import spread
from udfs.functions import (
    ACTIVITY_COUNT,
    COMPLAINT_COUNT,
    LEDGER_CHECK,
    RECTIFY_OVERDUE,
    REFUND_TOTAL,
    SANCTION_COUNT,
)

REFUND_HEADER = ["序号", "学校", "收费项目", "查实日期", "涉及学生数", "违规金额", "应退金额", "已退金额", "退费日期"]
COMPLAINT_HEADER = ["编号", "收件日期", "来源", "方式", "类别", "被反映人", "承办单位", "处置方式", "办理状态",
                    "办结日期", "核查结论"]
SANCTION_HEADER = ["序号", "姓名", "单位", "问题类型", "处分类别", "处理方式", "处理日期", "文号"]
RECTIFICATION_HEADER = ["序号", "问题来源", "问题描述", "责任单位", "整改时限", "整改状态", "完成时间"]
ACTIVITY_HEADER = ["序号", "日期", "活动类别", "活动内容", "次数", "参与人次", "组织单位"]
PAID = REFUND_HEADER.index("已退金额")


def refunds_range(rows: int, rnd: random.Random) -> list[list]:
    out = [["退费台账", None, None, None, None, None, None, None, None], REFUND_HEADER]
    for i in range(1, rows + 1):
        day = datetime(2026, 1, 1) + timedelta(days=rnd.randrange(300))
        due = float(rnd.randrange(100, 100000)) + rnd.randrange(100) / 100
        out.append([float(i), f"第{rnd.randrange(300):03d}学校", rnd.choice(["教辅材料", "有偿补课", "择校费"]),
                    day, float(rnd.randrange(1, 50)), due, due, due, day + timedelta(days=3)])
    return out


def complaints_range(rows: int, rnd: random.Random) -> list[list]:
    out = [COMPLAINT_HEADER]
    for i in range(1, rows + 1):
        day = datetime(2026, 1, 1) + timedelta(days=rnd.randrange(300))
        closed = rnd.random() < 0.7
        out.append([float(i), day, rnd.choice(["省转办", "市转办", "自办"]), "来信", "违规收费", f"某某{i}",
                    "县一中", "初步核实", "办结" if closed else "在办", day + timedelta(days=9) if closed else None,
                    rnd.choice(["属实", "不属实", "部分属实"])])
    return out


def sanctions_range(rows: int, rnd: random.Random) -> list[list]:
    out = [SANCTION_HEADER]
    for i in range(1, rows + 1):
        day = datetime(2026, 1, 1) + timedelta(days=rnd.randrange(300))
        out.append([float(i), f"某{rnd.randrange(rows // 3)}", f"第{rnd.randrange(300):03d}学校",
                    rnd.choice(["违规收费", "违规招生", "有偿补课"]), None, rnd.choice(["诫勉", "警告", "批评教育"]),
                    day, f"教纪〔2026〕{i}号"])
    return out


def rectification_range(rows: int, rnd: random.Random) -> list[list]:
    out = [RECTIFICATION_HEADER]
    for i in range(1, rows + 1):
        done = rnd.random() < 0.5
        out.append([float(i), rnd.choice(["巡察反馈", "审计", "自查"]), f"问题{i}", f"第{rnd.randrange(300):03d}学校",
                    datetime(2026, rnd.randrange(1, 13), 28), "已完成" if done else "整改中",
                    datetime(2026, 10, 1) if done else None])
    return out


def activities_range(rows: int, rnd: random.Random) -> list[list]:
    out = [ACTIVITY_HEADER]
    for i in range(1, rows + 1):
        day = datetime(2026, 1, 1) + timedelta(days=rnd.randrange(300))
        out.append([float(i), day, rnd.choice(["专题学习", "警示教育大会", "廉政谈话"]), f"内容{i}", None,
                    float(rnd.randrange(5, 80)), f"第{rnd.randrange(300):03d}学校"])
    return out


def decimal_pass(table: list[list]) -> Decimal:
    total = Decimal(0)
    for row in table[2:]:
        v = row[PAID]
        if v is not None:
            total += Decimal(repr(v))
    return total


def vary(value, rep: int):
    """Another valid value for a cell, different at every repetition."""
    if isinstance(value, float):
        return value - (rep + 1) / 100  # an amount paid back: a fen less
    if value in ("省转办", "市转办", "自办"):
        sources = ["省转办", "市转办", "自办"]
        return sources[(sources.index(value) + rep + 1) % 3] + " " * ((rep + 1) // 3)
    return f"{value}{rep}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rnd = random.Random(16)
    refunds = refunds_range(args.rows, rnd)
    complaints = complaints_range(args.rows, rnd)
    cases = {
        # (call, range, a column the function reads, target for the first call)
        "REFUND_TOTAL": (lambda t: REFUND_TOTAL(t), refunds, PAID, 10),
        "COMPLAINT_COUNT": (lambda t: COMPLAINT_COUNT(t, "省转办"), complaints, 2, 10),
        "LEDGER_CHECK": (lambda t: LEDGER_CHECK(t), refunds, 1, 25),
        "SANCTION_COUNT": (lambda t: SANCTION_COUNT(t, "诫勉"), sanctions_range(args.rows, rnd), 1, 10),
        "RECTIFY_OVERDUE": (lambda t: RECTIFY_OVERDUE(t, datetime(2026, 10, 31)),
                            rectification_range(args.rows, rnd), 2, 10),
        "ACTIVITY_COUNT": (lambda t: ACTIVITY_COUNT(t, "学习教育", "人次"), activities_range(args.rows, rnd), 5, 10),
    }
    # sanity: the functions answer (a number, or OK), not an error text
    for name, (fn, table, _col, _target) in cases.items():
        answer = fn(copy.deepcopy(table))
        if isinstance(answer, str) and answer.startswith("#错误"):
            print(f"{name} 返回错误：{answer}", file=sys.stderr)
            return 2
    times: dict[str, list[float]] = {"baseline": []}
    for name in cases:
        times[f"{name} first"] = []
        times[f"{name} repeated"] = []
    for rep in range(args.repeat):
        base_input = copy.deepcopy(refunds)
        start = time.perf_counter()
        decimal_pass(base_input)
        times["baseline"].append(time.perf_counter() - start)
        for name, (fn, table, col, _target) in cases.items():
            first = copy.deepcopy(table)
            # content never seen before in this process: one value differs from every earlier call
            row = first[len(first) // 2]
            row[col] = vary(row[col], rep)
            again = copy.deepcopy(first)  # same content, new objects, as at a recalculation
            start = time.perf_counter()
            fn(first)
            times[f"{name} first"].append(time.perf_counter() - start)
            start = time.perf_counter()
            fn(again)
            times[f"{name} repeated"].append(time.perf_counter() - start)
    base = min(times["baseline"])
    print(f"{args.rows} 行，每项 {args.repeat} 次交替运行取最快；基准（已退金额列转 Decimal）"
          f"{1000 * base:.1f} ms，波动 {spread(times['baseline'])}")
    print(f"{'函数':<26}{'最快(ms)':>10}{'比值':>9}{'目标':>7}{'波动':>7}")
    ok = True
    for name, (_fn, _table, _col, target) in cases.items():
        for which, goal in (("first", target), ("repeated", 3)):
            ts = times[f"{name} {which}"]
            ratio = min(ts) / base
            ok &= ratio <= goal
            print(f"{name + ' ' + which:<26}{1000 * min(ts):>10.1f}{ratio:>8.1f}×{'≤' + str(goal):>7}{spread(ts):>7}")
    print("达到目标" if ok else "未达到目标")
    return 0


if __name__ == "__main__":
    sys.exit(main())
