"""W009 subsidised work counted at full weight

Catches an outcome fee that counts subsidised work (palkkatuki) at a weight at least that of
open-market work (for `employment_condition` this is the default: every kind at weight 1).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from ..base import Finding, Lint, Rule


def check(lint: Lint) -> Iterator[Finding]:
    for base, comp in lint.components():
        rules = comp.work_rules()
        if rules is None:
            continue
        weights = rules.weights
        sub = weights.get("subsidised", Decimal(0))
        full = weights.get("open", Decimal(1))
        if sub <= 0 or sub < full:
            continue
        path = (*base, *rules.weights_path, "subsidised")
        explicit = lint.has_key(path)
        how = (f"at weight {sub}" + (", the same as open-market work" if sub == full
                                     else f", more than open-market work ({full})"))
        if not explicit:
            how += " (the default: every kind counts at 1 unless weights says otherwise)"
        yield lint.warn("W009", f"{comp.name} counts subsidised work (palkkatuki) {how}: the "
                        "state already pays part of that wage, and many contracts pay less, or "
                        "nothing, for it; give subsidised a lower weight (e.g. 0.5) or accept "
                        "W009", path if explicit else base, comp.id)


RULE = Rule("W009", check)
