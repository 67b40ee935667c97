"""``taizhang addin bundle -o DIR``: everything an office PC without internet needs, on a USB stick.

DIR gets:
- ``python-3.12.10-amd64.exe``: python.org's Windows installer (64-bit), taken from
  ``--python-installer PATH`` or downloaded here and checked against the SHA-256 pinned below;
- ``wheels/``: taizhang's own wheel and every dependency as Windows x64 wheels for CPython
  3.11 and 3.12 (``pip download --platform win_amd64 --only-binary=:all:``; a rerun into the
  same folder keeps the wheels there while they still fit).  pip evaluates
  environment markers for the machine it runs on, not for ``--platform``, so a dependency
  needed only on Windows (``pywin32`` for xlwings, ``tzdata`` for pandas …) is then looked
  for by reading each wheel's requirements with Windows' markers, and fetched by name;
- ``taizhang.xlam``: the add-in (also rebuilt by the installer, so the two never differ);
- ``安装.bat``: finds a 64-bit Python 3.11 or 3.12, else installs the bundled one silently for
  this user only; builds a venv under ``%LOCALAPPDATA%\\taizhang\\venv`` from the wheels alone
  and installs the add-in (or, without Excel, names the WPS path);
- ``卸载.bat`` and ``说明.txt``;
- ``使用说明.pdf``: the staff guide (``docs/使用说明.md``), printed by a headless Chromium-family
  browser where the bundle is made (:mod:`addin.guide`); without one it is listed as missing.

What cannot be put in is said in Chinese before anyone leaves with the stick: the bundle
lists what is missing and the command exits 1, unless the IT person said ``--without-python``
(the office PC already has a suitable Python).

The installer's checksum is pinned here rather than fetched at bundle time: python.org
publishes the SHA-256 of its Windows installers only inside their sigstore bundle and SPDX
SBOM (the downloads page lists MD5), so fetching it means trusting the same host as the
file, or carrying a sigstore verifier with its trust root; a released installer never
changes, so a digest checked once when it is pinned (against python.org's sigstore
``messageDigest`` and SBOM, and winget's manifest) needs nothing at bundle time, and lets
the URL point to a mirror (``TAIZHANG_PYTHON_URL``) without trusting the mirror.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from addin.build import XLAM_NAME, build_xlam
from addin.guide import PDF_NAME, GuideError, write_pdf
from taizhang.errors import TaizhangError

PYTHONS = ("3.11", "3.12")
PLATFORM = "win_amd64"
#: Asked for by name: their markers (platform_system == "Windows") are not evaluated for --platform.
WINDOWS_ONLY = ("pywin32",)
#: The last Windows installer of each Python the wheels are for (later 3.11/3.12 releases are source only).
LAST_WINDOWS_RELEASE = {"3.11": "3.11.9", "3.12": "3.12.10"}
PYTHON_DOWNLOADS = "https://www.python.org/downloads/windows/"

#: The Python installed by 安装.bat when the PC has none: python.org's Windows installer (64-bit).
PYTHON_VERSION = "3.12.10"
PYTHON_INSTALLER_NAME = f"python-{PYTHON_VERSION}-amd64.exe"
PYTHON_INSTALLER_URL = f"https://www.python.org/ftp/python/{PYTHON_VERSION}/{PYTHON_INSTALLER_NAME}"
#: SHA-256 of PYTHON_INSTALLER_NAME as python.org publishes it (sigstore messageDigest, SPDX SBOM).
PYTHON_INSTALLER_SHA256 = "67b5635e80ea51072b87941312d00ec8927c4db9ba18938f7ad2d27b328b95fb"
#: Where the installer is downloaded from instead of python.org (a mirror; the digest still holds).
PYTHON_URL_ENV = "TAIZHANG_PYTHON_URL"
#: python.org's installers, by name: the versions whose wheels the bundle carries, 64-bit.
INSTALLER_NAME = re.compile(r"python-3\.(11|12)\.\d+-amd64\.exe", re.IGNORECASE)
#: What python.org documents for an unattended install, for this user only, with no launcher
#: (its default is an all-users launcher, which needs an administrator).
SILENT_OPTIONS = ("/quiet InstallAllUsers=0 PrependPath=0 AppendPath=0 Include_launcher=0 "
                  "InstallLauncherAllUsers=0 AssociateFiles=0 Shortcuts=0 Include_doc=0 Include_test=0 "
                  "Include_tcltk=0 Include_debug=0 Include_symbols=0 Include_dev=0 Include_pip=1 CompileAll=0")


class BundleError(TaizhangError):
    """The bundle could not be made; the message says why."""


class InstallerMissing(BundleError):
    """The Python installer could not be put into the bundle (download failed or did not match)."""


@dataclass
class Bundle:
    """What ``bundle`` wrote, and what it could not put in (Chinese sentences)."""

    folder: Path
    files: dict[str, Path] = field(default_factory=dict)
    python_installer: Path | None = None
    installer_sha256: str | None = None
    missing: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing


def _quiet(_text: str) -> None:
    pass


def source_root() -> Path:
    import addin

    root = Path(addin.__file__).resolve().parent.parent
    if not (root / "pyproject.toml").exists():
        raise BundleError("找不到 taizhang 的源代码（pyproject.toml）。请在 taizhang 的源代码目录中运行 taizhang addin bundle。")
    return root


# --- the Python installer ------------------------------------------------------------------

def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _why(exc: BaseException) -> str:
    """A failed download's reason in Chinese (the original goes to the log)."""
    import logging
    import socket

    logging.getLogger("taizhang").warning("原始错误：%s: %s", type(exc).__name__, exc)
    if isinstance(exc, urllib.error.HTTPError):
        return f"服务器回答 HTTP {exc.code}"
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, socket.gaierror):
        return "找不到服务器（域名无法解析，可能没有网络）"
    if isinstance(reason, TimeoutError) or "timed out" in str(reason):
        return "连接超时"
    if isinstance(reason, ConnectionRefusedError):
        return "连接被拒绝"
    if isinstance(reason, OSError):
        return "网络连接失败"
    return "下载失败"


