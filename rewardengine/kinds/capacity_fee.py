"""capacity_fee: staff capacity bought per calendar month, not per customer.

One line per calendar month from ``from`` (default the contract's ``valid_from``) to ``until``
(inclusive; default ``valid_until``), occurrence ``YYYY-MM``, with no customer and no
segment; the provider is ``provider`` or the contract's only provider. A month cut by
``from``/``until`` is prorated by days: ``amount * days covered / days in that calendar
month`` (quantity = that share, ``periods.day_share``). A month is ``payable`` on its last
covered day once ``as_of`` has reached that day; the running month and every later month
are ``pending`` (the buyer's and the provider's cash-flow view of what is committed).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from ..contract.load import LoadedContract
from ..contract.model import CapacityFee
from ..evaluate.lines import Line, Status, make_line
from ..periods import calendar_months, day_share, inclusive
from ..values import money_text

ONE = Decimal(1)


def evaluate(component: Any, loaded: LoadedContract, as_of: date) -> list[Line]:
    comp: CapacityFee = component
    md = loaded.contract.metadata
    provider = comp.provider or md.providers[0].id
    first = comp.from_ or md.valid_from
    last = comp.until or md.valid_until
    if last < first:
        return []  # refused by the contract checks (C205)
    span = inclusive(first, last)
    clause = loaded.clause(comp.id)
    price = money_text(comp.amount)
    lines: list[Line] = []
    for month in calendar_months(span):
        part = month.clip(span)
        assert part is not None
        name = f"{month.start:%Y-%m}"
        quantity = ONE
        what = f"capacity for {name}"
        if part != month:
            quantity = day_share(part.days, month.days)
            what += (f", {part.days}/{month.days} days ({part}) of {price} as the capacity "
                     f"runs {span}")
        status: Status
        if as_of >= part.last_day:
            status = "payable"
            reason = f"{what}: month ended {part.last_day}"
        elif as_of >= part.start:
            status = "pending"
            reason = f"{what}: running month, payable after {part.last_day}"
        else:
            status = "pending"
            reason = f"{what}: committed, payable after {part.last_day}"
        lines.append(make_line(
            component=comp, clause=clause, ctx_customer=None, segment=None, provider=provider,
            status=status, occurrence=name, on=part.last_day, quantity=quantity,
            unit_price=comp.amount, reason=reason, period=(part.start, part.end)))
    return lines
