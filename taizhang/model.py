"""The domain model: one typed row per ledger line, for each of the four ledger kinds.

Rows are pydantic v2 models.  Raw cell values go in as they were read (text, numbers,
dates); validators turn them into ``date``, exact ``Decimal`` money, ``int`` counts and the
canonical names of the vocabularies.  A value that cannot be understood raises a
``PydanticCustomError`` whose type is a finding code (``invalid-date`` …); the reader turns
those into findings and keeps the rest of the row (see :func:`parse_row`).  Which column
uses which vocabulary is data (``taizhang/data/columns.toml``), not code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, ClassVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic_core import PydanticCustomError

from taizhang.config import Config, Kind
from taizhang.values import ValueParseError, clean_text, parse_count, parse_date, parse_money

#: Dates before this year are taken as mistakes (a count or a serial number in a date cell).
EARLIEST_YEAR = 1990


@dataclass
class ParseContext:
    """What validators need besides the value: the vocabularies, the column units."""

    config: Config
    kind: Kind
    scales: dict[str, Decimal] = field(default_factory=dict)
    #: Warnings raised while parsing one row: (field, code, message).
    notes: list[tuple[str, str, str]] = field(default_factory=list)


def _ctx(info: ValidationInfo) -> ParseContext:
    return info.context["parse"]


def _as_text(value: Any, info: ValidationInfo) -> str | None:
    """Free text, or a vocabulary value when the column has a vocabulary."""
    text = clean_text(value)
    if text is None:
        return None
    ctx = _ctx(info)
    vocab_name = ctx.config.kinds[ctx.kind].column(info.field_name).vocabulary
    if vocab_name is None:
        return text
    vocab = ctx.config.vocabulary(vocab_name)
    canonical = vocab.lookup(text)
    if canonical is not None:
        return canonical
    choices = "、".join(vocab.canonical)
    message = f"“{_clip(text)}”不是规定的{vocab.label}，应为：{choices}"
    if vocab.on_unknown == "error":
        raise PydanticCustomError("unknown-value", message)
    if vocab.on_unknown == "warning":
        ctx.notes.append((info.field_name, "unknown-value", message))
    return text


def _as_date(value: Any, info: ValidationInfo) -> date | None:
    if clean_text(value) is None:
        return None
    try:
        parsed = parse_date(value)
    except ValueParseError as exc:
        raise PydanticCustomError("invalid-date", str(exc)) from None
    if parsed.year < EARLIEST_YEAR:
        raise PydanticCustomError("invalid-date", f"日期“{parsed.isoformat()}”不合理，请填写实际日期")
    return parsed


def _as_money(value: Any, info: ValidationInfo) -> Decimal | None:
    if clean_text(value) is None:
        return None
    try:
        return parse_money(value, unit=_ctx(info).scales.get(info.field_name, Decimal(1)))
    except ValueParseError as exc:
        raise PydanticCustomError("invalid-amount", str(exc)) from None


def _as_count(value: Any, info: ValidationInfo) -> int | None:
    if clean_text(value) is None:
        return None
    try:
        return parse_count(value)
    except ValueParseError as exc:
        raise PydanticCustomError("invalid-number", str(exc)) from None


def _clip(text: str, n: int = 20) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


Text = Annotated[str | None, BeforeValidator(_as_text)]
Day = Annotated[date | None, BeforeValidator(_as_date)]
Money = Annotated[Decimal | None, BeforeValidator(_as_money)]
Count = Annotated[int | None, BeforeValidator(_as_count)]


class Origin(BaseModel):
    """Where a row came from: file, sheet and Excel row number (1-based)."""

    model_config = ConfigDict(frozen=True)

    file: str
    sheet: str
    row: int


class LedgerRow(BaseModel):
    """Fields common to every ledger row."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    kind: ClassVar[Kind]

    origin: Origin
    seq: Text = None
    note: Text = None


class RectificationRow(LedgerRow):
    """整改台账: one problem to rectify."""

    kind: ClassVar[Kind] = Kind.RECTIFICATION
    source: Text = None
    found_on: Day = None
    description: Text = None
    unit: Text = None
    owner: Text = None
    measures: Text = None
    deadline_type: Text = None
    deadline: Day = None
    status: Text = None
    completed_on: Day = None
    evidence: Text = None

    @model_validator(mode="before")
    @classmethod
    def _deadline_words(cls, data: Any, info: ValidationInfo) -> Any:
        """立行立改 / 长期坚持 written in the 整改时限 column is a deadline type, not a bad date."""
        if not isinstance(data, dict) or not isinstance(data.get("deadline"), str):
            return data
        vocab = _ctx(info).config.vocabulary("deadline_type")
        word = vocab.lookup(data["deadline"])
        if word is None or word == "限期整改":
            return data
        data = dict(data)
        data["deadline"] = None
        data["deadline_type"] = data.get("deadline_type") or word
        return data

    @property
    def is_done(self) -> bool:
        return self.status in ("已完成", "已销号")


