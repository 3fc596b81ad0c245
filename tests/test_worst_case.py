"""The worst case ``simulate`` reports: per customer the least of the per-customer cap and the
sum of the fees' bounds (each its own cap or the most its rules pay), in total times the
customers plus capacity fees, cut by the ceiling (docs/forecast.md)."""

from __future__ import annotations

import textwrap
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import CONTRACT_HEAD, contract_from, one

from rewardengine.forecast.simulate import WorstCase, worst_case

ZERO = Decimal(0)


def worst(components: str, caps: str = "", customers: int = 10, extra: str = "") -> WorstCase:
    body = textwrap.dedent(components + extra) + caps
    return worst_case(contract_from(body), customers, ZERO)


def outcome(max_times: int, price: str = "750.00", more: str = "") -> str:
    return f"""
    components:
      - id: result
        kind: employment_outcome
        min_duration: 30 days
        max_times: {max_times}
        amount: {price}
    {more}"""


@pytest.mark.parametrize("max_times, each", [(1, "750.00"), (2, "1500.00")])
def test_an_outcome_fee_is_bounded_by_max_times_its_price(max_times: int, each: str) -> None:
    w = worst(outcome(max_times), customers=4)
    assert w.per_customer == Decimal(each)
    assert w.total == 4 * Decimal(each)
    assert w.how == f"the sum of the components' bounds: result {each} (its rules)"


def test_top_up_and_prices_by_evidence_and_segment_take_the_top_cell() -> None:
    # top_up pays only the difference up to a better price: never more than 2 x the top
    w = worst(outcome(2, "{A: {register: 900.00, self_report: 300.00}, B: 1200.00}",
                      "    top_up: true\n"))
    assert w.per_customer == Decimal("2400.00")


def test_bands_take_the_best_paid_band() -> None:
    w = worst("""
    components:
      - id: result
        kind: employment_outcome
        min_duration: 90 days
        bands:
          - {id: part, min_fte: 0.5, max_fte: 0.8, amount: 600.00}
          - {id: full, min_fte: 0.8, amount: {A: 1000.00, B: 1100.00}}
    """)
    assert w.per_customer == Decimal("1100.00")


def test_a_dated_price_takes_its_largest_date_not_its_latest() -> None:
    w = worst(outcome(1, "{values: {2020-01-01: 900.00, 2021-01-01: 700.00}}"))
    assert w.per_customer == Decimal("900.00")


@pytest.mark.parametrize("cap, each, how", [
    ("1499.99", "1499.99", "the per-customer cap (its largest cell), not above the sum of the "
                           "components' bounds 1500.00"),
    ("1500.00", "1500.00", "the per-customer cap (its largest cell), not above the sum of the "
                           "components' bounds 1500.00"),
    ("1500.01", "1500.00", "the sum of the components' bounds: result 1500.00 (its rules); "
                           "below the per-customer cap 1500.01"),
])
def test_the_least_of_the_per_customer_cap_and_the_fees_bounds(cap: str, each: str,
                                                               how: str) -> None:
    w = worst(outcome(2), f"\ncaps:\n  per_customer: {cap}\n")
    assert (w.per_customer, w.how) == (Decimal(each), how)


def test_a_fees_own_cap_below_its_rules_is_its_bound() -> None:
    w = worst(outcome(2, more="    cap: 1000.00\n"))
    assert (w.per_customer, w.how) == (Decimal("1000.00"), "the sum of the components' "
                                       "bounds: result 1000.00 (its cap)")


ENROL_EACH = """
      - id: sessions
        kind: event_fee
        event: contact
        per: each
        amount: 20.00
"""


