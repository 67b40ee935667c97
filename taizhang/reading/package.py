"""The zip package of an OOXML workbook (.xlsx .xlsm .xltx .xltm .xlsb) as Excel sees it.

Excel finds the workbook part through the package relationships (``_rels/.rels``), takes part
names case-insensitively and, like many writers, tolerates backslashes in them; readers such
as calamine only look for ``xl/workbook.xml`` by its exact name.  :func:`normalize` rewrites,
in memory, a package that differs from the usual layout into one a reader can open, and takes
out the sheets that hold no data (Excel 4.0 macro sheets, dialog sheets), naming them so that
the clerk is told.  :func:`entity_declaration` finds an XML entity declaration in any part
before a parser sees it.
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
from typing import Collection
from dataclasses import field

from taizhang.records import dataclass
from taizhang.values import LazyPattern

OFFICE_DOCUMENT = "/officedocument"
#: Relationship types (their last segment) of sheets with no cells to read.
NON_DATA_SHEETS = {"xlmacrosheet": "Excel 4.0 宏表", "xlintlmacrosheet": "Excel 4.0 宏表",
                   "dialogsheet": "对话框工作表"}
CHUNK = 1 << 20
MISSING_SHEET = "文件中没有内容的工作表"


@dataclass
class Package:
    """Where the workbook part is, and what :func:`normalize` changed."""

    workbook: str  # the workbook part's name, as in the zip
    fixed: io.BytesIO | None = None  # the rewritten package, when one was needed
    #: (sheet name, what it is) of sheets taken out because they hold no data
    skipped: list[tuple[str, str]] = field(default_factory=list)


def _norm(name: str) -> str:
    return name.replace("\\", "/").lstrip("/")


#: Parts up to this size, once unpacked whole, are kept for the checks that come after.
KEEP = CHUNK


class Parts:
    """An open zip package and the small parts already unpacked from it.

    The checks before a reader (the format, the entity declarations, the layout, the extent)
    all look at ``_rels/.rels``, ``[Content_Types].xml``, the workbook part and its
    relationships: sharing them, each is decompressed once, and what is found out from them
    (the workbook part, the sheets' parts) is kept in :attr:`memo`.
    """

    def __init__(self, zf: zipfile.ZipFile) -> None:
        self.zf = zf
        self.infos = zf.infolist()
        self.names = zf.namelist()
        self.by_key = {_norm(n).lower(): n for n in self.names}
        self.memo: dict[str, object] = {}
        self._whole: dict[str, bytes] = {}

    def read(self, name: str, limit: int | None = None) -> bytes:
        """What ``zf.open(name).read(limit)`` gives (the whole part when ``limit`` is None)."""
        data = self._whole.get(name)
        if data is None:
            with self.zf.open(name) as fh:
                data = fh.read(-1 if limit is None else limit)
            if limit is None or len(data) < limit:  # read to its end
                self.keep(self.zf.getinfo(name), data)
            return data
        return data if limit is None or len(data) <= limit else data[:limit]

    def keep(self, info: zipfile.ZipInfo, data: bytes) -> None:
        """Keep a part read whole (when small, and the one its name stands for in the zip)."""
        if len(data) <= KEEP and self._named(info):
            self._whole[info.filename] = data

    def whole(self, info: zipfile.ZipInfo) -> bytes | None:
        """The part as already read whole, or None."""
        data = self._whole.get(info.filename)
        return data if data is not None and self._named(info) else None

    def _named(self, info: zipfile.ZipInfo) -> bool:
        """Whether ``info`` is the entry its name opens (of two entries with one name, the last)."""
        try:
            return self.zf.getinfo(info.filename) is info
        except KeyError:
            return False

    def close(self) -> None:
        self.zf.close()


def parts_of(zf: zipfile.ZipFile | Parts) -> Parts:
    return zf if isinstance(zf, Parts) else Parts(zf)


def find_workbook(zf: zipfile.ZipFile | Parts) -> str | None:
    """The workbook part's name in the zip (as stored), found as Excel does: the package
    relationship of type officeDocument, else the usual names."""
    parts = parts_of(zf)
    if "workbook" not in parts.memo:
        parts.memo["workbook"] = _find_workbook(parts)
    return parts.memo["workbook"]  # type: ignore[return-value]


def _find_workbook(parts: Parts) -> str | None:
    by_key = parts.by_key
    rels = by_key.get("_rels/.rels")
    if rels is not None:
        for rel_type, target in _relationships(_read_small(parts, rels)):
            if rel_type.lower().endswith(OFFICE_DOCUMENT):
                name = by_key.get(posixpath.normpath(_norm(target)).lower())
                if name is not None and _is_workbook_part(parts, by_key, name):
                    return name
    for usual in ("xl/workbook.xml", "xl/workbook.bin"):
        if usual in by_key:
            return by_key[usual]
    return None


_OVERRIDE = LazyPattern(rb'<(?:\w+:)?Override\b[^<>]*?PartName\s*=\s*"([^"]*)"[^<>]*?ContentType\s*=\s*"([^"]*)"'
                       rb'|<(?:\w+:)?Override\b[^<>]*?ContentType\s*=\s*"([^"]*)"[^<>]*?PartName\s*=\s*"([^"]*)"')


def _is_workbook_part(zf: Parts, by_key: dict[str, str], name: str) -> bool:
    """Whether the package's main part is a workbook (not a Word, PowerPoint or Visio
    document's): by its content type where the package states one, else by its folder."""
    types = by_key.get("[content_types].xml")
    if types is not None:
        for m in _OVERRIDE.finditer(_read_small(zf, types)):
            part, ctype = (m.group(1), m.group(2)) if m.group(1) is not None else (m.group(4), m.group(3))
            if _norm(part.decode("utf-8", "replace")).lower() == _norm(name).lower():
                ctype = ctype.decode("utf-8", "replace").lower()
                return "spreadsheetml" in ctype or "ms-excel" in ctype
    return not _norm(name).lower().startswith(("word/", "ppt/", "visio/"))


_REL = LazyPattern(rb"<(?:\w+:)?Relationship\b([^<>]*)>")
_ATTR = LazyPattern(rb'\b(Id|Type|Target|TargetMode)\s*=\s*("[^"]*"|\'[^\']*\')')


def _relationships(data: bytes) -> list[tuple[str, str]]:
    return [(a.get("Type", ""), a.get("Target", "")) for a in _rel_attrs(data)]


def _rel_attrs(data: bytes) -> list[dict[str, str]]:
    out = []
    for m in _REL.finditer(data):
        attrs = {k.decode(): v[1:-1].decode("utf-8", "replace") for k, v in _ATTR.findall(m.group(1))}
        out.append(attrs)
    return out


def _read_small(zf: Parts, name: str, limit: int = 16 * CHUNK) -> bytes:
    return zf.read(name, limit)


def normalize(zf: zipfile.ZipFile | Parts, max_bytes: int) -> Package:
    """The package as a reader expects it: the workbook at ``xl/workbook.xml`` (or ``.bin``)
    with its parts beside it, forward slashes, part names in the case the relationships use,
    and no macro or dialog sheets.  Rewritten in memory only when something differs."""
    parts = parts_of(zf)
    zf = parts.zf
    names = parts.names
    workbook = find_workbook(parts)
    if workbook is None:
        return Package(workbook="")
    wb_norm = _norm(workbook)
    binary = wb_norm.lower().endswith(".bin")
    target_wb = "xl/workbook.bin" if binary else "xl/workbook.xml"
    folder = posixpath.dirname(wb_norm)
    rels_name = posixpath.join(folder, "_rels", posixpath.basename(wb_norm) + ".rels")
    by_key = parts.by_key
    rels_stored = by_key.get(rels_name.lower())
    rels = _rel_attrs(_read_small(parts, rels_stored)) if rels_stored else []
    drop_ids = {r.get("Id", ""): NON_DATA_SHEETS[r.get("Type", "").rsplit("/", 1)[-1].lower()]
                for r in rels if r.get("Type", "").rsplit("/", 1)[-1].lower() in NON_DATA_SHEETS}
    # sheets pointing at no part at all (a VBA module's placeholder, say): readers stop there
    known = {r.get("Id", "") for r in rels}
    for rid in ([] if binary else _sheet_ids(_read_small(parts, workbook, 64 * CHUNK))):
        if rid not in known:
            drop_ids[rid] = MISSING_SHEET

    def moved(name: str) -> str:
        """Where a part goes: the workbook's folder becomes ``xl/``."""
        n = _norm(name)
        if n.lower() == wb_norm.lower():
            return target_wb
        if n.lower() == rels_name.lower():
            return posixpath.join("xl/_rels", posixpath.basename(target_wb) + ".rels")
        if folder in ("xl", ""):
            if folder == "" and not n.lower().startswith(("_rels/", "docprops/", "[content_types].xml", "customxml/")):
                return "xl/" + n
            return n
        if n.lower().startswith(folder.lower() + "/"):
            return "xl/" + n[len(folder) + 1:]
        return n

    # the case the workbook's relationships use for each part they point at
    wanted = {}
    for r in rels:
        if r.get("TargetMode", "").lower() == "external":
            continue
        target = r.get("Target", "")
        full = _norm(target) if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        wanted[full.lower()] = moved(full)
    renames = {}
    for n in names:
        new = moved(n)
        new = wanted.get(_norm(n).lower(), new)
        if new != n:
            renames[n] = new
    if not renames and not drop_ids:
        return Package(workbook=workbook)
    out = io.BytesIO()
    skipped: list[tuple[str, str]] = []
    total = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        written = set()
        for info in zf.infolist():
            if info.is_dir():
                continue
            new = renames.get(info.filename, info.filename)
            if new in written:
                continue
            data = _read_bounded(zf, info.filename, max_bytes - total)
            total += len(data)
            if new.lower() == "_rels/.rels" and _norm(workbook) != target_wb:
                data = PACKAGE_RELS.format(target=target_wb).encode()
            if info.filename == workbook and drop_ids:
                data, skipped = (_drop_bin_sheets if binary else _drop_xml_sheets)(data, drop_ids)
            dst.writestr(new, data)
            written.add(new)
    out.seek(0)
    return Package(workbook=workbook, fixed=out, skipped=skipped)


PACKAGE_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                'relationships/officeDocument" Target="{target}"/></Relationships>')


