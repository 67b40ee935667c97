"""Layout of the summary sheet: title, report paragraph, a block per ledger kind with 本月 and 累计,
native charts, print settings for A4 landscape (one page per block), and the detail sheet
that traces every figure back to its file, sheet and row."""

from __future__ import annotations

import math
import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.chart import BarChart, Reference, Series
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from taizhang.config import Config, default_config
from taizhang.errors import TaizhangError
from taizhang.figures import Report, fen
from taizhang.figures.narrative import ytd_opening
from taizhang.findings_sheet import FINDINGS_SHEET, write_findings_sheet
from taizhang.summary.compared import compared_columns, signed
from taizhang.kinds import Block, Line, by_rank
from taizhang.kinds.common import COUNT, ITEMS, MONEY, PERSONS, RATE, TIMES  # noqa: F401 - formats
from taizhang.model import period_date
from taizhang.printing import measure, setup_page, setup_table, text_width, wrap_cells
from taizhang.writing import mark_output, put, replace_atomically

SUMMARY_SHEET = "汇总表"
DETAIL_SHEET = "明细"

FONT = "宋体"
DATE = 'yyyy"年"m"月"d"日"'
_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD = PatternFill("solid", fgColor="D9E1F2")
_BLOCK = PatternFill("solid", fgColor="FCE4D6")
_BANNER = PatternFill("solid", fgColor="FFC7CE")
#: A:C the table, E:J under the charts (CHART_WIDTH_CM fits in them in Excel and in
#: LibreOffice); narrow enough that the page, fitted to its width, keeps 11 pt text above 9 pt.
WIDTHS = {"A": 30, "B": 16, "C": 22, "D": 3, "E": 10, "F": 10, "G": 10, "H": 10, "I": 10, "J": 10}
CHART_WIDTH_CM = 11.5
#: Width of each compared column (较上月增减, 同比增减) when ``--compare`` adds them after 累计;
#: beside 累计 too the chart columns narrow to COMPARED_CHART_COLUMN (their chart to
#: COMPARED_CHART_CM), so that the page still fits its width at a legible scale.
COMPARED_WIDTH = 12
COMPARED_CHART_COLUMN = 6.5
COMPARED_CHART_CM = 9.0
LAST_COL = "J"
LAST_COLUMN = 10
#: Charts stand beside their block; a block is at least CHART_ROWS rows (of 15 pt) tall so
#: that its chart ends before the page break under it.  A chart with many categories is
#: taller (CATEGORY_CM a category) so that every category is labelled, never more than
#: MAX_CHART_CM (what a landscape page, scaled to its width, holds under the title rows).
CHART_HEIGHT_CM = 7.5
CATEGORY_CM = 0.68
CHART_BASE_CM = 2.6
MAX_CHART_CM = 17.0
CHART_ROWS = 16
#: Text of the charts' axes and legend, and of their titles, in hundredths of a point.
CHART_TEXT = 1100
CATEGORY_TEXT = 1000  # printed above 8 pt, and a label for each category of 工作开展 still fits
CHART_TITLE_TEXT = 1200
#: Excel's tallest row, in points.
MAX_ROW_HEIGHT = 409
#: Height (points) a block may take on an A4 landscape page under the repeated title rows
#: before it starts a page of its own (a longer one runs on over the next page, its rows and
#: text the size of any other: nothing is shrunk below legibility).
PAGE_BODY_POINTS = 460
ROW_POINTS = 15
#: The report paragraph: 仿宋 12 pt, about this many character units a line across A:J.
PARAGRAPH_POINTS = 12
PARAGRAPH_LINE_UNITS = 118
PARAGRAPH_LINE_POINTS = 17


