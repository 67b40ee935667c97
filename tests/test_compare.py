"""``summary --compare`` / ``report --compare``: the period before and the same period a year
earlier, in the JSON, the 汇总表's compared columns, the paragraph and the Word report, counted
from the same files (each against a separate ``summary --period`` of that period)."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import docx
import openpyxl
import pytest

from fixtures import AS_OF, write_xlsx
from taizhang.cli import main
from test_summary_sheet import UNIT

ARGS = ["--as-of", AS_OF.isoformat()]
#: The figures of one period as the top level of ``summary --json`` has them.
FIGURE_KEYS = {"period", "as_of", "complaints", "refunds", "sanctions", "rectification", "activities", "narrative"}

#: UNIT with more of September 2026 and some of October 2025 (for 同比).
LEDGER = {name: [list(r) for r in rows] for name, rows in UNIT.items()}
LEDGER["信访举报台账"] += [
    [4, "2026-09-12", "市转办", "来信", "某甲", None, "办结", "2026-09-20", "某乙"],
    [5, "2025-10-12", "省转办", "来信", "某丙", None, "办结", "2025-10-20", "某丁"],
    [6, "2025-10-13", "自办", "来电", "某戊", None, "办结", "2025-10-21", "某己"],
    [7, "2025-10-14", "自办", "来电", "某庚", None, "在办", None, "某辛"],
]
LEDGER["退费台账"] += [["县一中", "资料费", "2025-10-11", 800, 800]]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def summary_json(capsys, path: Path, *more: str) -> dict:
    code, out, _err = run(capsys, "summary", str(path), *ARGS, "--json", *more)
    assert code == 0, _err
    return json.loads(out)


@pytest.fixture
def unit(tmp_path) -> Path:
    return write_xlsx(tmp_path / "县一中.xlsx", LEDGER)


@pytest.mark.parametrize("written", [False, True], ids=["figures-from-parts", "figures-from-rows"])
def test_json_compare_is_the_separate_summary_of_each_period(tmp_path, unit, capsys, written):
    more = ["-o", str(tmp_path / "汇总.xlsx")] if written else []
    data = summary_json(capsys, unit, "--period", "2026-10", "--compare", *more)
    previous = summary_json(capsys, unit, "--period", "2026-09")
    year_earlier = summary_json(capsys, unit, "--period", "2025-10")
    compare = data["compare"]
    for key, alone in (("previous_period", previous), ("same_period_last_year", year_earlier)):
        got = compare[key]
        assert set(got) == FIGURE_KEYS | {"year_to_date"} == {k for k in data if k in got}
        assert got == {k: alone[k] for k in got}
    assert (compare["previous_period"]["period"], compare["same_period_last_year"]["period"]) == ("2026-09", "2025-10")
    assert compare["previous_period"]["complaints"]["total"] == 2  # the data really differ
    assert compare["same_period_last_year"]["complaints"]["total"] == 3


def test_a_year_compares_with_the_year_before_and_has_no_year_to_date(unit, capsys):
    data = summary_json(capsys, unit, "--period", "2026", "--compare")
    before = summary_json(capsys, unit, "--period", "2025")
    for key in ("previous_period", "same_period_last_year"):
        assert set(data["compare"][key]) == FIGURE_KEYS == {k for k in data if k in FIGURE_KEYS | {"year_to_date"}}
        assert data["compare"][key] == {k: before[k] for k in FIGURE_KEYS}
    # the year before said once (同比 would say the same)
    n = data["complaints"]["total"] - before["complaints"]["total"]
    assert f"受理信访举报较上年增加{n}件" in data["narrative"] and "同比" not in data["narrative"]



@pytest.mark.parametrize("period, heads", [
    ("2026-10", ["本月", "累计（2026年1—10月）", "上月（2026年9月）", "去年同期（2025年10月）"]),
    ("2026", ["2026年", "上年（2025年）"]),
])
def test_the_terminal_table_has_the_compared_columns(unit, capsys, period, heads):
    """``summary --compare`` on the terminal: the period before and a year earlier beside the
    period, each column the figures of that period's own summary."""
    data = summary_json(capsys, unit, "--period", period, "--compare")
    code, out, _err = run(capsys, "summary", str(unit), *ARGS, "--period", period, "--compare")
    lines = out.splitlines()
    head = next(line for line in lines if "项目" in line)
    assert [h.strip() for h in head.strip("┃ ").split("┃")][1:] == heads
    blocks = [data, *([data["year_to_date"]] if "year_to_date" in data else []), data["compare"]["previous_period"]]
    if len(heads) > len(blocks):
        blocks.append(data["compare"]["same_period_last_year"])
    for label, value in (("信访举报（件）", lambda b: str(b["complaints"]["total"])),
                         ("已退金额（元）", lambda b: f"{Decimal(b['refunds']['refunded']):,.2f}")):
        row = next(line for line in lines if label in line)
        cells = [c.strip() for c in row.strip("│ ").split("│")][1:]
        assert cells == [value(b) for b in blocks] and len(set(cells)) > 1  # the columns really differ

