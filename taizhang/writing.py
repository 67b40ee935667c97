"""Writing ledger text into workbooks safely.

openpyxl turns any string that starts with ``=`` into a live formula, and refuses control
characters.  Text that came from a unit's ledger goes through :func:`put` so that it is
always stored as text (``=HYPERLINK(...)`` stays the characters the unit typed) and never
breaks the save.
"""

from __future__ import annotations

import os
import re
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.worksheet.worksheet import Worksheet

from taizhang import workers
from taizhang.reading.folder import _CUSTOM_PART, MARK_NAME, MARK_VALUE, _has_mark_part

#: What a spreadsheet may take as the start of a formula (and CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def clean_string(text: str) -> str:
    """``text`` without the control characters an xlsx cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def put(ws: Worksheet, row: int, column: int, value: Any, number_format: str | None = None) -> Cell:
    """Write ``value`` into ``ws`` at (row, column), 1-based; strings always as text."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = clean_string(value)
        cell.data_type = "s"
    elif isinstance(value, bool) or value is None or isinstance(value, (int, float, Decimal, date, datetime)):
        cell.value = value
    else:
        cell.value = clean_string(str(value))
        cell.data_type = "s"
    if number_format:
        cell.number_format = number_format
    return cell


#: Every file :func:`replace_atomically` put in place in this process, in order: the command
#: line's Ctrl-C handler tells the clerk what was written before the interruption.
replaced: list[Path] = []


def replace_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Write ``path`` through ``write(tmp)`` on a temporary file beside it, then move it into
    place: a crash or a kill midway leaves the previous file as it was.

    This is the one way taizhang writes a workbook: a file open in Excel, WPS or LibreOffice
    is refused (:class:`FileInUse`) before anything is written, and what is written carries
    taizhang's mark (see :func:`is_own_output`)."""
    lock = open_elsewhere(path)
    if lock is not None:
        raise FileInUse(path, lock)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    sheet_files_in_private_folder()
    try:
        write(tmp)
        if path.suffix.lower() in (".xlsx", ".xlsm"):  # a workbook (the report's .docx is no ledger)
            ensure_mark(tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        replaced.append(Path(path))
    finally:
        tmp.unlink(missing_ok=True)


def sheet_files_in_private_folder() -> None:
    """openpyxl writes each worksheet of a workbook it saves into a file of the system's
    temporary folder before zipping it (``openpyxl.worksheet._writer.create_temporary_file``):
    a detail sheet's names and phone numbers, left there should the process be killed midway.
    From the first save on, those files go into the run's private folder instead (0700,
    removed at exit, swept by the next run if this one was killed: ``taizhang.workers``)."""
    from openpyxl.worksheet import _writer

    if getattr(_writer.create_temporary_file, "_taizhang", False):
        return

    def create_temporary_file(suffix: str = "") -> str:
        import tempfile

        with tempfile.NamedTemporaryFile(mode="w+", suffix=suffix, prefix="openpyxl.", delete=False,
                                         dir=workers.private_folder()) as fobj:
            filename = fobj.name
        _writer.ALL_TEMP_FILES.append(filename)  # as openpyxl's own: removed after use, and at exit
        return filename

    create_temporary_file._taizhang = True  # type: ignore[attr-defined]
    _writer.create_temporary_file = create_temporary_file


# -- taizhang's own outputs: a mark inside them, and files open in another program ---------

_CUSTOM_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
_CUSTOM_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"


def mark_output(wb: Any) -> None:
    """Put taizhang's mark on an openpyxl workbook about to be saved."""
    from openpyxl.packaging.custom import StringProperty

    props = wb.custom_doc_props
    for prop in list(props.props):
        if prop.name == MARK_NAME:
            props.props.remove(prop)
    props.append(StringProperty(name=MARK_NAME, value=MARK_VALUE))


def ensure_mark(path: Path) -> None:
    """Make sure the workbook at ``path`` carries the mark (rewriting its package when the
    writer did not set it through :func:`mark_output`)."""
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        custom = next((n for n in names if n.lower() == _CUSTOM_PART.lower()), None)
        if custom is not None and _has_mark_part(zf.read(custom)):
            return
        parts = {n: zf.read(n) for n in names}
        infos = {i.filename: i for i in zf.infolist()}
    def prop(pid: int) -> str:
        return (f'<property fmtid="{_FMTID}" pid="{pid}" name="{MARK_NAME}">'
                f"<vt:lpwstr>{MARK_VALUE}</vt:lpwstr></property>")

    if custom is not None:
        data = parts[custom].decode("utf-8")
        pid = 1 + max((int(p) for p in re.findall(r'pid="(\d+)"', data)), default=1)
        data = re.sub(r"</(\w+:)?Properties>\s*$", lambda m: prop(pid) + m.group(0), data)
        parts[custom] = data.encode("utf-8")
    else:
        custom = _CUSTOM_PART
        parts[custom] = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                         '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
                         'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
                         + prop(2) + "</Properties>").encode("utf-8")
        types = parts["[Content_Types].xml"].decode("utf-8")
        if "/docProps/custom.xml" not in types:
            types = types.replace("</Types>", f'<Override PartName="/docProps/custom.xml" ContentType="{_CUSTOM_TYPE}"/></Types>')
            parts["[Content_Types].xml"] = types.encode("utf-8")
        rels = parts["_rels/.rels"].decode("utf-8")
        if _CUSTOM_REL not in rels:
            rels = rels.replace("</Relationships>",
                                f'<Relationship Id="rIdTaizhangMark" Type="{_CUSTOM_REL}" Target="docProps/custom.xml"/>'
                                "</Relationships>")
            parts["_rels/.rels"] = rels.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in parts.items():
            info = infos.get(name)
            if info is not None:
                info.compress_type = zipfile.ZIP_DEFLATED
                zout.writestr(info, data)
            else:
                zout.writestr(name, data)


class FileInUse(OSError):
    """The file is open in Excel, WPS or LibreOffice (their lock file lies beside it)."""

    def __init__(self, path: Path, lock: Path) -> None:
        super().__init__(f"{path} 文件正在被打开（{lock.name}）")
        self.path, self.lock = path, lock

    def message(self, what: str) -> str:
        return (f"{what} {self.path} 文件正在被打开（旁边有 Excel/WPS/LibreOffice 的锁文件 {self.lock.name}），"
                f"请先关闭该文件再运行；文件未改动（如确认没有打开，可删除锁文件 {self.lock}）")


def open_elsewhere(path: Path) -> Path | None:
    """The lock file Excel, WPS (``~$name``, or ``~$`` over the name's first two characters
    for a long name) or LibreOffice (``.~lock.name#``) keeps beside a workbook it has open."""
    path = Path(path)
    candidates = [f"~${path.name}", f".~lock.{path.name}#"]
    if len(path.name) > 2:
        candidates.append(f"~${path.name[2:]}")
    for name in candidates:
        lock = path.with_name(name)
        try:
            if lock.is_file():
                return lock
        except OSError:
            continue
    return None
