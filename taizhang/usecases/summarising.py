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
(``files.Summarised``: the report, the per-file reports, the ledgers with errors, and the
``settings`` used).
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from taizhang import workers
from taizhang.config import Config, load_config
from taizhang.figures import Period, compute_from_parts, has_parts, latest_row_date, rows_by_kind
from taizhang.figures.compare import compared_periods, with_comparison
from taizhang.figures.settings import LATEST_ROWS, THIS_MONTH, Settings, choose_period, resolve, settings_rows
from taizhang.reading.folder import expand_paths
from taizhang.usecases.files import (
    Summarised, check_loaded, load_workbook, summarise_file, summarise_reports, summary_reader_died,
)


def summarise_loaded(loaded: Sequence[Any], config: Config, *, period: Any = None, bureau: str | None = None,
                     as_of: date | None = None, compare: bool = False):
    """Check loaded workbooks (``service.LoadedWorkbook``) with the settings in force and count
    their figures: a ``files.Summarised`` whose ``settings`` says what was used.  With
    ``compare``, the period before and a year earlier are counted too (``figures.compare``)."""
    settings = resolve(config, sheet=settings_rows(loaded), bureau=bureau, as_of=as_of)
    reports = [check_loaded(lw, settings.config, settings.as_of) for lw in loaded]
    latest = [latest_row_date(rows_by_kind([lg for lg in r.ledgers if not lg.hidden]), settings.as_of)
              for r in reports]
    period, source, note = choose_period(period, settings, latest)
    summed = summarise_reports(reports, period, settings.as_of, settings.config, compare=compare)
    summed.settings, summed.period_source, summed.period_note = settings, source, note
    return summed


def summarise_checked(reports: Sequence[Any], settings: Settings, *, period: Any = None, bureau: str | None = None,
                      as_of: date | None = None, config: Config | None = None):
    """The figures of files already checked with ``settings`` (what ``taizhang.api.read`` kept):
    for ``period`` (default: the month of the as-of day), with ``bureau``, ``as_of`` or
    ``config`` given over the settings they were checked with."""
    if as_of is not None or bureau is not None or config is not None:
        settings = resolve(config or settings.config, bureau=bureau, as_of=as_of or settings.as_of)
    the_period = Period.parse(str(period)) if period else Period.of_month(settings.as_of)
    summed = summarise_reports(list(reports), the_period, settings.as_of, settings.config)
    summed.settings = settings
    return summed


def summarise_files(files: Sequence[Path], config: Config, *, period: Any = None, bureau: str | None = None,
                    as_of: date | None = None, rows: bool = True, jobs: int | None = None,
                    progress: Callable[[Path], None] | None = None, compare: bool = False):
    """:func:`summarise_loaded` of the files, read in worker processes when that pays
    (``taizhang.workers``).  Without ``rows`` (no detail sheet to write) each file passes back
    only its findings and its share of the figures, merged here into the same figures; the
    report's ``rows`` are then empty and the reports :meth:`~taizhang.usecases.files.FileReport.slim`.
    """
    from taizhang.summary import blocking_errors

    if rows or not has_parts():
        loaded = []
        for p in files:
            loaded.append(load_workbook(p, config))
            if progress:
                progress(p)
        return summarise_loaded(loaded, config, period=period, bureau=bureau, as_of=as_of, compare=compare)
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
        asked_for = compared_periods(candidates, compare)
        done = workers.map_files(summarise_file, files, (guess.config, guess.as_of, *asked_for), jobs=jobs,
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
    def of(p: Any) -> Any:
        return compute_from_parts([d.parts_of(p) for d in done if d.parts is not None], p, settings.as_of,
                                  settings.config)

    report = of(the_period)
    if compare:
        with_comparison(report, *(of(p) if p is not None else None
                                  for p in (the_period.previous(), the_period.year_earlier())), settings.config)
    summed = Summarised(reports, report, blocking_errors(reports), settings)
    summed.period_source, summed.period_note = source, note
    return summed


def summarise(paths: Iterable[str | os.PathLike], *, config: Config | None = None, period: Any = None,
              bureau: str | None = None, as_of: date | None = None):
    """Read, check and summarise workbook files (folders are expanded), for scripts: the
    figures alone.  The command line and the service run ``taizhang.usecases.summarise``, which
    adds the 汇总表, the messages and the exit status on the same :func:`summarise_files`."""
    config = config or load_config()
    return summarise_files(expand_paths([str(p) for p in paths]), config, period=period, bureau=bureau,
                           as_of=as_of)
