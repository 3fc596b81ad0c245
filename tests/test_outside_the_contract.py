"""V009: a customer whose service began before the contract, or who entered after its last
referral day.

The contract does not cover them, yet their rows are evaluated as they stand (each fee by
its own window): a procurement officer's trial found a result fee paid for a customer
referred and started before valid_from, and a fee lost before the referral of a customer
referred after the contract ended, with no word from validate or evaluate. The last referral
day is referrals_until, else valid_until; a referral ahead of valid_from is usual (customers
are referred to begin when the contract does), a service begun before it is not. Tested a
day short, on each bound, and a day over.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from conftest import CONTRACT_HEAD, contract_from, events_from
from typer.testing import CliRunner

from rewardengine.cli import app
from rewardengine.engine import customers_findings, evaluate

FEE = """\
components:
  - {id: start_fee, kind: event_fee, event: service_start, amount: 100.00}
"""
UNTIL = CONTRACT_HEAD.replace("  follow_up: 6 months\n",
                              "  follow_up: 6 months\n  referrals_until: 2021-06-30\n")


def _rows(referred: str, started: str | None = None) -> str:
    return (f"r1,c1,referral,{referred},,,,acme,,2019-01-01\n"
            f"s1,c1,service_start,{started or referred},,,,acme\n")


AFTER = "after the contract's last referral day"
TAIL = ": the contract does not cover them; their rows are evaluated as they stand"


@pytest.mark.parametrize(("head", "referred", "started", "said"), [
    # referred ahead of the contract's start, to begin when it does: no warning
    (CONTRACT_HEAD, "2019-12-20", "2020-01-01", None),
    (CONTRACT_HEAD, "2019-12-20", "2019-12-31",
     "customer's service began on 2019-12-31 (s1), before the contract's valid_from "
     "2020-01-01"),
    (CONTRACT_HEAD, "2020-01-01", None, None),
    (CONTRACT_HEAD, "2022-12-31", None, None),
    (CONTRACT_HEAD, "2023-01-01", None,
     f"customer entered on 2023-01-01 (referral r1), {AFTER} 2022-12-31 (valid_until)"),
    (UNTIL, "2021-06-30", None, None),
    (UNTIL, "2021-07-01", None,
     f"customer entered on 2021-07-01 (referral r1), {AFTER} 2021-06-30 (referrals_until)"),
])
def test_a_customer_outside_the_contract_is_warned_of(head: str, referred: str,
                                                      started: str | None,
                                                      said: str | None) -> None:
    loaded = contract_from(FEE, head)
    events = events_from(_rows(referred, started)).events
    ev = evaluate(loaded, events, date(2024, 6, 30))
    found = [(p.code, p.message, p.source.row) for p in ev.problems if p.code == "V009"]
    row = 3 if said is not None and "service began" in said else 2
    expected = [] if said is None else [("V009", said + TAIL, row)]
    assert found == expected
    # validate says the same of the rows as they stand
    assert [(p.code, p.message, p.source.row) for p in customers_findings(loaded, events)
            if p.code == "V009"] == expected
    # and the evaluation goes on as the rows say: lines are made
    assert ev.customers and ev.customers[0].lines


def test_without_segments_the_service_start_is_the_entry(tmp_path: Path) -> None:
    head = CONTRACT_HEAD[:CONTRACT_HEAD.index("segments:")] + \
        CONTRACT_HEAD[CONTRACT_HEAD.index("windows:"):]
    loaded = contract_from(FEE, head)
    events = events_from("s1,c1,service_start,2023-01-01,,,,acme\n").events
    ev = evaluate(loaded, events, date(2023, 6, 30))
    assert [p.message for p in ev.problems if p.code == "V009"] == [
        f"customer entered on 2023-01-01 (service start s1), {AFTER} 2022-12-31 "
        f"(valid_until){TAIL}"]


def test_the_command_line_warns(tmp_path: Path) -> None:
    contract = tmp_path / "c.yaml"
    contract.write_text(CONTRACT_HEAD + FEE, encoding="utf-8")
    events = tmp_path / "e.csv"
    events.write_text("event_id,customer_id,type,date,provider,unemployed_since\n"
                      "r1,c1,referral,2023-01-02,acme,2019-01-01\n", encoding="utf-8")
    runner = CliRunner()
    done = runner.invoke(app, ["validate", str(contract), str(events)])
    assert done.exit_code == 0
    assert "e.csv:2: V009 warning: customer entered on 2023-01-02 (referral r1)" in done.output
    assert runner.invoke(app, ["validate", str(contract), str(events), "--strict"]
                         ).exit_code == 1
    shown = runner.invoke(app, ["evaluate", str(contract), str(events), "--as-of",
                                "2023-06-30"])
    assert shown.exit_code == 0 and "V009 warning" in shown.output


def test_a_referral_before_the_contract_under_starts_at_referral_is_no_warning() -> None:
    """With starts_at: referral the service is taken to begin on the referral day: a
    customer referred ahead of valid_from was warned of as a service begun before it, at
    another row's (a review). Only a service start row dated before valid_from is."""
    head = CONTRACT_HEAD.replace("  service:\n", "  service:\n    starts_at: referral\n", 1)
    loaded = contract_from(FEE, head)
    early = events_from("r1,c1,referral,2019-12-20,,,,acme,,2019-01-01\n"
                        "s1,c1,service_start,2020-01-07,,,,acme\n").events
    ev = evaluate(loaded, early, date(2020, 6, 30))
    assert [p for p in ev.problems if p.code == "V009"] == []
    started = events_from("r1,c1,referral,2019-12-20,,,,acme,,2019-01-01\n"
                          "s1,c1,service_start,2019-12-27,,,,acme\n").events
    ev = evaluate(loaded, started, date(2020, 6, 30))
    assert [(p.message.split(":")[0], p.source.row) for p in ev.problems
            if p.code == "V009"] == [("customer's service began on 2019-12-27 (s1), before "
                                      "the contract's valid_from 2020-01-01", 3)]
