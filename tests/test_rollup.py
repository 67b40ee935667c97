"""Roll-up (issue 27): a city's master from its counties' masters, a province's from its cities'.

Each county's master is made here by the real consolidation of its units' workbooks (written
with ``tests/fixtures.py``); the city's figures are held to those of one consolidation of all
the counties' units together.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from datetime import date
from pathlib import Path
from urllib.parse import unquote

import openpyxl
import pytest

from fixtures import write_xlsx
from taizhang.cli import main
from taizhang.config import default_config
from taizhang.consolidation.run import consolidate
from taizhang.usecases.consolidate import consolidate as consolidate_usecase
from taizhang.usecases.requests import ConsolidateRequest

PERIOD = "2026-10"
#: county -> its units; every unit's file is named after it
COUNTIES = {"东城县": ["东城一中", "东城实验小学"], "西城区": ["西城中学", "西城幼儿园"], "南山县": ["南山中学"]}
#: the city's roster: 东城县 known by its bureau's name too; 南山县's master is matched by its file name
CITY_ROSTER = [["单位", "别名"], ["东城县", "东城县教育局"], ["西城区", "西城区教育局"], ["南山县", ""]]
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫"

COMPLAINTS = ["编号", "收件日期", "来源", "方式", "类别", "反映人", "联系电话", "办理状态", "办结日期", "核查结论"]
REFUNDS = ["序号", "学校", "收费项目", "查实日期", "违规金额", "应退金额", "已退金额", "上缴金额"]
SANCTIONS = ["序号", "姓名", "单位", "职务", "问题类型", "处分类别", "处理方式", "处理日期"]
RECTIFICATION = ["序号", "问题来源", "发现日期", "问题描述", "责任单位", "整改时限", "整改状态", "完成时间"]
ACTIVITIES = ["序号", "日期", "活动类别", "活动内容", "次数", "参与人次", "成果数量", "计量单位"]


def complainant(i: int, n: int) -> str:
    """A complainant's name, unique to its unit and row (never to be found in a master)."""
    return f"{SURNAMES[i % len(SURNAMES)]}举报{'甲乙丙丁戊'[n]}{'子丑寅卯辰巳午未申酉'[i % 10]}"


def unit_workbook(folder: Path, unit: str, i: int, *, drop_last: bool = False) -> Path:
    """A unit's October workbook with all five ledgers, a row of September among them, and
    (in every third unit) a row with an error its check flags."""
    complaints = [
        [1, date(2026, 10, 3 + i), "省转办", "来信", "违规收费", complainant(i, 0), "13812345678", "办结",
         date(2026, 10, 20), "属实"],
        [2, date(2026, 10, 9), "市转办", "来访", "有偿补课", complainant(i, 1), "13900001111", "在办", None, None],
        [3, date(2026, 9, 28), "自办", "网络", "师德师风", complainant(i, 2), None, "在办", None, None],
    ]
    if i % 3 == 0:
        complaints.append([4, date(2026, 10, 12), "区转办", "来信", "其他", complainant(i, 3), None, "在办", None, None])
    if drop_last:
        complaints = complaints[:-1]
    sheets = {
        "信访举报台账": [[f"填报单位：{unit}"], COMPLAINTS, *complaints],
        "退费台账": [["退费台账"], REFUNDS,
                 [1, unit, "有偿补课", date(2026, 10, 10), f"{1 + i}.5万元", 15000 + i * 100, "12,000.50", 0],
                 [2, unit, "教辅材料", date(2026, 10, 18), 880.25, 880.25, 880.25, None]],
        "处分台账": [["处分台账"], SANCTIONS,
                 [1, f"{SURNAMES[i]}某", unit, "教师", "违规收费", "党纪处分", "警告", date(2026, 10, 15)],
                 [2, f"{SURNAMES[i + 1]}某某", unit, "副校长", "有偿补课", "组织处理", "诫勉", date(2026, 10, 16)]],
        "整改台账": [["整改台账"], RECTIFICATION,
                 [1, "巡察反馈", date(2026, 10, 2), "食堂账目不清", unit, date(2026, 10, 30), "已完成", date(2026, 10, 25)],
                 [2, "专项检查", date(2026, 9, 12), "教辅征订不规范", unit, date(2026, 9, 30), "整改中", None]],
        "工作开展台账": [["工作开展台账"], ACTIVITIES,
                   [1, date(2026, 10, 9), "专题学习", "学习条例", 2, 40 + i, 12, "篇"],
                   [2, date(2026, 10, 21), "警示教育大会", "观看警示片", 1, 120, None, None]],
    }
    return write_xlsx(folder / f"{unit}_10月台账.xlsx", sheets)


def roster(path: Path, units: list[str]) -> Path:
    return write_xlsx(path, {"单位名册": [["单位", "别名"], *([u, ""] for u in units)]})


