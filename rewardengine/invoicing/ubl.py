"""An invoice as Peppol BIS Billing 3.0 UBL 2.1 (EN 16931), built with lxml.

``invoice_ubl`` writes an ``Invoice`` (type 380) or, for a period whose net is negative, a
``CreditNote`` (type 381) citing the invoices it corrects. Elements follow the UBL 2.1 schema's
order; amounts have two decimals and the document's currency; the same invoice always gives the
same bytes (nothing from the clock). docs/invoicing.md shows one and says what each field
comes from; the tests validate every bundled example's invoice against the UBL 2.1 schema
and the CEN EN 16931 rules.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from lxml import etree

from ..contract.parties import compact_id, peppol_withdrawn
from ..printable import replaced
from ..values import money_text
from .einvoice import (
    CREDIT_TRANSFER,
    SEPA_CREDIT_TRANSFER,
    UNIT,
    EDocument,
    EInvoiceError,
    ELine,
    document,
    number,
    rate_percent,
    terms_text,
)
from .invoice import Invoice, Party, VatGroup

CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
ROOT_NS = {"Invoice": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
           "CreditNote": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"}
CUSTOMIZATION = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"


class _Builder:
    """Appends UBL elements: ``cbc(parent, "ID", text)``, ``cac(parent, "Party")``."""

    def __init__(self, currency: str) -> None:
        self.currency = currency

    @staticmethod
    def cac(parent: etree._Element, name: str) -> etree._Element:
        return etree.SubElement(parent, f"{{{CAC}}}{name}")

    @staticmethod
    def cbc(parent: etree._Element, name: str, text: str, **attrs: str) -> etree._Element:
        el = etree.SubElement(parent, f"{{{CBC}}}{name}", attrs)
        el.text = replaced(text)  # a control character from input cannot be held by XML
        return el

    def amount(self, parent: etree._Element, name: str, value: Decimal) -> None:
        self.cbc(parent, name, money_text(value), currencyID=self.currency)


def invoice_ubl(invoice: Invoice, lang: str | None = None) -> str:
    """The invoice as UBL 2.1 XML text (``EInvoiceError`` when it cannot be an e-invoice);
    ``lang`` words its payment terms (BT-20), in English without it."""
    doc = document(invoice)
    _addressed(doc)
    kind = "CreditNote" if doc.credit else "Invoice"
    nsmap: Any = {None: ROOT_NS[kind], "cac": CAC, "cbc": CBC}  # None: the default one
    root = etree.Element(f"{{{ROOT_NS[kind]}}}{kind}", nsmap=nsmap)
    b = _Builder(invoice.currency)
    _head(b, root, doc, kind)
    _party(b, b.cac(b.cac(root, "AccountingSupplierParty"), "Party"), doc.seller)
    _party(b, b.cac(b.cac(root, "AccountingCustomerParty"), "Party"), doc.buyer)
    if not doc.credit:
        _payment(b, root, doc, lang)
    _tax_total(b, root, doc)
    totals = b.cac(root, "LegalMonetaryTotal")
    for name, value in (("LineExtensionAmount", doc.line_total),
                        ("TaxExclusiveAmount", doc.line_total),
                        ("TaxInclusiveAmount", doc.total), ("PayableAmount", doc.total)):
        b.amount(totals, name, value)
    for line in doc.lines:
        _line(b, root, line, kind)
    text: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                 pretty_print=True)
    return text.decode("utf-8")


def _addressed(doc: EDocument) -> None:
    """Peppol delivers by the parties' electronic addresses: a UBL without the seller's
    (BT-34) or the buyer's (BT-49) is refused by every access point (PEPPOL-EN16931-R020,
    R010, fatal), so none is written."""
    lacking = [f"{who} e_invoice_address ({rule})" for who, party, rule in (
        (f"seller '{doc.seller.name[:40]}'", doc.seller, "PEPPOL-EN16931-R020"),
        ("buyer", doc.buyer, "PEPPOL-EN16931-R010")) if not party.endpoint_id]
    if lacking:
        raise EInvoiceError(
            f"{doc.invoice.number} cannot be a Peppol UBL invoice: it lacks the "
            f"{' and the '.join(lacking)}; the parties are those recorded when it was issued "
            "(give the e_invoice_address in the contract before issuing, or render it with "
            "--format finvoice)")
    for who, party in ((f"seller '{doc.seller.name[:40]}'", doc.seller), ("buyer", doc.buyer)):
        why = _undeliverable(party)
        if why:
            raise EInvoiceError(
                f"{doc.invoice.number} cannot be a Peppol UBL invoice: the {who}'s recorded "
                f"e_invoice_address {why}; the parties are those recorded when it was issued "
                "(render it with --format finvoice)")


def _undeliverable(p: Party) -> str | None:
    """Why Peppol cannot deliver to a party's recorded address: a scheme withdrawn from the
    EAS list (CL008), or an id its scheme's check refuses (PEPPOL-COMMON-R040 to R049; an
    invoice issued before the engine checked it)."""
    scheme, endpoint = p.endpoint_scheme or "", p.endpoint_id or ""
    withdrawn = peppol_withdrawn(scheme)
    if withdrawn:
        return f"has scheme {scheme}: {withdrawn}"
    if compact_id(scheme, endpoint) is None:
        return (f"'{endpoint[:24]}' is not a valid id of scheme {scheme} "
                "(PEPPOL-COMMON-R040 to R049)")
    return None


def _head(b: _Builder, root: etree._Element, doc: EDocument, kind: str) -> None:
    inv = doc.invoice
    b.cbc(root, "CustomizationID", CUSTOMIZATION)
    b.cbc(root, "ProfileID", PROFILE)
    b.cbc(root, "ID", inv.number)
    b.cbc(root, "IssueDate", inv.issue_date.isoformat())
    if not doc.credit and inv.due_date is not None:
        b.cbc(root, "DueDate", inv.due_date.isoformat())
    b.cbc(root, f"{kind}TypeCode", doc.type_code)
    b.cbc(root, "Note", f"{inv.contract_title} ({inv.contract_id} {inv.contract_version}); "
          f"billing period {inv.period.label}; facts as of {inv.as_of.isoformat()}")
    b.cbc(root, "DocumentCurrencyCode", inv.currency)
    b.cbc(root, "BuyerReference", doc.buyer_reference)
    period = b.cac(root, "InvoicePeriod")
    b.cbc(period, "StartDate", inv.period.start.isoformat())
    b.cbc(period, "EndDate", inv.period.last_day.isoformat())
    if inv.order_reference:
        b.cbc(b.cac(root, "OrderReference"), "ID", inv.order_reference)
    for corrected in inv.corrected_invoices:
        b.cbc(b.cac(b.cac(root, "BillingReference"), "InvoiceDocumentReference"), "ID",
              corrected)
    if inv.contract_reference:
        b.cbc(b.cac(root, "ContractDocumentReference"), "ID", inv.contract_reference)


def _party(b: _Builder, party: etree._Element, p: Party) -> None:
    if p.endpoint_scheme and p.endpoint_id:  # always, after _addressed (R010, R020)
        b.cbc(party, "EndpointID", _compact(p.endpoint_scheme, p.endpoint_id),
              schemeID=p.endpoint_scheme)
    b.cbc(b.cac(party, "PartyName"), "Name", p.name)
    address = b.cac(party, "PostalAddress")
    b.cbc(address, "StreetName", p.street or "")
    b.cbc(address, "CityName", p.city or "")
    b.cbc(address, "PostalZone", p.postal_code or "")
    b.cbc(b.cac(address, "Country"), "IdentificationCode", p.country or "")
    if p.vat_id:
        tax = b.cac(party, "PartyTaxScheme")
        b.cbc(tax, "CompanyID", p.vat_id)
        b.cbc(b.cac(tax, "TaxScheme"), "ID", "VAT")
    legal = b.cac(party, "PartyLegalEntity")
    b.cbc(legal, "RegistrationName", p.name)
    if p.legal_id and p.legal_scheme:  # a legal id with its ICD scheme (BT-30, BT-47)
        b.cbc(legal, "CompanyID", _compact(p.legal_scheme, p.legal_id),
              schemeID=p.legal_scheme)
    elif p.business_id:
        finnish = p.country == "FI"
        attrs = {"schemeID": "0037"} if finnish else {}
        b.cbc(legal, "CompanyID", p.business_id.replace("-", "") if finnish
              else p.business_id, **attrs)


def _compact(scheme: str, value: str) -> str:
    """An id as Peppol checks it (PEPPOL-COMMON-R040 to R049: no spaces or dashes), also for
    parties recorded before the contract's ids were kept compact."""
    return compact_id(scheme, value) or value


