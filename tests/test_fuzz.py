"""Hostile input: mutated contracts and event files never crash the loader, readers or engine.

A rich valid contract and a valid event file are mutated at random, both as data (delete a
key, replace a value with random text, numbers, lists or mappings, add an unknown key, share a
subtree as a YAML alias) and as text (truncate, insert unicode, delete a slice, duplicate a line
so keys repeat). Whatever comes out, loading returns a contract or at least one error, every
problem has a code like ``C104`` and a position, and a contract that loads evaluates without an
exception. Example counts come from the profiles in conftest.py (``dev``; ``ci`` under CI).
"""

from __future__ import annotations

import copy
import csv
import io
import json
import re
from datetime import date
from decimal import Decimal
from typing import Any, get_args

import yaml
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel

from rewardengine.contract.load import LoadedContract
from rewardengine.engine import evaluate
from rewardengine.errors import Problem, has_errors
from rewardengine.evaluate.lines import STATUSES
from rewardengine.events.model import ALL_FIELDS, EVENT_MODELS, EventBase
from rewardengine.events.read import EventSet, read_text
from rewardengine.kinds import KINDS
from rewardengine.pipeline import load_contract_text
from rewardengine.values import round_cents
from rewardengine.yamlsource import parse_yaml

RICH_CONTRACT = """\
metadata:
  id: fuzz
  title: Fuzzing base contract
  version: "2"
  buyer: Uusimaa TE office
  providers:
    - {id: acme, name: Acme Oy, business_id: 1234567-8}
    - {id: beta, name: Beta Oy}
  currency: EUR
  vat_rate: 0.24
  valid_from: 2020-01-01
  valid_until: 2021-12-31
  illustrative: true
  source: invented for tests
segments:
  source: rules
  policy: exclusive
  tiers:
    - id: A
      label: close to the labour market
      distance: 0
      when: {unemployment_months: {max: 12}, partial_work_ability: false}
    - id: B
      distance: 1
      when: {unemployment_months: {min: 12}, partial_work_ability: false}
    - id: C
      distance: 2
      when: {partial_work_ability: true}
windows:
  service:
    starts_at: service_start
    max_length: 12 months
  follow_up: 6 months
  grace: 30 days
  referrals_until: 2021-06-30
  outcomes_until: 2022-06-30
components:
  - id: start_fee
    kind: event_fee
    event: service_start
    amount: {A: 100.00, B: 150.00, C: 200.00}
  - id: sessions
    kind: event_fee
    event: contact
    where: {responded: "true"}
    per: each
    max_count: 6
    window: service
    amount: 10.50
  - id: coaching
    kind: hourly_fee
    rate: {A: 45.00, B: 55.00, C: 65.00}
    phase: {until: 3 months}
    activities: [coaching, training]
    max_hours: 40
  - id: monthly
    kind: monthly_fee
    amount: 300.00
    phase: {from: 3 months, until: 12 months}
    condition: {min_responded_contacts: 1}
    proration: daily
    max_months: 9
  - id: staff
    kind: capacity_fee
    amount: 5000.00
    provider: acme
    from: 2020-01-01
    until: 2020-12-31
  - id: job
    kind: employment_outcome
    work: {min_fte: 0.8, kinds: {open: 1, subsidised: 0.5}}
    min_duration: 90 days
    counting: cumulative
    max_gap: 30 days
    window: service_and_follow_up
    amount:
      A: {register: 750.00, self_report: 190.00}
      B: {register: 900.00, self_report: 250.00}
      C: {register: 1200.00, self_report: 300.00}
    max_times: 2
  - id: steps
    kind: milestones
    segments: [B, C]
    work: {min_hours_per_week: 18}
    steps:
      - {after: 4 weeks, amount: 200.00}
      - {after: 13 weeks, amount: 400.00}
      - {after: 26 weeks, amount: 600.00}
    sustainment: {every: 4 weeks, amount: 100.00, max_count: 6}
    benefit_test: {measure: amount, baseline: 3 months, full_fall: 1, partial_fall: 0.5,
                   partial_share: 0.5}
  - id: toe
    kind: employment_condition
    unit: weeks
    min_hours_per_week: 18
    required: 26
    reference_period: 28 months
    amount: 1500.00
    reach_by: 2022-06-30
  - id: history
    kind: work_history
    baseline: 12 months
    comparison: {length: 12 months}
    count: [work, education]
    rate: 5.00
    min_extra_days: 30
  - id: benefit_fall
    kind: benefit_reduction
    measure: days
    baseline: 6 months
    comparison: {from: 6 months, length: 6 months}
    buyer_share: [{after_days: 300, share: 0.5}, {after_days: 1000, share: 0.7}]
    zero_baseline: full_if_none_during
    full: {min_fall: 0.8, amount: 1000.00}
    partial: {min_fall: 0.4, amount: 400.00}
  - id: radar
    kind: survey_adjustment
    instrument: tyoelamatutka
    score: change
    mode: multiplier
    applies_to: [job]
    bands:
      - {min_score: 0, factor: 1}
      - {min_score: 2, factor: 1.1}
  - id: radar_bonus
    kind: survey_adjustment
    instrument: tyoelamatutka
    bands:
      - {min_score: 4, amount: 50.00}
  - id: expenses
    kind: reimbursed_expenses
    budget: {A: 300.00, B: 500.00, C: 800.00}
    categories: [travel, tools]
  - id: euro_condition
    kind: employment_condition
    unit: months
    wages: earnings
    min_monthly_wage: {values: {1900-01-01: 930.00, 2021-01-01: 944.00}}
    partial: {min_monthly_wage: 465.00, counts: 0.5}
    required: 12
    reference_period: 24 months
    weights: {open: 1, subsidised: 0}
    amount: 1000.00
  - id: months_paid
    kind: period_payments
    unit: months
    min_earnings: 1000.00
    benefit: none
    max_periods: 6
    amount: 150.00
  - id: ticket
    kind: earnings_milestones
    unit: months
    min_earnings: {values: {1900-01-01: 880.00, 2020-01-01: 910.00}}
    look_back: true
    steps:
      - {periods: 1, amount: 100.00}
      - {periods: 3, within: 6, amount: 200.00}
caps:
  per_customer: {A: 4000.00, B: 5000.00, C: 6000.00}
  contract_total: 2000000.00
"""

