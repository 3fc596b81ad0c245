"""Alternatives: "one result per customer, work or a degree, whichever comes first" said
directly, not by a per-customer cap: the first earned is paid, the other is not earned with a
reason that says why, dated the day it was lost."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import contract_from, one

from rewardengine.engine import CustomerResult
from rewardengine.evaluate.lines import Line
from rewardengine.pipeline import load_contract_text

ONE_RESULT = """
components:
  - id: start
    kind: event_fee
    event: service_start
    amount: 200.00
  - id: job_result
    kind: employment_outcome
    work: {min_fte: 0.5, kinds: {open: 1}}
    min_duration: 90 days
    window: service_and_follow_up
    amount: {A: 1000.00, B: 1400.00}
  - id: education_result
    kind: event_fee
    event: education
    where: {kind: degree}
    amount: {A: 500.00, B: 700.00}
    window: service_and_follow_up
alternatives:
  - label: One result per customer, the one reached first
    components: [job_result, education_result]
"""

START = """
r1,c1,referral,2020-01-02,,,,acme,,2019-06-01
s1,c1,service_start,2020-01-06
"""
# 90 days from 2020-02-01: the job result is earned on 2020-04-30
JOB = "e1,c1,employment,2020-02-01,,,,,,,,,,,open,register,1.0"


def degree(on: str) -> str:
    return f"d1,c1,education,{on},,,,,,,,,,,degree"


def line(result: CustomerResult, component: str) -> Line:
    (found,) = [ln for ln in result.lines if ln.component == component]
    return found


@pytest.mark.parametrize(("degree_on", "paid", "lost", "lost_on"), [
    ("2020-04-29", "education_result", "job_result", "2020-04-29"),  # one day before the job
    ("2020-04-30", "job_result", "education_result", "2020-04-30"),  # the same day: listed first
    ("2020-05-01", "job_result", "education_result", "2020-04-30"),  # one day after
])
def test_the_result_earned_first_is_paid(degree_on: str, paid: str, lost: str,
                                         lost_on: str) -> None:
    result = one(contract_from(ONE_RESULT), START + JOB + "\n" + degree(degree_on),
                 "2020-12-31")
    assert line(result, paid).status == "payable"
    gone = line(result, lost)
    assert gone.status == "not_earned"
    assert str(gone.date) == lost_on
    amount = {"job_result": Decimal("1000.00"), "education_result": Decimal("500.00")}
    assert gone.amount == amount[lost]  # the amount forgone
    assert gone.reason.startswith(
        "not paid: only one of job_result or education_result is paid (contract.yaml:42)")
    tie = " on the same day and is listed first" if degree_on == "2020-04-30" else ""
    assert f", and {paid} was earned first, on {lost_on}{tie} (on its own: " in gone.reason
    assert result.totals.payable == Decimal("200.00") + amount[paid]


def test_the_reason_cites_the_alternatives_clause() -> None:
    loaded = contract_from(ONE_RESULT)
    clause = loaded.clause_at("alternatives", 0)
    result = one(loaded, START + JOB + "\n" + degree("2020-03-02"), "2020-12-31")
    assert clause == "contract.yaml:42"
    assert f"is paid ({clause}), and education_result was earned first, on 2020-03-02" in \
        line(result, "job_result").reason


def test_a_pending_alternative_is_lost_the_day_the_other_is_earned() -> None:
    # the degree is earned; the job has 30 of 90 days by the evaluation date
    rows = START + "e1,c1,employment,2020-02-01,2020-03-01,,,,,,,,,,open,register,1.0\n" \
        + degree("2020-02-10")
    result = one(contract_from(ONE_RESULT), rows, "2020-03-31")
    job = line(result, "job_result")
    assert (job.status, str(job.date), job.amount) == ("not_earned", "2020-02-10",
                                                        Decimal("1000.00"))
    assert "needs" in job.reason.split("(on its own: ", 1)[1]


def test_while_neither_is_earned_both_are_pending_and_say_so() -> None:
    result = one(contract_from(ONE_RESULT), START, "2020-03-31")
    for component in ("job_result", "education_result"):
        pending = line(result, component)
        assert pending.status == "pending"
        assert pending.reason.endswith("; only one of job_result or education_result is paid "
                                       "(contract.yaml:42), the one earned first")
    assert result.totals.pending == Decimal("1500.00")  # both, at most one of them paid


def test_a_fee_of_zero_earns_nothing_and_does_not_win() -> None:
    free_degree = ONE_RESULT.replace("amount: {A: 500.00, B: 700.00}", "amount: 0.00")
    result = one(contract_from(free_degree), START + JOB + "\n" + degree("2020-03-02"),
                 "2020-12-31")
    # the degree's 0.00 line came first but pays nothing: the job result is paid
    assert line(result, "job_result").status == "payable"
    free = line(result, "education_result")
    assert (free.status, free.amount) == ("not_earned", Decimal("0.00"))


def test_caps_apply_to_the_fee_that_is_paid() -> None:
    capped = ONE_RESULT.replace("    amount: {A: 1000.00, B: 1400.00}",
                                "    amount: {A: 1000.00, B: 1400.00}\n    cap: 800.00")
    result = one(contract_from(capped), START + JOB + "\n" + degree("2020-06-01"), "2020-12-31")
    job = line(result, "job_result")
    assert (job.status, job.amount, job.uncapped) == ("payable", Decimal("800.00"),
                                                      Decimal("1000.00"))
    assert line(result, "education_result").status == "not_earned"


def test_without_alternatives_both_are_paid() -> None:
    both = ONE_RESULT.split("alternatives:")[0]
    result = one(contract_from(both), START + JOB + "\n" + degree("2020-06-01"), "2020-12-31")
    assert result.totals.payable == Decimal("1700.00")


def _codes(text: str) -> list[tuple[str, str]]:
    from conftest import CONTRACT_HEAD
    _, problems = load_contract_text(CONTRACT_HEAD + text, "contract.yaml")
    return [(p.code, p.message) for p in problems]


def test_groups_that_cannot_be_decided_are_errors() -> None:
    bad = ONE_RESULT.replace("components: [job_result, education_result]",
                             "components: [job_result, job_result, edu_result]\n"
                             "  - components: [education_result, job_result]")
    assert _codes(bad) == [
        ("C230", "component 'job_result' is listed twice"),
        ("C230", "unknown component 'edu_result'"),
        ("C230", "component 'job_result' is already in the group of alternatives 1; a "
                 "component can be in one group only"),
    ]


def test_an_adjustment_cannot_be_an_alternative() -> None:
    survey = ONE_RESULT.replace("alternatives:", """  - id: radar
    kind: survey_adjustment
    instrument: radar
    mode: multiplier
    applies_to: [job_result]
    bands:
      - {min_score: 0, factor: 1.0}
alternatives:""").replace("[job_result, education_result]", "[radar, education_result]")
    assert ("C230", "component 'radar' adjusts other fees and earns none of its own, so it "
                    "cannot be an alternative") in _codes(survey)


def test_a_group_of_one_is_a_schema_error() -> None:
    single = ONE_RESULT.replace("[job_result, education_result]", "[job_result]")
    assert [code for code, _ in _codes(single)] == ["C110"]
