"""Every problem the contract loader can report: its code, where it points, what it says.

Positions are asserted exactly. ``at(text, needle)`` is the 1-based ``(line, col)`` of the one
place ``needle`` occurs in ``text``, so each test names the token the problem must point at
(an unknown key at the key, a bad value at the value, a missing key at its parent mapping).
"""

from __future__ import annotations

import textwrap
import tracemalloc
from decimal import Decimal
from pathlib import Path

import pytest

from rewardengine import pipeline, yamlsource
from rewardengine.errors import Problem, Severity
from rewardengine.pipeline import load_contract, load_contract_text
from rewardengine.yamlsource import MAX_CONTRACT_BYTES

# A valid contract whose last line opens the component list; tests append components.
HEAD = """\
metadata:
  id: pilot
  title: Error paths
  version: "1"
  buyer: Uusimaa TE office
  providers:
    - {id: acme, name: Acme Oy}
  valid_from: 2020-01-01
  valid_until: 2021-12-31
segments:
  tiers:
    - id: A
      distance: 0
      when: {unemployment_months: {max: 12}}
    - id: B
      distance: 1
      when: {unemployment_months: {min: 12}}
windows:
  service:
    max_length: 12 months
  follow_up: 6 months
components:
"""
FEE = "  - {id: start_fee, kind: event_fee, event: service_start, amount: {A: 100.00, B: 150.00}}\n"
VALID = HEAD + FEE


def at(text: str, needle: str) -> tuple[int, int]:
    """(line, col) of the single occurrence of ``needle`` in ``text``."""
    assert text.count(needle) == 1, f"{needle!r} occurs {text.count(needle)} times"
    before = text[:text.index(needle)]
    return before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1


def pos(p: Problem) -> tuple[int | None, int | None]:
    return p.source.line, p.source.col


def load(text: str) -> list[Problem]:
    """Problems of a contract that must not load."""
    loaded, problems = load_contract_text(text, "contract.yaml")
    assert loaded is None, "the contract loaded"
    return problems


def single(text: str) -> Problem:
    problems = load(text)
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def comp(body: str) -> str:
    """VALID with one more component (YAML written at the component-list indentation)."""
    return VALID + textwrap.indent(textwrap.dedent(body), "  ")


def test_valid_base_loads() -> None:
    loaded, problems = load_contract_text(VALID, "contract.yaml")
    assert loaded is not None and problems == []


# --- F: files ---------------------------------------------------------------------------------

def test_f001_missing_file(tmp_path: Path) -> None:
    path = str(tmp_path / "nope.yaml")
    loaded, problems = load_contract(path)
    assert loaded is None
    assert [(p.code, p.source.file, p.source.line) for p in problems] == [("F001", path, None)]
    assert problems[0].message == "cannot read file: No such file or directory"
    assert str(problems[0]) == f"{path}: F001 cannot read file: No such file or directory"


def test_f001_directory(tmp_path: Path) -> None:
    loaded, problems = load_contract(str(tmp_path))
    assert loaded is None
    assert [p.code for p in problems] == ["F001"]
    assert problems[0].message.startswith("cannot read file: ")


def test_f002_file_over_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    # a valid contract padded with a comment to one byte over the limit
    path.write_bytes(VALID.encode() + b"#" * (MAX_CONTRACT_BYTES + 1 - len(VALID)))
    loaded, problems = load_contract(str(path))
    assert loaded is None
    assert [p.code for p in problems] == ["F002"]
    assert problems[0].message == f"file is larger than the limit of {MAX_CONTRACT_BYTES} bytes"


def test_file_of_exactly_the_size_limit_loads(tmp_path: Path) -> None:
    path = tmp_path / "edge.yaml"
    path.write_bytes(VALID.encode() + b"#" * (MAX_CONTRACT_BYTES - len(VALID)))
    loaded, problems = load_contract(str(path))
    assert loaded is not None and problems == []


def test_f003_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    text = VALID.replace("Uusimaa TE office", "Jyväskylä TE office")
    path.write_bytes(text.encode("latin-1"))
    loaded, problems = load_contract(str(path))
    assert loaded is None
    offset = text.encode("latin-1").index("ä".encode("latin-1"))
    assert [(p.code, p.message) for p in problems] == [
        ("F003", f"file is not UTF-8 (byte {offset})")]


def test_utf8_file_with_bom_loads_and_hashes_the_bytes(tmp_path: Path) -> None:
    import hashlib

    path = tmp_path / "bom.yaml"
    raw = b"\xef\xbb\xbf" + VALID.replace("Uusimaa", "Jyväskylä").encode()
    path.write_bytes(raw)
    loaded, problems = load_contract(str(path))
    assert loaded is not None and problems == []
    assert loaded.contract.metadata.buyer == "Jyväskylä TE office"
    assert loaded.sha256 == hashlib.sha256(raw).hexdigest()


# --- Y: YAML ----------------------------------------------------------------------------------

def test_y001_unclosed_bracket() -> None:
    text = VALID.replace("when: {unemployment_months: {max: 12}}",
                         "when: {unemployment_months: {max: 12}")
    p = single(text)
    assert p.code == "Y001"
    # PyYAML notices at the next line's key, where a ',' or '}' was expected
    assert pos(p) == at(text, "- id: B")
    # ... and names the line where the mapping left open starts, the line to mend
    line, col = at(text, "{unemployment_months: {max: 12}")
    assert p.message == ("YAML syntax error: expected ',' or '}', but got '-' (while parsing "
                         f"a flow mapping that starts at line {line}, column {col})")


def test_y001_bad_indentation() -> None:
    text = VALID.replace("  title: Error paths\n", "  title: Error paths\n   oops: 1\n")
    p = single(text)
    assert (p.code, pos(p)) == ("Y001", (at(text, "oops")[0], 8))
    assert p.message == "YAML syntax error: mapping values are not allowed here"
    assert str(p) == ("contract.yaml:4:8: Y001 YAML syntax error: mapping values are not "
                      "allowed here")


def test_y001_tab_indentation() -> None:
    text = VALID.replace("  follow_up: 6 months", "\tfollow_up: 6 months")
    p = single(text)
    assert (p.code, pos(p)) == ("Y001", (at(text, "\tfollow_up")[0], 1))
    assert p.message == ("YAML syntax error: found character '\\t' that cannot start any token "
                         "(YAML indents with spaces, not tabs: replace the tab with spaces)")


def test_y001_control_character_points_at_it() -> None:
    text = VALID.replace("Error paths", "Error\x00paths")
    p = single(text)
    assert (p.code, pos(p)) == ("Y001", at(text, "\x00"))
    assert p.message == ("YAML syntax error: unacceptable character #x0000: "
                         "special characters are not allowed")


def test_y001_undefined_alias() -> None:
    text = VALID.replace("follow_up: 6 months", "follow_up: *six")
    p = single(text)
    assert (p.code, pos(p)) == ("Y001", at(text, "*six"))
    assert p.message == "YAML syntax error: found undefined alias 'six'"


def test_y001_two_documents() -> None:
    text = VALID + "---\nmetadata: {}\n"
    p = single(text)
    assert (p.code, pos(p)) == ("Y001", at(text, "---"))
    assert "another document" in p.message


@pytest.mark.parametrize(("loader", "brackets"), [
    ("libyaml", 200), ("pure", 200), ("libyaml", 300_000)])
