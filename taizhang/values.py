"""Turn raw cell values into typed values: text, dates, exact money, counts.

Cells arrive as python-calamine, openpyxl or xlwings give them: ``None``, ``""``, ``str``,
``int``, ``float``, ``bool``, ``date``/``datetime``.  Units type dates and amounts in many
ways (``2026年10月8日``, ``20261008``, ``4.5万元``, ``肆万伍仟元整``, full-width digits); these
functions accept them all and raise :class:`ValueParseError`, with a short Chinese message,
for anything else.  No other exception escapes, whatever the input.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

__all__ = [
    "ValueParseError", "clean_text", "match_key", "parse_date", "parse_money", "parse_count",
    "parse_chinese_number", "excel_serial_to_date", "date_to_excel_serial",
]


class ValueParseError(ValueError):
    """A cell value that cannot be read as what its column holds."""


def _quote(value: object, limit: int = 30) -> str:
    text = value if isinstance(value, str) else str(value)
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


_STRIP = " \t\r\n\u3000\xa0\ufeff"


def clean_text(value: object) -> str | None:
    """The value as trimmed text; ``None`` for empty cells.  ``3.0`` -> ``"3"``, dates ISO."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip(_STRIP)
    return text or None


_KEY_DROP = re.compile(r"[\s*＊:：]+")
_KEY_EDGE = "、,，.。;；"


def match_key(value: str) -> str:
    """The form in which headers and vocabulary words are compared.

    NFKC (full-width to half-width), no whitespace at all, no ``*`` or colons, no list
    punctuation at either end, case-folded: ``" 收件\\n日期 *"`` -> ``"收件日期"``.
    """
    text = unicodedata.normalize("NFKC", str(value))
    text = _KEY_DROP.sub("", text).strip(_KEY_EDGE)
    return text.casefold()


# --- numbers in Chinese --------------------------------------------------------------

