"""An invoice as an Excel workbook, for checkers who work in Excel (XlsxWriter).

Two sheets: the invoice (number, dates, the parties with their business ids and VAT ids,
payment, totals and the VAT breakdown), and its lines (one row per line and correction, with
their reasons). Amounts, quantities and
prices are real numbers with a number format (``# ##0,00`` as Excel shows it in a Finnish
locale), dates are real dates formatted ``d.m.yyyy``, never text, so the checker can sum and
filter them. Labels and reasons come from the message catalogue (``labels.py``).

The same invoice always gives the same bytes: the workbook's creation date is the invoice's
issue date (XlsxWriter would take the clock's), and XlsxWriter writes its zip entries with
a fixed timestamp.
"""

from __future__ import annotations

import io
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import xlsxwriter  # type: ignore[import-untyped]  # no stubs published

from .invoice import Invoice, VatGroup
from .labels import Labels

MONEY = "#,##0.00"
DATE = "d.m.yyyy"


def _f(value: Decimal) -> float:
    """A cell's number: the cent amount exactly as Excel stores numbers (a double); the
    invoice's amounts have two decimals, so every one is shown and summed to the cent."""
    return float(value)


class _Sheet:
    def __init__(self, ws: Any, formats: dict[str, Any]) -> None:
        self.ws, self.formats, self.row = ws, formats, 0

    def put(self, *cells: object) -> None:
        for col, cell in enumerate(cells):
            if isinstance(cell, Decimal):
                self.ws.write_number(self.row, col, _f(cell), self.formats["money"])
            elif isinstance(cell, int):
                self.ws.write_number(self.row, col, cell)
            elif isinstance(cell, tuple) and cell and cell[0] == "rate":
                self.ws.write_number(self.row, col, _f(cell[1]), self.formats["rate"])
            elif isinstance(cell, tuple) and cell and cell[0] == "qty":
                self.ws.write_number(self.row, col, _f(cell[1]), self.formats["qty"])
            elif isinstance(cell, date):
                self.ws.write_datetime(self.row, col, datetime.combine(cell, time()),
                                       self.formats["date"])
            elif cell is not None and cell != "":
                self.ws.write_string(self.row, col, str(cell))
        self.row += 1

    def head(self, *labels: str) -> None:
        for col, label in enumerate(labels):
            self.ws.write_string(self.row, col, label, self.formats["bold"])
        self.row += 1


def invoice_xlsx(invoice: Invoice, lang: str = "fi") -> bytes:
    """The invoice as XLSX bytes, labelled in ``lang`` (fi, sv or en)."""
    t = Labels(lang)
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    # the issue date, not the clock: the same invoice gives the same bytes
    wb.set_properties({"title": f"{t.s('Invoice')} {invoice.number}",
                       "created": datetime.combine(invoice.issue_date, time())})
    formats = {"money": wb.add_format({"num_format": MONEY}),
               "qty": wb.add_format({"num_format": "0.00##"}),
               "rate": wb.add_format({"num_format": "0.0%"}),
               "date": wb.add_format({"num_format": DATE}),
               "bold": wb.add_format({"bold": True})}
    summary = _Sheet(wb.add_worksheet(t.s("Invoice")[:31]), formats)
    _summary(summary, invoice, t)
    lines = _Sheet(wb.add_worksheet(t.s("Lines")[:31]), formats)
    _lines(lines, invoice, t)
    summary.ws.set_column(0, 0, 28)
    summary.ws.set_column(1, 1, 40)
    lines.ws.set_column(0, 8, 14)
    lines.ws.set_column(12, 12, 80)
    lines.ws.autofilter(0, 0, max(lines.row - 1, 1), 13)
    lines.ws.freeze_panes(1, 0)
    wb.close()
    return buffer.getvalue()


def _summary(s: _Sheet, inv: Invoice, t: Labels) -> None:
    s.head(t.s("Credit note") if inv.credit_note else t.s("Invoice"), inv.number)
    for label, value in (("Issue date", inv.issue_date), ("Due date", inv.due_date),
                         ("Billing period", inv.period.label), ("Facts as of", inv.as_of),
                         ("Currency", inv.currency), ("Payment reference",
                                                     inv.payment_reference),
                         ("Buyer reference", inv.buyer_reference),
                         ("Order number", inv.order_reference),
                         ("Contract number", inv.contract_reference),
                         ("Contract", f"{inv.contract_title} ({inv.contract_id} "
                                      f"{inv.contract_version})")):
        if value is not None:
            s.put(t.s(label), value)
    seller = inv.seller
    if seller is not None:
        s.put(t.s("Seller"), seller.name)
        s.put(t.s("Business ID"), seller.business_id)
        s.put(t.s("VAT ID"), seller.vat_id)
        s.put(t.s("Bank account"), f"{seller.iban or ''} {seller.bic or ''}".strip())
    buyer = inv.buyer_party
    s.put(t.s("Buyer"), buyer.name if buyer else inv.buyer)
    if buyer is not None:  # the ids a checker matches the invoice against, as the seller's
        s.put(t.s("Business ID"), buyer.business_id)
        s.put(t.s("VAT ID"), buyer.vat_id)
    s.row += 1
    s.head(t.s("VAT breakdown"), t.s("VAT category"), t.s("VAT rate"), t.s("Taxable amount"),
           t.s("Tax"))
    for g in inv.vat_breakdown:
        s.put(_group_label(g, t), g.category, ("rate", g.rate), g.taxable, g.tax)
    s.row += 1
    s.put(t.s("Subtotal"), inv.subtotal)
    s.put(t.s("VAT"), inv.vat)
    s.put(t.s("Total"), inv.total)


def _group_label(g: VatGroup, t: Labels) -> str:
    words = {"S": "standard rate", "E": "exempt", "Z": "zero rated", "O": "Not subject to VAT"}
    return t.reason(g.exemption_reason) if g.exemption_reason else t.s(
        words.get(g.category, g.category))


def _lines(s: _Sheet, inv: Invoice, t: Labels) -> None:
    s.head(t.s("Line"), t.s("Type"), t.s("Provider"), t.s("Customer"), t.s("Component"),
           t.s("occurrence"), t.s("Date"), t.s("Qty"), t.s("Unit price"), t.s("Amount"),
           t.s("VAT rate"), t.s("Corrects"), t.s("Reason"), t.s("Clause"))
    for ln in inv.lines:
        s.put(ln.no, t.s("line"), ln.provider, ln.customer_id, ln.component, ln.occurrence,
              ln.date, ("qty", ln.quantity), ln.unit_price, ln.amount,
              ("rate", ln.vat.rate) if ln.vat else None, "", t.reason(ln.reason),
              ln.clause)
    for c in inv.corrections:
        s.put(c.no, t.s("correction"), c.provider, c.customer_id, c.component, c.occurrence,
              c.date, None, None, c.amount, ("rate", c.vat.rate) if c.vat else None,
              c.corrects, t.reason(c.reason), c.clause)
