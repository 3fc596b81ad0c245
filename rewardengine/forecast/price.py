"""``price``: the amount of one component that makes the expected cost per customer hit a
target.

The component's fees (its price tables of role fee or rate: each milestone's, a full and a
partial fee, each value of a fee that changes on dates) are rewritten in the contract's own
text, so the draft evaluated is the contract as a buyer would write it, checked by the same
stages. The schedule keeps its shape: the solved amount is its largest cell and every other
cell keeps its ratio to it (each rounded half-up to cents), but for the cells ``--hold``
names, which keep their written amounts; with ``--segment`` only that segment's cells
change and the target is the cost per customer of that segment.

With common random numbers (the same seed, so the same customers at every price) the
expected cost is linear in the amount while no cap binds: it is evaluated at the current
amount and at half it (or at 1,000.00 and 2,000.00 when it is 0), the line through the two
points is solved for the target, the amount rounded half-up to cents, and the cost at that
amount evaluated to verify it (within a cent per customer plus what the rounding of the
amount moves). When caps bend the line, bisection on cents between the two bracketing
amounts takes over (the cost never falls as a fee rises).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, localcontext
from typing import Any

from ..contract.load import LoadedContract
from ..contract.model import Dated, DatedEntry
from ..shown import brief, quoted
from ..values import MONEY_LIMIT, money_text
from .runs import RunSums, SimulationError
from .simulate import cost_per_customer
from .stats import CENT, cents, mean, standard_error

ZERO = Decimal(0)
LARGEST = MONEY_LIMIT - Decimal("0.01")  # the largest amount a contract may write
MAX_BISECTIONS = 40


@dataclass(frozen=True)
class Cell:
    path: tuple[str | int, ...]  # from the contract's root
    amount: Decimal
    name: str = "amount"  # as the output names it: "B", "milestone 2 fee", "from 2025-01-01"
    also: tuple[str, ...] = ()  # the other cells naming the same written value (YAML aliases)

    @property
    def names(self) -> tuple[str, ...]:
        """Its name, then the names its value has by YAML aliases."""
        return (self.name, *self.also)


def fee_cells(loaded: LoadedContract, component: str, segment: str | None,
              hold: Sequence[str] = ()) -> list[Cell]:
    """The cells of ``component``'s fee tables that ``price`` may set: every table of role
    fee or rate (each milestone's fee, a full and a partial fee, ...) and every value of a
    fee that changes on dates, each once however many YAML aliases name it (a cell named in
    ``hold`` is never rewritten, so another component may name it too)."""
    comps = loaded.contract.components
    index = next((i for i, c in enumerate(comps) if c.id == component), None)
    if index is None:
        raise SimulationError(f"the contract has no component {quoted(component, 40)} (it has "
                              f"{', '.join(c.id for c in comps)})")
    comp = comps[index]
    tables = [t for t in comp.price_tables() if t.role in ("fee", "rate")]
    if not tables:
        raise SimulationError(f"component {component} has no fee or rate to "
                              "solve (price solves an amount paid; a multiplier or a budget "
                              "is not one)")
    cells: list[Cell] = []
    for table in tables:
        node, path = table.price, ("components", index, *table.path)
        top, what = len(path), "fee" if len(tables) == 1 else table.label
        if segment is not None:
            node, path = _segment_cell(loaded, comp.id, node, path, segment, what)
        cells += _leaves(node, path, top, "" if len(tables) == 1 else table.label)
    cells = _once_each(loaded, cells, index, component, frozenset(hold))
    if not cells:
        raise SimulationError(f"component {component}'s fee has no amount to solve")
    return cells


def _segment_cell(loaded: LoadedContract, component: str, node: Any,
                  path: tuple[str | int, ...], segment: str, what: str = "fee"
                  ) -> tuple[Any, tuple[str | int, ...]]:
    """The cell of ``segment`` in a fee table keyed by segment. A key of another dimension
    (an employment kind, an evidence level) is not a segment, though a table may have it."""
    segments = loaded.contract.segments
    ids = [t.id for t in segments.tiers] if segments is not None else []
    if not ids:
        raise SimulationError(f"--segment {brief(segment, 40)}: the contract has no segments; "
                              "leave out --segment")
    if segment not in ids:
        raise SimulationError(f"the contract has no segment {quoted(segment, 40)} (it has "
                              f"{', '.join(ids)}): name one of them, or leave out --segment")
    keyed = [k for k in node if k in ids] if isinstance(node, dict) else []
    if not keyed:
        raise SimulationError(f"component {component}'s {what} is the same for every segment "
                              f"(its table is not priced by segment): leave out --segment")
    if segment not in keyed:
        raise SimulationError(f"component {component}'s {what} is priced for segments "
                              f"{', '.join(keyed)}, not {segment}: name one of those, or "
                              "leave out --segment")
    return node[segment], (*path, segment)


def _leaves(node: Any, path: tuple[str | int, ...], top: int, label: str) -> list[Cell]:
    """The amounts under ``node``, each named by the table's label (when the component has
    several tables), its keys below the table (``top``: the table's depth) and the date a
    dated value holds from."""
    if isinstance(node, Dated):
        out = []
        for day in sorted(node.values):
            cell = node.values[day]
            entry = isinstance(cell, DatedEntry)
            out.append(Cell((*path, "values", day.isoformat(), *(("value",) if entry else ())),
                            cell.value if isinstance(cell, DatedEntry) else cell,
                            _cell_name(label, path[top:], f"from {day.isoformat()}")))
        return out
    if isinstance(node, dict):
        return [c for k, v in node.items() for c in _leaves(v, (*path, k), top, label)]
    if isinstance(node, Decimal):
        return [Cell(path, node, _cell_name(label, path[top:]))]
    return []


def _cell_name(label: str, keys: tuple[str | int, ...], since: str = "") -> str:
    inside = ".".join(str(k) for k in keys)
    named = " ".join(p for p in (label, inside, since) if p)
    return named or "amount"


def _once_each(loaded: LoadedContract, cells: list[Cell], index: int, component: str,
               held: frozenset[str] = frozenset()) -> list[Cell]:
    """Each written value once: a YAML alias makes several cells of one value, rewritten
    where it is written. A value named too by another component, or by a part of this one
    that is not solved (its cap, another segment's cell), is refused: rewriting it would
    change that pay as well; unless it is held, and so never rewritten."""
    marks = loaded.doc.marks
    solved = {c.path for c in cells}
    seen: dict[tuple[int, int], Cell] = {}
    for cell in cells:
        at = marks.get(cell.path)
        if at is None:
            raise SimulationError("the fee's position in the contract is not known")
        first = seen.setdefault(at, cell)
        if first is not cell:
            seen[at] = replace(first, also=(*first.also, cell.name))
    for path, at in marks.items():
        if at in seen and path not in solved and len(path) > 1 \
                and not held.intersection(seen[at].names):
            hint = ", or hold the cell (--hold)" if len(seen) > 1 else ""
            raise SimulationError(
                f"component {component}'s fee{_named(seen[at])} at line {at[0]} is written once "
                f"and named by {_whose(loaded, path, index)} too (a YAML alias): solving it "
                f"would change both; give {component} its own copy of the value in a copy of "
                f"the contract to price it{hint}")
    return list(seen.values())


def _whose(loaded: LoadedContract, path: tuple[str | int, ...], index: int) -> str:
    """What else names a value: another component, a key of this one, or a path."""
    if path[0] != "components" or not isinstance(path[1], int):
        return ".".join(str(p) for p in path)
    if path[1] == index:
        return "its " + ".".join(str(p) for p in path[2:])
    return f"component {loaded.contract.components[path[1]].id}"


def held_apart(cells: Sequence[Cell], hold: Sequence[str], component: str,
               segment: str | None = None) -> tuple[list[Cell], list[Cell]]:
    """The cells solved and the cells held at their written amounts (``hold``: their names,
    as the output names them, or the name of a YAML alias of one): a price the programme
    fixes, such as a self-report rate, keeps its amount while the others are solved."""
    names = [n for c in cells for n in c.names]
    whose = f"component {component}'s fee" + ("" if segment is None else
                                              f" for segment {segment[:40]}")
    listed = ", ".join(cell_names(c) for c in cells)
    for name in hold:
        if name not in names:
            also = ("" if segment is None else
                    "; with --segment only that segment's cells are solved or held")
            raise SimulationError(f"--hold {brief(name, 40)}: {whose} has no cell of that "
                                  f"name (its cells: {listed}){also}")
    held = [c for c in cells if set(c.names).intersection(hold)]
    if len(held) == len(cells):
        raise SimulationError(f"--hold names every cell of {whose} ({listed}): nothing is "
                              "left to solve")
    return [c for c in cells if c not in held], held


def cell_names(cell: Cell) -> str:
    """A cell's name, with the names its value has by YAML aliases."""
    return cell.name if not cell.also else f"{cell.name} (also {', '.join(cell.also)})"


def _named(cell: Cell) -> str:
    return "" if cell.name == "amount" else f" ({cell.name})"


def scaled(cells: Sequence[Cell], amount: Decimal, held: Sequence[Cell] = ()) -> list[Cell]:
    """The cells with the largest at ``amount`` and the others at their ratio to it; those
    ``held`` keep their amounts (and take no part in the ratio)."""
    kept = {c.path for c in held}
    top = max(c.amount for c in cells if c.path not in kept)
    with localcontext() as ctx:
        ctx.prec = 28
        return [c if c.path in kept else
                replace(c, amount=cents(amount if top == 0 else amount * c.amount / top))
                for c in cells]


def rewrite(loaded: LoadedContract, text: str, cells: Sequence[Cell]) -> str:
    """The contract's text with each cell's scalar replaced (by its recorded position)."""
    lines = text.split("\n")
    places = []
    for cell in cells:
        src = loaded.doc.source(cell.path)
        if src.line is None or src.col is None:
            raise SimulationError("the fee's position in the contract is not known")
        places.append((*_value_place(lines, src.line - 1, src.col - 1), cell))
    # right to left along a line, so the places still to come keep their columns
    for row, start, cell in sorted(places, key=lambda p: (p[0], -p[1])):
        line = lines[row]
        end = _token_end(line, start)
        if not _NUMBER.fullmatch(line[start:end].strip("\"'").strip()):
            raise SimulationError(f"the fee's value at line {row + 1} is written in a form "
                                  "price cannot rewrite; write it as a plain number")
        lines[row] = line[:start] + str(cell.amount) + line[end:]
    return "\n".join(lines)


_NUMBER = re.compile(r"[+-]?(\d[\d_]*)?\.?\d[\d_]*([eE][+-]?\d+)?")


def _value_place(lines: list[str], row: int, col: int) -> tuple[int, int]:
    """Where the scalar itself begins: a node's place is that of its anchor (``&r 310.00``)
    or tag (``!!float``, ``!<...>``), which stay as written, and the scalar may follow them
    on a later line, after a comment."""
    while row < len(lines):
        line = lines[row]
        while col < len(line) and line[col] in " \t\r":
            col += 1
        if col >= len(line) or line[col] == "#":
            row, col = row + 1, 0
        elif line.startswith("!<", col):
            close = line.find(">", col)
            col = len(line) if close < 0 else close + 1
        elif line[col] in "&!":
            col = _token_end(line, col)
        else:
            return row, col
    raise SimulationError("the fee's value is not found where the contract was read")


def _token_end(line: str, start: int) -> int:
    if start < len(line) and line[start] in "\"'":
        close = line.find(line[start], start + 1)
        return close + 1 if close > 0 else len(line)
    end = start
    while end < len(line) and line[end] not in ",}] \t#\r":  # \r: a line of a CRLF file
        end += 1
    return end


Cost = Callable[[Sequence[Decimal]], list[Decimal]]  # amounts -> expected cost at each
# an amount already evaluated -> how the contract ceiling binds in every run at it, or None
Flat = Callable[[Decimal], str | None]


@dataclass(frozen=True)
class Solved:
    component: str
    segment: str | None
    target: Decimal
    amount: Decimal
    cells: list[Cell]
    cost: Decimal  # the expected cost per customer at ``amount``
    method: str  # "linear" or "bisection"
    points: list[tuple[Decimal, Decimal]]  # (amount, cost) evaluated
    # how far the amount may be off from the runs' spread (``amount_error``); None: unknown
    amount_se: Decimal | None = None
    held: tuple[str, ...] = ()  # the cells kept at their written amounts (--hold)

    def to_dict(self) -> dict[str, Any]:
        return {"component": self.component, "segment": self.segment,
                "target_per_customer": money_text(self.target),
                "amount": money_text(self.amount),
                "amount_se": None if self.amount_se is None else money_text(self.amount_se),
                "cells": {n: money_text(c.amount) for c in self.cells for n in c.names},
                "held": list(self.held),
                "cost_per_customer": money_text(self.cost), "method": self.method,
                "evaluated": [{"amount": money_text(a), "cost": str(cents(c))}
                              for a, c in self.points]}


def solve(cells: Sequence[Cell], target: Decimal, cost: Cost, component: str,
          segment: str | None, flat: Flat | None = None, capped: str | None = None
          ) -> tuple[Decimal, str, Decimal, list[tuple[Decimal, Decimal]]]:
    """The amount (cents) whose expected cost is the target: (amount, method, cost, points).
    ``flat`` says where the contract ceiling holds every run: a target met only there cannot
    be told apart from the ceiling, and it is refused as soon as that is known. ``capped``
    names the contract's per-customer cap (where it is written), said when the amount moves
    nothing."""
    if flat is not None:
        cost = _stopping_at_ceiling(cost, target, flat, segment)
    whose = "" if segment is None else f" of segment {segment[:40]}"
    try:
        amount, method, found, points = _solve(cells, target, cost, component, capped, whose)
    except _Unmoved as exc:
        # the ceiling holds every run at every amount tried: it, not a cap, keeps the cost
        held = flat(ZERO) if flat is not None else None
        if held is None:
            raise SimulationError(str(exc)) from None
        raise SimulationError(
            f"the amount of component {component} moves nothing: {held} at every amount "
            f"tried ({exc.tried}), so the expected cost per customer{whose} is "
            f"{money_text(cents(exc.cost))} whatever the amount and no amount reaches the "
            f"target {money_text(target)}: the ceiling's share is the cost per customer; "
            "solve for another component, or change the ceiling") from None
    why = flat(amount) if flat is not None else None
    if why is not None:
        whose = "" if segment is None else f" of segment {segment[:40]}"
        raise SimulationError(
            f"{money_text(amount)} makes the expected cost per customer{whose} "
            f"{money_text(cents(found))}, but {why}: that cost is reached only by cutting "
            "other pay under the ceiling, so the target cannot be told apart from the "
            "ceiling; lower the target, or raise the ceiling")
    return amount, method, found, points


def _stopping_at_ceiling(cost: Cost, target: Decimal, flat: Flat, segment: str | None
                         ) -> Cost:
    """``cost`` that stops the search once an amount whose cost is at or below the target
    has the ceiling holding every run: so has every higher amount, the solution's too.
    Without ``segment`` the cost per customer is the ceiling's share there, flat; with it,
    the segment's cost rises only by cutting other pay."""
    def stopping(amounts: Sequence[Decimal]) -> list[Decimal]:
        found = cost(amounts)
        for amount, at in sorted(zip(amounts, found, strict=True)):
            why = flat(amount)
            if why is None or target < at - CENT:
                continue
            told = ("cannot be reached" if target > at + CENT and segment is None
                    else "cannot be told apart from the ceiling")
            rises = (f"is {money_text(cents(at))} at any such amount (a higher amount only "
                     "cuts other pay)" if segment is None else
                     f"of segment {segment[:40]} is {money_text(cents(at))} there, and above "
                     "it rises only by cutting other pay under the ceiling")
            raise SimulationError(
                f"at {money_text(amount)} and above, {why}: the expected cost per customer "
                f"{rises}, so the target {money_text(target)} {told}; lower the target, or "
                "raise the ceiling")
        return found
    return stopping


def _solve(cells: Sequence[Cell], target: Decimal, cost: Cost, component: str,
           capped: str | None = None, whose: str = ""
           ) -> tuple[Decimal, str, Decimal, list[tuple[Decimal, Decimal]]]:
    top = max(c.amount for c in cells)
    # half the amount rather than twice it: caps bind at high amounts, not at low ones
    a1, a2 = (top, cents(top / 2)) if top > 0 else (Decimal("1000.00"), Decimal("2000.00"))
    c1, c2 = cost([a1, a2])
    points = [(a1, c1), (a2, c2)]
    if c2 == c1 and a1 == top and top > 0:
        (c0,) = cost([ZERO])
        points.append((ZERO, c0))
        if c0 == c1:
            raise _Unmoved(_moves_nothing(component, c1, (ZERO, a2, a1), capped, whose),
                           c1, ", ".join(money_text(a) for a in (ZERO, a2, a1)))
    with localcontext() as ctx:
        ctx.prec = 28
        slope = (c2 - c1) / (a2 - a1)
        guess = a1 + (target - c1) / slope if slope else Decimal(-1)
    if guess > LARGEST:
        _at_largest(target, cost, points, guess, whose)
    elif guess >= 0:
        amount = cents(guess)
        (found,) = cost([amount])
        points.append((amount, found))
        if abs(found - target) <= CENT + abs(slope) * CENT / 2:
            return amount, "linear", found, points
    return _bisect(target, cost, points, capped, whose)  # caps bend the line


def _at_largest(target: Decimal, cost: Cost, points: list[tuple[Decimal, Decimal]],
                guess: Decimal, whose: str) -> None:
    """A line through the amounts tried reaches the target only above the largest amount a
    contract may write: the cost there is added to ``points`` (the bisection's upper end),
    or, below the target, the target cannot be reached."""
    (c,) = cost([LARGEST])
    points.append((LARGEST, c))
    if c < target:
        raise SimulationError(
            f"the target {money_text(target)} per customer{whose} would need an amount of "
            f"about {guess:.3e}, and even {money_text(LARGEST)}, the largest amount a "
            f"contract may write, costs {money_text(c)}: lower the target")


class _Unmoved(SimulationError):
    """No amount of the component changes the cost: why, the cost and the amounts tried."""

    def __init__(self, message: str, cost: Decimal, tried: str) -> None:
        super().__init__(message)
        self.cost, self.tried = cost, tried


def _moves_nothing(component: str, cost: Decimal, amounts: Sequence[Decimal],
                   capped: str | None, whose: str = "") -> str:
    """Why no amount of ``component`` reaches the target: its amount changes nothing. With
    a cost above 0 the cohort is paid, by other components: either a per-customer cap takes
    what this one adds, or it is never earned; said so, not as "pays nothing"."""
    tried = ", ".join(money_text(a) for a in amounts)
    if cost == 0:
        return (f"component {component} pays nothing to this cohort (expected cost 0.00 at "
                f"any amount: {tried} tried): no amount reaches the target")
    why = (f"the per-customer cap ({capped}) already binds for every customer who earns "
           f"{component}, so what it adds is cut again (or it is not earned by this cohort); "
           "raise the cap, or solve for another component" if capped is not None else
           f"{component} is not earned by this cohort; solve for another component")
    return (f"the amount of component {component} moves nothing: the expected cost per "
            f"customer{whose} is {money_text(cost)} at {tried} alike, so no amount reaches the "
            f"target: {why}")


def _bisect(target: Decimal, cost: Cost, points: list[tuple[Decimal, Decimal]],
            capped: str | None = None, whose: str = ""
            ) -> tuple[Decimal, str, Decimal, list[tuple[Decimal, Decimal]]]:
    """Bisection on cents between the amounts bracketing the target (``whose``: the
    customers the cost is per, " of segment S" with --segment, as every message says)."""
    below = [(a, c) for a, c in points if c <= target]
    if not below:
        (c,) = cost([ZERO])
        points.append((ZERO, c))
        if c > target:
            raise SimulationError(f"the other components already cost {money_text(c)} per "
                                  f"customer{whose}, more than the target "
                                  f"{money_text(target)}")
        below = [(ZERO, c)]
    lo = max(below)
    hi = min(((a, c) for a, c in points if c >= target), default=None)
    if hi is None:
        high = min(max(a for a, _ in points) * 4 or Decimal("1000.00"), LARGEST)
        (c,) = cost([high])
        points.append((high, c))
        if c < target:
            # the cap that holds the cost down, where the contract writes it
            which = (f"the per-customer cap ({capped}) binds" if capped is not None else
                     "the component's own cap or the contract ceiling binds")
            raise SimulationError(f"even {money_text(high)} costs {money_text(c)} per "
                                  f"customer{whose}: {which}, so the target cannot be "
                                  "reached; raise the cap, or lower the target")
        hi = (high, c)
    for _ in range(MAX_BISECTIONS):
        if hi[0] - lo[0] <= CENT:
            break
        mid = cents((lo[0] + hi[0]) / 2)
        (c,) = cost([mid])
        points.append((mid, c))
        if c < target:
            lo = (mid, c)
        else:
            hi = (mid, c)
    best = min((lo, hi), key=lambda p: (abs(p[1] - target), p[0]))
    return best[0], "bisection", best[1], points


def amount_error(amount: Decimal, cost: Decimal, points: Sequence[tuple[Decimal, Decimal]],
                 runs: Sequence[RunSums], segment: str | None) -> Decimal | None:
    """The standard error of the solved amount: the standard error of the expected cost at
    it (the runs' spread) over how much the cost moves per euro of the amount there (from
    the evaluated amount nearest it). None from one run, or where the cost does not move."""
    values = cost_per_customer(runs, segment)
    others = [(a, c) for a, c in points if a != amount]
    if len(values) < 2 or not others:
        return None
    near, at = min(others, key=lambda p: (abs(p[0] - amount), p[0]))
    with localcontext() as ctx:
        ctx.prec = 28
        slope = (cost - at) / (amount - near)
        return cents(standard_error(values) / slope) if slope > 0 else None


def expected_cost(runs: Sequence[RunSums], segment: str | None) -> Decimal:
    """The exact mean cost per customer (of ``segment``) over the runs: the mean of the
    runs' figures that ``simulate`` reports (``cost_per_customer``), not rounded."""
    values = cost_per_customer(runs, segment)
    if segment is not None and not values:
        raise SimulationError(f"the cohort has no customers in segment {segment[:40]}")
    return mean(values)
