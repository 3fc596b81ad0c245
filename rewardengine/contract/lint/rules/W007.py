"""W007 price falls as distance from the labour market grows

Catches a price table by segment in which a segment with a larger `distance` is priced lower
than one with a smaller distance (for the same employment kind and evidence level, in tables
by segment and kind or evidence). Every price of a component is checked.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from ....values import money_text
from ...model import EMPLOYMENT_KINDS, EVIDENCE_LEVELS
from ..base import Finding, Lint, Rule, change_dates, leaf_at


def _level_value(cell: Any, kind: str | None, level: str | None) -> Any:
    """The price leaf of a segment's cell for an employment kind and an evidence level (the
    cell itself, or its kind's entry, when it is not priced by them)."""
    if isinstance(cell, dict) and any(k in EMPLOYMENT_KINDS for k in cell):
        if kind is None:
            return None
        cell = cell.get(kind)
    if not isinstance(cell, dict):
        return cell
    return cell.get(level) if level is not None else None


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
            near, far, kind, level, a, b = found
            at = f" for {kind} work" if kind else ""
            at += f" for {level} evidence" if level and isinstance(table.price[far], dict) \
                else ""
            yield lint.warn("W007", f"{comp.name} pays {money_text(b)}{at} in segment {far} "
                            f"(distance {distance[far]}) but {money_text(a)} in segment {near} "
                            f"(distance {distance[near]}): customers farther from the labour "
                            "market earn the provider less, so it pays to pick the easy ones; "
                            "tiered prices should rise with distance",
                            (*base, *table.path, far), comp.id)
            break


def _first_drop(price: dict[str, Any], distance: dict[str, int]
                ) -> tuple[str, str, str | None, str | None, Decimal, Decimal] | None:
    tiers = [s for s in price if s in distance]
    levels: list[str | None] = [None, *EVIDENCE_LEVELS]
    kinds: list[str | None] = [None, *EMPLOYMENT_KINDS]
    for near in tiers:
        for far in tiers:
            if distance[far] <= distance[near]:
                continue
            for kind, level in ((k, lv) for k in kinds for lv in levels):
                leaf_a = _level_value(price[near], kind, level)
                leaf_b = _level_value(price[far], kind, level)
                for day in change_dates(leaf_a, leaf_b):
                    a, b = leaf_at(leaf_a, day), leaf_at(leaf_b, day)
                    if a is not None and b is not None and b < a:
                        return near, far, kind, level, a, b
    return None


RULE = Rule("W007", check, needs=("segments",))
