"""Sellers without a VAT id: services outside the scope of VAT (category O, "Not subject to
VAT", VATEX-EU-O) are e-invoiced with a legal registration id instead, and validate against
EN 16931; a VAT id given with category O, or category O mixed with taxed lines, is a located
error (C227); a taxed line of a seller without a VAT id stays C226."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from conftest import CONTRACT_HEAD
from einvoice_validation import en16931_failures, ubl_schema_errors
from invoicing_cases import contract, events, issue
from lxml import etree
from test_einvoice import NS, PARTIES, SELLER, valid_finvoice

from rewardengine.invoicing.einvoice import EInvoiceError
from rewardengine.invoicing.finvoice import invoice_finvoice
from rewardengine.invoicing.invoice import Invoice
from rewardengine.invoicing.ubl import invoice_ubl
from rewardengine.pipeline import load_contract_text

COMPONENTS = """
components:
  - id: base_fee
    kind: event_fee
    event: service_start
    amount: 100.00
"""
# a US seller: an EIN as its business id, a D-U-N-S number as its legal id (an illustrative
# nine digits: D-U-N-S has no published check digit), an account without an IBAN
US_SELLER = ("    - id: acme\n      name: Acme Inc\n"
             "      address: {street: 1 Main Street, postal_code: \"21201\", city: Baltimore, "
             "country: US}\n"
             "      business_id: 12-3456789\n"
             "      legal_id: {scheme: \"0060\", id: \"123456789\"}\n"
             "      e_invoice_address: {scheme: \"9959\", id: \"123456789\"}\n"
             "      bank: {account: \"000123456789\"}\n")
US_BUYER = """
invoicing:
  number_prefix: T
  vat: {category: O}
  buyer:
    name: Social Security Administration
    address: {street: 6401 Security Boulevard, postal_code: "21235", city: Baltimore,
              country: US}
    e_invoice_address: {scheme: "0088", id: "0200000000110"}
"""
US_HEAD = CONTRACT_HEAD.replace("    - {id: acme, name: Acme Oy}\n", US_SELLER)
OUTSIDE = US_HEAD + COMPONENTS + US_BUYER


def _invoice(tmp_path: Path) -> Invoice:
    """January's invoice of the shared invoicing cases, by the US seller (200.00)."""
    inv = issue(contract(US_BUYER, head=US_HEAD), events(), "2020-01",
                tmp_path / "l.sqlite").invoice
    assert inv is not None
    return inv


def problems(text: str) -> list[tuple[str, int, str]]:
    _, found = load_contract_text(text, "contract.yaml")
    return [(p.code, p.source.line or 0, p.message) for p in found
            if p.severity.value == "error"]


def line_of(text: str, fragment: str) -> int:
    return text[:text.index(fragment)].count("\n") + 1


def test_a_seller_outside_vat_validates_as_an_e_invoice(tmp_path: Path) -> None:
    assert problems(OUTSIDE) == []
    inv = _invoice(tmp_path)
    assert (inv.subtotal, inv.vat, inv.total) == (200, 0, 200)
    assert inv.lines[0].vat is not None and inv.lines[0].vat.category == "O"
    ubl = invoice_ubl(inv)
    assert ubl_schema_errors(ubl) == [] and en16931_failures(ubl) == []
    assert valid_finvoice(invoice_finvoice(inv)) == []
    doc = etree.fromstring(ubl.encode("utf-8"))
    seller = "cac:AccountingSupplierParty/cac:Party/"
    legal = doc.find(seller + "cac:PartyLegalEntity/cbc:CompanyID", NS)
    assert legal is not None and (legal.text, legal.get("schemeID")) == ("123456789", "0060")
    assert doc.find(seller + "cac:PartyTaxScheme", NS) is None
    assert doc.findtext(seller + "cbc:EndpointID", namespaces=NS) == "123456789"
    assert doc.findtext("cac:PaymentMeans/cbc:PaymentMeansCode", namespaces=NS) == "30"
    category = doc.find("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory", NS)
    assert category is not None and category.findtext("cbc:ID", namespaces=NS) == "O"
    assert category.find("cbc:Percent", NS) is None
    assert category.findtext("cbc:TaxExemptionReasonCode", namespaces=NS) == "VATEX-EU-O"


