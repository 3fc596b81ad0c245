"""The invoice's other formats and the command line: XLSX for checkers in Excel, HTML in
Finnish, Swedish or English, `invoice --format ubl|finvoice|xlsx`, `invoice show`."""

from __future__ import annotations

import io
import json
import textwrap
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from conftest import CONTRACT_HEAD, EVENT_HEADER
from einvoice_validation import en16931_failures, ubl_schema_errors
from invoicing_cases import COMPONENTS, ROWS, contract, events, issue
from test_einvoice import CONSORTIUM, CONTRACT_WITH_PARTIES, MEMBER_ROWS, PARTIES
from typer.testing import CliRunner

from rewardengine.cli import app
from rewardengine.invoicing.invoice import Invoice
from rewardengine.invoicing.render import invoice_html, report_html
from rewardengine.invoicing.xlsx import invoice_xlsx

runner = CliRunner()


def _invoices(tmp_path: Path) -> tuple[Invoice, Invoice]:
    loaded = contract(PARTIES, head=CONTRACT_WITH_PARTIES)
    jan = issue(loaded, events(), "2020-01", tmp_path / "l.sqlite").invoice
    feb = issue(loaded, events(), "2020-02", tmp_path / "l.sqlite").invoice
    assert jan is not None and feb is not None
    return jan, feb


def test_xlsx_holds_real_numbers_and_dates_with_formats(tmp_path: Path) -> None:
    _, feb = _invoices(tmp_path)
    data = invoice_xlsx(feb)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Lasku", "Rivit"]
    rows = list(wb["Rivit"].iter_rows(values_only=True))
    assert rows[0][:10] == ("Rivi", "Tyyppi", "Palveluntuottaja", "Asiakas", "Maksuerä",
                            "esiintymä", "Päivä", "Määrä", "À-hinta", "Summa")
    line, correction = rows[1], rows[2]
    assert line[:10] == (1, "rivi", "acme", "c2", "base_fee", "once", datetime(2020, 2, 10),
                         1, 150, 150)
    assert correction[1] == "oikaisu" and correction[9] == 50 and correction[11] == \
        "T-acme-0001/2"
    cell = wb["Rivit"]["J2"]
    assert cell.data_type == "n" and cell.number_format == "#,##0.00"
    assert wb["Rivit"]["G2"].number_format == "d.m.yyyy" and wb["Rivit"]["K2"].value == 0.24
    summary = {r[0]: r[1] for r in wb["Lasku"].iter_rows(values_only=True) if r[0]}
    assert summary["Yhteensä"] == 248 and summary["ALV"] == 48
    assert summary["Eräpäivä"] == datetime(2020, 3, 14)  # 29 Feb + 14 days
    assert "100,00 laskutettu laskulla T-acme-0001 rivillä 2; nyt 150,00" in correction[12]
    assert invoice_xlsx(Invoice.from_dict(feb.to_dict())) == data  # the same bytes
    sv = openpyxl.load_workbook(io.BytesIO(invoice_xlsx(feb, "sv")))
    assert sv.sheetnames == ["Faktura", "Rader"]


def test_html_in_one_language_with_finnish_formats(tmp_path: Path) -> None:
    _, feb = _invoices(tmp_path)
    sv = invoice_html(feb, "sv")
    assert '<html lang="sv">' in sv and "<title>Faktura T-acme-0002</title>" in sv
    for label in ("Fakturanummer", "Förfallodag", "Referensnummer", "Delsumma",
                  "Korrigeringar av tidigare fakturor", "29.2.2020", "248,00 EUR"):
        assert label in sv, label
    assert "Lasku" not in sv and "/ <span class=\"en\">" not in sv
    assert "100,00 fakturerat på T-acme-0001 rad 2; nu 150,00" in sv
    fi = invoice_html(feb, "fi")
    assert "Eräpäivä" in fi and "content: \"Sivu\\20 \" counter(page)" in fi
    en = invoice_html(feb, "en")
    assert "Due date" in en and "Eräpäivä" not in en


def test_html_writes_the_contract_s_currency(tmp_path: Path) -> None:
    head = CONTRACT_HEAD.replace("  vat_rate: 0.24\n", "  vat_rate: 0.24\n  currency: SEK\n")
    inv = issue(contract(head=head), events(), "2020-01", tmp_path / "l.sqlite").invoice
    assert inv is not None
    html = invoice_html(inv)
    assert "Summa / <span class=\"en\">Amount</span> SEK" in html and " EUR" not in html


