"""The Python API for scripts and notebooks, over the same registry as everything else.

    import taizhang
    books = taizhang.read(["workbooks/samples/2026-10"], as_of="2026-10-31")
    books["refunds"]            # a pandas DataFrame: one row per ledger line
    books.findings              # a DataFrame of every finding, beside it
    report = taizhang.summarise(books, period="2026-10")
    report.current.activities.by_category["专题学习"].count

``read`` gives, per ledger kind, a DataFrame whose columns are the provenance (``file``,
``sheet``, ``row``), then the kind's fields typed: dates as ``datetime64``, counts as the
nullable ``Int64``, text as ``string``, money as exact ``Decimal`` (``object`` dtype).  The
complainant's identity (反映人, 联系电话) is masked as in the master (``张**``).
``summarise`` gives the figures (:class:`taizhang.figures.Report`: ``current``,
``year_to_date``, ``narrative``), computed exactly as ``taizhang summary`` computes them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping

from taizhang.config import Config, load_config

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from taizhang.figures import Report

PROVENANCE = ("file", "sheet", "row")
FINDING_COLUMNS = ("file", "sheet", "cell", "row", "column", "severity", "code", "message")


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
    from taizhang.values import parse_date

    return parse_date(value)


@dataclass
class Ledgers(Mapping):
    """What :func:`read` gives: a DataFrame per ledger kind (``books["complaints"]``), the
    findings beside them, and the checked files behind both."""

    frames: dict[str, Any]
    findings: Any
    files: list[Any] = field(default_factory=list, repr=False)
    settings: Any = field(default=None, repr=False)

    def __getitem__(self, kind: str) -> Any:
        return self.frames[str(kind)]

    def __iter__(self) -> Iterator[str]:
        return iter(self.frames)

    def __len__(self) -> int:
        return len(self.frames)


def _frame(kind: str, rows: list, config: Config) -> pd.DataFrame:
    import pandas as pd

    from taizhang.kinds import definition
    from taizhang.privacy import confidential_fields, mask

    model = definition(kind).row_model
    fields = [f for f in model.model_fields if f not in ("origin",) and f not in model.not_cells]
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
    types.update({f: _dtype(model.model_fields[f].annotation) for f in fields})
    for column, dtype in types.items():
        if dtype == "datetime64[ns]":
            frame[column] = pd.to_datetime(frame[column])
        elif dtype != "object":
            frame[column] = frame[column].astype(dtype)
    return frame


def read(paths: str | os.PathLike | Iterable[str | os.PathLike], *, config: Config | None = None,
         as_of: Any = None, include_hidden: bool = False) -> Ledgers:
    """Read and check workbooks (files or folders): per ledger kind a DataFrame of its rows
    (hidden sheets left out unless ``include_hidden``), and the findings."""
    import pandas as pd

    from taizhang.kinds import kinds
    from taizhang.reading.source import expand_paths
    from taizhang.service import check_loaded, load_workbook
    from taizhang.summarising import resolve, settings_rows

    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    config = config or load_config()
    files = expand_paths([str(p) for p in paths])
    loaded = [load_workbook(Path(p), config) for p in files]
    settings = resolve(config, sheet=settings_rows(loaded), as_of=_as_of(as_of))
    checked = [check_loaded(lw, settings.config, settings.as_of) for lw in loaded]
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


def summarise(source: Ledgers | str | os.PathLike | Iterable[str | os.PathLike], *, period: Any = None,
              as_of: Any = None, config: Config | None = None, bureau: str | None = None) -> Report:
    """The figures (``Report``) of what :func:`read` gave, or of workbook paths: for ``period``
    (``2026-10``, ``2026``, ``all``; default the month of the as-of day) with the year to date."""
    from taizhang.summarising import summarise as run

    if isinstance(source, Ledgers):
        from taizhang.figures import Period
        from taizhang.service import summarise_reports

        settings = source.settings
        if as_of is not None or bureau is not None or config is not None:
            from taizhang.summarising import resolve

            settings = resolve(config or settings.config, bureau=bureau, as_of=_as_of(as_of) or settings.as_of)
        the_period = Period.parse(str(period)) if period else Period.of_month(settings.as_of)
        return summarise_reports(source.files, the_period, settings.as_of, settings.config).report
    return run(source if not isinstance(source, (str, os.PathLike)) else [source], config=config,
               period=period, bureau=bureau, as_of=_as_of(as_of)).report
