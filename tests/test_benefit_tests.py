"""Benefit tests: one zero-baseline setting shared by milestones' benefit_test and
benefit_reduction; a test against the days of the outcome period; the buyer's share of
benefit by the customer's cumulative benefit days."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from conftest import CONTRACT_HEAD, contract_from, events_from, one
from test_kind_employment_outcome import START, job

from rewardengine.engine import evaluate
from rewardengine.evaluate.lines import Line
from rewardengine.events.model import Benefit
from rewardengine.kinds.benefit_common import ShareStep, share_of_row
from rewardengine.pipeline import load_contract_text


def benefit(eid: str, month: str, amount: str = "", days: str = "") -> str:
    # the shared header: ...,wage,days,amount
    return f"{eid},c1,benefit,{month},,,,,,,,,,,,,,,,{days},{amount}"


def step_line(contract: str, *rows: str, as_of: str) -> Line:
    lines = one(contract_from(contract), START + "\n".join(rows), as_of).lines
    assert len(lines) == 1, lines
    return lines[0]


STEP = """
components:
  - id: au
    kind: milestones
    work: {{min_hours_per_week: 15}}
    steps:
      - {{after: 4 weeks, amount: 1000.00}}
    benefit_test:
{test}"""

# a job from Wednesday 2020-04-01 reaches 4 weeks on 2020-04-28: the outcome month is April
JOB = job("E1", "2020-04-01", hours="20")


# --- zero baseline ---------------------------------------------------------------------------

def test_zero_baseline_defaults_to_no_fall_in_milestones() -> None:
    test = "      baseline: 3 months\n      compare: outcome_period\n"
    got = step_line(STEP.format(test=test), JOB, as_of="2020-05-01")
    assert got.status == "not_earned"
    assert got.reason.endswith("no benefit before the service, so there is no fall to "
                               "measure (zero_baseline: no_fall)")


def test_zero_baseline_full_if_none_during_in_milestones() -> None:
    test = ("      baseline: 3 months\n      compare: outcome_period\n"
            "      zero_baseline: full_if_none_during\n")
    got = step_line(STEP.format(test=test), JOB, as_of="2020-05-01")
    assert (got.status, got.amount) == ("payable", Decimal("1000.00"))
    assert got.reason.endswith("no benefit before or during, counted as a full fall")


REDUCTION = """
components:
  - id: fall
    kind: benefit_reduction
    measure: days
    baseline: 6 months
{zero}    full: {{min_fall: 1, amount: 2000.00}}
    partial: {{min_fall: 0.5, amount: 800.00}}
"""
ZEROS = "\n".join(benefit(f"b{m}", f"2019-{m:02d}-01", days="0") for m in range(7, 13))


@pytest.mark.parametrize(("zero", "during", "as_of", "status", "amount", "on"), [
    # the default: nothing to fall from, lost once the baseline is known (the service start)
    ("", "", "2020-07-01", "not_earned", "0.00", date(2020, 1, 15)),
    ("", "", "2020-03-01", "not_earned", "0.00", date(2020, 1, 15)),
    # none before and none during: the full amount, once the comparison has ended ...
    ("full_if_none_during", "", "2020-07-14", "payable", "2000.00", date(2020, 7, 14)),
    # ... pending while it runs ...
    ("full_if_none_during", "", "2020-03-01", "pending", "2000.00", date(2020, 7, 14)),
    # ... and lost with the first day of benefit during
    ("full_if_none_during", benefit("c3", "2020-03-01", days="1"), "2020-04-01",
     "not_earned", "800.00", date(2020, 3, 1)),
])
def test_zero_baseline_in_benefit_reduction(zero: str, during: str, as_of: str, status: str,
                                            amount: str, on: date) -> None:
    text = REDUCTION.format(zero=f"    zero_baseline: {zero}\n" if zero else "")
    lines = one(contract_from(text), START + ZEROS + ("\n" + during if during else ""),
                as_of).lines
    assert [(ln.status, ln.amount, ln.date) for ln in lines] == [
        (status, Decimal(amount), on)]


# --- against the days of the period ---------------------------------------------------------

PERIOD_DAYS = """      measure: days
      against: period_days
      compare: outcome_period
      full_fall: 1
      partial_fall: 0.6
      partial_share: 0.4
