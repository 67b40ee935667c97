"""Which files of a folder are read as units' workbooks: workbooks and their look-alikes
(refused with a reason), never lock files, hidden files nor taizhang's own outputs (known by
the mark inside them)."""

from __future__ import annotations

import os
import re
import struct
import zipfile
import zlib
from pathlib import Path
from typing import BinaryIO, Callable

from taizhang.reading.book import IWORK_SUFFIXES, LOOKALIKE_SUFFIXES, WORKBOOK_SUFFIXES
from taizhang.reading.package import unescape

#: The custom document property (``docProps/custom.xml``) every workbook taizhang writes
#: carries: Excel, WPS and LibreOffice keep it when the file is re-saved, so that an output,
#: a master or a backup of one, lying in a folder of ledgers, is never read as a ledger.
MARK_NAME = "taizhang"
MARK_VALUE = "taizhang 生成的汇总表或主表，不是报送的台账"
#: Sheets only a consolidated master has (a master written before the mark existed).
MASTER_SHEETS = frozenset({"报送情况", "问题清单"})

_CUSTOM_PART = "docProps/custom.xml"


def _has_mark_part(data: bytes) -> bool:
    return f'name="{MARK_NAME}"'.encode() in data


#: How much of a part is looked at (its first MiB).
_PART_LIMIT = 1 << 20
_BOOK_PART = "xl/workbook.xml"


def is_own_output(path: Path) -> bool:
    """Whether ``path`` is a workbook taizhang wrote (its mark, or the sheets only a master
    has); never raises."""
    try:
        marked, book = _mark_and_book(path)
    except Exception:  # noqa: BLE001 - not a zip, damaged, unreadable: not ours
        return False
    if marked:
        return True
    if book is None:
        return False
    text = book.decode("utf-8", "replace")
    sheets = {unescape(m) for m in re.findall(r'<(?:\w+:)?sheet\b[^>]*?\bname="([^"]*)"', text)}
    return MASTER_SHEETS <= sheets


def _mark_and_book(path: Path) -> tuple[bool, bytes | None]:
    """(whether the custom properties carry the mark, else the workbook part if any).  A
    folder's every workbook is looked at before any is read, in this process alone: a plain
    zip is read from its directory directly, what ``zipfile`` would give in a third of the
    time; any other, or anything unexpected in it, by ``zipfile`` itself."""
    try:
        with open(path, "rb") as fh:
            members = _plain_zip_members(fh, (_CUSTOM_PART.lower(), _BOOK_PART))
            return _decide(lambda name: _plain_member(fh, *members[name]) if name in members else None)
    except _NotPlain:
        pass
    with zipfile.ZipFile(path) as zf:
        names = {n.lower(): n for n in zf.namelist()}

        def read(name: str) -> bytes | None:
            if name not in names:
                return None
            with zf.open(names[name]) as part:
                return part.read(_PART_LIMIT)

        return _decide(read)


def _decide(read: Callable[[str], bytes | None]) -> tuple[bool, bytes | None]:
    """What :func:`_mark_and_book` says, each part got by ``read`` (None: the zip has none)."""
    custom = read(_CUSTOM_PART.lower())
    if custom is not None and _has_mark_part(custom):
        return True, None  # the workbook part is not read
    return False, read(_BOOK_PART)


# -- a plain zip's directory and parts read directly ------------------------------------------
# Only what a workbook saved by Excel, WPS, LibreOffice or openpyxl is: no archive comment, no
# data before the zip, no ZIP64, no extra fields, parts stored or deflated, unencrypted, each
# ending where the next begins.  Anything else raises _NotPlain and zipfile reads the file.
_END = struct.Struct("<4s4H2LH")  # end of central directory record
_ENTRY = struct.Struct("<4s4B4H3L5H2L")  # central directory file header
_LOCAL = struct.Struct("<4s5H3L2H")  # local file header


class _NotPlain(Exception):
    """The zip is not one :func:`_plain_zip_members` reads: ``zipfile`` reads it."""


