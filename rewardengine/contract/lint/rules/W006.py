"""W006 outcome fee that requires serving a customer who already works

Catches an `employment_outcome`, `milestones` or `employment_condition` that counts work only
while the customer is in service: `requires_active_service: true`, `window: service`, or a
contract without `windows.follow_up` (so "service and follow-up" is the service alone).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..base import Finding, Lint, Rule

TAIL = ("a customer who finds a job must be kept in service, and served, until the threshold "
        "is reached: ending the service when the customer starts work forfeits the fee (\"to "
        "earn the result fee the provider must still deliver services to a person who "
        "already works\")")


def check(lint: Lint) -> Iterator[Finding]:
    windows = lint.draft.windows
    assert windows is not None
    for base, comp in lint.components():
        counting = comp.counting_window()
        if counting == "active_service":
            yield lint.warn("W006", f"{comp.name} counts work only while the service is "
                            f"active (requires_active_service: true): {TAIL}",
                            (*base, *comp.counting_window_path()), comp.id)
        elif counting == "service":
            yield lint.warn("W006", f"{comp.name} counts work only inside the service window "
                            f"(window: service): {TAIL}", (*base, *comp.counting_window_path()),
                            comp.id)
        elif counting is not None and windows.follow_up is None:
            yield lint.warn("W006", f"{comp.name} counts work in the service and follow-up, "
                            "but the contract has no windows.follow_up, so only work during the "
                            f"service counts: {TAIL}", base, comp.id)


RULE = Rule("W006", check, needs=("windows",))
