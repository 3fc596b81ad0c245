"""Parties and payment in the contract: checked ids with located errors; invoice numbers
that fit an e-invoice; payment references derived from the invoice number; VAT settings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import CONTRACT_HEAD
from stdnum import iso11649
from test_einvoice import PARTIES, SELLER

from rewardengine.invoicing.invoice import Invoice
from rewardengine.invoicing.reference import (
    finnish_check_digit,
    finnish_reference,
    is_finnish_reference,
    rf_reference,
)
from rewardengine.pipeline import load_contract_text

COMPONENTS = """
components:
  - id: base_fee
    kind: event_fee
    event: service_start
    amount: 100.00
"""
GOOD = CONTRACT_HEAD.replace("    - {id: acme, name: Acme Oy}\n", SELLER) + COMPONENTS + PARTIES


def problems(text: str) -> list[tuple[str, int, str]]:
    _, found = load_contract_text(text, "contract.yaml")
    return [(p.code, p.source.line or 0, p.message) for p in found
            if p.severity.value == "error"]


def test_the_full_parties_validate() -> None:
    assert problems(GOOD) == []


def line_of(text: str, fragment: str) -> int:
    """The 1-based line of ``text`` where ``fragment`` is."""
    return text[:text.index(fragment)].count("\n") + 1


ADDRESS = 'e_invoice_address: {scheme: "0216", id: "003792000074"'
LEGAL = "    vat_id: FI92000074\n"


def _address(scheme: str, id_: str) -> tuple[str, str]:
    return ADDRESS, f'e_invoice_address: {{scheme: "{scheme}", id: "{id_}"'


def _legal(scheme: str, id_: str) -> tuple[str, str]:
    return LEGAL, f'{LEGAL}    legal_id: {{scheme: "{scheme}", id: "{id_}"}}\n'


@pytest.mark.parametrize(("old", "new", "says"), [
    ("business_id: 9200045-3", "business_id: 9200045-4",
     "'9200045-4' is not a valid Finnish business id (Y-tunnus)"),
    ("vat_id: FI92000453", "vat_id: FI92000454", "'FI92000454' is not a valid VAT id"),
    ("iban: FI21 1234 5600 0007 85", "iban: FI21 1234 5600 0007 86", "is not a valid IBAN"),
    ("bic: NDEAFIHH", "bic: NDEA", "'NDEA' is not a valid BIC"),
    # an e-invoice address of each scheme, its check digit one off (PEPPOL-COMMON-R040 to R049)
    ('id: "003792000074"', 'id: "003792000075"', "is not a valid Finnish OVT code"),
    (*_address("0037", "9200007-5"), "is not a valid Finnish business id (LY-tunnus)"),
    (*_address("0088", "641151 2000009"), "'641151 2000009' is not a valid GLN"),
    (*_address("0088", "012345678905"), "a gln is thirteen digits"),
    (*_address("0007", "556036-0794"), "'556036-0794' is not a valid Swedish organisation"),
    (*_address("0192", "974 760 674"), "is not a valid Norwegian organisation number"),
    (*_address("0184", "13585629"), "is not a valid Danish CVR number"),
    (*_address("0060", "15048378"), "a d-u-n-s number is nine digits"),
    (*_address("9959", "00-3456789"), "is not a valid US Employer Identification Number"),
    ('operator: "003792000082"', 'operator: "003792000083"',
     "is not a valid e-invoice operator"),
    # a legal id of each scheme
    (*_legal("0037", "9200007-5"), "is not a valid Finnish business id (LY-tunnus)"),
    (*_legal("0088", "6411512000009"), "is not a valid GLN"),
    (*_legal("0007", "5560360794"), "is not a valid Swedish organisation number"),
    (*_legal("0192", "974760674"), "is not a valid Norwegian organisation number"),
    (*_legal("0184", "DK13585629"), "is not a valid Danish CVR number"),
    (*_legal("0060", "1504837820"), "a d-u-n-s number is nine digits"),
])
def test_a_wrong_id_is_a_located_error(old: str, new: str, says: str) -> None:
    assert old in GOOD
    text = GOOD.replace(old, new, 1)
    found = problems(text)
    assert len(found) == 1, found
    code, at, message = found[0]
    assert code == "C111" and at == line_of(text, new.strip().splitlines()[-1]), found
    assert says in message, found


@pytest.mark.parametrize(("old", "new", "says"), [
    ("city: Turku}", "city: Turku, country: XX}", "'XX' is not an ISO 3166 country code"),
    ('scheme: "0216", id: "003792000074"', 'scheme: "9999", id: "003792000074"',
     "scheme '9999' is not one the engine knows"),
    (*_legal("9959", "123456789"), "scheme '9959' is not a legal registration scheme"),
])
def test_a_wrong_country_or_scheme_is_a_located_error(old: str, new: str, says: str) -> None:
    text = GOOD.replace(old, new, 1)
    ((code, at, message),) = problems(text)
    assert code == "C110" and at == line_of(text, new.strip().splitlines()[-1])
    assert says in message


@pytest.mark.parametrize(("scheme", "typed", "kept"), [
    ("0216", "0037 9200007 4", "003792000074"), ("0037", "9200007-4", "92000074"),
    ("0088", "641151 2000008", "6411512000008"), ("0007", "556036-0793", "5560360793"),
    ("0192", "974 760 673", "974760673"), ("0184", "DK 13585628", "13585628"),
    ("0060", "15-048-3782", "150483782"), ("9959", "12-3456789", "123456789")])
def test_a_valid_id_typed_with_spaces_or_dashes_is_kept_compact(
        scheme: str, typed: str, kept: str) -> None:
    text = GOOD.replace(*_address(scheme, typed), 1)
    loaded, found = load_contract_text(text, "contract.yaml")
    assert loaded is not None and [p for p in found if p.severity.value == "error"] == []
    assert loaded.contract.invoicing is not None and loaded.contract.invoicing.buyer is not None
    address = loaded.contract.invoicing.buyer.e_invoice_address
    assert address is not None and (address.scheme, address.id) == (scheme, kept)


def test_a_foreign_provider_keeps_its_own_business_id() -> None:
    text = GOOD.replace("business_id: 9200045-3", "business_id: '12345678'").replace(
        "city: Turku}", "city: London, country: GB}").replace("vat_id: FI92000453",
                                                             "vat_id: GB980780684")
    assert problems(text) == []


def test_an_e_invoicing_contract_needs_every_seller_and_short_numbers() -> None:
    no_bank = GOOD.replace("      bank: {iban: FI21 1234 5600 0007 85, bic: NDEAFIHH}\n", "")
    assert [(c, m[:60]) for c, _, m in problems(no_bank)] == [
        ("C226", "provider 'acme' cannot be the seller of an e-invoice: give i")]
    assert "give its bank" in problems(no_bank)[0][2]
    long = GOOD.replace("number_prefix: T\n", "number_prefix: Tehostettu24\n")
    ((code, line, message),) = problems(long)
    assert code == "C225" and line == line_of(long, "number_prefix:") and message.startswith(
        "invoice numbers such as 'Tehostettu24-acme-0001' have 22 characters; an e-invoice "
        "number has at most 20 (Finvoice): give a shorter invoicing.number_prefix or a short "
        "invoice_code for provider 'acme'")
    coded = long.replace("      name: Acme Oy\n", "      name: Acme Oy\n      invoice_code: A\n")
    assert problems(coded) == []  # Tehostettu24-A-0001: 19 characters


def test_invoice_codes_keep_numbers_apart() -> None:
    two = GOOD.replace("      name: Acme Oy\n", "      name: Acme Oy\n      invoice_code: A\n") \
        .replace("  vat_rate: 0.24\n", "") .replace(
            "  valid_from:", "  vat_rate: 0.24\n  valid_from:")
    beta = SELLER.replace("id: acme", "id: beta").replace("Acme Oy", "Beta Oy")
    two = two.replace("      bank: {iban: FI21 1234 5600 0007 85, bic: NDEAFIHH}\n",
                      "      bank: {iban: FI21 1234 5600 0007 85, bic: NDEAFIHH}\n"
                      + beta + "      invoice_code: A\n", 1)
    found = problems(two)
    assert [c for c, _, _ in found] == ["C225"]
    assert found[0][2].startswith("provider 'beta' is numbered 'A' like another provider: "
                                  "invoice numbers would repeat")


def test_a_lead_provider_must_be_a_provider_and_vat_must_hold_from_the_first_day() -> None:
    lead = GOOD.replace("  vat_rate: 0.24\n", "  vat_rate: 0.24\n  lead_provider: beta\n")
    assert [(c, m) for c, _, m in problems(lead)] == [
        ("C202", "lead_provider 'beta' is not one of the providers (acme)")]
    (where,) = [at for _, at, _ in problems(lead)]
    assert lead.splitlines()[where - 1].strip() == "lead_provider: beta"
    late = GOOD.replace("  vat_rate: 0.24\n", "  vat_rate: {values: {2020-02-01: 0.24}}\n")
    ((code, _, message),) = problems(late)
    assert code == "C220" and "holds from 2020-02-01, after the contract's valid_from" in message


@pytest.mark.parametrize(("vat", "says"), [
    ("{category: E}", "needs its exemption_reason or exemption_code"),
    ("{category: E, rate: 0.24, exemption_reason: health care}", "a rate is given only with"),
    ("{category: S, exemption_reason: no}", "an exemption reason is given only with"),
    ("{category: X}", "components.0.vat.category: 'X' is not one of 'S', 'E', 'Z' or 'O'"),
    ("{category: O, exemption_code: VATEX-EU-132-1G}", "has the exemption code VATEX-EU-O"),
    ("{category: E, exemption_code: EXEMPT}",
     "'EXEMPT' is not a VATEX code written like VATEX-EU-132-1C"),
])
def test_a_component_s_vat_is_consistent(vat: str, says: str) -> None:
    text = GOOD.replace("    amount: 100.00\n", f"    amount: 100.00\n    vat: {vat}\n")
    found = problems(text)
    assert len(found) == 1 and says in found[0][2], found


# --- payment references -----------------------------------------------------------------------

def test_finnish_reference_check_digit_7_3_1() -> None:
    # worked examples of the Finnish banks' reference number rules
    assert finnish_check_digit("123456") == "1"
    assert finnish_check_digit("1234") == "4"
    assert is_finnish_reference("1234561") and not is_finnish_reference("1234562")
    assert not is_finnish_reference("12")  # at least 4 digits


def test_references_are_derived_from_the_number_stable_and_apart() -> None:
    refs = [finnish_reference(f"T-acme-{n:04d}") for n in range(1, 200)]
    assert len(set(refs)) == len(refs) and all(is_finnish_reference(r) for r in refs)
    assert finnish_reference("T-acme-0001") == finnish_reference("T-acme-0001")
    assert finnish_reference("T-acme-0001") != finnish_reference("T-beta-0001")
    rf = rf_reference("T-acme-0001")
    assert iso11649.is_valid(rf) and rf.endswith(finnish_reference("T-acme-0001"))
    assert rf_reference("TTV-BRK-0004") == "RF631584257539000043"  # body: Finnish ref.


def test_an_rf_reference_when_the_contract_asks(tmp_path: Path) -> None:
    from conftest import contract_from
    from invoicing_cases import events, issue
    loaded = contract_from("""
