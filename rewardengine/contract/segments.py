"""Segments: which price tier a customer falls in, decided from the referral.

Rules read attributes *at the referral date* (so a customer who crosses 12 months of
unemployment later keeps the segment of the referral). A range's bounds say whether they are
included (``at_least`` / ``more_than``, ``less_than`` / ``at_most``; ``min``/``max`` are the
half-open ``[min, max)``); a bound is a number, a date, or a duration decided by calendar date
(``unemployed: {more_than: 24 months}``: unemployed_since + 24 months is before the referral
date). ``coverage`` checks statically that every possible customer falls into exactly one
segment, by splitting each attribute at every bound any rule uses and testing one point of
every cell of the resulting grid (and every bound itself, where the cells meet).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from ..values import Duration
from .model import SEGMENT_ATTRIBUTES, Condition, Range, Segment, Segmentation

SEGMENT_ATTRIBUTES_OK = SEGMENT_ATTRIBUTES
ONE_DAY = timedelta(days=1)
# durations are laid on this referral date in the coverage check (mid-month: no clamping)
_ON = date(2021, 6, 15)


@dataclass(frozen=True)
class Since:
    """A duration decided by calendar date: the time from ``start`` to ``on``."""

    start: date
    on: date

    def __str__(self) -> str:
        return f"since {self.start} on {self.on}"


AttrValue = Decimal | bool | str | date | Since | None
Bound = Decimal | date | Duration


def _compare(value: AttrValue, bound: Bound) -> int | None:
    """-1, 0 or 1 as ``value`` is below, at or above ``bound``; None when they cannot be
    compared (a number against a date)."""
    if isinstance(value, Since):
        if not isinstance(bound, Duration):
            return None
        complete = bound.after(value.start)  # the day the duration is reached
        return (value.on > complete) - (value.on < complete)
    if isinstance(value, date) and isinstance(bound, date):
        return (value > bound) - (value < bound)
    if isinstance(bound, Decimal) and not isinstance(value, bool | date):
        try:
            number = value if isinstance(value, Decimal) else Decimal(str(value))
        except ArithmeticError:
            return None
        return (number > bound) - (number < bound)
    return None


def in_range(condition: Range, value: AttrValue) -> bool:
    lower, upper = condition.lower(), condition.upper()
    if lower is not None:
        c = _compare(value, lower[0])
        if c is None or c < 0 or (c == 0 and not lower[1]):
            return False
    if upper is not None:
        c = _compare(value, upper[0])
        if c is None or c > 0 or (c == 0 and not upper[1]):
            return False
    return lower is not None or upper is not None or _compare(value, Decimal(0)) is not None

MAX_CELLS = 200_000
# cells x tiers tested; beyond this the check is skipped with a warning, not run for minutes
MAX_WORK = 1_000_000


def matches(condition: Condition, value: AttrValue) -> bool:
    if value is None:
        return False
    if isinstance(condition, Range):
        return in_range(condition, value)
    if isinstance(condition, bool):
        return value is condition if isinstance(value, bool) else str(value).lower() == str(
            condition).lower()
    return str(value) in condition


def segment_matches(segment: Segment, attributes: Mapping[str, AttrValue]) -> bool:
    return all(matches(cond, attributes.get(name)) for name, cond in segment.when.items())


def assign(segmentation: Segmentation, attributes: Mapping[str, AttrValue]) -> list[Segment]:
    """All tiers whose rules match, in file order (first_match takes the first)."""
    return [t for t in segmentation.tiers if segment_matches(t, attributes)]


@dataclass(frozen=True)
class CoverageIssue:
    kind: str  # "gap" | "overlap" | "unchecked" (too many combinations to test)
    example: dict[str, AttrValue]
    segments: tuple[str, ...]


def _axis(name: str, conditions: list[Condition]) -> list[AttrValue] | None:
    """Representative values of one attribute: one per cell between the rules' bounds."""
    ranges = [c for c in conditions if isinstance(c, Range)]
    bools = [c for c in conditions if isinstance(c, bool)]
    lists = [c for c in conditions if isinstance(c, list)]
    if sum(1 for group in (ranges, bools, lists) if group) > 1:
        return None
    if ranges:
        return _range_points([b for r in ranges for _, b in r.bounds()])
    if bools:
        return [True, False]
    values = sorted({v for c in lists for v in c})
    return [*values, "\u2205other"]


