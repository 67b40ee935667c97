"""What the installed WPS add-in and the service share: the proof that a port is the service, and
the add-in's way in from its own files.

The add-in is installed as files in WPS's ``jsaddons`` folder (``serve.install``), so the code WPS
runs never comes from the port, which any local user can take while the service is stopped.  Before
the add-in sends the token (or uses an answer) it asks the port ``GET /wps/hello?c=NONCE`` with a
fresh random nonce; only the service can answer ``HMAC-SHA256(key, "taizhang-wps-proof|PORT|NONCE")``,
where ``key`` is derived from the token and written, with the token, into the add-in's own folder
(readable by the user only).  A squatter learns the nonce and nothing else, and whatever it answers
is refused before any token leaves the add-in.  The port is part of the proof, so a squatter cannot
relay the question to a service running on another port.

The add-in's pages are loaded from files, so their requests to the service are cross-origin and
carry ``Origin: file://`` (a browser that lets local files read local files, as WPS's does for its
add-ins, gives them that origin; the public opencode-wps add-in runs its local server with
``--cors file://`` for the same reason).  ``AddinOrigin`` answers their CORS and passes them to
``/api/`` and ``/wps/hello`` as if they had no ``Origin`` (WPS itself, like a script on this PC):
the token is still required for every ``/api/`` request.  ``Origin: null`` (sandboxed frames of any
web page, ``data:`` pages) stays refused, as does every other origin.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable
from typing import Any

from taizhang.serve.security import Hosts

#: The nonce the add-in sends: 128 to 256 bits, in hex.
NONCE = re.compile(r"[0-9a-f]{32,64}")
#: What a page loaded from a file with file access (WPS's offline add-in) sends as its Origin.
ADDIN_ORIGINS = frozenset({"file://"})
HELLO_PATH = "/wps/hello"
_ALLOWED_HEADERS = frozenset({"authorization", "content-type", "x-taizhang-job"})


def proof_key(token: str) -> str:
    """The key of the proof (hex), derived from the token so that it changes with it."""
    return hmac.new(token.encode("ascii"), b"taizhang-wps-proof-key", hashlib.sha256).hexdigest()


def proof(token: str, port: int, nonce: str) -> str:
    """The service's answer to ``nonce`` on ``port`` (hex); the add-in computes the same in main.js."""
    message = f"taizhang-wps-proof|{port}|{nonce}".encode("ascii")
    return hmac.new(bytes.fromhex(proof_key(token)), message, hashlib.sha256).hexdigest()


class AddinOrigin:
    """ASGI middleware in front of the service's guard: CORS for the installed add-in only."""

    def __init__(self, app: Any, port: Callable[[], int]) -> None:
        self.app = app
        self.port = port

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        origin = headers.get("origin")
        path = scope["path"]
        if origin is None or origin.lower() not in ADDIN_ORIGINS or not (path.startswith("/api/") or path == HELLO_PATH):
            await self.app(scope, receive, send)
            return
        cors = [(b"access-control-allow-origin", origin.encode("latin-1")), (b"vary", b"Origin")]
        if scope["method"] == "OPTIONS":  # the preflight: answered here, nothing runs
            wanted = {h.strip().lower() for h in headers.get("access-control-request-headers", "").split(",") if h.strip()}
            ok = (Hosts(self.port()).host_ok(headers.get("host"))
                  and headers.get("access-control-request-method", "").upper() in ("GET", "POST")
                  and wanted <= _ALLOWED_HEADERS)
            extra = [(b"access-control-allow-methods", b"GET, POST"),
                     (b"access-control-allow-headers", b"Authorization, Content-Type, X-Taizhang-Job"),
                     (b"access-control-max-age", b"600")] if ok else []
            await send({"type": "http.response.start", "status": 204 if ok else 403,
                        "headers": [*cors, *extra, (b"content-length", b"0"), (b"cache-control", b"no-store")]})
            await send({"type": "http.response.body", "body": b""})
            return
        inner = {**scope, "headers": [(k, v) for k, v in scope["headers"] if k.lower() != b"origin"]}

        async def with_cors(message: dict) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *cors,
                                                  (b"access-control-expose-headers",
                                                   b"X-Taizhang-Exit, X-Taizhang-Messages")]}
            await send(message)

        await self.app(inner, receive, with_cors)
