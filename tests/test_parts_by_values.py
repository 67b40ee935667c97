"""The parts of refunds and complaints (``KindDef.parts``) read each row's values at once and
add them up column by column; they are exactly what they were when every figure was its own
pass over the rows (``tests/reference_parts.py``): the same sums to the last digit, the same
tallies in the same order."""

from __future__ import annotations

import dataclasses

from decimal import Decimal

import reference_parts
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taizhang.kinds.complaints import complaint_parts
from taizhang.kinds.refunds import refund_parts
from taizhang.model import ROW_MODELS, Origin
from test_figure_parts import CONFIG, POOLS, rows_of

#: Amounts with more digits than a Decimal context keeps: their sums are rounded, in order.
LONG = [Decimal("1234567890123456789.123456789"), Decimal("0.000000000000000000000000001"), Decimal("-7.5")]


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(rows_of("refunds"), st.integers(0, 3))
def test_refund_parts_are_what_they_were(rows, long):
    if long:  # some amounts longer than the context's precision
        rows = [dataclasses.replace(r, due=LONG[(i + long) % 3], refunded=LONG[i % 3]) if i % long == 0 else r
                for i, r in enumerate(rows)]
    assert repr(refund_parts(rows, CONFIG)) == repr(reference_parts.refund_parts(rows, CONFIG))
    assert repr(refund_parts(rows, CONFIG)["all"]) == repr(reference_parts._money_sums(rows))


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(rows_of("complaints"))
def test_complaint_parts_are_what_they_were(rows):
    assert repr(complaint_parts(rows, CONFIG)) == repr(reference_parts.complaint_parts(rows, CONFIG))


def test_parts_of_no_rows():
    assert repr(refund_parts([], CONFIG)) == repr(reference_parts.refund_parts([], CONFIG))
    assert repr(complaint_parts(iter([]), CONFIG)) == repr(reference_parts.complaint_parts(iter([]), CONFIG))


def test_the_pools_give_every_tally():
    model = ROW_MODELS["complaints"]
    rows = [model(origin=Origin(file="f", sheet="s", row=i + 2),
                                  **{f: pool[i % len(pool)] for f, pool in POOLS["complaints"].items()})
            for i in range(30)]
    parts = complaint_parts(rows, CONFIG)
    assert parts["closed"] and parts["in_progress"] and parts["substantiated"] and parts["visits"]
    assert parts["unknown_source"] and parts["person_times"] and parts["by_source"]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["complaints", "refunds", "sanctions", "rectification", "activities"]),
       st.lists(st.tuples(st.sampled_from([None, *POOLS["refunds"]["found_on"][1:3]]),
                          st.sampled_from([None, *POOLS["refunds"]["found_on"][3:5]])), max_size=8))
def test_period_date_is_the_first_period_field_given(kind, dates):
    from taizhang.model import period_date
    model = ROW_MODELS[kind]
    fields = model.period_fields
    for a, b in dates:
        row = model(origin=Origin(file="f", sheet="s", row=2), **dict(zip(fields, (a, b))))
        expected = next((getattr(row, f) for f in fields if getattr(row, f) is not None), None)
        assert period_date(row) == expected
