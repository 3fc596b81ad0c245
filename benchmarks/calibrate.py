"""Calibration of ``forecast``: cut a generated cohort's data at a mid-contract date, forecast
the rest, and compare with what the full data shows was earned by the end.

    python3 benchmarks/calibrate.py [--contract tehostettu_tyonvalitys] [--customers 1000]
        [--as-of 2019-12-31] [--runs 100] [--no-fitted] [--write docs/forecast.md]

The events are ``rewardengine generate CONTRACT -n N --seed 1`` (the default cohort). The
truth is the engine's evaluation of the full data as of the horizon (without the contract
ceiling, which a forecast does not cut either), less what each customer
in progress was payable as of the cut, summed over the customers the forecast covers (those
referred by the cut: customers referred after it are not forecast; those with rows known
by the cut, such as benefit months before a referral, are shown apart, never in the ratio).
Its noise is what one cohort's draw spreads: the sd of the customers' payments ahead times
the square root of their number. Two forecasts are compared
with it: with the cohort the data was drawn from (the default cohort: a check of the method),
and with a cohort fitted (``cohort fit``) from only the rows known by the cut (what a user
has). With ``--write`` the tables go into docs/forecast.md between their markers.
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import tempfile
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from rewardengine import api
from rewardengine.engine import evaluate
from rewardengine.forecast.runs import default_horizon
from rewardengine.pipeline import load_contract
from rewardengine.values import money_text

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- calibration table: start -->", "<!-- calibration table: end -->"
ZERO = Decimal(0)


def payable(contract: str, events: str, on: date) -> dict[str, dict[tuple[str, str], Decimal]]:
    """Each customer's payable lines as of ``on``, without the contract ceiling: a forecast
    does not cut it (it reports the room left), so neither may the truth it is held to."""
    inputs = api.load_inputs(contract, [events])
    assert inputs.ok and inputs.contract is not None, inputs.problems[:3]
    loaded = inputs.contract
    c = loaded.contract
    free = replace(loaded, contract=c.model_copy(update={
        "caps": c.caps.model_copy(update={"contract_total": None})}))
    ev = evaluate(free, inputs.events.events, on)
    return {c.customer_id: {(ln.component, ln.occurrence): ln.amount for ln in c.lines
                            if ln.status == "payable"} for c in ev.customers}


def truth(contract: str, events: str, as_of: date, horizon: date) -> dict[str, Decimal]:
    before, after = payable(contract, events, as_of), payable(contract, events, horizon)
    return {cid: sum(after.get(cid, {}).values(), ZERO) - sum(lines.values(), ZERO)
            for cid, lines in before.items()}


def known_by(events: str, as_of: date, out: Path) -> None:
    with open(events, encoding="utf-8", newline="") as fh, \
            out.open("w", encoding="utf-8", newline="") as dst:
        rows = csv.DictReader(fh)
        assert rows.fieldnames is not None
        writer = csv.DictWriter(dst, rows.fieldnames, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            if (row["recorded"] or row["date"]) <= as_of.isoformat():
                writer.writerow(row)


def noise(values: list[Decimal]) -> float:
    """The spread of one cohort's total: the customers' sd times the square root of their
    number (the sd with divisor n: the customers are the whole cohort)."""
    if not values:
        return 0.0
    mean = sum(values, ZERO) / len(values)
    return math.sqrt(float(sum(((v - mean) ** 2 for v in values), ZERO)))


def buckets(forecast: api.Outcome, actual: dict[str, Decimal]) -> list[str]:
    assert forecast.result is not None
    rows = []
    for lo in range(0, 100, 20):
        group = [c for c in forecast.result.customers
                 if lo <= c.chance * 100 < lo + 20 or (lo == 80 and c.chance == 1)]
        if not group:
            continue
        chance = sum((c.chance for c in group), ZERO) / len(group)
        paid = sum(1 for c in group if actual.get(c.customer_id, ZERO) > 0) / len(group)
        rows.append(f"| {lo}-{lo + 20} % | {len(group)} | {chance * 100:.1f} % | "
                    f"{paid * 100:.1f} % |")
    return rows


def bundled(name: str) -> tuple[str, date]:
    """A bundled contract's path and the last day any of its fees can be earned."""
    contract = str(ROOT / "contracts" / f"{name}.yaml")
    loaded, _ = load_contract(contract)
    assert loaded is not None
    return contract, default_horizon(loaded)


