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

import glob
import os
import re
import shutil
import time
from dataclasses import field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterable

import openpyxl
from openpyxl.workbook import Workbook

from taizhang import writing
from taizhang.config import Config, Kind, default_config
from taizhang.consolidation.sheetxml import strip_sheets
from taizhang.findings_sheet import (FINDINGS_COLUMNS, FINDINGS_SHEET, HIDDEN_COLUMNS, codes_with_titles,
                                     write_findings_sheet)
from taizhang.kinds import kinds
from taizhang.model import fields_of, row_model
from taizhang.printing import DATE_FORMAT, TOP, WRAP, ColumnFit, measure, setup_table, wrap_cells
from taizhang.reading.source import open_workbook
from taizhang.records import dataclass
from taizhang.values import clean_text
from taizhang.writing import put, replace_atomically

#: Provenance columns in front of every consolidated row.
PROVENANCE = ("单位", "月份", "来源文件", "原工作表", "原行号")
ISSUES_COLUMN = "检查结果"
#: The columns a roll-up adds in front of 单位, naming where a row was reported from: a city's
#: master (rolled up from its counties' masters) has 县（区）, a province's 市（州） then 县（区）.
LEVEL_COLUMNS = ("县（区）", "市（州）", "省（区、市）")


def levels(depth: int) -> tuple[str, ...]:
    """The level columns of a master ``depth`` roll-ups above the units' (0: a county's
    master, none), the outermost first."""
    return tuple(reversed(LEVEL_COLUMNS[:depth]))


def provenance(depth: int = 0) -> tuple[str, ...]:
    """The provenance columns in front of a detail row of a master of that ``depth``."""
    return (*levels(depth), *PROVENANCE)


def key_column(depth: int = 0) -> str:
    """The column whose value, with 月份, keys a detail sheet's blocks: what reports to the
    master (单位 for a county's master, 县（区） for a city's)."""
    return levels(depth)[0] if depth else "单位"



def detail_sheets() -> dict[Kind, str]:
    """kind -> the name of its consolidated detail sheet, for every registered kind."""
    labels = default_config().kinds
    return {d.kind: d.master_sheet or f"{labels[d.kind].label}合并" for d in kinds()}


STATUS_SHEET = "报送情况"
STATUS_COLUMNS = ("单位", "月份", "报送情况", "文件", "文件时间", "读取行数", "写入行数", "退回行数",
                  "错误", "提醒", "说明")
STATUS_FORMATS = {"文件时间": 'yyyy-mm-dd hh:mm'}

MONEY_FORMAT = '#,##0.00'
DATETIME_FORMAT = STATUS_FORMATS["文件时间"]


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


def detail_header(config: Config, kind: Kind, depth: int = 0) -> list[str]:
    """The columns taizhang writes in ``kind``'s detail sheet of a master of that ``depth``."""
    return [*provenance(depth), *(h for _f, h in detail_columns(config, kind)), ISSUES_COLUMN]


def detail_formats(config: Config, kind: Kind) -> dict[str, str]:
    """Number format per detail column: dates and money, from the types of the row model."""
    fields = fields_of(row_model(kind))
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
    #: As found in the master (:func:`read_tables`): its header row as written there (a blank
    #: heading None), None when the master has no such sheet; and the columns (letters) that
    #: hold values under a blank heading.
    header: list[str | None] | None = None
    unnamed: list[str] = field(default_factory=list)
    #: The column keying the rows with 月份 (see :func:`key_column`).
    key: str = "单位"
    #: As found in the master: the row number (in Excel's count) of each row.
    lines: list[int] = field(default_factory=list, repr=False)

    def replace(self, keys: set[tuple[str, str]], new_rows: Iterable[dict[str, Any]]) -> None:
        """Drop the rows of ``keys`` and add ``new_rows`` (which belong to those keys)."""
        self.rows = [r for r in self.rows if (r.get(self.key), r.get("月份")) not in keys]
        self.rows.extend(new_rows)


def _cell_value(value: Any) -> Any:
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if value == "":
        return None
    return value


