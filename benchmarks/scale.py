"""Benchmark: evaluate and invoice generated cohorts beside a bare csv.reader pass.

    python3 benchmarks/scale.py [--sizes 10000 100000] [--contracts tehostettu_tyonvalitys
        palvelumanageri omavalmentaja] [--jobs 1 2] [--shuffled 100000]
        [--results results.jsonl] [--write docs/performance.md]

For each contract and size: generate the events (``rewardengine generate``, seed 1, sorted
by customer), time a bare ``csv.reader`` pass over the file (the floor), then, for each
``--jobs`` value, ``evaluate --format json``, ``invoice`` (a fresh ledger, one month) and
``validate`` of the contract with the events, each in its own process. For the sizes named
by ``--shuffled`` the rows are also shuffled and evaluated again (the partition pass on
disk). Wall time, CPU time (the command and its worker processes) and the peak resident
memory of the largest process are measured.

Every measurement is appended to ``--results`` as a JSON line as soon as it is made, so a
long run can be stopped and resumed, and runs made at different times (a million customers
overnight) go into one table: ``--write`` builds the table from every line of the results
file and puts it into the markdown file between its markers. Run it on an otherwise idle
machine; CPU seconds are the better guide when it is not.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).parent))
import measure  # this folder's shared timing

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- benchmark table: start -->", "<!-- benchmark table: end -->"
AS_OF = "2021-06-30"
PERIOD = "2021-06"
PROVIDERS = {"tehostettu_tyonvalitys": "broker", "palvelumanageri": "manager_a",
             "omavalmentaja": "coach_a"}


def measured(cmd: list[str]) -> tuple[float, float, float]:
    """(wall s, CPU s, peak MB of the largest process) of ``cmd``; exit 1 (problems found
    in generated data) still counts as a run."""
    return measure.measured(cmd, ok=(0, 1))


def floor(path: Path) -> float:
    """The quickest of three bare ``csv.reader`` passes over the file."""
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        with path.open(encoding="utf-8", newline="") as fh:
            for _ in csv.reader(fh):
                pass
        best = min(best, time.perf_counter() - t)
    return best


def shuffled(path: Path, out: Path) -> None:
    header, *rows = path.read_text(encoding="utf-8").splitlines(keepends=True)
    random.Random(1).shuffle(rows)
    out.write_text(header + "".join(rows), encoding="utf-8")


def record(results: Path, entry: dict[str, Any]) -> None:
    entry["load"] = os.getloadavg()[0]
    with results.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry) + "\n")
    print(json.dumps(entry), flush=True)


def provider_of(contract: str) -> str:
    """The provider invoiced: the one named above, else the contract's first."""
    if contract in PROVIDERS:
        return PROVIDERS[contract]
    text = (ROOT / "contracts" / f"{contract}.yaml").read_text(encoding="utf-8")
    return str(yaml.safe_load(text)["metadata"]["providers"][0]["id"])


