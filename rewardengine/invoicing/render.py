"""Invoices and verification reports as JSON, CSV and printable HTML (Finnish and English).

- JSON is canonical: sorted keys, two-space indent, UTF-8, amounts as strings with two
  decimals, a newline at the end. The same invoice always gives the same bytes.
- CSV has one row per invoice line and correction, then subtotal, VAT and total rows. Every
  cell that a spreadsheet could execute (starting with ``=``, ``+``, ``-``, ``@``, a tab or a
  carriage return) gets a leading apostrophe (``rewardengine.csvsafe``); the bill reader
  removes it again.
- HTML is one self-contained, printable A4 document with bilingual labels ("Lasku / Invoice"):
  seller and buyer, lines, corrections marked as credits or debits naming the invoice line they
  correct, totals with VAT, then what is shown for information only (pending lines, corrections
  beyond reach) and the audit hashes. Inline CSS, no scripts, no external assets, nothing from
  the clock; every value is escaped.
"""

from __future__ import annotations

from decimal import Decimal
from html import escape

from ..csvsafe import write_csv
from ..jsonout import canonical_json
from ..values import money_text
from .invoice import Invoice, Note, Section
from .verify import CLASSES, VerifyReport

canonical_text = canonical_json


def invoice_json(invoice: Invoice) -> str:
    return canonical_text(invoice.to_dict())


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
                     "", f"VAT {invoice.vat_rate}" if kind == "vat" else "", "", ""])
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


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _css_string(value: str) -> str:
    """``value`` as a CSS string literal: every character but letters and digits is a hex
    escape, so nothing in it can end the string or the ``<style>`` element."""
    return '"' + "".join(ch if ch.isascii() and ch.isalnum() else f"\\{ord(ch):x} "
                         for ch in value) + '"'


def _money(amount: Decimal | None, *, unit: str = "") -> str:
    """An amount cell: right-aligned, two decimals, red when negative."""
    if amount is None:
        return "<td class=\"num\"></td>"
    cls = "num credit" if amount < 0 else "num"
    return f"<td class=\"{cls}\">{_e(money_text(amount))}{_e(unit)}</td>"


def _label(fi: str, en: str) -> str:
    """A bilingual label: the Finnish words, then the English ones in a lighter weight.
    The text reads "fi / en" whatever the styling."""
    return f"{fi} / <span class=\"en\">{en}</span>"


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


def _customer(customer_id: str | None, segment: str | None = None) -> str:
    if customer_id is None:
        return "<td><span class=\"muted\">sopimus / contract</span></td>"
    seg = (f"<span class=\"occ\">ryhmä / segment {_e(segment)}</span>"
           if segment and segment != _SINGLE_TIER else "")
    return f"<td>{_e(customer_id)}{seg}</td>"


def _component(component: str, occurrence: str | None) -> str:
    occ = f"<span class=\"occ\">{_e(occurrence)}</span>" if occurrence else ""
    return f"<td>{_e(component)}{occ}</td>"


def _page(title: str, body: str, footer: str) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"fi\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{_e(title)}</title>\n<style>{_STYLE}"
            f":root {{ --doc: {_css_string(footer)}; }}\n</style>\n</head>\n<body>\n"
            f"{body}\n</body>\n</html>\n")


_LINE_COLUMNS = [("Rivi / <span class=\"en\">Line</span>", 6, True),
                 (_label("Asiakas", "Customer"), 12, False),
                 (_label("Maksuerä", "Component") + "<span class=\"occ\">"
                  "esiintymä / occurrence</span>", 29, False),
                 (_label("Päivä", "Date"), 12, False),
                 (_label("Määrä", "Qty"), 9, True),
                 (_label("À-hinta", "Unit price"), 15, True),
                 (_label("Summa", "Amount") + " EUR", 17, True)]
