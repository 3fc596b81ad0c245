"""work_history: days in work or education during the service vs the same time before it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from conftest import EVENT_HEADER, contract_from, one

COLUMNS = EVENT_HEADER.strip().split(",")


def row(event_id: str, type_: str, day: str, **fields: object) -> str:
    values = {"event_id": event_id, "customer_id": "c1", "type": type_, "date": day,
              **{k: str(v) for k, v in fields.items()}}
    assert set(values) <= set(COLUMNS), set(values) - set(COLUMNS)
    return ",".join(values.get(c, "") for c in COLUMNS)


def rows(*lines: str) -> str:
    return "\n".join(lines)


def job(event_id: str, first: str, last: str = "", *, kind: str = "open",
        evidence: str = "register", hours: str = "37.5") -> str:
    return row(event_id, "employment", first, end=last, kind=kind, evidence=evidence,
               hours_per_week=hours)


def study(event_id: str, first: str, last: str = "") -> str:
    return row(event_id, "education", first, end=last)


# service starts 2020-01-15: comparison 2020-01-15..2020-07-14 (182 days); the baseline is as
# many days before the start: 2019-07-17..2020-01-14 (6 months before would be 184 days)
START = rows(row("r1", "referral", "2020-01-10", provider="acme", unemployed_since="2019-06-01"),
             row("s1", "service_start", "2020-01-15"))

CONTRACT = """
components:
  - id: history
    kind: work_history
    baseline: 6 months
    count: [work, education]
    work: {{kinds: {{open: 1, subsidised: 0.5}}}}
    rate: {{A: {{register: 10.00, employer: 8.00}}, B: 12.00}}
    min_extra_days: {min_extra}
{extra}"""


def contract(min_extra: int = 30, extra: str = "") -> str:
    return CONTRACT.format(min_extra=min_extra, extra=extra)


# baseline: 30 days of work (September 2019). comparison: work 2020-03-01..04-30 (61 days) and
# a course 2020-04-15..05-14 (30 days) overlapping on 16 days: 75 days, not 91
OVERLAP = rows(START, job("e0", "2019-09-01", "2019-09-30"),
               job("e1", "2020-03-01", "2020-04-30"),
               study("d1", "2020-04-15", "2020-05-14"))


def only(events: str, as_of: str, text: str) -> tuple[str, Decimal, Decimal, date | None, str,
                                                      tuple[str, ...]]:
    result = one(contract_from(text), events, as_of)
    assert len(result.lines) == 1, result.lines
    ln = result.lines[0]
    assert ln.occurrence == "once" and ln.component == "history"
    assert (ln.period_start, ln.period_end) == (date(2020, 1, 15), date(2020, 7, 15))
    return ln.status, ln.quantity, ln.amount, ln.date, ln.reason, ln.evidence


@pytest.mark.parametrize(
    ("min_extra", "status", "quantity", "amount", "says"),
    [
        # 75 - 30 = 45 extra days: exactly the minimum pays, at 10.00 a day
        (45, "payable", "45", "450.00",
         "75 days in work or education during 2020-01-15..2020-07-14 vs 30 before "
         "(2019-07-17..2020-01-14): 45 extra days at 10.00 € per extra day, weakest work "
         "evidence register"),
        # one more than the increase: nothing
        (46, "not_earned", "45", "450.00",
         "75 days in work or education during 2020-01-15..2020-07-14 vs 30 before "
         "(2019-07-17..2020-01-14): 45 extra, below the minimum of 46 extra days"),
    ])
def test_overlapping_work_and_education_counted_once(min_extra: int, status: str,
                                                     quantity: str, amount: str,
                                                     says: str) -> None:
    got = only(OVERLAP, "2020-07-15", contract(min_extra))
    assert got == (status, Decimal(quantity), Decimal(amount), date(2020, 7, 14), says,
                   ("d1", "e0", "e1"))


def test_comparison_decided_on_its_last_day() -> None:
    # the day before its last day the comparison period is still running ...
    status, quantity, amount, on, reason, _ = only(OVERLAP, "2020-07-13", contract(45))
    assert (status, quantity, amount, on) == ("pending", Decimal(45), Decimal("450.00"),
                                              date(2020, 7, 14))
    assert reason == ("75 days in work or education so far during 2020-01-15..2020-07-14 vs "
                      "30 before (2019-07-17..2020-01-14); 45 extra days secured so far at "
                      "10.00 € per extra day; more days count until 2020-07-14")
    # ... and on its last day (facts count up to and including as_of) it is decided
    status, quantity, amount, on, _, _ = only(OVERLAP, "2020-07-14", contract(45))
    assert (status, quantity, amount, on) == ("payable", Decimal(45), Decimal("450.00"),
                                              date(2020, 7, 14))


def test_no_increase() -> None:
    events = rows(START, job("e0", "2019-08-01", "2019-10-19"),  # 80 days before
                  job("e1", "2020-03-01", "2020-04-30"), study("d1", "2020-04-15", "2020-05-14"))
    status, quantity, amount, _, reason, _ = only(events, "2020-08-01", contract())
    assert (status, quantity, amount) == ("not_earned", Decimal(0), Decimal("0.00"))
    assert reason == ("75 days in work or education during 2020-01-15..2020-07-14 vs 80 "
                      "before (2019-07-17..2020-01-14): no increase")


def test_pending_counts_known_days_up_to_as_of() -> None:
    # as of 2020-04-01 the job has run 32 days (2020-03-01..04-01); the course is not known yet
    status, quantity, amount, on, reason, evidence = only(OVERLAP, "2020-04-01", contract(45))
    assert (status, quantity, amount, on, evidence) == (
        "pending", Decimal(0), Decimal("0.00"), date(2020, 7, 14), ("e0", "e1"))
    assert reason == ("32 days in work or education so far during 2020-01-15..2020-07-14 vs 30 "
                      "before (2019-07-17..2020-01-14); needs 43 more days by 2020-07-14 for "
                      "the minimum of 45 extra days, then 10.00 € per extra day")


def test_can_no_longer_be_earned() -> None:
    # 153 days before; 61 so far; only 13 days (2020-07-02..14) left: 61 + 13 - 153 < 30
    events = rows(START, job("e0", "2019-08-01", "2019-12-31"),
                  job("e1", "2020-03-01", "2020-04-30"))
    status, quantity, _, _, reason, _ = only(events, "2020-07-01", contract())
    assert (status, quantity) == ("not_earned", Decimal(0))
    assert reason.startswith("can no longer be earned: 61 days in work or education so far")
    assert reason.endswith("even with every one of the 13 remaining days the increase would "
                           "stay below 30 extra days")


def test_subsidised_days_count_at_their_weight_unless_studying() -> None:
    # March 2020 subsidised (31 days at 0.5 = 15.5); a course on 2020-03-01..10 makes those
    # 10 days count 1 each: 10 + 21 * 0.5 = 20.5 days
    events = rows(START, job("e1", "2020-03-01", "2020-03-31", kind="subsidised"),
                  study("d1", "2020-03-01", "2020-03-10"))
    got = only(events, "2020-07-15", contract(1))
    assert got[:4] == ("payable", Decimal("20.5"), Decimal("205.00"), date(2020, 7, 14))


def test_weakest_evidence_prices_the_days() -> None:
    events = rows(START, job("e1", "2020-02-01", "2020-02-29"),
                  job("e2", "2020-03-01", "2020-03-31", evidence="employer"))
    got = only(events, "2020-07-15", contract(1))
    assert got[:3] == ("payable", Decimal(60), Decimal("480.00"))
    assert got[4].endswith("60 extra days at 8.00 € per extra day, weakest work evidence "
                           "employer")


def test_only_education_counts_when_asked() -> None:
    text = CONTRACT.replace("count: [work, education]", "count: [education]").format(
        min_extra=1, extra="")
    got = only(OVERLAP, "2020-07-15", text)
    assert got[:3] == ("payable", Decimal(30), Decimal("300.00"))
    assert got[5] == ("d1",)
    assert got[4].startswith("30 days in education during")


def test_unlisted_kind_does_not_count() -> None:
    events = rows(START, job("e1", "2020-03-01", "2020-03-31", kind="entrepreneur"))
    status, quantity, _, _, reason, evidence = only(events, "2020-07-15", contract(1))
    assert (status, quantity, evidence) == ("not_earned", Decimal(0), ())
    assert reason.endswith("0 before (2019-07-17..2020-01-14): no increase")


def test_comparison_offset_and_length() -> None:
    # comparison from 3 months after the start for 2 months: 2020-04-15..2020-06-14
    text = contract(1, "    comparison: {from: 3 months, length: 2 months}\n")
    result = one(contract_from(text), OVERLAP, "2020-06-15")
    ln = result.lines[0]
    # work 2020-04-15..30 (16) + course to 05-14 (14 more) = 30 days vs 30 before: no increase
    assert (ln.status, ln.quantity, ln.date) == ("not_earned", Decimal(0), date(2020, 6, 14))
    assert (ln.period_start, ln.period_end) == (date(2020, 4, 15), date(2020, 6, 15))
    assert ln.reason.startswith("30 days in work or education during 2020-04-15..2020-06-14 "
                                "vs 30 before")


def test_component_cap_applied_by_engine() -> None:
    result = one(contract_from(contract(45, "    cap: 300.00\n")), OVERLAP, "2020-07-15")
    ln = result.lines[0]
    assert (ln.status, ln.amount, ln.uncapped) == ("payable", Decimal("300.00"),
                                                   Decimal("450.00"))


@pytest.mark.parametrize(("last", "before", "during"), [
    ("2020-01-13", 44, 0),  # ends two days before the service start
    ("2020-01-14", 45, 0),  # ends the day before: all of it in the baseline
    ("2020-01-15", 45, 1),  # ends on the start day: one day in the comparison period
    ("2020-01-16", 45, 2),  # a day over
])
def test_a_job_across_the_service_start_counts_in_each_period(last: str, before: int,
                                                              during: int) -> None:
    # the stretches of work are found once over both periods and cut at the service start
    got = only(rows(START, job("e1", "2019-12-01", last)), "2020-07-15", contract(1))
    assert got[4].startswith(f"{during} days in work or education during "
                             f"2020-01-15..2020-07-14 vs {before} before "
                             "(2019-07-17..2020-01-14)")


@pytest.mark.parametrize(("count", "events", "status", "quantity", "days"), [
    # nothing to count at all: no job, no education
    ("[work, education]", START, "not_earned", Decimal(0), "0 days"),
    # an education row, but only work counts: as if there were none
    ("[work]", rows(START, study("d1", "2020-03-01", "2020-04-30")), "not_earned",
     Decimal(0), "0 days"),
    # the same row where education counts: 61 days
    ("[work, education]", rows(START, study("d1", "2020-03-01", "2020-04-30")), "payable",
     Decimal(61), "61 days"),
])
def test_a_customer_with_nothing_to_count_counts_no_day(count: str, events: str, status: str,
                                                         quantity: Decimal, days: str) -> None:
    text = contract(min_extra=30).replace("count: [work, education]", f"count: {count}")
    got_status, got_quantity, _, on, reason, _ = only(events, "2020-07-31", text)
    assert (got_status, got_quantity, on) == (status, quantity, date(2020, 7, 14))
    assert reason.startswith(f"{days} in ")
    assert "vs 0 before (2019-07-17..2020-01-14)" in reason
