"""Personal identities in event data and bills: spotting them, and keyed pseudonyms.

Event data is personal; a customer id should be a pseudonym. A customer id that is a Finnish
personal identity code (henkilötunnus) is warned about (``E015``), never echoed. ``pseudonym``
replaces an id with a keyed HMAC-SHA256, so the buyer and the provider, who share the key, get
the same pseudonym for the same customer in every file without exchanging identities.

Ground layer: imports only ``errors``, ``tabular``, ``shown`` and ``csvsafe`` (and
python-stdnum, which checks the henkilötunnus with every century sign in use since 2023:
``+ - A B C D E F X Y W V U``).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import hmac
import json
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import BinaryIO

from stdnum.fi import hetu

from .csvsafe import needs_apostrophe
from .errors import Problem, Source
from .shown import EMAIL, PHONE
from .tabular import (
    MAX_FIELD_CHARS,
    LineTooLong,
    Progress,
    TextSource,
    Undecodable,
    delimiter_hint,
    sep_line,
    sum_label,
    trim_header,
)

HETU_LENGTH = 11  # DDMMYY, the century sign, three digits, the check character
HETU_WORDS = "a Finnish personal identity code (henkilötunnus)"
_CENTURY_SIGNS = frozenset("+-ABCDEFXYWVUabcdefxywvu")


def looks_like_hetu(value: str) -> bool:
    """A henkilötunnus: a real date, a century sign, an individual number (temporary ones,
    900-999, too) and the right check character; spaces around it (a JSON Lines id is
    not trimmed) do not hide it."""
    value = value.strip()
    return (len(value) == HETU_LENGTH and value[6] in _CENTURY_SIGNS
            and hetu.is_valid(value, allow_temporary=True))


def personal_kind(value: str) -> str | None:
    """What a customer id looks like when it looks personal: the kind, or None (spaces
    around it do not hide it)."""
    value = value.strip()
    if looks_like_hetu(value):
        return HETU_WORDS
    if EMAIL.match(value):
        return "an e-mail address"
    if PHONE.match(value):
        return "a phone number"
    return None


@dataclass
class PersonalIdWatch:
    """Customer ids of one file that look like a henkilötunnus: how many, and the first row.
    The ids are kept only to count them; they are never shown."""

    ids: set[str] = field(default_factory=set)
    first_row: int | None = None

    def see(self, value: str, row: int) -> None:
        if looks_like_hetu(value):
            self.ids.add(value)
            if self.first_row is None:
                self.first_row = row

    def problem(self, file: str) -> Problem | None:
        if not self.ids:
            return None
        return Problem("E015", f"{_ids(len(self.ids))} like {HETU_WORDS}, the first in row "
                       f"{self.first_row}; customer ids should be pseudonyms (rewardengine "
                       "pseudonymize)", Source(file, row=self.first_row))


def _ids(many: int) -> str:
    return f"{many} customer ids look" if many != 1 else "1 customer id looks"


# --- keyed pseudonyms ----------------------------------------------------------------------

MIN_KEY_BYTES = 32
MAX_KEY_BYTES = 1024
PSEUDONYM_PREFIX = "ps_"


class KeyFileError(ValueError):
    """The key file cannot be used (the message never holds the key)."""


def read_key(path: str) -> bytes:
    """The key: the file's bytes, less trailing line ends, at least 32 bytes."""
    how = ("make one with 32 random bytes, e.g. "
           "python3 -c \"import secrets; print(secrets.token_hex(32))\" > KEYFILE, "
           "and share it only with the other party")
    try:
        with open(path, "rb") as fh:
            key = fh.read(MAX_KEY_BYTES + 1)
    except OSError as exc:
        raise KeyFileError(f"--key-file {path}: cannot read it ({exc.strerror or exc}); "
                        f"{how}") from None
    if len(key) > MAX_KEY_BYTES:
        raise KeyFileError(f"--key-file {path}: longer than {MAX_KEY_BYTES} bytes; is it the "
                        "key file?")
    key = key.rstrip(b"\r\n")
    if len(key) < MIN_KEY_BYTES:
        raise KeyFileError(f"--key-file {path}: shorter than {MIN_KEY_BYTES} bytes; {how}")
    return key


