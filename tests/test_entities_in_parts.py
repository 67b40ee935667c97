"""An XML entity declaration (a DOCTYPE, the start of the billion-laughs bomb and of external
entities) refuses the workbook wherever it is: the workbook part, a worksheet the reader would
parse, written in UTF-8 or UTF-16, and also in a package whose parts had to be put in order
before a reader could take it."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from fixtures import write_xlsx
from taizhang.reading.book import WorkbookRefused
from taizhang.reading.source import open_workbook

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


def _prefixed(data: bytes) -> bytes:
    """The part with a DOCTYPE before its own content (after its XML declaration, if any)."""
    if data.startswith(b"<?xml"):
        end = data.index(b"?>") + 2
        return data[:end] + BOMB[len(b'<?xml version="1.0"?>'):] + data[end:]
    return BOMB + data


@pytest.mark.parametrize("part", ["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml",
                                  "xl/_rels/workbook.xml.rels", "xl/styles.xml", "docProps/core.xml"])
def test_a_declaration_in_a_part_the_earlier_checks_read_is_refused(tmp_path, part):
    """The package relationships and content types (read to find the workbook) and the workbook
    part and its relationships (read to list the sheets) are unpacked once and kept for the
    checks that follow: the entity check looks at what was kept as at any other part."""
    base = write_xlsx(tmp_path / "base.xlsx", {"退费台账": LEDGER})
    path = _patched(base, tmp_path / "bomb.xlsx", part, _prefixed)
    with pytest.raises(WorkbookRefused) as caught:
        open_workbook(path)
    assert caught.value.code == "unsafe-workbook"
    assert f"“{part}”" in caught.value.reason


def test_a_declaration_in_a_part_shadowed_by_another_of_its_name_is_refused(tmp_path):
    """Two entries named ``_rels/.rels``: the name opens the last one (read to find the
    workbook and kept); the first, which holds the declaration, is still looked at itself."""
    import warnings

    base = write_xlsx(tmp_path / "base.xlsx", {"退费台账": LEDGER})
    path = tmp_path / "twice.xlsx"
    with zipfile.ZipFile(base) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout, \
            warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate name
        rels = zin.read("_rels/.rels")
        zout.writestr("_rels/.rels", _prefixed(rels))
        for item in zin.infolist():
            zout.writestr(item, zin.read(item.filename))
    with zipfile.ZipFile(path) as zf:
        assert [i.filename for i in zf.infolist()].count("_rels/.rels") == 2
    with pytest.raises(WorkbookRefused) as caught:
        open_workbook(path)
    assert caught.value.code == "unsafe-workbook" and "“_rels/.rels”" in caught.value.reason


@pytest.mark.parametrize("offset", [-9, -2, -1, 0, 1])
def test_a_declaration_across_the_chunks_of_a_large_part_is_refused(tmp_path, offset):
    """A part larger than the chunk the entity check reads at a time, with ``<!DOCTYPE``
    placed about the chunk's end (``<!`` closing the first chunk, say)."""
    from taizhang.reading.package import CHUNK

    base = write_xlsx(tmp_path / "base.xlsx", {"退费台账": LEDGER})
    start = CHUNK - 2 + offset  # where "<!" starts
    big = b"<items>" + b" " * (start - len(b"<items>")) + b"<!DOCTYPE x []>" + b" " * 200 + b"</items>"
    assert big.index(b"<!") == start
    path = tmp_path / "large.xlsx"
    with zipfile.ZipFile(base) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item, zin.read(item.filename))
        zout.writestr("customXml/item1.xml", big)
    with pytest.raises(WorkbookRefused) as caught:
        open_workbook(path)
    assert caught.value.code == "unsafe-workbook" and "customXml/item1.xml" in caught.value.reason


def test_a_utf16_declaration_in_a_part_other_than_a_worksheet_is_refused(tmp_path):
    base = write_xlsx(tmp_path / "base.xlsx", {"退费台账": LEDGER})

    def utf16(data: bytes) -> bytes:
        text = _prefixed(data).decode("utf-8").replace('encoding="UTF-8"', "")
        return b"\xff\xfe" + text.encode("utf-16-le")

    path = _patched(base, tmp_path / "bomb.xlsx", "xl/styles.xml", utf16)
    with pytest.raises(WorkbookRefused) as caught:
        open_workbook(path)
    assert caught.value.code == "unsafe-workbook" and "xl/styles.xml" in caught.value.reason
