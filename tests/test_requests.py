"""The use cases' requests: declared once (``taizhang.usecases.requests``), checked in plain
Python on the command line and by pydantic models derived from the same declarations in the
service (``taizhang.serve.options``).  Both faces must take and refuse the same bodies, with the
same values and the same Chinese words."""

from __future__ import annotations

import copy
import pickle
from datetime import date, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from taizhang.serve.options import body_schema, refusal, request_model
from taizhang.usecases.requests import (
    REQUESTS, CheckRequest, ConsolidateRequest, ReportRequest, RequestError, field_names, validate,
)

BASE = {"check": {"paths": ["x"]}, "summary": {"paths": ["x"]}, "report": {"paths": ["x"], "output": "o.docx"},
        "consolidate": {"folder": "f", "period": "2026-10", "master": "m.xlsx"}}
VALUES = [None, "", " ", "\u3000", "a\x00", "x", "台账", 202610, 2026.5, 1e20, 1.0, -0.0, True, False, 0, 1, -1, 2,
          "0", "1", " 2 ", "1.5", "abc", "10000", 10000, ["a"], [], ["a", "b"], [""], [1], [None], [["a"]], {"a": 1},
          "2026-10-31", "31/10/2026", "2026年10月31日", "2026-02-30", 46303, "46303", "20261031", 20261031,
          "２０２６－１０－３１", 86400.0, 0.5, float("nan"), Decimal("86400"), Decimal("1.10"), b"2026-10-31", b"\xff",
          bytearray(b"x"), date(2026, 10, 31), datetime(2026, 10, 31), datetime(2026, 10, 31, 8), ("a", "b"), {"a"}]


def bodies(command: str) -> list:
    base = BASE[command]
    out: list = [base, {}, {"zz": 1}, {"zz": 1, **base}, {"json": True, **base}, {1: "x", **base},
                 [], "x", 1, None]
    names = field_names(REQUESTS[command])
    for name in names:
        without = {k: v for k, v in base.items() if k != name}
        out += [without, without | {"zz": 1}, *(base | {name: v} for v in VALUES)]
    for a in names:  # two faults at once: which is told first
        for b in names:
            if a < b:
                out += [base | {a: [], b: True}, base | {a: "\x00", b: "x\x00"},
                        {k: v for k, v in base.items() if k != a} | {b: 1.5}]
    return out


def through_the_service(command: str, body: object) -> object:
    """What the service makes of a body: the request, or its refusal's words."""
    declared = REQUESTS[command]
    try:
        valid = request_model(command).model_validate(body)
    except ValidationError as exc:
        return refusal(command, exc.errors())
    return declared(**{name: getattr(valid, name) for name in field_names(declared)})


def through_the_command_line(command: str, body: object) -> object:
    try:
        return validate(REQUESTS[command], body)
    except RequestError as exc:
        return str(exc)


@pytest.mark.parametrize("command", sorted(BASE))
def test_both_faces_take_and_refuse_the_same_bodies_alike(command):
    differ = [(body, a, b) for body in bodies(command)
              if (a := through_the_command_line(command, body)) != (b := through_the_service(command, body))]
    assert not differ, differ[:5]


def test_a_request_made_in_python_is_checked_too():
    assert CheckRequest(paths="a", jobs="1", as_of="2026年10月31日") == CheckRequest(
        paths=["a"], jobs=1, as_of=date(2026, 10, 31))
    with pytest.raises(RequestError, match="没有选项“frobnicate”"):
        CheckRequest(paths=["x"], frobnicate=1)
    with pytest.raises(RequestError, match="缺少必需的参数：FOLDER, --master"):
        ConsolidateRequest(period="2026-10")
    with pytest.raises(RequestError, match="“recursive”应为 true 或 false"):
        CheckRequest(paths=["x"], recursive=1)
    assert ReportRequest().paths == [] and ReportRequest().paths is not ReportRequest().paths


def test_a_request_is_a_frozen_record():
    request = ConsolidateRequest(folder="f", period=202610, master="m.xlsx")
    assert request.period == "202610" and request.recursive is False and request.rollup is None
    with pytest.raises(AttributeError):
        request.folder = "g"  # type: ignore[misc]
    assert hash(request) == hash(ConsolidateRequest(folder="f", period="202610", master="m.xlsx"))
    assert repr(request).startswith("ConsolidateRequest(folder='f', period='202610', master='m.xlsx', roster=None")
    assert request != CheckRequest(paths=["f"])
    assert pickle.loads(pickle.dumps(request)) == request == copy.deepcopy(request)


@pytest.mark.parametrize("command", sorted(BASE))
def test_the_published_schema_says_what_the_declaration_says(command):
    declared = REQUESTS[command]
    schema = body_schema(command)
    assert schema["title"] == declared.__name__ and schema["additionalProperties"] is False
    assert list(schema["properties"]) == list(field_names(declared))
    assert schema["required"] == [s.name for s in declared.SPECS if s.required]
    for spec in declared.SPECS:
        shown = schema["properties"][spec.name]
        assert shown["description"] == spec.description
        if not spec.required and spec.factory is None:
            assert shown["default"] == spec.default, spec.name
