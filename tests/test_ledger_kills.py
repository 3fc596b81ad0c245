"""Real SIGKILLs at random moments of invoicing: after every kill the ledger is whole and
holds a prefix of what one uninterrupted run issues; in the end, exactly that. Many writers
at once never bill an earning twice. (benchmarks/ledger_kills.py kills thousands of times.)"""

from __future__ import annotations

import os
import random
import tempfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from kill_cases import PERIODS, Killer, fork, wait
from ledger_cases import rows

from rewardengine.api import check_ledger

KILLS = int(os.environ.get("REWARDENGINE_KILLS", "200"))


@pytest.fixture
def fast_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder in memory when there is one: a kill tests atomicity, not the disk, and every
    commit waits for the disk otherwise."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield tmp_path
        return
    with tempfile.TemporaryDirectory(dir=shm, prefix="rewardengine-kills-") as folder:
        yield Path(folder)


def test_kills_at_random_moments_never_damage_the_ledger(fast_folder: Path) -> None:
    seed = random.randrange(1 << 30)
    stats = Killer(fast_folder, seed).kill(KILLS)
    assert stats.kills >= KILLS, f"seed {seed}"
    assert stats.rounds >= 3, f"seed {seed}: {stats}"  # each ended with every invoice
    assert set(stats.outcomes) == {0, 1, 2, 3, 4}, f"seed {seed}: {stats}"  # kills all over


def test_many_writers_at_once_bill_each_earning_once(fast_folder: Path) -> None:
    killer = Killer(fast_folder, 0)
    ledger = fast_folder / "shared.sqlite"
    shuffled = random.Random(7)
    orders = [tuple(shuffled.sample(PERIODS, len(PERIODS))) for _ in range(8)]
    children = [fork(lambda order=order: killer.run(ledger, order)) for order in orders]
    assert [wait(pid) for pid in children] == [0] * 8
    report = check_ledger(str(ledger))
    assert report.ok and report.problems == (), [str(p) for p in report.problems]
    seqs = [r[0] for r in rows(ledger, "SELECT seq FROM invoices ORDER BY id")]
    assert seqs == list(range(1, len(seqs) + 1))  # whichever ran first, no gap, no repeat
    billed = rows(ledger, "SELECT customer_id, component, occurrence FROM invoice_lines")
    assert len(billed) == len(set(billed))
    net: dict[tuple[object, ...], Decimal] = {}
    for table in ("invoice_lines", "corrections"):
        for *key, amount in rows(ledger, f"SELECT customer_id, component, occurrence, amount "
                                         f"FROM {table}"):
            net[tuple(key)] = net.get(tuple(key), Decimal(0)) + Decimal(str(amount))
    # the voided job nets to nothing (billed and credited, or never billed when April ran
    # before March); every base fee once, at its corrected price
    assert {k: v for k, v in net.items() if v} == {
        ("c1", "base_fee", "once"): Decimal("100.00"),
        ("c2", "base_fee", "once"): Decimal("150.00"),
        ("c3", "base_fee", "once"): Decimal("150.00")}
