"""An XML entity declaration (a DOCTYPE, the start of the billion-laughs bomb and of external
entities) refuses the workbook wherever it is: the workbook part, a worksheet the reader would
parse, written in UTF-8 or UTF-16, and also in a package whose parts had to be put in order
before a reader could take it."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from conftest import write_xlsx
from taizhang.reading.source import WorkbookRefused, open_workbook

LEDGER = [["序号", "学校", "收费项目", "应退金额", "已退金额"], [1, "一中", "教辅材料", 100, 100]]
BOMB = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'


def _patched(src: Path, out: Path, part: str, transform, rename: dict[str, str] | None = None) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == part:
                data = transform(data)
            zout.writestr((rename or {}).get(item.filename, item.filename), data)
    return out


def _declared(data: bytes) -> bytes:
    start = data.index(b"<worksheet")
    return BOMB + data[start:]


def _utf16(data: bytes) -> bytes:
    text = _declared(data).decode("utf-8").replace('encoding="UTF-8"', "")
    return b"\xff\xfe" + text.encode("utf-16-le")


@pytest.mark.parametrize("transform", [_declared, _utf16], ids=["utf-8", "utf-16"])
def test_a_declaration_in_a_worksheet_is_refused(tmp_path, transform):
    base = write_xlsx(tmp_path / "base.xlsx", {"退费台账": LEDGER, "第二张": LEDGER})
    path = _patched(base, tmp_path / "bomb.xlsx", "xl/worksheets/sheet2.xml", transform)
    with pytest.raises(WorkbookRefused) as caught:
        open_workbook(path)
    assert caught.value.code == "unsafe-workbook"
    assert "xl/worksheets/sheet2.xml" in caught.value.reason and "实体声明" in caught.value.reason


def test_a_declaration_in_a_package_put_in_order_is_refused(tmp_path):
    """Backslashes in part names (a package some tools write): the package is rewritten in
    memory before it is read, and its worksheets are still looked at."""
    base = write_xlsx(tmp_path / "base.xlsx", {"退费台账": LEDGER})
    bad = _patched(base, tmp_path / "bomb.xlsx", "xl/worksheets/sheet1.xml", _declared,
                   rename={"xl/worksheets/sheet1.xml": "xl\\worksheets\\sheet1.xml"})
    with pytest.raises(WorkbookRefused) as caught:
        open_workbook(bad)
    assert caught.value.code == "unsafe-workbook"


def test_the_same_workbooks_without_declarations_are_read(tmp_path):
    base = write_xlsx(tmp_path / "base.xlsx", {"退费台账": LEDGER, "第二张": LEDGER})
    book = open_workbook(base)
    assert [s.name for s in book.sheets] == ["退费台账", "第二张"]
    assert book.sheets[1].rows[1][:3] == [1, "一中", "教辅材料"]
