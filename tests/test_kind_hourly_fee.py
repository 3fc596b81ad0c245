"""hourly_fee: hours in the phase paid at the segment's rate, up to max_hours."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from conftest import EVENT_HEADER, contract_from, one

from rewardengine.evaluate.lines import Line

COLUMNS = EVENT_HEADER.strip().split(",")


def ev(event_id: str, type_: str, day: str, customer: str = "c1", **fields: str) -> str:
    cells = {"event_id": event_id, "customer_id": customer, "type": type_, "date": day,
             **fields}
    return ",".join(cells.get(c, "") for c in COLUMNS)


def start(since: str = "2019-06-01") -> list[str]:
    """Referral (segment A: 7 months unemployed; B with 2018 dates) and service start."""
    return [ev("r1", "referral", "2020-01-10", provider="acme", unemployed_since=since),
            ev("s1", "service_start", "2020-01-15")]


def hours(event_id: str, day: str, n: str, activity: str = "coaching", **more: str) -> str:
    return ev(event_id, "hours", day, hours=n, activity=activity, **more)


PHASED = contract_from("""
components:
  - id: start_hours
    kind: hourly_fee
    rate: {A: 60.00, B: 75.00}
    phase: {until: 2 months}
    activities: [coaching]
    max_hours: 10
""")

# phase = 2020-01-15..2020-03-14; h3 is another activity; h4 crosses the 10 hours
MAX_ROWS = "\n".join([
    *start(),
    hours("h0", "2020-01-14", "1"),
    hours("h1", "2020-01-20", "4"),
    hours("h2", "2020-02-03", "3.5"),
    hours("h3", "2020-02-10", "2", activity="group"),
    hours("h4", "2020-02-17", "4"),
    hours("h5", "2020-03-02", "1"),
    hours("h6", "2020-03-15", "2"),
])


def table(lines: list[Line]) -> list[tuple[object, ...]]:
    return [(ln.occurrence, ln.status, ln.quantity, ln.amount, ln.date, ln.evidence)
            for ln in lines]


def test_max_hours_crossed_mid_event_and_hours_outside_the_phase() -> None:
    result = one(PHASED, MAX_ROWS, "2020-04-01")
    d = date.fromisoformat
    assert table(result.lines) == [
        ("h0:outside", "not_earned", Decimal("1"), Decimal("60.00"), d("2020-01-14"), ("h0",)),
        ("h1", "payable", Decimal("4"), Decimal("240.00"), d("2020-01-20"), ("h1",)),
        ("h2", "payable", Decimal("3.5"), Decimal("210.00"), d("2020-02-03"), ("h2",)),
        ("h4", "payable", Decimal("2.5"), Decimal("150.00"), d("2020-02-17"), ("h4",)),
        # past the maximum: never offered, nothing forgone (as an event past max_count)
        ("h4:over", "not_earned", Decimal("0"), Decimal("0.00"), d("2020-02-17"), ("h4",)),
        ("h5", "not_earned", Decimal("0"), Decimal("0.00"), d("2020-03-02"), ("h5",)),
        ("h6:outside", "not_earned", Decimal("2"), Decimal("120.00"), d("2020-03-15"),
         ("h6",)),
    ]
    assert result.totals.payable == Decimal("600.00")  # 10 hours at 60.00
    reasons = {ln.occurrence: ln.reason for ln in result.lines}
    assert reasons["h4"] == (
        "hours h4 on 2020-02-17 (coaching): 2.5 h of 4 h paid at 60.00/h, the hours left "
        "before the max of 10 hours; 1.5 h over it not paid")
    assert reasons["h5"] == ("hours h5 on 2020-03-02 (coaching): 1 h not paid, max 10 hours "
                             "reached")
    assert reasons["h0:outside"].endswith(
        "the date is before the phase 2020-01-15..2020-03-14 (service start + 0 days to "
        "+ 2 months)")
    assert "after the phase 2020-01-15..2020-03-14" in reasons["h6:outside"]
    assert all(ln.clause == "contract.yaml:25" for ln in result.lines)


def test_rate_by_segment() -> None:
    rows = "\n".join([*start("2018-06-01"), hours("h1", "2020-01-20", "4")])
    result = one(PHASED, rows, "2020-04-01")
    assert result.segment == "B"
    assert [(ln.status, ln.unit_price, ln.amount) for ln in result.lines] == [
        ("payable", Decimal("75.00"), Decimal("300.00"))]


LATER_PHASE = contract_from("""
components:
  - id: middle_hours
    kind: hourly_fee
    rate: 50.00
    phase: {from: 1 month, until: 3 months}
