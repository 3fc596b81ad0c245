"""Killing invoicing runs with SIGKILL at random moments, and checking the ledger after each kill.

Children are forked from a process that has already imported the engine and loaded the
contract and events, so a run takes milliseconds and hundreds of kills fit in a few seconds.
Each child invoices the next period of ``PERIODS`` after running the last one issued again
(which it finds issued); the parent kills it after a random delay spread over that run's
time, so kills land while creating, marking, reading, writing, committing, checkpointing
and closing. After every kill the ledger must be whole
(read-only, as ``ledger check`` reads it) and hold a prefix of what one uninterrupted run
issues, document for document; once it holds every invoice, one more run of every period
must leave exactly that.

Rounds start from three ledgers: none (the file is created), an empty ledger of schema
version 1, and a version 1 ledger holding the first two invoices (both marked on the way).

Used by tests/test_ledger_kills.py (a bounded count) and benchmarks/ledger_kills.py.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from invoicing_cases import contract, events
from ledger_cases import legacy

from rewardengine.api import check_ledger
from rewardengine.invoicing.periods import parse_period
from rewardengine.invoicing.run import issue_invoice

PERIODS = ("2020-01", "2020-02", "2020-03", "2020-04")
STARTS = ("none", "version 1, empty", "version 1, two invoices")


@dataclass
class Stats:
    kills: int = 0
    rounds: int = 0
    finished: int = 0  # runs that ended before their kill
    recovered_journals: int = 0  # read-only checks that met an unfinished rollback journal
    outcomes: dict[int, int] = field(default_factory=dict)  # invoices found after a kill


def fork(work: Callable[[], None]) -> int:
    """Run ``work`` in a child process; exit 0 when it returns, 1 when it raises."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 1
        try:
            work()
            code = 0
        except BaseException as exc:  # report and leave: never return into pytest
            sys.stderr.write(f"child failed: {type(exc).__name__}: {exc}\n")
        finally:
            os._exit(code)
    return pid


def wait(pid: int) -> int:
    """The child's exit code, or minus the signal that ended it."""
    _, status = os.waitpid(pid, 0)
    return -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)


def documents(path: Path) -> list[str]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [str(r[0]) for r in conn.execute("SELECT document FROM invoices ORDER BY id")]
    finally:
        conn.close()


