"""Open a workbook file of any Excel format and hand back its sheets as plain grids.

This is the adapter at the edge: python-calamine reads xlsx, xlsm, xlsb, xls and ods fast
and without Excel.  Anything that is not a readable workbook is refused here with a
:class:`WorkbookRefused` that carries a stable finding code and a one-line Chinese reason;
nothing else escapes.  The file is only ever opened for reading.
"""

from __future__ import annotations

from taizhang.errors import TaizhangError  # noqa: E402 - the one error family

import contextlib
import functools
import io
import logging
import os
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from defusedxml import DefusedXmlException, ElementTree

import python_calamine as calamine

if TYPE_CHECKING:
    from taizhang.reading.package import Parts

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
    path: Path
    format: str
    sheets: list[Sheet]


def sniff(path: Path) -> str:
    """The workbook format of ``path`` judged from its bytes, or a refusal."""
    fmt, parts = _sniff(path)
    if parts is not None:
        parts.close()
    return fmt


def _sniff(path: Path) -> tuple[str, Parts | None]:
    """:func:`sniff`, and a zip package left open (a :class:`package.Parts`) for the checks
    that follow, with the parts already read; the caller closes it."""
    try:
        if path.is_dir():
            if path.suffix.lower() in IWORK_SUFFIXES:
                raise WorkbookRefused("not-a-workbook", f"{path}：{NUMBERS_ADVICE}")
            raise WorkbookRefused("unreadable-file", f"{path}：这是一个文件夹，不是工作簿")
        with path.open("rb") as fh:
            head = fh.read(4096)
    except FileNotFoundError:
        raise WorkbookRefused("file-not-found", f"{path}：文件不存在") from None
    except PermissionError:
        raise WorkbookRefused("unreadable-file", f"{path}：没有读取权限（文件可能被占用或锁定）") from None
    except OSError as exc:
        raise WorkbookRefused("unreadable-file", f"{path}：无法读取（{os_error_zh(exc)}）",
                              f"{type(exc).__name__}: {exc}") from None
    if not head:
        raise WorkbookRefused("not-a-workbook", f"{path}：文件是空的（0 字节）")
    if head.startswith(ZIP_MAGIC):
        return _sniff_zip(path)
    if head.startswith(OLE_MAGIC):
        return _sniff_ole(path), None
    if _old_biff(head):
        raise WorkbookRefused("old-format", f"{path}：{OLD_FORMAT_ADVICE}")
    if head.startswith(b"%PDF"):
        raise WorkbookRefused("not-a-workbook", f"{path}：这是 PDF 文件，不是 Excel 工作簿")
    lowered = head.lstrip().lower()
    if lowered.startswith((b"mime-version:", b"content-type: multipart/related")) or b"\nmime-version:" in lowered[:2048]:
        raise WorkbookRefused(  # Excel's and WPS's "单个文件网页" (.mht, often renamed .xls)
            "not-a-workbook",
            f"{path}：这是单个文件网页（.mht），不是 Excel 工作簿（请在 Excel 或 WPS 中“另存为” .xlsx）",
        )
    if b"progid=\"excel.sheet\"" in lowered[:1024] and lowered.startswith(b"<?xml"):
        raise WorkbookRefused(  # SpreadsheetML 2003, which WPS and old Excel still offer
            "not-a-workbook",
            f"{path}：这是“XML 表格 2003”文件，不是 Excel 工作簿（请在 Excel 或 WPS 中“另存为” .xlsx）",
        )
    if b"office:document" in lowered[:4096] and b"opendocument.spreadsheet" in lowered[:4096]:
        raise WorkbookRefused(  # LibreOffice's flat XML spreadsheet
            "not-a-workbook",
            f"{path}：这是 LibreOffice 的平面 XML 表格（.fods），不是 Excel 工作簿（请在 LibreOffice 中“另存为” .xlsx）",
        )
    if lowered.startswith((b"<html", b"<!doctype html", b"<table", b"<?xml")):
        raise WorkbookRefused(
            "not-a-workbook",
            f"{path}：这是网页或 XML 文件，不是 Excel 工作簿（请在 Excel 中“另存为” .xlsx）",
        )
    if _looks_like_text(head):
        raise WorkbookRefused(
            "not-a-workbook",
            f"{path}：这是文本/CSV 文件，不是 Excel 工作簿（请在 Excel 中“另存为” .xlsx）",
        )
    raise WorkbookRefused("not-a-workbook", f"{path}：不是 Excel 工作簿，也无法识别文件类型")


def own_file_reason(reason: str) -> str:
    """A refusal's reason for a file of the office's own (the master, a backup of it, the
    roster) rather than a unit's submission: without the advice to have the unit send it again."""
    import re

    return re.sub(r"[，,；;]\s*请(?:让)?报送单位[^，；;）)]*", "", reason)


#: The system's (English) reasons for a failed file operation, in the clerk's words.
_ERRNO_ZH = {
    "ENOENT": "文件或文件夹不存在", "EACCES": "没有权限", "EPERM": "没有权限", "ENOSPC": "磁盘空间已满",
    "EROFS": "磁盘是只读的", "EISDIR": "这是一个文件夹", "ENOTDIR": "路径中有一项不是文件夹",
    "EBUSY": "文件正被其他程序占用", "ETXTBSY": "文件正被其他程序占用", "ENAMETOOLONG": "文件名太长",
    "EIO": "磁盘读写出错", "EMFILE": "打开的文件太多", "EDQUOT": "磁盘配额已满", "EEXIST": "文件已存在",
    "EINVAL": "文件名或路径无效", "ELOOP": "链接循环", "EXDEV": "不能跨磁盘移动",
}


def os_error_zh(exc: OSError) -> str:
    """A failed file operation's reason in Chinese (the system's own words are English)."""
    import errno

    name = errno.errorcode.get(exc.errno or 0, "")
    if name in _ERRNO_ZH:
        return _ERRNO_ZH[name]
    return f"系统错误 {exc.errno}" if exc.errno else "系统错误"


def _old_biff(head: bytes) -> bool:
    """A bare BIFF2, BIFF3 or BIFF4 stream (Excel 2.1–4.0), which starts with its BOF record:
    type 0x0009, 0x0209 or 0x0409, a short length and a known version.  (A bare BIFF5+
    stream, 0x0809, is as rare and is refused the same way.)"""
    if len(head) < 8:
        return False
    rtype, size = int.from_bytes(head[0:2], "little"), int.from_bytes(head[2:4], "little")
    if rtype not in (0x0009, 0x0209, 0x0409, 0x0809) or not 4 <= size <= 20:
        return False
    if rtype == 0x0809:
        return int.from_bytes(head[4:6], "little") in (0x0000, 0x0200, 0x0300, 0x0400, 0x0500, 0x0600)
    return int.from_bytes(head[6:8], "little") in (0x0010, 0x0020, 0x0040, 0x0100)  # sheet, chart, macro, workspace


