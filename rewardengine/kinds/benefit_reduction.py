"""benefit_reduction: a fee for the fall in the customer's benefit (labour market subsidy)
during the service compared with before it; full and partial outcomes.

Rules (docs/contract-language.md):

* ``benefit`` events give one month each (``date`` is any day of it) with ``days`` and/or
  ``amount``; ``measure`` picks which. Several rows for one month add up. A row without the
  measured field, and a month with no row at all, count as 0; the reason names such months.
* Baseline: the calendar months lying wholly inside ``[service start - baseline, service
  start)``. Comparison: the calendar months wholly inside ``[service start + comparison.from,
  that + comparison.length)``; ``from`` defaults to 0, ``length`` to ``baseline``. A month
  straddling either end of a period is left out of it.
* fall = (baseline - comparison) / baseline, compared exactly (``baseline - comparison >=
  min_fall * baseline``). At least ``full.min_fall``: the full amount; else at least
  ``partial.min_fall``: the partial amount; else not_earned. A zero baseline: not_earned.
* Paid once (occurrence ``once``, quantity 1, dated the comparison period's last day) when
  the comparison period has ended (``as_of`` on or after its last day). Before that: pending at the
  best outcome still possible (benefit only adds up, so the fall so far is the most it can
  be), or not_earned as soon as the comparison months already hold too much benefit for even
  the partial outcome. Percentages in reasons are cut to one decimal, never rounded up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal
from typing import Any

from ..contract.model import BenefitReduction, Threshold
from ..evaluate.context import CustomerContext
from ..evaluate.lines import Line, Status
from ..events.model import Benefit
from ..periods import Period, baseline_and_comparison, whole_months
from ..values import money_text

ZERO = Decimal(0)
ONE = Decimal(1)


@dataclass(frozen=True, slots=True)
class Measured:
    """The benefit of a period's whole months."""

    months: tuple[Period, ...]
    total: Decimal
    event_ids: tuple[str, ...]
    missing: tuple[str, ...]  # months (YYYY-MM) with no row, among those already ended
    blank: tuple[str, ...]  # rows without the measured field


def _month(d: date) -> str:
    return f"{d:%Y-%m}"


def measure(comp: BenefitReduction, ctx: CustomerContext, period: Period) -> Measured:
    months = tuple(whole_months(period))
    rows: dict[str, list[Benefit]] = {}
    for row in ctx.timeline.benefits:
        rows.setdefault(_month(row.date), []).append(row)
    total = ZERO
    ids: list[str] = []
    missing: list[str] = []
    blank: list[str] = []
    for month in months:
        found = rows.get(_month(month.start), [])
        if not found and ctx.as_of >= month.last_day:
            missing.append(_month(month.start))
        for row in found:
            ids.append(row.event_id)
            value = row.days if comp.measure == "days" else row.amount
            if value is None:
                blank.append(row.event_id)
            else:
                total += Decimal(value)
    return Measured(months, total, tuple(sorted(ids)), tuple(missing), tuple(blank))


def percent(fraction: Decimal) -> str:
    """``0.5`` -> ``50 %``; ``0.33333`` -> ``33.3 %`` (cut, not rounded up)."""
    value = (fraction * 100).quantize(Decimal("0.1"), rounding=ROUND_DOWN)
    return f"{value.normalize():f} %" if value else "0 %"


def _span(m: Measured, period: Period) -> str:
    if not m.months:
        return f"{period}, which holds no whole calendar month"
    first, last = _month(m.months[0].start), _month(m.months[-1].start)
    return f"{first}..{last}" if first != last else first


def _notes(*measured: Measured, measure_name: str) -> str:
    notes = []
    missing = [mo for m in measured for mo in m.missing]
    blank = [i for m in measured for i in m.blank]
    if missing:
        notes.append(f"no benefit row for {', '.join(missing)}: counted as 0")
    if blank:
        notes.append(f"row(s) {', '.join(blank)} give no {measure_name}: counted as 0")
    return f" ({'; '.join(notes)})" if notes else ""


def _reaches(base: Decimal, comparison: Decimal, threshold: Threshold) -> bool:
    return base - comparison >= threshold.min_fall * base


