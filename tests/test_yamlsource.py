"""YAML with line numbers: scalars stay the written text, positions map back to FILE:LINE:COL."""

from __future__ import annotations

from pathlib import Path

import pytest

from rewardengine import yamlsource
from rewardengine.errors import Source
from rewardengine.yamlsource import YamlDocument, decode_utf8, parse_yaml, read_bytes


def parse(text: str) -> YamlDocument:
    doc, problems = parse_yaml(text, "c.yaml")
    assert doc is not None and problems == [], problems
    return doc


def test_scalars_stay_the_written_text() -> None:
    doc = parse("a: 0.10\nb: 12345678901234567.89\nc: 012\nd: 1e3\ne: yes\nf: 2020-01-01\n"
                "g: '0.10'\nh: 1_000\ni: .inf\n")
    assert doc.data == {"a": "0.10", "b": "12345678901234567.89", "c": "012", "d": "1e3",
                        "e": "yes", "f": "2020-01-01", "g": "0.10", "h": "1_000", "i": ".inf"}


def test_nulls_become_none_but_quoted_null_is_text() -> None:
    doc = parse("a:\nb: ~\nc: null\nd: 'null'\ne: [~, x]\n")
    assert doc.data == {"a": None, "b": None, "c": None, "d": "null", "e": [None, "x"]}


def test_tags_are_not_constructed() -> None:
    doc = parse("a: !!python/object/apply:os.system [echo hi]\nb: !!binary aGk=\nc: !!int 7\n")
    assert doc.data == {"a": ["echo hi"], "b": "aGk=", "c": "7"}


def test_marks_of_values_and_keys() -> None:
    doc = parse("metadata:\n  id: x\n  providers:\n    - {id: acme, name: Acme}\n")
    assert doc.marks[()] == (1, 1)
    assert doc.marks[("metadata",)] == (2, 3)
    assert doc.marks[("metadata", "id")] == (2, 7)
    assert doc.marks[("metadata", "providers", 0)] == (4, 7)
    assert doc.marks[("metadata", "providers", 0, "name")] == (4, 24)
    assert doc.key_marks[("metadata", "providers", 0, "name")] == (4, 18)
    assert doc.key_marks[("metadata",)] == (1, 1)


def test_source_walks_up_to_the_nearest_recorded_parent() -> None:
    doc = parse("a:\n  b: 1\n")
    assert doc.source(("a", "b")) == Source("c.yaml", 2, 6)
    assert doc.source(("a", "missing", 3)) == Source("c.yaml", 2, 3)
    assert doc.source(("nothing",)) == Source("c.yaml", 1, 1)
    assert doc.key_source(("a", "b")) == Source("c.yaml", 2, 3)
    assert doc.key_source(("a", "zz")) == Source("c.yaml", 2, 3)  # falls back to the value


def test_resolve_loc_skips_union_tags_and_stops_at_missing_keys() -> None:
    doc = parse("components:\n  - {id: f, kind: event_fee, amount: {A: 1}}\n")
    assert doc.resolve_loc(("components", 0, "event_fee", "amount", "a mapping", "A")) == (
        "components", 0, "amount", "A")
    assert doc.resolve_loc(("components", 0, "event_fee", "event")) == ("components", 0)
    assert doc.resolve_loc(("components", 5, "x")) == ("components",)


def test_resolve_loc_kind_tag_even_when_a_key_has_that_name() -> None:
    doc = parse("components:\n  - {id: f, kind: event_fee, event_fee: 3}\n")
    # pydantic's loc for the stray key: (components, 0, <tag>, <key>)
    assert doc.resolve_loc(("components", 0, "event_fee", "event_fee")) == (
        "components", 0, "event_fee")
    assert doc.resolve_loc(("components", 0, "event_fee", "amount")) == ("components", 0)


def test_anchors_and_aliases_expand_with_the_anchor_position() -> None:
    doc = parse("a: &p {x: 1}\nb: *p\n")
    assert doc.data == {"a": {"x": "1"}, "b": {"x": "1"}}
    assert doc.marks[("b", "x")] == doc.marks[("a", "x")] == (1, 11)


def test_duplicate_keys_all_reported_first_value_kept() -> None:
    doc, problems = parse_yaml("a: 1\nb: 2\na: 3\nb:\n  c: 4\n", "c.yaml")
    assert doc is not None and doc.data == {"a": "1", "b": "2"}
    assert [str(p) for p in problems] == ["c.yaml:3:1: Y005 duplicate key 'a'",
                                          "c.yaml:4:1: Y005 duplicate key 'b'"]


def test_non_scalar_and_merge_keys() -> None:
    doc, problems = parse_yaml("? {a: 1}\n: x\nm: &m {k: 1}\nn:\n  <<: *m\n  j: 2\n", "c.yaml")
    assert doc is not None and doc.data == {"m": {"k": "1"}, "n": {"j": "2"}}
    assert [str(p) for p in problems] == [
        "c.yaml:1:3: Y004 a mapping key must be a plain word",
        "c.yaml:5:3: Y004 merge keys (<<) are not supported; write the keys out"]


def test_node_limit_boundary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlsource, "MAX_NODES", 12)
    # root mapping + key's list + 10 items = 12 nodes: at the limit
    doc, problems = parse_yaml("a: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n", "c.yaml")
    assert doc is not None and problems == []
    doc, problems = parse_yaml("a: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]\n", "c.yaml")
    assert doc is None
    assert [str(p) for p in problems] == [
        "c.yaml:1:1: Y006 the document expands to more than 12 nodes (aliases nested too deep?)"]


