"""``taizhang check``: findings per file and sheet, as a table or as JSON."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import Any

from taizhang import workers
from taizhang.cli.common import (
    EXIT_ERRORS, EXIT_OK, EXIT_UNREADABLE, Outcome, Progress, cannot_write, console_width, per_file, progress_bar,
)
from taizhang.findings_sheet import code_title
from taizhang.reading.folder import expand_paths, no_workbooks, skip_reason
from taizhang.checks.files import FileReport, reader_died
from taizhang.service import check_slim


def cmd_check(args: argparse.Namespace) -> int:
    with progress_bar() as progress:  # on a terminal only: the output below stays as it was
        outcome = run_check(args, progress)
    if outcome.data is not None:
        if args.json:
            print(json.dumps(outcome.data, ensure_ascii=False, indent=2))
        else:
            print_check(outcome.detail, args.as_of or date.today())
    for message in outcome.messages:
        print(message, file=sys.stderr)
    return outcome.code


def run_check(args: argparse.Namespace, progress: Progress | None = None) -> Outcome:
    """``taizhang check`` without printing: the ``--json`` shape, the exit code, the messages.
    With ``-o`` the findings also go into a 问题清单 sheet (the one layout every command writes)."""
    from pathlib import Path

    from taizhang.cli.summary import _is_one_of

    output = Path(args.output) if getattr(args, "output", None) else None
    if output is not None and _is_one_of(output, [Path(p) for p in args.paths]):
        return Outcome(EXIT_UNREADABLE, messages=[
            f"taizhang: 问题清单不能写入被检查的台账 {output}（源台账从不改动），请换一个文件名"])
    skipped: list = []
    recursive = getattr(args, "recursive", False)
    files = expand_paths(args.paths, skipped, recursive=recursive)
    notes = [f"taizhang: 已跳过 {p}：{skip_reason(p)}" for p in skipped
             if output is None or not _is_one_of(output, [p])]  # last run's list, about to be replaced
    if output is not None and _is_one_of(output, files):  # a ledger in a folder given: never written
        return Outcome(EXIT_UNREADABLE, messages=[
            *notes, f"taizhang: 问题清单不能写入被检查的台账 {output}（源台账从不改动），请换一个文件名"])
    if not files:
        return Outcome(EXIT_UNREADABLE, messages=[*notes, f"taizhang: {no_workbooks(args.paths, recursive=recursive)}"])
    as_of = args.as_of or date.today()
    reports = workers.map_files(check_slim, files, (as_of, args.cfg), jobs=getattr(args, "jobs", None),
                                crashed=reader_died, progress=per_file(progress, len(files)))
    if output is not None:
        from taizhang.findings_sheet import report_rows
        from taizhang.summary import OutputError, save_findings

        try:
            save_findings(output, report_rows(reports))
        except OutputError as exc:
            return Outcome(EXIT_UNREADABLE, messages=[*notes, f"taizhang: {exc}"])
        except OSError as exc:
            return Outcome(EXIT_UNREADABLE, messages=[*notes, cannot_write("问题清单", output, exc)])
    messages = notes + [f"taizhang: 无法读取 {r.refusal.message}" for r in reports if r.refusal is not None]
    return Outcome(check_exit_code(reports), check_json(reports), messages, reports)


def check_exit_code(reports: list[FileReport]) -> int:
    if any(r.refusal is not None for r in reports):
        return EXIT_UNREADABLE
    if any(r.has_errors for r in reports):
        return EXIT_ERRORS
    return EXIT_OK


def check_json(reports: list[FileReport]) -> dict[str, Any]:
    """The ``--json`` shape of ``taizhang check`` (public: fields are added, never renamed)."""
    files = []
    for r in reports:
        stats = r.stats
        files.append({
            "path": str(r.path),
            "readable": r.refusal is None,
            "reason": r.refusal.message if r.refusal else None,
            "reporting_unit": next((lg.reporting_unit for lg in r.heads if lg.reporting_unit), None),
            "ledgers": [
                {"kind": lg.kind.value, "sheet": lg.sheet, "header_row": lg.header_row,
                 "rows": lg.row_count, "hidden": lg.hidden}
                for lg in r.heads
            ],
            "findings": [f.model_dump(mode="json") for f in r.findings],
            "stats": stats.model_dump(mode="json"),
        })
    total = {
        "files": len(reports),
        "unreadable": sum(r.refusal is not None for r in reports),
        "errors": sum(r.stats.errors for r in reports),
        "warnings": sum(r.stats.warnings for r in reports),
    }
    from taizhang.outputs import CheckOutput

    return CheckOutput.model_validate({"files": files, "summary": total}).model_dump(mode="json")


def print_check(reports: list[FileReport], as_of: date) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

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
