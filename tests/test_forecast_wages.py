"""Jobs read from wages (``forecast/wages.py``): a contract that counts the income register's
pay rows reads no job row, and its data may hold none; the forecast and the fit read each
run of months with pay as a job, by the generator's rule for wages."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from rewardengine import api
from rewardengine.events.model import Employment
from rewardengine.forecast.fit import fit_cohort
from rewardengine.forecast.runs import to_events
from rewardengine.forecast.wages import jobs_read_from_wages, with_jobs_from_wages
from rewardengine.pipeline import load, load_contract

ROOT = Path(__file__).resolve().parent.parent
CONDITION = str(ROOT / "contracts" / "employment_condition_2024.yaml")
EXAMPLE = str(ROOT / "examples" / "employment_condition_2024" / "events.csv")


def _jobs(pays: list[tuple[str, str]], as_of: str, extra: list[dict[str, str]] | None = None,
          kinds: list[str] | None = None, lag: int = 0) -> list[Employment]:
    rows = to_events([
        {"event_id": "s", "customer_id": "C", "type": "service_start", "date": "2024-09-02"},
        *({"event_id": f"w{n}", "customer_id": "C", "type": "earnings", "date": day,
           "amount": amount, "evidence": "register", "kind": (kinds or ["open"] * 99)[n],
           "recorded": (date.fromisoformat(day) + timedelta(days=lag)).isoformat()}
          for n, (day, amount) in enumerate(pays)),
        *(extra or [])])
    out = with_jobs_from_wages("C", rows, date.fromisoformat(as_of))
    return [e for e in out[len(rows):] if isinstance(e, Employment)]


def test_a_job_begins_on_the_day_its_first_months_pay_is_the_wages_share_of() -> None:
    # 3,100.00 a month of 31 days: 1,000.00 in October is 10 days, from the 22nd
    [job] = _jobs([("2024-10-31", "1000.00"), ("2024-11-30", "3100.00"),
                   ("2024-12-31", "3100.00")], "2024-12-31")
    assert (job.date, job.end, job.wage, job.kind, job.evidence) == (
        date(2024, 10, 22), None, Decimal("3100.00"), "open", "register")
    assert job.recorded == date(2024, 10, 31)  # known when its first pay was
    assert job.fte == 1


@pytest.mark.parametrize(("as_of", "end"), [
    # December's pay day is its last: by it the job was paid for its last month, going on
    ("2024-12-31", None),
    ("2025-01-30", None),  # January's pay day has not come: still going on
    ("2025-01-31", "2024-12-31"),  # it has, unpaid: the job ended with December's pay
])
def test_a_job_goes_on_while_paid_for_the_last_month_whose_pay_day_has_come(
        as_of: str, end: str | None) -> None:
    [job] = _jobs([("2024-11-30", "2000.00"), ("2024-12-31", "2000.00")], as_of)
    assert job.end == (None if end is None else date.fromisoformat(end))


def test_a_job_that_ended_ends_on_the_day_its_last_months_pay_is_the_wages_share_of() -> None:
    # 3,000.00 a month; 1,500.00 in April (30 days) is 15 days: it ended on the 15th
    [job] = _jobs([("2025-01-31", "3000.00"), ("2025-02-28", "3000.00"),
                   ("2025-03-31", "3000.00"), ("2025-04-30", "1500.00")], "2025-06-30")
    assert (job.date, job.end, job.wage) == (date(2025, 1, 1), date(2025, 4, 15),
                                             Decimal("3000.00"))


def test_a_month_without_pay_parts_two_jobs_and_a_bonus_is_passed_over() -> None:
    first, second = _jobs([("2024-10-31", "2000.00"), ("2024-11-30", "2000.00"),
                           ("2024-12-31", "2000.00"), ("2025-01-31", "3000.00"),
                           ("2025-02-28", "2000.00"),
                           # nothing in March
                           ("2025-04-30", "1200.00")], "2025-04-30")
    assert (first.date, first.end, first.wage) == (date(2024, 10, 1), date(2025, 2, 28),
                                                   Decimal("2000.00"))
    assert (second.date, second.end, second.wage) == (date(2025, 4, 1), None,
                                                      Decimal("1200.00"))
    assert first.event_id != second.event_id


def test_a_customer_with_a_job_row_or_without_wages_is_left_as_recorded() -> None:
    job = {"event_id": "e", "customer_id": "C", "type": "employment", "date": "2024-10-01",
           "kind": "open", "evidence": "register", "fte": "1"}
    assert _jobs([("2024-10-31", "2000.00")], "2024-12-31", [job]) == []
    assert _jobs([], "2024-12-31") == []


def test_jobs_are_read_from_wages_only_where_no_line_can_change() -> None:
    loaded, _ = load_contract(CONDITION)
    assert loaded is not None and jobs_read_from_wages(loaded)
    for name in ("tehostettu_tyonvalitys", "sujuvat_palvelupolut", "avgs_placement_voucher"):
        other, _ = load_contract(str(ROOT / "contracts" / f"{name}.yaml"))
        assert other is not None and not jobs_read_from_wages(other), name


def test_customers_paid_every_month_are_forecast_in_work() -> None:
    """The example records wages alone. As of 2025-03-31, F01 has been paid 2,400.00 every
    month since October 2024 (6 of 12 months): it was forecast as one with no job (12.5 %);
    read as a job going on, it is likely to reach 12 by its deadline. F04's pay is
    subsidised, which counts 0, so it stays unlikely."""
    found = api.forecast_customers(api.Request(CONDITION, runs=200, seed=0), [EXAMPLE],
                                   date(2025, 3, 31))
    assert found.result is not None, found.problems
    by = {c.customer_id: c for c in found.result.customers}
    assert (by["F01"].chance, by["F01"].ahead.mean) == (Decimal("0.75"), Decimal("1875.00"))
    assert by["F04"].chance == Decimal("0.1")
    # the evaluation as of the as-of date is unchanged: the job rows are not read
    assert by["F01"].earned == 0 and by["F01"].pending[0].amount == Decimal("2500.00")


def test_wages_alone_forecast_what_wages_and_jobs_do(tmp_path: Path) -> None:
    """A generated file and the same file without its job rows, forecast as of a date
    mid-contract with the default cohort: within 2 % of each other (before, the wages alone
    forecast about half)."""
    full = tmp_path / "full.csv"
    with full.open("w", encoding="utf-8", newline="") as out:
        api.generate_events(CONDITION, out, customers=300, seed=11)
    wages = tmp_path / "wages.csv"
    with full.open(encoding="utf-8", newline="") as src, \
            wages.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        for row in csv.reader(src):
            if row[2] != "employment":
                writer.writerow(row)
    req = api.Request(CONDITION, runs=20, seed=1)
    both, alone = (api.forecast_customers(req, [str(f)], date(2025, 6, 30))
                   for f in (full, wages))
    assert both.result is not None and alone.result is not None
    ratio = alone.result.total.mean / both.result.total.mean
    assert Decimal("0.98") <= ratio <= Decimal("1.02"), ratio
    # the fit reads the jobs too: about the same share of customers reaching one
    loaded = load(CONDITION, [str(full)]).contract
    assert loaded is not None
    fitted = [fit_cohort(loaded, list(load(CONDITION, [str(f)]).events.events),
                         date(2025, 6, 30)) for f in (full, wages)]
    shares = [f.profiles["default"]["jobs"].values["share"].value for f in fitted]
    assert shares[1] > Decimal("0.3"), shares  # it read 0 before


@pytest.mark.parametrize(("as_of", "end"), [
    # each month's pay recorded 5 days after its pay day: as of December's last day its pay
    # is not known yet, and the job goes on by November's
    ("2024-12-31", None),
    ("2025-01-05", None),  # December's pay known on its day
    ("2025-02-04", None),  # a day short of January's pay coming in: not yet missed
    ("2025-02-05", "2024-12-31"),  # January's pay would be known by now: it ended
])
def test_a_job_is_read_going_on_while_its_pay_may_still_come_in(as_of: str,
                                                                end: str | None) -> None:
    [job] = _jobs([("2024-10-31", "2000.00"), ("2024-11-30", "2000.00"),
                   ("2024-12-31", "2000.00")], as_of, lag=5)
    assert job.end == (None if end is None else date.fromisoformat(end))


def test_pay_of_another_kind_is_another_job() -> None:
    subsidised, open_ = _jobs([("2024-10-31", "2000.00"), ("2024-11-30", "2000.00"),
                               ("2024-12-31", "2500.00"), ("2025-01-31", "2500.00"),
                               ("2025-02-28", "2500.00")], "2025-02-28",
                              kinds=["subsidised", "subsidised", "open", "open", "open"])
    assert (subsidised.kind, subsidised.end, open_.kind, open_.date, open_.end,
            open_.wage) == ("subsidised", date(2024, 11, 30), "open", date(2024, 12, 1), None,
                            Decimal("2500.00"))


def test_months_paid_nothing_are_no_months_of_work() -> None:
    [job] = _jobs([("2024-10-31", "2000.00"), ("2024-11-30", "0.00"),
                   ("2024-12-31", "0.00")], "2024-12-31")
    assert (job.date, job.end, job.wage) == (date(2024, 10, 1), date(2024, 10, 31),
                                             Decimal("2000.00"))


def test_a_job_begins_no_later_than_its_first_pay() -> None:
    # paid on the 15th: 1,000.00 of 2,000.00 in October reads as from the 16th, after it
    [job] = _jobs([("2024-10-15", "1000.00"), ("2024-11-15", "2000.00"),
                   ("2024-12-15", "2000.00")], "2024-12-20")
    assert (job.date, job.end) == (date(2024, 10, 15), None)


@pytest.mark.parametrize(("last", "end"), [
    ("1499.99", "2024-12-15"),  # a cent under half the wage: a part month, it ended
    ("1500.00", None),  # half: a month of work, going on
])
def test_a_last_month_paid_under_half_the_wage_ends_the_job(last: str, end: str | None
                                                            ) -> None:
    [job] = _jobs([("2024-10-31", "3000.00"), ("2024-11-30", "3000.00"),
                   ("2024-12-31", last)], "2024-12-31")
    assert job.end == (None if end is None else date.fromisoformat(end))


def test_one_pay_row_recorded_late_does_not_hold_an_ended_job_open() -> None:
    """October to December, each recorded 5 days late; October's corrected in May: the
    usual delay is still 5 days, and the job ended with December's pay."""
    rows = to_events([
        {"event_id": "s", "customer_id": "C", "type": "service_start", "date": "2024-09-02"},
        *({"event_id": f"w{n}", "customer_id": "C", "type": "earnings", "date": day,
           "amount": "2000.00", "evidence": "register", "recorded": rec}
          for n, (day, rec) in enumerate([("2024-10-31", "2025-05-20"),
                                          ("2024-11-30", "2024-12-05"),
                                          ("2024-12-31", "2025-01-05")]))])
    out = with_jobs_from_wages("C", rows, date(2025, 6, 30))
    [job] = [e for e in out[len(rows):] if isinstance(e, Employment)]
    assert job.end == date(2024, 12, 31)


