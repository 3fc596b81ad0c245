"""employment_outcome: thresholds, windows, spells, weights, evidence and corrections."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from conftest import CONTRACT_HEAD, contract_from, one

from rewardengine.evaluate.lines import Line

COLUMNS = ("event_id", "customer_id", "type", "date", "recorded", "end", "void", "provider",
           "segment", "unemployed_since", "birth_date", "hours", "activity", "responded", "kind",
           "evidence", "fte", "hours_per_week")

# referral at 2020-01-10 (7 months unemployed: segment A), service 2020-01-15..2021-01-14,
# follow-up to 2021-07-14
START = "r1,c1,referral,2020-01-10,,,,acme,,2019-06-01\ns1,c1,service_start,2020-01-15\n"


def job(eid: str, start: str, end: str = "", *, fte: str = "", hours: str = "",
        kind: str = "open", evidence: str = "register", recorded: str = "",
        void: str = "") -> str:
    cells = {"event_id": eid, "customer_id": "c1", "type": "employment", "date": start,
             "end": end, "fte": fte, "hours_per_week": hours, "kind": kind,
             "evidence": evidence, "recorded": recorded, "void": void}
    return ",".join(cells.get(c, "") for c in COLUMNS)


def lines(contract: str, *rows: str, as_of: str, head: str = CONTRACT_HEAD,
          extra: str = "") -> list[Line]:
    loaded = contract_from(contract, head)
    return one(loaded, START + extra + "\n".join(rows), as_of).lines


def facts(ln: Line) -> tuple[str, str, date | None, Decimal, tuple[str, ...]]:
    return (ln.status, ln.occurrence, ln.date, ln.amount, ln.evidence)


D = date.fromisoformat
FOLLOW_UP_ENDS = D("2021-07-14")

FTE80 = """
components:
  - id: job90
    kind: employment_outcome
    work: {min_fte: 0.80}
    min_duration: 90 days
    amount: {register: 750.00, self_report: 190.00}
"""

HOURS30 = """
components:
  - id: job90
    kind: employment_outcome
    work: {min_hours_per_week: 30}
    min_duration: 90 days
    amount: 750.00
