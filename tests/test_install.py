"""Installing and uninstalling, run against an Excel faked from xlwings' own classes: Excel
closed or open, no workbook open, twice in a row, a step failing."""

from __future__ import annotations

import sys

import pytest

from addin.build import build_xlam, conf_text
from addin.install import InstallError, install, uninstall
from addin.logs import log_file
from tests.xl_fakes import FakeExcel


@pytest.fixture(autouse=True)
def logs(tmp_path, monkeypatch):
    monkeypatch.setenv("TAIZHANG_LOG_DIR", str(tmp_path / "logs"))
    return tmp_path / "logs"


@pytest.fixture
def places(tmp_path):
    return {"folder": tmp_path / "AppData" / "Microsoft" / "AddIns", "conf": tmp_path / "home" / ".taizhang" / "taizhang.conf"}


def _python(tmp_path):
    exe = tmp_path / "py" / "python.exe"
    exe.parent.mkdir(parents=True, exist_ok=True)
    exe.write_bytes(b"")
    (exe.parent / "pythonw.exe").write_bytes(b"")
    return exe


@pytest.mark.parametrize("started", [True, False], ids=["excel-closed", "excel-open"])
def test_install_with_no_workbook_open(tmp_path, places, started):
    excel = FakeExcel(books=0)
    report = install(str(_python(tmp_path)), excel=lambda: (excel.app, started), **places)
    target = places["folder"] / "taizhang.xlam"
    assert report.target == target
    assert target.read_bytes() == build_xlam(tmp_path / "fresh.xlam").read_bytes()
    [item] = excel.addins.items
    assert excel.addins.added == [str(target)] and item.Installed is True
    # AddIns.Add needs a workbook: one was opened for it and closed again
    assert excel.added_books >= 1 and excel.open_books == []
    conf = places["conf"].read_bytes().decode("utf-8")
    assert conf.startswith(f'"INTERPRETER_WIN","{tmp_path / "py" / "pythonw.exe"}"\r\n')
    assert [s.name for s in report.steps] == ["写入本机设置", "连接 Excel", "卸下旧版本", "复制加载项文件", "在 Excel 中启用加载项"]
    assert all(s.done for s in report.steps)
    assert excel.app.quit.call_count == (1 if started else 0)  # an Excel the user opened stays open


def test_install_twice_is_the_same_as_once_and_unloads_the_old_copy_first(tmp_path, places):
    excel = FakeExcel(books=2)
    python = str(_python(tmp_path))
    install(python, excel=lambda: (excel.app, False), **places)
    install(python, excel=lambda: (excel.app, False), **places)
    [item] = excel.addins.items  # not registered twice
    assert item.history == [True, False, True]  # unloaded (Excel lets go of the file), replaced, enabled
    assert excel.added_books == 2  # the user's own two books; no temporary one was needed
    assert len(list(places["folder"].iterdir())) == 1


def test_a_failing_step_says_which_and_what_to_do_in_chinese_and_logs_the_trace(tmp_path, places, logs):
    excel = FakeExcel(books=1)
    excel.addins.fail_with = RuntimeError(-2147352567, "Exception occurred.",
                                          (0, "Microsoft Excel", "无法访问 taizhang.xlam。", None, 0, -2146827284), None)
    with pytest.raises(InstallError) as caught:
        install(str(_python(tmp_path)), excel=lambda: (excel.app, True), **places)
    message = str(caught.value)
    assert message.startswith("“在 Excel 中启用加载项”未能完成：无法访问 taizhang.xlam。")
    assert "管理 Excel 加载项" in message and "Traceback" not in message
    assert excel.app.quit.call_count == 1  # the hidden Excel is not left running
    text = log_file().read_text(encoding="utf-8")
    assert "install step failed: 在 Excel 中启用加载项" in text and "Traceback" in text
    assert log_file().parent == logs


def test_a_missing_interpreter_is_refused_before_anything_changes(tmp_path, places):
    excel = FakeExcel()
    with pytest.raises(InstallError, match="找不到 Python"):
        install(str(tmp_path / "nowhere" / "python.exe"), excel=lambda: (excel.app, False), **places)
    assert not places["conf"].exists() and not places["folder"].exists() and excel.addins.items == []


def test_uninstall_undoes_install_and_can_run_twice(tmp_path, places):
    excel = FakeExcel()
    install(str(_python(tmp_path)), excel=lambda: (excel.app, False), **places)
    report = uninstall(excel=lambda: (excel.app, False), **places)
    assert not report.target.exists() and not places["conf"].exists()
    assert excel.addins.items[0].Installed is False
    uninstall(excel=lambda: (excel.app, False), **places)  # nothing left to do, no error


def test_settings_file_is_what_xlwings_vba_reads():
    # VBA's Input # reads "KEY","VALUE" pairs, one per line, as Write # writes them
    assert conf_text({"INTERPRETER_WIN": r"C:\Py\pythonw.exe"}) == '"INTERPRETER_WIN","C:\\Py\\pythonw.exe"\r\n'


@pytest.mark.skipif(sys.platform == "win32", reason="this checks the refusal off Windows")
def test_install_elsewhere_than_windows_is_refused_in_chinese():
    with pytest.raises(InstallError, match="只能在装有 Excel 的 Windows 电脑上安装"):
        install()
    with pytest.raises(InstallError, match="只能在装有 Excel 的 Windows 电脑上安装"):
        uninstall()
