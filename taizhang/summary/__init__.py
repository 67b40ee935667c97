"""The standard summary sheet (汇总表) and its detail sheet (明细), written with openpyxl.

``write_summary`` (re)creates the two sheets inside a workbook, leaving every other sheet
alone; ``save_summary`` does that for a file on disk, atomically.  ``blocking_errors`` says
which ledgers behind the figures have errors (the sheet's banner and the command's output).
"""

from taizhang.summary.blocking import BlockingError, blocking_errors, describe
from taizhang.summary.sheet import (
    DETAIL_SHEET, OUTPUT_SUFFIXES, SUMMARY_SHEET, OutputError, save_findings, save_summary, write_summary,
)

__all__ = ["DETAIL_SHEET", "OUTPUT_SUFFIXES", "SUMMARY_SHEET", "BlockingError", "OutputError", "blocking_errors",
           "describe", "save_findings", "save_summary", "write_summary"]
