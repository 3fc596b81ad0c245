"""The billing commands through typer: invoice, invoice show, verify (exit codes, formats)."""

from __future__ import annotations

import csv
import io
import json
import textwrap
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import typer
from invoicing_cases import (
    COMPONENTS,
    EVENT_HEADER,
    ROWS,
    TWO_PROVIDERS,
    ledger_rows,
    write_inputs,
)
from typer.testing import CliRunner

from rewardengine.cli.billing import register

FEB_ROWS = ROWS + "r4,c4,referral,2020-02-15,,,,acme,,2019-12-01\ns4,c4,service_start,2020-02-20\n"


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def _run(app: typer.Typer, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_invoice_writes_json_and_says_what_it_did(app: typer.Typer, tmp_path: Path) -> None:
    c, e = write_inputs(tmp_path, rows=FEB_ROWS)
    ledger = str(tmp_path / "l.sqlite")
    code, out, err = _run(app, "invoice", str(c), str(e), "--period", "2020-01",
                          "--ledger", ledger, "--new-ledger")
    assert code == 0, err
    data = json.loads(out)
    assert (data["number"], data["total"]) == ("test-acme-0001", "248.00")
    # the total with what it is made of: the amounts and the VAT on them; and its dates
    assert (f"issued test-acme-0001 for 2020-01: total 248.00 EUR ({data['subtotal']} and "
            f"VAT {data['vat']}), dated {data['issue_date']}, due {data['due_date']}") in err
    assert Decimal(data["subtotal"]) + Decimal(data["vat"]) == Decimal("248.00")
    # the sha256 of the event inputs is of the file's bytes
    import hashlib

    digest = hashlib.sha256(e.read_bytes()).hexdigest()
    assert data["inputs_sha256"] == hashlib.sha256((digest + "\n").encode()).hexdigest()
    code, out, err = _run(app, "invoice", str(c), str(e), "--period", "2020-01",
                          "--ledger", ledger)
    assert code == 0 and "already invoiced to acme as test-acme-0001" in err
    assert json.loads(out)["number"] == "test-acme-0001"
    assert ledger_rows(Path(ledger), "SELECT count(*) FROM invoices") == [(1,)]


def test_invoice_show_re_renders_an_issued_invoice(app: typer.Typer, tmp_path: Path) -> None:
    c, e = write_inputs(tmp_path, rows=FEB_ROWS)
    ledger = str(tmp_path / "l.sqlite")
    _run(app, "invoice", str(c), str(e), "--period", "2020-01", "--ledger", ledger,
         "--new-ledger")
    _, issued, _ = _run(app, "invoice", str(c), str(e), "--period", "2020-02", "--ledger",
                        ledger, "--issue-date", "2020-03-05")
    code, shown, _ = _run(app, "invoice", "show", "test-acme-0002", "--ledger", ledger)
    assert code == 0 and shown == issued
    assert json.loads(shown)["issue_date"] == "2020-03-05"
    code, html, _ = _run(app, "invoice", "show", "test-acme-0002", "--ledger", ledger,
                         "--format", "html")
    assert code == 0 and "Lasku / Invoice test-acme-0002" in html
    code, _, err = _run(app, "invoice", "show", "test-acme-0009", "--ledger", ledger)
    assert code == 1 and "no invoice test-acme-0009" in err


def test_dry_run_writes_nothing(app: typer.Typer, tmp_path: Path) -> None:
    c, e = write_inputs(tmp_path)
    ledger = tmp_path / "l.sqlite"
    code, out, err = _run(app, "invoice", str(c), str(e), "--period", "2020-Q1", "--ledger",
                          str(ledger), "--new-ledger", "--dry-run", "--format", "csv")
    assert code == 0 and "dry run: test-acme-0001 would bill" in err
    assert not ledger.exists()
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["amount"] for r in rows if r["type"] == "total"] == ["744.00"]