@pytest.mark.parametrize(("where", "given"), [
    ("      business_id: 12-3456789\n", "      vat_id: FI92000453\n"),
    ("    name: Social Security Administration\n", "    vat_id: FI92000074\n"),
])
def test_category_o_with_a_vat_id_is_a_located_error(where: str, given: str) -> None:
    text = OUTSIDE.replace(where, where + given)
    ((code, line, message),) = problems(text)
    assert code == "C227" and line == line_of(text, given.strip())
    assert "not subject to VAT (category O)" in message and "BR-O-02" in message


def test_category_o_beside_a_taxed_component_is_a_located_error() -> None:
    """One component not subject to VAT, the other taxed: one e-invoice cannot hold both."""
    own = "    amount: 100.00\n    vat: {category: O}\n"
    text = (US_HEAD + COMPONENTS.replace("    amount: 100.00\n", own)
            + "  - id: end_fee\n    kind: event_fee\n    event: service_end\n"
            "    amount: 50.00\n" + US_BUYER.replace("  vat: {category: O}\n", ""))
    found = sorted(problems(text))
    # the services being taxed, the US seller without a VAT id is C226 as ever
    assert [c for c, _, _ in found] == ["C226", "C227"]
    assert found[1][1] == line_of(text, "vat: {category: O}")
    assert "others are taxed" in found[1][2] and "BR-O-11" in found[1][2]


def test_a_taxed_line_of_a_seller_without_a_vat_id_is_c226_as_before() -> None:
    taxed = CONTRACT_HEAD.replace("    - {id: acme, name: Acme Oy}\n", SELLER.replace(
        "      vat_id: FI92000453\n", "")) + COMPONENTS + PARTIES
    ((code, _, message),) = problems(taxed)
    assert code == "C226" and "give its vat_id" in message
    us_taxed = OUTSIDE.replace("  vat: {category: O}\n", "")
    ((code, _, message),) = problems(us_taxed)
    assert code == "C226" and "give its vat_id" in message


def test_outside_vat_the_seller_still_needs_a_legal_id() -> None:
    text = OUTSIDE.replace("      business_id: 12-3456789\n", "").replace(
        "      legal_id: {scheme: \"0060\", id: \"123456789\"}\n", "")
    ((code, _, message),) = problems(text)
    assert code == "C226" and "give its legal_id" in message


@pytest.mark.parametrize(("old", "new", "says"), [
    ('legal_id: {scheme: "0060", id: "123456789"}', 'legal_id: {scheme: "9959", id: '
     '"123456789"}', "scheme '9959' is not a legal registration scheme the engine knows"),
    ('id: "123456789"}\n      e_invoice', 'id: "12345678"}\n      e_invoice',
     "'12345678' is not a valid D-U-N-S number"),
    ("business_id: 12-3456789", "business_id: 00-3456789",
     "'00-3456789' is not a valid US Employer Identification Number (EIN)"),
    ('bank: {account: "000123456789"}', 'bank: {account: "000123456789", iban: FI21 1234 '
     '5600 0007 85, bic: NDEAFIHH}', "give the account as iban (with its bic)"),
    ('bank: {account: "000123456789"}', "bank: {iban: FI21 1234 5600 0007 85}",
     "an IBAN is given with its bic"),
])
def test_a_wrong_id_or_account_outside_vat_is_a_located_error(old: str, new: str,
                                                             says: str) -> None:
    assert old in OUTSIDE
    text = OUTSIDE.replace(old, new)
    found = problems(text)
    assert len(found) == 1 and says in found[0][2], found
    assert found[0][1] == line_of(text, new.split("\n")[0][:20])


def test_an_invoice_of_a_seller_without_any_id_cannot_be_an_e_invoice(tmp_path: Path) -> None:
    inv = _invoice(tmp_path)
    assert inv.seller is not None
    bare = replace(inv, sections=(replace(inv.sections[0], seller=replace(
        inv.seller, legal_id=None, legal_scheme=None, business_id=None)),))
    with pytest.raises(EInvoiceError, match="lacks the seller legal_id"):
        invoice_ubl(bare)


def test_an_invoice_outside_vat_is_shown_again_as_issued(tmp_path: Path) -> None:
    """Its legal id and account go into the ledger and come back: the same e-invoice."""
    from rewardengine.invoicing.run import show_invoice

    inv = _invoice(tmp_path)
    again = show_invoice(str(tmp_path / "l.sqlite"), inv.number)
    assert again is not None and again.seller == inv.seller
    assert again.seller is not None and (again.seller.legal_scheme, again.seller.account) == \
        ("0060", "000123456789")
    assert invoice_ubl(again) == invoice_ubl(inv)
