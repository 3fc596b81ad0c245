"""milestones: 4/12/26-week steps, sustainment payments and the benefit test."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from conftest import contract_from, one
from test_kind_employment_outcome import START, facts, job

from rewardengine.evaluate.lines import Line
from rewardengine.kinds.milestones import outcome_months

D = date.fromisoformat
FOLLOW_UP_ENDS = D("2021-07-14")

LADDER = """
components:
  - id: ladder
    kind: milestones
    work: {min_hours_per_week: 15}
    steps:
      - {after: 4 weeks, amount: 400.00}
      - {after: 12 weeks, amount: 1200.00}
      - {after: 26 weeks, amount: 2600.00}
    sustainment: {every: 4 weeks, amount: 300.00, max_count: 2}
"""


def lines(contract: str, *rows: str, as_of: str) -> list[Line]:
    return one(contract_from(contract), START + "\n".join(rows), as_of).lines


def benefit(eid: str, month: str, amount: str = "", days: str = "") -> str:
    # event_id,customer_id,type,date,recorded,end,void,provider,segment,unemployed_since,
    # birth_date,hours,activity,responded,kind,evidence,fte,hours_per_week,wage,days,amount
    return f"{eid},c1,benefit,{month},,,,,,,,,,,,,,,,{days},{amount}"


E1 = job("E1", "2020-02-03", hours="20")
# 4 weeks from Feb 3 end on Mar 1 (28 days), 12 weeks on Apr 26 (84), 26 weeks on Aug 2 (182);
# sustainment 1 at 210 days (Aug 30), 2 at 238 days (Sep 27)
STEP4 = ("payable", "step:4 weeks", D("2020-03-01"), Decimal("400.00"), ("E1",))
STEP12 = ("payable", "step:12 weeks", D("2020-04-26"), Decimal("1200.00"), ("E1",))
STEP26 = ("payable", "step:26 weeks", D("2020-08-02"), Decimal("2600.00"), ("E1",))


@pytest.mark.parametrize(("as_of", "expected"), [
    ("2020-02-20", [
        ("pending", "step:4 weeks", FOLLOW_UP_ENDS, Decimal("400.00"), ("E1",)),
        ("pending", "step:12 weeks", FOLLOW_UP_ENDS, Decimal("1200.00"), ("E1",)),
        ("pending", "step:26 weeks", FOLLOW_UP_ENDS, Decimal("2600.00"), ("E1",)),
    ]),
    ("2020-06-01", [
        STEP4, STEP12,
        ("pending", "step:26 weeks", FOLLOW_UP_ENDS, Decimal("2600.00"), ("E1",)),
    ]),
    ("2020-08-15", [
        STEP4, STEP12, STEP26,
        ("pending", "sustain:1", FOLLOW_UP_ENDS, Decimal("300.00"), ("E1",)),
    ]),
    ("2020-09-01", [
        STEP4, STEP12, STEP26,
        ("payable", "sustain:1", D("2020-08-30"), Decimal("300.00"), ("E1",)),
        ("pending", "sustain:2", FOLLOW_UP_ENDS, Decimal("300.00"), ("E1",)),
    ]),
    ("2021-01-01", [
        STEP4, STEP12, STEP26,
        ("payable", "sustain:1", D("2020-08-30"), Decimal("300.00"), ("E1",)),
        ("payable", "sustain:2", D("2020-09-27"), Decimal("300.00"), ("E1",)),
    ]),
])
def test_ladder_4_12_26_weeks_with_sustainment(as_of: str,
                                               expected: list[tuple[object, ...]]) -> None:
    assert [facts(ln) for ln in lines(LADDER, E1, as_of=as_of)] == expected


def test_step_and_sustainment_reasons() -> None:
    got = lines(LADDER, E1, as_of="2020-09-01")
    assert got[0].reason == ("employment E1 reached 4 weeks (28 days) on 2020-03-01 at "
                             "20 h/week, register-verified")
    assert got[3].reason == ("employment E1 reached 26 weeks (182 days) plus 1 x 4 weeks "
                             "(210 days) on 2020-08-30 at 20 h/week, register-verified "
                             "(sustainment 1 of 2)")
    assert got[3].period_start == D("2020-08-03")  # rests on the days after the last step
    assert got[4].reason == ("needs 26 more days of qualifying work (15 h/week or more, open) "
                             "by 2021-07-14, when the follow-up ends; 212 of 238 days so far "
                             "in the spell from 2020-02-03 (sustainment 2 of 2)")
    early = lines(LADDER, E1, as_of="2020-02-20")
    assert early[0].reason.startswith("needs 10 more days of qualifying work")


def test_job_ends_between_steps_then_the_deadline_passes() -> None:
    short = job("E1", "2020-02-03", "2020-05-31", hours="20")
    got = lines(LADDER, short, as_of="2021-08-01")
    assert [facts(ln) for ln in got] == [
        STEP4, STEP12,
        ("not_earned", "step:26 weeks", FOLLOW_UP_ENDS, Decimal("2600.00"), ("E1",)),
    ]
    assert got[2].reason == ("only 119 of 182 days of qualifying work (15 h/week or more, "
                             "open) by 2021-07-14, when the follow-up ends")


def test_sustainment_goes_on_in_a_later_spell() -> None:
    # Rule changed (was: sustainment only in the spell that reached the last step). A break
    # after the outcome pauses sustainment: otherwise a longer earlier job, reaching the steps
    # in a shorter spell, could pay less than a shorter one (the engine must never pay less
    # for more work). 26 weeks = 182 days reached on Aug 2; E1 runs to Aug 20 (200 days);
    # sustainment 1 needs 210 counted days: 10 more of E2 from Oct 1, so Oct 10; sustainment 2
    # needs 238: 28 more, Nov 7.
    got = lines(LADDER, job("E1", "2020-02-03", "2020-08-20", hours="20"),
                job("E2", "2020-10-01", hours="20"), as_of="2021-08-01")
    assert [facts(ln) for ln in got] == [
        STEP4, STEP12, STEP26,
        ("payable", "sustain:1", D("2020-10-10"), Decimal("300.00"), ("E1", "E2")),
        ("payable", "sustain:2", D("2020-11-07"), Decimal("300.00"), ("E2",)),
    ]
    assert got[3].reason == ("employment E1 and E2 reached 26 weeks (182 days) plus 1 x 4 "
                             "weeks (210 days) on 2020-10-10 at 20 h/week, register-verified "
                             "(sustainment 1 of 2)")


def test_cumulative_ladder_adds_spells() -> None:
    contract = LADDER.replace("    steps:", "    counting: cumulative\n    steps:")
    got = lines(contract, job("E1", "2020-02-03", "2020-02-16", hours="20"),
                job("E2", "2020-03-02", hours="20"), as_of="2020-03-31")
    # 14 days of E1, then 14 of E2: 4 weeks on Mar 15
    assert [facts(ln)[:4] for ln in got] == [
        ("payable", "step:4 weeks", D("2020-03-15"), Decimal("400.00")),
        ("pending", "step:12 weeks", FOLLOW_UP_ENDS, Decimal("1200.00")),
        ("pending", "step:26 weeks", FOLLOW_UP_ENDS, Decimal("2600.00")),
    ]
    assert got[0].evidence == ("E1", "E2")


def test_no_service_started() -> None:
    result = one(contract_from(LADDER), "r1,c1,referral,2020-01-10,,,,acme,,2019-06-01\n",
                 "2020-03-01")
    assert [facts(ln) for ln in result.lines] == [
        ("pending", "step:4 weeks", None, Decimal("400.00"), ()),
        ("pending", "step:12 weeks", None, Decimal("1200.00"), ()),
        ("pending", "step:26 weeks", None, Decimal("2600.00"), ()),
    ]


def test_step_priced_by_evidence() -> None:
    contract = LADDER.replace("{after: 4 weeks, amount: 400.00}",
                              "{after: 4 weeks, amount: {register: 400.00, "
                              "self_report: 100.00}}")
    got = lines(contract, job("E1", "2020-02-03", hours="20", evidence="self_report"),
                as_of="2020-03-05")
    assert facts(got[0]) == ("payable", "step:4 weeks", D("2020-03-01"), Decimal("100.00"),
                             ("E1",))


# --- benefit test --------------------------------------------------------------------------

BENEFIT = """
components:
  - id: au
    kind: milestones
    work: {min_hours_per_week: 15}
    steps:
      - {after: 12 weeks, amount: 1200.00}
    benefit_test:
      measure: {measure}
      baseline: 3 months
      full_fall: 1
      partial_fall: 0.4
      partial_share: 0.5