"""


@pytest.mark.parametrize(("days", "status", "quantity", "says"), [
    ("0", "payable", Decimal(1), "no benefit on 100 % of the days, at least the 100 % for a "
                                 "full outcome"),
    # 18 of April's 30 days without benefit: exactly 60 %
    ("12", "payable", Decimal("0.4"), "no benefit on 60 % of the days, at least the 60 % for "
                                      "a partial outcome (40 % of the amount)"),
    # 17 of 30: 56.7 %; the step then awaits another spell (pending) until the deadline
    ("13", "pending", Decimal(1), "no benefit on only 56.7 % of the days, less than the "
                                  "60 % needed"),
])
def test_against_the_days_of_the_outcome_period(days: str, status: str, quantity: Decimal,
                                                says: str) -> None:
    got = step_line(STEP.format(test=PERIOD_DAYS), JOB, benefit("B4", "2020-04-01", days=days),
                    as_of="2020-04-30")
    assert (got.status, got.quantity) == (status, quantity)
    assert f"benefit paid on {days} of the 30 days of the outcome month 2020-04" in got.reason
    assert says in got.reason


def test_against_the_days_waits_for_the_month_to_end() -> None:
    got = step_line(STEP.format(test=PERIOD_DAYS), JOB, as_of="2020-04-29")
    assert (got.status, got.date) == ("pending", date(2020, 4, 30))


@pytest.mark.parametrize(("test", "code", "message"), [
    ("      measure: amount\n      against: period_days\n      compare: outcome_period\n",
     "C218", "against: period_days compares benefit days with the days of the period: it "
             "needs measure: days"),
    ("      measure: days\n      against: period_days\n      compare: outcome_period\n"
     "      baseline: 3 months\n",
     "C218", "baseline is not used with against: period_days, which has no baseline"),
    ("      measure: days\n      against: period_days\n",
     "C218", "against: period_days measures the months of the outcome: it needs compare: "
             "outcome_period"),
    ("      measure: days\n", "C217", "benefit_test needs a baseline (the period before the "
                                      "service compared with), or against: period_days"),
])
def test_benefit_test_checks(test: str, code: str, message: str) -> None:
    _, problems = load_contract_text(CONTRACT_HEAD + STEP.format(test=test), "c.yaml")
    assert [(p.code, p.message) for p in problems if p.severity == "error"] == [
        (code, message)]


# --- the buyer's share ----------------------------------------------------------------------

STEPS = (ShareStep(after_days=300, share=Decimal("0.5")),
         ShareStep(after_days=1000, share=Decimal("0.7")))


def row(days: int, cumulative: int | None, amount: str = "600.00") -> Benefit:
    return Benefit(event_id="b", customer_id="c", date=date(2020, 1, 1), type="benefit",
                   days=days, amount=Decimal(amount), cumulative_days=cumulative)


@pytest.mark.parametrize(("days", "cumulative", "share"), [
    (20, 299, Fraction(0)),        # days 280..299
    (20, 300, Fraction(0)),        # the payment that holds the 300th day: the state's alone
    (20, 319, Fraction(0)),        # 299 days before it: still holds the 300th
    (20, 320, Fraction(300)),      # 300 days before it: the next payment, 50 %
    (20, 1019, Fraction(300)),     # days 1,000..1,019 hold the 1,000th day: still 50 %
    (20, 1020, Fraction(420)),     # 1,000 days before it: the next payment, 70 %
    (0, 500, Fraction(0)),
])
def test_share_payment_by_payment(days: int, cumulative: int, share: Fraction) -> None:
    amount = "0.00" if days == 0 else "600.00"
    assert share_of_row(STEPS, row(days, cumulative, amount), "amount") == share


def test_share_needs_the_counter() -> None:
    assert share_of_row(STEPS, row(20, None), "amount") is None
    assert share_of_row(STEPS, row(20, 320), "days") == 10


def test_a_row_without_the_counter_is_named() -> None:
    text = REDUCTION.format(zero="    buyer_share: [{after_days: 300, share: 0.5}]\n") \
        .replace("measure: days", "measure: amount")
    header = ("event_id,customer_id,type,date,provider,unemployed_since,days,amount,"
              "cumulative_days\n")
    rows = ("r1,c1,referral,2020-01-10,acme,2019-06-01\ns1,c1,service_start,2020-01-15\n"
            "b1,c1,benefit,2019-08-01,,,20,600.00,400\n"
            "b2,c1,benefit,2019-09-01,,,20,600.00,\n")
    ev = evaluate(contract_from(text), events_from(rows, header).events, date(2020, 7, 14))
    line = ev.customers[0].lines[0]
    assert (line.status, line.amount) == ("payable", Decimal("2000.00"))
    assert "row(s) b2 give no amount, days or cumulative_days: counted as 0" in line.reason



def test_a_share_of_benefit_days_is_said_in_days() -> None:
    # measured in days, the buyer's share was said to be of "benefit paid", and a row without
    # the counter to give no "days, days or cumulative_days"
    text = REDUCTION.format(zero="    buyer_share: [{after_days: 300, share: 0.5}]\n")
    header = ("event_id,customer_id,type,date,provider,unemployed_since,days,amount,"
              "cumulative_days\n")
    rows = ("r1,c1,referral,2020-01-10,acme,2019-06-01\ns1,c1,service_start,2020-01-15\n"
            "b1,c1,benefit,2019-08-01,,,20,600.00,400\n"
            "b2,c1,benefit,2019-09-01,,,20,600.00,\n")
    ev = evaluate(contract_from(text), events_from(rows, header).events, date(2020, 7, 14))
    line = ev.customers[0].lines[0]
    assert (line.status, line.amount) == ("payable", Decimal("2000.00"))
    assert line.reason == (
        "the buyer's share of benefit days fell from 10 to 0, 100 %, at least the full "
        "threshold of 100 % (baseline 2019-08..2019-12, comparison 2020-02..2020-06) (no benefit "
        "row for 2019-10, 2019-11, 2019-12, 2020-02, 2020-03, 2020-04, 2020-05, 2020-06: counted "
        "as 0; row(s) b2 give no days or cumulative_days: counted as 0)")

def test_share_entries_in_order() -> None:
    text = REDUCTION.format(zero="    buyer_share: [{after_days: 1000, share: 0.7}, "
                                 "{after_days: 300, share: 0.5}]\n")
    _, problems = load_contract_text(CONTRACT_HEAD + text, "c.yaml")
    assert [(p.code, p.message) for p in problems if p.severity == "error"] == [
        ("C210", "buyer_share entry 2 (after 300 days) is not after entry 1 (after 1000 days)")]
