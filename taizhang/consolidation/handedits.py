"""What the clerk did to the master by hand, kept or refused: columns added to the sheets
taizhang writes are kept (and carried onto the rows written anew), while a sheet renamed or
deleted, a column taizhang writes renamed, or a summary sheet edited is refused before
anything is written."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from taizhang.config import Config
from taizhang.consolidation.master import (
    FINDINGS_COLUMNS, FINDINGS_SHEET, ISSUES_COLUMN, STATUS_COLUMNS, STATUS_SHEET, Table, detail_header, detail_sheets,
)
from taizhang.consolidation.outcomes import ConsolidationError
from taizhang.consolidation.store import Store
from taizhang.consolidation.tagging import dumps
from taizhang.values import clean_text

def same_value(value: Any) -> Any:
    """A cell value as compared when rows are matched (a number however typed, a date)."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float, Decimal)):
        return Decimal(str(value)).normalize()
    if isinstance(value, datetime):
        return value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, str):
        return clean_text(value) or None
    return value


def required_columns(config: Config, depth: int = 0) -> dict[str, list[str]]:
    """The columns taizhang writes, per sheet it owns (any other column was added by hand)."""
    required: dict[str, list[str]] = {
        name: detail_header(config, kind, depth) for kind, name in detail_sheets().items()}
    required[STATUS_SHEET], required[FINDINGS_SHEET] = list(STATUS_COLUMNS), list(FINDINGS_COLUMNS)
    return required


#: Columns a row is not matched on (they change when the same row is sent again).
_UNMATCHED = {"来源文件", ISSUES_COLUMN, "文件时间", "文件"}


def carry_rows(rows: list[dict], old: list[dict], added: list[str], required: list[str]) -> int:
    """Give ``rows`` the values of the ``added`` columns that the ``old`` rows they replace
    held, matched on every other column taizhang writes (``required``); returns how many old
    rows holding such values found no match."""
    match = [c for c in required if c not in _UNMATCHED]
    waiting: dict[tuple, list[dict]] = {}
    for r in old:
        if any(r.get(c) not in (None, "") for c in added):
            waiting.setdefault(tuple(same_value(r.get(c)) for c in match), []).append(r)
    for r in rows:
        found = waiting.get(tuple(same_value(r.get(c)) for c in match))
        if found:
            r.update({c: v for c, v in found.pop(0).items() if c in added})
    return sum(len(v) for v in waiting.values())


def lost_rows(name: str, left: int, added: list[str]) -> str:
    """The notice's words for rows with hand-added values that could not be carried."""
    return f"“{name}”有 {left} 行的“{'”“'.join(added)}”"


def carry_added_columns(store: Store, tables: dict[str, Table], before: dict[str, list[dict]],
                        replaced: dict[str, set], config: Config, depth: int = 0) -> str:
    """Give the rows this run writes anew the values of the columns added by hand that the
    rows they replace held: matched on every other column taizhang writes (the same row of a
    unit's ledger, consolidated again or sent again unchanged).  Returns what could not be
    matched (a row the unit changed or removed), for the notice; it stays in the backup."""
    required = required_columns(config, depth)
    lost = []
    for name, table in tables.items():
        added = [c for c in table.columns if c not in required[name]]
        if not added:
            continue
        if name in before:
            old = before[name]
        else:
            old = [dict(zip(table.columns, r)) for unit, month in sorted(replaced.get(name, ()))
                   for r in store.block_rows_as_written(name, unit, month)]
        left = carry_rows(table.rows, old, added, required[name])
        if left:
            lost.append(lost_rows(name, left, added))
    return "、".join(lost)


def kept_columns(found: list[str], required: list[str]) -> list[str]:
    """A sheet's columns: those found in the master, in its order (columns added or moved by
    hand are kept), and each one taizhang writes that is not there yet after the one it
    follows (a column the office's configuration adds)."""
    out = [h for h in found if h]
    for i, column in enumerate(required):
        if column not in out:
            before = required[i - 1] if i else None
            out.insert(out.index(before) + 1 if before in out else 0, column)
    return out


def summary_values(rows: Any) -> list[str]:
    """The values of a summary sheet, row by row, as compared from one run to the next (what
    openpyxl was given, or what the file holds once Excel or WPS saved it)."""
    out = []
    for row in rows:
        for value in row:
            value = same_value(value)
            if value is not None:
                out.append(value.isoformat() if isinstance(value, (date, datetime)) else str(value))
    return out


#: The custom document property (kept by Excel, WPS and LibreOffice when they save the master)
#: holding a digest of each summary sheet's values as taizhang wrote them.
SUMMARY_PROPERTY = "taizhang-summary"