def _plain_zip_members(fh: BinaryIO, wanted: tuple[str, ...]) -> dict[str, tuple]:
    """The entries named ``wanted`` (lower case; the last of a name, as ``zipfile`` takes it)
    of the zip open in ``fh``, as :func:`_plain_member`'s arguments."""
    size = fh.seek(0, os.SEEK_END)
    if size < _END.size + 20:
        raise _NotPlain
    fh.seek(size - _END.size - 20)
    tail = fh.read(_END.size + 20)
    signature, disk, start_disk, here, count, length, offset, comment = _END.unpack(tail[20:])
    if (signature != b"PK\x05\x06" or comment or disk or start_disk or here != count
            or offset + length != size - _END.size or tail[:4] == b"PK\x06\x07"):  # a ZIP64 locator
        raise _NotPlain
    fh.seek(offset)
    directory = fh.read(length)
    entries = []
    pos = 0
    while pos < length:
        if length - pos < _ENTRY.size:
            raise _NotPlain
        (signature, _made, _system, needs, _reserved, flags, method, _time, _date, crc, packed, unpacked,
         name_length, extra_length, comment_length, _disk, _internal, _external, local) = _ENTRY.unpack_from(directory, pos)
        stored = directory[pos + _ENTRY.size:pos + _ENTRY.size + name_length]
        pos += _ENTRY.size + name_length + extra_length + comment_length
        if signature != b"PK\x01\x02" or needs > 63 or extra_length or len(stored) != name_length:
            raise _NotPlain
        try:  # as zipfile decodes it (an ASCII name alike in all three, and quicker so)
            name = stored.decode("ascii" if stored.isascii() else "utf-8" if flags & 0x800 else "cp437")
        except UnicodeDecodeError:
            raise _NotPlain from None
        entries.append((name, flags, method, crc, packed, unpacked, local))
    starts = sorted(e[-1] for e in entries)
    if pos != length or len(set(starts)) != len(starts) or (starts and starts[-1] >= offset):
        raise _NotPlain
    found = {}
    for name, flags, method, crc, packed, unpacked, local in entries:
        # the name as zipfile lists it: up to a NUL, this system's separator read as /
        key = name.split("\0", 1)[0].replace(os.sep, "/").lower()
        if key in wanted:
            if flags & 0x61 or method not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise _NotPlain  # encrypted, patched, or packed another way
            end = next((s for s in starts if s > local), offset)  # where the next part begins
            found[key] = (name, crc, packed, unpacked, local, end, method)
    return found


def _plain_member(fh: BinaryIO, name: str, crc: int, packed: int, unpacked: int, local: int, end: int,
                  method: int) -> bytes:
    """The first :data:`_PART_LIMIT` bytes of a part found by :func:`_plain_zip_members`."""
    fh.seek(local)
    header = fh.read(_LOCAL.size)
    if len(header) != _LOCAL.size:
        raise _NotPlain
    signature, _needs, flags, *_rest, name_length, extra_length = _LOCAL.unpack(header)
    stored = fh.read(name_length)
    try:
        same = stored.decode("ascii" if stored.isascii() else "utf-8" if flags & 0x800 else "cp437") == name
    except UnicodeDecodeError:
        same = False
    if signature != b"PK\x03\x04" or not same or local + _LOCAL.size + name_length + extra_length + packed > end:
        raise _NotPlain
    if packed > _PART_LIMIT + (1 << 16):  # more than its first MiB can take (zipfile streams it)
        raise _NotPlain
    fh.seek(extra_length, os.SEEK_CUR)
    data = fh.read(packed)
    try:
        text = zlib.decompressobj(-15).decompress(data, _PART_LIMIT) if method == zipfile.ZIP_DEFLATED else data
    except zlib.error:
        raise _NotPlain from None
    if unpacked > _PART_LIMIT:
        if len(text) < _PART_LIMIT:
            raise _NotPlain
        return text[:_PART_LIMIT]
    if len(data) != packed or len(text) != unpacked or zlib.crc32(text) != crc:
        raise _NotPlain
    return text


