"""The consolidation a user would write with pandas + openpyxl, the baseline of two benchmarks:
``bench_consolidate.py`` runs it in its own process, ``bench_processes.py`` as a process of its
own (so this module imports only pandas: the baseline pays for nothing of taizhang's).

Reads every sheet of every workbook of the folder (openpyxl engine, headers on row 2), puts the
file's name in front of each row, concatenates each ledger and writes the four detail sheets:
no checks, no roster, no provenance.

    python benchmarks/naive_consolidate.py FOLDER OUT.xlsx
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

#: The ledgers of ``benchdata.make_month``'s workbooks, in its order.
SHEETS = ("整改台账", "信访举报台账", "退费台账", "处分台账")


def consolidate(folder: Path, out: Path) -> None:
    frames: dict[str, list[pd.DataFrame]] = {s: [] for s in SHEETS}
    for path in sorted(folder.glob("*.xlsx")):
        for sheet, df in pd.read_excel(path, sheet_name=None, header=1, engine="openpyxl").items():
            df.insert(0, "来源文件", path.name)
            frames[sheet].append(df)
    with pd.ExcelWriter(out, engine="openpyxl") as writer:
        for sheet, parts in frames.items():
            pd.concat(parts, ignore_index=True).to_excel(writer, sheet_name=sheet, index=False)


if __name__ == "__main__":
    consolidate(Path(sys.argv[1]), Path(sys.argv[2]))