def test_the_verify_report_writes_the_contract_s_currency(tmp_path: Path) -> None:
    c = tmp_path / "c.yaml"
    head = CONTRACT_HEAD.replace("  vat_rate: 0.24\n", "  vat_rate: 0.24\n  currency: SEK\n")
    c.write_text(head + textwrap.dedent(COMPONENTS), encoding="utf-8")
    e = tmp_path / "e.csv"
    e.write_text(EVENT_HEADER + textwrap.dedent(ROWS).strip() + "\n", encoding="utf-8")
    bill = tmp_path / "bill.csv"
    bill.write_text("customer_id,component,occurrence,amount\nc1,base_fee,once,100.00\n",
                    encoding="utf-8")
    out = tmp_path / "r.html"
    result = runner.invoke(app, ["verify", str(c), str(e), str(bill), "--period", "2020-01",
                                 "--no-ledger", "--format", "html", "-o", str(out)])
    assert result.exit_code == 1  # c3 is underbilled
    html = out.read_text(encoding="utf-8")
    assert " SEK<" in html and " EUR" not in html
    assert report_html  # rendered through the command


def _files(tmp_path: Path, head: str = CONTRACT_WITH_PARTIES, extra: str = PARTIES,
           rows: str = ROWS) -> tuple[str, str]:
    c = tmp_path / "contract.yaml"
    c.write_text(head + textwrap.dedent(COMPONENTS) + extra, encoding="utf-8")
    e = tmp_path / "events.csv"
    e.write_text(EVENT_HEADER + textwrap.dedent(rows).strip() + "\n", encoding="utf-8")
    return str(c), str(e)


def test_cli_issues_ubl_and_shows_finvoice_and_xlsx(tmp_path: Path) -> None:
    c, e = _files(tmp_path)
    ledger = str(tmp_path / "l.sqlite")
    out = tmp_path / "jan.xml"
    result = runner.invoke(app, ["invoice", c, e, "--period", "2020-01", "--ledger", ledger,
                                 "--new-ledger", "--format", "ubl", "-o", str(out)])
    assert result.exit_code == 0, result.output
    xml = out.read_text(encoding="utf-8")
    assert ubl_schema_errors(xml) + en16931_failures(xml) == []
    shown = runner.invoke(app, ["invoice", "show", "T-acme-0001", "--ledger", ledger,
                                "--format", "ubl"])
    assert shown.exit_code == 0 and shown.stdout == xml  # re-rendered from the ledger
    fv = runner.invoke(app, ["invoice", "show", "T-acme-0001", "--ledger", ledger,
                             "--format", "finvoice"])
    assert fv.exit_code == 0 and "<InvoiceNumber>T-acme-0001</InvoiceNumber>" in fv.stdout
    no_file = runner.invoke(app, ["invoice", "show", "T-acme-0001", "--ledger", ledger,
                                  "--format", "xlsx"])
    assert no_file.exit_code == 2 and "give -o FILE.xlsx" in no_file.output
    book = tmp_path / "jan.xlsx"
    ok = runner.invoke(app, ["invoice", "show", "T-acme-0001", "--ledger", ledger, "--format",
                             "xlsx", "--lang", "en", "-o", str(book)])
    assert ok.exit_code == 0 and openpyxl.load_workbook(book).sheetnames == ["Invoice", "Lines"]


def test_cli_refuses_an_e_invoice_without_parties_and_records_nothing(tmp_path: Path) -> None:
    c, e = _files(tmp_path, head=CONTRACT_HEAD, extra="")
    ledger = tmp_path / "l.sqlite"
    result = runner.invoke(app, ["invoice", c, e, "--period", "2020-01", "--ledger",
                                 str(ledger), "--new-ledger", "--format", "finvoice"])
    assert result.exit_code == 1
    assert "C226" in result.output and "needs the contract's parties" in result.output
    assert not ledger.exists()
    # an invoice issued without parties is shown, but not as an e-invoice
    assert runner.invoke(app, ["invoice", c, e, "--period", "2020-01", "--ledger",
                               str(ledger), "--new-ledger"]).exit_code == 0
    shown = runner.invoke(app, ["invoice", "show", "test-acme-0001", "--ledger", str(ledger),
                                "--format", "ubl"])
    assert shown.exit_code == 1 and "without the parties an e-invoice needs" in shown.output