def _range_points(bounds: list[Bound]) -> list[AttrValue] | None:
    """A value inside every cell between the bounds, and every bound itself (where an
    included bound and an excluded one meet). None when the bounds are of mixed types."""
    kinds = {type(b) for b in bounds}
    if len(kinds) > 1:
        return None
    if not bounds or isinstance(bounds[0], Decimal):
        numbers = sorted({b for b in bounds if isinstance(b, Decimal)})
        points: list[AttrValue] = [Decimal(0)] if not numbers or numbers[0] > 0 else []
        if numbers and numbers[0] > 0:
            points.append(numbers[0] / 2)  # attributes are counts and ages, never negative
        for i, b in enumerate(numbers):
            points.append(b)
            points.append((b + numbers[i + 1]) / 2 if i + 1 < len(numbers) else b + 1)
        return points
    if isinstance(bounds[0], date):
        days = sorted({b for b in bounds if isinstance(b, date)})
        return list(sorted({d + k * ONE_DAY for d in days for k in (-1, 0, 1)}))
    # durations, laid on one referral date: exactly the duration, a day more, a day less
    starts = {d.before(_ON) + k * ONE_DAY for d in bounds if isinstance(d, Duration)
              for k in (-1, 0, 1)}
    return [Since(start, _ON) for start in sorted(starts | {_ON})]


def unemployment_attributes(since: date, on: date) -> dict[str, AttrValue]:
    """The segment attributes of a customer unemployed since ``since``, referred on ``on``:
    all measured from the one date, so they always agree."""
    rd = relativedelta(on, since)
    return {"unemployment_days": Decimal((on - since).days),
            "unemployment_months": Decimal(rd.years * 12 + rd.months),
            "unemployed": Since(since, on), "unemployed_since": since}


def age_attributes(birth: date, on: date) -> dict[str, AttrValue]:
    """The segment attributes of a customer born on ``birth``, referred on ``on``."""
    return {"age": Decimal(relativedelta(on, birth).years), "birth_date": birth}


# attributes measured at the referral from one of its fields: a rule may use several of them
# (whole months and a duration), or one duration in days and in months; the check then lays
# out the field's dates, not each attribute on its own. The fields' own dates
# (unemployed_since, birth_date) are not among them: they are compared as dates, whatever the
# referral's date, so they stay axes of their own.
_LINKED: tuple[tuple[str, frozenset[str]], ...] = (
    ("unemployed_since", frozenset({"unemployment_days", "unemployment_months", "unemployed"})),
    ("birth_date", frozenset({"age"})),
)
# referral dates the linked attributes are measured on: a day, a week and a month are not
# one length before every date (months of 28 to 31 days, a leap day, a month's end)
_ON_DAYS = (_ON, date(2021, 3, 15), date(2020, 3, 15), date(2021, 5, 15), date(2020, 2, 29),
            date(2021, 3, 31), date(2021, 12, 31))
_MOST_UNITS = 1_000_000  # a bound beyond this many days is laid out as this many


@dataclass(frozen=True)
class _Measured:
    """A point of a linked field's axis: the field's date, the referral's date, and the
    attributes the rules use (measured from the one on the other)."""

    field: str
    day: date
    on: date
    used: tuple[str, ...]

    def attributes(self) -> dict[str, AttrValue]:
        measured = (unemployment_attributes if self.field == "unemployed_since"
                    else age_attributes)(self.day, self.on)
        return {"referral_date": self.on, **{name: measured[name] for name in self.used}}


def _linked(used: tuple[str, ...], by_attr: Mapping[str, list[Condition]]) -> bool:
    """Whether the attributes of one field the rules use are laid out from its dates:
    several of them, or a duration in days or weeks and in months."""
    if len(used) > 1:
        return True
    units = {b.unit == "months" for name in used for c in by_attr[name]
             if isinstance(c, Range) for _, b in c.bounds() if isinstance(b, Duration)}
    return len(units) > 1


