"""The contract ceiling over every shard's lines: one pass in accrual order, as
``evaluate.caps.apply_cap`` makes it, over lines kept in compact columns.

Order (``caps.accrual_order``): payable before pending, reductions before the rest, then
by date, customer, component and occurrence; each shard's customers are given their places
in id order across the shards (``orders``), contract lines come before every customer's.
Only lines with a non-zero amount that are payable or pending can move the running total; a
reduction is never cut. The line that takes the running total past the ceiling is cut to
the room left, and every later line of its kind (payable, or pending) with an amount to
nothing. So a cut is said by where it falls (``Crossing``: that line's place in accrual
order, and its room), whatever the number of lines after it; each customer's lines are cut
when they are read again (``apply_cuts``). When the payable and pending sums stay under the
ceiling nothing is cut and no sort is needed; otherwise one sort and a running sum find the
crossings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np

from ..evaluate.lines import Line
from ..values import money_text

Key = tuple[int, int, int]  # a line's accrual date (ordinal), its customer's place, its own


@dataclass(frozen=True)
class Crossing:
    """Where the running total passes the ceiling among payable (rank 1) or pending (rank
    3) lines: the line at ``key`` is cut to ``room``, every later one to ``rest``."""

    key: Key
    room: Decimal
    rest: Decimal


Cuts = dict[int, Crossing]  # rank -> where the ceiling was passed


@dataclass(frozen=True)
class Columns:
    rank: np.ndarray  # payable reduction 0, payable 1, pending reduction 2, pending 3
    day: np.ndarray
    customer: np.ndarray  # the customer's place in its shard; -1 for contract lines
    shard: np.ndarray  # -1 for contract lines
    pos: np.ndarray  # the line's place among its customer's, by (component, occurrence)
    cents: np.ndarray
    order: np.ndarray  # the customer's place in id order among all; -1 for contract lines
    shown: np.ndarray  # the line's customer is shown (``--customer``)


def rank_of(line: Line) -> int:
    return (0 if line.status == "payable" else 2) + (line.amount >= 0)


def day_of(line: Line) -> int:
    """The accrual date's ordinal (no date: after every date)."""
    return line.date.toordinal() if line.date is not None else date.max.toordinal()


def columns(parts: Sequence[dict[str, bytes]], contract_lines: Sequence[Line],
            orders: Sequence[np.ndarray], shown: Sequence[np.ndarray]) -> Columns:
    """Every shard's compact lines and the contract lines, as numpy columns; ``orders``:
    each shard's customers' places in id order among every shard's; ``shown``: whether each
    is shown."""
    order = sorted(range(len(contract_lines)),
                   key=lambda i: (contract_lines[i].component, contract_lines[i].occurrence))
    own = [(i, pos) for pos, i in enumerate(order) if contract_lines[i].status != "not_earned"]
    rank = [np.array([rank_of(contract_lines[i]) for i, _ in own], dtype=np.int8)]
    day = [np.array([day_of(contract_lines[i]) for i, _ in own], dtype=np.int64)]
    cust = [np.full(len(own), -1, dtype=np.int64)]
    shard = [np.full(len(own), -1, dtype=np.int64)]
    pos = [np.array([p for _, p in own], dtype=np.int64)]
    places = [np.full(len(own), -1, dtype=np.int64)]
    seen = [np.ones(len(own), dtype=bool)]
    cents = [np.array([int(contract_lines[i].amount.scaleb(2)) for i, _ in own],
                      dtype=np.int64)]
    for n, part in enumerate(parts):
        rank.append(np.frombuffer(part["rank"], dtype="b"))
        day.append(np.frombuffer(part["day"], dtype="l").astype(np.int64))
        c = np.frombuffer(part["customer"], dtype="l").astype(np.int64)
        cust.append(c)
        places.append(orders[n][c])
        seen.append(shown[n][c])
        shard.append(np.full(len(c), n, dtype=np.int64))
        pos.append(np.frombuffer(part["pos"], dtype="l").astype(np.int64))
        cents.append(np.frombuffer(part["cents"], dtype="q"))
    return Columns(np.concatenate(rank), np.concatenate(day), np.concatenate(cust),
                   np.concatenate(shard), np.concatenate(pos), np.concatenate(cents),
                   np.concatenate(places), np.concatenate(seen))


