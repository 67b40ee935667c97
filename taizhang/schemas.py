"""The ``--json`` outputs as pydantic models: ``taizhang check``, ``summary`` and
``consolidate`` print ``Model.model_dump(mode="json")``, and ``taizhang schema check|summary|
consolidate`` prints ``Model.model_json_schema()``.  Every field keeps its name and meaning
(a public interface: fields are added, never renamed).

The figures of ``summary`` come from the registry of ledger kinds: one field per kind (its
figures model), money as a decimal string to the fen (``"52340.00"``).
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, create_model

from taizhang.figures import Report, report_json
from taizhang.findings import Finding, Stats
from taizhang.kinds import by_rank, on_change, registry_key
from taizhang.kinds.common import fen

#: Money in JSON: a decimal string rounded to the fen (分), half up.
MoneyText = Annotated[Decimal, PlainSerializer(lambda d: f"{fen(Decimal(d))}", return_type=str, when_used="json"),
                      Field(json_schema_extra={"type": "string", "pattern": r"^-?\d+\.\d{2}$"})]


class _Out(BaseModel):
    model_config = ConfigDict(extra="allow")


# --- check ---------------------------------------------------------------------------------

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


def _json_type(annotation: Any) -> Any:
    """The JSON form of a figures annotation: Decimal as MoneyText, models recursively."""
    if annotation is Decimal:
        return MoneyText
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
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
def json_model(model: type[BaseModel]) -> type[BaseModel]:
    """``model`` with its Decimal fields as MoneyText (same names, same defaults)."""
    fields = {}
    for name, info in model.model_fields.items():
        default = info.default_factory if info.default_factory is not None else info.default
        kw = {"default_factory": default} if info.default_factory is not None else {"default": default}
        fields[name] = (_json_type(info.annotation), Field(description=info.description, **kw))
    return create_model(model.__name__, __base__=_Out, **fields)


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


def dump_summary(data: dict[str, Any]) -> dict[str, Any]:
    """The summary dict through its model: validated, in the published order (a period that is
    not a month has no ``year_to_date``, as always)."""
    out = summary_model().model_validate(data).model_dump(mode="json")
    if data.get("year_to_date") is None:
        out.pop("year_to_date", None)
    for key in ("bureau", "blocking_errors", "unreadable", "output", "period_source", "period_note", "compare"):
        if key not in data:
            out.pop(key, None)
    for key in ("previous_period", "same_period_last_year"):  # each as the top level: no 累计 for a year
        block = (out.get("compare") or {}).get(key)
        if block is not None and data["compare"][key].get("year_to_date") is None:
            block.pop("year_to_date", None)
    return out


def summary_json(report: Report, *, bureau: str, blocking: list, reports: list, output: Any = None,
                 period_source: str | None = None, period_note: str | None = None) -> dict[str, Any]:
    """The whole ``taizhang summary --json`` object: the figures of :func:`report_json` with the
    bureau, the ledgers with errors, the files that could not be read and the file written.

    The written report (``taizhang report``) fills its template from this very dict, so its
    figures are the summary's by construction.
    """
    data = report_json(report)
    data["bureau"] = bureau
    data["blocking_errors"] = blocking
    data["unreadable"] = [{"path": str(r.path), "reason": r.refusal.message} for r in reports if r.refusal]
    data["output"] = str(output) if output else None
    if period_source is not None:
        data["period_source"] = period_source
        data["period_note"] = period_note
    return dump_summary(data)
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
