"""The workbook interface the macros are written against."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from taizhang.figures import Report

#: Sheets the macros write; never read back as ledgers.
FINDINGS_SHEET = "问题清单"
SETTINGS_SHEET = "台账设置"
REPORT_SHEET = "汇报材料"
OWN_SHEETS = frozenset({FINDINGS_SHEET, SETTINGS_SHEET, REPORT_SHEET, "汇总表", "明细"})

ERROR_FILL = "FFC7CE"
WARNING_FILL = "FFEB9C"


class WorkbookPort(Protocol):
    """What a macro may do with the workbook it runs on."""

    @property
    def path(self) -> Path:
        """The workbook's file (its name is the provenance of its rows)."""

    def sheet_names(self) -> list[str]: ...

    def is_visible(self, sheet: str) -> bool: ...

    def values(self, sheet: str) -> list[list[Any]]:
        """The sheet's values from A1 to its last used cell (blanks None, dates as datetime)."""

    def write_rows(self, sheet: str, rows: list[list[Any]], *, widths: list[int] | None = None) -> None:
        """(Re)create ``sheet`` holding ``rows`` (the first is a header); text stays text."""

    def fill_cells(self, sheet: str, cells: dict[str, str | None]) -> None:
        """Colour cells (``"H12"`` -> ``"FFC7CE"``), or clear their fill (None)."""

    def write_findings(self, rows: list[dict[str, Any]]) -> None:
        """(Re)create the 问题清单 sheet holding ``rows`` (:func:`taizhang.findings_sheet.finding_row`),
        with the one writer every command uses."""

    def write_summary(self, report: Report, bureau: str, blocking_errors: list[str]) -> None:
        """(Re)create the 汇总表 and 明细 sheets."""

    def notify(self, message: str) -> None:
        """Tell the clerk (a message box in Excel, a line of output headless)."""

    def pick_folder(self) -> Path | None:
        """Ask for a folder (None when cancelled)."""

    def save(self) -> None: ...

    def release_for_writing(self) -> bool:
        """Let another writer replace the workbook's file: the clerk's unsaved edits are saved
        (in Excel: after asking), and the file is let go (in Excel: the book is closed).
        False when the clerk cancels or the workbook has no file yet; ``reload`` reopens it."""

    def reload(self) -> None:
        """Re-read the workbook after its file was changed on disk (by a consolidation)."""
