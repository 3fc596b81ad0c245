"""monthly_fee: a fee per active service month, optionally only for months the customer answered.

Service month ``i`` is ``[start + (i-1) months, start + i months)`` from the service start
(``periods.anchored_months``; Jan 31 -> Feb 29 -> Mar 31), numbered from 1 (occurrence
``m01``, ``m02``, ...). With ``months: calendar`` the months are calendar months instead
(``periods.calendar_months``; occurrence ``2020-03``), so the first is cut by the service
start unless it starts on the 1st. Each month is cut to the service window and to the phase
(if set); a month the cut leaves empty is skipped, a month it shortens is *part-served* and
paid by ``proration``: ``none`` pays nothing (``not_earned``), ``full`` pays the whole amount,
``daily`` pays ``amount * days served / days in that month`` (quantity = that share,
``periods.day_share``; the reason shows ``10/30 days``).

With ``condition.min_responded_contacts: n`` a month pays only if at least ``n`` ``contact``
events with ``responded: true`` are dated inside its served days.

A month whose last served day is on or before ``as_of`` is decided: ``payable`` on that last
day, or ``not_earned``. The running month is ``pending`` (what it pays if it completes, and
what it still needs), unless it is served in part under ``proration: none``: its cut (a
start past the 1st, an end recorded, the phase, the longest service) is known already, so
it is ``not_earned`` at once. Months that have not started by ``as_of`` are not listed.
``max_months`` counts months paid (payable or pending): a month lost for no answered contact
does not use up the allowance; months after the allowance are ``not_earned`` with quantity 0
(0.00: never offered, nothing forgone).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from functools import lru_cache, partial
from typing import Literal

from pydantic import Field

from ..contract.model import (
    ComponentBase,
    ContractBase,
    Path,
    PayBasis,
    Phase,
    Price,
    PriceTable,
    Strict,
    most_of,
)
from ..evaluate.context import CustomerContext
from ..evaluate.lines import Line, Status
from ..evaluate.trace import Trace
from ..events.model import Contact
from ..periods import ONE_DAY, Period, anchored_months, calendar_months, day_share
from ..values import WholeNumber, money_text
from .base import CustomerKind, Outcome


class ContactCondition(Strict):
    min_responded_contacts: WholeNumber = Field(default=1, ge=1)


class MonthlyFee(ComponentBase):
    kind: Literal["monthly_fee"]
    amount: Price
    phase: Phase | None = None
    condition: ContactCondition | None = None
    proration: Literal["none", "daily", "full"] = "none"
    max_months: WholeNumber | None = Field(default=None, ge=1)
    months: Literal["service", "calendar"] = Field(
        default="service", description="service: months counted from each customer's service "
        "start; calendar: calendar months, the first and last cut by the service's start and end")

    def price_tables(self) -> list[PriceTable]:
        return [PriceTable(("amount",), self.amount, "fee", "fee"), *super().price_tables()]

    def pay_basis(self) -> PayBasis:
        return "fixed"  # pays for the service delivered, whatever the customer reaches

    def most_paid(self, contract: ContractBase, seen: frozenset[str] = frozenset()
                  ) -> Decimal | None:
        # a service month pays at most the whole amount (a part-month its share), and the
        # longest service holds at most this many service months
        longest = contract.windows.service.max_length
        months = longest.count if longest.unit == "months" else \
            -(-longest.days_exact() // 28)  # a month is at least 28 days
        if self.months == "calendar" and self.proration != "none":
            months += 1  # n months from a day past the 1st touch n + 1 calendar months
        if self.max_months is not None:
            months = min(months, self.max_months)
        top = most_of(self.amount)
        return None if top is None else months * top

    def period_spans(self, day: date) -> bool:
        if self.months == "calendar":
            return day.day != 1  # only a day within a calendar month splits one
        return True  # service months run from each customer's own start: any day is inside one

    def calendar_months(self) -> bool:
        return self.months == "calendar"

    def months_allowed(self) -> tuple[int, Path] | None:
        return None if self.max_months is None else (self.max_months, ("max_months",))

    def service_phase(self) -> Phase | None:
        return self.phase

    def service_month_proration(self) -> str | None:
        return self.proration

    def answer_condition(self) -> tuple[int, Path] | None:
        if self.condition is None:
            return None
        return self.condition.min_responded_contacts, ("condition",)

    def unprorated_periods(self) -> Path | None:
        return ("proration",) if self.proration == "none" else None

ONE = Decimal(1)
ZERO = Decimal(0)


def _limit(comp: MonthlyFee, service: Period) -> tuple[Period | None, str]:
    """The days months are counted in (service window, cut to the phase), and its name."""
    if comp.phase is None:
        return service, "the service"
    start = comp.phase.from_.after(service.start) if comp.phase.from_ else service.start
    end = comp.phase.until.after(service.start)
    phase = Period(start, max(start, end))
    return phase.clip(service), f"the phase {phase}"


def _cut_reason(month: Period, part: Period, ctx: CustomerContext, service: Period,
                phase_name: str) -> str:
    why = []
    if part.start > month.start:
        why.append(f"{phase_name} starts on {part.start}")
    if part.end < month.end:
        if part.end == service.end:
            verb = ("can run at most to" if not ctx.service_ended else
                    "ended" if ctx.as_of >= service.last_day else "ends")
            why.append(f"the service {verb} {service.last_day}")
        else:
            why.append(f"{phase_name} ends on {part.last_day}")
    return " and ".join(why)


class _Contacts:
    """The customer's contacts in date order (the timeline's order kept among equal days),
    handed out month by month: the months come in date order, so each month's contacts
    start where the last month's search left off."""

    __slots__ = ("contacts", "days", "next")

    def __init__(self, ctx: CustomerContext) -> None:
        self.contacts = sorted(ctx.timeline.contacts, key=lambda c: c.date)
        self.days = [c.date for c in self.contacts]
        self.next = 0

    def inside(self, part: Period) -> tuple[list[Contact], list[Contact]]:
        """The contacts dated inside ``part`` and those of them answered; ``part`` starts
        on or after the end of the one asked for before."""
        days = self.days
        if not days:
            return _NONE, _NONE
        first = bisect_left(days, part.start, self.next)
        end = self.next = bisect_left(days, part.end, first)
        if first == end:
            return _NONE, _NONE
        inside = self.contacts[first:end]
        return inside, [c for c in inside if c.responded]


