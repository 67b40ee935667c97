"""The bundled workbooks: the sample month gives exactly the planted findings; the script
that makes them is the one that made them; the templates are usable ledgers."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import openpyxl
import python_calamine as pc
import pytest

from fixtures import AS_OF
from taizhang.cli import main
from taizhang.reading.folder import expand_paths
from taizhang.usecases.files import check_file

WORKBOOKS = Path(__file__).resolve().parent.parent / "workbooks"
SAMPLES = WORKBOOKS / "samples"
MONTH = SAMPLES / "2026-10"


def _planted() -> list[tuple]:
    data = json.loads((SAMPLES / "planted_findings.json").read_text(encoding="utf-8"))
    return sorted((d["file"], d["sheet"], d["code"], d["cell"]) for d in data)


def test_sample_month_reports_exactly_the_planted_findings(capsys):
    code = main(["check", str(MONTH), "--as-of", AS_OF.isoformat(), "--json"])
    data = json.loads(capsys.readouterr().out)
    found = sorted((Path(f["path"]).name, x["sheet"], x["code"], x["cell"])
                   for f in data["files"] for x in f["findings"])
    assert found == _planted()
    assert code == 1
    clean = [Path(f["path"]).name for f in data["files"] if not f["findings"]]
    assert len(clean) == 5 and len(data["files"]) == 8
    assert {lg["kind"] for f in data["files"] for lg in f["ledgers"]} == {
        "rectification", "complaints", "refunds", "sanctions", "activities"}
    # every unit keeps an activity ledger, whatever its sheet is called
    assert all(any(lg["kind"] == "activities" for lg in f["ledgers"]) for f in data["files"])


def test_sample_figures_read_as_written():
    """Spot checks of the harder cells: 万元 header, capital numerals, two-row header."""
    refunds = check_file(MONTH / "县教师进修学校_10月台账.xlsx", as_of=AS_OF).ledgers[0]
    assert [(r.violation, r.due, r.refunded, r.students) for r in refunds.rows] == [
        (45000, 45000, 45000, 30), (5000, 3000, 3000, 12)]
    chengguan = check_file(MONTH / "城关小学_2026年10月台账.xlsx", as_of=AS_OF)
    two_row = next(lg for lg in chengguan.ledgers if lg.kind.value == "refunds")
    assert two_row.layout.header_height == 2 and [r.refunded for r in two_row.rows] == [6300, 2000]
    bureau = check_file(MONTH / "局机关10月报表.xlsx", as_of=AS_OF)
    assert bureau.ledgers[0].reporting_unit == "教育局机关"


def _load_script():
    spec = importlib.util.spec_from_file_location("make_workbooks", WORKBOOKS / "make_workbooks.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _values(path: Path) -> dict:
    book = pc.CalamineWorkbook.from_path(str(path))
    return {n: book.get_sheet_by_name(n).to_python() for n in book.sheet_names}


def test_committed_samples_are_what_the_script_makes(tmp_path):
    script = _load_script()
    planted = script.make_samples(tmp_path)
    assert sorted((d["file"], d["sheet"], d["code"], d["cell"]) for d in planted) == _planted()
    made = sorted(p.name for p in (tmp_path / "2026-10").iterdir())
    assert made == sorted(p.name for p in expand_paths([MONTH]))
    for name in made:
        assert _values(tmp_path / "2026-10" / name) == _values(MONTH / name), name


@pytest.mark.slow
@pytest.mark.parametrize("name", ["整改台账模板.xlsx", "信访举报台账模板.xlsx", "退费台账模板.xlsx",
                                  "处分台账模板.xlsx", "工作开展台账模板.xlsx", "单位月报台账模板.xlsx"])
def test_templates_are_empty_ledgers_with_drop_downs(name):
    path = WORKBOOKS / "templates" / name
    report = check_file(path, as_of=AS_OF)
    assert {f.code for f in report.findings} == {"empty-ledger"}
    assert len(report.ledgers) == (5 if name.startswith("单位") else 1)
    wb = openpyxl.load_workbook(path)
    assert wb["选项"].sheet_state == "hidden"
    for lg in report.ledgers:
        ws = wb[lg.sheet]
        lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
        vocab_columns = [c for c in lg.layout.spec.columns if c.vocabulary]
        assert len(lists) == len(vocab_columns)
        assert all(dv.formula1.startswith("=选项!$") for dv in lists)


def test_sample_activity_ledgers_spellings_totals_and_earlier_months(capsys):
    """Every unit's 工作开展台账 in its own words: the month's figures and the year's, with the
    blank 次数 counted 1 and every 合计 row verified, never counted."""
    main(["summary", str(MONTH), "--period", "2026-10", "--as-of", AS_OF.isoformat(), "--json"])
    data = json.loads(capsys.readouterr().out)
    a, y = data["activities"], data["year_to_date"]["activities"]
    assert a["by_category"]["专题学习"] == {"count": 3, "person_times": 154, "quantity": 39, "unit": "篇"}
    assert a["by_category"]["监督检查"] == {"count": 4, "person_times": 0, "quantity": 10, "unit": "个"}
    assert (a["rows"], a["unknown_category"], y["rows"]) == (22, 1, 34)
    assert y["by_category"]["廉政谈话"] == {"count": 2, "person_times": 33, "quantity": 0, "unit": None}
    assert sum(g["count"] for g in a["by_group"].values()) == sum(c["count"] for c in a["by_category"].values())
    assert "学习教育方面，组织专题学习3次，参与学习的干部职工达154人次，撰写学习心得39篇" in data["narrative"]
