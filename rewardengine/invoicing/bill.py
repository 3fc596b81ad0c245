"""Reading a provider's bill: CSV (a header row) or JSON, into lines with their rows.

A bill is CSV (a header row) or JSON (the invoice JSON ``rewardengine invoice`` writes, a list
of objects, or an object with a ``lines`` list). It needs a customer (empty for a
contract-level line such as a capacity fee), a component, an occurrence or a date, and an
amount; other columns are ignored. Other column names are mapped
with ``customer=asiakas,amount=summa`` (``--map``), see docs/invoicing.md.
"""

from __future__ import annotations

import bisect
import csv
import io
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from pydantic_core import PydanticCustomError

from ..csvsafe import needs_apostrophe
from ..errors import Problem, Source
from ..privacy import PersonalIdWatch
from ..tabular import (
    ISO_DATES,
    MAX_FIELD_CHARS,
    MAX_NUMBER_CHARS,
    MAX_ROW_CHARS,
    NAMED,
    PLAIN,
    Dialect,
    delimiter_hint,
    label_rate,
    other_delimiter,
    quoted,
    sep_line,
    sum_label,
    trim_header,
)
from ..values import MONEY_LIMIT, parse_date
from .billtext import UnreadableBill, bill_text
from .invoice import ZERO, VatGroup

FIELDS = ("customer", "component", "occurrence", "date", "amount", "provider", "type")
REQUIRED = ("customer", "component", "amount")
# names accepted without a mapping, per field (the invoice CSV's own names come first)
DEFAULT_NAMES: dict[str, tuple[str, ...]] = {
    "customer": ("customer_id", "customer"),
    "component": ("component",),
    "occurrence": ("occurrence",),
    "date": ("date",),
    "amount": ("amount",),
    "provider": ("provider",),
    "type": ("type",),
}
# rows that state the bill's sums rather than an earning: checked against the lines
TOTAL_TYPES = ("subtotal", "vat", "total")
MAX_BILL_BYTES = 50_000_000
_AMOUNT = re.compile(r"^-?\d+(\.\d{1,2})?$", re.ASCII)  # no digits of other scripts



class MappingError(ValueError):
    """A ``--map`` option written wrongly."""


def parse_mapping(specs: str | Sequence[str] | None) -> dict[str, str]:
    """``"customer=asiakas,amount=summa"`` (or several such strings) -> field -> column."""
    if specs is None:
        return {}
    items = [specs] if isinstance(specs, str) else list(specs)
    out: dict[str, str] = {}
    for spec in items:
        for part in spec.split(","):
            if not part.strip():
                continue
            name, sep, column = part.partition("=")
            name, column = name.strip().lower(), column.strip()
            if not sep or not column:
                raise MappingError(f"{quoted(part.strip(), 40)} is not FIELD=COLUMN "
                                   "(e.g. customer=asiakas)")
            if name not in FIELDS:
                raise MappingError(f"unknown bill field {quoted(name, 40)}; fields are "
                                   f"{', '.join(FIELDS)}")
            if name in out and out[name] != column:
                raise MappingError(f"field '{name}' is mapped twice")
            out[name] = column
    return out


# --- reading a bill ----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class BillLine:
    row: int
    customer_id: str
    component: str
    occurrence: str | None
    date: date | None
    amount: Decimal
    provider: str | None = None
    type: str | None = None
    vat: tuple[str, Decimal] | None = None  # the VAT category and rate the bill gives it
    rate: Decimal | None = None  # a VAT row's rate, as its label names it ("ALV 24 %")