EVENTS_CSV = """\
event_id,customer_id,type,date,recorded,end,void,provider,unemployed_since,partial_work_ability,\
benefit_days,hours,activity,responded,kind,evidence,fte,hours_per_week,wage,days,amount,\
instrument,score,category,reason,cumulative_days
r1,c1,referral,2020-01-10,,,,acme,2019-06-01,false,200
s1,c1,service_start,2020-01-15
h1,c1,hours,2020-01-20,,,,,,,,3.5,coaching
k1,c1,contact,2020-02-01,,,,,,,,,,true
k2,c1,contact,2020-03-01,,,,,,,,,,false
q1,c1,survey,2020-01-16,,,,,,,,,,,,,,,,,,tyoelamatutka,1
b1,c1,benefit,2019-09-01,,,,,,,,,,,,,,,,22,700.00,,,,,310
w1,c1,earnings,2020-05-31,,,,,,,,,,,open,register,,,,,1250.00
b2,c1,benefit,2020-09-01,,,,,,,,,,,,,,,,0,0.00
e1,c1,employment,2020-04-01,2020-04-03,2020-12-31,,,,,,,,,open,register,1,,2400.10
x1,c1,expense,2020-02-10,,,,,,,,,,,,,,,,,45.50,,,travel
q2,c1,survey,2020-10-01,,,,,,,,,,,,,,,,,,tyoelamatutka,4.5
r2,c2,referral,2020-02-01,,,,beta,2018-01-01,false,500
s2,c2,service_start,2020-02-03,,,,beta
e2,c2,employment,2020-05-01,,,,,,,,,,,subsidised,self_report,,20
e3,c2,employment,2020-06-01,,2020-06-30,,,,,,,,,open,employer,0.5
n2,c2,service_end,2020-09-30,,,,,,,,,,,,,,,,,,,,,moved
e2,c2,employment,2020-05-01,2020-07-01,2020-06-15,true,,,,,,,,subsidised,self_report,,20
r3,c3,referral,2020-03-01,,,,acme,,true
s3,c3,service_start,2020-03-02
d3,c3,education,2020-04-01,,2020-06-30,,,,,,,,,vocational
"""

