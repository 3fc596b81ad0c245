"""Lint: one test per warning (code, line, what the message says), accept:, W000, a clean file.

Each contract is written inline on a head like conftest.CONTRACT_HEAD (segments A at distance 0
and B at distance 1, a 12-month service, a 6-month follow-up, valid 2020-01-01..2022-12-31).
``HEAD`` adds referrals_until/outcomes_until so that W017 stays quiet unless a test wants it.
"""

from __future__ import annotations

import textwrap

import pytest
from conftest import CONTRACT_HEAD, contract_from, one
from hypothesis import given
from hypothesis import strategies as st

from rewardengine.contract.lint import RULES, lint
from rewardengine.contract.load import LoadedContract
from rewardengine.errors import Problem, Severity
from rewardengine.pipeline import load_contract_text

HEAD = CONTRACT_HEAD.replace(
    "  follow_up: 6 months\n",
    "  follow_up: 6 months\n  referrals_until: 2021-12-31\n  outcomes_until: 2023-06-30\n")
CAPS = "caps:\n  per_customer: 3000.00\n"
JOB = """
  - id: job
    kind: employment_outcome
    min_duration: 90 days
    amount: {register: 750.00, self_report: 190.00}
"""

CLEAN = """
components:
  - id: start
    kind: event_fee
    event: service_start
    amount: {A: 100.00, B: 150.00}
  - id: job
    kind: employment_outcome
    work: {min_fte: 0.8, kinds: {open: 1, subsidised: 0.5}}
    min_duration: 90 days
    amount:
      A: {register: 750.00, self_report: 190.00}
      B: {register: 900.00, self_report: 250.00}
  - id: monthly
    kind: monthly_fee
    amount: 200.00
    proration: daily
    max_months: 12
caps:
  per_customer: 3000.00
  contract_total: 500000.00
"""


def warnings(body: str, head: str = HEAD) -> list[Problem]:
    return lint(contract_from(body, head))


def line_of(body: str, needle: str, head: str = HEAD, nth: int = 1) -> int:
    """1-based line of the ``nth`` line containing ``needle`` in ``head + body``."""
    lines = (head + textwrap.dedent(body)).splitlines()
    hits = [i + 1 for i, text in enumerate(lines) if needle in text]
    return hits[nth - 1]


def only(found: list[Problem], code: str) -> Problem:
    hits = [p for p in found if p.code == code]
    assert len(hits) == 1, [str(p) for p in found]
    return hits[0]


def test_clean_contract_gives_no_warning() -> None:
    assert warnings(CLEAN) == []


def test_warnings_are_warnings_printed_with_location_and_in_file_order() -> None:
    body = "components:" + JOB + """
  - id: monthly
    kind: monthly_fee
    amount: 200.00
    condition: {min_responded_contacts: 1}
""" + CAPS
    found = warnings(body)
    assert [p.code for p in found] == ["W015", "W005"]
    assert all(p.severity is Severity.WARNING for p in found)
    assert str(found[1]) == (
        f"contract.yaml:{line_of(body, 'condition:')}:5: W005 warning: monthly fee 'monthly' "
        "pays a service month only when it has an answered contact: the provider loses the "
        "month's fee when the customer does not answer, even after months of work (\"the "
        "monthly result fee is lost for every month in which the customer did not answer\")")
    assert found[1].to_dict()["severity"] == "warning"


# --- W001 -------------------------------------------------------------------------------------

W001_CASES = [
    pytest.param("""
  - id: job
    kind: employment_outcome
    window: service
    min_duration: 400 days
    amount: {register: 750.00, self_report: 190.00}
""", "min_duration:", ["can never be reached", "400 days", "only days inside the service "
                       "(at most 12 months) count: at most 366 days"], id="longer-than-service"),
    pytest.param("""
  - id: job
    kind: employment_outcome
    min_duration: 19 months
    amount: {register: 750.00, self_report: 190.00}
""", "min_duration:", ["can never be reached", "19 months of qualifying work (577 to 581 days)",
                       "and its follow-up (6 months) count: at most 550 days"],
        id="longer-than-service-and-follow-up"),
    pytest.param("""
  - id: job
    kind: employment_outcome
    requires_active_service: true
    min_duration: 12 months
    amount: {register: 750.00, self_report: 190.00}
""", "min_duration:", ["can only just be reached", "(365 to 366 days)",
                       "(requires_active_service)",
                       "only a customer who works every day from the first day"],
        id="only-from-the-first-day"),
    pytest.param("""
  - id: job
    kind: employment_outcome
    window: service
    work: {kinds: {subsidised: 0.5}}
    min_duration: 8 months
    amount: {register: 750.00, self_report: 190.00}
""", "min_duration:", ["can never be reached", "8 months of qualifying work (242 to 245 days)",
                       "weight of at most 0.5 (subsidised 0.5), so 484 to 490 days of work",
                       "at most 366 days"], id="weighted-work-in-12-months"),
    pytest.param("""
  - id: ladder
    kind: milestones
    steps:
      - {after: 4 weeks, amount: {register: 100.00, self_report: 20.00}}
      - {after: 12 weeks, amount: {register: 200.00, self_report: 40.00}}
      - {after: 80 weeks, amount: {register: 300.00, self_report: 60.00}}
""", "after: 80 weeks", ["milestone 3 (80 weeks) of milestones 'ladder' can never be reached",
                         "at most 550 days"], id="milestone-step"),
    pytest.param("""
  - id: ladder
    kind: milestones
    steps:
      - {after: 26 weeks, amount: {register: 100.00, self_report: 20.00}}
    sustainment:
      every: 4 weeks
      amount: {register: 50.00, self_report: 10.00}
      max_count: 100
""", "max_count:", ["only 13 of the 100 sustainment payments (every 4 weeks after 26 weeks)"],
        id="sustainment-count"),
    pytest.param("""
  - id: tyossaoloehto
    kind: employment_condition
    unit: weeks
    min_hours_per_week: 18
    required: 60
    reference_period: 12 months
    weights: {open: 1, subsidised: 0.75}
    amount: {register: 2500.00, self_report: 500.00}
""", "required:", ["employment condition 'tyossaoloehto' can never be met",
                   "needs 60 qualifying calendar weeks", "at most 52 whole calendar weeks"],
        id="condition-weeks"),
    pytest.param("""
  - id: tyossaoloehto
    kind: employment_condition
    unit: months
    min_monthly_wage: 1000.00
    required: 12
    reference_period: 12 months
    weights: {open: 1}
    amount: {register: 2500.00, self_report: 500.00}
""", "required:", ["can only just be met", "12 qualifying calendar months",
                   "qualifies in every month"], id="condition-months-tight"),
    pytest.param("""
  - id: late_hours
    kind: hourly_fee
    rate: 50.00
    max_hours: 10
    phase: {from: 12 months, until: 52 weeks}
""", "phase:", ["hourly fee 'late_hours' can never be paid",
                "phase [12 months, 52 weeks) from the service start holds no day"],
        id="empty-phase"),
    pytest.param("""
  - id: job
    kind: employment_outcome
    work: {min_hours_per_week: 200}
    min_duration: 90 days
    amount: {register: 750.00, self_report: 190.00}
""", "work:", ["200 hours of work a week, more than the 168"], id="hours-per-week"),
    pytest.param("""
  - id: job
    kind: employment_outcome
    work: {kinds: {open: 0}}
    min_duration: 90 days
    amount: {register: 750.00, self_report: 190.00}
""", "work:", ["no employment kind counts (every weight is 0: open 0)"], id="all-weights-0"),
]


