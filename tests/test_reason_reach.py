"""Reasons no bundled example or generated cohort reaches, each made by a small case, and
each wholly in Finnish and in Swedish (test_reason_languages holds the same over the examples
and cohorts, with the same checks).

And the guard that keeps the gap closed: every reason text the fee kinds, the caps and the
contract ceiling write (each f-string that is not a rule, a trace step, an occurrence key or a
contract error) is reached by the examples and cohorts or by a case here, in a reason its own
kind wrote (a cap note, for the caps and the ceiling) that comes out wholly in Finnish and
Swedish; a kind that writes a new reason fails until a case shows it and the catalogues put it
in both languages.
"""

from __future__ import annotations

import ast
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

import invoicing_cases as invoicing
import pytest
import test_benefit_tests as benefit_tests
import test_kind_benefit_reduction as br
import test_kind_capacity_fee as capacity
import test_kind_employment_condition as condition
import test_kind_employment_outcome as eo
import test_kind_event_fee as event_fee
import test_kind_hourly_fee as hourly
import test_kind_milestones as mil
import test_kind_monthly_fee as monthly
import test_kind_period_payments as pp
import test_kind_reimbursed_expenses as expenses
import test_kind_survey_adjustment as survey
import test_kind_work_history as history
import test_outcome_rules as outcome_rules
import test_review_caps as review_caps
from conftest import CONTRACT_HEAD, EVENT_HEADER, contract_from, events_from, one, run
from test_reason_languages import (
    EXAMPLES,
    _english_left,
    _invoices,
    _untranslated,
    _verify_lines,
)

from rewardengine.contract.load import LoadedContract
from rewardengine.engine import evaluate
from rewardengine.evaluate.lines import Line
from rewardengine.invoicing.invoice import Invoice
from rewardengine.invoicing.labels import Labels, catalogue
from rewardengine.kinds import KINDS
from rewardengine.pipeline import load_contract

ROOT = Path(__file__).resolve().parent.parent
_COLUMNS = EVENT_HEADER.strip().split(",")


def ev(event_id: str, type_: str, day: str, **fields: str) -> str:
    """One event row of the shared header; ``fields`` by column name."""
    row = {"event_id": event_id, "customer_id": "c1", "type": type_, "date": day, **fields}
    return ",".join(row.get(c, "") for c in _COLUMNS)


def one_line(contract: str, rows: list[str], as_of: str, occurrence: str) -> Line:
    ev_ = run(contract_from(contract), "\n".join(rows), as_of)
    assert not ev_.problems, [str(p) for p in ev_.problems]
    return next(ln for c in ev_.customers for ln in c.lines if ln.occurrence == occurrence)


@dataclass(frozen=True)
class Billed:
    """A correction an invoice bills, shown as a case shows a line (billed: payable)."""

    amount: Decimal
    reason: str
    kind: str  # the kind of the component whose line it corrects
    status: str = "payable"
    cap: None = None  # a correction shows no cap note of its own


@dataclass(frozen=True)
class Case:
    name: str
    line: Callable[[], Line | Billed]
    status: str
    amount: str
    reason: str


# --- earnings_milestones: a step lost inside the first months from the service start --------

FIRST_MONTHS = """
components:
  - id: ticket
    kind: earnings_milestones
    unit: months
    min_earnings: {values: {2018-01-01: 910.00}}
    reference: service_start
    steps:
      - {periods: 2, within: 3, amount: 1000.00}
"""
TICKET = [ev("r1", "referral", "2020-01-02", provider="acme", unemployed_since="2019-06-01"),
          ev("s1", "service_start", "2020-01-10"),
          ev("w1", "earnings", "2020-01-15", amount="500.00", evidence="register")]

# --- period_payments ------------------------------------------------------------------------

PP_START = pp.REFERRAL + "s1,c1,service_start,2025-01-01\n"
PP_WEEKS = pp.contract(unit="weeks").replace("1550.00, 2025-01-01: 1620.00", "400.00")


def _pp(rows: str, as_of: str, text: str | None = None) -> Line:
    return pp.result(rows, as_of, text).lines[-1]


# --- prices asked for before they take effect: evaluated before the contract starts, every
# kind has no price for the segment (the contract checks see to it that one is in force from
# valid_from on, so only an evaluation date before it reaches these) --------------------------

FROM_VALID = "{values: {2020-01-01: %s}}"
NOT_YET_PRICED = f"""
components:
  - {{id: start, kind: event_fee, event: service_start, amount: {FROM_VALID % "100.00"}}}
  - {{id: hours, kind: hourly_fee, rate: {FROM_VALID % "60.00"}}}
  - {{id: monthly, kind: monthly_fee, amount: {FROM_VALID % "900.00"}}}
  - {{id: budget, kind: reimbursed_expenses, budget: {FROM_VALID % "1500.00"},
     categories: [travel]}}
  - {{id: job90, kind: employment_outcome, min_duration: 90 days,
     amount: {FROM_VALID % "750.00"}}}
  - {{id: benefit, kind: benefit_reduction, measure: days, baseline: 6 months,
     full: {{min_fall: 0.9, amount: {FROM_VALID % "2000.00"}}}}}
  - {{id: earn, kind: earnings_milestones, unit: months, reference: service_start,
     min_earnings: {{values: {{2018-01-01: 910.00}}}},
     steps: [{{periods: 2, within: 3, amount: {FROM_VALID % "1000.00"}}}]}}
  - {{id: history, kind: work_history, baseline: 6 months, count: [work], min_extra_days: 30,
     rate: {FROM_VALID % "10.00"}}}
  - {{id: condition, kind: employment_condition, unit: weeks, min_hours_per_week: 18,
     required: 26, reference_period: 12 months, amount: {FROM_VALID % "3000.00"}}}
  - {{id: pp, kind: period_payments, unit: months, max_periods: 3,
     min_earnings: {{values: {{2018-01-01: 910.00}}}}, amount: {FROM_VALID % "555.00"}}}
"""
EARLY = [ev("r1", "referral", "2019-12-10", provider="acme", unemployed_since="2019-06-01"),
         ev("s1", "service_start", "2019-12-15"),
         ev("h1", "hours", "2019-12-20", hours="2", activity="coaching"),
         ev("x1", "expense", "2019-12-20", amount="40.00", category="travel")]


@cache
def _not_yet_priced() -> dict[str, Line]:
    ev_ = run(contract_from(NOT_YET_PRICED), "\n".join(EARLY), "2019-12-31")
    # a service begun before valid_from, on purpose: warned of, and evaluated as it stands
    assert [p.code for p in ev_.problems] == ["V009"]
    return {ln.component: ln for c in ev_.customers for ln in c.lines}



# --- reasons a real contract writes, made by small set-ups -----------------------------------

# part-time work from 2020-02-01 (0.6 FTE), full time from 2020-04-01 (0.6 + 0.3): the part-time
# band is paid on 2020-04-30, the full-time band 90 days from 2020-04-01, on 2020-06-29
BAND_JOBS = (outcome_rules.job("E1", "2020-02-01", fte="0.6"),
             outcome_rules.job("E2", "2020-04-01", fte="0.3"))


def _banded(k: int) -> Line:
    return outcome_rules.lines(outcome_rules.BANDS, *BAND_JOBS, as_of="2021-08-01")[k]


# a multiplier whose lowest band starts at 3: a score of 2.5 sets no factor
FROM_THREE = contract_from("""
components:
  - id: radar
    kind: survey_adjustment
    instrument: radar
    mode: multiplier
    applies_to: [placement]
    bands:
      - {min_score: 3.0, factor: 1.0}
      - {min_score: 4.0, factor: 1.25}
  - id: placement
    kind: event_fee
    event: employment
    amount: 500.00
    window: service_and_follow_up
""")
LOW_SCORE = [*survey.start(), survey.JOB, survey.survey("q1", "2020-06-01", "2.5")]
REFERRED_ONLY = [survey.start()[0], survey.JOB]


def _multiplied(rows: list[str], as_of: str, k: int,
                contract: LoadedContract = FROM_THREE) -> Line:
    return one(contract, "\n".join(rows), as_of).lines[k]


# benefit days against the days of the outcome month April 2020 (the 4-week step on 2020-04-28)
def _period_days(rows: tuple[str, ...], as_of: str) -> Line:
    return benefit_tests.step_line(benefit_tests.STEP.format(test=benefit_tests.PERIOD_DAYS),
                                   benefit_tests.JOB, *rows, as_of=as_of)


# continuous sustainment (a break of more than 7 days restarts the count) after the 4-week step
# reached on 2020-02-28
_SPELLS = (outcome_rules.job("E1", "2020-02-03", "2020-05-31", hours="38", employer="X"),
           outcome_rules.job("E2", "2020-04-10", hours="38", employer="Y"))
BREAK_ROWS = (outcome_rules.job("E1", "2020-02-01", "2020-03-20", hours="20"),
              outcome_rules.job("E2", "2020-03-29", hours="20"))
LATE_ROWS = (outcome_rules.job("E1", "2020-02-01", "2020-03-20", hours="20"),
             outcome_rules.job("E2", "2021-07-01", hours="20"))


def _sustained(rows: tuple[str, ...], as_of: str) -> Line:
    got = outcome_rules.lines(outcome_rules.SUSTAIN, *rows, as_of=as_of)
    return next(ln for ln in got if ln.occurrence == "sustain:1")


