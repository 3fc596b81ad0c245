"""The Peppol BIS Billing 3.0 rules the CEN EN 16931 validation does not hold, asserted with
XPath on the UBL written (the Peppol schematron ships in no package the project uses, so it
is neither downloaded nor vendored): a line period within the document's (PEPPOL-EN16931-R110
for its start, R111 for its end), both parties' electronic addresses (R010 the buyer's,
R020 the seller's), their schemes in Peppol's address scheme list (CL008), and the ids of the
schemes the schematron checks, with its arithmetic (PEPPOL-COMMON-R040 a GLN, R041 a Norwegian
organisation number, R042 a Danish CVR number, R049 a Swedish organisation number). Each case
runs the CEN validation too."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import EVENT_HEADER
from invoicing_cases import COMPONENTS, ROWS, contract, events, issue
from lxml import etree
from test_einvoice import CONTRACT_WITH_PARTIES, NS, PARTIES, SELLER, valid_finvoice, valid_ubl
from typer.testing import CliRunner

from rewardengine.cli import app
from rewardengine.contract.parties import ADDRESS_SCHEMES, PEPPOL_WITHDRAWN
from rewardengine.events.read import read_events
from rewardengine.invoicing.einvoice import EInvoiceError
from rewardengine.invoicing.finvoice import invoice_finvoice
from rewardengine.invoicing.invoice import Invoice
from rewardengine.invoicing.periods import resolve_period
from rewardengine.invoicing.run import issue_invoice
from rewardengine.invoicing.ubl import invoice_ubl
from rewardengine.pipeline import load_contract, load_contract_text

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()
LINES = "cac:InvoiceLine | cac:CreditNoteLine"
ONE_DAY = timedelta(days=1)


def peppol_failures(xml: str) -> list[str]:
    """The Peppol rules R110, R111, R010 and R020 as the schematron tests them: a line's
    start date not before the document's start, its end date not after the document's end
    (each only where both dates are given); an EndpointID in both parties."""
    doc = etree.fromstring(xml.encode("utf-8"))
    start = doc.findtext("cac:InvoicePeriod/cbc:StartDate", namespaces=NS)
    end = doc.findtext("cac:InvoicePeriod/cbc:EndDate", namespaces=NS)
    out = []
    for line in doc.xpath(LINES, namespaces=NS):
        no = line.findtext("cbc:ID", namespaces=NS)
        first = line.findtext("cac:InvoicePeriod/cbc:StartDate", namespaces=NS)
        last = line.findtext("cac:InvoicePeriod/cbc:EndDate", namespaces=NS)
        if first and start and date.fromisoformat(first) < date.fromisoformat(start):
            out.append(f"PEPPOL-EN16931-R110 line {no} starts {first}, before {start}")
        if last and end and date.fromisoformat(last) > date.fromisoformat(end):
            out.append(f"PEPPOL-EN16931-R111 line {no} ends {last}, after {end}")
    for rule, party in (("R010", "AccountingCustomerParty"), ("R020", "AccountingSupplierParty")):
        if not doc.xpath(f"cac:{party}/cac:Party/cbc:EndpointID/text()", namespaces=NS):
            out.append(f"PEPPOL-EN16931-{rule} no EndpointID in {party}")
    for el in doc.xpath("//cbc:EndpointID", namespaces=NS):
        if el.get("schemeID") not in EAS:
            out.append(f"PEPPOL-EN16931-CL008 EndpointID scheme {el.get('schemeID')}")
    for el in doc.xpath("//cbc:EndpointID | //cbc:CompanyID[@schemeID]", namespaces=NS):
        scheme, text = el.get("schemeID"), " ".join((el.text or "").split())
        check = ID_RULES.get(scheme)
        if check is not None and not check[1](text):
            out.append(f"PEPPOL-COMMON-{check[0]} {scheme} '{text}'")
    return out


# Peppol BIS Billing's EAS list (CL008) as the November release holds it: 0037 (FI:OVT) and
# the other Finnish schemes 0212, 0213, 0215 are gone, 0216 replaces them
EAS_LIST = """0002 0007 0009 0060 0088 0096 0097 0106 0130 0135 0142 0151 0158 0183 0184 0188
0190 0191 0192 0195 0196 0198 0199 0200 0201 0204 0208 0209 0210 0211 0216 0218 0221 0230 0235
9910 9913 9914 9915 9918 9919 9920 9922 9923 9924 9925 9926 9927 9928 9929 9930 9931 9932 9933
9934 9935 9936 9937 9938 9939 9940 9941 9942 9943 9944 9945 9946 9947 9948 9949 9950 9951 9952
9953 9957 9959 0225 0240 0244 0245 0242 0246 0248"""
EAS = set(EAS_LIST.split())


def _weighted(digits: str, weight: Callable[[int], int]) -> int:
    """The schematron's weighted sum: digits right to left, the check digit left out."""
    return sum(int(c) * weight(i) for i, c in enumerate(reversed(digits[:-1])))


