"""The oracle of ``tests/test_parts_by_values.py``: the parts of refunds and complaints
(``KindDef.parts``) computed the plain way, a pass over the typed rows per figure, where the
package reads each row's values once for all its figures."""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any, Iterable

from taizhang import roles
from taizhang.config import Config
from taizhang.kinds.common import ZERO
from taizhang.kinds.complaints import ComplaintRow, source_rows
from taizhang.kinds.refunds import RefundRow


def _total(amounts: Iterable[Decimal | None]) -> Decimal:
    """The amounts given added up (a blank, or an amount that cannot be read, is None)."""
    return sum((a for a in amounts if a is not None), ZERO)


def _outstanding(due: Iterable[Decimal | None], refunded: Iterable[Decimal | None]) -> Decimal:
    """Per row 应退 − 已退 (nothing refunded counts 0), never below 0, over the rows with a 应退."""
    return sum((max(d - (r or ZERO), ZERO) for d, r in zip(due, refunded) if d is not None), ZERO)


def _money_sums(rows: list[RefundRow]) -> dict[str, Any]:
    """Sums; ``outstanding`` is, per row, 应退 − 已退 (nothing refunded counts 0), never below 0."""
    return dict(
        cases=len(rows),
        students=sum(r.students or 0 for r in rows if (r.students or 0) > 0),
        due=_total(r.due for r in rows),
        refunded=_total(r.refunded for r in rows),
        outstanding=_outstanding([r.due for r in rows], [r.refunded for r in rows]),
        to_treasury=_total(r.to_treasury for r in rows),
    )


def refund_parts(rows: Iterable[RefundRow], config: Config) -> dict[str, Any]:
    """What the figures need of ``rows`` (see :meth:`KindDef.parts`): the sums, in all and per
    school and fee item (in order of first appearance).  Sums of Decimals are exact, so the
    sums of parts are the sums of their rows."""
    rows = list(rows)
    by_school: dict[str, list[RefundRow]] = defaultdict(list)
    by_item: dict[str, list[RefundRow]] = defaultdict(list)
    for r in rows:
        by_school[r.school or "（未填学校）"].append(r)
        by_item[r.item or "（未填项目）"].append(r)
    return {"all": _money_sums(rows),
            "by_school": {k: _money_sums(v) for k, v in by_school.items()},
            "by_item": {k: _money_sums(v) for k, v in by_item.items()}}


def complaint_parts(rows: Iterable[ComplaintRow], config: Config) -> dict[str, Any]:
    """What the figures need of ``rows`` (see :meth:`KindDef.parts`): every figure of
    complaints is a count, so the parts are the counts, tallies by value in order of first
    appearance."""
    rows = list(rows)
    row_of = {v: label for label, vals in source_rows(config).items() for v in vals}  # 来源 -> its row
    visit = roles.values(config, "complaints", "visit_channels")
    done = roles.values(config, "complaints", "done")
    handling = roles.values(config, "complaints", "in_progress")
    found = roles.values(config, "complaints", "substantiated")
    return {
        "total": len(rows),
        "by_source": dict(Counter(row_of[r.source] for r in rows if r.source in row_of)),
        "unknown_source": sum(r.source not in row_of for r in rows),
        "by_channel": dict(Counter(r.channel for r in rows if r.channel)),
        "by_category": dict(Counter(r.category for r in rows if r.category)),
        "by_disposal": dict(Counter(r.disposal for r in rows if r.disposal)),
        "closed": sum(r.status in done for r in rows),
        "in_progress": sum(r.status in handling for r in rows),
        "status_unknown": len([r for r in rows if r.status not in done and r.status not in handling]),
        "substantiated": sum(r.conclusion in found for r in rows),
        "visits": sum(r.channel in visit for r in rows),
        "person_times": sum(max(r.visitors, 0) if r.visitors is not None else int(r.channel in visit)
                            for r in rows),
    }
