"""Half-open date periods ``[start, end)`` and calendar helpers.

Day-count rule (used everywhere): a period ``[start, end)`` holds ``(end - start).days`` days;
an event row's inclusive last day ``end`` becomes the exclusive bound ``end + 1 day``.
Month ``i`` of a period anchored at ``a`` is ``[a + i months, a + (i+1) months)``, always
computed from the anchor, so Jan 31 + 1 month = Feb 29 (leap) or Feb 28, then Mar 31.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_UP, Context, Decimal

from .values import Duration, add_months

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True, order=True)
class Period:
    start: date
    end: date  # exclusive

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"period ends {self.end} before it starts {self.start}")

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def last_day(self) -> date:
        """The inclusive last day (for messages): ``end - 1 day``."""
        return self.end - ONE_DAY

    def __contains__(self, d: object) -> bool:
        return isinstance(d, date) and self.start <= d < self.end

    def clip(self, other: Period) -> Period | None:
        start, end = max(self.start, other.start), min(self.end, other.end)
        return Period(start, end) if start < end else None

    def overlap_days(self, other: Period) -> int:
        start = self.start if self.start > other.start else other.start
        end = self.end if self.end < other.end else other.end
        return (end - start).days if start < end else 0

    def __str__(self) -> str:
        # written into many reasons: the dates' own isoformat, no property or format() call
        start, end = self.start, self.end
        if end == start:
            return f"{start.isoformat()} (empty)"
        return f"{start.isoformat()}..{(end - ONE_DAY).isoformat()}"


def inclusive(start: date, last_day: date) -> Period:
    return Period(start, last_day + ONE_DAY)


def anchored_months(anchor: date, end: date) -> Iterator[tuple[int, Period]]:
    """Months ``[anchor + i months, anchor + (i+1) months)`` that start before ``end``."""
    i = 0
    while True:
        start = add_months(anchor, i)
        if start >= end:
            return
        yield i, Period(start, add_months(anchor, i + 1))
        i += 1


def calendar_months(period: Period) -> Iterator[Period]:
    """Calendar months overlapping ``period`` (whole months, not clipped)."""
    first = period.start.replace(day=1)
    i = 0
    while True:
        start = add_months(first, i)
        if start >= period.end:
            return
        yield Period(start, add_months(first, i + 1))
        i += 1


def iso_weeks(period: Period) -> Iterator[Period]:
    """Calendar weeks (Monday to Sunday) overlapping ``period`` (whole weeks)."""
    monday = period.start - timedelta(days=period.start.weekday())
    i = 0
    while True:
        start = monday + timedelta(weeks=i)
        if start >= period.end:
            return
        yield Period(start, start + timedelta(weeks=1))
        i += 1


def day_share(days: int, of: int) -> Decimal:
    """``days / of`` as a Decimal, for prorating a part-month by days.

    Exact when the fraction terminates (15/30 -> ``0.5``, 30/30 -> ``1``); otherwise 28
    significant digits rounded away from zero (10/30 -> ``0.3333...334``), so that
    ``round_cents(share * amount)`` gives the cent the exact fraction gives, half-up ties
    included.
    """
    if of <= 0 or not 0 <= days <= of:
        raise ValueError(f"cannot share {days} of {of} days")
    if not days:
        return Decimal(0)
    return _SHARE.divide(Decimal(days), Decimal(of)).normalize(_SHARE)


_SHARE = Context(prec=28, rounding=ROUND_UP)  # day_share's digits, made once


def whole_weeks(period: Period) -> Iterator[Period]:
    """Calendar weeks (Monday to Sunday) lying wholly inside ``period``; a week straddling
    either end is left out."""
    # from the first Monday on or after the start, as many weeks as end by the end
    first = period.start + timedelta(days=-period.start.weekday() % 7)
    for i in range((period.end - first).days // 7):
        start = first + timedelta(weeks=i)
        yield Period(start, start + timedelta(weeks=1))


def whole_months(period: Period) -> Iterator[Period]:
    """Calendar months lying wholly inside ``period``; a month straddling either end is left
    out."""
    for month in calendar_months(period):
        if period.start <= month.start and month.end <= period.end:
            yield month


def baseline_and_comparison(start: date, baseline: Duration, offset: Duration | None,
                            length: Duration | None) -> tuple[Period, Period]:
    """``[start - baseline, start)`` and ``[start + offset, + length)`` (length defaults to the
    baseline's): the before/after periods of work_history and benefit_reduction."""
    c_start = offset.after(start) if offset is not None else start
    return (Period(baseline.before(start), start),
            Period(c_start, (length or baseline).after(c_start)))
