"""An invoice as Finvoice 3.0 XML (the Finnish banks' e-invoice), built with lxml.

Finvoice writes amounts with a decimal comma (``1234,56``), dates as ``CCYYMMDD`` with a
``Format`` attribute, and limits most texts (an invoice number has at most 20 characters, a
name 70, a street 35). A credit note (``INV02``, "HYVITYSLASKU") has negative amounts, cites
the invoices it corrects, and instructs no payment (``0,00``).

No installable package ships the Finvoice 3.0 XSD, so ``finvoice_problems`` checks what this
module writes against the published specification (Finvoice 3.0 implementation guidelines
and XSD): the elements every invoice must have, the order of the top-level elements, the
length of every text written and the form of every amount and date. The tests run it on
every bundled example's invoice, and validate against the official XSD when
``REWARDENGINE_FINVOICE_XSD`` names a copy of it.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from lxml import etree

from ..printable import replaced
from ..values import money_text
from .einvoice import EDocument, ELine, document, rate_percent, terms_text
from .invoice import Invoice, Party

XSI = "http://www.w3.org/2001/XMLSchema-instance"


def _amount(value: Decimal) -> str:
    return money_text(value).replace(".", ",")


def _quantity(value: Decimal) -> str:
    return f"{value.normalize():f}".replace(".", ",")


def _price(value: Decimal) -> str:
    """A unit price: 2 to 5 decimals after a comma."""
    exponent = value.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) else 0
    text = f"{value.quantize(Decimal('0.01')) if places <= 2 else value:f}"
    return text.replace(".", ",")


def _fit(text: str, most: int) -> str:
    """A free text cut to what the field holds (legal names and numbers are checked before,
    never cut)."""
    return text if len(text) <= most else text[:most - 3] + "..."


def cut_at_word(text: str, most: int) -> str:
    """``text`` cut to ``most`` characters at the last word boundary within them, as a
    payee's name is shortened for a bank ("Job brokering provider (name not"); a single
    word longer than that is cut where the limit falls."""
    text = text.strip()
    if len(text) <= most:
        return text
    # a space just after the limit is a boundary too: the words before it fit whole
    boundary = most if text[most] == " " else text[:most].rfind(" ")
    kept = text[:boundary].rstrip()
    # Finvoice's texts have at least 2 characters: a first word shorter than that is no name
    return kept if len(kept) >= 2 else text[:most].rstrip()


class _W:
    """Appends Finvoice elements."""

    def __init__(self, currency: str) -> None:
        self.currency = currency

    @staticmethod
    def el(parent: etree._Element, name: str, text: str | None = None,
           **attrs: str) -> etree._Element:
        node = etree.SubElement(parent, name, attrs)
        if text is not None:
            node.text = replaced(text)  # a control character from input: XML cannot hold it
        return node

    def amount(self, parent: etree._Element, name: str, value: Decimal) -> None:
        self.el(parent, name, _amount(value), AmountCurrencyIdentifier=self.currency)

    def date(self, parent: etree._Element, name: str, value: Any) -> None:
        self.el(parent, name, value.strftime("%Y%m%d"), Format="CCYYMMDD")


def invoice_finvoice(invoice: Invoice, lang: str | None = None) -> str:
    """The invoice as Finvoice 3.0 XML text (``EInvoiceError`` when it cannot be one);
    ``lang`` words its payment terms (``PaymentTermsFreeText``), in English without it."""
    doc = document(invoice)
    w = _W(invoice.currency)
    nsmap: Any = {"xsi": XSI}
    root = etree.Element("Finvoice", {"Version": "3.0",
                                      f"{{{XSI}}}noNamespaceSchemaLocation": "Finvoice3.0.xsd"},
                         nsmap=nsmap)
    _transmission(w, root, doc)
    _party(w, root, "Seller", doc.seller)
    if doc.seller.bic:  # an account is written with its BIC (SellerBic is required)
        account = w.el(w.el(root, "SellerInformationDetails"), "SellerAccountDetails")
        number, scheme = _account(doc.seller)
        w.el(account, "SellerAccountID", number, IdentificationSchemeName=scheme)
        w.el(account, "SellerBic", doc.seller.bic, IdentificationSchemeName="BIC")
    _party(w, root, "Buyer", doc.buyer)
    _details(w, root, doc, lang)
    for line in doc.lines:
        _row(w, root, line, doc)
    _epi(w, root, doc)
    text: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                 pretty_print=True)
    return text.decode("utf-8")


def _transmission(w: _W, root: etree._Element, doc: EDocument) -> None:
    """The message envelope, when both parties have an e-invoice address and an operator."""
    s, b = doc.seller, doc.buyer
    if not (s.endpoint_id and s.operator and b.endpoint_id and b.operator):
        return
    mt = w.el(root, "MessageTransmissionDetails")
    sender = w.el(mt, "MessageSenderDetails")
    w.el(sender, "FromIdentifier", s.endpoint_id, SchemeID=s.endpoint_scheme or "0216")
    w.el(sender, "FromIntermediator", s.operator)
    receiver = w.el(mt, "MessageReceiverDetails")
    w.el(receiver, "ToIdentifier", b.endpoint_id, SchemeID=b.endpoint_scheme or "0216")
    w.el(receiver, "ToIntermediator", b.operator)
    details = w.el(mt, "MessageDetails")
    w.el(details, "MessageIdentifier", doc.invoice.number)
    # the issue date, never the clock: the same invoice gives the same bytes
    w.el(details, "MessageTimeStamp", f"{doc.invoice.issue_date.isoformat()}T00:00:00")


def _account(s: Party) -> tuple[str, str]:
    """The seller's account and its scheme: an IBAN, else a national account (BBAN)."""
    return (s.iban, "IBAN") if s.iban else (s.account or "", "BBAN")