AS_OF = (date(2020, 3, 1), date(2021, 1, 1), date(2023, 1, 1))
CODE = re.compile(r"[A-Z]\d{3}")


def _jsonl_of(csv_text: str) -> str:
    """The same events as JSON Lines: numbers as JSON numbers, booleans as JSON booleans."""
    out = []
    for row in csv.DictReader(io.StringIO(csv_text)):
        obj: dict[str, Any] = {}
        for key, value in row.items():
            if not value:
                continue
            if value in ("true", "false"):
                obj[key] = value == "true"
            elif re.fullmatch(r"-?\d+(\.\d+)?", value) and key not in ("event_id",):
                obj[key] = Decimal(value) if "." in value else int(value)
            else:
                obj[key] = value
        out.append(json.dumps(obj, default=str))
    return "\n".join(out) + "\n"


EVENTS_JSONL = _jsonl_of(EVENTS_CSV)

# Key names the contract language knows (so mutations reach deep, not only "unknown key").
def _models(tp: object, seen: set[type[BaseModel]]) -> set[type[BaseModel]]:
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        if tp not in seen:
            seen.add(tp)
            for f in tp.model_fields.values():
                _models(f.annotation, seen)
        return seen
    for arg in get_args(tp):
        _models(arg, seen)
    return seen


CONTRACT_KEYS = sorted({
    field.alias or name
    for cls in _models(KINDS.contract_class, set())
    for name, field in cls.model_fields.items()
})

# Values likely to reach the checks and the engine, or to sit on a boundary.
INTERESTING = [
    "", "0", "1", "-1", "0.5", "1.1", "0.001", "0.10", "100.00", "1e3", "1e400", "-0", "NaN",
    "Infinity", "999999999999999.99", "1000000000000000", "12345678901234567.89",
    "2020-01-01", "2020-02-29", "2020-02-30", "2021-12-31", "1899-12-31", "1900-01-01",
    "2199-12-31", "9999-12-31", "30.1.2020",
    "0 days", "1 day", "30 days", "366 days", "13 weeks", "1 month", "3 months", "12 months",
    "1200 months", "99999 months",
    "A", "B", "C", "D", "acme", "beta", "register", "te_office", "employer", "self_report",
    "open", "subsidised", "entrepreneur", "apprenticeship", "work", "education",
    "event_fee", "hourly_fee", "monthly_fee", "capacity_fee", "employment_outcome",
    "milestones", "employment_condition", "work_history", "benefit_reduction",
    "survey_adjustment", "reimbursed_expenses",
    "referral", "service_start", "service_end", "hours", "contact", "employment", "expense",
    "true", "false", "yes", "once", "each", "continuous", "cumulative", "exclusive",
    "first_match", "rules", "bonus", "multiplier", "latest", "change", "weeks", "months", "days",
    "none", "daily", "full", "service", "service_and_follow_up", "contract",
    "job", "start_fee", "radar", "steps", "tyoelamatutka", "travel",
]

