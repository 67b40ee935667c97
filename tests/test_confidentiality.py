"""Complainant identity (反映人, 联系电话) never leaves a unit's ledger: not in check, summary
or consolidate output, not in any workbook taizhang writes, not in a log line."""

from __future__ import annotations

import logging
import zipfile
from pathlib import Path

import pytest
from fixtures import write_xlsx
from macros.openpyxl_port import OpenpyxlWorkbook
from macros.ribbon import run
from taizhang.cli import main
from udfs import functions as udf

SECRETS = ("欧阳秘密", "司马机密", "13911112222", "0571-87654321", "18600001234")
LEDGER = [
    ["填报单位：县一中"],
    ["编号", "收件日期", "来源", "方式", "反映人", "举报人电话", "办理状态", "办结日期", "核查结论"],
    [1, "2026-10-03", "省转办", "来信", "欧阳秘密", "13911112222", "办结", "2026-10-09", "属实"],
    [2, "2026-10-05", "区转办", "来访", "司马机密", "0571-87654321", "在办", None, None],   # bad source
    [3, "2026-13-05", "自办", "来电", "欧阳秘密", "18600001234", "办结", None, "查无此事"],  # bad date, ...
    [3, "2026-10-07", "自办", "来电", "欧阳秘密", "18600001234", "办结", None, "查无此事"],  # duplicate id
]


def _everything_in(path: Path) -> str:
    """Every text a workbook holds, read from its XML parts (shared and inline strings alike)."""
    with zipfile.ZipFile(path) as z:
        return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))


@pytest.mark.slow
def test_no_output_carries_complainant_identity(tmp_path, capsys, caplog):
    caplog.set_level(logging.DEBUG)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    source = write_xlsx(inbox / "县一中.xlsx", {"信访举报台账": LEDGER})
    roster = write_xlsx(tmp_path / "名册.xlsx", {"单位名册": [["单位", "别名"], ["县一中", ""]]})
    outputs: list[str] = []
    written: list[Path] = []

    for argv in (["check", str(source), "--as-of", "2026-10-31"],
                 ["check", str(source), "--as-of", "2026-10-31", "--json"],
                 ["summary", str(source), "--as-of", "2026-10-31", "-o", str(tmp_path / "s.xlsx")],
                 ["summary", str(source), "--as-of", "2026-10-31", "--json"],
                 ["report", str(source), "--as-of", "2026-10-31", "-o", str(tmp_path / "r.docx"), "--json"],
                 ["consolidate", str(inbox), "--period", "2026-10", "--master", str(tmp_path / "m.xlsx"),
                  "--roster", str(roster)],
                 ["consolidate", str(inbox), "--period", "2026-10", "--master", str(tmp_path / "m.xlsx"),
                  "--roster", str(roster), "--json"]):
        main(argv)
        captured = capsys.readouterr()
        outputs += [captured.out, captured.err]
    written += [tmp_path / "s.xlsx", tmp_path / "m.xlsx", tmp_path / "r.docx"]

    unit_copy = tmp_path / "copy.xlsx"
    unit_copy.write_bytes(source.read_bytes())
    port = OpenpyxlWorkbook(unit_copy)
    for action in ("tz_check", "tz_summary", "tz_report"):
        outputs.append(run(action, port))
    port.save()
    outputs += port.messages
    written += list(tmp_path.glob("copy_*情况汇报.docx"))  # the ribbon's report, beside the workbook
    outputs.append(str(udf.LEDGER_CHECK(LEDGER[1:])))
    outputs.append(caplog.text)

    everything = "\n".join(outputs) + "".join(_everything_in(p) for p in written)
    assert "县一中" in everything and "区转办" in everything  # the outputs are really there
    assert all(p.is_file() for p in written) and len(written) == 4
    assert "共受理信访举报" in _everything_in(tmp_path / "r.docx")
    for secret in SECRETS:
        assert secret not in everything, secret
    # the master keeps the detail masked, as DOMAIN.md asks for detail leaving the unit
    master = _everything_in(tmp_path / "m.xlsx")
    assert "欧***" in master and "139****2222" in master
    # the unit's own copy still has its ledger, of course, but the sheets taizhang added do not
    added = port.book["问题清单"], port.book["汇总表"], port.book["明细"], port.book["汇报材料"]
    text = " ".join(str(c.value) for ws in added for row in ws.iter_rows() for c in row)
    for secret in SECRETS:
        assert secret not in text