def _looks_like_text(head: bytes) -> bool:
    for encoding in ("utf-8", "gb18030", "utf-16"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError:
            continue
        return not any(ord(ch) < 9 for ch in text)
    return False


def _sniff_zip(path: Path) -> tuple[str, Parts | None]:
    """A zip package: an OOXML workbook (its workbook part found as Excel finds it), an
    OpenDocument spreadsheet, encrypted or not, or another program's document.  A workbook's
    package is handed back open, with the parts read to judge it."""
    from taizhang.reading.package import Parts, find_workbook

    parts = None
    try:
        try:
            parts = Parts(zipfile.ZipFile(path))
            names = {n.replace("\\", "/").lower() for n in parts.names}
            if "mimetype" in names:
                mime = parts.zf.read("mimetype")[:100]
                if b"spreadsheet" not in mime:
                    raise WorkbookRefused("not-a-workbook", f"{path}：这是 OpenDocument 文档，但不是电子表格")
                if "meta-inf/manifest.xml" in names:
                    with parts.zf.open("META-INF/manifest.xml") as fh:
                        if b"encryption-data" in fh.read(1 << 20):
                            raise WorkbookRefused("encrypted-workbook", f"{path}：{ENCRYPTED}")
                found, parts = (parts, None)
                return "ods", found
            workbook = find_workbook(parts)
        except WorkbookRefused:
            raise
        except (zipfile.BadZipFile, zlib.error, NotImplementedError, ValueError, EOFError, RuntimeError, KeyError,
                OSError):
            # a damaged package fails in many ways inside zipfile (fuzzing found several)
            raise WorkbookRefused("corrupt-workbook", f"{path}：文件已损坏（压缩包结构不完整），请让报送单位重新发送") from None
        if workbook is not None:
            found, parts = (parts, None)
            if workbook.lower().endswith(".bin"):
                return "xlsb", found
            return ("xlsm" if any(n.endswith("vbaproject.bin") for n in names) else "xlsx"), found
    finally:
        if parts is not None:  # not handed back: closed here
            parts.close()
    for folder, what in (("word/", "Word 文档"), ("ppt/", "PowerPoint 演示文稿"), ("visio/", "Visio 绘图"),
                         ("documents/", "XPS 文档")):
        if any(n.startswith(folder) for n in names):
            raise WorkbookRefused("not-a-workbook", f"{path}：这是 {what}，不是 Excel 工作簿")
    if "index/document.iwa" in names or any(n.endswith(".numbers/index.zip") for n in names):
        raise WorkbookRefused("not-a-workbook", f"{path}：{NUMBERS_ADVICE}")
    raise WorkbookRefused("not-a-workbook", f"{path}：这是压缩包，但不是 Excel 工作簿")


#: OLE streams (compound documents) of the other Office programs, and what to call them.
OLE_DOCUMENTS = (
    ("powerpoint document", "PowerPoint 演示文稿"),
    ("worddocument", "Word 文档"),
    ("visiodocument", "Visio 绘图"),
    ("__properties_version1.0", "Outlook 邮件（.msg）"),
    ("quill", "Publisher 文档"),
)


def _sniff_ole(path: Path) -> str:
    """An OLE compound file: an encrypted OOXML package, an .xls (encrypted or not), another
    Office program's document, or something else."""
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            streams = {"/".join(entry).lower() for entry in ole.listdir(streams=True, storages=True)}
            book = next((n for n in ("workbook", "book") if n in streams), None)
            filepass = _filepass(ole.openstream(book).read(65536 * 4)) if book else None
    except Exception:  # noqa: BLE001 - a damaged container: judge by its bytes, let the reader say
        return _sniff_ole_bytes(path)
    if "encryptedpackage" in streams or "encryptioninfo" in streams:
        raise WorkbookRefused("encrypted-workbook", f"{path}：{ENCRYPTED}")
    if book is not None:
        if filepass is not None:
            raise WorkbookRefused("encrypted-workbook", f"{path}：{ENCRYPTED}（{filepass}）")
        return "xls"
    for stream, what in OLE_DOCUMENTS:
        if stream in streams or (stream.startswith("__") and any(n.startswith("__substg1.0_") for n in streams)):
            raise WorkbookRefused("not-a-workbook", f"{path}：这是 {what}，不是 Excel 工作簿")
    raise WorkbookRefused("not-a-workbook", f"{path}：这是 Office 复合文档，但其中没有 Excel 工作簿")


def _sniff_ole_bytes(path: Path) -> str:
    """The OLE container is too damaged for olefile: look for the stream names' bytes."""
    with path.open("rb") as fh:
        data = fh.read(1 << 20)
    if "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data:
        raise WorkbookRefused("encrypted-workbook", f"{path}：{ENCRYPTED}")
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        return "xls"
    if "WordDocument".encode("utf-16-le") in data:
        raise WorkbookRefused("not-a-workbook", f"{path}：这是 Word 文档，不是 Excel 工作簿")
    return "xls"


_BIFF_FILEPASS = 0x002F


def _filepass(stream: bytes) -> str | None:
    """How the workbook stream is encrypted, from its FILEPASS record (which follows the BOF
    of the workbook globals when a password is set), or None.  Everything after that record
    is ciphertext: sheet names and sizes read from it are garbage, so this comes first."""
    import struct

    pos = 0
    while pos + 4 <= len(stream):
        rtype, size = struct.unpack_from("<HH", stream, pos)
        body = stream[pos + 4: pos + 4 + size]
        if rtype == _BIFF_FILEPASS:
            if len(body) < 2 or size == 4:  # BIFF5 and older: XOR obfuscation only
                return "XOR 加密"
            kind = struct.unpack_from("<H", body)[0]
            if kind == 0:
                return "XOR 加密"
            major = struct.unpack_from("<H", body, 2)[0] if len(body) >= 4 else 1
            return "RC4 加密" if major == 1 else "RC4 CryptoAPI 加密"
        if rtype in (0x0085, 0x000A) or (rtype == 0x0809 and pos > 0):  # BOUNDSHEET, EOF: none
            return None
        pos += 4 + size
    return None


#: Formats read in a child process (see ``taizhang.reading.isolated``): the reader has been
#: seen to abort the process on damaged .xls files, and .xlsb (a binary format) has no
#: size scan of ours before the reader builds its grid.
ISOLATED_FORMATS = frozenset({"xls", "xlsb"})


def open_workbook(path: str | os.PathLike, limits: Limits | None = None, *, isolate: bool = True) -> Workbook:
    """Read every sheet of the workbook at ``path``; refuse with a reason if it cannot be read.

    What the file is (and whether it is encrypted) is judged from its bytes first, before any
    size: the sizes read from an encrypted stream are garbage."""
    path = Path(path)
    limits = limits or Limits()
    try:
        fmt, parts = _sniff(path)
    except WorkbookRefused as exc:
        if exc.code != "encrypted-workbook" or path.stat().st_size > limits.max_file_bytes:
            raise
        if isolate:  # decrypting and reading an .xls: as any .xls, in a child process
            from taizhang.reading.isolated import read_isolated

            return read_isolated(path, limits)
        return _read_default_password(path, limits, exc)
    with contextlib.closing(parts) if parts is not None else contextlib.nullcontext():
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            raise WorkbookRefused(
                "file-too-large",
                f"{path}：文件大小 {size / 1048576:.0f} MB，超过上限 {limits.max_file_bytes / 1048576:.0f} MB",
            )
        if isolate and fmt in ISOLATED_FORMATS:
            from taizhang.reading.isolated import read_isolated

            if parts is not None:
                parts.close()  # the child opens the file itself
            return read_isolated(path, limits)
        if fmt == "xls":
            return _read_xls(path, limits)
        return _read_package(path, fmt, limits, parts)


#: The password Excel uses when a workbook is encrypted without one being asked for (a
#: protected workbook structure, say): Excel opens such a file without a prompt.
EXCEL_DEFAULT_PASSWORD = "VelvetSweatshop"


def _read_default_password(path: Path, limits: Limits, refusal: WorkbookRefused) -> Workbook:
    """An encrypted workbook that Excel opens without asking: decrypted with Excel's own
    default password (in memory, into a folder of its own in the run's private folder, see
    ``taizhang.workers.private_folder``) and read; any other password is never guessed, and
    the refusal stands."""
    import tempfile

    from taizhang import workers

    try:
        import msoffcrypto
    except ImportError:  # pragma: no cover - a runtime dependency
        raise refusal from None
    try:
        with path.open("rb") as fh:
            office = msoffcrypto.OfficeFile(fh)
            office.load_key(password=EXCEL_DEFAULT_PASSWORD)
            plain = io.BytesIO()
            office.decrypt(plain)
    except Exception:  # noqa: BLE001 - a real password (or a damaged file): still encrypted
        raise refusal from None
    with tempfile.TemporaryDirectory(prefix="book-", dir=workers.private_folder()) as folder:
        copy = Path(folder) / ("book" + path.suffix.lower())
        copy.write_bytes(plain.getvalue())
        del plain
        try:
            book = open_workbook(copy, limits, isolate=False)
        except WorkbookRefused as exc:
            if exc.code == "encrypted-workbook":
                raise refusal from None
            raise WorkbookRefused(exc.code, exc.reason.replace(str(copy), str(path)), exc.detail) from None
    book.path = path
    return book


def _read_xls(path: Path, limits: Limits) -> Workbook:
    """A legacy .xls, by one reader and, should it fail, by the other before calling the
    file corrupt: calamine first for BIFF8 (Excel 97 and later), xlrd first for Excel 5.0/95,
    whose code-page text calamine garbles."""
    scans, biff8 = _scan_xls(path, limits)  # calamine loads every sheet as it opens: judge them first
    for title, scan in scans.items():
        if scan.too_large(limits) and not scan.sparse_only(limits):
            raise WorkbookRefused("file-too-large", f"{path}：工作表“{title}”{scan.describe(limits)[3:]}")
    readers = [lambda: _read_calamine(path, "xls", limits, scans), lambda: _read_legacy_xls(path, limits)]
    if not biff8:
        readers.reverse()
    if any(scan.sparse() for scan in scans.values()):
        # a few cells spread far apart: calamine's dense grid would cost hundreds of MB,
        # xlrd keeps each row only as long as its last cell
        readers = readers[-1:] if biff8 else readers[:1]
    first: WorkbookRefused | None = None
    for read in readers:
        try:
            return read()
        except WorkbookRefused as exc:
            if exc.code != "corrupt-workbook":
                raise
            first = first or exc
    assert first is not None
    raise first


def _read_package(path: Path, fmt: str, limits: Limits, opened: Parts | None = None) -> Workbook:
    """An OOXML package (.xlsx .xlsm .xltx .xltm .xlsb) or an OpenDocument spreadsheet;
    ``opened``: the package as :func:`_sniff` left it open (a :class:`package.Parts`)."""
    from taizhang.reading import package

    source: Path | io.BytesIO = path
    skipped: list[tuple[str, str]] = []
    scans: dict[str, SheetScan] = {}
    scanner = {"xlsx": _scan_ooxml, "xlsm": _scan_ooxml, "ods": _scan_ods, "xlsb": _scan_xlsb}.get(fmt)
    if fmt in ("xlsx", "xlsm", "xlsb", "ods"):
        try:
            with contextlib.closing(opened or package.Parts(zipfile.ZipFile(path))) as zf:
                _check_unpacked(zf, path, limits)
                # the worksheets the extent scan reads whole are looked at for declarations there
                scanned = _worksheet_parts(zf) if scanner is _scan_ooxml else frozenset()
                _refuse_declarations(path, package.entity_declaration(zf, limits.max_unzipped_bytes, scanned))
                if fmt != "ods":
                    pkg = package.normalize(zf, limits.max_unzipped_bytes)
                    if pkg.fixed is not None:
                        source = pkg.fixed
                        if scanned:  # the scan reads the package put in order: these get their look here
                            _refuse_declarations(path, package.entity_declaration(
                                zf, limits.max_unzipped_bytes, only=scanned))
                    skipped = pkg.skipped
                if scanner and source is path:  # the package as it is: scanned while open
                    scans = scanner(zf if scanner is _scan_ooxml else zf.zf, limits, path)
                    scanner = None
        except package.TooLarge:
            raise WorkbookRefused(
                "file-too-large",
                f"{path}：文件解压后超过上限 {limits.max_unzipped_bytes / 1048576:,.0f} MB，可能是“压缩炸弹”，未读取") from None
        except WorkbookRefused:
            raise
        except (zipfile.BadZipFile, zlib.error, NotImplementedError, ValueError, EOFError, RuntimeError, KeyError,
                OSError) as exc:
            raise _reader_failure(exc, path) from None
    if scanner:
        try:
            scans = scanner(source, limits, path)
        except WorkbookRefused:
            raise
        except (zipfile.BadZipFile, zlib.error, NotImplementedError, ValueError, EOFError, RuntimeError, KeyError,
                OSError) as exc:
            raise _reader_failure(exc, path) from None
    book = _read_calamine(path, fmt, limits, scans, source)
    for name, what in skipped:
        tail = "" if what == package.MISSING_SHEET else "（其中的宏未运行）"
        book.sheets.append(Sheet(name, True, [], note=f"工作表“{name}”是{what}，不是数据表，已跳过{tail}"))
    return book


def _worksheet_parts(zf: Parts) -> frozenset[str]:
    """The parts :func:`_scan_ooxml` reads whole (the package's worksheets); none when they
    cannot be listed (every part then gets the entity check)."""
    try:
        names = set(zf.names)
        return frozenset(part for part in sheet_parts(zf).values() if part in names)
    except Exception:  # noqa: BLE001 - a workbook part that cannot be parsed: no shortcut
        return frozenset()


def _refuse_declarations(path: Path, part: str | None) -> None:
    if part is not None:
        raise WorkbookRefused(
            "unsafe-workbook",
            f"{path}：工作簿的“{part}”部分含有 Excel 从不生成的 XML 实体声明（可能是恶意文件），未读取")


def _check_unpacked(zf: Parts, path: Path, limits: Limits) -> None:
    """Refuse a package whose parts, once unpacked, would exceed the limits (a zip bomb)."""
    infos = zf.infos
    unpacked = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if unpacked > limits.max_unzipped_bytes or (
            unpacked > 100 * 1024 * 1024 and unpacked / packed > limits.max_ratio):
        raise WorkbookRefused(
            "file-too-large",
            f"{path}：文件解压后有 {unpacked / 1048576:,.0f} MB（压缩前 {packed / 1048576:,.1f} MB），"
            f"超过上限 {limits.max_unzipped_bytes / 1048576:,.0f} MB，可能是“压缩炸弹”，未读取")


#: What calamine calls each kind of sheet it will not hand over as cells.
_SHEET_KINDS = {"ChartSheet": "图表工作表", "MacroSheet": "Excel 4.0 宏表", "DialogSheet": "对话框工作表",
                "Vba": "VBA 模块"}


def _read_calamine(path: Path, fmt: str, limits: Limits, scans: dict[str, SheetScan],
                   source: Path | io.BytesIO | None = None) -> Workbook:
    source = path if source is None else source
    try:
        if isinstance(source, io.BytesIO):
            source.seek(0)
            book = calamine.CalamineWorkbook.from_filelike(source)
        elif path.suffix.lower().lstrip(".") == fmt or (fmt == "xlsx" and path.suffix.lower() == ".xlsm"):
            book = calamine.CalamineWorkbook.from_path(str(path))
        else:  # an .xls saved as .xlsx, a template (.xltx) and the like: calamine picks its reader by extension
            with path.open("rb") as fh:
                book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(fh.read()))
    except calamine.PasswordError:
        raise WorkbookRefused("encrypted-workbook", f"{path}：{ENCRYPTED}") from None
    except BaseException as exc:  # noqa: BLE001 - see _reader_failure
        raise _reader_failure(exc, path) from None
    try:
        sheets = []
        for meta in book.sheets_metadata:
            typ = str(meta.typ).rsplit(".", 1)[-1]
            if typ != "WorkSheet":
                what = _SHEET_KINDS.get(typ, "非数据工作表")
                sheets.append(Sheet(meta.name, _visible(meta), [],
                                    note=f"工作表“{meta.name}”是{what}，不是数据表，已跳过"))
                continue
            sheets.append(_read_sheet(book, meta, scans.get(meta.name), limits))
    except WorkbookRefused:
        raise
    except BaseException as exc:  # noqa: BLE001 - see _reader_failure
        raise _reader_failure(exc, path) from None
    finally:
        book.close()
    return Workbook(path=path, format=fmt, sheets=sheets)


