"""W012 survey multiplier above 2

Catches a `survey_adjustment` in `mode: multiplier` with a band `factor` above 2.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from ..base import Finding, Lint, Rule

MAX_FACTOR = Decimal(2)


def check(lint: Lint) -> Iterator[Finding]:
    for base, comp in lint.components():
        for m in comp.multipliers():
            if m.factor > MAX_FACTOR:
                yield lint.warn("W012", f"{comp.name} multiplies {', '.join(comp.adjusts())} by "
                                f"{m.factor} for a score of {m.min_score} or more: one survey "
                                "answer more than doubles a fee, and customer experience alone "
                                "is not a sound measure for a result fee", (*base, *m.path),
                                comp.id)


RULE = Rule("W012", check)