_CORRECTION_COLUMNS = [("Rivi / <span class=\"en\">Line</span>", 6, True),
                       (_label("Asiakas", "Customer"), 11, False),
                       (_label("Maksuerä", "Component") + "<span class=\"occ\">"
                        "esiintymä / occurrence</span>", 22, False),
                       (_label("Oikaisee", "Corrects"), 22, False),
                       (_label("Aiemmin laskutettu", "Invoiced before"), 13, True),
                       (_label("Nyt", "Now"), 12, True),
                       (_label("Summa", "Amount") + " EUR", 14, True)]
_NOTE_COLUMNS = [(_label("Asiakas", "Customer"), 11, False),
                 (_label("Maksuerä", "Component") + "<span class=\"occ\">"
                  "esiintymä / occurrence</span>", 22, False),
                 (_label("Päivä", "Date"), 11, False),
                 ("", 14, True),  # the amount column, labelled per table
                 (_label("Peruste", "Reason"), 42, False)]


def _line_items(s: Section) -> str:
    items = []
    for ln in s.lines:
        detail = [(_label("Peruste", "Reason"), _e(ln.reason)),
                  (_label("Katto", "Cap"), _e(ln.cap)),
                  (_label("Näyttö", "Evidence"), _e(", ".join(ln.evidence))),
                  (_label("Sopimuskohta", "Clause"), _e(ln.clause))]
        items.append(
            f"<tbody><tr><td class=\"num\">{ln.no}</td>{_customer(ln.customer_id, ln.segment)}"
            f"{_component(ln.component, ln.occurrence)}<td>{_e(ln.date)}</td>"
            f"<td class=\"num\">{_e(ln.quantity)}</td>{_money(ln.unit_price)}"
            f"{_money(ln.amount)}</tr>{_detail(len(_LINE_COLUMNS), detail)}</tbody>")
    return _rows_table(_LINE_COLUMNS, items)


def _correction_items(s: Section) -> str:
    items = []
    for c in s.corrections:
        tag = ("<span class=\"tag credit\">Hyvitys / Credit</span>" if c.amount < 0 else
               "<span class=\"tag debit\">Lisäveloitus / Debit</span>")
        corrects = (f"{tag}<br>laskun / invoice <b>{_e(c.corrects_invoice)}</b> "
                    f"rivi / line <b>{c.corrects_line}</b>")
        detail = [(_label("Peruste", "Reason"), _e(c.reason)),
                  (_label("Näyttö", "Evidence"), _e(", ".join(c.evidence))),
                  (_label("Sopimuskohta", "Clause"), _e(c.clause))]
        items.append(
            f"<tbody><tr><td class=\"num\">{c.no}</td>{_customer(c.customer_id, c.segment)}"
            f"{_component(c.component, c.occurrence)}<td>{corrects}</td>"
            f"{_money(c.invoiced_before)}{_money(c.now)}{_money(c.amount)}</tr>"
            f"{_detail(len(_CORRECTION_COLUMNS), detail)}</tbody>")
    return _rows_table(_CORRECTION_COLUMNS, items)


def _notes(notes: tuple[Note, ...], amount_label: str) -> str:
    columns = list(_NOTE_COLUMNS)
    columns[3] = (amount_label, columns[3][1], True)
    return _rows_table(columns, [
        f"<tbody><tr>{_customer(n.customer_id)}{_component(n.component, n.occurrence)}"
        f"<td>{_e(n.date)}</td>{_money(n.amount)}<td>{_e(n.reason)}</td></tr></tbody>"
        for n in notes])


def _provider_heading(s: Section, tag: str) -> str:
    bid = f", Y-tunnus / Business ID {_e(s.business_id)}" if s.business_id else ""
    return (f"<{tag}>Palveluntuottaja / <span class=\"en\">Provider</span>: "
            f"{_e(s.provider_name)} ({_e(s.provider)}){bid}</{tag}>")