def test_cli_renders_a_member_s_own_invoice(tmp_path: Path) -> None:
    c, e = _files(tmp_path, head=CONSORTIUM, rows=MEMBER_ROWS)
    ledger = str(tmp_path / "l.sqlite")
    whole = runner.invoke(app, ["invoice", c, e, "--period", "2020-02", "--joint", "--ledger",
                                ledger, "--new-ledger", "--format", "ubl"])
    assert whole.exit_code == 1 and "--member ID; members: acme, beta" in whole.output
    assert "nothing was recorded" in whole.output
    beta = runner.invoke(app, ["invoice", c, e, "--period", "2020-02", "--joint", "--ledger",
                               ledger, "--format", "ubl", "--member", "beta"])
    assert beta.exit_code == 0, beta.output
    assert "<cbc:ID>T-joint-0001-2</cbc:ID>" in beta.stdout
    summary = runner.invoke(app, ["invoice", "show", "T-joint-0001", "--ledger", ledger])
    data = json.loads(summary.stdout)
    assert data["member_invoices"] is True and data["total"] == "496.00"
    wrong = runner.invoke(app, ["invoice", "show", "T-joint-0001", "--ledger", ledger,
                                "--member", "gamma"])
    assert wrong.exit_code == 2 and "'gamma' is not a member of T-joint-0001" in wrong.output


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_cli_html_lang(tmp_path: Path, lang: str) -> None:
    c, e = _files(tmp_path)
    result = runner.invoke(app, ["invoice", c, e, "--period", "2020-01", "--ledger",
                                 str(tmp_path / "l.sqlite"), "--new-ledger", "--format", "html",
                                 "--lang", lang])
    assert result.exit_code == 0 and f'<html lang="{lang}">' in result.stdout
    assert {"fi": "Viitenumero", "sv": "Referensnummer", "en": "Payment reference"}[lang] \
        in result.stdout
    # the billing period's month and days as the language writes them, as its reasons do
    assert "2020-01 (" not in result.stdout \
        and "1/2020 (1.1.2020\u201331.1.2020)" in result.stdout


def test_a_billing_period_s_month_is_written_as_the_language_writes_months() -> None:
    from rewardengine.invoicing.labels import Labels

    assert [Labels("fi").period(p) for p in ("2020-09", "2020-Q3", "2020", "2020-09-01..2020-"
                                                                            "09-15")] == [
        "9/2020", "2020-Q3", "2020", "2020-09-01..2020-09-15"]
    assert Labels("sv").period("2021-12") == "12/2021"
    assert Labels(None).period("2020-09") == "2020-09"  # the bilingual page: as given


def test_reasons_are_translated_frame_by_frame_and_unknown_ones_kept() -> None:
    from rewardengine.invoicing.labels import Labels

    gone = ("200.00 invoiced on T-acme-0003 line 1 is no longer payable: event E1 was voided "
            "(recorded 2020-04-05)")
    assert Labels("fi").reason(gone) == ("200,00 laskutettu laskulla T-acme-0003 rivillä 1 ei "
                                         "ole enää maksettava: tapahtuma E1 mitätöitiin "
                                         "(kirjattu 5.4.2020)")
    assert Labels("sv").reason("service start s1 on 2020-01-15, inside the contract window") \
        == "tjänsten inleddes s1 15.1.2020, inom avtalsperioden"
    odd = "capacity for 2020-03 committed, payable after 2020-03-31"
    assert Labels("fi").reason(odd) == odd and Labels(None).reason(gone) == gone
    with pytest.raises(ValueError, match="not one of fi, sv, en"):
        Labels("de")


