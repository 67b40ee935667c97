"""The FastAPI application of ``taizhang serve`` (see the package docstring)."""

from __future__ import annotations

import errno
import inspect
import json
import mimetypes
import os
import re
import shutil
import sys
import uuid
from contextlib import asynccontextmanager
from dataclasses import field
from importlib import resources
from pathlib import Path
from typing import Any, AsyncIterator, Callable
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from taizhang import __version__
from taizhang.config import Config, ConfigError, load_config
from taizhang.consolidation.lock import LockedError, MasterLock
from taizhang.errors import TaizhangError, reason_zh
from taizhang.records import dataclass
from taizhang.serve.options import body_schema, confine, refusal, request_model
from taizhang.serve.progress import JOB_ID, Runs
from taizhang.serve.security import Allowed, Hosts, OutsideAllowed, bearer, confine_config, token_matches
from taizhang.serve.workdir import Workdir
from taizhang.serve.wpsaddin import NONCE, AddinOrigin, proof
from taizhang.usecases.common import EXIT_UNREADABLE, Outcome
from taizhang.usecases.consolidate import consolidate
from taizhang.usecases.requests import Request as UseCaseRequest

COMMANDS = ("check", "summary", "report", "consolidate")
#: Largest upload accepted from the page (the readers refuse beyond this anyway).
MAX_UPLOAD = 200 * 1024 * 1024
UPLOAD_PARTS = ("input", "roster", "master")
DOWNLOADABLE = {".xlsx", ".xlsm", ".docx", ".pdf"}
_SAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
#: Longest upload name kept, in bytes of UTF-8 (most file systems take 255): about 66 Chinese
#: characters and the extension.
MAX_NAME_BYTES = 200


@dataclass
class ServeSettings:
    token: str
    config: Config
    allowed_folders: list[Path]
    #: Where the page's uploads and outputs go (added to the allowed folders): a private
    #: folder of this run, marked as in use; what a dead service left is removed first
    #: (``taizhang.serve.workdir``).
    workdir: Path = None  # type: ignore[assignment]
    port: int = 0
    _own: Workdir | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.workdir is None:
            self._own = Workdir()
            self.workdir = self._own.path

    def release(self) -> None:
        """Remove the folder of uploads and outputs (the service stops)."""
        if self._own is not None:
            self._own.remove()
        else:
            shutil.rmtree(self.workdir, ignore_errors=True)

    @property
    def allowed(self) -> Allowed:
        return Allowed([*self.allowed_folders, self.workdir])


def runner(command: str) -> Callable[..., Outcome] | None:
    """The use case of ``command``, as the command line runs it (None: not in this version)."""
    if command == "check":
        from taizhang.usecases.check import check
        return check
    if command == "summary":
        from taizhang.usecases.summarise import summarise
        return summarise
    if command == "consolidate":
        return consolidate
    if command == "report":
        from taizhang.usecases.report import report
        return report
    return None


def _available(command: str) -> bool:
    if runner(command) is None:
        return False
    try:
        request_model(command)
    except KeyError:
        return False
    return True


def _error(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=status)


def static_files(kind: str) -> dict[str, Path]:
    """The shipped files of the page or the add-in, by name (nothing else is ever served)."""
    root = Path(str(resources.files("taizhang.serve") / "static" / kind))
    return {p.name: p for p in root.iterdir() if p.is_file()}


class Guard:
    """ASGI middleware: Host and Origin on every request, the token on ``/api/``, and headers
    that keep the pages out of other sites' frames and the answers out of caches."""

    def __init__(self, app: Any, settings: ServeSettings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        hosts = Hosts(self.settings.port)
        path = scope["path"]
        if not hosts.host_ok(headers.get("host")):
            response = _error(400, "请求的主机名不正确：本服务只接受 127.0.0.1 或 localhost")
        elif not hosts.origin_ok(headers.get("origin")):
            response = _error(403, "拒绝来自其他网页的请求")
        elif path.startswith("/api/") and not token_matches(bearer(headers.get("authorization")),
                                                            self.settings.token):
            response = _error(401, "缺少或错误的访问令牌（见 taizhang serve 输出的第一行）")
            response.headers["WWW-Authenticate"] = "Bearer"
        else:
            response = None
        if response is not None:
            await response(scope, receive, self._send_with_headers(send, path))
            return
        await self.app(scope, receive, self._send_with_headers(send, path))

    @staticmethod
    def _send_with_headers(send: Callable, path: str) -> Callable:
        async def wrapped(message: dict) -> None:
            if message["type"] == "http.response.start":
                # no other site may frame any page of the service (clickjacking): CSP for today's
                # browsers, X-Frame-Options for older embedded ones
                extra = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
                         (b"cache-control", b"no-store"), (b"x-frame-options", b"SAMEORIGIN")]
                if path.startswith("/wps/"):  # WPS's own pages keep their sources as WPS expects them
                    extra.append((b"content-security-policy", b"frame-ancestors 'self'"))
                else:
                    extra.append((b"content-security-policy",
                                  b"default-src 'self'; img-src 'self' data: blob:; frame-ancestors 'self'"))
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)
        return wrapped


