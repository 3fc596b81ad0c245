"""employment_condition: a one-off fee when the customer meets the employment condition
(työssäoloehto): ``required`` qualifying calendar weeks or months inside a reference period.

Rules (docs/contract-language.md):

* The reference period is ``[service start, service start + reference_period)``, cut short
  after the last day an outcome may be reached in the ``service_and_follow_up`` window (the
  follow-up's end plus any grace, ``reach_by``, ``reach_within`` from the service start, the
  contract's ``outcomes_until``), whichever comes first.
* Only whole units count: calendar weeks Monday to Sunday (``unit: weeks``) or calendar
  months (``unit: months``) lying wholly inside the reference period. A unit straddling either
  end does not count; a unit counts once ``as_of`` reaches its last day (as in every kind).
* Counting jobs are those whose kind has a weight above 0 in ``weights``.
* weeks: the hours of a week are, summed over the counting jobs, ``hours_per_week * days the
  job is active in the week / 7`` (a job given in FTE counts ``fte * 37.5`` hours). The week
  qualifies when that sum is at least ``min_hours_per_week``, compared exactly.
* months, ``wages: jobs``: the wage of a month is, summed over the counting jobs, ``wage *
  days active in the month / days in the month`` (``wage`` is monthly; a job without a wage
  adds nothing). ``wages: earnings``: the sum of the counting ``earnings`` rows dated in the
  month (the pay date: a wage counts in the month it is paid, as the 2024 condition counts
  it). The month qualifies when that sum is at least ``min_monthly_wage`` (the value of the
  month's first day), compared exactly.
* Graded credit (``partial``): a unit below the full threshold but at least at
  ``partial``'s counts ``partial.counts`` (930 € a full month, 465 € half: 929.99 is half,
  464.99 nothing).
* A qualifying unit counts its credit times the hours- (months: wage-) weighted average
  weight of its jobs, the best such product over the groups of its jobs that earn credit: a
  week of subsidised work at weight 0.75 counts 0.75 of a week. Its evidence is the strongest
  level whose jobs earn it credit on their own. Counts are kept as exact fractions, never
  rounded.
* Paid once (occurrence ``once``, quantity 1) on the last day of the unit that brings the
  count to ``required``, at the price for the weakest evidence among the jobs that worked in
  the qualifying units up to then. An evidence level the price table lacks: pending (at the
  price of the strongest evidence) while the ``service_and_follow_up`` deadline is ahead and
  a stronger level is priced, since a later-recorded confirmation would make it payable;
  otherwise not_earned at 0.00.
* ``look_back``: the reference period is the law's review period, ending on the last day of
  each whole unit ending after the service starts, to the deadline (units before count);
  met on the first whose count reaches ``required``; met already before the service: not
  offered (not_earned, quantity 0); else pending while a unit to the deadline could still do
  it (``_reachable``), not_earned from the first unit after which none could.
* Otherwise pending while the requirement can still be met inside the reference period, and
  not_earned once the period's last whole unit has ended, or earlier when even counting every
  remaining whole unit at full credit and the highest weight could not reach ``required``;
  a not-earned line is dated the day that became so (the last day of that unit, or the
  reference period's first day when it never could), never after the evaluation date.
"""

from __future__ import annotations

import functools
import math
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction
from itertools import combinations
from typing import Literal, NamedTuple

from pydantic import Field

from ..contract.model import (
    EMPLOYMENT_KINDS,
    EVIDENCE_LEVELS,
    NO_LIMIT,
    Amount,
    CalendarThreshold,
    ComponentBase,
    ContractBase,
    Counting,
    Dated,
    EmploymentKind,
    Price,
    PriceTable,
    Site,
    Strict,
    Threshold,
    WantedEvent,
    WorkRules,
    amount_at,
    most_of,
    weights_of,
)
from ..contract.windows import Deadline
from ..errors import Problem
from ..evaluate.context import CustomerContext
from ..evaluate.lines import Line
from ..evaluate.trace import Step, Trace
from ..events.model import Earnings, Employment
from ..periods import ONE_DAY, Period, whole_months, whole_weeks
from ..values import (
    Duration,
    IsoDate,
    LengthField,
    Quantity,
    WholeNumber,
    exact,
    money_text,
    once_for,
    weighted_ratio,
)
from ..values import Fraction as Share
from ..work import MAX_JOBS_A_DAY, job_hours, job_period, weakest
from .base import CustomerKind, Outcome
from .employment_common import by_text, confirmations, confirmations_text


class PartialCredit(Strict):
    """A second, lower threshold at which a unit counts in part (a month with 465 to 929.99 € of
    wages counts half)."""

    min_monthly_wage: Amount | None = None
    min_hours_per_week: Quantity | None = None
    counts: Share = Field(default=Decimal("0.5"), description="what such a unit counts")


