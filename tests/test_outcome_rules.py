"""The outcome rules programmes publish (employment_outcome and milestones): a job that must
start inside a window, its length as agreed at the start, one employer, hours on average,
extent bands, prices by employment kind, top-ups, continuous sustainment — each at its
boundaries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from conftest import CONTRACT_HEAD, contract_from, events_from

from rewardengine.engine import CustomerResult, evaluate
from rewardengine.errors import Problem
from rewardengine.evaluate.lines import Line
from rewardengine.explanation import explain
from rewardengine.pipeline import load_contract_text

HEADER = ("event_id,customer_id,type,date,recorded,end,provider,unemployed_since,kind,evidence,"
          "fte,hours_per_week,employer\n")
# referral on 2020-01-10 (segment A), service 2020-01-15..2021-01-14, follow-up to 2021-07-14
START = ("r1,c1,referral,2020-01-10,,,acme,2019-06-01,,,,,\n"
         "s1,c1,service_start,2020-01-15,,,,,,,,,\n")
D = date.fromisoformat


def job(eid: str, start: str, end: str = "", *, fte: str = "", hours: str = "",
        kind: str = "open", evidence: str = "register", employer: str = "",
        recorded: str = "") -> str:
    return (f"{eid},c1,employment,{start},{recorded},{end},,,{kind},{evidence},{fte},{hours},"
            f"{employer}")


def result(contract: str, *rows: str, as_of: str, extra: str = "",
           warned: tuple[str, ...] = ()) -> CustomerResult:
    """The customer's result; ``warned``: the codes of the problems the rows should give
    (none by default)."""
    loaded = contract_from(contract)
    events = events_from(START + extra + "\n".join(rows), header=HEADER).events
    ev = evaluate(loaded, events, D(as_of))
    assert [p.code for p in ev.problems] == list(warned), [str(p) for p in ev.problems]
    return ev.customers[0]


def lines(contract: str, *rows: str, as_of: str, extra: str = "",
          warned: tuple[str, ...] = ()) -> list[Line]:
    return result(contract, *rows, as_of=as_of, extra=extra, warned=warned).lines


def facts(ln: Line) -> tuple[str, str, date | None, Decimal]:
    return (ln.status, ln.occurrence, ln.date, ln.amount)


def kept_out(got: list[Line], start: str, outside: str) -> None:
    """The one line of a customer whose job E1, started on ``start``, lies ``outside`` the
    start window (its words and days): the outcome lost at the follow-up's end."""
    assert facts(got[0]) == ("not_earned", "next", D("2021-07-14"), Decimal("750.00"))
    assert (f"not counted: job E1 started on {start}, outside {outside}, and only jobs "
            "started inside it count") in got[0].reason


def problems(contract: str) -> list[Problem]:
    _, found = load_contract_text(CONTRACT_HEAD + contract, "contract.yaml")
    return [p for p in found if p.severity == "error"]


# --- a job that must start inside a window -------------------------------------------------

STARTS = """
components:
  - id: placement
    kind: employment_outcome
    work: {min_fte: 0.8, starts_within: service}
    min_duration: 90 days
    amount: 750.00
"""


@pytest.mark.parametrize(("start", "counts"), [
    ("2020-01-14", False),  # the day before the service starts
    ("2020-01-15", True),  # the service's first day
    ("2021-01-14", True),  # its last day: the days after it count too
    ("2021-01-15", False),  # the day after it ended
])
def test_a_job_must_start_inside_the_service(start: str, counts: bool) -> None:
    got = lines(STARTS, job("E1", start, fte="1.0"), as_of="2021-08-01")
    assert len(got) == 1
    if counts:
        assert got[0].status == "payable"
        assert got[0].amount == Decimal("750.00")
    else:
        kept_out(got, start, "the service (2020-01-15..2021-01-14)")


def test_a_job_from_the_last_day_of_service_counts_in_the_follow_up() -> None:
    got = lines(STARTS, job("E1", "2021-01-14", fte="1.0"), as_of="2021-08-01")
    # 90 days from 2021-01-14: 18 of January, 28 of February, 31 of March, 13 of April
    assert facts(got[0]) == ("payable", "spell:E1", D("2021-04-13"), Decimal("750.00"))


def test_an_early_service_end_closes_the_window_for_starts() -> None:
    end = "x1,c1,service_end,2020-03-31,,,,,,,,,\n"
    inside = lines(STARTS, job("E1", "2020-03-31", fte="1.0"), as_of="2021-08-01", extra=end)
    after = lines(STARTS, job("E1", "2020-04-01", fte="1.0"), as_of="2021-08-01", extra=end)
    assert inside[0].status == "payable"
    assert after[0].status == "not_earned"


def test_a_job_started_before_the_service_does_not_count_even_in_part() -> None:
    # without starts_within its days from the service start count; with it, none does
    plain = STARTS.replace(", starts_within: service", "")
    assert lines(plain, job("E1", "2020-01-01", fte="1.0"), as_of="2021-08-01")[0].status \
        == "payable"
    assert lines(STARTS, job("E1", "2020-01-01", fte="1.0"), as_of="2021-08-01")[0].status \
        == "not_earned"


def test_starts_within_wider_than_the_counting_window_is_an_error() -> None:
    text = STARTS.replace("starts_within: service}", "starts_within: service_and_follow_up}"
                          ).replace("min_duration:", "window: service\n    min_duration:")
    (p,) = problems(text)
    assert p.code == "C218"
    assert p.message == ("work.starts_within: service_and_follow_up is wider than where days "
                         "count (service): a job started in the follow-up would count no day")


@pytest.mark.parametrize("earlier_end", ["2020-02-28", "2020-02-29"])
def test_a_job_begun_before_the_window_never_moves_a_later_one_out_of_it(
        earlier_end: str) -> None:
    """E1 (employer X) from 2020-03-01 counts from its own first day whether or not E0, X's
    job begun before the service, ran into it: a longer E0 must never pay less (more work
    never pays less; exclude_earlier_employer is the rule that keeps such a job out)."""
    got = lines(STARTS, job("E0", "2019-10-01", earlier_end, fte="1.0", employer="X"),
                job("E1", "2020-03-01", fte="1.0", employer="X"), as_of="2021-08-01")
    assert [(ln.status, ln.occurrence) for ln in got] == [("payable", "spell:E1")]


def test_a_contract_renewed_as_a_new_row_after_the_window_counts_with_it() -> None:
    """The service ended on 2020-03-31: E2, the same employer's contract from the next day,
    belongs to the employment taken up in it, so its days count (E1 alone has 60)."""
    end = "x1,c1,service_end,2020-03-31,,,,,,,,,\n"
    rows = (job("E1", "2020-03-02", "2020-04-30", fte="1.0", employer="X"),
            job("E2", "2020-05-01", fte="1.0", employer="X"))
    got = lines(STARTS, *rows, as_of="2021-08-01", extra=end)
    assert facts(got[0]) == ("payable", "spell:E1", D("2020-05-30"), Decimal("750.00"))
    renamed = (rows[0], rows[1].replace(",X", ",Y"))  # another employer: E2 is its own
    assert lines(STARTS, *renamed, as_of="2021-08-01", extra=end)[0].status == "not_earned"


# "a job starting within 6 months of the service start", whenever the service ends
WITHIN = STARTS.replace("starts_within: service}", "starts_within: 6 months}")


@pytest.mark.parametrize(("start", "counts"), [
    ("2020-01-14", False),  # the day before the service starts
    ("2020-01-15", True),  # the service's first day
    ("2020-07-14", True),  # the last day of the 6 months (a service of 6 months ends so)
    ("2020-07-15", False),  # 6 months after the first day: outside
])
def test_a_job_must_start_within_a_duration_of_the_service_start(start: str, counts: bool
                                                                    ) -> None:
    got = lines(WITHIN, job("E1", start, fte="1.0"), as_of="2021-08-01")
    assert len(got) == 1
    if counts:
        assert (got[0].status, got[0].amount) == ("payable", Decimal("750.00"))
    else:
        kept_out(got, start, "6 months from the service start (2020-01-15..2020-07-14)")


def test_a_duration_from_the_service_start_outlasts_an_early_service_end() -> None:
    """The service ended after 2.5 months: a job in month 4 counts for a rule of 6 months
    from the service start (it would not for ``starts_within: service``)."""
    end = "x1,c1,service_end,2020-03-31,,,,,,,,,\n"
    rows = job("E1", "2020-05-04", fte="1.0")
    assert lines(WITHIN, rows, as_of="2021-08-01", extra=end)[0].status == "payable"
    assert lines(STARTS, rows, as_of="2021-08-01", extra=end)[0].status == "not_earned"
    loaded = contract_from(WITHIN)
    ev = evaluate(loaded, events_from(START + end + rows, header=HEADER).events, D("2021-08-01"))
    assert "only jobs started within 6 months of the service start" in str(
        explain(ev, ev.customers[0]).to_dict())


@pytest.mark.parametrize(("written", "message"), [
    ("servce", "components.0.work.starts_within: 'servce' is neither service, "
               "service_and_follow_up, a duration from the service start like '6 months', nor "
               "{service_and_after: 3 months} (did you mean service?)"),
    ("Service", "components.0.work.starts_within: 'Service' is neither service, "
                "service_and_follow_up, a duration from the service start like '6 months', nor "
                "{service_and_after: 3 months} (did you mean service?)"),
    ("service_and_after", "components.0.work.starts_within: 'service_and_after' is neither "
                          "service, service_and_follow_up, a duration from the service start "
                          "like '6 months', nor {service_and_after: 3 months} (a mapping: write "
                          "{service_and_after: 3 months})"),
    ("6 moths", "components.0.work.starts_within: '6 moths' is neither service, "
                "service_and_follow_up, a duration from the service start like '6 months', nor "
                "{service_and_after: 3 months}"),
])
def test_a_start_window_that_is_neither_a_window_nor_a_duration_is_told_so(
        written: str, message: str) -> None:
    (p,) = problems(STARTS.replace("starts_within: service}", f"starts_within: {written}}}"))
    assert (p.code, p.message) == ("C110", message)


@pytest.mark.parametrize(("written", "says"), [
    ("0 days", "a start window of 0 days holds no day"),
    ("[6 months]", "expected service, service_and_follow_up, a duration from the service "
                   "start like '6 months', or {service_and_after: 3 months}"),
    ("1300 months", "100 years"),  # the duration's own reason, not "neither ... nor"
])
def test_a_start_window_of_no_day_or_of_no_form_is_refused(written: str, says: str) -> None:
    (p,) = problems(STARTS.replace("starts_within: service}", f"starts_within: {written}}}"))
    assert says in p.message, p.message


def test_a_start_window_longer_than_the_service_where_only_its_days_count_is_c218() -> None:
    """12 months of service, days counted only in it (window: service): a job started in
    months 13 to 18 could never count."""
    text = STARTS.replace("starts_within: service}", "starts_within: 18 months}"
                          ).replace("min_duration:", "window: service\n    min_duration:")
    (p,) = problems(text)
    assert (p.code, p.message) == (
        "C218", "work.starts_within: 18 months is longer than the service (12 months), where "
                "days count: a job started after the service would count no day")
    assert problems(text.replace("18 months", "12 months")) == []


# "a job started during the service or within 3 months after it; its 90 days may run past
# that": the start window reaches past the service, the days count to the follow-up's end
AFTER = STARTS.replace("starts_within: service}", "starts_within: {service_and_after: 3 months}}")


@pytest.mark.parametrize(("start", "counts", "reached"), [
    ("2020-01-14", False, None),  # the day before the service starts
    ("2020-01-15", True, "2020-04-13"),  # the service's first day
    ("2021-01-14", True, "2021-04-13"),  # the service's last day
    ("2021-04-13", True, "2021-07-11"),  # a day short of the window's end
    ("2021-04-14", True, "2021-07-12"),  # its last day (2021-01-15 + 3 months, less a day)
    ("2021-04-15", False, None),  # 3 months after the service's end: outside
])
def test_a_job_may_start_during_the_service_or_within_a_duration_after_it(
        start: str, counts: bool, reached: str | None) -> None:
    got = lines(AFTER, job("E1", start, fte="1.0"), as_of="2021-08-01")
    assert len(got) == 1
    if reached is not None:
        # its 90 days run past the start window, inside the follow-up (to 2021-07-14)
        assert facts(got[0]) == ("payable", "spell:E1", D(reached), Decimal("750.00"))
    else:
        kept_out(got, start, "the service or the 3 months after it (2020-01-15..2021-04-14)")


