"""The typed requests of the use cases: what the command line parses its arguments into and
what the local service validates its JSON bodies into.

Each request is declared once, as a frozen record (:class:`Request`) whose fields carry their
rule as ``typing.Annotated`` metadata (:class:`Text`, :class:`Texts`, :class:`Day`,
:class:`Jobs`, :class:`Flag`) and their description (the command line's help text) and
default beside it (``_field``).
A field is named as the JSON key of ``taizhang serve`` (the long option with ``_`` for ``-``,
``paths``/``folder`` for the positionals).  Values are checked here, once, for both faces: a
day in the forms staff write, a process count capped by the cores, no blank or NUL text.

:func:`validate` checks a dict in plain Python, so that the command line starts without
pydantic; the service validates its JSON bodies with pydantic models derived from these
declarations (``taizhang.serve.options``), and both refusals are said by :func:`explain`, in
Chinese: :func:`validate` reports its errors in pydantic's shape (``type``, ``loc``, ``input``,
``ctx``) and in pydantic's order (the fields in declaration order, then unknown keys).
"""

import math
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any, ClassVar, NamedTuple, get_args

from taizhang.usecases.parsing import (  # noqa: F401
    AS_OF_FORMS, COMPARE_HELP, JOBS_HELP, parse_as_of, parse_jobs,
)

CONFIG_HELP = "本单位配置文件（同义词、选项、四种形态）"
PERIOD_HELP = ("统计期间：月（2026-10、2026/10、2026年10月、202610）、季度（2026Q3、2026年第三季度）、半年（2026H1、"
               "2026年上半年）、月份区间（2026-03..2026-08、2026年3月至8月），均另附全年累计；年（2026）或 all；"
               "默认：给了检查日期则取其所在月，否则取台账中有数据的最近月份")
PATHS_HELP = "工作簿文件或文件夹"
#: Why a text is refused (the same words from the command line and the service).
BLANK = "值为空或含非法字符"


class Error(NamedTuple):
    """One refusal of a rule, as pydantic says it: its error ``type``, where below the field
    (``at``: an item's index), the value refused and, for ``value_error``, the reason."""

    kind: str
    at: tuple[Any, ...]
    value: Any
    reason: str | None = None


class Invalid(Exception):
    """A value a rule refuses (every :class:`Error` of it)."""

    def __init__(self, errors: list[Error]) -> None:
        super().__init__(errors[0].kind)
        self.errors = errors


def refuse(kind: str, value: Any, reason: str | None = None) -> Invalid:
    return Invalid([Error(kind, (), value, reason)])


def plain_text(value: str) -> str:
    """A text neither blank nor holding NUL; raises ``ValueError`` (:data:`BLANK`)."""
    if "\x00" in value or not value.strip():
        raise ValueError(BLANK)
    return value


class Text:
    """One text: a string, or a number taken as its text (a period ``202610``), neither blank
    nor holding NUL."""

    def check(self, value: Any) -> str:
        if isinstance(value, str):
            text = value
        elif isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            text = str(value)
        elif isinstance(value, (bytes, bytearray)):
            try:
                text = bytes(value).decode()
            except UnicodeDecodeError:
                raise refuse("string_unicode", value) from None
        else:
            raise refuse("string_type", value)
        try:
            return plain_text(text)
        except ValueError as exc:
            raise refuse("value_error", text, str(exc)) from None


class Texts:
    """A list of texts (one value is taken as a list of one, none as an empty list);
    ``at_least_one``: an empty list is a missing argument."""

    def __init__(self, at_least_one: bool = False) -> None:
        self.at_least_one = at_least_one

    def listed(self, value: Any) -> Any:
        """The value as the list it stands for (pydantic's "before" step too)."""
        if value is None:
            return []
        return value if isinstance(value, (list, tuple)) else [value]

    def check(self, value: Any) -> list[str]:
        items = self.listed(value)
        out: list[str] = []
        errors: list[Error] = []
        for i, item in enumerate(items):
            try:
                out.append(TEXT.check(item))
            except Invalid as exc:
                errors += [e._replace(at=(i, *e.at)) for e in exc.errors]
        if errors:  # every item refused is told, as pydantic does
            raise Invalid(errors)
        if self.at_least_one and not out:
            raise refuse("too_short", items)
        return out