def _linked_axis(field: str, used: tuple[str, ...], by_attr: Mapping[str, list[Condition]]
                 ) -> list[_Measured]:
    """For each referral date of ``_ON_DAYS``: the field's dates where a rule on its
    attributes changes its verdict (each such day, the day before and after, none after the
    referral), one day between each two, and one long before."""
    bounds = [(name, b) for name in used for c in by_attr[name] for b in _bounds_of(c)]
    points: list[_Measured] = []
    for on in _ON_DAYS:
        days = {on} | {d + k * ONE_DAY for name, b in bounds for d in _days_at(name, b, on)
                       for k in (-1, 0, 1)}
        ordered = sorted(d for d in days if d <= on)
        between = {a + (b - a) // 2 for a, b in itertools.pairwise(ordered)}
        far = ordered[0] - timedelta(days=400)
        points += [_Measured(field, d, on, used) for d in sorted({far, *ordered, *between})]
    return points


def _bounds_of(cond: Condition) -> list[Bound]:
    """A rule's bounds, or the numbers of a value list (others skipped)."""
    if isinstance(cond, Range):
        return [b for _, b in cond.bounds()]
    if isinstance(cond, list):
        return [n for v in cond if (n := _number(v)) is not None]
    return []


def _number(value: object) -> Decimal | None:
    """A value of a list as a finite, plain number of whole units at most ``_MOST_UNITS``."""
    try:
        n = Decimal(str(value))
    except ArithmeticError:
        return None
    return n if n.is_finite() and abs(n) <= _MOST_UNITS else None


def _days_at(name: str, bound: Bound, on: date) -> list[date]:
    """The field's dates at which ``name`` reaches ``bound`` for a referral on ``on``."""
    if isinstance(bound, Duration):
        try:
            return [bound.before(on)]
        except (OverflowError, ValueError):
            return []  # further back than the calendar: every real date is inside it
    if not isinstance(bound, Decimal) or not bound.is_finite() or abs(bound) > _MOST_UNITS:
        return []
    low = int(bound.to_integral_value(rounding="ROUND_FLOOR"))
    whole = {low, low + (bound != low)}  # a midpoint lies between two
    out = []
    for n in whole:
        if n < 0:
            continue
        try:
            out.append(on - timedelta(days=n) if name == "unemployment_days" else
                       on - relativedelta(months=n * (1 if name == "unemployment_months"
                                                      else 12)))
        except (OverflowError, ValueError):
            continue
    return out


def coverage(segmentation: Segmentation) -> tuple[list[CoverageIssue], list[str]]:
    """Gaps and overlaps of rule-based segments; second item lists attributes mixed badly."""
    by_attr: dict[str, list[Condition]] = {}
    for tier in segmentation.tiers:
        for name, cond in tier.when.items():
            by_attr.setdefault(name, []).append(cond)
    mixed = [name for name in sorted(by_attr) if _axis(name, by_attr[name]) is None]
    if mixed:
        return [], mixed
    names: list[str] = []
    axes: list[Sequence[AttrValue | _Measured]] = []
    linked: set[str] = set()
    for field, group in _LINKED:
        used = tuple(sorted(group & by_attr.keys()))
        if _linked(used, by_attr):  # one attribute alone is laid out as it is
            names.append(field)
            axes.append(_linked_axis(field, used, by_attr))
            linked |= set(used)
    for name in sorted(by_attr.keys() - linked):
        names.append(name)
        axes.append(_axis(name, by_attr[name]) or [None])
    return _tested(segmentation, names, axes), []


def _tested(segmentation: Segmentation, names: list[str],
            axes: list[Sequence[AttrValue | _Measured]]) -> list[CoverageIssue]:
    """Every point of the grid of ``axes`` tested against the tiers: the first gap, and
    each set of tiers that overlap."""
    cells = 1
    for axis in axes:
        cells *= len(axis)
    if cells > MAX_CELLS or cells * len(segmentation.tiers) > MAX_WORK:
        return [CoverageIssue("unchecked", {}, ())]
    issues: list[CoverageIssue] = []
    seen_pairs: set[tuple[str, ...]] = set()
    gap_reported = False
    for point in itertools.product(*axes):
        attrs: dict[str, AttrValue] = {}
        for name, value in zip(names, point, strict=True):
            if isinstance(value, _Measured):
                attrs.update(value.attributes())
            else:
                attrs[name] = value
        hit = assign(segmentation, attrs)
        if not hit and not gap_reported:
            gap_reported = True
            issues.append(CoverageIssue("gap", attrs, ()))
        elif len(hit) > 1 and segmentation.policy == "exclusive":
            ids = tuple(t.id for t in hit)
            if ids not in seen_pairs:
                seen_pairs.add(ids)
                issues.append(CoverageIssue("overlap", attrs, ids))
    return issues


def describe_point(attrs: Mapping[str, AttrValue]) -> str:
    parts = []
    for name, value in attrs.items():
        if isinstance(value, str) and value.startswith("\u2205"):
            parts.append(f"{name} not listed")
        elif isinstance(value, bool):
            parts.append(f"{name}={'true' if value else 'false'}")
        elif isinstance(value, Since):
            parts.append(f"{name} from {value.start} to a referral on {value.on}")
        else:
            parts.append(f"{name}={value}")
    return ", ".join(parts) or "any customer"
