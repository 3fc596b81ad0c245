"""period_payments: a payment for each qualifying calendar month or week, up to a maximum."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from conftest import CONTRACT_HEAD, LATER_HEAD, contract_from, events_from

from rewardengine.engine import CustomerResult, evaluate
from rewardengine.evaluate.lines import Line
from rewardengine.pipeline import load_contract_text

HEADER = "event_id,customer_id,type,date,provider,unemployed_since,amount,days,evidence\n"
REFERRAL = "r1,c1,referral,2024-12-20,acme,2024-06-01\n"  # segment A


def contract(extra: str = "", unit: str = "months", max_periods: int = 3) -> str:
    return f"""
components:
  - id: months_off
    kind: period_payments
    unit: {unit}
    min_earnings: {{values: {{2020-01-01: 1550.00, 2025-01-01: 1620.00}}}}
    benefit: none
    max_periods: {max_periods}
    amount: {{A: 555.00, B: 600.00}}
{extra}"""


def result(rows: str, as_of: str, text: str | None = None, head: str = LATER_HEAD
           ) -> CustomerResult:
    """The customer's result under the contract in force to 2026 (rows of 2024 and 2025),
    or under ``head``."""
    loaded = contract_from(text or contract(), head)
    ev = evaluate(loaded, events_from(rows, HEADER).events, date.fromisoformat(as_of))
    assert not ev.problems, [str(p) for p in ev.problems]
    return next(c for c in ev.customers if c.customer_id == "c1")


def earn(month: str, amount: str, day: str = "28") -> str:
    return f"w{month},c1,earnings,{month}-{day},,,{amount},,register\n"


def benefit(month: str, amount: str) -> str:
    return f"b{month},c1,benefit,{month}-01,,,{amount},,\n"


def facts(line: Line) -> tuple[str, str, date | None, Decimal]:
    return line.status, line.occurrence, line.date, line.amount


def test_threshold_to_the_cent_and_no_benefit() -> None:
    rows = (REFERRAL + "s1,c1,service_start,2025-01-15\n"
            + earn("2025-01", "1620.00") + earn("2025-02", "1619.99")
            + earn("2025-03", "1620.00") + benefit("2025-03", "0.01")
            + earn("2025-04", "1700.00") + benefit("2025-04", "0.00"))
    lines = result(rows, "2025-04-30").lines
    # January counts (it ends after the start on the 15th); February is a cent short; March
    # has a cent of benefit; April's benefit row is 0.00: no benefit paid
    assert [facts(ln) for ln in lines] == [
        ("payable", "2025-01", date(2025, 1, 31), Decimal("555.00")),
        ("payable", "2025-04", date(2025, 4, 30), Decimal("555.00")),
        ("pending", "next", date(2026, 6, 30), Decimal("555.00")),
    ]
    assert lines[0].reason == ("2025-01: earnings 1620.00 € (at least 1620.00 €), no benefit "
                               "paid: qualifies, payment 1 of 3")
    assert lines[0].evidence == ("w2025-01",)
    assert (lines[0].period_start, lines[0].period_end) == (date(2025, 1, 1), date(2025, 2, 1))
    assert lines[1].evidence == ("w2025-04",)  # a 0.00 benefit row is no benefit paid
    assert lines[2].reason.startswith("2 of 3 months paid so far; needs another calendar month "
                                      "with earnings of at least the threshold (1620.00 € on "
                                      "2025-04-30) and no benefit paid, ending by 2026-07-14 "
                                      "(the follow-up ends)")


def test_threshold_that_changes_on_a_date() -> None:
    # December 2024 takes 1550.00, January 2025 takes 1620.00
    rows = (REFERRAL + "s1,c1,service_start,2024-12-01\n" + earn("2024-12", "1600.00")
            + earn("2025-01", "1600.00"))
    lines = result(rows, "2025-01-31").lines
    assert [facts(ln)[:2] for ln in lines] == [("payable", "2024-12"), ("pending", "next")]


@pytest.mark.parametrize(("start", "counts_december"), [
    ("2024-12-30", True),   # December ends after the start: it counts
    ("2024-12-31", False),  # a start on its last day: December does not end after it
])
def test_the_month_of_the_start_counts_when_it_ends_after_the_start(
        start: str, counts_december: bool) -> None:
    rows = REFERRAL + f"s1,c1,service_start,{start}\n" + earn("2024-12", "1600.00", "15")
    lines = result(rows, "2025-01-31").lines
    assert (lines[0].occurrence == "2024-12") is counts_december


def test_at_most_max_periods_not_necessarily_in_a_row() -> None:
    rows = (REFERRAL + "s1,c1,service_start,2025-01-01\n" + earn("2025-01", "2000.00")
            + earn("2025-03", "2000.00") + earn("2025-05", "2000.00")
            + earn("2025-06", "2000.00"))
    res = result(rows, "2025-12-31")
    assert [facts(ln)[:2] for ln in res.lines] == [
        ("payable", "2025-01"), ("payable", "2025-03"), ("payable", "2025-05")]
    # June qualifies too, beyond the maximum: no line, and the trace says so
    june = next(s for s in res.traces["months_off"].steps if s.text.startswith("2025-06"))
    assert june.text.endswith("qualifies, beyond the maximum of 3: not paid")


def test_not_earned_when_the_last_counted_month_ends_without_it() -> None:
    # service 2025-01-01 + 12 months + 6 months follow-up: the last month is June 2026
    rows = REFERRAL + "s1,c1,service_start,2025-01-01\n" + earn("2025-02", "2000.00")
    before = result(rows, "2026-06-29").lines[-1]
    assert facts(before) == ("pending", "next", date(2026, 6, 30), Decimal("555.00"))
    lost = result(rows, "2026-06-30").lines[-1]
    assert facts(lost) == ("not_earned", "next", date(2026, 6, 30), Decimal("555.00"))
    assert lost.reason.startswith("1 of 3 months paid so far; no further calendar month with "
                                  "earnings of at least the threshold")


def test_waiting_for_the_service_start() -> None:
    referral = "r1,c1,referral,2022-01-20,acme,2021-06-01\n"
    lines = result(referral, "2022-06-30", head=CONTRACT_HEAD).lines
    assert [facts(ln) for ln in lines] == [("pending", "next", None, Decimal("555.00"))]
    # the contract ends on 2022-12-31: with still no service start, lost that day
    lines = result(referral, "2023-01-01", head=CONTRACT_HEAD).lines
    assert [facts(ln) for ln in lines] == [
        ("not_earned", "next", date(2022, 12, 31), Decimal("555.00"))]


def test_weeks_take_the_benefit_of_their_months() -> None:
    text = contract(unit="weeks").replace("1550.00, 2025-01-01: 1620.00", "400.00")
    # Monday 2025-03-03 .. Sunday 2025-03-09; the week of 2025-03-31 runs into April
    rows = (REFERRAL + "s1,c1,service_start,2025-03-03\n"
            + earn("2025-03", "450.00", "05") + earn("2025-03", "450.00", "31").replace(
                "w2025-03", "w2025-03b") + benefit("2025-04", "100.00"))
    lines = result(rows, "2025-04-30", text).lines
    # the week of 3 March qualifies; the week of 31 March touches April, which paid benefit
    assert [facts(ln)[:2] for ln in lines] == [("payable", "2025-W10"), ("pending", "next")]


def test_a_test_is_required() -> None:
    body = contract().replace("    min_earnings: {values: {2020-01-01: 1550.00, "
                              "2025-01-01: 1620.00}}\n", "").replace("benefit: none",
                                                                      "benefit: any")
    _, problems = load_contract_text(CONTRACT_HEAD + body, "c.yaml")
    assert [(p.code, p.message) for p in problems if p.severity == "error"] == [
        ("C217", "period_payments needs min_earnings or benefit (none or paid): "
                 "otherwise every unit qualifies")]
