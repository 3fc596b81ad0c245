"""The compiled row reader (events/fast.py) against the pydantic models: on the fuzz corpus
both paths give the same events (field by field, the fields given, their order) and the same
problems; a row the fast path accepts is one the models accept, built identically. The
readers compiled per CSV header (``compile_header``) are held to the models the same way,
cell by cell, in the plain and the Finnish dialect."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_fuzz import EVENT_VALUES, EVENTS_CSV, EVENTS_JSONL, mutated_csv, mutated_jsonl

from rewardengine.errors import Source
from rewardengine.events import fast, read
from rewardengine.events.fast import compile_header, fast_event, read_rows
from rewardengine.events.model import ALL_FIELDS, EVENT_MODELS, EventBase, fields_of
from rewardengine.events.read import EventSet, model_row, read_text
from rewardengine.tabular import PLAIN, make_dialect


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
        m.setattr(read, "compile_header", lambda header, dialect: {})
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
    {"event_id": "h", "customer_id": "c", "type": "hours", "date": "2020-01-01",
     "hours": "2.5", "provider": "acme"},
    {"event_id": "e", "customer_id": "c", "type": "employment", "date": "2020-01-01",
     "kind": "open", "evidence": "register", "fte": "1", "employer": "x" * 128},
])
def test_common_rows_take_the_fast_path(raw: dict[str, Any]) -> None:
    fast = fast_event(dict(raw), "f.csv", 2)
    event, problems = model_row(dict(raw), Source("f.csv", row=2))
    assert fast is not None and event is not None and problems == []
    _same_event(fast, event)


# values as a CSV cell may hold them, per field: good ones, some only a dialect reads, some
# just past a bound (and anything of the fuzz corpus)
GOOD: dict[str, list[str]] = {
    "date": ["2020-01-01", " 2020-01-01", "1.2.2020", "2020-02-30"],
    "end": ["2020-03-01", "2019-12-31", "31.3.2020"],
    "hours": ["37.5", "1,5", "0", "-1"], "fte": ["0.5", "1.0", "1,0", "1.01"],
    "wage": ["2400.10", "1 234,50", "10.005"], "kind": ["open", "subsidised", "club"],
    "evidence": ["register", "self_report", "Register"], "void": ["true", "false", "TRUE"],
    "days": ["31", "32", "3"], "cumulative_days": ["300", "3", "36601"],
    "score": ["-0", "-2.5", "3", "1e3"], "instrument": ["radar"],
}
for _name, _like in (("recorded", "date"), ("unemployed_since", "date"), ("birth_date", "date"),
                     ("hours_per_week", "hours"), ("amount", "wage"),
                     ("responded", "void"), ("partial_work_ability", "void"),
                     ("benefit_days", "cumulative_days")):
    GOOD[_name] = GOOD[_like]


@st.composite
def header_and_cells(draw: st.DrawFn) -> tuple[list[str], list[str]]:
    """A row of one type under a header of mostly its own fields, many cells empty."""
    event_type = draw(st.sampled_from(sorted(EVENT_MODELS)))
    own = [*sorted(fields_of(event_type) - {"type"}), "attr_region"]
    names = draw(st.lists(st.sampled_from(own), unique=True, max_size=10))
    names += [n for n, f in EVENT_MODELS[event_type].model_fields.items()  # mostly there
              if f.is_required() and n not in names and draw(st.integers(0, 5))]
    if draw(st.integers(0, 3)) == 0:  # a column of another type's
        names.append(draw(st.sampled_from(sorted(ALL_FIELDS - set(names) - {"type"}))))
    header = list(draw(st.permutations(["type", "event_id", "customer_id", "date",
                                        *[n for n in names if n not in COMMON]])))
    cells = []
    for name in header:
        pick = draw(st.sampled_from(["empty", "empty", "good", "good", "good", "any"]))
        if name == "type":
            cells.append(event_type)
        elif name in ("event_id", "customer_id") and pick != "any":
            cells.append("x1")
        elif pick == "empty" and name != "date":
            cells.append("")
        elif pick == "good" or name == "date":
            good = GOOD.get(name, ["acme"])
            cells.append(good[0] if draw(st.booleans()) else draw(st.sampled_from(good)))
        else:
            cells.append(draw(EVENT_VALUES))
    return header, cells


COMMON = ("type", "event_id", "customer_id", "date")


@given(header_and_cells(), st.sampled_from(["plain", "fi"]))
def test_a_row_a_compiled_reader_takes_is_the_models_row(
        written: tuple[list[str], list[str]], dialect_name: str) -> None:
    header, cells = written
    dialect = PLAIN if dialect_name == "plain" else make_dialect("fi")
    event = compile_header(header, dialect)[cells[header.index("type")]](cells, "f.csv", 9)
    if event is None:
        return
    raw = {h: c.strip() for h, c in zip(header, cells, strict=True) if c.strip()}
    if dialect.converts:
        assert read._convert(raw, dialect, Source("f.csv", row=9)) == []
    model, problems = model_row(raw, Source("f.csv", row=9))
    assert problems == [] and model is not None
    _same_event(event, model)


@st.composite
def header_and_block(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    """Rows under one header, read as a block: copies of a row, some with a cell changed
    (to a value seen before, a new one, spaces, nothing) or another type."""
    header, first = draw(header_and_cells())
    rows = [first]
    for _ in range(draw(st.integers(0, 12))):
        cells = list(draw(st.sampled_from(rows)))
        change = draw(st.sampled_from(["none", "cell", "cell", "type"]))
        at = draw(st.integers(0, len(cells) - 1))
        if change == "type":
            cells[header.index("type")] = draw(st.sampled_from(sorted(EVENT_MODELS)))
        elif change == "cell" and header[at] != "type":
            seen = [row[at] for row in rows]
            cells[at] = draw(st.sampled_from([*seen, "", " ", f" {seen[0]}", "x" * 129])
                             | EVENT_VALUES | st.sampled_from(GOOD.get(header[at], ["acme"])))
        rows.append(cells)
    return header, rows


@given(header_and_block(), st.sampled_from(["plain", "fi"]))
def test_a_block_reads_as_its_rows_one_at_a_time(
        written: tuple[list[str], list[list[str]]], dialect_name: str) -> None:
    header, rows = written
    dialect = PLAIN if dialect_name == "plain" else make_dialect("fi")
    numbers = list(range(2, len(rows) + 2))
    type_at = header.index("type")
    readers = compile_header(header, dialect)
    for _ in range(2):  # the values new to the readers, then remembered
        block = read_rows(readers, rows, type_at, "f.csv", numbers)
        alone = compile_header(header, dialect)
        for cells, number, event in zip(rows, numbers, block, strict=True):
            reader = alone.get(cells[type_at])
            expected = reader(cells, "f.csv", number) if reader is not None else None
            if expected is None:
                assert event is None
            else:
                assert event is not None
                _same_event(event, expected)


BLOCK_HEADER = ["event_id", "customer_id", "type", "date", "end", "void", "amount",
                "evidence", "kind", "attr_region", "provider"]


@pytest.mark.parametrize(("changed", "read_alike"), [
    ({}, True),
    ({"event_id": "e" * 128}, True), ({"event_id": "e" * 129}, False),
    ({"customer_id": "c" * 129}, False),
    ({"type": "expense", "evidence": "", "end": "2020-03-01"}, True),
    ({"type": "expense", "evidence": "", "end": "2020-02-29"}, False),  # the day before
    ({"type": "earnings", "end": "2020-03-01"}, False),  # an earnings row has no end
    ({"amount": "929.99"}, True), ({"amount": "930.001"}, False),
    ({"amount": " 930.00"}, True), ({"void": "true"}, True), ({"void": " "}, True),
    ({"provider": "acme"}, False), ({"attr_region": "north"}, False),
    ({"type": "expense", "evidence": "", "provider": " acme "}, True),
    ({"attr_region": "north", "type": "referral", "evidence": "", "amount": "",
      "kind": ""}, True),
    ({"evidence": ""}, False), ({"kind": "club"}, False),
])
def test_a_block_decides_each_row_as_that_row_alone(changed: dict[str, str],
                                                    read_alike: bool) -> None:
    base = {"event_id": "e1", "customer_id": "c1", "type": "earnings", "date": "2020-03-01",
            "end": "", "void": "", "amount": "930.00", "evidence": "register", "kind": "",
            "attr_region": "", "provider": ""}
    rows = [[base[n] for n in BLOCK_HEADER], [{**base, **changed}[n] for n in BLOCK_HEADER]]
    readers = compile_header(BLOCK_HEADER, PLAIN)
    for _ in range(2):  # the values new to the readers, then remembered
        first, second = read_rows(readers, rows, 2, "f.csv", [2, 3])
        assert first is not None and first.row == 2
        alone = compile_header(BLOCK_HEADER, PLAIN)[rows[1][2]](rows[1], "f.csv", 3)
        assert (alone is not None) == read_alike
        if alone is None:
            assert second is None
        else:
            assert second is not None
            _same_event(second, alone)


@pytest.mark.parametrize(("cells", "dialect_name"), [
    (["h1", "c1", "hours", "2020-01-01", "", "37.5"], "plain"),
    (["h1", "c1", "hours", "1.2.2020", " ", "1 234,5"], "fi"),
    (["r1", "c1", "referral", "2020-01-01", "north", ""], "plain"),
])
def test_common_cells_take_a_compiled_reader(cells: list[str], dialect_name: str) -> None:
    header = ["event_id", "customer_id", "type", "date", "attr_region", "hours"]
    if cells[2] == "hours":
        header[4] = "end"
    dialect = PLAIN if dialect_name == "plain" else make_dialect("fi")
    event = compile_header(header, dialect)[cells[2]](cells, "f.csv", 3)
    raw = {h: c.strip() for h, c in zip(header, cells, strict=True) if c.strip()}
    assert read._convert(raw, dialect, Source("f.csv", row=3)) == []
    model, problems = model_row(raw, Source("f.csv", row=3))
    assert event is not None and model is not None and problems == []
    _same_event(event, model)


def test_events_that_set_the_same_fields_share_one_set_safely() -> None:
    text = ("event_id,customer_id,type,date,hours\n"
            "h1,c1,hours,2020-01-01,2\nh2,c1,hours,2020-01-02,3\n")
    first, second = read_text(text, "e.csv").events
    assert first.model_fields_set is second.model_fields_set
    changed = first.model_copy(update={"activity": "coaching"})  # pydantic copies the set
    assert "activity" in changed.model_fields_set
    assert first.model_fields_set == {"event_id", "customer_id", "type", "date", "hours",
                                      "file", "row"}
    assert second.model_fields_set == first.model_fields_set


def test_an_employer_id_one_character_too_long_goes_to_the_models() -> None:
    raw = {"event_id": "e", "customer_id": "c", "type": "employment", "date": "2020-01-01",
           "kind": "open", "evidence": "register", "fte": "1", "employer": "x" * 129}
    assert fast_event(dict(raw), "f.csv", 2) is None
    event, problems = model_row(dict(raw), Source("f.csv", row=2))
    assert event is None and [p.code for p in problems] == ["E005"]


def test_each_column_remembers_its_own_values(monkeypatch: pytest.MonkeyPatch) -> None:
    """Many birth dates do not empty what the date column has learned (one memory for every
    date column was emptied and learned again over and over on a large cohort)."""
    monkeypatch.setattr(fast, "_MAX_REMEMBERED", 4)
    header = ["event_id", "customer_id", "type", "date", "birth_date"]
    rows = [[f"r{k}", f"c{k}", "referral", "2020-01-01", f"19{60 + k}-05-0{1 + k % 9}"]
            for k in range(9)]
    readers = compile_header(header, PLAIN)
    events = read_rows(readers, rows, 2, "f.csv", list(range(2, 11)))
    assert [e.birth_date for e in events] == [  # type: ignore[union-attr]
        date(1960 + k, 5, 1 + k % 9) for k in range(9)]
    known = {name: memory for _, name, memory, _, _ in readers["referral"].checked}
    assert known["date"] == {"2020-01-01": date(2020, 1, 1)}
    assert 1 <= len(known["birth_date"]) <= 4
    assert known["date"] is not known["birth_date"]
    assert known["date"] is {n: m for _, n, m, _, _ in readers["hours"].checked}["date"]


def test_an_empty_text_cell_takes_the_fields_default_in_a_block(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A field whose default is not None reads the same in a block and a row at a time."""
    monkeypatch.setitem(fast._TEMPLATES, "hours",
                        {**fast._TEMPLATES["hours"], "activity": "coaching"})
    header = ["event_id", "customer_id", "type", "date", "hours", "activity"]
    rows = [["h1", "c1", "hours", "2020-01-01", "2", "job search"],
            ["h2", "c1", "hours", "2020-01-02", "3", ""]]
    readers = compile_header(header, PLAIN)
    block = read_rows(readers, rows, 2, "f.csv", [2, 3])
    alone = [compile_header(header, PLAIN)["hours"](cells, "f.csv", n)
             for cells, n in zip(rows, [2, 3], strict=True)]
    assert [e.activity for e in block] == ["job search", "coaching"]  # type: ignore[union-attr]
    for got, expected in zip(block, alone, strict=True):
        assert got is not None and expected is not None
        _same_event(got, expected)