_NONE: list[Contact] = []  # no contacts in a month (shared: never changed)


def _contact_text(inside: list[Contact], answered: list[Contact]) -> str:
    if not inside:
        return "no contacts"
    n = len(inside)
    noun = "contact" if n == 1 else "contacts"
    if not answered:
        return f"{n} {noun}, none answered"
    return f"{n} {noun}, {len(answered)} answered"


def evaluate(comp: MonthlyFee, ctx: CustomerContext, prior: Sequence[Line]) -> Outcome:
    price = ctx.price(comp.amount)
    # the rule's words are written only when the trace is read
    return Outcome(_lines(comp, ctx, price), Trace(partial(_rules, comp, price, ctx.segment)))


def _rules(comp: MonthlyFee, price: Decimal | None, segment: str | None) -> list[str]:
    month = f"{comp.months} month"
    cuts = "start, end" if comp.months == "calendar" else "end"
    rules = [f"pays each {month} {money_text(price)}" if price is not None
             else f"pays each {month} (no amount for segment {segment})",
             f"a month cut short by the service {cuts} or the phase: proration {comp.proration}"]
    if comp.condition is not None:
        n = comp.condition.min_responded_contacts
        rules.append(f"a month pays only with {n} answered contact{'s' if n > 1 else ''}")
    if comp.max_months is not None:
        rules.append(f"at most {comp.max_months} paid months")
    return rules


def _lines(comp: MonthlyFee, ctx: CustomerContext, price: Decimal | None) -> list[Line]:
    service = ctx.service
    if service is None:
        return []  # no service month has started
    if price is None:
        return [ctx.line(comp, status="not_earned", occurrence="none", on=None, quantity=ONE,
                         unit_price=Decimal(0),
                         reason=f"no monthly amount for segment {ctx.segment}")]
    limit, phase_name = _limit(comp, service)
    if limit is None:
        return []  # the phase lies wholly after the service ended
    need = comp.condition.min_responded_contacts if comp.condition else 0
    first_price = price
    lines: list[Line] = []
    paid = 0
    # the months that have started by the evaluation date: those after it are not listed,
    # and an ongoing service runs to its maximum length, which may be decades away
    contacts = _Contacts(ctx)
    as_of = ctx.as_of
    months = _calendar if comp.months == "calendar" else _months
    for month, named in months(service.start, min(limit.end, as_of + ONE_DAY)):
        # a month wholly inside the limit is served whole (no new period made for it)
        part = month if limit.start <= month.start and month.end <= limit.end \
            else month.clip(limit)
        if part is None:
            continue  # before the phase starts
        if part.start > as_of:
            break  # not started yet: not listed
        in_force = ctx.price(comp.amount, on=part.last_day)  # that month's; 0.00 is a price
        price = first_price if in_force is None else in_force
        line = _month(comp, ctx, service, phase_name, price, need, paid, named, month, part,
                      contacts.inside(part))
        if line.status != "not_earned":
            paid += 1
        lines.append(line)
    return lines


