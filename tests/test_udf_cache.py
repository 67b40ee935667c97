"""Worksheet functions answer a recalculation from memory when the range's content is the same,
and compute again as soon as one value, an argument, the day or the configuration changes."""

from __future__ import annotations

import copy
from datetime import datetime

import pytest

from taizhang import ranges
from udfs import cache
from udfs import functions as f

COMPLAINTS = [
    ["信访编号", "受理日期", "信访来源", "状态", "办结日期"],
    [1.0, datetime(2026, 10, 1), "省纪委转办", "已办结", datetime(2026, 10, 5)],
    [2.0, datetime(2026, 10, 2), "市局转办", "在办", None],
    [3.0, datetime(2026, 9, 2), "直接受理", "在办", None],
]


@pytest.fixture
def reads(monkeypatch):
    """How many times a range was actually read: into a ledger (LEDGER_CHECK), or column by
    column (the functions that count or add up)."""
    cache.clear()
    count = {"n": 0}

    def counting(real):
        def call(*args, **kwargs):
            count["n"] += 1
            return real(*args, **kwargs)
        return call

    monkeypatch.setattr(ranges, "ledger_in", counting(ranges.ledger_in))
    monkeypatch.setattr(f, "ledger_in", counting(f.ledger_in))
    monkeypatch.setattr(ranges, "columns_in", counting(ranges.columns_in))
    monkeypatch.delenv("TAIZHANG_CONFIG", raising=False)
    yield count
    cache.clear()


def test_a_fresh_copy_of_the_same_content_is_answered_from_memory(reads):
    assert f.COMPLAINT_COUNT(copy.deepcopy(COMPLAINTS)) == 3
    assert f.COMPLAINT_COUNT(copy.deepcopy(COMPLAINTS)) == 3  # a recalculation: new lists, same values
    assert reads["n"] == 1
    assert f.COMPLAINT_COUNT(copy.deepcopy(COMPLAINTS), "省转办") == 1  # another argument: computed
    assert f.COMPLAINT_COUNT(copy.deepcopy(COMPLAINTS), "省转办", "2026-10") == 1
    assert reads["n"] == 3


def test_one_changed_cell_is_a_new_content(reads):
    assert f.COMPLAINT_COUNT(copy.deepcopy(COMPLAINTS), "自办") == 1
    changed = copy.deepcopy(COMPLAINTS)
    changed[2][2] = "直接受理"  # 市局转办 -> 自办
    assert f.COMPLAINT_COUNT(changed, "自办") == 2
    assert f.COMPLAINT_COUNT(copy.deepcopy(COMPLAINTS), "自办") == 1
    assert reads["n"] == 3 - 1  # the original content was remembered


def test_true_is_not_taken_for_one(reads):
    """TRUE equals 1.0 in Python, but in a ledger it is no amount: no shared answer."""
    table = [["学校", "日期", "应退", "实退金额"], ["一中", datetime(2026, 10, 1), 5.0, 1.0]]
    assert f.REFUND_TOTAL(copy.deepcopy(table)) == 1.0
    table[1][3] = True
    assert f.REFUND_TOTAL(copy.deepcopy(table)) == 0.0
    assert reads["n"] == 2


def test_an_answer_in_memory_is_not_shared_by_reference(reads):
    table = [["信访编号", "受理日期", "信访来源", "状态"], [1.0, datetime(2026, 10, 1), "区转办", "在办"]]
    first = f.LEDGER_CHECK(copy.deepcopy(table), "2026-10-31")
    assert first == [["C2", "错误", "“区转办”不是规定的来源，应为：省转办、市转办、自办"]]
    first[0][2] = "changed by the caller"
    assert f.LEDGER_CHECK(copy.deepcopy(table), "2026-10-31")[0][2] != "changed by the caller"
    assert reads["n"] == 1


def test_an_edited_office_configuration_takes_effect(reads, tmp_path, monkeypatch):
    table = [["编号", "收件日期", "线索来源", "状态"], [1.0, datetime(2026, 10, 1), "省转办", "在办"]]
    assert f.COMPLAINT_COUNT(copy.deepcopy(table), "省转办") == 0  # 线索来源 is no header of the defaults
    conf = tmp_path / "taizhang.toml"
    conf.write_text('[columns.complaints.synonyms]\n"来源" = ["线索来源"]\n', encoding="utf-8")
    monkeypatch.setenv("TAIZHANG_CONFIG", str(conf))
    assert f.COMPLAINT_COUNT(copy.deepcopy(table), "省转办") == 1
    assert f.COMPLAINT_COUNT(copy.deepcopy(table), "省转办") == 1
    before = reads["n"]
    conf.write_text('[columns.complaints.synonyms]\n"来源" = ["线索来源"]\n\n[settings]\nbureau = "某县"\n',
                    encoding="utf-8")
    assert f.COMPLAINT_COUNT(copy.deepcopy(table), "省转办") == 1
    assert reads["n"] == before + 1  # a new configuration, so computed again
