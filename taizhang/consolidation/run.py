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
import pickle
import re
import sqlite3
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

from openpyxl.utils import get_column_letter

from taizhang import workers
from taizhang.config import Config, Kind
from taizhang.errors import TaizhangError, reason_zh
from taizhang.consolidation.lock import MasterLock
from taizhang.consolidation.master import (
    DATE_FORMAT, FINDINGS_COLUMNS, FINDINGS_SHEET, ISSUES_COLUMN, KEEP_BACKUPS, PROVENANCE, STATUS_COLUMNS,
    STATUS_FORMATS, STATUS_SHEET, Table, detail_columns, detail_formats, detail_sheets, open_master, read_tables,
    backups_of, save_atomically, write_table,
)
from taizhang.consolidation.store import (
    Block, SheetPlan, Store, StoreUnwritable, config_key, dumps, storage_fault, store_path, typed_fields, typed_values,
    write_sheets,
)
from taizhang.consolidation.roster import ROSTER_SHEET, Roster, RosterError, read_roster
from taizhang.figures.period import Period, PeriodError
from taizhang.findings import REFUSAL_CODES, Finding
from taizhang.findings_sheet import codes_with_titles, finding_row
from taizhang.model import Origin, ParseContext, LedgerRow, period_date
from taizhang.validation import parse_row
from taizhang.privacy import confidential_fields, mask
from taizhang.reading.book import WorkbookRefused, own_file_reason
from taizhang.reading.folder import in_folder, is_own_output
from taizhang.checks.files import check_loaded
from taizhang.reading.workbook import load_workbook, reader_died_refusal
from taizhang.values import clean_text
from taizhang.writing import FileInUse, mark_output, open_elsewhere

log = logging.getLogger(__name__)

#: Summary sheets written into the master (see taizhang.summary); rewritten every run.
OWNED_SUMMARY_SHEETS = ("汇总表",)
#: Where a detail row bound for the store carries its typed values (never written to a sheet).
TYPED = "\x00typed"


class ConsolidationError(TaizhangError):
    """The consolidation could not run at all (exit 2): the message says why."""


@dataclass
class RowOut:
    """One row bound for the master: its month, provenance and cell values by header."""

    month: str
    sheet: str
    row: int
    values: dict[str, Any]
    issues: str
    #: the typed values the figures need (see taizhang.consolidation.store.typed_values)
    typed: list = field(default_factory=list)


@dataclass
class FileData:
    """What a worker process sends back about one file (plain, picklable values)."""

    path: Path
    mtime: float
    reporting_unit: str | None = None
    refusal: Finding | None = None
    findings: list[Finding] = field(default_factory=list)
    #: kind -> rows of visible ledgers; kinds present (even with no rows) are keys
    rows: dict[Kind, list[RowOut]] = field(default_factory=dict)
    hidden_rows: int = 0
    #: ``rows`` pickled and compressed (:meth:`pack`): a month of a thousand units is held as
    #: bytes until each unit's rows are merged, not as objects while all the files are read
    packed: bytes | None = None
    packed_rows: int = 0

    def pack(self) -> FileData:
        self.packed_rows = sum(len(v) for v in self.rows.values())
        self.packed = zlib.compress(pickle.dumps(self.rows, pickle.HIGHEST_PROTOCOL), 1)
        self.rows = {}
        return self

    def unpacked(self) -> dict[Kind, list[RowOut]]:
        """The rows, made anew from :attr:`packed` at each call (the caller lets them go)."""
        return pickle.loads(zlib.decompress(self.packed)) if self.packed is not None else self.rows

    @property
    def rows_read(self) -> int:
        return (self.packed_rows if self.packed is not None else sum(len(v) for v in self.rows.values())) \
            + self.hidden_rows


@dataclass
class FileOutcome:
    path: Path
    unit: str | None
    status: str  # ok | rejected
    reason: str | None
    rows_read: int
    rows_written: int
    rows_rejected: int
    errors: int
    warnings: int
    mtime: float = 0.0
    findings: list[Finding] = field(default_factory=list)
    #: Rejected only because the same unit sent a newer file (not a fault of the ledgers).
    superseded: bool = False

    @property
    def unreadable(self) -> bool:
        """The file could not be read at all (exit status 2, as in every command)."""
        return self.status == "rejected" and any(f.code in REFUSAL_CODES for f in self.findings)

    def as_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path), "unit": self.unit, "status": self.status, "reason": self.reason,
            "rows_read": self.rows_read, "rows_written": self.rows_written,
            "rows_rejected": self.rows_rejected, "errors": self.errors, "warnings": self.warnings,
            "readable": not self.unreadable, "superseded": self.superseded,
        }


