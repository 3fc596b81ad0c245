"""Hostile inputs across every command, run through the command line as a user runs it.

A case is one command (validate, test, evaluate, explain, invoice, invoice show, verify,
ledger check and export, pseudonymize, generate, schema, ...) on files and arguments of which
one or more are damaged: bytes of a contract, an event file (CSV, or Parquet: the damaged
rows as text columns, or a typed file's bytes damaged), a bill, a cohort, a key file or a
ledger (truncated, sliced, lines repeated or swapped, hostile bytes inserted: terminal escapes,
bidirectional overrides, NULs, invalid UTF-8, formulas, huge numbers, YAML aliases and tags),
whole files replaced (empty, a NUL flood, a long line without newline, random bytes, a YAML
bomb, deep nesting, another SQLite database), and hostile arguments (impossible dates and
periods, a folder, a missing folder or the ledger itself as the output, the ledger as an
input, unknown options).

Whatever happens, the command must end with exit 0, 1 or 2 — never 3 (an internal error),
never an exception, never a traceback in its output — must echo no terminal control character
from its input, and must finish within its time. Used by tests/test_cli_fuzz.py (a bounded
count) and benchmarks/fuzz.py (100,000 cases and more, in worker processes).
"""

from __future__ import annotations

import csv
import functools
import importlib.util
import io
import random
import shutil
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import typer.testing
from typer.testing import CliRunner

from rewardengine import api
from rewardengine.cli import app

ROOT = Path(__file__).resolve().parent.parent
# (example, a period it invoices, an evaluation date)
BASES = (("tehostettu_tyonvalitys", "2021-03", "2021-06-30"),
         ("kopakka", "2019-09", "2020-05-31"),
         ("asiakasbudjetti", "2021-05", "2021-12-31"),
         ("sujuvat_palvelupolut", "2020-06", "2020-12-31"))
HOSTILE = (
    b"\x1b[31mred\x1b[0m", b"\x1b]8;;http://x.invalid\x07link\x1b]8;;\x07", "\u202eevil".encode(),
    b"\x00", b"\xff\xfe", b"\xe4\xf6", "\ufeff".encode(), b"\r", b"\r\n", b";", b",", b'"',
    b"'", b"\t", b"=cmd|' /C calc'!A0", b"  @SUM(1+1)", b"9" * 4000, b"-0", b"1e999",
    b"NaN", b"Infinity", b"&a [1]", b"*a", b"<<: *a", b"!!python/object:os.system", b"{",
    b"[", b": ", b"- ", b"#", b"%YAML 1.1\n", b"---\n", b"...\n", "😀".encode(),
    "١٢٣".encode(), b"2020-02-30", b"0000-00-00", b"31.12.2020", b"1 234,50", b"\\",
    b"../../etc/passwd", b"%", b"E1:over", b"E1@2020-05-01", b"131052-308T",
)
WHOLE = (b"", b"x", b"\x00" * 100_000, b"a" * 2_100_000, b"---\n" * 3,
         b"a: &a [" + b"x," * 10 + b"]\n" + b"".join(
             b"%c: &%c [" % (65 + i, 66 + i) + b"*%c," % (65 + i) * 10 + b"]\n"
             for i in range(9)),
         b"[" * 20_000 + b"]" * 20_000, b"{a: 1, a: 2}\n", b"- 1\n- 2\n")
DATES = ("2020-02-30", "20200101", "", "9999-12-31", "0001-01-01", "2020-1-1", "x", "-1",
         "2020-06-30", "2199-12-31", "1900-01-01", "2020-06-31T00:00")
PERIODS = ("2020-13", "2020-Q5", "2020-Q1", "x", "", "2021-03", "1899-12", "9999-12", "2020")
COMMANDS = ("validate", "test", "evaluate", "explain", "invoice", "invoice-show", "verify",
            "ledger-check", "ledger-export", "pseudonymize", "generate", "schema",
            "cohort-schema", "version", "simulate", "price", "forecast", "cohort-fit")
PARQUET_SHARE = 0.2  # cases whose event file is Parquet (when pyarrow is installed)
_ARROW = importlib.util.find_spec("pyarrow") is not None
CONTROL = ("\x1b", "\u202e", "\u202d", "\u2066", "\u2067", "\x07", "\x9b")