"""


# --- the threshold -------------------------------------------------------------------------

@pytest.mark.parametrize(("end", "status", "on"), [
    ("2020-04-30", "payable", D("2020-04-30")),  # Feb 1 .. Apr 30 = 90 days
    ("2020-04-29", "pending", FOLLOW_UP_ENDS),  # 89 days
])
def test_89_vs_90_days(end: str, status: str, on: date) -> None:
    got = lines(FTE80, job("E1", "2020-02-01", end, fte="1.0"), as_of="2020-06-01")
    assert len(got) == 1
    assert (got[0].status, got[0].date, got[0].amount) == (status, on, Decimal("750.00"))
    if status == "payable":
        assert got[0].occurrence == "spell:E1"
        assert got[0].evidence == ("E1",)
        assert got[0].reason == ("employment E1 reached 90 days on 2020-04-30 at 1.00 FTE, "
                                 "register-verified")
        assert (got[0].period_start, got[0].period_end) == (D("2020-02-01"), D("2020-05-01"))
    else:
        assert got[0].occurrence == "next"
        assert "needs a new spell of 90 days of qualifying work (0.80 FTE or more, open) " \
               "by 2021-07-14, when the follow-up ends" in got[0].reason
        assert "2020-02-01..2020-04-29 (E1), has 89 of 90 days" in got[0].reason


@pytest.mark.parametrize(("contract", "fte", "hours", "qualifies", "note"), [
    (FTE80, "0.79", "", False, "job E1 at 0.79 FTE is below 0.80"),
    (FTE80, "0.80", "", True, ""),
    (FTE80, "", "29.9", False, "job E1 at 29.9 h/week (0.7973 FTE) is below 0.80 FTE"),
    (FTE80, "", "30", True, ""),
    (HOURS30, "", "29.9", False, "job E1 at 29.9 h/week is below 30 h/week"),
    (HOURS30, "", "30", True, ""),
    (HOURS30, "0.79", "", False, "job E1 at 29.625 h/week is below 30 h/week"),
    (HOURS30, "0.80", "", True, ""),
])
def test_79_vs_80_percent(contract: str, fte: str, hours: str, qualifies: bool,
                          note: str) -> None:
    got = lines(contract, job("E1", "2020-02-01", fte=fte, hours=hours), as_of="2021-08-01")
    assert len(got) == 1
    if qualifies:
        assert facts(got[0]) == ("payable", "spell:E1", D("2020-04-30"), Decimal("750.00"),
                                 ("E1",))
    else:
        assert facts(got[0]) == ("not_earned", "next", FOLLOW_UP_ENDS, Decimal("750.00"), ())
        assert got[0].reason.startswith("no qualifying work (")
        assert got[0].reason.endswith("by 2021-07-14, when the follow-up ends; not counted: "
                                      + note)


def test_two_part_time_jobs_sum_to_the_fte_threshold() -> None:
    together = lines(FTE80, job("E1", "2020-02-01", fte="0.40"),
                     job("E2", "2020-03-01", fte="0.40"), as_of="2020-08-01")
    # both run from Mar 1: 90 days to May 29
    assert [facts(ln) for ln in together] == [
        ("payable", "spell:E1", D("2020-05-29"), Decimal("750.00"), ("E1", "E2"))]
    assert "employment E1 and E2 reached 90 days on 2020-05-29 at 0.80 FTE" in \
        together[0].reason
    alone = lines(FTE80, job("E1", "2020-02-01", fte="0.40"), as_of="2020-08-01")
    assert [ln.status for ln in alone] == ["pending"]
    assert "not counted: job E1 at 0.40 FTE is below 0.80" in alone[0].reason


def test_part_time_jobs_in_hours_sum_exactly() -> None:
    # 5 + 5 + 20 h at 37.5 is exactly 0.80 FTE (a naive division sums to 0.7999...)
    got = lines(FTE80, job("E1", "2020-02-01", hours="5"), job("E2", "2020-02-01", hours="5"),
                job("E3", "2020-02-01", hours="20"), as_of="2020-06-01")
    assert [facts(ln) for ln in got] == [
        ("payable", "spell:E1", D("2020-04-30"), Decimal("750.00"), ("E1", "E2", "E3"))]


# --- windows and deadlines -----------------------------------------------------------------

def test_reached_one_day_after_the_window() -> None:
    # 90 days from Apr 17 end on Jul 15, 2021; the follow-up's last day is Jul 14
    got = lines(FTE80, job("E1", "2021-04-17", fte="1.0", evidence="self_report"),
                as_of="2021-08-01")
    assert [facts(ln) for ln in got] == [
        ("not_earned", "spell:E1", FOLLOW_UP_ENDS, Decimal("190.00"), ("E1",))]
    assert got[0].reason == ("threshold of 90 days reached on 2021-07-15, one day after the "
                             "outcome window closed on 2021-07-14")


def test_reached_on_the_last_day_of_the_window() -> None:
    got = lines(FTE80, job("E1", "2021-04-16", fte="1.0"), as_of="2021-08-01")
    assert [facts(ln) for ln in got] == [
        ("payable", "spell:E1", D("2021-07-14"), Decimal("750.00"), ("E1",))]


def test_reached_one_day_before_the_end_of_the_window() -> None:
    got = lines(FTE80, job("E1", "2021-04-15", fte="1.0"), as_of="2021-08-01")
    assert [facts(ln) for ln in got] == [
        ("payable", "spell:E1", D("2021-07-13"), Decimal("750.00"), ("E1",))]


def test_the_spell_first_reached_after_the_window_names_the_lost_outcome() -> None:
    # two spells reach 90 days after the window, E2's (from Jul 20, on Oct 17) listed first
    # and E1's (Apr 17..Jul 15, on Jul 15) reached first: the one late hit found chooses the
    # occurrence and writes the reason
    got = lines(FTE80, job("E2", "2021-07-20", fte="1.0"),
                job("E1", "2021-04-17", "2021-07-15", fte="1.0"), as_of="2021-11-01")
    assert [facts(ln) for ln in got] == [
        ("not_earned", "spell:E1", FOLLOW_UP_ENDS, Decimal("750.00"), ("E1",))]
    assert got[0].reason.startswith("threshold of 90 days reached on 2021-07-15, one day "
                                    "after the outcome window closed on 2021-07-14")


GRACE_HEAD = CONTRACT_HEAD.replace("  follow_up: 6 months\n",
                                  "  follow_up: 6 months\n  grace: 1 month\n")


def test_grace_extends_the_deadline() -> None:
    head = GRACE_HEAD
    got = lines(FTE80, job("E1", "2021-04-17", fte="1.0"), as_of="2021-08-01", head=head)
    assert [facts(ln) for ln in got] == [
        ("payable", "spell:E1", D("2021-07-15"), Decimal("750.00"), ("E1",))]
    late = lines(FTE80, job("E1", "2021-05-20", fte="1.0"), as_of="2021-09-01", head=head)
    assert late[0].reason == ("threshold of 90 days reached on 2021-08-17, 3 days after the "
                              "outcome window, with 1 month grace, closed on 2021-08-14")


def test_work_before_the_service_start_does_not_count() -> None:
    got = lines(FTE80, job("E1", "2019-12-01", fte="1.0"), as_of="2020-06-01")
    # counted from the service start 2020-01-15: 90 days to 2020-04-13
    assert [facts(ln) for ln in got] == [
        ("payable", "spell:E1", D("2020-04-13"), Decimal("750.00"), ("E1",))]
    before = lines(FTE80, job("E1", "2019-10-01", "2020-01-10", fte="1.0"), as_of="2020-02-01")
    assert before[0].status == "pending"
    assert "not counted: job E1 ended on 2020-01-10, before the service started on " \
           "2020-01-15" in before[0].reason


EIGHT_MONTHS = """
components:
  - id: job8m
    kind: employment_outcome
    min_duration: 8 months
    amount: 1000.00
