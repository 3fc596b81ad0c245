"""Invoices and verification reports as JSON, CSV and printable HTML (Finnish and English).

- JSON is canonical: sorted keys, two-space indent, UTF-8, amounts as strings with two
  decimals, a newline at the end. The same invoice always gives the same bytes.
- CSV has one row per invoice line and correction, then subtotal, VAT and total rows. Every
  cell that a spreadsheet could execute (starting with ``=``, ``+``, ``-``, ``@``, a tab or a
  carriage return) gets a leading apostrophe (``rewardengine.csvsafe``); the bill reader
  removes it again.
- HTML is one self-contained page with bilingual labels ("Lasku / Invoice"); every value is
  escaped.
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

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #111; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 1.6em; }
table { border-collapse: collapse; width: 100%; margin: .5em 0; font-size: .9em; }
th, td { border: 1px solid #bbb; padding: .25em .45em; vertical-align: top; text-align: left; }
th { background: #eee; }
td.num, th.num { text-align: right; white-space: nowrap; }
table.meta { width: auto; } table.meta th { width: 16em; }
.credit { color: #a00; } .muted { color: #555; }
.ok { color: #060; font-weight: bold; } .bad { color: #a00; font-weight: bold; }
@media print { body { margin: 0; } h2 { page-break-after: avoid; }
  tr { page-break-inside: avoid; } }
"""


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _money(amount: Decimal | None) -> str:
    if amount is None:
        return "<td class=\"num\"></td>"
    cls = "num credit" if amount < 0 else "num"
    return f"<td class=\"{cls}\">{_e(money_text(amount))}</td>"


def _table(headers: list[tuple[str, bool]], rows: list[str]) -> str:
    num_class = ' class="num"'
    head = "".join(f"<th{num_class if num else ''}>{label}</th>" for label, num in headers)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _page(title: str, lang_title: str, body: str) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"fi\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{_e(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
            f"<h1>{lang_title}</h1>\n{body}\n</body>\n</html>\n")


def _meta(rows: list[tuple[str, object]]) -> str:
    cells = "".join(f"<tr><th>{label}</th><td>{_e(value)}</td></tr>" for label, value in rows)
    return f"<table class=\"meta\">{cells}</table>"


_LINE_HEADERS = [("Rivi / Line", True), ("Asiakas / Customer", False),
                 ("Maksuerä / Component", False), ("Esiintymä / Occurrence", False),
                 ("Päivä / Date", False), ("Määrä / Quantity", True),
                 ("À-hinta / Unit price", True), ("Summa / Amount", True),
                 ("Peruste / Reason", False), ("Näyttö / Evidence", False),
                 ("Sopimuskohta / Clause", False)]
_CORRECTION_HEADERS = [("Rivi / Line", True), ("Asiakas / Customer", False),
                       ("Maksuerä / Component", False), ("Esiintymä / Occurrence", False),
                       ("Oikaisee / Corrects", False),
                       ("Aiemmin laskutettu / Invoiced before", True),
                       ("Nyt / Now", True), ("Summa / Amount", True),
                       ("Peruste / Reason", False), ("Näyttö / Evidence", False)]
_NOTE_HEADERS = [("Asiakas / Customer", False), ("Maksuerä / Component", False),
                 ("Esiintymä / Occurrence", False), ("Päivä / Date", False),
                 ("Summa / Amount", True), ("Peruste / Reason", False)]


def _notes(notes: tuple[Note, ...]) -> str:
    return _table(_NOTE_HEADERS, [
        f"<tr><td>{_e(n.customer_id)}</td><td>{_e(n.component)}</td><td>{_e(n.occurrence)}"
        f"</td><td>{_e(n.date)}</td>{_money(n.amount)}<td>{_e(n.reason)}</td></tr>"
        for n in notes])


def _cap_note(cap: str | None) -> str:
    return f'<br><span class="muted">{_e(cap)}</span>' if cap else ""


def _section(invoice: Invoice, s: Section) -> str:
    parts = [f"<h2>Palveluntuottaja / Provider: {_e(s.provider_name)} ({_e(s.provider)})"
             + (f", Y-tunnus / Business ID {_e(s.business_id)}" if s.business_id else "")
             + "</h2>"]
    parts.append("<h3>Laskurivit / Invoice lines</h3>")
    if s.lines:
        parts.append(_table(_LINE_HEADERS, [
            f"<tr><td class=\"num\">{ln.no}</td><td>{_e(ln.customer_id)}</td>"
            f"<td>{_e(ln.component)}</td><td>{_e(ln.occurrence)}</td><td>{_e(ln.date)}</td>"
            f"<td class=\"num\">{_e(ln.quantity)}</td>"
            f"<td class=\"num\">{_e(money_text(ln.unit_price))}</td>{_money(ln.amount)}"
            f"<td>{_e(ln.reason)}{_cap_note(ln.cap)}</td>"
            f"<td>{_e(' '.join(ln.evidence))}</td><td>{_e(ln.clause)}</td></tr>"
            for ln in s.lines]))
    else:
        parts.append("<p class=\"muted\">Ei uusia rivejä / No new lines</p>")
    if s.corrections:
        parts.append("<h3>Oikaisut aiempiin laskuihin / Corrections to earlier invoices</h3>")
        parts.append(_table(_CORRECTION_HEADERS, [
            f"<tr><td class=\"num\">{c.no}</td><td>{_e(c.customer_id)}</td>"
            f"<td>{_e(c.component)}</td><td>{_e(c.occurrence)}</td>"
            f"<td>{_e(c.corrects_invoice)} / {c.corrects_line}</td>"
            f"{_money(c.invoiced_before)}{_money(c.now)}{_money(c.amount)}"
            f"<td>{_e(c.reason)}</td><td>{_e(' '.join(c.evidence))}</td></tr>"
            for c in s.corrections]))
    parts.append(_meta([("Välisumma / Subtotal", f"{money_text(s.subtotal)} "
                         f"{invoice.currency}")]))
    if s.uncorrected:
        parts.append("<h3>Oikaisematta, oikaisuaika päättynyt / Not corrected, beyond the "
                     "correction reach</h3>")
        parts.append(_notes(s.uncorrected))
    if s.pending:
        parts.append("<h3>Odottaa, ei laskuteta / Pending, not invoiced</h3>")
        parts.append(_notes(s.pending))
    return "\n".join(parts)


