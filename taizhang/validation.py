"""The validation engine: raw cell values to typed rows of a kind's row model (see
``taizhang.model``), with what cannot be understood kept as problems the reader turns into
findings (the rest of the row kept).

Row by row, :func:`parse_row` is pydantic's own validation.  For a whole ledger,
:func:`typed_rows` validates column by column when the model allows it (no model-level
validator): each distinct value of a column is parsed once, by the same field validators
(``taizhang.model``'s ``Text``, ``Day``, ``Money``, ``Count``) or a whole-column parser of
``taizhang.values``, and the instances are then made without validating again
(:func:`made_all`), as ``model_validate`` would have made them.
"""

from __future__ import annotations

import functools
import itertools
import operator
from collections import deque
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Iterable

from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticCustomError

from taizhang.config import Kind
from taizhang.model import (EARLIEST_YEAR, Count, Day, LedgerRow, Money, Origin, ParseContext, Text, _as_count,
                            _as_date, _as_money, _as_text, row_model)
from taizhang.values import (clean_text, clean_text_column, is_trimmed, parse_count_column, parse_date_column,
                             parse_money_column)


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


#: Where pydantic keeps an instance's state: the slots of ``BaseModel``, set by their own
#: descriptors (what ``object.__setattr__`` finds for these names), so many at once at C speed.
_SET_DICT, _SET_FIELDS_SET, _SET_EXTRA, _SET_PRIVATE = (
    BaseModel.__dict__[name].__set__
    for name in ("__dict__", "__pydantic_fields_set__", "__pydantic_extra__", "__pydantic_private__"))


def made_all(model: type[BaseModel], data: list[dict[str, Any]], given: Iterable[str]) -> list[Any]:
    """An instance of ``model`` for each of ``data`` (every field, in the model's order, values
    already validated), as ``model_validate`` would have made it, without validating again
    (what ``model_construct`` does, at a fraction of its cost: the instances' state is set the
    way pydantic itself sets it); ``given``: the fields set.  Each slot is set for all the
    rows at once by ``map`` over the slot's own setter, with no Python call per row, since a
    sheet can hold tens of thousands of rows; instances of a frozen model share one set of the
    fields set, which nothing changes in place: a frozen model refuses a new value, and a copy
    (``model_copy``, ``copy.copy``) gets a set of its own."""
    n = len(data)
    rows = list(map(object.__new__, itertools.repeat(model, n)))
    deque(map(_SET_DICT, rows, data), 0)
    given = tuple(given)
    sets = itertools.repeat(set(given), n) if model.model_config.get("frozen") \
        else map(set, itertools.repeat(given, n))  # a model that may change: a set per row
    deque(map(_SET_FIELDS_SET, rows, sets), 0)
    deque(map(_SET_EXTRA, rows, itertools.repeat(None, n)), 0)
    deque(map(_SET_PRIVATE, rows, itertools.repeat(None, n)), 0)
    return rows


_ORIGIN_FIELDS = ("file", "sheet", "row")


def origins(file: str, sheet: str, rows: Iterable[int]) -> list[Origin]:
    """``[Origin(file=file, sheet=sheet, row=r) for r in rows]`` for values known to be right,
    made in one go (see :func:`made_all`)."""
    return made_all(Origin, [{"file": file, "sheet": sheet, "row": r} for r in rows], _ORIGIN_FIELDS)


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
    typed, troubled = typed_rows(kind, rows, origins, ctx, fields, columns)
    problems: list[list[FieldProblem]] = [[] for _ in typed]
    for i, found in troubled.items():
        problems[i] = found
    return list(zip(typed, problems))


