"""Figures that add up (issue 24, items 6-7): every breakdown of complaints adds up to its total
on the 汇总表, in the paragraph, in JSON and in the Word report, which leaves out a breakdown the
ledgers have no column for; and a written 合计 row is judged against what ``SUM()`` of its
column gives, computed by LibreOffice, not by us."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date
from pathlib import Path

import docx
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fixtures import write_xlsx
from taizhang.cli import main

FULL = ["编号", "收件日期", "来源", "方式", "问题类别", "处置方式", "办理状态", "办结日期"]
PLAIN = ["编号", "收件日期", "来源", "办理状态", "办结日期"]


@pytest.fixture(autouse=True)
def _log_here(tmp_path, monkeypatch):
    monkeypatch.setenv("TAIZHANG_LOG_DIR", str(tmp_path / "logs"))


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def complaints_ledger(path: Path, statuses: list[str | None], full: bool = True) -> Path:
    rows = []
    for i, status in enumerate(statuses):
        closed = date(2026, 10, 20) if status == "办结" else None
        if full:
            rows.append([i + 1, date(2026, 10, 1 + i % 28), ["省转办", "市转办", "自办"][i % 3], "来信",
                         "违规收费" if i % 2 else None, None, status, closed])
        else:
            rows.append([i + 1, date(2026, 10, 1 + i % 28), "自办", status, closed])
    return write_xlsx(path, {"信访举报台账": [["填报单位：县一中"], FULL if full else PLAIN, *rows]})


def sheet_values(path: Path, sheet: str) -> dict[str, list]:
    """Label (column A, stripped) -> the row's other values, as the 汇总表 shows them."""
    ws = openpyxl.load_workbook(path, data_only=True)[sheet]
    return {str(r[0]).strip(): list(r[1:]) for r in ws.iter_rows(values_only=True) if r and r[0]}


def test_a_blank_status_is_counted_so_that_closed_and_open_add_up_to_the_total(tmp_path, capsys):
    path = complaints_ledger(tmp_path / "县一中.xlsx", ["办结", "办结", "在办", "在办", None])
    out_xlsx = tmp_path / "汇总.xlsx"
    code, out, _err = run(capsys, "summary", str(path), "--period", "2026-10", "--as-of", "2026-10-31",
                          "-o", str(out_xlsx), "--json")
    c = json.loads(out)["complaints"]
    assert (c["total"], c["closed"], c["in_progress"], c["status_unknown"]) == (5, 2, 2, 1)
    assert c["closed"] + c["in_progress"] + c["status_unknown"] == c["total"]
    assert sum(c["by_source"].values()) + c["unknown_source"] == c["total"]
    # on the sheet, read back as Excel would show it
    lines = sheet_values(out_xlsx, "汇总表")
    now = {k: v[0] for k, v in lines.items() if v and isinstance(v[0], (int, float))}
    assert now["已办结"] + now["在办"] + now["办理状态未填写或不明"] == now["受理信访举报总数"] == 5
    assert now["违规收费"] + now["未填写问题类别"] == 5
    # and in the paragraph
    assert "已办结2件，办理状态未填写或不明1件" in json.loads(out)["narrative"]


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(["办结", "在办", None, "已转办", "暂缓"]), min_size=1, max_size=12))
def test_the_status_breakdown_always_adds_up(tmp_path_factory, statuses):
    from taizhang.usecases.summarising import summarise

    folder = tmp_path_factory.mktemp("ledger")
    complaints_ledger(folder / "县一中.xlsx", statuses)
    data = summarise([folder], period="2026-10", as_of=date(2026, 10, 31)).json("县教育局")
    for block in (data["complaints"], data["year_to_date"]["complaints"]):
        assert block["closed"] + block["in_progress"] + block["status_unknown"] == block["total"] == len(statuses)


def _report_text(tmp_path, capsys, ledger: Path) -> str:
    out = tmp_path / "汇报.docx"
    code, _out, err = run(capsys, "report", str(ledger), "--period", "2026-10", "--as-of", "2026-10-31",
                          "-o", str(out))
    assert code in (0, 1), err
    return "\n".join(p.text for p in docx.Document(out).paragraphs)


