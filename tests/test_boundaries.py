"""Exact boundaries: bounds that say whether they are included, durations decided by calendar
date ("unemployed more than 24 months at referral"), dates as segment attributes, and event-fee
filters on date ranges."""

from __future__ import annotations

import pytest
from conftest import CONTRACT_HEAD, contract_from, one

from rewardengine.pipeline import load_contract_text

LONG_TERM = CONTRACT_HEAD.replace("""      when: {unemployment_months: {max: 12}}""",
                                  """      when: {unemployed: {at_most: 24 months}}""").replace(
    """      when: {unemployment_months: {min: 12}}""",
    """      when: {unemployed: {more_than: 24 months}}""")
FEE = """
components:
  - {id: start, kind: event_fee, event: service_start, amount: {A: 100.00, B: 300.00}}
"""


@pytest.mark.parametrize(("referral", "segment"), [
    ("2020-03-14", "A"),  # one day short of 24 months
    ("2020-03-15", "A"),  # exactly 24 months: not more than 24
    ("2020-03-16", "B"),  # one day over
])
def test_more_than_24_months_is_decided_by_calendar_date(referral: str, segment: str) -> None:
    rows = f"""
    r1,c1,referral,{referral},,,,acme,,2018-03-15
    s1,c1,service_start,{referral}
    """
    assert one(contract_from(FEE, LONG_TERM), rows, "2020-12-31").segment == segment


def test_month_ends_follow_the_calendar() -> None:
    # unemployed since 31 August: 24 months are complete on 31 August two years on
    rows = """
    r1,c1,referral,2020-09-01,,,,acme,,2018-08-31
    s1,c1,service_start,2020-09-01
    """
    assert one(contract_from(FEE, LONG_TERM), rows, "2020-12-31").segment == "B"


INCLUSIVE = CONTRACT_HEAD.replace("""      when: {unemployment_months: {max: 12}}""",
                                  """      when: {unemployment_days: {at_most: 365}}""").replace(
    """      when: {unemployment_months: {min: 12}}""",
    """      when: {unemployment_days: {more_than: 365}}""")


@pytest.mark.parametrize(("since", "segment"), [("2019-01-02", "A"), ("2019-01-01", "A"),
                                                ("2018-12-31", "B")])
def test_included_and_excluded_bounds(since: str, segment: str) -> None:
    # referral 2020-01-01: 364, 365 and 366 days of unemployment
    rows = f"""
    r1,c1,referral,2020-01-01,,,,acme,,{since}
    s1,c1,service_start,2020-01-01
    """
    assert one(contract_from(FEE, INCLUSIVE), rows, "2020-12-31").segment == segment


def _problems(head: str) -> list[tuple[str, str]]:
    _, problems = load_contract_text(head + FEE, "contract.yaml")
    return [(p.code, p.message) for p in problems]


def test_the_coverage_check_finds_the_day_between() -> None:
    gap = LONG_TERM.replace("{unemployed: {at_most: 24 months}}",
                            "{unemployed: {less_than: 24 months}}")
    assert _problems(gap) == [(
        "C207", "segments leave a gap: a customer with unemployed from 2019-06-15 to a "
                "referral on 2021-06-15 falls in no segment (add a tier, or widen a range)")]
    assert _problems(LONG_TERM) == []


def test_bounds_of_the_wrong_type_and_contradictions_are_errors() -> None:
    wrong = LONG_TERM.replace("{more_than: 24 months}", "{more_than: 24}")
    # said once: the coverage is not checked on it (it read the number as another kind of
    # rule, and said the attribute was used both as a range and as a value list)
    assert _problems(wrong) == [
        ("C213", "unemployed: the bound more_than must be a duration like '24 months', not "
                 "'24'")]
    # an empty range is an error of its own, and the gap it leaves is a real one: both said
    empty = LONG_TERM.replace("{more_than: 24 months}",
                              "{more_than: 24 months, less_than: 12 months}")
    codes = [code for code, _ in _problems(empty)]
    assert "C219" in codes and "C207" in codes, codes
    both = INCLUSIVE.replace("{more_than: 365}", "{more_than: 365, min: 366}")
    assert ("C218", "unemployment_days: min and more_than are both bounds on the same side; "
                    "give one") in _problems(both)
    empty = INCLUSIVE.replace("{at_most: 365}", "{more_than: 365, less_than: 365}")
    assert ("C219", "unemployment_days: the range is empty (its lower bound is not below its "
                    "upper bound)") in _problems(empty)


def test_the_referral_date_is_an_attribute() -> None:
    head = CONTRACT_HEAD.replace(
        """      when: {unemployment_months: {max: 12}}""",
        """      when: {referral_date: {less_than: 2021-01-01}}""").replace(
        """      when: {unemployment_months: {min: 12}}""",
        """      when: {referral_date: {at_least: 2021-01-01}}""")
    for day, segment in (("2020-12-31", "A"), ("2021-01-01", "B")):
        rows = f"""
        r1,c1,referral,{day},,,,acme,,2019-01-01
        s1,c1,service_start,{day}
        """
        assert one(contract_from(FEE, head), rows, "2021-12-31").segment == segment


DATED_FILTER = """
components:
  - id: spring_job
    kind: event_fee
    event: employment
    per: each
    max_count: 5
    where: {date: {at_least: 2020-03-01, at_most: 2020-05-31}}
    amount: 100.00
"""


def test_an_event_fee_filters_on_a_date_range() -> None:
    rows = """
    r1,c1,referral,2020-01-02,,,,acme,,2019-06-01
    s1,c1,service_start,2020-01-06
    e1,c1,employment,2020-02-29,,,,,,,,,,,open,register,1.0
    e2,c1,employment,2020-03-01,,,,,,,,,,,open,register,1.0
    e3,c1,employment,2020-05-31,,,,,,,,,,,open,register,1.0
    e4,c1,employment,2020-06-01,,,,,,,,,,,open,register,1.0
    """
    lines = one(contract_from(DATED_FILTER), rows, "2020-12-31").lines
    assert sorted(ln.occurrence for ln in lines if ln.status == "payable") == ["e2", "e3"]
    assert "date>=2020-03-01 and <=2020-05-31" in lines[0].reason


def test_a_range_on_a_text_field_is_refused() -> None:
    text = DATED_FILTER.replace("where: {date: {at_least: 2020-03-01, at_most: 2020-05-31}}",
                                "where: {kind: {at_least: 1}}")
    _, problems = load_contract_text(CONTRACT_HEAD + text, "contract.yaml")
    assert [(p.code, p.message) for p in problems] == [
        ("C216", "'kind' is text: a range filters only a date or a number; give a value or a "
                 "list")]
