"""The settings a run's figures are made under, each later source over the earlier:

1. the shipped defaults (``DEFAULT_BUREAU``; the as-of day is today);
2. the office configuration file (``--config`` / ``TAIZHANG_CONFIG`` / the user folder):
   ``[settings] bureau``, ``as_of``, ``[forms]`` …;
3. the ``台账设置`` sheet of the workbook in hand (the one summarised, or the master):
   局名称, 检查日期, 统计期间 and the 四种形态 mapping, as the ribbon's 设置 button writes it;
4. what the caller says explicitly (``--bureau``, ``--as-of``, ``--period``);

and the period they count when nobody names one (:func:`choose_period`).  The command line,
the ribbon, the consolidation and the worksheet functions all settle their settings here.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import field
from datetime import date, datetime
from typing import Any, Iterable, Sequence

from taizhang.config import Config
from taizhang.figures import Period, PeriodError
from taizhang.reading.workbook import SETTINGS_SHEET
from taizhang.records import dataclass
from taizhang.values import ValueParseError, clean_text, parse_date

DEFAULT_BUREAU = "县教育局"
BUREAU_KEY, AS_OF_KEY, FORMS_HEADER = "局名称", "检查日期", ("处理方式", "四种形态")
#: The 台账设置 line that has the ribbon's 汇总统计 and 生成汇报 compare with the period before
#: and a year earlier (``summary --compare``): 是 or 否 (blank: 否).
COMPARE_KEY, YES, NO = "与上期、上年同期对比", "是", "否"
#: The 台账设置 row naming the period to count (a month, 2026Q3, 2026年上半年 …); blank: the month
#: of the 检查日期, as without it.
PERIOD_KEY = "统计期间"


@dataclass(frozen=True)
class Settings:
    """The settings in force: the bureau's name, the as-of day, the configuration (with the
    sheet's 四种形态 mapping merged in)."""

    bureau: str
    as_of: date
    config: Config
    #: Where each setting came from, for messages: "默认", "配置文件", "台账设置", "参数".
    sources: dict[str, str] = field(default_factory=dict)
    #: Whether the 台账设置 sheet asks for comparisons (:data:`COMPARE_KEY`; the ribbon's buttons).
    compare: bool = False
    #: The period the 台账设置 sheet names (统计期间), as written; None when it names none.
    period: str | None = None


def sheet_settings(rows: Iterable[Sequence[Any]] | None) -> dict[str, Any]:
    """What a 台账设置 sheet says: ``{"bureau": …, "as_of": date, "period": text, "forms":
    {measure: form}}`` (only what it fills in; a date that cannot be read is left out; the
    period is read when the run is counted, where a bad one is said)."""
    out: dict[str, Any] = {}
    forms: dict[str, str] = {}
    in_forms = False
    for row in rows or ():
        row = list(row)
        key, value = (clean_text(row[0]) if row else None), (row[1] if len(row) > 1 else None)
        if key == BUREAU_KEY and clean_text(value):
            out["bureau"] = clean_text(value)
        elif key == AS_OF_KEY and clean_text(value):
            try:
                out["as_of"] = parse_date(value)
            except ValueParseError:
                pass
        elif key == COMPARE_KEY and clean_text(value):
            out["compare"] = clean_text(value) in (YES, "对比", "√", "1", "true", "yes", "TRUE", "True")
        elif key == PERIOD_KEY and clean_text(value):
            out["period"] = _period_text(value)
        elif (key, clean_text(value)) == FORMS_HEADER:
            in_forms = True
        elif in_forms and key and clean_text(value):
            forms[key] = clean_text(value)
    if forms:
        out["forms"] = forms
    return out


def _period_text(value: Any) -> str:
    """A 统计期间 cell as text: a date cell (Excel makes ``2026-10`` typed in a cell a date)
    names its month, a number (``2026``, ``202610``) its digits."""
    if isinstance(value, (datetime, date)):
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(clean_text(value))


def _config_as_of(config: Config) -> date | None:
    value = config.settings.get("as_of")
    if value is None or clean_text(value) is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return parse_date(value)
    except ValueParseError:
        return None


