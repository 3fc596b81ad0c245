"""Parquet event files (Apache Arrow): their columns as the CSV's text, by record batches.

A Parquet file is read as the CSV of the same rows would be: each column's values become the
CSV's text, and the rows go through the same checks as a CSV file's (``read.table_rows``: the
compiled readers, then the models), so every problem is the CSV's, with the same code and
message. This module is the Arrow side only: the file's columns, their types, and the rows
as cells.

Native types are taken where they are exact (see docs/events.md, "Parquet input"): text
in any column; whole numbers in any column (their digits); dates as date32, date64 or a
timestamp without a time zone (a time other than midnight is written out, and refused as the
CSV refuses ``2021-03-01 10:00:00``); decimals (decimal128, decimal256) in the number columns,
as written (``12.50``); booleans in the yes/no columns; a column of nulls anywhere. Any other
type refuses the file with one problem naming the column (``E017``) before a row is read —
floating-point numbers above all, as money and hours are never read inexactly.

Rows are numbered from 1, the first row of data (a Parquet file has no header row). A file
with a column ``source_row`` (whole numbers the producer kept from its own extract, growing
down the file) has its rows named by those instead.

pyarrow is imported here only, and only when a Parquet file is read or written (the optional
extra ``rewardengine[parquet]``).
"""

from __future__ import annotations

import csv
import itertools
import os
import stat
from collections.abc import Callable, Iterator, Sequence
from typing import Any, BinaryIO, Final, cast

from ..privacy import (
    EVENT_ID_KEYS,
    SPELL_ID_KEYS,
    IdRewrite,
    customer_column,
    id_column,
    refuse_too_long,
)
from ..tabular import MAX_FIELD_CHARS
from .fast import DATE_FIELDS, NUMBER_FIELDS

MAGIC: Final = b"PAR1"
SOURCE_ROW: Final = "source_row"
BATCH_ROWS: Final = 65_536  # rows converted at a time: memory stays bounded
ROW_GROUP_ROWS: Final = 131_072  # rows per row group of the files written here
INSTALL: Final = "Parquet files need pyarrow: install rewardengine[parquet]"
YES_NO_FIELDS: Final = frozenset({"void", "responded", "partial_work_ability"})
WHOLE_FIELDS: Final = frozenset({"benefit_days", "days", "cumulative_days"})
MONEY_FIELDS: Final = frozenset({"amount", "wage"})


# a record batch's rows: their numbers, their cells, rows with a cell over the limit
Block = tuple[list[int], Iterator[list[str]], dict[int, str]]


class Unreadable(Exception):
    """The file cannot be read as Parquet (the message says why; no customer data)."""


class NotText(Unreadable):
    """A text column holding bytes that are not UTF-8 (Parquet's text is UTF-8): the
    column and the first such row; the rest of the file is not read, as a CSV file's."""

    def __init__(self, column: str, row: int) -> None:
        super().__init__(f"column {column!r} holds text that is not UTF-8")
        self.row = row


def is_parquet(path: str) -> bool:
    """A file read as Parquet: by its name, else by the magic bytes it starts with."""
    if path.lower().endswith(".parquet"):
        return True
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            # a pipe (/dev/stdin, <(...)) is read once, as text: reading its first bytes
            # here would take them from the reader (Parquet needs a file it can seek in)
            return False
        with open(path, "rb") as fh:
            return fh.read(4) == MAGIC
    except OSError:
        return False


def arrow() -> Any:
    """pyarrow's Parquet module, or Unreadable saying how to install it."""
    try:
        import pyarrow.parquet as pq  # an optional extra: imported only when asked for
    except ImportError:
        raise Unreadable(INSTALL) from None
    return pq


