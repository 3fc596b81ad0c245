"""A timeline's versions: the one recorded last wins, the one recorded first is kept beside
it, ties keep the row read first; held to the rule written out plainly, over random rows."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from rewardengine.events.model import Contact, EventBase, Hours
from rewardengine.events.timeline import Timeline, timeline

DAY0 = date(2020, 1, 1)
AS_OF = DAY0 + timedelta(days=6)


def _plainly(customer_id: str, rows: list[EventBase], as_of: date) -> Timeline:
    """The rule as the module's docstring words it, one row at a time."""
    latest: dict[str, tuple[date, EventBase]] = {}
    first: dict[str, tuple[date, EventBase]] = {}
    superseded: list[EventBase] = []
    for row in rows:
        known = row.known_on
        if known > as_of or row.customer_id != customer_id:
            continue
        earliest = first.get(row.event_id)
        if earliest is None or known < earliest[0]:
            first[row.event_id] = (known, row)
        prev = latest.get(row.event_id)
        if prev is None:
            latest[row.event_id] = (known, row)
        elif known > prev[0]:
            superseded.append(prev[1])
            latest[row.event_id] = (known, row)
        else:
            superseded.append(row)

    def order(e: EventBase) -> tuple[date, str]:
        return (e.date, e.event_id)

    live = sorted((e for _, e in latest.values() if not e.void), key=order)
    voided = sorted((e for _, e in latest.values() if e.void), key=order)
    firsts = tuple(first[e.event_id][1] for e in live if first[e.event_id][1] is not e)
    return Timeline(customer_id, as_of, tuple(live), tuple(sorted(superseded, key=order)),
                    tuple(voided), firsts)


_ROWS = st.lists(st.tuples(st.sampled_from(["e1", "e2", "e3"]), st.sampled_from(["c1", "c2"]),
                           st.integers(0, 4), st.none() | st.integers(0, 9), st.booleans()),
                 max_size=12)


@settings(max_examples=300, deadline=None)
@given(_ROWS)
def test_versions_as_the_rule_says(rows: list[tuple[str, str, int, int | None, bool]]) -> None:
    events: list[EventBase] = [
        Contact(type="contact", event_id=eid, customer_id=cid, date=DAY0 + timedelta(days=d),
                recorded=None if r is None else DAY0 + timedelta(days=d + r), void=void,
                responded=True,
                row=n + 2)
        for n, (eid, cid, d, r, void) in enumerate(rows)]
    got, want = timeline("c1", events, AS_OF), _plainly("c1", events, AS_OF)
    assert got == want
    # the same objects, not only equal ones: a first version is told apart by identity
    for a, b in ((got.events, want.events), (got.superseded, want.superseded),
                 (got.voided, want.voided), (got.first_versions, want.first_versions)):
        assert [id(e) for e in a] == [id(e) for e in b]


_UNIQUE_ROWS = st.lists(st.tuples(st.sampled_from(["c1", "c1", "c1", "c2"]), st.integers(0, 9),
                                  st.none() | st.integers(-3, 9), st.booleans(), st.booleans()),
                        max_size=12)


@settings(max_examples=300, deadline=None)
@given(_UNIQUE_ROWS)
def test_rows_of_one_version_each_as_the_rule_says(
        rows: list[tuple[str, int, int | None, bool, bool]]) -> None:
    """Most customers' rows: each id once, all known by the as-of date (the timeline takes
    them in one pass); near it, a row known a day late, or another customer's row."""
    events: list[EventBase] = [
        (Contact(type="contact", event_id=f"e{n}", customer_id=cid, responded=True,
                 date=DAY0 + timedelta(days=d), void=void, row=n + 2,
                 recorded=None if r is None else DAY0 + timedelta(days=d + r))
         if contact else
         Hours(type="hours", event_id=f"e{n}", customer_id=cid, hours=Decimal(2),
               date=DAY0 + timedelta(days=d), void=void, row=n + 2,
               recorded=None if r is None else DAY0 + timedelta(days=d + r)))
        for n, (cid, d, r, void, contact) in enumerate(rows)]
    got, want = timeline("c1", iter(events), AS_OF), _plainly("c1", events, AS_OF)
    assert got == want
    for a, b in ((got.events, want.events), (got.voided, want.voided)):
        assert [id(e) for e in a] == [id(e) for e in b]
    assert got.contacts == tuple(e for e in want.events if isinstance(e, Contact))
    assert got.hours == tuple(e for e in want.events if isinstance(e, Hours))
    assert got.referrals == () and got.employments == ()
