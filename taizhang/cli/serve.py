"""``taizhang serve``: the local service for the plain page and the WPS add-in."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from taizhang.cli.common import EXIT_OK, EXIT_UNREADABLE
from taizhang.errors import reason_zh
from taizhang.serve.security import DEFAULT_PORT, LOOPBACK, load_or_create_token

if TYPE_CHECKING:
    import socket


def add_parser(sub: Any, parser_class: type, help_line: str) -> None:
    """``sub``: what ``ArgumentParser.add_subparsers`` gave; ``help_line``: the command's line
    in ``taizhang --help`` (``cli.COMMANDS``)."""
    serve = sub.add_parser(
        "serve", help=help_line,
        description="在本机 127.0.0.1 上提供检查、汇总、汇报、合并的服务，供浏览器页面和 WPS 加载项使用。"
                    "第一行输出带令牌的地址，在浏览器中打开即可。按 Ctrl+C 停止。")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, metavar="N",
                       help=f"端口，默认 {DEFAULT_PORT}（WPS 加载项按此端口安装；0 表示任选空闲端口）")
    serve.add_argument("--open", action="store_true", help="启动后在浏览器中打开页面")
    serve.add_argument("--allow", action="append", default=None, metavar="DIR",
                       help="允许读写的文件夹（可重复）；默认是本用户的主目录")
    serve.add_argument("--new-token", action="store_true", help="换一个新的访问令牌（旧的立即失效，WPS 加载项需重新安装）")
    serve.set_defaults(func=cmd_serve)


def bind(port: int) -> socket.socket:
    """A listening socket on the loopback address only (never 0.0.0.0)."""
    import socket

    from taizhang.serve.limits import BACKLOG

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if sys.platform != "win32":
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((LOOPBACK, port))
    sock.listen(BACKLOG)
    return sock


def _stop(signum: int, _frame: Any) -> None:
    """SIGTERM: leave through the callers' ``finally`` blocks, with the status the signal gives."""
    raise SystemExit(128 + signum)


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from taizhang.serve.app import ServeSettings, create_app

    if not 0 <= args.port <= 65535:
        print(f"taizhang: 端口应在 0–65535 之间（收到 {args.port}）", file=sys.stderr)
        return EXIT_UNREADABLE
    folders = [Path(d) for d in (args.allow or [str(Path.home())])]
    missing = [str(f) for f in folders if not f.expanduser().is_dir()]
    if missing:
        print(f"taizhang: 允许的文件夹不存在：{'、'.join(missing)}", file=sys.stderr)
        return EXIT_UNREADABLE
    try:
        sock = bind(args.port)
    except OSError as exc:
        print(f"taizhang: 端口 {args.port} 无法使用（{reason_zh(exc)}）：taizhang serve 可能已在运行，"
              f"或用 --port 换一个端口", file=sys.stderr)
        return EXIT_UNREADABLE
    try:
        token = load_or_create_token(renew=args.new_token)
    except OSError as exc:
        print(f"taizhang: 无法写入令牌文件（{reason_zh(exc)}）", file=sys.stderr)
        return EXIT_UNREADABLE
    # A stop asked before uvicorn takes the signals over (systemd's SIGTERM while the service is
    # still starting) ends the process through the ``finally`` below, which removes the service's
    # folder; the default action would end it at once and leave the folder to the next start.
    import signal

    signal.signal(signal.SIGTERM, _stop)
    settings = ServeSettings(token=token, config=args.cfg, allowed_folders=folders)
    try:
        settings.port = sock.getsockname()[1]
        url = f"http://127.0.0.1:{settings.port}/#token={token}"
        print(url, flush=True)  # the first line on stdout: a public interface
        print(f"taizhang 本机服务已启动；允许的文件夹：{'、'.join(str(f) for f in settings.allowed.folders)}。"
              f"按 Ctrl+C 停止。", file=sys.stderr, flush=True)
        from taizhang.serve.limits import (BACKLOG, connection_cap, guarded_protocol, log_repeats_once,
                                           raise_open_files)

        cap = connection_cap(raise_open_files())
        server = uvicorn.Server(uvicorn.Config(
            create_app(settings), log_level="warning", access_log=False, lifespan="on",
            # slow or many connections cannot stall the service (taizhang.serve.limits)
            http=guarded_protocol(cap), backlog=BACKLOG, limit_concurrency=cap + 2 * BACKLOG,
            timeout_keep_alive=5, h11_max_incomplete_event_size=64 * 1024))
        log_repeats_once()
        if args.open:
            import threading
            import webbrowser

            threading.Timer(0.5, webbrowser.open, args=(url,)).start()
        server.run(sockets=[sock])
    finally:
        sock.close()
        settings.release()
    return EXIT_OK