class EventsFile:
    """A Parquet event file open for reading: its columns and its rows as text cells."""

    def __init__(self, path: str) -> None:
        pq = arrow()
        try:
            open(path, "rb").close()
        except OSError as exc:
            raise Unreadable(_why(exc)) from None
        try:
            # pages read as they are decoded, not a row group's column chunks at once
            self._file = pq.ParquetFile(path, buffer_size=1 << 20, pre_buffer=False)
        except Exception as exc:  # pyarrow's ArrowInvalid and kin: not a Parquet file
            raise Unreadable(_not_read(path, exc)) from None
        schema = self._file.schema_arrow
        meta = self._file.metadata
        # each row group's first row (from 0), then the number of rows: made once
        self._firsts: list[int] = list(itertools.accumulate(
            (meta.row_group(g).num_rows for g in range(meta.num_row_groups)), initial=0))
        self.names: list[str] = [n for n in schema.names if n != SOURCE_ROW]
        # each name's column in the file, from 1 (``source_row`` keeps its place)
        self.positions = [k for k, n in enumerate(schema.names, start=1) if n != SOURCE_ROW]
        self.numbered = SOURCE_ROW in schema.names
        self.rows: int = self._file.metadata.num_rows
        # by position: a file may name two columns alike (the header check says so)
        self._types = [schema.field(k - 1).type for k in self.positions]
        self.broken: str | None = None  # source_row numbers that do not grow (reading stops)

    def type_problems(self, fields: Sequence[str]) -> list[str]:
        """Columns whose type is not read exactly, as messages (``fields``: the columns'
        field names, in order)."""
        out = []
        for name, kind in zip(fields, self._types, strict=True):
            why = _refused(name, kind)
            if why is not None:
                out.append(f"column {name!r} {why}")
        names = self._file.schema_arrow.names
        if names.count(SOURCE_ROW) > 1:
            out.append(f"column {SOURCE_ROW!r} appears {names.count(SOURCE_ROW)} times")
        elif self.numbered:
            kind = self._file.schema_arrow.field(SOURCE_ROW).type
            if not _arrow_types().is_integer(kind):
                out.append(f"column {SOURCE_ROW!r} is {kind}; it must hold whole numbers (the "
                           "producer's row numbers)")
        return out

    def blocks(self, start: int = 0, end: int | None = None) -> Iterator[Block]:
        """Rows ``start..end`` (from 0), a record batch at a time: their numbers, their cells
        as text, and the rows with a cell longer than MAX_FIELD_CHARS (number -> column). A
        ``source_row`` that does not grow sets ``broken`` and ends the rows."""
        end = self.rows if end is None else end
        before = 1 if start > 0 and self.numbered else 0  # its source_row precedes the range's
        first = start - before
        groups, at = self._groups(first, end)
        columns = [*self.names, SOURCE_ROW] if self.numbered else self.names
        previous = 0
        for batch in self._batches(groups, columns):
            lo, hi = max(first - at, 0), min(end - at, batch.num_rows)
            at += batch.num_rows
            if hi <= lo:
                continue
            part = batch.slice(lo, hi - lo)
            numbers = self._numbers(part, at - batch.num_rows + lo)
            skip = 0
            if before:
                previous, before, skip = numbers[0], 0, 1
            stop = len(numbers)
            if self.numbered:
                found = _growing(numbers, skip, previous)
                if found is not None:
                    stop, self.broken = found
                previous = numbers[stop - 1] if stop > skip else previous
            if stop > skip:
                part, numbers = part.slice(skip, stop - skip), numbers[skip:stop]
                texts: list[list[str]] = []
                too_long: dict[int, str] = {}
                for i, name in enumerate(self.names):
                    values, long_rows = _text(part.column(i), name, numbers)
                    texts.append(values)
                    for n in long_rows:
                        too_long.setdefault(numbers[n], name)
                # tuples, read as a CSV row's list of cells is (indexed, counted, never changed)
                rows = cast("Iterator[list[str]]", zip(*texts, strict=True))
                yield numbers, rows, too_long
            if self.broken is not None:
                return

    def _batches(self, groups: list[int], columns: list[str]) -> Iterator[Any]:
        """The record batches of ``groups``, group by group; a damaged one raises Unreadable
        naming the group and its rows (counted from the first row of data)."""
        for group in groups:
            batches = self._file.iter_batches(batch_size=BATCH_ROWS, row_groups=[group],
                                              columns=columns, use_threads=False)
            while True:
                try:
                    batch = next(batches)
                except StopIteration:
                    break
                except Exception as exc:  # pyarrow's errors of a damaged page or footer
                    raise self._damaged(group, exc) from None
                yield batch

    def _damaged(self, group: int, exc: BaseException) -> Unreadable:
        """A damaged row group, named with its rows (counted from the first row of data)."""
        return Unreadable(f"a damaged Parquet file: row group {group + 1} of "
                          f"{len(self._firsts) - 1}, rows {self._firsts[group] + 1}-"
                          f"{self._firsts[group + 1]} ({_why(exc)})")

    def _numbers(self, part: Any, first: int) -> list[int]:
        if self.numbered:
            at = part.schema.names.index(SOURCE_ROW)  # the first, if named twice
            values: list[int | None] = part.column(at).to_pylist()
            return [v if v is not None else 0 for v in values]
        return list(range(first + 1, first + 1 + part.num_rows))

    def _groups(self, first: int, end: int) -> tuple[list[int], int]:
        """The row groups holding rows ``first..end``, and the first one's first row."""
        starts = self._firsts
        groups = [g for g in range(len(starts) - 1) if starts[g + 1] > first and starts[g] < end]
        return groups, starts[groups[0]] if groups else 0

    def customer_changes(self, target: int) -> int | None:
        """The first row at or after ``target`` (from 0) whose customer id differs from the
        row before's, within the row groups around it (None: none there)."""
        starts = self._firsts
        groups = [g for g in range(len(starts) - 1) if starts[g + 1] > target - 1][:2]
        if not groups or target < 1:
            return None
        before = starts[groups[0]]
        try:
            table = self._file.read_row_groups(groups, columns=[self._customer_column()],
                                               use_threads=False)
        except Exception as exc:  # pyarrow's errors of a damaged page (of any class)
            raise self._damaged(groups[0], exc) from None
        ids = [str(v).strip() if v is not None else "" for v in table.column(0).to_pylist()]
        for i in range(max(target - before, 1), len(ids)):
            if ids[i] != ids[i - 1]:
                return before + i
        return None

    @property
    def schema(self) -> Any:
        """The file's Arrow schema (``source_row`` included)."""
        return self._file.schema_arrow

    def row_groups(self) -> Iterator[tuple[Any, list[int]]]:
        """Each row group whole (every column) with its rows' numbers (from ``source_row``
        when it holds whole numbers, else from 1); a damaged file raises Unreadable."""
        names = self.schema.names
        by_source = self.numbered and names.count(SOURCE_ROW) == 1 and \
            _arrow_types().is_integer(self.schema.field(SOURCE_ROW).type)
        for group, first in enumerate(self._firsts[:-1]):
            try:
                part = self._file.read_row_group(group, use_threads=False)
            except Exception as exc:  # pyarrow's errors of a damaged page or footer
                raise self._damaged(group, exc) from None
            yield part, (self._numbers(part, first) if by_source else
                         list(range(first + 1, first + 1 + part.num_rows)))

    def compression(self) -> str:
        """The codec of the file's first column chunk, as pyarrow's writer names it."""
        meta = self._file.metadata
        if not meta.num_row_groups or not meta.num_columns:
            return "snappy"  # pyarrow's own default
        codec = str(meta.row_group(0).column(0).compression).lower()
        return {"uncompressed": "none", "lz4_raw": "lz4"}.get(codec, codec)

    def _customer_column(self) -> str:
        return next(n for n in self.names if n.lower() == "customer_id")


