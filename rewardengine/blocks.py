"""A block of customers drawn as columns (numpy), then written as CSV lines.

Every value of a block is drawn with vectorised ``Generator`` draws, one array per purpose
in a fixed order, so a block is the same whatever process draws it. Days are integer
ordinals (offsets from an anchor day, month offsets by ``months_on``); a segment's
profile is applied to the customers of that segment through masks. Lines carry a customer
index and a sequence number, and a stable sort by both puts each customer's rows in the
order they were drawn in for that customer.

The rows of one kind are held as a ``Part``: each field's cell (a fixed text, or a pattern
with a slot per column) and the columns of texts filling the slots. ``generate`` writes a
part's lines (``Part.lines``); ``simulate`` makes events of the same part's fields
(``Part.fields``, no line made), so both come from the one set of drawn values.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from itertools import pairwise, repeat
from typing import Any, Protocol

import numpy as np

from .cohort import Profile, _Distribution

_EPOCH = date(1970, 1, 1).toordinal()
Array = Any  # a numpy array (kept loose: numpy's typing of ufuncs is noisy)


class _Texts(dict[int, str]):
    """A day's ISO text by its ordinal: the same few thousand days repeat."""

    def __missing__(self, day: int) -> str:
        if len(self) >= 200_000:
            self.clear()
        text = self[day] = date.fromordinal(day).isoformat()
        return text


day_text = _Texts().__getitem__


def iso(days: Array) -> list[str]:
    """ISO texts of ordinals."""
    return list(map(day_text, np.asarray(days, dtype=np.int64).tolist()))


def months_on(days: Array, months: Array) -> Array:
    """``values.add_months`` of ordinals: the same day of the month, clamped to the month's
    last day."""
    d = (np.asarray(days, dtype=np.int64) - _EPOCH).astype("datetime64[D]")
    month = d.astype("datetime64[M]")
    day = (d - month.astype("datetime64[D]")).astype(np.int64)
    target = month + np.asarray(months, dtype=np.int64)
    length = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")
              ).astype(np.int64)
    out = target.astype("datetime64[D]").astype(np.int64) + np.minimum(day, length - 1)
    return out + _EPOCH


def month_first(days: Array) -> Array:
    d = (np.asarray(days, dtype=np.int64) - _EPOCH).astype("datetime64[D]")
    return d.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) + _EPOCH


class Part:
    """Rows of one kind, one per customer-row drawn: ``cells``, each field (in the line's
    order) with its cell's text, where every ``%s`` is a slot; ``columns``, one column of
    texts per slot in that order; ``template``, the whole line (every other column empty)."""

    __slots__ = ("cells", "columns", "n", "template")

    def __init__(self, template: str, cells: tuple[tuple[str, str], ...],
                 columns: Sequence[Sequence[str]]) -> None:
        self.template, self.cells, self.columns = template, cells, tuple(columns)
        self.n = len(self.columns[0]) if self.columns else 0

    def lines(self) -> list[str]:
        """The rows as CSV lines (the text ``generate`` writes)."""
        return joined(self.template, *self.columns)

    @property
    def type(self) -> str:
        """The type of event the rows are (a part's rows are all of one type)."""
        return next(pattern for name, pattern in self.cells if name == "type")

    def fields(self) -> dict[str, Sequence[str] | str]:
        """Each field's texts: a column (one text a row), or one text for every row."""
        out: dict[str, Sequence[str] | str] = {}
        at = 0
        for name, pattern in self.cells:
            slots = pattern.count("%s")
            if not slots:
                out[name] = pattern
            elif pattern == "%s":
                out[name] = self.columns[at]
            else:
                out[name] = joined(pattern, *self.columns[at:at + slots])
            at += slots
        return out

    def row(self, k: int) -> dict[str, str]:
        """Row ``k`` as field -> text, empty cells left out (a file's row as read)."""
        at, out = 0, {}
        for name, pattern in self.cells:
            slots = pattern.count("%s")
            text = pattern % tuple(c[k] for c in self.columns[at:at + slots])
            at += slots
            if text:
                out[name] = text
        return out


class Source(Protocol):
    """Where a block's uniform draws come from: a ``numpy.random.Generator``."""

    def random(self, size: tuple[int, ...]) -> Array: ...