def test_the_months_after_the_service_run_from_its_early_end() -> None:
    """The service ended on 2020-03-31: the 3 months after it end on 2020-06-30."""
    end = "x1,c1,service_end,2020-03-31,,,,,,,,,\n"
    for start, status in (("2020-06-30", "payable"), ("2020-07-01", "not_earned")):
        got = lines(AFTER, job("E1", start, fte="1.0"), as_of="2021-08-01", extra=end)
        assert got[0].status == status, start
    loaded = contract_from(AFTER)
    ev = evaluate(loaded, events_from(START + end + job("E1", "2020-06-30", fte="1.0"),
                                      header=HEADER).events, D("2021-08-01"))
    # the rule with the customer's own days a job may start on (the service ended early)
    assert "only jobs started during the service or within 3 months after it " \
           "(2020-01-15..2020-06-30)" in str(
        explain(ev, ev.customers[0]).to_dict())


@pytest.mark.parametrize(("change", "message"), [
    (("min_duration:", "window: service\n    min_duration:"),
     "work.starts_within: the service and 3 months after it is wider than where days count "
     "(service): a job started after the service would count no day"),
    (("3 months", "7 months"),
     "work.starts_within: the service and 7 months after it reaches past the follow-up "
     "(6 months), where days count: a job started after the follow-up would count no day"),
])
def test_a_start_window_past_where_days_count_is_c218(change: tuple[str, str], message: str
                                                      ) -> None:
    (p,) = problems(AFTER.replace(*change))
    assert (p.code, p.message) == ("C218", message)
    assert problems(AFTER.replace("3 months", "6 months")) == []  # the whole follow-up


def test_a_start_window_past_the_service_without_a_follow_up_is_c218() -> None:
    head = CONTRACT_HEAD.replace("  follow_up: 6 months\n", "")
    assert head != CONTRACT_HEAD
    _, found = load_contract_text(head + AFTER, "contract.yaml")
    assert [(p.code, p.message) for p in found if p.severity == "error"] == [(
        "C218", "work.starts_within: the service and 3 months after it is wider than where "
                "days count (the service: the contract has no follow_up): a job started after "
                "the service would count no day")]


@pytest.mark.parametrize(("written", "code", "says"), [
    ("{service_and_afer: 3 months}", "C110",
     "a start window written as a mapping is {service_and_after: <duration>} (the service and "
     "the days after it), not 'service_and_afer' (did you mean service_and_after?)"),
    ("{service_and_after: 3 months, from: 1 month}", "C110", "not 'from'"),
    ("{service_and_after: 0 days}", "C110", "a start window of 0 days holds no day"),
    ("{service_and_after: 3 moths}", "C108", "'3 moths' is not a duration like '90 days'"),
])
def test_a_start_window_after_the_service_written_wrong_is_told_so(
        written: str, code: str, says: str) -> None:
    (p,) = problems(STARTS.replace("starts_within: service}", f"starts_within: {written}}}"))
    assert p.code == code and says in p.message, (p.code, p.message)


# --- no outcome from a job with an employer the customer worked for before ----------------

# § 45 (6) SGB III: no fee for a job with an employer the jobseeker worked for more than three
# months in the four years before taking it up; the job below is taken up on 2020-03-02
EARLIER = STARTS.replace("starts_within: service}",
                         "exclude_earlier_employer: {within: 48 months, more_than: 3 months}}")


def _placed(*earlier: str, employer: str = "HRB-1") -> list[Line]:
    # a job naming no employer, under a rule that reads employers, is warned of (V008)
    unnamed = not employer or any(row.endswith(",") for row in earlier)  # an empty last cell
    return lines(EARLIER, *earlier, job("E1", "2020-03-02", fte="1.0", employer=employer),
                 as_of="2021-08-01", warned=("V008",) if unnamed else ())


@pytest.mark.parametrize(("end", "counts"), [
    ("2019-03-30", True),  # 89 days with the employer
    ("2019-03-31", True),  # 90 days: exactly 3 months from 2019-01-01, not more
    ("2019-04-01", False),  # 91 days: more than 3 months
])
def test_earlier_work_with_the_employer_of_more_than_the_limit_keeps_the_job_out(
        end: str, counts: bool) -> None:
    (got,) = _placed(job("E0", "2019-01-01", end, fte="0.5", kind="subsidised",
                         employer="HRB-1"))
    if counts:
        assert facts(got) == ("payable", "spell:E1", D("2020-05-30"), Decimal("750.00"))
    else:
        assert facts(got) == ("not_earned", "next", D("2021-07-14"), Decimal("750.00"))
        assert ("not counted: job E1 is with HRB-1, for whom the customer worked 91 days in the "
                "48 months before the relationship began on 2020-03-02 (2016-03-02..2020-03-01):"
                " more than 3 months (90 days from 2019-01-01), so it does not count"
                ) in got.reason


@pytest.mark.parametrize(("end", "counts"), [
    ("2016-06-01", True),  # 92 days inside the 48 months: 3 months from 2016-03-02
    ("2016-06-02", False),  # 93 days inside them
])
def test_only_the_work_inside_the_look_back_is_counted(end: str, counts: bool) -> None:
    (got,) = _placed(job("E0", "2015-12-03", end, fte="1.0", employer="HRB-1"))
    assert got.status == ("payable" if counts else "not_earned")


def test_earlier_work_with_another_employer_or_none_named_keeps_nothing_out() -> None:
    long_ago = job("E0", "2019-01-01", "2019-12-31", fte="1.0", employer="HRB-2")
    assert _placed(long_ago)[0].status == "payable"
    no_name = job("E0", "2019-01-01", "2019-12-31", fte="1.0")
    assert _placed(no_name, employer="")[0].status == "payable"


@pytest.mark.parametrize("end", ["2020-03-01", "2020-02-29"])
def test_work_for_the_employer_before_the_service_is_earlier_work_however_it_runs_on(
        end: str) -> None:
    """Running into the job (one employment begun on 2019-11-01, before the service) or with
    a day between, 121 or 122 days for HRB-1 before 2020-03-02 keep the job out: a review
    found that running on into it lifted the rule, so more earlier work paid more."""
    (got,) = _placed(job("E0", "2019-11-01", end, fte="1.0", employer="HRB-1"))
    assert got.status == "not_earned", got.reason
    assert "job E1 is with HRB-1, for whom the customer worked" in got.reason


@pytest.mark.parametrize(("end", "on"), [
    ("2020-03-01", "2020-05-02"),  # renewed from one day to the next: one employment
    ("2020-02-29", "2020-05-30"),  # a day between: 27 days before it, not more than 3 months
])
def test_a_contract_renewed_after_the_service_started_is_the_same_employment(
        end: str, on: str) -> None:
    got = lines(EARLIER, job("E0", "2020-02-03", end, fte="1.0", employer="HRB-1"),
                job("E1", "2020-03-02", fte="1.0", employer="HRB-1"), as_of="2021-08-01")
    assert [(ln.status, ln.date) for ln in got] == [("payable", D(on))]


def test_the_rule_is_in_the_trace_and_a_limit_that_cannot_fit_is_c218() -> None:
    loaded = contract_from(EARLIER)
    ev = evaluate(loaded, events_from(START + job("E1", "2020-03-02", fte="1.0"),
                                      header=HEADER).events, D("2021-08-01"))
    assert ("not jobs with an employer the customer worked for more than 3 months in the "
            "48 months before") in str(explain(ev, ev.customers[0]).to_dict())
    (p,) = problems(EARLIER.replace("48 months", "90 days").replace("3 months", "90 days"))
    assert (p.code, p.message) == (
        "C218", "work.exclude_earlier_employer: more than 90 days of work cannot fit in 90 "
                "days: no job would ever be kept out")


# --- not two successive outcomes with the same employer (ParentsNext) ----------------------

SUCCESSIVE = """
components:
  - id: placement
    kind: employment_outcome
    work: {min_fte: 0.8, one_employer: true}
    min_duration: 90 days
    amount: 750.00
    max_times: 2
    another_employer_each_time: true
"""
FIRST_X = job("E1", "2020-02-01", "2020-06-30", fte="1.0", employer="X")


@pytest.mark.parametrize(("second", "paid"), [("X", False), ("Y", True)])
def test_a_successive_outcome_with_the_same_employer_is_not_paid(second: str, paid: bool
                                                                 ) -> None:
    got = lines(SUCCESSIVE, FIRST_X,
                job("E2", "2020-08-01", "2020-12-31", fte="1.0", employer=second),
                as_of="2021-08-01")
    assert facts(got[0]) == ("payable", "spell:E1", D("2020-04-30"), Decimal("750.00"))
    if paid:
        assert [facts(ln) for ln in got[1:]] == [
            ("payable", "spell:E2", D("2020-10-29"), Decimal("750.00"))]
        return
    refused, lost = got[1:]
    assert (facts(refused), refused.quantity) == (
        ("not_earned", "spell:E2", D("2020-10-29"), Decimal("0.00")), Decimal(0))
    assert refused.reason.endswith(
        "one employer (X); but the outcome before it (spell:E1) was with the same employer "
        "(X), and the contract pays a successive outcome only with another employer")
    # the second outcome, another employer's, was never reached: lost at the deadline
    assert facts(lost) == ("not_earned", "next", D("2021-07-14"), Decimal("750.00"))


def test_a_spell_with_the_employer_paid_last_is_not_the_next_outcome_awaited() -> None:
    ongoing = job("E2", "2020-08-01", fte="1.0", employer="X")
    got = lines(SUCCESSIVE, FIRST_X, ongoing, as_of="2020-09-30")
    assert [(ln.status, ln.occurrence) for ln in got] == [
        ("payable", "spell:E1"), ("pending", "next")]
    plain = SUCCESSIVE.replace("    another_employer_each_time: true\n", "")
    assert [(ln.status, ln.occurrence) for ln in lines(plain, FIRST_X, ongoing,
                                                        as_of="2020-09-30")] == [
        ("payable", "spell:E1"), ("pending", "spell:E2")]


@pytest.mark.parametrize(("change", "needs"), [
    ((", one_employer: true", ""), "work.one_employer: true (a spell is then one employment "
                                   "relationship, with one employer)"),
    (("max_times: 2", "max_times: 1"), "max_times above 1 (one outcome has none after it)"),
    (("max_times: 2", "max_times: 2\n    top_up: true"),
     "no top_up (a top-up replaces an outcome paid, not the one before)"),
])
def test_another_employer_each_time_without_what_it_needs_is_c218(
        change: tuple[str, str], needs: str) -> None:
    (p,) = problems(SUCCESSIVE.replace(*change))
    assert (p.code, p.message) == ("C218", f"another_employer_each_time needs {needs}")


# --- a job's length as agreed at its start ---------------------------------------------------

AGREED = """
components:
  - id: placement
    kind: milestones
    work: {min_hours_per_week: 15, min_agreed_length: 3 months}
    steps:
      - {after: 6 weeks, amount: 1000.00}
"""


@pytest.mark.parametrize(("agreed_end", "counts"), [
    ("2020-04-29", False),  # one day short of three months
    ("2020-04-30", True),  # exactly three months (2020-02-01 + 3 months = 2020-05-01)
    ("2020-05-01", True),  # one day more
    ("", True),  # open-ended
])
def test_a_job_agreed_for_under_three_months_does_not_count_even_if_extended(
        agreed_end: str, counts: bool) -> None:
    first = job("E1", "2020-02-01", agreed_end, hours="20", recorded="2020-02-01")
    extended = job("E1", "2020-02-01", "2020-12-31", hours="20", recorded="2020-04-15")
    got = lines(AGREED, first, extended, as_of="2021-08-01")
    assert got[0].status == ("payable" if counts else "not_earned")
    if not counts:
        assert ("job E1 was agreed, when first recorded on 2020-02-01, to run "
                "2020-02-01..2020-04-29: less than 3 months (to 2020-05-01), so it does not "
                "count, even as extended to 2020-12-31") in got[0].reason


def test_the_agreed_length_is_read_as_of_the_evaluation_date() -> None:
    # before the extension is recorded the first version is also the latest
    first = job("E1", "2020-02-01", "2020-04-29", hours="20", recorded="2020-02-01")
    got = lines(AGREED, first, as_of="2020-03-31")
    assert got[0].status == "pending"
    assert "less than 3 months (to 2020-05-01), so it does not count;" in got[0].reason + ";"


