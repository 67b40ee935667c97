"""``taizhang serve`` as a door into the user's files (issue 23): what a request may reach,
what it may cost the PC, and what it leaves behind, each against a real service over HTTP."""

from __future__ import annotations

import json
import os
import random
import select
import shutil
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote, unquote

import pytest
from servehelp import AS_OF, REPO, sample_month, start_service

LINUX = sys.platform.startswith("linux")


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    svc = start_service(tmp_path_factory.mktemp("serve-sec"))
    yield svc
    svc.stop()


@pytest.fixture(scope="module")
def month(service):
    return sample_month(service.allowed)


def _template(path: Path, text: str) -> Path:
    """The default report template with one more paragraph holding ``text``."""
    import docx

    from taizhang.report import DEFAULT_TEMPLATE

    document = docx.Document(str(DEFAULT_TEMPLATE))
    document.add_paragraph(text)
    document.save(str(path))
    return path


def _toml(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _docx_text(path: Path) -> str:
    import docx

    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


# 1. A request's config cannot widen what the request may touch


@pytest.mark.slow
def test_a_configs_template_outside_the_allowed_folders_is_refused(service, month, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = _template(outside / "外部模板.docx", "外部文件夹中的文字")
    config = _toml(service.allowed / "外部模板.toml", f"[settings]\nreport_template = {json.dumps(str(secret))}\n")
    out = service.allowed / "汇报_外部模板.docx"
    status, _, body = service.post("report", {"paths": [str(month)], "as_of": AS_OF, "config": str(config),
                                              "output": str(out)})
    assert status == 403 and body["exit"] == 2
    assert "不在允许的文件夹内" in body["error"] and "外部模板.toml" in body["error"]
    assert not out.exists()
    # a link inside the allowed folders to the outside template is no way round
    link = service.allowed / "模板链接.docx"
    link.symlink_to(secret)
    config = _toml(service.allowed / "模板链接.toml", f"[settings]\nreport_template = {json.dumps(str(link))}\n")
    status, _, body = service.post("report", {"paths": [str(month)], "as_of": AS_OF, "config": str(config),
                                              "output": str(out)})
    assert status == 403 and not out.exists()
    # the same setting naming a template inside the allowed folders is used
    inside = _template(service.allowed / "本局模板.docx", "本局自己的模板")
    config = _toml(service.allowed / "本局.toml", f"[settings]\nreport_template = {json.dumps(str(inside))}\n")
    status, _, body = service.post("report", {"paths": [str(month)], "as_of": AS_OF, "config": str(config),
                                              "output": str(out)})
    assert status == 200 and body["template"] == str(inside)
    assert "本局自己的模板" in _docx_text(out)


def _too_large(body: dict) -> int:
    return sum(g["code"] == "sheet-too-large" for f in body["files"] for g in f["findings"])


@pytest.mark.slow
def test_a_requests_limits_only_tighten(tmp_path):
    """The service's own configuration reads at most 10 rows a sheet: a request's config
    asking for a million reads no more, and one asking for fewer is obeyed."""
    office = tmp_path / "home" / ".config" / "taizhang"
    office.mkdir(parents=True)
    _toml(office / "taizhang.toml", "[limits]\nmax_rows = 10\n")
    svc = start_service(tmp_path)
    try:
        ledger = sample_month(svc.allowed) / "县第一中学_2026年10月台账.xlsx"  # sheets of 7, 8, 11, 11, 17 rows
        options = {"paths": [str(ledger)], "as_of": AS_OF}
        status, _, own = svc.post("check", options)
        assert status == 200 and _too_large(own) == 3
        relaxed = _toml(svc.allowed / "放宽.toml", "[limits]\nmax_rows = 1000000\nmax_file_mb = 100000\n")
        status, _, body = svc.post("check", {**options, "config": str(relaxed)})
        assert status == 200 and body == own  # the bomb-sized limits of the request are not used
        tighter = _toml(svc.allowed / "收紧.toml", "[limits]\nmax_rows = 7\n")
        status, _, body = svc.post("check", {**options, "config": str(tighter)})
        assert status == 200 and _too_large(body) == 4
    finally:
        svc.stop()
    # a request's limits tighten the defaults too, where the service sets none
    svc = start_service(tmp_path / "plain")
    try:
        ledger = sample_month(svc.allowed) / "县第一中学_2026年10月台账.xlsx"
        tighter = _toml(svc.allowed / "收紧.toml", "[limits]\nmax_rows = 7\n")
        status, _, body = svc.post("check", {"paths": [str(ledger)], "as_of": AS_OF, "config": str(tighter)})
        assert status == 200 and _too_large(body) == 4
    finally:
        svc.stop()


# 2. Links are not followed out of a listed folder


@pytest.mark.slow
def test_a_link_in_a_listed_folder_to_a_file_elsewhere_is_not_read(service, month, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    secret = elsewhere / "secret.xlsx"
    shutil.copy(month / "县第二中学_10月台账.xlsx", secret)
    folder = service.allowed / "链接月"
    folder.mkdir()
    shutil.copy(month / "县第一中学_2026年10月台账.xlsx", folder / "县第一中学.xlsx")
    (folder / "x.xlsx").symlink_to(secret)
    (folder / "inside.xlsx").symlink_to(folder / "县第一中学.xlsx")  # a link within the folder is read
    for command in ("check", "summary"):
        status, headers, body = service.post(command, {"paths": [str(folder)], "as_of": AS_OF})
        assert status == 200, body
        messages = json.loads(unquote(headers["x-taizhang-messages"]))
        assert any("x.xlsx" in m and "链接" in m and "未读取" in m for m in messages), messages
    status, _, body = service.post("check", {"paths": [str(folder)], "as_of": AS_OF})
    assert sorted(Path(f["path"]).name for f in body["files"]) == ["inside.xlsx", "县第一中学.xlsx"]
    status, _, alone = service.post("summary", {"paths": [str(folder / "县第一中学.xlsx")], "as_of": AS_OF})
    status, _, listed = service.post("summary", {"paths": [str(folder)], "as_of": AS_OF})
    assert listed["complaints"]["total"] == 2 * alone["complaints"]["total"]  # the secret's rows are not counted
    # the command line lists a folder the same way
    proc = subprocess.run([sys.executable, "-m", "taizhang", "check", str(folder), "--as-of", AS_OF, "--json"],
                          capture_output=True, text=True, env=service.env, cwd=REPO, timeout=300)
    assert "secret" not in proc.stdout and "链接" in proc.stderr


# 3. master equal to roster (or to any input)


@pytest.mark.slow
def test_master_equal_to_the_roster_is_refused(service, month):
    roster = service.allowed / "名册兼主表.xlsx"
    shutil.copy(service.allowed / "单位名册.xlsx", roster)
    before = roster.read_bytes()
    status, _, body = service.post("consolidate", {"folder": str(month), "period": "2026-10",
                                                   "master": str(roster), "roster": str(roster)})
    assert status == 422 and body["exit"] == 2 and "单位名册" in body["error"]
    assert roster.read_bytes() == before
    proc = subprocess.run([sys.executable, "-m", "taizhang", "consolidate", str(month), "--period", "2026-10",
                           "--master", str(roster), "--roster", str(roster)],
                          capture_output=True, text=True, env=service.env, cwd=REPO, timeout=300)
    assert proc.returncode == 2 and "单位名册" in proc.stderr
    assert roster.read_bytes() == before
    ledger = month / "实验小学_10月台账.xlsx"
    before = ledger.read_bytes()
    for command, options in (("summary", {"paths": [str(month)], "output": str(ledger)}),
                             ("report", {"paths": [str(month)], "output": str(ledger)}),
                             ("consolidate", {"folder": str(month), "period": "2026-10", "master": str(ledger)})):
        status, _, body = service.post(command, {**options, "as_of": AS_OF} if command != "consolidate" else options)
        assert 400 <= status < 500 and body["exit"] == 2, (command, body)
    assert ledger.read_bytes() == before


# 4. jobs is bounded by the cores


def _children(pid: int) -> int:
    count = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat_line = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat_line.rsplit(")", 1)[1].split()[1]) == pid:
                count += 1
    return count


@pytest.mark.slow
@pytest.mark.skipif(not LINUX, reason="counts the service's worker processes in /proc")
def test_jobs_is_bounded_by_the_cores(service, month):
    cores = os.cpu_count() or 1
    folder = service.allowed / "多文件"
    if not folder.exists():
        folder.mkdir()
        for i in range(max(8, cores + 4) // 8 + 1):
            for f in month.glob("*.xls*"):
                shutil.copy(f, folder / f"{i}_{f.name}")
    seen, stop = [0], threading.Event()

    def watch():
        while not stop.is_set():
            seen[0] = max(seen[0], _children(service.proc.pid))
            time.sleep(0.005)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        status, _, body = service.post("check", {"paths": [str(folder)], "as_of": AS_OF, "jobs": 40})
    finally:
        stop.set()
        watcher.join()
    assert status == 200
    print(f"workers seen at once: {seen[0]} (cores: {cores})")
    assert 0 < seen[0] <= cores or cores == 1
    status, _, one = service.post("check", {"paths": [str(folder)], "as_of": AS_OF, "jobs": 1})
    assert body == one


# 5. Slow or many connections cannot stall the service


def _slow_clients(port: int, count: int) -> list[socket.socket]:
    """``count`` connections each sending part of a request head, with no token (non-blocking
    connects: bounded in time however the service answers)."""
    partial = f"GET /api/info HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Slow: ".encode()
    socks = []
    for _ in range(count):
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex(("127.0.0.1", port))
        socks.append(s)
    time.sleep(0.5)
    for s in socks:
        try:
            s.send(partial)
        except OSError:
            pass
    return socks


@pytest.mark.slow
@pytest.mark.skipif(not LINUX, reason="sets the service's open-files limit with setrlimit")
def test_slow_connections_cannot_stall_the_service(tmp_path):
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 900
    if soft < want:
        if hard != resource.RLIM_INFINITY and hard < want:
            pytest.skip(f"this process may open only {hard} files")
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))

    def few_files():  # the service may open 512 files, as many desktops allow (1024) or less
        resource.setrlimit(resource.RLIMIT_NOFILE, (512, 512))

    err_path = tmp_path / "stderr.txt"
    with open(err_path, "wb") as err:
        svc = start_service(tmp_path, preexec_fn=few_files, stderr=err)
    slow: list[socket.socket] = []
    try:
        for _ in range(2):  # 700 connections at a time, more than the service can hold open
            slow += _slow_clients(svc.port, 350)
        for _ in range(3):
            started = time.monotonic()
            status, _, body = svc.request("GET", "/api/info", timeout=5)
            assert status == 200 and "version" in json.loads(body)
            print(f"/api/info under {len(slow)} slow connections: {time.monotonic() - started:.3f} s")
            slow += _slow_clients(svc.port, 50)
        # a connection that never finishes its head is closed by the service (the header timeout)
        late = socket.create_connection(("127.0.0.1", svc.port), timeout=5)
        late.sendall(f"GET /api/info HTTP/1.1\r\nHost: 127.0.0.1:{svc.port}\r\n".encode())
        ready, _, _ = select.select([late], [], [], 20)
        assert ready and late.recv(1024) == b""
        late.close()
        assert svc.request("GET", "/api/info", timeout=5)[0] == 200
    finally:
        for s in slow:
            s.close()
        svc.stop()
    text = err_path.read_text(encoding="utf-8", errors="replace")
    print(f"stderr: {len(text.encode())} bytes")
    assert len(text.encode()) < 20_000 and text.count("Too many open files") <= 1


# 6. A template cannot take the PC's memory (nor its time)


@pytest.mark.slow
def test_a_template_that_asks_for_too_much_is_refused(service, month):
    bombs = {
        "乘法": "{{ 'x' * 1000000000 }}",
        "加倍": "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}"
                "{{ ns.s|length }}",
    }
    out = service.allowed / "汇报_炸弹.docx"
    for name, text in bombs.items():
        template = _template(service.allowed / f"{name}.docx", text)
        started = time.monotonic()
        status, _, body = service.post("report", {"paths": [str(month)], "as_of": AS_OF, "template": str(template),
                                                  "output": str(out)}, timeout=60)
        print(f"{name}: {status} in {time.monotonic() - started:.1f} s")
        assert status == 422 and body["exit"] == 2 and f"模板 {name}.docx" in body["error"], body
        assert not out.exists()
    # the service itself did not grow for it (the filling ran in a child process)
    if LINUX:
        rss = next(int(line.split()[1]) for line in Path(f"/proc/{service.proc.pid}/status").read_text().splitlines()
                   if line.startswith("VmHWM:"))
        assert rss < 1_000_000, f"{rss} kB"
    # a template that loops for ever is stopped at the time limit (here a request's tighter one)
    loop = _template(service.allowed / "循环.docx",
                     "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}")
    config = _toml(service.allowed / "三秒.toml", "[limits]\nreport_seconds = 3\n")
    started = time.monotonic()
    status, _, body = service.post("report", {"paths": [str(month)], "as_of": AS_OF, "template": str(loop),
                                              "config": str(config), "output": str(out)}, timeout=60)
    print(f"循环: {status} in {time.monotonic() - started:.1f} s")
    assert status == 422 and "超时" in body["error"] and not out.exists()
    assert service.request("GET", "/api/info", timeout=5)[0] == 200


@pytest.mark.slow
def test_the_command_line_report_has_the_same_bound(service, month):
    template = _template(service.allowed / "加倍_cli.docx",
                         "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}"
                         "{{ ns.s|length }}")
    out = service.allowed / "汇报_cli_炸弹.docx"
    proc = subprocess.run([sys.executable, "-m", "taizhang", "report", str(month), "--as-of", AS_OF,
                           "--template", str(template), "-o", str(out)],
                          capture_output=True, text=True, env=service.env, cwd=REPO, timeout=120)
    assert proc.returncode == 2 and "内存超过上限" in proc.stderr and "Traceback" not in proc.stderr
    assert not out.exists()


# 7. No 500 for a user's slip


@pytest.mark.slow
def test_a_users_slip_is_a_4xx_in_chinese(tmp_path):
    err_path = tmp_path / "stderr.txt"
    with open(err_path, "wb") as err:
        svc = start_service(tmp_path, stderr=err)
    try:
        month = sample_month(svc.allowed)
        missing = svc.allowed / "没有这个文件夹"
        for command, name in (("summary", "汇总.xlsx"), ("report", "汇报.docx"), ("check", "问题清单.xlsx")):
            status, _, body = svc.post(command, {"paths": [str(month)], "as_of": AS_OF,
                                                 "output": str(missing / name)})
            assert status == 422 and body["exit"] == 2 and "不存在" in body["error"], (command, body)
        status, _, body = svc.post("consolidate", {"folder": str(month), "period": "2026-10",
                                                   "master": str(missing / "主表.xlsx")})
        assert status == 422 and "不存在" in body["error"]
        assert not missing.exists()
        ledger = (month / "实验小学_10月台账.xlsx").read_bytes()
        for length in (73, 90, 200):
            name = "某" * length + ".xlsx"
            status, _, raw = svc.request("PUT", f"/api/upload?job=long&part=input&name={quote(name)}", raw=ledger)
            body = json.loads(raw)
            assert status == 400 and "文件名太长" in body["error"], (length, status)
        status, _, raw = svc.request("PUT", f"/api/upload?job=long&part=input&name={quote('某' * 60 + '.xlsx')}",
                                     raw=ledger)
        assert status == 200 and Path(json.loads(raw)["path"]).read_bytes() == ledger
    finally:
        svc.stop()
    text = err_path.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in text and "内部错误" not in text, text


# 8. No other site can frame the pages


def test_no_other_site_can_frame_the_pages(service):
    for path in ("/", "/page/app.js", "/wps/", "/wps/index.html", "/wps/taskpane.html", "/wps/ribbon.xml",
                 f"/wps/k/{service.token}/index.html", f"/wps/k/{service.token}/taskpane.html"):
        _, headers, _ = service.request("GET", path, token=None)
        csp = headers.get("content-security-policy", "")
        ancestors = next((d.strip() for d in csp.split(";") if d.strip().startswith("frame-ancestors")), "")
        assert ancestors in ("frame-ancestors 'self'", "frame-ancestors 'none'"), (path, csp)
        assert headers.get("x-frame-options") in ("DENY", "SAMEORIGIN"), path


# 11. Uploads after a crash


def _workdir(svc) -> Path:
    return Path(json.loads(svc.request("GET", "/api/info")[2])["workdir"])


def _upload(svc, name: str, data: bytes) -> Path:
    status, _, raw = svc.request("PUT", f"/api/upload?job=crash&part=input&name={quote(name)}", raw=data)
    assert status == 200
    return Path(json.loads(raw)["path"])


@pytest.mark.slow
def test_uploads_of_a_killed_service_are_removed_at_the_next_start(tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {"TMPDIR": str(tmp), "TEMP": str(tmp), "TMP": str(tmp)}
    ledger = (REPO / "workbooks" / "samples" / "2026-10" / "实验小学_10月台账.xlsx").read_bytes()
    rng = random.Random()
    seed = rng.randrange(1 << 30)
    rng.seed(seed)
    print(f"seed {seed}")
    # a folder an earlier version left (no owner mark), untouched for a day
    old = tmp / "taizhang-serve-old"
    (old / "j" / "input").mkdir(parents=True)
    (old / "j" / "input" / "旧.xlsx").write_bytes(ledger)
    for p in (old / "j" / "input" / "旧.xlsx", old / "j" / "input", old / "j", old):
        os.utime(p, (time.time() - 86400,) * 2)

    def upload_until_killed(svc):
        try:
            for i in range(100):
                _upload(svc, f"上传{i}.xlsx", ledger)
        except (OSError, AssertionError):
            pass  # the service was killed under it

    running = None
    for round_ in range(3):
        victim = start_service(tmp_path / f"victim{round_}", env_extra=env)
        folder = _workdir(victim)
        assert folder.parent == tmp and stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert not old.exists()  # the first start removed what the earlier version left
        first = _upload(victim, "县第一中学.xlsx", ledger)
        uploader = threading.Thread(target=upload_until_killed, args=(victim,))
        uploader.start()
        time.sleep(rng.uniform(0, 0.6))  # kill -9 at a random moment of the uploads
        victim.proc.kill()
        victim.proc.wait(timeout=15)
        uploader.join(timeout=60)
        assert first.is_file()  # what the crash left behind
        if running is None:
            running = start_service(tmp_path / "running", env_extra=env)
            kept = _upload(running, "在用.xlsx", ledger)
        nxt = start_service(tmp_path / f"next{round_}", env_extra=env)
        try:
            assert not folder.exists(), f"round {round_}: {folder} left after the next start"
            assert kept.is_file() and kept.read_bytes() == ledger  # a running service's uploads are kept
        finally:
            nxt.stop()
    running.stop()
    assert list(tmp.iterdir()) == []


def _chromium() -> tuple[str, str] | None:
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    driver = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    return (chromium, driver) if Path(chromium).exists() and Path(driver).exists() else None


@pytest.mark.slow
@pytest.mark.skipif(_chromium() is None, reason="chromium and chromedriver are not installed")
def test_a_foreign_page_cannot_frame_the_add_in_in_chromium(service, tmp_path):
    """A page of another origin (127.0.0.2) frames the add-in's pages: Chromium refuses to
    show them; a page without the headers (the control) is shown in the same way."""
    import http.server

    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service as DriverService
    from selenium.webdriver.common.by import By

    base = f"http://127.0.0.1:{service.port}"
    framed = ["/wps/index.html", "/wps/taskpane.html", f"/wps/k/{service.token}/taskpane.html", "/"]
    site = tmp_path / "site"
    site.mkdir()
    (site / "control.html").write_text("<meta charset=utf-8><p id=c>可以嵌入的页面</p>", encoding="utf-8")
    frames = "".join(f'<iframe id="f{i}" src="{base}{p}"></iframe>' for i, p in enumerate(framed))
    (site / "evil.html").write_text(f"<html><body>{frames}<iframe id=control></iframe></body></html>",
                                    encoding="utf-8")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **kw):
            super().__init__(*a, directory=str(site), **kw)

        def log_message(self, *a):
            pass

    evil = http.server.ThreadingHTTPServer(("127.0.0.2", 0), Quiet)
    control = http.server.ThreadingHTTPServer(("127.0.0.3", 0), Quiet)
    for server in (evil, control):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    chromium, chromedriver = _chromium()
    opts = Options()
    opts.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                f"--user-data-dir={tmp_path / 'profile'}"):
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=DriverService(chromedriver), options=opts)
    try:
        driver.set_page_load_timeout(30)
        driver.get(f"http://127.0.0.2:{evil.server_port}/evil.html")
        driver.execute_script("document.getElementById('control').src = arguments[0]",
                              f"http://127.0.0.3:{control.server_port}/control.html")

        def inside(frame_id: str) -> tuple[str, str]:
            driver.switch_to.default_content()
            driver.switch_to.frame(driver.find_element(By.ID, frame_id))
            try:
                return driver.execute_script("return location.href"), driver.execute_script(
                    "return document.body ? document.body.innerText : ''")
            finally:
                driver.switch_to.default_content()

        for _ in range(100):  # the control frame loads (10 s at most)
            href, text = inside("control")
            if "可以嵌入的页面" in text:
                break
            time.sleep(0.1)
        assert href.endswith("/control.html") and "可以嵌入的页面" in text  # cross-origin framing works
        for i, path in enumerate(framed):
            href, text = inside(f"f{i}")
            assert not href.startswith(base), (path, href)  # an error page stands in for it
            assert "纪检台账" not in text, path
    finally:
        driver.quit()
        evil.shutdown()
        control.shutdown()