def _reader_failure(exc: BaseException, path: Path) -> WorkbookRefused:
    """What the reader's failure on a damaged file means for the clerk, in Chinese; the
    reader's own (English) words go to the log.

    calamine raises a variety of errors on broken parts, and sometimes panics: pyo3's
    PanicException derives from BaseException, so it is caught here too (but Ctrl-C and
    interpreter exit are not swallowed).
    """
    if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
        raise exc
    detail = f"{type(exc).__name__}: {_short(exc)}"
    if "limit exceeded" in str(exc).lower():  # calamine's own guard against repeated cells
        return WorkbookRefused("file-too-large", f"{path}：工作表的单元格数超过读取上限，未读取", detail)
    return WorkbookRefused("corrupt-workbook", f"{path}：文件已损坏，无法读取（{reader_error_zh(exc)}）", detail)


#: A reader's English error -> what it means, in the clerk's words (first match wins).
_READER_ERRORS = (
    (("encrypt", "password", "filepass"), "文件已加密"),
    (("cfb", "sector", "fat ", "difat", "olefile", "compound", "minisector", "directory"), "复合文档（.xls 容器）结构损坏"),
    (("crc", "bad zip", "zip", "compress", "deflate", "larger than its declared"), "压缩包内容损坏"),
    (("end of stream", "eof", "truncat", "unexpected end", "buffer", "out of range", "index"), "文件内容不完整或被截断"),
    (("shared string", "string index"), "共享字符串表损坏"),
    (("relationship", "rels"), "文件内部的关联信息缺失或损坏"),
    (("codepage", "encoding", "decode", "utf"), "文字编码无法识别"),
    (("biff", "version"), "无法识别的 Excel 版本"),
    (("xml", "entity", "parse", "token", "tag", "attribute"), "内部 XML 内容损坏"),
    (("range", "dimension", "cell", "row", "column"), "单元格区域信息损坏"),
)


