"""Cutting event files into shards, as byte ranges of the files.

A file is cut only when it can be cut exactly: an event file (CSV or JSON Lines) whose CSV
cells hold no quote character (so every line end is a row end, and the row number at any
cut is the count of line ends before it), read without problems in its first chunk.

- ``plan_shards``: one file cut where the customer id changes, near equal sizes, so each
  shard holds whole customers. Whether the file really is sorted by customer is checked by
  the shards themselves (each says the first and last customer it saw and whether they came
  in order); a file that is not is partitioned on disk first (``partition.py``). Anything
  else is one shard: the files read in order, whole, by the usual readers.
- ``plan_parts``: every file cut at any line end (a part need not hold whole customers), for
  the partition pass; a file that cannot be cut exactly is one part.

``read_rows`` reads a shard or a part with the usual readers: the same problems at the same
rows as reading the files whole.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass

from ..errors import Problem
from ..events.model import EventBase
from ..events.parquet import EventsFile, Unreadable, is_parquet
from ..events.read import (
    is_jsonl_file,
    iter_file,
    iter_jsonl_range,
    iter_parquet,
    iter_range,
    plain_parquet,
    read_header,
)
from ..privacy import PersonalIdWatch
from ..tabular import Dialect, LineTooLong, TextSource, Undecodable

SCAN_BYTES = 1 << 23  # the planning scan reads the file in chunks of 8 MB
MIN_SHARD_BYTES = 1 << 20  # a file smaller than this per shard is cut into fewer shards
MIN_SHARD_ROWS = 10_000  # as much for a Parquet file, cut by rows (about 1 MB as CSV)
_WINDOW = 1 << 16  # bytes read around a cut to find the customer's end


@dataclass(frozen=True)
class Shard:
    """A part of the input: ``files`` read whole in order (``start`` is None), or one file's
    bytes ``start..end`` whose first row has number ``first_row`` (a Parquet file's rows
    ``start..end``, from 0, when ``parquet``)."""

    files: tuple[str, ...]
    start: int | None = None
    end: int | None = None
    first_row: int = 0
    jsonl: bool = False
    header: tuple[str, ...] = ()
    cells_in_header: int = 0
    delimiter: str = ","
    parquet: bool = False

    @property
    def whole(self) -> bool:
        return self.start is None


def plan_shards(paths: list[str], dialect: Dialect, shards: int) -> list[Shard]:
    """The input cut into at most ``shards`` shards of whole customers (one when it cannot
    be cut exactly)."""
    whole = [Shard(tuple(paths))]
    if shards <= 1 or len(paths) != 1:
        return whole
    try:
        return _cut(paths[0], dialect, shards) or whole
    except (OSError, ValueError, LineTooLong, Undecodable, csv.Error):
        return whole


def plan_parts(paths: list[str], dialect: Dialect, parts: int) -> list[tuple[int, Shard]]:
    """Every file cut into at most ``parts`` parts at line ends, each with the file's place
    among ``paths`` (a file named twice is read twice, as the usual readers do)."""
    out: list[tuple[int, Shard]] = []
    for n, path in enumerate(paths):
        cut = None
        if parts > 1:
            try:
                cut = _cut(path, dialect, parts, any_line=True)
            except (OSError, ValueError, LineTooLong, Undecodable, csv.Error):
                cut = None
        out.extend((n, shard) for shard in (cut or [Shard((path,))]))
    return out


def read_rows(shard: Shard, dialect: Dialect, watch: PersonalIdWatch
              ) -> Iterator[tuple[EventBase | None, list[Problem]]]:
    """The rows of a shard, read and checked by the usual readers; customer ids like a
    henkilötunnus in a byte range go to ``watch`` (a whole file reports its own)."""
    if shard.whole:
        for path in shard.files:
            yield from iter_file(path, dialect)
        return
    assert shard.start is not None and shard.end is not None
    path = shard.files[0]
    if shard.parquet:
        yield from iter_parquet(path, shard.start, shard.end, watch)
    elif shard.jsonl:
        yield from iter_jsonl_range(path, shard.start, shard.end, shard.first_row, dialect,
                                    watch)
    else:
        yield from iter_range(path, shard.start, shard.end, shard.first_row, dialect,
                              (shard.header, shard.cells_in_header, shard.delimiter), watch)


def _cut(path: str, dialect: Dialect, shards: int, any_line: bool = False
         ) -> list[Shard] | None:
    if is_parquet(path):
        return _cut_parquet(path, shards, any_line)
    size = os.path.getsize(path)
    with open(path, "rb") as fh:
        source = TextSource(fh, dialect.encoding)
        head = source.head()
    jsonl = is_jsonl_file(path, head)
    header: tuple[str, ...] = ()
    if jsonl:
        start, first_row, header, cells, delimiter = (3 if source.bom else 0), 1, (), 0, ","
    else:
        found = read_header(head, dialect, source.bom, dialect.encoding)
        if found is None:
            return None
        start, first_row, header, cells, delimiter = found
    count = min(shards, max(1, (size - start) // MIN_SHARD_BYTES))
    if count <= 1:
        return None
    ends = _line_ends(path, start, jsonl)
    if ends is None:
        return None
    cuts = _customer_cuts(path, start, size, count, ends, jsonl, header, delimiter, dialect,
                          any_line)
    out = []
    bounds = [start, *cuts, size]
    for lo, hi in itertools.pairwise(bounds):
        if hi > lo:
            out.append(Shard((path,), lo, hi, first_row + _rows_before(path, ends, lo),
                             jsonl, header, cells, delimiter))
    return out if len(out) > 1 else None


def _cut_parquet(path: str, shards: int, any_line: bool) -> list[Shard] | None:
    """A Parquet file cut into ranges of rows: where the customer id changes near equal
    sizes (at any row for ``any_line``); None: read whole."""
    table = plain_parquet(path)
    if table is None:
        return None
    try:
        return _parquet_shards(path, table, shards, any_line)
    except Unreadable:  # read whole: its reader says what is wrong where
        return None


def _parquet_shards(path: str, table: EventsFile, shards: int, any_line: bool
                    ) -> list[Shard] | None:
    rows = table.rows
    count = min(shards, max(1, rows // MIN_SHARD_ROWS))
    if count <= 1:
        return None
    cuts: list[int] = []
    for k in range(1, count):
        target = rows * k // count
        cut = target if any_line else table.customer_changes(target)
        if cut is not None and (not cuts or cut > cuts[-1]) and 0 < cut < rows:
            cuts.append(cut)
    out = [Shard((path,), lo, hi, lo + 1, parquet=True)
           for lo, hi in itertools.pairwise([0, *cuts, rows]) if hi > lo]
    return out if len(out) > 1 else None


def _line_ends(path: str, start: int, jsonl: bool) -> list[tuple[int, int]] | None:
    """(offset, line ends before it) at the start of every chunk after the header; None when
    a CSV file has a quote character (a quoted cell may hold a line end)."""
    marks = []
    seen = 0
    with open(path, "rb") as fh:
        fh.seek(start)
        pos, last = start, b""
        while True:
            chunk = fh.read(SCAN_BYTES)
            if not chunk:
                break
            if not jsonl and b'"' in chunk:
                return None
            marks.append((pos, seen))
            seen += chunk.count(b"\n") + chunk.count(b"\r") - chunk.count(b"\r\n")
            if last == b"\r" and chunk[:1] == b"\n":
                seen -= 1  # a \r\n cut between two chunks is one line end
            last = chunk[-1:]
            pos += len(chunk)
    marks.append((pos, seen))
    return marks


def _rows_before(path: str, ends: list[tuple[int, int]], at: int) -> int:
    """Line ends between the header's end and ``at`` (``at`` is the start of a line)."""
    base, seen = max(m for m in ends if m[0] <= at)
    with open(path, "rb") as fh:
        fh.seek(max(base - 1, 0))
        data = fh.read(at - base + 1) if base else b"\n" + fh.read(at)
    # the byte before the chunk's start is read too: a \r\n cut there is one line end
    # and was counted at the \r
    body = data[1:]
    pair = 1 if data[:1] == b"\r" and body[:1] == b"\n" else 0
    return seen + body.count(b"\n") + body.count(b"\r") - body.count(b"\r\n") - pair


