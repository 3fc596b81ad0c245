"""Benchmark: the event readers' cost beside a bare ``csv.reader`` pass over the same file.

    python benchmarks/readers.py [--customers 20000] [--cohort FILE] [--cases WORDS...]

Reads the same synthetic cohort (benchmarks/cohort.py, or an event file named with
``--cohort``, e.g. one ``rewardengine generate`` wrote) several ways, each timed in CPU
seconds (the median of three runs, so other work on the machine counts less) and as a
multiple of the floor:

- the floor: the csv module over the plain file, doing nothing with the rows;
- the csv module over the bounded-chunk text source the event reader uses;
- reading alone: every row read and checked into its event (``iter_file``), events dropped;
- the whole event reader (``read_events``: also every event kept and event ids checked
  across the file);
- reading alone, for the same facts in the Finnish spreadsheet dialect (cp1252, ';',
  d.m.yyyy, decimal commas) and as JSON Lines;
- with pyarrow installed, the same facts as Parquet (typed columns, as ``generate`` writes
  them): a bare pyarrow pass (every record batch decoded, nothing done with the rows), the
  rows as text cells as the reader takes them, and reading alone;
- pseudonymizing the plain file.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from cohort import generate  # noqa: E402

from rewardengine.api import (  # noqa: E402
    events_to_parquet,
    make_dialect,
    parquet_missing,
    pseudonymize_file,
)
from rewardengine.events.parquet import EventsFile  # noqa: E402
from rewardengine.events.read import iter_file, read_events  # noqa: E402
from rewardengine.tabular import PLAIN, Dialect, TextSource  # noqa: E402


def finnish(plain: Path, out: Path) -> None:
    """The same facts as a Finnish spreadsheet writes them."""
    with plain.open(encoding="utf-8", newline="") as src, out.open("wb") as dst:
        dst.write(b"sep=;\r\n")
        for cells in csv.reader(src):
            for i, c in enumerate(cells):
                if len(c) == 10 and c[4] == "-" and c[7] == "-":
                    cells[i] = f"{int(c[8:])}.{int(c[5:7])}.{c[:4]}"
                elif c.replace(".", "", 1).isdigit() and "." in c:
                    cells[i] = c.replace(".", ",")
            dst.write((";".join(cells) + "\r\n").encode("cp1252"))


def json_lines(plain: Path, out: Path) -> None:
    """The same facts as JSON Lines (empty cells left out)."""
    with plain.open(encoding="utf-8", newline="") as src, out.open("w", encoding="utf-8") as dst:
        for row in csv.DictReader(src):
            dst.write(json.dumps({k: v for k, v in row.items() if v}) + "\n")


def cpu_seconds(run: Callable[[], object], repeat: int = 3) -> float:
    """The median CPU time of ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        t0 = time.process_time()
        run()
        times.append(time.process_time() - t0)
    return statistics.median(times)


def reading(path: Path, dialect: Dialect = PLAIN) -> Callable[[], None]:
    """Every row of a file read and checked into its event, the events dropped."""
    def run() -> None:
        for _, problems in iter_file(str(path), dialect):
            for problem in problems:
                if problem.severity == "error":  # the note on a named encoding is not
                    raise SystemExit(f"{path}: {problem}")
    return run


def parquet_cases(plain: Path, out: Path) -> list[tuple[str, Callable[[], object]]]:
    """The same facts as Parquet: a bare pyarrow pass, the rows as text cells, reading."""
    if parquet_missing() is not None:
        return []
    import pyarrow.parquet as pq
    with plain.open("rb") as src, out.open("wb") as dst:
        events_to_parquet(src, dst)

    def bare() -> None:
        for _ in pq.ParquetFile(out).iter_batches(batch_size=65_536, use_threads=False):
            pass

    def cells() -> None:
        for _, rows, _ in EventsFile(str(out)).blocks():
            for _ in rows:
                pass
    return [("pyarrow batches, Parquet", bare), ("rows as text cells, Parquet", cells),
            ("reading alone, Parquet", reading(out))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--customers", type=int, default=20_000)
    ap.add_argument("--cohort", type=Path, help="a plain CSV event file to read instead")
    ap.add_argument("--cases", nargs="+", metavar="WORDS",
                    help="only the cases whose label has one of these words (the floor "
                         "is always measured), e.g. --cases 'reading alone, plain'")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "events.csv"
        fi, jsonl = Path(tmp) / "events_fi.csv", Path(tmp) / "events.jsonl"
        if args.cohort is not None:
            plain.write_bytes(args.cohort.read_bytes())
        else:
            generate(plain, args.customers)
        with plain.open(encoding="utf-8", newline="") as fh:
            rows = sum(1 for _ in csv.reader(fh)) - 1

        def wanted(label: str) -> bool:
            return not args.cases or any(word in label for word in args.cases)

        if wanted("reading alone, fi cp1252"):
            finnish(plain, fi)
        if wanted("reading alone, JSON Lines"):
            json_lines(plain, jsonl)

        def floor() -> None:
            with plain.open(encoding="utf-8", newline="") as fh:
                for _ in csv.reader(fh):
                    pass

        def chunks() -> None:
            with plain.open("rb") as fh:
                for _ in csv.reader(TextSource(fh, None).lines()):
                    pass

        fi_dialect = make_dialect("fi", encoding="cp1252")
        cases: list[tuple[str, Callable[[], object]]] = [
            ("csv module, plain file", floor),
            ("csv over bounded chunks", chunks),
            ("reading alone, plain", reading(plain)),
            ("event reader, plain", lambda: read_events([str(plain)])),
            ("reading alone, fi cp1252", reading(fi, fi_dialect)),
            ("reading alone, JSON Lines", reading(jsonl)),
            *(parquet_cases(plain, Path(tmp) / "events.parquet")
              if wanted("Parquet") else []),
            ("pseudonymize, plain", lambda: pseudonymize_file(str(plain), io.BytesIO(),
                                                              key=b"k" * 32)),
        ]
        cases = [case for k, case in enumerate(cases) if k == 0 or wanted(case[0])]
        print(f"{rows:,} rows; CPU seconds, the median of three runs")
        print(f"{'':<28} {'CPU s':>8} {'µs a row':>9} {'x floor':>8}")
        base = 0.0
        for label, run in cases:
            took = cpu_seconds(run)
            base = base or took
            print(f"{label:<28} {took:8.3f} {took / rows * 1e6:9.2f} {took / base:8.1f}")


if __name__ == "__main__":
    main()