def test_alias_expansion_counts_every_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlsource, "MAX_NODES", 100)
    text = "a: &a [x, x, x, x, x, x, x, x, x]\nb: [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    doc, problems = parse_yaml(text, "c.yaml")
    assert doc is None and [p.code for p in problems] == ["Y006"]


def test_syntax_error_positions() -> None:
    _, problems = parse_yaml("a: [1, 2\nb: 3\n", "c.yaml")
    assert [str(p) for p in problems] == [
        "c.yaml:2:2: Y001 YAML syntax error: expected ',' or ']', but got ':' (while parsing "
        "a flow sequence that starts at line 1, column 4)"]
    # a key without its ':' is noticed on the next line; the key's own line is named
    _, problems = parse_yaml("a:\n  b 1\n  c: 2\n", "c.yaml")
    assert [str(p) for p in problems] == [
        "c.yaml:3:4: Y001 YAML syntax error: mapping values are not allowed here (line 2 has "
        "no ':': is one missing there?)"]
    _, problems = parse_yaml("a:\n  b 1\n\n  c: 2\n", "c.yaml")  # over a blank line
    assert problems[0].message.endswith("(line 2 has no ':': is one missing there?)")
    _, problems = parse_yaml("a:\n  b 1\n  c: [1]\n  d: {e: 2}\n", "c.yaml")
    assert problems[0].message.endswith("(line 2 has no ':': is one missing there?)")
    _, problems = parse_yaml("a:\n  b:\n    c\n  d: 1\n", "c.yaml")
    assert [p.code for p in problems] == []  # c is b's value: no problem at all
    _, problems = parse_yaml("a:\n  b: 1\n  c d\n  e: 2\n", "c.yaml")
    assert problems[0].message.endswith("(while scanning a simple key that starts at line 3, "
                                        "column 3)")
    _, problems = parse_yaml("a:\n  rate 60.00\n  phase: {until: 2 months}\n", "c.yaml")
    assert [str(p) for p in problems] == [
        "c.yaml:3:8: Y001 YAML syntax error: mapping values are not allowed here (line 2 has "
        "no ':': is one missing there?)"]
    # a parent key without its ':' (its children deeper) is named too
    _, problems = parse_yaml("windows:\n  service\n    starts_at: service_start\n", "c.yaml")
    assert problems[0].message.endswith("(line 2 has no ':': is one missing there?)")
    # a list item's first key without its ':'
    _, problems = parse_yaml("components:\n  - id a\n    kind: x\n", "c.yaml")
    assert problems[0].message.endswith("(line 2 has no ':': is one missing there?)")
    # a line that goes on with a value begun above is not blamed (the indent is the mistake)
    for text in ("metadata:\n  title: Pilot\n    second line\n    id: x\n", "a: x\n  y\n  b: 1\n"):
        _, problems = parse_yaml(text, "c.yaml")
        assert [p.code for p in problems] == ["Y001"] and "has no ':'" not in problems[0].message
    # a second ': ' on a line is that line's problem: the line before is not blamed
    _, problems = parse_yaml('a:\n  b: "long\n  text"\n  title: Pilot: phase 2\n', "c.yaml")
    assert [str(p) for p in problems] == [
        "c.yaml:4:15: Y001 YAML syntax error: mapping values are not allowed here"]
    # a block mapping "starts" at the top of the document: no line is named for it
    _, problems = parse_yaml("a:\n  b: 1\n   c: 2\n", "c.yaml")
    assert [p.code for p in problems] == ["Y001"] and "starts at" not in problems[0].message
    _, problems = parse_yaml("a:\n  b: 1\n c: 2\n", "c.yaml")
    assert [p.code for p in problems] == ["Y001"] and "starts at" not in problems[0].message
    # on one line, the position given is enough
    _, problems = parse_yaml("a: b: c\n", "c.yaml")
    assert [str(p) for p in problems] == [
        "c.yaml:1:5: Y001 YAML syntax error: mapping values are not allowed here"]
    _, problems = parse_yaml("a: 'unterminated\n", "c.yaml")
    assert [(p.code, p.source.line) for p in problems] == [("Y001", 2)]
    assert problems[0].message == ("YAML syntax error: found unexpected end of stream (while "
                                   "scanning a quoted scalar that starts at line 1, column 4)")


def test_reader_error_position_on_a_later_line() -> None:
    _, problems = parse_yaml("a: 1\nbb: x\x07y\n", "c.yaml")
    assert [str(p) for p in problems] == [
        "c.yaml:2:6: Y001 YAML syntax error: unacceptable character #x0007: special "
        "characters are not allowed"]


def test_read_bytes_limit(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_bytes(b"x" * 10)
    assert read_bytes(str(path), 10) == (b"x" * 10, None)
    raw, problem = read_bytes(str(path), 9)
    assert raw is None and problem is not None
    assert str(problem) == f"{path}: F002 file is larger than the limit of 9 bytes"
    raw, problem = read_bytes(str(tmp_path / "none.yaml"), 9)
    assert raw is None and problem is not None and problem.code == "F001"


def test_decode_utf8() -> None:
    assert decode_utf8(b"\xef\xbb\xbfa: \xc3\xa4\n", "f.yaml") == ("a: ä\n", None)
    text, problem = decode_utf8(b"a: 1\nb: \xe4\n", "f.yaml")
    assert text is None and problem is not None
    assert str(problem) == "f.yaml: F003 file is not UTF-8 (byte 8)"
