"""employment_condition: a one-off fee when the customer meets the employment condition
(työssäoloehto): ``required`` qualifying calendar weeks or months inside a reference period.

Rules (docs/contract-language.md):

* The reference period is ``[service start, service start + reference_period)``, cut short
  after the last day an outcome may be reached in the ``service_and_follow_up`` window (the
  follow-up's end plus any grace, ``reach_by``, the contract's ``outcomes_until``), whichever
  comes first.
* Only whole units count: calendar weeks Monday to Sunday (``unit: weeks``) or calendar
  months (``unit: months``) lying wholly inside the reference period. A unit straddling either
  end does not count; a unit counts once ``as_of`` reaches its last day (as in every kind).
* Counting jobs are those whose kind has a weight above 0 in ``weights``.
* weeks: the hours of a week are, summed over the counting jobs, ``hours_per_week * days the
  job is active in the week / 7`` (a job given in FTE counts ``fte * 37.5`` hours). The week
  qualifies when that sum is at least ``min_hours_per_week``, compared exactly.
* months: the wage of a month is, summed over the counting jobs, ``wage * days active in the
  month / days in the month`` (``wage`` is monthly; a job without a wage adds nothing). The
  month qualifies when that sum is at least ``min_monthly_wage``, compared exactly.
* A qualifying unit counts at the hours- (months: wage-) weighted average weight of its jobs:
  a week of subsidised work at weight 0.75 counts 0.75 of a week. Counts are kept as exact
  fractions, never rounded.
* Paid once (occurrence ``once``, quantity 1) on the last day of the unit that brings the
  count to ``required``, at the price for the weakest evidence among the jobs that worked in
  the qualifying units up to then. An evidence level the price table lacks: pending (at the
  price of the strongest evidence) while the ``service_and_follow_up`` deadline is ahead and
  a stronger level is priced, since a later-recorded confirmation would make it payable;
  otherwise not_earned at 0.00.
* Otherwise pending while the requirement can still be met inside the reference period, and
  not_earned once the period's last whole unit has ended, or earlier when even counting every
  remaining whole unit at the highest weight could not reach ``required``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction
from itertools import combinations
from typing import Literal

from pydantic import Field

from ..contract.model import (
    EMPLOYMENT_KINDS,
    EVIDENCE_LEVELS,
    Amount,
    CalendarThreshold,
    ComponentBase,
    Counting,
    Dated,
    EmploymentKind,
    Price,
    PriceTable,
    Site,
    Threshold,
    WorkRules,
    amount_at,
    weights_of,
)
from ..errors import Problem
from ..evaluate.context import CustomerContext
from ..evaluate.lines import Line
from ..evaluate.trace import Step, Trace
from ..events.model import Employment
from ..periods import ONE_DAY, Period, whole_months, whole_weeks
from ..values import DurationField, IsoDate, Quantity, WholeNumber, money_text
from ..work import MAX_JOBS_A_DAY, job_hours, job_period, weakest
from .base import CustomerKind, Outcome
from .employment_common import by_text, confirmations, confirmations_text


class EmploymentCondition(ComponentBase):
    kind: Literal["employment_condition"]
    unit: Literal["weeks", "months"]
    min_hours_per_week: Quantity | None = None
    min_monthly_wage: Amount | None = None
    required: WholeNumber = Field(ge=1)
    reference_period: DurationField
    weights: dict[EmploymentKind, Quantity] = Field(
        default_factory=lambda: weights_of(*EMPLOYMENT_KINDS))
    amount: Price
    reach_by: IsoDate | None = None

    def price_tables(self) -> list[PriceTable]:
        return [PriceTable(("amount",), self.amount, "fee", "fee", by_evidence=True),
                *super().price_tables()]

    def work_rules(self) -> WorkRules | None:
        return WorkRules({str(k): v for k, v in self.weights.items()}, ("weights",),
                         self.min_hours_per_week, ("min_hours_per_week",), must_count=False)

    def counting_window(self) -> Counting | None:
        return "service_and_follow_up"

    def deadline_date(self) -> date | None:
        return self.reach_by

    def thresholds(self) -> list[Threshold]:
        return [CalendarThreshold(self.unit, self.required, self.reference_period,
                                  ("required",))]

    def checks(self, site: Site) -> list[Problem]:
        out = []
        if self.unit == "weeks" and self.min_hours_per_week is None:
            out.append(site.err("C217", "unit: weeks needs min_hours_per_week"))
        if self.unit == "months" and self.min_monthly_wage is None:
            out.append(site.err("C217", "unit: months needs min_monthly_wage"))
        if self.unit == "weeks" and self.min_monthly_wage is not None:
            out.append(site.err("C218", "min_monthly_wage applies to unit: months",
                                "min_monthly_wage"))
        if self.unit == "months" and self.min_hours_per_week is not None:
            out.append(site.err("C218", "min_hours_per_week applies to unit: weeks",
                                "min_hours_per_week"))
        return out

ONE = Decimal(1)
ZERO = Decimal(0)
DAYS_IN_WEEK = 7


@dataclass(frozen=True, slots=True)
class Unit:
    """One calendar week or month of the reference period and the work in it."""

    period: Period
    measure: Decimal  # hours in the week, or wage for the month (exact numerator / days)
    qualifies: bool
    weight: Fraction  # what a qualifying unit counts
    jobs: tuple[Employment, ...]  # counting jobs that worked in the unit
    evidence: str = "register"  # the strongest level whose jobs qualify the unit alone


def _unit(comp: EmploymentCondition, period: Period, jobs: Sequence[Employment],
          as_of: date) -> Unit:
    weeks = comp.unit == "weeks"
    denominator = DAYS_IN_WEEK if weeks else period.days
    # a wage threshold that changes on dates (indexed yearly): the one of the month's first day
    threshold = (comp.min_hours_per_week if weeks
                 else amount_at(comp.min_monthly_wage, period.start)) or ZERO
    parts: list[tuple[Employment, Decimal]] = []
    for job in jobs:
        covered = job_period(job, as_of)
        days = covered.overlap_days(period) if covered else 0
        per_unit = job_hours(job) if weeks else (job.wage or ZERO)
        if days and per_unit > 0:
            parts.append((job, per_unit * days))  # hours or wage, times days: exact
    total = sum((v for _, v in parts), ZERO)
    if not parts:
        return Unit(period, ZERO, False, Fraction(0), ())

    def enough(group: Sequence[tuple[Employment, Decimal]]) -> bool:
        # sum(per_unit * days) >= threshold * denominator: no division, exact
        return bool(group) and sum((v for _, v in group), ZERO) >= threshold * denominator

    jobs_in = tuple(j for j, _ in parts)
    if not enough(parts):
        return Unit(period, total / denominator, False, _weight(comp, parts), jobs_in)
    # as for days (work.py): the best weight and the strongest evidence of the jobs that
    # qualify the unit, so more work never counts or pays less
    groups = [g for k in range(1, len(parts) + 1) for g in combinations(parts, k)
              if enough(g)] if len(parts) <= MAX_JOBS_A_DAY else [tuple(parts)]
    evidence = next(level for level in (*EVIDENCE_LEVELS, "self_report") if any(
        all(EVIDENCE_LEVELS.index(j.evidence) <= EVIDENCE_LEVELS.index(level) for j, _ in g)
        for g in groups))
    return Unit(period, total / denominator, True,
                max(_weight(comp, g) for g in groups), jobs_in, evidence)


def _weight(comp: EmploymentCondition, parts: Sequence[tuple[Employment, Decimal]]
            ) -> Fraction:
    """The hours- (months: wage-) weighted average of the jobs' kind weights, exactly."""
    total = sum((v for _, v in parts), ZERO)
    return sum((Fraction(v) * Fraction(comp.weights[j.kind]) for j, v in parts),
               Fraction(0)) / Fraction(total)


