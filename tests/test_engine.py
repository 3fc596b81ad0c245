"""The engine around the kinds: segments at referral, caps in accrual order, as-of, JSON."""

from __future__ import annotations

from decimal import Decimal

from conftest import CONTRACT_HEAD, contract_from, one, run

SESSIONS = """
components:
  - id: session
    kind: event_fee
    event: hours
    where: {activity: psychologist}
    per: each
    amount: {A: 80.00, B: 120.00}
    window: service
"""

ROWS = """
r1,c1,referral,2020-01-10,,,,acme,,2019-06-01
s1,c1,service_start,2020-01-15
h1,c1,hours,2020-02-01,,,,,,,,1,psychologist
h2,c1,hours,2020-02-08,,,,,,,,1,psychologist
h3,c1,hours,2020-02-15,,,,,,,,1,coaching
h4,c1,hours,2020-02-22,,,,,,,,1,psychologist
"""


def test_each_event_pays_and_filters() -> None:
    res = one(contract_from(SESSIONS), ROWS, "2020-03-01")
    assert [(ln.occurrence, ln.status, ln.amount) for ln in res.lines] == [
        ("h1", "payable", Decimal("80.00")),
        ("h2", "payable", Decimal("80.00")),
        ("h4", "payable", Decimal("80.00")),
    ]
    assert res.totals.payable == Decimal("240.00")


def test_segment_measured_at_referral_not_later() -> None:
    # unemployed since 2019-01-11: 11 months 30 days at referral on 2020-01-10 -> segment A,
    # although by the service start and by as_of the customer has been unemployed 12+ months.
    rows = ROWS.replace("2019-06-01", "2019-01-11")
    res = one(contract_from(SESSIONS), rows, "2020-03-01")
    assert res.segment == "A"
    assert res.context.segment_reason == "at referral 2020-01-10: unemployment_months=11"
    # one day earlier is exactly 12 months at referral: the [12, ...) segment B
    res_b = one(contract_from(SESSIONS), ROWS.replace("2019-06-01", "2019-01-10"), "2020-03-01")
    assert res_b.segment == "B"
    assert res_b.lines[0].unit_price == Decimal("120.00")


def test_per_customer_cap_binds_mid_line() -> None:
    contract = contract_from(SESSIONS + "caps:\n  per_customer: 200.00\n")
    res = one(contract, ROWS, "2020-03-01")
    assert [(ln.occurrence, ln.amount) for ln in res.lines] == [
        ("h1", Decimal("80.00")), ("h2", Decimal("80.00")), ("h4", Decimal("40.00"))]
    cut = res.lines[2]
    assert cut.uncapped == Decimal("80.00")
    assert cut.cap == "cut by 40.00 to 40.00: per-customer cap of 200.00 reached"
    assert res.totals.payable == Decimal("200.00")


def test_component_cap_then_customer_cap() -> None:
    text = SESSIONS.replace("    window: service\n", "    window: service\n    cap: 100.00\n")
    res = one(contract_from(text), ROWS, "2020-03-01")
    assert [ln.amount for ln in res.lines] == [Decimal("80.00"), Decimal("20.00"),
                                               Decimal("0.00")]
    assert "cap of component session of 100.00" in (res.lines[1].cap or "")


def test_a_line_cut_by_two_caps_names_both_cuts() -> None:
    """The component's cap cuts h2 to 50.00, then the per-customer cap cuts it to 30.00: the
    note names both, so the uncapped 80.00 less the cuts (30.00 and 20.00) is the amount (it
    named the last cut only, "cut by 20.00 to 30.00", which 80.00 cannot be reconciled with)."""
    text = SESSIONS.replace("    window: service\n", "    window: service\n    cap: 130.00\n")
    res = one(contract_from(text + "caps:\n  per_customer: 110.00\n"), ROWS, "2020-03-01")
    assert [ln.amount for ln in res.lines] == [Decimal("80.00"), Decimal("30.00"),
                                               Decimal("0.00")]
    cut = res.lines[1]
    assert cut.uncapped == Decimal("80.00")
    assert cut.cap == ("cut by 30.00 to 50.00: cap of component session of 130.00 reached; "
                       "cut by 20.00 to 30.00: per-customer cap of 110.00 reached")


def test_contract_ceiling_in_accrual_order_across_customers() -> None:
    contract = contract_from(SESSIONS + "caps:\n  contract_total: 300.00\n")
    rows = ROWS + """
r2,c2,referral,2020-01-10,,,,acme,,2019-06-01
s2,c2,service_start,2020-01-20
h5,c2,hours,2020-02-05,,,,,,,,1,psychologist
h6,c2,hours,2020-02-25,,,,,,,,1,psychologist
"""
    ev = run(contract, rows, "2020-03-01")
    amounts = {(ln.customer_id, ln.occurrence): ln.amount for ln in ev.all_lines()}
    # accrual order: h1 02-01, h5 02-05, h2 02-08, h4 02-22, h6 02-25
    assert amounts == {
        ("c1", "h1"): Decimal("80.00"), ("c2", "h5"): Decimal("80.00"),
        ("c1", "h2"): Decimal("80.00"), ("c1", "h4"): Decimal("60.00"),
        ("c2", "h6"): Decimal("0.00"),
    }
    assert ev.totals.payable == Decimal("300.00")


