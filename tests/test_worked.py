"""Worked examples inside a contract (`tests:`), run by `rewardengine test`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import CONTRACT_HEAD, contract_from
from typer.testing import CliRunner

from rewardengine.cli import app
from rewardengine.pipeline import load_contract_text
from rewardengine.worked import run_examples

runner = CliRunner()

BODY = """
components:
  - id: job90
    kind: employment_outcome
    work: {min_fte: 0.8}
    min_duration: 90 days
    amount: {A: 750.00, B: 900.00}
tests:
  - name: ninety days exactly
    as_of: 2020-12-31
    events: |
      event_id,customer_id,type,date,end,unemployed_since,provider,kind,evidence,fte
      r1,c1,referral,2020-01-02,,2019-06-01,acme,,,
      s1,c1,service_start,2020-01-06,,,,,,
      e1,c1,employment,2020-02-01,2020-04-30,,,open,register,1.0
    expect: [{customer: c1, component: job90, amount: 750.00, date: 2020-04-30}]
  - name: one day short
    as_of: 2020-12-31
    events: |
      event_id,customer_id,type,date,end,unemployed_since,provider,kind,evidence,fte
      r1,c1,referral,2020-01-02,,2019-06-01,acme,,,
      s1,c1,service_start,2020-01-06,,,,,,
      e1,c1,employment,2020-02-01,2020-04-29,,,open,register,1.0
    expect:
      - {customer: c1, component: job90, status: pending, amount: 750.00}