@dataclass
class Bill:
    file: str
    lines: list[BillLine] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # the sums the bill states (subtotal / vat / total rows): type -> (row, amount)
    stated: dict[str, tuple[int | None, Decimal]] = field(default_factory=dict)
    # each VAT row of a bill that states VAT in rows (row, the rate its label names, amount)
    vat_rows: list[tuple[int, Decimal | None, Decimal]] = field(default_factory=list)
    vat_breakdown: list[VatGroup] | None = None  # as the bill states it, when it does
    # the period the bill says it is for (an invoice's ``period``, a CSV's ``period``
    # column, as the engine writes them) and where: (row, label)
    period: tuple[int | None, str] | None = None
    # the contract the bill says it is for (an invoice's ``contract.id``)
    contract: str | None = None
    # a JSON bill's lines (numbered from 1, as ``row``) where they begin in the file: (line,
    # column); a CSV bill's rows are its file lines
    places: dict[int, tuple[int, int]] = field(default_factory=dict)

    def source(self, row: int | None) -> Source:
        """Where a row of the bill is: its file line, or a JSON line's line and column."""
        if row is not None and row in self.places:
            return Source(self.file, self.places[row][0], self.places[row][1], row)
        return Source(self.file, row=row)

    @property
    def unreadable(self) -> bool:
        """The bill as a whole could not be read (no file, no required columns)."""
        return any(p.code in ("B001", "B005") for p in self.problems)

    @property
    def total(self) -> Decimal:
        return sum((ln.amount for ln in self.lines), ZERO)


def _unescape(text: str) -> str:
    """Undo the spreadsheet neutralisation: a leading apostrophe before a cell that would
    start a formula, after any leading spaces (as ``csvsafe.safe_cell`` writes it)."""
    text = text.strip()
    return text[1:] if text.startswith("'") and needs_apostrophe(text[1:]) else text


# A bill's amounts are below ``MONEY_LIMIT``, as the contract's and the events' are
# (``values.Money``): Decimal's 28 digits then hold every sum of them exactly


def parse_amount(text: str, decimal_comma: bool = False) -> Decimal | None:
    """``150.00``, ``-12.5``, ``1 234,50`` (spaces and a decimal comma allowed); else None.
    With ``decimal_comma`` (a dialect that says so) a decimal point is refused. Only ASCII
    digits, and at most MAX_NUMBER_CHARS characters: nothing longer reaches Decimal; and
    below ``MONEY_LIMIT``."""
    amount = _amount_written(text, decimal_comma)
    return amount if amount is None or abs(amount) < MONEY_LIMIT else None


def _amount_written(text: str, decimal_comma: bool) -> Decimal | None:
    """The amount ``text`` writes, however large (``parse_amount``)."""
    value = _unescape(text)
    if len(value) > MAX_NUMBER_CHARS:
        return None
    for ch in (" ", "\u00a0", "\u202f", "€"):
        value = value.replace(ch, "")
    if decimal_comma and "." in value:
        return None
    if "," in value and "." not in value:
        value = value.replace(",", ".")
    if value.startswith("\u2212"):  # a typographic minus
        value = "-" + value[1:]
    if not _AMOUNT.match(value):
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        return None


