"""A consortium member's forecast (``forecast --provider``) is its part of the whole one: the
same seed gives each of its customers the same figures as the forecast of every customer (a
user trial found O02 at 1271.05 selected and 975.35 not: its draws depended on who else was
selected)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from rewardengine.cli import app

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def _forecast(*extra: str) -> dict[str, Any]:
    done = runner.invoke(app, ["forecast", str(ROOT / "contracts" / "omavalmentaja.yaml"),
                               str(ROOT / "examples" / "omavalmentaja" / "events.csv"),
                               "--as-of", "2020-03-31", "--runs", "12", "--seed", "1",
                               "--format", "json", *extra])
    assert done.exit_code == 0, done.output
    found: dict[str, Any] = json.loads(done.stdout)
    return found


def test_a_members_customers_are_forecast_as_in_the_whole_forecast() -> None:
    whole, member = _forecast(), _forecast("--provider", "coach_b")
    theirs = {c["customer_id"]: c for c in whole["customers"]}
    assert member["customers"]
    for c in member["customers"]:
        assert c == theirs[c["customer_id"]]
    assert set(member["by_provider"]) == {"coach_b"}
    assert member["by_provider"]["coach_b"] == whole["by_provider"]["coach_b"]
    assert member["ahead"] == whole["by_provider"]["coach_b"]
    # with two processes, the same
    assert _forecast("--provider", "coach_b", "--jobs", "2") == member


def test_a_member_with_no_customer_in_progress_is_told_why() -> None:
    # an empty table and exit 0, with no word of why
    done = runner.invoke(app, ["forecast", str(ROOT / "contracts" / "omavalmentaja.yaml"),
                               str(ROOT / "examples" / "omavalmentaja" / "events.csv"),
                               "--as-of", "2019-07-31", "--runs", "3", "--provider", "coach_a",
                               "--format", "json"])
    assert done.exit_code == 0, done.output
    found = json.loads(done.stdout)
    assert found["customers"] == []
    assert [(p["code"], p["severity"], p["message"]) for p in found["problems"]] == [
        ("V007", "warning", "provider coach_a has no customer in progress as of 2019-07-31 "
                            "(1 customer of other providers is): nothing is forecast for it")]
