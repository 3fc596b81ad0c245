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
from typing import Literal

from pydantic import Field

from ..contract.load import LoadedContract
from ..contract.model import (
    Amount,
    ComponentBase,
    ContractBase,
    Dated,
    Path,
    PayBasis,
    Site,
    amount_at,
)
from ..errors import Problem
from ..evaluate.lines import Line, Status, make_line
from ..evaluate.trace import Trace
from ..periods import calendar_months, day_share, inclusive
from ..values import IsoDate, money_text
from .base import ContractKind, Outcome


class CapacityFee(ComponentBase):
    kind: Literal["capacity_fee"]
    amount: Amount
    provider: str | None = None
    from_: IsoDate | None = Field(default=None, alias="from")
    until: IsoDate | None = None

    def pay_basis(self) -> PayBasis:
        return "fixed"  # pays for the service delivered, whatever the customer reaches

    def most_paid(self, contract: ContractBase, seen: frozenset[str] = frozenset()
                  ) -> Decimal | None:
        return Decimal(0)  # its lines are the contract's: it pays no customer

    def period_spans(self, day: date) -> bool:
        return day.day != 1  # calendar months: only a change within a month splits one

    def dated_span(self) -> tuple[date | None, date | None, Path, Path] | None:
        return self.from_, self.until, ("from",), ("until",)

    def checks(self, site: Site) -> list[Problem]:
        out = []
        providers = site.provider_ids
        if providers is not None and self.provider is not None \
                and self.provider not in providers:
            out.append(site.err("C208", f"unknown provider '{self.provider}'", "provider"))
        if providers is not None and self.provider is None and len(providers) > 1:
            out.append(site.err("C208", "a capacity fee must name its provider when the "
                                "contract has several"))
        if self.from_ and self.until and self.until < self.from_:
            out.append(site.err("C205", f"until {self.until} is before from {self.from_}",
                                "until"))
        return out

ONE = Decimal(1)


def evaluate(comp: CapacityFee, loaded: LoadedContract, as_of: date) -> Outcome:
    md = loaded.contract.metadata
    first = comp.from_ or md.valid_from
    last = comp.until or md.valid_until
    amount = comp.amount if isinstance(comp.amount, Dated) else money_text(comp.amount)
    rules = (f"pays {amount} per calendar month of capacity from {first} to {last}, a month "
             "cut short by days",)
    return Outcome(_lines(comp, loaded, as_of), Trace(rules))


def _lines(comp: CapacityFee, loaded: LoadedContract, as_of: date) -> list[Line]:
    md = loaded.contract.metadata
    provider = comp.provider or md.providers[0].id
    first = comp.from_ or md.valid_from
    last = comp.until or md.valid_until
    if last < first:
        return []  # refused by the contract checks (C205)
    span = inclusive(first, last)
    clause = loaded.clause(comp.id)
    lines: list[Line] = []
    for month in calendar_months(span):
        part = month.clip(span)
        assert part is not None
        # an amount that changes on dates: the one in force on the month's first day
        amount = amount_at(comp.amount, part.start)
        if amount is None:
            continue  # the capacity is not priced yet: nothing bought
        price = money_text(amount)
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
            unit_price=amount, reason=reason, period=(part.start, part.end)))
    return lines


KIND = ContractKind(CapacityFee, evaluate)
