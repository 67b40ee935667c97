"""Workbooks saved by another program (LibreOffice here) read like the originals."""

from __future__ import annotations

import dataclasses

import shutil
import subprocess
from pathlib import Path

import pytest

from fixtures import AS_OF
from taizhang.usecases.files import check_file

MONTH = Path(__file__).resolve().parent.parent / "workbooks" / "samples" / "2026-10"

pytestmark = [pytest.mark.render,
              pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice 未安装")]


def _summary(report):
    return ([(lg.kind.value, lg.sheet, len(lg.rows)) for lg in report.ledgers],
            sorted((f.code, f.sheet, f.cell) for f in report.findings),
            [[(r.origin.row, {k: v for k, v in dataclasses.asdict(r).items() if k != "origin"}) for r in lg.rows] for lg in report.ledgers])


@pytest.mark.slow
@pytest.mark.parametrize("unit", ["县第一中学_2026年10月台账.xlsx", "县第二中学_10月台账.xlsx"])
@pytest.mark.parametrize("target", ["xlsx:Calc MS Excel 2007 XML", "ods", "xls:MS Excel 97"])
def test_saved_by_libreoffice_reads_like_the_original(tmp_path, unit, target):
    source = tmp_path / "原件 台账.xlsx"  # a name with a space and Chinese
    shutil.copy(MONTH / unit, source)
    subprocess.run(["soffice", "--headless", "--convert-to", target, "--outdir", str(tmp_path / "out"), str(source)],
                   check=True, capture_output=True, timeout=180)
    [converted] = list((tmp_path / "out").iterdir())
    assert _summary(check_file(converted, as_of=AS_OF)) == _summary(check_file(source, as_of=AS_OF))


@pytest.mark.slow
def test_a_master_resaved_by_libreoffice_goes_on_as_before(tmp_path):
    """The clerk opens the bureau's master in another program and saves it: the next month's
    consolidation reads it back, keeps the earlier month and the clerk's own sheet."""
    import python_calamine as pc

    from fixtures import write_xlsx
    from taizhang.config import default_config
    from taizhang.consolidation.run import consolidate

    master = tmp_path / "局主表.xlsx"
    roster = write_xlsx(tmp_path / "名册.xlsx", {"单位名册": [["单位", "别名"], ["县第一中学", "县一中"]]})
    header = ["编号", "收件日期", "来源", "方式", "办理状态", "办结日期"]

    def month(name, day, n):
        inbox = tmp_path / name
        inbox.mkdir()
        rows = [["填报单位：县一中"], header] + [[i, day.replace(day=i), "自办", "来信", "在办", None]
                                             for i in range(1, n + 1)]
        write_xlsx(inbox / "县一中.xlsx", {"信访举报台账": rows})
        return inbox

    from datetime import date

    consolidate(month("sep", date(2026, 9, 1), 2), "2026-09", master, config=default_config(),
                roster_path=roster, jobs=1)
    subprocess.run(["soffice", "--headless", "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir",
                    str(tmp_path / "resaved"), str(master)], check=True, capture_output=True, timeout=180)
    shutil.copy(tmp_path / "resaved" / master.name, master)
    result = consolidate(month("oct", date(2026, 10, 1), 3), "2026-10", master, config=default_config(),
                         roster_path=roster, jobs=1)
    assert [(f.status, f.rows_written) for f in result.files] == [("ok", 3)]
    detail = pc.CalamineWorkbook.from_path(str(master)).get_sheet_by_name("信访举报合并").to_python()
    months = [r[detail[0].index("月份")] for r in detail[1:]]
    assert months == ["2026-09", "2026-09", "2026-10", "2026-10", "2026-10"]