@pytest.mark.parametrize(("component", "at", "says"), W001_CASES)
def test_w001_unreachable(component: str, at: str, says: list[str]) -> None:
    body = "components:" + component + CAPS
    problem = only(warnings(body), "W001")
    assert problem.source.line == line_of(body, at)
    for words in says:
        assert words in problem.message


def test_w001_outcomes_until_before_anyone_can_make_it() -> None:
    head = CONTRACT_HEAD.replace("  follow_up: 6 months\n", "  follow_up: 6 months\n"
                                 "  referrals_until: 2020-02-01\n  outcomes_until: 2020-03-15\n")
    body = "components:" + JOB + CAPS
    problem = only(warnings(body, head), "W001")
    assert problem.source.line == line_of(body, "min_duration:", head)
    assert problem.message == (
        "employment outcome 'job' can never be reached: even a customer whose service starts "
        "on the contract's first day 2020-01-01 and who works from that day reaches it on "
        "2020-03-30 at the earliest, after windows.outcomes_until 2020-03-15")


def test_w001_reach_by_exactly_the_earliest_day_is_only_just() -> None:
    body = """
components:
  - id: job
    kind: employment_outcome
    min_duration: 90 days
    reach_by: 2020-03-30
    amount: {register: 750.00, self_report: 190.00}
""" + CAPS
    problem = only(warnings(body), "W001")
    assert "can only just be reached" in problem.message
    assert "reaches it on 2020-03-30 at the earliest, the very last day allowed by the " \
           "component's reach_by 2020-03-30" in problem.message


def test_w001_not_raised_with_a_day_to_spare() -> None:
    # 52 weeks = 364 days inside a 12-month (365/366-day) service: tight but reachable
    body = """
components:
  - id: job
    kind: employment_outcome
    requires_active_service: true
    min_duration: 52 weeks
    amount: {register: 750.00, self_report: 190.00}
""" + CAPS
    assert [p.code for p in warnings(body)] == ["W006"]


def test_w001_grace_does_not_help_when_only_days_in_service_count() -> None:
    # as in the engine, requires_active_service ends the counting on the service's last day:
    # a 3-month grace cannot make 13 months of work fit a 12-month service
    head = HEAD.replace("  follow_up: 6 months\n", "  follow_up: 6 months\n  grace: 3 months\n")
    body = """
components:
  - id: job
    kind: employment_outcome
    requires_active_service: true
    min_duration: 13 months
    amount: {register: 750.00, self_report: 190.00}
""" + CAPS
    found = only(warnings(body, head), "W001")
    assert "can never be reached" in found.message
    assert "grace" not in found.message


# --- W002 -------------------------------------------------------------------------------------

def test_w002_same_price_whatever_the_evidence() -> None:
    body = """
components:
  - id: flat
    kind: employment_outcome
    min_duration: 90 days
    amount: 750.00
  - id: same
    kind: employment_outcome
    min_duration: 90 days
    amount: {register: 750.00, self_report: 750.00}
  - id: nested
    kind: employment_outcome
    min_duration: 90 days
    amount:
      A: {register: 750.00, self_report: 190.00}
      B: {register: 900.00, self_report: 950.00}
  - id: verified_only
    kind: employment_outcome
    min_duration: 90 days
    amount: {register: 750.00, te_office: 750.00}
""" + CAPS
    found = [p for p in warnings(body) if p.code == "W002"]
    assert [(p.source.line, p.source.col) for p in found] == [
        (line_of(body, "amount: 750.00"), 5),
        (line_of(body, "self_report: 750.00"), 32),
        (line_of(body, "B: {register: 900.00"), 29)]
    assert found[0].message.startswith(
        "employment outcome 'flat' pays 750.00 whatever the evidence, so a self-reported job "
        "earns as much as a register-verified one: the buyer pays in full for unverified claims")
    assert "'same' pays 750.00 for self-reported work, as much as for register evidence " \
           "(750.00)" in found[1].message
    assert "'nested' (segment B) pays 950.00 for self-reported work, as much as for register " \
           "evidence (900.00)" in found[2].message
    # every segment in one warning (only the first was said)
    both = body.replace("A: {register: 750.00, self_report: 190.00}", "A: 1500.00")
    (nested,) = [p for p in warnings(both) if p.code == "W002" and "'nested'" in p.message]
    assert nested.message.startswith(
        "employment outcome 'nested' (segment A) pays 1500.00 whatever the evidence, so a "
        "self-reported job earns as much as a register-verified one; (segment B) pays 950.00 "
        "for self-reported work, as much as for register evidence (900.00): the buyer pays")


