"""hourly_fee: delivered hours paid at a rate (a start phase paid by the hour; therapy hours).

An ``hours`` event counts when its ``activity`` is one of ``activities`` (any activity when
left out). It is paid when its date falls inside the phase ``[service start + from, service
start + until)`` (``from`` defaults to 0) cut to the service window, or inside the service
window when there is no phase. Counting events are paid in date order (then event id) until
``max_hours``: the event that crosses the maximum is paid for the hours left and its other
hours get a ``not_earned`` line (occurrence ``<event id>:over``); later events are
``not_earned``; both with quantity 0 (0.00: hours past the maximum were never offered, so
nothing is forgone, as an event past ``max_count``; the reason says how many they were). An
event outside the window is ``not_earned`` (occurrence ``<event id>:outside``). One line
per event, occurrence = event id, quantity = hours, unit price = the rate for the customer's
segment. An event dated after ``as_of`` (recorded in advance) is ``pending``. Hours events
before any service start is known are ``pending``.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from functools import lru_cache, partial
from typing import Literal

from ..contract.model import (
    ComponentBase,
    Components,
    ContractBase,
    Path,
    PayBasis,
    Phase,
    Price,
    PriceTable,
    most_of,
)
from ..evaluate.context import CustomerContext
from ..evaluate.lines import Line, Status, event_key
from ..evaluate.trace import Trace
from ..events.model import Hours
from ..periods import Period
from ..values import Quantity, money_text
from .base import CustomerKind, Outcome


class HourlyFee(ComponentBase):
    kind: Literal["hourly_fee"]
    rate: Price
    phase: Phase | None = None
    activities: list[str] | None = None
    max_hours: Quantity | None = None

    def price_tables(self) -> list[PriceTable]:
        return [PriceTable(("rate",), self.rate, "rate", "rate"), *super().price_tables()]

    def pay_basis(self) -> PayBasis:
        return "fixed"  # pays for the service delivered, whatever the customer reaches

    def service_phase(self) -> Phase | None:
        return self.phase

    def most_paid(self, contract: ContractBase, seen: frozenset[str] = frozenset()
                  ) -> Decimal | None:
        top = most_of(self.rate)
        return None if self.max_hours is None or top is None else self.max_hours * top

    def unbounded(self, contract: Components, seen: frozenset[str] = frozenset()
                  ) -> tuple[str, Path] | None:
        if self.cap is None and self.max_hours is None:
            return "pays every hour recorded, with no max_hours", ()
        return None

ZERO = Decimal(0)


def _num(value: Decimal) -> str:
    """A quantity for reasons, without trailing zeros: ``40``, ``2.5``."""
    return f"{value.normalize():f}"


def _h(hours: Decimal) -> str:
    return f"{_num(hours)} h"


@lru_cache(maxsize=1024)  # equal rates are written alike (-0 too): written once
def _per_hour(rate: Decimal) -> str:
    return f"at {money_text(rate)}/h"


def _window(comp: HourlyFee, service: Period) -> tuple[Period | None, str]:
    """The dates whose hours are paid, and how to name them in reasons."""
    if comp.phase is None:
        return service, f"the service window {service}"
    start = comp.phase.from_.after(service.start) if comp.phase.from_ else service.start
    end = comp.phase.until.after(service.start)
    offsets = f"service start + {comp.phase.from_ or '0 days'} to + {comp.phase.until}"
    phase = Period(start, max(start, end))
    clipped = phase.clip(service)
    if clipped is None:
        return None, (f"the phase {phase} ({offsets}), which the service ending "
                      f"{service.last_day} never reached")
    cut = ", cut at the service end" if clipped.end < phase.end else ""
    return clipped, f"the phase {clipped} ({offsets}{cut})"


def evaluate(comp: HourlyFee, ctx: CustomerContext, prior: Sequence[Line]) -> Outcome:
    events: list[Hours] = [
        h for h in ctx.timeline.hours
        if comp.activities is None or h.activity in comp.activities]
    rate = ctx.price(comp.rate)
    window, named = _window(comp, ctx.service) if ctx.service is not None else (
        None, "no window yet: no service start")
    # the rule's words are written only when the trace is read
    return Outcome(_lines(comp, ctx, events, rate, window, named),
                   Trace(partial(_rules, comp, rate, ctx.segment, named)))


def _rules(comp: HourlyFee, rate: Decimal | None, segment: str | None, named: str
           ) -> list[str]:
    which = ("hours of activities " + ", ".join(comp.activities)
             if comp.activities is not None else "every hour")
    rules = [f"pays {which} at {money_text(rate)}/h" if rate is not None
             else f"pays {which} (no rate for segment {segment})",
             f"counts hours dated inside {named}"]
    if comp.max_hours is not None:
        rules.append(f"at most {_num(comp.max_hours)} hours, in date order")
    return rules


def _lines(comp: HourlyFee, ctx: CustomerContext, events: list[Hours], rate: Decimal | None,
           window: Period | None, named: str) -> list[Line]:
    if not events:
        return []
    if rate is None:
        return [ctx.line(comp, status="not_earned", occurrence="none", on=None,
                         quantity=sum((h.hours for h in events), ZERO), unit_price=ZERO,
                         reason=f"no hourly rate for segment {ctx.segment}",
                         evidence=[h.event_id for h in events])]
    if ctx.service is None:
        waiting, reason, _ = ctx.without_service("waiting for the service start", outcome=False)
        return [ctx.line(comp, status=waiting, occurrence=event_key(h.event_id), on=h.date,
                         quantity=h.hours, unit_price=rate, evidence=[h.event_id],
                         reason=f"hours {h.event_id} on {h.date}: {_h(h.hours)} at "
                                f"{money_text(rate)}/h: {reason}")
                for h in events]
    used = ZERO
    lines: list[Line] = []
    for h in events:
        on_day = ctx.price(comp.rate, on=h.date) or rate  # a dated rate: the row's day's
        paid, new = _hours(comp, ctx, h, on_day, window, named, used)
        used += paid
        lines.extend(new)
    return lines


def _hours(comp: HourlyFee, ctx: CustomerContext, h: Hours, rate: Decimal,
           window: Period | None, named: str, used: Decimal) -> tuple[Decimal, list[Line]]:
    """The lines of one hours event paid at ``rate``, and the hours of it paid, ``used``
    hours paid before."""
    per_hour = _per_hour(rate)
    limit = comp.max_hours
    what = f"hours {h.event_id} on {h.date}" + (f" ({h.activity})" if h.activity else "")
    if h.provider is not None and h.provider != ctx.provider:
        what += f", delivered by {h.provider}"

    def line(status: Status, occurrence: str, hours: Decimal, reason: str) -> Line:
        return ctx.line(comp, status=status, occurrence=occurrence, on=h.date, quantity=hours,
                        unit_price=rate, evidence=[h.event_id], reason=reason,
                        provider=h.provider)

    # hours past the maximum were never offered: nothing is forgone (quantity 0, 0.00), as
    # an event past ``max_count``; the reason says how many hours they were

    if window is None or h.date not in window:
        side = "outside" if window is None else (
            "before" if h.date < window.start else "after")
        return ZERO, [line("not_earned", f"{event_key(h.event_id)}:outside", h.hours,
                           f"{what}: {_h(h.hours)} not paid, the date is {side} {named}")]
    status: Status = "payable" if h.date <= ctx.as_of else "pending"
    when = "" if status == "payable" else f", scheduled after {ctx.as_of}"
    if limit is not None and used >= limit:
        return ZERO, [line("not_earned", event_key(h.event_id), ZERO,
                           f"{what}: {_h(h.hours)} not paid, max {_num(limit)} hours reached")]
    paid = h.hours if limit is None else min(h.hours, limit - used)
    if paid == h.hours:
        return paid, [line(status, event_key(h.event_id), paid,
                           f"{what}: {_h(h.hours)} {per_hour}, inside {named}{when}")]
    over = h.hours - paid
    assert limit is not None
    return paid, [
        line(status, event_key(h.event_id), paid,
             f"{what}: {_h(paid)} of {_h(h.hours)} paid {per_hour}, the hours left before the "
             f"max of {_num(limit)} hours; {_h(over)} over it not paid{when}"),
        line("not_earned", f"{event_key(h.event_id)}:over", ZERO,
             f"{what}: {_h(over)} of {_h(h.hours)} not paid, max {_num(limit)} hours reached"),
    ]


KIND = CustomerKind(HourlyFee, evaluate, reads=frozenset({"hours"}))
