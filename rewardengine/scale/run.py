"""Putting the shards together: plan, run every shard, check across them, cut at the ceiling,
write the outputs in customer order.

One file sorted by customer is cut into shards of whole customers and evaluated as it is
read. Anything else — rows of a customer apart, several files, a file that cannot be cut —
is partitioned on disk first (``partition.py``) and evaluated bucket by bucket; the outputs
are merged in customer order. An event id two customers share is settled exactly as the
usual reader settles it (``shard.fates_of``). The same bytes come out either way, for any
number of jobs, shards or buckets, and as the evaluation made whole in memory.

``evaluate_streamed`` returns ``None`` only when the contract has errors: the caller then
loads everything the usual way, to report every problem at once.
"""

from __future__ import annotations

import heapq
import itertools
import pickle
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import IO, Any

import numpy as np

from ..contract.load import LoadedContract
from ..engine import CustomerResult, Evaluation, evaluate_contract_lines
from ..errors import Problem, Severity, Source, has_errors, sorted_problems
from ..evaluate.context import CustomerContext
from ..evaluate.employers import EmployerRows, employer_problems
from ..evaluate.lines import Line, Totals
from ..events.parquet import is_parquet
from ..events.read import once_per_file, unended
from ..events.timeline import Timeline
from ..pipeline import load
from ..privacy import PersonalIdWatch
from ..processes import usable_jobs
from ..tabular import Dialect
from ..values import MAX_DATE
from ..yamlsource import MAX_CONTRACT_BYTES, read_bytes
from .ceiling import Cuts, apply_cuts, ceiling_cuts, columns, cut_customers, taken
from .partition import PartResult, PartTask, bucket_count, partition, pickled_batches
from .plan import Shard, plan_parts, plan_shards
from .render import (
    Body,
    Renderers,
    copied,
    merged,
    write_csv,
    write_document,
    write_jsonl,
    written,
)
from .shard import ShardResult, Task, contract_of, fates_of, run_shard, spooled_lines

Mapper = Callable[[Callable[[Any], Any], list[Any]], list[Any]]


@dataclass
class Streamed:
    """An evaluation made shard by shard; the customers are in the shards' files."""

    loaded: LoadedContract | None
    as_of: date
    problems: list[Problem]  # reading and checking (and the contract's warnings)
    shards: list[ShardResult] = field(default_factory=list)
    contract_lines: list[Line] = field(default_factory=list)
    customer_problems: list[Problem] = field(default_factory=list)
    totals: Totals = field(default_factory=Totals)
    cuts: Cuts = field(default_factory=dict)
    orders: list[np.ndarray] = field(default_factory=list)  # customers' places (ceiling)
    merged: bool = False  # buckets of the partition pass: outputs merged by customer id

    @property
    def last_known(self) -> date | None:
        """The latest day any row is known on (its ``recorded`` date, else its date)."""
        return last_known(self.shards)

    @property
    def ok(self) -> bool:
        return self.loaded is not None and not has_errors(self.problems)

    @property
    def unreadable(self) -> bool:
        return any(p.code.startswith("F") and p.severity is Severity.ERROR
                   for p in self.problems)

    @property
    def shown(self) -> int:
        """How many customers the outputs hold."""
        return sum(s.shown_count for s in self.shards)

    def head(self) -> dict[str, Any]:
        assert self.loaded is not None
        md = self.loaded.contract.metadata
        return {"as_of": self.as_of.isoformat(),
                "contract": {"id": md.id, "version": md.version, "sha256": self.loaded.sha256,
                             "currency": md.currency},
                "contract_lines": [ln.to_dict() for ln in self.contract_lines]}

    def body(self, fmt: str) -> Body:
        """What writes the customers in ``fmt``: the shards' files in turn, or merged."""
        parts = [s.outputs[fmt] for s in self.shards]
        separator = ",\n" if fmt == "json" else ""
        if not self.merged:
            return copied(parts, separator)
        at = list(self.shards[0].outputs).index(fmt) if self.shards else 0
        indexes = [s.index_file for s in self.shards]
        return lambda out: merged(out, at, parts, indexes, separator)

    def write(self, fmt: str, out: IO[str]) -> None:
        """The evaluation in ``fmt`` (json, jsonl, csv), customers from the shards."""
        assert self.loaded is not None
        if fmt == "json":
            write_document(out, self.head(), self.shown, self.body(fmt),
                           self.customer_problems, self.totals)
        elif fmt == "jsonl":
            write_jsonl(out, self.head(), self.body(fmt), self.customer_problems, self.totals)
        else:
            write_csv(out, self.contract_lines, self.loaded.contract.metadata.currency,
                      self.body(fmt))

    def customers(self, keep_all: Callable[[str], bool] = lambda c: True
                  ) -> Iterator[CustomerResult]:
        """The customers shown, in id order, from the lines spools with the cuts applied;
        the lines of the customers ``keep_all`` does not take are only the payable and
        pending ones. Read as they are needed: one customer at a time is held."""
        assert self.loaded is not None
        limit = self.loaded.contract.caps.contract_total
        for cid, n, index, record in heapq.merge(*(
                _spooled(s.lines_file, n) for n, s in enumerate(self.shards)
                if s.lines_file is not None)):
            _, _, segment, provider, values, shown, reason, voided = record
            if not shown:
                continue
            lines = spooled_lines(values)
            if self.cuts and limit is not None:
                lines = apply_cuts(lines, int(self.orders[n][index]), self.cuts, limit)
            if not keep_all(cid):
                lines = [ln for ln in lines if ln.status != "not_earned"]
            yield _slim(self.loaded, self.as_of, cid, segment, provider, lines, reason,
                        voided)

    def evaluation(self, keep_all: Callable[[str], bool] = lambda c: True) -> Evaluation:
        """An ``Evaluation`` with every customer in memory (small runs, tables)."""
        assert self.loaded is not None
        return Evaluation(self.loaded, self.as_of, list(self.customers(keep_all)),
                          self.contract_lines, self.customer_problems)

    def earnings(self) -> StreamedEarnings:
        """The evaluation as invoices and bill checks read it, customers streamed from the
        spools (``invoicing.invoice.Earnings``)."""
        return StreamedEarnings(self)