def test_w002_milestones_and_work_history() -> None:
    body = """
components:
  - id: ladder
    kind: milestones
    steps:
      - {after: 4 weeks, amount: {register: 100.00, self_report: 20.00}}
      - {after: 13 weeks, amount: 300.00}
  - id: days
    kind: work_history
    baseline: 12 months
    count: [work]
    rate: {A: 5.00, B: 6.00}
""" + CAPS
    found = [p for p in warnings(body) if p.code == "W002"]
    assert [p.source.line for p in found] == [line_of(body, "after: 13 weeks"),
                                              line_of(body, "rate: {A: 5.00")]
    assert "milestones 'ladder' pays 300.00 whatever the evidence" in found[0].message
    assert "work history 'days' (segment A) pays 5.00 whatever the evidence" in found[1].message


# --- W003, W004 -------------------------------------------------------------------------------

def test_w003_unbounded_fee_without_any_cap() -> None:
    body = """
components:
  - id: sessions
    kind: event_fee
    event: contact
    per: each
    amount: 40.00
  - id: hours
    kind: hourly_fee
    rate: 50.00
  - id: capped_hours
    kind: hourly_fee
    rate: 50.00
    cap: 2000.00
"""
    found = warnings(body)
    assert [(p.code, p.source.line) for p in found] == [
        ("W003", line_of(body, "per: each")), ("W003", line_of(body, "- id: hours"))]
    assert found[0].message.startswith(
        "event fee 'sessions' pays every contact event (per: each) with no max_count, and the "
        "contract has neither caps.per_customer nor caps.contract_total")
    assert "hourly fee 'hours' pays every hour recorded, with no max_hours" in found[1].message


def test_w003_survey_multiplier_on_an_unbounded_fee() -> None:
    body = """
components:
  - id: sessions
    kind: event_fee
    event: contact
    per: each
    max_count: 10
    amount: 40.00
  - id: hours
    kind: hourly_fee
    rate: 50.00
    max_hours: 20
  - id: more_hours
    kind: hourly_fee
    rate: 50.00
    cap: 500.00
  - id: radar
    kind: survey_adjustment
    instrument: tyoelamatutka
    mode: multiplier
    applies_to: [sessions]
    bands:
      - {min_score: 0, factor: 1}
"""
    assert [p.code for p in warnings(body)] == ["W004"]
    unbounded = body.replace("    max_count: 10\n", "")
    found = [p for p in warnings(unbounded) if p.code == "W003"]
    assert [p.message.split(",")[0] for p in found] == [
        "event fee 'sessions' pays every contact event (per: each) with no max_count",
        "survey adjustment 'radar' multiplies 'sessions'"]


def test_w004_no_cap_at_all() -> None:
    body = """
components:
  - id: start
    kind: event_fee
    event: service_start
    amount: 100.00
"""
    problem = only(warnings(body), "W004")
    assert (problem.source.line, problem.source.col) == (1, 1)
    assert problem.message.startswith("the contract has no cap at all (neither "
                                      "caps.per_customer nor caps.contract_total)")
    assert warnings(body + "caps:\n  contract_total: 100000.00\n") == []


# --- W005, W015 -------------------------------------------------------------------------------

def test_w005_monthly_fee_lost_when_customer_does_not_answer() -> None:
    body = """
components:
  - id: monthly
    kind: monthly_fee
    amount: 200.00
    proration: daily
    condition: {min_responded_contacts: 2}
""" + CAPS
    problem = only(warnings(body), "W005")
    assert problem.source.line == line_of(body, "condition:")
    assert "pays a service month only when it has 2 answered contacts" in problem.message
    assert "the provider loses the month's fee when the customer does not answer" in \
        problem.message


def test_w015_month_cut_short_pays_nothing() -> None:
    explicit = """
components:
  - id: monthly
    kind: monthly_fee
    amount: 200.00
    proration: none
""" + CAPS
    problem = only(warnings(explicit), "W015")
    assert problem.source.line == line_of(explicit, "proration: none")
    assert "a service month cut short by the service end pays nothing" in problem.message
    by_default = explicit.replace("    proration: none\n", "")
    problem = only(warnings(by_default), "W015")
    assert problem.source.line == line_of(by_default, "- id: monthly")
    assert warnings(explicit.replace("none", "full")) == []


def test_w005_and_w015_name_calendar_months() -> None:
    body = """
components:
  - id: monthly
    kind: monthly_fee
    amount: 200.00
    months: calendar
    condition: {min_responded_contacts: 1}
""" + CAPS
    found = warnings(body)
    assert "pays a calendar month only when it has an answered contact" in \
        only(found, "W005").message
    assert only(found, "W015").message.startswith(
        "monthly fee 'monthly' has proration: none, so a calendar month cut short by the "
        "service start or end pays nothing: the first month of every customer whose service "
        "starts after the 1st is lost, and the last month of every customer who leaves for a "
        "job mid-month is lost")
    phased = body.replace("    months: calendar\n",
                          "    months: calendar\n    phase: {from: 2 months, until: 6 months}\n")
    assert "a calendar month cut short by the phase or the service pays nothing: the first " \
        "and the last month of the phase are lost unless it starts on a 1st, and the last " \
        "month" in only(warnings(phased), "W015").message


def test_w019_two_fees_for_calendar_and_service_months_say_the_same_months() -> None:
    body = """
components:
  - {id: base, kind: monthly_fee, amount: 100.00, proration: daily}
  - {id: extra, kind: monthly_fee, amount: 50.00, proration: daily, months: calendar}
""" + CAPS
    assert only(warnings(body), "W019").message.startswith(
        "monthly fee 'extra' and monthly fee 'base' both pay for the same months (segments A, B):")


