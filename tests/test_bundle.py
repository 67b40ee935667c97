"""``taizhang addin bundle``: one folder an office PC without internet installs from, with no
second trip.

- the Python installer is in it: downloaded and checked against the pinned SHA-256 (here from a
  server on 127.0.0.1 serving a fake installer, the URL given by ``TAIZHANG_PYTHON_URL`` and
  the pin patched to the fake's digest), or taken from ``--python-installer``; a download that
  fails or does not match leaves no file and makes the command say, in Chinese, what is
  missing and exit 1, unless ``--without-python`` was said;
- the wheels resolve for Windows x64 from the folder alone, for CPython 3.11 and 3.12: by pip,
  and by uv, which (unlike pip's ``--platform``) evaluates the requirements' markers for Windows;
- 安装.bat names only files that are in the folder, installs the bundled Python silently for
  this user only, and is written so that cmd.exe reads it on any Windows (UTF-8 after an ASCII
  ``chcp 65001``, CRLF, no BOM, commands in ASCII).
"""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest

import addin.bundle as bundle_module
from addin.build import build_xlam
from addin.bundle import (PYTHON_INSTALLER_NAME, InstallerMissing, complete_for_windows, fetch_python_installer,
                          missing_from, take_python_installer, unmet_windows_requirements)
from taizhang.cli import main

#: Slow as a whole: the offline bundle is resolved and downloaded once for the module (about 35 s here).
pytestmark = pytest.mark.slow

#: A stand-in for python.org's installer: a Windows program's first bytes, then filler.
FAKE = b"MZ\x90\x00" + hashlib.sha256(b"taizhang").digest() * 4096
FAKE_SHA256 = hashlib.sha256(FAKE).hexdigest()
TAMPERED = FAKE[:1000] + b"\x00" + FAKE[1001:]


