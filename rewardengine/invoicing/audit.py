"""``ledger check`` and ``ledger export``: every problem of a ledger, and its whole audit trail.

Both open the ledger read-only and read it in one snapshot, so a writer may go on meanwhile.

The check runs SQLite's ``integrity_check`` and ``foreign_key_check``, reads every row
strictly (``stored``) and holds documents, hash chain, numbering and rows against each other
(``consistency``); it reports every problem rather than stopping at the first.

The export lists every invoice, invoice line and correction as stored, in ledger order (an
invoice, then its lines and corrections by line number). Each record gets ``row_sha256``, the
sha256 of the canonical JSON list of its cells in ``COLUMNS`` order (an empty cell is ``""``),
and ``chain_sha256 = sha256(previous chain_sha256 + row_sha256)``, starting from 64 zeros; the
last one is the export's head. A checker recomputes both: a row changed, added, dropped or
moved changes every link after it, and a cut-off export lacks the closing head.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any, Literal

from ..csvsafe import needs_apostrophe
from ..errors import Problem, Source, has_errors
from ..jsonout import canonical_json
from . import consistency
from .ledger import SQLITE_FAILURES, connect, sqlite_damage, sqlite_failure
from .ledgerfile import CHAIN_START, LedgerError, look, recognise
from .stored import read

EXPORT_FORMAT = "rewardengine ledger export"
EXPORT_VERSION = 1
COLUMNS = (
    "record", "invoice", "line", "contract_id", "series", "seq", "providers", "period_label",
    "period_start", "period_end", "as_of", "issue_date", "contract_version", "contract_sha256",
    "inputs_sha256", "engine_version", "provider", "customer_id", "component", "occurrence",
    "accrued", "segment", "amount", "evidence", "corrects_invoice", "corrects_line",
    "subtotal", "vat", "total", "document_sha256", "ledger_rows_sha256", "ledger_chain_sha256",
)
_UNREADABLE = ("F001", "L001", "L002", "L010")  # codes that stop the check (exit 2)
_LIMIT = 50  # problems listed per code; the rest are counted


@dataclass(frozen=True)
class LedgerReport:
    """What ``ledger check`` found."""

    path: str
    problems: tuple[Problem, ...] = ()
    schema_version: int | None = None
    marked: bool = False
    journal: str = ""
    invoices: int = 0
    lines: int = 0
    corrections: int = 0
    contracts: tuple[tuple[str, int], ...] = ()  # (contract id, invoices)
    head: tuple[str, str] | None = None  # (last invoice, its link of the hash chain)

    @property
    def unreadable(self) -> bool:
        """Not a ledger, or one that cannot be read now (exit code 2)."""
        return any(p.code in _UNREADABLE for p in self.problems)

    @property
    def ok(self) -> bool:
        return not self.unreadable and not has_errors(list(self.problems))

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok, "ledger": self.path, "schema_version": self.schema_version,
            "marked": self.marked, "journal_mode": self.journal or None,
            "invoices": self.invoices, "lines": self.lines, "corrections": self.corrections,
            "contracts": {c: n for c, n in self.contracts},
            "head": None if self.head is None else {"invoice": self.head[0],
                                                    "chain_sha256": self.head[1]},
            "problems": [p.to_dict() for p in self.problems],
        }


# --- the snapshot both commands read ---------------------------------------------------------

def _open(path: str) -> tuple[sqlite3.Connection | None, LedgerReport]:
    """The ledger opened read-only in one read transaction; no connection when it cannot
    be (the report says why)."""
    if not os.path.lexists(path):
        return None, LedgerReport(path, (Problem("F001", "does not exist: no ledger here",
                                                 Source(path)),))
    try:
        look(path)
        conn = connect(path, read_only=True)
    except LedgerError as exc:
        return None, LedgerReport(path, _as_problems(exc, path))
    except SQLITE_FAILURES as exc:
        return None, LedgerReport(path, _as_problems(sqlite_failure(exc, path), path))
    conn.execute("BEGIN")  # one snapshot for everything read
    return conn, LedgerReport(path)


def _as_problems(exc: LedgerError, path: str) -> tuple[Problem, ...]:
    return exc.problems or (Problem("F001", str(exc).removeprefix(f"{path}: "), Source(path)),)


# --- check -----------------------------------------------------------------------------------

def check_ledger(path: str) -> LedgerReport:
    """Every problem of the ledger at ``path``, and what it holds."""
    conn, report = _open(path)
    if conn is None:
        return report
    try:
        return _check(conn, path)
    finally:
        conn.close()


def _check(conn: sqlite3.Connection, path: str) -> LedgerReport:
    try:
        shape, problems = recognise(conn, path)
        if shape is None:
            return LedgerReport(path, tuple(problems))
        problems += _sqlite_checks(conn, path)
        if not any(p.code == "L004" for p in problems):  # tables as expected: read them
            stored = read(conn, path, chained=shape.chained)
            problems += stored.problems + consistency.check(stored, chained=shape.chained)
            head = consistency.head(stored) if shape.chained else None
        else:
            head = None
    except SQLITE_FAILURES as exc:
        failure = sqlite_failure(exc, path)
        return LedgerReport(path, failure.problems or _as_problems(failure, path))
    if not shape.marked:
        problems.append(Problem("L011", "a ledger of an earlier engine version (schema 1, "
                                "not marked); the next writing run checks it and marks it",
                                Source(path)))
    return _summary(conn, LedgerReport(
        path, _limited(problems), schema_version=shape.version, marked=shape.marked,
        journal=shape.journal, head=head))


def _sqlite_checks(conn: sqlite3.Connection, path: str) -> list[Problem]:
    problems = sqlite_damage(conn, path, "integrity_check(100)")
    for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check"):
        problems.append(Problem("L009", f"{table} row {rowid} refers to a row of {parent} "
                                "that is not in the ledger", Source(path)))
    return problems


def _summary(conn: sqlite3.Connection, report: LedgerReport) -> LedgerReport:
    """What the ledger holds, as far as its tables are there (a missing one is L004)."""
    tables = {str(name) for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'")}

    def count(table: str) -> int:
        if table not in tables:
            return 0
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

    try:
        contracts = tuple((str(c)[:40], int(n)) for c, n in conn.execute(
            "SELECT contract_id, count(*) FROM invoices GROUP BY contract_id ORDER BY 1")
        ) if "invoices" in tables else ()
        return replace(report, invoices=count("invoices"), lines=count("invoice_lines"),
                       corrections=count("corrections"), contracts=contracts)
    except SQLITE_FAILURES:  # a column missing as well: the problems already say so
        return report


def _limited(problems: list[Problem]) -> tuple[Problem, ...]:
    """At most ``_LIMIT`` problems per code, then one saying how many more there are."""
    by_code: dict[str, list[Problem]] = defaultdict(list)
    for p in problems:
        by_code[p.code].append(p)
    out: list[Problem] = []
    for code, found in by_code.items():
        out += found[:_LIMIT]
        if len(found) > _LIMIT:
            out.append(Problem(code, f"... and {len(found) - _LIMIT} more like these",
                               found[0].source))
    return tuple(out)


# --- export ----------------------------------------------------------------------------------

ExportFormat = Literal["json", "csv"]


def export_ledger(path: str, fmt: ExportFormat = "json") -> tuple[str | None, LedgerReport]:
    """The whole audit trail of the ledger (``None`` when it cannot be read), and what the
    check found in the same snapshot: a damaged ledger is exported as it is stored."""
    conn, report = _open(path)
    if conn is None:
        return None, report
    try:
        report = _check(conn, path)
        if report.unreadable or report.schema_version is None or any(
                p.code == "L004" for p in report.problems):  # tables not as written
            return None, report
        records, documents = _records(conn, report.marked)
    except SQLITE_FAILURES as exc:
        return None, LedgerReport(path, _as_problems(sqlite_failure(exc, path), path))
    finally:
        conn.close()
    sealed = list(_sealed(records))
    head = str(sealed[-1]["chain_sha256"]) if sealed else CHAIN_START
    text = _json(sealed, documents, head) if fmt == "json" else _csv(sealed, head)
    return text, report


def _cell(value: object) -> str | None:
    """A stored value as export text: as stored; bytes (a blob, or text that is not UTF-8)
    in SQLite's x'..' notation."""
    if value is None:
        return None
    if isinstance(value, bytes):
        return "x'" + value.hex() + "'"
    return str(value)