def reader_error_zh(exc: BaseException | str) -> str:
    """A Chinese summary of a reader's error message (the original is logged, not shown)."""
    text = str(exc).lower() if not isinstance(exc, str) else exc.lower()
    for keys, meaning in _READER_ERRORS:
        if any(k in text for k in keys):
            return meaning
    return "读取程序无法解析其内容"


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]


def _read_legacy_xls(path: Path, limits: Limits) -> Workbook:
    """A legacy workbook read with xlrd: Excel 5.0/95 (BIFF5/7) first, since xlrd honours
    its code page (calamine decodes the 8-bit text, GBK in a Chinese office, as garbage), and
    any .xls calamine could not read."""
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True, ragged_rows=True,
                                  logfile=_XlrdLog())
    except Exception as exc:  # noqa: BLE001 - xlrd's errors are many; all mean the file is damaged
        raise _reader_failure(exc, path) from None
    sheets = []
    try:
        for index in range(book.nsheets):
            ws = book.sheet_by_index(index)
            rows = []
            errors: dict[tuple[int, int], str] = {}
            for r in range(min(ws.nrows, limits.max_rows)):
                row = []
                for c in range(min(ws.row_len(r), limits.max_columns)):
                    cell = ws.cell(r, c)
                    if cell.ctype == xlrd.XL_CELL_DATE:
                        try:
                            row.append(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode))
                        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
                            row.append(cell.value)
                    elif cell.ctype == xlrd.XL_CELL_ERROR:
                        row.append(None)
                        errors[(r, c)] = xlrd.error_text_from_code.get(cell.value, "#错误")
                    elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                        row.append(None)
                    else:
                        row.append(cell.value)
                rows.append(row)
            merged = [((rlo, clo), (rhi - 1, chi - 1)) for rlo, rhi, clo, chi in ws.merged_cells]
            sheets.append(Sheet(ws.name, ws.visibility == 0, _trim_trailing_blank(rows), merged,
                                cell_errors=errors))
            book.unload_sheet(index)
    except Exception as exc:  # noqa: BLE001
        raise _reader_failure(exc, path) from None
    finally:
        book.release_resources()
    return Workbook(path=path, format="xls", sheets=sheets)


class _XlrdLog:
    """Where xlrd's warnings go (by default it prints them on stdout): the log."""

    def write(self, text: str) -> None:
        if text.strip():
            log.info("xlrd: %s", text.strip()[:300])

    def flush(self) -> None:
        pass


def _visible(meta: Any) -> bool:
    return str(meta.visible).rsplit(".", 1)[-1] == "Visible"


def _read_sheet(book: Any, meta: Any, scan: SheetScan | None, limits: Limits) -> Sheet:
    visible = _visible(meta)
    if scan is not None and scan.too_large(limits):
        return Sheet(meta.name, visible, [], too_large=scan.describe(limits))
    sheet = book.get_sheet_by_name(meta.name)
    height, width = sheet.total_height, sheet.total_width
    if height > limits.max_rows or height * min(width, limits.max_columns) > limits.max_cells:
        return Sheet(meta.name, visible, [], too_large=_describe(height, width, limits))
    rows = sheet.to_python(skip_empty_area=False)
    if width > limits.max_columns:
        rows = [r[: limits.max_columns] for r in rows]
    rows = _trim_trailing_blank(rows)
    try:
        merged = list(sheet.merged_cell_ranges or [])
    except Exception:  # not every format reports merged cells
        merged = []
    if scan is None:
        return Sheet(meta.name, visible, rows, merged)
    for r, c in sorted(scan.images):
        if r < limits.max_rows and c < limits.max_columns:
            rows.extend([] for _ in range(r + 1 - len(rows)))
            rows[r].extend(None for _ in range(c + 1 - len(rows[r])))
            rows[r][c] = CELL_IMAGE
    return Sheet(meta.name, visible, rows, merged, scan.formulas, scan.errors)


