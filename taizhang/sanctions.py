"""The sanction measures: which category (党纪/政务/组织处理/问责) and which of the four forms
(四种形态) a measure belongs to.  Both mappings are configuration (``forms.toml``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from taizhang.config import Config

if TYPE_CHECKING:  # pragma: no cover
    from taizhang.kinds.sanctions import SanctionRow

#: Bucket for a measure whose category cannot be told (警告 with no 处分类别 and no hint).
UNCLASSIFIED = "未分类"


def categories_of(config: Config, measure: str) -> tuple[str, ...]:
    return config.categories.get(measure, ())


def resolve_category(config: Config, row: "SanctionRow") -> str | None:
    """The category of a row: as written, else implied by the measure, else by its wording."""
    if row.category is not None:
        return row.category
    if row.measure is None:
        return None
    allowed = categories_of(config, row.measure)
    if len(allowed) == 1:
        return allowed[0]
    written = row.measure_written or ""
    for cat, words in config.category_hints.items():
        if (not allowed or cat in allowed) and any(w in written for w in words):
            return cat
    return None


def form_of(config: Config, measure: str | None) -> str | None:
    """第一种形态 … 第四种形态, or None when the mapping does not list the measure."""
    return config.forms.get(measure) if measure else None