def _columns(names: Iterable[str], mapping: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """field -> the column it is read from (names match in any case, trimmed); and the
    problems (as messages)."""
    present: dict[str, str] = {}
    for name in names:
        present.setdefault(name.strip().casefold(), name)
    out: dict[str, str] = {}
    missing: list[str] = []
    for name in FIELDS:
        if name in mapping:
            column = present.get(mapping[name].strip().casefold())
            if column is not None:
                out[name] = column
            else:
                missing.append(f"column {quoted(mapping[name])} (mapped to {name}) is not in "
                               "the bill")
            continue
        found = next((present[c] for c in DEFAULT_NAMES[name] if c in present), None)
        if found is not None:
            out[name] = found
        elif name in REQUIRED:
            missing.append(f"no {name} column (looked for "
                           f"{', '.join(DEFAULT_NAMES[name])}; map another with "
                           f"--map {name}=COLUMN)")
    if "occurrence" not in out and "date" not in out and not any(
            "(mapped to occurrence)" in m or "(mapped to date)" in m for m in missing):
        missing.append("no occurrence or date column: a bill line needs one to be matched")
    return out, missing


@dataclass(frozen=True, slots=True)
class _Reading:
    """How the rows of one bill are read: its columns, its first column, its dialect."""

    columns: dict[str, str]
    first: str | None
    dialect: Dialect


def _bill_line(raw: dict[str, Any], how: _Reading, src: Source
               ) -> tuple[BillLine | None, list[Problem]]:
    def cell(name: str) -> str:
        column = how.columns.get(name)
        value = raw.get(column) if column is not None else None
        return "" if value is None else _unescape(str(value))

    kind = cell("type").lower() or None
    if kind in TOTAL_TYPES or not cell("component"):  # a sum stated by its type or label
        label = _label(cell("customer"), raw.get(how.first) if how.first is not None else None)
        if kind not in TOTAL_TYPES:
            kind = sum_label(label) or kind
        if kind in (*TOTAL_TYPES, "sum"):
            return _stated_line(kind, cell("amount"), how.dialect, src, label_rate(label))
    problems: list[Problem] = []
    for name in ("component", "amount"):  # no customer: a contract line (capacity fee)
        if not cell(name):
            problems.append(Problem("B004", f"no {name} on this bill line", src))
    occurrence = cell("occurrence") or None
    day, unread = _bill_date(cell("date"), how.dialect, src)
    if occurrence is None and day is None and unread is None:
        problems.append(Problem("B004", "a bill line needs an occurrence or a date", src))
    amount, problem = _bill_amount(cell("amount"), how.dialect, src)
    if problem is not None:
        problems.append(problem)
    if unread is not None:
        problems.append(unread)
    # a date that does not read leaves a line its occurrence names still matched by it: the
    # problem is its date, not that the line is missing from the bill
    if amount is None or (problems and (problems != [unread] or occurrence is None)):
        return None, problems
    return BillLine(row=src.row or 0, customer_id=cell("customer"),
                    component=cell("component"), occurrence=occurrence, date=day,
                    amount=amount, provider=cell("provider") or None, type=kind), problems


def _label(customer: str, first: object) -> str:
    """The cell a row's label is written in ("ALV 24 %"): the customer's, else the first."""
    return customer if sum_label(customer) else str(first or "")


def _stated_line(kind: str, text: str, dialect: Dialect, src: Source,
                 rate: Decimal | None = None) -> tuple[BillLine | None, list[Problem]]:
    """A row stating the bill's subtotal, VAT or total (a labelled sum: ``kind`` "sum");
    ``rate``: the VAT rate its label names."""
    stated, _ = _bill_amount(text, dialect, src) if text else (None, None)
    if stated is None:
        return None, [Problem("B002", f"the {kind if kind != 'sum' else 'total'} row has no "
                              "readable amount", src)]
    return BillLine(src.row or 0, "", kind, None, None, stated, type=kind,
                    rate=rate if kind == "vat" else None), []


def _bill_amount(text: str, dialect: Dialect, src: Source
                 ) -> tuple[Decimal | None, Problem | None]:
    if not text:
        return None, None
    amount = parse_amount(text, dialect.decimal_comma)
    if amount is not None:
        return amount, None
    if len(text) > MAX_NUMBER_CHARS:
        return None, Problem("B002", f"an amount of {len(text):,} characters; at most "
                             f"{MAX_NUMBER_CHARS} are read", src)
    if _amount_written(text, dialect.decimal_comma) is not None:
        return None, Problem("B002", f"amount {quoted(text)} is implausibly large: a bill's "
                             "amounts are below 1 000 000 000 000 000", src)
    like = "150,00 (decimal comma)" if dialect.decimal_comma else "150.00"
    return None, Problem("B002", f"amount {quoted(text)} is not an amount like {like}", src)


def _bill_date(text: str, dialect: Dialect, src: Source) -> tuple[date | None, Problem | None]:
    if not text:
        return None, None
    written = "d.m.yyyy or YYYY-MM-DD" if dialect.date_format != ISO_DATES else "YYYY-MM-DD"
    try:
        return parse_date(dialect.date(text)), None
    except (ValueError, PydanticCustomError):
        return None, Problem("B003", f"date {quoted(text)} is not a date written {written} "
                             "in the years 1900 to 2199", src)


def _missing(names: list[str], mapping: dict[str, str], dialect: Dialect,
             missing: list[str]) -> list[str]:
    """What the header lacks; for a header of one cell holding another delimiter, that
    delimiter's option, and what its columns read so would still lack (Finnish names that
    need --map too), so following the advice is the whole fix."""
    hint = delimiter_hint(names, dialect.delimiter or ",")
    other = other_delimiter(names, dialect.delimiter or ",")
    if hint is None or other is None:
        return missing
    cells = next(csv.reader([names[0]], delimiter=other), [])  # quoted names read as such
    _, still = _columns([_unescape(c) for c in cells], mapping)
    return [hint, *(f"read so, it would still have {m}" for m in still)]


def _read_rows(rows: Iterator[tuple[int, dict[str, Any]]], names: list[str], file: str,
               mapping: dict[str, str], dialect: Dialect, per_row: bool = False) -> Bill:
    """``per_row``: JSON objects may each name a field differently (customer_id/customer)."""
    bill = Bill(file)
    columns, missing = _columns(names, mapping)
    if missing:
        bill.problems.extend(Problem("B001", m, Source(file, row=1))
                             for m in _missing(names, mapping, dialect, missing))
        return bill
    sums: list[tuple[int, Decimal]] = []
    watch = PersonalIdWatch()  # a customer id like a henkilötunnus: counted, never shown
    for row, raw in rows:
        if bill.period is None and isinstance(raw.get("period"), str) and raw["period"]:
            bill.period = (row, raw["period"].strip())
        own = {**columns, **_columns(raw, mapping)[0]} if per_row else columns
        how = _Reading(own, None if per_row else (names[0] if names else None), dialect)
        line, problems = _bill_line(raw, how, Source(file, row=row))
        bill.problems.extend(problems)
        if line is not None and line.type == "vat":
            bill.vat_rows.append((row, line.rate, line.amount))
        if line is not None and line.type == "sum":
            sums.append((row, line.amount))
        elif line is not None and line.type == "vat" and "vat" in bill.stated:
            # a VAT row per rate (ALV 24 %, ALV 25,5 %): the bill's VAT is their sum, told
            # at the first
            first, so_far = bill.stated["vat"]
            bill.stated["vat"] = (first, so_far + line.amount)
        elif line is not None and line.type in TOTAL_TYPES:
            bill.stated[line.type] = (row, line.amount)
        elif line is not None:
            bill.lines.append(line)
            if line.customer_id:
                watch.see(line.customer_id, row)
    personal = watch.problem(file, "the bill's line" if per_row else "row")
    if personal is not None:
        bill.problems.append(personal)
    for row, amount in sums:
        # "Yhteensä" is what gets paid when the bill also states its VAT or subtotal;
        # otherwise it is the sum of the lines
        stated_more = "vat" in bill.stated or "subtotal" in bill.stated
        bill.stated["total" if stated_more else "subtotal"] = (row, amount)
    return bill


# how numbers and dates go with a delimiter, for a bill written otherwise than the event
# files: the engine's own CSV bill is ','-delimited with decimal points and ISO dates; a bill
# in Finnish conventions is ';'-delimited with decimal commas and d.m.yyyy dates
_WRITTEN_WITH = {",": PLAIN, ";": NAMED["fi"]}


def _header(text: str, delimiter: str) -> list[str] | None:
    """The bill's header cells read with ``delimiter`` (None: no readable first row)."""
    reader = csv.reader(io.StringIO(text[:MAX_ROW_CHARS], newline=""), delimiter=delimiter)
    try:
        return [_unescape(h) for h in trim_header(next(reader))]
    except (StopIteration, csv.Error):
        return None


def bill_dialect(text: str, dialect: Dialect, mapping: dict[str, str] | None = None
                 ) -> Dialect:
    """How a CSV bill (``text`` after any ``sep=`` line) is written. The bill's columns are
    known, so its header tells its delimiter: its ``sep=`` line's, else the one given (or
    ','), else ',' or ';', the first whose header holds the bill's columns. Read with the
    delimiter given, it is in the dialect given; with another, in that delimiter's
    conventions (``_WRITTEN_WITH``), so the engine's own bill and a Finnish one both verify
    beside event files of either dialect; amounts written with decimal points and never a
    comma are read so, whatever the delimiter (``_decimal_points``). A header that holds no
    bill's columns is read with the first, and its problems are said as before."""
    said, length = sep_line(text)
    given = dialect.delimiter or ","
    tried = [said] if said is not None else [given, *(d for d in _WRITTEN_WITH if d != given)]
    for delimiter in tried:
        header = _header(text[length:], delimiter)
        if header is not None and not _columns(header, mapping or {})[1]:
            break
    else:
        delimiter = tried[0]
    if delimiter == given or delimiter not in _WRITTEN_WITH:
        written = replace(dialect, delimiter=delimiter)
    else:
        written = replace(_WRITTEN_WITH[delimiter], delimiter=delimiter,
                          encoding=dialect.encoding)
    if written.decimal_comma and _decimal_points(text[length:], delimiter, mapping or {}):
        # a ';' (or a sep=; line, or the dialect of the event files) says nothing of the
        # amounts: written with decimal points (750.00), they are not decimal commas
        return replace(written, decimal_comma=False)
    return written


_POINTED = re.compile(r"^[+\-\u2212]?\d+\.(\d{1,2}|\d{4,})$", re.ASCII)
SAMPLE_ROWS = 200  # the rows whose amounts tell decimal points from decimal commas


def _decimal_points(text: str, delimiter: str, mapping: dict[str, str]) -> bool:
    """The bill's first rows write amounts with a decimal point and never a comma: a point
    before other than three digits (``750.00``, not ``1.234``, which may be thousands)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [_unescape(h) for h in trim_header(next(reader))]
        column = _columns(header, mapping)[0].get("amount")
        if column is None:
            return False
        at = header.index(column)
        cells = [row[at].strip() for _, row in zip(range(SAMPLE_ROWS), reader, strict=False)
                 if len(row) > at and row[at].strip()]
    except (StopIteration, csv.Error):
        return False
    return bool(cells) and not any("," in c for c in cells) and any(
        _POINTED.match(c.replace(" ", "")) for c in cells)


def read_bill_csv(text: str, file: str, mapping: dict[str, str] | None = None,
                  dialect: Dialect = PLAIN) -> Bill:
    """A CSV bill, read as ``bill_dialect`` tells from its header."""
    _, length = sep_line(text)
    csv.field_size_limit(MAX_FIELD_CHARS)
    written = bill_dialect(text, dialect, mapping)
    reader = csv.reader(io.StringIO(text[length:], newline=""), delimiter=written.delimiter
                        or ",")
    try:
        cells = next(reader)
    except StopIteration:
        return Bill(file, problems=[Problem("B005", "the bill is empty", Source(file))])
    except csv.Error as exc:
        return Bill(file, problems=[Problem("B005", f"unreadable CSV: {exc}", Source(file))])
    header = [_unescape(h) for h in trim_header(cells)]

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        for i, cells in enumerate(reader, start=2):
            if cells and any(c.strip() for c in cells):
                yield i, dict(zip(header, cells, strict=False))

    try:
        return _read_rows(rows(), header, file, mapping or {}, written)
    except csv.Error as exc:
        return Bill(file, problems=[Problem("B005", f"unreadable CSV: {exc}", Source(file))])


def _json_rows(data: Any) -> tuple[list[Any] | None, str]:
    """The bill's line objects in order (or None, and why the shape is wrong)."""
    if isinstance(data, list):
        return data, ""
    if isinstance(data, dict) and "sections" in data:  # an invoice
        sections = data["sections"]
        if not isinstance(sections, list) or not all(isinstance(s, dict) for s in sections):
            return None, "an invoice's 'sections' must be a list of objects"
        out: list[Any] = []
        for section in sections:
            for kind in ("lines", "corrections"):
                rows = section.get(kind, [])
                if not isinstance(rows, list):
                    return None, f"an invoice section's '{kind}' must be a list"
                out.extend({**r, "type": "line" if kind == "lines" else "correction"}
                           if isinstance(r, dict) else r for r in rows)
        return out, ""
    if isinstance(data, dict) and "lines" in data:
        if not isinstance(data["lines"], list):
            return None, "the bill's 'lines' must be a list of line objects"
        return data["lines"], ""
    return None, ("a JSON bill is a list of line objects, an object with 'lines', or an "
                  "invoice written by rewardengine")


# a JSON text's strings, numbers and literals, and the marks that open, close and separate
# its objects and lists
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\],]|-?[0-9][0-9.eE+-]*|true|false|null')