SCALARS = st.one_of(
    st.sampled_from(INTERESTING),
    st.text(max_size=12),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    st.floats(),
    st.booleans(),
    st.none(),
    st.dates(),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.sampled_from(CONTRACT_KEYS) | st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


# --- checks -----------------------------------------------------------------------------------

def check_problem(p: Problem, file: str, *, rows: bool) -> None:
    assert CODE.fullmatch(p.code), p
    assert isinstance(p.message, str) and p.message, p
    assert p.source.file == file, p
    if p.code.startswith("F"):
        return
    if rows:
        assert p.source.row is not None and p.source.row >= 1, p
    else:
        assert p.source.line is not None and p.source.line >= 1, p
        assert p.source.col is not None and p.source.col >= 1, p


def check_load(text: str) -> LoadedContract | None:
    loaded, problems = load_contract_text(text, "fuzz.yaml")
    for p in problems:
        check_problem(p, "fuzz.yaml", rows=False)
    if loaded is None:
        assert has_errors(problems), "no contract and no error"
    else:
        assert not has_errors(problems)
    return loaded


def check_read(text: str, file: str, jsonl: bool) -> EventSet:
    es = read_text(text, file, jsonl=jsonl)
    for p in es.problems:
        check_problem(p, file, rows=True)
    for e in es.events:
        assert isinstance(e, EventBase) and e.file == file and e.row >= 1
    return es


def check_evaluation(loaded: LoadedContract, events: list[EventBase]) -> None:
    """Evaluation never raises, and its lines keep the engine's promises."""
    for as_of in AS_OF:
        ev = evaluate(loaded, events, as_of)
        for line in ev.all_lines():
            assert line.status in STATUSES
            # only a survey multiplier with a factor below 1 may reduce (a negative line)
            assert line.amount >= 0 or line.kind == "survey_adjustment", line
            assert line.amount == round_cents(line.amount), line
            assert line.reason, line
        for p in ev.problems:
            check_problem(p, p.source.file, rows=True)


# --- mutations --------------------------------------------------------------------------------

Slot = tuple[Any, Any]  # (container, key or index) of one node


def slots(node: Any) -> list[Slot]:
    """Every (parent, key) in the tree, parents before children."""
    out: list[Slot] = []
    stack = [node]
    seen: set[int] = set()
    while stack:
        parent = stack.pop()
        if id(parent) in seen:
            continue
        seen.add(id(parent))
        items = (list(parent.items()) if isinstance(parent, dict)
                 else list(enumerate(parent)) if isinstance(parent, list) else [])
        for key, child in items:
            out.append((parent, key))
            stack.append(child)
    return out


def containers(node: Any) -> list[Any]:
    return [node] + [p[k] for p, k in slots(node) if isinstance(p[k], (dict, list))]


@st.composite
def mutated_tree(draw: st.DrawFn, base: Any) -> Any:
    tree = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["delete", "replace", "replace", "insert"]))
        if op == "insert":
            target = draw(st.sampled_from(containers(tree)))
            value = draw(VALUES)
            if isinstance(target, dict):
                target[draw(st.sampled_from(CONTRACT_KEYS) | st.text(max_size=8))] = value
            else:
                target.insert(draw(st.integers(0, len(target))), value)
            continue
        places = slots(tree)
        if not places:
            break
        parent, key = draw(st.sampled_from(places))
        if op == "delete":
            del parent[key]
        else:
            parent[key] = draw(VALUES)
    if draw(st.booleans()):
        # share one subtree in two places: YAML writes an anchor and an alias
        places = [s for s in slots(tree) if isinstance(s[0][s[1]], (dict, list))]
        if len(places) >= 2:
            src_parent, src_key = draw(st.sampled_from(places))
            dst_parent, dst_key = draw(st.sampled_from(slots(tree)))
            dst_parent[dst_key] = src_parent[src_key]
    return tree


