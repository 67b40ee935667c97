"""The figures of a period from the consolidation store (:mod:`taizhang.consolidation.store`):
what :func:`taizhang.figures.compute` gives from the master's rows, merged from the parts of
each unit's month instead.  The master's 汇总表 counts its month here, and with ``--compare``
the month before and the same month a year earlier, from the months the store holds."""

from __future__ import annotations

from datetime import date
from typing import Any

from taizhang.config import Config
from taizhang.figures import Report, figures_model
from taizhang.figures.period import Period
from taizhang.kinds import by_rank


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def store_report(store: Any, period: Period, as_of: date, config: Config, key: str, rank: dict[str, int],
                 running: bool = False) -> Report:
    """The report of ``period`` (本月 and, for a month, 累计) from ``store``, its narrative unset.

    ``key`` names the settings the parts are made under (``store.config_key``), ``rank`` orders
    the units as the master lists them; with ``running`` each unit's 累计 is kept merged, for
    next month's run to start from (the month being consolidated; not a month compared with).
    """
    first, last = _month(period.start), _month(period.end)
    ytd_period = period.year_to_date()
    current, ytd = {}, {}
    for d in by_rank():
        current[d.kind.value] = store.figures(d, first, last, tracker=False, config=config, key=key,
                                              as_of=as_of, rank=rank)
        if ytd_period is not None:
            ytd[d.kind.value] = store.figures(d, "" if d.ytd_is_tracker else f"{last[:4]}-01", last,
                                              tracker=d.ytd_is_tracker, config=config, key=key, as_of=as_of,
                                              rank=rank, running=running)
    model = figures_model()
    return Report(period=period, as_of=as_of, current=model(**current),
                  year_to_date=model(**ytd) if ytd_period is not None else None)
