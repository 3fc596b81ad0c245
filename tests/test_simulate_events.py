"""What ``simulate`` evaluates is what ``generate`` writes, read back: a drawn block's events
(``runs.block_events``, the block's lines read by the compiled reader without a file) equal,
field by field and type by type, the events the event reader makes of the ``generate`` CSV
of the same draws, and the events of the typed rows simulate evaluated before."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from rewardengine.cohort import DEFAULT_COHORT
from rewardengine.events.model import EventBase
from rewardengine.events.read import read_text
from rewardengine.forecast import runs
from rewardengine.pipeline import load_contract
from rewardengine.synth import block_rows, block_stream, block_text, make_plan

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


def _plan(name: str) -> Any:
    loaded, _ = load_contract(str(ROOT / "contracts" / f"{name}.yaml"))
    assert loaded is not None
    return make_plan(loaded, DEFAULT_COHORT)


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
