"""Read customer events from CSV (header row) or JSON Lines, with ``FILE:ROW`` on everything.

Rows are validated one by one and every problem is collected. Unknown columns, unknown event
types and fields that do not belong to a row's type are errors: nothing is silently dropped.
Row numbers are the spreadsheet's: the CSV header is row 1; a JSON Lines file counts lines.
Files are read in bounded chunks (``tabular.TextSource``), in the dialect the options name
(``tabular.Dialect``: encoding, delimiter, day-first dates, decimal commas); the default reads
plain UTF-8 CSV and converts nothing. Customer ids that look like a henkilötunnus are counted
per file (``E015``), never shown.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from itertools import repeat
from operator import attrgetter
from typing import Any, BinaryIO, cast

from pydantic import TypeAdapter, ValidationError
from pydantic_core import PydanticCustomError

from ..errors import Problem, Source
from ..plainwords import plain_message
from ..privacy import HETU_LENGTH, PersonalIdWatch
from ..shown import closest
from ..tabular import (
    MAX_FIELD_CHARS,
    MAX_NUMBER_CHARS,
    PLAIN,
    Dialect,
    LineTooLong,
    Progress,
    TextSource,
    Undecodable,
    choose_delimiter,
    delimiter_hint,
    kind_of,
    quoted,
    sep_line,
    trim_header,
    undecodable_message,
)
from ..values import parse_date
from .fast import (
    DATE_FIELDS,
    NUMBER_FIELDS,
    TypeReader,
    compile_header,
    fast_event,
    read_rows,
)
from .model import ALL_FIELDS, EVENT_MODELS, Event, EventBase, fields_of
from .parquet import Block, EventsFile, NotText, Unreadable, is_parquet

_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)
_FIELDS_BY_TYPE = {t: fields_of(t) for t in EVENT_MODELS}

_PYDANTIC_CODES = {"missing": "E003", "extra_forbidden": "E004"}


@dataclass
class EventSet:
    events: list[EventBase] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _row_problems(exc: ValidationError, src: Source) -> list[Problem]:
    out = []
    for error in exc.errors(include_url=False):
        loc = list(error["loc"])
        if loc and loc[0] in EVENT_MODELS:  # the union tag, not a field
            loc = loc[1:]
        name = ".".join(str(p) for p in loc)
        code = _PYDANTIC_CODES.get(error["type"], "E005")
        msg = str(error["msg"])
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, "):]
            code = "E006" if "before date" in msg else "E003"
        msg = plain_message(dict(error)) or msg
        if error["type"] == "missing":
            out.append(Problem(code, f"missing required field '{name}'", src))
        elif name:
            out.append(Problem(code, f"field '{name}': {msg}", src))
        else:
            out.append(Problem(code, msg, src))
    return out


# a date or a number as a Finnish spreadsheet writes them, read as the engine's own form
_DAY_FIRST = re.compile(r"\d{1,2}\.\d{1,2}\.\d{4}")
_DECIMAL_COMMA = re.compile(r"-?\d+,\d+")


# how a date or a number a spreadsheet wrote in its own style is read (``_written_otherwise``)
DAY_FIRST_HINT = " (it reads as d.m.yyyy: a file written so is read with --date-format d.m.yyyy)"
DECIMAL_COMMA_HINT = " (a decimal comma: a file written so is read with --decimal-comma)"


def _written_otherwise(problem: Problem, raw: dict[str, Any]) -> Problem:
    """``problem`` with a hint where the value is a date or a number a spreadsheet wrote in
    its own style (``7.1.2020``, ``2,5``): the options that read a CSV file written so."""
    if problem.code != "E005" or not problem.message.startswith("field '"):
        return problem
    value = raw.get(problem.message[len("field '"):].split("'", 1)[0])
    if not isinstance(value, str):
        return problem
    hint = ""
    if "not a date" in problem.message and _DAY_FIRST.fullmatch(value):
        hint = DAY_FIRST_HINT
    elif "not a number" in problem.message and _DECIMAL_COMMA.fullmatch(value):
        # a file's numbers are all written alike: the option, not the one number mended
        return replace(problem, message=problem.message.split(": it has ", 1)[0]
                       + DECIMAL_COMMA_HINT)
    return replace(problem, message=problem.message + hint) if hint else problem


def parse_row(raw: dict[str, Any], file: str, row: int
              ) -> tuple[EventBase | None, list[Problem]]:
    """Validate row ``row`` of ``file`` given as field -> value (empty values already
    removed): by the compiled reader when it is sure (``fast.py``), else by the models (the
    row's ``Source`` is made only then)."""
    event = fast_event(raw, file, row)
    if event is not None:
        return event, []
    return model_row(raw, Source(file, row=row))


def model_row(raw: dict[str, Any], src: Source) -> tuple[EventBase | None, list[Problem]]:
    """Validate one row with the pydantic models (every problem worded and located)."""
    event_type = raw.get("type")
    if event_type is None:
        return None, [Problem("E003", "missing required field 'type'", src)]
    if event_type not in EVENT_MODELS:
        known = ", ".join(EVENT_MODELS)
        close = (closest(event_type, list(EVENT_MODELS), 0.75) if isinstance(event_type, str)
                 else None)
        # the likeliest first, and every type still (service_stop: service_start or _end?)
        told = f"did you mean '{close}'?; known: {known}" if close else f"known: {known}"
        return None, [Problem("E002", f"unknown event type {quoted(event_type)} ({told})", src)]
    allowed = _FIELDS_BY_TYPE[str(event_type)]
    problems = []
    values: dict[str, Any] = {}
    attributes: dict[str, str] = {}
    for key, value in raw.items():
        if key.startswith("attr_") and len(key) > 5:
            if event_type != "referral":
                problems.append(Problem("E004", f"field {quoted(key)} applies only to "
                                        "referral rows", src))
            else:
                attributes[key] = str(value)
        elif key in allowed:
            if key in NUMBER_FIELDS and isinstance(value, str) \
                    and len(value) > MAX_NUMBER_CHARS:
                # refused before any arithmetic (and reported once, not also as missing)
                return None, [Problem("E005", f"field '{key}': a number of {len(value):,} "
                                      f"characters; at most {MAX_NUMBER_CHARS} are read",
                                      src)]
            values[key] = value
        else:
            # "an hours row": its h is not said, as in "an hour"
            article = "an" if str(event_type)[:1] in ("a", "e", "i", "o", "u") \
                or event_type == "hours" else "a"
            problems.append(Problem("E004", f"field {quoted(key)} does not apply to {article} "
                                    f"{event_type} row", src))
    if attributes:
        values["attributes"] = attributes
    values["file"] = src.file
    values["row"] = src.row
    try:
        event = _ADAPTER.validate_python(values)
    except ValidationError as exc:
        found = _row_problems(exc, src)
        return None, [*problems, *found, *_end_before_date(values, found, src)]
    return (event if not problems else None), problems


def _end_before_date(values: dict[str, Any], found: list[Problem], src: Source
                     ) -> list[Problem]:
    """E006 for a row whose other fields have errors: the models check the end against the
    date only on a row whose fields are all valid, so it would be found only once they are
    mended. Said where both dates read and neither has an error of its own."""
    if any(p.code == "E006" or p.message.startswith(("field 'date'", "field 'end'"))
           for p in found):
        return []
    if values.get("date") is None or values.get("end") is None:
        return []
    try:
        start, end = parse_date(values["date"]), parse_date(values["end"])
    except (PydanticCustomError, TypeError, ValueError):
        return []
    if end >= start:
        return []
    return [Problem("E006", f"end {end} is before date {start}", src)]


def _column(name: str) -> str:
    """A header cell as a column name: known names in any case (``EVENT_ID``); an attribute
    keeps its own name after the ``attr_`` prefix (segment rules name it)."""
    lower = name.lower()
    if lower in ALL_FIELDS:
        return lower
    if lower.startswith("attr_"):
        return "attr_" + name[5:]
    return name


# a table written by pandas keeps its index as a column so named, unless told not to
PANDAS_INDEX = " (the index pandas stores: write the file with to_parquet(..., index=False))"


def _check_header(header: list[str], file: str, hint: str | None = None,
                  positions: Sequence[int] | None = None) -> list[Problem]:
    """The header's problems; ``positions``: each name's column in the file, from 1 (a
    Parquet file's ``source_row`` is no field but keeps its place)."""
    src = Source(file, row=1)
    if hint is not None:  # one cell holding another delimiter: say so, not 20 problems
        return [Problem("E001", hint, src)]
    problems = []
    seen: set[str] = set()
    for i, name in zip(positions or range(1, len(header) + 1), header, strict=True):
        if name in seen:
            problems.append(Problem("E001", f"column {i}: duplicate column {quoted(name)}",
                                    src))
        seen.add(name)
        if name not in ALL_FIELDS and not (name.startswith("attr_") and len(name) > 5):
            hint = PANDAS_INDEX if name.startswith("__index_level_") else ""
            problems.append(Problem("E001", f"column {i}: unknown column {quoted(name)}{hint}",
                                    src))
    for required in ("event_id", "customer_id", "type", "date"):
        if required not in seen:
            problems.append(Problem("E001", f"missing column '{required}'", src))
    return problems


FRACTIONS = frozenset({"fte"})  # numbers from 0 to 1: their messages give such examples


def _convert(raw: dict[str, Any], dialect: Dialect, src: Source) -> list[Problem]:
    """Dates and numbers of a dialect (``1.2.2020``, ``1 234,50``) in the engine's form; a
    value that cannot be converted is taken out of ``raw`` (its problem says why)."""
    problems = []
    for key, value in list(raw.items()):
        try:
            if key in DATE_FIELDS:
                raw[key] = dialect.date(value)
            elif key in NUMBER_FIELDS and len(value) <= MAX_NUMBER_CHARS:
                raw[key] = dialect.number(value, "fraction" if key in FRACTIONS else "number")
        except ValueError as exc:
            problems.append(Problem("E005", f"field '{key}': {exc}", src))
            del raw[key]
    return problems


def _other_field_problems(raw: dict[str, Any], unreadable: list[Problem], src: Source
                          ) -> list[Problem]:
    """The problems of a row's other fields, when some of its dates or numbers could not be
    converted: each field's own problem ("field 'kind': ..."), and an end before its date
    where both read, so one round of fixes finds them all; what needs the unreadable values
    (a missing field, a rule over several fields) is checked once they are readable."""
    if "type" not in raw:
        return []
    _, more = model_row(raw, src)
    taken = tuple(p.message.split(":", 1)[0] + ":" for p in unreadable)
    return [p for p in more if (p.message.startswith("field ") or p.code == "E006")
            and not p.message.startswith(taken)]


Rows = Iterator[tuple[EventBase | None, list[Problem]]]


def iter_csv(text: Iterable[str], file: str, dialect: Dialect = PLAIN, delimiter: str = ",",
             progress: Progress | None = None) -> Rows:
    """The rows of CSV text (lines with their line ends), header first."""
    csv.field_size_limit(MAX_FIELD_CHARS)  # the same limit for files and for text
    reader = csv.reader(text, delimiter=delimiter)
    done = progress or Progress()
    header_row = 1
    try:
        cells = next(reader)
        while not trim_header(cells):  # blank lines before the header
            done.rows = header_row
            cells = next(reader)
            header_row += 1
    except StopIteration:
        yield None, [Problem("E011", "the file is empty (no header row)", Source(file, row=1))]
        return
    except csv.Error as exc:
        yield None, [Problem("E010", f"unreadable CSV: {exc}", Source(file, row=1))]
        return
    except LineTooLong as exc:
        yield None, [Problem("F004", str(exc), Source(file, row=header_row))]
        return
    done.header = header_row
    header = [_column(h) for h in trim_header(cells)]
    header_problems = _check_header(header, file, delimiter_hint(header, delimiter))
    if header_problems:
        yield None, header_problems
        return
    watch = PersonalIdWatch()
    yield from _csv_rows(reader, (header, len(cells)), header_row, file, dialect, done, watch)
    found = watch.problem(file)
    if found is not None:
        yield None, [found]


_BLOCK_ROWS = 512  # rows read ahead and checked column by column (``fast.read_rows``)


def _csv_rows(reader: Iterator[list[str]], columns: tuple[list[str], int], row: int,
              file: str, dialect: Dialect, done: Progress, watch: PersonalIdWatch) -> Rows:
    """``columns``: the header's names, and its cells with Excel's empty ones at the end.
    Rows are read a block at a time: those of the header's width whose type names a
    compiled reader (``fast.py``) are read by their columns; any other row, or one that
    reader is unsure of, as field -> value."""
    header, _ = columns
    readers = compile_header(header, dialect)
    type_at = header.index("type")
    while True:
        block, numbers, problems, stop = _next_block(reader, row, file, done)
        row += _BLOCK_ROWS
        yield from _block_rows(block, numbers, problems, readers, type_at, columns, file,
                               dialect, watch)
        if isinstance(stop, (StopIteration, LineTooLong)):
            return
        if stop is not None:  # bytes that are not text, a failed read: said by the caller
            raise stop


def _next_block(reader: Iterator[list[str]], after: int, file: str, done: Progress
                ) -> tuple[list[list[str] | None], list[int], dict[int, Problem],
                           Exception | None]:
    """The next rows after row ``after`` (at most _BLOCK_ROWS): their cells (None for a row
    not read), their numbers, the problems of those not read, and what ended the block
    before it was full (the end of the rows, a row too long, or an error that ends the
    reading after the rows before it). ``done`` counts the rows read (the text source
    bounds the row being read by it)."""
    block: list[list[str] | None] = []
    problems: dict[int, Problem] = {}
    row = after
    while True:
        try:
            done.rows = row
            for cells in reader:
                block.append(cells)
                row += 1
                if len(block) == _BLOCK_ROWS:
                    return block, list(range(after + 1, row + 1)), problems, None
                done.rows = row
            return block, list(range(after + 1, row + 1)), problems, StopIteration()
        except csv.Error as exc:
            row += 1
            problems[len(block)] = Problem("E010", f"unreadable CSV row: {exc}",
                                           Source(file, row=row))
            block.append(None)
            if len(block) == _BLOCK_ROWS:
                return block, list(range(after + 1, row + 1)), problems, None
        except LineTooLong as exc:
            row += 1
            problems[len(block)] = Problem("F004", str(exc), Source(file, row=row))
            block.append(None)
            return block, list(range(after + 1, row + 1)), problems, exc
        except Exception as exc:  # Undecodable, OSError: the rows before it are read
            return block, list(range(after + 1, row + 1)), problems, exc


def _block_rows(block: list[list[str] | None], numbers: list[int],
                problems: dict[int, Problem], readers: dict[str, TypeReader], type_at: int,
                columns: tuple[list[str], int], file: str, dialect: Dialect,
                watch: PersonalIdWatch) -> Rows:
    """A block's rows in order: their events, or their problems."""
    events = read_rows(readers, block, type_at, file, numbers)
    # every row an event (compared by type: an event's == is pydantic's, in Python)
    if _NO_EVENT not in map(type, events) \
            and HETU_LENGTH not in map(len, map(_CUSTOMER, events)):
        return zip(events, map(list, repeat((), len(events))), strict=True)  # no generator
    return _rows_in_order(events, block, numbers, problems, columns, file, dialect, watch)


def _rows_in_order(events: list[EventBase | None], block: list[list[str] | None],
                   numbers: list[int], problems: dict[int, Problem],
                   columns: tuple[list[str], int], file: str, dialect: Dialect,
                   watch: PersonalIdWatch) -> Rows:
    """A block's rows one by one: its events, the problems of the rows not read, the
    other rows read as field -> value."""
    for k, event in enumerate(events):
        if event is not None:
            customer = event.customer_id
            if len(customer) == HETU_LENGTH:
                watch.see(customer, numbers[k])
            yield event, []
            continue
        cells = block[k]
        if cells is None:
            yield None, [problems[k]]
        elif cells and not all(not c.strip() for c in cells):
            yield from _cells_row(cells, columns, file, numbers[k], dialect, watch)


_CUSTOMER = attrgetter("customer_id")
_NO_EVENT = type(None)


def _cells_row(cells: list[str], columns: tuple[list[str], int], file: str, row: int,
               dialect: Dialect, watch: PersonalIdWatch) -> Rows:
    """One row's cells read as field -> value, every problem worded and located."""
    header, cells_in_header = columns
    src = Source(file, row=row)
    if len(cells) > len(header):
        problem = _extra_cells(cells, len(header), cells_in_header, src)
        if problem is not None:
            yield None, [problem]
            return
        cells = cells[:len(header)]  # empty cells under the header's empty ones
    raw = {h: c.strip() for h, c in zip(header, cells, strict=False) if c.strip()}
    customer = raw.get("customer_id")
    if customer is not None and len(customer) == HETU_LENGTH:
        watch.see(customer, row)
    if dialect.converts:
        problems = _convert(raw, dialect, src)
        if problems:
            yield None, [*problems, *_other_field_problems(raw, problems, src)]
            return
    event, problems = parse_row(raw, file, row)
    yield event, [_written_otherwise(p, raw) for p in problems] if problems else problems


def _extra_cells(cells: list[str], width: int, cells_in_header: int, src: Source
                 ) -> Problem | None:
    """Cells past the header's last name: empty ones under its empty cells are Excel's."""
    if len(cells) > cells_in_header:
        return Problem("E012", f"row has {len(cells)} cells but the header has "
                       f"{cells_in_header}", src)
    filled = next((i for i in range(width, len(cells)) if cells[i].strip()), None)
    if filled is None:
        return None
    return Problem("E012", f"row has a value in column {filled + 1}, which has no name in "
                   "the header", src)


class _DuplicateKey(ValueError):
    pass


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def iter_jsonl(lines: Iterable[str], file: str) -> Rows:
    """The rows of JSON Lines text, one object per line."""
    watch = PersonalIdWatch()
    row, empty = 0, True
    stream = iter(lines)
    while True:
        try:
            line = next(stream)
        except StopIteration:
            break
        except LineTooLong as exc:
            empty = False
            yield None, [Problem("F004", str(exc), Source(file, row=row + 1))]
            break
        row += 1
        if line.strip():
            empty = False
            yield _jsonl_row(line, file, row, watch)
    if empty:
        yield None, [Problem("E011", "the file is empty (no rows)", Source(file, row=1))]
    found = watch.problem(file)
    if found is not None:
        yield None, [found]


def _jsonl_row(line: str, file: str, row: int, watch: PersonalIdWatch
               ) -> tuple[EventBase | None, list[Problem]]:
    obj = _json_object(line)
    if type(obj) is not dict:  # a problem (the row is located by the caller's numbers)
        return None, [Problem(code, message, Source(file, row=row)) for code, message in obj]
    if not ALL_FIELDS.issuperset(obj):
        unknown = [k for k in obj
                   if k not in ALL_FIELDS and not (k.startswith("attr_") and len(k) > 5)]
        if unknown:
            return None, [Problem("E001", f"unknown field {quoted(k)}", Source(file, row=row))
                          for k in unknown]
    raw = {}
    for k, v in obj.items():
        if type(v) is str:  # the usual value first: then as below
            if not v:
                continue
            if len(v) <= MAX_FIELD_CHARS:
                raw[k] = v
                continue
        if v is None or v == "":
            continue
        if isinstance(v, (dict, list)):
            return None, [Problem("E005", f"field {quoted(k)} must be a single value",
                                  Source(file, row=row))]
        if isinstance(v, str) and len(v) > MAX_FIELD_CHARS:
            return None, [Problem("E010", f"field {quoted(k)} is longer than "
                                  f"{MAX_FIELD_CHARS:,} characters", Source(file, row=row))]
        raw[k] = str(v) if isinstance(v, (int, Decimal)) and not isinstance(v, bool) else v
    customer = raw.get("customer_id")
    if isinstance(customer, str) and len(customer.strip()) == HETU_LENGTH:
        watch.see(customer, row)  # spaces around an id (kept in JSON) do not hide it
    return parse_row(raw, file, row)


# one decoder for every row: numbers stay exact (Decimal); NaN/Infinity and duplicate keys
# are refused
_JSON = json.JSONDecoder(parse_float=Decimal, parse_constant=_no_constant,
                         object_pairs_hook=_object)


def _json_object(line: str) -> Any:
    """A row's JSON value, or its problems as (code, message) pairs."""
    try:
        if line.startswith("\ufeff"):  # as json.loads refuses it
            raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", line,
                                       0)
        obj = _JSON.decode(line)
    except _DuplicateKey as exc:
        return [("E001", f"duplicate field {quoted(exc)}")]
    except (ValueError, RecursionError) as exc:
        # JSONDecodeError, a constant refused above, an integer of over 4300 digits
        hint = DOCUMENT_HINT if _document_part(line) else ""
        return [("E010", f"invalid JSON: {getattr(exc, 'msg', exc)}{hint}")]
    if not isinstance(obj, dict):
        return [("E010", "a JSON Lines row must be an object")]
    return obj


