"""Graded credit in employment_condition (930 € a full month, 465 € half; wages by pay date),
work_history comparing equal lengths in days, and not-earned lines dated the day they were
lost."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from conftest import CONTRACT_HEAD, contract_from, events_from

from rewardengine.engine import evaluate
from rewardengine.evaluate.lines import Line
from rewardengine.pipeline import load_contract_text

HEADER = "event_id,customer_id,type,date,provider,unemployed_since,amount,evidence,kind\n"
START = "r1,c1,referral,2020-01-02,acme,2019-06-01\ns1,c1,service_start,2020-01-02\n"

CONDITION = """
components:
  - id: toe
    kind: employment_condition
    unit: months
    wages: earnings
    min_monthly_wage: {{values: {{2020-01-01: 930.00, 2021-01-01: 944.00}}}}
    partial: {{min_monthly_wage: {{values: {{2020-01-01: 465.00, 2021-01-01: 472.00}}}}}}
    required: {required}
    reference_period: 12 months
    weights: {{open: 1, subsidised: 0.5}}
    amount: {{register: 2000.00, employer: 1500.00}}
"""


def condition(rows: str, as_of: str, required: int = 2) -> Line:
    ev = evaluate(contract_from(CONDITION.format(required=required)),
                  events_from(START + rows, HEADER).events, date.fromisoformat(as_of))
    assert not ev.problems
    (line,) = ev.customers[0].lines
    return line


def paid(eid: str, day: str, amount: str, evidence: str = "register", kind: str = "") -> str:
    return f"{eid},c1,earnings,{day},,,{amount},{evidence},{kind}\n"


# February and March 2020 are whole months of the reference period (January straddles it)
@pytest.mark.parametrize(("february", "march", "status", "on"), [
    ("930.00", "930.00", "payable", date(2020, 3, 31)),      # two full months
    ("929.99", "930.00", "pending", date(2020, 12, 31)),     # a half and a full: 1.5
    ("465.00", "465.00", "pending", date(2020, 12, 31)),     # two halves: 1
    ("464.99", "930.00", "pending", date(2020, 12, 31)),     # nothing and a full: 1
])
def test_full_and_half_months_to_the_cent(february: str, march: str, status: str,
                                          on: date) -> None:
    line = condition(paid("w2", "2020-02-28", february) + paid("w3", "2020-03-31", march),
                     "2020-04-30")
    assert (line.status, line.date) == (status, on)


def test_halves_add_up_to_the_requirement() -> None:
    rows = "".join(paid(f"w{m}", f"2020-{m:02d}-15", "465.00") for m in (2, 3, 4, 5))
    line = condition(rows, "2020-06-30")
    assert (line.status, line.date, line.amount) == ("payable", date(2020, 5, 31),
                                                     Decimal("2000.00"))
    assert "(4 qualifying months, counted in part or at their kind weights)" in line.reason


def test_pay_date_and_payments_adding_up() -> None:
    # 500 + 430 paid in February is a full month; March's work paid on 2 April counts in April
    rows = (paid("a", "2020-02-05", "500.00") + paid("b", "2020-02-20", "430.00")
            + paid("c", "2020-04-02", "930.00"))
    line = condition(rows, "2020-04-30")
    assert (line.status, line.date, line.evidence) == ("payable", date(2020, 4, 30),
                                                       ("a", "b", "c"))


def test_the_threshold_of_the_month_in_force_on_its_first_day() -> None:
    # 2021 thresholds 944 / 472: 940.00 in January 2021 is only a half month
    start = START.replace("2020-01-02", "2020-12-01")
    rows = paid("d", "2020-12-31", "940.00") + paid("j", "2021-01-29", "940.00")
    ev = evaluate(contract_from(CONDITION.format(required=2)),
                  events_from(start + rows, HEADER).events, date(2021, 2, 1))
    assert ev.customers[0].lines[0].status == "pending"


def test_kind_weight_and_partial_credit_multiply() -> None:
    # subsidised at 0.5: a full subsidised month counts 0.5, a half one 0.25
    rows = (paid("a", "2020-02-10", "1000.00", kind="subsidised")
            + paid("b", "2020-03-10", "500.00", kind="subsidised")
            + paid("c", "2020-04-10", "1000.00") + paid("d", "2020-05-10", "1000.00"))
    line = condition(rows, "2020-05-31", required=3)
    assert (line.status, line.date) == ("pending", date(2020, 12, 31))
    assert line.reason.startswith("2.75 of 3 months")
    line = condition(rows + paid("e", "2020-06-10", "500.00"), "2020-06-30", required=3)
    assert (line.status, line.date) == ("payable", date(2020, 6, 30))


def test_evidence_of_a_month_with_any_credit() -> None:
    # February: a register half month and an employer-confirmed payment making it full. The
    # month's evidence is the strongest level whose payments alone earn it credit: register
    rows = (paid("a", "2020-02-10", "500.00") + paid("b", "2020-02-20", "500.00", "employer")
            + paid("c", "2020-03-10", "930.00"))
    line = condition(rows, "2020-03-31")
    assert (line.status, line.amount) == ("payable", Decimal("2000.00"))


@pytest.mark.parametrize(("partial", "code", "message"), [
    ("    partial: {min_monthly_wage: 930.00}\n", "C219",
     "partial.min_monthly_wage (930.00) must be below min_monthly_wage (930.00)"),
    ("    partial: {min_hours_per_week: 9}\n", "C217",
     "partial needs min_monthly_wage with unit: months"),
    ("    wages: earnings\n    unit: weeks\n", "C218",
     "wages: earnings applies to unit: months (earnings rows are monthly)"),
])
def test_checks(partial: str, code: str, message: str) -> None:
    body = ("components:\n  - id: toe\n    kind: employment_condition\n"
            + ("    unit: months\n    min_monthly_wage: 930.00\n" if "weeks" not in partial
               else "    min_hours_per_week: 18\n")
            + partial + "    required: 12\n    reference_period: 28 months\n"
            "    amount: 1000.00\n")
    _, problems = load_contract_text(CONTRACT_HEAD + body, "c.yaml")
    assert (code, message) in [(p.code, p.message) for p in problems]


# --- work_history: equal lengths compared in days --------------------------------------------

HISTORY = """
components:
  - id: history
    kind: work_history
    baseline: 12 months
    count: [work]
    rate: 10.00
