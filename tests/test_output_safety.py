"""Text from input never reaches a terminal raw: terminal escapes (colour, OSC-8 links, a
cleared screen), bidirectional overrides and other control characters written into ids and
fields are shown escaped (``\\x1b``) in tables, problems, explanations and bill checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rewardengine.cli import app

runner = CliRunner()
CONTRACT = Path(__file__).parent / "data" / "minimal.yaml"
ESC = "\x1b[2J\x1b]8;;http://evil.invalid\x07click\x1b]8;;\x07"
BIDI = "\u202egnp.exe"
RAW = ("\x1b", "\x07", "\u202e")
EVENTS = (
    "event_id,customer_id,type,date,provider,unemployed_since,hours,activity\n"
    f"r1,c{ESC},referral,2020-01-10,acme,2019-06-01,,\n"
    f"s1,c{ESC},service_start,2020-01-15,,,,\n"
    f"h1{BIDI},c{ESC},hours,2020-01-20,,,2,coach{ESC}\n"
    f"x{BIDI},c2,no_such_type{ESC},2020-01-20,,,,\n"
)


def _raw_free(text: str) -> None:
    for ch in RAW:
        assert ch not in text, repr(ch)


@pytest.fixture
def events(tmp_path: Path) -> str:
    path = tmp_path / "events.csv"
    path.write_text(EVENTS, encoding="utf-8")
    return str(path)


def test_problems_echo_fields_escaped(events: str) -> None:
    result = runner.invoke(app, ["validate", str(CONTRACT), events])
    assert result.exit_code == 1
    _raw_free(result.output)
    assert "\\x1b" in result.output or "\\u202e" in result.output


def test_tables_and_explanations_show_ids_escaped(events: str, tmp_path: Path) -> None:
    clean = tmp_path / "clean.csv"
    clean.write_text("\n".join(line for line in EVENTS.splitlines()
                               if "no_such_type" not in line) + "\n", encoding="utf-8")
    table = runner.invoke(app, ["evaluate", str(CONTRACT), str(clean), "--as-of", "2020-03-01"])
    assert table.exit_code == 0, table.output
    _raw_free(table.output)
    assert "\\x1b" in table.output
    customer = f"c{ESC}"
    explained = runner.invoke(app, ["explain", str(CONTRACT), str(clean), "--customer",
                                    customer, "--as-of", "2020-03-01"])
    assert explained.exit_code == 0, explained.output
    _raw_free(explained.output)


def _bill_files(tmp_path: Path) -> tuple[Path, Path]:
    """Events of one customer and a bill whose fields carry an ESC sequence and an override."""
    events = tmp_path / "events.csv"
    events.write_text("event_id,customer_id,type,date,provider,unemployed_since\n"
                      "r1,c1,referral,2020-01-10,acme,2019-06-01\n"
                      "s1,c1,service_start,2020-01-15,,\n", encoding="utf-8")
    bill = tmp_path / "bill.csv"
    bill.write_text("customer_id,component,occurrence,amount\n"
                    f"c1{ESC},base_fee{BIDI},once,100.00\n", encoding="utf-8")
    return events, bill


def test_a_bill_check_shows_bill_fields_escaped(tmp_path: Path) -> None:
    events, bill = _bill_files(tmp_path)
    result = runner.invoke(app, ["verify", str(CONTRACT), str(events), str(bill), "--period",
                                 "2020-01", "--no-ledger"])
    assert result.exit_code == 1, result.output
    _raw_free(result.output)
    assert "\\x1b" in result.output or "\\u202e" in result.output


@pytest.mark.parametrize("lang", [None, "fi"])
def test_a_bill_check_page_shows_bill_fields_escaped(tmp_path: Path, lang: str | None) -> None:
    # the page goes to standard output unless -o is given: a field of the bill must not act
    # on the terminal there (found by the long fuzz run)
    events, bill = _bill_files(tmp_path)
    args = ["verify", str(CONTRACT), str(events), str(bill), "--period", "2020-01",
            "--no-ledger", "--format", "html"]
    result = runner.invoke(app, args + (["--lang", lang] if lang else []))
    assert result.exit_code == 1, result.output
    _raw_free(result.output)
    assert "<html" in result.output and "\\x1b" in result.output


def test_e_invoices_hold_a_control_character_of_an_id_as_a_replacement(tmp_path: Path) -> None:
    # XML cannot hold most control characters: an id carrying one was an internal error;
    # it is written as U+FFFD, one for one (Finvoice counts field lengths), and the HTML
    # page shows it escaped
    root = Path(__file__).resolve().parent.parent
    events = tmp_path / "events.csv"
    text = (root / "examples" / "tehostettu_tyonvalitys" / "events.csv").read_text("utf-8")
    events.write_text(text.replace(",T01,", ",T01\x1b[31m,"), encoding="utf-8")
    ledger = str(tmp_path / "ledger.sqlite")
    contract = str(root / "contracts" / "tehostettu_tyonvalitys.yaml")
    issued = runner.invoke(app, ["invoice", contract, str(events), "--period", "2020-06",
                                 "--ledger", ledger, "--new-ledger", "--format", "ubl"])
    assert issued.exit_code == 0, issued.output
    assert "T01\ufffd[31m" in issued.stdout
    number = issued.stdout.split("<cbc:ID>", 1)[1].split("<", 1)[0]
    for fmt in ("finvoice", "html"):
        shown = runner.invoke(app, ["invoice", "show", number, "--ledger", ledger,
                                    "--format", fmt])
        assert shown.exit_code == 0, shown.output
        _raw_free(shown.stdout)
    assert "T01\ufffd[31m" in runner.invoke(app, ["invoice", "show", number, "--ledger", ledger,
                                                  "--format", "finvoice"]).stdout


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_json_outputs_escape_what_would_act_and_keep_the_value(tmp_path: Path, fmt: str) -> None:
    # a bidirectional override or a C1 control inside a JSON string is written as a \\u
    # escape: the same value when read, nothing raw on a terminal (found by the long fuzz
    # run in `test --format json`, echoing a contract's text)
    customer = f"c{BIDI}\x9b2J"
    events = tmp_path / "events.csv"
    events.write_text("event_id,customer_id,type,date,provider,unemployed_since\n"
                      f"r1,{customer},referral,2020-01-10,acme,2019-06-01\n"
                      f"s1,{customer},service_start,2020-01-15,,\n", encoding="utf-8")
    result = runner.invoke(app, ["evaluate", str(CONTRACT), str(events), "--as-of",
                                 "2020-03-01", "--format", fmt])
    assert result.exit_code == 0, result.output
    _raw_free(result.stdout)
    assert "\x9b" not in result.stdout
    assert "\\u202e" in result.stdout and "\\u009b" in result.stdout
    records = ([json.loads(result.stdout)] if fmt == "json"
               else [json.loads(line) for line in result.stdout.splitlines()])
    assert customer in json.dumps(records, ensure_ascii=False)
