"""User mistakes are not internal errors: files without line ends, rows and numbers too long,
JSON bills of the wrong shape — each refused with a located problem, in bounded memory."""

from __future__ import annotations

import os
import tracemalloc
from decimal import Decimal
from pathlib import Path

import pytest
from invoicing_cases import ROWS, write_inputs
from typer.testing import CliRunner

from rewardengine.cli import app
from rewardengine.csvsafe import safe_cell, write_csv
from rewardengine.events.read import read_events, read_text
from rewardengine.invoicing.bill import read_bill, read_bill_csv, read_bill_json

runner = CliRunner()
HEADER = "event_id,customer_id,type,date,hours\n"
TOO_LONG = ("is longer than 1,000,000 characters (a line end missing?); the rest of the file "
            "is not read")


def _peak_mb(run: object) -> float:
    tracemalloc.start()
    try:
        run()  # type: ignore[operator]
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
@pytest.mark.parametrize("name", ["/dev/zero"])
def test_dev_zero_as_events_is_refused_in_bounded_memory(name: str) -> None:
    result: list[object] = []
    peak = _peak_mb(lambda: result.append(read_events([name])))
    es = result[0]
    assert [(str(p.source), p.code, p.message) for p in es.problems] == [  # type: ignore[attr-defined]
        ("/dev/zero:1", "F004", f"a line {TOO_LONG}")]
    assert peak < 30, peak


def test_a_long_file_without_line_ends_is_refused_at_its_row(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_bytes(HEADER.encode() + b"r1,c1,referral,2020-01-01\n" + b"x" * 3_000_000)
    result: list[object] = []
    peak = _peak_mb(lambda: result.append(read_events([str(path)])))
    es = result[0]
    assert [(p.source.row, p.code) for p in es.problems] == [(3, "F004")]  # type: ignore[attr-defined]
    assert [e.event_id for e in es.events] == ["r1"]  # type: ignore[attr-defined]
    assert peak < 30, peak
    code = runner.invoke(app, ["validate", str(Path(__file__).parent / "data" / "minimal.yaml"),
                               str(path)]).exit_code
    assert code == 2  # an unreadable file, not an internal error


def test_a_jsonl_line_without_end_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_bytes(b'{"event_id": "' + b"x" * 1_500_000)
    es = read_events([str(path)])
    assert [(p.source.row, p.code) for p in es.problems] == [(1, "F004")]


def test_a_csv_row_of_many_quoted_line_breaks_is_refused(tmp_path: Path) -> None:
    # every cell is short, but the row never ends: many cells, each holding a line break
    path = tmp_path / "events.csv"
    path.write_bytes(HEADER.encode() + b'"a\nb",' * 400_000 + b"\n")
    es = read_events([str(path)])
    assert [(p.source.row, p.code, p.message) for p in es.problems] == [
        (2, "F004", f"a row {TOO_LONG}")]


@pytest.mark.parametrize("written", ["1." + "0" * 5000 + "1", "9" * 9000, "0." + "0" * 45])
def test_numbers_of_thousands_of_digits_are_refused_before_arithmetic(written: str) -> None:
    es = read_text(HEADER + f"h1,c1,hours,2020-01-01,{written}\n", "e.csv")
    assert [(str(p.source), p.code, p.message) for p in es.problems] == [
        ("e.csv:2", "E005", f"field 'hours': a number of {len(written):,} characters; at most "
         "40 are read")]
    es = read_text('{"event_id": "h1", "customer_id": "c1", "type": "hours", '
                   f'"date": "2020-01-01", "hours": {written}}}\n', "e.jsonl", jsonl=True)
    assert [p.code for p in es.problems] == ["E010" if len(written) > 4300
                                             and "." not in written else "E005"]


def test_a_forty_character_number_is_still_read() -> None:
    es = read_text(HEADER + "h1,c1,hours,2020-01-01,1." + "0" * 38 + "\n", "e.csv")
    assert es.problems == [] and es.events[0].hours == Decimal("1")  # type: ignore[attr-defined]


def test_a_jsonl_text_longer_than_a_cell_is_refused() -> None:
    es = read_text('{"event_id": "s1", "customer_id": "c1", "type": "service_end", '
                   '"date": "2020-01-01", "reason": "' + "x" * 10_001 + '"}\n', "e.jsonl",
                   jsonl=True)
    assert [(p.code, p.message) for p in es.problems] == [
        ("E010", "field 'reason' is longer than 10,000 characters")]


def test_long_values_are_cut_in_messages() -> None:
    name = "attr_" + "z" * 300
    es = read_text(f"event_id,customer_id,type,date,{name}\nh1,c1,hours,2020-01-01,1\n",
                   "e.csv")
    assert es.problems[0].message == f"field '{name[:40]}…' applies only to referral rows"
    es = read_text("event_id,customer_id,type,date,date" + "q" * 99 + "\n", "e.csv")
    assert all(len(p.message) < 120 for p in es.problems)


# --- bills ----------------------------------------------------------------------------------

BILL_HEAD = "customer_id,component,occurrence,amount\n"


def test_a_bill_amount_of_thousands_of_digits_is_refused() -> None:
    bill = read_bill_csv(BILL_HEAD + "c2,base_fee,once," + "9" * 5000 + "\n", "b.csv")
    assert [(p.code, p.source.row, p.message) for p in bill.problems] == [
        ("B002", 2, "an amount of 5,000 characters; at most 40 are read")]
    bill = read_bill_json('[{"customer_id": "c2", "component": "base_fee", "occurrence": '
                          '"once", "amount": 1.' + "0" * 5000 + "}]", "b.json")
    assert [p.code for p in bill.problems] == ["B002"]


@pytest.mark.parametrize(("amount", "read"), [
    ("999999999999999.99", True),  # the most a bill's amount may be
    ("1000000000000000.00", False),  # one cent more
    ("-999999999999999.99", True),
    ("123456789012345678901234567.89", False),  # past Decimal's 28 digits: was rounded
])
def test_a_bill_amount_past_the_money_limit_is_refused(amount: str, read: bool) -> None:
    """A bill's amounts are below 10^15, as the contract's and the events' are: a larger one
    was read and rounded to Decimal's 28 digits, silently."""
    bill = read_bill_csv(BILL_HEAD + f"c2,base_fee,once,{amount}\n", "b.csv")
    if read:
        assert bill.problems == [] and bill.lines[0].amount == Decimal(amount)
        return
    assert [(p.code, p.source.row, p.message) for p in bill.problems] == [
        ("B002", 2, f"amount '{amount}' is implausibly large: a bill's amounts are below "
                    "1 000 000 000 000 000")]


@pytest.mark.parametrize(("text", "expected"), [
    ('[1, "x", [1], null, {"customer_id": "c2", "component": "base_fee", "occurrence": '
     '"once", "amount": "150.00"}]',
     [("B007", 1, "a bill line must be an object, not a number"),
      ("B007", 2, "a bill line must be an object, not a text"),
      ("B007", 3, "a bill line must be an object, not a list"),
      ("B007", 4, "a bill line must be an object, not null")]),
    ('[[{"customer_id": "c2"}]]', [("B007", 1, "a bill line must be an object, not a list")]),
    ('[{"customer_id": 12345, "component": "base_fee", "occurrence": ["once"], '
     '"amount": true}]',
     [("B007", 1, "field 'customer_id' must be text, not a number"),
      ("B007", 1, "field 'occurrence' must be text, not a list"),
      ("B007", 1, "field 'amount' must be text, not true/false")]),
    ('{"lines": {"customer_id": "c2"}}',
     [("B005", None, "the bill's 'lines' must be a list of line objects")]),
    ('{"sections": [1]}', [("B005", None, "an invoice's 'sections' must be a list of objects")]),
    ('{"sections": [{"lines": 5}]}',
     [("B005", None, "an invoice section's 'lines' must be a list")]),
    ('{"lines": [], "total": [1]}', [("B002", None, "the bill's total '[1]' is not an amount")]),
    ("7", [("B005", None, "a JSON bill is a list of line objects, an object with 'lines', or "
            "an invoice written by rewardengine")]),
])
def test_json_bills_of_the_wrong_shape_are_located(text: str,
                                                   expected: list[tuple[str, int | None, str]]
                                                   ) -> None:
    bill = read_bill_json(text, "b.json")
    assert [(p.code, p.source.row, p.message) for p in bill.problems] == expected


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000, "[" + "9" * 5000 + "]"])
def test_json_bills_nested_too_deeply_or_with_huge_integers_are_unreadable(text: str) -> None:
    bill = read_bill_json(text, "b.json")
    assert bill.unreadable and [p.code for p in bill.problems] == ["B005"]