@dataclass
class ConsolidationResult:
    period: str
    master: Path
    files: list[FileOutcome]
    units_reported: list[str]
    units_missing: list[str]
    backup: Path | None = None
    notices: list[str] = field(default_factory=list)
    summary: dict[str, Any] | None = None
    #: detail sheet -> the (unit, month) keys this run replaced
    replaced: dict[str, set] = field(default_factory=dict, repr=False)

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def exit_status(self) -> int:
        """The meaning every command gives it: 2 a file could not be read at all (the others
        were merged), 1 the ledgers have errors or a file was turned back (unit not on the
        roster, a link leaving the folder), 0 otherwise.  A file superseded by a newer one of
        the same unit is not a fault."""
        if any(f.unreadable for f in self.files):
            return 2
        if any(f.errors for f in self.files if not f.superseded) or any(
                f.status == "rejected" and not f.superseded for f in self.files):
            return 1
        return 0

    @property
    def rows_written(self) -> int:
        return sum(f.rows_written for f in self.files)

    @property
    def rows_rejected(self) -> int:
        return sum(f.rows_rejected for f in self.files)

    def as_json(self) -> dict[str, Any]:
        """The ``taizhang consolidate --json`` object (``taizhang.outputs``' ConsolidateOutput)."""
        from taizhang.outputs import dump_consolidate

        return dump_consolidate(self._as_dict())

    def _as_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "units_reported": self.units_reported,
            "units_missing": self.units_missing,
            "files": [f.as_json() for f in self.files],
            "rows_read": self.rows_read,
            "rows_written": self.rows_written,
            "rows_rejected": self.rows_rejected,
            "summary": self.summary,
            "master": str(self.master),
            "backup": str(self.backup) if self.backup else None,
            "exit_status": self.exit_status,
        }


def parse_month(text: str) -> Period:
    """The month to consolidate, in any form of the one period parser (``2026-10``,
    ``2026/10``, ``2026年10月``, ``202610``); any other period or nonsense is a ConsolidationError."""
    try:
        return Period.parse_month(text)
    except PeriodError as exc:
        raise ConsolidationError(str(exc)) from None


def parse_period(text: str) -> tuple[date, date]:
    """``2026-10`` (in any form :func:`parse_month` takes) -> (2026-10-01, 2026-10-31)."""
    month = parse_month(text)
    return month.start, month.end  # type: ignore[return-value]


def list_files(folder: Path, *, recursive: bool = False, exclude: set[Path] = frozenset()) -> tuple[list[Path], list[FileOutcome]]:
    """Workbooks in ``folder`` (and files that look like one, to be refused with a reason);
    Office lock files and hidden files skipped, links leaving the folder not followed."""
    found: list[Path] = []
    refused: list[FileOutcome] = []
    root = folder.resolve()
    candidates = folder.rglob("*") if recursive else folder.iterdir()
    for p in sorted(candidates):
        if not in_folder(p) or any(part.startswith(".") or part.lower().endswith(".numbers")
                                   for part in p.relative_to(folder).parts[:-1]):
            continue
        if p.is_symlink():
            target = p.resolve()
            if root not in target.parents:
                refused.append(_rejected(p, None, f"{p.name} 是指向文件夹之外（{target}）的链接，未读取", 0))
                continue
        if not p.exists() or p.resolve() in exclude:
            continue
        found.append(p)  # a Numbers package folder too: reading it says what to do
    return found, refused


def _without_master(paths: list[Path], master: Path) -> list[Path]:
    """The folder's files without the master, when it lies among them and is a master (a
    workbook taizhang wrote, or one holding only the roster); a unit's ledger given as the
    master is refused, never written over."""
    if not master.exists():
        return paths
    same = [p for p in paths if _same_file(p, master)]
    if not same:
        return paths
    if not is_own_output(master) and ROSTER_SHEET not in _sheet_names(master):
        raise ConsolidationError(
            f"主表 {master} 是文件夹中一份报送的台账，不是局主表：合并结果不能写入报送的台账（源文件从不改动）；"
            "请用 --master 指定另一个文件")
    return [p for p in paths if p not in same]


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return False