def _gln(v: str) -> bool:  # u:gln, weights 3, 1, 3, ... from the right
    return re.fullmatch(r"\d{13}", v) is not None and \
        (10 - _weighted(v, lambda i: 3 if i % 2 == 0 else 1) % 10) % 10 == int(v[-1])


def _mod11(v: str) -> bool:  # u:mod11, weights 2 to 7 from the right
    return re.fullmatch(r"\d{9}", v) is not None and int(v) > 0 and \
        (11 - _weighted(v, lambda i: i % 6 + 2) % 11) % 11 == int(v[-1])


def _se_orgnr(v: str) -> bool:  # u:checkSEOrgnr, Luhn over the first nine digits
    if re.fullmatch(r"\d{10}", v) is None:
        return False
    total = sum(int(c) * 2 % 10 + int(c) * 2 // 10 if i % 2 == 0 else int(c)
                for i, c in enumerate(reversed(v[:9])))
    return (10 - total % 10) % 10 == int(v[9])


# the schematron's rules on an id of each scheme the engine writes (PEPPOL-COMMON-R040 to R049)
ID_RULES: dict[str | None, tuple[str, Callable[[str], bool]]] = {
    "0088": ("R040", _gln), "0192": ("R041", _mod11),
    "0184": ("R042", lambda v: re.fullmatch(r"(DK)?\d{8}", v) is not None),
    "0007": ("R049", _se_orgnr)}


def _line_periods(xml: str) -> dict[str, tuple[str | None, str]]:
    """Each line's number: (its line period's start date or None, its note)."""
    doc = etree.fromstring(xml.encode("utf-8"))
    return {ln.findtext("cbc:ID", namespaces=NS): (
        ln.findtext("cac:InvoicePeriod/cbc:StartDate", namespaces=NS),
        ln.findtext("cbc:Note", namespaces=NS) or "") for ln in doc.xpath(LINES, namespaces=NS)}


def _tehostettu(tmp_path: Path, months: list[str]) -> dict[str, Invoice]:
    loaded, _ = load_contract(str(ROOT / "contracts" / "tehostettu_tyonvalitys.yaml"))
    assert loaded is not None
    evs = read_events([str(ROOT / "examples" / "tehostettu_tyonvalitys" / "events.csv")]).events
    out = {}
    for month in months:
        inv = issue_invoice(loaded, evs, resolve_period(month, None, None),
                            ledger_path=str(tmp_path / "l.sqlite"), inputs_hash="h").invoice
        assert inv is not None
        out[month] = inv
    return out