def rows_of(path: str) -> int:
    """How many rows a Parquet file has (0 when it cannot be read: its reader says why)."""
    try:
        return EventsFile(path).rows
    except Unreadable:
        return 0


def _not_read(path: str, exc: BaseException) -> str:
    """Why a file is not opened as Parquet: a damaged one starts with Parquet's magic
    bytes; another kind of file does not (a text one is likely CSV or JSON Lines named
    .parquet)."""
    with open(path, "rb") as fh:
        head = fh.read(512)
    if head.startswith(MAGIC):
        return f"a damaged Parquet file ({_why(exc)})"
    text = head.decode("utf-8", "ignore")  # a character cut at the end is dropped
    if text.strip() and all(c.isprintable() or c in "\t\r\n" for c in text):
        return "not a Parquet file: it is text (a CSV or JSON Lines file named .parquet?)"
    return f"not a Parquet file ({_why(exc)})"


def _why(exc: BaseException) -> str:
    """An error's words, short and on one line (pyarrow's may name a path, never a value
    of a row, but may span lines)."""
    text = " ".join(str(getattr(exc, "strerror", None) or exc or type(exc).__name__).split())
    return text if len(text) <= 200 else text[:197] + "..."


def _arrow_types() -> Any:
    import pyarrow.types as pt  # loaded with pyarrow.parquet
    return pt


