"""The WPS add-in and the plain page in headless Chromium, end to end through ``taizhang serve``.

The add-in runs against a fake of WPS's object model (``wps_fake.js``, injected before the
page's scripts); each ribbon callback is called as WPS would call it, the service reads and
writes real workbooks on disk, and the outcome is read back with openpyxl.  Screenshots of the
page and the task pane go to the test's folder and to ``out/screenshots/`` (git-ignored).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import shutil
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import openpyxl
import pytest

from rendering import chrome_driver, can_drive_chromium
from servehelp import AS_OF, REPO, cli_json, sample_month, start_service
from taizhang import __version__

webdriver = pytest.importorskip("selenium.webdriver")
if not can_drive_chromium():
    pytest.skip("chromium and chromedriver are not installed", allow_module_level=True)

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

#: Slow as a whole: headless Chromium is started once for the module, then drives every page.
pytestmark = pytest.mark.slow

SHOTS = REPO / "out" / "screenshots"
FAKE = (Path(__file__).parent / "wps_fake.js").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    svc = start_service(tmp_path_factory.mktemp("serve-browser"))
    yield svc
    svc.stop()


@pytest.fixture(scope="module")
def downloads(tmp_path_factory):
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def driver(tmp_path_factory, downloads):
    drv = chrome_driver(tmp_path_factory.mktemp("chromium-profile"), downloads=downloads,
                        # the installed add-in's task pane frame reaches WPS's (fake) objects
                        extra=("--allow-file-access-from-files",))
    yield drv
    drv.quit()


def shot(element_or_driver, tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    if hasattr(element_or_driver, "save_screenshot"):
        element_or_driver.save_screenshot(str(path))
    else:
        element_or_driver.screenshot(str(path))
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SHOTS / name)
    assert path.stat().st_size > 5000  # a picture, not an empty frame
    return path


# ---------------------------------------------------------------- the WPS add-in

def install_addin(env: dict[str, str], port: int, root: Path) -> Path:
    """``taizhang wps install`` into a jsaddons folder of the test's own; the add-in's folder."""
    jsaddons = root / "jsaddons"
    proc = subprocess.run([sys.executable, "-m", "taizhang", "wps", "install", "--port", str(port), "--no-start",
                           "--jsaddons", str(jsaddons)], capture_output=True, text=True, env=env, cwd=REPO, timeout=120)
    assert proc.returncode == 0, proc.stderr
    folder = jsaddons / f"taizhang_{__version__}"
    assert (folder / "install.js").is_file() and (folder / "ribbon.xml").is_file()
    return folder


def ribbon_controls(folder: Path) -> tuple[str, list[dict]]:
    import defusedxml.ElementTree as ET

    root = ET.fromstring((folder / "ribbon.xml").read_bytes())  # as WPS reads it: from the installed file
    ns = "{http://schemas.microsoft.com/office/2006/01/customui}"
    controls = [dict(e.attrib, tag=e.tag.replace(ns, "")) for e in root.iter() if e.get("id")]
    return root.get("onLoad"), controls


LOADED = ("return performance.getEntriesByType('resource').map(function (e) { return e.name; })"
          ".concat([].map.call(document.querySelectorAll('script[src], link[href], img[src], iframe[src]'),"
          " function (e) { return e.src || e.href; }), [location.href])")


def loaded_urls(drv) -> list[str]:
    """Every resource the page and its task pane loaded (scripts, styles, images, requests)."""
    urls = drv.execute_script(LOADED)
    for frame in drv.find_elements(By.CSS_SELECTOR, "iframe[id^='wps-pane']"):
        drv.switch_to.frame(frame)
        urls += drv.execute_script(LOADED)
        drv.switch_to.default_content()
    return urls


def state(drv) -> dict | None:
    text = drv.execute_script("return wps.PluginStorage.getItem('taizhang.state')")
    return json.loads(text) if text else None


def click_ribbon(drv, control_id: str, timeout: float = 90) -> dict:
    """OnAction as WPS calls it; then wait (bounded) until the add-in has an answer."""
    drv.execute_script("window.__before = wps.PluginStorage.getItem('taizhang.state');"
                       "return OnAction({Id: arguments[0]});", control_id)
    WebDriverWait(drv, timeout, poll_frequency=0.1).until(
        lambda d: (state(d) or {}).get("phase") in ("done", "error", "settings")
        and d.execute_script("return wps.PluginStorage.getItem('taizhang.state') !== window.__before"))
    return state(drv)


def fake_log(drv) -> list:
    return drv.execute_script("return __wpsFake.log")


def pane_shot(drv, tmp_path: Path, name: str, css: str) -> None:
    """A screenshot of the task pane once it shows ``css`` (it redraws from PluginStorage)."""
    in_pane(drv)
    WebDriverWait(drv, 10, poll_frequency=0.1).until(lambda d: d.find_elements(By.CSS_SELECTOR, css))
    drv.switch_to.default_content()
    shot(drv.find_element(By.CSS_SELECTOR, "iframe[id^='wps-pane']"), tmp_path, name)


def in_pane(drv):
    frame = drv.find_element(By.CSS_SELECTOR, "iframe[id^='wps-pane']")
    drv.switch_to.frame(frame)
    return frame


def test_wps_addin_end_to_end(service, driver, tmp_path):
    month = sample_month(service.allowed)
    drv = driver
    folder = install_addin(service.env, service.port, tmp_path)
    drv.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": FAKE})
    drv.get((folder / "index.html").as_uri())  # WPS's offline mode: the add-in's own files
    on_load, controls = ribbon_controls(folder)
    assert drv.execute_script("return TZ.installed().port") == service.port

    # main.js's HMAC is Python's, and the service passes the add-in's proof
    key = drv.execute_script("return TZ_INSTALL.proof_key")
    for text in ("", "taizhang-wps-proof|47817|" + "0" * 32, "台账" * 50):
        assert drv.execute_script("return TZ.hmacSha256(arguments[0], arguments[1])", key, text) == \
            hmac.new(bytes.fromhex(key), text.encode(), hashlib.sha256).hexdigest()
    assert drv.execute_async_script("var done = arguments[0]; TZ.prove(done);") is True

    # WPS: load the ribbon, calling onLoad and each control's get* callbacks
    assert drv.execute_script(f"return {on_load}(__wpsFake.ribbonUI)") is True
    buttons = [c for c in controls if c["tag"] == "button"]
    assert [b.get("label") or b["id"] for b in buttons] == ["检查台账", "汇总统计", "tzReport", "月度合并", "设置"]
    for control in controls:
        for attr, name in control.items():
            if attr.startswith(("on", "get")):
                assert drv.execute_script(f"return typeof window[{json.dumps(name)}]") == "function", (control["id"], name)
    for b in buttons:
        image = drv.execute_script(f"return {b['getImage']}({{Id: arguments[0]}})", b["id"])
        assert (folder / image).is_file(), image
        assert drv.execute_script(f"return {b['getEnabled']}({{Id: arguments[0]}})", b["id"]) is True
        assert drv.execute_script("return !!TZ.BUTTONS[arguments[0]]", b["id"]), b["id"]
    WebDriverWait(drv, 10, poll_frequency=0.1).until(lambda d: "tzReport" in d.execute_script("return __wpsFake.invalidated"))
    assert drv.execute_script("return OnGetLabel({Id: 'tzReport'})") == "生成汇报"

    # 设置: the pane's form, saved where the buttons read it; 选择… uses WPS's folder dialog
    st = click_ribbon(drv, "tzSettings")
    assert st["phase"] == "settings"
    in_pane(drv)
    WebDriverWait(drv, 10).until(lambda d: d.find_elements(By.ID, "set-bureau"))
    drv.find_element(By.ID, "set-bureau").send_keys("某某县教育局")
    drv.execute_script("document.getElementById('set-as_of').value = arguments[0]", AS_OF)
    drv.switch_to.default_content()
    drv.execute_script("__wpsFake.folder = arguments[0]", str(month))
    in_pane(drv)
    drv.find_element(By.ID, "pick-folder").click()
    assert drv.find_element(By.ID, "set-folder").get_attribute("value") == str(month)
    drv.find_element(By.ID, "save-settings").click()
    assert "已保存" in drv.find_element(By.ID, "status").text
    drv.switch_to.default_content()
    assert json.loads(drv.execute_script("return localStorage.getItem('taizhang.settings')")) == {
        "bureau": "某某县教育局", "as_of": AS_OF, "folder": str(month)}
    pane_shot(drv, tmp_path, "wps-taskpane-settings.png", "form.settings")

    # 检查台账 on a unit's workbook with planted errors: findings listed, a click selects the cell
    book = service.allowed / "县第二中学_10月台账.xlsx"
    shutil.copy(month / book.name, book)
    sheets = openpyxl.load_workbook(book, read_only=True).sheetnames
    drv.execute_script("__wpsFake.openBook(arguments[0], arguments[1])", str(book), sheets)
    st = click_ribbon(drv, "tzCheck")
    assert st["phase"] == "done", st
    assert ["save", str(book)] in fake_log(drv)
    _, expected = cli_json(service.env, "check", str(book), "--as-of", AS_OF)
    assert st["result"] == expected
    findings = expected["files"][0]["findings"]
    in_pane(drv)
    # the pane lists them as it renders the result it was sent: waited for, not assumed drawn
    WebDriverWait(drv, 10, poll_frequency=0.1).until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, "li.finding")) >= len(findings))
    items = drv.find_elements(By.CSS_SELECTOR, "li.finding")
    assert len(items) == len(findings) > 3
    clickable = drv.find_elements(By.CSS_SELECTOR, "li.finding.clickable")
    target = clickable[2]
    sheet, cell = target.get_attribute("data-sheet"), target.get_attribute("data-cell")
    assert (sheet, cell) in {(f["sheet"], f["cell"]) for f in findings}
    target.click()
    assert f"已选中 {sheet}!{cell}" in drv.find_element(By.ID, "status").text
    drv.switch_to.default_content()
    assert drv.execute_script("return __wpsFake.selection") == {"book": str(book), "sheet": sheet, "cell": cell}
    pane_shot(drv, tmp_path, "wps-taskpane-check.png", ".result.check")

    # 汇总统计: written beside the workbook, then opened in WPS
    st = click_ribbon(drv, "tzSummary")
    assert st["phase"] == "done", st
    output = service.allowed / "县第二中学_10月台账_2026年10月汇总表.xlsx"
    assert st["result"]["output"] == str(output) and st["opened"] == str(output)
    assert ["open", str(output)] in fake_log(drv)
    assert "汇总表" in openpyxl.load_workbook(output).sheetnames
    _, expected = cli_json(service.env, "summary", str(book), "--as-of", AS_OF, "--bureau", "某某县教育局")
    assert st["result"]["complaints"] == expected["complaints"] and st["result"]["narrative"] == expected["narrative"]
    pane_shot(drv, tmp_path, "wps-taskpane-summary.png", ".result.summary")
    in_pane(drv)
    assert expected["narrative"][:20] in drv.find_element(By.CSS_SELECTOR, ".narrative").text
    drv.switch_to.default_content()
    # a second run closes the summary WPS has open before writing it again
    drv.execute_script("__wpsFake.openBook(arguments[0], arguments[1])", str(book), sheets)
    st = click_ribbon(drv, "tzSummary")
    assert st["phase"] == "done" and ["close", str(output), False] in fake_log(drv)

    # 生成汇报: the Word document beside the workbook
    st = click_ribbon(drv, "tzReport")
    report = service.allowed / "县第二中学_10月台账_2026年10月情况汇报.docx"
    assert st["phase"] == "done" and st["output"] == str(report), st
    import docx
    assert "某某县教育局" in "\n".join(p.text for p in docx.Document(str(report)).paragraphs)
    pane_shot(drv, tmp_path, "wps-taskpane-report.png", ".result.report")

    # 月度合并 into the active workbook (the master): closed, written by the service, reopened
    master = service.allowed / "局主表.xlsx"
    shutil.copy(service.allowed / "单位名册.xlsx", master)
    drv.execute_script("__wpsFake.openBook(arguments[0], ['单位名册'])", str(master))
    st = click_ribbon(drv, "tzConsolidate")
    assert st["phase"] == "done", st
    log = fake_log(drv)
    assert log.index(["close", str(master), False]) < log.index(["open", str(master)])
    assert st["result"]["rows_read"] == st["result"]["rows_written"] + st["result"]["rows_rejected"]
    assert len(st["result"]["units_reported"]) == 8
    wb = openpyxl.load_workbook(master, read_only=True)
    assert {"汇总表", "报送情况", "问题清单", "单位名册"} <= set(wb.sheetnames)
    pane_shot(drv, tmp_path, "wps-taskpane-consolidate.png", ".result.consolidate")
    in_pane(drv)
    assert "已报送 8 个单位" in drv.find_element(By.CSS_SELECTOR, ".result .lead").text
    drv.switch_to.default_content()

    # everything that ran came from the installed files; the port answered only requests
    api = f"http://127.0.0.1:{service.port}/"
    urls = loaded_urls(drv)
    assert any(u.startswith(api + "wps/hello?c=") for u in urls) and any(u.startswith(api + "api/") for u in urls)
    assert all(u.startswith(("file://", api + "api/", api + "wps/hello?c=")) for u in urls), urls
    assert any(u.startswith("file://") and u.endswith("/taskpane.js") for u in urls)

    # a workbook never saved, and no workbook at all: said plainly, nothing sent
    drv.execute_script("__wpsFake.books = []; __wpsFake.active = null;")
    st = click_ribbon(drv, "tzCheck")
    assert st["phase"] == "error" and "请先打开" in st["error"]
    drv.execute_script("__wpsFake.openBook('工作簿1', [])")
    st = click_ribbon(drv, "tzCheck")
    assert st["phase"] == "error" and "还没有保存过" in st["error"]
    assert drv.execute_script("return OnAction({Id: 'noSuchButton'})") is False


# ---------------------------------------------------------------- the plain page

def wait_done(drv, command: str, timeout: float = 90) -> None:
    WebDriverWait(drv, timeout, poll_frequency=0.1).until(
        lambda d: d.find_element(By.ID, "result").get_attribute("data-done") in (command, "error"))
    assert drv.find_element(By.ID, "result").get_attribute("data-done") == command, drv.find_element(By.ID, "notice").text


def wait_download(folder: Path, name: str, timeout: float = 30) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:  # bounded
        path = folder / name
        if path.exists() and not list(folder.glob("*.crdownload")):
            return path
        time.sleep(0.1)
    raise AssertionError(f"{name} not downloaded: {list(folder.iterdir())}")


def test_page_end_to_end(service, driver, downloads, tmp_path):
    month = sample_month(service.allowed)
    drv = driver
    drv.get(f"http://127.0.0.1:{service.port}/#token={service.token}")
    WebDriverWait(drv, 10, poll_frequency=0.1).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready"))
    assert "token" not in drv.current_url  # kept in the session, out of the address bar
    folder = service.allowed / "page-month"  # the month folder as a clerk has it: with other files
    shutil.copytree(month, folder)
    (folder / "说明.docx").write_bytes(b"not a ledger")
    (folder / "~$县第一中学_2026年10月台账.xlsx").write_bytes(b"office lock file")
    drv.find_element(By.ID, "folder").send_keys(str(folder))
    drv.find_element(By.ID, "roster").send_keys(str(service.allowed / "单位名册.xlsx"))
    drv.execute_script("document.getElementById('as_of').value = arguments[0]", AS_OF)
    drv.find_element(By.ID, "bureau").send_keys("某某县教育局")
    assert "已选择 8 个文件" in drv.find_element(By.ID, "chosen").text

    drv.find_element(By.ID, "btn-check").click()
    wait_done(drv, "check")
    _, expected = cli_json(service.env, "check", str(month), "--as-of", AS_OF)
    shown = drv.find_elements(By.CSS_SELECTOR, "#result li.finding")
    assert len(shown) == sum(len(f["findings"]) for f in expected["files"])
    cells = {(e.find_element(By.CSS_SELECTOR, ".where").text) for e in shown}
    planted = json.loads((REPO / "workbooks" / "samples" / "planted_findings.json").read_text())
    assert {f"{p['sheet']}!{p['cell']}" for p in planted if p["cell"]} <= cells
    assert f"错误 {expected['summary']['errors']} 个" in drv.find_element(By.CSS_SELECTOR, "#result .lead").text
    shot(drv, tmp_path, "page-check.png")

    drv.find_element(By.ID, "btn-summary").click()
    wait_done(drv, "summary")
    button = drv.find_element(By.CSS_SELECTOR, "#downloads button.download")
    assert "2026年10月汇总表.xlsx" in button.text
    button.click()
    summary = wait_download(downloads, "2026年10月汇总表.xlsx")
    wb = openpyxl.load_workbook(summary)
    assert "汇总表" in wb.sheetnames
    _, expected = cli_json(service.env, "summary", str(month), "--as-of", AS_OF)
    assert expected["narrative"][:30] in drv.find_element(By.CSS_SELECTOR, "#result .narrative").text
    figures = {r.find_elements(By.TAG_NAME, "td")[0].text.strip(): [int(c.text.replace(",", "").split(".")[0])
               for c in r.find_elements(By.TAG_NAME, "td")[1:]]
               for r in drv.find_elements(By.CSS_SELECTOR, "#result table.figures tbody tr")}
    c = expected["complaints"]
    assert figures["信访举报（件）"] == [c["total"], expected["year_to_date"]["complaints"]["total"]]
    parts = [v for k, v in figures.items() if k.startswith("其中") or k == "来源不明"]
    assert [sum(col) for col in zip(*parts)] == figures["信访举报（件）"]  # the breakdown adds up
    if "activities" in expected:
        assert figures["工作开展（次）"] == [
            sum(v["count"] for v in d["activities"]["by_category"].values())
            for d in (expected, expected["year_to_date"])]
    shot(drv, tmp_path, "page-summary.png")

    drv.find_element(By.ID, "btn-consolidate").click()
    wait_done(drv, "consolidate")
    drv.find_element(By.CSS_SELECTOR, "#downloads button.download").click()
    master = wait_download(downloads, "局主表.xlsx")
    wb = openpyxl.load_workbook(master, read_only=True)
    assert {"汇总表", "报送情况", "问题清单"} <= set(wb.sheetnames)
    assert "已报送 8 个单位" in drv.find_element(By.CSS_SELECTOR, "#result .lead").text
    shot(drv, tmp_path, "page-consolidate.png")

    drv.find_element(By.ID, "btn-report").click()
    wait_done(drv, "report")
    drv.find_element(By.CSS_SELECTOR, "#downloads button.download").click()
    report = wait_download(downloads, "2026年10月情况汇报.docx")
    import docx
    assert "某某县教育局" in "\n".join(p.text for p in docx.Document(str(report)).paragraphs)
    shown = drv.find_element(By.TAG_NAME, "main").text
    assert "2026年10月情况汇报.docx" in shown and workdir_of(drv) not in shown  # issue 28: names, not paths


def workdir_of(drv) -> str:
    """The service's own (temporary) folder, as /api/info gives it to the page."""
    return drv.execute_async_script(
        "var done = arguments[0]; fetch('/api/info', {headers: {Authorization: 'Bearer ' + "
        "sessionStorage.getItem('taizhang.token')}}).then(function (r) { return r.json(); })"
        ".then(function (d) { done(d.workdir); });")


