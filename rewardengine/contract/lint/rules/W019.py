"""W019 two fees for the same service months

Catches two components that each pay per service month (a `monthly_fee`) and that both pay
for some month whatever the service start, for a segment both price above zero together
for a month or more of the days a service can run (a month is priced on its last day), and
that are not `alternatives` of each other. One warning per pair, at the second's phase.

Each fee's days are its phase, cut to the longest service and to the months `max_months`
allows (n service months from the phase's start, or n - 1 for calendar months, whose first
part-month counts as one; an allowance against a phase in days is not compared); a phase
that may hold no day for some start is not compared. A month is paid by a fee whose days
hold it whole, and, under `proration: daily` or `full`, also by one whose days hold part of
it. So a prorated fee pays for every one of its days, and so does one with `proration:
none` on service months whose phase is in months; two such fees sharing a day for every
start both pay for it. A fee with `proration: none` whose whole months depend on the start
(its phase in days or weeks, or calendar months) pays a month only where one certainly
lies: in the days both hold (in months: one service month, or two for calendar months,
which two service months always hold whole; else 61 days or more), or, for calendar months
with its days in months and two months long or more, the calendar month that begins on the
first 1st from its start, which its days always hold whole: when the other's days hold the
month from that start, or the month after it, they hold part of that calendar month too. A
fee with `proration: full` on service months whose days meet the other's on a day that can
be no service month's first (`until: 45 days`, then `from: 45 days`) pays the whole month
holding that day, whose other part the other fee pays when it is prorated. Where a calendar
month meets a phase depends on the start, so a calendar fee with `full` meeting another is
not caught.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal
from itertools import combinations

from ....values import Duration
from ...model import ComponentBase, Dated, Phase, price_leaves
from ..base import Finding, Lint, Rule

Bounds = tuple[Duration | None, Duration | None]  # [from, until): None from the start, to no end
# any stretch of this many days holds a whole service month, whatever the start
WHOLE_MONTH_DAYS = 61
# any stretch of this many days holds the last day of a month, of any start and of the calendar
MONTH_DAYS = 31


def _bounds(phase: Phase | None) -> Bounds:
    return (None, None) if phase is None else (phase.from_, phase.until)


def _span(comp: ComponentBase, longest: Duration | None) -> Bounds | None:
    """The days the fee can pay in for every start: its phase, cut to the months
    ``max_months`` allows (in months: n service months, or n - 1 whole calendar months, the
    first part-month counting as one) and to the ``longest`` service (None: not cut); None
    where that is not certain (an allowance against a phase in days) or may hold no day for
    some start."""
    start, end = _bounds(comp.service_phase())
    allowed = comp.months_allowed()
    if allowed is not None:
        if not _months(start, end):
            return None
        first = 0 if start is None else start.count
        last = first + allowed[0] - (1 if comp.calendar_months() else 0)
        end = Duration(last if end is None else min(end.count, last), "months")
    if longest is not None:
        end = _earlier(end, longest)
    return (start, end) if _before(start, end) else None


def _earlier(end: Duration | None, longest: Duration) -> Duration:
    """An end no later than both ``end`` and ``longest`` for every start: in months where
    ``end`` is (or is open), else in days where their order depends on the start."""
    if longest.unit != "months" and (end is None or end.unit == "months"):
        # the most whole months the longest service holds for every start
        months = max((k for k in range(longest.min_days() // 28 + 1)
                      if Duration(k, "months").max_days() <= longest.min_days()), default=0)
        longest = Duration(months, "months")
    if end is None:
        return longest
    if end.unit == longest.unit:
        return end if end.count <= longest.count else longest
    if end.max_days() <= longest.min_days():
        return end
    if longest.max_days() <= end.min_days():
        return longest
    return Duration(min(end.min_days(), longest.min_days()), "days")


def _fewest(d: Duration | None) -> int:
    return 0 if d is None else d.min_days()


def _most(d: Duration | None) -> int:
    return 0 if d is None else d.max_days()


def _before(a: Duration | None, b: Duration | None) -> bool:
    """Whether offset ``a`` (None: the service start) comes before ``b`` (None: never
    ends) for every service start: in other units, by their fewest and most days."""
    if b is None:
        return True
    if a is None:
        return b.count > 0
    if a.unit == b.unit:
        return a.count < b.count
    return a.max_days() < b.min_days()


def _months(*ds: Duration | None) -> bool:
    return all(d is None or d.unit == "months" for d in ds)


def _whole_month_in_both(one: Bounds, other: Bounds, calendar: bool) -> bool:
    """Whether the days both phases hold include a whole month (a service month, or with
    ``calendar`` a calendar month) for every start."""
    starts, ends = [one[0], other[0]], [e for e in (one[1], other[1]) if e is not None]
    if _months(*starts, *ends):  # service months: counted exactly
        first = max((d.count for d in starts if d is not None), default=0)
        # one service month holds a calendar month only when it starts on the 1st; two
        # always hold one whole
        return not ends or min(d.count for d in ends) - first >= (2 if calendar else 1)
    return not ends or min(map(_fewest, ends)) - max(map(_most, starts)) >= WHOLE_MONTH_DAYS


def _meet_inside_a_month(end: Duration | None, start: Duration | None) -> bool:
    """Whether a phase ending where the other starts, on a day that is no month's first for
    any start (a k-th month begins 28k to 31k days after the start)."""
    if end is None or start is None or end.unit == "months" or start.unit == "months" \
            or end.days_exact() != start.days_exact():
        return False
    day = end.days_exact()
    return not any(28 * k <= day <= 31 * k for k in range(1, day // 28 + 1))


def _exact(comp: ComponentBase, bounds: Bounds) -> bool:
    """Whether the fee pays for every day of its phase whatever the start: prorated, or
    whole service months with its phase in months."""
    return comp.service_month_proration() != "none" or (
        not comp.calendar_months() and _months(*bounds))


def _calendar_month_held(bounds: Bounds, other: Bounds) -> bool:
    """Whether a calendar fee with ``proration: none`` and its phase in months pays a
    month holding a day of the ``other`` phase for every start. In a phase of two months or
    more from ``s + f`` it always pays whole the calendar month that begins on the first 1st
    from ``s + f``: that day lies before ``s + f + 1 month`` and the month holds that day
    too."""
    start, end = bounds
    first = 0 if start is None else start.count
    if not _months(start, end, *other) or (end is not None and end.count - first < 2):
        return False
    lo = -1 if other[0] is None else other[0].count
    hi = None if other[1] is None else other[1].count
    return (lo <= first and (hi is None or hi >= first + 1)) or (
        lo <= first + 1 and (hi is None or hi >= first + 2))


def _pay_both(one: ComponentBase, other: ComponentBase, longest: Duration) -> bool:
    a, b = _span(one, longest), _span(other, longest)
    if a is None or b is None:
        return False
    if not (_before(a[0], b[1]) and _before(b[0], a[1])):  # no day both phases hold
        return _full_meets(one, a, other, b) or _full_meets(other, b, one, a)
    exact = (_exact(one, a), _exact(other, b))
    if all(exact):
        return True  # a day both pay for
    if any(exact):  # the other pays whole months: one of them must lie where both pay
        loose, its, fixed = (other, b, a) if exact[0] else (one, a, b)
        calendar = loose.calendar_months()
        return _whole_month_in_both(a, b, calendar) or (
            calendar and _calendar_month_held(its, fixed))
    if one.calendar_months() == other.calendar_months():
        return _whole_month_in_both(a, b, one.calendar_months())
    # service and calendar months, both whole: two service months in both phases hold whole
    # service months and a whole calendar month inside them
    return _months(*a, *b) and _whole_month_in_both(a, b, True)


def _full_meets(full: ComponentBase, its: Bounds, other: ComponentBase, theirs: Bounds
                ) -> bool:
    """Whether ``full`` pays whole service months (``proration: full``) and its phase
    meets the prorated ``other``'s inside one of them, for every start."""
    if full.service_month_proration() != "full" or full.calendar_months() \
            or other.service_month_proration() == "none":
        return False
    return _meet_inside_a_month(its[1], theirs[0]) or _meet_inside_a_month(theirs[1], its[0])


