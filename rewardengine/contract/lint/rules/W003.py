"""W003 a fee without bound and no cap

Catches a component that can pay one customer without limit — an `event_fee` with
`per: each` and no `max_count`, an `hourly_fee` without `max_hours`, a survey multiplier on
such a fee — when it has no `cap` and the contract has neither `caps.per_customer` nor
`caps.contract_total`.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..base import Finding, Lint, Rule


def unbounded(lint: Lint) -> Iterator[Finding]:
    caps = lint.draft.caps
    assert caps is not None
    if caps.per_customer is not None or caps.contract_total is not None:
        return
    for base, comp in lint.components():
        found = comp.unbounded(lint.draft)
        if found is None:
            continue
        why, path = found
        yield lint.warn("W003", f"{comp.name} {why}, and the contract has neither "
                        "caps.per_customer nor caps.contract_total: nobody can say before "
                        "the tender what one customer, or the whole contract, may cost; set "
                        "a limit on the component, a cap, or a ceiling", (*base, *path), comp.id)


RULE = Rule("W003", unbounded, needs=("caps",))
