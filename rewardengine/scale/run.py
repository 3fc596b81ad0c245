"""Putting the shards together: plan, run every shard, check across them, cut at the ceiling,
write the outputs in customer order.

``evaluate_streamed`` returns ``None`` when the input cannot be streamed exactly (a contract
with errors, a file not sorted by customer, an event id found in two shards): the caller
then evaluates the usual way, in memory, which gives the same bytes.
"""

from __future__ import annotations

import itertools
import os
import pickle
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import IO, Any

import numpy as np

from ..contract.load import LoadedContract
from ..engine import CustomerResult, Evaluation, evaluate_contract_lines
from ..errors import Problem, Severity, Source, has_errors, sorted_problems
from ..evaluate.context import CustomerContext
from ..evaluate.lines import Line, Totals
from ..events.timeline import Timeline
from ..pipeline import load
from ..privacy import PersonalIdWatch
from ..tabular import Dialect
from .ceiling import Cuts, apply_cuts, ceiling_cuts, columns
from .plan import Shard, plan_shards
from .render import Renderers, write_csv, write_document, write_jsonl
from .shard import ShardResult, Task, contract_of, run_shard

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

    @property
    def ok(self) -> bool:
        return self.loaded is not None and not has_errors(self.problems)

    @property
    def unreadable(self) -> bool:
        return any(p.code.startswith("F") and p.severity is Severity.ERROR
                   for p in self.problems)

    def head(self) -> dict[str, Any]:
        assert self.loaded is not None
        md = self.loaded.contract.metadata
        return {"as_of": self.as_of.isoformat(),
                "contract": {"id": md.id, "version": md.version, "sha256": self.loaded.sha256,
                             "currency": md.currency},
                "contract_lines": [ln.to_dict() for ln in self.contract_lines]}

    def write(self, fmt: str, out: IO[str]) -> None:
        """The evaluation in ``fmt`` (json, jsonl, csv), customers copied from the shards."""
        assert self.loaded is not None
        parts = [s.outputs[fmt] for s in self.shards]
        if fmt == "json":
            write_document(out, self.head(), parts, self.customer_problems, self.totals)
        elif fmt == "jsonl":
            write_jsonl(out, self.head(), parts, self.customer_problems, self.totals)
        else:
            write_csv(out, self.contract_lines, self.loaded.contract.metadata.currency, parts)

    def customers(self, keep_all: Callable[[str], bool] = lambda c: True
                  ) -> Iterable[CustomerResult]:
        """The customers from the lines spools, cuts applied; the lines of the customers
        ``keep_all`` does not take are only the payable and pending ones."""
        assert self.loaded is not None
        limit = self.loaded.contract.caps.contract_total
        for s in self.shards:
            if s.lines_file is None:
                continue
            with open(s.lines_file, "rb") as fh:
                for index in range(s.customers):
                    cid, segment, provider, lines, shown, reason, voided = pickle.load(fh)
                    if not shown:
                        continue
                    cut = self.cuts.get((s.index, index))
                    if cut and limit is not None:
                        lines = apply_cuts(lines, cut, limit)
                    if not keep_all(cid):
                        lines = [ln for ln in lines if ln.status != "not_earned"]
                    yield _slim(self.loaded, self.as_of, cid, segment, provider, lines,
                                reason, voided)

    def evaluation(self, keep_all: Callable[[str], bool] = lambda c: True) -> Evaluation:
        """An ``Evaluation`` (for invoices and bills) from the spools."""
        assert self.loaded is not None
        return Evaluation(self.loaded, self.as_of, list(self.customers(keep_all)),
                          self.contract_lines, self.customer_problems)


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
    if jobs <= 1 or len(items) <= 1:
        return [fn(x) for x in items]
    with ProcessPoolExecutor(max_workers=min(jobs, len(items))) as pool:
        return list(pool.map(fn, items, chunksize=1))


def evaluate_streamed(contract_path: str, event_paths: Sequence[str], as_of: date, *,
                      spool: str, dialect: Dialect, jobs: int = 1,
                      formats: Sequence[str] = (), wanted: Iterable[str] | None = None,
                      keep_lines: bool = False, mapper: Mapper | None = None
                      ) -> Streamed | None:
    """Evaluate shard by shard (see the module's docstring); ``mapper`` runs the shards
    (default: ``jobs`` local processes)."""
    state = load(contract_path)
    if state.contract is None:
        return None
    with open(contract_path, "rb") as fh:
        raw = fh.read()
    shards = plan_shards(list(event_paths), dialect, jobs)
    loaded = contract_of((contract_path, raw))
    tasks = [Task((contract_path, raw), shard, n, as_of, dialect, spool, tuple(formats),
                  frozenset(wanted) if wanted is not None else None,
                  keep_lines or loaded.contract.caps.contract_total is not None)
             for n, shard in enumerate(shards)]
    run = mapper or (lambda fn, items: local_map(fn, items, jobs))
    results: list[ShardResult] = run(run_shard, tasks)
    if not _in_order(results) or _ids_shared(results):
        return None
    problems = sorted_problems([*state.problems, *_merged_problems(shards, results, dialect)])
    out = Streamed(loaded, as_of, problems, results)
    if not out.ok:
        return out
    _finish(out, tasks, run, wanted is None)
    return out