def _section(invoice: Invoice, s: Section, joint: bool) -> str:
    h = "h3" if joint else "h2"
    parts = [_provider_heading(s, "h2")] if joint else []
    parts.append(f"<{h}>Laskurivit / <span class=\"en\">Invoice lines</span></{h}>")
    if s.lines:
        parts.append(_line_items(s))
    else:
        parts.append("<p class=\"muted\">Ei uusia rivejä / No new lines</p>")
    if s.corrections:
        parts.append(f"<{h}>Oikaisut aiempiin laskuihin / <span class=\"en\">Corrections to "
                     f"earlier invoices</span></{h}>")
        parts.append(_correction_items(s))
    if joint:
        parts.append(
            f"<div class=\"sum\"><table class=\"totals\"><tr class=\"sub\"><th>"
            f"Välisumma / Subtotal {_e(s.provider)}</th>"
            f"{_money(s.subtotal, unit=' ' + invoice.currency)}</tr></table></div>")
    return "\n".join(parts)


def _info_section(invoice: Invoice, s: Section, joint: bool) -> str:
    """What is shown for information and not invoiced: corrections beyond reach, pending."""
    if not s.uncorrected and not s.pending:
        return ""
    parts = [_provider_heading(s, "h3")] if joint else []
    if s.uncorrected:
        parts.append("<h3>Oikaisematta, oikaisuaika päättynyt / <span class=\"en\">Not "
                     "corrected, beyond the correction reach</span></h3>")
        parts.append(_notes(s.uncorrected, _label("Erotus", "Difference")))
    if s.pending:
        parts.append("<h3>Odottaa, ei laskuteta / <span class=\"en\">Pending, not "
                     "invoiced</span></h3>")
        parts.append(_notes(s.pending, _label("Mahdollinen summa", "Possible amount")))
    return "\n".join(parts)


def _seller(invoice: Invoice) -> str:
    if len(invoice.sections) == 1:
        s = invoice.sections[0]
        bid = (f"<div>Y-tunnus / Business ID {_e(s.business_id)}</div>" if s.business_id
               else "")
        return (f"<div class=\"role\">Myyjä / Seller — palveluntuottaja / provider</div>"
                f"<div class=\"name\">{_e(s.provider_name)}</div>{bid}"
                f"<div class=\"small muted\">tunnus sopimuksessa / id in the contract: "
                f"{_e(s.provider)}</div>")
    members = "".join(
        f"<li><b>{_e(s.provider_name)}</b> ({_e(s.provider)})"
        + (f", Y-tunnus / Business ID {_e(s.business_id)}" if s.business_id else "")
        + "</li>" for s in invoice.sections)
    return ("<div class=\"role\">Myyjä / Seller — yhteislasku / joint invoice</div>"
            f"<div class=\"name\">Konsortio / Consortium</div><ul>{members}</ul>")