def fetch_python_installer(folder: Path, *, url: str | None = None, sha256: str | None = None,
                           name: str = PYTHON_INSTALLER_NAME, timeout: float = 60,
                           say: Callable[[str], None] = _quiet) -> Path:
    """Download python.org's installer into ``folder`` and check its SHA-256 against the pin.

    A file already there with the right digest is kept.  The download goes to ``NAME.part``
    and is renamed only once its digest is right; a wrong one is deleted.  ``url`` (else
    ``$TAIZHANG_PYTHON_URL``, else python.org) may be a mirror: the digest is what is trusted.
    Raises :class:`InstallerMissing` with the reason in Chinese."""
    sha256 = (sha256 or PYTHON_INSTALLER_SHA256).lower()
    target = folder / name
    if target.is_file():
        if sha256_of(target) == sha256:
            say(f"Python 安装程序已在安装包中，SHA-256 校验通过：{target.name}")
            return target
        target.unlink()  # an earlier copy that is not the published file must not travel
    url = url or os.environ.get(PYTHON_URL_ENV) or PYTHON_INSTALLER_URL
    if urllib.parse.urlsplit(url).scheme not in ("http", "https", "file"):
        raise InstallerMissing(f"Python 安装程序的下载地址 {url} 不是 http(s) 地址。")
    folder.mkdir(parents=True, exist_ok=True)
    part = folder / (name + ".part")
    digest, size = hashlib.sha256(), 0
    say(f"正在下载 Python {PYTHON_VERSION} 安装程序：{url}")
    try:
        request = urllib.request.Request(url, headers={"User-Agent": "taizhang-addin-bundle"})
        with urllib.request.urlopen(request, timeout=timeout) as response, open(part, "wb") as out:
            while chunk := response.read(1 << 16):
                out.write(chunk)
                digest.update(chunk)
                size += len(chunk)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        part.unlink(missing_ok=True)
        raise InstallerMissing(f"Python 安装程序 {name} 没有下载下来（{url}：{_why(exc)}）。") from exc
    got = digest.hexdigest()
    if got != sha256:
        part.unlink(missing_ok=True)
        raise InstallerMissing(
            f"下载的 Python 安装程序 {name}（{url}，{size} 字节）校验不符：SHA-256 是 {got}，"
            f"python.org 公布的是 {sha256}。文件不完整或被改动过，已删除。")
    os.replace(part, target)
    say(f"Python 安装程序已下载（{size / 1e6:.1f} MB），SHA-256 校验通过：{target.name}")
    return target