def _to_chinese(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


def _blocks(report: Report, config: Config | None = None) -> list[Block]:
    """The blocks of the 汇总表, one per registered kind in report order, numbered 一、二、…"""
    config = config or default_config()
    out = []
    for i, d in enumerate(by_rank(), start=1):
        now = getattr(report.current, d.kind.value)
        ytd = getattr(report.year_to_date, d.kind.value) if report.year_to_date is not None else None
        block = d.block(now, ytd, config)
        block.title = f"{_to_chinese(i)}、{block.title}"
        out.append(block)
    return out


def _block_lines(report: Report, config: Config | None = None) -> list[tuple[str, list[Line]]]:
    """(title, lines) of every block (kept for callers of the former function)."""
    return [(b.title, b.lines) for b in _blocks(report, config)]


_GROUP = re.compile(r"(?<=。)(?=[^，。；]{2,8}方面，)")


def _split_groups(text: str) -> list[str]:
    """A kind's sentences, one paragraph per ``XX方面，…。`` group (工作开展 has several)."""
    return [part for part in _GROUP.split(text) if part]


def narrative_paragraphs(report: Report, config: Config | None = None) -> list[str]:
    """The report paragraph as the Word report sets it: 本月 first, a paragraph per kind (and
    per group of 工作开展), then 累计 the same way.  Joined they are ``report.narrative``
    exactly; should they not be (a narrative from elsewhere), the narrative is one paragraph."""
    config = config or default_config()
    period = report.period

    def parts(fig) -> list[str]:
        return [p for d in by_rank() for p in _split_groups(d.sentences(getattr(fig, d.kind.value), config))]

    try:
        now = parts(report.current) or ["无相关事项。"]
        if not period.is_all:
            now[0] = f"{period.label}，{now[0]}"
        out = now
        if report.compare is not None and report.compare.text:  # 较上月…、同比…
            out.append(report.compare.text)
        if report.year_to_date is not None and not period.is_all:
            ytd = parts(report.year_to_date)
            if ytd:
                ytd[0] = f"{ytd_opening(period)}{ytd[0]}"
                out += ytd
    except Exception:  # figures of another shape: the paragraph as it is
        return [report.narrative]
    return out if "".join(out) == report.narrative else [report.narrative]


def _paragraph_height(text: str) -> float:
    """Row height (points) of a paragraph wrapped across A:J."""
    lines = max(1, -(-text_width(text) // PARAGRAPH_LINE_UNITS))
    return min(MAX_ROW_HEIGHT, lines * PARAGRAPH_LINE_POINTS + 6)


def _style_row(ws: Worksheet, row: int, cols: str = "ABC", **kw: Any) -> None:
    for col in cols:
        cell = ws[f"{col}{row}"]
        cell.border = _BOX
        cell.font = Font(name=FONT, size=kw.get("size", 11), bold=kw.get("bold", False))
        if kw.get("fill"):
            cell.fill = kw["fill"]


def _number(value: Any) -> Any:
    if isinstance(value, Decimal):
        return fen(value)
    return value


def write_summary(wb: Workbook, report: Report, *, bureau: str, blocking_errors: list[str] | None = None,
                  index: int | None = 0, detail: bool = True, config: Config | None = None,
                  findings: list[dict[str, Any]] | None = None) -> Worksheet:
    """(Re)create the 汇总表 and 明细 sheets of ``wb`` from ``report``; other sheets untouched.

    An existing 汇总表 keeps its place; a new one goes at ``index`` (None: after the others).
    Without ``detail`` no 明细 sheet is written (the consolidated master traces its rows in
    its own detail sheets).  With ``findings`` (rows of :mod:`taizhang.findings_sheet`) the
    问题清单 the 汇总表 refers to is (re)written too, after 明细.
    """
    for name in (SUMMARY_SHEET, DETAIL_SHEET):
        if name in wb.sheetnames:
            if name == SUMMARY_SHEET:
                index = wb.sheetnames.index(name)
            del wb[name]
    ws = wb.create_sheet(SUMMARY_SHEET, index)
    has_ytd = report.year_to_date is not None
    cols = "ABC" if has_ytd else "AB"  # figure columns: 本月 and 累计, or the one period
    period = report.period
    others = compared_columns(report, config)  # 较上月增减, 同比增减 (with --compare)
    widths, last_col, chart_col, chart_cm = _layout(has_ytd, len(others))
    cols += "".join(get_column_letter(len(cols) + 1 + i) for i in range(len(others)))
    for col, width in widths.items():
        ws.column_dimensions[col].width = width

    ws.merge_cells(f"A1:{last_col}1")
    put(ws, 1, 1, f"{bureau}纪检监察工作统计汇总表")
    ws["A1"].font = Font(name="黑体", size=18, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 32
    ws.merge_cells(f"A2:{last_col}2")
    put(ws, 2, 1, f"统计期间：{period.label}　　统计截至：{report.as_of.year}年{report.as_of.month}月{report.as_of.day}日"
        + "".join(f"　　{c.note}" for c in others))
    ws["A2"].font = Font(name=FONT, size=11)
    ws["A2"].alignment = Alignment(horizontal="center")
    row = 3
    if blocking_errors:
        ws.merge_cells(f"A{row}:{last_col}{row}")
        put(ws, row, 1, "注意：以下台账存在错误，统计数字可能不准确，请先更正：" + "；".join(blocking_errors))
        cell = ws[f"A{row}"]
        cell.fill = _BANNER
        cell.font = Font(name=FONT, size=11, bold=True, color="9C0006")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.row_dimensions[row].height = min(MAX_ROW_HEIGHT, 15 * (1 + len("；".join(blocking_errors)) // 70))
        row += 1
    for paragraph in narrative_paragraphs(report, config):  # 本月 by kind, then 累计 by kind
        ws.merge_cells(f"A{row}:{last_col}{row}")
        put(ws, row, 1, paragraph)
        ws[f"A{row}"].font = Font(name="仿宋", size=PARAGRAPH_POINTS)
        ws[f"A{row}"].alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[row].height = _paragraph_height(paragraph)
        row += 1
    row -= 1
    above = sum((ws.row_dimensions[r].height or ROW_POINTS) for r in range(3, row + 1)) + ROW_POINTS
    row += 2

    block_rows: dict[str, tuple[int, int]] = {}
    blocks = _blocks(report, config)
    differences = [c.differences(report, config) for c in others]  # per column, per block, per line
    for b, block in enumerate(blocks):
        title, lines = block.title, block.lines
        rows_needed = max(len(lines) + 1, _chart_rows(block)) + 1
        if b or above + rows_needed * ROW_POINTS > PAGE_BODY_POINTS:
            # a block starts a page; the first one too when the paragraph (long, once the work
            # done is in it) leaves it no room on the first page
            ws.row_breaks.append(Break(id=row - 1))
        size = 11
        put(ws, row, 1, title)
        put(ws, row, 2, period.heading)  # 本月, 本季度, 本半年, 本期; a year by its label
        if has_ytd:
            put(ws, row, 3, f"累计（{period.year_to_date().label}）")
        for i, c in enumerate(others):
            put(ws, row, 3 + has_ytd + i, c.header)
        _style_row(ws, row, cols, bold=True, fill=_HEAD, size=size)
        if any(text_width(c.header) >= COMPARED_WIDTH for c in others):  # 较上年下半年增减: on two lines
            for i in range(len(others)):
                ws.cell(row, 3 + has_ytd + i).alignment = Alignment(wrap_text=True, vertical="center")
            ws.row_dimensions[row].height = 2 * ROW_POINTS
        ws[f"A{row}"].fill = _BLOCK
        first = row + 1
        for n, ln in enumerate(lines):
            row += 1
            put(ws, row, 1, ("　" * ln.indent) + ln.label)
            put(ws, row, 2, _number(ln.now), ln.fmt)
            if has_ytd:
                put(ws, row, 3, _number(ln.ytd), ln.fmt)
            for i, found in enumerate(differences):
                change = found[b][n] if found is not None else None
                put(ws, row, 3 + has_ytd + i, _number(change), signed(ln.fmt) if change is not None else None)
            _style_row(ws, row, cols, bold=ln.bold, size=size)
        block_rows[title] = (first, row)
        row = max(row, first + _chart_rows(block))  # room for the chart beside it, before the page break
        row += 2

    _charts(ws, report, blocks, block_rows, chart_col, chart_cm)
    if detail:
        _detail(wb, report, wb.sheetnames.index(SUMMARY_SHEET) + 1)
    if findings is not None:
        after = DETAIL_SHEET if DETAIL_SHEET in wb.sheetnames else SUMMARY_SHEET
        index = None if FINDINGS_SHEET in wb.sheetnames else wb.sheetnames.index(after) + 1
        write_findings_sheet(wb, findings, index=index)

    setup_page(ws, ncols=column_index_from_string(last_col), nrows=row - 2, title_rows="1:2", landscape=True, centred=True)
    ws.oddHeader.center.text = None  # the title rows repeated on every page say what it is
    ws.freeze_panes = None
    return ws


def _layout(has_ytd: bool, compared: int) -> tuple[dict[str, float], str, str, float]:
    """(column widths, the last column, the charts' column, the charts' width in cm): the table,
    a narrow gap, then the charts; without compared columns exactly :data:`WIDTHS` (A:C, gap D,
    charts E:J)."""
    if not compared:
        return WIDTHS, LAST_COL, "E", CHART_WIDTH_CM
    table = [WIDTHS["A"], WIDTHS["B"], *([WIDTHS["C"]] if has_ytd else []), *([COMPARED_WIDTH] * compared)]
    charts = [COMPARED_CHART_COLUMN] * 6 if has_ytd else [WIDTHS[c] for c in "EFGHIJ"]
    widths = [*table, WIDTHS["D"], *charts]
    letters = [get_column_letter(i) for i in range(1, len(widths) + 1)]
    return (dict(zip(letters, widths)), letters[-1], letters[len(table) + 1],
            COMPARED_CHART_CM if has_ytd else CHART_WIDTH_CM)


def _chart_height(count: int, horizontal: bool) -> float:
    """Height (cm) of a chart of ``count`` categories: room for a label each when they stand
    one above the other."""
    if not horizontal:
        return CHART_HEIGHT_CM
    return min(MAX_CHART_CM, max(CHART_HEIGHT_CM, CHART_BASE_CM + CATEGORY_CM * count))


def _chart_count(chart: Any, lines: list[Line]) -> int:
    labels = [ln.label for ln in lines]
    if chart.after not in labels:
        return 0
    start = labels.index(chart.after) + 1
    if chart.until is not None:
        return labels.index(chart.until) - start if chart.until in labels else 0
    return chart.count or 0


def _chart_rows(block: Block) -> int:
    """Rows (of 15 pt) a block's tallest chart covers."""
    cm = max((_chart_height(_chart_count(c, block.lines), c.horizontal) for c in block.charts),
             default=CHART_HEIGHT_CM)
    return max(CHART_ROWS, math.ceil(cm / 2.54 * 72 / ROW_POINTS) + 1)


def _text_properties(size: int, bold: bool = False) -> Any:
    """Chart text of ``size`` hundredths of a point (legible once printed)."""
    from openpyxl.chart.text import RichText
    from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties

    props = CharacterProperties(sz=size, b=bold)
    return RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=props), endParaRPr=props, r=[])])


def _bar_chart(ws: Worksheet, title: str, header_row: int, first: int, count: int, columns: int,
               anchor: str, horizontal: bool = False, width_cm: float = CHART_WIDTH_CM) -> None:
    """A native bar chart of ``count`` rows from ``first``: one series per figure column, every
    category labelled, text and bars that print legibly."""
    chart = BarChart()
    chart.type = "bar" if horizontal else "col"
    chart.title = title
    chart.style = 10
    chart.gapWidth = 60  # bars as thick as their labels, not hairlines
    chart.x_axis.tickLblSkip = 1  # every category labelled
    chart.x_axis.txPr = _text_properties(CATEGORY_TEXT if horizontal else CHART_TEXT)
    chart.y_axis.txPr = _text_properties(CHART_TEXT)
    chart.legend.txPr = _text_properties(CHART_TEXT)
    chart.x_axis.delete = chart.y_axis.delete = False
    for col in range(2, 2 + columns):
        values = Reference(ws, min_col=col, min_row=first, max_row=first + count - 1)
        chart.series.append(Series(values, title=str(ws.cell(header_row, col).value)))
    chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=first + count - 1))
    if horizontal:  # categories top to bottom, in the order of the table beside it
        chart.x_axis.scaling.orientation = "maxMin"
        chart.y_axis.crosses = "max"  # and the value axis stays at the bottom
    chart.title.tx.rich.p[0].pPr = _text_properties(CHART_TITLE_TEXT, bold=True).p[0].pPr
    chart.height, chart.width = _chart_height(count, horizontal), width_cm
    ws.add_chart(chart, anchor)


