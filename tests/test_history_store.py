"""A year of history through the store: the master a month's run writes from the store (and the
figures it merges from each unit's month) is the master and the figures a recomputation from
scratch gives; a store that is missing, stale or damaged is rebuilt from the master, with a note,
and nothing is lost."""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest

from fixtures import write_xlsx
from taizhang.config import default_config
from taizhang.consolidation.master import read_tables
from taizhang.consolidation.run import consolidate, master_rows
from taizhang.consolidation.store import store_path
from taizhang.figures import Period, compute, report_json

YEAR = 2024  # a year long past wherever the tests run: no row is judged to lie in the future
ROSTER = [["单位", "别名"], ["县第一中学", "县一中"], ["县第二中学", "二中"], ["东关小学", "东关"], ["城关小学", ""]]
UNITS = {"县第一中学": "县一中", "县第二中学": "二中", "东关小学": "东关", "城关小学": "城关小学"}

HEADERS = {
    "信访举报台账": ["编号", "收件日期", "来源", "方式", "类别", "反映人", "联系电话", "处置方式", "办理状态",
                "办结日期", "核查结论", "来访人次"],
    "退费台账": ["序号", "学校", "收费项目", "查实日期", "涉及学生数", "应退金额", "已退金额", "上缴金额"],
    "处分台账": ["序号", "姓名", "单位", "问题类型", "处分类别", "处理方式", "处理日期"],
    "整改台账": ["序号", "问题来源", "发现日期", "问题描述", "责任单位", "整改时限", "整改状态", "完成时间"],
    "工作开展台账": ["序号", "日期", "活动类别", "活动内容", "次数", "参与人次", "成果数量", "计量单位"],
}


def _day(rnd: random.Random, month: int, year: int) -> date:
    return date(year, month, 1) + timedelta(days=rnd.randrange(28))


def _rows(sheet: str, unit: str, month: int, rnd: random.Random, n: int, year: int = YEAR) -> list[list]:
    out = []
    for i in range(1, n + 1):
        # now and then a row without its date, or dated in an earlier month (a late entry)
        when = None if rnd.random() < 0.15 else _day(rnd, max(1, month - (rnd.random() < 0.2)), year)
        if sheet == "信访举报台账":
            channel = rnd.choice(["来信", "来访", "来电", "网络"])
            closed = rnd.random() < 0.6
            out.append([i, when, rnd.choice(["省转办", "市转办", "自办", "区转办", "直接受理"]), channel,
                        rnd.choice(["违规收费", "有偿补课", "师德师风", "食堂管理"]), f"举报人{i}", f"1390000{i:04d}",
                        rnd.choice(["谈话函询", "初步核实", "予以了结", None]), "办结" if closed else "在办",
                        when + timedelta(days=3) if closed and when else None,
                        rnd.choice(["属实", "部分属实", "不属实", None]),
                        rnd.choice([None, 2, 5]) if channel == "来访" else None])
        elif sheet == "退费台账":
            due = rnd.choice(["4.5万元", "1,200.50", 880, "300元"])
            out.append([i, rnd.choice([f"{unit}", "实验小学", "城南中学"]),
                        rnd.choice(["有偿补课", "教辅材料", "资料费"]), when, rnd.choice([3, 12, None]), due,
                        due if rnd.random() < 0.7 else 100, rnd.choice([None, 0])])
        elif sheet == "处分台账":
            out.append([i, rnd.choice(["张某", "李某", "王某"]), unit, rnd.choice(["违规收费", "违规招生", "有偿补课"]),
                        rnd.choice(["党纪处分", "政务处分", "组织处理", None]),
                        rnd.choice(["警告", "诫勉", "记过", "严重警告", "批评教育"]), when])
        elif sheet == "整改台账":
            done = rnd.random() < 0.5
            deadline = date(year, rnd.randrange(1, 7), 28)
            out.append([i, rnd.choice(["巡察反馈", "审计", "自查", "上级交办"]), when, f"问题{i}",
                        rnd.choice([unit, "后勤处", "教务处"]), deadline,
                        rnd.choice(["已完成", "已销号"]) if done else rnd.choice(["整改中", "未启动"]),
                        (when or date(year, month, 1)) + timedelta(days=rnd.randrange(60)) if done else None])
        else:
            out.append([i, when, rnd.choice(["专题学习", "廉政讲座", "警示教育大会", "宣传信息"]), f"活动{i}",
                        rnd.choice([None, 1, 2]), rnd.choice([None, 30, 120]), rnd.choice([None, 2, 5]),
                        rnd.choice(["篇", "条", None])])
    return out