"""
OUTCOMES_UNTIL = CONTRACT_HEAD.replace("  follow_up: 6 months\n",
                                       "  follow_up: 6 months\n  outcomes_until: 2020-12-31\n")


def test_trap_eight_months_complete_after_the_contract_year() -> None:
    job_e1 = job("E1", "2020-06-01", fte="1.0")
    pending = lines(EIGHT_MONTHS, job_e1, as_of="2020-10-01", head=OUTCOMES_UNTIL)
    assert [facts(ln) for ln in pending] == [
        ("pending", "spell:E1", D("2020-12-31"), Decimal("1000.00"), ("E1",))]
    assert pending[0].reason == (
        "needs 122 more days of qualifying work (open) by 2020-12-31, the contract's "
        "outcomes_until date; 123 of 245 days so far in the spell from 2020-06-01; only 91 "
        "days remain, so it cannot be reached in time on the work known so far")
    lost = lines(EIGHT_MONTHS, job_e1, as_of="2021-03-01", head=OUTCOMES_UNTIL)
    assert [facts(ln) for ln in lost] == [
        ("not_earned", "spell:E1", D("2020-12-31"), Decimal("1000.00"), ("E1",))]
    assert lost[0].reason == ("threshold of 8 months reached on 2021-01-31, 31 days after the "
                              "contract's outcomes_until date, 2020-12-31")
    # without outcomes_until the same work pays
    paid = lines(EIGHT_MONTHS, job_e1, as_of="2021-03-01")
    assert [facts(ln) for ln in paid] == [
        ("payable", "spell:E1", D("2021-01-31"), Decimal("1000.00"), ("E1",))]
    assert paid[0].reason.startswith("employment E1 reached 8 months (245 days) on 2021-01-31")


def test_reach_by() -> None:
    contract = FTE80 + "    reach_by: 2020-04-29\n"
    got = lines(contract, job("E1", "2020-02-01", fte="1.0"), as_of="2020-06-01")
    assert [facts(ln) for ln in got] == [
        ("not_earned", "spell:E1", D("2020-04-29"), Decimal("750.00"), ("E1",))]
    assert got[0].reason == ("threshold of 90 days reached on 2020-04-30, one day after the "
                             "component's reach_by date, 2020-04-29")


# reach_within: 6 months from the service start 2020-01-15 end on 2020-07-14 (2020-07-15,
# exclusive); 90 days from 2020-04-16 end on 2020-07-14
WITHIN = FTE80 + "    reach_within: 6 months\n"
WITHIN_ENDS = ", one day after the component's reach_within of 6 months from the service start"


@pytest.mark.parametrize(("start", "status", "on", "reason"), [
    ("2020-04-15", "payable", D("2020-07-13"),
     "employment E1 reached 90 days on 2020-07-13 at 1.00 FTE, register-verified"),
    ("2020-04-16", "payable", D("2020-07-14"),
     "employment E1 reached 90 days on 2020-07-14 at 1.00 FTE, register-verified"),
    ("2020-04-17", "not_earned", D("2020-07-14"),
     f"threshold of 90 days reached on 2020-07-15{WITHIN_ENDS}, 2020-07-14"),
])
def test_reach_within_one_day_short_on_and_over(start: str, status: str, on: date,
                                                reason: str) -> None:
    got = lines(WITHIN, job("E1", start, fte="1.0"), as_of="2020-09-01")
    assert [facts(ln) for ln in got] == [(status, "spell:E1", on, Decimal("750.00"), ("E1",))]
    assert got[0].reason == reason


def test_reach_within_pending_to_its_last_day_and_lost_on_it() -> None:
    by = "by 2020-07-14, the component's reach_within of 6 months from the service start"
    needs = f"needs 90 days of qualifying work (0.80 FTE or more, open) {by}"
    assert [(ln.status, ln.date, ln.reason) for ln in lines(WITHIN, as_of="2020-04-15")] == [
        ("pending", D("2020-07-14"), needs)]
    # the day before the last: a job recorded late could still be there
    assert [(ln.status, ln.reason) for ln in lines(WITHIN, as_of="2020-07-13")] == [
        ("pending", f"{needs}; only one day remains, so it cannot be reached in time on the "
                    "work known so far")]
    # decided on the last day itself, as every period is
    for as_of in ("2020-07-14", "2020-07-15"):
        assert [(*facts(ln), ln.reason) for ln in lines(WITHIN, as_of=as_of)] == [
            ("not_earned", "next", D("2020-07-14"), Decimal("750.00"), (),
             f"no qualifying work (0.80 FTE or more, open) {by}")]


@pytest.mark.parametrize(("extra", "names"), [
    # reach_by a day earlier than reach_within's last day: reach_by decides
    ("    reach_by: 2020-07-13\n", "the component's reach_by date, 2020-07-13"),
    # the same day: reach_by is named
    ("    reach_by: 2020-07-14\n", "the component's reach_by date, 2020-07-14"),
    # a day later: reach_within decides
    ("    reach_by: 2020-07-15\n", "the component's reach_within of 6 months from the "
                                    "service start, 2020-07-14"),
])
def test_reach_within_beside_reach_by(extra: str, names: str) -> None:
    got = lines(WITHIN + extra, job("E1", "2020-04-18", fte="1.0"), as_of="2020-09-01")
    assert got[0].status == "not_earned"
    assert got[0].reason.endswith(f"after {names}")


def test_reach_within_ending_with_a_service_whose_days_alone_count_names_the_service() -> None:
    """requires_active_service on a 12-month service from 2020-01-15 and reach_within 12
    months end on the same day, 2021-01-14: the window's end is named on a tie."""
    text = ACTIVE.format(active="true") + "    reach_within: 12 months\n"
    (got,) = lines(text, as_of="2020-03-01")
    assert got.reason == ("needs 90 days of qualifying work (open) by 2021-01-14, when the "
                          "service ends (only days in service count)")


