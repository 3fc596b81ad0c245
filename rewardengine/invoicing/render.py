"""Invoices and verification reports as JSON, CSV and printable HTML (Finnish and English).

- JSON is canonical: sorted keys, two-space indent, UTF-8, amounts as strings with two
  decimals, a newline at the end. The same invoice always gives the same bytes.
- CSV has one row per invoice line and correction, then subtotal, VAT and total rows. Every
  cell that a spreadsheet could execute (starting with ``=``, ``+``, ``-``, ``@``, a tab or a
  carriage return) gets a leading apostrophe (``rewardengine.csvsafe``); the bill reader
  removes it again.
- HTML is one self-contained, printable A4 document with bilingual labels ("Lasku / Invoice"),
  or labels and reasons in one of Finnish, Swedish and English (``lang``, from the catalogue of
  ``labels.py``, with Finnish number and date formats): seller and buyer with their ids and
  addresses, how to pay, lines, corrections marked as credits or debits naming the invoice line
  they correct, totals with a VAT row per category and rate, then what is shown for
  information only (pending lines, corrections beyond reach) and the audit hashes. Inline
  CSS, no scripts, no external assets, nothing from the clock; every value is escaped.
  Amount columns name the contract's currency.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from html import escape

from ..csvsafe import write_csv
from ..errors import Severity
from ..jsonout import canonical_json, write_canonical
from ..printable import printable
from ..values import money_text
from .invoice import Correction, Invoice, InvoiceLine, Note, Party, Section, vat_words
from .labels import Labels
from .reference import printed, printed_iban
from .verify import CLASSES, VerifyReport

canonical_text = canonical_json


def invoice_json(invoice: Invoice) -> str:
    return canonical_text(invoice.to_dict())


def write_invoice_json(invoice: Invoice, write: Callable[[str], object]) -> None:
    """``invoice_json(invoice)`` handed to ``write`` in pieces (the same text)."""
    write_canonical(invoice.to_dict(), write)


def report_json(report: VerifyReport) -> str:
    return canonical_text(report.to_dict())


CSV_HEADER = ("invoice", "period", "line", "type", "provider", "customer_id", "component",
              "occurrence", "date", "quantity", "unit_price", "amount", "corrects",
              "invoiced_before", "now", "reason", "evidence", "clause")


def invoice_csv(invoice: Invoice) -> str:
    rows: list[list[object]] = []
    n, p = invoice.number, invoice.period.label
    for ln in invoice.lines:
        rows.append([n, p, ln.no, "line", ln.provider, ln.customer_id or "", ln.component,
                     ln.occurrence, ln.date or "", ln.quantity, ln.unit_price,
                     money_text(ln.amount), "", "", "",
                     ln.reason + (f" [{ln.cap}]" if ln.cap else ""), " ".join(ln.evidence),
                     ln.clause])
    for c in invoice.corrections:
        rows.append([n, p, c.no, "correction", c.provider, c.customer_id or "", c.component,
                     c.occurrence, c.date or "", "", "", money_text(c.amount), c.corrects,
                     money_text(c.invoiced_before), money_text(c.now), c.reason,
                     " ".join(c.evidence), c.clause])
    for kind, amount in (("subtotal", invoice.subtotal), ("vat", invoice.vat),
                         ("total", invoice.total)):
        rows.append([n, p, "", kind, "", "", "", "", "", "", "", money_text(amount), "", "",
                     "", vat_words(invoice) if kind == "vat" else "", "", ""])
    return write_csv(CSV_HEADER, rows)


# --- HTML ------------------------------------------------------------------------------------
#
# One self-contained A4 page (CSS inline, no scripts, no external assets). Labels are Finnish
# and English constants; every value from the invoice or the report goes through ``_e``.
# Amounts are written as in the CSV and JSON (``1234.56``, a minus for credits), so the HTML,
# the CSV and the reasons' wording show the same figures.

_STYLE = """
@page { size: A4; margin: 14mm 12mm 16mm 12mm;
  @bottom-left { content: var(--doc);
    font: 7.5pt Arial, "Liberation Sans", "DejaVu Sans", sans-serif; color: #555; }
  @bottom-right { content: "Sivu / Page " counter(page) " / " counter(pages);
    font: 7.5pt Arial, "Liberation Sans", "DejaVu Sans", sans-serif; color: #555; }
}
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: "Segoe UI", Arial, "Helvetica Neue", "Liberation Sans", "DejaVu Sans",
  sans-serif; font-size: 9.5pt; line-height: 1.35; color: #111; margin: 0 auto;
  padding: 12mm 10mm; max-width: 210mm; background: #fff; }
h1 { font-size: 18pt; margin: 0; letter-spacing: .02em; }
h2 { font-size: 11.5pt; margin: 1.4em 0 .4em; padding-bottom: .15em;
  border-bottom: 1.5px solid #333; break-after: avoid; }
h3 { font-size: 10pt; margin: 1.1em 0 .35em; break-after: avoid; }
p { margin: .3em 0; }
.muted { color: #555; } .small { font-size: 8pt; }
.en { font-weight: normal; color: #444; }
.head { display: flex; justify-content: space-between; align-items: flex-start; gap: 8mm;
  border-bottom: 2px solid #111; padding-bottom: 3mm; margin-bottom: 4mm; }
.docno { font-size: 11pt; font-weight: bold; margin-top: 1mm; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; }
table.kv { width: auto; font-size: 8.5pt; }
table.kv th { text-align: left; font-weight: bold; padding: .1em 1em .1em 0;
  white-space: nowrap; vertical-align: top; }
table.kv td { padding: .1em 0; vertical-align: top; overflow-wrap: anywhere; }
.head table.kv td { white-space: nowrap; }
.parties { display: flex; gap: 6mm; margin: 0 0 3mm; }
.party { flex: 1 1 0; border: 1px solid #999; padding: 2mm 3mm; min-height: 18mm; }
.party .role { font-size: 7.5pt; text-transform: uppercase; letter-spacing: .05em;
  color: #444; margin-bottom: 1mm; }
.party .name { font-weight: bold; font-size: 10.5pt; overflow-wrap: anywhere; }
.party ul { margin: .2em 0 0; padding-left: 1.1em; }
.ref { margin: 0 0 2mm; overflow-wrap: anywhere; }
table.rows { table-layout: fixed; font-size: 8.5pt; margin: .3em 0 .6em; }
table.rows th { background: #e8e8e8; text-align: left; font-weight: bold; vertical-align: bottom;
  padding: .3em .35em; border-top: 1px solid #555; border-bottom: 1px solid #555;
  overflow-wrap: anywhere; hyphens: auto; }
table.rows td { padding: .3em .35em .1em; vertical-align: top; overflow-wrap: anywhere; }
table.rows tbody { break-inside: avoid; border-bottom: 1px solid #bbb; }
table.rows tr.detail td { padding: 0 .35em .35em; font-size: 7.8pt; color: #333; }
table.rows thead { display: table-header-group; }
.num { text-align: right !important; white-space: nowrap; font-variant-numeric: tabular-nums; }
th.num { white-space: normal; }
.credit { color: #a00; }
.occ { display: block; font-size: 7.8pt; color: #555; }
.k { font-weight: bold; color: #333; }
.tag { display: inline-block; font-size: 7.5pt; font-weight: bold; padding: 0 .35em;
  border: 1px solid; border-radius: 2px; white-space: nowrap; }
td > .tag[class*="c-"] { white-space: normal; }
.tag.credit { color: #a00; background: #fdecec; }
.tag.debit { color: #0b4f8a; background: #e9f1fa; }
.sum { display: flex; justify-content: flex-end; margin: .2em 0 .8em; }
table.totals { width: 95mm; font-size: 9.5pt; }
table.totals th { text-align: left; font-weight: normal; padding: .2em 1.2em .2em 0; }
table.totals td { padding: .2em 0; }
table.totals tr.grand th, table.totals tr.grand td { font-weight: bold; font-size: 11.5pt;
  border-top: 3px double #111; padding-top: .35em; }
table.totals tr.sub th, table.totals tr.sub td { border-top: 1px solid #111; }
.box { border: 1.5px solid #b35c00; background: #fff5e6; padding: 2mm 3mm; margin: 3mm 0;
  break-inside: avoid; }
.box h2 { border: 0; margin: 0 0 .3em; }
.box ul { margin: .2em 0; padding-left: 1.2em; }
.info table.rows td { color: #333; } .info td.num { font-style: italic; }
.audit { margin-top: 6mm; border-top: 1px solid #999; padding-top: 2mm; font-size: 7.5pt;
  color: #333; break-inside: avoid; }
.audit table.kv { font-size: 7.5pt; }
.audit td { font-family: "DejaVu Sans Mono", Consolas, monospace; }
.verdict { border: 3px solid; padding: 3mm 4mm; margin: 0 0 4mm; break-inside: avoid; }
.verdict .big { font-size: 15pt; font-weight: bold; }
.verdict.ok { border-color: #1b7f3b; background: #eaf6ee; color: #145c2c; }
.verdict.bad { border-color: #b00020; background: #fdecef; color: #8a0019; }
.verdict p { color: #111; margin: .4em 0 0; }
.chips { display: flex; flex-wrap: wrap; gap: 2mm; margin: .3em 0 .6em; }
.chip { border: 1.5px solid; padding: .15em .6em; font-size: 8.5pt; }
.chip b { font-size: 10pt; margin-left: .3em; }
.chip.zero { border-color: #bbb !important; color: #777 !important;
  background: #fff !important; }
.c-match { color: #145c2c; border-color: #1b7f3b; background: #eaf6ee; }
.c-amount_differs { color: #8a4500; border-color: #b35c00; background: #fff1e0; }
.c-not_payable { color: #8a0019; border-color: #b00020; background: #fdecef; }
.c-duplicate { color: #4b2a75; border-color: #6a3d9a; background: #f2ecf8; }
.c-underbilled { color: #0b4f8a; border-color: #0b5cad; background: #e9f1fa; }
table.rows tbody.f-match td:first-child { border-left: 4px solid #1b7f3b; }
table.rows tbody.f-amount_differs td:first-child { border-left: 4px solid #b35c00; }
table.rows tbody.f-not_payable td:first-child { border-left: 4px solid #b00020; }
table.rows tbody.f-duplicate td:first-child { border-left: 4px solid #6a3d9a; }
table.rows tbody.f-underbilled td:first-child { border-left: 4px solid #0b5cad; }
@media print { body { padding: 0; max-width: none; } }
"""

# the segment every customer has when the contract has a single price tier (not shown)
_SINGLE_TIER = "default"
_BILINGUAL = Labels(None)


def _e(value: object) -> str:
    # control characters from input are shown as escapes: the page may go to a terminal
    return escape(printable("" if value is None else str(value)), quote=True)


def _css_string(value: str) -> str:
    """``value`` as a CSS string literal: every character but letters and digits is a hex
    escape, so nothing in it can end the string or the ``<style>`` element."""
    return '"' + "".join(ch if ch.isascii() and ch.isalnum() else f"\\{ord(ch):x} "
                         for ch in value) + '"'


def _money(amount: Decimal | None, *, unit: str = "", t: Labels | None = None) -> str:
    """An amount cell: right-aligned, two decimals, red when negative."""
    if amount is None:
        return "<td class=\"num\"></td>"
    cls = "num credit" if amount < 0 else "num"
    text = money_text(amount) if t is None else t.money(amount)
    return f"<td class=\"{cls}\">{_e(text)}{_e(unit)}</td>"


def _kv(rows: list[tuple[str, object]], cls: str = "kv") -> str:
    """A label/value table; labels are constants (HTML), values are escaped."""
    cells = "".join(f"<tr><th>{label}</th><td>{_e(value)}</td></tr>" for label, value in rows)
    return f"<table class=\"{cls}\">{cells}</table>"


def _rows_table(columns: list[tuple[str, int, bool]], items: list[str]) -> str:
    """A table of items, each its own ``<tbody>`` (a main row and a detail row) so an item
    never breaks across pages. ``columns``: (label HTML, width in %, numeric)."""
    cols = "".join(f"<col style=\"width:{width}%\">" for _, width, _ in columns)
    num_class = ' class="num"'
    head = "".join(f"<th{num_class if num else ''}>{label}</th>" for label, _, num in columns)
    return (f"<table class=\"rows\"><colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead>"
            f"{''.join(items)}</table>")


def _detail(colspan: int, parts: list[tuple[str, str]], lead: int = 1) -> str:
    """The detail row under an item: reason, evidence, clause, in words. ``parts`` are
    (label HTML or "", escaped value); empty values are left out."""
    text = " · ".join((f"<span class=\"k\">{label}:</span> {value}" if label else value)
                      for label, value in parts if value)
    return (f"<tr class=\"detail\">{'<td></td>' * lead}"
            f"<td colspan=\"{colspan - lead}\">{text}</td></tr>")


def _customer(customer_id: str | None, segment: str | None = None,
              t: Labels = _BILINGUAL) -> str:
    if customer_id is None:
        return f"<td><span class=\"muted\">{_e(t.s('contract'))}</span></td>"
    seg = (f"<span class=\"occ\">{_e(t.s('segment'))} {_e(segment)}</span>"
           if segment and segment != _SINGLE_TIER else "")
    return f"<td>{_e(customer_id)}{seg}</td>"


def _component(component: str, occurrence: str | None) -> str:
    occ = f"<span class=\"occ\">{_e(occurrence)}</span>" if occurrence else ""
    return f"<td>{_e(component)}{occ}</td>"


def _page(title: str, body: str, footer: str, t: Labels = _BILINGUAL) -> str:
    style = _STYLE if t.lang is None else _STYLE.replace(
        '"Sivu / Page "', _css_string(t.s("Page") + " "))
    return (f"<!DOCTYPE html>\n<html lang=\"{t.lang or 'fi'}\">\n<head>\n"
            "<meta charset=\"utf-8\">\n"
            f"<title>{_e(title)}</title>\n<style>{style}"
            f":root {{ --doc: {_css_string(footer)}; }}\n</style>\n</head>\n<body>\n"
            f"{body}\n</body>\n</html>\n")


def _line_columns(t: Labels, unit: str) -> list[tuple[str, int, bool]]:
    return [(t.h("Line"), 6, True), (t.h("Customer"), 12, False),
            (t.h("Component") + f"<span class=\"occ\">{_e(t.s('occurrence'))}</span>", 29,
             False),
            (t.h("Date"), 12, False), (t.h("Qty"), 9, True), (t.h("Unit price"), 15, True),
            (t.h("Amount") + f" {_e(unit)}", 17, True)]


def _correction_columns(t: Labels, unit: str) -> list[tuple[str, int, bool]]:
    return [(t.h("Line"), 6, True), (t.h("Customer"), 11, False),
            (t.h("Component") + f"<span class=\"occ\">{_e(t.s('occurrence'))}</span>", 22,
             False),
            (t.h("Corrects"), 22, False), (t.h("Invoiced before"), 13, True),
            (t.h("Now"), 12, True), (t.h("Amount") + f" {_e(unit)}", 14, True)]


def _note_columns(t: Labels, amount_label: str) -> list[tuple[str, int, bool]]:
    return [(t.h("Customer"), 11, False),
            (t.h("Component") + f"<span class=\"occ\">{_e(t.s('occurrence'))}</span>", 22,
             False),
            (t.h("Date"), 11, False), (amount_label, 14, True), (t.h("Reason"), 42, False)]


def _vat_text(t: Labels, x: InvoiceLine | Correction, shown: bool) -> str:
    """A line's VAT, in its detail row when the invoice has more than one rate or category."""
    if x.vat is None or not shown:
        return ""
    text = f"{t.percent(x.vat.rate)} % ({x.vat.category})"
    return text + (f", {t.reason(x.vat.exemption_reason)}" if x.vat.exemption_reason else "")


def _line_items(s: Section, t: Labels, unit: str, vat: bool) -> str:
    items = []
    columns = _line_columns(t, unit)
    for ln in s.lines:
        detail = [(t.h("Reason"), _e(t.reason(ln.reason))),
                  (t.h("Cap"), _e(t.reason(ln.cap) if ln.cap else ln.cap)),
                  (t.h("VAT"), _e(_vat_text(t, ln, vat))),
                  (t.h("Evidence"), _e(", ".join(ln.evidence))),
                  (t.h("Clause"), _e(ln.clause))]
        items.append(
            f"<tbody><tr><td class=\"num\">{ln.no}</td>"
            f"{_customer(ln.customer_id, ln.segment, t)}"
            f"{_component(ln.component, ln.occurrence)}<td>{_e(t.date(ln.date))}</td>"
            f"<td class=\"num\">{_e(t.number(ln.quantity))}</td>"
            f"{_money(ln.unit_price, t=t)}{_money(ln.amount, t=t)}</tr>"
            f"{_detail(len(columns), detail)}</tbody>")
    return _rows_table(columns, items)


def _correction_items(s: Section, t: Labels, unit: str, vat: bool) -> str:
    items = []
    columns = _correction_columns(t, unit)
    for c in s.corrections:
        tag = (f"<span class=\"tag credit\">{_e(t.s('Credit'))}</span>" if c.amount < 0 else
               f"<span class=\"tag debit\">{_e(t.s('Debit'))}</span>")
        corrects = (f"{tag}<br>{_e(t.s('invoice'))} <b>{_e(c.corrects_invoice)}</b> "
                    f"{_e(t.s('line'))} <b>{c.corrects_line}</b>")
        detail = [(t.h("Reason"), _e(t.reason(c.reason))), (t.h("VAT"), _e(_vat_text(t, c, vat))),
                  (t.h("Evidence"), _e(", ".join(c.evidence))),
                  (t.h("Clause"), _e(c.clause))]
        items.append(
            f"<tbody><tr><td class=\"num\">{c.no}</td>"
            f"{_customer(c.customer_id, c.segment, t)}"
            f"{_component(c.component, c.occurrence)}<td>{corrects}</td>"
            f"{_money(c.invoiced_before, t=t)}{_money(c.now, t=t)}{_money(c.amount, t=t)}"
            f"</tr>{_detail(len(columns), detail)}</tbody>")
    return _rows_table(columns, items)


def _notes(notes: tuple[Note, ...], amount_label: str, t: Labels) -> str:
    return _rows_table(_note_columns(t, amount_label), [
        f"<tbody><tr>{_customer(n.customer_id, t=t)}{_component(n.component, n.occurrence)}"
        f"<td>{_e(t.date(n.date))}</td>{_money(n.amount, t=t)}<td>{_e(t.reason(n.reason))}"
        "</td></tr></tbody>" for n in notes])


def _provider_heading(s: Section, tag: str, t: Labels) -> str:
    bid = f", {_e(t.s('Business ID'))} {_e(s.business_id)}" if s.business_id else ""
    return (f"<{tag}>{t.h('Provider')}: {_e(s.provider_name)} ({_e(s.provider)}){bid}"
            f"</{tag}>")


def _section(invoice: Invoice, s: Section, joint: bool, t: Labels) -> str:
    h, unit = ("h3" if joint else "h2"), invoice.currency
    vat = len(invoice.vat_breakdown) > 1
    parts = [_provider_heading(s, "h2", t)] if joint else []
    parts.append(f"<{h}>{t.h('Invoice lines')}</{h}>")
    if s.lines:
        parts.append(_line_items(s, t, unit, vat))
    else:
        parts.append(f"<p class=\"muted\">{_e(t.s('No new lines'))}</p>")
    if s.corrections:
        parts.append(f"<{h}>{t.h('Corrections to earlier invoices')}</{h}>")
        parts.append(_correction_items(s, t, unit, vat))
    if joint:
        rows = f"<tr class=\"sub\"><th>{_e(t.s('Subtotal'))} {_e(s.provider)}</th>" \
            f"{_money(s.subtotal, unit=' ' + unit, t=t)}</tr>"
        if invoice.member_invoices:  # each member's own invoice: its own VAT
            tax = sum((g.tax for g in s.vat_breakdown(invoice.vat_rate)), Decimal("0.00"))
            rows += (f"<tr><th>{_e(t.s('VAT'))}</th>{_money(tax, unit=' ' + unit, t=t)}</tr>"
                     f"<tr><th>{_e(t.s('Total'))} {_e(s.provider)}</th>"
                     f"{_money(s.subtotal + tax, unit=' ' + unit, t=t)}</tr>")
        parts.append(f"<div class=\"sum\"><table class=\"totals\">{rows}</table></div>")
    return "\n".join(parts)


def _info_section(s: Section, joint: bool, t: Labels) -> str:
    """What is shown for information and not invoiced: corrections beyond reach, pending."""
    if not s.uncorrected and not s.pending:
        return ""
    parts = [_provider_heading(s, "h3", t)] if joint else []
    if s.uncorrected:
        parts.append(f"<h3>{t.h('Not corrected, beyond the correction reach')}</h3>")
        parts.append(_notes(s.uncorrected, t.h("Difference"), t))
    if s.pending:
        parts.append(f"<h3>{t.h('Pending, not invoiced')}</h3>")
        parts.append(_notes(s.pending, t.h("Possible amount"), t))
    return "\n".join(parts)


def _party_lines(p: Party | None, t: Labels) -> str:
    """A party's ids and address under its name (what an e-invoice names)."""
    if p is None:
        return ""
    rows = [f"{_e(t.s('Business ID'))} {_e(p.business_id)}" if p.business_id else "",
            f"{_e(t.s('VAT ID'))} {_e(p.vat_id)}" if p.vat_id else "",
            _e(p.street) if p.street else "",
            _e(" ".join(x for x in (p.postal_code, p.city) if x)) if p.city else "",
            _e(p.country) if p.country and p.country != "FI" else ""]
    return "".join(f"<div>{r}</div>" for r in rows if r)


SUMMARY = "summary of the members' own invoices"


def _seller(invoice: Invoice, t: Labels) -> str:
    lead = invoice.lead_provider
    if len(invoice.sections) == 1 or lead is not None:
        s = next(x for x in invoice.sections if x.provider == (lead or x.provider))
        bid = (f"<div>{_e(t.s('Business ID'))} {_e(s.business_id)}</div>"
               if s.business_id and s.seller is None else "")
        role = t.s("lead provider") if lead else t.s("provider")
        return (f"<div class=\"role\">{_e(t.s('Seller'))} — {_e(role)}</div>"
                f"<div class=\"name\">{_e(s.provider_name)}</div>{bid}"
                f"{_party_lines(s.seller, t)}"
                f"<div class=\"small muted\">{_e(t.s('id in the contract'))}: "
                f"{_e(s.provider)}</div>")
    members = "".join(
        f"<li><b>{_e(s.provider_name)}</b> ({_e(s.provider)})"
        + (f", {_e(t.s('Business ID'))} {_e(s.business_id)}" if s.business_id else "")
        + "</li>" for s in invoice.sections)
    summary = (f"<div class=\"small muted\">{_e(t.s(SUMMARY))}</div>"
               if invoice.member_invoices else "")
    return (f"<div class=\"role\">{_e(t.s('Seller'))} — {_e(t.s('joint invoice'))}</div>"
            f"<div class=\"name\">{_e(t.s('Consortium'))}</div><ul>{members}</ul>{summary}")


def _head(invoice: Invoice, t: Labels, title: str) -> str:
    period = (f"{t.period(invoice.period.label)} "
              f"({t.span(invoice.period.start, invoice.period.last_day)})")
    rows: list[tuple[str, object]] = [
        (t.s("Invoice number"), invoice.number), (t.s("Issue date"), t.date(invoice.issue_date)),
        (t.s("Billing period"), period), (t.s("Facts as of"), t.date(invoice.as_of)),
        (t.s("Currency"), invoice.currency)]
    if invoice.buyer_party is not None and not invoice.credit_note:
        rows.append((t.s("Due date"), t.date(invoice.due_date)))
        if invoice.payment_reference:
            rows.append((t.s("Payment reference"), printed(invoice.payment_reference)))
    if invoice.credit_note and invoice.corrected_invoices:
        rows.append((t.s("Corrects invoices"), ", ".join(invoice.corrected_invoices)))
    return ("<div class=\"head\"><div>"
            f"<h1>{t.h(title)}</h1><div class=\"docno\">{_e(invoice.number)}</div></div>"
            + _kv([(_e(k), v) for k, v in rows]) + "</div>")


def _buyer(invoice: Invoice, t: Labels) -> str:
    p = invoice.buyer_party
    refs = [(t.s("Buyer reference"), invoice.buyer_reference),
            (t.s("Order number"), invoice.order_reference),
            (t.s("Contract number"), invoice.contract_reference)]
    extra = "".join(f"<div>{_e(k)} {_e(v)}</div>" for k, v in refs if v)
    role = (f"{_e(t.s('Buyer'))} — tilaaja" if t.lang is None
            else f"{_e(t.s('Buyer'))} — {_e(t.s('purchaser'))}")
    return (f"<div class=\"party\"><div class=\"role\">{role}</div>"
            f"<div class=\"name\">{_e(p.name if p else invoice.buyer)}</div>"
            f"{_party_lines(p, t)}{extra}</div>")


def _payment(invoice: Invoice, t: Labels) -> str:
    """How to pay: the seller's account, the reference and the due date."""
    seller = invoice.seller
    if seller is None or seller.iban is None or invoice.credit_note:
        return ""
    terms = (invoice.due_date - invoice.issue_date).days if invoice.due_date else None
    rows: list[tuple[str, object]] = [
        (_e(t.s("Bank account")), f"{printed_iban(seller.iban)} {seller.bic or ''}".strip()),
        (_e(t.s("Payment reference")),
         printed(invoice.payment_reference) if invoice.payment_reference else None),
        (_e(t.s("Due date")), t.date(invoice.due_date))]
    if terms is not None:
        rows.append((_e(t.s("Payment terms")), f"{terms} {t.s('days net')}"))
    return f"<div class=\"ref\">{_kv(rows)}</div>"


def _vat_rows(invoice: Invoice, t: Labels, unit: str) -> str:
    """One VAT row per category and rate (the breakdown), or the one rate as before."""
    groups = invoice.vat_breakdown
    if invoice.buyer_party is None and len(groups) <= 1:
        percent = t.percent(groups[0].rate if groups else invoice.vat_rate)
        return (f"<tr><th>{_e(t.s('VAT'))} {_e(percent)} %</th>"
                f"{_money(invoice.vat, unit=unit, t=t)}</tr>")
    return "".join(
        f"<tr><th>{_e(t.s('VAT'))} {_e(t.percent(g.rate))} % ({_e(g.category)}"
        f"{', ' + _e(t.reason(g.exemption_reason)) if g.exemption_reason else ''}) "
        f"<span class=\"small muted\">{_e(t.money(g.taxable))}</span></th>"
        f"{_money(g.tax, unit=unit, t=t)}</tr>" for g in groups)


def _totals(invoice: Invoice, t: Labels) -> str:
    unit = " " + invoice.currency
    return (
        "<div class=\"sum\"><table class=\"totals\">"
        f"<tr class=\"sub\"><th>{_e(t.s('Subtotal'))} <span class=\"small muted\">"
        f"({_e(t.s('excl. VAT'))})</span></th>{_money(invoice.subtotal, unit=unit, t=t)}</tr>"
        f"{_vat_rows(invoice, t, unit)}"
        f"<tr class=\"grand\"><th>{_e(t.s('Total'))}</th>"
        f"{_money(invoice.total, unit=unit, t=t)}</tr></table></div>")


def _problems_box(invoice: Invoice, t: Labels) -> str:
    """The evaluation's problems, each under what it means for the invoice: customers that
    could not be evaluated (errors), facts passed over (warnings); nothing without any."""
    if not invoice.problems:
        return ""
    errors = [p for p in invoice.problems if p.severity is Severity.ERROR]
    notes = [p for p in invoice.problems if p.severity is not Severity.ERROR]
    parts = [(errors, "These customers could not be evaluated, so their earnings are missing "
                      "from this invoice."),
             (notes, "Facts the evaluation passed over; they are not counted on this "
                     "invoice.")]
    return (f"<div class=\"box\"><h2>{_e(t.s('Problems'))}</h2>" + "".join(
        f"<p>{_e(t.s(words))}</p><ul>" + "".join(f"<li>{_e(p)}</li>" for p in found)
        + "</ul>" for found, words in parts if found) + "</div>")


def invoice_html(invoice: Invoice, lang: str | None = None) -> str:
    """The printable invoice: bilingual Finnish and English (``lang=None``), or in one of
    ``fi``, ``sv``, ``en`` with Finnish number and date formats."""
    t = Labels(lang)
    title = "Credit note" if invoice.credit_note else "Invoice"
    joint = len(invoice.sections) > 1
    parties = (f"<div class=\"parties\"><div class=\"party\">{_seller(invoice, t)}</div>"
               f"{_buyer(invoice, t)}</div>")
    ref = (f"<p class=\"ref\"><span class=\"k\">{_e(t.s('Contract'))}:</span> "
           f"{_e(invoice.contract_title)} ({_e(invoice.contract_id)}, {_e(t.s('version'))} "
           f"{_e(invoice.contract_version)})</p>")
    problems = _problems_box(invoice, t)
    sections = "\n".join(_section(invoice, s, joint, t) for s in invoice.sections)
    info = "\n".join(x for x in (_info_section(s, joint, t) for s in invoice.sections) if x)
    if info:
        info = (f"<div class=\"info\"><h2>{t.h('For information, not invoiced')}</h2>"
                f"<p class=\"small muted\">"
                f"{_e(t.s('These rows are not in any total of this invoice.'))}</p>\n{info}"
                "</div>")
    audit = (f"<div class=\"audit\"><b>{_e(t.s('Audit data'))}</b>" + _kv([
        (_e(t.s("Contract sha256")), invoice.contract_sha256),
        (_e(t.s("Event inputs sha256")), invoice.inputs_sha256),
        (_e(t.s("Engine version")), f"rewardengine {invoice.engine_version}"),
    ]) + "</div>")
    body = "\n".join(x for x in (_head(invoice, t, title), parties, ref, _payment(invoice, t),
                                 problems, sections, f"<h2>{t.h('Totals')}</h2>",
                                 _totals(invoice, t), info, audit) if x)
    heading = f"{t.s(title)} {invoice.number}"
    return _page(heading, body, heading, t)


_CLASS_LABELS = {
    "match": "Match",
    "amount_differs": "Amount differs",
    "date_differs": "Date differs",
    "not_payable": "Not payable",
    "duplicate": "Billed twice",
    "underbilled": "Underbilled",
}


# a class drawn in another's colours (the page's style sheet, shared with invoices, is kept)
_LOOK = {"date_differs": "amount_differs"}


def class_label(cls: str, t: Labels = _BILINGUAL) -> str:
    return t.s(_CLASS_LABELS[cls]) if cls in _CLASS_LABELS else cls


def _finding_columns(t: Labels) -> list[tuple[str, int, bool]]:
    occurrence = t.s("occurrence") if t.lang is not None else "esiintymä / occurrence"
    return [(t.h("Class"), 16, False), (t.h("Row"), 6, True), (t.h("Customer"), 10, False),
            (t.h("Component") + f"<span class=\"occ\">{_e(occurrence)}</span>", 22, False),
            (t.h("Date"), 11, False), (t.h("Billed"), 11, True), (t.h("Computed"), 11, True),
            (t.h("Difference"), 13, True)]


def _verdict(report: VerifyReport, unit: str, t: Labels) -> str:
    figures = (f"{_e(t.s('Billed'))} <b>{_e(t.money(report.billed_total))}</b> · "
               f"{_e(t.s('Computed'))} <b>{_e(t.money(report.computed_total))}</b> · "
               f"{_e(t.s('Difference'))} <b>{_e(t.money(report.difference))}</b>{unit} "
               f"({_e(t.s('VAT excluded'))})")
    if report.ok:
        return (f"<div class=\"verdict ok\"><div class=\"big\">✔ "
                f"{_e(t.s('The bill is right'))}</div><p>{figures}</p></div>")
    wrong = sum(report.count(c) for c in CLASSES if c != "match")
    return (f"<div class=\"verdict bad\"><div class=\"big\">✘ "
            f"{_e(t.s('The bill is not right'))}</div><p>{figures}</p><p>"
            f"{_e(t.s('Rows not matching'))}: <b>{wrong}</b>; "
            f"{_e(t.s('problems in the bill'))}: "
            f"<b>{len(report.problems)}</b></p></div>")


_SHOWN_PROBLEMS = 50  # a report lists the first of the events' problems, and how many more


def _event_problems(report: VerifyReport, t: Labels) -> str:
    """The evaluation's problems, as the computed invoice holds them: the first ones, and
    how many more (a large data set may warn of thousands of facts passed over)."""
    found = report.event_problems
    if not found:
        return ""
    more = len(found) - _SHOWN_PROBLEMS
    return (f"<div class=\"box\"><h2>{_e(t.s('Problems in the events'))}</h2><p>"
            f"{_e(t.s('As the computed invoice holds them; they do not make the bill wrong'))}"
            "</p><ul>" + "".join(f"<li>{_e(p)}</li>" for p in found[:_SHOWN_PROBLEMS])
            + (f"<li>{_e(t.s('and more'))}: {more}</li>" if more > 0 else "")
            + "</ul></div>")


def _report_head(report: VerifyReport, t: Labels) -> str:
    return (f"<div class=\"head\"><div><h1>{t.h('Bill verification')}</h1>"
            f"<div class=\"docno\">{_e(report.bill_file)}</div></div>"
            + _kv([(_e(t.s("Billing period")),
                    f"{t.period(report.period.label)} "
                    f"({t.span(report.period.start, report.period.last_day)})"),
                   (_e(t.s("Facts as of")), t.date(report.as_of)),
                   (_e(t.s("Provider")), ", ".join(report.providers))])
            + "</div>")


def _findings(report: VerifyReport, t: Labels) -> str:
    columns = _finding_columns(t)
    items = []
    for f in report.findings:
        detail = [(t.h("Reason"), _e(t.reason(f.reason))),
                  (t.h("Reference"), _e(t.reason(f.ref) if f.ref else f.ref)),
                  (t.h("Evidence"), _e(", ".join(f.evidence))), (t.h("Clause"), _e(f.clause))]
        row = "" if f.row is None else str(f.row)
        day = "" if f.date is None else t.date(f.date)
        look = _LOOK.get(f.cls, f.cls)
        items.append(
            f"<tbody class=\"f-{_e(look)}\"><tr><td><span class=\"tag c-{_e(look)}\">"
            f"{_e(class_label(f.cls, t))}</span></td><td class=\"num\">{_e(row)}</td>"
            f"{_customer(f.customer_id or None, t=t)}{_component(f.component, f.occurrence)}"
            f"<td>{_e(day)}</td>{_money(f.billed, t=t)}{_money(f.computed, t=t)}"
            f"{_money(f.difference, t=t)}</tr>{_detail(len(columns), detail)}</tbody>")
    return (_rows_table(columns, items) if items else
            f"<p class=\"muted\">{_e(t.s('No lines'))}</p>")


def report_html(report: VerifyReport, lang: str | None = None) -> str:
    """The bill check as a printable page: bilingual Finnish and English (``lang=None``),
    or in one of ``fi``, ``sv``, ``en`` with Finnish number and date formats; reasons
    translated as on invoices."""
    t = Labels(lang)
    unit = " " + report.currency
    meta = _kv([
        (_e(t.s("Bill")), report.bill_file),
        (_e(t.s("Contract")), f"{report.contract_id} ({t.s('version')} "
                              f"{report.contract_version})"),
        (_e(t.s("Contract sha256")), report.contract_sha256),
        (_e(t.s("Compared with")), t.reason(report.ledger) if report.ledger else ""),
        (_e(t.s("Computed invoice")), report.expected_number),
    ])
    chips = "<div class=\"chips\">" + "".join(
        f"<span class=\"chip c-{_LOOK.get(c, c)}{' zero' if not report.count(c) else ''}\">"
        f"{_e(class_label(c, t))}<b>{report.count(c)}</b></span>" for c in CLASSES) + "</div>"
    totals = (
        "<div class=\"sum\"><table class=\"totals\">"
        f"<tr><th>{_e(t.s('Billed total'))}</th>"
        f"{_money(report.billed_total, unit=unit, t=t)}</tr>"
        f"<tr><th>{_e(t.s('Computed total'))}</th>"
        f"{_money(report.computed_total, unit=unit, t=t)}</tr>"
        f"<tr class=\"grand\"><th>{_e(t.s('Difference'))}</th>"
        f"{_money(report.difference, unit=unit, t=t)}</tr></table></div>")
    problems = ""
    if report.problems:
        problems = (f"<div class=\"box\"><h2>{_e(t.s('Problems in the bill'))}</h2><ul>"
                    + "".join(f"<li>{_e(p)}</li>" for p in report.problems) + "</ul></div>")
    body = "\n".join(x for x in (
        _report_head(report, t), _verdict(report, unit, t), problems,
        _event_problems(report, t), meta,
        f"<h2>{t.h('Lines')}</h2>", chips, _findings(report, t),
        f"<h2>{t.h('Totals')} <span class=\"small muted\">({_e(t.s('VAT excluded'))})"
        "</span></h2>", totals) if x)
    title = f"{t.s('Bill verification')} {t.period(report.period.label)}"
    return _page(title, body, title, t)
