"""Invoices over a ledger: new lines, corrections, re-runs, order, reach, providers, VAT."""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import CONTRACT_HEAD, contract_from, events_from
from invoicing_cases import (
    ROWS,
    TWO_PROVIDERS,
    contract,
    d,
    events,
    issue,
    ledger_rows,
)

from rewardengine import __version__
from rewardengine.engine import evaluate
from rewardengine.invoicing.invoice import Invoice
from rewardengine.invoicing.ledger import Ledger
from rewardengine.invoicing.periods import PeriodError
from rewardengine.invoicing.render import invoice_json
from rewardengine.invoicing.run import InvoicingError, IssueResult, show_invoice

D = Decimal


def billed_by_key(invoices: list[Invoice]) -> dict[tuple[str, str, str], Decimal]:
    out: dict[tuple[str, str, str], Decimal] = defaultdict(lambda: D("0.00"))
    for inv in invoices:
        for x in inv.lines:
            out[x.key] += x.amount
        for c in inv.corrections:
            out[c.key] += c.amount
    return {k: v for k, v in out.items() if v != 0}


def issued(results: list[IssueResult]) -> list[Invoice]:
    out = []
    for r in results:
        assert r.status in ("issued", "nothing_new", "already_issued"), r
        if r.status == "issued" and r.invoice is not None:
            out.append(r.invoice)
    return out


def test_january_invoice_carries_everything(tmp_path: Path) -> None:
    loaded = contract()
    r = issue(loaded, events(), "2020-01", tmp_path / "l.sqlite")
    assert r.status == "issued"
    inv = r.invoice
    assert inv is not None
    assert (inv.number, inv.series, inv.seq) == ("test-acme-0001", "acme", 1)
    assert (inv.period.label, inv.as_of, inv.issue_date) == ("2020-01", d("2020-01-31"),
                                                            d("2020-01-31"))
    assert (inv.contract_id, inv.contract_version, inv.contract_sha256) == (
        "test", "1", loaded.sha256)
    assert (inv.inputs_sha256, inv.engine_version) == ("0" * 64, __version__)
    assert [(x.no, x.customer_id, x.component, x.occurrence, x.date, x.amount, x.evidence)
            for x in inv.lines] == [
        (1, "c1", "base_fee", "once", d("2020-01-15"), D("100.00"), ("s1",)),
        (2, "c3", "base_fee", "once", d("2020-01-25"), D("100.00"), ("s3",)),
    ]
    assert inv.lines[0].reason == "service start s1 on 2020-01-15, inside the contract window"
    assert inv.lines[0].clause == "contract.yaml:25"
    assert inv.corrections == []
    assert (inv.subtotal, inv.vat, inv.total) == (D("200.00"), D("48.00"), D("248.00"))


def test_issue_date_is_given_never_read_from_a_clock(tmp_path: Path) -> None:
    r = issue(contract(), events(), "2020-01", tmp_path / "l.sqlite", issue_date=d("2020-02-07"))
    assert r.invoice is not None and r.invoice.issue_date == d("2020-02-07")


def test_january_february_march_together_equal_one_evaluation_at_end_of_march(
        tmp_path: Path) -> None:
    loaded, evs = contract(), events()
    ledger = tmp_path / "l.sqlite"
    invoices = issued([issue(loaded, evs, m, ledger) for m in ("2020-01", "2020-02",
                                                                 "2020-03")])
    assert [i.number for i in invoices] == ["test-acme-0001", "test-acme-0002",
                                            "test-acme-0003"]
    ev = evaluate(loaded, evs, d("2020-03-31"))
    once = {ln.key: ln.amount for ln in ev.all_lines()
            if ln.status == "payable" and ln.date is not None and ln.date <= d("2020-03-31")}
    assert billed_by_key(invoices) == once == {
        ("c1", "base_fee", "once"): D("100.00"),
        ("c2", "base_fee", "once"): D("150.00"),
        ("c3", "base_fee", "once"): D("150.00"),
        ("c1", "job_fee", "E1"): D("200.00"),
    }
    assert sum(i.subtotal for i in invoices) == D("600.00")