def test_reach_within_longer_than_the_window_changes_nothing() -> None:
    """A service of 12 months and 6 months of follow-up end on 2021-07-14: 24 months from the
    start would end later, so the window's end is the deadline, as without reach_within."""
    longer = lines(FTE80 + "    reach_within: 24 months\n", as_of="2020-03-01")
    assert longer[0].reason == lines(FTE80, as_of="2020-03-01")[0].reason
    assert longer[0].reason.endswith("by 2021-07-14, when the follow-up ends")


ACTIVE = """
components:
  - id: job90
    kind: employment_outcome
    min_duration: 90 days
    requires_active_service: {active}
    amount: 750.00
"""
SERVICE_END = "se1,c1,service_end,2020-06-30\n"


def test_employed_in_the_follow_up_with_requires_active_service() -> None:
    job_e1 = job("E1", "2020-06-01", fte="1.0")
    got = lines(ACTIVE.format(active="true"), job_e1, as_of="2020-10-01", extra=SERVICE_END)
    assert [facts(ln) for ln in got] == [
        ("not_earned", "spell:E1", D("2020-06-30"), Decimal("750.00"), ("E1",))]
    assert got[0].reason == (
        "only 30 of 90 days of qualifying work (open) by 2020-06-30, when the service ends "
        "(only days in service count); not counted: days of job E1 after the service ended on "
        "2020-06-30 do not count (only days in service count)")
    # the follow-up counts without the flag: Jun 1 + 89 days
    free = lines(ACTIVE.format(active="false"), job_e1, as_of="2020-10-01", extra=SERVICE_END)
    assert [facts(ln) for ln in free] == [
        ("payable", "spell:E1", D("2020-08-29"), Decimal("750.00"), ("E1",))]


def test_requires_active_service_while_the_service_runs() -> None:
    got = lines(ACTIVE.format(active="true"), job("E1", "2020-06-01", fte="1.0"),
                as_of="2020-06-15")
    assert [facts(ln) for ln in got] == [
        ("pending", "spell:E1", D("2021-01-14"), Decimal("750.00"), ("E1",))]
    assert got[0].reason.startswith("needs 75 more days of qualifying work (open) by "
                                    "2021-01-14, when the service ends")


def test_no_service_started() -> None:
    loaded = contract_from(FTE80)
    result = one(loaded, "r1,c1,referral,2020-01-10,,,,acme,,2019-06-01\n", "2020-03-01")
    assert [facts(ln) for ln in result.lines] == [
        ("pending", "next", None, Decimal("750.00"), ())]
    assert result.lines[0].reason == "service has not started: no service start recorded yet"


def test_no_service_started_by_the_end_of_the_contract_is_not_earned() -> None:
    # the test contract is valid until 2022-12-31: after that no service can start under it
    loaded = contract_from(FTE80)
    rows = "r1,c1,referral,2020-01-10,,,,acme,,2019-06-01\n"
    assert one(loaded, rows, "2022-12-31").lines[0].status == "pending"
    result = one(loaded, rows, "2023-01-01")
    assert [facts(ln) for ln in result.lines] == [
        ("not_earned", "next", D("2022-12-31"), Decimal("750.00"), ())]
    assert result.lines[0].reason == (
        "no service start was recorded by 2022-12-31, when the contract ended (no service "
        "start recorded yet)")


def test_no_service_started_by_outcomes_until_is_not_earned() -> None:
    head = CONTRACT_HEAD.replace("  follow_up: 6 months\n",
                                 "  follow_up: 6 months\n  outcomes_until: 2021-06-30\n")
    loaded = contract_from(FTE80, head)
    rows = "r1,c1,referral,2020-01-10,,,,acme,,2019-06-01\n"
    result = one(loaded, rows, "2021-07-01")
    assert result.lines[0].status == "not_earned"
    assert result.lines[0].reason.startswith(
        "no service start was recorded by 2021-06-30, when its outcomes_until date passed")


# --- spells --------------------------------------------------------------------------------

GAP = """
components:
  - id: job60
    kind: employment_outcome
    min_duration: 60 days
    max_gap: 14 days
    amount: 500.00
"""


@pytest.mark.parametrize(("second_start", "expected"), [
    # EA covers Feb 1 .. Mar 1 (30 days); a gap of 14 days (Mar 2..Mar 15) joins
    ("2020-03-16", ("payable", "spell:EA", D("2020-04-14"), Decimal("500.00"), ("EA", "EB"))),
    # a gap of 15 days splits: EB must make 60 days on its own
    ("2020-03-17", ("payable", "spell:EB", D("2020-05-15"), Decimal("500.00"), ("EB",))),
])
def test_gap_of_exactly_max_gap_joins(second_start: str,
                                      expected: tuple[object, ...]) -> None:
    got = lines(GAP, job("EA", "2020-02-01", "2020-03-01", fte="1"),
                job("EB", second_start, fte="1"), as_of="2020-06-01")
    assert [facts(ln) for ln in got] == [expected]