def _describe(height: int, width: int, limits: Limits) -> str:
    return (f"工作表有 {height:,} 行 × {width:,} 列，超过读取上限（{limits.max_rows:,} 行或 "
            f"{limits.max_cells:,} 个单元格），未读取；如确有这么多数据，请拆分后报送")


def _trim_trailing_blank(rows: list[list[Any]]) -> list[list[Any]]:
    end = len(rows)
    while end and all(v is None or v == "" for v in rows[end - 1]):
        end -= 1
    return rows[:end]


@dataclass
class SheetScan:
    """What a byte-level pass over a sheet's XML found before any parser touches it."""

    max_row: int = 0
    max_col: int = 0
    formulas: set[tuple[int, int]] = field(default_factory=set)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    #: Cells holding a picture: WPS writes ``=DISPIMG("ID_…",1)`` as the cached text, Excel
    #: ``#VALUE!`` pointing at a rich value (``vm=``); neither is an error to report.
    images: set[tuple[int, int]] = field(default_factory=set)
    #: (rows, columns) of the grid a reader will allocate whatever the cells, where a format
    #: states it (an .xlsb's dimension record), else None.
    stated: tuple[int, int] | None = None
    #: How many cells hold something (None where the scan does not count them).
    filled: int | None = None

    def _grid(self) -> int:
        return self.max_row * self.max_col

    def sparse(self) -> bool:
        """Readers hold a sheet as a dense grid, rows x columns, whatever the cells: a grid
        far larger than the cells filled would cost memory out of all proportion to the file."""
        return (self.filled is not None and self._grid() > SPARSE_FLOOR
                and self._grid() > SPARSE_RATIO * max(self.filled, 1))

    def too_large(self, limits: Limits) -> bool:
        cells = self.max_row * min(self.max_col, limits.max_columns)
        if self.stated is not None and self.stated[0] * self.stated[1] > 4 * limits.max_cells:
            return True  # calamine would allocate the stated grid, columns and all
        return self.max_row > limits.max_rows or cells > limits.max_cells or self.sparse()

    def sparse_only(self, limits: Limits) -> bool:
        """Too large only for being sparse (a reader that keeps rows short can read it)."""
        return self.sparse() and self.max_row <= limits.max_rows and self.filled is not None \
            and self.filled <= limits.max_cells

    def describe(self, limits: Limits) -> str:
        if self.stated is not None and self.stated[0] * self.stated[1] > 4 * limits.max_cells:
            return _describe(*self.stated, limits)
        if self.sparse() and not (self.max_row > limits.max_rows
                                  or self.max_row * min(self.max_col, limits.max_columns) > limits.max_cells):
            return (f"工作表的内容散布在 {self.max_row:,} 行 × {self.max_col:,} 列的范围内，却只有 "
                    f"{self.filled:,} 个单元格有内容，读取要占用与文件大小极不相称的内存，未读取；"
                    "请删除远处多余的单元格后报送")
        return _describe(self.max_row, self.max_col, limits)


#: A grid of more cells than this, and more than this many times the cells filled, is sparse.
SPARSE_FLOOR, SPARSE_RATIO = 2_000_000, 50



#: A cell's start tag (attributes, self-closing slash) or its end tag.  Every pattern here is
#: bounded and stops at ``<``, so that a hostile part of unclosed tags costs linear time
#: (an unbounded ``.*?`` made a 500 KB part take a minute).
_CELL_TAG = re.compile(rb'<(?:\w+:)?c\b([^<>]{0,400}?)(/?)>|</(?:\w+:)?c>')
_CELL_REF = re.compile(rb'\sr="([A-Z]{1,3})(\d+)"')
_FORMULA = re.compile(rb"<(?:\w+:)?f\b")
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]{0,20})")


def _opened(source: Path | io.BytesIO | zipfile.ZipFile | Parts) -> Any:
    """A zip package to read, as a context: one already open is left open."""
    from taizhang.reading.package import Parts

    return contextlib.nullcontext(source) if isinstance(source, (zipfile.ZipFile, Parts)) else zipfile.ZipFile(source)


def _scan_cells(data: bytes, scan: SheetScan) -> None:
    """Formulas without a cached value, error values (``t="e"``) and pictures in cells."""
    ref: tuple[int, int] | None = None  # the open cell, its attributes and where its body starts
    attrs, start = b"", 0
    for m in _CELL_TAG.finditer(data):
        if m.group(1) is not None:  # <c …>
            cell = _CELL_REF.search(m.group(1))
            ref = None if m.group(2) or cell is None else (int(cell.group(2)) - 1, _col_index(cell.group(1).decode()))
            attrs, start = m.group(1), m.end()
            continue
        if ref is None:  # </c> of a cell not worth a look
            continue
        body = data[start:m.start()]
        formula = _FORMULA.search(body) is not None
        is_error = b't="e"' in attrs
        # WPS: =DISPIMG(…) cached as text; Excel: a rich value (vm=) with no formula behind it
        # (a rich value *with* a formula may be an error with details, #FIELD! and the like)
        if b"DISPIMG(" in body or (is_error and b' vm="' in attrs and (not formula or b"IMAGE(" in body)):
            scan.images.add(ref)
        else:
            value = _VALUE.search(body)
            text = value.group(1) if value else b""
            # a cached "" is <v></v> under t="str"; openpyxl's uncached formulas have <v />
            if formula and not (text or (b't="str"' in attrs and value is not None)):
                scan.formulas.add(ref)
            if is_error:
                scan.errors[ref] = text.decode("utf-8", "replace") if text else "#错误"
        ref = None


