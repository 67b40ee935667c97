"""``taizhang wps install|uninstall``: the WPS add-in entry and a start-up entry for the service.

WPS reads the add-ins of a user from ``publish.xml`` in its ``jsaddons`` folder
(``%APPDATA%\\kingsoft\\wps\\jsaddons`` on Windows, ``~/.local/share/Kingsoft/wps/jsaddons`` on
Linux); an online add-in is a ``<jspluginonline name=… type="et" url=…/>`` entry, and WPS loads
``url + "ribbon.xml"`` and ``url + "index.html"`` from it.  Ours points at the local service
with the token as a path segment (see ``app.wps_keyed``), so the file is written readable by
the user only.  Other add-ins' entries are kept as they are.

The service is started at log-in by a systemd user unit on Linux and by a shortcut in the
Startup folder on Windows.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import quoteattr

from taizhang.errors import TaizhangError, reason_zh

ADDIN_NAME = "taizhang"
UNIT_NAME = "taizhang-serve.service"
SHORTCUT_NAME = "taizhang 本机服务.lnk"


class InstallError(TaizhangError):
    """The add-in could not be installed or removed; the message says why (Chinese)."""


def jsaddons_dir() -> Path:
    if os.name == "nt":
        appdata = os.environ.get("APPDATA")
        if not appdata:
            raise InstallError("找不到 %APPDATA% 文件夹")
        return Path(appdata) / "kingsoft" / "wps" / "jsaddons"
    return Path.home() / ".local" / "share" / "Kingsoft" / "wps" / "jsaddons"


def addin_url(port: int, token: str) -> str:
    return f"http://127.0.0.1:{port}/wps/k/{token}/"


def _entries(text: str) -> list[str]:
    """The other ``<jsplugin…>`` entries of an existing publish.xml, as written."""
    import defusedxml.ElementTree as ET

    try:
        root = ET.fromstring(text)
    except Exception as exc:  # noqa: BLE001 - any parse failure: do not clobber the file
        raise InstallError(f"publish.xml 无法解析（{reason_zh(exc)}），为免破坏其他加载项未作改动；请检查该文件") from None
    if root.tag != "jsplugins":
        raise InstallError("publish.xml 的根元素不是 jsplugins，未作改动")
    return [ET.tostring(child, encoding="unicode").strip() for child in root
            if child.get("name") != ADDIN_NAME]


def publish_xml(existing: str | None, entry: str | None) -> str:
    others = _entries(existing) if existing and existing.strip() else []
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', "<jsplugins>"]
    lines += [f"  {e}" for e in others]
    if entry:
        lines.append(f"  {entry}")
    lines.append("</jsplugins>")
    return "\n".join(lines) + "\n"


def our_entry(port: int, token: str) -> str:
    return (f'<jspluginonline name="{ADDIN_NAME}" type="et" url={quoteattr(addin_url(port, token))} '
            f'enable="enable" install="null"/>')


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


def serve_command(port: int, allow: list[str] | None, *, windowless: bool = False) -> list[str]:
    exe = Path(sys.executable)
    if windowless and os.name == "nt" and (exe.parent / "pythonw.exe").is_file():
        exe = exe.parent / "pythonw.exe"
    cmd = [str(exe), "-m", "taizhang", "serve", "--port", str(port)]
    for folder in allow or []:
        cmd += ["--allow", str(Path(folder).resolve())]
    return cmd


def systemd_unit_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME")
    return (Path(base) if base else Path.home() / ".config") / "systemd" / "user" / UNIT_NAME


def systemd_unit(command: list[str]) -> str:
    def quote(arg: str) -> str:
        return '"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"' if any(c in arg for c in ' "\\\'') else arg

    return ("[Unit]\nDescription=taizhang 纪检台账本机服务（WPS 加载项和浏览器页面）\n\n"
            "[Service]\n"
            f"ExecStart={' '.join(quote(a) for a in command)}\n"
            "Restart=on-failure\nRestartSec=5\n\n"
            "[Install]\nWantedBy=default.target\n")


def startup_folder() -> Path:
    appdata = os.environ.get("APPDATA", "")
    return Path(appdata) / "Microsoft" / "Windows" / "Start Menu" / "Programs" / "Startup"


@dataclass
class Installed:
    publish: Path
    url: str
    startup: Path | None = None
    notes: list[str] = field(default_factory=list)


def install(port: int, token: str, *, allow: list[str] | None = None, start: bool = True) -> Installed:
    """Write our publish.xml entry and the start-up entry; start the service when ``start``."""
    if sys.platform == "darwin":
        raise InstallError("WPS 加载项安装只支持 Windows 和 Linux（统信 UOS、麒麟）")
    publish = jsaddons_dir() / "publish.xml"
    existing = publish.read_text(encoding="utf-8") if publish.is_file() else None
    _write_private(publish, publish_xml(existing, our_entry(port, token)))
    done = Installed(publish, addin_url(port, token))
    if os.name == "nt":  # pragma: no cover - Windows
        done.startup = _windows_shortcut(serve_command(port, allow, windowless=True))
        if start:
            subprocess.Popen(serve_command(port, allow, windowless=True), close_fds=True,
                             creationflags=getattr(subprocess, "DETACHED_PROCESS", 0))
    else:
        unit = systemd_unit_path()
        unit.parent.mkdir(parents=True, exist_ok=True)
        unit.write_text(systemd_unit(serve_command(port, allow)), encoding="utf-8")
        done.startup = unit
        systemctl = shutil.which("systemctl")
        if start and systemctl:
            for args in (["daemon-reload"], ["enable", UNIT_NAME], ["restart", UNIT_NAME]):  # a new port takes effect
                proc = subprocess.run([systemctl, "--user", *args], capture_output=True, text=True, timeout=60)
                if proc.returncode != 0:
                    done.notes.append(f"systemctl --user {' '.join(args)} 未成功（{proc.stderr.strip()}）；"
                                      f"可手动运行 taizhang serve")
                    break
        elif start:
            done.notes.append("本机没有 systemctl：请在登录后运行 taizhang serve（或加入桌面的自启动）")
    return done


def uninstall(*, stop: bool = True) -> list[Path]:
    """Remove our publish.xml entry and the start-up entry; the paths changed or removed."""
    changed: list[Path] = []
    publish = jsaddons_dir() / "publish.xml"
    if publish.is_file():
        text = publish.read_text(encoding="utf-8")
        new = publish_xml(text, None)
        if new != text:
            _write_private(publish, new)
            changed.append(publish)
    if os.name == "nt":  # pragma: no cover - Windows
        link = startup_folder() / SHORTCUT_NAME
        if link.exists():
            link.unlink()
            changed.append(link)
    else:
        unit = systemd_unit_path()
        systemctl = shutil.which("systemctl")
        if unit.exists():
            if stop and systemctl:
                subprocess.run([systemctl, "--user", "disable", "--now", UNIT_NAME],
                               capture_output=True, text=True, timeout=60)
            unit.unlink()
            changed.append(unit)
    return changed


def _windows_shortcut(command: list[str]) -> Path:  # pragma: no cover - Windows
    """A shortcut in the user's Startup folder, made with the Windows Script Host (PowerShell)."""
    link = startup_folder() / SHORTCUT_NAME
    link.parent.mkdir(parents=True, exist_ok=True)
    from subprocess import list2cmdline

    def ps(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    script = (f"$s=(New-Object -ComObject WScript.Shell).CreateShortcut({ps(str(link))});"
              f"$s.TargetPath={ps(command[0])};$s.Arguments={ps(list2cmdline(command[1:]))};"
              f"$s.WindowStyle=7;$s.Description={ps('taizhang 纪检台账本机服务')};$s.Save()")
    proc = subprocess.run(["powershell", "-NoProfile", "-NonInteractive", "-Command", script],
                          capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:
        raise InstallError(f"无法在“启动”文件夹中创建快捷方式（{proc.stderr.strip()}）")
    return link
