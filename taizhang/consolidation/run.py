"""The consolidation use case: a month of units' workbooks into the bureau's master.

Each file is read and checked (in parallel processes when there are enough files), its unit
is worked out (``填报单位：…`` above a header, else the file name) and matched against the
roster.  Rows are kept per (单位, 月份), the month being the row's own date (收件日期 …) or,
for an undated row, the consolidated month: a file replaces, for its unit and for each
ledger kind it contains, the months its rows fall in and the consolidated month.  Rows dated
after the consolidated month, and the rows of hidden sheets, are rejected with a reason, so
that for every file rows read = rows written + rows rejected.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any, Callable

from openpyxl.utils import get_column_letter

from taizhang.config import Config, Kind
from taizhang.errors import reason_zh
from taizhang.consolidation.handedits import (
    carry_added_columns, carry_rows, hand_edits, kept_columns, lost_rows, mark_summaries, required_columns,
    summary_values, written_summaries,
)
from taizhang.consolidation.intake import list_files, load_roster, read_all, roster_table, same_file, without_master
from taizhang.consolidation.lock import MasterLock
from taizhang.consolidation.master import (
    DATE_FORMAT, FINDINGS_COLUMNS, FINDINGS_SHEET, KEEP_BACKUPS, STATUS_COLUMNS,
    STATUS_FORMATS, STATUS_SHEET, Table, detail_columns, detail_formats, detail_header, detail_sheets, key_column,
    open_master, read_tables, backups_of, save_atomically, write_table,
)
from taizhang.consolidation.merge import merge
from taizhang.consolidation.outcomes import (
    TYPED, ConsolidationError, ConsolidationResult, FileData, FileOutcome, parse_month,
)
from taizhang.consolidation.roster import ROSTER_SHEET, Roster
from taizhang.consolidation.rollup import depth_name, depth_of, list_masters, masters_in, read_master, settle_depth
from taizhang.consolidation.sheetfill import SheetPlan, write_sheets
from taizhang.consolidation.store import Block, Store, StoreUnwritable, config_key, storage_fault, store_path
from taizhang.consolidation.tagging import dumps
from taizhang.consolidation.typedrows import typed_fields, typed_values
from taizhang.model import Origin, ParseContext, LedgerRow, period_date
from taizhang.validation import parse_row
from taizhang.privacy import confidential_fields
from taizhang.printing import MEASURE_ALL, MEASURE_STRIDE
from taizhang.reading.book import WorkbookRefused, own_file_reason
from taizhang.values import clean_text
from taizhang.writing import FileInUse, mark_output, open_elsewhere

log = logging.getLogger(__name__)

#: Summary sheets written into the master (see taizhang.summary); rewritten every run.
OWNED_SUMMARY_SHEETS = ("汇总表",)


def consolidate(
    folder: Path,
    period: str,
    master: Path,
    *,
    config: Config,
    roster_path: Path | None = None,
    recursive: bool = False,
    jobs: int | None = None,
    bureau: str | None = None,
    progress: Callable[[Path], None] | None = None,
    on_files: Callable[[int], None] | None = None,
    rollup: bool | None = False,
    compare: bool = False,
) -> ConsolidationResult:
    """Consolidate the workbooks of ``folder`` for ``period`` into ``master``.

    With ``rollup``, the workbooks are masters (a county's each, or a city's) rolled up into a
    master one level above (see :mod:`taizhang.consolidation.rollup`); None: a roll-up when
    the folder holds masters and no other workbook, said in a notice."""
    month = parse_month(period)
    period, end = month.key, month.end
    if not folder.is_dir():
        raise ConsolidationError(f"文件夹不存在：{folder}")
    if master.is_dir():
        raise ConsolidationError(f"主表应是一个 .xlsx 文件，不是文件夹：{master}")
    if master.suffix.lower() != ".xlsx":  # what is written is an .xlsx: under another name Excel refuses it
        xlsx = master.with_suffix(".xlsx").name
        raise ConsolidationError(
            f"主表应保存为 .xlsx 文件（收到“{master.name}”），主表没有改动：请改用 {xlsx}"
            f"（命令行 --master {xlsx}；在 Excel 中可“另存为”Excel 工作簿 .xlsx 后继续使用）")
    if not master.parent.is_dir():
        raise ConsolidationError(f"主表所在的文件夹不存在：{master.parent}")
    if roster_path is not None and same_file(master, roster_path):
        raise ConsolidationError(f"主表不能写入单位名册文件 {master}（源文件从不改动）：请用 --master 另指定一个主表文件")
    if master.exists() and not os.access(master, os.W_OK):
        raise ConsolidationError(f"主表不可写：{master}")
    if not os.access(master.parent, os.W_OK):
        raise ConsolidationError(f"主表所在文件夹不可写：{master.parent}")
    in_use = open_elsewhere(master)
    if in_use is not None:
        raise ConsolidationError(FileInUse(master, in_use).message("主表"))
    with MasterLock(master) as lock:
        roster = load_roster(master, roster_path)
        # the store beside the master is no submission (the master itself: without_master)
        exclude = {store_path(master).resolve()} | ({roster_path.resolve()} if roster_path else set())
        paths, outcomes = list_files(folder, recursive=recursive, exclude=exclude)
        paths = without_master(paths, master)
        notices = []
        if rollup is None and not paths and not outcomes:
            found = masters_in(folder, recursive=recursive, exclude=exclude, master=master)
            rollup = found > 0
            if rollup:
                notices.append(f"{folder} 中是 {found} 份 taizhang 写成的合并主表（没有单位的台账）："
                               "按逐级汇总合并（各县区主表汇总为上一级主表，名册列各县区）")
        if rollup:
            paths, outcomes = list_masters(folder, recursive=recursive, exclude=exclude, master=master)
        if rollup and not paths and not outcomes:
            raise ConsolidationError(f"没有汇总，主表没有改动：{folder} 中没有 taizhang 写成的合并主表"
                                     "（逐级汇总读各县区报送的主表）")
        if not paths and not outcomes:  # an empty or wrong folder is no month with 0 units
            from taizhang.reading.folder import no_workbooks

            raise ConsolidationError(f"没有合并，主表没有改动：{folder} 中{no_workbooks([folder], recursive=recursive)}")
        if on_files:
            on_files(len(paths))
        as_of = min(end, date.today())  # overdue judged at the month's end, or today mid-month
        depth = 0
        if rollup:
            datas = []
            for path in paths:
                datas.append(read_master(path, config, period))
                if progress:
                    progress(path)
            depth = settle_depth(datas) + 1
        else:
            datas = read_all(paths, (config, as_of, period), jobs, progress)
        result = _with_store(master, _layout(config, depth), lambda store: _consolidate_into(
            store, master, datas, list(outcomes), roster, period, as_of, config, bureau,
            keep_roster=roster_path is not None, depth=depth, compare=compare))
        result.rollup = bool(rollup)
        result.notices[:0] = notices
        if lock.recovered:
            result.notices.append(lock.recovered)
        return result


def _with_store(master: Path, layout: str, work: Callable[[Store], ConsolidationResult]) -> ConsolidationResult:
    """Run ``work`` (which writes the master) with the master's store, and commit the store once
    the master is in place.

    The store only saves time: should it turn out damaged while in use (SQLite finds a page
    malformed), it is deleted and the run done again with a new one, rebuilt from the master,
    which is untouched until the new one is complete; should it fail to commit once the new
    master is in place, the master stands and the next run rebuilds the store from it.
    """
    try:
        store = Store.open(master, layout)
    except StoreUnwritable as exc:
        raise ConsolidationError(exc.message) from None
    try:
        try:
            result = work(store)
        except sqlite3.DatabaseError as exc:
            fault = storage_fault(exc, store.path)
            if fault is not None:  # disk full, read-only, failing: the store is not damaged
                log.warning("合并数据文件 %s 无法写入（%s）", store.path, exc)
                if isinstance(fault, StoreUnwritable):
                    raise ConsolidationError(fault.message) from None
                raise fault from None
            log.warning("合并数据文件 %s 使用中发现损坏（%s），按主表重建", store.path, exc)
            store.discard()
            store = Store.open(master, layout)
            store.damaged = True
            result = work(store)
        try:
            store.commit(master)
        except sqlite3.DatabaseError as exc:
            log.warning("合并数据文件 %s 未能保存（%s），下次按主表重建", store.path, exc)
            fault = storage_fault(exc, store.path)
            why = (reason_zh(fault) if isinstance(fault, OSError) else "文件只读" if fault is not None
                   else "文件已损坏")
            result.notices.append(f"主表已写好，但合并数据文件 {store.path.name} 未能保存"
                                  f"（{why}）：下次合并时将按主表重建，较慢一次")
        return result
    finally:
        store.close()


def _consolidate_into(store: Store, master: Path, datas: list[FileData], outcomes: list[FileOutcome],
                      roster: Roster, period: str, as_of: date, config: Config,
                      bureau: str | None, keep_roster: bool = False, depth: int = 0,
                      compare: bool = False) -> ConsolidationResult:
    """Merge the files read into the store's blocks and write the master from them (the caller
    commits the store once the master is in place)."""
    notices = []
    columns = store.columns  # each sheet's columns as the master was last written
    if not master.exists():
        store.clear()
        columns = {}
    elif (why := store.out_of_step(master)) is not None:
        try:
            master_settings: list = []
            others: dict[str, list] = {}
            tables = read_tables(master, config, master_settings, others, depth)
        except WorkbookRefused as exc:
            raise ConsolidationError(_unreadable_master(master, exc)) from None
        found = depth_of(tables)
        if found is not None and found != depth:  # a county's master is no city's, and the other way
            raise ConsolidationError(
                f"主表 {master} 是{depth_name(found)}，这次合并写的是{depth_name(depth)}："
                f"{'逐级汇总' if depth else '月度合并'}不能写入另一级的主表，主表未改动；请用 --master 另指定主表")
        # what the last run wrote (the store may be out of step, it still knows that)
        # (an older store without the columns: the sheets it holds blocks of, columns unknown)
        known: dict[str, list[str]] = {} if store.damaged or store.created else dict(store.columns)
        for name in tables:
            if name not in known and not (store.damaged or store.created) and store.layout_of(name):
                known[name] = []
        columns, added = hand_edits(master, tables, known, others, written_summaries(master))
        for name, kept in columns.items():
            tables[name].columns = kept
        if _rebuild(store, tables, config):
            notices.append(f"{why}：已按主表重建，主表的内容完整无缺，只是这一次合并较慢")
        if added:
            notices.append(f"主表中手工添加的列已保留：{added}")
        store.master_settings = master_settings
    tables = _period_tables(store, period, config, columns, depth)
    store.columns = {name: table.columns for name, table in tables.items()}
    before = {name: list(tables[name].rows) for name in (STATUS_SHEET, FINDINGS_SHEET)}  # the month's rows
    detail = _DetailKeeper(store, tables, config, depth)
    result = merge(datas, outcomes, roster, tables, period, config, detail.keep)
    result.master = master
    lost = "、".join(part for part in (*detail.lost(), carry_added_columns(
        store, {name: tables[name] for name in before}, before, result.replaced, config, depth)) if part)
    _keep(store, tables, period)
    order = {u: i for i, u in enumerate(roster.units)}
    summary_json, write_summary_sheets = _summary(store, tables, period, as_of, config, bureau,
                                                  store.master_settings, order, compare)
    result.summary = summary_json
    sheets = detail_sheets()
    owned = [*sheets.values(), STATUS_SHEET, FINDINGS_SHEET, *OWNED_SUMMARY_SHEETS]
    if keep_roster:  # the master keeps the roster it was checked against
        owned.append(ROSTER_SHEET)
    wb = open_master(master, owned)
    write_summary_sheets(wb)  # first, so that a new master opens on its summary
    mark_summaries(wb, {name: summary_values(wb[name].iter_rows(values_only=True))
                        for name in OWNED_SUMMARY_SHEETS if name in wb.sheetnames})
    plans: dict[str, SheetPlan] = {}
    for name in (*sheets.values(), STATUS_SHEET, FINDINGS_SHEET):
        kind = next((k for k, n in sheets.items() if n == name), None)
        formats = detail_formats(config, kind) if kind else (STATUS_FORMATS if name == STATUS_SHEET else {})
        blocks = store.layout_of(name)
        total = sum(n for _u, _m, n in blocks)
        # widths measured on this run's rows (the month's), print area and filter over them all
        # a detail sheet: the rows kept as measure() samples a sheet, as an iterator (measured whole)
        sample = iter(detail.sample[name]) if kind else tables[name].rows
        fits = write_table(wb, Table(name, tables[name].columns), formats=formats, template_only=True,
                           sample=sample, nrows=total + 1)
        if total:
            wb[name].auto_filter.ref = f"A1:{get_column_letter(len(tables[name].columns))}{total + 1}"
        # detail: by unit in roster order, then month; 报送情况 and 问题清单: by month
        ranked = sorted(blocks, key=lambda b: (order.get(b[0], len(order)), b[0], b[1]) if kind else b[1])
        plans[name] = SheetPlan(tables[name].columns, {h for h, f in formats.items() if f == DATE_FORMAT},
                                [(u, m) for u, m, _n in ranked], total,
                                [f.width if f.wrap else None for f in fits] if fits else [])
    if keep_roster:
        write_table(wb, roster_table(roster))

    mark_output(wb)  # a master (and its backups) in a folder of ledgers is never read as one

    def write(tmp: Path) -> None:
        wb.save(tmp)
        write_sheets(tmp, store, plans)

    result.backup = save_atomically(write, master, keep=int(config.limits.get("backups", KEEP_BACKUPS)))
    if lost:
        where = f"，原内容仍在备份 {result.backup.name} 中" if result.backup else ""
        notices.append(f"手工添加的列中，{lost}：这些行已被重新报送的文件替换，内容与原来不同，"
                       f"手工填写的内容无法对应到新行{where}")
    result.notices[:0] = notices
    return result


def _layout(config: Config, depth: int = 0) -> str:
    """What the store's blocks are shaped by: the sheets' columns, the rows' fields and the
    configuration the rows were typed under."""
    return dumps({
        # the rows were typed under the office's vocabularies: another configuration types them anew
        "config": config_key(config),
        **({"depth": depth} if depth else {}),  # a roll-up's provenance columns
        "detail": {k.value: [h for _f, h in detail_columns(config, k)] for k in detail_sheets()},
        "typed": {k.value: typed_fields(k) for k in detail_sheets()},
        "status": list(STATUS_COLUMNS), "findings": list(FINDINGS_COLUMNS),
    })


def _rebuild(store: Store, tables: dict[str, Table], config: Config) -> int:
    """Fill the store from the master's own sheets (the master is the record): its rows are
    read and typed once, as every run did before the store existed.  Returns the rows found."""
    store.clear()
    typed = master_rows(tables, config)
    for kind, name in detail_sheets().items():
        secret = confidential_fields(config, kind)
        blocks: dict[tuple[str, str], tuple[list, list]] = {}
        for row, parsed in zip(tables[name].rows, typed[kind]):
            when = period_date(parsed)
            month = clean_text(row.get("月份")) or (f"{when.year:04d}-{when.month:02d}" if when else "")
            rows, values = blocks.setdefault((clean_text(row.get(tables[name].key)) or "", month), ([], []))
            rows.append([row.get(c) for c in tables[name].columns])
            values.append(typed_values(parsed, secret))
        for (unit, month), (rows, values) in blocks.items():
            store.put(Block(name, unit, month, rows), kind, values)
    for name in (STATUS_SHEET, FINDINGS_SHEET):
        by_month: dict[str, list] = {}
        for row in tables[name].rows:
            by_month.setdefault(clean_text(row.get("月份")) or "", []).append(
                [row.get(c) for c in tables[name].columns])
        for month, rows in by_month.items():
            store.put(Block(name, "", month, rows))
    return sum(len(t.rows) for t in tables.values())


def _period_tables(store: Store, period: str, config: Config, kept: dict[str, list[str]],
                   depth: int = 0) -> dict[str, Table]:
    """The tables a run changes, as far as it needs them: empty detail tables (a run only adds
    the blocks its files bring) and the month's rows of 报送情况 and 问题清单; each with the
    columns the master has (``kept``: those added by hand too, see :func:`hand_edits`)."""
    tables = {}
    for kind, name in detail_sheets().items():
        required = detail_header(config, kind, depth)
        tables[name] = Table(name, kept_columns(kept.get(name) or [], required), key=key_column(depth))
    for name, required in ((STATUS_SHEET, STATUS_COLUMNS), (FINDINGS_SHEET, FINDINGS_COLUMNS)):
        columns = kept_columns(kept.get(name) or [], list(required))
        tables[name] = Table(name, columns, [dict(zip(columns, r)) for r in store.rows(name, period)])
    return tables


class _DetailKeeper:
    """Puts each unit's detail rows into the store as they are merged (see :func:`merge`):
    the columns added by hand carried onto them first, a block per (unit, month) they replace,
    and kept of them only the rows the sheet's widths are measured on."""

    def __init__(self, store: Store, tables: dict[str, Table], config: Config, depth: int) -> None:
        self.store, self.tables = store, tables
        self.required = required_columns(config, depth)
        self.kinds = {name: kind for kind, name in detail_sheets().items()}
        self.sample: dict[str, list[list]] = {name: [] for name in self.kinds}
        self.seen = dict.fromkeys(self.kinds, 0)  # rows kept of each sheet so far
        self.left = dict.fromkeys(self.kinds, 0)  # rows whose hand-added values found no match

    def added(self, name: str) -> list[str]:
        return [c for c in self.tables[name].columns if c not in self.required[name]]

    def keep(self, name: str, kind: Kind, unit: str, keys: set, rows: list[dict[str, Any]]) -> None:
        columns = self.tables[name].columns
        if added := self.added(name):
            old = [dict(zip(columns, r)) for u, month in sorted(keys)
                   for r in self.store.block_rows_as_written(name, u, month)]
            self.left[name] += carry_rows(rows, old, added, self.required[name])
        blocks: dict[str, tuple[list, list]] = {month: ([], []) for _u, month in keys}
        sample, seen = self.sample[name], self.seen[name]
        for row in rows:
            values = [row.get(c) for c in columns]
            # the rows measure_widths samples of the whole sheet: its first rows, then every so many
            if seen < MEASURE_ALL or (seen - MEASURE_ALL) % MEASURE_STRIDE == 0:
                sample.append(values)
            seen += 1
            block, typed = blocks[row["月份"]]
            block.append(values)
            typed.append(row[TYPED])
        self.seen[name] = seen
        for month, (block, typed) in blocks.items():
            self.store.put(Block(name, unit, month, block), kind, typed)

    def lost(self) -> list[str]:
        return [lost_rows(name, left, self.added(name)) for name, left in self.left.items() if left]


