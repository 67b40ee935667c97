"""Roles of vocabulary values, as data (``taizhang/data/roles.toml``, overridden by the office).

``values(config, "rectification", "completed")`` -> the canonical 整改状态 values that mean
已完成.  ``source_rows(config)`` -> the rows of "complaints by source": each role with the
canonical values it counts, then every other canonical 来源 as a row of its own.
"""

from __future__ import annotations

from taizhang.config import Config


def values(config: Config, kind: str, role: str) -> tuple[str, ...]:
    """The canonical values that play ``role`` for ``kind`` (empty when not configured)."""
    entry = config.tables.get("roles", {}).get(kind, {}).get(role, ())
    if isinstance(entry, str):
        return (entry,)
    return tuple(entry)


def table(config: Config, kind: str, role: str) -> dict[str, tuple[str, ...]]:
    """A role that is a table: row label -> canonical values."""
    entry = config.tables.get("roles", {}).get(kind, {}).get(role, {})
    return {label: ((v,) if isinstance(v, str) else tuple(v)) for label, v in entry.items()}


def grouped(config: Config, kind: str, role: str, vocabulary: str) -> dict[str, tuple[str, ...]]:
    """Row label -> canonical values: the role's rows, then each canonical value of
    ``vocabulary`` that no row counts, as a row of its own (an office-added value)."""
    rows = table(config, kind, role)
    taken = {v for vs in rows.values() for v in vs}
    for canonical in config.vocabulary(vocabulary).canonical:
        if canonical not in taken:
            rows[canonical] = (canonical,)
    return rows
