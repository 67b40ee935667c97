"""Turn raw cell values into typed values: text, header keys, dates, exact money, counts.

Cells arrive as python-calamine, openpyxl or xlwings give them: ``None``, ``""``, ``str``,
``int``, ``float``, ``bool``, ``date``, ``datetime`` or ``time``.  Units type dates and amounts
in many ways (``2026年10月8日``, ``20261008``, an Excel serial, ``4.5万元``, ``肆万伍仟元整``,
full-width digits); the functions here accept them all and raise :class:`ValueParseError`,
whose message is a short Chinese sentence quoting the cell, for anything else.  No other
exception escapes, whatever the input.  Amounts are exact :class:`~decimal.Decimal` values,
never computed through float arithmetic.  The module does no I/O.
"""

from __future__ import annotations

from taizhang.errors import TaizhangError  # noqa: E402 - the one error family

import contextlib
import decimal
import itertools
import math
import re
import unicodedata
from datetime import date, datetime, time, timedelta
from decimal import Decimal

__all__ = [
    "ValueParseError",
    "clean_text",
    "EDGE_CHARACTERS",
    "clean_text_column",
    "date_to_excel_serial",
    "excel_serial_to_date",
    "match_key",
    "is_blank",
    "is_trimmed",
    "parse_chinese_number",
    "parse_count",
    "parse_count_column",
    "parse_date",
    "parse_date_column",
    "parse_money",
    "parse_money_column",
]


class ValueParseError(TaizhangError, ValueError):
    """A cell value that cannot be read as what its column holds (message in Chinese)."""


class LazyPattern:
    """A regular expression compiled when first used: ``re.compile`` costs a process's start
    up to a millisecond a pattern, and most runs never use most patterns (a date typed as
    text, an .ods, a damaged sheet).  Its methods and attributes are the compiled pattern's;
    ``pattern`` is there before."""

    def __init__(self, pattern: str | bytes, flags: int = 0) -> None:
        self.pattern = pattern
        self._flags = flags

    def __getattr__(self, name: str):  # only for what the instance does not hold yet
        if name.startswith("__"):
            raise AttributeError(name)
        compiled = re.compile(self.pattern, self._flags)
        for attr in ("match", "fullmatch", "search", "finditer", "findall", "sub", "subn", "split", "flags",
                     "groups", "groupindex"):
            self.__dict__[attr] = getattr(compiled, attr)  # found directly from now on
        return getattr(compiled, name)


# --- text ----------------------------------------------------------------------------

_EDGE_SPACE = LazyPattern(r"^[\s\u200b\ufeff]+|[\s\u200b\ufeff]+$")


