"""The service's guards: the token and its file, the Host and Origin checks, allowed folders."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from taizhang.config import Config

#: The service never binds anything else.
LOOPBACK = "127.0.0.1"
#: The default port: fixed, so that the WPS add-in entry written once keeps working.
DEFAULT_PORT = 47817


def state_dir() -> Path:
    """Where the token lives: ``%APPDATA%\\taizhang`` on Windows, ``~/.config/taizhang`` elsewhere
    (``$XDG_CONFIG_HOME/taizhang`` when set) — the folder of the office configuration."""
    if os.name == "nt" and os.environ.get("APPDATA"):
        return Path(os.environ["APPDATA"]) / "taizhang"
    xdg = os.environ.get("XDG_CONFIG_HOME")
    return (Path(xdg) if xdg else Path.home() / ".config") / "taizhang"


def token_file() -> Path:
    return state_dir() / "serve.token"


def load_or_create_token(path: Path | None = None, *, renew: bool = False) -> str:
    """The service's token, created once (``secrets.token_urlsafe``) in a file readable by the
    user only (mode 0600 where the system has modes; under ``%APPDATA%`` on Windows, which is
    the user's own).  A token is kept across restarts so that the WPS add-in entry stays valid."""
    path = path or token_file()
    if not renew:
        try:
            text = path.read_text(encoding="ascii").strip()
            if len(text) >= 32 and text.replace("-", "").replace("_", "").isalnum():
                if os.name != "nt":
                    os.chmod(path, 0o600)  # tighten a file someone loosened
                return text
        except (OSError, UnicodeDecodeError):
            pass
    path.parent.mkdir(parents=True, exist_ok=True)
    import secrets

    token = secrets.token_urlsafe(32)
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(token + "\n")
    os.replace(tmp, path)
    return token


def token_matches(given: str | None, token: str) -> bool:
    import hmac

    return given is not None and hmac.compare_digest(given.encode(), token.encode())


def bearer(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, value = authorization.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


class Hosts:
    """The ``Host`` values and ``Origin`` this service answers to, once its port is known."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.hosts = {f"127.0.0.1:{port}", f"localhost:{port}"}
        self.origins = {f"http://{h}" for h in self.hosts}

    def host_ok(self, host: str | None) -> bool:
        return host is not None and host.lower() in self.hosts

    def origin_ok(self, origin: str | None) -> bool:
        """No ``Origin`` (a navigation, WPS itself, a script on this PC) or this service's own."""
        return origin is None or origin.lower() in self.origins


class OutsideAllowed(Exception):
    """A path in a request that is not under an allowed folder."""


class Allowed:
    """The folders whose files requests may name (resolved: ``..`` and links cannot leave them)."""

    def __init__(self, folders: list[Path]) -> None:
        self.folders = [Path(f).expanduser().resolve() for f in folders]

    def check(self, value: str) -> Path:
        path = Path(value)
        if not path.is_absolute():
            raise OutsideAllowed(f"路径应为完整路径（例如 D:\\台账\\2026-10），收到“{value}”")
        resolved = path.resolve()
        if not any(resolved == f or resolved.is_relative_to(f) for f in self.folders):
            raise OutsideAllowed(f"路径不在允许的文件夹内：{value}（允许：{'；'.join(map(str, self.folders))}；"
                                 f"用 taizhang serve --allow 文件夹 增加）")
        return resolved


def tightest_limits(base: dict, requested: dict) -> dict:
    """The ``[limits]`` in force when a request brings its own: each the smaller of the
    service's (its configuration over the defaults) and the request's."""
    from taizhang.reading.book import Limits
    from taizhang.report.template import RENDER_LIMITS

    in_force = {**Limits.from_settings(base).as_settings(), **RENDER_LIMITS, **base}
    out = dict(in_force)
    for key, value in requested.items():
        out[key] = min(value, in_force[key]) if key in in_force else value
    return out


def confine_config(requested: Config, base: Config, allowed: Allowed) -> Config:
    """A request's configuration, kept within what the service allows: every file it names
    must lie in the allowed folders (:class:`OutsideAllowed` otherwise), and its limits can
    only be tighter than the service's own."""
    from taizhang.config import PATH_SETTINGS

    settings = dict(requested.settings)
    for key in PATH_SETTINGS:
        value = settings.get(key)
        if value:
            settings[key] = str(allowed.check(str(value)))
    return dataclasses.replace(requested, settings=settings,
                               limits=tightest_limits(base.limits, requested.limits))