class TooLarge(Exception):
    pass


def _read_bounded(zf: zipfile.ZipFile, name: str, limit: int) -> bytes:
    with zf.open(name) as fh:
        data = fh.read(max(limit, 0) + 1)
    if len(data) > limit:
        raise TooLarge(name)
    return data


_SHEET = LazyPattern(rb"<(?:\w+:)?sheet\b[^<>]*?/>|<(?:\w+:)?sheet\b[^<>]*?>.*?</(?:\w+:)?sheet>", re.S)
_RID = LazyPattern(rb'\b\w+:id\s*=\s*"([^"]*)"')
_NAME = LazyPattern(rb'\bname\s*=\s*"([^"]*)"')


def _drop_xml_sheets(data: bytes, drop: dict[str, str]) -> tuple[bytes, list[tuple[str, str]]]:
    skipped = []

    def keep(m: re.Match) -> bytes:
        rid = _RID.search(m.group(0))
        if rid and rid.group(1).decode("utf-8", "replace") in drop:
            name = _NAME.search(m.group(0))
            title = unescape(name.group(1).decode("utf-8", "replace")) if name else "?"
            skipped.append((title, drop[rid.group(1).decode("utf-8", "replace")]))
            return b""
        return m.group(0)

    return _SHEET.sub(keep, data), skipped


