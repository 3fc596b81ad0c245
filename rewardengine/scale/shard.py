"""What one shard does: read its rows, check them, and evaluate its customers one at a time.

A shard is either a byte range of a file sorted by customer (``Task.shard``: its rows are
read by the usual readers, the same problems at the same rows, and grouped by customer as
they come), or a bucket of the partition pass (``Task.bucket``, ``partition.py``: the
events already read and checked, grouped by customer, the customers taken in id order).
Either way each customer is checked as loading checks every event (an event id repeated or
reused, ``E007`` and ``E008``; providers and segments the contract lacks, ``E013``; a
referral no segment takes, ``E014``), then evaluated as ``engine.evaluate_customer`` does.
What the shard leaves behind: its customers written out in the formats asked for, their
lines in a spool (for the ceiling's cuts and for invoices), the lines in compact form for
the contract ceiling (``ceiling.py``), and the hashes of its event ids, so ids of two
customers are found (``run.py``).

An event id of two customers is settled as the usual reader settles it, over every row with
that id in input order (``fates_of``): a second run is given each such row's fate, so the
problems are the reader's own, and the rows it leaves out are left out of every check.

Everything a shard needs arrives as plain data (``Task``: the contract's bytes, the shard's
byte range or bucket files), so it runs alike in this process, a worker process or a Dask
worker.
"""

from __future__ import annotations

import dataclasses
import operator
import os
import pickle
import zlib
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, BinaryIO

from ..contract.load import Draft, LoadedContract
from ..engine import (
    CustomerResult,
    customer_findings,
    customer_problems,
    evaluate_customer,
)
from ..errors import Problem, Severity, Source
from ..evaluate.employers import EmployerRows, telling_employers_apart
from ..evaluate.lines import Line
from ..events.model import EventBase, Referral
from ..events.timeline import timeline
from ..pipeline import NamedValues, first_referral, load_contract_bytes, segment_problem
from ..privacy import PersonalIdWatch
from ..tabular import Dialect, quoted
from .ceiling import day_of, rank_of
from .partition import bucket_groups, decode, position, read_records
from .plan import Shard, read_rows
from .render import Renderers

Rows = Iterator[tuple[EventBase | None, list[Problem]]]
Position = tuple[int, int]  # the file's place among the inputs, the row
Fates = dict[Position, Problem | None]  # rows of an id two customers share: left out, or kept


@dataclass(frozen=True)
class Task:
    """One shard's work, as plain data."""

    contract: tuple[str, bytes]  # the contract file's name (as given) and bytes
    shard: Shard | None  # a byte range or a file (None: a bucket)
    index: int
    as_of: date
    dialect: Dialect
    spool: str  # a folder for what the shard writes
    formats: tuple[str, ...] = ()  # outputs to write: "json", "jsonl", "csv"
    wanted: frozenset[str] | None = None  # only these customers (None: all)
    keep_lines: bool = False  # spool every customer's lines (invoices, tables)
    bucket: tuple[str, ...] | None = None  # a bucket's files (then ``shard`` is not read)
    fates: Fates | None = None  # rows whose event id two customers share
    check_only: bool = False  # the input has errors already: check, evaluate nothing
    gather: frozenset[int] | None = None  # only collect the rows of these event id hashes
    # validate: with ``check_only``, say which customers no evaluation could evaluate (V001)
    # and the rows it would pass over (V002)
    findings: bool = False

    @property
    def indexed(self) -> bool:
        """Outputs merged by customer id with other shards' (buckets), not copied in turn."""
        return self.bucket is not None