def _party(w: _W, root: etree._Element, role: str, p: Party) -> None:
    party = w.el(root, f"{role}PartyDetails")
    if p.legal_id and p.legal_scheme:
        w.el(party, f"{role}PartyIdentifier", p.legal_id, SchemeID=p.legal_scheme)
    elif p.business_id:
        w.el(party, f"{role}PartyIdentifier", p.business_id)
    w.el(party, f"{role}OrganisationName", p.name)
    if p.vat_id:
        w.el(party, f"{role}OrganisationTaxCode", p.vat_id)
    address = w.el(party, f"{role}PostalAddressDetails")
    w.el(address, f"{role}StreetName", p.street or "")
    w.el(address, f"{role}TownName", p.city or "")
    w.el(address, f"{role}PostCodeIdentifier", p.postal_code or "")
    w.el(address, "CountryCode", p.country or "")


def _details(w: _W, root: etree._Element, doc: EDocument, lang: str | None) -> None:
    inv, sign = doc.invoice, Decimal(-1) if doc.credit else Decimal(1)
    d = w.el(root, "InvoiceDetails")
    w.el(d, "InvoiceTypeCode", "INV02" if doc.credit else "INV01")
    w.el(d, "InvoiceTypeCodeUN", doc.type_code)
    w.el(d, "InvoiceTypeText", "HYVITYSLASKU" if doc.credit else "LASKU")
    w.el(d, "OriginCode", "Original")
    w.el(d, "InvoiceNumber", inv.number)
    w.date(d, "InvoiceDate", inv.issue_date)
    for corrected in inv.corrected_invoices:
        if len(corrected) <= 20:  # an invoice numbered before numbers fitted is not cited
            w.el(w.el(d, "OriginalInvoiceReference"), "InvoiceNumber", corrected)
    w.date(d, "InvoicingPeriodStartDate", inv.period.start)
    w.date(d, "InvoicingPeriodEndDate", inv.period.last_day)
    if inv.order_reference:
        w.el(d, "OrderIdentifier", inv.order_reference)
    if inv.contract_reference:
        w.el(d, "AgreementIdentifier", inv.contract_reference)
    w.el(d, "BuyerReferenceIdentifier", doc.buyer_reference)
    # Finvoice states a credit note's amounts as negative ones
    w.amount(d, "InvoiceTotalVatExcludedAmount", sign * doc.line_total)
    w.amount(d, "InvoiceTotalVatAmount", sign * doc.vat_total)
    w.amount(d, "InvoiceTotalVatIncludedAmount", sign * doc.total)
    for g in doc.groups:
        spec = w.el(d, "VatSpecificationDetails")
        w.amount(spec, "VatBaseAmount", sign * g.taxable)
        w.el(spec, "VatRatePercent", rate_percent(g.rate).replace(".", ","))
        w.el(spec, "VatCode", g.category)
        w.amount(spec, "VatRateAmount", sign * g.tax)
        if g.exemption_reason:
            w.el(spec, "VatFreeText", _fit(g.exemption_reason, 70))
        if g.exemption_code:
            w.el(spec, "VatExemptionReasonCode", g.exemption_code)
    w.el(d, "InvoiceFreeText", _fit(f"{inv.contract_title} ({inv.contract_id} "
                                     f"{inv.contract_version}); billing period "
                                     f"{inv.period.label}", 512))
    if not doc.credit and inv.due_date is not None:
        terms = w.el(d, "PaymentTermsDetails")
        w.el(terms, "PaymentTermsFreeText", _fit(terms_text(inv, lang), 70))
        w.date(terms, "InvoiceDueDate", inv.due_date)


