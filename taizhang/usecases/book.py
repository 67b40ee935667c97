"""Use cases on the workbook in hand: the ribbon's open workbook, given as its sheets' values
rather than a file on disk, with the rows of its 台账设置 sheet.

The settings are settled, the ledgers checked, the period chosen and the figures counted
exactly as for files (``taizhang check``, ``summary``, ``report``); the ribbon's macros
(``macros.actions``) only write the answers into the workbook.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Sequence

from taizhang.checks.files import FileReport, check_loaded
from taizhang.config import Config
from taizhang.figures import Period, latest_row_date, rows_by_kind
from taizhang.figures.settings import Settings, choose_period, resolve
from taizhang.ranges import sheet_from_values
from taizhang.reading.workbook import LoadedWorkbook, load_sheets
from taizhang.records import dataclass
from taizhang.usecases.files import Summarised, summarise_reports


@dataclass
class Book:
    """A workbook in hand, checked: the settings in force, what was found in its sheets, and
    the checked report (findings, ledgers and their rows)."""

    settings: Settings
    loaded: LoadedWorkbook
    report: FileReport

    def period(self) -> tuple[Period, str, str | None]:
        """(the period, how it was settled, the line that says so or None): the month of the
        检查日期 filled in on 台账设置; with none, the month the workbook's ledgers hold (their
        latest dated row), as every entry point chooses it (``figures.settings.choose_period``)."""
        rows = rows_by_kind([lg for lg in self.report.ledgers if not lg.hidden])
        return choose_period(None, self.settings, [latest_row_date(rows, self.settings.as_of)])


def settle(config: Config, settings_rows: Iterable[Sequence[Any]] | None) -> Settings:
    """The settings in force for a workbook: the office's configuration, then its 台账设置
    rows (局名称, 检查日期 — blank means today —, the 四种形态 mapping)."""
    return resolve(config, sheet=settings_rows)


def check_book(sheets: Iterable[tuple[str, Any, bool]], path: Path, config: Config,
               settings_rows: Iterable[Sequence[Any]] | None = None) -> Book:
    """Check a workbook given as ``(name, values, visible)`` per sheet (values from A1 to the
    last used cell; error values become ``cell-error`` findings as in a file)."""
    settings = settle(config, settings_rows)
    loaded = load_sheets([sheet_from_values(name, values, visible=visible) for name, values, visible in sheets],
                         settings.config, path)
    return Book(settings, loaded, check_loaded(loaded, settings.config, settings.as_of))


def summarise_book(book: Book) -> Summarised:
    """The figures of the book's period (:meth:`Book.period`), with the year to date, and its
    ledgers with errors; ``settings``, ``period_source`` and ``period_note`` say what was used."""
    period, source, note = book.period()
    # compared with the period before and a year earlier when 台账设置 asks for 较上期、同比
    summed = summarise_reports([book.report], period, book.settings.as_of, book.settings.config,
                               compare=book.settings.compare)
    summed.settings, summed.period_source, summed.period_note = book.settings, source, note
    return summed
