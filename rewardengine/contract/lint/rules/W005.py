"""W005 periodic fee lost when the customer does not answer

Catches a `monthly_fee` with a `condition` (`min_responded_contacts`).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..base import Finding, Lint, Rule


def check(lint: Lint) -> Iterator[Finding]:
    for base, comp in lint.components():
        found = comp.answer_condition()
        if found is None:
            continue
        n, path = found
        answered = "an answered contact" if n == 1 else f"{n} answered contacts"
        month = "calendar month" if comp.calendar_months() else "service month"
        yield lint.warn("W005", f"{comp.name} pays a {month} only when it has "
                        f"{answered}: the provider loses the month's fee when the customer does "
                        "not answer, even after months of work (\"the monthly result fee is lost "
                        "for every month in which the customer did not answer\")",
                        (*base, *path), comp.id)


RULE = Rule("W005", check)
