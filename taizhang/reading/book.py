"""The shared types of reading a workbook: a :class:`Sheet` as a plain grid, a
:class:`Workbook` of them, the :class:`Limits` a file may cost, the :class:`WorkbookRefused`
every refusal raises, the suffixes taken as workbooks, and Excel cell references."""

from __future__ import annotations

import logging
import re
from dataclasses import field
from pathlib import Path
from typing import Any

from taizhang.errors import TaizhangError
from taizhang.records import dataclass

#: Files taken as workbooks when a folder is read.  ``.et`` is WPS 表格's own format: the
#: same BIFF8 container as an Excel 97-2003 ``.xls``.
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm", ".xls", ".xlsb", ".ods", ".et")
#: Apple's iWork documents (a package folder, or a zip of one); Numbers exports Excel files.
IWORK_SUFFIXES = (".numbers",)
#: Files in a folder that look like a unit's table but are not workbooks we read: listed
#: with the reason (export it as .xlsx …) rather than silently passed over.
LOOKALIKE_SUFFIXES = (*IWORK_SUFFIXES, ".csv", ".xml", ".htm", ".html", ".mht", ".mhtml")
NUMBERS_ADVICE = ("这是苹果 Numbers 表格文件，不是 Excel 工作簿；请在 Numbers 中选择"
                  "“文件 › 导出为 › Excel…”，报送导出的 .xlsx 文件")
#: What a picture placed in a cell reads as (WPS ``=DISPIMG(…)``, Excel's "place in cell").
CELL_IMAGE = "[单元格图片]"

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OLD_FORMAT_ADVICE = ("这是 Excel 2.1–4.0 的旧版文件（1987–1992 年的格式），无法读取；"
                     "请用 Excel 另存为 .xlsx 后重新报送")
ENCRYPTED = "文件设置了打开密码（已加密），请报送单位取消密码后重新发送"
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


log = logging.getLogger("taizhang.reading")
logging.getLogger("taizhang").addHandler(logging.NullHandler())  # a library logs nowhere unless asked


class WorkbookRefused(TaizhangError):
    """The file cannot be read as a workbook at all: a stable ``code`` and a one-line
    ``reason`` in Chinese; ``detail`` is the reader's own words, for the log only."""

    def __init__(self, code: str, reason: str, detail: str | None = None) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.detail = detail
        if detail:
            log.info("%s [%s] %s", reason.split("：", 1)[0], code, detail)

    def __reduce__(self):  # keep code, reason and detail across processes
        return (type(self), (self.code, self.reason, self.detail))


def own_file_reason(reason: str) -> str:
    """A refusal's reason for a file of the office's own (the master, a backup of it, the
    roster) rather than a unit's submission: without the advice to have the unit send it again."""
    return re.sub(r"[，,；;]\s*请(?:让)?报送单位[^，；;）)]*", "", reason)


@dataclass(frozen=True)
class Limits:
    """Bounds that keep a hostile or broken file from exhausting the machine."""

    #: Size of the file on disk.
    max_file_bytes: int = 200 * 1024 * 1024
    #: Size of all the parts of a zipped workbook once unpacked (decompression bombs).
    max_unzipped_bytes: int = 1024 * 1024 * 1024
    #: Unpacked/packed ratio above which a large part is taken as a bomb.
    max_ratio: int = 200
    #: A sheet with more rows than this, or more cells (rows x columns), is not read.
    max_rows: int = 200_000
    max_cells: int = 10_000_000
    #: Columns beyond this are ignored (a ledger has about twenty).
    max_columns: int = 200

    @classmethod
    def from_settings(cls, settings: dict) -> Limits:
        """Limits from the ``[limits]`` table of an office configuration (sizes in MB)."""
        mb = 1024 * 1024
        base = cls()
        return cls(
            max_file_bytes=int(settings.get("max_file_mb", base.max_file_bytes // mb)) * mb,
            max_unzipped_bytes=int(settings.get("max_unzipped_mb", base.max_unzipped_bytes // mb)) * mb,
            max_ratio=int(settings.get("max_ratio", base.max_ratio)),
            max_rows=int(settings.get("max_rows", base.max_rows)),
            max_cells=int(settings.get("max_cells", base.max_cells)),
            max_columns=int(settings.get("max_columns", base.max_columns)),
        )

    def as_settings(self) -> dict[str, int]:
        """These limits as a ``[limits]`` table would give them (sizes in MB)."""
        mb = 1024 * 1024
        return {"max_file_mb": self.max_file_bytes // mb, "max_unzipped_mb": self.max_unzipped_bytes // mb,
                "max_ratio": self.max_ratio, "max_rows": self.max_rows, "max_cells": self.max_cells,
                "max_columns": self.max_columns}


@dataclass
class Sheet:
    """One worksheet as a grid of values anchored at A1 (row 0 is Excel row 1)."""

    name: str
    visible: bool
    rows: list[list[Any]]
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    #: Cells (0-based row, col) holding a formula with no cached result.
    formulas_without_value: set[tuple[int, int]] = field(default_factory=set)
    #: Cells (0-based row, col) showing an error value such as ``#REF!``, which readers
    #: hand over as empty cells: the error text, so that the checker can name it.
    cell_errors: dict[tuple[int, int], str] = field(default_factory=dict)
    #: Set when the sheet exceeds the limits and was not read: the reason.
    too_large: str | None = None
    #: Set for a sheet that holds no data to read (a chart sheet, an Excel 4.0 macro sheet):
    #: what it is, said to the clerk; ``rows`` is then empty.
    note: str | None = None

    def value(self, row: int, col: int) -> Any:
        if row < len(self.rows) and col < len(self.rows[row]):
            return self.rows[row][col]
        return None


@dataclass
class Workbook:
    """A workbook file as a reader handed it over: its format and its sheets."""

    path: Path
    format: str
    sheets: list[Sheet]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def column_letter(index: int) -> str:
    """0-based column index -> Excel letters (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_ref(row0: int, col0: int) -> str:
    """0-based (row, col) -> an Excel reference such as ``H12``."""
    return f"{column_letter(col0)}{row0 + 1}"
