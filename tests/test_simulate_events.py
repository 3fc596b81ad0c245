"""What ``simulate`` evaluates is what ``generate`` writes, read back: a drawn block's events
(``runs.block_events``, made of the drawn rows' fields without a CSV line) equal, field by
field and type by type, the events the event reader makes of the ``generate`` CSV of the
same draws, and the events of the typed rows simulate evaluated before."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from rewardengine import synth
from rewardengine.cohort import DEFAULT_COHORT, Cohort
from rewardengine.events.model import EventBase
from rewardengine.events.read import read_text
from rewardengine.forecast import runs
from rewardengine.pipeline import load_contract
from rewardengine.synth import block_rows, block_stream, block_text, draw_block, make_plan

ROOT = Path(__file__).resolve().parent.parent
# between them: benefit months (with cumulative days), education, surveys, expenses, hours,
# earnings, referral fields drawn to fall in a segment's rules, self-reports confirmed
# later, ends recorded as corrections, voids, ends of service with reasons
CONTRACTS = ("tehostettu_tyonvalitys", "palvelumanageri", "omavalmentaja", "asiakasbudjetti",
             "employment_condition_2024", "municipal_subsidy_share", "pirkanmaa")


def _facts(events: Sequence[EventBase], numbered: bool = True) -> list[tuple[Any, ...]]:
    """Every field of every event with its value's type and text (``==`` alone would hold
    Decimal("1") equal to 1.0 and to True)."""
    return [(type(e).__name__, *((k, type(v).__name__, repr(v)) for k, v in e.__dict__.items()
                                 if numbered or k not in ("file", "row")),
             tuple(sorted(e.model_fields_set)))
            for e in events]


def _plan(name: str, cohort: Cohort = DEFAULT_COHORT) -> Any:
    loaded, _ = load_contract(str(ROOT / "contracts" / f"{name}.yaml"))
    assert loaded is not None
    return make_plan(loaded, cohort)


def _same_as_the_file(plan: Any, seed: int, count: int) -> None:
    ids = [f"c{i:07d}" for i in range(count)]
    direct = runs.block_events(plan, block_stream(seed, 0), ids)
    read = read_text(",".join(plan.columns) + "\n" + block_text(plan, seed, 0, count, 7),
                     "g.csv")
    assert read.problems == []
    assert _facts([e for one in direct for e in one], numbered=False) == \
        _facts(read.events, numbered=False)


@pytest.mark.parametrize("name", CONTRACTS)
def test_a_drawn_blocks_events_are_the_generated_files_events(name: str) -> None:
    plan = _plan(name)
    for seed in (3, 11):
        count = 70
        ids = [f"c{i:07d}" for i in range(count)]
        direct = runs.block_events(plan, block_stream(seed, 0), ids)
        text = block_text(plan, seed, 0, count, 7)
        read = read_text(",".join(plan.columns) + "\n" + text, "g.csv")
        assert read.problems == []
        flat = [e for one in direct for e in one]
        assert _facts(flat, numbered=False) == _facts(read.events, numbered=False)
        assert [e.customer_id for one, cid in zip(direct, ids, strict=True) for e in one
                if e.customer_id == cid] == [e.customer_id for e in flat]
        # each customer's rows numbered from 1, as its text rows are
        rows = block_rows(plan, block_stream(seed, 0), ids)
        assert [_facts(runs.to_events(one)) for one in rows] == [_facts(one) for one in direct]


def test_the_contracts_above_draw_every_kind_of_row() -> None:
    """The contracts the test above draws cover the rows a simulation can hold."""
    seen: set[str] = set()
    for name in CONTRACTS:
        plan = _plan(name)
        ids = [f"c{i:07d}" for i in range(70)]
        for one in runs.block_events(plan, block_stream(3, 0), ids):
            ids_seen: set[str] = set()
            for e in one:
                seen.add(e.type)  # type: ignore[attr-defined]
                if e.void:
                    seen.add("void")
                if getattr(e, "evidence", None) == "self_report":
                    seen.add("self_report")
                if getattr(e, "cumulative_days", None) is not None:
                    seen.add("cumulative_days")
                if e.event_id in ids_seen:
                    seen.add("correction")
                ids_seen.add(e.event_id)
    assert seen >= {"referral", "service_start", "service_end", "contact", "hours", "expense",
                    "employment", "earnings", "education", "survey", "benefit", "void",
                    "self_report", "cumulative_days", "correction"}


def test_a_runs_events_are_its_blocks_rows_events() -> None:
    """A run (several blocks of ``runs.BLOCK`` customers) evaluates, customer by customer,
    the events of its blocks' text rows: the same ids, the same events."""
    plan = _plan("tehostettu_tyonvalitys")
    count = runs.BLOCK + 20
    new = list(runs.run_events([plan, plan], 5, 2, count))
    ids = [cid for cid, _ in new]
    old = [rows for b, at in enumerate(range(0, count, runs.BLOCK))
           for rows in block_rows(plan, runs.stream(5, 2, b), ids[at:at + runs.BLOCK])]
    assert ids == [f"c{i:07d}" for i in range(count)]
    for (_, (a, b)), rows in zip(new, old, strict=True):
        assert _facts(a) == _facts(b) == _facts(runs.to_events(rows))