def test_one_unbounded_fee_leaves_the_customer_unbounded() -> None:
    w = worst(outcome(1), extra=ENROL_EACH)
    assert (w.per_customer, w.total) == (None, None)
    assert w.how == ("no per-customer cap, and no cap or rule bounds sessions (unbounded by "
                     "their own rules: sessions (pays every contact event (per: each) with no "
                     "max_count))")
    # the per-customer cap still bounds it, and the ceiling the total
    capped = worst(outcome(1), "\ncaps:\n  per_customer: 2000.00\n  contract_total: 5000.00\n",
                   extra=ENROL_EACH)
    assert (capped.per_customer, capped.total) == (Decimal("2000.00"), Decimal("5000.00"))
    assert capped.how == ("the per-customer cap (its largest cell); in total, the contract "
                          "ceiling")


@pytest.mark.parametrize("max_count, each", [("1", "770.00"), ("12", "990.00")])
def test_an_event_fee_each_is_bounded_by_max_count(max_count: str, each: str) -> None:
    w = worst(outcome(1), extra=ENROL_EACH + f"        max_count: {max_count}\n")
    assert w.per_customer == Decimal(each)


@pytest.mark.parametrize("length, max_months, each", [
    ("12 months", "", "1200.00"),  # twelve service months
    ("12 months", "max_months: 11", "1100.00"),
    ("12 months", "max_months: 13", "1200.00"),
    ("84 days", "", "300.00"),  # three months of at least 28 days
    ("85 days", "", "400.00"),  # a fourth starts on day 85
])
def test_a_monthly_fee_is_bounded_by_the_longest_service(length: str, max_months: str,
                                                         each: str) -> None:
    body = f"""
    components:
      - id: monthly
        kind: monthly_fee
        amount: 100.00
        proration: daily
        {max_months}
    """
    loaded = contract_from(body, CONTRACT_HEAD.replace("max_length: 12 months",
                                                       f"max_length: {length}"))
    assert worst_case(loaded, 1, ZERO).per_customer == Decimal(each)


@pytest.mark.parametrize("max_hours, each", [("", None), ("max_hours: 4.5", "204.98")])
def test_an_hourly_fee_is_its_rate_times_max_hours_in_cents_rounded_up(
        max_hours: str, each: str | None) -> None:
    w = worst(f"""
    components:
      - id: coaching
        kind: hourly_fee
        rate: 45.55
        {max_hours}
    """)
    assert w.per_customer == (None if each is None else Decimal(each))  # 204.975 exact


SURVEY = """
      - id: radar
        kind: survey_adjustment
        instrument: radar
        mode: multiplier
        applies_to: [result]
        bands:
          - {min_score: 0, factor: 0.8}
          - {min_score: 3, factor: FACTOR}
"""


@pytest.mark.parametrize("factor, radar", [("1.2", "250.00"), ("1.0", "0.00")])
def test_a_multiplier_above_1_raises_the_bound_of_what_it_adjusts(factor: str,
                                                                  radar: str) -> None:
    w = worst(outcome(2, more="    cap: 1250.00\n"), extra=SURVEY.replace("FACTOR", factor))
    # 0.2 x the adjusted fee after its own cap (1250.00); a factor of 1 or below only reduces
    assert w.per_customer == Decimal("1250.00") + Decimal(radar)
    assert w.how == ("the sum of the components' bounds: result 1250.00 (its cap), "
                     f"radar {radar} (its rules)")


def test_a_multiplier_of_an_unbounded_fee_is_unbounded() -> None:
    w = worst(ENROL_EACH.join(["\ncomponents:", ""]),
              extra=SURVEY.replace("FACTOR", "1.5").replace("[result]", "[sessions]"))
    assert w.per_customer is None
    assert w.how.startswith("no per-customer cap, and no cap or rule bounds sessions, radar")


def test_of_alternatives_only_the_larger_counts() -> None:
    w = worst(outcome(1) + """
      - id: education
        kind: event_fee
        event: education
        amount: 400.00
      - id: start
        kind: event_fee
        event: service_start
        amount: 100.00
    """, extra="""
    alternatives:
      - components: [result, education]
    """)
    assert w.per_customer == Decimal("850.00")
    assert w.how == ("the sum of the components' bounds: the larger of result 750.00 (its "
                     "rules) or education 400.00 (its rules), start 100.00 (its rules)")