def generated(contract: str, customers: int, seed: int, folder: str) -> str:
    """A cohort of ``customers`` generated with ``seed`` into ``folder``: the file's path."""
    events = str(Path(folder) / "events.csv")
    text = io.StringIO()
    api.generate_events(contract, text, customers=customers, seed=seed)
    Path(events).write_text(text.getvalue(), encoding="utf-8")
    return events


def calibrate(name: str, customers: int, as_of: date, runs: int, fitted: bool = True
              ) -> list[str]:
    contract, horizon = bundled(name)
    with tempfile.TemporaryDirectory() as tmp:
        events = generated(contract, customers, 1, tmp)
        cut = Path(tmp) / "known.csv"
        known_by(events, as_of, cut)
        actual = truth(contract, events, as_of, horizon)
        own = api.forecast_customers(api.Request(contract, runs=runs, seed=7, jobs=2),
                                     [str(cut)], as_of)
        refit = api.forecast_customers(api.Request(contract, from_events=(str(cut),),
                                                   runs=runs, seed=7, jobs=2), [str(cut)],
                                       as_of) if fitted else None
    assert own.result is not None
    covered = {c.customer_id for c in own.result.customers}
    ahead = [actual.get(cid, ZERO) for cid in sorted(covered)]
    total = sum(ahead, ZERO)
    later = sum((v for cid, v in actual.items() if cid not in covered), ZERO)
    lines = [f"{name}, {customers:,} customers generated (seed 1), cut at {as_of}, "
             f"{runs} runs (seed 7), horizon {horizon}; the actual's noise (sd of the "
             f"customers' payments ahead x sqrt of their number) {noise(ahead):.2f}; "
             f"customers with rows known by the cut but no referral (not forecast) earned "
             f"{money_text(later)}:",
             "", "| forecast with | customers in progress | actual ahead | forecast mean | se "
             "| P10 | P90 | forecast / actual |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for label, found in (("the cohort the data was drawn from", own),
                         ("a cohort fitted from the rows known by the cut", refit)):
        if found is None:
            continue
        assert found.result is not None
        t = found.result.total
        lines.append(f"| {label} | {len(found.result.customers):,} | {money_text(total)} | "
                     f"{money_text(t.mean)} | {money_text(t.se)} | {money_text(t.p10)} | "
                     f"{money_text(t.p90)} | {f'{t.mean / total:.3f}' if total else '-'} |")
    lines += ["", "Customers by the forecast's chance of a payment ahead (the drawn-from "
              "cohort), and the share the full data shows paid:", "",
              "| forecast chance | customers | mean forecast chance | paid in the full data |",
              "|---|---:|---:|---:|", *buckets(own, actual)]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contract", default="tehostettu_tyonvalitys")
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--as-of", default="2019-12-31")
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--write", type=Path)
    parser.add_argument("--no-fitted", action="store_true",
                        help="only the forecast with the cohort the data was drawn from")
    args = parser.parse_args()
    table = calibrate(args.contract, args.customers, date.fromisoformat(args.as_of), args.runs,
                      not args.no_fitted)
    print("\n".join(table))
    if args.write:
        text = args.write.read_text(encoding="utf-8")
        head, rest = text.split(START, 1)
        _, tail = rest.split(END, 1)
        args.write.write_text(head + START + "\n" + "\n".join(table) + "\n" + END + tail,
                              encoding="utf-8")


if __name__ == "__main__":
    main()
