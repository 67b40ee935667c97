"""Nothing lost, nothing crashes: a property test over generated ledgers, and a fuzz test
over mutated workbooks, both on a fixed budget."""

from __future__ import annotations

import io
import random
import zipfile
from decimal import Decimal

import python_calamine as pc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fixtures import AS_OF, write_xlsx
from taizhang.config import default_config
from taizhang.consolidation.run import consolidate
from taizhang.findings import REFUSAL_CODES
from taizhang.usecases.files import check_file

SCHOOLS = ["一中", "二中", "城关小学"]
HEADER = ["序号", "学校", "查实日期", "应退金额", "已退金额"]

money = st.decimals(min_value=0, max_value=100000, places=2, allow_nan=False, allow_infinity=False)
valid = st.builds(lambda s, due, frac, day: ("valid", [s, f"2026-10-{day:02d}", due, (due * frac).quantize(Decimal("0.01"))]),
                  st.sampled_from(SCHOOLS), money, st.sampled_from([Decimal(0), Decimal("0.5"), Decimal(1)]),
                  st.integers(1, 28))
invalid = st.builds(lambda s: ("invalid", [s, "2026-10-05", "待核实", "100"]), st.sampled_from(SCHOOLS))
blank = st.just(("blank", [None, None, None, None]))
row_kinds = st.lists(st.one_of(valid, valid, invalid, blank, st.just(("duplicate", None)), st.just(("total", None))),
                     min_size=1, max_size=25)


def _sheet(kinds):
    """Rows as a unit would write them, and the data rows among them."""
    rows, data = [], []
    for kind, cells in kinds:
        if kind == "duplicate":
            if not data:
                continue
            kind, cells = data[-1]
        if kind == "total":
            due = sum((c[2] for k, c in data if k == "valid"), Decimal(0))
            rows.append(["合计", None, None, float(due), None])
            continue
        if kind == "blank":
            rows.append([None] * 5)
            continue
        data.append((kind, cells))
        rows.append([len(data)] + [float(v) if isinstance(v, Decimal) else v for v in cells])
    return rows, data


@pytest.mark.slow
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kinds=row_kinds)
def test_every_row_is_written_or_rejected_and_figures_recount(tmp_path_factory, kinds):
    rows, data = _sheet(kinds)
    folder = tmp_path_factory.mktemp("prop")
    inbox = folder / "inbox"
    inbox.mkdir()
    write_xlsx(inbox / "县一中.xlsx", {"退费台账": [["填报单位：县一中"], HEADER, *rows]})
    roster = write_xlsx(folder / "名册.xlsx", {"单位名册": [["单位", "别名"], ["县一中", ""]]})
    master = folder / "master.xlsx"
    result = consolidate(inbox, "2026-10", master, config=default_config(), roster_path=roster, jobs=1)
    [outcome] = result.files
    assert outcome.rows_read == outcome.rows_written + outcome.rows_rejected == len(data)
    detail = pc.CalamineWorkbook.from_path(str(master)).get_sheet_by_name("退费合并").to_python()
    assert len(detail) - 1 == outcome.rows_written
    expected = sum((Decimal(str(c[3])) for _k, c in data), Decimal(0))  # 已退 parses in every data row
    assert Decimal(result.summary["refunds"]["refunded"]) == expected.quantize(Decimal("0.01"))
    assert result.summary["refunds"]["cases"] == len(data)
    first = pc.CalamineWorkbook.from_path(str(master)).get_sheet_by_name("退费合并").to_python()
    consolidate(inbox, "2026-10", master, config=default_config(), roster_path=roster, jobs=1)
    assert pc.CalamineWorkbook.from_path(str(master)).get_sheet_by_name("退费合并").to_python() == first


def _mutants(seed: int, source: bytes, count: int):
    """Byte flips in the file, and byte flips inside the unpacked parts (cell values too)."""
    rnd = random.Random(seed)
    with zipfile.ZipFile(io.BytesIO(source)) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    for n in range(count):
        if n % 2 == 0:
            data = bytearray(source)
            for _ in range(rnd.randint(1, 8)):
                data[rnd.randrange(len(data))] = rnd.randrange(256)
            yield bytes(data)
        else:
            name = rnd.choice([p for p in parts if p.endswith(".xml")])
            part = bytearray(parts[name])
            for _ in range(rnd.randint(1, 6)):
                part[rnd.randrange(len(part))] = rnd.choice(b"<>\"&=/ 0123456789ABC\x00\xff")
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
                for p, d in parts.items():
                    out.writestr(p, bytes(part) if p == name else d)
            yield buf.getvalue()


@pytest.mark.slow
@pytest.mark.parametrize("ext, budget", [("xls", 60), ("ods", 150)])
def test_mutated_legacy_and_opendocument_files_never_crash(tmp_path, ext, budget):
    """Fuzzing .xls once found the reader aborting the process (now read in a child process)
    and .ods a zipfile OSError escaping; both are refusals now."""
    from fixtures import write_ods, write_xls

    writer = {"xls": write_xls, "ods": write_ods}[ext]
    source = writer(tmp_path / f"src.{ext}", {"退费台账": [["学校", "应退金额", "已退金额"], ["一中", 100, 50]]}).read_bytes()
    rnd = random.Random(1022)
    target = tmp_path / f"mutant.{ext}"
    read = 0
    for _ in range(budget):
        data = bytearray(source)
        for _ in range(rnd.randint(1, 10)):
            data[rnd.randrange(len(data))] = rnd.randrange(256)
        target.write_bytes(bytes(data))
        report = check_file(target, as_of=AS_OF)  # must not raise, nor take the process down
        assert report.refusal is None or report.refusal.code in REFUSAL_CODES
        read += report.refusal is None
    assert read > 0


def test_mutated_workbooks_never_crash_the_reader(tmp_path):
    source = write_xlsx(tmp_path / "src.xlsx", {
        "信访举报台账": [["编号", "收件日期", "来源", "办理状态", "办结日期", "来访人次"],
                     [1, "2026-10-01", "省转办", "办结", "2026-10-05", 2],
                     [2, "2026-10-02", "自办", "在办", None, None]],
        "退费台账": [["学校", "应退金额", "已退金额"], ["一中", "4.5万元", 45000], ["合计", 45000, 45000]],
    }).read_bytes()
    outcomes = {"read": 0, "refused": 0}
    target = tmp_path / "mutant.xlsx"
    for data in _mutants(seed=20261022, source=source, count=160):
        target.write_bytes(data)
        report = check_file(target, as_of=AS_OF)  # must not raise
        if report.refusal is not None:
            assert report.refusal.code in REFUSAL_CODES and str(target) in report.refusal.message
            outcomes["refused"] += 1
        else:
            outcomes["read"] += 1
    assert outcomes["read"] > 0 and outcomes["refused"] > 0
