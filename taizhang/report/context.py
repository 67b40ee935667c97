"""What a report template is filled with: the ``summary --json`` dict, plus ``bureau`` and
``period_label``, and the filters that turn its figures into Chinese phrases.

The figures are never re-counted here: :func:`template_context` takes the very dict
``taizhang summary --json`` prints.  Only two things are added for templates:

- the tallies keyed by a vocabulary (``complaints.by_channel``, ``sanctions.by_measure`` …)
  answer ``0`` (or an empty line of zeros) for a value of the vocabulary that has no case
  this period, so that ``{{ complaints.by_channel['来访'] }}`` reads 0 in a month without
  visits instead of being refused; a name outside the vocabulary is still refused;
- the filters below (``counts``, ``yuan``, ``pct`` …), which only format and join.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Iterable

from taizhang.config import Config
from taizhang.figures.narrative import yuan as _yuan

_MONEY_KEYS = ("cases", "students", "due", "refunded", "outstanding", "to_treasury")


class Tally(dict):
    """A dict of counts keyed by a vocabulary: a known value with no case reads ``zero``."""

    def __init__(self, data: dict, allowed: Iterable[str], zero: Any = 0) -> None:
        super().__init__(data)
        self.allowed = frozenset(allowed)
        self.zero = zero

    def __missing__(self, key: Any) -> Any:
        if key in self.allowed:
            return self.zero() if callable(self.zero) else self.zero
        raise KeyError(key)

    def knows(self, key: Any) -> bool:
        return key in self or key in self.allowed


def _measure_words(config: Config, measure: str) -> str:
    """``警告`` -> ``警告处分`` where the measure is a 处分 proper, as the report paragraph words it."""
    from taizhang.kinds.sanctions import _measure_words as words

    return words(config, measure)


#: The activity groups of the report when the configuration has none (DOMAIN.md).
DEFAULT_ACTIVITY_GROUPS = {
    "学习教育": ["专题学习", "廉政讲座", "线上学习", "廉洁培训", "主题党日"],
    "警示教育": ["警示教育大会", "警示教育片", "廉政谈话"],
    "宣传": ["宣传信息", "宣传标语", "宣传横幅", "宣传栏", "廉政征文", "知识竞赛", "文艺演出", "廉洁文化进课堂",
           "廉洁文化阵地"],
    "制度": ["制度梳理", "制度修订", "制度新订", "制度培训"],
    "监督": ["监督检查", "先进典型"],
}
OTHER_GROUP = "其他"


def _activities_table(config: Config) -> dict:
    tables = getattr(config, "tables", None) or {}
    return tables.get("activities", {}) if isinstance(tables, dict) else {}


def activity_groups(config: Config) -> dict[str, list[str]]:
    """Group (学习教育 …) -> its categories in report order: the configuration's, else the default."""
    groups = _activities_table(config).get("groups") or DEFAULT_ACTIVITY_GROUPS
    return {g: list(cats) for g, cats in groups.items()}


def _money_zero() -> dict:
    return {k: (0 if k in ("cases", "students") else "0.00") for k in _MONEY_KEYS}


def _tallies(block: dict, config: Config) -> dict:
    """``block`` (one period's figures) with its vocabulary-keyed tallies as :class:`Tally`."""
    out = dict(block)

    def vocab(name: str) -> list[str]:
        try:
            return config.vocabulary(name).canonical
        except KeyError:
            return []

    def wrap(kind: str, key: str, allowed: Iterable[str], zero: Any = 0) -> None:
        part = out.get(kind)
        if isinstance(part, dict) and isinstance(part.get(key), dict):
            out[kind] = part = dict(part)
            part[key] = Tally(part[key], allowed, zero)

    wrap("complaints", "by_source", vocab("complaint_source"))
    wrap("complaints", "by_channel", vocab("complaint_channel"))
    wrap("complaints", "by_category", vocab("complaint_category"))
    wrap("complaints", "by_disposal", vocab("complaint_disposal"))
    wrap("refunds", "by_item", vocab("fee_item"), _money_zero)
    measures = vocab("sanction_measure")
    wrap("sanctions", "by_measure", measures)
    wrap("sanctions", "by_category", vocab("sanction_category"))
    wrap("sanctions", "by_form", ("第一种形态", "第二种形态", "第三种形态", "第四种形态"))
    sanctions = out.get("sanctions")
    if isinstance(sanctions, dict) and isinstance(sanctions.get("by_cause"), dict):
        sanctions["by_cause"] = Tally({c: Tally(m, measures) for c, m in sanctions["by_cause"].items()},
                                      vocab("sanction_cause"), lambda: Tally({}, measures))
    wrap("rectification", "by_source", vocab("rectification_source"))
    activities = out.get("activities")
    if isinstance(activities, dict) and isinstance(activities.get("by_category"), dict):
        try:
            names = vocab("activity_category")
        except KeyError:  # pragma: no cover - depends on the activity ledger's vocabulary
            names = []
        wrap("activities", "by_category", names, lambda: {"count": 0, "person_times": 0, "quantity": 0, "unit": None})
        wrap("activities", "by_group", [*activity_groups(config), OTHER_GROUP],
             lambda: {"count": 0, "person_times": 0})
    return out


def period_label(summary: dict) -> str:
    """``2026-10`` -> ``2026年10月``, ``2026`` -> ``2026年``, ``all`` -> ``全部``."""
    from taizhang.figures import Period

    return Period.parse(summary.get("period")).label