Spans = list[tuple[date, date]]  # days a price is above zero: [first, end)


def _positive(value: object) -> Spans:
    """The days a price leaf is above zero: always, never, or between its dates."""
    if isinstance(value, Dated):
        steps = value.changes()
        ends = [day for day, _ in steps[1:]] + [date.max]
        return [(day, end) for (day, amount), end in zip(steps, ends, strict=True) if amount > 0]
    return [(date.min, date.max)] if isinstance(value, Decimal) and value > 0 else []


def _priced(comp: ComponentBase, segment_ids: Sequence[str]) -> dict[str, Spans]:
    """The days the component's fee is more than zero, per segment."""
    out: dict[str, Spans] = {}
    for table in comp.price_tables():
        if table.role != "fee":
            continue
        for way, value in price_leaves(table.price, segment_ids):
            spans = _positive(value)
            for segment in [key for dim, key in way if dim == "segment"] or segment_ids:
                out.setdefault(segment, []).extend(spans)
    return out


def _priced_together(one: dict[str, Spans], other: dict[str, Spans],
                     segment_ids: Sequence[str], served: tuple[date, date]) -> list[str]:
    """The segments both fees price above zero together for a month or more (31 days, so a
    month of any start ends inside) of the days a service can run (``served``): a month is
    priced on its last day, so a fee replaced by another on a date never pays a month with
    it, and a few days' overlap pays both only for the months that happen to end in it."""
    lo, hi = served  # real days: the spans' open ends (date.min, date.max) are cut to them
    return [g for g in segment_ids
            if any((min(y, z, hi) - max(a, b, lo)).days >= MONTH_DAYS
                   for a, y in one.get(g, ()) for b, z in other.get(g, ()))]