class EmploymentCondition(ComponentBase):
    kind: Literal["employment_condition"]
    unit: Literal["weeks", "months"]
    min_hours_per_week: Quantity | None = None
    min_monthly_wage: Amount | None = None
    partial: PartialCredit | None = None
    wages: Literal["jobs", "earnings"] = Field(
        default="jobs",
        description="jobs: employment rows' monthly wage by days; earnings: earnings rows by "
                    "pay date")
    required: WholeNumber = Field(ge=1)
    reference_period: LengthField
    weights: dict[EmploymentKind, Quantity] = Field(
        default_factory=lambda: weights_of(*EMPLOYMENT_KINDS))
    amount: Price
    reach_by: IsoDate | None = None
    reach_within: LengthField | None = Field(
        default=None, description="the outcome must be reached within this time of the "
                                  "service start (its first day counted), e.g. '6 months'")
    look_back: bool = Field(
        default=False,
        description="the reference period looks back from each unit's last day, as the "
                    "law's review period does: work before the service counts, and the fee "
                    "is for meeting the condition after the service starts")

    def price_tables(self) -> list[PriceTable]:
        return [PriceTable(("amount",), self.amount, "fee", "fee", by_evidence=True),
                *super().price_tables()]

    def most_paid(self, contract: ContractBase, seen: frozenset[str] = frozenset()
                  ) -> Decimal | None:
        return most_of(self.amount)  # paid once

    def work_rules(self) -> WorkRules | None:
        return WorkRules({str(k): v for k, v in self.weights.items()}, ("weights",),
                         self.min_hours_per_week, ("min_hours_per_week",), must_count=False)

    def counting_window(self) -> Counting | None:
        return "service_and_follow_up"

    def deadline_date(self) -> date | None:
        return self.reach_by

    def deadline_within(self) -> Duration | None:
        return self.reach_within

    def thresholds(self) -> list[Threshold]:
        if self.look_back:  # work before the service counts: one unit in it may complete it
            return [CalendarThreshold(self.unit, 1, NO_LIMIT, ("look_back",))]
        return [CalendarThreshold(self.unit, self.required, self.reference_period,
                                  ("required",))]

    def wanted_events(self) -> list[WantedEvent]:
        """Earnings rows when wages are read from them (``wages: earnings``)."""
        return [WantedEvent("earnings")] if self.wages == "earnings" else []

    def checks(self, site: Site) -> list[Problem]:
        key = "min_hours_per_week" if self.unit == "weeks" else "min_monthly_wage"
        other = "min_monthly_wage" if self.unit == "weeks" else "min_hours_per_week"
        other_unit = "months" if self.unit == "weeks" else "weeks"
        out = []
        if getattr(self, key) is None:
            out.append(site.err("C217", f"unit: {self.unit} needs {key}"))
        if getattr(self, other) is not None:
            out.append(site.err("C218", f"{other} applies to unit: {other_unit}", other))
        if self.wages == "earnings" and self.unit == "weeks":
            out.append(site.err("C218", "wages: earnings applies to unit: months (earnings "
                                "rows are monthly)", "wages"))
        if self.partial is not None:
            out.extend(self._partial_checks(site, self.partial, key, other, other_unit))
        return [*out, *self._review_checks(site)]

    def _review_checks(self, site: Site) -> list[Problem]:
        """With look_back, the review period must hold the units required (the late-referral
        lint does not apply: work before the service counts)."""
        best = exact(max(self.weights.values(), default=ZERO))
        if not self.look_back or best <= 0:
            return []
        d = self.reference_period
        most = d.max_days() // 7 if self.unit == "weeks" else (
            d.count if d.unit == "months" else d.max_days() // 28)
        needed = math.ceil(self.required / best)
        if needed <= most:
            return []
        weighted = "" if needed == self.required else f" ({needed} at the highest weight)"
        return [site.err("C218", f"look_back: a reference_period of {d} holds at most {most} "
                         f"whole calendar {self.unit}, fewer than the {self.required} "
                         f"required{weighted}: the condition can never be met", "required")]

    def _partial_checks(self, site: Site, partial: PartialCredit, key: str, other: str,
                        other_unit: str) -> list[Problem]:
        out = []
        low, high = getattr(partial, key), getattr(self, key)
        if low is None:
            out.append(site.err("C217", f"partial needs {key} with unit: {self.unit}",
                                "partial"))
        if getattr(partial, other) is not None:
            out.append(site.err("C218", f"partial.{other} applies to unit: {other_unit}",
                                "partial", other))
        if low is not None and high is not None:
            days = sorted({d for v in (low, high) if isinstance(v, Dated)
                           for d, _ in v.changes()}) or [date.min]
            for day in days:
                lo, hi = amount_at(low, day), amount_at(high, day)
                if lo is not None and hi is not None and lo >= hi:
                    out.append(site.err("C219", f"partial.{key} ({lo}) must be below {key} "
                                        f"({hi})" + (f" on {day}" if len(days) > 1 else ""),
                                        "partial", key))
                    break
        return out

ONE = Decimal(1)
ZERO = Decimal(0)
DAYS_IN_WEEK = 7
FULL = Fraction(1)
NO_CREDIT = Fraction(0)


class Unit(NamedTuple):
    """One calendar week or month of the reference period and the work in it (a tuple: one
    is made for every unit of every customer, and a frozen dataclass costs five times as
    much to make)."""

    period: Period
    measure: Decimal  # hours in the week, or wage for the month (exact numerator / days)
    qualifies: bool
    weight: Fraction  # what a qualifying unit counts: its credit times its kind weight
    jobs: tuple[Paid, ...]  # counting jobs (or earnings rows) that worked in the unit
    evidence: str = "register"  # the strongest level whose jobs qualify the unit alone
    credit: Fraction = FULL  # 1 (full threshold met) or the partial credit


Paid = Employment | Earnings  # what brings hours or wages to a unit
Part = tuple[Paid, Decimal]  # a job or earnings row, and its hours or wage times days


Worked = tuple[Paid, Period | None, Decimal]  # a job, the days it covers, hours a week or wage


def _worked(comp: EmploymentCondition, jobs: Sequence[Paid], as_of: date) -> list[Worked]:
    """Each counting job's covered days and hours a week (wage a month), found once per
    customer rather than once per unit; earnings rows as they are."""
    if comp.wages == "earnings" and comp.unit == "months":
        return [(e, None, e.amount) for e in jobs if isinstance(e, Earnings)]
    weeks = comp.unit == "weeks"
    return [(job, job_period(job, as_of), job_hours(job) if weeks else (job.wage or ZERO))
            for job in jobs if isinstance(job, Employment)]