def _row_of(ws: Worksheet, first: int, last: int, label: str) -> int:
    return next(r for r in range(first, last + 1) if str(ws.cell(r, 1).value).strip("　") == label)


def _charts(ws: Worksheet, report: Report, blocks: list[Block], rows: dict[str, tuple[int, int]],
            column: str = "E", width_cm: float = CHART_WIDTH_CM) -> None:
    """The charts each block asks for, beside it (the first at ``column`` of its first row)."""
    columns = 2 if report.year_to_date is not None else 1
    for block in blocks:
        first, last = rows[block.title]
        for chart in block.charts:
            start = _row_of(ws, first, last, chart.after) + 1
            if chart.until is not None:
                count = _row_of(ws, first, last, chart.until) - start
            else:
                count = chart.count or 0
            if count > 0:
                _bar_chart(ws, chart.title, first - 1, start, count, columns, f"{column}{first}",
                           horizontal=chart.horizontal, width_cm=width_cm)


_DETAIL_COLUMNS = ("板块", "计入", "文件", "工作表", "行号", "日期", "单位", "分类", "状态或处理", "金额（元）", "说明")
#: 计入: which column of the 汇总表 a row counts in - 本月 and 累计 (本季度、累计 and so on for
#: other spans), 累计 only (an earlier month, or a rectification item still on the tracker), or
#: the one period of a year or ``all``.
IN_BOTH, IN_YTD, IN_PERIOD = "本月、累计", "累计", "本期"
_DETAIL_FORMATS = {"日期": DATE, "金额（元）": MONEY}


