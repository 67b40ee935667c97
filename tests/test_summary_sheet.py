"""The written summary: cells, formats, print settings, charts, detail, and a real render."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from conftest import AS_OF, Text, write_xlsx
from taizhang.cli import main

SAMPLES = Path(__file__).resolve().parent.parent / "workbooks" / "samples" / "2026-10"

UNIT = {
    "信访举报台账": [
        ["填报单位：县一中"],
        ["编号", "收件日期", "来源", "方式", "反映人", "联系电话", "办理状态", "办结日期", "被反映人"],
        [1, "2026-10-03", "省转办", "来信", "赵秘密", "13912345678", "办结", "2026-10-09", Text("=HYPERLINK(\"http://x\")")],
        [2, "2026-10-05", "市转办", "来访", "钱秘密", "13987654321", "在办", None, Text("+王某")],
        [3, "2026-09-05", "自办", "来电", "孙秘密", "13800000000", "办结", "2026-09-20", Text("@李某")],
    ],
    "处分台账": [["姓名", "问题类型", "处分类别", "处理方式", "处理日期"],
                ["张某", "违规收费", "政务处分", "记过", "2026-10-08"],
                ["张某", "违规收费", None, "诫勉", "2026-10-09"]],
    "退费台账": [["学校", "查实日期", "应退金额", "已退金额"], ["县一中", "2026-10-10", "1,234.56", "1234.5"]],
}


@pytest.fixture
def written(tmp_path, capsys):
    src = write_xlsx(tmp_path / "县一中.xlsx", UNIT)
    out = tmp_path / "汇总.xlsx"
    code = main(["summary", str(src), "--period", "2026-10", "--as-of", AS_OF.isoformat(),
                 "--bureau", "某某县教育局", "-o", str(out), "--json"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured, out


def test_json_shape_and_exit_code(written):
    code, data, captured, _out = written
    assert code == 0
    assert set(data) >= {"period", "as_of", "complaints", "refunds", "sanctions", "rectification",
                         "narrative", "year_to_date"}
    assert data["period"] == "2026-10" and data["as_of"] == "2026-10-31"
    c = data["complaints"]
    assert set(c) >= {"total", "by_source", "by_channel", "by_category", "closed", "in_progress",
                      "substantiated", "person_times"}
    assert c["by_source"] == {"省转办": 1, "市转办": 1, "自办": 0} and c["total"] == 2
    assert data["year_to_date"]["complaints"]["by_source"]["自办"] == 1
    assert data["refunds"]["due"] == "1234.56" and data["refunds"]["outstanding"] == "0.06"
    s = data["sanctions"]
    assert (s["persons"], s["person_times"]) == (1, 2)
    assert s["by_cause"] == {"违规收费": {"诫勉": 1, "记过": 1}}
    assert set(data["rectification"]) >= {"total", "not_started", "in_progress", "completed", "closed",
                                          "overdue", "completed_late", "completion_rate"}
    assert data["narrative"].startswith("2026年10月，共受理信访举报2件，其中省转办件1件、市转办件1件")
    everything = captured.out + captured.err
    for secret in ("赵秘密", "钱秘密", "孙秘密", "13912345678", "13987654321"):
        assert secret not in everything


def test_summary_sheet_cells_formats_print_and_charts(written):
    _code, _data, _captured, out = written
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["汇总表", "明细"]
    ws = wb["汇总表"]
    assert ws["A1"].value == "某某县教育局纪检监察工作统计汇总表"
    assert "2026年10月" in ws["A2"].value
    labels = {str(ws.cell(r, 1).value).strip("　"): r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value}
    total = labels["受理信访举报总数"]
    assert (ws.cell(total, 2).value, ws.cell(total, 3).value) == (2, 3)
    assert ws.cell(total, 2).number_format == '#,##0"件"'
    sub = labels["来源小计（应等于总数）"]
    assert (ws.cell(sub, 2).value, ws.cell(sub, 3).value) == (2, 3)
    due = labels["应退金额"]
    assert str(ws.cell(due, 2).value) == "1234.56" and ws.cell(due, 2).number_format == '#,##0.00"元"'
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_area and len(ws.row_breaks.brk) == 3  # a page per block
    assert len(ws._charts) == 2
    titles = sorted(c.title.tx.rich.p[0].r[0].t for c in ws._charts)
    assert titles == ["信访举报来源（件）", "处理方式（人）"]
    source_chart = next(c for c in ws._charts if "来源" in c.title.tx.rich.p[0].r[0].t)
    refs = [s.val.numRef.f for s in source_chart.series]
    start = labels["省转办"]
    assert refs == [f"'汇总表'!$B${start}:$B${start + 2}", f"'汇总表'!$C${start}:$C${start + 2}"]
    narrative = next(ws.cell(r, 1).value for r in range(3, 6) if str(ws.cell(r, 1).value).startswith("2026年10月"))
    assert "已办结1件" in narrative


def test_detail_sheet_traces_rows_and_keeps_text_as_text(written):
    _code, _data, _captured, out = written
    wb = openpyxl.load_workbook(out)
    rows = list(wb["明细"].iter_rows(values_only=True))
    assert rows[0][:4] == ("板块", "文件", "工作表", "行号")
    complaints = [r for r in rows[1:] if r[0] == "信访举报"]
    assert [(r[1], r[2], r[3]) for r in complaints] == [("县一中.xlsx", "信访举报台账", 3), ("县一中.xlsx", "信访举报台账", 4)]
    cells = [c for row in wb["明细"].iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    assert any(c.value == '=HYPERLINK("http://x")' and c.data_type == "s" for c in cells)
    text = " ".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row)
    assert "赵秘密" not in text and "13912345678" not in text


def test_written_into_an_existing_workbook_keeps_its_sheets(tmp_path, capsys):
    out = tmp_path / "局报表.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "封面"
    wb.active["A1"] = "十月报表"
    wb.create_sheet("汇总表")["A1"] = "旧的汇总"
    wb.save(out)
    src = write_xlsx(tmp_path / "县一中.xlsx", UNIT)
    assert main(["summary", str(src), "--as-of", "2026-10-31", "-o", str(out)]) == 0
    back = openpyxl.load_workbook(out)
    assert back.sheetnames == ["封面", "汇总表", "明细"] and back["封面"]["A1"].value == "十月报表"
    assert back["汇总表"]["A1"].value != "旧的汇总"


def test_errors_in_ledgers_are_said_on_the_sheet_and_in_the_output(tmp_path, capsys):
    bad = write_xlsx(tmp_path / "二中.xlsx", {"处分台账": [["姓名", "问题类型", "处理方式"], ["甲", "违规收费", "罚款"]]})
    out = tmp_path / "s.xlsx"
    code = main(["summary", str(bad), "--as-of", "2026-10-31", "-o", str(out), "--json"])
    captured = capsys.readouterr()
    assert code == 1
    assert json.loads(captured.out)["blocking_errors"] == [{"file": str(bad), "sheet": "处分台账", "errors": 1}]
    assert "统计数字可能不准确" in captured.err
    banner = openpyxl.load_workbook(out)["汇总表"]["A3"]
    assert banner.value.startswith("注意") and "二中.xlsx" in banner.value


def test_unreadable_file_exits_2_and_the_rest_is_summarised(tmp_path, capsys):
    broken = tmp_path / "坏.xlsx"
    broken.write_bytes(b"%PDF-1.4")
    good = write_xlsx(tmp_path / "县一中.xlsx", UNIT)
    code = main(["summary", str(broken), str(good), "--as-of", "2026-10-31", "--json"])
    captured = capsys.readouterr()
    assert code == 2 and json.loads(captured.out)["complaints"]["total"] == 2
    assert "坏.xlsx" in captured.err


@pytest.mark.render
@pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftoppm")), reason="LibreOffice 未安装")
def test_renders_one_a4_landscape_page_per_block(tmp_path, capsys):
    out = tmp_path / "汇总.xlsx"
    main(["summary", str(SAMPLES), "--as-of", "2026-10-31", "-o", str(out)])
    capsys.readouterr()
    wb = openpyxl.load_workbook(out)
    del wb["明细"]  # render the summary sheet alone
    only = tmp_path / "only.xlsx"
    wb.save(only)
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(only)],
                   check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "only.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "Pages:           4" in info
    size = next(line for line in info.splitlines() if line.startswith("Page size"))
    width, height = (float(x) for x in size.split(":")[1].split("pts")[0].split("x"))
    assert (round(width), round(height)) == (842, 595)  # A4 landscape
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True, timeout=60)
    assert len(list(tmp_path.glob("page-*.png"))) == 4