@dataclass(frozen=True)
class Gathered:
    """A row whose event id may be another customer's too, as ``fates_of`` needs it."""

    position: Position
    event_id: str
    customer_id: str
    type: str
    known_on: date
    source: Source


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
    index_file: str | None = None  # customers shown and their outputs' lengths (buckets)
    lines_file: str | None = None  # every customer's lines (``keep_lines``)
    cut_file: str | None = None  # else the lines of customers the ceiling may cut
    lengths: list[bytes] = field(default_factory=list)  # of the customers' texts (render.py)
    ids_file: str | None = None  # the customers evaluated, in order (buckets, a ceiling)
    shown_flags: bytes = b""  # for each customer evaluated: 1 when it is shown
    shown: list[str] = field(default_factory=list)  # the customers shown, with --customer
    shown_count: int = 0
    problem_owners: list[str] = field(default_factory=list)  # customer_problems' customers
    gathered: list[Gathered] = field(default_factory=list)
    last_known: date | None = None  # checking, invoicing: the latest day a row is known on
    # employment rows and those naming no employer, under a contract telling them apart
    employers: EmployerRows | None = None

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
        if task.gather is not None:
            work.gather(task.gather)
        elif task.bucket is not None:
            work.run_bucket(task.bucket)
        else:
            work.run()
    finally:
        work.close()
    return work.result


def id_hash(event_id: str) -> int:
    """A 64-bit hash of an event id, the same in every process."""
    data = event_id.encode("utf-8", "surrogatepass")
    return zlib.crc32(data) | (zlib.crc32(data, 0x9E3779B9) << 32)


def _id_hashes(ids: Iterable[str]) -> list[int]:
    """``id_hash`` of each of ``ids`` (written out here: one call per id cost more than
    its hashing)."""
    crc = zlib.crc32
    return [crc(d) | (crc(d, 0x9E3779B9) << 32)
            for d in [i.encode("utf-8", "surrogatepass") for i in ids]]


