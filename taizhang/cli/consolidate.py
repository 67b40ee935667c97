"""``taizhang consolidate``: the monthly merge into the bureau's master."""

from __future__ import annotations

import argparse
import json
import sys

from taizhang.cli.common import (
    EXIT_ERRORS, EXIT_UNREADABLE, Outcome, Progress, cannot_write, console_width, progress_bar,
)


def cmd_consolidate(args: argparse.Namespace) -> int:
    with progress_bar() as progress:
        outcome = run_consolidate(args, progress)
    for message in outcome.messages:
        print(message, file=sys.stderr)
    if outcome.data is not None:
        if args.json:
            print(json.dumps(outcome.data, ensure_ascii=False, indent=2))
        else:
            print_consolidation(outcome.detail)
    return outcome.code


def run_consolidate(args: argparse.Namespace, progress: Progress | None = None) -> Outcome:
    """``taizhang consolidate`` without printing: the ``--json`` shape, the exit code, the messages."""
    from pathlib import Path

    from taizhang.consolidation.lock import LockedError
    from taizhang.consolidation.run import ConsolidationError, consolidate

    state = {"done": 0, "total": None}

    def on_files(n: int) -> None:
        state["total"] = n
        if progress:
            progress(0, n, "")

    def on_file(path: Path) -> None:
        state["done"] += 1
        if progress:
            progress(state["done"], state["total"], path.name)

    try:
        result = consolidate(
            Path(args.folder), args.period, Path(args.master), config=args.cfg,
            roster_path=Path(args.roster) if args.roster else None, recursive=args.recursive,
            jobs=args.jobs, bureau=args.bureau or args.cfg.settings.get("bureau"),
            on_files=on_files, progress=on_file,
        )
    except (ConsolidationError, LockedError) as exc:
        return Outcome(EXIT_UNREADABLE, messages=[f"taizhang: {exc}"])
    except OSError as exc:
        return Outcome(EXIT_UNREADABLE, messages=[cannot_write("主表", args.master, exc)])
    messages = [f"taizhang: {notice}" for notice in result.notices]
    status = result.exit_status  # the meaning every command gives it
    if status == EXIT_UNREADABLE:
        messages.append("taizhang: 有文件无法读取，已退回（其余单位照常合并），见主表“报送情况”")
    elif status == EXIT_ERRORS:
        messages.append("taizhang: 注意：有台账存在错误或被退回，见主表“问题清单”和“报送情况”")
    return Outcome(status, result.as_json(), messages, result)


def print_consolidation(result) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console(highlight=False, width=console_width())
    table = Table(title=f"{result.period} 月度合并 → {escape(str(result.master))}", title_justify="left")
    for col in ("文件", "单位", "结果", "读取", "写入", "退回", "错误", "提醒", "说明"):
        table.add_column(col, no_wrap=col not in ("说明", "文件"))
    for f in result.files:
        table.add_row(escape(f.path.name), escape(f.unit or ""), "[green]已合并" if f.status == "ok" else "[red]退回",
                      str(f.rows_read), str(f.rows_written), str(f.rows_rejected), str(f.errors),
                      str(f.warnings), escape(f.reason or ""))
    console.print(table)
    console.print(f"已报送 {len(result.units_reported)} 个单位；未报送 {len(result.units_missing)} 个"
                  + (f"：{escape('、'.join(result.units_missing))}" if result.units_missing else ""))
    console.print(f"读取 {result.rows_read} 行 = 写入 {result.rows_written} 行 + 退回 {result.rows_rejected} 行")
    if result.backup:
        console.print(f"原主表已备份为 {escape(str(result.backup))}")
