"""The ``--json`` outputs as pydantic models, their published schema: ``taizhang schema
check|summary|consolidate`` prints ``Model.model_json_schema()``.  Every field keeps its name
and meaning (a public interface: fields are added, never renamed).

The commands make their JSON without pydantic (``usecases.check.check_json``,
:mod:`taizhang.outputs`; pydantic is not imported on their way, for their start-up's sake);
the tests hold what they make to these models, field order included.  ``consolidate`` dumps
through :func:`dump_consolidate`.

The figures of ``summary`` come from the registry of ledger kinds: one field per kind (its
figures model), money as a decimal string to the fen (``"52340.00"``).
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from functools import cache
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, create_model

from taizhang import findings
from taizhang.kinds import by_rank, on_change, registry_key
from taizhang.kinds.common import fen
from taizhang.model import fields_of
from taizhang.outputs import dump_summary

#: Money in JSON: a decimal string rounded to the fen (分), half up.
MoneyText = Annotated[Decimal, PlainSerializer(lambda d: f"{fen(Decimal(d))}", return_type=str, when_used="json"),
                      Field(json_schema_extra={"type": "string", "pattern": r"^-?\d+\.\d{2}$"})]


class _Out(BaseModel):
    model_config = ConfigDict(extra="allow")


# --- records: findings and figures, from their dataclasses ----------------------------------

def _json_type(annotation: Any) -> Any:
    """The JSON form of a record's annotation: Decimal as MoneyText, records recursively."""
    if annotation is Decimal:
        return MoneyText
    if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
        return json_model(annotation)
    origin = get_origin(annotation)
    if origin is dict:
        key, value = get_args(annotation)
        return dict[key, _json_type(value)]
    if origin is list:
        return list[_json_type(get_args(annotation)[0])]
    if origin in (Union, type(int | None)):
        return Union[tuple(_json_type(a) for a in get_args(annotation))]  # noqa: UP007
    return annotation


@cache
def json_model(model: type, closed: bool = False) -> type[BaseModel]:
    """The JSON model of a record (a dataclass: a finding, a block of figures): the same names,
    types and defaults, its Decimal fields as MoneyText, the records in it as their own JSON
    models.  ``closed``: no other key allowed and the record's docstring as the model's
    description (a finding and its counts, as published); else more keys allowed, as in every
    output (fields are added, never renamed)."""
    fields = {}
    for f in dataclasses.fields(model):
        spec = fields_of(model)[f.name]
        if f.default_factory in (dict, list):  # an empty dict or list: published as the default
            kw = {"default": f.default_factory()}
        elif f.default_factory is not dataclasses.MISSING:
            kw = {"default_factory": f.default_factory}
        else:  # a field without a default is required
            kw = {"default": ... if f.default is dataclasses.MISSING else f.default}
        fields[f.name] = (_json_type(spec.annotation), Field(description=spec.description, **kw))
    if closed:
        return create_model(model.__name__, __doc__=model.__doc__, **fields)
    return create_model(model.__name__, __base__=_Out, **fields)


# --- check ---------------------------------------------------------------------------------

#: The published forms of ``taizhang.findings.Finding`` and ``Stats`` (their ``to_json``).
Finding = json_model(findings.Finding, closed=True)
Stats = json_model(findings.Stats, closed=True)


class LedgerInfo(_Out):
    kind: str = Field(description="台账种类：rectification, complaints, refunds, sanctions, activities …")
    sheet: str
    header_row: int = Field(description="表头所在行（Excel 行号）")
    rows: int = Field(description="数据行数（不含合计行）")
    hidden: bool


class CheckFile(_Out):
    path: str
    readable: bool
    reason: str | None = None
    reporting_unit: str | None = None
    ledgers: list[LedgerInfo] = []
    findings: list[Finding] = []
    stats: Stats


class CheckTotals(_Out):
    files: int
    unreadable: int
    errors: int
    warnings: int


class CheckOutput(_Out):
    """``taizhang check --json``."""

    files: list[CheckFile]
    summary: CheckTotals


# --- summary -------------------------------------------------------------------------------

class BlockingErrorOut(_Out):
    file: str
    sheet: str | None
    errors: int


class Unreadable(_Out):
    path: str
    reason: str


def figures_json_model() -> type[BaseModel]:
    """One period's figures: a field per registered kind, in report order."""
    return _figures(registry_key())


@cache
def _figures(_key: tuple[str, ...]) -> type[BaseModel]:
    fields = {d.kind.value: (json_model(d.figures_model), ...) for d in by_rank()}
    return create_model("PeriodFigures", __base__=_Out, **fields)


