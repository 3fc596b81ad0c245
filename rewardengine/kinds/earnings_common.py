"""What the kinds that count qualifying calendar months (or weeks) share: period_payments and
earnings_milestones (US Ticket to Work milestones and outcome payments, UK off-benefit
periods). Documented in docs/contract-language.md.

Rules:

* **Units** are calendar months (1st to last day) or calendar weeks (Monday to Sunday).
* **Which units count**: those that *end* after the service start day and on or before the
  deadline of ``window`` (the window's last day plus any grace, ``reach_by``,
  ``reach_within``, the contract's ``outcomes_until``). So the unit holding the service start
  counts unless the service starts on its last day (as Ticket to Work counts "the first month
  ending after the date on which the ticket was assigned"), and a unit running past the
  deadline does not.
* **Earnings of a unit**: the sum of the ``amount`` of the ``earnings`` rows dated in it (the
  pay date, as the income register reports wages), whatever their kind or evidence.
* **Benefit of a unit**: paid when a ``benefit`` row with ``days`` or ``amount`` above 0 is
  dated in a calendar month the unit overlaps (benefit rows are monthly, so a week takes the
  benefit of its month or months); a month with no benefit row has no benefit paid.
* **A unit qualifies** when its earnings are at least ``min_earnings`` (the value in force on
  the unit's first day; compared exactly: 1159.99 does not meet 1160.00) and its benefit is as
  ``benefit`` asks (``none``: not paid; ``paid``: paid; ``any``: either). At least one of the
  two conditions must be given (C217).
* A unit is decided once the evaluation date reaches its last day (facts count up to and
  including that date, the rule of every kind).
"""

from __future__ import annotations

import functools
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from types import EllipsisType
from typing import Literal, NamedTuple

from pydantic import Field

from ..contract.model import (
    NO_LIMIT,
    Amount,
    ComponentBase,
    Counting,
    OutcomeWindow,
    Path,
    Site,
    WantedEvent,
    amount_at,
    amounts_over,
)
from ..contract.windows import Deadline
from ..errors import Problem
from ..evaluate.context import CustomerContext
from ..evaluate.trace import Step
from ..events.model import Benefit, Earnings, EventBase
from ..periods import Period
from ..values import Duration, IsoDate, LengthField, add_months, money_text

__all__ = ["NO_LIMIT"]  # re-exported for the kinds that build on this module

UnitName = Literal["months", "weeks"]
BenefitCondition = Literal["any", "none", "paid"]
ZERO = Decimal(0)


class PeriodRules(ComponentBase):
    """The keys every kind counting qualifying units has (see the module docstring)."""

    unit: UnitName
    min_earnings: Amount | None = Field(
        default=None, description="a unit qualifies with earnings at least this (per unit)")
    benefit: BenefitCondition = Field(
        default="any", description="none: no benefit paid in the unit; paid: benefit paid")
    window: OutcomeWindow = "service_and_follow_up"
    reach_by: IsoDate | None = None
    reach_within: LengthField | None = Field(
        default=None, description="the outcome must be reached within this time of the "
                                  "service start (its first day counted), e.g. '6 months'")

    def counting_window(self) -> Counting | None:
        return self.window

    def counting_window_path(self) -> Path:
        return ("window",)

    def deadline_date(self) -> date | None:
        return self.reach_by

    def deadline_within(self) -> Duration | None:
        return self.reach_within

    def wanted_events(self) -> list[WantedEvent]:
        """Earnings rows when earnings decide, benefit rows when benefit does."""
        return ([WantedEvent("earnings")] if self.min_earnings is not None else []) + (
            [WantedEvent("benefit")] if self.benefit != "any" else [])

    def checks(self, site: Site) -> list[Problem]:
        if self.min_earnings is None and self.benefit == "any":
            return [site.err("C217", f"{self.kind_name} needs min_earnings or benefit (none or "
                             "paid): otherwise every unit qualifies")]
        return []


def unit_start(unit: UnitName, day: date) -> date:
    """The first day of the calendar month or week holding ``day``."""
    if unit == "months":
        return day.replace(day=1)
    return day - timedelta(days=day.weekday())


def nth_unit(unit: UnitName, first: date, i: int) -> Period:
    """Unit ``i`` counted from the unit starting on ``first`` (negative: before it)."""
    if unit == "months":
        if first.day == 1:  # a calendar month: its first days, from a count of months
            return Period(_month_start(first, i), _month_start(first, i + 1))
        return Period(add_months(first, i), add_months(first, i + 1))
    start = first + timedelta(weeks=i)
    return Period(start, start + timedelta(weeks=1))


def _month_start(first: date, i: int) -> date:
    """The first day of the month ``i`` months after the month starting on ``first``."""
    year, month = divmod(first.year * 12 + first.month - 1 + i, 12)
    return date(year, month + 1, 1)


def counted_units(unit: UnitName, service_start: date, last_day: date) -> list[Period]:
    """The units ending after the service start day and on or before ``last_day``."""
    return list(_counted_units(unit, service_start, last_day))