def _in_order(results: list[ShardResult]) -> bool:
    if not all(r.in_order for r in results):
        return False
    bounds = [(r.first, r.last) for r in results if r.first is not None]
    return all(a[1] is not None and b[0] is not None and a[1] < b[0]
               for a, b in itertools.pairwise(bounds))


def _ids_shared(results: list[ShardResult]) -> bool:
    """An event id (by its 64-bit hash) of two customers: the in-memory reader then says
    exactly which rows (E007, E008)."""
    hashes = np.concatenate([np.frombuffer(r.id_hashes, dtype=np.uint64) for r in results]
                            or [np.zeros(0, dtype=np.uint64)])
    hashes.sort(kind="stable")
    return bool(len(hashes) > 1 and (hashes[1:] == hashes[:-1]).any())


def _merged_problems(shards: list[Shard], results: list[ShardResult], dialect: Dialect
                     ) -> list[Problem]:
    out = [p for r in results for p in r.problems]
    cut_files: dict[str, PersonalIdWatch] = {}
    for shard, r in zip(shards, results, strict=True):
        for path, (ids, first) in r.watches.items():
            watch = cut_files.setdefault(path, PersonalIdWatch())
            watch.ids |= ids
            if first is not None and (watch.first_row is None or first < watch.first_row):
                watch.first_row = first
        if not shard.whole and shard.files[0] not in cut_files:
            cut_files[shard.files[0]] = PersonalIdWatch()
    for path, watch in cut_files.items():
        found = watch.problem(path)
        if found is not None:
            out.append(found)
        if dialect.encoding is not None:
            out.append(Problem("F005", f"read as {dialect.encoding} (named with --encoding)",
                               Source(path)))
    return out


def _finish(out: Streamed, tasks: list[Task], run: Mapper, showing_all: bool) -> None:
    """The contract lines, the ceiling's cuts (the shards it cut are written again), the
    customer problems and the totals."""
    loaded = out.loaded
    assert loaded is not None
    contract_lines: list[Line] = []
    if showing_all or loaded.contract.caps.contract_total is not None:
        contract_lines, _ = evaluate_contract_lines(loaded, out.as_of)
    limit = loaded.contract.caps.contract_total
    if limit is not None:
        cols = columns([r.ceiling for r in out.shards], contract_lines)
        out.cuts, _, _ = ceiling_cuts(limit, cols)
        contract_lines = apply_cuts(contract_lines, out.cuts.get((-1, -1), {}), limit)
        redo = sorted({s for s, _ in out.cuts if s >= 0})
        if redo:
            again = run(rerender_shard, [(tasks[s], {k[1]: v for k, v in out.cuts.items()
                                                     if k[0] == s}) for s in redo])
            for s, (outputs, totals) in zip(redo, again, strict=True):
                out.shards[s].outputs = outputs
                out.shards[s].totals = totals
    out.contract_lines = contract_lines if showing_all else []
    out.customer_problems = [p for r in out.shards for p in r.customer_problems]
    sums = [sum((r.totals[k] for r in out.shards), Decimal("0.00")) for k in range(3)]
    own = Totals.of(out.contract_lines)
    out.totals = Totals(sums[0] + own.payable, sums[1] + own.pending,
                        sums[2] + own.not_earned)


def rerender_shard(job: tuple[Task, dict[int, dict[int, Decimal]]]
                   ) -> tuple[dict[str, str], tuple[Decimal, Decimal, Decimal]]:
    """A shard's outputs written again from its lines spool, with the ceiling's cuts; and
    the totals of the customers it shows."""
    task, cuts = job
    loaded = contract_of(task.contract)
    limit = loaded.contract.caps.contract_total
    assert limit is not None
    renderers = Renderers(loaded, task.formats, task.spool, task.index, suffix="-cut")
    sums = [Decimal("0.00")] * 3
    path = os.path.join(task.spool, f"lines-{task.index}.pkl")
    try:
        with open(path, "rb") as fh:
            index = 0
            while True:
                try:
                    cid, segment, provider, lines, shown, reason, voided = pickle.load(fh)
                except EOFError:
                    break
                if shown:
                    lines = apply_cuts(lines, cuts.get(index, {}), limit)
                    result = _slim(loaded, task.as_of, cid, segment, provider, lines,
                                   reason, voided)
                    renderers.customer(index, result)
                    totals = result.totals
                    sums = [sums[0] + totals.payable, sums[1] + totals.pending,
                            sums[2] + totals.not_earned]
                index += 1
    finally:
        renderers.close()
    return renderers.files, (sums[0], sums[1], sums[2])