DOCUMENT_HINT = ("; the line looks like part of a JSON document (a list of events, or "
                 "indented): an event file is JSON Lines, one event object per line")


def _document_part(line: str) -> bool:
    """A line of an indented or listed JSON document, not of JSON Lines: only brackets and
    commas (``[``, ``},``), or an object followed by a comma (a list's item). Asked only of
    a line that is not valid JSON, so a valid row costs nothing."""
    text = line.strip()
    if text and not text.strip("[]{},"):
        return True
    if not (text.startswith("{") and text.endswith(",")):
        return False
    try:
        return isinstance(_JSON.decode(text[:-1]), dict)
    except (ValueError, RecursionError):
        return False


def is_jsonl_file(path: str, first: str) -> bool:
    """A file read as JSON Lines (by its name, else by its first character)."""
    return _is_jsonl(path, first)


def _is_jsonl(path: str, first: str) -> bool:
    lower = path.lower()
    if lower.endswith((".jsonl", ".ndjson", ".json")):
        return True
    if lower.endswith(".csv"):
        return False
    return first.lstrip().startswith("{")


def iter_file(path: str, dialect: Dialect = PLAIN) -> Rows:
    """Stream one event file; an unreadable file yields one F-problem."""
    if is_parquet(path):
        yield from iter_parquet(path)
        return
    try:
        fh = open(path, "rb")  # noqa: SIM115
    except OSError as exc:
        yield None, [Problem("F001", f"cannot read file: {exc.strerror or exc}", Source(path))]
        return
    with fh:
        # a workbook or a ledger given by mistake is said as what it is, whatever its bytes
        # decode to (a SQLite file's header may read as text, and give column problems)
        kind = kind_of(fh.peek(16)[:16])  # peeked: a pipe is read once
        if kind is not None:
            yield None, [Problem("F003", f"the file is {kind}", Source(path))]
            return
        try:
            yield from _file_rows(TextSource(fh, dialect.encoding), path, dialect)
        except (Undecodable, OSError) as exc:
            yield None, [_unreadable(exc, path, dialect)]
            return
    if dialect.encoding is not None:
        yield None, [Problem("F005", f"read as {dialect.encoding} (named with --encoding)",
                             Source(path))]


