"""退费台账 — the refund ledger for unlawful school fees (kind ``refunds``).

Money is exact: ``Decimal`` throughout, rounded to the fen only on output.
"""

from __future__ import annotations

import functools
import operator
from collections import defaultdict
from dataclasses import field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, Iterable


from taizhang.checks.base import CheckContext, rows_to_check
from taizhang.config import Config
from taizhang.findings import Finding
from taizhang.kinds.base import Block, Kind, KindDef, Line, ReportSection, ReportWriter, WorksheetFunction, register
from taizhang.kinds.common import (
    COUNT, MONEY, PERSONS, ZERO, Lines, add_fields, canonical_or_none, fen, tally_in,
)
from taizhang.model import Count, Day, LedgerRow, Money, Text
from taizhang.reading.ledger import Ledger
from taizhang.records import dataclass
from taizhang.values import clean_text, match_key

if TYPE_CHECKING:  # pragma: no cover
    from taizhang.reading.columns import Columns

KIND = Kind("refunds")


@dataclass(frozen=True, kw_only=True)
class RefundRow(LedgerRow):
    """退费台账: one case of unlawful fees and what was paid back."""

    kind: ClassVar[Kind] = KIND
    summable: ClassVar[tuple[str, ...]] = ("students", "violation", "due", "refunded", "to_treasury")
    money_fields: ClassVar[tuple[str, ...]] = ("violation", "due", "refunded", "to_treasury")
    event_dates: ClassVar[tuple[str, ...]] = ("found_on", "refunded_on")
    period_fields: ClassVar[tuple[str, ...]] = ("found_on", "refunded_on")

    school: Text = None
    item: Text = None
    found_on: Day = None
    students: Count = None
    violation: Money = None
    due: Money = None
    refunded: Money = None
    to_treasury: Money = None
    refunded_on: Day = None


# --- checks ------------------------------------------------------------------------------

def _amounts_suspect(refunded: Any, due: Any, violation: Any, to_treasury: Any) -> bool:
    """What :func:`amounts` reports on, from a row's values (see ``checks.base.rows_to_check``)."""
    return (refunded is not None and due is not None and refunded > due) or (
        violation is not None and due is not None and to_treasury is not None and due != violation - to_treasury)


def amounts(ledger: Ledger, ctx: CheckContext) -> Iterable[Finding]:
    """已退 ≤ 应退, and 应退 = 违规金额 − 上缴 where all three are given."""
    for row in rows_to_check(ledger, ("refunded", "due", "violation", "to_treasury"), _amounts_suspect):
        if not isinstance(row, RefundRow):
            continue
        if row.refunded is not None and row.due is not None and row.refunded > row.due:
            yield ledger.finding(
                "refund-exceeds-due",
                f"已退金额 {row.refunded:,.2f} 元大于应退金额 {row.due:,.2f} 元",
                "refunded", row.origin.row)
        if None not in (row.violation, row.due, row.to_treasury):
            expected = row.violation - row.to_treasury
            if row.due != expected:
                yield ledger.finding(
                    "due-mismatch",
                    f"应退金额 {row.due:,.2f} 元 ≠ 违规金额 {row.violation:,.2f} 元 − "
                    f"上缴金额 {row.to_treasury:,.2f} 元（应为 {expected:,.2f} 元）",
                    "due", row.origin.row)


RULES = (amounts,)


# --- figures -----------------------------------------------------------------------------

@dataclass(kw_only=True)
class MoneyLine:
    """Cases, students and amounts due and refunded: a line of the 退费 figures."""

    cases: int = 0
    students: int = 0
    due: Decimal = ZERO
    refunded: Decimal = ZERO
    outstanding: Decimal = ZERO
    to_treasury: Decimal = ZERO


@dataclass(kw_only=True)
class RefundFigures(MoneyLine):
    """The figures of the 退费台账: the totals, by school and by item."""

    by_school: dict[str, MoneyLine] = field(default_factory=dict)
    by_item: dict[str, MoneyLine] = field(default_factory=dict)
    undated: int = 0


_GIVEN = functools.partial(operator.is_not, None)


def _total(amounts: Iterable[Decimal | None]) -> Decimal:
    """The amounts given added up (a blank, or an amount that cannot be read, is None)."""
    return sum(filter(_GIVEN, amounts), ZERO)


def _outstanding(due: Iterable[Decimal | None], refunded: Iterable[Decimal | None]) -> Decimal:
    """Per row 应退 − 已退 (nothing refunded counts 0), never below 0, over the rows with a 应退."""
    return sum((max(d - (r or ZERO), ZERO) for d, r in zip(due, refunded) if d is not None), ZERO)


