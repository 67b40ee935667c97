"""``taizhang addin build|install|uninstall``: the Excel add-in."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from addin.logs import get_logger, log_file
from taizhang.cli.common import EXIT_ERRORS, EXIT_OK, EXIT_UNREADABLE


def cmd_addin_build(args: argparse.Namespace) -> int:
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
        print(f"{BUILD_LABELS.get(role, role)}：{path}")
    print("下一步：\n"
          "  装有 Excel 的 Windows 电脑：taizhang addin install\n"
          "  不能上网的电脑：taizhang addin bundle -o 离线安装包，把文件夹拷过去，双击其中的“安装.bat”\n"
          "  用 WPS 的电脑（没有 Excel）：taizhang wps install")
    return EXIT_OK


#: What ``addin build`` and ``addin bundle`` print before each path (other roles print as they are).
BUILD_LABELS = {
    "xlam": "加载项", "ribbon": "功能区 XML", "vba": "VBA 模块（功能区按钮）", "udfs": "VBA 模块（工作表函数）",
    "settings": "加载项设置", "python": "Python 安装程序", "wheels": "程序包（wheel）",
    "安装.bat": "安装脚本", "卸载.bat": "卸载脚本", "说明.txt": "说明", "使用说明.pdf": "使用说明（PDF）",
}


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

    try:
        report = uninstall()
    except InstallError as exc:
        print(f"taizhang: {exc}（详细记录：{log_file()}）", file=sys.stderr)
        _message_box(f"{exc}\n\n详细记录：{log_file()}")
        return EXIT_UNREADABLE
    print(f"已卸载：{report.target} 与 {report.conf} 已删除，Excel 中的“纪检台账”选项卡在重新打开 Excel 后消失。")
    return EXIT_OK


def cmd_addin_doctor(args: argparse.Namespace) -> int:
    from addin.doctor import FAIL, OK, SKIP, exit_code, run_checks

    try:
        checks = run_checks()
    except Exception as exc:  # noqa: BLE001 - a check that cannot run is itself the finding
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
    from addin.bundle import PYTHON_INSTALLER_NAME, BundleError, bundle

    def say(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    say("正在生成离线安装包（需要网络：Windows 64 位的程序包" +
        ("" if args.python_installer or args.without_python else "和 Python 安装程序") + "）……")
    try:
        made = bundle(Path(args.output), python_installer=args.python_installer,
                      without_python=args.without_python, say=say)
    except BundleError as exc:
        print(f"taizhang: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    except OSError as exc:
        print(f"taizhang: 无法写入 {args.output}（{exc.strerror or exc}）", file=sys.stderr)
        return EXIT_UNREADABLE
    for role, path in made.files.items():
        print(f"{BUILD_LABELS.get(role, role)}：{path}")
    if made.missing:
        say(f"\n离线安装包还不完整，请先补齐再去现场（{args.output}）：")
        for line in made.missing:
            say(f"  ✗ {line}")
        if made.python_installer is None:
            say(f"补齐办法：在能上网的电脑上重新运行本命令；或用 --python-installer 指定已下载的 {PYTHON_INSTALLER_NAME}"
                "（python.org 的 Windows installer (64-bit)）；目标电脑已有 64 位 Python 3.11/3.12 时，"
                "可加 --without-python 明确不带 Python 安装程序。")
        return EXIT_ERRORS
    if made.python_installer is None:
        say("注意：本安装包不含 Python 安装程序（--without-python），目标电脑必须已有 64 位的 Python 3.11 或 3.12。")
    say(f"完成：把文件夹 {args.output} 整个拷到目标电脑，双击其中的“安装.bat”。用 WPS 的电脑，"
        "安装后再运行 taizhang wps install（见“说明.txt”）。")
    return EXIT_OK
