"""Continuations: the rest of a real customer's timeline, drawn from a cohort given what
happened by the as-of date.

The real rows known by the as-of date are kept as they are. After it, per run, a block of
customers at a time (``continuations``, the run's blocks of ``runs.BLOCK`` from the block's
own stream): first each customer's conditional draws, below, from a row of ``DRAWS``
uniform draws of its own (``synth.Draws``: past them, a stream seeded from them); then the
rest of the block's stream draws every customer's service rows and chains of new jobs at
once, with the generator's own ``synth.in_service`` and ``synth.job_chains``; then benefit
months, from each customer's own draws again. So a run's continuations are the same
whatever process draws them.

- **service** (``starts_at: referral``: started where a service start row is known, as the
  generator writes one on the referral date for those it starts; else never): not started
  yet — it starts with the cohort's chance and delay, drawn given
  that it had not started by the as-of date and given the jobs known then (the generator
  anchors jobs at the service start, at the referral when it never starts: a job known
  with no service started means it never starts; with none known, a never-started
  service's first job must not have shown either: ``_service_start``); started and not
  ended — it ends early with the
  cohort's chance, given that it had not ended by then; its end is recorded as the
  generator records it (an early end; where the contract counts service ends by reason,
  every end, with one of those reasons drawn alike); its contacts, hours, expenses and
  last survey after the as-of date are drawn as the generator draws them;
- **a job under way** (one recorded by then to begin after it, too) continues: its length
  (or no end: ``ongoing``) is drawn given that no end was recorded by the as-of date
  (rejection: up to ``TRIES`` draws of the triple (ongoing, length, delay of the end's
  record), accepting ongoing or an end recorded after
  the as-of; none accepted: it goes on), so it may have ended before the as-of with its end
  told after it; where the contract counts earnings, an end its wages paid by then show (a
  month after its first paid for fewer days than it has, or paid whole with the next
  month's wage due and unpaid: ``shown_end``) is its end, not drawn; a month after its
  first paid whole shows it ran to that month's last day (``worked_through``), and the end
  is drawn on or after it. The end is recorded
  after the as-of date, as a correction of the same event id, and where the contract
  counts earnings its wages are paid on for the months after the as-of as the generator
  pays them; a self-report unconfirmed then is confirmed given that
  it was not by the as-of (the pair (confirmed, delay from its first record) drawn until not
  confirmed or later);
- **no job yet**: the first job comes with the cohort's chance given none recorded by now
  (the triple (reaches a job, days to it, days to its first record) drawn until no job or
  one recorded after the as-of; one begun by then keeps its begin, recorded as drawn; where
  the contract counts earnings, a wage paid by then with no job known is such a job's first
  month, ``_first_paid``, and its begin, length and wage are drawn given that), then further
  jobs as the generator draws them (``more`` of them, each a drawn gap after the last one's
  end; an ongoing one ends the chain), with the generator's rows of a job (evidence, a later
  confirmation, the end recorded later, a void, monthly earnings where the contract counts
  them);
- **every job ended**, or drawn to end (a job under way that ends lets the chain go on):
  ``more`` counts the jobs after the first, so a customer who has had
  k jobs (voided ones too: the generator voids a job of its chain, and pays one voided
  going on its wages as before, ``paid_as_generated``) has another only if
  ``more`` >= k: the triple (more, gap, days to its first record)
  drawn until ``more`` is k - 1 (none), or larger with the next job recorded after the
  as-of; that job begins a gap after the last end (perhaps by the as-of, recorded after it)
  and ``more`` - k follow it;
- **a void** of a job known by the as-of date, as the generator voids one (``_voids``): with
  the cohort's chance, ``VOID_DAYS`` after its last record, given none seen by then;
- **benefit** months after the as-of date (contracts that read benefits), by the generator's
  rule (docs/cohort.md, ``benefits``): the cohort's days in a month not mostly worked; in a
  month mostly worked, half of them (at least 1) with the chance ``while_working``, else 0.
  Where the contract reads ``cumulative_days``, each row's counts on from what had been paid
  by the as-of date (``State.benefit_days``).

- **education**: none known by the as-of date — one comes with the cohort's chance given
  none began by then (``_education``).

Drawn rows carry event ids ending ``~f``, never one of the customer's real ids (``drawn_id``).
"""

from __future__ import annotations

import csv
import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import numpy as np

from ..blocks import Array, Block, as_days, texts
from ..cohort import Profile, bounds
from ..engine import CustomerResult
from ..events.model import MAX_BENEFIT_DAYS, Earnings, Employment, EventBase
from ..synth import (
    EARNED_MONTHS,
    FIRST_RECORD_DAYS,
    VOID_DAYS,
    Draws,
    FirstJob,
    Plan,
    Row,
    drawn_name,
    employer_of,
    in_service,
    job_chains,
    monthly_wages,
    row_of,
)
from ..tabular import MAX_ID_CHARS
from ..values import add_months

TRIES = 64
# a chain of new jobs: the first one's begin (None: no new job), how many follow it (None:
# drawn with the chain, as the generator draws a first job's) and the days from its begin to
# its first record
_NewJob = tuple[date | None, int | None, int]
DRAWS = 48  # a customer's conditional draws (past them its own stream goes on: ``Draws``)
ONE_DAY = timedelta(days=1)
# a first job read from its first wage (``_first_paid``): draws of the generator's first job
# taken at once, and how far (euros) the month's wage they give may be from the one paid
PAID_DRAWS = 4096
PAID_ROUNDS = 16
PAID_TOLERANCE = 5.0
# a service start drawn given what the as-of date shows (``_service_start``): draws of the
# generator's service start and first job taken at once, and how many rounds at most
START_DRAWS = 1024
START_ROUNDS = 16


@dataclass(frozen=True)
class _Paid:
    """A new first job's draws that its first wage, paid by the as-of date, decided
    (``synth.FirstJob``): whether it goes on, its length, its month's wage and its kind."""

    ongoing: bool
    length: int
    wage: float
    kind: str


