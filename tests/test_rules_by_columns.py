"""The rules for every ledger (and those of the kinds that say so) look at whole columns first (``Ledger.column``: the reader's
typed columns) and at the rows only where a column says there is something to report; they
report exactly what they reported row by row (``tests/reference_rules.py``), in the same
order, on any ledger: with empty required cells, dates after the as-of day, negative figures,
repeated 序号 and rows, total rows, bad values; and on a ledger whose rows were replaced
after reading (the typed columns then no longer theirs)."""

from __future__ import annotations

from taizhang.model import fields_of

import random
from datetime import date

import reference_rules
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taizhang.checks import CheckContext, common
from taizhang.config import default_config
from taizhang.kinds import definition
from taizhang.reading.layout import locate
from taizhang.reading.ledger import read_ledger
from taizhang.reading.book import Sheet
from test_column_path import random_range

CONFIG = default_config()
AS_OF = [date(2026, 1, 1), date(2026, 10, 5), date(2026, 10, 31), date(2030, 1, 1)]


def random_ledger(rnd: random.Random, kind):
    rows = [list(r) for r in random_range(rnd, kind)]
    for _ in range(rnd.randrange(4)):  # a row entered twice (its 序号 changed or not)
        row = list(rnd.choice(rows[-10:]))
        if row and rnd.random() < 0.5:
            row[0] = rnd.choice([7.0, "9", None])
        rows.insert(rnd.randrange(len(rows) // 2, len(rows) + 1), row)
    sheet = Sheet(name=f"{kind}台账", visible=True, rows=rows)
    layout = locate(sheet, CONFIG)
    return None if layout is None else read_ledger(sheet, layout, CONFIG, "单位.xlsx")


def said(findings):
    return [(f.code, f.sheet, f.cell, f.row, f.column, f.message, f.severity) for f in findings]


def assert_rules_agree(ledger, ctx):
    for rule, former in zip(common.RULES, reference_rules.RULES, strict=True):
        assert rule.__name__ == former.__name__
        assert said(rule(ledger, ctx)) == said(former(ledger, ctx)), rule.__name__
    rules = {r.__name__: r for r in definition(ledger.kind).rules()}
    for name, former in reference_rules.KIND_RULES.get(ledger.kind.value, {}).items():
        assert said(rules[name](ledger, ctx)) == said(former(ledger, ctx)), name


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1))
def test_rules_report_what_they_reported_row_by_row(seed):
    rnd = random.Random(seed)
    for kind in CONFIG.kinds:
        ledger = random_ledger(rnd, kind)
        if ledger is None:
            continue
        ctx = CheckContext(config=CONFIG, as_of=rnd.choice(AS_OF))
        assert_rules_agree(ledger, ctx)
        ledger.rows = ledger.rows[rnd.randrange(2)::2]  # rows replaced: columns of the rows
        assert_rules_agree(ledger, ctx)


def test_the_random_ledgers_have_something_to_report():
    """The ledgers above give every common rule something to say."""
    rnd = random.Random(16)
    codes = set()
    for _ in range(30):
        for kind in CONFIG.kinds:
            ledger = random_ledger(rnd, kind)
            if ledger is not None:
                ctx = CheckContext(config=CONFIG, as_of=rnd.choice(AS_OF))
                codes |= {f.code for rule in common.RULES for f in rule(ledger, ctx)}
    assert {"missing-value", "future-date", "negative-amount", "invalid-number", "duplicate-id",
            "duplicate-row", "total-mismatch"} <= codes
    kind_codes = set()
    for _ in range(30):
        for kind in CONFIG.kinds:
            ledger = random_ledger(rnd, kind)
            if ledger is not None:
                ctx = CheckContext(config=CONFIG, as_of=rnd.choice(AS_OF))
                kind_codes |= {f.code for rule in definition(ledger.kind).rules() for f in rule(ledger, ctx)}
    assert {"refund-exceeds-due", "due-mismatch", "missing-closing-date", "closing-before-received",
            "missing-completion-date", "completion-before-found", "overdue", "completed-late",
            "date-outside-year"} <= kind_codes


def test_a_column_is_the_rows_values():
    rnd = random.Random(3)
    ledger = None
    while ledger is None or len(ledger.rows) < 5:
        ledger = random_ledger(rnd, "refunds")
    for name in fields_of(ledger.model):
        if name != "origin":
            assert ledger.column(name) == [getattr(r, name) for r in ledger.rows]
    ledger.rows = ledger.rows[1:]
    assert ledger.column("due") == [r.due for r in ledger.rows]
