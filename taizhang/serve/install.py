"""``taizhang wps install|uninstall``: the WPS add-in as WPS installs one, and a start-up entry for
the service.

What is written follows the ``wpsjs`` tool's offline publish (``wpsjs build``, offline; its
``publish.xml`` template and its ``copy.bat``) and public installers of WPS add-ins (see the
README's WPS section for the sources):

- the add-in's files (``ribbon.xml``, ``index.html``, ``main.js``, the task pane, css, icons and
  ``manifest.xml``) are copied into WPS's own add-in folder, ``jsaddons/taizhang_VERSION``
  (``%APPDATA%\\kingsoft\\wps\\jsaddons`` on Windows, ``~/.local/share/Kingsoft/wps/jsaddons`` on
  Linux), with ``install.js``: the service's port, its token and the key of its proof
  (``wpsaddin``).  The folder is readable by the user only.  WPS loads the add-in from these
  files, so the code it runs never comes from the port, which another local user could take while
  the service is stopped;
- ``publish.xml`` gets ``<jsplugin name="taizhang" type="et" url="taizhang_VERSION"
  version="VERSION" enable="enable_dev" install="null" customDomain=""/>``, the offline entry
  ``wpsjs`` writes (``enable_dev`` is also what ``wpsjs debug`` and WPS's own publish page write);
- ``authaddin.json`` gets the record WPS keeps once the user has trusted an add-in: under ``et``, a
  key listed in ``namelist`` holding ``{"name", "path", "enable": true, "isload": true, "mode": 1,
  "md5": ""}`` (mode 1: a local folder).  While ``isload`` is false there, WPS shows no tab.

Other add-ins' entries in both files are kept as they are, and ``uninstall`` removes everything
``install`` wrote (a file it created is removed once nothing else is left in it).

The service is started at log-in by a systemd user unit on Linux (its stdout, whose first line
carries the token, goes nowhere: nothing of the token reaches the journal) and by a shortcut in
the Startup folder on Windows.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
from dataclasses import field
from pathlib import Path
from subprocess import list2cmdline

from taizhang import __version__
from taizhang.errors import TaizhangError, reason_zh
from taizhang.records import dataclass
from taizhang.serve.security import state_dir
from taizhang.serve.wpsaddin import proof_key

ADDIN_NAME = "taizhang"
#: The WPS application the add-in belongs to: et is WPS 表格.
HOST_TYPE = "et"
#: The publish.xml ``enable`` value that wpsjs (debug and offline build) and WPS's publish page write.
ENABLE = "enable_dev"
INSTALL_JS = "install.js"
UNIT_NAME = "taizhang-serve.service"
SHORTCUT_NAME = "taizhang 本机服务.lnk"
#: What ``install`` wrote, kept in the token's folder so that ``uninstall`` can undo exactly that.
RECORD_NAME = "wps-install.json"
_OUR_FOLDER = re.compile(rf"{ADDIN_NAME}_[0-9A-Za-z][0-9A-Za-z.+_-]*")


class InstallError(TaizhangError):
    """The add-in could not be installed or removed; the message says why (Chinese)."""


def jsaddons_dir() -> Path:
    if os.name == "nt":
        appdata = os.environ.get("APPDATA")
        if not appdata:
            raise InstallError("找不到 %APPDATA% 文件夹")
        return Path(appdata) / "kingsoft" / "wps" / "jsaddons"
    return Path.home() / ".local" / "share" / "Kingsoft" / "wps" / "jsaddons"


def folder_name(version: str = __version__) -> str:
    """The add-in's folder in jsaddons, ``name_version`` as ``wpsjs build`` names it."""
    return f"{ADDIN_NAME}_{version}"


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


def our_entry(version: str = __version__) -> str:
    """The offline entry, attribute for attribute as ``wpsjs build`` (offline) writes it."""
    return (f'<jsplugin name="{ADDIN_NAME}" type="{HOST_TYPE}" url="{folder_name(version)}" version="{version}" '
            f'enable="{ENABLE}" install="null" customDomain=""/>')


def _same_path(a: object, b: str) -> bool:
    return isinstance(a, str) and a.replace("\\", "/").rstrip("/").lower() == b.replace("\\", "/").rstrip("/").lower()


