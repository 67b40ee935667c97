"""Roll-up: a city's master from its counties' masters, and a province's from its cities'.

A folder of masters as taizhang wrote them (each one a county's consolidation of its units)
is consolidated as a folder of units' workbooks is, the county taking the unit's place: the
roster lists the counties, a master is matched by the bureau its 汇总表 is titled for (else
by its file name), and a county's master replaces, for each ledger kind, the county's rows
of the months its rows fall in (up to the period) and of the period.  Each detail row keeps
its own provenance (单位, 来源文件, 原工作表, 原行号, 检查结果) behind a column naming the
county (县（区）; one level up, 市（州） in front of that), so that the city's master traces
every row to county and unit, and its figures are computed from the rows themselves.

A master is first held to its own checks, and turned back with the reason (file, sheet,
cell) when it fails one: the sheets and columns taizhang writes are all there, the period
was consolidated (``报送情况`` has its month), and every row up to the period names its unit
and month and holds values that read as its ledger's, unless the county's own check already
flagged the row (``检查结果``).  Complainants were masked in the county's master (see
:mod:`taizhang.privacy`); a confidential value found unmasked is masked again.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from openpyxl.utils import get_column_letter

from taizhang.config import Config
from taizhang.consolidation.master import (
    ISSUES_COLUMN, LEVEL_COLUMNS, STATUS_SHEET, Table, detail_columns, detail_header, detail_sheets, empty_tables,
    provenance, tables_of,
)
from taizhang.consolidation.outcomes import FileData, FileOutcome, RowOut, rejected_file
from taizhang.consolidation.typedrows import typed_values
from taizhang.findings import CATALOGUE, Finding
from taizhang.model import Origin, ParseContext
from taizhang.privacy import confidential_fields, mask
from taizhang.reading.book import WORKBOOK_SUFFIXES, WorkbookRefused
from taizhang.reading.folder import MASTER_SHEETS, is_own_output
from taizhang.reading.source import open_workbook
from taizhang.validation import parse_row
from taizhang.values import clean_text

#: What a master of each depth is called (0: a county's, of its units).
DEPTH_NAMES = ("县级主表（各单位合并）", "市级主表（各县区汇总）", "省级主表（各市汇总）")
#: The ending of the title of a master's 汇总表, after the bureau's name (taizhang.summary).
TITLE_ENDING = "纪检监察工作统计汇总表"
#: A code with its title, as ``检查结果`` lists them: ``不在规定选项内（unknown-value）``.
_CODE = re.compile(r"([^、（）]+)（([a-z][a-z0-9-]*)）")
#: A master's backup, by its name (``主表.备份-20261106-093000[-1].xlsx``): not a submission.
_BACKUP = ".备份-"


def depth_name(depth: int) -> str:
    return DEPTH_NAMES[depth] if depth < len(DEPTH_NAMES) else f"{depth} 级汇总主表"


def is_master(path: Path) -> bool:
    """Whether ``path`` is a master taizhang wrote (its mark and the sheets only a master has)."""
    from taizhang.reading.extent import sheet_parts
    import zipfile

    if path.suffix.lower() not in (".xlsx", ".xlsm") or not is_own_output(path):
        return False
    try:
        with zipfile.ZipFile(path) as zf:
            return MASTER_SHEETS <= set(sheet_parts(zf))
    except Exception:  # noqa: BLE001 - not a package we can look into: no master
        return False


def list_masters(folder: Path, *, recursive: bool = False, exclude: set[Path] = frozenset(),
                 master: Path | None = None) -> tuple[list[Path], list[FileOutcome]]:
    """The masters in ``folder`` to roll up, and the other workbooks there, turned back with
    the reason; hidden and lock files, the masters' backups, ``master`` itself (the one
    written) and ``exclude`` are left out, links leaving the folder not followed."""
    found: list[Path] = []
    refused: list[FileOutcome] = []
    root = folder.resolve()
    for p in sorted(folder.rglob("*") if recursive else folder.iterdir()):
        parts = p.relative_to(folder).parts
        if any(part.startswith((".", "~$")) for part in parts) or not p.is_file():
            continue
        if p.suffix.lower() not in WORKBOOK_SUFFIXES or _BACKUP in p.stem:
            continue
        if p.is_symlink() and root not in p.resolve().parents:
            refused.append(rejected_file(p, None, f"{p.name} 是指向文件夹之外（{p.resolve()}）的链接，未读取", 0))
            continue
        if p.resolve() in exclude or (master is not None and master.exists() and p.samefile(master)):
            continue
        if is_master(p):
            found.append(p)
        elif is_own_output(p):
            refused.append(rejected_file(p, None, f"{p.name} 是 taizhang 生成的汇总表，不是合并主表，未汇总", 0))
        else:
            refused.append(rejected_file(
                p, None, f"{p.name} 不是 taizhang 写成的合并主表（是一份台账？），未汇总：逐级汇总只读各县（区）"
                         "报送的主表；各单位的台账请用月度合并（不加 --rollup）", 0))
    return found, refused


def masters_in(folder: Path, *, recursive: bool = False, exclude: set[Path] = frozenset(),
               master: Path | None = None) -> int:
    """How many masters ``folder`` holds (see :func:`list_masters`)."""
    return len(list_masters(folder, recursive=recursive, exclude=exclude, master=master)[0])


def depth_of(tables: dict[str, Table]) -> int | None:
    """How many roll-ups above the units' the master whose ``tables`` these are is (the level
    columns its detail sheets have); None when it has no detail sheet."""
    depths = []
    for name in detail_sheets().values():
        header = tables[name].header if name in tables else None
        if header:
            depth = 0
            while depth < len(LEVEL_COLUMNS) and LEVEL_COLUMNS[depth] in header:
                depth += 1
            depths.append(depth)
    return max(depths) if depths else None


def _refusal(path: Path, message: str, *, sheet: str | None = None, cell: str | None = None,
             row: int | None = None, column: str | None = None) -> Finding:
    return Finding.make("invalid-value", f"{path}：{message}", sheet=sheet, cell=cell, row=row, column=column)


def _bureau(others: dict[str, list], settings: list) -> str | None:
    """The bureau a master was written for: its 汇总表's title, else 局名称 of 台账设置."""
    rows = others.get("汇总表") or []
    title = clean_text(rows[0][0]) if rows and rows[0] else None
    if title and title.endswith(TITLE_ENDING) and len(title) > len(TITLE_ENDING):
        return title[:-len(TITLE_ENDING)]
    for row in settings:
        if len(row) > 1 and clean_text(row[0]) == "局名称" and clean_text(row[1]):
            return clean_text(row[1])
    return None