@st.composite
def tweaked_tree(draw: st.DrawFn, base: Any) -> Any:
    """Gentler than ``mutated_tree``: scalars swapped for plausible ones, keys deleted, so
    that many results still load and reach the engine."""
    tree = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        places = slots(tree)
        leaves = [s for s in places if not isinstance(s[0][s[1]], (dict, list))]
        parent, key = draw(st.sampled_from(leaves if draw(st.integers(0, 3)) else places))
        if isinstance(parent[key], (dict, list)) or draw(st.integers(0, 4)) == 0:
            del parent[key]
        else:
            parent[key] = draw(st.sampled_from(INTERESTING) | st.sampled_from(BASE_SCALARS))
    return tree


@st.composite
def mutated_text(draw: st.DrawFn, text: str) -> str:
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["truncate", "insert", "delete", "duplicate_line", "line",
                                   "alias"]))
        n = len(text)
        if op == "truncate":
            text = text[:draw(st.integers(0, n))]
        elif op == "insert":
            i = draw(st.integers(0, n))
            text = text[:i] + draw(st.text(min_size=1, max_size=10)) + text[i:]
        elif op == "delete":
            i = draw(st.integers(0, n))
            text = text[:i] + text[i + draw(st.integers(1, 40)):]
        else:
            lines = text.split("\n")
            i = draw(st.integers(0, len(lines) - 1))
            if op == "duplicate_line":  # mostly a duplicate key
                lines.insert(draw(st.integers(0, len(lines))), lines[i])
            elif op == "line":
                head = lines[i].split(":", 1)[0] if ":" in lines[i] else lines[i]
                lines[i] = head + ": " + draw(st.sampled_from(INTERESTING) | st.text(max_size=10))
            else:  # anchor one line's value, refer to it from another
                j = draw(st.integers(0, len(lines) - 1))
                if ": " in lines[i] and ": " in lines[j]:
                    key_i, value_i = lines[i].split(": ", 1)
                    lines[i] = f"{key_i}: &x {value_i}"
                    lines[j] = lines[j].split(": ", 1)[0] + ": *x"
            text = "\n".join(lines)
    return text


def dump(tree: Any) -> str:
    return yaml.safe_dump(tree, allow_unicode=True, sort_keys=False, width=80)


BASE_DOC, _ = parse_yaml(RICH_CONTRACT, "base.yaml")
assert BASE_DOC is not None
BASE_TREE = BASE_DOC.data
# every scalar of the base contract: each is valid somewhere, so swapping them stays plausible
BASE_SCALARS = sorted({str(p[k]) for p, k in slots(BASE_TREE)
                       if not isinstance(p[k], (dict, list))})
BASE_EVENTS = read_text(EVENTS_CSV, "events.csv").events


def test_base_contract_and_events_are_valid() -> None:
    loaded = check_load(RICH_CONTRACT)
    assert loaded is not None
    kinds = {c.kind for c in loaded.contract.components}
    assert kinds == set(KINDS.names)  # every kind is fuzzed
    assert check_load(dump(BASE_TREE)) is not None  # dumping the data keeps it valid
    for text, file, jsonl in ((EVENTS_CSV, "e.csv", False), (EVENTS_JSONL, "e.jsonl", True)):
        es = check_read(text, file, jsonl)
        assert es.problems == [] and len(es.events) == 21
    assert {e.type for e in BASE_EVENTS} == set(EVENT_MODELS)  # type: ignore[attr-defined]
    check_evaluation(loaded, BASE_EVENTS)


# --- contracts --------------------------------------------------------------------------------

@given(mutated_tree(BASE_TREE))
def test_mutated_contract_data_never_crashes_the_loader(tree: Any) -> None:
    check_load(dump(tree))


@given(mutated_text(RICH_CONTRACT))
def test_mutated_contract_text_never_crashes_the_loader(text: str) -> None:
    check_load(text)


@given(st.data())
def test_mutated_data_then_text_never_crashes_the_loader(data: st.DataObject) -> None:
    text = dump(data.draw(mutated_tree(BASE_TREE)))
    check_load(data.draw(mutated_text(text)))


