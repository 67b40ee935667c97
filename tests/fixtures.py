"""Tests' helpers: build real workbooks on disk (openpyxl, xlwt, odf) to read back, and the
as-of date the tests judge by.  (``conftest.py`` keeps only pytest's hooks and fixtures.)"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Iterable

import openpyxl

AS_OF = date(2026, 10, 31)

Rows = Iterable[Iterable[Any]]


class Text(str):
    """A cell value written as text even when it starts with ``=`` (as from a CSV import)."""


def write_xlsx(path: Path, sheets: dict[str, Rows], *, hidden: Iterable[str] = (),
               merged: dict[str, list[str]] | None = None) -> Path:
    """Write ``sheets`` (name -> rows, row 1 first) as an .xlsx with openpyxl."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            row = list(row)
            ws.append(row)
            for value, cell in zip(row, ws[ws.max_row]):
                if isinstance(value, Text):
                    cell.data_type = "s"
        for rng in (merged or {}).get(name, []):
            ws.merge_cells(rng)
        if name in hidden:
            ws.sheet_state = "hidden"
    wb.save(path)
    return path


def write_xls(path: Path, sheets: dict[str, Rows]) -> Path:
    """Write ``sheets`` as a legacy .xls with xlwt (dates as real Excel dates)."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for name, rows in sheets.items():
        ws = book.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, date):
                    ws.write(r, c, value, date_style)
                else:
                    ws.write(r, c, value)
    book.save(str(path))
    return path


def write_ods(path: Path, sheets: dict[str, Rows]) -> Path:
    """Write ``sheets`` as an OpenDocument spreadsheet with pandas' odf engine."""
    import pandas as pd

    with pd.ExcelWriter(path, engine="odf") as writer:
        for name, rows in sheets.items():
            grid = [list(r) for r in rows]
            width = max((len(r) for r in grid), default=0)
            grid = [r + [None] * (width - len(r)) for r in grid]
            pd.DataFrame(grid, dtype=object).to_excel(writer, sheet_name=name, header=False, index=False)
    return path