def test_texts_read_otherwise_than_written_are_read_from_the_lines() -> None:
    """A contract's text that needs quotes, or has spaces around it (a reader strips them),
    is not taken as drawn: the block is read from its lines, as the file is."""
    plan = replace(_plan("avo"), activities=(' a "big", one', "b"),
                   end_reasons=("ended, early",), instruments=("x, y ",), quoting=True)
    assert not plan.as_written
    _same_as_the_file(plan, 4, 150)
    assert _plan("avo").as_written


def test_a_drawn_value_the_reader_refuses_is_refused_alike(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A drawn row whose value only the models decide (a birth date before 1900: customers
    140 years old) is read by them, with the same message as the lines read as a file. The
    plan refuses such a cohort first (``synth.beyond_calendar``); its check is left out
    here, so the reader's own check of a row is what is tested."""
    monkeypatch.setattr(synth, "beyond_calendar", lambda *_: None)
    cohort = Cohort.model_validate({"profiles": {"default": {"person": {"age": {"fixed": 140}}}}})
    plan = _plan("tehostettu_tyonvalitys", cohort)
    ids = [f"c{i:07d}" for i in range(30)]
    with pytest.raises(runs.SimulationError) as direct:
        runs.block_events(plan, block_stream(3, 0), ids)
    with pytest.raises(runs.SimulationError) as lines:
        runs._read_lines(plan, draw_block(plan, block_stream(3, 0), ids))
    assert str(direct.value) == str(lines.value)
    assert "birth_date" in str(direct.value) and "1900" in str(direct.value)


def test_a_drawn_cohort_of_every_distribution_is_the_files() -> None:
    """Draws of every form of distribution (and clamps) become the file's events."""
    cohort = Cohort.model_validate({"profiles": {"default": {
        "service": {"days_to_start": {"uniform": [1, 21]},
                    "share_of_length": {"empirical": [0.1, 0.2, 0.3, 0.5, 0.9]},
                    "contacts_per_month": {"poisson": {"mean": 2}, "max": 8},
                    "hours_per_month": {"lognormal": {"median": 5, "sigma": 0.5}, "max": 40}},
        "jobs": {"days_to_first": {"exponential": {"mean": 100}, "max": 900},
                 "length_days": {"normal": {"mean": 200, "sd": 80}, "min": 7, "max": 1500},
                 "gap_days": {"fixed": 30}, "wage": {"uniform": [900, 4000]}},
        "expenses": {"per_month": {"poisson": {"mean": 0.5}, "max": 5},
                     "amount": {"exponential": {"mean": 50}, "min": 1, "max": 2000}}}}})
    for name in ("omavalmentaja", "aimo"):
        _same_as_the_file(_plan(name, cohort), 5, 120)
