"""A request's JSON body as the use case's typed request (``taizhang.usecases.requests``).

FastAPI validates the body into the command's request model (the keys are the command's long
options with ``_`` for ``-``, ``as_of`` for ``--as-of``, and its positionals by their names,
``paths``, ``folder``); what the model refuses is answered 400 with :func:`refusal`'s Chinese
message.  Every value naming a file or folder must then lie in the allowed folders
(:func:`confine`).
"""

from __future__ import annotations

from typing import Any

from taizhang.serve.security import Allowed
from taizhang.usecases.requests import REQUESTS, Request, explain


def request_model(command: str) -> type[Request]:
    """The request model of ``command`` (``KeyError`` for a command this version lacks)."""
    return REQUESTS[command]


def refusal(command: str, errors: list[dict[str, Any]]) -> str:
    """Why FastAPI refused the body of a ``command`` request (its validation errors), in Chinese."""
    return explain(request_model(command), errors)


def confine(request: Request, allowed: Allowed) -> Request:
    """``request`` with every path resolved inside the allowed folders; raises
    :class:`~taizhang.serve.security.OutsideAllowed` for one outside them."""
    update: dict[str, Any] = {}
    for name in request.PATH_FIELDS:
        value = getattr(request, name)
        if isinstance(value, list):
            update[name] = [str(allowed.check(str(v))) for v in value]
        elif value is not None:
            update[name] = str(allowed.check(str(value)))
    return request.model_copy(update=update)


def body_schema(command: str) -> dict[str, Any]:
    """The JSON Schema of a command's request body (for OpenAPI), from its request model."""
    schema = request_model(command).model_json_schema()
    schema.setdefault("required", [])
    return schema