def _spans(comp: EmploymentCondition, worked: Sequence[Worked]) -> list[tuple[int, int, int]]:
    """(index in ``worked``, first day, day after the last) as day numbers, of each job that
    brings hours or wages (an earnings row covers its pay date alone), found once per
    customer: a unit's parts are then found with integer comparisons."""
    if comp.wages == "earnings" and comp.unit == "months":
        return [(i, e.date.toordinal(), e.date.toordinal() + 1)
                for i, (e, _, amount) in enumerate(worked) if amount > 0]
    return [(i, covered.start.toordinal(), covered.end.toordinal())
            for i, (_, covered, per_unit) in enumerate(worked)
            if covered is not None and covered.days and per_unit > 0]


def _days_in(spans: Sequence[tuple[int, int, int]], start: int, end: int
             ) -> tuple[tuple[int, int], ...]:
    """(index in ``worked``, days) of each job with days in the unit ``start``..``end``
    (day numbers, the end exclusive)."""
    return tuple((i, (end if end < e else e) - (start if start > s else s))
                 for i, s, e in spans if s < end and start < e)


def _parts(comp: EmploymentCondition, period: Period, worked: Sequence[Worked],
           days_in: Sequence[tuple[int, int]]) -> tuple[list[Part], int]:
    """The unit's parts and the denominator that turns them into hours or wages: a job's
    hours a week (wage a month) times its days in the unit (``days_in``: index in
    ``worked``, days), over 7 (the month's days); an earnings row's amount, over 1."""
    if comp.wages == "earnings" and comp.unit == "months":
        return [(worked[i][0], worked[i][2]) for i, _ in days_in], 1
    parts = [(worked[i][0], worked[i][2] * days) for i, days in days_in]  # exact
    return parts, DAYS_IN_WEEK if comp.unit == "weeks" else period.days


def _thresholds(comp: EmploymentCondition, period: Period) -> list[tuple[Decimal, Fraction]]:
    """(threshold, credit), full first: a wage threshold that changes on dates (indexed
    yearly) takes the value of the unit's first day."""
    def value(v: Decimal | Dated | None) -> Decimal | None:
        return amount_at(v, period.start)

    weeks = comp.unit == "weeks"
    out = [((comp.min_hours_per_week if weeks else value(comp.min_monthly_wage)) or ZERO,
            FULL)]
    p = comp.partial
    low = None if p is None else (p.min_hours_per_week if weeks else value(p.min_monthly_wage))
    if p is not None and low is not None:
        out.append((low, exact(p.counts)))
    return out


def _unit(period: Period, parts: Sequence[Part], denominator: int,
          thresholds: Sequence[tuple[Decimal, Fraction]], comp: EmploymentCondition) -> Unit:
    if not parts:
        return Unit(period, ZERO, False, NO_CREDIT, ())
    # sum(per_unit * days) >= threshold * denominator: no division, exact; the levels are
    # brought to the unit's scale once, not once per group of jobs
    levels = [(t * denominator, c) for t, c in thresholds]
    total = sum((v for _, v in parts), ZERO)

    def credit(group: Sequence[Part]) -> Fraction:
        got = sum((v for _, v in group), ZERO)
        return next((c for t, c in levels if got >= t), NO_CREDIT)

    jobs_in = tuple(j for j, _ in parts)
    if not credit(parts):
        return Unit(period, total / denominator, False, _weight(comp, parts), jobs_in,
                    credit=NO_CREDIT)
    # as for days (work.py): the best count and the strongest evidence of the jobs that
    # qualify the unit (for any credit), so more work never counts or pays less
    groups = [(g, c) for k in range(1, len(parts) + 1) for g in combinations(parts, k)
              if (c := credit(g))] if 1 < len(parts) <= MAX_JOBS_A_DAY \
        else [(tuple(parts), credit(parts))]
    # a group is as strong as its weakest job; the unit as its strongest group
    evidence = EVIDENCE_LEVELS[min(max(_RANK[j.evidence] for j, _ in g) for g, _ in groups)]
    counts = [_counts(c, _weight(comp, g)) for g, c in groups]
    best = max(range(len(groups)), key=counts.__getitem__)  # the first of equal counts
    return Unit(period, total / denominator, True, counts[best], jobs_in, evidence,
                groups[best][1])


_RANK = {level: n for n, level in enumerate(EVIDENCE_LEVELS)}  # strongest first


def _counts(credit: Fraction, weight: Fraction) -> Fraction:
    return weight if credit is FULL else credit * weight


def _weight(comp: EmploymentCondition, parts: Sequence[Part]) -> Fraction:
    """The hours- (months: wage-) weighted average of the jobs' kind weights, exactly: work
    of one kind takes that kind's weight; mixed work sums integers (``weighted_ratio``)."""
    kind = parts[0][0].kind
    if all(j.kind == kind for j, _ in parts):
        return exact(comp.weights[kind])
    return Fraction(*weighted_ratio((v, comp.weights[j.kind]) for j, v in parts))


def count_text(value: Fraction | Decimal) -> str:
    """A count for a reason: whole numbers plain, others to two places (cut, never rounded
    up, so that 25.999 never reads as 26)."""
    # the ratio in lowest terms, as Fraction(value) gives it (without making a Fraction)
    top, bottom = ((value.numerator, value.denominator) if isinstance(value, Fraction)
                   else value.as_integer_ratio())
    if bottom == 1:
        return str(top)
    dec = (Decimal(top) / Decimal(bottom)).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    return f"{dec.normalize():f}"


def _hours_text(value: Decimal) -> str:
    return count_text(value.quantize(Decimal("0.01"), rounding=ROUND_DOWN))


