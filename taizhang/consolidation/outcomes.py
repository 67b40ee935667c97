"""What a consolidation deals in: the rows a file brings, what became of each file, the
result of a run (the ``consolidate --json`` object), and the error that stops a run."""

from __future__ import annotations

import pickle
import zlib

from dataclasses import field
from datetime import date
from pathlib import Path
from typing import Any

from taizhang.config import Kind
from taizhang.errors import TaizhangError
from taizhang.figures.period import Period, PeriodError
from taizhang.findings import REFUSAL_CODES, Finding
from taizhang.records import dataclass

#: Where a detail row bound for the store carries its typed values (never written to a sheet).
TYPED = "\x00typed"


class ConsolidationError(TaizhangError):
    """The consolidation could not run at all (exit 2): the message says why."""


@dataclass
class RowOut:
    """One row bound for the master: its month, provenance and cell values by header."""

    month: str
    sheet: str
    row: int
    values: dict[str, Any]
    issues: str
    #: the typed values the figures need (see taizhang.consolidation.typedrows.typed_values)
    typed: list = field(default_factory=list)
    #: A row carried up from a master (a roll-up): its provenance columns as that master has
    #: them (单位, 来源文件 … and the levels below) and its 检查结果; None for a unit's row.
    carried: dict[str, Any] | None = None


@dataclass
class FileData:
    """What a worker process sends back about one file (plain, picklable values)."""

    path: Path
    mtime: float
    reporting_unit: str | None = None
    refusal: Finding | None = None
    findings: list[Finding] = field(default_factory=list)
    #: kind -> rows of visible ledgers; kinds present (even with no rows) are keys
    rows: dict[Kind, list[RowOut]] = field(default_factory=dict)
    hidden_rows: int = 0
    #: ``rows`` pickled and compressed (:meth:`pack`): a month of a thousand units is held as
    #: bytes until each unit's rows are merged, not as objects while all the files are read
    packed: bytes | None = None
    packed_rows: int = 0

    def pack(self) -> FileData:
        self.packed_rows = sum(len(v) for v in self.rows.values())
        self.packed = zlib.compress(pickle.dumps(self.rows, pickle.HIGHEST_PROTOCOL), 1)
        self.rows = {}
        return self

    def unpacked(self) -> dict[Kind, list[RowOut]]:
        """The rows, made anew from :attr:`packed` at each call (the caller lets them go)."""
        return pickle.loads(zlib.decompress(self.packed)) if self.packed is not None else self.rows

    @property
    def rows_read(self) -> int:
        return (self.packed_rows if self.packed is not None else sum(len(v) for v in self.rows.values())) \
            + self.hidden_rows
    #: A master's (a roll-up): how many roll-ups above the units' it is (0: a county's).
    depth: int = 0


@dataclass
class FileOutcome:
    path: Path
    unit: str | None
    status: str  # ok | rejected
    reason: str | None
    rows_read: int
    rows_written: int
    rows_rejected: int
    errors: int
    warnings: int
    mtime: float = 0.0
    findings: list[Finding] = field(default_factory=list)
    #: Rejected only because the same unit sent a newer file (not a fault of the ledgers).
    superseded: bool = False

    @property
    def unreadable(self) -> bool:
        """The file could not be read at all (exit status 2, as in every command)."""
        return self.status == "rejected" and any(f.code in REFUSAL_CODES for f in self.findings)

    def as_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path), "unit": self.unit, "status": self.status, "reason": self.reason,
            "rows_read": self.rows_read, "rows_written": self.rows_written,
            "rows_rejected": self.rows_rejected, "errors": self.errors, "warnings": self.warnings,
            "readable": not self.unreadable, "superseded": self.superseded,
        }


@dataclass
class ConsolidationResult:
    period: str
    master: Path
    files: list[FileOutcome]
    units_reported: list[str]
    units_missing: list[str]
    backup: Path | None = None
    notices: list[str] = field(default_factory=list)
    summary: dict[str, Any] | None = None
    #: detail sheet -> the (unit, month) keys this run replaced
    replaced: dict[str, set] = field(default_factory=dict, repr=False)
    #: A roll-up of masters (the units named are the counties, or the cities).
    rollup: bool = False

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def exit_status(self) -> int:
        """The meaning every command gives it: 2 a file could not be read at all (the others
        were merged), 1 the ledgers have errors or a file was turned back (unit not on the
        roster, a link leaving the folder), 0 otherwise.  A file superseded by a newer one of
        the same unit is not a fault."""
        if any(f.unreadable for f in self.files):
            return 2
        if any(f.errors for f in self.files if not f.superseded) or any(
                f.status == "rejected" and not f.superseded for f in self.files):
            return 1
        return 0

    @property
    def rows_written(self) -> int:
        return sum(f.rows_written for f in self.files)

    @property
    def rows_rejected(self) -> int:
        return sum(f.rows_rejected for f in self.files)

    def as_json(self) -> dict[str, Any]:
        """The ``taizhang consolidate --json`` object (``taizhang.schemas``' ConsolidateOutput)."""
        from taizhang.schemas import dump_consolidate

        return dump_consolidate(self._as_dict())

    def _as_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "units_reported": self.units_reported,
            "units_missing": self.units_missing,
            "files": [f.as_json() for f in self.files],
            "rows_read": self.rows_read,
            "rows_written": self.rows_written,
            "rows_rejected": self.rows_rejected,
            "summary": self.summary,
            "master": str(self.master),
            "backup": str(self.backup) if self.backup else None,
            "exit_status": self.exit_status,
            "rollup": self.rollup,
        }


def parse_month(text: str) -> Period:
    """The month to consolidate, in any form of the one period parser (``2026-10``,
    ``2026/10``, ``2026年10月``, ``202610``); a year, ``all`` or nonsense is a ConsolidationError."""
    try:
        return Period.parse_month(text)
    except PeriodError as exc:
        raise ConsolidationError(str(exc)) from None


def parse_period(text: str) -> tuple[date, date]:
    """``2026-10`` (in any form :func:`parse_month` takes) -> (2026-10-01, 2026-10-31)."""
    month = parse_month(text)
    return month.start, month.end  # type: ignore[return-value]


def rejected_file(path: Path, unit: str | None, reason: str, rows: int, findings=(), mtime=0.0) -> FileOutcome:
    errors = sum(f.is_error for f in findings)
    return FileOutcome(path, unit, "rejected", reason, rows, 0, rows, errors,
                       len(list(findings)) - errors, mtime, list(findings))
