"""Work spells: stretches, exact thresholds, weights, spells across gaps, reach."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from rewardengine.events.model import Employment
from rewardengine.periods import Period
from rewardengine.values import Duration
from rewardengine.work import (
    counted,
    fte_at_least,
    job_period,
    needed_days,
    reach,
    spells,
    stretches,
)

D = date.fromisoformat
OPEN = {"open": Decimal(1)}
WIDE = Period(D("2020-01-01"), D("2021-01-01"))


def emp(eid: str, start: str, end: str | None = None, *, fte: str | None = None,
        hours: str | None = None, kind: str = "open", evidence: str = "register"
        ) -> Employment:
    return Employment.model_validate({
        "event_id": eid, "customer_id": "c1", "type": "employment", "date": start,
        "end": end, "fte": fte, "hours_per_week": hours, "kind": kind, "evidence": evidence})


@pytest.mark.parametrize(("hours", "fte", "ok"), [
    (["5", "5", "20"], [], True),  # 30 h = 0.80 exactly; division would give 0.7999...
    (["10", "20"], [], True),
    (["29.9"], [], False),
    (["30"], [], True),
    ([], ["0.4", "0.4"], True),
    ([], ["0.79"], False),
    (["15"], ["0.4"], True),  # 0.4 given + 15 h at 37.5
    (["14.99"], ["0.4"], False),
])
def test_fte_at_least_is_exact(hours: list[str], fte: list[str], ok: bool) -> None:
    jobs = [emp(f"H{i}", "2020-01-01", hours=h) for i, h in enumerate(hours)]
    jobs += [emp(f"F{i}", "2020-01-01", fte=f) for i, f in enumerate(fte)]
    assert fte_at_least(jobs, Decimal("0.80"), Decimal("37.5")) is ok


def test_stretches_sum_overlapping_part_time_jobs_exactly() -> None:
    jobs = [emp("E1", "2020-02-01", "2020-02-29", hours="5"),
            emp("E2", "2020-02-01", "2020-02-29", hours="5"),
            emp("E3", "2020-02-10", "2020-02-29", hours="20")]
    parts = stretches(jobs, OPEN, WIDE, D("2020-12-31"), min_fte=Decimal("0.80"))
    assert [(p.period, p.event_ids) for p in parts] == [
        (Period(D("2020-02-10"), D("2020-03-01")), ("E1", "E2", "E3"))]
    assert parts[0].hours == Decimal(30)


def test_stretches_stop_at_as_of_and_at_the_window() -> None:
    jobs = [emp("E1", "2019-12-01", fte="1")]
    parts = stretches(jobs, OPEN, WIDE, D("2020-03-31"))
    assert [p.period for p in parts] == [Period(D("2020-01-01"), D("2020-04-01"))]
    assert job_period(jobs[0], D("2019-11-30")) is None


def test_kind_weights_and_weakest_evidence() -> None:
    """Days that need both jobs count at their hours-weighted weight, at the weaker evidence."""
    jobs = [emp("E1", "2020-01-01", "2020-01-10", fte="0.5", kind="subsidised",
                evidence="self_report"),
            emp("E2", "2020-01-01", "2020-01-20", fte="0.5", evidence="register"),
            emp("E3", "2020-01-01", "2020-01-31", fte="1", kind="entrepreneur")]
    weights = {"open": Decimal(1), "subsidised": Decimal("0.5")}
    parts = stretches(jobs, weights, WIDE, D("2020-12-31"), min_fte=Decimal(1))
    assert [(p.period.days, p.weight, p.evidence, p.event_ids) for p in parts] == [
        (10, Decimal("0.75"), "self_report", ("E1", "E2")),
    ]  # entrepreneur work has no weight here: ignored entirely; E2 alone is 0.5 FTE
    assert counted(parts) == Decimal("7.5")


def test_more_work_never_counts_less() -> None:
    """A day that a register-verified open job qualifies on its own stays a full day, and
    register-verified, beside a self-reported subsidised job."""
    jobs = [emp("E1", "2020-01-01", "2020-01-10", fte="0.5", kind="subsidised",
                evidence="self_report"),
            emp("E2", "2020-01-01", "2020-01-20", fte="0.5", evidence="register")]
    weights = {"open": Decimal(1), "subsidised": Decimal("0.5")}
    alone = stretches(jobs[1:], weights, WIDE, D("2020-12-31"))
    both = stretches(jobs, weights, WIDE, D("2020-12-31"))
    assert counted(alone) == counted(both) == Decimal(20)
    assert {p.evidence for p in both} == {"register"}
    assert [(p.period.days, p.weight) for p in both] == [(10, Decimal(1)), (10, Decimal(1))]


@pytest.mark.parametrize(("second", "groups"), [
    ("2020-01-26", 1),  # gap Jan 11..Jan 25: exactly 15 days, joins
    ("2020-01-27", 2),  # 16 days: splits
])
def test_spells_join_across_a_gap_of_exactly_max_gap(second: str, groups: int) -> None:
    jobs = [emp("E1", "2020-01-01", "2020-01-10", fte="1"), emp("E2", second, fte="1")]
    parts = stretches(jobs, OPEN, WIDE, D("2020-03-01"))
    assert len(spells(parts, 15)) == groups


def test_reach_counts_weighted_days() -> None:
    jobs = [emp("E1", "2020-01-01", fte="1", kind="subsidised")]
    parts = stretches(jobs, {"subsidised": Decimal("0.5")}, WIDE, D("2020-12-31"))
    got = reach(parts, Decimal(90))
    assert got is not None
    assert (got.on, got.evidence, got.event_ids, got.first_day) == (
        D("2020-06-28"), "register", ("E1",), D("2020-01-01"))  # day 180
    assert reach(parts[:0], Decimal(1)) is None


@pytest.mark.parametrize(("duration", "anchor", "days"), [
    (Duration(90, "days"), "2020-01-31", 90),
    (Duration(13, "weeks"), "2020-01-31", 91),
    (Duration(1, "months"), "2020-01-31", 29),
    (Duration(1, "months"), "2021-01-31", 28),
    (Duration(1, "months"), "2020-02-29", 29),
    (Duration(12, "months"), "2020-02-29", 365),  # to 2021-02-28 (clamped)
])
def test_needed_days_counts_months_from_the_anchor(duration: Duration, anchor: str,
                                                   days: int) -> None:
    assert needed_days(duration, D(anchor)) == Decimal(days)