def _carried_value(name: str, typed: object, raw: object, secret: frozenset[str]) -> object:
    if name in secret:  # masked in the county's master; masked again should it not be
        text = clean_text(raw)
        return text if text is None or "*" in text else mask(name, text)
    return typed if typed is not None else clean_text(raw)


def read_master(path: Path, config: Config, period: str) -> FileData:
    """Read a master to roll up and hold it to its own checks (see the module's text)."""
    try:
        mtime = path.stat().st_mtime
    except OSError:
        mtime = 0.0
    data = FileData(path, mtime)
    try:
        book = open_workbook(path)
    except WorkbookRefused as exc:
        data.refusal = Finding.make(exc.code, exc.reason)
        return data
    headers = {s.name: [clean_text(v) for v in s.rows[0]] if s.rows else [] for s in book.sheets}
    data.depth = depth = depth_of({name: Table(name, [], header=h) for name, h in headers.items()}) or 0
    settings: list = []
    others: dict[str, list] = {}
    tables = tables_of(book, empty_tables(config, depth), settings, others)
    data.reporting_unit = _bureau(others, settings)
    problem = _check(path, tables, config, period, depth)
    if problem is not None:
        data.refusal = problem
        return data
    carried_columns = [c for c in provenance(depth) if c != "月份"] + [ISSUES_COLUMN]
    for kind, name in detail_sheets().items():
        secret = confidential_fields(config, kind)
        ctx = ParseContext(config, kind)
        columns = detail_columns(config, kind)
        out = data.rows.setdefault(kind, [])
        for row, line in zip(tables[name].rows, tables[name].lines):
            flagged = clean_text(row.get(ISSUES_COLUMN))
            if flagged and str(row["月份"]) <= period:  # the county's check found errors: told again
                data.findings.extend(_flagged(row, flagged, name, line))
            origin = Origin(file=str(row.get("来源文件") or ""), sheet=str(row.get("原工作表") or ""),
                            row=int(row.get("原行号") or 0))
            parsed, _problems = parse_row(kind, {f: row.get(h) for f, h in columns}, origin, ctx)
            values = {h: _carried_value(f, getattr(parsed, f, None), row.get(h), secret) for f, h in columns}
            out.append(RowOut(str(row["月份"]), origin.sheet, origin.row, values, "",
                              typed_values(parsed, secret), {c: row.get(c) for c in carried_columns}))
    return data


