"""The worksheet functions of the taizhang add-in.

Each takes a ledger range *including its header row*, finds its columns by name or
synonym and skips 合计/小计 rows, which ``SUMIFS`` cannot.  The functions are defined by the
ledger kinds (``KindDef.worksheet_functions`` in ``taizhang/kinds``: ``REFUND_TOTAL``,
``COMPLAINT_COUNT``, ``ACTIVITY_COUNT`` …); this module makes, for each, the upper-case
function Excel sees, registered with xlwings' decorators, and keeps the plain Python one
under its own name (``refund_total`` …).  ``LEDGER_CHECK`` works on any ledger.  Bad input
returns a readable ``#错误：…`` text, never a traceback.  Money is computed as ``Decimal``
and handed to Excel as a number at the very end.
"""

from __future__ import annotations

import contextlib
import gc
import inspect
from dataclasses import replace
from typing import Any, Callable, Iterator

import xlwings as xw

from taizhang.checks import CheckContext, check_ledger
from taizhang.config import Config
from taizhang.errors import TaizhangError
from taizhang.kinds import WorksheetFunction, by_rank
from taizhang.ranges import PERIOD_DOC, TABLE_DOC, RangeError, as_of_of, config_or_default, ledger_in
from taizhang.values import clean_text
from udfs.cache import by_content

OK = "OK"
CATEGORY = "纪检台账"

__all__ = ["OK", "PERIOD_DOC", "TABLE_DOC", "ledger_check", "ledger_check_count", "ledger_check_item",
           "LEDGER_CHECK", "LEDGER_CHECK_COUNT", "LEDGER_CHECK_ITEM"]


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a function works: reading a range of ten thousand
    rows makes and keeps a dozen objects a row, and the collector swept them again and again
    for nothing (a third of LEDGER_CHECK's time).  A collection paused by the caller stays so."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _guarded(fn: Callable[..., Any], name: str, doc: str, args: tuple[str, ...]) -> Callable[..., Any]:
    """``fn`` for a cell: bad input becomes a readable text, never a Python traceback; the
    signature is ``args`` (what xlwings shows in the function wizard)."""

    def wrapper(*values: Any) -> Any:
        try:
            with _collector_paused():
                return fn(*values)
        except RangeError as exc:
            return f"#错误：{exc}"
        except TaizhangError as exc:  # a bad office configuration file, say
            return f"#错误：{exc.message}"
        except Exception as exc:  # noqa: BLE001 - a cell must never show a traceback
            return f"#错误：无法计算（{type(exc).__name__}）"

    wrapper.__name__ = wrapper.__qualname__ = name
    wrapper.__doc__ = doc
    wrapper.__module__ = __name__
    wrapper.__annotations__ = {}
    wrapper.__signature__ = inspect.Signature([  # type: ignore[attr-defined]
        inspect.Parameter(a, inspect.Parameter.POSITIONAL_OR_KEYWORD,
                          default=inspect.Parameter.empty if i == 0 else None)
        for i, a in enumerate(args)])
    return wrapper


def excel_function(wf: WorksheetFunction) -> Callable[..., Any]:
    """The function Excel sees for ``wf``, with xlwings' decorators applied."""
    names = tuple(a for a, _doc in wf.args)
    fn = _guarded(lambda *values: wf.impl(*values), wf.name, wf.doc, names)
    fn = xw.func(category=CATEGORY)(fn)
    for arg, doc in reversed(wf.args):
        options = {"ndim": 2, "err_to_str": True} if arg == "table" and wf.table else {}
        fn = xw.arg(arg, doc=doc, **options)(fn)
    return fn


def _register_all() -> None:
    for d in by_rank():
        for wf in d.worksheet_functions():
            wf = replace(wf, impl=by_content(wf.impl))  # answers kept by the range's content
            globals()[wf.name] = excel_function(wf)
            globals()[wf.impl.__name__] = wf.impl
            __all__.extend([wf.name, wf.impl.__name__])


@by_content
def ledger_check(table: Any, as_of: Any = None, config: Config | None = None) -> list[list[str]] | str:
    """检查所选台账：每个问题一行（单元格、级别、说明），没有问题时返回 OK。
    单元格位置相对于所选区域左上角（区域从 A1 开始时即为工作表位置）。"""
    config = config_or_default(config)
    ledger = ledger_in(table, config, strict=False)
    findings = check_ledger(ledger, CheckContext(config=config, as_of=as_of_of(as_of)))
    if not findings:
        return OK
    return [[f.cell or (f"第{f.row}行" if f.row else ""), "错误" if f.is_error else "提醒", f.message]
            for f in findings]


@by_content
def ledger_check_count(table: Any, level: Any = None, as_of: Any = None, config: Config | None = None) -> int:
    """检查所选台账的问题个数，可只数“错误”或“提醒”。"""
    config = config_or_default(config)
    ledger = ledger_in(table, config, strict=False)
    findings = check_ledger(ledger, CheckContext(config=config, as_of=as_of_of(as_of)))
    wanted = clean_text(level)
    if wanted not in (None, "错误", "提醒"):
        raise RangeError(f"级别应为“错误”或“提醒”，不是“{wanted}”")
    return sum(1 for f in findings if wanted is None or ("错误" if f.is_error else "提醒") == wanted)


def ledger_check_item(table: Any, n: Any, as_of: Any = None, config: Config | None = None) -> str:
    """第 n 个问题（单元格 级别 说明）；n 超出问题个数时为空。不支持动态数组的 Excel 可向下填充。"""
    config = config_or_default(config)
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


AS_OF_DOC = "检查日期（日期单元格）；省略为今天"
LEDGER_CHECK = excel_function(WorksheetFunction(
    "LEDGER_CHECK", ledger_check, "检查台账：问题清单（单元格、级别、说明）按行展开，没有问题时为 OK。",
    (("table", TABLE_DOC), ("as_of", AS_OF_DOC))))
LEDGER_CHECK_COUNT = excel_function(WorksheetFunction(
    "LEDGER_CHECK_COUNT", ledger_check_count, "检查台账的问题个数（一个单元格，任何版本的 Excel 都可用）。",
    (("table", TABLE_DOC), ("level", "级别：错误 或 提醒；省略为全部"), ("as_of", AS_OF_DOC))))
LEDGER_CHECK_ITEM = excel_function(WorksheetFunction(
    "LEDGER_CHECK_ITEM", ledger_check_item, "第 n 个问题（单元格 级别 说明），供 Excel 2016/2019 向下填充；超出时为空。",
    (("table", TABLE_DOC), ("n", "第几个问题：1、2、3 …（可用 ROW()-1 向下填充）"), ("as_of", AS_OF_DOC))))

_register_all()
