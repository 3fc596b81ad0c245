"""A ledger is where one was asked for, and an invoice is dated as meant.

An invoice checker's trial: a mistyped `--ledger` path (or `invoice` run from another
folder) silently started a new ledger, which billed every earning again from invoice 0001,
and `verify` against it passed a bill already invoiced; a mistyped year in `--issue-date`
dated the invoice, and every later one of its series, ten years ahead; `verify` said nothing
of a contract file other than the one the ledger's invoices were made with.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rewardengine import api
from rewardengine.cli import app
from rewardengine.invoicing.periods import BillingPeriod

ROOT = Path(__file__).resolve().parent.parent
C = str(ROOT / "contracts" / "tehostettu_tyonvalitys.yaml")
E = str(ROOT / "examples" / "tehostettu_tyonvalitys" / "events.csv")
runner = CliRunner()
L013 = ("L013 no ledger at this path: give the path of the ledger of what was invoiced; a new "
        "ledger is started only when asked for (--new-ledger): started by mistake, it would "
        "bill every earning again from invoice 0001")


def _invoice(ledger: Path, period: str, *extra: str) -> tuple[int, str]:
    done = runner.invoke(app, ["invoice", C, E, "--period", period, "--ledger", str(ledger),
                               "-o", str(ledger.parent / f"{period}.json"), *extra])
    return done.exit_code, done.stderr


def test_a_missing_ledger_is_refused_and_nothing_is_made(tmp_path: Path) -> None:
    ledger = tmp_path / "buyer.sqlite"
    code, said = _invoice(ledger, "2020-05")
    assert code == 2
    assert f"{ledger}: {L013}" in " ".join(said.split())
    assert list(tmp_path.iterdir()) == []  # no ledger, no output
    code, said = _invoice(ledger, "2020-05", "--dry-run")
    assert code == 2 and "L013" in said


def test_a_new_ledger_is_started_only_where_no_file_is(tmp_path: Path) -> None:
    ledger = tmp_path / "buyer.sqlite"
    code, said = _invoice(ledger, "2020-05", "--new-ledger")
    assert code == 0, said
    assert "issued TTV-BRK-0001 for 2020-05: total 1401.20 EUR (1130.00 and VAT 271.20), " \
        "dated 2020-05-31, due 2020-06-21" in " ".join(said.split())
    before = ledger.read_bytes()
    code, said = _invoice(ledger, "2020-06", "--new-ledger")
    assert code == 2
    assert "L014 a new ledger was asked for, but a file is at this path" in " ".join(
        said.split())
    assert ledger.read_bytes() == before  # left exactly as it was
    code, said = _invoice(ledger, "2020-06")
    assert code == 0 and "issued TTV-BRK-0002" in said


def test_a_typo_in_the_ledger_path_cannot_pass_a_bill_already_invoiced(
        tmp_path: Path) -> None:
    ledger = tmp_path / "buyer.sqlite"
    assert _invoice(ledger, "2020-05", "--new-ledger")[0] == 0
    # a bill for June from a ledger that never billed May: May's lines billed again
    bill = tmp_path / "bill.csv"
    made = runner.invoke(app, ["invoice", C, E, "--period", "2020-06", "--ledger",
                               str(tmp_path / "provider.sqlite"), "--new-ledger",
                               "--format", "csv", "-o", str(bill)])
    assert made.exit_code == 0
    typo = runner.invoke(app, ["verify", C, E, str(bill), "--period", "2020-06",
                               "--ledger", str(tmp_path / "buyer.sqite")])
    assert typo.exit_code == 2 and "L013" in typo.stderr
    # against the buyer's ledger May's lines are already invoiced: not right
    real = runner.invoke(app, ["verify", C, E, str(bill), "--period", "2020-06",
                               "--ledger", str(ledger)])
    assert real.exit_code == 1
    assert "already invoiced" in real.output
    # compared with nothing invoiced, as asked for, the same bill is right: the mistake the
    # typo made silently
    first = runner.invoke(app, ["verify", C, E, str(bill), "--period", "2020-06",
                                "--no-ledger"])
    assert first.exit_code == 0, first.output
    both = runner.invoke(app, ["verify", C, E, str(bill), "--period", "2020-06",
                               "--no-ledger", "--ledger", str(ledger)])
    assert both.exit_code == 2


def test_the_library_asks_the_same(tmp_path: Path) -> None:
    period = BillingPeriod("2020-05", date(2020, 5, 1), date(2020, 6, 1))
    with pytest.raises(api.BillingError, match="L013"):
        api.issue_invoice(C, [E], period, ledger_path=str(tmp_path / "none.sqlite"))
    issued, _ = api.issue_invoice(C, [E], period, ledger_path=str(tmp_path / "l.sqlite"),
                                  new_ledger=True)
    assert issued is not None and issued.status == "issued"
    with pytest.raises(api.BillingError, match="L014"):
        api.issue_invoice(C, [E], period, ledger_path=str(tmp_path / "l.sqlite"),
                          new_ledger=True)
    bill = api.read_bill_file(str(ROOT / "examples" / "tehostettu_tyonvalitys" /
                                  "events.csv"))
    with pytest.raises(api.BillingError, match="L013"):
        api.verify_bill(C, [E], bill, period, ledger_path=str(tmp_path / "none.sqlite"))


@pytest.mark.parametrize(("issued_on", "refused"), [
    ("2021-05-31", False),  # 365 days after the period's last day
    ("2021-06-01", False),  # 366: the last day allowed
    ("2021-06-02", True),   # 367
    ("2030-06-05", True),   # the trial's typo
])
def test_an_issue_date_more_than_a_year_after_the_period_is_refused(
        issued_on: str, refused: bool, tmp_path: Path) -> None:
    ledger = tmp_path / "buyer.sqlite"
    code, said = _invoice(ledger, "2020-05", "--new-ledger", "--issue-date", issued_on)
    assert code == (2 if refused else 0), said
    if refused:
        assert (f"--issue-date {issued_on} is more than a year after the period 2020-05 ends "
                "(2020-05-31): check the year") in " ".join(said.split())
        assert not ledger.exists()
    else:
        assert f"dated {issued_on}" in said


def test_verify_says_when_the_contract_is_not_the_one_invoiced_with(tmp_path: Path) -> None:
    ledger = tmp_path / "buyer.sqlite"
    assert _invoice(ledger, "2020-05", "--new-ledger")[0] == 0
    changed = tmp_path / "tehostettu_tyonvalitys.yaml"
    shutil.copy(C, changed)
    changed.write_text(changed.read_text(encoding="utf-8").replace("750.00", "800.00"),
                       encoding="utf-8")
    bill = tmp_path / "bill.csv"
    assert runner.invoke(app, ["invoice", str(changed), E, "--period", "2020-06", "--ledger",
                               str(tmp_path / "p.sqlite"), "--new-ledger", "--format", "csv",
                               "-o", str(bill)]).exit_code == 0
    checked = runner.invoke(app, ["verify", str(changed), E, str(bill), "--period",
                                  "2020-06", "--ledger", str(ledger)])
    said = " ".join(checked.output.split())
    assert "L012 warning: the contract is not the file TTV-BRK-0001 was made with (the same " \
        "version" in said
    # of a bill check, the corrections counted are the computed invoice's
    assert "(1 correction on the invoice computed for the bill's period)" in said, said


def test_a_customer_left_out_is_said_when_nothing_is_new(tmp_path: Path) -> None:
    """V001 explains a "nothing to invoice": it was not said on that path."""
    pm = str(ROOT / "contracts" / "palvelumanageri.yaml")
    rows = (ROOT / "examples" / "palvelumanageri" / "events.csv").read_text(
        encoding="utf-8").splitlines(keepends=True)
    events = tmp_path / "events.csv"
    events.write_text("".join(r for r in rows if not r.startswith("V01-r,")),
                      encoding="utf-8")
    done = runner.invoke(app, ["invoice", pm, str(events), "--period", "2020-09",
                               "--provider", "manager_a", "--ledger",
                               str(tmp_path / "l.sqlite"), "--new-ledger", "-o",
                               str(tmp_path / "i.json")])
    assert "V001" in done.stderr and "no referral recorded" in done.stderr


@pytest.mark.parametrize(("first_day", "last_day", "refused"), [
    ("2020-06-15", "2020-07-10", True),   # shares June 15..30
    ("2020-06-30", "2020-07-10", True),   # one day shared: June 30
    ("2020-07-01", "2020-07-10", False),  # the day after June
])
def test_a_period_sharing_days_with_one_invoiced_is_refused(
        first_day: str, last_day: str, refused: bool, tmp_path: Path) -> None:
    """June 15 to July 10 after June was issued (nothing billed twice, but two invoices of
    the ledger, and of the buyer's books, covered the same days): a user trial."""
    ledger = tmp_path / "buyer.sqlite"
    assert _invoice(ledger, "2020-06", "--new-ledger")[0] == 0
    before = ledger.read_bytes()
    done = runner.invoke(app, ["invoice", C, E, "--from", first_day, "--to", last_day,
                               "--ledger", str(ledger), "-o", str(tmp_path / "o.json")])
    if not refused:
        assert done.exit_code == 0, done.stderr
        return
    assert done.exit_code == 2
    assert (f"the period {first_day}..{last_day} shares days with 2020-06 "
            "(2020-06-01..2020-06-30), invoiced as TTV-BRK-0001: a day is invoiced in one "
            "period only") in " ".join(done.stderr.split())
    assert ledger.read_bytes() == before


def test_a_ledger_holding_no_invoice_is_still_new(tmp_path: Path) -> None:
    """A first invoice refused inside the ledger's transaction leaves the ledger it started,
    holding nothing: the retry asks for a new ledger again, and gets it."""
    from rewardengine.invoicing.ledger import Ledger

    ledger = tmp_path / "buyer.sqlite"
    Ledger.open(str(ledger)).close()  # started, no invoice in it
    code, said = _invoice(ledger, "2020-05", "--new-ledger")
    assert code == 0 and "issued TTV-BRK-0001" in said
    code, said = _invoice(ledger, "2020-06", "--new-ledger")
    assert code == 2 and "L014" in said  # it holds an invoice now


def test_the_default_ledger_named_and_no_ledger_are_one_too_many(tmp_path: Path) -> None:
    bill = tmp_path / "bill.csv"
    bill.write_text("customer_id,component,occurrence,date,amount\n", encoding="utf-8")
    done = runner.invoke(app, ["verify", C, E, str(bill), "--period", "2020-05",
                               "--ledger", "ledger.sqlite", "--no-ledger"])
    assert done.exit_code == 2
    assert "give either --ledger or --no-ledger, not both" in done.output


@pytest.mark.parametrize(("last_day", "warned"), [
    ("2020-11-04", False),  # 30 days after the last row known (2020-10-05)
    ("2020-11-05", False),  # 31: a quiet month
    ("2020-11-06", True),   # 32
])
def test_a_period_well_past_the_data_is_warned_of(last_day: str, warned: bool,
                                                  tmp_path: Path) -> None:
    """An extract of June invoiced for May a year later billed outcomes of jobs taken as
    running on, with no word (a user trial): V004, as a forecast says it."""
    done = runner.invoke(app, ["invoice", C, E, "--from", "2020-10-01", "--to", last_day,
                               "--ledger", str(tmp_path / "l.sqlite"), "--new-ledger",
                               "-o", str(tmp_path / "i.csv"), "--format", "csv"])
    assert done.exit_code == 0
    said = " ".join(done.stderr.split())
    days = (date.fromisoformat(last_day) - date(2020, 10, 5)).days
    assert ("V004 warning: nothing is recorded after 2020-10-05, "
            f"{days} days before the period 2020-10-01..{last_day} ends: the invoice takes "
            "nothing to have happened in between" in said) == warned
    checked = runner.invoke(app, ["verify", C, E, str(tmp_path / "i.csv"), "--from",
                                  "2020-10-01", "--to", last_day, "--no-ledger"])
    assert ("the check takes nothing to have happened" in " ".join(checked.output.split())
            ) == warned


def test_a_ledger_gone_after_the_check_is_not_made_anew(tmp_path: Path) -> None:
    """The library's entry asks for the ledger before anything is read, but the events may
    take long to read (a pipe): a ledger moved away meanwhile must not be made anew where it
    was (a review). The ledger is opened as asked: no file, and no new ledger asked for, is
    L013 then too; a bill checked strictly likewise."""
    from rewardengine.invoicing import run as billing
    from rewardengine.invoicing.ledger import LedgerError
    from rewardengine.pipeline import load_contract

    loaded, _ = load_contract(C)
    assert loaded is not None
    from rewardengine.events.read import read_events
    events = read_events([E]).events
    period = BillingPeriod("2020-05", date(2020, 5, 1), date(2020, 6, 1))
    gone = tmp_path / "moved.sqlite"
    with pytest.raises(LedgerError, match="L013"):
        billing.issue_invoice(loaded, events, period, ledger_path=str(gone), inputs_hash="h",
                              new_ledger=False)
    with pytest.raises(LedgerError, match="L013"):
        billing.issue_invoice(loaded, events, period, ledger_path=str(gone), inputs_hash="h",
                              new_ledger=False, dry_run=True)
    assert not gone.exists()
    bill = api.read_bill_file(str(tmp_path / "none.csv"))
    with pytest.raises(LedgerError, match="L013 no ledger at this path: give the path of the "
                                          "ledger of what was invoiced; --no-ledger"):
        billing.verify_bill(loaded, events, bill, period, ledger_path=str(gone), strict=True)


def test_the_issue_date_year_runs_from_the_day_the_ledger_allows(tmp_path: Path) -> None:
    """June invoiced after August a year later: the earliest date June's invoice may have is
    August's; a date a year after June's end but not after that day is no typo (a review)."""
    ledger = tmp_path / "l.sqlite"
    assert _invoice(ledger, "2021-08", "--new-ledger", "--issue-date", "2021-09-01")[0] == 0
    # (June has nothing new after August: not refused for its date, the point here)
    code, said = _invoice(ledger, "2020-06", "--issue-date", "2021-09-02")
    assert code == 0, said
    assert "more than a year" not in said
    code, said = _invoice(ledger, "2020-05", "--issue-date", "2022-09-03")
    assert code == 2
    assert ("more than a year after the earliest day the ledger allows for 2020-05 "
            "(2021-09-01)") in " ".join(said.split())


def test_no_v004_for_a_final_invoice_after_the_last_outcome_day(tmp_path: Path) -> None:
    """Data recorded up to outcomes_until (2020-12-31) invoiced for March: nothing can be
    reached after that day, so nothing is assumed (a review)."""
    events = tmp_path / "events.csv"
    text = Path(E).read_text(encoding="utf-8")
    head = text.splitlines()[0].split(",")
    row = dict.fromkeys(head, "")
    row.update({"event_id": "T01-late", "customer_id": "T01", "type": "employment",
                "date": "2020-12-31", "kind": "open", "evidence": "register", "fte": "0.5"})
    events.write_text(text + ",".join(row[h] for h in head) + "\n", encoding="utf-8")
    done = runner.invoke(app, ["invoice", C, str(events), "--period", "2021-03", "--ledger",
                               str(tmp_path / "l.sqlite"), "--new-ledger", "-o",
                               str(tmp_path / "i.json")])
    assert done.exit_code == 0, done.stderr
    assert "V004" not in done.stderr