def invoice_html(invoice: Invoice) -> str:
    meta = _meta([
        ("Laskun numero / Invoice number", invoice.number),
        ("Laskutuskausi / Billing period",
         f"{invoice.period.label} ({invoice.period.start} .. {invoice.period.last_day})"),
        ("Laskun päiväys / Issue date", invoice.issue_date),
        ("Tiedot päivältä / Facts as of", invoice.as_of),
        ("Tilaaja / Buyer", invoice.buyer),
        ("Sopimus / Contract", f"{invoice.contract_title} ({invoice.contract_id}, "
                               f"versio / version {invoice.contract_version})"),
        ("Sopimuksen sha256 / Contract sha256", invoice.contract_sha256),
        ("Tapahtumatietojen sha256 / Event inputs sha256", invoice.inputs_sha256),
        ("Laskentamoottori / Engine version", f"rewardengine {invoice.engine_version}"),
    ])
    sections = "\n".join(_section(invoice, s) for s in invoice.sections)
    percent = f"{(invoice.vat_rate * 100).normalize():f}"
    totals = _meta([
        ("Välisumma / Subtotal", f"{money_text(invoice.subtotal)} {invoice.currency}"),
        (f"ALV / VAT {_e(percent)} %", f"{money_text(invoice.vat)} {invoice.currency}"),
        ("Yhteensä / Total", f"{money_text(invoice.total)} {invoice.currency}"),
    ])
    problems = ""
    if invoice.problems:
        problems = ("<h2>Huomautukset / Problems</h2><ul>"
                    + "".join(f"<li>{_e(p)}</li>" for p in invoice.problems) + "</ul>")
    body = f"{meta}\n{sections}\n<h2>Yhteensä / Totals</h2>\n{totals}\n{problems}"
    return _page(f"Lasku / Invoice {invoice.number}", f"Lasku / Invoice {_e(invoice.number)}",
                 body)


_CLASS_LABELS = {
    "match": "Täsmää / Match",
    "amount_differs": "Summa eroaa / Amount differs",
    "not_payable": "Ei maksettava / Not payable",
    "duplicate": "Jo laskutettu / Already invoiced",
    "underbilled": "Puuttuu laskulta / Underbilled",
}


def class_label(cls: str) -> str:
    return _CLASS_LABELS.get(cls, cls)


def report_html(report: VerifyReport) -> str:
    verdict = ("<p class=\"ok\">Lasku on oikein / The bill is right</p>" if report.ok else
               "<p class=\"bad\">Laskussa on virheitä / The bill is not right</p>")
    meta = _meta([
        ("Lasku / Bill", report.bill_file),
        ("Laskutuskausi / Billing period",
         f"{report.period.label} ({report.period.start} .. {report.period.last_day})"),
        ("Tiedot päivältä / Facts as of", report.as_of),
        ("Sopimus / Contract", f"{report.contract_id} (versio / version "
                               f"{report.contract_version})"),
        ("Sopimuksen sha256 / Contract sha256", report.contract_sha256),
        ("Palveluntuottaja / Provider", ", ".join(report.providers)),
        ("Verrattu / Compared with", report.ledger),
    ])
    counts = _meta([(class_label(c), report.count(c)) for c in CLASSES])
    rows = [
        f"<tr><td>{_e(class_label(f.cls))}</td><td class=\"num\">{_e(f.row)}</td>"
        f"<td>{_e(f.customer_id)}</td><td>{_e(f.component)}</td><td>{_e(f.occurrence)}</td>"
        f"<td>{_e(f.date)}</td>{_money(f.billed)}{_money(f.computed)}"
        f"{_money(f.difference)}<td>{_e(f.reason)}</td><td>{_e(f.clause)}</td>"
        f"<td>{_e(f.ref)}</td></tr>"
        for f in report.findings]
    table = _table([("Luokka / Class", False), ("Rivi / Row", True),
                    ("Asiakas / Customer", False), ("Maksuerä / Component", False),
                    ("Esiintymä / Occurrence", False), ("Päivä / Date", False),
                    ("Laskutettu / Billed", True), ("Laskettu / Computed", True),
                    ("Erotus / Difference", True), ("Peruste / Reason", False),
                    ("Sopimuskohta / Clause", False), ("Viite / Reference", False)], rows)
    totals = _meta([
        ("Laskutettu yhteensä / Billed total", money_text(report.billed_total)),
        ("Laskettu yhteensä / Computed total", money_text(report.computed_total)),
        ("Erotus / Difference", money_text(report.difference)),
    ])
    problems = ""
    if report.problems:
        problems = ("<h2>Lukemattomat rivit / Unreadable bill lines</h2><ul>"
                    + "".join(f"<li>{_e(p)}</li>" for p in report.problems) + "</ul>")
    body = (f"{verdict}\n{meta}\n<h2>Rivit / Lines</h2>\n{counts}\n{table}\n"
            f"<h2>Yhteensä / Totals (ALV 0 / VAT excluded)</h2>\n{totals}\n{problems}")
    return _page(f"Laskun tarkastus / Bill verification {report.period.label}",
                 "Laskun tarkastus / Bill verification", body)
