"""E-invoices: every bundled example's invoices validate offline against the UBL 2.1 schema
and the CEN EN 16931 rules, and against Finvoice 3.0's rules; a document missing any
mandatory field is refused by the validators; credit notes and consortia."""

from __future__ import annotations

import os
import re
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from einvoice_validation import (
    en16931_failures,
    finvoice_schema_errors,
    finvoice_xsd,
    ubl_schema_errors,
)
from invoicing_cases import ROWS, TWO_PROVIDERS, contract, events, issue
from lxml import etree

from rewardengine.events.read import read_events
from rewardengine.invoicing.einvoice import EInvoiceError
from rewardengine.invoicing.finvoice import finvoice_problems, invoice_finvoice
from rewardengine.invoicing.invoice import Invoice, member_invoice
from rewardengine.invoicing.periods import resolve_period
from rewardengine.invoicing.run import issue_invoice
from rewardengine.invoicing.ubl import invoice_ubl
from rewardengine.pipeline import load_contract

ROOT = Path(__file__).resolve().parent.parent
# Bundled contracts that are not e-invoiced, and why (each names no invoicing.buyer; the test
# below holds that): none — a seller outside VAT (us_ticket_to_work) is e-invoiced too
NOT_E_INVOICED: set[str] = set()
EXAMPLES = sorted(p.name for p in (ROOT / "examples").iterdir()
                  if (p / "as_of.txt").exists() and p.name not in NOT_E_INVOICED)
NS = {"cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
      "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"}

PARTIES = """
invoicing:
  number_prefix: T
  payment_terms_days: 14
  buyer:
    name: Testikunnan työllisyysalue
    business_id: 9200007-4
    vat_id: FI92000074
    address: {street: Kuntakatu 1, postal_code: "00100", city: Helsinki}
    e_invoice_address: {scheme: "0216", id: "003792000074", operator: "003792000082"}
    reference: "1234"
"""
SELLER = ("    - id: acme\n      name: Acme Oy\n      business_id: 9200045-3\n"
          "      vat_id: FI92000453\n"
          "      address: {street: Näytekatu 5, postal_code: \"20100\", city: Turku}\n"
          "      e_invoice_address: {scheme: \"0216\", id: \"003792000453\", "
          "operator: NDEAFIHH}\n"
          "      bank: {iban: FI21 1234 5600 0007 85, bic: NDEAFIHH}\n")


def valid_ubl(xml: str) -> list[str]:
    return ubl_schema_errors(xml) + en16931_failures(xml)


def valid_finvoice(xml: str) -> list[str]:
    xsd = finvoice_xsd()
    return finvoice_problems(xml) + (finvoice_schema_errors(xml, xsd) if xsd else [])