def test_w021_a_start_fee_in_the_contract_window_with_referrals_to_its_last_day() -> None:
    body = """
components:
  - {id: start, kind: event_fee, event: service_start, amount: 100.00}
""" + CAPS
    to_the_end = HEAD.replace("  referrals_until: 2021-12-31\n", "")
    assert only(warnings(body, to_the_end), "W021").message == (
        "event fee 'start' counts service starts in the contract window, which ends on "
        "2022-12-31, the last referral day too (metadata.valid_until): a customer referred on "
        "that day, in time, who starts the service the next day gets no fee for it; use "
        "window: service (a service start is always inside its own service), or end referrals "
        "(windows.referrals_until) early enough for every customer referred to start by the "
        "contract's last day")
    on_the_day = HEAD.replace("referrals_until: 2021-12-31", "referrals_until: 2022-12-31")
    assert "(windows.referrals_until)" in only(warnings(body, on_the_day), "W021").message
    a_day_before = HEAD.replace("referrals_until: 2021-12-31", "referrals_until: 2022-12-30")
    assert [p for p in warnings(body, a_day_before) if p.code == "W021"] == []
    # a service that starts at the referral still has its service_start row to be paid on
    from_referral = to_the_end.replace("  service:\n", "  service:\n    starts_at: referral\n")
    assert [p.code for p in warnings(body, from_referral) if p.code == "W021"] == ["W021"]


def test_w022_and_w023_calendar_months_paid_short_or_whole() -> None:
    body = """
components:
  - {id: monthly, kind: monthly_fee, amount: 310.00, months: calendar, proration: daily,
     max_months: 12}
""" + CAPS
    found = warnings(body) + warnings(body.replace("daily", "full"))
    assert only(found, "W022").message == (
        "monthly fee 'monthly' pays calendar months, at most 12 (max_months), and the 12 months "
        "of service it pays for touch 13 calendar months for every customer who does not "
        "start on a month's first day, the first and the last in part: such a customer served "
        "to the end is never paid the last part-month; use max_months: 13 to pay both "
        "part-months by the day, or months: service")
    assert only(found, "W023").message.startswith(
        "monthly fee 'monthly' pays calendar months with proration: full, so the first and the "
        "last month of a service are each paid whole however few of their days are served: a "
        "service from 31 January to 1 February is paid two months")
    assert [p.code for p in warnings(body.replace("max_months: 12", "max_months: 13")
                                     .replace("full", "daily"))
            if p.code in ("W022", "W023")] == []


@pytest.mark.parametrize(("a", "b", "head", "says"), [
    ("phase: {from: 11 months, until: 12 months}", "", HEAD, "service month 12"),
    ("phase: {until: 6 months}", "", HEAD.replace("max_length: 12 months",
                                                  "max_length: 365 days"),
     "service months 1 to 6"),
    ("", "", HEAD.replace("max_length: 12 months", "max_length: 52 weeks"),
     "every service month"),
])
def test_w019_names_the_months_both_pay_for(a: str, b: str, head: str, says: str) -> None:
    body = f"""
components:
  - {{id: a, kind: monthly_fee, amount: 100.00, proration: daily, {a}}}
  - {{id: b, kind: monthly_fee, amount: 50.00, proration: daily, {b}}}
""" + CAPS
    assert only(warnings(body, head), "W019").message.startswith(
        f"monthly fee 'b' and monthly fee 'a' both pay for {says} (segments A, B):")


# --- W006 -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("extra", "head", "at", "says"), [
    ("    requires_active_service: true\n", HEAD, "requires_active_service",
     "counts work only while the service is active (requires_active_service: true)"),
    ("    window: service\n", HEAD, "window: service",
     "counts work only inside the service window (window: service)"),
    ("", HEAD.replace("  follow_up: 6 months\n", ""), "- id: job",
     "the contract has no windows.follow_up, so only work during the service counts"),
])
def test_w006_outcome_needs_serving_an_employed_customer(extra: str, head: str, at: str,
                                                         says: str) -> None:
    body = "components:" + JOB.replace("    min_duration", extra + "    min_duration") + CAPS
    problem = only(warnings(body, head), "W006")
    assert problem.source.line == line_of(body, at, head)
    assert says in problem.message
    assert "a customer who finds a job must be kept in service" in problem.message


# --- W007 -------------------------------------------------------------------------------------

def test_w007_price_falls_with_distance() -> None:
    body = """
components:
  - id: start
    kind: event_fee
    event: service_start
    amount: {A: 200.00, B: 150.00}
  - id: job
    kind: employment_outcome
    min_duration: 90 days
    amount:
      A: {register: 750.00, self_report: 190.00}
      B: {register: 700.00, self_report: 250.00}
  - id: equal
    kind: event_fee
    event: service_end
    amount: {A: 50.00, B: 50.00}
""" + CAPS
    found = [p for p in warnings(body) if p.code == "W007"]
    assert [p.source.line for p in found] == [line_of(body, "amount: {A: 200.00"),
                                              line_of(body, "B: {register: 700.00")]
    assert found[0].message.startswith(
        "event fee 'start' pays 150.00 in segment B (distance 1) but 200.00 in segment A "
        "(distance 0): customers farther from the labour market earn the provider less")
    assert "pays 700.00 for register evidence in segment B (distance 1) but 750.00 in " \
           "segment A" in found[1].message


# --- W008 -------------------------------------------------------------------------------------

def test_w008_late_referrals_cannot_reach_the_outcome() -> None:
    head = CONTRACT_HEAD.replace("  follow_up: 6 months\n", "  follow_up: 6 months\n"
                                 "  referrals_until: 2020-12-31\n  outcomes_until: 2021-03-31\n")
    body = JOB.replace("90 days", "8 months")
    body = "components:" + body + CAPS
    problem = only(warnings(body, head), "W008")
    assert problem.source.line == line_of(body, "min_duration: 8 months", head)
    # 2020-08-01 + 8 months = 2021-04-01: reached on 2021-03-31, the last day; a day later misses
    assert problem.message.startswith(
        "employment outcome 'job': a customer whose service starts after 2020-08-01 cannot "
        "reach it by 2021-03-31 (windows.outcomes_until), yet referrals are accepted until "
        "2020-12-31 (by windows.referrals_until)")
    assert "8 months complete after the contract year ended" in problem.message