def template_context(summary: dict, config: Config) -> dict:
    """The context of a report template: ``summary`` (the ``summary --json`` dict) and
    ``period_label``; ``bureau`` is already in it."""
    context = _tallies(summary, config)
    if isinstance(summary.get("year_to_date"), dict):
        context["year_to_date"] = _tallies(summary["year_to_date"], config)
    context["period_label"] = period_label(summary)
    return context


# --- filters ---------------------------------------------------------------------------------

def _decimal(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"“{value}”不是金额") from None


def yuan(value: Any) -> str:
    """``"52340.00"`` -> ``52,340``; ``"52340.50"`` -> ``52,340.50`` (the 汇总表's form)."""
    return _yuan(_decimal(value))


def positive(value: Any) -> bool:
    """Test: a count or an amount above zero (``{% if refunds.outstanding is positive %}``)."""
    try:
        return _decimal(value) > 0
    except ValueError:
        return False


def pct(value: Any) -> str:
    """``0.5161`` -> ``51.6%``."""
    return f"{_decimal(value) * 100:.1f}%"


def cndate(value: Any) -> str:
    """``2026-10-31`` -> ``2026年10月31日``."""
    day = value if isinstance(value, date) else date.fromisoformat(str(value))
    return f"{day.year}年{day.month}月{day.day}日"


def counts(tally: dict, unit: str, total: Any = None, rest: str = "其他", label: str = "") -> str:
    """``{'省转办': 6, '市转办': 11}`` -> ``省转办6件、市转办11件`` (zeros left out).

    With ``total``, what the parts leave of it is named ``rest`` (``来源不明3件``), so the
    phrase always adds up to the total it stands under.  ``label`` goes between the name and
    the figure (``省转办件6件``).
    """
    parts = [f"{name}{label}{n}{unit}" for name, n in tally.items() if n]
    if total is not None:
        missing = int(total) - sum(int(n) for n in tally.values())
        if missing > 0:
            parts.append(f"{rest}{missing}{unit}")
    return "、".join(parts)


def money(lines: dict) -> str:
    """Refund lines by school or item -> ``教辅材料2件、已退53,000元；择校费1件``."""
    parts = []
    for name, line in lines.items():
        text = f"{name}{line['cases']}件"
        if positive(line.get("refunded", 0)):
            text += f"、已退{yuan(line['refunded'])}元"
        parts.append(text)
    return "；".join(parts)


def file_name(value: Any) -> str:
    """A path -> its file name (the report names a ledger, never a folder)."""
    return Path(str(value)).name


def error_list(blocking: list) -> str:
    """Ledgers with errors, by file: ``县二中.xlsx（信访举报台账5个、退费台账5个）``."""
    by_file: dict[str, list[str]] = {}
    for b in blocking:
        where = b.get("sheet") or "整个工作簿"
        by_file.setdefault(file_name(b.get("file")), []).append(f"{where}{b.get('errors')}个")
    return "；".join(f"{name}（{'、'.join(parts)}）" for name, parts in by_file.items())


def make_filters(config: Config) -> dict[str, Any]:
    def causes(by_cause: dict) -> str:
        """cause × measure -> ``因违规招生给予诫勉1人；因违规收费给予警告处分2人``."""
        clauses = []
        for cause, measures in by_cause.items():
            items = "、".join(f"{_measure_words(config, m)}{n}人" for m, n in measures.items() if n)
            if items:
                clauses.append(f"因{cause}给予{items}")
        return "；".join(clauses)

    groups = activity_groups(config)
    wording = _activities_table(config).get("categories", {})

    def phrase(category: str, line: dict) -> str:
        meta = wording.get(category, {})
        values = {"name": category, "count": line.get("count", 0), "person_times": line.get("person_times", 0),
                  "quantity": line.get("quantity", 0), "unit": line.get("unit") or ""}
        words = [meta.get("count", "开展{name}{count}次").format(**values)]
        if values["person_times"]:
            words.append(meta.get("person_times", "参与{person_times}人次").format(**values))
        if values["quantity"]:
            words.append(meta.get("quantity", "形成成果{quantity}{unit}").format(**values))
        return "，".join(words)

    def activity(activities: dict, *names: str) -> str:
        """The activity ledger's groups ``names`` (学习教育, 警示教育 …) as sentences, each led by
        the group's total that its categories add up to:
        ``学习教育方面，共开展活动5次、参与210人次：组织专题学习3次，…；开展廉政讲座2场，…。``"""
        by_category, by_group = activities.get("by_category", {}), activities.get("by_group", {})
        grouped = {c for cats in groups.values() for c in cats}
        parts = []
        for group in names:
            cats = groups.get(group) if group != OTHER_GROUP else [c for c in by_category if c not in grouped]
            line = by_group[group] if group in by_group else None
            clauses = [phrase(c, by_category[c]) for c in (cats or []) if c in by_category
                       and by_category[c].get("count")]
            if not clauses:
                continue
            count = line["count"] if line else sum(by_category[c]["count"] for c in cats if c in by_category)
            people = line["person_times"] if line else sum(by_category[c]["person_times"] for c in cats
                                                           if c in by_category)
            head = f"{group}方面，共开展活动{count}次" + (f"、参与{people}人次" if people else "")
            parts.append(f"{head}：{'；'.join(clauses)}。")
        return "".join(parts)

    return {"yuan": yuan, "pct": pct, "cndate": cndate, "counts": counts, "money": money,
            "causes": causes, "activity": activity, "file_name": file_name, "error_list": error_list}


TESTS = {"positive": positive}
