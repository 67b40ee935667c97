"""The domain model: one typed row per ledger line; the row model of each kind is in its
module of ``taizhang/kinds`` (``ComplaintRow`` in ``taizhang.kinds.complaints`` …).

Rows are frozen dataclasses, keyword-only.  Each field's annotation says how a raw cell value
(text, number, date as read) becomes its typed value: :data:`Text` (free text, or the
canonical name of the column's vocabulary), :data:`Day` (``date``), :data:`Money` (exact
``Decimal`` money), :data:`Count` (``int``).  A value that cannot be understood raises
:class:`CellError`, whose ``code`` is a finding code (``invalid-date`` …); the reader turns
those into findings and keeps the rest of the row (see ``taizhang.validation``, the engine
that makes rows of these models column by column).  Which column uses which vocabulary is
data (``taizhang/data/columns.toml``), not code.

No validation library is involved: these are made for every row of every ledger a command
reads, and every command starts faster without one.
"""

from __future__ import annotations

import dataclasses
import operator
import typing
from collections.abc import Mapping
from dataclasses import field
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Annotated, Any, Callable, ClassVar

from taizhang.config import Config, Kind
from taizhang.kinds import definition, kinds
from taizhang.records import dataclass
from taizhang.values import (
    ValueParseError,
    clean_text,
    is_blank,
    parse_count,
    parse_date,
    parse_money,
)

#: Dates before this year are taken as mistakes (a count or a serial number in a date cell).
EARLIEST_YEAR = 1990


@dataclass
class ParseContext:
    """What validators need besides the value: the vocabularies, the column units."""

    config: Config
    kind: Kind
    scales: dict[str, Decimal] = field(default_factory=dict)
    #: Warnings raised while parsing one row: (field, code, message).
    notes: list[tuple[str, str, str]] = field(default_factory=list)


class CellError(ValueError):
    """A cell value a field cannot take: ``code`` is the finding code, the message Chinese."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class ParseInfo:
    """What a field's parser is told besides the value: the field, and the parse context."""

    __slots__ = ("field_name", "context")

    def __init__(self, field_name: str | None, ctx: ParseContext) -> None:
        self.field_name = field_name
        self.context = {"parse": ctx}


def _ctx(info: ParseInfo) -> ParseContext:
    return info.context["parse"]


def _as_text(value: Any, info: ParseInfo) -> str | None:
    """Free text, or a vocabulary value when the column has a vocabulary."""
    text = clean_text(value)
    if text is None:
        return None
    ctx = _ctx(info)
    vocab_name = ctx.config.kinds[ctx.kind].column(info.field_name).vocabulary
    if vocab_name is None:
        return text
    vocab = ctx.config.vocabulary(vocab_name)
    canonical = vocab.lookup(text)
    if canonical is not None:
        return canonical
    choices = "、".join(vocab.canonical)
    message = f"“{_clip(text)}”不是规定的{vocab.label}，应为：{choices}"
    if vocab.on_unknown == "error":
        raise CellError("unknown-value", message)
    if vocab.on_unknown == "warning":
        ctx.notes.append((info.field_name, "unknown-value", message))
    return text


def _as_date(value: Any, info: ParseInfo) -> date | None:
    if is_blank(value):
        return None
    try:
        parsed = parse_date(value)
    except ValueParseError as exc:
        raise CellError("invalid-date", str(exc)) from None
    if parsed.year < EARLIEST_YEAR:
        raise CellError("invalid-date", f"日期“{parsed.isoformat()}”不合理，请填写实际日期")
    return parsed


def _as_money(value: Any, info: ParseInfo) -> Decimal | None:
    if is_blank(value):
        return None
    try:
        return parse_money(value, unit=_ctx(info).scales.get(info.field_name, 1))
    except ValueParseError as exc:
        raise CellError("invalid-amount", str(exc)) from None


def _as_count(value: Any, info: ParseInfo) -> int | None:
    if is_blank(value):
        return None
    try:
        return parse_count(value)
    except ValueParseError as exc:
        raise CellError("invalid-number", str(exc)) from None


def _clip(text: str, n: int = 20) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


@dataclass(frozen=True)
class Parser:
    """How a field's raw cell value becomes its typed value (the metadata of :data:`Text` …)."""

    func: Callable[[Any, ParseInfo], Any]


Text = Annotated[str | None, Parser(_as_text)]
Day = Annotated[date | None, Parser(_as_date)]
Money = Annotated[Decimal | None, Parser(_as_money)]
Count = Annotated[int | None, Parser(_as_count)]


@dataclass(frozen=True)
class FieldSpec:
    """A field of a record (a row model, a block of figures): its name, its type (without
    :data:`typing.Annotated`'s metadata), that metadata (a :class:`Parser` …) and its default
    (``dataclasses.MISSING`` when it has none; a factory's value when it has one)."""

    name: str
    annotation: Any
    metadata: tuple[Any, ...]
    default: Any
    description: str | None = None


