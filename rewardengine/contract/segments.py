"""Segments: which price tier a customer falls in, decided from the referral.

Rules read attributes *at the referral date* (so a customer who crosses 12 months of
unemployment later keeps the segment of the referral). Ranges are half-open ``[min, max)``.
``coverage_problems`` checks statically that every possible customer falls into exactly one
segment, by splitting each attribute at every bound any rule uses and testing one point of
every cell of the resulting grid.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from .model import SEGMENT_ATTRIBUTES, Condition, Range, Segment, Segmentation

SEGMENT_ATTRIBUTES_OK = SEGMENT_ATTRIBUTES

AttrValue = Decimal | bool | str | None

MAX_CELLS = 200_000
# cells x tiers tested; beyond this the check is skipped with a warning, not run for minutes
MAX_WORK = 1_000_000


def matches(condition: Condition, value: AttrValue) -> bool:
    if value is None:
        return False
    if isinstance(condition, Range):
        if isinstance(value, bool) or not isinstance(value, Decimal):
            try:
                value = Decimal(str(value))
            except ArithmeticError:
                return False
        if condition.min is not None and value < condition.min:
            return False
        return not (condition.max is not None and value >= condition.max)
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
        bounds = sorted({b for r in ranges for b in (r.min, r.max) if b is not None})
        points: list[AttrValue] = []
        # attributes are counts and ages, never negative
        if not bounds or bounds[0] > 0:
            points.append(Decimal(0))
        points.extend(bounds)
        return points
    if bools:
        return [True, False]
    values = sorted({v for c in lists for v in c})
    return [*values, "\u2205other"]


def coverage(segmentation: Segmentation) -> tuple[list[CoverageIssue], list[str]]:
    """Gaps and overlaps of rule-based segments; second item lists attributes mixed badly."""
    by_attr: dict[str, list[Condition]] = {}
    for tier in segmentation.tiers:
        for name, cond in tier.when.items():
            by_attr.setdefault(name, []).append(cond)
    names = sorted(by_attr)
    axes: list[list[AttrValue]] = []
    mixed: list[str] = []
    for name in names:
        axis = _axis(name, by_attr[name])
        if axis is None:
            mixed.append(name)
            axis = [None]
        axes.append(axis)
    if mixed:
        return [], mixed
    cells = 1
    for axis in axes:
        cells *= len(axis)
    if cells > MAX_CELLS or cells * len(segmentation.tiers) > MAX_WORK:
        return [CoverageIssue("unchecked", {}, ())], []
    issues: list[CoverageIssue] = []
    seen_pairs: set[tuple[str, ...]] = set()
    gap_reported = False
    for point in itertools.product(*axes):
        attrs = dict(zip(names, point, strict=True))
        hit = assign(segmentation, attrs)
        if not hit and not gap_reported:
            gap_reported = True
            issues.append(CoverageIssue("gap", attrs, ()))
        elif len(hit) > 1 and segmentation.policy == "exclusive":
            ids = tuple(t.id for t in hit)
            if ids not in seen_pairs:
                seen_pairs.add(ids)
                issues.append(CoverageIssue("overlap", attrs, ids))
    return issues, []


def describe_point(attrs: Mapping[str, AttrValue]) -> str:
    parts = []
    for name, value in attrs.items():
        if isinstance(value, str) and value.startswith("\u2205"):
            parts.append(f"{name} not listed")
        elif isinstance(value, bool):
            parts.append(f"{name}={'true' if value else 'false'}")
        else:
            parts.append(f"{name}={value}")
    return ", ".join(parts) or "any customer"