def _unreadable(exc: Undecodable | OSError, path: str, dialect: Dialect) -> Problem:
    """The problem that ends the reading of a file part-way: bytes that are not its text
    (F003), or a read that failed (F001)."""
    if isinstance(exc, OSError):
        return Problem("F001", f"cannot read file: {exc.strerror or exc}", Source(path))
    return Problem("F003", undecodable_message(exc, dialect.encoding, path), Source(path))


def _file_rows(source: TextSource, path: str, dialect: Dialect) -> Rows:
    head = source.head()
    if _is_jsonl(path, head):
        yield from iter_jsonl(source.lines(), path)
        return
    said, length = sep_line(head)
    if length:
        source.skip(length)  # Excel's sep= line is not a row of the sheet
    try:
        delimiter = choose_delimiter(dialect, said)
    except ValueError as exc:
        yield None, [Problem("E001", str(exc), Source(path, row=1))]
        return
    source.progress = Progress()
    rows = source.progress
    yield from iter_csv(source.lines(), path, dialect, delimiter, rows)
    data = rows.rows > rows.header > 0  # a row read after the header
    found = unended(path, source.last) if source.read_to_end and data else None
    if found is not None:
        yield None, [found]


def unended(path: str, last: bytes | None = None) -> Problem | None:
    """A CSV file whose last row has no line end (E018): a file cut short inside its last
    cell reads as a valid, shorter row (``930.00`` cut to ``93``), so the only sign left is
    the missing line end, which most programs writing rows put there (RFC 4180 leaves the
    last one optional, hence a warning). Told from the file's last byte, so that it is said
    once per file however the file is read (whole or in byte ranges); the encodings read
    write a line end as its ASCII byte. ``last``: the last byte, when the file was read to
    its end (a pipe gives its bytes once: opened again it has none, or waits for a writer)."""
    if last is None:
        try:
            with open(path, "rb") as fh:
                fh.seek(0, io.SEEK_END)
                fh.seek(max(0, fh.tell() - 1))
                last = fh.read(1)
        except OSError:
            return None  # the reading itself says why the file cannot be read
    if last in (b"", b"\n", b"\r"):
        return None
    return Problem("E018", "the file's last row has no line end: was the file cut short? "
                   "Its last row is read as it stands; most programs end every row with a "
                   "line end, so check the file is whole (if it is, add a line end after its "
                   "last row)", Source(path))