def test_explain_shows_the_first_recorded_version_beside_the_latest() -> None:
    first = job("E1", "2020-02-01", "2020-04-29", hours="20", recorded="2020-02-01")
    extended = job("E1", "2020-02-01", "2020-12-31", hours="20", recorded="2020-04-15")
    loaded = contract_from(AGREED)
    ev = evaluate(loaded, events_from(START + first + "\n" + extended, header=HEADER).events,
                  D("2021-08-01"))
    x = explain(ev, ev.customers[0])
    live = next(v for v in x.timeline if v.event.event_id == "E1" and v.state == "live")
    assert live.details.endswith("; first recorded 2020-02-01 with end=2020-04-29")
    assert live.to_dict()["first_recorded"]["details"].startswith("end=2020-04-29")


# --- one employer ----------------------------------------------------------------------------

ONE_EMPLOYER = """
components:
  - id: job90
    kind: employment_outcome
    work: {min_fte: 0.8, one_employer: true}
    min_duration: 90 days
    max_gap: 7 days
    amount: 750.00
"""


def test_a_change_of_employer_ends_the_spell() -> None:
    rows = (job("E1", "2020-02-01", "2020-03-31", fte="1.0", employer="X"),
            job("E2", "2020-04-01", "2020-06-30", fte="1.0", employer="Y"))
    # 60 days with X, then 91 with Y: the 90 days are reached with Y alone
    got = lines(ONE_EMPLOYER, *rows, as_of="2021-08-01")
    assert facts(got[0]) == ("payable", "spell:E2", D("2020-06-29"), Decimal("750.00"))
    assert got[0].reason.endswith("one employer (Y)")
    # counted together without the rule: reached on day 90 from 2020-02-01
    plain = ONE_EMPLOYER.replace(", one_employer: true", "")
    assert facts(lines(plain, *rows, as_of="2021-08-01")[0]) == (
        "payable", "spell:E1", D("2020-04-30"), Decimal("750.00"))


def test_the_trace_says_where_a_change_of_employer_ended_the_spell() -> None:
    rows = (job("E1", "2020-02-01", "2020-03-31", fte="1.0", employer="X"),
            job("E2", "2020-04-01", "2020-06-30", fte="1.0", employer="Y"))
    steps = result(ONE_EMPLOYER, *rows, as_of="2021-08-01").traces["job90"].steps
    assert [s.text for s in steps if s.what == "employer change"] == [
        "employment with X ended on 2020-03-31; from 2020-04-01 the work with Y is another "
        "employment relationship, a spell of its own"]


def test_jobs_of_one_employer_join_across_an_allowed_gap() -> None:
    rows = (job("E1", "2020-02-01", "2020-03-31", fte="1.0", employer="X"),
            job("E2", "2020-04-08", "2020-06-30", fte="1.0", employer="X"))
    got = lines(ONE_EMPLOYER, *rows, as_of="2021-08-01")
    # 60 days, a gap of 7 days (joined, not counted), then 30 more: 2020-05-07
    assert facts(got[0]) == ("payable", "spell:E1", D("2020-05-07"), Decimal("750.00"))


def test_a_job_naming_no_employer_is_a_relationship_of_its_own() -> None:
    rows = (job("E1", "2020-02-01", "2020-03-31", fte="1.0"),
            job("E2", "2020-04-01", "2020-05-31", fte="1.0"))
    got = lines(ONE_EMPLOYER, *rows, as_of="2021-08-01", warned=("V008",))
    assert got[0].status == "not_earned"
    assert got[0].reason.startswith("only 61 of 90 days")


def test_one_employer_with_cumulative_counting_is_an_error() -> None:
    (p,) = problems(ONE_EMPLOYER.replace("max_gap: 7 days", "counting: cumulative"))
    assert (p.code, p.message) == ("C218", "work.one_employer applies to counting: continuous "
                                           "(one employment relationship for the whole "
                                           "duration), not to counting: cumulative")


# --- every step in one spell (AVGS: both instalments for the one employment) ---------------

ONE_SPELL = """
components:
  - id: voucher
    kind: milestones
    work: {min_hours_per_week: 15, one_employer: true}
    steps:
      - {after: 6 weeks, amount: 1000.00}
      - {after: 6 months, amount: 1000.00}
    steps_in_one_spell: true
"""
# with X from 2020-02-03: 6 weeks on 2020-03-15, 6 months on 2020-08-02 (182 days); Y from
# 2020-04-10 would reach 6 months on 2020-10-09
FIRST_SPELL_STEP = ("payable", "step:6 weeks", D("2020-03-15"), Decimal("1000.00"))


@pytest.mark.parametrize(("end", "second"), [
    ("2020-08-01", ("not_earned", "step:6 months", D("2021-07-14"), Decimal("1000.00"))),
    ("2020-08-02", ("payable", "step:6 months", D("2020-08-02"), Decimal("1000.00"))),
    ("2020-08-03", ("payable", "step:6 months", D("2020-08-02"), Decimal("1000.00"))),
])
def test_the_later_step_is_reached_only_in_the_spell_of_the_first(end: str,
                                                                  second: tuple[object, ...]
                                                                  ) -> None:
    rows = (job("E1", "2020-02-03", end, hours="38", employer="X"),
            job("E2", "2020-04-10", hours="38", employer="Y"))
    got = lines(ONE_SPELL, *rows, as_of="2021-08-01")
    assert [facts(ln) for ln in got] == [FIRST_SPELL_STEP, second]
    # without the rule, Y's own six months pay the second instalment
    plain = lines(ONE_SPELL.replace("    steps_in_one_spell: true\n", ""), *rows,
                  as_of="2021-08-01")
    assert facts(plain[1])[:3] == ("payable", "step:6 months",
                                   D("2020-08-02") if end != "2020-08-01" else D("2020-10-09"))


def test_why_the_other_spell_does_not_pay_is_said() -> None:
    rows = (job("E1", "2020-02-03", "2020-05-31", hours="38", employer="X"),
            job("E2", "2020-04-10", hours="38", employer="Y"))
    second = lines(ONE_SPELL, *rows, as_of="2021-08-01")[1]
    assert second.reason == (
        "only 119 of 182 days of qualifying work (15 h/week or more, open) by 2021-07-14, "
        "when the follow-up ends; every step is counted in the spell of the first step, the "
        "one from 2020-02-03 (E1) (steps_in_one_spell); the spell from "
        "2020-04-10 (E2) reached 6 months on 2020-10-09, but it is another spell")
    assert second.evidence == ("E1",)


def test_the_later_step_is_pending_on_the_first_spell_while_the_deadline_is_ahead() -> None:
    rows = (job("E1", "2020-02-03", hours="38", employer="X"),
            job("E2", "2020-04-10", hours="38", employer="Y"))
    got = lines(ONE_SPELL, *rows, as_of="2020-06-30")
    assert [facts(ln) for ln in got] == [
        FIRST_SPELL_STEP, ("pending", "step:6 months", D("2021-07-14"), Decimal("1000.00"))]
    assert got[1].reason.startswith("needs 33 more days of qualifying work")
    assert got[1].reason.endswith("149 of 182 days so far in the spell from 2020-02-03; every "
                                  "step is counted in the spell of the first step, the "
                                  "one from 2020-02-03 (E1) (steps_in_one_spell)")


def test_a_later_step_awaited_on_a_spell_that_has_ended_says_only_a_correction_can_help(
        ) -> None:
    rows = (job("E1", "2020-02-03", "2020-05-31", hours="38", employer="X"),
            job("E2", "2020-04-10", hours="38", employer="Y"))
    got = lines(ONE_SPELL, *rows, as_of="2020-07-31")
    assert facts(got[1]) == ("pending", "step:6 months", D("2021-07-14"), Decimal("1000.00"))
    assert got[1].reason.endswith(
        "; every step is counted in the spell of the first step, the one from "
        "2020-02-03 (E1), which ended on 2020-05-31: only a correction of its rows could still "
        "reach this step (steps_in_one_spell)")


def test_a_spell_running_past_the_deadline_is_not_said_to_have_ended() -> None:
    rows = (job("E1", "2021-03-01", hours="38", employer="X"),
            job("E2", "2021-03-05", hours="38", employer="Y"))
    reason = lines(ONE_SPELL, *rows, as_of="2021-09-30")[1].reason
    assert reason.startswith("threshold of 6 months reached on 2021-08-31, 48 days after")
    assert "ended" not in reason


def test_of_spells_reaching_the_first_step_on_one_day_the_one_reaching_more_steps_leads(
        ) -> None:
    """A review: the spell running on longest was taken, a spell whose gap days do not count
    and never reached six months, and the payable second step went back to pending."""
    rows = (job("X1", "2020-02-03", "2020-08-05", hours="38", employer="X"),
            job("Y1", "2020-02-03", "2020-03-20", hours="38", employer="Y"),
            job("Y2", "2020-03-28", "2020-08-07", hours="38", employer="Y"))
    gapped = ONE_SPELL.replace("    steps_in_one_spell",
                               "    max_gap: 7 days\n    steps_in_one_spell")
    for as_of in ("2020-08-03", "2020-08-06", "2021-08-01"):
        got = lines(gapped, *rows, as_of=as_of)
        assert [facts(ln) for ln in got] == [
            FIRST_SPELL_STEP, ("payable", "step:6 months", D("2020-08-02"), Decimal("1000.00"))]
        assert [ln.evidence for ln in got] == [("X1",), ("X1",)]


def test_a_spell_whose_first_step_is_not_earned_gives_way_to_the_next() -> None:
    """A review: a self-reported job, not priced, fixed the ladder and lost both steps."""
    priced = ONE_SPELL.replace("amount: 1000.00", "amount: {register: 1000.00}")
    rows = (job("E1", "2020-02-03", "2020-06-30", hours="38", employer="X",
                evidence="self_report"),
            job("E2", "2020-02-10", hours="38", employer="Y"))
    got = lines(priced, *rows, as_of="2021-08-01")
    assert [facts(ln) for ln in got] == [
        ("payable", "step:6 weeks", D("2020-03-22"), Decimal("1000.00")),
        ("payable", "step:6 months", D("2020-08-09"), Decimal("1000.00"))]
    assert [ln.evidence for ln in got] == [("E2",), ("E2",)]


def test_the_first_paid_step_fixes_the_spell_even_where_more_work_then_pays_less() -> None:
    """The one exception to 'more work never pays less', on purpose: the first instalment
    names the employment relationship, so a job reaching it first, and ending, keeps a later
    job's own six months from paying the rest."""
    later = job("E2", "2020-02-10", hours="38", employer="Y")
    alone = lines(ONE_SPELL, later, as_of="2021-08-01")
    assert [ln.status for ln in alone] == ["payable", "payable"]
    both = lines(ONE_SPELL, job("E1", "2020-02-03", "2020-04-30", hours="38", employer="X"),
                 later, as_of="2021-08-01")
    assert [ln.status for ln in both] == ["payable", "not_earned"]


def test_of_spells_reaching_the_first_step_together_the_longer_one_carries_the_ladder() -> None:
    rows = (job("E1", "2020-02-03", "2020-05-31", hours="20", employer="X"),
            job("E2", "2020-02-03", hours="20", employer="Y"))
    got = lines(ONE_SPELL, *rows, as_of="2021-08-01")
    assert [facts(ln) for ln in got] == [
        FIRST_SPELL_STEP, ("payable", "step:6 months", D("2020-08-02"), Decimal("1000.00"))]
    assert got[1].evidence == ("E2",)


def test_without_a_first_step_the_later_ones_are_awaited_in_every_spell() -> None:
    rows = (job("E1", "2020-02-03", "2020-02-20", hours="38", employer="X"),
            job("E2", "2020-04-10", "2020-05-01", hours="38", employer="Y"))
    got = lines(ONE_SPELL, *rows, as_of="2020-06-30")
    assert [ln.status for ln in got] == ["pending", "pending"]
    assert "steps_in_one_spell" not in got[1].reason


def test_steps_in_one_spell_with_cumulative_counting_is_an_error() -> None:
    (p,) = problems(ONE_SPELL.replace("one_employer: true}", "}\n    counting: cumulative"))
    assert (p.code, p.message, p.source.line) == (
        "C218", "steps_in_one_spell applies to counting: continuous (the steps of one spell), "
                "not to counting: cumulative", 32)  # the key's own line


# --- hours on average --------------------------------------------------------------------

AVERAGE = """
components:
  - id: stable
    kind: employment_outcome
    work: {average_hours_per_week: 15}
    min_duration: 12 weeks
    amount: 1000.00
"""


