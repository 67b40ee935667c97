"""``taizhang addin build|install|uninstall``: the Excel add-in."""

from __future__ import annotations

import argparse
import sys

from taizhang.cli.common import EXIT_OK, EXIT_UNREADABLE


def cmd_addin_build(args: argparse.Namespace) -> int:
    from pathlib import Path

    from addin.build import build

    if getattr(args, "interpreter", None):
        print("taizhang: 提示：--interpreter 不再写入加载项文件；解释器在安装时写入本机设置"
              "（taizhang addin install --interpreter）。", file=sys.stderr)
    try:
        files = build(Path(args.output))
    except OSError as exc:
        print(f"taizhang: 无法写入 {args.output}（{exc.strerror or exc}）", file=sys.stderr)
        return EXIT_UNREADABLE
    for role, path in files.items():
        print(f"{role}\t{path}")
    return EXIT_OK


def _message_box(text: str) -> None:
    """On Windows, the installer's failure also as a message box (安装.bat may be double-clicked)."""
    if sys.platform == "win32":  # pragma: no cover - Windows
        try:
            import ctypes

            ctypes.windll.user32.MessageBoxW(None, text, "纪检台账", 0x30)
        except Exception:  # noqa: BLE001 - the console line is already there
            pass


def cmd_addin_install(args: argparse.Namespace) -> int:
    from addin.install import InstallError, install
    from addin.logs import log_file

    try:
        report = install(args.interpreter)
    except InstallError as exc:
        print(f"taizhang: {exc}（详细记录：{log_file()}）", file=sys.stderr)
        _message_box(f"{exc}\n\n详细记录：{log_file()}")
        return EXIT_UNREADABLE
    print(f"已安装：{report.target}。设置：{report.conf}。请重新打开 Excel，功能区中会出现“纪检台账”选项卡。")
    return EXIT_OK


def cmd_addin_uninstall(args: argparse.Namespace) -> int:
    from addin.install import InstallError, uninstall
    from addin.logs import log_file

    try:
        report = uninstall()
    except InstallError as exc:
        print(f"taizhang: {exc}（详细记录：{log_file()}）", file=sys.stderr)
        _message_box(f"{exc}\n\n详细记录：{log_file()}")
        return EXIT_UNREADABLE
    print(f"已卸载：{report.target} 与 {report.conf} 已删除，Excel 中的“纪检台账”选项卡在重新打开 Excel 后消失。")
    return EXIT_OK


def cmd_addin_doctor(args: argparse.Namespace) -> int:
    import json

    from addin.doctor import FAIL, OK, SKIP, exit_code, run_checks

    try:
        checks = run_checks()
    except Exception as exc:  # noqa: BLE001 - a check that cannot run is itself the finding
        from addin.logs import get_logger, log_file

        get_logger("doctor").exception("doctor failed")
        print(f"taizhang: 检查未能完成：{type(exc).__name__}（详细记录：{log_file()}）", file=sys.stderr)
        return EXIT_UNREADABLE
    if args.json:
        print(json.dumps({"checks": [c.as_dict() for c in checks], "ok": exit_code(checks) == 0},
                         ensure_ascii=False, indent=2))
    elif all(c.status == SKIP for c in checks):  # nothing to check here (no Excel): the one line says why
        for c in checks:
            print(c.message)
    else:
        marks = {OK: "✓", FAIL: "✗", SKIP: "－"}
        for c in checks:
            print(f"{marks.get(c.status, '!')} {c.name}：{c.message}")
        print("检查通过。" if exit_code(checks) == 0 else "有问题需要处理（见 ✗ 项）。")
    return exit_code(checks)


def cmd_addin_bundle(args: argparse.Namespace) -> int:
    from pathlib import Path

    from addin.bundle import BundleError, bundle

    print("正在生成离线安装包（下载 Windows x64、Python 3.11/3.12 的 wheel，需要网络）…", file=sys.stderr)
    try:
        files = bundle(Path(args.output))
    except BundleError as exc:
        print(f"taizhang: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    except OSError as exc:
        print(f"taizhang: 无法写入 {args.output}（{exc.strerror or exc}）", file=sys.stderr)
        return EXIT_UNREADABLE
    for role, path in files.items():
        print(f"{role}\t{path}")
    print(f"完成：把文件夹 {args.output} 整个拷到目标电脑，双击其中的“安装.bat”。", file=sys.stderr)
    return EXIT_OK
