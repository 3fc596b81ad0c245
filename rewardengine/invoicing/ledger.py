"""The ledger: what was invoiced, in one SQLite file (stdlib ``sqlite3``).

- What makes a file a ledger, how one is created (only where no file exists) and how an older
  one is marked: ``ledgerfile``. Anything else given as a ledger is refused, never reset.
- Every transaction starts with SQLite's ``quick_check``; every row read is checked
  (``stored``) and held against the invoice documents, the hash chain, the numbering and the
  other rows (``consistency``) before anything is computed from it. A damaged ledger is
  refused with its problems; nothing is written to it.
- Writing an invoice is one transaction begun with ``BEGIN IMMEDIATE``: the ledger is read,
  the invoice computed and written, then committed. A crash anywhere before ``COMMIT`` leaves
  no trace (the WAL holds no commit for it); a second process waits for the lock, then sees
  the first one's invoice, so two runs are serialised, never interleaved.
- A line identity (contract, provider, customer, component, occurrence) appears on at most
  one invoice line (a unique constraint); later changes to it are rows in ``corrections``.
- Amounts are stored as decimal text and summed in Python as ``Decimal``, never as REAL.
- Each invoice's canonical JSON document is stored with its sha256 and its link in the hash
  chain, so ``invoice show`` re-renders exactly what was issued, and a changed or removed
  invoice is found.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import Problem, Source
from . import consistency
from .invoice import Entry, Invoice, Issued, Key, PriorState
from .ledgerfile import (
    CHAIN_START,
    SCHEMA_VERSION,
    LedgerError,
    Shape,
    chain_next,
    create,
    look,
    migrate,
    recognise,
    use_wal,
)
from .stored import Stored, decode_text, invoice_rows_sha256, read

# Test hook, only for the crash test: "SECONDS" or "SECONDS:PATH". Just before COMMIT the
# writer creates PATH (if given) and sleeps SECONDS, so a test can kill it there.
TEST_HOOK_ENV = "REWARDENGINE_TEST_PAUSE_BEFORE_COMMIT"

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


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


def connect(path: str, *, read_only: bool, timeout: float = 120.0) -> sqlite3.Connection:
    """A connection to an existing file (never creating one), read-only or read-write."""
    uri = Path(path).resolve().as_uri() + ("?mode=ro" if read_only else "?mode=rw")
    conn = sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None)
    conn.text_factory = decode_text
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = FULL")  # public money: a commit survives power loss
    return conn


def damaged_hint(path: str) -> str:
    return (f"nothing was computed from the ledger or written to it; `rewardengine ledger "
            f"check --ledger {path}` lists every problem. Restore the ledger from a backup")


# What SQLite raises on a damaged file: its errors, and, when the message itself quotes a
# damaged schema, the failure to decode that message.
SQLITE_FAILURES = (sqlite3.Error, UnicodeDecodeError)


def no_ledger(path: str, verifying: bool = False) -> Problem:
    """L013: no file where the ledger was asked for (a new one only when asked for)."""
    asked = ("--no-ledger compares a first bill with nothing invoiced" if verifying else
             "a new ledger is started only when asked for (--new-ledger): started by "
             "mistake, it would bill every earning again from invoice 0001")
    return Problem("L013", f"no ledger at this path: give the path of the ledger of what was "
                   f"invoiced; {asked}", Source(path))


def sqlite_failure(exc: Exception, path: str) -> LedgerError:
    """What a SQLite error means for the user. Never its text: it could quote stored data."""
    name = str(getattr(exc, "sqlite_errorname", "") or "")
    src = Source(path)
    if isinstance(exc, UnicodeDecodeError):
        name = "SQLITE_CORRUPT"  # SQLite's message quoted a damaged schema
    if name in ("SQLITE_READONLY_ROLLBACK", "SQLITE_READONLY_RECOVERY"):
        return LedgerError.of([Problem(
            "L010", "holds an unfinished transaction of a process that was stopped; a "
            "read-only command cannot recover it. Run a writing command on it (`rewardengine "
            "invoice` without --dry-run), which rolls it back and then switches the ledger "
            "to WAL, so this does not happen again", src)])
    if name.startswith("SQLITE_BUSY") or name.startswith("SQLITE_LOCKED"):
        return LedgerError(f"{path}: the ledger stayed locked by another process")
    if name.startswith("SQLITE_CORRUPT"):
        return LedgerError.of([Problem("L003", "SQLite finds the file damaged (database disk "
                                       "image is malformed)", src)], damaged_hint(path))
    if name == "SQLITE_NOTADB":
        return LedgerError.of([Problem("L001", "is not a SQLite database (or is encrypted), "
                                       "so not a usable ledger", src)])
    what = {"SQLITE_FULL": "the disk is full", "SQLITE_IOERR": "a disk input/output error",
            "SQLITE_READONLY": "the file or its folder cannot be written",
            "SQLITE_CANTOPEN": "the file cannot be opened",
            "SQLITE_PERM": "permission denied"}.get("_".join(name.split("_")[:2]),
                                                     name or type(exc).__name__)
    return LedgerError(f"{path}: cannot use the ledger ({what}); nothing was written")


def sqlite_damage(conn: sqlite3.Connection, path: str, check: str) -> list[Problem]:
    """SQLite's own check of the file (``quick_check``, or ``integrity_check(100)``)."""
    found = [" ".join(str(r[0]).split()) for r in conn.execute(f"PRAGMA {check}")]
    return [] if found == ["ok"] else [
        Problem("L003", f"SQLite finds the file damaged: {m[:160]}", Source(path))
        for m in found]