@pytest.mark.parametrize(("hours", "status", "on"), [
    ("14.9", "pending", D("2021-07-14")),
    ("15.0", "payable", D("2020-04-24")),  # 84 days from 2020-02-01
    ("15.1", "payable", D("2020-04-24")),
])
def test_14_9_vs_15_hours_on_average(hours: str, status: str, on: date) -> None:
    got = lines(AVERAGE, job("E1", "2020-02-01", hours=hours), as_of="2020-12-31")
    assert (got[0].status, got[0].date) == (status, on)
    if status == "pending":
        assert got[0].reason.endswith("the spell from 2020-02-01 has 335 days, averaging 14.9 "
                                      "h/week so far")


@pytest.mark.parametrize(("end", "status"), [
    ("2020-04-23", "pending"),  # 83 days
    ("2020-04-24", "payable"),  # 84 days: 12 weeks
])
def test_12_weeks_one_day_short_and_exactly(end: str, status: str) -> None:
    got = lines(AVERAGE, job("E1", "2020-02-01", end, hours="20"), as_of="2020-12-31")
    assert got[0].status == status


def test_the_average_is_over_the_weeks_not_each_week() -> None:
    # 6 weeks at 10 h, then 6 at 20 h: 60 + 120 = 180 h in 12 weeks, 15 on average
    rows = (job("E1", "2020-02-01", "2020-03-13", hours="10"),
            job("E2", "2020-03-14", hours="20"))
    outcome = result(AVERAGE, *rows, as_of="2020-12-31")
    assert facts(outcome.lines[0]) == ("payable", "spell:E1", D("2020-04-24"),
                                       Decimal("1000.00"))
    assert "averaging 15 h/week (180 h from 2020-02-01)" in outcome.lines[0].reason
    step = next(s for s in outcome.traces["stable"].steps if s.what == "weeks averaged")
    assert step.text.endswith("week by week from 2020-02-01: 10, 10, 10, 10, 10, 10, 20, 20, "
                              "20, 20, 20, 20 h")


def test_the_weeks_roll_when_the_first_ones_fall_short() -> None:
    # 6 weeks at 10 h, then 19.8 h: the first 12 weeks average 14.9; the 84 days from the
    # second day hold 41 days at 10 h and 43 at 19.8 h, 180.2 h
    rows = (job("E1", "2020-02-01", "2020-03-13", hours="10"),
            job("E2", "2020-03-14", hours="19.8"))
    got = lines(AVERAGE, *rows, as_of="2020-12-31")
    assert facts(got[0]) == ("payable", "spell:E1", D("2020-04-25"), Decimal("1000.00"))
    assert "averaging 15.01 h/week (180.2 h from 2020-02-02)" in got[0].reason
    assert (got[0].period_start, got[0].period_end) == (D("2020-02-02"), D("2020-04-26"))


def test_hours_of_jobs_on_the_same_days_add_up_and_evidence_is_what_the_average_needs() -> None:
    rows = (job("E1", "2020-02-01", hours="8", evidence="employer"),
            job("E2", "2020-02-01", hours="7", evidence="register"))
    got = lines(AVERAGE, *rows, as_of="2020-12-31")
    assert got[0].status == "payable"
    # the register's 7 h alone average too little: the outcome rests on the employer's word
    assert "employer-confirmed" in got[0].reason


def test_hours_on_average_with_cumulative_counting_is_an_error() -> None:
    (p,) = problems(AVERAGE.replace("min_duration:", "counting: cumulative\n    min_duration:"))
    assert p.code == "C218"
    assert p.message.startswith("work.average_hours_per_week applies to counting: continuous")


# --- extent bands ----------------------------------------------------------------------------

BANDS = """
components:
  - id: job90
    kind: employment_outcome
    work: {min_fte: 0.5}
    min_duration: 90 days
    bands:
      - {id: part_time, min_fte: 0.5, max_fte: 0.8, amount: 500.00}
      - {id: full_time, min_fte: 0.8, amount: 800.00}
"""


@pytest.mark.parametrize(("fte", "expected"), [
    ("0.49", None),
    ("0.5", ("spell:E1:part_time", "500.00")),
    ("0.79", ("spell:E1:part_time", "500.00")),
    ("0.80", ("spell:E1:full_time", "800.00")),
])
def test_the_band_of_an_outcome(fte: str, expected: tuple[str, str] | None) -> None:
    got = lines(BANDS, job("E1", "2020-02-01", fte=fte), as_of="2021-08-01")
    assert len(got) == 1
    if expected is None:
        assert facts(got[0]) == ("not_earned", "next", D("2021-07-14"), Decimal("800.00"))
        assert got[0].reason.endswith("not counted: job E1 at 0.49 FTE is below 0.50")
    else:
        occurrence, amount = expected
        assert facts(got[0]) == ("payable", occurrence, D("2020-04-30"), Decimal(amount))


def test_part_time_then_full_time_pays_the_difference() -> None:
    rows = (job("E1", "2020-02-01", fte="0.6"), job("E2", "2020-04-01", fte="0.3"))
    got = lines(BANDS, *rows, as_of="2021-08-01")
    assert [facts(ln) for ln in got] == [
        ("payable", "spell:E1:part_time", D("2020-04-30"), Decimal("500.00")),
        ("payable", "spell:E1:full_time", D("2020-06-29"), Decimal("300.00"))]
    assert got[1].reason.endswith("it upgrades the outcome paid as spell:E1:part_time "
                                  "(500.00), so the difference 300.00 is paid")


def test_work_above_the_only_band_is_not_priced() -> None:
    text = BANDS.replace("      - {id: full_time, min_fte: 0.8, amount: 800.00}\n", "")
    outcome = result(text, job("E1", "2020-02-01", fte="1.0"), as_of="2021-08-01")
    assert [ln.status for ln in outcome.lines] == ["not_earned"]
    assert any(s.what == "above the band" for s in outcome.traces["job90"].steps)


@pytest.mark.parametrize(("bands", "code", "message"), [
    ("      - {id: a, min_fte: 0.5, max_fte: 0.8, amount: 1}\n"
     "      - {id: b, min_fte: 0.7, amount: 2}\n", "C210",
     "band 'b' must start at or above the upper bound of band 'a' (bands go up in order and "
     "do not overlap)"),
    ("      - {id: a, min_fte: 0.8, max_fte: 0.8, amount: 1}\n", "C219",
     "band 'a': the upper bound 0.8 must be above the lower bound 0.8"),
    ("      - {id: a, max_fte: 0.8, amount: 1}\n", "C217",
     "band 'a' needs a lower bound, min_fte or min_hours_per_week"),
    ("      - {id: a, min_fte: 0.5, amount: 1}\n"
     "      - {id: b, min_hours_per_week: 30, amount: 2}\n", "C218",
     "bands mix FTE and hours bounds: use one measure"),
])
def test_bands_that_do_not_fit(bands: str, code: str, message: str) -> None:
    text = BANDS.split("    bands:\n")[0] + "    bands:\n" + bands
    found = problems(text)
    assert (code, message) in [(p.code, p.message) for p in found]


def test_amount_and_bands_together_or_neither() -> None:
    both = BANDS + "    amount: 700.00\n"
    assert [(p.code, p.message) for p in problems(both)] == [
        ("C218", "give amount or bands, not both: with bands, each band has its own amount")]
    neither = BANDS.split("    bands:\n")[0]
    assert [(p.code, p.message) for p in problems(neither)] == [
        ("C101", "missing required key 'amount' (or 'bands', each with its amount)")]


# --- prices by employment kind, and top-ups --------------------------------------------------

BY_KIND = """
components:
  - id: result
    kind: employment_outcome
    work: {min_fte: 0.8, kinds: {open: 1, subsidised: 1}}
    min_duration: 90 days
    amount:
      open: {register: 750.00, self_report: 190.00}
      subsidised: 190.00
    top_up: true
"""


def test_each_kind_counts_on_its_own() -> None:
    # 45 days of subsidised work, then 45 of open work: no 90 days of either
    rows = (job("E1", "2020-02-01", "2020-03-16", fte="1.0", kind="subsidised"),
            job("E2", "2020-03-17", "2020-04-30", fte="1.0"))
    got = lines(BY_KIND, *rows, as_of="2021-08-01")
    assert [ln.status for ln in got] == ["not_earned"]
    assert got[0].reason.startswith("only 45 of 90 days of qualifying work (0.80 FTE or more, "
                                    "open or subsidised)")


def test_a_later_better_outcome_tops_up_the_one_outcome() -> None:
    rows = (job("E1", "2020-01-20", "2020-04-30", fte="1.0", kind="subsidised"),
            job("E2", "2020-05-04", fte="1.0"))
    got = lines(BY_KIND, *rows, as_of="2020-11-30")
    assert [facts(ln) for ln in got] == [
        ("payable", "spell:E1:subsidised", D("2020-04-18"), Decimal("190.00")),
        ("payable", "spell:E2:open", D("2020-08-01"), Decimal("560.00"))]
    assert got[1].reason.endswith("the fee is paid at most once and 190.00 was paid for "
                                  "spell:E1:subsidised, so with top_up the difference 560.00 "
                                  "is paid")
    # without top_up the second outcome is one the contract never offered
    plain = lines(BY_KIND.replace("    top_up: true\n", ""), *rows, as_of="2020-11-30")
    assert [facts(ln) for ln in plain] == [
        ("payable", "spell:E1:subsidised", D("2020-04-18"), Decimal("190.00")),
        ("not_earned", "spell:E2:open", D("2020-08-01"), Decimal("0.00"))]


SUBSIDISED_PAID = job("E1", "2020-01-20", "2020-04-30", fte="1.0", kind="subsidised")


@pytest.mark.parametrize(("e2", "as_of", "told"), [
    # an open job from 2020-05-04 reaches day 90 on 2020-08-01: the day before, a pending
    # top-up of the difference; on the day, the top-up is paid
    (job("E2", "2020-05-04", fte="1.0"), "2020-07-31",
     [("pending", "spell:E2:open", D("2021-07-14"), Decimal("560.00"))]),
    (job("E2", "2020-05-04", fte="1.0"), "2020-08-01",
     [("payable", "spell:E2:open", D("2020-08-01"), Decimal("560.00"))]),
    # self-reported, the open job is priced 190.00 like the outcome paid: nothing to top up
    (job("E2", "2020-05-04", fte="1.0", evidence="self_report"), "2020-07-31", []),
    # a spell that stopped short is no top-up under way
    (job("E2", "2020-05-04", "2020-06-30", fte="1.0"), "2020-07-31", []),
])
def test_a_top_up_under_way_is_pending(e2: str, as_of: str,
                                       told: list[tuple[object, ...]]) -> None:
    """With max_times outcomes paid, a running spell priced above the least paid one is a
    top-up under way: pending the difference, so the provider sees it coming (none was
    shown, and the invoice's pending list left the customer out)."""
    got = lines(BY_KIND, SUBSIDISED_PAID, e2, as_of=as_of)
    assert [facts(ln) for ln in got] == [
        ("payable", "spell:E1:subsidised", D("2020-04-18"), Decimal("190.00")), *told]
    if told and told[0][0] == "pending":
        assert got[1].reason == (
            "needs 1 more day of qualifying work (0.80 FTE or more, open) by 2021-07-14, when "
            "the follow-up ends; 89 of 90 days so far in the spell from 2020-05-04; with "
            "top_up the difference is paid: 750.00 less the 190.00 paid for "
            "spell:E1:subsidised; not counted: job E1 is subsidised work, which does not count "
            "as open work")
        plain = lines(BY_KIND.replace("    top_up: true\n", ""), SUBSIDISED_PAID, e2,
                      as_of=as_of)
        assert [facts(ln)[1] for ln in plain] == ["spell:E1:subsidised"]


def test_no_top_up_is_pending_for_a_spell_whose_evidence_is_priced_nothing() -> None:
    """Self-reported open work priced 0.00 is priced at its evidence, not at the strongest
    evidence's 750.00 (a review found a pending 560.00 that could never be paid)."""
    text = BY_KIND.replace("self_report: 190.00", "self_report: 0.00")
    e2 = job("E2", "2020-05-04", fte="1.0", evidence="self_report")
    assert [facts(ln)[1] for ln in lines(text, SUBSIDISED_PAID, e2, as_of="2020-05-31")] == [
        "spell:E1:subsidised"]