def index_of(unit: str) -> int:
    return [u for units in COUNTIES.values() for u in units].index(unit)


def county_master(root: Path, county: str, **kw) -> Path:
    """The county's October master, by the real consolidation of its units' workbooks."""
    inbox = root / "inboxes" / county
    inbox.mkdir(parents=True, exist_ok=True)
    for unit in COUNTIES[county]:
        unit_workbook(inbox, unit, index_of(unit), **kw.get(unit, {}))
    out = root / "counties" / f"{county}主表.xlsx"
    out.parent.mkdir(exist_ok=True)
    consolidate(inbox, PERIOD, out, config=default_config(), roster_path=roster(root / f"{county}名册.xlsx",
                COUNTIES[county]), jobs=1, bureau=f"{county}教育局" if county != "南山县" else None)
    return out


@pytest.fixture(scope="module")
def land(tmp_path_factory):
    """The counties' masters, the city's roster, and the direct consolidation of all units."""
    root = tmp_path_factory.mktemp("rollup")
    for county in COUNTIES:
        county_master(root, county)
    everyone = root / "all"
    everyone.mkdir()
    for county in COUNTIES:
        for unit in COUNTIES[county]:
            unit_workbook(everyone, unit, index_of(unit))
    units = [u for us in COUNTIES.values() for u in us]
    direct = consolidate(everyone, PERIOD, root / "direct.xlsx", config=default_config(),
                         roster_path=roster(root / "all名册.xlsx", units), jobs=1, bureau="市教育局")
    city_roster = write_xlsx(root / "县区名册.xlsx", {"县区名册": CITY_ROSTER})
    return root, city_roster, direct


def roll_up(folder: Path, master: Path, city_roster: Path, bureau: str = "市教育局"):
    return consolidate(folder, PERIOD, master, config=default_config(), roster_path=city_roster, jobs=1,
                       bureau=bureau, rollup=True)


def values(path: Path) -> dict[str, list[tuple]]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def detail(path: Path | dict, sheet: str = "信访举报合并") -> list[dict]:
    rows = (values(path) if isinstance(path, Path) else path)[sheet]
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def test_a_city_rolled_up_from_its_counties_has_the_figures_of_all_their_units(land, tmp_path):
    root, city_roster, direct = land
    city = tmp_path / "市主表.xlsx"
    result = roll_up(root / "counties", city, city_roster)
    assert result.rollup and result.exit_status == direct.exit_status == 1  # the flagged rows travel
    assert result.summary == direct.summary  # every figure, 本月 and 累计, of all five kinds
    assert result.units_reported == list(COUNTIES) and result.units_missing == []
    assert result.rows_written == direct.rows_written  # the schools' rows carried up
    assert {f.unit for f in result.files} == set(COUNTIES)
    # every row traces to county and unit: 县（区） beside 单位, the unit's own file, sheet and row
    book, direct_book = values(city), values(root / "direct.xlsx")
    for sheet in ("信访举报合并", "退费合并", "处分合并", "整改台账合并", "工作开展合并"):
        header = book[sheet][0]
        assert header[:3] == ("县（区）", "单位", "月份"), header
        rows = detail(book, sheet)
        assert rows and len(rows) == len(detail(direct_book, sheet))
        for row in rows:
            assert row["单位"] in COUNTIES[row["县（区）"]]
            assert row["来源文件"] == f"{row['单位']}_10月台账.xlsx" and row["原行号"] >= 3
    flagged = [r for r in detail(book) if r["检查结果"]]
    assert {r["单位"] for r in flagged} == {u for us in COUNTIES.values() for u in us if index_of(u) % 3 == 0}
    status = detail(book, "报送情况")
    assert [(s["单位"], s["报送情况"], s["文件"]) for s in status] == [
        (c, "已报送", f"{c}主表.xlsx") for c in COUNTIES]


def test_no_complainant_name_reaches_the_city_master(land, tmp_path):
    root, city_roster, _direct = land
    city = tmp_path / "市主表.xlsx"
    roll_up(root / "counties", city, city_roster)
    names = [complainant(index_of(u), n) for us in COUNTIES.values() for u in us for n in range(4)]
    raw = city.read_bytes()
    with zipfile.ZipFile(city) as zf:
        parts = [zf.read(n) for n in zf.namelist()]
    for name in names:
        encoded = name.encode("utf-8")
        assert encoded not in raw and not any(encoded in part for part in parts), name
    assert "13812345678".encode() not in raw and not any(b"13812345678" in p for p in parts)
    masked = {r["反映人"] for r in detail(city)}
    assert masked and all("*" in m for m in masked)


