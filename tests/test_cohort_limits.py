"""Cohorts whose values are each within their limits but together draw what no event may
hold, and the forecasting commands' other edges a user trial found.

Each value of a cohort had its own bound (a century of days, 100 further jobs, an age of
150), yet 100 further jobs 36,600 days apart dated a row in the year 10036: `simulate`,
`generate` and `forecast` stopped with an internal error (exit 3). A job chain or an age that
reached past 2199 or before 1900, or a wage of 10^15, made rows the event reader refuses:
`simulate` stopped with an unlocated error and `generate` wrote a file that `evaluate`
rejects. Now the cohort is refused where it is written (G103, G104), before anything is
drawn. The reach a check allows is the sum of every part's largest draw, tested at the day
it reaches: one day short, exactly on, one day over.
"""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from rewardengine import api
from rewardengine.cli import app
from rewardengine.cohort import Cohort, cohort_schema, load_cohort_text
from rewardengine.events.read import read_events
from rewardengine.pipeline import load_contract
from rewardengine.synth import VOID_DAYS, beyond_calendar
from rewardengine.values import MAX_DATE

ROOT = Path(__file__).resolve().parent.parent
TEHOSTETTU = ROOT / "contracts" / "tehostettu_tyonvalitys.yaml"
AIMO = ROOT / "contracts" / "aimo.yaml"
LAST_REFERRAL = date(2020, 6, 30)  # tehostettu's referrals_until
FIRST_REFERRAL = date(2019, 1, 1)  # its valid_from
runner = CliRunner()


def _cohort(text: str) -> Cohort:
    found = load_cohort_text(text, "c.yaml")
    assert found.cohort is not None, [str(p) for p in found.problems]
    return found.cohort


def _one_job(days_to_first: int) -> str:
    """One job (no further one), ended and voided, every part fixed: its reach from the last
    referral day is 1 + days_to_first + (36,600 + 1) + 1 + VOID_DAYS."""
    return ("profiles:\n  default:\n    service: {starts: 1, days_to_start: 1}\n"
            f"    jobs: {{share: 1, ongoing: 0, more: 0, days_to_first: {days_to_first},"
            " length_days: 36600, confirm_delay_days: 1, end_recorded_delay_days: 1,"
            " voided: 1}\n")


EXACT = (MAX_DATE - LAST_REFERRAL).days - (1 + 36_601 + 1 + VOID_DAYS)


@pytest.mark.parametrize(("days", "refused"), [(EXACT - 1, False), (EXACT, False),
                                                (EXACT + 1, True)])
def test_a_job_chain_may_reach_the_last_day_an_event_may_have(days: int, refused: bool
                                                              ) -> None:
    loaded = load_contract(str(TEHOSTETTU))[0]
    assert loaded is not None
    gap = beyond_calendar(loaded, _cohort(_one_job(days)))
    assert (gap is not None) is refused
    if gap is not None:
        assert gap[0] == ("profiles", "default", "jobs")
        # one day past the last day: 65,562 days after 2020-06-30
        assert f"{(MAX_DATE - LAST_REFERRAL).days + 1:,} days after the last referral day " \
            "2020-06-30, past 2199-12-31" in gap[1]


def test_the_chain_at_its_bound_is_drawn_and_read_back_whole(tmp_path: Path) -> None:
    """The check's reach is not lax: every customer at the bound is drawn, and every row
    the file holds is one the event reader accepts."""
    path = tmp_path / "c.yaml"
    path.write_text(_one_job(EXACT), encoding="utf-8")
    out = tmp_path / "e.csv"
    with out.open("w", encoding="utf-8", newline="") as fh:
        written, problems = api.generate_events(str(TEHOSTETTU), fh, customers=40, seed=2,
                                                cohort_path=str(path))
    assert written and not [p for p in problems if p.severity.value == "error"]
    events = read_events([str(out)])
    assert not events.problems
    latest = max(max(e.date, getattr(e, "recorded", None) or e.date) for e in events.events)
    assert date(2199, 1, 1) < latest <= MAX_DATE