def _row_cells(row: sqlite3.Row) -> dict[str, str | None]:
    return {k: _cell(v) for k, v in zip(row.keys(), row, strict=True) if k in COLUMNS}


def _records(conn: sqlite3.Connection, chained: bool
             ) -> tuple[list[dict[str, str | None]], dict[str, str]]:
    invoices = list(conn.execute("SELECT * FROM invoices ORDER BY id"))
    numbers = {r["id"]: _cell(r["number"]) or f"#{r['id']}" for r in invoices}
    links = {r[0]: (r[1], r[2]) for r in conn.execute(
        "SELECT invoice_id, rows_sha256, chain_sha256 FROM invoice_chain")} if chained else {}
    rows: dict[int, list[tuple[int, int, dict[str, str | None]]]] = defaultdict(list)
    for order, (table, record) in enumerate((("invoice_lines", "line"),
                                             ("corrections", "correction"))):
        for r in conn.execute(f"SELECT * FROM {table} ORDER BY invoice_id, line_no"):
            cells = _row_cells(r)
            cells.update(record=record, invoice=numbers.get(r["invoice_id"],
                                                            f"#{r['invoice_id']}"),
                         line=_cell(r["line_no"]))
            if table == "corrections":
                cells["corrects_invoice"] = numbers.get(r["corrects_invoice_id"],
                                                        f"#{r['corrects_invoice_id']}")
            key = r["line_no"] if isinstance(r["line_no"], int) else 0
            rows[r["invoice_id"]].append((key, order, cells))
    records: list[dict[str, str | None]] = []
    documents: dict[str, str] = {}
    for r in invoices:
        cells = _row_cells(r)
        rows_seal, link = links.get(r["id"], (None, None))
        cells.update(record="invoice", invoice=numbers[r["id"]],
                     ledger_rows_sha256=_cell(rows_seal), ledger_chain_sha256=_cell(link))
        records.append(cells)
        documents[numbers[r["id"]]] = _cell(r["document"]) or ""
        records += [c for _, _, c in sorted(rows.pop(r["id"], []), key=lambda x: x[:2])]
    for invoice_id in sorted(rows, key=str):  # rows of no invoice: exported all the same
        records += [c for _, _, c in sorted(rows[invoice_id], key=lambda x: x[:2])]
    return records, documents