class _Work:
    """One shard under way: the customer at hand, and what the shard has found so far."""

    def __init__(self, task: Task, loaded: LoadedContract) -> None:
        self.task = task
        self.loaded = loaded
        self.named = NamedValues.of(Draft.of(loaded))
        self.segments = frozenset(loaded.contract.segment_ids())
        self.result = ShardResult(task.index)
        self.errors = False  # an error among result.problems[:looked_at]
        self.looked_at = 0
        self.hashes = array("Q")
        self.watch = PersonalIdWatch()
        self.sums = [Decimal("0.00")] * 3
        self.evaluate_all = task.wanted is None or \
            loaded.contract.caps.contract_total is not None
        self.renderers = Renderers(loaded, task.formats, task.spool, task.index,
                                   indexed=task.indexed)
        self.shown_flags = array("b")
        self.compact = _Compact()
        if telling_employers_apart(loaded):
            self.result.employers = EmployerRows()
        self.ids: list[str] | None = [] if task.indexed and \
            loaded.contract.caps.contract_total is not None else None
        # the lines to read again: every customer's (invoices), or with a contract ceiling
        # those of the customers it may cut, written again once its cuts are known
        # (``run.render_shard``; most customers have nothing it could cut)
        self.lines_fh: BinaryIO | None = None
        self.spool_all = task.keep_lines
        self.spool: list[tuple[Any, ...]] = []  # customers not yet written to lines_fh
        path = os.path.join(task.spool, f"lines-{task.index}.pkl")
        if task.gather is None and task.keep_lines:
            self.result.lines_file = path
        elif task.gather is None and task.formats and \
                loaded.contract.caps.contract_total is not None:
            self.result.cut_file = path
        if self.result.lines_file or self.result.cut_file:
            self.lines_fh = open(path, "wb")  # noqa: SIM115

    def close(self) -> None:
        self.renderers.close()
        if self.lines_fh is not None:
            self._spool_out()
            self.lines_fh.close()

    def _spool_out(self) -> None:
        """The spooled customers so far written as one batch (``run._spooled`` reads
        batches): one pickle of many customers shares their repeated texts and costs
        less than one per customer."""
        if self.lines_fh is not None and self.spool:
            pickle.dump(self.spool, self.lines_fh, protocol=5)
            self.spool = []

    def rows(self) -> Rows:
        shard = self.task.shard
        assert shard is not None
        yield from read_rows(shard, self.task.dialect, self.watch)
        if not shard.whole:
            self.result.watches[shard.files[0]] = (self.watch.ids, self.watch.first_row)

    def run(self) -> None:
        """A byte range (or a file) sorted by customer: customers as their rows come."""
        current: str | None = None
        group: list[EventBase] = []
        for event, problems in self.rows():
            if problems:
                self.result.problems.extend(problems)
            if event is None:
                continue
            if event.customer_id != current:
                if current is not None:
                    self.customer(current, group, self._positions(group))
                if current is not None and event.customer_id < current:
                    self.result.in_order = False
                    return
                current, group = event.customer_id, []
                if self.result.first is None:
                    self.result.first = current
            group.append(event)
        if current is not None:
            self.customer(current, group, self._positions(group))
        self.result.last = current
        self.finish()

    def _positions(self, group: list[EventBase]) -> list[Position] | None:
        """The rows' places, where ``fates`` asks for them (a file sorted by customer)."""
        return [(0, e.row) for e in group] if self.task.fates else None

    def run_bucket(self, files: tuple[str, ...]) -> None:
        """A bucket of the partition pass: its customers in id order."""
        groups = bucket_groups(files)
        ids = sorted(groups)
        self.result.first = ids[0] if ids else None
        self.result.last = ids[-1] if ids else None
        for cid in ids:
            records = groups.pop(cid)  # the memory of a customer goes once it is done
            self.customer(cid, [decode(r) for r in records],
                          [position(r) for r in records])
        self.finish()

    def gather(self, hashes: frozenset[int]) -> None:
        """Only collect the rows whose event id has one of ``hashes`` (``fates_of``)."""
        if self.task.bucket is not None:
            found: Iterator[tuple[int, EventBase]] = (
                (r[0], decode(r)) for r in read_records(self.task.bucket))
        else:
            found = ((0, e) for e, _ in self.rows() if e is not None)
        for file_index, e in found:
            if id_hash(e.event_id) in hashes:
                self.result.gathered.append(Gathered(
                    (file_index, e.row), e.event_id, e.customer_id,
                    e.type, e.known_on, e.source))  # type: ignore[attr-defined]

    def finish(self) -> None:
        r = self.result
        r.totals = (self.sums[0], self.sums[1], self.sums[2])
        r.id_hashes = self.hashes.tobytes()
        r.ceiling = self.compact.to_bytes()
        r.outputs = self.renderers.files
        r.lengths = [a.tobytes() for a in self.renderers.lengths]
        r.index_file = self.renderers.index_file
        r.shown_flags = self.shown_flags.tobytes()
        if self.ids is not None:
            r.ids_file = os.path.join(self.task.spool, f"ids-{self.task.index}.pkl")
            with open(r.ids_file, "wb") as fh:
                for at in range(0, len(self.ids), 4096):  # read back a batch at a time
                    pickle.dump(self.ids[at:at + 4096], fh, protocol=5)

    def customer(self, customer_id: str, rows: list[EventBase],
                 positions: list[Position] | None) -> None:
        kept, problems, ids = _checked(rows, positions, self.task.fates)
        problems.extend(self.named.check(kept))
        self.result.problems.extend(problems)
        wanted = self.task.wanted
        # nothing is computed from input with errors: only the checks go on
        evaluating = not self.task.check_only and not self._has_errors() and (
            self.evaluate_all or wanted is None or customer_id in wanted)
        as_of = self.task.as_of
        tl = timeline(customer_id, kept, as_of) if evaluating else None
        referrals = [e for e in kept if isinstance(e, Referral)]
        if referrals:
            # the referral that decides the segment, over every referral row: the
            # evaluation's timeline has it when no referral row was recorded after as_of
            first = tl.referral if tl is not None and all(
                r.known_on <= as_of for r in referrals) else first_referral(customer_id,
                                                                           referrals)
            found = segment_problem(self.loaded, self.segments, first)
            if found is not None:
                self.result.problems.append(found)
        self.hashes.extend(_id_hashes(ids))
        if self.result.employers is not None:
            self.result.employers.see(kept)
        if kept and (self.task.check_only or self.task.keep_lines):
            # the data's end, which validate and invoices read (V004): not for an evaluation
            known = max(e.known_on for e in kept)
            if self.result.last_known is None or known > self.result.last_known:
                self.result.last_known = known
        if self.task.findings and not self._has_errors():
            # not errors of the rows: a customer no evaluation could evaluate, or a row it
            # passes over, is told of every one, and dropped by the caller if any shard
            # finds an error
            self.result.customer_problems.extend(
                customer_findings(self.loaded, customer_id, kept))
        if tl is None or not tl.events or self._has_errors():
            return
        result = evaluate_customer(self.loaded, tl)
        self.evaluated(result, wanted is None or customer_id in wanted)

    def _has_errors(self) -> bool:
        """Whether the shard has found an error (problems are only ever added: each is
        looked at once)."""
        problems = self.result.problems
        if not self.errors:
            self.errors = any(p.severity is Severity.ERROR
                              for p in problems[self.looked_at:])
            self.looked_at = len(problems)
        return self.errors

    def evaluated(self, result: CustomerResult, shown: bool) -> None:
        index = self.result.customers
        self.result.customers += 1
        self.compact.add(index, result)
        self.shown_flags.append(shown)
        if self.ids is not None:
            self.ids.append(result.customer_id)
        if self.lines_fh is not None and (self.spool_all or (shown and _cuttable(result))):
            self.spool.append(spooled(result, index, shown))
            if len(self.spool) >= _SPOOL_BATCH:
                self._spool_out()
        if not shown:
            self.renderers.skip(index)
            return
        if self.task.wanted is not None:
            self.result.shown.append(result.customer_id)
        self.result.shown_count += 1
        totals = result.totals
        self.sums[0] += totals.payable
        self.sums[1] += totals.pending
        self.sums[2] += totals.not_earned
        found = customer_problems(result)
        self.result.customer_problems.extend(found)
        self.result.problem_owners.extend([result.customer_id] * len(found))
        self.renderers.customer(index, result)