"""
# The baseline [2019-10-15, 2020-01-15) holds the whole months Nov and Dec 2019 (October is
# cut by the period start, so B0 does not count); the 12-week step on 2020-04-26 is compared
# with [2020-01-27, 2020-04-27): the whole months Feb and Mar 2020.
BASELINE = [benefit("B0", "2019-10-01", "900.00"), benefit("B1", "2019-11-01", "600.00"),
            benefit("B2", "2019-12-01", "600.00"), benefit("B3", "2020-01-01", "600.00")]


@pytest.mark.parametrize(("during", "status", "quantity", "amount", "says"), [
    ([], "payable", Decimal(1), Decimal("1200.00"),
     "fell 100 %, at least the 100 % for a full outcome"),
    ([benefit("B4", "2020-02-01", "300.00"), benefit("B5", "2020-03-01", "300.00")],
     "payable", Decimal("0.5"), Decimal("600.00"),
     "fell 50 %, at least the 40 % for a partial outcome (50 % of the amount)"),
    # 360 a month is exactly a 40 % fall: partial
    ([benefit("B4", "2020-02-01", "360.00"), benefit("B5", "2020-03-01", "360.00")],
     "payable", Decimal("0.5"), Decimal("600.00"), "fell 40 %"),
    ([benefit("B4", "2020-02-01", "360.01"), benefit("B5", "2020-03-01", "360.00")],
     "not_earned", Decimal(1), Decimal("1200.00"),
     "fell only 40 %, less than the 40 % needed"),
    ([benefit("B4", "2020-02-01", "500.00"), benefit("B5", "2020-03-01", "500.00")],
     "not_earned", Decimal(1), Decimal("1200.00"),
     "fell only 16.7 %, less than the 40 % needed"),
])
def test_benefit_test_full_partial_none(during: list[str], status: str, quantity: Decimal,
                                        amount: Decimal, says: str) -> None:
    # after the deadline: a step lost in the only spell stays lost (before it, another spell
    # may still reach the step: test_a_step_lost_on_its_benefit_test_awaits_another_spell)
    got = lines(BENEFIT.replace("{measure}", "amount"), *BASELINE, *during, E1,
                as_of="2021-08-01")
    assert len(got) == 1
    ln = got[0]
    assert (ln.status, ln.occurrence, ln.date, ln.quantity, ln.unit_price, ln.amount) == (
        status, "step:12 weeks", D("2020-04-26"), quantity, Decimal("1200.00"), amount)
    assert ln.evidence == tuple(sorted(["B1", "B2", "E1",
                                        *(r.split(",")[0] for r in during)]))
    assert says in ln.reason
    assert "benefit amount a month 600.00 in 2019-11..2019-12 before the service" in ln.reason


def test_benefit_test_by_days() -> None:
    rows = [benefit("B1", "2019-11-01", days="30"), benefit("B2", "2019-12-01", days="31"),
            benefit("B4", "2020-02-01", days="10"), benefit("B5", "2020-03-01", days="0")]
    got = lines(BENEFIT.replace("{measure}", "days"), *rows, E1, as_of="2020-06-01")
    # 30.5 -> 5 days a month: a fall of 83.6 %, partial
    assert facts(got[0]) == ("payable", "step:12 weeks", D("2020-04-26"), Decimal("600.00"),
                             ("B1", "B2", "B4", "B5", "E1"))
    assert "benefit days a month 30.5 days in 2019-11..2019-12 before the service, 5 days " \
           "in 2020-02..2020-03: fell 83.6 %" in got[0].reason


def test_benefit_test_with_no_baseline_benefit() -> None:
    # zero_baseline: full_if_none_during (the default, no_fall, is tested with the shared
    # setting in test_benefit_tests.py)
    contract = BENEFIT.replace("{measure}", "amount").replace(
        "      full_fall: 1\n", "      full_fall: 1\n      zero_baseline: full_if_none_during\n")
    got = lines(contract, E1, as_of="2020-06-01")
    assert facts(got[0]) == ("payable", "step:12 weeks", D("2020-04-26"), Decimal("1200.00"),
                             ("E1",))
    assert got[0].reason.endswith("no benefit before or during, counted as a full fall")
    rose = lines(contract, benefit("B4", "2020-02-01", "100.00"), E1, as_of="2021-08-01")
    assert facts(rose[0])[:4] == ("not_earned", "step:12 weeks", D("2020-04-26"),
                                  Decimal("1200.00"))
    assert rose[0].reason.endswith("benefit rose from nothing, no fall")


def test_benefit_pending_step_mentions_the_test() -> None:
    got = lines(BENEFIT.replace("{measure}", "amount"), *BASELINE, E1, as_of="2020-03-01")
    assert facts(got[0]) == ("pending", "step:12 weeks", FOLLOW_UP_ENDS, Decimal("1200.00"),
                             ("E1",))
    assert got[0].reason.endswith("; then the benefit test applies")


HALF_TIME_LADDER = LADDER.replace("work: {min_hours_per_week: 15}", "work: {min_fte: 0.5}")
HALF_TIME_JOBS = (job("E1", "2020-04-02", fte="0.5"), job("E2", "2020-01-01", fte="0.5"))


def test_sustainment_across_stretches_of_different_jobs() -> None:
    # two half-time jobs: E2 from Jan 1, E1 joins on Apr 2; 4 weeks of 0.5 + 0.5 FTE from Apr 2
    got = lines(HALF_TIME_LADDER, *HALF_TIME_JOBS, as_of="2020-09-30")
    # the spell starts at the service start (Jan 15): 26 weeks end on Jul 14
    assert [facts(ln)[:3] for ln in got] == [
        ("payable", "step:4 weeks", D("2020-02-11")),
        ("payable", "step:12 weeks", D("2020-04-07")),
        ("payable", "step:26 weeks", D("2020-07-14")),
        ("payable", "sustain:1", D("2020-08-11")),
        ("payable", "sustain:2", D("2020-09-08")),
    ]
    assert got[0].evidence == ("E2",)
    assert got[3].evidence == ("E1", "E2")
    assert (got[3].period_start, got[3].period_end) == (D("2020-07-15"), D("2020-08-12"))


def test_benefit_step_lost_after_the_deadline_does_not_mention_the_test() -> None:
    got = lines(BENEFIT.replace("{measure}", "amount"), *BASELINE,
                job("E1", "2020-02-03", "2020-03-31", hours="20"), as_of="2021-08-01")
    assert facts(got[0]) == ("not_earned", "step:12 weeks", FOLLOW_UP_ENDS,
                             Decimal("1200.00"), ("E1",))
    assert got[0].reason == ("only 58 of 84 days of qualifying work (15 h/week or more, open) "
                             "by 2021-07-14, when the follow-up ends")


# --- benefit test over the outcome period (compare: outcome_period) -------------------------

OUTCOME_PERIOD = """
components:
  - id: au
    kind: milestones
    work: {min_hours_per_week: 15}
    steps:
      - {after: 4 weeks, amount: 400.00}
      - {after: 12 weeks, amount: 1200.00}
    benefit_test:
      measure: amount
      baseline: 3 months
      compare: outcome_period
      full_fall: 1
      partial_fall: 0.4
      partial_share: 0.5
