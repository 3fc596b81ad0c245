"""Review findings on counting work: spell identities and exact weighted day counts.

Each test states what the contract says; each failed in review and is fixed.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from conftest import contract_from, one

D = date.fromisoformat
START = "r1,c1,referral,2020-01-10,,,,acme,,2019-06-01\ns1,c1,service_start,2020-01-15\n"


def job(eid: str, first: str, last: str = "", *, kind: str = "open", fte: str = "",
        hours: str = "") -> str:
    # event_id,customer_id,type,date,recorded,end,void,provider,segment,unemployed_since,
    # birth_date,hours,activity,responded,kind,evidence,fte,hours_per_week
    return f"{eid},c1,employment,{first},,{last},,,,,,,,,{kind},register,{fte},{hours}\n"


# --- two spells led by the same job ----------------------------------------------------------

# A long 0.5 FTE job A, topped up to 1.0 FTE by B (Feb-Mar) and later by C (Jun-Jul): two
# separate spells at 0.8 FTE or more. Both start with A active, and A started first, so both
# are keyed "spell:A".
TWO_SPELLS = """
components:
  - id: job30
    kind: employment_outcome
    work: {min_fte: 0.8}
    min_duration: 30 days
    max_times: 2
    amount: 750.00
"""
TWO_SPELL_ROWS = (START + job("A", "2020-02-01", "2020-12-31", fte="0.5")
                  + job("B", "2020-02-01", "2020-03-31", fte="0.5")
                  + job("C", "2020-06-01", "2020-07-31", fte="0.5"))


def test_two_paid_spells_have_distinct_occurrences() -> None:
    got = one(contract_from(TWO_SPELLS), TWO_SPELL_ROWS, "2020-12-31").lines
    paid = [ln for ln in got if ln.status == "payable"]
    assert [(ln.date, ln.amount) for ln in paid] == [(D("2020-03-01"), Decimal("750.00")),
                                                     (D("2020-06-30"), Decimal("750.00"))]
    assert len({ln.key for ln in got}) == len(got)


# --- weighted days must be counted exactly ---------------------------------------------------

# Open work 20 h/week (weight 1) with subsidised work 10 h/week (weight 0.5), which qualify
# only together (at least 30 h a week): every day counts (20 + 5) / 30 = 5/6 of a day. 90
# counted days need exactly 108 days of work: from 2020-02-01 the 108th day is 2020-05-18.
# The subsidised job is renewed on 2020-02-11 (E2 then E3), which splits the spell into two
# stretches of the same weight.
WEIGHTED = """
components:
  - id: job90
    kind: employment_outcome
    work: {min_hours_per_week: 30, kinds: {open: 1, subsidised: 0.5}}
    min_duration: 90 days
    reach_by: 2020-05-18
    amount: 750.00
"""
WEIGHTED_ROWS = (START + job("E1", "2020-02-01", hours="20")
                 + job("E2", "2020-02-01", "2020-02-10", kind="subsidised", hours="10")
                 + job("E3", "2020-02-11", kind="subsidised", hours="10"))


def test_weighted_threshold_is_reached_on_the_exact_day() -> None:
    got = one(contract_from(WEIGHTED), WEIGHTED_ROWS, "2020-06-30").lines
    assert [(ln.status, ln.date, ln.amount) for ln in got] == [
        ("payable", D("2020-05-18"), Decimal("750.00"))]


# work_history: no work in the baseline; in the comparison 12 days of the same 5/6-weighted
# work = exactly 10 extra days, which meets min_extra_days: 10 and pays 10 x 10.00.
HISTORY = """
components:
  - id: history
    kind: work_history
    baseline: 6 months
    count: [work]
    work: {min_hours_per_week: 30, kinds: {open: 1, subsidised: 0.5}}
    rate: 10.00
    min_extra_days: 10
"""
HISTORY_ROWS = (START + job("E1", "2020-03-01", "2020-03-12", hours="20")
                + job("E2", "2020-03-01", "2020-03-12", kind="subsidised", hours="10"))


def test_weighted_extra_days_meet_the_minimum_exactly() -> None:
    got = one(contract_from(HISTORY), HISTORY_ROWS, "2020-08-01").lines
    assert [(ln.status, ln.quantity, ln.amount, ln.date) for ln in got] == [
        ("payable", Decimal(10), Decimal("100.00"), D("2020-07-14"))]
