"""Installing and uninstalling, run against an Excel faked from xlwings' own classes: Excel
closed or open, no workbook open, twice in a row, a step failing; and the WPS add-in's install
(``taizhang wps install|uninstall``) against WPS's own files in a home folder of the test's."""

from __future__ import annotations

import json
import os
import select
import shlex
import stat
import subprocess
import sys
from pathlib import Path

import defusedxml.ElementTree as ET
import pytest

from addin.build import build_xlam, conf_text
from addin.install import InstallError, install, uninstall
from addin.logs import log_file
from taizhang import __version__
from taizhang.serve.app import static_files
from taizhang.serve.wpsaddin import proof_key
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


@pytest.mark.slow
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


@pytest.mark.slow
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


# ---------------------------------------------------------------- the WPS add-in: `taizhang wps install`

REPO = Path(__file__).resolve().parent.parent
OTHER_PUBLISH = ('<?xml version="1.0" encoding="UTF-8"?>\n<jsplugins>\n'
                 '  <jspluginonline name="other" type="wps" url="http://127.0.0.1:3889/" enable="enable_dev" install="null"/>\n'
                 '  <jsplugin name="offline_other" type="et" url="offline_other_1.0.0" version="1.0.0" enable="enable_dev" install="null" customDomain=""/>\n'
                 '  <jspluginonline name="taizhang" type="et" url="http://127.0.0.1:47817/wps/k/OLDTOKEN/" enable="enable" install="null"/>\n'
                 '</jsplugins>\n')
OTHER_AUTH = {
    "et": {"namelist": "k1;old",
           "k1": {"name": "offline_other", "path": "C:/Users/u/AppData/Roaming/kingsoft/wps/jsaddons/offline_other_1.0.0",
                  "enable": True, "isload": True, "mode": 1, "md5": "0f3c"},
           "old": {"name": "taizhang", "path": "http://127.0.0.1:47817/wps/k/OLDTOKEN", "enable": True, "isload": False,
                   "mode": 2, "md5": ""}},
    "wps": {"namelist": "k2", "k2": {"name": "other", "path": "http://127.0.0.1:3889", "enable": True, "isload": True,
                                     "mode": 2, "md5": ""}},
}


def _wps(tmp_path: Path, *args: str, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "HOME": str(tmp_path / "home"), "XDG_CONFIG_HOME": str(tmp_path / "config"), **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "taizhang", "wps", *args], capture_output=True, text=True,
                          env=env, cwd=REPO, timeout=120)


def _jsaddons(tmp_path: Path) -> Path:
    return tmp_path / "home" / ".local" / "share" / "Kingsoft" / "wps" / "jsaddons"


def _ours(auth: dict) -> dict:
    return {k: v for k, v in auth["et"].items() if k != "namelist" and v.get("name") == "taizhang"}


