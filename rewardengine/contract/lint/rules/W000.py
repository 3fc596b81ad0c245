"""W000 accept entry that matches no warning

Catches an `accept` entry whose code is not raised (any more) for its component, names a
component id that does not exist, or names a code lint does not have. An entry whose
warning was not looked for (its rule, or its component, was not linted for errors) is left
alone: the skip is said (P001).
"""

from __future__ import annotations

from collections.abc import Iterator

from ....codes import CODES
from ..base import Finding, Lint, Rule


def _nothing(lint: Lint) -> Iterator[Finding]:
    return iter(())


def unused(lint: Lint, found: list[Finding]) -> Iterator[Finding]:
    """The accept entries that matched none of ``found`` (every other rule's findings)."""
    accepted = lint.draft.accept or []
    component_ids = set(lint.draft.component_ids())
    for i, entry in enumerate(accepted):
        if any(_matches(entry.code, entry.component, f) for f in found):
            continue
        what = f"{entry.code}" + (f" for component '{entry.component}'"
                                  if entry.component is not None else "")
        elsewhere = sorted({f"'{f.component}'" for f in found
                            if f.problem.code == entry.code and f.component is not None})
        if entry.component is not None and entry.component not in component_ids:
            why = f"no component has id '{entry.component}'"
        elif entry.code == "W000":
            why = "W000 itself cannot be accepted"
        elif entry.code not in CODES or CODES[entry.code].family != "W":
            why = f"there is no lint check {entry.code}"
        elif _not_linted(lint, entry.code, entry.component):
            continue  # whether it is raised was not looked at (P001 says so)
        elif elsewhere:
            why = f"{entry.code} is raised only for {', '.join(elsewhere)}"
        else:
            why = f"the contract does not trigger it ({CODES[entry.code].title})"
        yield lint.warn("W000", f"accept entry {what} matches no warning: {why}; remove the "
                        "entry or correct its code or component", ("accept", i))


def _not_linted(lint: Lint, code: str, component: str | None) -> bool:
    """Whether the warning may be there, unseen: its rule did not run (a part it reads has
    errors), or the component it names (any, when it names none) has errors, so no rule
    read it. Said as P001; an entry is not called unused on a check not made."""
    if code in lint.shared.get("skipped", frozenset()):
        return True
    linted = {c.id for _, c in lint.draft.items()}
    unread = set(lint.draft.component_ids()) - linted
    return component in unread if component is not None else bool(unread)


def _matches(code: str, component: str | None, finding: Finding) -> bool:
    return finding.problem.code == code and (component is None
                                             or component == finding.component)


RULE = Rule("W000", _nothing, needs=("accept",), after=unused)