"""


def test_examples_that_hold_pass() -> None:
    results = run_examples(contract_from(BODY))
    assert [(r.name, r.ok) for r in results] == [("ninety days exactly", True),
                                                 ("one day short", True)]


def test_a_difference_is_shown_with_the_explanation() -> None:
    wrong = BODY.replace("status: pending, amount: 750.00", "amount: 750.00")
    (_, short) = run_examples(contract_from(wrong))
    assert not short.ok
    (diff,) = short.differences
    assert diff.kind == "different"
    assert diff.text.startswith("expected c1 job90 payable 750.00, got c1 job90 (next) "
                                "pending 750.00 on")
    assert set(short.explanations) == {"c1"}


def test_an_unexpected_payment_fails_an_exact_example() -> None:
    text = BODY.replace("expect: [{customer: c1, component: job90, amount: 750.00, "
                        "date: 2020-04-30}]", "expect: []")
    (exactly, _) = run_examples(contract_from(text))
    assert [d.kind for d in exactly.differences] == ["unexpected"]


def test_an_example_row_with_an_error_is_located_in_the_contract() -> None:
    text = BODY.replace("e1,c1,employment,2020-02-01,2020-04-30", "e1,c1,employment,2020-02-31"
                        ",2020-04-30")
    (bad, _) = run_examples(contract_from(text))
    (problem,) = bad.problems
    lines = (CONTRACT_HEAD + text).splitlines()
    assert problem.code == "E005"
    assert lines[(problem.source.line or 0) - 1].strip().startswith("e1,c1,employment,2020-02-31")


def test_the_explanation_of_a_difference_names_each_event_at_its_line_in_the_contract(
        ) -> None:
    # the explanation's rows and evidence name the contract's file: with the row of the
    # event block they pointed at an unrelated line near the top of the contract
    wrong = BODY.replace("status: pending, amount: 750.00", "amount: 750.00")
    (_, short) = run_examples(contract_from(wrong))
    lines = (CONTRACT_HEAD + wrong).splitlines()
    shown = short.explanations["c1"].to_dict()
    rows = {e["event_id"]: e["source"] for e in shown["timeline"]}
    assert set(rows) == {"r1", "s1", "e1"}
    for event_id, source in rows.items():
        line = int(source.rsplit(":", 1)[1])
        assert lines[line - 1].strip().startswith(f"{event_id},c1,"), (event_id, source)


def test_a_row_a_message_names_is_the_contract_line_too() -> None:
    # an id repeated in an example: the problem is at the second row's line, and the row it
    # names as the first is the first row's line (not row 3 of the block, near the top)
    text = BODY.replace("      s1,c1,service_start,2020-01-06,,,,,,\n",
                        "      s1,c1,service_start,2020-01-06,,,,,,\n" * 2, 1)
    (first, _) = run_examples(contract_from(text))
    (problem,) = first.problems
    lines = (CONTRACT_HEAD + text).splitlines()
    at = problem.source.line or 0
    assert problem.code == "E007" and lines[at - 1] == lines[at - 2]
    assert f"(first at {problem.source.file}:{at - 1})" in problem.message


def test_an_unknown_component_is_c221() -> None:
    text = BODY.replace("component: job90, amount: 750.00, date", "component: jb90, amount: "
                        "750.00, date")
    loaded, problems = load_contract_text(CONTRACT_HEAD + text, "contract.yaml")
    assert loaded is None and [p.code for p in problems] == ["C221"]
    assert problems[0].message.endswith("expects a line of component 'jb90', which the "
                                        "contract does not have (did you mean 'job90'?)")


def test_an_example_customer_no_evaluation_could_evaluate_is_told_by_validate() -> None:
    """A worked example's referral without the unemployed_since its segments read: validate
    says V001 at its row, as test finds it (validate said nothing of it)."""
    from rewardengine.worked import example_row_problems
    text = BODY.replace("r1,c1,referral,2020-01-02,,2019-06-01,acme,,,",
                        "r1,c1,referral,2020-01-02,,,acme,,,", 1)
    loaded, _ = load_contract_text(CONTRACT_HEAD + text, "contract.yaml")
    assert loaded is not None
    (problem,) = example_row_problems(loaded)
    assert problem.code == "V001" and "matches no segment" in problem.message
    row = (CONTRACT_HEAD + text).splitlines()[(problem.source.row or 0) - 1]
    assert row.strip() == "r1,c1,referral,2020-01-02,,,acme,,,"


def test_a_day_first_date_in_an_example_row_says_how_to_write_it() -> None:
    """A worked example's rows are written in the contract: no file option reads them, so
    the hint says to write the date YYYY-MM-DD (it named --date-format, which neither
    validate nor test has)."""
    from rewardengine.worked import example_row_problems
    text = BODY.replace("s1,c1,service_start,2020-01-06,", "s1,c1,service_start,6.1.2020,", 1)
    loaded, _ = load_contract_text(CONTRACT_HEAD + text, "contract.yaml")
    assert loaded is not None
    (problem,) = example_row_problems(loaded)
    assert problem.code == "E005" and problem.message.endswith(
        "(it reads as d.m.yyyy: write a worked example's dates YYYY-MM-DD)")
    assert "--date-format" not in problem.message


@pytest.mark.parametrize(("delimiter", "shown"), [(";", "';'"), ("\t", "tab")])
def test_an_example_written_with_another_delimiter_says_to_write_commas(
        delimiter: str, shown: str) -> None:
    """The hint named --delimiter, which `test` does not have and which does not read a
    worked example's rows (a user trial)."""
    from rewardengine.worked import example_row_problems
    rows = "      event_id,customer_id,type,date,end,unemployed_since,provider,kind,evidence,fte"
    text = BODY.replace(rows, rows.replace(",", delimiter), 1)
    loaded, _ = load_contract_text(CONTRACT_HEAD + text, "contract.yaml")
    assert loaded is not None
    (problem,) = example_row_problems(loaded)
    assert problem.code == "E001"
    assert problem.message.endswith(
        f"looks {shown}-delimited; write a worked example's rows with commas")
    assert "--delimiter" not in problem.message


@pytest.mark.parametrize(("amount", "ok"), [("750.00", True), ("750.001", False),
                                            ("-1000.00", True), ("-0.005", False)])
def test_an_expected_amount_is_money_to_the_cent(amount: str, ok: bool) -> None:
    """An amount of three decimals was taken as a number and failed as "expected 100.00,
    got 100.00"; a negative adjustment stays expressible."""
    text = BODY.replace("amount: 750.00, date: 2020-04-30", f"amount: {amount}, date: "
                        "2020-04-30", 1)
    loaded, problems = load_contract_text(CONTRACT_HEAD + text, "contract.yaml")
    assert (loaded is not None) == ok
    if not ok:
        assert [(p.code, p.message) for p in problems if p.code != "P001"] == [
            ("C104", f"tests.0.expect.0.amount: amount {amount} has more than 2 decimal "
                     "places")]


