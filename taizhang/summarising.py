"""One summarise service, one set of defaults, for every entry point.

The command line (``taizhang summary``), the ribbon (汇总统计, 生成汇报, 月度合并), the
consolidation and the worksheet functions all settle their settings here, merged the same
way, each later source over the earlier:

1. the shipped defaults (``DEFAULT_BUREAU``; the as-of day is today);
2. the office configuration file (``--config`` / ``TAIZHANG_CONFIG`` / the user folder):
   ``[settings] bureau``, ``as_of``, ``[forms]`` …;
3. the ``台账设置`` sheet of the workbook in hand (the one summarised, or the master):
   局名称, 检查日期 and the 四种形态 mapping, as the ribbon's 设置 button writes it;
4. what the caller says explicitly (``--bureau``, ``--as-of``).

``summarise`` then reads and checks the workbooks and computes the figures
(``service.Summarised``: the report, the per-file reports, the ledgers with errors, and the
``settings`` used).
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from taizhang.config import Config
from taizhang.values import ValueParseError, clean_text, parse_date

DEFAULT_BUREAU = "县教育局"
SETTINGS_SHEET = "台账设置"
BUREAU_KEY, AS_OF_KEY, FORMS_HEADER = "局名称", "检查日期", ("处理方式", "四种形态")


@dataclass(frozen=True)
class Settings:
    """The settings in force: the bureau's name, the as-of day, the configuration (with the
    sheet's 四种形态 mapping merged in)."""

    bureau: str
    as_of: date
    config: Config
    #: Where each setting came from, for messages: "默认", "配置文件", "台账设置", "参数".
    sources: dict[str, str] = field(default_factory=dict)


def sheet_settings(rows: Iterable[Sequence[Any]] | None) -> dict[str, Any]:
    """What a 台账设置 sheet says: ``{"bureau": …, "as_of": date, "forms": {measure: form}}``
    (only what it fills in; a date that cannot be read is left out)."""
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
        elif (key, clean_text(value)) == FORMS_HEADER:
            in_forms = True
        elif in_forms and key and clean_text(value):
            forms[key] = clean_text(value)
    if forms:
        out["forms"] = forms
    return out


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
    if from_sheet.get("forms"):
        config = dataclasses.replace(config, forms={**config.forms, **from_sheet["forms"]})
        sources["forms"] = SETTINGS_SHEET
    if bureau:
        found_bureau, sources["bureau"] = bureau, "参数"
    if as_of is not None:
        found_as_of, sources["as_of"] = as_of, "参数"
    return Settings(found_bureau, found_as_of, config, sources)


#: How a run's period was settled (``Summarised.period_source``; ``period_source`` in JSON):
#: given (``--period``), the month of an as-of day given (argument, config, 台账设置), the month
#: of the latest dated row (neither given), or this month (neither given, no dated row).
GIVEN, AS_OF_MONTH, LATEST_ROWS, THIS_MONTH = "given", "as_of", "latest_rows", "this_month"


def latest_month(latest_by_file: Iterable[date | None]) -> tuple[Any, int, int]:
    """The month the files hold: each file's latest dated row names a month, and the month most
    files name wins (the later on a tie), so that one unit's row already dated next month, or a
    slip, does not carry the whole run into a month of zeros.  Returns (the month or None, how
    many files name it, how many files have a dated row)."""
    from collections import Counter

    from taizhang.figures import Period

    votes = Counter(Period.of_month(day) for day in latest_by_file if day is not None)
    if not votes:
        return None, 0, 0
    month = max(votes, key=lambda m: (votes[m], m.key))
    return month, votes[month], sum(votes.values())


def choose_period(period: Any, settings: Settings, latest_by_file: Iterable[date | None] = ()):
    """(the period of a run, how it was settled, the line that says so or None).

    ``period`` when given; else the month of the as-of day when one was given anywhere (argument,
    configuration, 台账设置); else the month the files hold (:func:`latest_month` of each file's
    latest row dated on or before the as-of day: on 6 December over October's ledgers, October,
    not an empty December); else, with no dated row at all, this month."""
    from taizhang.figures import Period

    if period is not None and period != "":
        return (period if isinstance(period, Period) else Period.parse(str(period))), GIVEN, None
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