@given(tweaked_tree(BASE_TREE))
def test_a_mutated_contract_that_loads_evaluates(tree: Any) -> None:
    loaded = check_load(dump(tree))
    if loaded is not None:
        check_evaluation(loaded, BASE_EVENTS)


# --- events -----------------------------------------------------------------------------------

EVENT_VALUES = st.one_of(
    st.sampled_from([
        "", "2020-01-01", "2020-02-30", "30.1.2020", "1577836800", "2199-12-31", "9999-12-31",
        "-3", "0", "1.5", "0.001", "10.005", "1e400", "NaN", "true", "false", "maybe",
        "999999999999999.99", "1000000000000000",
        "r1", "s1", "e1", "c1", "c2", "c9", "acme", "beta", "zeta", "open", "register",
        "tyoelamatutka", "travel", *EVENT_MODELS, *sorted(ALL_FIELDS), "attr_x",
    ]),
    st.text(max_size=12),
)


@st.composite
def mutated_csv(draw: st.DrawFn) -> str:
    rows = list(csv.reader(io.StringIO(EVENTS_CSV)))
    for _ in range(draw(st.integers(1, 5))):
        op = draw(st.sampled_from(["cell", "cell", "delete_row", "copy_row", "drop_cell",
                                   "add_cell"]))
        r = draw(st.integers(0, len(rows) - 1))
        if op == "cell" and rows[r]:
            rows[r][draw(st.integers(0, len(rows[r]) - 1))] = draw(EVENT_VALUES)
        elif op == "delete_row" and len(rows) > 1:
            del rows[r]
        elif op == "copy_row":
            rows.insert(draw(st.integers(1, len(rows))), list(rows[r]))
        elif op == "drop_cell" and rows[r]:
            del rows[r][draw(st.integers(0, len(rows[r]) - 1))]
        elif op == "add_cell":
            rows[r].append(draw(EVENT_VALUES))
    out = io.StringIO()
    csv.writer(out, lineterminator=draw(st.sampled_from(["\n", "\r\n"]))).writerows(rows)
    text = out.getvalue()
    if draw(st.booleans()):
        text = draw(mutated_text(text))
    return text


JSON_VALUES = st.recursive(
    st.one_of(EVENT_VALUES, st.integers(), st.booleans(), st.none(),
              st.decimals(allow_nan=False, allow_infinity=False)),
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=5), inner,
                                                                max_size=2),
    max_leaves=4,
)


@st.composite
def mutated_jsonl(draw: st.DrawFn) -> str:
    objs: list[Any] = [json.loads(line) for line in EVENTS_JSONL.splitlines()]
    for _ in range(draw(st.integers(1, 5))):
        i = draw(st.integers(0, len(objs) - 1))
        obj = objs[i]
        op = draw(st.sampled_from(["value", "value", "delete", "add", "copy", "replace_row"]))
        if op == "value" and isinstance(obj, dict) and obj:
            obj[draw(st.sampled_from(sorted(obj)))] = draw(JSON_VALUES)
        elif op == "delete" and isinstance(obj, dict) and obj:
            del obj[draw(st.sampled_from(sorted(obj)))]
        elif op == "add" and isinstance(obj, dict):
            obj[draw(st.sampled_from(sorted(ALL_FIELDS)) | st.text(max_size=8))] = \
                draw(JSON_VALUES)
        elif op == "copy":
            objs.insert(draw(st.integers(0, len(objs))), copy.deepcopy(obj))
        else:
            objs[i] = draw(JSON_VALUES)
    text = "\n".join(json.dumps(o, default=str, ensure_ascii=draw(st.booleans()))
                     for o in objs) + "\n"
    if draw(st.booleans()):
        text = draw(mutated_text(text))
    return text


