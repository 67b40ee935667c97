"""The validation engine: raw cell values to typed rows of a kind's row model (see
``taizhang.model``), with what cannot be understood kept as problems the reader turns into
findings (the rest of the row kept).

Each field is parsed by its annotation's parser (``taizhang.model``'s ``Text``, ``Day``,
``Money``, ``Count``; a field without one is plain text).  Row by row, :func:`parse_row`; for a
whole ledger, :func:`typed_rows` works column by column: each distinct value of a column is
parsed once, or by a whole-column parser of ``taizhang.values``, and the rows are then made
in one go (:func:`made_all`).  Both give the same rows and the same problems.
"""

from __future__ import annotations

import functools
import itertools
import operator
from collections import deque
from datetime import date, datetime, time, timedelta
from typing import Any, Iterable

from taizhang.config import Kind, config_memo
from taizhang.model import (EARLIEST_YEAR, CellError, LedgerRow, Origin, ParseContext, ParseInfo, Parser, _as_count,
                            _as_date, _as_money, _as_text, fields_of, row_model)
from taizhang.records import dataclass
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
    """A typed row from raw cell values; values that fail become problems and ``None``
    (the errors in field order, then the warnings).

    Never raises for any cell content: the row is always returned, with what could be read.
    """
    model = row_model(kind)
    plan = _plan(model)
    data = model.prepare(dict(values))
    if plan.before:
        data = model.before_parse(data, ParseInfo(None, ctx))
    typed: dict[str, Any] = {}
    errors: list[FieldProblem] = []
    warnings: list[FieldProblem] = []
    for name in plan.order:
        if name in data:
            typed[name], error, notes = _parse_value(plan.validators[name], data[name], ParseInfo(name, ctx), ctx)
            if error is not None:
                errors.append(error)
            warnings.extend(notes)
    return model(origin=origin, **typed), errors + warnings


_CODES = {"unknown-value", "invalid-date", "invalid-amount", "invalid-number"}


# --- the same rules, column by column ---------------------------------------------------

def _validator_of(model: type[LedgerRow], name: str) -> Any:
    """The parser of a field (``Text``'s, ``Day``'s …), or None for plain text."""
    return next((m.func for m in fields_of(model)[name].metadata if isinstance(m, Parser)), None)


def made_all(model: type, data: list[dict[str, Any]]) -> list[Any]:
    """An instance of the dataclass ``model`` for each of ``data`` (every field, in the model's
    order, values already parsed), as ``model(**values)`` would make it, at a fraction of its
    cost: each instance's ``__dict__`` is set, for all the rows at once by ``map`` over the
    attribute's own setter, with no Python call per row, since a sheet can hold tens of
    thousands of rows."""
    setter = next(c.__dict__["__dict__"] for c in model.__mro__ if "__dict__" in c.__dict__).__set__
    rows = list(map(object.__new__, itertools.repeat(model, len(data))))
    deque(map(setter, rows, data), 0)
    return rows


def origins(file: str, sheet: str, rows: Iterable[int]) -> list[Origin]:
    """``[Origin(file=file, sheet=sheet, row=r) for r in rows]`` for values known to be right,
    made in one go (see :func:`made_all`)."""
    return made_all(Origin, [{"file": file, "sheet": sheet, "row": r} for r in rows])


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
            info = ParseInfo(None, ctx)
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
                                                  ParseInfo(name, ctx), ctx, troubled) for name in wanted}
    if typed is not None:  # every field but the origin, a field not parsed at its default
        typed.update((n, by_name[n] if n in by_name else [default] * len(origins))
                     for n, default in plan.defaults if n != "origin")
    by_name["origin"] = origins
    # the rows' values in the model's field order, a field not parsed at its default
    values = [by_name[n] if n in by_name else itertools.repeat(default) for n, default in plan.defaults]
    data = list(map(plan.record, *values))
    return made_all(model, data), \
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
        fields = fields_of(model)
        names = tuple(fields)
        found = _PLANS[model] = _Plan(
            by_columns=_by_columns(model),
            prepares=model.prepare.__func__ is not LedgerRow.prepare.__func__,
            before=(model.before_parse,) if model.before_parse.__func__ is not LedgerRow.before_parse.__func__ else (),
            order=tuple(n for n in names if n != "origin"),
            validators={n: _validator_of(model, n) for n in names if n != "origin"},
            defaults=tuple((n, f.default) for n, f in fields.items()),
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


def _parse_column(name: str, cells: list[Any], validator: Any, info: ParseInfo, ctx: ParseContext,
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


#: Per configuration, kind and field of a vocabulary (``config_memo``): (cell type, value) ->
#: what :func:`_parse_value` gives for it (its vocabulary word, or its problem), kept across sheets.
_KNOWN: dict[tuple[int, tuple[Kind, str]], tuple[Any, dict[tuple[type, Any], tuple[Any, FieldProblem | None, list]]]] = {}


def _known_values(ctx: ParseContext, name: str) -> dict[tuple[type, Any], tuple[Any, FieldProblem | None, list]]:
    """The values of a text field with a vocabulary already parsed under ``ctx``'s configuration
    (a vocabulary's parse depends on nothing else), kept bounded."""
    known: dict[tuple[type, Any], tuple[Any, FieldProblem | None, list]] = config_memo(
        _KNOWN, ctx.config, (ctx.kind, name), configurations=256)
    if len(known) > 4096:
        known.clear()
    return known


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
    return all(name == "origin" or _validator_of(model, name) is not None or f.annotation == (str | None)
               for name, f in fields_of(model).items())


def _parse_value(validator: Any, value: Any, info: ParseInfo, ctx: ParseContext) -> tuple[Any, FieldProblem | None, list]:
    """(typed value, the error, the warnings) of one cell value by one field's validator."""
    if validator is None:  # plain text (set by the kind's prepare)
        if value is None or isinstance(value, str):
            return value, None, []
        return None, FieldProblem(info.field_name, "invalid-value", "Input should be a valid string"), []
    ctx.notes = []
    try:
        typed = validator(value, info)
    except CellError as exc:
        code = exc.code if exc.code in _CODES else "invalid-value"
        return None, FieldProblem(info.field_name, code, exc.message), []
    except (ValueError, AssertionError) as exc:  # a parser's own failure, said as pydantic said it
        return None, FieldProblem(info.field_name, "invalid-value", f"Value error, {exc}"), []
    return typed, None, [FieldProblem(f, c, m, "warning") for f, c, m in ctx.notes]
