"""Work before the service in a cohort (``earlier_work``): the generator draws the job that
ended the day before the customer's unemployment began, a fee comparing work with the time
before the service counts it, and a fit reads it apart from the jobs the service led to
(docs/cohort.md)."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from rewardengine import api
from rewardengine.cohort import load_cohort_text
from rewardengine.forecast.fit import Fitted, _earlier_work, _employments, _is_earlier
from tests.test_fit_censoring import _employment, _in_work

ROOT = Path(__file__).resolve().parent.parent
PALVELUMANAGERI = str(ROOT / "contracts" / "palvelumanageri.yaml")
EARNINGS = str(ROOT / "contracts" / "employment_condition_2024.yaml")
NONE = "profiles: {default: {earlier_work: {share: 0}}}\n"


def _generated(contract: str, customers: int, seed: int, cohort: str | None = None,
               tmp: Path | None = None) -> str:
    path = None
    if cohort is not None:
        assert tmp is not None
        path = tmp / f"cohort-{abs(hash(cohort))}.yaml"
        path.write_text(cohort, encoding="utf-8")
    out = io.StringIO()
    _, problems = api.generate_events(contract, out, customers=customers, seed=seed,
                                      cohort_path=None if path is None else str(path))
    assert not problems
    return out.getvalue()


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _is_earlier_row(line: str) -> bool:
    event_id = line.split(",", 1)[0]
    return event_id.endswith("-p") or "-wp-" in event_id


def test_earlier_work_ends_the_day_before_the_unemployment_began() -> None:
    rows = _rows(_generated(PALVELUMANAGERI, 400, 3))
    referrals = {r["customer_id"]: r for r in rows if r["type"] == "referral"
                 and not r["event_id"].endswith("-r2")}
    earlier = [r for r in rows if r["event_id"].endswith("-p")]
    assert 0.5 < len(earlier) / len(referrals) < 0.7  # drawn with the default share 0.6
    for job in earlier:
        referral = referrals[job["customer_id"]]
        end = date.fromisoformat(job["end"])
        assert date.fromordinal(end.toordinal() + 1).isoformat() == referral["unemployed_since"]
        assert job["recorded"] == referral["date"]  # known when the customer is referred
        assert job["evidence"] == "register" and job["kind"] in {"open", "subsidised"}
        assert (end - date.fromisoformat(job["date"])).days + 1 >= 14  # its min
        assert 4 <= float(job["hours_per_week"]) <= 40


@pytest.mark.parametrize("contract", [PALVELUMANAGERI, EARNINGS])
def test_a_cohort_without_earlier_work_draws_every_other_row_alike(contract: str,
                                                                   tmp_path: Path) -> None:
    """Earlier work is drawn after every other draw of a block: leaving it out changes no
    other row, byte for byte (wages too, where the contract reads earnings)."""
    drawn = _generated(contract, 300, 5).splitlines()
    none = _generated(contract, 300, 5, NONE, tmp_path).splitlines()
    assert [ln for ln in drawn if not _is_earlier_row(ln)] == none
    assert not any(_is_earlier_row(ln) for ln in none)
    if contract == EARNINGS:  # its wages, month by month, up to the job's end
        assert any("-wp-" in ln.split(",", 1)[0] for ln in drawn)


def _days_fees(text: str, tmp: Path, name: str) -> dict[tuple[str, str], Decimal]:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    ev, inputs = api.run_evaluation(PALVELUMANAGERI, [str(path)], date(2021, 12, 31))
    assert ev is not None, inputs.problems
    paid: Counter[tuple[str, str]] = Counter()
    for c in ev.customers:
        for line in c.lines:
            if line.status == "payable":
                paid[(c.customer_id, line.component)] += line.amount
    return dict(paid)


def test_earlier_work_lowers_the_days_fee_and_nothing_else(tmp_path: Path) -> None:
    """palvelumanageri pays the work days of the service minus those of the 12 months
    before it: drawn without earlier work, every customer's baseline was 0."""
    drawn = _generated(PALVELUMANAGERI, 300, 8)
    without = "\n".join(ln for ln in drawn.splitlines() if not _is_earlier_row(ln)) + "\n"
    with_it = _days_fees(drawn, tmp_path, "with.csv")
    alone = _days_fees(without, tmp_path, "without.csv")
    lower = 0
    for key in set(with_it) | set(alone):
        a, b = with_it.get(key, Decimal(0)), alone.get(key, Decimal(0))
        if key[1] == "days_result_fee":
            assert a <= b, key
            lower += a < b
        else:
            assert a == b, key
    assert lower >= 20  # of 300 customers
    total = sum(v for k, v in with_it.items() if k[1] == "days_result_fee")
    assert total < sum(v for k, v in alone.items() if k[1] == "days_result_fee")