def test_a_second_roll_up_gives_the_same_master(land, tmp_path):
    root, city_roster, _direct = land
    city = tmp_path / "市主表.xlsx"
    first = roll_up(root / "counties", city, city_roster)
    before = values(city)
    second = roll_up(root / "counties", city, city_roster)
    assert values(city) == before
    assert second.as_json() | {"backup": None} == first.as_json() | {"backup": None}


@pytest.mark.slow
def test_a_county_sending_its_master_again_replaces_its_rows(land, tmp_path):
    root, city_roster, _direct = land
    folder = tmp_path / "counties"
    shutil.copytree(root / "counties", folder, ignore=shutil.ignore_patterns("*.sqlite", "*备份*"))
    city = tmp_path / "市主表.xlsx"
    roll_up(folder, city, city_roster)
    assert len([r for r in detail(city) if r["县（区）"] == "东城县"]) == 4 + 3
    # 东城县 consolidates again: 东城一中 corrected its ledger (its flagged row removed)
    again = tmp_path / "again"
    county_master(again, "东城县", 东城一中={"drop_last": True})
    shutil.copy(again / "counties" / "东城县主表.xlsx", folder / "东城县主表.xlsx")
    result = roll_up(folder, city, city_roster)
    rows = detail(city)
    assert len([r for r in rows if r["县（区）"] == "东城县"]) == 3 + 3
    assert len([r for r in rows if r["县（区）"] == "西城区"]) == 3 + 4  # untouched
    assert not [r for r in rows if r["单位"] == "东城一中" and r["检查结果"]]
    # the same as consolidating every unit with the corrected ledger directly
    everyone = tmp_path / "all"
    everyone.mkdir()
    for county, units in COUNTIES.items():
        for unit in units:
            unit_workbook(everyone, unit, index_of(unit), drop_last=unit == "东城一中")
    direct = consolidate(everyone, PERIOD, tmp_path / "direct.xlsx", config=default_config(), jobs=1,
                         roster_path=roster(tmp_path / "名册.xlsx", [u for us in COUNTIES.values() for u in us]),
                         bureau="市教育局")
    assert result.summary == direct.summary


def test_a_county_master_that_fails_its_own_checks_is_turned_back_with_the_reason(land, tmp_path):
    root, city_roster, _direct = land
    folder = tmp_path / "counties"
    shutil.copytree(root / "counties", folder, ignore=shutil.ignore_patterns("*.sqlite", "*备份*"))
    tampered = folder / "西城区主表.xlsx"
    wb = openpyxl.load_workbook(tampered)
    ws = wb["退费合并"]
    header = [c.value for c in ws[1]]
    column = header.index("查实日期") + 1
    line = next(r for r in range(2, ws.max_row + 1)  # a row the county's check found nothing in
                if ws.cell(row=r, column=header.index("检查结果") + 1).value is None)
    ws.cell(row=line, column=column).value = "十月某日"  # edited by hand after the county wrote it
    cell = ws.cell(row=line, column=column).coordinate
    wb.save(tampered)
    result = roll_up(folder, tmp_path / "市主表.xlsx", city_roster)
    refused = next(f for f in result.files if f.path.name == tampered.name)
    assert refused.status == "rejected" and refused.unit == "西城区"
    assert "西城区主表.xlsx" in refused.reason and "退费合并" in refused.reason and cell in refused.reason
    assert result.units_missing == ["西城区"] and result.exit_status == 1
    # a county's master without the month is stale: turned back too
    stale = tmp_path / "stale"
    stale.mkdir()
    shutil.copy(root / "counties" / "南山县主表.xlsx", stale / "南山县主表.xlsx")
    later = consolidate(stale, "2026-11", tmp_path / "市11月.xlsx", config=default_config(),
                        roster_path=city_roster, jobs=1, rollup=True)
    assert later.files[0].status == "rejected" and "2026-11" in later.files[0].reason


@pytest.mark.slow
def test_a_province_rolls_up_its_cities_the_same_way(land, tmp_path):
    root, city_roster, direct = land
    cities = tmp_path / "cities"
    cities.mkdir()
    for city, counties in (("北市", ["东城县", "西城区"]), ("南市", ["南山县"])):
        folder = tmp_path / city
        folder.mkdir()
        for county in counties:
            shutil.copy(root / "counties" / f"{county}主表.xlsx", folder)
        roll_up(folder, cities / f"{city}主表.xlsx", city_roster, bureau=f"{city}教育局")
    provinces = write_xlsx(tmp_path / "市名册.xlsx", {"名册": [["单位", "别名"], ["北市", ""], ["南市", ""]]})
    province = tmp_path / "省主表.xlsx"
    result = roll_up(cities, province, provinces, bureau="市教育局")
    assert result.summary == direct.summary
    assert result.units_reported == ["北市", "南市"]
    header = values(province)["信访举报合并"][0]
    assert header[:4] == ("市（州）", "县（区）", "单位", "月份")
    assert {(r["市（州）"], r["县（区）"]) for r in detail(province)} == {
        ("北市", "东城县"), ("北市", "西城区"), ("南市", "南山县")}
    # a county's master among the cities' is of another level: turned back
    shutil.copy(root / "counties" / "南山县主表.xlsx", cities / "南山县主表.xlsx")
    mixed = roll_up(cities, tmp_path / "省主表2.xlsx", provinces)
    odd = next(f for f in mixed.files if f.path.name == "南山县主表.xlsx")
    assert odd.status == "rejected" and "县级主表" in odd.reason


