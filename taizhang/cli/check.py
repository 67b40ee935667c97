"""``taizhang check``: findings per file and sheet, as a table or as JSON."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import TYPE_CHECKING

from taizhang.cli.common import EXIT_UNREADABLE, console_width, progress_bar, request_of
from taizhang.usecases.check import check
from taizhang.usecases.requests import CheckRequest

if TYPE_CHECKING:
    from taizhang.usecases.files import FileReport


def cmd_check(args: argparse.Namespace) -> int:
    request = request_of(CheckRequest, args)
    if request is None:
        return EXIT_UNREADABLE
    with progress_bar() as progress:  # on a terminal only: the output below stays as it was
        outcome = check(request, args.cfg, progress)
    if outcome.data is not None:
        if args.json:
            print(json.dumps(outcome.data, ensure_ascii=False, indent=2))
        else:
            print_check(outcome.detail, request.as_of or date.today())
    for message in outcome.messages:
        print(message, file=sys.stderr)
    return outcome.code


def print_check(reports: list[FileReport], as_of: date) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from taizhang.findings import code_title

    console = Console(highlight=False, soft_wrap=False, width=console_width())
    for r in reports:  # text from files (names, sheets, cells) is escaped: never taken as markup
        console.rule(f"[bold]{escape(str(r.path))}")
        if r.refusal is not None:
            console.print(f"[red]✗ 无法读取：{escape(r.refusal.message)}")
            continue
        for lg in r.heads:
            flag = "（隐藏）" if lg.hidden else ""
            console.print(f"  {escape(lg.sheet)}{flag}：{lg.label}，表头第 {lg.header_row} 行，"
                          f"{lg.row_count} 行数据")
        if not r.findings:
            console.print("[green]✓ 未发现问题")
            continue
        by_sheet: dict[str, list] = {}
        for f in r.findings:
            by_sheet.setdefault(f.sheet or "（整个工作簿）", []).append(f)
        for sheet, items in by_sheet.items():
            table = Table(title=f"工作表：{escape(sheet)}", title_justify="left", show_lines=False)
            table.add_column("级别", no_wrap=True)
            table.add_column("单元格", no_wrap=True)
            table.add_column("列", no_wrap=True)
            table.add_column("问题")
            table.add_column("问题类型", no_wrap=True)
            table.add_column("代码", style="dim", no_wrap=True)
            for f in items:
                level = "[red]错误" if f.is_error else "[yellow]提醒"
                table.add_row(level, f.cell or (f"第{f.row}行" if f.row else ""), escape(f.column or ""),
                              escape(f.message), code_title(f.code), f.code)
            console.print(table)
        s = r.stats
        counts = "，".join(f"{code_title(c)} {n}" for c, n in sorted(s.by_code.items()))
        console.print(f"  合计：错误 {s.errors} 个，提醒 {s.warnings} 个（{counts}）")
    errors = sum(r.stats.errors for r in reports)
    warnings = sum(r.stats.warnings for r in reports)
    bad = sum(r.refusal is not None for r in reports)
    console.print(
        f"\n共检查 {len(reports)} 个文件（检查日期 {as_of.isoformat()}）：错误 {errors} 个，提醒 {warnings} 个"
        + (f"，无法读取 {bad} 个" if bad else "")
    )
