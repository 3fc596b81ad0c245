"""The fee kinds alone: milliseconds of process time per customer in
``engine.evaluate_customer``, for generated cohorts of bundled contracts.

The timelines are built first and are not timed; each contract's customers are evaluated
``--repeat`` times and the median run is reported (process time, so other work on the machine
does not count). ``--profile CONTRACT`` prints a cProfile of one run (after a warm one),
sorted by own time.
``--digest`` prints a hash of every customer's lines and traces (as ``to_dict`` writes them),
to show that a change to the kinds kept every result the same.

    python3 benchmarks/kinds.py --customers 2000 --seed 5 --dir /tmp/cohorts
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import json
import pstats
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

CONTRACTS = ["omavalmentaja", "palvelumanageri", "tehostettu_tyonvalitys",
             "uk_work_programme", "australia_outcomes", "kopakka", "us_ticket_to_work",
             "employment_condition_2024", "parentsnext"]
ROOT = Path(__file__).resolve().parent.parent


def _cohort(contract: str, customers: int, seed: int, folder: Path) -> Path:
    out = folder / f"{contract}-{customers}-{seed}.csv"
    if not out.exists():
        subprocess.run([sys.executable, "-m", "rewardengine.cli.run", "generate",
                        str(ROOT / "contracts" / f"{contract}.yaml"), "--customers",
                        str(customers), "--seed", str(seed), "-o", str(out)], check=True)
    return out


def _prepare(contract: str, events: Path) -> tuple[Any, list[Any]]:
    from rewardengine.api import load_inputs
    from rewardengine.events.timeline import group_by_customer, timeline
    from rewardengine.forecast.runs import default_horizon

    inputs = load_inputs(str(ROOT / "contracts" / f"{contract}.yaml"), [str(events)])
    assert inputs.contract is not None, [p.message for p in inputs.problems[:3]]
    as_of = default_horizon(inputs.contract)
    groups = group_by_customer(inputs.events.events)
    return inputs.contract, [timeline(c, rows, as_of) for c, rows in groups.items()]


def _run(loaded: Any, timelines: list[Any]) -> list[Any]:
    from rewardengine.engine import evaluate_customer

    return [evaluate_customer(loaded, tl) for tl in timelines]


def _digest(results: list[Any]) -> str:
    h = hashlib.sha256()
    for r in results:
        h.update(json.dumps(r.to_dict(), sort_keys=True, default=str).encode())
        h.update(json.dumps({k: t.to_dict() for k, t in r.traces.items()}, sort_keys=True,
                            default=str).encode())
    return h.hexdigest()[:16]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", type=Path, required=True, help="where cohorts are kept")
    parser.add_argument("--contracts", nargs="*", default=CONTRACTS)
    parser.add_argument("--profile", help="profile this contract instead of timing")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--digest", action="store_true")
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    for contract in [args.profile] if args.profile else args.contracts:
        loaded, timelines = _prepare(contract, _cohort(contract, args.customers, args.seed,
                                                       args.dir))
        if args.profile:
            _run(loaded, timelines)  # a warm run first: the remembered facts, as when timed
            profiler = cProfile.Profile()
            profiler.runcall(_run, loaded, timelines)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(args.top)
            continue
        times = []
        for _ in range(args.repeat):
            start = time.process_time()
            results = _run(loaded, timelines)
            times.append(time.process_time() - start)
        ms = statistics.median(times) * 1000 / len(timelines)
        digest = f" {_digest(results)}" if args.digest else ""
        print(f"{contract:28s} {len(timelines):6d} customers {ms:7.3f} ms{digest}", flush=True)


if __name__ == "__main__":
    main()
