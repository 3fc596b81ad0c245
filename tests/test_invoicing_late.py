"""A line earned in time for an earlier invoice that did not bill it (its facts were recorded
after that invoice was made, or the contract has changed since) is billed on the next
invoice, and now says so: an invoice checker saw an earning of January on February's invoice
with nothing to tell why (L015 to the issuer)."""

from __future__ import annotations

from pathlib import Path

from conftest import contract_from
from invoicing_cases import COMPONENTS, ROWS, contract, events, issue

from rewardengine.invoicing.invoice import Issued
from rewardengine.invoicing.labels import Labels

# c5's service starts on January's last day, c6's on February's first; both are recorded on
# 2020-02-03, after January's invoice was made (its facts: those recorded by 2020-01-31)
LATE = ROWS + """r5,c5,referral,2020-01-05,2020-02-03,,,acme,,2019-06-01
s5,c5,service_start,2020-01-31,2020-02-03
r6,c6,referral,2020-01-05,2020-02-03,,,acme,,2019-06-01
s6,c6,service_start,2020-02-01,2020-02-03
"""
CLAUSE = ("; earned on 2020-01-31, not billed by test-acme-0001 (for 2020-01, on the facts "
          "recorded by 2020-01-31): billed now")


def _base_fees(tmp_path: Path, periods: list[str]) -> dict[str, str]:
    ledger = tmp_path / "l.sqlite"
    result = None
    for n, period in enumerate(periods):
        result = issue(contract(), events(LATE), period, ledger, new_ledger=n == 0)
    assert result is not None and result.invoice is not None
    return {ln.customer_id or "": ln.reason for s in result.invoice.sections
            for ln in s.lines if ln.component == "base_fee"}


def test_a_line_of_an_invoiced_period_recorded_late_says_so(tmp_path: Path) -> None:
    feb = _base_fees(tmp_path, ["2020-01", "2020-02"])
    # January's last day: in the period invoiced before, so said; February's first: not
    assert feb["c5"].endswith(CLAUSE)
    assert "not billed by" not in feb["c6"] and "not billed by" not in feb["c2"]


def test_the_issuer_is_told_how_many_lines_and_which_invoices(tmp_path: Path) -> None:
    ledger = tmp_path / "l.sqlite"
    issue(contract(), events(LATE), "2020-01", ledger, new_ledger=True)
    feb = issue(contract(), events(LATE), "2020-02", ledger)
    assert [(p.code, p.severity.value, p.message) for p in feb.notes] == [
        ("L015", "info", "1 line of this invoice (100.00) was earned in time for an invoice "
                         "made before (test-acme-0001) but not billed by it: the facts were "
                         "recorded after it was made, or the contract has changed since; billed "
                         "now, each line's reason names the invoice")]
    assert feb.invoice is not None
    line = next(ln for s in feb.invoice.sections for ln in s.lines if ln.customer_id == "c5")
    fi = Labels("fi").reason(line.reason)
    assert fi.endswith("ansaittu 31.1.2020, ei laskutettu laskulla test-acme-0001 (jaksolta "
                       "1/2020, 31.1.2020 mennessä kirjattujen tietojen perusteella): laskutetaan "
                       "nyt"), fi
    assert Labels("fi").untranslated(line.reason) == []
    assert Labels("sv").untranslated(line.reason) == []


def test_with_no_invoice_before_nothing_is_said(tmp_path: Path) -> None:
    # February invoiced first: January's earning is billed with no earlier invoice to name
    feb = _base_fees(tmp_path, ["2020-02"])
    assert "not billed by" not in feb["c5"]


def test_a_month_that_gave_no_invoice_names_the_last_invoice_that_could_have_billed_it(
        tmp_path: Path) -> None:
    # c5 starts on 2020-03-31, recorded 2020-05-04: March and April are invoiced without it
    rows = ROWS + ("r5,c5,referral,2020-03-05,2020-05-04,,,acme,,2019-06-01\n"
                   "s5,c5,service_start,2020-03-31,2020-05-04\n")
    ledger = tmp_path / "l.sqlite"
    for n, period in enumerate(["2020-01", "2020-02", "2020-03", "2020-04"]):
        issue(contract(), events(rows), period, ledger, new_ledger=n == 0)
    may = issue(contract(), events(rows), "2020-05", ledger)
    assert may.invoice is not None
    (line,) = [ln for s in may.invoice.sections for ln in s.lines if ln.customer_id == "c5"]
    numbers = {i.period.label: i.number for i in _issued(ledger)}
    assert line.reason.endswith(f"; earned on 2020-03-31, not billed by {numbers['2020-04']} "
                                "(for 2020-04, on the facts recorded by 2020-04-30): billed now")


