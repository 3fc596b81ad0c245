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


def test_a_member_is_warned_when_the_whole_contract_passes_the_ceiling(tmp_path: Path) -> None:
    """The ceiling's room is the whole contract's, and was held against one member's
    expected payments alone: a member whose own part fitted under it was never told that
    the whole contract's would not (a user trial). kopakka's example as of 2019-03-31:
    1,000.00 paid by then, 1,690.00 ahead in all, 200.00 of it provider_a's; the room is
    the ceiling less the 1,000.00. On the whole mean: no warning; a cent under: warned."""
    from datetime import date
    from decimal import Decimal

    from rewardengine import api

    events = [str(ROOT / "examples" / "kopakka" / "events.csv")]
    said = {}
    for ceiling in ("2000.00", "2690.00", "2689.99"):
        capped = tmp_path / f"kopakka-{ceiling}.yaml"
        capped.write_text((ROOT / "contracts" / "kopakka.yaml").read_text(
            encoding="utf-8").replace("contract_total: 1800000.00",
                                      f"contract_total: {ceiling}"), encoding="utf-8")
        found = api.forecast_customers(api.Request(str(capped), runs=5, seed=1), events,
                                       date(2019, 3, 31), provider="provider_a")
        assert found.result is not None
        assert found.result.total.mean == Decimal("200.00")
        assert found.result.ceiling_room == Decimal(ceiling) - Decimal("1000.00")
        said[ceiling] = [p.message for p in found.problems if p.code == "V006"]
    assert said["2000.00"] == [
        "the contract ceiling leaves 1000.00 as of the as-of date, less than the 1690.00 the "
        "whole contract expects ahead (200.00 of it for provider provider_a): the forecast "
        "does not cut it, so not all of what it shows ahead can be paid"]
    assert said["2690.00"] == []
    assert said["2689.99"] == [said["2000.00"][0].replace("1000.00", "1689.99")]