def invoice_html(invoice: Invoice) -> str:
    credit_note = invoice.total < 0
    title = "Hyvityslasku / Credit note" if credit_note else "Lasku / Invoice"
    joint = len(invoice.sections) > 1
    period = f"{invoice.period.label} ({invoice.period.start} .. {invoice.period.last_day})"
    head = (
        "<div class=\"head\"><div>"
        f"<h1>{'Hyvityslasku' if credit_note else 'Lasku'} / <span class=\"en\">"
        f"{'Credit note' if credit_note else 'Invoice'}</span></h1>"
        f"<div class=\"docno\">{_e(invoice.number)}</div>"
        + "</div>"
        + _kv([("Laskun numero / Invoice number", invoice.number),
               ("Laskun päiväys / Issue date", invoice.issue_date),
               ("Laskutuskausi / Billing period", period),
               ("Tiedot päivältä / Facts as of", invoice.as_of),
               ("Valuutta / Currency", invoice.currency)])
        + "</div>")
    parties = (f"<div class=\"parties\"><div class=\"party\">{_seller(invoice)}</div>"
               "<div class=\"party\"><div class=\"role\">Ostaja / Buyer — tilaaja</div>"
               f"<div class=\"name\">{_e(invoice.buyer)}</div></div></div>")
    ref = (f"<p class=\"ref\"><span class=\"k\">Sopimus / Contract:</span> "
           f"{_e(invoice.contract_title)} ({_e(invoice.contract_id)}, versio / version "
           f"{_e(invoice.contract_version)})</p>")
    problems = ""
    if invoice.problems:
        problems = ("<div class=\"box\"><h2>Huomautukset / Problems</h2><p>Näiden asiakkaiden "
                    "ansioita ei voitu laskea, joten ne puuttuvat laskulta / These customers "
                    "could not be evaluated, so their earnings are missing from this invoice."
                    "</p><ul>" + "".join(f"<li>{_e(p)}</li>" for p in invoice.problems)
                    + "</ul></div>")
    sections = "\n".join(_section(invoice, s, joint) for s in invoice.sections)
    percent = f"{(invoice.vat_rate * 100).normalize():f}"
    unit = " " + invoice.currency
    totals = (
        "<div class=\"sum\"><table class=\"totals\">"
        f"<tr class=\"sub\"><th>Välisumma / Subtotal <span class=\"small muted\">(veroton / "
        f"excl. VAT)</span></th>{_money(invoice.subtotal, unit=unit)}</tr>"
        f"<tr><th>ALV / VAT {_e(percent)} %</th>{_money(invoice.vat, unit=unit)}</tr>"
        f"<tr class=\"grand\"><th>Yhteensä / Total</th>{_money(invoice.total, unit=unit)}"
        "</tr></table></div>")
    info = "\n".join(x for x in (_info_section(invoice, s, joint) for s in invoice.sections)
                     if x)
    if info:
        info = ("<div class=\"info\"><h2>Tiedoksi, ei laskuteta / <span class=\"en\">For "
                "information, not invoiced</span></h2><p class=\"small muted\">Nämä rivit "
                "eivät sisälly laskun summiin / These rows are not in any total of this "
                f"invoice.</p>\n{info}</div>")
    audit = ("<div class=\"audit\"><b>Tarkistustiedot / Audit data</b>" + _kv([
        ("Sopimuksen sha256 / Contract sha256", invoice.contract_sha256),
        ("Tapahtumatietojen sha256 / Event inputs sha256", invoice.inputs_sha256),
        ("Laskentamoottori / Engine version", f"rewardengine {invoice.engine_version}"),
    ]) + "</div>")
    body = "\n".join(x for x in (head, parties, ref, problems, sections,
                                 "<h2>Yhteensä / <span class=\"en\">Totals</span></h2>",
                                 totals, info, audit) if x)
    return _page(f"{title} {invoice.number}", body, f"{title} {invoice.number}")


_CLASS_LABELS = {
    "match": "Täsmää / Match",
    "amount_differs": "Summa eroaa / Amount differs",
    "not_payable": "Ei maksettava / Not payable",
    "duplicate": "Jo laskutettu / Already invoiced",
    "underbilled": "Puuttuu laskulta / Underbilled",
}


def class_label(cls: str) -> str:
    return _CLASS_LABELS.get(cls, cls)


_FINDING_COLUMNS = [(_label("Luokka", "Class"), 16, False),
                    (_label("Rivi", "Row"), 6, True),
                    (_label("Asiakas", "Customer"), 10, False),
                    (_label("Maksuerä", "Component") + "<span class=\"occ\">"
                     "esiintymä / occurrence</span>", 22, False),
                    (_label("Päivä", "Date"), 11, False),
                    (_label("Laskutettu", "Billed"), 11, True),
                    (_label("Laskettu", "Computed"), 11, True),
                    (_label("Erotus", "Difference"), 13, True)]


def _verdict(report: VerifyReport, unit: str) -> str:
    figures = (f"Laskutettu / Billed <b>{_e(money_text(report.billed_total))}</b> · "
               f"Laskettu / Computed <b>{_e(money_text(report.computed_total))}</b> · "
               f"Erotus / Difference <b>{_e(money_text(report.difference))}</b>{unit} "
               "(veroton / VAT excluded)")
    if report.ok:
        return ("<div class=\"verdict ok\"><div class=\"big\">✔ Lasku on oikein / The bill "
                f"is right</div><p>{figures}</p></div>")
    wrong = sum(report.count(c) for c in CLASSES if c != "match")
    return ("<div class=\"verdict bad\"><div class=\"big\">✘ Laskussa on virheitä / The "
            f"bill is not right</div><p>{figures}</p><p>Poikkeavia rivejä / Rows not "
            f"matching: <b>{wrong}</b>; laskun ongelmia / problems in the bill: "
            f"<b>{len(report.problems)}</b></p></div>")