def _places(text: str, data: Any, count: int) -> dict[int, tuple[int, int]]:
    """Where each of a JSON bill's ``count`` lines (``_json_rows``' order) begins: (line,
    column) in the text, so a problem points where an editor shows the line; {} when the
    lines' paths are not found as expected (a problem then says the line's number)."""
    starts = _json_starts(text)
    found = [starts.get(path) for path in _row_paths(data)]
    if len(found) != count or any(at is None for at in found):
        return {}
    ends = [m.start() for m in re.finditer("\n", text)]
    out = {}
    for row, at in enumerate(cast("list[int]", found), start=1):
        line = bisect.bisect_left(ends, at)
        out[row] = (line + 1, at - (ends[line - 1] if line else -1))
    return out


def _row_paths(data: Any) -> list[tuple[Any, ...]]:
    """The path of each line object of a JSON bill, in ``_json_rows``' order."""
    if isinstance(data, list):
        return [(i,) for i in range(len(data))]
    if isinstance(data, dict) and isinstance(data.get("sections"), list):
        return [("sections", s, kind, i) for s, section in enumerate(data["sections"])
                if isinstance(section, dict) for kind in ("lines", "corrections")
                if isinstance(section.get(kind), list) for i in range(len(section[kind]))]
    if isinstance(data, dict) and isinstance(data.get("lines"), list):
        return [("lines", i) for i in range(len(data["lines"]))]
    return []


