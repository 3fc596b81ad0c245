"""survey_adjustment: a bonus by score band, a change score, a multiplier on other fees."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from conftest import EVENT_HEADER, contract_from, one, run

from rewardengine.contract.load import LoadedContract
from rewardengine.engine import CustomerResult

COLUMNS = EVENT_HEADER.strip().split(",")
d = date.fromisoformat


def ev(event_id: str, type_: str, day: str, customer: str = "c1", **fields: str) -> str:
    cells = {"event_id": event_id, "customer_id": customer, "type": type_, "date": day,
             **fields}
    return ",".join(cells.get(c, "") for c in COLUMNS)


# service 2020-01-15..2021-01-14, follow-up to 2021-07-14: the survey window
def start(since: str = "2019-06-01") -> list[str]:
    return [ev("r1", "referral", "2020-01-10", provider="acme", unemployed_since=since),
            ev("s1", "service_start", "2020-01-15")]


def survey(event_id: str, day: str, score: str, instrument: str = "radar") -> str:
    return ev(event_id, "survey", day, instrument=instrument, score=score)


BONUS = contract_from("""
components:
  - id: radar_bonus
    kind: survey_adjustment
    instrument: radar
    bands:
      - {min_score: 3.0, amount: 200.00}
      - {min_score: 4.0, amount: {A: 400.00, B: 500.00}}
""")


@pytest.mark.parametrize(("since", "surveys", "as_of", "status", "amount", "on", "evidence"), [
    # latest score 3.5 -> band 1
    ("2019-06-01", [("q1", "2020-03-01", "4.5"), ("q2", "2020-06-01", "3.5")], "2020-07-01",
     "payable", "200.00", "2020-06-01", ("q2",)),
    # exactly on a band's minimum; segment A / B prices of band 2
    ("2019-06-01", [("q1", "2020-06-01", "4.0")], "2020-07-01", "payable", "400.00",
     "2020-06-01", ("q1",)),
    ("2018-06-01", [("q1", "2020-06-01", "4.0")], "2020-07-01", "payable", "500.00",
     "2020-06-01", ("q1",)),
    # below every band: still pending while the window is open, at the lowest band
    ("2019-06-01", [("q1", "2020-06-01", "2.9")], "2020-07-01", "pending", "200.00",
     "2021-07-14", ("q1",)),
    ("2019-06-01", [("q1", "2020-06-01", "2.9")], "2021-07-15", "not_earned", "200.00",
     "2020-06-01", ("q1",)),
    # no survey: pending at the highest band while open, not earned after
    ("2019-06-01", [], "2020-07-01", "pending", "400.00", "2021-07-14", ()),
    ("2019-06-01", [], "2021-07-15", "not_earned", "400.00", "2021-07-14", ()),
    # a survey after the follow-up does not count
    ("2019-06-01", [("q1", "2021-07-15", "4.5")], "2021-08-01", "not_earned", "400.00",
     "2021-07-14", ()),
])
def test_bonus_by_band(since: str, surveys: list[tuple[str, str, str]], as_of: str,
                       status: str, amount: str, on: str, evidence: tuple[str, ...]) -> None:
    rows = "\n".join([*start(since), *(survey(*s) for s in surveys),
                      survey("other", "2020-05-01", "9", instrument="feedback")])
    [line] = one(BONUS, rows, as_of).lines
    assert (line.occurrence, line.status, line.amount, line.date, line.evidence) == (
        "once", status, Decimal(amount), d(on), evidence)


def test_bonus_reasons() -> None:
    rows = "\n".join([*start(), survey("q1", "2020-06-01", "3.5")])
    [line] = one(BONUS, rows, "2020-07-01").lines
    assert line.reason == ("radar score 3.5 (survey q1 on 2020-06-01) reaches band 1 (score "
                           "3 or more): bonus 200.00; a later survey by 2021-07-14 may still "
                           "change the band")
    rows = "\n".join([*start(), survey("q1", "2020-06-01", "2.9")])
    [line] = one(BONUS, rows, "2020-07-01").lines
    assert line.reason == ("radar score 2.9 (survey q1 on 2020-06-01) is below the lowest "
                           "band; needs 3 or more by 2021-07-14 (3+ pays 200.00, 4+ pays "
                           "400.00)")


CHANGE = contract_from("""
components:
  - id: radar_change
    kind: survey_adjustment
    instrument: radar
    score: change
    bands:
      - {min_score: 0.5, amount: 100.00}
      - {min_score: 1.0, amount: 250.00}