"""
# E1 starts 2020-02-03: benefit is still paid for January and February (the job's first
# month), and stops from March. The 4-week step (2020-03-01) is compared with the outcome
# month March; the 12-week step (2020-04-26) with March..April.
STOPS = [*BASELINE, benefit("B4", "2020-02-01", "600.00"), benefit("B5", "2020-03-01", "0.00"),
         benefit("B6", "2020-04-01", "0.00")]


@pytest.mark.parametrize(("spell_start", "day", "months"), [
    ("2020-02-03", "2020-03-01", ["2020-03"]),  # the first month beginning after the start
    ("2020-02-01", "2020-02-28", ["2020-02"]),  # a spell from the 1st: its month counts
    ("2020-02-01", "2020-04-24", ["2020-02", "2020-03", "2020-04"]),
    ("2020-03-02", "2020-03-29", ["2020-03"]),  # no month begins in between: the day's month
    ("2020-01-31", "2020-02-27", ["2020-02"]),
    ("2020-01-15", "2020-04-08", ["2020-02", "2020-03", "2020-04"]),
])
def test_outcome_months(spell_start: str, day: str, months: list[str]) -> None:
    assert [f"{m.start:%Y-%m}" for m in outcome_months(D(spell_start), D(day))] == months


def test_outcome_period_pays_the_4_week_step_when_benefit_stops_with_the_job() -> None:
    got = lines(OUTCOME_PERIOD, *STOPS, E1, as_of="2020-06-01")
    assert [facts(ln) for ln in got] == [
        ("payable", "step:4 weeks", D("2020-03-01"), Decimal("400.00"),
         ("B1", "B2", "B5", "E1")),
        ("payable", "step:12 weeks", D("2020-04-26"), Decimal("1200.00"),
         ("B1", "B2", "B5", "B6", "E1")),
    ]
    assert got[0].reason == (
        "employment E1 reached 4 weeks (28 days) on 2020-03-01 at 20 h/week, register-verified; "
        "benefit amount a month 600.00 in 2019-11..2019-12 before the service, 0.00 in the "
        "outcome month 2020-03: fell 100 %, at least the 100 % for a full outcome")
    assert "0.00 in the outcome months 2020-03..2020-04: fell 100 %" in got[1].reason
    # the rolling months ending on the step's day are January and February, before the
    # benefit stopped: the default comparison does not pay the 4-week step
    rolling = lines(OUTCOME_PERIOD.replace("      compare: outcome_period\n", ""), *STOPS, E1,
                    as_of="2021-08-01")
    assert facts(rolling[0]) == ("not_earned", "step:4 weeks", D("2020-03-01"),
                                 Decimal("400.00"), ("B1", "B2", "B3", "B4", "E1"))
    assert "600.00 in 2020-01..2020-02: fell only 0 %, less than the 40 % needed" in \
        rolling[0].reason


def test_outcome_period_step_pending_until_its_last_month_has_ended() -> None:
    got = lines(OUTCOME_PERIOD, *STOPS, E1, as_of="2020-03-30")
    assert [(ln.status, ln.occurrence, ln.date, ln.quantity, ln.amount) for ln in got] == [
        ("pending", "step:4 weeks", D("2020-03-31"), Decimal(1), Decimal("400.00")),
        ("pending", "step:12 weeks", FOLLOW_UP_ENDS, Decimal(1), Decimal("1200.00")),
    ]
    assert got[0].reason.endswith(
        "0.00 so far in the outcome month 2020-03: fell 100 % so far, at least the 100 % for a "
        "full outcome; decided once 2020-03 has ended, on 2020-03-31 (benefit still to come "
        "can only lower the fall)")
    # on the month's last day it is decided, and accrues on the step's day
    decided = lines(OUTCOME_PERIOD, *STOPS, E1, as_of="2020-03-31")
    assert facts(decided[0]) == ("payable", "step:4 weeks", D("2020-03-01"), Decimal("400.00"),
                                 ("B1", "B2", "B5", "E1"))


def test_outcome_period_month_without_a_row_counts_as_0_and_is_named() -> None:
    rows = [*BASELINE, benefit("B4", "2020-02-01", "600.00")]  # no row for March
    waiting = lines(OUTCOME_PERIOD, *rows, E1, as_of="2020-03-15")
    assert waiting[0].status == "pending"
    assert "no benefit row" not in waiting[0].reason  # March has not ended: nothing missing
    got = lines(OUTCOME_PERIOD, *rows, E1, as_of="2020-03-31")
    assert facts(got[0]) == ("payable", "step:4 weeks", D("2020-03-01"), Decimal("400.00"),
                             ("B1", "B2", "E1"))
    assert "0.00 in the outcome month 2020-03 (no benefit row for 2020-03: counted as 0): " \
           "fell 100 %" in got[0].reason


def test_outcome_period_partial_pending_at_its_best_then_paid() -> None:
    rows = [*BASELINE, benefit("B5", "2020-03-01", "300.00"), benefit("B6", "2020-04-01", "300.00")]
    got = lines(OUTCOME_PERIOD, *rows, E1, as_of="2020-04-27")
    assert [(ln.status, ln.occurrence, ln.date, ln.quantity, ln.amount) for ln in got] == [
        ("payable", "step:4 weeks", D("2020-03-01"), Decimal("0.5"), Decimal("200.00")),
        ("pending", "step:12 weeks", D("2020-04-30"), Decimal("0.5"), Decimal("600.00")),
    ]
    assert got[1].reason.endswith(
        "300.00 so far in the outcome months 2020-03..2020-04: fell 50 % so far, at least the "
        "40 % for a partial outcome (50 % of the amount), at best; decided once 2020-04 has "
        "ended, on 2020-04-30 (benefit still to come can only lower the fall)")
    paid = lines(OUTCOME_PERIOD, *rows, E1, as_of="2020-04-30")
    assert facts(paid[1]) == ("payable", "step:12 weeks", D("2020-04-26"), Decimal("600.00"),
                              ("B1", "B2", "B5", "B6", "E1"))


def test_outcome_period_lost_before_the_month_ends_when_benefit_is_already_too_high() -> None:
    # lost in E1's spell before March ends; the step awaits another spell until the deadline
    rows = [*BASELINE, benefit("B5", "2020-03-01", "500.00")]
    got = lines(OUTCOME_PERIOD, *rows, E1, as_of="2020-03-10")
    assert facts(got[0]) == ("pending", "step:4 weeks", FOLLOW_UP_ENDS, Decimal("400.00"),
                             ("B1", "B2", "B5", "E1"))
    assert got[0].reason.endswith(
        "500.00 so far in the outcome month 2020-03: fell only 16.7 % so far, less than the 40 % "
        "needed, and benefit still to come can only lower the fall, so it can no longer be "
        "earned; then the benefit test applies")


# --- sustainment requires the last step to be paid -----------------------------------------

SUSTAINED = """
components:
  - id: uk
    kind: milestones
    work: {min_hours_per_week: 15}
    steps:
      - {after: 12 weeks, amount: 1200.00}
    sustainment: {every: 4 weeks, amount: 300.00, max_count: 2}
    benefit_test: {measure: amount, baseline: 3 months, full_fall: 1, partial_fall: 0.4,
                   partial_share: 0.5}
