"""The checks before the reader (format, zip bomb, entity declarations, layout, extent) share
one open package: each part is unpacked by them at most once, and the package is closed
whatever the outcome."""

from __future__ import annotations

import zipfile
from collections import Counter
from pathlib import Path

import pytest

from fixtures import write_xlsx
from taizhang.reading import extent
from taizhang.reading.book import Limits, WorkbookRefused
from taizhang.reading.source import open_workbook

LEDGER = [["序号", "学校", "收费项目", "应退金额", "已退金额"], [1, "一中", "教辅材料", 100, 100]]


def test_each_part_is_unpacked_once_before_the_reader(tmp_path, monkeypatch):
    path = write_xlsx(tmp_path / "book.xlsx", {"退费台账": LEDGER, "第二张": LEDGER})
    opened: Counter[str] = Counter()
    real_open = zipfile.ZipFile.open

    def counting_open(self, name, *args, **kwargs):
        opened[name.filename if isinstance(name, zipfile.ZipInfo) else name] += 1
        return real_open(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", counting_open)
    parsed: list[bytes] = []
    real_parse = extent.parse_xml

    def counting_parse(text, *args, **kwargs):
        parsed.append(text)
        return real_parse(text, *args, **kwargs)

    monkeypatch.setattr(extent, "parse_xml", counting_parse)
    book = open_workbook(path)
    assert [s.name for s in book.sheets] == ["退费台账", "第二张"]
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
    assert {"_rels/.rels", "[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
            "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"} <= set(opened)
    assert set(opened) <= set(names)
    assert max(opened.values()) == 1, opened
    assert len(parsed) == 2  # the workbook part and its relationships, parsed once to list the sheets


def _ledger(folder: Path) -> Path:
    return write_xlsx(folder / "book.xlsx", {"退费台账": LEDGER})


def _word(folder: Path) -> Path:
    path = folder / "doc.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("word/document.xml", "<w:document/>")
    return path


@pytest.mark.parametrize("make, limits, code", [
    (_ledger, Limits(), None),
    (_ledger, Limits(max_file_bytes=10), "file-too-large"),
    (_ledger, Limits(max_unzipped_bytes=100), "file-too-large"),
    (_word, Limits(), "not-a-workbook"),
], ids=["read", "file-too-large", "unpacked-too-large", "word"])
def test_the_package_is_closed_whatever_the_outcome(tmp_path, monkeypatch, make, limits, code):
    path = make(tmp_path)
    made: list[zipfile.ZipFile] = []
    real_init = zipfile.ZipFile.__init__

    def recording_init(self, *args, **kwargs):
        made.append(self)
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "__init__", recording_init)
    try:
        open_workbook(path, limits)
        outcome = None
    except WorkbookRefused as exc:
        outcome = exc.code
    assert outcome == code
    assert made and all(zf.fp is None for zf in made)  # closed (ZipFile.close lets go of its file)
