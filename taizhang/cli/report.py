"""``taizhang report``: the monthly report (情况汇报) as a Word document."""

from __future__ import annotations

import argparse
import json
import sys

from taizhang.cli.common import COMPARE_HELP, EXIT_UNREADABLE, as_of_date, request_of


def add_parser(sub, parents: list[argparse.ArgumentParser], help_line: str) -> None:
    """``parents``: the options every command takes (``--config`` after the subcommand too);
    ``help_line``: its line in ``taizhang --help`` (``cli.COMMANDS``)."""
    rep = sub.add_parser(
        "report", parents=parents, help=help_line,
        description="按 GB/T 9704-2012 公文格式生成情况汇报（.docx），数字与汇总表一致；"
                    "可用 --template 指定本单位模板（Word 中写 {{ complaints.total }} 等标签）。"
                    "退出码：0 已生成且台账无错误；1 已生成但台账有错误（文档开头有提示）；"
                    "2 有文件无法读取（其余照常统计）、模板有误或参数错误。")
    rep.add_argument("paths", nargs="*", metavar="PATH", help="工作簿文件或文件夹")
    rep.add_argument("--period", default=None, metavar="P",
                     help="统计期间：月（2026-10、2026/10、2026年10月、202610）、季度（2026Q3、2026年第三季度）、半年（2026H1、2026年上半年）、月份区间（2026-03..2026-08、2026年3月至8月），均另附全年累计；年（2026）或 all；"
                          "默认：给了检查日期则取其所在月，否则取台账中有数据的最近月份")
    rep.add_argument("--as-of", type=as_of_date, default=None, metavar="YYYY-MM-DD", help="统计截至日期，默认今天")
    rep.add_argument("--bureau", metavar="NAME", help="局名称（标题和落款），默认取配置 settings.bureau")
    rep.add_argument("--template", metavar="T.docx", help="本单位的汇报模板（默认用内置模板）")
    rep.add_argument("-o", "--output", metavar="OUT.docx", help="写入的汇报文档")
    rep.add_argument("--write-template", metavar="FILE.docx",
                     help="把内置模板另存为 FILE.docx，作为本单位模板的起点（不生成汇报）")
    rep.add_argument("--compare", action="store_true", help=COMPARE_HELP)
    rep.add_argument("--json", action="store_true", help="以 JSON 输出所用数字和文档路径")
    rep.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    from taizhang.usecases.report import report
    from taizhang.usecases.requests import ReportRequest

    request = request_of(ReportRequest, args)
    if request is None:
        return EXIT_UNREADABLE
    outcome = report(request, args.cfg)
    if outcome.data is not None:
        if args.write_template:
            path = outcome.data["template"]
            print(f"内置模板已另存为 {path}：在 Word 中修改文字，保留 {{{{ … }}}} 标签，再用 --template {path} 生成汇报")
        elif args.json:
            print(json.dumps(outcome.data, ensure_ascii=False, indent=2))
        else:
            print(f"情况汇报已写入 {outcome.detail.output}")
    for message in outcome.messages:
        print(message, file=sys.stderr)
    return outcome.code