def _describe(comp: EmploymentCondition, sign: str) -> tuple[str, str]:
    """(unit word, what makes a unit qualify)."""
    if comp.unit == "weeks":
        text = f"at least {_hours_text(comp.min_hours_per_week or ZERO)} h of work"
        if comp.partial is not None and comp.partial.min_hours_per_week is not None:
            text += (f" (at least {_hours_text(comp.partial.min_hours_per_week)} h counts "
                     f"{count_text(Fraction(comp.partial.counts))})")
        return "weeks", text
    def shown(wage: Decimal | Dated | None) -> str:
        if not isinstance(wage, Dated):
            return f"{money_text(wage or ZERO)} {sign}"
        changes = wage.changes()
        if len(changes) == 1:
            return f"{money_text(changes[0][1])} {sign}"
        return ", ".join(f"{money_text(v)} {sign} from {d}" for d, v in changes)

    text = f"wages of at least {shown(comp.min_monthly_wage)}"
    if comp.partial is not None and comp.partial.min_monthly_wage is not None:
        text += (f" (at least {shown(comp.partial.min_monthly_wage)} counts "
                 f"{count_text(Fraction(comp.partial.counts))})")
    if comp.wages == "earnings":
        text += " paid in the month"
    return "months", text


def _reference_period(comp: EmploymentCondition, ctx: CustomerContext,
                      service: Period) -> tuple[Period, str]:
    return _reference(comp.reference_period, service.start,
                      ctx.deadline("service_and_follow_up", comp.reach_by,
                                   reach_within=comp.reach_within))


@functools.lru_cache(maxsize=4096)  # customers share service starts and deadlines
def _reference(length: Duration, start: date, deadline: Deadline | None
               ) -> tuple[Period, str]:
    """The reference period of a service starting on ``start`` and its words: written once
    for every customer with the same start and deadline."""
    full = Period(start, length.after(start))
    text = f"reference period {full} ({length} from the service start)"
    if deadline is not None and deadline.last_day < full.last_day:
        cut = Period(start, max(deadline.last_day + ONE_DAY, start))
        text = (f"reference period {cut} ({length} from the service start, "
                f"cut at {deadline.last_day}: {deadline.why.rstrip(',')})")
        return cut, text
    return full, text


@dataclass(frozen=True)
class _Count:
    """The whole units of the reference period counted so far, as of the evaluation date."""

    reference: Period
    reference_text: str
    units: list[Period]  # every whole unit of the reference period
    qualifying: list[Unit]
    looked_at: list[Unit]  # every unit counted (ended), qualifying or not
    count: Fraction
    completed: Unit | None

    @property
    def jobs(self) -> dict[str, Paid]:
        return {j.event_id: j for u in self.qualifying for j in u.jobs}

    @property
    def evidence(self) -> str | None:
        """The weakest evidence of the qualifying units counted."""
        return weakest(u.evidence for u in self.qualifying) if self.qualifying else None


def _rules(comp: EmploymentCondition, sign: str) -> tuple[str, str]:
    """The component's rule in words, the same for every customer: written once."""
    word, test = once_for(_describe, comp, sign)
    within = (f"in the {comp.reference_period} up to a {word[:-1]}'s end (work before the "
              "service counts), met after the service starts" if comp.look_back
              else f"within {comp.reference_period} from the service start")
    return (f"{comp.required} qualifying calendar {word} with {test}, {within}",
            "kinds at weights " + ", ".join(f"{k} {v}" for k, v in comp.weights.items()))


def _count(comp: EmploymentCondition, ctx: CustomerContext, service: Period) -> _Count:
    reference, reference_text = _reference_period(comp, ctx, service)
    units = _whole_units(comp.unit, reference)
    paid: Sequence[Paid] = (ctx.timeline.earnings if comp.wages == "earnings"
                            else ctx.timeline.employments)
    worked = _worked(comp, [j for j in paid if comp.weights.get(j.kind, ZERO) > 0], ctx.as_of)
    spans = _spans(comp, worked)
    weeks = comp.unit == "weeks"
    thresholds = _thresholds(comp, reference) if weeks else []  # weeks: not dated
    # a unit's result depends only on the days each job worked in it (and, for months, on
    # the month's length and thresholds): units alike are worked out once per customer
    made: dict[object, Unit] = {}
    count = _Sum()
    qualifying: list[Unit] = []
    looked_at: list[Unit] = []
    first = min((s for _, s, _ in spans), default=0)
    last = max((e for _, _, e in spans), default=0)
    # the days a job starts or ends: whole weeks between two of them are alike
    bounds = sorted({d for _, s, e in spans for d in (s, e)}) if weeks else []
    # the units that have ended by the evaluation date are counted, the others not yet
    ended, k = bisect_right(units.last_days, ctx.as_of), 0
    while k < ended:
        period, (start, end) = units.periods[k], units.days[k]
        if end <= first:  # no work in it, nor in any unit before the first work: all at once
            j = bisect_right(units.ends, first, k, ended)
            looked_at.extend(units.empty[k:j])
            k = j
            continue
        if last <= start:  # no work in it, nor in any unit after it
            looked_at.extend(units.empty[k:ended])
            break
        days_in = _days_in(spans, start, end)
        if not weeks:
            thresholds = _thresholds(comp, period)
        key = days_in if weeks else (days_in, period.days, tuple(thresholds))
        alike = made.get(key)
        if alike is None:
            parts, denominator = _parts(comp, period, worked, days_in)
            unit = made[key] = _unit(period, parts, denominator, thresholds, comp)
        else:
            unit = Unit(period, *alike[1:])
        run = _alike_weeks(units, bounds, k, ended) if weeks else k + 1
        if run == k + 1:  # a unit alone, counted as it is
            looked_at.append(unit)
            completed = None
            if unit.qualifies:
                qualifying.append(unit)
                count.add(unit.weight)
                completed = unit if count.at_least(comp.required) else None
        else:
            completed = _take(units, k, run, unit, looked_at, qualifying, count, comp.required)
        if completed is not None:
            return _Count(reference, reference_text, list(units.periods), qualifying,
                          looked_at, count.value, completed)
        k = run
    return _Count(reference, reference_text, list(units.periods), qualifying, looked_at,
                  count.value, None)


