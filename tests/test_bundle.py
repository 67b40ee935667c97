"""``taizhang addin bundle``: the offline folder resolves for Windows x64 with pip alone, from its
own wheels (no index, no other wheel folder), for CPython 3.11 and 3.12, pywin32 included."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
import zipfile

import pytest

from addin.build import build_xlam
from addin.bundle import PYTHON_INSTALLER
from taizhang.cli import main


def _pypi_unreachable() -> str | None:
    try:
        urllib.request.urlopen("https://pypi.org/simple/pywin32/", timeout=15).close()
    except OSError as exc:
        return f"PyPI is unreachable from here ({exc}); the offline bundle cannot be downloaded"
    return None


@pytest.fixture(scope="session")
def bundled(tmp_path_factory):
    """Made once per test session (about half a minute; pip's cache makes reruns faster)."""
    reason = _pypi_unreachable()
    if reason:
        pytest.skip(reason)
    out = tmp_path_factory.mktemp("bundle") / "离线安装包"
    assert main(["addin", "bundle", "-o", str(out)]) == 0
    return out


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
    assert {"taizhang", "pywin32", "xlwings", "openpyxl", "python-calamine", "pandas", "pydantic"} <= set(installed)
    tag = f"cp{python.replace('.', '')}-win_amd64"
    for name in ("pywin32", "xlwings", "pydantic-core"):
        assert tag in installed[name]["download_info"]["url"], name


def test_the_bundle_holds_the_add_in_and_a_chinese_installer(bundled, tmp_path):
    assert (bundled / "taizhang.xlam").read_bytes() == build_xlam(tmp_path / "fresh.xlam").read_bytes()
    raw = (bundled / "安装.bat").read_bytes()
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")  # cmd.exe wants CRLF
    bat = raw.decode("gbk")  # what cmd.exe reads on a Chinese Windows
    assert 'pip install --no-index --find-links "%~dp0wheels"' in bat
    assert "py -%%V" in bat and "for %%V in (3.12 3.11)" in bat  # finds an installed Python 3.11+
    assert PYTHON_INSTALLER in bat and "Windows installer (64-bit)" in bat  # or says what to bring
    assert "-m taizhang addin install --interpreter" in bat
    [wheel] = (bundled / "wheels").glob("taizhang-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {"addin/build.py", "udfs/functions.py", "macros/ribbon.py", "taizhang/data/columns.toml"} <= set(names)
    (bundled / "卸载.bat").read_bytes().decode("gbk")
    assert "WPS 不加载 xlwings 加载项" in (bundled / "说明.txt").read_bytes().decode("gbk")