@given(mutated_csv())
def test_mutated_csv_never_crashes_the_reader(text: str) -> None:
    check_read(text, "fuzz.csv", jsonl=False)


@given(mutated_jsonl())
def test_mutated_jsonl_never_crashes_the_reader(text: str) -> None:
    check_read(text, "fuzz.jsonl", jsonl=True)


RICH_LOADED = check_load(RICH_CONTRACT)


@given(st.one_of(mutated_csv().map(lambda t: (t, False)), mutated_jsonl().map(lambda t: (t, True))))
def test_events_that_read_evaluate(case: tuple[str, bool]) -> None:
    text, jsonl = case
    es = check_read(text, "fuzz.jsonl" if jsonl else "fuzz.csv", jsonl=jsonl)
    assert RICH_LOADED is not None
    check_evaluation(RICH_LOADED, es.events)


# --- the edges of the value ranges -----------------------------------------------------------

def test_largest_amounts_and_hours_evaluate() -> None:
    """1e15 hours at 1e15 EUR/h is 1e30 EUR: more digits than Decimal's default context holds
    in cents. Rounding must not raise; the contract ceiling cuts the line."""
    text = (RICH_CONTRACT
            .replace("rate: {A: 45.00, B: 55.00, C: 65.00}", "rate: 999999999999999.99")
            .replace("    max_hours: 40\n", "")
            .replace("  per_customer: {A: 4000.00, B: 5000.00, C: 6000.00}\n", "")
            .replace("contract_total: 2000000.00", "contract_total: 999999999999999.99"))
    loaded = check_load(text)
    assert loaded is not None
    events = check_read(EVENTS_CSV.replace(",3.5,coaching", ",999999999999999.5,coaching"),
                        "e.csv", jsonl=False)
    assert events.problems == []
    check_evaluation(loaded, events.events)
    ev = evaluate(loaded, events.events, date(2021, 1, 1))
    coaching = [ln for ln in ev.all_lines() if ln.component == "coaching"]
    assert [ln.status for ln in coaching] == ["payable"]
    assert coaching[0].cap is not None and "contract ceiling" in coaching[0].cap
    assert ev.totals.payable <= Decimal("999999999999999.99")


def test_calendar_edges_evaluate() -> None:
    """Dates at the ends of 1900..2199 and durations of 100 years stay inside the calendar."""
    text = RICH_CONTRACT
    for old, new in [
        ("valid_from: 2020-01-01", "valid_from: 1900-01-01"),
        ("valid_until: 2021-12-31", "valid_until: 2199-12-31"),
        ("max_length: 12 months", "max_length: 1200 months"),
        ("follow_up: 6 months", "follow_up: 1200 months"),
        ("grace: 30 days", "grace: 36600 days"),
        ("referrals_until: 2021-06-30", "referrals_until: 2199-12-31"),
        ("outcomes_until: 2022-06-30", "outcomes_until: 2199-12-31"),
        ("reach_by: 2022-06-30", "reach_by: 2199-12-31"),
        ("until: 2020-12-31", "until: 2199-12-31"),
        ("baseline: 12 months", "baseline: 1200 months"),
        ("reference_period: 28 months", "reference_period: 1200 months"),
        ("comparison: {length: 12 months}", "comparison: {length: 1200 months}"),
        ("{after: 26 weeks", "{after: 1200 months"),
    ]:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    loaded = check_load(text)
    assert loaded is not None
    for year in ("1900", "2199"):
        rows = re.sub(r"\b20(19|20)-", year + "-", EVENTS_CSV)
        events = check_read(rows, "e.csv", jsonl=False)
        assert events.problems == []
        for as_of in (date(1900, 1, 1), date(2199, 12, 31)):
            ev = evaluate(loaded, events.events, as_of)
            assert ev.problems == []
            for line in ev.all_lines():
                assert line.amount == round_cents(line.amount)
                assert line.amount >= 0 or line.kind == "survey_adjustment"