def test_a_worse_later_outcome_tops_up_nothing() -> None:
    rows = (job("E1", "2020-01-20", "2020-04-30", fte="1.0"),
            job("E2", "2020-05-04", fte="1.0", kind="subsidised"))
    got = lines(BY_KIND, *rows, as_of="2020-11-30")
    assert [facts(ln) for ln in got] == [
        ("payable", "spell:E1:open", D("2020-04-18"), Decimal("750.00")),
        ("not_earned", "spell:E2:subsidised", D("2020-08-01"), Decimal("0.00"))]


def test_top_up_over_the_least_paid_of_several() -> None:
    text = BY_KIND.replace("    top_up: true\n", "    top_up: true\n    max_times: 2\n")
    rows = (job("E1", "2020-01-20", "2020-04-30", fte="1.0", kind="subsidised"),
            job("E2", "2020-05-04", "2020-08-31", fte="1.0", evidence="self_report"),
            job("E3", "2020-09-07", fte="1.0"))
    got = lines(text, *rows, as_of="2021-08-01")
    assert [facts(ln)[1:] for ln in got] == [
        ("spell:E1:subsidised", D("2020-04-18"), Decimal("190.00")),
        ("spell:E2:open", D("2020-08-01"), Decimal("190.00")),
        ("spell:E3:open", D("2020-12-05"), Decimal("560.00"))]


def test_a_kind_the_component_counts_must_be_priced() -> None:
    text = BY_KIND.replace("      subsidised: 190.00\n", "")
    assert [(p.code, p.message) for p in problems(text)] == [
        ("C203", "components.0.amount has no price for employment kind(s) subsidised, which "
                 "the component counts")]


def test_prices_by_kind_only_on_employment_outcome() -> None:
    text = """
components:
  - id: fee
    kind: event_fee
    event: service_start
    amount: {open: 100.00}
"""
    assert [(p.code, p.message) for p in problems(text)] == [
        ("C202", "components.0.amount: prices by employment kind only apply to the fees of "
                 "employment_outcome")]


def test_prices_nest_segment_then_kind_then_evidence() -> None:
    text = BY_KIND.replace("""      open: {register: 750.00, self_report: 190.00}
      subsidised: 190.00""", """      register: {open: 750.00, subsidised: 190.00}""")
    messages = [p.message for p in problems(text)]
    assert "components.0.amount.register: an evidence level holds one amount, not a table" \
        in messages
    nested = BY_KIND.replace("""      open: {register: 750.00, self_report: 190.00}
      subsidised: 190.00""", """      A: {open: {register: 750.00}, subsidised: 190.00}
      B: {open: {A: 1.00}, subsidised: 190.00}""")
    assert ("components.0.amount.B.open: segments cannot be nested under an employment kind "
            "(prices nest segment, then employment kind, then evidence level)"
            ) in [p.message for p in problems(nested)]


def test_segment_kind_and_evidence_together() -> None:
    text = BY_KIND.replace("""      open: {register: 750.00, self_report: 190.00}
      subsidised: 190.00""", """      A:
        open: {register: 750.00, self_report: 190.00}
        subsidised: 190.00
      B:
        open: {register: 900.00, self_report: 190.00}
        subsidised: 250.00""")
    far = "r1,c1,referral,2020-01-10,,,acme,2018-06-01,,,,,\n"
    loaded = contract_from(text)
    rows = "s1,c1,service_start,2020-01-15,,,,,,,,,\n" + job("E1", "2020-02-01", fte="1.0")
    ev = evaluate(loaded, events_from(far + rows, header=HEADER).events, D("2021-08-01"))
    assert [facts(ln) for ln in ev.customers[0].lines] == [
        ("payable", "spell:E1:open", D("2020-04-30"), Decimal("900.00"))]


def test_top_up_and_bands_need_continuous_counting() -> None:
    text = BY_KIND.replace("min_duration:", "counting: cumulative\n    min_duration:")
    assert sorted(p.message for p in problems(text)) == [
        "a price by employment kind applies to counting: continuous (an outcome is a spell of "
        "work), not to counting: cumulative",
        "top_up applies to counting: continuous (an outcome is a spell of work), not to "
        "counting: cumulative"]


# --- continuous sustainment ------------------------------------------------------------------

SUSTAIN = """
components:
  - id: ladder
    kind: milestones
    work: {min_hours_per_week: 16}
    max_gap: 7 days
    steps:
      - {after: 4 weeks, amount: 1000.00}
    sustainment: {every: 4 weeks, amount: 200.00, max_count: 3, counting: continuous}
"""


@pytest.mark.parametrize(("second", "first_payment"), [
    ("2020-03-28", D("2020-04-03")),  # a gap of 7 days: joined, 21 + 7 days (gap not counted)
    ("2020-03-29", D("2020-04-25")),  # 8 days: the count restarts on 2020-03-29
])
def test_a_break_longer_than_allowed_restarts_the_sustainment_count(
        second: str, first_payment: date) -> None:
    # 4 weeks from 2020-02-01 reached on 2020-02-28; work to 2020-03-20, then a break
    rows = (job("E1", "2020-02-01", "2020-03-20", hours="20"), job("E2", second, hours="20"))
    got = lines(SUSTAIN, *rows, as_of="2020-12-31")
    sustain = [ln for ln in got if ln.occurrence == "sustain:1"]
    assert facts(sustain[0]) == ("payable", "sustain:1", first_payment, Decimal("200.00"))


def test_a_break_pauses_cumulative_sustainment() -> None:
    rows = (job("E1", "2020-02-01", "2020-03-20", hours="20"),
            job("E2", "2020-03-29", hours="20"))
    got = lines(SUSTAIN.replace(", counting: continuous", ""), *rows, as_of="2020-12-31")
    # the 21 days after the step count: 7 more from 2020-03-29 reach 8 weeks on 2020-04-04
    assert facts(next(ln for ln in got if ln.occurrence == "sustain:1"))[2] == D("2020-04-04")


def test_the_restart_is_said() -> None:
    rows = (job("E1", "2020-02-01", "2020-03-20", hours="20"),
            job("E2", "2020-03-29", hours="20"))
    got = lines(SUSTAIN, *rows, as_of="2020-12-31")
    assert next(ln for ln in got if ln.occurrence == "sustain:1").reason.endswith(
        "(sustainment 1 of 3); counted from 2020-03-29, when work began again after a break "
        "longer than allowed ended the spell on 2020-03-20")


def test_sustainment_with_hours_on_average_is_an_error() -> None:
    text = SUSTAIN.replace("min_hours_per_week: 16", "average_hours_per_week: 16")
    assert [p.code for p in problems(text)] == ["C218"]


def test_windows_and_look_backs_that_can_never_apply_are_c218() -> None:
    """A user trial: a start window longer than the service and its follow-up, and an
    earlier-work limit as long as its look-back, were taken without a word."""
    (p,) = problems(STARTS.replace("starts_within: service}", "starts_within: 24 months}"))
    assert (p.code, p.message) == (
        "C218", "work.starts_within: 24 months is longer than the service (12 months) and its "
                "follow-up (6 months), where days count: a job started after them would count "
                "no day")
    assert problems(STARTS.replace("starts_within: service}", "starts_within: 18 months}")) \
        == []
    same = EARLIER.replace("48 months", "3 months")
    (p,) = problems(same)
    assert (p.code, p.message) == (
        "C218", "work.exclude_earlier_employer: more than 3 months of work cannot fit in 3 "
                "months: no job would ever be kept out")
    assert problems(same.replace("within: 3 months", "within: 4 months")) == []


def test_a_successive_outcome_awaiting_a_confirmation_is_not_offered_either() -> None:
    """A review: E2, the same employer's again but self-reported, was pending a
    confirmation (which would then be refused), and hid the next outcome awaited."""
    unpriced = SUCCESSIVE.replace("amount: 750.00", "amount: {register: 750.00}")
    got = lines(unpriced, FIRST_X, job("E2", "2020-08-01", "2020-12-31", fte="1.0",
                                       employer="X", evidence="self_report"),
                as_of="2021-01-31")
    assert [(ln.status, ln.occurrence, ln.amount) for ln in got] == [
        ("payable", "spell:E1", Decimal("750.00")), ("not_earned", "spell:E2", Decimal("0.00")),
        ("pending", "next", Decimal("750.00"))]


def test_an_outcome_rule_written_where_it_does_not_apply_says_where_it_does() -> None:
    """A user trial: 'unknown key starts_within (did you mean starts_within?)' on a work
    history's work, and a bare 'unknown key' beside work: instead of under it."""
    history = """
components:
  - id: more_days
    kind: work_history
    baseline: 12 months
    count: [work]
    work: {kinds: {open: 1}, starts_within: service}
    rate: 5.00
"""
    (p,) = problems(history)
    assert (p.code, p.message) == ("C102", "unknown key 'starts_within' (other kinds take "
                                           "'starts_within' here; work_history's does not)")
    beside = STARTS.replace(", starts_within: service}", "}\n    starts_within: service")
    (p,) = problems(beside)
    assert (p.code, p.message) == ("C102", "unknown key 'starts_within' (it belongs under "
                                           "'work:')")


# --- sustainment beside another employer's job ---------------------------------------------

BESIDE = ONE_SPELL.replace("    steps_in_one_spell: true\n",
                           "    sustainment: {every: 4 weeks, amount: 100.00, max_count: 2}\n")
# X's job reaches six months on 2020-08-02 and ends on 2020-08-10; Y's runs beside it from
# 2020-04-10 on
BESIDE_ROWS = (job("A", "2020-02-03", "2020-08-10", hours="38", employer="X"),
               job("B", "2020-04-10", hours="38", employer="Y"))


def test_cumulative_sustainment_counts_a_job_beside_the_spell_once() -> None:
    """A review: another employer's job running beside the spell of the last step stopped
    the evaluation (a period ending before it starts)."""
    got = lines(BESIDE, *BESIDE_ROWS, as_of="2021-08-01")
    # 182 days to 2020-08-02, A's 8 more days to 08-10, then B's: 210 on 08-30, 238 on 09-27
    assert [facts(ln)[1:3] for ln in got[2:]] == [("sustain:1", D("2020-08-30")),
                                                  ("sustain:2", D("2020-09-27"))]
    assert [ln.evidence for ln in got[2:]] == [("A", "B"), ("B",)]


def test_continuous_sustainment_never_counts_days_before_the_last_step() -> None:
    """A review: the count restarted on the first day of the spell beside, 2020-04-10, and
    paid three sustainment payments before the last step was reached."""
    text = BESIDE.replace("max_count: 2}", "max_count: 2, counting: continuous}")
    got = lines(text, *BESIDE_ROWS, as_of="2021-08-01")
    # A has 8 days after the step; B counts from 2020-08-03: 28 days on 08-30
    assert [facts(ln)[1:3] for ln in got[2:]] == [("sustain:1", D("2020-08-30")),
                                                  ("sustain:2", D("2020-09-27"))]
    assert got[2].reason.endswith(
        "(sustainment 1 of 2); counted from 2020-08-03 in the spell from 2020-04-10 (B), "
        "after the spell from 2020-02-03 ended on 2020-08-10")


# --- a second review: the spell of the first step stays put as the days go by ---------------

GAPPED = ONE_SPELL.replace("    steps_in_one_spell", "    max_gap: 7 days\n    steps_in_one_spell")
# X's jobs join across a 2-day gap (not counted), so X and Y both reach six weeks on
# 2020-10-11; Y, running on, reaches six months on 2021-02-27, X on 2021-03-02
X_AND_Y = (job("X1", "2020-08-28", "2020-08-29", hours="38", employer="X"),
           job("Y1", "2020-08-31", hours="38", employer="Y"))


@pytest.mark.parametrize("x2", ["self_report", "register"])
@pytest.mark.parametrize("as_of", ["2021-01-15", "2021-02-28", "2021-03-03"])
def test_of_spells_reaching_the_first_step_together_the_ladder_never_moves_back(
        x2: str, as_of: str) -> None:
    rows = (*X_AND_Y, job("X2", "2020-09-02", hours="38", employer="X", evidence=x2))
    priced = GAPPED.replace("amount: 1000.00", "amount: {register: 1000.00}")
    got = lines(priced, *rows, as_of=as_of)
    assert facts(got[0])[:2] == ("payable", "step:6 weeks")
    assert facts(got[1])[0] == ("payable" if as_of >= "2021-02-27" else "pending")
    if as_of >= "2021-02-27" or x2 == "self_report":  # Y's once it leads; X's is not paid
        assert got[0].evidence == got[1].evidence == ("Y1",)


