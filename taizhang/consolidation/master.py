"""The master workbook's own sheets: read back what earlier months wrote, write it anew.

taizhang owns these sheets of the master and nothing else: the consolidated detail of each
ledger kind, ``报送情况`` and ``问题清单`` (and the summary sheets, see ``taizhang.summary``).
Each is a table keyed by (单位, 月份): a consolidation replaces the keys it brings and keeps
every other row as it was, so re-running a month gives the same master and a unit's
corrected file replaces only its own rows.  Other sheets are left as they are.  The master
is written to a temporary file beside it and moved into place; the previous one is kept as
a dated backup.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterable

import openpyxl
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook

from taizhang.config import Config, Kind
from taizhang.consolidation.sheetxml import strip_sheets
from taizhang.model import row_model
from taizhang.reading.source import open_workbook
from taizhang.values import clean_text
from taizhang.writing import put, replace_atomically

#: Provenance columns in front of every consolidated row.
PROVENANCE = ("单位", "月份", "来源文件", "原工作表", "原行号")
ISSUES_COLUMN = "检查结果"



def detail_sheets() -> dict[Kind, str]:
    """kind -> the name of its consolidated detail sheet, for every registered kind."""
    from taizhang.kinds import kinds

    return {d.kind: d.master_sheet or f"{d.label}合并" for d in kinds()}


def __getattr__(name: str):
    if name == "DETAIL_SHEETS":  # the former table, now over the registry
        return detail_sheets()
    raise AttributeError(name)


STATUS_SHEET = "报送情况"
STATUS_COLUMNS = ("单位", "月份", "报送情况", "文件", "文件时间", "读取行数", "写入行数", "退回行数",
                  "错误", "提醒", "说明")
FINDINGS_SHEET = "问题清单"
FINDINGS_COLUMNS = ("单位", "月份", "文件", "工作表", "单元格", "行号", "列", "级别", "代码", "问题")

MONEY_FORMAT = '#,##0.00'
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def detail_columns(config: Config, kind: Kind) -> list[tuple[str, str]]:
    """(field, header) of a detail sheet after the provenance columns.

    A ledger column named like a provenance column (处分台账's 单位, the sanctioned person's
    unit) takes its first synonym that is not (所在单位), so that every header is unique.
    """
    out = []
    for c in config.kinds[kind].columns:
        name = c.name
        if name in PROVENANCE:
            name = next((s for s in c.synonyms if s not in PROVENANCE), f"{name}（台账）")
        out.append((c.field, name))
    return out


def detail_formats(config: Config, kind: Kind) -> dict[str, str]:
    """Number format per detail column: dates and money, from the types of the row model."""
    fields = row_model(kind).model_fields
    formats = {}
    for f, header in detail_columns(config, kind):
        annotation = fields[f].annotation if f in fields else None
        if annotation == (date | None):
            formats[header] = DATE_FORMAT
        elif annotation == (Decimal | None):
            formats[header] = MONEY_FORMAT
    return formats


@dataclass
class Table:
    """A sheet taizhang owns: a header and rows (dicts by header name), keyed by (单位, 月份)."""

    name: str
    columns: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)

    def replace(self, keys: set[tuple[str, str]], new_rows: Iterable[dict[str, Any]]) -> None:
        """Drop the rows of ``keys`` and add ``new_rows`` (which belong to those keys)."""
        self.rows = [r for r in self.rows if (r.get("单位"), r.get("月份")) not in keys]
        self.rows.extend(new_rows)


def _cell_value(value: Any) -> Any:
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if value == "":
        return None
    return value


def read_tables(master: Path, config: Config, settings: list | None = None) -> dict[str, Table]:
    """The taizhang-owned tables of an existing master (empty tables when it has none); the
    cells of its ``台账设置`` sheet, when it has one, are appended to ``settings``."""
    wanted: dict[str, list[str]] = {
        **{name: list(PROVENANCE) + [h for _f, h in detail_columns(config, kind)] + [ISSUES_COLUMN]
           for kind, name in detail_sheets().items()},
        STATUS_SHEET: list(STATUS_COLUMNS),
        FINDINGS_SHEET: list(FINDINGS_COLUMNS),
    }
    tables = {name: Table(name, cols) for name, cols in wanted.items()}
    if not master.exists():
        return tables
    book = open_workbook(master)
    for sheet in book.sheets:
        if settings is not None and sheet.name == "台账设置":
            settings.extend(list(r) for r in sheet.rows)
        table = tables.get(sheet.name)
        if table is None or not sheet.rows:
            continue
        header = [clean_text(v) for v in sheet.rows[0]]
        for raw in sheet.rows[1:]:
            row = {h: _cell_value(v) for h, v in zip(header, raw) if h}
            if any(v is not None for v in row.values()):
                row["月份"] = clean_text(row.get("月份"))
                table.rows.append(row)
    return tables


def _style_header(ws, ncols: int) -> None:
    for c in range(1, ncols + 1):
        cell = ws.cell(row=1, column=c)
        cell.font = Font(name="等线", bold=True)
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.freeze_panes = "A2"


def write_table(wb: Workbook, table: Table, *, formats: dict[str, str] | None = None,
                template_only: bool = False) -> None:
    """(Re)create ``table``'s sheet in ``wb``; ledger text is always written as text.

    ``formats`` gives a number format per column (applied to non-text values).  With
    ``template_only`` the sheet gets its header and one template row carrying those formats;
    :func:`taizhang.consolidation.sheetxml.stream_rows` fills in the rows after saving.
    """
    index = None
    if table.name in wb.sheetnames:
        index = wb.sheetnames.index(table.name)
        del wb[table.name]
    ws = wb.create_sheet(table.name, index)
    formats = formats or {}
    for c, name in enumerate(table.columns, start=1):
        put(ws, 1, c, name)
    if template_only:
        for c, name in enumerate(table.columns, start=1):
            if name in formats:
                sample = date(2000, 1, 1) if formats[name] == DATE_FORMAT else 0
                put(ws, 2, c, sample, formats[name])
    else:
        for r, row in enumerate(table.rows, start=2):
            for c, name in enumerate(table.columns, start=1):
                value = row.get(name)
                fmt = formats.get(name) if value is not None and not isinstance(value, str) else None
                if isinstance(value, (date, datetime)) and fmt is None:
                    fmt = DATE_FORMAT
                put(ws, r, c, value, fmt)
    _style_header(ws, len(table.columns))
    for c, name in enumerate(table.columns, start=1):
        width = max(len(name) * 2 + 2, 8)
        if name in ("来源文件", "文件", "问题", "说明") or name.endswith(("描述", "措施", "问题")):
            width = 30
        ws.column_dimensions[get_column_letter(c)].width = width
    if table.rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{len(table.rows) + 1}"


def open_master(master: Path, owned: Iterable[str]) -> Workbook:
    """The existing master to write into (every sheet taizhang does not own kept), or a new one.

    The sheets taizhang owns are emptied before openpyxl loads the file: they are rewritten
    anyway, and a county's consolidated detail would take most of the time to load.
    """
    if not master.exists():
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        return wb
    light = master.with_name(f".{master.name}.{os.getpid()}.load.xlsx")
    try:
        strip_sheets(master, light, owned)
        return openpyxl.load_workbook(light, keep_vba=master.suffix.lower() == ".xlsm")
    finally:
        light.unlink(missing_ok=True)


def save_atomically(write: Callable[[Path], None], master: Path) -> Path | None:
    """Write the new master (``write(tmp)``) beside the old one, keep the old one as a dated
    backup, move the new one into place.  Returns the backup (None for a first master).
    If anything fails before the final move, the previous master is untouched."""

    def write_then_back_up(tmp: Path) -> None:
        nonlocal backup
        write(tmp)
        if master.exists():
            stamp = time.strftime("%Y%m%d-%H%M%S")
            backup = master.with_name(f"{master.stem}.备份-{stamp}{master.suffix}")
            n = 1
            while backup.exists():
                backup = master.with_name(f"{master.stem}.备份-{stamp}-{n}{master.suffix}")
                n += 1
            shutil.copy2(master, backup)

    backup: Path | None = None
    try:
        replace_atomically(master, write_then_back_up)
    except BaseException:
        # the master was not replaced (locked by Excel, say): its copy is no backup of anything
        if backup is not None:
            backup.unlink(missing_ok=True)
        raise
    return backup
