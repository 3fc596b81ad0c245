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
* ``buyer_share``: only the part of each benefit day the buyer pays counts (a municipality's
  share of the labour market subsidy: 50 % after 300 benefit days, 70 % after 1,000), from
  the rows' ``days`` and ``cumulative_days`` (see ``kinds/benefit_common.py``). A row lacking
  either counts as 0 and is named, as a row lacking the measure. Shares are exact fractions,
  rounded only for display.
* fall = (baseline - comparison) / baseline, compared exactly (``baseline - comparison >=
  min_fall * baseline``). At least ``full.min_fall``: the full amount; else at least
  ``partial.min_fall``: the partial amount; else not_earned.
* A zero baseline (``zero_baseline``, shared with milestones' benefit test): ``no_fall``
  (default) not_earned, quantity 0, amount 0.00: nothing to fall from;
  ``full_if_none_during``: the full amount when the comparison months hold no benefit either,
  not_earned when they hold some.
* Paid once (occurrence ``once``, quantity 1, dated the comparison period's last day) when
  the comparison period has ended (``as_of`` on or after its last day). Before that: pending
  at the best outcome still possible (benefit only adds up, so the fall so far is the most it
  can be), or not_earned as soon as the comparison months already hold too much benefit for
  even the partial outcome. A not-earned line is dated the day of the benefit row that put it
  out of reach (the rows' months in order), before or after the comparison period's end.
  Percentages in reasons are cut to one decimal, never rounded up.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Literal

from pydantic import Field

from ..contract.model import (
    ComparisonPeriod,
    ComponentBase,
    ContractBase,
    Price,
    PriceTable,
    Site,
    Strict,
    most_of,
)
from ..errors import Problem
from ..evaluate.context import CustomerContext
from ..evaluate.lines import Line, Status
from ..evaluate.trace import Step, Trace
from ..events.model import Benefit
from ..periods import Period, baseline_and_comparison, whole_months
from ..values import Fraction as Share
from ..values import LengthField, money_text
from .base import CustomerKind, Outcome
from .benefit_common import (
    ZERO_BASELINE_HELP,
    ShareStep,
    ZeroBaseline,
    share_checks,
    share_of_row,
    shares_text,
    zero_baseline_text,
)


class Threshold(Strict):
    min_fall: Share
    amount: Price


class BenefitReduction(ComponentBase):
    kind: Literal["benefit_reduction"]
    measure: Literal["days", "amount"]
    baseline: LengthField
    comparison: ComparisonPeriod = Field(default_factory=ComparisonPeriod)
    buyer_share: list[ShareStep] | None = Field(
        default=None, min_length=1,
        description="only the part of each benefit day the buyer pays counts, by the "
                    "customer's cumulative benefit days")
    zero_baseline: ZeroBaseline = Field(default="no_fall", description=ZERO_BASELINE_HELP)
    full: Threshold
    partial: Threshold | None = None

    def price_tables(self) -> list[PriceTable]:
        out = [PriceTable(("full", "amount"), self.full.amount, "fee", "full fee")]
        if self.partial is not None:
            out.append(PriceTable(("partial", "amount"), self.partial.amount, "fee",
                                  "partial fee"))
        return [*out, *super().price_tables()]

    def most_paid(self, contract: ContractBase, seen: frozenset[str] = frozenset()
                  ) -> Decimal | None:
        # paid once: the full amount or the partial one
        tops = [most_of(t.amount) for t in (self.full, self.partial) if t is not None]
        return max((t for t in tops if t is not None), default=None)

    def checks(self, site: Site) -> list[Problem]:
        out = share_checks(self.buyer_share, site, "buyer_share")
        if self.partial is not None and self.partial.min_fall >= self.full.min_fall:
            out.append(site.err("C219", "partial.min_fall must be below full.min_fall",
                                "partial", "min_fall"))
        return out

ZERO = Fraction(0)
ONE = Decimal(1)


@dataclass(frozen=True, slots=True)
class Measured:
    """The benefit of a period's whole months."""

    months: tuple[Period, ...]
    total: Fraction  # exact: a buyer's share of a row need not be a whole number of cents
    event_ids: tuple[str, ...]
    missing: tuple[str, ...]  # months (YYYY-MM) with no row, among those already ended
    blank: tuple[str, ...]  # rows without the measured field
    by_month: tuple[tuple[date, Fraction], ...] = ()  # each month's last row date and total


def _month(d: date) -> str:
    return f"{d:%Y-%m}"


def _row_value(comp: BenefitReduction, row: Benefit) -> Fraction | None:
    """What one row counts (None: it lacks what is measured)."""
    if comp.buyer_share is not None:
        return share_of_row(comp.buyer_share, row, comp.measure)
    value = row.days if comp.measure == "days" else row.amount
    return None if value is None else Fraction(value)


def measure(comp: BenefitReduction, ctx: CustomerContext, period: Period) -> Measured:
    months = tuple(whole_months(period))
    rows: dict[str, list[Benefit]] = {}
    for row in ctx.timeline.benefits:
        rows.setdefault(_month(row.date), []).append(row)
    total = ZERO
    ids: list[str] = []
    missing: list[str] = []
    blank: list[str] = []
    by_month: list[tuple[date, Fraction]] = []
    for month in months:
        found = rows.get(_month(month.start), [])
        if not found and ctx.as_of >= month.last_day:
            missing.append(_month(month.start))
        month_total = ZERO
        for row in found:
            ids.append(row.event_id)
            value = _row_value(comp, row)
            if value is None:
                blank.append(row.event_id)
            else:
                month_total += value
        total += month_total
        if found:
            by_month.append((max(r.date for r in found), month_total))
    return Measured(months, total, tuple(sorted(ids)), tuple(missing), tuple(blank),
                    tuple(by_month))


def decimal(value: Fraction) -> Decimal:
    """An exact fraction as a Decimal (28 significant digits), for display and percentages."""
    return Decimal(value.numerator) / Decimal(value.denominator)


def percent(fraction: Decimal | Fraction) -> str:
    """``0.5`` -> ``50 %``; ``0.33333`` -> ``33.3 %`` (cut, not rounded up)."""
    if isinstance(fraction, Fraction):
        fraction = decimal(fraction)
    value = (fraction * 100).quantize(Decimal("0.1"), rounding=ROUND_DOWN)
    return f"{value.normalize():f} %" if value else "0 %"


def _span(m: Measured, period: Period) -> str:
    if not m.months:
        return f"{period}, which holds no whole calendar month"
    first, last = _month(m.months[0].start), _month(m.months[-1].start)
    return f"{first}..{last}" if first != last else first


def _notes(*measured: Measured, what: str) -> str:
    notes = []
    missing = [mo for m in measured for mo in m.missing]
    blank = [i for m in measured for i in m.blank]
    if missing:
        notes.append(f"no benefit row for {', '.join(missing)}: counted as 0")
    if blank:
        notes.append(f"row(s) {', '.join(blank)} give no {what}: counted as 0")
    return f" ({'; '.join(notes)})" if notes else ""


def _reaches(base: Fraction, comparison: Fraction, threshold: Threshold) -> bool:
    return base - comparison >= Fraction(threshold.min_fall) * base


Tier = tuple[str, Threshold, Decimal]  # ("full" or "partial", threshold, price)


@dataclass(frozen=True)
class _Falls:
    """The benefit before and during, and how to say it."""

    base: Measured
    during: Measured
    base_period: Period
    comp_period: Period
    tiers: list[Tier]  # full first, then partial
    what: str  # "benefit days" / "benefit paid" / "the buyer's share of benefit days" (or paid)
    show: Callable[[Fraction], str]

    @property
    def periods(self) -> str:
        return (f"baseline {_span(self.base, self.base_period)}, comparison "
                f"{_span(self.during, self.comp_period)}")

    @property
    def change(self) -> str:
        b, d = self.base.total, self.during.total
        if d > b:
            return f"{self.what} rose from {self.show(b)} to {self.show(d)}"
        return f"{self.what} fell from {self.show(b)} to {self.show(d)}, {percent((b - d) / b)}"

    def lost_on(self, limit: Fraction) -> date:
        """The date of the row that took the comparison months past ``limit``."""
        running = ZERO
        for on, value in self.during.by_month:
            running += value
            if running > limit:
                return on
        return self.comp_period.last_day


def evaluate(comp: BenefitReduction, ctx: CustomerContext, prior: Sequence[Line]) -> Outcome:
    rules = [f"compares the {_what(comp)} in the calendar months of the {comp.baseline} "
             f"before the service with the comparison period; full at a fall of "
             f"{percent(comp.full.min_fall)}"
             + (f", partial at {percent(comp.partial.min_fall)}" if comp.partial else "")
             + f"; a baseline of 0: {comp.zero_baseline}"]
    full_price = ctx.price(comp.full.amount)
    partial_price = ctx.price(comp.partial.amount) if comp.partial is not None else None
    if full_price is None or (comp.partial is not None and partial_price is None):
        return Outcome([ctx.line(comp, status="not_earned", occurrence="once", on=None,
                                 quantity=ONE, unit_price=Decimal(0),
                                 reason=f"no price for segment {ctx.segment}")],
                       Trace(tuple(rules)))
    if ctx.service is None:
        status, reason, on = ctx.without_service("waiting for the service start")
        return Outcome([ctx.line(comp, status=status, occurrence="once", on=on, quantity=ONE,
                                 unit_price=full_price, reason=reason)], Trace(tuple(rules)))
    last_day = baseline_and_comparison(ctx.service.start, comp.baseline,
                                       comp.comparison.from_,
                                       comp.comparison.length)[1].last_day
    # prices that change on dates: those in force when the comparison period ends
    tiers: list[Tier] = [("full", comp.full, ctx.price(comp.full.amount, on=last_day)
                          or full_price)]
    if comp.partial is not None and partial_price is not None:
        tiers.append(("partial", comp.partial, ctx.price(comp.partial.amount, on=last_day)
                      or partial_price))
    falls = _measure_falls(comp, ctx, ctx.service, tiers)
    def steps() -> list[Step]:
        return [Step(name, f"{name} {_span(m, p)}: {falls.show(m.total)}", p.start, p.end,
                     decimal(m.total), m.event_ids)
                for name, m, p in (("baseline", falls.base, falls.base_period),
                                   ("comparison", falls.during, falls.comp_period))]

    return Outcome([_line(comp, ctx, falls)], Trace(tuple(rules), steps))


def _word(comp: BenefitReduction) -> str:
    return "benefit days" if comp.measure == "days" else "benefit paid"


def _what(comp: BenefitReduction) -> str:
    if comp.buyer_share is None:
        return _word(comp)
    return f"buyer's share of the {_word(comp)} ({shares_text(comp.buyer_share)})"


def _measure_falls(comp: BenefitReduction, ctx: CustomerContext, service: Period,
                   tiers: list[Tier]) -> _Falls:
    base_period, comp_period = baseline_and_comparison(
        service.start, comp.baseline, comp.comparison.from_, comp.comparison.length)

    def show(value: Fraction) -> str:
        if comp.measure == "days":
            shown = decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            return f"{shown.normalize():f}" if value else "0"
        cents = decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return f"{money_text(cents)} {ctx.currency_sign}"

    return _Falls(measure(comp, ctx, base_period), measure(comp, ctx, comp_period),
                  base_period, comp_period, tiers,
                  _word(comp) if comp.buyer_share is None
                  else f"the buyer's share of {_word(comp)}",
                  show)


def _line(comp: BenefitReduction, ctx: CustomerContext, f: _Falls) -> Line:
    ids = sorted({*f.base.event_ids, *f.during.event_ids})
    # a buyer's share also needs the row's days and cumulative days (share_of_row)
    lacking = comp.measure if comp.buyer_share is None else (
        "days or cumulative_days" if comp.measure == "days"
        else "amount, days or cumulative_days")
    notes = _notes(f.base, f.during, what=lacking)
    lowest_name, lowest, lowest_price = f.tiers[-1]

    def line(status: Status, price: Decimal, reason: str, quantity: Decimal = ONE,
             on: date | None = None) -> Line:
        return ctx.line(comp, status=status, occurrence="once",
                        on=on or f.comp_period.last_day, quantity=quantity, unit_price=price,
                        evidence=ids, period=f.comp_period, reason=reason + notes)

    if f.base.total == 0:
        return _zero_baseline(comp, ctx, f, line)
    reached = next(((name, t, price) for name, t, price in f.tiers
                    if _reaches(f.base.total, f.during.total, t)), None)
    if ctx.as_of >= f.comp_period.last_day:
        if reached is not None:
            name, threshold, price = reached
            return line("payable", price,
                        reason=f"{f.change}, at least the {name} threshold of "
                               f"{percent(threshold.min_fall)} ({f.periods})")
        # lost with the benefit row that took the comparison past the lowest threshold
        return line("not_earned", lowest_price,
                    on=f.lost_on(f.base.total * (1 - Fraction(lowest.min_fall))),
                    reason=f"{f.change}, below the {lowest_name} threshold of "
                           f"{percent(lowest.min_fall)} ({f.periods})")
    # still running: benefit only adds up, so the best outcome left is the one reached so far
    if reached is not None:
        limits = "; ".join(
            f"for the {n} amount ({money_text(p)} {ctx.currency_sign}) at most "
            f"{_show_limit(comp, f.base.total * (1 - Fraction(t.min_fall)), ctx.currency_sign)}"
            for n, t, p in f.tiers)
        return line("pending", reached[2],
                    reason=f"{f.what} {f.show(f.base.total)} in the baseline; "
                           f"{f.show(f.during.total)} so far in the comparison months, up to "
                           f"{f.comp_period.last_day}; {limits} ({f.periods}); "
                           f"the {reached[0]} amount is still possible")
    lost = f.lost_on(f.base.total * (1 - Fraction(lowest.min_fall)))
    return line("not_earned", lowest_price, on=lost,
                reason=f"can no longer be earned: {f.change} with comparison months still "
                       f"to come up to {f.comp_period.last_day}, already below the "
                       f"{lowest_name} threshold of {percent(lowest.min_fall)} ({f.periods})")


def _zero_baseline(comp: BenefitReduction, ctx: CustomerContext, f: _Falls,
                   line: Callable[..., Line]) -> Line:
    """A baseline with no benefit, as ``zero_baseline`` says."""
    span = _span(f.base, f.base_period)
    full, why = zero_baseline_text(comp.zero_baseline, f.during.total == 0)
    _, _, full_price = f.tiers[0]
    if comp.zero_baseline == "no_fall":
        # lost once the baseline is known: on the service start
        return line("not_earned", f.tiers[-1][2], quantity=Decimal(0), on=f.base_period.end,
                    reason=f"no benefit in the baseline period ({span}), so there is no "
                           f"fall to measure (zero_baseline: no_fall)")
    if not full:
        return line("not_earned", f.tiers[-1][2], on=f.lost_on(ZERO),
                    reason=f"no benefit in the baseline period ({span}): {why}, "
                           f"{f.show(f.during.total)} in the comparison months ({f.periods})")
    if ctx.as_of >= f.comp_period.last_day:
        return line("payable", full_price,
                    reason=f"{why}, counted as a full fall (zero_baseline: "
                           f"full_if_none_during) ({f.periods})")
    return line("pending", full_price,
                reason=f"{why} so far, up to {f.comp_period.last_day}: the full amount is "
                       f"still possible while no benefit is paid (zero_baseline: "
                       f"full_if_none_during) ({f.periods})")


def _show_limit(comp: BenefitReduction, value: Fraction, sign: str) -> str:
    """An upper limit: cut, never rounded up."""
    places = Decimal("0.1") if comp.measure == "days" else Decimal("0.01")
    cut = decimal(value).quantize(places, rounding=ROUND_DOWN)
    if comp.measure == "days":
        return f"{cut.normalize():f}" if cut else "0"
    return f"{money_text(cut)} {sign}"


KIND = CustomerKind(BenefitReduction, evaluate, reads=frozenset({"benefit"}))
