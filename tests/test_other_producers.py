"""Workbooks saved by another program (LibreOffice here) read like the originals."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import AS_OF
from taizhang.service import check_file

MONTH = Path(__file__).resolve().parent.parent / "workbooks" / "samples" / "2026-10"

pytestmark = [pytest.mark.render,
              pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice 未安装")]


def _summary(report):
    return ([(lg.kind.value, lg.sheet, len(lg.rows)) for lg in report.ledgers],
            sorted((f.code, f.sheet, f.cell) for f in report.findings),
            [[(r.origin.row, r.model_dump(exclude={"origin"})) for r in lg.rows] for lg in report.ledgers])


@pytest.mark.parametrize("unit", ["县第一中学_2026年10月台账.xlsx", "县第二中学_10月台账.xlsx"])
@pytest.mark.parametrize("target", ["xlsx:Calc MS Excel 2007 XML", "ods", "xls:MS Excel 97"])
def test_saved_by_libreoffice_reads_like_the_original(tmp_path, unit, target):
    source = tmp_path / "原件 台账.xlsx"  # a name with a space and Chinese
    shutil.copy(MONTH / unit, source)
    subprocess.run(["soffice", "--headless", "--convert-to", target, "--outdir", str(tmp_path / "out"), str(source)],
                   check=True, capture_output=True, timeout=180)
    [converted] = list((tmp_path / "out").iterdir())
    assert _summary(check_file(converted, as_of=AS_OF)) == _summary(check_file(source, as_of=AS_OF))
