"""The merge of the files read into the master's tables: a unit's newest file replaces, for
each ledger kind it holds, the months its rows fall in and the consolidated month; the
month's 报送情况 and 问题清单 rows are made anew for the units that sent files."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from taizhang.config import Config, Kind
from taizhang.consolidation.master import FINDINGS_SHEET, ISSUES_COLUMN, STATUS_SHEET, Table, detail_sheets
from taizhang.consolidation.outcomes import TYPED, ConsolidationResult, FileData, FileOutcome, RowOut, rejected_file
from taizhang.consolidation.roster import Roster
from taizhang.findings_sheet import codes_with_titles, finding_row
from taizhang.reading.book import own_file_reason

def unit_of(data: FileData, roster: Roster) -> tuple[str | None, str | None]:
    """(roster unit, the name as found) for a file."""
    if data.reporting_unit:
        unit = roster.match(data.reporting_unit) or roster.find_in(data.reporting_unit)
        if unit:
            return unit, data.reporting_unit
    unit = roster.find_in(data.path.stem) or roster.match(data.path.stem)
    return unit, data.reporting_unit or data.path.stem


#: A backup of a master, by its name (``主表.备份-20261106-093000[-1].xlsx``).
BACKUP_NAME = re.compile(r"\.备份-\d{8}-\d{6}(?:-\d+)?$")


def _refused_reason(data: FileData) -> str:
    """Why a file could not be read, as the status sheet says it: a file named as a master's
    backup is the office's own, not a unit's (nobody is to be asked to send it again)."""
    reason = data.refusal.message.removeprefix(f"{data.path}：")
    if BACKUP_NAME.search(data.path.stem):
        return f"这是主表的备份（不是报送的台账），无法读取：{own_file_reason(reason)}"
    return reason


def merge(datas: list[FileData], outcomes: list[FileOutcome], roster: Roster,
          tables: dict[str, Table], period: str, config: Config,
          sink: Callable[[str, Kind, str, set, list[dict[str, Any]]], None] | None = None) -> ConsolidationResult:
    """Merge the files read into ``tables``; with ``sink``, each unit's detail rows of a kind
    (sorted as the sheet lists them) are handed to it, with the (unit, month) keys they
    replace, instead of being added to the detail tables."""
    # the newest file of a unit wins; older ones of the same unit are rejected
    units: dict[str, FileData] = {}
    for o in outcomes:  # files turned back unread (a link leaving the folder): the unit their name tells
        if o.unit is None and not BACKUP_NAME.search(o.path.stem):
            o.unit = roster.find_in(o.path.stem) or roster.match(o.path.stem)
    for data in datas:
        if data.refusal is not None:
            # the unit, when the file's name tells it (a unit on the roster is not 名册外)
            unit = None if BACKUP_NAME.search(data.path.stem) else unit_of(data, roster)[0]
            outcomes.append(rejected_file(data.path, unit, _refused_reason(data), 0, [data.refusal], data.mtime))
            continue
        unit, seen = unit_of(data, roster)
        rows_read = data.rows_read
        if unit is None:
            outcomes.append(rejected_file(data.path, seen, f"单位“{seen}”不在单位名册中（可在名册“别名”列中添加）",
                                      rows_read, data.findings, data.mtime))
            continue
        if unit in units:
            older, newer = sorted([units[unit], data], key=lambda d: (d.mtime, str(d.path)))
            units[unit] = newer
            n_old = older.rows_read
            outcomes.append(rejected_file(older.path, unit, f"同一单位有更新的文件 {newer.path.name}，本文件未合并",
                                      n_old, older.findings, older.mtime))
            outcomes[-1].superseded = True
        else:
            units[unit] = data

    status_new: list[dict[str, Any]] = []
    findings_new: list[dict[str, Any]] = []
    # per detail table: the (unit, month) keys this run replaces
    sheets = detail_sheets()
    replaced: dict[str, set] = {name: set() for name in sheets.values()}
    order = {u: i for i, u in enumerate(roster.units)}
    made: dict[str, FileOutcome] = {}
    # unit by unit in the order the master lists them, each unit's rows handed to ``sink`` as
    # they are merged (a county has a thousand units: the month is never held at once)
    for unit in sorted(units, key=lambda u: (order.get(u, len(order)), u)):
        data = units[unit]
        written = rejected = 0
        notes = []
        for kind, rows in data.unpacked().items():
            name = sheets[kind]
            keep = [r for r in rows if r.month <= period]
            late = len(rows) - len(keep)
            if late:
                notes.append(f"{config.kinds[kind].label}有 {late} 行日期晚于 {period}，未合并")
            keys = {(unit, r.month) for r in keep} | {(unit, period)}
            replaced[name].update(keys)
            key = tables[name].key
            new_rows = [_detail_row(unit, data.path, r, key) for r in keep]
            if key != "单位":  # rows carried up from masters: by month, each master's rows in its own order
                new_rows.sort(key=lambda r: str(r.get("月份")))
            else:
                new_rows.sort(key=lambda r: (str(r.get("月份")), str(r.get("来源文件")), str(r.get("原工作表")),
                                             int(r.get("原行号") or 0)))
            if sink is None:
                tables[name].replace(keys, new_rows)
            else:
                sink(name, kind, unit, keys, new_rows)
            written += len(new_rows)
            rejected += late
        if data.hidden_rows:
            notes.append(f"隐藏工作表中的 {data.hidden_rows} 行未合并")
            rejected += data.hidden_rows
        errors = sum(f.is_error for f in data.findings)
        made[unit] = FileOutcome(data.path, unit, "ok", "；".join(notes) or None, written + rejected,
                                 written, rejected, errors, len(data.findings) - errors, data.mtime,
                                 data.findings)
    outcomes.extend(made[unit] for unit in units)  # in the order the files were read

    for o in outcomes:
        status_new.append(_status_row(o, period))
        findings_new.extend(_finding_rows(o, period))
    processed = {o.unit for o in outcomes if o.status == "ok"}

    def keep_status(r: dict) -> bool:
        if r.get("月份") != period:
            return True
        return r.get("单位") in roster.units and r.get("单位") not in processed and r.get("报送情况") == "已报送"

    status = tables[STATUS_SHEET]
    status.rows = [r for r in status.rows if keep_status(r)] + status_new
    reported = {r["单位"] for r in status.rows if r.get("月份") == period and r.get("报送情况") == "已报送"}
    missing = [u for u in roster.units if u not in reported]
    status.rows += [{"单位": u, "月份": period, "报送情况": "未报送"} for u in missing]
    status.rows.sort(key=lambda r: (str(r.get("月份")), order.get(r.get("单位"), len(order)),
                                    str(r.get("单位")), str(r.get("文件") or "")))

    issues = tables[FINDINGS_SHEET]
    # a unit not merged this run keeps its month's findings (of the file merged before), but
    # not those of a file it sent again and that was turned back again (told anew below)
    sent = {(o.unit, o.path.name) for o in outcomes}
    issues.rows = [r for r in issues.rows
                   if r.get("月份") != period or (r.get("单位") in roster.units and r.get("单位") not in processed
                                                 and (r.get("单位"), r.get("文件")) not in sent)]
    issues.rows += findings_new
    issues.rows.sort(key=lambda r: (str(r.get("月份")), order.get(r.get("单位"), len(order)),
                                    str(r.get("文件") or ""), str(r.get("工作表") or ""), r.get("行号") or 0))
    for kind, name in sheets.items():
        key = tables[name].key
        if key != "单位":  # rows carried up from masters: by what reported, then month, each
            # master's rows in its own order (its units as its roster lists them)
            tables[name].rows.sort(key=lambda r: (order.get(r.get(key), len(order)), str(r.get("月份"))))
            continue
        tables[name].rows.sort(key=lambda r: (order.get(r.get("单位"), len(order)), str(r.get("月份")),
                                              str(r.get("来源文件")), str(r.get("原工作表")),
                                              int(r.get("原行号") or 0)))
    outcomes.sort(key=lambda o: str(o.path))
    return ConsolidationResult(period, Path(), outcomes, [u for u in roster.units if u in reported], missing,
                               replaced=replaced)


def _detail_row(unit: str, path: Path, r: RowOut, key: str = "单位") -> dict[str, Any]:
    if r.carried is not None:  # from a master: where it reported from, then its own provenance
        row = {key: unit, "月份": r.month, **r.carried}
        row.update(r.values)
        row[TYPED] = r.typed
        return row
    row = {"单位": unit, "月份": r.month, "来源文件": path.name, "原工作表": r.sheet, "原行号": r.row}
    row.update(r.values)
    row[ISSUES_COLUMN] = codes_with_titles(r.issues) or None
    row[TYPED] = r.typed
    return row


def _label(o: FileOutcome) -> str:
    """The 单位 of a file's status and findings rows: its unit, else what it is known as (a
    file turned back unread has no unit to tell: it is not said to be 名册外)."""
    if o.unit:
        return o.unit  # a unit not on the roster goes by the name found in its file
    return f"（{'主表备份' if BACKUP_NAME.search(o.path.stem) else '单位未识别'}）{o.path.stem}"


def _status_row(o: FileOutcome, period: str) -> dict[str, Any]:
    return {
        "单位": _label(o), "月份": period,
        "报送情况": "已报送" if o.status == "ok" else "退回",
        "文件": o.path.name,
        "文件时间": datetime.fromtimestamp(o.mtime).replace(microsecond=0) if o.mtime else None,
        "读取行数": o.rows_read, "写入行数": o.rows_written, "退回行数": o.rows_rejected,
        "错误": o.errors, "提醒": o.warnings, "说明": o.reason,
    }


def _finding_rows(o: FileOutcome, period: str) -> list[dict[str, Any]]:
    unit = _label(o)
    return [finding_row(f, unit=unit, month=period, file=o.path) for f in o.findings]
