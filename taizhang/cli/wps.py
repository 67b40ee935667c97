"""``taizhang wps install|uninstall``: the WPS add-in over the local service."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from taizhang.cli.common import EXIT_OK, EXIT_UNREADABLE
from taizhang.errors import reason_zh
from taizhang.serve.security import DEFAULT_PORT, load_or_create_token


def add_parser(sub: Any, parser_class: type, help_line: str) -> None:
    """``sub``: what ``ArgumentParser.add_subparsers`` gave; ``help_line``: the command's line
    in ``taizhang --help`` (``cli.COMMANDS``)."""
    wps = sub.add_parser("wps", help=help_line,
                         description="WPS 表格的加载项（功能区“纪检台账”），由本机服务 taizhang serve 提供")
    wsub = wps.add_subparsers(dest="wps_command", required=True, parser_class=parser_class)
    inst = wsub.add_parser("install", help="把加载项装进 WPS 的加载项文件夹（jsaddons），写入开机自启动项，并启动本机服务")
    inst.add_argument("--port", type=int, default=DEFAULT_PORT, metavar="N", help=f"本机服务的端口，默认 {DEFAULT_PORT}")
    inst.add_argument("--allow", action="append", default=None, metavar="DIR", help="允许读写的文件夹（可重复），默认主目录")
    inst.add_argument("--no-start", action="store_true", help="只写配置，不立即启动服务")
    inst.add_argument("--jsaddons", metavar="DIR", default=None,
                      help="WPS 的加载项文件夹，默认 %%APPDATA%%\\kingsoft\\wps\\jsaddons 或 ~/.local/share/Kingsoft/wps/jsaddons")
    inst.set_defaults(func=cmd_wps_install)
    rm = wsub.add_parser("uninstall", help="删除 WPS 加载项配置和开机自启动项，并停止本机服务")
    rm.add_argument("--no-stop", action="store_true", help="只删除配置，不停止正在运行的服务")
    rm.add_argument("--jsaddons", metavar="DIR", default=None, help="WPS 的加载项文件夹，默认为安装时所用的文件夹")
    rm.set_defaults(func=cmd_wps_uninstall)


def cmd_wps_install(args: argparse.Namespace) -> int:
    from taizhang.serve.install import InstallError, install

    if not 1 <= args.port <= 65535:
        print(f"taizhang: 端口应在 1–65535 之间（收到 {args.port}）：加载项按固定端口安装", file=sys.stderr)
        return EXIT_UNREADABLE
    try:
        done = install(args.port, load_or_create_token(), allow=args.allow, start=not args.no_start,
                       jsaddons=Path(args.jsaddons) if args.jsaddons else None)
    except (InstallError, OSError) as exc:
        print(f"taizhang: WPS 加载项未安装：{reason_zh(exc)}", file=sys.stderr)
        return EXIT_UNREADABLE
    print(f"已安装 WPS 加载项文件：{done.folder}")
    print(f"已登记到 WPS：{done.publish}；已记录信任：{done.authaddin}")
    if done.startup:
        print(f"已写入开机自启动项：{done.startup}")
    for note in done.notes:
        print(f"taizhang: {note}", file=sys.stderr)
    ribbon = ("完全退出 WPS（Linux 上还要运行 quickstartoffice restart）再打开 WPS 表格，功能区出现“纪检台账”选项卡"
              "（检查台账、汇总统计、生成汇报、月度合并、设置）。WPS 若询问是否信任此加载项，请选“信任”并再重启一次 WPS。")
    if args.no_start or done.notes:  # say what was not done: the buttons need the service
        why = "按 --no-start 的要求未启动本机服务" if args.no_start else "本机服务没有确认启动（见上面的提示）"
        print(f"注意：{why}。“纪检台账”选项卡的按钮要在本机服务运行后才能使用：请运行 taizhang serve --port {args.port}"
              f"，或注销后重新登录（开机自启动项会启动它）。服务运行后，" + ribbon)
    else:
        print(f"本机服务已启动（端口 {args.port}）。" + ribbon)
    return EXIT_OK


def cmd_wps_uninstall(args: argparse.Namespace) -> int:
    from taizhang.serve.install import InstallError, uninstall

    try:
        changed = uninstall(stop=not args.no_stop, jsaddons=Path(args.jsaddons) if args.jsaddons else None)
    except (InstallError, OSError) as exc:
        print(f"taizhang: 卸载未完成：{reason_zh(exc)}", file=sys.stderr)
        return EXIT_UNREADABLE
    for path in changed:
        print(f"已删除或更新：{path}")
    if not changed:
        print("没有找到已安装的 taizhang WPS 加载项")
    return EXIT_OK
