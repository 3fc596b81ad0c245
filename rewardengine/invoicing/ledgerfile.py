"""What makes a file a ledger, and how a ledger file comes to exist.

- A ledger is a SQLite database marked with rewardengine's ``application_id`` whose
  ``user_version`` equals the one row of its ``schema_version`` table. Anything else at the
  path — an empty or truncated file, a text file, another application's database — is refused,
  never taken for a new ledger: a ledger restarted from nothing would bill every earning again.
- Only a path where no file exists becomes a ledger. The new ledger is built beside it under a
  temporary name and linked into place, so no process ever sees it half made and two
  processes creating it at once end up sharing one.
- A ledger made before the marks existed (schema version 1: the tables and ``schema_version``,
  no ``application_id``) is accepted as it is for reading; the first writing run checks it
  whole and then marks it (``upgrade``).
- Ledgers run in WAL mode: a process killed while committing leaves a log that any later
  reader, read-only ones included, reads past; a writer may add the next invoice meanwhile.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache

from ..errors import Problem, Source
from .stored import invoice_rows_sha256

# "RENG": the SQLite application_id of a rewardengine ledger (a fixed 32-bit number).
APPLICATION_ID = int.from_bytes(b"RENG", "big")
SCHEMA_VERSION = 2
CHAIN_START = "0" * 64  # the chain value before the first invoice

SQLITE_MAGIC = b"SQLite format 3\x00"
_HEADER = 100  # bytes of a SQLite file header

# Other applications' ids (from SQLite's magic.txt), to name what a refused file is.
_OTHER_APPLICATIONS = {
    0x0F055111: "a Fossil global configuration", 0x0F055112: "a Fossil repository",
    0x0F055113: "a Fossil checkout", 0x47504B47: "a GeoPackage", 0x47503130: "a GeoPackage",
    0x47503131: "a GeoPackage", 0x4D504258: "an MBTiles tile set",
}

V1_TABLES: tuple[str, ...] = (
    "CREATE TABLE schema_version (version INTEGER NOT NULL)",
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
)
V2_TABLES: tuple[str, ...] = (
    # each invoice's link in the hash chain: the seal of its rows, and
    # sha256(previous link + its document's sha256 + that seal)
    """CREATE TABLE invoice_chain (
            invoice_id INTEGER PRIMARY KEY REFERENCES invoices(id),
            rows_sha256 TEXT NOT NULL,
            chain_sha256 TEXT NOT NULL
        )""",
)
LEDGER_TABLES = frozenset({"schema_version", "invoices", "invoice_lines", "corrections"})


class LedgerError(Exception):
    """The ledger cannot be used as asked; the message says why. ``problems`` holds the
    coded problems of the file when there are any (not a ledger, damaged, ...)."""

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems)

    @staticmethod
    def of(problems: Sequence[Problem], then: str = "") -> LedgerError:
        """One error for ``problems``: the first few, one a line, then ``then``."""
        shown = [str(p) for p in problems[:5]]
        if len(problems) > 5:
            shown.append(f"... and {len(problems) - 5} more")
        return LedgerError("\n".join(shown) + (f"\n{then}" if then else ""), problems)


def chain_next(previous: str, document_sha256: str, rows_sha256: str) -> str:
    """The chain link of an invoice: sha256 of the previous link, its document's sha256 and
    the seal of its rows (``stored.rows_sha256``), as hex text one after the other."""
    text = previous + document_sha256 + rows_sha256
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def not_a_ledger(path: str, what: str) -> Problem:
    return Problem("L001", what, Source(path))


# --- looking at a path before SQLite opens it ------------------------------------------------

def look(path: str) -> bool:
    """Whether a file is at ``path`` (False: nothing is, so a ledger may be created there).
    A path that can never be a ledger raises ``LedgerError`` before SQLite touches it."""
    if not os.path.lexists(path):
        return False
    problem = _refusal(path)
    if problem is not None:
        raise LedgerError.of([problem])
    return True


def _refusal(path: str) -> Problem | None:
    if not os.path.exists(path):
        return not_a_ledger(path, "is a symbolic link to a file that does not exist; a "
                                  "ledger is only created where no file is")
    if os.path.isdir(path):
        return not_a_ledger(path, "is a folder, not a ledger file")
    if not os.path.isfile(path):
        return not_a_ledger(path, "is not a regular file, so not a usable ledger")
    try:
        with open(path, "rb") as fh:
            head = fh.read(_HEADER)
    except OSError as exc:
        return Problem("F001", f"cannot be read ({exc.strerror or exc})", Source(path))
    if not head:
        return not_a_ledger(path, "is an empty file (0 bytes), not a usable ledger: a "
                                  "ledger is only created where no file exists. If it was a "
                                  "ledger, it was truncated: restore it from a backup")
    if head[:len(SQLITE_MAGIC)] != SQLITE_MAGIC[:len(head)]:
        return not_a_ledger(path, "is not a SQLite database, so not a usable ledger")
    if len(head) < _HEADER:
        size = f"{len(head)} byte{'s' if len(head) > 1 else ''}"
        return not_a_ledger(path, f"is cut short ({size}): it ends inside the "
                                  "header of a SQLite database, so not a usable ledger. If "
                                  "it was a ledger, restore it from a backup")
    return None


# --- recognising an open database ------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Shape:
    """What an open database is as a ledger."""

    version: int  # schema version
    marked: bool  # carries rewardengine's application_id (schema 2 and later)
    journal: str  # SQLite journal mode: "wal" once marked

    @property
    def chained(self) -> bool:
        return self.version >= 2


def recognise(conn: sqlite3.Connection, path: str) -> tuple[Shape | None, list[Problem]]:
    """(shape, problems) of an open database. No shape: not a usable ledger at all (not a
    ledger, or newer than this engine). A shape with problems: a ledger whose schema or marks
    are damaged."""
    application_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
    user_version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    tables = {str(r[0]) for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}
    refused = _other_database(path, application_id, tables)
    if refused is not None:
        return None, [refused]
    versions = ([r[0] for r in conn.execute("SELECT version FROM schema_version")]
                if "schema_version" in tables else [])
    numbers = [v for v in versions if isinstance(v, int)]
    stated = max([user_version, *numbers])
    if stated > SCHEMA_VERSION:
        return None, [Problem("L002", f"ledger schema version {stated} is newer than this "
                              f"engine supports ({SCHEMA_VERSION}); upgrade rewardengine",
                              Source(path))]
    version = numbers[0] if len(numbers) == 1 == len(versions) else 0
    problems = _mark_problems(path, application_id == APPLICATION_ID, user_version, versions)
    problems += _missing_columns(conn, path, max(version, 2 if application_id else 1))
    journal = str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower()
    return Shape(version, application_id == APPLICATION_ID, journal), problems


def _other_database(path: str, application_id: int, tables: set[str]) -> Problem | None:
    if application_id not in (0, APPLICATION_ID):
        return not_a_ledger(path, f"is {_application(application_id)}, not a ledger")
    if application_id == 0 and not tables:
        return not_a_ledger(path, "is an empty SQLite database, not a ledger: a ledger is "
                                  "only created where no file exists")
    if application_id == 0 and not tables >= LEDGER_TABLES:
        names = ", ".join(sorted(t[:30] for t in tables)[:6])
        return not_a_ledger(path, f"is the SQLite database of another application (tables "
                                  f"{names}{', ...' if len(tables) > 6 else ''}), not a ledger")
    return None


def _application(application_id: int) -> str:
    known = _OTHER_APPLICATIONS.get(application_id)
    if known is not None:
        return f"{known} (SQLite application_id 0x{application_id:08x})"
    raw = (application_id & 0xFFFFFFFF).to_bytes(4, "big")
    text = f" '{raw.decode('ascii')}'" if all(32 < b < 127 for b in raw) else ""
    return f"the SQLite database of another application (application_id " \
           f"0x{application_id & 0xFFFFFFFF:08x}{text})"


def _mark_problems(path: str, marked: bool, user_version: int, versions: list[object]
                   ) -> list[Problem]:
    src = Source(path)
    if len(versions) != 1:
        return [Problem("L004", f"schema_version holds {len(versions)} rows; a ledger has "
                        "exactly one", src)]
    version = versions[0]
    if not isinstance(version, int) or version < 1:
        return [Problem("L004", f"schema_version holds {str(version)[:20]!r}, not a schema "
                        "version", src)]
    if marked and version < 2:
        return [Problem("L004", f"the ledger is marked but schema_version says {version}; "
                        "marked ledgers have version 2 or later", src)]
    if marked and user_version != version:
        return [Problem("L004", f"the file header's user_version {user_version} disagrees "
                        f"with schema_version {version}", src)]
    if not marked and version != 1:
        return [Problem("L004", f"schema_version {version} but the file lacks rewardengine's "
                        "application_id: the marks were removed", src)]
    if not marked and user_version != 0:
        return [Problem("L004", f"an unmarked ledger (schema version 1) with user_version "
                        f"{user_version}", src)]
    return []


@cache
def _columns(version: int) -> dict[str, tuple[str, ...]]:
    """Every table's columns at ``version``, from the schema itself (so never listed twice)."""
    conn = sqlite3.connect(":memory:")
    try:
        for sql in V1_TABLES + (V2_TABLES if version >= 2 else ()):
            conn.execute(sql)
        return {name: tuple(str(c[1]) for c in conn.execute(f"PRAGMA table_info({name})"))
                for (name,) in conn.execute("SELECT name FROM sqlite_master "
                                            "WHERE type = 'table'")}
    finally:
        conn.close()


