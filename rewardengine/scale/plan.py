"""Cutting event files into shards of whole customers, as byte ranges of the files.

A file is cut only when it can be cut exactly: one event file (CSV or JSON Lines) whose CSV
cells hold no quote character (so every line end is a row end, and the row number at any
cut is the count of line ends before it), read without problems in its first chunk. The cuts
fall where the customer id changes, near equal sizes. Whether the file really is sorted by
customer is checked by the shards themselves (each says the first and last customer it saw
and whether they came in order); a file that is not is evaluated another way (``run.py``).
Anything else is one shard: the files read in order, whole, by the usual readers.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
from dataclasses import dataclass

from ..events.read import is_jsonl_file, read_header
from ..tabular import Dialect, LineTooLong, TextSource, Undecodable

SCAN_BYTES = 1 << 23  # the planning scan reads the file in chunks of 8 MB
MIN_SHARD_BYTES = 1 << 20  # a file smaller than this per shard is cut into fewer shards
_WINDOW = 1 << 16  # bytes read around a cut to find the customer's end


@dataclass(frozen=True)
class Shard:
    """A part of the input: ``files`` read whole in order (``start`` is None), or one file's
    bytes ``start..end`` whose first row has number ``first_row``."""

    files: tuple[str, ...]
    start: int | None = None
    end: int | None = None
    first_row: int = 0
    jsonl: bool = False
    header: tuple[str, ...] = ()
    cells_in_header: int = 0
    delimiter: str = ","

    @property
    def whole(self) -> bool:
        return self.start is None


def plan_shards(paths: list[str], dialect: Dialect, shards: int) -> list[Shard]:
    """The input cut into at most ``shards`` shards (one when it cannot be cut exactly)."""
    whole = [Shard(tuple(paths))]
    if shards <= 1 or len(paths) != 1:
        return whole
    try:
        return _cut(paths[0], dialect, shards) or whole
    except (OSError, ValueError, LineTooLong, Undecodable, csv.Error):
        return whole


def _cut(path: str, dialect: Dialect, shards: int) -> list[Shard] | None:
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
    cuts = _customer_cuts(path, start, size, count, ends, jsonl, header, delimiter, dialect)
    out = []
    bounds = [start, *cuts, size]
    for lo, hi in itertools.pairwise(bounds):
        if hi > lo:
            out.append(Shard((path,), lo, hi, first_row + _rows_before(path, ends, lo),
                             jsonl, header, cells, delimiter))
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
                   delimiter: str, dialect: Dialect) -> list[int]:
    column = header.index("customer_id") if not jsonl else -1
    cuts: list[int] = []
    with open(path, "rb") as fh:
        for k in range(1, count):
            target = start + (size - start) * k // count
            cut = _cut_near(fh, target, size, jsonl, column, delimiter, dialect)
            if cut is not None and (not cuts or cut > cuts[-1]) and start < cut < size:
                cuts.append(cut)
    return cuts


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
