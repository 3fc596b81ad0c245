"""The JSON Schema editors check drafts with: the bundled contracts pass it, an error inside a
component is the error of that component's kind (not "not valid under any of the given
schemas"), and every number written as text is accepted by the schema exactly when the engine
accepts it."""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from conftest import CONTRACT_HEAD
from hypothesis import example, given
from hypothesis import strategies as st
from pydantic_core import PydanticCustomError

from rewardengine import values
from rewardengine.api import contract_schema
from rewardengine.pipeline import load_contract_text

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = sorted((ROOT / "contracts").glob("*.yaml"))
SCHEMA = contract_schema()
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())


class EditorLoader(yaml.SafeLoader):
    """YAML as an editor's language server reads it (YAML 1.2: a date stays a string)."""


EditorLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def editor_errors(text: str) -> list[tuple[list[Any], str]]:
    data = yaml.load(text, Loader=EditorLoader)  # a SafeLoader
    return sorted(((list(e.absolute_path), e.message) for e in VALIDATOR.iter_errors(data)),
                  key=str)


def test_the_schema_is_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("contract", CONTRACTS, ids=[p.stem for p in CONTRACTS])
def test_bundled_contracts_pass_the_schema(contract: Path) -> None:
    assert editor_errors(contract.read_text(encoding="utf-8")) == []


FEE = textwrap.dedent("""
components:
  - id: start
    kind: event_fee
    event: service_start
    amount: {A: 100.00, B: 300.00}
""")


def _both(text: str) -> tuple[list[tuple[list[Any], str]], list[str]]:
    _, problems = load_contract_text(CONTRACT_HEAD + text, "contract.yaml")
    return editor_errors(CONTRACT_HEAD + text), [p.code for p in problems]


def test_a_wrong_key_in_a_component_names_the_key() -> None:
    editor, engine = _both(FEE.replace("    amount:", "    amout: 5\n    amount:"))
    assert editor == [([ "components", 0], "Additional properties are not allowed ('amout' "
                                            "was unexpected)")]
    assert engine == ["C102"]


def test_an_unknown_kind_is_named_with_the_kinds() -> None:
    editor, engine = _both(FEE.replace("kind: event_fee", "kind: event_fe"))
    ((path, message),) = editor
    assert path == ["components", 0, "kind"]
    assert message.startswith("'event_fe' is not one of ['benefit_reduction', ")
    assert engine == ["C103"]


@pytest.mark.parametrize(("key", "value", "error"), [
    ("cap", "-1", "-1 is less than the minimum of 0"),
    ("cap", "{A: 5.00, B: [1]}", "[1] is not of type 'number', 'string'"),
    ("cap", "~", None),
    ("label", "[a]", "['a'] is not of type 'string'"),
    ("max_count", '"1_0"', "'1_0' does not match"),
    ("max_count", "0", "0 is less than the minimum of 1"),
])
def test_an_optional_key_reports_its_own_error(key: str, value: str, error: str | None
                                                ) -> None:
    editor, _ = _both(FEE + f"    {key}: {value}\n")
    messages = [message for _, message in editor]
    if error is None:
        assert messages == []
    else:
        assert len(messages) == 1 and messages[0].startswith(error), messages


def test_a_missing_key_is_the_kinds_own() -> None:
    editor, engine = _both(FEE.replace("    event: service_start\n", ""))
    assert editor == [(["components", 0], "'event' is a required property")]
    assert engine == ["C101"]


@pytest.mark.parametrize(("amount", "editor_error"), [
    ("{A: 100.001, B: 300.00}", None),  # a YAML number: its decimals only `validate` sees
    ('{A: "100.001", B: 300.00}', "does not match"),
    ("{A: -1, B: 300.00}", "is less than the minimum of 0"),
    ("{values: {2020-01-01: 100.00}, reference: law}", None),
    ("{values: {2020-13-01: 100.00}}", "is not a 'date'"),
    ("{values: {2020-01-01: {value: 100.00, referense: law}}}", "'referense' was unexpected"),
    ("{A: {register: 1.00, te_office: [1]}, B: 2.00}", "is not of type 'number', 'string'"),
])
def test_prices_are_checked_by_the_shape_written(amount: str, editor_error: str | None) -> None:
    editor, _ = _both(FEE.replace("{A: 100.00, B: 300.00}", amount))
    messages = [message for _, message in editor]
    assert not any("under any of the given schemas" in m for m in messages), messages
    if editor_error is None:
        assert messages == []
    else:
        assert len(messages) == 1 and editor_error in messages[0], messages


# --- numbers written as text: the schema's pattern and the parser agree -----------------------

def _accepts(parse: Callable[[Any], Any], text: str) -> bool:
    try:
        parse(text)
    except PydanticCustomError:
        return False
    return True


def _pattern(schema: dict[str, Any]) -> str:
    return str(schema["then"]["pattern"])


NUMBER_KINDS = {
    "money": (values._money, values._number_schema(values._MONEY_TEXT, "")),
    "signed money": (values._signed_money,
                     values._number_schema(values._SIGNED_MONEY_TEXT, "")),
    "fraction": (values._fraction, values._number_schema(values._FRACTION_TEXT, "")),
    "quantity": (values._nonneg, values._number_schema(values._QUANTITY_TEXT, "")),
    "number": (values.to_decimal, values._NUMBER_SCHEMA),
    "whole": (values.to_whole, {"then": {"pattern": values._WHOLE_TEXT}}),
}
# short texts stay far below the engine's limit of 1e15, which no pattern says
TEXTS = st.text(alphabet="0123456789_.+- e", max_size=14)


@pytest.mark.parametrize("kind", sorted(NUMBER_KINDS))
@given(text=TEXTS)
@example(text="-0")
@example(text="1.0")
@example(text="1.01")
@example(text=".5")
@example(text="1_000.50")
@example(text="1_0")
@example(text="00_001")
@example(text=" 7 ")
@example(text="100.001")
@example(text="1e3")
@example(text="0_000.5")
@example(text="+.25")
def test_a_numbers_pattern_is_exactly_the_parser(kind: str, text: str) -> None:
    parse, schema = NUMBER_KINDS[kind]
    assert (re.search(_pattern(schema), text) is not None) == _accepts(parse, text), text


def test_the_contracts_number_kinds_use_these_patterns() -> None:
    text = json.dumps(SCHEMA)
    for kind in sorted(NUMBER_KINDS):
        assert json.dumps(_pattern(NUMBER_KINDS[kind][1])) in text, kind


START_AFTER = textwrap.dedent("""
components:
  - id: placement
    kind: employment_outcome
    work: {min_fte: 0.8, starts_within: {service_and_after: 3 months}}
    min_duration: 90 days
    amount: 750.00
""")


def test_a_start_window_past_the_service_passes_the_schema_as_the_engine_takes_it() -> None:
    assert _both(START_AFTER) == ([], [])
    editor, engine = _both(START_AFTER.replace("service_and_after:", "service_and_afer:"))
    assert [path for path, _ in editor] == [["components", 0, "work", "starts_within"]]
    assert engine == ["C110"]
