"""Reachability lint (W001, W008) for the kinds that count qualifying calendar months: the
month of the service start counts when it ends after the start, an anchored reference holds
the first M months, and no employment kind weighs the months."""

from __future__ import annotations

import pytest
from conftest import CONTRACT_HEAD

from rewardengine.errors import Problem
from rewardengine.pipeline import load

STEP = """components:
  - id: t
    kind: earnings_milestones
    unit: months
    reference: {reference}
    min_earnings: 900.00
    steps:
      - {{periods: {periods}{within}, amount: 100.00}}
caps: {{per_customer: 3000.00}}
"""


def warnings(body: str, head: str) -> list[Problem]:
    state = load("c.yaml", text=head + body, with_lint=True)
    assert not [p for p in state.problems if p.severity == "error"]
    return [p for p in state.problems if p.code in ("W001", "W008")]


HEAD = CONTRACT_HEAD.replace(
    "  follow_up: 6 months\n",
    "  follow_up: 6 months\n  referrals_until: 2021-12-31\n  outcomes_until: 2023-06-30\n")


@pytest.mark.parametrize(("periods", "within", "reference", "says"), [
    # a 12-month service and a 6-month follow-up hold 18 counted months at most
    (19, "", "rolling", "can never be met: it needs 19 qualifying calendar months, but the "
                        "service (at most 12 months) and its follow-up (6 months) holds at "
                        "most 18 whole calendar months"),
    (18, "", "rolling", "can only just be met"),
    (17, "", "rolling", None),
    (6, ", within: 6", "service_start", "can only just be met: it needs 6 qualifying calendar "
                                        "months, and its reference of the first 6 calendar "
                                        "months from the service start"),
    (5, ", within: 6", "service_start", None),
    (6, ", within: 6", "rolling", None),
])
def test_w001(periods: int, within: str, reference: str, says: str | None) -> None:
    found = warnings(STEP.format(periods=periods, within=within, reference=reference), HEAD)
    if says is None:
        assert found == []
    else:
        assert [p.code for p in found] == ["W001"] and says in found[0].message


@pytest.mark.parametrize(("last_referral", "late"), [
    # a start on 2022-07-30: July ends after it and counts, the 12th month is June 2023
    ("2022-07-30", False),
    # a start on 2022-07-31, July's last day: August is the first month, the 12th is July 2023
    ("2022-07-31", True),
])
def test_w008_the_month_of_the_start(last_referral: str, late: bool) -> None:
    head = CONTRACT_HEAD.replace(
        "  follow_up: 6 months\n", "  follow_up: 12 months\n"
        f"  referrals_until: {last_referral}\n  outcomes_until: 2023-06-30\n")
    found = warnings(STEP.format(periods=12, within="", reference="rolling"), head)
    if late:
        assert [p.code for p in found] == ["W008"]
        assert "a customer whose service starts after 2022-07-30 cannot reach it by " \
            "2023-06-30" in found[0].message
    else:
        assert found == []
