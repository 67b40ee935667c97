"""Figures: what staff count at month-end, as pure functions of the typed ledger rows.

``compute`` takes the rows of every ledger kind, a period and an as-of day, and gives a
:class:`Report`: a block of figures per registered kind (``taizhang.kinds``) for the period
and, for a month or any other span of months short of a year, for the year to date at its end
(累计, ``Period.year_to_date``).  ``report_json`` is the public ``--json``
shape of ``taizhang summary``: one key per kind (``complaints``, ``refunds``, ``sanctions``,
``rectification``, ``activities`` …), then ``narrative`` and ``year_to_date``.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import field
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any, Iterable

from taizhang.config import Config, Kind
from taizhang.figures.narrative import narrative
from taizhang.figures.period import Period, PeriodError, YearToDate
from taizhang.kinds import by_rank, on_change, registry_key
from taizhang.kinds.common import fen
from taizhang.model import LedgerRow, period_date
from taizhang.reading.ledger import Ledger
from taizhang.records import dataclass, make_dataclass

__all__ = ["BlockParts", "Figures", "Period", "PeriodError", "Report", "block_parts", "compute",
           "compare_rows", "compute_from_parts", "fen", "figures_model", "has_parts", "narrative", "report_json",
           "report_parts", "rows_by_kind"]


class Figures:
    """The figures of one period: one attribute per registered kind (``fig.complaints`` …).

    The concrete model, a dataclass with a field per kind, is :func:`figures_model`.
    """

    def of(self, kind: str) -> Any:
        return getattr(self, str(kind))


def figures_model() -> type[Figures]:
    """The model of one period's figures, a field per registered kind in report order."""
    return _figures_model(registry_key())


@cache
def _figures_model(_key: tuple[str, ...]) -> type[Figures]:
    model = make_dataclass("Figures", [(d.kind.value, d.figures_model) for d in by_rank()], bases=(Figures,),
                           kw_only=True, namespace={"__doc__": "The figures of a period: a block per ledger kind."})
    model.__module__ = __name__
    return model


on_change(_figures_model.cache_clear)


@dataclass(kw_only=True)
class Report:
    """The figures of a period (and of its year to date), the paragraph, the rows behind them."""

    period: Period
    as_of: date
    current: Figures
    year_to_date: Figures | None = None
    narrative: str = ""
    #: The rows behind each block of ``current`` (for the detail sheet).
    rows: dict[Kind, list[LedgerRow]] = field(default_factory=dict)
    #: The rows behind each block of ``year_to_date`` (the detail sheet traces 累计 too).
    ytd_rows: dict[Kind, list[LedgerRow]] = field(default_factory=dict)
    #: The period before and the same period a year earlier (``figures.compare.Comparison``),
    #: when asked for (``summary --compare``); None otherwise.
    compare: Any = None


def rows_by_kind(ledgers: Iterable[Ledger]) -> dict[Kind, list[LedgerRow]]:
    out: dict[Kind, list[LedgerRow]] = defaultdict(list)
    for ledger in ledgers:
        out[ledger.kind].extend(ledger.rows)
    return {k: out.get(k, []) for k in Kind}


def _block_rows(rows: dict[Kind, list[LedgerRow]], period: Period,
                dated: dict[Kind, list] | None = None) -> tuple[dict[Kind, list], dict[Kind, int]]:
    """The rows of each kind in ``period``, and the undated ones counted; ``dated`` gives each
    kind's :func:`period_date` of its rows when they are known already."""
    picked: dict[Kind, list] = {}
    undated: dict[Kind, int] = {}
    for d in by_rank():
        kind = d.kind
        all_rows = rows.get(kind, [])
        dates = dated[kind] if dated is not None else list(map(period_date, all_rows))
        if d.ytd_is_tracker and isinstance(period, YearToDate):
            # 累计 of a tracker is the ledger as it stands at the period's end: every item
            # found by then, and those whose date was never written
            end = period.end
            picked[kind] = [r for r, dt in zip(all_rows, dates) if dt is None or dt <= end]
            undated[kind] = 0
            continue
        if period.is_all:
            picked[kind] = list(all_rows)
            undated[kind] = 0
            continue
        start, end = period.start, period.end  # what period.contains asks, once for every row
        picked[kind] = [r for r, dt in zip(all_rows, dates) if dt is not None and start <= dt <= end]
        undated[kind] = dates.count(None)
    return picked, undated


def figures(rows: dict[Kind, list[LedgerRow]], period: Period, as_of: date, config: Config) -> tuple[Figures, dict]:
    picked, undated = _block_rows(rows, period)
    blocks = {}
    for d in by_rank():
        block = d.figures(picked[d.kind], config, as_of)
        if hasattr(block, "undated"):
            block.undated = undated[d.kind]
        blocks[d.kind.value] = block
    return figures_model()(**blocks), picked


def compute(rows: dict[Kind, list[LedgerRow]], period: Period, as_of: date, config: Config) -> Report:
    """The figures of ``period`` (and, for a month, a quarter, a half-year or a range of months,
    of the year to date at its end)."""
    current, picked = figures(rows, period, as_of, config)
    ytd_period = period.year_to_date()
    ytd, ytd_picked = figures(rows, ytd_period, as_of, config) if ytd_period else (None, {})
    report = Report(period=period, as_of=as_of, current=current, year_to_date=ytd, rows=picked,
                    ytd_rows=ytd_picked)
    report.narrative = narrative(report, config)
    return report