@dataclass(frozen=True)
class StreamedEarnings:
    """A streamed evaluation for invoicing: each pass over ``customers`` reads the spools
    again, one customer at a time."""

    run: Streamed

    @property
    def loaded(self) -> LoadedContract:
        assert self.run.loaded is not None
        return self.run.loaded

    @property
    def as_of(self) -> date:
        return self.run.as_of

    @property
    def contract_lines(self) -> list[Line]:
        return self.run.contract_lines

    @property
    def problems(self) -> list[Problem]:
        return self.run.customer_problems

    @property
    def customers(self) -> Iterable[CustomerResult]:
        return _Passes(self.run.customers)


class _Passes:
    """An iterable that starts a new pass each time it is iterated."""

    def __init__(self, start: Callable[[], Iterator[CustomerResult]]) -> None:
        self._start = start

    def __iter__(self) -> Iterator[CustomerResult]:
        return self._start()


class _Record(tuple[Any, ...]):
    """A spooled customer, ordered by its customer id only (``heapq.merge``)."""

    def __lt__(self, other: tuple[Any, ...]) -> bool:
        return bool(self[0] < other[0])


def _spooled(path: str, shard: int) -> Iterator[_Record]:
    """A shard's lines spool: (customer id, shard, place in the shard, the record); the
    spool holds batches of records (``shard._Work._spool_out``)."""
    with open(path, "rb") as fh:
        while True:
            try:
                batch = pickle.load(fh)
            except EOFError:
                return
            for record in batch:
                yield _Record((record[0], shard, record[1], record))


def _slim(loaded: LoadedContract, as_of: date, cid: str, segment: str | None,
          provider: str | None, lines: list[Line], reason: str, voided: Any
          ) -> CustomerResult:
    """A customer as invoices read it: its lines, segment and voided events."""
    tl = Timeline(cid, as_of, (), (), tuple(voided))
    ctx = CustomerContext(loaded=loaded, timeline=tl, segment=segment, segment_reason=reason,
                          provider=provider, provider_reason="", service=None,
                          service_reason="", service_ended=False)
    return CustomerResult(cid, segment, provider, lines, ctx)


