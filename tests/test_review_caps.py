"""Review findings on caps: what a cap cuts must not be reduced again, and a customer's
amounts must not depend on which other customers were evaluated with it.

Each was found failing in review and is fixed.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from conftest import contract_from, events_from, one

from rewardengine.engine import evaluate

START = "r1,c1,referral,2020-01-10,,,,acme,,2019-06-01\ns1,c1,service_start,2020-01-15\n"

# Sessions pay 80.00 each, at most 80.00 per customer (the component's cap); a customer
# feedback score of 1 sets the factor 0.5. Two sessions: the cap leaves 80.00, so the customer
# should be paid 80.00 x 0.5 = 40.00.
MULTIPLIED = """
components:
  - id: sessions
    kind: event_fee
    event: hours
    per: each
    window: service
    amount: 80.00
    cap: 80.00
  - id: feedback
    kind: survey_adjustment
    instrument: fb
    mode: multiplier
    applies_to: [sessions]
    bands:
      - {min_score: 0, factor: 0.5}
"""
# event_id,customer_id,type,date,recorded,end,void,provider,segment,unemployed_since,
# birth_date,hours,activity,responded,kind,evidence,fte,hours_per_week,wage,days,amount,
# instrument,score
MULTIPLIED_ROWS = (START + "h1,c1,hours,2020-02-01,,,,,,,,1\n"
                   + "h2,c1,hours,2020-02-02,,,,,,,,1\n"
                   + "q1,c1,survey,2020-03-01,,,,,,,,,,,,,,,,,,fb,1\n")


def test_a_reduction_never_takes_back_more_than_the_capped_line_pays() -> None:
    got = one(contract_from(MULTIPLIED), MULTIPLIED_ROWS, "2020-04-01")
    assert got.totals.payable == Decimal("40.00")


# Two customers each earn a 100.00 start fee; the contract pays at most 100.00 in total.
# c1 started first, so the ceiling leaves c2 nothing.
CEILING = """
components:
  - id: base_fee
    kind: event_fee
    event: service_start
    amount: 100.00
caps: {contract_total: 100.00}
"""
CEILING_ROWS = (START + "r2,c2,referral,2020-02-01,,,,acme,,2019-06-01\n"
                "s2,c2,service_start,2020-02-10\n")


def test_one_customer_shows_what_the_whole_evaluation_pays_it() -> None:
    loaded = contract_from(CEILING)
    evs = events_from(CEILING_ROWS).events
    on = date(2020, 3, 1)
    whole = next(c for c in evaluate(loaded, evs, on).customers if c.customer_id == "c2")
    alone = evaluate(loaded, evs, on, customers=["c2"]).customers[0]
    assert whole.totals.payable == Decimal("0.00")
    assert alone.totals.payable == whole.totals.payable