def test_late_recorded_and_voided_facts_change_later_results_only() -> None:
    rows = ROWS + """
h2,c1,hours,2020-02-08,2020-04-01,,true,,,,,1,psychologist
"""
    contract = contract_from(SESSIONS)
    before = one(contract, rows, "2020-03-31")
    after = one(contract, rows, "2020-04-01")
    assert [ln.occurrence for ln in before.lines] == ["h1", "h2", "h4"]
    assert [ln.occurrence for ln in after.lines] == ["h1", "h4"]
    assert [e.event_id for e in after.context.timeline.voided] == ["h2"]


def test_events_after_service_window_are_not_earned_with_reason() -> None:
    rows = ROWS + "e1,c1,service_end,2020-02-10\n"
    res = one(contract_from(SESSIONS), rows, "2020-03-01")
    late = res.lines[-1]
    assert (late.occurrence, late.status) == ("h4:outside", "not_earned")
    assert late.reason == ("hours row h4 (activity=psychologist) on 2020-02-22 is after the "
                           "service window 2020-01-15..2020-02-10")


def test_customer_without_segment_is_a_problem_not_a_silent_drop() -> None:
    rows = "r9,c9,referral,2020-01-10,,,,acme\n"
    ev = run(contract_from(SESSIONS), rows, "2020-03-01")
    assert [p.code for p in ev.problems] == ["V001"]
    assert "matches no segment" in ev.problems[0].message
    assert str(ev.problems[0].source) == "events.csv:2"


def test_facts_the_engine_passes_over_are_warned_about_not_dropped() -> None:
    rows = ROWS + """
r1b,c1,referral,2020-02-01,,,,acme,,2018-01-01
s1b,c1,service_start,2020-02-03
e0,c1,service_end,2020-01-05
"""
    ev = run(contract_from(SESSIONS), rows, "2020-03-01")
    assert [(p.code, p.severity.value, str(p.source), p.message) for p in ev.problems] == [
        ("V002", "warning", "events.csv:9", "referral r1b on 2020-02-01 is ignored: the first "
         "referral (r1 on 2020-01-10) decides the segment"),
        ("V002", "warning", "events.csv:10", "service start s1b on 2020-02-03 is ignored: the "
         "service runs from the first (s1 on 2020-01-15)"),
        ("V002", "warning", "events.csv:11", "service end e0 on 2020-01-05 is ignored: it is "
         "before the service start on 2020-01-15"),
    ]
    # the lines are those of the first referral and start: segment A, sessions paid
    res = ev.customers[0]
    assert res.segment == "A"
    assert [ln.occurrence for ln in res.lines if ln.status == "payable"] == ["h1", "h2", "h4"]


NO_START = """
components:
  - id: session
    kind: event_fee
    event: hours
    per: each
    amount: 80.00
    window: service
  - id: history
    kind: work_history
    baseline: 6 months
    count: [work]
    rate: 10.00
  - id: radar
    kind: survey_adjustment
    instrument: radar
    bands: [{min_score: 3, amount: 200.00}]
"""


def test_a_service_that_never_starts_loses_its_fees_when_the_contract_ends() -> None:
    head = CONTRACT_HEAD.replace("  follow_up: 6 months\n",
                                 "  follow_up: 6 months\n  outcomes_until: 2021-12-31\n")
    contract = contract_from(NO_START, head)
    rows = "r1,c1,referral,2020-01-10,,,,acme,,2019-06-01\n"

    def statuses(as_of: str) -> dict[str, str]:
        return {ln.component: ln.status for ln in one(contract, rows, as_of).lines}

    assert statuses("2021-12-31") == {"session": "pending", "history": "pending",
                                      "radar": "pending"}
    # outcomes_until has passed: outcome fees are lost, fees for delivered service still wait
    # for a start until the contract ends
    assert statuses("2022-01-01") == {"session": "pending", "history": "not_earned",
                                      "radar": "not_earned"}
    assert statuses("2023-01-01") == {"session": "not_earned", "history": "not_earned",
                                      "radar": "not_earned"}


def test_an_event_window_is_decided_on_its_last_day() -> None:
    # service 2020-01-15 .. 2020-02-10: no session by its last day, so not earned on that day
    rows = ROWS.replace("h1,c1,hours,2020-02-01,,,,,,,,1,psychologist\n", "").replace(
        "h2,c1,hours,2020-02-08,,,,,,,,1,psychologist\n", "").replace(
        "h4,c1,hours,2020-02-22,,,,,,,,1,psychologist\n", "") + "e1,c1,service_end,2020-02-10\n"
    contract = contract_from(SESSIONS)
    assert [ln.status for ln in one(contract, rows, "2020-02-09").lines] == ["pending"]
    assert [ln.status for ln in one(contract, rows, "2020-02-10").lines] == ["not_earned"]
