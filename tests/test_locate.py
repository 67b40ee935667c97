"""``reading.layout.locate`` finds on any sheet the layout its former version found
(``tests/reference_layout.py``): the same kind, header row and height, columns, units,
unknown and duplicate columns, reporting unit and title, or no ledger at all.

Sheets are random: headers of any kind at any row of the scan and just beyond it, one or two
header rows under merged parents, synonyms and units (万元), other kinds' header names among
the data (rival headers), sheet names with and without a kind's keyword, merged cells
anywhere (overlapping ones too), long texts, text of a ``str`` subclass, numbers and dates.
"""

from __future__ import annotations

import random
from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reference_layout import reference_locate
from taizhang.config import default_config
from taizhang.reading.layout import HEADER_SCAN_ROWS, locate
from taizhang.reading.book import Sheet

CONFIG = default_config()
KINDS = list(CONFIG.kinds)


class Text(str):
    """Text as some readers may hand it over: a ``str`` subclass."""


NOISE = [None, None, None, 1.0, 12.5, 3, True, datetime(2026, 10, 8), date(2026, 1, 1), "", "  ", "一中",
         "合计", "填报单位：县一中", "填报单位：", "县二中", "单位负责人：王五", "x" * 250, " 序号 " * 50,
         Text("来源"), Text(" 备注 "), "金额（万元）", "办理情况", "说明"]


def header_names(rnd: random.Random, kind) -> list[str]:
    spec = CONFIG.kinds[kind]
    columns = [c for c in spec.columns if c.required or rnd.random() < 0.6]
    rnd.shuffle(columns)
    names = []
    for c in columns:
        name = rnd.choice([c.name, *c.synonyms]) if rnd.random() < 0.8 else c.name
        if rnd.random() < 0.2:
            name = rnd.choice(["（万元）", "(元)", "（人）", "*", " "]) + name if rnd.random() < 0.2 \
                else name + rnd.choice(["（万元）", "(元)", "（人）", "*", "：", "\n"])
        names.append(name if rnd.random() < 0.95 else Text(name))
    if rnd.random() < 0.3:
        names.insert(rnd.randrange(len(names) + 1), rnd.choice(["自定义列", "说明", names[0]]))
    return names


def random_sheet(rnd: random.Random) -> Sheet:
    width = rnd.randrange(1, 16)
    height = rnd.randrange(1, HEADER_SCAN_ROWS + 8)
    rows = [[rnd.choice(NOISE) for _ in range(rnd.randrange(width + 1))] for _ in range(height)]
    merged = []
    for _ in range(rnd.randrange(4)):  # headers, rival headers, half headers
        kind = rnd.choice(KINDS)
        names = header_names(rnd, kind)
        if rnd.random() < 0.3:
            names = names[: rnd.randrange(1, 4)]
        at = rnd.randrange(HEADER_SCAN_ROWS + 4)
        while len(rows) <= at + 1:
            rows.append([])
        if rnd.random() < 0.3 and len(names) > 3:  # two rows: a merged parent over the last columns
            cut = rnd.randrange(1, len(names) - 1)
            rows[at] = names[:cut] + [rnd.choice(["金额（万元）", "办理情况", "已退"])] + [None] * (len(names) - cut - 1)
            rows[at + 1] = [None] * cut + names[cut:]
            merged.append(((at, cut), (at, len(names) - 1)))
            merged += [((at, c), (at + 1, c)) for c in range(cut) if rnd.random() < 0.5]
        else:
            rows[at] = list(names)
    for _ in range(rnd.randrange(4)):  # merged cells anywhere, overlapping ones too
        r0, c0 = rnd.randrange(len(rows) + 2), rnd.randrange(width + 2)
        merged.append(((r0, c0), (r0 + rnd.randrange(3), c0 + rnd.randrange(4))))
    for _ in range(rnd.randrange(3)):  # titles above
        rows.insert(0, [rnd.choice(["退费台账", "2026年10月信访举报台账", "填报单位：县一中    填报月份：2026年10月",
                                    "填报单位：", "县一中", None])])
    name = rnd.choice(["Sheet1", "退费台账", "信访", "整改台账", "处分", "工作开展", "数据", "x" * 40])
    return Sheet(name=name, visible=True, rows=rows, merged=merged)


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1))
def test_locate_finds_what_it_found(seed):
    rnd = random.Random(seed)
    sheet = random_sheet(rnd)
    assert locate(sheet, CONFIG) == reference_locate(sheet, CONFIG)


def test_the_random_sheets_hold_ledgers():
    """The sheets above are not all refused: most hold a ledger, some with two header rows,
    some below the rows a header is looked for in."""
    rnd = random.Random(16)
    layouts = [locate(random_sheet(rnd), CONFIG) for _ in range(400)]
    found = [lay for lay in layouts if lay is not None]
    assert len(found) > 200 and len(found) < 400
    assert any(lay.header_height == 2 for lay in found)
    assert any(lay.header_row >= 20 for lay in found)
    assert {lay.kind for lay in found} == set(KINDS)
    assert any(lay.scales for lay in found) and any(lay.unknown for lay in found)