""")


@pytest.mark.parametrize(("day", "status", "occurrence"), [
    ("2020-02-14", "not_earned", "h1:outside"),  # last day of service month 1
    ("2020-02-15", "payable", "h1"),  # first day of the phase
    ("2020-04-14", "payable", "h1"),  # last day of the phase
    ("2020-04-15", "not_earned", "h1:outside"),
])
def test_phase_from_until_bounds(day: str, status: str, occurrence: str) -> None:
    rows = "\n".join([*start(), hours("h1", day, "2")])
    [line] = one(LATER_PHASE, rows, "2020-06-01").lines
    assert (line.status, line.occurrence, line.amount) == (status, occurrence,
                                                           Decimal("100.00"))


def test_no_phase_pays_the_service_window_and_no_limit() -> None:
    contract = contract_from("""
    components:
      - id: psychologist
        kind: hourly_fee
        rate: 95.50
    """)
    rows = "\n".join([
        *start(), ev("e1", "service_end", "2020-06-30"),
        hours("h1", "2020-03-01", "1.5", activity="therapy"),
        hours("h2", "2020-06-30", "1", activity="therapy"),
        hours("h3", "2020-07-01", "1", activity="therapy"),
    ])
    result = one(contract, rows, "2020-08-01")
    assert table(result.lines) == [
        ("h1", "payable", Decimal("1.5"), Decimal("143.25"), date(2020, 3, 1), ("h1",)),
        ("h2", "payable", Decimal("1"), Decimal("95.50"), date(2020, 6, 30), ("h2",)),
        ("h3:outside", "not_earned", Decimal("1"), Decimal("95.50"), date(2020, 7, 1),
         ("h3",)),
    ]
    assert result.lines[2].reason.endswith("after the service window 2020-01-15..2020-06-30")


AHEAD_ROWS = "\n".join([
    *start(),
    hours("h1", "2020-02-01", "8"),
    hours("h2", "2020-02-20", "4", recorded="2020-02-05"),
])


def test_hours_recorded_ahead_are_pending_and_count_towards_the_maximum() -> None:
    result = one(PHASED, AHEAD_ROWS, "2020-02-10")
    assert [(ln.occurrence, ln.status, ln.amount) for ln in result.lines] == [
        ("h1", "payable", Decimal("480.00")),
        ("h2", "pending", Decimal("120.00")),
        ("h2:over", "not_earned", Decimal("0.00")),
    ]
    assert result.lines[1].reason.endswith("scheduled after 2020-02-10")


NOT_STARTED_ROWS = "\n".join([
    ev("r1", "referral", "2020-01-10", provider="acme", unemployed_since="2019-06-01"),
    hours("h1", "2020-01-12", "2"),
])


def test_hours_before_any_service_start_wait() -> None:
    [line] = one(PHASED, NOT_STARTED_ROWS, "2020-01-13").lines
    assert (line.status, line.occurrence, line.amount) == ("pending", "h1",
                                                           Decimal("120.00"))
    assert line.reason.endswith("waiting for the service start: no service start recorded yet")


def test_no_hours_no_lines() -> None:
    assert one(PHASED, "\n".join(start()), "2020-04-01").lines == []


_CHANGES = "{values: {2020-01-01: 60.00, 2020-02-03: 70.00}}"


@pytest.mark.parametrize("rate", [_CHANGES, f"{{A: {_CHANGES}, B: 75.00}}"])
def test_a_dated_rate_is_the_one_on_the_rows_day(rate: str) -> None:
    # the rate changes on 2020-02-03: a row the day before is paid at the old one, a row on
    # the day at the new one (a plain rate is read once; a dated one, or a table, each row)
    contract = contract_from(f"""
components:
  - id: start_hours
    kind: hourly_fee
    rate: {rate}
    max_hours: 10
""")
    rows = "\n".join([*start(), hours("h1", "2020-02-02", "2"), hours("h2", "2020-02-03", "2")])
    assert [(ln.occurrence, ln.unit_price, ln.amount)
            for ln in one(contract, rows, "2020-04-01").lines] == [
        ("h1", Decimal("60.00"), Decimal("120.00")), ("h2", Decimal("70.00"), Decimal("140.00"))]