def _row(w: _W, root: etree._Element, line: ELine, doc: EDocument) -> None:
    sign = Decimal(-1) if doc.credit else Decimal(1)
    row = w.el(root, "InvoiceRow")
    w.el(row, "ArticleIdentifier", _fit(line.name, 70))
    w.el(row, "ArticleName", _fit(line.name, 100))
    w.el(row, "InvoicedQuantity", _quantity(sign * line.quantity), QuantityUnitCodeUN="C62")
    if line.period_day is not None:  # as in UBL: within the invoicing period, or none
        w.date(row, "StartDate", line.period_day)
        w.date(row, "EndDate", line.period_day)
    w.el(row, "UnitPriceAmount", _price(line.price), AmountCurrencyIdentifier=w.currency)
    w.el(row, "RowIdentifier", str(line.no))
    if line.corrects is not None and len(line.corrects[0]) <= 20:
        w.el(row, "OriginalInvoiceNumber", line.corrects[0])
    for i in range(0, min(len(line.note), 512 * 3), 512):
        w.el(row, "RowFreeText", line.note[i:i + 512])
    w.el(row, "RowVatRatePercent", rate_percent(line.vat.rate).replace(".", ","))
    w.el(row, "RowVatCode", line.vat.category)
    # the row's VAT is the breakdown's, rounded per group, so rows state their net only
    w.amount(row, "RowVatExcludedAmount", sign * line.amount)


def _epi(w: _W, root: etree._Element, doc: EDocument) -> None:
    """The payment instruction: pay the total to the seller's account with the reference by
    the due date (a credit note: nothing to pay)."""
    inv, s = doc.invoice, doc.seller
    epi = w.el(root, "EpiDetails")
    ident = w.el(epi, "EpiIdentificationDetails")
    w.date(ident, "EpiDate", inv.issue_date)
    w.el(ident, "EpiReference", inv.number if len(inv.number) <= 35 else "")
    parties = w.el(epi, "EpiPartyDetails")
    bfi = w.el(parties, "EpiBfiPartyDetails")
    if s.bic:
        w.el(bfi, "EpiBfiIdentifier", s.bic, IdentificationSchemeName="BIC")
    beneficiary = w.el(parties, "EpiBeneficiaryPartyDetails")
    w.el(beneficiary, "EpiNameAddressDetails", cut_at_word(s.name, 35))  # as banks cut it
    if s.business_id and re.fullmatch(r"\d{7}-\d", s.business_id):
        w.el(beneficiary, "EpiBei", s.business_id)
    number, scheme = _account(s)
    w.el(beneficiary, "EpiAccountID", number, IdentificationSchemeName=scheme)
    pay = w.el(epi, "EpiPaymentInstructionDetails")
    reference = inv.payment_reference
    if reference:
        w.el(pay, "EpiRemittanceInfoIdentifier", reference,
             IdentificationSchemeName="ISO" if reference.startswith("RF") else "SPY")
    w.el(pay, "EpiInstructedAmount", _amount(Decimal(0) if doc.credit else doc.total),
         AmountCurrencyIdentifier=w.currency)
    w.el(pay, "EpiCharge", "SHA", ChargeOption="SHA")
    w.date(pay, "EpiDateOptionDate", inv.due_date or inv.issue_date)


# --- checking what was written against the specification -----------------------------------

# the top-level elements written, in the order Finvoice 3.0 requires
ORDER = ("MessageTransmissionDetails", "SellerPartyDetails", "SellerInformationDetails",
         "BuyerPartyDetails", "InvoiceDetails", "InvoiceRow", "EpiDetails")