def _customer_cuts(path: str, start: int, size: int, count: int,
                   ends: list[tuple[int, int]], jsonl: bool, header: tuple[str, ...],
                   delimiter: str, dialect: Dialect, any_line: bool) -> list[int]:
    column = header.index("customer_id") if not jsonl else -1
    cuts: list[int] = []
    with open(path, "rb") as fh:
        for k in range(1, count):
            target = start + (size - start) * k // count
            cut = _line_after(fh, target) if any_line else \
                _cut_near(fh, target, size, jsonl, column, delimiter, dialect)
            if cut is not None and (not cuts or cut > cuts[-1]) and start < cut < size:
                cuts.append(cut)
    return cuts


def _line_after(fh: io.BufferedReader, target: int) -> int | None:
    """The first line start at or after ``target``: just after a ``\\n`` (a ``\\r\\n``
    stays whole; a file whose lines end in ``\\r`` alone is not cut)."""
    base = max(target - 1, 0)
    fh.seek(base)
    nl = fh.read(_WINDOW).find(b"\n")
    return None if nl < 0 else base + nl + 1


def _cut_near(fh: io.BufferedReader, target: int, size: int, jsonl: bool, column: int,
              delimiter: str, dialect: Dialect) -> int | None:
    """The first line start at or after ``target`` where the customer id changes."""
    fh.seek(max(target - _WINDOW, 0))
    data = fh.read(2 * _WINDOW)
    base = max(target - _WINDOW, 0)
    nl = data.find(b"\n", target - base - 1)
    if nl < 0:
        return None
    before = data.rfind(b"\n", 0, nl)
    lines = data[before + 1:].split(b"\n")
    previous = _customer(lines[0], jsonl, column, delimiter, dialect)
    at = base + nl + 1
    for line in lines[1:-1]:
        here = _customer(line, jsonl, column, delimiter, dialect)
        if here is not None and previous is not None and here != previous:
            return at
        previous = here if here is not None else previous
        at += len(line) + 1
    return None


def _customer(line: bytes, jsonl: bool, column: int, delimiter: str,
              dialect: Dialect) -> str | None:
    text = line.decode(dialect.encoding or "utf-8", errors="replace").rstrip("\r")
    if not text.strip():
        return None
    if jsonl:
        try:
            obj = json.loads(text)
        except ValueError:
            return None
        value = obj.get("customer_id") if isinstance(obj, dict) else None
        return value.strip() if isinstance(value, str) else None
    cells = next(csv.reader([text], delimiter=delimiter), [])
    return cells[column].strip() if column < len(cells) else None
