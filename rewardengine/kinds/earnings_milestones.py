"""earnings_milestones: one-off payments when qualifying calendar months (or weeks) add up: N
qualifying units within any M consecutive units ("3 of any 6 months", US Ticket to Work Phase
1 milestones), or within the first M units from the service start; with a look-back that
withholds a step the customer already reached just before the service began.

Which units count, what a unit's earnings and benefit are and when it qualifies: see
``kinds/earnings_common.py``. Rules (docs/contract-language.md):

* ``steps``: each ``{periods: N, within: M, amount}`` pays once, occurrence ``step:N of M
  months`` (``step:N months`` without ``within``).
* ``reference: rolling`` (default): the step is reached on the last day of the first counted
  unit that completes N qualifying units among the M consecutive counted units ending with it
  (any N counted units without ``within``). Units before the service start never count
  towards it (they are the look-back's).
* ``reference: service_start``: the M units are the first M counted units (the unit holding the
  service start when it ends after the start day, then the following ones); the step is
  reached at the N-th qualifying unit among them, and lost once too few of them remain.
* ``look_back: true``: a step is not paid when its rule already held in the units just before
  the service: N qualifying units among the M units immediately before the unit holding the
  service start (the N units before it without ``within``). So the look-back reaches back M
  units for each step (Ticket to Work: 1, 6, 12 and 18 months), with the threshold in force
  in each unit. Such a step is ``not_earned`` with quantity 0 and amount 0.00, dated the
  service start: the contract never offered it.
* Reached: ``payable``, dated the reaching unit's last day, quantity 1, the amount in force
  that day, period from the first unit of the run to the reaching unit. Not reached:
  ``pending`` while it can still be reached, dated the last day of the last unit that can
  count; ``not_earned`` once it cannot, dated the last day of the unit after which it could no
  longer be reached (the service start when it never could), at the price forgone.
* No service start: each step pending, or not_earned once the contract has ended or
  ``outcomes_until`` has passed.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import accumulate, repeat
from operator import sub
from typing import Literal

from pydantic import Field

from ..contract.model import (
    CalendarThreshold,
    ContractBase,
    Price,
    PriceTable,
    Site,
    Strict,
    Threshold,
    most_of,
)
from ..errors import Problem
from ..evaluate.context import CustomerContext
from ..evaluate.lines import Line
from ..evaluate.trace import Step, Trace
from ..periods import Period
from ..values import WholeNumber, money_text
from .base import CustomerKind, Outcome
from .earnings_common import (
    NO_LIMIT,
    Assessed,
    Counted,
    PeriodRules,
    assess_all,
    condition_text,
    count_units,
    lost_on,
    rows_by_date,
    unit_steps,
    unit_word,
    units_before,
)

ONE = Decimal(1)
ZERO = Decimal(0)


class EarningsStep(Strict):
    periods: WholeNumber = Field(ge=1, description="qualifying units needed")
    within: WholeNumber | None = Field(
        default=None, ge=1, description="among this many consecutive units")
    amount: Price


class EarningsMilestones(PeriodRules):
    kind: Literal["earnings_milestones"]
    reference: Literal["rolling", "service_start"] = Field(
        default="rolling",
        description="rolling: any run of `within` units; service_start: the first `within` "
                    "units from the service start")
    look_back: bool = Field(
        default=False, description="a step already reached just before the service is not paid")
    steps: list[EarningsStep] = Field(min_length=1)

    def price_tables(self) -> list[PriceTable]:
        return [*(PriceTable(("steps", j, "amount"), s.amount, "fee", f"step {j + 1} fee")
                  for j, s in enumerate(self.steps)), *super().price_tables()]

    def most_paid(self, contract: ContractBase, seen: frozenset[str] = frozenset()
                  ) -> Decimal | None:
        return sum((most_of(s.amount) or ZERO for s in self.steps), ZERO)  # each step once

    def thresholds(self) -> list[Threshold]:
        anchored = self.reference == "service_start"
        return [CalendarThreshold(self.unit, s.periods, NO_LIMIT, ("steps", j, "periods"),
                                  counts_start_unit=True,
                                  within_units=s.within if anchored else None)
                for j, s in enumerate(self.steps)]

    def checks(self, site: Site) -> list[Problem]:
        out = super().checks(site)
        for j, s in enumerate(self.steps):
            if s.within is not None and s.within < s.periods:
                out.append(site.err("C222", f"step {j + 1} asks for {s.periods} "
                                    f"{self.unit} within {s.within}, which hold only "
                                    f"{s.within}", "steps", j, "within"))
            if j and s.periods <= self.steps[j - 1].periods:
                out.append(site.err("C210", f"step {j + 1} ({s.periods} {self.unit}) does not "
                                    f"ask for more than step {j} "
                                    f"({self.steps[j - 1].periods})", "steps", j, "periods"))
        return out


def step_key(comp: EarningsMilestones, step: EarningsStep) -> str:
    return f"step:{step_words(comp, step)}"


def step_words(comp: EarningsMilestones, step: EarningsStep) -> str:
    """``3 of 6 months``, ``1 month``."""
    if step.within is None:
        return f"{step.periods} {unit_word(comp.unit, step.periods != 1)}"
    return f"{step.periods} of {step.within} {unit_word(comp.unit, step.within != 1)}"


def _rule(comp: EarningsMilestones, step: EarningsStep) -> str:
    if step.within is None:
        return f"{step.periods} qualifying {unit_word(comp.unit, step.periods != 1)}"
    if comp.reference == "rolling":
        return f"{step.periods} of any {step.within} consecutive {unit_word(comp.unit, True)}"
    return (f"{step.periods} of the first {step.within} {unit_word(comp.unit, True)} from the "
            "service start")


def evaluate(comp: EarningsMilestones, ctx: CustomerContext, prior: Sequence[Line]
             ) -> Outcome:
    words = unit_word(comp.unit, True)
    rules = [f"calendar {words} with {condition_text(comp, ctx.currency_sign)} count; steps: "
             + "; ".join(_rule(comp, s) for s in comp.steps)]
    if comp.look_back:
        rules.append(f"a step already reached in the {words} just before the "
                     f"{unit_word(comp.unit)} of the service start is not paid (look-back)")
    if ctx.price(comp.steps[0].amount) is None:
        return Outcome([ctx.line(comp, status="not_earned", occurrence=step_key(comp, s),
                                 on=None, quantity=ONE, unit_price=ZERO,
                                 reason=f"no price for segment {ctx.segment}")
                        for s in comp.steps], Trace(tuple(rules)))
    if ctx.service is None:
        status, reason, on = ctx.without_service("waiting for the service start")
        return Outcome([ctx.line(comp, status=status, occurrence=step_key(comp, s), on=on,
                                 quantity=ONE, unit_price=ctx.price(s.amount) or ZERO,
                                 reason=reason) for s in comp.steps], Trace(tuple(rules)))
    counted = count_units(comp, ctx, ctx.service)
    rules.append(f"counts the calendar {words} ending after the service start "
                 f"{ctx.service.start} and by {counted.deadline.last_day} "
                 f"({counted.deadline.why.rstrip(',')})")
    back = _looked_back(comp, ctx, ctx.service.start) if comp.look_back else []
    lines = []
    for step in comp.steps:
        excluded = _excluded(comp, ctx, step, back) if comp.look_back else None
        lines.append(excluded if excluded is not None else _step(comp, ctx, counted, step))

    def steps() -> list[Step]:
        return [*unit_steps(back, _verdict, "look-back", "look-back, before the service: "),
                *unit_steps(counted.decided, _verdict, unit_word(comp.unit))]

    return Outcome(lines, Trace(tuple(rules), steps))


def _verdict(a: Assessed) -> str:
    return "qualifies" if a.qualifies else "does not qualify"


def _looked_back(comp: EarningsMilestones, ctx: CustomerContext, start: date
                 ) -> list[Assessed]:
    """The units of the longest look-back, already ended (the others are its last units)."""
    longest = max(s.within or s.periods for s in comp.steps)
    by_date = rows_by_date(ctx)
    return assess_all(comp, ctx, [u for u in units_before(comp.unit, start, longest)
                                  if ctx.as_of >= u.last_day], by_date)


def _excluded(comp: EarningsMilestones, ctx: CustomerContext, step: EarningsStep,
              back: Sequence[Assessed]) -> Line | None:
    """The step's not-earned line when the look-back finds it already reached."""
    assert ctx.service is not None
    start = ctx.service.start
    span = step.within or step.periods
    window = units_before(comp.unit, start, span)
    before = [a for a in back if a.period.start >= window[0].start]
    hits = [a for a in before if a.qualifies]
    if len(hits) < step.periods:
        return None
    return ctx.line(
        comp, status="not_earned", occurrence=step_key(comp, step), on=start, quantity=ZERO,
        unit_price=ctx.price(step.amount, on=start) or ZERO,
        evidence=sorted({i for a in hits for i in a.evidence}),
        period=Period(window[0].start, window[-1].end),
        reason=f"not offered: in the {span} {unit_word(comp.unit, span != 1)} just before "
               f"the service start {start}, {_hits_text(comp, before, ctx)}, so "
               f"{_rule(comp, step)} was already reached before the service began (look-back)")


