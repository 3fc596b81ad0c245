"""evaluate(contract, events, as_of) -> Evaluation. Pure: no clock, no I/O, no printing.

Each customer is evaluated on its own (``evaluate_customer``): every component that applies,
by its kind from the registry, then the alternatives (only the component earned first of each
group is paid), then the caps per component and per customer. Only the contract
ceiling needs one pass over everyone's lines, in accrual order. So customers can be streamed
or spread over processes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from itertools import chain
from typing import Any

from .contract.load import LoadedContract
from .contract.model import ComponentBase
from .errors import Problem, Source, sorted_problems
from .evaluate.alternatives import choose
from .evaluate.caps import apply_cap, apply_limit, asked
from .evaluate.context import FRAMING_EVENTS, CustomerContext, build_context
from .evaluate.employers import EmployerRows, employer_problems, telling_employers_apart
from .evaluate.lines import Line, Totals
from .evaluate.trace import Trace
from .events.model import EventBase
from .events.timeline import Timeline, group_by_customer, timeline
from .kinds import KINDS, ContractKind, CustomerKind
from .values import MAX_DATE, money_text


@dataclass(frozen=True)
class CustomerResult:
    customer_id: str
    segment: str | None
    provider: str | None
    lines: list[Line]
    context: CustomerContext = field(repr=False, compare=False)
    # how each component that applies found its lines (explain renders these)
    traces: dict[str, Trace] = field(default_factory=dict, repr=False, compare=False)

    @property
    def totals(self) -> Totals:
        """Summed once: writing a customer, its shard's sums and its outputs all ask (the
        lines are never changed after the result is made; ``with_lines`` makes another).
        Kept in the instance's own dict: ``functools.cached_property`` takes a lock on every
        read in this Python."""
        found: Totals | None = self.__dict__.get("_totals")
        if found is None:
            found = self.__dict__["_totals"] = Totals.of(self.lines)
        return found

    def with_lines(self, lines: list[Line]) -> CustomerResult:
        return CustomerResult(self.customer_id, self.segment, self.provider, lines,
                              self.context, self.traces)

    def to_dict(self) -> dict[str, Any]:
        totals = self.totals
        return {
            "customer_id": self.customer_id,
            "segment": self.segment,
            "provider": self.provider,
            "lines": [ln.to_dict() for ln in self.lines],
            "total": money_text(totals.payable),
            "totals": totals.to_dict(),
        }


@dataclass(frozen=True)
class Evaluation:
    loaded: LoadedContract
    as_of: date
    customers: list[CustomerResult]
    contract_lines: list[Line]
    problems: list[Problem]
    contract_traces: dict[str, Trace] = field(default_factory=dict, repr=False)

    def all_lines(self) -> list[Line]:
        return [*self.contract_lines, *(ln for c in self.customers for ln in c.lines)]

    @property
    def totals(self) -> Totals:
        return Totals.of(self.all_lines())

    def to_dict(self) -> dict[str, Any]:
        md = self.loaded.contract.metadata
        return {
            "contract": {"id": md.id, "version": md.version, "sha256": self.loaded.sha256,
                         "currency": md.currency},
            "as_of": self.as_of.isoformat(),
            "customers": [c.to_dict() for c in self.customers],
            "contract_lines": [ln.to_dict() for ln in self.contract_lines],
            "totals": self.totals.to_dict(),
            "problems": [p.to_dict() for p in self.problems],
        }


@dataclass(frozen=True)
class _Plan:
    """What evaluating any customer asks of the contract, worked out once per contract (a
    run asks it once per customer): its components of customer kinds, those with a cap of
    their own, and the alternatives with their clauses."""

    customer_kinds: tuple[tuple[ComponentBase, CustomerKind[Any]], ...]
    capped: tuple[ComponentBase, ...]
    alternatives: tuple[tuple[Any, str], ...]
    # by segment: the customer kinds that apply, those that see no other lines first and
    # those that adjust the others' lines (``late``) after them (found once per segment)
    by_segment: dict[str | None, tuple[_Kinds, _Kinds]] = field(default_factory=dict,
                                                                 compare=False)

    @staticmethod
    def of(loaded: LoadedContract) -> _Plan:
        # kept in the contract's own dict, as its cached clauses are: no lock, no call after
        found: _Plan | None = loaded.__dict__.get("_engine_plan")
        if found is None:
            c = loaded.contract
            kinds = [(comp, KINDS.of(comp)) for comp in c.components]
            found = loaded.__dict__["_engine_plan"] = _Plan(
                tuple((comp, k) for comp, k in kinds if isinstance(k, CustomerKind)),
                tuple(comp for comp in c.components if comp.cap is not None),
                tuple((a, loaded.clause_at("alternatives", i))
                      for i, a in enumerate(c.alternatives)))
        return found

    def applying(self, segment: str | None) -> tuple[_Kinds, _Kinds]:
        """The kinds that apply to a customer of ``segment``: (first, late), each in the
        contract's order."""
        found = self.by_segment.get(segment)
        if found is None:
            kinds = [(c, k) for c, k in self.customer_kinds
                     if c.segments is None or segment in c.segments]
            found = self.by_segment[segment] = (tuple((c, k) for c, k in kinds if not k.late),
                                                tuple((c, k) for c, k in kinds if k.late))
        return found


