"""The Python API for scripts and notebooks, over the same registry as everything else.

    import taizhang
    books = taizhang.read(["workbooks/samples/2026-10"], as_of="2026-10-31")
    books.refunds               # a pandas DataFrame: one row per ledger line (or books["refunds"])
    books.refunds.groupby("school")["refunded"].sum()   # 20400.00, 48000.00 …: Decimal to the fen
    books.findings              # a DataFrame of every finding, beside it
    report = taizhang.summarise(books, period="2026-10")
    report.current.activities.by_category["专题学习"].count

``read`` gives, per ledger kind, a DataFrame whose columns are the provenance (``file``,
``sheet``, ``row``), then the kind's fields typed: dates as ``datetime64``, counts as the
nullable ``Int64``, text as ``string``, money as ``Decimal`` to the fen (``object`` dtype; see
:func:`read` for every table's columns).  The complainant's identity (反映人, 联系电话) is
masked as in the master (``张**``).  A path that does not exist, or folders holding no
workbook, raise :class:`WorkbooksNotFoundError` (a ``FileNotFoundError``, as
``pandas.read_excel`` raises) instead of giving empty tables.
``summarise`` gives the figures (:class:`taizhang.figures.Report`: ``current``,
``year_to_date``, ``narrative``), computed exactly as ``taizhang summary`` computes them, money
to the fen as there.
"""

from __future__ import annotations

import dataclasses
import os
import textwrap
from dataclasses import field
from datetime import date
from decimal import ROUND_HALF_UP, Context, Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping, NamedTuple

from taizhang.config import Config, default_config, load_config
from taizhang.errors import TaizhangError
from taizhang.kinds import definition, kinds
from taizhang.model import fields_of
from taizhang.privacy import confidential_fields, mask
from taizhang.reading.book import WORKBOOK_SUFFIXES
from taizhang.reading.folder import expand_paths
from taizhang.records import dataclass
from taizhang.values import parse_date

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from taizhang.figures import Report

PROVENANCE = ("file", "sheet", "row")
FINDING_COLUMNS = ("file", "sheet", "cell", "row", "column", "severity", "code", "message")


CENT = Decimal("0.01")


class WorkbooksNotFoundError(TaizhangError, FileNotFoundError):
    """:func:`read` or :func:`summarise` given a file or folder that does not exist, or only
    folders holding no workbook: nothing was read.  A ``FileNotFoundError`` too (what
    ``pandas.read_excel`` raises), with the Chinese message naming the paths and ``paths``."""

    def __init__(self, message: str, paths: Iterable[str | os.PathLike] = ()) -> None:
        super().__init__(message)
        self.paths = [str(p) for p in paths]

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def _workbooks(paths: str | os.PathLike | Iterable[str | os.PathLike]) -> list[Path]:
    """The workbook files of ``paths`` (files, folders), or :class:`WorkbooksNotFoundError`."""
    given = [str(p) for p in ([paths] if isinstance(paths, (str, os.PathLike)) else paths)]
    if not given:
        raise WorkbooksNotFoundError("没有给出要读取的文件或文件夹，没有读取任何台账")
    missing = [p for p in given if not Path(p).exists()]
    if missing:
        raise WorkbooksNotFoundError(
            f"找不到 {'、'.join(missing)}（文件或文件夹不存在），没有读取任何台账", missing)
    files = expand_paths(given)
    if not files:
        raise WorkbooksNotFoundError(
            f"{'、'.join(given)} 中没有找到工作簿文件（支持 {' '.join(WORKBOOK_SUFFIXES)}），没有读取任何台账",
            given)
    return files


def to_fen(amount: Decimal | None) -> Decimal | None:
    """``amount`` at two places (``Decimal("20400.00")``), half up as every output rounds; an
    amount too large for the default context's 28 digits is rounded all the same."""
    if not isinstance(amount, Decimal) or not amount.is_finite():
        return amount  # a blank (None) stays blank
    return amount.quantize(CENT, rounding=ROUND_HALF_UP, context=Context(prec=max(28, amount.adjusted() + 3)))


def _dtype(annotation: Any) -> str:
    if annotation == (date | None):
        return "datetime64[ns]"
    if annotation == (int | None):
        return "Int64"
    if annotation == (Decimal | None):
        return "object"
    return "string"