class _Handler(http.server.BaseHTTPRequestHandler):
    files = {f"/{PYTHON_INSTALLER_NAME}": FAKE, "/tampered.exe": TAMPERED, "/short.exe": FAKE[: len(FAKE) // 2]}

    def do_GET(self):  # noqa: N802 - http.server's name
        data = self.files.get(self.path)
        if data is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def server():
    """A python.org stand-in on 127.0.0.1; its base URL."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    """The loopback server is reached directly, whatever proxy the machine names."""
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pypi_unreachable() -> str | None:
    import urllib.request

    try:
        urllib.request.urlopen("https://pypi.org/simple/pywin32/", timeout=15).close()
    except OSError as exc:
        return f"PyPI is unreachable from here ({exc}); the offline bundle's wheels cannot be downloaded"
    return None


@pytest.fixture
def needs_pypi():
    reason = _pypi_unreachable()
    if reason:
        pytest.skip(reason)


@pytest.fixture(scope="session")
def bundled(tmp_path_factory, server):
    """``taizhang addin bundle`` made once per session (about 20 s; pip's cache makes reruns
    faster), the installer downloaded from the loopback server with the pin set to its digest."""
    reason = _pypi_unreachable()
    if reason:
        pytest.skip(reason)
    out = tmp_path_factory.mktemp("bundle") / "离线安装包"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(bundle_module, "PYTHON_INSTALLER_SHA256", FAKE_SHA256)
        mp.setenv("TAIZHANG_PYTHON_URL", f"{server}/{PYTHON_INSTALLER_NAME}")
        for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
            mp.delenv(name, raising=False)
        assert main(["addin", "bundle", "-o", str(out)]) == 0
    return out


# --- the installer: download and checksum ----------------------------------------------------

def test_the_pinned_installer_is_python_orgs_own():
    """The real default: python.org's 64-bit installer of the last 3.12 with one, and its digest."""
    assert bundle_module.PYTHON_INSTALLER_URL == (
        "https://www.python.org/ftp/python/3.12.10/python-3.12.10-amd64.exe")
    assert bundle_module.PYTHON_INSTALLER_SHA256 == "67b5635e80ea51072b87941312d00ec8927c4db9ba18938f7ad2d27b328b95fb"


def test_a_download_with_the_published_checksum_is_kept(server, tmp_path):
    got = fetch_python_installer(tmp_path, url=f"{server}/{PYTHON_INSTALLER_NAME}", sha256=FAKE_SHA256)
    assert got == tmp_path / PYTHON_INSTALLER_NAME and got.read_bytes() == FAKE
    assert [p.name for p in tmp_path.iterdir()] == [PYTHON_INSTALLER_NAME]  # no .part left
    # a second bundle into the same folder keeps it without asking the network (nothing listens there)
    again = fetch_python_installer(tmp_path, url=f"http://127.0.0.1:{_closed_port()}/x.exe", sha256=FAKE_SHA256)
    assert again.read_bytes() == FAKE


@pytest.mark.parametrize("path", ["/tampered.exe", "/short.exe"])
def test_a_download_with_another_checksum_is_refused_and_deleted(server, tmp_path, path):
    with pytest.raises(InstallerMissing) as caught:
        fetch_python_installer(tmp_path, url=f"{server}{path}", sha256=FAKE_SHA256)
    message = str(caught.value)
    assert "校验不符" in message and FAKE_SHA256 in message and "已删除" in message
    served = _Handler.files[path]
    assert hashlib.sha256(served).hexdigest() in message and f"{len(served)} 字节" in message
    assert list(tmp_path.iterdir()) == []


def test_a_download_that_fails_says_why_in_chinese(server, tmp_path):
    (tmp_path / PYTHON_INSTALLER_NAME).write_bytes(FAKE[:100])  # left by an earlier, broken copy
    with pytest.raises(InstallerMissing, match="HTTP 404"):
        fetch_python_installer(tmp_path, url=f"{server}/python-3.12.99-amd64.exe", sha256=FAKE_SHA256)
    with pytest.raises(InstallerMissing, match="连接被拒绝"):
        fetch_python_installer(tmp_path, url=f"http://127.0.0.1:{_closed_port()}/p.exe", sha256=FAKE_SHA256)
    assert list(tmp_path.iterdir()) == []


def test_the_url_comes_from_the_environment_and_the_pin_still_holds(server, tmp_path, monkeypatch):
    """``TAIZHANG_PYTHON_URL`` (a mirror) changes where from, never what is accepted."""
    monkeypatch.setenv("TAIZHANG_PYTHON_URL", f"{server}/{PYTHON_INSTALLER_NAME}")
    with pytest.raises(InstallerMissing, match="校验不符"):
        fetch_python_installer(tmp_path)  # the real pin: the fake is not python.org's installer
    monkeypatch.setattr(bundle_module, "PYTHON_INSTALLER_SHA256", FAKE_SHA256)
    assert fetch_python_installer(tmp_path).read_bytes() == FAKE


def test_an_installer_brought_along_must_be_a_64_bit_python_3_11_or_3_12(tmp_path):
    def brought(name: str, data: bytes = FAKE) -> Path:
        path = tmp_path / "下载" / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        return path

    out = tmp_path / "out"
    for name, why in (("python-3.13.1-amd64.exe", "3.11 或 3.12"), ("python-3.12.10.exe", "64 位"),
                      ("python-3.12.10-arm64.exe", "64 位"), ("setup.exe", "python.org")):
        with pytest.raises(bundle_module.BundleError, match=why):
            take_python_installer(brought(name), out)
    with pytest.raises(bundle_module.BundleError, match="不是 Windows 程序"):
        take_python_installer(brought("python-3.11.9-amd64.exe", b"<html>404</html>"), out)
    with pytest.raises(bundle_module.BundleError, match="67b5635e"):  # the pinned name, other bytes
        take_python_installer(brought(PYTHON_INSTALLER_NAME), out)
    with pytest.raises(bundle_module.BundleError, match="找不到"):
        take_python_installer(tmp_path / "nowhere" / "python-3.12.10-amd64.exe", out)
    assert not out.exists()
    taken = take_python_installer(brought("Python-3.11.9-AMD64.exe"), out)
    assert taken == out / "python-3.11.9-amd64.exe" and taken.read_bytes() == FAKE


# --- the whole bundle ------------------------------------------------------------------------

def test_a_fresh_bundle_holds_the_installer_it_downloaded_checked(bundled):
    assert (bundled / PYTHON_INSTALLER_NAME).read_bytes() == FAKE
    assert not list(bundled.glob("*.part"))
    assert missing_from(bundled) == []


def _bat(path: Path) -> str:
    """The script as cmd.exe gets it: CRLF, no BOM, ASCII up to ``chcp 65001``, UTF-8 after it,
    and every line with anything but ASCII an ``echo`` or a ``rem`` (a command in ASCII cannot be
    changed by a code page, and no Chinese byte can become a ``|``, ``^`` or ``&``)."""
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"") and b"\r" not in raw.replace(b"\r\n", b"")
    text = raw.decode("utf-8")
    lines = text.split("\r\n")
    assert lines[0] == "@echo off"
    chcp = next(i for i, line in enumerate(lines) if line.strip().lower().startswith("chcp 65001"))
    assert all(line.isascii() for line in lines[: chcp + 1])
    for line in lines:
        if not line.isascii():
            assert re.match(r"\s*(echo |rem )", line, re.I), line
    return text


def _labels_resolve(text: str) -> None:
    labels = {m.lower() for m in re.findall(r"^:(\w+)", text, re.M)}
    targets = {m.lower() for m in re.findall(r"(?:goto|call) :(\w+)", text, re.I)} - {"eof"}
    assert targets and targets <= labels, targets - labels


def _references(text: str) -> set[str]:
    """What the script takes from its own folder: ``%~dp0NAME``."""
    return {m for m in re.findall(r"%~dp0([^\"\s]*)", text) if m}


def test_the_installer_script_uses_only_what_the_bundle_holds(bundled):
    text = _bat(bundled / "安装.bat")
    _labels_resolve(text)
    referenced = _references(text)
    assert referenced == {"wheels", PYTHON_INSTALLER_NAME}
    for name in referenced:
        assert (bundled / name).exists(), name
    assert any((bundled / "wheels").glob("taizhang-*.whl"))
    # the bundled Python, silently, for this user only, nothing else of the PC touched
    [run] = [line for line in text.splitlines() if line.startswith(f'"%~dp0{PYTHON_INSTALLER_NAME}"')]
    for option in ("/quiet", "InstallAllUsers=0", "PrependPath=0", "Include_launcher=0", "AssociateFiles=0",
                   'TargetDir="%TZ_PYTHON%"', "/log"):
        assert option in run.split(), option
    assert "/passive" not in run and "InstallAllUsers=1" not in run
    # and only when no 64-bit Python 3.11/3.12 is found first
    assert text.index("call :find_python") < text.index(run)
    assert "py -%%V" in text and "PythonCore" in text and "struct.calcsize('P') == 8" in text
    assert 'pip install --disable-pip-version-check --no-index --find-links "%~dp0wheels"' in text
    assert "-m taizhang addin install --interpreter" in text
    assert "wps install" in text  # a PC without Excel is told its way


def test_the_uninstaller_and_the_notes(bundled):
    text = _bat(bundled / "卸载.bat")
    _labels_resolve(text)
    assert _references(text) == {PYTHON_INSTALLER_NAME}
    assert "addin uninstall" in text and "wps uninstall" in text and "/uninstall" in text
    raw = (bundled / "说明.txt").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    notes = raw[3:].decode("utf-8")
    assert "taizhang wps install" in notes and "WPS 不加载 Excel 加载项" in notes
    assert PYTHON_INSTALLER_NAME in notes and "安装.bat" in notes


def test_the_bundle_holds_the_add_in(bundled, tmp_path):
    assert (bundled / "taizhang.xlam").read_bytes() == build_xlam(tmp_path / "fresh.xlam").read_bytes()
    [wheel] = (bundled / "wheels").glob("taizhang-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {"addin/build.py", "udfs/functions.py", "macros/ribbon.py", "taizhang/data/columns.toml"} <= set(names)


@pytest.mark.parametrize("python", ["3.11", "3.12"])
def test_the_bundle_resolves_offline_for_windows_x64(bundled, python, tmp_path):
    report = tmp_path / "report.json"
    env = {**os.environ, "PIP_CONFIG_FILE": os.devnull}  # nothing but the bundle: no configured index or folder
    env = {k: v for k, v in env.items() if not k.startswith("PIP_") or k == "PIP_CONFIG_FILE"}
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-index", "--find-links", str(bundled / "wheels"),
         "--dry-run", "--ignore-installed", "--report", str(report), "--platform", "win_amd64",
         "--python-version", python, "--implementation", "cp", "--only-binary=:all:",
         "--target", str(tmp_path / "target"), "taizhang", "pywin32"],
        capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    installed = {item["metadata"]["name"].lower().replace("_", "-"): item
                 for item in json.loads(report.read_text())["install"]}
    import xlwings

    assert installed["xlwings"]["metadata"]["version"] == xlwings.__version__
    assert {"taizhang", "pywin32", "xlwings", "openpyxl", "python-calamine", "pandas", "pydantic",
            "fastapi", "uvicorn"} <= set(installed)
    tag = f"cp{python.replace('.', '')}-win_amd64"
    for name in ("pywin32", "xlwings", "pydantic-core"):
        assert tag in installed[name]["download_info"]["url"], name


@pytest.mark.parametrize(("pip", "python"), [("24.0", "3.11"), ("25.0.1", "3.12")])
def test_the_pip_a_fresh_python_brings_installs_the_bundle(bundled, pip, python, tmp_path, needs_pypi):
    """安装.bat's venv has the pip of ensurepip: 24.0 in Python 3.11.9, 25.0.1 in 3.12.10 (the last
    Windows installers); it must read every wheel of the folder (metadata 2.4 and 2.5 included)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--dest", str(tmp_path),
                    f"pip=={pip}"], check=True, capture_output=True, env=env)
    [wheel] = tmp_path.glob(f"pip-{pip}-*.whl")
    done = subprocess.run(
        [sys.executable, str(wheel / "pip"), "install", "--no-index", "--find-links", str(bundled / "wheels"),
         "--dry-run", "--ignore-installed", "--platform", "win_amd64", "--python-version", python,
         "--implementation", "cp", "--only-binary=:all:", "--target", str(tmp_path / "target"),
         "taizhang", "pywin32"], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert "Would install" in done.stdout and "taizhang-" in done.stdout and "pywin32-" in done.stdout


def _uv_resolves(wheels: Path, python: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """uv resolving ``taizhang`` and ``pywin32`` for 64-bit Windows from ``wheels`` alone."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "PIP_"))}
    env.update(UV_NO_CONFIG="1", UV_PYTHON_DOWNLOADS="never", UV_CACHE_DIR=str(tmp_path / "uv-cache"))
    return subprocess.run(
        [sys.executable, "-m", "uv", "pip", "compile", "-", "--offline", "--no-index", "--find-links", str(wheels),
         "--python-platform", "x86_64-pc-windows-msvc", "--python-version", python, "--no-header",
         "--no-annotate", "--quiet"],
        input="taizhang\npywin32\n", capture_output=True, text=True, env=env)


@pytest.mark.parametrize("python", ["3.11", "3.12"])
def test_the_bundle_resolves_for_windows_with_windows_markers(bundled, python, tmp_path):
    """uv reads ``; sys_platform == "win32"`` as Windows does; pip's --platform does not."""
    done = _uv_resolves(bundled / "wheels", python, tmp_path)
    assert done.returncode == 0, done.stderr
    resolved = {line.split("==")[0] for line in done.stdout.splitlines() if "==" in line}
    assert {"taizhang", "pywin32", "xlwings", "pandas", "tzdata", "fastapi"} <= resolved
    assert unmet_windows_requirements(bundled / "wheels", python) == []


def _wheel(folder: Path, name: str, requires: list[str], tag: str = "py3-none-any", version: str = "1.0") -> None:
    meta = "".join([f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"]
                   + [f"Requires-Dist: {r}\n" for r in requires]) + "\nRequires-Dist: not-a-header\n"
    with zipfile.ZipFile(folder / f"{name}-{version}-{tag}.whl", "w") as z:
        z.writestr(f"{name}-{version}.dist-info/METADATA", meta)


def test_windows_only_requirements_are_found_with_windows_markers(tmp_path):
    _wheel(tmp_path, "root", ['tzdata; sys_platform == "win32"', 'uvloop; sys_platform != "win32"',
                              "colors[win]>=2", 'extra-only; extra == "dev"', 'old; python_version < "3.11"',
                              'win312; python_version >= "3.12" and platform_system == "Windows"'])
    _wheel(tmp_path, "colors", ['colorama; extra == "win" and os_name == "nt"'], version="2.1")
    _wheel(tmp_path, "colors", [], version="1.0")
    _wheel(tmp_path, "native", [], tag="cp311-cp311-manylinux_2_17_x86_64")  # no use on Windows
    names = sorted(r.name for r in unmet_windows_requirements(tmp_path, "3.11", roots=("root", "native")))
    assert names == ["colorama", "native", "tzdata"]
    names = sorted(r.name for r in unmet_windows_requirements(tmp_path, "3.12", roots=("root",)))
    assert names == ["colorama", "tzdata", "win312"]


def test_a_windows_only_dependency_missing_from_the_wheels_is_fetched(bundled, tmp_path, needs_pypi):
    wheels = tmp_path / "wheels"
    shutil.copytree(bundled / "wheels", wheels)
    for wheel in wheels.glob("tzdata-*.whl"):
        wheel.unlink()
    assert _uv_resolves(wheels, "3.12", tmp_path).returncode != 0  # the oracle sees the hole too
    assert {r.name for r in unmet_windows_requirements(wheels, "3.12")} == {"tzdata"}
    complete_for_windows(wheels, ("3.11", "3.12"))
    assert list(wheels.glob("tzdata-*.whl"))
    assert _uv_resolves(wheels, "3.12", tmp_path).returncode == 0


# --- the command line: what is missing, said before the trip ---------------------------------

def _seeded(bundled: Path, tmp_path: Path) -> Path:
    """A bundle folder holding the session bundle's wheels: a rerun keeps them, so the command
    below runs without the index (the session bundle is the one made from PyPI)."""
    out = tmp_path / "离线安装包"
    shutil.copytree(bundled / "wheels", out / "wheels")
    return out


def test_a_bundle_without_its_installer_says_so_and_fails(bundled, server, tmp_path, capsys, monkeypatch):
    out = _seeded(bundled, tmp_path)
    monkeypatch.setenv("TAIZHANG_PYTHON_URL", f"{server}/tampered.exe")  # the real pin, bytes that differ
    assert main(["addin", "bundle", "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "离线安装包还不完整" in err and "校验不符" in err and PYTHON_INSTALLER_NAME in err
    assert "--python-installer" in err and "--without-python" in err
    assert not list(out.glob("*.exe")) and not list(out.glob("*.part"))
    # the rest is there, and 安装.bat says what to bring instead of naming a file that is not there
    text = _bat(out / "安装.bat")
    _labels_resolve(text)
    assert _references(text) == {"wheels"} and "Windows installer (64-bit)" in text
    assert "不含 Python 安装程序" in (out / "说明.txt").read_bytes().decode("utf-8-sig")
    # saying that the office PC has its own Python makes the same bundle acceptable
    assert main(["addin", "bundle", "-o", str(out), "--without-python"]) == 0
    err = capsys.readouterr().err
    assert "不含 Python 安装程序" in err and "完成" in err and "不完整" not in err


def test_the_bundle_holds_the_guide_as_a_pdf_that_opens(bundled):
    """使用说明.pdf: the staff guide, A4, its text the guide's Chinese (pdftotext reads it back)."""
    from addin.guide import PDF_NAME, TITLE

    pdf = bundled / PDF_NAME
    assert pdf.read_bytes()[:5] == b"%PDF-"
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils 未安装")
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                                              text=True, check=True).stdout)
    assert TITLE in text and "每月月底怎么做" in text and "离线安装包" in text
    assert PDF_NAME in (bundled / "说明.txt").read_bytes().decode("utf-8-sig")


def test_a_bundle_without_a_browser_for_the_guide_says_so_and_fails(bundled, tmp_path, capsys, monkeypatch):
    out = _seeded(bundled, tmp_path)
    monkeypatch.setenv("TAIZHANG_BROWSER", str(tmp_path / "no-browser" / "chrome"))
    assert main(["addin", "bundle", "-o", str(out), "--without-python"]) == 1
    err = capsys.readouterr().err
    assert "离线安装包还不完整" in err and "使用说明.pdf 没有生成" in err and "TAIZHANG_BROWSER" in err
    assert not (out / "使用说明.pdf").exists() and (out / "安装.bat").exists()  # the rest is there


def test_a_bundle_with_an_installer_brought_along(bundled, tmp_path, capsys):
    brought = tmp_path / "python-3.11.9-amd64.exe"
    brought.write_bytes(FAKE)
    out = _seeded(bundled, tmp_path)
    assert main(["addin", "bundle", "-o", str(out), "--python-installer", str(brought)]) == 0
    printed = capsys.readouterr()
    assert f"Python 安装程序：{out / brought.name}" in printed.out and "完成" in printed.err
    text = _bat(out / "安装.bat")
    assert _references(text) == {"wheels", brought.name}
    assert (out / brought.name).read_bytes() == FAKE and missing_from(out) == []


def test_a_bad_installer_is_refused_before_anything_is_downloaded(tmp_path, capsys):
    brought = tmp_path / "python-3.13.1-amd64.exe"
    brought.write_bytes(FAKE)
    out = tmp_path / "out"
    assert main(["addin", "bundle", "-o", str(out), "--python-installer", str(brought)]) == 2
    assert "3.11 或 3.12" in capsys.readouterr().err
    assert not (out / "wheels").exists()
    with pytest.raises(SystemExit) as refused:  # argparse: the two options exclude each other
        main(["addin", "bundle", "-o", str(out), "--python-installer", str(brought), "--without-python"])
    assert refused.value.code == 2 and "参数错误" in capsys.readouterr().err


def test_build_prints_chinese_labels_and_the_next_step(tmp_path, capsys):
    assert main(["addin", "build", "-o", str(tmp_path / "out")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert f"加载项：{tmp_path / 'out' / 'taizhang.xlam'}" in lines
    assert any(line.startswith("功能区 XML：") for line in lines)
    assert not [line for line in lines if "\t" in line or re.match(r"[a-z]+[:：\t]", line)]  # no English role names
    nxt = lines.index("下一步：")
    assert any("taizhang addin install" in line for line in lines[nxt:])
    assert any("taizhang addin bundle" in line for line in lines[nxt:])
    assert any("taizhang wps install" in line for line in lines[nxt:])
