"""Open a workbook file of any Excel format and hand back its sheets as plain grids.

This is the adapter at the edge: python-calamine reads xlsx, xlsm, xlsb, xls and ods fast
and without Excel.  Anything that is not a readable workbook is refused here with a
:class:`WorkbookRefused` that carries a stable finding code and a one-line Chinese reason;
nothing else escapes.  The file is only ever opened for reading.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from defusedxml import DefusedXmlException, ElementTree

import python_calamine as calamine

#: Files taken as workbooks when a folder is read.  ``.et`` is WPS 表格's own format: the
#: same BIFF8 container as an Excel 97-2003 ``.xls``.
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".et")
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
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


class WorkbookRefused(Exception):
    """The file cannot be read as a workbook at all."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


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
        raise WorkbookRefused("unreadable-file", f"{path}：无法读取（{exc.strerror or exc}）") from None
    if not head:
        raise WorkbookRefused("not-a-workbook", f"{path}：文件是空的（0 字节）")
    if head.startswith(ZIP_MAGIC):
        return _sniff_zip(path)
    if head.startswith(OLE_MAGIC):
        return _sniff_ole(path)
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


def _looks_like_text(head: bytes) -> bool:
    for encoding in ("utf-8", "gb18030", "utf-16"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError:
            continue
        return not any(ord(ch) < 9 for ch in text)
    return False


def _sniff_zip(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if "mimetype" in names:
                mime = zf.read("mimetype")[:100]
                if b"spreadsheet" in mime:
                    return "ods"
                raise WorkbookRefused("not-a-workbook", f"{path}：这是 OpenDocument 文档，但不是电子表格")
    except WorkbookRefused:
        raise
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, ValueError, EOFError, RuntimeError, KeyError,
            OSError):
        # a damaged package fails in many ways inside zipfile (fuzzing found several)
        raise WorkbookRefused("corrupt-workbook", f"{path}：文件已损坏（压缩包结构不完整），请让报送单位重新发送") from None
    if "xl/workbook.xml" in names:
        return "xlsm" if "xl/vbaProject.bin" in names else "xlsx"
    if "xl/workbook.bin" in names:
        return "xlsb"
    if any(n.startswith("word/") for n in names):
        raise WorkbookRefused("not-a-workbook", f"{path}：这是 Word 文档，不是 Excel 工作簿")
    if any(n.startswith("ppt/") for n in names):
        raise WorkbookRefused("not-a-workbook", f"{path}：这是 PowerPoint 文档，不是 Excel 工作簿")
    if "Index/Document.iwa" in names or any(n.endswith(".numbers/Index.zip") for n in names):
        raise WorkbookRefused("not-a-workbook", f"{path}：{NUMBERS_ADVICE}")
    raise WorkbookRefused("not-a-workbook", f"{path}：这是压缩包，但不是 Excel 工作簿")


def _sniff_ole(path: Path) -> str:
    # An encrypted xlsx is an OLE container with EncryptionInfo/EncryptedPackage streams.
    with path.open("rb") as fh:
        data = fh.read(1 << 20)
    if "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data:
        raise WorkbookRefused("encrypted-workbook", f"{path}：文件设置了打开密码（已加密），请报送单位取消密码后重新发送")
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        return "xls"
    if "WordDocument".encode("utf-16-le") in data:
        raise WorkbookRefused("not-a-workbook", f"{path}：这是 Word 文档，不是 Excel 工作簿")
    return "xls"


#: Formats read in a child process (see ``taizhang.reading.isolated``): the reader has been
#: seen to abort the process on damaged .xls files, and .xlsb (a binary format) has no
#: size scan of ours before the reader builds its grid.
ISOLATED_FORMATS = frozenset({"xls", "xlsb"})


def open_workbook(path: str | os.PathLike, limits: Limits | None = None, *, isolate: bool = True) -> Workbook:
    """Read every sheet of the workbook at ``path``; refuse with a reason if it cannot be read."""
    path = Path(path)
    limits = limits or Limits()
    fmt = sniff(path)
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise WorkbookRefused(
            "file-too-large",
            f"{path}：文件大小 {size / 1048576:.0f} MB，超过上限 {limits.max_file_bytes / 1048576:.0f} MB",
        )
    if isolate and fmt in ISOLATED_FORMATS:
        from taizhang.reading.isolated import read_isolated

        return read_isolated(path, limits)
    scans: dict[str, SheetScan] = {}
    if fmt == "xls":  # calamine loads every sheet of an .xls as it opens it: judge them first
        scans, biff8 = _scan_xls(path, limits)
        for title, scan in scans.items():
            if scan.too_large(limits):
                raise WorkbookRefused("file-too-large", f"{path}：工作表“{title}”{scan.describe(limits)[3:]}")
        if not biff8:  # Excel 5.0/95 and older: calamine garbles their code-page text
            return _read_legacy_xls(path, limits)
    try:
        if path.suffix.lower().lstrip(".") == fmt or (fmt == "xlsx" and path.suffix.lower() == ".xlsm"):
            book = calamine.CalamineWorkbook.from_path(str(path))
        else:  # an .xls saved as .xlsx and the like: calamine picks its reader by extension
            with path.open("rb") as fh:
                book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(fh.read()))
    except calamine.PasswordError:
        raise WorkbookRefused("encrypted-workbook", f"{path}：文件设置了打开密码（已加密），请报送单位取消密码后重新发送") from None
    except BaseException as exc:  # noqa: BLE001 - see _reader_failure
        raise _reader_failure(exc, path) from None
    try:
        scanner = {"xlsx": _scan_ooxml, "xlsm": _scan_ooxml, "ods": _scan_ods}.get(fmt)
        if scanner:
            scans = scanner(path, limits)
        sheets = []
        for meta in book.sheets_metadata:
            if str(meta.typ) not in ("SheetTypeEnum.WorkSheet", "WorkSheet"):
                continue  # chart sheets, macro sheets
            sheets.append(_read_sheet(book, meta, scans.get(meta.name), limits))
    except WorkbookRefused:
        raise
    except BaseException as exc:  # noqa: BLE001 - see _reader_failure
        raise _reader_failure(exc, path) from None
    finally:
        book.close()
    return Workbook(path=path, format=fmt, sheets=sheets)


