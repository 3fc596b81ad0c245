"""Work spells: which days of employment count, at what weight, on what evidence.

Shared by the employment-based kinds (employment_outcome, milestones, work_history,
employment_condition). Rules, documented in docs/contract-language.md:

* A job (``employment`` event) covers ``[date, end + 1 day)``; an ongoing job, and any job as
  far as it lies after ``as_of``, is counted only up to and including ``as_of``.
* Overlapping jobs are summed: hours per week add up, FTE fractions add up. A job given only in
  hours converts to FTE as ``hours / full_time_hours`` and back.
* A day qualifies when the summed hours (and/or FTE) of the *counting* jobs active that day meet
  the thresholds, compared exactly in Decimal (0.79 is not 0.8).
* A qualifying day counts at the best hours-weighted average of the kind weights of jobs that
  qualify it (subsidised work at 0.5 makes two days count as one; a subsidised job beside an
  open job that qualifies the day alone does not lower the day).
* The evidence of a day is the strongest level whose jobs (at that level or stronger) qualify
  it on their own; of a spell or outcome, the weakest over the days it rests on. So more work,
  or longer work, never counts or pays less.
* Spells: qualifying stretches joined across gaps of at most ``max_gap`` days (a gap of exactly
  ``max_gap`` joins, one day more splits); gap days are not counted.
* Hours on average (``reach_average``): a day's hours are the weekly hours of the counting jobs
  active that day divided by 7, so a week wholly inside a job counts its weekly hours. A
  duration is reached on the first day that ends a window of counted days of that length
  (the shortest run of counted days, ending that day, whose weighted count reaches it) whose
  hours average at least the minimum a week: ``7 * hours >= minimum * counted days``, decided
  exactly. Windows roll: when the first weeks average too little, a later window may reach
  it. Gap days count neither as days nor as hours.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from itertools import accumulate, chain, combinations, pairwise, repeat

from .contract.model import EVIDENCE_LEVELS
from .events.model import Employment
from .periods import ONE_DAY, Period
from .values import Duration, exact, weighted_ratio

FULL_TIME_HOURS = Decimal("37.5")
MAX_JOBS_A_DAY = 8  # beyond this many jobs on one day, the weight is the average of all


def as_decimal(value: Fraction) -> Decimal:
    """An exact count as a Decimal: exact whenever it terminates within 28 digits (every
    whole count does); only a repeating fraction such as 5/6 is cut, and only for display."""
    if value.denominator == 1:
        return Decimal(value.numerator)
    return Decimal(value.numerator) / Decimal(value.denominator)


@dataclass(frozen=True, slots=True)
class Stretch:
    """Days with one constant work state (the same jobs active)."""

    period: Period
    hours: Decimal  # summed hours per week of the counting jobs
    fte: Decimal  # summed FTE of the counting jobs
    exact_weight: Fraction  # hours-weighted average of the jobs' kind weights, exactly
    evidence: str  # weakest evidence among the jobs
    event_ids: tuple[str, ...]
    # hours per week of the jobs at each evidence level or stronger (EVIDENCE_LEVELS order):
    # the evidence of hours on average
    level_hours: tuple[Decimal, ...] = ()

    def cut_to(self, period: Period) -> Stretch:
        """The same state on the days ``period`` (``dataclasses.replace`` cost more than
        the rest of cutting a stretch at a deadline)."""
        return Stretch(period, self.hours, self.fte, self.exact_weight, self.evidence,
                       self.event_ids, self.level_hours)

    @property
    def weight(self) -> Decimal:
        """The weight for reasons and display (see ``exact_weight`` for counting)."""
        return as_decimal(self.exact_weight)

    @property
    def exact_days(self) -> Fraction:
        return self.exact_weight * self.period.days

    @property
    def weighted_days(self) -> Decimal:
        return as_decimal(self.exact_days)


@dataclass(frozen=True, slots=True)
class Spell:
    """Qualifying stretches joined across allowed gaps."""

    stretches: tuple[Stretch, ...]

    @property
    def start(self) -> date:
        return self.stretches[0].period.start

    @property
    def end(self) -> date:
        return self.stretches[-1].period.end

    @property
    def event_ids(self) -> tuple[str, ...]:
        return tuple(sorted({i for s in self.stretches for i in s.event_ids}))

    @property
    def weighted_days(self) -> Decimal:
        return counted(self.stretches)


@dataclass(frozen=True, slots=True)
class Reached:
    """The day a count of (weighted) work days was reached, and what it rests on."""

    on: date
    evidence: str
    event_ids: tuple[str, ...]
    first_day: date
    # with hours on average: the hours worked in the window first_day..on (its average a
    # week is 7 * hours / days)
    hours: Fraction | None = None
    days: int = 0


def job_hours(job: Employment, full_time: Decimal = FULL_TIME_HOURS) -> Decimal:
    if job.hours_per_week is not None:
        return job.hours_per_week
    assert job.fte is not None
    return job.fte * full_time


def job_fte(job: Employment, full_time: Decimal = FULL_TIME_HOURS) -> Decimal:
    if job.fte is not None:
        return job.fte
    assert job.hours_per_week is not None
    return job.hours_per_week / full_time


def job_period(job: Employment, as_of: date) -> Period | None:
    """The days the job covers, known as of ``as_of`` (never beyond it)."""
    last = job.end if job.end is not None else as_of
    last = min(last, as_of)
    if last < job.date:
        return None
    return Period(job.date, last + ONE_DAY)


def fte_at_least(jobs: Sequence[Employment], min_fte: Decimal,
                 full_time: Decimal = FULL_TIME_HOURS) -> bool:
    """Summed FTE of ``jobs`` is at least ``min_fte``, decided exactly.

    Jobs given only in hours are compared in hours (``min_fte * full_time``) rather than
    divided, so 5 + 5 + 20 hours at 37.5 is exactly 0.80 FTE, not 0.7999...
    """
    given = hours = Decimal(0)  # summed in the jobs' order, as ``sum`` would
    for j in jobs:  # (a loop: two generator sums were most of a one-job day's check)
        if j.fte is not None:
            given += j.fte
        elif j.hours_per_week is not None:
            hours += j.hours_per_week
    return given * full_time + hours >= min_fte * full_time


def weakest(levels: Iterable[str]) -> str:
    return max(levels, key=EVIDENCE_LEVELS.index)


def stretches(jobs: Sequence[Employment], weights: dict[str, Decimal], within: Period,
              as_of: date, min_hours: Decimal | None = None, min_fte: Decimal | None = None,
              full_time: Decimal = FULL_TIME_HOURS) -> list[Stretch]:
    """Qualifying stretches inside ``within``: days whose counting jobs meet the thresholds.

    Only jobs whose kind has a positive weight count; the others are ignored entirely.
    """
    spans = _spans(jobs, weights, within, as_of)
    if not spans:
        return []

    def qualifies(group: Sequence[Employment]) -> bool:
        return bool(group) and _meets(group, min_hours, min_fte, full_time)

    if len(spans) == 1:  # one job (most customers): one stretch, if it qualifies
        start, end, job = spans[0]
        return [_one_job(Period(start, end), job, weights, full_time)] \
            if qualifies((job,)) else []
    bounds = sorted({d for s, e, _ in spans for d in (s, e)})
    out: list[Stretch] = []
    for start, end in pairwise(bounds):
        active = [job for s, e, job in spans if s <= start and end <= e]
        if not qualifies(active):
            continue
        if len(active) == 1:  # one job: its own values (summed from zero, as below)
            out.append(_one_job(Period(start, end), active[0], weights, full_time))
            continue
        hours = sum((job_hours(j, full_time) for j in active), Decimal(0))
        fte = sum((job_fte(j, full_time) for j in active), Decimal(0))
        out.append(Stretch(Period(start, end), hours, fte,
                           _day_weight(active, weights, full_time, qualifies),
                           _day_evidence(active, qualifies),
                           tuple(sorted(j.event_id for j in active)),
                           _level_hours(active, full_time)))
    return out


def _spans(jobs: Sequence[Employment], weights: dict[str, Decimal], within: Period,
           as_of: date) -> list[tuple[date, date, Employment]]:
    """Each counting job's days inside ``within`` as ``[start, end)`` bounds (its
    ``job_period`` clipped, worked out in dates: no Period is made for a job)."""
    out = []
    first, stop = within.start, within.end
    for job in jobs:
        weight = weights.get(job.kind)
        if weight is None or weight <= 0:
            continue
        last = as_of if job.end is None or job.end > as_of else job.end
        if last < job.date:
            continue  # starts after as_of: not known to have happened yet
        start = job.date if job.date > first else first
        end = last + ONE_DAY
        if end > stop:
            end = stop
        if start < end:
            out.append((start, end, job))
    return out


def _one_job(period: Period, job: Employment, weights: dict[str, Decimal],
             full_time: Decimal) -> Stretch:
    """The stretch of days one job qualifies on its own: its hours and FTE, its kind's
    weight, its evidence (the strongest level whose jobs qualify the day: its own), and its
    hours at its evidence level and weaker ones."""
    hours = Decimal(0) + job_hours(job, full_time)
    rank = EVIDENCE_LEVELS.index(job.evidence)
    # no hours at the levels stronger than the job's, its hours at its own and weaker ones
    return Stretch(period, hours, Decimal(0) + job_fte(job, full_time),
                   exact(weights[job.kind]), job.evidence, (job.event_id,),
                   _NO_HOURS[:rank] + (hours,) * (len(EVIDENCE_LEVELS) - rank))


_NO_HOURS = (Decimal(0),) * len(EVIDENCE_LEVELS)


def _level_hours(jobs: Sequence[Employment], full_time: Decimal) -> tuple[Decimal, ...]:
    """The hours a week of the jobs at each evidence level or stronger."""
    return tuple(sum((job_hours(j, full_time) for j in jobs
                      if EVIDENCE_LEVELS.index(j.evidence) <= rank), Decimal(0))
                 for rank in range(len(EVIDENCE_LEVELS)))


def _meets(jobs: Sequence[Employment], min_hours: Decimal | None, min_fte: Decimal | None,
           full_time: Decimal) -> bool:
    if min_hours is not None and \
            sum((job_hours(j, full_time) for j in jobs), Decimal(0)) < min_hours:
        return False
    return min_fte is None or fte_at_least(jobs, min_fte, full_time)


def _average_weight(jobs: Sequence[Employment], weights: dict[str, Decimal],
                    full_time: Decimal) -> Fraction:
    """The hours-weighted average of the jobs' kind weights, exactly: jobs of one weight
    take that weight; mixed weights are summed in integers (``weighted_ratio``)."""
    weight = weights[jobs[0].kind]
    if all(weights[j.kind] == weight for j in jobs):
        return exact(weight)
    hours = sum((job_hours(j, full_time) for j in jobs), Decimal(0))
    if hours <= 0:
        return exact(max(weights[j.kind] for j in jobs))
    return Fraction(*weighted_ratio((job_hours(j, full_time), weights[j.kind]) for j in jobs))


def _day_weight(active: Sequence[Employment], weights: dict[str, Decimal], full_time: Decimal,
                qualifies: Callable[[Sequence[Employment]], bool]) -> Fraction:
    """What a qualifying day counts: the best hours-weighted average of the jobs that qualify
    it. Subsidised work beside an open job that qualifies the day alone does not lower it, so
    more work never counts less; 20 h open with 10 h subsidised at 0.5, which qualify only
    together, count 5/6 of a day."""
    if len(active) > MAX_JOBS_A_DAY:  # many jobs on one day: all of them, as documented
        return _average_weight(active, weights, full_time)
    if len(active) == 1 or all(weights[j.kind] == weights[active[0].kind] for j in active):
        # every group that qualifies averages the one weight, and the day qualifies
        return exact(weights[active[0].kind])
    return max(_average_weight(group, weights, full_time)
               for k in range(1, len(active) + 1) for group in combinations(active, k)
               if qualifies(group))


def _day_evidence(active: Sequence[Employment],
                  qualifies: Callable[[Sequence[Employment]], bool]) -> str:
    """The evidence of a qualifying day: the strongest level whose jobs (at that level or
    stronger) qualify the day on their own. A self-reported job beside a register-verified
    one that qualifies the day alone leaves the day register-verified."""
    for level in EVIDENCE_LEVELS:
        rank = EVIDENCE_LEVELS.index(level)
        if qualifies([j for j in active if EVIDENCE_LEVELS.index(j.evidence) <= rank]):
            return level
    return weakest(j.evidence for j in active)


def spells(parts: Sequence[Stretch], max_gap_days: int = 0) -> list[Spell]:
    """Join stretches whose gap (days between them) is at most ``max_gap_days``."""
    out: list[list[Stretch]] = []
    for part in parts:
        if out and (part.period.start - out[-1][-1].period.end).days <= max_gap_days:
            out[-1].append(part)
        else:
            out.append([part])
    return [Spell(tuple(group)) for group in out]


def reach(parts: Sequence[Stretch], needed: Decimal) -> Reached | None:
    """The day on which the weighted day count of ``parts`` reaches ``needed``, if it does.
    Decided in integers: the count so far is kept over the least common multiple of the
    weights' denominators, and compared with ``needed`` cross-multiplied."""
    if not parts:
        return None
    goal, per = needed.as_integer_ratio()  # needed = goal / per
    total, scale = 0, 1  # the weighted days counted so far: total / scale
    for k, part in enumerate(parts):
        top, bottom = part.exact_weight.numerator, part.exact_weight.denominator
        if bottom != scale:
            common = math.lcm(scale, bottom)
            total *= common // scale
            scale = common
        days = top * (scale // bottom) * part.period.days  # this part's count, over scale
        if top > 0 and (total + days) * per >= goal * scale:
            # the days of this part that bring the count to needed: (goal - total) / weight
            short = goal * scale - total * per  # (needed - total) * per * scale
            whole = -(-short * bottom // (per * scale * top))
            day = part.period.start + timedelta(days=max(whole, 1) - 1)
            used = parts[:k + 1]
            return Reached(day, weakest(s.evidence for s in used),
                           tuple(sorted({i for s in used for i in s.event_ids})),
                           parts[0].period.start)
        total += days
    return None


def reach_average(parts: Sequence[Stretch], needed: Callable[[date], Decimal],
                  minimum: Decimal) -> Reached | None:
    """The first day that ends a window of ``needed(first day)`` weighted days of ``parts``
    averaging at least ``minimum`` hours a week (see the module). Decided in whole numbers:
    weights scaled by the least common multiple of their denominators, hours by a power of
    ten, and a day's hours kept as hours a week (``7 * hours >= minimum * days`` becomes
    ``sum of weekly hours >= minimum * days``). Days are numbered from the first stretch's
    first day, gap days left out; the running sums by day are laid out from each stretch's
    constant values (``accumulate``), and a day's date and duration are found only for the
    days a window starts on, once each."""
    w_scale = math.lcm(*(p.exact_weight.denominator for p in parts)) if parts else 1
    h_scale = 10 ** max(_places(minimum), *(_places(p.hours) for p in parts))
    scaled = [(int(p.exact_weight * w_scale), int(p.hours * h_scale), p.period.days)
              for p in parts]
    weights = list(accumulate(chain.from_iterable(repeat(w, n) for w, _, n in scaled),
                              initial=0))
    hours = list(accumulate(chain.from_iterable(repeat(h, n) for _, h, n in scaled),
                            initial=0))
    firsts = list(accumulate((n for _, _, n in scaled), initial=0))  # each stretch's day
    goal = int(minimum * h_scale)

    def day(i: int) -> date:
        k = bisect_right(firsts, i) - 1
        return parts[k].period.start + timedelta(days=i - firsts[k])

    def need(i: int) -> int:
        return int(needed(day(i))) * w_scale

    # the duration of a window starting on day s, and on day s + 1: kept while s stays,
    # each found once, when first asked for
    s, need_s, need_next = 0, None, None
    for e in range(firsts[-1]):
        while s < e:
            if need_next is None:
                need_next = need(s + 1)
            if weights[e + 1] - weights[s + 1] < need_next:
                break
            s, need_s, need_next = s + 1, need_next, None
        if need_s is None:
            need_s = need(s)
        if weights[e + 1] - weights[s] < need_s:
            continue
        if hours[e + 1] - hours[s] >= goal * (e + 1 - s):
            used = _days_used(parts, firsts, s, e + 1)
            return Reached(day(e), _average_evidence(used, goal, h_scale),
                           tuple(sorted({i for p, _ in used for i in p.event_ids})),
                           day(s), Fraction(hours[e + 1] - hours[s], 7 * h_scale),
                           e + 1 - s)
    return None


def _days_used(parts: Sequence[Stretch], firsts: Sequence[int], start: int, end: int
               ) -> list[tuple[Stretch, int]]:
    """The stretches holding the days numbered ``[start, end)``, each with its days there."""
    out = []
    for k in range(bisect_right(firsts, start) - 1, len(parts)):
        if firsts[k] >= end:
            break
        days = min(end, firsts[k + 1]) - max(start, firsts[k])
        if days > 0:
            out.append((parts[k], days))
    return out


def _places(value: Decimal) -> int:
    """The decimal places a value is written with (0 for a whole number)."""
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _average_evidence(used: Sequence[tuple[Stretch, int]], goal: int, h_scale: int) -> str:
    """The evidence of hours on average: the strongest level whose jobs (at that level or
    stronger) average enough over the window on their own; as for a day, more work never
    weakens it."""
    days = sum(n for _, n in used)
    for rank, level in enumerate(EVIDENCE_LEVELS):
        if sum(int(p.level_hours[rank] * h_scale) * n for p, n in used) >= goal * days:
            return level
    return weakest(p.evidence for p, _ in used)


def counted(parts: Sequence[Stretch]) -> Decimal:
    """The weighted day count of ``parts``, summed exactly, then as a Decimal."""
    total, scale = 0, 1  # summed over the least common multiple of the denominators
    for p in parts:
        bottom = p.exact_weight.denominator
        if bottom != scale:
            common = math.lcm(scale, bottom)
            total *= common // scale
            scale = common
        total += p.exact_weight.numerator * (scale // bottom) * p.period.days
    return as_decimal(Fraction(total, scale))


def needed_days(duration: Duration, anchor: date) -> Decimal:
    """A minimum duration as a day count; months are counted from ``anchor``."""
    return Decimal((duration.after(anchor) - anchor).days)