def _alike_weeks(units: _Units, bounds: Sequence[int], k: int, ended: int) -> int:
    """The end (exclusive) of the run of ended weeks from week ``k`` alike to it: weeks with
    no day inside them on which a job starts or ends have the same jobs on all their days."""
    start, end = units.days[k]
    i = bisect_right(bounds, start)  # the first day after the week's first a job changes on
    if i == len(bounds) or end > bounds[i]:
        return k + 1  # a job starts or ends inside the week: it is alike to none after it
    return bisect_right(units.ends, bounds[i], k + 1, ended)


def _take(units: _Units, k: int, run: int, unit: Unit, looked_at: list[Unit],
          qualifying: list[Unit], count: _Sum, required: int) -> Unit | None:
    """Units ``k`` to ``run`` (alike to ``unit``, the first) counted in order, up to the one
    that completes the count (returned; None when none does)."""
    rest = unit[1:]
    if not unit.qualifies:
        looked_at.append(unit)
        looked_at.extend(Unit(p, *rest) for p in units.periods[k + 1:run])
        return None
    # the units this run still needs: the fewest n with count + n * weight >= required
    need = count.units_to(required, unit.weight)
    stop = run if need is None or k + need > run else k + need
    taken = [unit, *(Unit(p, *rest) for p in units.periods[k + 1:stop])]
    looked_at.extend(taken)
    qualifying.extend(taken)
    count.add(unit.weight * len(taken))
    return taken[-1] if count.at_least(required) else None


class _Sum:
    """A sum of exact fractions kept as integers over their least common denominator (the
    kind weights and credits share a few small denominators): no Fraction per addition."""

    __slots__ = ("denominator", "numerator")

    def __init__(self) -> None:
        self.numerator, self.denominator = 0, 1

    def add(self, value: Fraction) -> None:
        top, bottom = value.numerator, value.denominator
        if bottom != self.denominator:
            common = math.lcm(self.denominator, bottom)
            self.numerator *= common // self.denominator
            top *= common // bottom
            self.denominator = common
        self.numerator += top

    def at_least(self, whole: int) -> bool:
        return self.numerator >= whole * self.denominator

    def units_to(self, whole: int, weight: Fraction) -> int | None:
        """How many more units of ``weight`` bring the sum to ``whole`` at least (at least 1;
        None when no number of them does)."""
        if weight <= 0:
            return None
        missing = Fraction(whole * self.denominator - self.numerator, self.denominator)
        return max(1, math.ceil(missing / weight))

    @property
    def value(self) -> Fraction:
        return Fraction(self.numerator, self.denominator)


@dataclass(frozen=True)
class _Units:
    """The whole calendar weeks or months of a reference period, their last days (to find
    those ended by a date by halving) and their days as day numbers."""

    periods: tuple[Period, ...]
    last_days: tuple[date, ...]
    days: tuple[tuple[int, int], ...]
    empty: tuple[Unit, ...]  # each unit without work (a Unit is frozen: shared)
    ends: tuple[int, ...]  # each unit's end as a day number (to find runs by halving)


@functools.lru_cache(maxsize=4096)  # customers share service starts and deadlines
def _whole_units(unit: str, reference: Period) -> _Units:
    """The whole units of ``reference``: a slice of the calendar's units, those that start
    on or after its start and end by its end (simulated customers start on hundreds of
    days, and each start's units were made anew)."""
    calendar = _CALENDARS.get(unit)
    if calendar is None or not calendar.holds(reference):
        calendar = _CALENDARS[unit] = _Calendar.around(unit, reference, calendar)
    units = calendar.units
    first = bisect_left(calendar.starts, reference.start.toordinal())
    stop = max(first, bisect_right(units.ends, reference.end.toordinal()))
    return _Units(units.periods[first:stop], units.last_days[first:stop],
                  units.days[first:stop], units.empty[first:stop], units.ends[first:stop])


@dataclass(frozen=True)
class _Calendar:
    """Every whole week (month) of a span of days, made once: a reference period's units
    are the run of them lying wholly inside it."""

    span: Period
    units: _Units
    starts: tuple[int, ...]  # each unit's first day as a day number

    def holds(self, reference: Period) -> bool:
        return self.span.start <= reference.start and reference.end <= self.span.end

    @staticmethod
    def around(unit: str, reference: Period, old: _Calendar | None) -> _Calendar:
        """A calendar holding ``reference`` and some years either side (so that the next
        customers' fit too), joined to ``old`` when that lies near."""
        start = date.fromordinal(max(1, reference.start.toordinal() - _MARGIN_DAYS))
        # never nearer the last date than the reference itself: a month's end must exist
        end = max(reference.end, date.fromordinal(
            min(date.max.toordinal() - 62, reference.end.toordinal() + _MARGIN_DAYS)))
        if old is not None and old.span.start <= end and start <= old.span.end:
            start, end = min(start, old.span.start), max(end, old.span.end)
        span = Period(start, end)
        periods = tuple(whole_weeks(span) if unit == "weeks" else whole_months(span))
        units = _Units(periods, tuple(p.last_day for p in periods),
                       tuple((p.start.toordinal(), p.end.toordinal()) for p in periods),
                       tuple(Unit(p, ZERO, False, NO_CREDIT, ()) for p in periods),
                       tuple(p.end.toordinal() for p in periods))
        return _Calendar(span, units, tuple(s for s, _ in units.days))


