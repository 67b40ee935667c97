"""The checks: rules over the typed rows of a ledger, each yielding findings.

A rule is a function ``rule(ledger, ctx) -> Iterable[Finding]``.  Rules that apply to every
ledger live in ``common``; the rules of each ledger kind in a module named after it.  To add
a check, write a function in the right module and list it in that module's ``RULES``.
"""

from __future__ import annotations

from taizhang.checks import common, complaints, rectification, refunds, sanctions
from taizhang.checks.base import CheckContext, Rule
from taizhang.config import Config, Kind
from taizhang.findings import Finding
from taizhang.reading.ledger import Ledger

RULES: dict[Kind, tuple[Rule, ...]] = {
    Kind.RECTIFICATION: common.RULES + rectification.RULES,
    Kind.COMPLAINTS: common.RULES + complaints.RULES,
    Kind.REFUNDS: common.RULES + refunds.RULES,
    Kind.SANCTIONS: common.RULES + sanctions.RULES,
}


def check_ledger(ledger: Ledger, ctx: CheckContext) -> list[Finding]:
    """Every finding of one ledger: those met while reading it, then those of its rules."""
    findings = list(ledger.findings)
    for rule in RULES[ledger.kind]:
        findings.extend(rule(ledger, ctx))
    return findings


__all__ = ["CheckContext", "Config", "Rule", "RULES", "check_ledger"]
