"""``simulate``: what a contract is expected to pay a cohort, and how far it may vary.

Runs are made by ``runs.py``; this module turns their exact sums into estimates
(``stats.py``): the payment per customer by component and by segment, the fixed and the
result pay, the cash flow per month (by line date) with a band, the probability that the
contract ceiling binds, and the worst case the caps and the fees' rules allow.
``--compare`` evaluates two drafts on the same draws and reports their paired differences.

Fixed and result pay: each component's kind says which it is (``pay_basis()``): monthly,
hourly and capacity fees, reimbursed expenses and event fees on the service's own events
(referral, service start or end, contact, hours, expense) are fixed; every other fee pays
for a result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_CEILING, Decimal, localcontext
from typing import Any

from ..contract.load import LoadedContract
from ..contract.model import ComponentBase, ContractBase, most_of
from ..engine import evaluate_contract_lines
from ..kinds import KINDS, CustomerKind
from ..values import money_text
from .runs import RunSums
from .stats import Estimate, cents, every_month, share, upper_95

ZERO = Decimal(0)
CENT = Decimal("0.01")


def per_customer(total: Decimal, customers: int) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 28
        return total / customers if customers else ZERO


def cost_per_customer(runs: Sequence[RunSums], segment: str | None = None) -> list[Decimal]:
    """Run by run, the cost per customer (of ``segment``): the run's total over its
    customers, or the segment's total over its customers in that run (runs without a
    customer of the segment left out). The one estimator: ``simulate`` reports the mean of
    these and ``price`` solves for it."""
    if segment is None:
        return [per_customer(r.total, r.customers) for r in runs]
    return [per_customer(r.by_segment.get(segment, ZERO), r.segment_count[segment])
            for r in runs if r.segment_count.get(segment)]


@dataclass(frozen=True)
class WorstCase:
    """The most the caps and the fees' own rules allow: per customer and in total (None:
    nothing bounds it), and how that was found."""

    per_customer: Decimal | None
    total: Decimal | None
    how: str
    observed_per_customer: Decimal  # the most one simulated customer was paid

    def to_dict(self) -> dict[str, Any]:
        return {"per_customer": None if self.per_customer is None
                else money_text(self.per_customer),
                "total": None if self.total is None else money_text(self.total),
                "how": self.how,
                "observed_per_customer": money_text(self.observed_per_customer)}


def up_to_cents(amount: Decimal) -> Decimal:
    """A bound in whole cents, never below the amount (a rate times hours may not be)."""
    return amount.quantize(CENT, rounding=ROUND_CEILING)


@dataclass(frozen=True)
class Bounds:
    """The most the components together pay one customer (None: one of them is unbounded),
    each one's bound in words, and the segment whose fees sum to it (when fees differ by
    segment)."""

    most: Decimal | None
    words: list[str]
    segment: str | None = None


def component_bounds(contract: ContractBase) -> Bounds:
    """Each customer fee's bound (``ComponentBase.bound``: its cap or its rules' maximum,
    the least), summed over the fees that apply to a segment, the largest such sum; of
    alternatives only the largest, as only one of them is paid. Capacity fees pay no
    customer and are left out."""
    comps = [comp for comp in contract.components
             if isinstance(KINDS.of(comp), CustomerKind)]
    found = {comp.id: comp.bound(contract) for comp in comps}
    open_ = [comp.id for comp in comps if found[comp.id] is None]
    if open_:
        why = [f"{comp.id} ({reason[0]})" for comp in comps
               if comp.id in open_ and (reason := comp.unbounded(contract)) is not None]
        return Bounds(None, [f"no cap or rule bounds {', '.join(open_[:6])}"
                             + (f" (unbounded by their own rules: {', '.join(why[:4])})"
                                if why else "")])
    bounds = {k: (up_to_cents(v[0]), v[1]) for k, v in found.items() if v is not None}
    if all(comp.segments is None for comp in comps):
        return _summed(contract, comps, bounds)
    # a customer is in one segment: only the fees that apply to it pay
    sums = [replace(_summed(contract, [c for c in comps if c.segments is None
                                       or segment in c.segments], bounds), segment=segment)
            for segment in contract.segment_ids()]
    return max(sums, key=lambda b: b.most or ZERO)


def _summed(contract: ContractBase, comps: Sequence[ComponentBase],
            bounds: dict[str, tuple[Decimal, str]]) -> Bounds:
    def shown(cid: str) -> str:
        return f"{cid} {money_text(bounds[cid][0])} ({bounds[cid][1]})"

    ids = [comp.id for comp in comps]
    grouped = {cid: g for g in contract.alternatives for cid in g.components}
    most, words = ZERO, []
    for cid in ids:
        group = grouped.get(cid)
        if group is None:
            most += bounds[cid][0]
            words.append(shown(cid))
        elif cid == next(c for c in group.components if c in ids):
            members = [c for c in group.components if c in ids]
            most += max(bounds[c][0] for c in members)
            words.append(shown(cid) if len(members) == 1 else
                         "the larger of " + " or ".join(shown(c) for c in members))
    return Bounds(most, words)


def _per_customer(contract: ContractBase) -> tuple[Decimal | None, str]:
    """The least of the per-customer cap (its largest cell) and the components' bounds."""
    cap = most_of(contract.caps.per_customer) if contract.caps.per_customer is not None \
        else None
    parts = component_bounds(contract)
    name = "the sum of the components' bounds" + (
        f" (segment {parts.segment})" if parts.segment is not None else "")
    summed = f"{name}: {', '.join(parts.words)}"
    if cap is None and parts.most is None:
        return None, "no per-customer cap, and " + parts.words[0]
    if parts.most is None:
        return cap, "the per-customer cap (its largest cell)"
    if cap is None:
        return parts.most, summed
    if cap <= parts.most:
        return cap, f"the per-customer cap (its largest cell), not above {name} " \
            f"{money_text(parts.most)}"
    return parts.most, f"{summed}; below the per-customer cap {money_text(cap)}"


