"""Which files of a folder are read as units' workbooks: workbooks and their look-alikes
(refused with a reason), never lock files, hidden files nor taizhang's own outputs (known by
the mark inside them)."""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path

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


def is_own_output(path: Path) -> bool:
    """Whether ``path`` is a workbook taizhang wrote (its mark, or the sheets only a master
    has); never raises."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = {n.lower(): n for n in zf.namelist()}
            custom = names.get(_CUSTOM_PART.lower())
            if custom is not None:
                with zf.open(custom) as fh:
                    if _has_mark_part(fh.read(1 << 20)):
                        return True
            book = names.get("xl/workbook.xml")
            if book is None:
                return False
            with zf.open(book) as fh:
                text = fh.read(1 << 20).decode("utf-8", "replace")
    except Exception:  # noqa: BLE001 - not a zip, damaged, unreadable: not ours
        return False
    sheets = {unescape(m) for m in re.findall(r'<(?:\w+:)?sheet\b[^>]*?\bname="([^"]*)"', text)}
    return MASTER_SHEETS <= sheets


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
