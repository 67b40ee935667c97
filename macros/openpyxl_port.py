"""The workbook interface over a file on disk (openpyxl): the macros, headless."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from taizhang.figures import Report
from taizhang.findings_sheet import FINDINGS_SHEET, write_findings_sheet
from taizhang.summary import write_summary
from taizhang.writing import put, replace_atomically


class OpenpyxlWorkbook:
    """A workbook file: values read with their cached results, changes saved atomically."""

    def __init__(self, path: str | os.PathLike, folder: Path | None = None) -> None:
        self._path = Path(path)
        self._folder = folder  # what pick_folder answers (no dialog headless)
        self.messages: list[str] = []
        self.reload()

    @property
    def path(self) -> Path:
        return self._path

    def reload(self) -> None:
        keep_vba = self._path.suffix.lower() == ".xlsm"
        self.book = openpyxl.load_workbook(self._path, keep_vba=keep_vba)
        self._values = openpyxl.load_workbook(self._path, data_only=True)

    def sheet_names(self) -> list[str]:
        return list(self.book.sheetnames)

    def is_visible(self, sheet: str) -> bool:
        return self.book[sheet].sheet_state == "visible"

    def values(self, sheet: str) -> list[list[Any]]:
        ws = self._values[sheet] if sheet in self._values.sheetnames else self.book[sheet]
        return [list(r) for r in ws.iter_rows(min_row=1, min_col=1, values_only=True)]

    def write_rows(self, sheet: str, rows: list[list[Any]], *, widths: list[int] | None = None) -> None:
        index = self.book.sheetnames.index(sheet) if sheet in self.book.sheetnames else None
        if index is not None:
            del self.book[sheet]
        ws = self.book.create_sheet(sheet, index)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                put(ws, r, c, value, 'yyyy-mm-dd' if hasattr(value, "year") else None)
        for c in range(1, (len(rows[0]) if rows else 0) + 1):
            ws.cell(1, c).font = Font(bold=True)
        for i, width in enumerate(widths or [], start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        self._sync(sheet, rows)

    def _sync(self, sheet: str, rows: list[list[Any]]) -> None:
        """Keep the value view in step with what was written."""
        if sheet in self._values.sheetnames:
            del self._values[sheet]
        ws = self._values.create_sheet(sheet)
        for row in rows:
            ws.append([None if v is None else v for v in row])

    def fill_cells(self, sheet: str, cells: dict[str, str | None]) -> None:
        ws = self.book[sheet]
        for ref, colour in cells.items():
            ws[ref].fill = PatternFill("solid", fgColor=colour) if colour else PatternFill(fill_type=None)

    def write_findings(self, rows: list[dict[str, Any]]) -> None:
        ws = write_findings_sheet(self.book, rows)
        self._sync(FINDINGS_SHEET, [list(r) for r in ws.iter_rows(values_only=True)])

    def write_summary(self, report: Report, bureau: str, blocking_errors: list[str]) -> None:
        write_summary(self.book, report, bureau=bureau, blocking_errors=blocking_errors)

    def notify(self, message: str) -> None:
        self.messages.append(message)

    def pick_folder(self) -> Path | None:
        return self._folder

    def save(self) -> None:
        replace_atomically(self._path, self.book.save)

    def release_for_writing(self) -> bool:
        self.save()  # headless, the edits made through this port are the only ones
        return True
