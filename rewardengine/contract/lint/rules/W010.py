"""W010 capacity fee outside the contract's validity

Catches a `capacity_fee` whose `from` is before `metadata.valid_from` or whose `until` is after
`metadata.valid_until`.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..base import Finding, Lint, Rule


def check(lint: Lint) -> Iterator[Finding]:
    md = lint.draft.metadata
    assert md is not None
    for base, comp in lint.components():
        span = comp.dated_span()
        if span is None:
            continue
        first, last, first_path, last_path = span
        if first is not None and first < md.valid_from:
            yield lint.warn("W010", f"{comp.name} starts on {first}, before the contract is "
                            f"valid from {md.valid_from}: the buyer pays for capacity before the "
                            "contract starts", (*base, *first_path), comp.id)
        if last is not None and last > md.valid_until:
            yield lint.warn("W010", f"{comp.name} runs until {last}, after the contract ends on "
                            f"{md.valid_until}: the buyer pays for capacity after the contract "
                            "has ended", (*base, *last_path), comp.id)


RULE = Rule("W010", check, needs=("metadata",))
