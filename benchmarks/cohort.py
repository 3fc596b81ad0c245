"""Benchmark: read and evaluate a synthetic cohort; prints customers per second by stage.

    python benchmarks/cohort.py [--customers 20000] [--contract benchmarks/cohort.yaml]

The cohort is generated with a fixed seed (same data every run): each customer has a
referral, a service start, hours, monthly contacts, often a job (sometimes self-reported and
later register-confirmed, sometimes ended late), sometimes a service end. Figures are wall
seconds of this process on this machine; run it twice and quote the second.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))

from rewardengine.engine import evaluate  # noqa: E402
from rewardengine.events.read import read_events  # noqa: E402
from rewardengine.pipeline import load_contract  # noqa: E402

HEADER = ("event_id,customer_id,type,date,recorded,end,provider,unemployed_since,birth_date,"
          "hours,activity,responded,kind,evidence,fte\n")


def generate(path: Path, customers: int, seed: int = 7) -> int:
    rnd = random.Random(seed)
    rows = 0
    with path.open("w", encoding="utf-8") as fh:
        fh.write(HEADER)
        for i in range(customers):
            c = f"c{i:07d}"
            ref = date(2020, 1, 1) + timedelta(days=rnd.randrange(180))
            since = ref - timedelta(days=rnd.randrange(60, 1500))
            start = ref + timedelta(days=rnd.randrange(1, 20))
            out = [f"r{i},{c},referral,{ref},,,acme,{since},1980-01-01,,,,,,",
                   f"s{i},{c},service_start,{start},,,,,,,,,,,"]
            for k in range(rnd.randrange(2, 8)):
                d = start + timedelta(days=7 * k + rnd.randrange(5))
                out.append(f"h{i}_{k},{c},hours,{d},,,,,,{rnd.choice(['1.5', '2', '3'])},"
                           "coaching,,,,")
            for m in range(12):
                d = start + timedelta(days=30 * m + rnd.randrange(25))
                out.append(f"k{i}_{m},{c},contact,{d},,,,,,,,"
                           f"{'true' if rnd.random() < 0.8 else 'false'},,,")
            if rnd.random() < 0.6:
                job = start + timedelta(days=rnd.randrange(20, 300))
                fte = rnd.choice(["0.5", "0.8", "1.0"])
                ev = rnd.choice(["register", "self_report"])
                out.append(f"e{i},{c},employment,{job},,,,,,,,,open,{ev},{fte}")
                if rnd.random() < 0.3:
                    end = job + timedelta(days=rnd.randrange(30, 200))
                    rec = end + timedelta(days=rnd.randrange(1, 60))
                    out.append(f"e{i},{c},employment,{job},{rec},{end},,,,,,,open,register,"
                               f"{fte}")
            if rnd.random() < 0.3:
                out.append(f"x{i},{c},service_end,{start + timedelta(days=rnd.randrange(60, 360))}"
                           ",,,,,,,,,,,")
            fh.write("\n".join(out) + "\n")
            rows += len(out)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--customers", type=int, default=20_000)
    ap.add_argument("--contract", default=str(HERE / "cohort.yaml"))
    ap.add_argument("--as-of", default="2021-06-30")
    args = ap.parse_args()
    loaded, problems = load_contract(args.contract)
    if loaded is None:
        print(*problems, sep="\n")
        raise SystemExit(1)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.csv"
        rows = generate(path, args.customers)
        t0 = time.perf_counter()
        events = read_events([str(path)])
        t1 = time.perf_counter()
        assert not events.problems, events.problems[:3]
        ev = evaluate(loaded, events.events, date.fromisoformat(args.as_of))
        t2 = time.perf_counter()
    n = args.customers
    lines = sum(len(c.lines) for c in ev.customers)
    print(f"customers {n}  event rows {rows}  result lines {lines}")
    print(f"read      {t1 - t0:8.2f} s  {n / (t1 - t0):10.0f} customers/s  "
          f"{rows / (t1 - t0):10.0f} rows/s")
    print(f"evaluate  {t2 - t1:8.2f} s  {n / (t2 - t1):10.0f} customers/s")
    print(f"total     {t2 - t0:8.2f} s  {n / (t2 - t0):10.0f} customers/s  "
          f"(1M customers at this rate on one core: {1e6 / (n / (t2 - t0)) / 60:.1f} min)")
    print(f"payable {ev.totals.payable}  pending {ev.totals.pending}")


if __name__ == "__main__":
    main()