def count_text(value: Fraction | Decimal) -> str:
    """A count for a reason: whole numbers plain, others to two places (cut, never rounded
    up, so that 25.999 never reads as 26)."""
    frac = Fraction(value)
    if frac.denominator == 1:
        return str(frac.numerator)
    dec = (Decimal(frac.numerator) / Decimal(frac.denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_DOWN)
    return f"{dec.normalize():f}"


def _hours_text(value: Decimal) -> str:
    return count_text(value.quantize(Decimal("0.01"), rounding=ROUND_DOWN))


def _describe(comp: EmploymentCondition, sign: str) -> tuple[str, str]:
    """(unit word, what makes a unit qualify)."""
    if comp.unit == "weeks":
        return "weeks", f"at least {_hours_text(comp.min_hours_per_week or ZERO)} h of work"
    wage = comp.min_monthly_wage
    shown = str(wage) if isinstance(wage, Dated) else money_text(wage or ZERO)
    return "months", f"wages of at least {shown} {sign}"


def _reference_period(comp: EmploymentCondition, ctx: CustomerContext,
                      service: Period) -> tuple[Period, str]:
    start = service.start
    full = Period(start, comp.reference_period.after(start))
    text = f"reference period {full} ({comp.reference_period} from the service start)"
    deadline = ctx.deadline("service_and_follow_up", comp.reach_by)
    if deadline is not None and deadline.last_day < full.last_day:
        cut = Period(start, max(deadline.last_day + ONE_DAY, start))
        text = (f"reference period {cut} ({comp.reference_period} from the service start, "
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
    def jobs(self) -> dict[str, Employment]:
        return {j.event_id: j for u in self.qualifying for j in u.jobs}

    @property
    def evidence(self) -> str | None:
        """The weakest evidence of the qualifying units counted."""
        return weakest(u.evidence for u in self.qualifying) if self.qualifying else None


def _count(comp: EmploymentCondition, ctx: CustomerContext, service: Period) -> _Count:
    reference, reference_text = _reference_period(comp, ctx, service)
    units = list(whole_weeks(reference) if comp.unit == "weeks" else whole_months(reference))
    jobs = [j for j in ctx.timeline.employments if comp.weights.get(j.kind, ZERO) > 0]
    count = Fraction(0)
    qualifying: list[Unit] = []
    looked_at: list[Unit] = []
    for period in units:
        if ctx.as_of < period.last_day:
            break  # still running (or yet to come): not counted yet
        unit = _unit(comp, period, jobs, ctx.as_of)
        looked_at.append(unit)
        if not unit.qualifies:
            continue
        qualifying.append(unit)
        count += unit.weight
        if count >= comp.required:
            return _Count(reference, reference_text, units, qualifying, looked_at, count, unit)
    return _Count(reference, reference_text, units, qualifying, looked_at, count, None)


def evaluate(comp: EmploymentCondition, ctx: CustomerContext, prior: Sequence[Line]
             ) -> Outcome:
    word, test = _describe(comp, ctx.currency_sign)
    rules = [f"{comp.required} qualifying calendar {word} with {test}, within "
             f"{comp.reference_period} from the service start",
             "kinds at weights " + ", ".join(f"{k} {v}" for k, v in comp.weights.items())]
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
    counted = _count(comp, ctx, ctx.service)
    rules.append(counted.reference_text)
    line = (_met(comp, ctx, counted) if counted.completed is not None
            else _unmet(comp, ctx, counted, any_price))
    return Outcome([line], Trace(tuple(rules), tuple(_steps(comp, counted, ctx.currency_sign))))


def _steps(comp: EmploymentCondition, counted: _Count, sign: str) -> list[Step]:
    singular = comp.unit[:-1]
    out = []
    for unit in counted.looked_at:
        measure = (f"{_hours_text(unit.measure)} h" if comp.unit == "weeks"
                   else f"{money_text(unit.measure)} {sign}")
        verdict = (f"qualifies, counts {count_text(unit.weight)}" if unit.qualifies
                   else "does not qualify")
        out.append(Step(singular, f"{singular} {unit.period}: {measure}, {verdict}",
                        unit.period.start, unit.period.end,
                        Decimal(unit.weight.numerator) / Decimal(unit.weight.denominator)
                        if unit.qualifies else ZERO,
                        tuple(sorted(j.event_id for j in unit.jobs))))
    return out


def _so_far(comp: EmploymentCondition, counted: _Count, sign: str) -> tuple[str, str]:
    """(the count in words, the jobs it rests on in words)."""
    word, test = _describe(comp, sign)
    weighted = "" if counted.count == len(counted.qualifying) else (
        f" ({len(counted.qualifying)} qualifying {word}, counted at their kind weights)")
    ids = sorted(counted.jobs)
    jobs_text = (f"; jobs {', '.join(ids)}, weakest evidence {counted.evidence}" if ids
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
    deadline = ctx.deadline("service_and_follow_up", comp.reach_by)
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
    price = (ctx.price(comp.amount, evidence, on=counted.reference.last_day) if evidence
             else ctx.price(comp.amount, on=counted.reference.last_day) or any_price)
    if price is None:
        jobs_text += f" (the contract has no price for evidence level {evidence})"
    reference, reference_text = counted.reference, counted.reference_text

    def line(status: Literal["pending", "not_earned"], on: date, reason: str) -> Line:
        return ctx.line(comp, status=status, occurrence="once", on=on, quantity=ONE,
                        unit_price=price if price is not None else ZERO,
                        evidence=sorted(counted.jobs), period=reference, reason=reason)

    needed = Fraction(comp.required) - counted.count
    if not counted.units:
        return line("not_earned", reference.last_day,
                    f"the {reference_text} holds no whole calendar {singular}")
    last = counted.units[-1]
    remaining = sum(1 for u in counted.units if ctx.as_of < u.last_day)
    if remaining == 0:
        return line("not_earned", reference.last_day,
                    f"only {so_far} by the end of the {reference_text}; its last whole "
                    f"{singular} ended {last.last_day}, {count_text(needed)} more were "
                    f"needed{jobs_text}")
    best_weight = max(comp.weights.values(), default=ZERO)
    if counted.count + remaining * Fraction(best_weight) < comp.required:
        return line("not_earned", reference.last_day,
                    f"can no longer be met: {so_far} so far and {count_text(needed)} more "
                    f"needed, but only {remaining} whole {word} remain in the "
                    f"{reference_text}{jobs_text}")
    return line("pending", last.last_day,
                f"{so_far} so far; needs {count_text(needed)} more by {last.last_day}, the "
                f"last whole {singular} of the {reference_text}{jobs_text}")


KIND = CustomerKind(EmploymentCondition, evaluate)