# a benefit test by days over benefit rows that give only amounts: nothing to measure
AMOUNTS_ONLY = [mil.benefit(f"B{k}", month, "600.00") for k, month in
                ((1, "2019-11-01"), (2, "2019-12-01"), (4, "2020-02-01"), (5, "2020-03-01"))]


def _zero_baseline(during: str, as_of: str) -> Line:
    text = benefit_tests.REDUCTION.format(zero="    zero_baseline: full_if_none_during\n")
    rows = benefit_tests.START + benefit_tests.ZEROS + ("\n" + during if during else "")
    return one(contract_from(text), rows, as_of).lines[0]


STATEMENT_AHEAD = event_fee.row("h1", "hours", "2020-03-10", hours="2",
                                activity="written_statement", recorded="2020-02-20")
ENDS_BEFORE_THE_PHASE = "\n".join([*hourly.start(), hourly.ev("e9", "service_end", "2020-02-05"),
                                   hourly.hours("h1", "2020-02-01", "2")])



def _buyer_share(measure: str) -> Line:
    """A buyer's share of benefit, one baseline row without the cumulative days."""
    text = benefit_tests.REDUCTION.format(
        zero="    buyer_share: [{after_days: 300, share: 0.5}]\n").replace(
        "measure: days", f"measure: {measure}")
    rows = ("r1,c1,referral,2020-01-10,acme,2019-06-01\ns1,c1,service_start,2020-01-15\n"
            "b1,c1,benefit,2019-08-01,,,20,600.00,400\nb2,c1,benefit,2019-09-01,,,20,600.00,\n")
    header = ("event_id,customer_id,type,date,provider,unemployed_since,days,amount,"
              "cumulative_days\n")
    ev_ = evaluate(contract_from(text), events_from(rows, header).events, date(2020, 7, 14))
    return ev_.customers[0].lines[0]

# a baseline of 1 month from a service start mid-month holds no whole calendar month
ONE_MONTH_BASELINE = benefit_tests.REDUCTION.format(zero="").replace("baseline: 6 months",
                                                                   "baseline: 1 month")

# the employment condition with part credit: a week of 9 to 18 hours, a month of 600.00 to
# 1200.00 € of wages count half
HALF_WEEKS = condition.weeks(required=4,
                             extra="    partial: {min_hours_per_week: 9, counts: 0.5}\n")
HALF_MONTHS = condition.MONTHS.format(required=2) + "    partial: {min_monthly_wage: 600.00}\n"


def _condition(contract: str, rows: str, as_of: str) -> Line:
    return one(contract_from(contract), rows, as_of).lines[0]

# a band priced only from 2020-01-01, reached by a survey before it (service from 2019-12-05)
DATED_BAND = survey.DATED
SURVEYED_EARLY = [*survey.EARLY_START, survey.survey("q1", "2019-12-20", "4.5")]

# self-reported work, which the employment condition's and the work history's rate tables of
# segment A do not price
SELF_REPORTED_WEEKS = condition.rows(condition.START_A, condition.job(
    "e1", "2020-01-20", hours="20", evidence="self_report"))
SELF_REPORTED_WORK = history.rows(history.START, history.job(
    "e1", "2020-02-01", "2020-02-29", evidence="self_report"))

# c3's referral is corrected in February after January's invoice: the segment moves to B and
# February's invoice corrects the start fee, naming what the segment now rests on
FIRST_MATCH = CONTRACT_HEAD.replace("      when: {unemployment_months: {min: 12}}\n", "").replace(
    "segments:\n", "segments:\n  policy: first_match\n")
NO_LONGER_GIVEN = invoicing.ROWS.replace("r3,c3,referral,2020-01-20,2020-02-12,,,acme,,2018-10-01",
                                         "r3,c3,referral,2020-01-20,2020-02-12,,,acme,,")


def _segment_moved(head: str = CONTRACT_HEAD, rows: str = invoicing.ROWS) -> Billed:
    loaded, evs = invoicing.contract(head=head), invoicing.events(rows)
    with tempfile.TemporaryDirectory() as folder:
        ledger = Path(folder) / "ledger.sqlite"
        invoicing.issue(loaded, evs, "2020-01", ledger)
        february = invoicing.issue(loaded, evs, "2020-02", ledger).invoice
    assert february is not None
    (correction,) = february.corrections
    component = loaded.contract.component(correction.component)
    assert component is not None
    return Billed(correction.amount, correction.reason, component.kind)

def _ceiling_cut() -> Line:
    """The second customer's start fee, as an invoice shows a line with its cap note."""
    ev_ = run(contract_from(review_caps.CEILING), review_caps.CEILING_ROWS, "2020-03-01")
    line = next(ln for c in ev_.customers if c.customer_id == "c2" for ln in c.lines)
    assert line.cap is not None
    return replace(line, reason=f"{line.reason} ({line.cap})")


# --- outcome rules added later: a start window past the service, another employer each time
# (earlier work with the employer is in the AVGS example)

_O = outcome_rules
OUTCOME_RULES_LATER = [
    Case("employment_outcome job started after the service and the months after it",
         lambda: _O.lines(_O.AFTER, _O.job("E1", "2021-04-15", fte="1.0"),
                          as_of="2021-08-01")[0],
         "not_earned", "750.00",
         "no qualifying work (0.80 FTE or more, open) by 2021-07-14, when the follow-up ends; "
         "not counted: job E1 started on 2021-04-15, outside the service or the 3 months after "
         "it (2020-01-15..2021-04-14), and only jobs started inside it count"),
    Case("employment_outcome a successive outcome with the same employer",
         lambda: _O.lines(_O.SUCCESSIVE, _O.FIRST_X, _O.job(
             "E2", "2020-08-01", "2020-12-31", fte="1.0", employer="X"), as_of="2021-08-01")[1],
         "not_earned", "0.00",
         "employment E2 reached 90 days on 2020-10-29 at 1.00 FTE, register-verified, one "
         "employer (X); but the outcome before it (spell:E1) was with the same employer (X), "
         "and the contract pays a successive outcome only with another employer"),
]

# --- reach_within: a deadline counted from the customer's own service start -----------------

_WITHIN = " the component's reach_within of {} from the service start"
REACH_WITHIN = [
    Case("employment_outcome reached a day after its reach_within",
         lambda: eo.lines(eo.WITHIN, eo.job("E1", "2020-04-17", fte="1.0"),
                          as_of="2020-09-01")[0],
         "not_earned", "750.00",
         "threshold of 90 days reached on 2020-07-15, one day after" + _WITHIN.format("6 months")
         + ", 2020-07-14"),
    Case("employment_outcome waiting within its reach_within",
         lambda: eo.lines(eo.WITHIN, as_of="2020-04-15")[0], "pending", "750.00",
         "needs 90 days of qualifying work (0.80 FTE or more, open) by 2020-07-14,"
         + _WITHIN.format("6 months")),
    Case("milestones step reached after its reach_within",
         lambda: mil.lines(mil.LADDER + "    reach_within: 20 weeks\n",
                           eo.job("E1", "2020-02-01", fte="1.0"), as_of="2020-12-01")[2],
         "not_earned", "2600.00",
         "threshold of 26 weeks reached on 2020-07-31, 59 days after" + _WITHIN.format("20 weeks")
         + ", 2020-06-02"),
    Case("employment_condition reference period cut at its reach_within",
         lambda: _condition(condition.weeks(26, "    reach_within: 8 weeks\n"),
                            condition.START_A, "2020-04-01"),
         "not_earned", "3000.00",
         "only 0 of 26 weeks with at least 18 h of work by the end of the reference period "
         "2020-01-15..2020-03-10 (12 months from the service start, cut at 2020-03-10:"
         + _WITHIN.format("8 weeks") + "); its last whole week ended 2020-03-08, 26 more were "
         "needed; out of reach since 2020-01-15"),
    Case("period_payments no calendar month ends within its reach_within",
         lambda: _pp(pp.REFERRAL + "s1,c1,service_start,2025-01-10\n", "2025-02-01",
                     pp.contract("    reach_within: 10 days\n")),
         "not_earned", "555.00",
         "0 of 3 months paid so far; no calendar month ends after the service start 2025-01-10 "
         "and by 2025-01-19 (" + _WITHIN.format("10 days").strip() + ")"),
    Case("earnings_milestones step cut short by its reach_within",
         lambda: run(contract_from(FIRST_MONTHS + "    reach_within: 80 days\n"), "\n".join(
             [*TICKET, ev("w2", "earnings", "2020-02-15", amount="1000.00",
                          evidence="register")]), "2020-06-01").customers[0].lines[0],
         "not_earned", "1000.00",
         # the reach_within, not the step's first 3 months, ends the months counted
         "can no longer be reached since 2020-01-31: 1 qualifying month so far (2020-02); "
         "needs 2 of the first 3 months from the service start with earnings of at least the "
         "threshold (910.00 € on 2020-06-01), among the months counted up to 2020-02-29 (by "
         "2020-03-29:" + _WITHIN.format("80 days") + ")"),
    Case("period_payments one month still to come within its reach_within",
         lambda: _pp(pp.REFERRAL + "s1,c1,service_start,2025-01-10\n", "2025-02-01",
                     pp.contract("    reach_within: 2 months\n")),
         "pending", "555.00",
         "0 of 3 months paid so far; needs another calendar month with earnings of at least "
         "the threshold (1620.00 € on 2025-02-01) and no benefit paid, ending by 2025-03-09 ("
         + _WITHIN.format("2 months").strip() + "); 1 month still to come"),
]

