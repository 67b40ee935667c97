"""How the tests look at what taizhang makes (tests' helper): LibreOffice renders workbooks and
documents to PDF, poppler turns pages into pictures, headless Chromium shows the page and the
add-in.  The guide's pictures (``docs/make_guide.py``) are made with the same calls, so that
what staff are shown is what the tests look at."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
#: Headless Chromium as the tests run it: no sandbox (root in CI), nothing fetched from outside,
#: Chinese as the browser's language.
CHROME_ARGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
               "--lang=zh-CN")


def can_render_pdf() -> bool:
    return bool(shutil.which("soffice") and shutil.which("pdftoppm") and shutil.which("pdfinfo"))


def can_drive_chromium() -> bool:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return False
    return Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()


def to_pdf(out: Path, *documents: Path, profile: Path, env: dict[str, str] | None = None,
           timeout: float = 300) -> dict[Path, Path]:
    """Each workbook or document as LibreOffice prints it (``soffice --convert-to pdf``), into
    ``out``, with a LibreOffice profile of its own under ``profile``; source -> PDF."""
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{profile}", "--convert-to", "pdf",
                    "--outdir", str(out), *map(str, documents)], check=True, capture_output=True,
                   timeout=timeout, env=env)
    return {d: out / f"{d.stem}.pdf" for d in documents}


def page_png(pdf: Path, page: int, target: Path, *, dpi: int = 80, crop: tuple[float, float] | None = None) -> Path:
    """Page ``page`` of ``pdf`` as a PNG at ``target`` (``pdftoppm``); ``crop`` keeps the fraction
    (from, to) of the page's height, e.g. (0, 0.5) for its top half."""
    args = ["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile"]
    if crop:
        info = subprocess.run(["pdfinfo", "-f", str(page), "-l", str(page), str(pdf)], capture_output=True,
                              text=True, check=True).stdout
        size = next(line for line in info.splitlines() if line.startswith(f"Page {page:>4} size:")
                    or line.startswith("Page size:"))
        width_pt, height_pt = (float(x) for x in size.split(":", 1)[1].split("pts")[0].split(" x "))
        top, bottom = crop
        args += ["-x", "0", "-y", str(round(height_pt * top * dpi / 72)), "-W", str(round(width_pt * dpi / 72)),
                 "-H", str(round(height_pt * (bottom - top) * dpi / 72))]
    subprocess.run([*args, str(pdf), str(target.with_suffix(""))], check=True, capture_output=True, timeout=120)
    return target


def chrome_driver(profile: Path, *, window: str = "1280,1000", downloads: Path | None = None,
                  extra: tuple[str, ...] = ()):
    """Headless Chromium driven by chromedriver (selenium), with a profile of its own."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service as DriverService

    opts = Options()
    opts.binary_location = CHROMIUM
    for arg in (*CHROME_ARGS, f"--window-size={window}", *extra, f"--user-data-dir={profile}"):
        opts.add_argument(arg)
    if downloads is not None:
        opts.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                               "download.prompt_for_download": False})
    drv = webdriver.Chrome(service=DriverService(CHROMEDRIVER), options=opts)
    drv.set_page_load_timeout(30)
    if downloads is not None:
        drv.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    return drv
