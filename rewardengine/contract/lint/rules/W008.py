"""W008 late referrals cannot reach the outcome before the deadline

Catches an outcome threshold (outcome, milestone step, employment condition) with a fixed
last day (`reach_by`, `windows.outcomes_until`) that a customer whose service starts on the
last referral day cannot reach even working every day from the first.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..base import Finding, Lint, Rule
from ..reach import findings


def check(lint: Lint) -> Iterator[Finding]:
    yield from (f for f in findings(lint) if f.problem.code == "W008")


RULE = Rule("W008", check, needs=("windows", "metadata"))