def _missing_columns(conn: sqlite3.Connection, path: str, version: int) -> list[Problem]:
    columns: dict[str, set[str]] = {}
    for table, column in conn.execute(
            "SELECT m.name, c.name FROM sqlite_master AS m, pragma_table_info(m.name) AS c "
            "WHERE m.type = 'table'"):
        columns.setdefault(str(table), set()).add(str(column))
    problems = []
    for table, wanted in _columns(min(version, SCHEMA_VERSION)).items():
        have = columns.get(table, set())
        if not have:
            problems.append(Problem("L004", f"table {table} is missing", Source(path)))
        elif missing := [c for c in wanted if c not in have]:
            problems.append(Problem("L004", f"table {table} lacks the column(s) "
                                    f"{', '.join(missing)}", Source(path)))
    return problems


# --- creating and upgrading ------------------------------------------------------------------

def _v1(conn: sqlite3.Connection) -> None:
    for sql in V1_TABLES:
        conn.execute(sql)
    conn.execute("INSERT INTO schema_version (version) VALUES (1)")


def _v2(conn: sqlite3.Connection) -> None:
    """Mark the file as a ledger and chain the invoices already in it, in ledger order."""
    for sql in V2_TABLES:
        conn.execute(sql)
    link = CHAIN_START
    for invoice_id, document_sha256 in conn.execute(
            "SELECT id, document_sha256 FROM invoices ORDER BY id").fetchall():
        rows = invoice_rows_sha256(conn, invoice_id)
        link = chain_next(link, str(document_sha256), rows)
        conn.execute("INSERT INTO invoice_chain (invoice_id, rows_sha256, chain_sha256) "
                     "VALUES (?, ?, ?)", (invoice_id, rows, link))
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 2")
    conn.execute("UPDATE schema_version SET version = 2")