def test_without_max_gap_any_gap_splits() -> None:
    contract = GAP.replace("    max_gap: 14 days\n", "")
    got = lines(contract, job("EA", "2020-02-01", "2020-03-01", fte="1"),
                job("EB", "2020-03-03", fte="1"), as_of="2020-06-01")
    assert [facts(ln) for ln in got] == [
        ("payable", "spell:EB", D("2020-05-01"), Decimal("500.00"), ("EB",))]
    adjacent = lines(contract, job("EA", "2020-02-01", "2020-03-01", fte="1"),
                     job("EB", "2020-03-02", fte="1"), as_of="2020-06-01")
    assert [facts(ln) for ln in adjacent] == [
        ("payable", "spell:EA", D("2020-03-31"), Decimal("500.00"), ("EA", "EB"))]


def test_a_spell_in_progress_is_pending_with_the_days_still_needed() -> None:
    got = lines(GAP, job("EA", "2020-02-01", "2020-02-20", fte="1"), as_of="2020-02-25")
    assert [facts(ln) for ln in got] == [
        ("pending", "spell:EA", FOLLOW_UP_ENDS, Decimal("500.00"), ("EA",))]
    assert got[0].reason == ("needs 40 more days of qualifying work (open) by 2021-07-14, when "
                             "the follow-up ends; 20 of 60 days so far in the spell from "
                             "2020-02-01")


MONTH = """
components:
  - id: job1m
    kind: employment_outcome
    min_duration: {months}
    amount: 500.00
"""


@pytest.mark.parametrize(("start", "months", "on", "days"), [
    ("2020-01-31", "1 months", "2020-02-28", 29),  # Jan 31 + 1 month = Feb 29 (exclusive)
    ("2020-02-29", "1 months", "2020-03-28", 29),  # Feb 29 + 1 month = Mar 29
    ("2020-01-31", "3 months", "2020-04-29", 90),  # Jan 31 + 3 months = Apr 30
    ("2020-02-29", "3 months", "2020-05-28", 90),  # Feb 29 + 3 months = May 29
])
def test_month_durations_from_awkward_starts(start: str, months: str, on: str,
                                             days: int) -> None:
    got = lines(MONTH.format(months=months), job("E1", start, fte="1"), as_of="2020-08-01")
    assert [facts(ln) for ln in got] == [
        ("payable", "spell:E1", D(on), Decimal("500.00"), ("E1",))]
    unit = months.split()[0] + (" month" if months.startswith("1 ") else " months")
    assert f"reached {unit} ({days} days) on {on}" in got[0].reason


# --- corrections: late data, voids, evidence upgrades --------------------------------------

def test_late_recorded_end_of_a_job() -> None:
    ongoing = job("E1", "2020-02-01", fte="1")
    ended = job("E1", "2020-02-01", "2020-03-15", fte="1", recorded="2020-06-01")
    before = lines(FTE80, ongoing, ended, as_of="2020-05-15")
    assert [facts(ln) for ln in before] == [
        ("payable", "spell:E1", D("2020-04-30"), Decimal("750.00"), ("E1",))]
    after = lines(FTE80, ongoing, ended, as_of="2020-06-15")
    assert [facts(ln) for ln in after] == [
        ("pending", "next", FOLLOW_UP_ENDS, Decimal("750.00"), ("E1",))]
    assert "has 44 of 90 days" in after[0].reason


def test_corrected_end_keeps_the_occurrence() -> None:
    first = job("E1", "2020-02-01", "2020-06-30", fte="1")
    fixed = job("E1", "2020-02-01", "2020-07-31", fte="1", recorded="2020-08-05")
    a = lines(FTE80, first, fixed, as_of="2020-08-01")
    b = lines(FTE80, first, fixed, as_of="2020-08-10")
    assert [facts(ln) for ln in a] == [facts(ln) for ln in b] == [
        ("payable", "spell:E1", D("2020-04-30"), Decimal("750.00"), ("E1",))]


def test_voided_employment_drops_the_line() -> None:
    e1 = job("E1", "2020-02-01", fte="1")
    void = job("E1", "2020-02-01", fte="1", recorded="2020-06-01", void="true")
    before = lines(FTE80, e1, void, as_of="2020-05-31")
    assert [facts(ln) for ln in before] == [
        ("payable", "spell:E1", D("2020-04-30"), Decimal("750.00"), ("E1",))]
    after = lines(FTE80, e1, void, as_of="2020-06-15")
    assert [facts(ln) for ln in after] == [
        ("pending", "next", FOLLOW_UP_ENDS, Decimal("750.00"), ())]
    assert after[0].reason.endswith("not counted: employment E1 was voided "
                                    "(recorded 2020-06-01)")


def test_evidence_upgrade_by_a_later_row() -> None:
    reported = job("E1", "2020-02-01", fte="1", evidence="self_report")
    verified = job("E1", "2020-02-01", fte="1", evidence="register", recorded="2020-07-01")
    pending = lines(FTE80, reported, verified, as_of="2020-03-01")
    assert [facts(ln) for ln in pending] == [
        ("pending", "spell:E1", FOLLOW_UP_ENDS, Decimal("190.00"), ("E1",))]
    before = lines(FTE80, reported, verified, as_of="2020-06-01")
    assert [facts(ln) for ln in before] == [
        ("payable", "spell:E1", D("2020-04-30"), Decimal("190.00"), ("E1",))]
    assert before[0].reason == ("employment E1 reached 90 days on 2020-04-30 at 1.00 FTE, "
                                "self-reported")
    after = lines(FTE80, reported, verified, as_of="2020-07-15")
    assert [facts(ln) for ln in after] == [
        ("payable", "spell:E1", D("2020-04-30"), Decimal("750.00"), ("E1",))]
    assert after[0].reason == ("employment E1 reached 90 days on 2020-04-30 at 1.00 FTE, "
                               "register-verified (E1 self-reported until 2020-07-01, "
                               "register-verified since)")


