"""Prices and thresholds that change on a date (OpenFisca-style ``values``): the value in force
on the day a fee is earned, exactly at the change."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import CONTRACT_HEAD, LATER_HEAD, contract_from, one, run

from rewardengine.contract.lint import lint
from rewardengine.pipeline import load_contract_text

D = Decimal

PER_SESSION = """
components:
  - id: session
    kind: event_fee
    event: contact
    per: each
    max_count: 10
    amount:
      values:
        2020-01-01: 50.00
        2020-07-01: {value: 55.00, reference: "Indexed 1 July 2020, decision 12/2020"}
      reference: "Tender annex 2, price list"
"""

ROWS = """
r1,c1,referral,2020-01-02,,,,acme,,2019-06-01
s1,c1,service_start,2020-01-06
k1,c1,contact,2020-06-30,,,,,,,,,,true
k2,c1,contact,2020-07-01,,,,,,,,,,true
k3,c1,contact,2020-07-02,,,,,,,,,,true
"""


def test_the_price_in_force_on_the_day_of_the_event() -> None:
    lines = one(contract_from(PER_SESSION), ROWS, "2020-12-31").lines
    # the day before the change, exactly on it, the day after
    assert [(ln.occurrence, ln.unit_price) for ln in lines] == [
        ("k1", D("50.00")), ("k2", D("55.00")), ("k3", D("55.00"))]


def test_a_dated_value_is_in_force_from_the_contract_start() -> None:
    """Before its first date a dated value has none: so it must start by valid_from."""
    text = PER_SESSION.replace("2020-01-01: 50.00", "2020-01-02: 50.00")
    _, problems = load_contract_text(CONTRACT_HEAD + text, "contract.yaml")
    assert [(p.code, p.message) for p in problems] == [
        ("C220", "components.0.amount: the first of these values holds from 2020-01-02, after "
                 "the contract's valid_from 2020-01-01; give a value from 2020-01-01")]


WAGE = """
components:
  - id: toe
    kind: employment_condition
    unit: months
    required: 2
    reference_period: 12 months
    weights: {open: 1}
    min_monthly_wage:
      values:
        2020-01-01: 930.00
        2024-09-01: 944.00
    amount: {register: 1000.00}
"""


@pytest.mark.parametrize(("wage", "met"), [("943.99", False), ("944.00", True)])
def test_an_indexed_wage_threshold_applies_from_its_date(wage: str, met: bool) -> None:
    # August counts at 930.00; September at 944.00 (one cent short, or exactly on)
    rows = f"""
    r1,c1,referral,2024-07-20,,,,acme,,2023-01-01
    s1,c1,service_start,2024-08-01
    e1,c1,employment,2024-08-01,,2024-09-30,,,,,,,,,open,register,1.0,,{wage}
    """
    line = one(contract_from(WAGE, LATER_HEAD), rows, "2025-12-31").lines[0]
    assert (line.status == "payable") is met


def test_a_capacity_fee_changes_its_monthly_amount() -> None:
    text = """
    components:
      - id: staff
        kind: capacity_fee
        amount: {values: {2020-01-01: 1000.00, 2021-01-01: 1100.00}}
    """
    ev = run(contract_from(text), "", "2022-12-31")
    amounts = {ln.occurrence: ln.amount for ln in ev.contract_lines}
    assert (amounts["2020-12"], amounts["2021-01"]) == (D("1000.00"), D("1100.00"))


def test_dated_values_are_checked_where_they_are_written() -> None:
    bad = PER_SESSION.replace("2020-07-01: {value: 55.00", "2020-07-32: {value: 55.001")
    loaded, problems = load_contract_text(
        CONTRACT_HEAD + bad, "contract.yaml")
    assert loaded is None
    assert sorted(p.code for p in problems) == ["C104", "C107"]
    empty = PER_SESSION.replace("""      values:
        2020-01-01: 50.00
        2020-07-01: {value: 55.00, reference: "Indexed 1 July 2020, decision 12/2020"}
""", "      values: {}\n")
    _, problems = load_contract_text(CONTRACT_HEAD + empty,
                                     "contract.yaml")
    assert [p.message for p in problems] == [
        "components.0.amount.values: needs at least 1 item"]


def test_lint_reads_dated_prices_on_every_change_date() -> None:
    text = """
    components:
      - id: job
        kind: employment_outcome
        min_duration: 90 days
        amount:
          register: 750.00
          self_report: {values: {2020-01-01: 190.00, 2021-01-01: 800.00}}
    caps: {per_customer: 3000.00}
    """
    (w002,) = [p for p in lint(contract_from(text)) if p.code == "W002"]
    assert "pays 800.00 for self-reported work from 2021-01-01, as much as for register " \
        "evidence (750.00)" in w002.message