def test_jobs_a_century_apart_are_refused_where_written_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "far.yaml"
    path.write_text("profiles:\n  default:\n"
                    "    jobs: {share: 1, more: 100, gap_days: 36600, ongoing: 0}\n",
                    encoding="utf-8")
    for args in (["simulate", str(TEHOSTETTU), "--cohort", str(path), "--runs", "1", "-n",
                  "20"],
                 ["generate", str(TEHOSTETTU), "--cohort", str(path), "--customers", "20",
                  "--seed", "0", "-o", str(tmp_path / "m.csv")],
                 ["forecast", str(TEHOSTETTU),
                  str(ROOT / "examples" / "tehostettu_tyonvalitys" / "events.csv"),
                  "--as-of", "2020-06-30", "--cohort", str(path), "--runs", "2"]):
        done = runner.invoke(app, args)
        assert done.exit_code == 1, (args[0], done.output)
        assert f"{path}:3:11: G104 profile default: the jobs" in done.output
        assert "past 2199-12-31" in done.output
    assert not (tmp_path / "m.csv").exists()


@pytest.mark.parametrize(("age", "refused"), [(116, False), (117, True)])
def test_an_age_whose_birth_date_falls_before_1900_is_refused(age: int, refused: bool,
                                                              tmp_path: Path) -> None:
    """366 days a year and 300 more, before the first referral day 2019-01-01 (43,464 days
    after 1900-01-01): an age of 116 reaches 43,122 days back, 117 reaches 43,488."""
    text = f"profiles:\n  default:\n    person: {{age: {age}}}\n"
    loaded = load_contract(str(AIMO))[0]
    assert loaded is not None
    gap = beyond_calendar(loaded, _cohort(text))
    assert (gap is not None) is refused
    if gap is not None:
        assert gap[0] == ("profiles", "default", "person")
        assert "before the first referral day 2019-01-01, before 1900-01-01" in gap[1]
        return
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    written, problems = api.generate_events(str(AIMO), out, customers=60, seed=1,
                                            cohort_path=str(path))
    assert written, [str(p) for p in problems]
    births = [line.split(",") for line in out.getvalue().splitlines()]
    header = births[0]
    at = header.index("birth_date")
    assert min(row[at] for row in births[1:] if row[at]) >= "1900-01-01"


@pytest.mark.parametrize(("key", "value", "refused"), [
    ("jobs: {wage", "999999999999", False), ("jobs: {wage", "1000000000000", False),
    ("jobs: {wage", "1000000000001", True),
    ("benefits: {daily_amount", "1000000000001", True),
    ("expenses: {amount", "1000000000001", True)])
def test_an_amount_a_drawn_row_cannot_hold_is_refused_at_its_key(key: str, value: str,
                                                                 refused: bool) -> None:
    found = load_cohort_text(f"profiles:\n  default:\n    {key}: {value}}}\n", "c.yaml")
    said = [str(p) for p in found.problems]
    if not refused:
        assert not said
        return
    assert len(said) == 1 and said[0].startswith("c.yaml:3:")
    assert "G103" in said[0] and "at most 1,000,000,000,000 in amount" in said[0]


def test_a_cohort_s_nameless_problems_come_with_a_name_the_contract_lacks(tmp_path: Path
                                                                          ) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("referrals:\n  first_day: 2020-05-01\n  last_day: 2020-01-01\n"
                    "segments: {nosuch: 1}\n", encoding="utf-8")
    for args in (["simulate", str(TEHOSTETTU), "--cohort", str(path), "--runs", "1", "-n",
                  "5"],
                 ["generate", str(TEHOSTETTU), "--cohort", str(path), "--customers", "5",
                  "--seed", "0", "-o", str(tmp_path / "m.csv")]):
        done = runner.invoke(app, args)
        assert done.exit_code == 1
        assert f"{path}:3:13: G104 referrals are drawn from 2020-05-01 to 2020-01-01" \
            in done.output
        assert f"{path}:4:12: G104 the cohort names nosuch" in done.output


