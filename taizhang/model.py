"""The domain model: one typed row per ledger line; the row model of each kind is in its
module of ``taizhang/kinds`` (``ComplaintRow`` in ``taizhang.kinds.complaints`` …).

Rows are pydantic v2 models.  Raw cell values go in as they were read (text, numbers,
dates); validators turn them into ``date``, exact ``Decimal`` money, ``int`` counts and the
canonical names of the vocabularies.  A value that cannot be understood raises a
``PydanticCustomError`` whose type is a finding code (``invalid-date`` …); the reader turns
those into findings and keeps the rest of the row (see :func:`parse_row`).  Which column
uses which vocabulary is data (``taizhang/data/columns.toml``), not code.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Iterable

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    ValidationError,
    ValidationInfo,
)
from pydantic_core import PydanticCustomError

from taizhang.config import Config, Kind
from taizhang.values import (
    ValueParseError,
    clean_text,
    is_blank,
    is_trimmed,
    parse_count,
    parse_date,
    parse_money,
    parse_money_column,
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


def _ctx(info: ValidationInfo) -> ParseContext:
    return info.context["parse"]


def _as_text(value: Any, info: ValidationInfo) -> str | None:
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
        raise PydanticCustomError("unknown-value", message)
    if vocab.on_unknown == "warning":
        ctx.notes.append((info.field_name, "unknown-value", message))
    return text


def _as_date(value: Any, info: ValidationInfo) -> date | None:
    if is_blank(value):
        return None
    try:
        parsed = parse_date(value)
    except ValueParseError as exc:
        raise PydanticCustomError("invalid-date", str(exc)) from None
    if parsed.year < EARLIEST_YEAR:
        raise PydanticCustomError("invalid-date", f"日期“{parsed.isoformat()}”不合理，请填写实际日期")
    return parsed


def _as_money(value: Any, info: ValidationInfo) -> Decimal | None:
    if is_blank(value):
        return None
    try:
        return parse_money(value, unit=_ctx(info).scales.get(info.field_name, 1))
    except ValueParseError as exc:
        raise PydanticCustomError("invalid-amount", str(exc)) from None


def _as_count(value: Any, info: ValidationInfo) -> int | None:
    if is_blank(value):
        return None
    try:
        return parse_count(value)
    except ValueParseError as exc:
        raise PydanticCustomError("invalid-number", str(exc)) from None


def _clip(text: str, n: int = 20) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


Text = Annotated[str | None, BeforeValidator(_as_text)]
Day = Annotated[date | None, BeforeValidator(_as_date)]
Money = Annotated[Decimal | None, BeforeValidator(_as_money)]
Count = Annotated[int | None, BeforeValidator(_as_count)]


class Origin(BaseModel):
    """Where a row came from: file, sheet and Excel row number (1-based)."""

    model_config = ConfigDict(frozen=True)

    file: str
    sheet: str
    row: int


class LedgerRow(BaseModel):
    """Fields common to every ledger row."""

    model_config = ConfigDict(frozen=True, extra="ignore")
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


#: The row models of the kinds, by kind (see ``taizhang.kinds``).
def row_model(kind: Kind) -> type[LedgerRow]:
    from taizhang.kinds import definition

    return definition(kind).row_model


class _ByKind(Mapping):
    """A read-only mapping kind -> ``attr`` of its row model, over the registry (the former
    module-level tables, kept for callers that index them)."""

    def __init__(self, attr: str | None) -> None:
        self._attr = attr

    def _table(self) -> dict:
        from taizhang.kinds import kinds

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


@dataclass(frozen=True)
class FieldProblem:
    """A value of a row that could not be understood (or only with a warning)."""

    field: str
    code: str
    message: str
    severity: str = "error"


def parse_row(
    kind: Kind, values: dict[str, Any], origin: Origin, ctx: ParseContext
) -> tuple[LedgerRow, list[FieldProblem]]:
    """A typed row from raw cell values; values that fail become problems and ``None``.

    Never raises for any cell content: the row is always returned, with what could be read.
    """
    model = row_model(kind)
    data = model.prepare(dict(values))
    data["origin"] = origin
    problems: list[FieldProblem] = []
    for _attempt in range(len(data) + 1):
        ctx.notes = []
        try:
            row = model.model_validate(data, context={"parse": ctx})
        except ValidationError as exc:
            for err in exc.errors(include_url=False, include_input=False):
                name = str(err["loc"][0]) if err["loc"] else ""
                code = err["type"] if err["type"] in _CODES else "invalid-value"
                problems.append(FieldProblem(name, code, err["msg"]))
                data[name] = None
            continue
        problems.extend(FieldProblem(f, c, m, "warning") for f, c, m in ctx.notes)
        return row, problems
    raise AssertionError("unreachable: every failing field is cleared")  # pragma: no cover


_CODES = {"unknown-value", "invalid-date", "invalid-amount", "invalid-number"}


def period_date(row: LedgerRow) -> date | None:
    """The date that places ``row`` in a period, or None when the row has none."""
    for name in type(row).period_fields:
        value = getattr(row, name)
        if value is not None:
            return value
    return None


# --- the same rules, column by column ---------------------------------------------------

class _Info:
    """What the validators read of pydantic's ValidationInfo: the field and the context."""

    __slots__ = ("field_name", "context")

    def __init__(self, field_name: str | None, ctx: ParseContext) -> None:
        self.field_name = field_name
        self.context = {"parse": ctx}


