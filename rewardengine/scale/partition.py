"""Input not sorted by customer, or in several files: partitioned on disk first.

Phase 1 (``partition``, one task per part of the input: a file, or a byte range of one cut at
a line end by ``plan.plan_parts``): the part's rows are read and checked by the usual
readers — the same problems at the same rows as reading the files whole — and every valid
event goes to one of ``buckets`` spool files, chosen by a hash of its customer id, with where
it was read (the file's place among the inputs, and its row).

Phase 2 (a bucket task, ``shard.py``): ``bucket_groups`` reads one bucket from every part,
in input order, so a customer's rows come in the order the usual readers meet them; the
customers are then evaluated one at a time in id order. A process holds one bucket (about
``BUCKET_BYTES`` of input as compact tuples), never the whole input; the outputs of the
buckets are merged in customer order (``render.py``).

An event is spooled as a tuple of its fields' values in the model's order (with the fields
that were given, as a bit mask) and built again without validation: it was valid when read.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, BinaryIO

from pydantic import BaseModel

from ..errors import Problem
from ..events.model import EVENT_MODELS, EventBase
from ..events.parquet import is_parquet, rows_of
from ..privacy import PersonalIdWatch
from ..tabular import Dialect
from .plan import Shard, read_rows

BUCKET_BYTES = 1 << 24  # about this much input per bucket (16 MB: ~200k rows in memory)
ROW_BYTES = 80  # an event row's size as CSV text, about: a Parquet row counts as that much
_FLUSH = 2048  # events kept per bucket before they are written

_TYPES = tuple(EVENT_MODELS)
_NUMBERS = {t: n for n, t in enumerate(_TYPES)}
_NAMES = {t: tuple(m.model_fields) for t, m in EVENT_MODELS.items()}
_CUSTOMER = _NAMES[_TYPES[0]].index("customer_id")  # the same place in every type's fields
_ROW = _NAMES[_TYPES[0]].index("row")
assert all(names[_CUSTOMER] == "customer_id" and names[_ROW] == "row"
           for names in _NAMES.values())
_GET = {t: itemgetter(*names) for t, names in _NAMES.items()}
_MASKS: dict[tuple[str, frozenset[str]], int] = {}
_SETS: dict[tuple[int, int], set[str]] = {}
_BY_SET: dict[int, tuple[set[str], str, int]] = {}  # id of a fields set -> it, type, mask
# an instance's parts, set through the slots pydantic declares (as ``model_construct`` does)
_NEW = object.__new__
_SET_DICT = BaseModel.__dict__["__dict__"].__set__
_SET_FIELDS_SET = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_SET_EXTRA = BaseModel.__dict__["__pydantic_extra__"].__set__
_SET_PRIVATE = BaseModel.__dict__["__pydantic_private__"].__set__

# (file's place among the inputs, type number, the fields' values, the fields given)
Record = tuple[int, int, tuple[Any, ...], int]


def bucket_of(customer_id: str, buckets: int) -> int:
    """A customer's bucket: the same in every process and on every run."""
    return zlib.crc32(customer_id.encode("utf-8", "surrogatepass")) % buckets