def typed_rows(
    kind: Kind, rows: list[dict[str, Any]] | None, origins: list[Origin], ctx: ParseContext,
    fields: set[str] | None = None, columns: dict[str, list[Any]] | None = None,
    typed: dict[str, list[Any]] | None = None,
) -> tuple[list[LedgerRow], dict[int, list[FieldProblem]]]:
    """:func:`parse_rows` as (the rows, row index -> its problems, for the rows that have
    some): no list and no pair made per row for the many rows without a problem.
    ``typed``, when given, receives the typed values of the fields parsed, field by field
    (each list the values of that field in the rows, in order)."""
    model = row_model(kind)
    plan = _plan(model)
    if not plan.by_columns:
        if rows is None:
            assert columns is not None
            rows = _dicts(columns, len(origins))
        parsed = [parse_row(kind, r, o, ctx) for r, o in zip(rows, origins)]
        return [row for row, _ in parsed], {i: found for i, (_, found) in enumerate(parsed) if found}
    if plan.prepares or plan.before:  # rules of the kind that work on whole rows
        if rows is None:
            assert columns is not None
            rows = _dicts(columns, len(origins))  # made here: prepare may change them
            if plan.prepares:
                rows = [model.prepare(r) for r in rows]
        elif plan.prepares:
            rows = [model.prepare(dict(r)) for r in rows]  # the caller's dicts stay as they are
        if plan.before:
            info = _Info(None, ctx)
            for check in plan.before:
                rows = [check(r, info) for r in rows]
        columns = None
    if columns is None:
        assert rows is not None
        present = set().union(*rows)
        if set(map(type, rows)) <= {dict}:
            columns = {name: list(map(dict.get, rows, itertools.repeat(name)))
                       for name in plan.order if name in present}
        else:  # pragma: no cover - a rule returning another mapping
            columns = {name: [r.get(name) for r in rows] for name in plan.order if name in present}
    present = columns.keys()
    kept = model.not_cells  # kept as written (the measure as written …): never left out
    wanted = [f for f in plan.order if f in present and (fields is None or f in fields or f in kept)]
    #: row index -> the problems of its cells, column by column: (errors, warnings)
    troubled: dict[int, tuple[list[FieldProblem], list[FieldProblem]]] = {}
    by_name: dict[str, Any] = {name: _parse_column(name, columns[name], plan.validators[name],
                                                  _Info(name, ctx), ctx, troubled) for name in wanted}
    if typed is not None:  # every field but the origin, a field not parsed at its default
        typed.update((n, by_name[n] if n in by_name else [default] * len(origins))
                     for n, default in plan.defaults if n != "origin")
    by_name["origin"] = origins
    # the rows' values in the model's field order, a field not parsed at its default
    values = [by_name[n] if n in by_name else itertools.repeat(default) for n, default in plan.defaults]
    data = list(map(plan.record, *values))
    return made_all(model, data, ("origin", *wanted)), \
        {i: errors + warnings for i, (errors, warnings) in sorted(troubled.items())}


def _dicts(columns: dict[str, list[Any]], n: int) -> list[dict[str, Any]]:
    """The rows of cells given by field, as dicts (``n`` empty ones when no field is given)."""
    names = tuple(columns)
    return list(map(dict, map(zip, itertools.repeat(names), zip(*columns.values())))) if names \
        else [{} for _ in range(n)]


@dataclass(frozen=True)
class _Plan:
    """What :func:`typed_rows` works out of a row model once."""

    #: Every rule is one typed_rows runs itself (see :func:`_by_columns`).
    by_columns: bool
    #: The model's ``prepare`` is its own; its "before" model validators.
    prepares: bool
    before: tuple[Any, ...]
    #: The fields but ``origin``, in order; each one's validator (None: plain text).
    order: tuple[str, ...]
    validators: dict[str, Any]
    #: (field, default) of every field, in order; a row's ``__dict__`` from its values so.
    defaults: tuple[tuple[str, Any], ...]
    record: Any


_PLANS: dict[type, _Plan] = {}


def _plan(model: type[LedgerRow]) -> _Plan:
    found = _PLANS.get(model)
    if found is None:
        names = tuple(model.model_fields)
        found = _PLANS[model] = _Plan(
            by_columns=_by_columns(model),
            prepares=model.prepare.__func__ is not LedgerRow.prepare.__func__,
            before=tuple(d.func for d in model.__pydantic_decorators__.model_validators.values()
                         if d.info.mode == "before"),
            order=tuple(n for n in names if n != "origin"),
            validators={n: _validator_of(model, n) for n in names if n != "origin"},
            defaults=tuple((n, f.default) for n, f in model.model_fields.items()),
            record=_record(names),
        )
    return found


def _record(names: tuple[str, ...]) -> Any:
    """A function of one value per name giving the dict ``{name: value, …}`` in that order:
    what ``dict(zip(names, values))`` gives, made at the speed of a dict display (a row's
    ``__dict__``, ten thousand times a range)."""
    params = ", ".join(f"v{i}" for i in range(len(names)))
    items = ", ".join(f"{name!r}: v{i}" for i, name in enumerate(names))
    return eval(f"lambda {params}: {{{items}}}", {})  # noqa: S307 - names are a model's fields


_NOT_PARSED = object()
_given = functools.partial(operator.is_not, None)