def read_header(head: str, dialect: Dialect, bom: bool, encoding: str | None
                ) -> tuple[int, int, tuple[str, ...], int, str] | None:
    """Where a CSV file's rows begin, from its first chunk: (the byte offset of the first
    row after the header, that row's number, the header's column names, its cells with
    Excel's empty ones, the delimiter); None when the header is not plainly good (the usual
    reader then reads the file and says what is wrong)."""
    said, length = sep_line(head)
    try:
        delimiter = choose_delimiter(dialect, said)
    except ValueError:
        return None
    lines = io.StringIO(head[length:], newline="").readlines()
    used = length
    for row, line in enumerate(lines, start=1):
        used += len(line)
        if not line.endswith(("\n", "\r")):
            return None
        cells = next(csv.reader([line], delimiter=delimiter), [])
        if trim_header(cells):
            header = [_column(h) for h in trim_header(cells)]
            if _check_header(header, "", delimiter_hint(header, delimiter)) or '"' in line:
                return None
            offset = len(head[:used].encode(encoding or "utf-8")) + (3 if bom else 0)
            return offset, row + 1, tuple(header), len(cells), delimiter
    return None


def iter_range(path: str, start: int, end: int, first_row: int, dialect: Dialect,
               columns: tuple[tuple[str, ...], int, str], watch: PersonalIdWatch) -> Rows:
    """The rows of bytes ``start..end`` of a CSV file (``columns``: the header's names, its
    cells and the delimiter), the first numbered ``first_row``; read as ``iter_csv`` reads
    them. Customer ids like a henkilötunnus go to ``watch``."""
    csv.field_size_limit(MAX_FIELD_CHARS)
    header, cells_in_header, delimiter = columns
    with open(path, "rb") as fh:
        fh.seek(start)
        source = TextSource(cast(BinaryIO, _Range(fh, end - start)), dialect.encoding,
                            sniff=False, first_byte=start)
        source.progress = Progress()
        reader = csv.reader(source.lines(), delimiter=delimiter)
        try:
            yield from _csv_rows(reader, (list(header), cells_in_header), first_row - 1,
                                 path, dialect, source.progress, watch)
        except (Undecodable, OSError) as exc:  # as when the file is read whole
            yield None, [_unreadable(exc, path, dialect)]


