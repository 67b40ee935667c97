"""Shared fixtures: build real workbooks on disk (openpyxl, xlwt, odf) to read back."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Iterable

import openpyxl
import pytest

from taizhang.config import default_config

AS_OF = date(2026, 10, 31)

Rows = Iterable[Iterable[Any]]


class Text(str):
    """A cell value written as text even when it starts with ``=`` (as from a CSV import)."""


def write_xlsx(path: Path, sheets: dict[str, Rows], *, hidden: Iterable[str] = (),
               merged: dict[str, list[str]] | None = None) -> Path:
    """Write ``sheets`` (name -> rows, row 1 first) as an .xlsx with openpyxl."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            row = list(row)
            ws.append(row)
            for value, cell in zip(row, ws[ws.max_row]):
                if isinstance(value, Text):
                    cell.data_type = "s"
        for rng in (merged or {}).get(name, []):
            ws.merge_cells(rng)
        if name in hidden:
            ws.sheet_state = "hidden"
    wb.save(path)
    return path


def write_xls(path: Path, sheets: dict[str, Rows]) -> Path:
    """Write ``sheets`` as a legacy .xls with xlwt (dates as real Excel dates)."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for name, rows in sheets.items():
        ws = book.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, date):
                    ws.write(r, c, value, date_style)
                else:
                    ws.write(r, c, value)
    book.save(str(path))
    return path


def write_ods(path: Path, sheets: dict[str, Rows]) -> Path:
    """Write ``sheets`` as an OpenDocument spreadsheet with pandas' odf engine."""
    import pandas as pd

    with pd.ExcelWriter(path, engine="odf") as writer:
        for name, rows in sheets.items():
            grid = [list(r) for r in rows]
            width = max((len(r) for r in grid), default=0)
            grid = [r + [None] * (width - len(r)) for r in grid]
            pd.DataFrame(grid, dtype=object).to_excel(writer, sheet_name=name, header=False, index=False)
    return path


@pytest.fixture(scope="session")
def config():
    """The shipped defaults, whatever the developer's machine has configured."""
    return default_config()


@pytest.fixture(autouse=True)
def _no_office_config(monkeypatch, tmp_path_factory):
    """Tests use the shipped defaults, whatever the developer's machine has configured."""
    monkeypatch.delenv("TAIZHANG_CONFIG", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path_factory.getbasetemp()))
    monkeypatch.delenv("APPDATA", raising=False)


@pytest.fixture(autouse=True, scope="session")
def _addin_log_in_a_temporary_folder(tmp_path_factory):
    """The add-in's log (addin.logs) goes to a temporary folder, never the user's profile."""
    import os

    old = os.environ.get("TAIZHANG_LOG_DIR")
    os.environ["TAIZHANG_LOG_DIR"] = str(tmp_path_factory.mktemp("taizhang-logs"))
    yield
    if old is None:
        os.environ.pop("TAIZHANG_LOG_DIR", None)
    else:
        os.environ["TAIZHANG_LOG_DIR"] = old
