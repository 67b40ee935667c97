"""The monthly report (情况汇报) as a Word document: ``taizhang report``, the ribbon's 生成汇报
and the local service all call :func:`make_report` (files) or :func:`render_report` (files
already checked, e.g. a live workbook).

The template's context is the ``taizhang summary --json`` dict of the same files, period and
as-of day, plus ``bureau`` and ``period_label`` (:mod:`taizhang.report.context`), so every
figure of the document is the 汇总表's.  The default template ships in the package
(``data/default.docx``, made by :mod:`taizhang.report.make_template`); an office's own is a
``.docx`` written in Word with the same tags.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Sequence

from taizhang.config import Config, load_config
from taizhang.report.template import ReportError, TemplateRefused

#: The default template, made by ``python -m taizhang.report.make_template``.
DEFAULT_TEMPLATE = Path(__file__).resolve().parent / "data" / "default.docx"

__all__ = ["DEFAULT_BUREAU", "DEFAULT_TEMPLATE", "ReportError", "ReportResult", "TemplateRefused",
           "make_report", "render_report", "write_default_template"]

from taizhang.figures.settings import DEFAULT_BUREAU  # noqa: E402 - one default for every entry point
EXIT_OK, EXIT_ERRORS, EXIT_UNREADABLE = 0, 1, 2


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


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and a.samefile(b)
    except OSError:
        return False


def render_report(reports: list, output: str | os.PathLike, *, period: str | None = None,
                  as_of: date | None = None, bureau: str | None = None,
                  template: str | os.PathLike | None = None, config: Config | None = None,
                  inputs: Sequence[Path] = (), compare: bool = False) -> ReportResult:
    """Write the report of already checked files (``taizhang.service.FileReport``) to ``output``.

    ``inputs`` are the files the figures come from: ``output`` may never be one of them.  With
    ``compare`` the report says what changed since the period before and a year earlier.
    Raises :class:`ReportError` (or its :class:`TemplateRefused`) when nothing could be written.
    """
    from docx.opc.exceptions import PackageNotFoundError  # noqa: F401 - fails early without python-docx

    from taizhang.figures import PeriodError
    from taizhang.report.context import template_context
    from taizhang.report.bounded import render_bounded
    from taizhang.service import summarise_reports
    from taizhang.summary import describe
    from taizhang.writing import replace_atomically

    from taizhang.figures import latest_row_date, rows_by_kind
    from taizhang.figures.settings import choose_period, resolve, settings_rows

    # settings: defaults < the office file < a 台账设置 sheet of the workbooks < the arguments
    settings = resolve(config or load_config(), sheet=settings_rows(reports), bureau=bureau, as_of=as_of)
    config, as_of = settings.config, settings.as_of
    latest = [latest_row_date(rows_by_kind([lg for lg in r.ledgers if not lg.hidden]), as_of) for r in reports]
    try:
        the_period, period_source, period_note = choose_period(period, settings, latest)
    except PeriodError as exc:
        raise ReportError(str(exc)) from None
    output = Path(output)
    if output.suffix.lower() != ".docx":
        raise ReportError(f"汇报文档应保存为 .docx 文件（收到“{output.name}”）")
    for source in [*inputs, *(r.path for r in reports)]:
        if _same_file(output, Path(source)):
            raise ReportError(f"汇报文档不能写入被统计的台账 {output.name}（源台账从不改动），请换一个文件名")
    template_path = Path(template) if template else Path(config.settings.get("report_template") or DEFAULT_TEMPLATE)
    if _same_file(output, template_path):
        raise ReportError(f"汇报文档不能覆盖模板 {template_path.name}，请换一个文件名")
    if not template_path.is_file():
        raise ReportError(f"找不到汇报模板 {template_path}")
    summed = summarise_reports(reports, the_period, as_of, config)
    summed.period_source, summed.period_note = period_source, period_note
    if compare:
        from taizhang.figures import compare_rows

        compare_rows(summed.report, rows_by_kind([lg for r in reports for lg in r.ledgers if not lg.hidden]), config)
    bureau = settings.bureau
    figures = summed.json(bureau)
    context = template_context(figures, config)
    # filled in a child process bounded in memory and time: a template cannot take the PC
    document = render_bounded(template_path, figures, config)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        replace_atomically(output, lambda tmp: tmp.write_bytes(document))
    except PermissionError:
        raise ReportError(f"汇报文档无法写入：{output}（没有写入权限，或该文件正在 Word/WPS 中打开：请关闭后重试；"
                          f"原文件未改动）") from None
    except OSError as exc:
        from taizhang.errors import os_error_zh

        raise ReportError(f"汇报文档无法写入：{output}（{os_error_zh(exc)}；原文件未改动）") from None
    figures["output"] = str(output)
    figures["period_label"] = context["period_label"]
    notes = [period_note] if period_note else []
    notes += [f"无法读取 {r.refusal.message}" for r in reports if r.refusal is not None]
    notes += [f"注意：{describe(b)}，统计数字可能不准确（taizhang check 查看详情）" for b in summed.blocking]
    status = EXIT_UNREADABLE if any(r.refusal for r in reports) else EXIT_ERRORS if summed.blocking else EXIT_OK
    return ReportResult(output=output, template=template_path, figures=figures, exit_status=status, notes=notes)


def make_report(paths: Sequence[str | os.PathLike], output: str | os.PathLike, *, period: str | None = None,
                as_of: date | None = None, bureau: str | None = None,
                template: str | os.PathLike | None = None, config: Config | None = None,
                compare: bool = False) -> ReportResult:
    """Read and check the workbooks at ``paths`` (files or folders) and write their report.

    The one entry point shared by the command line, the ribbon and the local service.
    """
    from taizhang.reading.folder import NO_WORKBOOKS, expand_paths

    config = config or load_config()
    output = Path(output)
    inputs = [Path(p) for p in paths]
    for p in inputs:
        if _same_file(output, p):
            raise ReportError(f"汇报文档不能写入被统计的台账 {output.name}（源台账从不改动），请换一个文件名")
    files = [f for f in expand_paths([str(p) for p in inputs]) if not _same_file(output, f)]
    if not files:
        raise ReportError(NO_WORKBOOKS)  # report has no --recursive: no hint naming it
    from taizhang.checks.files import check_loaded
    from taizhang.reading.workbook import load_workbook
    from taizhang.figures.settings import resolve, settings_rows

    loaded = [load_workbook(f, config) for f in files]
    settings = resolve(config, sheet=settings_rows(loaded), bureau=bureau, as_of=as_of)
    reports = [check_loaded(lw, settings.config, settings.as_of) for lw in loaded]
    # the caller's as-of and bureau, not the settled ones: render_report settles them again from
    # the same sheets, and knows then whether an as-of day was given (which decides the period)
    return render_report(reports, output, period=period, as_of=as_of, bureau=bureau,
                         template=template, config=config, inputs=files, compare=compare)


def write_default_template(target: str | os.PathLike) -> Path:
    """Copy the default template to ``target``: the start of an office's own."""
    target = Path(target)
    if target.suffix.lower() != ".docx":
        raise ReportError(f"模板应保存为 .docx 文件（收到“{target.name}”）")
    if target.exists():
        raise ReportError(f"{target} 已存在，未覆盖；请换一个文件名")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(DEFAULT_TEMPLATE, target)
    return target
