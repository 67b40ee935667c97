"""``taizhang summary``: the figures, the report paragraph, the 汇总表."""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal
from typing import Any, Callable

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
    table = Table(title=f"{escape(bureau)} {report.period.label} 统计", title_justify="left")
    table.add_column("项目")
    # the column heads the 汇总表 has: 本月 (本季度, 本半年, 本期, or a year) and 累计 with its
    # months; with --compare, the period before and the same period a year earlier beside them
    columns = _columns(report)
    for heading, _figures in columns:
        table.add_column(heading, justify="right")
    figures = [f for _heading, f in columns]
    for label, value in _table_rows(report.current):
        cells = [value(f) for f in figures]
        if label.strip() == "来源不明" and not any(cells):
            continue  # shown only where some column has one
        table.add_row(label, *(f"{c:,.2f}" if isinstance(c, Decimal) else str(c) for c in cells))
    console.print(table)
    console.print("\n汇报段落：\n" + escape(report.narrative))
    if output:
        console.print(f"\n汇总表已写入 {escape(str(output))}")


def _columns(report) -> list[tuple[str, Any]]:
    """(heading, figures) of each column of numbers: the period, its 累计, and with --compare the
    period before and the same period a year earlier (where there is one, and once where the two
    are the same period: the year before a year)."""
    columns = [(report.period.heading, report.current)]
    if report.year_to_date is not None:
        columns.append((f"累计（{report.period.year_to_date().label}）", report.year_to_date))
    compare = report.compare
    if compare is not None:
        from taizhang.figures.compare import previous_word

        if compare.previous is not None:
            columns.append((f"{previous_word(report.period)}（{compare.previous.period.label}）",
                            compare.previous.current))
        earlier = compare.year_earlier
        if earlier is not None and (compare.previous is None or earlier.period != compare.previous.period):
            columns.append((f"去年同期（{earlier.period.label}）", earlier.current))  # a year's is its 上年
    return columns


def _table_rows(current) -> list[tuple[str, Callable[[Any], Any]]]:
    """The rows of the table: a label and how each column's figures give its number (the
    sources those of ``current``, the period's)."""
    return [
        ("信访举报（件）", lambda f: f.complaints.total),
        *((f"  {s}", lambda f, s=s: f.complaints.by_source.get(s, 0)) for s in current.complaints.by_source),
        ("  来源不明", lambda f: f.complaints.unknown_source),
        ("  已办结", lambda f: f.complaints.closed),
        ("退费（件）", lambda f: f.refunds.cases),
        ("  已退金额（元）", lambda f: f.refunds.refunded),
        ("处分（人）", lambda f: f.sanctions.persons),
        ("整改问题（个）", lambda f: f.rectification.total),
        ("  逾期未完成", lambda f: f.rectification.overdue),
    ]
