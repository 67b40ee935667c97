"""Findings: what is wrong in a workbook, where, and how bad.

A finding is shaped after frictionless-py's errors: a stable ``code`` that tools can rely on,
a severity, where it is (sheet, cell such as ``H12``, Excel row number, column name) and a
message in Chinese for the clerk who has to fix the cell.  The catalogue is the list of codes
(the common ones below, and each kind's own); codes are a public interface (``taizhang check --json``) and are never renamed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import field
from enum import StrEnum
from typing import Any, Callable, Iterable, Iterator, Mapping

from taizhang.records import dataclass


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


E, W = Severity.ERROR, Severity.WARNING

#: code -> (default severity, short Chinese title) of the codes every ledger shares.  The title
#: is what a report prints when it lists counts per code; each finding carries its own, more
#: specific message.  A kind declares its own codes (``KindDef.codes``): see :data:`CATALOGUE`.
COMMON_CODES: dict[str, tuple[Severity, str]] = {
    # The file as a whole could not be read: ``taizhang check`` exits 2.
    "file-not-found": (E, "文件不存在"),
    "not-a-workbook": (E, "不是 Excel 工作簿"),
    "corrupt-workbook": (E, "文件已损坏"),
    "encrypted-workbook": (E, "文件已加密"),
    "unreadable-file": (E, "文件无法读取"),
    "file-too-large": (E, "文件超出大小限制"),
    "unsafe-workbook": (E, "文件含有不安全内容"),
    "old-format": (E, "Excel 旧版格式"),
    "internal-error": (E, "程序处理此文件时出错"),
    # The workbook and its sheets.
    "empty-workbook": (E, "工作簿是空的"),
    "no-ledger": (E, "没有找到台账"),
    "sheet-skipped": (W, "工作表不是台账"),
    "sheet-too-large": (E, "工作表超出大小限制"),
    "sheet-not-data": (W, "宏表、图表等非数据工作表"),
    "hidden-sheet": (W, "隐藏的工作表"),
    "empty-ledger": (W, "台账没有数据"),
    "missing-column": (E, "缺少必填列"),
    "unknown-column": (W, "未识别的列"),
    "duplicate-column": (W, "重复的列"),
    "formula-no-value": (W, "公式没有计算结果"),
    "cell-error": (E, "单元格显示错误值"),
    # Cells and rows, all ledgers.
    "missing-value": (E, "必填项为空"),
    "invalid-date": (E, "日期无法识别"),
    "future-date": (E, "日期晚于检查日期"),
    "invalid-amount": (E, "金额无法识别"),
    "negative-amount": (E, "金额为负数"),
    "invalid-number": (E, "数字无法识别"),
    "unknown-value": (E, "不在规定选项内"),
    "invalid-value": (E, "内容无法识别"),
    "duplicate-id": (E, "序号重复"),
    "duplicate-row": (W, "重复的行"),
    "total-mismatch": (E, "合计与明细不符"),
}

#: Each kind's own codes, by kind, in the order the kinds were registered.
_DECLARED: dict[str, dict[str, tuple[Severity, str]]] = {}
#: Called once before the first look-up: the registry of kinds loads its built-in kinds,
#: which declare their codes (see ``taizhang.kinds.base``).
_BEFORE_FIRST_LOOKUP: list[Callable[[], None]] = []


def declare(owner: str, codes: Mapping[str, tuple[Severity, str]]) -> None:
    """A kind's own codes, replacing what it declared before; a code another kind (or every
    ledger) has must say the same there."""
    entries = {code: (Severity(severity), title) for code, (severity, title) in codes.items()}
    for code, entry in entries.items():
        for other, known in [("", COMMON_CODES), *_DECLARED.items()]:
            if other != owner and known.get(code, entry) != entry:
                raise ValueError(f"finding code {code!r} of {owner} is already {known[code]} in {other or 'findings'}")
    _DECLARED[owner] = entries


def withdraw(owner: str) -> None:
    """Forget a kind's own codes (the kind is unregistered)."""
    _DECLARED.pop(owner, None)


def before_first_lookup(load: Callable[[], None]) -> None:
    _BEFORE_FIRST_LOOKUP.append(load)


