"""Bill verification: every class of error in a tampered bill; the engine's own bill is right."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from invoicing_cases import ROWS, contract, events, issue

from rewardengine.invoicing.bill import (
    Bill,
    MappingError,
    parse_amount,
    parse_mapping,
    read_bill,
    read_bill_csv,
    read_bill_json,
)
from rewardengine.invoicing.periods import parse_period
from rewardengine.invoicing.render import invoice_csv, invoice_json, report_html, report_json
from rewardengine.invoicing.run import verify_bill
from rewardengine.invoicing.verify import VerifyReport

D = Decimal
# c4 starts in February too; a bill that leaves it out underbills
FEB_ROWS = ROWS + "r4,c4,referral,2020-02-15,,,,acme,,2019-12-01\ns4,c4,service_start,2020-02-20\n"

TAMPERED = """customer_id,component,occurrence,amount
c2,base_fee,once,150.00
c3,base_fee,once,150.00
c1,base_fee,once,100.00
c2,base_fee,once,150.00
c1,job_fee,E9,200.00
c2,job_fee,none,200.00
c9,base_fee,once,100.00
c2,bonus,once,10.00
"""


def _verify(bill: Bill, ledger: Path, period: str = "2020-02") -> VerifyReport:
    return verify_bill(contract(), events(FEB_ROWS), bill, parse_period(period),
                       ledger_path=str(ledger))


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    path = tmp_path / "l.sqlite"
    issue(contract(), events(FEB_ROWS), "2020-01", path)
    return path


def test_a_tampered_bill_shows_every_class_of_error(ledger: Path) -> None:
    report = _verify(read_bill_csv(TAMPERED, "bill.csv"), ledger)
    got = [(f.cls, f.row, f.customer_id, f.component, f.occurrence, f.billed, f.computed)
           for f in report.findings]
    assert got == [
        ("match", 2, "c2", "base_fee", "once", D("150.00"), D("150.00")),
        ("amount_differs", 3, "c3", "base_fee", "once", D("150.00"), D("50.00")),
        ("duplicate", 4, "c1", "base_fee", "once", D("100.00"), D("0.00")),
        ("duplicate", 5, "c2", "base_fee", "once", D("150.00"), D("0.00")),
        ("not_payable", 6, "c1", "job_fee", "E9", D("200.00"), D("0.00")),
        ("not_payable", 7, "c2", "job_fee", "none", D("200.00"), D("0.00")),
        ("not_payable", 8, "c9", "base_fee", "once", D("100.00"), D("0.00")),
        ("not_payable", 9, "c2", "bonus", "once", D("10.00"), D("0.00")),
        ("underbilled", None, "c4", "base_fee", "once", None, D("100.00")),
    ]
    f = {f.row: f for f in report.findings}
    assert f[3].reason == (
        "billed the full 150.00 but 100.00 was already invoiced, so 50.00 is due: 100.00 "
        "invoiced on test-acme-0001 line 2; now 150.00: service start s3 on 2020-01-25, "
        "inside the contract window; segment now B (was A): at referral 2020-01-20: "
        "unemployment_months=15")
    assert f[3].ref == "test-acme-0002/3 (corrects test-acme-0001/2)"
    assert f[4].reason == ("already invoiced on test-acme-0001 line 1 (100.00 so far) and "
                           "unchanged since")
    assert f[4].ref == "test-acme-0001/1"
    assert f[5].reason.startswith("repeats bill row 2")
    assert f[6].reason == ("no job_fee earning 'E9' for customer c1 as of 2020-02-29; "
                           "what it computes: 'none' pending: needs an employment by 2021-01-14")
    assert f[6].clause == "contract.yaml:29"
    assert f[7].reason == "not payable yet: needs an employment by 2021-02-09"
    assert f[8].reason == "no events for customer c9 recorded by 2020-02-29"
    assert f[9].reason == "the contract has no component 'bonus' (it has base_fee, job_fee)"
    assert f[None].reason == ("payable but not on the bill: service start s4 on 2020-02-20, "
                              "inside the contract window")
    assert f[None].evidence == ("s4",)
    assert (report.billed_total, report.computed_total, report.difference) == (
        D("1060.00"), D("300.00"), D("760.00"))
    assert [report.count(c) for c in ("match", "amount_differs", "not_payable", "duplicate",
                                      "underbilled")] == [1, 1, 4, 2, 1]
    assert not report.ok
    assert report.ledger == "ledger l.sqlite (1 invoice)"


def test_a_wrong_amount_says_both_amounts_and_why(ledger: Path) -> None:
    bill = read_bill_csv("customer_id,component,occurrence,amount\n"
                         "c2,base_fee,once,100.00\nc3,base_fee,once,50.00\n"
                         "c4,base_fee,once,100.00\n", "bill.csv")
    report = _verify(bill, ledger)
    first = report.findings[0]
    assert (first.cls, first.billed, first.computed, first.difference) == (
        "amount_differs", D("100.00"), D("150.00"), D("-50.00"))
    assert first.reason == ("billed 100.00, computed 150.00: service start s2 on 2020-02-10, "
                            "inside the contract window")
    assert [f.cls for f in report.findings[1:]] == ["match", "match"]


def test_the_invoice_the_engine_produced_is_right(ledger: Path, tmp_path: Path) -> None:
    dry = issue(contract(), events(FEB_ROWS), "2020-02", ledger, dry_run=True).invoice
    assert dry is not None
    for name, text in (("bill.csv", invoice_csv(dry)), ("bill.json", invoice_json(dry))):
        (tmp_path / name).write_text(text, encoding="utf-8")
        report = _verify(read_bill(str(tmp_path / name)), ledger)
        assert report.ok, [f.to_dict() for f in report.findings if f.cls != "match"]
        assert [f.cls for f in report.findings] == ["match"] * 3
        assert report.billed_total == report.computed_total == D("300.00")
    # after the checker records the invoice, the same bill still verifies against the ledger
    # as it was before that invoice
    issue(contract(), events(FEB_ROWS), "2020-02", ledger)
    report = _verify(read_bill(str(tmp_path / "bill.csv")), ledger)
    assert report.ok
    assert report.ledger == ("ledger l.sqlite as it was before test-acme-0002, which already "
                             "covers 2020-02")


def test_a_credit_bill_verifies(ledger: Path, tmp_path: Path) -> None:
    loaded, evs = contract(), events(FEB_ROWS)
    issue(loaded, evs, "2020-02", ledger)
    issue(loaded, evs, "2020-03", ledger)
    april = issue(loaded, evs, "2020-04", ledger, dry_run=True).invoice
    assert april is not None
    (tmp_path / "april.csv").write_text(invoice_csv(april), encoding="utf-8")
    report = _verify(read_bill(str(tmp_path / "april.csv")), ledger, "2020-04")
    assert report.ok
    assert [(f.cls, f.billed) for f in report.findings] == [("match", D("-200.00"))]


def test_a_credit_left_off_the_bill_says_it_is_owed_back(ledger: Path, tmp_path: Path
                                                         ) -> None:
    # April's invoice only takes back 200.00: a bill without it asks 200.00 too much, and
    # the reason must not call the missing credit "payable"
    loaded, evs = contract(), events(FEB_ROWS)
    issue(loaded, evs, "2020-02", ledger)
    issue(loaded, evs, "2020-03", ledger)
    bill = read_bill_csv("customer_id,component,occurrence,amount\n", "april.csv")
    report = verify_bill(loaded, evs, bill, parse_period("2020-04"), ledger_path=str(ledger))
    (missing,) = report.findings
    assert (missing.cls, missing.computed) == ("underbilled", D("-200.00"))
    assert missing.reason.startswith("a credit owed back, not on the bill: ")
    assert report.difference == D("200.00") and not report.ok
    fi = report_html(report, lang="fi")
    assert "hyvitettävä, mutta puuttuu laskulta: " in fi


def test_billing_without_a_ledger_compares_with_everything_accrued(tmp_path: Path) -> None:
    bill = read_bill_csv("customer_id,component,occurrence,amount\nc1,base_fee,once,100.00\n",
                         "bill.csv")
    report = _verify(bill, tmp_path / "missing.sqlite", "2020-01")
    assert report.ledger == "no ledger: nothing was invoiced before"
    assert [(f.cls, f.customer_id) for f in report.findings] == [("match", "c1"),
                                                                 ("underbilled", "c3")]


def test_bill_lines_may_give_a_date_instead_of_an_occurrence(ledger: Path) -> None:
    bill = read_bill_csv("customer_id,component,date,amount\n"
                         "c2,base_fee,2020-02-10,150.00\nc4,base_fee,2020-02-20,100.00\n"
                         "c3,base_fee,2020-01-25,50.00\nc1,base_fee,2020-01-15,100.00\n"
                         "c1,job_fee,2020-02-11,200.00\n", "bill.csv")
    report = _verify(bill, ledger)
    assert [(f.cls, f.occurrence) for f in report.findings] == [
        ("match", "once"), ("match", "once"), ("match", "once"), ("duplicate", "once"),
        ("not_payable", None)]
    assert report.findings[4].reason == ("no job_fee earning dated 2020-02-11 for customer c1 "
                                         "as of 2020-02-29; what it computes: 'none' pending: "
                                         "needs an employment by 2021-01-14")


def test_other_column_names_through_a_mapping(ledger: Path) -> None:
    text = ("asiakas;maksuera;esiintyma;summa\n"
            "c2;base_fee;once;150,00\nc3;base_fee;once;50,00\nc4;base_fee;once;1 00,00\n")
    mapping = parse_mapping("customer=asiakas,component=maksuera,occurrence=esiintyma,"
                            "amount=summa")
    bill = read_bill_csv(text.replace(";", ","), "lasku.csv", mapping)
    assert [ln.amount for ln in bill.lines][:2] == [D("150.00"), D("50.00")]
    assert _verify(bill, ledger).ok
    missing = read_bill_csv(text.replace(";", ","), "lasku.csv")
    assert missing.unreadable
    assert [p.message for p in missing.problems] == [
        "no customer column (looked for customer_id, customer; map another with "
        "--map customer=COLUMN)",
        "no component column (looked for component; map another with --map "
        "component=COLUMN)",
        "no amount column (looked for amount; map another with --map amount=COLUMN)",
        "no occurrence or date column: a bill line needs one to be matched",
    ]


@pytest.mark.parametrize(("spec", "message"), [
    ("customer", "is not FIELD=COLUMN"),
    ("price=summa", "unknown bill field 'price'"),
    ("amount=a,amount=b", "mapped twice"),
])
def test_bad_mappings(spec: str, message: str) -> None:
    with pytest.raises(MappingError, match=message):
        parse_mapping(spec)


@pytest.mark.parametrize(("text", "value"), [
    ("150.00", D("150.00")), ("-12.5", D("-12.5")), ("1 234,50", D("1234.50")),
    ("'-200.00", D("-200.00")), ("150 €", D("150")), ("1,234.50", None), ("abc", None),
    ("1.005", None), ("=1+2", None),
])
def test_amounts(text: str, value: Decimal | None) -> None:
    assert parse_amount(text) == value


def test_unreadable_rows_make_the_bill_wrong(ledger: Path) -> None:
    bill = read_bill_csv("customer_id,component,occurrence,amount\n"
                         "c2,base_fee,once,lots\nc3,base_fee,once,50.00\n"
                         "c4,base_fee,once,100.00\nc2,,once,150.00\n", "bill.csv")
    assert [(p.code, p.source.row, p.message) for p in bill.problems] == [
        ("B002", 2, "amount 'lots' is not an amount like 150.00"),
        ("B004", 5, "no component on this bill line"),
    ]
    report = _verify(bill, ledger)
    assert not report.ok
    assert [f.cls for f in report.findings] == ["match", "match", "underbilled"]


def test_json_bills_as_lists_and_objects(ledger: Path) -> None:
    rows = ('[{"customer_id": "c2", "component": "base_fee", "occurrence": "once", '
            '"amount": "150.00"}, {"customer_id": "c3", "component": "base_fee", '
            '"occurrence": "once", "amount": 50.00}, {"customer": "c4", "component": '
            '"base_fee", "occurrence": "once", "amount": 100}]')
    assert _verify(read_bill_json(rows, "bill.json"), ledger).ok
    assert _verify(read_bill_json('{"lines": ' + rows + "}", "bill.json"), ledger).ok
    bad = read_bill_json('{"rows": []}', "bill.json")
    assert bad.unreadable


def test_report_formats(ledger: Path) -> None:
    report = _verify(read_bill_csv(TAMPERED, "bill.csv"), ledger)
    data = report_json(report)
    assert '"ok": false' in data and '"difference": "760.00"' in data
    assert '"underbilled": 1' in data
    html = report_html(report)
    for label in ("Laskussa on virheitä / The bill is not right", "Täsmää / Match",
                  "Summa eroaa / Amount differs", "Ei maksettava / Not payable",
                  "Laskutettu kahdesti / Billed twice", "Puuttuu laskulta / Underbilled",
                  "Erotus / Difference"):
        assert label in html


@pytest.mark.parametrize(("kind", "new", "message"), [
    ("subtotal", "310.00", "the bill's subtotal says 310.00 but its lines add up to 300.00"),
    ("vat", "99.00", "the bill's vat says 99.00 but VAT 0.24 of its lines is 72.00"),
    ("total", "9999.00", "the bill's total says 9999.00 but its lines plus VAT make 372.00"),
])
def test_stated_sums_must_follow_from_the_lines(ledger: Path, tmp_path: Path, kind: str,
                                                new: str, message: str) -> None:
    dry = issue(contract(), events(FEB_ROWS), "2020-02", ledger, dry_run=True).invoice
    assert dry is not None
    text = invoice_csv(dry)
    rows = text.splitlines()
    i = next(i for i, r in enumerate(rows) if f",{kind}," in r)
    old = {"subtotal": "300.00", "vat": "72.00", "total": "372.00"}[kind]
    assert f",{old}," in rows[i]
    rows[i] = rows[i].replace(f",{old},", f",{new},", 1)
    (tmp_path / "bill.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    report = _verify(read_bill(str(tmp_path / "bill.csv")), ledger)
    # every line still matches, but the sum the buyer would pay is wrong
    assert [f.cls for f in report.findings] == ["match"] * 3
    assert not report.ok
    assert [(p.code, p.message, p.source.row) for p in report.problems] == [
        ("B006", message, i + 1)]


def test_a_json_invoice_with_a_wrong_total_is_wrong(ledger: Path, tmp_path: Path) -> None:
    dry = issue(contract(), events(FEB_ROWS), "2020-02", ledger, dry_run=True).invoice
    assert dry is not None
    text = invoice_json(dry).replace('"total": "372.00"', '"total": "372.01"')
    assert '"total": "372.01"' in text
    (tmp_path / "bill.json").write_text(text, encoding="utf-8")
    report = _verify(read_bill(str(tmp_path / "bill.json")), ledger)
    assert not report.ok
    assert [p.code for p in report.problems] == ["B006"]


def test_an_earning_credited_back_in_full_and_billed_again_is_not_payable(tmp_path: Path
                                                                        ) -> None:
    """Job E1, paid in March and voided in April (credited), billed again in May: nothing of
    it is payable, so it is not 'already invoiced' (which reads as paid) but not payable,
    with what is computed now and the credit."""
    ledger = tmp_path / "l.sqlite"
    for month in ("2020-01", "2020-02", "2020-03", "2020-04"):
        issue(contract(), events(), month, ledger)
    bill = read_bill_csv("customer_id,component,occurrence,amount\nc1,job_fee,E1,200.00\n",
                         "bill.csv")
    report = verify_bill(contract(), events(), bill, parse_period("2020-05"),
                         ledger_path=str(ledger))
    (f,) = report.findings
    assert (f.cls, f.customer_id, f.occurrence, f.billed, f.computed) == (
        "not_payable", "c1", "E1", D("200.00"), D("0.00"))
    assert f.reason.startswith("no job_fee earning 'E1' for customer c1"), f.reason
    assert f.reason.endswith("; invoiced on test-acme-0003 line 1 and credited back in full "
                             "on test-acme-0004"), f.reason
    assert f.ref == "test-acme-0003/1"


def test_a_bill_check_tells_the_evaluations_problems_as_the_invoice_holds_them(
        ledger: Path) -> None:
    # a second referral passed over (V002) and a customer with no referral (V001) were told
    # on the invoice but never by verify: the checker did not see what the issuer was told
    rows = (FEB_ROWS + "r5,c2,referral,2020-02-04,,,,acme,,2017-01-01\n"
            "s9,c9,service_start,2020-02-21\n")
    bill = read_bill_csv("customer_id,component,occurrence,amount\nc2,base_fee,once,150.00\n",
                         "bill.csv")
    report = verify_bill(contract(), events(rows), bill, parse_period("2020-02"),
                         ledger_path=str(ledger))
    said = [(p.code, p.severity.value) for p in report.event_problems]
    assert ("V002", "warning") in said and ("V001", "error") in said, said
    assert [p.code for p in report.problems if p.code.startswith("V")] == []
    assert report.to_dict()["event_problems"][0]["code"] in ("V001", "V002")
    quiet = verify_bill(contract(), events(FEB_ROWS + "r5,c2,referral,2020-02-04,,,,acme,,"
                                           "2017-01-01\n"), bill, parse_period("2020-02"),
                        ledger_path=str(ledger))
    assert [p.code for p in quiet.event_problems] == ["V002"]


def test_the_events_problems_never_make_a_matching_bill_wrong(tmp_path: Path) -> None:
    """A customer with no referral (V001) made a bill whose every line matched 'NOT right'
    (exit 1), where invoice issues the same invoice (exit 0)."""
    from invoicing_cases import write_inputs
    from typer.testing import CliRunner

    from rewardengine.cli import app
    contract_file, events_file = write_inputs(
        tmp_path, rows=ROWS + "s9,c9,service_start,2020-01-21\n")
    bill = tmp_path / "bill.csv"
    bill.write_text("customer_id,component,occurrence,amount\nc1,base_fee,once,100.00\n"
                    "c3,base_fee,once,100.00\n", encoding="utf-8")
    runner = CliRunner()
    args = ["verify", str(contract_file), str(events_file), str(bill), "--period", "2020-01",
            "--no-ledger"]
    done = runner.invoke(app, args)
    assert done.exit_code == 0, done.output
    text = " ".join(done.stdout.split())
    assert "the bill is right" in text and "NOT right" not in text
    assert "the events' problems, as the computed invoice holds them (1; they do not make the " \
        "bill wrong):" in text and "V001" in text
    page = runner.invoke(app, [*args, "-f", "html", "--lang", "fi"])
    assert page.exit_code == 0, page.output
    assert "Tapahtumatietojen ongelmat" in page.stdout and "✔" in page.stdout


def test_a_bill_whose_customer_ids_look_like_personal_identity_codes_is_told_so() -> None:
    # event files were warned of (E015); a bill holding henkilötunnus ids was shown as is
    text = ("customer_id,component,occurrence,amount\nc1,base_fee,once,100.00\n"
            "131052-308T,base_fee,once,100.00\n131052-308T,job_fee,E1,200.00\n")
    json_text = ('[{"customer_id": "c1", "component": "a", "occurrence": "o", "amount": "1"},'
                 ' {"customer_id": "131052-308T", "component": "a", "occurrence": "p", '
                 '"amount": "1.00"}]')
    # a JSON bill's line is shown where its object begins in the file (line 1, column 77)
    for bill, at, row, said_row in (
            (read_bill_csv(text, "bill.csv"), "bill.csv:3", 3, "row 3"),
            (read_bill_json(json_text, "bill.json"), "bill.json:1:77", 2, "the bill's line 2")):
        said = [(p.code, p.severity.value, str(p.source), p.source.row, p.message)
                for p in bill.problems]
        assert said == [("E015", "warning", at, row, "1 customer id looks like a Finnish "
                         f"personal identity code (henkilötunnus), the first in {said_row}; "
                         "customer ids should be pseudonyms (rewardengine pseudonymize)")], said
    assert read_bill_csv(text.replace("131052-308T", "c2"), "bill.csv").problems == []


def test_the_report_lists_the_first_fifty_of_the_events_problems_and_how_many_more(
        ledger: Path) -> None:
    from dataclasses import replace

    from rewardengine.errors import Problem, Source
    bill = read_bill_csv("customer_id,component,occurrence,amount\nc2,base_fee,once,150.00\n",
                         "bill.csv")
    report = _verify(bill, ledger)
    many = tuple(Problem("V002", f"fact {n} passed over", Source("e.csv", row=n))
                 for n in range(1, 61))
    page = report_html(replace(report, event_problems=many), "en")
    assert "fact 50 passed over" in page and "fact 51 passed over" not in page
    assert "<li>and more: 10</li>" in page
    assert page.count("fact ") == 50
