"""Long run: hostile inputs across every command, in worker processes.

    python benchmarks/fuzz.py [--cases 100000] [--seed 1] [--jobs 2] [--timeout 60]

The cases of tests/test_cli_fuzz.py (see tests/cli_fuzz_cases.py), many more of them. Each
worker runs cases in its own folder under a memory limit (3 GB of address space); a case that
takes longer than --timeout seconds is a hang. Prints the cases per command and exit code, the
failures (exit 3, exceptions, tracebacks, control characters echoed, hangs, memory errors) with
the seed and case number that repeat them, the slowest case and the peak memory of a worker.
Needs the test extras (``pip install -e '.[test]'``).
"""

from __future__ import annotations

import argparse
import collections
import multiprocessing
import resource
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "tests"))

from cli_fuzz_cases import Fuzzer, Outcome  # noqa: E402

_FUZZER: Fuzzer | None = None
_TIMEOUT = 60


class _Hang(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise _Hang


def _start(folder: str, seed: int, timeout: int) -> None:
    global _FUZZER, _TIMEOUT
    limit = 3 * 1024**3
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    signal.signal(signal.SIGALRM, _alarm)
    _TIMEOUT = timeout
    _FUZZER = Fuzzer(Path(tempfile.mkdtemp(dir=folder)), seed)


def _one(index: int) -> tuple[Outcome, int]:
    assert _FUZZER is not None
    case = _FUZZER.case(index)
    signal.alarm(_TIMEOUT)
    started = time.monotonic()
    try:
        outcome = _FUZZER.run(case)
    except _Hang:
        outcome = Outcome(index, case.command, -1, f"hang (over {_TIMEOUT} s)",
                          time.monotonic() - started)
    except MemoryError:
        outcome = Outcome(index, case.command, -1, "memory error", time.monotonic() - started)
    finally:
        signal.alarm(0)
    return outcome, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=int, default=60)
    args = parser.parse_args()
    counts: collections.Counter[tuple[str, int]] = collections.Counter()
    failures: list[Outcome] = []
    slowest: Outcome | None = None
    peak_kb = 0
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="fuzz-") as folder:
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(args.jobs, _start, (folder, args.seed, args.timeout),
                      maxtasksperchild=2000) as pool:
            for n, (outcome, rss) in enumerate(
                    pool.imap_unordered(_one, range(args.cases), chunksize=20), 1):
                counts[(outcome.command, outcome.exit_code)] += 1
                peak_kb = max(peak_kb, rss)
                if outcome.failure:
                    failures.append(outcome)
                    print(f"FAILURE case {outcome.case} ({outcome.command}): "
                          f"{outcome.failure}", file=sys.stderr, flush=True)
                if slowest is None or outcome.seconds > slowest.seconds:
                    slowest = outcome
                if n % 5000 == 0:
                    print(f"{n} cases, {len(failures)} failures, "
                          f"{time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    _report(args, counts, failures, slowest, peak_kb, time.monotonic() - started)


def _report(args: argparse.Namespace, counts: collections.Counter[tuple[str, int]],
            failures: list[Outcome], slowest: Outcome | None, peak_kb: int,
            seconds: float) -> None:
    total = sum(counts.values())
    print(f"{total} cases in {seconds:.0f} s with {args.jobs} workers, seed {args.seed}")
    kinds = collections.Counter(f.failure.split(" (")[0] for f in failures if f.failure)
    print("failures: " + (", ".join(f"{k}: {v}" for k, v in sorted(kinds.items())) or "none"))
    for f in failures[:30]:
        print(f"  case {f.case} ({f.command}): {f.failure} — repeat with --seed {args.seed}")
    print("| command | cases | exit 0 | exit 1 | exit 2 | other |")
    print("|---|---:|---:|---:|---:|---:|")
    for command in sorted({c for c, _ in counts}):
        row = [counts[(command, code)] for code in (0, 1, 2)]
        other = sum(v for (c, code), v in counts.items() if c == command and code not in (0, 1, 2))
        print(f"| {command} | {sum(row) + other} | {' | '.join(map(str, row))} | {other} |")
    if slowest is not None:
        print(f"slowest case: {slowest.seconds:.1f} s (case {slowest.case}, {slowest.command})")
    print(f"peak memory of a worker: {peak_kb / 1024:.0f} MB")


if __name__ == "__main__":
    main()
