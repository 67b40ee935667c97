"""``taizhang summary``: the figures, the report paragraph, the 汇总表."""

from __future__ import annotations

import argparse
import json
import sys

from taizhang.cli.common import EXIT_UNREADABLE, console_width, progress_bar, request_of
from taizhang.usecases.requests import SummaryRequest
from taizhang.usecases.summarise import summarise


def cmd_summary(args: argparse.Namespace) -> int:
    request = request_of(SummaryRequest, args)
    if request is None:
        return EXIT_UNREADABLE
    with progress_bar() as progress:  # on a terminal only: the output below stays as it was
        outcome = summarise(request, args.cfg, progress)
    if outcome.data is not None and outcome.data.get("period_note"):  # the first line says which month
        print(outcome.data["period_note"] + "；可用 --period 指定", file=sys.stderr if args.json else sys.stdout)
    if outcome.data is not None:
        if args.json:
            print(json.dumps(outcome.data, ensure_ascii=False, indent=2))
        else:
            report, output = outcome.detail
            print_summary(report, outcome.data["bureau"], output)
    for message in outcome.messages:
        print(message, file=sys.stderr)
    return outcome.code


def print_summary(report, bureau: str, output) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console(highlight=False, width=console_width())
    fig, ytd = report.current, report.year_to_date
    table = Table(title=f"{escape(bureau)} {report.period.label} 统计", title_justify="left")
    table.add_column("项目")
    # the column heads the 汇总表 has: 本月 (本季度, 本半年, 本期, or a year) and 累计 with its months
    table.add_column(report.period.heading, justify="right")
    if ytd is not None:
        table.add_column(f"累计（{report.period.year_to_date().label}）", justify="right")
    rows = [
        ("信访举报（件）", fig.complaints.total, ytd and ytd.complaints.total),
        *((f"  {s}", n, ytd and ytd.complaints.by_source[s]) for s, n in fig.complaints.by_source.items()),
        *([("  来源不明", fig.complaints.unknown_source, ytd and ytd.complaints.unknown_source)]
          if fig.complaints.unknown_source or (ytd and ytd.complaints.unknown_source) else []),
        ("  已办结", fig.complaints.closed, ytd and ytd.complaints.closed),
        ("退费（件）", fig.refunds.cases, ytd and ytd.refunds.cases),
        ("  已退金额（元）", f"{fig.refunds.refunded:,.2f}", ytd and f"{ytd.refunds.refunded:,.2f}"),
        ("处分（人）", fig.sanctions.persons, ytd and ytd.sanctions.persons),
        ("整改问题（个）", fig.rectification.total, ytd and ytd.rectification.total),
        ("  逾期未完成", fig.rectification.overdue, ytd and ytd.rectification.overdue),
    ]
    for label, now, total in rows:
        table.add_row(label, str(now), *([str(total)] if ytd is not None else []))
    console.print(table)
    console.print("\n汇报段落：\n" + escape(report.narrative))
    if output:
        console.print(f"\n汇总表已写入 {escape(str(output))}")