def test_a_simulation_draws_the_baseline_the_fee_compares_with(tmp_path: Path) -> None:
    cohort = tmp_path / "none.yaml"
    cohort.write_text(NONE, encoding="utf-8")
    found = [api.simulate_contract(api.Request(PALVELUMANAGERI, c, runs=3, seed=2,
                                               customers=200))
             for c in (None, str(cohort))]
    drawn, none = (f.result.summaries[0] for f in found if f.result is not None)
    assert drawn.by_component["days_result_fee"].mean < \
        none.by_component["days_result_fee"].mean
    # the survey bonus reads no work: the same draws, the same pay
    assert drawn.by_component["radar_bonus"].mean == none.by_component["radar_bonus"].mean


@pytest.mark.parametrize(("end", "earlier"), [
    ("2019-01-08", True),
    ("2019-01-09", True),    # the day before the referral (2019-01-10): earlier work
    ("2019-01-10", False),   # on it: a job held when referred
    ("2019-01-11", False),
    (None, False),           # no end: held when referred
])
def test_earlier_work_is_a_job_ended_before_the_referral(end: str | None,
                                                         earlier: bool) -> None:
    job = _employment("c1", "2018-03-01", end, "2019-01-10")
    customer = _in_work(job, service=date(2019, 1, 16))
    assert _is_earlier(customer, job) is earlier
    assert _employments(customer) == ([] if earlier else [job])


@pytest.mark.parametrize(("end", "earlier"), [
    ("2019-01-15", True),    # the day before the service start: earlier work
    ("2019-01-16", False),   # on it
])
def test_without_a_referral_earlier_work_ended_before_the_service(end: str,
                                                                  earlier: bool) -> None:
    job = _employment("c1", "2018-03-01", end, "2019-01-16")
    customer = _in_work(job, service=date(2019, 1, 16))
    customer.entered = None
    assert _is_earlier(customer, job) is earlier


def test_the_earlier_job_fitted_is_the_one_that_ended_last() -> None:
    old = _employment("c1", "2016-01-01", "2016-12-31", "2019-01-10")
    last = _employment("c1", "2018-03-01", "2018-06-28", "2019-01-10")
    now = _employment("c1", "2019-02-01", None, "2019-02-05")
    people = [_in_work(old, last, now), *(_in_work() for _ in range(4))]
    sec = _earlier_work(people)
    assert sec.values["share"].value == Decimal("0.2000") and sec.values["share"].n == 5
    assert sec.values["length_days"].value == [120.0] * 21  # 2018-03-01..06-28
    assert sec.values["subsidised"].value == Decimal(0)


def test_a_fit_reads_earlier_work_apart_from_the_jobs_the_service_led_to(
        tmp_path: Path) -> None:
    cohort = ("profiles: {default: {earlier_work: {share: 0.3, length_days: "
              "{uniform: [100, 300]}, subsidised: 0.5}}}\n")
    drawn = _generated(PALVELUMANAGERI, 1500, 4, cohort, tmp_path)
    without = "\n".join(ln for ln in drawn.splitlines() if not _is_earlier_row(ln)) + "\n"
    fits = []
    for name, text in (("with.csv", drawn), ("without.csv", without)):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        found = api.fit_cohort(PALVELUMANAGERI, [str(path)])
        assert found.result is not None, found.problems
        fits.append(found.result)
    with_it, alone = fits
    for segment, sections in with_it.profiles.items():
        # every estimate but earlier work's is the same with or without it
        for part, sec in sections.items():
            if part != "earlier_work":
                assert sec == alone.profiles[segment][part], (segment, part)
        got = sections["earlier_work"].values
        assert abs(got["share"].value - Decimal("0.3")) < Decimal("0.06"), segment
        assert abs(got["subsidised"].value - Decimal("0.5")) < Decimal("0.12"), segment
        assert 170 < got["length_days"].value[10] < 230, segment  # the median of 100..300
        assert "share" not in alone.profiles[segment]["earlier_work"].values or \
            alone.profiles[segment]["earlier_work"].values["share"].value == 0
    read = load_cohort_text(with_it.text, "fitted").cohort
    assert read is not None and read.profile("group_1").earlier_work.share > 0