def test_weakest_evidence_over_the_days_of_the_outcome() -> None:
    got = lines(FTE80, job("E1", "2020-02-01", "2020-02-29", fte="1"),
                job("E2", "2020-03-01", fte="1", evidence="self_report"), as_of="2020-06-01")
    assert [facts(ln) for ln in got] == [
        ("payable", "spell:E1", D("2020-04-30"), Decimal("190.00"), ("E1", "E2"))]


# Rule changed: an outcome reached on evidence the price table lacks used to be not_earned at
# once; a later-recorded confirmation can still make it payable, so it is now pending until the
# deadline (2021-07-14, the end of the follow-up) and not_earned only from then on.
UNPRICED_SELF_REPORT = FTE80.replace("{register: 750.00, self_report: 190.00}",
                                     "{register: 750.00, employer: 500.00}")


def test_unpriced_evidence_waits_for_a_confirmation_until_the_deadline() -> None:
    reported = job("E1", "2020-02-01", fte="1", evidence="self_report")
    got = lines(UNPRICED_SELF_REPORT, reported, as_of="2020-06-01")
    # shown at the price of the strongest evidence priced
    assert [facts(ln) for ln in got] == [
        ("pending", "spell:E1", D("2020-04-30"), Decimal("750.00"), ("E1",))]
    assert got[0].quantity == 1 and got[0].unit_price == Decimal("750.00")
    assert got[0].reason == (
        "employment E1 reached 90 days on 2020-04-30 at 1.00 FTE, self-reported; the price "
        "table has no price for self-reported work (evidence 'self_report'): needs "
        "confirmation by the employer or register by 2021-07-14, when the follow-up ends")
    # the day before the deadline it still waits; on the deadline it is lost
    assert lines(UNPRICED_SELF_REPORT, reported, as_of="2021-07-13")[0].status == "pending"
    lost = lines(UNPRICED_SELF_REPORT, reported, as_of="2021-07-14")
    # the fee is forgone once: on the line for the next outcome, as before the rule change
    assert [facts(ln) for ln in lost] == [
        ("not_earned", "spell:E1", D("2020-04-30"), Decimal("0.00"), ("E1",)),
        ("not_earned", "next", FOLLOW_UP_ENDS, Decimal("750.00"), ())]
    assert lost[1].reason == ("no further spell of qualifying work (0.80 FTE or more, open) "
                              "reached 90 days by 2021-07-14, when the follow-up ends")
    assert lost[0].reason.endswith(
        "self-reported; but the price table has no price for self-reported work (evidence "
        "'self_report'), and no confirmation by the employer or register was recorded by "
        "2021-07-14, when the follow-up ends")


def test_a_later_confirmation_makes_the_unpriced_outcome_payable() -> None:
    reported = job("E1", "2020-02-01", fte="1", evidence="self_report")
    confirmed = job("E1", "2020-02-01", fte="1", evidence="employer", recorded="2020-07-01")
    got = lines(UNPRICED_SELF_REPORT, reported, confirmed, as_of="2020-07-01")
    assert [facts(ln) for ln in got] == [
        ("payable", "spell:E1", D("2020-04-30"), Decimal("500.00"), ("E1",))]
    assert got[0].reason == ("employment E1 reached 90 days on 2020-04-30 at 1.00 FTE, "
                             "employer-confirmed (E1 self-reported until 2020-07-01, "
                             "employer-confirmed since)")


EMPLOYER_AND_SELF_REPORT_PRICED = FTE80.replace("{register: 750.00, self_report: 190.00}",
                                               "{employer: 500.00, self_report: 190.00}")


def test_unpriced_evidence_with_no_stronger_level_priced_is_not_earned_at_once() -> None:
    # only self-reported and employer-confirmed work is priced: a TE-office-verified job
    # cannot be confirmed into a priced level (register is not priced either)
    got = lines(EMPLOYER_AND_SELF_REPORT_PRICED,
                job("E1", "2020-02-01", fte="1", evidence="te_office"),
                as_of="2020-06-01")
    assert [facts(ln) for ln in got] == [
        ("not_earned", "spell:E1", D("2020-04-30"), Decimal("0.00"), ("E1",)),
        ("pending", "next", FOLLOW_UP_ENDS, Decimal("500.00"), ())]
    assert got[0].reason.endswith(
        "TE-office-verified; but the price table has no price for TE-office-verified work "
        "(evidence 'te_office'), nor for any stronger evidence")


def test_a_pending_unconfirmed_outcome_holds_its_max_times_slot() -> None:
    # while E1 waits for a confirmation, no second pending outcome is listed for the same
    # single payment (it would count the fee twice); a lost one frees the slot again
    reported = job("E1", "2020-02-01", fte="1", evidence="self_report")
    waiting = lines(UNPRICED_SELF_REPORT, reported, as_of="2020-06-01")
    assert [ln.occurrence for ln in waiting] == ["spell:E1"]
    cumulative = UNPRICED_SELF_REPORT.replace("min_duration: 90 days",
                                              "min_duration: 90 days\n    counting: cumulative")
    got = lines(cumulative, reported, as_of="2020-06-01")
    assert [facts(ln) for ln in got] == [
        ("pending", "n1", D("2020-04-30"), Decimal("750.00"), ("E1",))]