def clean_text(value: object) -> str | None:
    """The value as trimmed text, or ``None`` for an empty cell.

    Whitespace at both ends (also full-width ``\\u3000``, ``\\xa0``, newlines) is removed;
    whole floats lose their ``.0`` (``3.0`` -> ``"3"``); dates are ISO (``"2026-10-08"``,
    a datetime with a time of day ``"2026-10-08 09:30:00"``); booleans are ``"是"``/``"否"``;
    NaN and infinities count as empty.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return str(Decimal(value))  # str(int) refuses more than 4300 digits
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return _EDGE_SPACE.sub("", str(value)) or None


#: What clean_text trims from the ends of a text: whitespace (what ``\\s`` matches: the
#: characters ``str.isspace`` says, none above U+3000) and the invisible marks.  Written out
#: (working it out took a millisecond of every start); ``tests/test_values.py`` checks it.
EDGE_CHARACTERS = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
                   "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\u200b\ufeff")


def clean_text_column(values: list) -> list[str | None] | None:
    """:func:`clean_text` of each value of a column of texts (and blanks, ``None``) or of
    whole numbers in ``float`` cells, worked out at C speed; None when the column holds
    anything else: then each value goes through :func:`clean_text`."""
    kinds = set(map(type, values))
    if kinds == {str}:
        texts = list(map(str.strip, values, itertools.repeat(EDGE_CHARACTERS)))
        return texts if "" not in texts else [t or None for t in texts]
    if kinds == {str, type(None)}:
        return [None if v is None else v.strip(EDGE_CHARACTERS) or None for v in values]
    if kinds == {float} or kinds == {float, type(None)}:
        given = [v for v in values if v is not None] if len(kinds) == 2 else values
        if all(map(float.is_integer, given)) and max(map(abs, given)) < 1e16:  # no NaN, no infinity
            return [None if v is None else str(int(v)) for v in values] if len(kinds) == 2 \
                else list(map(str, map(int, values)))
    return None


def is_trimmed(text: str) -> bool:
    """Whether ``clean_text(text)`` is ``text`` itself (a text neither empty nor with spaces or
    invisible marks at its ends, as most cells are): asked of every text cell of a ledger."""
    return bool(text) and not text[0].isspace() and not text[-1].isspace() \
        and text[0] not in "\u200b\ufeff" and text[-1] not in "\u200b\ufeff"


def is_blank(value: object) -> bool:
    """``clean_text(value) is None``, without making the text of a number or a date (never
    blank but NaN and the infinities): asked of every cell of a ledger."""
    kind = type(value)
    if kind is float:
        return value - value != 0  # type: ignore[operator]
    if kind is int or kind is datetime or kind is date:
        return False
    return clean_text(value) is None


_KEY_DROP = LazyPattern(r"[\s\u200b\ufeff*＊:：]+")
_KEY_EDGE = "、,，.。;；!！?？·"


def match_key(value: str) -> str:
    """The form in which headers and vocabulary words are compared.

    NFKC (full-width to half-width), no whitespace anywhere, no ``*`` or colons, no list
    punctuation (``、,，.。;``) at either end, case-folded: ``" 收件\\n日期 *"`` -> ``"收件日期"``,
    ``"ＡＢ"`` -> ``"ab"``.
    """
    text = _KEY_DROP.sub("", unicodedata.normalize("NFKC", clean_text(value) or ""))
    return text.strip(_KEY_EDGE).casefold()


def _quote(value: object) -> str:
    """The value as it goes between quotes in a message: one line, at most 30 characters."""
    if isinstance(value, bool) or (isinstance(value, float) and not math.isfinite(value)):
        text = str(value).upper()  # as Excel shows them: TRUE, FALSE (and INF, NAN)
    else:
        text = " ".join((clean_text(value) or "").split())
    return text if len(text) <= 30 else text[:29] + "…"


def _error(what: str, value: object, note: str = "") -> ValueParseError:
    if value is None or (isinstance(value, str) and clean_text(value) is None):
        return ValueParseError(f"{what}为空")
    return ValueParseError(f"无法识别的{what}“{_quote(value)}”{note}")


def _normalized(text: str) -> str:
    """NFKC, trimmed, minus signs as ``-``, whitespace removed except between two digits."""
    text = _EDGE_SPACE.sub("", unicodedata.normalize("NFKC", text)).replace("\u2212", "-")

    def squeeze(m: re.Match[str]) -> str:
        before, after = text[m.start() - 1: m.start()], text[m.end(): m.end() + 1]
        return " " if before.isdigit() and after.isdigit() else ""

    return re.sub(r"\s+", squeeze, text)


# --- numbers in Chinese --------------------------------------------------------------

_DIGITS = {
    "零": 0, "〇": 0, "○": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "貳": 2, "两": 2, "兩": 2,
    "三": 3, "叁": 3, "參": 3, "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "陸": 6,
    "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9,
}
_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_BIG_UNITS = {"万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8}
_NUMERALS = set(_DIGITS) | set(_SMALL_UNITS) | set(_BIG_UNITS)
_MONEY_NUMERALS = _NUMERALS | set("元圆角分整正")


class _Malformed(Exception):
    """Internal: numerals that do not form a number (turned into ValueParseError)."""


def _section(text: str) -> int:
    """Numerals below 一万: ``一千零五`` -> 1005, ``十二`` -> 12, ``三千五`` -> 3500."""
    value, digit, last_unit, after_zero = 0, None, None, False
    for ch in text:
        if ch in _SMALL_UNITS:
            unit = _SMALL_UNITS[ch]
            if last_unit is not None and unit >= last_unit:
                raise _Malformed
            if digit is None and unit != 10:  # only 十 may stand alone: 十二, 一百十
                raise _Malformed
            value += (1 if digit is None else digit) * unit
            digit, last_unit, after_zero = None, unit, False
        elif _DIGITS.get(ch) == 0:
            if digit is not None:
                raise _Malformed
            after_zero = True
        elif ch in _DIGITS:
            if digit is not None:  # 一二三: digits in a row are not a number here
                raise _Malformed
            digit = _DIGITS[ch]
        else:
            raise _Malformed
    if digit is not None:  # 三千五 = 3500 (short for 三千五百); 三千零五 = 3005
        value += digit if after_zero or last_unit is None else digit * last_unit // 10
    return value


def _integer(text: str) -> int:
    """Numerals with 万 and 亿: ``一万零五十`` -> 10050, ``一亿二千万`` -> 120000000, ``万`` -> 10000."""
    text = text.replace("萬", "万").replace("億", "亿")
    if not 0 < len(text) <= 60:  # no real numeral is longer; this also bounds the recursion
        raise _Malformed
    for big, size in (("亿", 10**8), ("万", 10**4)):
        head, found, tail = text.partition(big)
        if not found:
            continue
        low = 0
        if _DIGITS.get(tail):  # 一万五 = 15000
            low = _DIGITS[tail] * size // 10
        elif tail.lstrip("零〇○"):
            low = _integer(tail.lstrip("零〇○"))
        if low >= size:
            raise _Malformed
        return (_integer(head) if head else 1) * size + low  # 万 alone is 一万, as 十 is 一十
    return _section(text)


def parse_chinese_number(text: str) -> Decimal:
    """Chinese or capital numerals -> exact Decimal.

    Digits 零〇一二两三四五六七八九 / 壹贰叁肆伍陆柒捌玖 (and 貳 陸 兩), units 十百千万亿 /
    拾佰仟萬億, and for money 元/圆 角 分 整/正 and a leading 人民币 or 负:
    ``十二`` -> 12, ``一万零五十`` -> 10050, ``一亿二千万`` -> 120000000,
    ``壹万贰仟叁佰肆拾伍元陆角柒分`` -> 12345.67, ``零元`` -> 0.
    """
    if not isinstance(text, str):
        raise _error("数字", text)
    t = _normalized(text).replace(" ", "").removeprefix("人民币")
    negative = t.startswith(("负", "-"))
    t = (t[1:] if negative else t).rstrip("整正").replace("圆", "元")
    m = re.fullmatch(r"(?P<yuan>[^元角分]*)(?:元零?)?(?:(?P<jiao>.)角零?)?(?:(?P<fen>.)分)?", t)
    if not m or not (m["yuan"] or m["jiao"] or m["fen"]) or not set(t) <= _MONEY_NUMERALS:
        raise _error("数字", text)
    if any(m[part] and m[part] not in _DIGITS for part in ("jiao", "fen")):
        raise _error("数字", text)
    try:
        yuan = _integer(m["yuan"]) if m["yuan"] else 0
    except _Malformed:
        raise _error("数字", text) from None
    jiao, fen = (_DIGITS[m[part]] if m[part] else 0 for part in ("jiao", "fen"))
    value = Decimal(f"{yuan}.{jiao}{fen}") if jiao or fen else Decimal(yuan)
    return value.copy_negate() if negative else value


# --- dates ---------------------------------------------------------------------------

_EXCEL_EPOCH = date(1899, 12, 30)  # serial 0 for every serial from 61 (1900-03-01) on
_MAX_SERIAL = 2958465  # 9999-12-31
_NO_SUCH_DAY = "（不存在这一天）"


def excel_serial_to_date(serial: float) -> date:
    """An Excel 1900-system serial number -> date; the fraction (time of day) is dropped.

    Serial 1 = 1900-01-01, 59 = 1900-02-28, 61 = 1900-03-01; 60 is Excel's fictitious
    1900-02-29 and is refused, as are serials below 1 or beyond 9999-12-31.
    """
    if isinstance(serial, bool) or not isinstance(serial, (int, float)) or not 1 <= serial < _MAX_SERIAL + 1:
        raise _error("日期", serial)
    days = int(serial)
    if days == 60:
        raise _error("日期", serial, _NO_SUCH_DAY)
    return date(1899, 12, 31) + timedelta(days=days) if days < 60 else _EXCEL_EPOCH + timedelta(days=days)


def date_to_excel_serial(d: date) -> int:
    """A date (a datetime's date part) -> its Excel 1900-system serial; the inverse of
    :func:`excel_serial_to_date`.  Dates before 1900-01-01 raise :class:`ValueParseError`."""
    if isinstance(d, datetime):
        d = d.date()
    if d < date(1900, 1, 1):
        raise ValueParseError(f"日期“{d.isoformat()}”早于1900年1月1日，Excel 无法表示")
    days = (d - _EXCEL_EPOCH).days
    return days if days >= 61 else days - 1


def _in_range(d: date, raw: object) -> date:
    if not 1900 <= d.year <= 2100:
        raise _error("日期", raw, "（年份应在1900至2100之间）")
    return d


def _ymd(y: int, m: int, d: int, raw: object) -> date:
    try:
        day = date(y, m, d)
    except ValueError:
        raise _error("日期", raw, _NO_SUCH_DAY) from None
    return _in_range(day, raw)


_TIME = r"(?:(?:\s+|T)(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.\d+)?)?)?"
_CN_DIGIT = "〇零○一二三四五六七八九"
_DATE_TEXT = [
    LazyPattern(r"(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})" + _TIME, re.ASCII),
    LazyPattern(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})" + _TIME, re.ASCII),
    LazyPattern(rf"(?P<y>[0-9]{{4}}|[{_CN_DIGIT}]{{4}})\s*年\s*(?P<m>[0-9]{{1,2}}|[{_CN_DIGIT}十]{{1,3}})\s*月"
               rf"\s*(?P<d>[0-9]{{1,2}}|[{_CN_DIGIT}十]{{1,3}})\s*[日号]?" + _TIME),
]


def _date_part(text: str) -> int:
    """``2026``, ``08``, ``二〇二六`` (digit by digit), ``十``, ``二十八``."""
    if text.isascii():
        return int(text)
    if all(ch in _DIGITS for ch in text):
        return int("".join(str(_DIGITS[ch]) for ch in text))
    return _integer(text)


def _date_from_number(value: float) -> date:
    if isinstance(value, float) and not math.isfinite(value):
        raise _error("日期", value)
    if 19000101 <= value <= 21001231 and float(value).is_integer():  # 20261008 = yyyymmdd
        n = int(value)
        return _ymd(n // 10000, n // 100 % 100, n % 100, value)
    return _in_range(excel_serial_to_date(value), value)


def parse_date(value: object) -> date:
    """A date from a date/datetime cell, an Excel serial, ``20261008`` or text.

    Text forms: ``2026-10-08``, ``2026/10/8``, ``2026.10.8``, ``2026年10月8日`` (or 号),
    ``20261008``, with an optional time (``2026-10-08 09:30``, ``2026-10-08T09:30:00``),
    full-width digits, ``二〇二六年十月八日``, and a serial typed as text (``46303``).
    Refused: nonexistent days, two-digit years, years outside 1900–2100, booleans, times
    alone, zero or negative numbers, and any other text (``待定``).
    """
    if isinstance(value, bool):
        raise _error("日期", value)
    if isinstance(value, datetime):
        return _in_range(value.date(), value)
    if isinstance(value, date):
        return _in_range(value, value)
    if isinstance(value, time):
        raise _error("日期", value, "（只有时间）")
    if isinstance(value, (int, float)):
        return _date_from_number(value)
    text = clean_text(value)
    if text is None:
        raise _error("日期", value)
    text = " ".join(unicodedata.normalize("NFKC", text).split()).replace("元月", "1月")
    for pattern in _DATE_TEXT:
        m = pattern.fullmatch(text)
        if not m:
            continue
        if m["H"] is not None and not (int(m["H"]) < 24 and int(m["M"]) < 60 and int(m["S"] or 0) < 60):
            break
        try:
            y, mo, d = (_date_part(m[g]) for g in "ymd")
        except _Malformed:
            break
        return _ymd(y, mo, d, value)
    if re.fullmatch(r"\d{5}(?:\.\d+)?", text, re.ASCII) and 20000 <= float(text) <= 80000:
        return _date_from_number(float(text))
    raise _error("日期", value)


# --- money and counts ----------------------------------------------------------------

_AMOUNT = LazyPattern(r"(?P<num>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)(?P<unit>亿元|万元|亿|万|元|圆)?",
                     re.ASCII)
_OWN_UNITS = {"亿元": 10**8, "万元": 10**4, "亿": 10**8, "万": 10**4, "元": 1, "圆": 1}
_CURRENCY = LazyPattern(r"^(?:人民币|RMB|CNY|¥)", re.IGNORECASE)


_EXACT = decimal.Context(prec=decimal.MAX_PREC, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN)


def _amount(number: Decimal, factor: Decimal | int, negative: bool, raw: object) -> Decimal:
    """``number * factor``, negated if asked, computed exactly (never rounded to 28 digits)."""
    if type(factor) is int and factor == 1 or factor == 1 and factor.as_tuple().exponent == 0:
        return number.copy_negate() if negative else number  # the same value, the same digits
    try:
        product = _EXACT.multiply(number, factor)
    except decimal.DecimalException:  # beyond any exponent a Decimal can hold
        raise _error("金额", raw) from None
    return product.copy_negate() if negative else product


def parse_money(value: object, *, unit: Decimal | int = 1) -> Decimal:
    """An exact amount in 元.

    Numbers (``int``, ``float`` via its repr, ``Decimal``) and plain numeric text are
    multiplied by ``unit`` (``Decimal(10000)`` when the column header says 万元).  A text
    with its own unit uses that one and ignores ``unit``: ``45000元``, ``4.5万元``, ``1.2亿``,
    ``肆万伍仟元整``, ``四万五千``.  Also accepted: ``45,000.00``, ``￥``/``¥``/``RMB``/``人民币``
    prefixes, full-width digits, a leading ``-``, ``−`` or ``负``.  Empty cells, booleans and
    dates raise :class:`ValueParseError`.  Nothing is rounded.
    """
    if isinstance(value, bool):
        raise _error("金额", value)
    if isinstance(value, (int, float, Decimal)):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if not number.is_finite():
            raise _error("金额", value)
        return _amount(number, unit, False, value)
    if not isinstance(value, str) or clean_text(value) is None:
        raise _error("金额", value)
    text = _CURRENCY.sub("", _normalized(value), count=1)
    negative = text.startswith(("-", "负"))
    text = _CURRENCY.sub("", text.removeprefix("-").removeprefix("负").removeprefix("+"), count=1)
    if text.endswith(("元整", "元正", "圆整", "圆正")):
        text = text[:-1]
    if m := _AMOUNT.fullmatch(text):
        number = Decimal(m["num"].replace(",", ""))
        scale = Decimal(_OWN_UNITS[m["unit"]]) if m["unit"] else unit
        return _amount(number, scale, negative, value)
    if text and set(text) <= _MONEY_NUMERALS:
        try:
            number = parse_chinese_number(text)
        except ValueParseError:
            raise _error("金额", value) from None
        has_unit = any(ch in "元圆角分万萬亿億" for ch in text)
        return _amount(number, 1 if has_unit else unit, negative, value)
    raise _error("金额", value)


def parse_money_column(values: list, unit: Decimal | int = 1) -> list[Decimal | None] | None:
    """:func:`parse_money` of each value of a column of plain numbers (``float`` and blanks,
    ``None``, as a worksheet range hands them over), None for a blank: the same exact amounts
    (``Decimal(repr(value))``, times ``unit``), worked out at C speed.  None when the column
    holds anything else (text, a NaN …): then each value goes through :func:`parse_money`."""
    kinds = set(map(type, values))
    if not kinds <= {float, type(None)}:
        return None
    blanks = type(None) in kinds
    floats = [v for v in values if v is not None] if blanks else values
    try:
        if not math.isfinite(sum(floats)):  # a NaN or an infinity somewhere (or a sum beyond floats)
            return None
    except OverflowError:  # pragma: no cover - float sums saturate to inf rather than raise
        return None
    numbers: list[Decimal | None] = (
        [None if v is None else Decimal(repr(v)) for v in values] if blanks else list(map(Decimal, map(repr, values))))
    if unit == 1 and (type(unit) is int or unit.as_tuple().exponent == 0):
        return numbers  # what _amount returns for a factor of one: the same value, the same digits
    try:
        return [None if n is None else _amount(n, unit, False, n) for n in numbers]
    except ValueParseError:
        return None


def parse_date_column(values: list) -> list[date | None] | None:
    """:func:`parse_date` of each value of a column of date cells (all ``date`` or all
    ``datetime``, and blanks, ``None``, as readers and worksheet ranges hand them over), None
    for a blank: the same dates (a date itself, a datetime's date), worked out at C speed.  None
    when the column holds anything else, or a date outside 1900–2100: then each value goes
    through :func:`parse_date`."""
    kinds = set(map(type, values))
    blanks = type(None) in kinds
    kinds.discard(type(None))
    if kinds != {date} and kinds != {datetime}:
        return None if kinds else [None] * len(values)
    given = [v for v in values if v is not None] if blanks else values
    if not 1900 <= min(given).year <= max(given).year <= 2100:
        return None
    if date in kinds:
        return list(values)  # parse_date gives a date cell itself
    return [None if v is None else v.date() for v in values] if blanks else list(map(datetime.date, values))


_MAX_COUNT = Decimal(10**15)  # Excel keeps 15 significant digits; anything larger is not a count
_COUNT_SUFFIX = LazyPattern(r"(?:人次|人|名|次|个|件|位|篇|条|场|期|项|份|幅|块)$")


def parse_count_column(values: list) -> list[int | None] | None:
    """:func:`parse_count` of each value of a column of whole numbers (``float`` or ``int``
    cells, and blanks, ``None``), None for a blank: the same counts, worked out at C speed.
    None when the column holds anything else (text, a fraction, a NaN, a number too large):
    then each value goes through :func:`parse_count`."""
    kinds = set(map(type, values))
    if not kinds <= {float, int, type(None)}:
        return None
    blanks = type(None) in kinds
    given = [v for v in values if v is not None] if blanks else values
    if not given:
        return [None] * len(values)
    if float in kinds and not all(map(float.is_integer, [v for v in given if type(v) is float]
                                      if int in kinds else given)):
        return None  # a fraction, a NaN or an infinity
    if max(map(abs, given)) >= _MAX_COUNT:
        return None
    return [None if v is None else int(v) for v in values] if blanks else list(map(int, values))


def parse_count(value: object) -> int:
    """A whole number of people or visits.

    ``3``, ``3.0``, ``"3"``, ``"３"``, ``"3人"``, ``"3 人次"``, ``"12名"``, ``"三"``,
    ``"十二人"``, ``"二十"``.  Fractions (``3.5``, ``"3.5人"``) raise :class:`ValueParseError`
    ``“3.5人”不是整数``; booleans and other text raise it too.  Negative numbers are returned.
    """
    number: Decimal | None = None
    if isinstance(value, bool):
        raise _error("数字", value)
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, (float, Decimal)):
        number = Decimal(repr(value)) if isinstance(value, float) else value
    elif isinstance(value, str) and clean_text(value) is not None:
        text = _COUNT_SUFFIX.sub("", _normalized(value))
        negative = text.startswith(("-", "负"))
        text = text.removeprefix("-").removeprefix("负").removeprefix("+")
        if re.fullmatch(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?", text, re.ASCII):
            number = Decimal(text.replace(",", ""))
        elif text and set(text) <= _NUMERALS:
            with contextlib.suppress(_Malformed):
                number = Decimal(_integer(text))
        if number is not None and negative:
            number = number.copy_negate()
    if number is None or not number.is_finite() or number.copy_abs() >= _MAX_COUNT:
        raise _error("数字", value)
    if number != number.to_integral_value():
        raise ValueParseError(f"“{_quote(value)}”不是整数")
    return int(number)