#: The sums of a money line, added up when parts are merged.
_SUMS = ("cases", "students", "due", "refunded", "outstanding", "to_treasury")


#: What the sums read of a row, taken at once: (学校, 收费项目, 学生数, 应退, 已退, 上缴).
_VALUES = operator.attrgetter("school", "item", "students", "due", "refunded", "to_treasury")


def _money_sums(rows: list[RefundRow]) -> dict[str, Any]:
    """Sums; ``outstanding`` is, per row, 应退 − 已退 (nothing refunded counts 0), never below 0."""
    return _sums_of(list(map(_VALUES, rows)))


def _sums_of(values: list[tuple]) -> dict[str, Any]:
    """:func:`_money_sums` of the rows whose values (``_VALUES``) are ``values``."""
    _school, _item, students, due, refunded, to_treasury = zip(*values) if values else ((),) * 6
    return dict(
        cases=len(values),
        students=sum(s for s in filter(_GIVEN, students) if s > 0),
        due=_total(due),
        refunded=_total(refunded),
        outstanding=_outstanding(due, refunded),
        to_treasury=_total(to_treasury),
    )


def refund_parts(rows: Iterable[RefundRow], config: Config) -> dict[str, Any]:
    """What the figures need of ``rows`` (see :meth:`KindDef.parts`): the sums, in all and per
    school and fee item (in order of first appearance).  Sums of Decimals are exact, so the
    sums of parts are the sums of their rows."""
    values = list(map(_VALUES, rows))
    by_school: dict[str, list[tuple]] = defaultdict(list)
    by_item: dict[str, list[tuple]] = defaultdict(list)
    for v in values:
        by_school[v[0] or "（未填学校）"].append(v)
        by_item[v[1] or "（未填项目）"].append(v)
    return {"all": _sums_of(values),
            "by_school": {k: _sums_of(v) for k, v in by_school.items()},
            "by_item": {k: _sums_of(v) for k, v in by_item.items()}}