def _scan_ooxml(source: Path | io.BytesIO | zipfile.ZipFile | Parts, limits: Limits,
                path: Path | None = None) -> dict[str, SheetScan]:
    """Scan each sheet's XML for its real extent and for formulas without a cached value.

    The extent is taken from the cells that hold something (a value, inline text or a
    formula), not from the ``<dimension>`` a hostile file could fake, nor from the formatted
    empty rows Excel keeps down to row 1,048,576 when a whole column was formatted: readers
    allocate for the cells with content only.  Files written by programs (openpyxl among
    them) store formulas without results; Excel computes them on opening, but a reader sees
    an empty cell, so the checker says so.
    """
    from taizhang.reading import package

    path = path if path is not None else Path(str(source))
    scans: dict[str, SheetScan] = {}
    with _opened(source) as zf:
        zf = package.parts_of(zf)
        try:
            parts = sheet_parts(zf)
        except DefusedXmlException:
            raise WorkbookRefused(
                "unsafe-workbook",
                f"{path}：工作簿结构中含有 Excel 从不生成的 XML 实体声明（可能是恶意文件），未读取") from None
        except (KeyError, ElementTree.ParseError, ValueError):
            return scans
        names = set(zf.names)
        for name, part in parts.items():
            if part not in names:
                continue
            data = zf.zf.read(part)
            if package.declares_entities(data):
                _refuse_declarations(path, part)
            scan = SheetScan()
            tags = _tags(data)
            bound = _extent_bound(data, tags)
            if bound is not None and _harmless(bound, limits):
                scan.max_row, scan.max_col = bound  # small whatever its cells: no closer look needed
            else:
                # Rows holding a cell with content, and such cells whose own reference lies beyond
                # row 99,999.  Only the bound matters: every one-letter column counts as 26, so the
                # scan builds no list as long as the sheet's cells.
                rows = _VALUE_ROW.findall(data) + _FAR_VALUE.findall(data)
                refless = 0 if tags is not None and not tags.unreferenced else _refless_row(data)
                scan.max_row = max(max((int(r) for r in rows), default=0), refless)
                wide = set(_WIDE_VALUE.findall(data))
                scan.max_col = max((_col_index(c.decode()) + 1 for c in wide), default=26 if scan.max_row else 0)
                scan.filled = data.count(b"<v>") + data.count(b"<v ") + data.count(b":v>") + data.count(b"<is>")
            formula = tags.formula if tags is not None else (b"<f" in data or b":f" in data)
            if formula or b't="e"' in data:
                _scan_cells(data, scan)
            scans[name] = scan
    return scans


#: A row or cell reference (``r="…"``) to row 1,000 or beyond, or to column AA or beyond.
#: (An attribute whose name only ends in r, ``operator="between"``, is told apart afterwards:
#: a lookbehind here would cost the search its speed.)
_FAR_REF = re.compile(rb"""r\s{0,8}=\s{0,8}["'](?:\$?[A-Za-z]{2}|[A-Za-z$]{0,4}0*[1-9]\d{3})""")
_NAME_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_:.-")


def _extent_bound(data: bytes, tags: _Tags | None = None) -> tuple[int, int] | None:
    """An upper bound of a sheet's extent (rows, columns) found at the speed of a byte search,
    or None when its references reach row 1,000 or column AA (then the cells are looked at).

    No reference beyond row 999 or column Z: a cell with a reference is placed by it, and
    the reader places one without in the column after the cell before it (the first column
    after the end of a row) and in the row it is at, which a row's reference sets and each
    end of a row moves down by one (calamine's lenient parser takes ``</row>`` as the end of
    a row whatever element it closes).  So no cell lies beyond row 999 plus the number of row
    tags, start and end, nor beyond column 26 plus the number of cell tags without a
    reference.  Tags are counted generously (``<c`` also counts ``<cols>``, a cell tag is
    taken for one with a reference only when it starts ``<c r="``): the bound only errs
    upwards.

    ``tags``: what :func:`_tags` found in ``data``; where it rules out every far reference,
    the answer is its counts, else the one the byte search gives (the same either way).
    """
    if tags is None:
        tags = _tags(data)
    if tags is not None and not tags.far:
        return 999 + tags.rows, 26 + tags.cells - tags.referenced
    return _extent_bound_searched(data)


def _extent_bound_searched(data: bytes) -> tuple[int, int] | None:
    """:func:`_extent_bound` by regular expression and byte counts."""
    for m in _FAR_REF.finditer(data):
        if m.start() == 0 or data[m.start() - 1] not in _NAME_BYTES:
            return None
    rows = data.count(b"<row") + data.count(b":row") + data.count(b"</row")
    cells = data.count(b"<c") + data.count(b":c") - data.count(b'<c r="')
    return 999 + rows, 26 + cells


class _Tags(NamedTuple):
    """What :func:`_extent_bound` and the formula check look for in a sheet's XML."""

    rows: int  # "<row", ":row" and "</row", counted as _extent_bound counts them
    cells: int  # "<c" and ":c"
    referenced: int  # '<c r="'
    unreferenced: int  # cell tags ("<c" or ":c", then a blank, ">" or "/") not starting '<c r="'
    formula: bool  # whether there is a "<f" or ":f"
    far: bool  # whether a reference may reach row 1,000 or column AA (False: none does)


#: Sheets of these sizes are looked at with whole-array operations (numpy, which openpyxl and
#: xlwings load anyway): a few microseconds each whatever the size, where each byte search
#: costs about a microsecond per kilobyte.  Smaller sheets cost less by byte search, and larger
#: ones would hold several arrays of their size.
_VECTOR_BYTES = (4096, 8 << 20)


@functools.lru_cache(maxsize=1)
def _byte_classes() -> Any:
    """Byte -> class tables (numpy): name characters, letters, digits, characters of a
    reference's value, what may follow an attribute's name (blanks, ``=``) and what may
    follow a tag's name (blanks, ``>``, ``/``)."""
    import numpy as np

    letters = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

    def table(chars: bytes) -> Any:
        t = np.zeros(256, dtype=bool)
        t[list(chars)] = True
        return t

    return (np, table(bytes(_NAME_BYTES)), table(letters), table(b"0123456789"),
            table(letters + b"0123456789$"), table(b" \t\n\r\x0b\x0c="), table(b" \t\n\r>/"))


def _tags(data: bytes) -> _Tags | None:
    """The row and cell tags of a sheet's XML counted, formula tags looked for, and far
    references ruled out, by whole-array operations; None for a size outside
    :data:`_VECTOR_BYTES` (or without numpy).

    ``far`` errs only upwards: :data:`_FAR_REF` matches only at an ``r`` that follows a byte
    no part of a name and is followed by a blank or ``=``.  Unless every such ``r`` is followed
    by ``="`` exactly, ``far`` is True.  After ``r="`` the pattern takes two letters (or ``$``
    and two letters), or up to four letters or ``$``, zeros, then four digits the first not a
    zero: at least four characters of letters, digits and ``$``, of which the first is a digit
    when there are just four.  ``far`` is False only when no value after ``r="`` starts so.
    """
    if not _VECTOR_BYTES[0] <= len(data) <= _VECTOR_BYTES[1]:
        return None
    try:
        np, name, letter, digit, value, after_r, tag_end = _byte_classes()
    except ImportError:  # pragma: no cover - numpy comes with pandas, a dependency
        return None
    a = np.frombuffer(data + bytes(8), dtype=np.uint8)  # zeros after the end: no test runs past it
    opener = (a == 0x3C) | (a == 0x3A)  # "<" or ":"
    c = np.flatnonzero(opener[:-1] & (a[1:] == 0x63))  # "c"
    cells = len(c)
    cell_tags = int(np.count_nonzero(tag_end[a[c + 2]]))
    formula = bool((opener[:-1] & (a[1:] == 0x66)).any())  # "f"
    r = np.flatnonzero(a == 0x72)  # "r": of "row" after "<", ":" or "</" ...
    end = (a[r - 1] == 0x2F) & (a[r - 2] == 0x3C)
    rows = int(np.count_nonzero((opener[r - 1] | end) & (a[r + 1] == 0x6F) & (a[r + 2] == 0x77)))
    r = r[after_r[a[r + 1]] & ~name[a[r - 1]]]  # ... and of an attribute: then a blank or "=", after no name
    referenced = int(np.count_nonzero((a[r - 1] == 0x20) & (a[r - 2] == 0x63) & (a[r - 3] == 0x3C)
                                      & (a[r + 1] == 0x3D) & (a[r + 2] == 0x22)))  # '<c r="'
    far = False
    if len(r):
        if not ((a[r + 1] == 0x3D) & (a[r + 2] == 0x22)).all():  # not 'r="' each
            far = True
        else:
            v0, v1, v2, v3, v4 = (a[r + i] for i in range(3, 8))  # the first five bytes of each value
            two_letters = letter[v1] & (letter[v0] | ((v0 == 0x24) & letter[v2]))
            four = value[v0] & value[v1] & value[v2] & value[v3] & (value[v4] | digit[v0])
            far = bool((two_letters | four).any())
    return _Tags(rows, cells, referenced, cell_tags - referenced, formula, far)