def test_an_ended_spell_with_a_rival_still_running_is_not_said_to_be_beyond_reach() -> None:
    rows = (*X_AND_Y[:1], job("X2", "2020-09-02", "2020-12-31", hours="38", employer="X"),
            job("Y1", "2020-08-31", "2021-01-10", hours="38", employer="Y"),
            job("Z1", "2020-08-31", hours="38", employer="Z"))
    got = lines(GAPPED, *rows, as_of="2021-01-15")
    assert got[1].evidence == ("X1", "X2")  # paid as much that day, begun first
    assert "which ended on 2020-12-31 (steps_in_one_spell)" in got[1].reason


def test_a_first_step_awaiting_confirmation_gives_way_to_one_that_is_paid() -> None:
    """A second review: a self-reported first step, pending a confirmation until the
    deadline, held back the other job's payable instalments for 17 months."""
    priced = ONE_SPELL.replace("amount: 1000.00", "amount: {register: 1000.00}")
    rows = (job("E1", "2020-02-03", "2020-06-30", hours="38", employer="X",
                evidence="self_report"),
            job("E2", "2020-02-10", hours="38", employer="Y"))
    got = lines(priced, *rows, as_of="2020-08-20")
    assert [(*facts(ln), ln.evidence) for ln in got] == [
        ("payable", "step:6 weeks", D("2020-03-22"), Decimal("1000.00"), ("E2",)),
        ("payable", "step:6 months", D("2020-08-09"), Decimal("1000.00"), ("E2",))]


CONTINUOUS = BESIDE.replace("max_count: 2}", "max_count: 2, counting: continuous}")


def test_continuous_sustainment_is_paid_in_the_spell_reaching_it_first_and_stays_paid(
        ) -> None:
    """Second and third reviews: the count moved to the job beside and went back to pending
    a few days later; then, waiting in X's spell, more work (X2) paid later."""
    text = CONTINUOUS.replace("    sustainment", "    max_gap: 7 days\n    sustainment")
    rows = (job("X1", "2020-02-03", "2020-08-10", hours="38", employer="X"),
            job("B", "2020-08-01", "2020-09-30", hours="38", employer="Y"))
    more = (*rows, job("X2", "2020-08-16", hours="38", employer="X"))
    for got in (lines(text, *rows, as_of="2020-08-31"), lines(text, *more, as_of="2020-08-31"),
                lines(text, *more, as_of="2020-09-05")):
        assert (*facts(got[2]), got[2].evidence) == (
            "payable", "sustain:1", D("2020-08-30"), Decimal("100.00"), ("B",))
    assert got[2].reason.endswith("counted from 2020-08-03 in the spell from 2020-08-01 (B), "
                                  "which reached it first")


def test_cumulative_sustainment_counts_the_job_beside_in_the_spells_gaps_too() -> None:
    """A second review: another job of X, joined across a gap, made the job beside count
    only after X's last day, so more work paid later."""
    text = BESIDE.replace("    sustainment", "    max_gap: 7 days\n    sustainment")
    rows = (job("X1", "2020-02-03", "2020-08-10", hours="38", employer="X"),
            job("B", "2020-08-01", "2020-09-30", hours="38", employer="Y"))
    more = (*rows, job("X2", "2020-08-16", "2020-09-30", hours="38", employer="X"))
    for got in (lines(text, *rows, as_of="2020-09-10"), lines(text, *more, as_of="2020-09-10")):
        assert facts(got[2]) == ("payable", "sustain:1", D("2020-08-30"), Decimal("100.00"))
        assert got[3].reason.startswith("needs 17 more days")


@pytest.mark.parametrize(("b", "c", "said"), [
    # a spell inside the last step's is passed over: the break is after X's
    (("2020-04-10", "2020-06-30"), ("2020-09-01", "2020-09-28"),
     "counted from 2020-09-01, when work began again after a break longer than allowed ended "
     "the spell on 2020-08-10"),
    # Z's job, begun while X's ran, goes on after it: counted from the day after the payment
    (("2020-04-10", "2020-08-20"), ("2020-08-25", "2020-09-27"),
     "counted from 2020-08-31 in the spell from 2020-08-25 (C), after the spell from "
     "2020-02-03 ended on 2020-09-10"),
])
def test_continuous_sustainment_goes_on_in_the_spell_that_outlasts_the_ended_one(
        b: tuple[str, str], c: tuple[str, str], said: str) -> None:
    a_end = "2020-08-10" if c[0] == "2020-09-01" else "2020-09-10"
    rows = (job("A", "2020-02-03", a_end, hours="38", employer="X"),
            job("B", *b, hours="38", employer="Y"), job("C", c[0], hours="38", employer="Z"))
    got = [ln for ln in lines(CONTINUOUS, *rows, as_of="2021-08-01")
           if ln.evidence == ("C",)]
    assert facts(got[0])[2] == D(c[1])
    assert got[0].reason.endswith(said)


def test_a_change_of_employer_without_a_gap_is_not_called_a_break() -> None:
    rows = (job("A", "2020-02-03", "2020-08-10", hours="38", employer="X"),
            job("B", "2020-08-11", hours="38", employer="Y"))
    got = lines(CONTINUOUS, *rows, as_of="2021-08-01")[2]
    assert got.reason.endswith("counted from 2020-08-11 in the spell from 2020-08-11 (B), "
                               "after the spell from 2020-02-03 ended on 2020-08-10")


def test_a_pending_continuous_payment_counts_in_the_spell_still_running() -> None:
    """A second review (older than the rule): a short job of another employer, ended, made
    the pending payment ask for a new spell."""
    rows = (job("A", "2020-02-03", hours="38", employer="X"),
            job("B", "2020-08-05", "2020-08-15", hours="38", employer="Y"))
    got = lines(CONTINUOUS, *rows, as_of="2020-08-20")[2]
    assert got.reason.startswith("needs 10 more days")
    assert "18 of 28 days so far in the spell from 2020-08-03" in got.reason


# --- a third review -----------------------------------------------------------------------


@pytest.mark.parametrize("as_of", ["2020-10-11", "2020-10-12", "2021-03-01"])
def test_a_payable_later_step_keeps_its_spell_when_another_spell_is_paid_later(
        as_of: str) -> None:
    """A third review: a payable six months went back to pending when another job's first
    step became payable and outranked the first spell's pending one."""
    text = ONE_SPELL.replace("- {after: 6 weeks, amount: 1000.00}",
                             "- {after: 6 weeks, amount: {register: 1000.00}}")
    rows = (job("E1", "2020-02-03", hours="38", employer="X", evidence="self_report"),
            job("E2", "2020-09-01", hours="38", employer="Y"))
    second = lines(text, *rows, as_of=as_of)[1]
    assert (*facts(second), second.evidence) == (
        "payable", "step:6 months", D("2020-08-02"), Decimal("1000.00"), ("E1",))


@pytest.mark.parametrize(("every", "first"), [("1 week", "2020-03-15"), ("3 days", "2020-03-11")])
def test_cumulative_sustainment_counts_no_day_before_the_step_from_a_spell_beside(
        every: str, first: str) -> None:
    """A third review: another employer's days in the spell's gap before the step counted
    (sustainment paid on the step's day), or stopped the evaluation."""
    text = f"""
components:
  - id: ladder
    kind: milestones
    work: {{min_hours_per_week: 15, one_employer: true}}
    max_gap: 7 days
    steps:
      - {{after: 4 weeks, amount: 1000.00}}
    sustainment: {{every: {every}, amount: 100.00, max_count: 2}}
"""
    rows = (job("X1", "2020-02-03", "2020-02-16", hours="38", employer="X"),
            job("X2", "2020-02-24", "2020-03-31", hours="38", employer="X"),
            job("Y", "2020-02-11", "2020-02-29", hours="38", employer="Y"))
    got = lines(text, *rows, as_of="2020-06-01")
    assert facts(got[0])[2] == D("2020-03-08")
    assert facts(got[1])[1:3] == ("sustain:1", D(first))


# --- a step reached in several spells: the one paid first takes it ------------------------

EACH_STEP = """
components:
  - id: ladder
    kind: milestones
    work: {min_hours_per_week: 15, one_employer: true}
    steps:
      - {after: 6 weeks, amount: {register: 1000.00}}
      - {after: 6 months, amount: {register: 1000.00}}
"""
# X's self-reported job reaches six weeks on 2020-03-15 (not priced), Y's register-verified
# job on 2020-03-22 and six months on 2020-08-09
SELF_REPORTED_FIRST = (job("E1", "2020-02-03", "2020-06-30", hours="38", employer="X",
                           evidence="self_report"),
                       job("E2", "2020-02-10", hours="38", employer="Y"))


@pytest.mark.parametrize(("as_of", "first"), [
    ("2020-03-21", ("pending", "step:6 weeks", D("2020-03-15"), Decimal("1000.00"), ("E1",))),
    ("2020-03-22", ("payable", "step:6 weeks", D("2020-03-22"), Decimal("1000.00"), ("E2",))),
    ("2020-03-23", ("payable", "step:6 weeks", D("2020-03-22"), Decimal("1000.00"), ("E2",))),
    ("2021-08-01", ("payable", "step:6 weeks", D("2020-03-22"), Decimal("1000.00"), ("E2",))),
])
def test_a_step_first_reached_on_work_not_priced_is_paid_for_a_spell_that_is(
        as_of: str, first: tuple[object, ...]) -> None:
    """A third review: the self-reported job, reaching six weeks first, took the step, so
    adding it made the register-verified job's six weeks not earned (1,000 less)."""
    got = lines(EACH_STEP, *SELF_REPORTED_FIRST, as_of=as_of)
    assert (*facts(got[0]), got[0].evidence) == first
    alone = lines(EACH_STEP, SELF_REPORTED_FIRST[1], as_of=as_of)
    if first[0] == "payable":
        assert facts(got[0]) == facts(alone[0])


@pytest.mark.parametrize("as_of", ["2020-04-01", "2020-08-01", "2021-08-01"])
def test_of_spells_reaching_a_step_the_same_day_the_one_paid_most_takes_it(as_of: str) -> None:
    """A third review: of two spells reaching a step the same day, the one running on longest
    took it, so the step went from 1,000 on the register to 500 on a self-report as the
    self-reported job outlasted the other."""
    text = EACH_STEP.replace("{register: 1000.00}}", "{register: 1000.00, self_report: 500.00}}")
    rows = (job("E1", "2020-02-03", "2020-06-30", hours="38", employer="X"),
            job("E2", "2020-02-03", hours="38", employer="Y", evidence="self_report"))
    got = lines(text, *rows, as_of=as_of)
    assert (*facts(got[0]), got[0].evidence) == (
        "payable", "step:6 weeks", D("2020-03-15"), Decimal("1000.00"), ("E1",))


def test_an_earlier_step_on_a_lower_price_is_still_the_one_paid() -> None:
    """The step is paid for the spell paid first, not the best paid: as employment_outcome
    pays its first outcome, an outcome once payable never moves to a later, dearer one."""
    text = EACH_STEP.replace("{register: 1000.00}}", "{register: 1000.00, employer: 800.00}}")
    rows = (job("E1", "2020-02-03", hours="38", employer="X", evidence="employer"),
            job("E2", "2020-02-10", hours="38", employer="Y"))
    got = lines(text, *rows, as_of="2021-08-01")
    assert [(*facts(ln), ln.evidence) for ln in got] == [
        ("payable", "step:6 weeks", D("2020-03-15"), Decimal("800.00"), ("E1",)),
        ("payable", "step:6 months", D("2020-08-02"), Decimal("800.00"), ("E1",))]


AFTER_STEP = """
components:
  - id: ladder
    kind: milestones
    work: {min_hours_per_week: 15, one_employer: true}
    steps:
      - {after: 4 weeks, amount: 100.00}
    sustainment: {every: 4 weeks, amount: {register: 50.00}, max_count: 2}
"""


@pytest.mark.parametrize(("as_of", "sustain"), [
    ("2020-03-28", ("pending", "sustain:1", D("2021-07-14"), Decimal("50.00"),
                    ("E1", "Y1", "Z1"))),
    ("2020-03-29", ("payable", "sustain:1", D("2020-03-29"), Decimal("50.00"), ("Y1", "Z1"))),
    ("2020-03-30", ("payable", "sustain:1", D("2020-03-29"), Decimal("50.00"), ("Y1", "Z1"))),
])
def test_cumulative_sustainment_counts_a_day_two_jobs_cover_on_the_stronger_evidence(
        as_of: str, sustain: tuple[object, ...]) -> None:
    """A third review: after the step, a self-reported job and a register-verified one of
    other employers cover the same days; the self-reported one's were counted (it began
    first), so the payment was not priced. The days rest on both jobs, priced as the
    register-verified one's."""
    rows = (job("E1", "2020-02-03", "2020-03-01", hours="38", employer="X"),
            job("Z1", "2020-02-20", hours="38", employer="Z", evidence="self_report"),
            job("Y1", "2020-02-25", hours="38", employer="Y"))
    got = lines(AFTER_STEP, *rows, as_of=as_of)
    assert (*facts(got[1]), got[1].evidence) == sustain
    assert "self-reported" not in got[1].reason


