"""taizhang.read / taizhang.summarise: DataFrames per kind with typed columns, Decimal money and
provenance, findings beside them, and the very figures `taizhang summary --json` prints."""

from __future__ import annotations

import json
from decimal import Decimal

import pandas as pd

import taizhang
from conftest import write_xlsx
from taizhang.cli import main

REFUNDS = [["学校", "收费项目", "查实日期", "学生数", "应退金额", "已退金额"],
           ["一中", "补课费", "2026-10-08", 10, "4.5万元", "45,000.00"],
           ["二中", "资料费", "2026/9/9", "3人", 1234.56, Decimal("1000.5")],
           ["合计", None, None, 13, 46234.56, 46000.50]]
COMPLAINTS = [["收件日期", "来源", "办理状态", "反映人", "联系电话"],
              ["2026-10-01", "省转", "在办", "张三丰", "13812345678"],
              ["2026-10-02", "区转办", "在办", "李四", "13900001111"]]


def test_read_gives_typed_frames_with_provenance_and_findings(tmp_path):
    path = write_xlsx(tmp_path / "县一中.xlsx", {"退费台账": REFUNDS, "信访举报台账": COMPLAINTS})
    books = taizhang.read(path, as_of="2026-10-31")
    assert set(books) == {"rectification", "complaints", "refunds", "sanctions", "activities"}
    refunds = books["refunds"]
    assert list(refunds.columns[:3]) == ["file", "sheet", "row"]
    assert refunds["row"].tolist() == [2, 3] and set(refunds["sheet"]) == {"退费台账"}
    assert refunds["due"].tolist() == [Decimal("45000"), Decimal("1234.56")]  # exact, never float
    assert refunds["refunded"].sum() == Decimal("46000.50")
    assert str(refunds["students"].dtype) == "Int64" and refunds["students"].tolist() == [10, 3]
    assert pd.api.types.is_datetime64_any_dtype(refunds["found_on"])
    assert refunds["found_on"].dt.month.tolist() == [10, 9]
    assert books["activities"].empty and "held_on" in books["activities"].columns
    complaints = books["complaints"]
    assert complaints["complainant"].tolist() == ["张**", "李*"]        # masked, as in the master
    assert complaints["phone"].tolist() == ["138****5678", "139****1111"]
    f = books.findings
    assert f[["sheet", "cell", "code"]].values.tolist() == [["信访举报台账", "B3", "unknown-value"]]


def test_summarise_is_the_summary_commands_figures(tmp_path, capsys):
    path = write_xlsx(tmp_path / "县一中.xlsx", {"退费台账": REFUNDS, "信访举报台账": COMPLAINTS})
    main(["summary", str(path), "--period", "2026-10", "--as-of", "2026-10-31", "--json"])
    printed = json.loads(capsys.readouterr().out)
    from_books = taizhang.summarise(taizhang.read(path, as_of="2026-10-31"), period="2026-10")
    from_paths = taizhang.summarise([path], period="2026-10", as_of="2026-10-31")
    from taizhang.figures import report_json

    for report in (from_books, from_paths):
        data = report_json(report)
        assert {k: data[k] for k in ("complaints", "refunds", "activities", "year_to_date")} == \
            {k: printed[k] for k in ("complaints", "refunds", "activities", "year_to_date")}
    assert from_books.current.refunds.refunded == Decimal("45000.00")
    assert from_books.year_to_date.refunds.refunded == Decimal("46000.50")