_Kinds = tuple[tuple[ComponentBase, CustomerKind[Any]], ...]


def evaluate_customer(loaded: LoadedContract, tl: Timeline) -> CustomerResult:
    """Every component for one customer, caps per component and per customer applied."""
    ctx = build_context(loaded, tl)
    lines: list[Line] = []
    traces: dict[str, Trace] = {}
    if not ctx.problems:
        plan = _Plan.of(loaded)
        first, late = plan.applying(ctx.segment)
        for comp, kind in first:
            outcome = kind.evaluate(comp, ctx, ())
            lines.extend(outcome.lines)
            traces[comp.id] = outcome.trace
        for alternative, clause in plan.alternatives:
            lines = choose(alternative, clause, lines)
        # kinds that adjust other lines (survey multipliers) see them after their own
        # component caps, so a reduction never takes back more than a line pays
        caps = {c.id: ctx.price(c.cap, on=ctx.priced_on) for c in plan.capped}
        lines = _component_caps(caps, lines)
        for comp, kind in late:
            outcome = kind.evaluate(comp, ctx, tuple(lines))
            lines.extend(outcome.lines)
            traces[comp.id] = outcome.trace
        lines = _component_caps(caps, lines)
        per_customer = ctx.price(loaded.contract.caps.per_customer, on=ctx.priced_on)
        if per_customer is not None:
            lines = apply_limit(lines, per_customer, "customer", lambda ln: "per-customer cap")
        unpaid = _late(ctx) if loaded.contract.windows.late_referrals == "not_paid" else None
        if unpaid is not None:
            lines = _not_paid_late(unpaid, lines)
    return CustomerResult(tl.customer_id, ctx.segment, ctx.provider, lines, ctx, traces)


def _late(ctx: CustomerContext) -> tuple[date, date, str] | None:
    """(the day the customer entered, the last referral day, the key that sets it) for a
    customer who entered after the last referral day; None otherwise."""
    c = ctx.loaded.contract
    last = c.windows.referrals_until or c.metadata.valid_until
    day = ctx.entered
    if day is None or day <= last:
        return None
    return day, last, "referrals_until" if c.windows.referrals_until else "valid_until"


def _not_paid_late(late: tuple[date, date, str], lines: list[Line]) -> list[Line]:
    """``windows.late_referrals: not_paid``: every line of a customer who entered after the
    last referral day (``late``, as ``_late`` finds it) is not earned, and nothing is
    forgone (quantity 0: the contract never offered it); each says what it would have
    been."""
    day, last, named = late
    why = (f"not paid: the customer entered on {day}, after the contract's last referral day "
           f"{last} ({named}), and the contract pays nothing for a late referral "
           "(late_referrals: not_paid)")
    return [replace(ln, status="not_earned", quantity=Decimal(0), amount=Decimal(0),
                    cap=None, uncapped=None, reason=f"{why}; on its own: {ln.reason}")
            for ln in lines]


def events_read(loaded: LoadedContract) -> frozenset[str] | None:
    """The types of event a customer's lines can depend on under this contract: those
    every context reads and those its components' kinds read (``CustomerKind.reads``);
    None when a kind may read any type. An event of another type changes no line."""
    return read_by_any([FRAMING_EVENTS, *(kind.events_read(comp)
                                          for comp, kind in _Plan.of(loaded).customer_kinds)])


def read_by_any(reads: Iterable[frozenset[str] | None]) -> frozenset[str] | None:
    """The types of event any of ``reads`` reads (None when one may read any type)."""
    found: set[str] = set()
    for types in reads:
        if types is None:
            return None
        found |= types
    return frozenset(found)


def _component_caps(caps: dict[str, Decimal | None], lines: list[Line]) -> list[Line]:
    """Each component's own cap (``caps``: by component, as priced for the customer), per
    customer, in accrual order (applying it twice to the same lines changes nothing)."""
    if not caps:
        return lines
    return apply_cap(lines, lambda ln: caps.get(ln.component), lambda ln: ln.component,
                     lambda ln: f"cap of component {ln.component}")