def summary_model() -> type[BaseModel]:
    """``taizhang summary --json``: period, as_of, a block per kind, narrative, year_to_date
    (a month only), bureau, blocking_errors, unreadable, output."""
    return _summary(registry_key())


@cache
def _summary(_key: tuple[str, ...]) -> type[BaseModel]:
    figures = {d.kind.value: (json_model(d.figures_model), ...) for d in by_rank()}
    return create_model(
        "SummaryOutput", __base__=_Out,
        period=(str, Field(description="2026-10（月）、2026Q3（季度）、2026H1（半年）、2026-03..2026-08（月份区间）、"
                                       "2026（年）或 all")),
        as_of=(str, Field(description="统计截至日期 YYYY-MM-DD")),
        **figures,
        narrative=(str, Field(description="汇报段落")),
        year_to_date=(figures_json_model() | None, Field(None, description="全年累计，至期间末月（按月、季度、半年或月份区间统计时）")),
        bureau=(str | None, None),
        blocking_errors=(list[BlockingErrorOut], []),
        unreadable=(list[Unreadable], []),
        output=(str | None, None),
        period_source=(str | None, Field(None, description=(
            "期间如何确定：given（--period 或台账设置中的统计期间指定）、as_of（检查日期所在月）、latest_rows（未指定时取台账中有数据的最近月份）、"
            "this_month（未指定且没有带日期的记录时取本月）"))),
        period_note=(str | None, Field(None, description="未指定期间时说明所取期间的一行中文，否则为 null")),
        compare=(_compare(_key) | None, Field(None, description="上期与上年同期（仅 --compare）")),
    )


@cache
def _period_figures(_key: tuple[str, ...]) -> type[BaseModel]:
    """One period's figures as the top level of ``summary --json`` gives them."""
    figures = {d.kind.value: (json_model(d.figures_model), ...) for d in by_rank()}
    return create_model(
        "ComparedPeriod", __base__=_Out, period=(str, ...), as_of=(str, ...), **figures, narrative=(str, ...),
        year_to_date=(figures_json_model() | None, Field(None, description="全年累计（仅按月统计时）")))


@cache
def _compare(_key: tuple[str, ...]) -> type[BaseModel]:
    period = _period_figures(_key)
    return create_model(
        "Compare", __base__=_Out,
        previous_period=(period | None, Field(None, description="上期（上月、上年…）的全部数字，与顶层同形")),
        same_period_last_year=(period | None, Field(None, description="上年同期的全部数字，与顶层同形")),
        sentences=(dict[str, str], Field(default_factory=dict, description="各板块的对比句（较上月…，同比…）")),
        narrative=(str, Field("", description="对比段落（各板块的对比句）")),
    )


def _clear() -> None:
    _figures.cache_clear()
    _summary.cache_clear()
    _period_figures.cache_clear()
    _compare.cache_clear()


on_change(_clear)


# --- consolidate ---------------------------------------------------------------------------

class FileOutcomeOut(_Out):
    path: str
    unit: str | None
    status: str = Field(description="ok（已合并）或 rejected（退回）")
    reason: str | None
    rows_read: int
    rows_written: int
    rows_rejected: int
    errors: int
    warnings: int


def consolidate_model() -> type[BaseModel]:
    """``taizhang consolidate --json``."""
    return _consolidate(registry_key())


@cache
def _consolidate(_key: tuple[str, ...]) -> type[BaseModel]:
    summary = _summary(_key)
    return create_model(
        "ConsolidateOutput", __base__=_Out,
        period=(str, ...), units_reported=(list[str], ...), units_missing=(list[str], ...),
        files=(list[FileOutcomeOut], ...), rows_read=(int, ...), rows_written=(int, ...),
        rows_rejected=(int, ...), summary=(summary | None, None), master=(str, ...), backup=(str | None, None),
        rollup=(bool, Field(False, description="逐级汇总（各县区主表汇总为上一级主表）：units_reported、units_missing 为县（区）")),
    )


on_change(_consolidate.cache_clear)


def dump_consolidate(data: dict[str, Any]) -> dict[str, Any]:
    """The ``taizhang consolidate --json`` object, through its model (in the published order)."""
    out = consolidate_model().model_validate(data).model_dump(mode="json")
    if out.get("summary") is not None:
        out["summary"] = dump_summary(data["summary"])
    return out


SCHEMAS = {"check": lambda: CheckOutput, "summary": summary_model, "consolidate": consolidate_model}


def schema(command: str) -> dict[str, Any]:
    """The JSON Schema of ``taizhang COMMAND --json``."""
    model = SCHEMAS[command]()
    out = model.model_json_schema(mode="serialization")
    out["title"] = f"taizhang {command} --json"
    return out
