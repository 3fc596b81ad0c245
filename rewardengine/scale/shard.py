"""What one shard does: read its rows, check them, and evaluate its customers one at a time.

A shard holds whole customers, sorted by customer id. Its rows are read by the usual
readers (the same problems, at the same rows), grouped by customer as they come, and each
customer is checked as loading checks every event (an event id repeated or reused, ``E007``
and ``E008``; providers and segments the contract lacks, ``E013``; a referral no segment
takes, ``E014``), then evaluated as ``engine.evaluate_customer`` does. Only one customer's
rows are held at a time. What the shard leaves behind: its customers written out in the
formats asked for, their lines in a spool (for the ceiling's cuts and for invoices), the
lines in compact form for the contract ceiling (``ceiling.py``), and the hashes of its event
ids, so ids reused across shards are found (``run.py``).

Everything a shard needs arrives as plain data (``Task``: the contract's bytes, the shard's
byte range), so it runs alike in this process, a worker process or a Dask worker.
"""

from __future__ import annotations

import os
import pickle
import zlib
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, BinaryIO

from ..contract.load import Draft, LoadedContract
from ..engine import CustomerResult, customer_problems, evaluate_customer
from ..errors import Problem, Severity
from ..events.model import EventBase
from ..events.read import EventSet, iter_file, iter_jsonl_range, iter_range
from ..events.timeline import timeline
from ..pipeline import check_named_values, check_referral_segments, load_contract_bytes
from ..privacy import PersonalIdWatch
from ..tabular import Dialect, quoted
from .plan import Shard
from .render import Renderers

Rows = Iterator[tuple[EventBase | None, list[Problem]]]


@dataclass(frozen=True)
class Task:
    """One shard's work, as plain data."""

    contract: tuple[str, bytes]  # the contract file's name (as given) and bytes
    shard: Shard
    index: int
    as_of: date
    dialect: Dialect
    spool: str  # a folder for what the shard writes
    formats: tuple[str, ...] = ()  # outputs to write: "json", "jsonl", "csv"
    wanted: frozenset[str] | None = None  # only these customers (None: all)
    keep_lines: bool = False  # spool every customer's lines (the ceiling may cut; invoices)


@dataclass
class ShardResult:
    index: int
    problems: list[Problem] = field(default_factory=list)  # reading and checking
    customer_problems: list[Problem] = field(default_factory=list)  # V0xx, customer order
    in_order: bool = True  # customers came sorted by id
    first: str | None = None
    last: str | None = None
    customers: int = 0  # evaluated
    totals: tuple[Decimal, Decimal, Decimal] = (Decimal("0.00"),) * 3
    ceiling: dict[str, bytes] = field(default_factory=dict)  # compact lines (ceiling.py)
    id_hashes: bytes = b""
    watches: dict[str, tuple[set[str], int | None]] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)  # format -> file
    lines_file: str | None = None
    shown: list[str] = field(default_factory=list)  # the customers shown, with --customer

    @property
    def has_errors(self) -> bool:
        return any(p.severity is Severity.ERROR for p in self.problems)


_CONTRACTS: dict[tuple[str, int], LoadedContract] = {}


def contract_of(source: tuple[str, bytes]) -> LoadedContract:
    """The contract from its bytes, loaded once per process."""
    key = (source[0], zlib.crc32(source[1]))
    if key not in _CONTRACTS:
        loaded, _ = load_contract_bytes(source[1], source[0])
        if loaded is None:
            raise ValueError("the contract has errors")
        _CONTRACTS[key] = loaded
    return _CONTRACTS[key]


def run_shard(task: Task) -> ShardResult:
    """Read, check and evaluate one shard (see the module's docstring)."""
    loaded = contract_of(task.contract)
    work = _Work(task, loaded)
    try:
        work.run()
    finally:
        work.close()
    return work.result


def id_hash(event_id: str) -> int:
    """A 64-bit hash of an event id, the same in every process."""
    data = event_id.encode("utf-8", "surrogatepass")
    return zlib.crc32(data) | (zlib.crc32(data, 0x9E3779B9) << 32)