@pytest.mark.slow
def test_the_report_leaves_out_breakdowns_the_ledger_has_no_column_for(tmp_path, capsys):
    text = _report_text(tmp_path, capsys, complaints_ledger(tmp_path / "县一中.xlsx", ["办结", "在办"] * 3,
                                                            full=False))
    assert "共受理信访举报6件。按来源分，自办件6件。" in text
    for absent in ("处置方式", "按方式分", "按问题类别分", "类别未填写", "方式未填写"):
        assert absent not in text


@pytest.mark.slow
def test_the_report_keeps_a_breakdown_whose_column_is_there_and_says_what_is_unfilled(tmp_path, capsys):
    text = _report_text(tmp_path, capsys, complaints_ledger(tmp_path / "县一中.xlsx", ["办结", "在办", None, "在办"]))
    assert "按方式分，来信4件" in text and "按问题类别分，违规收费2件、类别未填写2件" in text
    assert "按处置方式分" not in text  # the column is there but empty in every row: nothing to say
    assert "办理状态未填写1件" in text


# --- 7. a 合计 row against what SUM() gives ----------------------------------------------------

ACTIVITIES = ["序号", "日期", "活动类别", "活动名称", "场次", "参与人次"]


def _recalculated(path: Path, tmp: Path) -> Path:
    """The workbook as LibreOffice saves it after computing its formulas (cached values)."""
    if not shutil.which("soffice"):
        pytest.skip("LibreOffice (soffice) is not installed: it computes the SUM() the check is held to")
    out = tmp / "calc"
    done = subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp / 'lo-profile'}", "--headless",
                           "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(path)],
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    return out / path.name


@pytest.mark.slow
@pytest.mark.render
def test_a_sum_row_over_blank_sessions_matches_what_sum_gives(tmp_path, capsys):
    rows = [[i + 1, date(2026, 10, 2 + i), "专题学习", f"第{i + 1}次学习", None if i in (1, 4) else 4, 30]
            for i in range(8)]
    (tmp_path / "src").mkdir()
    source = write_xlsx(tmp_path / "src" / "工作开展台账.xlsx",
                        {"工作开展台账": [["填报单位：县一中"], ACTIVITIES, *rows,
                                     ["合计", None, None, None, "=SUM(E3:E10)", "=SUM(F3:F10)"]]})
    book = _recalculated(source, tmp_path)
    cached = openpyxl.load_workbook(book, data_only=True)["工作开展台账"]
    assert (cached["E11"].value, cached["F11"].value) == (24, 240)  # what Excel and LibreOffice show
    code, out, _err = run(capsys, "check", str(book), "--as-of", "2026-10-31", "--json")
    findings = [f for f in json.loads(out)["files"][0]["findings"] if f["code"] == "total-mismatch"]
    assert findings == []
    # the figure still counts a blank 场次 as one session
    code, out, _err = run(capsys, "summary", str(book), "--period", "2026-10", "--as-of", "2026-10-31", "--json")
    assert json.loads(out)["activities"]["by_category"]["专题学习"]["count"] == 24 + 2


@pytest.mark.slow
@pytest.mark.render
def test_a_sum_row_that_was_typed_over_is_still_caught(tmp_path, capsys):
    rows = [[i + 1, date(2026, 10, 2 + i), "专题学习", f"第{i + 1}次学习", 2, 30] for i in range(5)]
    (tmp_path / "src").mkdir()
    source = write_xlsx(tmp_path / "src" / "工作开展台账.xlsx",
                        {"工作开展台账": [ACTIVITIES, *rows, ["合计", None, None, None, 12, "=SUM(F2:F6)"]]})
    book = _recalculated(source, tmp_path)
    code, out, _err = run(capsys, "check", str(book), "--as-of", "2026-10-31", "--json")
    [finding] = [f for f in json.loads(out)["files"][0]["findings"] if f["code"] == "total-mismatch"]
    assert finding["cell"] == "E7" and "写的是 12，上方明细合计为 10，相差 2" in finding["message"]
