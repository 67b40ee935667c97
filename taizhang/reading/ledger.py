"""The rows under a ledger's header: data rows become typed rows, total rows become claims.

Blank rows are skipped, and so are rows that hold nothing but a pre-filled 序号.  A row whose
first cells say 合计 / 小计 / 总计 is a total row: never counted, kept as a claim that the
checks verify.  A ``填表人：…`` line ends the table.  Every row keeps its origin (file, sheet,
Excel row number); every problem found on the way is a finding naming the cell.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
import operator
import re
from dataclasses import field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from taizhang.config import Config, Kind
from taizhang.findings import Finding, Severity
from taizhang.model import LedgerRow, ParseContext, row_model
from taizhang.records import dataclass
from taizhang.validation import origins, typed_rows
from taizhang.reading.layout import Layout
from taizhang.reading.book import Sheet, cell_ref
from taizhang.values import (
    EDGE_CHARACTERS,
    ValueParseError,
    clean_text,
    is_trimmed,
    match_key,
    parse_count,
    parse_money,
)

TOTAL_LABEL = re.compile(r"^(?:本月|本年|全年|年度|累计|本页)?(合计|小计|总计)")
FOOTER_LABEL = re.compile(
    r"^(?:填表人|制表人|填报人|审核人|审核|负责人|单位负责人|分管领导|主要负责人|填表日期|填报日期|制表日期|报送日期)"
)
#: The first characters of the footer labels, and what match_key drops before them: a row
#: whose first text starts otherwise is no footer (checked before the costlier match_key).
_FOOTER_FIRST = frozenset(w[0] for w in FOOTER_LABEL.pattern[4:-1].split("|"))
_KEY_EDGE = " \t\r\n\u3000\xa0\u200b\ufeff*＊:：、,，.。;；!！?？·"


@dataclass(frozen=True)
class TotalLine:
    """A total row of the ledger (合计 / 小计 / 总计) and the figures it claims."""

    row: int  # Excel row number
    label: str  # 合计 | 小计 | 总计
    claims: dict[str, Decimal]  # field -> the figure written in the total row
    covers: tuple[int, int]  # indexes into Ledger.rows: rows[start:end] are summed


@dataclass(frozen=True)
class LedgerHead:
    """What is said of a ledger without its rows: all that ``check``'s output, the 问题清单
    and the blocking errors need, small enough to pass back from a worker process."""

    kind: Kind
    sheet: str
    hidden: bool
    #: Excel row number of the header (see :attr:`Ledger.header_row`).
    header_row: int
    reporting_unit: str | None
    #: The kind's name, 信访举报台账 ….
    label: str
    row_count: int


@dataclass
class Ledger:
    """One ledger found in one sheet, read and typed."""

    kind: Kind
    file: str
    sheet: str
    hidden: bool
    layout: Layout
    rows: list[LedgerRow] = field(default_factory=list)
    totals: list[TotalLine] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    #: The cells of the rows by field, (fields, columns): ``raw`` is made of them when asked.
    _cells: tuple[tuple[str, ...], list[list[Any]]] | None = field(default=None, repr=False, compare=False)
    _raw: list[dict[str, Any]] | None = field(default=None, repr=False, compare=False)
    #: (the rows, field -> its typed value in each of them) as the reader made them: see :meth:`column`.
    _typed: tuple[list[LedgerRow], dict[str, list[Any]], int] | None = field(default=None, repr=False, compare=False)

    @property
    def raw(self) -> list[dict[str, Any]]:
        """The cell values of each row as read, aligned with ``rows``: what a value that could
        not be parsed (and is ``None`` in the typed row) actually said.  Made when first asked
        (the consolidation asks; a check or a worksheet function need not)."""
        if self._raw is None:
            if self._cells is None:
                self._raw = []
            else:
                names, columns = self._cells
                self._raw = [dict(zip(names, values)) for values in zip(*columns)] if names \
                    else [{} for _ in self.rows]
        return self._raw

    @raw.setter
    def raw(self, value: list[dict[str, Any]]) -> None:
        self._raw = value

    @functools.cached_property
    def model(self) -> type[LedgerRow]:
        """The row model of the ledger's kind."""
        return row_model(self.kind)

    @property
    def header_row(self) -> int:
        """Excel row number of the header (the first header row when it spans two)."""
        return self.layout.header_row + 1

    @property
    def reporting_unit(self) -> str | None:
        return self.layout.reporting_unit

    @property
    def head(self) -> LedgerHead:
        return LedgerHead(self.kind, self.sheet, self.hidden, self.header_row, self.reporting_unit,
                          self.layout.spec.label, len(self.rows))

    def column(self, field_name: str) -> list[Any]:
        """The value of ``field_name`` in each row, in order: the reader's typed column while
        ``rows`` is the list it made (the rules read whole columns at C speed), else taken
        from the rows.  Not to be changed."""
        found = self.typed_columns(field_name)
        return found[0] if found is not None else list(map(operator.attrgetter(field_name), self.rows))

    def typed_columns(self, *field_names: str) -> list[list[Any]] | None:
        """The reader's typed columns of ``field_names`` (see :meth:`column`), or None when
        ``rows`` is no longer the list the reader made (or is not of the kind's row model)."""
        typed = self._typed
        if typed is None or typed[0] is not self.rows or len(typed[0]) != typed[2]:
            return None
        try:
            return [typed[1][name] for name in field_names]
        except KeyError:
            return None

    def cell(self, field_name: str, row: int) -> str | None:
        """The Excel reference of ``field_name``'s cell in Excel row ``row``."""
        col = self.layout.columns.get(field_name)
        return None if col is None else cell_ref(row - 1, col)

    def column_name(self, field_name: str) -> str:
        return self.layout.spec.column(field_name).name

    def finding(self, code: str, message: str, field_name: str | None = None,
                row: int | None = None, severity: Severity | None = None) -> Finding:
        """A finding located in this ledger (at ``field_name``'s cell of ``row`` when given)."""
        return Finding.make(
            code, message, sheet=self.sheet, row=row,
            cell=self.cell(field_name, row) if field_name and row else None,
            column=self.column_name(field_name) if field_name else None,
            severity=severity,
        )