class Day:
    """A day: a ``date``, or a text or number in the forms staff write (``parse_as_of``)."""

    def check(self, value: Any) -> date:
        if isinstance(value, datetime):
            if value.time() != datetime.min.time():
                raise refuse("date_from_datetime_inexact", value)
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            try:
                return parse_as_of(str(value))
            except ValueError as exc:
                raise refuse("value_error", value, str(exc)) from None
        return self._other(value)

    @staticmethod
    def _other(value: Any) -> date:
        """What pydantic's ``date`` makes of the rest: ISO bytes, a Unix time of a midnight."""
        if isinstance(value, bytes):
            try:
                if len(value) == 10:
                    return date.fromisoformat(value.decode())
            except (UnicodeDecodeError, ValueError):
                pass
            raise refuse("date_parsing", value)
        if isinstance(value, (float, Decimal)):
            seconds = float(value)
            if math.isfinite(seconds) and abs(seconds) > 2e10:
                seconds /= 1000  # milliseconds, as pydantic reads a large number
            if not math.isfinite(seconds) or abs(seconds) > 2e11:
                raise refuse("date_from_datetime_parsing", value)
            if seconds % 86400:
                raise refuse("date_from_datetime_inexact", value)
            return date(1970, 1, 1) + timedelta(days=int(seconds // 86400))
        raise refuse("date_type", value)


class Jobs:
    """A process count (``parse_jobs``): a positive whole number, as a number or a text."""

    def check(self, value: Any) -> int:
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            try:
                return parse_jobs(value)
            except ValueError as exc:
                raise refuse("value_error", value, str(exc)) from None
        raise refuse("int_type", value)


class Flag:
    """``true`` or ``false``, nothing else (not 1, not ``"yes"``)."""

    def check(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        raise refuse("bool_type", value)


TEXT, TEXTS, AT_LEAST_ONE, DAY, JOBS, FLAG = Text(), Texts(), Texts(at_least_one=True), Day(), Jobs(), Flag()
Rule = Text | Texts | Day | Jobs | Flag


class Declared(NamedTuple):
    """A field's declaration beside its annotation: its help text and its default (``default``
    a value, ``factory`` a function making it; neither for a field that must be given)."""

    description: str
    default: Any = None
    factory: Any = None
    required: bool = False


def _field(description: str, default: Any = None, factory: Any = None) -> Any:
    """A field with its help text (its default ``None`` unless given)."""
    return Declared(description, default, factory)


def _required(description: str) -> Any:
    return Declared(description, required=True)


class Spec(NamedTuple):
    """One field as declared: its name, rule, whether ``None`` is a value, whether it must be
    given, its default (a factory for a list), its help text and its Python type."""

    name: str
    rule: Rule
    nullable: bool
    required: bool
    default: Any
    factory: Any
    description: str
    type: Any


class Request:
    """What every request shares: a frozen record of keyword fields, declared once in the
    class body as ``name: Annotated[type, RULE] = _field(help, default)``, its values checked
    when it is made (:class:`RequestError` for one refused, an unknown or a missing field
    too); each has ``config``, the office's configuration file.

    (Not a ``dataclass``: the generated methods cost about 1.3 ms a class at import, on every
    command's start; these four are all the same few lines, written once here.)"""

    #: The command it is (``taizhang COMMAND``), for messages.
    COMMAND: ClassVar[str] = ""
    #: Fields naming files or folders (the service confines them to its allowed folders).
    PATH_FIELDS: ClassVar[tuple[str, ...]] = ("config",)
    #: Positionals of the command line, by metavar (the rest are ``--long`` options).
    POSITIONALS: ClassVar[dict[str, str]] = {}
    #: The fields, in declaration order (made from the class body).
    SPECS: ClassVar[tuple[Spec, ...]] = ()

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        specs = {s.name: s for s in cls.SPECS}
        for name, annotation in cls.__dict__.get("__annotations__", {}).items():
            declared = cls.__dict__[name]
            kind, rule = get_args(annotation)[:2]
            specs[name] = Spec(name, rule, type(None) in get_args(kind), declared.required, declared.default,
                               declared.factory, declared.description, kind)
            delattr(cls, name)
        cls.SPECS = tuple(specs.values())

    def __init__(self, **values: Any) -> None:
        self.__dict__.update(checked(type(self), values))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} 不可修改（{name}）")

    __delattr__ = __setattr__  # type: ignore[assignment]

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash((type(self), *self.__dict__.values()))

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={value!r}" for name, value in self.__dict__.items())
        return f"{type(self).__name__}({shown})"

    @classmethod
    def help(cls, name: str) -> str:
        """The command line's help text of a field."""
        return next(s.description for s in cls.SPECS if s.name == name)

    @classmethod
    def option(cls, name: str) -> str:
        """How the command line spells a field: its metavar for a positional, else ``--long``."""
        return cls.POSITIONALS.get(name) or "--" + name.replace("_", "-")


class CheckRequest(Request):
    COMMAND = "check"
    PATH_FIELDS = ("paths", "output", "config")
    POSITIONALS = {"paths": "PATH"}

    paths: Annotated[list[str], AT_LEAST_ONE] = _required(PATHS_HELP)
    as_of: Annotated[date | None, DAY] = _field("检查日期（判断逾期、未来日期），如 2026-10-31、2026年10月31日；默认今天")
    output: Annotated[str | None, TEXT] = _field(
        "把问题清单写入这个工作簿（已有的则只替换“问题清单”一张表；不能是被检查的台账）")
    recursive: Annotated[bool, FLAG] = _field("文件夹中的子文件夹也读取", False)
    jobs: Annotated[int | None, JOBS] = _field(JOBS_HELP)
    config: Annotated[str | None, TEXT] = _field(CONFIG_HELP)


class SummaryRequest(Request):
    COMMAND = "summary"
    PATH_FIELDS = ("paths", "output", "config")
    POSITIONALS = {"paths": "PATH"}

    paths: Annotated[list[str], AT_LEAST_ONE] = _required(PATHS_HELP)
    period: Annotated[str | None, TEXT] = _field(PERIOD_HELP)
    as_of: Annotated[date | None, DAY] = _field("统计截至日期，如 2026-10-31、2026年10月31日；默认今天")
    bureau: Annotated[str | None, TEXT] = _field("局名称（汇总表标题），默认取配置 settings.bureau")
    output: Annotated[str | None, TEXT] = _field("写入汇总表的工作簿（已有的则只替换汇总表、明细和问题清单三张表）")
    recursive: Annotated[bool, FLAG] = _field("文件夹中的子文件夹也读取", False)
    jobs: Annotated[int | None, JOBS] = _field(JOBS_HELP)
    config: Annotated[str | None, TEXT] = _field(CONFIG_HELP)
    compare: Annotated[bool, FLAG] = _field(COMPARE_HELP, False)


class ReportRequest(Request):
    COMMAND = "report"
    PATH_FIELDS = ("paths", "template", "output", "write_template", "config")
    POSITIONALS = {"paths": "PATH"}

    paths: Annotated[list[str], TEXTS] = _field(PATHS_HELP, factory=list)
    period: Annotated[str | None, TEXT] = _field(PERIOD_HELP)
    as_of: Annotated[date | None, DAY] = _field("统计截至日期，默认今天")
    bureau: Annotated[str | None, TEXT] = _field("局名称（标题和落款），默认取配置 settings.bureau")
    template: Annotated[str | None, TEXT] = _field("本单位的汇报模板（默认用内置模板）")
    output: Annotated[str | None, TEXT] = _field("写入的汇报文档")
    write_template: Annotated[str | None, TEXT] = _field(
        "把内置模板另存为 FILE.docx，作为本单位模板的起点（不生成汇报）")
    config: Annotated[str | None, TEXT] = _field(CONFIG_HELP)
    compare: Annotated[bool, FLAG] = _field(COMPARE_HELP, False)


class ConsolidateRequest(Request):
    COMMAND = "consolidate"
    PATH_FIELDS = ("folder", "master", "roster", "config")
    POSITIONALS = {"folder": "FOLDER"}

    folder: Annotated[str, TEXT] = _required("各单位报送的工作簿所在文件夹")
    period: Annotated[str, TEXT] = _required(
        "合并的月份：2026-10、2026/10、2026年10月 或 202610（只按月，不收季度、半年）")
    master: Annotated[str, TEXT] = _required("局主表（不存在时新建）")
    roster: Annotated[str | None, TEXT] = _field(
        "单位名册工作簿（第一张表含“单位”“别名”列）；默认用主表的“单位名册”表")
    recursive: Annotated[bool, FLAG] = _field("包括子文件夹", False)
    bureau: Annotated[str | None, TEXT] = _field("局名称（汇总表标题）")
    jobs: Annotated[int | None, JOBS] = _field(JOBS_HELP)
    config: Annotated[str | None, TEXT] = _field(CONFIG_HELP)
    compare: Annotated[bool, FLAG] = _field(COMPARE_HELP, False)
    rollup: Annotated[bool | None, FLAG] = _field(
        "逐级汇总：文件夹中是各县（区）报送的主表，汇总为市级主表（名册列各县区；市级主表可再汇总为省级）；"
        "不加时，文件夹中只有主表也按逐级汇总合并")


REQUESTS: dict[str, type[Request]] = {
    model.COMMAND: model for model in (CheckRequest, SummaryRequest, ReportRequest, ConsolidateRequest)}

EXAMPLE_BODY = "{\"paths\": [\"D:\\\\台账\\\\2026-10\"]}"


def field_names(model: type[Request]) -> tuple[str, ...]:
    """The names of ``model``'s fields (the JSON keys), in declaration order."""
    return tuple(s.name for s in model.SPECS)


def errors_of(model: type[Request], values: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """``values`` checked against ``model``'s fields: (the values made, the errors in pydantic's
    shape and order: each field's in declaration order, then the unknown keys')."""
    if not isinstance(values, dict):
        return {}, [{"type": "model_type", "loc": (), "input": values}]
    out: dict[str, Any] = {}
    errors: list[dict[str, Any]] = []
    for spec in model.SPECS:
        if spec.name not in values:
            if spec.required:
                errors.append({"type": "missing", "loc": (spec.name,), "input": values})
            else:
                out[spec.name] = spec.factory() if spec.factory is not None else spec.default
            continue
        value = values[spec.name]
        if value is None and spec.nullable:
            out[spec.name] = None
            continue
        try:
            out[spec.name] = spec.rule.check(value)
        except Invalid as exc:
            for kind, at, given, reason in exc.errors:
                error = {"type": kind, "loc": (spec.name, *at), "input": given}
                if reason is not None:
                    error["ctx"] = {"error": reason}
                errors.append(error)
    names = field_names(model)
    errors += [{"type": "extra_forbidden", "loc": (key,), "input": values[key]} for key in values if key not in names]
    return out, errors


def checked(model: type[Request], values: Any) -> dict[str, Any]:
    """The values of ``model``'s fields made from ``values``; raises :class:`RequestError`."""
    out, errors = errors_of(model, values)
    if errors:
        raise RequestError(explain(model, errors))
    return out


def validate(model: type[Request], values: Any) -> Request:
    """``model`` from ``values``; raises :class:`RequestError` with :func:`explain`'s message."""
    request = model.__new__(model)
    request.__dict__.update(checked(model, values))  # as ``model(**values)``, any dict taken
    return request


def explain(model: type[Request], errors: list[dict[str, Any]]) -> str:
    """What a request was refused for, in Chinese (the first error; the rest usually follow
    from it).  ``errors`` are pydantic's (``ValidationError.errors()``) or :func:`errors_of`'s,
    their ``loc`` starting at the request's fields (FastAPI's leading ``"body"`` removed)."""
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
    names = field_names(model)
    if kind == "extra_forbidden":
        known = "、".join(names)
        return f"taizhang {model.COMMAND} 没有选项“{key}”（可用：{known}）"
    if key not in names:
        return "参数错误"
    if kind == "missing" or (kind == "too_short" and len(loc) == 1):
        missing = [model.option(str(_fields(e)[0])) for e in errors
                   if e.get("type") in ("missing", "too_short") and len(_fields(e)) == 1]
        return f"参数错误：缺少必需的参数：{', '.join(dict.fromkeys(missing))}"
    if kind == "value_error":
        reason = error.get("ctx", {}).get("error")
        reason = str(reason) if reason is not None else str(error.get("msg", ""))
        if reason == BLANK:
            return f"选项“{key}”的值为空或含非法字符"
        return f"参数错误：参数 {model.option(key)}：{reason}"
    if kind == "bool_type":
        return f"选项“{key}”应为 true 或 false"
    if isinstance(error.get("input"), (list, tuple)) and len(loc) == 1:
        return f"选项“{key}”只接受一个值"
    return f"选项“{key}”的值应为文字或数字"


def _fields(error: dict[str, Any]) -> list[Any]:
    return [part for part in error.get("loc", ()) if part != "body"]


class RequestError(ValueError):
    """A request its model refuses; the message is Chinese."""