def test_w008_employment_condition_whole_weeks() -> None:
    head = CONTRACT_HEAD.replace("  follow_up: 6 months\n", "  follow_up: 12 months\n"
                                 "  referrals_until: 2020-06-30\n  outcomes_until: 2020-12-31\n")
    body = """
components:
  - id: tyossaoloehto
    kind: employment_condition
    unit: weeks
    min_hours_per_week: 18
    required: 26
    reference_period: 28 months
    weights: {open: 1, subsidised: 0.75}
    amount: {register: 2500.00, self_report: 500.00}
""" + CAPS
    problem = only(warnings(body, head), "W008")
    # Monday 2020-06-29 + 26 weeks ends Sunday 2020-12-27; from Tuesday 06-30 the first whole
    # week starts 07-06 and the 26th ends 2021-01-03
    assert "a customer whose service starts after 2020-06-29 cannot reach it by 2020-12-31" \
        in problem.message
    assert problem.source.line == line_of(body, "required: 26", head)


# --- W009 -------------------------------------------------------------------------------------

def test_w009_subsidised_work_at_full_weight() -> None:
    body = """
components:
  - id: job
    kind: employment_outcome
    work: {kinds: {open: 1, subsidised: 1}}
    min_duration: 90 days
    amount: {register: 750.00, self_report: 190.00}
  - id: tyossaoloehto
    kind: employment_condition
    unit: weeks
    min_hours_per_week: 18
    required: 26
    reference_period: 12 months
    amount: {register: 2500.00, self_report: 500.00}
""" + CAPS
    found = [p for p in warnings(body) if p.code == "W009"]
    line = line_of(body, "subsidised: 1}")
    assert [(p.source.line, p.source.col) for p in found] == [
        (line, 29), (line_of(body, "- id: tyossaoloehto"), 5)]
    assert found[0].message.startswith(
        "employment outcome 'job' counts subsidised work (palkkatuki) at weight 1, the same as "
        "open-market work: the state already pays part of that wage")
    assert "(the default: every kind counts at 1 unless weights says otherwise)" in \
        found[1].message


# --- W010 .. W014, W016, W017 ---------------------------------------------------------------

def test_w010_capacity_fee_outside_the_contract() -> None:
    body = """
components:
  - id: capacity
    kind: capacity_fee
    amount: 5000.00
    from: 2019-12-01
    until: 2023-01-31
""" + CAPS
    found = warnings(body)
    assert [(p.code, p.source.line) for p in found] == [
        ("W010", line_of(body, "from: 2019-12-01")), ("W010", line_of(body, "until: 2023-01-31"))]
    assert "starts on 2019-12-01, before the contract is valid from 2020-01-01" in \
        found[0].message
    assert "runs until 2023-01-31, after the contract ends on 2022-12-31" in found[1].message


def test_w011_grace_longer_than_follow_up() -> None:
    head = HEAD.replace("  follow_up: 6 months\n", "  follow_up: 6 months\n  grace: 7 months\n")
    problem = only(warnings("components:" + JOB + CAPS, head), "W011")
    assert problem.source.line == line_of("", "grace: 7 months", head)
    assert problem.message.startswith("windows.grace (7 months) is longer than the follow-up "
                                      "(6 months)")
    short = HEAD.replace("  follow_up: 6 months\n", "  follow_up: 6 months\n  grace: 30 days\n")
    assert warnings("components:" + JOB + CAPS, short) == []


def test_w012_survey_multiplier_above_two() -> None:
    body = """
components:
  - id: start
    kind: event_fee
    event: service_start
    amount: 100.00
  - id: radar
    kind: survey_adjustment
    instrument: tyoelamatutka
    mode: multiplier
    applies_to: [start]
    bands:
      - {min_score: 0, factor: 1}
      - {min_score: 5, factor: 2}
      - {min_score: 8, factor: 2.5}
""" + CAPS
    problem = only(warnings(body), "W012")
    assert problem.source.line == line_of(body, "factor: 2.5")
    assert problem.message.startswith("survey adjustment 'radar' multiplies start by 2.5 for a "
                                      "score of 8 or more")


def test_w013_fee_paid_on_referral() -> None:
    body = """
components:
  - id: steering
    kind: event_fee
    event: referral
    amount: 100.00
""" + CAPS
    problem = only(warnings(body), "W013")
    assert problem.source.line == line_of(body, "event: referral")
    assert "is paid when a customer is referred, before any service starts" in problem.message
    assert "referred over 13,000 job seekers, of whom about 8,500 started" in problem.message


def test_w014_published_prices_without_source() -> None:
    head = HEAD.replace("  vat_rate: 0.24\n", "  vat_rate: 0.24\n  illustrative: false\n")
    body = "components:" + JOB + CAPS
    problem = only(warnings(body, head), "W014")
    assert problem.source.line == line_of(body, "illustrative: false", head)
    sourced = head.replace("  illustrative: false\n",
                           "  illustrative: false\n  source: Tender annex 3, price table\n")
    assert warnings(body, sourced) == []


def test_w016_single_fee_above_a_cap() -> None:
    body = """
components:
  - id: job
    kind: employment_outcome
    min_duration: 90 days
    amount:
      A: {register: 750.00, self_report: 190.00}
      B: {register: 900.00, self_report: 250.00}
  - id: expenses
    kind: reimbursed_expenses
    budget: 1500.00
    cap: 1000.00
caps:
  per_customer: {A: 1000.00, B: 800.00}
"""
    found = [p for p in warnings(body) if p.code == "W016"]
    assert [p.source.line for p in found] == [line_of(body, "B: {register: 900.00"),
                                              line_of(body, "budget: 1500.00")]
    assert found[0].message == (
        "a single fee of employment outcome 'job' (900.00 for segment B) is more than "
        "caps.per_customer (800.00): it can never be paid in full, whatever else the customer "
        "earns")
    # every segment over the cap is said in one run (only the first was)
    assert "a single budget of reimbursed expenses 'expenses' (1500.00 for segments A, B) " \
           "is more than the component's cap (1000.00)" in found[1].message
    both = body.replace("per_customer: {A: 1000.00, B: 800.00}",
                        "per_customer: {A: 700.00, B: 800.00}")
    (first, _) = [p for p in warnings(both) if p.code == "W016"]
    assert first.message.startswith(
        "a single fee of employment outcome 'job' (750.00 for segment A, 900.00 for segment "
        "B) is more than caps.per_customer (700.00 for segment A, 800.00 for segment B)")