def take_python_installer(source: Path, folder: Path, say: Callable[[str], None] = _quiet) -> Path:
    """Copy an installer the IT person brought (``--python-installer``) into the bundle.

    It must be python.org's Windows installer (64-bit) of Python 3.11 or 3.12 (the wheels'
    versions), named as python.org names it; the pinned version must match its digest."""
    if not source.is_file():
        raise BundleError(f"找不到 Python 安装程序：{source}")
    if not INSTALLER_NAME.fullmatch(source.name):
        raise BundleError(
            f"{source.name} 不是可用的 Python 安装程序：需要 python.org 的 64 位 Windows 安装程序"
            f"（Windows installer (64-bit)），Python 3.11 或 3.12，文件名如 {PYTHON_INSTALLER_NAME}；"
            "安装包中的 wheel 只为这两个版本准备。")
    with open(source, "rb") as f:
        if f.read(2) != b"MZ":
            raise BundleError(f"{source} 不是 Windows 程序（文件开头不是 MZ），可能没有下载完整。")
    digest = sha256_of(source)
    if source.name.lower() == PYTHON_INSTALLER_NAME and digest != PYTHON_INSTALLER_SHA256:
        raise BundleError(f"{source} 的 SHA-256 是 {digest}，不是 python.org 为 {PYTHON_INSTALLER_NAME} "
                          f"公布的 {PYTHON_INSTALLER_SHA256}：文件不完整或被改动过。")
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / source.name.lower()
    if not (target.exists() and target.resolve() == source.resolve()):
        staged = folder / (target.name + ".part")
        shutil.copyfile(source, staged)
        os.replace(staged, target)
    say(f"Python 安装程序：{target.name}（SHA-256 {digest}）")
    return target


# --- the wheels ----------------------------------------------------------------------------

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


def _platform_args(python: str) -> list[str]:
    return ["--platform", PLATFORM, "--python-version", python, "--implementation", "cp", "--only-binary=:all:"]


def download(wheels: Path, own_wheel: Path, python: str) -> None:
    """Every wheel taizhang needs on Windows with CPython ``python``.  Wheels already in the
    folder that still fit are kept (a rerun, e.g. to add the Python installer, needs no index);
    otherwise pip resolves against the index."""
    args = ["download", "--quiet", "--dest", str(wheels), "--find-links", str(wheels), *_platform_args(python),
            str(own_wheel), *WINDOWS_ONLY]
    try:
        _pip([*args, "--no-index"], "")
    except BundleError:
        _pip(args, f"下载 Python {python} 的 wheel ")


def _packaging():
    """``packaging`` (pip's own copy when it is not installed: the bundle runs pip anyway)."""
    try:
        from packaging import markers, requirements, tags, utils, version
    except ImportError:  # pragma: no cover - depends on what is installed
        from pip._vendor.packaging import markers, requirements, tags, utils, version
    return markers, requirements, tags, utils, version


def windows_environment(python: str) -> dict[str, str]:
    """Environment markers as CPython ``python`` on 64-bit Windows sees them."""
    full = LAST_WINDOWS_RELEASE.get(python, f"{python}.0")
    return {"implementation_name": "cpython", "implementation_version": full, "os_name": "nt",
            "platform_machine": "AMD64", "platform_python_implementation": "CPython",
            "platform_release": "10", "platform_system": "Windows", "platform_version": "10.0.19045",
            "python_full_version": full, "python_version": python, "sys_platform": "win32", "extra": ""}


