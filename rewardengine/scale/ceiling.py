"""The contract ceiling over every shard's lines: one pass in accrual order, as
``evaluate.caps.apply_cap`` makes it, over lines kept in compact columns.

Order (``caps.accrual_order``): payable before pending, reductions before the rest, then
by date, customer, component and occurrence; each shard's customers are given their places
in id order across the shards (``orders``), contract lines come before every customer's.
Only lines with a non-zero amount that are payable or pending can move the running total; a
reduction is never cut, and a line is cut when the running total would pass the ceiling: to
the room left, and every later line of its kind to nothing. So when the payable and pending
sums stay under the ceiling nothing is cut and no sort is needed; otherwise one sort and a
running sum find the cuts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np

from ..evaluate.lines import Line
from ..values import money_text

Cuts = dict[tuple[int, int], dict[int, Decimal]]  # (shard, customer) -> {pos: room}


@dataclass(frozen=True)
class Columns:
    rank: np.ndarray
    day: np.ndarray
    customer: np.ndarray  # the customer's place in its shard; -1 for contract lines
    shard: np.ndarray
    pos: np.ndarray
    cents: np.ndarray
    order: np.ndarray  # the customer's place in id order among all; -1 for contract lines


def columns(parts: Sequence[dict[str, bytes]], contract_lines: Sequence[Line],
            orders: Sequence[np.ndarray]) -> Columns:
    """Every shard's compact lines and the contract lines, as numpy columns; ``orders``:
    each shard's customers' places in id order among every shard's."""
    order = sorted(range(len(contract_lines)),
                   key=lambda i: (contract_lines[i].component, contract_lines[i].occurrence))
    own = [(i, pos) for pos, i in enumerate(order) if contract_lines[i].status != "not_earned"]
    rank = [np.array([(0 if contract_lines[i].status == "payable" else 2)
                      + (contract_lines[i].amount >= 0) for i, _ in own], dtype=np.int8)]
    day = [np.array([_ordinal(contract_lines[i].date) for i, _ in own], dtype=np.int64)]
    cust = [np.full(len(own), -1, dtype=np.int64)]
    shard = [np.full(len(own), -1, dtype=np.int64)]
    pos = [np.array([p for _, p in own], dtype=np.int64)]
    places = [np.full(len(own), -1, dtype=np.int64)]
    cents = [np.array([int(contract_lines[i].amount.scaleb(2)) for i, _ in own],
                      dtype=np.int64)]
    for n, part in enumerate(parts):
        rank.append(np.frombuffer(part["rank"], dtype="b"))
        day.append(np.frombuffer(part["day"], dtype="l").astype(np.int64))
        c = np.frombuffer(part["customer"], dtype="l").astype(np.int64)
        cust.append(c)
        places.append(orders[n][c] if len(c) else np.zeros(0, dtype=np.int64))
        shard.append(np.full(len(c), n, dtype=np.int64))
        pos.append(np.frombuffer(part["pos"], dtype="l").astype(np.int64))
        cents.append(np.frombuffer(part["cents"], dtype="q"))
    return Columns(np.concatenate(rank), np.concatenate(day), np.concatenate(cust),
                   np.concatenate(shard), np.concatenate(pos), np.concatenate(cents),
                   np.concatenate(places))


def _ordinal(day: date | None) -> int:
    return day.toordinal() if day is not None else date.max.toordinal()


def ceiling_cuts(limit: Decimal, cols: Columns) -> tuple[Cuts, Decimal, Decimal]:
    """The cuts the ceiling makes: (shard, customer) -> {line pos: room}, with the
    contract lines under shard -1; and how much it cut from payable and from pending.
    A room is ``limit - used`` as ``apply_cap`` computes it (the same decimal places)."""
    cap = int(limit.scaleb(2))
    payable = int(cols.cents[cols.rank < 2].sum())
    pending = int(cols.cents[cols.rank >= 2].sum())
    has_pos = [bool((cols.rank == k).any()) for k in (1, 3)]
    if (not has_pos[0] or payable <= cap) and (not has_pos[1] or payable + pending <= cap):
        return {}, Decimal("0.00"), Decimal("0.00")
    order = np.lexsort((cols.pos, cols.order, cols.day, cols.rank))
    used = 0
    cuts: Cuts = {}
    cut_total = [0, 0]
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
        before = int(running[first - 1]) if first else used
        preceded = bool(first) or bool(order[0] != section[0])
        for j, idx in enumerate(section[first:]):
            amount = int(cols.cents[idx])
            if amount <= 0:
                continue  # nothing to cut from a line of nothing
            spent = Decimal(before if j == 0 else cap).scaleb(-2) if preceded or j \
                else Decimal(0)
            room = limit - spent
            key = (int(cols.shard[idx]), int(cols.customer[idx]))
            cuts.setdefault(key, {})[int(cols.pos[idx])] = room
            cut_total[k // 2] += amount - int(room.scaleb(2))
        used = cap
    return cuts, Decimal(cut_total[0]).scaleb(-2), Decimal(cut_total[1]).scaleb(-2)


def apply_cuts(lines: list[Line], cuts: dict[int, Decimal], limit: Decimal) -> list[Line]:
    """A customer's lines (or the contract lines) with the ceiling's cuts, named as
    ``apply_cap`` names them."""
    if not cuts:
        return lines
    order = sorted(range(len(lines)), key=lambda i: (lines[i].component, lines[i].occurrence))
    out = list(lines)
    for pos, i in enumerate(order):
        room = cuts.get(pos)
        if room is not None:
            line = lines[i]
            note = (f"cut by {money_text(line.amount - room)} to {money_text(room)}: "
                    f"contract ceiling of {money_text(limit)} reached")
            out[i] = line.capped_to(room, note)
    return out
