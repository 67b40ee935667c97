"""Worksheet functions remember their answers by the *content* of the range, never its address.

Excel calls a function again at every recalculation, handing over a fresh copy of the cells;
a summary sheet of twenty formulas over one ledger recalculates twenty of them at every edit
of that ledger.  An answer is kept under the range's values themselves (a tuple of its rows:
hashed for the lookup, compared value by value on a hit, so two different ranges never share
an answer), the other arguments, the day (``as_of`` defaults to today) and the configuration
in force.  Any edit of any cell of the range is a different content, so a new answer.
"""

from __future__ import annotations

import functools
import inspect
from collections import OrderedDict
from datetime import date
from itertools import chain
from typing import Any, Callable

from taizhang.config import Config
from taizhang.ranges import config_or_default

#: Answers kept (least recently used dropped first); each holds its range's values.
SIZE = 32

_answers: OrderedDict[_Key, tuple[Config, Any]] = OrderedDict()


def _row(row: Any) -> tuple:
    row = tuple(row) if isinstance(row, (list, tuple)) else (row,)
    # TRUE equals 1 and 1.0 in Python but reads 是 in a ledger: bools are told apart
    if (True in row or False in row) and any(type(v) is bool for v in row):
        return tuple((bool, v) if type(v) is bool else v for v in row)
    return row


def content_key(table: Any) -> tuple:
    """The values of a range as one hashable value (its rows as tuples)."""
    if not isinstance(table, (list, tuple)):
        return ("value", _row(table))
    if set(map(type, table)) <= {list, tuple} and bool not in set(map(type, chain.from_iterable(table))):
        return tuple(map(tuple, table))  # what _row gives each row holding no TRUE or FALSE
    return tuple(map(_row, table))


class _Key:
    """A key whose hash is worked out once (a range's tuple of ten thousand rows is hashed at
    the lookup and again when the answer is kept)."""

    __slots__ = ("hash", "value")

    def __init__(self, value: tuple) -> None:
        self.value = value
        self.hash = hash(value)  # TypeError for an argument that cannot be compared by value

    def __hash__(self) -> int:
        return self.hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Key) and self.hash == other.hash and self.value == other.value


def _arg_key(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return ("range", content_key(value))
    return (type(value).__name__, value)


def clear() -> None:
    _answers.clear()


def by_content(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Keep ``fn``'s answers by the content of its arguments (``fn(table, …, config=None)``)."""
    signature = inspect.signature(fn)

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(*args, **kwargs)
        config = config_or_default(bound.arguments.pop("config", None))
        try:
            key = _Key((fn.__module__, fn.__qualname__, date.today(),
                        *((name, _arg_key(v)) for name, v in bound.arguments.items())))
        except TypeError:  # an argument that cannot be compared by value: no memory
            return fn(*bound.args, **{**bound.kwargs, "config": config})
        found = _answers.get(key)
        if found is not None and found[0] is config:
            _answers.move_to_end(key)
            return _copy(found[1])
        answer = fn(**bound.arguments, config=config)
        _answers[key] = (config, answer)
        while len(_answers) > SIZE:
            _answers.popitem(last=False)
        return _copy(answer)

    return wrapper


def _copy(answer: Any) -> Any:
    return [list(r) for r in answer] if isinstance(answer, list) else answer


__all__ = ["SIZE", "by_content", "clear", "content_key"]