def _month_folder(root: Path, month: int, units: list[str], seed: str = "", year: int = YEAR) -> Path:
    folder = root / f"{year}-{month:02d}{seed}"
    folder.mkdir(parents=True)
    for unit in units:
        rnd = random.Random(f"{unit}-{month}-{seed}")
        sheets = {s: [[f"填报单位：{UNITS[unit]}"], header, *_rows(s, unit, month, rnd, rnd.randrange(3, 9), year)]
                  for s, header in HEADERS.items()}
        path = write_xlsx(folder / f"{UNITS[unit]}{month}月台账{seed}.xlsx", sheets)
        os.utime(path, (1_700_000_000 + month, 1_700_000_000 + month))  # the same file time wherever made
    return folder


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    """Four months of four units: a unit missing in March, a unit's corrected February sent in
    April before April itself."""
    root = tmp_path_factory.mktemp("history")
    roster = write_xlsx(root / "名册.xlsx", {"单位名册": ROSTER})
    everyone = list(UNITS)
    runs = [(_month_folder(root, 1, everyone), 1), (_month_folder(root, 2, everyone), 2),
            (_month_folder(root, 3, everyone[:3]), 3),
            (_month_folder(root, 2, ["县第二中学"], seed="更正"), 2), (_month_folder(root, 4, everyone), 4)]
    return root, roster, runs


def _run(folder: Path, month: int, master: Path, roster: Path, year: int = YEAR):
    return consolidate(folder, f"{year}-{month:02d}", master, config=default_config(), roster_path=roster, jobs=1)


def cells(master: Path) -> dict[str, list[tuple]]:
    """Every sheet's cell values, as openpyxl reads them back."""
    wb = openpyxl.load_workbook(master)
    return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def from_scratch(master: Path, month: int, year: int = YEAR) -> dict:
    """The figures of ``month`` recomputed from every row of the master, as the summary computes
    them: the master's sheets read back and parsed again, the figures counted from all rows."""
    config = default_config()
    rows = master_rows(read_tables(master, config), config)
    period = Period.parse(f"{year}-{month:02d}")
    return report_json(compute(rows, period, period.end, config))


def _same_json(a: dict, b: dict) -> None:
    # the same figures, and every tally in the same order
    assert json.dumps(a, ensure_ascii=False) == json.dumps(b, ensure_ascii=False)


@pytest.mark.slow
def test_the_fast_path_writes_what_a_recomputation_from_scratch_writes(year, tmp_path):
    _root, roster, runs = year
    fast, slow = tmp_path / "fast" / "局主表.xlsx", tmp_path / "slow" / "局主表.xlsx"
    fast.parent.mkdir()
    slow.parent.mkdir()
    for folder, month in runs:
        result = _run(folder, month, fast, roster)
        assert not result.notices  # the store was used: nothing rebuilt
        store_path(slow).unlink(missing_ok=True)  # every run of this master rebuilds from it
        rebuilt = _run(folder, month, slow, roster)
        if month != 1:
            assert any("重建" in n for n in rebuilt.notices)
        assert cells(fast) == cells(slow)  # every sheet: detail, 报送情况, 问题清单, 汇总表 with 累计, roster
        _same_json(result.summary, rebuilt.summary)
        _same_json(result.summary, from_scratch(fast, month))

    summary = result.summary
    ytd = summary["year_to_date"]
    # 累计 counts what the detail holds: every complaint dated January to April
    detail = cells(fast)["信访举报合并"]
    dated = [r for r in detail[1:] if r[detail[0].index("收件日期")] is not None]
    assert ytd["complaints"]["total"] == len(dated) > summary["complaints"]["total"] > 0
    assert ytd["complaints"]["undated"] == len(detail) - 1 - len(dated) > 0
    # a person sanctioned in several months (and units) is counted once per unit and name
    sanctions = cells(fast)["处分合并"]
    people = {(r[sanctions[0].index("姓名")], r[sanctions[0].index("所在单位")]) for r in sanctions[1:]}
    assert ytd["sanctions"]["persons"] == len(people) < ytd["sanctions"]["person_times"]
    # the corrected February replaced 县第二中学's February rows, and only those
    assert not any(r[0] == "城关小学" and "3月" in r[2] for r in detail[1:])  # it sent no March
    files = {r[2] for r in detail[1:] if r[:2] == ("县第二中学", f"{YEAR}-02")}
    assert files == {"二中2月台账更正.xlsx"}