def _report_head(report: VerifyReport) -> str:
    return ("<div class=\"head\"><div><h1>Laskun tarkastus / <span class=\"en\">Bill "
            f"verification</span></h1><div class=\"docno\">{_e(report.bill_file)}</div></div>"
            + _kv([("Laskutuskausi / Billing period",
                    f"{report.period.label} ({report.period.start} .. "
                    f"{report.period.last_day})"),
                   ("Tiedot päivältä / Facts as of", report.as_of),
                   ("Palveluntuottaja / Provider", ", ".join(report.providers))])
            + "</div>")


def _findings(report: VerifyReport) -> str:
    items = []
    for f in report.findings:
        detail = [(_label("Peruste", "Reason"), _e(f.reason)),
                  (_label("Viite", "Reference"), _e(f.ref)),
                  (_label("Näyttö", "Evidence"), _e(", ".join(f.evidence))),
                  (_label("Sopimuskohta", "Clause"), _e(f.clause))]
        row = "" if f.row is None else str(f.row)
        items.append(
            f"<tbody class=\"f-{_e(f.cls)}\"><tr><td><span class=\"tag c-{_e(f.cls)}\">"
            f"{_e(class_label(f.cls))}</span></td><td class=\"num\">{_e(row)}</td>"
            f"{_customer(f.customer_id or None)}{_component(f.component, f.occurrence)}"
            f"<td>{_e(f.date)}</td>{_money(f.billed)}{_money(f.computed)}"
            f"{_money(f.difference)}</tr>{_detail(len(_FINDING_COLUMNS), detail)}</tbody>")
    return (_rows_table(_FINDING_COLUMNS, items) if items else
            "<p class=\"muted\">Ei rivejä / No lines</p>")


def report_html(report: VerifyReport) -> str:
    unit = " EUR"
    meta = _kv([
        ("Lasku / Bill", report.bill_file),
        ("Sopimus / Contract", f"{report.contract_id} (versio / version "
                               f"{report.contract_version})"),
        ("Sopimuksen sha256 / Contract sha256", report.contract_sha256),
        ("Verrattu / Compared with", report.ledger),
        ("Laskettu lasku / Computed invoice", report.expected_number),
    ])
    chips = "<div class=\"chips\">" + "".join(
        f"<span class=\"chip c-{c}{' zero' if not report.count(c) else ''}\">"
        f"{_e(class_label(c))}<b>{report.count(c)}</b></span>" for c in CLASSES) + "</div>"
    totals = (
        "<div class=\"sum\"><table class=\"totals\">"
        f"<tr><th>Laskutettu yhteensä / Billed total</th>"
        f"{_money(report.billed_total, unit=unit)}</tr>"
        f"<tr><th>Laskettu yhteensä / Computed total</th>"
        f"{_money(report.computed_total, unit=unit)}</tr>"
        f"<tr class=\"grand\"><th>Erotus / Difference</th>"
        f"{_money(report.difference, unit=unit)}</tr></table></div>")
    problems = ""
    if report.problems:
        problems = ("<div class=\"box\"><h2>Laskun ongelmat / Problems in the bill</h2><ul>"
                    + "".join(f"<li>{_e(p)}</li>" for p in report.problems) + "</ul></div>")
    body = "\n".join(x for x in (
        _report_head(report), _verdict(report, unit), problems, meta,
        "<h2>Rivit / <span class=\"en\">Lines</span></h2>", chips, _findings(report),
        "<h2>Yhteensä / <span class=\"en\">Totals</span> <span class=\"small muted\">"
        "(veroton / VAT excluded)</span></h2>", totals) if x)
    title = f"Laskun tarkastus / Bill verification {report.period.label}"
    return _page(title, body, title)
