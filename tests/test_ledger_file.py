"""What makes a file a ledger: only a missing path becomes one (asked for with --new-ledger);
truncated files, other files and other applications' databases are refused untouched; ledgers
are marked; earlier ledgers are read as they are and marked by the first writing run."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import sqlite3
from pathlib import Path

import pytest
from conftest import CONTRACT_HEAD
from invoicing_cases import contract, events, issue
from ledger_cases import (
    COUNTS,
    PERIODS,
    cli,
    digest,
    inputs,
    issued,
    leftovers,
    legacy,
    rows,
    sql,
)

from rewardengine.invoicing import ledger as ledger_module
from rewardengine.invoicing import ledgerfile
from rewardengine.invoicing.ledgerfile import APPLICATION_ID, CHAIN_START, chain_next


def _invoice(tmp: Path, ledger: Path, period: str = "2020-05", *extra: str
             ) -> tuple[int, str, str]:
    c, e = inputs(tmp)
    return cli("invoice", c, e, "--period", period, "--ledger", str(ledger), *extra)


def _refused_everywhere(tmp: Path, ledger: Path, message: str) -> None:
    """Writing, dry run, verify and show all refuse it (exit 2) and leave it as it was."""
    before = digest(ledger)
    c, e = inputs(tmp)
    bill = tmp / "bill.csv"
    bill.write_text("customer_id,component,occurrence,amount\nc1,base_fee,once,100.00\n",
                    encoding="utf-8")
    for args in (["invoice", c, e, "--period", "2020-05"],
                 ["invoice", c, e, "--period", "2020-05", "--dry-run"],
                 ["verify", c, e, str(bill), "--period", "2020-05"],
                 ["invoice", "show", "test-acme-0001"]):
        code, out, err = cli(*args, "--ledger", str(ledger))
        assert (code, out) == (2, ""), (args, err)
        assert message in err, (args, err)
    assert digest(ledger) == before


# --- 1. a truncated ledger is refused, never started again ----------------------------------

@pytest.mark.parametrize(("size", "message"), [
    (0, "L001 is an empty file (0 bytes), not a usable ledger: a ledger is only created where "
        "no file exists. If it was a ledger, it was truncated: restore it from a backup"),
    (1, "L001 is cut short (1 byte): it ends inside the header of a SQLite database"),
    (16, "L001 is cut short (16 bytes)"),
    (99, "L001 is cut short (99 bytes)"),
    (100, "L003 SQLite finds the file damaged"),
    (4096, "L003 SQLite finds the file damaged"),
    (-4096, "L003 SQLite finds the file damaged"),
])
def test_a_truncated_ledger_is_refused_not_restarted(tmp_path: Path, size: int,
                                                     message: str) -> None:
    ledger = issued(tmp_path)
    data = ledger.read_bytes()
    ledger.write_bytes(data[:size])
    _refused_everywhere(tmp_path, ledger, message)
    code, out, err = cli("ledger", "check", "--ledger", str(ledger))
    assert code == (2 if "L001" in message else 1) and message in out + err


def test_before_this_fix_a_truncated_ledger_billed_everything_again(tmp_path: Path) -> None:
    """The audit's case: a 1-byte ledger restarted numbering at 0001 with exit 0."""
    ledger = issued(tmp_path)
    ledger.write_bytes(b"S")
    code, out, err = _invoice(tmp_path, ledger, "2020-01")
    assert (code, out) == (2, "") and "test-acme-0001" not in err
    assert ledger.read_bytes() == b"S"


# --- 3. only ledgers: other files and other applications' databases -------------------------

def test_other_files_are_refused(tmp_path: Path) -> None:
    _, e = inputs(tmp_path)
    code, _, err = _invoice(tmp_path, Path(e))  # the events given as the ledger by mistake
    assert code == 2 and "L001 is not a SQLite database, so not a usable ledger" in err
    assert "c1" not in err.replace(e, "")  # nothing of the file's content is shown
    folder = tmp_path / "folder"
    folder.mkdir()
    code, _, err = _invoice(tmp_path, folder)
    assert code == 2 and "L001 is a folder, not a ledger file" in err
    dangling = tmp_path / "link.sqlite"
    dangling.symlink_to(tmp_path / "gone.sqlite")
    code, _, err = _invoice(tmp_path, dangling)
    assert code == 2 and "is a symbolic link to a file that does not exist" in err
    assert not (tmp_path / "gone.sqlite").exists()
    code, _, err = _invoice(tmp_path, tmp_path / "nowhere" / "l.sqlite", "2020-05",
                            "--new-ledger")
    assert code == 2 and "cannot create the ledger: the folder" in err
    assert "does not exist" in err and not (tmp_path / "nowhere").exists()


