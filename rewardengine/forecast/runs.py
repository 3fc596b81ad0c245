"""Monte Carlo runs: synthetic customers drawn from a cohort, evaluated by the engine.

A run draws ``customers`` customers a block at a time (``synth.draw_block``: the rows
``generate`` writes, as each kind's columns of texts) and makes each block's events of the
drawn rows' fields, with no CSV line (``block_events``: ``fast.drawn_events``, each value by
the reader's check of its field, remembered, the rules between fields, and the compiled
reader's construction; a row it is unsure of goes to ``parse_row`` and the models), so a
simulated customer is exactly the customer a generated file holds. It builds
each timeline as of the horizon and evaluates it with ``engine.evaluate_customer`` — the
evaluation invoicing uses — then cuts the contract ceiling across the run
(``engine.apply_ceiling``). What a run keeps is exact Decimal sums of its payable lines
(``RunSums``); nothing is estimated here.

Random numbers: customer ``i`` of run ``r`` is drawn with its block ``i // BLOCK`` of the
run, a block's columns at once (``synth.draw_block``, the generator ``generate`` writes
files with) from ``Generator(PCG64(SeedSequence(seed, spawn_key=(r, block))))``. So a run
is the same whatever process evaluates it and whatever ``--jobs`` is, and two drafts of a
contract evaluated in the same run see the same customers (common random numbers: each
draws the block from the same stream).
"""

from __future__ import annotations

import csv
import gc
import hashlib
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import compress, pairwise, repeat
from operator import is_
from typing import cast

import numpy as np

from ..blocks import Block
from ..cohort import Cohort
from ..contract.load import LoadedContract
from ..engine import (
    CustomerResult,
    apply_ceiling,
    ceiling_cuts,
    evaluate_contract_lines,
    evaluate_customer,
    events_read,
    read_by_any,
)
from ..evaluate.context import CustomerContext
from ..evaluate.lines import Line
from ..events.fast import TypeReader, compile_header, drawn_events, read_rows
from ..events.model import EventBase
from ..events.read import parse_row
from ..events.timeline import Timeline, timeline
from ..pipeline import load_contract_bytes
from ..processes import usable_jobs
from ..synth import Plan, Row, customer_id, draw_block, make_plan, rows_of
from ..tabular import PLAIN

BLOCK = 1024  # customers per random stream within a run
SIMULATED = "simulated"  # the file name simulated rows cite
ZERO = Decimal(0)
NO_SEGMENT = "-"


class SimulationError(Exception):
    """The contract and cohort cannot be simulated together (the message says why)."""


