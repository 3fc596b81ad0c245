"""Ledgers for the ledger tests: made by the engine, made as an earlier version made them, and
damaged by hand; the whole command line to run against them."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

from invoicing_cases import contract, events, issue, write_inputs
from typer.testing import CliRunner

from rewardengine.cli import app
from rewardengine.invoicing.ledgerfile import V1_TABLES

PERIODS = ("2020-01", "2020-02", "2020-03", "2020-04")  # 4 invoices, 4 lines, 2 corrections
COUNTS = ("SELECT (SELECT count(*) FROM invoices), (SELECT count(*) FROM invoice_lines), "
          "(SELECT count(*) FROM corrections)")


def cli(*args: str) -> tuple[int, str, str]:
    """The whole command line; an exception that escapes is a bug (exit 3), so it fails."""
    result = CliRunner().invoke(app, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def inputs(tmp: Path) -> tuple[str, str]:
    c, e = write_inputs(tmp)
    return str(c), str(e)


_MADE: dict[tuple[str, ...], Path] = {}


def issued(tmp: Path, periods: tuple[str, ...] = PERIODS, name: str = "l.sqlite") -> Path:
    """A ledger with the invoices of ``periods``, issued by the engine: made once per test
    session (every commit waits for the disk), then copied."""
    if periods not in _MADE:
        made = Path(tempfile.mkdtemp(prefix="ledger-")) / "made.sqlite"
        loaded, evs = contract(), events()
        for period in periods:
            issue(loaded, evs, period, made)
        _MADE[periods] = made
    path = tmp / name
    shutil.copy(_MADE[periods], path)  # closed, so the WAL is already in the file
    return path


def sql(path: Path, *statements: str) -> None:
    """Change a ledger by hand, as a broken tool or a careless person might."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")  # a test's change need not survive power loss
    try:
        for statement in statements:
            conn.execute(statement)
    finally:
        conn.close()


def rows(path: Path, query: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return list(conn.execute(query))
    finally:
        conn.close()


def legacy(path: Path, source: Path | None = None) -> Path:
    """A ledger as schema version 1 made it: the same tables, no marks, no chain, a rollback
    journal. From ``source`` (its invoices kept), or empty."""
    if source is not None:
        shutil.copy(source, path)
        sql(path, "DROP TABLE invoice_chain", "PRAGMA application_id = 0",
            "PRAGMA user_version = 0", "UPDATE schema_version SET version = 1",
            "PRAGMA journal_mode = DELETE")
        return path
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        for statement in V1_TABLES:
            conn.execute(statement)
        conn.execute("INSERT INTO schema_version (version) VALUES (1)")
        conn.execute("COMMIT")
    finally:
        conn.close()
    return path


def digest(path: Path) -> str:
    """The bytes of a file and of its WAL: unchanged means nothing was written."""
    h = hashlib.sha256(path.read_bytes())
    wal = Path(f"{path}-wal")
    if wal.exists():
        h.update(wal.read_bytes())
    return h.hexdigest()


def leftovers(folder: Path) -> list[str]:
    """Temporary files a command left behind (outputs and new ledgers are made as such)."""
    return sorted(n for n in os.listdir(folder) if n.startswith(".") or n.endswith(".tmp"))
