"""W004 no cap at all

Catches a contract with neither `caps.per_customer` nor `caps.contract_total` (reported only
when no W003 is).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..base import Finding, Lint, Rule
from .W003 import unbounded


def check(lint: Lint) -> Iterator[Finding]:
    caps = lint.draft.caps
    assert caps is not None
    if caps.per_customer is not None or caps.contract_total is not None:
        return
    if any(True for _ in unbounded(lint)):
        return
    yield lint.warn("W004", "the contract has no cap at all (neither caps.per_customer nor "
                    "caps.contract_total): the most one customer costs is only the sum of "
                    "every fee, and the total grows with every customer referred; a rate card "
                    "caps both", ("caps",))


RULE = Rule("W004", check, needs=("caps",))