def test_r110_r111_the_month_by_month_ledger_and_its_correction(tmp_path: Path) -> None:
    """README's workflow: September corrects July's line (accrued 2020-07-04). It keeps
    September as its period, and the correction line has no line period (R110 failed on it)
    but says the day in its note, in UBL and in Finvoice alike."""
    invoices = _tehostettu(tmp_path, ["2020-04", "2020-05", "2020-06", "2020-07", "2020-08",
                                      "2020-09"])
    for month, inv in invoices.items():
        xml = invoice_ubl(inv)
        assert peppol_failures(xml) == [], month
        assert valid_ubl(xml) == [], month
        for ln in inv.lines:  # a line accrued in its month keeps its day as its line period
            assert _line_periods(xml)[str(ln.no)][0] == (ln.date.isoformat() if ln.date
                                                         else None), (month, ln.no)
    sept = invoices["2020-09"]
    xml = invoice_ubl(sept)
    doc = etree.fromstring(xml.encode("utf-8"))
    assert (doc.findtext("cac:InvoicePeriod/cbc:StartDate", namespaces=NS),
            doc.findtext("cac:InvoicePeriod/cbc:EndDate", namespaces=NS)) == (
        "2020-09-01", "2020-09-30")  # the billed month, not widened to July
    first, note = _line_periods(xml)["1"]
    assert first is None, "PEPPOL-EN16931-R110: a July line period on September's invoice"
    assert note.startswith("customer T03, spell:T03-E1:open, accrued 2020-07-04: correction:")
    fv = etree.fromstring(invoice_finvoice(sept).encode("utf-8"))
    row = fv.find("InvoiceRow")
    assert row is not None and row.find("StartDate") is None and row.find("EndDate") is None
    assert row.findtext("RowFreeText") == note  # one story in both formats
    assert (fv.findtext("InvoiceDetails/InvoicingPeriodStartDate"),
            fv.findtext("InvoiceDetails/InvoicingPeriodEndDate")) == ("20200901", "20200930")


def test_r110_a_ledger_started_mid_contract_catches_up_earlier_lines(tmp_path: Path) -> None:
    """The first invoice of a ledger started in August bills what was earned before: those
    lines have no line period, August's keep theirs."""
    aug = _tehostettu(tmp_path, ["2020-08"])["2020-08"]
    xml = invoice_ubl(aug)
    assert peppol_failures(xml) == [] and valid_ubl(xml) == []
    assert valid_finvoice(invoice_finvoice(aug)) == []
    periods = _line_periods(xml)
    start = date(2020, 8, 1)
    late = [ln for ln in aug.lines if ln.date is not None and ln.date < start]
    on_time = [ln for ln in aug.lines if ln.date is not None and ln.date >= start]
    assert late and on_time, "the case needs both kinds of line"
    for ln in late:
        assert periods[str(ln.no)] == (None, periods[str(ln.no)][1])
        assert f", accrued {ln.date.isoformat()}: " in periods[str(ln.no)][1]
    for ln in on_time:
        assert periods[str(ln.no)][0] == ln.date.isoformat()
        assert ", accrued " not in periods[str(ln.no)][1]


def test_r110_a_credit_note_of_an_earlier_month(tmp_path: Path) -> None:
    loaded = contract(PARTIES, head=CONTRACT_WITH_PARTIES)
    ledger = tmp_path / "l.sqlite"
    for month in ("2020-01", "2020-02", "2020-03"):
        issue(loaded, events(), month, ledger)
    april = issue(loaded, events(), "2020-04", ledger).invoice  # E1 voided: -200.00
    assert april is not None and april.credit_note
    xml = invoice_ubl(april)
    assert etree.QName(etree.fromstring(xml.encode("utf-8"))).localname == "CreditNote"
    assert peppol_failures(xml) == [] and valid_ubl(xml) == []
    (first, note), = _line_periods(xml).values()
    accrued = april.corrections[0].date
    assert accrued is not None and accrued < date(2020, 4, 1)
    assert first is None and f"accrued {accrued.isoformat()}: correction:" in note


def _dated(inv: Invoice, day: date) -> Invoice:
    return replace(inv, sections=(replace(inv.sections[0], lines=(
        replace(inv.lines[0], date=day),)),))