def test_prices_by_segment_and_evidence() -> None:
    contract = FTE80.replace(
        "{register: 750.00, self_report: 190.00}",
        "{A: {register: 750.00, self_report: 190.00}, B: {register: 900.00, "
        "self_report: 250.00}}")
    got = lines(contract, job("E1", "2020-02-01", fte="1", evidence="self_report"),
                as_of="2020-06-01")
    assert facts(got[0])[:4] == ("payable", "spell:E1", D("2020-04-30"), Decimal("190.00"))
    assert got[0].segment == "A"


# --- weights -------------------------------------------------------------------------------

SUBSIDISED = """
components:
  - id: job90
    kind: employment_outcome
    work: {min_fte: 0.80, kinds: {open: 1, subsidised: 0.5}}
    min_duration: 90 days
    amount: 750.00
"""


def test_subsidised_work_at_weight_half() -> None:
    e1 = job("E1", "2020-02-01", fte="1", kind="subsidised")
    got = lines(SUBSIDISED, e1, as_of="2020-09-01")
    # 180 calendar days at 0.5: Feb 1 + 179 days
    assert [facts(ln) for ln in got] == [
        ("payable", "spell:E1", D("2020-07-29"), Decimal("750.00"), ("E1",))]
    assert got[0].reason.endswith("; days counted at weight 0.5")
    early = lines(SUBSIDISED, e1, as_of="2020-04-01")
    assert "needs 59.5 more days of qualifying work (0.80 FTE or more, open or subsidised " \
           "at weight 0.5)" in early[0].reason
    assert "30.5 of 90 days so far" in early[0].reason


def test_mixed_kinds_count_at_the_hours_weighted_average() -> None:
    got = lines(SUBSIDISED, job("E1", "2020-02-01", fte="0.5", kind="subsidised"),
                job("E2", "2020-02-01", fte="0.5"), as_of="2020-09-01")
    # weight 0.75: 120 calendar days, Feb 1 + 119
    assert [facts(ln) for ln in got] == [
        ("payable", "spell:E1", D("2020-05-30"), Decimal("750.00"), ("E1", "E2"))]


def test_a_kind_left_out_does_not_count() -> None:
    got = lines(FTE80, job("E1", "2020-02-01", fte="1", kind="subsidised"),
                as_of="2020-09-01")
    assert facts(got[0])[:2] == ("pending", "next")
    assert got[0].reason.endswith("not counted: job E1 is subsidised work, which does not "
                                  "count")


# --- several outcomes ----------------------------------------------------------------------

TWICE = """
components:
  - id: job30
    kind: employment_outcome
    min_duration: 30 days
    counting: {counting}
    max_times: {times}
    amount: 300.00
"""


THREE_SPELLS = (job("E1", "2020-02-01", "2020-03-15", fte="1"),
                job("E2", "2020-05-01", "2020-06-15", fte="1"), job("E3", "2020-08-01", fte="1"))


def test_continuous_max_times_pays_each_spell() -> None:
    got = lines(TWICE.format(counting="continuous", times=2), *THREE_SPELLS, as_of="2020-10-01")
    assert [facts(ln) for ln in got] == [
        ("payable", "spell:E1", D("2020-03-01"), Decimal("300.00"), ("E1",)),
        ("payable", "spell:E2", D("2020-05-30"), Decimal("300.00"), ("E2",)),
        # rule changed: a spell beyond max_times forgoes nothing the contract offered, so its
        # amount is 0.00 (quantity 0), no longer the 300.00 of a payment
        ("not_earned", "spell:E3", D("2020-08-30"), Decimal("0.00"), ("E3",)),
    ]
    assert (got[2].quantity, got[2].unit_price) == (Decimal(0), Decimal("300.00"))
    assert got[2].reason == ("employment E3 reached 30 days on 2020-08-30 at 1.00 FTE, "
                             "register-verified; but the fee is paid at most 2 times")


def test_cumulative_counts_every_further_min_duration() -> None:
    got = lines(TWICE.format(counting="cumulative", times=3),
                job("E1", "2020-02-01", "2020-02-20", fte="1"),
                job("E2", "2020-05-01", "2020-06-15", fte="1"), as_of="2020-10-01")
    assert [facts(ln) for ln in got] == [
        # 20 days of E1, then 10 of E2
        ("payable", "n1", D("2020-05-10"), Decimal("300.00"), ("E1", "E2")),
        # the next 30 days rest on E2 only
        ("payable", "n2", D("2020-06-09"), Decimal("300.00"), ("E2",)),
        ("pending", "n3", FOLLOW_UP_ENDS, Decimal("300.00"), ("E1", "E2")),
    ]
    assert got[0].reason.startswith("employment E1 and E2 reached 30 days in total on "
                                    "2020-05-10")
    assert (got[1].period_start, got[1].period_end) == (D("2020-05-11"), D("2020-06-10"))
    assert got[2].reason.startswith("needs 24 more days of qualifying work (open) by "
                                    "2021-07-14, when the follow-up ends; 66 of 90 days so far")


