"""event_fee: a fee on an event, once (enrolment, referral) or per matching event (sessions).

An event counts when its type is ``event``, every ``where`` field matches (a value, or one of
a list) and its date falls inside ``window``. ``once`` pays the first such event; ``each``
pays every one, in date order, up to ``max_count``. Quantity is 1 per event.

A not_earned line's amount is what was forgone: an event outside the window is a lost fee with
``each`` (quantity 1) but information only with ``once`` (quantity 0; the fee is forgone, or
paid, once, on the window's line); an event beyond ``max_count`` forgoes nothing (quantity 0).

The window is ``contract`` (``valid_from .. valid_until``), ``service`` or
``service_and_follow_up``, without ``grace``, ``reach_by`` or ``outcomes_until``: an event fee
pays for an event, not an outcome (docs/contract-language.md, event_fee).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag

from ..contract.model import (
    ComponentBase,
    Components,
    ContractBase,
    EventType,
    Path,
    PayBasis,
    Price,
    PriceTable,
    Range,
    Site,
    by_shape,
    most_of,
)
from ..contract.segments import in_range
from ..errors import Problem
from ..evaluate.context import CustomerContext
from ..evaluate.lines import Line, Status, event_key
from ..evaluate.trace import Trace
from ..events.model import EventBase, fields_of
from ..periods import Period
from ..values import WholeNumber
from .base import CustomerKind, Outcome

# a filter on an event's field: a value, one of a list, or a range (dates, numbers)
Filter = Annotated[
    Annotated[str, Tag("a scalar")] | Annotated[list[str], Tag("a list")]
    | Annotated[Range, Tag("a mapping")],
    Discriminator(by_shape),
]
DATE_FIELDS = frozenset({"date", "end", "recorded", "unemployed_since", "birth_date"})
NUMBER_FIELDS = frozenset({"hours", "hours_per_week", "fte", "wage", "days", "amount",
                           "score", "benefit_days"})


# the events that are the service itself (their fees count as fixed pay in forecasts)
SERVICE_EVENTS = frozenset({"referral", "service_start", "service_end", "contact", "hours",
                            "expense"})


class EventFee(ComponentBase):
    kind: Literal["event_fee"]
    event: EventType
    where: dict[str, Filter] = Field(default_factory=dict)
    per: Literal["once", "each"] = "once"
    amount: Price
    max_count: WholeNumber | None = Field(default=None, ge=1)
    window: Literal["contract", "service", "service_and_follow_up"] = "contract"

    def price_tables(self) -> list[PriceTable]:
        return [PriceTable(("amount",), self.amount, "fee", "fee"), *super().price_tables()]

    def unbounded(self, contract: Components, seen: frozenset[str] = frozenset()
                  ) -> tuple[str, Path] | None:
        if self.cap is None and self.per == "each" and self.max_count is None:
            return (f"pays every {self.event.replace('_', ' ')} event (per: each) with no "
                    "max_count"), ("per",)
        return None

    def most_paid(self, contract: ContractBase, seen: frozenset[str] = frozenset()
                  ) -> Decimal | None:
        # once: one fee; each: up to max_count fees (without it, every event: no bound; even
        # a referral or a service start can be recorded again)
        times = 1 if self.per == "once" else self.max_count
        top = most_of(self.amount)
        return None if times is None or top is None else times * top

    def paid_on(self) -> tuple[str, Path] | None:
        return self.event, ("event",)

    def event_window(self) -> str | None:
        return self.window

    def pay_basis(self) -> PayBasis:
        # a fee on a referral, a service start or end, a contact, hours or an expense pays
        # for the service itself; on employment, education, a survey or a benefit, a result
        return "fixed" if self.event in SERVICE_EVENTS else "result"

    def checks(self, site: Site) -> list[Problem]:
        fields = fields_of(self.event)
        out = []
        for key in self.where:
            if key not in fields and not (self.event == "referral" and key.startswith("attr_")):
                # a misspelt field would make the fee silently never pay
                has = ", ".join(sorted(fields - {"event_id", "customer_id", "void"}))
                article = "an" if self.event[0] in "aeiou" else "a"
                out.append(site.key_err("C216", f"{article} {self.event} row has no field "
                                        f"'{key[:60]}'; it has {has}", "where", key))
            elif isinstance(self.where[key], Range) and not self._ranged(key):
                out.append(site.key_err("C216", f"'{key[:60]}' is text: a range filters only a "
                                        "date or a number; give a value or a list", "where", key))
        return out

    def _ranged(self, key: str) -> bool:
        """Whether a range filter on ``key`` has bounds of the field's type."""
        wanted = date if key in DATE_FIELDS else Decimal if key in NUMBER_FIELDS else None
        cond = self.where[key]
        return wanted is not None and isinstance(cond, Range) and all(
            isinstance(b, wanted) for _, b in cond.bounds())

