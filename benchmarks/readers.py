"""Benchmark: the readers' own cost, apart from checking rows; prints rows per second.

    python benchmarks/readers.py [--customers 20000]

Reads the same synthetic cohort (benchmarks/cohort.py) four ways: the csv module over a plain
file (the floor), the bounded-chunk text source the event reader uses, the whole event reader
on the plain file, and the whole event reader on the same facts written in the Finnish
spreadsheet dialect (cp1252, ';', d.m.yyyy, decimal commas); then pseudonymizes the file.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from cohort import generate  # noqa: E402

from rewardengine.api import make_dialect, pseudonymize_file  # noqa: E402
from rewardengine.events.read import read_events  # noqa: E402
from rewardengine.tabular import TextSource  # noqa: E402


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


def timed(label: str, rows: int, run: object) -> None:
    t0 = time.perf_counter()
    run()  # type: ignore[operator]
    took = time.perf_counter() - t0
    print(f"{label:<28} {took:8.2f} s  {rows / took:12.0f} rows/s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--customers", type=int, default=20_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        plain, fi = Path(tmp) / "events.csv", Path(tmp) / "events_fi.csv"
        rows = generate(plain, args.customers)
        finnish(plain, fi)
        key = b"k" * 32

        def floor() -> None:
            with plain.open(encoding="utf-8", newline="") as fh:
                for _ in csv.reader(fh):
                    pass

        def chunks() -> None:
            with plain.open("rb") as fh:
                for _ in csv.reader(TextSource(fh, None).lines()):
                    pass

        timed("csv module, plain file", rows, floor)
        timed("csv over bounded chunks", rows, chunks)
        timed("event reader, plain", rows, lambda: read_events([str(plain)]))
        dialect = make_dialect("fi", encoding="cp1252")
        timed("event reader, fi cp1252", rows, lambda: read_events([str(fi)], dialect))
        timed("pseudonymize, plain", rows,
              lambda: pseudonymize_file(str(plain), io.BytesIO(), key=key))


if __name__ == "__main__":
    main()