def local_map(fn: Callable[[Any], Any], items: list[Any], jobs: int) -> list[Any]:
    """``fn`` over ``items`` in this process (one job) or in ``jobs`` worker processes."""
    if usable_jobs(jobs) <= 1 or len(items) <= 1:
        return [fn(x) for x in items]
    with ProcessPoolExecutor(max_workers=min(jobs, len(items))) as pool:
        return list(pool.map(fn, items, chunksize=1))


def evaluate_streamed(contract_path: str, event_paths: Sequence[str], as_of: date, *,
                      spool: str, dialect: Dialect, jobs: int = 1,
                      formats: Sequence[str] = (), wanted: Iterable[str] | None = None,
                      keep_lines: bool = False, mapper: Mapper | None = None,
                      raw: bytes | None = None) -> Streamed | None:
    """Evaluate shard by shard (see the module's docstring); ``mapper`` runs the shards
    (default: ``jobs`` local processes); ``raw``: the contract file's bytes, read already
    (else read here, once: a pipe gives them once)."""
    if raw is None:
        raw, _ = read_bytes(contract_path, MAX_CONTRACT_BYTES)
    state = load(contract_path, raw=raw) if raw is not None else None
    if raw is None or state is None or state.contract is None:
        return None
    base = _task(contract_path, raw, as_of, spool, dialect, formats=tuple(formats),
                 wanted=frozenset(wanted) if wanted is not None else None,
                 keep_lines=keep_lines)
    run = mapper or (lambda fn, items: local_map(fn, items, jobs))
    tasks, results, rows, merged = _read_in_shards(base, event_paths, dialect, jobs, run)
    problems = sorted_problems(once_per_file([*state.problems, *rows]))
    out = Streamed(contract_of(base.contract), as_of, problems, results, merged=merged)
    if not out.ok:
        return out
    _finish(out, tasks, run, wanted is None)
    # said after the customers' own, as ``engine.evaluate`` says it
    out.customer_problems.extend(_employers(contract_of(base.contract), results))
    return out


def _employers(loaded: LoadedContract, results: Sequence[ShardResult]) -> list[Problem]:
    """``V008`` over every shard's employment rows (``evaluate.employers``)."""
    seen = EmployerRows()
    for r in results:
        if r.employers is not None:
            seen.add(r.employers)
    return employer_problems(loaded, seen)


@dataclass
class Checked:
    """What ``check_streamed`` found: every problem of the contract (lint findings among
    them) and of the rows, what was not checked (``P001``), and what the customers' rows
    tell of their evaluation (``V001``, ``V002``: ``engine.customers_findings``, in file and
    row order; none when the rows have errors)."""

    contract: LoadedContract
    problems: list[Problem]
    skipped: list[Problem]
    customers: list[Problem]
    last_known: date | None = None  # the latest day a row is known on (the data's end)


def check_streamed(contract_path: str, raw: bytes, event_paths: Sequence[str], *,
                   spool: str, dialect: Dialect, jobs: int = 1, mapper: Mapper | None = None
                   ) -> Checked | None:
    """The contract (``raw``: its file's bytes) checked and linted, then every row read and
    checked as ``evaluate_streamed`` reads and checks it, shard by shard (memory bounded by
    the largest shard), evaluating nothing. None when the contract has errors."""
    state = load(contract_path, with_lint=True, raw=raw)
    if state.contract is None:
        return None
    base = _task(contract_path, raw, MAX_DATE, spool, dialect, check_only=True,
                 findings=True)
    run = mapper or (lambda fn, items: local_map(fn, items, jobs))
    _, results, rows, _ = _read_in_shards(base, event_paths, dialect, jobs, run)
    problems = sorted_problems(once_per_file([*state.problems, *rows]))
    customers = [] if has_errors(problems) else sorted_problems(
        [*(p for r in results for p in r.customer_problems),
         *_employers(state.contract, results)])
    return Checked(state.contract, problems, state.skipped, customers, last_known(results))


def last_known(results: Sequence[ShardResult]) -> date | None:
    """The latest day a row of any shard is known on (the data's end): kept by the shards
    that check or invoice (``Task.check_only``, ``keep_lines``)."""
    return max((r.last_known for r in results if r.last_known is not None), default=None)


