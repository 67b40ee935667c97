"""What a consolidation takes in: the folder's files (links leaving it, the master and its
store left out), each read and checked (in worker processes when there are enough), and
the roster the units are matched against."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Callable

from taizhang import workers
from taizhang.checks.files import check_loaded
from taizhang.config import Config
from taizhang.consolidation.master import Table, detail_columns
from taizhang.consolidation.outcomes import ConsolidationError, FileData, FileOutcome, RowOut, rejected_file
from taizhang.consolidation.roster import ROSTER_SHEET, Roster, RosterError, read_roster
from taizhang.consolidation.typedrows import typed_values
from taizhang.model import period_date
from taizhang.privacy import confidential_fields, mask
from taizhang.reading.folder import in_folder, is_own_output
from taizhang.reading.workbook import load_workbook, reader_died_refusal
from taizhang.values import clean_text

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
                refused.append(rejected_file(p, None, f"{p.name} 是指向文件夹之外（{target}）的链接，未读取", 0))
                continue
        if not p.exists() or p.resolve() in exclude:
            continue
        found.append(p)  # a Numbers package folder too: reading it says what to do
    return found, refused


def without_master(paths: list[Path], master: Path) -> list[Path]:
    """The folder's files without the master, when it lies among them and is a master (a
    workbook taizhang wrote, or one holding only the roster); a unit's ledger given as the
    master is refused, never written over."""
    if not master.exists():
        return paths
    same = [p for p in paths if same_file(p, master)]
    if not same:
        return paths
    if not is_own_output(master) and ROSTER_SHEET not in _sheet_names(master):
        raise ConsolidationError(
            f"主表 {master} 是文件夹中一份报送的台账，不是局主表：合并结果不能写入报送的台账（源文件从不改动）；"
            "请用 --master 指定另一个文件")
    return [p for p in paths if p not in same]


def same_file(a: Path, b: Path) -> bool:
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


def read_all(paths: list[Path], args: tuple, jobs: int | None, progress: Callable[[Path], None] | None) -> list[FileData]:
    """Read the files, in worker processes when there are enough of them (``taizhang.workers``);
    a file whose reader dies is refused, and the rest are consolidated."""
    return workers.map_files(_read_in_worker, paths, args, jobs=jobs, crashed=_killed_reader, progress=progress)


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