class _Texts:
    """``clean_text`` and ``match_key`` of the cells of one sheet, each distinct text worked
    out once (a ledger repeats its schools, sources and statuses on every row)."""

    def __init__(self) -> None:
        self.clean: dict[tuple[type, Any], str | None] = {}
        self.keys: dict[str, str] = {}

    def text(self, value: Any) -> str | None:
        if value is None:
            return None
        kind = type(value)
        if kind is str and is_trimmed(value):
            return value  # what clean_text gives for text without edge spaces
        try:
            key = (kind, value)
            found = self.clean.get(key, self)
        except TypeError:
            return clean_text(value)
        if found is self:
            found = self.clean[key] = clean_text(value)
        return found  # type: ignore[return-value]

    def key(self, text: str) -> str:
        found = self.keys.get(text)
        if found is None:
            found = self.keys[text] = match_key(text)
        return found

    def first(self, cells: list[Any], n: int) -> list[str]:
        """The first ``n`` texts of a row (its non-empty cells).  A number or a date stands
        as ``"0"``: what is asked of these texts (a 合计 label, a 填表人 line) is never a
        number's, and a ledger's every row starts with its 序号."""
        out = []
        for v in cells:
            kind = type(v)
            if kind is float:
                if v - v != 0:  # NaN and the infinities: empty, as clean_text has it
                    continue
                t: str | None = "0"
            elif kind is int or kind is datetime or kind is date:
                t = "0"
            elif kind is str and is_trimmed(v):
                t = v  # what text() gives for text without edge spaces
            else:
                t = self.text(v)
            if t is not None:
                out.append(t)
                if len(out) == n:
                    break
        return out