#: The validator of each kind of field (Text, Day, Money, Count), found from the annotations.
_VALIDATORS = {Text: _as_text, Day: _as_date, Money: _as_money, Count: _as_count}


def _validator_of(model: type[LedgerRow], name: str) -> Any:
    for validator in model.model_fields[name].metadata:
        func = getattr(validator, "func", None)
        if func in _VALIDATORS.values():
            return func
    return None


def made(model: type[BaseModel], data: dict[str, Any], given: Iterable[str]) -> Any:
    """An instance of ``model`` holding ``data`` (every field, in the model's order, values
    already validated), as ``model_validate`` would have made it, without validating again
    (what ``model_construct`` does, at a fraction of its cost: the instance's state is set the
    way pydantic itself sets it); ``given``: the fields set."""
    row = object.__new__(model)
    object.__setattr__(row, "__dict__", data)
    object.__setattr__(row, "__pydantic_fields_set__", set(given))
    object.__setattr__(row, "__pydantic_extra__", None)
    object.__setattr__(row, "__pydantic_private__", None)
    return row


_ORIGIN_FIELDS = ("file", "sheet", "row")


def origin(file: str, sheet: str, row: int) -> Origin:
    """``Origin(file=…, sheet=…, row=…)`` for values known to be right (see :func:`made`)."""
    return made(Origin, {"file": file, "sheet": sheet, "row": row}, _ORIGIN_FIELDS)


def parse_rows(
    kind: Kind, rows: list[dict[str, Any]] | None, origins: list[Origin], ctx: ParseContext,
    fields: set[str] | None = None, columns: dict[str, list[Any]] | None = None,
) -> list[tuple[LedgerRow, list[FieldProblem]]]:
    """What :func:`parse_row` gives for each row, worked out column by column.

    Each column is parsed with its field's validator once per distinct cell value (a ledger
    repeats its schools, sources, statuses and dates), and the rows are built without a second
    validation.  ``fields`` limits the parsing to those fields (the others are left None), for
    a caller that needs a few columns of a large range.  The rules are the validators above:
    the problems and rows are those :func:`parse_row` returns, in the same order.
    ``columns``: the same cells by field (each field's values of ``rows``, in order), for a
    caller that has them so: they are taken as they are where no rule of the kind reshapes a
    row; with them, ``rows`` may be None (made from them where needed).
    """
    model = row_model(kind)
    before = [d.func for d in model.__pydantic_decorators__.model_validators.values() if d.info.mode == "before"]
    prepares = model.prepare.__func__ is not LedgerRow.prepare.__func__
    by_columns = _by_columns(model)
    if rows is None:  # the rows' dicts, where a rule of the kind works on them
        assert columns is not None
        names = tuple(columns)
        rows = [] if by_columns and not prepares and not before else \
            [dict(zip(names, values)) for values in zip(*columns.values())] if names else [{} for _ in origins]
    if not by_columns:
        return [parse_row(kind, r, o, ctx) for r, o in zip(rows, origins)]
    order = [name for name in model.model_fields if name != "origin"]
    if prepares:
        rows = [model.prepare(dict(r)) for r in rows]
    if before:
        info = _Info(None, ctx)
        for check in before:
            rows = [check(r, info) for r in rows]
    if columns is None or prepares or before:
        present = set().union(*rows)
        columns = {name: [r.get(name) for r in rows] for name in order if name in present}
    present = columns.keys()
    kept = model.not_cells  # kept as written (the measure as written …): never left out
    wanted = [f for f in order if f in present and (fields is None or f in fields or f in kept)]
    typed_columns: list[list[Any]] = []
    #: row index -> the problems of its cells, column by column: (errors, warnings)
    troubled: dict[int, tuple[list[FieldProblem], list[FieldProblem]]] = {}
    for name in wanted:
        typed_columns.append(_parse_column(name, columns[name], _validator_of(model, name),
                                           _Info(name, ctx), ctx, troubled))
    # the rows' values in the model's field order, a field not parsed at its default
    by_name = dict(zip(wanted, typed_columns))
    by_name["origin"] = origins
    everything = tuple(model.model_fields)
    columns = [by_name[n] if n in by_name else itertools.repeat(f.default) for n, f in model.model_fields.items()]
    given = ("origin", *wanted)
    new, set_attr = object.__new__, object.__setattr__
    out = []
    for i, values in enumerate(zip(*columns)):
        row = new(model)  # what made() does, inline: a call per row costs LEDGER_CHECK 3 % on 10,000 rows
        set_attr(row, "__dict__", dict(zip(everything, values)))
        set_attr(row, "__pydantic_fields_set__", set(given))
        set_attr(row, "__pydantic_extra__", None)
        set_attr(row, "__pydantic_private__", None)
        found = troubled.get(i)
        out.append((row, found[0] + found[1] if found else []))
    return out