def test_w017_outcomes_after_the_contract_with_no_cut_off() -> None:
    body = "components:" + JOB + CAPS
    problem = only(warnings(body, CONTRACT_HEAD), "W017")
    assert problem.source.line == line_of(body, "windows:", CONTRACT_HEAD)
    # referred 2022-12-31: service to 2023-12-30, follow-up to 2024-06-29
    assert problem.message.startswith(
        "outcomes can be reached after the contract ends on 2022-12-31: a customer referred "
        "on 2022-12-31 (the last day, by metadata.valid_until, as no referrals_until is set) "
        "can reach 'job' until 2024-06-29")
    assert warnings(body, HEAD) == []


# --- accept, W000 -----------------------------------------------------------------------------

TRAPS = """
components:
  - id: monthly
    kind: monthly_fee
    amount: 200.00
    proration: daily
    phase: {until: 6 months}
    condition: {min_responded_contacts: 1}
  - id: second
    kind: monthly_fee
    amount: 100.00
    proration: daily
    phase: {from: 6 months, until: 12 months}
    condition: {min_responded_contacts: 1}
""" + CAPS


def test_accept_suppresses_a_warning_for_one_component() -> None:
    body = TRAPS + """
accept:
  - code: W005
    component: monthly
    reason: The pilot pays only for months with contact; see comment above.
"""
    found = warnings(body)
    assert [(p.code, p.source.line) for p in found] == [
        ("W005", line_of(body, "condition:", nth=2))]
    assert "'second'" in found[0].message


def test_w000_accept_for_the_wrong_component_names_where_the_code_is_raised() -> None:
    body = TRAPS.replace("  - id: second\n", "  - id: start\n    kind: event_fee\n"
                         "    event: service_start\n    amount: 10.00\n  - id: third\n") + """
accept:
  - {code: W005, component: start, reason: wrong id}
"""
    found = warnings(body)
    assert [p.code for p in found] == ["W005", "W005", "W000"]
    assert "accept entry W005 for component 'start' matches no warning: W005 is raised only " \
           "for 'monthly', 'third'" in found[2].message


def test_accept_without_component_suppresses_the_code_everywhere() -> None:
    body = TRAPS + "accept:\n  - {code: W005, reason: every monthly fee asks for contact}\n"
    assert warnings(body) == []


def test_w000_accept_entry_that_matches_nothing() -> None:
    body = CLEAN + """
accept:
  - {code: W005, component: monthly, reason: kept from an older draft}
  - {code: W002, component: nosuch, reason: typo in the id}
  - {code: W099, reason: no such check}
"""
    found = warnings(body)
    assert [(p.code, p.source.line) for p in found] == [
        ("W000", line_of(body, "code: W005")), ("W000", line_of(body, "code: W002")),
        ("W000", line_of(body, "code: W099"))]
    assert found[0].message == (
        "accept entry W005 for component 'monthly' matches no warning: the contract does not "
        "trigger it (periodic fee lost when the customer does not answer); remove the entry "
        "or correct its code or component")
    assert "no component has id 'nosuch'" in found[1].message
    assert "there is no lint check W099" in found[2].message


def test_accept_needs_a_code_and_a_reason() -> None:
    for entry in ("{code: W005, reason: '  '}", "{code: W005}", "{code: 5, reason: why}"):
        text = CONTRACT_HEAD + "components:" + JOB + f"accept:\n  - {entry}\n"
        loaded, problems = load_contract_text(text, "contract.yaml")
        assert loaded is None
        assert [p.source.line for p in problems] == [text.splitlines().index("accept:") + 2]
    # a code not written as a lint code is told how to write one (it was told the rule of
    # ids: "may hold only letters, digits...", which W19 keeps)
    for code in ("W19", "w005", "W0050", "X001"):
        text = CONTRACT_HEAD + "components:" + JOB + f"accept:\n  - {{code: {code}, reason: x}}\n"
        _, problems = load_contract_text(text, "contract.yaml")
        assert [(p.code, p.message) for p in problems if p.code != "P001"] == [
            ("C110", f"accept.0.code: '{code}' is not a lint code: write W and three digits, "
                     "as docs/lint.md names them (W005)")]


def test_every_code_has_a_title_and_a_doc_section() -> None:
    from pathlib import Path

    doc = (Path(__file__).parent.parent / "docs" / "lint.md").read_text(encoding="utf-8")
    for code in RULES:
        assert f"## {code}" in doc, code


# --- lint's reachability agrees with the engine -----------------------------------------------

def _outcome(contract: LoadedContract, start: str, job_from: str, as_of: str) -> tuple[str, str]:
    rows = f"""
    r1,c1,referral,{start},,,,acme,,2019-06-01
    s1,c1,service_start,{start}
    e1,c1,employment,{job_from},,,,,,,,,,,open,register,1.0
    """
    line = one(contract, rows, as_of).lines[0]
    return line.status, str(line.date)


def test_w008_boundary_is_the_engine_boundary() -> None:
    head = CONTRACT_HEAD.replace("  follow_up: 6 months\n", "  follow_up: 6 months\n"
                                 "  referrals_until: 2020-12-31\n  outcomes_until: 2021-03-31\n")
    contract = contract_from("components:" + JOB.replace("90 days", "8 months") + CAPS, head)
    assert "starts after 2020-08-01 cannot reach it" in only(lint(contract), "W008").message
    assert _outcome(contract, "2020-08-01", "2020-08-01", "2021-12-31") == (
        "payable", "2021-03-31")
    assert _outcome(contract, "2020-08-02", "2020-08-02", "2021-12-31")[0] == "not_earned"


def test_w001_only_just_means_work_from_the_first_day() -> None:
    body = "components:" + JOB.replace(
        "    min_duration: 90 days", "    requires_active_service: true\n"
        "    min_duration: 12 months") + CAPS
    contract = contract_from(body)
    assert "can only just be reached" in only(lint(contract), "W001").message
    assert _outcome(contract, "2020-03-01", "2020-03-01", "2022-12-31") == (
        "payable", "2021-02-28")
    assert _outcome(contract, "2020-03-01", "2020-03-02", "2022-12-31")[0] == "not_earned"


UNITS = st.sampled_from(["days", "weeks", "months"])


