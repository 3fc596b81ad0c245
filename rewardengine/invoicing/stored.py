"""The ledger's rows read back strictly: every stored value is checked before it is used.

SQLite keeps whatever is put in a column, so a ledger damaged by hand or by a broken disk can
hold ``NaN`` as an amount, a day that is no date, JSON that does not parse, a number stored as
REAL. Each such value is a problem (``L005``) naming the table, the invoice, the line and the
column — never the customer data around it — and its row is left out, so nothing downstream
ever computes with it.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from ..errors import Problem, Source
from ..values import MAX_DATE, MIN_DATE
from .periods import BillingPeriod

# what the engine writes: decimal text with at most two decimals (never REAL, never NaN)
_AMOUNT = re.compile(r"^-?\d{1,17}(\.\d{1,2})?$", re.ASCII)
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
_SHA256 = re.compile(r"^[0-9a-f]{64}$", re.ASCII)


@dataclass(frozen=True, slots=True)
class StoredInvoice:
    id: int
    number: str
    contract_id: str
    series: str
    seq: int
    providers: tuple[str, ...]
    period: BillingPeriod
    as_of: date
    issue_date: date
    contract_version: str
    contract_sha256: str
    inputs_sha256: str
    engine_version: str
    subtotal: Decimal
    vat: Decimal
    total: Decimal
    document_sha256: str
    document: str | None  # None when not read
    seal: str = ""  # the row as stored, as sealed in its link (``row_seal``)


@dataclass(frozen=True, slots=True)
class StoredLine:
    """A row of ``invoice_lines`` or of ``corrections`` (``corrects_*`` set)."""

    table: str
    invoice_id: int
    invoice: str  # the number of its invoice ("" when no invoice has its id)
    line_no: int
    contract_id: str
    provider: str
    customer_id: str
    component: str
    occurrence: str
    accrued: date | None
    segment: str | None
    amount: Decimal
    evidence: tuple[str, ...]
    corrects_invoice_id: int | None = None
    corrects_invoice: str = ""  # the number of the invoice it corrects
    corrects_line: int | None = None
    seal: str = ""  # the row as stored, as sealed in its invoice's link (``row_seal``)

    @property
    def identity(self) -> tuple[str, str, str, str, str]:
        return (self.contract_id, self.provider, self.customer_id, self.component,
                self.occurrence)

    @property
    def where(self) -> str:
        return f"{self.table}, invoice {self.invoice or f'#{self.invoice_id}'} line " \
               f"{self.line_no}"


@dataclass(frozen=True, slots=True)
class Link:
    """An invoice's place in the hash chain (every invoice of the ledger, in ledger order)."""

    invoice_id: int
    number: str
    document_sha256: str
    rows_sha256: str | None  # None: no chain row
    chain_sha256: str | None


@dataclass
class Stored:
    """Rows read from one ledger (all, one contract's, or one invoice's)."""

    path: str
    invoices: list[StoredInvoice] = field(default_factory=list)
    lines: list[StoredLine] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    orphan_links: list[int] = field(default_factory=list)  # chain rows without an invoice
    problems: list[Problem] = field(default_factory=list)
    unreadable: set[int] = field(default_factory=set)  # ids of invoices left out (L005)
    unreadable_lines: set[tuple[str, int, int]] = field(default_factory=set)  # and rows


class NotUtf8(bytes):
    """Stored text whose bytes are not UTF-8 (see ``decode_text``)."""


