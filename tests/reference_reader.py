"""The reader's former row-by-row loop (``taizhang.reading.ledger.read_ledger`` before it
worked column by column), kept as the oracle of ``tests/test_read_by_columns.py``."""

from __future__ import annotations

import operator
from typing import Any

from taizhang.config import Config
from taizhang.findings import Finding, Severity
from taizhang.model import Origin, ParseContext
from taizhang.validation import parse_rows
from taizhang.reading.layout import Layout
from taizhang.reading.ledger import FOOTER_LABEL, TOTAL_LABEL, Ledger, TotalLine, structure_findings, total_claims
from taizhang.reading.book import Sheet
from taizhang.values import clean_text, match_key


def read_ledger_by_rows(sheet: Sheet, layout: Layout, config: Config, file: str,
                fields: set[str] | None = None) -> Ledger:
    """Read the data rows and total rows of the ledger ``layout`` found in ``sheet``.

    ``fields`` limits the typed values worked out to those fields (the others are None): a
    worksheet function summing one column of ten thousand rows need not parse the others.
    Rows, total rows and blank rows are found from every column all the same.
    """
    ledger = Ledger(layout.kind, file, sheet.name, not sheet.visible, layout)
    structure_findings(ledger)
    ctx = ParseContext(config, layout.kind, layout.scales)
    columns = layout.columns
    flagged = {r for r, _c in sheet.formulas_without_value} | {r for r, _c in sheet.cell_errors}
    subtotal_start = 0
    # findings in the order the rows give them: a finding, or the index of a data row whose
    # parsing problems (worked out below, column by column) go there
    events: list[Finding | int] = []
    data: list[dict[str, Any]] = []
    origins: list[Origin] = []
    # a row's cells in the ledger's columns, taken at once where the row is wide enough
    names = tuple(columns)
    last_column = max(columns.values(), default=0)
    pick = operator.itemgetter(*columns.values()) if len(columns) > 1 else None
    for r in range(layout.data_start, len(sheet.rows)):
        cells = sheet.rows[r]
        head = [t for t in map(clean_text, cells) if t is not None][:3]  # the row's first three texts
        if not head:
            continue
        if FOOTER_LABEL.match(match_key(head[0])):
            break
        label = None
        for t in head:
            if m := TOTAL_LABEL.match(match_key(t)):
                label = m.group(1)
                break
        if len(cells) > last_column and pick is not None:
            values = dict(zip(names, pick(cells)))
        else:
            width = len(cells)
            values = {f: (cells[c] if c < width else None) for f, c in columns.items()}
        if r in flagged:
            for f, c in columns.items():
                if (r, c) in sheet.formulas_without_value:
                    events.append(ledger.finding(
                        "formula-no-value",
                        "公式没有计算结果（文件可能由程序生成、未在 Excel 中保存过），已按空值处理；"
                        "请在 Excel 中打开并保存后再报送",
                        f, r + 1))
                elif (error := sheet.cell_errors.get((r, c))) is not None:
                    events.append(ledger.finding(
                        "cell-error",
                        f"单元格显示错误值 {error}（公式出错或引用已删除），已按空值处理、未计入统计；"
                        "请在原表中改正后再报送",
                        f, r + 1))
        if label is not None:
            start = 0 if label != "小计" else subtotal_start
            before = len(ledger.findings)
            ledger.totals.append(TotalLine(r + 1, label, total_claims(ledger, values, r + 1), (start, len(data))))
            events.extend(ledger.findings[before:])  # the claims' own findings, in their place
            del ledger.findings[before:]
            if label == "小计":
                subtotal_start = len(data)
            continue
        for f, v in values.items():
            if f != "seq" and clean_text(v) is not None:
                break
        else:
            continue  # blank in the ledger's columns, or only a pre-filled 序号
        events.append(len(data))
        data.append(values)
        origins.append(Origin(file=file, sheet=sheet.name, row=r + 1))
    parsed = parse_rows(layout.kind, data, origins, ctx, fields)
    for event in events:
        if not isinstance(event, int):
            ledger.findings.append(event)
            continue
        row, problems = parsed[event]
        ledger.rows.append(row)
        ledger.raw.append(data[event])
        for p in problems:
            ledger.findings.append(ledger.finding(
                p.code, p.message, p.field, row.origin.row, Severity(p.severity)))
    if not ledger.rows and not ledger.totals:
        ledger.findings.append(Finding.make(
            "empty-ledger", f"{layout.spec.label}只有表头，没有数据行", sheet=sheet.name,
            row=ledger.header_row))
    return ledger