def iter_jsonl_range(path: str, start: int, end: int, first_row: int, dialect: Dialect,
                     watch: PersonalIdWatch) -> Rows:
    """The rows of bytes ``start..end`` of a JSON Lines file, the first numbered
    ``first_row``."""
    with open(path, "rb") as fh:
        fh.seek(start)
        source = TextSource(cast(BinaryIO, _Range(fh, end - start)), dialect.encoding,
                            sniff=False, first_byte=start)
        row = first_row - 1
        try:
            for line in source.lines():
                row += 1
                if line.strip():
                    yield _jsonl_row(line, path, row, watch)
        except LineTooLong as exc:  # as when the file is read whole
            yield None, [Problem("F004", str(exc), Source(path, row=row + 1))]
        except (Undecodable, OSError) as exc:
            yield None, [_unreadable(exc, path, dialect)]


class _Range:
    """At most ``left`` bytes of a binary file, from where it stands."""

    def __init__(self, fh: Any, left: int) -> None:
        self._fh, self._left = fh, left

    def read(self, size: int = -1) -> bytes:
        size = self._left if size < 0 else min(size, self._left)
        data: bytes = self._fh.read(size)
        self._left -= len(data)
        return data


def iter_parquet(path: str, start: int = 0, end: int | None = None,
                 watch: PersonalIdWatch | None = None) -> Rows:
    """The rows of a Parquet file (``parquet.py``), or its rows ``start..end`` from 0 (a
    shard: customer ids like a henkilötunnus go to ``watch``), read as the CSV of the same
    rows is read. The dialect options are for text files: a Parquet file's text is read
    plain."""
    try:
        table = EventsFile(path)
    except Unreadable as exc:
        yield None, [Problem("F001", f"cannot read file: {exc}", Source(path))]
        return
    header, problems = _parquet_columns(table, path)
    if problems:  # no row is read
        yield None, problems
        return
    if table.rows == 0:
        yield None, [Problem("E011", "the file is empty (no rows)", Source(path, row=1))]
        return
    own = watch is None
    watch = watch if watch is not None else PersonalIdWatch()
    try:
        yield from table_rows(table.blocks(start, end), header, path, watch)
    except NotText as exc:  # as a CSV file's bytes that are not its text
        yield None, [Problem("F003", str(exc), Source(path, row=exc.row))]
        return
    except Unreadable as exc:
        yield None, [Problem("F001", f"cannot read file: {exc}", Source(path))]
        return
    if table.broken is not None:  # the rest of the file is not read
        yield None, [Problem("E017", table.broken, Source(path))]
    found = watch.problem(path) if own else None
    if found is not None:
        yield None, [found]


