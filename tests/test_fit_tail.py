"""A fit's product-limit estimate stops where fewer than five are still waiting: the last job
followed, ending, took all that was left, and a fit of jobs mostly cut off wrote
``ongoing: 0`` (every job drawn to end). See ``forecast/survival.py``."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from rewardengine.forecast.fit import Section, _ongoing, _product_limit, _rests_on
from rewardengine.forecast.survival import MIN_AT_RISK, Observed, product_limit


def _jobs(last_waiting: int) -> list[Observed]:
    """Five jobs ended after 50 days, ten cut off by the data's end after 100 to 190 days,
    and ``last_waiting`` followed longer, the first of which ended after 1,000 days (the
    others cut off after 1,200)."""
    return [*(Observed(50, True) for _ in range(5)),
            *(Observed(100 + 10 * i, False) for i in range(10)),
            Observed(1000, True), *(Observed(1200, False) for _ in range(last_waiting - 1))]


def test_the_plain_estimate_lets_the_last_job_followed_take_all_that_is_left() -> None:
    est = product_limit(_jobs(1))
    assert est.share == 1.0 and est.stopped is None  # ongoing 0: every job drawn to end


@pytest.mark.parametrize(("waiting", "share", "stopped"), [
    # 5 of 19 ended after 50 days; one short of five waiting: the day-1,000 end is not
    # estimated
    (4, Fraction(5, 19), 1000.0),
    (5, 1 - Fraction(15, 20) * Fraction(4, 5), None),  # exactly five: 1 of 5 ends then
    (6, 1 - Fraction(16, 21) * Fraction(5, 6), None),  # one over
])
def test_a_fit_stops_where_fewer_than_five_are_waiting(waiting: int, share: Fraction,
                                                      stopped: float | None) -> None:
    assert MIN_AT_RISK == 5
    est = _product_limit(_jobs(waiting))
    assert abs(Fraction(est.share) - share) < Fraction(1, 10**12)
    assert est.stopped == stopped
    # the times given the event are those estimated: the five after 50 days alone, when
    # it stops (each a fifth)
    assert [t for t, _ in est.times] == [50.0] * 5 + ([] if stopped else [1000.0])
    assert abs(sum(w for _, w in est.times) - 1) < 1e-12


def test_the_jobs_not_seen_to_end_are_drawn_as_going_on() -> None:
    sec = Section()
    lengths = _product_limit(_jobs(1))
    _ongoing(sec, lengths)
    got = sec.values["ongoing"]
    # 11 of 16 not seen to end after 50 days; 0.0000 before: the day-1,000 end took it all
    assert got.value == Decimal("0.6875")
    assert _rests_on(got) == (
        "rests on 16 jobs, allowing for 10 cut off by the data's end (none followed past "
        "1000 days; from 1000 days on, fewer than 5 followed: not estimated)")


def test_with_none_cut_off_before_the_last_event_it_is_still_the_plain_count() -> None:
    seen = [Observed(10, True), Observed(20, True), Observed(30, True)]
    est = _product_limit(seen)  # three, all followed to their event: nothing to stop
    assert est.share == 1.0 and est.stopped is None and est.censored == 0