def _payment(b: _Builder, root: etree._Element, doc: EDocument, lang: str | None) -> None:
    inv, seller = doc.invoice, doc.seller
    means = b.cac(root, "PaymentMeans")
    # an account without an IBAN (a US one) is paid by a credit transfer, not a SEPA one
    b.cbc(means, "PaymentMeansCode", SEPA_CREDIT_TRANSFER if seller.iban else CREDIT_TRANSFER)
    if inv.payment_reference:
        b.cbc(means, "PaymentID", inv.payment_reference)
    account = b.cac(means, "PayeeFinancialAccount")
    b.cbc(account, "ID", seller.iban or seller.account or "")
    b.cbc(account, "Name", seller.name)
    if seller.bic:
        b.cbc(b.cac(account, "FinancialInstitutionBranch"), "ID", seller.bic)
    terms = terms_text(inv, lang)
    if terms:
        b.cbc(b.cac(root, "PaymentTerms"), "Note", terms)


def _category(b: _Builder, parent: etree._Element, name: str, g: VatGroup | ELine) -> None:
    vat = g.vat if isinstance(g, ELine) else g
    cat = b.cac(parent, name)
    b.cbc(cat, "ID", vat.category)
    if vat.category != "O":  # a service not subject to VAT has no rate (BR-O-05, BR-O-09)
        b.cbc(cat, "Percent", rate_percent(vat.rate))
    if name == "TaxCategory":
        if vat.exemption_code:
            b.cbc(cat, "TaxExemptionReasonCode", vat.exemption_code)
        if vat.exemption_reason:
            b.cbc(cat, "TaxExemptionReason", vat.exemption_reason)
    b.cbc(b.cac(cat, "TaxScheme"), "ID", "VAT")


