"""What a user trial found unclear in ``simulate``'s output: a standard error of one run shown
as 0.00, as if exact; a segment row ``-`` that said nothing of who is in it."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from rewardengine.cli import app

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()
TEHOSTETTU = str(ROOT / "contracts" / "tehostettu_tyonvalitys.yaml")


def test_one_run_has_no_standard_error(tmp_path: Path) -> None:
    args = ["simulate", TEHOSTETTU, "--runs", "1", "-n", "30", "--seed", "1"]
    table = runner.invoke(app, args)
    assert table.exit_code == 0, table.output
    total = next(line for line in table.output.splitlines() if line.strip().startswith("total"))
    assert total.split()[-1] == "n/a"
    found = json.loads(runner.invoke(app, [*args, "--format", "json"]).stdout)
    assert found["drafts"][0]["per_customer"]["se"] is None
    report = tmp_path / "r.html"
    assert runner.invoke(app, [*args, "--report", str(report)]).exit_code == 0
    assert "\u2013" in report.read_text(encoding="utf-8")
    two = json.loads(runner.invoke(app, [*args[:3], "2", *args[4:], "--format", "json"]).stdout)
    assert two["drafts"][0]["per_customer"]["se"] is not None


def test_the_customers_not_referred_by_the_horizon_are_named() -> None:
    done = runner.invoke(app, ["simulate", str(ROOT / "contracts" / "kopakka.yaml"),
                               "--runs", "2", "-n", "40", "--seed", "1",
                               "--horizon", "2019-06-30"])
    assert done.exit_code == 0, done.output
    row = next(line for line in done.output.splitlines() if "segment -" in line)
    assert ", not referred by the horizon)" in row


def test_the_report_has_its_months_as_figures_and_whole_titles(tmp_path: Path) -> None:
    """The Finnish title of the members' cash flow was cut off at the chart's edge ("...:
    omavalment"), and the months were only drawn, never written to read or copy."""
    report = tmp_path / "r.html"
    done = runner.invoke(app, ["simulate", str(ROOT / "contracts" / "omavalmentaja.yaml"),
                               "--runs", "3", "-n", "40", "--seed", "1", "--lang", "fi",
                               "--report", str(report), "-o", str(tmp_path / "t.txt")])
    assert done.exit_code == 0, done.output
    page = report.read_text(encoding="utf-8")
    # the title in two lines of the chart, the contract's name whole
    assert "P10-P90-vaihteluväli): omavalmentaja.yaml</text>" in page
    # a table of months under each cash flow: the cohort's, and the members' side by side
    assert "<th>kuukausi</th><th>keskiarvo</th><th>P10</th><th>P90</th>" in page
    assert "<th>kuukausi</th><th>coach_a keskiarvo (P10\u2013P90)</th>" in page


def test_a_comparison_is_told_segment_by_segment() -> None:
    contract = str(ROOT / "contracts" / "palvelumanageri.yaml")
    done = runner.invoke(app, ["simulate", contract, "--compare", contract, "--runs", "3",
                               "-n", "60", "--seed", "1", "--format", "json"])
    assert done.exit_code == 0, done.output
    found = json.loads(done.stdout)
    by_segment = found["difference"]["by_segment"]
    assert set(by_segment) == set(found["drafts"][0]["by_segment"])
    assert all(e["mean"] == "0.00" for e in by_segment.values())  # the same draft twice
    table = runner.invoke(app, ["simulate", contract, "--compare", contract, "--runs", "3",
                                "-n", "60", "--seed", "1"])
    assert any(line.split()[:2] == ["segment", "group_1"] and "0.00" in line
               for line in table.output.splitlines()[-8:])
