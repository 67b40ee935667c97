"""``taizhang consolidate``: the monthly merge into the bureau's master."""

from __future__ import annotations

import argparse
import json
import sys

from taizhang.cli.common import EXIT_UNREADABLE, console_width, progress_bar, request_of
from taizhang.usecases.consolidate import consolidate
from taizhang.usecases.requests import ConsolidateRequest


def cmd_consolidate(args: argparse.Namespace) -> int:
    request = request_of(ConsolidateRequest, args)
    if request is None:
        return EXIT_UNREADABLE
    with progress_bar() as progress:
        outcome = consolidate(request, args.cfg, progress)
    for message in outcome.messages:
        print(message, file=sys.stderr)
    if outcome.data is not None:
        if args.json:
            print(json.dumps(outcome.data, ensure_ascii=False, indent=2))
        else:
            print_consolidation(outcome.detail)
    return outcome.code


def print_consolidation(result) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console(highlight=False, width=console_width())
    what = "逐级汇总" if result.rollup else "月度合并"
    table = Table(title=f"{result.period} {what} → {escape(str(result.master))}", title_justify="left")
    for col in ("文件", "单位", "结果", "读取", "写入", "退回", "错误", "提醒", "说明"):
        table.add_column(col, no_wrap=col not in ("说明", "文件"))
    for f in result.files:
        table.add_row(escape(f.path.name), escape(f.unit or ""), "[green]已合并" if f.status == "ok" else "[red]退回",
                      str(f.rows_read), str(f.rows_written), str(f.rows_rejected), str(f.errors),
                      str(f.warnings), escape(f.reason or ""))
    console.print(table)
    who = "县（区）" if result.rollup else "单位"
    console.print(f"已报送 {len(result.units_reported)} 个{who}；未报送 {len(result.units_missing)} 个"
                  + (f"：{escape('、'.join(result.units_missing))}" if result.units_missing else ""))
    console.print(f"读取 {result.rows_read} 行 = 写入 {result.rows_written} 行 + 退回 {result.rows_rejected} 行")
    if result.backup:
        console.print(f"原主表已备份为 {escape(str(result.backup))}")
