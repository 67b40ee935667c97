"""Start ``taizhang serve`` for real on 127.0.0.1 and talk to it over HTTP (tests' helper)."""

from __future__ import annotations

import http.client
import json
import os
import re
import select
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "workbooks" / "samples"
AS_OF = "2026-10-31"
FIRST_LINE = re.compile(r"^http://127\.0\.0\.1:(\d+)/#token=([A-Za-z0-9_-]{32,})$")


@dataclass
class Service:
    proc: subprocess.Popen
    first_line: str
    port: int
    token: str
    allowed: Path
    env: dict[str, str]

    def request(self, method: str, path: str, body: Any = None, *, token: str | None = "default",
                headers: dict[str, str] | None = None, raw: bytes | None = None, timeout: float = 120
                ) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        h = dict(headers or {})
        if token == "default":
            token = self.token
        if token is not None:
            h.setdefault("Authorization", f"Bearer {token}")
        data = raw if raw is not None else (json.dumps(body, ensure_ascii=False).encode() if body is not None else None)
        if data is not None and raw is None:
            h.setdefault("Content-Type", "application/json")
        try:
            conn.request(method, path, body=data, headers=h)
            res = conn.getresponse()
            return res.status, {k.lower(): v for k, v in res.getheaders()}, res.read()
        finally:
            conn.close()

    def post(self, command: str, options: dict, **kw: Any) -> tuple[int, dict[str, str], Any]:
        status, headers, body = self.request("POST", f"/api/{command}", options, **kw)
        return status, headers, json.loads(body)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=15)


def start_service(root: Path, *extra: str, env_extra: dict[str, str] | None = None,
                  preexec_fn: Any = None, stderr: Any = subprocess.PIPE) -> Service:
    """``taizhang serve --port 0 --allow ROOT/allowed`` with its own config and temporary folders
    under ROOT (``env_extra`` added to its environment, ``preexec_fn`` run in the child before it starts,
    ``stderr`` where its stderr goes)."""
    allowed = root / "allowed"
    allowed.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in ("TAIZHANG_CONFIG",)}
    env.update(XDG_CONFIG_HOME=str(root / "config"), HOME=str(root / "home"), PYTHONUNBUFFERED="1")
    # Its own temporary folder, so that the work folder (taizhang-serve-*) of a service the test
    # kills, or of one that refuses to start, stays inside the test's folder, never in /tmp.
    tmp = root / "tmp"
    env.update(TMPDIR=str(tmp), TEMP=str(tmp), TMP=str(tmp))
    env.update(env_extra or {})
    (root / "home").mkdir(exist_ok=True)
    Path(env["TMPDIR"]).mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen([sys.executable, "-m", "taizhang", "serve", "--port", "0", "--allow", str(allowed), *extra],
                            stdout=subprocess.PIPE, stderr=stderr, env=env, cwd=REPO, text=True,
                            preexec_fn=preexec_fn)
    ready, _, _ = select.select([proc.stdout], [], [], 60)
    if not ready:
        proc.kill()
        raise RuntimeError("taizhang serve printed nothing within 60 s")
    line = proc.stdout.readline().rstrip("\n")
    m = FIRST_LINE.match(line)
    if not m:
        proc.kill()
        raise RuntimeError(f"unexpected first line {line!r}: {proc.stderr.read() if proc.stderr else ''}")
    service = Service(proc, line, int(m.group(1)), m.group(2), allowed, env)
    for _ in range(100):  # bounded: 10 s at most
        try:
            if service.request("GET", "/api/info", timeout=2)[0] == 200:
                return service
        except OSError:
            pass
        time.sleep(0.1)
    service.stop()
    raise RuntimeError("taizhang serve did not answer within 10 s")


def sample_month(dest: Path) -> Path:
    """A copy of the sample month (eight units) and the roster under ``dest``."""
    month = dest / "2026-10"
    if not month.exists():
        shutil.copytree(SAMPLES / "2026-10", month)
        shutil.copy(SAMPLES / "单位名册.xlsx", dest / "单位名册.xlsx")
    return month


def cli_json(env: dict[str, str], *args: str) -> tuple[int, Any]:
    """``taizhang ARGS --json`` as a subprocess: its exit status and parsed stdout."""
    proc = subprocess.run([sys.executable, "-m", "taizhang", *args, "--json"], capture_output=True, text=True,
                          env=env, cwd=REPO, timeout=300)
    return proc.returncode, json.loads(proc.stdout)
