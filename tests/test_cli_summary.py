"""``taizhang summary``: the JSON shape, exit codes, defaults, errors and unreadable files."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from fixtures import AS_OF, write_xlsx
from taizhang.cli import main
from test_summary_sheet import SECRETS, UNIT

ARGS = ["--as-of", AS_OF.isoformat()]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def unit(tmp_path) -> Path:
    return write_xlsx(tmp_path / "县一中.xlsx", UNIT)


def test_json_shape_exit_0_and_nothing_confidential(tmp_path, unit, capsys):
    out = tmp_path / "汇总.xlsx"
    code, stdout, stderr = run(capsys, "summary", str(unit), "--period", "2026-10", *ARGS,
                               "--bureau", "某某县教育局", "-o", str(out), "--json")
    assert code == 0 and stderr == ""
    data = json.loads(stdout)
    assert list(data)[:2] == ["period", "as_of"] and (data["period"], data["as_of"]) == ("2026-10", "2026-10-31")
    assert set(data) == {"period", "as_of", "complaints", "refunds", "sanctions", "rectification", "activities", "narrative",
                         "year_to_date", "bureau", "blocking_errors", "unreadable", "output", "period_source",
                         "period_note"}
    assert (data["period_source"], data["period_note"]) == ("given", None)
    c = data["complaints"]
    assert {"total", "by_source", "by_channel", "by_category", "closed", "in_progress", "substantiated",
            "person_times"} <= set(c)
    assert (c["total"], c["by_source"], c["closed"], c["in_progress"]) == (2, {"省转办": 1, "市转办": 1, "自办": 0}, 1, 1)
    assert (c["visits"], c["person_times"]) == (1, 1)
    r = data["refunds"]
    assert (r["cases"], r["due"], r["refunded"], r["outstanding"], r["to_treasury"]) == (
        2, "2234.56", "2234.50", "0.06", "0.00")
    assert r["by_school"]["=1+2"] == {"cases": 1, "students": 0, "due": "1000.00", "refunded": "1000.00",
                                      "outstanding": "0.00", "to_treasury": "0.00"}
    assert r["by_item"]["有偿补课"]["refunded"] == "1234.50"
    s = data["sanctions"]
    assert (s["persons"], s["person_times"]) == (1, 2)
    assert s["by_measure"] == {"诫勉": 1, "记过": 1} and s["by_cause"] == {"违规收费": {"诫勉": 1, "记过": 1}}
    assert s["by_category"] == {"党纪处分": 0, "政务处分": 1, "组织处理": 0, "问责/其他措施": 1}
    assert s["by_form"] == {"第一种形态": 1, "第二种形态": 1, "第三种形态": 0, "第四种形态": 0}
    t = data["rectification"]
    assert {k: t[k] for k in ("total", "not_started", "in_progress", "completed", "closed", "overdue",
                              "completed_late", "completion_rate")} == {
        "total": 2, "not_started": 1, "in_progress": 0, "completed": 1, "closed": 0, "overdue": 1,
        "completed_late": 0, "completion_rate": 0.5}
    ytd = data["year_to_date"]
    assert ytd["complaints"]["by_source"] == {"省转办": 1, "市转办": 1, "自办": 1}
    assert ytd["sanctions"]["by_cause"] == {"违规招生": {"诫勉": 1}, "违规收费": {"诫勉": 1, "记过": 1}}
    assert ytd["refunds"]["refunded"] == "2734.50"
    assert data["narrative"].startswith("2026年10月，共受理信访举报2件，其中省转办件1件、市转办件1件，已办结1件。")
    assert (data["bureau"], data["blocking_errors"], data["unreadable"], data["output"]) == (
        "某某县教育局", [], [], str(out))
    written = " ".join(str(c.value) for ws in openpyxl.load_workbook(out) for row in ws.iter_rows() for c in row)
    for secret in SECRETS:
        assert secret not in stdout + stderr + written


def test_human_output_has_the_table_and_the_paragraph(unit, capsys):
    code, stdout, _ = run(capsys, "summary", str(unit), *ARGS)
    assert code == 0
    assert "县教育局 2026年10月 统计" in stdout and "汇报段落：" in stdout
    assert "2026年10月，共受理信访举报2件" in stdout.replace("\n", "")


def test_the_terminal_table_has_the_column_heads_of_the_sheet(tmp_path, unit, capsys):
    """Issue 28 item 4: the terminal said 本期 where the 汇总表 says 本月 (and 累计 with its months)."""
    out = tmp_path / "汇总.xlsx"
    code, stdout, _ = run(capsys, "summary", str(unit), *ARGS, "-o", str(out))
    assert code == 0 and "本期" not in stdout
    ws = openpyxl.load_workbook(out)["汇总表"]
    heads = {ws.cell(r, c).value for r in range(1, ws.max_row + 1) for c in (2, 3)}
    assert {"本月", "累计（2026年1—10月）"} <= heads
    assert "本月" in stdout and "累计（2026年1—10月）" in stdout


def test_version_help_is_chinese(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    line = next(ln for ln in capsys.readouterr().out.splitlines() if "--version" in ln and "用法" not in ln)
    assert "显示版本号并退出" in line and "show" not in line


def test_defaults_period_from_as_of_and_bureau_from_settings(tmp_path, unit, capsys):
    office = tmp_path / "office.toml"
    office.write_text('[settings]\nbureau = "某县教育局"\n', encoding="utf-8")
    code, stdout, _ = run(capsys, "--config", str(office), "summary", str(unit), "--as-of", "2026-11-15", "--json")
    data = json.loads(stdout)
    assert code == 0 and (data["period"], data["bureau"]) == ("2026-11", "某县教育局")
    assert data["complaints"]["by_source"] == {"省转办": 0, "市转办": 0, "自办": 0}  # the three keys, always
    assert data["year_to_date"]["complaints"]["total"] == 3
    assert data["narrative"].startswith("2026年11月，无相关事项。截至11月底，全年累计共受理信访举报3件")
    code, stdout, _ = run(capsys, "summary", str(unit), *ARGS, "--json")
    assert json.loads(stdout)["bureau"] == "县教育局"


@pytest.mark.parametrize("period, key, total, has_ytd", [
    ("2026", "2026", 3, False), ("all", "all", 3, False), ("2026年9月", "2026-09", 1, True),
])
def test_year_and_everything(unit, capsys, period, key, total, has_ytd):
    code, stdout, _ = run(capsys, "summary", str(unit), "--period", period, *ARGS, "--json")
    data = json.loads(stdout)
    assert code == 0 and data["period"] == key and data["complaints"]["total"] == total
    assert ("year_to_date" in data) is has_ytd


def test_bad_arguments_exit_2(unit, capsys):
    code, stdout, stderr = run(capsys, "summary", str(unit), "--period", "2026-13")
    assert code == 2 and stdout == "" and "期间应写作 2026-10、2026/10、2026年10月、202610（月），2026Q3" in stderr
    assert "2026H1、2026年上半年（半年）" in stderr and "2026（年）或 all（全部）" in stderr
    with pytest.raises(SystemExit) as exit_:
        main(["summary", str(unit), "--as-of", "31/10/2026"])
    assert exit_.value.code == 2 and "日期应写作 2026-10-31、2026/10/31、2026.10.31 或 2026年10月31日" in capsys.readouterr().err


def test_no_workbook_exits_2(tmp_path, capsys):
    code, _, stderr = run(capsys, "summary", str(tmp_path), *ARGS)
    assert code == 2 and "没有找到工作簿文件" in stderr


def test_errors_in_ledgers_exit_1_and_are_said_everywhere(tmp_path, capsys):
    bad = write_xlsx(tmp_path / "二中.xlsx", {"处分台账": [["姓名", "问题类型", "处理方式", "处理日期"],
                                                        ["甲", "违规收费", "罚款", "2026-10-02"]]})
    out = tmp_path / "s.xlsx"
    code, stdout, stderr = run(capsys, "summary", str(bad), *ARGS, "-o", str(out), "--json")
    assert code == 1
    assert json.loads(stdout)["blocking_errors"] == [{"file": str(bad), "sheet": "处分台账", "errors": 1}]
    assert f"注意：{bad}“处分台账”有 1 个错误，统计数字可能不准确" in stderr
    banner = openpyxl.load_workbook(out)["汇总表"]["A3"].value
    assert banner == "注意：以下台账存在错误，统计数字可能不准确，请先更正：二中.xlsx“处分台账”错误 1 个"


def test_a_workbook_with_no_ledger_is_a_blocking_error_of_the_whole_file(tmp_path, unit, capsys):
    other = write_xlsx(tmp_path / "三中.xlsx", {"Sheet1": [["随便写的"], ["甲", "乙"]]})
    code, stdout, stderr = run(capsys, "summary", str(unit), str(other), *ARGS, "--json")
    data = json.loads(stdout)
    assert code == 1 and data["complaints"]["total"] == 2
    assert data["blocking_errors"] == [{"file": str(other), "sheet": None, "errors": 1}]
    assert "三中.xlsx（整个工作簿）有 1 个错误" in stderr


def test_hidden_ledgers_are_not_counted_and_their_errors_do_not_block(tmp_path, capsys):
    sheets = {"信访举报台账": UNIT["信访举报台账"],
              "旧表": [["收件日期", "来源"], ["2026-10-01", "区转办"]]}
    path = write_xlsx(tmp_path / "县一中.xlsx", sheets, hidden=["旧表"])
    code, stdout, _ = run(capsys, "summary", str(path), *ARGS, "--json")
    data = json.loads(stdout)
    assert code == 0 and data["complaints"]["total"] == 2 and data["blocking_errors"] == []


def test_unreadable_file_exits_2_and_the_rest_is_summarised(tmp_path, unit, capsys):
    broken = tmp_path / "坏.xlsx"
    broken.write_bytes(b"%PDF-1.4")
    out = tmp_path / "s.xlsx"
    code, stdout, stderr = run(capsys, "summary", str(broken), str(unit), *ARGS, "-o", str(out), "--json")
    data = json.loads(stdout)
    assert code == 2 and data["complaints"]["total"] == 2
    assert [u["path"] for u in data["unreadable"]] == [str(broken)]
    assert len([line for line in stderr.splitlines() if "坏.xlsx" in line]) == 1
    assert openpyxl.load_workbook(out)["汇总表"]["A3"].value.endswith("坏.xlsx无法读取，未计入")


def test_output_is_never_a_ledger_being_summarised(tmp_path, unit, capsys):
    before = unit.read_bytes()
    code, stdout, stderr = run(capsys, "summary", str(unit), *ARGS, "-o", str(unit))
    assert code == 2 and stdout == "" and "不能写入被统计的台账" in stderr
    assert unit.read_bytes() == before


def test_last_runs_summary_in_the_folder_is_not_read_as_a_ledger(tmp_path, unit, capsys):
    out = tmp_path / "汇总.xlsx"
    first = run(capsys, "summary", str(tmp_path), *ARGS, "-o", str(out), "--json")
    second = run(capsys, "summary", str(tmp_path), *ARGS, "-o", str(out), "--json")
    assert first[0] == second[0] == 0 and second[2] == ""
    assert json.loads(first[1]) == json.loads(second[1])


@pytest.mark.parametrize("name, content, message", [
    ("汇总.xls", None, "只能写入 .xlsx 或 .xlsm"),
    ("汇总.xlsx", b"garbage", "不是可以打开的 Excel 工作簿"),
])
def test_an_output_it_cannot_write_exits_2(tmp_path, unit, capsys, name, content, message):
    out = tmp_path / "out" / name
    out.parent.mkdir()
    if content is not None:
        out.write_bytes(content)
    code, _, stderr = run(capsys, "summary", str(unit), *ARGS, "-o", str(out))
    assert code == 2 and message in stderr
    assert (out.read_bytes() == content) if content is not None else not out.exists()


def test_an_existing_workbook_keeps_its_sheets(tmp_path, unit, capsys):
    out = tmp_path / "局报表.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "封面"
    wb.active["A1"] = "十月报表"
    wb.create_sheet("汇总表")["A1"] = "旧的汇总"
    wb.save(out)
    code, _, _ = run(capsys, "summary", str(unit), *ARGS, "-o", str(out))
    assert code == 0
    back = openpyxl.load_workbook(out)
    assert back.sheetnames == ["封面", "汇总表", "明细", "问题清单"] and back["封面"]["A1"].value == "十月报表"
    assert back["汇总表"]["A1"].value == "县教育局纪检监察工作统计汇总表"