@dataclass(frozen=True)
class State:
    """What the evaluation as of the as-of date says about one real customer."""

    customer_id: str
    as_of: date
    # the referral's date; with none, where the contract needs none, the service start's
    # (``CustomerContext.entered``): the day the customer's story starts
    referral: date | None
    provider: str | None
    service_start: date | None
    service_ended: bool
    employments: tuple[Employment, ...]
    # benefit days paid in all by the as-of date: the latest benefit row's cumulative_days,
    # else the referral's benefit_days (None: neither is known)
    benefit_days: int | None = None
    educated: bool = False  # an education known by the as-of date (the generator draws one)
    # jobs voided by the as-of date: still jobs of the generator's chain (``_jobs``)
    voided: tuple[Employment, ...] = ()
    # every event id of the customer's rows known by the as-of date: no drawn row takes one
    ids: frozenset[str] = frozenset()
    # the last day of each of ``employments`` that its wages paid by the as-of date show
    # (``shown_end``; None: not shown, or no wage rows read; date.max: paid as a job going
    # on to the last month the generator pays one)
    wage_ends: tuple[date | None, ...] = ()
    # the last day each of ``employments`` worked as its wages paid by the as-of date show
    # (``worked_through``; None: none shows it)
    wage_through: tuple[date | None, ...] = ()
    # whether each of ``voided`` was paid its wages as the generator pays a job going on
    # (``paid_as_generated``): the generator pays a voided job on, as any other
    voided_paid: tuple[bool, ...] = ()
    # a wage paid by the as-of date to a job not recorded by then: (pay day, kind, amount)
    # (``unseen_wage``; None: none)
    unseen_wage: tuple[date, str, Decimal] | None = None
    # the employer of the earlier job that ended last (``is_earlier_work``; None: none named)
    earlier_employer: str | None = None

    @staticmethod
    def of(result: CustomerResult) -> State:
        ctx = result.context
        tl = ctx.timeline
        # earlier work is the story before the referral, not the generator's chain of jobs,
        # which begins at the service start (``is_earlier_work``); its wages are no unseen job
        began = ctx.service.start if ctx.service else None
        voided = tuple(earlier_apart(tl.voided, ctx.entered, began)[1])
        earlier, held = earlier_apart(tl.employments, ctx.entered, began)
        last = last_earlier(earlier)
        later_pay = _after_earlier_pay(tl.earnings, ctx.entered, last)
        ref = tl.referral
        counted = [(b.date, b.cumulative_days) for b in tl.benefits
                   if b.cumulative_days is not None]
        paid = max(counted)[1] if counted else ref.benefit_days if ref else None
        start = ctx.service.start if ctx.service else None
        if not tl.service_starts and ctx.loaded.contract.windows.service.starts_at == "referral":
            # the service starts at the referral, and the generator writes its start row on
            # that day for those it starts: none known by the as-of, it never started
            start = None
        jobs = tuple(held)
        return State(result.customer_id, tl.as_of, ctx.entered, result.provider,
                     start, ctx.service_ended, jobs, paid, bool(tl.educations),
                     voided,
                     frozenset(e.event_id for e in (*tl.events, *tl.superseded, *tl.voided)),
                     tuple(shown_end(j, tl.earnings, tl.as_of, jobs) for j in jobs),
                     tuple(worked_through(j, tl.earnings) for j in jobs),
                     tuple(paid_as_generated(j, tl.earnings) for j in voided),
                     unseen_wage(jobs, voided, later_pay, tl.as_of),
                     None if last is None else last.employer)


def earlier_apart(events: Sequence[EventBase], entered: date | None,
                  service_start: date | None) -> tuple[list[Employment], list[Employment]]:
    """The jobs among ``events``: (earlier work, ``is_earlier_work``; the others)."""
    earlier: list[Employment] = []
    others: list[Employment] = []
    for e in events:
        if isinstance(e, Employment):
            (earlier if is_earlier_work(e, entered, service_start) else others).append(e)
    return earlier, others


def last_earlier(earlier: Sequence[Employment]) -> Employment | None:
    """Of earlier jobs, the one that ended last: the job the unemployment followed, as the
    generator draws it (``cohort.EarlierWork``); None of none."""
    return max(earlier, key=lambda e: (e.end or date.min, e.date), default=None)


def _after_earlier_pay(wages: Sequence[Earnings], entered: date | None,
                       last: Employment | None) -> tuple[Earnings, ...]:
    """The wage rows no earlier work was paid by: those dated on or after the referral, and
    after the month the last earlier job ended in (its last part month is paid on that
    month's last day, which may come after the referral)."""
    until = None if last is None else last.end
    paid_until = None if until is None else add_months(until.replace(day=1), 1) - ONE_DAY
    return tuple(w for w in wages if (entered is None or w.date >= entered)
                 and (paid_until is None or w.date > paid_until))


def is_earlier_work(job: Employment, entered: date | None, service_start: date | None
                    ) -> bool:
    """Whether ``job`` is earlier work (``cohort.EarlierWork``): it ended before the
    customer's story starts, their referral (``entered``; with none, the service start).
    A job begun before and going on at the referral is none: the service may keep it."""
    before = entered or service_start
    return before is not None and job.end is not None and job.end < before


def _tagged(rows: Sequence[Row], taken: frozenset[str]) -> list[Row]:
    """Drawn rows with ids of their own; a drawn job's employer tagged likewise, so a new
    job is never with an employer of the real rows (the generator names them alike)."""
    return [{**r, "event_id": drawn_id(r["event_id"], taken),
             **({"employer": drawn_id(r["employer"])} if "employer" in r else {})}
            for r in rows]


def drawn_id(event_id: str, taken: frozenset[str] = frozenset()) -> str:
    """A drawn row's id: ``event_id`` tagged ``~f``; past the longest id a row may have (a
    long customer or event id), or where a real row of the customer has that id already
    (``taken``: any text is a valid id, so no tag alone is safe), a digest of it, tagged
    alike and digested again until free, so every drawn row stays valid and distinct and
    never a version of a real row."""
    tagged = f"{event_id}~f"
    key = event_id
    while len(tagged) > MAX_ID_CHARS or tagged in taken:
        key = hashlib.sha256(key.encode("utf-8")).hexdigest()
        tagged = f"{key}~f"
    return tagged


