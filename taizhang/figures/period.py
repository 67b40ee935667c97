"""Reporting periods: a span of whole months (a month, a quarter, a half-year, any range of
months, a year) or everything.

:meth:`Period.parse` is the one parser of what staff type for a period, used by every command
(``summary --period``, ``report --period``, ``consolidate --period``), the ribbon (台账设置's
统计期间), the local page and the worksheet functions:

- a month: ``2026-10``, ``2026/10``, ``2026.10``, ``2026年10月`` (or ``10月份``), ``202610``;
- a quarter: ``2026Q3``, ``2026-Q3``, ``2026年第三季度``, ``2026年3季度``, ``2026年第3季度``;
- a half-year: ``2026H1``, ``2026年上半年``, ``2026H2``, ``2026年下半年``;
- a range of months: ``2026-03..2026-08``, ``2026年3月至8月``, ``2026年3月-8月``,
  ``2026年3月至2026年8月``, across a year end too (``2025-11..2026-02``);
- a year: ``2026`` (or ``2026年``); everything: ``all`` / ``全部``;

full-width digits and letters, lowercase ``q``/``h`` and spaces are accepted.  A period is the
span of months it covers: ``2026-07..2026-09`` is the third quarter, ``2026-01..2026-12`` the
year, ``2026-10..2026-10`` the month, whichever way they were written.
"""

from __future__ import annotations

import calendar
import functools
import re
import unicodedata
from datetime import date

from taizhang.errors import TaizhangError
from taizhang.records import dataclass

#: A month or a year (after NFKC, lowercasing and removing spaces): year, then an optional month.
_PERIOD = re.compile(r"(\d{4})(?:(?:[-/.]|年)(\d{1,2})(?:月份?)?|(\d{2}))?年?")
_QUARTER = re.compile(r"(\d{4})(?:[-年]?q([1-4])|年?第?([1-4一二三四])季度?)")
_HALF = re.compile(r"(\d{4})(?:[-年]?h([12])|年?([上下])半年度?)")
#: A range: two months joined by ``..``, ``~``, ``至``, ``到`` or a dash; a dash only between
#: months written with 月 (``2026-03-2026-08`` would be unclear).
_RANGE = (re.compile(r"(.+?)(?:\.\.|~|至|到|—|–)(.+)"), re.compile(r"(.+?月份?)-(.+)"))
#: The end of a range written as a month alone (``2026年3月至8月``): of the start's year.
_BARE_MONTH = re.compile(r"(\d{1,2})月份?")
_NUMERALS = "一二三四"
ALL_WORDS = ("", "all", "全部")
PERIOD_HELP = ("2026-10、2026/10、2026年10月、202610（月），2026Q3、2026年第三季度（季度），"
               "2026H1、2026年上半年（半年），2026-03..2026-08、2026年3月至8月（月份区间），2026（年）或 all（全部）")

#: The kinds of period (``Period.kind``).
ALL, YEAR, MONTH, QUARTER, HALF, RANGE = "all", "year", "month", "quarter", "half", "range"


class PeriodError(TaizhangError, ValueError):
    """The text is not a period; the message says what is expected."""


def _ordinal(year: int, month: int) -> int:
    return year * 12 + month - 1


def _month_of(ordinal: int) -> tuple[int, int]:
    return ordinal // 12, ordinal % 12 + 1