@pytest.mark.slow
@pytest.mark.skipif(os.name == "nt", reason="the Linux paths and file modes; Windows differs in the folder only")
def test_wps_install_puts_the_addin_where_wps_reads_it_and_uninstall_takes_all_of_it_back(tmp_path):
    jsaddons = _jsaddons(tmp_path)
    jsaddons.mkdir(parents=True)
    (jsaddons / "publish.xml").write_text(OTHER_PUBLISH, encoding="utf-8")
    (jsaddons / "authaddin.json").write_text(json.dumps(OTHER_AUTH, ensure_ascii=False, indent=2), encoding="utf-8")
    stale = jsaddons / "taizhang_0.0.9"  # an earlier version of ours, and a folder that only looks like one
    stale.mkdir()
    (stale / "install.js").write_text("var TZ_INSTALL = {};", encoding="utf-8")
    foreign = jsaddons / "taizhang_notes"
    foreign.mkdir()
    (foreign / "readme.txt").write_text("not ours", encoding="utf-8")

    proc = _wps(tmp_path, "install", "--port", "47999", "--no-start")
    assert proc.returncode == 0, proc.stderr
    token = (tmp_path / "config" / "taizhang" / "serve.token").read_text().strip()
    folder = jsaddons / f"taizhang_{__version__}"

    # publish.xml: the offline entry as wpsjs writes it; the others as they were; the old online one gone
    entries = {e.get("name"): (e.tag, e.attrib) for e in ET.parse(jsaddons / "publish.xml").getroot()}
    assert entries["taizhang"] == ("jsplugin", {"name": "taizhang", "type": "et", "url": f"taizhang_{__version__}",
                                                "version": __version__, "enable": "enable_dev", "install": "null",
                                                "customDomain": ""})
    before = {e.get("name"): (e.tag, e.attrib) for e in ET.fromstring(OTHER_PUBLISH)}
    assert entries["other"] == before["other"] and entries["offline_other"] == before["offline_other"]
    assert token not in (jsaddons / "publish.xml").read_text() and "OLDTOKEN" not in (jsaddons / "publish.xml").read_text()

    # the files: exactly the shipped add-in plus install.js, private to the user
    shipped = static_files("wps")
    assert {"ribbon.xml", "index.html", "main.js", "taskpane.html", "manifest.xml", "style.css", "report.svg"} <= set(shipped)
    assert sorted(p.name for p in folder.iterdir()) == sorted([*shipped, "install.js"])
    for name, source in shipped.items():
        assert (folder / name).read_bytes() == source.read_bytes(), name
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in folder.iterdir())
    values = json.loads((folder / "install.js").read_text().split("var TZ_INSTALL = ", 1)[1].strip().rstrip(";"))
    assert values == {"port": 47999, "token": token, "proof_key": proof_key(token), "version": __version__}
    manifest = ET.parse(folder / "manifest.xml").getroot()  # the wpsjs 2.x scaffold's shape, without <Functions>
    assert manifest.tag == "JsPlugin" and [c.tag for c in manifest] == ["ApiVersion", "Name", "Description"]
    assert manifest.findtext("Name") == "taizhang" and manifest.findtext("ApiVersion") == "1.0.0"
    assert not stale.exists() and (foreign / "readme.txt").is_file()

    # authaddin.json: trusted and loaded, a local folder (mode 1); other records untouched
    auth = json.loads((jsaddons / "authaddin.json").read_text(encoding="utf-8"))
    [(key, record)] = _ours(auth).items()
    record = dict(record)
    assert record == {"name": "taizhang", "path": folder.as_posix(), "enable": True, "isload": True, "mode": 1, "md5": ""}
    assert auth["et"]["namelist"].split(";") == ["k1", key]
    assert auth["et"]["k1"] == OTHER_AUTH["et"]["k1"] and auth["wps"] == OTHER_AUTH["wps"]

    # the user unit: no token in it, and the service's stdout (the token line) kept out of the journal
    unit = (tmp_path / "config" / "systemd" / "user" / "taizhang-serve.service").read_text()
    assert token not in unit and "Environment" not in unit and "StandardOutput=null" in unit
    assert "-m taizhang serve --port 47999" in unit

    # again, after WPS itself rewrote its record (its own fingerprint, not loaded yet): one entry, one
    # record, WPS's key and fingerprint kept
    auth["et"][key].update(md5="a1b2c3", isload=False)
    (jsaddons / "authaddin.json").write_text(json.dumps(auth), encoding="utf-8")
    assert _wps(tmp_path, "install", "--port", "47999", "--no-start").returncode == 0
    assert [e.get("name") for e in ET.parse(jsaddons / "publish.xml").getroot()] == ["other", "offline_other", "taizhang"]
    again = json.loads((jsaddons / "authaddin.json").read_text(encoding="utf-8"))
    assert _ours(again) == {key: {**record, "md5": "a1b2c3"}}

    proc = _wps(tmp_path, "uninstall", "--no-stop")  # never the developer's own systemd user manager
    assert proc.returncode == 0, proc.stderr
    assert {e.get("name"): (e.tag, e.attrib) for e in ET.parse(jsaddons / "publish.xml").getroot()} == \
        {k: v for k, v in before.items() if k != "taizhang"}
    after = json.loads((jsaddons / "authaddin.json").read_text(encoding="utf-8"))
    assert after == {"et": {"namelist": "k1", "k1": OTHER_AUTH["et"]["k1"]}, "wps": OTHER_AUTH["wps"]}
    assert not folder.exists() and (foreign / "readme.txt").is_file()
    assert not (tmp_path / "config" / "systemd" / "user" / "taizhang-serve.service").exists()
    assert not (tmp_path / "config" / "taizhang" / "wps-install.json").exists()
    assert "没有找到" in _wps(tmp_path, "uninstall", "--no-stop").stdout  # twice: nothing left to do


@pytest.mark.slow
@pytest.mark.skipif(os.name == "nt", reason="Linux paths")
def test_wps_install_on_a_pc_without_wps_files_leaves_nothing_after_uninstall(tmp_path):
    assert _wps(tmp_path, "install", "--no-start").returncode == 0
    jsaddons = _jsaddons(tmp_path)
    assert sorted(p.name for p in jsaddons.iterdir()) == ["authaddin.json", "publish.xml", f"taizhang_{__version__}"]
    assert _wps(tmp_path, "uninstall", "--no-stop").returncode == 0
    assert not jsaddons.exists() and jsaddons.parent.is_dir()