@dataclass(frozen=True)
class _Decided:
    """What one customer's conditional draws decide, before its block's rows are drawn."""

    rows: list[Row]  # a drawn service start and end
    going_on: list[Row]  # a job under way: its confirmation and end (under its own id)
    spans: list[tuple[date, date]]  # every job's span known so far (real ones included)
    service: tuple[date, date] | None  # a service going on after the as-of: start, last day
    begin: date | None  # the first new job's begin
    more: int | None = None  # further jobs after it (None: the block's draw, as generated)
    told: int = 0  # days from the first new job's begin to its first record
    paid: _Paid | None = None  # the first new job's draws its first wage decided


def continuations(plan: Plan, profiles: Sequence[Profile], states: Sequence[State],
                  rng: np.random.Generator) -> list[list[Row]]:
    """Rows after the as-of date for a block of customers (``profiles[i]`` is customer
    ``i``'s), drawn from ``rng``: each customer's conditional draws first (a row of ``DRAWS``
    a customer, ``Draws``), then the block's service rows and chains of new jobs as the
    generator draws them, then benefit months (from each customer's draws again)."""
    draws = [Draws(u) for u in rng.random((len(states), DRAWS)).tolist()]
    decided = [_decide(plan, p, s, u) for p, s, u in zip(profiles, states, draws, strict=True)]
    texts, new_spans = _block(plan, profiles, states, decided, rng)
    own = _Own.of(plan.columns)
    out = []
    for i, (p, s, u, d) in enumerate(zip(profiles, states, draws, decided, strict=True)):
        drawn = own.rows(texts[i], str(i), s)
        benefits = _benefits(plan, p, s, [*d.spans, *new_spans[i]], u) \
            if plan.benefits and s.referral is not None else []
        out.append([*_tagged([*d.rows, *benefits], s.ids), *d.going_on,
                    *_returned(plan, p, s, drawn, u)])
    return out


def _returned(plan: Plan, profile: Profile, s: State, drawn: list[Row], u: Draws
              ) -> list[Row]:
    """``drawn`` with the first new job at the earlier employer, with the cohort's chance
    ``earlier_work.same_employer``, for a customer whose earlier job names one and who has
    had no job since (the generator's return to the earlier employer; taken with the
    customer's last draw, so no other moves). Where the contract tells employers apart."""
    if not plan.employers or s.earlier_employer is None or s.employments or s.voided:
        return drawn
    if not u.chance(profile.earlier_work.same_employer):
        return drawn
    first = drawn_id(employer_of(0))
    return [{**r, "employer": s.earlier_employer} if r.get("employer") == first else r
            for r in drawn]


def _decide(plan: Plan, profile: Profile, s: State, u: Draws) -> _Decided:
    if s.referral is None:
        return _Decided([], [], [], None, None)
    rows: list[Row] = []
    start = s.service_start
    if start is None and not plan.starts_at_referral:
        start = _service_start(plan, profile, s, u)
        if start is not None:
            rows.append({"event_id": f"{s.customer_id}-s", "customer_id": s.customer_id,
                         "type": "service_start", "date": start.isoformat(),
                         **({"provider": s.provider} if s.provider else {})})
    service = None
    if start is not None and not s.service_ended:
        last = _service_last(plan, profile, s, start, u)
        # as generated: an early end is recorded; where the contract counts service ends by
        # their reason every service ends with a row, its reason one of them drawn alike
        reason = drawn_name(u(), plan.end_reasons or ("ended",), profile.service.end_reasons)
        early = last < _full_last(plan, start)
        if last > s.as_of and (early or plan.end_reasons):
            rows.append({"event_id": f"{s.customer_id}-x", "customer_id": s.customer_id,
                         "type": "service_end", "date": last.isoformat(), "reason": reason})
        service = (start, last)
    rows.extend(_education(plan, profile, s, u))
    going_on, spans, (begin, more, told), paid = _jobs(plan, profile, s, start or s.referral,
                                                       u)
    return _Decided(rows, going_on, spans, service, begin, more, told, paid)


def _education(plan: Plan, profile: Profile, s: State, u: Draws) -> list[Row]:
    """An education after the as-of date, as the generator draws one (a customer has at most
    one, a drawn delay after the referral), given none began by then: the pair (has one,
    delay) drawn until none or one that begins after the as-of date."""
    edu = profile.education
    if s.educated or s.referral is None:
        return []
    for _ in range(TRIES):
        has, days = u.chance(edu.share), int(edu.days_to_start.draw(u(), u()))
        start = s.referral + timedelta(days=days)
        if not has:
            return []
        if start > s.as_of:
            end = start + timedelta(days=int(edu.length_days.draw(u(), u())))
            kind = drawn_name(u(), plan.education_kinds, edu.kinds)
            return [{"event_id": f"{s.customer_id}-d", "customer_id": s.customer_id,
                     "type": "education", "date": start.isoformat(), "end": end.isoformat(),
                     "kind": kind}]
    return []


