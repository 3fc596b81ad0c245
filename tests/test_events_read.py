"""A simulated customer's events of types no component reads are not made
(``engine.events_read``, ``CustomerKind.reads``): every bundled contract evaluates each
customer to the very same lines on the events made as on every event drawn; the kept
events are those drawn, in the same order, with the same row numbers."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from rewardengine.cohort import DEFAULT_COHORT
from rewardengine.contract.load import LoadedContract
from rewardengine.engine import evaluate_customer, events_read
from rewardengine.events.timeline import timeline
from rewardengine.forecast import runs
from rewardengine.forecast.runs import default_horizon
from rewardengine.kinds import KINDS, CustomerKind
from rewardengine.pipeline import load_contract, load_contract_text
from rewardengine.synth import block_stream, make_plan

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = sorted(p.stem for p in (ROOT / "contracts").glob("*.yaml"))


def _loaded(name: str) -> LoadedContract:
    loaded, _ = load_contract(str(ROOT / "contracts" / f"{name}.yaml"))
    assert loaded is not None
    return loaded


@pytest.mark.parametrize("name", CONTRACTS)
def test_each_customer_has_the_same_lines_on_the_events_read(name: str) -> None:
    loaded = _loaded(name)
    plan = make_plan(loaded, DEFAULT_COHORT)
    reads = events_read(loaded)
    assert reads is not None  # every kind says what it reads
    ids = [f"c{i:07d}" for i in range(120)]
    every = runs.block_events(plan, block_stream(5, 0), ids)
    made = runs.block_events(plan, block_stream(5, 0), ids, reads)
    horizon = default_horizon(loaded)
    for cid, all_events, few in zip(ids, every, made, strict=True):
        # the events kept are the drawn ones of the types read, in order, numbered alike
        assert few == [e for e in all_events if e.type in reads]
        full = evaluate_customer(loaded, timeline(cid, all_events, horizon))
        kept = evaluate_customer(loaded, timeline(cid, few, horizon))
        assert kept.lines == full.lines
        assert (kept.segment, kept.provider) == (full.segment, full.provider)


def test_a_contract_that_reads_few_types_leaves_the_others_out() -> None:
    # tehostettu pays for employment alone: no contact, education or survey is made
    loaded = _loaded("tehostettu_tyonvalitys")
    assert events_read(loaded) == {"referral", "service_start", "service_end", "employment"}
    plan = make_plan(loaded, DEFAULT_COHORT)
    ids = [f"c{i:07d}" for i in range(60)]
    every = [e for one in runs.block_events(plan, block_stream(9, 0), ids) for e in one]
    assert {e.type for e in every} > {"contact", "employment"}  # contacts are drawn
    made = [e for one in runs.block_events(plan, block_stream(9, 0), ids,
                                           events_read(loaded)) for e in one]
    assert {e.type for e in made} == {"referral", "service_start", "service_end",
                                      "employment"}


def test_an_event_fee_reads_the_type_it_counts() -> None:
    loaded = _loaded("avo")
    counted = {c.event for c in loaded.contract.components}  # type: ignore[attr-defined]
    assert events_read(loaded) == {"referral", "service_start", "service_end", *counted}


def test_a_kind_that_does_not_say_reads_every_type(monkeypatch: pytest.MonkeyPatch) -> None:
    # a kind without ``reads`` may read any event: nothing is left out for its contract
    text = (ROOT / "contracts" / "tehostettu_tyonvalitys.yaml").read_text(encoding="utf-8")
    fresh, _ = load_contract_text(text, "t.yaml")
    assert fresh is not None
    comp = fresh.contract.components[0]
    kind = KINDS.of(comp)
    assert isinstance(kind, CustomerKind)
    silent = replace(kind, reads=None)
    assert silent.events_read(comp) is None
    monkeypatch.setattr(KINDS, "of", lambda _: silent)
    assert events_read(fresh) is None
    plan = make_plan(fresh, DEFAULT_COHORT)
    ids = [f"c{i:07d}" for i in range(30)]
    assert runs.block_events(plan, block_stream(9, 0), ids, None) == \
        runs.block_events(plan, block_stream(9, 0), ids)


def test_every_type_a_kind_names_is_an_event_type() -> None:
    from rewardengine.events.model import EVENT_MODELS

    for name in CONTRACTS:
        reads = events_read(_loaded(name))
        assert reads is not None and reads <= set(EVENT_MODELS), name


def test_a_run_is_the_same_whatever_is_left_out() -> None:
    # the sums of a run on the events read equal those on every event drawn
    loaded = _loaded("palvelumanageri")
    source = (loaded.file, (ROOT / "contracts" / "palvelumanageri.yaml").read_bytes())
    horizon = default_horizon(loaded)
    draft = runs.draft_of(source, DEFAULT_COHORT, horizon)
    assert draft.reads is not None and "contact" not in draft.reads
    kept = runs.evaluate_run([draft], 3, 0, 150, horizon)
    every = runs.evaluate_run([replace(draft, reads=None)], 3, 0, 150, horizon)
    assert kept == every
    assert kept[0].total > 0


@pytest.mark.parametrize("name", CONTRACTS)
def test_a_kind_reads_every_type_of_row_it_counts(name: str) -> None:
    # the rows a component counts (``wanted_events``, what a cohort draws for it) are of
    # types its kind says it reads: a new option that counts another type must say so
    loaded = _loaded(name)
    for comp in loaded.contract.components:
        kind = KINDS.of(comp)
        if not isinstance(kind, CustomerKind):
            continue
        reads = kind.events_read(comp)
        assert reads is not None
        assert {w.type for w in comp.wanted_events()} <= reads, comp.id


def test_a_block_read_from_its_lines_leaves_out_the_same_events() -> None:
    # a contract whose texts a reader would unquote reads the block's lines; the events of
    # the types not read are left out there too
    loaded = _loaded("tehostettu_tyonvalitys")
    plan = replace(make_plan(loaded, DEFAULT_COHORT), providers=((1.0, "a, b"),))
    assert not plan.as_written
    ids = [f"c{i:07d}" for i in range(40)]
    reads = events_read(loaded)
    assert reads is not None
    every = runs.block_events(plan, block_stream(4, 0), ids)
    made = runs.block_events(plan, block_stream(4, 0), ids, reads)
    assert made == [[e for e in one if e.type in reads] for one in every]
    assert any(e.type == "contact" for one in every for e in one)


def test_continuation_rows_of_types_not_read_are_not_made() -> None:
    # forecast's rows drawn after the as-of date: the events of the types read, each
    # numbered as among all the rows
    rows = [{"event_id": "a-k1", "customer_id": "a", "type": "contact", "date": "2020-05-04",
             "responded": "true"},
            {"event_id": "a-e1", "customer_id": "a", "type": "employment",
             "date": "2020-05-11", "kind": "open", "evidence": "register", "fte": "1.0"}]
    every = runs.to_events(rows)
    made = runs.to_events(rows, reads=frozenset({"employment"}))
    assert [e.event_id for e in every] == ["a-k1", "a-e1"]
    assert made == every[1:] and made[0].row == 2


def test_a_forecast_is_the_same_whatever_is_left_out(monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import date as day

    from rewardengine import api

    events = str(ROOT / "examples" / "palvelumanageri" / "events.csv")
    contract = str(ROOT / "contracts" / "palvelumanageri.yaml")
    req = api.Request(contract, runs=4, seed=3)
    kept = api.forecast_customers(req, [events], day(2020, 3, 31))
    assert kept.result is not None, kept.problems
    monkeypatch.setattr(runs, "_DRAFTS", {})  # drafts made again, reading every type
    monkeypatch.setattr(runs, "events_read", lambda loaded: None)
    every = api.forecast_customers(req, [events], day(2020, 3, 31))
    assert every.result is not None
    assert every.result.to_dict() == kept.result.to_dict()
    assert kept.result.customers
