"""The stage list: one run reports every problem that does not depend on another, and says
what it did not check."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import CONTRACT_HEAD
from typer.testing import CliRunner

from rewardengine.cli import app
from rewardengine.pipeline import STAGES, load

runner = CliRunner()

# segments that leave a gap (C207), a component with a typo (C102), an outcome no customer can
# reach in a 12-month service with no follow-up window for it (W001), a fee paid on referral
# (W013), a grace longer than the follow-up (W011), a monthly fee lost when the customer does
# not answer (W005), subsidised work at full weight (W009) and a price that falls with
# distance (W007): the eight typical mistakes of a first draft
DRAFT = CONTRACT_HEAD.replace(
    "when: {unemployment_months: {min: 12}}", "when: {unemployment_months: {min: 13}}"
).replace("  follow_up: 6 months\n", "  follow_up: 6 months\n  grace: 7 months\n") + """\
components:
  - id: typo
    kind: event_fee
    event: service_start
    amuont: 100.00
  - id: referral_fee
    kind: event_fee
    event: referral
    amount: {A: 50.00, B: 40.00}
    max_count: 1
  - id: long_job
    kind: employment_outcome
    window: service
    min_duration: 600 days
    amount: 900.00
  - id: monthly
    kind: monthly_fee
    amount: 100.00
    condition: {min_responded_contacts: 1}
    proration: daily
  - id: any_job
    kind: employment_outcome
    work: {kinds: {open: 1, subsidised: 1}}
    min_duration: 90 days
    amount: {register: 500.00, self_report: 100.00}
caps:
  per_customer: 3000.00
"""


def _codes(text: str) -> set[str]:
    state = load("draft.yaml", text=text, with_lint=True)
    return {p.code for p in state.problems}


def test_the_stages_are_named_once_in_order() -> None:
    assert [s.name for s in STAGES] == [
        "read", "parse", "schema", "cross-checks", "ready", "events", "against the contract",
        "lint"]


def test_a_typo_in_one_component_hides_nothing_in_the_others() -> None:
    codes = _codes(DRAFT)
    # the schema error, the segments' coverage, and lint on every other component: one run
    assert {"C102", "C101", "C207", "W001", "W013", "W011", "W005", "W009", "W007"} <= codes


def test_what_was_not_checked_is_said() -> None:
    state = load("draft.yaml", text=DRAFT, with_lint=True)
    assert state.contract is None
    notes = [p.message for p in state.skipped]
    assert "cross-checks and lint of components.0 ('typo') not checked: they have schema " \
        "errors" in notes
    assert all(p.code == "P001" and p.severity == "info" for p in state.skipped)


def test_a_rule_that_needs_a_part_with_errors_is_skipped_and_says_so() -> None:
    text = DRAFT.replace("max_length: 12 months", "max_length: twelve months")
    state = load("draft.yaml", text=text, with_lint=True)
    codes = {p.code for p in state.problems}
    assert "C108" in codes
    assert "W013" in codes and "W005" in codes  # rules that do not read the windows still run
    assert "W001" not in codes  # reachability needs the windows
    assert any(p.message.startswith("lint W001, W006, W008, W011, W017, W019, W021, W022 not "
                                    "checked: the windows have errors") for p in state.skipped)


def test_lint_reading_a_part_a_cross_check_found_wrong_is_skipped() -> None:
    """A contract ending before it starts (C205) was linted all the same, and W017 spoke of
    outcomes "after the contract ends on" that impossible day (a user trial)."""
    text = DRAFT.replace("valid_until: 2022-12-31", "valid_until: 2019-12-31", 1)
    assert text != DRAFT
    state = load("draft.yaml", text=text, with_lint=True)
    codes = [p.code for p in state.problems]
    assert "C205" in codes and "W017" not in codes
    assert any(p.message.startswith("lint ") and "W017" in p.message
               and p.message.endswith("not checked: the metadata has errors")
               for p in state.skipped), [p.message for p in state.skipped]


def test_validate_shows_the_skips_after_the_problems(tmp_path: Path) -> None:
    path = tmp_path / "draft.yaml"
    path.write_text(DRAFT, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path), "--format", "json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert {p["code"] for p in data["skipped"]} == {"P001"}
    assert "P001" not in {p["code"] for p in data["problems"]}
    text = runner.invoke(app, ["validate", str(path)])
    assert "P001 info: cross-checks and lint of components.0 ('typo')" in text.stdout
    # the summary counts the info lines it printed
    infos = text.stdout.count(" info: ")
    assert infos >= 1 and text.stderr.strip().endswith(f"warning(s), {infos} info")


def test_event_errors_and_contract_errors_in_one_run(tmp_path: Path) -> None:
    path = tmp_path / "draft.yaml"
    path.write_text(DRAFT, encoding="utf-8")
    events = tmp_path / "e.csv"
    events.write_text("event_id,customer_id,type,date,provider\n"
                      "r1,c1,referral,2020-13-01,acme\nr2,c2,referral,2020-01-01,nobody\n",
                      encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path), str(events), "--format", "json"])
    codes = {p["code"] for p in json.loads(result.stdout)["problems"]}
    assert {"C102", "C207", "E005", "E013", "W013"} <= codes


def test_components_not_checked_are_named_in_the_contracts_order() -> None:
    """A trial read 'component 11, 12, 13, 3' (sorted as text)."""
    fee = "  - id: f{n}\n    kind: event_fee\n    event: service_start\n    amount: 10.00\n"
    bad = "  - id: f{n}\n    kind: event_fee\n    event: service_start\n    amout: 10.00\n"
    body = "components:\n" + "".join((bad if n in (3, 11) else fee).format(n=n)
                                     for n in range(1, 13))
    state = load("draft.yaml", text=CONTRACT_HEAD + body, with_lint=True)
    (note,) = [p.message for p in state.skipped if "schema errors" in p.message]
    # counted from 0, as the paths of the problems that caused it (components.2.amout)
    assert note.startswith("cross-checks and lint of components.2 ('f3'), components.10 "
                           "('f11') not checked")


def test_a_long_part_name_is_cut_with_a_mark() -> None:
    """A trial's worked example "90th day one day after the 6 months, not earned" was named
    "(...6 months, not)": cut without a mark, it read as the opposite."""
    name = "the 90th day one day after the six months of the service, not earned at all"
    bad = ("components:\n  - {id: f1, kind: event_fee, event: service_start, amount: 10.00}\n"
           f"tests:\n  - name: {name}\n    as_of: 2020-01-01\n    events: x\n    expect: 5\n")
    state = load("draft.yaml", text=CONTRACT_HEAD + bad, with_lint=True)
    (note,) = [p.message for p in state.skipped if "schema errors" in p.message]
    assert f"tests.0 ('{name[:60]}…')" in note
