"""The staff guide (docs/使用说明.md) against what the product has: every ribbon button of the built
add-in, every worksheet function with its arguments, every finding code's Chinese title; its
pictures are there and small; it prints to a PDF whose text is the guide's Chinese."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import defusedxml.ElementTree as ET
import pytest

from addin.build import build_xlam
from addin.guide import BROWSER_ENV, GUIDE, PDF_NAME, TITLE, GuideError, find_browser, guide_html, write_pdf
from addin.ribbon import CUSTOMUI_NS, CUSTOMUI_PART
from addin.xlwings_udfs import udf_module, worksheet_functions
from rendering import can_drive_chromium, can_render_pdf
from taizhang.findings import CATALOGUE, Severity

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / GUIDE
TEXT = SOURCE.read_text(encoding="utf-8")
CJK = re.compile(r"[\u4e00-\u9fff]")


def rows(text: str) -> list[list[str]]:
    """The cells of every Markdown table row of ``text``."""
    return [[c.strip() for c in line.strip().strip("|").split("|")]
            for line in text.splitlines() if line.startswith("|") and not re.match(r"\|[-| ]+\|$", line)]


def section(title: str) -> str:
    """The text of the guide's ``## title`` part."""
    start = TEXT.index(f"## {title}")
    end = TEXT.find("\n## ", start + 1)
    return TEXT[start: end if end > 0 else None]


def test_the_guide_names_every_button_of_the_built_ribbon(tmp_path):
    with zipfile.ZipFile(build_xlam(tmp_path / "taizhang.xlam")) as z:
        root = ET.fromstring(z.read(CUSTOMUI_PART))
    ns = {"ui": CUSTOMUI_NS}
    [tab] = root.findall(".//ui:tab", ns)
    labels = [b.get("label") for b in tab.iter(f"{{{CUSTOMUI_NS}}}button")]
    assert len(labels) == 5
    assert f"“{tab.get('label')}”选项卡" in TEXT
    buttons = section("二、功能区的五个按钮")
    described = {r[0].strip("*") for r in rows(buttons)}
    assert set(labels) <= described, set(labels) - described
    wps = section("五、WPS 和浏览器页面")
    for label in labels:  # the WPS tab has the same buttons
        assert f"**{label}**" in wps, label


def test_the_guide_lists_every_worksheet_function_with_its_arguments():
    functions = {f.__name__: [a["name"] for a in f.__xlfunc__["args"]] for f in worksheet_functions(udf_module())}
    assert len(functions) >= 10
    listed = {r[0].strip("`"): r for r in rows(section("三、工作表函数")) if r[0].startswith("`")}
    assert set(functions) == set(listed), set(functions) ^ set(listed)
    for name, args in functions.items():
        _name, arguments, what, example = listed[name]
        assert len(arguments.split("，")) == len(args), (name, arguments, args)
        assert arguments.startswith("台账区域") == (args[0] == "table"), name
        assert f"={name}(" in example and CJK.search(what), name


def test_the_guide_says_what_every_finding_code_means_and_what_to_do():
    """A new code without its line in the guide fails here."""
    messages = section("六、提示信息是什么意思，怎么办")
    by_code = {r[2].strip("`"): r for r in rows(messages) if len(r) >= 4 and r[2].startswith("`")}
    missing = [f"{code} {title}" for code, (_sev, title) in CATALOGUE.items() if code not in by_code]
    assert not missing, missing
    for code, (severity, title) in CATALOGUE.items():
        row = by_code[code]
        assert row[0] == title, (code, row[0], title)
        assert row[1] == ("错误" if severity is Severity.ERROR else "提醒"), code
        assert len(CJK.findall(row[-1])) >= 6, (code, row[-1])  # what to do, in words
    assert not set(by_code) - set(CATALOGUE), set(by_code) - set(CATALOGUE)


