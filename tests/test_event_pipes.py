"""Every command that reads events reads them from a pipe (``/dev/stdin``, ``<(...)``) once.

A run in shards read the event file more than once (its size, byte ranges, a second pass
when not sorted by customer, the inputs' hash for the invoice): ``evaluate --jobs 2``,
``invoice`` and ``verify`` on a pipe said ``E011 the file is empty (no header row)``. The
pipe is now copied once aside; the outputs are the bytes a file gives, and a problem is told
at the name given, never at the copy."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pipe_cases import fed_pipe
from typer.testing import CliRunner

from rewardengine.cli import app

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent
CONTRACT = str(ROOT / "contracts" / "tehostettu_tyonvalitys.yaml")
EVENTS = ROOT / "examples" / "tehostettu_tyonvalitys" / "events.csv"
AS_OF = "2020-11-30"
BILL = "asiakas,maksuerä,kerta,summa\nT03,result,spell:T03-E1:open,\"750,00\"\n"
BILL_MAP = ["--map", "customer=asiakas,component=maksuerä,occurrence=kerta,amount=summa"]


def _piped(tmp_path: Path, args: list[str], text: str, name: str = "events.csv"
           ) -> tuple[int, str]:
    """``args`` run with the events (the placeholder ``PIPE``) on a named pipe fed ``text``
    once."""
    with fed_pipe(tmp_path / name, text) as pipe:
        done = runner.invoke(app, [str(pipe) if a == "PIPE" else a for a in args])
    return done.exit_code, done.output


def _commands(tmp_path: Path, jobs: str, source: str) -> dict[str, list[str]]:
    """The four commands that read events, each writing JSON (or text) to stdout."""
    (tmp_path / "bill.csv").write_text(BILL, encoding="utf-8")
    return {
        "evaluate": ["evaluate", CONTRACT, source, "--as-of", AS_OF, "-f", "json",
                     "--jobs", jobs],
        "invoice": ["invoice", CONTRACT, source, "--period", "2020-06", "--ledger",
                    str(tmp_path / f"{source == 'PIPE'}-{jobs}.sqlite"), "--new-ledger",
                    "--dry-run", "--jobs", jobs, "-f", "json"],
        "explain": ["explain", CONTRACT, source, "--customer", "T03", "--as-of", AS_OF,
                    "-f", "json"],
        "verify": ["verify", CONTRACT, source, str(tmp_path / "bill.csv"), "--period",
                   "2020-07", "--no-ledger", *BILL_MAP, "-f", "json", "--jobs", jobs],
    }


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_each_command_reads_events_on_a_pipe_as_from_a_file(tmp_path: Path, jobs: str
                                                             ) -> None:
    text = EVENTS.read_text(encoding="utf-8")
    piped = _commands(tmp_path, jobs, "PIPE")
    for name, args in _commands(tmp_path, jobs, str(EVENTS)).items():
        if name == "explain" and jobs == "2":
            continue  # explain reads one customer's events, never in shards
        from_file = runner.invoke(app, args)
        assert from_file.exit_code in (0, 1), (name, from_file.output)
        code, output = _piped(tmp_path, piped[name], text)
        assert "empty" not in output, (name, output)
        # the explanation names each event's row at the file's name
        assert (code, output.replace(str(tmp_path / "events.csv"), "EVENTS")) == \
            (from_file.exit_code, from_file.output.replace(str(EVENTS), "EVENTS")), name
        assert len(output) > 500, (name, output)  # a real result, not two empty ones


def test_a_problem_in_piped_events_is_told_at_the_name_given(tmp_path: Path) -> None:
    """The copy of the pipe is never named: the row's place is the pipe's."""
    bad = "event_id,customer_id,type,date\nr1,D,referral,2020-13-07\n"
    for args in (["evaluate", CONTRACT, "PIPE", "--as-of", AS_OF, "--jobs", "2"],
                 ["invoice", CONTRACT, "PIPE", "--period", "2020-06", "--dry-run",
                  "--ledger", str(tmp_path / "l.sqlite"), "--new-ledger"]):
        code, output = _piped(tmp_path, args, bad, name="piped.csv")
        assert code == 1, output
        assert f"{tmp_path / 'piped.csv'}:2: E" in output.replace("\n", ""), output
        assert "piped-0" not in output and "rewardengine-" not in output, output


def test_a_forecast_fitted_from_its_own_events_reads_a_pipe_once(tmp_path: Path) -> None:
    """``forecast --fit`` fits the cohort from EVENTS and forecasts them: one read."""
    text = EVENTS.read_text(encoding="utf-8")
    args = ["forecast", CONTRACT, "SOURCE", "--as-of", "2020-06-30", "--fit", "--runs", "3",
            "-f", "json"]
    from_file = runner.invoke(app, [str(EVENTS) if a == "SOURCE" else a for a in args])
    assert from_file.exit_code == 0, from_file.output
    code, output = _piped(tmp_path, ["PIPE" if a == "SOURCE" else a for a in args], text)
    assert code == 0 and "empty" not in output, output
    assert output.replace(str(tmp_path / "events.csv"), "EVENTS") == \
        from_file.output.replace(str(EVENTS), "EVENTS")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_each_command_reads_the_contract_on_a_pipe_once(tmp_path: Path, jobs: str) -> None:
    """The contract on a pipe: read once for the checks, every shard and every evaluation
    date an invoice asks for (a second read found it empty: exit 3, or Y003)."""
    text = Path(CONTRACT).read_text(encoding="utf-8")
    for name, args in _commands(tmp_path, jobs, str(EVENTS)).items():
        if name == "explain" and jobs == "2":
            continue
        if name == "invoice":  # each run its own ledger, none written (a dry run)
            args = [str(tmp_path / "c.sqlite") if a.endswith(".sqlite") else a for a in args]
        from_file = runner.invoke(app, args)
        with fed_pipe(tmp_path / "contract.yaml", text) as pipe:
            piped = runner.invoke(app, [str(pipe) if a == CONTRACT else a for a in args])
        assert from_file.exit_code in (0, 1), (name, from_file.output)
        assert piped.exit_code == from_file.exit_code, (name, piped.output)
        assert len(piped.output) > 500 and "Y003" not in piped.output, (name, piped.output)


def test_a_contract_with_errors_on_a_pipe_is_told_its_errors(tmp_path: Path) -> None:
    text = Path(CONTRACT).read_text(encoding="utf-8").replace(
        "kind: employment_outcome", "kind: employment_outcom", 1)
    for args in (["evaluate", "PIPE", str(EVENTS), "--as-of", AS_OF, "--jobs", "2"],
                 ["evaluate", "PIPE", str(EVENTS), "--as-of", AS_OF, "-f", "json"],
                 ["invoice", "PIPE", str(EVENTS), "--period", "2020-06", "--dry-run",
                  "--ledger", str(tmp_path / "l.sqlite"), "--new-ledger"],
                 ["validate", "PIPE", str(EVENTS)]):
        with fed_pipe(tmp_path / "contract.yaml", text) as pipe:
            done = runner.invoke(app, [str(pipe) if a == "PIPE" else a for a in args])
        assert done.exit_code == 1, (args, done.output)
        assert "C103 unknown kind 'employment_outcom'" in done.output, (args, done.output)
        assert "Y003" not in done.output


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_warning_in_an_invoice_from_a_pipe_names_the_pipe_never_the_copy(
        tmp_path: Path, jobs: str) -> None:
    """The evaluation's warnings went into the invoice (and so into the ledger, and into
    verify's report) at the spool's copy, a temporary path that differs on every run."""
    text = EVENTS.read_text(encoding="utf-8") + "T01-r2,T01,referral,2020-02-07,,,,,,,\n"
    (tmp_path / "bill.csv").write_text(BILL, encoding="utf-8")
    for args in (["invoice", CONTRACT, "PIPE", "--period", "2020-06", "--ledger",
                  str(tmp_path / f"{jobs}.sqlite"), "--new-ledger", "-f", "json",
                  "--jobs", jobs],
                 ["verify", CONTRACT, "PIPE", str(tmp_path / "bill.csv"), "--period",
                  "2020-07", "--no-ledger", *BILL_MAP, "-f", "json", "--jobs", jobs]):
        code, output = _piped(tmp_path, args, text, name="piped.csv")
        assert code in (0, 1), output
        assert "piped-0" not in output and "rewardengine-" not in output, output
        assert f"{tmp_path / 'piped.csv'}" in output and "V002" in output, output
        if args[0] == "invoice":  # the invoice holds its problems
            assert f'"file": "{tmp_path / "piped.csv"}"' in output, output
    shown = runner.invoke(app, ["invoice", "show", "TTV-BRK-0001", "--ledger",
                                str(tmp_path / f"{jobs}.sqlite"), "-f", "json"])
    assert shown.exit_code == 0, shown.output
    assert "rewardengine-" not in shown.output and "piped.csv" in shown.output