def _harmless(bound: tuple[int, int], limits: Limits) -> bool:
    """Whether a sheet of at most ``bound`` (rows, columns) is within every limit, and too small
    a grid to be sparse (see :meth:`SheetScan.sparse`), whatever its cells."""
    rows, cols = bound
    return rows <= limits.max_rows and rows * min(cols, limits.max_columns) <= limits.max_cells \
        and rows * cols <= SPARSE_FLOOR


#: The tail of a cell's start tag followed by its content (a value, inline text, a formula).
_HAS_CONTENT = rb'[^<>]{0,400}?(?<!/)>\s{0,64}<(?:\w+:)?(?:v|is|f)\b'
#: A row, by its number, holding a cell with content: blanks and empty formatted cells are
#: stepped over (one character or one cell at a time, so that a failing row costs linear time).
_VALUE_ROW = re.compile(
    rb'<(?:\w+:)?row\b[^<>]{0,1000}?\sr="(\d+)"[^<>]{0,1000}?(?<!/)>'
    rb'(?:\s|<(?:\w+:)?c\b[^<>]{0,400}?/>|<(?:\w+:)?c\b[^<>]{0,400}?(?<!/)>\s{0,64}</(?:\w+:)?c>)*'
    rb'<(?:\w+:)?c\b' + _HAS_CONTENT)
_FAR_VALUE = re.compile(rb'\sr="[A-Z]{1,3}(\d{6,})"' + _HAS_CONTENT)
_WIDE_VALUE = re.compile(rb'\sr="([A-Z]{2,3})\d+"' + _HAS_CONTENT)
#: A cell with content whose tag has no attribute named r (a prefixed x:r is not one).
_REFLESS_CELL = rb'<(?:[^<>\s/:]+:)?c\b(?![^<>]{0,400}?\sr\s{0,8}=)' + _HAS_CONTENT
#: A row's start or end tag (whether it closes itself, its attributes), or a cell as above.
_ROW_EVENT = re.compile(rb'<(/?)(?:[^<>\s/:]+:)?row\b([^<>]{0,1000}?)(/?)>|' + _REFLESS_CELL)
_ROW_REF = re.compile(rb"""\sr\s{0,8}=\s{0,8}["'](\d{1,9})""")


def _refless_row(data: bytes) -> int:
    """The last row (from 1) where calamine places a cell with content and without a
    reference of its own, or 0: the row a row's reference sets, moved down by one at each end
    of a row, which calamine's lenient parser takes wherever ``</row>`` closes an element.  A
    row tag that closes itself is taken both ways (expanded into a start and an end, or not
    looked at), so the answer only errs upwards.  Only sheets with such cells are walked."""
    if re.search(_REFLESS_CELL, data) is None:
        return 0
    row = last = 0  # row: where the next such cell goes (from 0), at most
    for m in _ROW_EVENT.finditer(data):
        end, attrs, closed = m.groups()
        if attrs is None:  # a cell without a reference
            last = max(last, row + 1)
        elif end:
            row += 1
        else:
            ref = _ROW_REF.search(attrs)
            start = max(int(ref.group(1)) - 1, 0) if ref else None
            if closed:
                row = row + 1 if start is None else max(row, start + 1)
            elif start is not None:
                row = start
    return last


def _scan_xlsb(source: Path | io.BytesIO | zipfile.ZipFile, limits: Limits,
               path: Path | None = None) -> dict[str, SheetScan]:
    """The real extent of each sheet of an .xlsb, from its row and cell records.

    calamine sizes a sheet's grid by the dimension record a file states (BrtWsDim), which
    costs hundreds of megabytes for a few bytes of a damaged or hostile file: the cells
    themselves say how far the sheet reaches, and the sheet is refused before it is loaded
    if that is beyond the limits, or if the stated dimension is far beyond its cells.
    """
    from taizhang.reading.package import records

    scans: dict[str, SheetScan] = {}
    with _opened(source) as zf:
        for name, part in _xlsb_sheet_parts(zf).items():
            try:
                data = zf.read(part)
            except KeyError:
                continue
            scan = SheetScan()
            row = -1
            for _start, rtype, body, _next in records(data):
                if rtype == 0x0000 and len(body) >= 4:  # BrtRowHdr
                    row = int.from_bytes(body[:4], "little")
                elif 0x0001 <= rtype <= 0x000B and len(body) >= 4 and row >= 0:  # BrtCell*, BrtFmla*
                    col = int.from_bytes(body[:4], "little")
                    if rtype != 0x0001:  # a blank cell holds nothing
                        scan.max_row = max(scan.max_row, row + 1)
                        scan.max_col = max(scan.max_col, col + 1)
                        scan.filled = (scan.filled or 0) + 1
                elif rtype == 0x0094 and len(body) >= 16:  # BrtWsDim: what calamine allocates
                    r1, r2, c1, c2 = (int.from_bytes(body[i:i + 4], "little") for i in (0, 4, 8, 12))
                    scan.stated = (max(r2 - r1 + 1, 0), max(c2 - c1 + 1, 0))
            scans[name] = scan
    return scans


