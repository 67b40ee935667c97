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
from taizhang.printing import MAX_WIDTH, MIN_SCALE, PORTRAIT_CHARS, legible_scale, measure, shown, text_width
from fixtures import write_xlsx
from rendering import to_pdf

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


@pytest.fixture(scope="module")
def findings_list(outputs):
    """``taizhang check -o``: the 问题清单 alone."""
    tmp = outputs[0]
    path = tmp / "问题清单.xlsx"
    assert main(["check", str(MONTH), "-o", str(path)]) == 1
    return path


@pytest.mark.slow
def test_every_sheet_is_set_up_for_a4(outputs):
    _tmp, summary, master = outputs
    for path in (summary, master):
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            setup = ws.page_setup
            assert str(setup.paperSize) == ws.PAPERSIZE_A4, (path.name, ws.title)
            if ws.sheet_properties.pageSetUpPr.fitToPage:  # fitted to the width, legibly
                assert (int(setup.fitToWidth), int(setup.fitToHeight)) == (1, 0), (path.name, ws.title)
            else:  # too wide for that: a legible scale, across pages, the first column on each
                assert MIN_SCALE * 100 <= int(setup.scale) <= 100 and ws.print_title_cols, (path.name, ws.title)
            assert ws.print_title_rows, ws.title
            assert ws.print_area, ws.title
            if ws.title in TABLE_SHEETS:
                assert ws.freeze_panes == "A2" and ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:")
                widths = [ws.column_dimensions[c].width for c in ws.column_dimensions
                          if not ws.column_dimensions[c].hidden]
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
    pdfs = to_pdf(tmp / "pdf", *books, profile=tmp / "lo")
    pages: dict[str, list[str]] = {}
    for book in books:
        pdf = pdfs[book]
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
            else:  # the header row and the first column repeat on every page, across too
                header = [c.value for c in wbs[name][sheet][1]]
                assert header[0] in page and sum(h in page for h in header) >= 2, (name, n, sheet, header)
            assert re.search(r"第 \d+ 页，共 \d+ 页", page), (name, n)
    # every sheet printed, and the long detail over several pages (each with its header)
    assert set(seen[summary.name]) == set(wbs[summary.name].sheetnames)
    assert set(seen[master.name]) == set(wbs[master.name].sheetnames)
    assert seen[master.name]["信访举报合并"] >= 2


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


# --- legible on paper ---------------------------------------------------------------------

#: poppler's word box is this many times the font size; measured on a calibration sheet of
#: known sizes rendered in the same run (the fonts LibreOffice falls back to decide it).
def _words(pdf: Path) -> list[list[tuple[float, str]]]:
    """Each page's words as (box height in points, text), read by pdftotext -bbox."""
    import html

    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = []
    for page in re.findall(r"<page [^>]*>(.*?)</page>", xml, re.S):
        pages.append([(float(y1) - float(y0), html.unescape(w)) for y0, y1, w in re.findall(
            r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)<', page)])
    return pages


def _calibration(folder: Path) -> Path:
    """A sheet printed at 100% with text of known sizes in the fonts taizhang writes."""
    from openpyxl.styles import Font

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "校准"
    for r, size in enumerate((8, 11, 14), start=1):
        for c, font in enumerate(("宋体", "仿宋", "黑体", "Calibri"), start=1):
            ws.cell(r, c, f"字号{size}").font = Font(name=font, size=size)
    path = folder / "校准.xlsx"
    wb.save(path)
    return path


def smallest_text(tmp: Path, *books: Path) -> dict[tuple[str, str], float]:
    """The smallest text on paper, in points, per (workbook, sheet) over all its pages: each
    workbook rendered to PDF by LibreOffice, each word's height read by poppler and divided by
    the height a word of 1 pt has (from a calibration sheet of known sizes)."""
    out = tmp / "pdf-size"
    calib = _calibration(tmp)
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp}/lo", "--convert-to", "pdf",
                    "--outdir", str(out), str(calib), *map(str, books)], check=True, capture_output=True, timeout=300)
    [known] = _words(out / "校准.pdf")
    ratios = {round(h / int(w[2:]), 3) for h, w in known if w.startswith("字号")}
    assert len(known) == 12 and max(ratios) - min(ratios) < 0.02, known  # one ratio for all fonts and sizes
    ratio = min(ratios)
    smallest: dict[tuple[str, str], float] = {}
    for book in books:
        wb = openpyxl.load_workbook(book)
        for n, page in enumerate(_words(out / f"{book.stem}.pdf"), start=1):
            assert page, (book.name, n)
            text = "\n".join(w for _h, w in page)
            sheet = "汇总表" if "纪检监察工作统计汇总表" in text else next(w for _h, w in page if w in wb.sheetnames)
            size = min(h for h, _w in page) / ratio
            key = (book.name, sheet)
            smallest[key] = min(size, smallest.get(key, size))
    return smallest


