"""A folder's taizhang outputs are known without ``zipfile`` for a plain zip (``reading.folder``
reads its directory directly): the answer must be ``zipfile``'s for every workbook, whatever
it holds, and the direct reading must be the one used for the workbooks staff send."""

from __future__ import annotations

import re
import struct
import zipfile
from pathlib import Path

import pytest

from taizhang.reading import folder
from taizhang.reading.folder import MARK_NAME, MASTER_SHEETS, is_own_output
from taizhang.reading.package import unescape

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus" / "public"
SAMPLES = ROOT / "workbooks" / "samples"


def by_zipfile(path: Path) -> bool:
    """``is_own_output`` as it was, with ``zipfile`` alone: the reference."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = {n.lower(): n for n in zf.namelist()}
            custom = names.get("docprops/custom.xml")
            if custom is not None:
                with zf.open(custom) as fh:
                    if f'name="{MARK_NAME}"'.encode() in fh.read(1 << 20):
                        return True
            book = names.get("xl/workbook.xml")
            if book is None:
                return False
            with zf.open(book) as fh:
                text = fh.read(1 << 20).decode("utf-8", "replace")
    except Exception:  # noqa: BLE001
        return False
    sheets = {unescape(m) for m in re.findall(r'<(?:\w+:)?sheet\b[^>]*?\bname="([^"]*)"', text)}
    return MASTER_SHEETS <= sheets


class CountingZipfile:
    """``zipfile`` as ``reading.folder`` sees it, noting the archives it is asked to open."""

    def __init__(self) -> None:
        self.opened: list[str] = []

    def __getattr__(self, name: str):
        return getattr(zipfile, name)

    def ZipFile(self, path, *args, **kwargs):  # noqa: N802 - zipfile's name
        self.opened.append(Path(path).name)
        return zipfile.ZipFile(path, *args, **kwargs)


@pytest.fixture
def seen(monkeypatch) -> CountingZipfile:
    counting = CountingZipfile()
    monkeypatch.setattr(folder, "zipfile", counting)
    return counting


def read_directly(path: Path, seen: CountingZipfile) -> bool:
    """Whether ``is_own_output`` read ``path`` without zipfile."""
    seen.opened.clear()
    is_own_output(path)
    return not seen.opened


MASTER_BOOK = '<workbook><sheets><sheet name="报送情况" sheetId="1"/><sheet name="问题清单" sheetId="2"/></sheets></workbook>'
MARK = f'<Properties><property name="{MARK_NAME}"><vt:lpwstr>x</vt:lpwstr></property></Properties>'


def make(path: Path, parts: dict[str, str | bytes], *, compression: int = zipfile.ZIP_DEFLATED, **kw) -> Path:
    with zipfile.ZipFile(path, "w", compression, **kw) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def crafted(tmp: Path) -> list[Path]:
    """Zips of every shape the direct reading must either read as zipfile does or leave to it."""
    out = [
        make(tmp / "master.xlsx", {"xl/workbook.xml": MASTER_BOOK}),
        make(tmp / "entities.xlsx", {"xl/workbook.xml": MASTER_BOOK.replace("报送情况", "&#25253;&#36865;&#24773;&#20917;")}),
        make(tmp / "marked.xlsx", {"docProps/custom.xml": MARK, "xl/workbook.xml": "<workbook/>"}),
        make(tmp / "MARKED-case.xlsx", {"DOCPROPS/Custom.XML": MARK}),
        make(tmp / "ledger.xlsx", {"xl/workbook.xml": "<workbook><sheets><sheet name='a'/></sheets></workbook>"}),
        make(tmp / "stored.xlsx", {"xl/workbook.xml": MASTER_BOOK}, compression=zipfile.ZIP_STORED),
        make(tmp / "bzip2.xlsx", {"xl/workbook.xml": MASTER_BOOK}, compression=zipfile.ZIP_BZIP2),
        make(tmp / "lzma.xlsx", {"docProps/custom.xml": MARK}, compression=zipfile.ZIP_LZMA),
        make(tmp / "no-book.xlsx", {"xl/other.xml": "x"}),
        make(tmp / "empty.xlsx", {}),
        make(tmp / "big.xlsx", {"xl/workbook.xml": MASTER_BOOK + " " * (2 << 20)}),
        make(tmp / "big-first.xlsx", {"xl/workbook.xml": " " * (2 << 20) + MASTER_BOOK}),
        make(tmp / "zip64.xlsx", {"xl/workbook.xml": MASTER_BOOK}, allowZip64=True),
        make(tmp / "nul.xlsx", {"xl/workbook.xml\0.txt": MASTER_BOOK}),
        make(tmp / "backslash.xlsx", {"xl\\workbook.xml": MASTER_BOOK}),
        make(tmp / "duplicate.xlsx", {"xl/workbook.xml": MASTER_BOOK, "XL/Workbook.xml": "<workbook/>"}),
    ]
    with zipfile.ZipFile(tmp / "zip64-forced.xlsx", "w") as zf:
        with zf.open("xl/workbook.xml", "w", force_zip64=True) as fh:
            fh.write(MASTER_BOOK.encode())
    out.append(tmp / "zip64-forced.xlsx")
    commented = make(tmp / "comment.xlsx", {"xl/workbook.xml": MASTER_BOOK})
    with zipfile.ZipFile(commented, "a") as zf:
        zf.comment = b"a comment"
    out.append(commented)
    data = make(tmp / "plain.bin", {"xl/workbook.xml": MASTER_BOOK}).read_bytes()
    (tmp / "prepended.xlsx").write_bytes(b"MZ" + b"\0" * 100 + data)
    (tmp / "truncated.xlsx").write_bytes(data[:-5])
    (tmp / "not-a-zip.xlsx").write_bytes(b"not a zip at all" * 10)
    (tmp / "tiny.xlsx").write_bytes(b"PK\x05\x06" + b"\0" * 18)
    out += [tmp / "prepended.xlsx", tmp / "truncated.xlsx", tmp / "not-a-zip.xlsx", tmp / "tiny.xlsx"]
    local = data.index(b"PK\x03\x04")
    start = local + 30 + len(b"xl/workbook.xml")
    for name, change in (("bad-crc", lambda b: b[:start + 2] + bytes([b[start + 2] ^ 0xFF]) + b[start + 3:]),
                         ("bad-local", lambda b: b[:local] + b"PK\x03\x05" + b[local + 4:]),
                         ("local-name", lambda b: b[:local + 30] + b"XL" + b[local + 32:]),
                         ("version", lambda b: _central(b, 6, struct.pack("<B", 64))),
                         ("encrypted", lambda b: _central(b, 8, struct.pack("<H", 1)))):
        (tmp / f"{name}.xlsx").write_bytes(change(data))
        out.append(tmp / f"{name}.xlsx")
    with zipfile.ZipFile(tmp / "extra.xlsx", "w") as zf:
        info = zipfile.ZipInfo("xl/workbook.xml")
        info.extra = struct.pack("<HH", 0xCAFE, 2) + b"ab"
        zf.writestr(info, MASTER_BOOK)
    out.append(tmp / "extra.xlsx")
    return out


def _central(data: bytes, at: int, value: bytes) -> bytes:
    i = data.rindex(b"PK\x01\x02") + at
    return data[:i] + value + data[i + len(value):]


def test_crafted_zips_are_answered_as_zipfile_answers(tmp_path, seen):
    for path in crafted(tmp_path):
        assert is_own_output(path) == by_zipfile(path), path.name
    assert is_own_output(tmp_path / "master.xlsx") and is_own_output(tmp_path / "marked.xlsx")
    for name in ("master", "entities", "marked", "ledger", "stored", "big", "big-first", "zip64", "duplicate"):
        assert read_directly(tmp_path / f"{name}.xlsx", seen), name
    for name in ("comment", "prepended", "bzip2", "extra", "bad-crc", "encrypted", "version", "local-name"):
        assert not read_directly(tmp_path / f"{name}.xlsx", seen), name


@pytest.mark.parametrize("folder_", [CORPUS, SAMPLES / "2026-10", SAMPLES], ids=lambda p: p.name)
def test_every_workbook_given_is_answered_as_zipfile_answers(folder_):
    books = sorted(p for p in folder_.iterdir() if p.is_file())
    assert books
    for path in books:
        assert is_own_output(path) == by_zipfile(path), path.name


def test_the_workbooks_staff_send_and_taizhang_writes_are_read_directly(tmp_path, seen):
    from taizhang.cli import main

    month = SAMPLES / "2026-10"
    assert all(read_directly(p, seen) for p in month.glob("*.xlsx"))
    out = tmp_path / "汇总.xlsx"
    assert main(["summary", str(month), "--as-of", "2026-10-31", "--period", "2026-10", "-o", str(out)]) in (0, 1)
    assert read_directly(out, seen) and is_own_output(out)


def test_a_part_larger_than_what_is_looked_at_is_not_read_whole(tmp_path, monkeypatch):
    """A workbook part of many megabytes (a hostile one, or a huge workbook.xml) is left to
    zipfile, which reads only its first MiB, rather than read whole into memory."""
    import os
    import zipfile

    from taizhang.reading import folder

    path = tmp_path / "大.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("xl/workbook.xml", b"<workbook>" + os.urandom(3 << 20) + b"</workbook>")
    read_sizes: list[int] = []
    real_open = open

    class Spy:
        def __init__(self, fh):
            self.fh = fh

        def read(self, n=-1):
            read_sizes.append(n)
            return self.fh.read(n)

        def __getattr__(self, name):
            return getattr(self.fh, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

    monkeypatch.setattr(folder, "open", lambda *a, **k: Spy(real_open(*a, **k)), raising=False)
    assert folder.is_own_output(path) is False
    assert max(read_sizes) <= (1 << 20) + (1 << 16)
