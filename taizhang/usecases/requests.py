"""The typed requests of the use cases: what the command line parses its arguments into and
what the local service validates its JSON bodies into (FastAPI's request models).

A field is named as the JSON key of ``taizhang serve`` (the long option with ``_`` for ``-``,
``paths``/``folder`` for the positionals); its description is the command line's help text.
Values are checked here, once, for both faces: a day in the forms staff write, a process
count capped by the cores, no blank or NUL text.  :func:`explain` says what was refused, in
Chinese.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, ClassVar

from pydantic import (
    AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictInt, ValidationError,
)

from taizhang.usecases.parsing import (  # noqa: F401
    AS_OF_FORMS, COMPARE_HELP, JOBS_HELP, parse_as_of, parse_jobs,
)

CONFIG_HELP = "本单位配置文件（同义词、选项、四种形态）"
PERIOD_HELP = ("统计期间：月（2026-10、2026/10、2026年10月、202610）、季度（2026Q3、2026年第三季度）、半年（2026H1、"
               "2026年上半年）、月份区间（2026-03..2026-08、2026年3月至8月），均另附全年累计；年（2026）或 all；"
               "默认：给了检查日期则取其所在月，否则取台账中有数据的最近月份")
PATHS_HELP = "工作簿文件或文件夹"


def _text(value: str) -> str:
    if "\x00" in value or not value.strip():
        raise ValueError("值为空或含非法字符")
    return value


def _listed(value: Any) -> Any:
    if value is None:
        return []
    return value if isinstance(value, (list, tuple)) else [value]


def _as_of(value: Any) -> Any:
    if value is None or isinstance(value, date):
        return value
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return parse_as_of(str(value))
    return value  # refused by the type


def _jobs(value: Any) -> Any:
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return parse_jobs(value)
    return value


Text = Annotated[str, AfterValidator(_text)]
Texts = Annotated[list[Text], BeforeValidator(_listed)]
AsOf = Annotated[date | None, BeforeValidator(_as_of)]
Jobs = Annotated[StrictInt | None, BeforeValidator(_jobs)]


class Request(BaseModel):
    """What every request shares: unknown keys refused, numbers taken as text where text is
    wanted (a period ``202610``); each has ``config``, the office's configuration file."""

    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True, frozen=True)

    #: The command it is (``taizhang COMMAND``), for messages.
    COMMAND: ClassVar[str] = ""
    #: Fields naming files or folders (the service confines them to its allowed folders).
    PATH_FIELDS: ClassVar[tuple[str, ...]] = ("config",)
    #: Positionals of the command line, by metavar (the rest are ``--long`` options).
    POSITIONALS: ClassVar[dict[str, str]] = {}

    @classmethod
    def help(cls, name: str) -> str:
        """The command line's help text of a field."""
        return cls.model_fields[name].description or ""

    @classmethod
    def option(cls, name: str) -> str:
        """How the command line spells a field: its metavar for a positional, else ``--long``."""
        return cls.POSITIONALS.get(name) or "--" + name.replace("_", "-")


class CheckRequest(Request):
    COMMAND = "check"
    PATH_FIELDS = ("paths", "output", "config")
    POSITIONALS = {"paths": "PATH"}

    paths: Texts = Field(min_length=1, description=PATHS_HELP)
    as_of: AsOf = Field(None, description="检查日期（判断逾期、未来日期），如 2026-10-31、2026年10月31日；默认今天")
    output: Text | None = Field(
        None, description="把问题清单写入这个工作簿（已有的则只替换“问题清单”一张表；不能是被检查的台账）")
    recursive: StrictBool = Field(False, description="文件夹中的子文件夹也读取")
    jobs: Jobs = Field(None, description=JOBS_HELP)
    config: Text | None = Field(None, description=CONFIG_HELP)


class SummaryRequest(Request):
    COMMAND = "summary"
    PATH_FIELDS = ("paths", "output", "config")
    POSITIONALS = {"paths": "PATH"}

    paths: Texts = Field(min_length=1, description=PATHS_HELP)
    period: Text | None = Field(None, description=PERIOD_HELP)
    as_of: AsOf = Field(None, description="统计截至日期，如 2026-10-31、2026年10月31日；默认今天")
    bureau: Text | None = Field(None, description="局名称（汇总表标题），默认取配置 settings.bureau")
    output: Text | None = Field(
        None, description="写入汇总表的工作簿（已有的则只替换汇总表、明细和问题清单三张表）")
    recursive: StrictBool = Field(False, description="文件夹中的子文件夹也读取")
    jobs: Jobs = Field(None, description=JOBS_HELP)
    config: Text | None = Field(None, description=CONFIG_HELP)
    compare: StrictBool = Field(False, description=COMPARE_HELP)


