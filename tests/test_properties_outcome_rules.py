"""More work never pays less under the outcome rules programmes publish: a job that must
start inside a window, its length as agreed at the start, one employer, hours on average,
extent bands, prices by employment kind with a top-up, continuous sustainment, and a job on
evidence the price table does not price (hypothesis).

The jobs are register-verified (but the self-reported one the last property adds, a spell
of its own): an outcome's evidence is the weakest of the days it rests
on, so a self-reported job joined at the front of a spell lowers its price; that is a rule of
evidence, not of these rules, and is kept out of what is tested here."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from conftest import contract_from, events_from
from hypothesis import example, given
from hypothesis import strategies as st

from rewardengine.contract.load import LoadedContract
from rewardengine.engine import evaluate

RULES = """
components:
  - id: graded
    kind: employment_outcome
    work:
      min_fte: 0.5
      kinds: {open: 1, subsidised: 1}
      starts_within: service_and_follow_up
      min_agreed_length: 30 days
      one_employer: true
    min_duration: 60 days
    max_gap: 7 days
    bands:
      - {id: part, min_fte: 0.5, max_fte: 0.8, amount: {open: 300.00, subsidised: 100.00}}
      - {id: full, min_fte: 0.8, amount: {open: 700.00, subsidised: 200.00}}
    top_up: true
  - id: average
    kind: employment_outcome
    work: {average_hours_per_week: 15, kinds: {open: 1, subsidised: 1}}
    min_duration: 8 weeks
    amount: 500.00
  - id: ladder
    kind: milestones
    work: {min_hours_per_week: 15, one_employer: true, starts_within: service}
    max_gap: 7 days
    steps:
      - {after: 4 weeks, amount: 100.00}
      - {after: 12 weeks, amount: 300.00}
    sustainment: {every: 4 weeks, amount: 50.00, max_count: 4, counting: continuous}
"""
HEADER = ("event_id,customer_id,type,date,end,provider,unemployed_since,kind,evidence,fte,"
          "hours_per_week,employer\n")
AS_OF = date(2021, 9, 30)
START = date(2020, 3, 2)
LOADED = contract_from(RULES)


@st.composite
def jobs(draw: st.DrawFn) -> list[list[str]]:
    out = []
    for j in range(draw(st.integers(1, 4))):
        d = START + timedelta(days=draw(st.integers(-20, 400)))
        length = draw(st.one_of(st.none(), st.integers(0, 200)))
        end = "" if length is None else str(d + timedelta(days=length))
        kind = draw(st.sampled_from(["open", "subsidised"]))
        fte, hours = draw(st.sampled_from([("0.4", ""), ("0.5", ""), ("0.79", ""), ("0.8", ""),
                                           ("1.0", ""), ("", "14.9"), ("", "15"), ("", "30")]))
        employer = draw(st.sampled_from(["X", "Y", ""]))
        out.append([f"e{j}", "c1", "employment", str(d), end, "", "", kind, "register", fte,
                    hours, employer])
    return out


def _payable(rows: list[list[str]], loaded: LoadedContract = LOADED) -> object:
    head = ["r1,c1,referral,2020-02-24,,acme,2019-06-01,,,,,",
            f"s1,c1,service_start,{START},,,,,,,,"]
    text = "\n".join(head + [",".join(r) for r in rows])
    ev = evaluate(loaded, events_from(text, header=HEADER).events, AS_OF)
    return ev.totals.payable


@given(jobs(), st.integers(0, 3), st.integers(1, 200))
# a job of X before the window extended to run into X's job that starts the service: the
# later job still counts from its own first day (it was moved out of the window)
@example([["e0", "c1", "employment", "2020-02-29", "2020-02-29", "", "", "open", "register",
           "0.4", "", "X"],
          ["e1", "c1", "employment", "2020-03-02", "", "", "", "open", "register", "0.4", "",
           "X"]], 0, 1)
def test_extending_a_job_never_lowers_payable(rows: list[list[str]], which: int,
                                              extra_days: int) -> None:
    i = which % len(rows)
    if not rows[i][4]:
        return  # ongoing already: as long as it can be
    longer = [r[:] for r in rows]
    longer[i][4] = str(date.fromisoformat(rows[i][4]) + timedelta(days=extra_days))
    assert _payable(longer) >= _payable(rows)  # type: ignore[operator]


@given(jobs(), jobs())
def test_adding_a_job_never_lowers_payable(rows: list[list[str]],
                                           more: list[list[str]]) -> None:
    added = [[f"n{r[0]}", *r[1:]] for r in more[:1]]
    assert _payable(rows + added) >= _payable(rows)  # type: ignore[operator]


PRICED = contract_from("""
components:
  - id: ladder
    kind: milestones
    work: {min_hours_per_week: 15, one_employer: true}
    max_gap: 7 days
    steps:
      - {after: 4 weeks, amount: {register: 100.00, employer: 80.00}}
      - {after: 12 weeks, amount: {register: 300.00}}
    sustainment: {every: 4 weeks, amount: {register: 50.00}, max_count: 4, counting: continuous}
""")


@given(jobs(), st.integers(-20, 400), st.one_of(st.none(), st.integers(0, 300)))
def test_a_job_on_evidence_not_priced_never_lowers_payable(
        rows: list[list[str]], start: int, length: int | None) -> None:
    """Milestones priced by evidence, self-reported work priced nothing: a self-reported job
    with an employer of its own (a spell of its own) never keeps another spell's step or
    sustainment payment from being paid. (A job on evidence priced lower that reaches a step
    first is paid, at its price, as employment_outcome pays its first outcome; and with
    cumulative sustainment a day of it joins the count, as any day does.)"""
    day = START + timedelta(days=start)
    end = "" if length is None else str(day + timedelta(days=length))
    reported = ["z1", "c1", "employment", str(day), end, "", "", "open", "self_report", "",
                "30", "Z"]
    assert _payable([*rows, reported], PRICED) >= _payable(rows, PRICED)  # type: ignore[operator]


def _job(jid: str, end: str, employer: str) -> list[str]:
    return [jid, "c1", "employment", str(START), end, "", "", "open", "register", "0.4", "",
            employer]


def test_of_two_employers_reaching_a_step_on_one_day_the_one_running_on_is_followed() -> None:
    """Found by the property above: employer X's jobs and employer Y's both reach the
    12-week step on 2020-05-24; X's end that day, Y's run on. Sustainment follows Y."""
    ys = [_job("e1", "", "Y"), _job("e2", "", "Y")]
    alone = _payable([_job("e0", "2020-03-02", "X"), *ys])
    assert alone == _payable([_job("e0", "2020-03-02", "X"), *ys,
                              _job("ne0", "2020-05-24", "X")]) == Decimal("1800.00")
