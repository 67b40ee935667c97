"""A workbook file read into its ledgers (or refused with its finding): the sheets opened, the
``台账设置`` sheet kept aside, each ledger located and read.  Never raises for a bad file."""

from __future__ import annotations

import logging
import os
from dataclasses import field
from pathlib import Path

from taizhang.config import Config
from taizhang.findings import Finding
from taizhang.logs import trace_for_log
from taizhang.reading.book import Limits, Sheet, WorkbookRefused
from taizhang.reading.layout import locate
from taizhang.reading.ledger import Ledger, read_ledger
from taizhang.reading.source import open_workbook
from taizhang.records import dataclass
from taizhang.values import clean_text

#: The sheet a workbook's own settings are in (see ``taizhang.figures.settings``).
SETTINGS_SHEET = "台账设置"


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
        return failed_reading(LoadedWorkbook(path), exc)


def load_sheets(sheets: list[Sheet], config: Config, path: Path,
                fields: set[str] | None = None) -> LoadedWorkbook:
    """Find and read the ledgers of sheets already in memory (a file's, or a live workbook's);
    ``fields`` limits the typed values worked out (see ``read_ledger``)."""
    loaded = LoadedWorkbook(path)
    if not any(_has_content(s.rows) or s.too_large for s in sheets):
        loaded.findings.append(Finding.make("empty-workbook", "工作簿是空的，没有任何内容"))
        return loaded

    for sheet in sheets:
        if sheet.note:  # a chart sheet, an Excel 4.0 macro sheet: nothing to read
            loaded.findings.append(Finding.make("sheet-not-data", sheet.note, sheet=sheet.name))
            continue
        if sheet.name == SETTINGS_SHEET and not sheet.too_large:
            loaded.settings_rows = [list(r) for r in sheet.rows]
            continue  # settings, not a ledger (see taizhang.figures.settings)
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


def failed_reading(loaded: LoadedWorkbook, exc: Exception) -> LoadedWorkbook:
    """A file on which taizhang itself failed: refused with a Chinese reason naming the log,
    the trace in the log (where the folder's other files go on being read)."""
    log = logging.getLogger("taizhang.reading")
    log.error("%s: unexpected error while reading\n%s", loaded.path, trace_for_log(exc))
    where = next((getattr(h, "baseFilename", None) for h in logging.getLogger("taizhang").handlers
                  if getattr(h, "baseFilename", None)), None)
    loaded.refusal = Finding.make(
        "internal-error",
        f"{loaded.path}：程序处理这个文件时出错（{type(exc).__name__}），未读取；其余文件照常处理"
        + (f"，详情见日志 {where}" if where else ""))
    return loaded


def reader_died_refusal(path: Path) -> Finding:
    """The refusal of a file whose reader took its worker process down (a reader that aborts
    on a hostile file, see ``taizhang.workers``)."""
    return Finding.make("corrupt-workbook", f"{path}：读取程序在读这个文件时异常终止（文件已损坏或被篡改），未读取")