def _detail(wb: Workbook, report: Report, index: int) -> Worksheet:
    """Every row behind the figures of the 汇总表, 本月 and 累计 alike, with its file, sheet and
    row and the column it counts in (计入).  Complainant identity (反映人, 联系电话) is never
    written here."""
    ws = wb.create_sheet(DETAIL_SHEET, index)
    for c, name in enumerate(_DETAIL_COLUMNS, start=1):
        put(ws, 1, c, name)
    rows: list[tuple] = []
    ytd = report.ytd_rows if report.year_to_date is not None else None
    for d in by_rank():
        label = d.detail_label or d.block_title
        now = report.rows.get(d.kind, [])
        tagged = [(row, IN_PERIOD) for row in now]
        if ytd is not None:
            # 本月、累计 (本季度、累计 …); a row of a span across a year end before January
            # counts in the period alone
            in_ytd = {id(row) for row in ytd.get(d.kind, [])}
            both, alone = f"{report.period.heading}、{IN_YTD}", report.period.heading
            tagged = [(row, both if id(row) in in_ytd else alone) for row in now]
            in_now = {id(row) for row in now}
            tagged += [(row, IN_YTD) for row in ytd.get(d.kind, []) if id(row) not in in_now]
        for row, counted in tagged:
            unit, cls, state, amount, note = d.detail(row)
            rows.append((label, counted, Path(row.origin.file).name, row.origin.sheet, row.origin.row,
                         period_date(row), unit, cls, state, _number(amount), note))
    fits = measure(_DETAIL_COLUMNS, rows, _DETAIL_FORMATS)
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            fmt = DATE if isinstance(value, date) else (MONEY if isinstance(value, Decimal) else None)
            put(ws, r, c, value, fmt)
    wrap_cells(ws, fits, 2, len(rows) + 1)
    setup_table(ws, _DETAIL_COLUMNS, fits, len(rows) + 1)
    return ws


