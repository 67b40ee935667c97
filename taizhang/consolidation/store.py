"""The consolidation store: the master's rows kept beside it, so a month's run costs a month.

The master stays the workbook staff open; ``<master>.合并数据.sqlite`` (SQLite, from the
standard library: one file, transactions) keeps what the master's own sheets hold, in
*blocks*: the rows of one unit's month in one detail sheet, or one month of 报送情况 /
问题清单.  Each block has

- its rows as written into the master (JSON, dates and money tagged), complainants masked
  as in the master;
- for detail rows, the typed values the figures are computed from (confidential fields
  left out), so that 本月 and 累计 are a query over the blocks of the year and never a
  re-parse of earlier months;
- its rows as sheet XML compressed once (:mod:`taizhang.consolidation.deflate`), so that
  writing the master lays earlier months' pieces end to end instead of generating them.

A run replaces the blocks its files bring and writes the master from all blocks.  The store is
committed only once the new master is in place, and it records the master's size and SHA-256:
a store that is missing, of another version, or out of step with the master (a run killed
between the two, a master saved again by Excel or LibreOffice, a backup copied back) is
rebuilt from the master, which is always the record.  With no master, the store starts empty.
"""

from __future__ import annotations

import errno
import hashlib
import os
import sqlite3
import zlib
from datetime import date
from pathlib import Path
from typing import Any, Iterable, Iterator

from taizhang.config import Kind
from taizhang.errors import TaizhangError
from taizhang.consolidation.deflate import Piece, piece
from taizhang.consolidation.sheetxml import render
from taizhang.consolidation.tagging import dumps, loads
from taizhang.consolidation.typedrows import stored_row_class, typed_fields
from taizhang.kinds import kinds
from taizhang.model import ROW_MODELS
from taizhang.records import dataclass

VERSION = "3"
SUFFIX = ".合并数据.sqlite"


class StoreDamaged(sqlite3.DatabaseError):
    """What the store holds cannot be read back: it is deleted and rebuilt from the master."""


class StoreUnwritable(TaizhangError):
    """The store cannot be written (a read-only file or folder): it is not damaged, and it is
    left as it is; the consolidation stops before the master is written (exit 2)."""


def storage_fault(exc: sqlite3.Error, path: Path) -> OSError | StoreUnwritable | None:
    """What a SQLite error says of the disk rather than of the file's contents: the disk full
    (an OSError, ENOSPC, told as for any file), the file or its folder read-only, the disk
    failing to read or write; None for anything else (a damaged file among them)."""
    name = getattr(exc, "sqlite_errorname", None) or ""
    text = str(exc).lower()
    if name.startswith("SQLITE_FULL") or "disk is full" in text:
        return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
    if name.startswith("SQLITE_READONLY") or "readonly database" in text:
        return StoreUnwritable(
            f"合并数据文件 {path} 是只读的（或所在文件夹、磁盘只读），无法写入；主表未改动。"
            f"请去掉该文件的只读属性后再合并（也可以删除它：下次合并时按主表重建，较慢一次）")
    if name.startswith(("SQLITE_IOERR", "SQLITE_CANTOPEN")) or "disk i/o error" in text:
        return OSError(errno.EIO, os.strerror(errno.EIO), str(path))
    return None


def store_path(master: Path) -> Path:
    return master.with_name(master.stem + SUFFIX)



def _part(text: str | None) -> Any:
    """A part as kept, or None when there is none or it cannot be read (it is made again)."""
    if text is None:
        return None
    try:
        return loads(text)
    except ValueError:
        return None



def _typed_table(kind: Kind) -> str:
    """The (quoted) name of the table of ``kind``'s typed rows."""
    name = f"typed_{kind.value}".replace('"', '""')
    return f'"{name}"'



# --- the store -------------------------------------------------------------------------