def _damage(how: str, master: Path) -> None:
    path = store_path(master)
    if how == "missing":
        path.unlink()
    elif how == "saved-again":  # the clerk opens the master in a spreadsheet and saves it
        wb = openpyxl.load_workbook(master)
        wb.save(master)
    elif how == "not-a-database":
        path.write_bytes(b"\x00\xffnot a database at all" * 500)
    elif how == "malformed":  # the header and schema readable, every page after them garbage
        data = bytearray(path.read_bytes())
        page = int.from_bytes(data[16:18], "big")
        rnd = random.Random(16)
        for at in range(4 * page, len(data), page):
            data[at:at + page] = bytes(rnd.randrange(256) for _ in range(page))
        path.write_bytes(bytes(data))
    elif how == "pieces-and-parts":  # values SQLite cannot judge: caught by their checksums or by JSON
        db = sqlite3.connect(path)
        db.execute("UPDATE blocks SET piece = zeroblob(length(piece)) WHERE rowid % 2 = 0")
        db.execute("UPDATE parts SET part = '{\"total\": ' WHERE rowid % 3 = 0")
        db.execute("UPDATE running SET part = '[' WHERE rowid % 2 = 0")
        db.commit()
        db.close()
    else:
        raise AssertionError(how)


@pytest.mark.slow
@pytest.mark.parametrize("how", ["missing", "saved-again", "not-a-database", "malformed", "pieces-and-parts"])
def test_a_store_missing_stale_or_damaged_is_rebuilt_with_a_note_and_nothing_is_lost(year, tmp_path, how):
    _root, roster, runs = year
    kept, hurt = tmp_path / "kept" / "局主表.xlsx", tmp_path / "hurt" / "局主表.xlsx"
    kept.parent.mkdir()
    for folder, month in runs[:-1]:
        _run(folder, month, kept, roster)
    shutil.copytree(kept.parent, hurt.parent)
    last, month = runs[-1]
    expected = _run(last, month, kept, roster)  # the store as the runs left it

    _damage(how, hurt)
    result = _run(last, month, hurt, roster)
    assert cells(hurt) == cells(kept)  # every row of every month, every figure
    _same_json(result.summary, expected.summary)
    if how != "pieces-and-parts":  # a damaged piece or part is made again from its rows, quietly
        note = next(n for n in result.notices if "重建" in n)
        assert "合并数据" in note and "主表" in note
    # and the store is whole again: the next run uses it as it is
    again = _run(last, month, hurt, roster)
    assert not again.notices and cells(hurt) == cells(kept)