CONTINUOUS_AFTER = AFTER_STEP.replace("max_count: 2}", "max_count: 2, counting: continuous}")


@pytest.mark.parametrize(("as_of", "sustain"), [
    ("2020-03-31", ("pending", "sustain:1", D("2020-03-29"), Decimal("50.00"), ("Z1",))),
    ("2020-04-01", ("payable", "sustain:1", D("2020-04-01"), Decimal("50.00"), ("Y1",))),
    ("2020-04-02", ("payable", "sustain:1", D("2020-04-01"), Decimal("50.00"), ("Y1",))),
])
def test_continuous_sustainment_reached_first_on_work_not_priced_is_paid_where_it_is(
        as_of: str, sustain: tuple[object, ...]) -> None:
    """A third review: the spell reaching a payment first took it even when its evidence
    was not priced, and held back a payment another spell had reached."""
    rows = (job("E1", "2020-02-03", "2020-03-01", hours="38", employer="X"),
            job("Z1", "2020-02-20", hours="38", employer="Z", evidence="self_report"),
            job("Y1", "2020-03-05", hours="38", employer="Y"))
    got = lines(CONTINUOUS_AFTER, *rows, as_of=as_of)
    assert (*facts(got[1]), got[1].evidence) == sustain
    if sustain[0] == "payable":
        assert got[1].reason.endswith(
            "(sustainment 1 of 2); counted from 2020-03-05 in the spell from 2020-03-05 (Y1), "
            "after the spell from 2020-02-03 ended on 2020-03-01; the spell from 2020-02-20 "
            "(Z1) reached it earlier, on 2020-03-29, but on evidence 'self_report', which the "
            "price table does not price")


def test_continuous_sustainment_leaves_a_running_spell_not_priced_for_one_that_is() -> None:
    rows = (job("E1", "2020-02-03", hours="38", employer="X", evidence="self_report"),
            job("Y1", "2020-03-05", hours="38", employer="Y"))
    got = lines(CONTINUOUS_AFTER, *rows, as_of="2020-12-31")
    assert [(*facts(ln), ln.evidence) for ln in got] == [
        ("payable", "step:4 weeks", D("2020-03-01"), Decimal("100.00"), ("E1",)),
        ("payable", "sustain:1", D("2020-04-01"), Decimal("50.00"), ("Y1",)),
        ("payable", "sustain:2", D("2020-04-29"), Decimal("50.00"), ("Y1",))]
    assert got[1].reason.endswith(
        "(sustainment 1 of 2); counted from 2020-03-05 in the spell from 2020-03-05 (Y1); the "
        "spell from 2020-02-03 (E1) reached it earlier, on 2020-03-29, but on evidence "
        "'self_report', which the price table does not price")


# --- a review of the spell paid first -------------------------------------------------------

def test_a_step_not_priced_awaits_another_spell_which_is_paid() -> None:
    """A review: a register-verified job where only employer-confirmed work is priced made the
    step 'lost on its benefit test' and stopped the evaluation (there is no test). Later it
    was not_earned at once, and payable when another employer's job reached the step, with
    no new rows: while the deadline is ahead it awaits another spell."""
    text = EACH_STEP.replace("{register: 1000.00}}", "{employer: 800.00}}")
    alone = lines(text, job("E1", "2020-02-03", hours="38", employer="X"), as_of="2020-04-01")
    assert [(*facts(ln)[:4], ln.evidence) for ln in alone][:1] == [
        ("pending", "step:6 weeks", D("2021-07-14"), Decimal("800.00"), ("E1",))]
    assert alone[0].reason == (
        "needs a new spell of 42 days of qualifying work (15 h/week or more, open) by "
        "2021-07-14, when the follow-up ends; the spell from 2020-02-03 (E1) reached 6 weeks "
        "on 2020-03-15, but on evidence 'register', which the price table does not price")
    both = lines(text, job("E1", "2020-02-03", hours="38", employer="X"),
                 job("E2", "2020-02-10", hours="38", employer="Y", evidence="employer"),
                 as_of="2020-04-01")
    assert (*facts(both[0]), both[0].evidence) == (
        "payable", "step:6 weeks", D("2020-03-22"), Decimal("800.00"), ("E2",))


# after the step (E1, 2020-03-01) the payment is counted from 2020-03-02: Z1, on the register,
# reaches 4 weeks on 2020-03-29, where only employer-confirmed work is priced (no
# confirmation can price it); Y1, employer-confirmed, on 2020-04-01
EMPLOYER_PRICED_AFTER = CONTINUOUS_AFTER.replace("{register: 50.00}", "{employer: 50.00}")
UNPRICED_THEN_PRICED = (job("E1", "2020-02-03", "2020-03-01", hours="38", employer="X"),
                          job("Z1", "2020-02-20", hours="38", employer="Z"),
                          job("Y1", "2020-03-05", hours="38", employer="Y", evidence="employer"))


@pytest.mark.parametrize(("as_of", "sustain"), [
    ("2020-03-31", ("pending", "sustain:1", D("2021-07-14"), Decimal("50.00"), ("Y1", "Z1"))),
    ("2020-04-01", ("payable", "sustain:1", D("2020-04-01"), Decimal("50.00"), ("Y1",))),
    ("2020-04-02", ("payable", "sustain:1", D("2020-04-01"), Decimal("50.00"), ("Y1",))),
])
def test_continuous_sustainment_not_priced_awaits_another_spell(
        as_of: str, sustain: tuple[object, ...]) -> None:
    """The payment was not_earned on 2020-03-31 and payable, on Y1, the day after, with no
    new rows."""
    got = lines(EMPLOYER_PRICED_AFTER, *UNPRICED_THEN_PRICED, as_of=as_of)
    assert (*facts(got[1]), got[1].evidence) == sustain
    if sustain[0] == "pending":
        assert got[1].reason == (
            "needs 1 more day of qualifying work (15 h/week or more, open) by 2021-07-14, when "
            "the follow-up ends; 27 of 28 days so far in the spell from "
            "2020-03-05 (sustainment 1 of 2); the spell from 2020-02-20 (Z1) reached it on "
            "2020-03-29, but on evidence 'register', which the price table does not price")
        assert len(got) == 2  # the second payment waits for the first


@pytest.mark.parametrize("as_of", ["2020-04-01", "2020-04-02"])
def test_continuous_sustainment_not_priced_goes_to_a_spell_a_confirmation_may_price(
        as_of: str) -> None:
    """Of two spells not priced, the one reaching the payment first (on the register, which
    no confirmation can price) held it, and the later self-reported one, which an employer's
    confirmation would make payable, was not named."""
    reported = job("S1", "2020-03-05", hours="38", employer="W", evidence="self_report")
    got = lines(EMPLOYER_PRICED_AFTER, *UNPRICED_THEN_PRICED[:2], reported, as_of=as_of)
    assert (*facts(got[1]), got[1].evidence) == (
        "pending", "sustain:1", D("2020-04-01"), Decimal("50.00"), ("S1",))
    assert got[1].reason.endswith(
        "(sustainment 1 of 2); counted from 2020-03-05 in the spell from 2020-03-05 (S1), "
        "after the spell from 2020-02-03 ended on 2020-03-01; the spell from 2020-02-20 (Z1) "
        "reached it earlier, on 2020-03-29, but on evidence "
        "'register', which the price table does not price; the price table has no price for "
        "self-reported work (evidence 'self_report'): needs confirmation by the employer by "
        "2021-07-14, when the follow-up ends")


@pytest.mark.parametrize(("as_of", "status"), [
    ("2021-07-13", "pending"), ("2021-07-14", "not_earned"), ("2021-07-15", "not_earned")])
def test_continuous_sustainment_not_priced_is_lost_once_the_deadline_passes(
        as_of: str, status: str) -> None:
    got = lines(EMPLOYER_PRICED_AFTER, *UNPRICED_THEN_PRICED[:2], as_of=as_of)
    assert facts(got[1])[:2] == (status, "sustain:1")
    if status == "not_earned":
        assert got[1].reason.endswith("but the price table has no price for register-verified "
                                      "work (evidence 'register')")


COUNTED_ON = ("needs 28 days of qualifying work (15 h/week or more, open) by 2021-07-14, when "
              "the follow-up ends; counted from 2020-03-30 in the spell from 2020-02-03 (E1) "
              "(sustainment 2 of 2)")


# payment 1 is reached on 2020-03-29
@pytest.mark.parametrize(("end", "as_of", "reason", "evidence"), [
    ("", "2020-03-29", COUNTED_ON, ("E1",)),
    ("2020-03-30", "2020-03-29", COUNTED_ON, ("E1",)),
    ("", "2020-03-30", "needs 27 more days of qualifying work (15 h/week or more, open) by "
                       "2021-07-14, when the follow-up ends; 1 of 28 days so far in the spell "
                       "from 2020-03-30 (sustainment 2 of 2)", ("E1",)),
    # the job ends the day the payment is reached: a job joining it starts a new count
    ("2020-03-29", "2020-03-29", "needs a new spell of 28 days of qualifying work (15 h/week "
                                 "or more, open) by 2021-07-14, when the follow-up ends "
                                 "(sustainment 2 of 2)", ()),
])
def test_continuous_sustainment_reached_today_is_counted_on_in_the_running_spell(
        end: str, as_of: str, reason: str, evidence: tuple[str, ...]) -> None:
    """A review: on the day a payment was reached, the next said "needs a new spell of 28
    days" and cited no evidence, though the job ran on."""
    got = lines(CONTINUOUS_AFTER, job("E1", "2020-02-03", end, hours="38", employer="X"),
                as_of=as_of)
    assert [facts(ln)[:2] for ln in got[1:]] == [("payable", "sustain:1"),
                                                ("pending", "sustain:2")]
    assert (got[2].reason, got[2].evidence) == (reason, evidence)


def test_continuous_sustainment_passed_over_today_names_the_longest_spell_too() -> None:
    """A second review: counted on in the spell going on, the reason lost the longest
    other spell so far, and its ids."""
    got = lines(EMPLOYER_PRICED_AFTER, job("E1", "2020-02-03", hours="38", employer="X"),
                job("Z1", "2020-03-02", "2020-03-20", hours="38", employer="Z"),
                as_of="2020-03-29")
    assert (facts(got[1])[:2], got[1].evidence) == (("pending", "sustain:1"), ("E1", "Z1"))
    assert got[1].reason.startswith(
        "needs 28 days of qualifying work (15 h/week or more, open) by 2021-07-14, when the "
        "follow-up ends; counted from 2020-03-30 in the spell from 2020-02-03 (E1); the "
        "longest spell so far, 2020-03-02..2020-03-20 (Z1), has 19 of 28 days (sustainment 1 "
        "of 2); the spell from 2020-02-03 (E1) reached it on 2020-03-29")


# one employer's job: on the register until 2020-03-29 (E1), confirmed by the employer from
# 2020-03-30 (E2), one spell; the payment counted from 2020-03-02 is reached on the register
# on 2020-03-29, then on confirmed work alone from 2020-03-30 on 2020-04-26
ONE_JOB_CONFIRMED_LATER = (job("E1", "2020-02-03", "2020-03-29", hours="38", employer="X"),
                           job("E2", "2020-03-30", hours="38", employer="X",
                               evidence="employer"))
# the same with all counted work added up (one track, no spells) for the steps
CUMULATIVE_STEPS = EMPLOYER_PRICED_AFTER.replace("one_employer: true}",
                                                 "}\n    counting: cumulative")
PASSED_OVER = ("employment E2 reached 4 weeks (28 days) of continuous work since 2020-03-30 on "
               "2020-04-26 at 38 h/week, employer-confirmed{one} (sustainment 1 of 2); the "
               "spell from 2020-02-03 (E1 and E2) reached it earlier, on 2020-03-29, but on "
               "evidence 'register', which the price table does not price")


@pytest.mark.parametrize(("contract", "one"), [(EMPLOYER_PRICED_AFTER, ", one employer (X)"),
                                               (CUMULATIVE_STEPS, "")])