@functools.lru_cache(maxsize=4096)  # customers share service starts and deadlines
def _counted_units(unit: UnitName, service_start: date, last_day: date
                   ) -> tuple[Period, ...]:
    first = unit_start(unit, service_start)
    out: list[Period] = []
    i = 0
    while True:
        u = nth_unit(unit, first, i)
        i += 1
        if u.last_day <= service_start:
            continue
        if u.last_day > last_day:
            return tuple(out)
        out.append(u)


def units_before(unit: UnitName, service_start: date, n: int) -> list[Period]:
    """The ``n`` units immediately before the unit holding the service start (the look-back)."""
    return list(_units_before(unit, unit_start(unit, service_start), n))


@functools.lru_cache(maxsize=4096)  # customers share the unit of their service start
def _units_before(unit: UnitName, first: date, n: int) -> tuple[Period, ...]:
    return tuple(nth_unit(unit, first, -k) for k in range(n, 0, -1))


def unit_key(unit: UnitName, period: Period) -> str:
    """``2025-03`` for a month, ``2025-W09`` for an ISO week."""
    if unit == "months":
        return f"{period.start:%Y-%m}"
    year, week, _ = period.start.isocalendar()
    return f"{year}-W{week:02d}"


def unit_word(unit: UnitName, plural: bool = False) -> str:
    return unit if plural else unit[:-1]


class Assessed(NamedTuple):
    """One unit and whether it qualifies, with what it rests on (a tuple: one is made for
    every counted unit of every component and customer, and a frozen dataclass costs
    several times as much to make)."""

    unit: UnitName
    period: Period
    qualifies: bool
    earned: Decimal
    threshold: Decimal | None  # the earnings threshold in force (None: not asked, or none)
    benefit_paid: bool | None  # None: not asked
    evidence: tuple[str, ...]
    sign: str
    earnings_asked: bool = True

    @property
    def key(self) -> str:
        return unit_key(self.unit, self.period)

    @property
    def text(self) -> str:
        """``2025-03: earnings 1210.00 USD (at least 1160.00 USD), no benefit paid``."""
        parts = []
        if self.threshold is not None:
            verdict = "at least" if self.earned >= self.threshold else "below"
            parts.append(f"earnings {money_text(self.earned)} {self.sign} ({verdict} "
                         f"{money_text(self.threshold)} {self.sign})")
        elif self.earnings_asked:
            parts.append(f"earnings {money_text(self.earned)} {self.sign}, but no earnings "
                         f"threshold is in force on {self.period.start}")
        if self.benefit_paid is not None:
            parts.append("benefit paid" if self.benefit_paid else "no benefit paid")
        return f"{self.key}: {', '.join(parts)}"


class RowsByDate:
    """A customer's earnings rows, and benefit rows with days or an amount above 0, sorted by
    date once per customer, so that a unit's rows are found by halving (``bisect``) rather
    than by a pass over every row for every unit; what a unit earned, and whether a benefit
    was paid in it, are found once per customer and unit, for all the components that ask
    (``rows_by_date``)."""

    def __init__(self, ctx: CustomerContext) -> None:
        self.earnings = sorted(ctx.timeline.earnings, key=_day)
        self.earning_days = [e.date for e in self.earnings]
        self.benefits = sorted((b for b in ctx.timeline.benefits
                                if (b.days or 0) > 0 or (b.amount or ZERO) > 0), key=_day)
        self.benefit_days = [b.date for b in self.benefits]
        self.sign = ctx.currency_sign
        # keyed by a unit's first day and end (cheaper to hash than the Period)
        self._earned: dict[tuple[date, date], tuple[Decimal, tuple[str, ...]]] = {}
        self._paid: dict[tuple[date, date], tuple[bool, tuple[str, ...]]] = {}

    def earnings_in(self, period: Period) -> list[Earnings]:
        return self.earnings[bisect_left(self.earning_days, period.start):
                             bisect_left(self.earning_days, period.end)]

    def benefits_in(self, period: Period) -> list[Benefit]:
        return self.benefits[bisect_left(self.benefit_days, period.start):
                             bisect_left(self.benefit_days, period.end)]

    def earned(self, period: Period) -> tuple[Decimal, tuple[str, ...]]:
        """The earnings summed over ``period``, and their ids in date order."""
        key = (period.start, period.end)
        found = self._earned.get(key)
        if found is None:
            rows = self.earnings_in(period)
            found = self._earned[key] = (sum((e.amount for e in rows), ZERO),
                                         tuple(e.event_id for e in rows))
        return found

    def benefit_paid(self, period: Period) -> tuple[bool, tuple[str, ...]]:
        key = (period.start, period.end)
        found = self._paid.get(key)
        if found is None:
            found = self._paid[key] = _benefit_paid(self, period)
        return found


def rows_by_date(ctx: CustomerContext) -> RowsByDate:
    """The customer's rows by date, sorted once for every component of the customer."""
    rows = ctx.memo.get(RowsByDate)
    if rows is None:
        rows = ctx.memo[RowsByDate] = RowsByDate(ctx)
    assert isinstance(rows, RowsByDate)
    return rows


def _day(e: EventBase) -> date:
    return e.date