class ComplaintRow(LedgerRow):
    """信访举报台账: one complaint (件)."""

    kind: ClassVar[Kind] = Kind.COMPLAINTS
    received_on: Day = None
    source: Text = None
    channel: Text = None
    category: Text = None
    subject: Text = None
    complainant: Text = None  # confidential: never printed, masked when it leaves the unit
    phone: Text = None  # confidential
    summary: Text = None
    handler: Text = None
    disposal: Text = None
    status: Text = None
    closed_on: Day = None
    conclusion: Text = None
    visitors: Count = None

    @property
    def substantiated(self) -> bool:
        """查实: the conclusion is 属实 or 部分属实."""
        return self.conclusion in ("属实", "部分属实")


class RefundRow(LedgerRow):
    """退费台账: one case of unlawful fees and what was paid back."""

    kind: ClassVar[Kind] = Kind.REFUNDS
    school: Text = None
    item: Text = None
    found_on: Day = None
    students: Count = None
    violation: Money = None
    due: Money = None
    refunded: Money = None
    to_treasury: Money = None
    refunded_on: Day = None


class SanctionRow(LedgerRow):
    """处分台账: one measure taken against one person."""

    kind: ClassVar[Kind] = Kind.SANCTIONS
    name: Text = None
    unit: Text = None
    post: Text = None
    cause: Text = None
    category: Text = None
    measure: Text = None
    #: The measure as written (党内警告), kept to tell 党纪 from 政务 when 处分类别 is empty.
    measure_written: str | None = None
    decided_on: Day = None
    doc_no: Text = None


ROW_MODELS: dict[Kind, type[LedgerRow]] = {
    Kind.RECTIFICATION: RectificationRow,
    Kind.COMPLAINTS: ComplaintRow,
    Kind.REFUNDS: RefundRow,
    Kind.SANCTIONS: SanctionRow,
}

#: Fields holding money or counts: the ones a total row (合计) sums.
SUMMABLE: dict[Kind, tuple[str, ...]] = {
    Kind.RECTIFICATION: (),
    Kind.COMPLAINTS: ("visitors",),
    Kind.REFUNDS: ("students", "violation", "due", "refunded", "to_treasury"),
    Kind.SANCTIONS: (),
}

#: Dates that record something that has happened, so cannot lie after the as-of date.
EVENT_DATES: dict[Kind, tuple[str, ...]] = {
    Kind.RECTIFICATION: ("found_on", "completed_on"),
    Kind.COMPLAINTS: ("received_on", "closed_on"),
    Kind.REFUNDS: ("found_on", "refunded_on"),
    Kind.SANCTIONS: ("decided_on",),
}


@dataclass(frozen=True)
class FieldProblem:
    """A value of a row that could not be understood (or only with a warning)."""

    field: str
    code: str
    message: str
    severity: str = "error"


def parse_row(
    kind: Kind, values: dict[str, Any], origin: Origin, ctx: ParseContext
) -> tuple[LedgerRow, list[FieldProblem]]:
    """A typed row from raw cell values; values that fail become problems and ``None``.

    Never raises for any cell content: the row is always returned, with what could be read.
    """
    model = ROW_MODELS[kind]
    data = dict(values)
    if kind is Kind.SANCTIONS:
        data["measure_written"] = clean_text(values.get("measure"))
    data["origin"] = origin
    problems: list[FieldProblem] = []
    for _attempt in range(len(data) + 1):
        ctx.notes = []
        try:
            row = model.model_validate(data, context={"parse": ctx})
        except ValidationError as exc:
            for err in exc.errors(include_url=False, include_input=False):
                name = str(err["loc"][0]) if err["loc"] else ""
                code = err["type"] if err["type"] in _CODES else "invalid-value"
                problems.append(FieldProblem(name, code, err["msg"]))
                data[name] = None
            continue
        problems.extend(FieldProblem(f, c, m, "warning") for f, c, m in ctx.notes)
        return row, problems
    raise AssertionError("unreachable: every failing field is cleared")  # pragma: no cover


_CODES = {"unknown-value", "invalid-date", "invalid-amount", "invalid-number"}


#: The date that places a row in a period (a month, a year), in order of preference:
#: complaints by 收件日期, refunds by 查实日期 then 退费日期, sanctions by 处理日期,
#: rectification by 发现日期 only (an open item with a later 整改时限 is not a later row:
#: an item without 发现日期 has simply been on the ledger all along).
PERIOD_DATE_FIELDS: dict[Kind, tuple[str, ...]] = {
    Kind.RECTIFICATION: ("found_on",),
    Kind.COMPLAINTS: ("received_on",),
    Kind.REFUNDS: ("found_on", "refunded_on"),
    Kind.SANCTIONS: ("decided_on",),
}


def period_date(row: LedgerRow) -> date | None:
    """The date that places ``row`` in a period, or None when the row has none."""
    for name in PERIOD_DATE_FIELDS[row.kind]:
        value = getattr(row, name)
        if value is not None:
            return value
    return None
