"""Report: the monthly report (情况汇报) as a Word document, or the built-in template saved."""

from __future__ import annotations

from taizhang.config import Config, load_config
from taizhang.usecases.common import EXIT_OK, EXIT_UNREADABLE, Outcome, Progress
from taizhang.usecases.requests import ReportRequest


def report(request: ReportRequest, config: Config | None = None, progress: Progress | None = None) -> Outcome:
    """``taizhang report`` without printing: the ``--json`` shape, the exit code, the messages
    (``progress`` is accepted for the local service; the report has none to give yet);
    ``detail`` is the report's result."""
    from taizhang.report import ReportError, make_report, write_default_template

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
