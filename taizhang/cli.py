"""The command line ``taizhang``: translate arguments, call the service layer, print results.

Exit codes (a public interface): 0 no errors (warnings allowed); 1 errors found; 2 a file
could not be read at all, or the command could not run.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import Any, Sequence

from taizhang import __version__
from taizhang.config import ConfigError, load_config
from taizhang.findings import CATALOGUE
from taizhang.reading.source import expand_paths
from taizhang.service import FileReport, check_file

EXIT_OK, EXIT_ERRORS, EXIT_UNREADABLE = 0, 1, 2


def _as_of(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期应为 YYYY-MM-DD，例如 2026-10-31（收到“{text}”）") from None


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # usage errors exit 2, like every refusal
        self.print_usage(sys.stderr)
        self.exit(EXIT_UNREADABLE, f"taizhang: 参数错误：{message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="taizhang", description="纪检台账：检查、汇总、合并 Excel 台账")
    parser.add_argument("--version", action="version", version=f"taizhang {__version__}")
    parser.add_argument("--config", metavar="FILE", help="本单位配置文件（同义词、选项、四种形态）")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    check = sub.add_parser("check", help="检查台账，列出问题", description="检查台账工作簿，列出每个问题所在的工作表和单元格")
    check.add_argument("paths", nargs="+", metavar="PATH", help="工作簿文件或文件夹")
    check.add_argument("--as-of", type=_as_of, default=None, metavar="YYYY-MM-DD",
                       help="检查日期（判断逾期、未来日期），默认今天")
    check.add_argument("--json", action="store_true", help="以 JSON 输出")
    check.set_defaults(func=cmd_check)

    summ = sub.add_parser(
        "summary", help="统计汇总，生成汇总表和汇报材料",
        description="统计信访举报、退费、处分、整改数字，生成汇总表（-o）和汇报段落。"
                    "退出码：0 已生成且台账无错误；1 已生成但台账有错误（汇总表上有醒目提示）；"
                    "2 有文件无法读取或参数错误（其余文件照常统计）。")
    summ.add_argument("paths", nargs="+", metavar="PATH", help="工作簿文件或文件夹")
    summ.add_argument("--period", default=None, metavar="P",
                      help="统计期间：2026-10（月，另附全年累计）、2026（年）或 all；默认检查日期所在月")
    summ.add_argument("--as-of", type=_as_of, default=None, metavar="YYYY-MM-DD", help="统计截至日期，默认今天")
    summ.add_argument("--bureau", metavar="NAME", help="局名称（汇总表标题），默认取配置 settings.bureau")
    summ.add_argument("-o", "--output", metavar="OUT.xlsx", help="写入汇总表的工作簿（已有的则只替换汇总表和明细两张表）")
    summ.add_argument("--json", action="store_true", help="以 JSON 输出")
    summ.set_defaults(func=cmd_summary)

    addin = sub.add_parser("addin", help="Excel 加载项：生成或安装", description="Excel 加载项（功能区“纪检台账”）")
    addin_sub = addin.add_subparsers(dest="addin_command", required=True, parser_class=_Parser)
    build = addin_sub.add_parser("build", help="生成功能区 XML、VBA 模块、设置和加载项文件（任何系统）")
    build.add_argument("-o", "--output", default="build/addin", metavar="DIR", help="输出文件夹，默认 build/addin")
    build.add_argument("--interpreter", metavar="PYTHON", help="Excel 调用的 Python（默认当前 Python）")
    build.set_defaults(func=cmd_addin_build)
    inst = addin_sub.add_parser("install", help="安装到本机 Excel（仅 Windows）")
    inst.add_argument("--interpreter", metavar="PYTHON", help="Excel 调用的 Python（默认当前 Python）")
    inst.set_defaults(func=cmd_addin_install)

    cons = sub.add_parser(
        "consolidate", help="月度合并：各单位台账合并到局主表",
        description="把文件夹中各单位报送的台账合并到局主表：按单位名册认定单位，逐一检查，"
                    "写入合并明细、汇总表、报送情况和问题清单。退回的文件和未报送的单位会列出，不影响其他单位。"
                    "退出码：0 主表已写入；2 无法运行（主表被占用或不可写、文件夹不存在、月份错误）。")
    cons.add_argument("folder", metavar="FOLDER", help="各单位报送的工作簿所在文件夹")
    cons.add_argument("--period", required=True, metavar="YYYY-MM", help="合并的月份，例如 2026-10")
    cons.add_argument("--master", required=True, metavar="MASTER.xlsx", help="局主表（不存在时新建）")
    cons.add_argument("--roster", metavar="FILE", help="单位名册工作簿（第一张表含“单位”“别名”列）；默认用主表的“单位名册”表")
    cons.add_argument("--recursive", action="store_true", help="包括子文件夹")
    cons.add_argument("--bureau", metavar="NAME", help="局名称（汇总表标题）")
    cons.add_argument("--jobs", type=int, default=None, metavar="N", help="并行读取的进程数（默认：CPU 核数，最多 2）")
    cons.add_argument("--json", action="store_true", help="以 JSON 输出")
    cons.set_defaults(func=cmd_consolidate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        args.cfg = load_config(args.config)
    except ConfigError as exc:
        print(f"taizhang: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    return args.func(args)


# --- check -------------------------------------------------------------------------------

def cmd_check(args: argparse.Namespace) -> int:
    files = expand_paths(args.paths)
    if not files:
        print("taizhang: 没有找到工作簿文件（支持 .xlsx .xlsm .xls .xlsb .ods）", file=sys.stderr)
        return EXIT_UNREADABLE
    as_of = args.as_of or date.today()
    reports = [check_file(p, as_of=as_of, config=args.cfg) for p in files]
    if args.json:
        print(json.dumps(check_json(reports), ensure_ascii=False, indent=2))
    else:
        print_check(reports, as_of)
    for r in reports:
        if r.refusal is not None:
            print(f"taizhang: 无法读取 {r.refusal.message}", file=sys.stderr)
    return check_exit_code(reports)


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
            "reporting_unit": next((lg.reporting_unit for lg in r.ledgers if lg.reporting_unit), None),
            "ledgers": [
                {"kind": lg.kind.value, "sheet": lg.sheet, "header_row": lg.header_row,
                 "rows": len(lg.rows), "hidden": lg.hidden}
                for lg in r.ledgers
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
    return {"files": files, "summary": total}


def print_check(reports: list[FileReport], as_of: date) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False, soft_wrap=False, width=None if sys.stdout.isatty() else 160)
    for r in reports:
        console.rule(f"[bold]{r.path}")
        if r.refusal is not None:
            console.print(f"[red]✗ 无法读取：{r.refusal.message}")
            continue
        for lg in r.ledgers:
            flag = "（隐藏）" if lg.hidden else ""
            console.print(f"  {lg.sheet}{flag}：{lg.layout.spec.label}，表头第 {lg.header_row} 行，{len(lg.rows)} 行数据")
        if not r.findings:
            console.print("[green]✓ 未发现问题")
            continue
        by_sheet: dict[str, list] = {}
        for f in r.findings:
            by_sheet.setdefault(f.sheet or "（整个工作簿）", []).append(f)
        for sheet, items in by_sheet.items():
            table = Table(title=f"工作表：{sheet}", title_justify="left", show_lines=False)
            table.add_column("级别", no_wrap=True)
            table.add_column("单元格", no_wrap=True)
            table.add_column("列", no_wrap=True)
            table.add_column("问题")
            table.add_column("代码", style="dim", no_wrap=True)
            for f in items:
                level = "[red]错误" if f.is_error else "[yellow]提醒"
                table.add_row(level, f.cell or (f"第{f.row}行" if f.row else ""), f.column or "",
                              f.message, f.code)
            console.print(table)
        s = r.stats
        counts = "，".join(f"{CATALOGUE[c][1]} {n}" for c, n in sorted(s.by_code.items()))
        console.print(f"  合计：错误 {s.errors} 个，提醒 {s.warnings} 个（{counts}）")
    errors = sum(r.stats.errors for r in reports)
    warnings = sum(r.stats.warnings for r in reports)
    bad = sum(r.refusal is not None for r in reports)
    console.print(
        f"\n共检查 {len(reports)} 个文件（检查日期 {as_of.isoformat()}）：错误 {errors} 个，提醒 {warnings} 个"
        + (f"，无法读取 {bad} 个" if bad else "")
    )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())


# --- summary -------------------------------------------------------------------------

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

    console = Console(highlight=False, width=None if sys.stdout.isatty() else 160)
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


# --- addin ---------------------------------------------------------------------------

def cmd_addin_build(args: argparse.Namespace) -> int:
    from pathlib import Path

    from addin.build import build

    try:
        files = build(Path(args.output), args.interpreter)
    except OSError as exc:
        print(f"taizhang: 无法写入 {args.output}（{exc.strerror or exc}）", file=sys.stderr)
        return EXIT_UNREADABLE
    for role, path in files.items():
        print(f"{role}\t{path}")
    return EXIT_OK


def cmd_addin_install(args: argparse.Namespace) -> int:
    from addin.install import InstallError, install

    try:
        target = install(args.interpreter)
    except InstallError as exc:
        print(f"taizhang: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    print(f"已安装：{target}。请重新打开 Excel，功能区中会出现“纪检台账”选项卡。")
    return EXIT_OK


# --- consolidate ---------------------------------------------------------------------

def cmd_consolidate(args: argparse.Namespace) -> int:
    from pathlib import Path

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from taizhang.consolidation.lock import LockedError
    from taizhang.consolidation.run import ConsolidationError, consolidate

    err = Console(stderr=True, highlight=False)
    progress = Progress(TextColumn("读取"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        TextColumn("{task.description}"), console=err, transient=True,
                        disable=not err.is_terminal)
    task = progress.add_task("", total=None)
    try:
        with progress:
            result = consolidate(
                Path(args.folder), args.period, Path(args.master), config=args.cfg,
                roster_path=Path(args.roster) if args.roster else None, recursive=args.recursive,
                jobs=args.jobs, bureau=args.bureau or args.cfg.settings.get("bureau"),
                on_files=lambda n: progress.update(task, total=n),
                progress=lambda p: progress.update(task, advance=1, description=p.name),
            )
    except (ConsolidationError, LockedError) as exc:
        print(f"taizhang: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    except OSError as exc:
        print(f"taizhang: 主表无法写入：{exc.filename or args.master}（{exc.strerror or exc}）", file=sys.stderr)
        return EXIT_UNREADABLE
    for notice in result.notices:
        print(f"taizhang: {notice}", file=sys.stderr)
    if args.json:
        print(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
    else:
        print_consolidation(result)
    return EXIT_OK


def print_consolidation(result) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False, width=None if sys.stdout.isatty() else 160)
    table = Table(title=f"{result.period} 月度合并 → {result.master}", title_justify="left")
    for col in ("文件", "单位", "结果", "读取", "写入", "退回", "错误", "提醒", "说明"):
        table.add_column(col, no_wrap=col not in ("说明", "文件"))
    for f in result.files:
        table.add_row(f.path.name, f.unit or "", "[green]已合并" if f.status == "ok" else "[red]退回",
                      str(f.rows_read), str(f.rows_written), str(f.rows_rejected), str(f.errors),
                      str(f.warnings), f.reason or "")
    console.print(table)
    console.print(f"已报送 {len(result.units_reported)} 个单位；未报送 {len(result.units_missing)} 个"
                  + (f"：{'、'.join(result.units_missing)}" if result.units_missing else ""))
    console.print(f"读取 {result.rows_read} 行 = 写入 {result.rows_written} 行 + 退回 {result.rows_rejected} 行")
    if result.backup:
        console.print(f"原主表已备份为 {result.backup}")
