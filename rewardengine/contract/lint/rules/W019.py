"""W019 two fees for the same service months

Catches two components that each pay per service month (a `monthly_fee`) and that both pay
for some service month whatever the service start, for a segment both price above zero, and
that are not `alternatives` of each other. One warning per pair, at the second's phase.

A month is paid by a fee whose phase holds it whole, and, under `proration: daily` or
`full`, also by one whose phase holds part of it. So a prorated fee pays for every day of its
phase, and so does one with `proration: none` on service months whose phase is in months
(its phase is whole service months); two such fees whose phases share a day for every start
both pay for it. A fee with `proration: none` whose whole months depend on the start (its
phase in days or weeks, or calendar months) pays for a month of its own only where one
certainly lies: in the days both phases hold (a whole month in months: one service month,
or two for calendar months, which two service months always hold whole; else 61 days or
more), or, for calendar months in a phase written in months and two months long or more,
the calendar month that begins on the first 1st from the phase's start, which it always
holds whole (that day comes before a month from the phase's start, and the month holds that
day too). A fee with `proration: full` on service months whose phase meets the other's
on a day that can be no service month's first (`until: 45 days`, then `from: 45 days`) pays
the whole month holding that day, whose other part the other fee pays when it is prorated.
Where a calendar month meets a phase depends on the start, so a calendar fee with `full`
meeting another is not caught.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import combinations

from ....values import Duration
from ...model import ComponentBase, Phase, amounts_of, price_leaves
from ..base import Finding, Lint, Rule

Bounds = tuple[Duration | None, Duration | None]  # [from, until): None from the start, to no end
# any stretch of this many days holds a whole service month, whatever the start
WHOLE_MONTH_DAYS = 61


def _bounds(phase: Phase | None) -> Bounds:
    return (None, None) if phase is None else (phase.from_, phase.until)


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


def _pay_both(one: ComponentBase, other: ComponentBase) -> bool:
    a, b = _bounds(one.service_phase()), _bounds(other.service_phase())
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


def _priced(comp: ComponentBase, segment_ids: Sequence[str]) -> set[str]:
    """The segments the component's fee is more than zero for (on some day)."""
    out: set[str] = set()
    for table in comp.price_tables():
        if table.role != "fee":
            continue
        for way, value in price_leaves(table.price, segment_ids):
            if not any(amounts_of(value)):
                continue  # zero on every day
            named = [key for dim, key in way if dim == "segment"]
            out.update(named or segment_ids)
    return out


def check(lint: Lint) -> Iterator[Finding]:
    segment_ids = lint.draft.segment_ids() or ["default"]
    monthly = [(base, comp) for base, comp in lint.components()
               if comp.service_month_proration() is not None]
    apart = [set(a.components) for a in lint.draft.alternatives or []]
    for (_, one), (base, other) in combinations(monthly, 2):
        if any({one.id, other.id} <= group for group in apart):
            continue  # only one of them is paid
        both = sorted(_priced(one, segment_ids) & _priced(other, segment_ids),
                      key=segment_ids.index)
        if not both or not _pay_both(one, other):
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
    """The service months both pay for, where the phases say them in months."""
    a, b = _bounds(one.service_phase()), _bounds(other.service_phase())
    if one.calendar_months() or other.calendar_months():
        return "the same months"
    if not _months(*a, *b):
        return "the same service months"
    first = 1 + max((d.count for d in (a[0], b[0]) if d is not None), default=0)
    last = min((d.count for d in (a[1], b[1]) if d is not None), default=None)
    if last is None:
        return f"every service month from month {first}" if first > 1 else "every service month"
    return f"service month {first}" if first == last else f"service months {first} to {last}"


RULE = Rule("W019", check, needs=("segments", "alternatives"))
