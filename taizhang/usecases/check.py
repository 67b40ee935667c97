"""Check: findings per file and sheet; with an output, also a 问题清单 sheet."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from typing import Sequence

from taizhang import workers
from taizhang.checks.files import check_loaded
from taizhang.config import Config, load_config
from taizhang.figures.settings import Settings, resolve, settings_rows
from taizhang.reading.folder import expand_paths, no_workbooks, skip_reason
from taizhang.reading.workbook import load_workbook
from taizhang.usecases.files import FileReport, check_slim, reader_died
from taizhang.usecases.common import (
    EXIT_ERRORS, EXIT_OK, EXIT_UNREADABLE, Outcome, Progress, cannot_write, is_one_of, per_file,
)
from taizhang.usecases.requests import CheckRequest


def check(request: CheckRequest, config: Config | None = None, progress: Progress | None = None) -> Outcome:
    """``taizhang check`` without printing: the ``--json`` shape, the exit code, the messages.
    With ``output`` the findings also go into a 问题清单 sheet (the one layout every command
    writes).  ``config``: the office's configuration, already loaded (else ``request.config``'s)."""
    cfg = config if config is not None else load_config(request.config)
    output = Path(request.output) if request.output else None
    if output is not None and is_one_of(output, [Path(p) for p in request.paths]):
        return Outcome(EXIT_UNREADABLE, messages=[
            f"taizhang: 问题清单不能写入被检查的台账 {output}（源台账从不改动），请换一个文件名"])
    skipped: list = []
    files = expand_paths(request.paths, skipped, recursive=request.recursive)
    notes = [f"taizhang: 已跳过 {p}：{skip_reason(p)}" for p in skipped
             if output is None or not is_one_of(output, [p])]  # last run's list, about to be replaced
    if output is not None and is_one_of(output, files):  # a ledger in a folder given: never written
        return Outcome(EXIT_UNREADABLE, messages=[
            *notes, f"taizhang: 问题清单不能写入被检查的台账 {output}（源台账从不改动），请换一个文件名"])
    if not files:
        return Outcome(EXIT_UNREADABLE, messages=[
            *notes, f"taizhang: {no_workbooks(request.paths, recursive=request.recursive)}"])
    as_of = request.as_of or date.today()
    reports = workers.map_files(check_slim, files, (as_of, cfg), jobs=request.jobs,
                                crashed=reader_died, progress=per_file(progress, len(files)))
    if output is not None:
        from taizhang.findings_sheet import report_rows
        from taizhang.summary import OutputError, save_findings

        try:
            save_findings(output, report_rows(reports))
        except OutputError as exc:
            return Outcome(EXIT_UNREADABLE, messages=[*notes, f"taizhang: {exc}"])
        except OSError as exc:
            return Outcome(EXIT_UNREADABLE, messages=[*notes, cannot_write("问题清单", output, exc)])
    messages = notes + [f"taizhang: 无法读取 {r.refusal.message}" for r in reports if r.refusal is not None]
    return Outcome(check_exit_code(reports), check_json(reports), messages, reports)


def check_settled(files: Sequence[Path], config: Config, *, bureau: str | None = None,
                  as_of: date | None = None) -> tuple[Settings, list[FileReport]]:
    """Read the files and check them with the settings in force (the configuration, then the
    first 台账设置 sheet among them, then ``bureau`` and ``as_of``): the settings, and each
    file's full report (its ledgers' rows kept), in the order of ``files``."""
    loaded = [load_workbook(Path(f), config) for f in files]
    settings = resolve(config, sheet=settings_rows(loaded), bureau=bureau, as_of=as_of)
    return settings, [check_loaded(lw, settings.config, settings.as_of) for lw in loaded]


def check_exit_code(reports: list[FileReport]) -> int:
    if any(r.refusal is not None for r in reports):
        return EXIT_UNREADABLE
    if any(r.has_errors for r in reports):
        return EXIT_ERRORS
    return EXIT_OK


def check_json(reports: list[FileReport]) -> dict[str, Any]:
    """The ``--json`` shape of ``taizhang check`` (public: fields are added, never renamed),
    as ``outputs.CheckOutput`` declares it (``taizhang schema check``; the tests hold every
    output made here to that model, field order included)."""
    files = []
    for r in reports:
        stats = r.stats
        files.append({
            "path": str(r.path),
            "readable": r.refusal is None,
            "reason": r.refusal.message if r.refusal else None,
            "reporting_unit": next((lg.reporting_unit for lg in r.heads if lg.reporting_unit), None),
            "ledgers": [
                {"kind": lg.kind.value, "sheet": lg.sheet, "header_row": lg.header_row,
                 "rows": lg.row_count, "hidden": lg.hidden}
                for lg in r.heads
            ],
            "findings": [f.to_json() for f in r.findings],
            "stats": stats.to_json(),
        })
    total = {
        "files": len(reports),
        "unreadable": sum(r.refusal is not None for r in reports),
        "errors": sum(r.stats.errors for r in reports),
        "warnings": sum(r.stats.warnings for r in reports),
    }
    return {"files": files, "summary": total}