def read_ledger(sheet: Sheet, layout: Layout, config: Config, file: str,
                fields: set[str] | None = None) -> Ledger:
    """Read the data rows and total rows of the ledger ``layout`` found in ``sheet``.

    ``fields`` limits the typed values worked out to those fields (the others are None): a
    worksheet function summing one column of ten thousand rows need not parse the others.
    Rows, total rows and blank rows are found from every column all the same
    (:func:`classify_rows`, column by column).
    """
    ledger = Ledger(layout.kind, file, sheet.name, not sheet.visible, layout)
    structure_findings(ledger)
    ctx = ParseContext(config, layout.kind, layout.scales)
    columns = layout.columns
    texts = _Texts()
    first = layout.data_start
    body = sheet.rows[first:]
    cols = list(itertools.zip_longest(*body)) if body else []
    end, blank, labels = classify_rows(cols, len(body), layout, texts)
    data_rows = [i for i in range(end) if i not in blank and i not in labels]
    # rows with a formula without its value or an error value, said where the row comes
    flagged = {r - first for r, _c in sheet.formulas_without_value} | {r - first for r, _c in sheet.cell_errors}
    special = sorted(labels.keys() | {i for i in flagged if 0 <= i < end and texts.first(body[i], 1)})
    # findings in the order the rows give them: a finding, or the index of a data row whose
    # parsing problems (worked out below, column by column) go there
    events: list[Finding | int] = []
    done = 0  # data rows placed among the events so far
    subtotal_start = 0
    for i in special:
        upto = bisect.bisect_left(data_rows, i, done)
        events.extend(range(done, upto))
        done = upto
        r = first + i
        if i in flagged:
            events.extend(_flagged_findings(ledger, sheet, r))
        label = labels.get(i)
        if label is not None:
            cells = body[i]
            values = {f: (cells[c] if c < len(cells) else None) for f, c in columns.items()}
            start = 0 if label != "小计" else subtotal_start
            before = len(ledger.findings)
            ledger.totals.append(TotalLine(r + 1, label, total_claims(ledger, values, r + 1), (start, done)))
            events.extend(ledger.findings[before:])  # the claims' own findings, in their place
            del ledger.findings[before:]
            if label == "小计":
                subtotal_start = done
    events.extend(range(done, len(data_rows)))
    names = tuple(columns)
    picked = [_take(cols[c], data_rows) if c < len(cols) else [None] * len(data_rows) for c in columns.values()]
    ledger._cells = (names, picked)
    typed: dict[str, list[Any]] = {}
    rows, troubled = typed_rows(layout.kind, None, origins(file, sheet.name, [first + i + 1 for i in data_rows]),
                                ctx, fields, dict(zip(names, picked)), typed)
    ledger.rows = rows
    ledger._typed = (rows, typed, len(rows))
    if len(events) == len(data_rows):  # no finding of total or flagged rows to place among them
        events = list(troubled)  # the rows with problems, in order
    for event in events:
        if not isinstance(event, int):
            ledger.findings.append(event)
            continue
        problems = troubled.get(event)
        if problems:
            number = rows[event].origin.row
            for p in problems:
                ledger.findings.append(ledger.finding(p.code, p.message, p.field, number, Severity(p.severity)))
    if not ledger.rows and not ledger.totals:
        ledger.findings.append(Finding.make(
            "empty-ledger", f"{layout.spec.label}只有表头，没有数据行", sheet=sheet.name,
            row=ledger.header_row))
    return ledger


def _take(col: tuple, rows: list[int]) -> list:
    """The cells of ``col`` in ``rows`` (ascending)."""
    if not rows:
        return []
    if rows[-1] - rows[0] + 1 == len(rows):  # one run of rows, as most ledgers are
        return list(col[rows[0]:rows[-1] + 1])
    return [col[i] for i in rows]


