"""Confidentiality of complainants (反映人 and contact details).

Their identity never appears in a summary, a log line, an error message or ``--json``;
detail that leaves the unit carries it masked: ``张**``, ``138****5678``.
"""

from __future__ import annotations

import re

from taizhang.config import Config, Kind

_DIGITS = re.compile(r"\d")


def mask_name(name: str | None) -> str | None:
    """``张三丰`` -> ``张**``; ``欧阳娜娜`` -> ``欧***``; empty stays empty."""
    if not name:
        return name
    name = name.strip()
    return name[0] + "*" * max(len(name) - 1, 1)


def mask_phone(phone: str | None) -> str | None:
    """``13812345678`` -> ``138****5678``; any other number keeps at most its last 4 digits."""
    if not phone:
        return phone
    digits = "".join(_DIGITS.findall(phone))
    if len(digits) == 11 and digits.startswith("1"):
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) > 4:
        return "*" * (len(digits) - 4) + digits[-4:]
    return "*" * max(len(digits), 1)


def confidential_fields(config: Config, kind: Kind) -> frozenset[str]:
    """Fields of ``kind`` that identify a complainant (``confidential = true`` in columns.toml)."""
    return frozenset(c.field for c in config.kinds[kind].columns if c.confidential)


def mask(field: str, value: str | None) -> str | None:
    """Mask a confidential value for detail that leaves the unit."""
    return mask_phone(value) if field == "phone" else mask_name(value)