@dataclass
class Block:
    sheet: str
    unit: str  # "" for the month blocks of 报送情况 and 问题清单
    month: str
    rows: list[list]  # aligned with the sheet's columns


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS blocks (
    sheet TEXT NOT NULL, unit TEXT NOT NULL, month TEXT NOT NULL,
    nrows INTEGER NOT NULL,
    rows TEXT NOT NULL,          -- JSON: the rows as written into the master
    style TEXT,                  -- the sheet's columns and styles the piece was made for
    piece BLOB, crc INTEGER, size INTEGER,
    pcrc INTEGER,                -- CRC-32 of the piece as stored: a damaged one is made again
    PRIMARY KEY (sheet, unit, month)
);
-- the rows of a detail block in groups by the month their date places them in (scope: that
-- month, '' for undated rows, '*' for all the block's rows when it has several groups), each
-- with its kind's parts (see KindDef.parts) made under the settings ``config`` names
CREATE TABLE IF NOT EXISTS parts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,   -- never used again: a block put anew has new ids
    kind TEXT NOT NULL, unit TEXT NOT NULL, month TEXT NOT NULL, scope TEXT NOT NULL,
    nrows INTEGER NOT NULL,
    config TEXT, part TEXT,
    UNIQUE (kind, unit, month, scope)
);
-- per kind and unit, the parts of its 累计 as last computed merged into one (KindDef.merge_parts),
-- with the parts it was merged from (sig: a digest of their months, scopes and ids, n: how
-- many): next month's 累计 merges it with the new month's part, unless a part it holds changed
-- (no semicolon in these comments: clear() runs the statements one by one)
CREATE TABLE IF NOT EXISTS running (
    kind TEXT NOT NULL, unit TEXT NOT NULL, sig TEXT NOT NULL, n INTEGER NOT NULL,
    config TEXT NOT NULL, part TEXT NOT NULL,
    PRIMARY KEY (kind, unit)
);
"""

#: The scope of a block's undated rows, and of all its rows (see the ``parts`` table).
UNDATED, ALL = "", "*"


def config_key(config: Any) -> str:
    """What the figures and the typed rows depend on in an office's configuration (columns,
    vocabularies, roles, forms, the kinds and their parts), as a short digest."""
    text = repr((config.kinds, config.vocabularies, config.forms, config.categories, config.category_hints,
                 config.tables, [(str(d.kind), type(d).__qualname__, d.parts_version) for d in kinds()]))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def discard(path: Path) -> None:
    """Delete a store file and its journal."""
    for stale in (path, path.with_name(path.name + "-journal")):
        stale.unlink(missing_ok=True)


def fingerprint(master: Path) -> str:
    """Size and SHA-256 of the master file."""
    digest = hashlib.sha256()
    with master.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return f"{master.stat().st_size}:{digest.hexdigest()}"


class Store:
    """The blocks of one master.  Every change is one transaction, committed by :meth:`commit`
    once the new master is in place, rolled back by :meth:`close` otherwise."""

    def __init__(self, path: Path, layout: str) -> None:
        self.path = path
        self.layout = layout  # the sheets' columns and row fields: a change means a rebuild
        self.created = False
        #: The file was there but not a database: replaced by an empty one.
        self.damaged = False
        #: kind -> its parts as read (see :meth:`_parts_of`), until a block of it changes
        self._parts: dict[Kind, dict[tuple[str, str, str], list]] = {}
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=DELETE")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(_SCHEMA)
        self._typed_tables(drop=False)
        #: The cells of the master's 台账设置 sheet (its settings), as last read from the master.
        self.master_settings: list = loads(self._meta("settings") or "[]")
        #: sheet -> its columns as the master last written has them (those added by hand too)
        self.columns: dict[str, list[str]] = _part(self._meta("columns")) or {}
        self.db.execute("BEGIN IMMEDIATE")

    @classmethod
    def open(cls, master: Path, layout: str) -> Store:
        """The store of ``master``; a damaged store file is replaced by an empty one (the
        master, the record, then fills it)."""
        path = store_path(master)
        created = not path.exists()
        damaged = False
        try:
            store = cls(path, layout)
        except sqlite3.DatabaseError as exc:
            fault = storage_fault(exc, path)
            if fault is not None:  # the disk, not the file: leave it as it is and say so
                if created:
                    discard(path)
                raise fault from None
            discard(path)
            store = cls(path, layout)
            damaged = True
        store.created = created
        store.damaged = damaged
        return store

    def _meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def in_step(self, master: Path) -> bool:
        """Whether the store holds exactly what ``master`` holds (as this version keeps it)."""
        return self.out_of_step(master) is None

    def out_of_step(self, master: Path) -> str | None:
        """Why the store cannot stand for ``master`` (in Chinese, for the note that it was
        rebuilt), or None when it holds exactly what the master holds."""
        name = self.path.name
        if self.damaged:
            return f"合并数据文件 {name} 已损坏"
        if self.created:
            return f"主表旁没有合并数据文件 {name}"
        if self._meta("version") is None:
            return f"合并数据文件 {name} 没有写完（上次合并未能完成）"
        if self._meta("version") != VERSION:
            return f"合并数据文件 {name} 由另一版本的 taizhang 写成"
        if self._meta("layout") != self.layout:
            return f"合并数据文件 {name} 是按另一套台账列或配置写成的"
        if not master.exists() or self._meta("master") != fingerprint(master):
            return (f"合并数据文件 {name} 与主表不一致（主表在上次合并后被修改、另存或换成了备份，"
                    "或上次合并未能完成）")
        return None

    def clear(self) -> None:
        """Empty the store, its tables made again as this version makes them (a store of an
        older version may lack a column; the typed tables' columns follow the rows' fields)."""
        for table in ("blocks", "parts", "running", "meta"):
            self.db.execute(f"DROP TABLE IF EXISTS {table}")
        for statement in _SCHEMA.split(";"):  # one by one: executescript would commit
            if statement.strip():
                self.db.execute(statement)
        self._parts.clear()
        self.master_settings = []
        self._typed_tables(drop=True)

    def _typed_tables(self, *, drop: bool) -> None:
        """A table per ledger kind: a row per detail row, a column per field of its row model."""
        for kind in ROW_MODELS:
            fields = ", ".join(f"f_{f}" for f in typed_fields(kind))
            table = _typed_table(kind)
            if drop:
                self.db.execute(f"DROP TABLE IF EXISTS {table}")
            self.db.execute(f"CREATE TABLE IF NOT EXISTS {table} "
                            f"(unit TEXT, month TEXT, pmonth TEXT, file TEXT, sheet TEXT, line INTEGER, {fields})")
            self.db.execute(f"CREATE INDEX IF NOT EXISTS {table[:-1]}_block\" ON {table} (unit, month)")
            self.db.execute(f"CREATE INDEX IF NOT EXISTS {table[:-1]}_pmonth\" ON {table} (pmonth)")

    # -- blocks ------------------------------------------------------------------------

    def put(self, block: Block, kind: Kind | None = None, typed: list[list] | None = None) -> None:
        """Store ``block`` (replacing the block of the same sheet, unit and month), and for a
        detail block the typed values of its rows (see :func:`typed_values`)."""
        self.drop(block.sheet, block.unit, block.month, kind)
        if not block.rows:
            return
        self.db.execute(
            "INSERT INTO blocks (sheet, unit, month, nrows, rows) VALUES (?, ?, ?, ?, ?)",
            (block.sheet, block.unit, block.month, len(block.rows), dumps(block.rows)))
        if kind is not None and typed:
            marks = ", ".join("?" * (len(typed_fields(kind)) + 6))
            self.db.executemany(f"INSERT INTO {_typed_table(kind)} VALUES ({marks})",
                                [(block.unit, block.month, *t) for t in typed])
            groups: dict[str, int] = {}
            for t in typed:
                scope = t[0] or UNDATED
                groups[scope] = groups.get(scope, 0) + 1
            if len(groups) > 1:
                groups[ALL] = len(typed)
            self.db.executemany("INSERT INTO parts (kind, unit, month, scope, nrows) VALUES (?, ?, ?, ?, ?)",
                                [(kind.value, block.unit, block.month, scope, n) for scope, n in groups.items()])

    def drop(self, sheet: str, unit: str, month: str, kind: Kind | None = None) -> None:
        self.db.execute("DELETE FROM blocks WHERE sheet = ? AND unit = ? AND month = ?", (sheet, unit, month))
        if kind is not None:
            self.db.execute(f"DELETE FROM {_typed_table(kind)} WHERE unit = ? AND month = ?", (unit, month))
            self.db.execute("DELETE FROM parts WHERE kind = ? AND unit = ? AND month = ?", (kind.value, unit, month))
            self._parts.pop(kind, None)

    def rows(self, sheet: str, month: str) -> list[list]:
        """The rows of the month blocks of ``sheet`` (报送情况, 问题清单) for ``month``."""
        found = self.db.execute("SELECT rows FROM blocks WHERE sheet = ? AND unit = '' AND month = ?",
                                (sheet, month)).fetchone()
        return loads(found[0]) if found else []

    def block_rows_as_written(self, sheet: str, unit: str, month: str) -> list[list]:
        """The rows of one block as written into the master (aligned with its columns)."""
        found = self.db.execute("SELECT rows FROM blocks WHERE sheet = ? AND unit = ? AND month = ?",
                                (sheet, unit, month)).fetchone()
        return loads(found[0]) if found else []

    def layout_of(self, sheet: str) -> list[tuple[str, str, int]]:
        """(unit, month, rows) of every block of ``sheet``."""
        return self.db.execute("SELECT unit, month, nrows FROM blocks WHERE sheet = ?", (sheet,)).fetchall()

    def pieces(self, sheet: str, order: list[tuple[str, str]], style: str, styles: list[str | None],
               date_style: str | None, wrap: list | None = None) -> Iterator[Piece]:
        """The compressed pieces of ``sheet``'s blocks in ``order``; a block without a piece
        for ``style`` (new, or the master's styles changed) is rendered and kept."""
        found = {(unit, month): row for unit, month, *row in self.db.execute(
            "SELECT unit, month, style, piece, crc, size, pcrc FROM blocks WHERE sheet = ?", (sheet,)).fetchall()}
        for unit, month in order:
            row = found.pop((unit, month), None)
            if row is None:
                continue
            if row[0] == style and row[1] is not None and zlib.crc32(row[1]) == row[4]:
                yield Piece(row[1], row[2], row[3])
                continue
            text = self.db.execute("SELECT rows FROM blocks WHERE sheet = ? AND unit = ? AND month = ?",
                                   (sheet, unit, month)).fetchone()[0]
            try:
                rows = loads(text)
            except ValueError:
                raise StoreDamaged(f"block {sheet}/{unit}/{month}: rows unreadable") from None
            made = piece(render(rows, styles, date_style, wrap))
            self.db.execute("UPDATE blocks SET style = ?, piece = ?, crc = ?, size = ?, pcrc = ? "
                            "WHERE sheet = ? AND unit = ? AND month = ?",
                            (style, made.data, made.crc, made.size, zlib.crc32(made.data), sheet, unit, month))
            yield made

    def _part_of(self, d: Any, kept: dict, block: tuple[str, str, Any], key: str, config: Any) -> Any:
        """The part of one block's scope: as kept, else made from its rows (and kept)."""
        kind = d.kind
        unit, month, scope = block
        if isinstance(scope, tuple):  # some of the block's groups: from its rows, not kept
            return d.parts(self.block_rows(kind, unit, month, scope), config)
        entry = kept[block]
        if entry[1] == key and entry[3] is None:
            entry[3] = _part(entry[2])
        if entry[1] != key or entry[3] is None:
            part = d.parts(self.block_rows(kind, unit, month, None if scope == ALL else (scope,)), config)
            text = dumps(part)
            self.db.execute("UPDATE parts SET config = ?, part = ? WHERE id = ?", (key, text, entry[4]))
            entry[1:4] = [key, text, part]
        return entry[3]

    def _parts_for(self, d: Any, kept: dict, selection: list[tuple[str, str, Any]], key: str, config: Any,
                   running: bool) -> list:
        """The parts of the selected blocks, in order; with ``running``, each unit's as one."""
        kind = d.kind
        if not (running and d.merges_parts()):
            self._read_parts(kind, kept, [b for b in selection if not isinstance(b[2], tuple)], key)
            return [self._part_of(d, kept, b, key, config) for b in selection]
        by_unit: dict[str, list] = {}
        for block in selection:  # in the master's order: units, then months
            by_unit.setdefault(block[0], []).append(block)
        kept_runs = {unit: (sig, n, made_under, text) for unit, sig, n, made_under, text in self.db.execute(
            "SELECT unit, sig, n, config, part FROM running WHERE kind = ?", (kind.value,))}

        def sig(blocks: list) -> str:
            return hashlib.sha1(repr([(m, s, kept[(u, m, s)][4]) for u, m, s in blocks]).encode()).hexdigest()

        plan = []  # (unit, its blocks, the running part it starts from, the blocks still to merge)
        for unit, blocks in by_unit.items():
            if len(blocks) < 2 or any(isinstance(s, tuple) for _u, _m, s in blocks):
                plan.append((unit, blocks, None, blocks))
                continue
            head = None
            found = kept_runs.get(unit)
            if found is not None and found[2] == key and found[1] <= len(blocks) and found[0] == sig(blocks[:found[1]]):
                head = _part(found[3])
            plan.append((unit, blocks, head, blocks[found[1]:] if head is not None else blocks))
        self._read_parts(kind, kept, [b for _u, _bs, _h, rest in plan for b in rest if not isinstance(b[2], tuple)],
                         key)
        parts = []
        for unit, blocks, head, rest in plan:
            if len(blocks) < 2 or any(isinstance(s, tuple) for _u, _m, s in blocks):
                parts.extend(self._part_of(d, kept, b, key, config) for b in blocks)
                continue
            if head is not None and not rest:
                parts.append(head)
                continue
            merged = d.merge_parts([*([head] if head is not None else []),
                                    *(self._part_of(d, kept, b, key, config) for b in rest)], config)
            self.db.execute("INSERT OR REPLACE INTO running (kind, unit, sig, n, config, part) VALUES (?, ?, ?, ?, ?, ?)",
                            (kind.value, unit, sig(blocks), len(blocks), key, dumps(merged)))
            parts.append(merged)
        return parts

    def _parts_of(self, kind: Kind) -> dict[tuple[str, str, str], list]:
        """(unit, month, scope) -> [rows, settings made under, part as kept, part read, id] of
        ``kind``, listed once per run (the figures of the month and of the year share them);
        the parts themselves are read only when wanted (:meth:`_read_parts`)."""
        found = self._parts.get(kind)
        if found is None:
            found = {(unit, month, scope): [n, made_under, None, None, ident]
                     for ident, unit, month, scope, n, made_under in
                     self.db.execute("SELECT id, unit, month, scope, nrows, config FROM parts WHERE kind = ?",
                                     (kind.value,))}
            self._parts[kind] = found
        return found

    def _read_parts(self, kind: Kind, kept: dict[tuple[str, str, str], list], wanted: list[tuple[str, str, str]],
                    key: str) -> None:
        """Read the kept parts made under ``key`` of the ``wanted`` blocks and scopes, in one
        query over the months they span (a year's, not every year's)."""
        missing = [b for b in wanted if kept[b][1] == key and kept[b][2] is None]
        if not missing:
            return
        first, last = min(m for _u, m, _s in missing), max(m for _u, m, _s in missing)
        for unit, month, scope, text in self.db.execute(
                "SELECT unit, month, scope, part FROM parts WHERE kind = ? AND config = ? AND month BETWEEN ? AND ?",
                (kind.value, key, first, last)):
            entry = kept.get((unit, month, scope))
            if entry is not None and entry[2] is None:
                entry[2] = text

    def block_rows(self, kind: Kind, unit: str, month: str, scopes: Iterable[str] | None = None) -> list:
        """The typed rows of one block, in the order of the master (optionally only those of
        the given scopes)."""
        cls = stored_row_class(kind)
        new = tuple.__new__
        columns = ", ".join(["pmonth", "file", "sheet", "line", *(f"f_{f}" for f in typed_fields(kind))])
        cursor = self.db.execute(f"SELECT {columns} FROM {_typed_table(kind)} "
                                 "WHERE unit = ? AND month = ? ORDER BY rowid", (unit, month))
        wanted = None if scopes is None else set(scopes)
        return [new(cls, r[1:]) for r in cursor.fetchall() if wanted is None or (r[0] or UNDATED) in wanted]

    def figures(self, d: Any, first: str, last: str, *, tracker: bool, config: Any, key: str, as_of: date,
                rank: dict[str, int], running: bool = False) -> Any:
        """The figures of the kind ``d`` (a :class:`taizhang.kinds.KindDef`) over the rows
        dated in the months ``first`` to ``last`` (``tracker``: every row dated up to ``last``
        and every undated one, a tracker's 累计), exactly as :func:`taizhang.figures.figures`
        computes them from those rows laid out as in the master (units in ``rank`` order, then
        months, each block's rows as written).

        They are merged from the parts of each block (:meth:`KindDef.parts`), kept per block
        and scope under the settings ``key`` names and made from the block's rows when missing
        or made under other settings: a month's run merges a few parts per unit and month
        instead of going over every row of the year.  With ``running`` (累计), each unit's
        parts are kept merged into one (:meth:`KindDef.merge_parts`), so that next month's
        累计 merges that one with the new month's.  A kind without parts is computed from the
        rows.
        """
        kind = d.kind
        kept = self._parts_of(kind)
        groups: dict[tuple[str, str], dict[str, int]] = {}
        for (unit, month, scope), entry in kept.items():
            groups.setdefault((unit, month), {})[scope] = entry[0]
        undated = 0 if tracker else sum(g.get(UNDATED, 0) for g in groups.values())

        def wanted(scope: str) -> bool:
            return tracker if scope == UNDATED else first <= scope <= last

        selection: list[tuple[str, str, Any]] = []
        for unit, month in sorted(groups, key=lambda b: (rank.get(b[0], len(rank)), b[0], b[1])):
            scopes = [s for s in groups[(unit, month)] if s != ALL]
            picked = [s for s in scopes if wanted(s)]
            if not picked:
                continue
            if len(picked) == len(scopes):
                selection.append((unit, month, ALL if len(scopes) > 1 else picked[0]))
            elif len(picked) == 1:
                selection.append((unit, month, picked[0]))
            else:  # some of a block's groups but not all (a hand-edited 月份): from its rows
                selection.append((unit, month, tuple(picked)))
        if not d.has_parts():
            rows = [r for unit, month, scope in selection
                    for r in self.block_rows(kind, unit, month, None if scope == ALL else
                                              scope if isinstance(scope, tuple) else (scope,))]
            fig = d.figures(rows, config, as_of)
        else:
            fig = d.from_parts(self._parts_for(d, kept, selection, key, config, running), config, as_of)
        if hasattr(fig, "undated"):
            fig.undated = undated
        return fig

    # -- transaction -------------------------------------------------------------------

    def commit(self, master: Path) -> None:
        """Record the master just written and make the run's changes durable."""
        for key, value in (("version", VERSION), ("layout", self.layout), ("master", fingerprint(master)),
                           ("settings", dumps(self.master_settings)), ("columns", dumps(self.columns))):
            self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))
        self.db.execute("COMMIT")

    def discard(self) -> None:
        """Close without committing and delete the file (a store found damaged while in use)."""
        if self.db.in_transaction:
            try:
                self.db.execute("ROLLBACK")
            except sqlite3.DatabaseError:
                pass
        self.db.close()
        discard(self.path)

    def close(self) -> None:
        """Close; changes not committed are rolled back (and a store this run created, removed)."""
        failed = self.db.in_transaction
        if failed:
            self.db.execute("ROLLBACK")
        self.db.close()
        if failed and self.created:
            self.path.unlink(missing_ok=True)