@dataclass(frozen=True)
class Period:
    """A span of whole months, or everything (``year`` None).

    ``Period(2026, 10)`` is a month and ``Period(2026)`` a year, as always; any other span (a
    quarter, a half-year, a range of months) is made by :meth:`between` and keeps its first and
    last months in ``span``, with ``year`` the year of its last month and ``month`` None.  A
    span is made by :meth:`between` only, which gives a month or a year as those, so that two
    periods covering the same months are equal.
    """

    year: int | None = None
    month: int | None = None
    #: ((year, month) first, (year, month) last) of a span that is neither a month nor a year.
    span: tuple[tuple[int, int], tuple[int, int]] | None = None

    @classmethod
    def between(cls, first: tuple[int, int], last: tuple[int, int]) -> Period:
        """The months from ``first`` to ``last`` (each ``(year, month)``), both included."""
        a, b = _ordinal(*first), _ordinal(*last)
        if b < a:
            raise PeriodError(f"月份区间的结束月份（{last[0]}年{last[1]}月）早于开始月份（{first[0]}年{first[1]}月）")
        if a == b:
            return cls(*first)
        if first[1] == 1 and last[1] == 12 and first[0] == last[0]:
            return cls(first[0])
        return cls(last[0], None, (_month_of(a), _month_of(b)))

    @classmethod
    def quarter(cls, year: int, number: int) -> Period:
        return cls.between((year, 3 * number - 2), (year, 3 * number))

    @classmethod
    def half(cls, year: int, number: int) -> Period:
        return cls.between((year, 6 * number - 5), (year, 6 * number))

    @classmethod
    def parse(cls, text: str | None) -> Period:
        """What staff type (see the module docstring) -> the period; ``all`` / ``全部`` / empty
        -> everything; anything else is a :class:`PeriodError` listing the forms taken."""
        t = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text or ""))).lower()
        if t in ALL_WORDS:
            return cls()
        try:
            found = cls._parse(t)
        except PeriodError as exc:
            raise PeriodError(f"{exc}；期间应写作 {PERIOD_HELP}，收到“{text}”") from None
        if found is None:
            raise PeriodError(f"期间应写作 {PERIOD_HELP}，收到“{text}”")
        return found

    @classmethod
    def _parse(cls, t: str) -> Period | None:
        if found := cls._month_or_year(t):
            return found
        if (m := _QUARTER.fullmatch(t)) and _year_ok(m.group(1)):
            number = m.group(2) or m.group(3)
            return cls.quarter(int(m.group(1)), int(number) if number.isdigit() else _NUMERALS.index(number) + 1)
        if (m := _HALF.fullmatch(t)) and _year_ok(m.group(1)):
            return cls.half(int(m.group(1)), 1 if m.group(2) == "1" or m.group(3) == "上" else 2)
        for pattern in _RANGE:
            if (m := pattern.fullmatch(t)) and (first := cls._month_or_year(m.group(1))) and first.is_month:
                last = cls._month_or_year(m.group(2))
                if last is None and (bare := _BARE_MONTH.fullmatch(m.group(2))) and 1 <= int(bare.group(1)) <= 12:
                    last = cls(first.year, int(bare.group(1)))
                if last is not None and last.is_month:
                    return cls.between((first.year, first.month), (last.year, last.month))  # type: ignore[arg-type]
        return None

    @classmethod
    def _month_or_year(cls, t: str) -> Period | None:
        m = _PERIOD.fullmatch(t)
        if m and _year_ok(m.group(1)):
            raw_month = m.group(2) or m.group(3)
            month = int(raw_month) if raw_month else None
            if month is None or 1 <= month <= 12:
                return cls(int(m.group(1)), month)
        return None

    @classmethod
    def parse_month(cls, text: str | None) -> Period:
        """A month, written in any form :meth:`parse` takes; any other period is refused (the
        monthly consolidation: a quarter's figures are its months' added up, which ``summary
        --period`` counts)."""
        period = cls.parse(text)
        if not period.is_month:
            hint = (f"；{period.heading}的数字是各月之和，请逐月合并，{period.label}的统计用汇总统计"
                    f"（--period {period.key}）") if period.span is not None else ""
            raise PeriodError(f"这里需要一个月份，例如 2026-10、2026/10、2026年10月 或 202610"
                              f"（收到“{text}”，是{period.label}{hint}）")
        return period

    @classmethod
    def of_month(cls, day: date) -> Period:
        return cls(day.year, day.month)

    # --- what it is ---------------------------------------------------------------------------

    @property
    def kind(self) -> str:
        """``all``, ``year``, ``month``, ``quarter``, ``half`` or ``range``."""
        if self.year is None:
            return ALL
        if self.span is None:
            return MONTH if self.month is not None else YEAR
        (y1, m1), (y2, m2) = self.span
        length = _ordinal(y2, m2) - _ordinal(y1, m1) + 1
        if y1 == y2 and length == 3 and m1 % 3 == 1:
            return QUARTER
        if y1 == y2 and length == 6 and m1 in (1, 7):
            return HALF
        return RANGE

    @property
    def is_all(self) -> bool:
        return self.year is None

    @property
    def is_month(self) -> bool:
        return self.month is not None

    @property
    def is_year(self) -> bool:
        return self.year is not None and self.month is None and self.span is None

    @property
    def first_month(self) -> tuple[int, int] | None:
        """(year, month) of the period's first month; None for everything."""
        if self.year is None:
            return None
        return self.span[0] if self.span else (self.year, self.month or 1)

    @property
    def last_month(self) -> tuple[int, int] | None:
        """(year, month) of the period's last month; None for everything."""
        if self.year is None:
            return None
        return self.span[1] if self.span else (self.year, self.month or 12)

    @property
    def months(self) -> list[Period]:
        """The months of the period, in order (none for everything)."""
        if self.year is None:
            return []
        a, b = _ordinal(*self.first_month), _ordinal(*self.last_month)  # type: ignore[misc]
        return [Period(*_month_of(n)) for n in range(a, b + 1)]

    @property
    def start(self) -> date | None:
        first = self.first_month
        return None if first is None else date(first[0], first[1], 1)

    @property
    def end(self) -> date | None:
        last = self.last_month
        return None if last is None else date(last[0], last[1], calendar.monthrange(*last)[1])

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

    # --- periods around it --------------------------------------------------------------------

    def year_to_date(self) -> Period | None:
        """累计: January to the period's last month, of the last month's year, for a month or any
        span of months (for ``2026Q3``: 2026年1—9月); None for a year and for everything.

        A span across a year end (``2025-11..2026-02``) counts its 累计 from January of the
        year it ends in (2026年1—2月): 累计 is always "this year so far", as every report has it.
        """
        if self.year is None or self.is_year:
            return None
        return YearToDate(*self.last_month)  # type: ignore[misc]

    def month_before(self) -> Period:
        """The month before the period's first month: of a month, the month before (December of
        the year before for January); of a quarter, the last month of the quarter before."""
        if self.year is None:
            raise PeriodError(f"{self.label}不是一个月份")
        year, month = self.first_month  # type: ignore[misc]
        return Period(year - 1, 12) if month == 1 else Period(year, month - 1)

    def previous(self) -> Period | None:
        """The period just before, of the same kind and length: of a month, the month before; of
        a quarter, the quarter before; of a half-year, the half before; of a year, the year
        before; of a range of months, the range as long ending the month before it starts.
        None for everything (全部 has no period before it)."""
        if self.year is None:
            return None
        a, b = _ordinal(*self.first_month), _ordinal(*self.last_month)  # type: ignore[misc]
        length = b - a + 1
        return Period.between(_month_of(a - length), _month_of(a - 1))

    def year_earlier(self) -> Period | None:
        """The same months a year earlier (同比): ``2026Q3`` -> ``2025Q3``, ``2026-10`` ->
        ``2025-10``; None for everything."""
        if self.year is None:
            return None
        (y1, m1), (y2, m2) = self.first_month, self.last_month  # type: ignore[misc]
        return Period.between((y1 - 1, m1), (y2 - 1, m2))

    # --- how it is written --------------------------------------------------------------------

    @property
    def key(self) -> str:
        """The form used in ``--json``: ``2026-10``, ``2026Q3``, ``2026H1``, ``2026-03..2026-08``,
        ``2026`` or ``all``; :meth:`parse` reads it back."""
        kind = self.kind
        if kind == ALL:
            return "all"
        if kind == YEAR:
            return f"{self.year:04d}"
        if kind == MONTH:
            return f"{self.year:04d}-{self.month:02d}"
        (y1, m1), (y2, m2) = self.span  # type: ignore[misc]
        if kind == QUARTER:
            return f"{y1:04d}Q{(m1 + 2) // 3}"
        if kind == HALF:
            return f"{y1:04d}H{1 if m1 == 1 else 2}"
        return f"{y1:04d}-{m1:02d}..{y2:04d}-{m2:02d}"

    @property
    def label(self) -> str:
        """``2026年10月``, ``2026年第三季度``, ``2026年上半年``, ``2026年3月至8月`` (across a
        year end ``2025年11月至2026年2月``), ``2026年``, ``全部``."""
        kind = self.kind
        if kind == ALL:
            return "全部"
        if kind == YEAR:
            return f"{self.year}年"
        if kind == MONTH:
            return f"{self.year}年{self.month}月"
        (y1, m1), (y2, m2) = self.span  # type: ignore[misc]
        if kind == QUARTER:
            return f"{y1}年第{_NUMERALS[(m1 - 1) // 3]}季度"
        if kind == HALF:
            return f"{y1}年{'上' if m1 == 1 else '下'}半年"
        return f"{y1}年{m1}月至{m2}月" if y1 == y2 else f"{y1}年{m1}月至{y2}年{m2}月"

    @property
    def heading(self) -> str:
        """The head of the period's column beside 累计 and the word for it in the report:
        本月, 本季度, 本半年, 本期 (a range of months); a year or everything by its label."""
        return {MONTH: "本月", QUARTER: "本季度", HALF: "本半年", RANGE: "本期"}.get(self.kind, self.label)


def _year_ok(text: str) -> bool:
    return 1900 <= int(text) <= 2100


@dataclass(frozen=True)
class YearToDate(Period):
    """January 1 to the end of ``month`` (累计)."""

    @property
    def kind(self) -> str:
        return RANGE

    @property
    def first_month(self) -> tuple[int, int] | None:
        return (self.year, 1) if self.year else None

    @property
    def last_month(self) -> tuple[int, int] | None:
        return (self.year, self.month) if self.year else None  # type: ignore[return-value]

    @property
    def key(self) -> str:
        return f"{self.year:04d}-01..{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        return f"{self.year}年1—{self.month}月"

    @property
    def heading(self) -> str:
        return "累计"

    @property
    def is_month(self) -> bool:
        return False

    def year_to_date(self) -> Period | None:
        return None

    def year_earlier(self) -> Period | None:
        """累计 to the same month a year earlier."""
        return YearToDate(self.year - 1, self.month) if self.year else None  # type: ignore[operator]
