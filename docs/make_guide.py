"""Make the pictures of the guide (docs/使用说明.md) again, from the bundled sample month.

    .venv/bin/python docs/make_guide.py            # writes docs/pictures/*.png

Each picture is made the way the tests look at the outputs (``tests/rendering.py``): the
commands run on ``workbooks/samples/2026-10`` as of 2026-10-31; LibreOffice prints each output to
PDF and poppler turns a page into a PNG; the local page runs in headless Chromium against a real
``taizhang serve``.  The ribbon cannot be shown by Excel here: it is drawn from the built add-in's
own ribbon definition (``customUI/customUI.xml`` inside ``taizhang.xlam``: tab, groups and button
labels as Excel reads them), with the WPS add-in's icons, and the guide says it is a drawing.

Needs LibreOffice (soffice), poppler-utils, chromium and chromedriver, and selenium (the test
extra).  Run it after changing an output, the page or the ribbon; ``tests/test_guide.py`` checks
that every picture the guide names exists.
"""

from __future__ import annotations

import argparse
import html
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from rendering import chrome_driver, page_png, to_pdf  # noqa: E402
from servehelp import AS_OF, sample_month, start_service  # noqa: E402

PICTURES = ROOT / "docs" / "pictures"
SAMPLES = ROOT / "workbooks" / "samples"
MONTH = SAMPLES / "2026-10"
ROSTER = SAMPLES / "单位名册.xlsx"
BUREAU = "某某县教育局"
ICONS = ROOT / "taizhang" / "serve" / "static" / "wps"
#: Every picture this script makes (the guide may use each; the test checks those it names).
NAMES = ("ribbon.png", "page.png", "page-check.png", "page-summary.png", "summary.png", "summary-block.png",
         "findings.png", "master.png", "report.png")