def test_a_dry_run_and_the_command_line_tell_the_issuer(tmp_path: Path) -> None:
    from invoicing_cases import write_inputs
    from typer.testing import CliRunner

    from rewardengine.cli import app
    contract_file, events_file = write_inputs(tmp_path, rows=LATE)
    ledger = str(tmp_path / "l.sqlite")
    runner = CliRunner()
    base = ["invoice", str(contract_file), str(events_file), "--ledger", ledger]
    assert runner.invoke(app, [*base, "--period", "2020-01", "--new-ledger"]).exit_code == 0
    for extra in (["--dry-run"], []):
        done = runner.invoke(app, [*base, "--period", "2020-02", "-o",
                                   str(tmp_path / "feb.json"), *extra])
        assert done.exit_code == 0, done.output
        assert "L015 info: 1 line of this invoice (100.00) was earned in time" in done.stderr


def _issued(ledger: Path) -> list[Issued]:
    from rewardengine.invoicing.ledger import Ledger
    with Ledger.open(str(ledger)) as book:
        return list(book.prior_state(contract().contract.metadata.id).invoices)


def test_a_fee_added_to_the_contract_is_told_as_not_billed_never_as_recorded_late(
        tmp_path: Path) -> None:
    # the facts of c1's referral came on time; the fee for it came with a new contract file
    ledger = tmp_path / "l.sqlite"
    issue(contract(), events(LATE), "2020-01", ledger, new_ledger=True)
    added = contract_from(COMPONENTS + "  - {id: ref_fee, kind: event_fee, event: referral, "
                                       "amount: 10.00}\n")
    feb = issue(added, events(LATE), "2020-02", ledger)
    assert feb.invoice is not None
    reasons = {ln.customer_id: ln.reason for s in feb.invoice.sections for ln in s.lines
               if ln.component == "ref_fee"}
    assert reasons["c1"].endswith("; earned on 2020-01-10, not billed by test-acme-0001 (for "
                                  "2020-01, on the facts recorded by 2020-01-31): billed now")
    assert "recorded" not in reasons["c1"].split("; earned on")[0]
    assert [p.code for p in feb.notes] == ["L012", "L015"]


def test_an_invoice_whose_correction_reach_left_the_day_out_is_never_named(
        tmp_path: Path) -> None:
    # March invoiced first, with a reach of one month: January's fees were "beyond the
    # reach" for it, so February's invoice bills them without naming March's
    reach = contract("invoicing:\n  corrections_months: 1\n")
    ledger = tmp_path / "l.sqlite"
    issue(reach, events(ROWS), "2020-03", ledger, new_ledger=True)
    feb = issue(reach, events(ROWS), "2020-02", ledger)
    assert feb.invoice is not None and feb.notes == ()
    fees = [ln for s in feb.invoice.sections for ln in s.lines if ln.date is not None
            and ln.date < feb.invoice.period.start]
    assert [(ln.customer_id, str(ln.date)) for ln in fees] == [("c1", "2020-01-15"),
                                                              ("c3", "2020-01-25")]
    assert all("not billed by" not in ln.reason for ln in fees)


def test_a_line_that_replaces_one_credited_on_the_same_invoice_is_not_said_unbilled(
        tmp_path: Path) -> None:
    # a re-keyed spell: the same 90 days were billed under spell:E1 in May, credited now and
    # billed again as spell:E0; May did bill the earning
    from conftest import events_from
    from test_review_invoicing import REKEY, REKEY_ROWS
    loaded = contract_from(REKEY.replace("invoicing: {corrections_months: 1}\n", ""))
    rows = events_from(REKEY_ROWS).events
    ledger = tmp_path / "l.sqlite"
    issue(loaded, rows, "2020-05", ledger, new_ledger=True)
    aug = issue(loaded, rows, "2020-08", ledger)
    assert aug.invoice is not None and aug.notes == ()
    assert [(ln.occurrence, "not billed by" in ln.reason) for ln in aug.invoice.lines] == [
        ("spell:E0", False)]
    assert [c.occurrence for c in aug.invoice.corrections] == ["spell:E1"]
