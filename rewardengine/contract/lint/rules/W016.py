"""W016 a single fee larger than a cap

Catches a single fee — an event, monthly, outcome, employment-condition, milestone,
sustainment, benefit-reduction or survey-bonus amount, or a reimbursed-expenses budget —
larger than the component's own `cap`, `caps.per_customer` for some segment, or the
contract ceiling `caps.contract_total`.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from ....values import money_text
from ...model import ComponentBase, Path, amounts_of, price_leaves
from ..base import Finding, Lint, Rule


def seg_value(price: Any, seg: str, segment_ids: list[str]) -> Decimal | None:
    """The largest single amount ``price`` can pay a customer of segment ``seg`` (whatever
    the employment kind and the evidence)."""
    if price is None:
        return None
    if isinstance(price, dict) and any(k in segment_ids for k in price):
        if seg not in price:
            return None
        price = price[seg]
    values = [v for _, leaf in price_leaves(price, segment_ids) for v in amounts_of(leaf)]
    return max(values) if values else None


def check(lint: Lint) -> Iterator[Finding]:
    segment_ids = lint.draft.segment_ids() or []
    for base, comp in lint.components():
        issue = _issue(lint, comp, segment_ids)
        if issue is not None:
            yield lint.warn("W016", issue[1], (*base, *issue[0]), comp.id)


def _issue(lint: Lint, comp: ComponentBase, segment_ids: list[str]) -> tuple[Path, str] | None:
    caps = lint.draft.caps
    assert caps is not None
    applies = comp.segments if comp.segments is not None else segment_ids
    limits = [(comp.cap, "the component's cap"), (caps.per_customer, "caps.per_customer"),
              (caps.contract_total, "the contract ceiling caps.contract_total")]
    for table in comp.price_tables():
        if table.role not in ("fee", "budget"):
            continue
        for cap, cap_label in limits:
            # every segment the fee is over this cap for, so one run tells them all
            over = [(seg, amount, limit) for seg in applies
                    if (amount := seg_value(table.price, seg, segment_ids)) is not None
                    and (limit := seg_value(cap, seg, segment_ids)) is not None
                    and amount > limit]
            if not over:
                continue
            seg = over[0][0]
            where = ((*table.path, seg) if isinstance(table.price, dict)
                     and seg in table.price else table.path)
            whatever = ("the contract pays" if cap is caps.contract_total
                        else "the customer earns")
            return where, (f"a single {table.label} of {comp.name} ({_amounts(lint, over, 1)}) "
                           f"is more than {cap_label} ({_amounts(lint, over, 2)}): it can "
                           f"never be paid in full, whatever else {whatever}")
    return None


def _amounts(lint: Lint, over: list[tuple[str, Decimal, Decimal]], which: int) -> str:
    """The fees (``which`` 1) or the caps (2) of the segments over, each amount with the
    segments it is for; a cap the same for them all, once."""
    groups: dict[Decimal, list[str]] = {}
    for seg, fee, cap in over:
        groups.setdefault(fee if which == 1 else cap, []).append(seg)
    if lint.draft.segments is None or (which == 2 and len(groups) == 1):
        return ", ".join(money_text(v) for v in groups)
    return ", ".join(f"{money_text(v)} for segment{'s' if len(segs) > 1 else ''} "
                     f"{', '.join(segs)}" for v, segs in groups.items())


RULE = Rule("W016", check, needs=("caps", "segments"))