@given(service=st.integers(1, 40), service_unit=UNITS, need=st.integers(1, 60),
       need_unit=UNITS)
def test_w001_agrees_with_plain_arithmetic(service: int, service_unit: str, need: int,
                                           need_unit: str) -> None:
    if service_unit == "days":
        service *= 10
    if need_unit == "days":
        need *= 10
    head = HEAD.replace("max_length: 12 months", f"max_length: {service} {service_unit}")
    body = "components:" + JOB.replace("90 days", f"{need} {need_unit}").replace(
        "    min_duration", "    window: service\n    min_duration") + CAPS
    messages = [p.message for p in warnings(body, head) if p.code == "W001"]
    days = {"days": 1, "weeks": 7}
    if service_unit == need_unit or (service_unit != "months" and need_unit != "months"):
        # same kind of unit: exact arithmetic decides
        a = need * days.get(need_unit, 1)
        b = service * days.get(service_unit, 1)
        expected = ["never"] if a > b else ["only just"] if a == b else []
        assert [("never" if "never" in m else "only just") for m in messages] == expected
    elif need_unit == "months" and need * 28 > service * days[service_unit]:
        # a month is at least 28 days: certainly unreachable
        assert messages and "can never be reached" in messages[0]
    elif service_unit == "months" and need * days[need_unit] > service * 31:
        assert messages and "can never be reached" in messages[0]


def test_milestones_report_first_late_step_and_first_unreachable_step() -> None:
    head = CONTRACT_HEAD.replace("  follow_up: 6 months\n", "  follow_up: 6 months\n"
                                 "  referrals_until: 2020-12-31\n  outcomes_until: 2021-03-31\n")
    body = """
components:
  - id: ladder
    kind: milestones
    steps:
      - {after: 26 weeks, amount: {register: 100.00, self_report: 20.00}}
      - {after: 30 weeks, amount: {register: 100.00, self_report: 20.00}}
      - {after: 80 weeks, amount: {register: 300.00, self_report: 60.00}}
""" + CAPS
    found = warnings(body, head)
    assert [(p.code, p.source.line) for p in found] == [
        ("W008", line_of(body, "after: 26 weeks", head)),
        ("W001", line_of(body, "after: 80 weeks", head))]
    # 26 weeks = 182 days: a service starting 2020-09-30 reaches it on 2021-03-30, 10-01 on 03-31
    assert found[0].message.startswith("milestone 1 (26 weeks) of milestones 'ladder': a "
                                       "customer whose service starts after 2020-10-01")


@pytest.mark.parametrize(("body", "why", "unused"), [
    # the component it names has a schema error: no rule read it
    ("components:\n"
     "  - {id: start, kind: event_fee, event: service_start, amount: 100.00}\n"
     "  - {id: monthly, kind: monthly_fee, amount: 150.00, proration: daily,\n"
     "     condition: {min_responded_contact: 1}}\n"
     "caps: {per_customer: 3000.00}\n"
     "accept:\n"
     "  - {code: W005, component: monthly, reason: Only answered months are paid.}\n",
     "C102", False),
    # it names no component, and one has errors: that one may raise it
    ("components:\n"
     "  - {id: start, kind: event_fee, event: service_start, amount: 100.00}\n"
     "  - {id: monthly, kind: monthly_fee, amount: 150.005, proration: daily}\n"
     "caps: {per_customer: 3000.00}\n"
     "accept:\n"
     "  - {code: W005, reason: Only answered months are paid.}\n",
     "C104", True),
])
def test_w000_does_not_call_an_accept_entry_unused_for_a_check_not_made(
        body: str, why: str, unused: bool) -> None:
    from rewardengine.pipeline import load

    state = load("case.yaml", text=CONTRACT_HEAD + body, with_lint=True)
    codes = [p.code for p in state.problems]
    assert why in codes and "W000" not in codes, codes
    assert any(p.code == "P001" for p in state.skipped), state.skipped
    # the component mended: the entry matches its W005 (a month paid only when answered),
    # or, with no condition, it raises none and the entry is unused
    fixed = CONTRACT_HEAD + body.replace("min_responded_contact:", "min_responded_contacts:") \
        .replace("150.005", "150.00")
    codes = [p.code for p in load("case.yaml", text=fixed, with_lint=True).problems]
    assert ("W000" in codes) is unused and "W005" not in codes, codes


def test_an_inverted_phase_is_said_once_as_an_error_not_again_as_unreachable() -> None:
    from rewardengine.pipeline import load

    body = ("components:\n"
            "  - {id: late, kind: hourly_fee, rate: 50.00, max_hours: 10,\n"
            "     phase: {from: 4 months, until: 2 months}}\n"
            "caps: {per_customer: 3000.00}\n")
    codes = [p.code for p in load("case.yaml", text=CONTRACT_HEAD + body,
                                  with_lint=True).problems]
    assert codes == ["C204"], codes
    # beyond the longest service but not inverted: the phase is fine, the fee unreachable
    beyond = body.replace("from: 4 months, until: 2 months", "from: 13 months, until: 14 months")
    codes = [p.code for p in load("case.yaml", text=CONTRACT_HEAD + beyond,
                                  with_lint=True).problems]
    assert "W001" in codes, codes


def test_w000_says_an_unknown_code_whatever_was_not_linted() -> None:
    from rewardengine.pipeline import load

    body = ("components:\n"
            "  - {id: monthly, kind: monthly_fee, amount: 150.005, proration: daily}\n"
            "caps: {per_customer: 3000.00}\n"
            "accept:\n"
            "  - {code: W999, reason: No such check.}\n")
    found = [p for p in load("case.yaml", text=CONTRACT_HEAD + body, with_lint=True).problems
             if p.code == "W000"]
    assert [p.message for p in found] == [
        "accept entry W999 matches no warning: there is no lint check W999; remove the entry "
        "or correct its code or component"]


def _two_monthly(first: str, second: str, until: str, start: str) -> str:
    """Two monthly fees, ``first`` until ``until``, then ``second`` from ``start``."""
    return ("components:\n"
            f"  - {{id: {first}, kind: monthly_fee, amount: 100.00, proration: daily, "
            f"phase: {{until: {until}}}}}\n"
            f"  - {{id: {second}, kind: monthly_fee, amount: 50.00, proration: daily, "
            f"phase: {{from: {start}, until: 12 months}}}}\n" + CAPS)