def _block(plan: Plan, profiles: Sequence[Profile], states: Sequence[State],
           decided: Sequence[_Decided], rng: np.random.Generator
           ) -> tuple[list[str], list[list[tuple[date, date]]]]:
    """The block's service rows and new jobs (``synth.in_service``, ``synth.job_chains``),
    as lines per customer, and each customer's new jobs' spans. The lines carry the
    customer's place in the block for an id (a real id may need quoting in a line)."""
    n = len(states)
    kinds: dict[int, int] = {}
    segment = np.array([kinds.setdefault(id(p), len(kinds)) for p in profiles],
                       dtype=np.int64)
    b = Block(rng, n, segment, list({id(p): p for p in profiles}.values()))
    cids = [str(i) for i in range(n)]
    b.ids = texts(cids)
    as_of = [s.as_of.toordinal() for s in states]
    served = np.array([d.service is not None for d in decided])
    start = np.array([d.service[0].toordinal() if d.service else a
                      for d, a in zip(decided, as_of, strict=True)])
    last = np.array([d.service[1].toordinal() if d.service else a
                     for d, a in zip(decided, as_of, strict=True)])
    in_service(plan, b, cids, start, last, served)
    has = np.array([d.begin is not None for d in decided])
    begin = np.array([d.begin.toordinal() if d.begin else a
                      for d, a in zip(decided, as_of, strict=True)])
    more = as_days(b.dist(lambda p: p.jobs.more))
    known = np.array([-1 if d.more is None else d.more for d in decided], dtype=np.int64)
    told = np.array([d.told for d in decided], dtype=np.int64)
    chains = job_chains(plan, b, cids, has, begin, np.where(known >= 0, known, more), told,
                        np.array(as_of, dtype=np.int64), _first_jobs(decided))
    spans: list[list[tuple[date, date]]] = [[] for _ in range(n)]
    for who, begins, ends in chains:
        for i, a, z in zip(who.tolist(), begins.tolist(), ends.tolist(), strict=True):
            spans[i].append((date.fromordinal(a), date.fromordinal(z) if z >= 0 else date.max))
    return b.texts_by_owner(), spans


def _first_jobs(decided: Sequence[_Decided]) -> FirstJob | None:
    """The first new jobs whose draws their first wage decided, for ``synth.job_chains``."""
    paid = [(i, d.paid) for i, d in enumerate(decided) if d.paid is not None]
    if not paid:
        return None
    who = np.zeros(len(decided), dtype=bool)
    who[[i for i, _ in paid]] = True
    return FirstJob(who, np.array([p.ongoing for _, p in paid]),
                    np.array([p.length for _, p in paid], dtype=np.int64),
                    np.array([p.wage for _, p in paid]),
                    np.array([p.kind for _, p in paid], dtype=object))


@dataclass(frozen=True)
class _Own:
    """The plan's columns, and where a row's id, customer, date, record date and employer
    are."""

    columns: tuple[str, ...]
    event_id: int
    customer_id: int
    date: int
    recorded: int | None
    employer: int | None = None

    @staticmethod
    def of(columns: tuple[str, ...]) -> _Own:
        return _Own(columns, columns.index("event_id"), columns.index("customer_id"),
                    columns.index("date"),
                    columns.index("recorded") if "recorded" in columns else None,
                    columns.index("employer") if "employer" in columns else None)

    def rows(self, text: str, place: str, s: State) -> list[Row]:
        """A customer's drawn rows (its lines, ``text``, read as ``synth.rows_of`` reads
        them) recorded after the as-of date (a job's by its first record: it may have begun
        by then), under its own id (tagged ``~f``; a job's employer too, ``_tagged``). Rows
        recorded by then are left out before they are made (most of a block's rows: it draws
        every service and job from its start)."""
        after = s.as_of.isoformat()
        cut = len(place)
        out = []
        for cells in csv.reader(text.splitlines()):
            known = (cells[self.recorded] if self.recorded is not None else "") \
                or cells[self.date]
            if known > after:
                cells[self.event_id] = drawn_id(s.customer_id + cells[self.event_id][cut:],
                                                s.ids)
                cells[self.customer_id] = s.customer_id
                if self.employer is not None and cells[self.employer]:
                    cells[self.employer] = drawn_id(cells[self.employer])
                out.append(row_of(self.columns, cells))
        return out


def _service_start(plan: Plan, profile: Profile, s: State, u: Draws) -> date | None:
    """The start of a service not started by the as-of date (None: it never starts), drawn
    given what the as-of date shows. The generator anchors a customer's jobs at the service
    start, or at the referral when the service never starts, so the jobs known tell them
    apart: the generator's draws of a service start and a first job (starts, days to it,
    reaches a job, days to it, days to its first record) taken ``START_DRAWS`` at a time
    (``START_ROUNDS`` times at most) from a stream seeded from the customer's draws, until
    the service has not started by the as-of date and the first job agrees with the jobs
    known: with none known (``_job_shown_by``), no job or one not seen by then; with one
    begun by a day, a first job that could begin by that day (the days to it at their
    fewest: a service starting after the as-of date anchors jobs after it, so a customer
    whose job began by then never starts a service, under a cohort whose jobs never begin
    before the service start). None drawn so: it starts the day after the as-of date."""
    svc, jobs = profile.service, profile.jobs
    assert s.referral is not None
    ref, cut = s.referral.toordinal(), s.as_of.toordinal()
    shown = _job_shown_by(s)
    fewest = math.trunc(bounds(jobs.days_to_first)[0])  # as the generator truncates days
    rng = np.random.Generator(np.random.PCG64(int(u() * 2**53)))
    for _ in range(START_ROUNDS):
        x = rng.random((7, START_DRAWS))
        starts = x[0] < float(svc.starts)
        start = ref + as_days(svc.days_to_start.vector(x[1], x[2]))
        anchor = np.where(starts, start, ref)
        if shown is None:
            begin = anchor + as_days(jobs.days_to_first.vector(x[4], x[5]))
            told = (x[6] * FIRST_RECORD_DAYS).astype(np.int64)
            agrees = (x[3] >= float(jobs.share)) | ~_seen(plan, cut, begin, told)
        else:
            agrees = anchor + fewest <= shown.toordinal()
        hits = np.nonzero(agrees & (~starts | (start > cut)))[0]
        if hits.size:
            i = int(hits[0])
            return date.fromordinal(int(start[i])) if starts[i] else None
    return s.as_of + ONE_DAY


def _job_shown_by(s: State) -> date | None:
    """The day by which a job of the customer had begun, as the rows known by the as-of
    date show: the earliest begin of a job known (voided ones too), or the pay day of a
    first wage paid to one not recorded (``unseen_wage``); None when no job shows."""
    days = [j.date for j in (*s.employments, *s.voided)]
    if s.unseen_wage is not None:
        days.append(s.unseen_wage[0])
    return min(days, default=None)