def test_cumulative_once_uses_n1() -> None:
    got = lines(TWICE.format(counting="cumulative", times=1),
                job("E1", "2020-02-01", "2020-02-20", fte="1"),
                job("E2", "2020-05-01", "2020-06-15", fte="1"), as_of="2020-10-01")
    assert [facts(ln) for ln in got] == [
        ("payable", "n1", D("2020-05-10"), Decimal("300.00"), ("E1", "E2"))]


def test_cumulative_not_reached_after_the_deadline() -> None:
    got = lines(TWICE.format(counting="cumulative", times=1),
                job("E1", "2021-07-01", fte="0.5"), job("E2", "2021-07-01", fte="0.5"),
                as_of="2021-09-01")
    assert [facts(ln) for ln in got] == [
        ("not_earned", "n1", FOLLOW_UP_ENDS, Decimal("300.00"), ("E1", "E2"))]
    assert got[0].reason == ("threshold of 30 days in total reached on 2021-07-30, 16 days "
                             "after the outcome window closed on 2021-07-14")


def test_not_reached_says_how_much_was_missing() -> None:
    contract = FTE80.replace("work: {min_fte: 0.80}",
                             "work: {min_fte: 0.80, kinds: {open: 1, subsidised: 1}}")
    got = lines(contract, job("E1", "2021-01-01", "2021-03-02", fte="1"),
                job("E9", "2021-04-01", fte="0.79"), as_of="2021-08-01")
    assert [facts(ln) for ln in got] == [
        ("not_earned", "spell:E1", FOLLOW_UP_ENDS, Decimal("750.00"), ("E1",))]
    assert got[0].reason == (
        "only 61 of 90 days of qualifying work (0.80 FTE or more, open or subsidised) by "
        "2021-07-14, when the follow-up ends; not counted: job E9 at 0.79 FTE is below 0.80")


def test_cumulative_further_outcomes_over_later_jobs() -> None:
    got = lines(TWICE.format(counting="cumulative", times=3),
                job("E1", "2020-02-01", "2020-03-31", fte="1"),
                job("E2", "2020-06-01", fte="1", evidence="self_report"), as_of="2020-10-01")
    assert [facts(ln) for ln in got] == [
        ("payable", "n1", D("2020-03-01"), Decimal("300.00"), ("E1",)),
        ("payable", "n2", D("2020-03-31"), Decimal("300.00"), ("E1",)),
        ("payable", "n3", D("2020-06-30"), Decimal("300.00"), ("E2",)),
    ]
    assert (got[2].period_start, got[2].period_end) == (D("2020-06-01"), D("2020-07-01"))
    assert got[2].reason.endswith("at 1.00 FTE, self-reported")


ONE_DAY_FEE = """
components:
  - id: job_start
    kind: employment_outcome
    min_duration: 1 day
    amount: 100.00
"""


def test_one_day_reads_in_the_singular() -> None:
    got = lines(ONE_DAY_FEE, job("E1", "2020-02-01", "2020-02-01", fte="1"), as_of="2020-03-01")
    assert [facts(ln) for ln in got] == [
        ("payable", "spell:E1", D("2020-02-01"), Decimal("100.00"), ("E1",))]
    assert got[0].reason == ("employment E1 reached 1 day on 2020-02-01 at 1.00 FTE, "
                             "register-verified")
    waiting = lines(ONE_DAY_FEE, as_of="2020-03-01")
    assert waiting[0].reason == ("needs 1 day of qualifying work (open) by 2021-07-14, when the "
                                 "follow-up ends")


BY_KIND = """
components:
  - id: job90
    kind: employment_outcome
    work: {min_fte: 0.80, kinds: {open: 1, subsidised: 1}}
    min_duration: 90 days
    amount: {open: 750.00, subsidised: 190.00}
"""


@pytest.mark.parametrize(("end", "status", "occurrence", "on", "amount"), [
    # 89 days: the spell has ended, so a new one is needed (at the best price, open work)
    ("2020-04-29", "pending", "next", FOLLOW_UP_ENDS, "750.00"),
    ("2020-04-30", "payable", "spell:E1:subsidised", D("2020-04-30"), "190.00"),  # 90 days
    ("2020-05-01", "payable", "spell:E1:subsidised", D("2020-04-30"), "190.00"),  # 91 days
])
def test_a_grade_with_no_job_of_its_kind_counts_nothing(end: str, status: str,
                                                        occurrence: str, on: date,
                                                        amount: str) -> None:
    # the open grade has no job of its kind (it counts no day; its note on the job is
    # dropped, as the subsidised grade counted it); the subsidised grade counts the job on
    # its own, one day short, on and one day over 90 days
    result = one(contract_from(BY_KIND, CONTRACT_HEAD),
                 START + job("E1", "2020-02-01", end, fte="1", kind="subsidised"),
                 "2020-06-01")
    got = result.lines
    assert [facts(ln) for ln in got] == [(status, occurrence, on, Decimal(amount), ("E1",))]
    steps = [(s.what, s.text) for s in result.traces["job90"].steps]
    assert [what for what, _ in steps if what == "not counted"] == []
    assert [text for what, text in steps if what == "spell"] == [
        f"spell (subsidised) 2020-02-01..{end}: {(D(end) - D('2020-02-01')).days + 1} days "
        "counted, evidence register, jobs E1"]
