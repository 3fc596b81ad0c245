"""W021 a start fee that closes with the contract before the last referral can start

Catches an `event_fee` on `service_start` counted in the contract window (`window: contract`,
written or the default) where the last referral day (`windows.referrals_until`, else
`metadata.valid_until`) is the contract's last day: a customer referred on that day, in
time, who starts the service the next day gets no fee for it. Only that certain case is
caught: with referrals ending earlier, a start later than the days left loses the fee too,
and how long starts take is the providers' to say.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..base import Finding, Lint, Rule


def check(lint: Lint) -> Iterator[Finding]:
    draft = lint.draft
    md, windows = draft.metadata, draft.windows
    assert md is not None and windows is not None
    last = windows.referrals_until or md.valid_until
    if last < md.valid_until:
        return  # a day or more to start in: how many starts take is not known here
    key = "windows.referrals_until" if windows.referrals_until else "metadata.valid_until"
    for base, comp in lint.components():
        found = comp.paid_on()
        if found is None or found[0] != "service_start" or comp.event_window() != "contract":
            continue
        at = (*base, "window") if lint.has_key((*base, "window")) else base
        yield lint.warn(
            "W021", f"{comp.name} counts service starts in the contract window, which ends on "
                    f"{md.valid_until}, the last referral day too ({key}): a customer referred "
                    "on that day, in time, who starts the service the next day gets no fee "
                    "for it; use window: service (a service start is always inside its own "
                    "service), or end referrals (windows.referrals_until) early enough for "
                    "every customer referred to start by the contract's last day",
            at, comp.id)


RULE = Rule("W021", check, needs=("metadata", "windows"))