class Killer:
    """One contract and its events, loaded once; the runs to kill."""

    def __init__(self, folder: Path, seed: int) -> None:
        self.folder = folder
        self.random = random.Random(seed)
        self.loaded, self.events = contract(), events()
        self.stats = Stats()
        self.stalled: dict[Path, int] = {}  # steps in a row a lane's kill left it where it was
        reference = folder / "reference.sqlite"
        self.run(reference)  # here, so that every child starts with what it loads on the way
        self.reference = documents(reference)
        self.run_time = min(self._timed_run(folder / f"timed{n}.sqlite") for n in range(3))
        assert len(self.reference) == 4
        self.legacy_source = reference

    def _timed_run(self, path: Path) -> float:
        """The time of a whole run in a child, creating the ledger (the quickest of a few
        is the one to go by: the machine may be busy with something else)."""
        started = time.monotonic()
        assert wait(fork(lambda: self.run(path))) == 0
        assert documents(path) == self.reference
        return time.monotonic() - started

    def run(self, path: Path, periods: tuple[str, ...] = PERIODS) -> None:
        for period in periods:
            issue_invoice(self.loaded, self.events, parse_period(period),
                          ledger_path=str(path), inputs_hash="0" * 64)

    def start(self, n: int) -> Path:
        path = self.folder / f"round{n}.sqlite"
        kind = STARTS[n % len(STARTS)]
        if kind == "version 1, empty":
            legacy(path)
        elif kind == "version 1, two invoices":
            two = self.folder / f"two{n}.sqlite"
            legacy(two, self.legacy_source)
            conn = sqlite3.connect(two, isolation_level=None)
            for table in ("corrections", "invoice_lines"):
                conn.execute(f"DELETE FROM {table} WHERE invoice_id > 2")
            conn.execute("DELETE FROM invoices WHERE id > 2")
            conn.close()
            two.rename(path)
        return path

    def check(self, path: Path, finished: bool) -> int:
        """The ledger after a kill: whole, and a prefix of the uninterrupted run's invoices
        (how many it holds)."""
        if not path.exists():
            assert not finished, "a finished run left no ledger"
            return 0
        report = check_ledger(str(path))
        codes = {p.code for p in report.problems}
        if codes == {"L010"} and not report.marked:
            # a kill while switching a version 1 ledger to WAL: only a writer recovers it
            self.stats.recovered_journals += 1
            assert not finished
            return 0
        assert codes <= {"L011"}, [str(p) for p in report.problems]
        found = documents(path)
        assert found == self.reference[:len(found)], "a killed run left other invoices"
        if finished:
            assert found == self.reference
        self.stats.outcomes[len(found)] = self.stats.outcomes.get(len(found), 0) + 1
        return len(found)

    def kill(self, kills: int, lanes: int = 2) -> Stats:
        """``kills`` kills, on ``lanes`` ledgers at once (each its own round), so that on a
        machine with several processors the runs killed overlap."""
        ledgers = [self._new_round() for _ in range(lanes)]
        while self.stats.kills < kills:
            ledgers = [lane if lane[1] < len(PERIODS) else self._end_round(lane, True)
                       for lane in self._step(ledgers, kills - self.stats.kills)]
        for lane in ledgers:  # what is left: runs that are not killed
            while lane[1] < len(PERIODS):
                lane = self._step([lane], 0)[0]
            self._end_round(lane, False)
        return self.stats

    def _new_round(self) -> tuple[Path, int]:
        path = self.start(self.stats.rounds)
        self.stats.rounds += 1
        return path, self.check(path, finished=False)

    def _end_round(self, lane: tuple[Path, int], again: bool) -> tuple[Path, int]:
        """A ledger holding every invoice: one more uninterrupted run of every period must
        bill nothing new. Then a new round (when ``again``)."""
        assert wait(fork(lambda: self.run(lane[0]))) == 0
        self.check(lane[0], finished=True)
        return self._new_round() if again else lane

    def _step(self, ledgers: list[tuple[Path, int]], kills_left: int
              ) -> list[tuple[Path, int]]:
        """On each ledger, a run of the next period (after the last one issued, found issued
        again), killed at a random moment of it while kills are left."""
        unit = self.run_time / (len(PERIODS) + 1)  # opening, or one invoice
        runs = []
        for path, issued in ledgers:
            periods = PERIODS[max(0, issued - 1):issued + 1]
            delay = self.random.uniform(0, unit * (len(periods) + 1) * 1.2)
            pid = fork(lambda path=path, periods=periods: self.run(path, periods))
            runs.append((path, issued, pid, delay))
        started = time.monotonic()
        # a busy machine makes runs slower than timed: a lane whose kills left it where it was
        # three times in a row runs once unkilled, so every round still gets to its end
        killable = [r for r in runs if self.stalled.get(r[0], 0) < 3]
        for _, _, pid, delay in sorted(killable, key=lambda r: r[3])[:kills_left]:
            time.sleep(max(0.0, started + delay - time.monotonic()))
            os.kill(pid, signal.SIGKILL)  # a zombie if it already ended: no effect
        out = []
        for path, before, pid, _ in runs:
            code = wait(pid)
            assert code in (0, -signal.SIGKILL), f"the run failed (exit {code})"
            issued = self.check(path, finished=False)
            self.stalled[path] = self.stalled.get(path, 0) + 1 if issued <= before else 0
            if code == 0:
                assert issued == before + 1, "a run that ended did not issue its invoice"
                self.stats.finished += 1
            else:
                self.stats.kills += 1
            out.append((path, issued))
        return out
