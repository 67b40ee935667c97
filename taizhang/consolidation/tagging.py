"""Values in JSON, as the consolidation store keeps rows and parts: dates, times and money
tagged (``{"d": "2026-10-01"}``, ``{"t": …}``, ``{"m": "12.50"}``) so that they read back as
the same types, exactly (money as Decimal, never float); anything else kept as its text."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any


def _tag(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if isinstance(value, Decimal):
        return {"m": str(value)}
    return str(value)  # anything else is kept as the text a cell would show


def _untag(obj: dict) -> Any:
    if len(obj) == 1:
        if "d" in obj:
            return date.fromisoformat(obj["d"])
        if "m" in obj:
            return Decimal(obj["m"])
        if "t" in obj:
            return datetime.fromisoformat(obj["t"])
    return obj


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=_tag, separators=(",", ":"))


def loads(text: str) -> Any:
    return json.loads(text, object_hook=_untag)
