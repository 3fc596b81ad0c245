"""The command line is a thin layer: its JSON equals the library's result; exit codes hold."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rewardengine.api import run_evaluation
from rewardengine.cli import app
from rewardengine.jsonout import canonical_json

runner = CliRunner()

CONTRACT = Path(__file__).parent / "data" / "minimal.yaml"
EVENTS = """\
event_id,customer_id,type,date,provider,unemployed_since
r1,c1,referral,2020-01-10,acme,2019-06-01
s1,c1,service_start,2020-01-15,,
r2,c2,referral,2020-01-10,acme,2018-06-01
"""


def _events(tmp_path: Path, text: str = EVENTS) -> str:
    path = tmp_path / "events.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_evaluate_json_equals_library_result(tmp_path: Path) -> None:
    events = _events(tmp_path)
    result = runner.invoke(app, ["evaluate", str(CONTRACT), events, "--as-of", "2020-03-01",
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    ev, _ = run_evaluation(str(CONTRACT), [events], date(2020, 3, 1))
    assert ev is not None
    assert json.loads(result.stdout) == ev.to_dict()
    assert result.stdout == canonical_json(ev.to_dict())
    data = json.loads(result.stdout)
    assert data["totals"] == {"payable": "100.00", "pending": "150.00", "not_earned": "0.00"}
    assert data["contract"]["id"] == "demo"
    assert len(data["contract"]["sha256"]) == 64
    assert [c["customer_id"] for c in data["customers"]] == ["c1", "c2"]


def test_evaluate_twice_is_byte_identical(tmp_path: Path) -> None:
    events = _events(tmp_path)
    args = ["evaluate", str(CONTRACT), events, "--as-of", "2020-03-01", "--format", "json"]
    assert runner.invoke(app, args).stdout == runner.invoke(app, args).stdout


def test_evaluate_one_customer_and_csv(tmp_path: Path) -> None:
    events = _events(tmp_path)
    result = runner.invoke(app, ["evaluate", str(CONTRACT), events, "--as-of", "2020-03-01",
                                 "--customer", "c2", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = result.stdout.splitlines()
    assert rows[0].startswith("customer_id,segment,provider,component,kind,status")
    assert len(rows) == 2 and rows[1].startswith("c2,B,acme,base_fee,event_fee,pending")


def test_evaluate_unknown_customer_exits_1(tmp_path: Path) -> None:
    result = runner.invoke(app, ["evaluate", str(CONTRACT), _events(tmp_path), "--as-of",
                                 "2020-03-01", "--customer", "nobody"])
    assert result.exit_code == 1


def test_table_output_names_customers_and_totals(tmp_path: Path) -> None:
    result = runner.invoke(app, ["evaluate", str(CONTRACT), _events(tmp_path), "--as-of",
                                 "2020-03-01"])
    assert result.exit_code == 0, result.output
    assert "customer c1" in result.stdout
    assert "total payable 100.00" in result.stdout


def test_explain_says_segment_service_and_why(tmp_path: Path) -> None:
    result = runner.invoke(app, ["explain", str(CONTRACT), _events(tmp_path), "--as-of",
                                 "2020-03-01", "--customer", "c2"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "at referral 2020-01-10: unemployment_months=19" in out
    assert "no service start recorded yet" in out
    assert "needs a service start by 2020-12-31" in out


def test_validate_clean_contract_exits_0(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(CONTRACT), _events(tmp_path),
                                 "--format", "json"])
    data = json.loads(result.stdout)
    assert result.exit_code == (1 if any(p["severity"] == "error" for p in data["problems"])
                                else 0)
    assert data["ok"] is (result.exit_code == 0)


def test_validate_bad_events_exits_1_with_file_row(tmp_path: Path) -> None:
    events = _events(tmp_path, EVENTS + "x1,c1,meeting,2020-02-01,,\n")
    result = runner.invoke(app, ["validate", str(CONTRACT), events])
    assert result.exit_code == 1
    assert f"{events}:5: E002 unknown event type 'meeting'" in result.stdout


def test_validate_bad_contract_lists_every_problem(tmp_path: Path) -> None:
    text = CONTRACT.read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("amount: {A: 100.00, B: 150.00}", "amout: 1.005")
                   .replace("valid_until: 2020-12-31", "valid_until: 2020-12-32"),
                   encoding="utf-8")
    result = runner.invoke(app, ["validate", str(bad), "--format", "json"])
    assert result.exit_code == 1
    codes = sorted(p["code"] for p in json.loads(result.stdout)["problems"])
    assert codes == ["C101", "C102", "C107"]


def test_unreadable_file_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(tmp_path / "missing.yaml")])
    assert result.exit_code == 2
    assert "F001" in result.stdout


def test_bad_date_option_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["evaluate", str(CONTRACT), _events(tmp_path), "--as-of",
                                 "1.3.2020"])
    assert result.exit_code == 2


def test_schema_is_json_schema_with_every_kind() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    text = result.stdout
    for kind in ("event_fee", "hourly_fee", "monthly_fee", "capacity_fee",
                 "employment_outcome", "milestones", "employment_condition", "work_history",
                 "benefit_reduction", "survey_adjustment", "reimbursed_expenses"):
        assert f'"{kind}"' in text
    assert schema["$schema"].endswith("2020-12/schema")
    assert set(schema["required"]) >= {"metadata", "windows", "components"}


def test_explain_exits_1_for_a_customer_that_cannot_be_evaluated(tmp_path: Path) -> None:
    # no unemployed_since: the segment rules cannot place the customer
    events = _events(tmp_path, "event_id,customer_id,type,date,provider\n"
                               "r1,c1,referral,2020-01-10,acme\n")
    result = runner.invoke(app, ["explain", str(CONTRACT), events, "--as-of", "2020-03-01",
                                 "--customer", "c1"])
    assert result.exit_code == 1
    assert "matches no segment" in result.output


def test_evaluate_warnings_do_not_fail_the_run(tmp_path: Path) -> None:
    events = _events(tmp_path, EVENTS + "s1b,c1,service_start,2020-02-01,,\n")
    result = runner.invoke(app, ["evaluate", str(CONTRACT), events, "--as-of", "2020-03-01",
                                 "--format", "json"])
    assert result.exit_code == 0
    problems = json.loads(result.stdout)["problems"]
    assert [(p["code"], p["severity"], p["row"]) for p in problems] == [("V002", "warning", 5)]


def test_validate_finds_a_referral_no_segment_takes(tmp_path: Path) -> None:
    events = _events(tmp_path, "event_id,customer_id,type,date,provider\n"
                               "r1,c1,referral,2020-01-10,acme\n")
    result = runner.invoke(app, ["validate", str(CONTRACT), events, "--format", "json"])
    assert result.exit_code == 1
    problems = json.loads(result.stdout)["problems"]
    assert [(p["code"], p["row"]) for p in problems] == [("E014", 2)]
    # the rules read its months of unemployment, measured from unemployed_since
    assert problems[0]["message"] == ("referral r1 (no attributes) matches no segment: it "
                                      "gives no unemployed_since, which the segments' rules "
                                      "read")


def test_explain_shows_false_values_too(tmp_path: Path) -> None:
    events = _events(tmp_path, "event_id,customer_id,type,date,provider,unemployed_since,"
                               "responded\n"
                               "r1,c1,referral,2020-01-10,acme,2019-06-01,\n"
                               "s1,c1,service_start,2020-01-15,,,\n"
                               "k1,c1,contact,2020-02-01,,,false\n")
    result = runner.invoke(app, ["explain", str(CONTRACT), events, "--as-of", "2020-03-01",
                                 "--customer", "c1"])
    assert result.exit_code == 0, result.output
    assert "responded=false" in result.stdout


def test_a_corrected_referral_clears_e014(tmp_path: Path) -> None:
    events = _events(tmp_path, "event_id,customer_id,type,date,recorded,provider,"
                               "unemployed_since\n"
                               "r1,c1,referral,2020-01-10,,acme,\n"
                               "r1,c1,referral,2020-01-10,2020-01-20,acme,2019-06-01\n")
    result = runner.invoke(app, ["validate", str(CONTRACT), events, "--format", "json"])
    assert json.loads(result.stdout)["problems"] == []
    assert result.exit_code == 0
    # before the correction is known, that customer cannot be evaluated (V001)
    early = runner.invoke(app, ["evaluate", str(CONTRACT), events, "--as-of", "2020-01-15",
                                "--format", "json"])
    assert early.exit_code == 1
    assert [p["code"] for p in json.loads(early.stdout)["problems"]] == ["V001"]


def test_python_dash_m_runs_the_command_line() -> None:
    done = subprocess.run([sys.executable, "-m", "rewardengine", "validate",
                           str(Path(__file__).resolve().parent.parent / "contracts" / "avo.yaml")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("ok: 0 error(s)")  # the summary goes to standard error


@pytest.mark.parametrize(("rows", "shown", "more"), [
    (99, 99, None),  # one short of the cap: every one shown, no summary
    (100, 100, None),  # exactly on it
    (101, 100, "… and 1 more (the first 100 of 101 are shown;"),  # one over
])
def test_a_problem_in_every_row_is_shown_a_hundred_times_and_counted(
        tmp_path: Path, rows: int, shown: int, more: str | None) -> None:
    """A spreadsheet export read without its dialect has a problem in every row: the
    terminal shows the first 100 of a code in a file and counts the rest in one line; the
    JSON of validate lists every one."""
    text = "event_id,customer_id,type,date,provider,unemployed_since\n" + "".join(
        f"r{n},c{n},referral,10.1.2020,acme,2019-06-01\n" for n in range(rows))
    events = _events(tmp_path, text)
    result = runner.invoke(app, ["evaluate", str(CONTRACT), events, "--as-of", "2020-03-01"])
    assert result.exit_code == 1
    said = result.stderr.splitlines()
    assert sum(1 for ln in said if ": E005 field 'date'" in ln) == shown
    assert said[shown - 1].startswith(f"{events}:{shown + 1}: E005 ")
    if more is None:
        assert len(said) == shown
    else:
        assert said[-1] == (f"{events}: E005 {more} `validate CONTRACT EVENTS --format json` "
                            "lists every one)")
    listed = runner.invoke(app, ["validate", str(CONTRACT), events, "--format", "json"])
    assert [p["code"] for p in json.loads(listed.stdout)["problems"]] == ["E005"] * rows


def test_the_cap_counts_each_code_of_each_file_on_its_own() -> None:
    import io

    from rich.console import Console

    from rewardengine.cli.report import print_problems
    from rewardengine.errors import Problem, Source

    problems = [*(Problem("E005", "bad date", Source("a.csv", row=n)) for n in range(150)),
                *(Problem("V002", "passed over", Source("a.csv", row=n)) for n in range(120)),
                *(Problem("E005", "bad date", Source("b.csv", row=n)) for n in range(101)),
                *(Problem("G105", "few", Source("c.csv")) for _ in range(102)),
                *(Problem("C102", "unknown key", Source("x.yaml", line=n)) for n in range(3))]
    out = io.StringIO()
    print_problems(Console(file=out, width=300, color_system=None), problems)
    said = out.getvalue().splitlines()
    assert len(said) == 100 + 100 + 100 + 100 + 3 + 4
    assert said[-4:] == [
        "a.csv: E005 … and 50 more (the first 100 of 150 are shown; `validate CONTRACT "
        "EVENTS --format json` lists every one)",
        "a.csv: V002 warning: … and 20 more (the first 100 of 120 are shown; `evaluate "
        "--format json` lists every one)",
        "b.csv: E005 … and 1 more (the first 100 of 101 are shown; `validate CONTRACT EVENTS "
        "--format json` lists every one)",
        "c.csv: G105 info: … and 2 more (the first 100 of 102 are shown)"]
    assert said[:100] == [f"a.csv:{n}: E005 bad date" for n in range(100)]


def test_a_pipe_closed_by_its_reader_ends_the_command_as_a_filter(tmp_path: Path) -> None:
    """`evaluate ... | head -1`: the reader closes the pipe after a line; the command ends
    with 141 (as the shell shows a filter the signal ended), not 1 (problems found), says
    nothing, and leaves nothing it wrote aside (the customers' lines spooled for the run)."""
    import os

    events = _events(tmp_path, EVENTS.split("\n", 1)[0] + "\n" + "".join(
        f"r{n},c{n},referral,2020-01-10,acme,2019-06-01\n" for n in range(3000)))
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    for jobs in ("1", "2"):
        proc = subprocess.Popen(
            [sys.executable, "-m", "rewardengine", "evaluate", str(CONTRACT), events,
             "--as-of", "2020-03-01", "-f", "jsonl", "--jobs", jobs],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env={**os.environ, "TMPDIR": str(scratch)})
        assert proc.stdout is not None and proc.stderr is not None
        assert proc.stdout.readline()
        proc.stdout.close()  # as head does, long before the output ends
        err = proc.stderr.read()
        assert proc.wait(timeout=60) == 141, err
        assert err == b""
        assert list(scratch.iterdir()) == []
    # the table goes through the consoles' library, which stops on its own: the same
    proc = subprocess.Popen(
        [sys.executable, "-m", "rewardengine", "evaluate", str(CONTRACT), events, "--as-of",
         "2020-03-01"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "TMPDIR": str(scratch)})
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # as `| true` does, before a line is written
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 141, err
    assert list(scratch.iterdir()) == []
    # a file, or /dev/null, is never closed on the writer: the command ends as before
    done = subprocess.run([sys.executable, "-m", "rewardengine", "evaluate", str(CONTRACT),
                           events, "--as-of", "2020-03-01", "-f", "jsonl"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    assert done.returncode == 0, done.stderr
    # problems found, the pipe read to its end: 1, as ever
    bad = _events(tmp_path, EVENTS + "x1,c9,referral,not-a-date,acme,2019-06-01\n")
    done = subprocess.run([sys.executable, "-m", "rewardengine", "evaluate", str(CONTRACT),
                           bad, "--as-of", "2020-03-01"], capture_output=True, check=False)
    assert done.returncode == 1, done.stderr


def test_validate_says_of_the_events_a_customer_no_evaluation_could_evaluate(
        tmp_path: Path) -> None:
    """Two providers and a customer whose rows name none: evaluate refuses the customer
    (V001, exit 1); validate of the same files says so too, instead of exit 0."""
    two = tmp_path / "two.yaml"
    two.write_text(CONTRACT.read_text(encoding="utf-8").replace(
        "    - {id: acme, name: Acme Oy}\n",
        "    - {id: acme, name: Acme Oy}\n    - {id: beta, name: Beta Oy}\n"), encoding="utf-8")
    assert "beta" in two.read_text(encoding="utf-8")
    events = _events(tmp_path, EVENTS + "r3,c3,referral,2020-01-10,,2019-06-01\n")
    evaluated = runner.invoke(app, ["evaluate", str(two), events, "--as-of", "2020-03-01"])
    checked = runner.invoke(app, ["validate", str(two), events, "-f", "json"])
    assert evaluated.exit_code == checked.exit_code == 1, (evaluated.output, checked.output)
    said = [(p["code"], p["row"], p["message"]) for p in json.loads(checked.stdout)["problems"]]
    assert said == [("V001", 5, "customer cannot be evaluated: no provider named on the "
                                "referral or service start")]
    assert f"{events}:5: V001 customer cannot be evaluated" in evaluated.stderr
    # named: clean
    fine = _events(tmp_path, EVENTS)
    assert runner.invoke(app, ["validate", str(two), fine]).exit_code == 0


def test_ctrl_c_while_the_program_loads_ends_it_quietly() -> None:
    """Ctrl-C in the second the program takes to load printed a traceback of the import;
    it ends with 130 (128 + SIGINT) and nothing but a line end, as Ctrl-C later does."""
    code = ("import sys\n"
            "class Interrupt:\n"
            "    def find_spec(self, name, path, target=None):\n"
            "        if name == 'rewardengine.cli':\n"
            "            raise KeyboardInterrupt\n"
            "sys.meta_path.insert(0, Interrupt())\n"
            "from rewardengine.launch import main\n"
            "main()\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False)
    assert (done.returncode, done.stderr, done.stdout) == (130, "\n", "")


def test_an_event_file_given_twice_is_a_usage_error_never_a_repeat_of_every_row(
        tmp_path: Path) -> None:
    # every row of the second reading was an E007 repeat, one message a row
    events = tmp_path / "events.csv"
    events.write_text(EVENTS, encoding="utf-8")
    (tmp_path / "sub").mkdir()
    bill = tmp_path / "bill.csv"
    bill.write_text("customer_id,component,occurrence,amount\n", encoding="utf-8")
    for twice in ([str(events), str(events)],
                  [str(events), str(tmp_path / "sub" / ".." / "events.csv")]):
        for command in (["evaluate", str(CONTRACT), *twice, "--as-of", "2020-12-31"],
                        ["validate", str(CONTRACT), *twice],
                        ["invoice", str(CONTRACT), *twice, "--period", "2020-01",
                         "--ledger", str(tmp_path / "l.sqlite"), "--new-ledger"],
                        ["verify", str(CONTRACT), *twice, str(bill), "--period", "2020-01",
                         "--no-ledger"],
                        ["pseudonymize", *twice, "--key-file", str(tmp_path / "k"),
                         "-o", str(tmp_path / "out")]):
            done = runner.invoke(app, command)
            assert done.exit_code == 2, done.output
            said = " ".join(done.output.replace("│", " ").split())
            assert "is given twice" in said and "give each event file once" in said, said
            assert "E007" not in said
    # a cohort fitted from one file given twice; a bill pseudonymized twice
    for command in (["simulate", str(CONTRACT), "--from-events", str(events), "--from-events",
                     str(events), "-n", "3"],
                    ["pseudonymize", str(events), "--bill", str(bill), "--bill", str(bill),
                     "--key-file", str(tmp_path / "k"), "-o", str(tmp_path / "out")]):
        done = runner.invoke(app, command)
        assert done.exit_code == 2, done.output
        said = " ".join(done.output.replace("│", " ").split())
        assert "is given twice" in said, said
    # one file as an event file and as a bill to pseudonymize
    done = runner.invoke(app, ["pseudonymize", str(events), "--bill", str(events),
                               "--key-file", str(tmp_path / "k"), "-o", str(tmp_path / "out")])
    assert done.exit_code == 2, done.output
    assert "is given as an event file and as a --bill" in " ".join(done.output.split())
    # the bill given as an event file too
    done = runner.invoke(app, ["verify", str(CONTRACT), str(events), str(bill), str(bill),
                               "--period", "2020-01", "--no-ledger"])
    assert done.exit_code == 2, done.output
    assert "is given as an event file too" in " ".join(done.output.replace("│", " ").split())
    assert not (tmp_path / "l.sqlite").exists()  # refused before any ledger was made
    other = tmp_path / "more.csv"
    other.write_text(EVENTS.split("\n", 1)[0] + "\n", encoding="utf-8")
    done = runner.invoke(app, ["evaluate", str(CONTRACT), str(events), str(other),
                               "--as-of", "2020-12-31"])
    assert done.exit_code == 0, done.output


SWAPPED_ROOT = Path(__file__).resolve().parent.parent
SWAPPED_C = str(SWAPPED_ROOT / "contracts" / "tehostettu_tyonvalitys.yaml")
SWAPPED_E = str(SWAPPED_ROOT / "examples" / "tehostettu_tyonvalitys" / "events.csv")


@pytest.mark.parametrize("args", [
    ["evaluate", SWAPPED_E, SWAPPED_C, "--as-of", "2020-07-31"],
    ["validate", SWAPPED_E, SWAPPED_C],
    ["invoice", SWAPPED_E, SWAPPED_C, "--period", "2020-07", "--dry-run"],
    ["verify", SWAPPED_E, SWAPPED_C, SWAPPED_E, "--period", "2020-07", "--no-ledger"],
])
def test_the_contract_and_the_events_swapped_is_a_usage_error(args: list[str]) -> None:
    """Swapped, every row of the events was a YAML error and the contract a C100 (exit 1):
    a usage mistake is exit 2, and says what to do."""
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    said = " ".join(result.output.replace("│", " ").split())
    assert "events.csv looks like an event file (its name): give the contract (YAML) first, " \
           "then the event files" in said


def test_an_event_file_by_its_header_is_no_contract(tmp_path: Path) -> None:
    named = tmp_path / "contract.yaml"  # named as a contract, holding event rows
    named.write_text('"event_id";customer_id;type;date\nr1;c1;referral;2020-01-01\n')
    result = runner.invoke(app, ["validate", str(named)])
    assert result.exit_code == 2
    assert "looks like an event file (its first line)" in " ".join(
        result.output.replace("│", " ").split())
    assert runner.invoke(app, ["validate", SWAPPED_C]).exit_code == 0
    # a contract saved as .txt, or opening with a comment that names the event columns, is
    # still a contract (a review found both refused)
    text = Path(SWAPPED_C).read_text(encoding="utf-8")
    for name, body in (("contract.txt", text),
                       ("commented.yaml", "# events need: customer_id, event_id, type, date\n"
                                          + text)):
        (tmp_path / name).write_text(body, encoding="utf-8")
        result = runner.invoke(app, ["validate", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
