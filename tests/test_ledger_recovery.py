"""After a real kill, read-only commands (verify, invoice show, --dry-run, ledger check) work:
a ledger runs in WAL mode, whose log any reader reads past. A ledger of schema version 1 left
with an unfinished rollback journal is reported clearly (L010) and recovered by a writer."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import time
from pathlib import Path

from invoicing_cases import contract, events, issue
from kill_cases import fork, wait
from ledger_cases import COUNTS, PERIODS, cli, inputs, issued, legacy, rows

from rewardengine.invoicing.ledger import TEST_HOOK_ENV, Ledger


def _read_only_commands_work(tmp: Path, ledger: Path, shown: str, next_number: str,
                             next_period: str = "2020-03") -> None:
    c, e = inputs(tmp)
    code, out, err = cli("invoice", "show", shown, "--ledger", str(ledger), "--format", "csv")
    assert code == 0, err
    bill = tmp / "bill.csv"
    bill.write_text(out, encoding="utf-8")
    period = rows(ledger, f"SELECT period_label FROM invoices WHERE number = '{shown}'")[0][0]
    code, out, err = cli("verify", c, e, str(bill), "--period", str(period), "--ledger",
                         str(ledger))
    assert code == 0 and "the bill is right" in out, err
    code, _, err = cli("invoice", c, e, "--period", next_period, "--ledger", str(ledger),
                       "--dry-run")
    assert code == 0 and f"dry run: {next_number} would bill" in err
    code, out, _ = cli("ledger", "check", "--ledger", str(ledger))
    assert code == 0 and "the ledger is whole" in out


def test_a_writer_killed_after_its_commit_leaves_a_log_every_reader_reads(
        tmp_path: Path) -> None:
    ledger = issued(tmp_path, PERIODS[:1])

    def victim() -> None:  # dies holding the ledger open: no checkpoint, a stale index
        Ledger.close = lambda self: os.kill(os.getpid(), signal.SIGKILL)  # type: ignore
        issue(contract(), events(), "2020-02", ledger)

    assert wait(fork(victim)) == -signal.SIGKILL
    assert Path(f"{ledger}-wal").stat().st_size > 0
    alone = tmp_path / "main-file-alone.sqlite"
    shutil.copy(ledger, alone)
    assert rows(alone, COUNTS) == [(1, 2, 0)]  # February is in the log only
    assert rows(ledger, COUNTS) == [(2, 3, 1)]
    _read_only_commands_work(tmp_path, ledger, "test-acme-0002", "test-acme-0003")
    code, _, err = cli("invoice", *inputs(tmp_path), "--period", "2020-03", "--ledger",
                       str(ledger))
    assert code == 0 and "issued test-acme-0003" in err


def test_a_writer_killed_before_its_commit_leaves_nothing_to_recover(tmp_path: Path) -> None:
    ledger = issued(tmp_path, PERIODS[:1])
    ready = tmp_path / "ready"

    def victim() -> None:
        os.environ[TEST_HOOK_ENV] = f"60:{ready}"
        issue(contract(), events(), "2020-02", ledger)

    pid = fork(victim)
    deadline = time.monotonic() + 60
    while not ready.exists() and time.monotonic() < deadline:
        time.sleep(0.005)
    os.kill(pid, signal.SIGKILL)  # every row of February written, not committed
    assert wait(pid) == -signal.SIGKILL and ready.exists()
    assert rows(ledger, COUNTS) == [(1, 2, 0)]
    _read_only_commands_work(tmp_path, ledger, "test-acme-0001", "test-acme-0002")


def _hot_journal(ledger: Path) -> None:
    """A writer of the earlier engine killed mid-commit: pages of an unfinished transaction
    in the file, the rollback journal beside it."""
    def victim() -> None:
        conn = sqlite3.connect(ledger, isolation_level=None)
        conn.execute("PRAGMA cache_size = 1")  # the pages go to the file before the commit
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE invoice_lines SET amount = '0.00'")
        conn.execute("CREATE TABLE scratch (x TEXT)")
        conn.executemany("INSERT INTO scratch VALUES (?)", [("x" * 200,)] * 2000)
        os.kill(os.getpid(), signal.SIGKILL)

    assert wait(fork(victim)) == -signal.SIGKILL
    assert Path(f"{ledger}-journal").stat().st_size > 0


def test_an_unfinished_rollback_journal_is_reported_then_recovered_by_a_writer(
        tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    old = legacy(tmp_path / "old.sqlite", issued(tmp_path / "a", PERIODS[:2]))
    _hot_journal(old)
    c, e = inputs(tmp_path)
    message = ("L010 holds an unfinished transaction of a process that was stopped; a "
               "read-only command cannot recover it. Run a writing command on it")
    for args in (["invoice", c, e, "--period", "2020-03", "--dry-run"],
                 ["invoice", "show", "test-acme-0001"],
                 ["ledger", "check"], ["ledger", "export"]):
        code, out, err = cli(*args, "--ledger", str(old))
        assert (code, out) == (2, ""), (args, err)
        assert message in err, (args, err)
    code, _, err = cli("invoice", c, e, "--period", "2020-03", "--ledger", str(old))
    assert code == 0 and "issued test-acme-0003" in err
    assert not Path(f"{old}-journal").exists()
    assert rows(old, "SELECT count(*) FROM sqlite_master WHERE name = 'scratch'") == [(0,)]
    assert rows(old, "SELECT amount FROM invoice_lines ORDER BY invoice_id, line_no") == [
        ("100.00",), ("100.00",), ("150.00",), ("200.00",)]
    assert rows(old, "PRAGMA journal_mode") == [("wal",)]
    _read_only_commands_work(tmp_path, old, "test-acme-0003", "test-acme-0004", "2020-04")