@pytest.mark.parametrize("shift, kept", [(-1, False), (0, True)])
def test_r110_at_the_period_start(tmp_path: Path, shift: int, kept: bool) -> None:
    jan = issue(contract(PARTIES, head=CONTRACT_WITH_PARTIES), events(), "2020-01",
                tmp_path / "l.sqlite").invoice
    assert jan is not None
    day = jan.period.start + shift * ONE_DAY  # one day before, exactly on the first day
    xml = invoice_ubl(_dated(jan, day))
    assert peppol_failures(xml) == []
    first, note = _line_periods(xml)[str(jan.lines[0].no)]
    assert (first, f"accrued {day.isoformat()}" in note) == (
        (day.isoformat(), False) if kept else (None, True))


@pytest.mark.parametrize("shift, kept", [(0, True), (1, False)])
def test_r111_at_the_period_end(tmp_path: Path, shift: int, kept: bool) -> None:
    jan = issue(contract(PARTIES, head=CONTRACT_WITH_PARTIES), events(), "2020-01",
                tmp_path / "l.sqlite").invoice
    assert jan is not None
    day = jan.period.last_day + shift * ONE_DAY  # exactly on the last day, one day over
    xml = invoice_ubl(_dated(jan, day))
    assert peppol_failures(xml) == []
    doc = etree.fromstring(xml.encode("utf-8"))
    ends = doc.xpath("cac:InvoiceLine/cac:InvoicePeriod/cbc:EndDate/text()", namespaces=NS)
    assert ends == ([day.isoformat()] if kept else [])


def test_r110_r111_r010_r020_the_docs_example() -> None:
    """docs/invoicing.md prints September's UBL (test_einvoice holds it equal to the
    rendering): it keeps the Peppol rules."""
    ubl = re.findall(r"```xml\n(.*?)```", (ROOT / "docs" / "invoicing.md").read_text(
        encoding="utf-8"), re.S)[0]
    assert "<Invoice " in ubl
    assert peppol_failures(ubl) == [] and valid_ubl(ubl) == []
    assert "accrued 2020-07-04" in ubl


# --- R010, R020: the electronic addresses ----------------------------------------------------

NO_BUYER_ADDRESS = PARTIES.replace(
    '    e_invoice_address: {scheme: "0216", id: "003792000074", operator: "003792000082"}\n',
    "")
NO_SELLER_ADDRESS = CONTRACT_WITH_PARTIES.replace(
    '      e_invoice_address: {scheme: "0216", id: "003792000453", operator: NDEAFIHH}\n', "")


def test_r010_r020_the_renderer_refuses_a_party_without_an_address(tmp_path: Path) -> None:
    assert NO_BUYER_ADDRESS != PARTIES and NO_SELLER_ADDRESS != CONTRACT_WITH_PARTIES
    buyer = issue(contract(NO_BUYER_ADDRESS, head=CONTRACT_WITH_PARTIES), events(), "2020-01",
                  tmp_path / "a.sqlite").invoice
    seller = issue(contract(PARTIES, head=NO_SELLER_ADDRESS), events(), "2020-01",
                   tmp_path / "b.sqlite").invoice
    assert buyer is not None and seller is not None
    with pytest.raises(EInvoiceError, match=r"lacks the buyer e_invoice_address "
                                            r"\(PEPPOL-EN16931-R010\)"):
        invoice_ubl(buyer)
    with pytest.raises(EInvoiceError, match=r"lacks the seller 'Acme Oy' e_invoice_address "
                                            r"\(PEPPOL-EN16931-R020\)"):
        invoice_ubl(seller)
    # Finvoice is still written (its envelope is optional), without the envelope
    fv = invoice_finvoice(buyer)
    assert valid_finvoice(fv) == [] and "<MessageTransmissionDetails>" not in fv


def _files(tmp_path: Path, head: str, parties: str) -> tuple[str, str]:
    c = tmp_path / "contract.yaml"
    c.write_text(head + textwrap.dedent(COMPONENTS) + parties, encoding="utf-8")
    e = tmp_path / "events.csv"
    e.write_text(EVENT_HEADER + textwrap.dedent(ROWS).strip() + "\n", encoding="utf-8")
    return str(c), str(e)


