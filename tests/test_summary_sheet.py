"""The written summary: cells, formats, print settings, charts, detail, and a real render.

The sheets are written with ``save_summary`` / ``write_summary`` from figures of workbooks
built here, then reopened with openpyxl; ``test_cli_summary.py`` covers the command.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from fixtures import AS_OF, Text, write_xlsx
from taizhang.config import default_config
from taizhang.figures import Period, compute, rows_by_kind
from taizhang.usecases.files import check_file
from taizhang.summary import DETAIL_SHEET, SUMMARY_SHEET, OutputError, save_summary, write_summary

SAMPLES = Path(__file__).resolve().parent.parent / "workbooks" / "samples" / "2026-10"
SECRETS = ("赵秘密", "钱秘密", "孙秘密", "13912345678", "13987654321", "13800000000")

UNIT = {
    "信访举报台账": [
        ["填报单位：县一中"],
        ["编号", "收件日期", "来源", "方式", "反映人", "联系电话", "办理状态", "办结日期", "被反映人"],
        [1, "2026-10-03", "省转办", "来信", "赵秘密", "13912345678", "办结", "2026-10-09", Text("=HYPERLINK(\"http://x\")")],
        [2, "2026-10-05", "市转办", "来访", "钱秘密", "13987654321", "在办", None, Text("+王某")],
        [3, "2026-09-05", "自办", "来电", "孙秘密", "13800000000", "办结", "2026-09-20", Text("@李某")],
    ],
    "处分台账": [["姓名", "问题类型", "处分类别", "处理方式", "处理日期"],
                ["张某", "违规收费", "政务处分", "记过", "2026-10-08"],
                ["张某", "违规收费", None, "诫勉", "2026-10-09"],
                ["李某", "乱招生", None, "诫勉", "2026-09-09"]],
    "退费台账": [["学校", "收费项目", "查实日期", "应退金额", "已退金额"],
                ["县一中", "补课费", "2026-10-10", "1,234.56", "1234.5"],
                [Text("=1+2"), "资料费", "2026-10-11", "0.1万元", "1000"],
                ["县一中", "择校", "2026-03-01", 500, 500]],
    "整改台账": [["问题来源", "发现日期", "问题描述", "责任单位", "整改时限", "整改状态", "完成时间"],
                ["巡察", "2026-10-01", Text("=SUM(A1:A9)"), "县一中", "2026-10-20", "未整改", None],
                ["审计", "2026-10-02", "乙", "县一中", "2026-12-31", "已整改", "2026-10-15"]],
}


def report_of(tmp_path: Path, period: str = "2026-10", sheets=UNIT):
    source = write_xlsx(tmp_path / "县一中.xlsx", sheets)
    config = default_config()
    checked = check_file(source, as_of=AS_OF, config=config)
    return compute(rows_by_kind(checked.ledgers), Period.parse(period), AS_OF, config)


@pytest.fixture
def out(tmp_path):
    path = tmp_path / "汇总.xlsx"
    save_summary(path, report_of(tmp_path), bureau="某某县教育局", blocking_errors=[])
    return path


def labels_of(ws) -> dict[str, int]:
    """Label (without the indent) -> row of its first occurrence in column A."""
    out: dict[str, int] = {}
    for r in range(1, ws.max_row + 1):
        value = ws.cell(r, 1).value
        if value is not None:
            out.setdefault(str(value).strip("　"), r)
    return out


def figures_at(ws, label: str, after: str | None = None) -> tuple:
    labels = labels_of(ws)
    start = labels[after] if after else 1
    row = next(r for r in range(start, ws.max_row + 1) if str(ws.cell(r, 1).value).strip("　") == label)
    return ws.cell(row, 2).value, ws.cell(row, 3).value


def money_at(ws, label: str, after: str | None = None) -> tuple:
    """The two figures of a money line, exactly (openpyxl reads numbers back as float)."""
    return tuple(None if v is None else Decimal(str(v)) for v in figures_at(ws, label, after))


def test_title_blocks_and_number_formats(out):
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == [SUMMARY_SHEET, DETAIL_SHEET]
    ws = wb[SUMMARY_SHEET]
    assert ws["A1"].value == "某某县教育局纪检监察工作统计汇总表"
    assert ws["A2"].value == "统计期间：2026年10月　　统计截至：2026年10月31日"
    assert "A1:J1" in {str(r) for r in ws.merged_cells.ranges}
    labels = labels_of(ws)
    for title in ("一、信访举报", "二、违规收费退费", "三、处分处理", "四、问题整改"):
        row = labels[title]
        assert (ws.cell(row, 2).value, ws.cell(row, 3).value) == ("本月", "累计（2026年1—10月）")
    assert figures_at(ws, "受理信访举报总数") == (2, 3)
    assert ws.cell(labels["受理信访举报总数"], 2).number_format == '#,##0"件"'
    assert [figures_at(ws, s) for s in ("省转办", "市转办", "自办")] == [(1, 1), (1, 1), (0, 1)]
    assert figures_at(ws, "来访人次") == (1, 1)
    assert money_at(ws, "应退金额") == (Decimal("2234.56"), Decimal("2734.56"))
    assert money_at(ws, "已退金额") == (Decimal("2234.5"), Decimal("2734.5"))
    assert money_at(ws, "尚未退还") == (Decimal("0.06"), Decimal("0.06"))
    assert ws.cell(labels["应退金额"], 2).number_format == '#,##0.00"元"'
    assert figures_at(ws, "处理人数") == (1, 2) and figures_at(ws, "处理人次") == (2, 3)
    assert ws.cell(labels["处理人数"], 2).number_format == '#,##0"人"'
    assert ws.cell(labels["处理人次"], 2).number_format == '#,##0"人次"'
    assert figures_at(ws, "整改问题总数") == (2, 2) and figures_at(ws, "逾期未完成") == (1, 1)
    assert figures_at(ws, "完成率") == (0.5, 0.5) and ws.cell(labels["完成率"], 2).number_format == "0.0%"
    # fonts, borders, widths
    assert ws["A1"].font.name == "黑体" and ws["A1"].font.b
    row = labels["受理信访举报总数"]
    assert ws.cell(row, 1).font.name == "宋体" and ws.cell(row, 1).font.b
    assert all(ws.cell(row, c).border.left.style == "thin" for c in (1, 2, 3))
    assert ws.column_dimensions["A"].width >= 30 and ws.column_dimensions["B"].width >= 14


def test_totals_visibly_add_up(out):
    ws = openpyxl.load_workbook(out)[SUMMARY_SHEET]
    for col in (0, 1):
        sources = [figures_at(ws, s)[col] for s in ("省转办", "市转办", "自办")]
        assert figures_at(ws, "来源小计（应等于总数）")[col] == sum(sources) == figures_at(ws, "受理信访举报总数")[col]
        items = [money_at(ws, k, after="已退金额按收费项目：")[col] for k in ("有偿补课", "教辅材料", "择校费")]
        assert money_at(ws, "小计（应等于已退金额）", after="已退金额按收费项目：")[col] == sum(items)
        schools = [money_at(ws, k, after="已退金额按学校：")[col] for k in ("县一中", "=1+2")]
        assert money_at(ws, "小计（应等于已退金额）", after="已退金额按学校：")[col] == sum(schools) \
            == money_at(ws, "已退金额")[col]
        forms = [figures_at(ws, f)[col] for f in ("第一种形态", "第二种形态", "第三种形态", "第四种形态")]
        assert figures_at(ws, "小计（应等于处理人次）")[col] == sum(forms) == figures_at(ws, "处理人次")[col]
        states = [figures_at(ws, s)[col] for s in ("未启动", "整改中", "已完成", "已销号")]
        assert figures_at(ws, "状态小计（应等于总数）")[col] == sum(states) == figures_at(ws, "整改问题总数")[col]
    # cause x measure: 违规收费 -> 记过 1, 诫勉 1 this month; 违规招生 -> 诫勉 1 in the year
    assert figures_at(ws, "记过", after="违规收费") == (1, 1)
    assert figures_at(ws, "诫勉", after="违规招生") == (0, 1)


def test_print_setup_is_a4_landscape_fit_to_width_one_page_per_block(out):
    ws = openpyxl.load_workbook(out)[SUMMARY_SHEET]
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    last = max(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value is not None)
    assert ws.print_area == f"'{SUMMARY_SHEET}'!$A$1:$J${max(last, labels_of(ws)['五、工作开展'] + 1 + 16)}"
    assert ws.print_title_rows == "$1:$2"
    labels = labels_of(ws)
    breaks = [b.id for b in ws.row_breaks.brk]
    assert breaks == [labels[t] - 1 for t in ("二、违规收费退费", "三、处分处理", "四、问题整改", "五、工作开展")]


def test_native_charts_with_the_right_series(out):
    ws = openpyxl.load_workbook(out)[SUMMARY_SHEET]
    labels = labels_of(ws)
    charts = {c.title.tx.rich.p[0].r[0].t: c for c in ws._charts}
    assert set(charts) == {"信访举报来源（件）", "处理方式（人）"}
    source = charts["信访举报来源（件）"]
    start = labels["省转办"]
    assert [s.val.numRef.f for s in source.series] == [f"'{SUMMARY_SHEET}'!$B${start}:$B${start + 2}",
                                                      f"'{SUMMARY_SHEET}'!$C${start}:$C${start + 2}"]
    assert source.series[0].cat.numRef.f == f"'{SUMMARY_SHEET}'!$A${start}:$A${start + 2}"
    measures = charts["处理方式（人）"]
    first = labels["按处理方式："] + 1
    last = labels["按处分类别："] - 1
    assert [s.val.numRef.f for s in measures.series] == [f"'{SUMMARY_SHEET}'!$B${first}:$B${last}",
                                                        f"'{SUMMARY_SHEET}'!$C${first}:$C${last}"]
    assert [str(ws.cell(r, 1).value).strip("　") for r in range(first, last + 1)] == ["诫勉", "记过"]
    # anchored beside their blocks, inside the print area
    anchors = {t: c.anchor._from for t, c in charts.items()}
    assert anchors["信访举报来源（件）"].row + 1 == labels["一、信访举报"] + 1 and anchors["信访举报来源（件）"].col == 4
    assert anchors["处理方式（人）"].row + 1 == labels["三、处分处理"] + 1


def _paragraphs(ws) -> list[str]:
    """The report paragraph's rows: merged A:J cells from row 3 to the first block."""
    merged = {str(r) for r in ws.merged_cells.ranges}
    out, r = [], 3
    while f"A{r}:J{r}" in merged:
        cell = ws[f"A{r}"]
        assert cell.alignment.wrap_text and ws.row_dimensions[r].height, r
        out.append(cell.value)
        r += 1
    return out