_CALENDARS: dict[str, _Calendar] = {}
_MARGIN_DAYS = 3 * 366


def evaluate(comp: EmploymentCondition, ctx: CustomerContext, prior: Sequence[Line]
             ) -> Outcome:
    rules = list(once_for(_rules, comp, ctx.currency_sign))
    any_price = ctx.price(comp.amount)
    if any_price is None:
        return Outcome([ctx.line(comp, status="not_earned", occurrence="once", on=None,
                                 quantity=ONE, unit_price=ZERO,
                                 reason=f"no price for segment {ctx.segment}")],
                       Trace(tuple(rules)))
    if ctx.service is None:
        status, reason, on = ctx.without_service("waiting for the service start")
        return Outcome([ctx.line(comp, status=status, occurrence="once", on=on, quantity=ONE,
                                 unit_price=any_price, reason=reason)], Trace(tuple(rules)))
    if comp.look_back:
        line, counted = _looking_back(comp, ctx, ctx.service, any_price)
    else:
        counted = _count(comp, ctx, ctx.service)
        line = (_met(comp, ctx, counted) if counted.completed is not None
                else _unmet(comp, ctx, counted, any_price))
    rules.append(counted.reference_text)
    return Outcome([line], Trace(tuple(rules), lambda: _steps(comp, counted, ctx.currency_sign)))


def _steps(comp: EmploymentCondition, counted: _Count, sign: str) -> list[Step]:
    singular = comp.unit[:-1]
    out = []
    for unit in counted.looked_at:
        measure = (f"{_hours_text(unit.measure)} h" if comp.unit == "weeks"
                   else f"{money_text(unit.measure)} {sign}")
        verdict = (f"qualifies, counts {count_text(unit.weight)}" if unit.qualifies
                   else "does not qualify")
        if unit.qualifies and unit.credit < 1:
            verdict = f"meets the partial threshold, counts {count_text(unit.weight)}"
        out.append(Step(singular, f"{singular} {unit.period}: {measure}, {verdict}",
                        unit.period.start, unit.period.end,
                        Decimal(unit.weight.numerator) / Decimal(unit.weight.denominator)
                        if unit.qualifies else ZERO,
                        tuple(sorted(j.event_id for j in unit.jobs))))
    return out


def _so_far(comp: EmploymentCondition, counted: _Count, sign: str) -> tuple[str, str]:
    """(the count in words, the jobs it rests on in words)."""
    word, test = once_for(_describe, comp, sign)
    # the units share a few credits (a threshold's): each compared once, not once a unit
    in_part = any(c < 1 for c in {id(u.credit): u.credit for u in counted.qualifying}.values())
    weighted = "" if counted.count == len(counted.qualifying) else (
        f" ({len(counted.qualifying)} qualifying {word}, counted "
        + ("in part or " if in_part else "") + "at their kind weights)")
    ids = sorted(counted.jobs)
    rows = "earnings rows" if comp.wages == "earnings" else "jobs"
    jobs_text = (f"; {rows} {', '.join(ids)}, weakest evidence {counted.evidence}" if ids
                 else "")
    return (f"{count_text(counted.count)} of {comp.required} {word} with {test}{weighted}",
            jobs_text)


def _met(comp: EmploymentCondition, ctx: CustomerContext, counted: _Count) -> Line:
    completed, evidence = counted.completed, counted.evidence
    assert completed is not None and evidence is not None
    ids = sorted(counted.jobs)
    price = ctx.price(comp.amount, evidence, on=completed.period.last_day)
    so_far, jobs_text = _so_far(comp, counted, ctx.currency_sign)
    met = (f"employment condition met on {completed.period.last_day}: {so_far}, counted from "
           f"the {comp.unit[:-1]} starting {counted.qualifying[0].period.start}, in the "
           f"{counted.reference_text}{jobs_text}")

    def line(status: Literal["payable", "pending", "not_earned"], unit_price: Decimal,
             reason: str) -> Line:
        return ctx.line(comp, status=status, occurrence="once", on=completed.period.last_day,
                        quantity=ONE, unit_price=unit_price, evidence=ids,
                        period=counted.reference, reason=reason)

    if price is not None:
        return line("payable", price, met)
    # a later-recorded confirmation (stronger evidence) can still make it payable
    unpriced = (f"the contract has no price for evidence level {evidence} in segment "
                f"{ctx.segment}")
    stronger = confirmations(ctx, comp.amount, evidence)
    deadline = ctx.deadline("service_and_follow_up", comp.reach_by,
                            reach_within=comp.reach_within)
    assert deadline is not None
    if stronger and ctx.as_of < deadline.last_day:
        return line("pending", ctx.price(comp.amount, stronger[-1]) or ZERO,
                    f"{met}; {unpriced}: needs confirmation by "
                    f"{confirmations_text(stronger)} by {by_text(deadline)}")
    if stronger:
        unpriced += (f", and no confirmation by {confirmations_text(stronger)} was "
                     f"recorded by {by_text(deadline)}")
    return line("not_earned", ZERO, f"{met}; but {unpriced}")


