"""Reading a provider's bill: CSV (a header row) or JSON, into lines with their rows.

A bill is CSV (a header row) or JSON (the invoice JSON ``rewardengine invoice`` writes, a list
of objects, or an object with a ``lines`` list). It needs a customer (empty for a
contract-level line such as a capacity fee), a component, an occurrence or a date, and an
amount; other columns are ignored. Other column names are mapped
with ``customer=asiakas,amount=summa`` (``--map``), see docs/invoicing.md.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic_core import PydanticCustomError

from ..errors import Problem, Source
from ..values import parse_date
from .invoice import ZERO

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
_AMOUNT = re.compile(r"^-?\d+(\.\d{1,2})?$")
_NEUTRALISED = re.compile(r"^'[=+\-@\t\r]")



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
                raise MappingError(f"'{part.strip()[:40]}' is not FIELD=COLUMN "
                                   "(e.g. customer=asiakas)")
            if name not in FIELDS:
                raise MappingError(f"unknown bill field '{name[:40]}'; fields are "
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


@dataclass
class Bill:
    file: str
    lines: list[BillLine] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # the sums the bill states (subtotal / vat / total rows): type -> (row, amount)
    stated: dict[str, tuple[int | None, Decimal]] = field(default_factory=dict)

    @property
    def unreadable(self) -> bool:
        """The bill as a whole could not be read (no file, no required columns)."""
        return any(p.code in ("B001", "B005") for p in self.problems)

    @property
    def total(self) -> Decimal:
        return sum((ln.amount for ln in self.lines), ZERO)


def _unescape(text: str) -> str:
    """Undo the spreadsheet neutralisation (a leading apostrophe before = + - @)."""
    text = text.strip()
    return text[1:] if _NEUTRALISED.match(text) else text


def parse_amount(text: str) -> Decimal | None:
    """``150.00``, ``-12.5``, ``1 234,50`` (spaces and a decimal comma allowed); else None."""
    value = _unescape(text)
    for ch in (" ", "\u00a0", "\u202f", "€"):
        value = value.replace(ch, "")
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
    """field -> the column it is read from; and the problems (as messages)."""
    present = list(names)
    out: dict[str, str] = {}
    missing: list[str] = []
    for name in FIELDS:
        if name in mapping:
            if mapping[name] in present:
                out[name] = mapping[name]
            else:
                missing.append(f"column '{mapping[name][:40]}' (mapped to {name}) is not in "
                               "the bill")
            continue
        found = next((c for c in DEFAULT_NAMES[name] if c in present), None)
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


def _bill_line(raw: dict[str, Any], columns: dict[str, str], src: Source
               ) -> tuple[BillLine | None, list[Problem]]:
    def cell(name: str) -> str:
        column = columns.get(name)
        value = raw.get(column) if column is not None else None
        return "" if value is None else _unescape(str(value))

    kind = cell("type").lower() or None
    problems: list[Problem] = []
    if kind in TOTAL_TYPES:
        stated = parse_amount(cell("amount")) if cell("amount") else None
        if stated is None:
            return None, [Problem("B002", f"the {kind} row has no readable amount", src)]
        return BillLine(src.row or 0, "", kind, None, None, stated, type=kind), []
    for name in ("component", "amount"):  # no customer: a contract line (capacity fee)
        if not cell(name):
            problems.append(Problem("B004", f"no {name} on this bill line", src))
    occurrence = cell("occurrence") or None
    day: date | None = None
    if cell("date"):
        try:
            day = parse_date(cell("date"))
        except PydanticCustomError:
            problems.append(Problem("B003", f"date '{cell('date')[:40]}' is not written "
                                    "YYYY-MM-DD", src))
    if occurrence is None and day is None and not any(p.code == "B003" for p in problems):
        problems.append(Problem("B004", "a bill line needs an occurrence or a date", src))
    amount = parse_amount(cell("amount")) if cell("amount") else None
    if cell("amount") and amount is None:
        problems.append(Problem("B002", f"amount '{cell('amount')[:40]}' is not an amount "
                                "like 150.00", src))
    if problems or amount is None:
        return None, problems
    return BillLine(row=src.row or 0, customer_id=cell("customer"),
                    component=cell("component"), occurrence=occurrence, date=day,
                    amount=amount, provider=cell("provider") or None, type=kind), []


def _read_rows(rows: Iterator[tuple[int, dict[str, Any]]], names: list[str], file: str,
               mapping: dict[str, str], per_row: bool = False) -> Bill:
    """``per_row``: JSON objects may each name a field differently (customer_id/customer)."""
    bill = Bill(file)
    columns, missing = _columns(names, mapping)
    if missing:
        bill.problems.extend(Problem("B001", m, Source(file, row=1)) for m in missing)
        return bill
    for row, raw in rows:
        own = {**columns, **_columns(raw, mapping)[0]} if per_row else columns
        line, problems = _bill_line(raw, own, Source(file, row=row))
        bill.problems.extend(problems)
        if line is not None and line.type in TOTAL_TYPES:
            bill.stated[line.type] = (row, line.amount)
        elif line is not None:
            bill.lines.append(line)
    return bill


def read_bill_csv(text: str, file: str, mapping: dict[str, str] | None = None) -> Bill:
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        return Bill(file, problems=[Problem("B005", "the bill is empty", Source(file))])
    except csv.Error as exc:
        return Bill(file, problems=[Problem("B005", f"unreadable CSV: {exc}", Source(file))])
    header = [_unescape(h) for h in header]

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        for i, cells in enumerate(reader, start=2):
            if cells and any(c.strip() for c in cells):
                yield i, dict(zip(header, cells, strict=False))

    try:
        return _read_rows(rows(), header, file, mapping or {})
    except csv.Error as exc:
        return Bill(file, problems=[Problem("B005", f"unreadable CSV: {exc}", Source(file))])


def _json_rows(data: Any) -> list[dict[str, Any]] | None:
    if isinstance(data, list):
        return [r for r in data if isinstance(r, dict)]
    if isinstance(data, dict) and isinstance(data.get("sections"), list):  # an invoice
        out: list[dict[str, Any]] = []
        for section in data["sections"]:
            for kind in ("lines", "corrections"):
                for r in section.get(kind, []):
                    out.append({**r, "type": "line" if kind == "lines" else "correction"})
        return out
    if isinstance(data, dict) and isinstance(data.get("lines"), list):
        return [r for r in data["lines"] if isinstance(r, dict)]
    return None


def read_bill_json(text: str, file: str, mapping: dict[str, str] | None = None) -> Bill:
    try:
        data = json.loads(text, parse_float=Decimal)
    except (json.JSONDecodeError, RecursionError) as exc:
        return Bill(file, problems=[Problem("B005", f"invalid JSON: "
                                            f"{getattr(exc, 'msg', exc)}", Source(file))])
    rows = _json_rows(data)
    if rows is None:
        return Bill(file, problems=[Problem(
            "B005", "a JSON bill is a list of line objects, an object with 'lines', or an "
            "invoice written by rewardengine", Source(file))])
    names = sorted({k for r in rows for k in r}) if rows else list(
        (mapping or {}).values()) or [n[0] for n in DEFAULT_NAMES.values()]
    bill = _read_rows(((i, r) for i, r in enumerate(rows, start=1)), names, file,
                      mapping or {}, per_row=True)
    if isinstance(data, dict):  # an invoice or {"lines": ...} may state its sums
        for kind in TOTAL_TYPES:
            value = data.get(kind)
            if value is not None:
                amount = parse_amount(str(value))
                if amount is None:
                    bill.problems.append(Problem("B002", f"the bill's {kind} '{value}' is "
                                                 "not an amount", Source(file)))
                else:
                    bill.stated[kind] = (None, amount)
    return bill


def read_bill(path: str, mapping: dict[str, str] | None = None) -> Bill:
    """Read a CSV or JSON bill file (by extension, else by its first character)."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_BILL_BYTES + 1)
    except OSError as exc:
        return Bill(path, problems=[Problem("B005", f"cannot read file: "
                                            f"{exc.strerror or exc}", Source(path))])
    if len(raw) > MAX_BILL_BYTES:
        return Bill(path, problems=[Problem("B005", "the bill is too large", Source(path))])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return Bill(path, problems=[Problem("B005", f"the bill is not UTF-8 (byte {exc.start})",
                                            Source(path))])
    lower = path.lower()
    as_json = lower.endswith(".json") or (not lower.endswith(".csv")
                                          and text.lstrip().startswith(("[", "{")))
    return read_bill_json(text, path, mapping) if as_json else read_bill_csv(text, path,
                                                                             mapping)
