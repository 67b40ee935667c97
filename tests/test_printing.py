"""Every sheet taizhang writes prints on A4 as a bureau signs it: measured here on the real
workbooks (openpyxl reads the settings back) and rendered by LibreOffice (pdftotext reads the
pages): no ``###``, no empty page, the header on every page, nothing cut."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from taizhang.cli import main
from taizhang.printing import MAX_WIDTH, PORTRAIT_CHARS, measure, shown, text_width
from fixtures import write_xlsx

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "workbooks" / "samples"
MONTH = SAMPLES / "2026-10"
ROSTER = SAMPLES / "单位名册.xlsx"
TABLE_SHEETS = ("明细", "问题清单", "报送情况", "整改台账合并", "信访举报合并", "退费合并", "处分合并", "单位名册")

needs_render = pytest.mark.skipif(
    not (shutil.which("soffice") and shutil.which("pdftotext") and shutil.which("pdfinfo")),
    reason="LibreOffice 或 poppler-utils 未安装")


# --- widths -------------------------------------------------------------------------------

def test_a_cjk_character_counts_two_and_the_widest_line_counts():
    assert text_width("abc") == 3
    assert text_width("县第一中学") == 10
    assert text_width("ＡＢ") == 4  # full-width
    assert text_width("一中\nabcdefgh") == 8


def test_dates_and_money_are_measured_as_shown():
    assert shown(date(2026, 1, 5), 'yyyy"年"m"月"d"日"') == "2026年01月05日"  # the widest day and month
    assert shown(1234567.5, "#,##0.00") == "1,234,567.50"
    assert shown(12, '#,##0"件"') == "12件"
    [fit] = measure(["收件日期"], [[date(2026, 10, 31)]], {"收件日期": 'yyyy"年"m"月"d"日"'})
    assert fit.width >= text_width("2026年10月31日") + 1 and not fit.wrap


def test_long_text_wraps_at_the_widest_column_and_short_columns_stay_narrow():
    long = "反映该校教师在校外培训机构兼职授课并向学生收取费用，" * 4
    fits = measure(["序号", "问题描述"], [[1, long], [22, "短"]])
    assert fits[0].width < 10 and not fits[0].wrap
    assert fits[1].width == MAX_WIDTH and fits[1].wrap


# --- the outputs, written for real --------------------------------------------------------

def _unit_with_many_rows(folder: Path) -> Path:
    """One unit's complaints ledger long enough to run over several printed pages, with long
    text to wrap and dates in every row."""
    header = ["编号", "收件日期", "来源", "方式", "类别", "被反映人", "反映人", "联系电话", "反映问题",
              "承办单位", "处置方式", "办理状态", "办结日期", "核查结论"]
    rows = [[f"YZ-{i:03d}", date(2026, 10, 1 + i % 28), ("省转办", "市转办", "自办")[i % 3], "来信", "违规收费",
             "县第一中学", "张三", "13812345678",
             f"反映该校第{i}班以资料费名义向学生收取费用，并要求家长在指定书店购买教辅材料，金额较大",
             "县第一中学", "初步核实", "办结", date(2026, 10, 1 + i % 28), "属实"] for i in range(1, 131)]
    return write_xlsx(folder / "县第一中学_2026年10月台账.xlsx",
                      {"信访举报台账": [["填报单位：县第一中学"], header, *rows]})


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """The summary of the sample month (-o) and a master of the sample month plus a long ledger."""
    tmp = tmp_path_factory.mktemp("print")
    summary = tmp / "汇总.xlsx"
    assert main(["summary", str(MONTH), "--as-of", "2026-10-31", "-o", str(summary)]) == 1  # planted errors
    inbox = tmp / "inbox"
    shutil.copytree(MONTH, inbox)
    for p in inbox.glob("县第一中学*"):
        p.unlink()
    _unit_with_many_rows(inbox)
    master = tmp / "局主表.xlsx"
    code = main(["consolidate", str(inbox), "--period", "2026-10", "--master", str(master), "--roster", str(ROSTER)])
    assert code == 1  # three units' ledgers carry planted errors
    return tmp, summary, master


@pytest.mark.slow
def test_every_sheet_is_set_up_for_a4(outputs):
    _tmp, summary, master = outputs
    for path in (summary, master):
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            setup = ws.page_setup
            assert str(setup.paperSize) == ws.PAPERSIZE_A4, (path.name, ws.title)
            assert (int(setup.fitToWidth), int(setup.fitToHeight)) == (1, 0) and ws.sheet_properties.pageSetUpPr.fitToPage
            assert ws.print_title_rows, ws.title
            assert ws.print_area, ws.title
            if ws.title in TABLE_SHEETS:
                assert ws.freeze_panes == "A2" and ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:")
                widths = [ws.column_dimensions[c].width for c in ws.column_dimensions]
                assert setup.orientation == ("landscape" if sum(widths) > PORTRAIT_CHARS else "portrait"), ws.title


def test_master_widths_come_from_the_content(outputs):
    _tmp, _summary, master = outputs
    ws = openpyxl.load_workbook(master)["信访举报合并"]
    header = [c.value for c in ws[1]]
    width = {h: ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width for i, h in enumerate(header, 1)}
    assert width["收件日期"] >= text_width("2026年10月31日") + 1  # no ###
    assert width["来源文件"] >= text_width("县第一中学_2026年10月台账.xlsx")  # a file name whole
    assert width["反映问题"] == MAX_WIDTH  # long text: the widest column, wrapped
    cell = ws.cell(2, header.index("反映问题") + 1)
    assert cell.alignment.wrap_text  # streamed rows carry the column's wrapping
    assert ws.cell(2, header.index("收件日期") + 1).number_format == 'yyyy"年"m"月"d"日"'


# --- rendered -----------------------------------------------------------------------------

def _render(tmp: Path, *books: Path) -> dict[str, list[str]]:
    """Each workbook as PDF pages of text (LibreOffice, then pdftotext page by page)."""
    out = tmp / "pdf"
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp}/lo", "--convert-to", "pdf",
                    "--outdir", str(out), *map(str, books)], check=True, capture_output=True, timeout=300)
    pages: dict[str, list[str]] = {}
    for book in books:
        pdf = out / f"{book.stem}.pdf"
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        count = int(re.search(r"Pages:\s+(\d+)", info).group(1))
        pages[book.name] = [
            subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), "-layout", str(pdf), "-"],
                           capture_output=True, text=True, check=True).stdout
            for n in range(1, count + 1)]
    return pages


def _sheet_of(page: str) -> str:
    """The sheet a page belongs to: the page header names it; the 汇总表 has its title instead."""
    first = next(line.strip() for line in page.splitlines() if line.strip())
    return "汇总表" if first.endswith("纪检监察工作统计汇总表") else first


@pytest.mark.slow
@pytest.mark.render
@needs_render
def test_rendered_pages_have_no_hashes_no_blank_page_and_the_header_on_every_page(outputs):
    tmp, summary, master = outputs
    rendered = _render(tmp, summary, master)
    wbs = {summary.name: openpyxl.load_workbook(summary), master.name: openpyxl.load_workbook(master)}
    seen: dict[str, dict[str, int]] = {}
    for name, pages in rendered.items():
        for n, page in enumerate(pages, 1):
            assert page.strip(), f"{name} 第 {n} 页是空白页"
            assert "###" not in page, f"{name} 第 {n} 页有 ###"
            sheet = _sheet_of(page)
            assert sheet in wbs[name].sheetnames, (name, n, sheet)
            seen.setdefault(name, {}).setdefault(sheet, 0)
            seen[name][sheet] += 1
            if sheet == "汇总表":
                assert "统计期间：2026年10月" in page  # the title rows repeat
            else:
                header = [c.value for c in wbs[name][sheet][1]][:4]
                assert all(h in page for h in header), (name, n, sheet, header)
            assert re.search(r"第 \d+ 页，共 \d+ 页", page), (name, n)
    # every sheet printed, and the long detail over several pages (each with its header)
    assert set(seen[summary.name]) == set(wbs[summary.name].sheetnames)
    assert set(seen[master.name]) == set(wbs[master.name].sheetnames)
    assert seen[master.name]["信访举报合并"] >= 2
    # the sample month's master printed on 32 pages before (four ledger kinds); now a page a
    # block of the 汇总表, a page a sheet but the long ones
    assert sum(seen[master.name].values()) <= 20


@pytest.mark.slow
@pytest.mark.render
@needs_render
def test_rendered_text_is_whole(outputs):
    """Dates print in full, unit and file names are not cut, long text wraps within the page."""
    tmp, summary, master = outputs
    text = "\n".join(_render(tmp, master)[master.name])
    flat = re.sub(r"\s+", "", text)
    assert "2026年10月31日" in flat and "2026年10月2日" in flat
    for unit in ("县第一中学", "县第二中学", "城关小学", "东关小学", "县特殊教育学校"):
        assert unit in text
    assert "县第一中学_2026年10月台账.xlsx" in text
    # each long complaint wraps onto a second line, which is printed too (not cut at one line)
    assert flat.count("金额较大") == 130
    assert "不在规定选项内（unknown-value）" in flat  # codes beside their title, in print too