def capacity_total(loaded: LoadedContract) -> Decimal:
    """What the contract's own (capacity) lines pay over their whole span."""
    lines, _ = evaluate_contract_lines(loaded, loaded.contract.metadata.valid_until)
    return sum((ln.amount for ln in lines if ln.status != "not_earned"), ZERO)


def worst_case(loaded: LoadedContract, customers: int, observed: Decimal) -> WorstCase:
    """Per customer: the least of the per-customer cap and the sum of the components'
    bounds (each its own cap or its rules' maximum). In total: that times the customers,
    plus the contract's own (capacity) lines, cut by the contract ceiling; or the ceiling
    alone."""
    c = loaded.contract
    ceiling = c.caps.contract_total
    each, how = _per_customer(c)
    capacity = capacity_total(loaded)
    total = each * customers + capacity if each is not None else None
    if ceiling is not None and (total is None or ceiling < total):
        total = ceiling
        how += "; in total, the contract ceiling"
    elif total is not None and capacity:
        how += f"; in total, with the capacity fees' {money_text(capacity)}"
    return WorstCase(each, total, how, observed)


@dataclass(frozen=True)
class Summary:
    """One draft over every run."""

    contract: str
    runs: int
    customers: int
    per_customer: Estimate
    by_component: dict[str, Estimate]
    by_segment: dict[str, Estimate]  # per customer of the segment
    segment_share: dict[str, Decimal]
    by_provider: dict[str, Estimate]  # paid to each member, per customer of the cohort
    provider_share: dict[str, Decimal]  # each member's share of all pay, over every run
    fixed: Estimate  # per customer
    result: Estimate
    fixed_share: Decimal
    cash_flow: list[tuple[str, Estimate]]  # month -> the whole cohort's payments
    ceiling: Decimal | None
    ceiling_binds: int  # runs in which it binds
    pending: Decimal  # per customer, still pending at the horizon
    worst: WorstCase
    per_customer_runs: tuple[Decimal, ...] = field(repr=False, default=())
    currency: str = "EUR"  # the contract's: every amount above is in it
    # a consortium's: member -> month -> what the whole cohort pays the member (none for
    # a contract paid to one provider: its cash flow is the cohort's)
    member_cash_flow: dict[str, list[tuple[str, Estimate]]] = field(default_factory=dict)

    @property
    def ceiling_probability(self) -> Decimal:
        return share(Decimal(self.ceiling_binds), Decimal(self.runs))

    @property
    def ceiling_probability_upper(self) -> Decimal:
        """How likely the ceiling may still be to bind (95 %): 0 of 200 runs is not 0 %."""
        return upper_95(self.ceiling_binds, self.runs)

    def to_dict(self) -> dict[str, Any]:
        return {
            "contract": self.contract, "runs": self.runs, "customers": self.customers,
            "per_customer": self.per_customer.to_dict(),
            "by_component": {k: v.to_dict() for k, v in self.by_component.items()},
            "by_segment": {k: {**v.to_dict(), "share": str(self.segment_share[k])}
                           for k, v in self.by_segment.items()},
            "by_provider": {k: {**v.to_dict(), "share": str(self.provider_share[k])}
                            for k, v in self.by_provider.items()},
            "fixed": self.fixed.to_dict(), "result": self.result.to_dict(),
            "fixed_share": str(self.fixed_share),
            "cash_flow": [{"month": m, **e.to_dict()} for m, e in self.cash_flow],
            "cash_flow_by_provider": {p: [{"month": m, **e.to_dict()} for m, e in flow]
                                      for p, flow in self.member_cash_flow.items()},
            "ceiling": None if self.ceiling is None else {
                "amount": money_text(self.ceiling), "binds_in_runs": self.ceiling_binds,
                "probability": str(self.ceiling_probability),
                "probability_upper_95": str(self.ceiling_probability_upper)},
            "pending_at_horizon": money_text(self.pending),
            "worst_case": self.worst.to_dict(),
        }