def _as_of(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return parse_date(value)


@dataclass
class Ledgers(Mapping):
    """What :func:`read` gives: a DataFrame per ledger kind (``books.complaints``, or
    ``books["complaints"]``), the findings beside them (``books.findings``), and the checked
    files behind both."""

    frames: dict[str, Any]
    findings: Any
    files: list[Any] = field(default_factory=list, repr=False)
    settings: Any = field(default=None, repr=False)

    def __getitem__(self, kind: str) -> Any:
        return self.frames[str(kind)]

    def __getattr__(self, name: str) -> Any:
        # only called for what is no attribute: a kind, or a mistake to explain
        frames = self.__dict__.get("frames")
        if frames is None or name.startswith("__"):
            raise AttributeError(name)
        if name in frames:
            return frames[name]
        raise AttributeError(
            f"没有“{name}”这种台账：books.{name} 不存在。可用的台账有 {'、'.join(frames)}"
            f"（books.refunds 或 books[\"refunds\"]），另有 findings（问题清单）、files、settings")

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *self.__dict__.get("frames", {})})

    def __iter__(self) -> Iterator[str]:
        return iter(self.frames)

    def __len__(self) -> int:
        return len(self.frames)


def _frame(kind: str, rows: list, config: Config) -> pd.DataFrame:
    import pandas as pd

    model = definition(kind).row_model
    specs = fields_of(model)
    fields = [f for f in specs if f not in ("origin",) and f not in model.not_cells]
    secret = confidential_fields(config, kind)
    data: dict[str, list] = {"file": [], "sheet": [], "row": []}
    for f in fields:
        data[f] = []
    for r in rows:
        data["file"].append(r.origin.file)
        data["sheet"].append(r.origin.sheet)
        data["row"].append(r.origin.row)
        for f in fields:
            value = getattr(r, f)
            data[f].append(mask(f, value) if f in secret and value is not None else value)
    frame = pd.DataFrame(data)
    types = {"file": "string", "sheet": "string", "row": "Int64"}
    types.update({f: _dtype(specs[f].annotation) for f in fields})
    for column, dtype in types.items():
        if dtype == "datetime64[ns]":
            frame[column] = pd.to_datetime(frame[column])
        elif dtype == "object":  # money: Decimal at two places, so that sums print as 20400.00
            frame[column] = pd.Series([to_fen(v) for v in frame[column]], index=frame.index, dtype=object)
        else:
            frame[column] = frame[column].astype(dtype)
    return frame


# --- the columns, as documented -------------------------------------------------------------

class Column(NamedTuple):
    """A column of a table :func:`read` gives: its name, its type as documented (``string``,
    ``Int64``, ``datetime64``, ``Decimal``) and what it holds (the ledger's column, in Chinese)."""

    name: str
    type: str
    holds: str


_DOC_TYPE = {"datetime64[ns]": "datetime64", "Int64": "Int64", "object": "Decimal", "string": "string"}
_PROVENANCE_HOLDS = {"file": "文件路径", "sheet": "工作表", "row": "Excel行号"}


def columns() -> dict[str, list[Column]]:
    """Per table of :func:`read` (each ledger kind registered, then ``findings``), its columns
    in order: what the documentation lists, and what the frames have."""
    config = default_config()
    out: dict[str, list[Column]] = {}
    for d in kinds():
        model = d.row_model
        spec = config.kinds[d.kind]
        headers = {c.field: c.name for c in spec.columns}
        secret = {c.field for c in spec.columns if c.confidential}
        cols = [Column("file", "string", _PROVENANCE_HOLDS["file"]), Column("sheet", "string", _PROVENANCE_HOLDS["sheet"]),
                Column("row", "Int64", _PROVENANCE_HOLDS["row"])]
        for f, spec in fields_of(model).items():
            if f == "origin" or f in model.not_cells:
                continue
            holds = headers.get(f, "") + ("，已遮蔽" if f in secret else "")
            cols.append(Column(f, _DOC_TYPE[_dtype(spec.annotation)], holds))
        out[d.kind.value] = cols
    out["findings"] = [Column(c, "Int64" if c == "row" else "string", h) for c, h in zip(FINDING_COLUMNS, (
        "文件路径", "工作表", "单元格，如H12", "Excel行号", "列名", "级别：error/warning", "问题代码", "问题说明"))]
    return out


def _labels() -> dict[str, str]:
    return {kind.value: spec.label for kind, spec in default_config().kinds.items()} | {"findings": "问题清单"}


