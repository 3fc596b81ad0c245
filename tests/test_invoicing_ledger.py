"""The ledger file: schema version, migrations, atomic invoices (real kills), serialised runs."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from invoicing_cases import (
    SUBPROCESS_ISSUE,
    child_env,
    contract,
    events,
    issue,
    ledger_rows,
    write_inputs,
)

from rewardengine.invoicing.ledger import SCHEMA_VERSION, TEST_HOOK_ENV, Ledger, LedgerError

COUNTS = ("SELECT (SELECT count(*) FROM invoices), (SELECT count(*) FROM invoice_lines), "
          "(SELECT count(*) FROM corrections)")


def test_created_on_first_use_with_a_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite"
    with Ledger.open(str(path)) as ledger:
        assert ledger.schema_version == SCHEMA_VERSION == 2
    assert ledger_rows(path, "SELECT version FROM schema_version") == [(2,)]
    with Ledger.open(str(path)) as ledger:  # reopening migrates nothing
        assert ledger.numbers() == []
    assert ledger_rows(path, "SELECT count(*) FROM schema_version") == [(1,)]


def test_a_newer_ledger_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite"
    Ledger.open(str(path)).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE schema_version SET version = 9")
    conn.commit()
    conn.close()
    with pytest.raises(LedgerError, match="schema version 9 is newer than this engine "
                                          "supports"):
        Ledger.open(str(path))


def test_a_file_that_is_not_a_ledger_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("not a database, just some text that is long enough " * 40)
    with pytest.raises(LedgerError, match="not a usable ledger"):
        Ledger.open(str(path))


def test_a_read_only_ledger_is_not_created_or_written(tmp_path: Path) -> None:
    with pytest.raises(LedgerError):
        Ledger.open(str(tmp_path / "missing.sqlite"), read_only=True)
    assert not (tmp_path / "missing.sqlite").exists()
    Ledger.open(str(tmp_path / "l.sqlite")).close()
    with Ledger.open(str(tmp_path / "l.sqlite"), read_only=True) as ledger, \
            pytest.raises(LedgerError, match="read-only"), ledger.transaction(write=True):
        pass


def test_write_outside_a_transaction_is_refused(tmp_path: Path) -> None:
    inv = issue(contract(), events(), "2020-01", tmp_path / "dry.sqlite", dry_run=True).invoice
    assert inv is not None
    with Ledger.open(str(tmp_path / "l.sqlite")) as ledger, \
            pytest.raises(LedgerError, match=r"inside Ledger\.transaction"):
        ledger.write(inv)


def test_a_line_identity_is_invoiced_once_per_provider(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite"
    jan = issue(contract(), events(), "2020-01", path).invoice
    assert jan is not None
    copy = replace(jan, number="test-acme-0002", seq=2,
                   period=replace(jan.period, label="2020-02"))
    with Ledger.open(str(path)) as ledger, pytest.raises(sqlite3.IntegrityError, match="UNIQUE"), \
            ledger.transaction():
        ledger.write(copy)
    assert ledger_rows(path, COUNTS) == [(1, 2, 0)]  # the failed write left nothing behind


def _run(contract_file: Path, events_file: Path, period: str, ledger: Path,
         **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", SUBPROCESS_ISSUE, str(contract_file), str(events_file), period,
         str(ledger)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=child_env(**env))


def _wait_for(path: Path, proc: subprocess.Popen[str], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        if proc.poll() is not None:
            raise AssertionError(f"child ended early: {proc.communicate()}")
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError("child never reached the commit")
        time.sleep(0.02)


def test_a_process_killed_before_commit_leaves_no_invoice(tmp_path: Path) -> None:
    c, e = write_inputs(tmp_path)
    ledger = tmp_path / "l.sqlite"
    first = _run(c, e, "2020-01", ledger)
    assert first.communicate(timeout=60)[0].split() == ["issued", "test-acme-0001"]
    ready = tmp_path / "ready"
    victim = _run(c, e, "2020-02", ledger, **{TEST_HOOK_ENV: f"120:{ready}"})
    _wait_for(ready, victim)  # every row of the February invoice is written, not committed
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(timeout=30)
    assert victim.returncode == -signal.SIGKILL
    assert ledger_rows(ledger, "PRAGMA integrity_check") == [("ok",)]
    assert ledger_rows(ledger, COUNTS) == [(1, 2, 0)]
    assert ledger_rows(ledger, "SELECT number FROM invoices") == [("test-acme-0001",)]
    dry = issue(contract(), events(), "2020-02", ledger, dry_run=True)
    assert dry.invoice is not None and dry.invoice.number == "test-acme-0002"
    again = _run(c, e, "2020-02", ledger)
    assert again.communicate(timeout=60)[0].split() == ["issued", "test-acme-0002"]
    assert ledger_rows(ledger, COUNTS) == [(2, 3, 1)]


def test_a_process_killed_on_the_first_invoice_leaves_an_empty_ledger(tmp_path: Path) -> None:
    c, e = write_inputs(tmp_path)
    ledger = tmp_path / "l.sqlite"
    ready = tmp_path / "ready"
    victim = _run(c, e, "2020-01", ledger, **{TEST_HOOK_ENV: f"120:{ready}"})
    _wait_for(ready, victim)
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(timeout=30)
    assert ledger_rows(ledger, COUNTS) == [(0, 0, 0)]
    with Ledger.open(str(ledger)) as opened:
        assert opened.schema_version == SCHEMA_VERSION


def test_two_concurrent_runs_give_one_invoice(tmp_path: Path) -> None:
    c, e = write_inputs(tmp_path)
    ledger = tmp_path / "l.sqlite"
    hold = {TEST_HOOK_ENV: "0.5"}  # widen the window between writing and committing
    procs = [_run(c, e, "2020-01", ledger, **hold) for _ in range(2)]
    outs = sorted(p.communicate(timeout=120)[0].strip() for p in procs)
    assert [p.returncode for p in procs] == [0, 0]
    assert outs == ["already_issued test-acme-0001", "issued test-acme-0001"]
    assert ledger_rows(ledger, COUNTS) == [(1, 2, 0)]


def test_concurrent_runs_for_different_periods_are_serialised(tmp_path: Path) -> None:
    c, e = write_inputs(tmp_path)
    ledger = tmp_path / "l.sqlite"
    hold = {TEST_HOOK_ENV: "0.3"}
    procs = [_run(c, e, period, ledger, **hold) for period in ("2020-01", "2020-02",
                                                               "2020-03")]
    for p in procs:
        p.communicate(timeout=120)
        assert p.returncode == 0
    lines = ledger_rows(ledger, "SELECT customer_id, component, occurrence, amount "
                                "FROM invoice_lines")
    keys = [r[:3] for r in lines]
    assert len(keys) == len(set(keys))  # one line per identity, whatever order they ran in
    net = {r[:3]: Decimal(str(r[3])) for r in lines}
    for r in ledger_rows(ledger, "SELECT customer_id, component, occurrence, amount "
                                 "FROM corrections"):
        net[r[:3]] += Decimal(str(r[3]))
    assert net == {("c1", "base_fee", "once"): Decimal("100.00"),
                   ("c2", "base_fee", "once"): Decimal("150.00"),
                   ("c3", "base_fee", "once"): Decimal("150.00"),
                   ("c1", "job_fee", "E1"): Decimal("200.00")}
    numbers = [r[0] for r in ledger_rows(ledger, "SELECT number FROM invoices ORDER BY id")]
    assert numbers == [f"test-acme-000{i}" for i in range(1, len(numbers) + 1)]
