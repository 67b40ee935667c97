"""``taizhang summary``: the figures, the report paragraph, the 汇总表."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date

from taizhang.cli.common import EXIT_ERRORS, EXIT_OK, EXIT_UNREADABLE, console_width
from taizhang.reading.source import expand_paths
from taizhang.service import check_file


DEFAULT_BUREAU = "县教育局"


def cmd_summary(args: argparse.Namespace) -> int:
    from pathlib import Path

    from taizhang.figures import Period, PeriodError, compute, report_json, rows_by_kind
    from taizhang.summary import save_summary

    as_of = args.as_of or date.today()
    try:
        period = Period.parse(args.period) if args.period else Period.of_month(as_of)
    except PeriodError as exc:
        print(f"taizhang: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    files = expand_paths(args.paths)
    if not files:
        print("taizhang: 没有找到工作簿文件（支持 .xlsx .xlsm .xls .xlsb .ods）", file=sys.stderr)
        return EXIT_UNREADABLE
    reports = [check_file(p, as_of=as_of, config=args.cfg) for p in files]
    ledgers = [lg for r in reports for lg in r.ledgers if not lg.hidden]
    blocking = []
    for r in reports:
        for lg in r.ledgers:
            errors = sum(f.is_error and f.sheet == lg.sheet for f in r.findings)
            if errors and not lg.hidden:
                blocking.append({"file": str(r.path), "sheet": lg.sheet, "errors": errors})
    report = compute(rows_by_kind(ledgers), period, as_of, args.cfg)
    bureau = args.bureau or args.cfg.settings.get("bureau") or DEFAULT_BUREAU
    output = None
    if args.output:
        notes = [f"{Path(b['file']).name}“{b['sheet']}”错误 {b['errors']} 个" for b in blocking]
        try:
            output = save_summary(Path(args.output), report, bureau=bureau, blocking_errors=notes)
        except OSError as exc:
            print(f"taizhang: 汇总表无法写入 {args.output}（{exc.strerror or exc}）", file=sys.stderr)
            return EXIT_UNREADABLE
    data = report_json(report)
    data["bureau"] = bureau
    data["blocking_errors"] = blocking
    data["unreadable"] = [{"path": str(r.path), "reason": r.refusal.message} for r in reports if r.refusal]
    data["output"] = str(output) if output else None
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print_summary(report, bureau, output)
    for r in reports:
        if r.refusal is not None:
            print(f"taizhang: 无法读取 {r.refusal.message}", file=sys.stderr)
    for b in blocking:
        print(f"taizhang: 注意：{b['file']}“{b['sheet']}”有 {b['errors']} 个错误，统计数字可能不准确"
              f"（taizhang check 查看详情）", file=sys.stderr)
    if any(r.refusal for r in reports):
        return EXIT_UNREADABLE
    return EXIT_ERRORS if blocking else EXIT_OK


def print_summary(report, bureau: str, output) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False, width=console_width())
    fig, ytd = report.current, report.year_to_date
    table = Table(title=f"{bureau} {report.period.label} 统计", title_justify="left")
    table.add_column("项目")
    table.add_column("本期", justify="right")
    if ytd is not None:
        table.add_column("累计", justify="right")
    rows = [
        ("信访举报（件）", fig.complaints.total, ytd and ytd.complaints.total),
        *((f"  {s}", n, ytd and ytd.complaints.by_source[s]) for s, n in fig.complaints.by_source.items()),
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
    console.print("\n汇报段落：\n" + report.narrative)
    if output:
        console.print(f"\n汇总表已写入 {output}")