@dataclass(frozen=True)
class _Run:
    """The units a step reached on: the first and the reaching one's index."""

    first: int
    last: int


def _limit(comp: EarningsMilestones, step: EarningsStep, n_units: int) -> int:
    """How many of the counted units the step may use (anchored: the first ``within``)."""
    if comp.reference == "service_start" and step.within is not None:
        return min(step.within, n_units)
    return n_units


_MAY_QUALIFY = {True: 1, None: 1, False: 0}  # a unit that qualifies, or may still


def _reached(comp: EarningsMilestones, step: EarningsStep, flags: Sequence[bool | None]
             ) -> _Run | None:
    """Where the step is reached, counting a None flag (not decided) as qualifying: used on
    the decided units to find the step, and with Nones to ask whether it still can be."""
    usable = _limit(comp, step, len(flags))
    span = step.within if comp.reference == "rolling" and step.within else usable
    # possible[i]: units among the first i that qualify or still may
    possible = list(accumulate(map(_MAY_QUALIFY.__getitem__, flags[:usable]), initial=0))
    if span >= usable:  # one window from the first unit: the first prefix that has enough
        i = bisect_left(possible, step.periods, 1) - 1
        return _Run(0, i) if i < usable else None
    # the window ending at unit i starts at unit max(0, i - span + 1): the units that
    # qualify (or may) in each, compared with the step's count in one pass
    lows = [*repeat(0, span - 1), *possible[:usable - span + 1]]
    enough = list(map(step.periods.__le__, map(sub, possible[1:usable + 1], lows)))
    if True not in enough:
        return None
    i = enough.index(True)
    return _Run(max(0, i - span + 1) if comp.reference == "rolling" else 0, i)


