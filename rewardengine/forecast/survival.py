"""Times to an event when some of them are not seen yet: the product-limit (Kaplan-Meier)
estimate that ``cohort fit`` uses on data that ends before every customer's story does.

A customer referred a month before the data ends and not yet in a job is not a customer who
never finds one; a job without an end is either one that goes on or one whose end is still
ahead. Counting them as such (the share reaching a job as those with one, job lengths of the
ended jobs alone) made a cohort fitted from data cut mid-contract about 30 % low. Each
observation here is a time and whether the event happened then; one that did not is
*censored*: all that is known is that the event had not happened after that many days.

The estimate, for times in days ``t_1 < t_2 < ...`` at which events happened:
``S(t) = prod over t_i <= t of (1 - d_i / n_i)``, with ``d_i`` the events at ``t_i`` and
``n_i`` those still waiting just before it (an observation censored at ``t_i`` is still
waiting at ``t_i``). The share ever having the event is ``1 - S`` after the last event
time; each event carries the mass ``S(t_i-) / n_i``, and the distribution of the time,
given the event happens, is those masses over the share. An event after the longest time
followed in the data cannot be seen: the share is then a floor.

``cohort fit`` stops the estimate at the first event time at which fewer than
``MIN_AT_RISK`` (5) are still waiting (``fewest``): there each event takes a fifth or more
of what is left, and the last one followed, having the event, took all of it (a fit of jobs
followed to 1,500 days, one of them ending then, wrote ``ongoing: 0``, every job drawn to
end, though most were cut off long before). Events from that time on are left out, and
what is left is taken as not having the event within the times seen, as one cut off is
(``Estimated.stopped``).

When no observation is censored before the last event time, this is exactly the plain count
(the share is events / all, every event weighs the same) and the plain count is used, so a
fit of data in which every story has ended is what it always was. Quantiles of the time
are read as a product-limit median is: at each level, the first time by which the mass
reaches it (``weighted_quantiles``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby


@dataclass(frozen=True)
class Observed:
    """One subject's time in days: the event happened after ``days`` (``happened``), else
    it had not happened when the subject was last seen, ``days`` after the start: cut off
    by the data's end (``cut_off``), or seen through to a point past which it cannot happen
    (a service that ran its length never ends early)."""

    days: float
    happened: bool
    cut_off: bool = True


@dataclass(frozen=True)
class Estimated:
    """What the observations show: the share that has the event (``share``), each event's
    time with its weight in the time's distribution given the event (weights adding up to
    1, in the order of the times), and how many observations were censored: 0 where none was
    before the last event time (the plain count), else every one (so that those that had
    the event and those cut off add up to all)."""

    share: float
    times: tuple[tuple[float, float], ...]
    censored: int
    observed: int
    followed: float = 0.0  # the longest time any subject was followed (days)
    early: int = 0  # of those censored, how many before the last event time
    # the event time the estimate stopped at, fewer than MIN_AT_RISK waiting (None: none)
    stopped: float | None = None


MIN_AT_RISK = 5  # the fewest still waiting at an event time that a fit goes on with


def product_limit(seen: Sequence[Observed], fewest: int = 1) -> Estimated:
    """The product-limit estimate of ``seen`` (see the module's docstring), stopped at the
    first event time with fewer than ``fewest`` waiting."""
    events = sorted(o.days for o in seen if o.happened)
    followed = max((o.days for o in seen), default=0.0)
    if not events:  # none seen to have it: every one cut off, and the share a floor of 0
        return Estimated(0.0, (), len(seen), len(seen), followed, len(seen))
    last = events[-1]
    early = sum(1 for o in seen if not o.happened and o.days < last)
    if not early:
        # the plain count: exactly the estimate, with no rounding on the way
        weight = 1.0 / len(events)
        return Estimated(len(events) / len(seen), tuple((t, weight) for t in events), 0,
                         len(seen), followed)
    # events first among equal times: a subject censored on an event's day was still waiting
    ordered = sorted(seen, key=lambda o: (o.days, not o.happened))
    waiting, surviving = len(ordered), 1.0
    masses: list[tuple[float, float]] = []
    stopped = None
    for days, group in groupby(ordered, key=lambda o: o.days):
        here = list(group)
        died = sum(1 for o in here if o.happened)
        if died and waiting < fewest:
            stopped = days  # too few left to tell: the rest is taken as not seen
            break
        if died:
            mass = surviving / waiting
            masses.extend((days, mass) for _ in range(died))
            surviving *= 1.0 - died / waiting
        waiting -= len(here)
    # every one the data's end cut off, said with it (one seen through was not cut off)
    censored = sum(1 for o in seen if not o.happened and o.cut_off)
    share = 1.0 - surviving
    if not masses:  # the first event came with too few waiting: none is estimated
        return Estimated(0.0, (), censored, len(seen), followed, early, stopped)
    return Estimated(share, tuple((t, m / share) for t, m in masses), censored, len(seen),
                     followed, early, stopped)


def weighted_quantiles(times: Sequence[tuple[float, float]], points: int) -> list[float]:
    """``points`` equally spaced quantiles of values with weights (adding up to 1, values in
    order), to two places: at each level ``q``, the smallest value whose weight up to and
    with it reaches ``q`` (the first value at 0). That is how a product-limit estimate's
    quantiles are read (its median: the first time by which half have had the event), so
    a heavy mass holds every level it covers, at either end or in the middle."""
    out, i, upto = [], 0, times[0][1]
    for k in range(points):
        q = k / (points - 1)
        while upto < q - 1e-12 and i < len(times) - 1:
            i += 1
            upto += times[i][1]
        out.append(round(float(times[i][0]), 2))
    return out


UNBOUNDED = 1_000.0  # a mean of further jobs past this: the likelihood rises without end


def poisson_mean(seen: Sequence[tuple[int, float]], tolerance: float = 1e-12
                 ) -> tuple[float, bool]:
    """The mean of a Poisson count of which, per subject, ``k`` were seen and ``unseen`` is
    the chance that one more, if there is one, would not be seen yet when the data ends (0:
    the count is ``k``; 1: it is ``k`` or more), and whether it allowed for counts not seen
    (False: the plain mean of the counts). The maximum-likelihood mean, found by
    expectation-maximisation (each subject's expected count given what was seen, at the
    mean so far, averaged, until the mean moves by less than ``tolerance``), subjects alike
    taken together. The plain mean where every ``unseen`` is 0 (it is then the estimate),
    and where the likelihood rises without end: every ``unseen`` 1 (each count only "k or
    more"), or the mean drawn past ``UNBOUNDED``; then the counts seen are all there is to
    go on."""
    if not seen:
        return 0.0, False
    plain = sum(k for k, _ in seen) / len(seen)
    if all(w == 0 for _, w in seen) or all(w == 1 for _, w in seen):
        return plain, False
    alike = Counter(seen)
    mean = max(plain, 1e-6)
    for _ in range(100_000):
        moved = sum(n * _expected(k, w, mean) for (k, w), n in alike.items()) / len(seen)
        if moved > UNBOUNDED:
            return plain, False
        if abs(moved - mean) < tolerance:
            return moved, True
        mean = moved
    return mean, True


def _expected(k: int, unseen: float, mean: float) -> float:
    """E[count | k seen, and more unseen with the chance ``unseen`` if there are more]:
    ``(k P(k) + unseen * sum over m > k of m P(m)) / (P(k) + unseen * P(count > k))``. The
    sum is ``mean * P(count >= k)`` (``m P(m)`` is ``mean * P(m - 1)``); everything is
    taken over ``P(k)``, so that ``r = P(count > k) / P(k)``, the sum of the products
    ``mean / (k + 1) * ... * mean / (k + j)``, is all that is needed: no tail is found by
    taking a sum from 1, which loses every digit when ``k`` is far above the mean."""
    r, term, m = 0.0, 1.0, k
    while True:
        m += 1
        term *= mean / m
        r += term
        if term <= r * 1e-17 or m > k + 10_000:
            break
    return (k + unseen * mean * (1.0 + r)) / (1.0 + unseen * r)