def _sheet_names(path: Path) -> set[str]:
    import zipfile

    from taizhang.reading.extent import sheet_parts

    try:
        with zipfile.ZipFile(path) as zf:
            return set(sheet_parts(zf))
    except Exception:  # noqa: BLE001 - not a package we can look into: no roster there
        return set()


def _rejected(path: Path, unit: str | None, reason: str, rows: int, findings=(), mtime=0.0) -> FileOutcome:
    errors = sum(f.is_error for f in findings)
    return FileOutcome(path, unit, "rejected", reason, rows, 0, rows, errors,
                       len(list(findings)) - errors, mtime, list(findings))


def _write_value(fieldname: str, typed: Any, raw: Any, secret: frozenset[str]) -> Any:
    if fieldname in secret:
        return mask(fieldname, clean_text(raw))
    if typed is not None:
        return typed
    return clean_text(raw)  # a value that could not be read is kept as the unit wrote it


def read_file(path: Path, config: Config, as_of: date, period_key: str) -> FileData:
    """Read and check one file for the consolidation (runs in a worker process)."""
    try:
        mtime = path.stat().st_mtime
    except OSError:
        mtime = 0.0
    data = FileData(path, mtime)
    loaded = load_workbook(path, config)
    report = check_loaded(loaded, config, as_of)
    if report.refusal is not None:
        data.refusal = report.refusal
        return data
    data.findings = report.findings
    data.reporting_unit = loaded.reporting_unit
    issues: dict[tuple[str, int], list[str]] = {}
    for f in report.findings:
        if f.is_error and f.sheet and f.row:
            issues.setdefault((f.sheet, f.row), []).append(f.code)
    for ledger in loaded.ledgers:
        if ledger.hidden:
            data.hidden_rows += len(ledger.rows)
            continue
        secret = confidential_fields(config, ledger.kind)
        out = data.rows.setdefault(ledger.kind, [])
        columns = detail_columns(config, ledger.kind)
        for row, raw in zip(ledger.rows, ledger.raw):
            when = period_date(row)
            month = f"{when.year:04d}-{when.month:02d}" if when else period_key
            values = {name: _write_value(f, getattr(row, f, None), raw.get(f), secret) for f, name in columns}
            codes = issues.get((ledger.sheet, row.origin.row), [])
            out.append(RowOut(month, ledger.sheet, row.origin.row, values, "、".join(sorted(set(codes))),
                              typed_values(row, secret)))
    return data


def _read_in_worker(path: Path, *args: Any) -> FileData:
    return read_file(path, *args).pack()  # looked up when called: tests put a reader that dies in its place


def _killed_reader(path: Path) -> FileData:
    data = FileData(path, 0.0)
    data.refusal = reader_died_refusal(path)
    return data


def _read_all(paths: list[Path], args: tuple, jobs: int | None, progress: Callable[[Path], None] | None) -> list[FileData]:
    """Read the files, in worker processes when there are enough of them (``taizhang.workers``);
    a file whose reader dies is refused, and the rest are consolidated."""
    return workers.map_files(_read_in_worker, paths, args, jobs=jobs, crashed=_killed_reader, progress=progress)


def _unit_of(data: FileData, roster: Roster) -> tuple[str | None, str | None]:
    """(roster unit, the name as found) for a file."""
    if data.reporting_unit:
        unit = roster.match(data.reporting_unit) or roster.find_in(data.reporting_unit)
        if unit:
            return unit, data.reporting_unit
    unit = roster.find_in(data.path.stem) or roster.match(data.path.stem)
    return unit, data.reporting_unit or data.path.stem


def roster_table(roster: Roster) -> Table:
    """The roster as the master's ``单位名册`` sheet (单位, 别名), readable by :func:`read_roster`."""
    rows = [{"单位": u, "别名": "、".join(roster.aliases.get(u, ())) or None} for u in roster.units]
    return Table(ROSTER_SHEET, ["单位", "别名"], rows)


