"""verify with the bill as the provider wrote it (found in a user trial): the engine's own CSV
bill and a bill in Finnish conventions verify beside event files of either dialect; a bill
line dated before the day its fee is earned is a finding of its own (``date_differs``).

Customer D works from 3.2.2020 at full time (TE-office-verified); the 90th day, when the
result fee of 750.00 is earned, is 2.5.2020."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rewardengine.cli import app
from rewardengine.invoicing.bill import read_bill_csv
from rewardengine.tabular import make_dialect

CONTRACT = str(Path(__file__).parent.parent / "contracts" / "tehostettu_tyonvalitys.yaml")
EVENTS_FI = ("event_id;customer_id;type;date;end;kind;evidence;fte\n"
             "D-r;D;referral;7.1.2020;;;;\n"
             "D-s;D;service_start;13.1.2020;;;;\n"
             "D-e;D;employment;3.2.2020;;open;te_office;1,0\n")
EVENTS_PLAIN = ("event_id,customer_id,type,date,end,kind,evidence,fte\n"
                "D-r,D,referral,2020-01-07,,,,\n"
                "D-s,D,service_start,2020-01-13,,,,\n"
                "D-e,D,employment,2020-02-03,,open,te_office,1.0\n")
REASON = ("employment D-e reached 90 days on 2020-05-02 at 1.00 FTE, TE-office-verified; "
          "priced as open work")
FI_BILL = ("customer_id;component;occurrence;date;amount\n"
           "D;result;spell:D-e:open;{day};{amount}\n"
           "Yhteensä;;;;{amount}\n")
runner = CliRunner()


def _files(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "fi.csv").write_text(EVENTS_FI, encoding="utf-8")
    (tmp_path / "plain.csv").write_text(EVENTS_PLAIN, encoding="utf-8")
    return {"fi": str(tmp_path / "fi.csv"), "plain": str(tmp_path / "plain.csv")}


def _verify(events: str, bill: Path, *options: str, period: str = "2020-05"
            ) -> tuple[int, str]:
    result = runner.invoke(app, ["verify", CONTRACT, events, str(bill), "--period", period,
                                 "--no-ledger", *options])
    # JSON is the standard output alone: warnings (V004 of these short files) go to stderr
    if "json" in options:
        return result.exit_code, result.stdout
    return result.exit_code, result.stdout + result.stderr


def _engine_bill(tmp_path: Path) -> Path:
    """The CSV bill ``invoice --dialect fi`` writes: ','-delimited, decimal points, ISO."""
    path = tmp_path / "bill.csv"
    result = runner.invoke(app, ["invoice", CONTRACT, _files(tmp_path)["fi"], "--period",
                                 "2020-05", "--dialect", "fi", "--format", "csv", "--dry-run",
                                 "--new-ledger", "-o", str(path)])
    assert result.exit_code == 0, result.stdout + result.stderr
    return path


# --- the bill's delimiter and number format, told from its header --------------------------

def test_the_engines_csv_bill_verifies_beside_finnish_event_files(tmp_path: Path) -> None:
    """It was refused (B001, "looks ','-delimited"), and --delimiter ',' then broke the
    ';'-delimited event file (E001)."""
    bill = _engine_bill(tmp_path)
    assert bill.read_text(encoding="utf-8").startswith("invoice,period,line,type,provider,")
    for events, options in ((_files(tmp_path)["fi"], ("--dialect", "fi")),
                            (_files(tmp_path)["plain"], ())):
        code, out = _verify(events, bill, *options)
        assert code == 0, out
        assert "1 match, 0 amount differs, 0 date differs, 0 not payable" in out
        assert "billed 750.00, computed 750.00, difference 0.00" in out
        assert "the bill is right" in out


def test_the_engines_bill_is_read_with_its_own_numbers_and_dates() -> None:
    text = ("invoice,period,line,type,provider,customer_id,component,occurrence,date,amount\n"
            "X-1,2020-05,1,line,broker,D,result,spell:D-e:open,2020-05-02,750.00\n"
            "X-1,2020-05,,subtotal,,,,,,750.00\n"
            "X-1,2020-05,,vat,,,,,,180.00\n"
            "X-1,2020-05,,total,,,,,,930.00\n")
    bill = read_bill_csv(text, "bill.csv", dialect=make_dialect("fi"))
    assert bill.problems == []
    assert [(ln.row, ln.customer_id, ln.occurrence, ln.date, ln.amount) for ln in bill.lines] \
        == [(2, "D", "spell:D-e:open", date(2020, 5, 2), Decimal("750.00"))]
    assert bill.stated == {"subtotal": (3, Decimal("750.00")), "vat": (4, Decimal("180.00")),
                           "total": (5, Decimal("930.00"))}


@pytest.mark.parametrize("events", ["fi", "plain"])
def test_a_bill_in_finnish_conventions_verifies_beside_either_event_file(
        tmp_path: Path, events: str) -> None:
    bill = tmp_path / "lasku.csv"
    bill.write_text(FI_BILL.format(day="02.05.2020", amount="750,00"), encoding="utf-8")
    options = ("--dialect", "fi") if events == "fi" else ()
    code, out = _verify(_files(tmp_path)[events], bill, *options)
    assert code == 0, out
    assert "1 match, 0 amount differs, 0 date differs" in out
    assert "billed 750.00, computed 750.00, difference 0.00" in out


@pytest.mark.parametrize(("text", "dialect", "found"), [
    # ',' is the engine's: ISO dates
    ("customer_id,component,date,amount\nD,result,2.5.2020,750.00\n", "fi",
     [("B003", 2, "date '2.5.2020' is not a date written YYYY-MM-DD in the years 1900 to "
       "2199")]),
    ("customer_id;component;occurrence;date;amount\nD;result;o;31.4.2020;750,00\n", None,
     [("B003", 2, "date '31.4.2020' is not a date written d.m.yyyy or YYYY-MM-DD in the "
       "years 1900 to 2199")]),
    # no delimiter gives the bill's columns: said as before, with the option that reads it,
    # and what the columns read so would still lack (so following the advice is the fix)
    ("asiakas;summa\nD;750,00\n", None,
     [("B001", 1, "the header 'asiakas;summa' looks ';'-delimited; read the file with "
       "--delimiter ';' (or --dialect fi)"),
      ("B001", 1, "read so, it would still have no customer column (looked for customer_id, "
       "customer; map another with --map customer=COLUMN)"),
      ("B001", 1, "read so, it would still have no component column (looked for component; "
       "map another with --map component=COLUMN)"),
      ("B001", 1, "read so, it would still have no amount column (looked for amount; map "
       "another with --map amount=COLUMN)"),
      ("B001", 1, "read so, it would still have no occurrence or date column: a bill line "
       "needs one to be matched")]),
    ("customer_id,component,amount\nD,result,750.00\n", "fi",
     [("B001", 1, "the header 'customer_id,component,amount' looks ','-delimited; read the "
       "file with --delimiter ','"),
      ("B001", 1, "read so, it would still have no occurrence or date column: a bill line "
       "needs one to be matched")]),
])
def test_a_malformed_bill_keeps_its_located_problem(text: str, dialect: str | None,
                                                    found: list[tuple[str, int, str]]) -> None:
    bill = read_bill_csv(text, "b.csv", dialect=make_dialect(dialect))
    assert [(p.code, p.source.row, p.message) for p in bill.problems] == found
    # a date that does not read: the line stays where an occurrence names it (matched by it)
    named = found[0][0] == "B003" and "occurrence" in text.splitlines()[0]
    assert [(ln.occurrence, ln.date, ln.amount) for ln in bill.lines] == (
        [("o", None, Decimal("750.00"))] if named else [])


def test_a_decimal_point_among_decimal_commas_is_refused() -> None:
    """';' is the Finnish bill's: an amount with a decimal point in a bill whose other
    amounts have decimal commas is refused at its row, as with --dialect fi. (Alone, a ';'
    bill's decimal points were refused too; they are now read as written.)"""
    text = "customer_id;component;occurrence;amount\nD;result;o;750,00\nE;result;o;750.00\n"
    bill = read_bill_csv(text, "b.csv", dialect=make_dialect())
    assert [(p.code, p.source.row, p.message) for p in bill.problems] == [
        ("B002", 3, "amount '750.00' is not an amount like 150,00 (decimal comma)")]
    assert [ln.amount for ln in bill.lines] == [Decimal("750.00")]


def test_a_sep_line_names_the_bills_delimiter_whatever_the_dialect() -> None:
    """It was B005 (the file's sep=',' against the ';' of --dialect fi)."""
    text = "sep=,\ncustomer_id,component,date,amount\nD,result,2020-05-02,750.00\n"
    bill = read_bill_csv(text, "b.csv", dialect=make_dialect("fi"))
    assert bill.problems == []
    assert [(ln.row, ln.date, ln.amount) for ln in bill.lines] == [
        (2, date(2020, 5, 2), Decimal("750.00"))]



def test_a_sep_line_bill_with_decimal_points_is_read_with_them() -> None:
    """A bill whose sep=; line names its delimiter and whose amounts have decimal points,
    beside plain event files: it verified before; then every amount was B002 (read as
    decimal commas)."""
    text = ("sep=;\ncustomer_id;component;occurrence;date;amount\n"
            "D;result;1;2020-05-02;750.00\nE;result;1;2020-05-03;1234.5\n")
    bill = read_bill_csv(text, "b.csv", dialect=make_dialect())
    assert bill.problems == []
    assert [ln.amount for ln in bill.lines] == [Decimal("750.00"), Decimal("1234.5")]


def test_a_sep_line_bill_with_decimal_commas_keeps_them() -> None:
    text = "sep=;\ncustomer_id;component;occurrence;date;amount\nD;result;1;2.5.2020;1 234,50\n"
    bill = read_bill_csv(text, "b.csv", dialect=make_dialect())
    assert bill.problems == []
    assert [(ln.date, ln.amount) for ln in bill.lines] == [(date(2020, 5, 2),
                                                            Decimal("1234.50"))]


# --- a line's date against the day its fee is earned ----------------------------------------

@pytest.mark.parametrize(("day", "cls", "earned", "reason"), [
    ("01.05.2020", "date_differs", "2020-05-02",
     f"dated 2020-05-01, 1 day before it was earned on 2020-05-02: {REASON}"),
    ("30.04.2020", "date_differs", "2020-05-02",
     f"dated 2020-04-30, 2 days before it was earned on 2020-05-02: {REASON}"),
    ("02.05.2020", "match", None, REASON),
    ("03.05.2020", "match", "2020-05-02",
     f"dated 2020-05-03, 1 day after it was earned on 2020-05-02 (the earned day counts): "
     f"{REASON}"),
    ("12.05.2020", "match", "2020-05-02",
     f"dated 2020-05-12, 10 days after it was earned on 2020-05-02 (the earned day counts): "
     f"{REASON}"),
])
def test_a_line_dated_before_its_fee_is_earned_is_a_date_mismatch(
        tmp_path: Path, day: str, cls: str, earned: str | None, reason: str) -> None:
    """It was a match, and "the bill is right", with 2020-05-01 beside a reason saying
    2020-05-02. Billed later than earned, the fee is owed all the same: a note."""
    bill = tmp_path / "lasku.csv"
    bill.write_text(FI_BILL.format(day=day, amount="750,00"), encoding="utf-8")
    code, out = _verify(_files(tmp_path)["fi"], bill, "--dialect", "fi", "--format", "json")
    data = json.loads(out)
    (finding,) = data["findings"]
    iso = "-".join(reversed(day.split(".")))
    assert (finding["class"], finding["date"], finding.get("earned"), finding["reason"],
            finding["billed"], finding["computed"]) == (cls, iso, earned, reason, "750.00",
                                                        "750.00")
    assert data["counts"][cls] == 1 and data["ok"] is (cls == "match")
    assert code == (0 if cls == "match" else 1)
    code, out = _verify(_files(tmp_path)["fi"], bill, "--dialect", "fi")
    assert ("the bill is NOT right" in out) is (cls == "date_differs")
    # the table says how far apart the dates are, as the JSON does
    if earned is not None:
        apart = reason.split(", ")[1].split(" it was")[0]  # "2 days before"
        assert apart in " ".join(out.split()), out
    assert ("the bill is right" in out) is (cls == "match")


def test_a_wrong_amount_dated_too_early_says_both(tmp_path: Path) -> None:
    bill = tmp_path / "lasku.csv"
    bill.write_text(FI_BILL.format(day="1.5.2020", amount="800,00"), encoding="utf-8")
    code, out = _verify(_files(tmp_path)["fi"], bill, "--dialect", "fi", "--format", "json")
    (finding,) = json.loads(out)["findings"]
    assert code == 1
    assert (finding["class"], finding["earned"], finding["reason"]) == (
        "amount_differs", "2020-05-02", "billed 800.00, computed 750.00: dated 2020-05-01, "
        f"1 day before it was earned on 2020-05-02: {REASON}")


def test_a_line_dated_before_the_period_it_is_earned_in_is_not_payable(tmp_path: Path
                                                                        ) -> None:
    bill = tmp_path / "lasku.csv"
    bill.write_text(FI_BILL.format(day="30.4.2020", amount="750,00"), encoding="utf-8")
    code, out = _verify(_files(tmp_path)["fi"], bill, "--dialect", "fi", "--format", "json",
                        period="2020-04")
    (finding,) = json.loads(out)["findings"]
    assert code == 1 and finding["class"] == "not_payable"
    assert finding["reason"].startswith("not payable yet: ")


@pytest.mark.parametrize(("lang", "label", "said"), [
    ("fi", "Päivämäärä poikkeaa",
     "päivätty 1.5.2020, 1 päivä ennen kuin se ansaittiin 2.5.2020: "),
    ("sv", "Datumet avviker", "daterad 1.5.2020, 1 dag innan den intjänades 2.5.2020: "),
])
def test_the_date_mismatch_in_the_language_of_the_page(tmp_path: Path, lang: str, label: str,
                                                       said: str) -> None:
    bill = tmp_path / "lasku.csv"
    bill.write_text(FI_BILL.format(day="1.5.2020", amount="750,00"), encoding="utf-8")
    page = tmp_path / "report.html"
    code, out = _verify(_files(tmp_path)["fi"], bill, "--dialect", "fi", "--format", "html",
                        "--lang", lang, "-o", str(page))
    html = page.read_text(encoding="utf-8")
    assert code == 1, out
    assert label in html and said in html and "dated" not in html


def test_the_engines_csv_bill_is_pseudonymized_beside_finnish_event_files(tmp_path: Path
                                                                          ) -> None:
    """``pseudonymize --bill`` tells a CSV bill's delimiter from its header as verify does:
    with --dialect fi it looked for the customer column in ';'-separated cells of the
    engine's ','-separated bill, and the shared files could not be verified."""
    from rewardengine.privacy import pseudonym

    key = b"0123456789abcdef0123456789abcdef-test-key"
    (tmp_path / "key").write_bytes(key)
    bill, events = _engine_bill(tmp_path), _files(tmp_path)["fi"]
    (tmp_path / "shared").mkdir()
    result = runner.invoke(app, ["pseudonymize", events, "--bill", str(bill), "--dialect",
                                 "fi", "--key-file", str(tmp_path / "key"), "-o",
                                 str(tmp_path / "shared")])
    assert result.exit_code == 0, result.stdout + result.stderr
    shared = (tmp_path / "shared" / "bill.csv").read_text(encoding="utf-8")
    d = pseudonym(key, "D")  # the customer, and inside its event id D-e
    assert "D-e" in bill.read_text(encoding="utf-8")
    assert shared == bill.read_text(encoding="utf-8").replace(",D,", f",{d},").replace(
        "D-e", f"{d}-e")
    code, out = _verify(str(tmp_path / "shared" / "fi.csv"), tmp_path / "shared" / "bill.csv",
                        "--dialect", "fi")
    assert code == 0, out
    assert "the bill is right" in out


def test_a_credit_dated_before_the_line_it_corrects_is_no_early_claim() -> None:
    """A credit (a negative correction) dated before the day of the line it corrects was
    date_differs, "dated before it was earned": a credit claims nothing early."""
    from types import SimpleNamespace

    from rewardengine.invoicing.verify import _dated, _Expected
    e = _Expected("P", ("C1", "result", "1"), Decimal("-750.00"), date(2020, 6, 15),
                  "voided", "s4", (), "INV-2/3", Decimal("750.00"), Decimal("0"))
    reason, early = _dated(SimpleNamespace(date=date(2020, 6, 1)), e)  # type: ignore[arg-type]
    assert not early
    assert reason == "dated 2020-06-01, 14 days before it was earned on 2020-06-15: voided"


# --- a bill's dialect and encoding told from the bill itself --------------------------------

@pytest.mark.parametrize("events", ["fi", "plain"])
def test_a_semicolon_bill_with_decimal_points_verifies_without_a_sep_line(
        tmp_path: Path, events: str) -> None:
    """A ';' bill with 750.00 and no sep= line: every amount was B002 (read as decimal
    commas), beside event files of either dialect."""
    bill = tmp_path / "lasku.csv"
    bill.write_text(FI_BILL.format(day="2020-05-02", amount="750.00"), encoding="utf-8")
    code, out = _verify(_files(tmp_path)[events], bill,
                        *(("--dialect", "fi") if events == "fi" else ()))
    assert code == 0, out
    assert "1 match" in out and "the bill is right" in out


@pytest.mark.parametrize(("encoding", "note"), [
    ("utf-8", None), ("utf-8-sig", None), ("utf-16", "read as UTF-16"),
    ("cp1252", "read as cp1252 (not UTF-8, and no other --encoding named)")])
@pytest.mark.parametrize("events_encoding", ["utf-8", "cp1252"])
def test_a_bill_is_read_in_its_own_encoding(tmp_path: Path, encoding: str, note: str | None,
                                            events_encoding: str) -> None:
    """The bill was read in the events' encoding: a UTF-8 bill beside cp1252 events was
    refused ("looks like UTF-8: leave out --encoding"), and a cp1252 bill beside UTF-8 events
    asked for --encoding cp1252, which the event files then refused."""
    events = tmp_path / "tapahtumat.csv"
    events.write_bytes(EVENTS_FI.replace("D-r;", "D-rä;").encode(events_encoding))
    bill = tmp_path / "lasku.csv"
    bill.write_bytes(FI_BILL.format(day="2.5.2020", amount="750,00").encode(encoding))
    named = ("--encoding", "cp1252") if events_encoding == "cp1252" else ()
    result = runner.invoke(app, ["verify", CONTRACT, str(events), str(bill), "--period",
                                 "2020-05", "--no-ledger", "--dialect", "fi", *named,
                                 "--format", "json"])
    data = json.loads(result.stdout)
    assert result.exit_code == 0 and data["ok"], result.stdout + result.stderr
    said = {p["message"] for p in data["problems"] if p["file"].endswith("lasku.csv")}
    if note is None or (encoding == "cp1252" and named):
        note = "read as cp1252 (named with --encoding)" if note else None
    assert said == ({note} if note else set())


def test_a_bill_in_no_encoding_tried_is_refused_at_its_line(tmp_path: Path) -> None:
    bill = tmp_path / "lasku.csv"
    bill.write_bytes(FI_BILL.format(day="2.5.2020", amount="750,00").encode("utf-8")
                     .replace(b"Yhteens\xc3\xa4", b"Yhteens\x81"))
    code, out = _verify(_files(tmp_path)["fi"], bill, "--dialect", "fi")
    assert code == 2
    assert "lasku.csv:3: B005 the bill: not cp1252 (byte 92)" in out


def test_a_quoted_header_of_one_cell_is_read_as_its_delimiter_reads_it() -> None:
    # complete once read with '|': the hint alone, no columns said missing that are there
    text = '"customer_id"|"component"|"occurrence"|"amount"\nD|result|o|750.00\n'
    bill = read_bill_csv(text, "b.csv", dialect=make_dialect())
    [hint] = [p.message for p in bill.problems]
    assert hint.startswith("the header 'customer_id|")
    assert hint.endswith("looks '|'-delimited; read the file with --delimiter '|'")
