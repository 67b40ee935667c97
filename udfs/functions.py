"""The worksheet functions of the taizhang add-in.

Each takes a ledger range *including its header row*, finds its columns by name or
synonym and skips 合计/小计 rows, which ``SUMIFS`` cannot.  The lower-case functions are
plain Python (tested here); the upper-case ones are what Excel sees, registered with
xlwings' decorators.  Bad input returns a readable ``#错误：…`` text, never a traceback.
Money is computed as ``Decimal`` and handed to Excel as a number at the very end.
"""

from __future__ import annotations

import functools
from datetime import date, datetime
from typing import Any, Callable

import xlwings as xw

from taizhang.checks import CheckContext, check_ledger
from taizhang.config import Config, Kind, load_config
from taizhang.figures.blocks import complaint_figures, rectification_figures, refund_figures, sanction_figures
from taizhang.model import period_date
from taizhang.ranges import RangeError, as_of_of, ledger_in, period_of
from taizhang.values import clean_text, match_key, parse_date

OK = "OK"


def _config() -> Config:
    return load_config()


#: Excel date serials (1900 system) of 1927-10-10 and 9999-12-31: a number in this range
#: given as a period is a date (``DATE(2026,10,1)`` arrives as 46296), below it a year.
_FIRST_SERIAL, _LAST_SERIAL = 10000, 2958465