def in_folder(child: Path) -> bool:
    """Whether a folder's entry is read as a unit's workbook (or refused with a reason):
    workbooks and their look-alikes, but not Office lock files (``~$…``), hidden files
    (LibreOffice's ``.~lock.…#``, taizhang's temporary files) nor taizhang's own outputs,
    masters and their backups, known by the mark inside them."""
    if not _candidate(child):
        return False
    return not (child.suffix.lower() in (".xlsx", ".xlsm") and is_own_output(child))


def _candidate(child: Path) -> bool:
    if child.name.startswith(("~$", ".")):
        return False
    suffix = child.suffix.lower()
    if suffix in IWORK_SUFFIXES:
        return True  # a Numbers package is a folder
    return (child.is_file() or child.is_symlink()) and suffix in (*WORKBOOK_SUFFIXES, *LOOKALIKE_SUFFIXES)


def link_out_of(child: Path, folder: Path) -> Path | None:
    """The target of ``child``, a folder's entry, when it is a link leading out of ``folder``
    (never followed when the folder is listed: a link in an allowed folder of the local
    service must not read a file elsewhere); None otherwise."""
    if not child.is_symlink():
        return None
    try:
        target, root = child.resolve(), folder.resolve()
    except (OSError, RuntimeError):  # a loop of links
        return child
    return None if root in target.parents else target


def skip_reason(path: Path) -> str:
    """Why :func:`expand_paths` left ``path`` out (Chinese, for the clerk)."""
    target = link_out_of(path, path.parent)
    if target is not None:
        return f"这是指向文件夹之外（{target}）的链接，未读取"
    return "这是 taizhang 生成的汇总表、主表或其备份，不是台账"


def _folder_entries(folder: Path, recursive: bool) -> list[Path]:
    """A folder's entries in name order; with ``recursive`` its sub-folders' too, except what
    lies in hidden folders or inside a Numbers package (itself an entry)."""
    if not recursive:
        return sorted(folder.iterdir())
    out = []
    for child in sorted(folder.rglob("*")):
        inner = child.relative_to(folder).parts[:-1]
        if not any(part.startswith(".") or part.lower().endswith(IWORK_SUFFIXES) for part in inner):
            out.append(child)
    return out


def expand_paths(paths: list[str | os.PathLike], skipped: list[Path] | None = None, *,
                 recursive: bool = False) -> list[Path]:
    """Files to read: each file as given, each folder's workbooks (its sub-folders' too with
    ``recursive``).  A folder's outputs of taizhang, and links leading out of the folder, are
    left out, and listed in ``skipped`` when given (:func:`skip_reason` says why)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir() and p.suffix.lower() not in IWORK_SUFFIXES:
            for child in _folder_entries(p, recursive):
                if link_out_of(child, p) is not None:
                    if skipped is not None and (_candidate(child) or child.suffix.lower() in IWORK_SUFFIXES):
                        skipped.append(child)
                elif in_folder(child):
                    out.append(child)
                elif skipped is not None and _candidate(child):
                    skipped.append(child)
        else:
            out.append(p)
    return out


NO_WORKBOOKS = "没有找到工作簿文件（支持 .xlsx .xlsm .xls .xlsb .ods .et）"


def no_workbooks(paths: list[str | os.PathLike], *, recursive: bool = False) -> str:
    """What to say when ``paths`` hold no workbook: that, and where sub-folders hold some, how
    many and the option that reads them."""
    if recursive:
        return NO_WORKBOOKS
    below = [f for f in expand_paths([p for p in paths if Path(p).is_dir()], recursive=True)
             if f.parent not in {Path(p) for p in paths}]
    if not below:
        return NO_WORKBOOKS
    folders = sorted({str(f.parent) for f in below})
    shown = "、".join(folders[:3]) + (f" 等 {len(folders)} 个文件夹" if len(folders) > 3 else "")
    return (f"{NO_WORKBOOKS}；子文件夹中有 {len(below)} 个工作簿（{shown}），"
            f"要一并读取子文件夹，请加 --recursive")
