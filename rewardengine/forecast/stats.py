"""Statistics over Monte Carlo runs, in Decimal: what a forecast reports.

Every run's sums are exact Decimal sums of evaluated lines (cents). Over runs:

- the **mean** is exact (the sum of the runs' values divided by their count), then rounded
  once, half-up, to cents;
- a **quantile** P is the linear interpolation between order statistics at ``h = (n - 1) P``
  (type 7 of Hyndman and Fan, numpy's default), computed in Decimal and rounded to cents;
- the **upper bound** of a share of runs (``upper_95``: the ceiling binding) is the exact
  one-sided 95 % Clopper-Pearson bound, rounded up to four places: seen in 0 of 200 runs, it
  is still up to 1.49 % likely;
- the **standard error** of the mean is the sample standard deviation (divisor ``n - 1``)
  over the square root of ``n`` (Decimal square roots, 28 digits), rounded to cents; 0 for a
  single run. A difference of two drafts under the same draws is paired: the standard error
  of the runs' differences.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, localcontext
from math import exp, lgamma, log
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
    """The standard error of the mean (sample standard deviation / sqrt(n)), not rounded;
    0 from fewer than two values (``Estimate.of`` reports none then)."""
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
    """A quantity over runs: its mean, P10, P50, P90 and the mean's standard error, in cents
    (None from one run: a single run says nothing of the spread); ``runs``: how many runs it
    rests on."""

    mean: Decimal
    p10: Decimal
    p50: Decimal
    p90: Decimal
    se: Decimal | None
    runs: int

    @staticmethod
    def of(values: Sequence[Decimal]) -> Estimate:
        p10, p50, p90 = (cents(quantile(values, p)) for p in QUANTILES)
        se = cents(standard_error(values)) if len(values) > 1 else None
        return Estimate(cents(mean(values)), p10, p50, p90, se, len(values))

    def to_dict(self) -> dict[str, Any]:
        return {"mean": money_text(self.mean), "p10": money_text(self.p10),
                "p50": money_text(self.p50), "p90": money_text(self.p90),
                "se": None if self.se is None else money_text(self.se), "runs": self.runs}


def share(part: Decimal, whole: Decimal) -> Decimal:
    """``part / whole`` to four places (0 when ``whole`` is 0)."""
    if whole == 0:
        return ZERO.quantize(Decimal("0.0001"))
    with localcontext() as ctx:
        ctx.prec = 28
        return (part / whole).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def upper_95(k: int, n: int) -> Decimal:
    """The exact one-sided 95 % upper bound (Clopper-Pearson) of a chance seen in ``k`` of
    ``n`` runs, rounded up to four places: the chance at which ``k`` or fewer in ``n`` happen
    only 5 % of the time (``1 - 0.05 ** (1 / n)`` for ``k = 0``); 1 when ``k = n``. A float
    bisection of the binomial distribution: a probability, not money."""
    if n <= 0 or k >= n:
        return Decimal(1).quantize(Decimal("0.0001"))
    lo, hi = k / n, 1.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if _at_most(k, n, mid) > 0.05 else (lo, mid)
    # to nine places first: the bisection's last bits must not push 0.95 up to 0.9501
    near = Decimal(repr(hi)).quantize(Decimal("1e-9"), rounding=ROUND_HALF_UP)
    return near.quantize(Decimal("0.0001"), rounding=ROUND_CEILING)


def _at_most(k: int, n: int, p: float) -> float:
    """P(X <= k) for X binomial(n, p), 0 < p < 1, summed in logs (n may be thousands)."""
    return sum(exp(lgamma(n + 1) - lgamma(i + 1) - lgamma(n - i + 1) + i * log(p)
                   + (n - i) * log(1 - p)) for i in range(k + 1))


def every_month(months: Sequence[str]) -> list[str]:
    """Every month ("2020-04") from the first to the last of ``months`` (in order): a cash
    flow shows a month without payments as a 0, never leaves it out."""
    if not months:
        return []
    out, (year, month) = [], (int(months[0][:4]), int(months[0][5:7]))
    while f"{year:04d}-{month:02d}" <= months[-1]:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out
