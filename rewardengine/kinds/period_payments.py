"""period_payments: a payment for each calendar month (or week) that qualifies — earnings at
or above a threshold, no benefit paid — up to ``max_periods``, not necessarily consecutive (US
Ticket to Work outcome payments and Phase 2 milestones; UK off-benefit periods).

Which units count, what a unit's earnings and benefit are and when it qualifies: see
``kinds/earnings_common.py`` (units ending after the service start day and on or before the
deadline of ``window``; earnings by pay date; a unit decided once ``as_of`` reaches its last
day). Rules (docs/contract-language.md):

* The qualifying units, in date order, are paid up to ``max_periods``: each a ``payable`` line,
  occurrence the unit (``2025-03``, ``2025-W09``), dated its last day, quantity 1, unit price
  the amount in force that day, period the unit, evidence its earnings and benefit rows.
  Qualifying units beyond ``max_periods`` give no line (the trace names them).
* While fewer than ``max_periods`` are paid, one line for the next payment (occurrence
  ``next``, quantity 1): ``pending`` while a counted unit is still to be decided, dated the last
  day of the last unit that counts; ``not_earned`` once every counted unit is decided without
  it, dated the last day of the last unit (the day the payment was lost; the service start
  when no unit counts), at the price forgone.
* No service start: ``next`` pending, or not_earned once the contract has ended or
  ``outcomes_until`` has passed (as every outcome kind).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Literal

from pydantic import Field

from ..contract.model import (
    CalendarThreshold,
    ContractBase,
    Price,
    PriceTable,
    Threshold,
    most_of,
)
from ..evaluate.context import CustomerContext
from ..evaluate.lines import Line
from ..evaluate.trace import Trace
from ..values import WholeNumber
from .base import CustomerKind, Outcome
from .earnings_common import (
    NO_LIMIT,
    Assessed,
    Counted,
    PeriodRules,
    condition_text,
    count_units,
    unit_steps,
    unit_word,
)

ONE = Decimal(1)
ZERO = Decimal(0)


class PeriodPayments(PeriodRules):
    kind: Literal["period_payments"]
    max_periods: WholeNumber = Field(ge=1, description="the most units paid")
    amount: Price

    def price_tables(self) -> list[PriceTable]:
        return [PriceTable(("amount",), self.amount, "fee", "fee"), *super().price_tables()]

    def most_paid(self, contract: ContractBase, seen: frozenset[str] = frozenset()
                  ) -> Decimal | None:
        top = most_of(self.amount)
        return None if top is None else self.max_periods * top

    def thresholds(self) -> list[Threshold]:
        # the first payment needs one qualifying unit inside the window
        return [CalendarThreshold(self.unit, 1, NO_LIMIT, ("unit",), counts_start_unit=True)]


def evaluate(comp: PeriodPayments, ctx: CustomerContext, prior: Sequence[Line]) -> Outcome:
    word = unit_word(comp.unit)
    rules = [f"pays each calendar {word} with {condition_text(comp, ctx.currency_sign)}, at "
             f"most {comp.max_periods} {unit_word(comp.unit, True)}, not necessarily in a row"]
    any_price = ctx.price(comp.amount)
    if any_price is None:
        return Outcome([ctx.line(comp, status="not_earned", occurrence="next", on=None,
                                 quantity=ONE, unit_price=ZERO,
                                 reason=f"no price for segment {ctx.segment}")],
                       Trace(tuple(rules)))
    if ctx.service is None:
        status, reason, on = ctx.without_service("waiting for the service start")
        return Outcome([ctx.line(comp, status=status, occurrence="next", on=on, quantity=ONE,
                                 unit_price=any_price, reason=reason)], Trace(tuple(rules)))
    counted = count_units(comp, ctx, ctx.service)
    rules.append(f"counts the calendar {unit_word(comp.unit, True)} ending after the service "
                 f"start {ctx.service.start} and by {counted.deadline.last_day} "
                 f"({counted.deadline.why.rstrip(',')})")
    paid = [a for a in counted.decided if a.qualifies][:comp.max_periods]
    lines = [_paid(comp, ctx, a, k) for k, a in enumerate(paid, start=1)]
    if len(paid) < comp.max_periods:
        lines.append(_next(comp, ctx, counted, len(paid)))

    def verdict(a: Assessed) -> str:
        if not a.qualifies:
            return "does not qualify"
        return "qualifies, paid" if a in paid else (
            f"qualifies, beyond the maximum of {comp.max_periods}: not paid")

    return Outcome(lines, Trace(tuple(rules), lambda: unit_steps(counted.decided, verdict,
                                                                 word)))


def _paid(comp: PeriodPayments, ctx: CustomerContext, a: Assessed, k: int) -> Line:
    price = ctx.price(comp.amount, on=a.period.last_day) or ZERO
    return ctx.line(comp, status="payable", occurrence=a.key, on=a.period.last_day,
                    quantity=ONE, unit_price=price, evidence=a.evidence, period=a.period,
                    reason=f"{a.text}: qualifies, payment {k} of {comp.max_periods}")


def _next(comp: PeriodPayments, ctx: CustomerContext, counted: Counted, paid: int) -> Line:
    assert ctx.service is not None
    word, words = unit_word(comp.unit), unit_word(comp.unit, True)
    test = condition_text(comp, ctx.currency_sign, ctx.as_of)
    so_far = f"{paid} of {comp.max_periods} {words} paid so far"
    last = counted.last_day
    on = last if last is not None else ctx.service.start
    price = ctx.price(comp.amount, on=on) or ZERO
    evidence = sorted({i for a in counted.decided for i in a.evidence})
    if counted.open_units:
        return ctx.line(comp, status="pending", occurrence="next", on=on, quantity=ONE,
                        unit_price=price, evidence=evidence,
                        reason=f"{so_far}; needs another calendar {word} with {test}, ending "
                               f"by {counted.deadline.last_day} "
                               f"({counted.deadline.why.rstrip(',')}); "
                               f"{counted.open_units} "
                               f"{words if counted.open_units != 1 else word} still to come")
    if last is None:
        why = (f"no calendar {word} ends after the service start {ctx.service.start} and by "
               f"{counted.deadline.last_day} ({counted.deadline.why.rstrip(',')})")
    else:
        why = (f"no further calendar {word} with {test} ended by "
               f"{counted.deadline.last_day} ({counted.deadline.why.rstrip(',')})")
    return ctx.line(comp, status="not_earned", occurrence="next", on=on, quantity=ONE,
                    unit_price=price, evidence=evidence, reason=f"{so_far}; {why}")


KIND = CustomerKind(PeriodPayments, evaluate, reads=frozenset({"earnings", "benefit"}))