def test_another_applications_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    crm = tmp_path / "crm.db"
    sql(crm, "CREATE TABLE customers (name TEXT)", "CREATE TABLE visits (day TEXT)",
        "INSERT INTO customers VALUES ('Maija Meikäläinen')")
    _refused_everywhere(tmp_path, crm, "L001 is the SQLite database of another application "
                                       "(tables customers, visits), not a ledger")
    assert rows(crm, "SELECT name FROM sqlite_master ORDER BY name") == [("customers",),
                                                                         ("visits",)]
    code, _, err = cli("ledger", "check", "--ledger", str(crm))
    assert code == 2 and "not a ledger" in err and "Maija" not in err


@pytest.mark.parametrize(("application_id", "message"), [
    (0x47504B47, "L001 is a GeoPackage (SQLite application_id 0x47504b47), not a ledger"),
    (0x12345678, "L001 is the SQLite database of another application (application_id "
                 "0x12345678), not a ledger"),
    (0x41424344, "(application_id 0x41424344 'ABCD'), not a ledger"),
])
def test_a_database_marked_by_another_application_is_named(tmp_path: Path, application_id: int,
                                                           message: str) -> None:
    other = tmp_path / "other.db"
    sql(other, f"PRAGMA application_id = {application_id}", "CREATE TABLE t (x)")
    _refused_everywhere(tmp_path, other, message)


def test_an_empty_sqlite_database_is_not_a_ledger(tmp_path: Path) -> None:
    empty = tmp_path / "empty.sqlite"
    sql(empty, "CREATE TABLE t (x)", "DROP TABLE t")
    assert empty.stat().st_size > 0
    _refused_everywhere(tmp_path, empty, "L001 is an empty SQLite database, not a ledger: a "
                                         "ledger is only created where no file exists")


# --- the marks of a ledger -------------------------------------------------------------------

def _rows_seal(ledger: Path, invoice_id: int) -> str:
    """The seal of an invoice's rows, computed as docs/invoicing.md describes it."""
    seals = []
    for table, columns, key in (
            ("invoices", "number, contract_id, series, seq, providers, period_label, "
             "period_start, period_end, as_of, issue_date, contract_version, contract_sha256, "
             "inputs_sha256, engine_version, subtotal, vat, total", "id"),
            ("invoice_lines", "line_no, contract_id, provider, customer_id, component, "
             "occurrence, accrued, segment, amount, evidence", "invoice_id"),
            ("corrections", "line_no, contract_id, provider, customer_id, component, "
             "occurrence, accrued, segment, amount, evidence, (SELECT number FROM invoices "
             "WHERE id = corrects_invoice_id), corrects_line", "invoice_id")):
        order = "line_no" if key == "invoice_id" else "id"
        for row in rows(ledger, f"SELECT '{table}', {columns} FROM {table} "
                                f"WHERE {key} = {invoice_id} ORDER BY {order}"):
            cells = [None if v is None else str(v) for v in row]
            seals.append(json.dumps(cells, ensure_ascii=False, separators=(",", ":")))
    return hashlib.sha256("\n".join(seals).encode("utf-8")).hexdigest()


def test_a_new_ledger_is_marked_chained_and_in_wal_mode(tmp_path: Path) -> None:
    ledger = issued(tmp_path)
    assert APPLICATION_ID == 0x52454E47  # "RENG", fixed for good
    assert rows(ledger, "PRAGMA application_id") == [(APPLICATION_ID,)]
    assert rows(ledger, "PRAGMA user_version") == [(2,)]
    assert rows(ledger, "SELECT version FROM schema_version") == [(2,)]
    assert rows(ledger, "PRAGMA journal_mode") == [("wal",)]
    chain = rows(ledger, "SELECT i.id, i.document_sha256, c.rows_sha256, c.chain_sha256 FROM "
                         "invoices i JOIN invoice_chain c ON c.invoice_id = i.id ORDER BY i.id")
    assert [c[0] for c in chain] == [1, 2, 3, 4]
    link = CHAIN_START
    for invoice_id, document_sha256, rows_sha256, chain_sha256 in chain:
        assert rows_sha256 == _rows_seal(ledger, int(str(invoice_id)))
        link = hashlib.sha256(f"{link}{document_sha256}{rows_sha256}".encode()).hexdigest()
        assert chain_sha256 == link
    assert leftovers(tmp_path) == []


