"""What a rule receives besides the ledger."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any, Callable, Iterable

from taizhang.config import Config
from taizhang.findings import Finding
from taizhang.reading.ledger import Ledger
from taizhang.records import dataclass


@dataclass(frozen=True)
class CheckContext:
    """What every rule is judged with: the configuration and the as-of day."""

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


def rows_to_check(ledger: Ledger, fields: tuple[str, ...], suspect: Callable[..., Any]) -> list[Any]:
    """The rows a rule need look at: where the reader's typed columns are the rows' (see
    ``Ledger.typed_columns``), those for which ``suspect`` (given the row's values of
    ``fields``) is true, else every row.  ``suspect`` must hold wherever the rule may report
    something: the rule still tests each row it is given as it would any."""
    columns = ledger.typed_columns(*fields)
    if columns is None:
        return ledger.rows
    return list(itertools.compress(ledger.rows, map(suspect, *columns)))
