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

    console = Console(highlight=False, soft_wrap=False)
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