def _unmet(comp: EmploymentCondition, ctx: CustomerContext, counted: _Count,
           any_price: Decimal) -> Line:
    word = comp.unit
    singular = word[:-1]
    evidence = counted.evidence
    so_far, jobs_text = _so_far(comp, counted, ctx.currency_sign)
    reference, reference_text = counted.reference, counted.reference_text
    if evidence and ctx.price(comp.amount, evidence) is None:
        jobs_text += f" (the contract has no price for evidence level {evidence})"
    paid: Sequence[Paid] = (ctx.timeline.earnings if comp.wages == "earnings"
                            else ctx.timeline.employments)
    ignored = sorted({p.kind for p in paid if comp.weights.get(p.kind, ZERO) <= 0})
    if ignored:
        jobs_text += f"; not counted: {', '.join(ignored)} work (weight 0)"

    def line(status: Literal["pending", "not_earned"], on: date, reason: str) -> Line:
        price = (ctx.price(comp.amount, evidence, on=on) if evidence
                 else ctx.price(comp.amount, on=on) or any_price)
        return ctx.line(comp, status=status, occurrence="once", on=on, quantity=ONE,
                        unit_price=price if price is not None else ZERO,
                        evidence=sorted(counted.jobs), period=reference, reason=reason)

    needed = Fraction(comp.required) - counted.count
    lost = _lost_on(comp, counted)
    if lost is None:
        last = counted.units[-1]
        return line("pending", last.last_day,
                    f"{so_far} so far; needs {count_text(needed)} more by {last.last_day}, "
                    f"the last whole {singular} of the {reference_text}{jobs_text}")
    if not counted.units:
        return line("not_earned", lost,
                    f"the {reference_text} holds no whole calendar {singular}")
    remaining = len(counted.units) - len(counted.looked_at)
    if remaining == 0:
        return line("not_earned", lost,
                    f"only {so_far} by the end of the {reference_text}; its last whole "
                    f"{singular} ended {counted.units[-1].last_day}, {count_text(needed)} "
                    f"more {'was' if needed == 1 else 'were'} needed; out of reach since "
                    f"{lost}{jobs_text}")
    return line("not_earned", lost,
                f"can no longer be met since {lost}: {so_far} so far and "
                f"{count_text(needed)} more needed, but only {remaining} whole {word} remain "
                f"in the {reference_text}{jobs_text}")


def _lost_on(comp: EmploymentCondition, counted: _Count) -> date | None:
    """The day the condition went out of reach: the last day of the first counted unit after
    which even every remaining whole unit at full credit and the highest weight could not
    reach ``required`` (the reference period's first day when it never could); None while
    it can still be met. Such a line is dated then, never after the evaluation date."""
    best = exact(max(comp.weights.values(), default=ZERO))
    n, required = len(counted.units), comp.required
    if out_of_reach(NO_CREDIT, n, best, required):
        return counted.reference.start
    # count + remaining * best < required, cross-multiplied, with the count kept in integers
    top, bottom = best.numerator, best.denominator
    count = _Sum()
    for i, unit in enumerate(counted.looked_at):
        if unit.qualifies:
            count.add(unit.weight)
        if (count.numerator * bottom + (n - i - 1) * top * count.denominator
                < required * count.denominator * bottom):
            return unit.period.last_day
    return None


def out_of_reach(count: Fraction, remaining: int, best: Fraction, required: int) -> bool:
    """``count + remaining * best < required``, cross-multiplied: integers only."""
    return (count.numerator * best.denominator + remaining * best.numerator
            * count.denominator < required * count.denominator * best.denominator)


# --- look_back: the law's review period, looking back from each unit ------------------------


@dataclass(frozen=True)
class _Review:
    """The whole units from ``reference_period`` before the service start to the deadline,
    those ended by the evaluation date worked out, and sums to count any run of them."""

    units: _Units
    known: list[Unit]  # the units ended by the evaluation date, in order
    # the first unit ending after the service starts: the condition is checked on its last
    # day and on each later unit's; the units before it end before the service
    first: int
    sums: list[Fraction]  # sums[i]: what the known units before unit i count
    best: Fraction  # the most a unit not yet ended may count

    def lowest(self, comp: EmploymentCondition, end: date) -> int:
        """The first unit of the review period ending (exclusively) on ``end``."""
        start = comp.reference_period.before(end).toordinal()
        return bisect_left(self.units.days, (start, start))

    def most(self, low: int, k: int, known: int) -> Fraction:
        """The most units ``low`` to ``k`` count when the first ``known`` are known and each
        later one counts ``best``."""
        upto = min(max(known, low), k + 1)
        return self.sums[upto] - self.sums[low] + self.best * (k + 1 - upto)


def _review(comp: EmploymentCondition, ctx: CustomerContext, service: Period,
            last: date) -> _Review:
    units = _whole_units(comp.unit, Period(comp.reference_period.before(service.start),
                                           max(service.start, last + ONE_DAY)))
    paid: Sequence[Paid] = (ctx.timeline.earnings if comp.wages == "earnings"
                            else ctx.timeline.employments)
    worked = _worked(comp, [j for j in paid if comp.weights.get(j.kind, ZERO) > 0], ctx.as_of)
    spans = _spans(comp, worked)
    known: list[Unit] = []
    sums = [NO_CREDIT]
    for k in range(bisect_right(units.last_days, ctx.as_of)):
        period, (start, end) = units.periods[k], units.days[k]
        days_in = _days_in(spans, start, end)
        unit = units.empty[k]
        if days_in:
            parts, denominator = _parts(comp, period, worked, days_in)
            unit = _unit(period, parts, denominator, _thresholds(comp, period), comp)
        known.append(unit)
        sums.append(sums[-1] + (unit.weight if unit.qualifies else NO_CREDIT))
    first = bisect_right(units.ends, service.start.toordinal())
    return _Review(units, known, first, sums, exact(max(comp.weights.values(), default=ZERO)))