components:
  - id: base_fee
    kind: event_fee
    event: service_start
    amount: {A: 100.00, B: 150.00}
""" + PARTIES.replace("payment_terms_days: 14", "payment_terms_days: 30\n  "
                      "payment_reference: rf"), CONTRACT_HEAD.replace(
        "    - {id: acme, name: Acme Oy}\n", SELLER))
    inv = issue(loaded, events(), "2020-01", tmp_path / "l.sqlite").invoice
    assert inv is not None and inv.payment_reference is not None
    assert inv.payment_reference.startswith("RF") and iso11649.is_valid(inv.payment_reference)
    assert str(inv.due_date) == "2020-03-01"  # 31 Jan + 30 days


def test_an_invoice_written_before_e_invoicing_is_still_read(tmp_path: Path) -> None:
    from invoicing_cases import contract, events, issue
    inv = issue(contract(), events(), "2020-01", tmp_path / "l.sqlite").invoice
    assert inv is not None
    data = json.loads(json.dumps(inv.to_dict()))
    for key in ("buyer_party", "references", "due_date", "payment_reference",
                "lead_provider", "member_invoices"):
        data.pop(key, None)
    for section in data["sections"]:
        section.pop("seller", None)
        for line in section["lines"]:
            line.pop("vat")
    old = Invoice.from_dict(data)
    assert old.buyer_party is None and old.lines[0].vat is None
    assert (old.subtotal, old.vat) == (inv.subtotal, inv.vat)  # one rate, as issued


def test_party_names_fit_an_e_invoice() -> None:
    long = GOOD.replace("      name: Acme Oy\n", f"      name: {'A' * 71}\n")
    ((code, line, message),) = problems(long)
    assert code == "C226" and line == line_of(long, "A" * 71) and "has 71 characters" in message
    buyer = GOOD.replace("  buyer: Test TE office\n", f"  buyer: {'B' * 80}\n").replace(
        "    name: Testikunnan työllisyysalue\n", "")
    assert [c for c, _, _ in problems(buyer)] == ["C226"]


# --- ids that belong to the party ---------------------------------------------------------------

def findings(text: str) -> list[tuple[str, str, int, str]]:
    """Every problem, warnings too: (code, severity, line, message)."""
    _, found = load_contract_text(text, "contract.yaml")
    return [(p.code, p.severity.value, p.source.line or 0, p.message) for p in found
            if p.code.startswith("C2")]


@pytest.mark.parametrize(("old", "new", "own"), [
    # the seller: one digit from its own (9200045-3 / FI92000453) is another company's
    ("vat_id: FI92000453", "vat_id: FI92000461", "FI92000453"),
    # the buyer's VAT id is checked against the buyer's business id
    ("vat_id: FI92000074", "vat_id: FI92000082", "FI92000074"),
])
def test_a_finnish_vat_id_of_another_business_id_is_a_located_error(
        old: str, new: str, own: str) -> None:
    text = GOOD.replace(old, new, 1)
    ((code, severity, line, message),) = findings(text)
    assert (code, severity, line) == ("C228", "error", line_of(text, new))
    assert message.startswith(f"the VAT id {new[8:]} is not that of business id ") and \
        f"the business id's eight digits, {own};" in message and "§209e" in message


def test_a_vat_id_is_checked_against_a_legal_id_of_the_finnish_scheme() -> None:
    legal = GOOD.replace("    business_id: 9200007-4\n",
                         "    legal_id: {scheme: '0037', id: 9200007-4}\n")
    assert findings(legal) == []
    wrong = legal.replace("vat_id: FI92000074", "vat_id: FI92000082")
    assert [(c, s) for c, s, _, _ in findings(wrong)] == [("C228", "error")]


def test_a_vat_id_of_another_country_or_without_a_finnish_id_is_not_compared() -> None:
    swedish = GOOD.replace("vat_id: FI92000453", "vat_id: SE556000000001")
    assert findings(swedish) == []
    no_id = GOOD.replace("      business_id: 9200045-3\n", "")
    assert [c for c, _, _, _ in findings(no_id)] == ["C226"]  # missing, not mismatched


OVT = 'e_invoice_address: {scheme: "0216", id: "003792000074", operator: "003792000082"}'


@pytest.mark.parametrize(("address", "warned"), [
    # each with an operator, which a Finnish party's address needs (C231)
    ('{scheme: "0216", id: "003792000074", operator: "003792000082"}', False),
    # a unit's suffix, 5 characters
    ('{scheme: "0216", id: "00379200007412345", operator: "003792000082"}', False),
    # another business id's OVT code
    ('{scheme: "0216", id: "003792000082", operator: "003792000082"}', True),
    ('{scheme: "0216", id: "00379200008212345", operator: "003792000082"}', True),
    # only an OVT code is compared: not the operator's, not an address of another scheme
    ('{scheme: "0216", id: "003792000074", operator: "003792000453"}', False),
    ('{scheme: "0037", id: "92000082", operator: "003792000082"}', False),
    ('{scheme: "0088", id: "4000001000005", operator: "003792000082"}', False),
])
def test_an_ovt_address_of_another_business_id_is_a_warning(address: str,
                                                             warned: bool) -> None:
    assert OVT in GOOD
    text = GOOD.replace(OVT, f"e_invoice_address: {address}")
    found = findings(text)
    if not warned:
        # an address of scheme 0037 is not compared; Peppol's withdrawal of it is C232
        assert [c for c, _, _, _ in found] == (
            ["C232"] if address.split('"')[1] == "0037" else [])
        return
    ((code, severity, line, message),) = found
    assert (code, severity, line) == ("C229", "warning", line_of(text, address))
    ovt = address.split('"')[3]
    assert message == (
        f"the e-invoice address {ovt} is an OVT code of business id 9200008-2, not of this "
        "party's 9200007-4: its invoices go to that organisation; right if it receives them "
        "for this party (another unit's address), otherwise give the party's own OVT code "
        "003792000074")


def test_validate_exits_1_for_a_vat_id_of_another_and_0_for_an_ovt_warning(
        tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from rewardengine.cli import app
    contract = tmp_path / "contract.yaml"
    contract.write_text(GOOD.replace("vat_id: FI92000453", "vat_id: FI92000461"),
                        encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(contract)])
    assert result.exit_code == 1 and "C228 the VAT id FI92000461" in result.stdout
    contract.write_text(GOOD.replace('id: "003792000074"', 'id: "003792000082"'),
                        encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(contract)])
    assert result.exit_code == 0 and "C229 warning: the e-invoice address" in result.stdout
