"""employment_condition: whole calendar weeks/months of sufficient work in a reference period."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from conftest import EVENT_HEADER, contract_from, one

COLUMNS = EVENT_HEADER.strip().split(",")


def row(event_id: str, type_: str, day: str, **fields: object) -> str:
    values = {"event_id": event_id, "customer_id": "c1", "type": type_, "date": day,
              **{k: str(v) for k, v in fields.items()}}
    assert set(values) <= set(COLUMNS), set(values) - set(COLUMNS)
    return ",".join(values.get(c, "") for c in COLUMNS)


def rows(*lines: str) -> str:
    return "\n".join(lines)


# segment A (7 months unemployed at referral); service starts Wednesday 2020-01-15, so the
# week 2020-01-13..19 straddles the start and the first whole week is 2020-01-20..26.
START_A = rows(row("r1", "referral", "2020-01-10", provider="acme", unemployed_since="2019-06-01"),
               row("s1", "service_start", "2020-01-15"))
START_B = rows(row("r1", "referral", "2020-01-10", provider="acme", unemployed_since="2018-01-01"),
               row("s1", "service_start", "2020-01-15"))


def job(event_id: str, first: str, last: str = "", *, hours: object = "", kind: str = "open",
        evidence: str = "register", wage: object = "", fte: object = "") -> str:
    return row(event_id, "employment", first, end=last, kind=kind, evidence=evidence,
               hours_per_week=hours, wage=wage, fte=fte)


WEEKS = """
components:
  - id: condition
    kind: employment_condition
    unit: weeks
    min_hours_per_week: 18
    required: {required}
    reference_period: 12 months
    weights: {{open: 1, subsidised: 0.75}}
    amount: {{A: {{register: 3000.00, employer: 2500.00}}, B: 4000.00}}
{extra}"""


def weeks(required: int = 26, extra: str = "") -> str:
    return WEEKS.format(required=required, extra=extra)


def only(events: str, as_of: str, contract: str) -> tuple[str, Decimal, date | None, str,
                                                           tuple[str, ...]]:
    result = one(contract_from(contract), events, as_of)
    assert len(result.lines) == 1, result.lines
    ln = result.lines[0]
    assert ln.occurrence == "once" and ln.component == "condition"
    return ln.status, ln.amount, ln.date, ln.reason, ln.evidence


@pytest.mark.parametrize(
    ("last_day", "as_of", "status", "amount", "on", "says"),
    [
        # 26 whole weeks 2020-01-20..2020-07-19: met on the Sunday of the 26th
        ("2020-07-19", "2020-07-20", "payable", "3000.00", date(2020, 7, 19),
         "employment condition met on 2020-07-19: 26 of 26 weeks with at least 18 h of work, "
         "counted from the week starting 2020-01-20"),
        # the 26th week is still running on the Saturday before its Sunday: not counted yet
        ("2020-07-19", "2020-07-18", "pending", "3000.00", date(2021, 1, 10),
         "25 of 26 weeks with at least 18 h of work so far; needs 1 more by 2021-01-10"),
        # on its own Sunday (facts count up to and including as_of) it is counted
        ("2020-07-19", "2020-07-19", "payable", "3000.00", date(2020, 7, 19),
         "employment condition met on 2020-07-19"),
        # 25 weeks only (the job ends Sunday 2020-07-12), period over
        # not earned since the last whole week ended (2021-01-10), and dated that day
        ("2020-07-12", "2021-01-18", "not_earned", "3000.00", date(2021, 1, 10),
         "only 25 of 26 weeks with at least 18 h of work by the end of the reference period "
         "2020-01-15..2021-01-14 (12 months from the service start); its last whole week "
         "ended 2021-01-10, 1 more was needed"),
        # 25 weeks, but the period is still open: pending
        ("2020-07-12", "2020-08-01", "pending", "3000.00", date(2021, 1, 10),
         "25 of 26 weeks with at least 18 h of work so far; needs 1 more by 2021-01-10"),
    ])
def test_twenty_six_weeks_exactly_and_one_short(last_day: str, as_of: str, status: str,
                                                amount: str, on: date, says: str) -> None:
    # the job starts before the service: the straddling week 2020-01-13..19 has 37.5 h but
    # does not count (if it did, the condition would be met a week earlier, on 2020-07-12)
    events = rows(START_A, job("e1", "2020-01-01", last_day, hours="37.5"))
    got_status, got_amount, got_on, reason, evidence = only(events, as_of, weeks())
    assert (got_status, got_amount, got_on) == (status, Decimal(amount), on)
    assert says in reason
    assert evidence == ("e1",)


def test_straddling_week_at_start_not_counted() -> None:
    events = rows(START_A, job("e1", "2020-01-13", "2020-01-19", hours="40"))
    status, amount, on, reason, evidence = only(events, "2020-02-01", weeks(required=1))
    assert (status, amount, on) == ("pending", Decimal("3000.00"), date(2021, 1, 10))
    assert reason.startswith("0 of 1 weeks with at least 18 h of work so far; needs 1 more")
    assert evidence == ()


@pytest.mark.parametrize(
    ("hours", "status", "on"),
    [
        # 18 h exactly qualifies the first whole week; 17.9 h never does
        ("18", "payable", date(2020, 1, 26)),
        ("17.9", "pending", date(2021, 1, 10)),
    ])
def test_hours_threshold_exact(hours: str, status: str, on: date) -> None:
    events = rows(START_A, job("e1", "2020-01-20", hours=hours))
    got = only(events, "2020-03-01", weeks(required=1))
    assert (got[0], got[2]) == (status, on)


@pytest.mark.parametrize(
    ("hours", "on"),
    [
        # starts Wednesday: 5 of 7 days of 25.2 h = 18.0 h, so the week 2020-01-20..26 counts
        ("25.2", date(2020, 1, 26)),
        # 5/7 of 25.1 h = 17.93 h: that week fails, the next full week qualifies
        ("25.1", date(2020, 2, 2)),
    ])
def test_part_week_prorated_by_days(hours: str, on: date) -> None:
    events = rows(START_A, job("e1", "2020-01-22", hours=hours))
    status, amount, got_on, _, _ = only(events, "2020-03-01", weeks(required=1))
    assert (status, amount, got_on) == ("payable", Decimal("3000.00"), on)


@pytest.mark.parametrize(
    ("second_hours", "second_kind", "status", "amount", "evidence"),
    [
        # 10 h + 8 h overlapping = 18 h: qualifies; weakest evidence (employer) sets the price
        ("8", "open", "payable", "2500.00", ("e1", "e2")),
        # 10 h + 7.9 h: not enough
        ("7.9", "open", "pending", "3000.00", ()),
        # entrepreneur work has no weight in this contract: its hours do not count
        ("8", "entrepreneur", "pending", "3000.00", ()),
    ])
def test_two_overlapping_jobs_sum_hours(second_hours: str, second_kind: str, status: str,
                                        amount: str, evidence: tuple[str, ...]) -> None:
    events = rows(START_A, job("e1", "2020-01-20", "2020-02-02", hours="10"),
                  job("e2", "2020-01-20", "2020-02-02", hours=second_hours, kind=second_kind,
                      evidence="employer"))
    got = only(events, "2020-03-01", weeks(required=2))
    assert (got[0], got[1], got[4]) == (status, Decimal(amount), evidence)
    if status == "payable":
        assert got[2] == date(2020, 2, 2)
        assert got[3].endswith("jobs e1, e2, weakest evidence employer")


def test_subsidised_weeks_count_at_their_weight() -> None:
    # 0.75 a week: 3 weeks count 2.25, the 4th brings 3.0 -> met on Sunday 2020-02-16
    events = rows(START_A, job("e1", "2020-01-20", hours="20", kind="subsidised"))
    status, amount, on, reason, _ = only(events, "2020-03-01", weeks(required=3))
    assert (status, amount, on) == ("payable", Decimal("3000.00"), date(2020, 2, 16))
    assert "3 of 3 weeks with at least 18 h of work (4 qualifying weeks, counted at " \
           "their kind weights)" in reason
    # as of the Monday after 3 weeks: 2.25 of 3
    status, _, _, reason, _ = only(events, "2020-02-10", weeks(required=3))
    assert status == "pending"
    assert reason.startswith("2.25 of 3 weeks with at least 18 h of work (3 qualifying weeks, "
                             "counted at their kind weights) so far; needs 0.75 more by")


def test_mixed_week_counts_at_hours_weighted_weight() -> None:
    # 10 h open + 10 h subsidised: each week counts (10*1 + 10*0.75)/20 = 0.875
    events = rows(START_A, job("e1", "2020-01-20", hours="10"),
                  job("e2", "2020-01-20", hours="10", kind="subsidised"))
    status, _, _, reason, _ = only(events, "2020-02-03", weeks(required=3))
    assert status == "pending"
    assert reason.startswith("1.75 of 3 weeks")
    # 0.875 * 4 = 3.5 >= 3 but 0.875 * 3 = 2.625 < 3: met in the 4th week
    status, _, on, _, _ = only(events, "2020-03-01", weeks(required=3))
    assert (status, on) == ("payable", date(2020, 2, 16))


def test_fte_job_counts_at_full_time_hours() -> None:
    # 0.48 FTE = 18 h at 37.5 h a week: exactly enough
    events = rows(START_A, job("e1", "2020-01-20", fte="0.48"))
    assert only(events, "2020-03-01", weeks(required=1))[:3] == (
        "payable", Decimal("3000.00"), date(2020, 1, 26))


def test_segment_b_flat_price() -> None:
    events = rows(START_B, job("e1", "2020-01-20", hours="20", evidence="self_report"))
    assert only(events, "2020-03-01", weeks(required=1))[:3] == (
        "payable", Decimal("4000.00"), date(2020, 1, 26))


# Rule changed: a condition met on evidence the price table lacks used to be not_earned at
# once; a later-recorded confirmation can still make it payable, so it is now pending until the
# deadline of the service_and_follow_up window (2021-07-14) and not_earned from then on.
def test_unpriced_evidence_level_waits_for_a_confirmation() -> None:
    events = rows(START_A, job("e1", "2020-01-20", hours="20", evidence="self_report"))
    status, amount, on, reason, evidence = only(events, "2020-03-01", weeks(required=1))
    # shown at the price of the strongest evidence priced (register 3000.00)
    assert (status, amount, on, evidence) == ("pending", Decimal("3000.00"),
                                              date(2020, 1, 26), ("e1",))
    assert reason.endswith("jobs e1, weakest evidence self_report; the contract has no price "
                           "for evidence level self_report in segment A: needs confirmation by "
                           "the employer or register by 2021-07-14, when the follow-up ends")
    assert only(events, "2021-07-13", weeks(required=1))[0] == "pending"
    status, amount, on, reason, evidence = only(events, "2021-07-14", weeks(required=1))
    assert (status, amount, on, evidence) == ("not_earned", Decimal("0.00"),
                                              date(2020, 1, 26), ("e1",))
    assert reason.endswith("but the contract has no price for evidence level self_report "
                           "in segment A, and no confirmation by the employer or register was "
                           "recorded by 2021-07-14, when the follow-up ends")


def test_a_later_employer_confirmation_is_paid_at_its_price() -> None:
    events = rows(START_A, job("e1", "2020-01-20", hours="20", evidence="self_report"),
                  row("e1", "employment", "2020-01-20", recorded="2020-04-01", kind="open",
                      evidence="employer", hours_per_week="20"))
    assert only(events, "2020-03-31", weeks(required=1))[:3] == (
        "pending", Decimal("3000.00"), date(2020, 1, 26))
    assert only(events, "2020-04-01", weeks(required=1))[:3] == (
        "payable", Decimal("2500.00"), date(2020, 1, 26))


def test_reach_by_cuts_the_period_and_ends_hope_early() -> None:
    # cut at 2020-06-30: 23 whole weeks at most (2020-01-20..2020-06-28) < 26. As of Sunday
    # 2020-03-01, 6 weeks have ended (the 6th on that day) and 17 remain. It never could be
    # met, so it is lost (and dated) from the first day of the reference period, never after
    # the evaluation date
    events = rows(START_A, job("e1", "2020-01-20", hours="20"))
    contract = weeks(extra="    reach_by: 2020-06-30\n")
    status, amount, on, reason, evidence = only(events, "2020-03-01", contract)
    assert (status, amount, on, evidence) == ("not_earned", Decimal("3000.00"),
                                              date(2020, 1, 15), ("e1",))
    assert reason.startswith(
        "can no longer be met since 2020-01-15: 6 of 26 weeks with at least 18 h of work so "
        "far and 20 more needed, but only 17 whole weeks remain in the reference period "
        "2020-01-15..2020-06-30 (12 months from the service start, cut at 2020-06-30: the "
        "component's reach_by date)")


def test_waiting_for_service_start() -> None:
    events = row("r1", "referral", "2020-01-10", provider="acme", unemployed_since="2019-06-01")
    status, amount, on, reason, _ = only(events, "2020-02-01", weeks())
    assert (status, amount, on) == ("pending", Decimal("3000.00"), None)
    assert reason.startswith("waiting for the service start")


MONTHS = """
components:
  - id: condition
    kind: employment_condition
    unit: months
    min_monthly_wage: 1200.00
    required: {required}
    reference_period: 12 months
    amount: 5000.00