def load_roster(master: Path, roster_path: Path | None) -> Roster:
    try:
        if roster_path is not None:
            if not roster_path.exists():
                raise ConsolidationError(f"单位名册文件不存在：{roster_path}")
            return read_roster(roster_path)
        if master.exists():
            return read_roster(master, ROSTER_SHEET)
    except RosterError as exc:
        raise ConsolidationError(str(exc)) from None
    raise ConsolidationError(f"没有单位名册：主表 {master} 中没有“{ROSTER_SHEET}”工作表，也没有用 --roster 指定名册文件")


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
    compare: bool = False,
) -> ConsolidationResult:
    """Consolidate the workbooks of ``folder`` for ``period`` into ``master``; with ``compare``
    its 汇总表 compares the month with the month before and a year earlier (from the store)."""
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
    if roster_path is not None and _same_file(master, roster_path):
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
        # the store beside the master is no submission (the master itself: _without_master)
        exclude = {store_path(master).resolve()} | ({roster_path.resolve()} if roster_path else set())
        paths, outcomes = list_files(folder, recursive=recursive, exclude=exclude)
        paths = _without_master(paths, master)
        if not paths and not outcomes:  # an empty or wrong folder is no month with 0 units
            from taizhang.reading.folder import no_workbooks

            raise ConsolidationError(f"没有合并，主表没有改动：{folder} 中{no_workbooks([folder], recursive=recursive)}")
        if on_files:
            on_files(len(paths))
        as_of = min(end, date.today())  # overdue judged at the month's end, or today mid-month
        args = (config, as_of, period)
        datas = _read_all(paths, args, jobs, progress)
        result = _with_store(master, _layout(config), lambda store: _consolidate_into(
            store, master, datas, list(outcomes), roster, period, as_of, config, bureau,
            keep_roster=roster_path is not None, compare=compare))
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
                      bureau: str | None, keep_roster: bool = False, compare: bool = False) -> ConsolidationResult:
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
            tables = read_tables(master, config, master_settings, others)
        except WorkbookRefused as exc:
            raise ConsolidationError(_unreadable_master(master, exc)) from None
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
    tables = _period_tables(store, period, config, columns)
    store.columns = {name: table.columns for name, table in tables.items()}
    before = {name: list(tables[name].rows) for name in (STATUS_SHEET, FINDINGS_SHEET)}  # the month's rows
    result = _merge(datas, outcomes, roster, tables, period, config)
    result.master = master
    lost = _carry_added_columns(store, tables, before, result.replaced, config)
    _keep(store, tables, result.replaced, period, config)
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
        fits = write_table(wb, Table(name, tables[name].columns), formats=formats, template_only=True,
                           sample=tables[name].rows, nrows=total + 1)
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