def test_forecast_says_the_event_files_problems_beside_the_cohort_s(tmp_path: Path) -> None:
    cohort = tmp_path / "c.yaml"
    cohort.write_text("profiles:\n  default:\n    jobs: {share: 1.5}\n", encoding="utf-8")
    events = tmp_path / "e.csv"
    events.write_text("event_id,customer_id,type,date\nr1,c1,referral,2020-13-05\n",
                      encoding="utf-8")
    done = runner.invoke(app, ["forecast", str(TEHOSTETTU), str(events), "--as-of",
                               "2020-06-30", "--cohort", str(cohort), "--runs", "2"])
    assert done.exit_code == 1
    assert f"{cohort}:3:19: G103 profiles.default.jobs.share" in done.output
    assert f"{events}:2: E005 field 'date': '2020-13-05' is not a real date" in done.output


@pytest.mark.parametrize("target", ["1e30", "1e999999999", "99999999999999999999999999999",
                                    "1000000000000000"])
def test_price_refuses_a_target_no_amount_may_hold(target: str) -> None:
    done = runner.invoke(app, ["price", str(TEHOSTETTU), "--target-per-customer", target,
                               "--solve", "result", "--runs", "2", "-n", "10"])
    assert done.exit_code == 2, done.output
    assert "is implausibly large: an amount a contract may write is at most " \
        "999999999999999.99" in done.output


def test_price_says_a_target_needs_more_than_any_amount_a_contract_may_write(
        tmp_path: Path) -> None:
    """No ceiling: the line through the amounts tried meets the target above the largest
    amount; the cost at that amount is below it, so it cannot be reached (not a crash, not
    "the contract has errors")."""
    text = TEHOSTETTU.read_text(encoding="utf-8")
    uncapped = tmp_path / "uncapped.yaml"
    uncapped.write_text(text.replace("caps:\n  contract_total: 3000000.00\n", ""),
                        encoding="utf-8")
    done = runner.invoke(app, ["price", str(uncapped), "--target-per-customer",
                               "900000000000000", "--solve", "result", "--runs", "3", "-n",
                               "20"])
    assert done.exit_code == 2, done.output
    assert "the target 900000000000000.00 per customer would need an amount of about" \
        in done.output
    assert "even 999999999999999.99, the largest amount a contract may write, costs" \
        in done.output


@pytest.mark.parametrize("args", [
    ["forecast", str(ROOT / "examples" / "tehostettu_tyonvalitys" / "events.csv"),
     "--as-of", "2020-06-30", "--provider", "010190-123A"],
    ["price", "--target-per-customer", "200", "--solve", "010190-123A"],
    ["price", "--target-per-customer", "200", "--solve", "result", "--segment",
     "010190-123A"],
    ["price", "--target-per-customer", "200", "--solve", "result", "--hold", "010190-123A"]])
def test_a_flag_that_looks_like_an_identity_code_is_not_echoed(args: list[str]) -> None:
    command, *rest = args
    size = [] if command == "forecast" else ["-n", "5"]
    done = runner.invoke(app, [command, str(TEHOSTETTU), *rest, "--runs", "1", *size])
    assert done.exit_code == 2, done.output
    assert "010190-123A" not in done.output
    assert "not shown" in done.output


def test_dialect_options_without_from_events_are_said_to_change_nothing() -> None:
    done = runner.invoke(app, ["simulate", str(TEHOSTETTU), "--runs", "1", "-n", "5",
                               "--delimiter", ";", "--encoding", "cp1252"])
    assert done.exit_code == 0, done.output
    assert ("note: --delimiter, --encoding describe the --from-events files; without "
            "--from-events they change nothing") in done.output


@pytest.mark.parametrize("text", ["", "# only a comment\n",
                                  "profiles:\n  default:\n    service: "
                                  "{contacts_per_month: 2}\n    jobs: {length_days: 90}\n",
                                  (ROOT / "tests" / "data" / "forecast" / "analytic_cohort.yaml")
                                  .read_text("utf-8")])
def test_the_cohort_schema_accepts_what_the_tool_reads(text: str) -> None:
    import yaml

    found = load_cohort_text(text, "c.yaml")
    assert not found.problems
    jsonschema.validate(yaml.safe_load(text), cohort_schema())


def test_the_cohort_schema_still_refuses_a_distribution_that_is_no_number() -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"profiles": {"default": {"jobs": {"length_days": "x"}}}},
                            cohort_schema())
    assert json.dumps(cohort_schema(), sort_keys=True) == json.dumps(cohort_schema(),
                                                                     sort_keys=True)