def stream(seed: int, run: int, block: int) -> np.random.Generator:
    """The random stream of one block of customers of one run."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed,
                                                                     spawn_key=(run, block))))


def to_events(rows: Sequence[Row], file: str = SIMULATED,
              reads: frozenset[str] | None = None) -> list[EventBase]:
    """Rows (field -> text) as events, checked as the event reader checks a file's rows,
    numbered from 1; ``reads``: only the rows of these types of event are made (each keeps
    its number among all the rows)."""
    return [_checked(row, file, n) for n, row in enumerate(rows, start=1)
            if reads is None or row.get("type") in reads]


def _checked(row: Row, file: str, n: int) -> EventBase:
    event, problems = parse_row(row, file, n)  # the reader's own check
    if event is None:
        raise SimulationError(f"a simulated row is not a valid event ({problems[0].code}:"
                              f" {problems[0].message[:80]})")
    return event


_READERS: dict[tuple[str, ...], dict[str, TypeReader]] = {}
READ_AT_ONCE = 4096  # rows read column by column at once (``fast.read_rows``)


def _readers(columns: tuple[str, ...]) -> dict[str, TypeReader]:
    """The compiled readers of the header ``generate`` writes, made once per process."""
    found = _READERS.get(columns)
    if found is None:
        if len(_READERS) >= 100:
            _READERS.clear()
        found = _READERS[columns] = compile_header(list(columns), PLAIN)
    return found


def block_events(plan: Plan, rng: np.random.Generator, cids: list[str],
                 reads: frozenset[str] | None = None) -> list[list[EventBase]]:
    """The events of the customers ``cids`` drawn as one block from ``rng``, per customer,
    made of the drawn rows' fields (``fast.drawn_events``: each value by its field's check,
    remembered, and the rules between fields, with no CSV line made or read), a row it is
    unsure of by ``parse_row``: the events the event reader makes of the lines ``generate``
    writes of the same draws. Each customer's rows are numbered from 1, as ``to_events``
    numbers them. ``reads``: the types of event to make (``engine.events_read``; None:
    all); the rows of other types are drawn all the same (the draws after them stay as
    they are) and left out, keeping their numbers (read and then left out, where the
    block's lines are read)."""
    block = draw_block(plan, rng, cids)
    if not plan.as_written:  # a text the reader unquotes or strips: read the lines
        read = _read_lines(plan, block)
        if reads is None:
            return read
        return [[e for e in events if getattr(e, "type", None) in reads] for events in read]
    kept = [reads is None or part.type in reads for part in block.parts]
    order, bounds, numbers = block.order(kept)
    events: list[EventBase] = []
    at = 0
    for part, keep in zip(block.parts, kept, strict=True):
        if not keep:
            at += part.n
            continue
        fields = part.fields()
        mine = numbers[at:at + part.n]
        made = drawn_events(cast("str", fields["type"]), fields, part.n, SIMULATED, mine)
        for k in compress(range(part.n), map(is_, made, repeat(None))):
            made[k] = _checked(part.row(k), SIMULATED, mine[k])
        events.extend(cast("list[EventBase]", made))
        at += part.n
    done = [events[k] for k in order]
    return [done[a:z] for a, z in pairwise(bounds)]


def _read_lines(plan: Plan, block: Block) -> list[list[EventBase]]:
    """A block's events read from its lines, as a file with ``generate``'s header is read
    (``fast.read_rows``: the rows column by column, every check kept)."""
    lines, bounds = block.by_owner()
    cells = list(csv.reader(lines))
    if len(cells) != len(lines):  # a quoted line end inside a cell: read per customer
        return [to_events(rows_of(plan.columns, "\n".join(lines[a:z])))
                for a, z in pairwise(bounds)]
    numbers = [n for a, z in pairwise(bounds) for n in range(1, z - a + 1)]
    readers, type_at = _readers(plan.columns), plan.columns.index("type")
    events: list[EventBase | None] = []
    for at in range(0, len(cells), READ_AT_ONCE):
        events.extend(read_rows(readers, cells[at:at + READ_AT_ONCE], type_at, SIMULATED,
                                numbers[at:at + READ_AT_ONCE]))
    for k, event in enumerate(events):
        if event is None:  # what the compiled reader leaves to the models
            row = {c: v for c, v in zip(plan.columns, cells[k], strict=True) if v}
            events[k] = _checked(row, SIMULATED, numbers[k])
    done = cast("list[EventBase]", events)
    return [done[a:z] for a, z in pairwise(bounds)]


def default_horizon(loaded: LoadedContract) -> date:
    """The last day any fee can be earned: the contract's end plus the longest service, its
    follow-up and grace (a service may start on the contract's last day)."""
    c = loaded.contract
    end = max(c.metadata.valid_until, c.windows.outcomes_until or c.metadata.valid_until)
    end = c.windows.service.max_length.after(end)
    for extra in (c.windows.follow_up, c.windows.grace):
        if extra is not None:
            end = extra.after(end)
    return end


_MONTHS: dict[date, str] = {}  # a day's month as the sums key it ("2021-03"), made once


def _month_of(day: date) -> str:
    if len(_MONTHS) >= 100_000:
        _MONTHS.clear()
    found = _MONTHS[day] = day.isoformat()[:7]
    return found


@dataclass
class RunSums:
    """One run of one draft: exact sums of the payable lines (after every cap), by what they
    are for. ``uncapped``: the total before the contract ceiling."""

    customers: int = 0
    total: Decimal = ZERO
    uncapped: Decimal = ZERO
    fixed: Decimal = ZERO
    pending: Decimal = ZERO  # still pending at the horizon
    most_one_customer: Decimal = ZERO
    by_component: dict[str, Decimal] = field(default_factory=dict)
    by_segment: dict[str, Decimal] = field(default_factory=dict)
    segment_count: dict[str, int] = field(default_factory=dict)
    by_month: dict[str, Decimal] = field(default_factory=dict)
    by_provider_month: dict[tuple[str, str], Decimal] = field(default_factory=dict)

    @property
    def by_provider(self) -> dict[str, Decimal]:
        """Each member's pay in the run: its months' added up."""
        out: dict[str, Decimal] = {}
        for (who, _), amount in self.by_provider_month.items():
            out[who] = out.get(who, ZERO) + amount
        return out

    @property
    def ceiling_binds(self) -> bool:
        return self.total != self.uncapped

    def add_lines(self, lines: Sequence[Line], basis: dict[str, str], segment: str,
                  horizon: date) -> Decimal:
        """Add one customer's (or the contract's) lines; returns what they pay."""
        paid = ZERO
        by_component, by_month, each_month = self.by_component, self.by_month, \
            self.by_provider_month
        for ln in lines:
            status, amount = ln.status, ln.amount
            if status != "payable":
                if status == "pending":
                    self.pending += amount
                continue
            if not amount:
                continue
            paid += amount
            component = ln.component
            by_component[component] = by_component.get(component, ZERO) + amount
            day = ln.date or horizon
            month = _MONTHS.get(day) or _month_of(day)
            by_month[month] = by_month.get(month, ZERO) + amount
            key = (ln.provider or NO_SEGMENT, month)
            each_month[key] = each_month.get(key, ZERO) + amount
            if basis.get(component) == "fixed":
                self.fixed += amount
        self.total += paid
        self.by_segment[segment] = self.by_segment.get(segment, ZERO) + paid
        return paid

    def add_customer(self, result: CustomerResult, basis: dict[str, str],
                     horizon: date) -> None:
        segment = result.segment or NO_SEGMENT
        self.customers += 1
        self.segment_count[segment] = self.segment_count.get(segment, 0) + 1
        paid = self.add_lines(result.lines, basis, segment, horizon)
        self.most_one_customer = max(self.most_one_customer, paid)


@dataclass(frozen=True)
class Draft:
    """A contract as a worker process evaluates it: loaded once, with its drawing plan."""

    loaded: LoadedContract
    plan: Plan
    basis: dict[str, str]  # component id -> "fixed" or "result"
    contract_lines: tuple[Line, ...]
    # what a customer kept for the run's ceiling pass holds instead of its own context
    bare: CustomerContext
    # the types of event its customers' lines can depend on (``engine.events_read``): a
    # run makes no other event (None: every type)
    reads: frozenset[str] | None

    @property
    def ceiling(self) -> Decimal | None:
        return self.loaded.contract.caps.contract_total


_DRAFTS: dict[tuple[str, str, str, date], Draft] = {}


def draft_of(source: tuple[str, bytes], cohort: Cohort, horizon: date) -> Draft:
    """The draft of a contract's bytes under a cohort, made once per process."""
    key = (source[0], hashlib.sha256(source[1]).hexdigest(), cohort.model_dump_json(),
           horizon)
    if key not in _DRAFTS:
        loaded, problems = load_contract_bytes(source[1], source[0])
        if loaded is None:
            # a contract's own words, never a customer's: said whole, not cut mid-word
            first = problems[0].message if problems else "unreadable"
            raise SimulationError(f"the contract {source[0]} has errors ({first})")
        try:
            plan = make_plan(loaded, cohort, source)
        except ValueError as exc:
            raise SimulationError(str(exc)) from None
        lines, _ = evaluate_contract_lines(loaded, horizon)
        basis: dict[str, str] = {c.id: c.pay_basis() for c in loaded.contract.components}
        bare = CustomerContext(loaded=loaded, timeline=Timeline("", horizon, ()),
                               segment=None, segment_reason="", provider=None,
                               provider_reason="", service=None, service_reason="",
                               service_ended=False)
        _DRAFTS[key] = Draft(loaded, plan, basis, tuple(lines), bare, events_read(loaded))
    return _DRAFTS[key]


@dataclass(frozen=True)
class Job:
    """Runs ``first`` to ``last`` (exclusive) of every draft, for one process."""

    sources: tuple[tuple[str, bytes], ...]
    cohort: Cohort
    seed: int
    first: int
    last: int
    customers: int
    horizon: date


def run_events(plans: Sequence[Plan], seed: int, run: int, customers: int,
               reads: Sequence[frozenset[str] | None] | None = None
               ) -> Iterator[tuple[str, list[list[EventBase]]]]:
    """Every customer of one run, block by block: its id and its events under each plan
    (``block_events``; ``reads``: the types each plan's events are made of, all when left
    out). Each plan draws the block from the same stream (common random numbers)."""
    width = max(7, len(str(max(customers - 1, 0))))
    made = reads if reads is not None else [None] * len(plans)
    for block in range((customers + BLOCK - 1) // BLOCK):
        first = block * BLOCK
        cids = [customer_id(first + i, width) for i in range(min(BLOCK, customers - first))]
        drawn = [block_events(plan, stream(seed, run, block), cids, types)
                 for plan, types in zip(plans, made, strict=True)]
        for i, cid in enumerate(cids):
            yield cid, [events[i] for events in drawn]


def evaluate_run(drafts: Sequence[Draft], seed: int, run: int, customers: int,
                 horizon: date) -> list[RunSums]:
    """One run of every draft, on the same draws."""
    sums = [RunSums() for _ in drafts]
    kept: list[list[CustomerResult]] = [[] for _ in drafts]
    # drafts that draw alike (they differ in prices, say) share one customer's timeline
    like = [next(j for j in range(k + 1) if drafts[j].plan.draws_like(d.plan))
            for k, d in enumerate(drafts)]
    groups = sorted(set(like))
    # drafts sharing a timeline: its events are of the types any of them reads
    reads = [read_by_any(d.reads for k, d in enumerate(drafts) if like[k] == g)
             for g in groups]
    for cid, events in run_events([drafts[g].plan for g in groups], seed, run, customers,
                                  reads):
        drawn = {g: timeline(cid, e, horizon) for g, e in zip(groups, events, strict=True)}
        for k, draft in enumerate(drafts):
            result = evaluate_customer(draft.loaded, drawn[like[k]])
            # summed now: the contract ceiling seldom cuts a run (``_finish`` checks)
            sums[k].add_customer(result, draft.basis, horizon)
            if draft.ceiling is not None:
                kept[k].append(_for_ceiling(result, draft))
    return [_finish(sums[k], draft, kept[k], horizon) for k, draft in enumerate(drafts)]


def _for_ceiling(result: CustomerResult, draft: Draft) -> CustomerResult:
    """What the ceiling pass and the sums read of a customer (its lines, segment and
    provider), without its context and traces: a run keeps every customer until its
    ceiling is cut, and their events and the kinds' notes cost the garbage collector more
    than they are used (never, after the customer is evaluated)."""
    return CustomerResult(result.customer_id, result.segment, result.provider, result.lines,
                          draft.bare)


def _finish(sums: RunSums, draft: Draft, kept: list[CustomerResult], horizon: date
            ) -> RunSums:
    """The run's sums with the contract's own lines, and the contract ceiling cut across
    the run in accrual order (``engine.apply_ceiling``) where the lines ask more than it:
    then the customers' lines are summed again, as cut."""
    lines = list(draft.contract_lines)
    if ceiling_cuts(draft.loaded, kept, lines):
        # what the run asked before the ceiling: the customers' payable lines, summed already
        before = sums.total + sum((ln.amount for ln in lines if ln.status == "payable"), ZERO)
        sums = RunSums()
        kept, lines = apply_ceiling(draft.loaded, kept, lines)
        for result in kept:
            sums.add_customer(result, draft.basis, horizon)
        sums.add_lines(lines, draft.basis, NO_SEGMENT, horizon)
        sums.uncapped = before
        return sums
    sums.add_lines(lines, draft.basis, NO_SEGMENT, horizon)
    sums.uncapped = sums.total
    return sums


def run_job(job: Job) -> list[list[RunSums]]:
    """The job's runs, each a list of sums per draft."""
    drafts = [draft_of(s, job.cohort, job.horizon) for s in job.sources]
    with fewer_collections():
        return [evaluate_run(drafts, job.seed, r, job.customers, job.horizon)
                for r in range(job.first, job.last)]


# Objects made between the garbage collector's passes over the youngest objects, while runs
# are evaluated. A run makes many short-lived objects and almost no cycles, but it keeps a
# block's events and its customers' lines for a while: at the default 700 the collector
# walked them again and again and now and then walked the whole heap (a fifth of a run's
# CPU on omavalmentaja); at 7,000 a tenth as often, and the whole heap not once a run.
RUN_COLLECTION_THRESHOLD = 7_000


@contextmanager
def fewer_collections() -> Iterator[None]:
    """The collector's first threshold at least ``RUN_COLLECTION_THRESHOLD`` inside, set
    back as it was after (this process's setting; nothing else changes; a collector
    switched off stays off)."""
    before = gc.get_threshold()
    if before[0]:  # 0: automatic collection is off, and stays off
        gc.set_threshold(max(before[0], RUN_COLLECTION_THRESHOLD), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


Progress = Callable[[int, int], None]  # (runs done, runs in all)


def run_all(sources: Sequence[tuple[str, bytes]], cohort: Cohort, *, seed: int, runs: int,
            customers: int, horizon: date, jobs: int = 1,
            progress: Progress | None = None) -> list[list[RunSums]]:
    """Every run of every draft, in run order: the same for any ``jobs``."""
    step = max(1, min(25, -(-runs // (max(jobs, 1) * 4))))
    work = [Job(tuple(sources), cohort, seed, a, min(a + step, runs), customers, horizon)
            for a in range(0, runs, step)]
    out: list[list[RunSums]] = []
    if usable_jobs(jobs) <= 1 or len(work) <= 1:
        results: Iterator[list[list[RunSums]]] = map(run_job, work)
        for part in results:
            out.extend(part)
            if progress:
                progress(len(out), runs)
        return out
    draft_of(sources[0], cohort, horizon)  # fail here, in this process, on a bad pair
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for part in pool.map(run_job, work, chunksize=1):
            out.extend(part)
            if progress:
                progress(len(out), runs)
    return out