def authaddin_json(existing: str | None, folder: str | None) -> str | None:
    """``authaddin.json`` with our trust record for ``folder`` (None: without any record of ours);
    None when nothing changes.  A record WPS already keeps for this very folder is kept (its
    fingerprint too) and marked loaded; records of ours for other folders or addresses are dropped."""
    text = (existing or "").lstrip("\ufeff")
    try:
        data = json.loads(text) if text.strip() else {}
    except ValueError as exc:
        raise InstallError(f"authaddin.json 无法解析（{reason_zh(exc)}），为免破坏其他加载项的授权未作改动；请检查该文件") from None
    if not isinstance(data, dict) or not isinstance(data.get(HOST_TYPE, {}), dict):
        raise InstallError("authaddin.json 的结构不是 WPS 的格式，未作改动")
    if HOST_TYPE not in data and folder is None:
        return None
    records = data.setdefault(HOST_TYPE, {})
    ours = [k for k, v in records.items() if k != "namelist" and isinstance(v, dict) and v.get("name") == ADDIN_NAME]
    keep = None
    if folder is not None:
        keep = next((k for k in ours if _same_path(records[k].get("path"), folder)
                     and str(records[k].get("mode")) == "1"), None)
    for key in ours:
        if key != keep:
            del records[key]
    if folder is not None:
        key = keep or secrets.token_hex(16)
        records[key] = {**records.get(key, {}), "name": ADDIN_NAME, "path": folder, "enable": True,
                        "isload": True, "mode": 1}
        records[key].setdefault("md5", "")
    names: list[str] = []
    for name in str(records.get("namelist", "")).split(";"):
        if name and name in records and name not in names:
            names.append(name)
    names += [k for k in records if k != "namelist" and k not in names]
    records["namelist"] = ";".join(names)
    new = json.dumps(data, ensure_ascii=False, indent=4) + "\n"
    return None if existing is not None and new == existing else new


def _empty_publish(text: str) -> bool:
    return not _entries(text)


def _empty_authaddin(text: str) -> bool:
    data = json.loads(text)
    return all(isinstance(v, dict) and not [k for k in v if k != "namelist"] for v in data.values())


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


def install_js(port: int, token: str, version: str = __version__) -> str:
    values = {"port": port, "token": token, "proof_key": proof_key(token), "version": version}
    return ("/* Written by `taizhang wps install`: the service's port, its access token and the key of its\n"
            "   proof (taizhang/serve/wpsaddin.py).  Readable by this user only; `taizhang wps uninstall`\n"
            "   removes it. */\n"
            f"var TZ_INSTALL = {json.dumps(values)};\n")


def addin_files() -> dict[str, Path]:
    from taizhang.serve.app import static_files

    return static_files("wps")