class Block:
    """The columns of one block: its random stream, its customers' segments, and the lines
    drawn so far (with the customer and place each belongs to)."""

    def __init__(self, rng: Source, count: int, segment: Array,
                 profiles: list[Profile]) -> None:
        self.rng, self.n, self.segment, self.profiles = rng, count, segment, profiles
        self.masks = [segment == s for s in range(len(profiles))]
        self.ids: Array = np.empty(0, dtype=object)  # the customers' ids, as texts
        self.owners: list[Array] = []
        self.places: list[Array] = []
        self.parts: list[Part] = []

    def u(self, *shape: int) -> Array:
        return self.rng.random((self.n, *shape))

    def dist(self, get: Callable[[Profile], _Distribution], *shape: int,
             rows: Array | None = None) -> Array:
        """A draw of a profile's distribution for every customer (per its segment)."""
        u, v = self.u(*shape), self.u(*shape)
        out = np.empty(u.shape)
        for mask, profile in zip(self.masks, self.profiles, strict=True):
            if mask.any():
                out[mask] = get(profile).vector(u[mask], v[mask])
        return out

    def share(self, get: Callable[[Profile], Any]) -> Array:
        """A profile's number (a chance, a count) per customer."""
        return np.array([float(get(p)) for p in self.profiles])[self.segment]

    def chance(self, get: Callable[[Profile], Any], *shape: int) -> Array:
        s = self.share(get)
        return self.u(*shape) < (s if not shape else s.reshape(-1, *([1] * len(shape))))

    def add(self, owner: Array, place: Array | int, rows: Part) -> None:
        owner = np.asarray(owner, dtype=np.int64)
        self.owners.append(owner)
        self.places.append(np.broadcast_to(np.asarray(place, dtype=np.int64), owner.shape))
        self.parts.append(rows)

    def order(self, kept: Sequence[bool] | None = None
              ) -> tuple[list[int], list[int], list[int]]:
        """Where the parts' rows (taken part after part) go in customer order (each
        customer's in its order): the rows' indexes in that order; where each customer's
        rows begin (customer ``i`` has ``bounds[i]:bounds[i + 1]``); and each row's number
        among its customer's, from 1, in the parts' order. ``kept``: per part, whether its
        rows are kept; the indexes and bounds are then those of the kept rows alone (taken
        part after part), the numbers still those among all the customer's rows."""
        if not self.owners:
            return [], [0] * (self.n + 1), []
        owner = np.concatenate(self.owners)
        order = np.lexsort((np.concatenate(self.places), owner))
        by_owner = owner[order]
        bounds = np.searchsorted(by_owner, np.arange(self.n + 1))
        numbers = np.empty(order.size, dtype=np.int64)
        numbers[order] = np.arange(order.size) - bounds[by_owner] + 1
        if kept is not None and not all(kept):
            made = np.repeat(np.asarray(kept, dtype=bool), [p.n for p in self.parts])
            among_kept = np.cumsum(made) - 1  # a kept row's index among the kept rows
            kept_in_order = made[order]
            bounds = np.concatenate(([0], np.cumsum(kept_in_order)))[bounds]
            order = among_kept[order[kept_in_order]]
        return order.tolist(), bounds.tolist(), numbers.tolist()

    def by_owner(self) -> tuple[list[str], list[int]]:
        """The block's lines in customer order (each customer's in its order), and where
        each customer's lines begin: customer ``i`` has ``lines[bounds[i]:bounds[i + 1]]``."""
        if not self.owners:
            return [], [0] * (self.n + 1)
        owner = np.concatenate(self.owners)
        place = np.concatenate(self.places)
        lines = [line for part in self.parts for line in part.lines()]
        order = np.lexsort((place, owner))
        bounds = np.searchsorted(owner[order], np.arange(self.n + 1)).tolist()
        return [lines[i] for i in order.tolist()], bounds

    def texts_by_owner(self) -> list[str]:
        """Each customer's lines (in the block's order of customers), as one text each."""
        ordered, bounds = self.by_owner()
        return ["\n".join(ordered[a:z]) for a, z in pairwise(bounds)]

    def text(self) -> str:
        if not self.owners:
            return ""
        owner = np.concatenate(self.owners)
        place = np.concatenate(self.places)
        lines = [line for part in self.parts for line in part.lines()]
        if not lines:
            return ""
        order = np.lexsort((place, owner)).tolist()
        return "\n".join([lines[i] for i in order]) + "\n"


def pick(u: Array, cumulative: tuple[tuple[float, str], ...]) -> Array:
    """Indexes into ``cumulative`` (``Draws.pick``: the first bound above the draw)."""
    bounds = np.array([b for b, _ in cumulative])
    return np.minimum(np.searchsorted(bounds, u, side="right"), len(bounds) - 1)


def within(u: Array, days: Array) -> Array:
    return (u * days).astype(np.int64)


def later(days: Array, add: Array) -> Array:
    return days + add.astype(np.int64)


def as_days(x: Array) -> Array:
    """``int(x)`` of drawn days (toward zero)."""
    return np.trunc(x).astype(np.int64)


def joined(template: str, *cells: Sequence[str]) -> list[str]:
    """Lines of ``template`` (``%s`` at every slot), one column of texts per slot: the
    pieces joined in C (``"".join`` over a zip), several times faster than ``%`` per line."""
    parts = template.split("%s")
    if len(parts) != len(cells) + 1:
        raise ValueError("a template has a slot for every column of texts")
    args: list[Any] = []
    for part, column in zip(parts, cells, strict=False):
        if part:
            args.append(repeat(part))
        args.append(column)
    if parts[-1]:
        args.append(repeat(parts[-1]))
    return list(map("".join, zip(*args, strict=False)))


def texts(values: Sequence[str]) -> Array:
    """Texts as an object array, to be taken by index (``table[index].tolist()``)."""
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out
