"""``price`` for a component whose amount moves nothing: with a per-customer cap that binds
for every customer who earns it, the cohort is paid (by the other components, up to the cap)
but the message said the component "pays nothing to this cohort (expected cost 42.50 at any
amount)"."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import pytest

from rewardengine.forecast.price import Cell, solve
from rewardengine.forecast.runs import SimulationError

CELLS = [Cell(("components", 1, "amount"), Decimal("180.00"))]


def _flat(at: str) -> object:
    def cost(amounts: Sequence[Decimal]) -> list[Decimal]:
        return [Decimal(at) for _ in amounts]
    return cost


def test_a_capped_component_says_the_cap_not_that_it_pays_nothing() -> None:
    with pytest.raises(SimulationError) as caught:
        solve(CELLS, Decimal("100"), _flat("42.50"), "statement", None,  # type: ignore[arg-type]
              capped="avo.yaml:84")
    assert str(caught.value) == (
        "the amount of component statement moves nothing: the expected cost per customer is "
        "42.50 at 0.00, 90.00, 180.00 alike, so no amount reaches the target: the "
        "per-customer cap (avo.yaml:84) already binds for every customer who earns statement, "
        "so what it adds is cut again (or it is not earned by this cohort); raise the cap, or "
        "solve for another component")


def test_without_a_cap_the_component_is_not_earned() -> None:
    with pytest.raises(SimulationError, match=r"at 0\.00, 90\.00, 180\.00 alike, so no amount "
                       r"reaches the target: statement is not earned by this cohort; solve "
                       r"for another component$"):
        solve(CELLS, Decimal("100"), _flat("42.50"), "statement", None)  # type: ignore[arg-type]


def test_nothing_paid_at_all_still_pays_nothing() -> None:
    with pytest.raises(SimulationError, match=r"^component statement pays nothing to this "
                       r"cohort \(expected cost 0\.00 at any amount: 0\.00, 90\.00, 180\.00 "
                       r"tried\): no amount reaches the target$"):
        solve(CELLS, Decimal("100"), _flat("0"), "statement", None,  # type: ignore[arg-type]
              capped="avo.yaml:84")


def test_a_ceiling_that_holds_every_run_is_named_not_the_cap() -> None:
    # the other fees alone reach the contract ceiling: the cost is its share at any amount;
    # the message blamed the per-customer cap
    def held(amount: Decimal) -> str | None:
        return "the contract ceiling 300000.00 binds in all 20 runs"

    with pytest.raises(SimulationError) as caught:
        solve(CELLS, Decimal("900"), _flat("1000.00"), "result", None,  # type: ignore[arg-type]
              held, capped="sujuvat.yaml:119")
    assert str(caught.value) == (
        "the amount of component result moves nothing: the contract ceiling 300000.00 binds "
        "in all 20 runs at every amount tried (0.00, 90.00, 180.00), so the expected cost per "
        "customer is 1000.00 whatever the amount and no amount reaches the target 900.00: the "
        "ceiling's share is the cost per customer; solve for another component, or change "
        "the ceiling")
    # the ceiling not holding: the cap is named, as before
    with pytest.raises(SimulationError, match="the per-customer cap"):
        solve(CELLS, Decimal("900"), _flat("1000.00"), "result", None,  # type: ignore[arg-type]
              lambda amount: None, capped="sujuvat.yaml:119")
