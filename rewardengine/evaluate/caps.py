"""Caps, applied in accrual order: per component, per customer, then the contract ceiling.

Payable lines are cut first (they are money owed now), then pending lines against the room
that is left, so a pending figure never promises more than the caps allow. A cut line keeps
its uncapped amount and names the cap that cut it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal

from ..values import money_text
from .lines import Line

ZERO = Decimal(0)


def accrual_order(line: Line) -> tuple[int, int, date, str, str, str]:
    status_rank = 0 if line.status == "payable" else 1
    # reductions (negative adjustment lines) first: a cap limits the net amount, so what a
    # reduction takes off must not be cut from the lines it reduces as well
    sign_rank = 0 if line.amount < 0 else 1
    return (status_rank, sign_rank, line.date or date.max, line.customer_id or "",
            line.component, line.occurrence)


def asked(lines: Iterable[Line]) -> Decimal:
    """What ``lines`` ask of one limit: their positive amounts, payable or pending (a line
    not earned asks nothing, and a reduction only leaves more room). Lines asking no more
    than a limit are never cut by it, whatever their order."""
    return sum((ln.amount for ln in lines if ln.amount > 0 and ln.status != "not_earned"),
               ZERO)


def apply_cap(lines: list[Line], limit_of: Callable[[Line], Decimal | None],
              group_of: Callable[[Line], str], label: Callable[[Line], str]) -> list[Line]:
    """Cut lines (payable, then pending) in accrual order so each group stays within its limit.

    Returns lines in the order given; not_earned lines pass untouched.
    """
    if _within(lines, limit_of, group_of):
        return list(lines)
    return _cut_in_order(lines, limit_of, group_of, label)


def apply_limit(lines: list[Line], limit: Decimal, group: str, label: Callable[[Line], str]
                ) -> list[Line]:
    """``apply_cap`` with one limit over all ``lines`` as one group (the per-customer cap,
    the contract ceiling): lines that ask no more than it (``asked``) are returned as they
    are, unsorted; else cut as ``apply_cap`` cuts them."""
    if asked(lines) <= limit:
        return list(lines)
    return _cut_in_order(lines, lambda ln: limit, lambda ln: group, label)


def _within(lines: list[Line], limit_of: Callable[[Line], Decimal | None],
            group_of: Callable[[Line], str]) -> bool:
    """Every group's positive amounts together stay within the limit of each of its lines:
    then no line is cut whatever the order (a reduction only leaves more room), and the
    lines need no sorting."""
    positive: dict[str, Decimal] = {}
    limited: list[tuple[str, Decimal]] = []
    for line in lines:
        if line.status == "not_earned":
            continue
        limit = limit_of(line)
        if limit is None:
            continue
        group = group_of(line)
        limited.append((group, limit))
        if line.amount > 0:
            positive[group] = positive.get(group, ZERO) + line.amount
    return all(positive.get(group, ZERO) <= limit for group, limit in limited)


def _cut_in_order(lines: list[Line], limit_of: Callable[[Line], Decimal | None],
                  group_of: Callable[[Line], str], label: Callable[[Line], str]
                  ) -> list[Line]:
    """The caps applied line by line in accrual order."""
    used: dict[str, Decimal] = {}
    cut: dict[int, Line] = {}
    order = sorted((i for i, ln in enumerate(lines) if ln.status != "not_earned"),
                   key=lambda i: accrual_order(lines[i]))
    for i in order:
        line = lines[i]
        limit = limit_of(line)
        if limit is None:
            continue
        group = group_of(line)
        room = max(limit - used.get(group, Decimal(0)), Decimal(0))
        if line.amount > room:
            note = (f"cut by {money_text(line.amount - room)} to {money_text(room)}: "
                    f"{label(line)} of {money_text(limit)} reached")
            line = line.capped_to(room, note)
            cut[i] = line
        used[group] = used.get(group, Decimal(0)) + line.amount
    return [cut.get(i, ln) for i, ln in enumerate(lines)]