class Ledger:
    """An open ledger file. Use ``with Ledger.open(path) as ledger:``."""

    def __init__(self, conn: sqlite3.Connection, path: str, read_only: bool) -> None:
        self._conn = conn
        self.path = path
        self.read_only = read_only
        self.shape = Shape(0, False, "")
        self._in_tx = False
        self._wrote = False
        self._checked: dict[str, Stored] = {}

    # --- opening -----------------------------------------------------------------------

    @staticmethod
    def open(path: str, *, read_only: bool = False, timeout: float = 120.0,
             create_missing: bool = True) -> Ledger:
        """Open the ledger at ``path``: unless ``read_only``, create it where no file exists
        (only with ``create_missing``: else ``L013``, decided as the file is opened), and
        mark a ledger of an earlier version. Anything that is not a ledger is refused."""
        if not look(path):
            if read_only:
                raise LedgerError(f"{path}: no ledger (the file does not exist)")
            if not create_missing:
                raise LedgerError.of([no_ledger(path)])
            create(path, lambda tmp: connect(tmp, read_only=False, timeout=timeout))
        try:
            conn = connect(path, read_only=read_only, timeout=timeout)
        except SQLITE_FAILURES as exc:
            raise sqlite_failure(exc, path) from None
        ledger = Ledger(conn, path, read_only)
        try:
            ledger._recognise()
            if not read_only:
                ledger._bring_up_to_date()
        except BaseException as exc:
            conn.close()
            if isinstance(exc, SQLITE_FAILURES) and not isinstance(exc, sqlite3.IntegrityError):
                raise sqlite_failure(exc, path) from None
            raise
        return ledger

    def _recognise(self) -> None:
        shape, problems = recognise(self._conn, self.path)
        if shape is None or problems:
            raise LedgerError.of(problems, "" if shape is None else damaged_hint(self.path))
        self.shape = shape

    def _bring_up_to_date(self) -> None:
        if self.shape.version >= SCHEMA_VERSION:
            if self.shape.journal != "wal":
                use_wal(self._conn)
                self._recognise()
        else:
            # check the whole ledger before marking it: damage is never sealed into the chain
            with self._tx(write=False):
                self._quick_check()
                stored = read(self._conn, self.path, chained=False)
                problems = stored.problems + consistency.check(stored, chained=False)
            if problems:
                raise LedgerError.of(problems, "the ledger was not marked; " +
                                     damaged_hint(self.path))
            use_wal(self._conn)  # first, so that a kill while marking it is recovered by anyone
            migrate(self._conn)
            self._recognise()

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return self.shape.version

    # --- transactions ------------------------------------------------------------------

    @contextmanager
    def _tx(self, write: bool) -> Iterator[None]:
        self._conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        self._in_tx, self._wrote = True, False
        self._checked.clear()
        try:
            yield
        except BaseException:
            if self._conn.in_transaction:  # SQLite may have rolled back already (disk full)
                with contextlib.suppress(sqlite3.Error):
                    self._conn.execute("ROLLBACK")
            raise
        else:
            if self._wrote:
                _pause_before_commit()
            self._conn.execute("COMMIT")
        finally:
            self._in_tx = False
            self._checked.clear()

    @contextmanager
    def transaction(self, write: bool = True) -> Iterator[Ledger]:
        """Read the state, compute and write inside one transaction. ``write`` takes the
        write lock at once (``BEGIN IMMEDIATE``), so concurrent writers queue here. The
        transaction begins with SQLite's ``quick_check``: a damaged file is refused."""
        if write and self.read_only:
            raise LedgerError(f"{self.path}: opened read-only")
        try:
            with self._tx(write):
                self._quick_check()
                yield self
        except sqlite3.IntegrityError:
            raise  # a constraint the engine itself broke: a bug, not the user's file
        except SQLITE_FAILURES as exc:
            raise sqlite_failure(exc, self.path) from None

    def _quick_check(self) -> None:
        found = sqlite_damage(self._conn, self.path, "quick_check")
        if found:
            raise LedgerError.of(found, damaged_hint(self.path))

    # --- reading -----------------------------------------------------------------------

    def _contract(self, contract_id: str) -> Stored:
        """One contract's rows, every value and every seal checked (once per transaction)."""
        if contract_id not in self._checked:
            stored = read(self._conn, self.path, contract_id=contract_id,
                          chained=self.shape.chained)
            problems = stored.problems + consistency.check(stored, chained=self.shape.chained,
                                                           full=False)
            if problems:
                raise LedgerError.of(problems, damaged_hint(self.path))
            self._checked[contract_id] = stored
        return self._checked[contract_id]

    def prior_state(self, contract_id: str, before: int | None = None) -> PriorState:
        """Everything invoiced for ``contract_id`` (only invoices older than the one with
        ledger id ``before``, when given)."""
        stored = self._contract(contract_id)
        by_id = {i.id: i for i in stored.invoices if before is None or i.id < before}
        issued = tuple(
            Issued(number=i.number, series=i.series, seq=i.seq, providers=i.providers,
                   period=i.period, as_of=i.as_of, issue_date=i.issue_date,
                   contract_sha256=i.contract_sha256, contract_version=i.contract_version)
            for i in by_id.values())
        entries: dict[tuple[str, Key], Entry] = {}
        for r in stored.lines:  # the invoice lines first, then the corrections
            inv = by_id.get(r.invoice_id)
            key: Key = (r.customer_id, r.component, r.occurrence)
            entry = entries.get((r.provider, key))
            if inv is None:
                continue
            if r.table == "invoice_lines":
                entries[(r.provider, key)] = Entry(
                    provider=r.provider, key=key, invoice=inv.number, line=r.line_no,
                    period_start=inv.period.start, date=r.accrued, net=r.amount,
                    evidence=r.evidence, last_invoice=inv.number, segment=r.segment)
            elif entry is not None:
                entries[(r.provider, key)] = Entry(
                    provider=entry.provider, key=key, invoice=entry.invoice, line=entry.line,
                    period_start=entry.period_start, date=r.accrued or entry.date,
                    net=entry.net + r.amount,
                    evidence=tuple(sorted(set(entry.evidence) | set(r.evidence))),
                    last_invoice=inv.number, segment=r.segment or entry.segment)
        return PriorState(entries, issued)

    def invoice_id(self, number: str) -> int | None:
        row = self._conn.execute("SELECT id FROM invoices WHERE number = ?",
                                 (number,)).fetchone()
        return int(row[0]) if row else None

    def get(self, number: str) -> Invoice | None:
        """An issued invoice, exactly as it was issued: its document, checked against its
        sha256 and its rows first."""
        stored = read(self._conn, self.path, number=number, chained=False)
        problems = stored.problems + consistency.documents(stored)
        if problems:
            raise LedgerError.of(problems, damaged_hint(self.path))
        if not stored.invoices or stored.invoices[0].document is None:
            return None
        return Invoice.from_dict(json.loads(stored.invoices[0].document))

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
        if not self.shape.chained:  # never reached: a writing open() marks the ledger
            raise LedgerError(f"{self.path}: the ledger is not marked yet")
        doc = canonical_json(invoice.to_dict())
        document_sha256 = hashlib.sha256(doc.encode("utf-8")).hexdigest()
        previous = self._last_link()
        self._refuse_a_used_number(invoice)
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
             str(invoice.total), doc, document_sha256))
        del doc  # stored: not held while the rows are written and sealed
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
        # the rows sealed as they are stored (read back), as every check will read them
        rows = invoice_rows_sha256(self._conn, invoice_id)
        self._conn.execute("INSERT INTO invoice_chain (invoice_id, rows_sha256, chain_sha256) "
                           "VALUES (?, ?, ?)", (invoice_id, rows,
                                                chain_next(previous, document_sha256, rows)))
        self._wrote = True
        self._checked.clear()
        return invoice_id

    def _refuse_a_used_number(self, invoice: Invoice) -> None:
        """Contracts sharing a ledger with the same number prefix would number two invoices
        alike: a usage error, said before SQLite's unique constraint fails."""
        row = self._conn.execute("SELECT contract_id FROM invoices WHERE number = ?",
                                 (invoice.number,)).fetchone()
        if row is not None:
            raise LedgerError(
                f"{self.path}: invoice number {invoice.number} is already used in this ledger "
                f"by contract {str(row[0])[:40]}; contracts that share a ledger need different "
                "number prefixes (invoicing.number_prefix); nothing was written")

    def _last_link(self) -> str:
        row = self._conn.execute(
            "SELECT i.number, c.chain_sha256 FROM invoices i LEFT JOIN invoice_chain c "
            "ON c.invoice_id = i.id ORDER BY i.id DESC LIMIT 1").fetchone()
        if row is None:
            return CHAIN_START
        if not isinstance(row[1], str) or not _SHA256.match(row[1]):
            raise LedgerError.of([Problem("L007", f"invoice {row[0]} has no valid link in the "
                                          "hash chain", Source(self.path))],
                                 damaged_hint(self.path))
        return row[1]


__all__ = ["SCHEMA_VERSION", "SQLITE_FAILURES", "TEST_HOOK_ENV", "Ledger", "LedgerError",
           "canonical_json", "connect", "damaged_hint", "sqlite_damage", "sqlite_failure"]
