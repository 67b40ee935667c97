"""The ribbon's macros, one per button, written against :class:`~macros.port.WorkbookPort`.

- 检查台账 ``check_ledgers``: the findings into the 问题清单 sheet (the one layout of
  :mod:`taizhang.findings_sheet`), offending cells coloured;
- 汇总统计 ``summarize``: the 汇总表 (and 明细) of the 统计期间 on 台账设置 (a month, a quarter,
  a half-year, a range of months …), else of the month of the as-of date;
- 生成汇报 ``report_document``: the report (情况汇报) as a Word document beside the workbook,
  opened for the writer, and the report paragraph into 汇报材料, ready to paste;
- 月度合并 ``consolidate_month``: pick a folder, consolidate it into this workbook;
- 设置 ``settings``: a 台账设置 sheet with the bureau's name, the as-of date, the period and
  the 四种形态 mapping, which the other macros read.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from taizhang.config import Config
from taizhang.figures import Period
from taizhang.figures.settings import AS_OF_KEY as _AS_OF, BUREAU_KEY as _BUREAU, FORMS_HEADER as _FORM_HEADER
from taizhang.figures.settings import Settings
from taizhang.findings_sheet import finding_row, read_findings_cells
from taizhang.summary import describe
from taizhang.figures.settings import COMPARE_KEY as _COMPARE, NO as _NO, PERIOD_KEY as _PERIOD, YES as _YES
from taizhang.usecases.book import Book, check_book, settle, summarise_book

from macros.port import (
    ERROR_FILL, FINDINGS_SHEET, OWN_SHEETS, REPORT_SHEET, SETTINGS_SHEET, WARNING_FILL, WorkbookPort,
)


def _settings_rows(port: WorkbookPort) -> list[list[Any]] | None:
    return port.values(SETTINGS_SHEET) if SETTINGS_SHEET in port.sheet_names() else None


def read_settings(port: WorkbookPort, config: Config) -> Settings:
    """The settings in force for this workbook: the office file, then its 台账设置 sheet (局名称,
    检查日期 — blank means today —, the 四种形态 mapping), merged as every entry point merges
    them (:func:`taizhang.usecases.book.settle`)."""
    return settle(config, _settings_rows(port))


def _check(port: WorkbookPort, config: Config) -> Book:
    """The workbook on screen checked by the use case, its own sheets (问题清单 …) left out."""
    sheets = [(name, port.values(name), port.is_visible(name)) for name in port.sheet_names()
              if name not in OWN_SHEETS]
    return check_book(sheets, port.path, config, _settings_rows(port))


def check_ledgers(port: WorkbookPort, config: Config) -> str:
    """检查台账: list every finding in 问题清单 and colour the cells it names."""
    book = _check(port, config)
    s, findings = book.settings, book.report.findings
    if FINDINGS_SHEET in port.sheet_names():  # un-colour what the last check coloured
        previous: dict[str, dict[str, str | None]] = {}
        for sheet, cell in read_findings_cells(port.values(FINDINGS_SHEET)):
            if sheet in port.sheet_names() and cell[0].isalpha():
                previous.setdefault(sheet, {})[cell] = None
        for sheet, cells in previous.items():
            port.fill_cells(sheet, cells)
    marks: dict[str, dict[str, str]] = {}
    for f in findings:
        if f.sheet and f.cell:
            colour = ERROR_FILL if f.is_error else WARNING_FILL
            if marks.setdefault(f.sheet, {}).get(f.cell) != ERROR_FILL:
                marks[f.sheet][f.cell] = colour
    port.write_findings([finding_row(f, unit=book.loaded.reporting_unit, month=Period.of_month(s.as_of).key,
                                     file=port.path) for f in findings])
    for sheet, cells in marks.items():
        port.fill_cells(sheet, cells)
    errors = sum(f.is_error for f in findings)
    message = (f"检查完成（检查日期 {s.as_of.isoformat()}）：错误 {errors} 个，提醒 {len(findings) - errors} 个，"
               f"详见“{FINDINGS_SHEET}”。") if findings else "检查完成：未发现问题。"
    port.notify(message)
    return message


def _report(port: WorkbookPort, config: Config):
    summed = summarise_book(_check(port, config))
    return (summed.settings, summed.report, [describe(b) for b in summed.blocking],
            _ribbon_note(summed.period_note))


def _ribbon_note(note: str | None) -> str:
    """The period line for a message box: how to name another period here."""
    return (f"{note}；要统计其他月份、季度或半年，请在“{SETTINGS_SHEET}”中填写统计期间（如 2026-10、2026Q3、"
            f"2026年上半年）或检查日期。") if note else ""


def summarize(port: WorkbookPort, config: Config) -> str:
    """汇总统计: write the 汇总表 of the period (台账设置's 统计期间, else the as-of month),
    with the year to date."""
    s, report, blocking, note = _report(port, config)
    port.write_summary(report, s.bureau, blocking)
    message = f"已生成“汇总表”（{report.period.label}）。" + ("注意：台账有错误，请先检查。" if blocking else "") + note
    port.notify(message)
    return message


def report_text(port: WorkbookPort, config: Config) -> str:
    """生成汇报: the report paragraph into 汇报材料!A2, ready to copy."""
    s, report, blocking, _note = _report(port, config)
    rows = [[f"{s.bureau} {report.period.label} 情况汇报（可直接复制）"], [report.narrative]]
    if blocking:
        rows.append(["注意：台账存在错误，数字可能不准确：" + "；".join(blocking)])
    port.write_rows(REPORT_SHEET, rows, widths=[120])
    port.notify(report.narrative)
    return report.narrative


def report_document(port: WorkbookPort, config: Config) -> str:
    """生成汇报: the 情况汇报 of the period (as 汇总统计 takes it) as a .docx beside the workbook,
    opened in Word.

    The same service as ``taizhang report`` (:func:`taizhang.usecases.report.render_report`) over the
    workbook as it is on screen; the paragraph also goes into 汇报材料.
    """
    from taizhang.report import ReportError
    from taizhang.usecases.report import render_report

    book = _check(port, config)
    s = book.settings
    period, _source, note = book.period()
    target = port.path.with_name(f"{port.path.stem}_{period.label}情况汇报.docx")
    try:
        result = render_report([book.report], target, period=period.key, as_of=s.as_of, bureau=s.bureau,
                               config=s.config, inputs=[port.path], compare=s.compare)
    except ReportError as exc:
        message = f"未能生成汇报：{exc}"
        port.notify(message)
        return message
    report_text(port, config)
    _open_document(port, result.output)
    message = f"已生成情况汇报：{result.output.name}（与本工作簿在同一文件夹）。" + (
        "注意：台账有错误，数字可能不准确，文档开头有提示。" if result.exit_status else "") + _ribbon_note(note)
    port.notify(message)
    return message


def _open_document(port: WorkbookPort, path: Path) -> None:
    """Open the document for the writer: the port's way if it has one, else Windows' default program."""
    opener = getattr(port, "open_document", None)
    if opener is not None:
        opener(path)
    elif sys.platform == "win32":  # pragma: no cover - Windows only
        os.startfile(path)  # type: ignore[attr-defined]


def consolidate_month(port: WorkbookPort, config: Config, folder: Path | None = None) -> str:
    """月度合并: consolidate a folder of units' workbooks into this workbook (the master); a
    folder of masters (the counties') is rolled up into it instead, and the message says so."""
    from taizhang.usecases.consolidate import consolidate
    from taizhang.usecases.requests import ConsolidateRequest

    s = read_settings(port, config)
    month = _consolidation_month(s)
    if isinstance(month, str):  # 统计期间 names a quarter, a half-year or a range: said, nothing done
        port.notify(month)
        return month
    folder = folder or port.pick_folder()
    if folder is None:
        return "已取消。"
    if not port.release_for_writing():  # saves (or asks about) unsaved edits; Excel lets go of the file
        return "已取消。"
    request = ConsolidateRequest(folder=str(folder), period=month.key,
                                 master=str(port.path), bureau=s.bureau, compare=s.compare)
    try:
        outcome = consolidate(request, s.config)  # the command line's use case
    except BaseException:
        port.reload()  # the master comes back in front of the clerk, whatever happened
        raise
    if outcome.data is None:  # it could not run (the master in use, no such folder, …): nothing written
        port.reload()
        reason = "；".join(m.removeprefix("taizhang: ") for m in outcome.messages)
        port.notify(f"无法合并：{reason}")
        return reason
    result = outcome.detail
    port.reload()
    # a folder holding masters (the counties'), not units' workbooks, is rolled up: said so
    what, who = ("逐级汇总", "县（区）") if result.rollup else ("合并", "单位")
    message = (f"{result.period} {what}完成：已报送 {len(result.units_reported)} 个{who}，"
               f"未报送 {len(result.units_missing)} 个；读取 {result.rows_read} 行 = 写入 {result.rows_written} 行"
               f" + 退回 {result.rows_rejected} 行。")
    if result.rollup:
        message += "文件夹中是各县（区）报送的合并主表，已汇总到本工作簿，明细的“县（区）”列注明每行的来处。"
    port.notify(message)
    return message


def _consolidation_month(s: Settings) -> Period | str:
    """The month 月度合并 merges: the 统计期间 of 台账设置 when it names a month, else the month
    of its 检查日期 (blank: today).  A 统计期间 of several months gives the message refusing it
    (the consolidation is monthly) instead."""
    if not s.period:
        return Period.of_month(s.as_of)
    try:
        period = Period.parse(s.period)
    except ValueError as exc:
        return f"无法合并：“{SETTINGS_SHEET}”中的{_PERIOD}：{exc}"
    if not period.is_month:
        example = Period(*period.last_month).key if period.last_month else "2026-10"
        return (f"无法合并：月度合并按月进行，“{SETTINGS_SHEET}”中的{_PERIOD}是{period.label}。请把统计期间改为"
                f"要合并的月份（如 {example}）或留空；{period.label}的数字用“汇总统计”。")
    return period


def settings(port: WorkbookPort, config: Config) -> str:
    """设置: (re)write the 台账设置 sheet with the settings in force, for the clerk to edit."""
    s = read_settings(port, config)
    rows: list[list[Any]] = [["设置项", "值"], [_BUREAU, s.bureau],
                             [_AS_OF, datetime.combine(s.as_of, datetime.min.time())
                              if SETTINGS_SHEET in port.sheet_names() else None],
                             [_PERIOD, s.period], [_COMPARE, _YES if s.compare else _NO],
                             [None, None], list(_FORM_HEADER)]
    rows += [[measure, form] for measure, form in s.config.forms.items()]
    port.write_rows(SETTINGS_SHEET, rows, widths=[28, 20])
    message = (f"请在“{SETTINGS_SHEET}”中修改局名称、检查日期（留空为今天）、统计期间（留空为检查日期所在月；"
               f"也可写 2026Q3、2026年上半年、2026年3月至8月）、是否与上期和上年同期对比（是/否）"
               f"和四种形态对应关系。")
    port.notify(message)
    return message
