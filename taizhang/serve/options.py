"""A request's JSON body as the use case's typed request (``taizhang.usecases.requests``).

FastAPI validates the body into the command's body model: a pydantic model derived, at first
use, from the request's declaration (its fields, rules, defaults and help texts; unknown keys
refused, numbers taken as text where text is wanted, booleans and process counts strict).  The
keys are the command's long options with ``_`` for ``-``, ``as_of`` for ``--as-of``, and its
positionals by their names, ``paths``, ``folder``; what the model refuses is answered 400 with
:func:`refusal`'s Chinese message, the command line's.  Every value naming a file or folder must
then lie in the allowed folders (:func:`confine`), which gives the use case's request.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Annotated, Any

from pydantic import (
    AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictInt, create_model,
)

from taizhang.serve.security import Allowed
from taizhang.usecases.requests import (
    REQUESTS, Day, Flag, Jobs, Request, Spec, Text, Texts, explain, field_names, parse_as_of, parse_jobs,
    plain_text,
)

#: The configuration every body model shares.
BODY_CONFIG = ConfigDict(extra="forbid", coerce_numbers_to_str=True, frozen=True)


def _as_of(value: Any) -> Any:
    """A day's "before" step: a text or a number read as staff write a day; the rest is left to
    pydantic's ``date`` (as :class:`~taizhang.usecases.requests.Day` does in plain Python)."""
    if value is None or isinstance(value, date):
        return value
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return parse_as_of(str(value))
    return value  # refused by the type


def _jobs(value: Any) -> Any:
    """A process count's "before" step (the rest is left to ``StrictInt``, as
    :class:`~taizhang.usecases.requests.Jobs` refuses it)."""
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return parse_jobs(value)
    return value


PlainText = Annotated[str, AfterValidator(plain_text)]


def _annotation(spec: Spec) -> Any:
    """The pydantic type of a declared field (the rule's, ``| None`` where ``None`` is a value)."""
    rule = spec.rule
    if isinstance(rule, Texts):
        return Annotated[list[PlainText], BeforeValidator(rule.listed)]
    if isinstance(rule, Day):
        return Annotated[date | None if spec.nullable else date, BeforeValidator(_as_of)]
    if isinstance(rule, Jobs):
        return Annotated[StrictInt | None if spec.nullable else StrictInt, BeforeValidator(_jobs)]
    kind = {Text: PlainText, Flag: StrictBool}[type(rule)]
    return kind | None if spec.nullable else kind


def _field(spec: Spec) -> Any:
    """The pydantic field of a declared one: its help text, its default, at least one item."""
    extra: dict[str, Any] = {"description": spec.description}
    if isinstance(spec.rule, Texts) and spec.rule.at_least_one:
        extra["min_length"] = 1
    if spec.required:
        return Field(**extra)
    if spec.factory is not None:
        return Field(default_factory=spec.factory, **extra)
    return Field(spec.default, **extra)


@cache
def request_model(command: str) -> type[BaseModel]:
    """The body model of ``command``, named as its request (``KeyError`` for a command this
    version lacks)."""
    declared = REQUESTS[command]
    return create_model(  # type: ignore[call-overload,no-any-return]
        declared.__name__, __config__=BODY_CONFIG, __module__=__name__,
        **{spec.name: (_annotation(spec), _field(spec)) for spec in declared.SPECS})


def refusal(command: str, errors: list[dict[str, Any]]) -> str:
    """Why FastAPI refused the body of a ``command`` request (its validation errors), in Chinese."""
    return explain(REQUESTS[command], errors)


def confine(command: str, body: Any, allowed: Allowed) -> Request:
    """The use case's request of a validated ``command`` body (or of a request), with every
    path resolved inside the allowed folders; raises
    :class:`~taizhang.serve.security.OutsideAllowed` for one outside them."""
    declared = REQUESTS[command]
    values = {name: getattr(body, name) for name in field_names(declared)}
    for name in declared.PATH_FIELDS:
        value = values[name]
        if isinstance(value, list):
            values[name] = [str(allowed.check(str(v))) for v in value]
        elif value is not None:
            values[name] = str(allowed.check(str(value)))
    return declared(**values)


def body_schema(command: str) -> dict[str, Any]:
    """The JSON Schema of a command's request body (for OpenAPI), from its body model."""
    schema = request_model(command).model_json_schema()
    schema.setdefault("required", [])
    return schema