def test_a_ledger_is_created_whole_or_not_at_all(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    real = ledger_module.connect

    def tiny_disk(path: str, **kw: object) -> sqlite3.Connection:
        conn = real(path, **kw)  # type: ignore[arg-type]
        conn.execute("PRAGMA max_page_count = 2")  # the disk fills while the ledger is made
        return conn

    monkeypatch.setattr(ledger_module, "connect", tiny_disk)
    ledger = tmp_path / "l.sqlite"
    code, out, err = _invoice(tmp_path, ledger, "2020-01", "--new-ledger")
    assert (code, out) == (2, "")
    assert "cannot create the ledger (database or disk is full); nothing was written" in err
    assert not ledger.exists() and leftovers(tmp_path) == []


def test_without_hard_links_a_new_ledger_is_copied_into_place(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_links(src: str, dst: str) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(ledgerfile.os, "link", no_links)
    ledger = tmp_path / "l.sqlite"
    code, _, err = _invoice(tmp_path, ledger, "2020-01", "--new-ledger")
    assert code == 0 and "issued test-acme-0001" in err
    assert rows(ledger, "PRAGMA application_id") == [(APPLICATION_ID,)]
    assert rows(ledger, COUNTS) == [(1, 2, 0)] and leftovers(tmp_path) == []


def test_a_ledger_made_meanwhile_by_another_process_is_the_one_used(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ledger = tmp_path / "l.sqlite"
    real_link = os.link
    calls: list[str] = []

    def other_process_first(src: str, dst: str) -> None:
        calls.append(src)
        if len(calls) == 1:  # the other process creates it and invoices January
            issued(tmp_path, PERIODS[:1])
        real_link(src, dst)  # then FileExistsError: this one's new ledger is dropped

    monkeypatch.setattr(ledgerfile.os, "link", other_process_first)
    code, _, err = _invoice(tmp_path, ledger, "2020-02", "--new-ledger")
    assert code == 0 and "issued test-acme-0002" in err
    assert rows(ledger, "SELECT number FROM invoices ORDER BY id") == [
        ("test-acme-0001",), ("test-acme-0002",)]
    assert leftovers(tmp_path) == []


# --- ledgers of schema version 1 (no marks) --------------------------------------------------

def test_an_earlier_ledger_is_read_as_it_is_and_marked_by_the_first_writing_run(
        tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    old = legacy(tmp_path / "old.sqlite", issued(tmp_path / "a", PERIODS[:2]))
    before = digest(old)
    c, e = inputs(tmp_path)
    code, bill, _ = cli("invoice", c, e, "--period", "2020-03", "--ledger", str(old),
                        "--dry-run", "--format", "csv")
    assert code == 0 and "test-acme-0003" in bill
    (tmp_path / "bill.csv").write_text(bill, encoding="utf-8")
    assert cli("verify", c, e, str(tmp_path / "bill.csv"), "--period", "2020-03", "--ledger",
               str(old))[0] == 0
    code, shown, _ = cli("invoice", "show", "test-acme-0002", "--ledger", str(old))
    assert code == 0 and '"number": "test-acme-0002"' in shown
    code, out, _ = cli("ledger", "check", "--ledger", str(old))
    assert code == 0 and "L011 info: a ledger of an earlier engine version" in out
    assert digest(old) == before  # reading never marks it
    assert rows(old, "PRAGMA application_id") == [(0,)]

    code, _, err = cli("invoice", c, e, "--period", "2020-03", "--ledger", str(old))
    assert code == 0 and "issued test-acme-0003" in err
    assert rows(old, "PRAGMA application_id") == [(APPLICATION_ID,)]
    assert rows(old, "SELECT version FROM schema_version") == [(2,)]
    assert rows(old, "PRAGMA journal_mode") == [("wal",)]
    # chained exactly as the ledger it was made from, which was never of version 1
    query = "SELECT invoice_id, rows_sha256, chain_sha256 FROM invoice_chain ORDER BY 1"
    links = rows(old, query)
    assert links[:2] == rows(tmp_path / "a" / "l.sqlite", query)
    march = rows(old, "SELECT document_sha256 FROM invoices WHERE id = 3")[0][0]
    assert links[2] == (3, _rows_seal(old, 3),
                        chain_next(str(links[1][2]), str(march), _rows_seal(old, 3)))
    code, out, _ = cli("ledger", "check", "--ledger", str(old))
    assert code == 0 and "L011" not in out and "the ledger is whole" in out


def test_an_empty_earlier_ledger_is_marked_and_used(tmp_path: Path) -> None:
    old = legacy(tmp_path / "old.sqlite")
    code, _, err = _invoice(tmp_path, old, "2020-01")
    assert code == 0 and "issued test-acme-0001" in err
    assert rows(old, "PRAGMA user_version") == [(2,)]
    assert rows(old, COUNTS) == [(1, 2, 0)]


def test_a_damaged_earlier_ledger_is_not_marked(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    old = legacy(tmp_path / "old.sqlite", issued(tmp_path / "a", PERIODS[:2]))
    sql(old, "UPDATE invoice_lines SET amount = 'NaN' WHERE invoice_id = 1 AND line_no = 2")
    code, _, err = _invoice(tmp_path, old, "2020-03")
    assert code == 2
    assert ("L005 invoice_lines, invoice test-acme-0001 line 2, column amount: 'NaN' is not an "
            "amount") in err
    assert "the ledger was not marked" in err
    assert rows(old, "PRAGMA application_id") == [(0,)]
    assert rows(old, "SELECT version FROM schema_version") == [(1,)]
    assert rows(old, COUNTS) == [(2, 3, 1)]


# --- marks that disagree -----------------------------------------------------------------------

@pytest.mark.parametrize(("change", "message"), [
    (("INSERT INTO schema_version VALUES (2)",),
     "L004 schema_version holds 2 rows; a ledger has exactly one"),
    (("PRAGMA user_version = 1",),
     "L004 the file header's user_version 1 disagrees with schema_version 2"),
    (("UPDATE schema_version SET version = 1",),
     "L004 the ledger is marked but schema_version says 1"),
    (("PRAGMA application_id = 0",),
     "L004 schema_version 2 but the file lacks rewardengine's application_id"),
    (("DROP TABLE invoice_chain",), "L004 table invoice_chain is missing"),
    (("ALTER TABLE invoices DROP COLUMN vat",), "L004 table invoices lacks the column(s) vat"),
])
def test_a_ledger_whose_marks_or_tables_disagree_is_refused(
        tmp_path: Path, change: tuple[str, ...], message: str) -> None:
    ledger = issued(tmp_path, PERIODS[:2])
    sql(ledger, *change)
    _refused_everywhere(tmp_path, ledger, message)
    code, out, _ = cli("ledger", "check", "--ledger", str(ledger))
    assert code == 1 and message in out


def test_a_newer_ledger_is_refused_everywhere(tmp_path: Path) -> None:
    ledger = issued(tmp_path, PERIODS[:1])
    sql(ledger, "PRAGMA user_version = 3", "UPDATE schema_version SET version = 3")
    message = ("L002 ledger schema version 3 is newer than this engine supports (2); upgrade "
               "rewardengine")
    _refused_everywhere(tmp_path, ledger, message)
    code, _, err = cli("ledger", "check", "--ledger", str(ledger))
    assert code == 2 and message in err


def test_the_library_refuses_the_same_way(tmp_path: Path) -> None:
    ledger = tmp_path / "l.sqlite"
    ledger.write_bytes(b"")
    with pytest.raises(ledger_module.LedgerError, match="empty file") as caught:
        issue(contract(), events(), "2020-01", ledger)
    assert [p.code for p in caught.value.problems] == ["L001"]
    assert ledger.read_bytes() == b""


def test_two_contracts_numbered_alike_in_one_ledger_are_refused(tmp_path: Path) -> None:
    """A usage error (exit 2), not SQLite's unique constraint failing (exit 3)."""
    shared = "invoicing:\n  number_prefix: SHARED\n"
    first = contract(shared)
    second = contract(shared, head=CONTRACT_HEAD.replace("id: test", "id: other", 1))
    ledger = tmp_path / "l.sqlite"
    assert issue(first, events(), "2020-01", ledger).status == "issued"
    before = digest(ledger)
    with pytest.raises(ledger_module.LedgerError) as caught:
        issue(second, events(), "2020-01", ledger)
    assert str(caught.value) == (
        f"{ledger}: invoice number SHARED-acme-0001 is already used in this ledger by contract "
        "test; contracts that share a ledger need different number prefixes "
        "(invoicing.number_prefix); nothing was written")
    assert digest(ledger) == before


@pytest.mark.parametrize("part", ["-wal", "-shm", "-journal"])
def test_a_journal_left_where_a_new_ledger_would_go_is_not_taken_nor_lost(
        tmp_path: Path, part: str) -> None:
    """A ``-wal`` (``-shm``, ``-journal``) beside a path with no ledger: SQLite would take
    it for the new ledger's own and replay or delete it. Refused, the file left as it was."""
    from typer.testing import CliRunner

    from rewardengine.cli import app

    ledger = tmp_path / "new.sqlite"
    left = tmp_path / f"new.sqlite{part}"
    left.write_bytes(b"an earlier ledger's journal, or anything\n")
    root = Path(__file__).resolve().parent.parent
    done = CliRunner().invoke(app, [
        "invoice", "issue", str(root / "contracts" / "tehostettu_tyonvalitys.yaml"),
        str(root / "examples" / "tehostettu_tyonvalitys" / "events.csv"), "--period",
        "2020-06", "--ledger", str(ledger), "--new-ledger"])
    assert done.exit_code == 2, done.output
    assert f"{left} is there already" in done.output
    assert left.read_bytes() == b"an earlier ledger's journal, or anything\n"
    assert not ledger.exists()
