"""Benchmark: evaluate and invoice generated cohorts beside a bare csv.reader pass.

    python3 benchmarks/scale.py [--sizes 10000 100000 1000000] [--contracts tehostettu_tyonvalitys
        palvelumanageri omavalmentaja] [--jobs 2] [--write docs/performance.md]

For each contract and size: generate the events (``rewardengine generate``, seed 1), time a
bare ``csv.reader`` pass over the file (the floor), then ``evaluate --format json --jobs N``
and ``invoice --jobs N`` (a fresh ledger, one month), each in its own process. Wall time,
CPU time (the command and its worker processes) and the peak resident memory of the largest
process are measured; with ``--write`` the table goes into docs/performance.md between its
markers. Run it on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- benchmark table: start -->", "<!-- benchmark table: end -->"
AS_OF = {"tehostettu_tyonvalitys": "2021-06-30", "palvelumanageri": "2021-06-30",
         "omavalmentaja": "2021-06-30"}
PERIOD = "2021-06"


def measured(cmd: list[str]) -> tuple[float, float, float]:
    """(wall s, CPU s, peak MB of the largest process) of ``cmd`` run in a child."""
    probe = (
        "import resource,subprocess,sys,time,json;t=time.perf_counter();"
        "r=subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL);"
        "w=time.perf_counter()-t;u=resource.getrusage(resource.RUSAGE_CHILDREN);"
        "print(json.dumps([w,u.ru_utime+u.ru_stime,u.ru_maxrss/1024,r.returncode]))")
    out = subprocess.run([sys.executable, "-c", probe, *cmd], capture_output=True, text=True,
                         check=True)
    wall, cpu, peak, code = json.loads(out.stdout)
    if code not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} exited {code}")
    return wall, cpu, peak


def floor(path: Path) -> float:
    t = time.perf_counter()
    with path.open(encoding="utf-8", newline="") as fh:
        for _ in csv.reader(fh):
            pass
    return time.perf_counter() - t


def run_one(contract: str, size: int, jobs: int, tmp: Path) -> dict[str, object]:
    exe = [sys.executable, "-m", "rewardengine.cli.run"]
    spec = str(ROOT / "contracts" / f"{contract}.yaml")
    events = tmp / f"{contract}-{size}.csv"
    gen = measured([*exe, "generate", spec, "-n", str(size), "--seed", "1", "-o", str(events),
                    "--jobs", str(jobs)])
    rows = sum(1 for _ in events.open("rb")) - 1
    bare = floor(events)
    ev = measured([*exe, "evaluate", spec, str(events), "--as-of", AS_OF[contract], "-f",
                   "json", "--jobs", str(jobs)])
    providers = {"tehostettu_tyonvalitys": "broker", "palvelumanageri": "manager_a",
                 "omavalmentaja": "coach_a"}
    inv = measured([*exe, "invoice", spec, str(events), "--period", PERIOD, "--provider",
                    providers[contract], "--ledger", str(tmp / f"{contract}-{size}.sqlite"),
                    "-o", str(tmp / "invoice.json"), "--jobs", str(jobs)])
    events.unlink()
    return {"contract": contract, "customers": size, "rows": rows, "floor": bare,
            "generate": gen, "evaluate": ev, "invoice": inv}


def table(results: list[dict[str, object]], jobs: int) -> str:
    head = ("| contract | customers | event rows | csv.reader floor s | generate s | "
            f"evaluate wall s (--jobs {jobs}) | evaluate CPU s | evaluate peak MB | "
            "x floor | invoice wall s | invoice CPU s | invoice peak MB |\n"
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
    rows = []
    for r in results:
        g, e, i = r["generate"], r["evaluate"], r["invoice"]
        assert isinstance(g, tuple | list) and isinstance(e, tuple | list) \
            and isinstance(i, tuple | list) and isinstance(r["floor"], float)
        rows.append(f"| {r['contract']} | {r['customers']:,} | {r['rows']:,} | "
                    f"{r['floor']:.1f} | {g[0]:.1f} | {e[0]:.1f} | {e[1]:.1f} | {e[2]:.0f} | "
                    f"{e[0] / r['floor']:.0f} | {i[0]:.1f} | {i[1]:.1f} | {i[2]:.0f} |")
    return head + "\n".join(rows) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--contracts", nargs="+", default=list(AS_OF))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--write", help="the markdown file whose table to replace")
    args = ap.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for contract in args.contracts:
            for size in args.sizes:
                results.append(run_one(contract, size, args.jobs, Path(tmp)))
                print(json.dumps(results[-1]), flush=True)
    text = table(results, args.jobs)
    print(text)
    if args.write:
        doc = Path(args.write).read_text(encoding="utf-8")
        a, b = doc.index(START) + len(START), doc.index(END)
        Path(args.write).write_text(doc[:a] + "\n" + text + doc[b:], encoding="utf-8")


if __name__ == "__main__":
    main()