def test_page_shows_file_names_not_the_services_paths_and_says_what_it_left_out(service, driver, tmp_path):
    """Issue 28 item 5: the page showed /tmp/taizhang-serve-…/…xlsx, and a .txt chosen with a
    workbook was dropped silently (已选择 2 个文件, then 共检查 1 个文件)."""
    month = sample_month(service.allowed)
    drv = driver
    drv.get("about:blank")  # a fresh page, whatever an earlier test left
    drv.get(f"http://127.0.0.1:{service.port}/#token={service.token}")
    WebDriverWait(drv, 10, poll_frequency=0.1).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready"))
    workdir = workdir_of(drv)
    assert "taizhang-serve-" in workdir
    note = service.allowed / "说明.txt"
    note.write_text("本月台账说明", encoding="utf-8")
    ledger = month / "城关小学_2026年10月台账.xlsx"
    drv.find_element(By.ID, "files").send_keys(f"{ledger}\n{note}")
    chosen = drv.find_element(By.ID, "chosen").text
    assert "已选择 1 个文件" in chosen and "另有 1 个文件未选入" in chosen, chosen
    left = drv.find_element(By.CSS_SELECTOR, "#chosen-list li.left-out").text
    assert "说明.txt" in left and "不是 Excel 工作簿" in left

    drv.find_element(By.ID, "btn-summary").click()
    wait_done(drv, "summary")
    shown = drv.find_element(By.TAG_NAME, "main").text
    assert "汇总表.xlsx" in shown and workdir not in shown and "taizhang-serve-" not in shown
    assert "说明.txt" in shown  # still said, beside the result
    button = drv.find_element(By.CSS_SELECTOR, "#downloads button.download")
    assert button.get_attribute("data-path").startswith(workdir)  # the download still finds the file
    shot(drv, tmp_path, "page-left-out.png")