# --- a top-up under way -------------------------------------------------------------------

TOP_UP = [
    Case("employment_outcome a top-up under way",
         lambda: outcome_rules.lines(outcome_rules.BY_KIND, outcome_rules.SUBSIDISED_PAID,
                                     outcome_rules.job("E2", "2020-05-04", fte="1.0"),
                                     as_of="2020-07-31")[1],
         "pending", "560.00",
         "needs 1 more day of qualifying work (0.80 FTE or more, open) by 2021-07-14, when the "
         "follow-up ends; 89 of 90 days so far in the spell from 2020-05-04; with top_up the "
         "difference is paid: 750.00 less the 190.00 paid for spell:E1:subsidised; not "
         "counted: job E1 is subsidised work, which does not count as open work"),
]

# --- employment_condition's review period looking back (look_back) -------------------------

_C = condition
_DEADLINE = _C.weeks(10, "    look_back: true\n    reach_by: 2020-03-01\n")
_FIVE_BEFORE = _C.rows(_C.START_A, _C.job("p", "2019-11-04", "2019-12-08", hours=20))
_MARCH = _C.rows(_C.row("r1", "referral", "2020-03-10", provider="acme",
                        unemployed_since="2019-06-01"), _C.row("s1", "service_start", "2020-03-16"),
                 _C.job("p", "2019-12-01", "2020-03-31", hours=37.5, wage="1300.00"))
REVIEW_PERIOD = [
    Case("employment_condition met in a review period looking back",
         lambda: _condition(_C.LOOK_BACK, _C.rows(_C.START_A, _C.job(
             "p", "2019-11-04", "2019-12-29", hours=20), _C.NEW_JOB), "2020-06-30"),
         "payable", "3000.00",
         "employment condition met on 2020-02-02: 10 of 10 weeks with at least 18 h of work, "
         "counted from the week starting 2019-11-04, in the review period "
         "2019-02-03..2020-02-02 (12 months up to 2020-02-02, work before the service "
         "counted); jobs e1, p, weakest evidence register"),
    Case("employment_condition months met in a review period looking back",
         lambda: _condition(_C.MONTHS.format(required=4) + "    look_back: true\n", _MARCH,
                            "2020-06-30"),
         "payable", "5000.00",
         "employment condition met on 2020-03-31: 4 of 4 months with wages of at least 1200.00 "
         "€, counted from the month starting 2019-12-01, in the review period "
         "2019-04-01..2020-03-31 (12 months up to 2020-03-31, work before the service "
         "counted); jobs p, weakest evidence register"),
    Case("employment_condition met already before the service",
         lambda: _condition(_C.LOOK_BACK, _C.rows(_C.START_A, _C.job(
             "p", "2019-10-07", "2019-12-15", hours=20)), "2020-06-30"),
         "not_earned", "0.00",
         "the employment condition was met already when the service started on 2020-01-15: 10 "
         "of 10 weeks with at least 18 h of work in the review period 2019-01-15..2020-01-14 "
         "(12 months up to 2020-01-14, work before the service counted); jobs p, weakest "
         "evidence register; the fee is for meeting it after the service starts, so none is "
         "offered"),
    Case("employment_condition review period pending",
         lambda: _condition(_DEADLINE, _FIVE_BEFORE, "2020-01-27"),
         "pending", "3000.00",
         "5 of 10 weeks with at least 18 h of work in the review period 2019-01-27..2020-01-26 "
         "(12 months up to 2020-01-26, work before the service counted) so far; may still be "
         "met by 2020-03-01, the last whole week before the deadline; jobs p, weakest evidence "
         "register"),
    Case("employment_condition review period out of reach",
         lambda: _condition(_DEADLINE, _FIVE_BEFORE, "2020-02-05"),
         "not_earned", "3000.00",
         "can no longer be met since 2020-02-02: 5 of 10 weeks with at least 18 h of work in the "
         "review period 2019-02-03..2020-02-02 (12 months up to 2020-02-02, work before the "
         "service counted), and no whole week to 2020-03-01 can bring the review period ending "
         "with it to 10; jobs p, weakest evidence register"),
    Case("employment_condition no whole week between the service start and the deadline",
         lambda: _condition(_C.weeks(10, "    look_back: true\n    reach_by: 2020-01-17\n"),
                            _C.START_A, "2020-06-30"),
         "not_earned", "3000.00",
         "no whole calendar week lies between the service start and the deadline"),
]


