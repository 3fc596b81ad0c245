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
from typing import Any

from ..contract.model import EmploymentCondition
from ..evaluate.context import CustomerContext
from ..evaluate.lines import Line
from ..events.model import Employment
from ..periods import ONE_DAY, Period, whole_months, whole_weeks
from ..values import money_text
from ..work import job_hours, job_period, weakest
from .employment_common import by_text, confirmations, confirmations_text

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


def _unit(comp: EmploymentCondition, period: Period, jobs: Sequence[Employment],
          as_of: date) -> Unit:
    weeks = comp.unit == "weeks"
    denominator = DAYS_IN_WEEK if weeks else period.days
    threshold = (comp.min_hours_per_week if weeks else comp.min_monthly_wage) or ZERO
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
    # compare sum(per_unit * days) >= threshold * denominator: no division, exact
    qualifies = total >= threshold * denominator
    weight = sum((Fraction(v) * Fraction(comp.weights[j.kind]) for j, v in parts),
                 Fraction(0)) / Fraction(total)
    return Unit(period, total / denominator, qualifies, weight,
                tuple(j for j, _ in parts))


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


def _describe(comp: EmploymentCondition) -> tuple[str, str]:
    """(unit word, what makes a unit qualify)."""
    if comp.unit == "weeks":
        return "weeks", f"at least {_hours_text(comp.min_hours_per_week or ZERO)} h of work"
    return "months", f"wages of at least {money_text(comp.min_monthly_wage or ZERO)} €"


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


def evaluate(component: Any, ctx: CustomerContext, prior: Sequence[Line]) -> list[Line]:
    comp: EmploymentCondition = component
    word, test = _describe(comp)
    singular = word[:-1]
    any_price = ctx.price(comp.amount)
    if any_price is None:
        return [ctx.line(comp, status="not_earned", occurrence="once", on=None, quantity=ONE,
                         unit_price=ZERO, reason=f"no price for segment {ctx.segment}")]
    if ctx.service is None:
        status, reason, on = ctx.without_service("waiting for the service start")
        return [ctx.line(comp, status=status, occurrence="once", on=on, quantity=ONE,
                         unit_price=any_price, reason=reason)]

    reference, reference_text = _reference_period(comp, ctx, ctx.service)
    units = list(whole_weeks(reference) if comp.unit == "weeks" else whole_months(reference))
    jobs = [j for j in ctx.timeline.employments if comp.weights.get(j.kind, ZERO) > 0]
    count = Fraction(0)
    qualifying: list[Unit] = []
    completed: Unit | None = None
    for period in units:
        if ctx.as_of < period.last_day:
            break  # still running (or yet to come): not counted yet
        unit = _unit(comp, period, jobs, ctx.as_of)
        if not unit.qualifies:
            continue
        qualifying.append(unit)
        count += unit.weight
        if count >= comp.required:
            completed = unit
            break

    used = {j.event_id: j for u in qualifying for j in u.jobs}
    ids = sorted(used)
    evidence = weakest(j.evidence for j in used.values()) if used else None
    weighted = "" if count == len(qualifying) else (
        f" ({len(qualifying)} qualifying {word}, counted at their kind weights)")
    jobs_text = (f"; jobs {', '.join(ids)}, weakest evidence {evidence}" if used else "")

    if completed is not None:
        assert evidence is not None
        price = ctx.price(comp.amount, evidence)
        first = qualifying[0].period.start
        met = (f"employment condition met on {completed.period.last_day}: "
               f"{count_text(count)} of {comp.required} {word} with {test}{weighted}, "
               f"counted from the {singular} starting {first}, in the {reference_text}"
               f"{jobs_text}")
        if price is None:
            # a later-recorded confirmation (stronger evidence) can still make it payable
            unpriced = (f"the contract has no price for evidence level {evidence} in segment "
                        f"{ctx.segment}")
            stronger = confirmations(ctx, comp.amount, evidence)
            deadline = ctx.deadline("service_and_follow_up", comp.reach_by)
            assert deadline is not None
            if stronger and ctx.as_of < deadline.last_day:
                return [ctx.line(comp, status="pending", occurrence="once",
                                 on=completed.period.last_day, quantity=ONE,
                                 unit_price=ctx.price(comp.amount, stronger[-1]) or ZERO,
                                 evidence=ids, period=reference,
                                 reason=f"{met}; {unpriced}: needs confirmation by "
                                        f"{confirmations_text(stronger)} by "
                                        f"{by_text(deadline)}")]
            if stronger:
                unpriced += (f", and no confirmation by {confirmations_text(stronger)} was "
                             f"recorded by {by_text(deadline)}")
            return [ctx.line(comp, status="not_earned", occurrence="once",
                             on=completed.period.last_day, quantity=ONE, unit_price=ZERO,
                             evidence=ids, period=reference, reason=f"{met}; but {unpriced}")]
        return [ctx.line(comp, status="payable", occurrence="once",
                         on=completed.period.last_day, quantity=ONE, unit_price=price,
                         evidence=ids, period=reference, reason=met)]

    price = ctx.price(comp.amount, evidence) if evidence else any_price
    unit_price = price if price is not None else ZERO
    if price is None:
        jobs_text += f" (the contract has no price for evidence level {evidence})"
    needed = Fraction(comp.required) - count
    so_far = f"{count_text(count)} of {comp.required} {word} with {test}{weighted}"
    if not units:
        return [ctx.line(comp, status="not_earned", occurrence="once", on=reference.last_day,
                         quantity=ONE, unit_price=unit_price, evidence=ids, period=reference,
                         reason=f"the {reference_text} holds no whole calendar {singular}")]
    last = units[-1]
    remaining = sum(1 for u in units if ctx.as_of < u.last_day)
    if remaining == 0:
        return [ctx.line(comp, status="not_earned", occurrence="once", on=reference.last_day,
                         quantity=ONE, unit_price=unit_price, evidence=ids, period=reference,
                         reason=f"only {so_far} by the end of the {reference_text}; its last "
                                f"whole {singular} ended {last.last_day}, "
                                f"{count_text(needed)} more were needed{jobs_text}")]
    best_weight = max(comp.weights.values(), default=ZERO)
    if count + remaining * Fraction(best_weight) < comp.required:
        return [ctx.line(comp, status="not_earned", occurrence="once", on=reference.last_day,
                         quantity=ONE, unit_price=unit_price, evidence=ids, period=reference,
                         reason=f"can no longer be met: {so_far} so far and {count_text(needed)} "
                                f"more needed, but only {remaining} whole {word} remain in the "
                                f"{reference_text}{jobs_text}")]
    return [ctx.line(comp, status="pending", occurrence="once", on=last.last_day,
                     quantity=ONE, unit_price=unit_price, evidence=ids, period=reference,
                     reason=f"{so_far} so far; needs {count_text(needed)} more by "
                            f"{last.last_day}, the last whole {singular} of the "
                            f"{reference_text}{jobs_text}")]