@pytest.mark.slow
@pytest.mark.parametrize("name, text, message", [
    ("publish.xml", "<jsplugins><broken", "publish.xml 无法解析"),
    ("authaddin.json", '{"et": {"namelist": "a", ', "authaddin.json 无法解析"),
    ("authaddin.json", '{"et": ["not", "a", "host"]}', "authaddin.json 的结构不是 WPS 的格式"),
])
def test_wps_install_refuses_a_registry_it_cannot_read_and_changes_nothing(tmp_path, name, text, message):
    jsaddons = _jsaddons(tmp_path)
    jsaddons.mkdir(parents=True)
    (jsaddons / name).write_text(text, encoding="utf-8")
    proc = _wps(tmp_path, "install", "--no-start")
    assert proc.returncode == 2 and message in proc.stderr
    assert sorted(p.name for p in jsaddons.iterdir()) == [name] and (jsaddons / name).read_text() == text
    assert not (tmp_path / "config" / "systemd").exists()


@pytest.mark.slow
def test_wps_install_no_start_says_the_service_is_not_running(tmp_path):
    """Issue 28 item 4: with --no-start nothing is started, and the message says so instead of
    promising a working tab."""
    proc = _wps(tmp_path, "install", "--port", "47998", "--no-start")
    assert proc.returncode == 0, proc.stderr
    assert "未启动本机服务" in proc.stdout and "taizhang serve --port 47998" in proc.stdout
    assert "本机服务已启动" not in proc.stdout
    assert proc.stdout.index("taizhang serve") < proc.stdout.index("功能区出现")  # first the service, then the tab


@pytest.mark.slow
def test_wps_install_needs_a_fixed_port(tmp_path):
    proc = _wps(tmp_path, "install", "--port", "0", "--no-start")
    assert proc.returncode == 2 and "端口应在 1–65535 之间" in proc.stderr


@pytest.mark.slow
@pytest.mark.skipif(os.name == "nt", reason="a stand-in systemctl is a shell script")
def test_wps_install_enables_and_uninstall_stops_the_user_unit(tmp_path):
    """With a stand-in ``systemctl`` first on PATH (the real user manager is never touched)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "systemctl.calls"
    fake = bin_dir / "systemctl"
    fake.write_text(f'#!/bin/sh\necho "$*" >> "{calls}"\n', encoding="utf-8")
    fake.chmod(0o755)
    path = {"PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    proc = _wps(tmp_path, "install", "--port", "47998", env_extra=path)
    assert proc.returncode == 0, proc.stderr
    assert calls.read_text().splitlines() == ["--user daemon-reload", "--user enable taizhang-serve.service",
                                              "--user restart taizhang-serve.service"]
    proc = _wps(tmp_path, "uninstall", env_extra=path)
    assert proc.returncode == 0, proc.stderr
    assert calls.read_text().splitlines()[-1] == "--user disable --now taizhang-serve.service"
    assert not (tmp_path / "config" / "systemd" / "user" / "taizhang-serve.service").exists()


@pytest.mark.slow
@pytest.mark.skipif(os.name == "nt", reason="a systemd user unit")
def test_the_service_the_unit_starts_writes_no_token_to_what_the_journal_keeps(tmp_path):
    """The unit's ExecStart run as systemd runs it: the journal keeps stderr (StandardOutput=null
    sends stdout, whose first line is the address with the token, nowhere)."""
    assert _wps(tmp_path, "install", "--port", "47997", "--no-start").returncode == 0
    token = (tmp_path / "config" / "taizhang" / "serve.token").read_text().strip()
    unit = (tmp_path / "config" / "systemd" / "user" / "taizhang-serve.service").read_text()
    settings = dict(line.split("=", 1) for line in unit.splitlines() if "=" in line)
    assert settings["StandardOutput"] == "null" and "StandardError" not in settings  # stderr: the journal
    command = shlex.split(settings["ExecStart"])
    command[command.index("--port") + 1] = "0"  # any free port: the test must not depend on 47997
    tmp = tmp_path / "tmp"  # the service's own folder goes here, not into /tmp
    tmp.mkdir()
    env = {**os.environ, "HOME": str(tmp_path / "home"), "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "TMPDIR": str(tmp), "TEMP": str(tmp), "TMP": str(tmp)}
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO)
    try:
        ready, _, _ = select.select([proc.stderr], [], [], 60)
        assert ready
        started = proc.stderr.readline()
        assert "本机服务已启动" in started
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=30)
    assert token in out  # the first stdout line is still the address with the token (a public interface)...
    assert token not in started + err  # ...and nothing with the token goes where the journal would keep it
    # stopped (systemd sends SIGTERM) as soon as it said it started: its folder is removed all the same
    assert not list(tmp.glob("taizhang-serve-*"))
