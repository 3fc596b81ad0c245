"""Invoice formats: canonical JSON, spreadsheet-safe CSV, escaped bilingual HTML."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal
from html import unescape
from pathlib import Path

from conftest import CONTRACT_HEAD
from invoicing_cases import ROWS, TWO_PROVIDERS, contract, events, issue

from rewardengine.invoicing.bill import read_bill_csv
from rewardengine.invoicing.invoice import Invoice
from rewardengine.invoicing.periods import parse_period
from rewardengine.invoicing.render import invoice_csv, invoice_html, invoice_json, report_html
from rewardengine.invoicing.run import verify_bill

HOSTILE = """
r1,=1+2,referral,2020-01-10,,,,acme,,2019-06-01
@s1,=1+2,service_start,2020-01-15
r2,<b>x</b>,referral,2020-01-03,,,,acme,,2018-01-01
-s2,<b>x</b>,service_start,2020-01-10
"""


def _invoices(tmp_path: Path) -> tuple[Invoice, Invoice]:
    loaded, evs = contract(), events()
    ledger = tmp_path / "l.sqlite"
    jan = issue(loaded, evs, "2020-01", ledger).invoice
    feb = issue(loaded, evs, "2020-02", ledger).invoice
    assert jan is not None and feb is not None
    return jan, feb


def test_json_is_deterministic_sorted_and_amounts_are_strings(tmp_path: Path) -> None:
    _, feb = _invoices(tmp_path)
    text = invoice_json(feb)
    assert text == invoice_json(Invoice.from_dict(json.loads(text)))
    assert text.endswith("}\n")
    data = json.loads(text)
    assert list(data) == sorted(data)
    assert (data["subtotal"], data["vat"], data["total"]) == ("200.00", "48.00", "248.00")
    correction = data["sections"][0]["corrections"][0]
    assert correction["corrects"] == {"invoice": "test-acme-0001", "line": 2}
    assert (correction["invoiced_before"], correction["now"], correction["amount"]) == (
        "100.00", "150.00", "50.00")


def test_csv_rows_lines_corrections_and_totals(tmp_path: Path) -> None:
    _, feb = _invoices(tmp_path)
    rows = list(csv.DictReader(io.StringIO(invoice_csv(feb))))
    assert [(r["line"], r["type"], r["customer_id"], r["amount"], r["corrects"])
            for r in rows] == [
        ("1", "line", "c2", "150.00", ""),
        ("2", "correction", "c3", "50.00", "test-acme-0001/2"),
        ("", "subtotal", "", "200.00", ""),
        ("", "vat", "", "48.00", ""),
        ("", "total", "", "248.00", ""),
    ]
    assert rows[0]["invoice"] == "test-acme-0002" and rows[0]["period"] == "2020-02"


def test_csv_leaves_no_cell_executable(tmp_path: Path) -> None:
    loaded = contract()
    ledger = tmp_path / "l.sqlite"
    issue(loaded, events(HOSTILE), "2020-01", ledger)
    void = HOSTILE + "@s1,=1+2,service_start,2020-01-15,2020-02-02,,true\n"
    feb = issue(loaded, events(void), "2020-02", ledger).invoice
    assert feb is not None
    text = invoice_csv(feb)
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert "'=1+2" in cells and "'-100.00" in cells and "'@s1" in cells


def test_html_is_bilingual_and_escaped(tmp_path: Path) -> None:
    loaded = contract()
    inv = issue(loaded, events(HOSTILE), "2020-01", tmp_path / "l.sqlite").invoice
    assert inv is not None
    html = invoice_html(inv)
    assert html.startswith("<!DOCTYPE html>")
    for label in ("Lasku / Invoice test-acme-0001", "Laskun numero / Invoice number",
                  "Laskutuskausi / Billing period", "Laskun päiväys / Issue date",
                  "Välisumma / Subtotal", "ALV / VAT 24 %", "Yhteensä / Total",
                  "Tapahtumatietojen sha256 / Event inputs sha256", loaded.sha256):
        assert label in html
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert ">250.00 EUR<" in html and ">310.00 EUR<" in html


# --- the printable HTML: read the document as a buyer would --------------------------------

FEB_ROWS = ROWS + "r4,c4,referral,2020-02-15,,,,acme,,2019-12-01\ns4,c4,service_start,2020-02-20\n"
TAMPERED = """customer_id,component,occurrence,amount
c2,base_fee,once,150.00
c3,base_fee,once,150.00
c1,base_fee,once,100.00
c2,base_fee,once,150.00
c2,bonus,once,10.00
"""


def _text(fragment: str) -> str:
    """The words of an HTML fragment, tags read as spaces, whitespace collapsed."""
    words = " ".join(unescape(re.sub(r"<[^>]+>", " ", fragment)).split())
    return re.sub(r" ([:;,)])", r"\1", words)


def _items(html: str) -> list[list[list[str]]]:
    """Every item (``<tbody>``) of the document's tables: its rows, each a list of cell texts."""
    return [[[_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
             for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]
            for body in re.findall(r"<tbody[^>]*>(.*?)</tbody>", html, re.S)]


def _pairs(html: str) -> dict[str, str]:
    """Label -> value of every two-cell row (the header facts and the totals)."""
    return {_text(k): _text(v) for k, v in
            re.findall(r"<tr[^>]*><th>((?:(?!</th>).)*)</th><td[^>]*>((?:(?!</td>).)*)</td></tr>",
                       html, re.S)}


def test_html_invoice_reads_as_an_invoice(tmp_path: Path) -> None:
    _, feb = _invoices(tmp_path)
    html = invoice_html(feb)
    text = _text(html)
    assert html.startswith("<!DOCTYPE html>") and "@page { size: A4;" in html
    for external in ("<script", "src=", "href=", "url(", "<link"):
        assert external not in html
    assert "Lasku / Invoice test-acme-0002" in text
    pairs = _pairs(html)
    assert pairs["Laskun numero / Invoice number"] == "test-acme-0002"
    assert pairs["Laskun päiväys / Issue date"] == "2020-02-29"
    assert pairs["Laskutuskausi / Billing period"] == "2020-02 (2020-02-01 .. 2020-02-29)"
    assert pairs["Tiedot päivältä / Facts as of"] == "2020-02-29"
    assert pairs["Valuutta / Currency"] == "EUR"
    assert "Myyjä / Seller — palveluntuottaja / provider Acme Oy" in text
    assert "Ostaja / Buyer — tilaaja Test TE office" in text
    assert "Sopimus / Contract: Test contract (test, versio / version 1)" in text
    line, correction = _items(html)[:2]
    clause = feb.lines[0].clause
    assert line[0] == ["1", "c2 ryhmä / segment B", "base_fee once", "2020-02-10", "1",
                       "150.00", "150.00"]
    assert line[1][1] == (f"Peruste / Reason: {feb.lines[0].reason} · Näyttö / Evidence: s2 · "
                          f"Sopimuskohta / Clause: {clause}")
    # a correction is marked as a debit and names the invoice line it corrects
    assert correction[0] == ["2", "c3 ryhmä / segment B", "base_fee once",
                             "Lisäveloitus / Debit laskun / invoice test-acme-0001 rivi / line 2",
                             "100.00", "150.00", "50.00"]
    assert correction[1][1].startswith("Peruste / Reason: 100.00 invoiced on test-acme-0001 "
                                       "line 2; now 150.00: ")
    # euro amounts in right-aligned cells, two decimals
    assert html.count('<td class="num">150.00</td>') == 3
    assert '<td class="num">50.00</td>' in html
    assert pairs["Välisumma / Subtotal (veroton / excl. VAT)"] == "200.00 EUR"
    assert pairs["ALV / VAT 24 %"] == "48.00 EUR"
    assert pairs["Yhteensä / Total"] == "248.00 EUR"
    # pending lines come after the totals, under a heading that says they are not invoiced
    totals_at = html.index('<tr class="grand"><th>Yhteensä / Total</th>')
    info_at = html.index("Tiedoksi, ei laskuteta")
    assert totals_at < info_at < html.index("Odottaa, ei laskuteta")
    pending = _items(html[info_at:])
    assert [p[0] for p in pending] == [
        ["c1", "job_fee none", "2021-01-14", "0.00", "needs an employment by 2021-01-14"],
        ["c3", "job_fee none", "2021-01-24", "0.00", "needs an employment by 2021-01-24"],
        ["c2", "job_fee none", "2021-02-09", "0.00", "needs an employment by 2021-02-09"]]
    assert "Nämä rivit eivät sisälly laskun summiin / These rows are not in any total" in text
    # the audit data, and the invoice number in the page footer
    assert pairs["Tapahtumatietojen sha256 / Event inputs sha256"] == "0" * 64
    assert pairs["Laskentamoottori / Engine version"] == f"rewardengine {feb.engine_version}"
    assert '@bottom-right { content: "Sivu / Page " counter(page) " / " counter(pages);' in html


def test_html_is_deterministic(tmp_path: Path) -> None:
    _, feb = _invoices(tmp_path)
    again = Invoice.from_dict(json.loads(invoice_json(feb)))
    assert invoice_html(feb) == invoice_html(again)


def test_html_credit_note_marks_the_credit(tmp_path: Path) -> None:
    loaded = contract()
    ledger = tmp_path / "l.sqlite"
    issue(loaded, events(HOSTILE), "2020-01", ledger)
    void = HOSTILE + "@s1,=1+2,service_start,2020-01-15,2020-02-02,,true\n"
    feb = issue(loaded, events(void), "2020-02", ledger).invoice
    assert feb is not None and feb.total == Decimal("-124.00")
    html = invoice_html(feb)
    assert "<title>Hyvityslasku / Credit note test-acme-0002</title>" in html
    assert "Hyvityslasku / Credit note test-acme-0002" in _text(html)
    assert "Ei uusia rivejä / No new lines" in html
    (correction, detail) = _items(html)[0]
    assert correction == ["1", "=1+2", "base_fee once",
                          "Hyvitys / Credit laskun / invoice test-acme-0001 rivi / line 2",
                          "100.00", "0.00", "-100.00"]
    assert detail[1].startswith("Peruste / Reason: 100.00 invoiced on test-acme-0001 line 2 "
                                "is no longer payable")
    assert '<td class="num credit">-100.00</td>' in html
    pairs = _pairs(html)
    assert pairs["Välisumma / Subtotal (veroton / excl. VAT)"] == "-100.00 EUR"
    assert pairs["ALV / VAT 24 %"] == "-24.00 EUR"
    assert pairs["Yhteensä / Total"] == "-124.00 EUR"


def test_html_escapes_every_value(tmp_path: Path) -> None:
    head = (CONTRACT_HEAD
            .replace("title: Test contract", "title: '<script>alert(1)</script>'")
            .replace("buyer: Test TE office", "buyer: 'Kunta & \"Co\" <i>'")
            .replace("{id: acme, name: Acme Oy}",
                     "{id: acme, name: '</style><b>Acme', business_id: '<u>1</u>'}"))
    inv = issue(contract(head=head), events(HOSTILE), "2020-01", tmp_path / "l.sqlite").invoice
    assert inv is not None
    html = invoice_html(inv)
    for raw in ("<script", "<i>", "<b>x", "<b>Acme", "<u>"):
        assert raw not in html
    assert html.count("</style>") == 1
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Kunta &amp; &quot;Co&quot; &lt;i&gt;" in html
    assert "&lt;/style&gt;&lt;b&gt;Acme" in html and "&lt;u&gt;1&lt;/u&gt;" in html
    assert _items(html)[0][0][1] == "<b>x</b> ryhmä / segment B"  # the customer, as text
    # the page footer's CSS string: letters, digits and hex escapes only
    footer = re.search(r"--doc: (\"[^\"]*\");", html)
    assert footer is not None and re.fullmatch(r'"[A-Za-z0-9\\ ]*"', footer.group(1))


def test_html_joint_invoice_names_the_consortium_and_each_subtotal(tmp_path: Path) -> None:
    rows = ROWS.replace("r2,c2,referral,2020-02-03,,,,acme,", "r2,c2,referral,2020-02-03,,,,beta,")
    inv = issue(contract(head=TWO_PROVIDERS), events(rows), "2020-02", tmp_path / "l.sqlite",
                joint=True).invoice
    assert inv is not None
    html = invoice_html(inv)
    text = _text(html)
    assert ("Myyjä / Seller — yhteislasku / joint invoice Konsortio / Consortium "
            "Acme Oy (acme), Y-tunnus / Business ID 1234567-8 Beta Osuuskunta (beta)") in text
    assert "Palveluntuottaja / Provider: Acme Oy (acme), Y-tunnus / Business ID 1234567-8" \
        in text
    assert "Palveluntuottaja / Provider: Beta Osuuskunta (beta)" in text
    lines = html[:html.index("Tiedoksi, ei laskuteta")]
    assert [(i[0][0], i[0][1], i[0][-1]) for i in _items(lines)] == [
        ("1", "c1 ryhmä / segment A", "100.00"), ("2", "c3 ryhmä / segment B", "150.00"),
        ("3", "c2 ryhmä / segment B", "150.00")]
    pairs = _pairs(html)
    assert pairs["Välisumma / Subtotal acme"] == "250.00 EUR"
    assert pairs["Välisumma / Subtotal beta"] == "150.00 EUR"
    assert pairs["Välisumma / Subtotal (veroton / excl. VAT)"] == "400.00 EUR"
    assert pairs["ALV / VAT 24 %"] == "96.00 EUR"
    assert pairs["Yhteensä / Total"] == "496.00 EUR"
    assert html.index("Välisumma / Subtotal acme") < html.index("Beta Osuuskunta (beta)</h2>")


def test_html_report_verdict_classes_and_totals(tmp_path: Path) -> None:
    ledger = tmp_path / "l.sqlite"
    issue(contract(), events(FEB_ROWS), "2020-01", ledger)
    report = verify_bill(contract(), events(FEB_ROWS), read_bill_csv(TAMPERED, "<bill>.csv"),
                         parse_period("2020-02"), ledger_path=str(ledger))
    html = report_html(report)
    text = _text(html)
    assert '<div class="verdict bad">' in html
    assert ("✘ Laskussa on virheitä / The bill is not right Laskutettu / Billed 560.00 · "
            "Laskettu / Computed 300.00 · Erotus / Difference 260.00 EUR (veroton / VAT "
            "excluded) Poikkeavia rivejä / Rows not matching: 5; laskun ongelmia / problems "
            "in the bill: 0") in text
    assert "&lt;bill&gt;.csv" in html and "<bill>" not in html
    for chip in ("Täsmää / Match 1", "Summa eroaa / Amount differs 1",
                 "Ei maksettava / Not payable 1", "Laskutettu kahdesti / Billed twice 2",
                 "Puuttuu laskulta / Underbilled 1"):
        assert chip in text
    items = _items(html)
    assert [i[0][:8] for i in items] == [
        ["Täsmää / Match", "2", "c2", "base_fee once", "2020-02-10", "150.00", "150.00",
         "0.00"],
        ["Summa eroaa / Amount differs", "3", "c3", "base_fee once", "2020-01-25", "150.00",
         "50.00", "100.00"],
        ["Laskutettu kahdesti / Billed twice", "4", "c1", "base_fee once", "2020-01-15",
         "100.00", "0.00", "100.00"],
        ["Laskutettu kahdesti / Billed twice", "5", "c2", "base_fee once", "", "150.00", "0.00",
         "150.00"],
        ["Ei maksettava / Not payable", "6", "c2", "bonus once", "", "10.00", "0.00", "10.00"],
        ["Puuttuu laskulta / Underbilled", "", "c4", "base_fee once", "2020-02-20", "",
         "100.00", "-100.00"]]
    assert re.findall(r'<tbody class="f-([a-z_]+)">', html) == [
        "match", "amount_differs", "duplicate", "duplicate", "not_payable", "underbilled"]
    assert "Viite / Reference: test-acme-0002/3 (corrects test-acme-0001/2)" in items[1][1][1]
    pairs = _pairs(html)
    assert pairs["Laskutettu yhteensä / Billed total"] == "560.00 EUR"
    assert pairs["Laskettu yhteensä / Computed total"] == "300.00 EUR"
    assert pairs["Erotus / Difference"] == "260.00 EUR"
    assert pairs["Laskettu lasku / Computed invoice"] == "test-acme-0002"


def test_html_report_of_a_right_bill(tmp_path: Path) -> None:
    ledger = tmp_path / "l.sqlite"
    issue(contract(), events(FEB_ROWS), "2020-01", ledger)
    dry = issue(contract(), events(FEB_ROWS), "2020-02", ledger, dry_run=True).invoice
    assert dry is not None
    report = verify_bill(contract(), events(FEB_ROWS), read_bill_csv(invoice_csv(dry), "b.csv"),
                         parse_period("2020-02"), ledger_path=str(ledger))
    html = report_html(report)
    assert report.ok and '<div class="verdict ok">' in html and "verdict bad" not in html
    assert ("✔ Lasku on oikein / The bill is right Laskutettu / Billed 300.00 · Laskettu / "
            "Computed 300.00 · Erotus / Difference 0.00 EUR") in _text(html)
    assert '<span class="chip c-amount_differs zero">' in html