@pytest.mark.parametrize("head, parties, rule, line_of", [
    (CONTRACT_WITH_PARTIES, NO_BUYER_ADDRESS, "R010", "    name: Testikunnan työllisyysalue"),
    (NO_SELLER_ADDRESS, PARTIES, "R020", "    - id: acme"),
])
def test_r010_r020_invoice_format_ubl_refuses_and_records_nothing(
        tmp_path: Path, head: str, parties: str, rule: str, line_of: str) -> None:
    c, e = _files(tmp_path, head, parties)
    text = Path(c).read_text(encoding="utf-8")
    line = text[:text.index(line_of + "\n")].count("\n") + 1
    ledger = tmp_path / "l.sqlite"
    result = runner.invoke(app, ["invoice", c, e, "--period", "2020-01", "--ledger",
                                 str(ledger), "--new-ledger", "--format", "ubl"])
    assert result.exit_code == 1, result.output
    assert re.search(rf"contract\.yaml:{line}:\d+: C226 ", result.output), result.output
    assert f"PEPPOL-EN16931-{rule}" in result.output and "e_invoice_address" in result.output
    assert not ledger.exists()
    # Finvoice is issued, and validate warns (C231) but passes
    assert runner.invoke(app, ["invoice", c, e, "--period", "2020-01", "--ledger", str(ledger),
                               "--new-ledger", "--format", "finvoice"]).exit_code == 0
    checked = runner.invoke(app, ["validate", c])
    assert checked.exit_code == 0 and f"contract.yaml:{line}:" in checked.output
    assert "C231 warning" in checked.output and f"PEPPOL-EN16931-{rule}" in checked.output
    # the invoice issued so is not shown as UBL: its recorded parties lack the address
    number = "T-acme-0001"
    shown = runner.invoke(app, ["invoice", "show", number, "--ledger", str(ledger), "--format",
                                "ubl"])
    assert shown.exit_code == 1 and f"PEPPOL-EN16931-{rule}" in shown.output


def test_c228_a_finnish_address_without_its_operator_is_warned(tmp_path: Path) -> None:
    head = CONTRACT_WITH_PARTIES.replace(", operator: NDEAFIHH}", "}")
    assert head != CONTRACT_WITH_PARTIES
    c, _ = _files(tmp_path, head, PARTIES)
    checked = runner.invoke(app, ["validate", c])
    assert checked.exit_code == 0 and "C231 warning" in checked.output
    assert "names no operator" in checked.output
    assert runner.invoke(app, ["validate", "--strict", c]).exit_code == 1


# --- CL008, R040 to R049: the electronic addresses' schemes and ids --------------------------

BUYER_ADDRESS = (
    '    e_invoice_address: {scheme: "0216", id: "003792000074", operator: "003792000082"}\n')


def _buyer_addressed(scheme: str, typed: str) -> str:
    parties = PARTIES.replace(BUYER_ADDRESS, f'    e_invoice_address: {{scheme: "{scheme}", '
                              f'id: "{typed}", operator: "003792000082"}}\n')
    assert parties != PARTIES
    return parties


def _ids(xml: str, path: str) -> list[tuple[str | None, str | None]]:
    doc = etree.fromstring(xml.encode("utf-8"))
    return [(el.get("schemeID"), el.text) for el in doc.xpath(path, namespaces=NS)]


BUYER = "cac:AccountingCustomerParty/cac:Party"


def test_the_peppol_checks_here_hold_the_schematron_s_arithmetic() -> None:
    """The oracles peppol_failures applies, on published valid ids and one digit off."""
    assert _gln("6411512000008") and not _gln("6411512000009") and not _gln("641151200008")
    assert _mod11("974760673") and not _mod11("974760674")
    assert _se_orgnr("5560360793") and not _se_orgnr("5560360794")
    assert not _se_orgnr("556036-0793")


