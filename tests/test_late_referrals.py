"""windows.late_referrals: a contract that pays nothing for a customer referred after its last
referral day says so (the default, paid, evaluates such a customer's rows as they stand, with
V009). Tested at the boundary: referred on the last day, and the day after."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import CONTRACT_HEAD, contract_from, run

from rewardengine.invoicing.labels import Labels

HEAD = CONTRACT_HEAD.replace("  follow_up: 6 months\n",
                             "  follow_up: 6 months\n  referrals_until: 2021-12-31\n{policy}")
BODY = """
components:
  - {id: start_fee, kind: event_fee, event: service_start, amount: 100.00}
"""


def rows(referred: str) -> str:
    return (f"r1,c1,referral,{referred},,,,acme,,2021-06-01\n"
            "s1,c1,service_start,2022-01-10\n")


def lines(referred: str, policy: str) -> tuple[list[tuple[str, Decimal, Decimal, str]],
                                                list[str]]:
    head = HEAD.replace("{policy}", f"  late_referrals: {policy}\n" if policy else "")
    ev = run(contract_from(BODY, head), rows(referred), "2022-06-30")
    got = [(ln.status, ln.quantity, ln.amount, ln.reason) for ln in ev.customers[0].lines]
    return got, [f"{p.code} {p.message}" for p in ev.problems]


PAID = ("payable", Decimal(1), Decimal("100.00"),
        "service start s1 on 2022-01-10, inside the contract window")


@pytest.mark.parametrize("policy", ["", "paid", "not_paid"])
def test_referred_on_the_last_referral_day_is_paid(policy: str) -> None:
    assert lines("2021-12-31", policy) == ([PAID], [])


@pytest.mark.parametrize("policy", ["", "paid"])
def test_by_default_a_late_referral_is_evaluated_as_its_rows_stand(policy: str) -> None:
    got, problems = lines("2022-01-01", policy)
    assert got == [PAID]
    assert problems == [
        "V009 customer entered on 2022-01-01 (referral r1), after the contract's last "
        "referral day 2021-12-31 (referrals_until): the contract does not cover them; their "
        "rows are evaluated as they stand"]


def test_a_late_referral_the_contract_does_not_pay_is_paid_nothing() -> None:
    got, problems = lines("2022-01-01", "not_paid")
    why = ("not paid: the customer entered on 2022-01-01, after the contract's last referral "
           "day 2021-12-31 (referrals_until), and the contract pays nothing for a late "
           "referral (late_referrals: not_paid); on its own: service start s1 on 2022-01-10, "
           "inside the contract window")
    # not earned, and nothing forgone: the contract never offered it
    assert got == [("not_earned", Decimal(0), Decimal("0.00"), why)]
    assert problems == [
        "V009 customer entered on 2022-01-01 (referral r1), after the contract's last "
        "referral day 2021-12-31 (referrals_until): the contract does not cover them; "
        "nothing is paid for them (late_referrals: not_paid)"]
    for lang in ("fi", "sv"):
        assert Labels(lang).untranslated(why) == []