"""


def test_no_sustainment_after_a_failed_benefit_test() -> None:
    # the 12-week step (2020-04-26) is compared with February..March: no fall. The work goes on
    # past both sustainment days (2020-05-24, 2020-06-21), but nothing follows a lost step
    rows = [*BASELINE, benefit("B4", "2020-02-01", "600.00"), benefit("B5", "2020-03-01", "600.00")]
    got = lines(SUSTAINED, *rows, E1, as_of="2021-08-01")
    assert [facts(ln) for ln in got] == [
        ("not_earned", "step:12 weeks", D("2020-04-26"), Decimal("1200.00"),
         ("B1", "B2", "B4", "B5", "E1"))]
    assert got[0].reason.endswith("fell only 0 %, less than the 40 % needed; no sustainment "
                                  "payments follow a step that is not paid")


# E1 reaches 12 weeks on 2020-04-26 while benefit is still paid (February..March: no fall);
# E2, begun after a break, reaches them on 2020-08-23 off benefit (June..July: no rows)
STILL_ON_BENEFIT = [*BASELINE, benefit("B4", "2020-02-01", "600.00"),
                    benefit("B5", "2020-03-01", "600.00")]
ON_BENEFIT_THEN_OFF = (job("E1", "2020-02-03", "2020-04-30", hours="20"),
                       job("E2", "2020-06-01", hours="20"))


@pytest.mark.parametrize(("as_of", "expected"), [
    ("2020-08-22", ("pending", "step:12 weeks", FOLLOW_UP_ENDS, Decimal("1200.00"),
                    ("E2", "B1", "B2", "B4", "B5", "E1"))),
    ("2020-08-23", ("payable", "step:12 weeks", D("2020-08-23"), Decimal("1200.00"),
                    ("B1", "B2", "E2"))),
    ("2020-08-24", ("payable", "step:12 weeks", D("2020-08-23"), Decimal("1200.00"),
                    ("B1", "B2", "E2"))),
])
def test_a_step_lost_on_its_benefit_test_awaits_another_spell(
        as_of: str, expected: tuple[object, ...]) -> None:
    """A third review: the first spell to reach a step took it even when its benefit test
    failed, so a later job off benefit never paid it (a job while on benefit, then one off
    it, paid less than the second alone)."""
    got = lines(SUSTAINED, *STILL_ON_BENEFIT, *ON_BENEFIT_THEN_OFF, as_of=as_of)
    assert facts(got[0]) == expected
    if expected[0] == "pending":
        assert got[0].reason == (
            "needs 1 more day of qualifying work (15 h/week or more, open) by 2021-07-14, when "
            "the follow-up ends; 83 of 84 days so far in the spell from 2020-06-01; the spell "
            "from 2020-02-03 (E1) reached 12 weeks on 2020-04-26, but it is not paid; benefit "
            "amount a month 600.00 in 2019-11..2019-12 before the service, 600.00 in "
            "2020-02..2020-03: fell only 0 %, less than the 40 % needed; then the benefit test "
            "applies")
        assert len(got) == 1  # no sustainment awaits a step not reached
    else:
        assert [facts(ln)[:2] for ln in got[1:]] == [("pending", "sustain:1")]


@pytest.mark.parametrize(("as_of", "status"), [
    ("2021-07-13", "pending"), ("2021-07-14", "not_earned"), ("2021-07-15", "not_earned")])
def test_a_step_lost_on_its_benefit_test_is_lost_once_the_deadline_passes(
        as_of: str, status: str) -> None:
    got = lines(SUSTAINED, *STILL_ON_BENEFIT, job("E1", "2020-02-03", hours="20"), as_of=as_of)
    assert [facts(ln)[:2] for ln in got] == [(status, "step:12 weeks")]
    if status == "pending":
        assert got[0].reason.startswith("needs a new spell of 84 days of qualifying work")


def test_a_step_lost_on_the_months_before_the_service_is_lost_at_once() -> None:
    # no benefit before the service, zero_baseline: no_fall: no spell can show a fall
    contract = SUSTAINED.replace("partial_share: 0.5}", "partial_share: 0.5, zero_baseline: "
                                 "no_fall}")
    got = lines(contract, *ON_BENEFIT_THEN_OFF, as_of="2020-05-01")
    assert [facts(ln)[:3] for ln in got] == [("not_earned", "step:12 weeks", D("2020-04-26"))]
    assert got[0].reason.endswith("(zero_baseline: no_fall); no sustainment payments follow a "
                                  "step that is not paid")


def test_a_step_not_priced_with_a_benefit_test_says_the_price_not_the_test() -> None:
    """A review: a step whose register-verified evidence has no price was shown as lost on
    its benefit test (which it passed), awaiting another spell."""
    text = SUSTAINED.replace("amount: 1200.00}", "amount: {employer: 1200.00}}")
    got = lines(text, *BASELINE, E1, as_of="2020-06-01")
    assert [facts(ln)[:4] for ln in got] == [
        ("pending", "step:12 weeks", FOLLOW_UP_ENDS, Decimal("1200.00"))]
    assert got[0].reason.endswith(
        "the spell from 2020-02-03 (E1) reached 12 weeks on 2020-04-26, but on evidence "
        "'register', which the price table does not price; then the benefit test applies")
    assert "fell" not in got[0].reason  # the test it passed is not cited
    lost = lines(text, *BASELINE, E1, as_of="2021-07-14")
    assert [facts(ln)[:4] for ln in lost] == [
        ("not_earned", "step:12 weeks", D("2020-04-26"), Decimal("0.00"))]
    assert lost[0].reason.endswith("but the price table has no price for register-verified "
                                   "work (evidence 'register'); no sustainment payments follow "
                                   "a step that is not paid")


# the 12-week step priced for employer-confirmed work only: E1, on the register, reaches it
# on 2020-04-26 unpriced (no confirmation can price it); E2, employer-confirmed and begun
# after a break, reaches it on 2020-08-23
EMPLOYER_ONLY = LADDER.replace("{after: 12 weeks, amount: 1200.00}",
                               "{after: 12 weeks, amount: {employer: 1200.00}}")
REGISTER_THEN_EMPLOYER = (job("E1", "2020-02-03", "2020-04-30", hours="20"),
                          job("E2", "2020-06-01", hours="20", evidence="employer"))


@pytest.mark.parametrize(("as_of", "expected"), [
    ("2020-08-22", ("pending", "step:12 weeks", FOLLOW_UP_ENDS, Decimal("1200.00"),
                    ("E2", "E1"))),
    ("2020-08-23", ("payable", "step:12 weeks", D("2020-08-23"), Decimal("1200.00"),
                    ("E2",))),
    ("2020-08-24", ("payable", "step:12 weeks", D("2020-08-23"), Decimal("1200.00"),
                    ("E2",))),
])
def test_a_step_lost_for_want_of_a_price_awaits_another_spell(
        as_of: str, expected: tuple[object, ...]) -> None:
    """The step was not_earned on 2020-08-22 and payable, on E2, the day after, with no new
    rows: a status not_earned never turns payable as days go by."""
    got = lines(EMPLOYER_ONLY, *REGISTER_THEN_EMPLOYER, as_of=as_of)
    step = next(ln for ln in got if ln.occurrence == "step:12 weeks")
    assert facts(step) == expected
    if expected[0] == "pending":
        assert step.reason == (
            "needs 1 more day of qualifying work (15 h/week or more, open) by 2021-07-14, when "
            "the follow-up ends; 83 of 84 days so far in the spell from 2020-06-01; the spell "
            "from 2020-02-03 (E1) reached 12 weeks on 2020-04-26, but on evidence 'register', "
            "which the price table does not price")


@pytest.mark.parametrize(("as_of", "status"), [
    ("2021-07-13", "pending"), ("2021-07-14", "not_earned"), ("2021-07-15", "not_earned")])
def test_a_step_lost_for_want_of_a_price_is_lost_once_the_deadline_passes(
        as_of: str, status: str) -> None:
    got = lines(EMPLOYER_ONLY, REGISTER_THEN_EMPLOYER[0], as_of=as_of)
    step = next(ln for ln in got if ln.occurrence == "step:12 weeks")
    assert facts(step)[:2] == (status, "step:12 weeks")
    if status == "pending":
        assert step.reason.startswith("needs a new spell of 84 days of qualifying work")
    else:
        assert step.reason.endswith("register-verified; but the price table has no price for "
                                    "register-verified work (evidence 'register')")


# no benefit before the service, zero_baseline: no_fall: the test fails for every spell
NO_FALL = SUSTAINED.replace("partial_share: 0.5}", "partial_share: 0.5, zero_baseline: no_fall}")
NO_FALL_SAYS = ("benefit amount a month 0.00 in 2019-11..2019-12 before the service, 0.00 in "
                "2020-02..2020-03 (no benefit row for 2020-02, 2020-03: counted as 0): no "
                "benefit before the service, so there is no fall to measure (zero_baseline: "
                "no_fall); no sustainment payments follow a step that is not paid")
NONE_BEFORE = [benefit("B1", "2019-11-01", "0.00"), benefit("B2", "2019-12-01", "0.00")]


@pytest.mark.parametrize("as_of", ["2020-06-01", "2020-08-22", "2020-08-23", "2020-08-24"])
def test_a_step_not_priced_whose_test_fails_for_every_spell_is_lost_at_once(
        as_of: str) -> None:
    """A review: a step reached on the register, where only employer-confirmed work is
    priced, awaited another spell until the deadline, when its benefit test (not taken)
    fails for every spell; on 2020-08-23 E2 reaches it, and fails the test."""
    text = NO_FALL.replace("amount: 1200.00}", "amount: {employer: 1200.00}}")
    got = lines(text, *NONE_BEFORE, *REGISTER_THEN_EMPLOYER, as_of=as_of)
    assert [facts(ln) for ln in got] == [
        ("not_earned", "step:12 weeks", D("2020-04-26"), Decimal("0.00"), ("B1", "B2", "E1"))]
    assert got[0].reason == ("employment E1 reached 12 weeks (84 days) on 2020-04-26 at 20 "
                             "h/week, register-verified; " + NO_FALL_SAYS)


@pytest.mark.parametrize("as_of", ["2020-08-22", "2020-08-23", "2020-08-24"])
def test_a_step_a_confirmation_may_price_whose_test_fails_for_every_spell_is_lost(
        as_of: str) -> None:
    """A review: a step lost on a test failing for every spell was shown pending, "needs
    confirmation by the register", once a self-reported job reached it (on 2020-08-23):
    the confirmation would only fail the test."""
    reported = job("E2", "2020-06-01", hours="20", evidence="self_report")
    text = NO_FALL.replace("amount: 1200.00}", "amount: {register: 1200.00}}")
    got = lines(text, *NONE_BEFORE, REGISTER_THEN_EMPLOYER[0], reported, as_of=as_of)
    assert [facts(ln) for ln in got] == [
        ("not_earned", "step:12 weeks", D("2020-04-26"), Decimal("1200.00"),
         ("B1", "B2", "E1"))]
    assert got[0].reason.endswith(NO_FALL_SAYS)


@pytest.mark.parametrize(("as_of", "status"), [("2020-08-22", "pending"),
                                               ("2020-08-23", "payable")])
def test_a_ladder_none_of_whose_steps_is_paid_awaits_another_spell_too(
        as_of: str, status: str) -> None:
    """A review: with steps_in_one_spell the step lost on its benefit test was not_earned on
    2020-08-22 and payable, on another job, the day after."""
    text = SUSTAINED.replace("    steps:\n", "    steps_in_one_spell: true\n    steps:\n")
    got = lines(text, *STILL_ON_BENEFIT, *ON_BENEFIT_THEN_OFF, as_of=as_of)
    assert facts(got[0])[:2] == (status, "step:12 weeks")


# one step, its benefit test over the outcome months
OUTCOME_PERIOD_ONE_STEP = OUTCOME_PERIOD.replace("      - {after: 12 weeks, amount: 1200.00}\n", "")


@pytest.mark.parametrize(("as_of", "status", "on"), [
    ("2020-04-10", "pending", D("2020-04-30")), ("2020-04-30", "payable", D("2020-04-05"))])
def test_a_ladder_goes_to_a_spell_whose_first_step_may_still_be_paid(
        as_of: str, status: str, on: date) -> None:
    """A second review: with steps_in_one_spell and no step paid yet, the ladder stayed on
    the spell whose first step was lost, and said a new spell was needed while another's
    step, reached, was pending on its benefit test."""
    text = OUTCOME_PERIOD_ONE_STEP.replace("    steps:", "    steps_in_one_spell: true\n"
                                           "    steps:")
    rows = (*BASELINE[1:3], benefit("B5", "2020-03-01", "600.00"),
            # E1 reaches 4 weeks on 2020-03-01 (March on benefit: lost); after a gap, E2
            # reaches them on 2020-04-05 (April without benefit)
            job("E1", "2020-02-03", "2020-03-05", hours="20"), job("E2", "2020-03-09", hours="20"))
    for contract in (text, OUTCOME_PERIOD_ONE_STEP):  # with the ladder as without it
        got = lines(contract, *rows, as_of=as_of)
        assert (*facts(got[0])[:4], got[0].evidence) == (
            status, "step:4 weeks", on, Decimal("400.00"), ("B1", "B2", "E2"))


def test_sustainment_follows_a_partly_paid_step_in_full() -> None:
    rows = [*BASELINE, benefit("B4", "2020-02-01", "300.00"), benefit("B5", "2020-03-01", "300.00")]
    got = lines(SUSTAINED, *rows, E1, as_of="2021-01-01")
    assert [facts(ln) for ln in got] == [
        ("payable", "step:12 weeks", D("2020-04-26"), Decimal("600.00"),
         ("B1", "B2", "B4", "B5", "E1")),
        ("payable", "sustain:1", D("2020-05-24"), Decimal("300.00"), ("E1",)),
        ("payable", "sustain:2", D("2020-06-21"), Decimal("300.00"), ("E1",)),
    ]


# sustainment every 2 days after a step whose benefit test waits for its outcome month to end
SUSTAIN_WAITS = (SUSTAINED.replace("every: 4 weeks", "every: 2 days")
                 .replace("baseline: 3 months,", "baseline: 3 months, compare: outcome_period,"))
SUSTAIN_WAITS_ROWS = [*BASELINE, benefit("B5", "2020-03-01", "0.00"),
                      benefit("B6", "2020-04-01", "0.00")]


def test_sustainment_waits_while_the_last_step_is_pending() -> None:
    contract = SUSTAIN_WAITS
    rows = SUSTAIN_WAITS_ROWS
    # the step (2020-04-26) waits for April to end; sustainment 1 is reached on 2020-04-28
    got = lines(contract, *rows, E1, as_of="2020-04-29")
    assert [facts(ln) for ln in got] == [
        ("pending", "step:12 weeks", D("2020-04-30"), Decimal("1200.00"),
         ("B1", "B2", "B5", "B6", "E1")),
        ("pending", "sustain:1", D("2020-04-28"), Decimal("300.00"), ("E1",)),
        ("pending", "sustain:2", FOLLOW_UP_ENDS, Decimal("300.00"), ("E1",)),
    ]
    assert got[1].reason == (
        "employment E1 reached 12 weeks (84 days) plus 1 x 2 days (86 days) on 2020-04-28 at "
        "20 h/week, register-verified (sustainment 1 of 2); payable once the 12 weeks step is "
        "paid")
    assert got[2].reason.startswith("needs 1 more day of qualifying work")
    paid = lines(contract, *rows, E1, as_of="2020-04-30")
    assert [facts(ln)[:4] for ln in paid] == [
        ("payable", "step:12 weeks", D("2020-04-26"), Decimal("1200.00")),
        ("payable", "sustain:1", D("2020-04-28"), Decimal("300.00")),
        ("payable", "sustain:2", D("2020-04-30"), Decimal("300.00")),
    ]


def test_unpriced_last_step_waits_for_a_confirmation_and_holds_back_sustainment() -> None:
    contract = LADDER.replace("{after: 26 weeks, amount: 2600.00}",
                              "{after: 26 weeks, amount: {register: 2600.00, employer: 2000.00}}")
    reported = job("E1", "2020-02-03", hours="20", evidence="self_report")
    got = lines(contract, reported, as_of="2020-09-01")
    assert [facts(ln) for ln in got] == [
        STEP4, STEP12,
        ("pending", "step:26 weeks", D("2020-08-02"), Decimal("2600.00"), ("E1",)),
        ("pending", "sustain:1", D("2020-08-30"), Decimal("300.00"), ("E1",)),
        ("pending", "sustain:2", FOLLOW_UP_ENDS, Decimal("300.00"), ("E1",)),
    ]
    assert got[2].reason.endswith(
        "self-reported; the price table has no price for self-reported work (evidence "
        "'self_report'): needs confirmation by the employer or register by 2021-07-14, when the "
        "follow-up ends")
    assert got[3].reason.endswith("(sustainment 1 of 2); payable once the 26 weeks step is paid")
    lost = lines(contract, reported, as_of="2021-08-01")
    assert [facts(ln) for ln in lost] == [
        STEP4, STEP12,
        ("not_earned", "step:26 weeks", D("2020-08-02"), Decimal("0.00"), ("E1",)),
    ]
    assert lost[2].reason.endswith("was recorded by 2021-07-14, when the follow-up ends; no "
                                   "sustainment payments follow a step that is not paid")


def test_pending_sustainment_after_a_break_counts_what_is_left() -> None:
    # E1 ended on Aug 20, 18 days after the 26-week step: 10 more days of any later job pay
    # sustainment 1 (not "a new spell of 28 days")
    got = lines(LADDER, job("E1", "2020-02-03", "2020-08-20", hours="20"), as_of="2020-09-30")
    assert facts(got[3]) == ("pending", "sustain:1", FOLLOW_UP_ENDS, Decimal("300.00"),
                             ("E1",))
    assert got[3].reason.startswith("needs 10 more days of qualifying work (15 h/week or "
                                    "more, open) by 2021-07-14")