@pytest.mark.parametrize(("written", "said"), [
    ("earlier_work: {share: 1.2}", "1.2 is not between 0 and 1"),
    ("earlier_work: {lenght_days: 100}", "did you mean 'length_days'?"),
    ("earlier_work: {length_days: {normal: {mean: 100, sd: 50}}}", "never negative"),
])
def test_an_earlier_work_key_written_wrong_is_said_where_it_is(written: str,
                                                               said: str) -> None:
    found = load_cohort_text(f"profiles:\n  default:\n    {written}\n", "c.yaml")
    assert found.cohort is None
    assert any(said in p.message and p.source.line == 3 for p in found.problems), \
        [(p.source.line, p.message) for p in found.problems]


TEHOSTETTU = str(ROOT / "contracts" / "tehostettu_tyonvalitys.yaml")


def _figures(found: object) -> object:
    """A forecast's dictionary without its reasons."""
    if isinstance(found, dict):
        return {k: _figures(v) for k, v in found.items() if k != "reason"}
    if isinstance(found, list):
        return [_figures(v) for v in found]
    return found


@pytest.mark.parametrize(("contract", "as_of"), [
    (TEHOSTETTU, date(2019, 12, 31)), (TEHOSTETTU, date(2020, 3, 31)),
    (EARNINGS, date(2025, 3, 31)), (EARNINGS, date(2025, 4, 30))])
def test_a_forecast_continues_the_story_after_the_earlier_work(contract: str, as_of: date,
                                                              tmp_path: Path) -> None:
    """A customer in progress whose only job ended before the referral has not found work
    yet: the continuation draws a first job from the service start, as for one without
    that row (it read the earlier job as the first of the generator's chain, and drew the
    next after its end). Neither contract pays for work before the service, so the
    forecast with the earlier rows is the forecast without them, figure for figure (wages
    too: the earlier job's pay before the referral is no job's unrecorded first wage); the
    reasons of pending fees name the earlier job as not counted."""
    drawn = _generated(contract, 300, 6)
    without = "\n".join(ln for ln in drawn.splitlines() if not _is_earlier_row(ln)) + "\n"
    found = []
    for name, text in (("with.csv", drawn), ("without.csv", without)):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        result = api.forecast_customers(api.Request(contract, runs=3, seed=4), [str(path)],
                                        as_of)
        assert result.result is not None, result.problems
        found.append(_figures(result.result.to_dict()))
    assert found[0] == found[1]
    assert any(ln.split(",", 1)[0].endswith("-p") for ln in drawn.splitlines())


AVGS = str(ROOT / "contracts" / "avgs_placement_voucher.yaml")


def test_only_a_contract_that_tells_employers_apart_draws_them() -> None:
    rows = _rows(_generated(AVGS, 400, 3))
    jobs = [r for r in rows if r["type"] == "employment"]
    assert all(r["employer"] for r in jobs)
    # the jobs of the chain, each with an employer of its own; earlier work's is the first
    # job's with the chance same_employer (0.2), else its own
    assert {r["employer"] for r in jobs if not r["event_id"].endswith("-p")} <= {
        f"employer-{n}" for n in range(1, 8)}
    assert all(r["employer"] == f"employer-{int(r['event_id'].rsplit('-e', 1)[1]) + 1}"
               for r in jobs if not r["event_id"].endswith("-p"))
    first = {r["customer_id"] for r in jobs if r["event_id"].endswith("-e0")}
    earlier = [r for r in jobs if r["event_id"].endswith("-p")]
    both = [r for r in earlier if r["customer_id"] in first]
    same = [r for r in both if r["employer"] == "employer-1"]
    assert all(r["customer_id"] in first for r in earlier if r["employer"] == "employer-1")
    assert 0.1 < len(same) / len(both) < 0.3
    assert "employer" not in _generated(PALVELUMANAGERI, 5, 3).splitlines()[0].split(",")