def test_usage_errors_exit_2(app: typer.Typer, tmp_path: Path) -> None:
    c, e = write_inputs(tmp_path)
    code, _, err = _run(app, "invoice", str(c), str(e), "--period", "2020-13")
    assert code == 2 and "no month 13" in err
    code, _, err = _run(app, "invoice", str(c), "--period", "2020-01")
    assert code == 2 and "at least one event file" in err
    code, _, err = _run(app, "invoice", str(c), str(e), "--period", "2020-01", "--provider",
                        "beta", "--ledger", str(tmp_path / "l.sqlite"), "--new-ledger")
    assert code == 2 and "provider 'beta' is not in the contract" in err
    code, _, err = _run(app, "invoice", str(c), str(tmp_path / "missing.csv"), "--period",
                        "2020-01", "--ledger", str(tmp_path / "l.sqlite"), "--new-ledger")
    assert code == 2 and "nothing was computed" in err


def test_invoice_to_a_file(app: typer.Typer, tmp_path: Path) -> None:
    c, e = write_inputs(tmp_path)
    out = tmp_path / "inv.html"
    code, stdout, _ = _run(app, "invoice", str(c), str(e), "--period", "2020-01", "--ledger",
                           str(tmp_path / "l.sqlite"), "--new-ledger", "--format", "html", "-o",
                           str(out))
    assert code == 0 and stdout == ""
    assert "Yhteensä / Total" in out.read_text(encoding="utf-8")


def test_verify_the_bill_invoice_produced_exits_0(app: typer.Typer, tmp_path: Path) -> None:
    c, e = write_inputs(tmp_path, rows=FEB_ROWS)
    ledger = str(tmp_path / "l.sqlite")
    _run(app, "invoice", str(c), str(e), "--period", "2020-01", "--ledger", ledger,
         "--new-ledger")
    bill = tmp_path / "bill.csv"
    code, _, _ = _run(app, "invoice", str(c), str(e), "--period", "2020-02", "--ledger",
                      ledger, "--dry-run", "--format", "csv", "-o", str(bill))
    assert code == 0
    code, out, _ = _run(app, "verify", str(c), str(e), str(bill), "--period", "2020-02",
                        "--ledger", ledger)
    assert code == 0, out
    assert ("3 match, 0 amount differs, 0 date differs, 0 not payable, 0 billed twice, "
            "0 underbilled") in out
    assert "billed 300.00, computed 300.00, difference 0.00" in out
    assert "the bill is right" in out