def _json_starts(text: str) -> dict[tuple[Any, ...], int]:
    """The offset at which each value of a JSON text begins, by its path of keys and
    indexes (a key given twice: its last value, as ``json.loads`` keeps)."""
    starts: dict[tuple[Any, ...], int] = {}
    stack: list[list[Any]] = []  # [path, is an object, the key or index now, a key next]
    for m in _JSON_TOKEN.finditer(text):
        token = m.group()
        top = stack[-1] if stack else None
        if top is not None and top[1] and top[3] and token[0] == '"':
            top[2], top[3] = json.loads(token), False  # an object's key
            continue
        if token in "}]":
            if stack:
                stack.pop()
            continue
        if token == ",":
            if top is not None:
                top[2], top[3] = (top[2] + 1, False) if not top[1] else (None, True)
            continue
        path = () if top is None else (*top[0], top[2])
        starts[path] = m.start()
        if token in "{[":
            stack.append([path, token == "{", None if token == "{" else 0, token == "{"])
    return starts


_TEXT_FIELDS = ("customer", "component", "occurrence", "date", "provider", "type")


def _json_shape(row: Any, mapping: dict[str, str], src: Source) -> list[Problem]:
    """A JSON line is an object whose fields hold text (the amount may be a number)."""
    if not isinstance(row, dict):
        what = {list: "a list", str: "a text", bool: "true/false"}.get(type(row), "a number")
        return [Problem("B007", f"a bill line must be an object, not {what}"
                        if row is not None else "a bill line must be an object, not null",
                        src)]
    columns, _ = _columns(row, mapping)
    out = []
    for name, column in columns.items():
        value = row[column]
        number = isinstance(value, (int, Decimal)) and not isinstance(value, bool)
        if value is None or isinstance(value, str) or (number and name == "amount"):
            continue
        what = ("a number" if number else "true/false" if isinstance(value, bool)
                else "a list" if isinstance(value, list) else "an object")
        out.append(Problem("B007", f"field {quoted(column)} must be text, not {what}", src))
    return out