""")


@pytest.mark.parametrize(("scores", "status", "amount", "evidence"), [
    (["2.0", "2.4", "3.2"], "payable", "250.00", ("q1", "q3")),  # +1.2
    (["2.0", "4.0", "2.7"], "payable", "100.00", ("q1", "q3")),  # +0.7: last minus first
    (["3.0", "2.0"], "pending", "100.00", ("q1", "q2")),  # -1.0: below every band
    (["2.0"], "pending", "250.00", ("q1",)),  # needs a second survey
])
def test_change_score(scores: list[str], status: str, amount: str,
                      evidence: tuple[str, ...]) -> None:
    days = ["2020-03-01", "2020-06-01", "2020-09-01"]
    rows = "\n".join([*start(), *(survey(f"q{i + 1}", days[i], s)
                                  for i, s in enumerate(scores))])
    [line] = one(CHANGE, rows, "2020-10-01").lines
    assert (line.status, line.amount, line.evidence) == (status, Decimal(amount), evidence)
    if len(scores) == 3 and status == "payable" and amount == "250.00":
        assert line.reason.startswith(
            "radar score change +1.2 (from 2, survey q1 on 2020-03-01, to 3.2, survey q3 on "
            "2020-09-01) reaches band 2 (score 1 or more): bonus 250.00")
        assert line.date == d("2020-09-01")
    if len(scores) == 1:
        assert line.reason.startswith(
            "needs a second radar survey to measure change (first: 2, survey q1 on "
            "2020-03-01) by 2021-07-14")


MULTIPLIER = contract_from("""
components:
  - id: base_fee
    kind: event_fee
    event: service_start
    amount: 100.00
  - id: radar
    kind: survey_adjustment
    instrument: radar
    mode: multiplier
    applies_to: [placement]
    bands:
      - {min_score: 0, factor: 0.8}
      - {min_score: 3.0, factor: 1.0}
      - {min_score: 4.0, factor: 1.25}
  - id: placement
    kind: event_fee
    event: employment
    amount: 500.00
    window: service_and_follow_up
