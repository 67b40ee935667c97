"""Report: the monthly report (情况汇报) as a Word document, or the built-in template saved.

``taizhang report``, the ribbon's 生成汇报 and the local service all come here:
:func:`make_report` reads and checks files, :func:`render_report` takes files already checked
(the ribbon's workbook as it is on screen).  The settings are settled, the period chosen and
the figures counted as ``taizhang summary`` does; the document itself is written by
:mod:`taizhang.report` (the template filled in a bounded child process, replaced atomically).
"""

from __future__ import annotations

import os
from dataclasses import field
from datetime import date
from pathlib import Path
from typing import Any, Sequence

from taizhang.config import Config, load_config
from taizhang.figures import PeriodError, latest_row_date, rows_by_kind
from taizhang.figures.settings import choose_period, resolve, settings_rows
from taizhang.reading.folder import NO_WORKBOOKS, expand_paths
from taizhang.records import dataclass
from taizhang.report import ReportError, refuse_target, same_file, template_of, write_default_template, write_document
from taizhang.usecases.files import summarise_reports
from taizhang.summary import describe
from taizhang.usecases.check import check_settled
from taizhang.usecases.common import EXIT_ERRORS, EXIT_OK, EXIT_UNREADABLE, Outcome, Progress
from taizhang.usecases.requests import ReportRequest


@dataclass
class ReportResult:
    """What was written, and the figures it was written from."""

    output: Path
    template: Path
    #: the template context: the ``summary --json`` dict (``output`` set to the document) with
    #: ``period_label``
    figures: dict[str, Any]
    #: 0 no errors; 1 some ledgers have errors (the document says so for the writer);
    #: 2 some files could not be read (the rest are counted) — as ``taizhang summary``
    exit_status: int = EXIT_OK
    #: lines for the clerk (Chinese): unreadable files, ledgers with errors
    notes: list[str] = field(default_factory=list)

    def json(self) -> dict[str, Any]:
        data = dict(self.figures)
        data["output"] = str(self.output)
        data["template"] = str(self.template)
        return data


def report(request: ReportRequest, config: Config | None = None, progress: Progress | None = None) -> Outcome:
    """``taizhang report`` without printing: the ``--json`` shape, the exit code, the messages
    (``progress`` is accepted for the local service; the report has none to give yet);
    ``detail`` is the :class:`ReportResult`."""
    if request.write_template:
        try:
            path = write_default_template(request.write_template)
        except (ReportError, OSError) as exc:
            return Outcome(EXIT_UNREADABLE, messages=[f"taizhang: {exc}"])
        return Outcome(EXIT_OK, {"template": str(path)})
    if not request.paths or not request.output:
        return Outcome(EXIT_UNREADABLE, messages=["taizhang: 参数错误：需要台账工作簿（PATH）和 -o OUT.docx"])
    cfg = config if config is not None else load_config(request.config)
    try:
        result = make_report(request.paths, request.output, period=request.period, as_of=request.as_of,
                             bureau=request.bureau, template=request.template, config=cfg,
                             compare=request.compare)
    except ReportError as exc:
        return Outcome(EXIT_UNREADABLE, messages=[f"taizhang: {exc}"])
    return Outcome(result.exit_status, result.json(), [f"taizhang: {note}" for note in result.notes], result)


def render_report(reports: list, output: str | os.PathLike, *, period: str | None = None,
                  as_of: date | None = None, bureau: str | None = None,
                  template: str | os.PathLike | None = None, config: Config | None = None,
                  inputs: Sequence[Path] = (), compare: bool = False) -> ReportResult:
    """Write the report of already checked files (:class:`taizhang.checks.files.FileReport`)
    to ``output``.

    ``inputs`` are the files the figures come from: ``output`` may never be one of them.  With
    ``compare`` the report says what changed since the period before and a year earlier.
    Raises :class:`~taizhang.report.ReportError` (or its ``TemplateRefused``) when nothing
    could be written.
    """
    # settings: defaults < the office file < a 台账设置 sheet of the workbooks < the arguments
    settings = resolve(config or load_config(), sheet=settings_rows(reports), bureau=bureau, as_of=as_of)
    config, as_of = settings.config, settings.as_of
    latest = [latest_row_date(rows_by_kind([lg for lg in r.ledgers if not lg.hidden]), as_of) for r in reports]
    try:
        the_period, period_source, period_note = choose_period(period, settings, latest)
    except PeriodError as exc:
        raise ReportError(str(exc)) from None
    output = Path(output)
    template_path = template_of(template, config)
    refuse_target(output, template_path, [*inputs, *(r.path for r in reports)])
    summed = summarise_reports(reports, the_period, as_of, config, compare=compare)
    summed.period_source, summed.period_note = period_source, period_note
    figures = summed.json(settings.bureau)
    label = write_document(figures, output, template_path, config)
    figures["output"] = str(output)
    figures["period_label"] = label
    notes = [period_note] if period_note else []
    notes += [f"无法读取 {r.refusal.message}" for r in reports if r.refusal is not None]
    notes += [f"注意：{describe(b)}，统计数字可能不准确（taizhang check 查看详情）" for b in summed.blocking]
    status = EXIT_UNREADABLE if any(r.refusal for r in reports) else EXIT_ERRORS if summed.blocking else EXIT_OK
    return ReportResult(output=output, template=template_path, figures=figures, exit_status=status, notes=notes)


def make_report(paths: Sequence[str | os.PathLike], output: str | os.PathLike, *, period: str | None = None,
                as_of: date | None = None, bureau: str | None = None,
                template: str | os.PathLike | None = None, config: Config | None = None,
                compare: bool = False) -> ReportResult:
    """Read and check the workbooks at ``paths`` (files or folders) and write their report."""
    config = config or load_config()
    output = Path(output)
    inputs = [Path(p) for p in paths]
    for p in inputs:
        if same_file(output, p):
            raise ReportError(f"汇报文档不能写入被统计的台账 {output.name}（源台账从不改动），请换一个文件名")
    files = [f for f in expand_paths([str(p) for p in inputs]) if not same_file(output, f)]
    if not files:
        raise ReportError(NO_WORKBOOKS)  # report has no --recursive: no hint naming it
    _settings, reports = check_settled(files, config, bureau=bureau, as_of=as_of)
    # the caller's as-of and bureau, not the settled ones: render_report settles them again from
    # the same sheets, and knows then whether an as-of day was given (which decides the period)
    return render_report(reports, output, period=period, as_of=as_of, bureau=bureau,
                         template=template, config=config, inputs=files, compare=compare)