def test_february_corrects_a_january_line_after_a_late_segment_correction(
        tmp_path: Path) -> None:
    loaded, evs = contract(), events()
    ledger = tmp_path / "l.sqlite"
    issue(loaded, evs, "2020-01", ledger)
    feb = issue(loaded, evs, "2020-02", ledger).invoice
    assert feb is not None
    assert [(x.no, x.customer_id, x.amount) for x in feb.lines] == [(1, "c2", D("150.00"))]
    (c,) = feb.corrections
    assert (c.no, c.customer_id, c.component, c.occurrence) == (2, "c3", "base_fee", "once")
    assert (c.corrects_invoice, c.corrects_line, c.corrects) == (
        "test-acme-0001", 2, "test-acme-0001/2")
    assert (c.invoiced_before, c.now, c.amount) == (D("100.00"), D("150.00"), D("50.00"))
    assert c.reason == (
        "100.00 invoiced on test-acme-0001 line 2; now 150.00: service start s3 on "
        "2020-01-25, inside the contract window; segment now B (was A): at referral "
        "2020-01-20: unemployment_months=15")
    assert feb.subtotal == D("200.00")


def test_job_voided_in_april_after_being_paid_in_march_is_credited_in_april(
        tmp_path: Path) -> None:
    loaded, evs = contract(), events()
    ledger = tmp_path / "l.sqlite"
    invoices = issued([issue(loaded, evs, m, ledger)
                       for m in ("2020-01", "2020-02", "2020-03", "2020-04")])
    march, april = invoices[2], invoices[3]
    assert [(x.no, x.occurrence, x.amount) for x in march.lines] == [(1, "E1", D("200.00"))]
    assert april.lines == []
    (credit,) = april.corrections
    assert (credit.customer_id, credit.component, credit.occurrence) == ("c1", "job_fee", "E1")
    assert (credit.corrects_invoice, credit.corrects_line) == ("test-acme-0003", 1)
    assert (credit.invoiced_before, credit.now, credit.amount) == (
        D("200.00"), D("0.00"), D("-200.00"))
    assert credit.reason == ("200.00 invoiced on test-acme-0003 line 1 is no longer payable: "
                             "event E1 was voided (recorded 2020-04-05)")
    assert credit.evidence == ("E1",)
    assert (april.subtotal, april.vat, april.total) == (D("-200.00"), D("-48.00"),
                                                        D("-248.00"))
    # the ledger nets the identity to zero; a later period does not credit it again
    may = issue(loaded, evs, "2020-05", ledger)
    assert may.status == "nothing_new"


def test_rerunning_a_period_is_a_no_op(tmp_path: Path) -> None:
    loaded, evs = contract(), events()
    ledger = tmp_path / "l.sqlite"
    first = issue(loaded, evs, "2020-01", ledger)
    count = "SELECT (SELECT count(*) FROM invoices), (SELECT count(*) FROM invoice_lines), " \
            "(SELECT count(*) FROM corrections)"
    before = ledger_rows(ledger, count)
    again = issue(loaded, evs, "2020-01", ledger)
    assert again.status == "already_issued"
    assert again.invoice == first.invoice
    assert "already invoiced to acme as test-acme-0001" in again.message
    assert ledger_rows(ledger, count) == before == [(1, 2, 0)]


def test_late_facts_for_an_invoiced_period_go_to_the_next_period(tmp_path: Path) -> None:
    loaded = contract()
    ledger = tmp_path / "l.sqlite"
    issue(loaded, events(), "2020-01", ledger)
    late = ROWS + ("s4,c4,service_start,2020-01-20,2020-02-03\n"
                   "r4,c4,referral,2020-01-18,,,,acme,,2019-06-01\n")
    assert issue(loaded, events(late), "2020-01", ledger).status == "already_issued"
    feb = issue(loaded, events(late), "2020-02", ledger).invoice
    assert feb is not None
    assert [(x.customer_id, x.date, x.amount) for x in feb.lines] == [
        ("c4", d("2020-01-20"), D("100.00")), ("c2", d("2020-02-10"), D("150.00"))]


def test_periods_in_any_order_bill_each_earning_once(tmp_path: Path) -> None:
    loaded, evs = contract(), events()
    ledger = tmp_path / "l.sqlite"
    results = [issue(loaded, evs, m, ledger) for m in ("2020-03", "2020-01", "2020-02")]
    assert [r.status for r in results] == ["issued", "nothing_new", "nothing_new"]
    march = results[0].invoice
    assert march is not None
    assert billed_by_key([march]) == {
        ("c1", "base_fee", "once"): D("100.00"),
        ("c2", "base_fee", "once"): D("150.00"),
        ("c3", "base_fee", "once"): D("150.00"),
        ("c1", "job_fee", "E1"): D("200.00"),
    }
    april = issue(loaded, evs, "2020-04", ledger).invoice
    assert april is not None and [x.amount for x in april.corrections] == [D("-200.00")]


