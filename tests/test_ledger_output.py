"""An output never overwrites the ledger, and an invoice is recorded only when its output could
be written: ``-o`` naming the ledger (by any path), a folder, a missing folder, a full disk."""

from __future__ import annotations

import errno
import io
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ledger_cases import COUNTS, PERIODS, cli, digest, inputs, issued, leftovers, rows

from rewardengine.cli import common
from rewardengine.invoicing import ledger as ledger_module


def _invoice(tmp: Path, ledger: Path, output: Path | str, *extra: str) -> tuple[int, str, str]:
    c, e = inputs(tmp)
    return cli("invoice", c, e, "--period", "2020-02", "--ledger", str(ledger), "-o",
               str(output), *extra)


def _ledger_names(tmp: Path, ledger: Path) -> list[Path | str]:
    """The ledger by other names: itself, another path, a hard link, a symbolic link."""
    (tmp / "sub").mkdir()
    hard = tmp / "hard.sqlite"
    os.link(ledger, hard)
    soft = tmp / "soft.sqlite"
    soft.symlink_to(ledger)
    return [ledger, f"{tmp}/sub/../{ledger.name}", hard, soft]


def test_the_ledger_is_never_the_output(tmp_path: Path) -> None:
    ledger = issued(tmp_path, PERIODS[:1])
    before = digest(ledger)
    for name in _ledger_names(tmp_path, ledger):
        for extra in ((), ("--dry-run",)):
            code, out, err = _invoice(tmp_path, ledger, name, *extra)
            assert (code, out) == (2, ""), (name, err)
            assert "an output never overwrites the ledger; give another file" in err
        code, _, err = cli("invoice", "show", "test-acme-0001", "--ledger", str(ledger), "-o",
                           str(name))
        assert code == 2 and "never overwrites the ledger" in err
        code, _, err = cli("ledger", "export", "--ledger", str(ledger), "-o", str(name))
        assert code == 2 and "never overwrites the ledger" in err
    assert digest(ledger) == before and rows(ledger, COUNTS) == [(1, 2, 0)]


def test_a_ledger_that_does_not_exist_yet_is_not_the_output_either(tmp_path: Path) -> None:
    ledger = tmp_path / "l.sqlite"
    code, _, err = _invoice(tmp_path, ledger, ledger)
    assert code == 2 and "never overwrites the ledger" in err
    assert not ledger.exists()


def test_another_database_is_not_overwritten(tmp_path: Path) -> None:
    ledger = issued(tmp_path, PERIODS[:1])
    other = issued(tmp_path, PERIODS[:1], name="other.sqlite")
    before = digest(other)
    code, _, err = _invoice(tmp_path, ledger, other)
    assert code == 2 and "is a SQLite database (a ledger?); it is not overwritten" in err
    assert digest(other) == before and rows(ledger, COUNTS) == [(1, 2, 0)]


def test_an_output_that_cannot_be_a_file_is_refused_before_any_work(tmp_path: Path) -> None:
    ledger = issued(tmp_path, PERIODS[:1])
    code, _, err = _invoice(tmp_path, ledger, tmp_path)
    assert code == 2 and "is a folder; give a file name" in err
    code, _, err = _invoice(tmp_path, ledger, tmp_path / "missing" / "inv.json")
    assert code == 2 and "does not exist" in err
    assert rows(ledger, COUNTS) == [(1, 2, 0)] and leftovers(tmp_path) == []


class _FullDisk(io.StringIO):
    def write(self, text: str) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")


def _full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    real = os.fdopen

    def fdopen(fd: int, *args: Any, **kw: Any) -> io.IOBase:
        real(fd).close()
        return _FullDisk()

    monkeypatch.setattr(common.os, "fdopen", fdopen)