""")

JOB = ev("e1", "employment", "2020-05-04", kind="open", evidence="register", fte="1.0")


@pytest.mark.parametrize(("score", "quantity", "amount", "factor"), [
    ("4.5", Decimal("0.25"), Decimal("125.00"), "1.25"),
    ("1.5", Decimal("-0.2"), Decimal("-100.00"), "0.8"),
    ("3.2", Decimal("0.0"), Decimal("0.00"), "1"),
])
def test_multiplier_adjusts_the_lines_of_applies_to(score: str, quantity: Decimal,
                                                    amount: Decimal, factor: str) -> None:
    rows = "\n".join([*start(), JOB, survey("q1", "2020-06-01", score)])
    result = one(MULTIPLIER, rows, "2020-07-01")
    assert [(ln.component, ln.occurrence, ln.status, ln.amount) for ln in result.lines] == [
        ("base_fee", "once", "payable", Decimal("100.00")),
        ("placement", "once", "payable", Decimal("500.00")),
        ("radar", "placement:once", "payable", amount),
    ]
    adj = result.lines[2]
    assert (adj.quantity, adj.unit_price, adj.date, adj.evidence) == (
        quantity, Decimal("500.00"), d("2020-06-01"), ("e1", "q1"))
    assert f"factor {factor}: " in adj.reason
    assert result.totals.payable == Decimal("600.00") + amount
    if score == "1.5":
        assert adj.reason == ("radar score 1.5 (survey q1 on 2020-06-01) is in band 1 (score "
                              "0 or more), factor 0.8: -20 % of placement once (payable "
                              "500.00) = -100.00")


def test_multiplier_dates_the_adjustment_by_the_later_of_line_and_survey() -> None:
    rows = "\n".join([*start(), survey("q1", "2020-03-01", "4.5"), JOB])
    adj = one(MULTIPLIER, rows, "2020-07-01").lines[-1]
    assert (adj.occurrence, adj.date, adj.amount) == ("placement:once", d("2020-05-04"),
                                                      Decimal("125.00"))


def test_multiplier_follows_a_pending_line() -> None:
    rows = "\n".join([*start(), survey("q1", "2020-03-01", "4.5")])
    result = one(MULTIPLIER, rows, "2020-07-01")
    assert [(ln.component, ln.occurrence, ln.status, ln.amount) for ln in result.lines] == [
        ("base_fee", "once", "payable", Decimal("100.00")),
        ("placement", "once", "pending", Decimal("500.00")),
        ("radar", "placement:once", "pending", Decimal("125.00")),
    ]


def test_multiplier_without_a_survey_adjusts_nothing_yet() -> None:
    rows = "\n".join([*start(), JOB])
    result = one(MULTIPLIER, rows, "2020-07-01")
    last = result.lines[-1]
    assert (last.component, last.occurrence, last.status, last.amount) == (
        "radar", "score", "pending", Decimal("0.00"))
    assert last.reason == ("1 line of placement not adjusted: needs a radar survey by "
                           "2021-07-14 to set the factor (factors by score: 0+ x0.8, 3+ x1, "
                           "4+ x1.25)")
    closed = one(MULTIPLIER, rows, "2021-08-01").lines[-1]
    assert (closed.occurrence, closed.status, closed.amount) == ("score", "not_earned",
                                                                 Decimal("0.00"))


def test_a_factor_of_zero_is_named_as_zero_in_the_reason() -> None:
    # a band that withholds the fee (factor 0) was shown as "x1" while no survey was known
    gate = contract_from("""
components:
  - id: placement
    kind: event_fee
    event: employment
    amount: 500.00
    window: service_and_follow_up
  - id: radar
    kind: survey_adjustment
    instrument: radar
    mode: multiplier
    applies_to: [placement]
    bands:
      - {min_score: 0, factor: 0}
      - {min_score: 2, factor: 1}
""")
    last = one(gate, "\n".join([*start(), JOB]), "2020-07-01").lines[-1]
    assert last.reason.endswith("(factors by score: 0+ x0, 2+ x1)")


DATED_TEXT = """
components:
  - id: radar_bonus
    kind: survey_adjustment
    instrument: radar
    bands:
      - {min_score: 3.0, amount: 200.00}
      - {min_score: 4.0, amount: {values: {2020-01-01: 400.00}}}