def test_a_first_job_with_the_earlier_employer_pays_no_avgs_placement(
        tmp_path: Path) -> None:
    """AVGS keeps out a job with an employer the jobseeker worked for more than 3 months in
    the 48 months before: drawn with the chance 0.2 that the first job is with the earlier
    employer, it pays less than with none, the same draws otherwise."""
    found = []
    for same in ("0", "0.2"):
        cohort = tmp_path / f"same-{same}.yaml"
        cohort.write_text(f"profiles: {{default: {{earlier_work: {{same_employer: {same}}}}}}}\n",
                          encoding="utf-8")
        sim = api.simulate_contract(api.Request(AVGS, str(cohort), runs=3, seed=7,
                                                customers=300))
        assert sim.result is not None, sim.problems
        found.append(sim.result.summaries[0].per_customer.mean)
    assert found[1] < found[0]


def test_a_forecast_draws_new_jobs_with_employers_of_their_own() -> None:
    """The generator names a customer's employers alike (``employer-1``, ...): a job the
    continuation draws is tagged, so it is never with an employer of the real rows."""
    from rewardengine.forecast.conditional import _Own, _tagged

    columns = ("event_id", "customer_id", "type", "date", "recorded", "employer")
    own = _Own.of(columns)
    state = type("S", (), {"as_of": date(2020, 1, 31), "customer_id": "c9",
                           "ids": frozenset()})()
    rows = own.rows("0-e0,0,employment,2020-02-03,2020-02-05,employer-1\n", "0", state)
    assert rows == [{"event_id": "c9-e0~f", "customer_id": "c9", "type": "employment",
                     "date": "2020-02-03", "recorded": "2020-02-05",
                     "employer": "employer-1~f"}]
    assert _tagged([{"event_id": "c9-e1", "employer": "employer-2"}], frozenset()) == [
        {"event_id": "c9-e1~f", "employer": "employer-2~f"}]


def test_a_fit_reads_how_often_the_first_job_is_with_the_earlier_employer(
        tmp_path: Path) -> None:
    path = tmp_path / "avgs.csv"
    path.write_text(_generated(AVGS, 1500, 4), encoding="utf-8")
    found = api.fit_cohort(AVGS, [str(path)])
    assert found.result is not None, found.problems
    got = found.result.profiles["default"]["earlier_work"].values["same_employer"]
    assert abs(got.value - Decimal("0.2")) < Decimal("0.07")
    assert got.n > 300  # the customers with earlier work and a job after it


MUNICIPAL = str(ROOT / "contracts" / "municipal_subsidy_share.yaml")


def test_no_benefit_is_drawn_before_the_unemployment_began() -> None:
    """A benefit month whose 15th comes before ``unemployed_since`` pays nothing (the
    customer was in earlier work, or not unemployed); one from the day on pays as drawn."""
    rows = _rows(_generated(MUNICIPAL, 300, 2))
    since = {r["customer_id"]: date.fromisoformat(r["unemployed_since"]) for r in rows
             if r["type"] == "referral" and r.get("unemployed_since")}
    before = after = 0
    for r in rows:
        if r["type"] != "benefit" or r["customer_id"] not in since:
            continue
        mid = date.fromisoformat(r["date"]).replace(day=15)
        if mid < since[r["customer_id"]]:
            assert r["days"] == "0" and Decimal(r["amount"]) == 0, r["event_id"]
            before += 1
        elif mid == since[r["customer_id"]]:
            after += r["days"] != "0"  # on the day: unemployed
        else:
            after += r["days"] != "0"
    assert before > 100 and after > 1000


