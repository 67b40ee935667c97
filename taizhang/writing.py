"""Writing ledger text into workbooks safely.

openpyxl turns any string that starts with ``=`` into a live formula, and refuses control
characters.  Text that came from a unit's ledger goes through :func:`put` so that it is
always stored as text (``=HYPERLINK(...)`` stays the characters the unit typed) and never
breaks the save.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.worksheet.worksheet import Worksheet

#: What a spreadsheet may take as the start of a formula (and CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def clean_string(text: str) -> str:
    """``text`` without the control characters an xlsx cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def put(ws: Worksheet, row: int, column: int, value: Any, number_format: str | None = None) -> Cell:
    """Write ``value`` into ``ws`` at (row, column), 1-based; strings always as text."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = clean_string(value)
        cell.data_type = "s"
    elif isinstance(value, bool) or value is None or isinstance(value, (int, float, Decimal, date, datetime)):
        cell.value = value
    else:
        cell.value = clean_string(str(value))
        cell.data_type = "s"
    if number_format:
        cell.number_format = number_format
    return cell


def replace_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Write ``path`` through ``write(tmp)`` on a temporary file beside it, then move it into
    place: a crash or a kill midway leaves the previous file as it was."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