def test_a_period_invoiced_out_of_order_never_uses_older_facts(tmp_path: Path) -> None:
    # s3 is voided on 2020-02-05: February (run first) knows it; January, run after, must
    # not bill c3's base fee on the strength of what was known on 2020-01-31.
    rows = ROWS + "s3,c3,service_start,2020-01-25,2020-02-05,,true\n"
    loaded, evs = contract(), events(rows)
    ledger = tmp_path / "l.sqlite"
    feb = issue(loaded, evs, "2020-02", ledger)
    assert feb.invoice is not None
    assert [x.customer_id for x in feb.invoice.lines] == ["c1", "c2"]
    jan = issue(loaded, evs, "2020-01", ledger)
    assert jan.status == "nothing_new"
    assert jan.invoice is not None and jan.invoice.as_of == d("2020-02-29")


# c3's events arrive late: February is invoiced without them, then January with them
LATE_C3 = "\n".join(row for row in ROWS.splitlines() if ",c3," not in row)


def test_invoiced_in_order_the_default_issue_date_is_the_periods_last_day(tmp_path: Path
                                                                          ) -> None:
    """In order, the default is the period's last day: each invoice is byte for byte the
    one given that day with --issue-date."""
    loaded, evs = contract(), events()
    shown = {}
    for name, given in (("default", False), ("given", True)):
        ledger = tmp_path / f"{name}.sqlite"
        shown[name] = [invoice_json(r.invoice) for r in (
            issue(loaded, evs, p, ledger, **({"issue_date": d(last)} if given else {}))
            for p, last in (("2020-01", "2020-01-31"), ("2020-02", "2020-02-29")))
            if r.invoice is not None]
    assert shown["default"] == shown["given"] and len(shown["default"]) == 2
    jan, feb = (Invoice.from_dict(json.loads(text)) for text in shown["default"])
    assert (jan.issue_date, jan.due_date) == (d("2020-01-31"), d("2020-02-14"))
    assert (feb.issue_date, feb.due_date) == (d("2020-02-29"), d("2020-03-14"))


def test_a_period_invoiced_out_of_order_is_dated_no_earlier_than_what_it_follows(
        tmp_path: Path) -> None:
    """January invoiced after February rests on the facts as of 29 February and follows
    February's invoice: by default it is dated 29 February (due 14 March), not 31 January.
    After an invoice given a later day, the default is that day."""
    loaded = contract()
    ledger = tmp_path / "l.sqlite"
    feb = issue(loaded, events(LATE_C3), "2020-02", ledger).invoice
    assert feb is not None and (feb.number, feb.issue_date) == ("test-acme-0001",
                                                                d("2020-02-29"))
    jan = issue(loaded, events(), "2020-01", ledger)
    assert jan.status == "issued" and jan.invoice is not None
    assert [x.customer_id for x in jan.invoice.lines] == ["c3"]
    assert (jan.invoice.number, jan.invoice.as_of, jan.invoice.issue_date,
            jan.invoice.due_date) == ("test-acme-0002", d("2020-02-29"), d("2020-02-29"),
                                      d("2020-03-14"))
    later = tmp_path / "later.sqlite"
    issue(loaded, events(LATE_C3), "2020-02", later, issue_date=d("2020-03-05"))
    jan = issue(loaded, events(), "2020-01", later, dry_run=True)
    assert jan.invoice is not None
    assert (jan.invoice.as_of, jan.invoice.issue_date, jan.invoice.due_date) == (
        d("2020-02-29"), d("2020-03-05"), d("2020-03-19"))


def test_an_issue_date_before_the_invoice_it_follows_is_refused(tmp_path: Path) -> None:
    """Out of order, --issue-date is still honoured from the earliest day on: one day short
    (28 February; after the check against 31 January passed) it is refused and nothing is
    recorded; exactly on, and one day over, it is the invoice's date."""
    loaded = contract()
    ledger = tmp_path / "l.sqlite"
    issue(loaded, events(LATE_C3), "2020-02", ledger)
    with pytest.raises(PeriodError) as refused:
        issue(loaded, events(), "2020-01", ledger, issue_date=d("2020-02-28"))
    assert str(refused.value) == (
        "--issue-date 2020-02-28 is before test-acme-0001 (period 2020-02, facts as of "
        "2020-02-29, issued 2020-02-29), already in the ledger: the invoice for 2020-01 rests "
        "on the facts as of 2020-02-29 and follows test-acme-0001, so the earliest issue "
        "date is 2020-02-29 (give the day the invoice is sent)")
    assert ledger_rows(ledger, "SELECT number FROM invoices") == [("test-acme-0001",)]
    over = issue(loaded, events(), "2020-01", ledger, issue_date=d("2020-03-01"),
                 dry_run=True).invoice
    assert over is not None and (over.issue_date, over.due_date) == (d("2020-03-01"),
                                                                     d("2020-03-15"))
    on = issue(loaded, events(), "2020-01", ledger, issue_date=d("2020-02-29")).invoice
    assert on is not None and (on.number, on.issue_date) == ("test-acme-0002",
                                                             d("2020-02-29"))


