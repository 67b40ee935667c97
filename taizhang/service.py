"""Use cases, independent of how they are invoked (command line, ribbon, worksheet function).

``load_workbook`` reads one file into its ledgers; ``check_file`` adds the findings of the
rules.  Entry points call these and only translate arguments and results.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from taizhang.checks import CheckContext, check_ledger
from taizhang.config import Config, load_config
from taizhang.findings import Finding, Stats, sort_key
from taizhang.reading.layout import locate
from taizhang.reading.ledger import Ledger, LedgerHead, read_ledger
from taizhang.reading.book import Limits, Sheet, WorkbookRefused
from taizhang.reading.source import open_workbook
from taizhang.values import clean_text


@dataclass
class LoadedWorkbook:
    """A workbook read into ledgers, or refused."""

    path: Path
    ledgers: list[Ledger] = field(default_factory=list)
    #: Findings about the workbook and its sheets (not about a ledger's rows).
    findings: list[Finding] = field(default_factory=list)
    #: Set when the file could not be read at all; ``ledgers`` is then empty.
    refusal: Finding | None = None
    #: The cells of its ``台账设置`` sheet (bureau, as-of day, 四种形态), when it has one.
    settings_rows: list[list] | None = None

    @property
    def reporting_unit(self) -> str | None:
        """The first ``填报单位：…`` found above a ledger's header."""
        return next((lg.reporting_unit for lg in self.ledgers if lg.reporting_unit), None)


@dataclass
class FileReport:
    """The outcome of checking one file."""

    path: Path
    #: The ledgers read, with their rows; empty in a report made :meth:`slim`.
    ledgers: list[Ledger]
    findings: list[Finding]
    refusal: Finding | None = None
    #: The cells of the workbook's ``台账设置`` sheet, when it has one.
    settings_rows: list[list] | None = None
    #: Set by :meth:`slim`; otherwise :attr:`heads` are those of ``ledgers``.
    _heads: list[LedgerHead] | None = field(default=None, repr=False)

    @property
    def heads(self) -> list[LedgerHead]:
        """Each ledger without its rows (sheet, kind, header row, row count …): what the check's
        output, the 问题清单 and the blocking errors say of the ledgers."""
        return self._heads if self._heads is not None else [lg.head for lg in self.ledgers]

    def slim(self) -> FileReport:
        """This report without the ledgers' rows: what a worker process passes back when only
        the findings and the heads are wanted (passing 50 typed rows back costs more than
        making them)."""
        return FileReport(self.path, [], self.findings, self.refusal, self.settings_rows, self.heads)

    @property
    def stats(self) -> Stats:
        return Stats.of(self.findings)

    @property
    def has_errors(self) -> bool:
        return any(f.is_error for f in self.findings)


def load_workbook(path: str | os.PathLike, config: Config, limits: Limits | None = None) -> LoadedWorkbook:
    """Read every ledger of the workbook at ``path``.  Never raises for a bad file.

    ``limits`` default to the ``[limits]`` of the configuration (see ``Limits.from_settings``).
    """
    path = Path(path)
    try:
        book = open_workbook(path, limits or Limits.from_settings(config.limits))
        return load_sheets(book.sheets, config, path)
    except WorkbookRefused as exc:
        loaded = LoadedWorkbook(path)
        loaded.refusal = Finding.make(exc.code, exc.reason)
        return loaded
    except Exception as exc:  # noqa: BLE001 - one file's failure never stops the others
        return _failed(LoadedWorkbook(path), exc)


def load_sheets(sheets: list[Sheet], config: Config, path: Path,
                fields: set[str] | None = None) -> LoadedWorkbook:
    """Find and read the ledgers of sheets already in memory (a file's, or a live workbook's);
    ``fields`` limits the typed values worked out (see ``read_ledger``)."""
    loaded = LoadedWorkbook(path)
    if not any(_has_content(s.rows) or s.too_large for s in sheets):
        loaded.findings.append(Finding.make("empty-workbook", "工作簿是空的，没有任何内容"))
        return loaded
    from taizhang.summarising import SETTINGS_SHEET

    for sheet in sheets:
        if sheet.note:  # a chart sheet, an Excel 4.0 macro sheet: nothing to read
            loaded.findings.append(Finding.make("sheet-not-data", sheet.note, sheet=sheet.name))
            continue
        if sheet.name == SETTINGS_SHEET and not sheet.too_large:
            loaded.settings_rows = [list(r) for r in sheet.rows]
            continue  # settings, not a ledger (see taizhang.summarising)
        if sheet.too_large:
            loaded.findings.append(Finding.make("sheet-too-large", sheet.too_large, sheet=sheet.name))
            continue
        layout = locate(sheet, config)
        if layout is None:
            if sheet.visible and _has_content(sheet.rows):
                loaded.findings.append(Finding.make(
                    "sheet-skipped", f"工作表“{sheet.name}”中没有找到台账表头，已跳过",
                    sheet=sheet.name))
            continue
        ledger = read_ledger(sheet, layout, config, str(path), fields)
        if not sheet.visible:
            loaded.findings.append(Finding.make(
                "hidden-sheet", f"隐藏的工作表“{sheet.name}”中有{layout.spec.label}，已一并检查，请确认是否应报送",
                sheet=sheet.name))
        loaded.ledgers.append(ledger)
    if not loaded.ledgers:
        loaded.findings.append(Finding.make(
            "no-ledger", f"工作簿中没有找到任何台账（{_kind_names(config)}）；请检查表头是否为标准列名"))
    return loaded


