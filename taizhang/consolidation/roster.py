"""The unit roster (单位名册): each unit's name and the aliases it is known by.

A roster is a sheet with the columns 单位 and 别名 (aliases separated by 、 , ， or ;):
the master's own ``单位名册`` sheet, or the first sheet of a ``--roster`` workbook.
"""

from __future__ import annotations

from taizhang.errors import TaizhangError  # noqa: E402 - the one error family

import re
from dataclasses import field
from pathlib import Path

from taizhang.reading.book import WorkbookRefused, own_file_reason
from taizhang.reading.source import open_workbook
from taizhang.records import dataclass
from taizhang.values import clean_text, match_key

ROSTER_SHEET = "单位名册"
_ALIAS_SPLIT = re.compile(r"[、,，;；/\n]+")
#: Words that decorate a unit's name in file names and title lines but are not part of it.
_NOISE = re.compile(r"(\d{4}年)?(\d{1,2}月(份)?)?|台账|报表|月报|汇总|报送|填报|纪检|[_\-—－()（）\[\]【】\s]")


class RosterError(TaizhangError):
    """The roster cannot be read; the message names the file and the sheet."""


@dataclass
class Roster:
    units: list[str]
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._index: dict[str, str] = {}
        for unit in self.units:
            for name in (unit, *self.aliases.get(unit, ())):
                key = match_key(name)
                if key:
                    self._index.setdefault(key, unit)
        # longest names first, so that 县第一中学 wins over 一中 inside a file name
        self._by_length = sorted(self._index.items(), key=lambda kv: -len(kv[0]))

    def match(self, name: str | None) -> str | None:
        """The roster unit called ``name`` (exactly, or by an alias), or None."""
        if not name:
            return None
        key = match_key(name)
        if key in self._index:
            return self._index[key]
        stripped = match_key(_NOISE.sub("", name))
        return self._index.get(stripped)

    def find_in(self, text: str) -> str | None:
        """The roster unit whose name or alias appears inside ``text`` (a file name)."""
        key = match_key(text)
        for alias, unit in self._by_length:
            if alias and alias in key:
                return unit
        return None


def read_roster(path: Path, sheet_name: str | None = None) -> Roster:
    """A roster from a workbook: the sheet ``sheet_name``, or the first sheet."""
    try:
        book = open_workbook(path)
    except WorkbookRefused as exc:
        raise RosterError(f"单位名册无法读取：{own_file_reason(exc.reason)}") from None
    sheets = [s for s in book.sheets if sheet_name is None or s.name == sheet_name]
    if not sheets:
        raise RosterError(f"{path}：没有名为“{sheet_name}”的工作表")
    sheet = sheets[0]
    header_row = unit_col = alias_col = None
    for r, row in enumerate(sheet.rows[:10]):
        keys = [match_key(clean_text(v) or "") for v in row]
        if "单位" in keys or "单位名称" in keys:
            header_row = r
            unit_col = keys.index("单位") if "单位" in keys else keys.index("单位名称")
            alias_col = next((i for i, k in enumerate(keys) if k in ("别名", "简称", "别称")), None)
            break
    if header_row is None or unit_col is None:
        raise RosterError(f"{path} 工作表“{sheet.name}”：没有找到“单位”列（名册应有“单位”“别名”两列）")
    units: list[str] = []
    aliases: dict[str, tuple[str, ...]] = {}
    for row in sheet.rows[header_row + 1:]:
        unit = clean_text(row[unit_col]) if unit_col < len(row) else None
        if not unit or unit in units:
            continue
        units.append(unit)
        raw = clean_text(row[alias_col]) if alias_col is not None and alias_col < len(row) else None
        aliases[unit] = tuple(a.strip() for a in _ALIAS_SPLIT.split(raw or "") if a.strip())
    if not units:
        raise RosterError(f"{path} 工作表“{sheet.name}”：名册中没有任何单位")
    return Roster(units, aliases)
