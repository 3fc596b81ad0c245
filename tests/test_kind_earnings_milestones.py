"""earnings_milestones: N qualifying months within any M, or within the first M from the service
start, and the look-back that withholds a step reached just before the service."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from conftest import CONTRACT_HEAD, contract_from, events_from

from rewardengine.engine import evaluate
from rewardengine.evaluate.lines import Line
from rewardengine.pipeline import load_contract_text

HEADER = "event_id,customer_id,type,date,provider,unemployed_since,amount,evidence\n"
REFERRAL = "r1,c1,referral,2020-01-02,acme,2019-06-01\n"

LADDER = """
components:
  - id: ticket
    kind: earnings_milestones
    unit: months
    min_earnings: {{values: {{2018-01-01: 850.00, 2020-01-01: 910.00}}}}
    reference: {reference}
    look_back: {look_back}
    steps:
      - {{periods: 1, amount: 1000.00}}
      - {{periods: 3, within: 6, amount: 1200.00}}
      - {{periods: 9, within: 18, amount: 1500.00}}
"""


def lines(rows: str, as_of: str, reference: str = "rolling", look_back: str = "true"
          ) -> dict[str, Line]:
    loaded = contract_from(LADDER.format(reference=reference, look_back=look_back))
    ev = evaluate(loaded, events_from(REFERRAL + rows, HEADER).events,
                  date.fromisoformat(as_of))
    assert not ev.problems
    return {ln.occurrence: ln for ln in ev.customers[0].lines}


def earn(*months: str, amount: str = "910.00") -> str:
    return "".join(f"w{m},c1,earnings,{m}-15,,,{amount},register\n" for m in months)


def facts(line: Line) -> tuple[str, date | None, Decimal]:
    return line.status, line.date, line.amount


START = "s1,c1,service_start,2020-01-10\n"


@pytest.mark.parametrize(("amount", "status"), [("909.99", "pending"), ("910.00", "payable")])
def test_one_month_at_the_threshold_to_the_cent(amount: str, status: str) -> None:
    got = lines(START + earn("2020-01", amount=amount), "2020-01-31")["step:1 month"]
    assert got.status == status


@pytest.mark.parametrize(("third", "reached"), [
    ("2020-06", date(2020, 6, 30)),  # January..June: 3 within 6 months
    ("2020-07", None),               # January..July is 7 months: no run of 6 holds 3
])
def test_three_of_any_six(third: str, reached: date | None) -> None:
    got = lines(START + earn("2020-01", "2020-02", third), "2020-12-31")["step:3 of 6 months"]
    if reached is None:
        assert got.status == "pending"
        assert got.reason.startswith("3 qualifying months so far (2020-01, 2020-02, 2020-07); "
                                     "needs 3 of any 6 consecutive months")
    else:
        assert facts(got) == ("payable", reached, Decimal("1200.00"))
        assert got.reason == (
            "3 of any 6 consecutive months reached on 2020-06-30: 3 of the 6 months "
            "2020-01..2020-06 with earnings of at least the threshold (910.00 € on 2020-06-01) "
            "(2020-01: 910.00 €, 2020-02: 910.00 €, 2020-06: 910.00 €)")
        assert (got.period_start, got.period_end) == (date(2020, 1, 1), date(2020, 7, 1))


def test_a_later_run_reaches_it() -> None:
    # January, then April, August, September: the run April..September holds 3
    got = lines(START + earn("2020-01", "2020-04", "2020-08", "2020-09"),
                "2020-12-31")["step:3 of 6 months"]
    assert facts(got) == ("payable", date(2020, 9, 30), Decimal("1200.00"))


def test_anchored_reference_is_lost_when_too_few_months_remain() -> None:
    # the first 6 months counted are January..June 2020; nothing by April: only 2 remain, so
    # the step is lost when April ends
    got = lines(START, "2020-05-15", reference="service_start")["step:3 of 6 months"]
    assert facts(got) == ("not_earned", date(2020, 4, 30), Decimal("1200.00"))
    assert got.reason.startswith("can no longer be reached since 2020-04-30: 0 qualifying "
                                 "months so far; needs 3 of the first 6 months from the "
                                 "service start")
    # and the rolling reading keeps it pending
    assert lines(START, "2020-05-15")["step:3 of 6 months"].status == "pending"


def test_rolling_step_lost_when_the_window_ends() -> None:
    # service 2020-01-10, 12 months and a 6-month follow-up: the last month counted is June
    # 2021; nine in any 18 can no longer be reached once only a few months remain
    got = lines(START + earn("2020-01"), "2021-06-30")["step:9 of 18 months"]
    assert got.status == "not_earned"
    # after November 2020 only December..June (7 months) remain: with January, 8 of 9
    assert got.date == date(2020, 11, 30)
    assert lines(START + earn("2020-01"), "2020-11-29")["step:9 of 18 months"].status == \
        "pending"


@pytest.mark.parametrize(("before", "withheld"), [
    ("2019-12", True),    # the month just before the month of the service start
    ("2019-11", False),   # two months before: outside the first step's look-back
])
def test_look_back_of_the_first_step(before: str, withheld: bool) -> None:
    got = lines(START + earn(before, amount="850.00"), "2020-01-31")["step:1 month"]
    if withheld:
        assert facts(got) == ("not_earned", date(2020, 1, 10), Decimal("0.00"))
        assert got.quantity == 0
        assert got.reason.startswith("not offered: in the 1 month just before the service "
                                     "start 2020-01-10, 2019-12 with earnings of at least the "
                                     "threshold (850.00 € on 2019-12-01)")
    else:
        assert got.status == "pending"


@pytest.mark.parametrize(("first", "withheld"), [
    ("2018-07", True),   # the 18th month before January 2020
    ("2018-06", False),  # the 19th: outside the look-back
])
def test_look_back_reaches_eighteen_months(first: str, withheld: bool) -> None:
    months = [first, "2018-09", "2018-10", "2018-11", "2019-01", "2019-02", "2019-03",
              "2019-04", "2019-05"]
    got = lines(START + earn(*months, amount="850.00"), "2020-01-31")["step:9 of 18 months"]
    assert (got.status == "not_earned" and got.amount == 0) is withheld


def test_without_look_back_nothing_is_withheld() -> None:
    got = lines(START + earn("2019-12", "2020-01"), "2020-01-31", look_back="false")
    assert facts(got["step:1 month"]) == ("payable", date(2020, 1, 31), Decimal("1000.00"))


def test_look_back_threshold_of_its_own_year() -> None:
    # 860.00 in December 2019 reaches the 2019 threshold (850.00), not the 2020 one (910.00)
    got = lines(START + earn("2019-12", amount="860.00"), "2020-01-31")["step:1 month"]
    assert got.status == "not_earned"


@pytest.mark.parametrize(("steps", "code", "message"), [
    ("      - {periods: 4, within: 3, amount: 10.00}\n", "C222",
     "step 1 asks for 4 months within 3, which hold only 3"),
    ("      - {periods: 3, amount: 10.00}\n      - {periods: 3, within: 6, amount: 10.00}\n",
     "C210", "step 2 (3 months) does not ask for more than step 1 (3)"),
])
def test_checks(steps: str, code: str, message: str) -> None:
    body = ("components:\n  - id: t\n    kind: earnings_milestones\n    unit: months\n"
            "    min_earnings: 900.00\n    steps:\n" + steps)
    _, problems = load_contract_text(CONTRACT_HEAD + body, "c.yaml")
    assert [(p.code, p.message) for p in problems if p.severity == "error"] == [
        (code, message)]