# ---------------------------------------------------------------- a squatter on the add-in's port

class Squatter(ThreadingHTTPServer):
    """Another local user's listener on the port while the service is stopped: it records every
    request byte for byte and answers everything with its own code and data, CORS wide open.  In
    ``relay`` mode it passes /wps/hello on to the real service (on another port) and returns the
    real service's answer."""

    daemon_threads = True

    def __init__(self, relay_to: int | None = None) -> None:
        self.seen: list[bytes] = []
        self.relay_to = relay_to
        super().__init__(("127.0.0.1", 0), SquatterHandler)


PWN = b"window.__pwned = (window.__pwned || 0) + 1; document.title = 'pwned';"


class SquatterHandler(BaseHTTPRequestHandler):
    server: Squatter

    def log_message(self, *args) -> None:  # quiet
        pass

    def _record(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.seen.append(self.requestline.encode("latin-1") + b"\r\n" + bytes(self.headers) + body)
        return body

    def _answer(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        for name, value in (("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Headers", "*"),
                            ("Access-Control-Allow-Methods", "*"), ("Access-Control-Expose-Headers", "*"),
                            ("Content-Type", kind), ("Content-Length", str(len(body)))):
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_OPTIONS(self) -> None:
        self._record()
        self._answer(204, b"", "text/plain")

    def do_GET(self) -> None:
        self._record()
        if self.path.startswith("/wps/hello"):
            if self.server.relay_to:
                import urllib.request
                with urllib.request.urlopen(f"http://127.0.0.1:{self.server.relay_to}{self.path}", timeout=10) as r:
                    self._answer(200, r.read(), "application/json")
            else:
                self._answer(200, json.dumps({"proof": "0" * 64}).encode(), "application/json")
        elif self.path.startswith("/api/"):
            self._answer(200, b'{"version": "9", "commands": {"report": true}}', "application/json")
        elif self.path.endswith(".xml"):
            self._answer(200, b'<customUI xmlns="http://schemas.microsoft.com/office/2006/01/customui"/>', "application/xml")
        elif self.path.endswith(".html") or self.path.endswith("/"):
            self._answer(200, b"<script>" + PWN + b"</script>", "text/html")
        else:
            self._answer(200, PWN, "text/javascript")

    def do_POST(self) -> None:
        self._record()
        self._answer(200, b'{"files": [], "summary": {"files": 1, "errors": 0, "warnings": 0}}', "application/json")

    do_PUT = do_POST


@pytest.mark.parametrize("mode", ["forged", "relayed"])
def test_a_squatter_on_the_port_gets_no_token_and_runs_nothing(service, driver, tmp_path, mode):
    """The service is not on the add-in's port; another listener is.  Every button is pressed."""
    squatter = Squatter(relay_to=service.port if mode == "relayed" else None)
    thread = threading.Thread(target=squatter.serve_forever, daemon=True)
    thread.start()
    try:
        port = squatter.server_address[1]
        folder = install_addin(service.env, port, tmp_path)  # installed for the squatter's port, with the real token
        key = json.loads((folder / "install.js").read_text().split("TZ_INSTALL = ", 1)[1].rstrip().rstrip(";"))
        assert key["token"] == service.token and key["port"] == port
        drv = driver
        drv.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": FAKE})
        drv.get((folder / "index.html").as_uri())
        drv.execute_script("localStorage.setItem('taizhang.settings', JSON.stringify({folder: arguments[0]}))",
                           str(service.allowed))
        on_load, _ = ribbon_controls(folder)
        assert drv.execute_script(f"return {on_load}(__wpsFake.ribbonUI)") is True
        book = service.allowed / "台账.xlsx"
        messages = []
        for button in ("tzCheck", "tzSummary", "tzReport", "tzConsolidate"):
            drv.execute_script("__wpsFake.openBook(arguments[0], ['Sheet1'])", str(book))
            st = click_ribbon(drv, button, timeout=30)
            assert st["phase"] == "error", (button, st)
            messages.append(st["error"])
        assert all(f"端口 {port} 上应答的程序不是 taizhang 本机服务" in m and "没有向它发送令牌" in m for m in messages)
        st = click_ribbon(drv, "tzSettings")  # 设置 needs no service and asks for no token
        assert st["phase"] == "settings"
        in_pane(drv)
        assert not drv.find_elements(By.ID, "set-token")
        drv.switch_to.default_content()
        time.sleep(1)  # let a straggling progress poll reach the squatter, if any were sent

        # it learnt nonces, nothing else: no token, no key, no request but the question
        seen = list(squatter.seen)
        assert len(seen) >= 5  # OnAddinLoad's /api/info and the four buttons each asked first
        for raw in seen:
            assert service.token.encode() not in raw and key["proof_key"].encode() not in raw
            assert raw.startswith(b"GET /wps/hello?c="), raw[:80]
        nonces = [raw.split(b"c=", 1)[1].split(b" ", 1)[0] for raw in seen]
        assert len(set(nonces)) == len(nonces) and all(len(n) == 32 for n in nonces)
        # and nothing it could serve ran: every script, page and style came from the installed files
        assert drv.execute_script("return window.__pwned") is None and drv.title != "pwned"
        in_pane(drv)
        assert drv.execute_script("return window.__pwned") is None
        drv.switch_to.default_content()
        urls = loaded_urls(drv)
        assert all(u.startswith(("file://", f"http://127.0.0.1:{port}/wps/hello?c=")) for u in urls), urls
        assert not book.exists()  # nothing was written anywhere on the squatter's say-so
        shot(drv, tmp_path, f"wps-squatter-{mode}.png")
    finally:
        squatter.shutdown()
        squatter.server_close()
        thread.join(timeout=10)
