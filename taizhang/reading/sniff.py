"""What a file is, told from its first bytes and its zip or OLE directory before any reader
opens it: the format to read it as, or a :class:`WorkbookRefused` (a text file, an encrypted
or a 1990 workbook, a Word document …)."""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path


from taizhang.errors import os_error_zh
from taizhang.reading.book import (ENCRYPTED, IWORK_SUFFIXES, NUMBERS_ADVICE, OLD_FORMAT_ADVICE, OLE_MAGIC,
                                   ZIP_MAGIC, WorkbookRefused)
from taizhang.reading.package import Parts, find_workbook


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