def summarise_loaded(loaded: Sequence[Any], config: Config, *, period: Any = None, bureau: str | None = None,
                     as_of: date | None = None):
    """Check loaded workbooks (``service.LoadedWorkbook``) with the settings in force and count
    their figures: a ``service.Summarised`` whose ``settings`` says what was used."""
    from taizhang.service import check_loaded, summarise_reports

    from taizhang.figures import latest_row_date, rows_by_kind

    settings = resolve(config, sheet=settings_rows(loaded), bureau=bureau, as_of=as_of)
    reports = [check_loaded(lw, settings.config, settings.as_of) for lw in loaded]
    latest = [latest_row_date(rows_by_kind([lg for lg in r.ledgers if not lg.hidden]), settings.as_of)
              for r in reports]
    period, source, note = choose_period(period, settings, latest)
    summed = summarise_reports(reports, period, settings.as_of, settings.config)
    summed.settings, summed.period_source, summed.period_note = settings, source, note
    return summed


def summarise_files(files: Sequence[Path], config: Config, *, period: Any = None, bureau: str | None = None,
                    as_of: date | None = None, rows: bool = True, jobs: int | None = None,
                    progress: Callable[[Path], None] | None = None):
    """:func:`summarise_loaded` of the files, read in worker processes when that pays
    (``taizhang.workers``).  Without ``rows`` (no detail sheet to write) each file passes back
    only its findings and its share of the figures, merged here into the same figures; the
    report's ``rows`` are then empty and the reports :meth:`~taizhang.service.FileReport.slim`.
    """
    from taizhang import workers
    from taizhang.figures import compute_from_parts, has_parts
    from taizhang.service import Summarised, load_workbook, summarise_file, summary_reader_died
    from taizhang.summary import blocking_errors

    if rows or not has_parts():
        loaded = []
        for p in files:
            loaded.append(load_workbook(p, config))
            if progress:
                progress(p)
        return summarise_loaded(loaded, config, period=period, bureau=bureau, as_of=as_of)
    # The files are read with the settings known before reading; should one of them carry a
    # 台账设置 sheet that changes the as-of day or the 四种形态, they are read again with it.
    # With no period and no as-of day, the period is the month of the latest dated row: the
    # files are read for this month and the month before (what a month-end or early-month run
    # reports), and read again only when the rows' latest month is older than that.
    settings = resolve(config, bureau=bureau, as_of=as_of)
    asked = None  # a period the files must be read for, found by the previous reading
    for reading in range(3):
        guess = settings
        first, source, _note = choose_period(period, guess)
        if asked is not None:
            candidates = (asked,)
        elif source in (LATEST_ROWS, THIS_MONTH):
            candidates = (first, first.month_before())
        else:
            candidates = (first,)
        done = workers.map_files(summarise_file, files, (guess.config, guess.as_of, *candidates), jobs=jobs,
                                 crashed=summary_reader_died, progress=None if reading else progress)
        settings = resolve(config, sheet=settings_rows(d.report for d in done), bureau=bureau, as_of=as_of)
        if (settings.as_of, settings.config) != (guess.as_of, guess.config):
            asked = None
            continue
        the_period, source, note = choose_period(period, settings, [d.latest for d in done])
        if the_period in candidates:
            break
        asked = the_period
    else:  # the files changed between the readings: the settings and the period they were read with
        settings, the_period, note = guess, candidates[0], None
    reports = [d.report for d in done]
    report = compute_from_parts([d.parts_of(the_period) for d in done if d.parts is not None], the_period,
                                settings.as_of, settings.config)
    summed = Summarised(reports, report, blocking_errors(reports), settings)
    summed.period_source, summed.period_note = source, note
    return summed


def summarise(paths: Iterable[str | os.PathLike], *, config: Config | None = None, period: Any = None,
              bureau: str | None = None, as_of: date | None = None):
    """Read, check and summarise workbook files (folders are expanded): the one use case the
    command line, the report and scripts share."""
    from taizhang.config import load_config
    from taizhang.reading.folder import expand_paths

    config = config or load_config()
    return summarise_files(expand_paths([str(p) for p in paths]), config, period=period, bureau=bureau,
                           as_of=as_of)