def decode_text(raw: bytes) -> str | NotUtf8:
    """The ledger connections' text factory: text that is not UTF-8 becomes a value the
    checks refuse, rather than an error quoting it (it could be customer data)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return NotUtf8(raw)


def shown(value: object) -> str:
    """A stored value as a message may show it: short, and saying what SQLite holds."""
    if value is None:
        return "empty (NULL)"
    if isinstance(value, NotUtf8):
        return "text that is not UTF-8"
    if isinstance(value, bytes):
        return f"a blob of {len(value)} byte{'' if len(value) == 1 else 's'}"
    if isinstance(value, float):
        return f"the number {value!r} stored as REAL"
    text = str(value)
    return repr(text if len(text) <= 20 else text[:20] + "…")


class _Fields:
    """One row's columns, each checked as it is read; a failure is an L005 problem."""

    def __init__(self, row: Row, where: Callable[[], str], stored: Stored) -> None:
        self.row, self.where, self.stored, self.bad = row, where, stored, False

    def fail(self, column: str, what: str) -> None:
        self.bad = True
        self.stored.problems.append(Problem(
            "L005", f"{self.where()}, column {column}: {what}", Source(self.stored.path)))

    def text(self, column: str, *, optional: bool = False) -> str:
        value = self.row[column]
        if isinstance(value, str) or (optional and value is None):
            return value or ""
        self.fail(column, "holds text that is not UTF-8" if isinstance(value, NotUtf8)
                  else f"{shown(value)} is not text")
        return ""

    def whole(self, column: str) -> int:
        value = self.row[column]
        if isinstance(value, int) and value >= 1:
            return value
        self.fail(column, f"{shown(value)} is not a whole number from 1")
        return 0

    def amount(self, column: str) -> Decimal:
        value = self.row[column]
        if isinstance(value, str) and _AMOUNT.match(value):
            return Decimal(value)
        self.fail(column, f"{shown(value)} is not an amount (decimal text with at most two "
                           "decimals)")
        return Decimal(0)

    def day(self, column: str, *, optional: bool = False) -> date | None:
        value = self.row[column]
        if optional and value is None:
            return None
        parsed = _day(value) if isinstance(value, str) else None
        if parsed is not None:
            return parsed
        self.fail(column, f"{shown(value)} is not a date YYYY-MM-DD from {MIN_DATE.year} to "
                           f"{MAX_DATE.year}")
        return MIN_DATE

    def strings(self, column: str) -> tuple[str, ...]:
        value = self.row[column]
        try:
            items = json.loads(value) if isinstance(value, str) else None
        except ValueError as exc:
            self.fail(column, f"not valid JSON ({_json_error(exc)})")
            return ()
        if isinstance(items, list) and all(isinstance(x, str) for x in items):
            return tuple(items)
        self.fail(column, "not a JSON list of texts")
        return ()

    def sha256(self, column: str) -> str:
        value = self.row[column]
        if isinstance(value, str) and _SHA256.match(value):
            return value
        self.fail(column, f"{shown(value)} is not a sha256 (64 lowercase hex digits)")
        return ""


@lru_cache(maxsize=4096)
def _day(text: str) -> date | None:
    """A stored day, or None when it is not one (few distinct days: cached)."""
    if not _DAY.match(text):
        return None
    try:
        parsed = date.fromisoformat(text)
    except ValueError:
        return None
    return parsed if MIN_DATE <= parsed <= MAX_DATE else None


def _json_error(exc: ValueError) -> str:
    """The parser's complaint without the text it quotes (it could be customer data)."""
    return str(exc).split(":")[0] if isinstance(exc, json.JSONDecodeError) else "unreadable"


# --- reading ---------------------------------------------------------------------------------

def read(conn: sqlite3.Connection, path: str, *, contract_id: str | None = None,
         number: str | None = None, documents: bool = True, chained: bool = True) -> Stored:
    """The rows of the whole ledger, of one contract, or of one invoice (by number), each
    value checked; plus, for the chain, every invoice's link (``chained``: the ledger has
    ``invoice_chain``)."""
    stored = Stored(path)
    where, args = _filter(contract_id, number)
    columns = "*" if documents else "*, NULL AS document"
    for row in rows(conn, f"SELECT {columns} FROM invoices{where} ORDER BY id", args):
        invoice = _invoice(row, stored)
        if invoice is not None:
            stored.invoices.append(invoice)
        else:
            stored.unreadable.add(row["id"])
    if number is not None:  # the lines of that invoice (none when it was left out)
        where, args = " WHERE invoice_id = ?", (stored.invoices[0].id if stored.invoices
                                                else 0,)
    numbers = _numbers(conn)
    for table in ("invoice_lines", "corrections"):
        for row in rows(conn, f"SELECT * FROM {table}{where} ORDER BY invoice_id, line_no",
                        args):
            line = _line(table, row, numbers, stored)
            if line is not None:
                stored.lines.append(line)
            else:
                stored.unreadable_lines.add((table, row["invoice_id"], row["line_no"]))
    _read_links(conn, stored, numbers, chained)
    return stored