def _task(contract_path: str, raw: bytes, as_of: date, spool: str, dialect: Dialect,
          **options: Any) -> Task:
    """The task every shard's is made from: the contract file's bytes (each process loads
    the contract from them once), the evaluation date and where to write."""
    return Task((contract_path, raw), None, 0, as_of, dialect, spool, **options)


def _read_in_shards(base: Task, event_paths: Sequence[str], dialect: Dialect, jobs: int,
                    run: Mapper) -> tuple[list[Task], list[ShardResult], list[Problem], bool]:
    """The rows read and checked in shards, each evaluated as read unless ``base`` is
    ``check_only``: the shards' tasks and results, the rows' problems, and whether the
    outputs are merged by customer id (buckets of the partition pass)."""
    paths = list(event_paths)
    sorted_run = _sorted(base, paths, dialect, jobs, run) if len(paths) == 1 else None
    if sorted_run is not None:
        tasks, results, reading = sorted_run
    else:
        tasks, results, reading = _partitioned(base, paths, dialect, jobs, run)
    tasks, results = _settle_shared_ids(tasks, results, run)
    return tasks, results, [*reading, *_checks(results)], sorted_run is None


Reading = list[Problem]  # the problems found reading the rows, per file where cut


def _sorted(base: Task, paths: list[str], dialect: Dialect, jobs: int, run: Mapper
            ) -> tuple[list[Task], list[ShardResult], Reading] | None:
    """One file cut into shards of whole customers, evaluated as read; None when it turns
    out not to be sorted by customer."""
    shards = plan_shards(paths, dialect, jobs)
    tasks = [replace(base, shard=shard, index=n) for n, shard in enumerate(shards)]
    results: list[ShardResult] = run(run_shard, tasks)
    kept = _read_on([(0, r.problems) for r in results])
    tasks = [t for t, k in zip(tasks, kept, strict=True) if k]
    shards = [s for s, k in zip(shards, kept, strict=True) if k]
    results = [r for r, k in zip(results, kept, strict=True) if k]
    if not _in_order(results):
        return None
    parts = [(0, s, r.watches) for s, r in zip(shards, results, strict=True)]
    return tasks, results, _file_problems(parts, dialect)


def _partitioned(base: Task, paths: list[str], dialect: Dialect, jobs: int, run: Mapper
                 ) -> tuple[list[Task], list[ShardResult], Reading]:
    """The input partitioned by customer on disk, then evaluated bucket by bucket."""
    parts = plan_parts(paths, dialect, jobs)
    buckets = bucket_count(paths, jobs)
    found: list[PartResult] = run(partition, [
        PartTask(file_index, part, n, dialect, base.spool, buckets)
        for n, (file_index, part) in enumerate(parts)])
    kept = _read_on([(fi, r.problems) for (fi, _), r in zip(parts, found, strict=True)])
    parts = [p for p, k in zip(parts, kept, strict=True) if k]
    found = [r for r, k in zip(found, kept, strict=True) if k]
    reading = [p for r in found for p in r.problems]
    reading += _file_problems([(fi, part, r.watches) for (fi, part), r
                               in zip(parts, found, strict=True)], dialect)
    tasks = [replace(base, index=b, check_only=base.check_only or has_errors(reading),
                     bucket=tuple(r.files[b] for r in found if b in r.files))
             for b in range(buckets)]
    return tasks, run(run_shard, tasks), reading


# problems after which the usual reader reads no more of a file: it cannot be read on
# (F001), its bytes are not its text (F003), a line has no end (F004), its source_row
# numbers stop growing (E017; never a shard's header problem: such a file is read whole)
_STOPS_READING = frozenset({"F001", "F003", "F004", "E017"})


def _read_on(pieces: list[tuple[int, list[Problem]]]) -> list[bool]:
    """Which pieces of files (each with its file's place and its problems, in file order)
    count: none after a piece whose reading stopped, as the file read whole would not read
    them; so the problems are the same for any ``--jobs``."""
    stopped: set[int] = set()
    out = []
    for file_index, problems in pieces:
        out.append(file_index not in stopped)
        if out[-1] and any(p.code in _STOPS_READING for p in problems):
            stopped.add(file_index)
    return out


