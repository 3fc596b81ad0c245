"""W022 calendar months one short of those a service touches

Catches a `monthly_fee` paying calendar months (`months: calendar`) by the day
(`proration: daily`), with no `condition`, whose `max_months` is the number of months its
service (or its phase, in months) lasts: a service of n months from any day but a 1st
touches n + 1 calendar months, the first and last in part, so a customer served to the end
is never paid the last part-month. (Under `full` the first part-month is paid whole, so n
months pay for n months; W023 speaks of that. With a `condition`, a month lost for want of
an answer leaves room in the allowance.)
"""

from __future__ import annotations

from collections.abc import Iterator

from ..base import Finding, Lint, Rule


def _months_served(lint: Lint, start: int, until: int | None) -> int | None:
    """The months the fee's phase holds of the longest service, where both are in months."""
    windows = lint.draft.windows
    assert windows is not None
    longest = windows.service.max_length
    if longest.unit != "months":
        return None
    return min(longest.count, until if until is not None else longest.count) - start


def check(lint: Lint) -> Iterator[Finding]:
    for base, comp in lint.components():
        allowed = comp.months_allowed()
        if allowed is None or not comp.calendar_months() \
                or comp.service_month_proration() != "daily" or comp.answer_condition():
            continue
        phase = comp.service_phase()
        ends = (None, None) if phase is None else (phase.from_, phase.until)
        if any(d is not None and d.unit != "months" for d in ends):
            continue  # in days or weeks the calendar months touched depend on the start
        months = _months_served(lint, 0 if ends[0] is None else ends[0].count,
                                None if ends[1] is None else ends[1].count)
        n, path = allowed
        if months is None or n != months:
            continue
        yield lint.warn(
            "W022", f"{comp.name} pays calendar months, at most {n} (max_months), and the "
                    f"{months} months of service it pays for touch {months + 1} calendar "
                    "months for every customer who does not start on a month's first day, "
                    "the first and the last in part: such a customer served to the end is "
                    f"never paid the last part-month; use max_months: {months + 1} to pay both "
                    "part-months by the day, or months: service", (*base, *path), comp.id)


RULE = Rule("W022", check, needs=("windows",))
