"""What the kinds' modules share: rounding to the fen, counts in vocabulary order, the number
formats of the 汇总表 and a helper to build a block's lines for 本月 and 累计."""

from __future__ import annotations

from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Iterable

from taizhang.kinds.base import Line

ZERO = Decimal(0)
CENT = Decimal("0.01")

COUNT = '#,##0"件"'
PERSONS = '#,##0"人"'
TIMES = '#,##0"人次"'
ITEMS = '#,##0"个"'
MONEY = '#,##0.00"元"'
RATE = "0.0%"


def fen(amount: Decimal) -> Decimal:
    """``amount`` rounded to the fen (分) for output, half up (四舍五入); sums stay exact."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def ordered(counter: Counter, order: Iterable[str]) -> dict[str, int]:
    """Counts in vocabulary order, then any other key in order of first appearance."""
    order = list(order)
    out = {k: counter[k] for k in order if counter.get(k)}
    out.update({k: v for k, v in counter.items() if k not in out and v})
    return out


def add_counts(into: dict, more: dict) -> dict:
    """Add the counts (or sums) of ``more`` to ``into``, keys in order of first appearance:
    merging the counts of row sets in order gives the counts of the rows laid end to end."""
    for k, v in more.items():
        into[k] = into[k] + v if k in into else v
    return into


def add_fields(into: dict, more: dict, names: Iterable[str]) -> dict:
    """Add the numbers ``names`` of ``more`` to those of ``into``."""
    for name in names:
        into[name] = into[name] + more[name] if name in into else more[name]
    return into


def merge_tallies(parts: Iterable[dict[str, Any]], counts: Iterable[str], tallies: Iterable[str]) -> dict[str, Any]:
    """Parts made of plain counts (``counts``) and tallies by key (``tallies``), laid end to end,
    as one part: each count summed, each tally's keys in order of first appearance."""
    counts, tallies = tuple(counts), tuple(tallies)
    merged: dict[str, Any] = {**dict.fromkeys(counts, 0), **{name: {} for name in tallies}}
    for part in parts:
        add_fields(merged, part, counts)
        for name in tallies:
            add_counts(merged[name], part[name])
    return merged


def rank(order: list[str]):
    """Sort key: position in ``order``, then anything else by name."""
    return lambda k: (order.index(k) if k in order else len(order), k)


def get(fig: Any, path: str, default: Any = 0) -> Any:
    """``get(fig, "by_source.省转办")``: attributes and dict keys; None when ``fig`` is None."""
    if fig is None:
        return None
    obj: Any = fig
    for part in path.split("."):
        obj = obj.get(part, default) if isinstance(obj, dict) else getattr(obj, part)
    return obj


class Lines:
    """Builds a block's lines from the figures of the period (``now``) and of the year to
    date (``ytd``, None when there is no 累计 column)."""

    def __init__(self, now: Any, ytd: Any) -> None:
        self.now, self.ytd = now, ytd
        self.lines: list[Line] = []

    def add(self, label: str, path: str, fmt: str, indent: int = 0, bold: bool = False) -> Lines:
        self.lines.append(Line(label, get(self.now, path), get(self.ytd, path), fmt, indent, bold))
        return self

    def value(self, label: str, now: Any, ytd: Any, fmt: str, indent: int = 0, bold: bool = False) -> Lines:
        self.lines.append(Line(label, now, ytd if self.ytd is not None else None, fmt, indent, bold))
        return self

    def section(self, label: str) -> Lines:
        self.lines.append(Line(label, None, None, "General"))
        return self

    def keys(self, path: str) -> list[str]:
        """The keys of a dict figure in the period, then those only in the year to date."""
        return list(dict.fromkeys([*get(self.now, path, {}), *(get(self.ytd, path, {}) if self.ytd else {})]))


class Tally(dict):
    """A dict of counts keyed by a vocabulary: a known value with no case reads ``zero``."""

    def __init__(self, data: dict, allowed: Iterable[str], zero: Any = 0) -> None:
        super().__init__(data)
        self.allowed = frozenset(allowed)
        self.zero = zero

    def __missing__(self, key: Any) -> Any:
        if key in self.allowed:
            return self.zero() if callable(self.zero) else self.zero
        raise KeyError(key)

    def knows(self, key: Any) -> bool:
        return key in self or key in self.allowed


def tally_in(figures: dict, key: str, allowed: Iterable[str], zero: Any = 0) -> None:
    """``figures[key]`` (a tally keyed by a vocabulary) made a :class:`Tally`, when it is one."""
    if isinstance(figures.get(key), dict):
        figures[key] = Tally(figures[key], allowed, zero)


def canonical_or_none(config: Any, vocabulary: str) -> list[str]:
    """The canonical values of a vocabulary ([] when the configuration has none such)."""
    try:
        return config.vocabulary(vocabulary).canonical
    except KeyError:
        return []
