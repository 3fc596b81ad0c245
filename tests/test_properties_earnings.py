"""More work never pays less, for the rules that count earnings by the month: payments per
qualifying month, earnings milestones and the graded employment condition (hypothesis)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from conftest import contract_from, events_from
from hypothesis import given
from hypothesis import strategies as st

from rewardengine.engine import evaluate

KINDS = """
components:
  - id: months
    kind: period_payments
    unit: months
    min_earnings: 1000.00
    benefit: none
    max_periods: 4
    amount: 100.00
  - id: ladder
    kind: earnings_milestones
    unit: months
    min_earnings: {values: {2020-01-01: 900.00, 2021-01-01: 950.00}}
    steps:
      - {periods: 1, amount: 50.00}
      - {periods: 3, within: 6, amount: 150.00}
      - {periods: 6, within: 12, amount: 300.00}
  - id: anchored
    kind: earnings_milestones
    unit: weeks
    reference: service_start
    min_earnings: 200.00
    steps:
      - {periods: 2, within: 8, amount: 80.00}
  - id: condition
    kind: employment_condition
    unit: months
    wages: earnings
    min_monthly_wage: 930.00
    partial: {min_monthly_wage: 465.00}
    required: 4
    reference_period: 12 months
    weights: {open: 1, subsidised: 0.5}
    amount: {register: 1000.00, self_report: 1000.00}
"""
LOADED = contract_from(KINDS)
HEADER = "event_id,customer_id,type,date,provider,unemployed_since,amount,evidence,kind\n"
START = date(2020, 1, 15)
AS_OF = date(2021, 9, 30)
AMOUNTS = st.sampled_from(["300.00", "464.99", "465.00", "929.99", "930.00", "1000.00"])


@st.composite
def earnings(draw: st.DrawFn) -> list[tuple[int, str, str, str]]:
    """(day offset from the service start, amount, evidence, kind) per earnings row."""
    return draw(st.lists(st.tuples(st.integers(-40, 500), AMOUNTS,
                                   st.sampled_from(["register", "self_report"]),
                                   st.sampled_from(["open", "subsidised"])), max_size=10))


def payable(rows: list[tuple[int, str, str, str]], benefit_months: list[int]) -> Decimal:
    lines = ["r1,c1,referral,2020-01-10,acme,2019-06-01", f"s1,c1,service_start,{START}"]
    for i, (offset, amount, evidence, kind) in enumerate(rows):
        day = date.fromordinal(START.toordinal() + offset)
        lines.append(f"w{i},c1,earnings,{day},,,{amount},{evidence},{kind}")
    for m in benefit_months:
        year, month = 2020 + (m // 12), m % 12 + 1
        lines.append(f"b{m},c1,benefit,{year}-{month:02d}-01,,,50.00,,")
    ev = evaluate(LOADED, events_from("\n".join(lines), HEADER).events, AS_OF)
    return ev.totals.payable


@given(earnings(), st.lists(st.integers(0, 20), max_size=4, unique=True),
       st.integers(-40, 500), AMOUNTS)
def test_more_earnings_never_pay_less(rows: list[tuple[int, str, str, str]],
                                      benefit_months: list[int], offset: int,
                                      amount: str) -> None:
    before = payable(rows, benefit_months)
    after = payable([*rows, (offset, amount, "register", "open")], benefit_months)
    assert after >= before
