"""Totals by segment, provider and component: what a table shows of an evaluation too large
to show customer by customer.

Read from the customers as they stream from the shards' spools (one customer held at a
time), so it costs memory per group, not per customer. A line counts under its own
segment and provider (a consortium member's hours count under that member); contract-level
lines have no segment.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from ..engine import CustomerResult
from ..evaluate.lines import Line, Totals

ZERO = Decimal("0.00")


@dataclass
class SummaryRow:
    segment: str | None
    provider: str | None
    component: str
    customers: int = 0  # customers with at least one line of the component
    lines: int = 0
    payable: Decimal = ZERO
    pending: Decimal = ZERO
    not_earned: Decimal = ZERO

    def add(self, line: Line) -> None:
        self.lines += 1
        if line.status == "payable":
            self.payable += line.amount
        elif line.status == "pending":
            self.pending += line.amount
        else:
            self.not_earned += line.amount


@dataclass
class Summary:
    customers: int = 0
    rows: list[SummaryRow] = field(default_factory=list)  # by segment, provider, component
    totals: Totals = field(default_factory=Totals)


def summarize(customers: Iterable[CustomerResult], contract_lines: list[Line]) -> Summary:
    """The lines of ``customers`` (read once) and the contract lines, added up by segment,
    provider and component."""
    groups: dict[tuple[str, str, str], SummaryRow] = {}
    count = 0

    def take(lines: list[Line]) -> None:
        seen: set[tuple[str, str, str]] = set()
        for line in lines:
            key = (line.segment or "", line.provider or "", line.component)
            row = groups.get(key)
            if row is None:
                row = groups[key] = SummaryRow(line.segment, line.provider, line.component)
            row.add(line)
            if key not in seen:
                seen.add(key)
                row.customers += line.customer_id is not None

    take(contract_lines)
    for customer in customers:
        count += 1
        take(customer.lines)
    rows = [groups[k] for k in sorted(groups)]
    totals = Totals(sum((r.payable for r in rows), ZERO), sum((r.pending for r in rows), ZERO),
                    sum((r.not_earned for r in rows), ZERO))
    return Summary(count, rows, totals)
