"""Read customer events from CSV (header row) or JSON Lines, with ``FILE:ROW`` on everything.

Rows are validated one by one and every problem is collected. Unknown columns, unknown event
types and fields that do not belong to a row's type are errors: nothing is silently dropped.
Row numbers are the spreadsheet's: the CSV header is row 1; a JSON Lines file counts lines.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pydantic import TypeAdapter, ValidationError

from ..errors import Problem, Source
from ..plainwords import plain_message
from .model import ALL_FIELDS, EVENT_MODELS, Event, EventBase, fields_of

MAX_FIELD_CHARS = 10_000
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


def parse_row(raw: dict[str, Any], src: Source) -> tuple[EventBase | None, list[Problem]]:
    """Validate one row given as field -> value (empty values already removed)."""
    event_type = raw.get("type")
    if event_type is None:
        return None, [Problem("E003", "missing required field 'type'", src)]
    if event_type not in EVENT_MODELS:
        known = ", ".join(EVENT_MODELS)
        return None, [Problem("E002", f"unknown event type '{str(event_type)[:40]}' "
                              f"(known: {known})", src)]
    allowed = _FIELDS_BY_TYPE[str(event_type)]
    problems = []
    values: dict[str, Any] = {}
    attributes: dict[str, str] = {}
    for key, value in raw.items():
        if key.startswith("attr_") and len(key) > 5:
            if event_type != "referral":
                problems.append(Problem("E004", f"field '{key}' applies only to referral rows",
                                        src))
            else:
                attributes[key] = str(value)
        elif key in allowed:
            values[key] = value
        else:
            problems.append(Problem("E004", f"field '{key}' does not apply to a "
                                    f"{event_type} row", src))
    if attributes:
        values["attributes"] = attributes
    values["file"] = src.file
    values["row"] = src.row
    try:
        event = _ADAPTER.validate_python(values)
    except ValidationError as exc:
        return None, [*problems, *_row_problems(exc, src)]
    return (event if not problems else None), problems


def _check_header(header: list[str], file: str) -> list[Problem]:
    problems = []
    seen: set[str] = set()
    for i, name in enumerate(header, start=1):
        if name in seen:
            problems.append(Problem("E001", f"column {i}: duplicate column '{name}'",
                                    Source(file, row=1)))
        seen.add(name)
        if name not in ALL_FIELDS and not (name.startswith("attr_") and len(name) > 5):
            problems.append(Problem("E001", f"column {i}: unknown column '{name[:40]}'",
                                    Source(file, row=1)))
    for required in ("event_id", "customer_id", "type", "date"):
        if required not in seen:
            problems.append(Problem("E001", f"missing column '{required}'",
                                    Source(file, row=1)))
    return problems


def iter_csv(text: Iterable[str], file: str) -> Iterator[tuple[EventBase | None,
                                                               list[Problem]]]:
    csv.field_size_limit(MAX_FIELD_CHARS)  # the same limit for files and for text
    reader = csv.reader(text)
    header_row = 1
    try:
        header = [h.strip() for h in next(reader)]
        while not any(header):  # blank lines before the header
            header = [h.strip() for h in next(reader)]
            header_row += 1
    except StopIteration:
        yield None, [Problem("E011", "the file is empty (no header row)", Source(file, row=1))]
        return
    except csv.Error as exc:
        yield None, [Problem("E010", f"unreadable CSV: {exc}", Source(file, row=1))]
        return
    header_problems = _check_header(header, file)
    if header_problems:
        yield None, header_problems
        return
    row = header_row
    while True:
        row += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield None, [Problem("E010", f"unreadable CSV row: {exc}", Source(file, row=row))]
            continue
        if not cells or all(not c.strip() for c in cells):
            continue
        src = Source(file, row=row)
        if len(cells) > len(header):
            yield None, [Problem("E012", f"row has {len(cells)} cells but the header has "
                                 f"{len(header)}", src)]
            continue
        raw = {h: c.strip() for h, c in zip(header, cells, strict=False) if c.strip()}
        yield parse_row(raw, src)


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


def iter_jsonl(lines: Iterable[str], file: str) -> Iterator[tuple[EventBase | None,
                                                                  list[Problem]]]:
    empty = True
    for row, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        empty = False
        src = Source(file, row=row)
        try:
            # numbers stay exact (Decimal); NaN/Infinity and duplicate keys are refused
            obj = json.loads(line, parse_float=Decimal, parse_constant=_no_constant,
                             object_pairs_hook=_object)
        except _DuplicateKey as exc:
            yield None, [Problem("E001", f"duplicate field '{str(exc)[:40]}'", src)]
            continue
        except (ValueError, RecursionError) as exc:
            # JSONDecodeError, a constant refused above, an integer of over 4300 digits
            yield None, [Problem("E010", f"invalid JSON: {getattr(exc, 'msg', exc)}", src)]
            continue
        if not isinstance(obj, dict):
            yield None, [Problem("E010", "a JSON Lines row must be an object", src)]
            continue
        unknown = [k for k in obj
                   if k not in ALL_FIELDS and not (k.startswith("attr_") and len(k) > 5)]
        if unknown:
            yield None, [Problem("E001", f"unknown field '{str(k)[:40]}'", src)
                         for k in unknown]
            continue
        raw = {}
        for k, v in obj.items():
            if v is None or v == "":
                continue
            if isinstance(v, (dict, list)):
                yield None, [Problem("E005", f"field '{k}' must be a single value", src)]
                break
            raw[k] = str(v) if isinstance(v, (int, Decimal)) and not isinstance(v, bool) else v
        else:
            yield parse_row(raw, src)
    if empty:
        yield None, [Problem("E011", "the file is empty (no rows)", Source(file, row=1))]


def _is_jsonl(path: str, first: str) -> bool:
    lower = path.lower()
    if lower.endswith((".jsonl", ".ndjson", ".json")):
        return True
    if lower.endswith(".csv"):
        return False
    return first.lstrip().startswith("{")


def iter_file(path: str) -> Iterator[tuple[EventBase | None, list[Problem]]]:
    """Stream one event file; an unreadable file yields one F-problem."""
    csv.field_size_limit(MAX_FIELD_CHARS)
    try:
        fh = open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115
    except OSError as exc:
        yield None, [Problem("F001", f"cannot read file: {exc.strerror or exc}", Source(path))]
        return
    with fh:
        try:
            first = fh.read(4096)
            fh.seek(0)
            stream: Iterable[str] = fh
            if _is_jsonl(path, first):
                yield from iter_jsonl(stream, path)
            else:
                yield from iter_csv(stream, path)
        except UnicodeDecodeError as exc:
            yield None, [Problem("F003", f"file is not UTF-8 (byte {exc.start})",
                                 Source(path))]
        except OSError as exc:
            yield None, [Problem("F001", f"cannot read file: {exc.strerror or exc}",
                                 Source(path))]


def read_text(text: str, file: str, jsonl: bool = False) -> EventSet:
    """Read events from a string (tests, fuzzing), as ``read_events`` reads a file."""
    # like a file opened utf-8-sig with newline="": a BOM is dropped, \r and \r\n end rows
    stream = io.StringIO(text.removeprefix("\ufeff"), newline="")
    rows = iter_jsonl(stream, file) if jsonl else iter_csv(stream, file)
    return _collect([rows])


def read_events(paths: Iterable[str]) -> EventSet:
    """Read and check every file; then check event ids across all of them."""
    return _collect(iter_file(p) for p in paths)


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
                    "E007", f"event id '{event.event_id}' repeats with the same recorded date "
                    f"{event.known_on} (first at {prev.source}); a correction needs a later "
                    "recorded date", event.source))
                continue
            first = first_of.get(event.event_id)
            if first is not None and (first.customer_id != event.customer_id
                                      or first.type != event.type):  # type: ignore[attr-defined]
                out.problems.append(Problem(
                    "E008", f"event id '{event.event_id}' was first used at {first.source} for "
                    "another customer or event type", event.source))
                continue
            versions[key] = event
            first_of.setdefault(event.event_id, event)
            out.events.append(event)
    return out