def _reader_failure(exc: BaseException, path: Path) -> WorkbookRefused:
    """What the reader's failure on a damaged file means for the clerk.

    calamine raises a variety of errors on broken parts, and sometimes panics: pyo3's
    PanicException derives from BaseException, so it is caught here too (but Ctrl-C and
    interpreter exit are not swallowed).
    """
    if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
        raise exc
    if "limit exceeded" in str(exc).lower():  # calamine's own guard against repeated cells
        return WorkbookRefused("file-too-large", f"{path}：工作表的单元格数超过读取上限（{_short(exc)}），未读取")
    return WorkbookRefused("corrupt-workbook", f"{path}：文件已损坏，无法读取（{_short(exc)}）")


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:120]


def _read_legacy_xls(path: Path, limits: Limits) -> Workbook:
    """An Excel 5.0/95 (BIFF5/7) workbook, read with xlrd, which honours its code page.

    calamine reads these files' structure but decodes their 8-bit text (GBK in a Chinese
    office) as garbage; xlrd decodes it as the file's CODEPAGE record says.
    """
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True)
    except Exception as exc:  # noqa: BLE001 - xlrd's errors are many; all mean the file is damaged
        raise WorkbookRefused("corrupt-workbook", f"{path}：文件已损坏，无法打开（{_short(exc)}）") from None
    sheets = []
    try:
        for index in range(book.nsheets):
            ws = book.sheet_by_index(index)
            rows = []
            errors: dict[tuple[int, int], str] = {}
            for r in range(min(ws.nrows, limits.max_rows)):
                row = []
                for c in range(min(ws.ncols, limits.max_columns)):
                    cell = ws.cell(r, c)
                    if cell.ctype == xlrd.XL_CELL_DATE:
                        row.append(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode))
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
        raise WorkbookRefused("corrupt-workbook", f"{path}：文件已损坏，无法读取（{_short(exc)}）") from None
    finally:
        book.release_resources()
    return Workbook(path=path, format="xls", sheets=sheets)


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

    def too_large(self, limits: Limits) -> bool:
        cells = self.max_row * min(self.max_col, limits.max_columns)
        return self.max_row > limits.max_rows or cells > limits.max_cells

    def describe(self, limits: Limits) -> str:
        return _describe(self.max_row, self.max_col, limits)


_ROW_REF = re.compile(rb'<(?:\w+:)?row\b[^<>]{0,1000}?\sr="(\d+)"')
_FAR_ROW = re.compile(rb'\sr="[A-Z]{1,3}(\d{6,})"')
_WIDE_COL = re.compile(rb'\sr="([A-Z]{2,3})\d')
#: A cell's start tag (attributes, self-closing slash) or its end tag.  Every pattern here is
#: bounded and stops at ``<``, so that a hostile part of unclosed tags costs linear time
#: (an unbounded ``.*?`` made a 500 KB part take a minute).
_CELL_TAG = re.compile(rb'<(?:\w+:)?c\b([^<>]{0,400}?)(/?)>|</(?:\w+:)?c>')
_CELL_REF = re.compile(rb'\sr="([A-Z]{1,3})(\d+)"')
_FORMULA = re.compile(rb"<(?:\w+:)?f\b")
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]{0,20})")


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


