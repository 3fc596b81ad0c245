"""Every lint rule against its case file (tests/lint_cases/Wnnn.yaml): contracts that must
trigger it (at the line given) and contracts that must not. Each rule has its doc text, a
case file, a registered code and a section in docs/lint.md."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import CONTRACT_HEAD

from rewardengine.codes import CODES
from rewardengine.contract.lint import RULES
from rewardengine.pipeline import load

CASES = Path(__file__).parent / "lint_cases"
# the head of every case: two segments, a 12-month service, a 6-month follow-up, referrals
# until 2021-12-31 and outcomes until 2023-06-30 (a case may replace parts of it)
HEAD = CONTRACT_HEAD.replace(
    "  follow_up: 6 months\n",
    "  follow_up: 6 months\n  referrals_until: 2021-12-31\n  outcomes_until: 2023-06-30\n")


def _cases() -> list[tuple[str, str, dict[str, Any]]]:
    out = []
    for path in sorted(CASES.glob("W*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for which in ("triggers", "clean"):
            for case in data.get(which, []):
                out.append((path.stem, which, case))
    return out


def _text(case: dict[str, Any]) -> str:
    head = HEAD
    for old, new in (case.get("head") or {}).items():
        assert old in head, old
        head = head.replace(old, new)
    return head + case["body"]


@pytest.mark.parametrize(("code", "which", "case"), _cases(),
                         ids=[f"{c}-{w}-{x['name']}" for c, w, x in _cases()])
def test_case(code: str, which: str, case: dict[str, Any]) -> None:
    text = _text(case)
    state = load("case.yaml", text=text, with_lint=True)
    errors = [str(p) for p in state.problems if p.severity == "error"]
    assert errors == [], errors  # every case is a valid contract
    found = [p for p in state.problems if p.code == code]
    if which == "clean":
        assert found == [], [str(p) for p in found]
        return
    assert found, f"{code} not raised: {[str(p) for p in state.problems]}"
    if "at" in case:
        lines = text.splitlines()
        wanted = next(i + 1 for i, line in enumerate(lines) if case["at"] in line)
        assert wanted in [p.source.line for p in found]


@pytest.mark.parametrize("code", sorted(RULES))
def test_every_rule_has_doc_text_a_case_file_and_a_registered_code(code: str) -> None:
    rule = RULES[code]
    assert rule.doc.splitlines()[0] == f"{code} {CODES[code].title}"
    data = yaml.safe_load((CASES / f"{code}.yaml").read_text(encoding="utf-8"))
    assert data["triggers"] and data["clean"]


def test_every_lint_code_has_a_rule() -> None:
    assert set(RULES) == {c for c in CODES if c.startswith("W")}
