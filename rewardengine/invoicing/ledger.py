"""The ledger: what was invoiced, in one SQLite file (stdlib ``sqlite3``).

- Created on first use; ``schema_version`` holds the version and ``MIGRATIONS`` bring an older
  file up to date, each migration in its own transaction. A file newer than this engine is
  refused rather than guessed at.
- Writing an invoice is one transaction begun with ``BEGIN IMMEDIATE``: the ledger is read,
  the invoice computed and written, then committed. A crash anywhere before ``COMMIT`` leaves
  no trace (SQLite rolls the journal back); a second process waits for the lock, then sees
  the first one's invoice, so two runs are serialised, never interleaved.
- A line identity (contract, provider, customer, component, occurrence) appears on at most
  one invoice line (a unique constraint); later changes to it are rows in ``corrections``.
- Amounts are stored as decimal text and summed in Python as ``Decimal``, never as REAL.
- Each invoice's canonical JSON document is stored, so ``invoice show`` re-renders exactly
  what was issued.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from .invoice import Entry, Invoice, Issued, Key, PriorState
from .periods import BillingPeriod

# Test hook, only for the crash test: "SECONDS" or "SECONDS:PATH". Just before COMMIT the
# writer creates PATH (if given) and sleeps SECONDS, so a test can kill it there.
TEST_HOOK_ENV = "REWARDENGINE_TEST_PAUSE_BEFORE_COMMIT"

SCHEMA_VERSION = 1
MIGRATIONS: list[tuple[int, tuple[str, ...]]] = [
    (1, (
        """CREATE TABLE invoices (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            number TEXT NOT NULL UNIQUE,
            contract_id TEXT NOT NULL,
            series TEXT NOT NULL,
            seq INTEGER NOT NULL,
            providers TEXT NOT NULL,
            period_label TEXT NOT NULL,
            period_start TEXT NOT NULL,
            period_end TEXT NOT NULL,
            as_of TEXT NOT NULL,
            issue_date TEXT NOT NULL,
            contract_version TEXT NOT NULL,
            contract_sha256 TEXT NOT NULL,
            inputs_sha256 TEXT NOT NULL,
            engine_version TEXT NOT NULL,
            subtotal TEXT NOT NULL,
            vat TEXT NOT NULL,
            total TEXT NOT NULL,
            document TEXT NOT NULL,
            document_sha256 TEXT NOT NULL,
            UNIQUE (contract_id, series, seq),
            UNIQUE (contract_id, series, period_start, period_end)
        )""",
        """CREATE TABLE invoice_lines (
            invoice_id INTEGER NOT NULL REFERENCES invoices(id),
            line_no INTEGER NOT NULL,
            contract_id TEXT NOT NULL,
            provider TEXT NOT NULL,
            customer_id TEXT NOT NULL,
            component TEXT NOT NULL,
            occurrence TEXT NOT NULL,
            accrued TEXT,
            segment TEXT,
            amount TEXT NOT NULL,
            evidence TEXT NOT NULL,
            PRIMARY KEY (invoice_id, line_no),
            UNIQUE (contract_id, provider, customer_id, component, occurrence)
        )""",
        """CREATE TABLE corrections (
            invoice_id INTEGER NOT NULL REFERENCES invoices(id),
            line_no INTEGER NOT NULL,
            contract_id TEXT NOT NULL,
            provider TEXT NOT NULL,
            customer_id TEXT NOT NULL,
            component TEXT NOT NULL,
            occurrence TEXT NOT NULL,
            accrued TEXT,
            segment TEXT,
            corrects_invoice_id INTEGER NOT NULL,
            corrects_line INTEGER NOT NULL,
            amount TEXT NOT NULL,
            evidence TEXT NOT NULL,
            PRIMARY KEY (invoice_id, line_no),
            UNIQUE (invoice_id, provider, customer_id, component, occurrence),
            FOREIGN KEY (corrects_invoice_id, corrects_line)
                REFERENCES invoice_lines(invoice_id, line_no)
        )""",
        "CREATE INDEX corrections_by_identity ON corrections "
        "(contract_id, provider, customer_id, component, occurrence)",
    )),
]


class LedgerError(Exception):
    """The ledger cannot be used (newer schema, not a ledger, locked too long)."""


def canonical_json(data: Any) -> str:
    """Sorted keys, no insignificant whitespace: the form that is stored and hashed."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _pause_before_commit() -> None:
    spec = os.environ.get(TEST_HOOK_ENV)
    if not spec:
        return
    seconds, _, path = spec.partition(":")
    if path:
        Path(path).touch()
    time.sleep(float(seconds))


