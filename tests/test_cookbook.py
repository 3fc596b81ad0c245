"""Every contract fragment of the cookbook is loaded on the shared head and its worked
examples are run, so the cookbook cannot drift from the engine."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rewardengine.pipeline import load_contract_text
from rewardengine.worked import run_examples

DOCS = Path(__file__).resolve().parent.parent / "docs"
PAGES = [DOCS / "cookbook.md", *sorted((DOCS / "cookbook").glob("*.md"))]
BLOCK = re.compile(r"^```yaml\n# cookbook: (?P<name>[\w.-]+)\n(?P<body>.*?)^```$",
                   flags=re.M | re.S)


def _fragments() -> list[tuple[str, str, str]]:
    out = []
    for page in PAGES:
        for m in BLOCK.finditer(page.read_text(encoding="utf-8")):
            out.append((page.name, m.group("name"), m.group("body")))
    return out


HEAD = next(body for _, name, body in _fragments() if name == "head")
EXAMPLES = [(page, name, body) for page, name, body in _fragments() if name != "head"]


def contract_of(body: str) -> str:
    head = HEAD
    if re.search(r"^windows:", body, flags=re.M):  # the fragment brings its own windows
        head = re.sub(r"^windows:\n(?:  .*\n)*", "", head, flags=re.M)
    if re.search(r"^segments:", body, flags=re.M):
        head = re.sub(r"^segments:\n(?:  .*\n)*", "", head, flags=re.M)
    return head + body


@pytest.mark.parametrize(("page", "name", "body"), EXAMPLES,
                         ids=[f"{p}:{n}" for p, n, _ in EXAMPLES])
def test_fragment(page: str, name: str, body: str) -> None:
    loaded, problems = load_contract_text(contract_of(body), f"{name}.yaml")
    errors = [str(p) for p in problems if p.severity == "error"]
    assert loaded is not None and errors == [], errors
    results = run_examples(loaded)
    assert results, f"the fragment {name} has no worked example"
    for r in results:
        assert r.ok, (r.name, [str(p) for p in r.problems], [d.text for d in r.differences])


def test_fragment_names_are_unique() -> None:
    names = [name for _, name, _ in _fragments()]
    assert len(names) == len(set(names))
