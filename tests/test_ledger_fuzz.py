"""A ledger damaged at random — bytes of the file, or any value of any row — never makes a
command fail with anything but a clear refusal: ``LedgerError`` (exit 2) or a report listing the
problems, never an exception (exit 3)."""

from __future__ import annotations

import contextlib
import sqlite3
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from invoicing_cases import contract, events, issue
from ledger_cases import issued

from rewardengine.api import check_ledger, export_ledger
from rewardengine.invoicing.ledger import LedgerError
from rewardengine.invoicing.run import show_invoice

EXAMPLES = max(10, settings().max_examples // 4)  # 15 by default, 75 with CI=true
LOADED, EVENTS = contract(), events()
BASE = issued(Path(tempfile.mkdtemp(prefix="ledger-fuzz-")))
COLUMNS = {t: [str(r[1]) for r in sqlite3.connect(BASE).execute(f"PRAGMA table_info({t})")]
           for t in ("invoices", "invoice_lines", "corrections", "invoice_chain",
                     "schema_version")}
VALUES = st.one_of(st.none(), st.integers(-3, 2**62), st.floats(allow_nan=True),
                   st.binary(max_size=8), st.text(max_size=30),
                   st.sampled_from(["NaN", "-0.00", "2020-02-30", "[1]", '["x"]', "1e5",
                                    "test-acme-0001", "0" * 64]))


def _every_command(path: Path) -> None:
    report = check_ledger(str(path))
    text, exported = export_ledger(str(path), "csv")
    assert exported.problems == report.problems
    assert text is not None or not report.ok  # only a ledger with problems is not exported
    for run in (lambda: show_invoice(str(path), "test-acme-0002"),
                lambda: issue(LOADED, EVENTS, "2020-05", path, dry_run=True),
                lambda: issue(LOADED, EVENTS, "2020-05", path)):
        try:
            run()
        except LedgerError as exc:
            assert exc.problems or str(exc)
            assert not report.ok or "locked" in str(exc), str(exc)


@settings(max_examples=EXAMPLES, deadline=None)
@given(flips=st.lists(st.tuples(st.integers(0, BASE.stat().st_size - 1),
                                st.integers(0, 255)), min_size=1, max_size=8))
def test_bytes_damaged_at_random(flips: list[tuple[int, int]]) -> None:
    data = bytearray(BASE.read_bytes())
    for at, byte in flips:
        data[at] = byte
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "l.sqlite"
        path.write_bytes(bytes(data))
        _every_command(path)


@settings(max_examples=EXAMPLES, deadline=None)
@given(changes=st.lists(st.tuples(st.sampled_from(sorted(COLUMNS)), st.integers(0, 30),
                                  st.integers(0, 10), VALUES), min_size=1, max_size=3))
def test_values_changed_at_random(changes: list[tuple[str, int, int, object]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "l.sqlite"
        path.write_bytes(BASE.read_bytes())
        conn = sqlite3.connect(path, isolation_level=None)
        for table, column, row, value in changes:
            name = COLUMNS[table][column % len(COLUMNS[table])]
            with contextlib.suppress(sqlite3.Error):  # a constraint may refuse it
                conn.execute(f"UPDATE {table} SET {name} = ? WHERE rowid = "
                             f"(SELECT rowid FROM {table} ORDER BY rowid LIMIT 1 OFFSET ?)",
                             (value, row % 4))
        conn.close()
        _every_command(path)