def _keep(store: Store, tables: dict[str, Table], period: str) -> None:
    """Put the month's blocks of 报送情况 and 问题清单 into the store (the detail rows are put
    unit by unit as they are merged: :class:`_DetailKeeper`)."""
    for name in (STATUS_SHEET, FINDINGS_SHEET):
        store.put(Block(name, "", period, [[r.get(c) for c in tables[name].columns] for r in tables[name].rows]))


def _unreadable_master(master: Path, exc: WorkbookRefused) -> str:
    """Why the master cannot be read, and what to do: never blamed on a reporting unit."""
    reason = own_file_reason(exc.reason).removeprefix(f"{master}：")
    backups = backups_of(master)
    advice = (f"；可把最近的备份 {backups[-1].name} 复制为 {master.name} 后再合并" if backups else "")
    return f"主表无法读取：{master}：{reason}；主表未改动{advice}"


def master_rows(tables: dict[str, Table], config: Config) -> dict[Kind, list[LedgerRow]]:
    """The consolidated detail read back as typed rows (for the figures of the summary)."""
    out: dict[Kind, list[LedgerRow]] = {}
    for kind, name in detail_sheets().items():
        ctx = ParseContext(config, kind)
        columns = detail_columns(config, kind)
        rows = []
        for r in tables[name].rows:
            values = {f: r.get(h) for f, h in columns}
            origin = Origin(file=str(r.get("来源文件") or ""), sheet=str(r.get("原工作表") or ""),
                            row=int(r.get("原行号") or 0))
            row, _problems = parse_row(kind, values, origin, ctx)
            rows.append(row)
        out[kind] = rows
    return out