def _layout(config: Config) -> str:
    """What the store's blocks are shaped by: the sheets' columns, the rows' fields and the
    configuration the rows were typed under."""
    return dumps({
        # the rows were typed under the office's vocabularies: another configuration types them anew
        "config": config_key(config),
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
            rows, values = blocks.setdefault((clean_text(row.get("单位")) or "", month), ([], []))
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


def _period_tables(store: Store, period: str, config: Config, kept: dict[str, list[str]]) -> dict[str, Table]:
    """The tables a run changes, as far as it needs them: empty detail tables (a run only adds
    the blocks its files bring) and the month's rows of 报送情况 and 问题清单; each with the
    columns the master has (``kept``: those added by hand too, see :func:`hand_edits`)."""
    tables = {}
    for kind, name in detail_sheets().items():
        required = list(PROVENANCE) + [h for _f, h in detail_columns(config, kind)] + [ISSUES_COLUMN]
        tables[name] = Table(name, kept_columns(kept.get(name) or [], required))
    for name, required in ((STATUS_SHEET, STATUS_COLUMNS), (FINDINGS_SHEET, FINDINGS_COLUMNS)):
        columns = kept_columns(kept.get(name) or [], list(required))
        tables[name] = Table(name, columns, [dict(zip(columns, r)) for r in store.rows(name, period)])
    return tables


def _same(value: Any) -> Any:
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


def _carry_added_columns(store: Store, tables: dict[str, Table], before: dict[str, list[dict]],
                         replaced: dict[str, set], config: Config) -> str:
    """Give the rows this run writes anew the values of the columns added by hand that the
    rows they replace held: matched on every other column taizhang writes (the same row of a
    unit's ledger, consolidated again or sent again unchanged).  Returns what could not be
    matched (a row the unit changed or removed), for the notice; it stays in the backup."""
    required: dict[str, list[str]] = {
        name: list(PROVENANCE) + [h for _f, h in detail_columns(config, kind)] + [ISSUES_COLUMN]
        for kind, name in detail_sheets().items()}
    required[STATUS_SHEET], required[FINDINGS_SHEET] = list(STATUS_COLUMNS), list(FINDINGS_COLUMNS)
    ignore = {"来源文件", ISSUES_COLUMN, "文件时间", "文件"}
    lost = []
    for name, table in tables.items():
        added = [c for c in table.columns if c not in required[name]]
        if not added:
            continue
        match = [c for c in required[name] if c not in ignore]
        if name in before:
            old = before[name]
        else:
            old = [dict(zip(table.columns, r)) for unit, month in sorted(replaced.get(name, ()))
                   for r in store.block_rows_as_written(name, unit, month)]
        old = [r for r in old if any(r.get(c) not in (None, "") for c in added)]
        waiting: dict[tuple, list[dict]] = {}
        for r in old:
            waiting.setdefault(tuple(_same(r.get(c)) for c in match), []).append(r)
        for r in table.rows:
            found = waiting.get(tuple(_same(r.get(c)) for c in match))
            if found:
                r.update({c: v for c, v in found.pop(0).items() if c in added})
        left = sum(len(v) for v in waiting.values())
        if left:
            lost.append(f"“{name}”有 {left} 行的“{'”“'.join(added)}”")
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
            value = _same(value)
            if value is not None:
                out.append(value.isoformat() if isinstance(value, (date, datetime)) else str(value))
    return out


#: The custom document property (kept by Excel, WPS and LibreOffice when they save the master)
#: holding a digest of each summary sheet's values as taizhang wrote them.
SUMMARY_PROPERTY = "taizhang-summary"


def _digest(values: list[str]) -> str:
    import hashlib

    return hashlib.sha256("\x1f".join(values).encode("utf-8")).hexdigest()


def mark_summaries(wb: Any, summaries: dict[str, list[str]]) -> None:
    """Record in the workbook about to be saved what its summary sheets hold."""
    from openpyxl.packaging.custom import StringProperty

    props = wb.custom_doc_props
    for prop in list(props.props):
        if prop.name == SUMMARY_PROPERTY:
            props.props.remove(prop)
    props.append(StringProperty(name=SUMMARY_PROPERTY, value=dumps({n: _digest(v) for n, v in summaries.items()})))


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
        if name in others and _digest(summary_values(others[name])) != written:
            refusals.append(f"工作表“{name}”有手工修改：这张表每次合并都按台账重新生成，修改会丢失；"
                            f"如要保留，请把它改名（例如“{name}（定稿）”），改名的表合并时原样保留；"
                            "如不需要，请撤销修改（或删去这张表）")
    if refusals:
        raise ConsolidationError(f"主表 {master} 有手工修改无法保留，合并没有进行，主表未改动：" + "；".join(refusals))
    return columns, "、".join(added)


def _keep(store: Store, tables: dict[str, Table], replaced: dict[str, set], period: str, config: Config) -> None:
    """Put the run's rows into the store: a block per (unit, month) it replaces, and the month's
    blocks of 报送情况 and 问题清单."""
    for kind, name in detail_sheets().items():
        columns = tables[name].columns
        blocks: dict[tuple[str, str], tuple[list, list]] = {key: ([], []) for key in replaced.get(name, ())}
        for row in tables[name].rows:
            rows, values = blocks[(row["单位"], row["月份"])]
            rows.append([row.get(c) for c in columns])
            values.append(row[TYPED])
        for (unit, month), (rows, values) in blocks.items():
            store.put(Block(name, unit, month, rows), kind, values)
    for name in (STATUS_SHEET, FINDINGS_SHEET):
        store.put(Block(name, "", period, [[r.get(c) for c in tables[name].columns] for r in tables[name].rows]))


def _unreadable_master(master: Path, exc: WorkbookRefused) -> str:
    """Why the master cannot be read, and what to do: never blamed on a reporting unit."""
    reason = own_file_reason(exc.reason).removeprefix(f"{master}：")
    backups = backups_of(master)
    advice = (f"；可把最近的备份 {backups[-1].name} 复制为 {master.name} 后再合并" if backups else "")
    return f"主表无法读取：{master}：{reason}；主表未改动{advice}"


#: A backup of a master, by its name (``主表.备份-20261106-093000[-1].xlsx``).
_BACKUP_NAME = re.compile(r"\.备份-\d{8}-\d{6}(?:-\d+)?$")


def _refused_reason(data: FileData) -> str:
    """Why a file could not be read, as the status sheet says it: a file named as a master's
    backup is the office's own, not a unit's (nobody is to be asked to send it again)."""
    reason = data.refusal.message.removeprefix(f"{data.path}：")
    if _BACKUP_NAME.search(data.path.stem):
        return f"这是主表的备份（不是报送的台账），无法读取：{own_file_reason(reason)}"
    return reason


def _merge(datas: list[FileData], outcomes: list[FileOutcome], roster: Roster,
           tables: dict[str, Table], period: str, config: Config) -> ConsolidationResult:
    # the newest file of a unit wins; older ones of the same unit are rejected
    units: dict[str, FileData] = {}
    for o in outcomes:  # files turned back unread (a link leaving the folder): the unit their name tells
        if o.unit is None and not _BACKUP_NAME.search(o.path.stem):
            o.unit = roster.find_in(o.path.stem) or roster.match(o.path.stem)
    for data in datas:
        if data.refusal is not None:
            # the unit, when the file's name tells it (a unit on the roster is not 名册外)
            unit = None if _BACKUP_NAME.search(data.path.stem) else (
                roster.find_in(data.path.stem) or roster.match(data.path.stem))
            outcomes.append(_rejected(data.path, unit, _refused_reason(data), 0, [data.refusal], data.mtime))
            continue
        unit, seen = _unit_of(data, roster)
        rows_read = data.rows_read
        if unit is None:
            outcomes.append(_rejected(data.path, seen, f"单位“{seen}”不在单位名册中（可在名册“别名”列中添加）",
                                      rows_read, data.findings, data.mtime))
            continue
        if unit in units:
            older, newer = sorted([units[unit], data], key=lambda d: (d.mtime, str(d.path)))
            units[unit] = newer
            n_old = older.rows_read
            outcomes.append(_rejected(older.path, unit, f"同一单位有更新的文件 {newer.path.name}，本文件未合并",
                                      n_old, older.findings, older.mtime))
            outcomes[-1].superseded = True
        else:
            units[unit] = data

    status_new: list[dict[str, Any]] = []
    findings_new: list[dict[str, Any]] = []
    # per detail table: the (unit, month) keys this run replaces, and the rows replacing them
    sheets = detail_sheets()
    replaced: dict[str, tuple[set, list]] = {name: (set(), []) for name in sheets.values()}
    for unit, data in units.items():
        written = rejected = 0
        notes = []
        for kind, rows in data.unpacked().items():
            keys, new_rows = replaced[sheets[kind]]
            keep = [r for r in rows if r.month <= period]
            late = len(rows) - len(keep)
            if late:
                notes.append(f"{config.kinds[kind].label}有 {late} 行日期晚于 {period}，未合并")
            keys.update({(unit, r.month) for r in keep} | {(unit, period)})
            new_rows.extend(_detail_row(unit, data.path, r) for r in keep)
            written += len(keep)
            rejected += late
        if data.hidden_rows:
            notes.append(f"隐藏工作表中的 {data.hidden_rows} 行未合并")
            rejected += data.hidden_rows
        errors = sum(f.is_error for f in data.findings)
        outcome = FileOutcome(data.path, unit, "ok", "；".join(notes) or None, written + rejected,
                              written, rejected, errors, len(data.findings) - errors, data.mtime,
                              data.findings)
        outcomes.append(outcome)

    for name, (keys, new_rows) in replaced.items():
        tables[name].replace(keys, new_rows)  # once per table: a county has a thousand units
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
    order = {u: i for i, u in enumerate(roster.units)}
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
        tables[name].rows.sort(key=lambda r: (order.get(r.get("单位"), len(order)), str(r.get("月份")),
                                              str(r.get("来源文件")), str(r.get("原工作表")),
                                              int(r.get("原行号") or 0)))
    outcomes.sort(key=lambda o: str(o.path))
    return ConsolidationResult(period, Path(), outcomes, [u for u in roster.units if u in reported], missing,
                               replaced={name: keys for name, (keys, _rows) in replaced.items()})


def _detail_row(unit: str, path: Path, r: RowOut) -> dict[str, Any]:
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
    return f"（{'主表备份' if _BACKUP_NAME.search(o.path.stem) else '单位未识别'}）{o.path.stem}"


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
