"""Statistics over Monte Carlo runs, in Decimal: what a forecast reports.

Every run's sums are exact Decimal sums of evaluated lines (cents). Over runs:

- the **mean** is exact (the sum of the runs' values divided by their count), then rounded
  once, half-up, to cents;
- a **quantile** P is the linear interpolation between order statistics at ``h = (n - 1) P``
  (type 7 of Hyndman and Fan, numpy's default), computed in Decimal and rounded to cents;
- the **standard error** of the mean is the sample standard deviation (divisor ``n - 1``)
  over the square root of ``n`` (Decimal square roots, 28 digits), rounded to cents; 0 for a
  single run. A difference of two drafts under the same draws is paired: the standard error
  of the runs' differences.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from ..values import money_text

CENT = Decimal("0.01")
ZERO = Decimal(0)
QUANTILES = (Decimal("0.1"), Decimal("0.5"), Decimal("0.9"))


def cents(value: Decimal) -> Decimal:
    """``value`` rounded half-up to cents."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def mean(values: Sequence[Decimal]) -> Decimal:
    """The exact mean (28 significant digits), not rounded."""
    if not values:
        return ZERO
    with localcontext() as ctx:
        ctx.prec = 28
        return sum(values, ZERO) / len(values)


def quantile(values: Sequence[Decimal], p: Decimal) -> Decimal:
    """Type 7 quantile (linear between order statistics), not rounded."""
    if not values:
        return ZERO
    ordered = sorted(values)
    h = (len(ordered) - 1) * p
    lo = int(h)
    if lo + 1 >= len(ordered):
        return ordered[-1]
    return ordered[lo] + (h - lo) * (ordered[lo + 1] - ordered[lo])


def standard_error(values: Sequence[Decimal]) -> Decimal:
    """The standard error of the mean (sample standard deviation / sqrt(n)), not rounded."""
    n = len(values)
    if n < 2:
        return ZERO
    with localcontext() as ctx:
        ctx.prec = 28
        m = sum(values, ZERO) / n
        var = sum(((v - m) ** 2 for v in values), ZERO) / (n - 1)
        return (var / n).sqrt()


@dataclass(frozen=True)
class Estimate:
    """A quantity over runs: its mean, P10, P50, P90 and the mean's standard error, in cents;
    ``runs``: how many runs it rests on."""

    mean: Decimal
    p10: Decimal
    p50: Decimal
    p90: Decimal
    se: Decimal
    runs: int

    @staticmethod
    def of(values: Sequence[Decimal]) -> Estimate:
        p10, p50, p90 = (cents(quantile(values, p)) for p in QUANTILES)
        return Estimate(cents(mean(values)), p10, p50, p90, cents(standard_error(values)),
                        len(values))

    def to_dict(self) -> dict[str, Any]:
        return {"mean": money_text(self.mean), "p10": money_text(self.p10),
                "p50": money_text(self.p50), "p90": money_text(self.p90),
                "se": money_text(self.se), "runs": self.runs}


def share(part: Decimal, whole: Decimal) -> Decimal:
    """``part / whole`` to four places (0 when ``whole`` is 0)."""
    if whole == 0:
        return ZERO.quantize(Decimal("0.0001"))
    with localcontext() as ctx:
        ctx.prec = 28
        return (part / whole).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
