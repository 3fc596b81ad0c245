"""W020 a service month between two monthly fees that none pays

Catches components that pay per service month (`monthly_fee`) whose phases, written in
months, leave service months between them that none of them pays: `until: 3 months`, then
`from: 4 months`, leaves the fourth month unpaid. Months before the first phase or after
the last are not caught (another kind may pay a start phase, as an hourly fee).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..base import Finding, Lint, Rule


def _spans(lint: Lint) -> list[tuple[int, int | None, str, tuple[str | int, ...], str]]:
    """Each monthly fee's phase as service months [from, until) (None: to the service's
    end), with its name, path and id; None where a phase is not in months."""
    out = []
    for base, comp in lint.components():
        if comp.service_month_proration() is None:
            continue
        phase = comp.service_phase()
        start = phase.from_ if phase is not None else None
        end = phase.until if phase is not None else None
        if any(d is not None and d.unit != "months" for d in (start, end)):
            return []  # in days or weeks the months between are not certain
        out.append((0 if start is None else start.count, None if end is None else end.count,
                    comp.name, base, comp.id))
    return out


def check(lint: Lint) -> Iterator[Finding]:
    spans = sorted(_spans(lint), key=lambda s: (s[0], s[1] is None, s[1] or 0))
    reach = None  # the end of the months paid so far (None: none yet)
    for start, end, name, base, ident in spans:
        if reach is not None and start > reach:
            months = (f"service month {reach + 1}" if start == reach + 1
                      else f"service months {reach + 1} to {start}")
            at = (*base, "phase") if lint.has_key((*base, "phase")) else base
            yield lint.warn(
                "W020", f"no monthly fee pays {months}: the phases before end with month "
                        f"{reach} and {name} starts after month {start}; if the gap is meant "
                        "(a pause in the service), accept this warning with the reason, else "
                        f"start {name} at from: {reach} months", at, ident)
        if end is None:
            return  # paid to the service's end
        reach = end if reach is None else max(reach, end)


RULE = Rule("W020", check)