def test_everything_has_nothing_to_compare_with(tmp_path, unit, capsys):
    data = summary_json(capsys, unit, "--period", "all", "--compare", "-o", str(tmp_path / "汇总.xlsx"))
    assert data["compare"]["previous_period"] is None and data["compare"]["same_period_last_year"] is None
    assert data["narrative"] == summary_json(capsys, unit, "--period", "all")["narrative"]
    ws = openpyxl.load_workbook(tmp_path / "汇总.xlsx")["汇总表"]
    assert "增减" not in str([c.value for r in ws.iter_rows() for c in r])  # no columns of nothing


def _change(now: int, before: int, unit: str, word: str) -> str:
    """What the paragraph should say, worked out here from two separate summaries' numbers."""
    change = now - before
    if not change:
        return "同比持平" if word == "同比" else f"与{word[1:]}持平"
    verb = "增加" if change > 0 else "减少"
    pct = f"（{Decimal(abs(change) * 100) / Decimal(before):.1f}%）" if before else ""
    return f"{word}{verb}{abs(change)}{unit}{pct}"


def test_the_paragraph_says_what_changed_with_the_numbers_of_the_separate_summaries(unit, capsys):
    data = summary_json(capsys, unit, "--period", "2026-10", "--compare")
    now = data["complaints"]["total"]
    before = summary_json(capsys, unit, "--period", "2026-09")
    earlier = summary_json(capsys, unit, "--period", "2025-10")
    sentence = ("受理信访举报" + _change(now, before["complaints"]["total"], "件", "较上月") + "，"
                + _change(now, earlier["complaints"]["total"], "件", "同比"))
    assert sentence in data["narrative"]
    assert sentence == "受理信访举报与上月持平，同比减少1件（33.3%）"  # the ledger's own numbers: 2, 2 and 3
    # refunds: none in September, so no percentage, said plainly
    cases = data["refunds"]["cases"]
    assert before["refunds"]["cases"] == 0 and cases > 0
    assert f"查实违规教育乱收费较上月增加{cases}件，" in data["narrative"]
    assert f"较上月增加{cases}件（" not in data["narrative"]
    plain = summary_json(capsys, unit, "--period", "2026-10")
    assert data["narrative"].startswith(plain["narrative"].split("截至")[0])  # the period's own words first
    assert data["compare"]["narrative"] in data["narrative"]


def test_no_data_before_no_sentence(tmp_path, capsys):
    only_october = {name: [r for r in rows if not any(str(c).startswith(("2026-09", "2026-03", "2025")) for c in r)]
                    for name, rows in LEDGER.items()}
    path = write_xlsx(tmp_path / "县二中.xlsx", only_october)
    out = tmp_path / "汇总.xlsx"
    data = summary_json(capsys, path, "--period", "2026-10", "--compare", "-o", str(out))
    assert data["compare"]["previous_period"]["complaints"]["total"] == 0  # the figures are there
    assert "较上月" not in data["narrative"] and "同比" not in data["narrative"] and data["compare"]["narrative"] == ""
    assert data["narrative"] == summary_json(capsys, path, "--period", "2026-10")["narrative"]
    ws = openpyxl.load_workbook(out)["汇总表"]
    assert "上期：2026年9月（无数据）" in ws["A2"].value and "上年同期：2025年10月（无数据）" in ws["A2"].value
    head = _header_row(ws)
    assert [ws.cell(head, c).value for c in (4, 5)] == ["较上月增减", "同比增减"]
    lines = [r for r in range(head + 1, ws.max_row + 1) if ws.cell(r, 2).value != "本月"]
    assert all(ws.cell(r, c).value is None for r in lines for c in (4, 5))
    assert any(isinstance(ws.cell(r, 2).value, int) and ws.cell(r, 2).value for r in lines)


def _header_row(ws, after: int = 0) -> int:
    return next(r for r in range(after + 1, ws.max_row + 1) if ws.cell(r, 2).value == "本月")


def _lines(ws, column: int = 2) -> dict[tuple[str, str], object]:
    """(block and section, label) -> the value in ``column``, for every line of every block."""
    out: dict[tuple[str, str], object] = {}
    block = section = ""
    for r in range(1, ws.max_row + 1):
        label, value = ws.cell(r, 1).value, ws.cell(r, 2).value
        if label is None:
            continue
        label = str(label).strip("　")
        if value == "本月":
            block, section = label, ""
        elif block and value is None and label.endswith("："):
            section = label
        elif block:
            out[(block + section, label)] = ws.cell(r, column).value
    return out


