"""W014 published prices without a source

Catches `metadata.illustrative: false` (the amounts are the contract's real prices) with no
`metadata.source`.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..base import Finding, Lint, Rule


def check(lint: Lint) -> Iterator[Finding]:
    md = lint.draft.metadata
    assert md is not None
    if not md.illustrative and not md.source:
        yield lint.warn("W014", "metadata.illustrative is false, so the amounts are the "
                        "contract's published prices, but metadata.source does not say where "
                        "they are published: an invoice checker cannot trace a price to its "
                        "source", ("metadata", "illustrative"))


RULE = Rule("W014", check, needs=("metadata",))