def _summary(store: Store, tables: dict[str, Table], period: str, as_of: date, config: Config,
             bureau: str | None, settings_sheet: list | None, rank: dict[str, int], compare: bool = False,
             ) -> tuple[dict[str, Any], Callable[[Any], None]]:
    """The figures of the month (with the year to date) from the store, and a writer of the
    summary sheets; units with errors this month are named in the sheet's banner.  ``rank``
    orders the units as the master lists them (the order the figures meet the rows in).  With
    ``compare``, the month before and a year earlier too, as far as the store holds them."""
    from taizhang.consolidation.figures import store_report
    from taizhang.figures import Period, narrative, report_json
    from taizhang.figures.compare import with_comparison
    from taizhang.figures.settings import resolve
    from taizhang.summary import write_summary

    # the settings merged as everywhere: the office file, the master's 台账设置, --bureau;
    # the as-of day stays the month's end (or today mid-month)
    settings = resolve(config, sheet=settings_sheet, bureau=bureau, as_of=as_of)
    config = settings.config
    month = Period.parse(period)
    # as taizhang.figures.compute, from the store: 本月 and 累计 merged from the parts of each
    # unit's month (a tracker's 累计 is every earlier item), not from every row of the year again;
    # each unit's 累计 is kept merged, so next month merges it with the new month only
    key = config_key(config)
    report = store_report(store, month, as_of, config, key, rank, running=True)
    report.narrative = narrative(report, config)
    if compare:  # each month as its own consolidation counts it: overdue judged at its end
        others = [store_report(store, p, min(p.end, as_of), config, key, rank)
                  for p in (month.previous(), month.year_earlier())]
        for other in others:
            other.narrative = narrative(other, config)
        with_comparison(report, *others, config)
    blocking = [f"{r['单位']}：错误 {r['错误']} 个" for r in tables[STATUS_SHEET].rows
                if r.get("月份") == period and r.get("报送情况") == "已报送" and (r.get("错误") or 0) > 0]
    name = settings.bureau

    def write(wb: Any) -> None:
        write_summary(wb, report, bureau=name, blocking_errors=blocking, index=None,
                      detail=False, config=config)

    return report_json(report), write