def read_tables(master: Path, config: Config, settings: list | None = None,
                others: dict[str, list] | None = None, depth: int = 0) -> dict[str, Table]:
    """The taizhang-owned tables of an existing master (empty tables when it has none); the
    cells of its ``台账设置`` sheet, when it has one, are appended to ``settings``, and the
    rows of its other sheets put into ``others`` (by sheet name).

    Each row keeps every column the master's sheet has, those added by hand too (see
    :attr:`Table.header`)."""
    tables = empty_tables(config, depth)
    if not master.exists():
        return tables
    return tables_of(open_workbook(master), tables, settings, others)


def empty_tables(config: Config, depth: int = 0) -> dict[str, Table]:
    """The tables taizhang owns in a master of that ``depth`` (see :func:`provenance`), empty."""
    details = detail_sheets().values()
    wanted: dict[str, list[str]] = {
        **{name: detail_header(config, kind, depth) for kind, name in detail_sheets().items()},
        STATUS_SHEET: list(STATUS_COLUMNS),
        FINDINGS_SHEET: list(FINDINGS_COLUMNS),
    }
    return {name: Table(name, cols, key=key_column(depth) if name in details else "单位")
            for name, cols in wanted.items()}


def tables_of(book: Any, tables: dict[str, Table], settings: list | None = None,
              others: dict[str, list] | None = None) -> dict[str, Table]:
    """Fill ``tables`` (empty, by sheet name) from the sheets of ``book`` (a workbook read by
    :func:`taizhang.reading.source.open_workbook`), as :func:`read_tables` says."""
    for sheet in book.sheets:
        if settings is not None and sheet.name == "台账设置":
            settings.extend(list(r) for r in sheet.rows)
        table = tables.get(sheet.name)
        if table is None:
            if others is not None:
                others[sheet.name] = list(sheet.rows)
            continue
        table.header = []
        if not sheet.rows:
            continue
        header = [clean_text(v) for v in sheet.rows[0]]
        table.header = header
        from openpyxl.utils import get_column_letter

        table.unnamed = [get_column_letter(i + 1) for i, h in enumerate(header)
                         if not h and any(i < len(r) and _cell_value(r[i]) is not None for r in sheet.rows[1:])]
        table.unnamed += [get_column_letter(i + 1) for i in range(len(header), max(map(len, sheet.rows)))
                          if any(i < len(r) and _cell_value(r[i]) is not None for r in sheet.rows[1:])]
        for line, raw in enumerate(sheet.rows[1:], start=2):
            row = {h: _cell_value(v) for h, v in zip(header, raw) if h}
            if any(v is not None for v in row.values()):
                table.lines.append(line)
                row["月份"] = clean_text(row.get("月份"))
                if row.get(ISSUES_COLUMN):  # a master of an earlier version listed bare codes
                    row[ISSUES_COLUMN] = codes_with_titles(clean_text(row[ISSUES_COLUMN]))
                table.rows.append(row)
    return tables


def write_table(wb: Workbook, table: Table, *, formats: dict[str, str] | None = None,
                template_only: bool = False, sample: Iterable[Any] | None = None,
                nrows: int | None = None) -> list[ColumnFit] | None:
    """(Re)create ``table``'s sheet in ``wb``, set up for printing (:mod:`taizhang.printing`);
    ledger text is always written as text.

    ``formats`` gives a number format per column (applied to non-text values).  With
    ``template_only`` the sheet gets its header and one template row whose cells carry each
    column's format and alignment (widths measured on ``sample`` rows, print area over
    ``nrows`` rows with the header); :func:`taizhang.consolidation.sheetxml.stream_rows` fills
    in the rows after saving (widths, print area and filter already span them).  Returns the
    measured columns (which the streamed rows need for their heights).
    """
    if table.name == FINDINGS_SHEET and not template_only:
        write_findings_sheet(wb, table.rows)
        return None
    index = None
    if table.name in wb.sheetnames:
        index = wb.sheetnames.index(table.name)
        del wb[table.name]
    ws = wb.create_sheet(table.name, index)
    formats = formats or {}
    for c, name in enumerate(table.columns, start=1):
        put(ws, 1, c, name)
    fits = measure(table.columns, sample if sample is not None else table.rows, formats,
                   fixed={"问题": 60.0} if table.name == FINDINGS_SHEET else None)
    if template_only:
        for c, (name, fit) in enumerate(zip(table.columns, fits), start=1):
            sample = None
            if name in formats:
                sample = date(2000, 1, 1) if formats[name] in (DATE_FORMAT, DATETIME_FORMAT) else 0
            cell = put(ws, 2, c, sample, formats.get(name))
            cell.alignment = WRAP if fit.wrap else TOP
    else:
        for r, row in enumerate(table.rows, start=2):
            for c, name in enumerate(table.columns, start=1):
                value = row.get(name)
                fmt = formats.get(name) if value is not None and not isinstance(value, str) else None
                if isinstance(value, (date, datetime)) and fmt is None:
                    fmt = DATE_FORMAT
                put(ws, r, c, value, fmt)
        wrap_cells(ws, fits, 2, len(table.rows) + 1)
    setup_table(ws, table.columns, fits, nrows if nrows is not None else len(table.rows) + 1,
                hidden=HIDDEN_COLUMNS if table.name == FINDINGS_SHEET else ())
    return fits


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