def read_bill_json(text: str, file: str, mapping: dict[str, str] | None = None,
                   dialect: Dialect = PLAIN) -> Bill:
    try:
        data = json.loads(text, parse_float=Decimal)
    except (ValueError, RecursionError) as exc:  # also an integer of over 4300 digits
        return Bill(file, problems=[Problem("B005", f"invalid JSON: "
                                            f"{getattr(exc, 'msg', exc)}", Source(file))])
    rows, why = _json_rows(data)
    if rows is None:
        return Bill(file, problems=[Problem("B005", why, Source(file))])
    shapes = [p for i, r in enumerate(rows, start=1)
              for p in _json_shape(r, mapping or {}, Source(file, row=i))]
    good = [(i, r) for i, r in enumerate(rows, start=1)
            if isinstance(r, dict) and not any(p.source.row == i for p in shapes)]
    names = sorted({k for _, r in good for k in r}) if good else list(
        (mapping or {}).values()) or [n[0] for n in DEFAULT_NAMES.values()]
    bill = _read_rows(iter(good), names, file, mapping or {}, dialect, per_row=True)
    bill.problems[:0] = shapes
    _line_vats(bill, dict(good))
    bill.places = _places(text, data, len(rows))
    bill.problems = [replace(p, source=bill.source(p.source.row))
                     if p.source.file == file and p.source.row is not None else p
                     for p in bill.problems]
    if isinstance(data, dict):  # an invoice or {"lines": ...} may state its sums
        _stated_keys(data, bill, dialect)
        _stated_breakdown(data, bill)
        label = data.get("period", {}).get("label") if isinstance(data.get("period"),
                                                                   dict) else None
        if isinstance(label, str) and label:
            bill.period = (None, label.strip())
        contract = data.get("contract", {}).get("id") if isinstance(data.get("contract"),
                                                                   dict) else None
        if isinstance(contract, str) and contract.strip():
            bill.contract = contract.strip()
    return bill