@pytest.mark.parametrize("extra", [(), ("--dry-run",), ("--format", "html")])
def test_a_full_disk_records_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     extra: tuple[str, ...]) -> None:
    ledger = issued(tmp_path, PERIODS[:1])
    before = digest(ledger)
    _full_disk(monkeypatch)
    out = tmp_path / "inv.json"
    code, stdout, err = _invoice(tmp_path, ledger, out, *extra)
    assert (code, stdout) == (2, "")
    assert f"--output {out}: cannot write (No space left on device)" in err
    assert "issued" not in err
    assert digest(ledger) == before and rows(ledger, COUNTS) == [(1, 2, 0)]
    assert not out.exists() and leftovers(tmp_path) == []


def _ledger_fills_up(monkeypatch: pytest.MonkeyPatch) -> None:
    real: Callable[..., sqlite3.Connection] = ledger_module.connect

    def connect(path: str, **kw: Any) -> sqlite3.Connection:
        conn = real(path, **kw)
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")  # not one page more
        return conn

    monkeypatch.setattr(ledger_module, "connect", connect)


def test_a_full_disk_under_the_ledger_records_nothing(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    ledger = issued(tmp_path, PERIODS[:1])
    c, e = inputs(tmp_path)
    # a bigger invoice than February's: 300 customers, so the ledger must grow
    rows_ = "".join(f"rx{i},x{i},referral,2020-02-03,,,,acme,,2018-01-01\n"
                    f"sx{i},x{i},service_start,2020-02-10\n" for i in range(300))
    Path(e).write_text(Path(e).read_text(encoding="utf-8") + rows_, encoding="utf-8")
    before = digest(ledger)
    _ledger_fills_up(monkeypatch)
    out = tmp_path / "inv.json"
    code, stdout, err = cli("invoice", c, e, "--period", "2020-02", "--ledger", str(ledger),
                            "-o", str(out))
    assert (code, stdout) == (2, "")
    assert "cannot use the ledger (the disk is full); nothing was written" in err
    assert digest(ledger) == before and rows(ledger, COUNTS) == [(1, 2, 0)]
    assert not out.exists() and leftovers(tmp_path) == []  # the output written aside is gone


def test_an_output_that_cannot_be_put_in_place_after_the_commit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The invoice is recorded; the run says the output failed (exit 2), leaves no temporary
    file, and the next run writes the recorded invoice."""
    ledger = issued(tmp_path, PERIODS[:1])
    out = tmp_path / "inv.json"

    def no_rename(src: str, dst: str) -> None:
        raise OSError(errno.EIO, "Input/output error")

    with monkeypatch.context() as patched:
        patched.setattr(common.os, "replace", no_rename)
        code, _, err = _invoice(tmp_path, ledger, out)
    assert code == 2 and "cannot write (Input/output error)" in err
    # the message says the invoice is recorded, and how to write its output again
    assert "the invoice test-acme-0002 IS recorded in the ledger" in err
    assert f"rewardengine invoice show test-acme-0002 --ledger {ledger} -o FILE" in err
    assert rows(ledger, "SELECT number FROM invoices ORDER BY id") == [
        ("test-acme-0001",), ("test-acme-0002",)]
    assert not out.exists() and leftovers(tmp_path) == []
    code, _, err = _invoice(tmp_path, ledger, out)
    assert code == 0 and "already invoiced to acme as test-acme-0002" in err
    assert '"number": "test-acme-0002"' in out.read_text(encoding="utf-8")


def test_the_files_beside_the_ledger_are_never_the_output(tmp_path: Path) -> None:
    """After a kill the WAL may hold committed invoices: overwriting it would lose them."""
    ledger = issued(tmp_path, PERIODS[:1])
    for part in ("wal", "shm", "journal"):
        code, out, err = _invoice(tmp_path, ledger, f"{ledger}-{part}")
        assert (code, out) == (2, "")
        assert f"is part of the ledger {ledger} (its {part} file)" in err
        assert not Path(f"{ledger}-{part}").exists()
    assert rows(ledger, COUNTS) == [(1, 2, 0)]


def test_show_without_a_ledger_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = cli("invoice", "show", "test-acme-0001", "--ledger",
                       str(tmp_path / "none.sqlite"))
    assert code == 2 and "no ledger at" in err
