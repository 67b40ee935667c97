"""Summarise: the figures, the report paragraph, and with an output the 汇总表."""

from __future__ import annotations

from pathlib import Path

from taizhang.config import Config, load_config
from taizhang.reading.folder import expand_paths, no_workbooks, skip_reason
from taizhang.usecases.summarising import summarise_files
from taizhang.usecases.common import (
    EXIT_ERRORS, EXIT_OK, EXIT_UNREADABLE, Outcome, Progress, cannot_write, is_one_of, per_file,
)
from taizhang.usecases.requests import SummaryRequest


def summarise(request: SummaryRequest, config: Config | None = None,
              progress: Progress | None = None) -> Outcome:
    """``taizhang summary`` without printing: the ``--json`` shape, the exit code, the messages;
    ``detail`` is ``(report, output written or None)``."""
    from taizhang.figures import Period, PeriodError

    cfg = config if config is not None else load_config(request.config)
    try:
        period = Period.parse(request.period) if request.period else None
    except PeriodError as exc:
        return Outcome(EXIT_UNREADABLE, messages=[f"taizhang: {exc}"])
    missing = [p for p in request.paths if not Path(p).exists()]
    if missing:  # a mistyped folder: no all-zero 汇总表
        return Outcome(EXIT_UNREADABLE, messages=[
            f"taizhang: 找不到 {'、'.join(missing)}（文件或文件夹不存在），没有统计，也没有写入任何文件"])
    output_path = Path(request.output) if request.output else None
    if output_path is not None:  # openpyxl is loaded only when a workbook is written
        from taizhang.findings_sheet import report_rows
        from taizhang.summary import OutputError, describe, save_summary
        from taizhang.writing import FileInUse, open_elsewhere

    if output_path is not None and (lock := open_elsewhere(output_path)) is not None:
        return Outcome(EXIT_UNREADABLE, messages=[f"taizhang: {FileInUse(output_path, lock).message('汇总表')}"])
    skipped: list[Path] = []
    files = expand_paths(request.paths, skipped, recursive=request.recursive)
    if output_path is not None and is_one_of(output_path, files):  # wherever the ledger lies
        return Outcome(EXIT_UNREADABLE, messages=[
            f"taizhang: 汇总表不能写入被统计的台账 {request.output}（源台账从不改动），请换一个文件名"])
    skipped_notes = [f"taizhang: 已跳过 {p}：{skip_reason(p).replace('不是台账', '不作为台账统计')}"
                     for p in skipped if output_path is None or not is_one_of(output_path, [p])]
    if not files:
        return Outcome(EXIT_UNREADABLE, messages=[
            *skipped_notes, f"taizhang: {no_workbooks(request.paths, recursive=request.recursive)}"])
    # settings: defaults < the configuration < the 台账设置 sheet of a workbook given < bureau / as-of;
    # the rows are kept only for the 明细 sheet of a 汇总表 written
    summed = summarise_files(files, cfg, period=period, bureau=request.bureau, as_of=request.as_of,
                             rows=output_path is not None, jobs=request.jobs,
                             progress=per_file(progress, len(files)), compare=request.compare)
    reports, report, blocking = summed.reports, summed.report, summed.blocking
    bureau = summed.settings.bureau
    output = None
    if output_path is not None:
        notes = [describe(b) for b in blocking]
        notes += [f"{r.path.name}无法读取，未计入" for r in reports if r.refusal is not None]
        try:
            output = save_summary(output_path, report, bureau=bureau, blocking_errors=notes,
                                  config=summed.settings.config,
                                  findings=report_rows(reports, month=report.period.key))
        except OutputError as exc:
            return Outcome(EXIT_UNREADABLE, messages=[f"taizhang: {exc}"])
        except OSError as exc:
            return Outcome(EXIT_UNREADABLE, messages=[cannot_write("汇总表", request.output, exc)])
    data = summed.json(bureau, output)
    messages = [*skipped_notes,
                *(f"taizhang: 无法读取 {r.refusal.message}" for r in reports if r.refusal is not None)]
    messages += blocking_notes(blocking, output)
    if any(r.refusal for r in reports):
        code = EXIT_UNREADABLE
    else:
        code = EXIT_ERRORS if blocking else EXIT_OK
    return Outcome(code, data, messages, (report, output))


#: How many files with errors ``summary`` names one by one before it only counts the rest.
NOTES_SHOWN = 10


def blocking_notes(blocking: list, output=None, shown: int = NOTES_SHOWN) -> list[str]:
    """The 注意 lines for ledgers with errors: one line per file (its sheets together), the first
    ``shown`` files, then how many more and where they are all listed (the 汇总表's 问题清单 when
    one was written, ``taizhang check``, ``--json``'s ``blocking_errors``)."""
    by_file: dict[str, list] = {}
    for b in blocking:
        by_file.setdefault(str(b["file"]), []).append(b)
    lines = []
    for file, items in by_file.items():
        where = "、".join(f"“{b['sheet']}”" if b["sheet"] is not None else "（整个工作簿）" for b in items)
        errors = sum(b["errors"] for b in items)
        lines.append(f"taizhang: 注意：{file}{where}有 {errors} 个错误，统计数字可能不准确（taizhang check 查看详情）")
    if len(lines) <= shown:
        return lines
    rest = list(by_file.values())[shown:]
    errors = sum(b["errors"] for items in rest for b in items)
    listed = f"见汇总表 {output} 的“问题清单”" if output else "用 taizhang check 查看详情"
    more = (f"taizhang: 另有 {len(rest)} 个文件有注意事项（共 {errors} 个错误），"
            f"统计数字可能不准确，{listed}（--json 的 blocking_errors 列出全部）")
    return [*lines[:shown], more]