def _copy_addin(target: Path, port: int, token: str) -> None:
    """The add-in's files in ``target`` (replaced whole), the folder and files readable by the user only."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(mode=0o700, parents=True)
    try:
        files = {name: path.read_bytes() for name, path in addin_files().items()}
        files[INSTALL_JS] = install_js(port, token).encode("utf-8")
        for name, data in files.items():
            fd = os.open(tmp / name, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
        if os.name != "nt":
            os.chmod(tmp, 0o700)
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _our_folders(jsaddons: Path) -> list[Path]:
    """Folders of this add-in in jsaddons (any version): named taizhang_VERSION, with our install.js."""
    if not jsaddons.is_dir():
        return []
    return sorted(p for p in jsaddons.iterdir()
                  if p.is_dir() and not p.is_symlink() and _OUR_FOLDER.fullmatch(p.name) and (p / INSTALL_JS).is_file())


def _record_path() -> Path:
    return state_dir() / RECORD_NAME


def _read_record() -> dict:
    try:
        data = json.loads(_record_path().read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


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
    """The user unit.  The token is nowhere in it (no argument, no Environment=), and the service's
    stdout, whose first line is the address with the token, goes to /dev/null instead of the
    journal; stderr (the start line naming the allowed folders, errors) still goes to the journal."""
    def quote(arg: str) -> str:
        arg = arg.replace("%", "%%").replace("$", "$$")  # systemd specifiers and variables
        return '"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"' if any(c in arg for c in ' "\\\'') else arg

    return ("[Unit]\nDescription=taizhang 纪检台账本机服务（WPS 加载项和浏览器页面）\n\n"
            "[Service]\n"
            f"ExecStart={' '.join(quote(a) for a in command)}\n"
            "StandardOutput=null\n"
            "Restart=on-failure\nRestartSec=5\n\n"
            "[Install]\nWantedBy=default.target\n")


def startup_folder() -> Path:
    appdata = os.environ.get("APPDATA", "")
    return Path(appdata) / "Microsoft" / "Windows" / "Start Menu" / "Programs" / "Startup"


@dataclass
class Installed:
    folder: Path
    publish: Path
    authaddin: Path
    startup: Path | None = None
    notes: list[str] = field(default_factory=list)


def install(port: int, token: str, *, allow: list[str] | None = None, start: bool = True,
            jsaddons: Path | None = None) -> Installed:
    """Copy the add-in into jsaddons, register it in publish.xml, record its trust in
    authaddin.json, write the start-up entry, and start the service when ``start``."""
    if sys.platform == "darwin":
        raise InstallError("WPS 加载项安装只支持 Windows 和 Linux（统信 UOS、麒麟）")
    jsaddons = Path(jsaddons) if jsaddons else jsaddons_dir()
    publish, authaddin = jsaddons / "publish.xml", jsaddons / "authaddin.json"
    folder = jsaddons / folder_name()
    # read and check both registries before anything is written: a file we cannot read is left alone
    old_publish = publish.read_text(encoding="utf-8-sig") if publish.is_file() else None
    old_auth = authaddin.read_text(encoding="utf-8-sig") if authaddin.is_file() else None
    new_publish = publish_xml(old_publish, our_entry())
    new_auth = authaddin_json(old_auth, folder.as_posix())
    record = _read_record()
    created = set(record.get("created", [])) if record.get("jsaddons") == str(jsaddons) else set()
    created |= {p.name for p, old in ((publish, old_publish), (authaddin, old_auth)) if old is None}
    if not jsaddons.exists():
        created.add(".")  # the folder itself (WPS makes it when it first needs it)
    jsaddons.mkdir(parents=True, exist_ok=True)
    for old in _our_folders(jsaddons):
        if old != folder:
            shutil.rmtree(old)  # an earlier version of this add-in
    try:
        _copy_addin(folder, port, token)
    except OSError as exc:
        raise InstallError(f"无法写入加载项文件夹 {folder}（{reason_zh(exc)}）：请先完全退出 WPS 再安装") from None
    _write_private(publish, new_publish)
    if new_auth is not None:
        _write_private(authaddin, new_auth)
    done = Installed(folder, publish, authaddin)
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
    _write_private(_record_path(), json.dumps({"jsaddons": str(jsaddons), "folder": folder.name,
                                               "created": sorted(created)}, ensure_ascii=False) + "\n")
    return done


def uninstall(*, stop: bool = True, jsaddons: Path | None = None) -> list[Path]:
    """Remove what ``install`` wrote: the add-in's folder, its publish.xml entry and authaddin.json
    record (a file ``install`` created goes when nothing else is left in it), the start-up entry.
    Returns the paths changed or removed."""
    record = _read_record()
    jsaddons = Path(jsaddons) if jsaddons else Path(record["jsaddons"]) if record.get("jsaddons") else jsaddons_dir()
    created = set(record.get("created", [])) if record.get("jsaddons") == str(jsaddons) else set()
    changed: list[Path] = []
    publish, authaddin = jsaddons / "publish.xml", jsaddons / "authaddin.json"
    updates: list[tuple[Path, str | None, bool]] = []  # path, new text (None: unchanged), remove the file
    if publish.is_file():
        text = publish.read_text(encoding="utf-8-sig")
        new = publish_xml(text, None)
        updates.append((publish, new if new != text else None, publish.name in created and _empty_publish(new)))
    if authaddin.is_file():
        text = authaddin.read_text(encoding="utf-8-sig")
        new = authaddin_json(text, None)
        updates.append((authaddin, new, authaddin.name in created and _empty_authaddin(new or text)))
    for folder in _our_folders(jsaddons):
        try:
            shutil.rmtree(folder)
        except OSError as exc:
            raise InstallError(f"无法删除加载项文件夹 {folder}（{reason_zh(exc)}）：请先完全退出 WPS 再卸载") from None
        changed.append(folder)
    for path, new, remove in updates:
        if remove:
            path.unlink()
            changed.append(path)
        elif new is not None:
            _write_private(path, new)
            changed.append(path)
    if "." in created and jsaddons.is_dir() and not any(jsaddons.iterdir()):
        jsaddons.rmdir()
        changed.append(jsaddons)
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
    _record_path().unlink(missing_ok=True)
    return changed


def _windows_shortcut(command: list[str]) -> Path:  # pragma: no cover - Windows
    """A shortcut in the user's Startup folder, made with the Windows Script Host (PowerShell)."""
    link = startup_folder() / SHORTCUT_NAME
    link.parent.mkdir(parents=True, exist_ok=True)
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
