"""W019 two fees for the same service months

Catches two components that each pay per service month (a `monthly_fee`) whose phases share
service months whatever the service start, for a segment both price, and that are not
`alternatives` of each other. One warning per pair, at the second.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from itertools import combinations

from ....values import Duration
from ...model import ComponentBase, Phase, price_leaves
from ..base import Finding, Lint, Rule


def _before(a: Duration | None, b: Duration | None) -> bool:
    """Whether offset ``a`` (None: the service start) comes before ``b`` (None: never
    ends) for every service start: in other units, by their fewest and most days."""
    if b is None:
        return True
    if a is None:
        return b.count > 0
    if a.unit == b.unit:
        return a.count < b.count
    return a.max_days() < b.min_days()


def _share_months(one: Phase | None, other: Phase | None) -> bool:
    start_one, end_one = (None, None) if one is None else (one.from_, one.until)
    start_other, end_other = (None, None) if other is None else (other.from_, other.until)
    return _before(start_one, end_other) and _before(start_other, end_one)


def _priced(comp: ComponentBase, segment_ids: Sequence[str]) -> set[str]:
    """The segments the component's fee is more than zero for."""
    out: set[str] = set()
    for table in comp.price_tables():
        if table.role != "fee":
            continue
        for way, value in price_leaves(table.price, segment_ids):
            if isinstance(value, Decimal) and value == 0:
                continue
            named = [key for dim, key in way if dim == "segment"]
            out.update(named or segment_ids)
    return out


def check(lint: Lint) -> Iterator[Finding]:
    segment_ids = lint.draft.segment_ids() or ["default"]
    monthly = [(base, comp) for base, comp in lint.components() if comp.pays_service_months()]
    apart = [set(a.components) for a in lint.draft.alternatives or []]
    for (_, one), (base, other) in combinations(monthly, 2):
        if any({one.id, other.id} <= group for group in apart):
            continue  # only one of them is paid
        both = sorted(_priced(one, segment_ids) & _priced(other, segment_ids),
                      key=segment_ids.index)
        if not both or not _share_months(one.service_phase(), other.service_phase()):
            continue
        yield lint.warn(
            "W019", f"{other.name} and {one.name} both pay for the same service months "
                    f"(segments {', '.join(both)}): a customer served in such a month earns "
                    "both; if both are meant (a base fee and a bonus), accept this warning "
                    "with the reason, else give them phases that share no month (phase: {from, "
                    "until}), or make them alternatives", base, other.id)


RULE = Rule("W019", check, needs=("segments", "alternatives"))