def test_the_store_merges_parts_as_the_figures_count_rows_whatever_the_blocks_hold(tmp_path):
    """Blocks whose rows fall in several months (a 月份 edited by hand), undated rows, a
    tracker's 累计, and a kind that has no parts: the store's figures are those of the rows."""
    from taizhang.config import Kind
    from taizhang.consolidation.store import Block, Store, config_key
    from taizhang.consolidation.typedrows import typed_values
    from taizhang.figures import figures
    from taizhang.kinds import definition
    from taizhang.kinds.base import KindDef
    from taizhang.kinds.complaints import Complaints
    from taizhang.model import ROW_MODELS, Origin, fields_of

    config = default_config()
    key = config_key(config)
    days = [date(YEAR, 1, 9), None, date(YEAR, 2, 3), date(YEAR, 3, 5), date(YEAR, 2, 20), None]
    blocks = {("县第一中学", f"{YEAR}-03"): days, ("东关小学", f"{YEAR}-02"): days[2:5], ("城关小学", f"{YEAR}-01"): days[:2]}
    store = Store.open(tmp_path / "局主表.xlsx", "test")
    rows_of: dict = {}
    try:
        for kind, field in (("complaints", "received_on"), ("rectification", "found_on")):
            model = ROW_MODELS[Kind(kind)]
            for (unit, month), when in blocks.items():
                values = [{field: d, "source": ["省转办", "巡察反馈", "自办", "审计"][i % 4], "unit": unit,
                           "status": "整改中", "deadline": date(YEAR, 2, 1)} for i, d in enumerate(when)]
                rows = [model(origin=Origin(file=f"{unit}.xlsx", sheet="表", row=i + 3),
                              **{k: v for k, v in given.items() if k in fields_of(model)})  # its fields only
                        for i, given in enumerate(values)]
                rows_of.setdefault(kind, []).extend(rows)
                store.put(Block(kind, unit, month, [[1]] * len(rows)), Kind(kind), [typed_values(r, ()) for r in rows])
        rank = {u: i for i, u in enumerate(UNITS)}
        master_order = sorted(blocks, key=lambda b: (rank[b[0]], b[1]))

        def in_order(kind):  # the rows as the master lists them
            return [r for b in master_order for r in store.block_rows(Kind(kind), *b)]

        as_of = date(YEAR, 2, 29)
        no_parts = type("NoParts", (Complaints,), {"parts": KindDef.parts})()  # as a kind without parts
        assert not no_parts.has_parts() and definition("complaints").has_parts()
        month = Period.parse(f"{YEAR}-02")
        for d in (definition("complaints"), no_parts, definition("rectification")):
            kind = str(d.kind)
            tracker = d.ytd_is_tracker
            for first, period in ((f"{YEAR}-02", month), ("" if tracker else f"{YEAR}-01", month.year_to_date())):
                got = store.figures(d, first, f"{YEAR}-02", tracker=tracker and period is not month, config=config,
                                    key=key, as_of=as_of, rank=rank)
                want = figures({Kind(kind): in_order(kind)}, period, as_of, config)[0].of(kind)
                assert repr(got) == repr(want), (kind, period)
        assert len(rows_of["complaints"]) == len(in_order("complaints")) == 11
    finally:
        store.close()


@pytest.mark.slow
def test_a_store_of_the_former_version_is_rebuilt_as_such_not_taken_for_damage(year, tmp_path, caplog):
    """A store written before the parts and the pieces' checksums (version 1) is rebuilt
    because of its version: its tables are made again, and nothing is reported damaged."""
    _root, roster, runs = year
    master = tmp_path / "局主表.xlsx"
    for folder, month in runs[:2]:
        _run(folder, month, master, roster)
    db = sqlite3.connect(store_path(master))
    db.execute("ALTER TABLE blocks DROP COLUMN pcrc")
    db.execute("DROP TABLE parts")
    db.execute("UPDATE meta SET value = '1' WHERE key = 'version'")
    db.commit()
    db.close()
    result = _run(*runs[2], master, roster)
    assert [n for n in result.notices if "重建" in n] == [
        "合并数据文件 局主表.合并数据.sqlite 由另一版本的 taizhang 写成：已按主表重建，主表的内容完整无缺，只是这一次合并较慢"]
    assert "损坏" not in caplog.text
    assert not _run(*runs[2], master, roster).notices