"""
DATED = contract_from(DATED_TEXT)


def before_valid_from(contract: LoadedContract, rows: str, as_of: str) -> CustomerResult:
    """``one`` of a customer whose service began before the contract's valid_from: evaluated
    as the rows stand, and warned of (V009)."""
    ev = run(contract, rows, as_of)
    assert [p.code for p in ev.problems] == ["V009"], [str(p) for p in ev.problems]
    return ev.customers[0]
# service from 2019-12-05, before the contract's valid_from: the survey window ends 2021-06-04
EARLY_START = [ev("r1", "referral", "2019-12-01", provider="acme", unemployed_since="2019-06-01"),
               ev("s1", "service_start", "2019-12-05")]
UNPRICED = ("radar score 4.5 (survey q1 on 2019-12-20) reaches band 2 (score 4 or more), but "
            "the band has no amount in force for segment A on 2019-12-20")


@pytest.mark.parametrize(("as_of", "status", "amount", "on", "reason"), [
    ("2020-03-01", "pending", "400.00", "2021-06-04",
     UNPRICED + "; a later survey by 2021-06-04 may still earn the bonus"),
    # the day before the window's last day, on it, the day after
    ("2021-06-03", "pending", "400.00", "2021-06-04",
     UNPRICED + "; a later survey by 2021-06-04 may still earn the bonus"),
    ("2021-06-04", "not_earned", "0.00", "2019-12-20", UNPRICED),
    ("2021-06-05", "not_earned", "0.00", "2019-12-20", UNPRICED),
])
def test_a_band_priced_only_from_a_later_date_waits_for_a_later_survey(
        as_of: str, status: str, amount: str, on: str, reason: str) -> None:
    # the contract checks see that every segment is priced, so a band has no amount only on a
    # date before its price table starts. The line was not_earned at once, though the latest
    # survey sets the score and a later one inside the window, once the amount is in force,
    # still pays (as a score below every band waits): now pending until the window's last day
    rows = "\n".join([*EARLY_START, survey("q1", "2019-12-20", "4.5")])
    [line] = before_valid_from(DATED, rows, as_of).lines
    assert (line.status, line.amount, line.date, line.evidence, line.reason) == (
        status, Decimal(amount), d(on), ("q1",), reason)


def test_a_later_survey_once_the_band_is_priced_pays_it() -> None:
    rows = "\n".join([*EARLY_START, survey("q1", "2019-12-20", "4.5"),
                      survey("q2", "2020-02-01", "4.2")])
    [line] = before_valid_from(DATED, rows, "2020-03-01").lines
    assert (line.status, line.amount, line.date, line.evidence) == (
        "payable", Decimal("400.00"), d("2020-02-01"), ("q2",))


# a survey window wholly before the contract: service 2019-03-01..2019-05-31, follow-up to
# 2019-11-30, band 2 priced from 2020-01-01 only
BEFORE_CONTRACT = [ev("r1", "referral", "2019-02-20", provider="acme",
                      unemployed_since="2018-06-01"),
                   ev("s1", "service_start", "2019-03-01"), ev("e1", "service_end", "2019-05-31"),
                   survey("q1", "2019-04-20", "4.5")]


@pytest.mark.parametrize(("low", "status", "amount", "on"), [
    # band 1 priced throughout: a later, lower survey may still earn it
    ("200.00", "pending", "200.00", "2019-11-30"),
    # no band priced before the window ends: no survey can count, not earned at once
    ("{values: {2020-01-01: 200.00}}", "not_earned", "0.00", "2019-04-20"),
])
def test_a_band_priced_after_the_whole_window(low: str, status: str, amount: str,
                                               on: str) -> None:
    text = DATED_TEXT.replace("{min_score: 3.0, amount: 200.00}",
                              f"{{min_score: 3.0, amount: {low}}}")
    [line] = before_valid_from(contract_from(text), "\n".join(BEFORE_CONTRACT),
                               "2019-06-01").lines
    assert (line.status, line.amount, line.date) == (status, Decimal(amount), d(on))


@pytest.mark.parametrize(("change", "amount"), [
    # the price changes the day before the window's last day, on it, the day after
    ("2021-07-13", "450.00"), ("2021-07-14", "450.00"), ("2021-07-15", "400.00")])
def test_a_pending_bonus_takes_the_price_of_the_day_it_falls_due(change: str,
                                                                  amount: str) -> None:
    # a pending line takes the value of the day it would fall due (contract-language.md), the
    # window's last day; it took the evaluation date's value
    text = DATED_TEXT.replace("{values: {2020-01-01: 400.00}}",
                              f"{{values: {{2020-01-01: 400.00, {change}: 450.00}}}}")
    [line] = one(contract_from(text), "\n".join(start()), "2020-07-01").lines
    assert (line.status, line.amount, line.date) == ("pending", Decimal(amount),
                                                     d("2021-07-14"))
    assert line.reason.endswith(f"bonus by score: 3+ pays 200.00, 4+ pays {amount}")
