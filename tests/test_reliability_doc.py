"""docs/reliability.md names a test for every guarantee: each test it names exists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "reliability.md").read_text(encoding="utf-8")


def _tests_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)
            and n.name.startswith("test_")}


def test_every_test_the_page_names_exists() -> None:
    current = None
    named = 0
    for m in re.finditer(r"`(test_\w+\.py)?(?:::)?(test_\w+)?`", DOC):
        if m.group(1):
            current = m.group(1)
            assert (ROOT / "tests" / current).exists(), current
        if m.group(2):
            assert current is not None, m.group(0)
            assert m.group(2) in _tests_of(ROOT / "tests" / current), (current, m.group(2))
            named += 1
    assert named >= 40
