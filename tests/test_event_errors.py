"""Every problem the event readers report, for CSV and for JSON Lines: code, FILE:ROW, message.

Rows are the spreadsheet's: in a CSV the header is row 1; in JSON Lines each line is a row.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from rewardengine.errors import sorted_problems
from rewardengine.events.model import Employment, Expense, Referral
from rewardengine.events.read import EventSet, read_events, read_text

HEADER = ("event_id,customer_id,type,date,recorded,end,provider,unemployed_since,hours,"
          "responded,kind,evidence,fte,wage,amount,days\n")


def csv_rows(*rows: str) -> EventSet:
    return read_text(HEADER + "".join(r + "\n" for r in rows), "events.csv")


def jsonl(*rows: str) -> EventSet:
    return read_text("".join(r + "\n" for r in rows), "events.jsonl", jsonl=True)


def found(es: EventSet) -> list[tuple[str, str, str]]:
    """(FILE:ROW, code, message) of every problem, in order."""
    return [(str(p.source), p.code, p.message) for p in es.problems]


KNOWN = ("referral, service_start, service_end, hours, contact, employment, education, "
         "benefit, survey, expense, earnings")


def test_valid_rows_read() -> None:
    es = csv_rows("r1,c1,referral,2020-01-10,,,acme,2019-01-01",
                  "e1,c1,employment,2020-03-01,,2020-08-31,,,,,open,register,0.8,2400.10")
    assert es.problems == []
    referral, job = es.events
    assert isinstance(referral, Referral) and referral.provider == "acme"
    assert isinstance(job, Employment)
    assert (job.fte, job.wage, str(job.end), job.row, job.file) == (
        Decimal("0.8"), Decimal("2400.10"), "2020-08-31", 3, "events.csv")


# --- E001: columns and fields -----------------------------------------------------------------

def test_e001_unknown_column_csv() -> None:
    es = read_text("event_id,customer_id,type,date,colour\nr1,c1,referral,2020-01-01,red\n",
                   "events.csv")
    assert found(es) == [("events.csv:1", "E001", "column 5: unknown column 'colour'")]
    assert es.events == []  # a file with a bad header is not read further


def test_e001_duplicate_and_missing_columns_csv() -> None:
    es = read_text("event_id,type,date,date\n", "events.csv")
    assert found(es) == [
        ("events.csv:1", "E001", "column 4: duplicate column 'date'"),
        ("events.csv:1", "E001", "missing column 'customer_id'"),
    ]


def test_e001_bare_attr_prefix_is_unknown_in_both_formats() -> None:
    es = read_text("event_id,customer_id,type,date,attr_\n", "events.csv")
    assert found(es) == [("events.csv:1", "E001", "column 5: unknown column 'attr_'")]
    es = jsonl('{"event_id": "r1", "customer_id": "c1", "type": "referral", '
               '"date": "2020-01-01", "attr_": "x"}')
    assert found(es) == [("events.jsonl:1", "E001", "unknown field 'attr_'")]


def test_e001_unknown_fields_jsonl() -> None:
    es = jsonl('{"event_id": "r1", "customer_id": "c1", "type": "referral", '
               '"date": "2020-01-01", "colour": "red", "file": "x.csv"}',
               '{"event_id": "r2", "customer_id": "c2", "type": "referral", "date": "2020-01-01"}')
    # "file" is set by the reader, never by input
    assert found(es) == [("events.jsonl:1", "E001", "unknown field 'colour'"),
                         ("events.jsonl:1", "E001", "unknown field 'file'")]
    assert [e.event_id for e in es.events] == ["r2"]


def test_e001_duplicate_field_jsonl() -> None:
    es = jsonl('{"event_id": "r1", "customer_id": "c1", "type": "referral", '
               '"date": "2020-01-01", "date": "2020-02-01"}')
    assert found(es) == [("events.jsonl:1", "E001", "duplicate field 'date'")]
    assert es.events == []



def test_e010_a_json_document_given_as_json_lines_is_told_as_one() -> None:
    """A list of events, one to a line, or an indented document: its bracket lines and its
    items (an object and a comma) are told as a document's parts; a broken row of JSON
    Lines (an object cut short, an object with a stray character) is not."""
    item = '{"event_id": "r1", "customer_id": "c1", "type": "referral", "date": "2020-01-01"}'
    es = jsonl("[", item + ",", "  {", "},", item + ";", '{"event_id": "r2",', "]")
    part = ("; the line looks like part of a JSON document (a list of events, or indented): "
            "an event file is JSON Lines, one event object per line")
    assert found(es) == [
        ("events.jsonl:1", "E010", "invalid JSON: Expecting value" + part),
        ("events.jsonl:2", "E010", "invalid JSON: Extra data" + part),
        ("events.jsonl:3", "E010", "invalid JSON: Expecting property name enclosed in "
         "double quotes" + part),
        ("events.jsonl:4", "E010", "invalid JSON: Expecting value" + part),
        ("events.jsonl:5", "E010", "invalid JSON: Extra data"),
        ("events.jsonl:6", "E010", "invalid JSON: Expecting property name enclosed in "
         "double quotes"),
        ("events.jsonl:7", "E010", "invalid JSON: Expecting value" + part)]
    assert es.events == []

def test_e010_rows_that_are_not_json_objects() -> None:
    es = jsonl('{"event_id": "r1", "customer_id": "c1", "type": "referral", '
               '"date": "2020-01-01"}', '\ufeff{"event_id": "r2"}', '[1]', '{"x": NaN}')
    assert found(es) == [
        ("events.jsonl:2", "E010",
         "invalid JSON: Unexpected UTF-8 BOM (decode using utf-8-sig)"),
        ("events.jsonl:3", "E010", "a JSON Lines row must be an object"),
        ("events.jsonl:4", "E010", "invalid JSON: NaN is not a number")]
    assert [e.event_id for e in es.events] == ["r1"]


# --- E002: event type -------------------------------------------------------------------------

def test_e002_unknown_event_type_csv() -> None:
    es = csv_rows("r1,c1,referal,2020-01-01")
    assert found(es) == [("events.csv:2", "E002",
                          "unknown event type 'referal' (did you mean 'referral'?; known: "
                          f"{KNOWN})")]
    es = csv_rows("r1,c1,meeting,2020-01-01", "r2,c1,Service_End,2020-01-01")
    assert found(es) == [
        ("events.csv:2", "E002", f"unknown event type 'meeting' (known: {KNOWN})"),
        ("events.csv:3", "E002", "unknown event type 'Service_End' (did you mean "
                                 f"'service_end'?; known: {KNOWN})")]


def test_e002_unknown_event_type_jsonl() -> None:
    es = jsonl('{"event_id": "r1", "customer_id": "c1", "type": 7, "date": "2020-01-01"}')
    assert found(es) == [("events.jsonl:1", "E002", f"unknown event type '7' (known: {KNOWN})")]


# --- E003: missing ----------------------------------------------------------------------------

def test_e003_missing_required_fields_csv() -> None:
    es = csv_rows("x1,c1,contact,2020-01-01",
                  "x2,c1,,2020-01-01",
                  "x3,c1,referral,",
                  "x4,c1,employment,2020-01-01,,,,,,,open,register")
    assert found(es) == [
        ("events.csv:2", "E003", "missing required field 'responded'"),
        ("events.csv:3", "E003", "missing required field 'type'"),
        ("events.csv:4", "E003", "missing required field 'date'"),
        ("events.csv:5", "E003", "an employment needs hours_per_week or fte"),
    ]


def test_e003_missing_required_fields_jsonl() -> None:
    es = jsonl('{"event_id": "x1", "customer_id": "c1", "type": "contact", "date": "2020-01-01"}',
               '{"event_id": "x2", "customer_id": "c1", "type": null, "date": "2020-01-01"}',
               '{"event_id": "x3", "customer_id": "", "type": "referral", "date": "2020-01-01"}',
               '{"event_id": "x4", "customer_id": "c1", "type": "benefit", "date": "2020-01-01"}')
    assert found(es) == [
        ("events.jsonl:1", "E003", "missing required field 'responded'"),
        ("events.jsonl:2", "E003", "missing required field 'type'"),
        ("events.jsonl:3", "E003", "missing required field 'customer_id'"),
        ("events.jsonl:4", "E003", "a benefit row needs days or amount"),
    ]


# --- E004: a field that does not apply --------------------------------------------------------

def test_e004_field_not_of_this_type_csv() -> None:
    es = csv_rows("r1,c1,referral,2020-01-01,,,,,5")
    assert found(es) == [("events.csv:2", "E004", "field 'hours' does not apply to a referral row")]
    assert es.events == []


@pytest.mark.parametrize(("row", "said"), [
    ("e1,c1,employment,2020-01-01,,,,,5", "an employment row"),
    ("h1,c1,hours,2020-01-01,,,,,5,,,,,,5.00", "an hours row"),  # the h is not said
    ("x1,c1,expense,2020-01-01,,,,,5,,,,,,5.00", "an expense row"),
])
def test_e004_names_the_row_with_its_article(row: str, said: str) -> None:
    assert next(m for _, code, m in found(csv_rows(row)) if code == "E004").endswith(said)


def test_e004_attribute_on_a_non_referral_csv() -> None:
    es = read_text("event_id,customer_id,type,date,attr_group\n"
                   "s1,c1,service_start,2020-01-01,youth\n"
                   "r1,c1,referral,2020-01-01,youth\n", "events.csv")
    assert found(es) == [("events.csv:2", "E004", "field 'attr_group' applies only to referral "
                          "rows")]
    assert [(e.event_id, e.attributes) for e in es.events  # type: ignore[attr-defined]
            ] == [("r1", {"attr_group": "youth"})]


def test_e004_field_not_of_this_type_jsonl() -> None:
    es = jsonl('{"event_id": "s1", "customer_id": "c1", "type": "service_start", '
               '"date": "2020-01-01", "wage": 2000, "attr_x": 1}')
    assert found(es) == [
        ("events.jsonl:1", "E004", "field 'wage' does not apply to a service_start row"),
        ("events.jsonl:1", "E004", "field 'attr_x' applies only to referral rows"),
    ]


# --- E005: values -----------------------------------------------------------------------------

@pytest.mark.parametrize(("written", "message"), [
    ("2020-02-30", "'2020-02-30' is not a real date (day is out of range for month)"),
    # a CSV file a spreadsheet wrote in its own style: the option that reads it is named
    ("30.1.2020", "'30.1.2020' is not a date written YYYY-MM-DD (it reads as d.m.yyyy: a file "
                  "written so is read with --date-format d.m.yyyy)"),
    ("30.1.20", "'30.1.20' is not a date written YYYY-MM-DD"),  # not d.m.yyyy: no hint
    ("1577836800", "'1577836800' is not a date written YYYY-MM-DD"),
    ("2020-01-30T00:00", "'2020-01-30T00:00' is not a date written YYYY-MM-DD"),
    ("2020-1-30", "'2020-1-30' is not a date written YYYY-MM-DD"),
    ("2300-01-01", "'2300-01-01' is outside the years 1900 to 2199"),
])
def test_e005_unparseable_dates_csv(written: str, message: str) -> None:
    es = csv_rows(f"r1,c1,referral,{written}")
    assert found(es) == [("events.csv:2", "E005", f"field 'date': {message}")]


@pytest.mark.parametrize(("written", "message"), [
    ('"2020-02-30"', "'2020-02-30' is not a real date (day is out of range for month)"),
    ('"30.1.2020"', "'30.1.2020' is not a date written YYYY-MM-DD"),
    ("1577836800", "'1577836800' is not a date written YYYY-MM-DD"),
])
def test_e005_unparseable_dates_jsonl(written: str, message: str) -> None:
    es = jsonl(f'{{"event_id": "r1", "customer_id": "c1", "type": "referral", "date": {written}}}')
    assert found(es) == [("events.jsonl:1", "E005", f"field 'date': {message}")]


def test_e005_negative_hours_and_three_decimal_money_csv() -> None:
    es = csv_rows("h1,c1,hours,2020-01-01,,,,,-3",
                  "x1,c1,expense,2020-01-01,,,,,,,,,,,10.005",
                  "x2,c1,expense,2020-01-01,,,,,,,,,,,-10.00",
                  "e1,c1,employment,2020-01-01,,,,,,,open,register,1.5",
                  "e2,c1,employment,2020-01-01,,,,,,,permanent,register,1",
                  "b1,c1,benefit,2020-01-01,,,,,,,,,,,,32",
                  "c1x,c1,contact,2020-01-01,,,,,,maybe")
    assert found(es) == [
        ("events.csv:2", "E005", "field 'hours': -3 is negative"),
        ("events.csv:3", "E005", "field 'amount': amount 10.005 has more than 2 decimal places"),
        ("events.csv:4", "E005", "field 'amount': amount -10.00 is negative"),
        ("events.csv:5", "E005", "field 'fte': 1.5 is not between 0 and 1"),
        ("events.csv:6", "E005", "field 'kind': 'permanent' is not one of 'open', 'subsidised', "
         "'entrepreneur' or 'apprenticeship'"),
        ("events.csv:7", "E005", "field 'days': '32' is above the largest allowed, 31"),
        ("events.csv:8", "E005", "field 'responded': 'maybe' is not true or false"),
    ]


def test_e005_values_jsonl() -> None:
    es = jsonl('{"event_id": "h1", "customer_id": "c1", "type": "hours", "date": "2020-01-01", '
               '"hours": -3}',
               '{"event_id": "x1", "customer_id": "c1", "type": "expense", "date": "2020-01-01", '
               '"amount": 10.005}',
               '{"event_id": "h2", "customer_id": "c1", "type": "hours", "date": "2020-01-01", '
               '"hours": true}',
               '{"event_id": "h3", "customer_id": "c1", "type": "hours", "date": "2020-01-01", '
               '"hours": [1, 2]}',
               '{"event_id": true, "customer_id": "c1", "type": "referral", "date": "2020-01-01"}')
    assert found(es) == [
        ("events.jsonl:1", "E005", "field 'hours': -3 is negative"),
        ("events.jsonl:2", "E005", "field 'amount': amount 10.005 has more than 2 decimal "
         "places"),
        ("events.jsonl:3", "E005", "field 'hours': expected a number, got true/false"),
        ("events.jsonl:4", "E005", "field 'hours' must be a single value"),
        ("events.jsonl:5", "E005", "field 'event_id': expected a text value"),
    ]


def test_json_numbers_stay_exact() -> None:
    es = jsonl('{"event_id": "e1", "customer_id": "c1", "type": "employment", '
               '"date": "2020-01-01", "kind": "open", "evidence": "register", "fte": 0.80, '
               '"wage": 1234.10}',
               '{"event_id": "x1", "customer_id": "c1", "type": "expense", "date": "2020-01-01", '
               '"amount": 0.10}',
               '{"event_id": 17, "customer_id": 4, "type": "expense", "date": "2020-01-02", '
               '"amount": 12345678901234.89}')
    assert es.problems == []
    job, small, big = es.events
    assert isinstance(job, Employment) and isinstance(small, Expense) and isinstance(big, Expense)
    assert str(job.wage) == "1234.10" and str(job.fte) == "0.80"
    assert str(small.amount) == "0.10"
    assert str(big.amount) == "12345678901234.89"
    assert (big.event_id, big.customer_id) == ("17", "4")


# --- E006: end before start -------------------------------------------------------------------

def test_e006_end_before_start_csv() -> None:
    es = csv_rows("e1,c1,employment,2020-05-01,,2020-04-30,,,,,open,register,1")
    assert found(es) == [("events.csv:2", "E006", "end 2020-04-30 is before date 2020-05-01")]


def test_e006_end_before_start_jsonl() -> None:
    es = jsonl('{"event_id": "e1", "customer_id": "c1", "type": "employment", '
               '"date": "2020-05-01", "end": "2020-04-30", "kind": "open", '
               '"evidence": "register", "fte": 1}')
    assert found(es) == [("events.jsonl:1", "E006", "end 2020-04-30 is before date 2020-05-01")]


def test_one_day_employment_ends_on_its_start() -> None:
    es = csv_rows("e1,c1,employment,2020-05-01,,2020-05-01,,,,,open,register,1")
    assert es.problems == []


# --- E007 / E008: event ids -------------------------------------------------------------------

def test_e007_same_id_same_recorded_date_csv() -> None:
    es = csv_rows("r1,c1,referral,2020-01-01",
                  "r1,c1,referral,2020-01-01,,,acme",
                  "r1,c1,referral,2020-01-01,2020-02-01,,acme")
    assert found(es) == [("events.csv:3", "E007",
                          "event id 'r1' repeats with the same recorded date 2020-01-01 (first at "
                          "events.csv:2); a correction needs a later recorded date")]
    # the first version and the later correction are kept
    assert [(e.row, e.known_on.isoformat()) for e in es.events] == [
        (2, "2020-01-01"), (4, "2020-02-01")]


def test_e007_same_id_same_recorded_date_jsonl() -> None:
    row = '{"event_id": "r1", "customer_id": "c1", "type": "referral", "date": "2020-01-01"}'
    es = jsonl(row, "", row)
    assert found(es) == [("events.jsonl:3", "E007",
                          "event id 'r1' repeats with the same recorded date 2020-01-01 (first at "
                          "events.jsonl:1); a correction needs a later recorded date")]


def test_e008_id_reused_for_another_customer_or_type_csv() -> None:
    es = csv_rows("r1,c1,referral,2020-01-01",
                  "r1,c2,referral,2020-01-01,2020-01-05",
                  "r1,c1,service_start,2020-01-01,2020-01-06")
    msg = "event id 'r1' was first used at events.csv:2 for another customer or event type"
    assert found(es) == [("events.csv:3", "E008", msg), ("events.csv:4", "E008", msg)]
    assert [e.row for e in es.events] == [2]


def test_e008_id_reused_across_files(tmp_path: Path) -> None:
    a = tmp_path / "a.csv"
    b = tmp_path / "b.jsonl"
    a.write_text("event_id,customer_id,type,date\nr1,c1,referral,2020-01-01\n")
    b.write_text('{"event_id": "r1", "customer_id": "c9", "type": "referral", '
                 '"date": "2020-01-01", "recorded": "2020-01-02"}\n')
    es = read_events([str(a), str(b)])
    assert found(es) == [(f"{b}:1", "E008", f"event id 'r1' was first used at {a}:2 for "
                          "another customer or event type")]


# --- E010 / E011 / E012: structure ------------------------------------------------------------

def test_e010_invalid_json_and_not_an_object() -> None:
    es = jsonl('{"event_id": "r1",',
               '["r1", "c1", "referral", "2020-01-01"]',
               '"r1"',
               '{"event_id": "r2", "customer_id": "c1", "type": "referral", "date": "2020-01-01"}',
               '{"event_id": "h1", "customer_id": "c1", "type": "hours", "date": "2020-01-01", '
               '"hours": NaN}',
               '{"event_id": "h2", "customer_id": "c1", "type": "hours", "date": "2020-01-01", '
               '"hours": Infinity}')
    assert found(es) == [
        ("events.jsonl:1", "E010", "invalid JSON: Expecting property name enclosed in double "
         "quotes"),
        ("events.jsonl:2", "E010", "a JSON Lines row must be an object"),
        ("events.jsonl:3", "E010", "a JSON Lines row must be an object"),
        ("events.jsonl:5", "E010", "invalid JSON: NaN is not a number"),
        ("events.jsonl:6", "E010", "invalid JSON: Infinity is not a number"),
    ]
    assert [e.event_id for e in es.events] == ["r2"]


def test_e010_json_hostile_shapes_do_not_crash() -> None:
    es = jsonl("[" * 100_000 + "]" * 100_000,
               '{"event_id": "h1", "customer_id": "c1", "type": "hours", "date": "2020-01-01", '
               '"hours": ' + "9" * 5000 + "}")
    assert [(str(p.source), p.code) for p in es.problems] == [
        ("events.jsonl:1", "E010"), ("events.jsonl:2", "E010")]
    assert es.problems[0].message.startswith("invalid JSON: maximum recursion depth exceeded")
    assert es.problems[1].message.startswith("invalid JSON: Exceeds the limit (4300 digits)")


def test_e010_csv_field_over_the_size_limit() -> None:
    es = read_text("event_id,customer_id,type,date\n"
                   + "x" * 20_000 + ",c1,referral,2020-01-01\n"
                   "r2,c1,referral,2020-01-01\n", "events.csv")
    assert found(es) == [("events.csv:2", "E010",
                          "unreadable CSV row: field larger than field limit (10000)")]
    assert [(e.event_id, e.row) for e in es.events] == [("r2", 3)]


def test_e011_empty_csv() -> None:
    assert found(read_text("", "events.csv")) == [
        ("events.csv:1", "E011", "the file is empty (no header row)")]


def test_header_only_csv_has_no_events_and_no_problems() -> None:
    # (a JSON Lines file with no rows at all is E011, as a CSV with no header is: see
    # test_e011_an_empty_file_is_empty_in_either_format)
    es = read_text(HEADER, "events.csv")
    assert (es.events, es.problems) == ([], [])


def test_e012_too_many_cells() -> None:
    es = read_text("event_id,customer_id,type,date\nr1,c1,referral,2020-01-01,extra\n",
                   "events.csv")
    assert found(es) == [("events.csv:2", "E012", "row has 5 cells but the header has 4")]


def test_fewer_cells_than_the_header_are_empty() -> None:
    es = read_text("event_id,customer_id,type,date,provider\nr1,c1,referral,2020-01-01\n",
                   "events.csv")
    assert es.problems == [] and len(es.events) == 1


# --- rows, line endings, BOM ------------------------------------------------------------------

def test_row_numbers_count_blank_lines_and_quoted_line_breaks() -> None:
    es = read_text('event_id,customer_id,type,date,reason\n'
                   '\n'
                   's1,c1,service_end,2020-03-01,"moved\nabroad"\n'
                   'x1,c1,bogus,2020-03-01\n', "events.csv")
    assert found(es) == [("events.csv:4", "E002", f"unknown event type 'bogus' (known: {KNOWN})")]
    assert es.events[0].row == 3


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_line_endings_and_bom_as_in_a_file(newline: str) -> None:
    text = newline.join(["\ufeffevent_id,customer_id,type,date", "r1,c1,referral,2020-01-01",
                         "r2,c1,referral,2020-02-30", ""])
    es = read_text(text, "events.csv")
    assert found(es) == [("events.csv:3", "E005", "field 'date': '2020-02-30' is not a real date "
                          "(day is out of range for month)")]
    assert [e.event_id for e in es.events] == ["r1"]


# --- all at once ------------------------------------------------------------------------------

def test_all_problems_of_a_csv_file_are_reported() -> None:
    es = csv_rows("r1,c1,referal,2020-01-01",
                  "r2,c1,contact,2020-01-01",
                  "r3,c1,hours,2020-01-01,,,,,-3",
                  "r4,c1,referral,2020-02-30",
                  "r5,c1,expense,2020-01-01,,,,,,,,,,,10.005",
                  "r6,c1,referral,2020-01-01",
                  "r6,c2,referral,2020-01-01,2020-01-02",
                  "r7,c1,employment,2020-05-01,,2020-04-30,,,,,open,register,1,,,,,",
                  "r8,c1,employment,2020-05-01,,2020-04-30,,,,,open,register,1",
                  "r6,c1,referral,2020-01-01,,,acme")
    assert [(str(p.source), p.code) for p in es.problems] == [
        ("events.csv:2", "E002"), ("events.csv:3", "E003"), ("events.csv:4", "E005"),
        ("events.csv:5", "E005"), ("events.csv:6", "E005"), ("events.csv:8", "E008"),
        ("events.csv:9", "E012"), ("events.csv:10", "E006"), ("events.csv:11", "E007"),
    ]
    assert [e.event_id for e in es.events] == ["r6"]


def test_all_problems_of_a_jsonl_file_are_reported() -> None:
    es = jsonl('{"event_id": "r1"',
               '{"event_id": "r2", "customer_id": "c1", "type": "referal", "date": "2020-01-01"}',
               '{"event_id": "r3", "customer_id": "c1", "type": "referral", "date": "2020-01-01", '
               '"hours": 1}',
               '{"event_id": "r4", "customer_id": "c1", "type": "referral", "date": "2020-13-01"}',
               '{"event_id": "r5", "customer_id": "c1", "type": "referral", "date": "2020-01-01", '
               '"shoe": 42}')
    assert [(str(p.source), p.code) for p in es.problems] == [
        ("events.jsonl:1", "E010"), ("events.jsonl:2", "E002"), ("events.jsonl:3", "E004"),
        ("events.jsonl:4", "E005"), ("events.jsonl:5", "E001"),
    ]


# --- F001 / F003: files -----------------------------------------------------------------------

def test_f001_missing_file(tmp_path: Path) -> None:
    path = str(tmp_path / "nope.csv")
    es = read_events([path])
    assert found(es) == [(path, "F001", "cannot read file: No such file or directory")]


def test_f001_directory(tmp_path: Path) -> None:
    es = read_events([str(tmp_path)])
    assert [(str(p.source), p.code) for p in es.problems] == [(str(tmp_path), "F001")]


NAME_IT = "; name its encoding, e.g. --encoding cp1252 for a spreadsheet's CSV export"


@pytest.mark.parametrize("name", ["events.csv", "events.jsonl"])
def test_f003_not_utf8_keeps_rows_before_the_bad_byte(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    if name.endswith(".csv"):
        good = "event_id,customer_id,type,date,reason\nr1,c1,referral,2020-01-01,\n"
        bad = "s1,c1,service_end,2020-02-01,työ\n"
    else:
        good = '{"event_id": "r1", "customer_id": "c1", "type": "referral", "date": "2020-01-01"}\n'
        bad = '{"event_id": "s1", "customer_id": "c1", "type": "service_end", ' \
              '"date": "2020-02-01", "reason": "työ"}\n'
    # past the first 4096 characters, so the reader has started yielding rows
    filler = "\n" * 5000
    path.write_bytes(good.encode() + filler.encode() + bad.encode("latin-1"))
    es = read_events([str(path)])
    offset = len(good) + len(filler) + bad.index("ö")
    assert found(es) == [(str(path), "F003", f"file is not UTF-8 (byte {offset}){NAME_IT}")]


def test_f003_not_utf8_at_the_start(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_bytes("event_id,customer_id,type,date,reason\nr1,c1,service_end,2020-01-01,"
                     "työ\n".encode("cp1252"))
    es = read_events([str(path)])
    assert [(p.code, p.message) for p in es.problems] == [
        ("F003", f"file is not UTF-8 (byte 69){NAME_IT}")]
    assert es.events == []


def test_files_read_like_text(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_bytes(b"\xef\xbb\xbfevent_id,customer_id,type,date\r\nr1,c1,referral,2020-01-01\r\n"
                     b"r2,c1,referral,30.1.2020\r\n")
    es = read_events([str(path)])
    assert found(es) == [(f"{path}:3", "E005",
                          "field 'date': '30.1.2020' is not a date written YYYY-MM-DD (it "
                          "reads as d.m.yyyy: a file written so is read with --date-format "
                          "d.m.yyyy)")]
    assert [(e.event_id, e.file, e.row) for e in es.events] == [("r1", str(path), 2)]


@pytest.mark.parametrize("written", ["1_0", "1e0", "\u0663", "1,5"])
def test_e005_numbers_are_plain_ascii_decimals(written: str) -> None:
    # a typo must not be read as another number (1_0 as 10 would pay ten hours)
    es = read_text("event_id,customer_id,type,date,hours\n"
                   f'h1,c1,hours,2020-01-01,"{written}"\n', "events.csv")
    assert [(str(p.source), p.code) for p in es.problems] == [("events.csv:2", "E005")]
    assert f"'{written}' is not a number written like 12 or 1234.50" in es.problems[0].message
    # a decimal comma is named as the spreadsheet's style, with the option that reads it
    assert ("(a decimal comma: a file written so is read with --decimal-comma)"
            in es.problems[0].message) is (written == "1,5")
    # said once: the option for the file, not also the one number written again
    assert "it has a decimal comma" not in es.problems[0].message


def test_e005_a_percentage_where_a_fraction_is_read_says_how_to_write_it() -> None:
    es = read_text("event_id,customer_id,type,date,kind,evidence,fte\n"
                   "e1,c1,employment,2020-01-01,open,register,80 %\n", "events.csv")
    assert [p.message for p in es.problems] == [
        "field 'fte': '80 %' is not a fraction written like 0.8 or 0.75 (80 % is 0.80)"]


@pytest.mark.parametrize("written", ["{what}", "{value}", "12 {what}s"])
def test_e005_a_cell_is_echoed_as_written_even_with_braces(written: str) -> None:
    # pydantic fills a message's fields one after another: a cell holding '{what}' must not
    # be filled in as if it were the message's own field ('number' is not a number)
    es = read_text("event_id,customer_id,type,date,hours\n"
                   f'h1,c1,hours,2020-01-01,"{written}"\n', "events.csv")
    assert [p.message for p in es.problems] == [
        f"field 'hours': '{written}' is not a number written like 12 or 1234.50"]


@pytest.mark.parametrize(("text", "jsonl"), [("", False), ("\n\n\n", False), ("", True),
                                             ("\n \n", True)])
def test_e011_an_empty_file_is_empty_in_either_format(text: str, jsonl: bool) -> None:
    es = read_text(text, "events", jsonl=jsonl)
    assert [(p.code, p.source.row) for p in es.problems] == [("E011", 1)]


def test_blank_lines_before_the_header_keep_row_numbers() -> None:
    es = read_text("\n\nevent_id,customer_id,type,date\nx1,c1,meeting,2020-01-01\n",
                   "events.csv")
    assert [(p.code, str(p.source)) for p in es.problems] == [("E002", "events.csv:4")]


def test_e006_is_said_beside_the_rows_other_problems() -> None:
    # an end before its date, and another field wrong: both at once, not the end only once
    # the other is mended
    es = csv_rows("e1,c1,employment,2026-03-01,,2026-02-01,,,,,open,register,1.5,,,",
                  "e2,c1,employment,2026-03-01,,2026-02-28,,,,,open,register,0.8,2500.005,,",
                  # on its date: no E006; a day before: E006
                  "e3,c1,employment,2026-03-01,,2026-03-01,,,,,open,register,1.5,,,",
                  # the end itself wrong: said once, as what it is
                  "e4,c1,employment,2026-03-01,,2026-02-30,,,,,open,register,1.5,,,")
    assert found(es) == [
        ("events.csv:2", "E005", "field 'fte': 1.5 is not between 0 and 1"),
        ("events.csv:2", "E006", "end 2026-02-01 is before date 2026-03-01"),
        ("events.csv:3", "E005", "field 'wage': amount 2500.005 has more than 2 decimal places"),
        ("events.csv:3", "E006", "end 2026-02-28 is before date 2026-03-01"),
        ("events.csv:4", "E005", "field 'fte': 1.5 is not between 0 and 1"),
        *[p for p in found(es) if p[0] == "events.csv:5"]]
    assert [p[1] for p in found(es) if p[0] == "events.csv:5"] == ["E005", "E005"]


def test_header_problems_come_in_column_order() -> None:
    # read as text, column 10 came before column 5
    names = ["event_id", "customer_id", "type", "date", "x5", "f6", "f7", "f8", "f9", "x10",
             "x11", "x12"]
    es = read_text(",".join(names) + "\n", "events.csv")
    assert [p.message.split(":")[0] for p in sorted_problems(es.problems)] == [
        f"column {n}" for n in range(5, 13)]


def test_problems_with_very_long_numbers_sort_without_converting_them() -> None:
    from rewardengine.errors import Problem, Source

    long = "9" * 5000  # past Python's 4,300 digits for int(): the sort must not convert
    problems = [Problem("C106", f"amount {long}1 is too large", Source("c.yaml", line=3)),
                Problem("C106", f"amount {long} is too large", Source("c.yaml", line=3)),
                Problem("C106", "amount 012 is too large", Source("c.yaml", line=3)),
                Problem("C106", "amount 9 is too large", Source("c.yaml", line=3))]
    assert [p.message[7:12] for p in sorted_problems(problems)] == [
        "9 is ", "012 i", "99999", "99999"]
    assert sorted_problems(problems)[2].message == f"amount {long} is too large"


def test_e006_beside_an_unreadable_number_in_a_finnish_file() -> None:
    from rewardengine.tabular import make_dialect

    es = read_text("event_id;customer_id;type;date;end;hours\n"
                   "h1;c1;hours;10.5.2020;1.5.2020;xyz\n", "events.csv",
                   dialect=make_dialect("fi"))
    assert [(p.code, p.message) for p in es.problems] == [
        ("E005", "field 'hours': 'xyz' is not a number written like 12 or 1234,50"),
        ("E006", "end 2020-05-01 is before date 2020-05-10")]