def test_verify_with_a_wrongly_shaped_json_bill_is_never_an_internal_error(tmp_path: Path
                                                                           ) -> None:
    c, e = write_inputs(tmp_path, rows=ROWS)
    for text, code in (('{"sections": [{"lines": 5}]}', 2), ('[{"customer_id": 5}]', 1),
                       ("[" * 50_000, 2)):
        (tmp_path / "bill.json").write_text(text, encoding="utf-8")
        result = runner.invoke(app, ["verify", str(c), str(e), str(tmp_path / "bill.json"),
                                     "--period", "2020-01", "--no-ledger"])
        assert result.exit_code == code, result.output


# --- output safety --------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "neutralised"), [
    (" =1+1", True), ("\t=1+1", True), ("  @SUM(A1)", True), ("\n-2+3", True),
    ("\u00a0+1", True), ("=1", True), ("-12.50", True), ("'=x", True), ("''+x", True),
    ("'plain", False), ("plain", False), (" leading", False), ("a=b", False),
])
def test_formulas_are_neutralised_after_spaces_and_the_bill_reader_reverses_it(
        value: str, neutralised: bool) -> None:
    written = safe_cell(value)
    assert written == ("'" + value if neutralised else value)
    text = write_csv(["customer_id", "component", "occurrence", "amount"],
                     [["c1", value, "once", "1.00"]])
    bill = read_bill_csv(text, "b.csv")
    # exactly the cell written (the reader trims only cells it did not neutralise)
    assert [ln.component for ln in bill.lines] == [value if neutralised else value.strip()]


def test_a_bill_file_too_large_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                          ) -> None:
    import rewardengine.invoicing.bill as bill_module
    monkeypatch.setattr(bill_module, "MAX_BILL_BYTES", 100)
    path = tmp_path / "b.csv"
    path.write_text(BILL_HEAD + "c2,base_fee,once,150.00\n" * 10, encoding="utf-8")
    assert [p.message for p in read_bill(str(path)).problems] == ["the bill is too large"]