@pytest.mark.parametrize(("as_of", "sustain"), [
    ("2020-04-25", ("pending", "sustain:1", D("2021-07-14"), Decimal("50.00"), ("E2", "E1"))),
    ("2020-04-26", ("payable", "sustain:1", D("2020-04-26"), Decimal("50.00"), ("E2",))),
    ("2020-04-27", ("payable", "sustain:1", D("2020-04-26"), Decimal("50.00"), ("E2",))),
])
def test_continuous_sustainment_passes_over_a_reach_not_priced_and_counts_on(
        contract: str, one: str, as_of: str, sustain: tuple[object, ...]) -> None:
    """A review: one job's register-verified weeks reached the payment, which then awaited
    another spell (a spell that could not exist with the steps' work added up) until the
    deadline, holding back the job's confirmed weeks after them; once the deadline passed,
    payment 2 was payable on them, with no new rows."""
    got = lines(contract, *ONE_JOB_CONFIRMED_LATER, as_of=as_of)
    assert (*facts(got[1]), got[1].evidence) == sustain
    if sustain[0] == "pending":
        assert got[1].reason == (
            "needs 1 more day of qualifying work (15 h/week or more, open) by 2021-07-14, when "
            "the follow-up ends; 27 of 28 days so far"
            + (" in the spell from 2020-03-30" if one else "") + " (sustainment 1 of 2); the "
            "spell from 2020-02-03 (E1 and E2) reached it on 2020-03-29, but on evidence "
            "'register', which the price table does not price")
        assert len(got) == 2  # the second payment waits for the first
    else:
        assert got[1].reason == PASSED_OVER.format(one=one)
        assert facts(got[2])[:2] == ("pending", "sustain:2")


@pytest.mark.parametrize("contract", [EMPLOYER_PRICED_AFTER, CUMULATIVE_STEPS])
def test_continuous_sustainment_passed_over_pays_every_payment_on_confirmed_work(
        contract: str) -> None:
    got = lines(contract, *ONE_JOB_CONFIRMED_LATER, as_of="2021-07-14")
    assert [(*facts(ln), ln.evidence) for ln in got[1:]] == [
        ("payable", "sustain:1", D("2020-04-26"), Decimal("50.00"), ("E2",)),
        ("payable", "sustain:2", D("2020-05-24"), Decimal("50.00"), ("E2",))]
    assert got[2].reason.startswith("employment E2 reached 4 weeks (28 days) of continuous "
                                    "work since 2020-04-27 on 2020-05-24")


# S1, self-reported (a confirmation may price it), reaches the payment first, on
# 2020-03-29; one employer's job on the register (E1), then confirmed (E2), passes over its
# reach on 2020-04-08 and reaches it on confirmed work on 2020-05-06
CONFIRMABLE_THEN_PRICED = (
    job("S1", "2020-02-03", hours="38", employer="Y", evidence="self_report"),
    job("E1", "2020-03-12", "2020-04-08", hours="38", employer="X"),
    job("E2", "2020-04-09", hours="38", employer="X", evidence="employer"))


@pytest.mark.parametrize(("as_of", "sustain"), [
    ("2020-04-26", ("pending", "sustain:1", D("2020-03-29"), Decimal("50.00"), ("S1",))),
    ("2020-05-05", ("pending", "sustain:1", D("2020-03-29"), Decimal("50.00"), ("S1",))),
    ("2020-05-06", ("payable", "sustain:1", D("2020-05-06"), Decimal("50.00"), ("E2",))),
    ("2020-05-07", ("payable", "sustain:1", D("2020-05-06"), Decimal("50.00"), ("E2",))),
])
def test_continuous_sustainment_after_one_awaiting_a_confirmation_waits_for_it(
        as_of: str, sustain: tuple[object, ...]) -> None:
    """A review: payment 2, counted from the day after a payment waiting for a confirmation,
    was payable on 2020-04-26 and withdrawn on 2020-05-06, with no new rows, when a spell
    on priced evidence took payment 1."""
    got = lines(EMPLOYER_PRICED_AFTER, *CONFIRMABLE_THEN_PRICED, as_of=as_of)
    assert (*facts(got[1]), got[1].evidence) == sustain
    if sustain[0] == "pending":
        assert len(got) == 2  # payment 2 waits for payment 1
    else:
        assert facts(got[2])[:2] == ("pending", "sustain:2")


# reaches passed over on 2020-03-29 and 2020-04-26: the work is counted again from
# 2020-04-27 (said from 2020-04-26, the day of the second)
@pytest.mark.parametrize(("as_of", "again"), [
    ("2020-04-25", None), ("2020-04-26", "2020-04-26"), ("2020-04-27", "2020-04-26"),
    ("2020-04-28", "2020-04-26")])
def test_continuous_sustainment_says_where_work_is_counted_again_from(
        as_of: str, again: str | None) -> None:
    """A review: after reaches passed over, the work so far was said to be "in the spell
    from" the day after the last of them, which is no spell's first day."""
    got = lines(EMPLOYER_PRICED_AFTER, job("E1", "2020-02-03", hours="38", employer="X"),
                as_of=as_of)
    assert facts(got[1])[:2] == ("pending", "sustain:1")
    said = "; counted again from the day after each reach not priced, the last on "
    assert got[1].reason.endswith(
        "the spell from 2020-02-03 (E1) reached it on 2020-03-29, but on evidence 'register', "
        "which the price table does not price" + (said + again if again else ""))


@pytest.mark.parametrize("as_of", ["2020-03-28", "2020-03-29", "2020-05-01"])
def test_cumulative_sustainment_counts_a_day_two_spells_cover_at_the_best_of_each(
        as_of: str) -> None:
    """A review: a register-verified subsidised job (weight 0.5) beside a self-reported open
    one took their days at half weight on the stronger evidence, and paid less than the
    self-reported job alone; a day counts at the heavier weight on the stronger evidence."""
    text = """
components:
  - id: ladder
    kind: milestones
    work: {min_hours_per_week: 15, one_employer: true, kinds: {open: 1, subsidised: 0.5}}
    steps:
      - {after: 4 weeks, amount: 100.00}
    sustainment: {every: 4 weeks, amount: {register: 50.00, self_report: 40.00}, max_count: 2}
"""
    x = job("E1", "2020-02-03", hours="38", employer="X", evidence="self_report")
    y = job("Y1", "2020-03-02", hours="38", employer="Y", kind="subsidised")
    alone = [facts(ln) for ln in lines(text, x, as_of=as_of)]
    both = lines(text, x, y, as_of=as_of)
    paid = [ln for ln in both if ln.status == "payable"]
    assert sum(ln.amount for ln in paid) >= sum(f[3] for f in alone if f[0] == "payable")
    if as_of >= "2020-03-29":  # 56 days on 2020-03-29, every one counted
        assert (*facts(both[1]), both[1].evidence) == (
            "payable", "sustain:1", D("2020-03-29"), Decimal("50.00"), ("E1", "Y1"))
    else:
        assert facts(both[1])[:2] == ("pending", "sustain:1")


SAME_DAY_SUSTAIN = """
components:
  - id: ladder
    kind: milestones
    work: {min_hours_per_week: 15, one_employer: true}
    steps:
      - {after: 4 weeks, amount: 100.00}
    sustainment: {every: 4 weeks, amount: {register: 50.00, employer: 40.00}, max_count: 2,
                  counting: continuous}
"""


@pytest.mark.parametrize("b_id", ["B1", "A0"])
def test_continuous_sustainment_reached_the_same_day_pays_the_spell_paid_most(b_id: str) -> None:
    """A review: of two spells reaching a payment the same day, the order of their event ids
    decided, so an employer-confirmed job named first took it at 40.00 from a register-verified
    one at 50.00 (and adding it paid less)."""
    rows = (job("X1", "2020-02-03", "2020-03-15", hours="38", employer="X"),
            job("A1", "2020-04-01", hours="38", employer="W", evidence="employer"),
            job(b_id, "2020-04-01", hours="38", employer="Y"))
    got = lines(SAME_DAY_SUSTAIN, *rows, as_of="2020-08-01")
    assert (*facts(got[1]), got[1].evidence) == (
        "payable", "sustain:1", D("2020-04-28"), Decimal("50.00"), (b_id,))


@pytest.mark.parametrize("as_of", ["2020-06-30", "2020-07-01", "2020-07-02"])
def test_a_step_and_its_sustainment_keep_their_spell_as_the_days_go_by(as_of: str) -> None:
    """A review: two jobs begun the same day reach the step together; once the register-
    verified one ended, the one running on longest took the step and the sustainment
    followed it at the employer-confirmed price (50.00 went to 40.00 with no new rows)."""
    rows = (job("E1", "2020-02-03", "2020-06-30", hours="38", employer="X"),
            job("E2", "2020-02-03", hours="38", employer="Y", evidence="employer"))
    got = lines(SAME_DAY_SUSTAIN, *rows, as_of=as_of)
    assert [(*facts(ln), ln.evidence) for ln in got] == [
        ("payable", "step:4 weeks", D("2020-03-01"), Decimal("100.00"), ("E1",)),
        ("payable", "sustain:1", D("2020-03-29"), Decimal("50.00"), ("E1",)),
        ("payable", "sustain:2", D("2020-04-26"), Decimal("50.00"), ("E1",))]


def test_a_break_is_still_said_when_the_spell_not_priced_began_after_it_too() -> None:
    text = CONTINUOUS_AFTER.replace("    steps:", "    max_gap: 7 days\n    steps:").replace(
        "max_count: 2", "max_count: 3")
    rows = (job("X1", "2020-02-03", "2020-04-30", hours="38", employer="X"),
            job("Z1", "2020-05-20", hours="38", employer="Z", evidence="self_report"),
            job("Y1", "2020-05-25", hours="38", employer="Y"))
    got = lines(text, *rows, as_of="2020-08-01")
    assert (*facts(got[1]), got[1].evidence) == (
        "payable", "sustain:1", D("2020-03-29"), Decimal("50.00"), ("X1",))
    assert got[3].reason.endswith(
        "(sustainment 3 of 3); counted from 2020-05-25, when work began again after a break "
        "longer than allowed ended the spell on 2020-04-30; the spell from 2020-05-20 (Z1) "
        "reached it earlier, on 2020-06-16, but on evidence 'self_report', which the price "
        "table does not price")


# --- a second review of the spell paid first -------------------------------------------------

def test_cumulative_sustainment_counts_a_day_on_the_evidence_it_pays_most_for() -> None:
    """A second review: a register-verified job beside the step's employer-confirmed one took
    the day's evidence, which the table does not price, and the payment was lost (a table
    may price employer-confirmed work and not the register)."""
    text = """
components:
  - id: ladder
    kind: milestones
    work: {min_hours_per_week: 15, one_employer: true}
    steps:
      - {after: 4 weeks, amount: {employer: 100.00, self_report: 50.00}}
    sustainment: {every: 4 weeks, amount: {employer: 50.00, self_report: 25.00}, max_count: 2}
"""
    x = job("X1", "2020-02-03", hours="38", employer="X", evidence="employer")
    z = job("Z1", "2020-03-10", hours="20", employer="Z")
    alone = lines(text, x, as_of="2020-05-01")
    both = lines(text, x, z, as_of="2020-05-01")
    assert [facts(ln)[:4] for ln in both] == [facts(ln)[:4] for ln in alone] == [
        ("payable", "step:4 weeks", D("2020-03-01"), Decimal("100.00")),
        ("payable", "sustain:1", D("2020-03-29"), Decimal("50.00")),
        ("payable", "sustain:2", D("2020-04-26"), Decimal("50.00"))]
    # the days both cover rest on both jobs, their hours added, as in one spell
    assert both[2].evidence == ("X1", "Z1")
    assert "on 2020-04-26 at 58 h/week, employer-confirmed" in both[2].reason


def test_continuous_sustainment_paid_more_in_a_spell_beside_does_not_say_it_came_first() -> None:
    rows = (job("X1", "2020-02-03", hours="20", employer="X", evidence="employer"),
            job("Y1", "2020-03-02", hours="20", employer="Y"))
    got = lines(SAME_DAY_SUSTAIN, *rows, as_of="2020-05-01")
    assert (*facts(got[1]), got[1].evidence) == (
        "payable", "sustain:1", D("2020-03-29"), Decimal("50.00"), ("Y1",))
    assert got[1].reason.endswith("(sustainment 1 of 2); counted from 2020-03-02 in the spell "
                                  "from 2020-03-02 (Y1)")
