"""Properties of evaluation that must hold for any cohort (hypothesis)."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from decimal import Decimal

from conftest import contract_from, events_from
from hypothesis import example, given
from hypothesis import strategies as st

from rewardengine.engine import evaluate

KINDS = """
components:
  - id: base_fee
    kind: event_fee
    event: service_start
    amount: {A: 200.00, B: 300.00}
  - id: start_hours
    kind: hourly_fee
    rate: 60.00
    phase: {until: 3 months}
    max_hours: 10
  - id: monthly
    kind: monthly_fee
    amount: 150.00
    phase: {from: 3 months, until: 12 months}
    condition: {min_responded_contacts: 1}
    proration: daily
  - id: job_90
    kind: employment_outcome
    min_duration: 90 days
    counting: cumulative
    work: {min_fte: 0.8, kinds: {open: 1, subsidised: 0.5}}
    amount:
      A: {register: 750.00, self_report: 190.00}
      B: {register: 1000.00, self_report: 190.00}
  - id: ladder
    kind: milestones
    steps:
      - {after: 4 weeks, amount: 100.00}
      - {after: 13 weeks, amount: 300.00}
    sustainment: {every: 4 weeks, amount: 50.00, max_count: 3}
  - id: toe
    kind: employment_condition
    unit: weeks
    min_hours_per_week: 18
    required: 26
    reference_period: 18 months
    amount: 2000.00
"""

CAPS = """
caps:
  per_customer: 2500.00
  contract_total: 9000.00
"""

AS_OF = date(2021, 9, 30)


@st.composite
def customer_rows(draw: st.DrawFn, cid: str) -> list[str]:
    ref = date(2020, 1, 1) + timedelta(days=draw(st.integers(0, 200)))
    since = ref - timedelta(days=draw(st.integers(0, 900)))
    start = ref + timedelta(days=draw(st.integers(0, 30)))
    rows = [f"r{cid},{cid},referral,{ref},,,,acme,,{since}",
            f"s{cid},{cid},service_start,{start}"]
    for k in range(draw(st.integers(0, 6))):
        d = start + timedelta(days=draw(st.integers(0, 200)))
        hours = draw(st.sampled_from(["1", "1.5", "2.25", "4"]))
        rows.append(f"h{cid}_{k},{cid},hours,{d},,,,,,,,{hours},coaching")
    for m in range(draw(st.integers(0, 12))):
        d = start + timedelta(days=draw(st.integers(0, 400)))
        ok = draw(st.booleans())
        rows.append(f"k{cid}_{m},{cid},contact,{d},,,,,,,,,,{'true' if ok else 'false'}")
    for j in range(draw(st.integers(0, 3))):
        d = start + timedelta(days=draw(st.integers(-30, 500)))
        length = draw(st.one_of(st.none(), st.integers(0, 300)))
        end = "" if length is None else str(d + timedelta(days=length))
        kind = draw(st.sampled_from(["open", "subsidised"]))
        evidence = draw(st.sampled_from(["register", "self_report"]))
        fte = draw(st.sampled_from(["0.5", "0.79", "0.8", "1.0"]))
        rows.append(f"e{cid}_{j},{cid},employment,{d},,{end},,,,,,,,,{kind},{evidence},{fte}")
    if draw(st.booleans()):
        rows.append(f"x{cid},{cid},service_end,{start + timedelta(days=draw(st.integers(0, 400)))}")
    return rows


@st.composite
def cohorts(draw: st.DrawFn) -> list[list[str]]:
    n = draw(st.integers(1, 4))
    return [draw(customer_rows(f"c{i}")) for i in range(n)]


def _json(contract_text: str, rows: list[str]) -> str:
    contract = contract_from(contract_text)
    ev = evaluate(contract, events_from("\n".join(rows)).events, AS_OF)
    return json.dumps(ev.to_dict(), sort_keys=True)


@given(cohorts(), st.randoms(use_true_random=False))
def test_shuffling_rows_changes_nothing(cohort: list[list[str]], rnd: random.Random) -> None:
    rows = [r for c in cohort for r in c]
    shuffled = rows[:]
    rnd.shuffle(shuffled)
    assert _json(KINDS + CAPS, rows) == _json(KINDS + CAPS, shuffled)


@given(cohorts(), customer_rows("zz"))
def test_adding_a_customer_changes_no_one_else(cohort: list[list[str]],
                                              extra: list[str]) -> None:
    rows = [r for c in cohort for r in c]
    before = json.loads(_json(KINDS, rows))["customers"]
    after = json.loads(_json(KINDS, rows + extra))["customers"]
    assert [c for c in after if c["customer_id"] != "zz"] == before


@given(cohorts())
def test_total_is_sum_of_lines_and_runs_are_identical(cohort: list[list[str]]) -> None:
    rows = [r for c in cohort for r in c]
    contract = contract_from(KINDS + CAPS)
    ev = evaluate(contract, events_from("\n".join(rows)).events, AS_OF)
    for cust in ev.customers:
        payable = sum((ln.amount for ln in cust.lines if ln.status == "payable"), Decimal(0))
        assert cust.totals.payable == payable
        for ln in cust.lines:
            assert ln.amount == ln.amount.quantize(Decimal("0.01"))
    assert ev.totals.payable == sum((c.totals.payable for c in ev.customers), Decimal(0)) + sum(
        (ln.amount for ln in ev.contract_lines if ln.status == "payable"), Decimal(0))
    assert ev.totals.payable <= Decimal("9000.00")
    assert _json(KINDS + CAPS, rows) == _json(KINDS + CAPS, rows)


@given(customer_rows("c1"), st.integers(1, 200))
@example(rows=[  # a self-reported job extended onto a day a register-verified job qualifies
    "rc1,c1,referral,2020-01-01,,,,acme,,2020-01-01", "sc1,c1,service_start,2020-01-01",
    "ec1_0,c1,employment,2019-12-31,,2019-12-31,,,,,,,,,open,self_report,0.5",
    "ec1_1,c1,employment,2020-01-01,,,,,,,,,,,open,register,0.8"], extra_days=1)
@example(rows=[  # subsidised work extended onto days open work qualifies on its own
    "rc1,c1,referral,2020-01-01,,,,acme,,2019-01-01", "sc1,c1,service_start,2020-01-01",
    "ec1_0,c1,employment,2020-01-01,,2020-01-31,,,,,,,,,subsidised,register,0.5",
    "ec1_1,c1,employment,2020-02-01,,,,,,,,,,,open,register,1.0"], extra_days=200)
def test_extending_a_job_never_lowers_payable(rows: list[str], extra_days: int) -> None:
    jobs = [i for i, r in enumerate(rows) if ",employment," in r]
    if not jobs:
        return
    i = jobs[0]
    cells = rows[i].split(",")
    if not cells[5]:
        return  # ongoing already: as long as it can be
    longer = cells[:]
    longer[5] = str(date.fromisoformat(cells[5]) + timedelta(days=extra_days))
    extended = [*rows[:i], ",".join(longer), *rows[i + 1:]]
    contract = contract_from(KINDS)
    base = evaluate(contract, events_from("\n".join(rows)).events, AS_OF)
    more = evaluate(contract, events_from("\n".join(extended)).events, AS_OF)
    assert more.totals.payable >= base.totals.payable