def _state(rows: str, as_of: date) -> object:
    from rewardengine.engine import evaluate_customer
    from rewardengine.events.timeline import timeline
    from rewardengine.forecast.conditional import State
    from rewardengine.forecast.runs import to_events

    loaded = api.load_inputs(EARNINGS, []).contract
    assert loaded is not None
    head = "event_id,customer_id,type,date,recorded,end,kind,evidence,wage,amount,fte\n"
    events = to_events([{k: v for k, v in r.items() if v} for r in _rows(head + rows)])
    return State.of(evaluate_customer(loaded, timeline("c1", events, as_of)))


def test_an_earlier_jobs_last_wage_paid_after_the_referral_is_no_unseen_job() -> None:
    """The earlier job ended 2025-03-04 and was referred 2025-03-10: its part month is paid
    on 2025-03-31, after the referral. Read as the first wage of a job not recorded, it said
    the service never starts, or drew a job begun in March."""
    rows = ("r1,c1,referral,2025-03-10,,,,,,,\n"
            "p1,c1,employment,2024-06-01,2025-03-10,2025-03-04,open,register,2000.00,,1\n"
            "w1,c1,earnings,2025-02-28,,,open,register,,2000.00,\n"
            "w2,c1,earnings,2025-03-31,,,open,register,,258.06,\n")
    state = _state(rows, date(2025, 4, 2))
    assert state.employments == () and state.unseen_wage is None  # type: ignore[attr-defined]
    # the same row with no earlier job is a wage of a job not recorded yet
    alone = _state("".join(ln + "\n" for ln in rows.splitlines() if not ln.startswith("p1")),
                   date(2025, 4, 2))
    assert alone.unseen_wage is not None  # type: ignore[attr-defined]


def test_a_job_held_at_the_referral_keeps_the_wages_that_show_it_stopped() -> None:
    """A job begun before the referral and going on at it is no earlier work: its wages
    before the referral, paid every month, show that it stopped after March's."""
    rows = ["r1,c1,referral,2025-01-10,,,,,,,", "s1,c1,service_start,2025-01-20,,,,,,,",
            "j1,c1,employment,2024-06-01,2024-06-05,,open,register,2000.00,,1"]
    for y, m, d in ((2024, 6, 30), (2024, 7, 31), (2024, 8, 31), (2024, 9, 30),
                    (2024, 10, 31), (2024, 11, 30), (2024, 12, 31), (2025, 1, 31),
                    (2025, 2, 28), (2025, 3, 31)):
        rows.append(f"w{y}{m},c1,earnings,{date(y, m, d)},,,open,register,,2000.00,")
    state = _state("\n".join(rows) + "\n", date(2025, 5, 5))
    assert state.wage_ends == (date(2025, 3, 31),)  # type: ignore[attr-defined]


def test_a_median_of_hours_months_is_not_the_longest_followed() -> None:
    """Ten customers cut off after a month, three whose hours stopped after two, one still
    going after seven: the estimate stopped at two (fewer than five waiting) would have
    read the median as seven, the longest followed."""
    from rewardengine.forecast.fit import Section, _hours_months
    from rewardengine.forecast.survival import Observed

    seen = [*(Observed(1, False) for _ in range(10)), *(Observed(2, True) for _ in range(3)),
            Observed(7, False)]
    sec = Section()
    _hours_months(sec, seen)
    assert sec.values["hours_months"].value == 2


def test_earlier_work_ends_before_a_first_job_begun_before_the_service(tmp_path: Path) -> None:
    cohort = "profiles: {default: {jobs: {share: 1, days_to_first: {uniform: [-400, -1]}}}}\n"
    rows = _rows(_generated(AVGS, 300, 5, cohort, tmp_path))
    first = {r["customer_id"]: r["date"] for r in rows if r["event_id"].endswith("-e0")}
    earlier = [r for r in rows if r["event_id"].endswith("-p")]
    assert earlier and all(r["end"] < first[r["customer_id"]] for r in earlier
                           if r["customer_id"] in first)
    assert any(r["end"] < first.get(r["customer_id"], "") for r in earlier)


