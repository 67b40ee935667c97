"""Fakes of Excel for the tests: xlwings' own classes through ``create_autospec`` (a call
xlwings does not have fails), and a small stand-in for the COM objects behind ``.api``
(AddIns, FileDialog) that xlwings does not describe."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import xlwings as xw


class FakeAddIn:
    def __init__(self, path: str) -> None:
        self.FullName = path
        self.Name = Path(path.replace("\\", "/")).name
        self.Installed = False
        self.history: list[bool] = []

    def __setattr__(self, name, value):
        if name == "Installed" and "history" in self.__dict__:
            self.history.append(value)
        super().__setattr__(name, value)


class FakeAddIns:
    """Excel's AddIns collection: ``Add`` raises 1004 when no workbook is open, as Excel does."""

    def __init__(self, app: "FakeExcel") -> None:
        self._app = app
        self.items: list[FakeAddIn] = []
        self.added: list[str] = []
        self.fail_with: Exception | None = None

    @property
    def Count(self) -> int:
        return len(self.items)

    def __call__(self, index: int) -> FakeAddIn:
        return self.items[index - 1]

    def Add(self, filename: str, copy_file: bool = False) -> FakeAddIn:
        if self.fail_with is not None:
            raise self.fail_with
        if len(self._app.open_books) == 0:
            raise RuntimeError(-2146827284, "Exception occurred.", (0, "Microsoft Excel", "Add method of AddIns class failed", None, 0, -2146827284), None)
        self.added.append(filename)
        item = FakeAddIn(filename)
        self.items.append(item)
        return item


class FakeExcel:
    """An autospec'd ``xlwings.App`` whose books are autospec'd ``Book`` objects."""

    def __init__(self, books: int = 0) -> None:
        self.open_books: list = []
        self.app = mock.create_autospec(xw.App, instance=True)
        self.app.books = mock.create_autospec(xw.main.Books, instance=True)
        self.app.books.__len__.side_effect = lambda: len(self.open_books)
        self.app.books.add.side_effect = self._add
        self.api = mock.NonCallableMagicMock(name="Application COM")
        self.addins = FakeAddIns(self)
        self.api.AddIns = self.addins
        self.app.api = self.api
        self.added_books = 0
        for _ in range(books):
            self._add()

    def _add(self):
        book = mock.create_autospec(xw.Book, instance=True)
        book.close.side_effect = lambda: self.open_books.remove(book)
        self.open_books.append(book)
        self.added_books += 1
        return book


class FakeWorkbookInExcel:
    """A workbook file open in a faked Excel: ``xlwings.Book``, ``Sheets``, ``Sheet`` and ``Range``
    autospec'd, the values those return read from the real file (openpyxl), and ``closed``
    tracking whether Excel still holds the file."""

    def __init__(self, excel: FakeExcel, path: Path, *, saved: bool = True) -> None:
        import openpyxl

        self.excel, self.path = excel, Path(path)
        self.closed = False
        self.writes: dict[str, object] = {}
        wb = openpyxl.load_workbook(self.path, data_only=True)
        self.data = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
        self.states = {ws.title: ws.sheet_state for ws in wb.worksheets}
        book = self.book = mock.create_autospec(xw.Book, instance=True)
        book.fullname = str(self.path)
        book.name = self.path.name
        book.app = excel.app
        book.api = mock.NonCallableMagicMock(name="Workbook COM")
        book.api.Saved = saved
        book.close.side_effect = self._close
        sheets = book.sheets = mock.create_autospec(xw.main.Sheets, instance=True)
        self._sheets = {name: self._sheet(name) for name in self.data}
        sheets.__iter__.side_effect = lambda: iter(list(self._sheets.values()))
        sheets.__getitem__.side_effect = self._get
        sheets.add.side_effect = self._add

    def _close(self):
        if self.closed:
            raise RuntimeError("closed twice")
        self.closed = True

    def _get(self, key):
        if self.closed:
            raise RuntimeError("the book was closed")
        if isinstance(key, int):
            return list(self._sheets.values())[key]
        return self._sheets[key]

    def _add(self, name=None, before=None, after=None):
        self.data[name] = []
        self.states[name] = "visible"
        sheet = self._sheets[name] = self._sheet(name)
        return sheet

    def _sheet(self, name):
        sheet = mock.create_autospec(xw.Sheet, instance=True)
        sheet.name = name
        sheet.visible = self.states[name] == "visible"
        rows = self.data[name]
        used = mock.create_autospec(xw.Range, instance=True)
        last = mock.create_autospec(xw.Range, instance=True)
        last.row = max(len(rows), 1)
        last.column = max((len(r) for r in rows), default=1)
        used.last_cell = last
        sheet.used_range = used

        def range_(*args):
            rng = mock.create_autospec(xw.Range, instance=True)
            if len(args) == 2:  # ((1, 1), (row, col)): the block read by values()
                (r1, c1), (r2, c2) = args
                block = [(list(r) + [None] * c2)[c1 - 1:c2] for r in self.data[name][r1 - 1:r2]]
                viewed = mock.create_autospec(xw.Range, instance=True)
                viewed.value = block
                rng.options.return_value = viewed
            self.writes.setdefault(name, [])
            self.writes[name].append(rng)
            return rng

        sheet.range.side_effect = range_
        return sheet