def test_a_line_accruing_after_the_period_waits(tmp_path: Path) -> None:
    rows = ROWS.replace("s2,c2,service_start,2020-02-10",
                        "s2,c2,service_start,2020-02-10,2020-01-20")
    rows = rows.replace("r2,c2,referral,2020-02-03,", "r2,c2,referral,2020-01-19,")
    loaded, evs = contract(), events(rows)
    ledger = tmp_path / "l.sqlite"
    jan = issue(loaded, evs, "2020-01", ledger).invoice
    assert jan is not None
    assert [x.customer_id for x in jan.lines] == ["c1", "c3"]
    waiting = [n for n in jan.sections[0].pending if n.component == "base_fee"]
    assert [(n.customer_id, n.date, n.amount) for n in waiting] == [
        ("c2", d("2020-02-10"), D("150.00"))]
    # recorded in advance: the engine itself says the start has not happened yet
    assert waiting[0].reason == ("service start s2 is planned for 2020-02-10, after the "
                                 "evaluation date 2020-01-31")
    feb = issue(loaded, evs, "2020-02", ledger).invoice
    assert feb is not None and [(x.customer_id, x.amount) for x in feb.lines] == [
        ("c2", D("150.00"))]


def test_pending_lines_are_shown_not_invoiced(tmp_path: Path) -> None:
    inv = issue(contract(), events(), "2020-01", tmp_path / "l.sqlite").invoice
    assert inv is not None
    pending = inv.sections[0].pending
    assert [(n.customer_id, n.component, n.occurrence, n.amount, n.reason) for n in pending] == [
        ("c1", "job_fee", "none", D("0.00"), "needs an employment by 2021-01-14"),
        ("c3", "job_fee", "none", D("0.00"), "needs an employment by 2021-01-24"),
    ]
    assert inv.subtotal == D("200.00")


REACH_ROWS = ROWS.replace("r3,c3,referral,2020-01-20,2020-02-12,",
                          "r3,c3,referral,2020-01-20,2020-04-02,")


def test_corrections_beyond_the_contract_reach_are_listed_not_billed(tmp_path: Path) -> None:
    loaded = contract("invoicing:\n  corrections_months: 1\n")
    evs = events(REACH_ROWS)
    ledger = tmp_path / "l.sqlite"
    issue(loaded, evs, "2020-01", ledger)
    issue(loaded, evs, "2020-03", ledger)
    april = issue(loaded, evs, "2020-04", ledger).invoice
    assert april is not None
    assert [x.occurrence for x in april.corrections] == ["E1"]  # the void: March is in reach
    (note,) = april.sections[0].uncorrected
    assert (note.customer_id, note.component, note.amount) == ("c3", "base_fee", D("50.00"))
    assert note.reason.startswith(
        "not corrected: test-acme-0001 is for a period that started before 2020-03-01, "
        "beyond the contract's correction reach of 1 month; 100.00 invoiced on "
        "test-acme-0001 line 2; now 150.00")


def test_corrections_within_reach_are_billed(tmp_path: Path) -> None:
    loaded = contract("invoicing:\n  corrections_months: 3\n")
    evs = events(REACH_ROWS)
    ledger = tmp_path / "l.sqlite"
    issue(loaded, evs, "2020-01", ledger)
    issue(loaded, evs, "2020-03", ledger)
    april = issue(loaded, evs, "2020-04", ledger).invoice
    assert april is not None
    assert [(x.customer_id, x.amount) for x in april.corrections] == [
        ("c3", D("50.00")), ("c1", D("-200.00"))]
    assert april.sections[0].uncorrected == ()