def run_size(contract: str, size: int, jobs: list[int], shuffle: bool, tmp: Path,
             results: Path) -> None:
    exe = [sys.executable, "-m", "rewardengine.cli.run"]
    spec = str(ROOT / "contracts" / f"{contract}.yaml")
    events = tmp / f"{contract}-{size}.csv"
    gen = measured([*exe, "generate", spec, "-n", str(size), "--seed", "1", "-o", str(events),
                    "--jobs", str(max(jobs))])
    base = {"contract": contract, "customers": size,
            "rows": sum(1 for _ in events.open("rb")) - 1, "floor": floor(events)}
    record(results, {**base, "step": "generate", "jobs": max(jobs), "m": gen})
    for n in jobs:
        ev = measured([*exe, "evaluate", spec, str(events), "--as-of", AS_OF, "-f", "json",
                       "--jobs", str(n)])
        record(results, {**base, "step": "evaluate", "jobs": n, "m": ev})
        ledger = tmp / f"{contract}-{size}-{n}.sqlite"
        inv = measured([*exe, "invoice", spec, str(events), "--period", PERIOD, "--provider",
                        provider_of(contract), "--ledger", str(ledger), "--new-ledger", "-o",
                        str(tmp / "invoice.json"), "--jobs", str(n)])
        ledger.unlink()
        record(results, {**base, "step": "invoice", "jobs": n, "m": inv})
        val = measured([*exe, "validate", spec, str(events), "--jobs", str(n)])
        record(results, {**base, "step": "validate", "jobs": n, "m": val})
    if shuffle:
        mixed = tmp / f"{contract}-{size}-shuffled.csv"
        shuffled(events, mixed)
        ev = measured([*exe, "evaluate", spec, str(mixed), "--as-of", AS_OF, "-f", "json",
                       "--jobs", str(max(jobs))])
        record(results, {**base, "step": "evaluate shuffled", "jobs": max(jobs), "m": ev})
        mixed.unlink()
    events.unlink()


def table(entries: list[dict[str, Any]]) -> str:
    """One row per contract, size and jobs (the latest measurement of each)."""
    latest: dict[tuple[str, int, int, str], dict[str, Any]] = {}
    for e in entries:
        latest[(e["contract"], e["customers"], e["jobs"], e["step"])] = e
    head = ("| contract | customers | event rows | csv.reader floor s | --jobs | "
            "evaluate wall s | evaluate CPU s | evaluate peak MB | x floor | "
            "invoice wall s | invoice CPU s | invoice peak MB | validate wall s | "
            "validate peak MB | shuffled: evaluate wall s | load |\n"
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
    rows = []
    for (contract, size, jobs, step), e in sorted(latest.items()):
        if step != "evaluate":
            continue
        inv = latest.get((contract, size, jobs, "invoice"))
        mixed = latest.get((contract, size, jobs, "evaluate shuffled"))
        val = latest.get((contract, size, jobs, "validate"))
        vw, vp = (f"{val['m'][0]:.1f}", f"{val['m'][2]:.0f}") if val else ("", "")
        w, c, p = e["m"]
        iw, ic, ip = inv["m"] if inv else (float("nan"),) * 3
        sw = f"{mixed['m'][0]:.1f}" if mixed else ""
        rows.append(f"| {contract} | {size:,} | {e['rows']:,} | {e['floor']:.2f} | {jobs} | "
                    f"{w:.1f} | {c:.1f} | {p:.0f} | {w / e['floor']:.0f} | {iw:.1f} | "
                    f"{ic:.1f} | {ip:.0f} | {vw} | {vp} | {sw} | {e['load']:.1f} |")
    return head + "\n".join(rows) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    ap.add_argument("--contracts", nargs="+", default=list(PROVIDERS))
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--shuffled", type=int, nargs="*", default=[],
                    help="sizes whose rows are also shuffled and evaluated")
    ap.add_argument("--results", default="benchmark-results.jsonl")
    ap.add_argument("--write", help="the markdown file whose table to replace")
    args = ap.parse_args()
    unknown = [c for c in args.contracts if not (ROOT / "contracts" / f"{c}.yaml").is_file()]
    if unknown:
        ap.error(f"no contract named {unknown[0][:40]} in contracts/")
    results = Path(args.results)
    with tempfile.TemporaryDirectory() as tmp:
        for contract in args.contracts:
            for size in args.sizes:
                run_size(contract, size, args.jobs, size in args.shuffled, Path(tmp), results)
    entries = [json.loads(line) for line in results.read_text(encoding="utf-8").splitlines()]
    text = table(entries)
    print(text)
    if args.write:
        doc = Path(args.write).read_text(encoding="utf-8")
        a, b = doc.index(START) + len(START), doc.index(END)
        Path(args.write).write_text(doc[:a] + "\n" + text + doc[b:], encoding="utf-8")


if __name__ == "__main__":
    main()
