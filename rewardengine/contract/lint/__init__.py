"""Lint: findings for procurement officers about traps in a contract, rule by rule.

``lint(draft)`` runs every rule of ``rules/`` whose parts are valid; a rule that needs a part
with errors is skipped and the skip said (``P001``). Findings are ``Problem`` objects with
codes ``W0xx`` and the severity the registry gives them (warning, or info for the common and
usually harmless ones), located at the key concerned, in file order. A contract accepts a
finding on purpose with ``accept: [{code: W005, component: monthly, reason: "..."}]``; an
accept entry that matches none is itself a finding (W000), so stale entries do not pile up.
Every rule, why it matters and how to accept it is described in docs/lint.md.

Pure: no clock, no I/O, no printing.
"""

from __future__ import annotations

from ...errors import Problem, Source, sorted_problems
from ..load import Draft, LoadedContract
from .base import Finding, Lint, Rule
from .rules import RULES


def lint_draft(draft: Draft) -> tuple[list[Problem], list[Problem]]:
    """(findings, skip notes) for a contract as far as it validated."""
    state = Lint(draft)
    found: list[Finding] = []
    skipped: dict[tuple[str, ...], list[str]] = {}  # the parts with errors -> rules skipped
    for rule in RULES.values():
        missing = tuple(p for p in rule.needs if not draft.valid(p) or p in draft.faulty)
        if missing:
            skipped.setdefault(missing, []).append(rule.code)
            continue
        found.extend(rule.check(state))
    kept = _accepted(draft, found)
    # the rules that did not run, for those that read the others' findings (W000)
    state.shared["skipped"] = frozenset(code for codes in skipped.values() for code in codes)
    for rule in RULES.values():
        if rule.after is not None and all(draft.valid(p) and p not in draft.faulty
                                          for p in rule.needs):
            kept.extend(rule.after(state, found))
    notes = [Problem("P001", f"lint {', '.join(codes)} not checked: the "
                     f"{' and the '.join(parts)} {_have(parts)} errors",
                     Source(draft.file)) for parts, codes in skipped.items()]
    return sorted_problems([f.problem for f in kept]), notes


_PLURAL_PARTS = frozenset({"windows", "segments", "caps", "alternatives", "tests",
                           "components"})


def _have(parts: tuple[str, ...]) -> str:
    """``has`` or ``have``: the windows have errors, the metadata has."""
    return "has" if len(parts) == 1 and parts[0] not in _PLURAL_PARTS else "have"


def _accepted(draft: Draft, found: list[Finding]) -> list[Finding]:
    """The findings no accept entry covers (all of them while the accept list has errors)."""
    accepted = draft.accept or []
    return [f for f in found if not any(
        a.code == f.problem.code and (a.component is None or a.component == f.component)
        for a in accepted)]


def lint(target: Draft | LoadedContract) -> list[Problem]:
    """The findings for a contract (or a draft of one), accepted ones left out."""
    draft = target if isinstance(target, Draft) else Draft.of(target)
    return lint_draft(draft)[0]


__all__ = ["RULES", "Finding", "Lint", "Rule", "lint", "lint_draft"]
