"""W015 monthly fee lost for a month cut short

Catches a `monthly_fee` with `proration: none` — written, or the default. With `months:
calendar` the first month is cut short too, for every service that starts after a month's
first day, and the warning says so.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..base import Finding, Lint, Rule


def check(lint: Lint) -> Iterator[Finding]:
    for base, comp in lint.components():
        path = comp.unprorated_periods()
        if path is None:
            continue
        at = (*base, *path) if lint.has_key((*base, *path)) else base
        first = _cut_words(comp.calendar_months(), comp.service_phase() is not None)
        yield lint.warn("W015", f"{comp.name} has proration: none, so {first}the last month "
                        "of every customer who leaves for a job mid-month is lost, which rewards "
                        "keeping an employed customer in service to the month's end; use "
                        "proration: daily or full", at, comp.id)


def _cut_words(calendar: bool, phased: bool) -> str:
    """Which months are cut short, and what that loses before the last month."""
    if not calendar:
        return "a service month cut short by the service end pays nothing: "
    if not phased:
        return ("a calendar month cut short by the service start or end pays nothing: the first "
                "month of every customer whose service starts after the 1st is lost, and ")
    return ("a calendar month cut short by the phase or the service pays nothing: the first "
            "and the last month of the phase are lost unless it starts on a 1st, and ")


RULE = Rule("W015", check)