def _checks(results: list[ShardResult]) -> list[Problem]:
    return [p for r in results for p in r.problems]


def _in_order(results: list[ShardResult]) -> bool:
    if not all(r.in_order for r in results):
        return False
    bounds = [(r.first, r.last) for r in results if r.first is not None]
    return all(a[1] is not None and b[0] is not None and a[1] < b[0]
               for a, b in itertools.pairwise(bounds))


def _settle_shared_ids(tasks: list[Task], results: list[ShardResult], run: Mapper
                       ) -> tuple[list[Task], list[ShardResult]]:
    """Event ids of two customers (by their 64-bit hashes): every row with such an id is
    gathered from every shard and settled as the usual reader settles it; the shards are
    then checked again with those fates, so the problems are exactly the reader's."""
    shared = _shared_hashes(results)
    if not shared:
        return tasks, results
    gathered: list[ShardResult] = run(run_shard, [
        replace(t, gather=shared, formats=(), keep_lines=False) for t in tasks])
    fates = fates_of([g for r in gathered for g in r.gathered])
    if all(f is None for f in fates.values()):
        return tasks, results  # only the hashes were alike: nothing changes
    again = [replace(t, fates=fates, check_only=True) for t in tasks]
    return again, run(run_shard, again)


def _shared_hashes(results: list[ShardResult]) -> frozenset[int]:
    """Hashes of event ids found for more than one customer (each customer's ids are
    hashed once)."""
    hashes = np.concatenate([np.frombuffer(r.id_hashes, dtype=np.uint64) for r in results]
                            or [np.zeros(0, dtype=np.uint64)])
    hashes.sort(kind="stable")
    if len(hashes) < 2:
        return frozenset()
    return frozenset(int(h) for h in np.unique(hashes[1:][hashes[1:] == hashes[:-1]]))


def _file_problems(parts: list[tuple[int, Shard, dict[str, tuple[set[str], int | None]]]],
                   dialect: Dialect) -> list[Problem]:
    """What the usual reader says once per file, for files read in byte ranges: customer ids
    like a henkilötunnus (``E015``), a last row without a line end (``E018``), the encoding
    named (``F005``)."""
    out: list[Problem] = []
    cut_files: dict[tuple[int, str], PersonalIdWatch] = {}
    csv_files: set[str] = set()
    for file_index, shard, watches in parts:
        if shard.whole:
            continue
        if not (shard.jsonl or shard.parquet):
            csv_files.add(shard.files[0])
        watch = cut_files.setdefault((file_index, shard.files[0]), PersonalIdWatch())
        for ids, first in watches.values():
            watch.ids |= ids
            if first is not None and (watch.first_row is None or first < watch.first_row):
                watch.first_row = first
    for (_, path), watch in cut_files.items():
        found = watch.problem(path)
        if found is not None:
            out.append(found)
        last = unended(path) if path in csv_files else None
        if last is not None:
            out.append(last)
        if dialect.encoding is not None and not is_parquet(path):  # Parquet's text is UTF-8
            out.append(Problem("F005", f"read as {dialect.encoding} (named with --encoding)",
                               Source(path)))
    return out


