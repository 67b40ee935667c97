"""Reporting periods: a month (``2026-10``), a year (``2026``) or everything.

:meth:`Period.parse` is the one parser of what staff type for a period, used by every command
(``summary --period``, ``consolidate --period``), the ribbon and the worksheet functions:
``2026-10``, ``2026/10``, ``2026.10``, ``2026年10月`` (or ``10月份``), ``202610``, ``2026``
(or ``2026年``), ``all`` / ``全部``; full-width digits and spaces are accepted.
"""

from __future__ import annotations

import calendar
import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from taizhang.errors import TaizhangError

#: What a period is written as (after NFKC and removing spaces): year, then an optional month.
_PERIOD = re.compile(r"(\d{4})(?:(?:[-/.]|年)(\d{1,2})(?:月份?)?|(\d{2}))?年?")
ALL_WORDS = ("", "all", "全部")
PERIOD_HELP = "2026-10、2026/10、2026年10月、202610（月），2026（年）或 all（全部）"


class PeriodError(TaizhangError, ValueError):
    """The text is not a period; the message says what is expected."""


@dataclass(frozen=True)
class Period:
    """A month, a year, or everything (``year`` None)."""

    year: int | None = None
    month: int | None = None

    @classmethod
    def parse(cls, text: str | None) -> Period:
        """``2026-10`` / ``2026/10`` / ``2026年10月`` / ``202610`` -> a month, ``2026`` -> a year,
        ``all`` / ``全部`` / empty -> everything; anything else is a :class:`PeriodError`."""
        t = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text or ""))).lower()
        if t in ALL_WORDS:
            return cls()
        m = _PERIOD.fullmatch(t)
        if m and 1900 <= int(m.group(1)) <= 2100:
            raw_month = m.group(2) or m.group(3)
            month = int(raw_month) if raw_month else None
            if month is None or 1 <= month <= 12:
                return cls(int(m.group(1)), month)
        raise PeriodError(f"期间应写作 {PERIOD_HELP}，收到“{text}”")

    @classmethod
    def parse_month(cls, text: str | None) -> Period:
        """A month, written in any form :meth:`parse` takes; a year or everything is refused."""
        period = cls.parse(text)
        if not period.is_month:
            raise PeriodError(f"这里需要一个月份，例如 2026-10、2026/10、2026年10月 或 202610（收到“{text}”）")
        return period

    @classmethod
    def of_month(cls, day: date) -> Period:
        return cls(day.year, day.month)

    @property
    def is_all(self) -> bool:
        return self.year is None

    @property
    def is_month(self) -> bool:
        return self.month is not None

    @property
    def start(self) -> date | None:
        if self.year is None:
            return None
        return date(self.year, self.month or 1, 1)

    @property
    def end(self) -> date | None:
        if self.year is None:
            return None
        month = self.month or 12
        return date(self.year, month, calendar.monthrange(self.year, month)[1])

    def contains(self, day: date | None) -> bool:
        """Whether ``day`` lies in the period; an unknown day lies only in "everything"."""
        if self.year is None:
            return True
        if day is None:
            return False
        start, end = self._bounds
        return start <= day <= end

    @functools.cached_property
    def _bounds(self) -> tuple[date, date]:
        """(start, end), worked out once: ``contains`` is asked of every row."""
        return self.start, self.end  # type: ignore[return-value]

    def year_to_date(self) -> Period | None:
        """For a month, January to that month (累计); None otherwise."""
        return YearToDate(self.year, self.month) if self.is_month else None

    def month_before(self) -> Period:
        """The month before a month (December of the year before for January)."""
        if not self.is_month:
            raise PeriodError(f"{self.label}不是一个月份")
        return Period(self.year - 1, 12) if self.month == 1 else Period(self.year, self.month - 1)

    def previous(self) -> Period | None:
        """The period before: a month's month before, a year's year before; None for everything."""
        if self.year is None:
            return None
        return self.month_before() if self.is_month else Period(self.year - 1)

    def year_earlier(self) -> Period | None:
        """The same period a year earlier (同比); None for everything."""
        return None if self.year is None else Period(self.year - 1, self.month)

    @property
    def key(self) -> str:
        """``2026-10``, ``2026`` or ``all``: the form used in ``--json``."""
        if self.year is None:
            return "all"
        return f"{self.year:04d}-{self.month:02d}" if self.month else f"{self.year:04d}"

    @property
    def label(self) -> str:
        """``2026年10月``, ``2026年``, ``全部``."""
        if self.year is None:
            return "全部"
        return f"{self.year}年{self.month}月" if self.month else f"{self.year}年"


@dataclass(frozen=True)
class YearToDate(Period):
    """January 1 to the end of ``month``."""

    @property
    def start(self) -> date | None:
        return date(self.year, 1, 1) if self.year else None

    @property
    def key(self) -> str:
        return f"{self.year:04d}-01..{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        return f"{self.year}年1—{self.month}月"

    @property
    def is_month(self) -> bool:
        return False

    def year_to_date(self) -> Period | None:
        return None
