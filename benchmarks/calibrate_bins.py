"""Calibration of ``forecast`` bin by bin: each customer's forecast mean against what the full
data paid it after the cut, summed per bin (the forecast's chance, the customer's job state
at the cut, the service's), with the standard error the forecast itself gives the bin.

    python3 benchmarks/calibrate_bins.py run --contract employment_condition_2024 \\
        --customers 4000 --as-of 2025-03-31 --runs 20 --seed 1 -o seed1.json
    python3 benchmarks/calibrate_bins.py report seed1.json seed2.json ...

``run`` generates a cohort (``--seed``, the default cohort), cuts it at the as-of date,
forecasts the rest with the cohort it was drawn from (``--forecast-seed``, 7) and writes one
record per customer forecast: its mean and se ahead, its chance of a payment ahead, what the
full data paid it after the cut (``calibrate.truth``) and its state at the cut. ``report``
pools any number of such files (more generated cohorts rather than bigger ones). A bin's se
is the square root of the sum of its customers' variances: the spread of what one customer
is paid (the runs' sd, the actual's own noise) plus that of the forecast's mean over runs.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import calibrate as cal

from rewardengine import api
from rewardengine.engine import evaluate
from rewardengine.forecast.conditional import State

Record = dict[str, Any]


def job_state(s: State, wages: int) -> str:
    """A customer's jobs at the cut (``wages``: the wage rows known by then)."""
    if s.voided:
        return "voided job known"
    if not s.employments:
        return "wages, no job known" if wages else "no job yet"
    if any(j.end is None or j.end > s.as_of for j in s.employments):
        shown = any(w is not None for w in s.wage_ends)
        return "in a job" + (" (end shown by wages)" if shown else "")
    return "jobs ended"


def run(name: str, customers: int, as_of: date, runs: int, seed: int, forecast_seed: int
        ) -> dict[str, Any]:
    contract, horizon = cal.bundled(name)
    with tempfile.TemporaryDirectory() as tmp:
        events = cal.generated(contract, customers, seed, tmp)
        cut = Path(tmp) / "known.csv"
        cal.known_by(events, as_of, cut)
        actual = cal.truth(contract, events, as_of, horizon)
        own = api.forecast_customers(api.Request(contract, runs=runs, seed=forecast_seed,
                                                 jobs=2), [str(cut)], as_of)
        inputs = api.load_inputs(contract, [str(cut)])
        assert inputs.contract is not None
        ev = evaluate(inputs.contract, inputs.events.events, as_of)
    states = {}
    for r in ev.customers:
        s = State.of(r)
        states[r.customer_id] = {"job": job_state(s, len(r.context.timeline.earnings)),
                                 "service": "no service" if s.service_start is None else
                                 "service ended" if s.service_ended else "service running"}
    assert own.result is not None
    rows = [{"mean": float(c.ahead.mean), "se": float(c.ahead.se or 0), "chance": float(c.chance),
             "actual": float(actual.get(c.customer_id, Decimal(0))),
             **states.get(c.customer_id, {})} for c in own.result.customers]
    return {"contract": name, "customers": customers, "as_of": as_of.isoformat(),
            "runs": runs, "seed": seed, "rows": rows}


def _chance_bin(r: Record) -> str:
    lo = min(int(r["chance"] * 5), 4) * 20
    return f"{lo}-{lo + 20} %"


def _table(title: str, rows: list[Record], key: Callable[[Record], str]) -> list[str]:
    groups: dict[str, list[Record]] = defaultdict(list)
    for r in rows:
        groups[key(r)].append(r)
    out = [f"| {title} | customers | forecast | actual | actual - forecast | se | z "
           "| chance / paid |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for k in sorted(groups):
        g = groups[k]
        f, a = sum(r["mean"] for r in g), sum(r["actual"] for r in g)
        s = math.sqrt(sum(r["var"] for r in g))
        z = f"{(a - f) / s:.2f}" if s else "-"
        chance = sum(r["chance"] for r in g) / len(g)
        paid = sum(r["actual"] > 0 for r in g) / len(g)
        out.append(f"| {k} | {len(g)} | {f:,.0f} | {a:,.0f} | {a - f:,.0f} | {s:,.0f} | {z} "
                   f"| {chance * 100:.1f} % / {paid * 100:.1f} % |")
    return out


def report(files: list[str]) -> list[str]:
    rows: list[Record] = []
    for name in files:
        d = json.loads(Path(name).read_text(encoding="utf-8"))
        n = d["runs"]
        for r in d["rows"]:
            # one customer's spread (the runs' sd: se^2 n) and the mean's (se^2)
            r["var"] = r["se"] ** 2 * (n + 1)
            rows.append(r)
    f, a = sum(r["mean"] for r in rows), sum(r["actual"] for r in rows)
    s = math.sqrt(sum(r["var"] for r in rows))
    out = [f"{len(files)} cohorts, {len(rows)} customers: forecast {f:,.0f}, actual {a:,.0f}, "
           f"actual - forecast {a - f:,.0f} (se {s:,.0f}, z {(a - f) / s:.2f}), "
           f"forecast / actual {f / a:.3f}", ""]
    for title, key in (("forecast chance", _chance_bin), ("job state", lambda r: r["job"]),
                       ("service", lambda r: r["service"])):
        out += [*_table(title, rows, key), ""]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    one = sub.add_parser("run")
    one.add_argument("--contract", default="employment_condition_2024")
    one.add_argument("--customers", type=int, default=4000)
    one.add_argument("--as-of", default="2025-03-31")
    one.add_argument("--runs", type=int, default=20)
    one.add_argument("--seed", type=int, default=1)
    one.add_argument("--forecast-seed", type=int, default=7)
    one.add_argument("-o", "--output", type=Path, required=True)
    pooled = sub.add_parser("report")
    pooled.add_argument("files", nargs="+")
    args = parser.parse_args()
    if args.command == "report":
        print("\n".join(report(args.files)))
        return
    t0 = time.monotonic()
    d = run(args.contract, args.customers, date.fromisoformat(args.as_of), args.runs,
            args.seed, args.forecast_seed)
    args.output.write_text(json.dumps(d), encoding="utf-8")
    f, a = sum(r["mean"] for r in d["rows"]), sum(r["actual"] for r in d["rows"])
    print(f"{args.contract} n={args.customers} seed={args.seed} as_of={args.as_of} "
          f"runs={args.runs}: forecast {f:,.0f} actual {a:,.0f} "
          f"in {time.monotonic() - t0:.0f}s")


if __name__ == "__main__":
    main()
