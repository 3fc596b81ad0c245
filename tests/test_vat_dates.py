"""VAT by the day the service was completed: 24 % until 31 Aug 2024, 25.5 % from 1 Sept 2024;
a correction is taxed at the rate of the line it corrects; an exempt component; the
breakdown per category and rate, each group rounded once."""

from __future__ import annotations

import textwrap
from decimal import Decimal as D
from pathlib import Path

from conftest import CONTRACT_HEAD, EVENT_HEADER, contract_from, events_from
from einvoice_validation import en16931_failures, ubl_schema_errors
from lxml import etree
from test_einvoice import NS, PARTIES, SELLER

from rewardengine.invoicing.invoice import Invoice, Vat, VatGroup, vat_breakdown
from rewardengine.invoicing.periods import resolve_period
from rewardengine.invoicing.run import issue_invoice
from rewardengine.invoicing.ubl import invoice_ubl

HEAD = (CONTRACT_HEAD.replace("    - {id: acme, name: Acme Oy}\n", SELLER)
        .replace("  vat_rate: 0.24\n", textwrap.indent(textwrap.dedent("""\
            vat_rate:
              values:
                2013-01-01: {value: 0.24, reference: "AVL 1501/1993 84 §, 1.1.2013"}
                2024-09-01: {value: 0.255, reference: "AVL 1501/1993 84 §, 1.9.2024"}
            """), "  "))
        .replace("valid_from: 2020-01-01", "valid_from: 2024-01-01")
        .replace("valid_until: 2022-12-31", "valid_until: 2025-12-31"))
COMPONENTS = """
components:
  - id: base_fee
    kind: event_fee
    event: service_start
    amount: {A: 100.00, B: 150.00}
"""
# c1 completes its service start on 31 Aug 2024, c2 on 1 Sept 2024; c3 started in July 2024
# as segment A, and a correction recorded in January 2025 moves it to segment B
ROWS = """
r1,c1,referral,2024-08-20,,,,acme,,2024-03-01
s1,c1,service_start,2024-08-31
r2,c2,referral,2024-08-25,,,,acme,,2024-03-01
s2,c2,service_start,2024-09-01
r3,c3,referral,2024-07-01,,,,acme,,2024-01-01
r3,c3,referral,2024-07-01,2025-01-10,,,acme,,2023-01-01
s3,c3,service_start,2024-07-10
"""


def _issue(ledger: Path, first: str, last: str, extra: str = "") -> Invoice:
    loaded = contract_from(COMPONENTS + extra + PARTIES, HEAD)
    result = issue_invoice(loaded, events_from(ROWS, EVENT_HEADER).events,
                           resolve_period(None, first, last), ledger_path=str(ledger),
                           inputs_hash="h")
    assert result.invoice is not None
    return result.invoice


def _valid(inv: Invoice) -> str:
    xml = invoice_ubl(inv)
    assert ubl_schema_errors(xml) + en16931_failures(xml) == []
    return xml


def test_services_completed_either_side_of_the_change_on_one_invoice(tmp_path: Path) -> None:
    ledger = tmp_path / "l.sqlite"
    _issue(ledger, "2024-07-01", "2024-07-31")
    inv = _issue(ledger, "2024-08-01", "2024-09-30")
    assert [(ln.customer_id, str(ln.date), ln.vat.rate if ln.vat else None)
            for ln in inv.lines] == [("c1", "2024-08-31", D("0.24")),
                                     ("c2", "2024-09-01", D("0.255"))]
    assert inv.lines[1].vat is not None and \
        inv.lines[1].vat.reference == "AVL 1501/1993 84 §, 1.9.2024"
    assert [(g.rate, g.taxable, g.tax) for g in inv.vat_breakdown] == [
        (D("0.24"), D("100.00"), D("24.00")), (D("0.255"), D("100.00"), D("25.50"))]
    assert (inv.subtotal, inv.vat, inv.total) == (D("200.00"), D("49.50"), D("249.50"))
    doc = etree.fromstring(_valid(inv).encode("utf-8"))
    percents = [p.text for p in doc.findall(
        "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:Percent", namespaces=NS)]
    assert percents == ["24", "25.5"]
    assert [p.text for p in doc.findall("cac:InvoiceLine/cac:Item/cac:ClassifiedTaxCategory/"
                                        "cbc:Percent", namespaces=NS)] == ["24", "25.5"]


def test_a_correction_of_a_july_2024_line_issued_in_2025_keeps_24_percent(
        tmp_path: Path) -> None:
    ledger = tmp_path / "l.sqlite"
    july = _issue(ledger, "2024-07-01", "2024-07-31")
    assert [(ln.customer_id, ln.amount) for ln in july.lines] == [("c3", D("100.00"))]
    _issue(ledger, "2024-08-01", "2024-12-31")
    jan = _issue(ledger, "2025-01-01", "2025-01-31")
    (fix,) = jan.corrections
    assert (fix.customer_id, fix.amount, fix.corrects) == ("c3", D("50.00"), f"{july.number}/1")
    assert fix.vat is not None and fix.vat.rate == D("0.24")  # the rate of July 2024
    assert (jan.vat, jan.total) == (D("12.00"), D("62.00"))  # not 12.75 at 25.5 %
    _valid(jan)