def test_narrative_is_merged_wrapped_paragraphs_ready_to_paste(out):
    """Issue 28 item 2: a paragraph per kind, 本月 first then 累计, as the Word report sets it;
    joined they are the narrative of ``summary --json`` exactly."""
    ws = openpyxl.load_workbook(out)[SUMMARY_SHEET]
    paragraphs = _paragraphs(ws)
    assert paragraphs[0] == "2026年10月，共受理信访举报2件，其中省转办件1件、市转办件1件，已办结1件。"
    assert any(p.startswith("因违规收费给予诫勉1人、记过处分1人") for p in paragraphs)
    ytd = next(i for i, p in enumerate(paragraphs) if p.startswith("截至10月底，全年累计"))
    assert 2 <= ytd < len(paragraphs) and not any("截至" in p for p in paragraphs[:ytd])
    assert len(paragraphs) >= 4


def test_the_paragraphs_join_to_the_narrative_of_the_json():
    from taizhang.summary.sheet import narrative_paragraphs

    config = default_config()
    checked = [check_file(p, as_of=AS_OF, config=config) for p in sorted(SAMPLES.iterdir())]
    report = compute(rows_by_kind([lg for c in checked for lg in c.ledgers]), Period.parse("2026-10"), AS_OF, config)

    paragraphs = narrative_paragraphs(report)
    assert "".join(paragraphs) == report.narrative and len(paragraphs) >= 8
    # 工作开展 has a paragraph per 方面, and 本月 never mixes with 累计
    assert sum(p.startswith(("学习教育方面", "宣传教育方面")) for p in paragraphs) >= 2
    at = next(i for i, p in enumerate(paragraphs) if p.startswith("截至10月底"))
    assert "截至" not in "".join(paragraphs[:at])