_DIGITS = {
    "零": 0, "〇": 0, "○": 0, "Ｏ": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "貳": 2, "两": 2, "兩": 2,
    "三": 3, "叁": 3, "參": 3, "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "陸": 6,
    "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9,
}
_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_BIG_UNITS = {"万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8}


def _integer_part(text: str) -> int:
    """Chinese numerals without 元/角/分 -> int (``一万零五十`` -> 10050)."""
    if not text:
        raise ValueParseError("空的数字")
    total = 0  # completed sections above the current 万/亿 level
    section = 0  # the current section (below 万)
    digit: int | None = None
    big_seen: list[int] = []
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _SMALL_UNITS:
            section += (1 if digit is None else digit) * _SMALL_UNITS[ch]
            digit = None
        elif ch in _BIG_UNITS:
            unit = _BIG_UNITS[ch]
            section += digit or 0
            if section == 0 and total == 0:
                section = 1  # 万 alone, like 十 alone, means one of it
            digit = None
            if unit == 10**8:
                total = (total + section) * unit
            else:
                total += section * unit
            section = 0
            big_seen.append(unit)
        else:
            raise ValueParseError(f"无法识别的数字“{_quote(text)}”")
    return total + section + (digit or 0)


def parse_chinese_number(text: str) -> Decimal:
    """Chinese or capital numerals, optionally with 元/圆 角 分 整: ``肆万伍仟元整`` -> 45000."""
    t = re.sub(r"[\s人民币]", "", str(text))
    t = t.rstrip("整正")
    if not t:
        raise ValueParseError(f"无法识别的数字“{_quote(text)}”")
    m = re.fullmatch(r"(?P<yuan>[^元圆角分]*)(?:[元圆])?(?:(?P<jiao>[^元圆角分])角)?(?:(?P<fen>[^元圆角分])分)?", t)
    if not m:
        raise ValueParseError(f"无法识别的数字“{_quote(text)}”")
    yuan_text = m.group("yuan").lstrip("零")
    if not yuan_text and not (m.group("jiao") or m.group("fen")) and not t.startswith(("零", "〇")):
        raise ValueParseError(f"无法识别的数字“{_quote(text)}”")
    yuan = _integer_part(yuan_text) if yuan_text else 0
    value = Decimal(yuan)
    for part, scale in (("jiao", Decimal("0.1")), ("fen", Decimal("0.01"))):
        ch = m.group(part)
        if ch:
            ch = ch.lstrip("零")
            if ch:
                if ch not in _DIGITS:
                    raise ValueParseError(f"无法识别的数字“{_quote(text)}”")
                value += _DIGITS[ch] * scale
    return value


_CN_CHARS = set(_DIGITS) | set(_SMALL_UNITS) | set(_BIG_UNITS) | set("元圆角分整正")


# --- dates ---------------------------------------------------------------------------

_EXCEL_EPOCH = date(1899, 12, 30)
_MAX_SERIAL = 2958465  # 9999-12-31


def excel_serial_to_date(serial: float) -> date:
    """Excel 1900-system serial -> date (serial 1 = 1900-01-01, 61 = 1900-03-01)."""
    if isinstance(serial, bool) or not 1 <= serial <= _MAX_SERIAL:
        raise ValueParseError(f"无法识别的日期“{_quote(serial)}”")
    days = int(serial)
    if days < 61:
        return date(1899, 12, 31) + timedelta(days=days)
    return _EXCEL_EPOCH + timedelta(days=days)


def date_to_excel_serial(d: date) -> int:
    """date -> Excel 1900-system serial (inverse of :func:`excel_serial_to_date`)."""
    days = (d - _EXCEL_EPOCH).days
    return days if days >= 61 else days - 1


def _checked_date(y: int, m: int, d: int, raw: object) -> date:
    if not 1900 <= y <= 2100:
        raise ValueParseError(f"无法识别的日期“{_quote(raw)}”")
    try:
        return date(y, m, d)
    except ValueError:
        raise ValueParseError(f"无法识别的日期“{_quote(raw)}”（不存在这一天）") from None


_DATE_PATTERNS = [
    re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
]


def _cn_date_number(text: str) -> int:
    if all(ch in _DIGITS for ch in text):  # 二〇二六 is read digit by digit
        return int("".join(str(_DIGITS[ch]) for ch in text))
    return _integer_part(text)


def parse_date(value: object) -> date:
    """A date from a date cell, an Excel serial, ``20261008`` or text in the usual forms."""
    if isinstance(value, bool) or value is None:
        raise ValueParseError(f"无法识别的日期“{_quote(value)}”")
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)):
        if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
            raise ValueParseError(f"无法识别的日期“{_quote(value)}”")
        if float(value).is_integer() and 19000101 <= value <= 21001231:
            n = int(value)
            return _checked_date(n // 10000, n // 100 % 100, n % 100, value)
        return excel_serial_to_date(value)
    if isinstance(value, time):
        raise ValueParseError(f"无法识别的日期“{_quote(value)}”（只有时间）")
    text = unicodedata.normalize("NFKC", str(value)).strip(_STRIP)
    for pattern in _DATE_PATTERNS:
        m = pattern.fullmatch(text)
        if m:
            return _checked_date(int(m.group(1)), int(m.group(2)), int(m.group(3)), value)
    m = re.fullmatch(r"(\S{4})年(\S{1,3})月(\S{1,3})[日号]", text)
    if m and all(ch in _CN_CHARS for ch in "".join(m.groups())):
        try:
            y, mo, d = (_cn_date_number(g) for g in m.groups())
        except ValueParseError:
            raise ValueParseError(f"无法识别的日期“{_quote(value)}”") from None
        return _checked_date(y, mo, d, value)
    if re.fullmatch(r"\d{5}(?:\.\d+)?", text) and 20000 <= float(text) <= 80000:
        return excel_serial_to_date(float(text))
    raise ValueParseError(f"无法识别的日期“{_quote(value)}”")


# --- money and counts ----------------------------------------------------------------

_NUMBER = re.compile(r"[-+]?(?:\d+(?:,\d{3})*|\d*)(?:\.\d+)?")
_CURRENCY = re.compile(r"^(?:人民币|RMB|CNY|￥|¥)\s*", re.IGNORECASE)


def parse_money(value: object, *, unit: Decimal = Decimal(1)) -> Decimal:
    """An exact amount in 元.  Plain numbers are multiplied by ``unit`` (10000 when the
    column header says 万元); a text with its own unit (``4.5万元``, ``45000元``) uses that."""
    if isinstance(value, bool) or value is None:
        raise ValueParseError(f"无法识别的金额“{_quote(value)}”")
    if isinstance(value, int):
        return Decimal(value) * unit
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise ValueParseError(f"无法识别的金额“{_quote(value)}”")
        return Decimal(repr(value)) * unit
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueParseError(f"无法识别的金额“{_quote(value)}”")
        return value * unit
    if not isinstance(value, str):
        raise ValueParseError(f"无法识别的金额“{_quote(value)}”")
    text = unicodedata.normalize("NFKC", value).strip(_STRIP).replace("\u2212", "-")
    text = re.sub(r"\s+", "", text)
    text = _CURRENCY.sub("", text)
    sign = Decimal(1)
    if text.startswith("-"):
        sign, text = Decimal(-1), text[1:]
    text = text.replace("，", ",")
    scale = None
    for suffix, factor in (("亿元", 10**8), ("万元", 10**4), ("亿", 10**8), ("万", 10**4), ("元整", 1),
                           ("元", 1), ("圆", 1)):
        if text.endswith(suffix) and _NUMBER.fullmatch(text[: -len(suffix)]) and text[: -len(suffix)]:
            text, scale = text[: -len(suffix)], Decimal(factor)
            break
    if text and _NUMBER.fullmatch(text) and any(ch.isdigit() for ch in text):
        try:
            number = Decimal(text.replace(",", ""))
        except InvalidOperation:
            raise ValueParseError(f"无法识别的金额“{_quote(value)}”") from None
        return sign * number * (scale if scale is not None else unit)
    if text and all(ch in _CN_CHARS for ch in text):
        try:
            return sign * parse_chinese_number(text)
        except ValueParseError:
            pass
    raise ValueParseError(f"无法识别的金额“{_quote(value)}”")


def parse_count(value: object) -> int:
    """A whole number of people or visits: ``3``, ``3.0``, ``"3人"``, ``"３"``, ``"十二人"``."""
    if isinstance(value, bool) or value is None:
        raise ValueParseError(f"无法识别的数字“{_quote(value)}”")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value) or not value.is_integer():
            raise ValueParseError(f"“{_quote(value)}”不是整数")
        return int(value)
    if not isinstance(value, str):
        raise ValueParseError(f"无法识别的数字“{_quote(value)}”")
    text = unicodedata.normalize("NFKC", value).strip(_STRIP).replace("\u2212", "-")
    text = re.sub(r"\s+", "", text)
    text = re.sub(r"(人次|人|名|次|个|件)$", "", text)
    if re.fullmatch(r"-?\d+(?:\.0+)?", text):
        return int(Decimal(text))
    if re.fullmatch(r"-?\d+\.\d+", text):
        raise ValueParseError(f"“{_quote(value)}”不是整数")
    if text and all(ch in _DIGITS or ch in _SMALL_UNITS or ch in _BIG_UNITS for ch in text):
        return _integer_part(text)
    raise ValueParseError(f"无法识别的数字“{_quote(value)}”")