CASES = [
    Case("earnings_milestones lost within the first months",
         lambda: one_line(FIRST_MONTHS, TICKET, "2020-03-05", "step:2 of 3 months"),
         "not_earned", "1000.00",
         "can no longer be reached since 2020-02-29: 0 qualifying months so far; needs 2 of "
         "the first 3 months from the service start with earnings of at least the threshold "
         "(910.00 € on 2020-03-05), among the months counted up to 2020-03-31 (the first 3 "
         "months from the service start)"),
    Case("milestones benefit fall lost before the month ends",
         lambda: mil.lines(mil.OUTCOME_PERIOD, *mil.BASELINE,
                           mil.benefit("B5", "2020-03-01", "500.00"), mil.E1,
                           as_of="2020-03-10")[0],
         "pending", "400.00",
         "needs a new spell of 28 days of qualifying work (15 h/week or more, open) by "
         "2021-07-14, when the follow-up ends; the spell from 2020-02-03 (E1) reached 4 weeks "
         "on 2020-03-01, but it is not paid; benefit amount a month 600.00 in 2019-11..2019-12 "
         "before the service, 500.00 so far in the outcome month 2020-03: fell only 16.7 % so "
         "far, less than the 40 % needed, and benefit still to come can only lower the fall, "
         "so it can no longer be earned; then the benefit test applies"),
    Case("milestones step lost for want of a price, awaiting another spell",
         lambda: next(ln for ln in mil.lines(mil.EMPLOYER_ONLY, *mil.REGISTER_THEN_EMPLOYER,
                                              as_of="2020-08-22")
                      if ln.occurrence == "step:12 weeks"),
         "pending", "1200.00",
         "needs 1 more day of qualifying work (15 h/week or more, open) by 2021-07-14, when "
         "the follow-up ends; 83 of 84 days so far in the spell from 2020-06-01; the spell "
         "from 2020-02-03 (E1) reached 12 weeks on 2020-04-26, but on evidence 'register', "
         "which the price table does not price"),
    Case("milestones continuous sustainment not priced, awaiting another spell",
         lambda: outcome_rules.lines(outcome_rules.EMPLOYER_PRICED_AFTER,
                                     *outcome_rules.UNPRICED_THEN_PRICED, as_of="2020-03-31")[1],
         "pending", "50.00",
         "needs 1 more day of qualifying work (15 h/week or more, open) by 2021-07-14, when "
         "the follow-up ends; 27 of 28 days so far in the spell from 2020-03-05 (sustainment 1 "
         "of 2); the spell from 2020-02-20 (Z1) reached it on 2020-03-29, but on evidence "
         "'register', which the price table does not price"),
    Case("milestones continuous sustainment reached today, counted on in the running spell",
         lambda: outcome_rules.lines(outcome_rules.CONTINUOUS_AFTER,
                                     outcome_rules.job("E1", "2020-02-03", hours="38",
                                                       employer="X"), as_of="2020-03-29")[2],
         "pending", "50.00",
         "needs 28 days of qualifying work (15 h/week or more, open) by 2021-07-14, when the "
         "follow-up ends; counted from 2020-03-30 in the spell from 2020-02-03 (E1) "
         "(sustainment 2 of 2)"),
    Case("milestones continuous sustainment not priced, counted again after reaches passed over",
         lambda: outcome_rules.lines(outcome_rules.EMPLOYER_PRICED_AFTER,
                                     outcome_rules.job("E1", "2020-02-03", hours="38",
                                                       employer="X"), as_of="2020-06-10")[1],
         "pending", "50.00",
         "needs 11 more days of qualifying work (15 h/week or more, open) by 2021-07-14, when "
         "the follow-up ends; 17 of 28 days so far in the spell from 2020-05-25; "
         "register-verified work is not priced, shown at the price of the strongest evidence "
         "(sustainment 1 of 2); the spell from 2020-02-03 (E1) reached it on 2020-03-29, but "
         "on evidence 'register', which the price table does not price; counted again from "
         "the day after each reach not priced, the last on 2020-05-24"),
    Case("milestones benefit fall full so far, decided once the month ends",
         lambda: mil.lines(mil.OUTCOME_PERIOD, *mil.STOPS, mil.E1, as_of="2020-03-30")[0],
         "pending", "400.00",
         "employment E1 reached 4 weeks (28 days) on 2020-03-01 at 20 h/week, "
         "register-verified; benefit amount a month 600.00 in 2019-11..2019-12 before the "
         "service, 0.00 so far in the outcome month 2020-03: fell 100 % so far, at least the "
         "100 % for a full outcome; decided once 2020-03 has ended, on 2020-03-31 (benefit "
         "still to come can only lower the fall)"),
    Case("milestones benefit fall partial at best",
         lambda: mil.lines(mil.OUTCOME_PERIOD, *mil.BASELINE,
                           mil.benefit("B5", "2020-03-01", "300.00"),
                           mil.benefit("B6", "2020-04-01", "300.00"), mil.E1,
                           as_of="2020-04-27")[1],
         "pending", "600.00",
         "employment E1 reached 12 weeks (84 days) on 2020-04-26 at 20 h/week, "
         "register-verified; benefit amount a month 600.00 in 2019-11..2019-12 before the "
         "service, 300.00 so far in the outcome months 2020-03..2020-04: fell 50 % so far, at "
         "least the 40 % for a partial outcome (50 % of the amount), at best; decided once "
         "2020-04 has ended, on 2020-04-30 (benefit still to come can only lower the fall)"),
    Case("period_payments next: no further month by the deadline",
         lambda: _pp(PP_START + pp.earn("2025-02", "2000.00"), "2026-06-30"),
         "not_earned", "555.00",
         "1 of 3 months paid so far; no further calendar month with earnings of at least the "
         "threshold (1620.00 € on 2026-06-30) and no benefit paid ended by 2026-06-30 (the "
         "follow-up ends)"),
    Case("period_payments weeks still to come",
         lambda: _pp(pp.REFERRAL + "s1,c1,service_start,2025-03-03\n"
                     + pp.earn("2025-03", "450.00", "05"), "2025-03-20", PP_WEEKS),
         "pending", "555.00",
         "1 of 3 weeks paid so far; needs another calendar week with earnings of at least the "
         "threshold (400.00 € on 2025-03-20) and no benefit paid, ending by 2026-09-02 (the "
         "follow-up ends); 76 weeks still to come"),
    Case("monthly_fee month past max_months",
         lambda: monthly.one(contract_from(monthly.fee(
             "    condition: {min_responded_contacts: 1}\n    max_months: 1\n")),
             "\n".join([*monthly.start(), monthly.contact("k1", "2020-01-20", True),
                        monthly.contact("k2", "2020-02-20", True)]), "2020-03-31").lines[1],
         "not_earned", "0.00",
         "service month 2 (2020-02-15..2020-03-14) not paid: the maximum of 1 paid months is "
         "reached"),
    Case("monthly_fee no part-month",
         lambda: monthly.one(contract_from(monthly.fee("    proration: none\n")),
                             monthly.TRAP_ROWS, "2020-05-31").lines[3],
         "not_earned", "900.00",
         "service month 4 (2020-04-15..2020-05-14) not paid: only part of it served, served "
         "2020-04-15..2020-04-24 (10/30 days: the service ended 2020-04-24); the contract pays"
         " no part-month (proration: none)"),
    Case("monthly_fee full month for a part (proration: full), cut by a phase end",
         lambda: monthly.one(contract_from(monthly.fee(
             "    phase: {until: 45 days}\n    proration: full\n")),
             "\n".join(monthly.start()), "2020-06-30").lines[1],
         "payable", "900.00",
         "service month 2 (2020-02-15..2020-03-14), served 2020-02-15..2020-02-28 (14/29 days:"
         " the phase 2020-01-15..2020-02-28 ends on 2020-02-28); pays the full 900.00 "
         "(proration: full)"),
    Case("monthly_fee calendar month begun mid-month, paid by the day",
         lambda: monthly.one(monthly.calendar("    proration: daily\n"),
                             "\n".join(monthly.start("2020-03-02")), "2020-04-30").lines[0],
         "payable", "300.00",
         "calendar month 2020-03, served 2020-03-02..2020-03-31 (30/31 days: the service starts "
         "on 2020-03-02); pays 30/31 of 310.00 (proration: daily)"),
    Case("monthly_fee calendar month cut by the service start and end",
         lambda: monthly.one(monthly.calendar("    proration: daily\n"), "\n".join(
             [*monthly.start("2020-03-10"), monthly.ev("e1", "service_end", "2020-03-20")]),
             "2020-06-30").lines[0],
         "payable", "110.00",
         "calendar month 2020-03, served 2020-03-10..2020-03-20 (11/31 days: the service "
         "starts on 2020-03-10 and the service ended 2020-03-20); pays 11/31 of 310.00 "
         "(proration: daily)"),
    Case("monthly_fee calendar month running to the service's longest end",
         lambda: monthly.one(monthly.calendar("    proration: full\n"),
                             "\n".join(monthly.start("2020-01-15")), "2021-01-05").lines[-1],
         "pending", "310.00",
         "calendar month 2021-01 runs to 2021-01-14, served 2021-01-01..2021-01-14 (14/31 days:"
         " the service can run at most to 2021-01-14); pays the full 310.00 (proration: full)"),
    Case("monthly_fee running calendar month begun mid-month needs an answered contact",
         lambda: monthly.one(monthly.calendar(
             "    condition: {min_responded_contacts: 1}\n    proration: daily\n"),
             "\n".join(monthly.start("2020-03-02")), "2020-03-10").lines[0],
         "pending", "300.00",
         "calendar month 2020-03 runs to 2020-03-31: needs an answered contact by 2020-03-31, "
         "so far no contacts, served 2020-03-02..2020-03-31 (30/31 days: the service starts on "
         "2020-03-02); pays 30/31 of 310.00 (proration: daily)"),
    Case("monthly_fee calendar month begun mid-month lost for no answered contact",
         lambda: monthly.one(
             monthly.calendar("    condition: {min_responded_contacts: 1}\n"
                              "    proration: full\n"),
             "\n".join([*monthly.start("2020-03-10"), monthly.contact("k1", "2020-03-09", True)]),
             "2020-03-31").lines[0],
         "not_earned", "310.00",
         "no answered contact in calendar month 2020-03: no contacts, served "
         "2020-03-10..2020-03-31 (22/31 days: the service starts on 2020-03-10)"),
    # --- reasons a real contract writes ---
    Case("employment_outcome priced by the extent band of its work",
         lambda: _banded(0), "payable", "500.00",
         "employment E1 and E2 reached 90 days on 2020-04-30 at 0.60 FTE, register-verified; "
         "priced as band part_time (0.50 to below 0.80 FTE)"),
    Case("employment_outcome a better band later pays the difference",
         lambda: _banded(1), "payable", "300.00",
         "employment E1 and E2 reached 90 days on 2020-06-29 at 0.90 FTE, register-verified; "
         "priced as band full_time (0.80 FTE or more); it upgrades the outcome paid as "
         "spell:E1:part_time (500.00), so the difference 300.00 is paid"),
    Case("survey_adjustment multiplier below the lowest band, a survey may still reach it",
         lambda: _multiplied(LOW_SCORE, "2020-07-01", 1), "pending", "0.00",
         "1 line of placement not adjusted: radar score 2.5 (survey q1 on 2020-06-01) is below "
         "the lowest band (3+ x1, 4+ x1.25); a survey by 2021-07-14 may still reach 3"),
    Case("survey_adjustment multiplier below the lowest band after the window",
         lambda: _multiplied(LOW_SCORE, "2021-08-01", 1), "not_earned", "0.00",
         "1 line of placement not adjusted: radar score 2.5 (survey q1 on 2020-06-01) is below "
         "the lowest band (3+ x1, 4+ x1.25)"),
    Case("survey_adjustment multiplier waiting for the service start",
         lambda: _multiplied(REFERRED_ONLY, "2020-07-01", 2, survey.MULTIPLIER),
         "pending", "0.00",
         "1 line of placement not adjusted: waiting for the service start (no service start "
         "recorded yet) (factors by score: 0+ x0.8, 3+ x1, 4+ x1.25)"),
    Case("event_fee employment inside the service and follow-up window",
         lambda: _multiplied(LOW_SCORE, "2020-07-01", 0), "payable", "500.00",
         "employment e1 on 2020-05-04, inside the service and follow up window"),
    Case("event_fee employment waiting for the service start",
         lambda: _multiplied(REFERRED_ONLY, "2020-07-01", 1, survey.MULTIPLIER),
         "pending", "500.00", "waiting for an employment: no service start recorded yet"),
    Case("milestones days without benefit, a partial outcome",
         lambda: _period_days((benefit_tests.benefit("B4", "2020-04-01", days="12"),),
                              "2020-04-30"),
         "payable", "400.00",
         "employment E1 reached 4 weeks (28 days) on 2020-04-28 at 20 h/week, register-verified; "
         "benefit paid on 12 of the 30 days of the outcome month 2020-04: no benefit on 60 % of "
         "the days, at least the 60 % for a partial outcome (40 % of the amount)"),
    Case("milestones days without benefit, too few",
         lambda: _period_days((benefit_tests.benefit("B4", "2020-04-01", days="13"),),
                              "2021-08-01"),
         "not_earned", "1000.00",
         "employment E1 reached 4 weeks (28 days) on 2020-04-28 at 20 h/week, register-verified; "
         "benefit paid on 13 of the 30 days of the outcome month 2020-04: no benefit on only "
         "56.7 % of the days, less than the 60 % needed"),
    Case("milestones days without benefit so far, the month still running",
         lambda: _period_days((), "2020-04-29"),
         "pending", "1000.00",
         "employment E1 reached 4 weeks (28 days) on 2020-04-28 at 20 h/week, register-verified; "
         "benefit paid on 0 so far of the 30 days of the outcome month 2020-04: no benefit on "
         "100 % so far of the days, at least the 100 % for a full outcome; decided once 2020-04 "
         "has ended, on 2020-04-30 (benefit still to come can only lower the fall)"),
    Case("milestones continuous sustainment counted again after a break",
         lambda: _sustained(BREAK_ROWS, "2020-12-31"), "payable", "200.00",
         "employment E2 reached 4 weeks (28 days) of continuous work since 2020-03-29 on "
         "2020-04-25 at 20 h/week, register-verified (sustainment 1 of 3); counted from "
         "2020-03-29, when work began again after a break longer than allowed ended the spell "
         "on 2020-03-20"),
    Case("milestones continuous sustainment reached after the window",
         lambda: _sustained(LATE_ROWS, "2021-09-01"), "not_earned", "200.00",
         "threshold of 4 weeks of continuous work reached on 2021-07-28, 14 days after the "
         "outcome window closed on 2021-07-14 (sustainment 1 of 3)"),
    Case("milestones benefit test with no measure given",
         lambda: mil.lines(mil.BENEFIT.replace("{measure}", "days"), *AMOUNTS_ONLY, mil.E1,
                           as_of="2020-06-01")[0],
         "not_earned", "1200.00",
         "employment E1 reached 12 weeks (84 days) on 2020-04-26 at 20 h/week, register-verified; "
         "benefit test cannot be measured: no whole calendar month of benefit data in the "
         "baseline period (left out, no days given: 2019-11, 2019-12, 2020-02, 2020-03)"),
    Case("benefit_reduction no benefit before or during",
         lambda: _zero_baseline("", "2020-07-14"), "payable", "2000.00",
         "no benefit before or during, counted as a full fall (zero_baseline: "
         "full_if_none_during) (baseline 2019-08..2019-12, comparison 2020-02..2020-06) (no "
         "benefit row for 2020-02, 2020-03, 2020-04, 2020-05, 2020-06: counted as 0)"),
    Case("benefit_reduction no benefit before or during so far",
         lambda: _zero_baseline("", "2020-03-01"), "pending", "2000.00",
         "no benefit before or during so far, up to 2020-07-14: the full amount is still "
         "possible while no benefit is paid (zero_baseline: full_if_none_during) (baseline "
         "2019-08..2019-12, comparison 2020-02..2020-06) (no benefit row for 2020-02: counted "
         "as 0)"),
    Case("benefit_reduction benefit during after none before",
         lambda: _zero_baseline(benefit_tests.benefit("c3", "2020-03-01", days="1"),
                                "2020-04-01"),
         "not_earned", "800.00",
         "no benefit in the baseline period (2019-08..2019-12): benefit rose from nothing, no "
         "fall, 1 in the comparison months (baseline 2019-08..2019-12, comparison "
         "2020-02..2020-06) (no benefit row for 2020-02: counted as 0)"),
    Case("monthly_fee running month needs two answered contacts",
         lambda: monthly.one(contract_from(monthly.TWO_NEEDED), "\n".join(
             [*monthly.start(), monthly.contact("k1", "2020-01-20", True)]),
             "2020-02-01").lines[0],
         "pending", "900.00",
         "service month 1 (2020-01-15..2020-02-14) runs to 2020-02-14: needs 2 answered "
         "contacts by 2020-02-14, so far 1 contact, 1 answered"),
    Case("monthly_fee month begun before the phase starts",
         lambda: monthly.one(contract_from(monthly.fee(
             "    phase: {from: 10 days, until: 3 months}\n")), "\n".join(monthly.start()),
             "2020-06-01").lines[0],
         "not_earned", "900.00",
         "service month 1 (2020-01-15..2020-02-14) not paid: only part of it served, served "
         "2020-01-25..2020-02-14 (21/31 days: the phase 2020-01-25..2020-04-14 starts on "
         "2020-01-25); the contract pays no part-month (proration: none)"),
    Case("event_fee event recorded ahead of its date",
         lambda: event_fee.lines(event_fee.STATEMENT, event_fee.START, STATEMENT_AHEAD,
                                 as_of="2020-03-01")[0],
         "pending", "180.00",
         "hours row h1 (activity=written_statement) is planned for 2020-03-10, after the "
         "evaluation date 2020-03-01"),
    Case("hourly_fee phase the service never reached",
         lambda: one(hourly.LATER_PHASE, ENDS_BEFORE_THE_PHASE, "2020-06-01").lines[0],
         "not_earned", "100.00",
         "hours h1 on 2020-02-01 (coaching): 2 h not paid, the date is outside the phase "
         "2020-02-15..2020-04-14 (service start + 1 month to + 3 months), which the service "
         "ending 2020-02-05 never reached"),
    Case("period_payments no calendar month ends by reach_by",
         lambda: _pp(pp.REFERRAL + "s1,c1,service_start,2025-01-10\n", "2025-02-01",
                     pp.contract("    reach_by: 2025-01-20\n")),
         "not_earned", "555.00",
         "0 of 3 months paid so far; no calendar month ends after the service start 2025-01-10 "
         "and by 2025-01-20 (the component's reach_by date)"),
    *(Case(f"benefit_reduction buyer's share of {what}, a row without the counter",
           lambda m=measure: _buyer_share(m), "payable", "2000.00",
           f"the buyer's share of {what} fell from {a} to {b}, 100 %, at least the full "
           "threshold of 100 % (baseline 2019-08..2019-12, comparison 2020-02..2020-06) (no "
           "benefit row for 2019-10, 2019-11, 2019-12, 2020-02, 2020-03, 2020-04, 2020-05, "
           f"2020-06: counted as 0; row(s) b2 give no {lacking}: counted as 0)")
      for measure, what, a, b, lacking in [
          ("days", "benefit days", "10", "0", "days or cumulative_days"),
          ("amount", "benefit paid", "300.00 €", "0.00 €", "amount, days or cumulative_days")]),
    Case("benefit_reduction baseline holding no whole calendar month",
         lambda: run(contract_from(ONE_MONTH_BASELINE), benefit_tests.START,
                     "2020-07-14").customers[0].lines[0],
         "not_earned", "0.00",
         "no benefit in the baseline period (2019-12-15..2020-01-14, which holds no whole "
         "calendar month), so there is no fall to measure (zero_baseline: no_fall)"),
    Case("employment_outcome hours a week too low on average over the spell",
         lambda: outcome_rules.lines(outcome_rules.AVERAGE, outcome_rules.job(
             "E1", "2020-02-01", "2020-06-30", hours="14.9"), as_of="2021-08-01")[0],
         "not_earned", "1000.00",
         "the spell 2020-02-01..2020-06-30 (E1) has 151 days, averaging 14.9 h/week in all, but "
         "no 12 weeks of it averaged 15 h/week or more by 2021-07-14, when the follow-up ends"),
    Case("milestones step on self-reported work, only the register's priced",
         lambda: outcome_rules.lines(
             outcome_rules.ONE_SPELL.replace("amount: 1000.00", "amount: {register: 1000.00}"),
             outcome_rules.job("E1", "2020-02-03", hours="38", employer="X",
                               evidence="self_report"), as_of="2020-04-01")[0],
         "pending", "1000.00",
         "employment E1 reached 6 weeks (42 days) on 2020-03-15 at 38 h/week, self-reported, "
         "one employer (X); the price table has no price for self-reported work (evidence "
         "'self_report'): needs confirmation by the register by 2021-07-14, when the "
         "follow-up ends"),
    Case("milestones steps_in_one_spell, another spell reaching the step",
         lambda: outcome_rules.lines(outcome_rules.ONE_SPELL, *_SPELLS, as_of="2021-08-01")[1],
         "not_earned", "1000.00",
         "only 119 of 182 days of qualifying work (15 h/week or more, open) by 2021-07-14, when "
         "the follow-up ends; every step is counted in the spell of the first step, the "
         "one from 2020-02-03 (E1) (steps_in_one_spell); the spell from 2020-04-10 (E2) "
         "reached 6 months on 2020-10-09, but it is another spell"),
    Case("milestones steps_in_one_spell, the spell over while the step is awaited",
         lambda: outcome_rules.lines(outcome_rules.ONE_SPELL, *_SPELLS, as_of="2020-07-31")[1],
         "pending", "1000.00",
         "needs 63 more days of qualifying work (15 h/week or more, open) by 2021-07-14, when "
         "the follow-up ends; 119 of 182 days so far in the spell from 2020-02-03; every step "
         "is counted in the spell of the first step, the one from 2020-02-03 (E1), "
         "which ended on 2020-05-31: only a correction of its rows could still reach this "
         "step (steps_in_one_spell)"),
    Case("milestones continuous sustainment in a spell beside the last step's",
         lambda: outcome_rules.lines(
             outcome_rules.BESIDE.replace("max_count: 2}", "max_count: 2, counting: continuous}"),
             *outcome_rules.BESIDE_ROWS, as_of="2021-08-01")[2],
         "payable", "100.00",
         "employment B reached 4 weeks (28 days) of continuous work since 2020-08-03 on "
         "2020-08-30 at 38 h/week, register-verified, one employer (Y) (sustainment 1 of 2); "
         "counted from 2020-08-03 in the spell from 2020-04-10 (B), after the spell from "
         "2020-02-03 ended on 2020-08-10"),
    Case("milestones continuous sustainment in a spell beside, reaching it first",
         lambda: outcome_rules.lines(
             outcome_rules.CONTINUOUS.replace("    sustainment",
                                              "    max_gap: 7 days\n    sustainment"),
             outcome_rules.job("X1", "2020-02-03", "2020-08-10", hours="38", employer="X"),
             outcome_rules.job("X2", "2020-08-16", hours="38", employer="X"),
             outcome_rules.job("B", "2020-08-01", "2020-09-30", hours="38", employer="Y"),
             as_of="2020-09-05")[2],
         "payable", "100.00",
         "employment B reached 4 weeks (28 days) of continuous work since 2020-08-03 on "
         "2020-08-30 at 38 h/week, register-verified, one employer (Y) (sustainment 1 of 2); "
         "counted from 2020-08-03 in the spell from 2020-08-01 (B), which reached it first"),
    Case("milestones continuous sustainment in a priced spell, one not priced reaching it first",
         lambda: outcome_rules.lines(
             outcome_rules.CONTINUOUS_AFTER,
             outcome_rules.job("E1", "2020-02-03", hours="38", employer="X",
                               evidence="self_report"),
             outcome_rules.job("Y1", "2020-03-05", hours="38", employer="Y"),
             as_of="2020-12-31")[1],
         "payable", "50.00",
         "employment Y1 reached 4 weeks (28 days) of continuous work since 2020-03-05 on "
         "2020-04-01 at 38 h/week, register-verified, one employer (Y) (sustainment 1 of 2); "
         "counted from 2020-03-05 in the spell from 2020-03-05 (Y1); the spell from 2020-02-03 "
         "(E1) reached it earlier, on 2020-03-29, but on evidence 'self_report', which the "
         "price table does not price"),
    Case("employment_outcome one employer, none named",
         lambda: outcome_rules.lines(outcome_rules.ONE_EMPLOYER, outcome_rules.job(
             "E1", "2020-02-01", fte="1.0"), as_of="2020-06-01", warned=("V008",))[0],
         "payable", "750.00",
         "employment E1 reached 90 days on 2020-04-30 at 1.00 FTE, register-verified, one "
         "employer (none named (job E1))"),
    Case("employment_outcome job started after the service ended, only days in service count",
         lambda: eo.lines(eo.ACTIVE.format(active="true"), eo.job("E1", "2020-07-01", fte="1.0"),
                          as_of="2020-10-01", extra=eo.SERVICE_END)[0],
         "not_earned", "750.00",
         "no qualifying work (open) by 2020-06-30, when the service ends (only days in service "
         "count); not counted: job E1 started on 2020-07-01, after the service ended on "
         "2020-06-30, and only days in service count"),
    Case("employment_condition weeks counted in part",
         lambda: _condition(HALF_WEEKS, condition.rows(condition.START_A, condition.job(
             "E1", "2020-01-20", hours=10)), "2020-03-01"),
         "pending", "3000.00",
         "3 of 4 weeks with at least 18 h of work (at least 9 h counts 0.5) (6 qualifying weeks, "
         "counted in part or at their kind weights) so far; needs 1 more by 2021-01-10, the last "
         "whole week of the reference period 2020-01-15..2021-01-14 (12 months from the service "
         "start); jobs E1, weakest evidence register"),
    Case("employment_condition months counted in part",
         lambda: _condition(HALF_MONTHS, condition.rows(condition.START_A, condition.job(
             "E1", "2020-02-01", hours=20, wage=800)), "2020-04-15"),
         "pending", "5000.00",
         "1 of 2 months with wages of at least 1200.00 € (at least 600.00 € counts 0.5) (2 "
         "qualifying months, counted in part or at their kind weights) so far; needs 1 more by "
         "2020-12-31, the last whole month of the reference period 2020-01-15..2021-01-14 (12 "
         "months from the service start); jobs E1, weakest evidence register"),
    Case("employment_condition reference period cut short of a whole week",
         lambda: _condition(condition.weeks(extra="    reach_by: 2020-01-18\n"),
                            condition.START_A, "2020-02-01"),
         "not_earned", "3000.00",
         "the reference period 2020-01-15..2020-01-18 (12 months from the service start, cut at "
         "2020-01-18: the component's reach_by date) holds no whole calendar week"),
    Case("survey_adjustment band with no amount in force on the survey's date, window open",
         lambda: survey.before_valid_from(DATED_BAND, "\n".join(SURVEYED_EARLY),
                                          "2020-03-01").lines[0],
         "pending", "400.00",
         "radar score 4.5 (survey q1 on 2019-12-20) reaches band 2 (score 4 or more), but the "
         "band has no amount in force for segment A on 2019-12-20; a later survey by "
         "2021-06-04 may still earn the bonus"),
    Case("survey_adjustment band with no amount in force on the survey's date, window closed",
         lambda: survey.before_valid_from(DATED_BAND, "\n".join(SURVEYED_EARLY),
                                          "2021-06-04").lines[0],
         "not_earned", "0.00",
         "radar score 4.5 (survey q1 on 2019-12-20) reaches band 2 (score 4 or more), but the "
         "band has no amount in force for segment A on 2019-12-20"),
    Case("invoice correction for a segment the referral's attributes moved",
         _segment_moved, "payable", "50.00",
         "100.00 invoiced on test-acme-0001 line 2; now 150.00: service start s3 on 2020-01-25, "
         "inside the contract window; segment now B (was A): at referral 2020-01-20: "
         "unemployment_months=15"),
    Case("invoice correction for a segment whose rules ask nothing",
         lambda: _segment_moved(FIRST_MATCH, NO_LONGER_GIVEN), "payable", "50.00",
         "100.00 invoiced on test-acme-0001 line 2; now 150.00: service start s3 on 2020-01-25, "
         "inside the contract window; segment now B (was A): at referral 2020-01-20: the rules "
         "of B ask nothing"),
    Case("contract ceiling cut, as the invoice shows it",
         _ceiling_cut, "payable", "0.00",
         "service start s2 on 2020-02-10, inside the contract window (cut by 100.00 to 0.00: "
         "contract ceiling of 100.00 reached)"),
    # --- made by the set-ups of the kinds' own tests ---
    Case("benefit_reduction rows giving no amount count as 0",
         lambda: one(contract_from(br.AMOUNT), br.AMOUNT_ROWS, "2020-07-01").lines[0],
         "payable", "1000.00",
         "benefit paid fell from 4200.00 € to 2100.00 €, 50 %, at least the partial threshold of "
         "50 % (baseline 2019-07..2019-12, comparison 2020-01..2020-06) (no benefit row for "
         "2020-05, 2020-06: counted as 0; row(s) x1 give no amount: counted as 0)"),
    Case("benefit_reduction benefit rose",
         lambda: one(contract_from(br.DAYS), br.rows(br.start("2020-01-01"), br.BASELINE,
                                                     br.months("c", (2020, 1), ["31"] * 6)),
                     "2020-07-01").lines[0],
         "not_earned", "800.00",
         "benefit days rose from 180 to 186, below the partial threshold of 50 % (baseline "
         "2019-07..2019-12, comparison 2020-01..2020-06)"),
    Case("capacity_fee running first month of a capacity that starts mid-month",
         lambda: run(capacity.CAPACITY, "", "2020-03-30").contract_lines[0],
         "pending", "1700.00",
         "capacity for 2020-03, 17/31 days (2020-03-15..2020-03-31) of 3100.00 as the capacity "
         "runs 2020-03-15..2020-06-14: running month, payable after 2020-03-31"),
    Case("employment_outcome hours a week below the FTE needed",
         lambda: eo.lines(eo.FTE80, eo.job("E1", "2020-02-01", hours="29.9"),
                          as_of="2021-08-01")[0],
         "not_earned", "750.00",
         "no qualifying work (0.80 FTE or more, open) by 2021-07-14, when the follow-up ends; "
         "not counted: job E1 at 29.9 h/week (0.7973 FTE) is below 0.80 FTE"),
    Case("employment_outcome job ended before the service started",
         lambda: eo.lines(eo.FTE80, eo.job("E1", "2019-10-01", "2020-01-10", fte="1.0"),
                          as_of="2020-02-01")[0],
         "pending", "750.00",
         "needs 90 days of qualifying work (0.80 FTE or more, open) by 2021-07-14, when the "
         "follow-up ends; not counted: job E1 ended on 2020-01-10, before the service started on "
         "2020-01-15"),
    Case("employment_outcome threshold reached after reach_by",
         lambda: eo.lines(eo.FTE80 + "    reach_by: 2020-04-29\n",
                          eo.job("E1", "2020-02-01", fte="1.0"), as_of="2020-06-01")[0],
         "not_earned", "750.00",
         "threshold of 90 days reached on 2020-04-30, one day after the component's reach_by "
         "date, 2020-04-29"),
    Case("employment_outcome threshold reached after the window and its grace",
         lambda: eo.lines(eo.FTE80, eo.job("E1", "2021-05-20", fte="1.0"), as_of="2021-09-01",
                          head=eo.GRACE_HEAD)[0],
         "not_earned", "750.00",
         "threshold of 90 days reached on 2021-08-17, 3 days after the outcome window, with 1 "
         "month grace, closed on 2021-08-14"),
    Case("employment_outcome spell beyond max_times",
         lambda: eo.lines(eo.TWICE.format(counting="continuous", times=2),
                          *eo.THREE_SPELLS, as_of="2020-10-01")[2],
         "not_earned", "0.00",
         "employment E3 reached 30 days on 2020-08-30 at 1.00 FTE, register-verified; but the "
         "fee is paid at most 2 times"),
    Case("employment_outcome evidence with no price, nor a stronger one",
         lambda: eo.lines(eo.EMPLOYER_AND_SELF_REPORT_PRICED,
                          eo.job("E1", "2020-02-01", fte="1", evidence="te_office"),
                          as_of="2020-06-01")[0],
         "not_earned", "0.00",
         "employment E1 reached 90 days on 2020-04-30 at 1.00 FTE, TE-office-verified; but the "
         "price table has no price for TE-office-verified work (evidence 'te_office'), nor for "
         "any stronger evidence"),
    Case("hourly_fee hours recorded ahead, partly over the max",
         lambda: one(hourly.PHASED, hourly.AHEAD_ROWS, "2020-02-10").lines[1],
         "pending", "120.00",
         "hours h2 on 2020-02-20 (coaching): 2 h of 4 h paid at 60.00/h, the hours left before "
         "the max of 10 hours; 2 h over it not paid, scheduled after 2020-02-10"),
    Case("hourly_fee hours waiting for the service start",
         lambda: one(hourly.PHASED, hourly.NOT_STARTED_ROWS, "2020-01-13").lines[0],
         "pending", "120.00",
         "hours h1 on 2020-01-12: 2 h at 60.00/h: waiting for the service start: no service "
         "start recorded yet"),
    Case("milestones sustainment waits for its step",
         lambda: mil.lines(mil.SUSTAIN_WAITS, *mil.SUSTAIN_WAITS_ROWS, mil.E1,
                           as_of="2020-04-29")[1],
         "pending", "300.00",
         "employment E1 reached 12 weeks (84 days) plus 1 x 2 days (86 days) on 2020-04-28 at 20 "
         "h/week, register-verified (sustainment 1 of 2); payable once the 12 weeks step is paid"),
    Case("milestones sustainment over two jobs",
         lambda: mil.lines(mil.HALF_TIME_LADDER, *mil.HALF_TIME_JOBS, as_of="2020-09-30")[3],
         "payable", "300.00",
         "employment E1 and E2 reached 26 weeks (182 days) plus 1 x 4 weeks (210 days) on "
         "2020-08-11 at 1.00 FTE, register-verified (sustainment 1 of 2)"),
    Case("monthly_fee fewer answered contacts than needed",
         lambda: monthly.one(contract_from(monthly.TWO_NEEDED), monthly.TWO_NEEDED_ROWS,
                             "2020-03-14").lines[1],
         "not_earned", "900.00",
         "only 1 answered contact (2 needed) in service month 2 (2020-02-15..2020-03-14): 2 "
         "contacts, 1 answered"),
    Case("reimbursed_expenses expense dated after the evaluation date",
         lambda: one(expenses.BUDGET, expenses.AHEAD_ROWS, "2020-03-10").lines[0],
         "pending", "100.00",
         "expense x3 on 2020-03-20 (training): 100.00 repaid, 1400.00 of the budget of 1500.00 "
         "left, dated after 2020-03-10"),
    # the two below were reached by a generated cohort until the generator drew months as
    # calendar months: its draws moved, and no customer of it had either any more
    Case("employment_condition not met yet, on evidence the contract does not price",
         lambda: _condition(condition.weeks(required=4), SELF_REPORTED_WEEKS, "2020-02-05"),
         "pending", "0.00",
         "2 of 4 weeks with at least 18 h of work so far; needs 2 more by 2021-01-10, the last "
         "whole week of the reference period 2020-01-15..2021-01-14 (12 months from the service "
         "start); jobs e1, weakest evidence self_report (the contract has no price for "
         "evidence level self_report)"),
    Case("employment_outcome with the job voided",
         lambda: eo.lines(eo.FTE80, eo.job("E1", "2020-02-01", fte="1"),
                          eo.job("E1", "2020-02-01", fte="1", recorded="2020-06-01",
                                 void="true"), as_of="2020-06-15")[0],
         "pending", "750.00",
         "needs 90 days of qualifying work (0.80 FTE or more, open) by 2021-07-14, when the "
         "follow-up ends; not counted: employment E1 was voided (recorded 2020-06-01)"),
    Case("employment_condition met on unpriced evidence, no confirmation by the deadline",
         lambda: _condition(condition.weeks(required=1), SELF_REPORTED_WEEKS, "2021-07-14"),
         "not_earned", "0.00",
         "employment condition met on 2020-01-26: 1 of 1 weeks with at least 18 h of work, "
         "counted from the week starting 2020-01-20, in the reference period "
         "2020-01-15..2021-01-14 (12 months from the service start); jobs e1, weakest evidence "
         "self_report; but the contract has no price for evidence level self_report in segment "
         "A, and no confirmation by the employer or register was recorded by 2021-07-14, when "
         "the follow-up ends"),
    Case("work_history extra days on evidence the contract does not price",
         lambda: one(contract_from(history.contract(1)), SELF_REPORTED_WORK,
                     "2020-07-15").lines[0],
         "not_earned", "0.00",
         "29 days in work or education during 2020-01-15..2020-07-14 vs 0 before "
         "(2019-07-17..2020-01-14): 29 extra days; the contract has no price for evidence level "
         "self_report"),
    Case("work_history extra days so far on evidence the contract does not price",
         lambda: one(contract_from(history.contract(1)), SELF_REPORTED_WORK,
                     "2020-04-15").lines[0],
         "pending", "0.00",
         "29 days in work or education so far during 2020-01-15..2020-07-14 vs 0 before "
         "(2019-07-17..2020-01-14); 29 extra days secured so far at 0.00 € per extra day; more "
         "days count until 2020-07-14; the contract has no price for evidence level "
         "self_report"),
    # --- no price in force on the evaluation date (each component of NOT_YET_PRICED) ---
    *(Case(f"{component} with no price in force yet", lambda c=component: _not_yet_priced()[c],
           "not_earned", amount, reason)
      for component, amount, reason in [
          ("start", "0.00", "no price for segment A"),
          ("job90", "0.00", "no price for segment A"),
          ("benefit", "0.00", "no price for segment A"),
          ("earn", "0.00", "no price for segment A"),
          ("history", "0.00", "no price for segment A"),
          ("condition", "0.00", "no price for segment A"),
          ("pp", "0.00", "no price for segment A"),
          ("hours", "0.00", "no hourly rate for segment A"),
          ("monthly", "0.00", "no monthly amount for segment A"),
          ("budget", "40.00", "no budget for segment A")]),
    *OUTCOME_RULES_LATER,
    *REVIEW_PERIOD,
    *REACH_WITHIN,
    *TOP_UP,
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_case_makes_its_reason(case: Case) -> None:
    line = case.line()
    assert (line.status, line.amount, line.reason) == (
        case.status, Decimal(case.amount), case.reason)


@pytest.mark.parametrize("lang", ["fi", "sv"])
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_case_reason_translates(case: Case, lang: str) -> None:
    said = {"not_earned": "not earned: {}", "pending": "not payable yet: {}"}
    shown = [case.reason, said.get(case.status, "{}").format(case.reason)]
    assert _untranslated(shown, lang) == {}
    labels = Labels(lang)
    assert [_english_left(r, labels.reason(r)) for r in shown] == [None, None]


# --- every reason a kind writes is reached, so the tests above put it in both languages -------

SOURCES = [*sorted((ROOT / "rewardengine" / "kinds").glob("*.py")),
           *(ROOT / "rewardengine" / "evaluate" / f for f in ("context.py", "caps.py",
                                                                 "alternatives.py", "lines.py")),
           ROOT / "rewardengine" / "scale" / "ceiling.py"]
# f-strings there that are no reason: a component's rules and trace steps, contract checks,
# occurrence keys (each made in functions or calls of these names)
_NOT_IN_FUNCTIONS = {"_rules", "rules_text", "track_steps", "unit_steps", "_steps", "steps",
                     "price_tables", "checks", "thresholds", "share_checks", "register",
                     "unbounded"}
_NOT_IN_CALLS = {"err", "warn", "Trace", "Step", "ValueError", "TypeError",
                 "import_module"}
_NOT_IN_NAMES = {"rules", "key", "occurrence"}


def reason_sites() -> Iterator[tuple[str, str]]:
    """(file, text) of each f-string of ``SOURCES`` that may be (part of) a reason, its
    values written ``{}``."""
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        parents = {c: n for n in ast.walk(tree) for c in ast.iter_child_nodes(n)}
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr) and not isinstance(
                    parents.get(node), (ast.JoinedStr, ast.FormattedValue)) \
                    and not _not_a_reason(node, parents):
                text = "".join(v.value if isinstance(v, ast.Constant) else "{}"
                               for v in node.values)
                yield path.relative_to(ROOT / "rewardengine").as_posix(), text