def _check(path: Path, tables: dict[str, Table], config: Config, period: str, depth: int) -> Finding | None:
    """The first way the master at ``path`` fails its own checks, or None."""
    name_of = path.name
    for kind, name in [*detail_sheets().items(), (None, STATUS_SHEET)]:
        table = tables[name]
        if table.header is None:
            return _refusal(path, f"{name_of} 不是完整的合并主表：没有工作表“{name}”（主表写成后被删改？），未汇总")
        required = detail_header(config, kind, depth) if kind is not None else table.columns
        missing = [c for c in required if c not in table.header]
        if missing:
            return _refusal(path, f"{name_of} 工作表“{name}”第 1 行缺少列“{'”“'.join(missing)}”"
                                  "（主表写成后被改动），未汇总", sheet=name, row=1)
    if not any(r.get("月份") == period for r in tables[STATUS_SHEET].rows):
        return _refusal(path, f"{name_of} 中没有 {period} 的合并结果（工作表“{STATUS_SHEET}”中没有该月）："
                              f"请报送合并了 {period} 的主表，未汇总", sheet=STATUS_SHEET)
    for kind, name in detail_sheets().items():
        table = tables[name]
        letter = {h: get_column_letter(i + 1) for i, h in enumerate(table.header or []) if h}
        ctx = ParseContext(config, kind)
        columns = detail_columns(config, kind)
        for row, line in zip(table.rows, table.lines):
            for column in (*provenance(depth)[:depth + 2], "原行号"):  # the levels, 单位, 月份
                if clean_text(row.get(column)) is None or (column == "原行号" and not _whole(row.get(column))):
                    cell = f"{letter[column]}{line}"
                    return _refusal(path, f"{name_of} 工作表“{name}”单元格 {cell}（{column}）为空或无法识别："
                                          "每一行都应写明来源（主表写成后被改动？），未汇总",
                                    sheet=name, cell=cell, row=line, column=column)
            if str(row["月份"]) > period or clean_text(row.get(ISSUES_COLUMN)):
                continue  # not rolled up, or flagged by the county's own check already
            _row, problems = parse_row(kind, {f: row.get(h) for f, h in columns},
                                       Origin(file="", sheet=name, row=line), ctx)
            header_of = dict(columns)
            for p in problems:
                if p.severity == "error" and header_of.get(p.field) in letter:
                    column = header_of[p.field]
                    cell = f"{letter[column]}{line}"
                    return _refusal(path, f"{name_of} 工作表“{name}”单元格 {cell}（{column}）：{p.message}；"
                                          f"该行的“{ISSUES_COLUMN}”却没有记录问题（主表写成后被改动？），未汇总",
                                    sheet=name, cell=cell, row=line, column=column)
    return None


def _flagged(row: dict, text: str, sheet: str, line: int) -> list[Finding]:
    """The errors a master's row was flagged with (``检查结果``, codes with their titles), as
    findings of the master's sheet and row, naming the unit's file, sheet and row."""
    where = f"{row.get('单位')} {row.get('来源文件')}“{row.get('原工作表')}”第 {row.get('原行号')} 行"
    out = []
    for title, code in _CODE.findall(text) or [(text, "invalid-value")]:
        code = code if code in CATALOGUE else "invalid-value"
        out.append(Finding.make(code, f"{where}：{title}（下级合并时已查出，随数据报送）", sheet=sheet, row=line))
    return out


def _whole(value: object) -> bool:
    try:
        return int(str(value)) >= 0
    except ValueError:
        return False


def settle_depth(datas: list[FileData]) -> int:
    """The depth the masters read share (the most of them; a master of another depth is
    turned back with the reason), or 0 when none was read."""
    found = Counter(d.depth for d in datas if d.refusal is None)
    if not found:
        return 0
    depth = max(found.items(), key=lambda kv: (kv[1], -kv[0]))[0]
    for d in datas:
        if d.refusal is None and d.depth != depth:
            d.refusal = _refusal(d.path, f"{d.path.name} 是{depth_name(d.depth)}，文件夹中其他主表是"
                                         f"{depth_name(depth)}：不同层级的主表不能汇总在一起，未汇总")
            d.rows = {}
    return depth
