"""``taizhang addin doctor``: why the add-in would not work on this PC, in Chinese.

Checks, each with what to do when it fails:
- Python's bitness against Excel's (a 32-bit Excel cannot load a 64-bit xlwings DLL);
- xlwings' DLL beside the interpreter (where the add-in's VBA looks for it) and its version
  against the one the add-in carries (a mismatch means "DLL not found");
- the settings: the interpreter written at install exists, the add-in's own settings sheet
  does not override it, the worksheet functions' module imports;
- the add-in file in Excel's add-ins folder, registered and enabled in Excel;
- macro trust: macros not all disabled, the add-ins folder a trusted location, the add-in
  not in Excel's disabled items.

On a PC without Microsoft Excel (Linux, or Windows with WPS only) there is nothing to check:
the answer is one line naming the WPS add-in and the local page instead, and no failure.

Windows facts come through a small ``Machine`` interface (registry, bitness, files), so the
checks run against a described PC in the tests.
"""

from __future__ import annotations

import importlib.util
import io
import platform
import re
import struct
import sys
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

from addin.build import CONF_SHEET, XLAM_NAME
from addin.install import addins_folder, user_conf_path
from addin.vba import template_modules, xlwings_vba_version
from addin.xlwings_udfs import UDF_MODULE

OFFICE_VERSIONS = ("16.0", "15.0", "14.0")
#: What a PC without Excel uses instead (one sentence, the doctor's whole answer there).
OTHER_PATHS = "请用 taizhang wps install（WPS 加载项）或 taizhang serve（浏览器页面）。"
OK, FAIL, WARN, SKIP = "ok", "fail", "warn", "skip"


@dataclass
class Check:
    name: str
    status: str  # ok, fail, warn, skip
    message: str

    def as_dict(self) -> dict:
        return asdict(self)


class Machine:
    """What the checks read from the PC.  ``registry(hive_path, value)`` returns a value or None."""

    def __init__(self, registry: Callable[[str, str | None], object] | None = None,
                 python_bits: int | None = None, is_windows: bool | None = None) -> None:
        self.is_windows = sys.platform == "win32" if is_windows is None else is_windows
        self._registry = registry
        self.python_bits = python_bits or struct.calcsize("P") * 8

    def reg(self, path: str, value: str | None = None):
        if self._registry is not None:
            return self._registry(path, value)
        return _winreg_read(path, value)  # pragma: no cover - Windows

    def values_under(self, path: str) -> dict[str, object]:
        """All values of a key (``OPEN``, ``OPEN1`` …); a fake registry answers value None with a dict."""
        found = self.reg(path, None)
        return found if isinstance(found, dict) else {}


def _winreg_read(path: str, value: str | None):  # pragma: no cover - Windows
    import winreg

    hive_name, _, sub = path.partition("\\")
    hive = {"HKCU": winreg.HKEY_CURRENT_USER, "HKLM": winreg.HKEY_LOCAL_MACHINE}[hive_name]
    view = 0
    if sub.startswith("WOW64_32\\"):
        sub, view = sub[len("WOW64_32\\"):], winreg.KEY_WOW64_32KEY
    elif hive_name == "HKLM":
        view = winreg.KEY_WOW64_64KEY
    try:
        with winreg.OpenKey(hive, sub, 0, winreg.KEY_READ | view) as key:
            if value is not None:
                return winreg.QueryValueEx(key, value)[0]
            out, i = {}, 0
            while True:
                try:
                    name, data, _ = winreg.EnumValue(key, i)
                except OSError:
                    return out
                out[name] = data
                i += 1
    except OSError:
        return None


def excel_bitness(machine: Machine) -> int | None:
    platform = machine.reg(r"HKLM\SOFTWARE\Microsoft\Office\ClickToRun\Configuration", "Platform")
    if isinstance(platform, str):
        return 64 if platform.lower() == "x64" else 32
    for version in OFFICE_VERSIONS:
        bitness = machine.reg(rf"HKLM\SOFTWARE\Microsoft\Office\{version}\Outlook", "Bitness")
        if isinstance(bitness, str):
            return 64 if bitness.lower() == "x64" else 32
        if machine.reg(rf"HKLM\SOFTWARE\Microsoft\Office\{version}\Excel\InstallRoot", "Path"):
            return 64
        if machine.reg(rf"HKLM\WOW64_32\SOFTWARE\Microsoft\Office\{version}\Excel\InstallRoot", "Path"):
            return 32
    return None