def _full_last(plan: Plan, start: date) -> date:
    """The last day of the longest service from ``start``: calendar months as the engine
    counts them (as the generator draws them)."""
    return plan.loaded.contract.windows.service.max_length.after(start) - timedelta(days=1)


def _service_last(plan: Plan, profile: Profile, s: State, start: date, u: Draws) -> date:
    svc = profile.service
    full = _full_last(plan, start)
    length = (full - start).days + 1
    for _ in range(TRIES):
        early = u.chance(svc.ends_early)
        days = max(int(length * svc.share_of_length.draw(u(), u())), 1)
        if not early:
            return full
        if start + timedelta(days=days) > s.as_of:
            return start + timedelta(days=days)
    return full


def _row_of(job: Employment) -> Row:
    row = {"event_id": job.event_id, "customer_id": job.customer_id, "type": "employment",
           "date": job.date.isoformat(), "kind": job.kind, "evidence": job.evidence}
    for name in ("hours_per_week", "fte", "wage", "spell_id", "employer"):
        value = getattr(job, name)
        if value is not None:
            row[name] = str(value)
    if job.end is not None:  # an end known by the as-of date stays in every later version
        row["end"] = job.end.isoformat()
    return row


def _going_on(profile: Profile, s: State, job: Employment, u: Draws, shown: date | None,
              through: date | None = None) -> tuple[list[Row], date]:
    """A job under way at the as-of date: its end (or none) and its confirmation, given
    what the as-of date shows: no end recorded by then, and a self-report not confirmed. An
    end known by then (a fixed-term job ending after the as-of date) is kept, not drawn; one
    its wages ``shown`` by then (``shown_end``) is recorded after the as-of date; else the
    end is drawn on or after the day its wages show it worked ``through``."""
    end: date | None
    told: date | None
    if job.end is not None:
        end, told = job.end, None
    elif shown == date.max:  # paid as a job going on to its last paid month: it goes on
        end, told = None, None
    elif shown is not None:
        end, told = shown, _end_told(profile, s, job, shown, u)
    else:
        end, told = _end_unrecorded(profile, s, job, u, through)
    on = _confirmed_after(profile, s, job, u) if job.evidence == "self_report" else None
    base = _row_of(job)
    rows = []
    if on is not None:
        base = {**base, "evidence": "register"}
        if told is None or on < told:  # as generated: a confirmation after the end is not told
            rows.append({**base, "recorded": on.isoformat()})
    if end is not None and told is not None:
        rows.append({**base, "end": end.isoformat(), "recorded": told.isoformat()})
    return rows, end or date.max


def _voids(profile: Profile, s: State, drawn: Sequence[Row], u: Draws) -> list[Row]:
    """The voids after the as-of date of jobs known by then, as the generator voids a job:
    with the cohort's chance ``voided``, ``VOID_DAYS`` after its last record (a drawn end or
    confirmation, else its last version known), as a version of it with its last fields.
    Given that no void was seen by the as-of date: only a void that falls after it."""
    out = []
    for job in s.employments:
        versions = [r for r in drawn if r["event_id"] == job.event_id]
        last = versions[-1] if versions else _row_of(job)
        last_at = max((date.fromisoformat(r["recorded"]) for r in versions),
                      default=job.known_on)
        on = last_at + timedelta(days=VOID_DAYS)
        if u.chance(profile.jobs.voided) and on > s.as_of:
            out.append({**last, "recorded": on.isoformat(), "void": "true"})
    return out


def _wages(job: Employment, end: date | None, as_of: date, taken: frozenset[str]
           ) -> list[Row]:
    """A job under way's wages for the months paid after the as-of date, by the generator's
    rule (``synth.monthly_wages``: a calendar month's wage for the days worked in it, dated
    the month's last day, up to ``EARNED_MONTHS`` months from its start when it has no
    end); those paid on or before the as-of date are real rows already."""
    assert job.wage is not None
    keep, pay, amount = monthly_wages(
        np.array([job.date.toordinal()]), np.array([end.toordinal() if end else -1]),
        np.array([float(f"{job.wage:.2f}")]))
    rows: list[Row] = []
    for k in np.nonzero(keep[0])[0].tolist():
        day = int(pay[0, k])
        if day > as_of.toordinal():
            rows.append({"event_id": drawn_id(f"{job.event_id}-w{k}", taken),
                         "customer_id": job.customer_id, "type": "earnings",
                         "date": date.fromordinal(day).isoformat(), "kind": job.kind,
                         "evidence": "register", "amount": f"{amount[0, k]:.2f}"})
    return rows


def _end_unrecorded(profile: Profile, s: State, job: Employment, u: Draws,
                    through: date | None = None) -> tuple[date | None, date | None]:
    """A job's last day and the day it is recorded (None: it goes on), drawn given that no
    end was recorded by the as-of date: the pair (length, recording delay) drawn until it
    is ongoing or recorded after the as-of, so a job may have ended before the as-of date
    with its end told after it (the generator records an end 5 to 60 days late); and, where
    its wages paid by then show it worked ``through`` a day (``worked_through``), not
    before that day: a job paid a whole month's wage ran to that month's end."""
    jobs = profile.jobs
    for _ in range(TRIES):
        ongoing, length = u.chance(jobs.ongoing), int(jobs.length_days.draw(u(), u()))
        delay = int(jobs.end_recorded_delay_days.draw(u(), u()))
        if ongoing:
            return None, None
        end = job.date + timedelta(days=max(length, 1) - 1)
        # as generated: recorded the delay after the end, after the first record at least
        told = max(end + timedelta(days=delay), job.known_on + ONE_DAY)
        if told > s.as_of and (through is None or end >= through):
            return end, told
    return None, None


def _end_told(profile: Profile, s: State, job: Employment, end: date, u: Draws) -> date:
    """The day an end the data shows is recorded, given that it was not by the as-of date:
    the recording delay drawn until it falls after the as-of (none does: the day after)."""
    for _ in range(TRIES):
        delay = int(profile.jobs.end_recorded_delay_days.draw(u(), u()))
        told = max(end + timedelta(days=delay), job.known_on + ONE_DAY)
        if told > s.as_of:
            return told
    return s.as_of + ONE_DAY