def _wheel_requirements(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as z:
        [meta] = [n for n in z.namelist() if n.count("/") == 1 and n.endswith(".dist-info/METADATA")]
        text = z.read(meta).decode("utf-8", "replace")
    head = text.split("\n\n", 1)[0]  # the headers; the description follows a blank line
    return [line.split(":", 1)[1].strip() for line in head.splitlines() if line.startswith("Requires-Dist:")]


def unmet_windows_requirements(wheels: Path, python: str, roots: tuple[str, ...] = ("taizhang", *WINDOWS_ONLY)):
    """The requirements ``pip install --no-index --find-links wheels ROOTS`` would miss on 64-bit
    Windows with CPython ``python``: each wheel's ``Requires-Dist`` read with Windows' markers,
    from the roots down (the newest wheel of a project that fits, as pip picks)."""
    _markers, requirements, tags, utils, version = _packaging()
    major, minor = (int(x) for x in python.split("."))
    supported = set(tags.cpython_tags((major, minor), platforms=[PLATFORM]))
    supported |= set(tags.compatible_tags((major, minor), f"cp{major}{minor}", [PLATFORM]))
    found: dict[str, list[tuple[object, Path]]] = {}
    for wheel in wheels.glob("*.whl"):
        try:
            name, ver, _build, wheel_tags = utils.parse_wheel_filename(wheel.name)
        except (utils.InvalidWheelFilename, version.InvalidVersion):
            continue
        if wheel_tags & supported:
            found.setdefault(name, []).append((ver, wheel))
    env = windows_environment(python)
    unmet, seen = [], set()
    todo = [requirements.Requirement(root) for root in roots]
    while todo:
        req = todo.pop()
        name = utils.canonicalize_name(req.name)
        fitting = [(v, w) for v, w in found.get(name, []) if req.specifier.contains(v, prereleases=True)]
        if not fitting:
            if all(str(req) != str(u) for u in unmet):
                unmet.append(req)
            continue
        _ver, wheel = max(fitting, key=lambda item: item[0])
        extras = frozenset(req.extras)
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        for line in _wheel_requirements(wheel):
            dep = requirements.Requirement(line)
            if dep.marker is None or any(dep.marker.evaluate({**env, "extra": e}) for e in ("", *extras)):
                todo.append(dep)
    return unmet


def _plain(req) -> str:
    """A requirement without its marker (pip would evaluate it for this machine again)."""
    extras = f"[{','.join(sorted(req.extras))}]" if req.extras else ""
    return f"{req.name}{extras}{req.specifier}"


def complete_for_windows(wheels: Path, pythons: tuple[str, ...], say: Callable[[str], None] = _quiet) -> None:
    """Fetch what only Windows needs until every Python's set is whole; else say what is missing."""
    for _round in range(6):
        unmet = {py: unmet_windows_requirements(wheels, py) for py in pythons}
        if not any(unmet.values()):
            return
        for python, reqs in unmet.items():
            if reqs:
                names = sorted({_plain(r) for r in reqs})
                say(f"补充 Windows 才需要的依赖（Python {python}）：{'、'.join(names)}")
                _pip(["download", "--quiet", "--dest", str(wheels), "--find-links", str(wheels),
                      *_platform_args(python), *names], f"下载 Python {python} 在 Windows 上需要的 wheel ")
    left = {py: sorted({_plain(r) for r in unmet_windows_requirements(wheels, py)}) for py in pythons}
    left = {py: names for py, names in left.items() if names}
    if left:
        raise BundleError("wheels 中缺少 Windows 上需要的依赖：" + "；".join(
            f"Python {py}：{'、'.join(names)}" for py, names in left.items()))


# --- the scripts ---------------------------------------------------------------------------

#: cmd.exe reads a batch file line by line in the console's code page; the first lines are
#: ASCII and switch it to UTF-8 (65001), so the Chinese below reads the same on any Windows
#: (GBK would turn into garbage, even stray | or ^, where the code page is not 936).  The
#: page the console had is put back at the end.  Commands stay ASCII; Chinese only in echo/rem.
_PROLOGUE = r"""@echo off
setlocal EnableExtensions DisableDelayedExpansion
for /f "tokens=*" %%L in ('chcp') do for %%N in (%%L) do set "TZ_OLDCP=%%N"
if defined TZ_OLDCP set "TZ_OLDCP=%TZ_OLDCP:.=%"
chcp 65001 >nul
"""

_EPILOGUE = r"""
:finish
echo.
pause
if defined TZ_OLDCP chcp %TZ_OLDCP% >nul 2>&1
exit /b %TZ_RC%
"""


def install_bat(installer: str | None) -> str:
    """The installer script for cmd.exe (UTF-8 without BOM, see _PROLOGUE).  ``installer`` is the
    Python installer's file name in the bundle, or None when the bundle carries none."""
    if installer:
        python_step = rf"""if not exist "%~dp0{installer}" goto :no_python
echo 本机没有 64 位的 Python 3.11 或 3.12：用本文件夹中的 {installer} 安装，
echo 只为当前用户安装到 "%TZ_PYTHON%"，不需要管理员权限，不改 PATH。约需 1 到 3 分钟，请稍候……
"%~dp0{installer}" {SILENT_OPTIONS} TargetDir="%TZ_PYTHON%" /log "%TZ_LOGS%\python-install.log"
set "TZ_PYRC=%errorlevel%"
call :find_python
if defined PY goto :have_python
echo.
echo Python 没有装好（安装程序返回 %TZ_PYRC%）。详细记录："%TZ_LOGS%\python-install.log"
goto :failed
"""
    else:
        python_step = ""
    return _PROLOGUE + rf"""rem 纪检台账（taizhang）离线安装：只用本文件夹中的文件，不需要网络。由 taizhang addin bundle 生成。
rem 本文件是 UTF-8 编码（无 BOM）：上面的 chcp 65001 让 cmd 按 UTF-8 读中文。
cd /d "%~dp0"
set "TZ_HOME=%LOCALAPPDATA%\taizhang"
set "TZ_VENV=%TZ_HOME%\venv"
set "TZ_PYTHON=%TZ_HOME%\python"
set "TZ_LOGS=%TZ_HOME%\logs"
set "TZ_RC=0"
if not exist "%TZ_LOGS%" mkdir "%TZ_LOGS%"

echo 第 1 步：找 64 位的 Python 3.11 或 3.12
call :find_python
if defined PY goto :have_python
{python_step}
:no_python
echo.
echo 本机没有 64 位的 Python 3.11 或 3.12，本文件夹中也没有 Python 安装程序。
echo 请在有网络的电脑上重新运行 taizhang addin bundle（它会把 {PYTHON_INSTALLER_NAME} 放进安装包），
echo 或从 {PYTHON_DOWNLOADS} 下载 "Windows installer (64-bit)"
echo 装好（勾选 "Add python.exe to PATH"）后，重新运行本文件。
set "TZ_RC=2"
goto :finish

:have_python
echo 使用 Python："%PY%"

echo 第 2 步：建立运行环境 "%TZ_VENV%"（只用本文件夹 wheels 中的文件）
if not exist "%TZ_VENV%\Scripts\python.exe" goto :make_venv
"%TZ_VENV%\Scripts\python.exe" -c "import sys" >nul 2>&1
if not errorlevel 1 goto :venv_ready
echo 原有的运行环境已损坏，重新建立。
rmdir /s /q "%TZ_VENV%"
:make_venv
"%PY%" -m venv "%TZ_VENV%"
if errorlevel 1 goto :failed
:venv_ready
"%TZ_VENV%\Scripts\python.exe" -m pip install --disable-pip-version-check --no-index --find-links "%~dp0wheels" --upgrade taizhang pywin32
if errorlevel 1 goto :failed

set "TZ_EXCEL="
for %%R in (64 32) do (reg query "HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\App Paths\excel.exe" /reg:%%R >nul 2>&1 && set "TZ_EXCEL=1")
if not defined TZ_EXCEL goto :no_excel

echo 第 3 步：把加载项装入 Excel（Excel 开着或关着都可以）
"%TZ_VENV%\Scripts\python.exe" -m taizhang addin install --interpreter "%TZ_VENV%\Scripts\python.exe"
if errorlevel 1 goto :failed
"%TZ_VENV%\Scripts\python.exe" -m taizhang addin doctor
echo.
echo 安装完成。请重新打开 Excel，功能区中会出现“纪检台账”选项卡。
goto :finish

:no_excel
echo.
echo taizhang 已装好。本机没有 Microsoft Excel，所以没有装 Excel 加载项。
echo 用 WPS 的电脑：在命令行运行下面这一行，再重新打开 WPS，功能区中会出现“纪检台账”选项卡：
echo   "%TZ_VENV%\Scripts\taizhang.exe" wps install
echo 也可以用浏览器：运行 "%TZ_VENV%\Scripts\taizhang.exe" serve --open
goto :finish

:failed
echo.
echo 安装未能完成。请把本窗口截图发给技术人员；详细记录在 "%TZ_LOGS%"
set "TZ_RC=1"
goto :finish

rem 找 64 位的 Python 3.11 或 3.12：本文件装过的、注册表（PEP 514）中的、py 启动器、PATH 中的。
:find_python
set "PY="
if exist "%TZ_PYTHON%\python.exe" call :try_python "%TZ_PYTHON%\python.exe"
for %%V in (3.12 3.11) do call :try_registry %%V
for %%V in (3.12 3.11) do call :try_command py -%%V
call :try_command python
exit /b 0

:try_registry
if defined PY exit /b 0
for %%H in (HKCU HKLM) do for /f "tokens=1,2,*" %%A in ('reg query "%%H\SOFTWARE\Python\PythonCore\%~1\InstallPath" /v ExecutablePath /reg:64 2^>nul') do if /i "%%A"=="ExecutablePath" call :try_python "%%C"
exit /b 0

:try_command
if defined PY exit /b 0
for /f "delims=" %%P in ('%* -c "import sys; print(sys.executable)" 2^>nul') do call :try_python "%%P"
exit /b 0

:try_python
if defined PY exit /b 0
if not exist "%~1" exit /b 0
"%~1" -c "import sys, struct; sys.exit(0 if sys.version_info[:2] in ((3, 11), (3, 12)) and struct.calcsize('P') == 8 else 1)" >nul 2>&1
if not errorlevel 1 set "PY=%~1"
exit /b 0
""" + _EPILOGUE


def uninstall_bat(installer: str | None) -> str:
    if installer:
        python_step = rf"""if not exist "%~dp0{installer}" goto :python_left
echo 正在卸载 安装.bat 为本机装的 Python……
"%~dp0{installer}" /quiet /uninstall /log "%TZ_HOME%\logs\python-uninstall.log"
if not exist "%TZ_PYTHON%\python.exe" goto :done
"""
    else:
        python_step = ""
    return _PROLOGUE + rf"""rem 纪检台账（taizhang）卸载：从 Excel 和 WPS 中移除加载项，删除本机设置和运行环境，
rem 以及 安装.bat 为本机装的 Python。UTF-8 编码（无 BOM），见上面的 chcp 65001。
set "TZ_HOME=%LOCALAPPDATA%\taizhang"
set "TZ_VENV=%TZ_HOME%\venv"
set "TZ_PYTHON=%TZ_HOME%\python"
set "TZ_RC=0"
if not exist "%TZ_VENV%\Scripts\python.exe" goto :venv_gone
"%TZ_VENV%\Scripts\python.exe" -m taizhang addin uninstall
"%TZ_VENV%\Scripts\python.exe" -m taizhang wps uninstall
rmdir /s /q "%TZ_VENV%"
:venv_gone
if not exist "%TZ_PYTHON%\python.exe" goto :done
{python_step}
:python_left
echo 安装.bat 装的 Python 还在 "%TZ_PYTHON%"：可在 设置 → 应用 中卸载 Python。
:done
echo 已卸载。
""" + _EPILOGUE


def readme(installer: str | None) -> str:
    """说明.txt: what the folder holds and both paths, Excel and WPS."""
    if installer:
        python_line = (f"  {installer}  python.org 的 Python 安装程序（64 位）。本机没有 64 位 Python 3.11/3.12 时，\n"
                       "      安装.bat 用它静默安装到 %LOCALAPPDATA%\\taizhang\\python（只为当前用户，不需要管理员权限，不改 PATH）。\n")
        step_one = f"本机的 64 位 Python 3.11 或 3.12；没有时用 {installer} 安装"
    else:
        python_line = ("  （本安装包不含 Python 安装程序：目标电脑必须已有 64 位的 Python 3.11 或 3.12，\n"
                       f"   否则请在有网络的电脑上重新运行 taizhang addin bundle，或从 {PYTHON_DOWNLOADS} 下载\n"
                       "   “Windows installer (64-bit)” 装好后再运行 安装.bat。）\n")
        step_one = "本机的 64 位 Python 3.11 或 3.12（本安装包不含 Python 安装程序）"
    return f"""纪检台账（taizhang）离线安装包 · Windows 10/11，不需要网络

本文件夹中：
  安装.bat       双击安装
  卸载.bat       双击卸载（加载项、本机设置、运行环境，以及 安装.bat 装的 Python）
{python_line}  wheels\\        taizhang 和它用到的全部程序包（Windows 64 位，Python 3.11 / 3.12）
  taizhang.xlam  Excel 加载项（安装时会重新生成同样的文件）
  使用说明.pdf   使用说明：安装、功能区按钮、工作表函数、每月流程、WPS 和浏览器页面、各种提示的意思

一、Microsoft Excel（2010 或更新，64 位）
  双击“安装.bat”。它会：
    1. 找到{step_one}；
    2. 在 %LOCALAPPDATA%\\taizhang\\venv 建立运行环境（只用本文件夹 wheels 中的文件）；
    3. 把加载项装入 Excel，并检查一遍（taizhang addin doctor）。
  重新打开 Excel，功能区中会出现“纪检台账”选项卡。
  检查：命令行运行 %LOCALAPPDATA%\\taizhang\\venv\\Scripts\\taizhang addin doctor

二、WPS Office（没有 Excel 的电脑）
  WPS 不加载 Excel 加载项（xlwings），请用 WPS 加载项：
    1. 双击“安装.bat”（本机没有 Excel 时，它装好 Python 和 taizhang 后跳过 Excel 加载项）；
    2. 命令行运行 %LOCALAPPDATA%\\taizhang\\venv\\Scripts\\taizhang wps install
    3. 重新打开 WPS，功能区中会出现“纪检台账”选项卡。
  任何浏览器也可以用：%LOCALAPPDATA%\\taizhang\\venv\\Scripts\\taizhang serve --open

卸载：双击“卸载.bat”。
"""


#: cmd.exe wants CRLF; a .bat is written without BOM (cmd would run the BOM as part of a command).
def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


BAT_REFERENCE = re.compile(r"%~dp0([^\"\s]*)")


def bat_references(text: str) -> list[str]:
    """The bundle's files a script names (``%~dp0NAME``), in order, without repeats."""
    return list(dict.fromkeys(m.group(1) for m in BAT_REFERENCE.finditer(text) if m.group(1)))


def missing_from(folder: Path, pythons: tuple[str, ...] = PYTHONS) -> list[str]:
    """What 安装.bat would not find in ``folder`` (Chinese sentences; empty when it is whole)."""
    missing = []
    script = folder / "安装.bat"
    if not script.is_file():
        return [f"{script} 不存在。"]
    for name in bat_references(script.read_bytes().decode("utf-8")):
        if not (folder / name).exists():
            missing.append(f"安装.bat 要用的 {name} 不在安装包中。")
    wheels = folder / "wheels"
    if not any(wheels.glob("taizhang-*.whl")):
        missing.append("wheels 中没有 taizhang 自己的 wheel。")
    for python in pythons:
        unmet = sorted({_plain(r) for r in unmet_windows_requirements(wheels, python)})
        if unmet:
            missing.append(f"wheels 中缺少 Python {python} 在 Windows 上需要的：{'、'.join(unmet)}。")
    return missing


def bundle(out: Path, pythons: tuple[str, ...] = PYTHONS, *, python_installer: Path | None = None,
           without_python: bool = False, python_url: str | None = None,
           say: Callable[[str], None] = _quiet) -> Bundle:
    """Write the offline bundle into ``out``.  The Python installer comes from ``python_installer``,
    else is downloaded (``python_url``, ``$TAIZHANG_PYTHON_URL`` or python.org) unless
    ``without_python``; one that cannot be had is reported in ``missing``, the rest is written
    all the same.  A bad ``python_installer`` or wheels that cannot be had raise BundleError."""
    result = Bundle(out)
    out.mkdir(parents=True, exist_ok=True)
    if python_installer is not None:
        result.python_installer = take_python_installer(Path(python_installer), out, say)
    elif not without_python:
        try:
            result.python_installer = fetch_python_installer(out, url=python_url, say=say)
        except InstallerMissing as exc:
            result.missing.append(str(exc))
    if result.python_installer is not None:
        result.installer_sha256 = sha256_of(result.python_installer)
        result.files["python"] = result.python_installer

    wheels = out / "wheels"
    wheels.mkdir(exist_ok=True)
    say("正在生成 taizhang 的 wheel，下载 Windows 64 位的依赖（Python " + "、".join(pythons) + "）……")
    own = build_wheel(wheels)
    for python in pythons:
        download(wheels, own, python)
    complete_for_windows(wheels, pythons, say)
    result.files["wheels"] = wheels
    result.files["xlam"] = build_xlam(out / XLAM_NAME)

    installer = result.python_installer.name if result.python_installer else None
    for name, text in (("安装.bat", install_bat(installer)), ("卸载.bat", uninstall_bat(installer))):
        path = out / name
        path.write_bytes(_crlf(text).encode("utf-8"))
        result.files[name] = path
    notes = out / "说明.txt"
    notes.write_bytes(b"\xef\xbb\xbf" + _crlf(readme(installer)).encode("utf-8"))  # BOM: every Notepad reads it
    result.files["说明.txt"] = notes
    try:
        result.files[PDF_NAME] = write_pdf(out / PDF_NAME)
    except GuideError as exc:  # no browser to print with: the bundle says so and is not complete
        result.missing.append(exc.message)
    result.missing.extend(missing_from(out, pythons))
    return result