def row_sha256(record: dict[str, str | None]) -> str:
    cells = [record.get(c) or "" for c in COLUMNS]
    text = json.dumps(cells, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _sealed(records: Iterable[dict[str, str | None]]) -> Iterator[dict[str, str | None]]:
    link = CHAIN_START
    for record in records:
        digest = row_sha256(record)
        link = hashlib.sha256((link + digest).encode("ascii")).hexdigest()
        yield {**{c: record.get(c) for c in COLUMNS}, "row_sha256": digest,
               "chain_sha256": link}


def _json(records: list[dict[str, str | None]], documents: dict[str, str], head: str) -> str:
    return canonical_json({
        "format": EXPORT_FORMAT, "version": EXPORT_VERSION, "columns": list(COLUMNS),
        "records": records, "rows": len(records), "head_sha256": head,
        "documents": documents})


def export_cell(value: str | None) -> str:
    """A CSV cell safe in a spreadsheet and exact: one that could start a formula, as
    ``csvsafe`` decides it for every CSV output (``= + - @``, also after leading white
    space, a tab, a carriage return), or that starts with an apostrophe, gets one apostrophe
    in front, so that removing one leading apostrophe always reads it back."""
    text = value or ""
    return "'" + text if text.startswith("'") or needs_apostrophe(text) else text


def _csv(records: list[dict[str, str | None]], head: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header = (*COLUMNS, "row_sha256", "chain_sha256", "rows")
    writer.writerow(header)
    for record in records:
        writer.writerow([export_cell(record.get(c)) for c in header])
    writer.writerow([export_cell({"record": "end", "chain_sha256": head,
                                  "rows": str(len(records))}.get(c)) for c in header])
    return out.getvalue()