# each e-invoice address scheme the engine accepts for Peppol: typed with spaces or dashes,
# written compact, as CL008 and PEPPOL-COMMON-R040 to R049 check it
ADDRESSES = [
    ("0216", "0037 9200007 4", "003792000074"),
    ("0088", "641151 2000008", "6411512000008"),
    ("0007", "556036-0793", "5560360793"),
    ("0192", "974 760 673", "974760673"),
    ("0184", "DK 13 58 56 28", "13585628"),
    ("0060", "15-048-3782", "150483782"),
    ("9959", "12-3456789", "123456789"),
]


@pytest.mark.parametrize("scheme, typed, written", ADDRESSES)
def test_r040_r049_an_endpoint_id_is_written_compact(
        tmp_path: Path, scheme: str, typed: str, written: str) -> None:
    loaded = contract(_buyer_addressed(scheme, typed), head=CONTRACT_WITH_PARTIES)
    address = loaded.contract.invoicing.buyer.e_invoice_address  # type: ignore[union-attr]
    assert address is not None and address.id == written  # kept compact from the load on
    inv = issue(loaded, events(), "2020-01", tmp_path / "l.sqlite").invoice
    assert inv is not None
    xml = invoice_ubl(inv)
    assert _ids(xml, f"{BUYER}/cbc:EndpointID") == [(scheme, written)]
    assert peppol_failures(xml) == [] and valid_ubl(xml) == []


@pytest.mark.parametrize("scheme, typed, written", [
    ("0037", "9200007-4", "92000074"),  # the ICD list (BR-CL-11) still holds 0037
    ("0088", "641151-2000008", "6411512000008"),
    ("0007", "556036-0793", "5560360793"),
    ("0192", "974 760 673", "974760673"),
    ("0184", "13 58 56 28", "13585628"),
    ("0060", "150 483 782", "150483782"),
])
def test_r040_r049_a_legal_id_is_written_compact(
        tmp_path: Path, scheme: str, typed: str, written: str) -> None:
    parties = PARTIES.replace("    vat_id: FI92000074\n", "    vat_id: FI92000074\n"
                              f'    legal_id: {{scheme: "{scheme}", id: "{typed}"}}\n')
    assert parties != PARTIES
    inv = issue(contract(parties, head=CONTRACT_WITH_PARTIES), events(), "2020-01",
                tmp_path / "l.sqlite").invoice
    assert inv is not None
    xml = invoice_ubl(inv)
    assert _ids(xml, f"{BUYER}/cac:PartyLegalEntity/cbc:CompanyID") == [(scheme, written)]
    assert peppol_failures(xml) == [] and valid_ubl(xml) == []


def test_r049_an_id_recorded_as_typed_is_written_compact(tmp_path: Path) -> None:
    """An invoice issued before the contract's ids were kept compact holds them as typed in
    its recorded parties; the UBL writes them compact all the same."""
    inv = issue(contract(PARTIES, head=CONTRACT_WITH_PARTIES), events(), "2020-01",
                tmp_path / "l.sqlite").invoice
    assert inv is not None and inv.buyer_party is not None
    typed = replace(inv, buyer_party=replace(
        inv.buyer_party, endpoint_scheme="0007", endpoint_id="556036-0793",
        legal_scheme="0088", legal_id="641151 2000008"))
    xml = invoice_ubl(typed)
    assert _ids(xml, f"{BUYER}/cbc:EndpointID") == [("0007", "5560360793")]
    assert _ids(xml, f"{BUYER}/cac:PartyLegalEntity/cbc:CompanyID") == [
        ("0088", "6411512000008")]
    assert peppol_failures(xml) == [] and valid_ubl(xml) == []
    wrong = replace(inv, buyer_party=replace(inv.buyer_party, endpoint_scheme="0007",
                                             endpoint_id="556036-0794"))
    with pytest.raises(EInvoiceError, match=r"'556036-0794' is not a valid id of scheme 0007 "
                                            r"\(PEPPOL-COMMON-R040 to R049\)"):
        invoice_ubl(wrong)


