"""W023 a calendar month begun or ended paid whole

Catches a `monthly_fee` paying calendar months (`months: calendar`) with `proration: full`:
the first month and the last are each paid whole however few of their days are served.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..base import Finding, Lint, Rule


def check(lint: Lint) -> Iterator[Finding]:
    for base, comp in lint.components():
        if not comp.calendar_months() or comp.service_month_proration() != "full":
            continue
        at = (*base, "proration") if lint.has_key((*base, "proration")) else base
        yield lint.warn(
            "W023", f"{comp.name} pays calendar months with proration: full, so the first "
                    "and the last month of a service are each paid whole however few of "
                    "their days are served: a service from 31 January to 1 February is paid "
                    "two months, which rewards starting services at a month's end; use "
                    "proration: daily, or accept this warning with the reason where a month "
                    "begun is meant to be paid whole", at, comp.id)


RULE = Rule("W023", check)