def _finish(out: Streamed, tasks: list[Task], run: Mapper, showing_all: bool) -> None:
    """The contract lines, the ceiling's cuts (with a ceiling the shards write their
    customers now, cut), the customer problems and the totals."""
    loaded = out.loaded
    assert loaded is not None
    contract_lines: list[Line] = []
    if showing_all or loaded.contract.caps.contract_total is not None:
        contract_lines, _ = evaluate_contract_lines(loaded, out.as_of)
    sums = [sum((r.totals[k] for r in out.shards), Decimal("0.00")) for k in range(3)]
    limit = loaded.contract.caps.contract_total
    if limit is not None:
        out.orders = _orders(out)
        shown = [np.frombuffer(r.shown_flags, dtype=np.int8).astype(bool) for r in out.shards]
        cols = columns([r.ceiling for r in out.shards], contract_lines, out.orders, shown)
        out.cuts = ceiling_cuts(limit, cols)
        contract_lines = apply_cuts(contract_lines, -1, out.cuts, limit)
        if tasks and tasks[0].formats:
            if out.cuts:  # else every customer was written as it is
                written = run(render_shard, [(t, r, out.cuts, out.orders[n])
                                             for n, (t, r) in enumerate(zip(
                                                 tasks, out.shards, strict=True))])
                for r, (outputs, index_file, totals) in zip(out.shards, written, strict=True):
                    r.outputs, r.index_file, r.totals = outputs, index_file, totals
                sums = [sum((r.totals[k] for r in out.shards), Decimal("0.00"))
                        for k in range(3)]
        else:
            payable, pending = taken(cols, out.cuts)
            sums = [sums[0] - payable, sums[1] - pending, sums[2]]
    out.contract_lines = contract_lines if showing_all else []
    owned = [(c, p) for r in out.shards for c, p in zip(r.problem_owners, r.customer_problems,
                                                         strict=True)]
    if out.merged:  # a customer's problems stay together and in order: a stable sort
        owned.sort(key=lambda cp: cp[0])
    out.customer_problems = [p for _, p in owned]
    own = Totals.of(out.contract_lines)
    out.totals = Totals(sums[0] + own.payable, sums[1] + own.pending,
                        sums[2] + own.not_earned)


def _orders(out: Streamed) -> list[np.ndarray]:
    """Each shard's customers' places in id order among every shard's (the ceiling's
    accrual order): consecutive for a sorted file, merged from the buckets' ids."""
    if not out.merged:
        offsets = np.cumsum([0, *(r.customers for r in out.shards)])
        return [np.arange(r.customers, dtype=np.int64) + offsets[n]
                for n, r in enumerate(out.shards)]
    orders = [np.zeros(r.customers, dtype=np.int64) for r in out.shards]
    streams = [_ids(r.ids_file, n) for n, r in enumerate(out.shards) if r.ids_file]
    for rank, (_, n, index) in enumerate(heapq.merge(*streams)):
        orders[n][index] = rank
    return orders


def _ids(path: str, shard: int) -> Iterator[tuple[str, int, int]]:
    """A bucket's customers in order: (id, bucket, place in the bucket)."""
    index = 0
    for ids in pickled_batches(path):
        for cid in ids:
            yield cid, shard, index
            index += 1


def render_shard(job: tuple[Task, ShardResult, Cuts, np.ndarray]
                 ) -> tuple[dict[str, str], str | None, tuple[Decimal, Decimal, Decimal]]:
    """A shard's customers written again with the ceiling's cuts (``places``: its customers'
    places in id order): the text the shard wrote for those the cuts leave alone, the
    customers they cut rendered again from the lines spool; and the totals of those shown."""
    task, shard, cuts, places = job
    loaded = contract_of(task.contract)
    limit = loaded.contract.caps.contract_total
    assert limit is not None
    cut = cut_customers(shard.ceiling, places, cuts)
    renderers = Renderers(loaded, task.formats, task.spool, task.index, suffix="-cut",
                          indexed=task.indexed)
    sums = list(shard.totals)
    path = shard.lines_file or shard.cut_file
    records: Iterator[tuple[Any, ...]] = (r[3] for r in _spooled(path, task.index)) \
        if path else iter(())
    shown = np.flatnonzero(np.frombuffer(shard.shown_flags, dtype=np.int8))
    try:
        for index, (cid, texts) in zip(shown.tolist(), written(
                shard.outputs, shard.lengths, shard.index_file), strict=True):
            if index in cut:
                # the spool holds every customer the cuts can reach, in the same order
                record = next(r for r in records if r[1] == index)
                cid, _, segment, provider, values, _, reason, voided = record
                lines = spooled_lines(values)
                before = Totals.of(lines)
                result = _slim(loaded, task.as_of, cid, segment, provider,
                               apply_cuts(lines, int(places[index]), cuts, limit), reason,
                               voided)
                after = result.totals
                sums = [sums[0] - before.payable + after.payable,
                        sums[1] - before.pending + after.pending,
                        sums[2] - before.not_earned + after.not_earned]
                texts = renderers.texts(result)
            renderers.put(cid, texts)
    finally:
        renderers.close()
    return renderers.files, renderers.index_file, (sums[0], sums[1], sums[2])
