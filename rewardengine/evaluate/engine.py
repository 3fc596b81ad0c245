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
from ..errors import Problem, Source
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
        comps = [c for c in loaded.contract.components
                 if c.kind in CUSTOMER_KINDS and _applies(c, ctx)]
        for comp in comps:
            if comp.kind not in LATE_KINDS:
                lines.extend(CUSTOMER_KINDS[comp.kind](comp, ctx, ()))
        # kinds that adjust other lines (survey multipliers) see them after their own
        # component caps, so a reduction never takes back more than a line pays
        lines = _component_caps(loaded, ctx, lines)
        for comp in comps:
            if comp.kind in LATE_KINDS:
                lines.extend(CUSTOMER_KINDS[comp.kind](comp, ctx, tuple(lines)))
        lines = _component_caps(loaded, ctx, lines)
        per_customer = ctx.price(loaded.contract.caps.per_customer)
        if per_customer is not None:
            lines = apply_cap(lines, lambda ln: per_customer, lambda ln: "customer",
                              lambda ln: "per-customer cap")
    return CustomerResult(tl.customer_id, ctx.segment, ctx.provider, lines, ctx)


def _component_caps(loaded: LoadedContract, ctx: CustomerContext, lines: list[Line]
                    ) -> list[Line]:
    """Each component's own cap, per customer, in accrual order (applying it twice to the
    same lines changes nothing)."""
    caps = {c.id: ctx.price(c.cap) for c in loaded.contract.components if c.cap is not None}
    if not caps:
        return lines
    return apply_cap(lines, lambda ln: caps.get(ln.component), lambda ln: ln.component,
                     lambda ln: f"cap of component {ln.component}")


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


def _customer_problems(result: CustomerResult) -> list[Problem]:
    tl = result.context.timeline
    first = tl.events[0]
    out = [Problem("V001", f"customer cannot be evaluated: {message}",
                   Source(first.file, row=first.row)) for message in result.context.problems]
    out.extend(Problem("V002", why, event.source)
               for event, why in result.context.ignored)
    return out


def evaluate(loaded: LoadedContract, events: Iterable[EventBase], as_of: date,
             customers: Iterable[str] | None = None) -> Evaluation:
    """Evaluate every customer (or only ``customers``) as of ``as_of``."""
    wanted = set(customers) if customers is not None else None
    # the contract ceiling is cut in accrual order across everyone: with a ceiling, one
    # customer's view must come from the evaluation of all, or it would show more than is paid
    evaluate_all = wanted is None or loaded.contract.caps.contract_total is not None
    results: list[CustomerResult] = []
    for customer_id, rows in group_by_customer(events).items():
        if not evaluate_all and wanted is not None and customer_id not in wanted:
            continue
        tl = timeline(customer_id, rows, as_of)
        if tl.events:  # else nothing is known about this customer yet
            results.append(evaluate_customer(loaded, tl))
    contract_lines = evaluate_contract_lines(loaded, as_of) if evaluate_all else []
    results, contract_lines = _ceiling(loaded, results, contract_lines)
    if wanted is not None:
        results = [r for r in results if r.customer_id in wanted]
        contract_lines = []
    problems = [p for r in results for p in _customer_problems(r)]
    return Evaluation(loaded, as_of, results, contract_lines, problems)