#: Backups of the master kept by default (``[limits] backups`` in the office configuration).
KEEP_BACKUPS = 10
_BACKUP = re.compile(r"\.备份-(\d{8}-\d{6})(?:-(\d+))?$")


def _backup_key(master: Path, path: Path) -> tuple[str, int] | None:
    """(time stamp, number within that second) of a backup of ``master``, else None."""
    m = _BACKUP.fullmatch(path.stem[len(master.stem):])
    if m is None or path.stem[:len(master.stem)] != master.stem or path.suffix != master.suffix:
        return None
    return m.group(1), int(m.group(2) or 0)


def backups_of(master: Path) -> list[Path]:
    """The backups ``MASTER.备份-<time>[-n].xlsx`` of ``master``, oldest first."""
    found = []
    for p in master.parent.glob(f"{glob.escape(master.stem)}.备份-*{glob.escape(master.suffix)}"):
        key = _backup_key(master, p)
        if key is not None and p.is_file():
            found.append((key, p))
    return [p for _key, p in sorted(found)]


def prune_backups(master: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups of ``master``; returns those deleted (a
    backup that cannot be deleted, say open in Excel, is left for the next run)."""
    backups = backups_of(master)
    doomed = backups[:max(len(backups) - keep, 0)]
    deleted = []
    for p in doomed:
        try:
            p.unlink()
        except OSError:
            continue
        deleted.append(p)
    return deleted


def save_atomically(write: Callable[[Path], None], master: Path, keep: int = KEEP_BACKUPS) -> Path | None:
    """Write the new master (``write(tmp)``) beside the old one, keep the old one as a dated
    backup, move the new one into place, and keep only the newest ``keep`` backups.  Returns
    the backup (None for a first master).  If anything fails before the final move, the
    previous master (and every backup) is untouched."""

    def write_then_back_up(tmp: Path) -> None:
        nonlocal backup
        write(tmp)
        if master.exists():
            stamp = time.strftime("%Y%m%d-%H%M%S")
            # several runs in one second: number them after any of that second still there, so
            # that the newest always sorts last (even once older ones were pruned)
            taken = [_backup_key(master, p)[1] for p in backups_of(master) if _backup_key(master, p)[0] == stamp]
            n = max(taken) + 1 if taken else 0
            backup = master.with_name(f"{master.stem}.备份-{stamp}{f'-{n}' if n else ''}{master.suffix}")
            while backup.exists():
                n += 1
                backup = master.with_name(f"{master.stem}.备份-{stamp}-{n}{master.suffix}")
            # copied under a temporary name (removed with the dead run's other files, see
            # taizhang.consolidation.lock), then renamed: a kill midway leaves no truncated backup
            part = master.with_name(f".{master.name}.{os.getpid()}.backup")
            try:
                shutil.copy2(master, part)
                os.replace(part, backup)
            finally:
                part.unlink(missing_ok=True)

    backup: Path | None = None
    done = len(writing.replaced)
    try:
        replace_atomically(master, write_then_back_up)
    except BaseException:
        # the master was not replaced (locked by Excel, say): its copy is no backup of anything
        # (once it was replaced, an interruption keeps the backup of the previous one)
        if backup is not None and master not in writing.replaced[done:]:
            backup.unlink(missing_ok=True)
        raise
    if backup is not None:
        prune_backups(master, max(keep, 1))
    return backup
