"""reimbursed_expenses: a per-customer budget repaid in date order, the crossing expense in part."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from conftest import EVENT_HEADER, contract_from, one

COLUMNS = EVENT_HEADER.strip().split(",")
d = date.fromisoformat


def ev(event_id: str, type_: str, day: str, customer: str = "c1", **fields: str) -> str:
    cells = {"event_id": event_id, "customer_id": customer, "type": type_, "date": day,
             **fields}
    return ",".join(cells.get(c, "") for c in COLUMNS)


def start(since: str = "2019-06-01") -> list[str]:
    return [ev("r1", "referral", "2020-01-10", provider="acme", unemployed_since=since),
            ev("s1", "service_start", "2020-01-15")]


def expense(event_id: str, day: str, amount: str, category: str, **more: str) -> str:
    return ev(event_id, "expense", day, amount=amount, category=category, **more)


BUDGET = contract_from("""
components:
  - id: budget
    kind: reimbursed_expenses
    budget: {A: 1500.00, B: 2000.00}
    categories: [travel, training]
""")

ROWS = "\n".join([
    *start(),
    expense("x0", "2020-01-10", "30.00", "travel"),
    expense("x1", "2020-02-01", "400.00", "travel"),
    expense("x2", "2020-03-01", "900.00", "training"),
    expense("x3", "2020-03-05", "50.00", "food"),
    expense("x4", "2020-04-01", "350.00", "travel"),
    expense("x5", "2020-05-01", "80.00", "training"),
])


def test_expenses_repaid_up_to_the_budget_crossing_one_in_part() -> None:
    result = one(BUDGET, ROWS, "2020-06-01")
    assert [(ln.occurrence, ln.status, ln.quantity, ln.unit_price, ln.amount, ln.date,
             ln.evidence) for ln in result.lines] == [
        ("x0:outside", "not_earned", 1, Decimal("30.00"), Decimal("30.00"), d("2020-01-10"),
         ("x0",)),
        ("x1", "payable", 1, Decimal("400.00"), Decimal("400.00"), d("2020-02-01"), ("x1",)),
        ("x2", "payable", 1, Decimal("900.00"), Decimal("900.00"), d("2020-03-01"), ("x2",)),
        ("x4", "payable", 1, Decimal("200.00"), Decimal("200.00"), d("2020-04-01"), ("x4",)),
        ("x4:over", "not_earned", 1, Decimal("150.00"), Decimal("150.00"), d("2020-04-01"),
         ("x4",)),
        ("x5", "not_earned", 1, Decimal("80.00"), Decimal("80.00"), d("2020-05-01"), ("x5",)),
    ]
    assert result.totals.payable == Decimal("1500.00")
    reasons = {ln.occurrence: ln.reason for ln in result.lines}
    assert reasons["x2"] == ("expense x2 on 2020-03-01 (training): 900.00 repaid, 200.00 of "
                             "the budget of 1500.00 left")
    assert reasons["x4"] == ("expense x4 on 2020-04-01 (travel): 200.00 of 350.00 repaid, the "
                             "rest of the budget of 1500.00; 150.00 over it not repaid")
    assert reasons["x5"] == ("expense x5 on 2020-05-01 (training): 80.00 not repaid, budget "
                             "of 1500.00 used up")
    assert reasons["x0:outside"].endswith(
        "not repaid, the date is before the service window 2020-01-15..2021-01-14")


def test_budget_by_segment() -> None:
    rows = ROWS.replace("2019-06-01", "2018-06-01")  # segment B: 2000.00
    result = one(BUDGET, rows, "2020-06-01")
    assert result.segment == "B"
    assert [(ln.occurrence, ln.status, ln.amount) for ln in result.lines
            if ln.status == "payable"] == [
        ("x1", "payable", Decimal("400.00")),
        ("x2", "payable", Decimal("900.00")),
        ("x4", "payable", Decimal("350.00")),
        ("x5", "payable", Decimal("80.00")),
    ]


def test_budget_met_exactly_then_used_up() -> None:
    contract = contract_from("""
    components:
      - id: budget
        kind: reimbursed_expenses
        budget: 500.00
    """)
    rows = "\n".join([
        *start(),
        expense("x1", "2020-02-01", "499.99", "travel"),
        expense("x2", "2020-02-02", "0.01", "other"),
        expense("x3", "2020-02-03", "0.01", "other"),
    ])
    result = one(contract, rows, "2020-06-01")
    assert [(ln.occurrence, ln.status, ln.amount) for ln in result.lines] == [
        ("x1", "payable", Decimal("499.99")),
        ("x2", "payable", Decimal("0.01")),
        ("x3", "not_earned", Decimal("0.01")),
    ]


AHEAD_ROWS = "\n".join([
    *start(),
    ev("e1", "service_end", "2020-03-31"),
    expense("x1", "2020-03-31", "100.00", "travel"),
    expense("x2", "2020-04-01", "100.00", "travel"),
    expense("x3", "2020-03-20", "100.00", "training", recorded="2020-03-01"),
])


def test_expense_after_the_service_end_and_one_recorded_ahead() -> None:
    result = one(BUDGET, AHEAD_ROWS, "2020-03-10")
    assert [(ln.occurrence, ln.status, ln.amount) for ln in result.lines] == [
        ("x3", "pending", Decimal("100.00"))]
    assert result.lines[0].reason.endswith("dated after 2020-03-10")
    later = one(BUDGET, AHEAD_ROWS, "2020-04-10")
    assert [(ln.occurrence, ln.status, ln.amount) for ln in later.lines] == [
        ("x3", "payable", Decimal("100.00")),
        ("x1", "payable", Decimal("100.00")),
        ("x2:outside", "not_earned", Decimal("100.00")),
    ]