def _sheet_ids(data: bytes) -> list[str]:
    """The relationship ids the sheets of a workbook.xml point at."""
    ids = []
    for m in _SHEET.finditer(data):
        rid = _RID.search(m.group(0))
        ids.append(rid.group(1).decode("utf-8", "replace") if rid else "")
    return ids


def unescape(text: str) -> str:
    """``html.unescape(text)``, importing it only for a text with a reference in it."""
    if "&" not in text:
        return text  # what html.unescape gives, without importing it
    import html

    return html.unescape(text)


# -- .xlsb records -----------------------------------------------------------------------

def records(data: bytes, pos: int = 0):
    """(offset, type, body, next offset) of each record of a BIFF12 (.xlsb) part: the type
    takes one or two bytes, the size one to four, seven bits each."""
    end = len(data)
    while pos < end:
        start = pos
        rtype = data[pos] & 0x7F
        pos += 1
        if data[start] & 0x80:
            if pos >= end:
                return
            rtype |= (data[pos] & 0x7F) << 7
            pos += 1
        size = 0
        for i in range(4):
            if pos >= end:
                return
            b = data[pos]
            pos += 1
            size |= (b & 0x7F) << (7 * i)
            if not b & 0x80:
                break
        yield start, rtype, data[pos: pos + size], pos + size
        pos += size


