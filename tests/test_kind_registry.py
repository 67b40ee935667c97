"""A ledger kind is defined once: a toy sixth kind, defined in this module and its data file
(tests/toy_kind.toml), flows through check, summary --json, the 汇总表 and the master with no
other edit to the package."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import openpyxl
import pytest

from fixtures import write_xlsx
from taizhang.checks.base import CheckContext
from taizhang.cli import main
from taizhang.config import load_config
from taizhang.consolidation.run import consolidate
from taizhang.findings import CATALOGUE, Severity
from taizhang.kinds import Block, Kind, KindDef, Line, register, unregister
from taizhang.kinds.base import ReportSection
from taizhang.model import Count, Day, LedgerRow, Text

KIND = Kind("vehicles")


@dataclass(frozen=True, kw_only=True)
class VehicleRow(LedgerRow):
    kind: ClassVar[Kind] = KIND
    summable: ClassVar[tuple[str, ...]] = ("km",)
    event_dates: ClassVar[tuple[str, ...]] = ("used_on",)
    period_fields: ClassVar[tuple[str, ...]] = ("used_on",)
    used_on: Day = None
    plate: Text = None
    purpose: Text = None
    km: Count = None


@dataclass(kw_only=True)
class VehicleFigures:
    trips: int = 0
    km: int = 0
    undated: int = 0


def long_trips(ledger, ctx: CheckContext):
    for row in ledger.rows:
        if row.km is not None and row.km > 500:
            yield ledger.finding("long-trip", f"里程 {row.km} 公里过长，请核对", "km", row.origin.row)


def report_part(out, v: str, when: str) -> None:
    out.tag(f"{{%p if {v}.trips %}}")
    out.p(f"{when}公务用车{{{{ {v}.trips }}}}次，行驶{{{{ {v}.km }}}}公里。")
    out.tag("{%p else %}")
    out.p(f"{when}没有公务用车。")
    out.tag("{%p endif %}")


class Vehicles(KindDef):
    kind = KIND
    row_model = VehicleRow
    figures_model = VehicleFigures
    report_rank = 60
    block_title = "公车使用"
    detail_label = "用车"
    master_sheet = "公车使用合并"
    data_file = Path(__file__).with_name("toy_kind.toml")
    codes = {"long-trip": ("error", "单次用车里程过长")}

    def rules(self):
        return (long_trips,)

    def figures(self, rows, config, as_of):
        return VehicleFigures(trips=len(rows), km=sum(r.km or 0 for r in rows))

    def block(self, now, ytd, config):
        return Block(self.block_title, [
            Line("用车次数", now.trips, ytd.trips if ytd else None, "0", bold=True),
            Line("里程（公里）", now.km, ytd.km if ytd else None, "0")])

    def sentences(self, fig, config):
        return f"公务用车{fig.trips}次，行驶{fig.km}公里。" if fig.trips else ""

    def detail(self, row):
        return (row.plate, row.purpose, None, None, f"{row.km}公里")

    def report_sections(self):
        return (ReportSection(70, "公务用车情况", report_part),)


@pytest.fixture
def toy():
    register(Vehicles)
    yield
    unregister("vehicles")


VEHICLES = [
    ["编号", "用车日期", "车牌", "事由", "公里数"],
    [1, "2026-10-08", "赣A12345", "检查", 40],
    [2, "2026-10-20", "赣A12345", "开会", 600],
    [3, "2026-09-02", "赣A67890", "会议", 30],
    ["合计", None, None, None, 670],
]
COMPLAINTS = [["收件日期", "来源", "办理状态"], ["2026-10-01", "自办", "在办"]]


def test_a_toy_kind_flows_through_check_summary_sheet_and_master(toy, tmp_path, capsys):
    book = write_xlsx(tmp_path / "县一中.xlsx", {"信访举报台账": COMPLAINTS, "用车台账": VEHICLES})
    assert "vehicles" in load_config().kinds and Kind.VEHICLES is KIND

    assert main(["check", str(book), "--as-of", "2026-10-31", "--json"]) == 1
    checked = json.loads(capsys.readouterr().out)["files"][0]
    assert {lg["kind"]: lg["rows"] for lg in checked["ledgers"]} == {"complaints": 1, "vehicles": 3}
    assert [(f["code"], f["severity"], f["cell"]) for f in checked["findings"]] == [("long-trip", "error", "E3")]
    assert CATALOGUE["long-trip"] == (Severity.ERROR, "单次用车里程过长")

    out = tmp_path / "汇总.xlsx"
    main(["summary", str(book), "--period", "2026-10", "--as-of", "2026-10-31", "--json", "-o", str(out)])
    data = json.loads(capsys.readouterr().out)
    assert data["vehicles"] == {"trips": 2, "km": 640, "undated": 0}
    assert data["year_to_date"]["vehicles"] == {"trips": 3, "km": 670, "undated": 0}
    assert "公务用车2次，行驶640公里。" in data["narrative"]
    ws = openpyxl.load_workbook(out)["汇总表"]
    column_a = [str(c.value).strip("　") for c in ws["A"] if c.value is not None]
    assert "六、公车使用" in column_a
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "用车次数")
    assert (ws.cell(row, 2).value, ws.cell(row, 3).value) == (2, 3)

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    book.rename(inbox / book.name)
    roster = write_xlsx(tmp_path / "名册.xlsx", {"单位名册": [["单位", "别名"], ["县一中", ""]]})
    master = tmp_path / "主表.xlsx"
    result = consolidate(inbox, "2026-10", master, config=load_config(), roster_path=roster, jobs=1)
    assert result.rows_written == 4 and result.summary["vehicles"]["trips"] == 2
    detail = openpyxl.load_workbook(master)["公车使用合并"]
    assert [c.value for c in detail[1]][:9] == ["单位", "月份", "来源文件", "原工作表", "原行号",
                                                "序号", "用车日期", "车牌号", "用车事由"]
    assert detail.max_row == 4


def test_without_the_toy_kind_nothing_of_it_remains(tmp_path, capsys):
    book = write_xlsx(tmp_path / "县一中.xlsx", {"用车台账": VEHICLES})
    assert "vehicles" not in load_config().kinds and not hasattr(Kind, "VEHICLES")
    assert "long-trip" not in CATALOGUE
    main(["summary", str(book), "--period", "2026-10", "--as-of", "2026-10-31", "--json"])
    assert "vehicles" not in json.loads(capsys.readouterr().out)


def test_a_toy_kind_writes_its_own_part_of_the_word_report(toy, tmp_path, capsys):
    import docx

    from taizhang.report.make_template import build

    template = tmp_path / "模板.docx"
    build(template)  # the default template, made from the registry
    book = write_xlsx(tmp_path / "县一中.xlsx", {"信访举报台账": COMPLAINTS, "用车台账": VEHICLES})
    out = tmp_path / "汇报.docx"
    assert main(["report", str(book), "--period", "2026-10", "--as-of", "2026-10-31", "--template", str(template),
                 "-o", str(out)]) in (0, 1)
    capsys.readouterr()
    text = [p.text for p in docx.Document(str(out)).paragraphs]
    at = text.index("五、公务用车情况")  # after the four parts always there, before 下一步工作
    assert "本月公务用车2次，行驶640公里。" in text[at:] and "截至2026年10月底，全年累计公务用车3次，行驶670公里。" in text[at:]
    assert "六、下一步工作" in text[at:]


def test_a_row_model_that_is_not_a_dataclass_of_its_own_is_refused_at_registration():
    """A row model subclasses LedgerRow and is a dataclass itself: without the decorator its
    fields would be no fields, and every cell of the kind would go unread without a word."""

    class Undecorated(LedgerRow):
        kind: ClassVar[Kind] = Kind("bikes")
        plate: Text = None

    class Bikes(KindDef):
        kind = Kind("bikes")
        row_model = Undecorated
        figures_model = VehicleFigures

    with pytest.raises(TypeError, match="Undecorated must be a dataclass"):
        register(Bikes)
    assert "bikes" not in [d.kind.value for d in __import__("taizhang.kinds", fromlist=["kinds"]).kinds()]