def _parse_column(name: str, cells: list[Any], validator: Any, info: _Info, ctx: ParseContext,
                  troubled: dict[int, tuple[list[FieldProblem], list[FieldProblem]]]) -> list[Any]:
    """The typed values of one column; each distinct cell value is parsed once (memos kept
    per Python type, so that ``1``, ``1.0`` and ``True`` are never taken for one another),
    the problems go to ``troubled`` under their row."""
    # free text (no vocabulary): a text without edge spaces is its own value (clean_text's rule)
    # and any other value its clean_text, never a problem (what _as_text gives without a vocabulary)
    if validator is _as_text and ctx.config.kinds[ctx.kind].column(name).vocabulary is None:
        found = clean_text_column(cells)  # a column of texts, or of whole numbers, in one go
        if found is not None:
            return found
        return [value if type(value) is str and is_trimmed(value) else clean_text(value) for value in cells]
    if (validator is _as_money or validator is _as_date or validator is _as_count) and str in set(map(type, cells)):
        # an empty text (an empty cell, as calamine gives it) is a blank to these validators,
        # as None is: the column parsers below take it as one
        cells = [None if type(value) is str and not value else value for value in cells]
    # a column of amounts in number cells: worked out in one go (such amounts seldom repeat)
    if validator is _as_money:
        found = parse_money_column(cells, ctx.scales.get(name, 1))
        if found is not None:
            return found
    # a column of dates in date cells, or of counts in number cells: worked out in one go
    if validator is _as_date:
        found = parse_date_column(cells)
        if found is not None:
            first = min(filter(_given, found), default=None)
            if first is None or first.year >= EARLIEST_YEAR:  # else each value says what is wrong
                return found
    if validator is _as_count:
        found = parse_count_column(cells)
        if found is not None:
            return found
    if _apart(cells):  # the distinct values at once, each looked up at C speed
        known = _known_values(ctx, name) if validator is _as_text else None
        if known is None:
            parsed = {value: _parse_value(validator, value, info, ctx) for value in set(cells)}
        else:  # a vocabulary's words: the same few, file after file
            parsed = {}
            for value in set(cells):
                hit = known.get((type(value), value))
                if hit is None:
                    hit = known[(type(value), value)] = _parse_value(validator, value, info, ctx)
                parsed[value] = hit
        typed = list(map({value: hit[0] for value, hit in parsed.items()}.__getitem__, cells))
        bad = {value: hit for value, hit in parsed.items() if hit[1] is not None or hit[2]}
        if bad:
            for i, value in enumerate(cells):
                hit = bad.get(value)
                if hit is not None:
                    _note(troubled, i, hit)
        return typed
    memos: dict[type, dict[Any, tuple[Any, FieldProblem | None, list]]] = {}
    typed = []
    append = typed.append
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
            _note(troubled, i, hit)
    return typed


#: Per configuration, kind and field of a vocabulary: (cell type, value) -> what
#: :func:`_parse_value` gives for it (its vocabulary word, or its problem), kept across sheets.
_KNOWN: dict[tuple[int, Kind, str], tuple[Any, dict[tuple[type, Any], tuple[Any, FieldProblem | None, list]]]] = {}


def _known_values(ctx: ParseContext, name: str) -> dict[tuple[type, Any], tuple[Any, FieldProblem | None, list]]:
    """The values of a text field with a vocabulary already parsed under ``ctx``'s configuration
    (a vocabulary's parse depends on nothing else), kept bounded."""
    key = (id(ctx.config), ctx.kind, name)
    found = _KNOWN.get(key)
    if found is None or found[0] is not ctx.config or len(found[1]) > 4096:
        if len(_KNOWN) > 256:
            _KNOWN.clear()
        found = _KNOWN[key] = (ctx.config, {})
    return found[1]


def _note(troubled: dict[int, tuple[list, list]], i: int, hit: tuple[Any, FieldProblem | None, list]) -> None:
    """Keep the problem (or the warnings) of row ``i``'s value, only ever asked for a value with one."""
    errors, warnings = troubled.setdefault(i, ([], []))
    if hit[1] is not None:
        errors.append(hit[1])
    else:
        warnings.extend(hit[2])


#: Cell types none of whose values is equal to a value of another type (a date is never equal
#: to a datetime, nor a text to anything but a text) and all hashable.
_APART = frozenset({str, type(None), date, datetime, time, timedelta})
#: Number types a cell may hold: ``1 == 1.0 == True``, so apart only when one of them is there.
_NUMBERS = frozenset({int, float, bool})


def _apart(cells: list[Any]) -> bool:
    """Whether the values of ``cells`` can be told apart by value alone, what the memos per
    Python type of :func:`_parse_column` do: every type hashable, equal values of one type
    (a text, a date, a blank and at most one number type; a NaN, never equal to itself, is
    found by identity, as in a memo)."""
    kinds = set(map(type, cells))
    others = kinds - _APART
    return not others or (len(others) == 1 and others <= _NUMBERS)


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
