"""work_history: pay per extra day in work or education during the service, compared with the
same length of time before it (Palvelumanageri).

Rules (docs/contract-language.md):

* Baseline: ``[service start - baseline, service start)``. Comparison: ``[service start +
  comparison.from, that + comparison.length)``; ``from`` defaults to 0 and ``length`` to
  ``baseline``. Neither is cut by the service or follow-up window.
* A day counts when it is covered by qualifying work (``work``: the thresholds and kind
  weights of employment_outcome, see rewardengine/work.py) and/or an education event
  (``date`` to ``end`` inclusive; no ``end``: ongoing), as ``count`` selects. Facts count only
  up to and including ``as_of``.
* Each day counts once, however many facts cover it, at the highest weight among them: an
  education day counts 1; a work day counts its jobs' hours-weighted kind weight (1 unless the
  contract weights a kind otherwise). So overlapping work and education is one day.
* Extra days = comparison days - baseline days. Once the comparison period has ended
  (``as_of`` on or after its last day) the line is payable on its last day with quantity = extra
  days at ``rate`` if extra >= ``min_extra_days``, else not_earned. ``rate`` may be priced by
  evidence level: the weakest evidence of the jobs counted in the comparison period decides
  (with only education days, the best-priced level). The component's ``cap`` is applied by
  the engine.
* Before then: pending with the days so far (quantity: the extra days already secured, if at
  least ``min_extra_days``, else 0); not_earned early when even counting every remaining day
  of the comparison period could not reach ``min_extra_days``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from ..contract.model import WorkHistory
from ..evaluate.context import CustomerContext
from ..evaluate.lines import Line
from ..periods import ONE_DAY, Period, baseline_and_comparison
from ..values import money_text
from ..work import as_decimal, stretches, weakest

ZERO = Decimal(0)
ONE = Decimal(1)


@dataclass(frozen=True, slots=True)
class Covered:
    """The days of one period covered by counting facts."""

    days: Decimal  # weighted day count
    event_ids: tuple[str, ...]
    evidence: tuple[str, ...]  # evidence levels of the jobs that counted


def number(value: Decimal) -> str:
    """A day count for a reason: ``47``, ``47.5``."""
    return f"{value.normalize():f}" if value else "0"


def covered(comp: WorkHistory, ctx: CustomerContext, period: Period) -> Covered:
    value: dict[date, Fraction] = {}
    ids: set[str] = set()
    evidence: set[str] = set()
    if "work" in comp.count:
        work = comp.work
        weights = {str(k): v for k, v in work.kinds.items()}
        for part in stretches(ctx.timeline.employments, weights, period, ctx.as_of,
                              work.min_hours_per_week, work.min_fte, work.full_time_hours):
            if part.exact_weight <= 0:
                continue
            ids.update(part.event_ids)
            evidence.add(part.evidence)
            for i in range(part.period.days):
                day = part.period.start + timedelta(days=i)
                value[day] = max(value.get(day, Fraction(0)), part.exact_weight)
    if "education" in comp.count:
        for edu in ctx.timeline.educations:
            last = min(edu.end or ctx.as_of, ctx.as_of)
            if last < edu.date:
                continue
            clipped = Period(edu.date, last + ONE_DAY).clip(period)
            if clipped is None:
                continue
            ids.add(edu.event_id)
            for i in range(clipped.days):
                day = clipped.start + timedelta(days=i)
                value[day] = max(value.get(day, Fraction(0)), Fraction(1))
    # summed exactly: twelve days at 5/6 are 10 days, not 9.99...
    return Covered(as_decimal(sum(value.values(), Fraction(0))), tuple(sorted(ids)),
                   tuple(sorted(evidence)))


def evaluate(component: Any, ctx: CustomerContext, prior: Sequence[Line]) -> list[Line]:
    comp: WorkHistory = component
    what = " or ".join(comp.count)
    any_price = ctx.price(comp.rate)
    if any_price is None:
        return [ctx.line(comp, status="not_earned", occurrence="once", on=None, quantity=ZERO,
                         unit_price=ZERO, reason=f"no price for segment {ctx.segment}")]
    if ctx.service is None:
        status, reason, on = ctx.without_service("waiting for the service start")
        return [ctx.line(comp, status=status, occurrence="once", on=on, quantity=ZERO,
                         unit_price=any_price, reason=reason)]

    baseline, comparison = baseline_and_comparison(
        ctx.service.start, comp.baseline, comp.comparison.from_, comp.comparison.length)

    before = covered(comp, ctx, baseline)
    during = covered(comp, ctx, comparison)
    extra = during.days - before.days
    evidence = weakest(during.evidence) if during.evidence else None
    price = ctx.price(comp.rate, evidence) if evidence else any_price
    ids = sorted({*before.event_ids, *during.event_ids})
    unit_price = price if price is not None else ZERO
    no_price = "" if price is not None else (
        f"; the contract has no price for evidence level {evidence}")
    evidence_text = f", weakest work evidence {evidence}" if evidence else ""
    vs = (f"{number(during.days)} days in {what} during {comparison} vs "
          f"{number(before.days)} before ({baseline})")
    rate = f"{money_text(unit_price)} € per extra day"

    if ctx.as_of >= comparison.last_day:
        if extra <= 0:
            return [ctx.line(comp, status="not_earned", occurrence="once",
                             on=comparison.last_day, quantity=ZERO, unit_price=unit_price,
                             evidence=ids, period=comparison, reason=f"{vs}: no increase")]
        if extra < comp.min_extra_days:
            return [ctx.line(comp, status="not_earned", occurrence="once",
                             on=comparison.last_day, quantity=extra, unit_price=unit_price,
                             evidence=ids, period=comparison,
                             reason=f"{vs}: {number(extra)} extra, below the minimum of "
                                    f"{comp.min_extra_days} extra days")]
        if price is None:
            return [ctx.line(comp, status="not_earned", occurrence="once",
                             on=comparison.last_day, quantity=extra, unit_price=ZERO,
                             evidence=ids, period=comparison,
                             reason=f"{vs}: {number(extra)} extra days{no_price}")]
        return [ctx.line(comp, status="payable", occurrence="once", on=comparison.last_day,
                         quantity=extra, unit_price=price, evidence=ids, period=comparison,
                         reason=f"{vs}: {number(extra)} extra days at {rate}"
                                f"{evidence_text}")]

    # the comparison period is still running: the days after as_of may still count
    from_day = max(comparison.start, ctx.as_of + ONE_DAY)
    remaining = max((comparison.end - from_day).days, 0)
    day_values: list[Decimal] = []  # the most one day can count
    if "education" in comp.count:
        day_values.append(ONE)
    if "work" in comp.count:
        day_values.extend(comp.work.kinds.values())
    best_day = max(day_values, default=ZERO)
    so_far = (f"{number(during.days)} days in {what} so far during {comparison} vs "
              f"{number(before.days)} before ({baseline})")
    if extra + remaining * best_day < comp.min_extra_days:
        return [ctx.line(comp, status="not_earned", occurrence="once",
                         on=comparison.last_day, quantity=ZERO, unit_price=unit_price,
                         evidence=ids, period=comparison,
                         reason=f"can no longer be earned: {so_far}; even with every one of "
                                f"the {remaining} remaining days the increase would stay "
                                f"below {comp.min_extra_days} extra days")]
    target = before.days + comp.min_extra_days
    secured = extra if extra >= comp.min_extra_days else ZERO
    if secured:
        todo = (f"{number(extra)} extra days secured so far at {rate}; more days count "
                f"until {comparison.last_day}")
    else:
        todo = (f"needs {number(target - during.days)} more days by {comparison.last_day} "
                f"for the minimum of {comp.min_extra_days} extra days, then {rate}")
    return [ctx.line(comp, status="pending", occurrence="once", on=comparison.last_day,
                     quantity=secured, unit_price=unit_price, evidence=ids, period=comparison,
                     reason=f"{so_far}; {todo}{no_price}")]
