"""``taizhang addin bundle -o DIR``: everything an office PC without internet needs, on a USB stick.

DIR gets:
- ``wheels/``: taizhang's own wheel and every dependency as Windows x64 wheels for CPython
  3.11 and 3.12 (``pip download --platform win_amd64 --only-binary=:all:``), pywin32 included
  (xlwings needs it on Windows; its marker is not evaluated for a foreign platform, so it is
  asked for by name);
- ``taizhang.xlam``: the add-in (also rebuilt by the installer, so the two never differ);
- ``安装.bat``: finds Python 3.11+ (64-bit), or says which installer to bring; builds a venv
  under ``%LOCALAPPDATA%\\taizhang\\venv`` from the wheels alone and installs the add-in;
- ``卸载.bat`` and ``说明.txt``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from addin.build import XLAM_NAME, build_xlam
from taizhang.errors import TaizhangError

PYTHONS = ("3.11", "3.12")
PLATFORM = "win_amd64"
#: Asked for by name: their markers (platform_system == "Windows") are not evaluated for --platform.
WINDOWS_ONLY = ("pywin32",)
PYTHON_INSTALLER = "https://www.python.org/downloads/windows/"


class BundleError(TaizhangError):
    """The bundle could not be made; the message says why."""


def source_root() -> Path:
    import addin

    root = Path(addin.__file__).resolve().parent.parent
    if not (root / "pyproject.toml").exists():
        raise BundleError("找不到 taizhang 的源代码（pyproject.toml）。请在 taizhang 的源代码目录中运行 taizhang addin bundle。")
    return root


def _pip(args: list[str], what: str) -> None:
    done = subprocess.run([sys.executable, "-m", "pip", *args], capture_output=True, text=True)
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-5:])
        raise BundleError(f"{what}失败：\n{tail}")


def build_wheel(wheels: Path) -> Path:
    """taizhang's own wheel (pure Python), from the source tree."""
    with tempfile.TemporaryDirectory() as tmp:
        _pip(["wheel", "--no-deps", "--quiet", "-w", tmp, str(source_root())], "生成 taizhang 的 wheel ")
        [wheel] = Path(tmp).glob("taizhang-*.whl")
        target = wheels / wheel.name
        shutil.copyfile(wheel, target)
    return target


def download(wheels: Path, own_wheel: Path, python: str) -> None:
    _pip(["download", "--quiet", "--dest", str(wheels), "--find-links", str(wheels),
          "--platform", PLATFORM, "--python-version", python, "--implementation", "cp",
          "--only-binary=:all:", str(own_wheel), *WINDOWS_ONLY], f"下载 Python {python} 的 wheel ")


def install_bat() -> str:
    """The installer script (cmd.exe; GBK, as cmd reads a .bat on Chinese Windows)."""
    return rf"""@echo off
setlocal EnableExtensions EnableDelayedExpansion
rem taizhang 离线安装：不需要网络。由 taizhang addin bundle 生成。
cd /d "%~dp0"
set "TZ_HOME=%LOCALAPPDATA%\taizhang"
set "TZ_VENV=%TZ_HOME%\venv"
set "PY="

rem 1. 找到 64 位 Python 3.11 或 3.12（py 启动器或 PATH 中的 python）
for %%V in (3.12 3.11) do (
  if not defined PY (
    py -%%V -c "import sys,struct; sys.exit(0 if struct.calcsize('P')==8 else 1)" >nul 2>&1 && set "PY=py -%%V"
  )
)
if not defined PY (
  python -c "import sys,struct; sys.exit(0 if sys.version_info[:2] in ((3,11),(3,12)) and struct.calcsize('P')==8 else 1)" >nul 2>&1 && set "PY=python"
)
if not defined PY (
  echo.
  echo 没有找到 64 位的 Python 3.11 或 3.12。
  echo 请在有网络的电脑上打开 {PYTHON_INSTALLER}
  echo 下载 "Windows installer (64-bit)"，例如 python-3.12.x-amd64.exe，用 U 盘拷到本机，
  echo 双击安装（勾选 "Add python.exe to PATH"），然后重新运行本文件。
  echo.
  pause
  exit /b 2
)
echo 使用 Python：%PY%

rem 2. 建立虚拟环境，只从本文件夹的 wheels 安装
if not exist "%TZ_VENV%\Scripts\python.exe" (
  %PY% -m venv "%TZ_VENV%"
  if errorlevel 1 goto :failed
)
"%TZ_VENV%\Scripts\python.exe" -m pip install --no-index --find-links "%~dp0wheels" --upgrade taizhang pywin32
if errorlevel 1 goto :failed

rem 3. 安装加载项（可重复运行；Excel 开着或关着都可以）
"%TZ_VENV%\Scripts\python.exe" -m taizhang addin install --interpreter "%TZ_VENV%\Scripts\python.exe"
if errorlevel 1 goto :failed
"%TZ_VENV%\Scripts\python.exe" -m taizhang addin doctor
echo.
echo 安装完成。请重新打开 Excel，功能区中会出现“纪检台账”选项卡。
pause
exit /b 0

:failed
echo.
echo 安装未能完成。请把本窗口截图发给技术人员；详细记录在 %LOCALAPPDATA%\taizhang\logs
pause
exit /b 1
"""


def uninstall_bat() -> str:
    return r"""@echo off
setlocal
rem taizhang 卸载：从 Excel 中移除加载项，删除本机设置和虚拟环境。
set "TZ_VENV=%LOCALAPPDATA%\taizhang\venv"
if exist "%TZ_VENV%\Scripts\python.exe" (
  "%TZ_VENV%\Scripts\python.exe" -m taizhang addin uninstall
  rmdir /s /q "%TZ_VENV%"
)
echo 已卸载。
pause
"""


README = """纪检台账 Excel 加载项 · 离线安装包

适用：Windows 10/11，Microsoft Excel 2010 或更新版本（64 位），不需要网络。
WPS 不加载 xlwings 加载项，请使用 WPS 版本。

安装：双击“安装.bat”。它会：
  1. 找到本机的 64 位 Python 3.11 或 3.12；没有时会提示去 python.org 下载哪个安装程序；
  2. 在 %LOCALAPPDATA%\\taizhang\\venv 建立运行环境（只用本文件夹 wheels 中的文件）；
  3. 把加载项装入 Excel。不需要勾选“信任对 VBA 工程对象模型的访问”。
检查：命令行运行 %LOCALAPPDATA%\\taizhang\\venv\\Scripts\\python -m taizhang addin doctor
卸载：双击“卸载.bat”。
"""


def bundle(out: Path, pythons: tuple[str, ...] = PYTHONS) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    wheels = out / "wheels"
    wheels.mkdir(exist_ok=True)
    own = build_wheel(wheels)
    for python in pythons:
        download(wheels, own, python)
    files = {"wheels": wheels, "xlam": build_xlam(out / XLAM_NAME)}
    for name, text in (("安装.bat", install_bat()), ("卸载.bat", uninstall_bat()), ("说明.txt", README)):
        path = out / name
        path.write_bytes(text.replace("\r\n", "\n").replace("\n", "\r\n").encode("gbk"))
        files[name] = path
    return files