def test_cl008_an_address_of_scheme_0037_is_finvoice_s_only(tmp_path: Path) -> None:
    """Peppol withdrew 0037 (FI:OVT) from its EAS list: validate warns (C232), invoice
    --format ubl refuses it located (C226) and records nothing, Finvoice is issued, and the
    invoice issued so is not shown as UBL."""
    parties = _buyer_addressed("0037", "9200007-4")
    c, e = _files(tmp_path, CONTRACT_WITH_PARTIES, parties)
    text = Path(c).read_text(encoding="utf-8")
    line = text[:text.index('scheme: "0037"')].count("\n") + 1
    checked = runner.invoke(app, ["validate", c])
    assert checked.exit_code == 0, checked.output
    assert re.search(rf"contract\.yaml:{line}:\d+: C232 warning: invoicing\.buyer: Peppol no "
                     r"longer delivers to e-invoice address scheme 0037 .*CL008.*give scheme "
                     r"0216", checked.output), checked.output
    ledger = tmp_path / "l.sqlite"
    refused = runner.invoke(app, ["invoice", c, e, "--period", "2020-01", "--ledger",
                                  str(ledger), "--new-ledger", "--format", "ubl"])
    assert refused.exit_code == 1, refused.output
    assert re.search(rf"contract\.yaml:{line}:\d+: C226 ", refused.output), refused.output
    assert "scheme 0037" in refused.output and not ledger.exists()
    issued = runner.invoke(app, ["invoice", c, e, "--period", "2020-01", "--ledger",
                                 str(ledger), "--new-ledger", "--format", "finvoice"])
    assert issued.exit_code == 0, issued.output
    shown = runner.invoke(app, ["invoice", "show", "T-acme-0001", "--ledger", str(ledger),
                                "--format", "ubl"])
    assert shown.exit_code == 1 and "PEPPOL-EN16931-CL008" in shown.output, shown.output


def test_cl008_every_accepted_scheme_but_0037_is_in_peppol_s_list() -> None:
    assert {s for s, _, _ in ADDRESSES} | {"0037"} == set(ADDRESS_SCHEMES)
    assert {s for s in ADDRESS_SCHEMES if s not in EAS} == set(PEPPOL_WITHDRAWN) == {"0037"}


def test_every_bundled_contract_names_both_addresses() -> None:
    """R010, R020 for the bundled examples: test_einvoice validates their invoices; here each
    contract that names a buyer gives every party its electronic address."""
    for path in sorted((ROOT / "contracts").glob("*.yaml")):
        loaded, _ = load_contract(str(path))
        assert loaded is not None
        inv = loaded.contract.invoicing
        if inv is None or inv.buyer is None:
            continue
        assert inv.buyer.e_invoice_address is not None, (path.stem, "R010")
        for p in loaded.contract.metadata.providers:
            assert p.e_invoice_address is not None, (path.stem, p.id, "R020")


def test_seller_fixture_is_addressed() -> None:
    assert 'e_invoice_address: {scheme: "0216"' in SELLER


@pytest.mark.parametrize("code, refused", [
    ("VATEX-EU-G", True), ("VATEX-EU-O", True), ("VATEX-EU-IC", True), ("VATEX-EU-AE", True),
    ("VATEX-EU-132-1G", False), ("VATEX-EU-D", False)])
def test_p0104_p0107_an_exempt_service_names_an_exempt_code(code: str, refused: bool) -> None:
    """Peppol ties VATEX-EU-G to category G, -O to O, -IC to K, -AE to AE (P0104 to P0107,
    fatal); with category E the contract refuses them."""
    text = (CONTRACT_WITH_PARTIES + textwrap.dedent(COMPONENTS) + PARTIES +
            f"  vat: {{category: E, exemption_code: {code}, exemption_reason: Exempt}}\n")
    _, found = load_contract_text(text, "contract.yaml")
    errors = [p.message for p in found if p.severity.value == "error"]
    assert bool(errors) == refused, errors
    if refused:
        assert "PEPPOL-EN16931-P0104 to P0107" in errors[0] and code in errors[0]