def _flagged_findings(ledger: Ledger, sheet: Sheet, r: int) -> list[Finding]:
    """The findings of a row's cells that hold a formula without its value or an error value."""
    out = []
    for f, c in ledger.layout.columns.items():
        if (r, c) in sheet.formulas_without_value:
            out.append(ledger.finding(
                "formula-no-value",
                "公式没有计算结果（文件可能由程序生成、未在 Excel 中保存过），已按空值处理；"
                "请在 Excel 中打开并保存后再报送",
                f, r + 1))
        elif (error := sheet.cell_errors.get((r, c))) is not None:
            out.append(ledger.finding(
                "cell-error",
                f"单元格显示错误值 {error}（公式出错或引用已删除），已按空值处理、未计入统计；"
                "请在原表中改正后再报送",
                f, r + 1))
    return out


#: Cell types whose text is never a label and never blank (a float is blank when NaN or infinite).
_PLAIN = frozenset({float, int, bool, datetime, date, type(None)})


_TEXTS = frozenset({str, type(None)})
#: What may stand before a label's first character in a cell: what clean_text trims and what
#: the label tests strip (a footer label's first character is none of them).
_LEAD = EDGE_CHARACTERS + _KEY_EDGE
assert not _FOOTER_FIRST & set(_LEAD)


def _texts_to_look_at(col: Any, blanks_wanted: bool) -> bool:
    """Whether a column of texts and blanks may hold a text the tests of :func:`scan_column`
    take for a label (one with 计 in it, or starting with a footer label's first character
    past what may stand before it), or, when blanks are wanted, a text clean_text takes for a
    blank: a superset of those texts, found at C speed."""
    distinct = set(col)
    distinct.discard(None)
    if not distinct:
        return False
    if "计" in "".join(distinct):
        return True
    if not _FOOTER_FIRST.isdisjoint(map(operator.itemgetter(slice(0, 1)),
                                        map(str.lstrip, distinct, itertools.repeat(_LEAD)))):
        return True
    return blanks_wanted and "" in map(str.strip, distinct, itertools.repeat(EDGE_CHARACTERS))


def scan_column(col: Any, texts: _Texts, blanks_wanted: bool) -> tuple[set[int], list[int]]:
    """(rows where the cell is blank, when asked; rows where it may be a total's or the
    footer's label: a text the row tests of :func:`classify_rows` take for one, where it stands
    in its row deciding).  Each distinct value of the column is looked at once; numbers and
    dates never need a look."""
    kinds = set(map(type, col))
    if kinds <= _PLAIN:
        if not blanks_wanted:
            return set(), []
        blank = {i for i, v in enumerate(col) if v is None} if type(None) in kinds else set()
        if float in kinds:
            floats = col if kinds == {float} else [v for v in col if type(v) is float]
            if not math.isfinite(sum(floats)):
                blank |= {i for i, v in enumerate(col) if type(v) is float and not math.isfinite(v)}
        return blank, []
    if kinds <= _TEXTS and not _texts_to_look_at(col, blanks_wanted):
        # texts, none of them blank, none that may be a label: only the blank cells to find
        return (set(itertools.compress(itertools.count(), map(operator.is_, col, itertools.repeat(None))))
                if blanks_wanted and type(None) in kinds else set()), []
    try:
        distinct = set(col)
    except TypeError:  # an unhashable value (never from a reader): cell by cell
        distinct = None
    blank_values: list[Any] = []
    label_values: list[Any] = []
    for v in (distinct if distinct is not None else col):
        if type(v) in _PLAIN and v is not None and not (type(v) is float and not math.isfinite(v)):
            continue
        text = texts.text(v)
        if text is None:
            blank_values.append(v)
        elif ("计" in text and TOTAL_LABEL.match(texts.key(text))) or (
                text.lstrip(_KEY_EDGE)[:1] in _FOOTER_FIRST and FOOTER_LABEL.match(texts.key(text))):
            label_values.append(v)  # what the row tests below take for a label (审计 is none)
    if distinct is None:
        def among(found: list[Any]) -> Any:
            return lambda v: any(v is x or v == x for x in found)
    else:
        def among(found: list[Any]) -> Any:
            return set(found).__contains__
    blank: set[int] = set()
    if blanks_wanted and blank_values:
        is_blank_value = among(blank_values)
        blank = {i for i, v in enumerate(col) if is_blank_value(v)}
    labels: list[int] = []
    if label_values:
        is_label = among(label_values)
        labels = [i for i, v in enumerate(col) if is_label(v)]
    return blank, labels


