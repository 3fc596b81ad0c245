"""Invoice formats: canonical JSON, spreadsheet-safe CSV, escaped bilingual HTML."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from invoicing_cases import contract, events, issue

from rewardengine.invoicing.invoice import Invoice
from rewardengine.invoicing.render import invoice_csv, invoice_html, invoice_json

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