def spooled(result: CustomerResult, index: int, shown: bool) -> tuple[Any, ...]:
    """What a customer's lines spool holds: enough to render it again and to invoice it
    (its lines as plain tuples: cheaper to write and read than the dataclasses)."""
    ctx = result.context
    return (result.customer_id, index, result.segment, result.provider,
            [_LINE_VALUES(ln) for ln in result.lines], shown, ctx.segment_reason,
            ctx.timeline.voided)


def spooled_lines(values: list[tuple[Any, ...]]) -> list[Line]:
    """The lines of a spool record, as they were."""
    return [Line(*v) for v in values]


_SPOOL_BATCH = 256  # customers in one pickle of a lines spool

_LINE_VALUES = operator.attrgetter(*(f.name for f in dataclasses.fields(Line)))


def _cuttable(result: CustomerResult) -> bool:
    """Whether the contract ceiling could cut any of the customer's lines (``apply_cuts``
    cuts only payable or pending lines with an amount)."""
    return any(ln.status != "not_earned" and ln.amount > 0 for ln in result.lines)


def _checked(rows: list[EventBase], positions: list[Position] | None, fates: Fates | None
             ) -> tuple[list[EventBase], list[Problem], Iterable[str]]:
    """One customer's rows (in input order) as loading checks every row
    (``events.read._collect``): an event id repeated with the same recorded date, or reused
    for another type, is left out. A row whose id another customer has too takes its fate
    from ``fates`` (settled over every customer's rows with that id). Also the kept rows'
    event ids, each once, in order."""
    ids = [e.event_id for e in rows]
    if not fates and len(set(ids)) == len(ids):
        return rows, [], ids  # the usual customer: no id twice, so every row is kept
    kept, problems = _checked_rows(rows, positions, fates)
    return kept, problems, dict.fromkeys([e.event_id for e in kept])