class ReportRequest(Request):
    COMMAND = "report"
    PATH_FIELDS = ("paths", "template", "output", "write_template", "config")
    POSITIONALS = {"paths": "PATH"}

    paths: Texts = Field(default_factory=list, description=PATHS_HELP)
    period: Text | None = Field(None, description=PERIOD_HELP)
    as_of: AsOf = Field(None, description="统计截至日期，默认今天")
    bureau: Text | None = Field(None, description="局名称（标题和落款），默认取配置 settings.bureau")
    template: Text | None = Field(None, description="本单位的汇报模板（默认用内置模板）")
    output: Text | None = Field(None, description="写入的汇报文档")
    write_template: Text | None = Field(
        None, description="把内置模板另存为 FILE.docx，作为本单位模板的起点（不生成汇报）")
    config: Text | None = Field(None, description=CONFIG_HELP)
    compare: StrictBool = Field(False, description=COMPARE_HELP)


class ConsolidateRequest(Request):
    COMMAND = "consolidate"
    PATH_FIELDS = ("folder", "master", "roster", "config")
    POSITIONALS = {"folder": "FOLDER"}

    folder: Text = Field(description="各单位报送的工作簿所在文件夹")
    period: Text = Field(description="合并的月份：2026-10、2026/10、2026年10月 或 202610（只按月，不收季度、半年）")
    master: Text = Field(description="局主表（不存在时新建）")
    roster: Text | None = Field(
        None, description="单位名册工作簿（第一张表含“单位”“别名”列）；默认用主表的“单位名册”表")
    recursive: StrictBool = Field(False, description="包括子文件夹")
    bureau: Text | None = Field(None, description="局名称（汇总表标题）")
    jobs: Jobs = Field(None, description=JOBS_HELP)
    config: Text | None = Field(None, description=CONFIG_HELP)
    compare: StrictBool = Field(False, description=COMPARE_HELP)
    rollup: StrictBool | None = Field(
        None, description="逐级汇总：文件夹中是各县（区）报送的主表，汇总为市级主表（名册列各县区；市级主表可再汇总为省级）；"
                          "不加时，文件夹中只有主表也按逐级汇总合并")


REQUESTS: dict[str, type[Request]] = {
    model.COMMAND: model for model in (CheckRequest, SummaryRequest, ReportRequest, ConsolidateRequest)}

EXAMPLE_BODY = "{\"paths\": [\"D:\\\\台账\\\\2026-10\"]}"


def explain(model: type[Request], errors: list[dict[str, Any]]) -> str:
    """What a request was refused for, in Chinese (the first error; the rest usually follow
    from it).  ``errors`` are pydantic's (``ValidationError.errors()``), their ``loc`` starting
    at the request's fields (FastAPI's leading ``"body"`` removed)."""
    if not errors:
        return "参数错误"
    error = errors[0]
    loc = _fields(error)
    kind = error.get("type", "")
    if not loc or not isinstance(loc[0], str):
        if kind == "json_invalid":
            return "请求体不是有效的 JSON"
        return f"请求体应为 JSON 对象，例如 {EXAMPLE_BODY}"
    key = loc[0]
    if kind == "extra_forbidden":
        known = "、".join(model.model_fields)
        return f"taizhang {model.COMMAND} 没有选项“{key}”（可用：{known}）"
    if key not in model.model_fields:
        return "参数错误"
    if kind == "missing" or (kind == "too_short" and len(loc) == 1):
        missing = [model.option(str(_fields(e)[0])) for e in errors
                   if e.get("type") in ("missing", "too_short") and len(_fields(e)) == 1]
        return f"参数错误：缺少必需的参数：{', '.join(dict.fromkeys(missing))}"
    if kind == "value_error":
        reason = error.get("ctx", {}).get("error")
        reason = str(reason) if reason is not None else str(error.get("msg", ""))
        if reason == "值为空或含非法字符":
            return f"选项“{key}”的值为空或含非法字符"
        return f"参数错误：参数 {model.option(key)}：{reason}"
    if kind == "bool_type":
        return f"选项“{key}”应为 true 或 false"
    if isinstance(error.get("input"), (list, tuple)) and len(loc) == 1:
        return f"选项“{key}”只接受一个值"
    return f"选项“{key}”的值应为文字或数字"


def _fields(error: dict[str, Any]) -> list[Any]:
    return [part for part in error.get("loc", ()) if part != "body"]


def validate(model: type[Request], values: dict[str, Any]) -> Request:
    """``model`` from ``values``; raises :class:`RequestError` with :func:`explain`'s message."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise RequestError(explain(model, exc.errors())) from None


class RequestError(ValueError):
    """A request its model refuses; the message is Chinese."""