def test_detail_sheet_traces_rows_and_keeps_text_as_text(out):
    wb = openpyxl.load_workbook(out)
    ws = wb[DETAIL_SHEET]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("板块", "计入", "文件", "工作表", "行号", "日期", "单位", "分类", "状态或处理", "金额（元）", "说明")
    # the month's rows count in both columns; September's (in 累计 only) follow their block's
    assert [(r[0], r[3], r[4]) for r in rows[1:] if r[1] == "累计"] == [
        ("信访举报", "信访举报台账", 5), ("退费", "退费台账", 4), ("处分", "处分台账", 4)]
    rows = [rows[0]] + [r for r in rows[1:] if r[1] == "本月、累计"]
    traced = [(r[0], r[2], r[3], r[4]) for r in rows[1:]]
    assert traced == [("信访举报", "县一中.xlsx", "信访举报台账", 3), ("信访举报", "县一中.xlsx", "信访举报台账", 4),
                      ("退费", "县一中.xlsx", "退费台账", 2), ("退费", "县一中.xlsx", "退费台账", 3),
                      ("处分", "县一中.xlsx", "处分台账", 2), ("处分", "县一中.xlsx", "处分台账", 3),
                      ("整改", "县一中.xlsx", "整改台账", 2), ("整改", "县一中.xlsx", "整改台账", 3)]
    refund = rows[3]
    assert refund[5] == datetime(2026, 10, 10) and Decimal(str(refund[9])) == Decimal("1234.5")
    assert refund[10] == "应退 1,234.56元，已退 1,234.50元"
    at = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "退费")
    assert ws.cell(at, 6).number_format == 'yyyy"年"m"月"d"日"' and ws.cell(at, 10).number_format == '#,##0.00"元"'
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:K{ws.max_row}"
    cells = [c for sheet in wb for row in sheet.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    for text in ('=HYPERLINK("http://x")', "+王某", "=1+2", "=SUM(A1:A9)"):
        assert any(c.value == text and c.data_type == "s" for c in cells), text
    everything = " ".join(str(c.value) for c in cells)
    assert not any(secret in everything for secret in SECRETS)


def test_ledger_text_never_becomes_a_formula_in_the_saved_file(out):
    import zipfile

    with zipfile.ZipFile(out) as z:
        xml = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/worksheets/sheet"))
    assert "<f>" not in xml and "<f " not in xml


def test_a_year_has_one_figure_column_and_one_series(tmp_path):
    path = tmp_path / "年.xlsx"
    save_summary(path, report_of(tmp_path, "2026"), bureau="县教育局", blocking_errors=[])
    ws = openpyxl.load_workbook(path)[SUMMARY_SHEET]
    labels = labels_of(ws)
    row = labels["一、信访举报"]
    assert (ws.cell(row, 2).value, ws.cell(row, 3).value) == ("2026年", None)
    assert figures_at(ws, "受理信访举报总数") == (3, None)
    assert ws.cell(labels["受理信访举报总数"], 3).border.left.style is None
    assert all(len(c.series) == 1 for c in ws._charts)
    assert ws["A3"].value.startswith("2026年，共受理信访举报3件")


def test_blocking_errors_make_a_red_banner(tmp_path):
    wb = openpyxl.Workbook()
    write_summary(wb, report_of(tmp_path), bureau="县教育局",
                  blocking_errors=["二中.xlsx“处分台账”错误 1 个", "坏.xlsx无法读取，未计入"])
    ws = wb[SUMMARY_SHEET]
    banner = ws["A3"]
    assert banner.value == ("注意：以下台账存在错误，统计数字可能不准确，请先更正：二中.xlsx“处分台账”错误 1 个；"
                            "坏.xlsx无法读取，未计入")
    assert banner.fill.fgColor.rgb.endswith("FFC7CE") and banner.font.color.rgb.endswith("9C0006")
    assert ws["A4"].value.startswith("2026年10月")  # the paragraph follows
    clean = openpyxl.Workbook()
    write_summary(clean, report_of(tmp_path), bureau="县教育局", blocking_errors=[])
    assert clean[SUMMARY_SHEET]["A3"].value.startswith("2026年10月")


def _snapshot(wb) -> dict:
    """Every value, number format, merged range and width of every sheet but ours."""
    out = {}
    for ws in wb:
        if ws.title in (SUMMARY_SHEET, DETAIL_SHEET):
            continue
        out[ws.title] = (
            [[(c.value, c.number_format, c.data_type) for c in row] for row in ws.iter_rows()],
            sorted(str(r) for r in ws.merged_cells.ranges),
            {k: d.width for k, d in ws.column_dimensions.items()},
            ws.sheet_state,
        )
    return out


def test_an_existing_workbook_keeps_every_other_sheet(tmp_path):
    path = tmp_path / "局报表.xlsx"
    wb = openpyxl.Workbook()
    cover = wb.active
    cover.title = "封面"
    cover["A1"] = "十月报表"
    cover["B2"] = date(2026, 10, 31)
    cover["B2"].number_format = "yyyy-mm-dd"
    cover["C3"] = "=SUM(D1:D3)"
    cover["D1"], cover["D2"], cover["D3"] = 1, Decimal("2.5"), 3.25
    cover.merge_cells("A5:C6")
    cover.column_dimensions["A"].width = 40
    wb.create_sheet("汇总表")["A1"] = "旧的汇总"
    notes = wb.create_sheet("说明")
    notes["A1"] = "=HYPERLINK(\"http://x\")"
    notes.sheet_state = "hidden"
    wb.save(path)
    before = _snapshot(openpyxl.load_workbook(path))

    report = report_of(tmp_path)
    save_summary(path, report, bureau="县教育局", blocking_errors=[])
    save_summary(path, report, bureau="县教育局", blocking_errors=[])  # again: replaced, not added
    back = openpyxl.load_workbook(path)
    assert back.sheetnames == ["封面", "汇总表", "明细", "说明"]  # the summary keeps its place
    assert _snapshot(back) == before
    assert back["汇总表"]["A1"].value == "县教育局纪检监察工作统计汇总表"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left


def test_write_summary_leaves_other_sheets_of_an_open_workbook_alone(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "信访举报台账"
    wb.active.append(["编号", "来源"])
    wb.create_sheet("明细").append(["old"])
    write_summary(wb, report_of(tmp_path), bureau="县教育局", blocking_errors=[])
    assert wb.sheetnames == ["汇总表", "明细", "信访举报台账"]
    assert wb["明细"]["A1"].value == "板块" and wb["信访举报台账"]["A1"].value == "编号"


def test_refuses_an_xls_name_and_a_file_it_cannot_open(tmp_path):
    report = report_of(tmp_path)
    with pytest.raises(OutputError, match=r"\.xlsx 或 \.xlsm"):
        save_summary(tmp_path / "汇总.xls", report, bureau="县教育局", blocking_errors=[])
    fake = tmp_path / "汇总.xlsx"
    fake.write_bytes(b"not a zip")
    with pytest.raises(OutputError, match="不是可以打开的 Excel 工作簿"):
        save_summary(fake, report, bureau="县教育局", blocking_errors=[])
    assert fake.read_bytes() == b"not a zip"


def _pdf_pages(pdf: Path) -> list[tuple[float, float]]:
    """(width, height) in points of each page's MediaBox, as pdfinfo reads it."""
    info = subprocess.run(["pdfinfo", "-box", "-f", "1", "-l", "999", str(pdf)],
                          capture_output=True, text=True, check=True).stdout
    boxes = re.findall(r"Page\s+\d+\s+MediaBox:\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)", info)
    return [(float(x1) - float(x0), float(y1) - float(y0)) for x0, y0, x1, y1 in boxes]


def _png_size(path: Path) -> tuple[int, int]:
    with open(path, "rb") as fh:
        head = fh.read(24)
    return struct.unpack(">II", head[16:24])


@pytest.mark.slow
@pytest.mark.render
@pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftoppm") and shutil.which("pdfinfo")),
                    reason="LibreOffice 或 poppler-utils 未安装")
@pytest.mark.skipif(not SAMPLES.is_dir(), reason="样例台账不存在")
def test_renders_a4_landscape_a_block_starting_each_page(tmp_path):
    ledgers = [check_file(p, as_of=AS_OF) for p in sorted(SAMPLES.iterdir()) if not p.name.startswith((".", "~$"))]
    config = default_config()
    report = compute(rows_by_kind(lg for r in ledgers for lg in r.ledgers if not lg.hidden),
                     Period.parse("2026-10"), AS_OF, config)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    write_summary(wb, report, bureau="县教育局", blocking_errors=[], detail=False)  # the summary sheet alone
    only = tmp_path / "only.xlsx"
    wb.save(only)
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(only)], check=True, capture_output=True, timeout=180)
    pages = _pdf_pages(tmp_path / "only.pdf")
    # the sample month's paragraph (本月 and 累计, with the work done) fills the first page(s),
    # then each block starts a page; the long 工作开展 runs on over pages at full size (issue 28:
    # it was shrunk to 7 pt to keep to one page)
    texts = [subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), "-layout", str(tmp_path / "only.pdf"), "-"],
                            capture_output=True, text=True, check=True).stdout for n in range(1, len(pages) + 1)]
    starts = [next((ln.split()[0] for ln in t.splitlines()[2:] if ln.strip()), "") for t in texts]
    titles = [t for t in starts if re.match(r"[一二三四五六七八九十]+、", t)]
    assert len(titles) == 5 and titles[0].startswith("一、") and titles[-1].startswith("五、"), starts
    assert starts[0].startswith("2026年10月") and len(pages) <= 10
    assert all((round(w), round(h)) == (842, 595) for w, h in pages)  # A4 landscape
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(tmp_path / "only.pdf"), str(tmp_path / "page")],
                   check=True, timeout=60)
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert len(pngs) == len(pages)
    for png in pngs:
        width, height = _png_size(png)
        assert width > height and abs(width / height - 842 / 595) < 0.02


def test_unknown_states_and_sources_have_their_own_line_so_totals_still_add_up(tmp_path):
    sheets = {
        "整改台账": [["问题来源", "发现日期", "问题描述", "责任单位", "整改时限", "整改状态"],
                    ["巡察", "2026-10-01", "甲", "一中", "2026-12-20", "整改中"],
                    ["巡察", "2026-10-02", "乙", "一中", "2026-12-20", "搁置"]],
        "信访举报台账": [["收件日期", "来源"], ["2026-10-01", "区转办"], ["2026-10-02", "自办"]],
    }
    path = tmp_path / "s.xlsx"
    save_summary(path, report_of(tmp_path, sheets=sheets), bureau="县教育局", blocking_errors=[])
    ws = openpyxl.load_workbook(path)[SUMMARY_SHEET]
    assert figures_at(ws, "状态不明（见问题清单）") == (1, 1)
    assert figures_at(ws, "状态小计（应等于总数）") == figures_at(ws, "整改问题总数") == (2, 2)
    assert figures_at(ws, "来源不明（见问题清单）") == (1, 1)
    assert figures_at(ws, "来源小计（应等于总数）") == figures_at(ws, "受理信访举报总数") == (2, 2)