def test_a_forecast_draws_a_return_to_the_earlier_employer(tmp_path: Path) -> None:
    """A customer in progress with earlier work and no job since: with the cohort's chance
    ``same_employer`` the first job drawn ahead is with the earlier employer, which AVGS
    keeps out; it was always a new employer, so the setting changed nothing ahead."""
    events = tmp_path / "avgs.csv"
    events.write_text(_generated(AVGS, 400, 9), encoding="utf-8")
    ahead = []
    for same in ("0", "1"):
        cohort = tmp_path / f"same-{same}.yaml"
        cohort.write_text(f"profiles: {{default: {{earlier_work: {{same_employer: {same}}}}}}}\n",
                          encoding="utf-8")
        found = api.forecast_customers(api.Request(AVGS, str(cohort), runs=3, seed=2),
                                       [str(events)], date(2014, 12, 31))
        assert found.result is not None, found.problems
        ahead.append(Decimal(found.result.to_dict()["ahead"]["mean"]))
    assert ahead[1] < ahead[0]


def test_unemployment_is_fitted_from_the_earlier_jobs_end_without_unemployed_since(
        tmp_path: Path) -> None:
    """Data with no unemployed_since: the day after the earlier job that ended last is when
    the unemployment began, as the generator draws it (left out, the default's months were
    drawn, and earlier work fell into a baseline the data shows it had left)."""
    cohort = ("profiles: {default: {earlier_work: {share: 0.9}, person: "
              "{unemployment_months: {uniform: [14, 30]}}}}\n")
    rows = _rows(_generated(PALVELUMANAGERI, 400, 3, cohort, tmp_path))
    for r in rows:
        r["unemployed_since"] = ""
    path = tmp_path / "no-since.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    found = api.fit_cohort(PALVELUMANAGERI, [str(path)])
    assert found.result is not None, found.problems
    months = found.result.profiles["group_1"]["person"].values["unemployment_months"].value
    assert months[0] >= 13.5 and months[-1] <= 31  # within the 14..30 drawn, a day's rounding
    assert 20 < months[10] < 24


def test_surveys_are_fitted_over_the_customers_asked() -> None:
    """The generator asks only customers whose service started, a week after the start:
    the share is of those (it was of every customer, low by those never started), and the
    first score and its change are fitted too (the radar bonus pays on the change)."""
    text = _generated(PALVELUMANAGERI, 1500, 6)
    found = _fit_text(text)
    got = found.profiles["group_2"]["surveys"].values
    assert abs(got["share"].value - Decimal("0.75")) < Decimal("0.06")
    assert 4 <= got["first_score"].value[10] <= 6  # drawn normal 5 ± 1.5, rounded
    assert got["change"].value[0] < 0 < got["change"].value[-1]  # a change may fall
    assert 0 <= got["change"].value[10] <= 2  # drawn normal 1 ± 1.5


def test_education_is_fitted_allowing_for_courses_not_begun_by_the_datas_end() -> None:
    """Courses begin 30 to 300 days after the referral: data cut mid-contract holds
    customers referred too lately to have begun one. Counted as they stood, the share came
    out about half of what was drawn (0.12)."""
    from tests.test_fit_censoring import _cut

    text = _generated(PALVELUMANAGERI, 3000, 4)
    whole = _fit_text(text).profiles["group_1"]["education"].values
    cut = _fit_text(_cut(text, date(2019, 9, 30))).profiles["group_1"]["education"].values
    assert abs(whole["share"].value - Decimal("0.12")) < Decimal("0.04")
    assert abs(cut["share"].value - Decimal("0.12")) < Decimal("0.04")
    assert cut["share"].censored > 0
    assert whole["days_to_start"].value[0] >= 30 and whole["days_to_start"].value[-1] <= 300
    assert whole["length_days"].value[0] >= 30 and whole["length_days"].value[-1] <= 270


def _fit_text(text: str) -> Fitted:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.csv"
        path.write_text(text, encoding="utf-8")
        found = api.fit_cohort(PALVELUMANAGERI, [str(path)])
    assert found.result is not None, found.problems
    return found.result