"""
JOB_HEADER = ("event_id,customer_id,type,date,end,provider,unemployed_since,kind,evidence,"
              "hours_per_week\n")


def history(rows: str, start: str, as_of: str) -> Line:
    events = (f"r1,c1,referral,{start},,acme,2019-06-01\n"
              f"s1,c1,service_start,{start}\n" + rows)
    ev = evaluate(contract_from(HISTORY), events_from(events, JOB_HEADER).events,
                  date.fromisoformat(as_of))
    return ev.customers[0].lines[0]


def test_a_leap_year_comparison_has_a_baseline_as_long() -> None:
    # comparison 2020-01-02..2021-01-01 holds 29 February: 366 days, and so does the baseline
    # 2019-01-01..2020-01-01. Working every day of both gives no extra day (not one)
    rows = ("e0,c1,employment,2018-01-01,2021-12-31,,,open,register,37.5\n")
    line = history(rows, "2020-01-02", "2021-01-01")
    assert line.reason == ("366 days in work during 2020-01-02..2021-01-01 vs 366 before "
                           "(2019-01-01..2020-01-01): no increase")
    # one day of work more in the comparison is one extra day
    rows = ("e0,c1,employment,2019-01-01,2019-12-31,,,open,register,37.5\n"
            "e1,c1,employment,2020-01-02,2021-01-01,,,open,register,37.5\n")
    line = history(rows, "2020-01-02", "2021-01-01")
    assert (line.status, line.quantity) == ("payable", Decimal(1))


def test_work_history_lost_day_is_never_after_the_evaluation_date() -> None:
    # 200 days before; nothing during: the minimum (1 extra) is out of reach once fewer than
    # 201 days remain after a day: at the end of the 166th day of the 366-day comparison,
    # 2020-06-15, only 200 remain
    rows = "e0,c1,employment,2019-06-15,2019-12-31,,,open,register,37.5\n"
    line = history(rows, "2020-01-02", "2020-09-30")
    assert (line.status, line.date) == ("not_earned", date(2020, 6, 15))
    assert history(rows, "2020-01-02", "2020-06-14").status == "pending"