BRT_BUNDLE_SH = 0x9C


def _wide(body: bytes, pos: int) -> tuple[str, int]:
    """An XLWideString (u32 count of UTF-16 code units, then the text) at ``pos``."""
    if pos + 4 > len(body):
        return "", len(body)
    n = struct.unpack_from("<I", body, pos)[0]
    if n == 0xFFFFFFFF:
        return "", pos + 4
    text = body[pos + 4: pos + 4 + 2 * n].decode("utf-16-le", "replace")
    return text, pos + 4 + 2 * n


def _drop_bin_sheets(data: bytes, drop: dict[str, str]) -> tuple[bytes, list[tuple[str, str]]]:
    """workbook.bin without the BrtBundleSh records of macro and dialog sheets."""
    out = bytearray()
    skipped = []
    last = 0
    for start, rtype, body, nxt in records(data):
        if rtype == BRT_BUNDLE_SH and len(body) >= 8:
            rid, pos = _wide(body, 8)
            if rid in drop:
                name, _ = _wide(body, pos)
                skipped.append((name, drop[rid]))
                out += data[last:start]
                last = nxt
    out += data[last:]
    return bytes(out), skipped


# -- entity declarations -----------------------------------------------------------------

_DECL = LazyPattern(rb"<!(?:DOCTYPE|ENTITY)", re.I)


def entity_declaration(zf: zipfile.ZipFile | Parts, max_bytes: int, skip: Collection[str] = (),
                       only: Collection[str] | None = None) -> str | None:
    """The name of the first part holding a DOCTYPE or an entity declaration (XML that
    Excel never writes: the billion-laughs bomb and external entities start there), read in
    chunks so that no part is held whole.  ``skip``: parts looked at elsewhere (the
    worksheets the extent scan reads whole, see :func:`declares_entities`); ``only``: just those."""
    parts = parts_of(zf)
    total = 0
    for info in parts.infos:
        if info.is_dir() or _norm(info.filename).lower().endswith((".bin", ".png", ".jpeg", ".jpg", ".emf",
                                                                      ".wmf", ".gif", ".tif", ".tiff")):
            continue
        if info.filename in skip or (only is not None and info.filename not in only):
            continue
        whole = parts.whole(info)
        if whole is not None:  # unpacked already, by an earlier check
            total += len(whole)
            if total > max_bytes:
                raise TooLarge(info.filename)
            if declares_entities(whole):
                return info.filename
            continue
        with parts.zf.open(info) as fh:
            tail = b""
            utf16 = None
            while True:
                chunk = fh.read(CHUNK)
                if not chunk:
                    break
                if utf16 is None and len(chunk) < CHUNK:  # the whole part: kept for the checks after
                    parts.keep(info, chunk)
                total += len(chunk)
                if total > max_bytes:
                    raise TooLarge(info.filename)
                if utf16 is None:  # UTF-16 XML: its declarations are not ASCII bytes
                    utf16 = {b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}.get(chunk[:2], "")
                if utf16:
                    chunk = chunk.decode(utf16, "replace").encode("utf-8", "replace")
                if (b"!" in chunk or b"!" in tail) and _DECL.search(tail + chunk):
                    return info.filename
                tail = chunk[-16:]
    return None


def declares_entities(data: bytes) -> bool:
    """Whether a part already read whole holds a DOCTYPE or an entity declaration (what
    :func:`entity_declaration` looks for, UTF-16 parts included)."""
    if b"!" not in data:  # no "<!", in UTF-16 either (its "!" is a 0x21 byte beside a zero)
        return False
    codec = {b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}.get(data[:2])
    if codec:
        data = data.decode(codec, "replace").encode("utf-8", "replace")
    return _DECL.search(data) is not None
