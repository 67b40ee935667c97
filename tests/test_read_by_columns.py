"""The reader tells rows apart column by column (``reading.ledger.classify_rows``); on any
sheet it reads exactly what its former row-by-row loop read (``tests/reference_reader.py``):
the same typed rows, cell values, total rows and findings, in the same order.  Sheets are
random: synonyms, two-row headers, totals and footers anywhere, blank rows and rows holding
only a 序号, bad values, NaN, ragged rows, and cells holding a formula without its value or
an error value."""

from __future__ import annotations

import dataclasses

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reference_reader import read_ledger_by_rows
from taizhang.config import Kind, default_config
from taizhang.reading.layout import locate
from taizhang.reading.ledger import read_ledger
from taizhang.reading.book import Sheet
from test_column_path import random_range

CONFIG = default_config()


def _sheet(rnd: random.Random, kind: Kind) -> Sheet:
    rows = [list(r) for r in random_range(rnd, kind)]
    formulas, errors = set(), {}
    for r, row in enumerate(rows):
        for c in range(len(row)):
            if rnd.random() < 0.01:
                row[c] = None
                if rnd.random() < 0.5:
                    formulas.add((r, c))
                else:
                    errors[(r, c)] = rnd.choice(["#N/A", "#REF!"])
    return Sheet(name=f"{kind}台账", visible=True, rows=rows, formulas_without_value=formulas,
                 cell_errors=errors)


def _read(reader, sheet, layout):
    ledger = reader(sheet, layout, CONFIG, "单位.xlsx")
    return ([dataclasses.asdict(r) for r in ledger.rows], ledger.raw, ledger.totals,
            [(f.code, f.sheet, f.cell, f.row, f.column, f.message, f.severity) for f in ledger.findings])


@pytest.mark.slow
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1))
def test_columns_read_what_rows_read(seed):
    rnd = random.Random(seed)
    for kind in CONFIG.kinds:
        sheet = _sheet(rnd, kind)
        layout = locate(sheet, CONFIG)
        if layout is None:
            continue
        assert _read(read_ledger, sheet, layout) == _read(read_ledger_by_rows, sheet, layout)


@pytest.mark.parametrize("rows", [
    [["序号", "学校", "收费项目", "应退金额", "已退金额"]],  # the header alone
    [["序号", "学校", "收费项目", "应退金额", "已退金额"], [1.0, "一中"], [], [None, None, "合计", 5.0]],
    [["序号", "学校", "收费项目", "应退金额", "已退金额"], ["填表人：王五"], [1.0, "一中", "教辅材料", 1.0, 1.0]],
    # a footer past a space clean_text trims but the label tests do not strip (an em space)
    [["序号", "学校", "收费项目", "应退金额", "已退金额"], ["1", "一中", "教辅材料", 1.0, 1.0], ["\u2003填表人：赵六"],
     ["2", "二中", "教辅材料", 1.0, 1.0]],
    [["序号", "学校", "收费项目", "应退金额", "已退金额"], ["1", "一中", "教辅材料", 1.0, 1.0], ["2", "\u3000 ", "", None],
     ["3", "二中\u2003", "，合\u3000计", 1.0, 1.0]],
])
def test_edge_sheets(rows):
    sheet = Sheet(name="退费台账", visible=True, rows=rows)
    layout = locate(sheet, CONFIG)
    assert _read(read_ledger, sheet, layout) == _read(read_ledger_by_rows, sheet, layout)