def refund_merge(parts: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The parts of the rows behind ``parts`` laid end to end, as one part."""
    total: dict[str, Any] = {}
    by_school: dict[str, dict[str, Any]] = {}
    by_item: dict[str, dict[str, Any]] = {}
    for part in parts:
        add_fields(total, part["all"], _SUMS)
        for mine, theirs in ((by_school, part["by_school"]), (by_item, part["by_item"])):
            for key, sums in theirs.items():
                add_fields(mine.setdefault(key, {}), sums, _SUMS)
    return {"all": total or _money_sums([]), "by_school": by_school, "by_item": by_item}


def refund_from_parts(parts: Iterable[dict[str, Any]], config: Config) -> RefundFigures:
    merged = refund_merge(parts)
    by_item = merged["by_item"]
    items = config.vocabulary("fee_item").canonical
    item_order = sorted(by_item, key=lambda k: (items.index(k) if k in items else len(items), k))
    return RefundFigures(
        **merged["all"],
        by_school={k: MoneyLine(**v) for k, v in merged["by_school"].items()},
        by_item={k: MoneyLine(**by_item[k]) for k in item_order},
    )


def refund_figures(rows: Iterable[RefundRow], config: Config) -> RefundFigures:
    return refund_from_parts([refund_parts(rows, config)], config)


def _refunded(fig: Any, attr: str, key: str) -> Decimal | None:
    """已退金额 of one school or fee item (0 when it has none in this column's period)."""
    if fig is None:
        return None
    line = getattr(fig, attr).get(key)
    return line.refunded if line is not None else Decimal(0)


# --- worksheet functions -----------------------------------------------------------------

def _school_rows(table: Any, school: Any, period: Any, config: Config, fields: set[str]) -> Columns:
    """The rows of the ledger in ``table`` in ``period`` whose 学校 is ``school`` (any school
    when empty, compared as headers are: 一中 is ``一中 ``), ``fields`` parsed."""
    from taizhang.ranges import columns_in

    name = clean_text(school)
    if name is None:
        return columns_in(table, KIND, period, config, fields)
    rows = columns_in(table, KIND, period, config, fields | {"school"})
    key = match_key(name)
    same = {s: match_key(s) == key for s in set(rows["school"]) if s}
    return rows.keep(same.get(s, False) for s in rows["school"])


def refund_total(table: Any, school: Any = None, period: Any = None, config: Config | None = None) -> float:
    """已退金额之和（元）。"""
    from taizhang.ranges import config_or_default

    config = config_or_default(config)
    return float(_total(_school_rows(table, school, period, config, {"refunded"})["refunded"]))


def refund_due(table: Any, school: Any = None, period: Any = None, config: Config | None = None) -> float:
    """尚未退还的应退金额（元）：每行应退 − 已退。"""
    from taizhang.ranges import config_or_default

    config = config_or_default(config)
    rows = _school_rows(table, school, period, config, {"due", "refunded"})
    return float(_outstanding(rows["due"], rows["refunded"]))


class Refunds(KindDef):
    kind = KIND
    codes = {
        "refund-exceeds-due": ("error", "已退金额大于应退金额"),
        "due-mismatch": ("error", "应退金额与违规金额、上缴金额不符"),
    }
    row_model = RefundRow
    figures_model = RefundFigures
    report_rank = 20
    block_title = "违规收费退费"
    detail_label = "退费"
    master_sheet = "退费合并"

    def rules(self):
        return RULES

    def figures(self, rows, config, as_of):
        return refund_figures(rows, config)

    def parts(self, rows, config):
        return refund_parts(rows, config)

    def from_parts(self, parts, config, as_of):
        return refund_from_parts(parts, config)

    def merge_parts(self, parts, config):
        return refund_merge(parts)

    def block(self, now, ytd, config) -> Block:
        b = Lines(now, ytd)
        b.add("查实违规收费", "cases", COUNT, bold=True).add("涉及学生", "students", PERSONS)
        b.add("应退金额", "due", MONEY).add("已退金额", "refunded", MONEY)
        b.add("尚未退还", "outstanding", MONEY).add("上缴国库", "to_treasury", MONEY)
        for title, attr in (("已退金额按收费项目：", "by_item"), ("已退金额按学校：", "by_school")):
            keys = b.keys(attr)
            if keys:
                b.section(title)
                b.lines += [Line(k, _refunded(now, attr, k), _refunded(ytd, attr, k), MONEY, 1) for k in keys]
                b.value("小计（应等于已退金额）", now.refunded, ytd.refunded if ytd is not None else None,
                        MONEY, 1, True)
        return Block(self.block_title, b.lines)

    def sentences(self, r, config) -> str:
        from taizhang.figures.narrative import yuan

        if not r.cases:
            return ""
        text = f"查实违规教育乱收费{r.cases}件，共计退费{yuan(r.refunded)}元"
        if r.outstanding:
            text += f"，尚有{yuan(r.outstanding)}元待退"
        return text + "。"

    def compared(self, r):
        return (("查实违规教育乱收费", r.cases, "件"), ("退费金额", r.refunded, "元"))

    def detail(self, x):
        def money(amount):
            return "—" if amount is None else f"{fen(amount):,}元"

        return (x.school, x.item, None, x.refunded, f"应退 {money(x.due)}，已退 {money(x.refunded)}")

    def worksheet_functions(self):
        from taizhang.ranges import PERIOD_DOC, TABLE_DOC

        args = (("table", TABLE_DOC), ("school", "学校名称；省略为全部学校"), ("period", PERIOD_DOC))
        return (
            WorksheetFunction("REFUND_TOTAL", refund_total, "已退金额合计（元）：自动识别表头，跳过合计、小计行。", args),
            WorksheetFunction("REFUND_DUE", refund_due, "尚未退还的应退金额（元）。", args),
        )

    def report_sections(self) -> tuple[ReportSection, ...]:
        return (ReportSection(30, "违规收费清退情况", _report_part),)

    def report_figures(self, figures: dict, config: Config) -> dict:
        out = dict(figures)
        tally_in(out, "by_item", canonical_or_none(config, "fee_item"), _money_zero)
        return out


def _report_part(out: ReportWriter, f: str, when: str) -> None:
    out.tag(f"{{%p if {f}.cases %}}")
    out.p(f"{when}查实违规收费问题{{{{ {f}.cases }}}}件"
          f"{{% if {f}.students %}}，涉及学生{{{{ {f}.students }}}}人{{% endif %}}"
          f"，应退金额{{{{ {f}.due | yuan }}}}元，已清退{{{{ {f}.refunded | yuan }}}}元"
          f"{{% if {f}.outstanding is positive %}}，尚有{{{{ {f}.outstanding | yuan }}}}元待退{{% endif %}}"
          f"{{% if {f}.to_treasury is positive %}}，上缴国库{{{{ {f}.to_treasury | yuan }}}}元{{% endif %}}。"
          f"按收费项目分，{{{{ {f}.by_item | money }}}}。按学校分，{{{{ {f}.by_school | money }}}}。")
    out.tag("{%p else %}")
    out.p(f"{when}未查实违规收费问题。")
    out.tag("{%p endif %}")


#: The keys of a refund line (by item, by school) of ``summary --json``.
_MONEY_KEYS = ("cases", "students", "due", "refunded", "outstanding", "to_treasury")


def _money_zero() -> dict:
    return {k: (0 if k in ("cases", "students") else "0.00") for k in _MONEY_KEYS}


register(Refunds)