EXEMPT = """
  - id: session
    kind: event_fee
    event: hours
    where: {activity: psychologist_session}
    per: each
    amount: 110.00
    vat:
      category: E
      exemption_code: VATEX-EU-132-1C
      exemption_reason: Terveyden- ja sairaanhoitopalvelu (AVL 34 §)
"""


def test_an_exempt_component_has_its_own_breakdown_group_with_its_reason(
        tmp_path: Path) -> None:
    rows = ROWS + "h1,c1,hours,2024-09-05,,,,,,,,1,psychologist_session\n"
    loaded = contract_from(COMPONENTS + EXEMPT + PARTIES, HEAD)
    inv = issue_invoice(loaded, events_from(rows, EVENT_HEADER).events,
                        resolve_period(None, "2024-08-01", "2024-09-30"),
                        ledger_path=str(tmp_path / "l.sqlite"), inputs_hash="h").invoice
    assert inv is not None
    exempt = [g for g in inv.vat_breakdown if g.category == "E"]
    assert exempt == [VatGroup("E", D("0"), "VATEX-EU-132-1C",
                               "Terveyden- ja sairaanhoitopalvelu (AVL 34 §)", D("110.00"),
                               D("0.00"))]
    assert inv.vat == D("73.50")  # c3's July line (24.00), c1 (24.00), c2 (25.50)
    doc = etree.fromstring(_valid(inv).encode("utf-8"))
    assert doc.findtext("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory[cbc:ID='E']/"
                        "cbc:TaxExemptionReasonCode", namespaces=NS) == "VATEX-EU-132-1C"


def test_each_group_is_rounded_once_half_up_and_credits_away_from_zero() -> None:
    s24, s255 = Vat("S", D("0.24")), Vat("S", D("0.255"))
    # three lines of 0.10 at 25.5 %: 0.0255 a line (0.03 each, 0.09, if rounded per line);
    # the group's 0.30 gives 0.0765, rounded once: 0.08
    groups = vat_breakdown([(s255, D("0.10"))] * 3 + [(s24, D("10.00"))], D("0.24"))
    assert [(g.rate, g.taxable, g.tax) for g in groups] == [
        (D("0.24"), D("10.00"), D("2.40")), (D("0.255"), D("0.30"), D("0.08"))]
    assert vat_breakdown([(s255, D("-0.10"))], D("0"))[0].tax == D("-0.03")  # -0.0255
    # a line from before lines had their VAT is taxed at the invoice's one rate
    assert vat_breakdown([(None, D("100.00"))], D("0.24"))[0].tax == D("24.00")


def test_the_engine_s_own_bill_with_two_rates_verifies(tmp_path: Path) -> None:
    from rewardengine.api import read_bill_file
    from rewardengine.invoicing.render import invoice_csv
    from rewardengine.invoicing.run import verify_bill

    ledger = tmp_path / "l.sqlite"
    _issue(ledger, "2024-07-01", "2024-07-31")
    loaded = contract_from(COMPONENTS + PARTIES, HEAD)
    evs = events_from(ROWS, EVENT_HEADER).events
    period = resolve_period(None, "2024-08-01", "2024-09-30")
    dry = issue_invoice(loaded, evs, period, ledger_path=str(ledger), inputs_hash="h",
                        dry_run=True).invoice
    assert dry is not None
    bill = tmp_path / "bill.csv"
    bill.write_text(invoice_csv(dry), encoding="utf-8")
    assert "VAT S 0.24 on 100.00: 24.00; VAT S 0.255 on 100.00: 25.50" in bill.read_text(
        encoding="utf-8")
    report = verify_bill(loaded, evs, read_bill_file(str(bill)), period,
                         ledger_path=str(ledger))
    assert report.ok, [str(p) for p in report.problems]


