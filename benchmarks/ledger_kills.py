"""Long run: thousands of SIGKILLs at random moments of invoicing, the ledger checked after each.

    python benchmarks/ledger_kills.py [--kills 5000] [--seed 1] [--lanes 2] [--folder DIR]

The same kills as tests/test_ledger_kills.py (see tests/kill_cases.py), many more of them.
The ledgers are made in --folder (default: the system's temporary folder, on disk, where every
commit waits for the disk as in real use; /dev/shm runs several times faster). Prints the kills
per second and how many invoices the kills left in the ledgers. Needs the test extras
(``pip install -e '.[test]'``). A failure prints the seed, so the run can be repeated.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "tests"))

from kill_cases import Killer  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--lanes", type=int, default=2, help="ledgers killed at once")
    parser.add_argument("--folder", default=None, help="where the ledgers are made")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    with tempfile.TemporaryDirectory(dir=args.folder, prefix="ledger-kills-") as folder:
        started = time.monotonic()
        try:
            stats = Killer(Path(folder), seed).kill(args.kills, lanes=args.lanes)
        except AssertionError:
            print(f"FAILED with --seed {seed}", file=sys.stderr)
            raise
        seconds = time.monotonic() - started
    print(f"{stats.kills} kills in {seconds:.1f} s ({stats.kills / seconds:.0f}/s), seed {seed}")
    print(f"{stats.rounds} ledgers, {stats.finished} runs that ended before their kill, "
          f"{stats.recovered_journals} unfinished rollback journals left for a writer")
    print("invoices in the ledger after a check: " + ", ".join(
        f"{n}: {count}" for n, count in sorted(stats.outcomes.items())))


if __name__ == "__main__":
    main()