class Ledger:
    """An open ledger file. Use ``with Ledger.open(path) as ledger:``."""

    def __init__(self, conn: sqlite3.Connection, path: str, read_only: bool) -> None:
        self._conn = conn
        self._conn.row_factory = sqlite3.Row
        self.path = path
        self.read_only = read_only
        self._in_tx = False
        self._wrote = False

    # --- opening -----------------------------------------------------------------------

    @staticmethod
    def open(path: str, *, read_only: bool = False, timeout: float = 120.0) -> Ledger:
        """Open (and, unless ``read_only``, create or migrate) the ledger at ``path``."""
        try:
            if read_only:
                uri = Path(path).resolve().as_uri() + "?mode=ro"
                conn = sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None)
            else:
                conn = sqlite3.connect(path, timeout=timeout, isolation_level=None)
            conn.execute("PRAGMA foreign_keys = ON")
            ledger = Ledger(conn, path, read_only)
            ledger._migrate()
        except sqlite3.DatabaseError as exc:
            raise LedgerError(f"{path}: not a usable ledger ({exc})") from None
        return ledger

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _version(self) -> int:
        has = self._conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
        ).fetchone()
        if not has:
            return 0
        row = self._conn.execute("SELECT version FROM schema_version").fetchone()
        return int(row[0]) if row else 0

    def _migrate(self) -> None:
        version = self._version()
        if version > SCHEMA_VERSION:
            raise LedgerError(f"{self.path}: ledger schema version {version} is newer than "
                              f"this engine supports ({SCHEMA_VERSION}); upgrade rewardengine")
        if version == SCHEMA_VERSION:
            return
        if self.read_only:
            raise LedgerError(f"{self.path}: ledger schema version {version} needs migrating "
                              f"to {SCHEMA_VERSION}; run a (non dry-run) invoice first")
        for target, statements in MIGRATIONS:
            with self._tx(write=True):
                current = self._version()  # another process may have migrated meanwhile
                if current >= target:
                    continue
                if current == 0:
                    self._conn.execute("CREATE TABLE IF NOT EXISTS schema_version "
                                       "(version INTEGER NOT NULL)")
                for sql in statements:
                    self._conn.execute(sql)
                self._conn.execute("DELETE FROM schema_version")
                self._conn.execute("INSERT INTO schema_version (version) VALUES (?)",
                                   (target,))

    @property
    def schema_version(self) -> int:
        return self._version()

    # --- transactions ------------------------------------------------------------------

    @contextmanager
    def _tx(self, write: bool) -> Iterator[None]:
        self._conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        self._in_tx, self._wrote = True, False
        try:
            yield
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        else:
            if self._wrote:
                _pause_before_commit()
            self._conn.execute("COMMIT")
        finally:
            self._in_tx = False

    @contextmanager
    def transaction(self, write: bool = True) -> Iterator[Ledger]:
        """Read the state, compute and write inside one transaction. ``write`` takes the
        write lock at once (``BEGIN IMMEDIATE``), so concurrent writers queue here."""
        if write and self.read_only:
            raise LedgerError(f"{self.path}: opened read-only")
        try:
            with self._tx(write):
                yield self
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise LedgerError(f"{self.path}: the ledger stayed locked by another "
                                  "process") from None
            raise

    # --- reading -----------------------------------------------------------------------

    def _invoices(self, contract_id: str, before: int | None) -> list[sqlite3.Row]:
        sql = "SELECT * FROM invoices WHERE contract_id = ?"
        args: list[Any] = [contract_id]
        if before is not None:
            sql += " AND id < ?"
            args.append(before)
        return list(self._conn.execute(sql + " ORDER BY id", args))

    def prior_state(self, contract_id: str, before: int | None = None) -> PriorState:
        """Everything invoiced for ``contract_id`` (only invoices older than the one with
        ledger id ``before``, when given)."""
        rows = self._invoices(contract_id, before)
        by_id = {r["id"]: r for r in rows}
        issued = tuple(
            Issued(number=r["number"], series=r["series"], seq=int(r["seq"]),
                   providers=tuple(json.loads(r["providers"])),
                   period=BillingPeriod(r["period_label"], date.fromisoformat(r["period_start"]),
                                        date.fromisoformat(r["period_end"])),
                   as_of=date.fromisoformat(r["as_of"]),
                   issue_date=date.fromisoformat(r["issue_date"]))
            for r in rows)
        entries: dict[tuple[str, Key], Entry] = {}
        for r in self._conn.execute(
                "SELECT * FROM invoice_lines WHERE contract_id = ? ORDER BY invoice_id, line_no",
                (contract_id,)):
            inv = by_id.get(r["invoice_id"])
            if inv is None:
                continue
            key: Key = (r["customer_id"], r["component"], r["occurrence"])
            entries[(r["provider"], key)] = Entry(
                provider=r["provider"], key=key, invoice=inv["number"], line=int(r["line_no"]),
                period_start=date.fromisoformat(inv["period_start"]),
                date=date.fromisoformat(r["accrued"]) if r["accrued"] else None,
                net=Decimal(r["amount"]), evidence=tuple(json.loads(r["evidence"])),
                last_invoice=inv["number"], segment=r["segment"])
        for r in self._conn.execute(
                "SELECT * FROM corrections WHERE contract_id = ? ORDER BY invoice_id, line_no",
                (contract_id,)):
            inv = by_id.get(r["invoice_id"])
            key = (r["customer_id"], r["component"], r["occurrence"])
            entry = entries.get((r["provider"], key))
            if inv is None or entry is None:
                continue
            entries[(r["provider"], key)] = Entry(
                provider=entry.provider, key=key, invoice=entry.invoice, line=entry.line,
                period_start=entry.period_start,
                date=date.fromisoformat(r["accrued"]) if r["accrued"] else entry.date,
                net=entry.net + Decimal(r["amount"]),
                evidence=tuple(sorted(set(entry.evidence) | set(json.loads(r["evidence"])))),
                last_invoice=inv["number"], segment=r["segment"] or entry.segment)
        return PriorState(entries, issued)

    def invoice_id(self, number: str) -> int | None:
        row = self._conn.execute("SELECT id FROM invoices WHERE number = ?",
                                 (number,)).fetchone()
        return int(row[0]) if row else None

    def get(self, number: str) -> Invoice | None:
        """An issued invoice, exactly as it was issued."""
        row = self._conn.execute("SELECT document FROM invoices WHERE number = ?",
                                 (number,)).fetchone()
        return Invoice.from_dict(json.loads(row[0])) if row else None

    def numbers(self, contract_id: str | None = None) -> list[str]:
        sql = "SELECT number FROM invoices"
        args: tuple[str, ...] = ()
        if contract_id is not None:
            sql += " WHERE contract_id = ?"
            args = (contract_id,)
        return [r[0] for r in self._conn.execute(sql + " ORDER BY id", args)]

    # --- writing -----------------------------------------------------------------------

    def write(self, invoice: Invoice) -> int:
        """Insert ``invoice`` with its lines and corrections; call inside ``transaction()``.
        Returns the invoice's ledger id."""
        if not self._in_tx:
            raise LedgerError("Ledger.write must run inside Ledger.transaction()")
        doc = canonical_json(invoice.to_dict())
        cur = self._conn.execute(
            "INSERT INTO invoices (number, contract_id, series, seq, providers, period_label, "
            "period_start, period_end, as_of, issue_date, contract_version, contract_sha256, "
            "inputs_sha256, engine_version, subtotal, vat, total, document, document_sha256) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (invoice.number, invoice.contract_id, invoice.series, invoice.seq,
             json.dumps(list(invoice.providers)), invoice.period.label,
             invoice.period.start.isoformat(), invoice.period.end.isoformat(),
             invoice.as_of.isoformat(), invoice.issue_date.isoformat(),
             invoice.contract_version, invoice.contract_sha256, invoice.inputs_sha256,
             invoice.engine_version, str(invoice.subtotal), str(invoice.vat),
             str(invoice.total), doc, hashlib.sha256(doc.encode("utf-8")).hexdigest()))
        invoice_id = int(cur.lastrowid or 0)
        for ln in invoice.lines:
            self._conn.execute(
                "INSERT INTO invoice_lines (invoice_id, line_no, contract_id, provider, "
                "customer_id, component, occurrence, accrued, segment, amount, evidence) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (invoice_id, ln.no, invoice.contract_id, ln.provider, ln.customer_id or "",
                 ln.component, ln.occurrence, ln.date.isoformat() if ln.date else None,
                 ln.segment, str(ln.amount), json.dumps(list(ln.evidence))))
        for c in invoice.corrections:
            corrected = self.invoice_id(c.corrects_invoice)
            if corrected is None:
                raise LedgerError(f"correction {invoice.number}/{c.no} names invoice "
                                  f"{c.corrects_invoice}, which is not in the ledger")
            self._conn.execute(
                "INSERT INTO corrections (invoice_id, line_no, contract_id, provider, "
                "customer_id, component, occurrence, accrued, segment, corrects_invoice_id, "
                "corrects_line, amount, evidence) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (invoice_id, c.no, invoice.contract_id, c.provider, c.customer_id or "",
                 c.component, c.occurrence, c.date.isoformat() if c.date else None,
                 c.segment, corrected,
                 c.corrects_line, str(c.amount), json.dumps(list(c.evidence))))
        self._wrote = True
        return invoice_id