def plain_parquet(path: str) -> EventsFile | None:
    """A Parquet file whose columns are plainly good, to cut into shards of rows (None: it
    is read whole, and the usual reader says what is wrong)."""
    try:
        table = EventsFile(path)
    except Unreadable:
        return None
    return None if _parquet_columns(table, path)[1] else table


def _parquet_columns(table: EventsFile, path: str) -> tuple[list[str], list[Problem]]:
    """A Parquet file's field names and their problems (the CSV header's, and columns of
    types not read exactly, E017), located at the file: it has no header row to name."""
    header = [_column(n) for n in table.names]
    problems = [Problem(p.code, p.message, Source(path))
                for p in _check_header(header, path, positions=table.positions)]
    problems += [Problem("E017", why, Source(path)) for why in table.type_problems(header)]
    return header, problems


def table_rows(blocks: Iterator[Block], header: list[str], file: str,
               watch: PersonalIdWatch) -> Rows:
    """The rows of a table's blocks of text cells (a Parquet file's), numbered by the table,
    read as ``_csv_rows`` reads a CSV file's: by the compiled readers a block at a time,
    else as field -> value."""
    readers = compile_header(header, PLAIN)
    type_at = header.index("type")
    columns = (header, len(header))
    for numbers, rows, too_long in blocks:
        cells = list(rows)
        problems = {}
        for k in range(len(cells)) if too_long else ():
            if numbers[k] in too_long:
                problems[k] = Problem("E010", f"field {quoted(_column(too_long[numbers[k]]))} "
                                      f"is longer than {MAX_FIELD_CHARS:,} characters",
                                      Source(file, row=numbers[k]))
        for start in range(0, len(cells), _BLOCK_ROWS):
            part: list[list[str] | None] = [
                None if start + k in problems else row
                for k, row in enumerate(cells[start:start + _BLOCK_ROWS])]
            yield from _block_rows(part, numbers[start:start + _BLOCK_ROWS],
                                   {k - start: p for k, p in problems.items()
                                    if start <= k < start + _BLOCK_ROWS},
                                   readers, type_at, columns, file, PLAIN, watch)