def compare_rows(report: Report, rows: dict[Kind, list[LedgerRow]], config: Config) -> Report:
    """``report`` compared (``figures.compare.with_comparison``) with the period before and the
    same period a year earlier, counted from the same rows."""
    from taizhang.figures.compare import with_comparison

    others = [compute(rows, p, report.as_of, config) if p is not None else None
              for p in (report.period.previous(), report.period.year_earlier())]
    return with_comparison(report, *others, config)


#: One file's share of one block of figures: per kind, its parts (``KindDef.parts``) and
#: its undated rows.
BlockParts = dict[Kind, tuple[Any, int]]


def has_parts() -> bool:
    """Whether every registered kind gives mergeable parts, so that figures can be put together
    from each file's (:func:`block_parts`, :func:`compute_from_parts`)."""
    return all(d.has_parts() for d in by_rank())


def row_dates(rows: dict[Kind, list[LedgerRow]]) -> dict[Kind, list[date | None]]:
    """Each kind's :func:`period_date` of its rows, in order: what :func:`report_parts` and
    :func:`latest_row_date` both look at, worked out once for both."""
    return {d.kind: list(map(period_date, rows.get(d.kind, []))) for d in by_rank()}


def latest_row_date(rows: dict[Kind, list[LedgerRow]], not_after: date,
                    dated: dict[Kind, list[date | None]] | None = None) -> date | None:
    """The latest date that places a row in a period, on or before ``not_after`` (a later date
    is a slip the checks report, not the month being reported); None when no row has one.
    ``dated``: the rows' :func:`row_dates`, when known already."""
    if dated is None:
        dated = row_dates(rows)
    return max((day for days in dated.values() for day in days if day is not None and day <= not_after),
               default=None)


def block_parts(rows: dict[Kind, list[LedgerRow]], period: Period, config: Config,
                dated: dict[Kind, list[date | None]] | None = None) -> BlockParts:
    """What some rows give the block of ``period``: small, and merged with other files' by
    :func:`compute_from_parts` into exactly the figures of all their rows (see ``KindDef.parts``).
    ``dated``: the rows' :func:`row_dates`, when known already."""
    picked, undated = _block_rows(rows, period, dated)
    return {d.kind: (d.parts(picked[d.kind], config), undated[d.kind]) for d in by_rank()}


def report_parts(rows: dict[Kind, list[LedgerRow]], period: Period, config: Config,
                 dated: dict[Kind, list[date | None]] | None = None) -> list[BlockParts]:
    """:func:`block_parts` of ``period`` and, when it has one, of its year to date.

    The rows' dates are worked out once for both (``dated``: when known already, see
    :func:`row_dates`); and where a kind's 累计 has as many rows as
    its period, they are the same rows, in the same order: one of the two takes every row the
    other takes (累计 those of the period; a span across a year end those of its 累计, which
    starts in January of the year it ends in), so the period's parts stand for both (the kinds
    never change their parts).
    """
    ytd = period.year_to_date()
    if dated is None:
        dated = row_dates(rows)
    if ytd is None:
        return [block_parts(rows, period, config, dated)]
    month, month_undated = _block_rows(rows, period, dated)
    year, year_undated = _block_rows(rows, ytd, dated)
    current = {d.kind: (d.parts(month[d.kind], config), month_undated[d.kind]) for d in by_rank()}
    to_date = {d.kind: (current[d.kind][0] if len(year[d.kind]) == len(month[d.kind])
                        else d.parts(year[d.kind], config), year_undated[d.kind]) for d in by_rank()}
    return [current, to_date]


def _figures_of_parts(files: list[BlockParts], as_of: date, config: Config) -> Figures:
    blocks = {}
    for d in by_rank():
        mine = [f[d.kind] for f in files]
        block = d.from_parts([part for part, _ in mine], config, as_of)
        if hasattr(block, "undated"):
            block.undated = sum(n for _, n in mine)
        blocks[d.kind.value] = block
    return figures_model()(**blocks)


def compute_from_parts(files: list[list[BlockParts]], period: Period, as_of: date, config: Config) -> Report:
    """:func:`compute` from each file's :func:`report_parts` (in file order), without the rows:
    the figures and the narrative are the same, ``rows`` and ``ytd_rows`` are empty."""
    empty = report_parts({}, period, config)
    files = files or [empty]
    current = _figures_of_parts([f[0] for f in files], as_of, config)
    ytd = _figures_of_parts([f[1] for f in files], as_of, config) if len(empty) > 1 else None
    report = Report(period=period, as_of=as_of, current=current, year_to_date=ytd)
    report.narrative = narrative(report, config)
    return report


def _plain(value: Any) -> Any:
    """JSON form: money as a decimal string to the fen, records (dataclasses) as dicts."""
    if isinstance(value, Decimal):
        return f"{fen(value)}"
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def report_json(report: Report) -> dict[str, Any]:
    """The ``taizhang summary --json`` object (a public interface: add fields, never rename)."""
    out: dict[str, Any] = {"period": report.period.key, "as_of": report.as_of.isoformat()}
    out.update(_plain(report.current))
    out["narrative"] = report.narrative
    if report.year_to_date is not None:
        out["year_to_date"] = _plain(report.year_to_date)
    if report.compare is not None:
        from taizhang.figures.compare import PREVIOUS, YEAR_EARLIER

        cmp = report.compare
        out["compare"] = {PREVIOUS: report_json(cmp.previous) if cmp.previous is not None else None,
                          YEAR_EARLIER: report_json(cmp.year_earlier) if cmp.year_earlier is not None else None,
                          "sentences": dict(cmp.sentences), "narrative": cmp.text}
    return out