@lru_cache(maxsize=8192)
def _months(anchor: date, end: date) -> tuple[tuple[Period, tuple[str, str]], ...]:
    """The service months from ``anchor`` that start before ``end``, each with its
    occurrence (``m01``) and the words that name it: the same for every customer whose
    service starts on ``anchor`` and ends on ``end``, so worked out and written once."""
    return tuple((month, (f"m{i + 1:02d}", f"service month {i + 1} ({month})"))
                 for i, month in anchored_months(anchor, end))


@lru_cache(maxsize=8192)
def _calendar(start: date, end: date) -> tuple[tuple[Period, tuple[str, str]], ...]:
    """The calendar months from the one holding ``start`` that start before ``end``, each
    with its occurrence (``2020-03``) and the words that name it."""
    if end <= start:
        return ()
    return tuple((month, (f"{month.start:%Y-%m}", f"calendar month {month.start:%Y-%m}"))
                 for month in calendar_months(Period(start, end)))


def _month(comp: MonthlyFee, ctx: CustomerContext, service: Period, phase_name: str,
           price: Decimal, need: int, paid: int, named: tuple[str, str], month: Period,
           part: Period, found: tuple[list[Contact], list[Contact]]) -> Line:
    """The line of a service month (``month``; ``named``: its occurrence and words), served
    on the days ``part`` at ``price``, with the contacts ``found`` dated in them (and those
    answered)."""
    occurrence, label = named
    last_day = part.last_day
    decided = ctx.as_of >= last_day
    inside, answered = found
    quantity = ONE
    served = ""
    cut = part is not month  # the part is the month itself when it is served whole
    if cut:
        served = (f", served {part} ({part.days}/{month.days} days: "
                  f"{_cut_reason(month, part, ctx, service, phase_name)})")
        if comp.proration == "daily":
            quantity = day_share(part.days, month.days)

    # the service start; its end only where it cut the month
    service_ev = ctx.service_evidence if part.end < month.end and part.end == service.end \
        else ctx.service_evidence[:1]

    def make(status: Status, reason: str, evidence: list[Contact],
             qty: Decimal = quantity) -> Line:
        return ctx.line(comp, status=status, occurrence=occurrence, on=last_day,
                        quantity=qty, unit_price=price, reason=reason, period=part,
                        evidence=[*service_ev, *(c.event_id for c in evidence)])

    if comp.max_months is not None and paid >= comp.max_months:
        # never offered: nothing is forgone (quantity 0, 0.00), as an event past max_count
        return make("not_earned", f"{label} not paid: the maximum of {comp.max_months} paid "
                    "months is reached", [], ZERO)
    if cut and comp.proration == "none":
        return make("not_earned", f"{label} not paid: only part of it served{served}; the "
                    "contract pays no part-month (proration: none)", [], ONE)
    share = ""
    if cut:
        share = (f"; pays {part.days}/{month.days} of {money_text(price)} (proration: daily)"
                 if comp.proration == "daily" else
                 f"; pays the full {money_text(price)} (proration: full)")
    contacts = _contact_text(inside, answered) if need else ""  # read only with a condition
    if len(answered) < need:
        if decided:
            head = ("no answered contact" if not answered else
                    f"only {len(answered)} answered contact{'s' if len(answered) > 1 else ''}"
                    f" ({need} needed)")
            return make("not_earned", f"{head} in {label}: {contacts}{served}", inside)
        wanted = "an answered contact" if need == 1 else f"{need} answered contacts"
        return make("pending", f"{label} runs to {last_day}: needs {wanted} by "
                    f"{last_day}, so far {contacts}{served}{share}", inside)
    cond = f", {contacts}" if need else ""
    counted = answered if need else []
    if not decided:
        pays = share or f"; pays {money_text(price)} then"
        return make("pending", f"{label} runs to {last_day}{cond}{served}{pays}",
                    counted)
    if cut:
        return make("payable", f"{label}{cond}{served}{share}", counted)
    return make("payable", f"{label} served to its end{cond}", counted)


KIND = CustomerKind(MonthlyFee, evaluate, reads=frozenset({"contact"}))
