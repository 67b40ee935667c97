"""The checks: rules over the typed rows of a ledger, each yielding findings.

A rule is a function ``rule(ledger, ctx) -> Iterable[Finding]``.  Rules that apply to every
ledger live in ``common``; the rules of each ledger kind in its module of ``taizhang/kinds``
(``KindDef.rules``).  To add a check, write a function there and list it in its ``RULES``.
"""

from __future__ import annotations

from collections.abc import Mapping

from taizhang.checks import common
from taizhang.checks.base import CheckContext, Rule
from taizhang.config import Config, Kind
from taizhang.findings import Finding
from taizhang.kinds import definition
from taizhang.reading.ledger import Ledger


def rules_of(kind: Kind) -> tuple[Rule, ...]:
    """The common rules, then the kind's own."""
    return common.RULES + tuple(definition(kind).rules())


class _Rules(Mapping):
    """kind -> rules, over the registry."""

    def __getitem__(self, kind):
        return rules_of(kind)

    def __iter__(self):
        return iter(Kind)

    def __len__(self):
        return len(Kind)


RULES: Mapping[Kind, tuple[Rule, ...]] = _Rules()


def check_ledger(ledger: Ledger, ctx: CheckContext) -> list[Finding]:
    """Every finding of one ledger: those met while reading it, then those of its rules."""
    findings = list(ledger.findings)
    for rule in rules_of(ledger.kind):
        findings.extend(rule(ledger, ctx))
    return findings


__all__ = ["CheckContext", "Config", "Rule", "RULES", "check_ledger", "rules_of"]