"""


@pytest.mark.parametrize(
    ("start", "jobs", "as_of", "status", "on"),
    [
        # January straddles the service start (2020-01-15): only February counts
        ("2020-01-15", [("e1", "2020-01-01", "2020-02-29", "2400.00")], "2020-03-01",
         "payable", date(2020, 2, 29)),
        # a full month at exactly the threshold, and a cent below it
        ("2020-01-15", [("e1", "2020-02-01", "2020-02-29", "1200.00")], "2020-03-01",
         "payable", date(2020, 2, 29)),
        ("2020-01-15", [("e1", "2020-02-01", "2020-02-29", "1199.99")], "2021-02-01",
         "not_earned", date(2020, 12, 31)),
        # a job ending mid-March: 2400 * 15/31 = 1161.29 fails; 2400 * 16/31 = 1238.71 counts
        ("2020-01-15", [("e1", "2020-03-01", "2020-03-15", "2400.00")], "2021-02-01",
         "not_earned", date(2020, 12, 31)),
        ("2020-01-15", [("e1", "2020-03-01", "2020-03-16", "2400.00")], "2020-04-01",
         "payable", date(2020, 3, 31)),
        # two jobs either side of a boundary inside March: 1000*15/31 + 1500*16/31 = 1258.06
        ("2020-01-15", [("e1", "2020-02-20", "2020-03-15", "1000.00"),
                        ("e2", "2020-03-16", "2020-04-05", "1500.00")], "2020-04-01",
         "payable", date(2020, 3, 31)),
        # leap February has 29 days: 14 days of 2400 = 1158.62, short; 15 days = 1241.38
        ("2020-01-15", [("e1", "2020-02-16", "2020-03-10", "2400.00")], "2020-03-01",
         "pending", date(2020, 12, 31)),
        ("2020-01-15", [("e1", "2020-02-15", "2020-03-10", "2400.00")], "2020-03-01",
         "payable", date(2020, 2, 29)),
        # a 28-day February: 14 days of 2400 = 1200.00 exactly
        ("2021-01-15", [("e1", "2021-02-15", "2021-03-10", "2400.00")], "2021-03-01",
         "payable", date(2021, 2, 28)),
        # February 2020 not over the day before its last day ...
        ("2020-01-15", [("e1", "2020-02-01", "2020-02-29", "2400.00")], "2020-02-28",
         "pending", date(2020, 12, 31)),
        # ... and counted on its last day
        ("2020-01-15", [("e1", "2020-02-01", "2020-02-29", "2400.00")], "2020-02-29",
         "payable", date(2020, 2, 29)),
    ])
def test_monthly_wage(start: str, jobs: list[tuple[str, str, str, str]], as_of: str,
                      status: str, on: date) -> None:
    events = rows(row("r1", "referral", "2020-01-10", provider="acme",
                      unemployed_since="2019-06-01"),
                  row("s1", "service_start", start),
                  *(job(i, first, last, hours="30", wage=wage) for i, first, last, wage in jobs))
    got = only(events, as_of, MONTHS.format(required=1))
    assert (got[0], got[1], got[2]) == (status, Decimal("5000.00"), on)
    if status == "payable":
        assert got[3].startswith(f"employment condition met on {on}: 1 of 1 months with wages "
                                 "of at least 1200.00 €")


def test_months_count_to_required() -> None:
    events = rows(START_A, job("e1", "2020-01-01", "2020-06-10", hours="30", wage="2000.00"))
    # Feb..May count (4 months); June 10 days of 2000 = 666.67 does not
    status, amount, on, reason, evidence = only(events, "2021-01-20",
                                                MONTHS.format(required=5))
    # lost when the last whole month (December) ended without a 5th month
    assert (status, amount, on, evidence) == ("not_earned", Decimal("5000.00"),
                                              date(2020, 12, 31), ("e1",))
    assert reason.startswith("only 4 of 5 months with wages of at least 1200.00 € by the end "
                             "of the reference period 2020-01-15..2021-01-14")
    assert "; its last whole month ended 2020-12-31, 1 more was needed" in reason
    status, amount, on, _, _ = only(events, "2021-01-20", MONTHS.format(required=4))
    assert (status, amount, on) == ("payable", Decimal("5000.00"), date(2020, 5, 31))


# --- look_back: the law's review period, work before the service counted ---------------------

# 10 weeks within 12 months, the review period looking back from each week's Sunday; the
# service starts on Wednesday 2020-01-15, its first whole week is 2020-01-20..26
LOOK_BACK = weeks(10, "    look_back: true\n")
NEW_JOB = job("e1", "2020-01-20", hours=20)


def _met_on(contract: str, *earlier: str) -> tuple[str, date | None, str]:
    status, _, on, reason, _ = only(rows(START_A, *earlier, NEW_JOB), "2020-06-30", contract)
    return status, on, reason


@pytest.mark.parametrize(("first_week", "on"), [
    ("2019-11-18", date(2020, 2, 16)),  # 6 weeks before the service: 4 more needed
    ("2019-11-11", date(2020, 2, 9)),  # 7 weeks: 3 more
    ("2019-11-04", date(2020, 2, 2)),  # 8 weeks: 2 more
])
def test_weeks_before_the_service_count_towards_the_condition(first_week: str, on: date
                                                              ) -> None:
    earlier = job("p", first_week, "2019-12-29", hours=20)  # Monday to a Sunday
    status, met, reason = _met_on(LOOK_BACK, earlier)
    assert (status, met) == ("payable", on)
    assert (f"employment condition met on {on}: 10 of 10 weeks with at least 18 h of work, "
            f"counted from the week starting {first_week}, in the review period") in reason
    assert "(12 months up to " in reason and "work before the service counted); jobs e1, p" \
        in reason
    # counted from the service start, the same work meets it only after 10 new weeks
    assert _met_on(weeks(10), earlier)[:2] == ("payable", date(2020, 3, 29))


def test_weeks_older_than_the_review_period_drop_out() -> None:
    """8 weeks early in 2019: by the time new work is added they have left the 12 months
    ending with each week, so the condition is met as if they had never been worked."""
    earlier = job("p", "2019-01-14", "2019-03-10", hours=20)
    assert _met_on(LOOK_BACK, earlier)[:2] == ("payable", date(2020, 3, 29))


@pytest.mark.parametrize(("weeks_before", "status"), [(9, "payable"), (10, "not_earned")])
def test_a_condition_met_already_at_the_service_start_is_not_paid(weeks_before: int,
                                                                  status: str) -> None:
    first = date(2019, 12, 16).toordinal() - 7 * (weeks_before - 1)  # Mondays to 2019-12-22
    earlier = job("p", date.fromordinal(first).isoformat(), "2019-12-22", hours=20)
    result = one(contract_from(LOOK_BACK), rows(START_A, earlier, NEW_JOB), "2020-06-30")
    (ln,) = result.lines
    assert ln.status == status
    if status == "payable":  # one week short at the start: met in the service's first week
        assert (ln.amount, ln.date) == (Decimal("3000.00"), date(2020, 1, 26))
        return
    # met before the service: never offered, so nothing is forgone
    assert (ln.quantity, ln.amount, ln.date) == (Decimal(0), Decimal("0.00"), date(2020, 1, 15))
    assert ln.reason.startswith(
        "the employment condition was met already when the service started on 2020-01-15: "
        "10 of 10 weeks with at least 18 h of work in the review period 2019-01-15..2020-01-14")


@pytest.mark.parametrize(("as_of", "status", "on"), [
    ("2020-01-27", "pending", date(2020, 3, 1)),  # 5 + 5 weeks may still come
    ("2020-02-02", "not_earned", date(2020, 2, 2)),  # a week without work: 5 + 4 cannot
])
def test_pending_while_a_week_to_the_deadline_may_complete_it(as_of: str, status: str,
                                                               on: date) -> None:
    contract = weeks(10, "    look_back: true\n    reach_by: 2020-03-01\n")
    earlier = job("p", "2019-11-04", "2019-12-08", hours=20)  # 5 weeks
    got, _, day, reason, _ = only(rows(START_A, earlier), as_of, contract)
    assert (got, day) == (status, on)
    if status == "pending":
        assert "5 of 10 weeks with at least 18 h of work in the review period " \
               "2019-01-27..2020-01-26" in reason
        assert "may still be met by 2020-03-01, the last whole week before the deadline" \
            in reason
    else:
        assert reason.startswith("can no longer be met since 2020-02-02: 5 of 10 weeks")


def test_the_rule_says_the_review_period_looks_back() -> None:
    result = one(contract_from(LOOK_BACK), rows(START_A, NEW_JOB), "2020-06-30")
    assert "10 qualifying calendar weeks with at least 18 h of work, in the 12 months up to " \
           "a week's end (work before the service counts), met after the service starts" in str(
               result.traces["condition"].rules)


# the service starts on Wednesday 2020-01-15: the week 2020-01-13..19 holds its start
STRADDLING = job("p", "2019-12-23", "2020-01-19", hours=20)  # 3 whole weeks before, and it


@pytest.mark.parametrize(("as_of", "status", "on"), [
    ("2020-01-15", "pending", date(2021, 7, 11)),  # in the week holding the start: no crash
    ("2020-01-18", "pending", date(2021, 7, 11)),  # its last day not reached yet
    ("2020-01-19", "payable", date(2020, 1, 19)),  # its last day: 4 weeks, in the service
])
def test_the_week_holding_the_service_start_counts_after_it_not_before(
        as_of: str, status: str, on: date) -> None:
    """It was counted with the weeks before the service (met already: not paid), and an
    evaluation inside it stopped with an error."""
    got, amount, day, reason, _ = only(rows(START_A, STRADDLING), as_of,
                                      weeks(4, "    look_back: true\n"))
    assert (got, day) == (status, on)
    if status == "payable":
        assert amount == Decimal("3000.00")
        assert reason.startswith("employment condition met on 2020-01-19: 4 of 4 weeks")
    else:
        assert reason.startswith("3 of 4 weeks with at least 18 h of work in the review period "
                                 "2019-01-15..2020-01-14")


@pytest.mark.parametrize(("as_of", "status"), [("2020-03-20", "pending"),
                                               ("2020-03-31", "payable")])
def test_the_month_holding_the_service_start_counts_after_it(as_of: str, status: str) -> None:
    """Service from 2020-03-16; wages in December to February, and March: 4 months met on
    2020-03-31, in the service (3 before it do not meet 4)."""
    start = rows(row("r1", "referral", "2020-03-10", provider="acme",
                     unemployed_since="2019-06-01"), row("s1", "service_start", "2020-03-16"))
    worked = job("p", "2019-12-01", "2020-03-31", hours=37.5, wage="1300.00")
    contract = MONTHS.format(required=4) + "    look_back: true\n"
    got, amount, day, _, _ = only(rows(start, worked), as_of, contract)
    assert got == status
    if status == "payable":
        assert (amount, day) == (Decimal("5000.00"), date(2020, 3, 31))


def test_a_review_period_too_short_for_the_units_required_is_c218() -> None:
    from conftest import CONTRACT_HEAD

    from rewardengine.pipeline import load_contract_text

    text = CONTRACT_HEAD + MONTHS.format(required=12).replace(
        "reference_period: 12 months", "reference_period: 3 months") + "    look_back: true\n"
    _, found = load_contract_text(text, "c.yaml")
    assert [(p.code, p.message) for p in found if p.severity == "error"] == [(
        "C218", "look_back: a reference_period of 3 months holds at most 3 whole calendar "
                "months, fewer than the 12 required: the condition can never be met")]
    _, fine = load_contract_text(text.replace("required: 12", "required: 3"), "c.yaml")
    assert [p for p in fine if p.severity == "error"] == []


def test_a_service_start_booked_ahead_of_the_evaluation_date_is_pending() -> None:
    """A review: a service start recorded on 2020-01-10 for 2020-01-22, evaluated on
    2020-01-12, stopped with an error (the week before the start had not ended)."""
    booked = rows(row("r1", "referral", "2020-01-10", provider="acme",
                      unemployed_since="2019-06-01"),
                  row("s1", "service_start", "2020-01-22", recorded="2020-01-10"),
                  job("p", "2019-10-07", "2020-01-05", hours=20))
    for as_of in ("2020-01-12", "2020-01-20"):
        got, _, _, _, _ = only(booked, as_of, weeks(20, "    look_back: true\n"))
        assert got == "pending", as_of
    # 13 weeks before: met already once the weeks before the start have ended
    got, amount, _, _, _ = only(booked, "2020-01-22", weeks(13, "    look_back: true\n"))
    assert (got, amount) == ("not_earned", Decimal("0.00"))


# reach_within from the service start (Wednesday 2020-01-15) cuts the reference period: 47
# days end on Sunday 2020-03-01 (2020-03-02, exclusive), the last day of the 6th whole week
@pytest.mark.parametrize(("within", "status", "on", "cut_at"), [
    ("46 days", "not_earned", date(2020, 1, 15), "2020-02-29"),  # the 6th week not whole
    ("47 days", "payable", date(2020, 3, 1), "2020-03-01"),
    ("48 days", "payable", date(2020, 3, 1), "2020-03-02"),
])
def test_reach_within_cuts_the_reference_period(within: str, status: str, on: date,
                                                cut_at: str) -> None:
    got = only(rows(START_A, job("E1", "2020-01-20", hours=20)), "2020-06-01",
               weeks(6, f"    reach_within: {within}\n"))
    assert got[:3] == (status, Decimal("3000.00"), on)
    assert (f"reference period 2020-01-15..{cut_at} (12 months from the service start, cut at "
            f"{cut_at}: the component's reach_within of {within} from the service start)"
            ) in got[3]
