"""The standard summary sheet (汇总表) and its detail sheet (明细), written with openpyxl.

``write_summary`` (re)creates the two sheets inside a workbook, leaving every other sheet
alone; ``save_summary`` does that for a file on disk, atomically.  ``blocking_errors`` says
which ledgers behind the figures have errors (the sheet's banner and the command's output).
"""

from typing import Any

from taizhang.summary.blocking import BlockingError, blocking_errors, describe

#: What ``summary.sheet`` gives, imported when first asked for: it loads openpyxl, which a
#: command that writes no workbook (``summary --json``) does without.
_SHEET = ("DETAIL_SHEET", "OUTPUT_SUFFIXES", "SUMMARY_SHEET", "OutputError", "save_findings", "save_summary",
          "write_summary")

__all__ = ["DETAIL_SHEET", "OUTPUT_SUFFIXES", "SUMMARY_SHEET", "BlockingError", "OutputError", "blocking_errors",
           "describe", "save_findings", "save_summary", "write_summary"]


def __getattr__(name: str) -> Any:
    if name in _SHEET:
        from taizhang.summary import sheet

        return getattr(sheet, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_SHEET})