def _line_vats(bill: Bill, rows: dict[int, dict[str, Any]]) -> None:
    """Each line's VAT where its object gives one (``"vat": {"category": "S", "rate":
    "0.255"}``, as the invoice JSON writes it)."""
    for n, line in enumerate(bill.lines):
        given = rows.get(line.row, {}).get("vat")
        if given is None:
            continue
        vat = _vat_of(given)
        if vat is None:
            bill.problems.append(Problem("B007", "field 'vat' must be an object with a "
                                         "category and a rate, e.g. {\"category\": \"S\", "
                                         "\"rate\": \"0.255\"}" + _percent(given),
                                         Source(bill.file, row=line.row)))
        else:
            bill.lines[n] = replace(line, vat=vat)


def _vat_of(value: Any) -> tuple[str, Decimal] | None:
    """(category, rate) of a VAT object, or None when it is not one: a category of one to
    three capital letters (UNCL 5305: S, Z, E, AE, O...) and a rate from 0 to 1 written
    as a plain decimal (``0.255``)."""
    if not isinstance(value, dict):
        return None
    category, rate = value.get("category"), _rate(value)
    if not (isinstance(category, str) and _CATEGORY.match(category)):
        return None
    return (category, rate) if rate is not None and rate <= 1 else None


def _rate(value: Any) -> Decimal | None:
    """A VAT object's rate as written, a plain decimal (of 0 to 999: a percentage is told as
    one, ``_percent``); None when it is no such number."""
    rate = value.get("rate") if isinstance(value, dict) else None
    text = str(rate) if isinstance(rate, (str, Decimal, int)) and not isinstance(rate, bool) \
        else ""
    return Decimal(text) if _RATE.match(text) else None


def _percent(value: Any) -> str:
    """`` (a rate is written from 0 to 1: 24 % is 0.24)`` for a VAT object whose rate is
    written as a percentage; else nothing."""
    rate = _rate(value)
    if rate is None or not 1 < rate <= 100:
        return ""
    return f" (a rate is written from 0 to 1: {rate} % is {(rate / 100).normalize()})"


_CATEGORY = re.compile(r"[A-Z]{1,3}\Z", re.ASCII)  # match: from the start; \Z: no newline
_RATE = re.compile(r"\d{1,3}(\.\d{1,20})?\Z", re.ASCII)


def _stated_breakdown(data: dict[str, Any], bill: Bill) -> None:
    """The VAT breakdown an invoice states (``vat_breakdown``), each group read with its
    category, rate, taxable amount and tax; a group that does not read is a problem."""
    groups = data.get("vat_breakdown")
    if groups is None:
        return
    if not isinstance(groups, list):
        bill.problems.append(Problem("B007", "the bill's 'vat_breakdown' must be a list of "
                                     "groups", Source(bill.file)))
        return
    bill.vat_breakdown = []
    for n, group in enumerate(groups, start=1):
        vat = _vat_of(group)
        taxable, tax = ((_money(group.get(k)) for k in ("taxable", "tax"))
                        if isinstance(group, dict) else (None, None))
        exempt = _exemption(group) if isinstance(group, dict) else None
        if vat is None or taxable is None or tax is None or exempt is None:
            bill.problems.append(Problem(
                "B007", f"group {n} of the bill's 'vat_breakdown' must have a category, a "
                "rate, a taxable amount and a tax (and an exemption code and reason of text, "
                "if any)" + _percent(group), Source(bill.file)))
            continue
        bill.vat_breakdown.append(VatGroup(vat[0], vat[1], *exempt, taxable, tax))