@pytest.mark.slow
@pytest.mark.render
@needs_render
def test_no_text_on_paper_is_smaller_than_8_points(outputs, findings_list):
    """Issue 28: every page of every sheet taizhang writes, rendered on A4, holds its smallest
    text to 8 pt (the 汇总表's 工作开展 block was 7 pt and shrunk to 5 pt, the master's
    信访举报合并 22 columns at 3-4 pt)."""
    tmp, summary, master = outputs
    # the 汇总表 with its compared columns (较上月增减, 同比增减; a quarter's 较上季度增减) too
    compared = tmp / "汇总_对比.xlsx"
    assert main(["summary", str(MONTH), "--as-of", "2026-10-31", "--compare", "-o", str(compared)]) == 1
    quarter = tmp / "汇总_季度对比.xlsx"
    assert main(["summary", str(MONTH), "--as-of", "2026-12-31", "--period", "2026Q4", "--compare",
                 "-o", str(quarter)]) == 1
    sizes = smallest_text(tmp, summary, compared, quarter, master, findings_list)
    expected = {(book.name, s) for book in (summary, compared, quarter) for s in openpyxl.load_workbook(book).sheetnames}
    expected |= {(master.name, s) for s in openpyxl.load_workbook(master).sheetnames}
    expected |= {(findings_list.name, "问题清单")}
    assert set(sizes) == expected  # every sheet printed
    small = {k: round(v, 2) for k, v in sizes.items() if v < 8}
    assert not small, f"小于 8 磅的文字：{small}"


def test_a_wide_table_prints_across_pages_at_a_legible_scale():
    widths = [16.5, 9.5, 32.5, 14.5, 8.5, 12.5, 16.5, 8.5, 10.5, 10.5, 18.5, 8.5, 13.5, 40, 16.5, 10.5,
              10.5, 16.5, 10.5, 10.5, 14.5, 40]  # the master's 信访举报合并
    scale = legible_scale(widths, landscape=True, title_columns=1)
    assert scale is not None and MIN_SCALE * 100 <= scale <= 100
    assert legible_scale([20, 30, 20], landscape=False) is None  # fits: fitted to the width


def test_the_findings_list_shows_chinese_titles_and_keeps_the_code_last_and_hidden(outputs, findings_list):
    """Issue 28 item 4: staff read 问题类型; the code stays for tools in the last column, hidden."""
    from taizhang.findings_sheet import FINDINGS_COLUMNS, read_findings_cells

    _tmp, summary, master = outputs
    for path in (summary, master, findings_list):
        ws = openpyxl.load_workbook(path)["问题清单"]
        header = [c.value for c in ws[1]]
        assert header == list(FINDINGS_COLUMNS) and header[-1] == "代码", path.name
        last = openpyxl.utils.get_column_letter(len(header))
        assert ws.column_dimensions[last].hidden, path.name
        assert all(not ws.column_dimensions[openpyxl.utils.get_column_letter(i)].hidden for i in range(1, len(header)))
        kinds = {r[header.index("问题类型")] for r in ws.iter_rows(min_row=2, values_only=True)}
        assert kinds and not any(k.isascii() for k in kinds), kinds
    # a list written in the earlier layout (代码 before 问题) is still read back by its headers
    old = [["单位", "月份", "文件", "工作表", "单元格", "行号", "列", "级别", "问题类型", "代码", "问题"],
           [None, None, "a.xlsx", "退费台账", "H4", 4, "H", "错误", "单元格错误值", "cell-error", "…"]]
    assert read_findings_cells(old) == [("退费台账", "H4")]
