"""taizhang.read / taizhang.summarise: DataFrames per kind with typed columns, Decimal money and
provenance, findings beside them, and the very figures `taizhang summary --json` prints."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

import taizhang
from fixtures import write_xlsx
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


# --- issue 24, item 13: the API as pandas users expect ------------------------------------------

SAMPLES = Path(__file__).resolve().parents[1] / "workbooks" / "samples" / "2026-10"
KINDS = ("rectification", "complaints", "refunds", "sanctions", "activities")


@pytest.fixture(scope="module")
def samples():
    return taizhang.read(SAMPLES, as_of="2026-10-31")


def test_a_missing_path_or_a_folder_without_workbooks_raises_naming_it(tmp_path):
    from taizhang.errors import TaizhangError

    missing = tmp_path / "十月台账"  # a mistyped folder
    for call in (lambda: taizhang.read(missing), lambda: taizhang.summarise(missing, period="2026-10")):
        with pytest.raises(FileNotFoundError) as caught:  # today: empty tables, all zeros
            call()
        assert isinstance(caught.value, taizhang.WorkbooksNotFoundError) and isinstance(caught.value, TaizhangError)
        assert str(caught.value) == f"找不到 {missing}（文件或文件夹不存在），没有读取任何台账"
        assert caught.value.paths == [str(missing)]
    there = write_xlsx(tmp_path / "县一中.xlsx", {"退费台账": REFUNDS})
    with pytest.raises(FileNotFoundError, match="找不到 .*十月台账"):  # one missing among several
        taizhang.read([there, missing])
    empty = tmp_path / "空文件夹"
    empty.mkdir()
    (empty / "说明.txt").write_text("不是台账", encoding="utf-8")
    with pytest.raises(FileNotFoundError, match=f"^{re.escape(str(empty))} 中没有找到工作簿文件"):
        taizhang.read(empty)
    assert not taizhang.read(there)["refunds"].empty  # what is there is read all the same


def _two_places(value) -> bool:
    return isinstance(value, Decimal) and value.as_tuple().exponent == -2


@pytest.mark.slow
def test_money_is_decimal_at_two_places_so_pandas_sums_print_alike(samples):
    refunds = samples["refunds"]
    money = ["violation", "due", "refunded", "to_treasury"]
    for column in money:
        assert all(v is None or _two_places(v) for v in refunds[column]), refunds[column].tolist()
    sums = refunds.groupby("school")[money].sum()  # real pandas, over the bundled month
    assert all(_two_places(v) for v in sums.to_numpy().ravel()), sums
    printed = sums.to_string()
    assert printed.splitlines()[2].split() == ["县中心幼儿园", "20400.00", "20400.00", "20400.00", "0.00"], printed
    amounts = [tok for line in printed.splitlines()[2:] for tok in line.split()[1:]]
    assert amounts and all(re.fullmatch(r"-?\d+\.\d\d", tok) for tok in amounts), printed  # no 20400, no 8300.0
    by_school = refunds.groupby("school")["refunded"].sum()
    assert [str(v) for v in by_school] == ["20400.00", "48000.00", "75240.00", "31300.00", "8300.00"]
    assert str(refunds["refunded"].sum()) == "183240.00"
    # rounding the rows changes no figure: the sums are those taizhang summary counts
    report = taizhang.summarise(samples, period="all")
    assert {s: str(line.refunded) for s, line in report.current.refunds.by_school.items()} == \
        {s: str(v) for s, v in by_school.items()}
    assert str(report.current.refunds.to_treasury) == "4700.00"
    for month in (taizhang.summarise(samples, period="2026-10"),
                  taizhang.summarise(SAMPLES, period="2026-10", as_of="2026-10-31")):
        refunds_now = month.current.refunds
        assert str(refunds_now.to_treasury) == "3700.00"  # at two places, not 3700.0
        assert [str(line.due) for line in refunds_now.by_school.values()] == [
            "8400.00", "48000.00", "51480.00", "52000.00", "6300.00"]  # each at two places (not 8400, 48000.0 …)


def test_money_rounds_half_up_to_the_fen_whatever_its_size(tmp_path):
    path = write_xlsx(tmp_path / "县一中.xlsx", {"退费台账": [
        ["学校", "查实日期", "应退金额", "已退金额"],
        ["一中", "2026-10-08", 0.1 + 0.2, "1234.565"],   # a formula's float noise, half a fen
        ["二中", "2026-10-09", 1e40, 7]]})
    refunds = taizhang.read(path, as_of="2026-10-31")["refunds"]
    assert [str(v) for v in refunds["due"]] == ["0.30", "1" + "0" * 40 + ".00"]
    assert [str(v) for v in refunds["refunded"]] == ["1234.57", "7.00"]


def test_the_documented_columns_are_the_frames_columns(samples):
    from taizhang import api

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- columns: generated by python -m taizhang.api -->\n", 1)[1].split("<!-- /columns -->", 1)[0]
    assert block == api.columns_markdown()  # the README is the generated list, as generated today
    documented = {}
    for line in block.splitlines():
        table, listed = re.fullmatch(r"- `books\.(\w+)` \([^)]*\): (.*)", line).groups()
        documented[table] = [(m[1], m[2] or "string") for m in re.finditer(r"`(\w+)` [^,`]*?(?: \((\w+)\))?(?:, |$)", listed)]
    assert list(documented) == [*KINDS, "findings"]
    is_type = {"string": lambda d: str(d) == "string", "Int64": lambda d: str(d) == "Int64",
               "datetime64": pd.api.types.is_datetime64_any_dtype, "Decimal": lambda d: str(d) == "object"}
    for table, cols in documented.items():
        frame = samples.findings if table == "findings" else samples[table]
        assert [c for c, _ in cols] == list(frame.columns), table
        assert all(is_type[t](frame[c].dtype) for c, t in cols), (table, frame.dtypes)
    money = [c for c, t in documented["refunds"] if t == "Decimal"]
    assert money == ["violation", "due", "refunded", "to_treasury"]
    assert api.columns_text() in taizhang.read.__doc__  # help(taizhang.read) lists them too
    assert taizhang.read is api.read


def test_each_kind_is_an_attribute_beside_its_key(samples):
    for kind in KINDS:
        assert getattr(samples, kind) is samples[kind]
        assert kind in dir(samples)
    assert samples.complaints is samples["complaints"] and not samples.complaints.empty
    with pytest.raises(AttributeError) as caught:
        _ = samples.complaint
    message = str(caught.value)
    assert "complaint" in message and all(k in message for k in KINDS)
    assert not hasattr(samples, "compliants")
    assert list(samples) == list(KINDS) and "findings" not in samples  # still a mapping of the kinds
    assert list(samples.findings.columns) == ["file", "sheet", "cell", "row", "column", "severity", "code", "message"]
    import copy

    assert copy.copy(samples).refunds is samples.refunds  # copying does not trip over the attributes
