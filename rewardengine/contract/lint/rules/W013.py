"""W013 fee paid on referral

Catches an `event_fee` on `event: referral`.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..base import Finding, Lint, Rule


def check(lint: Lint) -> Iterator[Finding]:
    for base, comp in lint.components():
        found = comp.paid_on()
        if found is not None and found[0] == "referral":
            yield lint.warn("W013", f"{comp.name} is paid when a customer is referred, before "
                            "any service starts: it pays for customers who never start "
                            "(Tehostettu työnvälitys referred over 13,000 job seekers, of whom "
                            "about 8,500 started); pay on service_start instead",
                            (*base, *found[1]), comp.id)


RULE = Rule("W013", check)
