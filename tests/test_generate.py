"""Synthetic events: the same bytes for a seed whatever --jobs; every bundled contract gets
a file its own reader and checks accept; segments land where the cohort says; cohort files
are checked with located errors."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from rewardengine import api
from rewardengine.cli import app
from rewardengine.cohort import DEFAULT_COHORT, load_cohort_text
from rewardengine.engine import evaluate
from rewardengine.events.read import read_text
from rewardengine.kinds import KINDS
from rewardengine.kinds.base import CustomerKind
from rewardengine.pipeline import load_contract
from rewardengine.synth import customer_rows, make_plan

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = sorted((ROOT / "contracts").glob("*.yaml"))
runner = CliRunner()


def _text(contract: Path, n: int, seed: int, jobs: int = 1, cohort: str | None = None
          ) -> str:
    out = io.StringIO()
    _, problems = api.generate_events(str(contract), out, customers=n, seed=seed, jobs=jobs,
                                      cohort_path=cohort)
    assert not problems
    return out.getvalue()


# components a generated cohort cannot reach, with the reason (none today)
UNREACHABLE: dict[tuple[str, str], str] = {}


@pytest.mark.parametrize("contract", CONTRACTS, ids=[p.stem for p in CONTRACTS])
def test_every_contract_gets_events_its_checks_accept(contract: Path) -> None:
    """200 generated customers: every row accepted, every customer evaluated, and every
    component the contract pays to customers has a payable line with an amount (the rows
    each component counts are drawn: ``wanted_events``)."""
    text = _text(contract, 200, seed=3)
    inputs = api.load_inputs(str(contract), [])
    assert inputs.contract is not None
    events = read_text(text, "gen.csv")
    assert [p for p in events.problems if p.severity.value == "error"] == []
    # as of the later of 2022-12-31 and the contract's last day: some bundled contracts run
    # from 2024 or 2025, so their customers have no facts known by 2022
    as_of = max(date(2022, 12, 31), inputs.contract.contract.metadata.valid_until)
    ev = evaluate(inputs.contract, events.events, as_of)
    assert [p for p in ev.problems if p.severity.value == "error"] == []
    assert len(ev.customers) == 200
    paid = Counter(ln.component for c in ev.customers for ln in c.lines
                   if ln.status == "payable" and ln.amount > 0)
    unpaid = [comp.id for comp in inputs.contract.contract.components
              if isinstance(KINDS.of(comp), CustomerKind) and not paid[comp.id]
              and (contract.stem, comp.id) not in UNREACHABLE]
    assert unpaid == []


def test_the_same_seed_gives_the_same_bytes_for_any_jobs(tmp_path: Path) -> None:
    contract = ROOT / "contracts" / "omavalmentaja.yaml"
    one = _text(contract, 5000, seed=7)
    assert one == _text(contract, 5000, seed=7, jobs=2)
    assert one != _text(contract, 5000, seed=8)
    # a customer is the same in a file of any size
    assert _text(contract, 4200, seed=7).splitlines()[:1000] == one.splitlines()[:1000]


def test_one_customer_from_a_random_stream() -> None:
    loaded, _ = load_contract(str(ROOT / "contracts" / "tehostettu_tyonvalitys.yaml"))
    assert loaded is not None
    plan = make_plan(loaded, DEFAULT_COHORT)
    a = customer_rows(plan, 3, np.random.Generator(np.random.PCG64(1)))
    b = customer_rows(plan, 3, np.random.Generator(np.random.PCG64(1)))
    assert a == b and a[0]["type"] == "referral" and a[0]["customer_id"] == "c0000003"


def test_segments_follow_the_cohort_mix(tmp_path: Path) -> None:
    cohort = tmp_path / "cohort.yaml"
    cohort.write_text("segments: {A: 0.8, B: 0.2}\n", encoding="utf-8")
    contract = ROOT / "benchmarks" / "cohort.yaml"  # segments by unemployment months
    loaded, _ = load_contract(str(contract))
    assert loaded is not None
    text = _text(contract, 2000, seed=2, cohort=str(cohort))
    ev = evaluate(loaded, read_text(text, "g.csv").events, date(2023, 6, 30))
    assert len(ev.customers) == 2000
    counts = Counter(c.segment for c in ev.customers)
    assert counts["C"] == 0 and 1500 < counts["A"] < 1700 and 300 < counts["B"] < 500


def test_a_cohort_file_with_errors_is_located(tmp_path: Path) -> None:
    found = load_cohort_text("referrals: {size: 10}\nprofiles:\n  default:\n"
                             "    jobs: {share: 2, wage: {normal: {mean: 1}}, jobz: 1}\n",
                             "c.yaml")
    assert found.cohort is None
    # each says how to write it (the wording tests are in test_cohort_messages.py)
    assert sorted(str(p) for p in found.problems) == [
        "c.yaml:4:19: G103 profiles.default.jobs.share: 2 is not between 0 and 1; a share or "
        "a chance is written from 0 to 1 (55 % is 0.55)",
        "c.yaml:4:37: G101 profiles.default.jobs.wage: normal takes {mean, sd}: sd is "
        "missing; e.g. {normal: {mean: 2300, sd: 600}, min: 600, max: 8000}",
        "c.yaml:4:49: G102 unknown key 'jobz'",
    ]
    bad = tmp_path / "c.yaml"
    bad.write_text("segments: {nope: 1}\n", encoding="utf-8")
    result = runner.invoke(app, ["generate", str(ROOT / "contracts" / "aimo.yaml"), "-n", "5",
                                 "-o", str(tmp_path / "e.csv"), "--cohort", str(bad)])
    assert result.exit_code == 1 and "G104" in result.output
    assert not (tmp_path / "e.csv").exists()


def test_bad_months_of_referrals_are_located_at_their_lines_all_at_once() -> None:
    found = load_cohort_text("referrals:\n  size: 10\n  per_month:\n    2019-01: 5\n"
                             "    2019-13: 5\n    2019-02: -1\n    '2019-1': 2\n", "c.yaml")
    assert found.cohort is None
    assert [str(p) for p in found.problems] == [
        "c.yaml:5:5: G103 referrals.per_month.2019-13: '2019-13' is not a month YYYY-MM",
        "c.yaml:6:14: G103 referrals.per_month.2019-02: '-1' is below the smallest allowed, 0",
        "c.yaml:7:5: G103 referrals.per_month.2019-1: '2019-1' is not a month YYYY-MM"]
    ok = load_cohort_text("referrals: {per_month: {2019-12: 0, 2020-01: 3}}\n", "c.yaml")
    assert ok.problems == [] and ok.cohort is not None


def test_an_evidence_level_the_engine_does_not_know_is_a_located_cohort_error(tmp_path: Path
                                                                            ) -> None:
    # it was taken, and drawn into rows no event file may hold: simulate stopped with an
    # unlocated "a simulated row is not a valid event", generate wrote the rows
    text = ("profiles:\n  default:\n    jobs:\n"
            "      evidence: {register: 0.5, tax_office: 0.5}\n")
    found = load_cohort_text(text, "c.yaml")
    assert found.cohort is None
    assert [str(p) for p in found.problems] == [
        "c.yaml:4:33: G103 profiles.default.jobs.evidence.tax_office: 'tax_office' is not one "
        "of 'register', 'te_office', 'employer' or 'self_report'"]
    bad = tmp_path / "c.yaml"
    bad.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["generate", str(ROOT / "contracts" / "aimo.yaml"), "-n", "5",
                                 "-o", str(tmp_path / "e.csv"), "--cohort", str(bad)])
    assert result.exit_code == 1 and "G103" in result.output
    assert not (tmp_path / "e.csv").exists()


@pytest.mark.parametrize("command", ["generate", "simulate"])
def test_referrals_outside_the_contracts_window_are_warned_about_at_their_lines(
        tmp_path: Path, command: str) -> None:
    """palvelumanageri refers from 2019-01-01 to 2019-12-31: a month after it (and one
    outside first_day..last_day) is not drawn, days beyond it are drawn, each said (G106) at
    its line; a month on the window's last month, or the day before first_day's month, is
    inside or outside exactly."""
    cohort = tmp_path / "c.yaml"
    cohort.write_text("referrals:\n  size: 40\n  first_day: 2018-12-31\n"
                      "  last_day: 2020-01-01\n  per_month:\n    2018-11: 5\n"
                      "    2018-12: 5\n    2019-12: 5\n    2020-01: 5\n    2020-02: 5\n",
                      encoding="utf-8")
    contract = str(ROOT / "contracts" / "palvelumanageri.yaml")
    args = (["generate", contract, "-n", "40", "-o", str(tmp_path / "e.csv")]
            if command == "generate" else ["simulate", contract, "--runs", "1", "-n", "40"])
    result = runner.invoke(app, [*args, "--cohort", str(cohort)])
    assert result.exit_code == 0, result.output
    said = [" ".join(line.split()) for line in result.stderr.splitlines() if "G106" in line]
    window = "the contract's referral window 2019-01-01..2019-12-31"
    drawn = "fall outside the days drawn, 2018-12-31..2020-01-01, and are not drawn (the " \
            "other months share the customers)"
    assert said == [
        f"{cohort}:3:14: G106 warning: first_day 2018-12-31 is before {window}: customers "
        "are drawn referred before it",
        f"{cohort}:4:13: G106 warning: last_day 2020-01-01 is after {window}: customers are "
        "drawn referred after it",
        f"{cohort}:6:14: G106 warning: per_month 2018-11: its 5 referrals {drawn}",
        f"{cohort}:10:14: G106 warning: per_month 2020-02: its 5 referrals {drawn}",
    ]
    inside = tmp_path / "in.yaml"
    inside.write_text("referrals: {size: 10, per_month: {2019-01: 5, 2019-12: 5}}\n",
                      encoding="utf-8")
    quiet = runner.invoke(app, [*args, "--cohort", str(inside)])
    assert quiet.exit_code == 0 and "G106" not in quiet.output
    # per_month ending a month short of the window (a cohort fitted mid-contract): said
    cut = tmp_path / "cut.yaml"
    cut.write_text("referrals: {size: 10, per_month: {2019-01: 5, 2019-11: 5}}\n",
                   encoding="utf-8")
    short = runner.invoke(app, [*args, "--cohort", str(cut)])
    assert short.exit_code == 0, short.output
    assert [" ".join(line.split()) for line in short.stderr.splitlines() if "G106" in line] == [
        f"{cut}:1:34: G106 warning: per_month names no month after 2019-11: nobody is drawn "
        f"referred from 2019-12-01 to 2019-12-31, the last day drawn of {window}; give those "
        "months their referrals (a cohort fitted from data cut mid-contract ends where the "
        "data does)"]


def test_the_plan_draws_the_rows_each_component_counts() -> None:
    """Event fees on hours, service ends and education filtered by a value, and an hourly
    fee on any hours: the plan draws those rows with those values (and one that does not
    pay, so not every row pays)."""
    plans = {}
    for name in ("avo", "forssa", "sujuvat_palvelupolut", "omavalmentaja"):
        loaded, _ = load_contract(str(ROOT / "contracts" / f"{name}.yaml"))
        assert loaded is not None
        plans[name] = make_plan(loaded, DEFAULT_COHORT)
    assert plans["avo"].activities == ("psychologist_session", "written_statement")
    assert plans["forssa"].end_reasons == ("steered_to_training", "steered_to_other_service",
                                           "ended")
    assert plans["forssa"].education_kinds == ("degree", "vocational")
    assert plans["sujuvat_palvelupolut"].hours and not plans["sujuvat_palvelupolut"].activities
    assert plans["omavalmentaja"].activities == ("assessment", "coaching")
    assert plans["omavalmentaja"].end_reasons == ()  # no fee counts service ends by reason


def test_a_cohort_travels_to_another_process_after_drawing() -> None:
    import pickle

    from rewardengine.cohort import _poisson, dist

    counts = dist(poisson={"mean": 2.5}, max=6)
    assert counts.draw(0.999, 0.5) == 6.0  # clamped; the sampler is now worked out
    again = pickle.loads(pickle.dumps(counts))
    assert again == counts and again.draw(0.999, 0.5) == 6.0
    bare = dist(poisson={"mean": 2.5})
    for u in (0.0, 0.082084998623898795, 0.0820849986238988, 0.5, 0.999999, 1 - 2**-53):
        assert bare.draw(u, 0.5) == _poisson(2.5, u)  # halving finds the count summing did


@pytest.mark.parametrize("contract", [*CONTRACTS[::4], ROOT / "contracts/omavalmentaja.yaml",
                                      ROOT / "contracts/avo.yaml"], ids=lambda p: p.stem)
def test_a_blocks_rows_are_the_rows_of_its_lines(contract: Path) -> None:
    """A block drawn as rows is the block a file holds: the same customers, row for row,
    and the same events."""
    from rewardengine.forecast.runs import to_events
    from rewardengine.synth import block_rows, block_stream, block_text

    loaded, _ = load_contract(str(contract))
    assert loaded is not None
    plan = make_plan(loaded, DEFAULT_COHORT)
    ids = [f"c{i:07d}" for i in range(300)]
    text = block_text(plan, 9, 0, 300, 7)
    read = read_text(",".join(plan.columns) + "\n" + text, "g.csv")
    assert [p for p in read.problems if p.severity.value == "error"] == []
    rows = block_rows(plan, block_stream(9, 0), ids)
    assert [r["customer_id"] for one in rows for r in one] == \
        [line.split(",")[1] for line in text.splitlines()]

    def facts(events: list[Any]) -> list[dict[str, Any]]:
        return [{k: v for k, v in e.__dict__.items() if k not in ("file", "row")}
                for e in events]

    assert facts([e for one in rows for e in to_events(one)]) == facts(read.events)


def test_a_contract_text_that_needs_quotes_is_quoted() -> None:
    """An activity, a reason or an instrument (in a survey's id too) with a comma or a quote
    is written quoted, and read back as it is."""
    from dataclasses import replace

    from rewardengine.synth import block_text

    loaded, _ = load_contract(str(ROOT / "contracts" / "avo.yaml"))
    assert loaded is not None
    plan = replace(make_plan(loaded, DEFAULT_COHORT), activities=('a "big", one', "b"),
                   end_reasons=("ended, early",), instruments=("x, y",), quoting=True)
    text = ",".join(plan.columns) + "\n" + block_text(plan, 4, 0, 200, 7)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["activity"] for r in rows if r["type"] == "hours"} == {'a "big", one', "b"}
    assert {r["reason"] for r in rows if r["type"] == "service_end"} == {"ended, early"}
    surveys = [r for r in rows if r["type"] == "survey"]
    assert surveys and all(r["instrument"] == "x, y" and r["event_id"].endswith("-x, y")
                           for r in surveys)
    assert all(len(r) == len(plan.columns) for r in rows)


@pytest.mark.parametrize("spec", [
    {"fixed": 3.5}, {"fixed": 3.5, "min": 4}, {"uniform": (2, 8), "max": 5},
    {"exponential": {"mean": 120}, "max": 900}, {"exponential": {"mean": 10}, "min": 1},
    {"poisson": {"mean": 1.5}, "max": 8}, {"poisson": {"mean": 2.5}, "max": 7.5},
    {"poisson": {"mean": 1.2}, "min": 1, "max": 5}, {"poisson": {"mean": 3}},
    {"poisson": {"mean": 3}, "max": 2000}, {"empirical": [0, 1, 2, 3, 5, 8, 13]},
    # no whole count to cut at: an unbounded max, and a max of minus zero (min() keeps its sign)
    {"poisson": {"mean": 3}, "max": float("inf")}, {"poisson": {"mean": 3}, "max": 1e400},
    {"poisson": {"mean": 3}, "max": -0.0}, {"poisson": {"mean": 3}, "max": 0},
    {"normal": {"mean": 32, "sd": 8}, "min": 4, "max": 40},
    {"normal": {"mean": -1, "sd": 1}, "max": 0},
    {"lognormal": {"median": 150, "sigma": 0.9}, "min": 7, "max": 1500},
], ids=str)
def test_a_distribution_draws_its_formula_clamped_like_min_and_max(spec: dict[str, object]
                                                                   ) -> None:
    """The closures a distribution draws with give the very floats of its formula (inverse
    transforms, Box-Muller) clamped with ``min(max(x, low), high)``."""
    import math

    from rewardengine.cohort import _interpolated, _poisson, dist

    d = dist(**spec)

    def formula(u: float, v: float) -> float:
        normal = math.sqrt(-2.0 * math.log1p(-u)) * math.cos(2.0 * math.pi * v)
        if d.fixed is not None:
            x = d.fixed
        elif d.uniform is not None:
            x = d.uniform[0] + u * (d.uniform[1] - d.uniform[0])
        elif d.exponential is not None:
            x = -d.exponential.mean * math.log1p(-u)
        elif d.poisson is not None:
            x = _poisson(d.poisson.mean, u)
        elif d.empirical is not None:
            x = _interpolated(d.empirical, u)
        elif d.normal is not None:
            x = d.normal.mean + d.normal.sd * normal
        else:
            assert d.lognormal is not None
            x = d.lognormal.median * math.exp(d.lognormal.sigma * normal)
        x = max(x, -math.inf if d.min is None else d.min)
        return min(x, math.inf if d.max is None else d.max)

    grid = [0.0, 1e-9, 0.1, 0.2231301601484298, 0.5, 0.75, 0.9, 0.99, 0.999999, 1 - 2**-53]
    uniforms = [*grid, *np.random.Generator(np.random.PCG64(3)).random(300).tolist()]
    for u in uniforms:
        for v in (0.0, 0.25, 0.6, 0.999):
            assert repr(d.draw(u, v)) == repr(formula(u, v)), (u, v)  # -0.0 is not 0.0
    # drawn as arrays (a block's columns), the very floats of the scalar draw; the
    # functions numpy takes from libm (log1p, cos, exp) are held to a few units in the
    # last place of the largest term, in case a machine's vector maths rounds otherwise
    # (with AVX-512 numpy's own log1p and cos differ from libm's by a unit or two): a
    # normal's mean + sd * z cancels near 0, where one unit of z is many units of the sum
    us, vs = np.meshgrid(np.array(uniforms), np.array([0.0, 0.25, 0.6, 0.999]))
    scalar = np.array([d.draw(u, v) for u, v in zip(us.ravel().tolist(), vs.ravel().tolist(),
                                                    strict=True)])
    vector = d.vector(us.ravel(), vs.ravel())
    assert vector.shape == scalar.shape and vector.dtype == np.float64
    if d.normal is None and d.lognormal is None and d.exponential is None:
        assert [repr(x) for x in vector.tolist()] == [repr(x) for x in scalar.tolist()]
    else:
        largest = np.abs(scalar) + (abs(d.normal.mean) if d.normal is not None else 0.0)
        off = np.abs(vector - scalar) > 4 * np.spacing(largest)
        assert not off.any(), list(zip(scalar[off].tolist(), vector[off].tolist(),
                                       strict=True))[:3]


def test_month_offsets_of_a_column_of_days_are_add_months() -> None:
    """A block's month offsets (ordinals, numpy) are ``values.add_months`` day for day:
    clamped to the month's last day (31 January + 1 month is 29 February 2020, 28 in
    2021), backwards too, across years."""
    from datetime import timedelta

    from rewardengine.blocks import iso, month_first, months_on
    from rewardengine.values import add_months

    days = [date(2019, 12, 1) + timedelta(k) for k in range(0, 800, 3)]
    days += [date(2020, 1, 31), date(2021, 1, 31), date(2020, 2, 29), date(2019, 3, 31)]
    ordinals = np.array([d.toordinal() for d in days])
    for months in (-25, -12, -1, 0, 1, 2, 11, 13, 36):
        assert iso(months_on(ordinals, months)) == \
            [add_months(d, months).isoformat() for d in days]
    assert iso(months_on(np.array([date(2020, 1, 31).toordinal()]), 1)) == ["2020-02-29"]
    assert iso(months_on(np.array([date(2021, 1, 31).toordinal()]), 1)) == ["2021-02-28"]
    assert iso(month_first(ordinals)) == [d.replace(day=1).isoformat() for d in days]