class _Work:
    """One shard under way: the customer at hand, and what the shard has found so far."""

    def __init__(self, task: Task, loaded: LoadedContract) -> None:
        self.task = task
        self.loaded = loaded
        self.draft = Draft.of(loaded)
        self.result = ShardResult(task.index)
        self.hashes = array("Q")
        self.watch = PersonalIdWatch()
        self.sums = [Decimal("0.00")] * 3
        self.evaluate_all = task.wanted is None or \
            loaded.contract.caps.contract_total is not None
        self.renderers = Renderers(loaded, task.formats, task.spool, task.index)
        self.compact = _Compact()
        self.lines_fh: BinaryIO | None = None
        if task.keep_lines:
            self.result.lines_file = os.path.join(task.spool, f"lines-{task.index}.pkl")
            self.lines_fh = open(self.result.lines_file, "wb")  # noqa: SIM115

    def close(self) -> None:
        self.renderers.close()
        if self.lines_fh is not None:
            self.lines_fh.close()

    def rows(self) -> Rows:
        shard, dialect = self.task.shard, self.task.dialect
        if shard.whole:
            for path in shard.files:
                yield from iter_file(path, dialect)
            return
        assert shard.start is not None and shard.end is not None
        path = shard.files[0]
        if shard.jsonl:
            yield from iter_jsonl_range(path, shard.start, shard.end, shard.first_row,
                                        dialect, self.watch)
        else:
            yield from iter_range(path, shard.start, shard.end, shard.first_row, dialect,
                                  (shard.header, shard.cells_in_header, shard.delimiter),
                                  self.watch)
        self.result.watches[path] = (self.watch.ids, self.watch.first_row)

    def run(self) -> None:
        current: str | None = None
        group: list[EventBase] = []
        for event, problems in self.rows():
            self.result.problems.extend(problems)
            if event is None:
                continue
            if event.customer_id != current:
                if current is not None:
                    self.customer(current, group)
                if current is not None and event.customer_id < current:
                    self.result.in_order = False
                    return
                current, group = event.customer_id, []
                if self.result.first is None:
                    self.result.first = current
            group.append(event)
        if current is not None:
            self.customer(current, group)
        self.result.last = current
        self.finish()

    def finish(self) -> None:
        r = self.result
        r.totals = (self.sums[0], self.sums[1], self.sums[2])
        r.id_hashes = self.hashes.tobytes()
        r.ceiling = self.compact.to_bytes()
        r.outputs = self.renderers.files

    def customer(self, customer_id: str, rows: list[EventBase]) -> None:
        kept, problems = _checked(rows)
        events = EventSet(kept)
        problems.extend(check_named_values(self.draft, events))
        problems.extend(check_referral_segments(self.loaded, events))
        self.result.problems.extend(problems)
        seen: set[str] = set()
        for e in kept:
            if e.event_id not in seen:
                seen.add(e.event_id)
                self.hashes.append(id_hash(e.event_id))
        if self.result.has_errors:
            return  # nothing is computed from input with errors: only the checks go on
        wanted = self.task.wanted
        if not self.evaluate_all and wanted is not None and customer_id not in wanted:
            return
        tl = timeline(customer_id, kept, self.task.as_of)
        if not tl.events:
            return
        result = evaluate_customer(self.loaded, tl)
        self.evaluated(result, wanted is None or customer_id in wanted)

    def evaluated(self, result: CustomerResult, shown: bool) -> None:
        index = self.result.customers
        self.result.customers += 1
        self.compact.add(index, result)
        if self.lines_fh is not None:
            pickle.dump(spooled(result, shown), self.lines_fh, protocol=5)
        if not shown:
            self.renderers.skip(index)
            return
        if self.task.wanted is not None:
            self.result.shown.append(result.customer_id)
        totals = result.totals
        self.sums[0] += totals.payable
        self.sums[1] += totals.pending
        self.sums[2] += totals.not_earned
        self.result.customer_problems.extend(customer_problems(result))
        self.renderers.customer(index, result)


def spooled(result: CustomerResult, shown: bool) -> tuple[Any, ...]:
    """What a customer's lines spool holds: enough to render it again and to invoice it."""
    ctx = result.context
    return (result.customer_id, result.segment, result.provider, result.lines, shown,
            ctx.segment_reason, ctx.timeline.voided)


def _checked(rows: list[EventBase]) -> tuple[list[EventBase], list[Problem]]:
    """One customer's rows as loading checks every row (``events.read._collect``): an event
    id repeated with the same recorded date, or reused for another type, is left out."""
    kept: list[EventBase] = []
    problems: list[Problem] = []
    versions: dict[tuple[str, Any], EventBase] = {}
    first_of: dict[str, EventBase] = {}
    for event in rows:
        key = (event.event_id, event.known_on)
        if key in versions:
            problems.append(Problem(
                "E007", f"event id {quoted(event.event_id)} repeats with the same recorded "
                f"date {event.known_on} (first at {versions[key].source}); a correction needs "
                "a later recorded date", event.source))
            continue
        first = first_of.get(event.event_id)
        if first is not None and first.type != event.type:  # type: ignore[attr-defined]
            problems.append(Problem(
                "E008", f"event id {quoted(event.event_id)} was first used at {first.source} "
                "for another customer or event type", event.source))
            continue
        versions[key] = event
        first_of.setdefault(event.event_id, event)
        kept.append(event)
    return kept, problems


class _Compact:
    """The lines the contract ceiling may cut, in compact columns (see ``ceiling.py``)."""

    def __init__(self) -> None:
        self.rank = array("b")  # payable reduction 0, payable 1, pending reduction 2, ... 3
        self.day = array("l")  # the accrual date's ordinal (no date: after every date)
        self.customer = array("l")  # the customer's place in the shard
        self.pos = array("l")  # the line's place among the customer's by (component, occ.)
        self.cents = array("q")  # the amount in cents (amounts are whole cents)

    def add(self, index: int, result: CustomerResult) -> None:
        order = sorted(range(len(result.lines)),
                       key=lambda i: (result.lines[i].component, result.lines[i].occurrence))
        for pos, i in enumerate(order):
            line = result.lines[i]
            if line.status == "not_earned":
                continue
            cents = line.amount.scaleb(2)
            if cents != cents.to_integral_value():
                raise ValueError("a line amount that is not whole cents")
            self.rank.append((0 if line.status == "payable" else 2) + (line.amount >= 0))
            self.day.append(line.date.toordinal() if line.date else date.max.toordinal())
            self.customer.append(index)
            self.pos.append(pos)
            self.cents.append(int(cents))

    def to_bytes(self) -> dict[str, bytes]:
        return {"rank": self.rank.tobytes(), "day": self.day.tobytes(),
                "customer": self.customer.tobytes(), "pos": self.pos.tobytes(),
                "cents": self.cents.tobytes()}