def test_the_summary_sheet_compared_columns_are_the_differences(tmp_path, unit, capsys):
    sheets = {}
    for name, period, more in (("now", "2026-10", ["--compare"]), ("before", "2026-09", []),
                               ("earlier", "2025-10", [])):
        out = tmp_path / f"{name}.xlsx"
        assert run(capsys, "summary", str(unit), "--period", period, *ARGS, "-o", str(out), *more)[0] == 0
        sheets[name] = openpyxl.load_workbook(out)["汇总表"]
    ws = sheets["now"]
    head = _header_row(ws)
    assert [ws.cell(head, c).value for c in (2, 4, 5)] == ["本月", "较上月增减", "同比增减"]
    assert "上期：2026年9月" in ws["A2"].value and "上年同期：2025年10月" in ws["A2"].value
    now = _lines(ws)
    assert now == _lines(sheets["now"], 2) and len(now) > 20
    checked = 0
    for column, other in ((4, _lines(sheets["before"])), (5, _lines(sheets["earlier"]))):
        got = _lines(ws, column)
        for key, value in now.items():
            if not isinstance(value, (int, float)) or key not in other:
                continue
            if other[key] is None:  # a rate of nothing: no difference
                assert got[key] is None, key
                continue
            expected = value - other[key]
            assert got[key] == pytest.approx(expected, abs=0.005), key
            checked += 1
    assert checked > 30
    assert _lines(ws, 4)[("一、信访举报", "受理信访举报总数")] == 0      # 2 and 2
    assert _lines(ws, 5)[("一、信访举报", "受理信访举报总数")] == -1     # 2 against 3
    refunded = [k for k in now if k[0].endswith("退费") and "已退金额" in k[1]][0]
    assert _lines(ws, 5)[refunded] == pytest.approx(float(now[refunded]) - 800)
    cell = next(ws.cell(r, 4) for r in range(head + 1, ws.max_row + 1) if ws.cell(r, 1).value == "受理信访举报总数")
    assert cell.number_format.startswith("+")  # a difference shows its sign
    # two columns more, and the page still fits its width at a legible scale
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.print_area.startswith("'汇总表'!$A$1:$L$")


def test_without_compare_the_outputs_are_as_before(tmp_path, unit, capsys):
    plain, compared = tmp_path / "plain.xlsx", tmp_path / "compared.xlsx"
    code, out, _ = run(capsys, "summary", str(unit), "--period", "2026-10", *ARGS, "--json", "-o", str(plain))
    data = json.loads(out)
    assert "compare" not in data and "较上月" not in data["narrative"]
    summary_json(capsys, unit, "--period", "2026-10", "--compare", "-o", str(compared))
    a, b = openpyxl.load_workbook(plain)["汇总表"], openpyxl.load_workbook(compared)["汇总表"]
    assert a.max_column <= 3 or all(a.cell(r, c).value is None for r in range(1, a.max_row + 1)
                                    for c in range(4, a.max_column + 1))
    assert [a.column_dimensions[c].width for c in "ABCDE"] == [30, 16, 22, 3, 10]
    assert "$J$" in a.print_area and "$L$" in b.print_area  # two columns more with the comparison
    assert _lines(a) == _lines(b) and _lines(a, 3) == _lines(b, 3)  # 本月 and 累计 unchanged by the comparison
    # the compared sheet's paragraph is the plain one with the comparison paragraph added
    paragraphs = [a.cell(r, 1).value for r in range(4, _header_row(a))]
    compared_paragraphs = [b.cell(r, 1).value for r in range(4, _header_row(b))]
    extra = [p for p in compared_paragraphs if p not in paragraphs]
    assert len(extra) == 1 and extra[0].startswith("受理信访举报与上月持平")
    assert [p for p in compared_paragraphs if p in paragraphs] == paragraphs


def test_report_compare_writes_the_sentences_under_their_parts(tmp_path, unit, capsys):
    plain, compared = tmp_path / "plain.docx", tmp_path / "compared.docx"
    assert run(capsys, "report", str(unit), "--period", "2026-10", *ARGS, "-o", str(plain))[0] == 0
    code, out, _ = run(capsys, "report", str(unit), "--period", "2026-10", *ARGS, "-o", str(compared),
                       "--compare", "--json")
    assert code == 0
    sentences = json.loads(out)["compare"]["sentences"]
    texts = [p.text for p in docx.Document(compared).paragraphs]
    before = [p.text for p in docx.Document(plain).paragraphs]
    assert sentences["complaints"] == "受理信访举报与上月持平，同比减少1件（33.3%）。"
    assert sorted(t for t in texts if t not in before) == sorted(s for s in sentences.values() if s)
    complaints_part = texts.index(next(t for t in texts if "信访举报办理情况" in t))
    assert texts.index(sentences["complaints"]) > complaints_part
    assert not any("较上月" in t or "同比" in t for t in before)


