"""W007 price falls as distance from the labour market grows

Catches a price table by segment in which a segment with a larger `distance` is priced lower
than one with a smaller distance (for the same evidence level, in tables by segment and
evidence). Every price of a component is checked.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from ....values import money_text
from ...model import EVIDENCE_LEVELS
from ..base import Finding, Lint, Rule


def _level_value(cell: Any, level: str | None) -> Decimal | None:
    if isinstance(cell, Decimal):
        return cell
    if isinstance(cell, dict) and level is not None:
        value = cell.get(level)
        return value if isinstance(value, Decimal) else None
    return None


def check(lint: Lint) -> Iterator[Finding]:
    seg = lint.draft.segments
    if seg is None:
        return
    distance = {t.id: t.distance for t in seg.tiers}
    for base, comp in lint.components():
        for table in comp.price_tables():
            if table.role == "cap" or not isinstance(table.price, dict):
                continue
            found = _first_drop(table.price, distance)
            if found is None:
                continue
            near, far, level, a, b = found
            at = f" for {level} evidence" if level and isinstance(table.price[far], dict) \
                else ""
            yield lint.warn("W007", f"{comp.name} pays {money_text(b)}{at} in segment {far} "
                            f"(distance {distance[far]}) but {money_text(a)} in segment {near} "
                            f"(distance {distance[near]}): customers farther from the labour "
                            "market earn the provider less, so it pays to pick the easy ones; "
                            "tiered prices should rise with distance",
                            (*base, *table.path, far), comp.id)
            break


def _first_drop(price: dict[str, Any], distance: dict[str, int]
                ) -> tuple[str, str, str | None, Decimal, Decimal] | None:
    tiers = [s for s in price if s in distance]
    levels: list[str | None] = [None, *EVIDENCE_LEVELS]
    for near in tiers:
        for far in tiers:
            if distance[far] <= distance[near]:
                continue
            for level in levels:
                a, b = _level_value(price[near], level), _level_value(price[far], level)
                if a is not None and b is not None and b < a:
                    return near, far, level, a, b
    return None


RULE = Rule("W007", check, needs=("segments",))
