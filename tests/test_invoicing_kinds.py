"""Invoicing over the other fee kinds: hours, service months, an employment outcome whose
evidence is upgraded, and a capacity fee (contract lines without a customer)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from conftest import contract_from
from invoicing_cases import d, events, issue

from rewardengine.engine import evaluate
from rewardengine.invoicing.bill import read_bill_csv
from rewardengine.invoicing.invoice import Invoice
from rewardengine.invoicing.periods import parse_period
from rewardengine.invoicing.render import invoice_csv
from rewardengine.invoicing.run import verify_bill

D = Decimal
MIXED = contract_from("""
components:
  - id: coaching
    kind: hourly_fee
    rate: 60.00
  - id: monthly
    kind: monthly_fee
    amount: 900.00
  - id: job90
    kind: employment_outcome
    work: {min_fte: 0.80}
    min_duration: 90 days
    amount: {register: 750.00, self_report: 190.00}
  - id: capacity
    kind: capacity_fee
    amount: 3100.00
""")

# E1 is self-reported from the start; the income register confirms it on 2020-07-01
ROWS = """
r1,c1,referral,2020-01-10,,,,acme,,2019-06-01
s1,c1,service_start,2020-01-15
h1,c1,hours,2020-01-20,,,,,,,,2
h2,c1,hours,2020-02-10,,,,,,,,1.5
h3,c1,hours,2020-03-05,,,,,,,,1
E1,c1,employment,2020-02-01,,,,,,,,,,,open,self_report,1
E1,c1,employment,2020-02-01,2020-07-01,,,,,,,,,,open,register,1
"""
MONTHS = [f"2020-{m:02d}" for m in range(1, 8)]


def by_key(invoices: list[Invoice]) -> dict[tuple[str, str, str], Decimal]:
    out: dict[tuple[str, str, str], Decimal] = defaultdict(lambda: D("0.00"))
    for inv in invoices:
        for x in inv.lines:
            out[x.key] += x.amount
        for c in inv.corrections:
            out[c.key] += c.amount
    return dict(out)


def run_months(ledger: Path, periods: list[str]) -> list[Invoice]:
    evs = events(ROWS)
    out = []
    for p in periods:
        r = issue(MIXED, evs, p, ledger)
        assert r.status == "issued", r.message
        assert r.invoice is not None
        out.append(r.invoice)
    return out


def test_a_self_report_confirmed_by_the_register_pays_the_difference(tmp_path: Path) -> None:
    invoices = run_months(tmp_path / "l.sqlite", MONTHS)
    april, july = invoices[3], invoices[6]
    (outcome,) = [x for x in april.lines if x.component == "job90"]
    assert april.number == "test-acme-0004"
    # April: m03 (2020-04-14), then on 2020-04-30 the capacity month and the outcome
    assert [(x.no, x.component) for x in april.lines] == [
        (1, "monthly"), (2, "capacity"), (3, "job90")]
    assert (outcome.occurrence, outcome.date, outcome.amount) == (
        "spell:E1", d("2020-04-30"), D("190.00"))
    assert outcome.reason == ("employment E1 reached 90 days on 2020-04-30 at 1.00 FTE, "
                              "self-reported")
    (upgrade,) = july.corrections
    assert (upgrade.customer_id, upgrade.component, upgrade.occurrence) == (
        "c1", "job90", "spell:E1")
    assert (upgrade.corrects_invoice, upgrade.corrects_line) == ("test-acme-0004", 3)
    assert (upgrade.invoiced_before, upgrade.now, upgrade.amount) == (
        D("190.00"), D("750.00"), D("560.00"))
    assert upgrade.reason == (
        "190.00 invoiced on test-acme-0004 line 3; now 750.00: employment E1 reached 90 days "
        "on 2020-04-30 at 1.00 FTE, register-verified (E1 self-reported until 2020-07-01, "
        "register-verified since)")
    for inv in invoices[4:6]:  # May and June: no outcome line, no correction
        assert not [x for x in inv.lines if x.component == "job90"]
        assert not [x for x in inv.corrections if x.component == "job90"]


def test_monthly_invoices_add_up_to_one_evaluation_and_to_quarterly_ones(
        tmp_path: Path) -> None:
    monthly = by_key(run_months(tmp_path / "m.sqlite", MONTHS))
    quarterly = by_key(run_months(tmp_path / "q.sqlite", ["2020-Q1", "2020-Q2", "2020-07"]))
    ev = evaluate(MIXED, events(ROWS), d("2020-07-31"))
    once = {ln.key: ln.amount for ln in ev.all_lines()
            if ln.status == "payable" and ln.date is not None and ln.date <= d("2020-07-31")}
    assert monthly == quarterly == once
    assert once[("c1", "job90", "spell:E1")] == D("750.00")
    assert once[("", "capacity", "2020-07")] == D("3100.00")
    assert sum(once.values()) == D("28120.00")  # 7 x 3100 + 270 hours + 6 x 900 + 750


def test_capacity_lines_have_no_customer_and_their_bill_verifies(tmp_path: Path) -> None:
    ledger = tmp_path / "l.sqlite"
    jan = issue(MIXED, events(ROWS), "2020-01", ledger).invoice
    assert jan is not None
    assert [(x.customer_id, x.component, x.occurrence, x.amount) for x in jan.lines] == [
        ("c1", "coaching", "h1", D("120.00")), (None, "capacity", "2020-01", D("3100.00"))]
    feb = issue(MIXED, events(ROWS), "2020-02", ledger, dry_run=True).invoice
    assert feb is not None
    bill = read_bill_csv(invoice_csv(feb), "feb.csv")
    report = verify_bill(MIXED, events(ROWS), bill, parse_period("2020-02"),
                         ledger_path=str(ledger))
    assert report.ok, [f.to_dict() for f in report.findings]
    assert report.computed_total == D("4090.00")  # 90 hours + 900 month 1 + 3100 capacity
    wrong = read_bill_csv("customer_id,component,occurrence,amount\n,capacity,2020-01,3100.00\n"
                          ",capacity,2020-13,3100.00\n", "bad.csv")
    found = verify_bill(MIXED, events(ROWS), wrong, parse_period("2020-02"),
                        ledger_path=str(ledger)).findings
    assert [(f.cls, f.occurrence) for f in found[:2]] == [("duplicate", "2020-01"),
                                                          ("not_payable", "2020-13")]
    assert found[1].reason == ("no contract-level capacity earning '2020-13' as of 2020-02-29 "
                               "(a line without a customer)")