def evaluate(component: Any, ctx: CustomerContext, prior: Sequence[Line]) -> list[Line]:
    comp: BenefitReduction = component
    full_price = ctx.price(comp.full.amount)
    partial_price = ctx.price(comp.partial.amount) if comp.partial is not None else None
    lowest_price = partial_price if comp.partial is not None else full_price
    if full_price is None or (comp.partial is not None and partial_price is None):
        return [ctx.line(comp, status="not_earned", occurrence="once", on=None, quantity=ONE,
                         unit_price=ZERO, reason=f"no price for segment {ctx.segment}")]
    if ctx.service is None:
        status, reason, on = ctx.without_service("waiting for the service start")
        return [ctx.line(comp, status=status, occurrence="once", on=on, quantity=ONE,
                         unit_price=full_price, reason=reason)]

    base_period, comp_period = baseline_and_comparison(
        ctx.service.start, comp.baseline, comp.comparison.from_, comp.comparison.length)
    base = measure(comp, ctx, base_period)
    during = measure(comp, ctx, comp_period)
    ids = sorted({*base.event_ids, *during.event_ids})
    what = "benefit days" if comp.measure == "days" else "benefit paid"
    notes = _notes(base, during, measure_name=comp.measure)

    def show(value: Decimal) -> str:
        if comp.measure == "days":
            return f"{value.normalize():f}" if value else "0"
        return f"{money_text(value)} €"

    def show_limit(value: Decimal) -> str:  # an upper limit: cut, never rounded up
        if comp.measure == "days":
            return show(value.quantize(Decimal("0.1"), rounding=ROUND_DOWN))
        return show(value.quantize(Decimal("0.01"), rounding=ROUND_DOWN))

    def line(status: Status, price: Decimal, reason: str, quantity: Decimal = ONE) -> Line:
        return ctx.line(comp, status=status, occurrence="once", on=comp_period.last_day,
                        quantity=quantity, unit_price=price, evidence=ids,
                        period=comp_period, reason=reason + notes)

    thresholds = [("full", comp.full, full_price)]
    if comp.partial is not None and partial_price is not None:
        thresholds.append(("partial", comp.partial, partial_price))
    lowest_name, lowest = thresholds[-1][0], thresholds[-1][1]
    assert lowest_price is not None

    if base.total == 0:
        return [line("not_earned", lowest_price, quantity=ZERO,
                     reason=f"no benefit in the baseline period ({_span(base, base_period)}), "
                            "so there is no fall to measure")]

    fall = (base.total - during.total) / base.total  # for reasons only; tests are exact
    periods = (f"baseline {_span(base, base_period)}, comparison "
               f"{_span(during, comp_period)}")
    if during.total > base.total:
        change = f"{what} rose from {show(base.total)} to {show(during.total)}"
    else:
        change = f"{what} fell from {show(base.total)} to {show(during.total)}, {percent(fall)}"

    if ctx.as_of >= comp_period.last_day:
        for name, threshold, price in thresholds:
            if _reaches(base.total, during.total, threshold):
                return [line("payable", price,
                             reason=f"{change}, at least the {name} threshold of "
                                    f"{percent(threshold.min_fall)} ({periods})")]
        return [line("not_earned", lowest_price,
                     reason=f"{change}, below the {lowest_name} threshold of "
                            f"{percent(lowest.min_fall)} ({periods})")]

    # still running: benefit only adds up, so the best outcome left is the one reached so far
    for name, threshold, price in thresholds:
        if _reaches(base.total, during.total, threshold):
            limits = "; ".join(
                f"for the {n} amount ({money_text(p)} €) at most "
                f"{show_limit(base.total * (1 - t.min_fall))}"
                for n, t, p in thresholds)
            return [line("pending", price,
                         reason=f"{what} {show(base.total)} in the baseline; "
                                f"{show(during.total)} so far in the comparison months, up to "
                                f"{comp_period.last_day}; {limits} ({periods}); "
                                f"the {name} amount is still possible")]
    return [line("not_earned", lowest_price,
                 reason=f"can no longer be earned: {change} with comparison months still "
                        f"to come up to {comp_period.last_day}, already below the "
                        f"{lowest_name} threshold of {percent(lowest.min_fall)} ({periods})")]