def test_a_cohort_file_without_an_id_is_named_by_the_file(tmp_path: Path) -> None:
    """A file of one's own without ``id`` was said as "cohort default", the built-in
    cohort's name, though it drew other figures; a file writing no key is the default."""
    from rewardengine.cohort import load_cohort

    own = tmp_path / "little-earlier-work.yaml"
    own.write_text(NONE, encoding="utf-8")
    named = tmp_path / "named.yaml"
    named.write_text("id: mine\n" + NONE, encoding="utf-8")
    empty = tmp_path / "empty.yaml"
    empty.write_text("# nothing yet\n", encoding="utf-8")
    ids = [load_cohort(str(p)).cohort for p in (own, named, empty)]
    assert [c.id if c else None for c in ids] == ["little-earlier-work", "mine", "default"]


def test_data_without_courses_fits_no_education() -> None:
    """No customer took a course: a share of 0, resting on every customer (estimated as
    waiting, it rested on none and kept the default 0.12, which a days fee pays for)."""
    text = "\n".join(ln for ln in _generated(PALVELUMANAGERI, 300, 3).splitlines()
                     if ",education," not in ln) + "\n"
    got = _fit_text(text).profiles["group_1"]["education"].values["share"]
    assert got.value == 0 and got.n > 50


def test_surveys_of_an_instrument_the_contract_does_not_read_are_not_fitted() -> None:
    """palvelumanageri reads tyoelamatutka; the same answers again on another scale
    (score x 5 + 14) would have moved the first score's median from about 5 to 14."""
    rows = _generated(PALVELUMANAGERI, 800, 3).splitlines()
    other = []
    for ln in rows[1:]:
        cells = ln.split(",")
        if cells[2] == "survey":
            cells[0] += "-w"
            cells[rows[0].split(",").index("instrument")] = "wemwbs"
            at = rows[0].split(",").index("score")
            cells[at] = str(int(cells[at]) * 5 + 14)
            other.append(",".join(cells))
    got = _fit_text("\n".join([*rows, *other]) + "\n").profiles["group_1"]["surveys"].values
    assert 4 <= got["first_score"].value[10] <= 6


@pytest.mark.parametrize(("text", "line"), [
    ("profiles:\n  default:\n    jobs: {share: 0.5, earlier_work: {share: 0.2}}\n", 3),
    ("earlier_work: {share: 0.1}\n", 1),
])
def test_a_profile_section_written_elsewhere_says_where_it_belongs(text: str,
                                                                   line: int) -> None:
    found = load_cohort_text(text, "c.yaml")
    assert [(p.source.line, p.message) for p in found.problems] == [
        (line, "unknown key 'earlier_work' (earlier_work belongs under profiles.<segment>)")]


def test_a_key_of_many_parts_is_not_said_to_belong_anywhere() -> None:
    found = load_cohort_text("share: 0.5\n", "c.yaml")
    assert [p.message for p in found.problems] == ["unknown key 'share'"]


def test_a_fitted_file_says_which_values_are_the_defaults(tmp_path: Path) -> None:
    """An estimate resting on too few was left out of the file, said only on the terminal:
    a later reader could not tell a value assumed from one measured. Written as a comment,
    the file reads back the same."""
    path = tmp_path / "few.csv"
    path.write_text(_generated(PALVELUMANAGERI, 60, 2), encoding="utf-8")
    found = api.fit_cohort(PALVELUMANAGERI, [str(path)])
    assert found.result is not None, found.problems
    text = found.result.text
    assert "      # gap_days: the default, too few to estimate (3 gaps)" in text
    for said in found.result.defaults:
        key = said.split(" (")[0].split(".", 2)[2]  # group_1.jobs.gap_days (3 gaps)
        assert f"# {key}: the default" in text or f".{key}: the default" in text
    read = load_cohort_text(text, "fitted")
    assert read.cohort is not None and not read.problems


def test_a_fit_says_courses_later_than_anyone_followed_cannot_be_seen() -> None:
    from tests.test_fit_censoring import _cut

    text = _cut(_generated(PALVELUMANAGERI, 3000, 4), date(2019, 9, 30))
    said = " ".join(_fit_text(text).cut_short)
    assert "no course later than" in said and "the share taking one" in said

