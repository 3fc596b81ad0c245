"""Files as offices export them (real bytes in tests/data): encodings, ``sep=`` lines,
semicolons, Excel's empty columns, headers in any case, day-first dates and decimal commas —
read when an option names the dialect, refused with the option in the message otherwise."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from rewardengine.cli import app
from rewardengine.events.model import EventBase, Hours, ServiceEnd
from rewardengine.events.read import read_events, read_text
from rewardengine.invoicing.bill import parse_amount, read_bill
from rewardengine.tabular import PLAIN, Dialect, DialectError, make_dialect

DATA = Path(__file__).parent / "data"
CONTRACT = str(DATA / "minimal.yaml")
FI = make_dialect("fi", encoding="cp1252")
runner = CliRunner()


def facts(events: list[EventBase]) -> list[dict[str, Any]]:
    return [e.model_dump(exclude={"file"}) for e in events]


def found(problems: list[Any]) -> list[tuple[str, str, str]]:
    return [(str(p.source), p.code, p.message) for p in problems]


# --- events ---------------------------------------------------------------------------------

def test_a_finnish_excel_export_reads_as_the_plain_file_does() -> None:
    path = str(DATA / "events_fi_excel.csv")
    raw = (DATA / "events_fi_excel.csv").read_bytes()
    assert raw.startswith(b"sep=;\r\n") and b"\xe4" in raw and b";;;\r\n" in raw  # real bytes
    fi = read_events([path], FI)
    plain = read_events([str(DATA / "events_plain.csv")])
    assert plain.problems == []
    assert found(fi.problems) == [(path, "F005", "read as cp1252 (named with --encoding)")]
    assert facts(fi.events) == facts(plain.events)
    hours = [e for e in fi.events if isinstance(e, Hours)]
    assert [(h.hours, h.activity, h.row) for h in hours] == [
        (Decimal("2.5"), "työnhaku", 4), (Decimal("1234.75"), "ryhmä", 5)]
    end = next(e for e in fi.events if isinstance(e, ServiceEnd))
    assert end.reason == "Muutti Ruotsiin; työ löytyi"
    # the sep= line is not a row: the header is row 1, as the spreadsheet shows it
    assert fi.events[0].row == 2


def test_the_separate_options_read_it_too() -> None:
    dialect = make_dialect(encoding="cp1252", delimiter=";", decimal_comma=True,
                           date_format="d.m.yyyy")
    assert dialect == FI
    es = read_events([str(DATA / "events_fi_excel.csv")], dialect)
    assert [p.code for p in es.problems] == ["F005"] and len(es.events) == 7


def test_a_cp1252_file_without_encoding_is_refused_naming_the_option() -> None:
    path = str(DATA / "events_fi_excel.csv")
    es = read_events([path], make_dialect("fi"))
    at = (DATA / "events_fi_excel.csv").read_bytes().index("ö".encode("cp1252"))
    assert found(es.problems) == [(path, "F003", f"file is not UTF-8 (byte {at}); name its "
                                   "encoding, e.g. --encoding cp1252 for a spreadsheet's CSV "
                                   "export")]
    assert es.events == []


def test_a_utf8_file_read_as_cp1252_is_refused(tmp_path: Path) -> None:
    text = "event_id,customer_id,type,date,reason\nx1,c1,service_end,2020-01-01,työ\n"
    for data, why in ((text.encode("utf-8"), "looks like UTF-8, not cp1252"),
                      (b"\xef\xbb\xbf" + text.encode("ascii", "replace"),
                       "starts with a byte-order mark")):
        path = tmp_path / "utf8.csv"
        path.write_bytes(data)
        es = read_events([str(path)], make_dialect(encoding="cp1252"))
        assert [p.code for p in es.problems] == ["F003"] and why in es.problems[0].message


def test_a_utf8_file_with_bom_crlf_and_upper_case_padded_headers() -> None:
    raw = (DATA / "events_bom_crlf.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfEVENT_ID, Customer_ID,Type , DATE \r\n")
    es = read_events([str(DATA / "events_bom_crlf.csv")])
    assert es.problems == []
    assert [(e.event_id, e.customer_id, str(e.date), e.row) for e in es.events] == [
        ("r1", "c1", "2020-01-10", 2), ("r9", "c9", "2020-01-11", 3)]


def test_a_semicolon_file_without_options_says_which_option_reads_it() -> None:
    path = str(DATA / "events_semicolon.csv")
    es = read_events([path])
    assert found(es.problems) == [(
        f"{path}:1", "E001", "the header 'event_id;customer_id;type;date' looks ';'-delimited; "
        "read the file with --delimiter ';' (or --dialect fi)")]
    es = read_events([path], make_dialect(delimiter=";"))
    assert es.problems == [] and es.events[0].customer_id == "c1"


def test_a_sep_line_names_the_delimiter_without_any_option() -> None:
    es = read_text("sep=;\nevent_id;customer_id;type;date\nr1;c1;referral;2020-01-10\n",
                   "events.csv")
    assert es.problems == [] and [(e.event_id, e.row) for e in es.events] == [("r1", 2)]
    es = read_text("sep=;\nevent_id;customer_id;type;date\n", "events.csv",
                   dialect=make_dialect(delimiter="tab"))
    assert found(es.problems) == [("events.csv:1", "E001", "the file's first line says "
                                   "sep=';' but the delimiter given is '\\t' (--delimiter or "
                                   "--dialect)")]


def test_excel_empty_columns_at_the_end_are_ignored_but_not_a_value_under_them() -> None:
    es = read_text("event_id,customer_id,type,date,,,\n"
                   "r1,c1,referral,2020-01-10,,,\n"
                   "r2,c1,referral,2020-01-11\n"
                   "r3,c1,referral,2020-01-12,,x,\n"
                   "r4,c1,referral,2020-01-12,,,,\n", "events.csv")
    assert found(es.problems) == [
        ("events.csv:4", "E012", "row has a value in column 6, which has no name in the header"),
        ("events.csv:5", "E012", "row has 8 cells but the header has 7"),
    ]
    assert [e.event_id for e in es.events] == ["r1", "r2"]


def test_dates_and_numbers_of_the_dialect_are_checked_as_written() -> None:
    rows = ("event_id;customer_id;type;date;hours\n"
            "h1;c1;hours;30.2.2020;1\n"
            "h2;c1;hours;1.2.2020;1.5\n"
            "h3;c1;hours;2020-02-03;1e3\n"
            "h4;c1;hours;1/2/2020;1\n"
            "h5;c1;hours;3.2.2020;,5\n")
    es = read_text(rows, "e.csv", dialect=make_dialect("fi"))
    assert found(es.problems) == [
        ("e.csv:2", "E005", "field 'date': '30.2.2020' is not a real date (day is out of range "
         "for month)"),
        ("e.csv:3", "E005", "field 'hours': '1.5' has a decimal point, but this file's numbers "
         "are written with a decimal comma (1234,50)"),
        ("e.csv:4", "E005", "field 'hours': '1e3' is not a number written like 12 or 1234,50"),
        ("e.csv:5", "E005", "field 'date': '1/2/2020' is not a date written d.m.yyyy (or "
         "YYYY-MM-DD)"),
    ]
    assert [(e.event_id, e.hours) for e in es.events if isinstance(e, Hours)] == [
        ("h5", Decimal("0.5"))]


def test_a_row_whose_date_or_number_cannot_be_read_still_names_its_other_problems() -> None:
    # one round of fixes: the kind and the evidence misspelt on the same row as a date or a
    # number the dialect cannot read are found too, as without a dialect
    rows = ("event_id;customer_id;type;date;end;kind;evidence;fte\n"
            "e1;c1;employment;3.2.2020;2.5.2020;open;te-office;80 %\n"
            "e2;c1;employment;32.2.2020;2.5.2020;opne;te_office;0,8\n"
            "h1;c1;hours;31.2.2020;;;;\n")
    es = read_text(rows, "e.csv", dialect=make_dialect("fi"))
    assert sorted(found(es.problems)) == [
        ("e.csv:2", "E005", "field 'evidence': 'te-office' is not one of 'register', "
         "'te_office', 'employer' or 'self_report'"),
        # a fraction's own examples, with the dialect's decimal comma
        ("e.csv:2", "E005", "field 'fte': '80 %' is not a fraction written like 0,8 or 0,75 "
         "(80 % is 0,80)"),
        ("e.csv:3", "E005", "field 'date': '32.2.2020' is not a real date (day is out of "
         "range for month)"),
        ("e.csv:3", "E005", "field 'kind': 'opne' is not one of 'open', 'subsidised', "
         "'entrepreneur' or 'apprenticeship'"),
        # the missing hours are checked once the date is readable: one problem, the date's
        ("e.csv:4", "E005", "field 'date': '31.2.2020' is not a real date (day is out of "
         "range for month)"),
    ]
    assert es.events == []


def test_without_a_dialect_option_nothing_changes() -> None:
    es = read_text("event_id,customer_id,type,date,hours\nh1,c1,hours,1.2.2020,\"1,5\"\n",
                   "e.csv")
    assert [p.code for p in es.problems] == ["E005", "E005"]
    assert Dialect() == PLAIN and not PLAIN.converts


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"name": "se"}, "--dialect: unknown dialect 'se'; known: fi"),
    ({"delimiter": ":"}, "--delimiter: ':' is not one of ',' ';' '|' 'tab'"),
    ({"date_format": "mm/dd/yyyy"}, "--date-format: 'mm/dd/yyyy' is not one of yyyy-mm-dd, "
     "d.m.yyyy"),
    ({"encoding": "klingon"}, "--encoding: unknown encoding 'klingon'"),
    ({"encoding": "utf-16"}, "--encoding: utf-16 is not read"),
])
def test_wrong_dialect_options(kwargs: dict[str, Any], message: str) -> None:
    name = kwargs.pop("name", None)
    with pytest.raises(DialectError, match=message.replace("|", "\\|").replace("(", "\\(")):
        make_dialect(name, **kwargs)
    assert make_dialect(encoding="UTF8").encoding is None  # UTF-8 is the default


def test_an_undecodable_byte_far_into_the_file_is_placed_exactly(tmp_path: Path) -> None:
    head = b"event_id,customer_id,type,date,reason\n"
    filler = b"r1,c1,referral,2020-01-01,\n" + b"\n" * 600_000  # past the first chunk
    path = tmp_path / "e.csv"
    path.write_bytes(head + filler + b"x1,c1,service_end,2020-01-01,ty\xf6\n")
    es = read_events([str(path)])
    at = len(head) + len(filler) + len(b"x1,c1,service_end,2020-01-01,ty")
    assert es.problems[-1].code == "F003"
    assert es.problems[-1].message.startswith(f"file is not UTF-8 (byte {at})")


# --- bills ----------------------------------------------------------------------------------

BILL_MAP = "customer=asiakas,component=maksuerä,occurrence=kerta,date=pvm,amount=summa"


def _verify(*options: str) -> tuple[int, str]:
    result = runner.invoke(app, ["verify", CONTRACT, str(DATA / "events_fi_excel.csv"),
                                 str(DATA / "bill_fi_excel.csv"), "--period", "2020-Q1",
                                 "--no-ledger", "--map", BILL_MAP, *options])
    return result.exit_code, result.stdout + result.stderr


def test_a_finnish_excel_bill_verifies_with_the_dialect() -> None:
    code, out = _verify("--dialect", "fi", "--encoding", "cp1252")
    assert code == 0, out
    assert "2 match, 0 amount differs" in out and "billed 250.00, computed 250.00" in out
    assert "F005 info: read as cp1252" in out


def test_a_finnish_excel_bill_without_the_dialect_is_refused_with_the_fix() -> None:
    """The event files, in cp1252, are refused with the fix; the bill is read in its own
    encoding (it was refused first, B005, and naming the encoding was the fix for both)."""
    code, out = _verify()
    assert code == 2
    assert "F003" in out and "--encoding cp1252" in out and "B005" not in out


def test_the_total_row_in_words_is_the_stated_sum_never_an_earning() -> None:
    bill = read_bill(str(DATA / "bill_fi_excel.csv"), {
        "customer": "asiakas", "component": "maksuerä", "occurrence": "kerta", "date": "pvm",
        "amount": "summa"}, FI)
    assert [(ln.row, ln.customer_id, ln.amount) for ln in bill.lines] == [
        (2, "c1", Decimal("100.00")), (3, "c2", Decimal("150.00"))]
    assert bill.stated == {"subtotal": (4, Decimal("250.00"))}
    assert [p.code for p in bill.problems] == ["F005"]


def test_total_rows_in_words_with_vat_state_the_total() -> None:
    from rewardengine.invoicing.bill import read_bill_csv
    bill = read_bill_csv("customer_id;component;occurrence;amount\n"
                         "c1;base_fee;once;100,00\n"
                         "Välisumma:;;;100,00\n"
                         "ALV 24 %;;;24,00\n"
                         "Yhteensä;;;124,00\n", "b.csv", dialect=make_dialect("fi"))
    assert bill.problems == []
    assert bill.stated == {"subtotal": (3, Decimal("100.00")), "vat": (4, Decimal("24.00")),
                           "total": (5, Decimal("124.00"))}
    assert len(bill.lines) == 1


@pytest.mark.parametrize(("text", "comma", "value"), [
    ("150,00", True, Decimal("150.00")), ("1 234,50", True, Decimal("1234.50")),
    ("150.00", True, None), ("150.00", False, Decimal("150.00")),
    ("\u0661\u0665\u0660", False, None), ("\uff11\uff15\uff10", False, None),
    ("1" * 41, False, None),
])
def test_bill_amounts_by_dialect(text: str, comma: bool, value: Decimal | None) -> None:
    assert parse_amount(text, comma) == value


@pytest.mark.parametrize(("cell", "said"), [
    ("80 %", "'80 %' is not a fraction written like 0,8 or 0,75 (80 % is 0,80)"),
    ("0.8", "'0.8' has a decimal point, but this file's numbers are written with a decimal "
            "comma (1234,50)"),
])
def test_a_fraction_the_dialect_cannot_read_is_shown_how_a_fraction_is_written(
        cell: str, said: str) -> None:
    rows = f"event_id;customer_id;type;date;kind;evidence;fte\ne1;c1;employment;3.2.2020;open;" \
           f"register;{cell}\n"
    es = read_text(rows, "e.csv", dialect=make_dialect("fi"))
    assert found(es.problems) == [("e.csv:2", "E005", f"field 'fte': {said}")]
    # other numbers keep the number's examples
    hours = read_text("event_id;customer_id;type;date;hours\nh1;c1;hours;3.2.2020;8 h\n", "e.csv",
                      dialect=make_dialect("fi"))
    assert found(hours.problems) == [("e.csv:2", "E005", "field 'hours': '8 h' is not a number "
                                      "written like 12 or 1234,50")]


def test_a_json_bill_is_read_as_json_whatever_the_event_files_dialect(tmp_path: Path) -> None:
    """With Finnish event files (--dialect fi) the engine's own JSON bill was refused: its
    amounts were read as decimal-comma cells ("the bill's total '124.00' is not an amount",
    "'100.00' has a decimal point"), and its CSV bill is ','-delimited; a JSON bill has ISO
    dates and decimal points whatever the spreadsheets do (only --encoding applies)."""
    path = tmp_path / "bill.json"
    path.write_text('{"lines": [{"customer_id": "c1", "component": "base_fee", "date": '
                    '"2020-01-15", "amount": "100.00"}], "subtotal": "100.00", '
                    '"vat": "24.00", "total": "124.00"}', encoding="utf-8")
    bill = read_bill(str(path), None, make_dialect("fi"))
    assert bill.problems == []
    assert [(ln.customer_id, str(ln.date), ln.amount) for ln in bill.lines] == [
        ("c1", "2020-01-15", Decimal("100.00"))]
    assert bill.stated["total"] == (None, Decimal("124.00"))
