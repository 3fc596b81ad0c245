"""A result line: one euro amount with the clause and the evidence behind it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from decimal import Context, Decimal
from typing import Any, Literal

from ..contract.model import ComponentBase
from ..values import money_text, round_cents

Status = Literal["payable", "pending", "not_earned"]

# the characters that join an event id to the rest of an occurrence ("E1:over",
# "spell:E1@2020-05-01"); escaped inside an id, so no id can pose as a composed occurrence
_ID_ESCAPES = str.maketrans({"%": "%25", ":": "%3A", "@": "%40"})


def event_key(event_id: str) -> str:
    """An event id as part of an occurrence, with ``%``, ``:`` and ``@`` escaped: the id
    ``E1:over`` gives ``E1%3Aover`` and never collides with the ``over`` part of ``E1``."""
    return event_id.translate(_ID_ESCAPES)
STATUSES: tuple[Status, ...] = ("payable", "pending", "not_earned")


@dataclass(frozen=True, slots=True, init=False)
class Line:
    """What one component owes (or would owe) for one occurrence.

    ``occurrence`` makes the line's identity stable across runs: with customer and component
    it names the earning ("once", the service month "m03", the milestone "12 weeks", the
    spell "spell:E17"), so the same earning is never billed twice.

    ``amount`` is rounded once, half-up, to cents from ``quantity * unit_price``. For a
    ``pending`` line it is what would be paid; for ``not_earned`` what was forgone.
    """

    component: str
    kind: str
    clause: str
    customer_id: str | None
    segment: str | None
    provider: str | None
    status: Status
    occurrence: str
    date: dt.date | None
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    reason: str
    evidence: tuple[str, ...] = ()
    period_start: dt.date | None = None
    period_end: dt.date | None = None  # exclusive
    cap: str | None = None  # which cap cut the line, and by how much
    uncapped: Decimal | None = None

    def __init__(self, component: str, kind: str, clause: str, customer_id: str | None,
                 segment: str | None, provider: str | None, status: Status, occurrence: str,
                 date: dt.date | None, quantity: Decimal, unit_price: Decimal, amount: Decimal,
                 reason: str, evidence: tuple[str, ...] = (),
                 period_start: dt.date | None = None, period_end: dt.date | None = None,
                 cap: str | None = None, uncapped: Decimal | None = None) -> None:
        # the dataclass's own __init__, with each field set through its slot (a frozen
        # dataclass goes through object.__setattr__ by name: a third of a line's cost)
        (s_component, s_kind, s_clause, s_customer_id, s_segment, s_provider, s_status,
         s_occurrence, s_date, s_quantity, s_unit_price, s_amount, s_reason, s_evidence,
         s_period_start, s_period_end, s_cap, s_uncapped) = _SLOT_SETTERS
        s_component(self, component)
        s_kind(self, kind)
        s_clause(self, clause)
        s_customer_id(self, customer_id)
        s_segment(self, segment)
        s_provider(self, provider)
        s_status(self, status)
        s_occurrence(self, occurrence)
        s_date(self, date)
        s_quantity(self, quantity)
        s_unit_price(self, unit_price)
        s_amount(self, amount)
        s_reason(self, reason)
        s_evidence(self, evidence)
        s_period_start(self, period_start)
        s_period_end(self, period_end)
        s_cap(self, cap)
        s_uncapped(self, uncapped)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.customer_id or "", self.component, self.occurrence)

    def capped_to(self, amount: Decimal, note: str) -> Line:
        # a line cut by two caps (its component's, the per-customer cap, the ceiling) names
        # every cut, so the uncapped amount less the cuts is the amount
        return replace(self, amount=amount, cap=note if self.cap is None else f"{self.cap}; {note}",
                       uncapped=self.uncapped if self.uncapped is not None else self.amount)

    def to_dict(self) -> dict[str, Any]:
        return {
            "component": self.component,
            "kind": self.kind,
            "status": self.status,
            "occurrence": self.occurrence,
            "amount": money_text(self.amount),
            "date": self.date.isoformat() if self.date else None,
            "period": None if self.period_start is None else {
                "start": self.period_start.isoformat(),
                "end": self.period_end.isoformat() if self.period_end else None,
            },
            "quantity": str(self.quantity),
            "unit_price": str(self.unit_price),
            "reason": self.reason,
            "evidence": list(self.evidence),
            "clause": self.clause,
            "provider": self.provider,
            "cap": None if self.cap is None else {
                "note": self.cap,
                "uncapped": money_text(self.uncapped or Decimal(0)),
            },
        }


# each field's slot setter, in field order (the order ``Line.__init__`` unpacks them in)
_SLOT_SETTERS: tuple[Callable[[Line, Any], None], ...] = tuple(
    getattr(Line, f.name).__set__ for f in fields(Line))


# 60 digits hold any product of a bounded quantity and price exactly (made once: entering a
# local context for every line cost more than the multiplication)
_EXACT_PRODUCT = Context(prec=60)


def _times(quantity: Decimal, unit_price: Decimal) -> Decimal:
    """``quantity * unit_price``, exact before the one rounding: the default 28 digits could
    lose a cent on very large amounts. Worked out once per pair of values (a customer's
    lines repeat a few quantities and prices): equal nonzero products round to the very same
    cents; a zero is worked out each time (its sign is kept: -0.00 is not 0.00's twin)."""
    if not quantity or not unit_price:
        return round_cents(_EXACT_PRODUCT.multiply(quantity, unit_price))
    key = (quantity, unit_price)
    amount = _PRODUCTS.get(key)
    if amount is None:
        if len(_PRODUCTS) >= _PRODUCTS_KEPT:
            _PRODUCTS.clear()
        amount = _PRODUCTS[key] = round_cents(_EXACT_PRODUCT.multiply(quantity, unit_price))
    return amount


_PRODUCTS: dict[tuple[Decimal, Decimal], Decimal] = {}
_PRODUCTS_KEPT = 10_000


def make_line(*, component: ComponentBase, clause: str, ctx_customer: str | None,
              segment: str | None, provider: str | None, status: Status, occurrence: str,
              on: dt.date | None, quantity: Decimal, unit_price: Decimal, reason: str,
              evidence: tuple[str, ...] | list[str] = (),
              period: tuple[dt.date, dt.date] | None = None) -> Line:
    start, end = period if period else (None, None)
    return line_of(component.id, component.kind_name, clause, ctx_customer, segment, provider,
                   status, occurrence, on, quantity, unit_price, reason, evidence, start, end)


def line_of(component: str, kind: str, clause: str, customer: str | None, segment: str | None,
            provider: str | None, status: Status, occurrence: str, on: dt.date | None,
            quantity: Decimal, unit_price: Decimal, reason: str,
            evidence: tuple[str, ...] | list[str], start: dt.date | None,
            end: dt.date | None) -> Line:
    """``make_line`` with its arguments in order (a customer's lines are made through
    ``CustomerContext.line`` this way: passing a dozen arguments by name twice cost nearly
    as much as the line)."""
    # a line's evidence: each id once, in order (none or one id is already so), always a
    # tuple (a list kept as given would make the line unhashable and unequal to its twin)
    ids = tuple(evidence) if len(evidence) < 2 else tuple(sorted(set(evidence)))
    return Line(component, kind, clause, customer, segment, provider, status, occurrence, on,
                quantity, unit_price, _times(quantity, unit_price), reason, ids, start, end)


@dataclass(frozen=True)
class Totals:
    payable: Decimal = Decimal("0.00")
    pending: Decimal = Decimal("0.00")
    not_earned: Decimal = Decimal("0.00")

    @staticmethod
    def of(lines: list[Line]) -> Totals:
        sums = {s: Decimal("0.00") for s in STATUSES}
        for line in lines:
            sums[line.status] += line.amount
        return Totals(sums["payable"], sums["pending"], sums["not_earned"])

    def to_dict(self) -> dict[str, str]:
        return {"payable": money_text(self.payable), "pending": money_text(self.pending),
                "not_earned": money_text(self.not_earned)}


