"""A customer's timeline as of a date: the facts known then, corrections applied.

Only rows whose ``recorded`` date (default: ``date``) is on or before ``as_of`` count. Of the
versions of one ``event_id`` the one recorded last wins; if that version is ``void`` the event
is gone. So a late or corrected fact changes later results, never earlier ones. The version
recorded first is kept beside it (``first_version``): what was known, or agreed, when the fact
was first recorded (a fixed-term job's end as agreed at its start, before any extension).
"""

from __future__ import annotations

import operator
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

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

E = TypeVar("E", bound=EventBase)

# a timeline's order: by date, then event id (C getters: a timeline sorts every event)
_by_date = operator.attrgetter("date")
_by_id = operator.attrgetter("event_id")


def _in_order(events: list[E]) -> None:
    """Sort ``events`` by date, then event id, in place: by id, then (stable) by date,
    which orders as the pair does at about half the cost (no key tuple per event, no tuple
    compares)."""
    events.sort(key=_by_id)
    events.sort(key=_by_date)


class _OfType(Generic[E]):
    """A timeline's events of one type, in timeline order: a descriptor that the instance's
    own value hides once ``Timeline._by_type`` has put it there (no lock, no call after the
    first use)."""

    def __set_name__(self, owner: type[Timeline], name: str) -> None:
        self.name = name

    def __get__(self, tl: Timeline, owner: type[Timeline] | None = None) -> tuple[E, ...]:
        tl._by_type()
        return tl.__dict__[self.name]  # type: ignore[no-any-return]


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

    # the events of each type, sorted out on first use, in one pass: a timeline built only
    # for its first referral, or for its voided events, never needs most of them
    referrals = _OfType[Referral]()
    service_starts = _OfType[ServiceStart]()
    service_ends = _OfType[ServiceEnd]()
    hours = _OfType[Hours]()
    contacts = _OfType[Contact]()
    employments = _OfType[Employment]()
    educations = _OfType[Education]()
    benefits = _OfType[Benefit]()
    surveys = _OfType[Survey]()
    expenses = _OfType[Expense]()
    earnings = _OfType[Earnings]()

    def _by_type(self) -> None:
        # lists only for the types present (a customer has a few of the eleven)
        found: dict[str, list[EventBase]] = {}
        listed = _LISTS.get
        for e in self.events:
            name = listed(type(e)) or _list_of(type(e))
            if name is None:
                continue
            events = found.get(name)
            if events is None:
                found[name] = [e]
            else:
                events.append(e)
        own = self.__dict__  # read as plain attributes from now on
        own.update(_NONE_OF_EACH)
        for name, events in found.items():
            own[name] = tuple(events)

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


_NONE_OF_EACH: dict[str, tuple[EventBase, ...]] = {name: () for name in _LISTS.values()}


def _list_of(cls: type[EventBase]) -> str | None:
    """The list an event of a type derived from one of the listed types goes in."""
    return next((_LISTS[base] for base in cls.__mro__ if base in _LISTS), None)


def timeline(customer_id: str, rows: Iterable[EventBase], as_of: date) -> Timeline:
    """Build one customer's timeline from all rows of that customer (any order)."""
    latest: dict[str, EventBase] = {}  # by event id: the version recorded last
    first: dict[str, EventBase] = {}  # only ids with more than one version
    superseded: list[EventBase] = []
    for row in rows:
        known = row.recorded or row.date  # ``known_on``, without a property call per row
        if known > as_of or row.customer_id != customer_id:
            continue
        prev = latest.setdefault(row.event_id, row)
        if prev is row:  # most ids have one version: it is both the first and the latest
            continue
        event_id = row.event_id
        earliest = first.get(event_id, prev)
        if known < (earliest.recorded or earliest.date):
            earliest = row
        first[event_id] = earliest
        if known > (prev.recorded or prev.date):
            superseded.append(prev)
            latest[event_id] = row
        else:
            superseded.append(row)
    live = [e for e in latest.values() if not e.void]
    voided = [e for e in latest.values() if e.void] if len(live) < len(latest) else []
    _in_order(live)
    if voided:
        _in_order(voided)
    firsts = tuple(first[e.event_id] for e in live
                   if e.event_id in first and first[e.event_id] is not e) if first else ()
    if superseded:
        _in_order(superseded)
    return Timeline(customer_id, as_of, tuple(live), tuple(superseded), tuple(voided), firsts)


def group_by_customer(rows: Iterable[EventBase]) -> dict[str, list[EventBase]]:
    """Rows per customer, customers in sorted order (deterministic output)."""
    groups: dict[str, list[EventBase]] = {}
    for row in rows:
        groups.setdefault(row.customer_id, []).append(row)
    return {k: groups[k] for k in sorted(groups)}