def taizhang(*args: str, cwd: Path) -> int:
    """``taizhang ARGS`` as staff run it; the exit status (1 is expected: the samples carry errors)."""
    done = subprocess.run([sys.executable, "-m", "taizhang", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600, env={**os.environ, "TAIZHANG_LOG_DIR": str(cwd / "logs")})
    if done.returncode not in (0, 1):
        raise SystemExit(f"taizhang {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return done.returncode


def outputs(tmp: Path) -> dict[str, Path]:
    """The four outputs staff print, from the sample month."""
    out = {"summary": tmp / "汇总.xlsx", "findings": tmp / "问题清单.xlsx", "master": tmp / "局主表.xlsx",
           "report": tmp / "情况汇报.docx"}
    month = ["--as-of", AS_OF]
    taizhang("summary", str(MONTH), *month, "--bureau", BUREAU, "-o", str(out["summary"]), cwd=tmp)
    taizhang("check", str(MONTH), *month, "-o", str(out["findings"]), cwd=tmp)
    taizhang("consolidate", str(MONTH), "--period", "2026-10", "--master", str(out["master"]),
             "--roster", str(ROSTER), "--bureau", BUREAU, cwd=tmp)
    taizhang("report", str(MONTH), *month, "--bureau", BUREAU, "-o", str(out["report"]), cwd=tmp)
    return out


def _page_starting(pdf: Path, words: str) -> int:
    """The first page of ``pdf`` whose text begins with ``words`` (a sheet's page header)."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for number, page in enumerate(text.split("\f"), 1):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        if lines and lines[0].startswith(words):
            return number
    raise SystemExit(f"no page of {pdf.name} begins with {words}")


def _page_containing(pdf: Path, words: str) -> int:
    """The first page of ``pdf`` with ``words`` on it."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return next(n for n, page in enumerate(text.split("\f"), 1) if words in page)


def output_pictures(tmp: Path, target: Path) -> None:
    made = outputs(tmp)
    pdfs = to_pdf(tmp / "pdf", *made.values(), profile=tmp / "lo")
    summary = pdfs[made["summary"]]
    page_png(summary, 1, target / "summary.png", dpi=72, crop=(0, 0.62))
    page_png(summary, _page_containing(summary, "一、信访举报"), target / "summary-block.png", dpi=72, crop=(0, 0.75))
    page_png(pdfs[made["findings"]], 1, target / "findings.png", dpi=72, crop=(0, 0.55))
    master = pdfs[made["master"]]
    page_png(master, _page_starting(master, "报送情况"), target / "master.png", dpi=72, crop=(0, 0.6))
    page_png(pdfs[made["report"]], 1, target / "report.png", dpi=60)


# --- the ribbon, drawn from the built add-in -------------------------------------------------

def ribbon_of_built_addin(tmp: Path) -> tuple[str, list[tuple[str, list[tuple[str, str]]]]]:
    """The tab label and, per group, its buttons (id, label), read from the built ``taizhang.xlam``."""
    import defusedxml.ElementTree as ET

    from addin.build import build_xlam
    from addin.ribbon import CUSTOMUI_NS, CUSTOMUI_PART

    xlam = build_xlam(tmp / "taizhang.xlam")
    with zipfile.ZipFile(xlam) as z:
        root = ET.fromstring(z.read(CUSTOMUI_PART))
    ns = {"ui": CUSTOMUI_NS}
    [tab] = root.findall(".//ui:tab", ns)
    groups = [(g.get("label"), [(b.get("id"), b.get("label")) for b in g.findall("ui:button", ns)])
              for g in tab.findall("ui:group", ns)]
    return tab.get("label"), groups


def ribbon_html(tab: str, groups: list[tuple[str, list[tuple[str, str]]]]) -> str:
    def icon(button_id: str) -> str:
        svg = ICONS / f"{button_id.removeprefix('tz_')}.svg"
        return svg.read_text(encoding="utf-8") if svg.exists() else ""

    cells = "".join(
        f'<div class="group"><div class="buttons">'
        + "".join(f'<div class="button"><div class="icon">{icon(i)}</div><div class="label">{html.escape(label)}</div></div>'
                  for i, label in buttons)
        + f'</div><div class="glabel">{html.escape(group)}</div></div>' for group, buttons in groups)
    tabs = "".join(f'<span class="tab">{t}</span>' for t in ("文件", "开始", "插入", "页面布局", "公式", "数据", "审阅", "视图"))
    return f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><style>
body {{ margin: 0; background: #fff; font: 13px "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; }}
#ribbon {{ display: inline-block; border: 1px solid #c8c8c8; background: #f3f3f3; padding-bottom: 4px; }}
.tabs {{ background: #217346; color: #fff; padding: 6px 8px 0; }}
.tab {{ display: inline-block; padding: 4px 12px 6px; }}
.tab.on {{ background: #f3f3f3; color: #217346; font-weight: bold; border-radius: 3px 3px 0 0; }}
.groups {{ display: flex; padding: 6px 4px 0; }}
.group {{ border-right: 1px solid #d0d0d0; padding: 0 10px; display: flex; flex-direction: column; }}
.buttons {{ display: flex; gap: 6px; }}
.button {{ width: 64px; text-align: center; padding: 4px 0; }}
.icon svg {{ width: 34px; height: 34px; }}
.label {{ margin-top: 4px; }}
.glabel {{ color: #666; font-size: 12px; text-align: center; margin-top: 6px; }}
</style></head><body><div id="ribbon"><div class="tabs">{tabs}<span class="tab on">{html.escape(tab)}</span></div>
<div class="groups">{cells}</div></div></body></html>"""


def browser_pictures(tmp: Path, target: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    mock = tmp / "ribbon.html"
    mock.write_text(ribbon_html(*ribbon_of_built_addin(tmp)), encoding="utf-8")
    service = start_service(tmp / "serve")
    drv = chrome_driver(tmp / "chromium-profile", window="1000,760")
    try:
        drv.get(mock.as_uri())
        drv.find_element(By.ID, "ribbon").screenshot(str(target / "ribbon.png"))

        month = sample_month(service.allowed)
        drv.get(f"http://127.0.0.1:{service.port}/#token={service.token}")
        WebDriverWait(drv, 10, poll_frequency=0.1).until(
            lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready"))
        drv.find_element(By.ID, "folder").send_keys(str(month))
        drv.find_element(By.ID, "roster").send_keys(str(service.allowed / "单位名册.xlsx"))
        drv.execute_script("document.getElementById('as_of').value = arguments[0]", AS_OF)
        drv.find_element(By.ID, "bureau").send_keys(BUREAU)
        drv.save_screenshot(str(target / "page.png"))
        for button, command, name in (("btn-check", "check", "page-check.png"),
                                      ("btn-summary", "summary", "page-summary.png")):
            drv.find_element(By.ID, button).click()
            WebDriverWait(drv, 120, poll_frequency=0.2).until(
                lambda d: d.find_element(By.ID, "result").get_attribute("data-done") in (command, "error"))
            # the answer, from the buttons down
            drv.execute_script("document.getElementById(arguments[0]).scrollIntoView(true)", button)
            drv.save_screenshot(str(target / name))
    finally:
        drv.quit()
        service.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-o", "--out", type=Path, default=PICTURES, help="folder of the pictures (docs/pictures)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="taizhang-guide-") as tmp:
        output_pictures(Path(tmp), args.out)
        browser_pictures(Path(tmp), args.out)
    for name in NAMES:
        path = args.out / name
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: {path.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