def _ceiling(loaded: LoadedContract, customers: list[CustomerResult],
             contract_lines: list[Line]) -> tuple[list[CustomerResult], list[Line]]:
    """The contract ceiling, cut in accrual order across every customer: one sort and one
    pass over all lines (linear after the sort); none when the lines ask no more than the
    ceiling (``caps.asked``), the usual case."""
    ceiling = loaded.contract.caps.contract_total
    if ceiling is None or not ceiling_cuts(loaded, customers, contract_lines):
        return customers, contract_lines
    flat = [*contract_lines, *(ln for c in customers for ln in c.lines)]
    capped = apply_limit(flat, ceiling, "contract", lambda ln: "contract ceiling")
    start = len(contract_lines)
    out_customers = []
    for c in customers:
        end = start + len(c.lines)
        out_customers.append(c.with_lines(capped[start:end]))
        start = end
    return out_customers, capped[:len(contract_lines)]


def ceiling_cuts(loaded: LoadedContract, customers: Iterable[CustomerResult],
                 contract_lines: Iterable[Line]) -> bool:
    """Whether the contract ceiling cuts any of these lines: only when together they ask
    more than it (``caps.asked``)."""
    ceiling = loaded.contract.caps.contract_total
    if ceiling is None:
        return False
    return asked(chain(contract_lines, chain.from_iterable(c.lines for c in customers))
                 ) > ceiling


def evaluate_contract_lines(loaded: LoadedContract, as_of: date
                            ) -> tuple[list[Line], dict[str, Trace]]:
    lines: list[Line] = []
    traces: dict[str, Trace] = {}
    for comp in loaded.contract.components:
        kind = KINDS.of(comp)
        if isinstance(kind, ContractKind):
            outcome = kind.evaluate(comp, loaded, as_of)
            lines.extend(outcome.lines)
            traces[comp.id] = outcome.trace
    return lines, traces


def last_day_to_earn(result: CustomerResult, line: Line) -> date | None:
    """The last day a pending line of ``result`` can still become payable: its own date, or
    for one reached already and waiting for a confirmation, its component's deadline
    (``CustomerKind.last_day_to_earn``)."""
    comp = next((c for c in result.context.loaded.contract.components
                 if c.id == line.component), None)
    kind = KINDS.of(comp) if comp is not None else None
    if comp is None or not isinstance(kind, CustomerKind):
        return line.date
    return kind.last_day_to_earn(comp, result.context, line)


def customer_problems(result: CustomerResult) -> list[Problem]:
    """A customer's problems: cannot be evaluated (V001), facts passed over (V002),
    identities clashing (V003)."""
    return _customer_problems(result)


def _customer_problems(result: CustomerResult) -> list[Problem]:
    out = _unevaluable(result.context)
    out.extend(Problem("V002", why, event.source) for event, why in result.context.ignored)
    out.extend(_outside_the_contract(result.context))
    out.extend(_duplicate_identities(result))
    return out


def _outside_the_contract(ctx: CustomerContext) -> list[Problem]:
    """V009: a customer the contract does not cover, whose rows are still evaluated as they
    stand (the lines say what each fee's own window allows): one who entered (was referred;
    where the contract needs no referral, began the service) after the last referral day
    (``referrals_until``, else ``valid_until``), or whose service start row is dated before
    the contract (``valid_from``). A referral before ``valid_from`` alone is not: customers
    are referred ahead of a contract's start, to begin when it does."""
    c = ctx.loaded.contract
    late = _late(ctx)
    if late is not None:
        day, last, named = late
        row = ctx.timeline.referral or ctx.timeline.service_starts[0]
        what = "referral" if ctx.timeline.referral is not None else "service start"
        paid = ("their rows are evaluated as they stand" if c.windows.late_referrals == "paid"
                else "nothing is paid for them (late_referrals: not_paid)")
        return [Problem("V009", f"customer entered on {day} ({what} "
                        f"{row.event_id[:40]}), after the contract's last referral day "
                        f"{last} ({named}): the contract does not cover them; {paid}",
                        row.source)]
    # a service start row (with ``starts_at: referral`` too, where the service is taken to
    # begin on the referral day: a referral before valid_from alone is no warning)
    began = ctx.timeline.service_starts[0] if ctx.timeline.service_starts else None
    first = c.metadata.valid_from
    if began is not None and began.date < first:
        return [Problem("V009", f"customer's service began on {began.date} "
                        f"({began.event_id[:40]}), before the contract's valid_from {first}: "
                        "the contract does not cover them; their rows are evaluated as they "
                        "stand", began.source)]
    return []


def _unevaluable(ctx: CustomerContext) -> list[Problem]:
    """V001: why the customer cannot be evaluated, at the row of their first event."""
    first = ctx.timeline.events[0]
    return [Problem("V001", f"customer cannot be evaluated: {message}",
                    Source(first.file, row=first.row)) for message in ctx.problems]