def test_each_units_year_so_far_is_kept_merged_and_merged_again_only_when_a_month_changes(tmp_path):
    """累计 keeps each unit's parts merged into one: next month merges that one with the new
    month; a month sent again (its parts new) has the unit's months merged again.  Every time
    the figures are those of the rows."""
    from taizhang.config import Kind
    from taizhang.consolidation.store import Block, Store, config_key
    from taizhang.consolidation.typedrows import typed_values
    from taizhang.figures import figures
    from taizhang.kinds import definition
    from taizhang.model import ROW_MODELS, Origin

    config, kind = default_config(), Kind("sanctions")
    key, model, rank = config_key(config), ROW_MODELS[kind], {u: i for i, u in enumerate(UNITS)}
    d = definition(kind)
    merged_from: list[int] = []
    real_merge = d.merge_parts

    class Spy(type(d)):
        def merge_parts(self, parts, config):
            merged_from.append(len(parts))
            return real_merge(parts, config)

    spy = Spy()
    store = Store.open(tmp_path / "局主表.xlsx", "test")

    def put(unit: str, month: int, names: list[str]) -> None:
        rows = [model(origin=Origin(file=f"{unit}{month}.xlsx", sheet="处分台账", row=i + 3),
                                      name=n, unit=unit, cause="违规收费", measure=["警告", "诫勉"][i % 2],
                                      decided_on=date(YEAR, month, 10)) for i, n in enumerate(names)]
        store.put(Block("处分合并", unit, f"{YEAR}-{month:02d}", [[1]] * len(rows)), kind,
                  [typed_values(r, ()) for r in rows])

    def check(month: int) -> None:
        period = Period.parse(f"{YEAR}-{month:02d}").year_to_date()
        got = store.figures(spy, f"{YEAR}-01", f"{YEAR}-{month:02d}", tracker=False, config=config, key=key,
                            as_of=period.end, rank=rank, running=True)
        rows = [r for u in UNITS for m in range(1, 13) for r in store.block_rows(kind, u, f"{YEAR}-{m:02d}")]
        assert repr(got) == repr(figures({kind: rows}, period, period.end, config)[0].of(kind))

    try:
        for month, names in ((1, ["张某", "李某"]), (2, ["张某", "王某"]), (3, ["赵某"])):
            for unit in ("县第一中学", "东关小学"):
                put(unit, month, names)
            merged_from.clear()
            check(month)
        assert merged_from == [2, 2]  # March: each unit's January-February, kept, and March
        put("东关小学", 2, ["钱某"])  # 东关小学 sends February again
        merged_from.clear()
        check(3)
        assert merged_from == [3]  # its three months merged anew; 县第一中学's year is kept as it was
        merged_from.clear()
        check(3)
        assert merged_from == []  # nothing new: both years so far as kept
    finally:
        store.close()


@pytest.mark.slow
def test_across_the_new_year_the_fast_path_still_writes_what_a_recomputation_writes(tmp_path):
    """January's 累计 starts again, a tracker's 累计 (整改) goes on over the years: both as counted
    from the master's rows, month after month, store kept or rebuilt every time."""
    roster = write_xlsx(tmp_path / "名册.xlsx", {"单位名册": ROSTER})
    everyone = list(UNITS)
    runs = [(_month_folder(tmp_path, m, everyone, year=y), m, y) for y, m in ((YEAR - 1, 11), (YEAR - 1, 12),
                                                                           (YEAR, 1), (YEAR, 2))]
    fast, slow = tmp_path / "fast" / "局主表.xlsx", tmp_path / "slow" / "局主表.xlsx"
    fast.parent.mkdir()
    slow.parent.mkdir()
    for folder, month, year in runs:
        result = _run(folder, month, fast, roster, year)
        store_path(slow).unlink(missing_ok=True)
        rebuilt = _run(folder, month, slow, roster, year)
        assert cells(fast) == cells(slow)
        _same_json(result.summary, rebuilt.summary)
        _same_json(result.summary, from_scratch(fast, month, year))
    ytd = result.summary["year_to_date"]
    items = cells(fast)["整改台账合并"]
    last_year = [r for r in items[1:] if r[1].startswith(f"{YEAR - 1}-")]
    assert ytd["rectification"]["total"] == len(items) - 1 > len(items) - 1 - len(last_year)  # last year's too
    detail = cells(fast)["信访举报合并"]
    this_year = [r for r in detail[1:] if (r[detail[0].index("收件日期")] or date.min).year == YEAR]
    assert ytd["complaints"]["total"] == len(this_year)
