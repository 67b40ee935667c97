"""``taizhang serve`` over real HTTP on 127.0.0.1: the guards, and answers equal to the CLI's --json."""

from __future__ import annotations

import json
import shutil
import socket
import stat
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, unquote

import openpyxl
import pytest

from servehelp import AS_OF, REPO, cli_json, sample_month, start_service
from taizhang.consolidation.lock import MasterLock


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    svc = start_service(tmp_path_factory.mktemp("serve"))
    yield svc
    svc.stop()


@pytest.fixture(scope="module")
def month(service):
    return sample_month(service.allowed)


def test_first_line_is_the_address_with_the_token_kept_in_a_private_file(service):
    assert service.first_line == f"http://127.0.0.1:{service.port}/#token={service.token}"
    token_file = Path(service.env["XDG_CONFIG_HOME"]) / "taizhang" / "serve.token"
    assert token_file.read_text().strip() == service.token
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600


def test_token_missing_or_wrong_is_401(service, month):
    options = {"paths": [str(month)], "as_of": AS_OF}
    assert service.request("POST", "/api/check", options, token=None)[0] == 401
    assert service.request("POST", "/api/check", options, token="x" * 43)[0] == 401
    assert service.request("POST", "/api/check", options, token=service.token[:-1])[0] == 401
    status, headers, _ = service.request("POST", "/api/check", options, token=None,
                                         headers={"Authorization": f"Basic {service.token}"})
    assert status == 401 and headers["www-authenticate"] == "Bearer"
    assert service.request("GET", "/api/info", token=None)[0] == 401
    assert service.request("GET", "/api/openapi.json", token=None)[0] == 401


def test_foreign_origin_is_403_even_with_the_token(service, month):
    options = {"paths": [str(month)], "as_of": AS_OF}
    for origin in ("http://evil.example", "null", f"http://127.0.0.1:{service.port + 1}", "https://127.0.0.1"):
        status, _, body = service.request("POST", "/api/check", options, headers={"Origin": origin})
        assert status == 403, origin
        assert "其他网页" in json.loads(body)["error"]
    status, _, _ = service.request("POST", "/api/check", options, headers={"Origin": f"http://127.0.0.1:{service.port}"})
    assert status == 200


def test_bad_host_is_refused(service):
    # DNS rebinding: a name that resolves to 127.0.0.1 still carries its own Host header
    for host in ("evil.example", f"evil.example:{service.port}", f"127.0.0.1:{service.port + 1}", "192.168.1.5"):
        status, _, body = service.request("GET", "/api/info", headers={"Host": host})
        assert status == 400, host
    assert service.request("GET", "/", token=None, headers={"Host": "evil.example"})[0] == 400
    assert service.request("GET", "/api/info", headers={"Host": f"localhost:{service.port}"})[0] == 200


