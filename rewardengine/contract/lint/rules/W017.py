"""W017 outcomes reachable after the contract ends, with no cut-off

Catches a contract without `windows.outcomes_until` whose outcome components (without
`reach_by`) can still be reached after `metadata.valid_until` by a customer referred on the
last referral day. One finding for the contract, listing the components and the last day.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..base import Finding, Lint, Rule
from ..reach import findings


def check(lint: Lint) -> Iterator[Finding]:
    yield from (f for f in findings(lint) if f.problem.code == "W017")


RULE = Rule("W017", check, needs=("windows", "metadata"))