def _refused(name: str, kind: Any) -> str | None:
    """Why a column of type ``kind`` holding field ``name`` is not read, or None."""
    pt = _arrow_types()
    if pt.is_dictionary(kind):
        kind = kind.value_type
    if pt.is_string(kind) or pt.is_large_string(kind) or pt.is_null(kind) \
            or pt.is_integer(kind) or _is_string_view(kind):
        return None
    if pt.is_floating(kind) and name in WHOLE_FIELDS:
        return (f"holds floating-point numbers ({kind}); write whole numbers as int32 (pandas "
                "writes a whole-number column with missing values as floats: make it Int32)")
    if pt.is_floating(kind):
        return (f"holds floating-point numbers ({kind}), which are not exact; write money, "
                "hours and other numbers as decimal128 or as text")
    if name in DATE_FIELDS and (pt.is_date(kind) or (pt.is_timestamp(kind) and kind.tz is None)):
        return None
    if name in DATE_FIELDS and pt.is_timestamp(kind):
        return f"is {kind}, a time with a time zone; write dates as date32 or as text"
    if name in NUMBER_FIELDS and pt.is_decimal(kind):
        return None
    if name in YES_NO_FIELDS and pt.is_boolean(kind):
        return None
    return f"is {kind}, which is not read for this field; write it as text"


def _is_string_view(kind: Any) -> bool:
    check = getattr(_arrow_types(), "is_string_view", None)
    return bool(check(kind)) if check is not None else False


def _text(column: Any, name: str, numbers: list[int]) -> tuple[list[str], list[int]]:
    """A column's values as the CSV's text ("" for a null), and the rows (from 0) whose text
    is longer than MAX_FIELD_CHARS; NotText when a value's bytes are not UTF-8 (``name``,
    ``numbers``: the column's name and its rows' numbers, to say where)."""
    try:
        return _text_of(column)
    except (UnicodeDecodeError, ValueError):  # pyarrow's ArrowInvalid is a ValueError
        raise NotText(name, numbers[_first_not_text(column)]) from None


def _first_not_text(column: Any) -> int:
    """The first row (from 0) of a column whose value is not text (only when one is)."""
    for n in range(len(column)):
        try:
            column[n].as_py()
        except (UnicodeDecodeError, ValueError):
            return n
    return 0


def _text_of(column: Any) -> tuple[list[str], list[int]]:
    import pyarrow as pa
    import pyarrow.compute as pc
    if column.null_count == len(column):
        return [""] * len(column), []  # a column this batch does not use: most are
    kind = column.type
    if pa.types.is_dictionary(kind):
        # a cast decodes a record batch's array and a row group's chunked column alike
        column = pc.cast(column, kind.value_type)
        kind = column.type
    if pa.types.is_timestamp(kind):
        day = pc.cast(column, pa.date32(), safe=False)
        midnight = pc.equal(pc.cast(day, kind), column)
        column = pc.if_else(midnight, pc.cast(day, pa.string()), pc.cast(column, pa.string()))
    elif not pa.types.is_string(kind):
        column = pc.cast(column, pa.string())
    lengths = pc.utf8_length(column)
    longest = pc.max(lengths).as_py()
    too_long = [] if longest is None or longest <= MAX_FIELD_CHARS else [
        n for n, length in enumerate(lengths.to_pylist())
        if length is not None and length > MAX_FIELD_CHARS]
    if column.null_count:
        column = column.fill_null("")
    values: list[str] = column.to_pylist()
    return values, too_long


def _growing(numbers: list[int], skip: int, previous: int) -> tuple[int, str] | None:
    """Where source_row numbers (from ``skip``) stop growing from ``previous``, and why."""
    for n in range(skip, len(numbers)):
        number = numbers[n]
        if number < 1:
            return n, (f"column {SOURCE_ROW!r}: a row without a whole number of at least 1 "
                       f"(after row {previous})" if previous else
                       f"column {SOURCE_ROW!r}: a row without a whole number of at least 1")
        if number <= previous:
            return n, (f"column {SOURCE_ROW!r}: row {number} comes after row {previous}; the "
                       "producer's row numbers must grow down the file")
        previous = number
    return None


# --- writing: the CSV text of events as a Parquet file with typed columns --------------------

def write_from_csv(text: BinaryIO, out: BinaryIO) -> int:
    """The events of CSV ``text`` (a header row, the engine's plain dialect) written to
    ``out`` as Parquet, streamed by blocks: dates as date32, yes/no fields as booleans,
    whole-number fields as int32, money (``amount``, ``wage``) as decimal128 with two
    decimals, every other column as text, hours and the like with the decimals the CSV
    gives them (an output shows a quantity as written: ``2.5`` hours, not ``2.50``). Returns
    the rows written."""
    pq = arrow()
    import pyarrow as pa
    import pyarrow.csv as pcsv
    header = next(csv.reader([text.readline().decode("utf-8-sig")]), [])
    text.seek(0)
    types = {name: _written_type(pa, name) for name in header}
    reader = pcsv.open_csv(text, read_options=pcsv.ReadOptions(block_size=1 << 24),
                           convert_options=pcsv.ConvertOptions(
                               column_types=types, strings_can_be_null=True,
                               quoted_strings_can_be_null=False,
                               true_values=["true"], false_values=["false"]))
    schema = pa.schema([(name, types[name]) for name in header])
    rows = 0
    pending: list[Any] = []
    with pq.ParquetWriter(out, schema) as writer:
        for batch in reader:
            pending.append(batch)
            rows += batch.num_rows
            if sum(b.num_rows for b in pending) >= ROW_GROUP_ROWS:
                writer.write_table(pa.Table.from_batches(pending, schema),
                                   row_group_size=ROW_GROUP_ROWS)
                pending = []
        if pending or rows == 0:
            writer.write_table(pa.Table.from_batches(pending, schema),
                               row_group_size=ROW_GROUP_ROWS)
    return rows