def _scan_ooxml(path: Path, limits: Limits) -> dict[str, SheetScan]:
    """Check a zipped workbook's unpacked size, then scan each sheet's XML for its real
    extent and for formulas without a cached value.

    The extent is taken from the cells themselves, not from the ``<dimension>`` a hostile
    file could fake, so that a sheet too large to hold in memory is never handed to a
    parser.  Files written by programs (openpyxl among them) store formulas without results;
    Excel computes them on opening, but a reader sees an empty cell, so the checker says so.
    """
    scans: dict[str, SheetScan] = {}
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        unpacked = sum(i.file_size for i in infos)
        packed = sum(i.compress_size for i in infos) or 1
        if unpacked > limits.max_unzipped_bytes or (
                unpacked > 100 * 1024 * 1024 and unpacked / packed > limits.max_ratio):
            raise WorkbookRefused(
                "file-too-large",
                f"{path}：文件解压后有 {unpacked / 1048576:,.0f} MB（压缩前 {packed / 1048576:,.1f} MB），"
                f"超过上限 {limits.max_unzipped_bytes / 1048576:,.0f} MB，可能是“压缩炸弹”，未读取")
        try:
            parts = sheet_parts(zf)
        except DefusedXmlException:
            raise WorkbookRefused(
                "unsafe-workbook",
                f"{path}：工作簿结构中含有 Excel 从不生成的 XML 实体声明（可能是恶意文件），未读取") from None
        except (KeyError, ElementTree.ParseError, ValueError):
            return scans
        names = set(zf.namelist())
        for name, part in parts.items():
            if part not in names:
                continue
            data = zf.read(part)
            scan = SheetScan()
            # Rows from <row r=…>, and cells whose own reference lies beyond row 99,999.
            # Only the bound matters: every one-letter column counts as 26, so the scan
            # builds no list as long as the sheet.
            big_rows = _ROW_REF.findall(data) + _FAR_ROW.findall(data)
            scan.max_row = max((int(r) for r in big_rows), default=0)
            wide = {c for c in _WIDE_COL.findall(data)}
            scan.max_col = max((_col_index(c.decode()) + 1 for c in wide), default=26 if b' r="' in data else 0)
            if b"<f" in data or b":f" in data or b't="e"' in data:
                _scan_cells(data, scan)
            scans[name] = scan
    return scans


_ODS_TOKEN = re.compile(
    rb'<table:table\b[^<>]*?table:name="([^"<>]*)"|<table:table-row\b([^<>]*?)>|</table:table-row>'
    rb'|<table:(?:covered-)?table-cell\b([^<>]*?)(/?)>')
_ROWS_REPEATED = re.compile(rb'number-rows-repeated="(\d+)"')
_COLS_REPEATED = re.compile(rb'number-columns-repeated="(\d+)"')
_ODS_TEXT = re.compile(rb"<text:p>([^<]{1,20})</text:p>")


def _scan_ods(path: Path, limits: Limits) -> dict[str, SheetScan]:
    """The real extent of each table of an OpenDocument spreadsheet.

    A few bytes of ``number-rows-repeated`` / ``number-columns-repeated`` can ask for
    billions of cells, which a reader would allocate before we see a row.  Only repeats that
    carry a value count: the empty trailing rows LibreOffice writes by the million do not.
    """
    with zipfile.ZipFile(path) as zf:
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
    return scans, biff8


def _biff_error(rtype: int, body: bytes) -> str | None:
    """The error a BOOLERR or FORMULA record shows (``#REF!`` …), or None."""
    if rtype == _BIFF_BOOLERR and len(body) >= 8 and body[7] == 1:
        return _BIFF_ERRORS.get(body[6], "#错误")
    if rtype == _BIFF_FORMULA and len(body) >= 14 and body[12:14] == b"\xff\xff" and body[6] == 2:
        return _BIFF_ERRORS.get(body[8], "#错误")
    return None


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> the zip part holding it, in an xlsx/xlsm package."""
    wb = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
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
    workbooks and their look-alikes, but not Office lock files (``~$…``) or hidden files."""
    if child.name.startswith(("~$", ".")):
        return False
    suffix = child.suffix.lower()
    if suffix in IWORK_SUFFIXES:
        return True  # a Numbers package is a folder
    return (child.is_file() or child.is_symlink()) and suffix in (*WORKBOOK_SUFFIXES, *LOOKALIKE_SUFFIXES)


def expand_paths(paths: list[str | os.PathLike]) -> list[Path]:
    """Files to read: each file as given, each folder's workbooks (not recursing)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir() and p.suffix.lower() not in IWORK_SUFFIXES:
            out.extend(child for child in sorted(p.iterdir()) if in_folder(child))
        else:
            out.append(p)
    return out