def test_verify_a_tampered_bill_exits_1(app: typer.Typer, tmp_path: Path) -> None:
    c, e = write_inputs(tmp_path, rows=FEB_ROWS)
    ledger = str(tmp_path / "l.sqlite")
    _run(app, "invoice", str(c), str(e), "--period", "2020-01", "--ledger", ledger,
         "--new-ledger")
    bill = tmp_path / "lasku.csv"
    bill.write_text("asiakas,osa,kerta,summa\nc2,base_fee,once,\"150,00\"\n"
                    "c3,base_fee,once,150.00\nc1,base_fee,once,100.00\n"
                    "c1,job_fee,E9,200.00\n", encoding="utf-8")
    mapping = "customer=asiakas,component=osa,occurrence=kerta,amount=summa"
    code, out, _ = _run(app, "verify", str(c), str(e), str(bill), "--period", "2020-02",
                        "--ledger", ledger, "--map", mapping, "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["ok"] is False
    assert [f["class"] for f in report["findings"]] == [
        "match", "amount_differs", "duplicate", "not_payable", "underbilled"]
    assert report["totals"] == {"billed": "600.00", "computed": "300.00",
                                "difference": "300.00"}
    code, out, _ = _run(app, "verify", str(c), str(e), str(bill), "--period", "2020-02",
                        "--ledger", ledger, "--map", mapping)
    assert code == 1
    assert "the bill is NOT right" in out and "amount_differs" in out
    code, out, _ = _run(app, "verify", str(c), str(e), str(bill), "--period", "2020-02",
                        "--ledger", ledger, "--map", mapping, "--format", "html")
    assert code == 1 and "Laskussa on virheitä / The bill is not right" in out


def test_verify_usage_errors_exit_2(app: typer.Typer, tmp_path: Path) -> None:
    c, e = write_inputs(tmp_path)
    bill = tmp_path / "bill.csv"
    bill.write_text("who,what\nc1,x\n", encoding="utf-8")
    code, _, err = _run(app, "verify", str(c), str(e), str(bill), "--period", "2020-01")
    assert code == 2 and "no customer column" in err
    code, _, err = _run(app, "verify", str(c), str(e), str(bill), "--period", "2020-01",
                        "--map", "price=x")
    assert code == 2 and "unknown bill field 'price'" in err
    code, _, err = _run(app, "verify", str(c), str(bill), "--period", "2020-01")
    assert code == 2 and "the bill" in err


def test_an_issue_date_before_the_period_ends_is_refused(app: typer.Typer,
                                                         tmp_path: Path) -> None:
    """January's invoice rests on the facts as of 31 January: issued on the 30th (one day
    short) it is a usage error and nothing is recorded; on the 31st or later it is issued."""
    c, e = write_inputs(tmp_path, rows=FEB_ROWS)
    ledger = tmp_path / "l.sqlite"
    earliest = ("the invoice rests on the facts as of 2020-01-31, so the earliest issue "
                "date is 2020-01-31")
    for extra in ([], ["--dry-run"]):
        code, out, err = _run(app, "invoice", str(c), str(e), "--period", "2020-01",
                              "--ledger", str(ledger), "--new-ledger", "--issue-date",
                              "2020-01-30", *extra)
        assert code == 2 and out == "" and earliest in " ".join(err.split()), err
        assert not ledger.exists()
    code, out, err = _run(app, "invoice", str(c), str(e), "--from", "2020-01-01", "--to",
                          "2020-01-31", "--ledger", str(ledger), "--new-ledger", "--issue-date",
                          "2020-01-15")
    assert code == 2 and "--issue-date 2020-01-15 is before the period" in err
    assert not ledger.exists()
    code, out, _ = _run(app, "invoice", str(c), str(e), "--period", "2020-01", "--ledger",
                        str(ledger), "--new-ledger", "--issue-date", "2020-01-31")
    assert code == 0 and json.loads(out)["issue_date"] == "2020-01-31"
    # February 2020 ends on the 29th: the 28th is refused, the 1st of March (one day over)
    code, out, err = _run(app, "invoice", str(c), str(e), "--period", "2020-02", "--ledger",
                          str(ledger), "--issue-date", "2020-02-28")
    assert code == 2 and "the earliest issue date is 2020-02-29" in " ".join(err.split())
    assert ledger_rows(ledger, "SELECT count(*) FROM invoices") == [(1,)]
    code, out, _ = _run(app, "invoice", str(c), str(e), "--period", "2020-02", "--ledger",
                        str(ledger), "--issue-date", "2020-03-01")
    assert code == 0 and json.loads(out)["issue_date"] == "2020-03-01"
    assert ledger_rows(ledger, "SELECT count(*) FROM invoices") == [(2,)]


def test_a_period_invoiced_out_of_order_is_dated_after_the_invoice_it_follows(
        app: typer.Typer, tmp_path: Path) -> None:
    """February, then January (c3's events came late): January's default issue date is
    29 February, the facts and the invoice it follows; --issue-date 2020-02-28 passes the
    check against 31 January but is refused against the ledger (exit 2, nothing recorded,
    the ledger's bytes unchanged); 2020-02-29 is issued."""
    c, e = write_inputs(tmp_path, rows="\n".join(
        row for row in ROWS.splitlines() if ",c3," not in row))
    ledger = tmp_path / "l.sqlite"
    code, out, _ = _run(app, "invoice", str(c), str(e), "--period", "2020-02", "--ledger",
                        str(ledger), "--new-ledger")
    assert code == 0 and json.loads(out)["issue_date"] == "2020-02-29"
    c, e = write_inputs(tmp_path)
    code, out, _ = _run(app, "invoice", str(c), str(e), "--period", "2020-01", "--ledger",
                        str(ledger), "--dry-run")
    assert code == 0
    assert [json.loads(out)[k] for k in ("number", "as_of", "issue_date", "due_date")] == [
        "test-acme-0002", "2020-02-29", "2020-02-29", "2020-03-14"]
    before = ledger.read_bytes()
    code, out, err = _run(app, "invoice", str(c), str(e), "--period", "2020-01", "--ledger",
                          str(ledger), "--issue-date", "2020-02-28")
    assert code == 2 and out == "", err
    assert ("--issue-date 2020-02-28 is before test-acme-0001 (period 2020-02, facts as of "
            "2020-02-29, issued 2020-02-29)") in " ".join(err.split())
    assert "the earliest issue date is 2020-02-29" in " ".join(err.split())
    assert ledger.read_bytes() == before
    code, out, _ = _run(app, "invoice", str(c), str(e), "--period", "2020-01", "--ledger",
                        str(ledger), "--issue-date", "2020-02-29")
    assert code == 0 and json.loads(out)["issue_date"] == "2020-02-29"
    assert ledger_rows(ledger, "SELECT number, issue_date FROM invoices ORDER BY id") == [
        ("test-acme-0001", "2020-02-29"), ("test-acme-0002", "2020-02-29")]


def test_the_library_refuses_an_early_issue_date_before_the_ledger(tmp_path: Path) -> None:
    from invoicing_cases import contract, events

    from rewardengine.invoicing.periods import PeriodError, parse_period
    from rewardengine.invoicing.run import issue_invoice
    ledger = tmp_path / "l.sqlite"
    with pytest.raises(PeriodError, match="the earliest issue date is 2020-03-31"):
        issue_invoice(contract(), events(), parse_period("2020-Q1"), ledger_path=str(ledger),
                      inputs_hash="h", issue_date=date(2020, 3, 30))
    assert not ledger.exists()


def test_an_invoice_made_with_another_contract_file_says_so(app: typer.Typer,
                                                            tmp_path: Path) -> None:
    """The same contract id and version, its base fee changed from 100.00 to 120.00 after
    January was invoiced: February's invoice corrects c1's fee by 20.00 (beside c3's, moved
    to another segment by a corrected referral), and says the
    contract is not the file the January invoice was made with (L012), kept with it in the
    ledger; March's, made with the same file as February's, says nothing."""
    c, e = write_inputs(tmp_path, rows=FEB_ROWS)
    ledger = str(tmp_path / "l.sqlite")
    code, _, err = _run(app, "invoice", str(c), str(e), "--period", "2020-01",
                        "--ledger", ledger, "--new-ledger")
    assert code == 0 and "L012" not in err, err
    c.write_text(c.read_text(encoding="utf-8").replace("{A: 100.00, B: 150.00}",
                                                       "{A: 120.00, B: 150.00}"),
                 encoding="utf-8")
    for dry in (["--dry-run"], []):
        code, out, err = _run(app, "invoice", str(c), str(e), "--period", "2020-02",
                              "--ledger", ledger, *dry)
        assert code == 0, err
        assert (f"{c}: L012 warning: the contract is not the file test-acme-0001 was made "
                "with (the same version 1): sha256 ") in err
        # c1's fee repriced, and c3's, moved to segment B by a corrected referral
        assert "(2 corrections on this invoice); check that the change is meant" in err
    # told to the issuer, not written on the buyer's invoice
    stored = json.loads(out)
    assert "L012" not in [p["code"] for p in stored["problems"]]
    code, html, _ = _run(app, "invoice", "show", stored["number"], "--ledger", ledger,
                         "-f", "html")
    assert code == 0 and "L012" not in html
    code, _, err = _run(app, "invoice", str(c), str(e), "--period", "2020-03",
                        "--ledger", ledger)
    assert code == 0 and "L012" not in err, err


def _two_members(tmp_path: Path) -> tuple[Path, Path, str]:
    """A contract of two providers (acme, beta), events of customers of each, a ledger."""
    c = tmp_path / "contract.yaml"
    e = tmp_path / "events.csv"
    c.write_text(TWO_PROVIDERS + textwrap.dedent(COMPONENTS), encoding="utf-8")
    e.write_text(EVENT_HEADER + textwrap.dedent(
        FEB_ROWS + "r5,c5,referral,2020-01-12,,,,beta,,2019-06-01\n"
        "s5,c5,service_start,2020-01-16\n").strip() + "\n", encoding="utf-8")
    return c, e, str(tmp_path / "l.sqlite")


def test_l012_compares_each_series_with_its_own_last_invoice(app: typer.Typer,
                                                             tmp_path: Path) -> None:
    """Two providers, each its own series. acme's January is invoiced with the old file,
    beta's January and February with the new one: beta's February says nothing (its own
    last invoice was made with that file), acme's February says L012."""
    c, e, ledger = _two_members(tmp_path)

    def invoice(provider: str, period: str, *extra: str) -> str:
        code, _, err = _run(app, "invoice", str(c), str(e), "--period", period, "--ledger",
                            ledger, "--provider", provider, *extra)
        assert code == 0, err
        return err

    assert "L012" not in invoice("acme", "2020-01", "--new-ledger")
    c.write_text(c.read_text(encoding="utf-8").replace("{A: 100.00, B: 150.00}",
                                                       "{A: 120.00, B: 150.00}"),
                 encoding="utf-8")
    assert "L012" not in invoice("beta", "2020-01")  # beta's first invoice: nothing before
    assert "L012" not in invoice("beta", "2020-02")
    said = invoice("acme", "2020-02")
    assert "L012 warning: the contract is not the file test-acme-0001 was made with" in said


def test_a_bill_whose_dates_do_not_read_is_checked_by_its_occurrences(
        app: typer.Typer, tmp_path: Path) -> None:
    """A right bill with its dates written with two-digit years (15.02.20): each date is
    said (B003), but each line is still matched by its occurrence. Before, every line was
    dropped, and the bill read as empty: all its lines 'not on the bill'."""
    c, e = write_inputs(tmp_path, rows=FEB_ROWS)
    ledger = str(tmp_path / "l.sqlite")
    _run(app, "invoice", str(c), str(e), "--period", "2020-01", "--ledger", ledger,
         "--new-ledger")
    bill = tmp_path / "bill.csv"
    _run(app, "invoice", str(c), str(e), "--period", "2020-02", "--ledger", ledger,
         "--dry-run", "--format", "csv", "-o", str(bill))
    rows = list(csv.reader(io.StringIO(bill.read_text(encoding="utf-8"))))
    at = rows[0].index("date")
    for row in rows[1:]:
        if len(row) > at and row[at]:
            y, m, d_ = row[at].split("-")
            row[at] = f"{d_}.{m}.{y[2:]}"
    out_text = io.StringIO()
    csv.writer(out_text, lineterminator="\n").writerows(rows)
    bill.write_text(out_text.getvalue(), encoding="utf-8")
    code, out, err = _run(app, "verify", str(c), str(e), str(bill), "--period", "2020-02",
                          "--ledger", ledger, "--format", "json")
    assert code == 1, (out, err)
    report = json.loads(out)
    assert {p["code"] for p in report["problems"]} == {"B003"}
    assert {f["class"] for f in report["findings"]} == {"match"}
    assert report["totals"]["difference"] == "0.00"


def test_an_empty_ledger_path_and_a_ledger_given_as_the_bill_are_said_plainly(
        app: typer.Typer, tmp_path: Path) -> None:
    c, e = write_inputs(tmp_path, rows=FEB_ROWS)
    # an unset variable in a script: a usage error, never "no ledger" (a bill re-billing
    # what the ledger holds would pass verify, a dry run would ignore the invoices before)
    for args in (["invoice", str(c), str(e), "--period", "2020-01"],
                 ["invoice", str(c), str(e), "--period", "2020-01", "--dry-run"],
                 ["verify", str(c), str(e), str(e), "--period", "2020-01"]):
        code, _, err = _run(app, *args, "--ledger", "")
        assert code == 2 and "an empty path: give the ledger's file name" in err, args
    ledger = tmp_path / "l.sqlite"
    _run(app, "invoice", str(c), str(e), "--period", "2020-01", "--ledger", str(ledger),
         "--new-ledger")
    before = ledger.read_bytes()
    code, _, err = _run(app, "verify", str(c), str(e), str(ledger), "--period", "2020-01",
                        "--ledger", str(ledger))
    assert code == 2
    assert "B005 the bill: it is a SQLite database (a ledger?), not a bill" in err
    assert ledger.read_bytes() == before


def test_l012_follows_a_members_lines_between_joint_and_own_invoices(
        app: typer.Typer, tmp_path: Path) -> None:
    """January invoiced jointly with the old file; acme's own February, made with a changed
    file, corrects the lines of the joint invoice: L012. acme's March, with the same file as
    its February, says nothing."""
    c, e, ledger = _two_members(tmp_path)
    code, _, err = _run(app, "invoice", str(c), str(e), "--period", "2020-01", "--ledger",
                        ledger, "--joint", "--new-ledger")
    assert code == 0 and "L012" not in err, err
    c.write_text(c.read_text(encoding="utf-8").replace("{A: 100.00, B: 150.00}",
                                                       "{A: 120.00, B: 150.00}"),
                 encoding="utf-8")
    code, _, err = _run(app, "invoice", str(c), str(e), "--period", "2020-02", "--ledger",
                        ledger, "--provider", "acme")
    assert code == 0 and "L012 warning: the contract is not the file test-joint-0001 was " \
        "made with" in err, err
    code, _, err = _run(app, "invoice", str(c), str(e), "--period", "2020-03", "--ledger",
                        ledger, "--provider", "acme")
    assert code == 0 and "L012" not in err, err


def test_a_period_after_the_contract_and_the_data_is_refused_before_anything_is_written(
        tmp_path: Path) -> None:
    """--period 2029-09 for 2020-09 (a mistyped year): more than a year after the contract's
    end (2020-12-31) and after the last day the events record, nothing in it is known, and an
    issued invoice stays in the ledger for good: refused (exit 2), no ledger made. A final
    invoice some months after both (2021-06: a year, to the day, is the last allowed start),
    and one a year after a fact recorded late, are invoiced."""
    from rewardengine.cli import app as main_app
    root = Path(__file__).resolve().parent.parent
    contract = str(root / "contracts" / "omavalmentaja.yaml")
    events = root / "examples" / "omavalmentaja" / "events.csv"
    ledger = tmp_path / "ledger.sqlite"
    runner = CliRunner()

    def invoice(period: str, source: Path = events, *extra: str) -> tuple[int, str]:
        done = runner.invoke(main_app, ["invoice", contract, str(source), "--period", period,
                                        "--provider", "coach_a", "--ledger", str(ledger),
                                        *extra])
        return done.exit_code, done.output

    for period in ("2029-09", "2022-01"):  # 2021-12-31 + 1 year is the last start allowed
        code, said = invoice(period, events, "--new-ledger")
        assert code == 2 and (
            f"the period {period} starts more than a year after the contract's end "
            "(2020-12-31) and after the last day the events record (2020-11-15): nothing in "
            "it is known; check --period") in said, said
        assert not ledger.exists()
    late = tmp_path / "late.csv"
    late.write_text(events.read_text(encoding="utf-8")
                    + "O01-late,O01,contact,2020-11-30,2021-02-03,,coach_a,,,,,true,,,\n",
                    encoding="utf-8")
    assert invoice("2021-06", events, "--new-ledger")[0] == 0
    # asked again: told by the provider's id (the series, "A", is no one's name)
    code, said = invoice("2021-06")
    assert code == 0 and "period 2021-06 was already invoiced to coach_a as " in said, said
    code, said = invoice("2022-02", late)  # the data reaches 2021-02-03
    assert code == 0 and "nothing to invoice to coach_a for 2022-02" in said, said