MIGRATIONS: tuple[tuple[int, Callable[[sqlite3.Connection], None]], ...] = (
    (1, _v1), (2, _v2))


@contextlib.contextmanager
def _immediate(conn: sqlite3.Connection) -> Iterator[None]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _schema_version(conn: sqlite3.Connection) -> int:
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'schema_version'").fetchone():
        return 0
    row = conn.execute("SELECT max(version) FROM schema_version").fetchone()
    return int(row[0]) if row and isinstance(row[0], int) else 0


def migrate(conn: sqlite3.Connection) -> None:
    """Bring the schema up to date, one migration per transaction; each re-reads the version
    under the write lock, so two processes never run one migration twice."""
    for target, step in MIGRATIONS:
        with _immediate(conn):
            if _schema_version(conn) < target:
                step(conn)
    use_wal(conn)


def use_wal(conn: sqlite3.Connection) -> None:
    """Switch to WAL (kept in the file). When another process holds the file just now, it
    stays as it is and the next writing run switches it."""
    with contextlib.suppress(sqlite3.OperationalError):
        conn.execute("PRAGMA journal_mode = WAL")


def create(path: str, connect: Callable[[str], sqlite3.Connection]) -> None:
    """Build a new ledger beside ``path`` and link it into place. If another process put one
    there meanwhile, that one is the ledger and this one is dropped."""
    if not path:
        raise LedgerError("cannot create the ledger: its path is empty (give a file name "
                          "with --ledger)")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise LedgerError(f"{path}: cannot create the ledger: the folder {folder} does not "
                          "exist")
    for part in ("-wal", "-shm", "-journal"):
        # SQLite would take such a file for the new ledger's own, and replay or delete it
        # (a ledger another process has just put there has its own: that one is used)
        if os.path.lexists(path + part) and not os.path.lexists(path):
            raise LedgerError(f"{path}: cannot create the ledger: {path + part} is there "
                              "already (a journal left by a ledger that is gone, or another "
                              "file); SQLite would take it for the new ledger's and replay or "
                              "delete it. Move it away, or give another --ledger path")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}-", suffix=".new",
                                   dir=folder)
    except OSError as exc:
        raise LedgerError(f"{path}: cannot create the ledger ({exc.strerror or exc})") from None
    os.close(fd)
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # as SQLite would create it, not mkstemp's 0600
        conn = connect(tmp)
        try:
            migrate(conn)
        finally:
            conn.close()
        _put_in_place(tmp, path)
    except (OSError, sqlite3.Error, UnicodeDecodeError) as exc:
        raise LedgerError(f"{path}: cannot create the ledger ({_reason(exc)}); nothing was "
                          "written") from None
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            _remove(tmp + suffix)


def _put_in_place(tmp: str, path: str) -> None:
    try:
        os.link(tmp, path)
    except FileExistsError:
        return  # another process was first: its ledger is the ledger
    except OSError:  # a file system without hard links: copy into a file made exclusively
        _copy_new(tmp, path)
    _sync_folder(os.path.dirname(os.path.abspath(path)))


def _copy_new(tmp: str, path: str) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except FileExistsError:
        return
    try:
        with open(tmp, "rb") as src, os.fdopen(fd, "wb") as dst:
            for chunk in iter(lambda: src.read(1 << 20), b""):
                dst.write(chunk)
            dst.flush()
            os.fsync(dst.fileno())
    except OSError:
        _remove(path)  # only ever the file made just above: a half copy is no ledger
        raise


def _sync_folder(folder: str) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _reason(exc: BaseException) -> str:
    return (exc.strerror if isinstance(exc, OSError) and exc.strerror else None) or str(exc)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)
