"""``price`` on a component with several fee tables or a fee that changes on dates.

Before, ``price`` refused both ("has 3 fee tables", "changes on dates"): 12 components of 6
bundled contracts (milestones, a full and a partial fee, survey bonus bands, dated rates)
could not be priced. Now every fee cell of the component keeps its ratio to the largest, which
is the amount solved for, as the cells of one table always did; a value written once and
named by YAML aliases is one cell, and a value another component names too is refused.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from conftest import contract_from
from typer.testing import CliRunner

from rewardengine import api
from rewardengine.cli import app
from rewardengine.forecast.price import fee_cells, rewrite, scaled
from rewardengine.forecast.runs import SimulationError

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "forecast"
D = Decimal

MILESTONES = """
components:
  - id: ladder
    kind: milestones
    steps:
      - {after: 4 weeks, amount: {A: 400.00, B: 500.00}}
      - {after: 12 weeks, amount: {A: 1200.00, B: 1500.00}}
    sustainment: {every: 4 weeks, amount: 300.00, max_count: 2}
"""


def _named(cells: list) -> list[tuple[str, Decimal]]:  # type: ignore[type-arg]
    return [(c.name, c.amount) for c in cells]


def test_every_table_of_a_component_is_a_cell_named_by_its_table() -> None:
    loaded = contract_from(MILESTONES)
    cells = fee_cells(loaded, "ladder", None)
    assert _named(cells) == [
        ("milestone 1 fee A", D("400.00")), ("milestone 1 fee B", D("500.00")),
        ("milestone 2 fee A", D("1200.00")), ("milestone 2 fee B", D("1500.00")),
        ("sustainment payment", D("300.00"))]
    # the largest cell is the amount; every other keeps its ratio to it, rounded to cents
    assert _named(scaled(cells, D("1000.00"))) == [
        ("milestone 1 fee A", D("266.67")), ("milestone 1 fee B", D("333.33")),
        ("milestone 2 fee A", D("800.00")), ("milestone 2 fee B", D("1000.00")),
        ("sustainment payment", D("200.00"))]


def test_with_a_segment_every_table_must_be_priced_by_it() -> None:
    loaded = contract_from(MILESTONES)
    with pytest.raises(SimulationError) as found:
        fee_cells(loaded, "ladder", "B")
    # the sustainment payment is the same for every segment: solving B alone would change A
    assert str(found.value) == (
        "component ladder's sustainment payment is the same for every segment (its table is "
        "not priced by segment): leave out --segment")
    by_segment = contract_from(MILESTONES.replace("amount: 300.00",
                                                  "amount: {A: 300.00, B: 350.00}"))
    assert _named(fee_cells(by_segment, "ladder", "B")) == [
        ("milestone 1 fee B", D("500.00")), ("milestone 2 fee B", D("1500.00")),
        ("sustainment payment B", D("350.00"))]


DATED = """
components:
  - id: result
    kind: event_fee
    event: service_start
    amount: {A: 300.00, B: {values: {2020-01-01: 400.00, 2021-01-01: {value: 450.00,
      reference: "indexed"}}}}
"""


def test_each_value_of_a_dated_fee_is_a_cell_from_its_date() -> None:
    from conftest import CONTRACT_HEAD
    loaded = contract_from(DATED)
    cells = fee_cells(loaded, "result", None)
    assert _named(cells) == [("A", D("300.00")), ("B from 2020-01-01", D("400.00")),
                             ("B from 2021-01-01", D("450.00"))]
    text = rewrite(loaded, CONTRACT_HEAD + DATED, scaled(cells, D("900.00")))
    # each value rewritten where it is written; the reference and the dates stay
    assert "amount: {A: 600.00, B: {values: {2020-01-01: 800.00, 2021-01-01: {value: 900.00," \
        in text
    assert 'reference: "indexed"}}}}' in text
    again = contract_from(text, head="")
    assert _named(fee_cells(again, "result", None)) == [
        ("A", D("600.00")), ("B from 2020-01-01", D("800.00")),
        ("B from 2021-01-01", D("900.00"))]


ALIASED = """
components:
  - id: first
    kind: event_fee
    event: service_start
    amount: &rate {values: {2020-01-01: 400.00}}
  - id: second
    kind: event_fee
    event: service_end
    amount: *rate
  - id: steps
    kind: milestones
    steps:
      - {after: 4 weeks, amount: &step 500.00}
      - {after: 12 weeks, amount: *step}
