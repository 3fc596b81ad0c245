"""event_fee: once / each, windows, max_count, what a not-earned line forgoes, wording."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from conftest import CONTRACT_HEAD, EVENT_HEADER, contract_from, one

from rewardengine.evaluate.lines import Line, Totals

COLUMNS = EVENT_HEADER.strip().split(",")
D = date.fromisoformat


def row(event_id: str, type_: str, day: str, **fields: str) -> str:
    values = {"event_id": event_id, "customer_id": "c1", "type": type_, "date": day, **fields}
    assert set(values) <= set(COLUMNS), set(values) - set(COLUMNS)
    return ",".join(values.get(c, "") for c in COLUMNS)


# segment A; service 2020-01-15..2020-06-30 (ended by s9)
REFERRAL = row("r1", "referral", "2020-01-10", provider="acme", unemployed_since="2019-06-01")
START = "\n".join([REFERRAL, row("s1", "service_start", "2020-01-15"),
                   row("s9", "service_end", "2020-06-30")])


def hours(event_id: str, day: str, activity: str) -> str:
    return row(event_id, "hours", day, hours="2", activity=activity)


def lines(contract: str, *rows: str, as_of: str, head: str = CONTRACT_HEAD) -> list[Line]:
    return one(contract_from(contract, head), "\n".join(rows), as_of).lines


def facts(ln: Line) -> tuple[str, str, date | None, Decimal, Decimal, tuple[str, ...]]:
    return (ln.status, ln.occurrence, ln.date, ln.quantity, ln.amount, ln.evidence)


STATEMENT = """
components:
  - id: statement
    kind: event_fee
    event: hours
    where: {activity: written_statement}
    per: once
    window: service
    amount: 180.00
"""

SESSIONS = """
components:
  - id: session
    kind: event_fee
    event: hours
    where: {activity: [group, workshop]}
    per: each
    max_count: 2
    window: service
    amount: 40.00
"""


# Rule changed: the ':outside' line of a `per: once` fee used to carry the fee (180.00) as
# well as the "no ... inside the window" line, counting the one fee twice as forgone. It is now
# information only (quantity 0); the window's line carries the forgone amount.
def test_once_fee_outside_the_window_is_forgone_once() -> None:
    got = lines(STATEMENT, START, hours("h1", "2020-07-10", "written_statement"),
                as_of="2020-08-01")
    assert [facts(ln) for ln in got] == [
        ("not_earned", "h1:outside", D("2020-07-10"), Decimal(0), Decimal("0.00"), ("h1",)),
        ("not_earned", "once", D("2020-06-30"), Decimal(1), Decimal("180.00"), ()),
    ]
    assert got[0].reason == ("hours row h1 (activity=written_statement) on 2020-07-10 is after "
                             "the service window 2020-01-15..2020-06-30")
    assert got[1].reason == ("no hours row (activity=written_statement) inside the service "
                             "window 2020-01-15..2020-06-30")
    assert Totals.of(got).not_earned == Decimal("180.00")


def test_once_fee_outside_while_the_window_is_open() -> None:
    # as of 2020-03-01 the service end (dated, so recorded, 2020-06-30) is not known yet: the
    # window runs to the longest the service may last
    got = lines(STATEMENT, START, hours("h0", "2020-01-10", "written_statement"),
                as_of="2020-03-01")
    assert [facts(ln) for ln in got] == [
        ("not_earned", "h0:outside", D("2020-01-10"), Decimal(0), Decimal("0.00"), ("h0",)),
        ("pending", "once", D("2021-01-14"), Decimal(1), Decimal("180.00"), ()),
    ]
    assert got[0].reason.endswith("is before the service window 2020-01-15..2021-01-14")
    assert got[1].reason == "needs an hours row (activity=written_statement) by 2021-01-14"


def test_once_fee_paid_inside_with_another_event_outside() -> None:
    got = lines(STATEMENT, START, hours("h1", "2020-03-02", "written_statement"),
                hours("h2", "2020-07-10", "written_statement"), as_of="2020-08-01")
    assert [facts(ln) for ln in got] == [
        ("payable", "once", D("2020-03-02"), Decimal(1), Decimal("180.00"), ("h1",)),
        ("not_earned", "h2:outside", D("2020-07-10"), Decimal(0), Decimal("0.00"), ("h2",)),
    ]
    assert got[0].reason == ("hours row h1 (activity=written_statement) on 2020-03-02, inside "
                             "the service window")


# Rule changed: an event beyond max_count used to be not_earned at the fee (40.00); the contract
# never offered it, so it now forgoes nothing (quantity 0, 0.00). A session outside the window
# is still a session lost: its line keeps the fee.
def test_each_fee_outside_keeps_its_amount_beyond_max_count_forgoes_nothing() -> None:
    got = lines(SESSIONS, START, hours("g0", "2020-01-10", "group"),
                hours("g1", "2020-02-01", "group"), hours("g2", "2020-03-01", "workshop"),
                hours("g3", "2020-04-01", "group"), hours("x1", "2020-04-02", "individual"),
                as_of="2020-05-01")
    assert [facts(ln) for ln in got] == [
        ("not_earned", "g0:outside", D("2020-01-10"), Decimal(1), Decimal("40.00"), ("g0",)),
        ("payable", "g1", D("2020-02-01"), Decimal(1), Decimal("40.00"), ("g1",)),
        ("payable", "g2", D("2020-03-01"), Decimal(1), Decimal("40.00"), ("g2",)),
        ("not_earned", "g3", D("2020-04-01"), Decimal(0), Decimal("0.00"), ("g3",)),
    ]
    assert got[3].unit_price == Decimal("40.00")
    assert got[3].reason == ("hours row g3 (activity=group|workshop) on 2020-04-01 is beyond "
                             "the maximum of 2")


def test_each_fee_with_nothing_yet_and_waiting_for_the_service() -> None:
    got = lines(SESSIONS, START, as_of="2020-06-01")
    assert [facts(ln) for ln in got] == [
        ("pending", "none", D("2021-01-14"), Decimal(0), Decimal("0.00"), ())]
    assert got[0].reason == "needs an hours row (activity=group|workshop) by 2021-01-14"
    waiting = lines(SESSIONS, REFERRAL, as_of="2020-03-01")
    assert [facts(ln) for ln in waiting] == [
        ("pending", "none", None, Decimal(0), Decimal("0.00"), ())]
    assert waiting[0].reason == ("waiting for an hours row (activity=group|workshop): no "
                                 "service start recorded yet")


def test_articles_and_nouns_of_event_types() -> None:
    contract = """
