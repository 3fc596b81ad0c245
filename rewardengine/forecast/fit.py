"""A cohort fitted from real event data: empirical distributions per segment.

Every customer who entered (a referral; where the contract needs none, a service start: the
referral's day is then the start's) is read as of the last date the data knows (the latest
``recorded`` date, else ``date``; or an earlier as-of date: the rows known by then), with
the engine's own segment, provider and service (``build_context``). Per segment it measures
what the cohort describes:

- service: the share that started, days from referral to start, the share ended early
  and how far into the longest service, contacts per service month (a Poisson mean), the
  share of contacts answered, hours delivered in each month with hours, and how many
  service months have hours (a product-limit median);
- jobs: the share reaching one, days from the service start (else the referral) to the
  first, lengths of ended jobs, the share without an end, further jobs (a Poisson mean),
  gaps, hours per week, the kinds (subsidised, apprenticeship, entrepreneur), evidence as
  first known, self-reports later confirmed by the register and how long that took, wages
  (earlier work, a job that ended before the referral, left out);
- earlier work: the share with a job that ended before the referral, and of the one that
  ended last its days, hours, kind, wage and whether the first job after it was with the
  same employer;
- education: the share taking a course, days from the referral to it and its days;
  surveys: the share answering of those asked (a week into their service), first scores and
  their change; benefit days at referral, age and months of unemployment at referral
  (else from the day after the earlier job ended).

Data that ends before the customers' stories do (taken mid-contract) is allowed for: the
shares that start, end early, reach a job and take a course, the days to them, job lengths,
the share going on and the gaps between jobs are product-limit estimates (stopped where
fewer than ``MIN_AT_RISK`` are waiting) (the jobs read as of the
data's recording lag before its end, ``_Lags``), further jobs a maximum-likelihood Poisson
mean (``survival``). Where nothing is cut off the shares and the days are the plain counts,
exactly; further jobs are an estimate wherever a customer's last job has no end.

A distribution is written as 21 quantiles (every 5 %, ``empirical``); a share to four
places. Each estimate says, in a comment, how many customers (or jobs, contacts, months) it
rests on; one resting on fewer than ``MIN_CUSTOMERS`` customers (a value per job, contact or
month: fewer than as many of those, or a segment of fewer customers) keeps the documented
default and says so. Referrals per month, the segment mix and the provider mix are fitted
over all.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ..cohort import Cohort, is_row_name, load_cohort_text
from ..contract.load import LoadedContract
from ..evaluate.context import CustomerContext, build_context
from ..events.model import Contact, Education, Employment, EventBase, Hours, Survey
from ..events.timeline import group_by_customer, timeline
from ..values import Duration, add_months, counted
from .conditional import is_earlier_work, last_earlier
from .survival import (
    MIN_AT_RISK,
    Estimated,
    Observed,
    poisson_mean,
    product_limit,
    weighted_quantiles,
)
from .wages import jobs_read_from_wages, with_jobs_from_wages

MIN_CUSTOMERS = 5
# the full-time week a drawn job's hours are divided by to give its FTE (the cohort's
# ``jobs.full_time_hours`` default): a job recorded in FTE is fitted as its hours at it
DRAWN_FULL_TIME = 37.5
QUANTILE_POINTS = 21


@dataclass
class Estimate:
    """One fitted value: what is written, and how many it rests on."""

    value: Any  # a share (Decimal), a number, or a list of quantiles
    n: int
    unit: str = "customers"
    kind: str = "share"  # share, empirical, poisson
    # how many observations the data's end cut off (censored) that the value allows for (a
    # product-limit or maximum-likelihood estimate, ``survival``): of those it rests on for
    # a share, beside them for a distribution (the times of those that had the event)
    censored: int = 0
    followed: float | None = None  # then: the longest any of them was followed (days)
    early: int = 0  # of those cut off, how many before the last event (``_cut_short``)
    # the time past which too few were followed to estimate (``survival.MIN_AT_RISK``)
    stopped: float | None = None


@dataclass
class Section:
    """Measurements for one part of a profile (service, jobs, ...)."""

    values: dict[str, Estimate] = field(default_factory=dict)

    def share(self, name: str, hits: int, n: int, unit: str = "customers") -> None:
        if n:
            self.values[name] = Estimate(_share(hits, n), n, unit)

    def empirical(self, name: str, xs: Sequence[float], n: int, unit: str = "customers",
                  floor: float | None = 0.0) -> None:
        # a distribution fitted this way is of a count, a length or an amount, which a cohort
        # never draws below 0 (G103): a value below it in the data is read as 0 (``floor``;
        # None for a change of score, which may fall)
        if xs:
            kept = xs if floor is None else [max(x, floor) for x in xs]
            self.values[name] = Estimate(quantiles(kept), n, unit, "empirical")

    def poisson(self, name: str, mean: float, n: int, unit: str, censored: int = 0) -> None:
        self.values[name] = Estimate(round(mean, 3), n, unit, "poisson", censored)

    def waited(self, share: str, spread: str, est: Estimated, unit: str = "customers",
               shown: Callable[[float], float] = float, first: float = -math.inf,
               longest: bool = True) -> None:
        """A share having an event and the distribution of the time to it, from times some
        of which are still running when the data ends (``survival.product_limit``); the
        plain count where none is (``est.censored`` 0). ``shown``: a time as written (in
        order); ``first``: times below it count in the share but not in the distribution
        (a job begun before the service start); ``longest``: say how long the longest was
        followed (not where that is a bound of the time itself, a service's length)."""
        n = est.observed
        if not n:
            return
        if not est.times:  # none seen to have it, every one cut off: nothing is known
            self.values[share] = Estimate(Decimal(0), 0, unit, censored=est.censored,
                                          followed=est.followed if longest else None)
            return
        if not est.censored:
            self.share(share, len(est.times), n, unit)
        else:
            self.values[share] = Estimate(_four_places(est.share), n, unit, censored=est.censored,
                                          followed=est.followed if longest else None,
                                          early=est.early, stopped=est.stopped)
        self.spread(spread, est, unit, shown, first, longest)

    def spread(self, name: str, est: Estimated, unit: str,
               shown: Callable[[float], float] = float, first: float = -math.inf,
               longest: bool = True) -> None:
        """The distribution of the time to an event, given it happens (``waited``)."""
        kept = [(t, w) for t, w in est.times if t >= first]
        if not kept:
            return
        if not est.censored:
            self.empirical(name, [shown(t) for t, _ in kept], len(kept), unit)
            return
        total = sum(w for _, w in kept)
        times = [(shown(t), w / total) for t, w in kept]
        self.values[name] = Estimate(weighted_quantiles(times, QUANTILE_POINTS), len(kept),
                                     unit, "empirical", est.censored,
                                     est.followed if longest else None, est.early,
                                     est.stopped)


def _product_limit(seen: Sequence[Observed]) -> Estimated:
    """The product-limit estimate, stopped where fewer than ``MIN_AT_RISK`` are waiting."""
    return product_limit(seen, MIN_AT_RISK)


def _four_places(share: float) -> Decimal:
    """An estimated share as written: to four places."""
    return Decimal(share).quantize(Decimal("0.0001"))


def _share(hits: int, n: int) -> Decimal:
    return (Decimal(hits) / Decimal(n)).quantize(Decimal("0.0001"))


def _mix(counts: Mapping[str, int]) -> dict[str, Decimal]:
    """A mix of shares to four places that adds up to exactly 1 (largest remainder: each
    share rounded down, the ten-thousandths left over go to the largest remainders, the first
    named on a tie), so the written cohort reads back without G107 (shares not adding up to
    1). Each share rests on the customers (or jobs) counted in the mix, not on all."""
    total = sum(counts.values())
    if total == 0:
        return {k: _share(0, 1) for k in counts}
    whole = {k: v * _PLACES // total for k, v in counts.items()}
    left = _PLACES - sum(whole.values())
    for k in sorted(counts, key=lambda k: -(counts[k] * _PLACES % total))[:left]:
        whole[k] += 1
    return {k: Decimal(v).scaleb(-4) for k, v in whole.items()}


_PLACES = 10_000  # a share is written to four places


def quantiles(xs: Sequence[float]) -> list[float]:
    """``QUANTILE_POINTS`` equally spaced quantiles (type 7), to two places."""
    ordered = sorted(xs)
    out = []
    for k in range(QUANTILE_POINTS):
        h = (len(ordered) - 1) * k / (QUANTILE_POINTS - 1)
        lo = int(h)
        hi = min(lo + 1, len(ordered) - 1)
        out.append(round(ordered[lo] + (h - lo) * (ordered[hi] - ordered[lo]), 2))
    return out


@dataclass
class Fitted:
    """A fitted cohort: the cohort itself, its YAML (with the counts as comments), and per
    segment the estimates and how many customers each rests on."""

    cohort: Cohort
    text: str
    customers: int
    as_of: date
    segments: dict[str, int]
    profiles: dict[str, dict[str, Section]]
    defaults: list[str]  # estimates left at their default: too few customers
    # per segment, what the data's end hides from the fit (``cut_short``)
    cut_short: list[str] = field(default_factory=list)


def _data_date(events: Sequence[EventBase]) -> date:
    return max((e.known_on for e in events), default=date(2000, 1, 1))


def contexts(loaded: LoadedContract, events: Sequence[EventBase], as_of: date | None = None
             ) -> tuple[date, list[CustomerContext]]:
    """Each customer who entered by ``as_of`` (a referral known, or where the contract needs
    none a service start: ``CustomerContext.entered``), as the evaluation sees them then:
    rows known later are not read. The data's last day when not given or earlier: the
    data cannot tell that nothing happened after it, so no one is followed past it."""
    last = _data_date(events)
    as_of = last if as_of is None else min(as_of, last)
    out = []
    from_wages = jobs_read_from_wages(loaded)
    for cid, rows in group_by_customer(events).items():
        if from_wages:  # wages alone record the work: its jobs read from them (``wages``)
            rows = list(with_jobs_from_wages(cid, rows, as_of))
        ctx = build_context(loaded, timeline(cid, rows, as_of))
        if ctx.entered is not None and not ctx.problems:
            out.append(ctx)
    return as_of, out


def _service(loaded: LoadedContract, people: Sequence[CustomerContext]) -> Section:
    sec = Section()
    length = loaded.contract.windows.service.max_length
    started = [c for c in people if c.service is not None]
    if loaded.contract.windows.service.starts_at == "service_start":
        sec.waited("starts", "days_to_start", _product_limit([_to_start(c) for c in people]),
                   shown=int)
    else:
        sec.share("starts", len(started), len(people))
    sec.waited("ends_early", "share_of_length",
               _product_limit([_to_early_end(c, _longest(length, c)) for c in started]),
               shown=lambda share: round(share, 3), longest=False)
    contacts = [e for c in started for e in c.timeline.contacts if isinstance(e, Contact)]
    months = sum(_service_months(c) for c in started)
    if months > 0:
        sec.poisson("contacts_per_month", len(contacts) / months, len(started), "customers")
    sec.share("responds", sum(1 for e in contacts if e.responded), len(contacts), "contacts")
    hours: dict[tuple[str, str], float] = {}
    for c in started:
        for h in c.timeline.hours:
            if isinstance(h, Hours):
                key = (c.customer_id, h.date.isoformat()[:7])
                hours[key] = hours.get(key, 0.0) + float(h.hours)
    sec.empirical("hours_per_month", list(hours.values()), len(hours), "months")
    _hours_months(sec, [o for c in started if (o := _hours_stopped(c)) is not None])
    # the reason of the end that ended each service, and the activity of each hours row
    _names(sec, "end_reasons", [c.timeline.service_ends[0].reason for c in started
                                if c.service_ended and c.timeline.service_ends],
           "service ends")
    _names(sec, "activities", [h.activity for c in started for h in c.timeline.hours],
           "hours rows")
    return sec


def _names(sec: Section, key: str, names: Iterable[str | None], unit: str) -> None:
    """The mix of the names rows hold (``cohort.NameMix``), over the rows naming one a
    cohort can name, in the names' order."""
    counts = Counter(n for n in names if n is not None and is_row_name(n))
    if counts:
        sec.values[key] = Estimate(_mix(dict(sorted(counts.items()))),
                                   sum(counts.values()), unit, "mix")


def _hours_months(sec: Section, seen: Sequence[Observed]) -> None:
    """The service months hours are delivered in (the cohort's ``hours_months``, one whole
    number): the product-limit median of the months from the start to the last with hours,
    where a customer whose hours were not seen to stop is cut off there; past every month
    followed when fewer than half are seen to stop: the most months anyone was followed
    (hours went on as long as that)."""
    if not seen:
        return
    # a median, read where half have stopped: the thin tail past it does not move it, and
    # an estimate stopped before half (``_product_limit``) would read as the longest followed
    est = product_limit(seen)
    reached, median = 0.0, est.followed
    for months, weight in est.times:
        reached += est.share * weight
        if reached >= 0.5 - 1e-9:  # half exactly, whatever the sum's rounding
            median = months
            break
    # those cut off by the data's end, not those seen through to their service's end
    cut = sum(1 for o in seen if not o.happened and o.cut_off)
    sec.values["hours_months"] = Estimate(min(max(int(median), 1), 24), len(seen),
                                          "customers", "count", cut)


def _hours_stopped(c: CustomerContext) -> Observed | None:
    """The service months a customer was given hours in (from the first to the last month
    with any): seen to stop when a whole service month after the last with hours has run
    by the data's end (or by the service's end) with none, else cut off there. None: no
    hours."""
    assert c.service is not None
    days = [h.date for h in c.timeline.hours if isinstance(h, Hours)
            and c.service.start <= h.date < c.service.end]
    if not days:
        return None
    start = c.service.start
    last = _month_index(start, max(days))
    # the month after the last with hours has ended within the service, by the data's end
    data_end = c.timeline.as_of + timedelta(days=1)
    ran_to = min(c.service.end, data_end)
    # not seen to stop: cut off by the data's end, or seen through to the service's end
    return Observed(float(last + 1), add_months(start, last + 2) <= ran_to,
                    cut_off=c.service.end > data_end)


def _month_index(anchor: date, day: date) -> int:
    """Which service month from ``anchor`` (the first is 0) ``day`` falls in."""
    i = (day.year - anchor.year) * 12 + day.month - anchor.month
    return i if add_months(anchor, i) <= day else i - 1


def _service_months(c: CustomerContext) -> float:
    """The months (of 30.44 days) a started service has run by the data's end: the whole
    service when it has ended (at least a month: its contacts come in its first weeks), the
    days to the data's end while it goes on (its months ahead hold no contact yet)."""
    assert c.service is not None
    if c.service_ended:
        return max(c.service.days / 30.44, 1.0)
    # none for a start still ahead (recorded before its date: a planned start)
    return max((min(c.service.end, c.timeline.as_of + timedelta(days=1))
                - c.service.start).days, 0) / 30.44


def _to_start(c: CustomerContext) -> Observed:
    """Days from the referral to the service start, or as long as the customer has waited
    for one when the data ends."""
    referred = c.entered or c.timeline.as_of
    if c.service is not None:  # a start dated before the referral is read as on its day
        return Observed(float(max((c.service.start - referred).days, 0)), True)
    return Observed(float(max((c.timeline.as_of - referred).days, 0)), False)


def _longest(length: Duration, c: CustomerContext) -> int:
    """The days of the longest service from the customer's start (months are calendar
    months, as the engine counts them and the generator draws them)."""
    assert c.service is not None
    return (length.after(c.service.start) - c.service.start).days


def _to_early_end(c: CustomerContext, longest: int) -> Observed:
    """A started service's share of its longest length (``longest`` days) run to an early
    end, or run without one: to the data's end, or all of it (it ran its length)."""
    assert c.service is not None
    if c.service_ended and c.timeline.service_ends and c.service.days < longest:
        return Observed(c.service.days / longest, True)
    run = min(max((c.timeline.as_of - c.service.start).days + 1, 0), longest)
    # its length run: seen through
    return Observed(run / longest, False, cut_off=run < longest)


_BEFORE_START = -1.0  # a first job begun before the service start: in the share, not the days
LAG_SHARE = 0.95  # of a job's records, the share a lag allows for (``_Lags``)


@dataclass(frozen=True)
class _Lags:
    """How many days after a job begins (ends) the data records it: the 95th percentile of
    what it shows over every customer (the first record of each job begun on or after the
    customer's referral: one held before it is recorded with the referral's data; the first
    record of each job's end as it stands, an end recorded before its day at 0). A job
    begun (an end) nearer the data's end than that may not be recorded yet, so the jobs are
    read as of that many days before the data's end; past it, all is taken as cut off."""

    start: int
    end: int

    @staticmethod
    def of(people: Sequence[CustomerContext]) -> _Lags:
        starts: list[int] = []
        ends: list[int] = []
        for c in people:
            referred = c.entered or date.min
            for job in _employments(c):
                if job.date >= referred:
                    starts.append((c.timeline.first_version(job).known_on - job.date).days)
                if job.end is not None:
                    ends.append((_end_recorded(c, job) - job.end).days)
        return _Lags(_most_of(starts), _most_of(ends))

    @property
    def most(self) -> int:
        return max(self.start, self.end)


def _end_recorded(c: CustomerContext, job: Employment) -> date:
    """When the job's end, as it stands, was first recorded: the earliest of its versions
    that carry that end (a later confirmation or correction of the same job says nothing of
    when its end came in)."""
    return min(v.known_on for v in (*c.timeline.superseded, job)
               if v.event_id == job.event_id and getattr(v, "end", None) == job.end)


def _most_of(days: Sequence[int]) -> int:
    """The ``LAG_SHARE`` quantile of ``days``, by nearest rank (of 20 days, the 19th; 0 of
    none; a day below 0, an end recorded before it came, as 0)."""
    if not days:
        return 0
    ordered = sorted(max(d, 0) for d in days)
    return ordered[max(math.ceil(LAG_SHARE * len(ordered)) - 1, 0)]


def _all_jobs(c: CustomerContext) -> list[Employment]:
    """Every job of the customer's, earlier work too, in the order they began."""
    return sorted((e for e in c.timeline.employments if isinstance(e, Employment)),
                  key=lambda e: e.date)


def _is_earlier(c: CustomerContext, job: Employment) -> bool:
    """Whether ``job`` is earlier work (``conditional.is_earlier_work``): no job the
    service led to."""
    return is_earlier_work(job, c.entered, c.service.start if c.service else None)


def _earlier_jobs(c: CustomerContext) -> list[Employment]:
    """The customer's earlier work, in the order it began."""
    return [e for e in _all_jobs(c) if _is_earlier(c, e)]


def _employments(c: CustomerContext) -> list[Employment]:
    """The customer's jobs from the referral on (earlier work left out), in the order they
    began."""
    return [e for e in _all_jobs(c) if not _is_earlier(c, e)]


def _earlier_work(people: Sequence[CustomerContext]) -> Section:
    """Work before the referral, as the generator draws it (``cohort.EarlierWork``): per
    customer, the earlier job that ended last (the one the unemployment followed)."""
    sec = Section()
    pairs = [(job, _employments(c)) for c in people
             if (job := last_earlier(_earlier_jobs(c)))]
    last = [e for e, _ in pairs]
    sec.share("share", len(last), len(people))
    sec.empirical("length_days", [float((e.end - e.date).days + 1) for e in last
                                  if e.end is not None], len(last), "jobs")
    hours = [h for e in last if (h := _weekly_hours(e)) is not None]
    sec.empirical("hours_per_week", hours, len(hours), "jobs")
    sec.share("subsidised", sum(1 for e in last if e.kind == "subsidised"), len(last), "jobs")
    sec.empirical("wage", [float(e.wage) for e in last if e.wage is not None],
                  sum(1 for e in last if e.wage is not None), "jobs")
    # of those with a job after it too, both naming an employer: the first one with the same
    named = [(e.employer, later[0].employer) for e, later in pairs
             if later and e.employer is not None and later[0].employer is not None]
    sec.share("same_employer", sum(1 for a, b in named if a == b), len(named))
    return sec


def _to_first_job(c: CustomerContext, lags: _Lags) -> Observed | None:
    """Days from the service start (else the referral) to the first job, or the days waited
    for one by ``lags.start`` days before the data's end (a job begun later may not be
    recorded yet: one that is counts as not seen); None for a customer whose start came
    after that (not yet waiting then)."""
    anchor = c.service.start if c.service else c.entered or c.timeline.as_of
    seen_by = c.timeline.as_of - timedelta(days=lags.start)
    jobs = _employments(c)
    if jobs and jobs[0].date <= seen_by:
        first = jobs[0].date
        return Observed(float((first - anchor).days) if first >= anchor else _BEFORE_START,
                        True)
    return Observed(float((seen_by - anchor).days), False) if anchor <= seen_by else None


def _job_lengths(working: Sequence[CustomerContext], lags: _Lags) -> list[Observed]:
    """Each job's days to its end, read as of the longer lag before the data's end (an end,
    or a job begun, after it may not be recorded yet): ended by then, its days; else the
    days it had lasted then (it may go on, or its end is still ahead). A job begun after it
    is left out."""
    seen = []
    for c in working:
        seen_by = c.timeline.as_of - timedelta(days=lags.most)
        for job in _employments(c):
            if job.date > seen_by:
                continue
            if job.end is not None and job.end <= seen_by:
                seen.append(Observed(float((job.end - job.date).days + 1), True))
            else:
                seen.append(Observed(float((seen_by - job.date).days + 1), False))
    return seen


def _jobs(people: Sequence[CustomerContext], lags: _Lags) -> Section:
    sec = Section()
    working = [c for c in people if _employments(c)]
    firsts = [_to_first_job(c, lags) for c in people]
    sec.waited("share", "days_to_first", _product_limit([o for o in firsts if o is not None]),
               first=0.0)
    jobs = [e for c in working for e in _employments(c)]
    lengths = _product_limit(_job_lengths(working, lags))
    sec.spread("length_days", lengths, "jobs")
    _ongoing(sec, lengths)
    if working:
        seen = _chains(working)
        mean, allowed = poisson_mean(seen)
        sec.poisson("more", mean, len(working), "customers",
                    sum(1 for _, unseen in seen if unseen > 0) if allowed else 0)
    sec.spread("gap_days", _product_limit(_gaps(working, lags)), "gaps")
    hours = [h for e in jobs if (h := _weekly_hours(e)) is not None]
    sec.empirical("hours_per_week", hours, len(hours), "jobs")
    # the kinds as one mix with open work (rounded by largest remainder), so their shares
    # never add up to more than 1 (rounded apart, 1/6 + 1/6 + 4/6 came to 1.0001: G103)
    kinds = _mix({k: sum(1 for e in jobs if e.kind == k) for k in (
        "subsidised", "apprenticeship", "entrepreneur", "open")}) if jobs else {}
    for kind in ("subsidised", "apprenticeship", "entrepreneur"):
        if jobs:
            sec.values[kind] = Estimate(kinds[kind], len(jobs), "jobs")
    _evidence(sec, people, jobs)
    sec.empirical("wage", [float(e.wage) for e in jobs if e.wage is not None],
                  sum(1 for e in jobs if e.wage is not None), "jobs")
    return sec


def _weekly_hours(e: Employment) -> float | None:
    """A job's hours a week: as given, else its FTE at the full-time week the generator
    divides by (``DRAWN_FULL_TIME``); a job recorded in FTE alone was left out before."""
    if e.hours_per_week is not None:
        return float(e.hours_per_week)
    return None if e.fte is None else float(e.fte) * DRAWN_FULL_TIME


def _after_ends(c: CustomerContext) -> list[tuple[Employment, Employment | None]]:
    """Each ended job of the customer with the job that began after it (None after the
    last); jobs that overlap are passed over."""
    jobs = _employments(c)
    return [(a, b) for a, b in zip(jobs, [*jobs[1:], None], strict=True)
            if a.end is not None and (b is None or b.date > a.end)]


def _chains(working: Sequence[CustomerContext]) -> list[tuple[int, float]]:
    """Per customer in work, the further jobs seen after the first and the chance that one
    more, if there is one, is not seen yet when the data ends (``survival.poisson_mean``):
    1 after a job without an end (it may go on, and a job going on ends the chain, or it
    may end and another follow); after an ended job, the chance that the next one's first
    record comes later than the data's end, by the days from an end to the next job's first
    record (a product-limit estimate: the last ended job of each customer waits still)."""
    waits = []
    for c in working:
        for a, b in _after_ends(c):
            assert a.end is not None
            known = c.timeline.as_of if b is None else c.timeline.first_version(b).known_on
            waits.append(Observed(float((known - a.end).days), b is not None))
    # the chance a next record comes after the data's end, read off the whole estimate: one
    # stopped early would take every wait past the stop as certain to be seen
    after = product_limit(waits).times
    seen = []
    for c in working:
        jobs = _employments(c)
        last = jobs[-1]
        if last.end is None:
            unseen = 1.0
        else:
            waited = (c.timeline.as_of - last.end).days
            unseen = sum(w for days, w in after if days > waited)
        seen.append((len(jobs) - 1, unseen))
    return seen


def _gaps(working: Sequence[CustomerContext], lags: _Lags) -> list[Observed]:
    """The days between a job's end and the next job's start, read as of ``lags.start`` days
    before the data's end (a job begun later may not be recorded yet); after a customer's
    last ended job, the days waited by then (there may be none to come: the share of
    chains that go on is ``more``'s, and the gaps are those of the jobs that follow)."""
    seen = []
    for c in working:
        seen_by = c.timeline.as_of - timedelta(days=lags.start)
        for a, b in _after_ends(c):
            assert a.end is not None
            if a.end >= seen_by:
                continue  # ended too near the data's end to wait at all
            if b is not None and b.date <= seen_by:
                seen.append(Observed(float((b.date - a.end).days - 1), True))
            else:
                seen.append(Observed(float((seen_by - a.end).days - 1), False))
    return seen


def _ongoing(sec: Section, lengths: Estimated) -> None:
    """The share of jobs without an end: those not seen to end (``_job_lengths``); with no
    job seen to end, none is known to (it rests on none, and keeps its default)."""
    n = lengths.observed
    if not n:
        return
    if not lengths.times:
        sec.values["ongoing"] = Estimate(Decimal(1), 0, "jobs", censored=lengths.censored)
        return
    if not lengths.censored:
        sec.share("ongoing", n - len(lengths.times), n, "jobs")
        return
    sec.values["ongoing"] = Estimate(Decimal(1) - _four_places(lengths.share), n, "jobs",
                                     censored=lengths.censored, followed=lengths.followed,
                                     early=lengths.early, stopped=lengths.stopped)


def _evidence(sec: Section, people: Sequence[CustomerContext], jobs: Sequence[Employment]
              ) -> None:
    told: dict[tuple[str, str], date] = {}  # first known as a self-report
    registered: dict[tuple[str, str], date] = {}  # first known from the register
    first: dict[tuple[str, str], tuple[date, int, str]] = {}  # the evidence first known
    for c in people:
        earlier = {e.event_id for e in _earlier_jobs(c)}
        for i, e in enumerate((*c.timeline.superseded, *c.timeline.employments)):
            if not isinstance(e, Employment) or e.event_id in earlier:
                continue
            key = (c.customer_id, e.event_id)
            first[key] = min(first.get(key, (e.known_on, i, e.evidence)),
                             (e.known_on, i, e.evidence))
            seen = told if e.evidence == "self_report" else registered \
                if e.evidence == "register" else None
            if seen is not None:
                seen[key] = min(seen.get(key, e.known_on), e.known_on)
    if jobs:
        # the evidence each job was first known with, as the generator draws it: a
        # self-report confirmed later is drawn as a self-report and then confirmed with the
        # share `confirmed` below, so its later register row must not count here too
        keys = {(c.customer_id, e.event_id) for c in people for e in _employments(c)}
        levels = Counter(first[k][2] for k in keys if k in first)
        sec.values["evidence"] = Estimate(_mix({k: levels[k] for k in (
            "register", "te_office", "employer", "self_report")}), len(jobs), "jobs", "mix")
    as_of = max((c.timeline.as_of for c in people), default=date.min)
    sec.waited("confirmed", "confirm_delay_days", _product_limit([
        Observed(float((registered[k] - told[k]).days), True)
        if k in registered and registered[k] >= told[k]
        else Observed(float(max((as_of - told[k]).days, 0)), False) for k in told]),
        "self-reports")


def _others(people: Sequence[CustomerContext], instruments: frozenset[str]
            ) -> dict[str, Section]:
    benefits, person = Section(), Section()
    refs = [c.timeline.referral for c in people if c.timeline.referral is not None]
    days = [float(r.benefit_days) for r in refs if r.benefit_days is not None]
    benefits.empirical("benefit_days", days, len(days))
    # a date after the referral (mistyped, or unemployment recorded late) is read as 0: a
    # cohort draws no negative age or months
    ages = [max((r.date - r.birth_date).days, 0) / 365.25 for r in refs if r.birth_date]
    person.empirical("age", [round(a, 1) for a in ages], len(ages))
    months = [m for c in people if (m := _months_unemployed(c)) is not None]
    person.empirical("unemployment_months", [round(m, 1) for m in months], len(months))
    expenses = Section()
    _names(expenses, "categories", [e.category for c in people for e in c.timeline.expenses],
           "expenses")
    return {"education": _education(people), "surveys": _surveys(people, instruments),
            "benefits": benefits, "expenses": expenses, "person": person}


def _months_unemployed(c: CustomerContext) -> float | None:
    """Months from the unemployment's start to the referral: ``unemployed_since``, else the
    day after the earlier job that ended last (the generator ends it the day before the
    unemployment began); None where neither is known."""
    ref = c.timeline.referral
    since = ref.unemployed_since if ref is not None else None
    if since is None:
        last = last_earlier(_earlier_jobs(c))
        since = None if last is None or last.end is None else last.end + timedelta(days=1)
    entered = c.entered
    if since is None or entered is None:
        return None
    return max((entered - since).days, 0) / 30.44


def _education(people: Sequence[CustomerContext]) -> Section:
    """The share taking a course and the days from the referral to its start, allowing for
    customers referred too lately to have begun one by the data's end (product-limit), and
    the courses' days."""
    sec = Section()
    seen = []
    for c in people:
        if c.entered is None:
            continue
        starts = [e.date for e in c.timeline.educations]
        if starts:
            seen.append(Observed(float(max((min(starts) - c.entered).days, 0)), True))
        else:
            seen.append(Observed(float(max((c.timeline.as_of - c.entered).days, 0)), False))
    if any(o.happened for o in seen):
        sec.waited("share", "days_to_start", _product_limit(seen))
    else:  # none took a course: a share of 0, resting on every customer followed
        sec.share("share", 0, len(seen))
    spans = [float((e.end - e.date).days) for c in people for e in c.timeline.educations
             if isinstance(e, Education) and e.end is not None]
    sec.empirical("length_days", spans, len(spans), "courses")
    _names(sec, "kinds", [e.kind for c in people for e in c.timeline.educations], "courses")
    return sec


SURVEY_DAYS = 7  # the generator's first survey comes a week after the service start


def _surveys(people: Sequence[CustomerContext], instruments: frozenset[str]) -> Section:
    """Of the customers whose service start was recorded a week before the data's end (the
    generator asks those, a week after the start), the share answering one; the first score
    of each instrument, and its change to the last where a customer answered twice. Only
    the ``instruments`` the contract reads (all, where it names none): the generator draws
    those alike, and another scale would skew both."""
    sec = Section()
    asked = [c for c in people if c.timeline.service_starts
             and (c.timeline.as_of - c.timeline.service_starts[0].date).days >= SURVEY_DAYS]

    def read(e: object) -> bool:
        return isinstance(e, Survey) and (not instruments or e.instrument in instruments)

    sec.share("share", sum(1 for c in asked if any(map(read, c.timeline.surveys))),
              len(asked))
    firsts: list[float] = []
    changes: list[float] = []
    for c in asked:
        by: dict[str, list[Survey]] = {}
        for e in sorted((e for e in c.timeline.surveys if isinstance(e, Survey) and read(e)),
                        key=lambda e: e.date):
            by.setdefault(e.instrument, []).append(e)
        for answers in by.values():
            firsts.append(float(answers[0].score))
            if len(answers) > 1:
                changes.append(float(answers[-1].score - answers[0].score))
    sec.empirical("first_score", firsts, len(firsts), "surveys")
    sec.empirical("change", changes, len(changes), "surveys", floor=None)
    return sec


def _profile(loaded: LoadedContract, people: Sequence[CustomerContext], lags: _Lags
             ) -> dict[str, Section]:
    instruments = frozenset(v for comp in loaded.contract.components
                            for w in comp.wanted_events() if w.type == "survey"
                            for v in w.values("instrument") or ())
    return {"service": _service(loaded, people), "jobs": _jobs(people, lags),
            "earlier_work": _earlier_work(people), **_others(people, instruments)}


def _number(x: float) -> str:
    return f"{x:g}" if abs(x) < 1e15 else f"{x:.0f}"


def _value(e: Estimate) -> str:
    if e.kind == "empirical":
        return "{empirical: [" + ", ".join(_number(x) for x in e.value) + "]}"
    if e.kind == "poisson":
        return "{poisson: {mean: " + _number(e.value) + "}}"
    if e.kind == "mix":
        return "{" + ", ".join(f"{_key(k)}: {v}" for k, v in e.value.items()) + "}"
    return str(e.value)


_PLAIN_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")
# words YAML reads as another value than the text
_YAML_WORDS = frozenset({"yes", "no", "y", "n", "true", "false", "on", "off", "null"})


def _key(name: str) -> str:
    """A name as a key of a YAML mapping: plain when YAML reads it back as that text, else
    quoted (as JSON, which YAML reads)."""
    if _PLAIN_KEY.fullmatch(name) and name.lower() not in _YAML_WORDS:
        return name
    return json.dumps(name, ensure_ascii=False)  # names are printable (is_row_name)


def _units(e: Estimate) -> str:
    """What an estimate rests on: ``1 customer``, ``12 jobs`` (units are plural nouns)."""
    return counted(e.n, e.unit.removesuffix("s"), e.unit)


def _rests_on(e: Estimate) -> str:
    """What an estimate rests on, and how many of those the data's end cut off (their
    story goes on past it: the estimate allows for them, ``survival``)."""
    if not e.censored:
        return f"rests on {_units(e)}"
    said = f"rests on {_units(e)}, allowing for {e.censored:,} cut off by the data's end"
    if e.followed is None:
        return said
    if e.stopped is None:
        return f"{said} (none followed past {e.followed:g} days)"
    return (f"{said} (none followed past {e.followed:g} days; from {e.stopped:g} days on, "
            f"fewer than {MIN_AT_RISK} followed: not estimated)")


CUT_SHORT = Decimal("0.05")  # of those an estimate rests on, cut off by the data's end


def _cut_short(e: Estimate) -> bool:
    """Whether the data's end cut off at least ``CUT_SHORT`` of those ``e`` rests on before
    the last event it shows (a job still going after every job followed has ended is no
    sign of data that ends early)."""
    return e.followed is not None and e.early >= CUT_SHORT * e.n


def cut_short(profiles: Mapping[str, Mapping[str, Section]], counts: Mapping[str, int]
              ) -> list[str]:
    """Per segment, what a fit from data that ends early cannot see: a first job later than
    anyone was followed (the share reaching one is then a floor), a job longer than any
    was followed (drawn as going on to the horizon), and a course later than anyone was
    followed (the share taking one a floor too). Said where the data's end cut off at
    least ``CUT_SHORT`` of the customers (jobs) an estimate rests on, and where it matters:
    not of a share of 1 (all reach a job), nor of jobs none of which goes on, nor of an
    estimate left at its default (too few to estimate: the cohort does not use it)."""
    out = []
    for name, sections in profiles.items():
        jobs = {k: e for k, e in sections["jobs"].values.items() if _enough(e, counts[name])}
        share, ongoing = jobs.get("share"), jobs.get("ongoing")
        said = []
        if share is not None and _cut_short(share) and share.value < 1:
            said.append(f"no first job later than {share.followed:g} days after the start "
                        f"can be seen (the share reaching one, {share.value}, is a floor)")
        if ongoing is not None and _cut_short(ongoing) and ongoing.value > 0:
            going = (ongoing.value * 100).quantize(Decimal(1))
            when = (f"no job was followed past {ongoing.followed:g} days"
                    if ongoing.stopped is None else
                    f"fewer than {MIN_AT_RISK} jobs were followed past {ongoing.stopped:g} "
                    "days")
            said.append(f"{when}, and the {going} % still going then are drawn as going on "
                        "to the horizon")
        course = sections["education"].values.get("share") if "education" in sections \
            else None
        if course is not None and _enough(course, counts[name]) and _cut_short(course) \
                and course.value < 1:
            said.append(f"no course later than {course.followed:g} days after the referral "
                        f"can be seen (the share taking one, {course.value}, is a floor)")
        if said:
            out.append(f"{name}: " + "; ".join(said))
    return out


def _enough(e: Estimate, count: int) -> bool:
    """Whether ``e`` (of a segment of ``count`` customers) is written, not left at its
    default: a value per job (contact, month, ...) needs as many of those as a share needs
    customers, and a segment of as many customers."""
    return e.n >= MIN_CUSTOMERS and (e.unit == "customers" or count >= MIN_CUSTOMERS)


def _profile_yaml(name: str, count: int, sections: dict[str, Section],
                  defaults: list[str]) -> list[str]:
    out = [f"  {name}:  # {counted(count, 'customer')}"]
    written = False
    for part, sec in sections.items():
        kept, left = [], []
        for key, e in sec.values.items():
            if _enough(e, count):
                kept.append(f"      {key}: {_value(e)}  # {_rests_on(e)}")
            else:
                defaults.append(f"{name}.{part}.{key} ({_units(e)})")
                # said in the file too, so a reader tells a value assumed from one measured
                left.append(f"# {key}: the default, too few to estimate ({_units(e)})")
        if kept:
            written = True
            out.extend([f"    {part}:", *kept, *(f"      {c}" for c in left)])
        else:  # no key of the part is written (a part with comments alone would be empty)
            out.extend(f"    # {part}.{c[2:]}" for c in left)
    if not written:  # every value rests on too few customers: the profile is the default
        return [f"  {name}: {{}}  # {counted(count, 'customer')}: too few, every value the "
                "default"]
    return out


def _mixes(loaded: LoadedContract, people: Sequence[CustomerContext],
            segments: Mapping[str, int], providers: Mapping[str, int], defaults: list[str]
            ) -> list[str]:
    """The segment and provider mixes, as every estimate only from ``MIN_CUSTOMERS``
    customers on (one customer made a mix of one segment and one provider); else the
    default mix, said as a comment where the key would be and in ``defaults``."""
    out, many = [], len(people) >= MIN_CUSTOMERS
    if any(segments.values()) and loaded.contract.segments is not None:
        shown = ", ".join(f"{s} {k:,}" for s, k in segments.items())
        if many:
            out.append("segments: {" + ", ".join(f"{s}: {k}" for s, k in
                                                 _mix(segments).items()) + "}  # customers: "
                       + shown)
        else:
            out.append(f"# segments: the default, too few to estimate (customers: {shown})")
            defaults.append(f"segments ({counted(len(people), 'customer')})")
    if providers:
        if many:
            out.append("providers: {" + ", ".join(
                f"{p}: {k}" for p, k in _mix(dict(sorted(providers.items()))).items()) + "}")
        else:
            out.append("# providers: the default, too few to estimate")
            defaults.append(f"providers ({counted(sum(providers.values()), 'customer')})")
    return out


def fit_cohort(loaded: LoadedContract, events: Sequence[EventBase], as_of: date | None = None
               ) -> Fitted:
    """The cohort the events show as known by ``as_of`` (``contexts``; see the module's
    docstring)."""
    as_of, people = contexts(loaded, events, as_of)
    by_segment: dict[str, list[CustomerContext]] = {}
    for c in people:
        by_segment.setdefault(c.segment or "default", []).append(c)
    ids = loaded.contract.segment_ids()
    segments = {s: len(by_segment.get(s, [])) for s in ids}
    providers = Counter(c.provider for c in people if c.provider)
    months = Counter(day.isoformat()[:7] for c in people if (day := c.entered))
    lines = [f"# fitted from the events of {counted(len(people), 'customer')} as of {as_of} "
             "(rewardengine cohort fit)", f"id: fitted-{loaded.contract.metadata.id}",
             "referrals:", f"  size: {max(len(people), 1)}",
             "  per_month: {" + ", ".join(f"{m}: {k}" for m, k in sorted(months.items()))
             + "}" if months else "  # no referral dates"]
    defaults: list[str] = []
    lines.extend(_mixes(loaded, people, segments, providers, defaults))
    lags = _Lags.of(people)  # how late the data records jobs: the same for every segment
    profiles = {s: _profile(loaded, group, lags) for s, group in sorted(by_segment.items())
                if s in ids or s == "default"}
    if profiles:
        lines.append("profiles:")
        for s, sections in profiles.items():
            lines.extend(_profile_yaml(s, len(by_segment[s]), sections, defaults))
    text = "\n".join(lines) + "\n"
    found = load_cohort_text(text, "fitted cohort")
    if found.cohort is None:  # a bug: what is written here must read back
        raise ValueError(f"the fitted cohort does not read back: {found.problems[0].message}")
    return Fitted(found.cohort, text, len(people), as_of,
                  {s: len(g) for s, g in sorted(by_segment.items())}, profiles, defaults,
                  cut_short(profiles, {s: len(g) for s, g in by_segment.items()}))
