"""What a rule receives besides the ledger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable, Iterable

from taizhang.config import Config
from taizhang.findings import Finding
from taizhang.reading.ledger import Ledger


@dataclass(frozen=True)
class CheckContext:
    config: Config
    #: The day the ledger is judged at: overdue items, dates that cannot lie after it.
    as_of: date


Rule = Callable[[Ledger, CheckContext], Iterable[Finding]]


def ymd(d: date) -> str:
    return d.isoformat()


def missing_conditional_column(ledger: Ledger, field_name: str, because: str) -> Finding:
    """One finding for the sheet: a column that becomes required by some rows is absent."""
    name = ledger.column_name(field_name)
    return Finding.make(
        "missing-column", f"{because}，但缺少“{name}”列", sheet=ledger.sheet,
        row=ledger.header_row, column=name)