def _keys(runs: Sequence[RunSums], attr: str) -> list[str]:
    return sorted({k for r in runs for k in getattr(r, attr)})


def summarise(loaded: LoadedContract, name: str, runs: Sequence[RunSums]) -> Summary:
    n = runs[0].customers if runs else 0
    totals = cost_per_customer(runs)
    segments = _keys(runs, "segment_count")
    by_segment = {s: Estimate.of(cost_per_customer(runs, s)) for s in segments}
    all_customers = sum(r.customers for r in runs) or 1
    grand = sum((r.total for r in runs), ZERO)
    fixed = sum((r.fixed for r in runs), ZERO)
    members = [r.by_provider for r in runs]  # each run's pay per member, added up once
    names = sorted({p for paid in members for p in paid})
    return Summary(
        contract=name, runs=len(runs), customers=n, per_customer=Estimate.of(totals),
        by_component={c.id: Estimate.of([per_customer(r.by_component.get(c.id, ZERO),
                                                      r.customers) for r in runs])
                      for c in loaded.contract.components},
        by_segment=by_segment,
        segment_share={s: share(Decimal(sum(r.segment_count.get(s, 0) for r in runs)),
                                Decimal(all_customers)) for s in segments},
        by_provider={p: Estimate.of([per_customer(paid.get(p, ZERO), r.customers)
                                     for paid, r in zip(members, runs, strict=True)])
                     for p in names},
        provider_share={p: share(sum((paid.get(p, ZERO) for paid in members), ZERO), grand)
                        for p in names},
        fixed=Estimate.of([per_customer(r.fixed, r.customers) for r in runs]),
        result=Estimate.of([per_customer(r.total - r.fixed, r.customers) for r in runs]),
        fixed_share=share(fixed, grand),
        cash_flow=[(m, Estimate.of([r.by_month.get(m, ZERO) for r in runs]))
                   for m in every_month(_keys(runs, "by_month"))],
        ceiling=loaded.contract.caps.contract_total,
        ceiling_binds=sum(1 for r in runs if r.ceiling_binds),
        pending=cents(per_customer(sum((r.pending for r in runs), ZERO), all_customers)),
        worst=worst_case(loaded, n, max((r.most_one_customer for r in runs), default=ZERO)),
        per_customer_runs=tuple(totals), currency=loaded.contract.metadata.currency,
        member_cash_flow=_member_cash_flow(runs))


