"""Every `components:` example in docs/contract-language.md loads on the document's head.

The document says its component examples fit the complete contract at its top; a
procurement officer's trial found three that did not (dated values that began years after
the head's valid_from: C220). An example of a later law says so in a comment before its
block (`<!-- head: valid_from YYYY-MM-DD -->`) and is loaded on the head moved to that day.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from rewardengine.pipeline import load_contract_text

DOC = Path(__file__).resolve().parent.parent / "docs" / "contract-language.md"
TEXT = DOC.read_text(encoding="utf-8")
BLOCKS = [(m.group("moved"), m.group("body"), TEXT[:m.start()].count("\n") + 1)
          for m in re.finditer(r"(?:<!-- head: valid_from (?P<moved>[0-9-]+) -->\n)?"
                               r"```yaml\n(?P<body>components:.*?)```", TEXT, re.S)]
FIRST = re.search(r"```yaml\n(.*?)```", TEXT, re.S)
assert FIRST is not None
HEAD = FIRST.group(1)[:FIRST.group(1).index("components:")]


def _head(moved: str | None) -> str:
    if moved is None:
        return HEAD
    start = date.fromisoformat(moved)
    # the contract in force from that day for two years; its referral and outcome days
    # (2020, 2021 in the head) would come before it
    head = re.sub(r"valid_from: \S+", f"valid_from: {start}", HEAD)
    head = re.sub(r"valid_until: \S+", f"valid_until: {start.replace(year=start.year + 2)}",
                  head)
    return re.sub(r"  (referrals_until|outcomes_until): \S+\n", "", head)


def test_the_document_has_its_examples() -> None:
    assert len(BLOCKS) >= 15


@pytest.mark.parametrize(("moved", "body", "line"), BLOCKS, ids=[f"line {b[2]}" for b in BLOCKS])
def test_a_component_example_loads_on_the_head(moved: str | None, body: str, line: int
                                               ) -> None:
    loaded, problems = load_contract_text(_head(moved) + body, f"contract-language.md:{line}")
    errors = [str(p) for p in problems if p.severity.value == "error"]
    assert loaded is not None and errors == [], errors
