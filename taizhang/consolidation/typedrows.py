"""Typed rows as the consolidation store keeps them for the figures: a detail row's month,
origin and fields (dates and money as text, confidential fields left out), and a light
read-only row class over such a stored row that the kinds' figures take as a row."""

from __future__ import annotations

from collections import namedtuple
from datetime import date
from decimal import Decimal
from functools import cache, lru_cache
from operator import itemgetter
from typing import Any, Iterable

from taizhang.config import Kind
from taizhang.model import ROW_MODELS, LedgerRow, class_vars, fields_of, period_date, row_model

StoredOrigin = namedtuple("StoredOrigin", "file sheet row")


def typed_fields(kind: Kind) -> list[str]:
    return list(_fields_of(row_model(kind)))


@lru_cache(maxsize=64)
def _fields_of(model: type[LedgerRow]) -> tuple[str, ...]:
    """The fields of a row model the store keeps, in order (asked of every row)."""
    return tuple(f for f in fields_of(model) if f != "origin")


def _field_types(kind: Kind) -> list[type | None]:
    fields = fields_of(row_model(kind))
    out: list[type | None] = []
    for f in typed_fields(kind):
        annotation = fields[f].annotation
        out.append(date if annotation == (date | None) else Decimal if annotation == (Decimal | None) else None)
    return out


def _getter(i: int, typ: type | None) -> property:
    if typ is date:
        return property(lambda self: None if self[i] is None else date.fromisoformat(self[i]))
    if typ is Decimal:
        return property(lambda self: None if self[i] is None else Decimal(self[i]))
    return property(itemgetter(i))


@cache
def stored_row_class(kind: Kind) -> type:
    """A light, read-only stand-in for ``ROW_MODELS[kind]`` over a row of the store (origin,
    then the fields, dates and money as text): the same attributes and properties
    (``is_done`` …), none of the validation, done when the row was first read.  Building a
    typed row costs more than computing every figure from it."""
    model = ROW_MODELS[kind]
    namespace: dict[str, Any] = {name: getattr(model, name) for name in class_vars(model)}
    namespace.update({"__slots__": (), "kind": kind,
                      "origin": property(lambda self: StoredOrigin(self[0], self[1], self[2]))})
    for i, (f, typ) in enumerate(zip(typed_fields(kind), _field_types(kind)), start=3):
        namespace[f] = _getter(i, typ)
    for cls in reversed(model.__mro__):
        if issubclass(cls, LedgerRow):
            namespace.update({k: v for k, v in vars(cls).items() if isinstance(v, property)})
    return type(f"Stored{model.__name__}", (tuple,), namespace)


def _sql_value(value: Any) -> Any:
    if isinstance(value, (date, Decimal)):
        return str(value)  # ISO dates, exact decimals
    return value


def typed_values(row: LedgerRow, secret: Iterable[str]) -> list:
    """What the store keeps of a typed row: the month its date places it in (None when
    undated), its origin, then every field (confidential ones None)."""
    hidden = set(secret)
    when = period_date(row)
    return [None if when is None else f"{when.year:04d}-{when.month:02d}",
            row.origin.file, row.origin.sheet, row.origin.row,
            *(None if f in hidden else _sql_value(getattr(row, f)) for f in _fields_of(type(row)))]
