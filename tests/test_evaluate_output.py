"""``evaluate -o FILE``: the bytes stdout would get, put in place whole or not at all."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rewardengine.cli import app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "tehostettu_tyonvalitys"
CONTRACT = str(ROOT / "contracts" / "tehostettu_tyonvalitys.yaml")
EVENTS = str(EXAMPLE / "events.csv")
AS_OF = ["--as-of", "2020-06-30"]
runner = CliRunner()


def _left(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("fmt", ["table", "json", "jsonl", "csv"])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_output_is_what_stdout_gets(tmp_path: Path, fmt: str, jobs: str) -> None:
    args = ["evaluate", CONTRACT, EVENTS, *AS_OF, "-f", fmt, "--jobs", jobs]
    shown = runner.invoke(app, args)
    assert shown.exit_code == 0, shown.output
    target = tmp_path / f"out.{fmt}"
    written = runner.invoke(app, [*args, "-o", str(target)])
    assert written.exit_code == 0, written.output
    assert written.stdout == ""
    assert target.read_text(encoding="utf-8") == shown.stdout
    assert _left(tmp_path) == [target.name]  # no temporary file left beside it


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_output_of_chosen_customers(tmp_path: Path, fmt: str) -> None:
    args = ["evaluate", CONTRACT, EVENTS, *AS_OF, "-f", fmt, "--customer", "T01"]
    shown = runner.invoke(app, args)
    assert shown.exit_code == 0, shown.output
    target = tmp_path / "one.out"
    written = runner.invoke(app, [*args, "-o", str(target)])
    assert written.exit_code == 0, written.output
    assert target.read_text(encoding="utf-8") == shown.stdout


@pytest.mark.parametrize("fmt", ["table", "jsonl"])
def test_inputs_with_errors_leave_the_output_as_it_was(tmp_path: Path, fmt: str) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("event_id,customer_id,type,date\nX1,C1,referral,2020-13-01\n")
    target = tmp_path / "out.txt"
    target.write_text("what was there before\n")
    done = runner.invoke(app, ["evaluate", CONTRACT, str(bad), *AS_OF, "-f", fmt, "-o",
                               str(target)])
    assert done.exit_code == 1
    assert "E0" in done.output
    assert target.read_text() == "what was there before\n"
    assert _left(tmp_path) == ["bad.csv", "out.txt"]


def test_an_output_that_cannot_be_written_is_refused_before_any_work(tmp_path: Path) -> None:
    folder = runner.invoke(app, ["evaluate", CONTRACT, EVENTS, *AS_OF, "-o", str(tmp_path)])
    assert folder.exit_code == 2 and "is a folder" in folder.output
    missing = runner.invoke(app, ["evaluate", CONTRACT, EVENTS, *AS_OF, "-o",
                                  str(tmp_path / "no" / "such.json")])
    assert missing.exit_code == 2 and "does not exist" in missing.output
    ledger = tmp_path / "ledger.sqlite"
    sqlite3.connect(ledger).execute("create table t (x)").connection.close()
    before = ledger.read_bytes()
    refused = runner.invoke(app, ["evaluate", CONTRACT, EVENTS, *AS_OF, "-f", "json", "-o",
                                  str(ledger)])
    assert refused.exit_code == 2 and "SQLite" in refused.output
    assert ledger.read_bytes() == before


@pytest.mark.parametrize("fmt", ["table", "json", "jsonl", "csv"])
def test_a_provider_with_no_customers_gets_the_evaluation_of_none(tmp_path: Path,
                                                                  fmt: str) -> None:
    # an output from an earlier run is replaced, never left to be read as this run's
    events = tmp_path / "events.csv"
    events.write_text("event_id,customer_id,type,date,provider,birth_date\n"
                      "A-r,A,referral,2020-01-13,member_a,2001-03-10\n"
                      "A-s,A,service_start,2020-01-20,member_a,\n")
    contract = str(ROOT / "contracts" / "sujuvat_palvelupolut.yaml")
    target = tmp_path / "out.txt"
    target.write_text("what an earlier run wrote\n")
    args = ["evaluate", contract, str(events), *AS_OF, "--provider", "member_c", "-f", fmt]
    written = runner.invoke(app, [*args, "-o", str(target)])
    assert written.exit_code == 0, written.output
    assert "provider member_c has no customers as of 2020-06-30" in written.stderr
    shown = runner.invoke(app, args)
    assert shown.exit_code == 0
    assert target.read_text(encoding="utf-8") == shown.stdout
    if fmt == "json":
        doc = json.loads(shown.stdout)
        assert doc["customers"] == [] and doc["totals"]["payable"] == "0.00"
    elif fmt == "csv":
        assert shown.stdout.startswith("customer_id,") and shown.stdout.count("\n") == 1
    elif fmt == "table":
        assert "0 customers" in shown.stdout
