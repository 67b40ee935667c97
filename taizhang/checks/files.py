"""The outcome of checking one workbook file: its ledgers' findings, or its refusal."""

from __future__ import annotations

from dataclasses import field
from datetime import date
from pathlib import Path

from taizhang.checks import CheckContext, check_ledger
from taizhang.config import Config
from taizhang.findings import Finding, Stats, sort_key
from taizhang.reading.ledger import Ledger, LedgerHead
from taizhang.reading.workbook import LoadedWorkbook, failed_reading, reader_died_refusal
from taizhang.records import dataclass


@dataclass
class FileReport:
    """The outcome of checking one file."""

    path: Path
    #: The ledgers read, with their rows; empty in a report made :meth:`slim`.
    ledgers: list[Ledger]
    findings: list[Finding]
    refusal: Finding | None = None
    #: The cells of the workbook's ``台账设置`` sheet, when it has one.
    settings_rows: list[list] | None = None
    #: Set by :meth:`slim`; otherwise :attr:`heads` are those of ``ledgers``.
    _heads: list[LedgerHead] | None = field(default=None, repr=False)

    @property
    def heads(self) -> list[LedgerHead]:
        """Each ledger without its rows (sheet, kind, header row, row count …): what the check's
        output, the 问题清单 and the blocking errors say of the ledgers."""
        return self._heads if self._heads is not None else [lg.head for lg in self.ledgers]

    def slim(self) -> FileReport:
        """This report without the ledgers' rows: what a worker process passes back when only
        the findings and the heads are wanted (passing 50 typed rows back costs more than
        making them)."""
        return FileReport(self.path, [], self.findings, self.refusal, self.settings_rows, self.heads)

    @property
    def stats(self) -> Stats:
        return Stats.of(self.findings)

    @property
    def has_errors(self) -> bool:
        return any(f.is_error for f in self.findings)


def check_loaded(loaded: LoadedWorkbook, config: Config, as_of: date) -> FileReport:
    """Run the rules over the ledgers of a loaded workbook."""
    if loaded.refusal is not None:
        return FileReport(loaded.path, [], [loaded.refusal], loaded.refusal)
    ctx = CheckContext(config=config, as_of=as_of)
    findings = list(loaded.findings)
    try:
        for ledger in loaded.ledgers:
            findings.extend(check_ledger(ledger, ctx))
    except Exception as exc:  # noqa: BLE001 - one file's failure never stops the others
        failed = failed_reading(LoadedWorkbook(loaded.path), exc)
        return FileReport(loaded.path, [], [failed.refusal], failed.refusal)
    findings.sort(key=sort_key)
    return FileReport(loaded.path, loaded.ledgers, findings, settings_rows=loaded.settings_rows)


def reader_died(path: Path) -> FileReport:
    """The report of such a file (:func:`reader_died_refusal`)."""
    refusal = reader_died_refusal(path)
    return FileReport(path, [], [refusal], refusal)
