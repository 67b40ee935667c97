"""The command line ``taizhang``: parse arguments into a use case's request, run it, print its outcome.

One module per command (``check``, ``summary``, ``report``, ``consolidate``, ``addin``, ``serve``,
``wps``); this one builds the parser and dispatches.

Exit codes (a public interface): 0 no errors (warnings allowed); 1 errors found; 2 a file
could not be read at all, or the command could not run; 130 interrupted (Ctrl-C).

Nothing reaches the user as a Python traceback: :func:`main` is the one top-level handler.
An unexpected error is told in Chinese with the log file's path, and its trace goes to that
log (exit 2); argparse's own messages are given in Chinese too (``cli.parser``).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

from taizhang import __version__
from taizhang.cli.common import (
    COMPARE_HELP, EXIT_ERRORS, EXIT_INTERRUPTED, EXIT_OK, EXIT_UNREADABLE, JOBS_HELP, as_of_date, jobs_count, start_log, trace_for_log,
)
from taizhang.cli.parser import ChineseParser
from taizhang.errors import TaizhangError

if TYPE_CHECKING:
    import logging

__all__ = ["EXIT_ERRORS", "EXIT_OK", "EXIT_UNREADABLE", "build_parser", "main"]


def _command(module: str, name: str) -> Callable[[argparse.Namespace], int]:
    """``taizhang.cli.MODULE.NAME``, imported when its command runs: ``taizhang --version``
    and a refused command line load no reader, no check, no writer."""
    def load() -> Callable[[argparse.Namespace], int]:
        import importlib

        return getattr(importlib.import_module(f"taizhang.cli.{module}"), name)

    def run(args: argparse.Namespace) -> int:
        return load()(args)
    run.__name__ = run.__qualname__ = name
    run.load = load  # type: ignore[attr-defined]  # what main() imports before the command runs
    return run


cmd_check = _command("check", "cmd_check")
cmd_summary = _command("summary", "cmd_summary")
cmd_consolidate = _command("consolidate", "cmd_consolidate")
cmd_addin_build = _command("addin", "cmd_addin_build")
cmd_addin_install = _command("addin", "cmd_addin_install")
cmd_addin_uninstall = _command("addin", "cmd_addin_uninstall")
cmd_addin_doctor = _command("addin", "cmd_addin_doctor")
cmd_addin_bundle = _command("addin", "cmd_addin_bundle")


#: The parser of every command and subcommand: argparse's own messages in Chinese.
_Parser = ChineseParser


#: Every command, in the order ``taizhang --help`` lists them, with its one-line help there.
COMMANDS = {
    "check": "检查台账，列出问题",
    "summary": "统计汇总，生成汇总表和汇报材料",
    "report": "生成情况汇报 Word 文档（公文格式）",
    "addin": "Excel 加载项：生成、安装、卸载、检查、离线安装包",
    "consolidate": "月度合并：各单位台账合并到局主表",
    "schema": "输出 --json 结果的 JSON Schema",
    "serve": "本机服务：浏览器页面和 WPS 加载项",
    "wps": "WPS 加载项：安装或卸载",
}


def build_parser(commands: Iterable[str] | None = None) -> argparse.ArgumentParser:
    """The parser of ``taizhang``.  ``commands``: the words of the command line, whose commands
    are built in full (their arguments, their subcommands); every other command gets its name
    and one-line help only, which is all that ``taizhang --help``, ``--version`` and an unknown
    command show of it, and a command is only ever parsed when its name is one of the words.
    A word that names a command without being one (a file called ``check``) only builds one
    more.  None: every command in full."""
    parser = _Parser(prog="taizhang", description="纪检台账：检查、汇总、合并 Excel 台账")
    # the help given here: argparse sets the version action's (English) help as the parser is built
    parser.add_argument("--version", action="version", version=f"taizhang {__version__}", help="显示版本号并退出")
    parser.add_argument("--config", metavar="FILE", help="本单位配置文件（同义词、选项、四种形态）")
    # --config is accepted after the subcommand too (taizhang summary … --config FILE); there
    # it has no default, so that it never hides one given before the subcommand
    office = _Parser(add_help=False)
    office.add_argument("--config", metavar="FILE", default=argparse.SUPPRESS,
                        help="本单位配置文件（同义词、选项、四种形态）")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    wanted = None if commands is None else set(commands)
    for name, help_line in COMMANDS.items():
        if wanted is None or name in wanted:
            _BUILDERS[name](sub, help_line, [office])
        else:
            sub.add_parser(name, help=help_line)
    return parser


def _check(sub: Any, help_line: str, parents: list[argparse.ArgumentParser]) -> None:
    check = sub.add_parser("check", parents=parents, help=help_line,
                           description="检查台账工作簿，列出每个问题所在的工作表和单元格")
    check.add_argument("paths", nargs="+", metavar="PATH", help="工作簿文件或文件夹")
    check.add_argument("--as-of", type=as_of_date, default=None, metavar="YYYY-MM-DD",
                       help="检查日期（判断逾期、未来日期），如 2026-10-31、2026年10月31日；默认今天")
    check.add_argument("-o", "--output", metavar="OUT.xlsx",
                       help="把问题清单写入这个工作簿（已有的则只替换“问题清单”一张表；不能是被检查的台账）")
    check.add_argument("--recursive", action="store_true", help="文件夹中的子文件夹也读取")
    check.add_argument("--jobs", type=jobs_count, default=None, metavar="N", help=JOBS_HELP)
    check.add_argument("--json", action="store_true", help="以 JSON 输出")
    check.set_defaults(func=cmd_check)


def _summary(sub: Any, help_line: str, parents: list[argparse.ArgumentParser]) -> None:
    summ = sub.add_parser(
        "summary", parents=parents, help=help_line,
        description="统计信访举报、退费、处分、整改数字，生成汇总表（-o）和汇报段落。"
                    "退出码：0 已生成且台账无错误；1 已生成但台账有错误（汇总表上有醒目提示）；"
                    "2 有文件无法读取或参数错误（其余文件照常统计）。")
    summ.add_argument("paths", nargs="+", metavar="PATH", help="工作簿文件或文件夹")
    summ.add_argument("--period", default=None, metavar="P",
                      help="统计期间：月（2026-10、2026/10、2026年10月、202610）、季度（2026Q3、2026年第三季度）、半年（2026H1、2026年上半年）、月份区间（2026-03..2026-08、2026年3月至8月），均另附全年累计；年（2026）或 all；"
                           "默认：给了检查日期则取其所在月，否则取台账中有数据的最近月份")
    summ.add_argument("--as-of", type=as_of_date, default=None, metavar="YYYY-MM-DD",
                      help="统计截至日期，如 2026-10-31、2026年10月31日；默认今天")
    summ.add_argument("--bureau", metavar="NAME", help="局名称（汇总表标题），默认取配置 settings.bureau")
    summ.add_argument("-o", "--output", metavar="OUT.xlsx", help="写入汇总表的工作簿（已有的则只替换汇总表、明细和问题清单三张表）")
    summ.add_argument("--recursive", action="store_true", help="文件夹中的子文件夹也读取")
    summ.add_argument("--jobs", type=jobs_count, default=None, metavar="N", help=JOBS_HELP)
    summ.add_argument("--compare", action="store_true", help=COMPARE_HELP)
    summ.add_argument("--json", action="store_true", help="以 JSON 输出")
    summ.set_defaults(func=cmd_summary)


def _report(sub: Any, help_line: str, parents: list[argparse.ArgumentParser]) -> None:
    from taizhang.cli.report import add_parser

    add_parser(sub, parents=parents, help_line=help_line)


def _addin(sub: Any, help_line: str, parents: list[argparse.ArgumentParser]) -> None:
    addin = sub.add_parser("addin", help=help_line, description="Excel 加载项（功能区“纪检台账”）")
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
    bundle = addin_sub.add_parser(
        "bundle", help="生成离线安装包：Python 安装程序、Windows x64 wheel（Python 3.11/3.12）、加载项、安装.bat",
        description="生成离线安装包。缺了什么会在最后列出，并以退出码 1 结束：带着它出发之前先补齐。")
    bundle.add_argument("-o", "--output", required=True, metavar="DIR", help="输出文件夹（拷到 U 盘）")
    bundle_python = bundle.add_mutually_exclusive_group()
    bundle_python.add_argument("--python-installer", metavar="EXE",
                               help="用这个 Python 安装程序（python.org 的 Windows installer (64-bit)，"
                                    "3.11 或 3.12，如 python-3.12.10-amd64.exe），不再下载")
    bundle_python.add_argument("--without-python", action="store_true",
                               help="不带 Python 安装程序（目标电脑已有 64 位 Python 3.11 或 3.12 时）")
    bundle.set_defaults(func=cmd_addin_bundle)


def _consolidate(sub: Any, help_line: str, parents: list[argparse.ArgumentParser]) -> None:
    cons = sub.add_parser(
        "consolidate", parents=parents, help=help_line,
        description="把文件夹中各单位报送的台账合并到局主表：按单位名册认定单位，逐一检查，"
                    "写入合并明细、汇总表、报送情况和问题清单。退回的文件和未报送的单位会列出，不影响其他单位。"
                    "退出码：0 主表已写入、台账无错误；1 主表已写入，但有台账存在错误或文件被退回；"
                    "2 有文件无法读取（其余照常合并）或无法运行（主表被占用或不可写、文件夹不存在、月份错误）。")
    cons.add_argument("folder", metavar="FOLDER", help="各单位报送的工作簿所在文件夹")
    cons.add_argument("--period", required=True, metavar="YYYY-MM", help="合并的月份：2026-10、2026/10、2026年10月 或 202610（只按月，不收季度、半年）")
    cons.add_argument("--master", required=True, metavar="MASTER.xlsx", help="局主表（不存在时新建）")
    cons.add_argument("--roster", metavar="FILE", help="单位名册工作簿（第一张表含“单位”“别名”列）；默认用主表的“单位名册”表")
    cons.add_argument("--recursive", action="store_true", help="包括子文件夹")
    cons.add_argument("--bureau", metavar="NAME", help="局名称（汇总表标题）")
    cons.add_argument("--jobs", type=jobs_count, default=None, metavar="N", help=JOBS_HELP)
    cons.add_argument("--rollup", action="store_true", default=None,
                      help="逐级汇总：文件夹中是各县（区）报送的主表，汇总为市级主表（名册列各县区；市级主表可再汇总为省级）；"
                           "不加时，文件夹中只有主表也按逐级汇总合并")
    cons.add_argument("--compare", action="store_true", help=COMPARE_HELP)
    cons.add_argument("--json", action="store_true", help="以 JSON 输出")
    cons.set_defaults(func=cmd_consolidate)


def _schema(sub: Any, help_line: str, parents: list[argparse.ArgumentParser]) -> None:
    schema = sub.add_parser("schema", help=help_line,
                            description="输出 taizhang check / summary / consolidate 的 --json 结果的 JSON Schema")
    schema.add_argument("target", choices=["check", "summary", "consolidate"], metavar="COMMAND",
                        help="check、summary 或 consolidate")
    schema.set_defaults(func=cmd_schema)


def _serve(sub: Any, help_line: str, parents: list[argparse.ArgumentParser]) -> None:
    from taizhang.cli import serve  # the local service

    serve.add_parser(sub, _Parser, help_line)


def _wps(sub: Any, help_line: str, parents: list[argparse.ArgumentParser]) -> None:
    from taizhang.cli import wps  # the WPS add-in over the local service

    wps.add_parser(sub, _Parser, help_line)


#: How each command of :data:`COMMANDS` is built in full: ``(sub, its one-line help, parents)``,
#: ``parents`` the options every ledger command takes (``--config`` after the command too).
_BUILDERS: dict[str, Callable[[Any, str, list[argparse.ArgumentParser]], None]] = {
    "check": _check, "summary": _summary, "report": _report, "addin": _addin, "consolidate": _consolidate,
    "schema": _schema, "serve": _serve, "wps": _wps,
}


def cmd_schema(args: argparse.Namespace) -> int:
    """``taizhang schema check|summary|consolidate``: the JSON Schema of that command's --json."""
    import json

    from taizhang.schemas import schema

    print(json.dumps(schema(args.target), ensure_ascii=False, indent=2))
    return EXIT_OK


