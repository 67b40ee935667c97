"""The workbook interface over the live workbook in Excel (xlwings).

Kept thin on purpose: Excel does not run where the tests do; everything it does is a
documented xlwings call, and all the logic lives in ``macros.actions``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import xlwings as xw

from taizhang.figures import Report
from taizhang.findings_sheet import FINDINGS_COLUMNS, FINDINGS_SHEET, HIDDEN_COLUMNS, findings_table
from taizhang.printing import PORTRAIT_CHARS, legible_scale
from taizhang.summary import DETAIL_SHEET, SUMMARY_SHEET, save_summary


def _as_text(value: Any) -> Any:
    return "'" + value if isinstance(value, str) and value else value


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]


class XlwingsWorkbook:
    def __init__(self, book: xw.Book) -> None:
        self.book = book

    @property
    def path(self) -> Path:
        return Path(self.book.fullname)

    def sheet_names(self) -> list[str]:
        return [s.name for s in self.book.sheets]

    def is_visible(self, sheet: str) -> bool:
        return bool(self.book.sheets[sheet].visible)

    def values(self, sheet: str) -> list[list[Any]]:
        ws = self.book.sheets[sheet]
        last = ws.used_range.last_cell
        # errors as their text (#REF! …), so the checker names them instead of seeing blanks
        return ws.range((1, 1), (last.row, last.column)).options(ndim=2, err_to_str=True).value or []

    def write_rows(self, sheet: str, rows: list[list[Any]], *, widths: list[int] | None = None) -> None:
        names = self.sheet_names()
        ws = self.book.sheets[sheet] if sheet in names else self.book.sheets.add(sheet, after=self.book.sheets[-1])
        ws.clear()
        if rows:
            width = max(len(r) for r in rows)
            # Excel parses what is assigned to .Value as if typed: "=…" would run, a sheet named
            # "2026-10" would become a date, "001" the number 1. A leading apostrophe keeps any
            # text as text (it is not shown, nor read back).
            block = [[_as_text(v) for v in r] + [None] * (width - len(r)) for r in rows]
            ws.range("A1").value = block
            ws.range((1, 1), (1, width)).font.bold = True
        for i, w in enumerate(widths or [], start=1):
            ws.range((1, i)).column_width = w

    def fill_cells(self, sheet: str, cells: dict[str, str | None]) -> None:
        ws = self.book.sheets[sheet]
        for ref, colour in cells.items():
            ws.range(ref).color = _rgb(colour) if colour else None

    def write_findings(self, rows: list[dict[str, Any]]) -> None:
        """The 问题清单 in the one layout (:func:`taizhang.findings_sheet.findings_table`), with
        its measured widths, wrapped long text and the print setup of every taizhang sheet."""
        table, fits = findings_table(rows)
        self.write_rows(FINDINGS_SHEET, table, widths=[round(f.width) for f in fits])
        ws = self.book.sheets[FINDINGS_SHEET]
        try:  # Excel's object model (Windows); a missing piece costs the looks, never the list
            for c, fit in enumerate(fits, start=1):
                if fit.wrap:
                    ws.range((1, c), (len(table), c)).api.WrapText = True
            widths = [0.0 if name in HIDDEN_COLUMNS else f.width for name, f in zip(FINDINGS_COLUMNS, fits)]
            for c, name in enumerate(FINDINGS_COLUMNS, start=1):
                if name in HIDDEN_COLUMNS:  # the code, for tools: kept, out of sight
                    ws.range((1, c)).api.EntireColumn.Hidden = True
            landscape = sum(widths) > PORTRAIT_CHARS
            scale = legible_scale(widths, landscape, title_columns=1)  # no text below 8 pt on paper
            setup = ws.api.PageSetup
            setup.PaperSize = 9  # xlPaperA4
            setup.Orientation = 2 if landscape else 1  # landscape / portrait
            if scale is None:
                setup.Zoom = False
                setup.FitToPagesWide = 1
                setup.FitToPagesTall = False
            else:
                setup.Zoom = scale
                setup.PrintTitleColumns = "$A:$A"
            setup.PrintTitleRows = "$1:$1"
            setup.CenterHeader = "&A"
            setup.CenterFooter = "第 &P 页，共 &N 页"
            setup.PrintGridlines = True
            if len(table) > 1:
                ws.range((1, 1), (len(table), len(table[0]))).api.AutoFilter(1)
        except Exception:  # noqa: BLE001
            pass

    def write_summary(self, report: Report, bureau: str, blocking_errors: list[str]) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path = save_summary(Path(tmp) / "summary.xlsx", report, bureau=bureau, blocking_errors=blocking_errors)
            source = self.book.app.books.open(str(path))
            try:
                for name in (SUMMARY_SHEET, DETAIL_SHEET):
                    if name in self.sheet_names():
                        self.book.app.display_alerts = False
                        self.book.sheets[name].delete()
                        self.book.app.display_alerts = True
                source.sheets[DETAIL_SHEET].copy(before=self.book.sheets[0])
                source.sheets[SUMMARY_SHEET].copy(before=self.book.sheets[0])
            finally:
                source.close()

    def notify(self, message: str) -> None:
        self.book.app.alert(message, title="纪检台账")

    def pick_folder(self) -> Path | None:
        dialog = self.book.app.api.FileDialog(4)  # msoFileDialogFolderPicker
        dialog.Title = "选择各单位报送台账所在的文件夹"
        if dialog.Show() != -1:
            return None
        return Path(dialog.SelectedItems(1))

    def save(self) -> None:
        self.book.save()

    def release_for_writing(self) -> bool:
        """Before 月度合并 writes the master's file: save or drop the clerk's unsaved edits (asked
        first), then close the book in Excel - Windows refuses to replace a file Excel has open."""
        book = self.book
        self._app = book.app
        path = self.path
        if not path.is_absolute() or not path.suffix:  # a new book never saved has no file
            self.notify("请先把本工作簿保存为局主表（.xlsx 或 .xlsm），再进行月度合并。")
            return False
        if not book.api.Saved:
            answer = self._app.alert(
                f"“{book.name}”有尚未保存的修改。\n是：先保存这些修改再合并；否：放弃这些修改再合并；取消：不合并。",
                title="纪检台账", buttons="yes_no_cancel", mode="info")
            if answer == "cancel":
                return False
            if answer == "yes":
                book.save()
        self._closed_path = path
        book.close()
        return True

    def reload(self) -> None:
        """Open the workbook again after its file was changed on disk (by a consolidation)."""
        path = getattr(self, "_closed_path", None)
        if path is None:  # still open: close and reopen to see the file as written
            path, self._app = self.path, self.book.app
            self.book.close()
        self._closed_path = None
        self.book = self._app.books.open(str(path))