class OutputError(TaizhangError, ValueError):
    """The summary cannot go into this file (not an .xlsx/.xlsm, or not a workbook we can
    open); the message, in Chinese, says why."""


#: What openpyxl can write; an ``.xls`` written by it would be an .xlsx in disguise.
OUTPUT_SUFFIXES = (".xlsx", ".xlsm")


def save_summary(path: Path, report: Report, *, bureau: str, blocking_errors: list[str] | None = None,
                 config: Config | None = None, findings: list[dict[str, Any]] | None = None) -> Path:
    """Write the summary into ``path``: a new workbook, or the 汇总表 and 明细 (and, with
    ``findings``, 问题清单) of an existing one (its other sheets kept), written to a temporary
    file beside it and moved into place, so that a failure leaves the previous file as it was.

    Raises :class:`OutputError` for a name that is not .xlsx/.xlsm or an existing file openpyxl
    cannot open, and ``OSError`` when the folder or the file cannot be written.
    """
    path = Path(path)
    wb = _open_output(path, "汇总表")
    write_summary(wb, report, bureau=bureau, blocking_errors=blocking_errors, config=config, findings=findings)
    mark_output(wb)
    replace_atomically(path, wb.save)
    return path


def save_findings(path: Path, rows: list[dict[str, Any]]) -> Path:
    """Write the 问题清单 (``taizhang check -o``) into ``path``: a new workbook, or the 问题清单
    of an existing one (its other sheets kept), atomically as :func:`save_summary` does."""
    path = Path(path)
    wb = _open_output(path, "问题清单")
    write_findings_sheet(wb, rows, index=None)
    mark_output(wb)
    replace_atomically(path, wb.save)
    return path


def _open_output(path: Path, what: str) -> Workbook:
    """The workbook an output goes into: the existing file at ``path``, or a new one."""
    suffix = path.suffix.lower()
    if suffix not in OUTPUT_SUFFIXES:
        raise OutputError(f"{what}只能写入 .xlsx 或 .xlsm 工作簿，不能写入“{path.name}”")
    if path.exists():
        try:
            return openpyxl.load_workbook(path, keep_vba=suffix == ".xlsm", keep_links=True)
        except OSError:
            raise
        except Exception as exc:  # a damaged or foreign file: openpyxl raises many kinds
            raise OutputError(f"“{path.name}”不是可以打开的 Excel 工作簿（{type(exc).__name__}），"
                              f"{what}未写入；请换一个文件名") from None
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    return wb
