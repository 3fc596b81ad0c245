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
from typing import Literal

from ..contract.model import ComponentBase, ContractBase, PayBasis, Price, PriceTable, most_of
from ..evaluate.context import CustomerContext
from ..evaluate.lines import Line, Status, event_key
from ..evaluate.trace import Trace
from ..events.model import Expense
from ..periods import Period
from ..values import money_text
from .base import CustomerKind, Outcome


class ReimbursedExpenses(ComponentBase):
    kind: Literal["reimbursed_expenses"]
    budget: Price
    categories: list[str] | None = None

    def pay_basis(self) -> PayBasis:
        return "fixed"  # pays for the service delivered, whatever the customer reaches

    def price_tables(self) -> list[PriceTable]:
        return [PriceTable(("budget",), self.budget, "budget", "budget"),
                *super().price_tables()]

    def most_paid(self, contract: ContractBase, seen: frozenset[str] = frozenset()
                  ) -> Decimal | None:
        return most_of(self.budget)  # repaid up to the budget, never beyond it

ONE = Decimal(1)
ZERO = Decimal(0)


def _what(e: Expense) -> str:
    text = f"expense {e.event_id} on {e.date}"
    details = ", ".join(x for x in (e.category, e.description) if x)
    return f"{text} ({details})" if details else text


def evaluate(comp: ReimbursedExpenses, ctx: CustomerContext, prior: Sequence[Line]
             ) -> Outcome:
    events = [e for e in ctx.timeline.expenses
              if comp.categories is None or e.category in comp.categories]
    budget = ctx.price(comp.budget, on=ctx.priced_on)
    which = ("expenses of categories " + ", ".join(comp.categories)
             if comp.categories is not None else "every expense")
    rules = (f"repays {which} dated inside the service window, in date order, up to a budget "
             f"of {money_text(budget) if budget is not None else '(none for this segment)'}",)
    return Outcome(_lines(comp, ctx, events, budget), Trace(rules))


def _lines(comp: ReimbursedExpenses, ctx: CustomerContext, events: list[Expense],
           budget: Decimal | None) -> list[Line]:
    if not events:
        return []
    if budget is None:
        return [ctx.line(comp, status="not_earned", occurrence="none", on=None,
                         quantity=ONE, unit_price=sum((e.amount for e in events), ZERO),
                         reason=f"no budget for segment {ctx.segment}",
                         evidence=[e.event_id for e in events])]
    service = ctx.service
    if service is None:
        waiting, reason, _ = ctx.without_service("waiting for the service start", outcome=False)
        return [ctx.line(comp, status=waiting, occurrence=event_key(e.event_id), on=e.date,
                         quantity=ONE, unit_price=e.amount, evidence=[e.event_id],
                         reason=f"{_what(e)}: {money_text(e.amount)}: {reason}")
                for e in events]
    used = ZERO
    lines: list[Line] = []
    for e in events:
        paid, new = _expense(comp, ctx, e, service, budget, used)
        used += paid
        lines.extend(new)
    return lines


def _expense(comp: ReimbursedExpenses, ctx: CustomerContext, e: Expense, service: Period,
             budget: Decimal, used: Decimal) -> tuple[Decimal, list[Line]]:
    """The lines of one expense, and what of it is repaid, with ``used`` of the budget
    spent before it."""
    limit = f"budget of {money_text(budget)}"
    what = _what(e)

    def line(status: Status, occurrence: str, amount: Decimal, reason: str) -> Line:
        return ctx.line(comp, status=status, occurrence=occurrence, on=e.date, quantity=ONE,
                        unit_price=amount, evidence=[e.event_id], reason=reason,
                        provider=e.provider)

    if e.date not in service:
        side = "before" if e.date < service.start else "after"
        return ZERO, [line("not_earned", f"{event_key(e.event_id)}:outside", e.amount,
                           f"{what}: {money_text(e.amount)} not repaid, the date is {side} the "
                           f"service window {service}")]
    if used >= budget:
        return ZERO, [line("not_earned", event_key(e.event_id), e.amount,
                           f"{what}: {money_text(e.amount)} not repaid, {limit} used up")]
    status: Status = "payable" if e.date <= ctx.as_of else "pending"
    when = "" if status == "payable" else f", dated after {ctx.as_of}"
    paid = min(e.amount, budget - used)
    if paid == e.amount:
        return paid, [line(status, event_key(e.event_id), paid,
                           f"{what}: {money_text(paid)} repaid, "
                           f"{money_text(budget - used - paid)} of the {limit} left{when}")]
    over = e.amount - paid
    return paid, [
        line(status, event_key(e.event_id), paid,
             f"{what}: {money_text(paid)} of {money_text(e.amount)} repaid, the rest of the "
             f"{limit}; {money_text(over)} over it not repaid{when}"),
        line("not_earned", f"{event_key(e.event_id)}:over", over,
             f"{what}: {money_text(over)} of {money_text(e.amount)} not repaid, {limit} used up"),
    ]


KIND = CustomerKind(ReimbursedExpenses, evaluate, reads=frozenset({"expense"}))
