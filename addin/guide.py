"""The staff guide (``docs/使用说明.md``) as a PDF for the offline bundle: ``使用说明.pdf``.

Markdown is turned into HTML with markdown-it-py (already installed with ``rich``), its pictures
put inline, and printed to A4 by a Chromium-family browser in headless mode
(``--print-to-pdf``): Chromium or Chrome where the bundle is made on Linux or macOS, Edge,
which every Windows 10/11 has, or Chrome on Windows.  ``TAIZHANG_BROWSER`` names another.
This is needed only where the bundle is made, never on the office PC.  Without such a browser
the PDF cannot be made: :class:`GuideError` says so in Chinese, and the bundle lists it among
what it could not put in.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from taizhang.errors import TaizhangError

GUIDE = Path("docs") / "使用说明.md"
PDF_NAME = "使用说明.pdf"
BROWSER_ENV = "TAIZHANG_BROWSER"
TITLE = "纪检台账（taizhang）使用说明"
#: Names on PATH, then the places Windows and macOS install them.
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome", "msedge",
                 "microsoft-edge")
_WINDOWS_PLACES = (r"Microsoft\Edge\Application\msedge.exe", r"Google\Chrome\Application\chrome.exe")
_MAC_PLACES = ("/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
               "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
               "/Applications/Chromium.app/Contents/MacOS/Chromium")

#: A4, a Chinese face every system has one of (Windows: 微软雅黑 / 宋体; Linux: Noto CJK, 文泉驿).
STYLE = """
@page { size: A4; margin: 18mm 16mm 18mm 16mm; }
body { font-family: "Microsoft YaHei", "微软雅黑", "PingFang SC", "Noto Sans CJK SC", "Source Han Sans SC",
       "WenQuanYi Micro Hei", "SimSun", sans-serif; font-size: 10.5pt; line-height: 1.6; color: #111; }
h1 { font-size: 20pt; text-align: center; margin: 0 0 12pt; }
h2 { font-size: 15pt; border-bottom: 1px solid #999; padding-bottom: 2pt; margin-top: 18pt; page-break-after: avoid; }
h3 { font-size: 12pt; margin-top: 12pt; page-break-after: avoid; }
table { border-collapse: collapse; width: 100%; margin: 6pt 0; font-size: 9pt; page-break-inside: auto; }
tr { page-break-inside: avoid; }
th, td { border: 1px solid #888; padding: 2pt 4pt; vertical-align: top; text-align: left; min-width: 2.2em; }
td code { font-size: 8pt; }
td:first-child code, td:nth-child(3) code { white-space: nowrap; }  /* names and finding codes whole */
th { background: #eee; }
code { font-family: Consolas, "Noto Sans Mono CJK SC", monospace; font-size: 9pt; }
pre { background: #f4f4f4; padding: 5pt 7pt; white-space: pre-wrap; word-break: break-all; }
img { max-width: 100%; max-height: 120mm; display: block; margin: 6pt auto 0; border: 1px solid #ccc; }
p:has(> img) { page-break-inside: avoid; page-break-after: avoid; }
em { font-style: normal; color: #444; font-size: 9pt; }
"""


#: A line break inside a paragraph between two Chinese characters: a browser shows it as a space,
#: which Chinese text does not have.
_CJK = "\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
_CJK_SOFT_BREAK = re.compile(f"(?<=[{_CJK}])\n(?=[{_CJK}])")


class GuideError(TaizhangError):
    """The guide's PDF could not be made; the message says why and what to do."""


def guide_source() -> Path:
    """``docs/使用说明.md`` of the source tree this package runs from."""
    path = Path(__file__).resolve().parent.parent / GUIDE
    if not path.is_file():
        raise GuideError(f"找不到使用说明 {path}。请在 taizhang 的完整源代码目录中运行。")
    return path


def find_browser() -> str | None:
    """A Chromium-family browser to print with: ``$TAIZHANG_BROWSER``, one on PATH, or where
    Windows and macOS install Edge and Chrome; None when there is none."""
    named = os.environ.get(BROWSER_ENV)
    if named:
        return named
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    places: list[Path] = []
    if sys.platform == "win32":  # pragma: no cover - Windows
        for base in ("PROGRAMFILES(X86)", "PROGRAMFILES", "LOCALAPPDATA"):
            if os.environ.get(base):
                places += [Path(os.environ[base]) / p for p in _WINDOWS_PLACES]
    elif sys.platform == "darwin":  # pragma: no cover - macOS
        places += [Path(p) for p in _MAC_PLACES]
    return next((str(p) for p in places if p.is_file()), None)


def _picture(folder: Path, match: re.Match) -> str:
    """An ``<img src="pictures/x.png">`` with the picture inline (no file access from the page)."""
    src = match.group(2)
    path = folder / src
    if src.startswith(("data:", "http:", "https:")) or not path.is_file():
        return match.group(0)
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'{match.group(1)}data:image/png;base64,{data}{match.group(3)}'


def guide_html(source: Path) -> str:
    """The guide as one HTML page, its pictures inline."""
    from markdown_it import MarkdownIt

    body = MarkdownIt("commonmark", {"html": False}).enable("table").render(source.read_text(encoding="utf-8"))
    body = re.sub(r'(<img src=")([^"]+)(")', lambda m: _picture(source.parent, m), body)
    body = _CJK_SOFT_BREAK.sub("", body)
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{TITLE}</title>'
            f"<style>{STYLE}</style></head><body>{body}</body></html>")


def write_pdf(target: Path, source: Path | None = None, browser: str | None = None, timeout: float = 180) -> Path:
    """Print the guide to ``target`` (PDF, A4) with a headless Chromium-family browser."""
    source = source or guide_source()
    browser = browser or find_browser()
    if not browser:
        raise GuideError(
            f"{PDF_NAME} 没有生成：本机没有找到 Chromium、Chrome 或 Edge 浏览器（用它把使用说明打印成 PDF）。"
            f"请装一个，或用环境变量 {BROWSER_ENV} 指定浏览器程序的位置，再重新运行；"
            f"也可以把 {GUIDE.as_posix()} 一同拷去。")
    if not Path(browser).is_file() and not shutil.which(browser):
        raise GuideError(f"{PDF_NAME} 没有生成：{BROWSER_ENV} 指定的浏览器 {browser} 不存在。")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="taizhang-guide-") as tmp:
        page = Path(tmp) / "guide.html"
        page.write_text(guide_html(source), encoding="utf-8")
        staged = Path(tmp) / "guide.pdf"
        args = [browser, "--headless=new", "--disable-gpu", "--no-first-run", "--disable-extensions",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                f"--user-data-dir={Path(tmp) / 'profile'}", "--no-pdf-header-footer", "--print-to-pdf-no-header",
                f"--print-to-pdf={staged}", page.as_uri()]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            args.insert(1, "--no-sandbox")  # Chromium refuses to run as root with its sandbox
        try:
            done = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise GuideError(f"{PDF_NAME} 没有生成：浏览器 {browser} 无法运行（{type(exc).__name__}）。") from exc
        if not staged.is_file() or staged.stat().st_size == 0:
            tail = "\n".join((done.stderr or "").strip().splitlines()[-3:])
            raise GuideError(f"{PDF_NAME} 没有生成：浏览器 {browser} 没有写出 PDF（返回 {done.returncode}）。{tail}")
        shutil.copyfile(staged, target.with_name(target.name + ".part"))
        os.replace(target.with_name(target.name + ".part"), target)
    return target
