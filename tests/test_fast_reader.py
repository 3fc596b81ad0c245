"""The compiled row reader (events/fast.py) against the pydantic models: on the fuzz corpus
both paths give the same events (field by field, the fields given, their order) and the same
problems; a row the fast path accepts is one the models accept, built identically."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_fuzz import EVENT_VALUES, EVENTS_CSV, EVENTS_JSONL, mutated_csv, mutated_jsonl

from rewardengine.errors import Source
from rewardengine.events import read
from rewardengine.events.fast import fast_event
from rewardengine.events.model import ALL_FIELDS, EVENT_MODELS, EventBase
from rewardengine.events.read import EventSet, model_row, read_text
from rewardengine.tabular import make_dialect


def _same_event(a: EventBase, b: EventBase) -> None:
    assert type(a) is type(b)
    assert a == b
    assert list(a.__dict__.items()) == list(b.__dict__.items())
    assert a.model_fields_set == b.model_fields_set
    assert a.model_dump_json() == b.model_dump_json()


def _models_only(text: str, file: str, jsonl: bool, monkeypatch: pytest.MonkeyPatch,
                 **kw: Any) -> EventSet:
    with monkeypatch.context() as m:
        m.setattr(read, "fast_event", lambda raw, file, row: None)
        return read_text(text, file, jsonl=jsonl, **kw)


def _same_reading(text: str, file: str, jsonl: bool, monkeypatch: pytest.MonkeyPatch,
                  **kw: Any) -> None:
    fast = read_text(text, file, jsonl=jsonl, **kw)
    slow = _models_only(text, file, jsonl, monkeypatch, **kw)
    assert [str(p) for p in fast.problems] == [str(p) for p in slow.problems]
    assert len(fast.events) == len(slow.events)
    for a, b in zip(fast.events, slow.events, strict=True):
        _same_event(a, b)


def test_the_base_files_read_alike_and_the_fast_path_takes_every_row(
        monkeypatch: pytest.MonkeyPatch) -> None:
    _same_reading(EVENTS_CSV, "e.csv", False, monkeypatch)
    _same_reading(EVENTS_JSONL, "e.jsonl", True, monkeypatch)
    taken = []
    with monkeypatch.context() as m:
        m.setattr(read, "model_row", lambda raw, src: pytest.fail(f"models used: {raw}"))
        taken = read_text(EVENTS_CSV, "e.csv").events
    assert len(taken) == EVENTS_CSV.count("\n") - 1


@given(mutated_csv())
def test_mutated_csv_reads_alike(text: str) -> None:
    with pytest.MonkeyPatch.context() as m:
        _same_reading(text, "fuzz.csv", False, m)


@given(mutated_jsonl())
def test_mutated_jsonl_reads_alike(text: str) -> None:
    with pytest.MonkeyPatch.context() as m:
        _same_reading(text, "fuzz.jsonl", True, m)


@given(mutated_csv())
def test_mutated_csv_in_a_dialect_reads_alike(text: str) -> None:
    fi = make_dialect("fi", delimiter=",")
    with pytest.MonkeyPatch.context() as m:
        _same_reading(text, "fuzz.csv", False, m, dialect=fi)


ROWS = st.fixed_dictionaries(
    {"event_id": EVENT_VALUES, "customer_id": EVENT_VALUES,
     "type": st.sampled_from(sorted(EVENT_MODELS)), "date": EVENT_VALUES},
    optional={name: EVENT_VALUES | st.booleans() for name in sorted(ALL_FIELDS)
              if name not in ("event_id", "customer_id", "type", "date")}
    | {"attr_region": EVENT_VALUES},
).map(lambda d: {k: v for k, v in d.items() if v != ""})


@given(ROWS)
def test_a_row_the_fast_path_takes_is_the_models_row(raw: dict[str, Any]) -> None:
    fast = fast_event(dict(raw), "f.csv", 7)
    event, problems = model_row(dict(raw), Source("f.csv", row=7))
    if fast is not None:
        assert problems == [] and event is not None
        _same_event(fast, event)


@pytest.mark.parametrize("raw", [
    {"event_id": "h", "customer_id": "c", "type": "hours", "date": "2020-01-01",
     "hours": "2.5"},
    {"event_id": "q", "customer_id": "c", "type": "survey", "date": "2020-01-01",
     "instrument": "radar", "score": "-0"},
    {"event_id": "e", "customer_id": "c", "type": "employment", "date": "2020-01-01",
     "end": "2020-03-01", "kind": "open", "evidence": "register", "fte": "1.0",
     "wage": "2400.10", "void": "true"},
    {"event_id": "r", "customer_id": "c", "type": "referral", "date": "2020-01-01",
     "attr_region": "north", "benefit_days": "300", "partial_work_ability": "false"},
])
def test_common_rows_take_the_fast_path(raw: dict[str, Any]) -> None:
    fast = fast_event(dict(raw), "f.csv", 2)
    event, problems = model_row(dict(raw), Source("f.csv", row=2))
    assert fast is not None and event is not None and problems == []
    _same_event(fast, event)
