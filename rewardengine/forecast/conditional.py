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

- **service**: not started yet — it starts with the cohort's chance and delay, drawn given
  that it had not started by the as-of date; started and not ended — it ends early with the
  cohort's chance, given that it had not ended by then; its contacts, hours, expenses and
  last survey after the as-of date are drawn as the generator draws them;
- **a job under way** continues: its length (or no end: ``ongoing``) is drawn from the
  cohort's length distribution given that it has lasted so far (rejection: up to
  ``TRIES`` draws of the pair (ongoing, length), accepting ongoing or longer than the days so
  far; none accepted: it goes on). Its end is recorded after the as-of date, as a correction
  of the same event id, and a self-report is confirmed by the register with the cohort's
  chance;
- **no job yet**: the first job comes with the cohort's chance given none by now (the pair
  (reaches a job, days to it) drawn until no job or a start after the as-of date), then
  further jobs as the generator draws them (``more`` of them, each a drawn gap after the
  last one's end; an ongoing one ends the chain), with the generator's rows of a job
  (evidence, a later confirmation, the end recorded later, a void, monthly earnings where
  the contract counts them);
- **every job ended**: a chain of new jobs as above with the chance that the cohort's
  ``more`` is at least one, the first starting a drawn gap after the last end (at the
  earliest the day after the as-of);
- **benefit** months after the as-of date (contracts that read benefits), by the generator's
  rule (docs/cohort.md, ``benefits``): the cohort's days in a month not mostly worked; in a
  month mostly worked, half of them (at least 1) with the chance ``while_working``, else 0.
  Where the contract reads ``cumulative_days``, each row's counts on from what had been paid
  by the as-of date (``State.benefit_days``).

Education is not continued. Drawn rows carry event ids ending ``~f`` (never a real id).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from ..blocks import Block, as_days, texts
from ..cohort import Profile
from ..engine import CustomerResult
from ..events.model import MAX_BENEFIT_DAYS, Employment
from ..synth import TEXT, Draws, Plan, Row, in_service, job_chains, rows_of
from ..values import add_months

TRIES = 64
DRAWS = 48  # a customer's conditional draws (past them its own stream goes on: ``Draws``)
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class State:
    """What the evaluation as of the as-of date says about one real customer."""

    customer_id: str
    as_of: date
    referral: date | None
    provider: str | None
    service_start: date | None
    service_ended: bool
    employments: tuple[Employment, ...]
    # benefit days paid in all by the as-of date: the latest benefit row's cumulative_days,
    # else the referral's benefit_days (None: neither is known)
    benefit_days: int | None = None

    @staticmethod
    def of(result: CustomerResult) -> State:
        ctx = result.context
        tl = ctx.timeline
        ref = tl.referral
        counted = [(b.date, b.cumulative_days) for b in tl.benefits
                   if b.cumulative_days is not None]
        paid = max(counted)[1] if counted else ref.benefit_days if ref else None
        return State(result.customer_id, tl.as_of, ref.date if ref else None, result.provider,
                     ctx.service.start if ctx.service else None, ctx.service_ended,
                     tuple(e for e in tl.employments if isinstance(e, Employment)), paid)


def _tagged(rows: Sequence[Row]) -> list[Row]:
    return [{**r, "event_id": r["event_id"] + "~f"} for r in rows]


@dataclass(frozen=True)
class _Decided:
    """What one customer's conditional draws decide, before its block's rows are drawn."""

    rows: list[Row]  # a drawn service start and end
    going_on: list[Row]  # a job under way: its confirmation and end (under its own id)
    spans: list[tuple[date, date]]  # every job's span known so far (real ones included)
    service: tuple[date, date] | None  # a service going on after the as-of: start, last day
    begin: date | None  # the first new job's begin


def continuations(plan: Plan, profiles: Sequence[Profile], states: Sequence[State],
                  rng: np.random.Generator) -> list[list[Row]]:
    """Rows after the as-of date for a block of customers (``profiles[i]`` is customer
    ``i``'s), drawn from ``rng``: each customer's conditional draws first (a row of ``DRAWS``
    a customer, ``Draws``), then the block's service rows and chains of new jobs as the
    generator draws them, then benefit months (from each customer's draws again)."""
    draws = [Draws(u) for u in rng.random((len(states), DRAWS)).tolist()]
    decided = [_decide(plan, p, s, u) for p, s, u in zip(profiles, states, draws, strict=True)]
    texts, new_spans = _block(plan, profiles, states, decided, rng)
    out = []
    for i, (p, s, u, d) in enumerate(zip(profiles, states, draws, decided, strict=True)):
        drawn = _own(rows_of(plan.columns, texts[i], TEXT), str(i), s)
        benefits = _benefits(plan, p, s, [*d.spans, *new_spans[i]], u) \
            if plan.benefits and s.referral is not None else []
        out.append([*_tagged([*d.rows, *benefits]), *d.going_on, *drawn])
    return out


def _decide(plan: Plan, profile: Profile, s: State, u: Draws) -> _Decided:
    if s.referral is None:
        return _Decided([], [], [], None, None)
    rows: list[Row] = []
    start = s.service_start
    if start is None and not plan.starts_at_referral:
        start = _service_start(profile, s, u)
        if start is not None:
            rows.append({"event_id": f"{s.customer_id}-s", "customer_id": s.customer_id,
                         "type": "service_start", "date": start.isoformat(),
                         **({"provider": s.provider} if s.provider else {})})
    service = None
    if start is not None and not s.service_ended:
        last = _service_last(plan, profile, s, start, u)
        if last < start + timedelta(days=plan.service_days - 1):
            rows.append({"event_id": f"{s.customer_id}-x", "customer_id": s.customer_id,
                         "type": "service_end", "date": last.isoformat(), "reason": "ended"})
        service = (start, last)
    going_on, spans, begin = _jobs(profile, s, start or s.referral, u)
    return _Decided(rows, going_on, spans, service, begin)


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
    chains = job_chains(plan, b, cids, has, begin, as_days(b.dist(lambda p: p.jobs.more)))
    spans: list[list[tuple[date, date]]] = [[] for _ in range(n)]
    for who, begins, ends in chains:
        for i, a, z in zip(who.tolist(), begins.tolist(), ends.tolist(), strict=True):
            spans[i].append((date.fromordinal(a), date.fromordinal(z) if z >= 0 else date.max))
    return b.texts_by_owner(), spans


def _own(rows: list[Row], place: str, s: State) -> list[Row]:
    """A customer's drawn rows after the as-of date, under its own id (tagged ``~f``)."""
    after = s.as_of.isoformat()
    cut = len(place)
    return [{**r, "event_id": s.customer_id + r["event_id"][cut:] + "~f",
             "customer_id": s.customer_id} for r in rows if r["date"] > after]


def _service_start(profile: Profile, s: State, u: Draws) -> date | None:
    svc = profile.service
    assert s.referral is not None
    for _ in range(TRIES):
        starts, days = u.chance(svc.starts), int(svc.days_to_start.draw(u(), u()))
        if not starts:
            return None
        if s.referral + timedelta(days=days) > s.as_of:
            return s.referral + timedelta(days=days)
    return s.as_of + ONE_DAY


def _service_last(plan: Plan, profile: Profile, s: State, start: date, u: Draws) -> date:
    svc = profile.service
    full = start + timedelta(days=plan.service_days - 1)
    for _ in range(TRIES):
        early = u.chance(svc.ends_early)
        days = max(int(plan.service_days * svc.share_of_length.draw(u(), u())), 1)
        if not early:
            return full
        if start + timedelta(days=days) > s.as_of:
            return start + timedelta(days=days)
    return full


def _row_of(job: Employment) -> Row:
    row = {"event_id": job.event_id, "customer_id": job.customer_id, "type": "employment",
           "date": job.date.isoformat(), "kind": job.kind, "evidence": job.evidence}
    for name in ("hours_per_week", "fte", "wage", "spell_id"):
        value = getattr(job, name)
        if value is not None:
            row[name] = str(value)
    return row


def _going_on(profile: Profile, s: State, job: Employment, u: Draws) -> tuple[list[Row], date]:
    """A job under way at the as-of date: its end (or none), given its length so far."""
    jobs = profile.jobs
    so_far = (s.as_of - job.date).days + 1
    end: date | None = None
    for _ in range(TRIES):
        ongoing, length = u.chance(jobs.ongoing), int(jobs.length_days.draw(u(), u()))
        if ongoing:
            break
        if length > so_far:
            end = job.date + timedelta(days=length - 1)
            break
    base = _row_of(job)
    rows = []
    latest = s.as_of + ONE_DAY  # every drawn version is recorded after the as-of date
    if job.evidence == "self_report" and u.chance(jobs.confirmed):
        latest = s.as_of + timedelta(days=1 + int(jobs.confirm_delay_days.draw(u(), u())))
        base = {**base, "evidence": "register"}
        rows.append({**base, "recorded": latest.isoformat()})
    if end is not None:
        told = end + timedelta(days=int(jobs.end_recorded_delay_days.draw(u(), u())))
        # the end is the version recorded last, so a confirmation never hides it
        rows.append({**base, "end": end.isoformat(),
                     "recorded": max(told, latest + ONE_DAY).isoformat()})
    return rows, end or date.max


def _jobs(profile: Profile, s: State, anchor: date, u: Draws
          ) -> tuple[list[Row], list[tuple[date, date]], date | None]:
    """The rows of jobs under way after the as-of date, every job's span (real ones
    included), and the begin of a chain of new jobs (none: no new job)."""
    known = [j for j in s.employments if j.date <= s.as_of]
    spans = [(j.date, j.end or date.max) for j in s.employments]
    rows: list[Row] = []
    running = [j for j in known if j.end is None or j.end > s.as_of]
    for job in running:
        more, end = _going_on(profile, s, job, u)
        rows.extend(more)
        spans = [(a, end if a == job.date else b) for a, b in spans]
    if running or any(j.date > s.as_of for j in s.employments):
        return rows, spans, None
    begin = _first_job(profile, s, anchor, u) if not known else _next_job(profile, s, known, u)
    return rows, spans, begin


def _first_job(profile: Profile, s: State, anchor: date, u: Draws) -> date | None:
    jobs = profile.jobs
    for _ in range(TRIES):
        reaches, days = u.chance(jobs.share), int(jobs.days_to_first.draw(u(), u()))
        if not reaches:
            return None
        if anchor + timedelta(days=days) > s.as_of:
            return anchor + timedelta(days=days)
    return None


def _next_job(profile: Profile, s: State, known: Sequence[Employment], u: Draws
              ) -> date | None:
    jobs = profile.jobs
    if jobs.more.draw(u(), u()) < 1:
        return None
    last_end = max(j.end or j.date for j in known)
    begin = last_end + timedelta(days=1 + int(jobs.gap_days.draw(u(), u())))
    return max(begin, s.as_of + ONE_DAY)


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