def test_a_customer_is_paid_only_the_fees_of_its_segment() -> None:
    w = worst(outcome(1, more="    segments: [A]\n") + """
      - id: far_result
        kind: employment_outcome
        segments: [B]
        min_duration: 30 days
        amount: 1000.00
      - id: start
        kind: event_fee
        event: service_start
        amount: 100.00
    """)
    assert w.per_customer == Decimal("1100.00")
    assert w.how == ("the sum of the components' bounds (segment B): far_result 1000.00 (its "
                     "rules), start 100.00 (its rules)")


def test_capacity_fees_count_in_total_not_per_customer() -> None:
    # 2020-01-01 .. 2022-12-31: 36 months of 1000.00
    capacity = """
      - id: capacity
        kind: capacity_fee
        amount: 1000.00
    """
    w = worst(outcome(1) + capacity, customers=100)
    assert (w.per_customer, w.total) == (Decimal("750.00"), Decimal("111000.00"))
    assert w.how.endswith("; in total, with the capacity fees' 36000.00")
    cut = worst(outcome(1) + capacity, "\ncaps:\n  contract_total: 110999.99\n", customers=100)
    assert cut.total == Decimal("110999.99")


def test_the_rules_bound_is_what_a_customer_can_really_be_paid() -> None:
    """Two outcomes reach max_times 2: paid exactly the bound; a third pays nothing more."""
    loaded = contract_from(outcome(2))
    rows = """
    r1,c1,referral,2020-01-10,,,,acme,,2019-06-01
    s1,c1,service_start,2020-01-15
    j1,c1,employment,2020-02-01,,2020-03-31,,,,,,,,,open,register,1
    j2,c1,employment,2020-05-01,,2020-06-30,,,,,,,,,open,register,1
    j3,c1,employment,2020-08-01,,2020-09-30,,,,,,,,,open,register,1
    """
    paid = sum((ln.amount for ln in one(loaded, rows, "2021-12-31").lines
                if ln.status == "payable"), ZERO)
    assert paid == worst_case(loaded, 1, ZERO).per_customer == Decimal("1500.00")


ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("contract, component, most", [
    ("tehostettu_tyonvalitys", "result", "750.00"),  # one result fee, max_times 1
    ("asiakasbudjetti", "budget", "2500.00"),  # reimbursed up to the budget
    ("employment_condition_2024", "employment_condition", "2500.00"),  # paid once
    ("municipal_subsidy_share", "subsidy_share_fall", "2000.00"),  # the full amount, once
    ("uk_work_programme", "outcome_jsa_25_plus", "5400.00"),  # 1200.00 + 20 x 210.00
    ("us_ticket_to_work", "phase1", "7400.00"),  # four steps of 1850.00
    ("us_ticket_to_work", "phase2_ssdi", "6105.00"),  # 11 months of 555.00
    ("palvelumanageri", "days_result_fee", "4392.00"),  # 366 days x 1 x 12.00
    ("palvelumanageri", "radar_bonus", "300.00"),  # the best band's bonus
    ("business_feedback", "feedback_weight", "400.00"),  # 0.2 x the 2000.00 fee it weights
    ("keski_suomi", "monthly_coaching", "3120.00"),
    ("rekrytoiva_satakunta", "capacity", "0.00"),  # pays the contract, no customer
])
def test_each_kind_says_the_most_its_rules_pay(contract: str, component: str,
                                               most: str) -> None:
    loaded = contract_from("", (ROOT / "contracts" / f"{contract}.yaml").read_text("utf-8"))
    comp = loaded.contract.component(component)
    assert comp is not None
    assert comp.most_paid(loaded.contract) == Decimal(most)