def test_y002_nested_too_deeply(loader: str, brackets: int,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    # located at the bracket past the limit of 200 levels (the mapping is the first level),
    # whichever YAML build reads it: some libyaml builds have no limit of their own and
    # crashed composing 100,000 levels; others stop at 1,000, further on
    if loader == "pure":
        monkeypatch.setattr(yamlsource, "_FAST_LOADER", None)
    p = single("metadata: " + "[" * brackets + "]" * brackets + "\n")
    assert (p.code, pos(p), p.message) == ("Y002", (1, 210), "YAML nested too deeply")


@pytest.mark.parametrize("loader", ["libyaml", "pure"])
def test_y002_limit_boundary(loader: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # 200 levels are read (the value is then refused for what it is, not for its depth);
    # a block mapping one level deeper is refused at its key
    if loader == "pure":
        monkeypatch.setattr(yamlsource, "_FAST_LOADER", None)
    _, problems = yamlsource.parse_yaml("metadata: " + "[" * 199 + "]" * 199 + "\n", "c.yaml")
    assert problems == []
    text = "".join(" " * i + f"k{i}:\n" for i in range(200)) + " " * 200 + "k: 1\n"
    _, problems = yamlsource.parse_yaml(text, "c.yaml")
    assert [(p.code, p.source.line, p.source.col) for p in problems] == [("Y002", 201, 201)]


def test_y002_recursive_alias() -> None:
    p = single("metadata: &m {self: *m}\n")
    assert (p.code, p.message) == ("Y002", "YAML nested too deeply")


@pytest.mark.parametrize("text", ["", "\n\n", "# a comment only\n"])
def test_y003_empty(text: str) -> None:
    p = single(text)
    assert (p.code, pos(p), p.message) == ("Y003", (1, 1), "the file is empty")


def test_y004_complex_key() -> None:
    text = VALID + "? [a, b]\n: c\n"
    problems = load(text)
    assert [(p.code, pos(p)) for p in problems] == [("Y004", at(text, "[a, b]"))]
    assert problems[0].message == "a mapping key must be a plain word"


def test_y004_merge_key() -> None:
    text = VALID.replace("  service:\n    max_length: 12 months\n",
                         "  service: &s\n    max_length: 12 months\n") + \
        "caps:\n  <<: *s\n"
    problems = load(text)
    assert (problems[0].code, pos(problems[0])) == ("Y004", at(text, "<<"))
    assert problems[0].message == "merge keys (<<) are not supported; write the keys out"


def test_y005_duplicate_key_blocks_an_otherwise_valid_contract() -> None:
    text = VALID.replace("  follow_up: 6 months\n",
                         "  follow_up: 6 months\n  follow_up: 9 months\n")
    p = single(text)
    assert (p.code, pos(p)) == ("Y005", (at(text, "follow_up: 9")[0], 3))
    assert p.message == "duplicate key 'follow_up'"


def test_y005_duplicate_key_inside_a_flow_mapping() -> None:
    text = VALID.replace("{A: 100.00, B: 150.00}", "{A: 100.00, B: 150.00, A: 1.00}")
    p = single(text)
    assert (p.code, pos(p), p.message) == ("Y005", at(text, "A: 1.00"), "duplicate key 'A'")


BILLION_LAUGHS = """\
a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


def test_y006_billion_laughs_is_refused_after_bounded_work_and_small() -> None:
    # the work is bounded by the count of nodes expanded (the message says the limit was
    # reached), not measured by a clock; the memory it took is measured
    tracemalloc.start()
    try:
        p = single(BILLION_LAUGHS)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (p.code, pos(p)) == ("Y006", (1, 1))
    assert p.message == ("the document expands to more than 200000 nodes "
                         "(aliases nested too deep?)")
    assert peak < 200_000_000


def test_small_aliases_are_fine() -> None:
    text = VALID.replace("amount: {A: 100.00, B: 150.00}", "amount: &p {A: 100.00, B: 150.00}")
    text += "  - {id: end_fee, kind: event_fee, event: service_end, amount: *p}\n"
    loaded, problems = load_contract_text(text, "contract.yaml")
    assert loaded is not None and problems == []
    assert loaded.contract.components[1].amount == {"A": Decimal("100.00"),  # type: ignore[union-attr]
                                                    "B": Decimal("150.00")}


# --- C100-C110: the schema --------------------------------------------------------------------

@pytest.mark.parametrize("text", ["just words\n", "- a\n- b\n", "42\n"])
def test_c100_not_a_mapping(text: str) -> None:
    p = single(text)
    assert (p.code, pos(p)) == ("C100", (1, 1))
    assert p.message == "a contract must be a mapping with keys metadata, windows, components"


def test_c101_missing_key_points_at_the_parent_mapping() -> None:
    text = VALID.replace("  buyer: Uusimaa TE office\n", "")
    p = single(text)
    # the metadata mapping starts at its first key, "id"
    assert (p.code, pos(p)) == ("C101", at(text, "id: pilot"))
    assert p.message == "missing required key 'buyer'"


def test_c101_missing_top_level_section() -> None:
    text = VALID.replace("windows:\n  service:\n    max_length: 12 months\n  follow_up: 6 months\n",
                         "")
    p = single(text)
    assert (p.code, pos(p), p.message) == ("C101", (1, 1), "missing required key 'windows'")


def test_c101_missing_component_field_points_at_the_component() -> None:
    text = comp("""\
        - id: coaching
          kind: hourly_fee
        """)
    p = single(text)
    assert (p.code, pos(p)) == ("C101", at(text, "id: coaching"))
    assert p.message == "missing required key 'rate'"


def test_c101_missing_field_of_a_flow_mapping_component() -> None:
    text = VALID + "  - {id: stray, kind: event_fee, event: referral}\n"
    p = single(text)
    assert (p.code, pos(p), p.message) == ("C101", at(text, "{id: stray"),
                                           "missing required key 'amount'")


def test_c101_a_key_named_like_the_kind_does_not_move_the_location() -> None:
    text = comp("""\
        - id: odd
          kind: event_fee
          event: referral
          event_fee: 3
        """)
    problems = load(text)
    assert [(p.code, pos(p), p.message) for p in problems] == [
        ("C101", at(text, "id: odd"), "missing required key 'amount'"),
        ("C102", at(text, "event_fee: 3"), "unknown key 'event_fee'"),
    ]


def test_c102_unknown_key_points_at_the_key() -> None:
    text = VALID.replace("  valid_until: 2021-12-31\n",
                         "  valid_until: 2021-12-31\n  colour: blue\n")
    p = single(text)
    assert (p.code, pos(p), p.message) == ("C102", at(text, "colour"), "unknown key 'colour'")


def test_c102_unknown_key_in_a_component() -> None:
    text = comp("""\
        - id: bonus
          kind: event_fee
          event: referral
          amount: 50
          ammount: 60
        """)
    p = single(text)
    says = "unknown key 'ammount' ('amount' is already given)"
    assert (p.code, pos(p), p.message) == ("C102", at(text, "ammount"), says)
    assert str(p) == f"contract.yaml:{at(text, 'ammount')[0]}:5: C102 {says}"


def test_c102_unknown_key_says_which_key_was_meant() -> None:
    text = comp("""\
        - id: bonus
          kind: event_fee
          evnt: referral
          amount: 50
        """)
    p = next(p for p in load(text) if p.code == "C102")
    assert p.message == "unknown key 'evnt' (did you mean 'event'?)"


def test_c103_unknown_kind_with_did_you_mean_points_at_the_kind() -> None:
    text = comp("""\
        - id: bonus
          kind: employment_outcom
          min_duration: 90 days
          amount: 750
        """)
    p = single(text)
    assert (p.code, pos(p)) == ("C103", at(text, "employment_outcom\n"))
    assert p.message.startswith(
        "unknown kind 'employment_outcom' (did you mean 'employment_outcome'?); expected one "
        "of 'benefit_reduction', 'capacity_fee',")  # the kinds in alphabetical order


def test_c103_unknown_kind_without_a_close_match() -> None:
    text = VALID + "  - {id: x, kind: lottery}\n"
    p = single(text)
    assert (p.code, pos(p)) == ("C103", at(text, "lottery"))
    assert p.message.startswith("unknown kind 'lottery'; expected one of 'benefit_reduction'")
    assert "did you mean" not in p.message


def test_c103_missing_kind() -> None:
    text = VALID + "  - {id: x, event: referral, amount: 1}\n"
    p = single(text)
    assert (p.code, pos(p), p.message) == ("C103", at(text, "{id: x"),
                                           "missing required key 'kind'")


def test_c104_amount_with_three_decimals() -> None:
    text = VALID.replace("B: 150.00", "B: 150.005")
    p = single(text)
    assert (p.code, pos(p)) == ("C104", at(text, "150.005"))
    assert p.message == "components.0.amount.B: amount 150.005 has more than 2 decimal places"


def test_c104_trailing_zeros_beyond_cents_are_still_three_places() -> None:
    # "10.000" is 10 exactly, but it was written with three places: the author meant something
    text = VALID.replace("A: 100.00", "A: 100.000")
    p = single(text)
    assert (p.code, p.message) == (
        "C104", "components.0.amount.A: amount 100.000 has more than 2 decimal places")


def test_c105_negative_fee() -> None:
    text = VALID.replace("A: 100.00", "A: -100.00")
    p = single(text)
    assert (p.code, pos(p)) == ("C105", at(text, "-100.00"))
    assert p.message == "components.0.amount.A: amount -100.00 is negative"


def test_c105_negative_capacity_fee() -> None:
    text = VALID + "  - {id: cap, kind: capacity_fee, amount: -1}\n"
    p = single(text)
    assert (p.code, pos(p), p.message) == ("C105", at(text, "-1}"),
                                           "components.1.amount: amount -1 is negative")


def test_amounts_stay_exact_decimals() -> None:
    text = VALID.replace("{A: 100.00, B: 150.00}", "{A: 0.10, B: 12345678901234.89}")
    loaded, problems = load_contract_text(text, "contract.yaml")
    assert loaded is not None and problems == []
    amount = loaded.contract.components[0].amount  # type: ignore[union-attr]
    assert amount == {"A": Decimal("0.10"), "B": Decimal("12345678901234.89")}
    assert str(amount["A"]) == "0.10"  # the written digits, not 0.1000000000000000055...
    assert str(amount["B"]) == "12345678901234.89"


def test_largest_amount_allowed() -> None:
    text = VALID.replace("B: 150.00", "B: 999999999999999.99")
    loaded, problems = load_contract_text(text, "contract.yaml")
    assert loaded is not None and problems == []


def test_c106_amount_too_large() -> None:
    text = VALID.replace("B: 150.00", "B: 12345678901234567.89")
    p = single(text)
    assert (p.code, pos(p)) == ("C106", at(text, "12345678901234567.89"))
    assert p.message == "components.0.amount.B: amount 12345678901234567.89 is implausibly large"


@pytest.mark.parametrize("written", [
    "abc", ".nan", "NaN", "Infinity", "true", "1.50 €",
    # typos and forms that a person would not mean as this amount
    "1_0", "1e3", "\u0663",
])
def test_c106_not_a_number(written: str) -> None:
    text = VALID.replace("A: 100.00", f"A: {written}")
    p = single(text)
    assert (p.code, pos(p)) == ("C106", at(text, f"{written}, B: 150.00"))
    assert p.message == (f"components.0.amount.A: '{written}' is not a money amount written "
                         "like 12 or 1234.50")


@pytest.mark.parametrize(("written", "shown"), [
    ("750 euros for each customer who finds a job",
     "'750 euros for each customer who finds a …'"),
    ("131052-308T", "a value that looks like a personal identity code (not shown)"),
])
def test_c106_a_value_the_message_quotes_is_not_echoed_again(written: str, shown: str) -> None:
    # the message quotes the value as messages do (cut, or named by its look): the value is
    # not put before it once more, whole
    text = VALID.replace("A: 100.00", f'A: "{written}"')
    p = single(text)
    assert p.message == (f"components.0.amount.A: {shown} is not a money amount written "
                         "like 12 or 1234.50")


@pytest.mark.parametrize("written", ["80 %", '"80%"', "0,8"])
def test_c106_a_fraction_written_as_a_percentage_is_shown_how_to_write_it(written: str
                                                                           ) -> None:
    # a programme publishes "80 % of full time": the message gives a fraction's own form,
    # not a money amount's (12 or 1234.50 is no fraction at all)
    path = Path(__file__).parent.parent / "contracts" / "tehostettu_tyonvalitys.yaml"
    text = path.read_text(encoding="utf-8").replace("min_fte: 0.80", f"min_fte: {written}")
    _, problems = load_contract_text(text, "contract.yaml")
    errors = [p for p in problems if p.severity is Severity.ERROR]
    assert [p.code for p in errors] == ["C106"]
    # a decimal comma is said as such, with the number written as it is read
    comma = ": it has a decimal comma; write 0.8" if written == "0,8" else ""
    assert errors[0].message.endswith("is not a fraction written like 0.8 or 0.75 "
                                      f"(80 % is 0.80){comma}")


def test_digit_groups_may_be_separated_by_underscores() -> None:
    text = VALID.replace("B: 150.00", "B: 1_500.00")
    loaded, problems = load_contract_text(text, "contract.yaml")
    assert loaded is not None and problems == []


def test_c106_a_decimal_comma_inside_braces_is_said_at_the_number() -> None:
    """``{A: 100,00, B: 150,00}``: YAML reads ``A: 100`` and a key ``00`` (twice): said as the
    decimal comma it is, at each number, and nothing of the keys ``00`` (no duplicate key,
    no unknown segment)."""
    text = VALID.replace("amount: {A: 100.00, B: 150.00}", "amount: {A: 100,00, B: 150,00}")
    assert [(p.code, pos(p), p.message) for p in load(text)] == [
        ("C106", at(text, "100,00"), "components.0.amount.A: 100,00 has a decimal comma, "
         "which YAML reads as two entries; write 100.00"),
        ("C106", at(text, "150,00"), "components.0.amount.B: 150,00 has a decimal comma, "
         "which YAML reads as two entries; write 150.00")]


def test_a_key_of_digits_in_a_block_is_no_decimal_comma() -> None:
    """``B: 150`` then a key ``12:`` with no value, in a block (no comma anywhere): not told
    as a number split by a decimal comma; the stray key is told as what it is."""
    text = VALID.replace("amount: {A: 100.00, B: 150.00}",
                         "amount:\n      A: 100.00\n      B: 150.00\n      12:\n")
    found = load(text)
    assert found and not any("decimal comma" in p.message for p in found), found


@pytest.mark.parametrize(("written", "advice"), [
    ("1 200.00", ": write it without spaces, 1200.00 (or 1_200.00)"),
    ("1 200,00", ": it has a decimal comma; write 1200.00"),
    ("12 00.00", ""),  # not thousands grouped: no guess
    ("1 200.005", ""),  # nothing advised that would itself be refused
    # digits that look personal are never written back without their spaces
    ("010190 1234", ""),
])
def test_an_amount_with_spaces_between_its_digits_says_how_to_write_it(
        written: str, advice: str) -> None:
    text = VALID.replace("amount: {A: 100.00, B: 150.00}", f"amount: {{A: '{written}', "
                                                           "B: 150.00}")
    p = single(text)
    shown = (f"'{written}'" if written != "010190 1234" else
             "a value that looks like a personal identity code (not shown)")
    assert p.message == (f"components.0.amount.A: {shown} is not a money amount written "
                         f"like 12 or 1234.50{advice}")
    assert "0101901234" not in p.message


def test_a_vat_rate_with_a_decimal_comma_is_advised_as_a_fraction() -> None:
    text = VALID.replace("  valid_from:", "  vat_rate: '0,255'\n  valid_from:")
    p = single(text)
    assert p.message.endswith(": it has a decimal comma; write 0.255"), p.message


def test_a_long_line_with_keys_of_digits_is_read_at_once() -> None:
    """A label of 50,000 characters before two keys ``5``: the split-number search looks at
    the line's tail only (it took time growing with the square of the line's length)."""
    text = VALID.replace("amount: {A: 100.00, B: 150.00}",
                         "amount: {A: 100.00, B: 150.00}, label: {k: " + "a" * 50_000
                         + ", 5: 1, 5: 2}")
    assert "Y005" in [p.code for p in load(text)]


def test_c106_a_plain_amount_with_a_decimal_comma_is_shown_with_a_point() -> None:
    text = comp("""\
        - id: coaching
          kind: hourly_fee
          rate: 45,50
        """)
    p = single(text)
    assert (p.code, p.message) == ("C106", "components.1.rate: '45,50' is not a money "
                                   "amount written like 12 or 1234.50: it has a decimal "
                                   "comma; write 45.50")


def test_c110_days_without_values_are_shown_the_dated_form() -> None:
    text = VALID.replace("  valid_from:", "  vat_rate: {2013-01-01: 0.24, 2024-09-01: 0.255}\n"
                         "  valid_from:")
    p = single(text)
    assert (p.code, p.message) == (
        "C110", "metadata.vat_rate: expected a scalar or a dated value, got a mapping; a "
        "value that changes on dates is written {values: {2013-01-01: 0.24, 2024-09-01: "
        "0.255}}")


def test_c106_fraction_out_of_range() -> None:
    text = VALID.replace("  valid_from:", "  vat_rate: 24\n  valid_from:")
    p = single(text)
    assert (p.code, pos(p)) == ("C106", at(text, "24\n"))
    assert p.message == "metadata.vat_rate: 24 is not between 0 and 1 (24 % is 0.24)"


def test_c106_negative_quantity() -> None:
    text = comp("""\
        - id: coaching
          kind: hourly_fee
          rate: 45.00
          max_hours: -3
        """)
    p = single(text)
    assert (p.code, pos(p), p.message) == ("C106", at(text, "-3\n"),
                                           "components.1.max_hours: -3 is negative")


@pytest.mark.parametrize(("written", "message"), [
    ("2021-02-30", "'2021-02-30' is not a real date (day is out of range for month)"),
    ("30.1.2021", "'30.1.2021' is not a date written YYYY-MM-DD"),
    ("1609459200", "'1609459200' is not a date written YYYY-MM-DD"),
    ("2021-12-31T10:00:00", "'2021-12-31T10:00:00' is not a date written YYYY-MM-DD"),
    ("9999-12-31", "'9999-12-31' is outside the years 1900 to 2199"),
    ("0202-12-31", "'0202-12-31' is outside the years 1900 to 2199"),
])
def test_c107_bad_dates(written: str, message: str) -> None:
    text = VALID.replace("valid_until: 2021-12-31", f"valid_until: {written}")
    p = single(text)
    assert (p.code, pos(p)) == ("C107", at(text, written))
    assert p.message == f"metadata.valid_until: {message}"


@pytest.mark.parametrize(("written", "message"), [
    ("12 monts", "'12 monts' is not a duration like '90 days', '13 weeks' or '12 months'"),
    ("12", "'12' is not a duration like '90 days', '13 weeks' or '12 months'"),
    ("-3 months", "'-3 months' is not a duration like '90 days', '13 weeks' or '12 months'"),
    ("1.5 months", "'1.5 months' is not a duration like '90 days', '13 weeks' or '12 months'"),
    # a procurement trial's '6 Months': the unit's capitals are what is wrong
    ("12 Months", "'12 Months' is not a duration like '90 days', '13 weeks' or '12 months' "
                  "(units are written in lower case)"),
    ("1201 months", "'1201 months' is longer than 100 years"),
    ("36601 days", "'36601 days' is longer than 100 years"),
])
def test_c108_bad_durations(written: str, message: str) -> None:
    text = VALID.replace("max_length: 12 months", f"max_length: {written}")
    p = single(text)
    assert (p.code, pos(p)) == ("C108", at(text, written + "\n"))
    assert p.message == f"windows.service.max_length: {message}"


def test_c108_duration_that_is_a_list() -> None:
    text = VALID.replace("follow_up: 6 months", "follow_up: [6, months]")
    p = single(text)
    assert (p.code, pos(p)) == ("C108", at(text, "[6, months]"))
    assert p.message == ("windows.follow_up: a duration is written like '90 days', '13 weeks' "
                         "or '12 months'")


def test_longest_durations_allowed() -> None:
    text = VALID.replace("follow_up: 6 months", "follow_up: 1200 months")
    loaded, problems = load_contract_text(text, "contract.yaml")
    assert loaded is not None and problems == []


def test_c110_list_expected() -> None:
    text = VALID.replace("  providers:\n    - {id: acme, name: Acme Oy}\n", "  providers: acme\n")
    p = single(text)
    assert (p.code, pos(p), p.message) == ("C110", at(text, "acme"),
                                           "metadata.providers: expected a list")


def test_c110_price_of_the_wrong_shape() -> None:
    text = VALID.replace("{A: 100.00, B: 150.00}", "[100.00, 150.00]")
    p = single(text)
    assert (p.code, pos(p)) == ("C110", at(text, "[100.00"))
    assert p.message == ("components.0.amount: expected a scalar or a dated value or a mapping, "
                         "got a list")


def test_c110_value_not_among_choices() -> None:
    text = VALID.replace("event: service_start", "event: servicestart")
    p = single(text)
    assert (p.code, pos(p)) == ("C110", at(text, "servicestart"))
    assert p.message == ("components.0.event: 'servicestart' is not one of 'referral', "
                         "'service_start', 'service_end', 'hours', 'contact', 'employment', "
                         "'education', 'benefit', 'survey', 'expense' or 'earnings'")


def test_c110_bad_identifier() -> None:
    text = VALID.replace("id: start_fee", "id: 1st fee")
    p = single(text)
    assert (p.code, pos(p)) == ("C110", at(text, "1st fee"))
    assert p.message == ("components.0.id: '1st fee' may hold only letters, digits, '_', '.' "
                         "and '-', starting with a letter")


def test_c110_integer_expected() -> None:
    text = VALID.replace("amount: {A: 100.00, B: 150.00}",
                         "amount: {A: 100.00, B: 150.00}, per: each, max_count: two")
    p = single(text)
    assert (p.code, pos(p)) == ("C110", at(text, "two"))
    assert p.message == "components.0.max_count: 'two' is not a whole number"


@pytest.mark.parametrize("written", ["1_0", "1.0", "1e1", "\u0663"])
def test_c110_whole_numbers_are_written_plainly(written: str) -> None:
    # a typo must not become another count (1_0 as 10)
    text = VALID.replace("amount: {A: 100.00, B: 150.00}",
                         f"amount: {{A: 100.00, B: 150.00}}, per: each, max_count: {written}")
    p = single(text)
    assert (p.code, p.message) == (
        "C110", f"components.0.max_count: '{written}' is not a whole number")


def test_c110_integer_out_of_range() -> None:
    text = VALID.replace("      distance: 1\n", "      distance: -1\n")
    p = single(text)
    assert (p.code, pos(p)) == ("C110", at(text, "-1\n"))
    assert p.message == "segments.tiers.1.distance: '-1' is below the smallest allowed, 0"


def test_c110_empty_component_list() -> None:
    text = HEAD.replace("components:\n", "components: []\n")
    p = single(text)
    assert (p.code, pos(p)) == ("C110", at(text, "[]"))
    assert p.message == "components: needs at least 1 item"


def test_c110_boolean_expected() -> None:
    text = VALID.replace("  valid_from:", "  illustrative: maybe\n  valid_from:")
    p = single(text)
    assert (p.code, pos(p)) == ("C110", at(text, "maybe"))
    assert p.message == "metadata.illustrative: 'maybe' is not true or false"


# --- C2xx: cross-checks -----------------------------------------------------------------------

def test_c201_duplicate_component_id() -> None:
    text = VALID + "  - {id: start_fee, kind: event_fee, event: referral, amount: 10}\n"
    p = single(text)
    assert (p.code, pos(p)) == ("C201", at(text, "start_fee, kind: event_fee, event: referral"))
    assert p.message == "duplicate component id 'start_fee'"


def test_c202_price_key_that_is_no_segment_points_at_the_key() -> None:
    text = VALID.replace("B: 150.00", "B: 150.00, C: 200.00")
    p = single(text)
    assert (p.code, pos(p)) == ("C202", at(text, "C: 200"))
    assert p.message == ("components.0.amount: 'C' is neither a segment (A, B) nor an evidence "
                         "level")


def test_c202_unknown_segment_in_applies_list() -> None:
    text = VALID + "  - {id: x, kind: event_fee, event: referral, amount: 1, segments: [A, Z]}\n"
    p = single(text)
    assert (p.code, pos(p), p.message) == ("C202", at(text, "Z]"),
                                           "unknown segment 'Z'; the segments are A, B")
    # a segment written close to one (a procurement trial's long_term for long)
    near = VALID.replace("id: B", "id: long") + ("  - {id: x, kind: event_fee, event: "
                                                  "referral, amount: 1, segments: [A, Long]}\n")
    assert [p.message for p in load(near) if p.code == "C202"][-1] == (
        "unknown segment 'Long' (did you mean 'long'?); the segments are A, long")


def test_c202_evidence_prices_only_for_employment_fees() -> None:
    text = VALID + "  - {id: x, kind: event_fee, event: referral, amount: {register: 5}}\n"
    p = single(text)
    assert (p.code, pos(p)) == ("C202", at(text, "{register: 5}"))
    assert p.message == ("components.1.amount: prices by evidence level only apply to "
                         "employment-based fees")


def test_c202_segments_and_evidence_mixed() -> None:
    text = comp("""\
        - id: job
          kind: employment_outcome
          min_duration: 90 days
          amount: {A: 750, B: 900, register: 800}
        """)
    p = single(text)
    assert (p.code, pos(p)) == ("C202", at(text, "{A: 750"))
    assert p.message == ("components.1.amount mixes segment and evidence keys; nest evidence "
                         "levels under each segment")


def test_c202_unknown_evidence_level_points_at_the_key() -> None:
    text = comp("""\
        - id: job
          kind: employment_outcome
          min_duration: 90 days
          amount:
            A: {register: 750, self_reported: 190}
            B: 900
        """)
    p = single(text)
    assert (p.code, pos(p)) == ("C202", at(text, "self_reported"))
    assert p.message == ("components.1.amount.A: 'self_reported' is not an evidence level "
                         "(register, te_office, employer, self_report) (did you mean "
                         "'self_report'?)")


def test_c202_a_segment_written_close_to_one_is_named() -> None:
    text = VALID.replace("amount: {A: 100.00, B: 150.00}", "amount: {A: 100.00, b: 150.00}")
    messages = [p.message for p in load(text) if p.code == "C202"]
    assert messages == ["components.0.amount: 'b' is neither a segment (A, B) nor an evidence "
                        "level (did you mean 'B'?)"]
    # a name written already is not the one meant: AB beside B is A
    text = VALID.replace("amount: {A: 100.00, B: 150.00}", "amount: {AB: 100.00, B: 150.00}")
    assert [p.message for p in load(text) if p.code == "C202"] == [
        "components.0.amount: 'AB' is neither a segment (A, B) nor an evidence level (did you "
        "mean 'A'?)"]


def test_c202_evidence_table_only_under_a_segment() -> None:
    text = comp("""\
        - id: job
          kind: employment_outcome
          min_duration: 90 days
          amount: {A: 1, B: 2, C: {register: 3}}
        """)
    problems = load(text)
    # a name of no dimension is said once: that a segment may hold a table (a misspelt
    # segment's) was said beside it, and misled
    assert [(p.code, pos(p), p.message) for p in problems] == [
        ("C202", at(text, "C: {"),
         "components.1.amount: 'C' is neither a segment (A, B) nor an evidence level"),
    ]
    # an evidence level holding a table is still told
    text = comp("""\
        - id: job
          kind: employment_outcome
          min_duration: 90 days
          amount: {A: 1, B: {register: 2}, register: {A: 3}}
        """)
    assert "components.1.amount.register: an evidence level holds one amount, not a table" \
        in [p.message for p in load(text) if p.code == "C202"]


def test_c203_segment_without_a_price() -> None:
    text = VALID.replace("{A: 100.00, B: 150.00}", "{A: 100.00}")
    p = single(text)
    assert (p.code, pos(p)) == ("C203", at(text, "{A: 100.00}"))
    assert p.message == "components.0.amount has no price for segment(s) B"


def test_c203_not_raised_for_segments_the_fee_does_not_apply_to() -> None:
    text = VALID.replace("{A: 100.00, B: 150.00}", "{A: 100.00}, segments: [A]")
    loaded, problems = load_contract_text(text, "contract.yaml")
    assert loaded is not None and problems == []


def test_c203_per_customer_cap() -> None:
    text = VALID + "caps:\n  per_customer: {B: 3000}\n"
    p = single(text)
    assert (p.code, pos(p), p.message) == ("C203", at(text, "{B: 3000}"),
                                           "caps.per_customer has no price for segment(s) A")


def test_c204_phase_longer_than_the_service() -> None:
    text = comp("""\
        - id: coaching
          kind: hourly_fee
          rate: 45.00
          phase: {until: 13 months}
        """)
    p = single(text)
    assert (p.code, pos(p)) == ("C204", at(text, "13 months"))
    assert p.message == ("phase ends 13 months after the service start, later than the "
                         "service's maximum length of 12 months")


def test_c204_phase_longer_in_days_than_any_12_months() -> None:
    text = VALID + "  - {id: coaching, kind: hourly_fee, rate: 45, phase: {until: 367 days}}\n"
    p = single(text)
    assert (p.code, pos(p)) == ("C204", at(text, "367 days"))
    assert p.message == ("phase ends 367 days after the service start, later than the "
                         "service's maximum length of 12 months")


def test_c204_366_days_may_fit_12_months() -> None:
    text = VALID + "  - {id: coaching, kind: hourly_fee, rate: 45, phase: {until: 366 days}}\n"
    loaded, problems = load_contract_text(text, "contract.yaml")
    assert loaded is not None and problems == []


def test_c204_phase_ends_before_it_starts() -> None:
    text = VALID + ("  - {id: monthly, kind: monthly_fee, amount: 300, "
                    "phase: {from: 3 months, until: 3 months}}\n")
    p = single(text)
    assert (p.code, pos(p), p.message) == ("C204", at(text, "3 months}}"),
                                           "phase starts at 3 months but ends at 3 months")


def test_c204_phase_in_mixed_units_that_is_always_empty() -> None:
    text = VALID + ("  - {id: monthly, kind: monthly_fee, amount: 300, "
                    "phase: {from: 2 months, until: 40 days}}\n")
    p = single(text)
    assert (p.code, pos(p), p.message) == ("C204", at(text, "40 days"),
                                           "phase starts at 2 months but ends at 40 days")


def test_c204_phase_in_mixed_units_that_may_be_empty_is_accepted() -> None:
    # 30 days .. 1 month is empty for a start in February and one day long otherwise
    text = VALID + ("  - {id: monthly, kind: monthly_fee, amount: 300, "
                    "phase: {from: 30 days, until: 1 month}}\n")
    loaded, problems = load_contract_text(text, "contract.yaml")
    assert loaded is not None and problems == []


def test_c205_contract_ends_before_it_starts() -> None:
    text = VALID.replace("valid_until: 2021-12-31", "valid_until: 2019-12-31")
    p = single(text)
    assert (p.code, pos(p)) == ("C205", at(text, "2019-12-31"))
    assert p.message == "valid_until 2019-12-31 is before valid_from 2020-01-01"


def test_c205_windows_out_of_order() -> None:
    text = VALID.replace("  follow_up: 6 months\n", "  follow_up: 6 months\n"
                         "  referrals_until: 2019-06-30\n  outcomes_until: 2019-05-31\n")
    problems = load(text)
    assert [(p.code, pos(p), p.message) for p in problems] == [
        ("C205", at(text, "2019-06-30"),
         "windows.referrals_until 2019-06-30 is before the contract's valid_from 2020-01-01"),
        ("C205", at(text, "2019-05-31"),
         "windows.outcomes_until 2019-05-31 is before referrals_until 2019-06-30"),
        ("C205", at(text, "2019-05-31"),
         "windows.outcomes_until 2019-05-31 is before the contract's valid_from 2020-01-01"),
    ]


@pytest.mark.parametrize(("last", "refused"), [("2021-12-30", False), ("2021-12-31", False),
                                               ("2022-01-01", True)])
def test_c205_referrals_after_the_contract_ends(last: str, refused: bool) -> None:
    """A referral window past valid_until was taken without a word (a user trial)."""
    text = VALID.replace("  follow_up: 6 months\n",
                         f"  follow_up: 6 months\n  referrals_until: {last}\n")
    loaded, problems = load_contract_text(text, "contract.yaml")
    if not refused:
        assert loaded is not None, [str(p) for p in problems]
        return
    (p,) = load(text)
    assert (p.code, pos(p), p.message) == (
        "C205", at(text, last), f"windows.referrals_until {last} is after the contract's "
        "valid_until 2021-12-31: no customer is referred after the contract ends")


def test_c205_capacity_fee_until_before_from() -> None:
    text = VALID + ("  - {id: staff, kind: capacity_fee, amount: 5000, from: 2020-06-01, "
                    "until: 2020-05-31}\n")
    p = single(text)
    assert (p.code, pos(p), p.message) == ("C205", at(text, "2020-05-31"),
                                           "until 2020-05-31 is before from 2020-06-01")


SEGMENT_TAIL = VALID[VALID.index("windows:"):]
SEGMENT_HEAD = VALID[:VALID.index("segments:")]


def segments(body: str) -> str:
    return SEGMENT_HEAD + "segments:\n" + textwrap.indent(textwrap.dedent(body), "  ") + \
        SEGMENT_TAIL


def test_c206_overlap_names_a_customer_in_both() -> None:
    text = segments("""\
        tiers:
          - id: A
            distance: 0
            when: {unemployment_months: {max: 12}}
          - id: B
            distance: 1
            when: {unemployment_months: {min: 6}}
        """)
    p = single(text)
    assert (p.code, pos(p)) == ("C206", at(text, "- id: A"))
    assert p.message == ("segments A, B overlap: a customer with unemployment_months=6 falls "
                         "in all of them (narrow a range, or set policy: first_match)")


def test_c206_first_match_accepts_overlaps() -> None:
    text = segments("""\
        policy: first_match
        tiers:
          - id: A
            distance: 0
            when: {unemployment_months: {max: 12}}
          - id: B
            distance: 1
            when: {unemployment_months: {min: 6}}
        """)
    loaded, problems = load_contract_text(text, "contract.yaml")
    assert loaded is not None and problems == []


def test_c207_gap_names_a_customer_in_none() -> None:
    text = segments("""\
        tiers:
          - id: A
            distance: 0
            when: {unemployment_months: {max: 6}}
          - id: B
            distance: 1
            when: {unemployment_months: {min: 12}}
        """)
    p = single(text)
    assert (p.code, pos(p)) == ("C207", at(text, "- id: A"))
    assert p.message == ("segments leave a gap: a customer with unemployment_months=6 falls in "
                         "no segment (add a tier, or widen a range)")


def test_c207_gap_over_two_attributes() -> None:
    text = segments("""\
        tiers:
          - id: A
            distance: 0
            when: {age: {max: 30}, partial_work_ability: true}
          - id: B
            distance: 1
            when: {age: {min: 30}}
        """)
    p = single(text)
    assert (p.code, p.message) == (
        "C207", "segments leave a gap: a customer with age=0, partial_work_ability=false "
        "falls in no segment (add a tier, or widen a range)")


def _two_tiers(short: str, long: str) -> str:
    """VALID with two segments, A of the rules ``short`` and B of ``long``."""
    return segments(f"""\
        tiers:
          - id: A
            distance: 0
            when: {{{short}}}
          - id: B
            distance: 1
            when: {{{long}}}
        """)


def _linked(short: str, long: str) -> list[tuple[str, str]]:
    """The coverage problems of two tiers whose rules measure one referral field in two
    attributes (months and a duration of unemployment, an age and a birth date)."""
    _, problems = load_contract_text(_two_tiers(short, long), "contract.yaml")
    return [(p.code, p.message) for p in problems]


def test_attributes_measured_from_one_date_are_checked_together() -> None:
    """``unemployment_months`` under 12 and ``unemployed`` at least 12 months are measured
    from one date, unemployed_since: no customer is in both or in neither (the check laid
    them out as two independent attributes and told of a customer of 12 months' duration
    and 0 whole months). One day short of, and exactly at, the bound are each in one."""
    assert _linked("unemployment_months: {max: 12}",
                   "unemployed: {at_least: 12 months}") == []
    # a month is 28 to 31 days: 29 days before 15 March 2021 is a whole month, 30 days
    # before 15 June is not (the check measures on referral dates after months of each length)
    assert _linked("unemployment_days: {less_than: 30}", "unemployment_months: {min: 1}") \
        == [("C206", "segments A, B overlap: a customer with referral_date=2021-03-15, "
                     "unemployment_days=29, unemployment_months=1 falls in all of them (narrow "
                     "a range, or set policy: first_match)"),
            ("C207", "segments leave a gap: a customer with referral_date=2021-06-15, "
                     "unemployment_days=30, unemployment_months=0 falls in no segment (add a "
                     "tier, or widen a range)")]
    assert _linked("unemployment_months: {at_most: 12}", "unemployed: {at_least: 12 months}") \
        == [("C206", "segments A, B overlap: a customer with referral_date=2021-06-15, "
                     "unemployed from 2020-06-14 to a referral on 2021-06-15, "
                     "unemployment_months=12 falls in all of them (narrow a range, or set "
                     "policy: first_match)")]
    # 365 days is not 12 months before a referral on 15 March 2020 (a leap year before it)
    assert _linked("unemployment_days: {less_than: 365}",
                   "unemployment_months: {at_least: 12}") == [
        ("C207", "segments leave a gap: a customer with referral_date=2020-03-15, "
                 "unemployment_days=365, unemployment_months=11 falls in no segment (add a "
                 "tier, or widen a range)")]
    # one duration in days and in months: the same
    assert [c for c, _ in _linked("unemployed: {less_than: 365 days}",
                                  "unemployed: {at_least: 12 months}")] == ["C207"]


def test_a_field_s_date_beside_what_is_measured_from_it_is_checked_on_any_referral_date(
        ) -> None:
    """unemployed_since is a date whatever the referral's: beside whole months of
    unemployment it is an axis of its own, so the gap of a referral on another day is told
    (a customer unemployed since 2019-12-01 referred in March 2020 is in neither)."""
    codes = [c for c, _ in _linked("unemployed_since: {at_least: 2020-01-01}",
                                   "unemployment_months: {at_least: 12}")]
    assert codes == ["C206", "C207"]
    assert [c for c, _ in _linked("birth_date: {at_least: 1999-01-01}",
                                  "age: {at_least: 21}")] == ["C206", "C207"]


@pytest.mark.parametrize("rule", [
    "unemployment_months: {less_than: 10000000000000000000000000000000}",
    "unemployment_months: [nan, '1']",
    "unemployment_months: [Infinity]",
    "unemployment_months: ['1e999999']",
    "unemployment_days: {at_least: 0}, unemployment_months: {less_than: 12}",
])
def test_linked_attributes_with_huge_odd_or_zero_bounds_are_checked_without_failing(
        rule: str) -> None:
    """Bounds far beyond any calendar, values that are no numbers, a bound of 0: the check
    runs (no internal error) and tells no customer unemployed after their referral."""
    found = _linked(rule, "unemployed: {at_least: 2 months}")
    assert all(code in ("C206", "C207", "C110", "C106") for code, _ in found), found
    assert not any("unemployment_days=-" in message for _, message in found), found


def test_an_unknown_segment_attribute_is_told_alone_with_the_one_meant() -> None:
    """A misspelt attribute matches no customer: the gaps and overlaps it makes are not
    real, so they are not told (the check is skipped, P001), and the message names the
    attribute meant."""
    text = _two_tiers("unemployed_months: {less_than: 12}", "unemployed: {at_least: 12 months}")
    _, problems = load_contract_text(text, "contract.yaml")
    assert [(p.code, p.message) for p in problems if p.code != "P001"] == [
        ("C213", "unknown segment attribute 'unemployed_months'; did you mean "
                 "'unemployment_months'? use one of unemployment_days, unemployment_months, "
                 "unemployed, age, benefit_days, partial_work_ability, referral_date, "
                 "unemployed_since, birth_date or attr_<name>")]
    state = pipeline.load("contract.yaml", text=text)
    assert [p.message for p in state.skipped if "segment" in p.message] == [
        "whether every customer falls in exactly one segment not checked: a segment's rule "
        "names an unknown attribute"]


def test_c207_first_match_still_needs_no_gaps() -> None:
    text = segments("""\
        policy: first_match
        tiers:
          - id: A
            distance: 0
            when: {attr_group: [youth]}
          - id: B
            distance: 1
            when: {attr_group: [adult]}
        """)
    p = single(text)
    assert (p.code, pos(p)) == ("C207", at(text, "- id: A"))
    assert p.message == ("segments leave a gap: a customer with attr_group not listed falls "
                         "in no segment (add a tier, or widen a range)")


def test_c208_unknown_provider() -> None:
    text = VALID + "  - {id: staff, kind: capacity_fee, amount: 5000, provider: acne}\n"
    p = single(text)
    assert (p.code, pos(p), p.message) == ("C208", at(text, "acne"), "unknown provider 'acne'")


def test_c208_capacity_fee_must_name_one_of_several_providers() -> None:
    text = VALID.replace("    - {id: acme, name: Acme Oy}\n",
                         "    - {id: acme, name: Acme Oy}\n    - {id: beta, name: Beta Oy}\n")
    text += "  - {id: staff, kind: capacity_fee, amount: 5000}\n"
    p = single(text)
    assert (p.code, pos(p)) == ("C208", at(text, "{id: staff"))
    assert p.message == "a capacity fee must name its provider when the contract has several"


SURVEY = """\
- id: radar
  kind: survey_adjustment
  instrument: tyoelamatutka
  mode: multiplier
  applies_to: [start_fee, nothing, radar]
  bands:
    - {min_score: 0, factor: 1}
    - {min_score: 3, factor: 1.1}
"""


def test_c209_survey_adjustment_targets() -> None:
    text = comp(SURVEY)
    problems = load(text)
    assert [(p.code, pos(p), p.message) for p in problems] == [
        ("C209", at(text, "nothing"), "unknown component 'nothing'"),
        ("C209", at(text, "radar]"), "a survey adjustment cannot apply to itself"),
    ]


def test_c210_milestones_out_of_order() -> None:
    text = comp("""\
        - id: steps
          kind: milestones
          steps:
            - {after: 13 weeks, amount: 300}
            - {after: 3 months, amount: 500}
        """)
    p = single(text)
    # 3 months may be as short as 84 days (Feb-Apr): not certainly after 13 weeks (91 days)
    assert (p.code, pos(p)) == ("C210", at(text, "3 months"))
    assert p.message == "milestone 2 (3 months) is not after milestone 1 (13 weeks)"


def test_c210_bands_not_increasing() -> None:
    text = comp(SURVEY.replace("[start_fee, nothing, radar]", "[start_fee]")
                .replace("min_score: 3", "min_score: 0"))
    p = single(text)
    assert (p.code, pos(p)) == ("C210", at(text, "0, factor: 1.1"))
    assert p.message == "bands must be in increasing min_score"


@pytest.mark.parametrize(("body", "needle", "code", "message"), [
    ("""\
     - id: job
       kind: employment_outcome
       min_duration: 90 days
       amount: 750
       work: {kinds: {}}
     """, "{}}", "C211", "no employment kind counts (work.kinds is empty)"),
    ("""\
     - id: toe
       kind: employment_condition
       unit: weeks
       required: 26
       reference_period: 28 months
       amount: 1500
     """, "id: toe", "C217", "unit: weeks needs min_hours_per_week"),
    ("""\
     - id: toe
       kind: employment_condition
       unit: months
       required: 6
       reference_period: 28 months
       amount: 1500
     """, "id: toe", "C217", "unit: months needs min_monthly_wage"),
    ("""\
     - id: toe
       kind: employment_condition
       unit: weeks
       min_hours_per_week: 18
       min_monthly_wage: 930
       required: 26
       reference_period: 28 months
       amount: 1500
     """, "930", "C218", "min_monthly_wage applies to unit: months"),
    ("""\
     - id: toe
       kind: employment_condition
       unit: months
       min_monthly_wage: 930
       min_hours_per_week: 18
       required: 6
       reference_period: 28 months
       amount: 1500
     """, "18\n", "C218", "min_hours_per_week applies to unit: weeks"),
    ("""\
     - id: steps
       kind: milestones
       steps: [{after: 4 weeks, amount: 100}]
       benefit_test: {baseline: 12 months, partial_share: 0.5}
     """, "{baseline", "C217",
     "benefit_test needs both partial_fall and partial_share, or neither"),
    ("""\
     - id: steps
       kind: milestones
       steps: [{after: 4 weeks, amount: 100}]
       benefit_test: {baseline: 12 months, full_fall: 0.6, partial_fall: 0.6, partial_share: 0.5}
     """, "0.6, partial_share", "C219", "benefit_test.partial_fall must be below full_fall"),
    ("""\
     - id: fall
       kind: benefit_reduction
       measure: days
       baseline: 12 months
       full: {min_fall: 0.5, amount: 1000}
       partial: {min_fall: 0.5, amount: 400}
     """, "0.5, amount: 400", "C219", "partial.min_fall must be below full.min_fall"),
    ("""\
     - id: radar
       kind: survey_adjustment
       instrument: tyoelamatutka
       mode: multiplier
       bands: [{min_score: 0, factor: 1.2}]
     """, "id: radar", "C217", "mode: multiplier needs applies_to"),
    ("""\
     - id: radar
       kind: survey_adjustment
       instrument: tyoelamatutka
       applies_to: [start_fee]
       bands: [{min_score: 0, amount: 50}]
     """, "[start_fee]", "C218", "applies_to is only for mode: multiplier"),
    ("""\
     - id: radar
       kind: survey_adjustment
       instrument: tyoelamatutka
       bands: [{min_score: 0, factor: 1.2, amount: 10}]
     """, "1.2", "C218", "a bonus band has an amount, not a factor"),
    ("""\
     - id: radar
       kind: survey_adjustment
       instrument: tyoelamatutka
       bands: [{min_score: 0}]
     """, "{min_score", "C217", "a bonus band needs an amount"),
    ("""\
     - id: radar
       kind: survey_adjustment
       instrument: tyoelamatutka
       mode: multiplier
       applies_to: [start_fee]
       bands: [{min_score: 0, factor: 1.2, amount: 10}]
     """, "10}", "C218", "a multiplier band has a factor, not an amount"),
    ("""\
     - id: radar
       kind: survey_adjustment
       instrument: tyoelamatutka
       mode: multiplier
       applies_to: [start_fee]
       bands: [{min_score: 0}]
     """, "{min_score", "C217", "a multiplier band needs a factor"),
])
def test_c211_c217_c218_c219_settings(body: str, needle: str, code: str, message: str
                                      ) -> None:
    """C211 a value the engine cannot count with, C217 a key that needs another, C218 keys
    that contradict each other, C219 thresholds in the wrong order: each means one thing."""
    text = comp(body)
    p = single(text)
    assert (p.code, pos(p), p.message) == (code, at(text, needle), message)


def test_c212_duplicate_provider_id() -> None:
    text = VALID.replace("    - {id: acme, name: Acme Oy}\n",
                         "    - {id: acme, name: Acme Oy}\n    - {id: acme, name: Acme Two}\n")
    p = single(text)
    assert (p.code, pos(p)) == ("C212", (at(text, "Acme Two")[0], 12))
    assert p.message == "duplicate provider id 'acme'"


def test_c212_duplicate_segment_id() -> None:
    text = VALID.replace("    - id: B\n", "    - id: A\n").replace("{A: 100.00, B: 150.00}", "100")
    p = single(text)
    assert (p.code, pos(p)) == ("C212", (at(text, "min: 12")[0] - 2, 11))
    assert p.message == "duplicate segment id 'A'"


def test_c213_unknown_segment_attribute_points_at_the_key() -> None:
    text = VALID.replace("when: {unemployment_months: {max: 12}}",
                         "when: {unemployed_months: {max: 12}}")
    problems = load(text)
    # the gaps and overlaps of an attribute no customer has are not real: not told
    assert [p.code for p in problems] == ["C213"]
    p = problems[0]
    assert (p.code, pos(p)) == ("C213", at(text, "unemployed_months"))
    assert p.message == (
        "unknown segment attribute 'unemployed_months'; did you mean 'unemployment_months'? "
        "use one of unemployment_days, unemployment_months, unemployed, age, benefit_days, "
        "partial_work_ability, referral_date, unemployed_since, birth_date or attr_<name>")


def test_c213_attribute_used_as_range_and_as_list() -> None:
    text = segments("""\
        tiers:
          - id: A
            distance: 0
            when: {age: {max: 30}}
          - id: B
            distance: 1
            when: {age: ["30+"]}
        """)
    p = single(text)
    assert (p.code, pos(p)) == ("C213", at(text, "- id: A"))
    assert p.message == ("segment attribute 'age' is used both as a range and as a value list "
                         "or true/false")


def test_c214_rules_with_segments_from_the_referral() -> None:
    text = segments("""\
        source: referral
        tiers:
          - id: A
            distance: 0
            when: {age: {max: 30}}
          - id: B
            distance: 1
        """)
    p = single(text)
    assert (p.code, pos(p)) == ("C214", at(text, "{age"))
    assert p.message == ("segment 'A' has rules, but segments come from the referral "
                         "(source: referral)")


def test_c215_coverage_too_large_to_check_is_a_warning() -> None:
    tiers = "".join(
        f"  - id: T{i}\n    distance: 0\n    when: {{age: {{min: {i}, max: {i + 1}}}, "
        f"benefit_days: {{min: {i}, max: {i + 1}}}, unemployment_days: {{min: {i}, "
        f"max: {i + 1}}}}}\n" for i in range(40))
    text = segments("policy: first_match\ntiers:\n" + tiers)
    text = text.replace("{A: 100.00, B: 150.00}", "100.00")
    # too many combinations are not tried: the check says so instead (bounded work)
    loaded, problems = load_contract_text(text, "contract.yaml")
    assert loaded is not None
    assert [(p.code, p.severity, pos(p)) for p in problems] == [
        ("C215", Severity.WARNING, at(text, "- id: T0\n"))]
    line, col = at(text, "- id: T0\n")
    assert str(problems[0]) == (
        f"contract.yaml:{line}:{col}: C215 warning: segments combine too many ranges and values "
        "to check that every customer falls in exactly one; check them by hand")


# --- everything at once -----------------------------------------------------------------------

def test_five_schema_errors_are_all_reported() -> None:
    text = (VALID.replace("  buyer: Uusimaa TE office\n", "")           # C101
            .replace("valid_until: 2021-12-31", "valid_until: 2021-13-01")  # C107
            .replace("  follow_up: 6 months\n", "  follow_up: 6 months\n  colour: red\n")  # C102
            .replace("B: 150.00", "B: 150.001")                        # C104
            + "  - {id: job, kind: employment_outcom, amount: 1}\n")   # C103
    problems = load(text)
    assert sorted((p.code, pos(p)) for p in problems) == sorted([
        ("C101", at(text, "id: pilot")),
        ("C107", at(text, "2021-13-01")),
        ("C102", at(text, "colour")),
        ("C104", at(text, "150.001")),
        ("C103", at(text, "employment_outcom,")),
    ])


def test_five_cross_check_errors_are_all_reported() -> None:
    text = (VALID.replace("valid_until: 2021-12-31", "valid_until: 2019-12-31")  # C205
            .replace("{A: 100.00, B: 150.00}", "{A: 100.00}")                  # C203
            .replace("when: {unemployment_months: {min: 12}}",
                     "when: {unemployment_months: {min: 13}}")                 # C207
            + "  - {id: start_fee, kind: capacity_fee, amount: 1, provider: acne}\n")  # C201 C208
    problems = load(text)
    assert [(p.code, pos(p)) for p in problems] == [
        ("C205", at(text, "2019-12-31")),
        ("C207", at(text, "- id: A")),
        ("C203", at(text, "{A: 100.00}")),
        ("C201", at(text, "start_fee, kind: capacity_fee")),
        ("C208", at(text, "acne")),
    ]  # in file order


def test_yaml_problems_come_with_schema_problems() -> None:
    text = VALID.replace("  follow_up: 6 months\n",
                         "  follow_up: 6 months\n  follow_up: 7 months\n  grace: soon\n")
    problems = load(text)
    assert [(p.code, pos(p)) for p in problems] == [
        ("Y005", (at(text, "7 months")[0], 3)),
        ("C108", at(text, "soon")),
    ]


def test_every_problem_renders_file_line_col_code() -> None:
    text = VALID.replace("B: 150.00", "B: -1")
    p = single(text)
    line, col = at(text, "-1}}")
    assert str(p) == (f"contract.yaml:{line}:{col}: C105 components.0.amount.B: "
                      "amount -1 is negative")
    assert p.to_dict() == {"code": "C105", "severity": "error",
                           "message": "components.0.amount.B: amount -1 is negative",
                           "file": "contract.yaml", "line": line, "col": col, "row": None}


def test_c216_event_fee_filter_on_a_field_the_event_does_not_have() -> None:
    text = comp("""\
        - id: session
          kind: event_fee
          event: hours
          per: each
          where: {activty: psychologist}
          amount: 80
        """)
    p = single(text)
    assert (p.code, pos(p)) == ("C216", at(text, "activty"))
    assert p.message.startswith("a hours row has no field 'activty'; it has activity, date, ")


@pytest.mark.parametrize("amount", ['"-' + "9" * 5000 + '"', "1." + "9" * 5000,
                                    "9" * 5000])
def test_a_number_of_thousands_of_digits_is_shown_cut(amount: str) -> None:
    text = VALID.replace("{A: 100.00, B: 150.00}", f"{{A: {amount}, B: 150.00}}")
    problems = load(text)
    assert problems and all(len(p.message) < 200 for p in problems), \
        [p.message[:80] for p in problems]
    assert any("(5,0" in p.message and "characters)" in p.message for p in problems)


@pytest.mark.parametrize(("body", "field"), [
    ("{id: r, kind: employment_outcome, min_duration: %s, amount: 100.00}", "min_duration"),
    ("{id: w, kind: work_history, count: [work], baseline: %s, rate: 10.00}", "baseline"),
    ("{id: w, kind: work_history, count: [work], baseline: 6 months, comparison: {length: %s},"
     " rate: 10.00}",
     "comparison.length"),
])
@pytest.mark.parametrize("length", ["0 days", "0 months", "1 day"])
def test_a_length_that_holds_no_day_is_refused(body: str, field: str, length: str) -> None:
    """``min_duration: 0 days`` paid on a job's first day and a baseline of 0 days compared
    empty periods; one day is the shortest length (a user trial)."""
    text = VALID + "  - " + body % length + "\n"
    loaded, problems = load_contract_text(text, "contract.yaml")
    if length == "1 day":
        assert loaded is not None, [str(p) for p in problems]
        return
    (p,) = [p for p in problems if p.code != "P001"]
    assert (p.code, p.message, pos(p)) == (
        "C110", f"components.1.{field}: {length} holds no day: a length here is at least "
                "1 day", at(text, length))


@pytest.mark.parametrize(("outcomes", "said"), [("2021-12-30", 2), ("2021-12-31", 1),
                                                ("2022-03-31", 1)])
def test_c205_a_referral_day_past_the_end_is_one_mistake_said_once(outcomes: str,
                                                                   said: int) -> None:
    """referrals_until after valid_until also put the (unedited) outcomes_until before it: a
    second C205 for one mistake. An outcomes_until before the contract's end is its own."""
    text = VALID.replace("  follow_up: 6 months\n", "  follow_up: 6 months\n  referrals_until: "
                         f"2022-06-30\n  outcomes_until: {outcomes}\n")
    found = [p for p in load(text) if p.code == "C205"]
    assert len(found) == said, [str(p) for p in found]
    assert found[0].message.startswith("windows.referrals_until 2022-06-30 is after the "
                                       "contract's valid_until 2021-12-31")


def test_a_key_written_in_the_wrong_mapping_says_where_it_belongs() -> None:
    """A procurement trial: `contract_total` pushed out of `caps:` and `min_duration`
    indented under `work:` were a bare unknown key, though `kinds` beside `work:` was told
    where it belongs."""
    top = VALID + "contract_total: 400000.00\n"
    (p,) = [p for p in load(top) if p.code == "C102"]
    assert p.message == "unknown key 'contract_total' (it belongs under 'caps:')"
    assert pos(p) == at(top, "contract_total")
    deep = comp("""
        - id: job
          kind: employment_outcome
          work:
            min_fte: 0.8
            min_duration: 90 days
          amount: 750.00
        """)
    found = {p.code: p.message for p in load(deep)}
    assert found == {"C101": "missing required key 'min_duration'",
                     "C102": "unknown key 'min_duration' (it belongs at the component's "
                             "level, not under 'work:')"}
    # a key no mapping takes has no such hint
    (p,) = [p for p in load(VALID + "ceiling: 1.00\n") if p.code == "C102"]
    assert "belongs" not in p.message
    # a key some list's items take is said to go in an item of it
    (p,) = [p for p in load(VALID + "reason: agreed\n") if p.code == "C102"]
    assert p.message == "unknown key 'reason' (it belongs in an item of 'accept:')"
    # a key the component already has, written again under work:, is no misplaced key
    again = deep.replace("\n    amount: 750.00", "\n    min_duration: 90 days\n"
                                                 "    amount: 750.00")
    assert again != deep
    assert [p.message for p in load(again) if p.code == "C102"] == [
        "unknown key 'min_duration'"]


@pytest.mark.parametrize(("text", "said"), [
    # a key indented by 3 where its neighbours are at 4 (a procurement trial)
    ("metadata:\n    id: x\n   title: y\n",
     "line 3 is indented by 3 spaces, which does not line up with the keys or list items it "
     "goes with: the keys of one mapping, and the '-' of one list's items, start in the same "
     "column (the parser: expected <block end>, but found '<block mapping start>')"),
    ("components:\n  - id: a\n    kind: x\n - id: b\n",
     "line 4 is indented by 1 space, which does not line up with the keys or list items it "
     "goes with: the keys of one mapping, and the '-' of one list's items, start in the same "
     "column (the parser: expected <block end>, but found '<block sequence start>')"),
    ("metadata:\n  id: x\n  - y\n",
     "line 3 starts a list item ('-') in the column of a mapping's keys: line its '-' up with "
     "the items of its list, or, for a key's list, write the items under 'key:', indented (the "
     "parser: expected <block end>, but found '-')"),
    # an over-indented item of a list: its '-' is in the column of the item's keys
    ("components:\n  - id: a\n    kind: x\n    - id: b\n",
     "line 4 starts a list item ('-') in the column of a mapping's keys: line its '-' up with "
     "the items of its list, or, for a key's list, write the items under 'key:', indented (the "
     "parser: expected <block end>, but found '-')"),
    ("metadata:\n  - x\n  id: 1\n",
     "line 3 is a key among the items of a list: begin it with '- ' as an item of its own, or "
     "indent it under an item as one of its keys (the parser: expected <block end>, but found "
     "'?')"),
])
def test_an_indentation_slip_is_said_in_words(text: str, said: str) -> None:
    """The parser's 'expected <block end>, but found ...' is told as what is wrong with the
    line's indentation, the parser's words kept after it."""
    (p,) = [p for p in load(text) if p.code == "Y001"]
    assert p.message == f"YAML syntax error: {said}"
    assert p.source.line == int(said.split()[1])