def test_the_command_line_rolls_up_with_the_consolidation_json(land, tmp_path, capsys):
    root, city_roster, direct = land
    city = tmp_path / "市主表.xlsx"
    code = main(["consolidate", str(root / "counties"), "--rollup", "--period", "2026年10月", "--master", str(city),
                 "--roster", str(city_roster), "--bureau", "市教育局", "--json", "--jobs", "1"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1
    assert set(direct.as_json()) <= set(out) and out["rollup"] is True
    assert out["units_reported"] == list(COUNTIES) and out["summary"] == direct.as_json()["summary"]
    # a folder holding only masters is rolled up without --rollup, and the user is told so
    outcome = consolidate_usecase(ConsolidateRequest(folder=str(root / "counties"), period=PERIOD,
                                                     master=str(tmp_path / "自动.xlsx"), roster=str(city_roster)))
    assert outcome.data["rollup"] is True and outcome.data["units_reported"] == list(COUNTIES)
    assert any("逐级汇总" in m for m in outcome.messages)
    # a folder of units' workbooks is consolidated as ever
    plain = consolidate_usecase(ConsolidateRequest(folder=str(root / "all"), period=PERIOD,
                                                   master=str(tmp_path / "局.xlsx"),
                                                   roster=str(root / "all名册.xlsx")))
    assert plain.data["rollup"] is False and plain.data["rows_written"] == direct.rows_written


@pytest.mark.slow
def test_the_ribbon_rolls_up_a_folder_of_masters_into_this_workbook_and_says_so(land, tmp_path):
    from macros.openpyxl_port import OpenpyxlWorkbook
    from macros.ribbon import run

    root, _city_roster, direct = land
    city = write_xlsx(tmp_path / "市局主表.xlsx", {"单位名册": CITY_ROSTER})
    port = OpenpyxlWorkbook(city, folder=root / "counties")
    run("tz_settings", port)
    port.book["台账设置"]["B2"] = "市教育局"
    port.book["台账设置"]["B3"] = date(2026, 10, 31)
    port.save()
    port.reload()
    message = run("tz_consolidate", port)
    assert message.startswith("2026-10 逐级汇总完成：已报送 3 个县（区），未报送 0 个"), message
    assert "各县（区）报送的合并主表" in message
    assert values(city)["信访举报合并"][0][:2] == ("县（区）", "单位")
    assert len(detail(city, "退费合并")) == len(detail(root / "direct.xlsx", "退费合并"))


@pytest.mark.slow
def test_the_local_service_rolls_up_and_tells_the_page(land, tmp_path):
    from servehelp import start_service

    root, city_roster, direct = land
    service = start_service(tmp_path / "serve")
    try:
        folder = service.allowed / "各县主表"
        shutil.copytree(root / "counties", folder, ignore=shutil.ignore_patterns("*.sqlite", "*备份*"))
        shutil.copy(city_roster, service.allowed / "县区名册.xlsx")
        status, headers, body = service.post("consolidate", {
            "folder": str(folder), "period": PERIOD, "master": str(service.allowed / "市主表.xlsx"),
            "roster": str(service.allowed / "县区名册.xlsx"), "bureau": "市教育局"})
        assert status == 200 and int(headers["x-taizhang-exit"]) == 1
        assert body["rollup"] is True and body["units_reported"] == list(COUNTIES)
        assert body["summary"] == direct.as_json()["summary"]
        assert "逐级汇总" in json.loads(unquote(headers["x-taizhang-messages"]))[0]
    finally:
        service.stop()


def test_a_master_of_one_level_is_never_written_by_a_run_of_another(land, tmp_path):
    from taizhang.consolidation.outcomes import ConsolidationError

    root, city_roster, _direct = land
    city = tmp_path / "市主表.xlsx"
    roll_up(root / "counties", city, city_roster)
    before = city.read_bytes()
    units = [u for us in COUNTIES.values() for u in us]
    with pytest.raises(ConsolidationError) as refused:  # the schools' month into the city's master
        consolidate(root / "all", PERIOD, city, config=default_config(), jobs=1,
                    roster_path=roster(tmp_path / "名册.xlsx", units))
    assert "市级主表" in str(refused.value) and city.read_bytes() == before