def test_every_picture_the_guide_shows_is_there_small_and_made_by_the_script():
    sys.path.insert(0, str(ROOT / "docs"))
    try:
        import make_guide
    finally:
        sys.path.remove(str(ROOT / "docs"))
    shown = re.findall(r"!\[([^\]]*)\]\(([^)]+)\)", TEXT)
    assert len(shown) >= 7
    for alt, src in shown:
        path = SOURCE.parent / src
        assert path.is_file(), src
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", src
        assert 5_000 < path.stat().st_size < 200_000, (src, path.stat().st_size)
        assert CJK.search(alt), src
        assert Path(src).name in make_guide.NAMES, src  # made again by docs/make_guide.py
    assert {Path(src).name for _alt, src in shown} == set(make_guide.NAMES)
    ribbon = next(i for i, (_alt, src) in enumerate(shown) if src.endswith("ribbon.png"))
    caption = TEXT[TEXT.index(shown[ribbon][1]):].split("\n\n", 2)[1]
    assert "示意图" in caption  # the ribbon is drawn, not Excel's own


def test_the_guide_is_chinese_and_the_readme_opens_with_it():
    prose = re.sub(r"`[^`]*`|```.*?```|\([^)]*\)", "", TEXT, flags=re.S)
    letters = [c for c in prose if c.isalpha()]
    assert len(CJK.findall(prose)) / len(letters) > 0.85
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    head = readme[: readme.index("\n## ", readme.index("\n## ") + 1)]  # the title and the first part
    assert "docs/使用说明.md" in head and len(CJK.findall(head)) > 100


def test_the_page_of_the_guide_is_chinese_with_its_pictures_inline():
    page = guide_html(SOURCE)
    assert '<html lang="zh-CN">' in page and f"<title>{TITLE}</title>" in page
    assert page.count('src="data:image/png;base64,') == len(re.findall(r"!\[[^\]]*\]\(", TEXT))
    assert "工作\n表" not in page and "<h2>" in page  # no space between two Chinese lines of a paragraph


def test_without_a_browser_the_pdf_is_refused_in_chinese(tmp_path, monkeypatch):
    monkeypatch.setenv(BROWSER_ENV, str(tmp_path / "no-such-browser"))
    assert find_browser() == str(tmp_path / "no-such-browser")
    with pytest.raises(GuideError) as refused:
        write_pdf(tmp_path / PDF_NAME)
    assert PDF_NAME in refused.value.message and "不存在" in refused.value.message
    monkeypatch.delenv(BROWSER_ENV)
    monkeypatch.setenv("PATH", str(tmp_path))
    if find_browser() is None:  # no browser anywhere (on Linux: nothing on PATH)
        with pytest.raises(GuideError) as refused:
            write_pdf(tmp_path / PDF_NAME)
        assert "Chromium、Chrome 或 Edge" in refused.value.message and BROWSER_ENV in refused.value.message
    assert not (tmp_path / PDF_NAME).exists()


def pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


@pytest.mark.slow
@pytest.mark.skipif(not (find_browser() and shutil.which("pdftotext") and shutil.which("pdfinfo")),
                    reason="没有 Chromium/Chrome/Edge 或 poppler-utils")
def test_the_guide_prints_to_an_a4_pdf_of_its_chinese_text(tmp_path):
    pdf = write_pdf(tmp_path / PDF_NAME)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert f"Title:           {TITLE}" in info and "(A4)" in info
    assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) >= 5
    text = re.sub(r"\s+", "", pdf_text(pdf))
    assert TITLE in text
    for heading in re.findall(r"^##+ (.+)$", TEXT, re.M):
        assert heading.replace(" ", "") in text, heading
    assert "月度合并" in text and "不在规定选项内" in text
    assert len(CJK.findall(text)) > 3000


@pytest.mark.slow
@pytest.mark.skipif(not (can_render_pdf() and can_drive_chromium()), reason="LibreOffice、poppler 或 Chromium 未安装")
def test_the_pictures_script_makes_every_picture_from_the_samples(tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "docs" / "make_guide.py"), "-o", str(tmp_path)],
                          capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    sys.path.insert(0, str(ROOT / "docs"))
    try:
        import make_guide
    finally:
        sys.path.remove(str(ROOT / "docs"))
    for name in make_guide.NAMES:
        path = tmp_path / name
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
        assert 5_000 < path.stat().st_size < 200_000, (name, path.stat().st_size)