def fields_of(model: type) -> dict[str, FieldSpec]:
    """The fields of a dataclass record, by name, in order (its class variables left out)."""
    return dict(_fields_of(model))


@cache
def _fields_of(model: type) -> tuple[tuple[str, FieldSpec], ...]:
    hints = typing.get_type_hints(model, include_extras=True)
    out = []
    for f in dataclasses.fields(model):
        hint = hints[f.name]
        metadata: tuple[Any, ...] = ()
        if typing.get_origin(hint) is Annotated:
            hint, *rest = typing.get_args(hint)
            metadata = tuple(rest)
        default = f.default if f.default_factory is dataclasses.MISSING else f.default_factory()
        out.append((f.name, FieldSpec(f.name, hint, metadata, default, f.metadata.get("description"))))
    return tuple(out)


@cache
def class_vars(model: type) -> tuple[str, ...]:
    """The class variables a record declares (``kind``, ``summable`` …), its own and inherited."""
    hints = typing.get_type_hints(model, include_extras=True)
    return tuple(name for name, hint in hints.items() if typing.get_origin(hint) is ClassVar or hint is ClassVar)


@dataclass(frozen=True, kw_only=True)
class Origin:
    """Where a row came from: file, sheet and Excel row number (1-based)."""

    file: str
    sheet: str
    row: int


@dataclass(frozen=True, kw_only=True)
class LedgerRow:
    """Fields common to every ledger row.  A kind's row model subclasses it, itself a
    ``@dataclass(frozen=True, kw_only=True)``; every field but ``origin`` has a default."""

    kind: ClassVar[Kind]
    #: Fields holding money or counts: the ones a total row (合计) sums.
    summable: ClassVar[tuple[str, ...]] = ()
    #: Of those, the ones holding money (元, exact to the fen).
    money_fields: ClassVar[tuple[str, ...]] = ()
    #: Dates that record something that has happened, so cannot lie after the as-of date.
    event_dates: ClassVar[tuple[str, ...]] = ()
    #: The date that places a row in a period (a month, a year), in order of preference.
    period_fields: ClassVar[tuple[str, ...]] = ()
    #: Attributes that are not cells of the ledger.
    not_cells: ClassVar[frozenset[str]] = frozenset({"origin"})

    origin: Origin
    seq: Text = None
    note: Text = None

    @classmethod
    def prepare(cls, values: dict[str, Any]) -> dict[str, Any]:
        """The raw values before validation (a kind adds what it keeps as written)."""
        return values

    @classmethod
    def before_parse(cls, values: dict[str, Any], info: ParseInfo) -> dict[str, Any]:
        """The raw values of a row before its fields are parsed, with the parse context at
        hand (a kind reads a word written in a date column …); the base changes nothing."""
        return values


#: The row models of the kinds, by kind (see ``taizhang.kinds``).
def row_model(kind: Kind) -> type[LedgerRow]:
    return definition(kind).row_model


class _ByKind(Mapping):
    """A read-only mapping kind -> ``attr`` of its row model, over the registry (the former
    module-level tables, kept for callers that index them)."""

    def __init__(self, attr: str | None) -> None:
        self._attr = attr

    def _table(self) -> dict:
        return {d.kind: (d.row_model if self._attr is None else getattr(d.row_model, self._attr))
                for d in kinds()}

    def __getitem__(self, kind: Any) -> Any:
        return self._table()[kind]

    def __iter__(self):
        return iter(self._table())

    def __len__(self) -> int:
        return len(self._table())


ROW_MODELS: Mapping[Kind, type[LedgerRow]] = _ByKind(None)
#: Fields holding money or counts: the ones a total row (合计) sums.
SUMMABLE: Mapping[Kind, tuple[str, ...]] = _ByKind("summable")
#: Dates that record something that has happened, so cannot lie after the as-of date.
EVENT_DATES: Mapping[Kind, tuple[str, ...]] = _ByKind("event_dates")
#: The date that places a row in a period, in order of preference.
PERIOD_DATE_FIELDS: Mapping[Kind, tuple[str, ...]] = _ByKind("period_fields")


def period_date(row: LedgerRow) -> date | None:
    """The date that places ``row`` in a period, or None when the row has none."""
    found = _PERIOD_DATE.get(type(row))
    if found is None:
        found = _period_date_of(type(row))
    return found(row)


#: Row model -> its period_date: one lookup per row (asked of every row of a summary, twice).
_PERIOD_DATE: dict[type, Any] = {}


def _period_date_of(model: type[LedgerRow]) -> Any:
    fields = model.period_fields
    if len(fields) == 1:
        found = operator.attrgetter(fields[0])  # None when it is
    else:
        def found(row: LedgerRow) -> date | None:
            for name in fields:
                value = getattr(row, name)
                if value is not None:
                    return value
            return None
    if len(_PERIOD_DATE) < 64:
        _PERIOD_DATE[model] = found
    return found
