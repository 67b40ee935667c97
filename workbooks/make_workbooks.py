"""Make the bundled workbooks: blank standard templates and a month (2026-10) of unit ledgers.

    python workbooks/make_workbooks.py

Deterministic: the same bytes every run (no randomness, fixed document dates, fixed zip
entry times).  Column names and vocabularies come from ``taizhang/data/*.toml`` (read here
with ``tomllib``; the only package module imported is ``taizhang.findings``, for the codes).
Writes

- ``workbooks/templates/``: a blank standard template per ledger (``整改台账模板.xlsx`` …)
  and ``单位月报台账模板.xlsx`` with all four: title, ``填报单位：`` / ``填报月份：`` line,
  header of every standard column, drop-down lists for every vocabulary (on the hidden sheet
  ``选项``), date / amount / count validations and formats;
- ``workbooks/samples/2026-10/``: eight units' workbooks for October 2026 (one ``.xls``):
  five clean, three with planted defects;
- ``workbooks/samples/planted_findings.json``: every planted defect as (file, sheet, code,
  cell): what ``taizhang check workbooks/samples/2026-10 --as-of 2026-10-31`` must report,
  and nothing more;
- ``workbooks/samples/单位名册.xlsx``: the roster (单位, 别名), with two units that did not
  report this month;
- ``workbooks/samples/函数示例.xlsx``: a workbook whose 统计 sheet uses the add-in's
  worksheet functions on its own small ledgers (the one place with formulas, on purpose).

A defect is planted by wrapping a cell in ``Plant(value, code)`` (``Plant(None, code)`` for an
empty cell); sheet-level defects are listed in ``Sheet.planted``.  The script checks its own
samples before writing (every header known, every vocabulary value canonical or a synonym,
every complainant's name and phone in exactly one cell) and stops if something is off.
"""

from __future__ import annotations

import json
import re
import sys
import tomllib
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.xml.functions import tostring

ROOT = Path(__file__).resolve().parent
REPO = ROOT.parent
DATA = REPO / "taizhang" / "data"
sys.path.insert(0, str(REPO))

from taizhang.findings import CATALOGUE

FIXED = datetime(2026, 11, 1, 9, 0, 0)
AS_OF = date(2026, 10, 31)
MONTH = "2026年10月"
KINDS = ("rectification", "complaints", "refunds", "sanctions", "activities")

# Column types, by the stable ``field`` of columns.toml.
DATE_FIELDS = {"found_on", "deadline", "completed_on", "received_on", "closed_on", "refunded_on", "decided_on",
               "held_on"}
MONEY_FIELDS = {"violation", "due", "refunded", "to_treasury"}
COUNT_FIELDS = {"students", "visitors", "times", "person_times", "quantity"}
SUM_FIELDS = {"refunds": ("students", "violation", "due", "refunded", "to_treasury"), "complaints": ("visitors",),
              "activities": ("times", "person_times", "quantity")}
WIDE_FIELDS = {"content": 26, "organizer": 14, "description": 30, "measures": 28, "summary": 32, "subject": 18, "doc_no": 20, "evidence": 16,
               "note": 16, "unit": 14, "handler": 14, "school": 16, "phone": 14, "owner": 10, "name": 10}

SONG = "宋体"
DENGXIAN = "等线"
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


# --- the data files --------------------------------------------------------------------

def _key(text: Any) -> str:
    """How headers and vocabulary words compare (as the package does): NFKC, no spaces,
    no ``*`` or colons, case-folded."""
    text = unicodedata.normalize("NFKC", str(text))
    return re.sub(r"[\s*:：]+", "", text).strip("、,，.。;；").casefold()


def _load(name: str) -> dict:
    return tomllib.loads((DATA / name).read_text(encoding="utf-8"))


COLUMNS = _load("columns.toml")
VOCABS = _load("vocabularies.toml")
LABEL = {kind: COLUMNS[kind]["label"] for kind in KINDS}  # 整改台账 …


def canonical_values(vocab: str) -> list[str]:
    return list(VOCABS[vocab]["values"])


def vocab_keys(vocab: str) -> set[str]:
    values = VOCABS[vocab]["values"]
    return {_key(v) for v in values} | {_key(s) for syns in values.values() for s in syns}


def column_of(kind: str, header: str) -> tuple[dict | None, int]:
    """The column of ``kind`` a header names (name or synonym, with a unit such as （万元）)."""
    index = {}
    for col in COLUMNS[kind]["columns"]:
        for name in (col["name"], *col.get("synonyms", [])):
            index.setdefault(_key(name), col)
    key = _key(header)
    if key in index:
        return index[key], 1
    m = re.fullmatch(r"(.+?)\(([^()]*)\)", key)
    if m and m.group(1) in index:
        return index[m.group(1)], 10000 if "万" in m.group(2) else 1
    return None, 1


# --- templates -------------------------------------------------------------------------

def _fixed(wb) -> None:
    wb.properties.created = FIXED
    wb.properties.modified = FIXED
    wb.properties.creator = "taizhang"
    wb.properties.lastModifiedBy = "taizhang"


def _save(wb, path: Path) -> None:
    """Save so that the bytes do not depend on the clock: openpyxl stamps the document's
    modified time and the zip entries' times with the time of saving; both are set back to
    ``FIXED`` here."""
    _fixed(wb)
    wb.save(path)
    _fixed(wb)
    core = tostring(wb.properties.to_tree())
    with zipfile.ZipFile(path) as z:
        entries = [(info, z.read(info.filename)) for info in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                data = core
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            z.writestr(fixed, data)


def _options_sheet(wb) -> dict[str, str]:
    """The hidden sheet ``选项``: one column of canonical values per vocabulary."""
    ws = wb.create_sheet("选项")
    letters = {}
    for i, (name, vocab) in enumerate(VOCABS.items(), start=1):
        letter = get_column_letter(i)
        letters[name] = letter
        ws.cell(1, i, f"选项-{vocab['label']}")  # not a column name: the sheet is never a ledger
        ws.cell(1, i).font = Font(name=SONG, bold=True)
        for r, value in enumerate(canonical_values(name), start=2):
            ws.cell(r, i, value).font = Font(name=SONG)
        ws.column_dimensions[letter].width = max(12, 2 * max(len(v) for v in canonical_values(name)) + 2)
    ws.sheet_state = "hidden"
    return letters


def _validation(col: dict, letters: dict[str, str]) -> tuple[DataValidation | None, str | None]:
    """The data validation of a template column and the number format of its cells."""
    name, fld = col["name"], col["field"]
    vocab = col.get("vocabulary")
    if vocab:
        letter, n = letters[vocab], len(canonical_values(vocab))
        strict = VOCABS[vocab]["on_unknown"] == "error"
        dv = DataValidation(type="list", formula1=f"=选项!${letter}$2:${letter}${n + 1}", allow_blank=True,
                            showErrorMessage=True, errorStyle="stop" if strict else "warning")
        dv.prompt = f"请从下拉列表中选择{name}：" + "、".join(canonical_values(vocab))
        if len(dv.prompt) > 255:  # Excel's limit for an input message
            dv.prompt = f"请从下拉列表中选择{name}（共{n}项）。"
        dv.error = (f"{name}只能从下拉列表中选择。" if strict
                    else f"{name}不在下拉列表中。确需填写其他内容的，请点“是”，并在备注中说明。")
        return dv, None
    if fld == "deadline":
        dv = DataValidation(type="date", operator="between", formula1="36526", formula2="73050",
                            allow_blank=True, showErrorMessage=True, errorStyle="warning")
        dv.prompt = "填写日期，如 2026-12-31；立行立改或长期坚持的事项可直接填写“立行立改”“长期坚持”。"
        dv.error = "不是日期。如填写的是“立行立改”或“长期坚持”，请点“是”。"
        return dv, "yyyy-mm-dd"
    if fld in DATE_FIELDS:
        dv = DataValidation(type="date", operator="between", formula1="36526", formula2="73050",
                            allow_blank=True, showErrorMessage=True, errorStyle="stop")
        dv.prompt = f"请填写{name}，格式如 2026-10-08，不晚于填报当天。"
        dv.error = "请填写2000年至2099年之间的日期，如 2026-10-08。"
        return dv, "yyyy-mm-dd"
    if fld in MONEY_FIELDS:
        dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                            showErrorMessage=True, errorStyle="stop")
        dv.prompt = f"{name}，单位：元，保留两位小数，不能为负数。"
        dv.error = "金额应为不小于0的数字（单位：元）。"
        return dv, "#,##0.00"
    if fld in COUNT_FIELDS:
        dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                            showErrorMessage=True, errorStyle="stop")
        dv.prompt = f"{name}，填写整数。"
        dv.error = "应为不小于0的整数。"
        return dv, "0"
    return None, None


