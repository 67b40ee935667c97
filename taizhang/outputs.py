"""The ``taizhang summary --json`` object, made without pydantic: the figures of
``figures.report_json`` with the bureau, the ledgers with errors, the files that could not be
read and the file written, in the order :mod:`taizhang.schemas` publishes (its
``summary_model``; the tests hold every summary made here to it).  A public interface: fields
are added, never renamed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from taizhang.figures import report_json
from taizhang.kinds import by_rank

if TYPE_CHECKING:
    from taizhang.figures import Report

#: The keys after the figures, in the published order.
_TAIL = ("narrative", "year_to_date", "bureau", "blocking_errors", "unreadable", "output", "period_source",
         "period_note", "compare")


def dump_summary(data: dict[str, Any]) -> dict[str, Any]:
    """The summary dict in the published order: period, as_of, a block per kind in report
    order, then :data:`_TAIL`, then any other key as it came; a ``year_to_date`` that is None
    (a period that is not a month, or a compared period of a year) is left out, as always."""
    head = ("period", "as_of", *(d.kind.value for d in by_rank()))
    out = {key: data[key] for key in (*head, *_TAIL) if key in data}
    out.update((key, value) for key, value in data.items() if key not in out)
    if out.get("year_to_date", 0) is None:
        del out["year_to_date"]
    compare = out.get("compare")
    if compare is not None:
        for key in ("previous_period", "same_period_last_year"):  # each as the top level
            block = compare.get(key)
            if block is not None and block.get("year_to_date", 0) is None:
                compare[key] = {k: v for k, v in block.items() if k != "year_to_date"}
    return out


def summary_json(report: Report, *, bureau: str, blocking: list, reports: list, output: Any = None,
                 period_source: str | None = None, period_note: str | None = None) -> dict[str, Any]:
    """The whole ``taizhang summary --json`` object: the figures of ``report_json`` with the
    bureau, the ledgers with errors, the files that could not be read and the file written.

    The written report (``taizhang report``) fills its template from this very dict, so its
    figures are the summary's by construction.
    """
    data = report_json(report)
    data["bureau"] = bureau
    data["blocking_errors"] = blocking
    data["unreadable"] = [{"path": str(r.path), "reason": r.refusal.message} for r in reports if r.refusal]
    data["output"] = str(output) if output else None
    if period_source is not None:
        data["period_source"] = period_source
        data["period_note"] = period_note
    return dump_summary(data)