def digest(values: list[str]) -> str:
    import hashlib

    return hashlib.sha256("\x1f".join(values).encode("utf-8")).hexdigest()


def mark_summaries(wb: Any, summaries: dict[str, list[str]]) -> None:
    """Record in the workbook about to be saved what its summary sheets hold."""
    from openpyxl.packaging.custom import StringProperty

    props = wb.custom_doc_props
    for prop in list(props.props):
        if prop.name == SUMMARY_PROPERTY:
            props.props.remove(prop)
    props.append(StringProperty(name=SUMMARY_PROPERTY, value=dumps({n: digest(v) for n, v in summaries.items()})))


def written_summaries(master: Path) -> dict[str, str]:
    """The digests :func:`mark_summaries` recorded in ``master`` ({} when it has none)."""
    import html
    import json
    import zipfile

    try:
        with zipfile.ZipFile(master) as zf:
            name = next((n for n in zf.namelist() if n.lower() == "docprops/custom.xml"), None)
            text = zf.read(name).decode("utf-8", "replace") if name else ""
    except (OSError, zipfile.BadZipFile, KeyError):
        return {}
    found = re.search(rf'name="{SUMMARY_PROPERTY}"[^>]*>\s*<(?:\w+:)?lpwstr\b[^>]*>([^<]*)<', text)
    try:
        return json.loads(html.unescape(found.group(1))) if found else {}
    except ValueError:
        return {}


def hand_edits(master: Path, tables: dict[str, Table], known: dict[str, list[str]],
               others: dict[str, list], summaries: dict[str, str] | None = None,
               ) -> tuple[dict[str, list[str]], str]:
    """The columns to keep of each sheet taizhang writes in the master, as the clerk left them
    (``tables`` read from the master, ``known``: each sheet's columns as the last run wrote
    them), and the columns added by hand (said in a notice).

    Whatever was added (a column, inserted anywhere and filled in, a column moved) is kept.
    What cannot be kept is refused, naming the sheet and the edit, before anything is written
    (the master is left as it was): a sheet renamed or deleted (its rows, earlier months
    among them, would be lost from the master and from 累计), a column taizhang writes renamed
    or deleted, a column without a heading, a heading used twice."""
    refusals: list[str] = []
    columns: dict[str, list[str]] = {}
    added: list[str] = []
    for name, table in tables.items():
        required = table.columns
        header = table.header
        if not header:
            renamed = [o for o, rows in others.items()
                       if rows and set(required) <= {clean_text(c) for c in rows[0] if clean_text(c)}]
            if renamed:
                refusals.append(f"工作表“{name}”被改名为“{renamed[0]}”（请把名字改回“{name}”）")
            elif name in known:
                what = "被清空（连第 1 行的列名也删去了）" if header is not None else "被删除或改名"
                refusals.append(f"工作表“{name}”{what}（其中有此前各月合并的数据；如要删去数据，"
                                "请只删数据行、保留第 1 行列名）")
            continue
        names = [h for h in header if h]
        twice = sorted({h for h in names if names.count(h) > 1})
        if twice:
            refusals.append(f"工作表“{name}”中列名“{'”“'.join(twice)}”出现了不止一次（请改成不同的列名）")
        if table.unnamed:
            refusals.append(f"工作表“{name}”的 {'、'.join(table.unnamed)} 列有内容，但第 1 行没有列名"
                            "（请写上列名）")
        gone = [c for c in required if c not in names and c in known.get(name, ())]
        if gone:
            new = [h for h in names if h not in required and h not in known.get(name, ())]
            how = f"改名为“{'”“'.join(new)}”" if new and len(new) == len(gone) else "删除或改名"
            refusals.append(f"工作表“{name}”的“{'”“'.join(gone)}”列被{how}（这些列由合并写入，"
                            "请把列名改回原样）")
        columns[name] = kept_columns(names, required)
        new = [h for h in names if h not in required and h not in known.get(name, ())]
        if new:
            added.append(f"“{name}”的“{'”“'.join(new)}”列")
    for name, written in (summaries or {}).items():
        if name in others and digest(summary_values(others[name])) != written:
            refusals.append(f"工作表“{name}”有手工修改：这张表每次合并都按台账重新生成，修改会丢失；"
                            f"如要保留，请把它改名（例如“{name}（定稿）”），改名的表合并时原样保留；"
                            "如不需要，请撤销修改（或删去这张表）")
    if refusals:
        raise ConsolidationError(f"主表 {master} 有手工修改无法保留，合并没有进行，主表未改动：" + "；".join(refusals))
    return columns, "、".join(added)
