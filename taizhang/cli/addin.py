"""``taizhang addin build|install``: the Excel add-in."""

from __future__ import annotations

import argparse
import sys

from taizhang.cli.common import EXIT_OK, EXIT_UNREADABLE


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