def test_number_prefix_from_the_contract(tmp_path: Path) -> None:
    loaded = contract("invoicing:\n  number_prefix: UUS-2020\n")
    inv = issue(loaded, events(), "2020-01", tmp_path / "l.sqlite").invoice
    assert inv is not None and inv.number == "UUS-2020-acme-0001"


BETA_ROWS = ROWS.replace("r2,c2,referral,2020-02-03,,,,acme,", "r2,c2,referral,2020-02-03,,,,beta,")


def test_several_providers_need_provider_or_joint(tmp_path: Path) -> None:
    loaded = contract(head=TWO_PROVIDERS)
    with pytest.raises(InvoicingError, match="give --provider ID, or --joint"):
        issue(loaded, events(BETA_ROWS), "2020-02", tmp_path / "l.sqlite")
    with pytest.raises(InvoicingError, match="provider 'gamma' is not in the contract"):
        issue(loaded, events(BETA_ROWS), "2020-02", tmp_path / "l.sqlite", provider="gamma")


def test_each_provider_is_invoiced_and_numbered_on_its_own(tmp_path: Path) -> None:
    loaded, evs = contract(head=TWO_PROVIDERS), events(BETA_ROWS)
    ledger = tmp_path / "l.sqlite"
    a1 = issue(loaded, evs, "2020-01", ledger, provider="acme").invoice
    b2 = issue(loaded, evs, "2020-02", ledger, provider="beta").invoice
    a2 = issue(loaded, evs, "2020-02", ledger, provider="acme").invoice
    assert a1 is not None and b2 is not None and a2 is not None
    assert [a1.number, b2.number, a2.number] == ["test-acme-0001", "test-beta-0001",
                                                 "test-acme-0002"]
    assert [(x.customer_id, x.amount) for x in b2.lines] == [("c2", D("150.00"))]
    assert a2.lines == [] and [x.amount for x in a2.corrections] == [D("50.00")]


def test_joint_invoice_has_a_section_per_member(tmp_path: Path) -> None:
    loaded, evs = contract(head=TWO_PROVIDERS), events(BETA_ROWS)
    inv = issue(loaded, evs, "2020-02", tmp_path / "l.sqlite", joint=True).invoice
    assert inv is not None
    assert (inv.number, inv.series, inv.providers) == ("test-joint-0001", "joint",
                                                       ("acme", "beta"))
    acme, beta = inv.sections
    assert (acme.provider_name, acme.business_id) == ("Acme Oy", "1234567-8")
    assert [(x.no, x.customer_id, x.amount) for x in acme.lines] == [
        (1, "c1", D("100.00")), (2, "c3", D("150.00"))]
    assert [(x.no, x.customer_id, x.amount) for x in beta.lines] == [(3, "c2", D("150.00"))]
    assert (acme.subtotal, beta.subtotal) == (D("250.00"), D("150.00"))
    assert (inv.subtotal, inv.vat, inv.total) == (D("400.00"), D("96.00"), D("496.00"))
    # the members' own invoices never bill those lines again
    assert issue(loaded, evs, "2020-02", tmp_path / "l.sqlite",
                 provider="beta").status == "nothing_new"


def test_an_earning_moving_to_another_provider_is_credited_and_billed_anew(
        tmp_path: Path) -> None:
    loaded = contract(head=TWO_PROVIDERS)
    ledger = tmp_path / "l.sqlite"
    issue(loaded, events(BETA_ROWS), "2020-02", ledger, provider="acme")
    moved = BETA_ROWS + "r1,c1,referral,2020-01-10,2020-03-02,,,beta,,2019-06-01\n"
    acme = issue(loaded, events(moved), "2020-03", ledger, provider="acme").invoice
    beta = issue(loaded, events(moved), "2020-03", ledger, provider="beta").invoice
    assert acme is not None and beta is not None
    assert [(x.customer_id, x.amount) for x in acme.corrections] == [("c1", D("-100.00"))]
    assert acme.corrections[0].reason.endswith("is no longer payable: it now belongs to "
                                               "provider beta")
    assert sorted((x.customer_id, x.component, x.amount) for x in beta.lines) == [
        ("c1", "base_fee", D("100.00")), ("c1", "job_fee", D("200.00")),
        ("c2", "base_fee", D("150.00"))]


CENTS = """
components:
  - id: base_fee
    kind: event_fee
    event: service_start
    amount: 0.05
"""