def ceiling_cuts(limit: Decimal, cols: Columns) -> Cuts:
    """Where the ceiling is passed, among payable lines and among pending ones. A room is
    ``limit - used`` as ``apply_cap`` computes it (the same decimal places)."""
    cap = int(limit.scaleb(2))
    payable = int(cols.cents[cols.rank < 2].sum())
    pending = int(cols.cents[cols.rank >= 2].sum())
    has_pos = [bool((cols.rank == k).any()) for k in (1, 3)]
    if (not has_pos[0] or payable <= cap) and (not has_pos[1] or payable + pending <= cap):
        return {}
    order = np.lexsort((cols.pos, cols.order, cols.day, cols.rank))
    used = 0
    cuts: Cuts = {}
    for k in range(4):
        section = order[cols.rank[order] == k]
        amounts = cols.cents[section]
        if k % 2 == 0 or not len(section):
            used += int(amounts.sum())
            continue
        running = used + np.cumsum(amounts)
        over = np.flatnonzero(running > cap)
        if not len(over):
            used = int(running[-1])
            continue
        first = int(over[0])
        at = int(section[first])
        before = int(running[first - 1]) if first else used
        preceded = bool(first) or bool(order[0] != section[0])
        spent = Decimal(before).scaleb(-2) if preceded else Decimal(0)
        key = (int(cols.day[at]), int(cols.order[at]), int(cols.pos[at]))
        cuts[k] = Crossing(key, limit - spent, limit - Decimal(cap).scaleb(-2))
        used = cap
    return cuts


def taken(cols: Columns, cuts: Cuts) -> tuple[Decimal, Decimal]:
    """How much the cuts take from the payable and the pending lines of the customers shown
    (the contract lines left out), without reading any customer again."""
    out = [Decimal("0.00"), Decimal("0.00")]
    for k, crossing in cuts.items():
        day, place, pos = crossing.key
        mine = (cols.rank == k) & (cols.cents > 0) & cols.shown & (cols.shard >= 0)
        later = (cols.day > day) | ((cols.day == day) & ((cols.order > place) | (
            (cols.order == place) & (cols.pos > pos))))
        at = mine & (cols.day == day) & (cols.order == place) & (cols.pos == pos)
        after = mine & later
        out[k // 2] += Decimal(int(cols.cents[after].sum())).scaleb(-2) \
            - crossing.rest * int(after.sum())
        if at.any():
            out[k // 2] += Decimal(int(cols.cents[at][0])).scaleb(-2) - crossing.room
    return out[0], out[1]


def cut_customers(part: dict[str, bytes], places: np.ndarray, cuts: Cuts) -> set[int]:
    """The customers (places in their shard) of a shard's compact lines (``part``) that
    ``apply_cuts`` cuts: those with a line of a crossing's rank, with an amount, at or after
    the crossing in accrual order (``places``: the customers' places in id order)."""
    rank = np.frombuffer(part["rank"], dtype="b")
    day = np.frombuffer(part["day"], dtype="l").astype(np.int64)
    customer = np.frombuffer(part["customer"], dtype="l").astype(np.int64)
    pos = np.frombuffer(part["pos"], dtype="l").astype(np.int64)
    cents = np.frombuffer(part["cents"], dtype="q")
    place = places[customer]
    hit = np.zeros(len(customer), dtype=bool)
    for k, crossing in cuts.items():
        d, p, q = crossing.key
        from_crossing = (day > d) | ((day == d) & ((place > p) | ((place == p) & (pos >= q))))
        hit |= (rank == k) & (cents > 0) & from_crossing
    return {int(c) for c in np.unique(customer[hit])}


def apply_cuts(lines: list[Line], place: int, cuts: Cuts, limit: Decimal) -> list[Line]:
    """A customer's lines (``place``: its place in id order; -1 for the contract lines)
    with the ceiling's cuts, named as ``apply_cap`` names them."""
    if not cuts:
        return lines
    order = sorted(range(len(lines)), key=lambda i: (lines[i].component, lines[i].occurrence))
    out = list(lines)
    for pos, i in enumerate(order):
        line = lines[i]
        crossing = cuts.get(rank_of(line)) if line.status != "not_earned" else None
        if crossing is None or line.amount <= 0:
            continue
        key = (day_of(line), place, pos)
        if key < crossing.key:
            continue
        room = crossing.room if key == crossing.key else crossing.rest
        note = (f"cut by {money_text(line.amount - room)} to {money_text(room)}: "
                f"contract ceiling of {money_text(limit)} reached")
        out[i] = line.capped_to(room, note)
    return out