ONE = Decimal(1)
ZERO = Decimal(0)


def _matches(event: EventBase, where: dict[str, Any]) -> bool:
    for name, wanted in where.items():
        value = getattr(event, name, None)
        if value is None and name.startswith("attr_"):
            value = getattr(event, "attributes", {}).get(name)
        if value is None:
            return False
        if isinstance(wanted, Range):
            if not in_range(wanted, value):
                return False
            continue
        text = str(value).lower() if isinstance(value, bool) else str(value)
        if isinstance(wanted, list):
            if text not in wanted:
                return False
        elif text != wanted:
            return False
    return True


# each event type as a countable noun, for reasons: "a service start", "no hours row"
NOUNS = {
    "referral": "referral", "service_start": "service start", "service_end": "service end",
    "hours": "hours row", "contact": "contact", "employment": "employment",
    "education": "education row", "benefit": "benefit row", "survey": "survey",
    "expense": "expense", "earnings": "earnings row",
}


def _a(what: str) -> str:
    """The indefinite article by sound: "a service start", "an education row", "an hours
    row"."""
    return ("an " if what[:1] in "aeiou" or what.startswith("hour") else "a ") + what


def _describe(comp: EventFee) -> tuple[str, str]:
    """(noun, filter): ("hours row", " (activity=group|workshop)")."""
    noun = NOUNS.get(comp.event, comp.event.replace("_", " "))
    if not comp.where:
        return noun, ""
    return noun, " (" + ", ".join(_filter_text(k, v) for k, v in comp.where.items()) + ")"


_RANGE_WORDS = {"min": ">=", "at_least": ">=", "more_than": ">", "max": "<", "less_than": "<",
                "at_most": "<="}


def _filter_text(key: str, wanted: str | list[str] | Range) -> str:
    """ "activity=group|workshop", "date>=2024-01-01 and <2025-01-01" """
    if isinstance(wanted, str):
        return f"{key}={wanted}"
    if isinstance(wanted, list):
        return f"{key}={'|'.join(wanted)}"
    return key + " and ".join(f"{_RANGE_WORDS[k]}{v}" for k, v in wanted.bounds())


def evaluate(comp: EventFee, ctx: CustomerContext, prior: Sequence[Line]) -> Outcome:
    window = ctx.window(comp.window)
    noun, matching = _describe(comp)
    rules = [f"pays {comp.per} {_a(noun + matching)}" if comp.per == "once" else
             f"pays each {noun + matching}" + (f", at most {comp.max_count}"
                                               if comp.max_count else ""),
             f"counts events dated inside the {comp.window.replace('_', ' ')} window "
             + (str(window) if window is not None else "(not open: no service start)")]
    return Outcome(_lines(comp, ctx, window), Trace(tuple(rules)))