def _member_cash_flow(runs: Sequence[RunSums]) -> dict[str, list[tuple[str, Estimate]]]:
    """Each member's cash flow per month, where more than one member is paid: every month
    any member is paid in, for each member (zero in the runs and months it is not)."""
    members = _keys(runs, "by_provider")
    if len(members) < 2:
        return {}
    months = every_month(_keys(runs, "by_month"))
    return {p: [(m, Estimate.of([r.by_provider_month.get((p, m), ZERO) for r in runs]))
                for m in months] for p in members}


@dataclass(frozen=True)
class Difference:
    """Draft B minus draft A, run by run on the same draws (paired)."""

    per_customer: Estimate
    by_component: dict[str, Estimate]
    fixed_share: tuple[Decimal, Decimal]
    # per customer of the segment, in the runs where both drafts have customers of it
    by_segment: dict[str, Estimate] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"per_customer": self.per_customer.to_dict(),
                "by_component": {k: v.to_dict() for k, v in self.by_component.items()},
                "by_segment": {k: v.to_dict() for k, v in self.by_segment.items()},
                "fixed_share": {"a": str(self.fixed_share[0]), "b": str(self.fixed_share[1])}}


def difference(a: Summary, b: Summary, runs_a: Sequence[RunSums],
               runs_b: Sequence[RunSums]) -> Difference:
    components = sorted(set(a.by_component) | set(b.by_component))
    per = [per_customer(rb.total - ra.total, ra.customers) for ra, rb in zip(runs_a, runs_b,
                                                                               strict=True)]
    return Difference(
        per_customer=Estimate.of(per),
        by_component={c: Estimate.of([per_customer(rb.by_component.get(c, ZERO)
                                                   - ra.by_component.get(c, ZERO),
                                                   ra.customers)
                                      for ra, rb in zip(runs_a, runs_b, strict=True)])
                      for c in components},
        fixed_share=(a.fixed_share, b.fixed_share),
        by_segment=_paired_segments(a, b, runs_a, runs_b))


def _paired_segments(a: Summary, b: Summary, runs_a: Sequence[RunSums],
                     runs_b: Sequence[RunSums]) -> dict[str, Estimate]:
    """B minus A per customer of each segment, in the runs where both drafts have customers
    of it (a segment no run pairs is left out: no difference is known)."""
    out = {}
    for g in sorted(set(a.by_segment) | set(b.by_segment)):
        diffs = [per_customer(rb.by_segment.get(g, ZERO), rb.segment_count[g])
                 - per_customer(ra.by_segment.get(g, ZERO), ra.segment_count[g])
                 for ra, rb in zip(runs_a, runs_b, strict=True)
                 if ra.segment_count.get(g) and rb.segment_count.get(g)]
        if diffs:
            out[g] = Estimate.of(diffs)
    return out


@dataclass(frozen=True)
class Simulation:
    """What ``simulate`` reports: the inputs that fix the result, one summary per draft and,
    with a comparison, the difference."""

    cohort: str
    seed: int
    horizon: date
    summaries: list[Summary]
    difference: Difference | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"cohort": self.cohort, "seed": self.seed, "horizon": self.horizon.isoformat(),
                "statistics": "mean exact, rounded half-up to cents; P10/P50/P90 type 7 "
                              "quantiles over runs; se: standard error of the mean",
                "drafts": [s.to_dict() for s in self.summaries],
                "difference": None if self.difference is None else self.difference.to_dict(),
                "notes": self.notes}