def test_w019_two_monthly_fees_for_the_same_months_at_the_day_count_edge() -> None:
    def fees(until: str, start: str) -> str:
        return _two_monthly("start", "later", until, start)

    found = [p for p in warnings(fees("3 months", "2 months")) if p.code == "W019"]
    assert [p.message for p in found] == [
        "monthly fee 'later' and monthly fee 'start' both pay for service month 3 "
        "(segments A, B): a customer served in such a month earns both; if both are meant (a "
        "base fee and a bonus), accept this warning with the reason, else give them phases "
        "that share no month (phase: {from, until}), or make them alternatives"]
    said = [p.message for p in warnings(fees("5 months", "2 months")) if p.code == "W019"]
    assert said[0].startswith("monthly fee 'later' and monthly fee 'start' both pay for "
                              "service months 3 to 5 ")
    said = [p.message for p in warnings(fees("10 weeks", "2 months")) if p.code == "W019"]
    assert said[0].startswith("monthly fee 'later' and monthly fee 'start' both pay for "
                              "the same service months ")
    # a month short of meeting, exactly meeting: not caught; a month over: caught
    assert [p.code for p in warnings(fees("1 months", "2 months")) if p.code == "W019"] == []
    assert [p.code for p in warnings(fees("2 months", "2 months")) if p.code == "W019"] == []
    assert [p.code for p in warnings(fees("2 months", "1 months"))
            if p.code == "W019"] == ["W019"]


def test_w020_a_service_month_no_monthly_fee_pays_one_month_short_on_and_over() -> None:
    def fees(until: str, start: str) -> str:
        return _two_monthly("early", "late", until, start)

    found = [p for p in warnings(fees("3 months", "4 months")) if p.code == "W020"]
    assert [p.message for p in found] == [
        "no monthly fee pays service month 4: the phases before end with month 3 and monthly "
        "fee 'late' starts after month 4; if the gap is meant (a pause in the service), accept "
        "this warning with the reason, else start monthly fee 'late' at from: 3 months"]
    assert [p.message[:40] for p in warnings(fees("3 months", "5 months"))
            if p.code == "W020"] == ["no monthly fee pays service months 4 to "]
    assert [p.code for p in warnings(fees("3 months", "3 months")) if p.code == "W020"] == []
    # overlapping by a month: W019's, not a gap
    assert [p.code for p in warnings(fees("3 months", "2 months"))
            if p.code in ("W019", "W020")] == ["W019"]


def test_w001_a_condition_only_just_met_and_never_from_some_start_days() -> None:
    """26 whole weeks in 185 days from the start: a Monday start holds 26, a Thursday start
    25, so the fee is never earned from a Thursday (a procurement trial took "only just" to
    mean every customer could still earn it)."""
    body = """
components:
  - id: condition
    kind: employment_condition
    unit: weeks
    min_hours_per_week: 18
    required: 26
    reference_period: 12 months
    reach_within: 185 days
    weights: {open: 1, subsidised: 0.5}
    amount: {register: 1500.00, self_report: 300.00}
""" + CAPS
    (found,) = warnings(body)
    assert found.code == "W001"
    assert found.message.startswith("employment condition 'condition' can only just be met")
    # valid_from 2020-01-01 is a Wednesday: 185 days hold 25 whole weeks from it
    assert found.message.endswith(
        "; for a service starting on 2020-01-01 (a Wednesday) it can never be reached, even "
        "by a customer who works every day from the first day")
    # 27 weeks: 26 whole weeks from any start day, 27 from a Monday: room to spare
    assert warnings(body.replace("185 days", "189 days")) == []


PARTLY = ("components:\n  - id: job\n    kind: employment_outcome\n    min_duration: 3 months\n"
          "    reach_within: 91 days\n{extra}    amount: {{register: 750.00}}\n" + CAPS)


def test_w001_out_of_reach_from_some_starts_never_hides_a_stronger_finding() -> None:
    """3 months of work (89 to 92 days) within 91 days: out of reach from a start on
    2020-03-01 only. A review found that said where a reach_by made it out of reach from every
    start, and in place of W008 and of a later ladder step never reachable."""
    partly = "W001", ("employment outcome 'job' can be reached only for a service starting "
                      "on some days: the time it has, and what it needs, depend on the start "
                      "day; for a service starting on 2020-03-01 (a Sunday) it can never be "
                      "reached, even by a customer who works every day from the first day")
    assert [(p.code, p.message) for p in warnings(PARTLY.format(extra=""))] == [partly]
    (never,) = warnings(PARTLY.format(extra="    reach_by: 2020-02-15\n"))
    assert never.message.startswith("employment outcome 'job' can never be reached: even a "
                                    "customer whose service starts on the contract's first day")
    late = HEAD.replace("referrals_until: 2021-12-31", "referrals_until: 2022-12-31").replace(
        "outcomes_until: 2023-06-30", "outcomes_until: 2022-12-31")
    assert [p.code for p in warnings(PARTLY.format(extra=""), late)] == ["W001", "W008"]
    ladder = PARTLY.format(extra="").replace(
        "    min_duration: 3 months\n", "").replace("kind: employment_outcome", "kind: milestones"
    ).replace("    amount: {register: 750.00}\n", "    steps:\n      - {after: 3 months, "
              "amount: {register: 500.00}}\n      - {after: 6 months, amount: {register: "
              "800.00}}\n")
    (step,) = [p for p in warnings(ladder) if p.code == "W001"]
    assert step.message.startswith("milestone 2 (6 months) of milestones 'job' can never be "
                                   "reached")


def test_w001_some_start_days_are_those_a_referral_can_bring() -> None:
    """A contract taking referrals only in January and February 2020: every start then can
    reach 3 months within 91 days; a start on 2020-03-01 is none of the contract's."""
    short = HEAD.replace("referrals_until: 2021-12-31", "referrals_until: 2020-02-29")
    assert warnings(PARTLY.format(extra=""), short) == []