def _tax_total(b: _Builder, root: etree._Element, doc: EDocument) -> None:
    total = b.cac(root, "TaxTotal")
    b.amount(total, "TaxAmount", doc.vat_total)
    for g in doc.groups:
        sub = b.cac(total, "TaxSubtotal")
        b.amount(sub, "TaxableAmount", g.taxable)
        b.amount(sub, "TaxAmount", g.tax)
        _category(b, sub, "TaxCategory", g)


def _line(b: _Builder, root: etree._Element, line: ELine, kind: str) -> None:
    el = b.cac(root, f"{kind}Line")
    b.cbc(el, "ID", str(line.no))
    b.cbc(el, "Note", line.note)
    b.cbc(el, "CreditedQuantity" if kind == "CreditNote" else "InvoicedQuantity",
          number(line.quantity), unitCode=UNIT)
    b.amount(el, "LineExtensionAmount", line.amount)
    if line.period_day is not None:  # never outside the document's (R110, R111)
        period = b.cac(el, "InvoicePeriod")
        b.cbc(period, "StartDate", line.period_day.isoformat())
        b.cbc(period, "EndDate", line.period_day.isoformat())
    item = b.cac(el, "Item")
    b.cbc(item, "Name", line.name)
    _category(b, item, "ClassifiedTaxCategory", line)
    price = b.cac(el, "Price")
    b.cbc(price, "PriceAmount", number(line.price), currencyID=b.currency)