def _kind_names(config: Config) -> str:
    """整改、信访举报、退费、处分、工作开展: the ledgers looked for."""
    return "、".join(spec.label.removesuffix("台账") for spec in config.kinds.values())


def _has_content(rows: list[list]) -> bool:
    return any(clean_text(v) is not None for r in rows for v in r)


def _failed(loaded: LoadedWorkbook, exc: Exception) -> LoadedWorkbook:
    """A file on which taizhang itself failed: refused with a Chinese reason naming the log,
    the trace in the log (where the folder's other files go on being read)."""
    import logging

    from taizhang.logs import trace_for_log

    log = logging.getLogger("taizhang.service")
    log.error("%s: unexpected error while reading\n%s", loaded.path, trace_for_log(exc))
    where = next((getattr(h, "baseFilename", None) for h in logging.getLogger("taizhang").handlers
                  if getattr(h, "baseFilename", None)), None)
    loaded.refusal = Finding.make(
        "internal-error",
        f"{loaded.path}：程序处理这个文件时出错（{type(exc).__name__}），未读取；其余文件照常处理"
        + (f"，详情见日志 {where}" if where else ""))
    return loaded


def check_loaded(loaded: LoadedWorkbook, config: Config, as_of: date) -> FileReport:
    """Run the rules over the ledgers of a loaded workbook."""
    if loaded.refusal is not None:
        return FileReport(loaded.path, [], [loaded.refusal], loaded.refusal)
    ctx = CheckContext(config=config, as_of=as_of)
    findings = list(loaded.findings)
    try:
        for ledger in loaded.ledgers:
            findings.extend(check_ledger(ledger, ctx))
    except Exception as exc:  # noqa: BLE001 - one file's failure never stops the others
        failed = _failed(LoadedWorkbook(loaded.path), exc)
        return FileReport(loaded.path, [], [failed.refusal], failed.refusal)
    findings.sort(key=sort_key)
    return FileReport(loaded.path, loaded.ledgers, findings, settings_rows=loaded.settings_rows)


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


def reader_died_refusal(path: Path) -> Finding:
    """The refusal of a file whose reader took its worker process down (a reader that aborts
    on a hostile file, see ``taizhang.workers``)."""
    return Finding.make("corrupt-workbook", f"{path}：读取程序在读这个文件时异常终止（文件已损坏或被篡改），未读取")


def reader_died(path: Path) -> FileReport:
    """The report of such a file (:func:`reader_died_refusal`)."""
    refusal = reader_died_refusal(path)
    return FileReport(path, [], [refusal], refusal)


@dataclass
class Summarised:
    """The figures of some checked files: what ``taizhang summary`` and ``taizhang report`` share."""

    reports: list[FileReport]
    #: a :class:`taizhang.figures.Report`
    report: object
    #: the ledgers with errors (:func:`taizhang.summary.blocking_errors`)
    blocking: list
    #: the settings used (:class:`taizhang.summarising.Settings`), when settled by ``taizhang.summarising``
    settings: object = None
    #: how the period was settled (``taizhang.summarising.choose_period``), when it was settled there
    period_source: str | None = None
    #: the line that says which period was chosen when nobody named it (Chinese), else None
    period_note: str | None = None

    def json(self, bureau: str | None = None, output: object = None) -> dict:
        """The ``taizhang summary --json`` object of these figures."""
        from taizhang.figures import summary_json

        if bureau is None:
            bureau = getattr(self.settings, "bureau", None) or "县教育局"
        return summary_json(self.report, bureau=bureau, blocking=self.blocking, reports=self.reports,
                            output=output, period_source=self.period_source, period_note=self.period_note)


def summarise_reports(reports: list[FileReport], period, as_of: date, config: Config) -> Summarised:
    """Count the visible ledgers of checked files over ``period`` (a :class:`taizhang.figures.Period`)."""
    from taizhang.figures import compute, rows_by_kind
    from taizhang.summary import blocking_errors

    ledgers = [lg for r in reports for lg in r.ledgers if not lg.hidden]
    return Summarised(reports, compute(rows_by_kind(ledgers), period, as_of, config), blocking_errors(reports))


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
    from taizhang.figures import latest_row_date, report_parts, rows_by_kind

    report = check_loaded(load_workbook(path, config), config, as_of)
    if report.refusal is not None:
        return FileSummary(report.slim(), None)
    rows = rows_by_kind([lg for lg in report.ledgers if not lg.hidden])
    others = {c.key: report_parts(rows, c, config) for c in candidates if c != period}
    return FileSummary(report.slim(), report_parts(rows, period, config), latest_row_date(rows, as_of), others)


def summary_reader_died(path: Path) -> FileSummary:
    return FileSummary(reader_died(path), None)
