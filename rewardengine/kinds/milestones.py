"""milestones: a ladder of payments as qualifying work goes on (UK Work Programme job outcome
and sustainment payments; Australian 4/12/26-week outcomes with a benefit test).

Qualifying work, ``counting``, ``max_gap``, ``window`` and the deadline are those of
employment_outcome (see there). Rules (documented in docs/contract-language.md):

* ``steps``: step ``after`` is reached on the day counted work reaches that duration; with
  ``continuous`` counting, any single spell may reach it (months counted from the spell's first
  day); with ``cumulative`` all counted days add up (months from the first counted day). Each
  step pays once, occurrence ``step:<after>`` ("step:13 weeks"), resting on every counted day up
  to it (its evidence is the weakest of them). Unreached steps are each pending, or not_earned
  once the deadline has passed.
* ``sustainment``: after the last step, every further ``every`` of counted work pays, up to
  ``max_count`` (occurrence ``sustain:1``, ``sustain:2``...). With continuous counting this
  work must be in the same spell that reached the last step. The k-th sustainment is due at
  ``anchor + last step + k * every`` (always from the anchor) and rests on the days since the
  previous payment. Only the next one is shown pending (or not_earned), and only once the last
  step has been reached.
* ``benefit_test`` (steps only): the customer's benefit (``measure``: days or amount of the
  monthly ``benefit`` rows) is compared between the calendar months wholly inside the
  ``baseline`` period before the service start, ``[start - baseline, start)``, and those wholly
  inside a period as long ending on the step's day, ``[day + 1 - baseline, day + 1)``. Each side
  is a monthly average; a month with no row counts as 0, a month whose rows lack the measure is
  left out. ``fall = 1 - during / baseline`` (decided exactly, without division). A fall of at
  least ``full_fall`` pays the step in full; at least ``partial_fall``, ``partial_share`` of it
  (quantity = share, unit price = full amount); less is not_earned. A baseline of 0 with no
  benefit during counts as a full fall (income support is not paid, which is the full-outcome
  condition); a baseline of 0 with benefit during is no fall. No whole month in a period means
  the test cannot be measured: not_earned.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

from ..contract.model import BenefitTest, Milestone, Milestones, Sustainment
from ..evaluate.context import CustomerContext
from ..evaluate.lines import Line
from ..events.model import Benefit
from ..periods import ONE_DAY, Period, calendar_months
from ..values import Duration, money_text
from ..work import Reached, needed_days, reach
from .employment_outcome import (
    ONE,
    ZERO,
    Track,
    WorkCount,
    count_work,
    duration_text,
    no_price_line,
    not_started_line,
    num,
    reached_text,
    since,
    unpriced_line,
    unreached_line,
)


def _step_key(step: Milestone) -> str:
    return f"step:{step.after}"


def evaluate(component: Any, ctx: CustomerContext, prior: Sequence[Line]) -> list[Line]:
    comp: Milestones = component
    first = _step_key(comp.steps[0])
    if ctx.price(comp.steps[0].amount) is None:
        return [unpriced_line(ctx, comp, first)]
    wc = count_work(ctx, comp.work, comp.counting, comp.max_gap, comp.window, comp.reach_by)
    if wc is None:
        return [not_started_line(ctx, comp, _step_key(s), s.amount) for s in comp.steps]
    lines: list[Line] = []
    last_hit: tuple[Reached, Track, Decimal] | None = None
    for step in comp.steps:
        hit = _earliest(wc.tracks, step.after)
        if hit is None:
            lines.append(unreached_line(
                ctx, comp, wc, occurrence=_step_key(step), amount=step.amount,
                target=partial(needed_days, step.after),
                what=str(step.after), candidates=wc.tracks, late_candidates=wc.late_tracks,
                open_track=wc.open_track(),
                extra=("; then the benefit test applies"
                       if comp.benefit_test and not wc.decided else "")))
            last_hit = None
            continue
        lines.append(_step_line(ctx, comp, wc, step, hit))
        last_hit = hit
    if comp.sustainment is not None and last_hit is not None:
        lines.extend(_sustainment(ctx, comp, wc, comp.sustainment, last_hit))
    return lines


def _earliest(tracks: Sequence[Track], after: Duration
              ) -> tuple[Reached, Track, Decimal] | None:
    hits = []
    for track in tracks:
        need = needed_days(after, track.start)
        got = reach(track.parts, need)
        if got is not None:
            hits.append((got, track, need))
    return min(hits, key=lambda h: (h[0].on, h[1].start)) if hits else None


def _step_line(ctx: CustomerContext, comp: Milestones, wc: WorkCount, step: Milestone,
               hit: tuple[Reached, Track, Decimal]) -> Line:
    got, track, need = hit
    key = _step_key(step)
    rests = [p for p in track.parts if p.period.start <= got.on]
    reason, level, ids = reached_text(ctx, comp.work, rests, got,
                                      duration_text(step.after, need))
    span = Period(track.start, got.on + ONE_DAY)
    price = ctx.price(step.amount, level)
    if price is None:
        return no_price_line(ctx, comp, key, got.on, level, reason, ids, span)
    if comp.benefit_test is None:
        return ctx.line(comp, status="payable", occurrence=key, on=got.on, quantity=ONE,
                        unit_price=price, evidence=ids, period=span, reason=reason)
    assert ctx.service is not None
    test = benefit_test(ctx, comp.benefit_test, ctx.service.start, got.on)
    evidence = (*ids, *test.event_ids)
    reason = f"{reason}; {test.reason}"
    if test.share is None:
        return ctx.line(comp, status="not_earned", occurrence=key, on=got.on, quantity=ONE,
                        unit_price=price, evidence=evidence, period=span, reason=reason)
    return ctx.line(comp, status="payable", occurrence=key, on=got.on, quantity=test.share,
                    unit_price=price, evidence=evidence, period=span, reason=reason)


def _sustainment(ctx: CustomerContext, comp: Milestones, wc: WorkCount, sust: Sustainment,
                 last_hit: tuple[Reached, Track, Decimal]) -> list[Line]:
    last_step = comp.steps[-1]
    got, track, need = last_hit

    def target(anchor: date, k: int) -> Decimal:
        due = Duration(sust.every.count * k, sust.every.unit).after(
            last_step.after.after(anchor))
        return Decimal((due - anchor).days)

    lines: list[Line] = []
    previous, previous_need = got, need
    for k in range(1, sust.max_count + 1):
        occurrence = f"sustain:{k}"
        k_need = target(track.start, k)
        hit = reach(track.parts, k_need)
        if hit is None:
            late = wc.late(track)
            lines.append(unreached_line(
                ctx, comp, wc, occurrence=occurrence, amount=sust.amount,
                target=partial(target, k=k),
                what=f"{last_step.after} and {k} x {sust.every}", candidates=[track],
                late_candidates=[late] if late is not None else [],
                open_track=track if wc.open_track() == track else None,
                extra=f" (sustainment {k} of {sust.max_count})"))
            break
        span, rests = since(track.parts, previous, previous_need, hit.on)
        what = (f"{duration_text(last_step.after, need)} plus {k} x {sust.every} "
                f"({num(k_need)} days)")
        reason, level, ids = reached_text(ctx, comp.work, rests, hit, what)
        reason += f" (sustainment {k} of {sust.max_count})"
        price = ctx.price(sust.amount, level)
        if price is None:
            lines.append(no_price_line(ctx, comp, occurrence, hit.on, level, reason, ids,
                                       span))
        else:
            lines.append(ctx.line(comp, status="payable", occurrence=occurrence, on=hit.on,
                                  quantity=ONE, unit_price=price, evidence=ids, period=span,
                                  reason=reason))
        previous, previous_need = hit, k_need
    return lines


# --- benefit test --------------------------------------------------------------------------

@dataclass(frozen=True)
class BenefitResult:
    share: Decimal | None  # 1 (full), the partial share, or None (not earned)
    reason: str
    event_ids: tuple[str, ...]


@dataclass(frozen=True)
class _Side:
    total: Decimal
    months: int  # months measured (with a row giving the measure, or no row at all)
    skipped: tuple[str, ...]  # months whose rows lack the measure
    event_ids: tuple[str, ...]
    period: Period


def _whole_months(period: Period) -> list[Period]:
    return [m for m in calendar_months(period)
            if m.start >= period.start and m.end <= period.end]


def _side(rows: Sequence[Benefit], period: Period, measure: str) -> _Side:
    total = ZERO
    months = 0
    skipped: list[str] = []
    ids: list[str] = []
    for month in _whole_months(period):
        inside = [r for r in rows if r.date in month]
        values = [getattr(r, measure) for r in inside]
        if any(v is None for v in values):
            skipped.append(f"{month.start:%Y-%m}")
            continue
        months += 1
        total += sum((Decimal(v) for v in values), ZERO)
        ids.extend(r.event_id for r in inside)
    return _Side(total, months, tuple(skipped), tuple(ids), period)


def _months_text(side: _Side) -> str:
    months = _whole_months(side.period)
    if not months:
        return "no whole month"
    first, last = f"{months[0].start:%Y-%m}", f"{months[-1].start:%Y-%m}"
    return first if first == last else f"{first}..{last}"


def _per_month(side: _Side, measure: str) -> str:
    if side.months == 0:
        return "-"
    value = side.total / side.months
    if measure == "amount":
        return money_text(value)
    return num(value.quantize(Decimal("0.1"))) + " days"


def benefit_test(ctx: CustomerContext, test: BenefitTest, service_start: date, day: date
                 ) -> BenefitResult:
    """Compare the benefit before the service with the benefit up to ``day`` (see module)."""
    rows = ctx.timeline.benefits
    base = _side(rows, Period(test.baseline.before(service_start), service_start),
                 test.measure)
    end = day + ONE_DAY
    during = _side(rows, Period(test.baseline.before(end), end), test.measure)
    ids = (*base.event_ids, *during.event_ids)
    skipped = [*base.skipped, *during.skipped]
    note = (f" (left out, no {test.measure} given: {', '.join(skipped)})" if skipped else "")
    if base.months == 0 or during.months == 0:
        empty = "baseline" if base.months == 0 else "comparison"
        return BenefitResult(None, f"benefit test cannot be measured: no whole calendar month "
                             f"of benefit data in the {empty} period{note}", ids)
    compared = (f"benefit {test.measure} a month {_per_month(base, test.measure)} in "
                f"{_months_text(base)} before the service, {_per_month(during, test.measure)} "
                f"in {_months_text(during)}{note}")
    # fall >= f  <=>  during / n_d <= (1 - f) * base / n_b  <=>  D * n_b <= (1 - f) * B * n_d
    if base.total == 0:
        if during.total == 0:
            return BenefitResult(ONE, f"{compared}: no benefit before or during, counted as "
                                 "a full fall", ids)
        return BenefitResult(None, f"{compared}: benefit rose from nothing, no fall", ids)

    def falls(by: Decimal) -> bool:
        return during.total * base.months <= (ONE - by) * base.total * during.months

    fall = ONE - (during.total * base.months) / (base.total * during.months)
    shown = f"{num((fall * 100).quantize(Decimal('0.1')))} %"
    if falls(test.full_fall):
        return BenefitResult(ONE, f"{compared}: fell {shown}, at least the "
                             f"{num(test.full_fall * 100)} % for a full outcome", ids)
    if test.partial_fall is not None and test.partial_share is not None \
            and falls(test.partial_fall):
        return BenefitResult(test.partial_share,
                             f"{compared}: fell {shown}, at least the "
                             f"{num(test.partial_fall * 100)} % for a partial outcome "
                             f"({num(test.partial_share * 100)} % of the amount)", ids)
    need = test.partial_fall if test.partial_fall is not None else test.full_fall
    return BenefitResult(None, f"{compared}: fell only {shown}, less than the "
                         f"{num(need * 100)} % needed", ids)
