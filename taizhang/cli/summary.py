"""``taizhang summary``: the figures, the report paragraph, the 汇总表."""

from __future__ import annotations

import argparse
import json
import sys

from taizhang.cli.common import (
    EXIT_ERRORS, EXIT_OK, EXIT_UNREADABLE, Outcome, Progress, cannot_write, console_width, per_file, progress_bar,
)
from taizhang.reading.folder import expand_paths, no_workbooks, skip_reason
from taizhang.summarising import summarise_files
from taizhang.writing import FileInUse, open_elsewhere


def cmd_summary(args: argparse.Namespace) -> int:
    with progress_bar() as progress:  # on a terminal only: the output below stays as it was
        outcome = run_summary(args, progress)
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


def run_summary(args: argparse.Namespace, progress: Progress | None = None) -> Outcome:
    """``taizhang summary`` without printing: the ``--json`` shape, the exit code, the messages."""
    from pathlib import Path

    from taizhang.figures import Period, PeriodError
    from taizhang.findings_sheet import report_rows
    from taizhang.summary import OutputError, describe, save_summary

    try:
        period = Period.parse(args.period) if args.period else None
    except PeriodError as exc:
        return Outcome(EXIT_UNREADABLE, messages=[f"taizhang: {exc}"])
    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:  # a mistyped folder: no all-zero 汇总表
        return Outcome(EXIT_UNREADABLE, messages=[
            f"taizhang: 找不到 {'、'.join(missing)}（文件或文件夹不存在），没有统计，也没有写入任何文件"])
    output_path = Path(args.output) if args.output else None
    if output_path is not None and (lock := open_elsewhere(output_path)) is not None:
        return Outcome(EXIT_UNREADABLE, messages=[f"taizhang: {FileInUse(output_path, lock).message('汇总表')}"])
    skipped: list[Path] = []
    recursive = getattr(args, "recursive", False)
    files = expand_paths(args.paths, skipped, recursive=recursive)
    if output_path is not None and _is_one_of(output_path, files):  # wherever the ledger lies
        return Outcome(EXIT_UNREADABLE, messages=[
            f"taizhang: 汇总表不能写入被统计的台账 {args.output}（源台账从不改动），请换一个文件名"])
    skipped_notes = [f"taizhang: 已跳过 {p}：{skip_reason(p).replace('不是台账', '不作为台账统计')}"
                     for p in skipped if output_path is None or not _is_one_of(output_path, [p])]
    if not files:
        return Outcome(EXIT_UNREADABLE, messages=[
            *skipped_notes, f"taizhang: {no_workbooks(args.paths, recursive=recursive)}"])
    # settings: defaults < --config < the 台账设置 sheet of a workbook given < --bureau / --as-of;
    # the rows are kept only for the 明细 sheet of a 汇总表 written
    summed = summarise_files(files, args.cfg, period=period, bureau=args.bureau, as_of=args.as_of,
                             rows=output_path is not None, jobs=getattr(args, "jobs", None),
                             progress=per_file(progress, len(files)))
    reports, report, blocking = summed.reports, summed.report, summed.blocking
    bureau = summed.settings.bureau
    output = None
    if args.output:
        notes = [describe(b) for b in blocking]
        notes += [f"{r.path.name}无法读取，未计入" for r in reports if r.refusal is not None]
        try:
            output = save_summary(output_path, report, bureau=bureau, blocking_errors=notes,
                                  config=summed.settings.config,
                                  findings=report_rows(reports, month=report.period.key))
        except OutputError as exc:
            return Outcome(EXIT_UNREADABLE, messages=[f"taizhang: {exc}"])
        except OSError as exc:
            return Outcome(EXIT_UNREADABLE, messages=[cannot_write("汇总表", args.output, exc)])
    data = summed.json(bureau, output)
    messages = skipped_notes + [f"taizhang: 无法读取 {r.refusal.message}" for r in reports if r.refusal is not None]
    messages += blocking_notes(blocking, output)
    if any(r.refusal for r in reports):
        code = EXIT_UNREADABLE
    else:
        code = EXIT_ERRORS if blocking else EXIT_OK
    return Outcome(code, data, messages, (report, output))


#: How many files with errors ``summary`` names one by one before it only counts the rest.
NOTES_SHOWN = 10


def blocking_notes(blocking: list, output=None, shown: int = NOTES_SHOWN) -> list[str]:
    """The 注意 lines for ledgers with errors: one line per file (its sheets together), the first
    ``shown`` files, then how many more and where they are all listed (the 汇总表's 问题清单 when
    one was written, ``taizhang check``, ``--json``'s ``blocking_errors``)."""
    by_file: dict[str, list] = {}
    for b in blocking:
        by_file.setdefault(str(b["file"]), []).append(b)
    lines = []
    for file, items in by_file.items():
        where = "、".join(f"“{b['sheet']}”" if b["sheet"] is not None else "（整个工作簿）" for b in items)
        errors = sum(b["errors"] for b in items)
        lines.append(f"taizhang: 注意：{file}{where}有 {errors} 个错误，统计数字可能不准确（taizhang check 查看详情）")
    if len(lines) <= shown:
        return lines
    rest = list(by_file.values())[shown:]
    errors = sum(b["errors"] for items in rest for b in items)
    listed = f"见汇总表 {output} 的“问题清单”" if output else "用 taizhang check 查看详情"
    more = (f"taizhang: 另有 {len(rest)} 个文件有注意事项（共 {errors} 个错误），"
            f"统计数字可能不准确，{listed}（--json 的 blocking_errors 列出全部）")
    return [*lines[:shown], more]


def _is_one_of(path, files) -> bool:
    """Whether ``path`` is one of ``files`` (the same file, however it is named)."""
    if not path.is_file():
        return False
    return any(f.is_file() and path.samefile(f) for f in files)


def print_summary(report, bureau: str, output) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console(highlight=False, width=console_width())
    fig, ytd = report.current, report.year_to_date
    table = Table(title=f"{escape(bureau)} {report.period.label} 统计", title_justify="left")
    table.add_column("项目")
    # the column heads the 汇总表 has: 本月 (or the period) and 累计 with its months
    table.add_column("本月" if report.period.is_month else report.period.label, justify="right")
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