def read_text(text: str, file: str, jsonl: bool = False, dialect: Dialect = PLAIN,
              rows_after: int = 0) -> EventSet:
    """Read events from a string (tests, fuzzing), as ``read_events`` reads a file; with
    ``rows_after`` the text is a block inside ``file`` whose first row is the line after
    that many (a worked example's events in a contract): every row, problem and message
    names its line in ``file``."""
    # like a file: a BOM is dropped, \r and \r\n end rows, a sep= line names the delimiter
    text = text.removeprefix("\ufeff")
    if jsonl:
        return _collect([_rows_after(iter_jsonl(io.StringIO(text, newline=""), file),
                                     rows_after)])
    said, length = sep_line(text)
    try:
        delimiter = choose_delimiter(dialect, said)
    except ValueError as exc:
        return _collect([iter([(None, [Problem("E001", str(exc),
                                               Source(file, row=1 + rows_after))])])])
    stream = io.StringIO(text[length:], newline="")
    return _collect([_rows_after(iter_csv(stream, file, dialect, delimiter), rows_after)])


def _rows_after(rows: Rows, by: int) -> Rows:
    """``rows`` numbered ``by`` rows further on (before the checks across rows, whose
    messages name the row an id was first used at)."""
    if not by:
        yield from rows
        return
    for event, problems in rows:
        yield (None if event is None else event.model_copy(update={"row": event.row + by}),
               [p if p.source.row is None else
                replace(p, source=replace(p.source, row=p.source.row + by))
                for p in problems])


