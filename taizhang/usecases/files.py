"""One file: read and checked, and its share of the figures; the figures of checked files.
Independent of how they are invoked (command line, ribbon, worksheet function).

``check_file`` reads one file into its ledgers (``reading.workbook.load_workbook``) and adds
the findings of the rules (``checks.files.check_loaded``); ``summarise_file`` and
``summarise_reports`` make the figures.  Entry points call these and only translate arguments
and results.
"""

from __future__ import annotations

import os
from dataclasses import field
from datetime import date
from pathlib import Path

from taizhang.checks.files import FileReport, check_loaded, reader_died
from taizhang.config import Config, load_config
from taizhang.reading.book import Limits
from taizhang.reading.workbook import load_workbook
from taizhang.records import dataclass


def check_file(
    path: str | os.PathLike,
    *,
    as_of: date | None = None,
    config: Config | None = None,
    limits: Limits | None = None,
) -> FileReport:
    """Read and check one workbook file."""
    config = config or load_config()
    return check_loaded(load_workbook(path, config, limits), config, as_of or date.today())


def check_slim(path: Path, as_of: date, config: Config) -> FileReport:
    """:func:`check_file`, :meth:`~FileReport.slim`: what ``taizhang check`` keeps of a file."""
    return check_file(path, as_of=as_of, config=config).slim()


@dataclass
class Summarised:
    """The figures of some checked files: what ``taizhang summary`` and ``taizhang report`` share."""

    reports: list[FileReport]
    #: a :class:`taizhang.figures.Report`
    report: object
    #: the ledgers with errors (:func:`taizhang.summary.blocking_errors`)
    blocking: list
    #: the settings used (:class:`taizhang.usecases.summarising.Settings`), when settled by ``taizhang.usecases.summarising``
    settings: object = None
    #: how the period was settled (``taizhang.usecases.summarising.choose_period``), when it was settled there
    period_source: str | None = None
    #: the line that says which period was chosen when nobody named it (Chinese), else None
    period_note: str | None = None

    def json(self, bureau: str | None = None, output: object = None) -> dict:
        """The ``taizhang summary --json`` object of these figures."""
        from taizhang.outputs import summary_json

        if bureau is None:
            bureau = getattr(self.settings, "bureau", None) or "县教育局"
        return summary_json(self.report, bureau=bureau, blocking=self.blocking, reports=self.reports,
                            output=output, period_source=self.period_source, period_note=self.period_note)


def summarise_reports(reports: list[FileReport], period, as_of: date, config: Config, *,
                      compare: bool = False) -> Summarised:
    """Count the visible ledgers of checked files over ``period`` (a :class:`taizhang.figures.Period`);
    with ``compare``, over the period before and a year earlier too (``figures.compare_rows``)."""
    from taizhang.figures import compare_rows, compute, rows_by_kind
    from taizhang.summary import blocking_errors

    rows = rows_by_kind([lg for r in reports for lg in r.ledgers if not lg.hidden])
    report = compute(rows, period, as_of, config)
    if compare:
        compare_rows(report, rows, config)
    return Summarised(reports, report, blocking_errors(reports))


@dataclass
class FileSummary:
    """What ``taizhang summary`` keeps of one file: its report without rows, and the parts of
    the figures its visible ledgers give (``figures.report_parts``; None when refused)."""

    report: FileReport
    parts: list | None
    #: the latest row date on or before the as-of day (``figures.latest_row_date``), for the
    #: default period
    latest: date | None = None
    #: the parts of further candidate periods, by period key
    other_parts: dict = field(default_factory=dict)

    def parts_of(self, period) -> list | None:
        """The parts of ``period``: the first one asked, or a candidate's."""
        return self.other_parts.get(period.key, self.parts)


def summarise_file(path: Path, config: Config, as_of: date, period, *candidates) -> FileSummary:
    """Read and check one file, and work out its share of the figures of ``period`` (a
    :class:`taizhang.figures.Period`), and of each further candidate period: what a worker
    process passes back for ``taizhang summary``."""
    from taizhang.figures import latest_row_date, report_parts, row_dates, rows_by_kind

    report = check_loaded(load_workbook(path, config), config, as_of)
    if report.refusal is not None:
        return FileSummary(report.slim(), None)
    rows = rows_by_kind([lg for lg in report.ledgers if not lg.hidden])
    dated = row_dates(rows)
    others = {c.key: report_parts(rows, c, config, dated) for c in candidates if c != period}
    return FileSummary(report.slim(), report_parts(rows, period, config, dated), latest_row_date(rows, as_of, dated),
                       others)


def summary_reader_died(path: Path) -> FileSummary:
    return FileSummary(reader_died(path), None)