def bucket_count(paths: list[str], jobs: int) -> int:
    """Enough buckets that each holds about ``BUCKET_BYTES`` of input, and at least one a
    job."""
    size = 0
    for path in paths:
        with contextlib.suppress(OSError):  # the readers say why it cannot be read
            size += rows_of(path) * ROW_BYTES if is_parquet(path) else os.path.getsize(path)
    return max(jobs, 1, -(-size // BUCKET_BYTES))


def encode(file_index: int, event: EventBase) -> Record:
    kind = event.type  # type: ignore[attr-defined]
    given = event.__pydantic_fields_set__
    # the readers share one set among events that set the same fields: its mask is looked
    # up by the set itself (held here, so its id cannot pass to another set)
    known = _BY_SET.get(id(given))
    if known is not None and known[0] is given and known[1] == kind:
        mask = known[2]
    else:
        key = (kind, frozenset(given))
        if key not in _MASKS:
            _MASKS[key] = sum(1 << i for i, name in enumerate(_NAMES[kind]) if name in given)
        mask = _MASKS[key]
        if len(_BY_SET) >= 4096:
            _BY_SET.clear()
        _BY_SET[id(given)] = (given, kind, mask)
    return (file_index, _NUMBERS[kind], _GET[kind](event.__dict__), mask)


def position(record: Record) -> tuple[int, int]:
    """Where a record's row was read: the file's place among the inputs, and the row."""
    return (record[0], record[2][_ROW])


def decode(record: Record) -> EventBase:
    """The event a record was made from (equal to it, field by field)."""
    _, number, values, mask = record
    kind = _TYPES[number]
    names = _NAMES[kind]
    given = _SETS.get((number, mask))
    if given is None:
        given = {n for i, n in enumerate(names) if mask >> i & 1}
        _SETS[(number, mask)] = given
    model = EVENT_MODELS[kind]
    event = _NEW(model)
    _SET_DICT(event, dict(zip(names, values, strict=True)))
    # one set for the events that set the same fields, as the readers share it (the models
    # are frozen, and pydantic copies the set before changing it)
    _SET_FIELDS_SET(event, given)
    _SET_EXTRA(event, None)
    _SET_PRIVATE(event, None)
    return event


@dataclass(frozen=True)
class PartTask:
    """One part of the input to read and spread over the buckets, as plain data."""

    file_index: int
    part: Shard
    index: int
    dialect: Dialect
    spool: str
    buckets: int


@dataclass
class PartResult:
    index: int
    problems: list[Problem] = field(default_factory=list)
    watches: dict[str, tuple[set[str], int | None]] = field(default_factory=dict)
    files: dict[int, str] = field(default_factory=dict)  # bucket -> its file of this part


def part_file(spool: str, part: int, bucket: int) -> str:
    return os.path.join(spool, f"part-{part}-bucket-{bucket}.pkl")


def partition(task: PartTask) -> PartResult:
    """Read one part and write its events to the buckets (see the module's docstring)."""
    result = PartResult(task.index)
    watch = PersonalIdWatch()
    pending: dict[int, list[Record]] = {}
    handles: dict[int, BinaryIO] = {}
    try:
        for event, problems in read_rows(task.part, task.dialect, watch):
            result.problems.extend(problems)
            if event is None:
                continue
            b = bucket_of(event.customer_id, task.buckets)
            batch = pending.setdefault(b, [])
            batch.append(encode(task.file_index, event))
            if len(batch) >= _FLUSH:
                _write(result, handles, task, b, batch)
                pending[b] = []
        for b, batch in pending.items():
            if batch:
                _write(result, handles, task, b, batch)
    finally:
        for fh in handles.values():
            fh.close()
    if not task.part.whole:
        result.watches[task.part.files[0]] = (watch.ids, watch.first_row)
    return result


def _write(result: PartResult, handles: dict[int, BinaryIO], task: PartTask, bucket: int,
           batch: list[Record]) -> None:
    fh = handles.get(bucket)
    if fh is None:
        path = part_file(task.spool, task.index, bucket)
        fh = handles[bucket] = open(path, "wb")  # noqa: SIM115
        result.files[bucket] = path
    pickle.dump(batch, fh, protocol=5)


def read_records(paths: tuple[str, ...]) -> Iterator[Record]:
    """A bucket's records from every part, in the parts' order."""
    for path in paths:
        for batch in pickled_batches(path):
            yield from batch


def pickled_batches(path: str) -> Iterator[Any]:
    """The batches pickled one after another into a file of this run's own making."""
    with open(path, "rb") as fh:
        while True:
            try:
                yield pickle.load(fh)
            except EOFError:
                return


def bucket_groups(paths: tuple[str, ...]) -> dict[str, list[Record]]:
    """A bucket's records by customer, each customer's in input order."""
    groups: dict[str, list[Record]] = {}
    for record in read_records(paths):
        groups.setdefault(record[2][_CUSTOMER], []).append(record)
    return groups