def test_the_ribbon_compares_when_the_settings_sheet_says_so(tmp_path):
    from macros.openpyxl_port import OpenpyxlWorkbook
    from macros.ribbon import run as ribbon

    path = write_xlsx(tmp_path / "县一中.xlsx", LEDGER)
    port = OpenpyxlWorkbook(path)
    ribbon("tz_settings", port)
    rows = [[c.value for c in r] for r in port.book["台账设置"].iter_rows(max_col=2)]
    assert rows[4] == ["与上期、上年同期对比", "否"]
    ribbon("tz_summary", port)
    assert "较上月增减" not in {c.value for r in port.book["汇总表"].iter_rows() for c in r}
    port.book["台账设置"]["B3"] = datetime(2026, 10, 31)
    port.book["台账设置"]["B5"] = "是"
    port.save()
    port.reload()
    ribbon("tz_summary", port)
    port.save()
    ws = openpyxl.load_workbook(path)["汇总表"]
    head = _header_row(ws)
    assert [ws.cell(head, c).value for c in (4, 5)] == ["较上月增减", "同比增减"]
    assert _lines(ws, 5)[("一、信访举报", "受理信访举报总数")] == -1


def test_consolidate_compares_with_the_months_the_store_holds(tmp_path, capsys):
    """The master's months before come from its store: the month before as its own
    consolidation counts it, the difference in the master's 汇总表."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_xlsx(inbox / "县一中.xlsx", LEDGER)
    roster = write_xlsx(tmp_path / "名册.xlsx", {"单位名册": [["单位", "别名"], ["县第一中学", "县一中"]]})
    master = tmp_path / "局主表.xlsx"

    def consolidate(period: str, *more: str) -> dict:
        code, out, err = run(capsys, "consolidate", str(inbox), "--period", period, "--master", str(master),
                             "--roster", str(roster), "--json", *more)
        assert code in (0, 1), err
        return json.loads(out)["summary"]

    consolidate("2026-09")
    october = consolidate("2026-10", "--compare")
    september = consolidate("2026-09")  # the same store, asked for September alone
    before = october["compare"]["previous_period"]
    assert set(before) == FIGURE_KEYS | {"year_to_date"} and before == {k: september[k] for k in before}
    # the ledger's rows of October 2025 came in with its September submission: the store has them
    earlier = summary_json(capsys, inbox / "县一中.xlsx", "--period", "2025-10")
    assert october["compare"]["same_period_last_year"]["complaints"] == earlier["complaints"]
    n = october["complaints"]["total"] - september["complaints"]["total"]
    assert (october["complaints"]["total"], september["complaints"]["total"], earlier["complaints"]["total"]) == (2, 2, 3)
    assert "受理信访举报与上月持平，同比减少1件（33.3%）" in october["narrative"]
    consolidate("2026-10", "--compare")  # again: the master's 汇总表 as written by a compared run
    ws = openpyxl.load_workbook(master)["汇总表"]
    head = _header_row(ws)
    assert [ws.cell(head, c).value for c in (4, 5)] == ["较上月增减", "同比增减"]
    assert _lines(ws, 4)[("一、信访举报", "受理信访举报总数")] == n
    assert _lines(ws, 5)[("一、信访举报", "受理信访举报总数")] == -1
    assert "上年同期：2025年10月" in ws["A2"].value and "无数据" not in ws["A2"].value


def test_the_month_the_ledgers_hold_is_compared_alike_from_parts_and_from_rows(tmp_path, unit, capsys):
    """No period and no as-of day: the month is found after reading, and its months compared
    with were counted by the workers all the same."""
    outputs = []
    for more in ([], ["-o", str(tmp_path / "汇总.xlsx")]):
        code, out, err = run(capsys, "summary", str(unit), "--compare", "--json", *more)
        assert code == 0, err
        data = json.loads(out)
        data.pop("output")
        outputs.append(data)
    assert outputs[0] == outputs[1] and outputs[0]["period_source"] == "latest_rows"
    assert outputs[0]["compare"]["previous_period"]["period"] == "2026-09"
    assert outputs[0]["compare"]["same_period_last_year"]["complaints"]["total"] == 3