def test_paths_outside_the_allowed_folders_are_refused(service, month, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy(next(month.glob("*.xlsx")), outside / "unit.xlsx")
    link = service.allowed / "link-out"
    if not link.exists():
        link.symlink_to(outside, target_is_directory=True)
    for paths in ([str(outside)], [str(outside / "unit.xlsx")], [str(month / ".." / ".." / "..")],
                  [str(link / "unit.xlsx")], ["relative/2026-10"]):
        status, _, body = service.post("check", {"paths": paths, "as_of": AS_OF})
        assert status == 403, paths
        assert body["exit"] == 2 and ("不在允许的文件夹内" in body["error"] or "完整路径" in body["error"])
    status, _, body = service.post("summary", {"paths": [str(month)], "output": str(outside / "汇总.xlsx")})
    assert status == 403 and not (outside / "汇总.xlsx").exists()
    status, _, _ = service.post("consolidate", {"folder": str(month), "period": "2026-10",
                                                "master": str(outside / "主表.xlsx")})
    assert status == 403 and not (outside / "主表.xlsx").exists()
    assert service.request("GET", "/api/file?path=" + quote(str(outside / "unit.xlsx")))[0] == 403


def _listening_addresses(port: int) -> list[str]:
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state = fields[1], fields[3]
            addr, _, hexport = local.partition(":")
            if state == "0A" and int(hexport, 16) == port:  # LISTEN
                found.append(addr)
    return found


def test_bound_to_loopback_only(service):
    if sys.platform.startswith("linux"):
        assert _listening_addresses(service.port) == ["0100007F"]  # 127.0.0.1, nothing else
    others = set()
    for family, _, _, _, addr in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
        if not addr[0].startswith("127."):
            others.add(addr[0])
    for ip in others:
        with socket.socket() as s:
            s.settimeout(2)
            assert s.connect_ex((ip, service.port)) != 0, ip


@pytest.mark.slow
def test_check_answers_the_cli_json(service, month):
    code, expected = cli_json(service.env, "check", str(month), "--as-of", AS_OF)
    status, headers, body = service.post("check", {"paths": [str(month)], "as_of": AS_OF})
    assert status == 200
    assert body == expected
    assert int(headers["x-taizhang-exit"]) == code == 1
    assert body["summary"]["files"] == 8 and body["summary"]["errors"] > 0
    import jsonschema
    from taizhang.schemas import schema
    jsonschema.validate(body, schema("check"))
    planted = json.loads((REPO / "workbooks" / "samples" / "planted_findings.json").read_text())
    found = {(Path(f["path"]).name, g["sheet"], g["code"], g["cell"]) for f in body["files"] for g in f["findings"]}
    assert {(p["file"], p["sheet"], p["code"], p["cell"]) for p in planted} <= found


@pytest.mark.slow
def test_summary_answers_the_cli_json_and_writes_the_sheet(service, month):
    code, expected = cli_json(service.env, "summary", str(month), "--as-of", AS_OF)
    status, headers, body = service.post("summary", {"paths": [str(month)], "as_of": AS_OF})
    assert status == 200 and body == expected and int(headers["x-taizhang-exit"]) == code
    messages = json.loads(unquote(headers["x-taizhang-messages"]))
    assert any("统计数字可能不准确" in m for m in messages)
    out = service.allowed / "out" / "汇总表.xlsx"
    out.parent.mkdir(exist_ok=True)
    status, _, written = service.post("summary", {"paths": [str(month)], "as_of": AS_OF, "period": "2026-10",
                                                  "bureau": "某某县教育局", "output": str(out)})
    assert status == 200 and written["output"] == str(out)
    assert written["complaints"] == expected["complaints"] and written["bureau"] == "某某县教育局"
    wb = openpyxl.load_workbook(out)
    assert "汇总表" in wb.sheetnames
    assert not Path(str(out) + ".lock").exists()


@pytest.mark.slow
def test_consolidate_answers_the_cli_json_with_progress(service, month):
    roster = service.allowed / "单位名册.xlsx"
    masters = []
    for name in ("cli", "api"):
        master = service.allowed / f"局主表_{name}.xlsx"
        shutil.copy(roster, master)
        masters.append(master)
    code, expected = cli_json(service.env, "consolidate", str(month), "--period", "2026-10",
                              "--master", str(masters[0]))
    status, headers, body = service.post("consolidate", {"folder": str(month), "period": "2026-10",
                                                         "master": str(masters[1])},
                                         headers={"X-Taizhang-Job": "job-cons-1"})
    # the sample month has planted ledger errors: exit 1, as consolidate says in every front end
    assert status == 200 and int(headers["x-taizhang-exit"]) == code == 1
    for data, master in ((expected, masters[0]), (body, masters[1])):
        assert data.pop("master") == str(master)
        data.pop("backup")
    assert body == expected
    assert body["rows_read"] == body["rows_written"] + body["rows_rejected"]
    status, _, raw = service.request("GET", "/api/progress/job-cons-1")
    progress = json.loads(raw)
    assert status == 200 and progress["state"] == "done" and progress["exit"] == 1
    assert progress["done"] == progress["total"] == 8 and progress["command"] == "consolidate"
    wb = openpyxl.load_workbook(masters[1], read_only=True)
    assert {"汇总表", "报送情况", "问题清单"} <= set(wb.sheetnames)


def test_one_run_at_a_time_per_master(service, month):
    master = service.allowed / "局主表_locked.xlsx"
    shutil.copy(service.allowed / "单位名册.xlsx", master)
    before = master.read_bytes()
    with MasterLock(master):
        status, _, body = service.post("consolidate", {"folder": str(month), "period": "2026-10",
                                                       "master": str(master)})
    assert status == 409 and "正在被另一个合并任务使用" in body["error"] and body["exit"] == 2
    assert master.read_bytes() == before
    out = service.allowed / "汇总_locked.xlsx"
    with MasterLock(out):
        status, _, body = service.post("summary", {"paths": [str(month)], "as_of": AS_OF, "output": str(out)})
    assert status == 409 and not out.exists()


def test_options_are_the_commands_own(service, month):
    status, _, body = service.post("check", {"paths": [str(month)], "frobnicate": 1})
    assert status == 400 and "frobnicate" in body["error"]
    status, _, body = service.post("check", {"paths": [str(month)], "as_of": "31/10/2026"})
    assert status == 400 and body["exit"] == 2 and "日期应写作 2026-10-31" in body["error"]
    status, _, body = service.post("check", {"as_of": AS_OF})
    assert status == 400 and "PATH" in body["error"]  # paths is required, as on the command line
    status, _, body = service.post("summary", {"paths": [str(month)], "period": "--json"})
    assert status == 422 and "期间" in body["error"]  # a value is never read as an option
    status, _, body = service.post("consolidate", {"folder": str(month), "period": "2026-13",
                                                   "master": str(service.allowed / "x.xlsx")})
    assert status == 422 and body["exit"] == 2 and not (service.allowed / "x.xlsx").exists()
    assert service.request("POST", "/api/check", raw=b"{not json", headers={"Content-Type": "application/json"})[0] == 400
    assert service.post("check", [str(month)])[0] == 400


@pytest.mark.slow
def test_report_answers_the_cli_json_and_writes_the_document(service, month):
    import docx

    mine, theirs = service.allowed / "汇报_api.docx", service.allowed / "汇报_cli.docx"
    code, expected = cli_json(service.env, "report", str(month), "--as-of", AS_OF, "--bureau", "某某县教育局",
                              "-o", str(theirs))
    status, headers, body = service.post("report", {"paths": [str(month)], "as_of": AS_OF, "bureau": "某某县教育局",
                                                    "output": str(mine)})
    assert status == 200 and int(headers["x-taizhang-exit"]) == code == 1
    assert body.pop("output") == str(mine) and expected.pop("output") == str(theirs)
    assert body == expected
    text = "\n".join(p.text for p in docx.Document(str(mine)).paragraphs)
    assert "某某县教育局" in text and "信访举报" in text


def test_static_page_and_addin(service):
    status, headers, body = service.request("GET", "/", token=None)
    assert status == 200 and "纪检台账" in body.decode() and "default-src 'self'" in headers["content-security-policy"]
    for name in ("ribbon.xml", "index.html", "main.js", "taskpane.html", "taskpane.js", "render.js", "style.css"):
        status, _, _ = service.request("GET", f"/wps/{name}", token=None)
        assert status == 200, name
        status, _, _ = service.request("GET", f"/wps/k/{service.token}/{name}", token=None)
        assert status == 200, name
    assert service.request("GET", f"/wps/k/{'x' * 43}/ribbon.xml", token=None)[0] == 404
    spec = json.loads(service.request("GET", "/api/openapi.json")[2])
    for command, required in (("check", ["paths"]), ("summary", ["paths"]), ("report", []),
                              ("consolidate", ["folder", "period", "master"])):
        schema = spec["paths"][f"/api/{command}"]["post"]["requestBody"]["content"]["application/json"]["schema"]
        assert set(required) <= set(schema["required"]) and "json" not in schema["properties"], command
        assert schema["additionalProperties"] is False
        assert all(p.get("description") for p in schema["properties"].values()), command  # the --help texts
        refused = spec["paths"][f"/api/{command}"]["post"]["responses"]["400"]["content"]["application/json"]
        assert set(refused["schema"]["required"]) == {"error", "exit"}, command
    refs = set()

    def collect(node):
        if isinstance(node, dict):
            refs.update(v for k, v in node.items() if k == "$ref")
            [collect(v) for v in node.values()]
        elif isinstance(node, list):
            [collect(v) for v in node]
    collect(spec)
    assert refs and all(r.startswith("#/components/schemas/") and r.split("/")[-1] in spec["components"]["schemas"]
                        for r in refs)
    check_answer = spec["paths"]["/api/check"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert set(check_answer["properties"]) >= {"files", "summary"}
    assert service.request("GET", "/wps/..%2F..%2Fapp.py", token=None)[0] == 404
    assert service.request("GET", "/page/..%2Fwps%2Fmain.js", token=None)[0] == 404
    for asset in ("/", "/wps/index.html", "/wps/taskpane.html"):  # works offline: nothing from elsewhere
        text = service.request("GET", asset, token=None)[2].decode()
        assert "http://" not in text and "https://" not in text and "//cdn" not in text


@pytest.mark.slow
def test_upload_then_check_and_download(service, month):
    src = month / "县第一中学_2026年10月台账.xlsx"
    status, _, raw = service.request("PUT", "/api/upload?job=t1&part=input&name=" + quote("../../县第一中学.xlsx"),
                                     raw=src.read_bytes())
    up = json.loads(raw)
    assert status == 200 and Path(up["path"]).name == "县第一中学.xlsx"
    status, _, info = service.request("GET", "/api/info")
    workdir = Path(json.loads(info)["workdir"])
    assert Path(up["path"]).parent == workdir / "t1" / "input"
    status, _, body = service.post("check", {"paths": [up["folder"]], "as_of": AS_OF})
    code, expected = cli_json(service.env, "check", str(src), "--as-of", AS_OF)
    assert status == 200
    assert body["files"][0]["findings"] == expected["files"][0]["findings"]
    status, headers, data = service.request("GET", "/api/file?path=" + quote(up["path"]))
    assert status == 200 and data == src.read_bytes()
    assert service.request("PUT", "/api/upload?job=../x&part=input&name=a.xlsx", raw=b"x")[0] == 400


@pytest.mark.slow
def test_uploads_are_removed_when_the_service_stops(tmp_path):
    svc = start_service(tmp_path)
    try:
        workdir = Path(json.loads(svc.request("GET", "/api/info")[2])["workdir"])
        status, _, _ = svc.request("PUT", "/api/upload?job=j&part=input&name=a.xlsx", raw=b"PK")
        assert status == 200 and (workdir / "j" / "input" / "a.xlsx").is_file()
    finally:
        svc.stop()
    assert not workdir.exists()


@pytest.mark.slow
def test_a_second_service_on_the_same_port_says_so(service):
    proc = subprocess.run([sys.executable, "-m", "taizhang", "serve", "--port", str(service.port)],
                          capture_output=True, text=True, env=service.env, cwd=REPO, timeout=60)
    assert proc.returncode == 2 and proc.stdout == ""
    assert f"端口 {service.port} 无法使用" in proc.stderr
