"""Which ledgers behind a summary have errors: the summary is still written, but says so.

A ledger with an error finding (a missing required column, an unknown 来源, a total that does
not add up …) may make a figure wrong.  The summary never hides that: the command lists them
in its output and the 汇总表 carries a red banner naming them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Iterable, TypedDict

if TYPE_CHECKING:  # pragma: no cover
    from taizhang.checks.files import FileReport


class BlockingError(TypedDict):
    """One ledger (or, with ``sheet`` None, a whole workbook) with errors."""

    file: str
    sheet: str | None
    errors: int


def blocking_errors(reports: Iterable[FileReport]) -> list[BlockingError]:
    """The error findings of readable files, counted per sheet, in file and sheet order.

    Hidden ledgers are left out (they are not counted in the figures either); errors about
    the workbook as a whole (empty, no ledger found, a sheet too large to read) count under
    ``sheet`` None, since such a file adds nothing to the figures.  Refused files are the
    caller's: they are reported as unreadable, not here.
    """
    out: list[BlockingError] = []
    for report in reports:
        if report.refusal is not None:
            continue
        hidden = {lg.sheet for lg in report.heads if lg.hidden}
        counts: dict[str | None, int] = {}
        for f in report.findings:
            if f.is_error and f.sheet not in hidden:
                counts[f.sheet] = counts.get(f.sheet, 0) + 1
        order = [lg.sheet for lg in report.heads]
        for sheet in sorted(counts, key=lambda s: (s is not None, order.index(s) if s in order else len(order))):
            out.append(BlockingError(file=str(report.path), sheet=sheet, errors=counts[sheet]))
    return out


def describe(error: BlockingError) -> str:
    """One line for the banner of the 汇总表: file name (not the full path), sheet, count."""
    where = f"“{error['sheet']}”" if error["sheet"] is not None else "（整个工作簿）"
    return f"{Path(error['file']).name}{where}错误 {error['errors']} 个"
