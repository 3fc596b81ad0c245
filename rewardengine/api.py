"""The library's front door: the pipeline load -> validate -> evaluate, as plain functions.

The CLI is a thin layer over these; tests and notebooks call them directly. Nothing here
prints or reads the clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from .contract.load import LoadedContract, load_contract
from .errors import Problem, has_errors, sorted_problems
from .evaluate.context import assign_segment
from .evaluate.engine import Evaluation, evaluate
from .events.model import Referral
from .events.read import EventSet, read_events
from .events.timeline import group_by_customer, timeline
from .values import MAX_DATE


@dataclass
class Inputs:
    """A loaded contract and events, with every problem found while reading them."""

    contract: LoadedContract | None
    events: EventSet
    problems: list[Problem] = field(default_factory=list)

    @property
    def unreadable(self) -> bool:
        """A file could not be read at all (exit code 2 rather than 1)."""
        return any(p.code.startswith("F") for p in self.problems)

    @property
    def ok(self) -> bool:
        return self.contract is not None and not has_errors(self.problems)


def lint_problems(loaded: LoadedContract) -> list[Problem]:
    from .contract.lint import lint

    return lint(loaded)


def load_inputs(contract_path: str, event_paths: Sequence[str], with_lint: bool = False
                ) -> Inputs:
    """Load the contract and every event file; collect all problems (lint warnings too)."""
    loaded, problems = load_contract(contract_path)
    if loaded is not None and with_lint:
        problems = [*problems, *lint_problems(loaded)]
    events = read_events(event_paths) if event_paths else EventSet()
    if loaded is not None:
        problems.extend(_referral_checks(loaded, events))
    return Inputs(loaded, events, sorted_problems([*problems, *events.problems]))


def _referral_checks(loaded: LoadedContract, events: EventSet) -> list[Problem]:
    """Event values the contract must know: providers and segments named on rows."""
    providers = {p.id for p in loaded.contract.metadata.providers}
    segments = set(loaded.contract.segment_ids())
    out = []
    # the referral that decides each customer's segment: the first live one, corrections
    # applied (a re-referral is passed over, a corrected row replaces the one it corrects)
    referrals = group_by_customer(e for e in events.events if isinstance(e, Referral))
    for customer_id, rows in referrals.items():
        first = timeline(customer_id, rows, MAX_DATE).referral
        if first is not None:
            # a referral the contract cannot place in exactly one segment cannot be priced
            _, _, problem = assign_segment(loaded, first)
            if problem is not None and (first.segment is None or first.segment in segments):
                out.append(Problem("E014", problem, first.source))
    for e in events.events:
        provider = getattr(e, "provider", None)
        if provider is not None and provider not in providers:
            out.append(Problem("E013", f"provider '{provider}' is not in the contract "
                               f"({', '.join(sorted(providers))})", e.source))
        segment = getattr(e, "segment", None)
        if segment is not None and segment not in segments:
            out.append(Problem("E013", f"segment '{segment}' is not in the contract "
                               f"({', '.join(sorted(segments))})", e.source))
    return out


def run_evaluation(contract_path: str, event_paths: Sequence[str], as_of: date,
                   customers: Sequence[str] | None = None
                   ) -> tuple[Evaluation | None, Inputs]:
    """Load and evaluate; ``None`` when the inputs have errors (see ``Inputs.problems``)."""
    inputs = load_inputs(contract_path, event_paths)
    if not inputs.ok:
        return None, inputs
    assert inputs.contract is not None
    return evaluate(inputs.contract, inputs.events.events, as_of, customers), inputs


__all__ = ["Inputs", "lint_problems", "load_inputs", "run_evaluation"]
