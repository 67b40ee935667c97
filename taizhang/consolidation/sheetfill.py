"""The master's sheets filled from the store's blocks: sheet-XML surgery on the saved xlsx.

openpyxl saves each sheet the store fills with its header and one template row; here its
``<sheetData>`` is replaced by the blocks' pieces of row XML (compressed once each, kept in
the store) laid end to end, so writing the master costs the month's new rows, not the year's.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING

from openpyxl.utils import get_column_letter

from taizhang.consolidation.deflate import piece, write_deflated
from taizhang.consolidation.sheetxml import template_styles
from taizhang.consolidation.tagging import dumps
from taizhang.reading.extent import sheet_parts
from taizhang.records import dataclass

if TYPE_CHECKING:
    from taizhang.consolidation.store import Store

_HEADER_ROW = re.compile(r'<row r="1"[ >].*?</row>', re.S)
_SHEET_DATA = re.compile(r"<sheetData>.*?</sheetData>|<sheetData\s*/>", re.S)


_CELL_XFS = re.compile(r"<cellXfs\b[^>]*>(.*?)</cellXfs>", re.S)
_XF = re.compile(r"<xf\b[^>]*/>|<xf\b.*?</xf>", re.S)


def _canonical_styles(zin: zipfile.ZipFile) -> dict[str, str]:
    """Style id -> the first id of an identical cell style.  openpyxl appends a copy of a style
    the loaded master already has; naming each style by its first copy keeps the ids in the
    pieces of earlier months valid from one run to the next."""
    try:
        xml = zin.read("xl/styles.xml").decode("utf-8")
    except KeyError:
        return {}
    found = _CELL_XFS.search(xml)
    first: dict[str, int] = {}
    out = {}
    for i, xf in enumerate(_XF.findall(found.group(1)) if found else []):
        out[str(i)] = str(first.setdefault(xf, i))
    return out


@dataclass
class SheetPlan:
    """A sheet to fill from the store: its columns, which hold dates, its blocks in order."""

    columns: list[str]
    date_columns: set[str]
    order: list[tuple[str, str]]  # (unit, month) of its blocks, top to bottom
    rows: int  # how many rows the blocks hold
    #: per column, its width when its text wraps (each row is then as tall as its lines), else None
    wrap: list = field(default_factory=list)


def write_sheets(path: Path, store: Store, plans: dict[str, SheetPlan]) -> None:
    """Fill the named sheets of the xlsx at ``path`` from the store's blocks.

    Each sheet was saved (by openpyxl) with its header in row 1 and a template row 2 whose
    formatted cells give the style ids of dates and money; its rows become the blocks' pieces
    laid end to end between the sheet's own beginning and end, compressed once each.
    """
    tmp = path.with_name(path.name + ".blocks")
    try:  # an interrupted run (Ctrl-C) leaves no half-written file beside the master
        with zipfile.ZipFile(path) as zin:
            parts = sheet_parts(zin)
            canonical = _canonical_styles(zin)
            targets = {parts[name]: name for name in plans if name in parts}
            with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
                for item in zin.infolist():
                    if item.filename not in targets:
                        zout.writestr(item, zin.read(item.filename))
                        continue
                    plan = plans[targets[item.filename]]
                    xml = zin.read(item.filename).decode("utf-8")
                    styles_by_letter = {k: canonical.get(v, v) for k, v in template_styles(xml).items()}
                    letters = [get_column_letter(i) for i in range(1, len(plan.columns) + 1)]
                    styles = [styles_by_letter.get(letter) for letter in letters]
                    date_style = next((s for s, c in zip(styles, plan.columns) if s and c in plan.date_columns), None)
                    style = dumps([plan.columns, styles, date_style, plan.wrap])
                    last = f"{letters[-1]}{plan.rows + 1}"
                    xml = re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="A1:{last}"/>', xml, count=1)
                    xml = re.sub(r'<autoFilter ref="[^"]*"', f'<autoFilter ref="A1:{last}"', xml, count=1)
                    data = _SHEET_DATA.search(xml)
                    assert data is not None, "openpyxl writes <sheetData>"
                    header = _HEADER_ROW.search(data.group(0))
                    head = xml[:data.start()] + "<sheetData>" + (header.group(0) if header else "")
                    tail = "</sheetData>" + xml[data.end():]
                    write_deflated(zout, item.filename, [
                        piece(head.encode("utf-8")),
                        *store.pieces(targets[item.filename], plan.order, style, styles, date_style, plan.wrap),
                        piece(tail.encode("utf-8"), final=True),
                    ])
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
