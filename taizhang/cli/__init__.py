"""The command line ``taizhang``: translate arguments, call the service layer, print results.

One module per command (``check``, ``summary``, ``report``, ``consolidate``, ``addin``, ``serve``,
``wps``); this one builds the parser and dispatches.

Exit codes (a public interface): 0 no errors (warnings allowed); 1 errors found; 2 a file
could not be read at all, or the command could not run.
"""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from taizhang import __version__
from taizhang.cli.addin import (
    cmd_addin_build, cmd_addin_bundle, cmd_addin_doctor, cmd_addin_install, cmd_addin_uninstall,
)
from taizhang.cli.check import cmd_check
from taizhang.cli.common import EXIT_ERRORS, EXIT_OK, EXIT_UNREADABLE, as_of_date
from taizhang.cli.consolidate import cmd_consolidate
from taizhang.cli.report import add_parser as add_report_parser
from taizhang.cli.summary import cmd_summary
from taizhang.config import ConfigError, load_config

__all__ = ["EXIT_ERRORS", "EXIT_OK", "EXIT_UNREADABLE", "build_parser", "main"]


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
    check.add_argument("--as-of", type=as_of_date, default=None, metavar="YYYY-MM-DD",
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
    summ.add_argument("--as-of", type=as_of_date, default=None, metavar="YYYY-MM-DD", help="统计截至日期，默认今天")
    summ.add_argument("--bureau", metavar="NAME", help="局名称（汇总表标题），默认取配置 settings.bureau")
    summ.add_argument("-o", "--output", metavar="OUT.xlsx", help="写入汇总表的工作簿（已有的则只替换汇总表和明细两张表）")
    summ.add_argument("--json", action="store_true", help="以 JSON 输出")
    summ.set_defaults(func=cmd_summary)

    add_report_parser(sub)

    addin = sub.add_parser("addin", help="Excel 加载项：生成、安装、卸载、检查、离线安装包",
                           description="Excel 加载项（功能区“纪检台账”）")
    addin_sub = addin.add_subparsers(dest="addin_command", required=True, parser_class=_Parser)
    build = addin_sub.add_parser("build", help="生成完整的加载项 taizhang.xlam（任何系统，不含本机路径）")
    build.add_argument("-o", "--output", default="build/addin", metavar="DIR", help="输出文件夹，默认 build/addin")
    build.add_argument("--interpreter", metavar="PYTHON", help=argparse.SUPPRESS)  # kept for old scripts
    build.set_defaults(func=cmd_addin_build)
    inst = addin_sub.add_parser("install", help="安装到本机 Excel（仅 Windows）")
    inst.add_argument("--interpreter", metavar="PYTHON", help="Excel 调用的 Python（默认当前 Python）")
    inst.set_defaults(func=cmd_addin_install)
    uninst = addin_sub.add_parser("uninstall", help="从本机 Excel 卸载（仅 Windows）")
    uninst.set_defaults(func=cmd_addin_uninstall)
    doctor = addin_sub.add_parser("doctor", help="检查本机能否使用加载项（位数、DLL、设置、启用、宏设置）")
    doctor.add_argument("--json", action="store_true", help="以 JSON 输出")
    doctor.set_defaults(func=cmd_addin_doctor)
    bundle = addin_sub.add_parser("bundle", help="生成离线安装包：Windows x64 wheel（Python 3.11/3.12）、加载项、安装.bat")
    bundle.add_argument("-o", "--output", required=True, metavar="DIR", help="输出文件夹（拷到 U 盘）")
    bundle.set_defaults(func=cmd_addin_bundle)

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

    from taizhang.cli import serve as serve_cli, wps as wps_cli  # the local service and the WPS add-in
    serve_cli.add_parser(sub, _Parser)
    wps_cli.add_parser(sub, _Parser)
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
