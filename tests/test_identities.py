"""Line identities made by the engine never collide with ids the user wrote, and a clash
that could still happen is a located problem, never an internal error."""

from __future__ import annotations

from datetime import date

from conftest import contract_from, one, run

from rewardengine.engine import CustomerResult, _duplicate_identities, evaluate
from rewardengine.evaluate.lines import event_key
from rewardengine.events.read import read_text
from rewardengine.invoicing.invoice import PriorState, compute_invoice
from rewardengine.invoicing.periods import parse_period

OUTCOME = """
components:
  - id: job
    kind: employment_outcome
    work: {min_fte: 1.0}
    min_duration: 30 days
    max_times: 3
    max_gap: 0 days
    amount: 500.00
"""

# one long part-time job E1 lies under two spells (topped up to full time by E2 and E3 at
# different times), so the second spell is keyed "spell:E1@<its first day>"; a job whose
# id is exactly that text leads a third spell of its own
ROWS = """
r1,c1,referral,2020-01-01,,,,acme,,2019-01-01
s1,c1,service_start,2020-01-06
E1,c1,employment,2020-01-06,,2020-12-31,,,,,,,,,open,register,0.5
E2,c1,employment,2020-01-06,,2020-02-29,,,,,,,,,open,register,0.5
E3,c1,employment,2020-05-01,,2020-06-30,,,,,,,,,open,register,0.5
E1@2020-05-01,c1,employment,2021-01-01,,2021-03-31,,,,,,,,,open,register,1.0
"""


def test_an_event_id_in_an_occurrence_is_escaped() -> None:
    assert event_key("E1") == "E1"
    assert event_key("E1@2020-05-01") == "E1%402020-05-01"
    assert event_key("E1:over") == "E1%3Aover"
    assert event_key("100%") == "100%25"


def test_an_id_that_looks_like_an_engine_key_does_not_collide() -> None:
    contract = contract_from(OUTCOME)
    lines = one(contract, ROWS, "2021-12-31").lines
    payable = sorted(ln.occurrence for ln in lines if ln.status == "payable")
    assert payable == ["spell:E1", "spell:E1%402020-05-01", "spell:E1@2020-05-01"]


def test_the_invoice_bills_each_spell_once() -> None:
    contract = contract_from(OUTCOME)
    ev = run(contract, ROWS, "2021-12-31")
    assert ev.problems == []
    invoice = compute_invoice(ev, PriorState(), period=parse_period("2021-12"),
                              providers=("acme",), series="acme",
                              issue_date=date(2021, 12, 31), inputs_sha256="",
                              engine_version="test")
    assert [ln.amount for ln in invoice.lines] == [500, 500, 500]
    assert len({ln.key for ln in invoice.lines}) == 3


def test_a_clash_is_a_located_problem_on_the_rows_behind_it() -> None:
    contract = contract_from(OUTCOME)
    ev = run(contract, ROWS, "2021-12-31")
    customer = ev.customers[0]
    twin = customer.lines[0]
    clashing = CustomerResult(customer.customer_id, customer.segment, customer.provider,
                              [twin, twin], customer.context)
    (problem,) = _duplicate_identities(clashing)
    assert problem.code == "V003"
    assert problem.source.row == 4  # the row of E1, the first event behind the lines
    assert "2 lines of component job share the occurrence 'spell:E1'" in problem.message
    assert "events.csv:4" in problem.message


def test_evaluate_reports_no_clash_for_ordinary_data() -> None:
    contract = contract_from(OUTCOME)
    events = read_text("event_id,customer_id,type,date,unemployed_since\n"
                       "r1,c1,referral,2020-01-01,2019-01-01\n", "events.csv").events
    assert [p.code for p in evaluate(contract, events, date(2020, 6, 1)).problems] == []