def read_events(paths: Iterable[str], dialect: Dialect = PLAIN) -> EventSet:
    """Read and check every file; then check event ids across all of them."""
    out = _collect(iter_file(p, dialect) for p in paths)
    out.problems = once_per_file(out.problems)
    return out


# what is said of a whole file: identity codes in its customer ids, a last row without a
# line end, the encoding it was read in
FILE_CODES = frozenset({"E015", "E018", "F005"})


def once_per_file(problems: list[Problem]) -> list[Problem]:
    """``problems`` with what is said of a whole file said once: a file named twice in one
    command (twice as events, or as events and to fit a cohort from) is read twice, and
    ``./e.csv`` is ``e.csv``. The first is kept; the order is kept."""
    said: set[tuple[str, str]] = set()
    out = []
    for p in problems:
        if p.code in FILE_CODES:
            key = (p.code, os.path.realpath(p.source.file))
            if key in said:
                continue
            said.add(key)
        out.append(p)
    return out


def _collect(streams: Iterable[Iterator[tuple[EventBase | None, list[Problem]]]]) -> EventSet:
    out = EventSet()
    versions: dict[tuple[str, Any], EventBase] = {}
    first_of: dict[str, EventBase] = {}
    for stream in streams:
        for event, problems in stream:
            out.problems.extend(problems)
            if event is None:
                continue
            key = (event.event_id, event.known_on)
            if key in versions:
                prev = versions[key]
                out.problems.append(Problem(
                    "E007", f"event id {quoted(event.event_id)} repeats with the same recorded "
                    f"date {event.known_on} (first at {prev.source}); a correction needs a later "
                    "recorded date", event.source))
                continue
            first = first_of.get(event.event_id)
            if first is not None and (first.customer_id != event.customer_id
                                      or first.type != event.type):  # type: ignore[attr-defined]
                out.problems.append(Problem(
                    "E008", f"event id {quoted(event.event_id)} was first used at "
                    f"{first.source} for another customer or event type", event.source))
                continue
            versions[key] = event
            first_of.setdefault(event.event_id, event)
            out.events.append(event)
    return out
