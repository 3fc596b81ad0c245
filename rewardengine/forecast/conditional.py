"""Continuations: the rest of a real customer's timeline, drawn from a cohort given what
happened by the as-of date.

The real rows known by the as-of date are kept as they are. After it, per run:

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
  further jobs as the generator draws them;
- **every job ended**: one more job with the chance that the cohort's ``more`` is at least
  one, starting a drawn gap after the last end (at the earliest the day after the as-of);
- **benefit** months after the as-of date (contracts that read benefits): 0 days in a month
  mostly worked, else the cohort's days.

Education is not continued. Drawn rows carry event ids ending ``~f`` (never a real id).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from ..cohort import Profile
from ..engine import CustomerResult
from ..events.model import Employment
from ..synth import Draws, Plan, Row, job_rows, service_rows
from ..values import add_months

TRIES = 64
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

    @staticmethod
    def of(result: CustomerResult) -> State:
        ctx = result.context
        tl = ctx.timeline
        ref = tl.referral
        return State(result.customer_id, tl.as_of, ref.date if ref else None, result.provider,
                     ctx.service.start if ctx.service else None, ctx.service_ended,
                     tuple(e for e in tl.employments if isinstance(e, Employment)))


def _tagged(rows: Sequence[Row]) -> list[Row]:
    return [{**r, "event_id": r["event_id"] + "~f"} for r in rows]


def continuation(plan: Plan, profile: Profile, s: State, u: Draws) -> list[Row]:
    """Rows after the as-of date for one customer, drawn from ``u``."""
    if s.referral is None:
        return []
    rows: list[Row] = []
    start = s.service_start
    if start is None and not plan.starts_at_referral:
        start = _service_start(profile, s, u)
        if start is not None:
            rows.append({"event_id": f"{s.customer_id}-s", "customer_id": s.customer_id,
                         "type": "service_start", "date": start.isoformat(),
                         **({"provider": s.provider} if s.provider else {})})
    if start is not None and not s.service_ended:
        last = _service_last(plan, profile, s, start, u)
        if last < start + timedelta(days=plan.service_days - 1):
            rows.append({"event_id": f"{s.customer_id}-x", "customer_id": s.customer_id,
                         "type": "service_end", "date": last.isoformat(), "reason": "ended"})
        rows.extend(r for r in service_rows(plan, s.customer_id, profile, start, last, u)
                    if r["date"] > s.as_of.isoformat())
    jobs, job_spans = _jobs(profile, s, start or s.referral, u)
    if plan.benefits:
        rows.extend(_benefits(profile, s, job_spans, u))
    return [*_tagged(rows), *jobs]  # a job under way keeps its id: its end corrects it


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
          ) -> tuple[list[Row], list[tuple[date, date]]]:
    """The job rows after the as-of date, and every job's span (real ones included)."""
    known = [j for j in s.employments if j.date <= s.as_of]
    spans = [(j.date, j.end or date.max) for j in s.employments]
    rows: list[Row] = []
    running = [j for j in known if j.end is None or j.end > s.as_of]
    for job in running:
        more, end = _going_on(profile, s, job, u)
        rows.extend(more)
        spans = [(a, end if a == job.date else b) for a, b in spans]
    if running or any(j.date > s.as_of for j in s.employments):
        return rows, spans
    begin = _first_job(profile, s, anchor, u) if not known else _next_job(profile, s, known, u)
    if begin is not None:
        new, new_spans = _new_jobs(profile, s, begin, u)
        rows.extend(_tagged(new))
        spans.extend(new_spans)
    return rows, spans


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


def _new_jobs(profile: Profile, s: State, begin: date, u: Draws
              ) -> tuple[list[Row], list[tuple[date, date]]]:
    jobs = profile.jobs
    rows: list[Row] = []
    spans: list[tuple[date, date]] = []
    for n in range(1 + int(jobs.more.draw(u(), u()))):
        length = max(int(jobs.length_days.draw(u(), u())), 1)
        end = None if u.chance(jobs.ongoing) else begin + timedelta(days=length - 1)
        rows.extend(job_rows(f"{s.customer_id}-e{n}", s.customer_id, profile, begin, end, u))
        spans.append((begin, end or date.max))
        if end is None:
            break
        begin = end + timedelta(days=1 + int(jobs.gap_days.draw(u(), u())))
    return rows, spans


def _benefits(profile: Profile, s: State, spans: Sequence[tuple[date, date]], u: Draws
              ) -> list[Row]:
    ben = profile.benefits
    assert s.referral is not None
    month = add_months(s.as_of.replace(day=1), 1)
    until = add_months(s.referral.replace(day=1), ben.months_after)
    rows = []
    while month < until:
        mid = month + timedelta(days=14)
        working = any(a <= mid <= b for a, b in spans)
        days = 0 if working else int(ben.days_per_month.draw(u(), u()))
        rows.append({"event_id": f"{s.customer_id}-b{month.isoformat()[:7]}",
                     "customer_id": s.customer_id, "type": "benefit",
                     "date": month.isoformat(), "days": str(days),
                     "amount": f"{days * ben.daily_amount.draw(0.5, 0.5):.2f}"})
        month = add_months(month, 1)
    return rows
