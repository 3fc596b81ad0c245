"""capacity_fee: staff capacity per calendar month, for the contract rather than a customer."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from conftest import contract_from, run

from rewardengine.contract.load import LoadedContract
from rewardengine.kinds import capacity_fee

d = date.fromisoformat

CAPACITY = contract_from("""
components:
  - id: capacity
    kind: capacity_fee
    amount: 3100.00
    from: 2020-03-15
    until: 2020-06-14
""")


def test_months_payable_once_ended_running_and_future_months_pending() -> None:
    ev = run(CAPACITY, "", "2020-05-10")
    assert ev.customers == []
    assert [(ln.occurrence, ln.status, ln.quantity, ln.amount, ln.date, ln.period_start,
             ln.period_end) for ln in ev.contract_lines] == [
        ("2020-03", "payable", Decimal("0.5483870967741935483870967742"), Decimal("1700.00"),
         d("2020-03-31"), d("2020-03-15"), d("2020-04-01")),
        ("2020-04", "payable", Decimal(1), Decimal("3100.00"), d("2020-04-30"),
         d("2020-04-01"), d("2020-05-01")),
        ("2020-05", "pending", Decimal(1), Decimal("3100.00"), d("2020-05-31"),
         d("2020-05-01"), d("2020-06-01")),
        ("2020-06", "pending", Decimal("0.4666666666666666666666666667"), Decimal("1446.67"),
         d("2020-06-14"), d("2020-06-01"), d("2020-06-15")),
    ]
    assert all((ln.customer_id, ln.segment, ln.provider, ln.component, ln.kind)
               == (None, None, "acme", "capacity", "capacity_fee") for ln in ev.contract_lines)
    reasons = [ln.reason for ln in ev.contract_lines]
    assert reasons[0] == ("capacity for 2020-03, 17/31 days (2020-03-15..2020-03-31) of "
                          "3100.00 as the capacity runs 2020-03-15..2020-06-14: month ended "
                          "2020-03-31")
    assert reasons[2] == "capacity for 2020-05: running month, payable after 2020-05-31"
    assert reasons[3].endswith("committed, payable after 2020-06-14")
    assert ev.totals.payable == Decimal("4800.00")
    assert ev.totals.pending == Decimal("4546.67")


@pytest.mark.parametrize(("as_of", "statuses"), [
    ("2020-03-30", ["pending", "pending", "pending", "pending"]),
    ("2020-03-31", ["payable", "pending", "pending", "pending"]),
    ("2020-06-13", ["payable", "payable", "payable", "pending"]),
    ("2020-06-14", ["payable", "payable", "payable", "payable"]),
])
def test_a_month_is_payable_from_its_last_day(as_of: str, statuses: list[str]) -> None:
    assert [ln.status for ln in run(CAPACITY, "", as_of).contract_lines] == statuses


def test_defaults_to_the_contract_period_and_names_its_provider() -> None:
    loaded: LoadedContract = contract_from("""
    components:
      - id: staff
        kind: capacity_fee
        amount: 10000.00
        provider: acme
    """)
    comp = loaded.contract.components[0]
    assert isinstance(comp, capacity_fee.CapacityFee)
    lines = capacity_fee.evaluate(comp, loaded, d("2021-01-15")).lines
    assert len(lines) == 36  # 2020-01 .. 2022-12
    assert (lines[0].occurrence, lines[-1].occurrence) == ("2020-01", "2022-12")
    assert [ln.status for ln in lines].count("payable") == 12
    assert lines[12].status == "pending" and lines[12].occurrence == "2021-01"
    assert all(ln.amount == Decimal("10000.00") for ln in lines)
    assert lines[0].clause == "contract.yaml:25"


def test_capacity_lines_belong_to_the_contract_not_to_customers() -> None:
    rows = "r1,c1,referral,2020-01-10,,,,acme,,2019-06-01"
    ev = run(CAPACITY, rows, "2020-05-10")
    assert len(ev.contract_lines) == 4
    assert ev.customers[0].lines == []
