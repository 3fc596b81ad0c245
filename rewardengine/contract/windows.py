"""Window and deadline arithmetic, once, for the evaluation and for lint.

The evaluation lays the windows over a customer's real service; lint lays them over every
possible service start to decide what can be reached. Both call these functions, so a rule
about windows is written in one place. Periods are half-open ``[start, end)``; durations are
added to their anchor, never accumulated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ..values import Duration
from .model import Counting, OutcomeWindow, Windows

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Deadline:
    """The last day an outcome may be reached, and what sets it (for reasons)."""

    last_day: date
    why: str


def outcome_window_end(windows: Windows, service_end: date, counting: Counting) -> date:
    """The exclusive end of the outcome window of a service ending (exclusively) on
    ``service_end``: the service, or the service and its follow-up (no grace)."""
    if counting == "service_and_follow_up" and windows.follow_up is not None:
        return windows.follow_up.after(service_end)
    return service_end


def counting_end(windows: Windows, service_end: date, counting: Counting) -> tuple[date, str]:
    """The exclusive end of the days an outcome's work may count in, before any fixed date,
    and what sets it: the window plus grace; only the service with ``active_service``."""
    if counting == "active_service":
        return service_end, "the service ends (only days in service count)"
    end = outcome_window_end(windows, service_end, counting)
    label = "the follow-up" if counting == "service_and_follow_up" and windows.follow_up \
        else "the service"
    why = f"{label} ends"
    if windows.grace is not None:
        end = windows.grace.after(end)
        why = f"{label} ends, plus {windows.grace} grace,"
    return end, why


def fixed_deadline(windows: Windows, reach_by: date | None) -> Deadline | None:
    """The earliest fixed last day (the component's reach_by, the contract's outcomes_until)."""
    out: list[Deadline] = []
    if reach_by is not None:
        out.append(Deadline(reach_by, "the component's reach_by date"))
    if windows.outcomes_until is not None:
        out.append(Deadline(windows.outcomes_until, "the contract's outcomes_until date"))
    return min(out, key=lambda d: d.last_day) if out else None


def within_words(reach_within: Duration) -> str:
    """What a deadline set by ``reach_within`` is called in reasons and findings."""
    return f"the component's reach_within of {reach_within} from the service start"


def within_deadline(service_start: date, reach_within: Duration) -> Deadline:
    """The last day of ``reach_within`` from the service start: the start day is the first
    day counted, so 6 months from 2020-01-31 end on 2020-07-30 (2020-07-31, exclusive)."""
    return Deadline(reach_within.after(service_start) - ONE_DAY, within_words(reach_within))


def deadline(windows: Windows, service_end: date, window: OutcomeWindow,
             reach_by: date | None, active_only: bool = False,
             within: Deadline | None = None) -> Deadline:
    """The last day an outcome counting in ``window`` may be reached: the window's end plus
    grace, or an earlier reach_by, outcomes_until or ``within`` (``within_deadline``: the
    component's reach_within). ``active_only`` (requires_active_service): no day after the
    service counts, whatever the window says. On a tie the window's own end is named."""
    end, why = counting_end(windows, service_end, window)
    found = Deadline(end - ONE_DAY, why)
    for fixed in (fixed_deadline(windows, reach_by), within):
        if fixed is not None and fixed.last_day < found.last_day:
            found = fixed
    # on a tie the service's end is named, as the window's end is
    if active_only and service_end - ONE_DAY <= found.last_day:
        found = Deadline(service_end - ONE_DAY, "the service ends (only days in service count)")
    return found