def _window(comp: EmploymentCondition, review: _Review, low: int, k: int, end: date,
            completed: Unit | None) -> _Count:
    """The count of the review period of units ``low`` to ``k`` (known), ending on ``end``."""
    units = review.known[low:k + 1]
    period = Period(comp.reference_period.before(end), end)
    text = (f"review period {period} ({comp.reference_period} up to "
            f"{end - ONE_DAY}, work before the service counted)")
    return _Count(period, text, [u.period for u in units],
                  [u for u in units if u.qualifies], units,
                  review.sums[k + 1] - review.sums[low], completed)


def _looking_back(comp: EmploymentCondition, ctx: CustomerContext, service: Period,
                  any_price: Decimal) -> tuple[Line, _Count]:
    """The condition checked on the last day of each whole unit ending after the service
    starts (a unit holding the service start included), up to the deadline, over the
    reference period ending then; not paid when it was met already by the units ended before
    the service started."""
    deadline = ctx.deadline("service_and_follow_up", comp.reach_by,
                            reach_within=comp.reach_within)
    assert deadline is not None
    review = _review(comp, ctx, service, deadline.last_day)
    ended = len(review.known)
    if ended >= review.first:  # the units before the service have all ended by now
        before = _window(comp, review, review.lowest(comp, service.start), review.first - 1,
                         service.start, None)
        if before.count >= comp.required:
            return _met_before(comp, ctx, service, before), before
    for k in range(review.first, ended):
        end = review.units.periods[k].end
        low = review.lowest(comp, end)
        if review.sums[k + 1] - review.sums[low] >= comp.required:
            return _met(comp, ctx, (counted := _window(comp, review, low, k, end,
                                                       review.known[k]))), counted
    # so far: the review period ending with the last unit ended (a service start booked
    # ahead of the evaluation date leaves units before it not ended yet)
    latest, periods = ended - 1, review.units.periods
    end = (periods[latest].end if latest >= review.first or (latest >= 0 and ended < review.first)
           else service.start)
    so_far = _window(comp, review, review.lowest(comp, end), latest, end, None)
    return _not_yet_met(comp, ctx, service, review, so_far, any_price), so_far


def _reachable(comp: EmploymentCondition, review: _Review, known: int) -> bool:
    """Whether a unit not yet known when the first ``known`` are (from the service start to
    the deadline) may still complete the count, each unit after them at ``best``."""
    return any(review.most(review.lowest(comp, review.units.periods[k].end), k, known)
               >= comp.required
               for k in range(max(known, review.first), len(review.units.periods)))


def _met_before(comp: EmploymentCondition, ctx: CustomerContext, service: Period,
                before: _Count) -> Line:
    so_far, jobs_text = _so_far(comp, before, ctx.currency_sign)
    price = ctx.price(comp.amount, before.evidence, on=service.start) or ZERO
    return ctx.line(comp, status="not_earned", occurrence="once", on=service.start,
                    quantity=ZERO, unit_price=price, evidence=sorted(before.jobs),
                    period=before.reference,
                    reason=f"the employment condition was met already when the service "
                           f"started on {service.start}: {so_far} in the "
                           f"{before.reference_text}{jobs_text}; the fee is for meeting it "
                           "after the service starts, so none is offered")


def _not_yet_met(comp: EmploymentCondition, ctx: CustomerContext, service: Period,
                 review: _Review, so_far: _Count, any_price: Decimal) -> Line:
    """Pending while a unit to the deadline may still complete the count; else not earned
    since the last day of the first unit after which none could."""
    words, jobs_text = _so_far(comp, so_far, ctx.currency_sign)
    price = ctx.price(comp.amount, so_far.evidence) if so_far.evidence else any_price
    periods = review.units.periods
    if not periods[review.first:]:
        return ctx.line(comp, status="not_earned", occurrence="once", on=service.start,
                        quantity=ONE, unit_price=price or ZERO, evidence=sorted(so_far.jobs),
                        period=so_far.reference, reason=f"no whole calendar {comp.unit[:-1]} "
                        "lies between the service start and the deadline")
    ended = len(review.known)
    if _reachable(comp, review, ended):
        last = periods[-1].last_day
        return ctx.line(comp, status="pending", occurrence="once", on=last, quantity=ONE,
                        unit_price=price or ZERO, evidence=sorted(so_far.jobs),
                        period=so_far.reference,
                        reason=f"{words} in the {so_far.reference_text} so far; may still be "
                               f"met by {last}, the last whole {comp.unit[:-1]} before the "
                               f"deadline{jobs_text}")
    # the last day of the first unit ended after which none could; the service start when
    # none ever could (or the units before it have not all ended: none ended in it)
    lost = next((k for k in range(review.first - 1, ended)
                 if not _reachable(comp, review, k + 1)), review.first - 1)
    on = periods[lost].last_day if lost >= review.first else service.start
    return ctx.line(comp, status="not_earned", occurrence="once", on=on, quantity=ONE,
                    unit_price=price or ZERO, evidence=sorted(so_far.jobs),
                    period=so_far.reference,
                    reason=f"can no longer be met since {on}: {words} in the "
                           f"{so_far.reference_text}, and no whole {comp.unit[:-1]} to "
                           f"{periods[-1].last_day} can bring the review period ending "
                           f"with it to {comp.required}{jobs_text}")


def _deadline(comp: EmploymentCondition, ctx: CustomerContext) -> date | None:
    found = ctx.deadline("service_and_follow_up", comp.reach_by,
                         reach_within=comp.reach_within)
    return found.last_day if found is not None else None


def _reads(comp: EmploymentCondition) -> frozenset[str]:
    """The rows whose wages count: earnings rows, or the jobs' own wages."""
    return frozenset({"earnings"}) if comp.wages == "earnings" else frozenset({"employment"})


KIND = CustomerKind(EmploymentCondition, evaluate, deadline=_deadline, reads=_reads)