def _exemption(group: dict[str, Any]) -> tuple[str | None, str | None] | None:
    """A group's exemption code (a VATEX code: letters, digits and hyphens) and reason
    (text, compared, never shown), each None when not given; None when one is not so."""
    code, reason = group.get("exemption_code"), group.get("exemption_reason")
    if code is not None and not (isinstance(code, str) and _VATEX.match(code)):
        return None
    if reason is not None and not isinstance(reason, str):
        return None
    return code or None, reason or None


_VATEX = re.compile(r"[A-Za-z0-9-]{1,40}\Z", re.ASCII)


def _money(value: Any) -> Decimal | None:
    """An amount of the breakdown: text or a JSON number, as a bill's amounts are read."""
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        return None
    return parse_amount(str(value))


def _stated_keys(data: dict[str, Any], bill: Bill, dialect: Dialect) -> None:
    for kind in TOTAL_TYPES:
        value = data.get(kind)
        if value is None:
            continue
        plain = isinstance(value, (str, int, Decimal)) and not isinstance(value, bool)
        amount = parse_amount(str(value), dialect.decimal_comma) if plain else None
        if amount is None:
            bill.problems.append(Problem("B002", f"the bill's {kind} {quoted(value)} is not "
                                         "an amount", Source(bill.file)))
        else:
            bill.stated[kind] = (None, amount)


def _other_document(raw: bytes) -> str | None:
    """What a file given as the bill is when it is no CSV or JSON bill a checker may hold
    instead: a workbook, or an e-invoice's XML (None: read it as a bill)."""
    if raw.startswith(b"PK\x03\x04"):
        return ("the bill is an Excel workbook (or another ZIP file): save its sheet as CSV "
                "UTF-8, or give the invoice's CSV or JSON (invoice show NUMBER -f json)")
    head = raw[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:15].lower().startswith((b"<!doctype html", b"<html")):
        return ("the bill is an HTML page (an invoice as a browser shows it?): verify reads a "
                "CSV or JSON bill; give the invoice's CSV or JSON (invoice show NUMBER -f json)")
    if head.startswith(b"<"):
        return ("the bill is an XML document (a UBL or Finvoice e-invoice?): verify reads a "
                "CSV or JSON bill; give the invoice's CSV or JSON (invoice show NUMBER -f json)")
    return None


def read_bill(path: str, mapping: dict[str, str] | None = None,
              dialect: Dialect = PLAIN) -> Bill:
    """Read a CSV or JSON bill file (by extension, else by its first character)."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_BILL_BYTES + 1)
    except OSError as exc:
        return Bill(path, problems=[Problem("B005", f"cannot read file: "
                                            f"{exc.strerror or exc}", Source(path))])
    if len(raw) > MAX_BILL_BYTES:
        return Bill(path, problems=[Problem("B005", "the bill is too large", Source(path))])
    other = _other_document(raw)
    if other is not None:
        return Bill(path, problems=[Problem("B005", other, Source(path))])
    try:
        read = bill_text(raw, dialect.encoding)
    except UnreadableBill as exc:
        return Bill(path, problems=[Problem("B005", f"the bill: {exc}", Source(path,
                                                                             row=exc.row))])
    text = read.text
    lower = path.lower()
    as_json = lower.endswith(".json") or (not lower.endswith(".csv")
                                          and text.lstrip().startswith(("[", "{")))
    # a dialect says how spreadsheet cells are written: a JSON bill (the invoice JSON the
    # engine writes) has ISO dates and decimal points whatever it is, as JSON Lines events
    # take only --encoding
    bill = (read_bill_json(text, path, mapping, Dialect(encoding=dialect.encoding)) if as_json
            else read_bill_csv(text, path, mapping, dialect))
    if read.read_as is not None:
        bill.problems.append(Problem("F005", f"read as {read.read_as}", Source(path)))
    return bill