def _lines(comp: EventFee, ctx: CustomerContext, window: Period | None) -> list[Line]:
    noun, matching = _describe(comp)
    what = noun + matching
    price = ctx.price(comp.amount)
    candidates = [e for e in ctx.timeline.events
                  if getattr(e, "type", None) == comp.event and _matches(e, comp.where)]
    once = comp.per == "once"
    if price is None:
        return [ctx.line(comp, status="not_earned", occurrence="once", on=None,
                         quantity=ONE, unit_price=ZERO,
                         reason=f"no price for segment {ctx.segment}",
                         evidence=[e.event_id for e in candidates])]
    if window is None:
        status, reason, on = ctx.without_service(f"waiting for {_a(what)}", outcome=False)
        return [ctx.line(comp, status=status, occurrence="once" if once else "none",
                         on=on, quantity=ONE if once else ZERO, unit_price=price,
                         reason=reason)]
    lines: list[Line] = []
    paid = 0
    for event in candidates:
        line = _event_line(comp, ctx, event, window, price, paid)
        if line is not None:
            paid += line.status != "not_earned"
            lines.append(line)
    if paid == 0:
        lines.append(_none_paid(comp, ctx, window, price, what))
    return lines


def _event_line(comp: EventFee, ctx: CustomerContext, event: EventBase, window: Period,
                price: Decimal, paid: int) -> Line | None:
    """The line of one matching event, ``paid`` events paid before it (None: an event past
    the single payment of a ``once`` fee, which needs no line)."""
    noun, matching = _describe(comp)
    named = f"{noun} {event.event_id}{matching}"  # "hours row H3 (activity=group)"
    window_name = comp.window.replace("_", " ")
    limit = 1 if comp.per == "once" else comp.max_count
    key = event_key(event.event_id)

    # a price that changes on dates is the one in force on the event's date
    in_force = ctx.price(comp.amount, on=event.date)

    def line(status: Status, occurrence: str, quantity: Decimal, reason: str) -> Line:
        # a fee per event is paid to the member that delivered the event, when it names one
        member = getattr(event, "provider", None) if comp.per == "each" else None
        return ctx.line(comp, status=status, occurrence=occurrence, on=event.date,
                        quantity=quantity, unit_price=in_force if in_force is not None else price,
                        evidence=[event.event_id], reason=reason, provider=member)

    if event.date not in window:
        side = "before" if event.date < window.start else "after"
        # per each, an event outside is a session lost; per once, the fee is forgone (or
        # paid) once, on the line for the window, so this one is information (quantity 0)
        return line("not_earned", f"{key}:outside", ONE if comp.per == "each" else ZERO,
                    f"{named} on {event.date} is {side} the {window_name} window {window}")
    if limit is not None and paid >= limit:
        if comp.per == "once":
            return None
        # beyond max_count the contract offered nothing: nothing forgone
        return line("not_earned", key, ZERO,
                    f"{named} on {event.date} is beyond the maximum of {limit}")
    occurrence = "once" if comp.per == "once" else key
    if event.date > ctx.as_of:  # recorded in advance: it has not happened yet
        return line("pending", occurrence, ONE, f"{named} is planned for {event.date}, after "
                    f"the evaluation date {ctx.as_of}")
    return line("payable", occurrence, ONE,
                f"{named} on {event.date}, inside the {window_name} window")


def _none_paid(comp: EventFee, ctx: CustomerContext, window: Period, price: Decimal,
               what: str) -> Line:
    once = comp.per == "once"
    open_ = ctx.as_of < window.last_day
    in_force = ctx.price(comp.amount, on=window.last_day)
    return ctx.line(
        comp, status="pending" if open_ else "not_earned",
        occurrence="once" if once else "none", on=window.last_day,
        quantity=ONE if once else ZERO, unit_price=in_force if in_force is not None else price,
        reason=(f"needs {_a(what)} by {window.last_day}" if open_ else
                f"no {what} inside the {comp.window.replace('_', ' ')} window {window}"))


KIND = CustomerKind(EventFee, evaluate, reads=lambda comp: frozenset({comp.event}))