def _tampered_vat(tmp_path: Path, rows: str, stated: str) -> list[tuple[str, str]]:
    """verify of the engine's own CSV bill for Aug-Sept 2024 with its VAT row changed to
    ``stated``: the problems as (code, message)."""
    from rewardengine.api import read_bill_file
    from rewardengine.invoicing.render import invoice_csv
    from rewardengine.invoicing.run import verify_bill

    ledger = tmp_path / "l.sqlite"
    _issue(ledger, "2024-07-01", "2024-07-31")
    loaded = contract_from(COMPONENTS + PARTIES, HEAD)
    evs = events_from(rows, EVENT_HEADER).events
    period = resolve_period(None, "2024-08-01", "2024-09-30")
    dry = issue_invoice(loaded, evs, period, ledger_path=str(ledger), inputs_hash="h",
                        dry_run=True).invoice
    assert dry is not None
    lines = invoice_csv(dry).splitlines()
    i = next(i for i, r in enumerate(lines) if ",vat," in r)
    lines[i] = lines[i].replace(f",{dry.vat},", f",{stated},", 1)
    bill = tmp_path / "bill.csv"
    bill.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = verify_bill(loaded, evs, read_bill_file(str(bill)), period,
                         ledger_path=str(ledger))
    assert not report.ok
    return [(p.code, p.message) for p in report.problems]


def test_a_wrong_vat_on_a_bill_of_two_rates_is_told_rate_by_rate(tmp_path: Path) -> None:
    """The bill's VAT row at 25.5 % of all its lines: no one rate makes the right VAT, so the
    message gives each rate's part, as the bill's own VAT row does."""
    assert _tampered_vat(tmp_path, ROWS, "51.00") == [(
        "B006", "the bill's vat says 51.00 but its lines' VAT is 49.50 (VAT S 0.24 on "
        "100.00: 24.00; VAT S 0.255 on 100.00: 25.50)")]


def test_a_wrong_vat_on_a_bill_of_one_rate_not_the_period_s_last_is_told_by_that_rate(
        tmp_path: Path) -> None:
    """Only August lines (24 %) on a bill whose period ends in September (25.5 %): the rate
    named is the lines' one, not the period's."""
    august = "\n".join(r for r in ROWS.splitlines() if ",c2," not in r) + "\n"
    assert _tampered_vat(tmp_path, august, "25.50") == [(
        "B006", "the bill's vat says 25.50 but its lines' VAT is 24.00 (VAT S 0.24 on "
        "100.00: 24.00)")]


def test_the_documented_exemptions_write_two_groups_with_their_codes(tmp_path: Path) -> None:
    """docs/invoicing.md's VAT example, as written there: a §34 health-care service and a §37
    social-welfare one, each its own exempt group with its VATEX code and reason."""
    import re

    doc = (Path(__file__).parents[1] / "docs" / "invoicing.md").read_text(encoding="utf-8")
    (example,) = [b for b in re.findall(r"```yaml\n(.*?)```", doc, re.S)
                  if "VATEX-EU-132-1G" in b]
    rows = ROWS + ("h1,c1,hours,2024-09-05,,,,,,,,1,psychologist_session\n"
                   "h2,c2,hours,2024-09-06,,,,,,,,6,rehabilitative_work_activity\n")
    loaded = contract_from(example + PARTIES, HEAD)
    inv = issue_invoice(loaded, events_from(rows, EVENT_HEADER).events,
                        resolve_period(None, "2024-09-01", "2024-09-30"),
                        ledger_path=str(tmp_path / "l.sqlite"), inputs_hash="h").invoice
    assert inv is not None
    assert [(g.exemption_code, g.exemption_reason, g.taxable, g.tax)
            for g in inv.vat_breakdown if g.category == "E"] == [
        ("VATEX-EU-132-1C", "Terveyden- ja sairaanhoitopalvelu (AVL 34 §)", D("110.00"),
         D("0.00")),
        ("VATEX-EU-132-1G", "Sosiaalihuoltopalvelu (AVL 37 §)", D("25.00"), D("0.00"))]
    # EN 16931 has one exempt group per invoice: the reasons joined, no single code
    exempt = etree.fromstring(_valid(inv).encode("utf-8")).find(
        "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory[cbc:ID='E']", namespaces=NS)
    assert exempt is not None and exempt.findtext("cbc:TaxExemptionReasonCode",
                                                  namespaces=NS) is None
    assert exempt.findtext("cbc:TaxExemptionReason", namespaces=NS) == (
        "Sosiaalihuoltopalvelu (AVL 37 §); Terveyden- ja sairaanhoitopalvelu (AVL 34 §)")
    # the social-welfare service alone on an invoice: its code and reason
    alone = issue_invoice(loaded, events_from(rows.replace("psychologist_session", "other"),
                                              EVENT_HEADER).events,
                          resolve_period(None, "2024-09-01", "2024-09-30"),
                          ledger_path=str(tmp_path / "other.sqlite"), inputs_hash="h").invoice
    assert alone is not None
    exempt = etree.fromstring(_valid(alone).encode("utf-8")).find(
        "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory[cbc:ID='E']", namespaces=NS)
    assert exempt is not None and [exempt.findtext(f"cbc:{k}", namespaces=NS) for k in (
        "TaxExemptionReasonCode", "TaxExemptionReason")] == [
        "VATEX-EU-132-1G", "Sosiaalihuoltopalvelu (AVL 37 §)"]