"""


def test_a_value_named_by_aliases_in_one_component_is_one_cell() -> None:
    loaded = contract_from(ALIASED)
    assert _named(fee_cells(loaded, "steps", None)) == [("milestone 1 fee", D("500.00"))]


@pytest.mark.parametrize(("component", "other"), [("first", "second"), ("second", "first")])
def test_a_value_another_component_names_too_is_refused(component: str, other: str) -> None:
    loaded = contract_from(ALIASED)
    with pytest.raises(SimulationError) as found:
        fee_cells(loaded, component, None)
    line = loaded.doc.marks[("components", 0, "amount", "values", "2020-01-01")][0]
    assert str(found.value) == (
        f"component {component}'s fee (from 2020-01-01) at line {line} is written once and "
        f"named by component {other} too (a YAML alias): solving it would change both; give "
        f"{component} its own copy of the value in a copy of the contract to price it")


def test_a_component_with_no_fee_is_refused_with_why() -> None:
    loaded = contract_from("""
components:
  - id: weight
    kind: survey_adjustment
    instrument: satisfaction
    score: latest
    mode: multiplier
    applies_to: [base]
    bands:
      - {min_score: 0, factor: 0.9}
      - {min_score: 4, factor: 1.1}
  - id: base
    kind: event_fee
    event: service_start
    amount: 100.00
""")
    with pytest.raises(SimulationError) as found:
        fee_cells(loaded, "weight", None)
    assert str(found.value) == (
        "component weight has no fee or rate to solve (price solves an amount paid; a "
        "multiplier or a budget is not one)")


def test_a_dated_fee_is_solved_end_to_end(tmp_path: Path) -> None:
    """The analytic contract with its job fee raised on a date: every job (found in 2024 and
    2025) is paid at the price of its day, so the cost is linear in the two values scaled
    together, solved to the target within a cent."""
    contract = tmp_path / "dated.yaml"
    contract.write_text((DATA / "analytic.yaml").read_text().replace(
        "    event: employment\n    amount: 1000.00",
        "    event: employment\n    amount: {values: {2024-01-01: 1000.00, 2024-07-01: 1200.00}}"))
    req = api.Request(str(contract), str(DATA / "analytic_cohort.yaml"), runs=6, seed=7,
                      customers=30)
    found = api.price_component(req, "job_fee", D("250.00"))
    assert found.result is not None, found.problems
    solved, sim = found.result
    assert solved.method == "linear"
    assert abs(solved.cost - D("250.00")) <= D("0.01")
    low, high = (c.amount for c in solved.cells)
    assert [c.name for c in solved.cells] == ["from 2024-01-01", "from 2024-07-01"]
    assert high == solved.amount and abs(low - high * 1000 / 1200) <= D("0.005")
    assert sim.summaries[0].per_customer.mean == solved.cost.quantize(D("0.01"))
    assert solved.to_dict()["cells"] == {"from 2024-01-01": str(low),
                                         "from 2024-07-01": str(high)}


def test_the_command_line_names_every_cell_it_set(tmp_path: Path) -> None:
    contract = tmp_path / "dated.yaml"
    contract.write_text((DATA / "analytic.yaml").read_text().replace(
        "    event: employment\n    amount: 1000.00",
        "    event: employment\n    amount: {values: {2024-01-01: 1000.00}}"))
    done = CliRunner().invoke(app, ["price", str(contract), "--cohort",
                                    str(DATA / "analytic_cohort.yaml"), "--runs", "3", "-n",
                                    "20", "--target-per-customer", "200", "--solve",
                                    "job_fee"])
    assert done.exit_code == 0, done.output
    assert "the fee's cells: from 2024-01-01 " in done.stdout