def excel_installed(machine: Machine) -> bool:
    """Excel is on this PC: its App Paths entry (both registry views), a Click-to-Run or MSI
    Office with Excel, or Excel's own settings.  WPS registers none of these."""
    app_paths = r"SOFTWARE\Microsoft\Windows\CurrentVersion\App Paths\excel.exe"
    if machine.reg(rf"HKLM\{app_paths}", "") or machine.reg(rf"HKLM\WOW64_32\{app_paths}", ""):
        return True
    return excel_bitness(machine) is not None or office_version(machine) is not None


def office_version(machine: Machine) -> str | None:
    for version in OFFICE_VERSIONS:
        if machine.reg(rf"HKCU\Software\Microsoft\Office\{version}\Excel\Options", None) is not None:
            return version
    return None


def read_conf(path: Path) -> dict[str, str]:
    """xlwings' config file: ``"KEY","VALUE"`` lines."""
    if not path.exists():
        return {}
    raw = path.read_bytes()
    for encoding in ("utf-8", "mbcs", "gbk"):
        try:
            text = raw.decode(encoding)
            break
        except (UnicodeDecodeError, LookupError):
            continue
    else:
        text = raw.decode("latin-1")
    found = {}
    for line in text.splitlines():
        m = re.fullmatch(r'\s*"([^"]*)"\s*,\s*"([^"]*)"\s*', line)
        if m:
            found[m.group(1).upper()] = m.group(2)
    return found


def addin_xlwings_version(xlam: Path) -> str | None:
    with zipfile.ZipFile(xlam) as z:
        modules = template_modules(z.read("xl/vbaProject.bin"))
    source = next((m.source for m in modules if m.name == "xlwings"), "")
    return xlwings_vba_version(source)


def addin_sheet_settings(xlam: Path) -> dict[str, str]:
    import python_calamine as pc

    book = pc.CalamineWorkbook.from_filelike(io.BytesIO(xlam.read_bytes()))
    if CONF_SHEET not in book.sheet_names:
        return {}
    return {str(r[0]).upper(): str(r[1]) for r in book.get_sheet_by_name(CONF_SHEET).to_python() if r and r[0]}