components:
  - id: attachment
    kind: event_fee
    event: service_start
    amount: 100.00
  - id: degree
    kind: event_fee
    event: education
    where: {kind: degree}
    window: service
    amount: 500.00
"""
    got = lines(contract, REFERRAL, as_of="2020-03-01")
    assert [ln.reason for ln in got] == [
        "needs a service start by 2022-12-31",
        "waiting for an education row (kind=degree): no service start recorded yet",
    ]


# Decided: an event fee pays for an event, not an outcome. Its window is the contract's
# validity, the service, or the service and follow-up as they are: the contract's grace,
# outcomes_until (and a component's reach_by, which event_fee does not have) do not move it.
CUT_HEAD = CONTRACT_HEAD.replace("  follow_up: 6 months\n",
                                 "  follow_up: 6 months\n  grace: 1 month\n"
                                 "  outcomes_until: 2020-12-31\n")
DEGREE = """
components:
  - id: degree
    kind: event_fee
    event: education
    where: {kind: degree}
    window: service_and_follow_up
    amount: 500.00
"""
OPEN_START = "\n".join([REFERRAL, row("s1", "service_start", "2020-01-15")])


def test_event_fee_window_ignores_outcomes_until_and_grace() -> None:
    # service 2020-01-15..2021-01-14, follow-up to 2021-07-14
    after_cut = lines(DEGREE, OPEN_START, row("ed1", "education", "2021-03-01", kind="degree"),
                      as_of="2021-04-01", head=CUT_HEAD)
    assert [facts(ln) for ln in after_cut] == [
        ("payable", "once", D("2021-03-01"), Decimal(1), Decimal("500.00"), ("ed1",))]
    in_grace = lines(DEGREE, OPEN_START, row("ed1", "education", "2021-07-20", kind="degree"),
                     as_of="2021-08-01", head=CUT_HEAD)
    assert [facts(ln) for ln in in_grace] == [
        ("not_earned", "ed1:outside", D("2021-07-20"), Decimal(0), Decimal("0.00"), ("ed1",)),
        ("not_earned", "once", D("2021-07-14"), Decimal(1), Decimal("500.00"), ()),
    ]
    assert in_grace[0].reason == ("education row ed1 (kind=degree) on 2021-07-20 is after the "
                                  "service and follow up window 2020-01-15..2021-07-14")