def pseudonym(key: bytes, customer_id: str) -> str:
    """``ps_`` and 32 hex digits (128 bits) of HMAC-SHA256(key, id): the same id and key
    always give the same pseudonym; without the key it cannot be reversed or recomputed."""
    digest = hmac.new(key, customer_id.encode("utf-8"), hashlib.sha256).hexdigest()
    return PSEUDONYM_PREFIX + digest[:32]


# --- replacing the customer ids of a file ------------------------------------------------

Replace = Callable[[str, int], str]  # (customer id as read, row) -> what is written instead


@dataclass
class Findings:
    """Customer ids that look personal, by kind: the distinct ids (counted, never shown) and
    the first row of each kind."""

    ids: dict[str, set[str]] = field(default_factory=dict)
    first: dict[str, int] = field(default_factory=dict)

    def see(self, value: str, row: int) -> str:
        kind = personal_kind(value)
        if kind is not None:
            self.ids.setdefault(kind, set()).add(value)
            self.first.setdefault(kind, row)
        return value

    def problems(self, file: str) -> list[Problem]:
        out = []
        for kind, ids in sorted(self.ids.items()):
            code = "E015" if kind == HETU_WORDS else "E016"
            out.append(Problem(code, f"{_ids(len(ids))} like {kind}, the first in row "
                               f"{self.first[kind]}", Source(file, row=self.first[kind])))
        return out


class RewriteError(Exception):
    """A file whose customer ids cannot all be found: nothing of it is written."""

    def __init__(self, code: str, message: str, row: int | None = None) -> None:
        super().__init__(message)
        self.code, self.row = code, row


def replacing(key: bytes | None, findings: Findings) -> Replace:
    """What replaces a customer id: with a key, its pseudonym; without, the id itself, seen
    by ``findings``. An id longer than the reader takes is refused, not pseudonymized: its
    pseudonym would make a row the reader refuses (``E010``) look readable."""
    if key is None:
        return findings.see

    def replace(value: str, row: int) -> str:
        refuse_too_long(value, row)
        return pseudonym(key, value)
    return replace


def refuse_too_long(cell: str, row: int) -> None:
    """``E010`` for a customer cell longer than the reader takes, measured as written (spaces
    around it count, as they do for the reader)."""
    if len(cell) > MAX_FIELD_CHARS:
        raise RewriteError("E010", f"a customer id of {len(cell):,} characters; at most "
                           f"{MAX_FIELD_CHARS:,} are read", row)


def rewrite_csv(source: TextSource, columns: Sequence[str], delimiter: str | None,
                replace: Replace, write: Callable[[str], object], bill: bool = False) -> None:
    """Write ``source`` again with the customer column's cells replaced, every other
    character (other cells, quotes, spaces, line ends, a ``sep=`` line) as it was."""
    said, length = sep_line(source.head())
    if length:
        write(source.head()[:length])
        source.skip(length)
    if said is not None and delimiter is not None and said != delimiter:
        raise RewriteError("E001", f"the file's first line says sep={said!r} but the "
                           f"delimiter given is {delimiter!r}", 1)
    delimiter = delimiter or said or ","
    taken: list[str] = []
    source.progress = Progress()
    reader = csv.reader(_recording(source.lines(), taken), delimiter=delimiter)
    column: int | None = None
    for row, cells in _records(reader, source.progress):
        record = "".join(taken)
        taken.clear()
        if column is None:
            column = _header_column(trim_header(cells), columns, delimiter) \
                if trim_header(cells) else None
        elif column < len(cells) and cells[column].strip() and not (
                bill and sum_label(cells[column])):  # "Yhteensä" is no customer
            value = cells[column].strip()
            value = value[1:] if bill and value.startswith("'") and needs_apostrophe(
                value[1:]) else value  # a bill cell neutralised for spreadsheets
            record = _with_cell(record, delimiter, column, replace(value, row))
        write(record)
    if column is None:
        raise RewriteError("E001", f"no customer column (looked for {', '.join(columns)})",
                           1)


def _recording(lines: Iterator[str], taken: list[str]) -> Iterator[str]:
    for line in lines:
        taken.append(line)
        yield line


def _records(reader: Iterator[list[str]], progress: Progress
             ) -> Iterator[tuple[int, list[str]]]:
    row = 0
    while True:
        progress.rows = row
        row += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise RewriteError("E010", f"unreadable CSV row: {exc}", row) from None
        except LineTooLong as exc:
            raise RewriteError("F004", str(exc), row) from None
        yield row, cells