REQUIRED = (
    "SellerPartyDetails/SellerOrganisationName", "BuyerPartyDetails/BuyerOrganisationName",
    "InvoiceDetails/InvoiceTypeCode", "InvoiceDetails/InvoiceTypeText",
    "InvoiceDetails/OriginCode", "InvoiceDetails/InvoiceNumber", "InvoiceDetails/InvoiceDate",
    "InvoiceDetails/InvoiceTotalVatIncludedAmount", "InvoiceRow",
    "EpiDetails/EpiIdentificationDetails/EpiDate",
    "EpiDetails/EpiIdentificationDetails/EpiReference",
    "EpiDetails/EpiPartyDetails/EpiBfiPartyDetails",
    "EpiDetails/EpiPartyDetails/EpiBeneficiaryPartyDetails/EpiAccountID",
    "EpiDetails/EpiPaymentInstructionDetails/EpiInstructedAmount",
    "EpiDetails/EpiPaymentInstructionDetails/EpiCharge",
    "EpiDetails/EpiPaymentInstructionDetails/EpiDateOptionDate",
)
# (least, most) characters of each text element written (Finvoice 3.0 XSD types)
LENGTHS: dict[str, tuple[int, int]] = {
    "FromIdentifier": (2, 35), "ToIdentifier": (2, 35), "FromIntermediator": (2, 35),
    "ToIntermediator": (2, 35), "MessageIdentifier": (2, 48),
    "SellerPartyIdentifier": (0, 35), "BuyerPartyIdentifier": (0, 35),
    "SellerOrganisationName": (2, 70), "BuyerOrganisationName": (2, 70),
    "SellerOrganisationTaxCode": (0, 35), "BuyerOrganisationTaxCode": (0, 35),
    "SellerStreetName": (2, 35), "SellerTownName": (2, 35), "SellerPostCodeIdentifier": (2, 35),
    "BuyerStreetName": (2, 35), "BuyerTownName": (2, 35), "BuyerPostCodeIdentifier": (2, 35),
    "CountryCode": (2, 2), "SellerAccountID": (2, 35), "SellerBic": (8, 11),
    "InvoiceTypeText": (1, 35), "InvoiceNumber": (1, 20), "OrderIdentifier": (0, 70),
    "AgreementIdentifier": (0, 70), "BuyerReferenceIdentifier": (0, 70),
    "VatFreeText": (0, 70), "VatExemptionReasonCode": (1, 20), "InvoiceFreeText": (0, 512),
    "PaymentTermsFreeText": (0, 70), "ArticleIdentifier": (0, 70), "ArticleName": (0, 100),
    "InvoicedQuantity": (0, 14),
    "RowIdentifier": (0, 35), "OriginalInvoiceNumber": (1, 20), "RowFreeText": (0, 512),
    "EpiReference": (0, 35), "EpiBfiIdentifier": (8, 11), "EpiNameAddressDetails": (2, 35),
    "EpiBei": (8, 11), "EpiAccountID": (1, 34), "EpiRemittanceInfoIdentifier": (2, 25),
}
PATTERNS: dict[str, str] = {
    "InvoiceTypeCode": r"INV0[12]", "OriginCode": r"Original|Copy|Cancel",
    "VatRatePercent": r"[1-9]?[0-9]{1,2}(,[0-9]{1,3})?",
    "RowVatRatePercent": r"[1-9]?[0-9]{1,2}(,[0-9]{1,3})?",
    "UnitPriceAmount": r"-?[0-9]{1,15}(,[0-9]{2,5})?",
    "EpiInstructedAmount": r"-?[0-9]{1,15},[0-9]{2}",
    "EpiRemittanceInfoIdentifier": r"([0-9]{2,20})|(RF[0-9][0-9][0-9A-Za-z]{1,21})",
    "EpiCharge": r"SHA|OUR|BEN|SLEV",
    "EpiReference": r"[A-Za-z0-9._:-]*",  # an XML name's characters (\c*)
}
AMOUNT = r"-?[0-9]{1,15}(,[0-9]{2,5})?"


def finvoice_problems(xml: str) -> list[str]:
    """What in ``xml`` breaks the Finvoice 3.0 rules this module follows (empty: none)."""
    root = etree.fromstring(xml.encode("utf-8"))
    problems = []
    if root.tag != "Finvoice" or root.get("Version") != "3.0":
        problems.append("the root is not <Finvoice Version=\"3.0\">")
    order = [ORDER.index(c.tag) if c.tag in ORDER else -1 for c in root]
    if -1 in order or order != sorted(order):
        problems.append(f"top-level elements out of order: {[c.tag for c in root]}")
    problems += [f"missing {path}" for path in REQUIRED if root.find(path) is None]
    for el in root.iter():
        problems += _element_problems(el)
    return problems


def _element_problems(el: etree._Element) -> list[str]:
    tag, text = str(el.tag), el.text or ""
    out = []
    least, most = LENGTHS.get(tag, (0, 10**6))
    if len(el) == 0 and not least <= len(text) <= most:
        out.append(f"{tag}: {len(text)} characters, allowed {least} to {most}")
    pattern = PATTERNS.get(tag) or (AMOUNT if el.get("AmountCurrencyIdentifier")
                                    and tag not in PATTERNS else None)
    if pattern is not None and not re.fullmatch(pattern, text):
        out.append(f"{tag}: '{text[:20]}' is not written as Finvoice requires")
    if el.get("Format") is not None and (el.get("Format") != "CCYYMMDD"
                                         or not re.fullmatch(r"\d{8}", text)):
        out.append(f"{tag}: a date written CCYYMMDD")
    return out