def columns_markdown() -> str:
    """The columns of every table, as the README lists them (``python -m taizhang.api``)."""
    labels = _labels()
    lines = []
    for table, cols in columns().items():
        listed = ", ".join(f"`{c.name}` {c.holds}" + (f" ({c.type})" if c.type != "string" else "") for c in cols)
        lines.append(f"- `books.{table}` ({labels[table]}): {listed}")
    return "\n".join(lines) + "\n"


def columns_text(width: int = 88) -> str:
    """The same list as plain text, for :func:`read`'s docstring."""
    labels = _labels()
    out = []
    for table, cols in columns().items():
        listed = ", ".join(f"{c.name}（{c.holds}" + (f"，{c.type}" if c.type != "string" else "") + "）" for c in cols)
        out.append(textwrap.fill(f"books.{table} ({labels[table]}): {listed}", width,
                                 initial_indent="    ", subsequent_indent="        ", break_on_hyphens=False))
    return "\n".join(out) + "\n"


def read(paths: str | os.PathLike | Iterable[str | os.PathLike], *, config: Config | None = None,
         as_of: Any = None, include_hidden: bool = False) -> Ledgers:
    """Read and check workbooks (files or folders): per ledger kind a DataFrame of its rows
    (hidden sheets left out unless ``include_hidden``), and the findings, as a
    :class:`Ledgers` (``books.refunds`` or ``books["refunds"]``, ``books.findings``).

    A path that does not exist, or folders with no workbook in them, raise
    :class:`WorkbooksNotFoundError`; a file that is there but cannot be read is a finding.
    Dates are ``datetime64``, counts ``Int64``, text ``string``, money ``Decimal`` at two
    places (half up; ``groupby().sum()`` prints ``20400.00``; a group of blanks only sums to
    pandas' ``0`` unless ``sum(min_count=1)``).  The columns of each table, in order:

"""
    import pandas as pd

    from taizhang.usecases.check import check_settled

    settings, checked = check_settled(_workbooks(paths), config or load_config(), as_of=_as_of(as_of))
    rows: dict[str, list] = {d.kind.value: [] for d in kinds()}
    for report in checked:
        for ledger in report.ledgers:
            if ledger.hidden and not include_hidden:
                continue
            rows[ledger.kind.value].extend(ledger.rows)
    frames = {kind: _frame(kind, items, settings.config) for kind, items in rows.items()}
    found = [{"file": str(r.path), "sheet": f.sheet, "cell": f.cell, "row": f.row, "column": f.column,
              "severity": f.severity.value, "code": f.code, "message": f.message}
             for r in checked for f in r.findings]
    findings = pd.DataFrame(found, columns=list(FINDING_COLUMNS)).astype(
        {c: "string" for c in FINDING_COLUMNS if c != "row"} | {"row": "Int64"})
    return Ledgers(frames, findings, checked, settings)


read.__doc__ = (read.__doc__ or "") + columns_text()


def summarise(source: Ledgers | str | os.PathLike | Iterable[str | os.PathLike], *, period: Any = None,
              as_of: Any = None, config: Config | None = None, bureau: str | None = None) -> Report:
    """The figures (``Report``) of what :func:`read` gave, or of workbook paths: for ``period``
    (``2026-10``, ``2026Q3``, ``2026H1``, ``2026-03..2026-08``, ``2026``, ``all``: every form of
    ``Period.parse``; default the month of the as-of day) with the year to date at its end.
    Money is at two places, as ``taizhang summary`` prints it; paths that do not exist raise
    :class:`WorkbooksNotFoundError`."""
    if isinstance(source, Ledgers):
        from taizhang.usecases.summarising import summarise_checked

        report = summarise_checked(source.files, source.settings, period=period, bureau=bureau,
                                   as_of=_as_of(as_of), config=config).report
    else:
        from taizhang.usecases.summarising import summarise_files

        report = summarise_files(_workbooks(source), config or load_config(), period=period, bureau=bureau,
                                 as_of=_as_of(as_of)).report
    update = {"current": _in_fen(report.current)}
    if report.year_to_date is not None:
        update["year_to_date"] = _in_fen(report.year_to_date)
    return dataclasses.replace(report, **update)


def _in_fen(value: Any) -> Any:
    """A copy of figures with every amount (``Decimal``) at two places."""
    if isinstance(value, Decimal):
        return to_fen(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(value, **{f.name: _in_fen(getattr(value, f.name)) for f in dataclasses.fields(value)})
    if isinstance(value, dict):
        return {k: _in_fen(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_in_fen(v) for v in value]
    return value


if __name__ == "__main__":  # the README's list of columns
    print(columns_markdown(), end="")