Row = dict[str, Any]  # a stored row by column name


def rows(conn: sqlite3.Connection, sql: str, args: tuple[object, ...] = ()) -> Iterator[Row]:
    """The rows of a query as plain dicts: every column is read many times per row, and
    a dict is many times faster to read by name than a ``sqlite3.Row``."""
    cursor = conn.execute(sql, args)
    names = [d[0] for d in cursor.description]
    for values in cursor:
        yield dict(zip(names, values, strict=True))


def _filter(contract_id: str | None, number: str | None) -> tuple[str, tuple[object, ...]]:
    if number is not None:
        return " WHERE number = ?", (number,)
    if contract_id is not None:
        return " WHERE contract_id = ?", (contract_id,)
    return "", ()


def _numbers(conn: sqlite3.Connection) -> dict[int, str]:
    return {r[0]: r[1] if isinstance(r[1], str) else "" for r in conn.execute(
        "SELECT id, number FROM invoices")}


def _invoice(row: Row, stored: Stored) -> StoredInvoice | None:
    number = row["number"] if isinstance(row["number"], str) else ""
    f = _Fields(row, lambda: f"invoices, invoice {number or '#' + str(row['id'])}", stored)
    start, end = f.day("period_start"), f.day("period_end")
    if start is not None and end is not None and not f.bad and end <= start:
        f.fail("period_end", f"{end} is not after period_start {start}")
    document = row["document"]
    if document is not None and not isinstance(document, str):
        f.fail("document", f"{shown(document)} is not text")
    invoice = StoredInvoice(
        seal=row_seal("invoices", row, {}),
        id=f.whole("id"), number=f.text("number"), contract_id=f.text("contract_id"),
        series=f.text("series"), seq=f.whole("seq"), providers=f.strings("providers"),
        period=BillingPeriod(f.text("period_label"), start or MIN_DATE, end or MIN_DATE),
        as_of=f.day("as_of") or MIN_DATE, issue_date=f.day("issue_date") or MIN_DATE,
        contract_version=f.text("contract_version"),
        contract_sha256=f.text("contract_sha256"), inputs_sha256=f.text("inputs_sha256"),
        engine_version=f.text("engine_version"), subtotal=f.amount("subtotal"),
        vat=f.amount("vat"), total=f.amount("total"),
        document_sha256=f.sha256("document_sha256"),
        document=document if isinstance(document, str) else None)
    return None if f.bad else invoice


def _line(table: str, row: Row, numbers: dict[int, str], stored: Stored
          ) -> StoredLine | None:
    invoice_id = row["invoice_id"] if isinstance(row["invoice_id"], int) else 0
    line_no = row["line_no"]
    f = _Fields(row, lambda: f"{table}, invoice {numbers.get(invoice_id) or f'#{invoice_id}'} "
                             f"line {line_no if isinstance(line_no, int) else '?'}", stored)
    extra: dict[str, Any] = {}
    if table == "corrections":
        corrected = f.whole("corrects_invoice_id")
        extra = {"corrects_invoice_id": corrected,
                 "corrects_invoice": numbers.get(corrected, ""),
                 "corrects_line": f.whole("corrects_line")}
    line = StoredLine(
        table=table, seal=row_seal(table, row, numbers),
        invoice_id=f.whole("invoice_id"), invoice=numbers.get(invoice_id, ""),
        line_no=f.whole("line_no"), contract_id=f.text("contract_id"),
        provider=f.text("provider"), customer_id=f.text("customer_id"),
        component=f.text("component"), occurrence=f.text("occurrence"),
        accrued=f.day("accrued", optional=True), segment=f.text("segment", optional=True) or None,
        amount=f.amount("amount"), evidence=f.strings("evidence"), **extra)
    return None if f.bad else line


