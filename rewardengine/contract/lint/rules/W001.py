"""W001 outcome or phase that cannot be reached

Catches an outcome threshold (an outcome, a milestone step, the last sustainment payment, an
employment condition) or a phase that no customer can reach inside its windows, or that only a
customer who works every day from the first day can reach: no employment kind counts, more
hours a week than a week has, a threshold longer than its window, a fixed last day too early.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..base import Finding, Lint, Rule
from ..reach import findings


def check(lint: Lint) -> Iterator[Finding]:
    yield from (f for f in findings(lint) if f.problem.code == "W001")


RULE = Rule("W001", check, needs=("windows", "metadata"))