@pytest.mark.parametrize(("february", "going_on"), [
    ("465.00", True),  # half a month's wage, full wages after it: a short month
    ("930.00", True),
])
def test_a_half_paid_month_with_full_wages_after_it_is_no_end(tmp_path: Path, february: str,
                                                              going_on: bool) -> None:
    """A user trial: F03, paid 930.00 a month and 465.00 in February, was read as having
    ended on 14 February (the wage of 14 days), so its forecast ahead was 0.00 at 0 %,
    though full wages followed to June."""
    events = tmp_path / "f03.csv"
    pays = [("2024-12-31", "930.00"), ("2025-01-31", "929.99"), ("2025-02-28", february),
            *((d, "930.00") for d in ("2025-03-31", "2025-04-30", "2025-05-31",
                                      "2025-06-30"))]
    events.write_text("event_id,customer_id,type,date,amount,evidence,kind\n"
                      "F03-s,F03,service_start,2024-11-04,,,\n" + "".join(
                          f"F03-w{d[:7]},F03,earnings,{d},{a},register,\n" for d, a in pays),
                      encoding="utf-8")
    req = api.Request(str(ROOT / "contracts" / "employment_condition_2024.yaml"), runs=40,
                      seed=1)
    found = api.forecast_customers(req, [str(events)], date(2025, 6, 30))
    assert found.result is not None, found.problems
    (f03,) = found.result.customers
    assert (f03.chance > Decimal("0.3")) is going_on, f03.chance