def shown_end(job: Employment, wages: Sequence[Earnings], as_of: date,
              others: Sequence[Employment] = ()) -> date | None:
    """The last day of a job with no end recorded that ``wages`` (paid by the as-of date)
    show, by the generator's rule (``synth.monthly_wages``: a calendar month's wage for the
    days worked in it, dated the month's last day, for every month the job runs, up to
    ``EARNED_MONTHS`` months from its start when it has no end): a row of the job's kind for
    a month after the one it began in, whose amount is the wage of fewer days than the month
    has, says it ended on the last of them; else wages that stop after a whole month's
    (``_stopped``) say it ended on that month's last day. The part 37th calendar month the
    generator pays a job going on begun after a month's first day (up to the day before its
    third anniversary) is what a job going on is paid, not an end: ``date.max``. None when
    no row says so (an amount no number of days gives: real pay is read as the generator
    writes it, nothing more), or the job has no wage or a known end. Its first month is not
    read: the last wages of the job before it may be paid in that month too, maybe the same
    amount. A part month with pay of the job's kind after it, in a month no other job of that
    kind (``others``) had begun by, is a short month of a job going on (unpaid leave, a
    half wage), not its end."""
    if job.wage is None or job.end is not None:
        return None
    wage = float(f"{job.wage:.2f}")
    paid_on = _paid_on_alone(job, wages, others)
    # the last day the generator pays a job going on (its 36 months from its begin)
    cutoff = add_months(job.date, EARNED_MONTHS) - ONE_DAY
    # the amounts of its kind paid on the last day of each month after its first (None: one
    # paid on another day, which the generator never pays: no stop is read)
    months: dict[int, list[Decimal]] | None = {}
    for row in sorted(wages, key=lambda e: e.date):
        first = row.date.replace(day=1)
        steps = (row.date.year - job.date.year) * 12 + row.date.month - job.date.month
        if row.kind != job.kind or steps < 1:
            continue
        if add_months(first, 1) - ONE_DAY != row.date:
            months = None
            continue
        if months is not None:
            months.setdefault(steps, []).append(row.amount)
        if steps > EARNED_MONTHS:
            continue
        # every last day in the month, the month's own last day (the job goes on) included
        ends = np.arange(first.toordinal(), row.date.toordinal() + 1)
        _, _, amounts = monthly_wages(np.full(ends.shape, job.date.toordinal()), ends,
                                      np.full(ends.shape, wage))
        for last, amount in zip(ends.tolist(), amounts[:, steps].tolist(), strict=True):
            if Decimal(f"{amount:.2f}") == row.amount:
                if last == cutoff.toordinal() < row.date.toordinal():
                    return date.max  # a part 37th month: as paid to a job going on
                if last < row.date.toordinal():
                    if paid_on is not None and paid_on > row.date:
                        break  # paid again later: a short month, not the end
                    return date.fromordinal(last)
                break
    return _stopped(job, wage, months, as_of)


def _paid_on_alone(job: Employment, wages: Sequence[Earnings],
                   others: Sequence[Employment]) -> date | None:
    """The last pay day of ``job``'s kind in a month no other job of that kind had begun by:
    pay only this job can have earned."""
    mine = [r.date for r in wages if r.kind == job.kind and not any(
        o is not job and o.kind == job.kind and o.date <= r.date for o in others)]
    return max(mine, default=None)


def worked_through(job: Employment, wages: Sequence[Earnings]) -> date | None:
    """The last day a job with no end recorded worked, as its wages (paid by the as-of
    date) show by the generator's rule (``synth.monthly_wages``): a row of its kind on the
    last day of a month after the one it began in, for the whole month's wage of a job
    going on, says it ran to that day. The latest such day; None when no row says so, or
    the job has no wage or a known end. Its first month is not read (``shown_end``)."""
    if job.wage is None or job.end is not None:
        return None
    # months 1 to 35 are whole for a job going on; its 36th (a 37th calendar month) never is
    whole = dict(_paid_going_on(job, range(1, EARNED_MONTHS)))
    days = [row.date for row in wages if row.kind == job.kind
            and whole.get(row.date.toordinal()) == row.amount]
    return max(days, default=None)


def paid_as_generated(job: Employment, wages: Sequence[Earnings]) -> bool:
    """Whether a job with no end was paid, by the as-of date, a wage the generator's rule
    gives it going on: a row of its kind on the last day of a month it runs in, for that
    month's days from its begin (``synth.monthly_wages``). The generator voids a job 30 days
    after its last record, so a job it voids going on has its first month's row by then."""
    if job.wage is None or job.end is not None:
        return False
    paid = set(_paid_going_on(job, range(EARNED_MONTHS + 1)))
    return any(row.kind == job.kind and (row.date.toordinal(), row.amount) in paid
               for row in wages)


def _paid_going_on(job: Employment, months: range) -> list[tuple[int, Decimal]]:
    """The wage rows the generator's rule (``synth.monthly_wages``) gives a job of
    ``job.wage`` going on, in ``months`` (counted from its first, 0): (pay day's ordinal,
    amount to the cent) for each month it pays."""
    keep, pay, amount = monthly_wages(np.array([job.date.toordinal()]), np.array([-1]),
                                      np.array([float(f"{job.wage:.2f}")]))
    return [(int(pay[0, m]), Decimal(f"{amount[0, m]:.2f}")) for m in months if keep[0, m]]