@dataclass
class Outcome:
    case: int
    command: str
    exit_code: int
    failure: str | None  # why the case failed; None when the command behaved
    seconds: float


@dataclass
class Case:
    index: int
    command: str
    args: list[str]
    what: str  # what was damaged, for the report


# The runner builds the whole command tree from the app at every call (most of a case's
# time); the tree does not change between cases, so it is built once.
_BUILD = getattr(typer.testing, "_get_command")  # noqa: B009 (a private name, on purpose)
if not hasattr(_BUILD, "cache_info"):
    setattr(typer.testing, "_get_command", functools.lru_cache(maxsize=4)(_BUILD))  # noqa: B010


class Fuzzer:
    """Makes and runs cases in ``folder`` (its base files are made once)."""

    def __init__(self, folder: Path, seed: int) -> None:
        self.folder, self.seed = folder, seed
        self.runner = CliRunner()
        self.bases = [self._base(name, period, as_of) for name, period, as_of in BASES]

    def _base(self, name: str, period: str, as_of: str) -> dict[str, bytes | str]:
        """The example's contract, events, a ledger holding one invoice and the bill it
        makes, a cohort and a key file: the undamaged files a case starts from."""
        where = self.folder / f"base-{name}"
        where.mkdir(parents=True, exist_ok=True)
        contract = ROOT / "contracts" / f"{name}.yaml"
        events = ROOT / "examples" / name / "events.csv"
        ledger, bill = where / "ledger.sqlite", where / "bill.csv"
        if not ledger.exists():
            self._cli(["invoice", str(contract), str(events), "--period", period,
                       "--ledger", str(ledger), "--new-ledger", "--joint", "--format", "csv",
                       "-o", str(bill)])
        with sqlite3.connect(ledger) as conn:
            (number,) = conn.execute("SELECT min(number) FROM invoices").fetchone()
        typed = io.BytesIO()
        if _ARROW:
            with events.open("rb") as fh:
                api.events_to_parquet(fh, typed)
        return {"name": name, "period": period, "as_of": as_of, "number": str(number),
                "events_parquet": typed.getvalue(),
                "contract": contract.read_bytes(), "events": events.read_bytes(),
                "ledger": ledger.read_bytes(), "bill": bill.read_bytes(),
                "cohort": b"segments: {}\nreferrals: {per_month: {}}\n",
                "key": b"k" * 40 + b"\n"}

    def _cli(self, args: list[str]) -> tuple[int, str, BaseException | None]:
        result = self.runner.invoke(app, args, catch_exceptions=True)
        exc = result.exception if not isinstance(result.exception, SystemExit) else None
        return result.exit_code, result.output, exc

    # --- making a case ---------------------------------------------------------------------

    def case(self, index: int) -> Case:
        rng = random.Random(self.seed * 1_000_003 + index)
        base = rng.choice(self.bases)
        where = self.folder / f"case-{index % 97}"
        shutil.rmtree(where, ignore_errors=True)
        where.mkdir(parents=True)
        files: dict[str, Path] = {}
        damaged: list[str] = []
        for name, suffix in (("contract", ".yaml"), ("events", ".csv"), ("bill", ".csv"),
                             ("cohort", ".yaml"), ("key", ".key"), ("ledger", ".sqlite")):
            data = base[name]
            assert isinstance(data, bytes)
            if rng.random() < (0.45 if name in ("contract", "events") else 0.25):
                data, how = _damage(rng, data, name == "ledger")
                damaged.append(f"{name}: {how}")
            files[name] = where / f"{name}{suffix}"
            files[name].write_bytes(data)
        if rng.random() < PARQUET_SHARE:  # the events (as damaged) as a Parquet file
            parquet = _as_parquet(rng, files["events"].read_bytes(), base)
            if parquet is not None:
                files["events"] = where / "events.parquet"
                files["events"].write_bytes(parquet[0])
                damaged.append(f"events: {parquet[1]}")
        command = COMMANDS[index % len(COMMANDS)]  # every command as often
        args = _arguments(rng, command, base, files, where)
        if rng.random() < 0.15:
            args, how = _damage_arguments(rng, args, files, where)
            damaged.append(f"arguments: {how}")
        return Case(index, command, args, "; ".join(damaged) or "nothing")

    # --- running it ------------------------------------------------------------------------

    def run(self, case: Case) -> Outcome:
        started = time.monotonic()
        code, output, exc = self._cli(case.args)
        seconds = time.monotonic() - started
        failure = _failure(code, output, exc)
        if failure is not None:  # what repeats it: the arguments and what was damaged
            failure += f" — {case.what}; arguments: {' '.join(a[-40:] for a in case.args)}"
        return Outcome(case.index, case.command, code, failure, seconds)