def _header_column(header: list[str], columns: Sequence[str], delimiter: str) -> int:
    """The customer column of a CSV header; a header that is one cell holding another
    delimiter says so and which option reads it, as the reader says (not 'no customer
    column' of a file that has one)."""
    try:
        return customer_column(header, columns, 1)
    except RewriteError:
        hint = delimiter_hint(header, delimiter)
        if hint is None:
            raise
        raise RewriteError("E001", hint, 1) from None


def customer_column(header: Sequence[str], columns: Sequence[str], row: int | None) -> int:
    """Where the customer column is (from 0): the one column named as one of ``columns``
    (in any case). None, or two (``customer_id`` and ``CUSTOMER_ID``, or ``customer_id``
    and ``customer``), is RewriteError: one left as it was would keep the raw ids."""
    wanted = {c.casefold() for c in columns}
    found = [i for i, h in enumerate(header) if h.strip().casefold() in wanted]
    if not found:
        raise RewriteError("E001", f"no customer column (looked for {', '.join(columns)})",
                           row)
    if len(found) > 1:
        raise RewriteError("E001", f"{len(found)} columns may hold customer ids (columns "
                           f"{', '.join(str(i + 1) for i in found)}): pseudonymizing one "
                           "would leave the others' ids as they are; keep one", row)
    return found[0]


def _with_cell(record: str, delimiter: str, column: int, new: str) -> str:
    """``record`` with cell ``column`` replaced by ``new`` (which needs no quoting)."""
    body = record.rstrip("\r\n")
    ending = record[len(body):]
    if '"' not in body:  # the common case: no quoting, the cells are what split gives
        cells = body.split(delimiter)
        old = cells[column]
        cells[column] = old[:len(old) - len(old.lstrip())] + new + old[len(old.rstrip()):]
        return delimiter.join(cells) + ending
    start, end = _cell_span(body, delimiter, column)
    old = body[start:end]
    if old.startswith('"'):
        cell = '"' + new + '"'
    else:
        cell = old[:len(old) - len(old.lstrip())] + new + old[len(old.rstrip()):]
    return body[:start] + cell + body[end:] + ending


def _cell_span(body: str, delimiter: str, column: int) -> tuple[int, int]:
    """Where cell ``column`` is in a record with quotes (as the csv module reads it)."""
    i, n = 0, len(body)
    for index in range(column + 1):
        start = i
        if i < n and body[i] == '"':  # a quoted cell: up to the closing quote ("" is a quote)
            i += 1
            while i < n and not (body[i] == '"' and body[i + 1:i + 2] != '"'):
                i += 2 if body[i] == '"' else 1
            i += 1
        j = body.find(delimiter, i)
        end = n if j == -1 else j
        if index == column:
            return start, end
        i = end + 1
    return n, n  # not reached: the column exists (csv read it)


def rewrite_jsonl(source: TextSource, keys: Sequence[str], replace: Replace,
                  write: Callable[[str], object]) -> None:
    """Write JSON Lines again with the values of ``keys`` (at any depth) replaced."""
    row = 0
    lines = source.lines()
    while True:
        try:
            line = next(lines)
        except StopIteration:
            return
        except LineTooLong as exc:
            raise RewriteError("F004", str(exc), row + 1) from None
        row += 1
        write(rewrite_json_text(line, keys, replace, row) if line.strip() else line)


_WS = re.compile(r"[ \t\n\r]*")
_SCALARS = json.JSONDecoder(parse_float=Decimal)
MAX_JSON_DEPTH = 100


def _skip(text: str, i: int) -> int:
    """Past the white space at ``i``."""
    m = _WS.match(text, i)
    return m.end() if m else i


def rewrite_json_text(text: str, keys: Sequence[str], replace: Replace, row: int) -> str:
    """A JSON text with every string (or number) value of a member named in ``keys``
    replaced; every other character as it was."""
    spans: list[tuple[int, int]] = []
    try:
        json.loads(text, parse_float=Decimal)  # only valid JSON is walked below
        end = _json_value(text, _skip(text, 0), frozenset(keys), spans, 0)
    except (ValueError, IndexError, RecursionError):
        raise RewriteError("E010", "invalid JSON", row) from None
    if text[_skip(text, end):].strip():
        raise RewriteError("E010", "invalid JSON: more after the value", row)
    out, at = [], 0
    for start, stop in spans:
        value = json.loads(text[start:stop], parse_float=Decimal)
        written = value if isinstance(value, str) else text[start:stop]
        out += [text[at:start], json.dumps(replace(written, row))]
        at = stop
    return "".join(out) + text[at:]