def test_vat_is_rounded_once_half_up_on_the_subtotal(tmp_path: Path) -> None:
    loaded = contract_from(CENTS, CONTRACT_HEAD.replace("vat_rate: 0.24", "vat_rate: 0.10"))
    one_row = "r1,c1,referral,2020-01-10,,,,acme,,2019-06-01\ns1,c1,service_start,2020-01-15\n"
    two_rows = one_row + "r3,c3,referral,2020-01-20,,,,acme,,2019-10-01\n" \
                         "s3,c3,service_start,2020-01-25\n"
    one = issue(loaded, events(one_row), "2020-01", tmp_path / "a.sqlite").invoice
    two = issue(loaded, events(two_rows), "2020-01", tmp_path / "b.sqlite").invoice
    assert one is not None and two is not None
    assert (one.subtotal, one.vat, one.total) == (D("0.05"), D("0.01"), D("0.06"))  # 0.005 up
    # two lines of 0.05: 0.10 * 0.10 = 0.01 (rounding each line's VAT would give 0.02)
    assert (two.subtotal, two.vat, two.total) == (D("0.10"), D("0.01"), D("0.11"))


def test_invoice_json_is_canonical_and_the_ledger_keeps_it_exactly(tmp_path: Path) -> None:
    loaded, evs = contract(), events()
    ledger = tmp_path / "l.sqlite"
    issue(loaded, evs, "2020-01", ledger)
    feb = issue(loaded, evs, "2020-02", ledger).invoice
    assert feb is not None
    text = invoice_json(feb)
    assert Invoice.from_dict(feb.to_dict()) == feb
    assert show_invoice(str(ledger), "test-acme-0002") == feb
    assert invoice_json(show_invoice(str(ledger), "test-acme-0002")) == text  # type: ignore[arg-type]
    assert show_invoice(str(ledger), "test-acme-0099") is None
    assert '"amount": "50.00"' in text and '"subtotal": "200.00"' in text
    assert text.index('"as_of"') < text.index('"contract"') < text.index('"total"')
    assert ledger_rows(ledger, "SELECT amount FROM corrections") == [("50.00",)]


def test_dry_run_computes_the_same_invoice_without_writing(tmp_path: Path) -> None:
    loaded, evs = contract(), events()
    ledger = tmp_path / "l.sqlite"
    dry = issue(loaded, evs, "2020-01", ledger, dry_run=True)
    assert dry.status == "dry_run" and not ledger.exists()
    real = issue(loaded, evs, "2020-01", ledger)
    assert real.invoice == dry.invoice
    dry2 = issue(loaded, evs, "2020-02", ledger, dry_run=True)
    assert dry2.invoice is not None and dry2.invoice.number == "test-acme-0002"
    assert ledger_rows(ledger, "SELECT number FROM invoices") == [("test-acme-0001",)]
    with Ledger.open(str(ledger), read_only=True) as opened:
        assert opened.numbers() == ["test-acme-0001"]


def test_a_spell_shortened_below_its_threshold_is_credited_with_the_reason(
        tmp_path: Path) -> None:
    """A job's end moved one day earlier after its 90-day result was paid: the spell's
    identity is gone and the result is the pending 'next' one again, so the credit says why
    (89 of 90 days), not only that the earning is gone."""
    from rewardengine.pipeline import load_contract
    loaded, _ = load_contract(str(Path(__file__).parent.parent / "contracts"
                                  / "tehostettu_tyonvalitys.yaml"))
    assert loaded is not None
    evs = events_from(
        "event_id,customer_id,type,date,recorded,end,kind,evidence,fte\n"
        "r1,c1,referral,2020-01-07,,,,,\n"
        "s1,c1,service_start,2020-01-13,,,,,\n"
        "e1,c1,employment,2020-02-03,,2020-05-02,open,te_office,1.0\n"
        "e1,c1,employment,2020-02-03,2020-06-10,2020-05-01,open,te_office,1.0\n",
        header="").events
    ledger = tmp_path / "l.sqlite"
    may = issue(loaded, evs, "2020-05", ledger).invoice
    assert may is not None and [x.amount for x in may.lines] == [D("750.00")]
    june = issue(loaded, evs, "2020-06", ledger).invoice
    assert june is not None
    (credit,) = june.corrections
    assert credit.amount == D("-750.00")
    assert credit.reason == (
        "750.00 invoiced on TTV-BRK-0001 line 1 is no longer payable: now pending: needs a "
        "new spell of 90 days of qualifying work (0.80 FTE or more, open or subsidised) by "
        "2020-12-31, the contract's outcomes_until date; the longest spell so far, "
        "2020-02-03..2020-05-01 (e1), has 89 of 90 days")