def _response_schema(command: str, components: dict[str, Any]) -> dict[str, Any] | None:
    """The JSON Schema of the command's ``--json`` (``taizhang schema COMMAND``), its ``$defs``
    moved into the OpenAPI components; None for a command without one."""
    try:
        from taizhang.schemas import SCHEMAS, schema
    except ImportError:
        return None
    if command not in SCHEMAS:
        return None
    out = schema(command)
    defs = out.pop("$defs", {})

    def relink(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: (v.replace("#/$defs/", "#/components/schemas/") if k == "$ref" and isinstance(v, str)
                        else relink(v)) for k, v in node.items()}
        if isinstance(node, list):
            return [relink(v) for v in node]
        return node

    components.update({name: relink(d) for name, d in defs.items()})
    return relink(out)


def create_app(settings: ServeSettings) -> Any:
    """The application; ``settings.port`` must be set before it answers (the Host check)."""
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        # uploads and outputs of the page live for one run of the service (uvicorn re-raises
        # SIGTERM/SIGINT after shutting down, so this is the place that always runs)
        settings.release()

    app = FastAPI(title="taizhang 纪检台账本机服务", version=__version__, docs_url=None, redoc_url=None,
                  openapi_url="/api/openapi.json", lifespan=lifespan)
    runs = Runs()
    page, wps = static_files("page"), static_files("wps")

    def execute(command: str, body: Any, job: str | None) -> Response:
        run = runner(command)
        if run is None:
            return _error(501, "“生成汇报”在此版本中尚未提供（需要 taizhang report）", exit=EXIT_UNREADABLE)
        try:
            request: UseCaseRequest = confine(command, body, settings.allowed)
        except OutsideAllowed as exc:
            return _error(403, str(exc), exit=EXIT_UNREADABLE)
        config = settings.config
        if request.config:
            try:
                # a request's configuration may narrow what the service does, never widen it:
                # the files it names obey the allowed folders, its limits only tighten
                config = confine_config(load_config(request.config), settings.config, settings.allowed)
            except ConfigError as exc:
                return _error(400, str(exc), exit=EXIT_UNREADABLE)
            except OutsideAllowed as exc:
                return _error(403, f"配置文件 {request.config} 中：{exc}", exit=EXIT_UNREADABLE)
        output = getattr(request, "output", None)
        if output and not Path(output).parent.is_dir():  # as the command line says it (exit 2)
            return _error(422, f"输出文件所在的文件夹不存在：{Path(output).parent}", exit=EXIT_UNREADABLE)
        if job:
            runs.start(job, command)
        outcome: Outcome | None = None
        try:
            progress = (lambda done, total, name: runs.advance(job, done, total, name)) if job else None
            if output and command != "consolidate":  # one run at a time per output, like a master
                try:
                    with MasterLock(Path(output)):
                        outcome = run(request, config, progress)
                except LockedError as exc:
                    return _error(409, str(exc), exit=EXIT_UNREADABLE)
            else:
                outcome = run(request, config, progress)
        except TaizhangError as exc:  # a refusal raised below the command: as the command line says it
            return _error(409 if isinstance(exc, LockedError) else 422, exc.message, exit=exc.exit_code)
        except OSError as exc:  # a file that cannot be written or read: the user's to fix, said in Chinese
            where = f"：{exc.filename}" if getattr(exc, "filename", None) else ""
            return _error(422, f"无法读写文件{where}（{reason_zh(exc)}）", exit=EXIT_UNREADABLE)
        except Exception as exc:  # noqa: BLE001 - a bug must not take the service down or leak data
            # only the exception's type is told: its text could carry a cell's value
            print(f"taizhang serve: {command} 内部错误 {type(exc).__name__}", file=sys.stderr, flush=True)
            return _error(500, f"内部错误（{type(exc).__name__}），请把出错的文件和这句话告诉维护人员",
                          exit=EXIT_UNREADABLE)
        finally:
            if job:
                runs.finish(job, outcome.code if outcome else None)
        messages = [m.removeprefix("taizhang: ") for m in outcome.messages]
        if outcome.data is None:
            status = 409 if any("正在被另一个合并任务使用" in m for m in messages) else 422
            return _error(status, "；".join(messages) or "无法运行", exit=outcome.code, messages=messages)
        body = json.dumps(outcome.data, ensure_ascii=False)
        return Response(body, media_type="application/json; charset=utf-8", headers={
            "X-Taizhang-Exit": str(outcome.code),
            "X-Taizhang-Messages": quote(json.dumps(messages, ensure_ascii=False)),
        })

    def endpoint(command: str) -> Callable:
        async def handle(request: Request, body: Any) -> Response:
            job = request.headers.get("x-taizhang-job")
            if job is not None and not JOB_ID.match(job):
                return _error(400, "X-Taizhang-Job 只能含字母、数字、- 和 _", exit=EXIT_UNREADABLE)
            return await run_in_threadpool(execute, command, body, job)
        handle.__name__ = f"api_{command}"
        # FastAPI validates the JSON body into the command's body model, pydantic's, derived from
        # the request's declaration (``refused`` below answers what it refuses; ``execute``
        # makes the use case's request of it)
        positional = inspect.Parameter.POSITIONAL_OR_KEYWORD
        handle.__signature__ = inspect.Signature([  # type: ignore[attr-defined]
            inspect.Parameter("request", positional, annotation=Request),
            inspect.Parameter("body", positional, annotation=request_model(command)),
        ])
        return handle

    async def refused(request: Request, exc: RequestValidationError) -> Response:
        """A request body its model refuses: 400 and why, in Chinese, as the command line says it."""
        command = request.url.path.removeprefix("/api/")
        if request.method != "POST" or command not in COMMANDS:
            return await request_validation_exception_handler(request, exc)
        return _error(400, refusal(command, list(exc.errors())), exit=EXIT_UNREADABLE)

    app.add_exception_handler(RequestValidationError, refused)

    components: dict[str, Any] = {}
    for command in COMMANDS:
        answer = _response_schema(command, components)
        extra = None
        if answer is not None:
            extra = {"responses": {"200": {"description": f"taizhang {command} --json", "content": {
                "application/json": {"schema": answer}}}}}
        app.add_api_route(
            f"/api/{command}", endpoint(command), methods=["POST"], openapi_extra=extra,
            summary=f"taizhang {command} --json",
            description=f"选项同 taizhang {command} 的长选项（as_of 对应 --as-of）；返回 --json 的内容，"
                        f"退出码见响应头 X-Taizhang-Exit。")

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            spec = get_openapi(title=app.title, version=app.version, routes=app.routes)
            for command in COMMANDS:  # each body's schema from its request model, in place
                body = spec["paths"][f"/api/{command}"]["post"]["requestBody"]
                body["content"]["application/json"]["schema"] = body_schema(command)
                answers = spec["paths"][f"/api/{command}"]["post"]["responses"]
                answers.pop("422", None)  # FastAPI's validation answer: refused bodies are told as below
                refused = {"type": "object", "required": ["error", "exit"],
                           "properties": {"error": {"type": "string"}, "exit": {"type": "integer"}}}
                answers["400"] = {"description": "选项不被接受（error 为中文说明，exit 为 2）",
                                  "content": {"application/json": {"schema": refused}}}
                spec["components"]["schemas"].pop(request_model(command).__name__, None)
            spec.setdefault("components", {}).setdefault("schemas", {}).update(components)
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.get("/api/info")
    def info() -> dict[str, Any]:
        return {"version": __version__, "allowed": [str(f) for f in settings.allowed.folders],
                "workdir": str(settings.workdir), "sep": os.sep,
                "commands": {c: _available(c) for c in COMMANDS}}

    @app.get("/api/progress/{job}")
    def progress(job: str) -> Response:
        run = runs.get(job)
        return JSONResponse(run) if run else _error(404, "没有这个任务")

    @app.put("/api/upload")
    async def upload(request: Request, job: str, name: str, part: str = "input") -> Response:
        """A file chosen on the page, kept in the service's own folder for this session."""
        if not JOB_ID.match(job) or part not in UPLOAD_PARTS:
            return _error(400, "上传参数不正确")
        clean = _SAFE_NAME.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1]).strip()
        if not clean or clean.startswith("."):
            return _error(400, f"文件名不正确：{name}")
        if len(clean.encode("utf-8")) > MAX_NAME_BYTES:
            return _error(400, f"文件名太长：{clean}（最多约 {MAX_NAME_BYTES // 3} 个汉字），请把文件改个短些的名字再选")
        folder = settings.workdir / job / part
        target = folder / clean
        size = 0
        tmp = folder / f".upload-{uuid.uuid4().hex}.part"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as fh:
                async for chunk in request.stream():
                    size += len(chunk)
                    if size > MAX_UPLOAD:
                        fh.close()
                        tmp.unlink(missing_ok=True)
                        return _error(413, f"文件太大：{clean}（上限 200 MB）")
                    fh.write(chunk)
            os.replace(tmp, target)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            return _error(507 if exc.errno == errno.ENOSPC else 400, f"无法保存上传的文件 {clean}（{reason_zh(exc)}）")
        return JSONResponse({"path": str(target), "folder": str(folder), "bytes": size})

    @app.get("/api/file")
    def download(path: str) -> Response:
        try:
            target = settings.allowed.check(path)
        except OutsideAllowed as exc:
            return _error(403, str(exc))
        if target.suffix.lower() not in DOWNLOADABLE or not target.is_file():
            return _error(404, f"没有这个文件：{path}")
        return FileResponse(target, filename=target.name)

    def static(files: dict[str, Path], name: str) -> Response:
        path = files.get(name)
        if path is None:
            return _error(404, "没有这个页面")
        media = {".xml": "application/xml", ".js": "text/javascript", ".html": "text/html",
                 ".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}.get(
            path.suffix, mimetypes.guess_type(path.name)[0] or "application/octet-stream")
        if media.startswith("text/") or media.endswith("xml"):
            media += "; charset=utf-8"
        return Response(path.read_bytes(), media_type=media)

    @app.get("/", include_in_schema=False)
    def index() -> Response:
        return static(page, "index.html")

    @app.get("/page/{name}", include_in_schema=False)
    def page_asset(name: str) -> Response:
        return static(page, name)

    @app.get("/wps/hello", include_in_schema=False)
    def wps_hello(c: str = "") -> Response:
        """The installed add-in's question before it sends the token: prove you are the service
        on this port (see ``wpsaddin``).  Public, like the pages: the answer is worth nothing
        without the nonce the add-in chose."""
        if not NONCE.fullmatch(c):
            return _error(400, "参数 c 应为 32–64 位十六进制数")
        return JSONResponse({"proof": proof(settings.token, settings.port, c)})

    @app.get("/wps/", include_in_schema=False)
    def wps_index() -> Response:
        return static(wps, "index.html")

    @app.get("/wps/{name}", include_in_schema=False)
    def wps_asset(name: str) -> Response:
        return static(wps, name)

    @app.get("/wps/k/{key}/{name}", include_in_schema=False)
    def wps_keyed(key: str, name: str) -> Response:
        """The add-in as installed by ``taizhang wps install``: the token is a path segment of
        the address in ``publish.xml`` (WPS appends ``ribbon.xml`` to it, so no query string),
        from which the add-in's pages read it.  A wrong token finds nothing."""
        if not token_matches(key, settings.token):
            return _error(404, "没有这个页面")
        return static(wps, name or "index.html")

    @app.get("/wps/k/{key}/", include_in_schema=False)
    def wps_keyed_index(key: str) -> Response:
        return wps_keyed(key, "index.html")

    return AddinOrigin(Guard(app, settings), lambda: settings.port)