_NOT_PARSED = object()


def _parse_column(name: str, cells: list[Any], validator: Any, info: _Info, ctx: ParseContext,
                  troubled: dict[int, tuple[list[FieldProblem], list[FieldProblem]]]) -> list[Any]:
    """The typed values of one column; each distinct cell value is parsed once (memos kept
    per Python type, so that ``1``, ``1.0`` and ``True`` are never taken for one another),
    the problems go to ``troubled`` under their row."""
    memos: dict[type, dict[Any, tuple[Any, FieldProblem | None, list]]] = {}
    typed: list[Any] = []
    append = typed.append
    # free text (no vocabulary): a text without edge spaces is its own value (clean_text's rule)
    # and any other value its clean_text, never a problem (what _as_text gives without a vocabulary)
    if validator is _as_text and ctx.config.kinds[ctx.kind].column(name).vocabulary is None:
        return [value if type(value) is str and is_trimmed(value) else clean_text(value) for value in cells]
    # a column of amounts in number cells: worked out in one go (such amounts seldom repeat)
    if validator is _as_money:
        found = parse_money_column(cells, ctx.scales.get(name, 1))
        if found is not None:
            return found
    for i, value in enumerate(cells):
        memo = memos.get(type(value))
        if memo is None:
            memo = memos[type(value)] = {}
        try:
            hit = memo.get(value, _NOT_PARSED)
        except TypeError:  # unhashable: never from a cell, but never a crash either
            hit = _parse_value(validator, value, info, ctx)
        else:
            if hit is _NOT_PARSED:
                hit = memo[value] = _parse_value(validator, value, info, ctx)
        append(hit[0])
        if hit[1] is not None or hit[2]:
            errors, warnings = troubled.setdefault(i, ([], []))
            if hit[1] is not None:
                errors.append(hit[1])
            else:
                warnings.extend(hit[2])
    return typed


def _by_columns(model: type[LedgerRow]) -> bool:
    """Whether every rule of ``model`` is one :func:`parse_rows` runs itself: each field a Text,
    Day, Money or Count, or plain text set by ``prepare``; no other validators."""
    decorators = model.__pydantic_decorators__
    if decorators.field_validators or any(d.info.mode != "before" for d in decorators.model_validators.values()):
        return False
    return all(name == "origin" or _validator_of(model, name) is not None or f.annotation == (str | None)
               for name, f in model.model_fields.items())


def _parse_value(validator: Any, value: Any, info: _Info, ctx: ParseContext) -> tuple[Any, FieldProblem | None, list]:
    """(typed value, the error, the warnings) of one cell value by one field's validator."""
    if validator is None:  # plain text (set by the kind's prepare)
        if value is None or isinstance(value, str):
            return value, None, []
        return None, FieldProblem(info.field_name, "invalid-value", "Input should be a valid string"), []
    ctx.notes = []
    try:
        typed = validator(value, info)
    except PydanticCustomError as exc:
        code = exc.type if exc.type in _CODES else "invalid-value"
        return None, FieldProblem(info.field_name, code, exc.message()), []
    except (ValueError, AssertionError) as exc:  # as pydantic reports a validator's own failure
        return None, FieldProblem(info.field_name, "invalid-value", f"Value error, {exc}"), []
    return typed, None, [FieldProblem(f, c, m, "warning") for f, c, m in ctx.notes]