def _stopped(job: Employment, wage: float, months: dict[int, list[Decimal]] | None,
             as_of: date) -> date | None:
    """The last day of a job that ended on a month's last day, as its wages show: the
    generator pays every month a job runs, so rows of its kind on each month's last day
    from its second month through month ``m`` (counted from its first), a whole month's
    wage in month ``m``, and nothing of its kind after it, while month ``m + 1``'s wage is
    due (its last day on or before the as-of date, and a month the generator pays a job
    going on: within ``EARNED_MONTHS`` months of its start), say it ended on month ``m``'s
    last day. Past ``EARNED_MONTHS`` rows stop for a job going on too: not read. ``m`` is
    1 or more: rows in its first month may be the job before it's, so a job whose wages
    stop there shows no day it ended."""
    if not months:
        return None
    m = max(months)
    if m >= EARNED_MONTHS or any(k not in months for k in range(1, m)):
        return None
    keep, pay, amount = monthly_wages(np.array([job.date.toordinal()]), np.array([-1]),
                                      np.array([wage]))
    if not keep[0, m + 1] or int(pay[0, m + 1]) > as_of.toordinal():
        return None  # the next month's wage is not due yet, or never paid
    if Decimal(f"{amount[0, m]:.2f}") not in months[m]:
        return None  # not the whole month's wage the job's own rule gives
    return date.fromordinal(int(pay[0, m]))


def _confirmed_after(profile: Profile, s: State, job: Employment, u: Draws) -> date | None:
    """The day a self-report still unconfirmed at the as-of date is confirmed by the
    register (None: never), drawn given that: the pair (confirmed, delay from its first
    record) drawn until it is not confirmed or confirmed after the as-of date."""
    jobs = profile.jobs
    for _ in range(TRIES):
        confirmed = u.chance(jobs.confirmed)
        on = job.known_on + timedelta(days=int(jobs.confirm_delay_days.draw(u(), u())))
        if not confirmed:
            return None
        if on > s.as_of:
            return on
    return None


def _jobs(plan: Plan, profile: Profile, s: State, anchor: date, u: Draws
          ) -> tuple[list[Row], list[tuple[date, date]], _NewJob, _Paid | None]:
    """The rows of jobs under way after the as-of date, every job's span (real ones
    included), the chain of new jobs (``_NewJob``) and what its first job's wage paid by
    the as-of date decided of it (``_first_paid``)."""
    # every job recorded by the as-of date, one planned to begin after it too: it is under
    # way as a job begun by then is (its end drawn), and the chain goes on after it. A job
    # voided by then was one of the generator's chain (voided after its last record): it
    # counts among the jobs seen and the chain goes on after its end (none: it was going on)
    spans = [(j.date, j.end or date.max) for j in (*s.employments, *s.voided)]
    rows: list[Row] = []
    running = [j for j in s.employments if j.end is None or j.end > s.as_of]
    ends = [j.end or j.date for j in s.employments if j not in running]
    ends.extend(j.end or date.max for j in s.voided)
    known = len(s.employments) + len(s.voided)
    for job in running:
        # this job's place: another job may begin the same day
        at = next(i for i, j in enumerate(s.employments) if j is job)
        shown = s.wage_ends[at] if plan.earnings and s.wage_ends else None
        through = s.wage_through[at] if plan.earnings and s.wage_through else None
        more, end = _going_on(profile, s, job, u, shown, through)
        rows.extend(more)
        if plan.earnings and job.wage is not None:
            rows.extend(_wages(job, None if end == date.max else end, s.as_of, s.ids))
        spans[at] = (job.date, end)
        ends.append(end)
    if plan.earnings:
        # a job ended by the as-of date is paid its last month on that month's last day,
        # which may come after the as-of date (a cut not at a month's end)
        for job in s.employments:
            if job not in running and job.wage is not None:
                rows.extend(_wages(job, job.end, s.as_of, s.ids))
        # a job voided going on is paid on, as the generator pays it (voids touch no wages)
        paid_on = s.voided_paid or (False,) * len(s.voided)  # none given: none read
        for job, paid in zip(s.voided, paid_on, strict=True):
            if paid:
                rows.extend(_wages(job, None, s.as_of, s.ids))
    rows.extend(_voids(profile, s, rows, u))
    # a job going on ends the generator's chain; one that ends lets it go on
    if date.max in ends:
        return rows, spans, (None, None, 0), None
    if not known:
        if plan.earnings and s.unseen_wage is not None:
            found = _first_paid(profile, s, anchor, s.unseen_wage, u)
            if found is not None:
                return rows, spans, found[0], found[1]
        return rows, spans, _first_job(plan, profile, s, anchor, u), None
    return rows, spans, _next_job(plan, profile, s, known, max(ends), u), None


def unseen_wage(jobs: Sequence[Employment], voided: Sequence[Employment],
                wages: Sequence[Earnings], as_of: date) -> tuple[date, str, Decimal] | None:
    """The first wage of a job not recorded by the as-of date, as the generator pays one: it
    pays a job's wage for its first month on the month's last day whether the job is
    recorded or not, and records a job 0 to 9 days after it begins, so a job begun in the
    last days before the as-of date may show by that one row alone. Read where no job is
    known (voided ones too) and the only wage row is on a month's last day that a job
    begun then could reach unrecorded (no more than ``FIRST_RECORD_DAYS`` - 2 days before
    the as-of date): its (pay day, kind, amount). None otherwise."""
    if jobs or voided or len(wages) != 1:
        return None
    row = wages[0]
    last = add_months(row.date.replace(day=1), 1) - ONE_DAY
    if row.date != last or row.date < as_of - timedelta(days=FIRST_RECORD_DAYS - 2):
        return None
    return row.date, row.kind, row.amount