def _example_invoices(name: str, ledger: Path) -> list[Invoice]:
    """One invoice per provider for the example's whole span, from the contract's first day
    to the example's date (every line it pays, corrections and all)."""
    loaded, problems = load_contract(str(ROOT / "contracts" / f"{name}.yaml"))
    assert loaded is not None, problems
    folder = ROOT / "examples" / name
    evs = read_events(sorted(str(p) for p in folder.iterdir()
                             if p.suffix in (".csv", ".jsonl"))).events
    as_of = date.fromisoformat((folder / "as_of.txt").read_text(encoding="utf-8").strip())
    md = loaded.contract.metadata
    period = resolve_period(None, md.valid_from.isoformat(),
                            min(as_of, md.valid_until).isoformat())
    out = []
    for provider in md.providers:
        result = issue_invoice(loaded, evs, period, ledger_path=str(ledger), inputs_hash="h",
                               provider=provider.id)
        if result.invoice is not None and not result.invoice.is_empty():
            out.append(result.invoice)
    if md.lead_provider is not None:  # and the consortium's invoice by its lead member
        joint = issue_invoice(loaded, evs, period, ledger_path=str(ledger) + ".joint",
                              inputs_hash="h", joint=True).invoice
        assert joint is not None and joint.seller is not None
        out.append(joint)
    return out


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_bundled_example_invoices_as_valid_e_invoices(name: str, tmp_path: Path) -> None:
    invoices = _example_invoices(name, tmp_path / "l.sqlite")
    assert invoices, f"{name}: nothing to invoice"
    for inv in invoices:
        ubl = invoice_ubl(inv)
        assert valid_ubl(ubl) == [], (inv.number, valid_ubl(ubl))
        assert valid_finvoice(invoice_finvoice(inv)) == [], inv.number
        assert len(inv.number) <= 20
        doc = etree.fromstring(ubl.encode("utf-8"))
        assert doc.findtext("cbc:ID", namespaces=NS) == inv.number
        payable = doc.findtext("cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=NS)
        assert payable == f"{abs(inv.total):.2f}"


def test_a_contract_is_e_invoiced_unless_listed_as_not() -> None:
    for path in sorted((ROOT / "contracts").glob("*.yaml")):
        loaded, _ = load_contract(str(path))
        assert loaded is not None
        invoicing = loaded.contract.invoicing
        named = invoicing is not None and invoicing.buyer is not None
        assert named == (path.stem not in NOT_E_INVOICED), path.stem


def test_the_tehostettu_months_validate_with_their_correction(tmp_path: Path) -> None:
    """The README's workflow month by month: July pays the self-reported 190.00; September
    corrects it to 750.00 (a debit of 560.00 citing July's invoice)."""
    loaded, _ = load_contract(str(ROOT / "contracts" / "tehostettu_tyonvalitys.yaml"))
    assert loaded is not None
    evs = read_events([str(ROOT / "examples" / "tehostettu_tyonvalitys" / "events.csv")]).events
    invoices = {}
    for month in ("2020-04", "2020-05", "2020-06", "2020-07", "2020-08", "2020-09"):
        result = issue_invoice(loaded, evs, resolve_period(month, None, None),
                               ledger_path=str(tmp_path / "l.sqlite"), inputs_hash="h")
        assert result.invoice is not None
        invoices[month] = result.invoice
    sept = invoices["2020-09"]
    assert (sept.number, sept.corrections[0].corrects) == ("TTV-BRK-0006", "TTV-BRK-0004/1")
    assert (sept.subtotal, sept.vat, sept.total) == (D("560.00"), D("134.40"), D("694.40"))
    for inv in invoices.values():
        assert valid_ubl(invoice_ubl(inv)) == []
        assert valid_finvoice(invoice_finvoice(inv)) == []
    doc = etree.fromstring(invoice_ubl(sept).encode("utf-8"))
    assert doc.findtext("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID",
                        namespaces=NS) == "TTV-BRK-0004"
    assert doc.findtext("cac:PaymentMeans/cbc:PaymentID", namespaces=NS) == \
        sept.payment_reference
    fv = etree.fromstring(invoice_finvoice(sept).encode("utf-8"))
    assert fv.findtext("InvoiceDetails/InvoiceTotalVatIncludedAmount") == "694,40"
    assert fv.findtext("InvoiceRow/OriginalInvoiceNumber") == "TTV-BRK-0004"
    assert fv.findtext("EpiDetails/EpiPaymentInstructionDetails/EpiDateOptionDate") == \
        "20201021"  # issued 30 Sept, 21 days net
    # docs/invoicing.md shows this invoice in both formats, as rendered now
    blocks = re.findall(r"```xml\n(.*?)```", (ROOT / "docs" / "invoicing.md").read_text(
        encoding="utf-8"), re.S)
    assert blocks == [invoice_ubl(sept), invoice_finvoice(sept)]


# --- each mandatory field, broken once, is refused ----------------------------------------------

def _reference_invoice(tmp_path: Path) -> Invoice:
    head = CONTRACT_WITH_PARTIES
    result = issue(contract(PARTIES, head=head), events(), "2020-01", tmp_path / "l.sqlite")
    assert result.invoice is not None
    return result.invoice


from conftest import CONTRACT_HEAD  # noqa: E402  (the shared head, with a full seller)

CONTRACT_WITH_PARTIES = CONTRACT_HEAD.replace("    - {id: acme, name: Acme Oy}\n", SELLER)

# (what is removed, the EN 16931 rule that requires it, or "xsd" when the UBL schema does)
UBL_MANDATORY = [
    ("cbc:CustomizationID", "BR-01"), ("cbc:ID", "BR-02"), ("cbc:IssueDate", "BR-03"),
    ("cbc:InvoiceTypeCode", "BR-04"), ("cbc:DocumentCurrencyCode", "BR-05"),
    ("cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName",
     "BR-06"),
    ("cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName",
     "BR-07"),
    ("cac:AccountingSupplierParty/cac:Party/cac:PostalAddress", "BR-08"),
    ("cac:AccountingSupplierParty/cac:Party/cac:PostalAddress/cac:Country", "BR-09"),
    ("cac:AccountingCustomerParty/cac:Party/cac:PostalAddress", "BR-10"),
    ("cac:AccountingCustomerParty/cac:Party/cac:PostalAddress/cac:Country", "BR-11"),
    ("cac:LegalMonetaryTotal/cbc:LineExtensionAmount", "BR-12"),
    ("cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount", "BR-13"),
    ("cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount", "BR-14"),
    ("cac:LegalMonetaryTotal/cbc:PayableAmount", "BR-15"),
    ("cac:InvoiceLine", "BR-16"),
    ("cac:InvoiceLine/cbc:ID", "BR-21"), ("cac:InvoiceLine/cbc:InvoicedQuantity", "BR-22"),
    ("cac:InvoiceLine/cbc:LineExtensionAmount", "BR-24"),
    ("cac:InvoiceLine/cac:Item/cbc:Name", "BR-25"),
    ("cac:InvoiceLine/cac:Price/cbc:PriceAmount", "BR-26"),
    ("cac:InvoiceLine/cac:Item/cac:ClassifiedTaxCategory", "BR-CO-04"),
    ("cac:TaxTotal/cac:TaxSubtotal", "BR-CO-18"),
    ("cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme", "BR-S-02"),
    ("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:Percent", "BR-48"),
    ("cac:PaymentMeans/cbc:PaymentMeansCode", "BR-49"),
]


def test_each_mandatory_ubl_field_removed_fails_validation(tmp_path: Path) -> None:
    xml = invoice_ubl(_reference_invoice(tmp_path))
    assert valid_ubl(xml) == []
    for path, rule in UBL_MANDATORY:
        doc = etree.fromstring(xml.encode("utf-8"))
        found = doc.findall(path, namespaces=NS)
        assert found, path
        for el in found:
            el.getparent().remove(el)
        broken = etree.tostring(doc, xml_declaration=True, encoding="UTF-8").decode("utf-8")
        failures = valid_ubl(broken)
        assert failures, f"removing {path} went unnoticed"
        if not ubl_schema_errors(broken):  # the schema allows it: EN 16931 must say which rule
            assert any(f.startswith(rule + " ") for f in failures), (path, failures)


FINVOICE_MANDATORY = [
    "SellerPartyDetails/SellerOrganisationName", "BuyerPartyDetails/BuyerOrganisationName",
    "InvoiceDetails/InvoiceTypeCode", "InvoiceDetails/InvoiceTypeText",
    "InvoiceDetails/OriginCode", "InvoiceDetails/InvoiceNumber", "InvoiceDetails/InvoiceDate",
    "InvoiceDetails/InvoiceTotalVatIncludedAmount", "InvoiceRow",
    "EpiDetails/EpiIdentificationDetails/EpiDate",
    "EpiDetails/EpiPartyDetails/EpiBeneficiaryPartyDetails/EpiAccountID",
    "EpiDetails/EpiPaymentInstructionDetails/EpiInstructedAmount",
    "EpiDetails/EpiPaymentInstructionDetails/EpiDateOptionDate",
]


def test_each_mandatory_finvoice_field_removed_or_too_long_fails(tmp_path: Path) -> None:
    xml = invoice_finvoice(_reference_invoice(tmp_path))
    assert valid_finvoice(xml) == []
    for path in FINVOICE_MANDATORY:
        doc = etree.fromstring(xml.encode("utf-8"))
        for el in doc.findall(path):
            el.getparent().remove(el)
        assert valid_finvoice(etree.tostring(doc, encoding="unicode")), path
    for path, text in (("InvoiceDetails/InvoiceNumber", "X" * 21),
                       ("InvoiceDetails/InvoiceTotalVatIncludedAmount", "248.00"),
                       ("InvoiceDetails/InvoiceDate", "2020-01-31"),
                       ("SellerPartyDetails/SellerOrganisationName", "A" * 71)):
        doc = etree.fromstring(xml.encode("utf-8"))
        el = doc.find(path)
        assert el is not None
        el.text = text
        assert valid_finvoice(etree.tostring(doc, encoding="unicode")), path


def test_the_official_finvoice_schema_is_used_where_ci_asks_for_it() -> None:
    # CI downloads the schema from a PyPI package (.ci/run) and asks for it: never skip there
    if os.environ.get("REWARDENGINE_REQUIRE_FINVOICE_XSD"):
        assert finvoice_xsd() is not None


@pytest.mark.skipif(finvoice_xsd() is None, reason="the official Finvoice 3.0 XSD is not given")
def test_the_official_schema_itself_refuses_each_broken_mandatory_field(tmp_path: Path) -> None:
    xsd = finvoice_xsd()
    assert xsd is not None
    xml = invoice_finvoice(_reference_invoice(tmp_path))
    assert finvoice_schema_errors(xml, xsd) == []
    for path in ("SellerPartyDetails", "BuyerPartyDetails", "InvoiceDetails",
                 "InvoiceDetails/InvoiceTypeCode", "InvoiceDetails/InvoiceTotalVatIncludedAmount"):
        doc = etree.fromstring(xml.encode("utf-8"))
        for el in doc.findall(path):
            el.getparent().remove(el)
        assert finvoice_schema_errors(etree.tostring(doc, encoding="unicode"), xsd), path


def test_finvoice_writes_decimal_commas_and_its_dates(tmp_path: Path) -> None:
    inv = _reference_invoice(tmp_path)
    fv = etree.fromstring(invoice_finvoice(inv).encode("utf-8"))
    assert fv.get("Version") == "3.0"
    assert fv.findtext("InvoiceDetails/InvoiceTotalVatExcludedAmount") == "200,00"
    assert fv.findtext("InvoiceDetails/InvoiceTotalVatAmount") == "48,00"
    date_el = fv.find("InvoiceDetails/InvoiceDate")
    assert date_el is not None and (date_el.text, date_el.get("Format")) == ("20200131",
                                                                             "CCYYMMDD")
    assert fv.findtext("EpiDetails/EpiPaymentInstructionDetails/EpiRemittanceInfoIdentifier") \
        == inv.payment_reference
    assert fv.findtext("SellerInformationDetails/SellerAccountDetails/SellerAccountID") == \
        "FI2112345600000785"


def test_the_same_invoice_gives_the_same_bytes(tmp_path: Path) -> None:
    inv = _reference_invoice(tmp_path)
    again = Invoice.from_dict(inv.to_dict())
    assert invoice_ubl(inv) == invoice_ubl(again)
    assert invoice_finvoice(inv) == invoice_finvoice(again)


# --- credit notes ---------------------------------------------------------------------------

def test_a_period_whose_net_is_negative_is_a_credit_note_citing_what_it_corrects(
        tmp_path: Path) -> None:
    loaded = contract(PARTIES, head=CONTRACT_WITH_PARTIES)
    ledger = tmp_path / "l.sqlite"
    for month in ("2020-01", "2020-02", "2020-03"):
        issue(loaded, events(), month, ledger)
    april = issue(loaded, events(), "2020-04", ledger).invoice  # E1 voided: -200.00
    assert april is not None and april.credit_note
    assert (april.subtotal, april.vat, april.total) == (D("-200.00"), D("-48.00"),
                                                       D("-248.00"))
    assert april.corrected_invoices == ("T-acme-0003",)
    xml = invoice_ubl(april)
    assert valid_ubl(xml) == []
    doc = etree.fromstring(xml.encode("utf-8"))
    assert etree.QName(doc).localname == "CreditNote"
    assert doc.findtext("cbc:CreditNoteTypeCode", namespaces=NS) == "381"
    assert doc.findtext("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID",
                        namespaces=NS) == "T-acme-0003"
    # a credit note states its credit as positive amounts
    assert doc.findtext("cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=NS) == "248.00"
    assert doc.findtext("cac:CreditNoteLine/cbc:LineExtensionAmount", namespaces=NS) == \
        "200.00"
    fv = etree.fromstring(invoice_finvoice(april).encode("utf-8"))
    assert valid_finvoice(invoice_finvoice(april)) == []
    assert (fv.findtext("InvoiceDetails/InvoiceTypeCode"),
            fv.findtext("InvoiceDetails/InvoiceTotalVatIncludedAmount"),
            fv.findtext("InvoiceDetails/OriginalInvoiceReference/InvoiceNumber"),
            fv.findtext("EpiDetails/EpiPaymentInstructionDetails/EpiInstructedAmount")) == (
        "INV02", "-248,00", "T-acme-0003", "0,00")


# --- consortia -------------------------------------------------------------------------------

BETA = ("    - id: beta\n      name: Beta Osuuskunta\n      business_id: 9200053-3\n"
        "      vat_id: FI92000533\n"
        "      address: {street: Mallitie 2, postal_code: \"33100\", city: Tampere}\n"
        "      e_invoice_address: {scheme: \"0216\", id: \"003792000533\", "
        "operator: OKOYFIHH}\n"
        "      bank: {iban: FI36 1234 5600 0202 06, bic: OKOYFIHH}\n")
CONSORTIUM = CONTRACT_HEAD.replace("    - {id: acme, name: Acme Oy}\n", SELLER + BETA)
MEMBER_ROWS = ROWS.replace("r2,c2,referral,2020-02-03,,,,acme,",
                           "r2,c2,referral,2020-02-03,,,,beta,")


def test_a_joint_invoice_without_a_lead_is_a_summary_of_member_invoices(tmp_path: Path) -> None:
    inv = issue(contract(PARTIES, head=CONSORTIUM), events(MEMBER_ROWS), "2020-02",
                tmp_path / "l.sqlite", joint=True).invoice
    assert inv is not None and inv.member_invoices and inv.seller is None
    with pytest.raises(EInvoiceError, match="--member ID; members: acme, beta"):
        invoice_ubl(inv)
    acme, beta = member_invoice(inv, "acme"), member_invoice(inv, "beta")
    assert (acme.number, beta.number) == ("T-joint-0001-1", "T-joint-0001-2")
    assert acme.seller is not None and acme.seller.name == "Acme Oy"
    assert (acme.total, beta.total) == (D("310.00"), D("186.00"))  # c1, c3; c2; at 24 %
    assert inv.total == acme.total + beta.total
    for member in (acme, beta):
        assert valid_ubl(invoice_ubl(member)) == []
        assert valid_finvoice(invoice_finvoice(member)) == []
        assert member.payment_reference != inv.payment_reference


def test_a_lead_provider_invoices_the_whole_consortium(tmp_path: Path) -> None:
    head = CONSORTIUM.replace("  vat_rate: 0.24\n", "  vat_rate: 0.24\n  lead_provider: beta\n")
    inv = issue(contract(PARTIES, head=head), events(MEMBER_ROWS), "2020-02",
                tmp_path / "l.sqlite", joint=True).invoice
    assert inv is not None and not inv.member_invoices and inv.lead_provider == "beta"
    assert inv.seller is not None and inv.seller.name == "Beta Osuuskunta"
    xml = invoice_ubl(inv)
    assert valid_ubl(xml) == []
    doc = etree.fromstring(xml.encode("utf-8"))
    assert doc.findtext("cac:AccountingSupplierParty/cac:Party/cac:PartyName/cbc:Name",
                        namespaces=NS) == "Beta Osuuskunta"
    assert len(doc.findall("cac:InvoiceLine", namespaces=NS)) == 3  # both members


def test_an_invoice_issued_before_parties_were_recorded_is_no_e_invoice(tmp_path: Path) -> None:
    inv = issue(contract(head=TWO_PROVIDERS), events(), "2020-01", tmp_path / "l.sqlite",
                provider="acme").invoice
    assert inv is not None and inv.buyer_party is None
    with pytest.raises(EInvoiceError, match="without the parties an e-invoice needs"):
        invoice_finvoice(inv)


def test_numbers_fit_finvoice_and_references_follow_from_them(tmp_path: Path) -> None:
    inv = _reference_invoice(tmp_path)
    assert inv.number == "T-acme-0001" and re.fullmatch(r"1\d{15}", inv.payment_reference or "")


@pytest.mark.parametrize(("name", "cut"), [
    ("Job brokering provider (name not published here)", "Job brokering provider (name not"),
    ("A" * 35, "A" * 35),  # exactly the limit: whole
    ("A" * 34 + " B", "A" * 34),  # one over, the last word does not fit
    ("A" * 35 + " B", "A" * 35),  # the boundary falls just after the limit
    ("A" * 36, "A" * 35),  # one word longer than the limit: cut hard
    ("A " + "B" * 40, "A " + "B" * 33),  # no name left at the boundary: cut hard
])
def test_the_payee_name_is_cut_at_a_word_within_35_characters(name: str, cut: str) -> None:
    from rewardengine.invoicing.finvoice import cut_at_word
    assert cut_at_word(name, 35) == cut


def test_finvoice_names_the_payee_by_whole_words(tmp_path: Path) -> None:
    long = "Työllisyyspalvelut Esimerkki Osakeyhtiö Länsi-Suomen yksikkö"
    head = CONTRACT_WITH_PARTIES.replace("      name: Acme Oy\n", f"      name: {long}\n")
    result = issue(contract(PARTIES, head=head), events(), "2020-01", tmp_path / "l.sqlite")
    assert result.invoice is not None
    xml = invoice_finvoice(result.invoice)
    assert finvoice_problems(xml) == []
    fv = etree.fromstring(xml.encode("utf-8"))
    assert fv.findtext("SellerPartyDetails/SellerOrganisationName") == long
    assert fv.findtext("EpiDetails/EpiPartyDetails/EpiBeneficiaryPartyDetails/"
                       "EpiNameAddressDetails") == "Työllisyyspalvelut Esimerkki"


@pytest.mark.parametrize(("lang", "words"), [
    (None, "14 days net, due 2020-02-14"),
    ("fi", "14 päivää netto, eräpäivä 14.2.2020"),
    ("sv", "14 dagar netto, förfallodag 14.2.2020"),
    ("en", "14 days net, due 14.2.2020"),
])
def test_the_payment_terms_follow_the_language_asked(tmp_path: Path, lang: str | None,
                                                     words: str) -> None:
    inv = _reference_invoice(tmp_path)
    ubl, fv = invoice_ubl(inv, lang), invoice_finvoice(inv, lang)
    assert valid_ubl(ubl) == [] and valid_finvoice(fv) == []
    assert etree.fromstring(ubl.encode("utf-8")).findtext(
        "cac:PaymentTerms/cbc:Note", namespaces=NS) == words
    assert etree.fromstring(fv.encode("utf-8")).findtext(
        "InvoiceDetails/PaymentTermsDetails/PaymentTermsFreeText") == words
    # nothing else of the documents changes with the language
    english = "14 days net, due 2020-02-14"
    assert ubl.replace(words, english) == invoice_ubl(inv)
    assert fv.replace(words, english) == invoice_finvoice(inv)


def test_invoice_show_words_the_finvoice_terms_in_the_language_asked(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from rewardengine.cli import app
    ledger = tmp_path / "l.sqlite"
    inv = issue(contract(PARTIES, head=CONTRACT_WITH_PARTIES), events(), "2020-01",
                ledger).invoice
    assert inv is not None
    shown = CliRunner().invoke(app, ["invoice", "show", inv.number, "--ledger", str(ledger),
                                     "--format", "finvoice", "--lang", "fi"])
    assert shown.exit_code == 0
    assert "<PaymentTermsFreeText>14 päivää netto, eräpäivä 14.2.2020</PaymentTermsFreeText>" \
        in shown.stdout
    plain = CliRunner().invoke(app, ["invoice", "show", inv.number, "--ledger", str(ledger),
                                     "--format", "finvoice"])
    assert plain.stdout == invoice_finvoice(inv)
