"""reimbursed_expenses: a budget per customer, spent flexibly and repaid as receipts come in.

An ``expense`` event counts when its ``category`` is one of ``categories`` (any expense when
left out). Counting expenses dated inside the service window are repaid in date order (then
event id) up to ``budget`` (priced by segment): the expense that crosses the budget is repaid
in part and the rest gets a ``not_earned`` line (occurrence ``<event id>:over``); later
expenses are ``not_earned`` ("budget of 1500.00 used up"). An expense outside the service
window is ``not_earned`` (occurrence ``<event id>:outside``). One line per expense,
occurrence = event id, quantity 1, unit price = the amount repaid. An expense dated after
``as_of`` is ``pending``; so is every expense while no service start is known.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from ..contract.model import ReimbursedExpenses
from ..evaluate.context import CustomerContext
from ..evaluate.lines import Line, Status
from ..events.model import Expense
from ..values import money_text

ONE = Decimal(1)
ZERO = Decimal(0)


def _what(e: Expense) -> str:
    text = f"expense {e.event_id} on {e.date}"
    details = ", ".join(x for x in (e.category, e.description) if x)
    return f"{text} ({details})" if details else text


def evaluate(component: Any, ctx: CustomerContext, prior: Sequence[Line]) -> list[Line]:
    comp: ReimbursedExpenses = component
    events = [e for e in ctx.timeline.expenses
              if comp.categories is None or e.category in comp.categories]
    if not events:
        return []
    budget = ctx.price(comp.budget)
    if budget is None:
        return [ctx.line(comp, status="not_earned", occurrence="none", on=None,
                         quantity=ONE, unit_price=sum((e.amount for e in events), ZERO),
                         reason=f"no budget for segment {ctx.segment}",
                         evidence=[e.event_id for e in events])]
    service = ctx.service
    if service is None:
        waiting, reason, _ = ctx.without_service("waiting for the service start", outcome=False)
        return [ctx.line(comp, status=waiting, occurrence=e.event_id, on=e.date,
                         quantity=ONE, unit_price=e.amount, evidence=[e.event_id],
                         reason=f"{_what(e)}: {money_text(e.amount)}: {reason}")
                for e in events]
    limit = f"budget of {money_text(budget)}"
    used = ZERO
    lines: list[Line] = []
    for e in events:
        what = _what(e)
        if e.date not in service:
            side = "before" if e.date < service.start else "after"
            lines.append(ctx.line(
                comp, status="not_earned", occurrence=f"{e.event_id}:outside", on=e.date,
                quantity=ONE, unit_price=e.amount, evidence=[e.event_id],
                reason=f"{what}: {money_text(e.amount)} not repaid, the date is {side} the "
                       f"service window {service}"))
            continue
        if used >= budget:
            lines.append(ctx.line(
                comp, status="not_earned", occurrence=e.event_id, on=e.date, quantity=ONE,
                unit_price=e.amount, evidence=[e.event_id],
                reason=f"{what}: {money_text(e.amount)} not repaid, {limit} used up"))
            continue
        status: Status = "payable" if e.date <= ctx.as_of else "pending"
        when = "" if status == "payable" else f", dated after {ctx.as_of}"
        paid = min(e.amount, budget - used)
        used += paid
        if paid == e.amount:
            lines.append(ctx.line(
                comp, status=status, occurrence=e.event_id, on=e.date, quantity=ONE,
                unit_price=paid, evidence=[e.event_id],
                reason=f"{what}: {money_text(paid)} repaid, {money_text(budget - used)} of "
                       f"the {limit} left{when}"))
            continue
        over = e.amount - paid
        lines.append(ctx.line(
            comp, status=status, occurrence=e.event_id, on=e.date, quantity=ONE,
            unit_price=paid, evidence=[e.event_id],
            reason=f"{what}: {money_text(paid)} of {money_text(e.amount)} repaid, the rest "
                   f"of the {limit}; {money_text(over)} over it not repaid{when}"))
        lines.append(ctx.line(
            comp, status="not_earned", occurrence=f"{e.event_id}:over", on=e.date,
            quantity=ONE, unit_price=over, evidence=[e.event_id],
            reason=f"{what}: {money_text(over)} of {money_text(e.amount)} not repaid, "
                   f"{limit} used up"))
    return lines
