"""The blocks of figures moved to their kinds' modules (``taizhang/kinds``); this module
keeps the former names importable (``from taizhang.figures.blocks import fen`` …)."""

from __future__ import annotations

import importlib
from typing import Any

from taizhang.kinds.common import CENT, ZERO, fen, ordered as _ordered

__all__ = ["CENT", "ZERO", "fen", "_ordered"]

_MOVED = {
    "ComplaintFigures": "complaints", "complaint_figures": "complaints", "SOURCES": "complaints",
    "RefundFigures": "refunds", "MoneyLine": "refunds", "refund_figures": "refunds",
    "SanctionFigures": "sanctions", "sanction_figures": "sanctions", "FORMS": "sanctions",
    "CATEGORIES": "sanctions",
    "RectificationFigures": "rectification", "rectification_figures": "rectification",
    "ActivityFigures": "activities", "activity_figures": "activities",
}


def __getattr__(name: str) -> Any:
    if name in _MOVED:
        return getattr(importlib.import_module(f"taizhang.kinds.{_MOVED[name]}"), name)
    raise AttributeError(name)
