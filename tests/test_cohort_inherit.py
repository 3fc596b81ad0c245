"""A segment's cohort profile is the default profile with the segment's own keys put over it
(a provider wrote `default: {jobs: {share: 0}}` and a segment profile changing only the
service, and that segment's customers were drawn with the built-in job share)."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from typer.testing import CliRunner

from rewardengine.cli import app
from rewardengine.cohort import DEFAULT_COHORT, load_cohort_text

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()

COHORT = """
profiles:
  default:
    jobs: {share: 0, hours_per_week: {uniform: [20, 30]}}
    education: {share: 0}
  over_24_months:
    service: {starts: 0.9}
    jobs: {hours_per_week: 35}
"""


def test_a_segment_profile_keeps_the_default_keys_it_does_not_write() -> None:
    cohort = load_cohort_text(COHORT, "c.yaml").cohort
    assert cohort is not None
    over = cohort.profile("over_24_months")
    assert (over.jobs.share, over.education.share, over.service.starts) == (
        Decimal(0), Decimal(0), Decimal("0.9"))
    assert over.jobs.hours_per_week.fixed == 35  # a distribution written is replaced whole
    assert over.jobs.ongoing == DEFAULT_COHORT.profile("x").jobs.ongoing  # neither writes it
    under = cohort.profile("under_24_months")  # no profile of its own: the default
    assert (under.jobs.share, under.service.starts) == (Decimal(0), Decimal("0.92"))
    assert under.jobs.hours_per_week.uniform == (20, 30)


def test_no_segment_draws_a_job_when_the_default_says_none(tmp_path: Path) -> None:
    cohort, out = tmp_path / "c.yaml", tmp_path / "events.csv"
    cohort.write_text(COHORT, encoding="utf-8")
    result = runner.invoke(app, ["generate", str(ROOT / "contracts" / "kopakka.yaml"),
                                 "--cohort", str(cohort), "--customers", "400", "--seed", "3",
                                 "-o", str(out)])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    types = [row["type"] for row in rows]
    assert "service_start" in types and "referral" in types
    assert "education" not in types
    # the only jobs are earlier work (the built-in earlier_work: the default writes none),
    # each ended before its customer's referral
    referred = {r["customer_id"]: r["date"] for r in rows if r["type"] == "referral"}
    jobs = [r for r in rows if r["type"] == "employment"]
    assert jobs and all(r["event_id"].endswith("-p") and r["end"] < referred[r["customer_id"]]
                        for r in jobs)
