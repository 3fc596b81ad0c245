"""A fitted cohort's mixes (segments, providers, the evidence of jobs) add up to exactly 1,
so the written file reads back as written: shares rounded each on its own added up to 0.9999
or 1.0001 (taken in proportion; G107 once more than 0.001 off)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rewardengine.cli import app
from rewardengine.cohort import load_cohort_text
from rewardengine.forecast.fit import _mix

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


@pytest.mark.parametrize(("counts", "shares"), [
    ({"a": 1, "b": 1, "c": 1}, ["0.3334", "0.3333", "0.3333"]),  # the first named on a tie
    ({"a": 1, "b": 2}, ["0.3333", "0.6667"]),
    ({"a": 1, "b": 1, "c": 1, "d": 1, "e": 1, "f": 1, "g": 1},
     ["0.1429", "0.1429", "0.1429", "0.1429", "0.1428", "0.1428", "0.1428"]),
    ({"a": 0, "b": 5}, ["0.0000", "1.0000"]),
    ({"a": 1, "b": 9_998, "c": 1}, ["0.0001", "0.9998", "0.0001"]),
])
def test_a_mix_is_written_to_four_places_and_adds_up_to_one(counts: dict[str, int],
                                                            shares: list[str]) -> None:
    mix = _mix(counts)
    assert [str(v) for v in mix.values()] == shares
    assert sum(mix.values(), Decimal(0)) == 1


def test_a_fitted_cohort_reads_back_without_a_warning(tmp_path: Path) -> None:
    """Fit, write, load: the segment mix of six customers, two in each segment, was written
    0.3333 three times (0.9999)."""
    events = ROOT / "examples" / "pirkanmaa" / "events.csv"
    out = tmp_path / "fitted.yaml"
    done = runner.invoke(app, ["cohort", "fit", str(ROOT / "contracts" / "pirkanmaa.yaml"),
                               str(events), "-o", str(out)])
    assert done.exit_code == 0, done.output
    text = out.read_text(encoding="utf-8")
    assert "providers: {focus_tyopolut: 0.5000, tyotalo: 0.5000}" in text
    assert "segments: {under_12: 0.3334, from_12_to_36: 0.3333, over_36: 0.3333}" in text
    found = load_cohort_text(text, "fitted.yaml")
    assert found.cohort is not None
    assert [p.code for p in found.problems] == []
    used = runner.invoke(app, ["simulate", str(ROOT / "contracts" / "pirkanmaa.yaml"),
                               "--cohort", str(out), "--runs", "2", "-n", "5"])
    assert used.exit_code == 0 and "G107" not in used.output, used.output


def test_a_service_started_before_its_referral_is_fitted_as_on_its_day(tmp_path: Path) -> None:
    """A review: a service start dated before the referral made a negative wait, which the
    fitted cohort could not read back (a cohort draws no days below 0): an internal error."""
    rows = (ROOT / "examples" / "omavalmentaja" / "events.csv").read_text(encoding="utf-8")
    before = rows.replace("O01-s,O01,service_start,2019-09-02,",
                          "O01-s,O01,service_start,2019-08-20,")  # referred 2019-08-26
    assert before != rows
    events = tmp_path / "events.csv"
    events.write_text(before, encoding="utf-8")
    done = runner.invoke(app, ["cohort", "fit", str(ROOT / "contracts" / "omavalmentaja.yaml"),
                               str(events)])
    assert done.exit_code == 0, done.output
    assert "days_to_start" in done.stdout


def test_a_job_recorded_in_fte_alone_is_fitted_at_its_hours(tmp_path: Path) -> None:
    """A user trial: jobs given only in FTE (as the tehostettu example gives them) were left
    out of hours_per_week, which kept the default 32 h silently, or rested on every job."""
    from rewardengine.events.model import Employment
    from rewardengine.forecast.fit import _weekly_hours

    def job(**extent: str) -> Employment:
        return Employment.model_validate({"event_id": "e", "customer_id": "c",
                                          "type": "employment", "date": "2020-01-01",
                                          "kind": "open", "evidence": "register", **extent})

    assert _weekly_hours(job(fte="0.6")) == 22.5
    assert _weekly_hours(job(hours_per_week="30", fte="0.6")) == 30.0
    done = runner.invoke(app, ["cohort", "fit",
                               str(ROOT / "contracts" / "tehostettu_tyonvalitys.yaml"),
                               str(ROOT / "examples" / "tehostettu_tyonvalitys" / "events.csv")])
    assert done.exit_code == 0, done.output
    line = next(ln for ln in done.stdout.splitlines() if "hours_per_week:" in ln)
    assert "28.12" in line and line.endswith("# rests on 12 jobs")  # 0.75 FTE is 28.125 h


def test_a_share_no_one_was_seen_to_have_keeps_its_default() -> None:
    """Every service still running when the data ends: none seen to end early, so nothing is
    known of the share (it was written 0.0000, 'allowing for 5 cut off')."""
    from rewardengine.forecast.fit import Section
    from rewardengine.forecast.survival import Observed, product_limit

    sec = Section()
    sec.waited("ends_early", "share_of_length",
               product_limit([Observed(300.0, False, True) for _ in range(5)]))
    assert sec.values["ends_early"].n == 0  # rests on none: the default is kept
    assert "share_of_length" not in sec.values