def classify_rows(cols: list[Any], n: int, layout: Layout,
                  texts: _Texts) -> tuple[int, set[int], dict[int, str]]:
    """What the rows under the header are, worked out column by column (``cols``: the columns
    of the ``n`` rows from the header down, ragged rows padded with None):
    (the row the table ends before: a ``填表人：…`` line, the rows blank in the ledger's
    columns or holding only a 序号, the total rows and their label 合计 / 小计 / 总计).

    A row is judged by its first three cells that are not blank, as staff write a table:
    a footer line starts with its label, a total row's label comes first or after a 序号.
    """
    content = {c for f, c in layout.columns.items() if f != "seq"}
    blank: set[int] | None = None if content & set(range(len(cols))) else set(range(n))
    candidates: set[int] = set()
    for j, col in enumerate(cols):
        blanks, found = scan_column(col, texts, j in content)
        candidates.update(found)
        if j in content:
            blank = blanks if blank is None else blank & blanks
    assert blank is not None
    end, labels = n, {}
    for i in sorted(candidates):
        head = texts.first([c[i] for c in cols], 3)
        if not head:
            continue
        if head[0].lstrip(_KEY_EDGE)[:1] in _FOOTER_FIRST and FOOTER_LABEL.match(texts.key(head[0])):
            end = i
            break
        for t in head:
            if "计" in t and (m := TOTAL_LABEL.match(texts.key(t))):
                labels[i] = m.group(1)
                break
    return end, blank, labels


def structure_findings(ledger: Ledger) -> None:
    """The findings of the header itself: a required column missing, a column not known, a
    column twice."""
    layout = ledger.layout
    header = ledger.header_row
    for col in layout.missing_required:
        ledger.findings.append(Finding.make(
            "missing-column",
            f"缺少必填列“{col.name}”（也可写作：{'、'.join(col.synonyms) or '无'}），该列的检查与统计无法进行",
            sheet=ledger.sheet, row=header, column=col.name))
    for cell in layout.unknown:
        ledger.findings.append(Finding.make(
            "unknown-column", f"未识别的列“{cell.text}”，已忽略（如是标准列的别名，可在配置中添加）",
            sheet=ledger.sheet, row=header, cell=cell_ref(layout.header_row + layout.header_height - 1, cell.col),
            column=cell.text))
    for cell in layout.duplicates:
        assert cell.spec is not None
        ledger.findings.append(Finding.make(
            "duplicate-column",
            f"“{cell.text}”与前面的列都是“{cell.spec.name}”，只读取第一列",
            sheet=ledger.sheet, row=header, cell=cell_ref(layout.header_row + layout.header_height - 1, cell.col),
            column=cell.spec.name))


def total_claims(ledger: Ledger, values: dict[str, Any], row: int) -> dict[str, Decimal]:
    """The figures a total row states, for the fields a total can sum."""
    claims: dict[str, Decimal] = {}
    money = ledger.model.money_fields
    for f in ledger.model.summable:
        raw = values.get(f)
        if clean_text(raw) is None:
            continue
        try:
            if f in money:
                claims[f] = parse_money(raw, unit=ledger.layout.scales.get(f, Decimal(1)))
            else:
                claims[f] = Decimal(parse_count(raw))
        except ValueParseError as exc:
            code = "invalid-amount" if f in money else "invalid-number"
            ledger.findings.append(ledger.finding(code, f"合计行：{exc}", f, row))
    return claims
