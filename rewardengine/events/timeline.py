"""A customer's timeline as of a date: the facts known then, corrections applied.

Only rows whose ``recorded`` date (default: ``date``) is on or before ``as_of`` count. Of the
versions of one ``event_id`` the one recorded last wins; if that version is ``void`` the event
is gone. So a late or corrected fact changes later results, never earlier ones. The version
recorded first is kept beside it (``first_version``): what was known, or agreed, when the fact
was first recorded (a fixed-term job's end as agreed at its start, before any extension).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from .model import (
    Benefit,
    Contact,
    Earnings,
    Education,
    Employment,
    EventBase,
    Expense,
    Hours,
    Referral,
    ServiceEnd,
    ServiceStart,
    Survey,
)


def _order(e: EventBase) -> tuple[date, str]:
    return (e.date, e.event_id)


@dataclass(frozen=True)
class Timeline:
    customer_id: str
    as_of: date
    events: tuple[EventBase, ...]
    # versions replaced by a later-recorded one, and events retracted, for explanations
    superseded: tuple[EventBase, ...] = ()
    voided: tuple[EventBase, ...] = ()
    # the version of each live event recorded first, where a later one replaced it
    first_versions: tuple[EventBase, ...] = ()

    # the events of each type, in timeline order: sorted out on first use, in one pass (a
    # timeline built only for its first referral, or for its voided events, never needs them)
    @functools.cached_property
    def _by_type(self) -> dict[str, tuple[EventBase, ...]]:
        lists: dict[str, list[EventBase]] = {name: [] for name in _LISTS.values()}
        for e in self.events:
            name = _LISTS.get(type(e)) or _list_of(type(e))
            if name is not None:
                lists[name].append(e)
        return {name: tuple(events) for name, events in lists.items()}

    @functools.cached_property
    def referrals(self) -> tuple[Referral, ...]:
        return self._by_type["referrals"]  # type: ignore[return-value]

    @functools.cached_property
    def service_starts(self) -> tuple[ServiceStart, ...]:
        return self._by_type["service_starts"]  # type: ignore[return-value]

    @functools.cached_property
    def service_ends(self) -> tuple[ServiceEnd, ...]:
        return self._by_type["service_ends"]  # type: ignore[return-value]

    @functools.cached_property
    def hours(self) -> tuple[Hours, ...]:
        return self._by_type["hours"]  # type: ignore[return-value]

    @functools.cached_property
    def contacts(self) -> tuple[Contact, ...]:
        return self._by_type["contacts"]  # type: ignore[return-value]

    @functools.cached_property
    def employments(self) -> tuple[Employment, ...]:
        return self._by_type["employments"]  # type: ignore[return-value]

    @functools.cached_property
    def educations(self) -> tuple[Education, ...]:
        return self._by_type["educations"]  # type: ignore[return-value]

    @functools.cached_property
    def benefits(self) -> tuple[Benefit, ...]:
        return self._by_type["benefits"]  # type: ignore[return-value]

    @functools.cached_property
    def surveys(self) -> tuple[Survey, ...]:
        return self._by_type["surveys"]  # type: ignore[return-value]

    @functools.cached_property
    def expenses(self) -> tuple[Expense, ...]:
        return self._by_type["expenses"]  # type: ignore[return-value]

    @functools.cached_property
    def earnings(self) -> tuple[Earnings, ...]:
        return self._by_type["earnings"]  # type: ignore[return-value]

    def first_version(self, event: EventBase) -> EventBase:
        """The version of ``event`` recorded first (the event itself when it has one)."""
        return next((e for e in self.first_versions if e.event_id == event.event_id), event)

    @property
    def referral(self) -> Referral | None:
        """The first referral (a later one is a re-referral and does not re-segment)."""
        return self.referrals[0] if self.referrals else None


_LISTS: dict[type[EventBase], str] = {
    Referral: "referrals", ServiceStart: "service_starts", ServiceEnd: "service_ends",
    Hours: "hours", Contact: "contacts", Employment: "employments", Education: "educations",
    Benefit: "benefits", Survey: "surveys", Expense: "expenses", Earnings: "earnings"}


def _list_of(cls: type[EventBase]) -> str | None:
    """The list an event of a type derived from one of the listed types goes in."""
    return next((_LISTS[base] for base in cls.__mro__ if base in _LISTS), None)


def timeline(customer_id: str, rows: Iterable[EventBase], as_of: date) -> Timeline:
    """Build one customer's timeline from all rows of that customer (any order)."""
    latest: dict[str, EventBase] = {}
    first: dict[str, EventBase] = {}
    superseded: list[EventBase] = []
    for row in rows:
        if row.customer_id != customer_id or row.known_on > as_of:
            continue
        earliest = first.get(row.event_id)
        if earliest is None or row.known_on < earliest.known_on:
            first[row.event_id] = row
        prev = latest.get(row.event_id)
        if prev is None or row.known_on > prev.known_on:
            if prev is not None:
                superseded.append(prev)
            latest[row.event_id] = row
        else:
            superseded.append(row)
    live = sorted((e for e in latest.values() if not e.void), key=_order)
    voided = sorted((e for e in latest.values() if e.void), key=_order)
    firsts = tuple(first[e.event_id] for e in live if first[e.event_id] is not e)
    return Timeline(customer_id, as_of, tuple(live), tuple(sorted(superseded, key=_order)),
                    tuple(voided), firsts)


def group_by_customer(rows: Iterable[EventBase]) -> dict[str, list[EventBase]]:
    """Rows per customer, customers in sorted order (deterministic output)."""
    groups: dict[str, list[EventBase]] = {}
    for row in rows:
        groups.setdefault(row.customer_id, []).append(row)
    return {k: groups[k] for k in sorted(groups)}