def _checked_rows(rows: list[EventBase], positions: list[Position] | None,
                  fates: Fates | None) -> tuple[list[EventBase], list[Problem]]:
    """``_checked`` row by row: some event id comes twice, or some row has a fate."""
    kept: list[EventBase] = []
    problems: list[Problem] = []
    versions: dict[tuple[str, Any], EventBase] = {}
    first_of: dict[str, EventBase] = {}
    # the checks compare the rows of one id: a row whose id comes once is kept as it is
    once = frozenset() if fates else _once(rows)
    for n, event in enumerate(rows):
        if event.event_id in once:
            kept.append(event)
            continue
        if fates and positions is not None and positions[n] in fates:
            fate = fates[positions[n]]
            if fate is None:
                kept.append(event)
            else:
                problems.append(fate)
            continue
        key = (event.event_id, event.known_on)
        if key in versions:
            problems.append(repeated(event, versions[key].source))
            continue
        first = first_of.get(event.event_id)
        if first is not None and first.type != event.type:  # type: ignore[attr-defined]
            problems.append(reused(event, first.source))
            continue
        versions[key] = event
        first_of.setdefault(event.event_id, event)
        kept.append(event)
    return kept, problems


def _once(rows: list[EventBase]) -> set[str]:
    """The event ids that come in one row only."""
    seen: set[str] = set()
    twice: set[str] = set()
    for event_id in [e.event_id for e in rows]:
        (twice if event_id in seen else seen).add(event_id)
    return seen - twice


def repeated(event: EventBase | Gathered, first: Source) -> Problem:
    """``E007`` as the reader words it."""
    return Problem("E007", f"event id {quoted(event.event_id)} repeats with the same recorded "
                   f"date {event.known_on} (first at {first}); a correction needs a later "
                   "recorded date", event.source)


def reused(event: EventBase | Gathered, first: Source) -> Problem:
    """``E008`` as the reader words it."""
    return Problem("E008", f"event id {quoted(event.event_id)} was first used at {first} "
                   "for another customer or event type", event.source)


def fates_of(rows: list[Gathered]) -> Fates:
    """What the usual reader does with each row of ``rows`` (every row of some event ids,
    from every shard): the reader's ``_collect`` over them in input order. Rows of other ids
    never meet these in it, so the fates are exactly the reader's."""
    fates: Fates = {}
    versions: dict[tuple[str, date], Gathered] = {}
    first_of: dict[str, Gathered] = {}
    for row in sorted(rows, key=lambda r: r.position):
        key = (row.event_id, row.known_on)
        first = first_of.get(row.event_id)
        if key in versions:
            fates[row.position] = repeated(row, versions[key].source)
        elif first is not None and (first.customer_id, first.type) != (row.customer_id,
                                                                       row.type):
            fates[row.position] = reused(row, first.source)
        else:
            fates[row.position] = None
            versions[key] = row
            first_of.setdefault(row.event_id, row)
    return fates


class _Compact:
    """The lines the contract ceiling may cut, in compact columns (see ``ceiling.py``)."""

    def __init__(self) -> None:
        self.rank = array("b")  # payable reduction 0, payable 1, pending reduction 2, ... 3
        self.day = array("l")  # the accrual date's ordinal (no date: after every date)
        self.customer = array("l")  # the customer's place in the shard
        self.pos = array("l")  # the line's place among the customer's by (component, occ.)
        self.cents = array("q")  # the amount in cents (amounts are whole cents)

    def add(self, index: int, result: CustomerResult) -> None:
        lines = result.lines
        # most customers have one line or none: nothing to sort
        order = sorted(range(len(lines)), key=lambda i: (lines[i].component,
                                                         lines[i].occurrence)) \
            if len(lines) > 1 else range(len(lines))
        for pos, i in enumerate(order):
            line = lines[i]
            if line.status == "not_earned":
                continue
            cents = line.amount.scaleb(2)
            if cents != cents.to_integral_value():
                raise ValueError("a line amount that is not whole cents")
            self.rank.append(rank_of(line))
            self.day.append(day_of(line))
            self.customer.append(index)
            self.pos.append(pos)
            self.cents.append(int(cents))

    def to_bytes(self) -> dict[str, bytes]:
        return {"rank": self.rank.tobytes(), "day": self.day.tobytes(),
                "customer": self.customer.tobytes(), "pos": self.pos.tobytes(),
                "cents": self.cents.tobytes()}