def test_html_groups_the_iban_and_the_reference_and_no_machine_field_does(
        tmp_path: Path) -> None:
    """A person reads and types them from the HTML, grouped as a Finnish bill prints them;
    every machine field keeps them as they are."""
    from rewardengine.invoicing.finvoice import invoice_finvoice
    from rewardengine.invoicing.render import invoice_csv, invoice_json
    from rewardengine.invoicing.ubl import invoice_ubl
    _, feb = _invoices(tmp_path)
    ref = feb.payment_reference
    assert ref is not None and len(ref) == 16
    grouped = f"{ref[0]} {ref[1:6]} {ref[6:11]} {ref[11:]}"  # fives from the right
    for lang in (None, "fi", "sv", "en"):
        html = invoice_html(feb, lang)
        assert "FI21 1234 5600 0007 85 NDEAFIHH" in html and "FI2112345600000785" not in html
        assert html.count(grouped) == 2 and ref not in html  # head and payment box
    for text in (invoice_json(feb), invoice_ubl(feb), invoice_finvoice(feb)):
        assert "FI2112345600000785" in text and "FI21 1234" not in text
        assert ref in text and grouped not in text
    assert "FI21 1234" not in invoice_csv(feb) and grouped not in invoice_csv(feb)
    cells = {r[0]: r[1] for r in openpyxl.load_workbook(io.BytesIO(invoice_xlsx(feb)))[
        "Lasku"].iter_rows(values_only=True) if r[0]}
    assert cells["Viitenumero"] == ref and cells["Tilinumero"] == "FI2112345600000785 NDEAFIHH"


def test_html_groups_an_rf_reference_in_fours(tmp_path: Path) -> None:
    loaded = contract(PARTIES.replace("payment_terms_days: 14",
                                      "payment_terms_days: 14\n  payment_reference: rf"),
                      head=CONTRACT_WITH_PARTIES)
    inv = issue(loaded, events(), "2020-01", tmp_path / "l.sqlite").invoice
    assert inv is not None and inv.payment_reference is not None
    rf = inv.payment_reference
    assert len(rf) == 20 and " ".join(rf[i:i + 4] for i in range(0, 20, 4)) in \
        invoice_html(inv, "fi")


def test_the_printed_forms_of_references_and_ibans() -> None:
    from rewardengine.invoicing.reference import printed, printed_iban
    assert printed("1584257539000030") == "1 58425 75390 00030"
    assert printed("12345") == "12345" and printed("123456") == "1 23456"
    assert printed("1232") == "1232"  # the shortest, four digits
    assert printed("RF631584257539000043") == "RF63 1584 2575 3900 0043"
    assert printed_iban("FI3612345600020206") == "FI36 1234 5600 0202 06"


def test_xlsx_names_the_buyer_s_ids_beside_the_seller_s(tmp_path: Path) -> None:
    _, feb = _invoices(tmp_path)
    rows = [r[:2] for r in openpyxl.load_workbook(io.BytesIO(invoice_xlsx(feb)))[
        "Lasku"].iter_rows(values_only=True)]
    at = rows.index(("Ostaja", "Testikunnan työllisyysalue"))
    assert rows[at + 1:at + 3] == [("Y-tunnus", "9200007-4"), ("ALV-tunniste", "FI92000074")]
    seller = rows.index(("Myyjä", "Acme Oy"))
    assert rows[seller + 1:seller + 3] == [("Y-tunnus", "9200045-3"),
                                           ("ALV-tunniste", "FI92000453")]
    en = [r[:2] for r in openpyxl.load_workbook(io.BytesIO(invoice_xlsx(feb, "en")))[
        "Invoice"].iter_rows(values_only=True)]
    assert en[en.index(("Buyer", "Testikunnan työllisyysalue")) + 1] == (
        "Business ID", "9200007-4")


def test_the_invoices_problems_are_each_said_under_what_they_mean(tmp_path: Path) -> None:
    """A customer that could not be evaluated (V001, an error) is under "could not be
    evaluated"; a fact passed over (V002, a warning) under "passed over", not there."""
    from dataclasses import replace

    from rewardengine.errors import Problem, Source

    _, feb = _invoices(tmp_path)
    assert "<h2>" in invoice_html(feb, "en") and "Problems" not in invoice_html(feb, "en")
    both = replace(feb, problems=(
        Problem("V001", "customer cannot be evaluated: no referral", Source("e.csv", row=4)),
        Problem("V002", "referral r2 is ignored", Source("e.csv", row=7))))
    en = invoice_html(both, "en")
    could_not = en.index("could not be evaluated")
    passed = en.index("Facts the evaluation passed over")
    assert could_not < en.index("e.csv:4: V001") < passed < en.index("e.csv:7: V002")
    only = invoice_html(replace(feb, problems=both.problems[1:]), "fi")
    assert "laskennassa ohitettiin" in only and "ei voitu laskea" not in only