def _json_value(text: str, i: int, keys: frozenset[str], spans: list[tuple[int, int]],
                depth: int) -> int:
    """Parse the JSON value at ``i``; return where it ends; note the spans to replace."""
    if depth > MAX_JSON_DEPTH:
        raise ValueError("nested too deeply")
    if text[i] == "{":
        i = _skip(text, i + 1)
        while text[i] != "}":
            if text[i] != '"':
                raise ValueError("a key")
            key, i = _SCALARS.raw_decode(text, i)
            i = _skip(text, i)
            if text[i] != ":":
                raise ValueError("a colon")
            start = _skip(text, i + 1)
            i = _json_value(text, start, keys, spans, depth + 1)
            if key in keys and text[start] in '"-0123456789':
                spans.append((start, i))
            i = _skip(text, i)
            if text[i] == ",":
                i = _skip(text, i + 1)
        return i + 1
    if text[i] == "[":
        i = _skip(text, i + 1)
        while text[i] != "]":
            i = _skip(text, _json_value(text, i, keys, spans, depth + 1))
            if text[i] == ",":
                i = _skip(text, i + 1)
        return i + 1
    _, end = _SCALARS.raw_decode(text, i)
    return int(end)


# --- one file, end to end ----------------------------------------------------------------

BILL_KEYS = ("customer_id", "customer")
_IN_BILLS = {"E001": "B001", "E010": "B005"}


def rewrite_file(path: str, out: BinaryIO | None, *, key: bytes | None, bill: bool,
                 columns: Sequence[str], encoding: str | None, delimiter: str | None,
                 max_json_bytes: int,
                 delimiter_of: Callable[[str], str | None] | None = None) -> list[Problem]:
    """Write the file at ``path`` to ``out`` with each customer id replaced by its keyed
    pseudonym, in the file's own encoding and format. Without a key nothing is written: the
    problems then say which ids look personal (``E015``, ``E016``). An event file is CSV or
    JSON Lines, a bill CSV or one JSON document; ``columns`` name the customer column;
    ``delimiter_of`` tells a CSV's delimiter from the file's head (read once, so a pipe
    works)."""
    findings = Findings()
    replace = replacing(key, findings)
    try:
        with open(path, "rb") as fh:
            source = TextSource(fh, encoding)
            head = source.head()
            write = _writer(out, encoding, source.bom)
            lower = path.lower()
            if _is_json(lower, head, bill) and bill:
                if os.fstat(fh.fileno()).st_size > max_json_bytes:
                    raise RewriteError("B005", "the bill is too large")
                write(rewrite_json_text(source.whole(), columns, replace, 1))
            elif _is_json(lower, head, bill):
                rewrite_jsonl(source, columns, replace, write)
            else:
                told = delimiter_of(head) if delimiter_of is not None else delimiter
                rewrite_csv(source, columns, told, replace, write, bill)
    except OSError as exc:
        return [Problem("F001", f"cannot read file: {exc.strerror or exc}", Source(path))]
    except Undecodable as exc:
        return [Problem("F003", str(exc), Source(path))]
    except RewriteError as exc:
        code = _IN_BILLS.get(exc.code, exc.code) if bill else exc.code
        return [Problem(code, str(exc), Source(path, row=exc.row))]
    return findings.problems(path)


def _is_json(lower: str, head: str, bill: bool) -> bool:
    """As the readers tell: events by ``.jsonl``/``.ndjson``/``.json`` or a first ``{``;
    bills by ``.json`` or a first ``[`` or ``{``."""
    if bill:
        return lower.endswith(".json") or (not lower.endswith(".csv")
                                           and head.lstrip().startswith(("[", "{")))
    if lower.endswith((".jsonl", ".ndjson", ".json")):
        return True
    return not lower.endswith(".csv") and head.lstrip().startswith("{")


def _writer(out: BinaryIO | None, encoding: str | None, bom: bool) -> Callable[[str], object]:
    """Text to ``out`` in the input's encoding (its byte-order mark again, if it had one)."""
    if out is None:
        return lambda text: None
    if bom:
        out.write(codecs.BOM_UTF8)
    encoder = codecs.getincrementalencoder(encoding or "utf-8")()
    return lambda text: out.write(encoder.encode(text))