def _period(value: Any) -> Any:
    """What Excel hands over for a period, made what staff meant: a date serial (a cell or
    ``DATE(…)`` without a date format, as Excel 2016 passes it) becomes its date; a datetime
    (pywintypes' included) its date; a year typed as a number and text stay as they are."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if _FIRST_SERIAL <= value <= _LAST_SERIAL:
            return parse_date(value)
        if not float(value).is_integer():
            raise RangeError(f"期间“{value}”不是年份、月份或日期")
    return value


def _rows(table: Any, kind: Kind, period: Any, config: Config) -> list:
    ledger = ledger_in(table, config, kind)
    p = period_of(_period(period))
    return [r for r in ledger.rows if p.contains(period_date(r))]


def _canonical(config: Config, vocabulary: str, value: Any) -> str | None:
    text = clean_text(value)
    if text is None:
        return None
    vocab = config.vocabulary(vocabulary)
    found = vocab.lookup(text)
    if found is None:
        raise RangeError(f"“{text}”不是规定的{vocab.label}，应为：{'、'.join(vocab.canonical)}")
    return found


def _school_rows(rows: list, school: Any) -> list:
    name = clean_text(school)
    if name is None:
        return rows
    return [r for r in rows if r.school and match_key(r.school) == match_key(name)]


# --- plain Python ----------------------------------------------------------------------

def refund_total(table: Any, school: Any = None, period: Any = None, config: Config | None = None) -> float:
    """已退金额之和（元）。"""
    config = config or _config()
    rows = _school_rows(_rows(table, Kind.REFUNDS, period, config), school)
    return float(refund_figures(rows, config).refunded)


def refund_due(table: Any, school: Any = None, period: Any = None, config: Config | None = None) -> float:
    """尚未退还的应退金额（元）：每行应退 − 已退。"""
    config = config or _config()
    rows = _school_rows(_rows(table, Kind.REFUNDS, period, config), school)
    return float(refund_figures(rows, config).outstanding)


def complaint_count(table: Any, source: Any = None, period: Any = None, config: Config | None = None) -> int:
    """信访举报件数，可按来源（省转办/市转办/自办）。"""
    config = config or _config()
    figures = complaint_figures(_rows(table, Kind.COMPLAINTS, period, config), config)
    wanted = _canonical(config, "complaint_source", source)
    return figures.total if wanted is None else figures.by_source[wanted]


def sanction_count(table: Any, measure: Any = None, cause: Any = None, period: Any = None,
                   config: Config | None = None) -> int:
    """处分人数（同一人多次处理计 1 人），可按处理方式、问题类型。"""
    config = config or _config()
    rows = _rows(table, Kind.SANCTIONS, period, config)
    m = _canonical(config, "sanction_measure", measure)
    c = _canonical(config, "sanction_cause", cause)
    rows = [r for r in rows if (m is None or r.measure == m) and (c is None or r.cause == c)]
    return sanction_figures(rows, config).persons


def rectify_overdue(table: Any, as_of: Any = None, config: Config | None = None) -> int:
    """逾期未完成的整改问题个数。"""
    config = config or _config()
    rows = ledger_in(table, config, Kind.RECTIFICATION).rows
    return rectification_figures(rows, config, as_of_of(as_of)).overdue


def rectify_rate(table: Any, config: Config | None = None) -> float:
    """整改完成率（已完成与已销号占全部问题的比例，0 到 1）。"""
    config = config or _config()
    rows = ledger_in(table, config, Kind.RECTIFICATION).rows
    rate = rectification_figures(rows, config, date.today()).completion_rate
    if rate is None:
        raise RangeError("台账中没有整改问题")
    return rate


def ledger_check(table: Any, as_of: Any = None, config: Config | None = None) -> list[list[str]] | str:
    """检查所选台账：每个问题一行（单元格、级别、说明），没有问题时返回 OK。
    单元格位置相对于所选区域左上角（区域从 A1 开始时即为工作表位置）。"""
    config = config or _config()
    ledger = ledger_in(table, config, strict=False)
    findings = check_ledger(ledger, CheckContext(config=config, as_of=as_of_of(as_of)))
    if not findings:
        return OK
    return [[f.cell or (f"第{f.row}行" if f.row else ""), "错误" if f.is_error else "提醒", f.message]
            for f in findings]


def ledger_check_count(table: Any, level: Any = None, as_of: Any = None, config: Config | None = None) -> int:
    """检查所选台账的问题个数，可只数“错误”或“提醒”。"""
    config = config or _config()
    ledger = ledger_in(table, config, strict=False)
    findings = check_ledger(ledger, CheckContext(config=config, as_of=as_of_of(as_of)))
    wanted = clean_text(level)
    if wanted not in (None, "错误", "提醒"):
        raise RangeError(f"级别应为“错误”或“提醒”，不是“{wanted}”")
    return sum(1 for f in findings if wanted is None or ("错误" if f.is_error else "提醒") == wanted)


def ledger_check_item(table: Any, n: Any, as_of: Any = None, config: Config | None = None) -> str:
    """第 n 个问题（单元格 级别 说明）；n 超出问题个数时为空。不支持动态数组的 Excel 可向下填充。"""
    config = config or _config()
    try:
        index = int(n)
    except (TypeError, ValueError):
        raise RangeError(f"序号“{n}”应为 1、2、3 …") from None
    if index < 1 or index != n:
        raise RangeError(f"序号“{n}”应为 1、2、3 …")
    found = ledger_check(table, as_of, config)
    if found == OK:
        return OK if index == 1 else ""
    return " ".join(found[index - 1]) if index <= len(found) else ""


# --- what Excel sees -------------------------------------------------------------------

def _guard(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Bad input becomes a readable text in the cell, never a Python traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any) -> Any:
        try:
            return fn(*args)
        except RangeError as exc:
            return f"#错误：{exc}"
        except Exception as exc:  # noqa: BLE001 - a cell must never show a traceback
            return f"#错误：无法计算（{type(exc).__name__}）"

    return wrapper


TABLE_DOC = "台账区域，须包含表头行，例如 退费台账!A1:K200"
PERIOD_DOC = "期间：2026-10（月）、2026（年），或日期（日期单元格、DATE(2026,10,1)，取其所在月）；省略为全部"


@xw.func(category="纪检台账")
@xw.arg("table", ndim=2, err_to_str=True, doc=TABLE_DOC)
@xw.arg("school", doc="学校名称；省略为全部学校")
@xw.arg("period", doc=PERIOD_DOC)
@_guard
def REFUND_TOTAL(table, school=None, period=None):
    """已退金额合计（元）：自动识别表头，跳过合计、小计行。"""
    return refund_total(table, school, period)


@xw.func(category="纪检台账")
@xw.arg("table", ndim=2, err_to_str=True, doc=TABLE_DOC)
@xw.arg("school", doc="学校名称；省略为全部学校")
@xw.arg("period", doc=PERIOD_DOC)
@_guard
def REFUND_DUE(table, school=None, period=None):
    """尚未退还的应退金额（元）。"""
    return refund_due(table, school, period)


@xw.func(category="纪检台账")
@xw.arg("table", ndim=2, err_to_str=True, doc=TABLE_DOC)
@xw.arg("source", doc="来源：省转办、市转办或自办（可写同义词）；省略为全部")
@xw.arg("period", doc=PERIOD_DOC)
@_guard
def COMPLAINT_COUNT(table, source=None, period=None):
    """信访举报件数。"""
    return complaint_count(table, source, period)


@xw.func(category="纪检台账")
@xw.arg("table", ndim=2, err_to_str=True, doc=TABLE_DOC)
@xw.arg("measure", doc="处理方式，如 警告、诫勉；省略为全部")
@xw.arg("cause", doc="问题类型，如 违规收费；省略为全部")
@xw.arg("period", doc=PERIOD_DOC)
@_guard
def SANCTION_COUNT(table, measure=None, cause=None, period=None):
    """处分人数（同一人受多项处理计 1 人）。"""
    return sanction_count(table, measure, cause, period)


@xw.func(category="纪检台账")
@xw.arg("table", ndim=2, err_to_str=True, doc=TABLE_DOC)
@xw.arg("as_of", doc="检查日期（日期单元格）；省略为今天")
@_guard
def RECTIFY_OVERDUE(table, as_of=None):
    """逾期未完成的整改问题个数。"""
    return rectify_overdue(table, as_of)


@xw.func(category="纪检台账")
@xw.arg("table", ndim=2, err_to_str=True, doc=TABLE_DOC)
@_guard
def RECTIFY_RATE(table):
    """整改完成率（0 到 1，可设为百分比格式）。"""
    return rectify_rate(table)


@xw.func(category="纪检台账")
@xw.arg("table", ndim=2, err_to_str=True, doc=TABLE_DOC)
@xw.arg("as_of", doc="检查日期（日期单元格）；省略为今天")
@_guard
def LEDGER_CHECK(table, as_of=None):
    """检查台账：问题清单（单元格、级别、说明）按行展开，没有问题时为 OK。"""
    return ledger_check(table, as_of)


@xw.func(category="纪检台账")
@xw.arg("table", ndim=2, err_to_str=True, doc=TABLE_DOC)
@xw.arg("level", doc="级别：错误 或 提醒；省略为全部")
@xw.arg("as_of", doc="检查日期（日期单元格）；省略为今天")
@_guard
def LEDGER_CHECK_COUNT(table, level=None, as_of=None):
    """检查台账的问题个数（一个单元格，任何版本的 Excel 都可用）。"""
    return ledger_check_count(table, level, as_of)


@xw.func(category="纪检台账")
@xw.arg("table", ndim=2, err_to_str=True, doc=TABLE_DOC)
@xw.arg("n", doc="第几个问题：1、2、3 …（可用 ROW()-1 向下填充）")
@xw.arg("as_of", doc="检查日期（日期单元格）；省略为今天")
@_guard
def LEDGER_CHECK_ITEM(table, n, as_of=None):
    """第 n 个问题（单元格 级别 说明），供 Excel 2016/2019 向下填充；超出时为空。"""
    return ledger_check_item(table, n, as_of)
