"""The problem-code registry against the code and the documentation: every code used is
registered, and docs/errors.md and docs/lint.md describe exactly the registered codes."""

from __future__ import annotations

import re
from pathlib import Path

from rewardengine.codes import CODES, Severity
from rewardengine.errors import Problem, Source

ROOT = Path(__file__).resolve().parent.parent
ERRORS = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
LINT = (ROOT / "docs" / "lint.md").read_text(encoding="utf-8")
CODE_LITERAL = re.compile(r"""["']([BCEFLPVWY]\d{3})["']""")


def test_every_code_the_engine_uses_is_registered() -> None:
    used: set[str] = set()
    for path in (ROOT / "rewardengine").rglob("*.py"):
        used |= set(CODE_LITERAL.findall(path.read_text(encoding="utf-8")))
    assert used - set(CODES) == set()


def test_errors_md_lists_exactly_the_registered_codes() -> None:
    rows = set(re.findall(r"^\| `([A-Z]\d{3})` \|", ERRORS, flags=re.M))
    assert rows == {c for c in CODES if not c.startswith("W")}


def test_errors_md_links_every_lint_code_with_its_title() -> None:
    rows = dict(re.findall(r"^\| \[`(W\d{3})`\]\(lint\.md#[^)]+\) \| ([^|]+?) \|$", ERRORS,
                           flags=re.M))
    assert rows == {c.code: c.title for c in CODES.values() if c.family == "W"}
    for c in (c for c in CODES.values() if c.family == "W"):
        assert f"[`{c.code}`]({c.doc})" in ERRORS


def test_lint_md_has_a_section_per_code_with_its_title_and_severity() -> None:
    sections = re.findall(r"^## (W\d{3}) (.+)\n\n\*\*Severity:\*\* (\w+)\.$", LINT, flags=re.M)
    assert {(c, t, s) for c, t, s in sections} == {
        (c.code, c.title, c.severity.value) for c in CODES.values() if c.family == "W"}


def test_the_docs_quote_each_code_at_its_severity() -> None:
    """An output quoted in the docs (``W002 info: ...``) says the severity the code has."""
    docs = [p.read_text(encoding="utf-8") for p in (ROOT / "docs").rglob("*.md")]
    quoted = {m for text in [*docs, (ROOT / "README.md").read_text(encoding="utf-8")]
              for m in re.findall(r"\b([BCEFGLPVWY]\d{3}) (error|warning|info):", text)}
    assert quoted, "no quoted output found"
    assert {(c, s) for c, s in quoted if c in CODES and CODES[c].severity.value != s} == set()


def test_documentation_anchors_exist() -> None:
    headings = {re.sub(r"[^a-z0-9 _-]", "", h.lower()).replace(" ", "-")
                for h in re.findall(r"^#+ (.+)$", ERRORS, flags=re.M)}
    for c in CODES.values():
        page, _, anchor = c.doc.partition("#")
        if page == "errors.md":
            assert anchor in headings, c


def test_a_problem_takes_its_severity_from_its_code() -> None:
    src = Source("f.csv", row=2)
    assert Problem("E001", "x", src).severity is Severity.ERROR
    assert Problem("V002", "x", src).severity is Severity.WARNING
    assert Problem("W004", "x", src).severity is Severity.INFO
    assert str(Problem("W004", "x", src)) == "f.csv:2: W004 info: x"