def _first_paid(profile: Profile, s: State, anchor: date, seen: tuple[date, str, Decimal],
                u: Draws) -> tuple[_NewJob, _Paid] | None:
    """The first job whose first wage ``seen`` (``unseen_wage``) was paid by the as-of date,
    though the job is not recorded by then: the generator's draws of a first job (reaches
    one, days to it, days to its first record, ongoing, length, wage) taken ``PAID_DRAWS``
    at a time (``PAID_ROUNDS`` times at most) from a stream seeded from the customer's
    draws, until one begins in the wage's month, is recorded after the as-of date and gives
    a month's wage within ``PAID_TOLERANCE`` of the one paid (so each begin is weighed by
    how likely the wage it needs is, and by the days it pays for); the wage is then the
    one, to the cent, that gives the amount paid. None when no draw does (the job is drawn
    as one not seen, ``_first_job``)."""
    jobs = profile.jobs
    pay, kind, amount = seen
    day, cut, start = pay.toordinal(), s.as_of.toordinal(), anchor.toordinal()
    first = pay.replace(day=1).toordinal()
    rng = np.random.Generator(np.random.PCG64(int(u() * 2**53)))
    for _ in range(PAID_ROUNDS):
        x = rng.random((9, PAID_DRAWS))
        begin = start + as_days(jobs.days_to_first.vector(x[1], x[2]))
        told = (x[3] * FIRST_RECORD_DAYS).astype(np.int64)
        ongoing = x[4] < float(jobs.ongoing)
        length = as_days(jobs.length_days.vector(x[5], x[6]))
        wage = np.round(jobs.wage.vector(x[7], x[8]), 2)
        last = np.where(ongoing, day, np.minimum(day, begin + np.maximum(length, 1) - 1))
        worked = last - begin + 1
        ok = ((x[0] < float(jobs.share)) & (begin >= first) & (begin <= day)
              & (begin + told > cut)
              & (np.abs(wage * worked / (day - first + 1) - float(amount)) <= PAID_TOLERANCE))
        hits = np.nonzero(ok)[0]
        if hits.size:
            i = int(hits[0])
            return ((date.fromordinal(int(begin[i])), None, int(told[i])),
                    _Paid(bool(ongoing[i]), int(length[i]),
                          _wage_paying(amount, int(worked[i]), day - first + 1), kind))
    return None


def _wage_paying(amount: Decimal, worked: int, days: int) -> float:
    """The month's wage, to the cent, that the generator's rule (``synth.monthly_wages``)
    pays ``amount`` for ``worked`` days of a month of ``days``; the nearest when none does."""
    near = round(float(amount) * days / worked, 2)
    for cents in sorted(range(-days - 1, days + 2), key=abs):
        wage = round(near + cents / 100, 2)
        if Decimal(f"{wage * worked / days:.2f}") == amount:
            return wage
    return near


def _first_record(u: Draws) -> int:
    """Days from a job's start to its first record, as the generator draws them."""
    return int(u() * FIRST_RECORD_DAYS)


def _unseen(plan: Plan, s: State, begin: date, told: int) -> bool:
    """Whether a new job begun on ``begin`` and first recorded ``told`` days later is not
    seen by the as-of date (``_seen``)."""
    return not bool(_seen(plan, s.as_of.toordinal(), np.array([begin.toordinal()]),
                          np.array([told]))[0])


def _seen(plan: Plan, cut: int, begin: Array, told: Array) -> Array:
    """Whether new jobs begun on ``begin`` (ordinals) and first recorded ``told`` days later
    are seen by the as-of date ``cut``: recorded by then or, where the contract counts
    earnings, begun by then with their first month's wages paid by then (the generator pays
    them whenever the job is recorded: a job begun by the last pay day would show)."""
    seen = begin + told <= cut
    if plan.earnings:
        _, pay, _ = monthly_wages(begin, np.full(begin.shape, -1), np.zeros(begin.shape))
        seen |= (begin <= cut) & (pay[:, 0] <= cut)
    return seen


def _first_job(plan: Plan, profile: Profile, s: State, anchor: date, u: Draws) -> _NewJob:
    """The first job given none recorded by the as-of date: the triple (reaches a job, days
    to it, days until it is recorded) drawn until no job or one recorded after the as-of.
    A job begun by then but told after it keeps its begin, recorded as drawn (the generator
    records a job 0 to 9 days after it begins)."""
    jobs = profile.jobs
    for _ in range(TRIES):
        reaches, days = u.chance(jobs.share), int(jobs.days_to_first.draw(u(), u()))
        if not reaches:
            return None, None, 0
        begin = anchor + timedelta(days=days)
        told = _first_record(u)
        if _unseen(plan, s, begin, told):
            return begin, None, told
    return None, None, 0


def _next_job(plan: Plan, profile: Profile, s: State, known: int, last_end: date, u: Draws
              ) -> _NewJob:
    """Every known job ended (or is drawn to end): the next one's begin (None: no more) and
    how many follow it, given what the as-of date shows. The generator draws ``more``
    further jobs after the first, each a gap after the last one's end: the triple (more,
    gap, days until recorded) is drawn until ``more`` is just the jobs seen (no next job),
    or more and the next job recorded after the as-of date (one that would have been
    recorded by then is not this customer's). One begun by then keeps its begin, recorded
    as drawn."""
    jobs = profile.jobs
    had = known - 1  # further jobs after the first, seen by the as-of date
    for _ in range(TRIES):
        more = int(jobs.more.draw(u(), u()))
        begin = last_end + timedelta(days=1 + int(jobs.gap_days.draw(u(), u())))
        if more == had:
            return None, 0, 0
        if more > had:
            told = _first_record(u)
            if _unseen(plan, s, begin, told):
                return begin, more - had - 1, told
    return None, 0, 0


def _benefits(plan: Plan, profile: Profile, s: State, spans: Sequence[tuple[date, date]],
              u: Draws) -> list[Row]:
    ben = profile.benefits
    assert s.referral is not None
    month = add_months(s.as_of.replace(day=1), 1)
    until = add_months(s.referral.replace(day=1), ben.months_after)
    paid = s.benefit_days or 0
    rows = []
    while month < until:
        mid = month + timedelta(days=14)
        days = int(ben.days_per_month.draw(u(), u()))
        if any(a <= mid <= b for a, b in spans):  # a month mostly worked
            days = max(days // 2, 1) if u.chance(ben.while_working) else 0
        row = {"event_id": f"{s.customer_id}-b{month.isoformat()[:7]}",
               "customer_id": s.customer_id, "type": "benefit", "date": month.isoformat(),
               "days": str(days), "amount": f"{days * ben.daily_amount.draw(0.5, 0.5):.2f}"}
        if plan.cumulative_days:
            paid = min(paid + days, MAX_BENEFIT_DAYS)
            row["cumulative_days"] = str(paid)
        rows.append(row)
        month = add_months(month, 1)
    return rows
