"""hourly_fee: delivered hours paid at a rate (a start phase paid by the hour; therapy hours).

An ``hours`` event counts when its ``activity`` is one of ``activities`` (any activity when
left out). It is paid when its date falls inside the phase ``[service start + from, service
start + until)`` (``from`` defaults to 0) cut to the service window, or inside the service
window when there is no phase. Counting events are paid in date order (then event id) until
``max_hours``: the event that crosses the maximum is paid for the hours left and its other
hours get a ``not_earned`` line (occurrence ``<event id>:over``); later events are
``not_earned``. An event outside the window is ``not_earned`` (occurrence
``<event id>:outside``). One line per event, occurrence = event id, quantity = hours,
unit price = the rate for the customer's segment. An event dated after ``as_of`` (recorded
in advance) is ``pending``. Hours events before any service start is known are ``pending``.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from ..contract.model import HourlyFee
from ..evaluate.context import CustomerContext
from ..evaluate.lines import Line, Status
from ..events.model import Hours
from ..periods import Period
from ..values import money_text

ZERO = Decimal(0)


def _num(value: Decimal) -> str:
    """A quantity for reasons, without trailing zeros: ``40``, ``2.5``."""
    return f"{value.normalize():f}"


def _h(hours: Decimal) -> str:
    return f"{_num(hours)} h"


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


def evaluate(component: Any, ctx: CustomerContext, prior: Sequence[Line]) -> list[Line]:
    comp: HourlyFee = component
    events: list[Hours] = [
        h for h in ctx.timeline.hours
        if comp.activities is None or h.activity in comp.activities]
    if not events:
        return []
    rate = ctx.price(comp.rate)
    if rate is None:
        return [ctx.line(comp, status="not_earned", occurrence="none", on=None,
                         quantity=sum((h.hours for h in events), ZERO), unit_price=ZERO,
                         reason=f"no hourly rate for segment {ctx.segment}",
                         evidence=[h.event_id for h in events])]
    per_hour = f"at {money_text(rate)}/h"
    service = ctx.service
    if service is None:
        waiting, reason, _ = ctx.without_service("waiting for the service start", outcome=False)
        return [ctx.line(comp, status=waiting, occurrence=h.event_id, on=h.date,
                         quantity=h.hours, unit_price=rate, evidence=[h.event_id],
                         reason=f"hours {h.event_id} on {h.date}: {_h(h.hours)} {per_hour}: "
                                f"{reason}")
                for h in events]
    window, named = _window(comp, service)
    limit = comp.max_hours
    used = ZERO
    lines: list[Line] = []
    for h in events:
        what = f"hours {h.event_id} on {h.date}"
        if h.activity:
            what += f" ({h.activity})"
        if window is None or h.date not in window:
            side = "outside" if window is None else (
                "before" if h.date < window.start else "after")
            lines.append(ctx.line(
                comp, status="not_earned", occurrence=f"{h.event_id}:outside", on=h.date,
                quantity=h.hours, unit_price=rate, evidence=[h.event_id],
                reason=f"{what}: {_h(h.hours)} not paid, the date is {side} {named}"))
            continue
        status: Status = "payable" if h.date <= ctx.as_of else "pending"
        when = "" if status == "payable" else f", scheduled after {ctx.as_of}"
        if limit is not None and used >= limit:
            lines.append(ctx.line(
                comp, status="not_earned", occurrence=h.event_id, on=h.date,
                quantity=h.hours, unit_price=rate, evidence=[h.event_id],
                reason=f"{what}: {_h(h.hours)} not paid, max {_num(limit)} hours reached"))
            continue
        paid = h.hours if limit is None else min(h.hours, limit - used)
        used += paid
        if paid == h.hours:
            reason = f"{what}: {_h(h.hours)} {per_hour}, inside {named}{when}"
            lines.append(ctx.line(comp, status=status, occurrence=h.event_id, on=h.date,
                                  quantity=paid, unit_price=rate, evidence=[h.event_id],
                                  reason=reason))
            continue
        over = h.hours - paid
        assert limit is not None
        lines.append(ctx.line(
            comp, status=status, occurrence=h.event_id, on=h.date, quantity=paid,
            unit_price=rate, evidence=[h.event_id],
            reason=f"{what}: {_h(paid)} of {_h(h.hours)} paid {per_hour}, the hours left "
                   f"before the max of {_num(limit)} hours; {_h(over)} over it not paid"
                   f"{when}"))
        lines.append(ctx.line(
            comp, status="not_earned", occurrence=f"{h.event_id}:over", on=h.date,
            quantity=over, unit_price=rate, evidence=[h.event_id],
            reason=f"{what}: {_h(over)} of {_h(h.hours)} not paid, max {_num(limit)} "
                   "hours reached"))
    return lines