def interrupted_message(done: Sequence[object]) -> str:
    """What Ctrl-C did, given the files the command had already put in place: none, nothing
    was written; else the run had completed (a master is replaced last, the store committed
    or rebuilt at the next run) and only its report to the screen was cut short."""
    if not done:
        return "已中断（Ctrl-C），未完成的输出没有写入，原有文件保持不变"
    names = "、".join(dict.fromkeys(str(p) for p in done))
    return (f"已中断（Ctrl-C），但本次运行已经完成：{names} 已写好；"
            "只是结果没有全部显示，请打开该文件查看")


def _replaced() -> list:
    """The files ``taizhang.writing`` has put in place in this process; none while it is not
    loaded (so that ``taizhang --version`` does not load it)."""
    writing = sys.modules.get("taizhang.writing")
    return list(writing.replaced) if writing is not None else []


def _resume_collector() -> None:
    """The start is made: the garbage collector on again where ``taizhang.entry`` paused it for
    the start (looked up, not imported: the entry point imports this module)."""
    entry = sys.modules.get("taizhang.entry")
    if entry is not None:
        entry.resume_collector()


def main(argv: Sequence[str] | None = None) -> int:
    """The command line; the one place where whatever went wrong becomes a message and an
    exit status (never a traceback).  The log (and ``logging`` itself) is started once the
    arguments are parsed: ``--version``, ``--help`` and a refused command line write nothing
    to it and need not load it."""
    written = len(_replaced())  # files put in place before this command (the service runs many)
    log_file = None
    started = False
    try:
        words = sys.argv[1:] if argv is None else argv
        args = build_parser(words).parse_args(argv)
        log_file, started = start_log(), True
        _log().info("taizhang %s", args.command)
        from taizhang.config import ConfigError, load_config  # after parsing: --version and --help need none

        try:
            args.cfg = load_config(args.config)
        except ConfigError as exc:
            print(f"taizhang: {exc}", file=sys.stderr)
            return EXIT_UNREADABLE
        command = getattr(args.func, "load", lambda: args.func)()  # the command's modules loaded
        _resume_collector()
        return command(args)
    except TaizhangError as exc:  # the one error family: a Chinese message and its exit status
        _log().info("refused: %s", exc.message)
        print(f"taizhang: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        _log().info("interrupted (Ctrl-C)")
        print(f"\ntaizhang: {interrupted_message(_replaced()[written:])}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # output piped into a program that stopped reading (| head)
        return EXIT_UNREADABLE
    except Exception as exc:  # noqa: BLE001 - the top-level handler: the trace goes to the log
        if not started:  # it went wrong while the arguments were parsed
            log_file = start_log()
        _log().error("unexpected error\n%s", trace_for_log(exc))
        where = f"详细信息已记入日志 {log_file}" if log_file else "日志无法写入"
        print(f"taizhang: 程序内部出错（{type(exc).__name__}），命令没有完成；{where}，"
              "请把日志文件发给维护人员", file=sys.stderr)
        return EXIT_UNREADABLE


def _log() -> logging.Logger:
    import logging

    return logging.getLogger("taizhang.cli")
