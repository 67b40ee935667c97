"""Open a workbook file of any Excel format and hand back its sheets as plain grids.

This is the adapter at the edge: python-calamine reads xlsx, xlsm, xlsb, xls and ods fast
and without Excel.  Anything that is not a readable workbook is refused here with a
:class:`WorkbookRefused` that carries a stable finding code and a one-line Chinese reason;
nothing else escapes.  The file is only ever opened for reading.
"""

from __future__ import annotations

import contextlib
import io
import os
import zipfile
import zlib
from pathlib import Path
from typing import Any

import python_calamine as calamine

from taizhang import workers
from taizhang.reading import package
from taizhang.reading.book import CELL_IMAGE, ENCRYPTED, Limits, Sheet, Workbook, WorkbookRefused, log
from taizhang.reading.extent import (SheetScan, _describe, _refuse_declarations, _scan_ods, _scan_ooxml, _scan_xls,
                                     _scan_xlsb, sheet_parts)
from taizhang.reading.ods import without_tables
from taizhang.reading.package import Parts
from taizhang.reading.sniff import _sniff


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
            return _read_isolated(path, limits)
        return _read_default_password(path, limits, exc)
    with contextlib.closing(parts) if parts is not None else contextlib.nullcontext():
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            raise WorkbookRefused(
                "file-too-large",
                f"{path}：文件大小 {size / 1048576:.0f} MB，超过上限 {limits.max_file_bytes / 1048576:.0f} MB",
            )
        if isolate and fmt in ISOLATED_FORMATS:
            if parts is not None:
                parts.close()  # the child opens the file itself
            return _read_isolated(path, limits)
        if fmt == "xls":
            return _read_xls(path, limits)
        return _read_package(path, fmt, limits, parts)


def _read_isolated(path: Path, limits: Limits) -> Workbook:
    """``taizhang.reading.isolated.read_isolated``, imported when first needed (with
    subprocess and pickle): most runs read no .xls."""
    from taizhang.reading.isolated import read_isolated

    return read_isolated(path, limits)


#: The password Excel uses when a workbook is encrypted without one being asked for (a
#: protected workbook structure, say): Excel opens such a file without a prompt.
EXCEL_DEFAULT_PASSWORD = "VelvetSweatshop"


def _read_default_password(path: Path, limits: Limits, refusal: WorkbookRefused) -> Workbook:
    """An encrypted workbook that Excel opens without asking: decrypted with Excel's own
    default password (in memory, into a folder of its own in the run's private folder, see
    ``taizhang.workers.private_folder``) and read; any other password is never guessed, and
    the refusal stands."""
    import tempfile

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


#: The most cells calamine builds for a table of an .ods; past it, it refuses the file at once.
CALAMINE_ODS_CELLS = 100_000_000


def _read_package(path: Path, fmt: str, limits: Limits, opened: Parts | None = None) -> Workbook:
    """An OOXML package (.xlsx .xlsm .xltx .xltm .xlsb) or an OpenDocument spreadsheet;
    ``opened``: the package as :func:`_sniff` left it open (a :class:`package.Parts`)."""
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
    # calamine spells out every table of an .ods when it opens the file: a table too large to
    # read is emptied first (one past calamine's own guard is refused by calamine, unread)
    too_large = {name for name, scan in scans.items()
                 if scan.too_large(limits) and scan.max_row * scan.max_col <= CALAMINE_ODS_CELLS}
    if fmt == "ods" and too_large:
        try:
            source = without_tables(source, too_large)
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


def _trim_trailing_blank(rows: list[list[Any]]) -> list[list[Any]]:
    end = len(rows)
    while end and all(v is None or v == "" for v in rows[end - 1]):
        end -= 1
    return rows[:end]