def _benefit_paid(rows: RowsByDate, period: Period) -> tuple[bool, tuple[str, ...]]:
    # the calendar months the unit overlaps run without a gap: one span from the first's
    # first day to the last's end
    last = period.last_day.replace(day=1)
    paid = rows.benefits_in(Period(period.start.replace(day=1), _month_start(last, 1)))
    return bool(paid), tuple(sorted(b.event_id for b in paid))


def assess(comp: PeriodRules, ctx: CustomerContext, period: Period,
           by_date: RowsByDate | None = None,
           threshold: Decimal | EllipsisType | None = ...) -> Assessed:
    """Whether ``period`` qualifies under the component's test (see the module docstring);
    ``by_date``: the customer's rows sorted once for all its units; ``threshold``: the
    earnings threshold in force on the unit's first day, when already looked up."""
    rows = by_date or rows_by_date(ctx)
    earned, ids = rows.earned(period)
    if isinstance(threshold, EllipsisType):
        threshold = amount_at(comp.min_earnings, period.start)
    # no threshold in force yet (before the first dated value): the unit cannot qualify
    ok = comp.min_earnings is None or (threshold is not None and earned >= threshold)
    paid = None
    if comp.benefit != "any":
        paid, benefit_ids = rows.benefit_paid(period)
        ids = (*ids, *benefit_ids)
        ok = ok and (paid if comp.benefit == "paid" else not paid)
    return Assessed(comp.unit, period, ok, earned, threshold, paid, tuple(sorted(ids)),
                    rows.sign, comp.min_earnings is not None)


def assess_all(comp: PeriodRules, ctx: CustomerContext, units: Sequence[Period],
               by_date: RowsByDate) -> list[Assessed]:
    """``assess`` of each of ``units`` (in date order), the dated earnings threshold looked
    up once for each run of units it holds for."""
    thresholds = amounts_over(comp.min_earnings, [u.start for u in units])
    return [assess(comp, ctx, u, by_date, t) for u, t in zip(units, thresholds, strict=True)]


def condition_text(comp: PeriodRules, sign: str, on: date | None = None) -> str:
    """What makes a unit qualify, in words; a threshold that changes on dates is shown as in
    force on ``on`` (every value when ``on`` is None)."""
    parts = []
    if isinstance(comp.min_earnings, Decimal):
        parts.append(f"earnings of at least {money_text(comp.min_earnings)} {sign}")
    elif comp.min_earnings is not None and on is not None:
        now = amount_at(comp.min_earnings, on)
        shown = money_text(now) if now is not None else "(none yet)"
        parts.append(f"earnings of at least the threshold ({shown} {sign} on {on})")
    elif comp.min_earnings is not None:
        parts.append(f"earnings of at least {comp.min_earnings} {sign}")
    if comp.benefit == "none":
        parts.append("no benefit paid")
    elif comp.benefit == "paid":
        parts.append("benefit paid")
    return " and ".join(parts)


@dataclass(frozen=True)
class Counted:
    """The units a component counts for one customer, as of the evaluation date."""

    units: list[Period]  # every unit that counts, decided or not
    decided: list[Assessed]  # the units already decided, in order
    deadline: Deadline

    @property
    def open_units(self) -> int:
        return len(self.units) - len(self.decided)

    @property
    def last_day(self) -> date | None:
        """The last day of the last unit that counts (None: no unit counts)."""
        return self.units[-1].last_day if self.units else None


def count_units(comp: PeriodRules, ctx: CustomerContext, service: Period) -> Counted:
    deadline = ctx.deadline(comp.window, comp.reach_by, reach_within=comp.reach_within)
    assert deadline is not None
    units = counted_units(comp.unit, service.start, deadline.last_day)
    by_date = rows_by_date(ctx)
    decided = assess_all(comp, ctx, [u for u in units if ctx.as_of >= u.last_day], by_date)
    return Counted(units, decided, deadline)


def unit_steps(assessed: Sequence[Assessed], verdict: Callable[[Assessed], str],
               what: str, prefix: str = "") -> list[Step]:
    """A trace step per unit: what it held and what it did."""
    return [Step(what, f"{prefix}{a.text}: {verdict(a)}", a.period.start, a.period.end,
                 Decimal(1) if a.qualifies else ZERO, a.evidence) for a in assessed]


def lost_on(flags: Sequence[bool], units: Sequence[Period], start: date,
            can_reach: Callable[[Sequence[bool | None]], bool]) -> date:
    """The day an outcome became out of reach: the last day of the first decided unit after
    which even every undecided unit qualifying would not reach it (``start`` when it never
    could). ``can_reach`` gets one flag per unit, None for a unit not decided yet; knowing
    more units never brings an outcome back into reach, so the first such unit is found by
    halving."""
    def reachable(known: int) -> bool:
        return can_reach([*flags[:known], *([None] * (len(units) - known))])

    if not reachable(0):
        return start
    lo, hi = 0, len(flags)  # reachable(lo); the answer is the first k with not reachable(k)
    if reachable(hi):
        return units[len(flags) - 1].last_day if flags else start
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if reachable(mid):
            lo = mid
        else:
            hi = mid
    return units[hi - 1].last_day