def _not_a_reason(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    child = node
    while child in parents:
        up = parents[child]
        if isinstance(up, ast.Raise) or (isinstance(up, ast.FunctionDef)
                                         and up.name in _NOT_IN_FUNCTIONS):
            return True
        if isinstance(up, ast.Call):
            fn = up.func
            name = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", "")
            if name in _NOT_IN_CALLS or (name == "append" and isinstance(fn, ast.Attribute)
                                         and getattr(fn.value, "id", "") in _NOT_IN_NAMES):
                return True
        if isinstance(up, ast.keyword) and up.arg in _NOT_IN_NAMES:
            return True
        if isinstance(up, ast.Assign) and any(getattr(t, "id", "") in _NOT_IN_NAMES
                                              for t in up.targets):
            return True
        if isinstance(up, ast.Subscript) and child is up.slice:
            return True
        child = up
    return False


def _pattern(text: str) -> re.Pattern[str]:
    # a value may be empty (a plural's "s", a note that is not there)
    return re.compile(".*?".join(re.escape(p) for p in text.split("{}")), re.S)


# Texts above that are no part of a line's reason: what the explanation says of a customer's
# segment, provider and service, and the occurrence keys of a line
NOT_REASONS = {
    "evaluate/context.py: referral {} gives no segment",
    "evaluate/context.py: referral {} names segment '{}', not one of {}",
    "evaluate/context.py: referral {} ({}) matches no segment{}",
    "evaluate/context.py: : it gives no {}, which the segments' rules read",
    "evaluate/context.py: referral {} matches segments {}",
    "evaluate/context.py: segment given on referral {}",
    "evaluate/context.py: named on referral {}",
    "evaluate/context.py: named on service start {}",
    "evaluate/context.py: provider '{}' is not in the contract",
    "evaluate/context.py: service {}..{}: started ({}), ended {} ({}{})",
    "evaluate/context.py: , cut at the maximum length of {}",
    "evaluate/context.py: service from {} ({}); ",
    "evaluate/context.py: ran its maximum {} to {}",
    "evaluate/context.py: ongoing, at most until {}",
    "evaluate/context.py: referral {} on {} is ignored: the first referral ({} on {}) decides "
    "the segment",
    "evaluate/context.py: service start {} on {} is ignored: the service runs from the first "
    "({} on {})",
    "evaluate/context.py: it is before the service start on {}",
    "evaluate/context.py: the service already ended on {}",
    "evaluate/context.py: service end {} on {} is ignored: {}",
    "kinds/earnings_common.py: {}-W{}",
    "kinds/earnings_milestones.py: step:{}",
    "kinds/milestones.py: step:{}",
    "kinds/event_fee.py: {}:outside",
    "kinds/hourly_fee.py: {}:outside",
    "kinds/hourly_fee.py: {}:over",
    "kinds/reimbursed_expenses.py: {}:outside",
    "kinds/reimbursed_expenses.py: {}:over",
    # a start window as a contract's problems write it, and a problem's own words
    "kinds/employment_common.py: the service and {} after it",
    "kinds/employment_common.py:  (a mapping: write {{}: 3 months})",
    "kinds/employment_common.py:  (did you mean {}?)",
    "kinds/employment_condition.py:  ({} at the highest weight)",
    # a trace step's verdict on a unit (unit_steps), no line's reason
    "kinds/period_payments.py: qualifies, beyond the maximum of {}: not paid",
    # a unit with no earnings threshold in force cannot qualify, so only the trace's unit
    # steps show it (a paid unit's line names its threshold)
    "kinds/earnings_common.py: earnings {} {}, but no earnings threshold is in force on {}",
    # the component's rules name the buyer's share (a line says "the buyer's share of ...")
    "kinds/benefit_reduction.py: buyer's share of the {} ({})",
    "kinds/benefit_common.py: {} % after {} days",
    # the key that keeps apart jobs naming no employer (one_employer), never shown
    "kinds/employment_common.py: \0{}",
}
# Reasons no example, cohort or case reaches yet: each wants a case above (and its frames)
STILL_UNREACHED = {
    # a job in the counting window, of a counted kind, at or above every minimum and yet in no
    # counted spell: no set-up found that makes one (the catalogues word it already)
    'kinds/employment_common.py: job {} has no qualifying day',
}


# Who writes the text of a source's frames: a kind's module, its own kind; a module the kinds
# share, the kinds that import it (directly or through another); the caps and the contract
# ceiling, the cap notes; the rest of evaluate/ (a customer's service and segment, a fee
# cut by an alternative, a wait joined to a reason), any kind's line.
CAP_NOTE = "cap note"
_CAP_SOURCES = {"evaluate/caps.py", "scale/ceiling.py"}


def _kind_imports() -> dict[str, set[str]]:
    """kinds module -> the kinds modules it imports itself (``from .x import ...``)."""
    folder = ROOT / "rewardengine" / "kinds"
    return {path.stem: {node.module for node in ast.walk(ast.parse(path.read_text(
                encoding="utf-8"))) if isinstance(node, ast.ImportFrom) and node.level == 1
                        and node.module is not None}
            for path in folder.glob("*.py")}


@cache
def writers() -> dict[str, frozenset[str]]:
    """source (as ``reason_sites`` names it) -> who may write a reason its frames reach."""
    imports = _kind_imports()
    out: dict[str, frozenset[str]] = {}
    for source in {path for path, _ in reason_sites()}:
        folder, module = source.removesuffix(".py").split("/")
        if source in _CAP_SOURCES:
            out[source] = frozenset({CAP_NOTE})
        elif folder != "kinds":
            out[source] = frozenset(KINDS.names)
        else:
            out[source] = frozenset(k for k in KINDS.names if module in _imported(k, imports))
    return out


def _imported(module: str, imports: dict[str, set[str]]) -> set[str]:
    """``module`` and every kinds module it imports, directly or through another."""
    seen, todo = {module}, [module]
    while todo:
        for found in imports.get(todo.pop(), set()) - seen:
            seen.add(found)
            todo.append(found)
    return seen


Written = tuple[frozenset[str], str]  # (who wrote it, the reason or cap note)


def _written(name: str, invoices: list[Invoice]) -> list[Written]:
    """The reasons of an example's invoices, each with its component's kind, and the lines'
    cap notes."""
    loaded, _ = load_contract(str(ROOT / "contracts" / f"{name}.yaml"))
    assert loaded is not None
    kinds = {c.id: c.kind for c in loaded.contract.components}
    out: list[Written] = []
    for inv in invoices:
        for s in inv.sections:
            out += [(frozenset({kinds[x.component]}), x.reason)
                    for x in (*s.lines, *s.corrections, *s.pending, *s.uncorrected)]
            out += [(frozenset({CAP_NOTE}), x.cap) for x in s.lines if x.cap]
    return out


def _case_written(case: Case) -> Written:
    line = case.line()
    # a case may show a line as the invoice does, its cap note after the reason
    return (frozenset({line.kind, *([CAP_NOTE] if line.cap else [])}), case.reason)


@pytest.fixture(scope="module")
def reached(tmp_path_factory: pytest.TempPathFactory) -> list[Written]:
    """Every reason and cap note the examples, the cohorts and the cases above write, each
    with the kind (or cap note) that wrote it."""
    folder = tmp_path_factory.mktemp("reach")
    invoiced = [w for name in EXAMPLES
                for w in _written(name, _invoices(name, folder / f"{name}.sqlite"))]
    shown = [(frozenset({kind}), r) for rs in _verify_lines(folder).values() for kind, r in rs]
    return [*invoiced, *shown, *(_case_written(c) for c in CASES)]


@cache
def _in_both_languages(reason: str) -> bool:
    return all(Labels(lang).untranslated(reason) == [] for lang in ("fi", "sv"))


def _reached_by(site: str, written: list[Written]) -> bool:
    source, text = site.split(": ", 1)
    pattern, allowed = _pattern(text), writers()[source]
    return any(who & allowed and pattern.search(r) for who, r in written)


def test_every_reason_a_kind_writes_is_reached(reached: list[Written]) -> None:
    """A kind that writes a new reason fails here until a case above makes it (and so the
    catalogues have it in Finnish and Swedish); a text reached at last leaves the list. A
    frame is reached only by a reason its own kind wrote (a cap note, for the caps and the
    ceiling), wholly in Finnish and Swedish: a short frame matched in another kind's reason,
    or a reason left partly in English, does not count."""
    sites = {f"{path}: {text}" for path, text in reason_sites()}
    whole = [w for w in reached if _in_both_languages(w[1])]
    unreached = {s for s in sites - NOT_REASONS if not _reached_by(s, whole)}
    english = sorted(s for s in unreached - STILL_UNREACHED if _reached_by(s, reached))
    assert english == [], "reached only by reasons left partly in English"
    assert sorted(unreached - STILL_UNREACHED) == [], \
        "no case in tests/test_reason_reach.py makes these reasons"
    assert sorted(STILL_UNREACHED - unreached) == [], "reached or gone: take off the list"
    assert sorted(NOT_REASONS - sites) == [], "gone: take off the list"


def test_each_source_has_its_writers() -> None:
    """The guard's map of who writes what: a kind's module its kind, a shared module the
    kinds importing it, the caps and ceiling the cap notes (none left without a writer)."""
    got = writers()
    assert got["kinds/survey_adjustment.py"] == {"survey_adjustment"}
    assert got["kinds/employment_common.py"] == {"employment_outcome", "milestones",
                                                 "employment_condition"}
    assert got["kinds/earnings_common.py"] == {"earnings_milestones", "period_payments"}
    assert got["evaluate/caps.py"] == got["scale/ceiling.py"] == {CAP_NOTE}
    assert got["evaluate/context.py"] == set(KINDS.names)
    assert [s for s, who in got.items() if not who] == []


def test_both_catalogues_hold_the_same_frames() -> None:
    """Frames are read from the Finnish catalogue and looked up in the Swedish one: an entry
    in one only leaves the other language's reason in English."""
    placeholder = re.compile(r"\{[a-z_0-9]+\}")
    fi, sv = catalogue("fi"), catalogue("sv")
    assert sorted(set(fi) ^ set(sv)) == []
    for lang, words in (("fi", fi), ("sv", sv)):
        odd = [m for m, t in words.items()
               if not t.strip() or sorted(placeholder.findall(m)) != sorted(
                   placeholder.findall(t))]
        assert odd == [], lang