def _step(comp: EarningsMilestones, ctx: CustomerContext, counted: Counted,
          step: EarningsStep) -> Line:
    decided = counted.decided
    run = _reached(comp, step, [a.qualifies for a in decided])
    if run is not None:
        used = decided[run.first:run.last + 1]
        hits = [a for a in used if a.qualifies]
        on = used[-1].period.last_day
        return ctx.line(
            comp, status="payable", occurrence=step_key(comp, step), on=on, quantity=ONE,
            unit_price=ctx.price(step.amount, on=on) or ZERO,
            evidence=sorted({i for a in hits for i in a.evidence}),
            period=Period(used[0].period.start, used[-1].period.end),
            reason=f"{_rule(comp, step)} reached on {on}: {_hits_text(comp, used, ctx)}")
    return _unreached(comp, ctx, counted, step)


def _hits_text(comp: EarningsMilestones, used: Sequence[Assessed], ctx: CustomerContext
               ) -> str:
    """``3 of the 5 months 2025-01..2025-05 with ... (2025-01: 1160.00 USD, ...)``."""
    hits = [a for a in used if a.qualifies]
    first, last = used[0].key, used[-1].key
    among = (f"{len(hits)} of the {len(used)} {unit_word(comp.unit, True)} {first}..{last}"
             if first != last else first)
    earned = ", ".join(f"{a.key}: {money_text(a.earned)} {ctx.currency_sign}" for a in hits) \
        if comp.min_earnings is not None else ", ".join(a.key for a in hits)
    on = used[-1].period.start
    return f"{among} with {condition_text(comp, ctx.currency_sign, on)} ({earned})"


def _unreached(comp: EarningsMilestones, ctx: CustomerContext, counted: Counted,
               step: EarningsStep) -> Line:
    assert ctx.service is not None
    units = counted.units[:_limit(comp, step, len(counted.units))]
    flags = [a.qualifies for a in counted.decided][:len(units)]
    hits = [a for a in counted.decided[:len(units)] if a.qualifies]
    so_far = (f"{len(hits)} qualifying {unit_word(comp.unit, len(hits) != 1)} so far"
              + (f" ({', '.join(a.key for a in hits)})" if hits else ""))
    needs = (f"needs {_rule(comp, step)} with "
             f"{condition_text(comp, ctx.currency_sign, ctx.as_of)}")
    evidence = sorted({i for a in hits for i in a.evidence})

    def can_reach(known: Sequence[bool | None]) -> bool:
        return _reached(comp, step, known) is not None

    pad: list[bool | None] = [None] * (len(units) - len(flags))
    if units and can_reach([*flags, *pad]):
        on = units[-1].last_day
        return ctx.line(comp, status="pending", occurrence=step_key(comp, step), on=on,
                        quantity=ONE, unit_price=ctx.price(step.amount, on=on) or ZERO,
                        evidence=evidence,
                        reason=f"{so_far}; {needs}, the last counted {unit_word(comp.unit)} "
                               f"ending {on} ({_why(comp, counted, step)})")
    lost: date = lost_on(flags, units, ctx.service.start, can_reach)
    counted_to = units[-1].last_day if units else ctx.service.start
    return ctx.line(comp, status="not_earned", occurrence=step_key(comp, step), on=lost,
                    quantity=ONE, unit_price=ctx.price(step.amount, on=lost) or ZERO,
                    evidence=evidence,
                    reason=f"can no longer be reached since {lost}: {so_far}; {needs}, among "
                           f"the {unit_word(comp.unit, True)} counted up to {counted_to} "
                           f"({_why(comp, counted, step)})")


def _why(comp: EarningsMilestones, counted: Counted, step: EarningsStep) -> str:
    """What ends the units a step counts: its first ``within`` units, or the deadline where
    that comes before them (``reach_within``, ``outcomes_until``, the window's end)."""
    if (comp.reference == "service_start" and step.within is not None
            and len(counted.units) >= step.within):
        return f"the first {step.within} {unit_word(comp.unit, True)} from the service start"
    return f"by {counted.deadline.last_day}: {counted.deadline.why.rstrip(',')}"


KIND = CustomerKind(EarningsMilestones, evaluate,
                    reads=frozenset({"earnings", "benefit"}))
