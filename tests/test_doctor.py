"""``taizhang addin doctor`` against described PCs: a healthy one, each way it goes wrong, and
one without Excel (Linux, or Windows with WPS only), where it says so in one line."""

from __future__ import annotations

import json
import re
import sys

import pytest
import xlwings

from addin.build import build_xlam, default_settings
from addin.doctor import FAIL, OK, SKIP, Machine, exit_code, run_checks
from addin.install import write_user_conf
from taizhang.cli import main

V = xlwings.__version__
OPTIONS = r"HKCU\Software\Microsoft\Office\16.0\Excel\Options"
SECURITY = r"HKCU\Software\Microsoft\Office\16.0\Excel\Security"
C2R = r"HKLM\SOFTWARE\Microsoft\Office\ClickToRun\Configuration"


def registry(values: dict):
    """A registry: {(key, value name): data}; value None lists a key's values."""
    def read(path, value):
        if value is None:
            found = {v: d for (k, v), d in values.items() if k == path and v is not None}
            return found if found or (path, None) in values else None
        return values.get((path, value))
    return read


@pytest.fixture
def pc(tmp_path):
    python = tmp_path / "venv" / "Scripts" / "pythonw.exe"
    python.parent.mkdir(parents=True)
    python.write_bytes(b"")
    dll = python.parent.parent / f"xlwings64-{V}.dll"  # pip puts it in the venv's root
    dll.write_bytes(b"MZ")
    folder = tmp_path / "AddIns"
    folder.mkdir()
    build_xlam(folder / "taizhang.xlam")
    conf = write_user_conf({"INTERPRETER_WIN": str(python)}, tmp_path / ".taizhang" / "taizhang.conf")
    reg = {(C2R, "Platform"): "x64", (OPTIONS, None): {}, (OPTIONS, "OPEN"): f'/R "{folder}\\taizhang.xlam"',
           (SECURITY, "VBAWarnings"): 2}
    return {"python": python, "dll": dll, "folder": folder, "conf": conf, "reg": reg}


def _run(pc, **machine):
    m = Machine(registry=registry(pc["reg"]), is_windows=True, python_bits=machine.pop("bits", 64))
    return {c.name: c for c in run_checks(m, folder=pc["folder"], conf=pc["conf"])}


def test_a_healthy_pc_passes_every_check(pc):
    checks = _run(pc)
    assert {n: c.status for n, c in checks.items()} == {
        "本机设置": OK, "位数": OK, "加载项文件": OK, "xlwings DLL": OK, "工作表函数": OK, "已启用": OK, "宏设置": OK}
    assert str(pc["dll"]) in checks["xlwings DLL"].message and V in checks["加载项文件"].message


def test_32_bit_excel_with_64_bit_python(pc):
    pc["reg"][(C2R, "Platform")] = "x86"
    check = _run(pc)["位数"]
    assert check.status == FAIL and "Excel 是 32 位，Python 是 64 位" in check.message


def test_a_dll_of_another_xlwings_version_is_named(pc):
    pc["dll"].rename(pc["dll"].with_name("xlwings64-0.30.0.dll"))
    check = _run(pc)["xlwings DLL"]
    assert check.status == FAIL
    assert f"xlwings64-{V}.dll" in check.message and "xlwings64-0.30.0.dll" in check.message
    assert f"xlwings=={V}" in check.message


def test_registered_but_not_enabled_and_all_macros_disabled(pc):
    del pc["reg"][(OPTIONS, "OPEN")]
    pc["reg"][(r"HKCU\Software\Microsoft\Office\16.0\Excel\Add-in Manager", f"{pc['folder']}\\taizhang.xlam")] = ""
    pc["reg"][(SECURITY, "VBAWarnings")] = 4
    checks = _run(pc)
    assert checks["已启用"].status == FAIL and "勾选“taizhang”" in checks["已启用"].message
    assert checks["宏设置"].status == FAIL and "受信任位置" in checks["宏设置"].message
    pc["reg"][(SECURITY + r"\Trusted Locations\Location2", "Path")] = str(pc["folder"])
    assert _run(pc)["宏设置"].status == OK


@pytest.mark.slow
def test_missing_settings_and_an_old_add_in_that_overrides_them(pc):
    pc["conf"].unlink()
    build_xlam(pc["folder"] / "taizhang.xlam", {**default_settings(), "INTERPRETER_WIN": "/build/machine/python"})
    checks = _run(pc)
    assert checks["本机设置"].status == FAIL and "taizhang addin install" in checks["本机设置"].message
    assert checks["加载项设置表"].status == FAIL and "INTERPRETER_WIN" in checks["加载项设置表"].message


# --- a PC without Excel: one line, the other ways named, nothing failed ----------------------

def _says_use_the_other_ways(check) -> None:
    assert check.status == SKIP
    assert "Excel" in check.message and "taizhang serve" in check.message and "taizhang wps install" in check.message
    assert not re.search(r"[\\/]|AppData|taizhang\.conf|\.xlam", check.message)  # no path of this PC


def test_no_excel_on_linux_is_one_line_and_no_failure(tmp_path):
    checks = run_checks(Machine(is_windows=False), folder=tmp_path / "AddIns", conf=tmp_path / "none.conf")
    assert len(checks) == 1 and checks[0].name == "系统" and exit_code(checks) == 0
    _says_use_the_other_ways(checks[0])


def test_no_excel_on_windows_with_wps_only_is_one_line_too(pc):
    wps_only = {(r"HKCU\Software\Kingsoft\Office\6.0\Common", None): {}}
    machine = Machine(registry=registry(wps_only), is_windows=True, python_bits=64)
    checks = run_checks(machine, folder=pc["folder"], conf=pc["conf"])
    assert len(checks) == 1 and checks[0].name == "Excel" and exit_code(checks) == 0
    _says_use_the_other_ways(checks[0])


def test_excel_installed_but_never_opened_is_still_checked(pc):
    pc["reg"] = {(r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\App Paths\excel.exe", ""):
                 r"C:\Program Files\Microsoft Office\root\Office16\EXCEL.EXE"}
    checks = _run(pc)
    assert checks["本机设置"].status == OK and checks["加载项文件"].status == OK
    assert checks["Excel"].status == FAIL and "打开一次 Excel" in checks["Excel"].message


@pytest.mark.skipif(sys.platform == "win32", reason="describes a PC that is not Windows")
def test_cli_doctor_off_windows_says_one_chinese_line(capsys):
    assert main(["addin", "doctor"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("本机是 Linux，没有 Microsoft Excel")
    assert "taizhang serve" in lines[0] and "taizhang wps install" in lines[0]
    assert "✗" not in lines[0] and "/" not in lines[0]


@pytest.mark.skipif(sys.platform == "win32", reason="describes a PC that is not Windows")
def test_cli_doctor_json_off_windows(capsys):
    code = main(["addin", "doctor", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["ok"] is True
    assert [(c["name"], c["status"]) for c in data["checks"]] == [("系统", "skip")]
    assert all(set(c) == {"name", "status", "message"} for c in data["checks"])