def check(lint: Lint) -> Iterator[Finding]:
    segment_ids = lint.draft.segment_ids() or ["default"]
    md, windows = lint.draft.metadata, lint.draft.windows
    assert md is not None and windows is not None
    longest = windows.service.max_length
    # the days a service can run: from the contract's start to the longest service begun on
    # its last day
    served = (md.valid_from, longest.after(md.valid_until))
    monthly = [(base, comp) for base, comp in lint.components()
               if comp.service_month_proration() is not None]
    apart = [set(a.components) for a in lint.draft.alternatives or []]
    priced = {comp.id: _priced(comp, segment_ids) for _, comp in monthly}
    for (_, one), (base, other) in combinations(monthly, 2):
        if any({one.id, other.id} <= group for group in apart):
            continue  # only one of them is paid
        both = _priced_together(priced[one.id], priced[other.id], segment_ids, served)
        if not both or not _pay_both(one, other, longest):
            continue
        which = "" if segment_ids == ["default"] else f" (segments {', '.join(both)})"
        at = (*base, "phase") if lint.has_key((*base, "phase")) else base
        yield lint.warn(
            "W019", f"{other.name} and {one.name} both pay for {_which_months(one, other)}"
                    f"{which}: a customer served in such a month earns both; if both are "
                    "meant (a base fee and a bonus), accept this warning with the reason, "
                    "else give them phases that share no month (phase: {from, until}), or "
                    "make them alternatives", at, other.id)


def _which_months(one: ComponentBase, other: ComponentBase) -> str:
    """The service months both pay for, where the phases (cut to ``max_months``) say them in
    months; an open end runs to the service's end ("every service month")."""
    a, b = _span(one, None), _span(other, None)
    if one.calendar_months() or other.calendar_months() or a is None or b is None:
        return "the same months"
    if not _months(*a, *b):
        return "the same service months"
    first = 1 + max((d.count for d in (a[0], b[0]) if d is not None), default=0)
    last = min((d.count for d in (a[1], b[1]) if d is not None), default=None)
    if last is None:
        return f"every service month from month {first}" if first > 1 else "every service month"
    return f"service month {first}" if first == last else f"service months {first} to {last}"


RULE = Rule("W019", check, needs=("segments", "alternatives", "windows", "metadata"))