def _template_sheet(wb, kind: str, letters: dict[str, str]) -> None:
    columns = COLUMNS[kind]["columns"]
    width = len(columns)
    ws = wb.create_sheet(LABEL[kind])
    ws.cell(1, 1, LABEL[kind])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws["A1"].font = Font(name=SONG, size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30
    month_col = width // 2 + 1
    ws.cell(2, 1, "填报单位：").font = Font(name=SONG, size=11)
    ws.cell(2, month_col, "填报月份：").font = Font(name=SONG, size=11)
    ws.row_dimensions[3].height = 32
    for c, col in enumerate(columns, start=1):
        letter = get_column_letter(c)
        cell = ws.cell(3, c, col["name"])
        cell.font = Font(name=SONG, size=11, bold=True)
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        fld = col["field"]
        ws.column_dimensions[letter].width = (
            WIDE_FIELDS.get(fld) or (12 if fld in DATE_FIELDS else 14 if fld in MONEY_FIELDS
                                     else max(8, 2 * len(col["name"]) + 2)))
        dv, number_format = _validation(col, letters)
        if dv is None:
            continue
        dv.promptTitle = col["name"][:32]
        dv.errorTitle = "填写有误"
        dv.showInputMessage = True
        dv.add(f"{letter}4:{letter}1000")
        ws.add_data_validation(dv)
        if number_format:
            for row in range(4, 1001):
                ws.cell(row, c).number_format = number_format
    ws.freeze_panes = "A4"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "3:3"


TEMPLATE_FILES = {**{f"{LABEL[k]}模板.xlsx": (k,) for k in KINDS}, "单位月报台账模板.xlsx": KINDS}


def make_templates(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    made = []
    for name, kinds in TEMPLATE_FILES.items():
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        letters = _options_sheet(wb)
        for kind in kinds:
            _template_sheet(wb, kind, letters)
        wb.move_sheet("选项", offset=len(wb.sheetnames))
        wb.active = 0
        _save(wb, out / name)
        made.append(out / name)
    return made


# --- the sample month: how a sheet is described ----------------------------------------

@dataclass(frozen=True)
class Plant:
    """A cell holding a planted defect: the checker must report ``code`` at this cell."""

    value: Any
    code: str


@dataclass(frozen=True)
class Total:
    """A 合计 row: literal sums of the money and count columns of the rows above it (the cells
    written, what ``SUM()`` gives).
    ``claims`` replace a column's sum (a ``Plant`` to plant a wrong total)."""

    label: str = "合计"
    claims: dict[str, Any] = field(default_factory=dict)


BLANK = None  # a blank row between data rows


@dataclass
class Sheet:
    name: str
    kind: str | None  # None: not a ledger (instructions)
    header: list[Any] = field(default_factory=list)  # the (lower) header row; a cell may be a Plant
    rows: list[Any] = field(default_factory=list)  # lists of cells, BLANK, or a Total
    unit: str | None = None  # 填报单位
    title: str | None = None
    parent: list[Any] | None = None  # upper row of a two-row header: merged parents such as 金额（元）
    footer: list[Any] | None = None  # a 填表人：… line under the table (after a blank row)
    unit_in_one_cell: bool = False  # "填报单位：X    填报月份：…" in one cell
    hidden: bool = False
    planted: list[str] = field(default_factory=list)  # sheet-level codes (cell None)
    lines: list[str] = field(default_factory=list)  # text of a sheet that is not a ledger
    date_format: str = "yyyy-mm-dd"


@dataclass
class Grid:
    """A sheet laid out in rows (0-based), values unwrapped, with the planted cells."""

    rows: list[list[Any]]
    width: int
    title_row: int | None = None
    header_rows: list[int] = field(default_factory=list)
    data_rows: list[int] = field(default_factory=list)
    total_rows: list[int] = field(default_factory=list)
    footer_row: int | None = None
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # r0, c0, r1, c1
    planted: list[tuple[str, str | None]] = field(default_factory=list)  # (code, cell)
    money_cols: set[int] = field(default_factory=set)


def _ref(row: int, col: int) -> str:
    return f"{get_column_letter(col + 1)}{row + 1}"


def _unwrap(value: Any) -> Any:
    return value.value if isinstance(value, Plant) else value


def _money(value: Any, scale: int) -> Decimal:
    """An amount in 元 from the forms used in these samples (to write correct totals)."""
    if isinstance(value, bool) or value is None:
        raise ValueError(value)
    if isinstance(value, int):
        return Decimal(value) * scale
    if isinstance(value, float):
        return Decimal(repr(value)) * scale
    text = unicodedata.normalize("NFKC", value).replace(",", "").strip()
    if text == "肆万伍仟元整":
        return Decimal(45000)
    m = re.fullmatch(r"(-?\d+(?:\.\d+)?)(万元|元)?", text)
    if not m:
        raise ValueError(value)
    return Decimal(m.group(1)) * {"万元": 10000, "元": 1, None: scale}[m.group(2)]


def _count(value: Any) -> Decimal:
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    return Decimal(int(unicodedata.normalize("NFKC", str(value)).strip()))


def _plain(number: Decimal) -> int | float:
    """A literal number for a cell: an int when whole, else a float that reads back exactly."""
    if number == number.to_integral_value():
        return int(number)
    value = float(number)
    assert Decimal(repr(value)) == number, number
    return value


def layout(sheet: Sheet) -> Grid:
    """Rows of the sheet as written: title, 填报单位 line, header(s), data, totals, footer."""
    if sheet.kind is None:
        return Grid([[line] for line in sheet.lines], 1, planted=[(code, None) for code in sheet.planted])
    width = len(sheet.header)
    grid = Grid([], width)
    if sheet.title:
        grid.title_row = len(grid.rows)
        grid.rows.append([sheet.title])
        grid.merges.append((grid.title_row, 0, grid.title_row, width - 1))
    if sheet.unit:
        if sheet.unit_in_one_cell:
            grid.rows.append([f"填报单位：{sheet.unit}    填报月份：{MONTH}"])
        else:
            line = [f"填报单位：{sheet.unit}"] + [None] * (width - 1)
            line[max(3, width - 4)] = f"填报月份：{MONTH}"
            grid.rows.append(line)
    if sheet.parent:
        top = len(grid.rows)
        grid.rows.append([_unwrap(v) for v in sheet.parent])
        c = 0
        while c < width:
            if sheet.parent[c] == _unwrap(sheet.header[c]):  # a header standing over both rows
                grid.merges.append((top, c, top + 1, c))
                c += 1
                continue
            end = c
            while end + 1 < width and sheet.parent[end + 1] is None:
                end += 1
            if end > c:
                grid.merges.append((top, c, top, end))
            c = end + 1
        grid.header_rows.append(top)
    header_row = len(grid.rows)
    grid.header_rows.append(header_row)
    grid.rows.append([_unwrap(v) for v in sheet.header])
    fields = []
    scales = []
    for c, h in enumerate(sheet.header):
        if isinstance(h, Plant):
            grid.planted.append((h.code, _ref(header_row, c)))
        col, scale = column_of(sheet.kind, _unwrap(h))
        fields.append(col["field"] if col else None)
        scales.append(scale)
        if col and col["field"] in MONEY_FIELDS:
            grid.money_cols.add(c)
    data: list[list[Any]] = []
    for row in sheet.rows:
        r = len(grid.rows)
        if row is BLANK:
            grid.rows.append([])
            continue
        if isinstance(row, Total):
            grid.rows.append(_total_row(sheet, row, data, fields, scales, r, grid))
            grid.total_rows.append(r)
            continue
        assert len(row) == width, (sheet.name, row)
        for c, v in enumerate(row):
            if isinstance(v, Plant):
                grid.planted.append((v.code, _ref(r, c)))
        data.append(row)
        grid.data_rows.append(r)
        grid.rows.append([_unwrap(v) for v in row])
    if sheet.footer:
        grid.rows.append([])
        grid.footer_row = len(grid.rows)
        grid.rows.append(list(sheet.footer))
    grid.planted.extend((code, None) for code in sheet.planted)
    return grid


def _total_row(sheet: Sheet, total: Total, data: list[list[Any]], fields: list[str | None],
               scales: list[int], r: int, grid: Grid) -> list[Any]:
    line: list[Any] = [total.label] + [None] * (len(fields) - 1)
    for c, fld in enumerate(fields):
        if fld not in SUM_FIELDS.get(sheet.kind, ()):
            continue
        values = []
        for row in data:
            v = row[c]
            if isinstance(v, Plant) and v.code in ("invalid-amount", "invalid-number"):
                continue  # read as empty by the checker
            v = _unwrap(v)
            if v is not None:  # a 合计 row adds the cells written, as SUM() does (a blank 次数 is none)
                values.append(_money(v, scales[c]) if fld in MONEY_FIELDS else _count(v))
        header = _unwrap(sheet.header[c])
        if header in total.claims:
            claim = total.claims[header]
            if isinstance(claim, Plant):
                assert _money(claim.value, scales[c]) != sum(values), "a planted total must be wrong"
                grid.planted.append((claim.code, _ref(r, c)))
            line[c] = _unwrap(claim)
        elif values:
            line[c] = _plain(sum(values, Decimal(0)) / scales[c])
    return line


# --- writing -----------------------------------------------------------------------------

def _width_of(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, (date, datetime)):
        return 10
    text = str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _col_widths(grid: Grid) -> list[float]:
    widths = []
    for c in range(grid.width):
        cells = [row[c] for r, row in enumerate(grid.rows)
                 if c < len(row) and r != grid.title_row and r != grid.footer_row
                 and (r in grid.header_rows or r in grid.data_rows or r in grid.total_rows)]
        widths.append(min(40, max([8] + [_width_of(v) + 2 for v in cells])))
    return widths


def write_xlsx(path: Path, sheets: list[Sheet]) -> None:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for sheet in sheets:
        grid = layout(sheet)
        ws = wb.create_sheet(sheet.name)
        for row in grid.rows:
            ws.append(row)
        body = Font(name=SONG, size=10.5)
        for r, row in enumerate(grid.rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                cell = ws.cell(r + 1, c + 1)
                cell.font = body
                if isinstance(value, (date, datetime)):
                    cell.number_format = sheet.date_format
                elif c in grid.money_cols and isinstance(value, (int, float)):
                    cell.number_format = "#,##0.00"
        if sheet.kind is None:
            ws.column_dimensions["A"].width = 90
            ws["A1"].font = Font(name=SONG, size=14, bold=True)
        else:
            table = grid.header_rows + grid.data_rows + grid.total_rows
            for r in range(min(table), max(table) + 1):
                for c in range(grid.width):
                    ws.cell(r + 1, c + 1).border = BORDER
            for r in grid.header_rows:
                for c in range(grid.width):
                    cell = ws.cell(r + 1, c + 1)
                    cell.font = Font(name=SONG, size=11, bold=True)
                    cell.fill = HEADER_FILL
                    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            for r in grid.total_rows:
                for c in range(grid.width):
                    ws.cell(r + 1, c + 1).font = Font(name=SONG, size=10.5, bold=True)
            for c, w in enumerate(_col_widths(grid)):
                ws.column_dimensions[get_column_letter(c + 1)].width = w
            if grid.title_row is not None:
                title = ws.cell(grid.title_row + 1, 1)
                title.font = Font(name=DENGXIAN, size=16, bold=True)
                title.alignment = Alignment(horizontal="center", vertical="center")
                ws.row_dimensions[grid.title_row + 1].height = 28
            ws.freeze_panes = ws.cell(max(grid.header_rows) + 2, 1)
        for r0, c0, r1, c1 in grid.merges:
            ws.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        if sheet.hidden:
            ws.sheet_state = "hidden"
    wb.active = next(i for i, s in enumerate(sheets) if not s.hidden)
    _save(wb, path)


def write_xls(path: Path, sheets: list[Sheet]) -> None:
    """An Excel 97–2003 workbook (BIFF8) with real dates (numbers in a date format)."""
    import xlwt

    base = "font: name 宋体, height 210; borders: left thin, right thin, top thin, bottom thin"
    plain = xlwt.easyxf(base)
    as_date = xlwt.easyxf(base, num_format_str="yyyy-mm-dd")
    as_money = xlwt.easyxf(base, num_format_str="#,##0.00")
    header = xlwt.easyxf("font: name 宋体, bold on; align: wrap on, horiz center, vert center; "
                         "borders: left thin, right thin, top thin, bottom thin; "
                         "pattern: pattern solid, fore_colour pale_blue")
    title = xlwt.easyxf("font: name 宋体, bold on, height 320; align: horiz center, vert center")
    loose = xlwt.easyxf("font: name 宋体, height 210")
    book = xlwt.Workbook(encoding="utf-8")
    for sheet in sheets:
        grid = layout(sheet)
        ws = book.add_sheet(sheet.name)
        merged = {(r0, c0) for r0, c0, _r1, _c1 in grid.merges}
        for r0, c0, r1, c1 in grid.merges:
            style = title if r0 == grid.title_row else header
            ws.write_merge(r0, r1, c0, c1, grid.rows[r0][c0], style)
        table = set(grid.data_rows + grid.total_rows)
        for r, row in enumerate(grid.rows):
            for c, value in enumerate(row):
                if (r, c) in merged:
                    continue
                if r in grid.header_rows:
                    style = header
                elif r not in table:
                    style = loose
                elif isinstance(value, (date, datetime)):
                    style = as_date
                elif c in grid.money_cols and isinstance(value, (int, float)):
                    style = as_money
                else:
                    style = plain
                if value is None:
                    if r in table:
                        ws.write(r, c, None, style)  # borders on empty cells of the table
                    continue
                ws.write(r, c, value, style)
        for c, w in enumerate(_col_widths(grid)):
            ws.col(c).width = int(256 * w)
        if grid.header_rows:
            ws.set_panes_frozen(True)
            ws.set_horz_split_pos(max(grid.header_rows) + 1)
    book.save(str(path))


# --- the sample month --------------------------------------------------------------------

D = date

RECT_STD = ["序号", "问题来源", "发现日期", "问题描述", "责任单位", "责任人", "整改措施", "时限类型", "整改时限",
            "整改状态", "完成时间"]
COMP_STD = ["编号", "收件日期", "来源", "方式", "类别", "被反映人", "反映人", "联系电话", "反映问题", "承办单位",
            "处置方式", "办理状态", "办结日期", "核查结论"]
REF_STD = ["序号", "学校", "收费项目", "查实日期", "涉及学生数", "违规金额", "应退金额", "已退金额", "上缴金额",
           "退费日期"]
SAN_STD = ["序号", "姓名", "单位", "职务", "问题类型", "处分类别", "处理方式", "处理日期", "文号"]


def _yizhong() -> list[Sheet]:
    """县第一中学: clean.  Standard headers (整改 with 佐证材料 and 备注), dates in every
    written form, blank rows between complaints, a correct 合计 row, 警告 with its 处分类别."""
    u = "县第一中学"
    rect = Sheet("整改台账", "rectification", RECT_STD + ["佐证材料", "备注"], [
        [1, "巡察反馈", D(2026, 3, 12), "食堂财务管理不规范，部分采购票据不全", u, "李建国", "建立食堂账目月审制度，补齐票据",
         "限期整改", D(2026, 6, 30), "已销号", D(2026, 6, 18), "食堂月审记录", None],
        [2, "巡察反馈", D(2026, 3, 12), "“三重一大”事项会议记录不完整", u, "陈卫东", "规范会议记录，建立决策台账",
         "限期整改", D(2026, 7, 31), "已完成", D(2026, 7, 10), "会议记录本", None],
        [3, "审计", D(2026, 4, 20), "专项经费支出审批手续不全", u, "孙红梅", "完善经费审批流程", "限期整改",
         D(2026, 8, 31), "已完成", D(2026, 8, 25), "审批单", None],
        [4, "专项检查", D(2026, 5, 9), "教辅材料征订未经家长自愿", u, "王志强", "停止统一征订，退还已收费用", "立行立改",
         "立行立改", "已完成", D(2026, 5, 20), "退费签收表", None],
        [5, "督查", D(2026, 9, 15), "晚自习收费公示不到位", u, "陈明", "在校门口和班级群公示收费依据", "限期整改",
         D(2026, 11, 30), "整改中", None, None, "公示栏已定制"],
        [6, "自查", D(2026, 10, 10), "部分教师师德师风档案不完整", u, "赵敏", "逐人补齐师德档案，每学期更新", "长期坚持",
         "长期坚持", "整改中", None, None, None],
        [7, "信访", D(2026, 10, 12), "个别教师课后有偿补课", u, "刘洋", "开展专项排查，签订不补课承诺书", "限期整改",
         D(2026, 12, 31), "正在整改", None, None, "与信访件YZ-2026-008关联"],
        [8, "专项检查", D(2026, 10, 20), "校服采购未公开招标", u, "王志强", "重新组织公开招标", "限期整改",
         D(2026, 12, 15), "未启动", None, None, None],
    ], unit=u, title="县第一中学2026年整改台账")
    comp = Sheet("信访举报台账", "complaints", COMP_STD, [
        ["YZ-2026-001", D(2026, 1, 15), "省纪委转办", "网络", "违规收费", u, "甄秀芝", "13800110101",
         "反映寒假期间学校组织补课并按每生300元收费", u, "初步核实", "办结", D(2026, 2, 10), "部分属实"],
        ["YZ-2026-002", "2026/3/8", "市局转办", "来信", "有偿补课", "李某某（教师）", "宓俊杰", "13800110202",
         "反映该教师在校外租房开设补习班", u, "谈话函询", "已办结", "2026/3/30", "属实"],
        ["YZ-2026-003", "2026.4.21", "直接受理", "来访", "师德师风", "赵某某（教师）", "郜文韬", "13800110303",
         "反映该教师课堂上体罚学生", u, "初步核实", "办结", "2026.5.12", "属实"],
        ["YZ-2026-004", "2026年6月3日", "自办", "来电", "违规招生", u, "亓佩瑶", "13800110404",
         "反映学校高一招生时违规招收择校生", u, "初步核实", "办结", "2026年6月20日", "不属实"],
        BLANK,
        ["YZ-2026-005", 20260818, "市转办", "网络", "教辅征订", u, "扈国栋", "13800110505",
         "反映学校统一征订教辅资料", u, "初步核实", "办结", 20260910, "属实"],
        ["YZ-2026-006", D(2026, 9, 21), "自办", "来电", "违规招生", u, "逯海鸥", "13800110606",
         "反映学校招生宣传中承诺给予奖励", u, "予以了结", "办结", D(2026, 9, 30), "不属实"],
        ["YZ-2026-007", D(2026, 10, 8), "省转办", "网络", "违规收费", u, "晁雪梅", "13800110707",
         "反映学校以校服费名义多收费用", u, "初步核实", "办结", D(2026, 10, 20), "部分属实"],
        ["YZ-2026-008", "2026/10/12", "市纪委转办", "来信", "有偿补课", "王某某（教师）", "蒯志远", "13800110808",
         "反映该教师周末在家中有偿补课", u, "谈话函询", "已办结", "2026年10月25日", "属实"],
        BLANK,
        ["YZ-2026-009", "2026.10.16", "直接受理", "来访", "师德师风", "钱某某（教师）", "邴素琴", "13800110909",
         "反映该教师向家长索要礼品", u, "初步核实", "在办", None, None],
        ["YZ-2026-010", "20261019", "市转办", "网络", "违规吃喝", u, "隗春生", "13800111010",
         "反映学校中层干部工作日午间饮酒", u, "初步核实", "在办", None, None],
        ["YZ-2026-011", D(2026, 10, 23), "自办", "短信", "其他", "县第一中学食堂", "缑晓鹏", "13800111111",
         "反映食堂饭菜价格偏高", u, "暂存待查", "在办", None, None],
        ["YZ-2026-012", D(2026, 10, 28), "省厅转办", "领导批转", "违规收费", u, "闵慧琳", "13800111212",
         "反映学校向实验班学生收取额外费用", u, "初步核实", "在办", None, None],
    ], unit=u, title="县第一中学信访举报台账")
    refunds = Sheet("退费台账", "refunds", REF_STD, [
        [1, u, "有偿补课", D(2026, 2, 8), 30, 9000, 9000, 9000, 0, D(2026, 2, 26)],
        [2, u, "教辅材料", D(2026, 9, 8), 120, 18000, 18000, 18000, 0, D(2026, 9, 25)],
        [3, u, "服务性收费", "2026.10.18", 300, "4.5万元", "4.5万元", "45000元", 0, "2026/10/28"],
        [4, u, "代收费", D(2026, 10, 22), 48, 7680, 6480, "3,240.00", 1200, D(2026, 10, 30)],
        Total(),
    ], unit=u, title="县第一中学违规收费退费台账")
    sanctions = Sheet("处分台账", "sanctions", SAN_STD, [
        [1, "赵某某", u, "教师", "师德师风", "问责/其他措施", "批评教育", D(2026, 5, 18), "县教纪〔2026〕9号"],
        [2, "李某某", u, "教师", "有偿补课", "问责/其他措施", "诫勉", D(2026, 4, 15), "县教纪〔2026〕6号"],
        [3, "王某某", u, "教师", "有偿补课", "政务处分", "警告", D(2026, 10, 29), "县教纪〔2026〕21号"],
        [4, "张某某", u, "年级主任", "乱收费", "问责/其他措施", "诫勉谈话", D(2026, 10, 23), "县教纪〔2026〕22号"],
    ], unit=u, title="县第一中学处分台账")
    return [rect, comp, refunds, sanctions, _activities(u)]


def _erzhong() -> list[Sheet]:
    """县第二中学: defects in complaints and refunds.  Synonyms everywhere, an unknown column
    督办情况, a 合计 row whose 实退金额 is wrong; a clean sanctions sheet without 处分类别."""
    u = "县第二中学"
    comp = Sheet("信访举报台账", "complaints", [
        "信访编号", "受理日期", "信访来源", "信访方式", "问题类别", "被反映人", "举报人", "举报人电话", "办理单位",
        "办理方式", "状态", "办结日期", "查实情况", Plant("督办情况", "unknown-column")], [
        ["EZ-2026-01", D(2026, 2, 16), "自办", "来信", "违规收费", u, "仉德厚", "13800220101", u, "初步核实", "办结",
         D(2026, 3, 5), "不属实", None],
        ["EZ-2026-02", D(2026, 5, 9), Plant("区转办", "unknown-value"), "来电", "有偿补课", "刘某某（教师）", "禚玉兰",
         "13800220202", u, "谈话函询", "已办结", D(2026, 5, 28), "属实", "已督办"],
        ["EZ-2026-03", Plant("2026-13-45", "invalid-date"), "市局转办", "网络", "违规招生", u, "厍振华", "13800220303",
         u, "初步核实", "在办", None, None, None],
        ["EZ-2026-04", D(2026, 8, 27), "省转办", "来电", "违规招生", u, "訾明轩", "13800220404", u, "初步核实",
         "已办结", D(2026, 9, 18), "部分属实", "市局督办"],
        ["EZ-2026-05", D(2026, 10, 3), "省纪委转办", "来信", "乱收费", u, "阚晓燕", "13800220505", u, "初步核实",
         "已办结", D(2026, 10, 19), "属实", "已督办"],
        ["EZ-2026-06", D(2026, 10, 11), "自收", "来访", "师德师风", "陈某某（教师）", "郦宏图", "13800220606", u,
         "初步核实", "办结", Plant(None, "missing-closing-date"), "不属实", None],
        [Plant("EZ-2026-06", "duplicate-id"), D(2026, 10, 14), "市转", "来信", "违规吃喝", u, "卞若溪", "13800220707",
         u, "谈话函询", "办结", D(2026, 10, 27), "部分属实", None],
        ["EZ-2026-07", D(2026, 10, 20), "省转", "网络", "教辅", u, "昝怀远", "13800220808", u, "初步核实", "办结",
         Plant(D(2026, 10, 2), "closing-before-received"), "不属实", None],
        ["EZ-2026-08", D(2026, 10, 26), "自办", "来访", "其他", "县第二中学后勤处", "竺丽萍", "13800220909", u,
         "暂存待查", "在办", None, None, None],
        ["EZ-2026-09", D(2026, 10, 29), "市纪委转办", "网络", "有偿补课", "孙某某（教师）", "糜建新", "13800221010", u,
         "初步核实", "在办", None, None, "限11月15日前报结"],
    ], unit=u, title="县第二中学信访举报登记台账", date_format="yyyy/m/d")
    refunds = Sheet("退费台账", "refunds", [
        "序号", "单位", "违规项目", "查实日期", "学生数", "查实金额", "应退", "实退金额", "上缴国库", "退费日期"], [
        [1, u, "资料费", D(2026, 10, 12), 60, 9000, Plant(8000, "due-mismatch"), 8000, 500, D(2026, 10, 22)],
        [2, u, "服务性收费", D(2026, 10, 15), 25, None, 5000, Plant(5600, "refund-exceeds-due"), None, D(2026, 10, 26)],
        [3, u, "代收费", D(2026, 10, 16), 10, None, 3000, Plant(-300, "negative-amount"), None, D(2026, 10, 27)],
        [4, u, "择校费", D(2026, 10, 17), 2, None, Plant("待核实", "invalid-amount"), 0, None, None],
        [5, u, "其他", D(2026, 10, 21), 180, "36,000.00", "36,000.00", "18,000.00", 0, D(2026, 10, 30)],
        Total(claims={"实退金额": Plant(31900, "total-mismatch")}),  # the rows add up to 31,300
    ], unit=u, title="县第二中学违规收费清退台账", date_format="yyyy/m/d")
    sanctions = Sheet("处分台账", "sanctions", [
        "序号", "被处理人", "单位", "职务", "违纪类型", "处分种类", "决定日期", "处分文号"], [
        [1, "刘某某", u, "教师", "有偿补课", "诫勉谈话", D(2026, 6, 10), "县教纪〔2026〕14号"],
        [2, "孙某某", u, "教师", "有偿补课", "政务警告", D(2026, 6, 18), "县教纪〔2026〕15号"],
        [3, "周某某", u, "副校长", "乱收费", "党内警告", D(2026, 10, 28), "县教纪〔2026〕33号"],
        [4, "吴某某", u, "总务处主任", "乱收费", "通报批评", D(2026, 10, 28), "县教纪〔2026〕34号"],
    ], unit=u, title="县第二中学处分台账", date_format="yyyy/m/d")
    return [comp, refunds, sanctions, _activities(u)]


def _chengguan() -> list[Sheet]:
    """城关小学: clean.  Refunds under a two-row header (金额（元） over four amounts),
    complaints in another column order with 备注, rectification by synonyms."""
    u = "城关小学"
    refunds = Sheet("退费台账", "refunds",
                    ["序号", "学校", "收费项目", "涉及学生数", "违规金额", "应退金额", "已退金额", "上缴金额", "查实日期",
                     "退费日期"], [
        [1, u, "代收费", 210, "６３００", 6300, 6300, 0, D(2026, 10, 13), D(2026, 10, 27)],
        [2, u, "服务性收费", 88, 5280, 4280, 2000, 1000, "2026/9/21", None],
    ], unit=u, title="城关小学退费台账",
        parent=["序号", "学校", "收费项目", "涉及学生数", "金额（元）", None, None, None, "查实日期", "退费日期"])
    comp = Sheet("信访举报台账", "complaints", [
        "收件日期", "编号", "办理状态", "来源", "类别", "方式", "被反映人", "反映人", "联系电话", "反映问题", "办结日期",
        "核查结论", "处置方式", "备注"], [
        [D(2026, 2, 24), "CG-01", "办结", "市转办", "违规收费", "来信", u, "笪立新", "13800330101",
         "反映学校收取开学资料费", D(2026, 3, 16), "不属实", "初步核实", None],
        [D(2026, 4, 7), "CG-02", "办结", "自办", "师德师风", "来访", "周某某（教师）", "钭雅琴", "13800330202",
         "反映该教师在家长群发表不当言论", D(2026, 4, 22), "属实", "谈话函询", "已批评教育"],
        [D(2026, 6, 15), "CG-03", "办结", "省转办", "有偿补课", "网络", "吴某某（教师）", "鄢子墨", "13800330303",
         "反映该教师暑期有偿补课", D(2026, 7, 10), "部分属实", "初步核实", None],
        [D(2026, 9, 2), "CG-04", "办结", "自办", "教辅征订", "来电", u, "郏宝林", "13800330404",
         "反映学校推荐购买练习册", D(2026, 9, 12), "不属实", "予以了结", None],
        [D(2026, 10, 9), "CG-05", "办结", "市转办", "违规收费", "来信", u, "殷梦溪", "13800330505",
         "反映学校代收课后服务费未公示", D(2026, 10, 18), "属实", "初步核实", "已清退"],
        [D(2026, 10, 15), "CG-06", "办结", "自办", "其他", "来电", "城关小学门卫", "敖春燕", "13800330606",
         "反映校门口接送秩序混乱", D(2026, 10, 16), "部分属实", "予以了结", "转交安全办"],
        [D(2026, 10, 21), "CG-07", "在办", "自办", "其他", "来访", "城关小学食堂", "蓟鸿飞", "13800330707",
         "反映食堂饭菜分量不足", None, None, "初步核实", "家长来访"],
        [D(2026, 10, 27), "CG-08", "在办", "市转办", "违规招生", "网络", u, "斛青云", "13800330808",
         "反映学校一年级招生时收取赞助费", None, None, "初步核实", None],
    ], unit=u, title="城关小学信访举报台账")
    rect = Sheet("整改台账", "rectification", [
        "序号", "来源", "存在问题", "整改单位", "整改责任人", "整改要求", "完成时限", "进展情况", "完成日期"], [
        [1, "巡察", "校服征订程序不规范", u, "刘建华", "重新公开招标，由家委会参与评标", "立行立改", "已整改", D(2026, 4, 2)],
        [2, "审计", "食堂采购台账不全", u, "马晓丽", "补齐采购台账，实行双人验收", D(2026, 12, 31), "正在整改", None],
        [3, "专项检查", "课后服务收费标准未报备", u, "刘建华", "按规定报物价部门备案", D(2026, 9, 30), "完成",
         D(2026, 9, 12)],
        [4, "自查", "班主任收取班费未公示", u, "王丽娟", "班费收支每月公示", "长期坚持", "正在整改", None],
        [5, "督导", "部分年级作业量超标", u, "张海燕", "建立作业公示和统筹制度", D(2026, 11, 30), "未整改", None],
    ], unit=u, title="城关小学整改落实台账")
    return [refunds, comp, rect, _activities(u)]


def _shiyan() -> list[Sheet]:
    """实验小学: defects in rectification, complaints and sanctions; an instructions sheet."""
    u = "实验小学"
    notes = Sheet("填报说明", None, lines=[
        "填报说明",
        "一、本工作簿含整改台账、信访举报台账、处分台账三张表，每月5日前报送县教育局纪检组。",
        "二、日期请按“2026-10-08”格式填写；金额以元为单位，保留两位小数。",
        "三、信访举报人姓名及联系方式仅限本单位纪检人员掌握，严禁外传。",
        "四、各表列名请勿修改，需要说明的情况请写在“备注”列。",
    ])
    rect = Sheet("整改台账", "rectification", [
        "序号", "问题来源", "发现日期", "问题描述", "责任单位", "责任人", "整改时限", "整改状态", "完成时间"], [
        [1, "巡察反馈", D(2026, 3, 1), "课后服务收费未备案", u, "周玉兰", D(2026, 6, 30), "已完成",
         Plant(None, "missing-completion-date")],
        [2, "审计", D(2026, 4, 1), "专项经费支出不合规", u, "黄志刚", D(2026, 7, 31), "已完成",
         Plant(D(2026, 8, 20), "completed-late")],
        [3, "督查", D(2026, 5, 1), "作业公示制度未落实", u, "周玉兰", Plant(D(2026, 9, 30), "overdue"), "整改中", None],
        [4, "自查", D(2026, 6, 1), "班费管理不规范", u, "李秀英", D(2026, 12, 31), Plant("待定", "unknown-value"), None],
        [5, "自查", D(2026, 7, 1), "家委会收费监督缺位", u, "李秀英", Plant("下月底", "invalid-date"), "整改中", None],
        [6, "信访", Plant(D(2026, 11, 12), "future-date"), "食堂餐费标准未公示", u, "黄志刚", D(2026, 12, 31),
         "整改中", None],
        [7, "专项检查", D(2026, 9, 10), "教辅征订未履行家长自愿程序", u, "周玉兰", D(2026, 10, 15), "已完成",
         D(2026, 10, 9)],
        [8, "巡察反馈", D(2026, 3, 1), "食堂物资出入库登记不全", u, "黄志刚", "立行立改", "已销号", D(2026, 3, 20)],
    ], unit=u, title="实验小学整改台账")
    comp = Sheet("信访举报台账", "complaints", [
        "编号", "收件日期", "来源", "方式", "类别", "被反映人", "反映人", "联系电话", "反映问题", "处置方式", "办理状态",
        "办结日期", "核查结论", "来访人次"], [
        ["SX-01", D(2026, 1, 20), "市转办", "来信", "违规收费", u, "殳文博", "13800440101",
         "反映学校收取校服押金", "初步核实", "办结", D(2026, 2, 9), "部分属实", None],
        ["SX-02", D(2026, 5, 6), "自办", "来访", "师德师风", "杨某（教师）", "苌美玲", "13800440202",
         "家长集体反映该教师体罚学生", "初步核实", "办结", D(2026, 5, 25), "属实", 4],
        ["SX-03", D(2026, 9, 14), "省转办", "网络", "有偿补课", "陈某（教师）", "茹国庆", "13800440303",
         "反映该教师在校外培训机构兼职授课", "谈话函询", "办结", D(2026, 10, 10), "属实", None],
        ["SX-04", D(2026, 10, 9), "自办", "来电", "违规收费", u, "谯晓雯", "13800440404",
         "反映学校收取课后托管费标准偏高", "初步核实", Plant(None, "missing-value"), None, None, None],
        ["SX-05", D(2026, 10, 15), "市转办", "网络", "教辅征订", u, "鄂振东", "13800440505",
         "反映班主任推荐购买课外读物", "予以了结", "办结", D(2026, 10, 22), "不属实", None],
        ["SX-06", D(2026, 10, 24), "自办", "来访", "其他", "实验小学总务处", "楮云帆", "13800440606",
         "反映校园维修工程质量问题", "初步核实", "在办", None, None, 2],
        ["SX-07", D(2026, 10, 30), "市纪委转办", "来信", "违规招生", u, "靳若琳", "13800440707",
         "反映学校插班生收取费用", "初步核实", "在办", None, None, None],
    ], unit=u, title="实验小学信访举报台账")
    sanctions = Sheet("处分台账", "sanctions", [
        "序号", "被处理人", "单位", "事由", "类别", "处分种类", "决定日期", "处分文号"], [
        [1, "刘某", u, "乱收费", Plant("党纪处分", "category-mismatch"), "记过", D(2026, 10, 12), "县教纪〔2026〕30号"],
        [2, "陈某", u, "有偿补课", "政务处分", Plant("罚款", "unknown-value"), D(2026, 10, 13), "县教纪〔2026〕31号"],
        [3, "杨某", u, "师德师风", "问责/其他措施", "批评教育", D(2026, 5, 28), "县教纪〔2026〕16号"],
    ], unit=u, title="实验小学处分台账")
    notes.planted.append("sheet-skipped")
    return [notes, rect, comp, sanctions, _activities(u)]


def _youeryuan() -> list[Sheet]:
    """县中心幼儿园: clean, written as .xls with real Excel dates; a 合计 row."""
    u = "县中心幼儿园"
    comp = Sheet("信访举报台账", "complaints", [
        "序号", "收件日期", "来源", "方式", "类别", "被反映人", "反映人", "联系电话", "承办单位", "处置方式", "办理状态",
        "办结日期", "核查结论"], [
        [1, D(2026, 3, 3), "自办", "来电", "违规收费", u, "酆佳怡", "13800550101", u, "初步核实", "办结",
         D(2026, 3, 20), "不属实"],
        [2, D(2026, 5, 11), "市转办", "网络", "违规收费", u, "巩建业", "13800550202", u, "初步核实", "办结",
         D(2026, 5, 29), "属实"],
        [3, D(2026, 8, 19), "自办", "来访", "师德师风", "刘某某（保育员）", "湛秋菊", "13800550303", u, "谈话函询", "办结",
         D(2026, 9, 2), "部分属实"],
        [4, D(2026, 10, 10), "市转办", "来电", "违规收费", u, "麴子涵", "13800550404", u, "初步核实", "办结",
         D(2026, 10, 24), "不属实"],
        [5, D(2026, 10, 20), "省转办", "网络", "其他", u, "庾海峰", "13800550505", u, "初步核实", "在办", None, None],
        [6, "2026/10/29", "自办", "信件", "师德", "王某某（教师）", "滑翠萍", "13800550606", u, "初步核实", "在办",
         None, None],
    ], unit=u, title="县中心幼儿园信访举报台账")
    rect = Sheet("整改台账", "rectification", RECT_STD, [
        [1, "专项检查", D(2026, 5, 12), "保教费收费标准公示不清", u, "马丽", "在园门口和家长群重新公示", "限期整改",
         D(2026, 6, 30), "已完成", D(2026, 6, 20)],
        [2, "专项检查", D(2026, 5, 12), "代收伙食费结余未按期退还", u, "马丽", "按学期结算并退还结余", "限期整改",
         D(2026, 10, 31), "已完成", D(2026, 10, 29)],
        [3, "督查", D(2026, 8, 5), "兴趣班收费未经家长书面同意", u, "陈静", "停止收费，补签家长知情同意书", "立行立改",
         "立行立改", "已销号", D(2026, 8, 15)],
        [4, "自查", D(2026, 10, 8), "保育员岗前培训记录缺失", u, "陈静", "组织全员培训并建立档案", "限期整改",
         D(2026, 12, 31), "整改中", None],
    ], unit=u, title="县中心幼儿园整改台账")
    refunds = Sheet("退费台账", "refunds", REF_STD, [
        [1, u, "服务性收费", D(2026, 5, 14), 96, 12000, 12000, 12000, 0, D(2026, 5, 30)],
        [2, u, "代收费", D(2026, 10, 16), 140, 8400, 8400, 8400, 0, D(2026, 10, 29)],
        Total(),
    ], unit=u, title="县中心幼儿园退费台账")
    return [comp, rect, refunds, _activities(u)]


def _zhongzhuan() -> list[Sheet]:
    """县职业中专: defects.  Complaints without any 来源 column, 若干 as a count, a missing
    name; a hidden old copy of the sanctions ledger (clean)."""
    u = "县职业中专"
    comp = Sheet("信访举报台账", "complaints", [
        "编号", "收件日期", "方式", "类别", "被反映人", "反映人", "联系电话", "反映问题", "办理状态", "办结日期",
        "来访人次"], [
        ["ZZ-01", D(2026, 3, 16), "来信", "违规收费", u, "蔺宝山", "13800660101", "反映学校收取实习管理费", "办结",
         D(2026, 4, 3), None],
        ["ZZ-02", D(2026, 6, 22), "来访", "违规招生", u, "荀艳芳", "13800660202", "反映招生中介收取学生介绍费", "办结",
         D(2026, 7, 15), 3],
        ["ZZ-03", D(2026, 9, 9), "网络", "违规吃喝", u, "璩永福", "13800660303", "反映实训处人员接受企业宴请", "办结",
         D(2026, 10, 12), None],
        ["ZZ-04", D(2026, 10, 6), "来访", "违规招生", u, "羿晓东", "13800660404", "反映学校虚报招生人数", "在办",
         None, 1],
        ["ZZ-05", D(2026, 10, 18), "来访", "违规收费", u, "佘红霞", "13800660505", "家长反映实训耗材费收取过高", "在办",
         None, Plant("若干", "invalid-number")],
        ["ZZ-06", D(2026, 10, 25), "来电", "其他", "县职业中专实训处", "储一鸣", "13800660606", "反映校企合作企业拖欠实习补贴",
         "在办", None, None],
    ], unit=u, unit_in_one_cell=True, title="县职业中专信访举报台账", planted=["missing-column"])
    rect = Sheet("整改台账", "rectification", [
        "编号", "发现渠道", "交办日期", "问题表现", "单位", "整改措施", "整改期限", "状态", "销号时间", "佐证材料"], [
        [1, "巡察反馈", D(2026, 4, 10), "实训耗材采购未比价", u, "建立三家比价制度", D(2026, 6, 30), "已销号",
         D(2026, 6, 20), "比价记录"],
        [2, "专项检查", D(2026, 9, 5), "顶岗实习收取管理费", u, "立即停止收取并全额清退", "立行立改", "已完成",
         D(2026, 9, 20), "退费凭证"],
        [3, "督查", D(2026, 10, 9), "学生资助资金公示不及时", u, "在校园网和公示栏公示", D(2026, 11, 15), "整改中", None,
         None],
        [4, "自查", D(2026, 10, 21), "校企合作协议审核不严", u, "协议须经法律顾问审核", "长期坚持", "推进中", None, None],
    ], unit=u, unit_in_one_cell=True, title="县职业中专整改台账")
    sanctions = Sheet("处分台账", "sanctions", SAN_STD, [
        [1, "冯某", u, "实训处副主任", "违规收费", "问责/其他措施", "提醒谈话", D(2026, 8, 12), "县教纪〔2026〕25号"],
        [2, "黄某", u, "教务科长", "违规吃喝", "党纪处分", "严重警告", D(2026, 10, 15), "县教纪〔2026〕36号"],
        [3, Plant(None, "missing-value"), u, "班主任", "违规收费", "问责/其他措施", "通报批评", D(2026, 10, 16),
         "县教纪〔2026〕37号"],
    ], unit=u, unit_in_one_cell=True, title="县职业中专处分台账")
    old = Sheet("处分台账(旧)", "sanctions", SAN_STD, [
        [1, "蒋某", u, "教师", "有偿补课", "问责/其他措施", "批评教育", D(2026, 4, 3), "县教纪〔2026〕3号"],
        [2, "冯某", u, "实训处副主任", "违规收费", "问责/其他措施", "提醒谈话", D(2026, 8, 12), "县教纪〔2026〕25号"],
    ], title="县职业中专处分台账（8月版）", hidden=True, planted=["hidden-sheet"])
    return [comp, rect, sanctions, _activities(u), old]


def _jinxiu() -> list[Sheet]:
    """县教师进修学校: clean.  Refunds in 万元 with a capital numeral, text dates, full-width
    digits and a 填表人 footer; one person with two measures; complaints by synonyms."""
    u = "县教师进修学校"
    refunds = Sheet("退费台账", "refunds", [
        "序号", "学校", "收费项目", "查实日期", "涉及学生数", "违规金额（万元）", "应退金额（万元）", "已退金额（万元）",
        "上缴金额（万元）", "退费日期"], [
        [1, u, "教辅材料", "2026年10月12日", "３０", 4.5, 4.5, "肆万伍仟元整", 0, "2026年10月26日"],
        [2, u, "其他", "20261019", 12, 0.5, 0.3, "3,000元", 0.2, "20261030"],
    ], unit=u, title="县教师进修学校违规收费退费台账",
        footer=["填表人：林静", None, "审核人：方正", None, None, "填报日期：2026年10月31日"])
    sanctions = Sheet("处分台账", "sanctions", SAN_STD + ["备注"], [
        [1, "石某", u, "培训部主任", "违规吃喝", "党纪处分", "警告", D(2026, 3, 18), "县教纪〔2026〕7号", None],
        [2, "郭某", u, "副校长", "违规收费", "党纪处分", "党内警告", D(2026, 10, 20), "县教纪〔2026〕40号", "同一事由"],
        [3, "郭某", u, "副校长", "违规收费", "组织处理", "免职", D(2026, 10, 20), "县教党〔2026〕8号", "同一事由"],
        [4, "罗某", u, "教师", "违规招生", "问责/其他措施", "诫勉谈话", D(2026, 10, 26), "县教纪〔2026〕41号", None],
    ], unit=u, title="县教师进修学校处分台账")
    comp = Sheet("信访举报台账", "complaints", [
        "序号", "来信日期", "交办来源", "渠道", "反映问题类型", "被反映对象", "信访人", "联系方式", "主要问题", "办理单位",
        "处置方式", "办理状态", "办结时间", "核查结论", "来访人次"], [
        [1, "2026年2月27日", "市转办", "来信", "违规收费", u, "卜云鹤", "13800770101", "反映培训班收取资料费",
         u, "初步核实", "办结", "2026年3月18日", "属实", None],
        [2, "2026年7月6日", "自办", "来访", "违规吃喝", u, "揭晓光", "13800770202", "反映培训期间组织宴请",
         u, "初步核实", "办结", "2026年7月24日", "部分属实", 2],
        [3, "2026年9月29日", "省转办", "网络", "违规招生", u, "虞静宜", "13800770303", "反映继续教育学分班违规招生",
         u, "初步核实", "办结", "2026年10月21日", "属实", None],
        [4, "2026年10月8日", "自办", "电话", "其他", u, "桓振宇", "13800770404", "反映培训证书发放迟缓",
         u, "予以了结", "办结", "2026年10月9日", "不属实", None],
        [5, "2026年10月16日", "市转办", "来信", "违规收费", u, "皮小梅", "13800770505", "反映学历提升班收费偏高",
         u, "初步核实", "在办", None, None, None],
        [6, "2026年10月27日", "自办", "来访", "师德师风", "罗某（教师）", "菅志刚", "13800770606",
         "反映该教师授课时发表不当言论", u, "谈话函询", "在办", None, None, 1],
    ], unit=u, title="县教师进修学校信访举报台账")
    return [refunds, sanctions, comp, _activities(u)]


def _jiguan() -> list[Sheet]:
    """教育局机关 (file name 局机关10月报表.xlsx): clean.  Complaints with 来访人次 and 备注."""
    u = "教育局机关"
    comp = Sheet("信访举报台账", "complaints", COMP_STD + ["来访人次", "备注"], [
        ["JG-2026-01", D(2026, 1, 8), "省转", "网络", "工程建设", "某施工单位", "漆雅楠", "13800880101",
         "反映校舍维修工程转包", u, "初步核实", "办结", D(2026, 2, 6), "不属实", None, None],
        ["JG-2026-02", D(2026, 3, 19), "市转", "来信", "违规收费", "东关小学", "蒙德胜", "13800880202",
         "反映东关小学收取择校费", "东关小学", "初步核实", "办结", D(2026, 4, 20), "属实", None, "已督促清退"],
        ["JG-2026-03", D(2026, 5, 26), "本级受理", "来访", "违规招生", "县特殊教育学校", "阎秋实", "13800880303",
         "反映招生信息公开不及时", "县特殊教育学校", "予以了结", "办结", D(2026, 6, 5), "部分属实", 3, "群体来访"],
        ["JG-2026-04", D(2026, 7, 14), "省转", "领导批转", "违规吃喝", "某科室", "危少华", "13800880404",
         "反映科室人员接受学校宴请", u, "谈话函询", "办结", D(2026, 8, 10), "属实", None, None],
        ["JG-2026-05", D(2026, 9, 3), "市转", "网络", "教辅征订", "县第二中学", "拓海燕", "13800880505",
         "反映学校强制征订教辅", "县第二中学", "初步核实", "办结", D(2026, 9, 28), "不属实", None, None],
        ["JG-2026-06", D(2026, 10, 2), "省转", "网络", "工程建设", "某施工单位", "宦明理", "13800880606",
         "反映食堂改造工程围标", u, "初步核实", "在办", None, None, None, None],
        ["JG-2026-07", D(2026, 10, 13), "本级受理", "来访", "违规收费", "城关小学", "冀梦洁", "13800880707",
         "反映课后服务费收取不规范", "城关小学", "初步核实", "办结", D(2026, 10, 28), "部分属实", 5, "家长代表来访"],
        ["JG-2026-08", D(2026, 10, 22), "市转", "来电", "有偿补课", "县第一中学", "瞿新民", "13800880808",
         "反映教师组织有偿补课", "县第一中学", "初步核实", "在办", None, None, None, None],
        ["JG-2026-09", D(2026, 10, 27), "本级受理", "短信", "违规吃喝", "某科室", "綦红英", "13800880909",
         "反映工作日午间饮酒", u, "暂存待查", "在办", None, None, None, None],
    ], unit=u, title="教育局机关信访举报台账")
    sanctions = Sheet("处分台账", "sanctions", SAN_STD, [
        [1, "韩某", u, "股长", "违规吃喝", "问责/其他措施", "诫勉", D(2026, 8, 20), "县教纪〔2026〕27号"],
        [2, "宋某", u, "科员", "违规吃喝", "政务处分", "记过", D(2026, 10, 28), "县教纪〔2026〕45号"],
    ], unit=u, title="教育局机关处分台账")
    rect = Sheet("整改台账", "rectification", RECT_STD, [
        [1, "巡察反馈", D(2026, 2, 20), "对学校收费监管不到位", u, "计财股", "每学期开展收费专项检查", "长期坚持", "长期坚持",
         "整改中", None],
        [2, "审计", D(2026, 6, 3), "部分学校食堂账目未纳入统一核算", u, "计财股", "制定食堂财务管理办法", "限期整改",
         D(2026, 9, 30), "已完成", D(2026, 9, 26)],
        [3, "信访", D(2026, 10, 13), "课后服务收费政策宣传不够", u, "基教股", "印发政策解读并在各校公示", "限期整改",
         D(2026, 11, 30), "整改中", None],
    ], unit=u, title="教育局机关整改台账")
    return [comp, sanctions, rect, _activities(u)]


# --- the activity ledgers (工作开展台账): every unit keeps one, each in its own spelling -------

ACT_STD = ["序号", "日期", "活动类别", "活动内容", "次数", "参与人次", "成果数量", "计量单位", "组织单位"]


def _activities(unit: str) -> Sheet:
    """The unit's 工作开展台账: categories and headers in the unit's own words, a 合计 row
    (a blank 次数 counts 1 there too), rows from earlier months of the year."""
    u = unit
    if unit == "县第一中学":
        return Sheet("工作开展台账", "activities", ACT_STD, [
            [1, D(2026, 3, 6), "集中学习", "学习新修订《中国共产党纪律处分条例》", 1, 86, 86, "篇", "党总支"],
            [2, D(2026, 6, 20), "观看警示教育片", "《零容忍》第三集", 1, 92, None, None, "党总支"],
            [3, D(2026, 9, 10), "任前廉政谈话", "新任中层干部", 1, 7, None, None, "纪检组"],
            [4, D(2026, 10, 9), "集中学习", "学习教育系统违纪违法典型案例", 1, 88, 12, "篇", "党总支"],
            [5, D(2026, 10, 23), "学习研讨", "师德师风专题研讨", None, 45, 6, "篇", "党总支"],
            [6, D(2026, 10, 15), "工作动态", "廉洁校园建设工作动态", 3, None, 3, "条", "办公室"],
            [7, D(2026, 10, 28), "明察暗访", "有偿补课专项明察暗访", 2, None, 3, "个", "纪检组"],
            Total(),
        ], unit=u, title="县第一中学2026年工作开展台账")
    if unit == "县第二中学":
        return Sheet("工作开展情况", "activities",
                     ["编号", "开展日期", "类型", "主题", "场次", "参加人数", "数量", "量词", "开展单位"], [
            [1, D(2026, 4, 12), "廉政党课", "校长讲廉政党课", 1, 120, None, None, "党支部"],
            [2, D(2026, 10, 11), "警示教育会", "通报教育系统违纪典型案例", 1, 130, None, None, "党支部"],
            [3, D(2026, 10, 18), Plant("读书会", "unknown-value"), "廉洁读书分享", 1, 40, None, None, "工会"],
            [4, D(2026, 10, 25), "横幅", "“清廉学校”宣传横幅", 1, None, 4, "条", "办公室"],
            Total(),
        ], unit=u, title="县第二中学工作开展情况登记表", date_format="yyyy/m/d")
    if unit == "城关小学":
        return Sheet("活动台账", "activities",
                     ["序号", "活动日期", "项目", "活动名称", "期数", "覆盖人数", "篇数", "计量单位", "单位"], [
            [1, D(2026, 5, 8), "进课堂", "廉洁文化进课堂（四年级）", 4, 360, None, None, u],
            [2, D(2026, 9, 18), "征文", "“廉洁伴我成长”征文", 1, 210, 64, "篇", u],
            [3, D(2026, 10, 13), "进课堂", "廉洁文化进课堂（五年级）", 3, 280, None, None, u],
            [4, D(2026, 10, 21), "宣传展板", "廉政文化宣传栏更新", 1, None, 2, "期", u],
            Total(),
        ], unit=u, title="城关小学廉洁教育活动台账")
    if unit == "实验小学":
        return Sheet("学习教育", "activities",
                     ["序号", "时间", "活动类型", "内容", "次", "参加人次", "条数", "量词", "组织单位", "备注"], [
            [1, D(2026, 2, 27), "学习资料推送", "廉政学习资料推送", 4, 260, 4, "期", u, None],
            [2, D(2026, 10, 10), "在线测试", "党纪法规知识在线测试", 1, 68, None, None, u, None],
            [3, D(2026, 10, 17), "廉洁主题党日", "参观廉政教育基地", 1, 35, None, None, "党支部", None],
            [4, D(2026, 10, 29), "修订完善制度", "修订《物资采购管理办法》等", 1, None, 3, "项", u, None],
            Total(),
        ], unit=u, title="实验小学工作开展台账")
    if unit == "县中心幼儿园":
        return Sheet("工作开展台账", "activities", ACT_STD, [
            [1, D(2026, 6, 5), "培训班", "保教人员廉洁从教培训", 1, 56, None, None, u],
            [2, D(2026, 10, 16), "警示片", "观看警示教育片", 1, 58, None, None, u],
            [3, D(2026, 10, 24), "标语", "廉洁文化标语", 1, None, 12, "条", u],
            Total(),
        ], unit=u, title="县中心幼儿园工作开展台账")
    if unit == "县职业中专":
        return Sheet("工作开展台账", "activities", ACT_STD + ["备注"], [
            [1, D(2026, 7, 2), "集体廉政谈话", "暑期招生工作人员", 1, 26, None, None, "纪检组", None],
            [2, D(2026, 10, 12), "专项检查", "实习实训收费专项检查", 1, None, 2, "个", "纪检组", None],
            [3, D(2026, 10, 27), "廉政知识竞赛", "师生廉政知识竞赛", 1, 150, None, None, "团委", None],
            Total(),
        ], unit=u, title="县职业中专工作开展台账")
    if unit == "县教师进修学校":
        return Sheet("工作开展台账", "activities", ACT_STD, [
            [1, D(2026, 3, 20), "廉洁教育培训班", "新任校长廉洁教育培训班", 1, 48, None, None, u],
            [2, D(2026, 10, 14), "专题讲座", "师德师风专题讲座", 2, 160, None, None, u],
            [3, D(2026, 10, 22), "制度梳理", "培训管理制度梳理", 1, None, 9, "项", u],
            Total(),
        ], unit=u, title="县教师进修学校工作开展台账")
    return Sheet("工作开展台账", "activities", ACT_STD, [
        [1, D(2026, 1, 15), "新制定制度", "出台《教育系统廉政风险防控办法》", 1, None, 1, "项", "办公室"],
        [2, D(2026, 8, 28), "选树典型", "“清廉学校”示范校评选", 1, None, 3, "个", "纪检组"],
        [3, D(2026, 10, 9), "集中学习研讨", "局党组理论学习中心组廉政专题学习", 1, 21, 21, "篇", "办公室"],
        [4, D(2026, 10, 20), "文艺汇演", "廉政文艺演出", 1, 420, None, None, "团委"],
        [5, D(2026, 10, 30), "明察暗访", "违规收费明察暗访", None, None, 5, "个", "纪检组"],
        [6, D(2026, 10, 31), "制度宣传培训", "新办法宣讲", 1, 65, None, None, "纪检组"],
        Total(),
    ], unit=u, title="教育局机关工作开展台账")


def units() -> dict[str, tuple[str, list[Sheet]]]:
    """file name -> (format, sheets in workbook order)."""
    return {
        "县第一中学_2026年10月台账.xlsx": ("xlsx", _yizhong()),
        "县第二中学_10月台账.xlsx": ("xlsx", _erzhong()),
        "城关小学_2026年10月台账.xlsx": ("xlsx", _chengguan()),
        "实验小学_10月台账.xlsx": ("xlsx", _shiyan()),
        "县中心幼儿园_2026年10月.xls": ("xls", _youeryuan()),
        "县职业中专_10月台账.xlsx": ("xlsx", _zhongzhuan()),
        "县教师进修学校_10月台账.xlsx": ("xlsx", _jinxiu()),
        "局机关10月报表.xlsx": ("xlsx", _jiguan()),
    }


ROSTER = [
    ("县第一中学", "县一中、第一中学、一中"), ("县第二中学", "县二中、第二中学、二中"),
    ("城关小学", "城关小"), ("实验小学", "县实验小学、实小"), ("县中心幼儿园", "中心幼儿园、县幼儿园"),
    ("县职业中专", "职业中专、县职中、职中"), ("县教师进修学校", "进修学校、教师进修学校"),
    ("教育局机关", "局机关、县教育局机关"), ("东关小学", "东关小"), ("县特殊教育学校", "特教学校、县特校"),
]


# --- self-check ------------------------------------------------------------------------------

def _lint(file: str, sheet: Sheet) -> None:
    """Stop on anything in a sheet that would give a finding nobody planted."""
    if sheet.kind is None:
        return
    where = f"{file} / {sheet.name}"
    seen: dict[str, str] = {}
    fields = []
    for h in sheet.header:
        col, _scale = column_of(sheet.kind, _unwrap(h))
        fields.append(col)
        if col is None:
            assert isinstance(h, Plant) and h.code == "unknown-column", f"{where}: unknown header {h!r}"
            continue
        if col["field"] != "seq":
            assert col["field"] not in seen, f"{where}: {h} repeats {seen.get(col['field'])}"
        seen[col["field"]] = _unwrap(h)
    for col in COLUMNS[sheet.kind]["columns"]:
        if col.get("required") and col["field"] not in seen:
            assert "missing-column" in sheet.planted, f"{where}: no column {col['name']}"
    ids = set()
    for row in sheet.rows:
        if row is BLANK or isinstance(row, Total):
            continue
        for col, value in zip(fields, row):
            if col is None or isinstance(value, Plant) or value is None:
                continue
            if col.get("vocabulary"):
                assert _key(value) in vocab_keys(col["vocabulary"]), f"{where}: {value!r} not in {col['vocabulary']}"
            if col["field"] == "seq":
                assert value not in ids, f"{where}: 序号 {value} twice"
                ids.add(value)
            if col.get("required"):
                assert value != "", where
        for col, value in zip(fields, row):
            if col and col.get("required") and value is None:
                raise AssertionError(f"{where}: empty required {col['name']} in {row}")


def _texts(sheets: list[Sheet]) -> list[str]:
    out = []
    for sheet in sheets:
        for row in layout(sheet).rows:
            out.extend(str(v) for v in row if v is not None)
    return out


def complainant_secrets() -> list[str]:
    """Every complainant's name and phone in the sample month: no output may show them."""
    secrets = []
    for _fmt, sheets in units().values():
        for sheet in sheets:
            if sheet.kind != "complaints":
                continue
            for c, h in enumerate(sheet.header):
                col, _ = column_of("complaints", _unwrap(h))
                if col and col.get("confidential"):
                    secrets.extend(str(_unwrap(row[c])) for row in sheet.rows
                                   if row is not BLANK and not isinstance(row, Total) and row[c] is not None)
    return sorted(secrets)


def _check_secrets(all_units: dict[str, tuple[str, list[Sheet]]]) -> None:
    texts = [t for _fmt, sheets in all_units.values() for t in _texts(sheets)]
    for secret in complainant_secrets():
        hits = sum(secret in t for t in texts)
        assert hits == 1, f"complainant detail {secret} appears in {hits} cells"


# --- main --------------------------------------------------------------------------------

def make_samples(out: Path) -> list[dict]:
    """Write the month's workbooks under ``out/2026-10``, ``out/planted_findings.json`` and the
    roster ``out/单位名册.xlsx``; return the planted findings."""
    month = out / "2026-10"
    month.mkdir(parents=True, exist_ok=True)
    all_units = units()
    _check_secrets(all_units)
    planted: list[dict] = []
    for file, (fmt, sheets) in all_units.items():
        for sheet in sheets:
            _lint(file, sheet)
            for code, cell in layout(sheet).planted:
                assert code in CATALOGUE, code
                planted.append({"file": file, "sheet": sheet.name, "code": code, "cell": cell})
        (write_xls if fmt == "xls" else write_xlsx)(month / file, sheets)
    planted.sort(key=lambda f: (f["file"], f["sheet"], f["code"], f["cell"] or ""))
    (out / "planted_findings.json").write_text(json.dumps(planted, ensure_ascii=False, indent=2) + "\n",
                                               encoding="utf-8")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "单位名册"
    ws.append(["单位", "别名"])
    for unit, aliases in ROSTER:
        ws.append([unit, aliases])
    for cell in ws[1]:
        cell.font = Font(name=SONG, bold=True)
        cell.fill = HEADER_FILL
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 40
    _save(wb, out / "单位名册.xlsx")
    return planted


# The small ledgers of 函数示例.xlsx, fixed here so that the functions' expected results do not
# move when the sample month changes (see tests/test_udfs.py).
_UDF_LEDGERS = {
    "退费台账": [
        REF_STD,
        [1, "县第一中学", "教辅材料", D(2026, 10, 18), 120, 18000, 18000, 18000, 0, D(2026, 10, 28)],
        [2, "县第一中学", "有偿补课", D(2026, 9, 26), 35, "10,500.00", "10,500.00", "10,500.00", 0, D(2026, 10, 9)],
        ["合计", None, None, None, 155, 28500, 28500, 28500, 0, None],
    ],
    "信访举报台账": [
        ["编号", "收件日期", "来源", "方式", "类别", "被反映人", "反映人", "联系电话", "承办单位", "处置方式", "办理状态",
         "办结日期", "核查结论"],
        ["XF2026-001", D(2026, 10, 8), "省转办", "网络", "违规收费", "县第一中学", "周立平", "13800001111", "县第一中学",
         "初步核实", "办结", D(2026, 10, 20), "部分属实"],
        ["XF2026-002", "2026/10/12", "市纪委转办", "来信", "有偿补课", "王某某（教师）", "吴晓燕", "13800002222",
         "县第一中学", "谈话函询", "已办结", "2026年10月25日", "属实"],
        ["XF2026-003", "2026.10.16", "直接受理", "来访", "师德师风", "李某某（教师）", "郑海涛", "13800003333",
         "县第一中学", "初步核实", "在办", None, None],
        ["XF2026-004", 20260921, "自办", "来电", "违规招生", "县第一中学", "孙丽", "13800004444", "县第一中学",
         "予以了结", "办结", D(2026, 9, 30), "不属实"],
    ],
    "处分台账": [
        SAN_STD,
        [1, "王某某", "县第一中学", "教师", "有偿补课", "政务处分", "警告", D(2026, 10, 22), "县教纪〔2026〕21号"],
        [2, "张某某", "县第一中学", "年级主任", "违规收费", "问责/其他措施", "诫勉", D(2026, 10, 23), "县教纪〔2026〕22号"],
    ],
    "整改台账": [
        RECT_STD,
        [1, "巡察反馈", D(2026, 3, 12), "食堂财务管理不规范，票据不全", "县第一中学", "李建国", "建立食堂账目月审制度",
         "限期整改", D(2026, 6, 30), "已销号", D(2026, 6, 18)],
        [2, "专项检查", D(2026, 5, 9), "教辅材料征订未经家长自愿", "县第一中学", "王志强", "停止统一征订，退还费用",
         "立行立改", "立行立改", "已完成", D(2026, 5, 20)],
        [3, "督查", D(2026, 9, 15), "晚自习收费公示不到位", "县第一中学", "陈明", "完善收费公示栏", "限期整改",
         D(2026, 11, 30), "整改中", None],
        [4, "自查", D(2026, 10, 10), "师德师风档案不完整", "县第一中学", "赵敏", "补齐教师师德档案", "长期坚持", "长期坚持",
         "整改中", None],
    ],
}


def make_udf_example(out: Path) -> Path:
    """A workbook whose 统计 sheet uses the add-in's worksheet functions on its own ledgers."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in _UDF_LEDGERS.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    ws = wb.create_sheet("统计", 0)
    formulas = [
        ("已退金额（元）", "=REFUND_TOTAL(退费台账!A1:J20)"),
        ("其中10月", '=REFUND_TOTAL(退费台账!A1:J20,"","2026-10")'),
        ("尚未退还（元）", '=REFUND_DUE(退费台账!A1:J20,"县第一中学")'),
        ("信访举报（件）", "=COMPLAINT_COUNT(信访举报台账!A1:M20)"),
        ("其中省转办", '=COMPLAINT_COUNT(信访举报台账!A1:M20,"省转办")'),
        ("其中市转办（10月）", '=COMPLAINT_COUNT(信访举报台账!A1:M20,"市纪委转办","2026-10")'),
        ("处分人数", "=SANCTION_COUNT(处分台账!A1:I20)"),
        ("因违规收费诫勉", '=SANCTION_COUNT(处分台账!A1:I20,"诫勉","违规收费")'),
        ("逾期整改", "=RECTIFY_OVERDUE(整改台账!A1:K20,B12)"),
        ("整改完成率", "=RECTIFY_RATE(整改台账!A1:K20)"),
        ("检查日期", date(2026, 10, 31)),
    ]
    ws.append(["项目", "数值"])
    for label, formula in formulas:
        ws.append([label, formula])
    ws["B11"].number_format = "0.0%"
    ws["B12"].number_format = "yyyy-mm-dd"
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 16
    path = out / "函数示例.xlsx"
    _save(wb, path)
    return path


def main() -> int:
    made = make_templates(ROOT / "templates")
    planted = make_samples(ROOT / "samples")
    make_udf_example(ROOT / "samples")
    print(f"模板 {len(made)} 个；样例 {len(units())} 个单位，预置问题 {len(planted)} 个")
    return 0


if __name__ == "__main__":
    sys.exit(main())