def run_checks(machine: Machine | None = None, *, folder: Path | None = None, conf: Path | None = None) -> list[Check]:
    machine = machine or Machine()
    target = (folder or addins_folder()) / XLAM_NAME
    conf = conf or user_conf_path()
    if not machine.is_windows:
        return [Check("系统", SKIP, f"本机是 {platform.system() or sys.platform}，没有 Microsoft Excel，"
                                    f"用不上 Excel 加载项：{OTHER_PATHS}")]
    if not excel_installed(machine):
        return [Check("Excel", SKIP, f"本机没有安装 Microsoft Excel，用不上 Excel 加载项：{OTHER_PATHS}")]
    checks: list[Check] = []
    add = checks.append

    # the settings written at install
    settings = read_conf(conf)
    python = settings.get("INTERPRETER_WIN")
    if not settings:
        add(Check("本机设置", FAIL, f"没有找到 {conf}。请运行 taizhang addin install（或安装包中的“安装.bat”）。"))
    elif not python or not Path(python).exists():
        add(Check("本机设置", FAIL, f"设置中的 Python（{python or '未填写'}）不存在。请重新运行 taizhang addin install。"))
    else:
        add(Check("本机设置", OK, f"Excel 使用的 Python：{python}"))

    # bitness
    bits = excel_bitness(machine)
    if bits is None:
        add(Check("位数", SKIP, f"无法确定 Excel 是 32 位还是 64 位；本 Python 是 {machine.python_bits} 位。"))
    elif bits != machine.python_bits:
        add(Check("位数", FAIL, f"Excel 是 {bits} 位，Python 是 {machine.python_bits} 位，两者必须一致。"
                              f"请安装 {bits} 位的 Python 3.11 或 3.12（python.org 的 Windows installer "
                              f"({'64-bit' if bits == 64 else '32-bit'})），再运行安装。"))
    else:
        add(Check("位数", OK, f"Excel 与 Python 都是 {bits} 位。"))

    # the add-in file and the DLL it needs
    carried = addin_xlwings_version(target) if target.exists() else None
    if not target.exists():
        add(Check("加载项文件", FAIL, f"没有找到 {target}。请运行 taizhang addin install。"))
    else:
        add(Check("加载项文件", OK, f"{target}（xlwings {carried}）"))
        sheet = addin_sheet_settings(target)
        overridden = sorted({"INTERPRETER_WIN", "PYTHONPATH", "INTERPRETER"} & set(sheet))
        if overridden:
            add(Check("加载项设置表", FAIL, f"加载项的设置表 {CONF_SHEET} 含有 {'、'.join(overridden)}，"
                                        "会覆盖本机设置。请运行 taizhang addin install 换成新版加载项。"))
    if python and Path(python).exists():
        bits_for_dll = bits or machine.python_bits
        import xlwings

        expected = carried or xlwings.__version__
        name = f"xlwings{bits_for_dll}-{expected}.dll"
        folder_ = Path(python).parent
        candidates = [folder_ / name, folder_.parent / name]
        found = next((p for p in candidates if p.exists()), None)
        others = sorted(p.name for d in {folder_, folder_.parent} if d.exists() for p in d.glob("xlwings*.dll"))
        if found:
            add(Check("xlwings DLL", OK, f"{found}"))
        elif others:
            add(Check("xlwings DLL", FAIL, f"加载项需要 {name}，但 Python 旁边是 {'、'.join(others)}（版本不一致，"
                                          f"Excel 会报“找不到 DLL”）。请在该 Python 中安装 xlwings=={expected}："
                                          "重新运行安装包中的“安装.bat”或 taizhang addin install。"))
        else:
            add(Check("xlwings DLL", FAIL, f"在 {folder_} 及其上一级没有找到 {name}。"
                                          f"请在该 Python 中安装 xlwings=={expected}（重新运行“安装.bat”）。"))
    if importlib.util.find_spec(UDF_MODULE.split(".")[0]) is None:
        add(Check("工作表函数", FAIL, f"本 Python 无法导入 {UDF_MODULE}。请重新运行安装。"))
    else:
        add(Check("工作表函数", OK, f"{UDF_MODULE} 可以导入。"))

    version = office_version(machine)
    if version is None:
        add(Check("Excel", FAIL, "本机装有 Excel，但没有找到当前用户的 Excel 设置（Excel 2010 或更新版本），"
                                 "可能还没有打开过。请打开一次 Excel 再关闭，然后重新运行“安装.bat”或 taizhang addin install。"))
        return checks
    options = machine.values_under(rf"HKCU\Software\Microsoft\Office\{version}\Excel\Options")
    opened = [v for k, v in options.items() if re.fullmatch(r"OPEN\d*", k, re.I) and XLAM_NAME in str(v).lower()]
    manager = machine.values_under(rf"HKCU\Software\Microsoft\Office\{version}\Excel\Add-in Manager")
    if opened:
        add(Check("已启用", OK, "Excel 启动时会加载 taizhang.xlam。"))
    elif any(XLAM_NAME in k.lower() for k in manager):
        add(Check("已启用", FAIL, "加载项已登记但未勾选。请在 Excel 中：文件 → 选项 → 加载项 → 管理 Excel 加载项 → 转到，勾选“taizhang”。"))
    else:
        add(Check("已启用", FAIL, "Excel 中没有登记本加载项。请运行 taizhang addin install。"))

    security = rf"HKCU\Software\Microsoft\Office\{version}\Excel\Security"
    warnings = machine.reg(security, "VBAWarnings")
    trusted = _trusted_locations(machine, security)
    in_trusted = any(str(target.parent).lower().rstrip("\\") == p.lower().rstrip("\\")
                     or "%appdata%\\microsoft\\addins" in p.lower() for p in trusted)
    if warnings == 4 and not in_trusted:
        add(Check("宏设置", FAIL, "Excel 禁用了所有宏，加载项无法运行。请在 文件 → 选项 → 信任中心 → 信任中心设置 → "
                                "受信任位置 中添加 " + str(target.parent) + "，或请信息部门放行。"))
    else:
        add(Check("宏设置", OK, "加载项所在文件夹是受信任位置，或宏未被全部禁用。"))
    disabled = machine.values_under(rf"HKCU\Software\Microsoft\Office\{version}\Excel\Resiliency\DisabledItems")
    if any(XLAM_NAME.encode("utf-16-le") in (v if isinstance(v, bytes) else str(v).encode("utf-16-le")).lower()
           for v in disabled.values()):
        add(Check("禁用项目", FAIL, "Excel 把本加载项列为“禁用项目”。请在 文件 → 选项 → 加载项 → 管理：禁用项目 → 转到 中启用它。"))
    return checks


def _trusted_locations(machine: Machine, security: str) -> list:
    found = []
    for i in range(0, 20):
        path = machine.reg(rf"{security}\Trusted Locations\Location{i}", "Path")
        if path:
            found.append(str(path))
    return found


def exit_code(checks: list[Check]) -> int:
    return 1 if any(c.status == FAIL for c in checks) else 0