def _written_type(pa: Any, name: str) -> Any:
    if name in DATE_FIELDS:
        return pa.date32()
    if name in YES_NO_FIELDS:
        return pa.bool_()
    if name in WHOLE_FIELDS:
        return pa.int32()
    if name in MONEY_FIELDS:  # cents, as a register keeps money (a third decimal refused)
        return pa.decimal128(18, 2)
    return pa.string()  # hours and the like keep their own decimals: outputs show them


# --- pseudonymizing: the customer column replaced, the rest as it was -------------------------

def _as_read(cell: str, row: int) -> str:
    """A customer cell as the reader takes it: trimmed, once its length as written is
    checked."""
    refuse_too_long(cell, row)
    return cell.strip()


def rewrite_customers(path: str, out: BinaryIO | None, columns: Sequence[str],
                      replace: Callable[[str, int], str],
                      ids: IdRewrite | None = None) -> None:
    """The Parquet file at ``path`` written to ``out`` (nothing written when None) with each
    customer id replaced by ``replace(id, row)`` (rows numbered as when read), and with
    ``ids`` inside the row's event id too; every other column, the schema and the row groups
    as they were, the customer column (and a rewritten event id column) as text (a pseudonym
    is text). ``columns``: the customer column's possible names, first found wins. Raises
    Unreadable, or RewriteError when no customer column is found."""
    pq = arrow()
    import pyarrow as pa
    table = EventsFile(path)  # Unreadable when it is not a Parquet file
    names = table.schema.names
    at = customer_column(names, columns, None)  # by position: one only
    # the event id and the spell id (which may have any length), found by name
    events = [(i, keys is EVENT_ID_KEYS) for keys in (EVENT_ID_KEYS, SPELL_ID_KEYS)
              for i in [id_column(names, keys) if ids is not None else None] if i is not None]
    schema = table.schema
    schema = schema.set(at, schema.field(at).with_type(pa.string()))
    for event, _ in events:
        if not pa.types.is_string(schema.field(event).type) and not \
                pa.types.is_large_string(schema.field(event).type):
            schema = schema.set(event, schema.field(event).with_type(pa.string()))
    writer = pq.ParquetWriter(out, schema, compression=table.compression()) \
        if out is not None else None
    try:
        for part, numbers in table.row_groups():
            texts, _ = _text(part.column(at), names[at], numbers)
            nulls = part.column(at).is_null().to_pylist()
            read = [None if null or not v.strip() else _as_read(v, n)
                    for v, null, n in zip(texts, nulls, numbers, strict=True)]
            new = [None if null else v if r is None else replace(r, n)
                   for v, r, null, n in zip(texts, read, nulls, numbers, strict=True)]
            for event, limited in events:
                assert ids is not None  # columns of ids are only looked for with ``ids``
                part = part.set_column(event, schema.field(event), pa.array(_event_ids(
                    part.column(event), names[event], numbers, read, ids, limited),
                    schema.field(event).type))
            if writer is not None:  # one row group for each of the file's
                writer.write_table(part.set_column(at, schema.field(at),
                                                   pa.array(new, pa.string())),
                                   row_group_size=max(part.num_rows, 1))
    finally:
        if writer is not None:
            writer.close()


def _event_ids(column: Any, name: str, numbers: list[int], customers: list[str | None],
               ids: IdRewrite, limited: bool = True) -> list[str | None]:
    """A row group's event ids (or, not ``limited`` to 128 characters, spell ids), as text,
    with each row's customer id inside replaced."""
    texts, _ = _text(column, name, numbers)
    nulls = column.is_null().to_pylist()
    return [None if null else ids.ids(c or "", v, n, limited)  # no customer: looked at
            for v, null, c, n in zip(texts, nulls, customers, numbers, strict=True)]
