"""evaluate(contract, events, as_of) -> Evaluation. Pure: no clock, no I/O, no printing.

Each customer is evaluated on its own (``evaluate_customer``), so customers can be streamed
or spread over processes; only the contract ceiling needs one pass over everyone's lines.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..contract.load import LoadedContract
from ..errors import Problem, Severity, Source
from ..events.model import EventBase
from ..events.timeline import Timeline, group_by_customer, timeline
from ..kinds import CONTRACT_KINDS, CUSTOMER_KINDS, LATE_KINDS
from ..values import money_text
from .caps import apply_cap
from .context import CustomerContext, build_context
from .lines import Line, Totals


@dataclass(frozen=True)
class CustomerResult:
    customer_id: str
    segment: str | None
    provider: str | None
    lines: list[Line]
    context: CustomerContext = field(repr=False, compare=False)

    @property
    def totals(self) -> Totals:
        return Totals.of(self.lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "customer_id": self.customer_id,
            "segment": self.segment,
            "provider": self.provider,
            "lines": [ln.to_dict() for ln in self.lines],
            "total": money_text(self.totals.payable),
            "totals": self.totals.to_dict(),
        }


@dataclass(frozen=True)
class Evaluation:
    loaded: LoadedContract
    as_of: date
    customers: list[CustomerResult]
    contract_lines: list[Line]
    problems: list[Problem]

    def all_lines(self) -> list[Line]:
        return [*self.contract_lines, *(ln for c in self.customers for ln in c.lines)]

    @property
    def totals(self) -> Totals:
        return Totals.of(self.all_lines())

    def to_dict(self) -> dict[str, Any]:
        md = self.loaded.contract.metadata
        return {
            "contract": {"id": md.id, "version": md.version, "sha256": self.loaded.sha256},
            "as_of": self.as_of.isoformat(),
            "customers": [c.to_dict() for c in self.customers],
            "contract_lines": [ln.to_dict() for ln in self.contract_lines],
            "totals": self.totals.to_dict(),
            "problems": [p.to_dict() for p in self.problems],
        }


def _applies(component: Any, ctx: CustomerContext) -> bool:
    return component.segments is None or ctx.segment in component.segments


def evaluate_customer(loaded: LoadedContract, tl: Timeline) -> CustomerResult:
    """Every component for one customer, caps per component and per customer applied."""
    ctx = build_context(loaded, tl)
    lines: list[Line] = []
    if not ctx.problems:
        comps = loaded.contract.components
        ordered = [c for c in comps if c.kind not in LATE_KINDS] + [
            c for c in comps if c.kind in LATE_KINDS]
        for comp in ordered:
            if comp.kind in CUSTOMER_KINDS and _applies(comp, ctx):
                lines.extend(CUSTOMER_KINDS[comp.kind](comp, ctx, tuple(lines)))
        lines = _customer_caps(loaded, ctx, lines)
    return CustomerResult(tl.customer_id, ctx.segment, ctx.provider, lines, ctx)


def _customer_caps(loaded: LoadedContract, ctx: CustomerContext, lines: list[Line]
                   ) -> list[Line]:
    contract = loaded.contract
    caps = {c.id: ctx.price(c.cap) for c in contract.components if c.cap is not None}
    if caps:
        lines = apply_cap(lines, lambda ln: caps.get(ln.component),
                          lambda ln: ln.component,
                          lambda ln: f"cap of component {ln.component}")
    per_customer = ctx.price(contract.caps.per_customer)
    if per_customer is not None:
        lines = apply_cap(lines, lambda ln: per_customer, lambda ln: "customer",
                          lambda ln: "per-customer cap")
    return lines


def _ceiling(loaded: LoadedContract, customers: list[CustomerResult],
             contract_lines: list[Line]) -> tuple[list[CustomerResult], list[Line]]:
    ceiling = loaded.contract.caps.contract_total
    if ceiling is None:
        return customers, contract_lines
    flat = [*contract_lines, *(ln for c in customers for ln in c.lines)]
    capped = apply_cap(flat, lambda ln: ceiling, lambda ln: "contract",
                       lambda ln: "contract ceiling")
    n = len(contract_lines)
    out_contract, rest = capped[:n], capped[n:]
    out_customers = []
    for c in customers:
        k = len(c.lines)
        out_customers.append(CustomerResult(c.customer_id, c.segment, c.provider, rest[:k],
                                            c.context))
        rest = rest[k:]
    return out_customers, out_contract


def evaluate_contract_lines(loaded: LoadedContract, as_of: date) -> list[Line]:
    lines: list[Line] = []
    for comp in loaded.contract.components:
        if comp.kind in CONTRACT_KINDS:
            lines.extend(CONTRACT_KINDS[comp.kind](comp, loaded, as_of))
    return lines


def evaluate(loaded: LoadedContract, events: Iterable[EventBase], as_of: date,
             customers: Iterable[str] | None = None) -> Evaluation:
    """Evaluate every customer (or only ``customers``) as of ``as_of``."""
    wanted = set(customers) if customers is not None else None
    results: list[CustomerResult] = []
    problems: list[Problem] = []
    for customer_id, rows in group_by_customer(events).items():
        if wanted is not None and customer_id not in wanted:
            continue
        tl = timeline(customer_id, rows, as_of)
        if not tl.events:
            continue  # nothing known about this customer yet
        result = evaluate_customer(loaded, tl)
        for message in result.context.problems:
            first = tl.events[0]
            problems.append(Problem("V001", f"customer cannot be evaluated: {message}",
                                    Source(first.file, row=first.row)))
        for event, why in result.context.ignored:
            problems.append(Problem("V002", why, event.source, Severity.WARNING))
        results.append(result)
    contract_lines = evaluate_contract_lines(loaded, as_of) if wanted is None else []
    results, contract_lines = _ceiling(loaded, results, contract_lines)
    return Evaluation(loaded, as_of, results, contract_lines, problems)