class _Catalogue(Mapping[str, tuple[Severity, str]]):
    """Every code: the common ones, then those of each registered kind."""

    def _codes(self) -> dict[str, tuple[Severity, str]]:
        while _BEFORE_FIRST_LOOKUP:
            _BEFORE_FIRST_LOOKUP.pop(0)()
        out = dict(COMMON_CODES)
        for codes in _DECLARED.values():
            out.update(codes)
        return out

    def __getitem__(self, code: str) -> tuple[Severity, str]:
        while _BEFORE_FIRST_LOOKUP:
            _BEFORE_FIRST_LOOKUP.pop(0)()
        found = COMMON_CODES.get(code)
        if found is None:
            found = next((codes[code] for codes in _DECLARED.values() if code in codes), None)
        if found is None:
            raise KeyError(code)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._codes())

    def __len__(self) -> int:
        return len(self._codes())


#: code -> (default severity, short Chinese title), of every code.
CATALOGUE: Mapping[str, tuple[Severity, str]] = _Catalogue()


def code_title(code: str) -> str:
    """The Chinese title of a finding code (the code itself when it is not catalogued)."""
    entry = CATALOGUE.get(code)
    return entry[1] if entry else code

#: Codes that mean the file could not be read at all.
REFUSAL_CODES = frozenset(
    {"file-not-found", "not-a-workbook", "corrupt-workbook", "encrypted-workbook",
     "unreadable-file", "file-too-large", "unsafe-workbook", "old-format", "internal-error"}
)


@dataclass(frozen=True, kw_only=True)
class Finding:
    """One thing wrong, at one place."""

    # A plain frozen record (no validation library on the way: a month's check makes
    # thousands, and every command starts faster without one).  Its JSON form is
    # :meth:`to_json`, published by ``taizhang schema`` (``taizhang.schemas.Finding``).

    severity: Severity
    code: str
    message: str
    sheet: str | None = None
    cell: str | None = None
    row: int | None = None
    column: str | None = None

    def __post_init__(self) -> None:
        if type(self.severity) is not Severity:  # "error" / "warning" as the JSON says them
            object.__setattr__(self, "severity", Severity(self.severity))

    @classmethod
    def make(
        cls,
        code: str,
        message: str,
        *,
        sheet: str | None = None,
        cell: str | None = None,
        row: int | None = None,
        column: str | None = None,
        severity: Severity | None = None,
    ) -> Finding:
        """A finding with the catalogue's severity for ``code`` unless one is given."""
        default, _title = CATALOGUE[code]
        return cls(
            severity=severity or default, code=code, message=message,
            sheet=sheet, cell=cell, row=row, column=column,
        )

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def to_json(self) -> dict[str, Any]:
        """The finding as ``taizhang check --json`` gives it (fields in this order)."""
        return {"severity": self.severity.value, "code": self.code, "message": self.message, "sheet": self.sheet,
                "cell": self.cell, "row": self.row, "column": self.column}


@dataclass(kw_only=True)
class Stats:
    """Counts of findings: the summary line of a report."""

    errors: int = 0
    warnings: int = 0
    by_code: dict[str, int] = field(default_factory=dict)
    by_sheet: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, findings: Iterable[Finding]) -> Stats:
        findings = list(findings)
        return cls(
            errors=sum(f.is_error for f in findings),
            warnings=sum(not f.is_error for f in findings),
            by_code=dict(Counter(f.code for f in findings)),
            by_sheet=dict(Counter(f.sheet for f in findings if f.sheet is not None)),
        )

    def to_json(self) -> dict[str, Any]:
        """The counts as ``taizhang check --json`` gives them."""
        return {"errors": self.errors, "warnings": self.warnings, "by_code": dict(self.by_code),
                "by_sheet": dict(self.by_sheet)}


def sort_key(finding: Finding) -> tuple:
    """Report order: by sheet, then row, then column position of the cell, then code."""
    cell = finding.cell or ""
    letters = "".join(ch for ch in cell if ch.isalpha())
    return (
        finding.sheet or "",
        finding.row or 0,
        (len(letters), letters),
        finding.code,
    )
