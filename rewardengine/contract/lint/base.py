"""What every lint rule is given and gives back.

A rule is a module of ``rewardengine/contract/lint/rules/`` named after its code, with a
docstring that starts with ``CODE title`` and says what the rule catches, and a ``RULE``: the
check and the parts of the contract it needs. The check asks the components (their price
tables, their work rules, their thresholds...), never their classes. A rule whose parts have
errors is skipped, and the skip is said (``P001``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ...errors import Problem, Source
from ..load import Draft
from ..model import ComponentBase, Path


@dataclass(frozen=True)
class Finding:
    """A lint problem and the component it is about (for ``accept`` entries)."""

    problem: Problem
    component: str | None


@dataclass
class Lint:
    """The draft being linted, with helpers to locate findings and a place to share work
    between rules (reachability is laid out once for W001, W008 and W017)."""

    draft: Draft
    shared: dict[str, Any] = field(default_factory=dict)

    def src(self, path: Path) -> Source:
        """The key itself when ``path`` ends at a mapping key, else the value (or nearest
        parent)."""
        if path in self.draft.doc.key_marks:
            return self.draft.doc.key_source(path)
        return self.draft.source(*path)

    def has_key(self, path: Path) -> bool:
        return path in self.draft.doc.key_marks

    def warn(self, code: str, message: str, path: Path, component: str | None = None
             ) -> Finding:
        return Finding(Problem(code, message, self.src(path)), component)

    def components(self) -> Iterator[tuple[Path, ComponentBase]]:
        """The valid components, each with its path in the document."""
        for i, comp in self.draft.items():
            yield ("components", i), comp


Check = Callable[[Lint], Iterator[Finding]]
# a rule that reads every other rule's findings (W000: accept entries that match none)
After = Callable[[Lint, list[Finding]], Iterator[Finding]]


@dataclass(frozen=True)
class Rule:
    code: str
    check: Check
    needs: tuple[str, ...] = ()  # parts of the contract the rule reads (skipped with errors)
    doc: str = ""  # the rule's module docstring: "CODE title" and what it catches
    after: After | None = None


def max_weight(weights: Mapping[Any, Decimal]) -> Decimal:
    return max((w for w in weights.values()), default=Decimal(0))


def weight_words(weights: Mapping[Any, Decimal]) -> str:
    return ", ".join(f"{k} {v}" for k, v in weights.items())