def _damage(rng: random.Random, data: bytes, ledger: bool) -> tuple[bytes, str]:
    moves: list[Callable[[], tuple[bytes, str]]] = [
        lambda: (data[:rng.randrange(len(data) + 1)], "truncated"),
        lambda: _slice(rng, data),
        lambda: _insert(rng, data),
        lambda: _lines(rng, data),
        lambda: (rng.choice(WHOLE), "replaced whole"),
    ]
    if ledger:
        moves += [lambda: (bytes(b ^ rng.randrange(1, 256) if rng.random() < 0.001 else b
                                 for b in data), "bytes flipped"),
                  lambda: (_other_database(), "another application's database")]
    else:
        moves.append(lambda: (data.decode("utf-8", "replace").encode("latin-1", "replace"),
                              "as Latin-1"))
    return rng.choice(moves)()


def _as_parquet(rng: random.Random, data: bytes, base: dict[str, bytes | str]
                ) -> tuple[bytes, str] | None:
    """Event rows as Parquet: the (maybe damaged) CSV's cells as text columns, in small row
    groups; or the example's typed Parquet file, its bytes maybe damaged. None without
    pyarrow, or when the damaged CSV is no table at all."""
    if not _ARROW:
        return None
    import pyarrow as pa
    import pyarrow.parquet as pq
    if rng.random() < 0.5:
        typed = base["events_parquet"]
        assert isinstance(typed, bytes)
        if rng.random() < 0.5:
            return typed, "as typed Parquet"
        damaged, how = _damage(rng, typed, False)
        return damaged, f"as typed Parquet, {how}"
    try:
        rows = list(csv.reader(io.StringIO(data.decode("utf-8", "replace"), newline="")))
    except csv.Error:
        return None
    header, body = (rows[0], rows[1:]) if rows else ([], [])
    columns = [pa.array([r[i] if i < len(r) else None for r in body], pa.string())
               for i in range(len(header))]
    out = io.BytesIO()
    pq.write_table(pa.Table.from_arrays(columns, names=header), out,
                   row_group_size=rng.choice([7, 50, 1000]))
    return out.getvalue(), "as Parquet text columns"


