"""``forecast``: what customers in progress are expected to be paid from the as-of date on.

Each customer known by the as-of date is evaluated as of it (what is payable already, what
is pending and by which deadline; ``Ready``, made once for the runs of this process, once a
chunk of runs in another). Each run then draws the rest of every timeline
(``conditional.py``, a block of customers at a time), evaluates it with the engine as of
the horizon (a customer with nothing drawn is paid the same every run: evaluated once), and
counts as *ahead* every payable amount the customer was not payable as of the as-of date
(line by line, by the line's identity: a correction of an earlier line counts its
difference). An amount ahead falls in the month of its line's date, or in the month after
the as-of date when that date has passed already (a fee confirmed late is billed from the
next period). A customer's referral stands here for the day they entered: where the contract
needs no referral (no segments, as a voucher programme), their service start when they have
no referral row. Customers whose referral is known only after the as-of date are not
forecast (nor those with none, or with a problem of their own: ``in_progress`` counts
them), and the contract ceiling is not cut here: its room left is reported instead.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ..cohort import Cohort, Profile
from ..contract.load import LoadedContract
from ..engine import (
    CustomerResult,
    Evaluation,
    customer_problems,
    evaluate_customer,
    last_day_to_earn,
)
from ..errors import Problem
from ..evaluate.context import build_context
from ..evaluate.lines import Line
from ..events.model import EventBase
from ..events.timeline import group_by_customer, timeline
from ..processes import usable_jobs
from ..synth import Row
from ..values import counted, money_text
from .conditional import State, continuations
from .runs import BLOCK, Draft, draft_of, stream, to_events
from .stats import Estimate, cents, every_month, share
from .wages import jobs_read_from_wages, with_jobs_from_wages

ZERO = Decimal(0)
Key = tuple[str, str]  # component, occurrence
Found = tuple[str, str, Decimal]  # component, month, amount ahead


@dataclass(frozen=True)
class Customer:
    """A real customer as of the as-of date: the rows known then and the evaluation."""

    customer_id: str
    rows: tuple[EventBase, ...]

    def now(self, draft: Draft, as_of: date) -> CustomerResult:
        return evaluate_customer(draft.loaded, timeline(self.customer_id, self.rows, as_of))


# why a customer with rows is not forecast: the key in ``Forecast.not_forecast`` and its
# words, in the order they are told
REFERRED_LATER, NO_REFERRAL, OWN_PROBLEMS = "referred_later", "no_referral", "problems"
NOT_FORECAST = {REFERRED_LATER: "with a referral (or a start, where none is needed) recorded "
                                "only after the as-of date",
                NO_REFERRAL: "with no referral in the events (none, or one retracted; nor a "
                             "start, where none is needed)",
                OWN_PROBLEMS: "with a problem of their own (evaluate names it)"}


def in_progress(events: Sequence[EventBase], as_of: date, draft: Draft,
                provider: str | None, left_out: dict[str, int] | None = None,
                said: list[Problem] | None = None, every: list[Customer] | None = None
                ) -> list[Customer]:
    """Customers with a referral known by ``as_of`` (of ``provider`` only, if given).
    ``left_out`` counts the customers with rows who are not forecast, by why
    (``NOT_FORECAST``; those of another provider, as far as their rows tell, are not
    counted); ``said`` gathers what the evaluation as of ``as_of`` says of the customers
    forecast and of those left out for a problem of their own (``customer_problems``);
    ``every`` gathers the customers in progress of any provider, in the same order (a
    member's customers are drawn among them, so each draws what it draws unselected)."""
    out = []
    from_wages = jobs_read_from_wages(draft.loaded)
    for cid, rows in group_by_customer(events).items():
        known = tuple(r for r in rows if r.known_on <= as_of)
        if from_wages and known:  # wages alone record the work: its jobs read from them
            known = with_jobs_from_wages(cid, known, as_of)
        customer = Customer(cid, known)
        result = customer.now(draft, as_of) if known else None
        if result is None or result.context.entered is None \
                or result.context.problems:
            counted = _left_out(cid, rows, result, draft, provider, left_out)
            if counted and result is not None and said is not None:
                said.extend(customer_problems(result))
            continue
        if every is not None:
            every.append(customer)
        if provider is None or result.provider == provider:
            out.append(customer)
            if said is not None:
                said.extend(customer_problems(result))
    return out


def _left_out(cid: str, rows: Sequence[EventBase], now: CustomerResult | None, draft: Draft,
              provider: str | None, counts: dict[str, int] | None) -> bool:
    """Count a customer who is not forecast under why: a problem as of the as-of date, or
    no referral known by then (one recorded later, or none at all). Their provider is the
    one every row of theirs names, as the evaluation decides it. Whether one with a problem
    of their own was counted (of the provider asked for)."""
    last = build_context(draft.loaded, timeline(cid, rows, max(r.known_on for r in rows)))
    own = now is not None and now.context.entered is not None
    why = OWN_PROBLEMS if own else REFERRED_LATER if last.entered is not None else NO_REFERRAL
    theirs = last.provider
    if provider is not None and theirs != provider:
        return False
    if counts is not None:
        counts[why] = counts.get(why, 0) + 1
    return own


@dataclass
class Ahead:
    """One run: the amounts ahead per customer, component, month and provider."""

    per_customer: list[Decimal] = field(default_factory=list)
    by_component: list[dict[str, Decimal]] = field(default_factory=list)
    by_month: dict[str, Decimal] = field(default_factory=dict)
    by_provider: dict[str, Decimal] = field(default_factory=dict)


def _payable(lines: Sequence[Line]) -> dict[Key, Line]:
    return {(ln.component, ln.occurrence): ln for ln in lines if ln.status == "payable"}


def _ahead_of(before: dict[Key, Line], after: Sequence[Line], as_of: date
              ) -> Iterator[tuple[str, str, Decimal]]:
    """(component, month, amount) of every payable difference."""
    first = (as_of + timedelta(days=1)).isoformat()[:7]
    now = _payable(after)
    for key, line in now.items():
        prior = before.get(key)
        delta = line.amount - (prior.amount if prior else ZERO)
        if delta:
            month = line.date.isoformat()[:7] if line.date and line.date > as_of else first
            yield line.component, month, delta
    for key, line in before.items():
        if key not in now:
            yield line.component, first, -line.amount


@dataclass(frozen=True)
class Job:
    source: tuple[str, bytes]
    cohort: Cohort
    customers: tuple[Customer, ...]
    as_of: date
    horizon: date
    seed: int
    first: int
    last: int
    # the customers whose payments are forecast (None: all); the others are drawn only, so
    # that the draws of a customer are the same whoever else is selected
    kept: frozenset[int] | None = None

    def keeps(self, i: int) -> bool:
        return self.kept is None or i in self.kept


@dataclass(frozen=True)
class Ready:
    """What every run of a job starts from: each customer as of the as-of date."""

    draft: Draft
    now: list[CustomerResult]
    states: list[State]
    before: list[dict[Key, Line]]
    profiles: list[Profile]
    alone: dict[int, list[Found]]  # filled as the runs go (``_found``)

    @staticmethod
    def of(job: Job) -> Ready:
        draft = draft_of(job.source, job.cohort, job.horizon)
        now = [c.now(draft, job.as_of) for c in job.customers]
        # the plan's profile, made once per segment: its distributions keep their samplers
        by_segment: dict[str, Profile] = {}
        for r in now:
            segment = r.segment or "default"
            if segment not in by_segment:
                by_segment[segment] = draft.plan.profiles.get(segment) or \
                    job.cohort.profile(segment)
        return Ready(draft, now, [State.of(r) for r in now], [_payable(r.lines) for r in now],
                     [by_segment[r.segment or "default"] for r in now], {})


def run_job(job: Job, ready: Ready | None = None) -> list[Ahead]:
    """Runs ``job.first`` to ``job.last`` (``ready``: the job's customers as of the as-of
    date, when worked out already in this process)."""
    ready = ready or Ready.of(job)
    return [_run(job, ready, r) for r in range(job.first, job.last)]


def _found(job: Job, draft: Draft, i: int, rows: Sequence[Row], before: dict[Key, Line],
           alone: dict[int, list[Found]]) -> list[Found]:
    """What customer ``i`` is paid ahead with ``rows`` drawn after the as-of date (made
    into events only of the types the contract reads, ``Draft.reads``). With none of those
    drawn, its real rows alone: the same every run, so evaluated once (``alone``)."""
    drawn = to_events(rows, reads=draft.reads)
    if not drawn and i in alone:
        return alone[i]
    customer = job.customers[i]
    result = evaluate_customer(draft.loaded, timeline(customer.customer_id,
                                                      (*customer.rows, *drawn), job.horizon))
    found = list(_ahead_of(before, result.lines, job.as_of))
    if not drawn:
        alone[i] = found
    return found


def _run(job: Job, ready: Ready, run: int) -> Ahead:
    out = Ahead()
    n = len(job.customers)
    for block in range((n + BLOCK - 1) // BLOCK):
        lo, hi = block * BLOCK, min(n, (block + 1) * BLOCK)
        drawn = continuations(ready.draft.plan, ready.profiles[lo:hi], ready.states[lo:hi],
                              stream(job.seed, run, block))
        for i, rows in zip(range(lo, hi), drawn, strict=True):
            if not job.keeps(i):
                continue  # drawn with the block, as unselected; not forecast
            total, comps = ZERO, dict[str, Decimal]()
            for comp, month, amount in _found(job, ready.draft, i, rows, ready.before[i],
                                              ready.alone):
                total += amount
                comps[comp] = comps.get(comp, ZERO) + amount
                out.by_month[month] = out.by_month.get(month, ZERO) + amount
            who = ready.now[i].provider or "-"
            out.by_provider[who] = out.by_provider.get(who, ZERO) + total
            out.per_customer.append(total)
            out.by_component.append(comps)
    return out


def run_all(job: Job, runs: int, jobs: int, progress: Callable[[int, int], None] | None,
            ready: Ready | None = None) -> list[Ahead]:
    """Every run, in run order (the same for any ``jobs``); ``ready``: ``Ready.of(job)``,
    if made already (runs in this process start from it)."""
    step = max(1, min(25, -(-runs // (max(jobs, 1) * 4))))
    work = [Job(job.source, job.cohort, job.customers, job.as_of, job.horizon, job.seed, a,
                min(a + step, runs), job.kept) for a in range(0, runs, step)]
    out: list[Ahead] = []
    if usable_jobs(jobs) <= 1 or len(work) <= 1:
        ready = ready or Ready.of(job)
        for part in (run_job(w, ready) for w in work):
            out.extend(part)
            if progress:
                progress(len(out), runs)
        return out
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for part in pool.map(run_job, work, chunksize=1):
            out.extend(part)
            if progress:
                progress(len(out), runs)
    return out


@dataclass(frozen=True)
class PendingFee:
    component: str
    deadline: date | None  # the last day it can still become payable
    amount: Decimal  # what it pays if earned
    reason: str
    line_date: date | None = None  # the line's own date (reached on, or falls due)
    # a fee per event not yet counted (quantity 0: "needs a contact by ..."): the price of
    # each, as its amount is none until the events come
    each: Decimal | None = None
    occurrence: str = ""  # which of the component's fees (``step:6 weeks``, ``m03``)
    # the components of the contract's alternative this fee is one of, where another of them
    # is pending too: only the one earned first is paid
    only_one_of: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"component": self.component,
                "deadline": self.deadline.isoformat() if self.deadline else None,
                "date": self.line_date.isoformat() if self.line_date else None,
                "amount": money_text(self.amount),
                "each": None if self.each is None else money_text(self.each),
                "occurrence": self.occurrence, "reason": self.reason,
                "only_one_of": list(self.only_one_of) or None}

    def told(self) -> str:
        """What it pays, in words: its amount, or the price of each event it counts."""
        return money_text(self.amount) if self.each is None else \
            f"{money_text(self.each)} each"


def _only_one(pending: list[PendingFee], alternatives: Sequence[Sequence[str]]
              ) -> list[PendingFee]:
    """The pending fees, each of an alternative another of which is pending too marked with
    the alternative's components."""
    waiting = {p.component for p in pending}
    out = []
    for p in pending:
        group = next((tuple(a) for a in alternatives if p.component in a), ())
        if len(waiting.intersection(group)) > 1:
            p = replace(p, only_one_of=group)
        out.append(p)
    return out


@dataclass(frozen=True)
class CustomerForecast:
    customer_id: str
    segment: str | None
    provider: str | None
    earned: Decimal  # payable as of the as-of date
    ahead: Estimate
    chance: Decimal  # share of runs with any payment ahead
    by_component: dict[str, tuple[Decimal, Decimal]]  # expected, share of runs paid
    pending: list[PendingFee]
    moves: bool = True  # some run pays (or takes back) something ahead

    def pending_named(self) -> list[tuple[str, PendingFee]]:
        """The pending fees, each named by its component, and by which of the component's
        fees it is where the component has several pending (two instalments of one fee)."""
        count = Counter(p.component for p in self.pending)
        return [(p.component if count[p.component] == 1 or not p.occurrence
                 else f"{p.component} {p.occurrence}", p) for p in self.pending]

    def pending_told(self, each: Callable[[str, PendingFee], str], only_one: str,
                     either: str = "or", both: str = "and") -> str:
        """The pending fees in words (``each``), one after another; the fees of a contract's
        alternatives (only one component of which is paid) told as one component's fees
        (joined by ``both``) or another's (``either``), followed by ``only_one``."""
        groups: dict[object, dict[str, list[str]]] = {}
        for n, (name, fee) in enumerate(self.pending_named()):
            group = groups.setdefault(fee.only_one_of or n, {})
            group.setdefault(fee.component, []).append(each(name, fee))
        told = []
        for group in groups.values():
            parts = [f" {both} ".join(texts) for texts in group.values()]
            told.append(parts[0] if len(parts) == 1
                        else f"{f' {either} '.join(parts)}, {only_one}")
        return "; ".join(told)

    def to_dict(self) -> dict[str, Any]:
        return {"customer_id": self.customer_id, "segment": self.segment,
                "provider": self.provider, "earned": money_text(self.earned),
                "ahead": self.ahead.to_dict(), "chance_of_payment_ahead": str(self.chance),
                "by_component": {k: {"expected": money_text(e), "chance": str(p)}
                                 for k, (e, p) in self.by_component.items()},
                "pending": [p.to_dict() for p in self.pending]}


def customer_forecast(result: CustomerResult, i: int, runs: Sequence[Ahead],
                      alternatives: Sequence[Sequence[str]] = ()) -> CustomerForecast:
    values = [r.per_customer[i] for r in runs]
    comps = sorted({c for r in runs for c in r.by_component[i]})
    n = Decimal(len(runs))
    by_component = {c: (Estimate.of([r.by_component[i].get(c, ZERO) for r in runs]).mean,
                        share(Decimal(sum(1 for r in runs if r.by_component[i].get(c, ZERO)
                                          > 0)), n)) for c in comps}
    pending = [PendingFee(ln.component, last_day_to_earn(result, ln), ln.amount, ln.reason,
                          ln.date, ln.unit_price if not ln.quantity and ln.unit_price else None,
                          ln.occurrence)
               for ln in result.lines if ln.status == "pending"]
    pending = _only_one(pending, alternatives)
    return CustomerForecast(
        result.customer_id, result.segment, result.provider,
        cents(sum((ln.amount for ln in result.lines if ln.status == "payable"), ZERO)),
        Estimate.of(values), share(Decimal(sum(1 for v in values if v > 0)), n),
        by_component, pending, any(values))


@dataclass(frozen=True)
class Forecast:
    """What ``forecast`` reports."""

    as_of: date
    horizon: date
    runs: int
    seed: int
    provider: str | None
    customers: list[CustomerForecast]
    total: Estimate  # every customer's payments ahead
    earned: Decimal  # payable as of the as-of date, these customers
    by_month: list[tuple[str, Estimate]]
    by_provider: dict[str, Estimate]
    ceiling_room: Decimal | None  # the contract ceiling less what the whole contract pays
    currency: str = "EUR"  # the contract's: every amount above is in it
    # customers with rows who are not forecast, by why (``NOT_FORECAST``)
    not_forecast: dict[str, int] = field(default_factory=dict)
    cohort: str = ""  # the id of the cohort the rest of each story is drawn from
    referrals_open: bool = True  # customers may still be referred after the as-of date

    @property
    def done(self) -> int:
        """The customers with no fee pending and nothing ahead in any run (nothing paid,
        nothing taken back): in progress by the data, with nothing left to earn as far as
        the runs show."""
        return sum(1 for c in self.customers if not c.pending and not c.moves)

    def not_forecast_told(self) -> list[str]:
        """The customers not forecast in words, one entry a reason with any."""
        return [f"{counted(n, 'customer')} {words}" for key, words in NOT_FORECAST.items()
                if (n := self.not_forecast.get(key, 0))]

    def to_dict(self) -> dict[str, Any]:
        return {"as_of": self.as_of.isoformat(), "horizon": self.horizon.isoformat(),
                "cohort": self.cohort, "runs": self.runs, "seed": self.seed,
                "provider": self.provider,
                "earned": money_text(self.earned), "ahead": self.total.to_dict(),
                "customers_with_nothing_ahead": self.done,
                "by_month": [{"month": m, **e.to_dict()} for m, e in self.by_month],
                "by_provider": {k: v.to_dict() for k, v in self.by_provider.items()},
                "ceiling_room": None if self.ceiling_room is None
                else money_text(self.ceiling_room),
                "not_forecast": {why: self.not_forecast.get(why, 0) for why in NOT_FORECAST},
                "customers": [c.to_dict() for c in self.customers]}


def forecast(job: Job, runs: int, jobs: int = 1, provider: str | None = None,
             progress: Callable[[int, int], None] | None = None,
             cut: Evaluation | None = None) -> Forecast:
    """Run ``job`` (its customers, as of its date) ``runs`` times and summarise.

    ``cut`` is the whole contract's evaluation as of the as-of date (every customer,
    whatever ``provider`` selects, and the contract's own lines), its ceiling cut: the
    ceiling's room is what it leaves, and what a customer has earned and has pending is
    what it shows, as ``evaluate`` shows them. Without it, the room is what the job's
    customers leave."""
    ready = Ready.of(job)
    draft, now = ready.draft, ready.now
    anyone = bool(job.customers) and (job.kept is None or bool(job.kept))
    results = run_all(job, runs, jobs, progress, ready) if anyone else []
    shown = {} if cut is None else {c.customer_id: c for c in cut.customers}
    kept = [r for i, r in enumerate(now) if job.keeps(i)]  # ``Ahead.per_customer``'s order
    alternatives = [a.components for a in draft.loaded.contract.alternatives]
    people = [customer_forecast(shown.get(r.customer_id, r), i, results, alternatives)
              for i, r in enumerate(kept)]
    earned = sum((c.earned for c in people), ZERO)
    paid = None if cut is None else cut.totals.payable
    months = every_month(sorted({m for r in results for m in r.by_month}))
    providers = sorted({p for r in results for p in r.by_provider})
    ceiling = draft.ceiling
    return Forecast(
        job.as_of, job.horizon, runs, job.seed, provider, people,
        # nobody to forecast: nothing is run, and each of the runs asked for adds up to 0
        Estimate.of([sum(r.per_customer, ZERO) for r in results] if anyone else [ZERO] * runs),
        earned,
        [(m, Estimate.of([r.by_month.get(m, ZERO) for r in results])) for m in months],
        {p: Estimate.of([r.by_provider.get(p, ZERO) for r in results]) for p in providers},
        None if ceiling is None else ceiling - (earned if paid is None else paid),
        draft.loaded.contract.metadata.currency,
        referrals_open=job.as_of < _last_referral_day(draft.loaded))


def _last_referral_day(loaded: LoadedContract) -> date:
    c = loaded.contract
    return c.windows.referrals_until or c.metadata.valid_until