def test_the_test_command(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(CONTRACT_HEAD + BODY, encoding="utf-8")
    result = runner.invoke(app, ["test", str(path)])
    assert result.exit_code == 0
    assert "PASS ninety days exactly" in result.stdout
    path.write_text(CONTRACT_HEAD + BODY.replace("status: pending, ", ""), encoding="utf-8")
    result = runner.invoke(app, ["test", str(path), "--format", "json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert [e["ok"] for e in data["examples"]] == [True, False]
    # a contract without examples: "0 of 0 worked example(s) pass" read as a pass
    path.write_text(CONTRACT_HEAD + BODY[:BODY.index("\ntests:")] + "\n", encoding="utf-8")
    result = runner.invoke(app, ["test", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == (
        "c.yaml has no worked examples (tests:), so nothing was checked: write a timeline and "
        "the lines it must give (docs/contract-language.md#tests-worked-examples)")


def test_validate_reads_the_worked_examples_rows_too(tmp_path: Path) -> None:
    # a row of a worked example that cannot be read is an error of the contract: validate
    # said "ok" and only `rewardengine test` found it
    path = tmp_path / "c.yaml"
    text = CONTRACT_HEAD + BODY.replace("e1,c1,employment,2020-02-01,2020-04-30",
                                        "e1,c1,employment,2020-02-31,2020-04-30")
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path), "--format", "json"])
    assert result.exit_code == 1
    (problem,) = [p for p in json.loads(result.stdout)["problems"] if p["severity"] == "error"]
    assert problem["code"] == "E005"
    assert text.splitlines()[problem["line"] - 1].strip().startswith(
        "e1,c1,employment,2020-02-31")
    path.write_text(CONTRACT_HEAD + BODY, encoding="utf-8")
    assert runner.invoke(app, ["validate", str(path)]).exit_code == 0


def test_test_tells_the_rows_of_a_contract_with_errors_as_validate_does_by_line(
        tmp_path: Path) -> None:
    # with an error elsewhere in the contract, test told only that one; validate told the
    # rows' after a later line's error
    path = tmp_path / "c.yaml"
    text = CONTRACT_HEAD + BODY.replace(
        "e1,c1,employment,2020-02-01,2020-04-30", "e1,c1,employment,2020-02-31,2020-04-30"
    ).replace("status: pending, amount: 750.00", "status: pending, amount: 750.001")
    path.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    row = next(n for n, ln in enumerate(lines, 1) if "2020-02-31" in ln)
    amount = next(n for n, ln in enumerate(lines, 1) if "750.001" in ln)
    for command in ("validate", "test"):
        done = runner.invoke(app, [command, str(path)])
        assert done.exit_code == 1, done.output
        told = [ln.split(": ")[0] for ln in done.output.splitlines() if ": E0" in ln
                or ": C1" in ln]
        assert [t.split(":")[1] for t in told] == [str(row), str(amount)], (command, told)


# Every bundled contract states its intent in at least three worked examples, except these,
# each for a reason; and `rewardengine test` passes for every one of them.
ROOT = Path(__file__).resolve().parent.parent
BUNDLED = sorted((ROOT / "contracts").glob("*.yaml"))
FEWER_THAN_THREE = {
    "sujuvat_palvelupolut": "two examples, written with the contract by its author (each "
                            "member paid for what it delivered; 89 days of work, one day "
                            "short); a third, at the 30-hour or 12-contact maximum, is owed",
}


@pytest.mark.parametrize("contract", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_every_bundled_contract_passes_its_worked_examples(contract: Path) -> None:
    result = runner.invoke(app, ["test", str(contract), "--format", "json"])
    data = json.loads(result.stdout)
    failed = [e["name"] for e in data["examples"] if not e["ok"]]
    assert result.exit_code == 0 and data["ok"], failed
    if contract.stem not in FEWER_THAN_THREE:
        assert len(data["examples"]) >= 3, f"{contract.name} states its intent in " \
            f"{len(data['examples'])} worked example(s); write at least three"


def test_the_contracts_excused_from_three_examples_exist_and_say_why() -> None:
    assert set(FEWER_THAN_THREE) <= {p.stem for p in BUNDLED}
    assert all(reason.strip() for reason in FEWER_THAN_THREE.values())


def test_every_worked_examples_mistakes_are_said_at_once(tmp_path: Path) -> None:
    """Four mistakes in three examples took three runs of validate (a user trial): an
    example whose schema holds is checked on, each at its line, whatever another's."""
    path = tmp_path / "c.yaml"
    path.write_text(CONTRACT_HEAD + """
components:
  - {id: s, kind: event_fee, event: service_start, amount: 100.00}
tests:
  - name: a
    as_of: 31.12.2020
    events: |
      event_id,customer_id,type,date
      s1,c1,service_start,2020-02-01
    expect: [{customer: c1, component: s, amount: 100.00}]
  - name: b
    as_of: 2020-12-31
    events: |
      event_id,customer_id,type,date
      s1,c1,service_start,2020-02-01
    expect: [{customer: c1, component: reslt, amount: 100.00}]
  - name: b
    as_of: 2020-12-31
    events: |
      event_id,customer_id,type,date
      s1,c1,service_start,2020-02-30
    expect: [{customer: c1, component: s, amount: 100.00}]
""", encoding="utf-8")
    done = runner.invoke(app, ["validate", str(path), "--format", "json"])
    assert done.exit_code == 1
    found = [(p["code"], p["line"] or p["row"], p["message"])
             for p in json.loads(done.stdout)["problems"] if p["severity"] == "error"]
    text = path.read_text(encoding="utf-8").splitlines()

    def line(needle: str, after: int = 0) -> int:
        return next(n for n, t in enumerate(text, 1) if n > after and needle in t)

    assert found == [
        ("C107", line("31.12.2020"), "tests.0.as_of: '31.12.2020' is not a date written "
                                     "YYYY-MM-DD"),
        ("C221", line("reslt"), "worked example 'b' expects a line of component 'reslt', "
                                "which the contract does not have"),
        ("C221", line("- name: b", line("- name: b")),
         "duplicate worked example name 'b'"),
        ("E005", line("2020-02-30"), "field 'date': '2020-02-30' is not a real date (day is "
                                     "out of range for month)"),
    ]


MONTHLY = """
components:
  - {id: monthly, kind: monthly_fee, amount: 400.00, proration: daily}
tests:
  - name: three months
    as_of: 2020-04-30
    events: |
      event_id,customer_id,type,date,unemployed_since,provider
      r1,c1,referral,2020-01-02,2019-06-01,acme
      s1,c1,service_start,2020-01-01,,
    expect:
      - {customer: c1, component: monthly, amount: 400.00}
      - {customer: c1, component: monthly, amount: 400.00, occurrence: m01}
      - {customer: c1, component: monthly, amount: 400.00, occurrence: m02}
      - {customer: c1, component: monthly, amount: 400.00, occurrence: m04}
"""


def test_an_expectation_without_an_occurrence_never_takes_the_line_a_precise_one_names(
        ) -> None:
    # the first expectation took m01, and "m01, 400.00" was then missing
    (result,) = run_examples(contract_from(MONTHLY))
    assert result.ok, [d.text for d in result.differences]
    # two expectations of one line: the one it meets is met, the other is told so
    two = MONTHLY.replace("      - {customer: c1, component: monthly, amount: 400.00}\n",
                          "      - {customer: c1, component: monthly, amount: 300.00, "
                          "occurrence: m03}\n      - {customer: c1, component: monthly, "
                          "amount: 400.00, occurrence: m03}\n")
    (result,) = run_examples(contract_from(two))
    assert [(d.kind, d.text) for d in result.differences] == [
        ("missing", "expected c1 monthly (m03) payable 300.00, but each such line of the "
                    "component is another expectation's")]


def test_an_expectation_for_a_customer_without_lines_says_so() -> None:
    """A procurement trial expected lines of c10, who had no rows: "the component gives no
    such line" did not say the customer had none at all."""
    text = MONTHLY.replace("      - {customer: c1, component: monthly, amount: 400.00}\n",
                           "      - {customer: c10, component: monthly, amount: 400.00}\n")
    (result,) = run_examples(contract_from(text))
    assert [(d.kind, d.text) for d in result.differences if d.kind == "missing"] == [
        ("missing", "expected c10 monthly payable 400.00, but customer c10 has no row in the "
                    "example known by its as_of date")]
    # a customer with rows but no such line is told as the component giving none
    unstarted = MONTHLY.replace("      s1,c1,service_start,2020-01-01,,\n", "")
    (result,) = run_examples(contract_from(unstarted))
    assert all("has no row" not in d.text for d in result.differences)