def resolve(config: Config, *, sheet: Iterable[Sequence[Any]] | None = None, bureau: str | None = None,
            as_of: date | None = None, today: date | None = None) -> Settings:
    """The settings in force (see the module docstring for the order)."""
    sources = {"bureau": "默认", "as_of": "默认"}
    found_bureau, found_as_of = DEFAULT_BUREAU, today or date.today()
    if config.settings.get("bureau"):
        found_bureau, sources["bureau"] = str(config.settings["bureau"]), "配置文件"
    if (day := _config_as_of(config)) is not None:
        found_as_of, sources["as_of"] = day, "配置文件"
    from_sheet = sheet_settings(sheet)
    if "bureau" in from_sheet:
        found_bureau, sources["bureau"] = from_sheet["bureau"], SETTINGS_SHEET
    if "as_of" in from_sheet:
        found_as_of, sources["as_of"] = from_sheet["as_of"], SETTINGS_SHEET
    period = None
    if "period" in from_sheet:
        period, sources["period"] = from_sheet["period"], SETTINGS_SHEET
    if from_sheet.get("forms"):
        config = dataclasses.replace(config, forms={**config.forms, **from_sheet["forms"]})
        sources["forms"] = SETTINGS_SHEET
    if bureau:
        found_bureau, sources["bureau"] = bureau, "参数"
    if as_of is not None:
        found_as_of, sources["as_of"] = as_of, "参数"
    return Settings(found_bureau, found_as_of, config, sources, bool(from_sheet.get("compare")), period)


#: How a run's period was settled (``Summarised.period_source``; ``period_source`` in JSON):
#: given (``--period``, or the 台账设置's 统计期间), the month of an as-of day given (argument, config, 台账设置), the month
#: of the latest dated row (neither given), or this month (neither given, no dated row).
GIVEN, AS_OF_MONTH, LATEST_ROWS, THIS_MONTH = "given", "as_of", "latest_rows", "this_month"


def latest_month(latest_by_file: Iterable[date | None]) -> tuple[Any, int, int]:
    """The month the files hold: each file's latest dated row names a month, and the month most
    files name wins (the later on a tie), so that one unit's row already dated next month, or a
    slip, does not carry the whole run into a month of zeros.  Returns (the month or None, how
    many files name it, how many files have a dated row)."""
    votes = Counter(Period.of_month(day) for day in latest_by_file if day is not None)
    if not votes:
        return None, 0, 0
    month = max(votes, key=lambda m: (votes[m], m.key))
    return month, votes[month], sum(votes.values())


def choose_period(period: Any, settings: Settings, latest_by_file: Iterable[date | None] = ()):
    """(the period of a run, how it was settled, the line that says so or None).

    ``period`` when given; else the 统计期间 of the 台账设置 sheet (a bad one is a PeriodError
    naming the sheet); else the month of the as-of day when one was given anywhere (argument,
    configuration, 台账设置); else the month the files hold (:func:`latest_month` of each file's
    latest row dated on or before the as-of day: on 6 December over October's ledgers, October,
    not an empty December); else, with no dated row at all, this month."""
    if period is not None and period != "":
        return (period if isinstance(period, Period) else Period.parse(str(period))), GIVEN, None
    if settings.period:
        try:
            return Period.parse(settings.period), GIVEN, None
        except PeriodError as exc:
            raise PeriodError(f"“{SETTINGS_SHEET}”中的{PERIOD_KEY}：{exc}") from None
    if settings.sources.get("as_of", "默认") != "默认":
        return Period.of_month(settings.as_of), AS_OF_MONTH, None
    month, named, dated = latest_month(latest_by_file)
    if month is not None:
        share = f"，{dated} 个文件中 {named} 个" if dated > 1 else ""
        return month, LATEST_ROWS, f"统计期间：{month.label}（未指定期间，取台账中有数据的最近月份{share}）"
    month = Period.of_month(settings.as_of)
    return month, THIS_MONTH, f"统计期间：{month.label}（未指定期间，台账中没有带日期的记录，取本月）"


def settings_rows(workbooks: Iterable[Any]) -> list[list[Any]] | None:
    """The first ``台账设置`` sheet among loaded or checked workbooks (``settings_rows``)."""
    return next((w.settings_rows for w in workbooks if getattr(w, "settings_rows", None)), None)