def _slice(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    a = rng.randrange(len(data) + 1)
    b = min(len(data), a + rng.randrange(1, 400))
    return data[:a] + data[b:], "slice deleted"


def _insert(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    out = data
    for _ in range(rng.randrange(1, 4)):
        at = rng.randrange(len(out) + 1)
        out = out[:at] + rng.choice(HOSTILE) + out[at:]
    return out, "hostile bytes inserted"


def _lines(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    lines = data.split(b"\n")
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    if rng.random() < 0.5:
        lines.insert(j, lines[i])
        return b"\n".join(lines), "a line repeated"
    lines[i], lines[j] = lines[j], lines[i]
    return b"\n".join(lines), "lines swapped"


def _other_database() -> bytes:
    path = Path(f"/tmp/fuzz-other-{time.monotonic_ns()}.sqlite")
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE customers (id TEXT, name TEXT)")
    conn.commit()
    conn.close()
    data = path.read_bytes()
    path.unlink()
    return data


def _arguments(rng: random.Random, command: str, base: dict[str, bytes | str],
               files: dict[str, Path], where: Path) -> list[str]:
    c, e, ledger = str(files["contract"]), str(files["events"]), str(files["ledger"])
    as_of, period = str(base["as_of"]), str(base["period"])
    out = str(where / "out.txt")
    cohort, report = str(files["cohort"]), str(where / "report.html")
    fmt = rng.choice
    table: dict[str, list[str]] = {
        "validate": ["validate", c, *fmt([[], ["--strict"], ["--format", "json"]])],
        "test": ["test", c, "--format", fmt(["text", "json"])],
        "evaluate": ["evaluate", c, e, "--as-of", as_of, "--format",
                     fmt(["table", "json", "jsonl", "csv"]), "--jobs", fmt(["1", "2"])],
        "explain": ["explain", c, e, "--customer", fmt(["T01", "P03", "B02", "S01", "x"]),
                    "--as-of", as_of, "--format", fmt(["table", "json"])],
        "invoice": ["invoice", c, e, "--period", period, "--ledger", ledger, "--joint",
                    "--format", fmt(["json", "csv", "html", "ubl", "finvoice", "xlsx"]),
                    "-o", out, *(["--dry-run"] if rng.random() < 0.5 else [])],
        "invoice-show": ["invoice", "show", fmt([str(base["number"]), "x"]), "--ledger",
                         ledger, "--format", fmt(["json", "csv", "html"]), "-o", out],
        "verify": ["verify", c, e, str(files["bill"]), "--period", period, "--joint",
                   "--ledger", ledger, "--format", fmt(["table", "json", "html"])],
        "ledger-check": ["ledger", "check", "--ledger", ledger, "--format",
                         fmt(["text", "json"])],
        "ledger-export": ["ledger", "export", "--ledger", ledger, "--format",
                          fmt(["json", "csv"]), "-o", out],
        "pseudonymize": ["pseudonymize", e, "--key-file", str(files["key"]), "-o", out,
                         *(["--check"] if rng.random() < 0.3 else [])],
        "generate": ["generate", c, "--customers", fmt(["0", "1", "7", "30"]), "--seed", "3",
                     "-o", out, *(["--cohort", str(files["cohort"])]
                                  if rng.random() < 0.5 else [])],
        "schema": ["schema"], "cohort-schema": ["cohort-schema"], "version": ["version"],
        # forecasts: few runs of few customers, so a case stays short
        "simulate": ["simulate", c, "--cohort", cohort, "--runs", fmt(["1", "3"]),
                     "--customers", fmt(["1", "8"]), "--seed", "7", "--format",
                     fmt(["table", "json"]), "-o", out,
                     *(["--report", report] if rng.random() < 0.05 else [])],
        "price": ["price", c, "--cohort", cohort, "--target-per-customer",
                  fmt(["2500", "0", "-1", "x", "1e9"]), "--solve",
                  fmt(["result", "base_fee", "x"]), "--runs", "2", "--customers", "6"],
        "forecast": ["forecast", c, e, "--as-of", as_of, "--cohort", cohort, "--runs", "2",
                     "--format", fmt(["table", "json"]), "-o", out],
        "cohort-fit": ["cohort", "fit", c, e, "-o", out],
    }
    return table[command]


def _damage_arguments(rng: random.Random, args: list[str], files: dict[str, Path],
                      where: Path) -> tuple[list[str], str]:
    args = list(args)
    outputs = [str(where), str(where / "missing" / "out.txt"), str(files["ledger"]),
               str(files["events"]), str(files["ledger"]) + "-wal", "/dev/full"]
    choices = {"--as-of": DATES, "--period": PERIODS, "-o": tuple(outputs)}
    flags = [f for f in choices if f in args]
    move = rng.choice([*flags, "unknown option", "a folder as an input"])
    if move in choices:
        value = rng.choice(choices[move])
        args[args.index(move) + 1] = value
        return args, f"{move} {value[-30:]}"
    if move == "unknown option":
        return [*args, "--no-such-option"], move
    args.insert(min(2, len(args)), str(where))
    return args, move


def _failure(code: int, output: str, exc: BaseException | None) -> str | None:
    if exc is not None:
        return f"exception {type(exc).__name__}"
    if code not in (0, 1, 2):
        return f"exit {code}"
    if "Traceback (most recent call last)" in output:
        return "a traceback in the output"
    for ch in CONTROL:
        if ch in output:
            return f"control character U+{ord(ch):04X} echoed"
    return None
