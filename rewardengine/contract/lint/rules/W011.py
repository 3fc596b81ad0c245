"""W011 grace longer than the follow-up

Catches `windows.grace` certainly longer than `windows.follow_up`.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..base import Finding, Lint, Rule


def check(lint: Lint) -> Iterator[Finding]:
    w = lint.draft.windows
    assert w is not None
    if w.grace is not None and w.follow_up is not None \
            and w.grace.certainly_longer(w.follow_up):
        yield lint.warn("W011", f"windows.grace ({w.grace}) is longer than the follow-up "
                        f"({w.follow_up}): outcomes may still complete longer after the "
                        "follow-up than the follow-up itself lasts; a grace is meant for late "
                        "data, not as more time to reach an outcome", ("windows", "grace"))


RULE = Rule("W011", check, needs=("windows",))