def _xlsb_sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> the zip part holding it, in an .xlsb package."""
    from taizhang.reading.package import _rel_attrs, _wide, records

    data = zf.read("xl/workbook.bin")
    rels = {r.get("Id"): r.get("Target", "") for r in _rel_attrs(zf.read("xl/_rels/workbook.bin.rels"))}
    parts = {}
    for _start, rtype, body, _next in records(data):
        if rtype == 0x9C and len(body) >= 8:
            rid, pos = _wide(body, 8)
            title, _ = _wide(body, pos)
            target = rels.get(rid)
            if target:
                parts[title] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    return parts


_ODS_TOKEN = re.compile(
    rb'<table:table\b[^<>]*?table:name="([^"<>]*)"|<table:table-row\b([^<>]*?)>|</table:table-row>'
    rb'|<table:(?:covered-)?table-cell\b([^<>]*?)(/?)>')
_ROWS_REPEATED = re.compile(rb'number-rows-repeated="(\d+)"')
_COLS_REPEATED = re.compile(rb'number-columns-repeated="(\d+)"')
_ODS_TEXT = re.compile(rb"<text:p>([^<]{1,20})</text:p>")


def _scan_ods(source: Path | io.BytesIO | zipfile.ZipFile, limits: Limits,
              path: Path | None = None) -> dict[str, SheetScan]:
    """The real extent of each table of an OpenDocument spreadsheet.

    A few bytes of ``number-rows-repeated`` / ``number-columns-repeated`` can ask for
    billions of cells, which a reader would allocate before we see a row.  Only repeats that
    carry a value count: the empty trailing rows LibreOffice writes by the million do not.
    """
    path = path if path is not None else Path(str(source))
    with _opened(source) as zf:
        info = zf.getinfo("content.xml")
        if info.file_size > limits.max_unzipped_bytes:
            raise WorkbookRefused("file-too-large", f"{path}：内容解压后超过 {limits.max_unzipped_bytes // 1048576} MB，未读取")
        data = zf.read("content.xml")
    scans: dict[str, SheetScan] = {}
    scan = SheetScan()
    row_pos = col_pos = repeat = 0
    has_value = False
    for m in _ODS_TOKEN.finditer(data):
        name, row_attrs, cell_attrs, closed = m.groups()
        if name is not None:
            scan = scans.setdefault(name.decode("utf-8", "replace"), SheetScan())
            row_pos = 0
        elif row_attrs is not None:
            r = _ROWS_REPEATED.search(row_attrs)
            repeat, col_pos, has_value = int(r.group(1)) if r else 1, 0, False
        elif cell_attrs is not None:
            c = _COLS_REPEATED.search(cell_attrs)
            width = int(c.group(1)) if c else 1
            if not closed or b"value-type" in cell_attrs:
                has_value = True
                scan.max_col = max(scan.max_col, col_pos + width)
            if b'value-type="error"' in cell_attrs:
                text = _ODS_TEXT.search(data, m.end(), m.end() + 400)
                scan.errors[(row_pos, col_pos)] = text.group(1).decode("utf-8", "replace") if text else "#错误"
            col_pos += width
        else:  # end of a row
            if has_value:
                scan.max_row = row_pos + repeat
            row_pos += repeat
    return scans


#: BIFF records that hold a cell: row (u16) and column (u16) come first.  Blank cells
#: (BLANK, MULBLANK) are left out: readers do not make grid cells of them.
_BIFF_CELLS = {0x0006, 0x00FD, 0x0203, 0x0204, 0x027E, 0x0205, 0x00D6}
_BIFF_MULRK, _BIFF_BOF, _BIFF_EOF, _BIFF_SHEET = 0x00BD, 0x0809, 0x000A, 0x0085
_BIFF_FORMULA, _BIFF_BOOLERR = 0x0006, 0x0205
#: BIFF error codes and the text Excel shows for them.
_BIFF_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?",
                0x24: "#NUM!", 0x2A: "#N/A"}


def _scan_xls(path: Path, limits: Limits) -> tuple[dict[str, SheetScan], bool]:
    """The real extent of each sheet of a legacy .xls, from its cell records.

    Readers hold a sheet as a dense grid: one cell at row 65,536, column 256 of a 5 KB file
    costs a gigabyte.  Walking the BIFF records first lets such a sheet be skipped.
    """
    import struct

    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            name = "Workbook" if ole.exists("Workbook") else "Book"
            data = ole.openstream(name).read()
    except Exception:  # noqa: BLE001 - a damaged container: let the reader say what is wrong
        return {}, True

    def records(pos: int):
        while pos + 4 <= len(data):
            rtype, size = struct.unpack_from("<HH", data, pos)
            yield pos, rtype, data[pos + 4: pos + 4 + size]
            pos += 4 + size

    sheets: list[tuple[str, int]] = []
    biff8 = True
    for pos, rtype, body in records(0):
        if rtype == _BIFF_BOF and pos == 0 and len(body) >= 2:
            biff8 = struct.unpack_from("<H", body)[0] >= 0x0600
        elif rtype == _BIFF_SHEET and len(body) >= 8:
            offset, cch = struct.unpack_from("<I", body)[0], body[6]
            if biff8:
                raw = body[8:]
                title = raw[: cch * 2].decode("utf-16-le", "replace") if body[7] & 1 else raw[:cch].decode("latin-1")
            else:
                title = body[7: 7 + cch].decode("gbk", "replace")
            sheets.append((title, offset))
        elif rtype == _BIFF_EOF:
            break
    scans: dict[str, SheetScan] = {}
    for title, offset in sheets:
        scan = scans.setdefault(title, SheetScan())
        for _pos, rtype, body in records(offset):
            if rtype in _BIFF_CELLS and len(body) >= 4:
                row, col = struct.unpack_from("<HH", body)
                error = _biff_error(rtype, body)
                if error is not None:
                    scan.errors[(row, col)] = error
            elif rtype == _BIFF_MULRK and len(body) >= 6:
                row = struct.unpack_from("<H", body)[0]
                col = struct.unpack_from("<H", body, len(body) - 2)[0]
            elif rtype == _BIFF_EOF:
                break
            else:
                continue
            scan.max_row = max(scan.max_row, row + 1)
            scan.max_col = max(scan.max_col, col + 1)
            scan.filled = (scan.filled or 0) + (len(body) - 6) // 6 if rtype == _BIFF_MULRK else (scan.filled or 0) + 1
    return scans, biff8


def _biff_error(rtype: int, body: bytes) -> str | None:
    """The error a BOOLERR or FORMULA record shows (``#REF!`` …), or None."""
    if rtype == _BIFF_BOOLERR and len(body) >= 8 and body[7] == 1:
        return _BIFF_ERRORS.get(body[6], "#错误")
    if rtype == _BIFF_FORMULA and len(body) >= 14 and body[12:14] == b"\xff\xff" and body[6] == 2:
        return _BIFF_ERRORS.get(body[8], "#错误")
    return None


def sheet_parts(zf: zipfile.ZipFile | Parts) -> dict[str, str]:
    """Sheet name -> the zip part holding it, in an xlsx/xlsm package (a ``zipfile.ZipFile``,
    or a :class:`package.Parts`, which keeps the answer, or the error, for the next asking)."""
    from taizhang.reading.package import Parts

    if not isinstance(zf, Parts):
        return _sheet_parts(zf.read)
    memo = zf.memo.get("sheet_parts")
    if memo is None:
        try:
            memo = zf.memo["sheet_parts"] = _sheet_parts(zf.read)
        except Exception as exc:  # noqa: BLE001 - the callers tell the errors apart
            memo = zf.memo["sheet_parts"] = exc
    if isinstance(memo, Exception):
        raise memo
    return dict(memo)


def _sheet_parts(read: Any) -> dict[str, str]:
    wb = ElementTree.fromstring(read("xl/workbook.xml"))
    rels = ElementTree.fromstring(read("xl/_rels/workbook.xml.rels"))
    targets = {}
    for rel in rels:
        target = rel.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else "xl/" + target
        targets[rel.get("Id")] = target
    # by local names: transitional and strict OOXML differ only in their namespaces
    parts = {}
    for sh in (e for e in wb.iter() if _local(e.tag) == "sheet"):
        rid = next((v for k, v in sh.attrib.items() if _local(k) == "id"), None)
        if rid in targets:
            parts[sh.get("name")] = targets[rid]
    return parts


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


def in_folder(child: Path) -> bool:
    """Whether a folder's entry is read as a unit's workbook (or refused with a reason):
    workbooks and their look-alikes, but not Office lock files (``~$…``), hidden files
    (LibreOffice's ``.~lock.…#``, taizhang's temporary files) nor taizhang's own outputs,
    masters and their backups, known by the mark inside them."""
    from taizhang.writing import is_own_output

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
