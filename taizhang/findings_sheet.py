"""The 问题清单 sheet: one layout and one writer for every place that lists findings.

``taizhang summary -o``, ``taizhang check -o``, the consolidated master and the ribbon's
检查台账 all write the same sheet, so that a workbook holding the output of several of them
has one 问题清单 and staff learn one layout.  A finding's code (``unknown-value``) is a
public identifier for tools; staff read its Chinese title, so the code never appears
without it (``不在规定选项内（unknown-value）``): in the 问题清单 it is the last column, hidden.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Mapping

from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from taizhang.findings import CATALOGUE, Finding, code_title  # noqa: F401 - code_title: the sheet's and its callers'
from taizhang.printing import ColumnFit, measure, setup_table, wrap_cells
from taizhang.writing import put

FINDINGS_SHEET = "问题清单"
#: The columns, in order.  单位 and 月份 key a consolidated master's rows; 问题类型 is the
#: Chinese title staff read; 代码, the finding's code for tools, is the last column, hidden
#: (on screen and on paper) in the sheets written here.
FINDINGS_COLUMNS = ("单位", "月份", "文件", "工作表", "单元格", "行号", "列", "级别", "问题类型", "问题", "代码")
#: Columns kept for tools but hidden from staff.
HIDDEN_COLUMNS = ("代码",)
#: Columns that end in long text (kept within a printable width, wrapped).
_FIXED = {"问题": 60.0}




def code_with_title(code: str) -> str:
    """``不在规定选项内（unknown-value）``: a code for staff, never alone."""
    entry = CATALOGUE.get(code)
    return f"{entry[1]}（{code}）" if entry else code


def codes_with_titles(text: str | None) -> str | None:
    """A list of codes such as ``missing-value、unknown-value`` (the 检查结果 of a detail row)
    with each code beside its title; text already in that form is returned as it is."""
    if not text:
        return text
    parts = [p.strip() for p in str(text).split("、") if p.strip()]
    return "、".join(code_with_title(p) if p in CATALOGUE else p for p in parts)


def finding_row(f: Finding, *, unit: str | None = None, month: str | None = None,
                file: str | Path | None = None) -> dict[str, Any]:
    """One 问题清单 row for ``f``; ``file`` is shown by its name only."""
    return {
        "单位": unit, "月份": month, "文件": Path(file).name if file else None,
        "工作表": f.sheet, "单元格": f.cell, "行号": f.row, "列": f.column,
        "级别": "错误" if f.is_error else "提醒",
        "问题类型": code_title(f.code), "代码": f.code, "问题": f.message,
    }


def report_rows(reports: Iterable[Any], *, month: str | None = None) -> list[dict[str, Any]]:
    """The 问题清单 rows of checked files (``service.FileReport``), in file order; a file that
    could not be read is one row saying so."""
    rows = []
    for r in reports:
        unit = next((lg.reporting_unit for lg in r.heads if lg.reporting_unit), None)
        rows += [finding_row(f, unit=unit, month=month, file=r.path) for f in r.findings]
    return rows


def findings_table(rows: Iterable[Mapping[str, Any]]) -> tuple[list[list[Any]], list[ColumnFit]]:
    """The sheet's cells (the header, then a list per row in column order) and the measured
    columns: what every writer of 问题清单 writes, whatever it writes with."""
    table: list[list[Any]] = [list(FINDINGS_COLUMNS)]
    for row in rows:
        row = dict(row)
        if not row.get("问题类型") and row.get("代码"):
            row["问题类型"] = code_title(str(row["代码"]))
        table.append([row.get(c) for c in FINDINGS_COLUMNS])
    return table, measure(FINDINGS_COLUMNS, table[1:], fixed=_FIXED)


def write_findings_sheet(wb: Workbook, rows: Iterable[Mapping[str, Any]], *, index: int | None = None,
                         name: str = FINDINGS_SHEET) -> Worksheet:
    """(Re)create the 问题清单 sheet of ``wb`` holding ``rows`` (dicts by column name; a row
    without 问题类型 gets it from 代码).  An existing sheet keeps its place, a new one goes at
    ``index`` (None: last).  Text stays text; the sheet is set up for printing."""
    if name in wb.sheetnames:
        index = wb.sheetnames.index(name)
        del wb[name]
    ws = wb.create_sheet(name, index)
    table, fits = findings_table(rows)
    for r, values in enumerate(table, start=1):
        for c, value in enumerate(values, start=1):
            put(ws, r, c, value)
    setup_table(ws, FINDINGS_COLUMNS, fits, len(table), hidden=HIDDEN_COLUMNS)
    wrap_cells(ws, fits, 2, len(table))
    return ws


def read_findings_cells(values: list[list[Any]]) -> list[tuple[str, str]]:
    """(sheet, cell) of each row of a 问题清单 read back as values (header first), for
    whoever coloured those cells; columns are found by their header, so that a sheet in an
    earlier layout is understood too."""
    if not values:
        return []
    header = [str(v).strip() if v is not None else "" for v in values[0]]
    try:
        s, c = header.index("工作表"), header.index("单元格")
    except ValueError:
        return []
    out = []
    for row in values[1:]:
        sheet = row[s] if s < len(row) else None
        cell = row[c] if c < len(row) else None
        if sheet and cell:
            out.append((str(sheet).strip(), str(cell).strip()))
    return out
