"""Alternatives: components of which a customer is paid only one, the one earned first.

A component is *earned* on the date of its first payable line with an amount above zero. The
component earned first wins (a tie on the same day goes to the one listed first); the payable
and pending lines of the others become ``not_earned``, dated the day the winner was earned
(the day they were lost), with a reason that names the winner and the clause. While none is
earned, their pending lines stay pending and say that only one of them will be paid.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from ..contract.model import Alternative
from .lines import Line


def _names(alternative: Alternative) -> str:
    ids = alternative.components
    return ", ".join(ids[:-1]) + " or " + ids[-1]


def _earned_on(alternative: Alternative, lines: list[Line]) -> dict[str, dt.date]:
    earned: dict[str, dt.date] = {}
    for line in lines:
        if (line.component in alternative.components and line.status == "payable"
                and line.amount > 0 and line.date is not None):
            first = earned.get(line.component)
            earned[line.component] = line.date if first is None else min(first, line.date)
    return earned


def choose(alternative: Alternative, clause: str, lines: list[Line]) -> list[Line]:
    """The lines with only the first-earned component of ``alternative`` paid."""
    earned = _earned_on(alternative, lines)
    rule = f"only one of {_names(alternative)} is paid ({clause})"
    if not earned:
        return [replace(ln, reason=f"{ln.reason}; {rule}, the one earned first")
                if ln.component in alternative.components and ln.status == "pending" else ln
                for ln in lines]
    order = alternative.components
    winner = min(earned, key=lambda c: (earned[c], order.index(c)))
    lost_on = earned[winner]
    out: list[Line] = []
    for ln in lines:
        if (ln.component in alternative.components and ln.component != winner
                and ln.status != "not_earned"):
            tie = " on the same day and is listed first" if earned.get(ln.component) == lost_on \
                else ""
            ln = replace(ln, status="not_earned", date=lost_on,
                         reason=f"not paid: {rule}, and {winner} was earned first, on "
                                f"{lost_on}{tie} (on its own: {ln.reason})")
        out.append(ln)
    return out