def customers_findings(loaded: LoadedContract, events: Sequence[EventBase]) -> list[Problem]:
    """What ``validate`` says of event files' customers, as their rows stand at the data's
    end: ``V001`` of each customer no evaluation could evaluate (no referral in a contract
    with segments, no provider named in one with several) and ``V002`` of each row an
    evaluation passes over (a second referral, an end before the start), in file and row
    order. An evaluation as of an earlier date says them of the rows known by then."""
    seen = _employer_rows(loaded)
    found: list[Problem] = []
    for cid, rows in group_by_customer(events).items():
        if seen is not None:
            seen.see(rows)
        found.extend(customer_findings(loaded, cid, rows))
    return sorted_problems([*found, *_employers(loaded, seen)])


def _employer_rows(loaded: LoadedContract) -> EmployerRows | None:
    """Where the contract tells employers apart, the count of its employment rows, added
    to customer by customer (``V008``, ``evaluate.employers``); None: nothing to count."""
    return EmployerRows() if telling_employers_apart(loaded) else None


def _employers(loaded: LoadedContract, seen: EmployerRows | None) -> list[Problem]:
    return [] if seen is None else employer_problems(loaded, seen)


def customer_findings(loaded: LoadedContract, customer_id: str, rows: Iterable[EventBase]
                      ) -> list[Problem]:
    """``V001`` and ``V002`` of one customer, from all their rows: the segment, the
    provider and the rows passed over are read from rows whatever their date, so the
    timeline as of the data's end (the latest day a row is known on) is the one of every
    row (a shard of customers need not know that day)."""
    tl = timeline(customer_id, rows, MAX_DATE)
    if not tl.events:
        return []
    ctx = build_context(loaded, tl)
    return [*_unevaluable(ctx), *(Problem("V002", why, event.source)
                                  for event, why in ctx.ignored), *_outside_the_contract(ctx)]


def _duplicate_identities(result: CustomerResult) -> list[Problem]:
    """Two lines of one customer with one identity (component, occurrence) could be billed
    only once: refused as a located problem on the rows behind them, never billed around."""
    identities = [(ln.component, ln.occurrence) for ln in result.lines]
    if len(set(identities)) == len(identities):
        return []  # the usual case: every line its own identity
    counts = Counter(identities)
    out = []
    by_id = {e.event_id: e for e in result.context.timeline.events}
    for (component, occurrence), n in sorted(counts.items()):
        if n < 2:
            continue
        rows = sorted({ev for ln in result.lines if (ln.component, ln.occurrence)
                       == (component, occurrence) for ev in ln.evidence if ev in by_id})
        first = by_id[rows[0]] if rows else result.context.timeline.events[0]
        out.append(Problem("V003", f"{n} lines of component {component} share the occurrence "
                           f"'{occurrence[:40]}', so only one could be billed; the rows behind "
                           f"them: {', '.join(str(by_id[r].source) for r in rows[:5])}",
                           first.source))
    return out


def evaluate(loaded: LoadedContract, events: Iterable[EventBase], as_of: date,
             customers: Iterable[str] | None = None) -> Evaluation:
    """Evaluate every customer (or only ``customers``) as of ``as_of``."""
    wanted = set(customers) if customers is not None else None
    seen = _employer_rows(loaded)  # every customer's rows, whoever is evaluated (V008)
    # the contract ceiling is cut in accrual order across everyone: with a ceiling, one
    # customer's view must come from the evaluation of all, or it would show more than is paid
    evaluate_all = wanted is None or loaded.contract.caps.contract_total is not None
    results: list[CustomerResult] = []
    for customer_id, rows in group_by_customer(events).items():
        if seen is not None:
            seen.see(rows)
        if not evaluate_all and wanted is not None and customer_id not in wanted:
            continue
        tl = timeline(customer_id, rows, as_of)
        if tl.events:  # else nothing is known about this customer yet
            results.append(evaluate_customer(loaded, tl))
    contract_lines, traces = (evaluate_contract_lines(loaded, as_of) if evaluate_all
                              else ([], {}))
    results, contract_lines = _ceiling(loaded, results, contract_lines)
    if wanted is not None:
        results = [r for r in results if r.customer_id in wanted]
        contract_lines = []
    problems = [*(p for r in results for p in _customer_problems(r)),
                *_employers(loaded, seen)]
    return Evaluation(loaded, as_of, results, contract_lines, problems, traces)


def apply_ceiling(loaded: LoadedContract, customers: list[CustomerResult],
                  contract_lines: list[Line]) -> tuple[list[CustomerResult], list[Line]]:
    """The contract ceiling cut across ``customers`` and the contract's own lines, exactly as
    ``evaluate`` cuts it (for Monte Carlo runs, which build their customers themselves)."""
    return _ceiling(loaded, customers, contract_lines)