def _read_links(conn: sqlite3.Connection, stored: Stored, numbers: dict[int, str],
                chained: bool) -> None:
    chain: dict[int, tuple[Any, Any]] = {}
    if chained:
        chain = {r[0]: (r[1], r[2]) for r in conn.execute(
            "SELECT invoice_id, rows_sha256, chain_sha256 FROM invoice_chain")}
    for invoice_id, document_sha256 in conn.execute(
            "SELECT id, document_sha256 FROM invoices ORDER BY id"):
        rows, link = chain.pop(invoice_id, (None, None))
        stored.links.append(Link(invoice_id, numbers.get(invoice_id, ""),
                                 document_sha256 if isinstance(document_sha256, str) else "",
                                 rows if isinstance(rows, str) else None,
                                 link if isinstance(link, str) else None))
    stored.orphan_links = sorted(k for k in chain if isinstance(k, int))


# --- the seal of an invoice's rows -----------------------------------------------------------

_SEALED = {
    "invoices": ("number", "contract_id", "series", "seq", "providers", "period_label",
                 "period_start", "period_end", "as_of", "issue_date", "contract_version",
                 "contract_sha256", "inputs_sha256", "engine_version", "subtotal", "vat",
                 "total"),
    "invoice_lines": ("line_no", "contract_id", "provider", "customer_id", "component",
                      "occurrence", "accrued", "segment", "amount", "evidence"),
}
_SEALED["corrections"] = (*_SEALED["invoice_lines"], "corrects_invoice_id", "corrects_line")
_TABLE_ORDER = {"invoices": 0, "invoice_lines": 1, "corrections": 2}


_SEAL_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _seal_text(value: object) -> str | None:
    if value is None or type(value) is str:
        return value  # the common case, first
    if isinstance(value, bytes):
        return "x'" + value.hex() + "'"
    return str(value)


def row_seal(table: str, row: Row, numbers: dict[int, str]) -> str:
    """A row as stored, as one text: a JSON list of the table's name and the columns of
    ``_SEALED`` (each a text or null); a correction names the invoice it corrects by its
    number."""
    cells = [table, *(_seal_text(row[c]) for c in _SEALED[table])]
    if table == "corrections":  # the corrected invoice by its number, not its row id
        corrected = row["corrects_invoice_id"]
        cells[-2] = numbers.get(corrected, f"#{corrected}")
    return _SEAL_JSON(cells)


def rows_sha256(seals: list[tuple[str, object, str]]) -> str:
    """The seal of an invoice's rows: sha256 of their ``row_seal`` texts, one a line: the
    invoice's own row, its lines, then its corrections, each by line number."""
    def order(s: tuple[str, object, str]) -> tuple[int, int]:
        return _TABLE_ORDER[s[0]], s[1] if isinstance(s[1], int) else 0

    text = "\n".join(seal for _, _, seal in sorted(seals, key=order))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# the columns a seal reads (not the invoice's document, as long as the whole invoice)
_READ_FOR_SEAL = {"invoices": ", ".join(("id", *_SEALED["invoices"])),
                  "invoice_lines": ", ".join(_SEALED["invoice_lines"]),
                  "corrections": ", ".join(_SEALED["corrections"])}


def invoice_rows_sha256(conn: sqlite3.Connection, invoice_id: int) -> str:
    """The seal of the rows stored for one invoice (read back as they are)."""
    numbers = _numbers(conn)
    return rows_sha256([
        (table, row["id"] if table == "invoices" else row["line_no"],
         row_seal(table, row, numbers))
        for table, key in (("invoices", "id"), ("invoice_lines", "invoice_id"),
                           ("corrections", "invoice_id"))
        for row in rows(conn, f"SELECT {_READ_FOR_SEAL[table]} FROM {table} WHERE {key} = ?",
                        (invoice_id,))])
