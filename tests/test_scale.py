"""Evaluation in shards: the same bytes for --jobs 1 and 2, for any number of shards, for
input in any row order, and as the evaluation made whole in memory; the contract ceiling's
cuts across shards; invoices and bill checks alike; the Dask run alike (when installed)."""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import pickle
import random
import zlib
from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from typer.testing import CliRunner

from rewardengine import api, jsonout
from rewardengine.cli import app
from rewardengine.cli import evaluation as evaluation_cli
from rewardengine.cli.report import print_evaluation
from rewardengine.csvsafe import safe_cell
from rewardengine.engine import CustomerResult, evaluate
from rewardengine.evaluate.lines import Line
from rewardengine.events.read import iter_csv, read_events, read_text
from rewardengine.invoicing import run as billing
from rewardengine.jsonout import canonical_json, indented, write_canonical
from rewardengine.pipeline import load_contract
from rewardengine.printable import json_escaped
from rewardengine.scale import partition, plan
from rewardengine.scale import shard as shard_module
from rewardengine.scale.plan import plan_shards
from rewardengine.scale.render import csv_rows, customer_element, customer_record, jsonl_record
from rewardengine.scale.run import evaluate_streamed
from rewardengine.tabular import PLAIN
from rewardengine.values import money_text

ROOT = Path(__file__).resolve().parent.parent
AS_OF = date(2021, 6, 30)
runner = CliRunner()


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """200 customers of palvelumanageri with its ceiling lowered to 30,000 € so that it
    cuts lines of many customers in several shards. Nobody is referred twice (the cohort
    says so: the tests below refer three customers twice and count the warnings); the
    customers whose rows the tests change are picked by those rows (``picked``), whatever
    the seed draws."""
    folder = tmp_path_factory.mktemp("scale")
    text = (ROOT / "contracts" / "palvelumanageri.yaml").read_text(encoding="utf-8")
    contract = folder / "palvelumanageri.yaml"
    contract.write_text(text.replace("contract_total: 1200000.00", "contract_total: 30000.00"),
                        encoding="utf-8")
    once = folder / "once.yaml"
    once.write_text("profiles: {default: {service: {re_referred: 0}}}\n", encoding="utf-8")
    events = folder / "events.csv"
    with events.open("w", encoding="utf-8", newline="") as fh:
        rows, problems = api.generate_events(str(contract), fh, customers=200, seed=50,
                                             cohort_path=str(once))
    assert rows > 2500 and not problems
    return contract, events


@dataclass(frozen=True)
class Picked:
    """Customers of the generated cohort picked by the rows the tests change."""

    first_started: str  # the first customer with a service start (its row ``ID-s``)
    middle_started: str  # the one in the middle of those
    last_started: str  # the last of those: in the file's last shard
    referred: tuple[str, str, str]  # the first, middle and last customer referred once
    repeated: str  # a customer referred once, none of the three started ones


def pick_customers(events: Path) -> Picked:
    """The customers of ``events`` the tests need, each found by its rows (asserted to
    exist), so that a change of the generator's draws changes who, not what is tested."""
    by: dict[str, list[dict[str, str]]] = {}
    with events.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            by.setdefault(row["customer_id"], []).append(row)
    # a service start of one of the contract's providers (manager_*): one test names
    # another provider on it
    started = [c for c, rows in by.items() if any(
        r["event_id"] == f"{c}-s" and r["type"] == "service_start"
        and r["provider"].startswith("manager_") for r in rows)]
    referred = [c for c, rows in by.items()
                if [r["event_id"] for r in rows if r["type"] == "referral"] == [f"{c}-r"]]
    assert len(started) >= 3 and len(referred) >= 4, (len(started), len(referred))
    ends = (started[0], started[len(started) // 2], started[-1])
    return Picked(*ends, (referred[0], referred[len(referred) // 2], referred[-1]),
                  next(c for c in referred if c not in ends))


@pytest.fixture(scope="module")
def picked(cohort: tuple[Path, Path]) -> Picked:
    return pick_customers(cohort[1])


@pytest.fixture(scope="module")
def whole(cohort: tuple[Path, Path]) -> Any:
    """The cohort evaluated whole, in memory."""
    return _whole(*cohort)


@pytest.fixture(autouse=True)
def _small_shards(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plan, "MIN_SHARD_BYTES", 10_000)


def _streamed(contract: Path, events: Path, fmt: str = "json", jobs: int = 1,
              **kw: Any) -> tuple[str, api.EvaluationRun]:
    out = io.StringIO()
    done = api.evaluate_to(str(contract), [str(events)], AS_OF, out, fmt, jobs=jobs, **kw)
    return out.getvalue(), done


def _whole(contract: Path, events: Path) -> Any:
    loaded, _ = load_contract(str(contract))
    assert loaded is not None
    return evaluate(loaded, read_events([str(events)]).events, AS_OF)


def test_the_file_is_cut_into_shards_of_whole_customers(cohort: tuple[Path, Path]) -> None:
    _, events = cohort
    shards = plan_shards([str(events)], PLAIN, 6)
    assert len(shards) == 6
    lines = events.read_bytes().split(b"\n")
    for shard in shards:
        assert shard.start is not None and shard.end is not None
        # a shard starts on the row its number says, and a customer never spans two shards
        before = events.read_bytes()[:shard.start]
        assert shard.first_row == before.count(b"\n") + 1
        first = lines[shard.first_row - 1].split(b",")[1]
        previous = lines[shard.first_row - 2].split(b",")[1]
        assert first != previous


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv"])
def test_one_job_two_jobs_and_the_whole_evaluation_write_the_same_bytes(
        cohort: tuple[Path, Path], fmt: str) -> None:
    contract, events = cohort
    one, done = _streamed(contract, events, fmt, jobs=1)
    two, _ = _streamed(contract, events, fmt, jobs=2)
    whole = io.StringIO()
    api.write_evaluation(_whole(contract, events), fmt, whole)
    assert done.ok
    assert one == two == whole.getvalue()
    if fmt == "json":
        doc = json.loads(one)
        cut = [ln for c in doc["customers"] for ln in c["lines"]
               if ln["cap"] and "contract ceiling" in ln["cap"]["note"]]
        assert len(cut) > 5  # the ceiling cut lines across the shards
        assert doc["totals"]["payable"] == "30000.00"
        assert canonical_json(_whole(contract, events).to_dict()) == one


def test_any_row_order_gives_the_same_customers(cohort: tuple[Path, Path],
                                                tmp_path: Path) -> None:
    contract, events = cohort
    header, *rows = events.read_text(encoding="utf-8").splitlines(keepends=True)
    random.Random(5).shuffle(rows)
    shuffled = tmp_path / "events.csv"
    shuffled.write_text(header + "".join(rows), encoding="utf-8")
    a, _ = _streamed(contract, events, jobs=2)
    b, _ = _streamed(contract, shuffled, jobs=2)
    da, db = json.loads(a), json.loads(b)
    for doc in (da, db):  # the same problems, at the rows where each file has them
        for p in doc["problems"]:
            p.pop("row"), p.pop("file")
    assert da == db


def test_only_some_customers(cohort: tuple[Path, Path]) -> None:
    contract, events = cohort
    text, done = _streamed(contract, events, jobs=2, customers=["c0000007", "c0000150"])
    whole = _whole(contract, events)
    doc = json.loads(text)
    assert [c["customer_id"] for c in doc["customers"]] == ["c0000007", "c0000150"]
    assert done.shown == {"c0000007", "c0000150"}
    by_id = {c.customer_id: c for c in whole.customers}
    assert doc["customers"][1] == by_id["c0000150"].to_dict()


def test_an_error_in_a_later_shard_stops_everything(cohort: tuple[Path, Path],
                                                     picked: Picked, tmp_path: Path) -> None:
    contract, events = cohort
    text = events.read_text(encoding="utf-8")
    bad = tmp_path / "events.csv"
    last = picked.last_started
    assert _shard_of(events, last, 2) > 0  # later than the first shard
    bad.write_text(text.replace(f"{last}-s,{last},service_start,",
                                f"{last}-s,{last},service_strat,"), encoding="utf-8")
    out, done = _streamed(contract, bad, jobs=2)
    assert not done.ok and out == ""
    assert [p.code for p in done.problems if p.severity.value == "error"] == ["E002"]
    whole = api.load_inputs(str(contract), [str(bad)])
    assert [str(p) for p in done.problems] == [str(p) for p in whole.problems]


@pytest.mark.parametrize("shuffled", [False, True])
def test_a_file_that_stops_part_way_says_the_same_for_any_jobs(
        cohort: tuple[Path, Path], tmp_path: Path, shuffled: bool) -> None:
    """Bytes that are not UTF-8 a third into the file, and a bad row after them: read whole,
    the file stops at the byte (F003, exit 2; the row after is never read), so the shards
    after it count for nothing either (a shard ran into an internal error there)."""
    contract, events = cohort
    head, *rows = events.read_text(encoding="utf-8").splitlines(keepends=True)
    if shuffled:
        random.Random(3).shuffle(rows)
    at = len(rows) // 3
    rows[at + 10] = rows[at + 10].replace(",", ",bogus-", 1)  # an error after the stop
    bad = tmp_path / "events.csv"
    data = (head + "".join(rows[:at])).encode() + b"\xff" + "".join(rows[at:]).encode()
    bad.write_bytes(data)
    whole = [str(p) for p in api.load_inputs(str(contract), [str(bad)]).problems]
    assert any(": F003 file is not UTF-8 (byte " in p for p in whole)
    for jobs in (1, 2, 3):
        _, done = _streamed(contract, bad, jobs=jobs)
        assert [str(p) for p in done.problems] == whole, jobs
    code = runner.invoke(app, ["evaluate", str(contract), str(bad), "--as-of",
                               AS_OF.isoformat(), "--jobs", "3"]).exit_code
    assert code == 2


def test_an_event_id_of_two_customers_in_two_shards_is_found(cohort: tuple[Path, Path],
                                                            picked: Picked,
                                                            tmp_path: Path) -> None:
    contract, events = cohort
    text = events.read_text(encoding="utf-8")
    bad = tmp_path / "events.csv"
    first, last = picked.first_started, picked.last_started
    assert _shard_of(events, first, 2) != _shard_of(events, last, 2)
    bad.write_text(text.replace(f"{last}-s,", f"{first}-s,"), encoding="utf-8")
    _, done = _streamed(contract, bad, jobs=2)
    assert "E008" in {p.code for p in done.problems}
    whole = api.load_inputs(str(contract), [str(bad)])
    assert [str(p) for p in done.problems] == [str(p) for p in whole.problems]


def _shard_of(events: Path, customer: str, jobs: int) -> int:
    """The shard (of those ``jobs`` processes read) that holds the customer's rows."""
    at = events.read_bytes().index(f"\n{customer}-".encode()) + 1
    shards = plan_shards([str(events)], PLAIN, jobs)
    return next(i for i, s in enumerate(shards)
                if s.start is not None and s.end is not None and s.start <= at < s.end)


def test_the_cli_writes_the_same_bytes_for_any_jobs(cohort: tuple[Path, Path]) -> None:
    contract, events = cohort
    outs = [runner.invoke(app, ["evaluate", str(contract), str(events), "--as-of",
                                AS_OF.isoformat(), "--format", "jsonl", "--jobs", j])
            for j in ("1", "2")]
    assert outs[0].exit_code == 0 and outs[0].stdout == outs[1].stdout
    records = [json.loads(line)["record"] for line in outs[0].stdout.splitlines()]
    assert records[0] == "evaluation" and records[-1] == "totals"
    assert records.count("customer") == 200


def _evaluate_jsonl(args: list[str]) -> tuple[int, str]:
    result = runner.invoke(app, args)
    return result.exit_code, result.stdout


def test_jobs_inside_a_pool_worker_run_in_the_worker(cohort: tuple[Path, Path]) -> None:
    # a daemonic process (a pool's worker) may not start children: --jobs 2 there ran into
    # an internal error on rows out of order (found by the long fuzz run); it runs the shards
    # in the worker itself, with the same bytes
    contract, events = cohort
    shuffled = events.with_name("shuffled.csv")
    head, *rows = events.read_text(encoding="utf-8").splitlines(keepends=True)
    random.Random(5).shuffle(rows)
    shuffled.write_text(head + "".join(rows), encoding="utf-8")
    args = ["evaluate", str(contract), str(shuffled), "--as-of", AS_OF.isoformat(),
            "--format", "jsonl"]
    with multiprocessing.get_context("fork").Pool(1) as pool:
        in_worker = pool.apply(_evaluate_jsonl, ([*args, "--jobs", "2"],))
    here = runner.invoke(app, [*args, "--jobs", "1"])
    assert in_worker == (0, here.stdout)


def test_invoices_and_bill_checks_are_the_same_for_any_jobs(cohort: tuple[Path, Path],
                                                            tmp_path: Path) -> None:
    contract, events = cohort
    docs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"invoice-{jobs}.json"
        result = runner.invoke(app, [
            "invoice", str(contract), str(events), "--period", "2020-06", "--provider",
            "manager_a", "--ledger", str(tmp_path / f"ledger-{jobs}.sqlite"), "--new-ledger",
            "-o", str(out), "--jobs", jobs])
        assert result.exit_code == 0, result.output
        docs.append(out.read_text(encoding="utf-8"))
    assert docs[0] == docs[1]
    assert len(json.loads(docs[0])["sections"][0]["lines"]) > 3
    bill = tmp_path / "bill.csv"
    made = runner.invoke(app, [
        "invoice", str(contract), str(events), "--period", "2020-07", "--provider",
        "manager_a", "--ledger", str(tmp_path / "provider.sqlite"), "--new-ledger",
        "--format", "csv", "-o", str(bill), "--dry-run"])
    assert made.exit_code == 0, made.output
    checked = runner.invoke(app, [
        "verify", str(contract), str(events), str(bill), "--period", "2020-07",
        "--provider", "manager_a", "--no-ledger", "--jobs", "2"])
    assert checked.exit_code == 0, checked.output


def test_the_dask_run_gives_the_same_bytes(cohort: tuple[Path, Path],
                                          noted: tuple[Path, str], tmp_path: Path) -> None:
    pytest.importorskip("dask.bag")
    from rewardengine.scale.on_dask import dask_mapper
    contract, events = cohort
    local, _ = _streamed(contract, events, jobs=2)
    out = io.StringIO()
    mapper = dask_mapper(scheduler="processes", workers=2)  # one pool for every map
    done = api.evaluate_to(str(contract), [str(events)], AS_OF, out, "json", jobs=3,
                           mapper=mapper)
    assert done.ok and out.getvalue() == local
    # rows shuffled: the partition pass, the buckets and their writing run on Dask too
    sorted_file, sorted_json = noted
    header, *rows = sorted_file.read_text(encoding="utf-8").splitlines(keepends=True)
    order = list(range(len(rows)))
    random.Random(2).shuffle(order)
    shuffled = tmp_path / "events.csv"
    where = _moved(header, rows, [shuffled], [order])
    out = io.StringIO()
    done = api.evaluate_to(str(contract), [str(shuffled)], AS_OF, out, "json", jobs=3,
                           mapper=mapper)
    assert done.ok and out.getvalue() == _relocated(sorted_json, where)


# --- input not sorted by customer: partitioned on disk -------------------------------------

@pytest.fixture(scope="module")
def noted(cohort: tuple[Path, Path], picked: Picked,
          tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The cohort's file with three customers referred twice on the same day (warnings
    located at those rows, V002), and its evaluation as a sorted file."""
    contract, events = cohort
    noted = tmp_path_factory.mktemp("noted") / "events.csv"
    out = []
    for row in events.read_text(encoding="utf-8").splitlines(keepends=True):
        out.append(row)
        if row.startswith(tuple(f"{c}-r," for c in picked.referred)):
            out.append(row.replace("-r,", "-r9,", 1))
    noted.write_text("".join(out), encoding="utf-8")
    text = io.StringIO()
    assert api.evaluate_to(str(contract), [str(noted)], AS_OF, text, "json").ok
    return noted, text.getvalue()


def _moved(header: str, rows: list[str], files: list[Path], deal: list[list[int]]) -> dict[
        int, tuple[str, int]]:
    """Rows dealt to ``files`` (``deal[f]``: the sorted rows' indexes, in the order written);
    returns each sorted row number's new (file, row)."""
    where = {}
    for path, picked in zip(files, deal, strict=True):
        path.write_text(header + "".join(rows[i] for i in picked), encoding="utf-8")
        for n, i in enumerate(picked):
            where[i + 2] = (str(path), n + 2)  # the header is row 1
    return where


def _relocated(text: str, where: dict[int, tuple[str, int]]) -> str:
    doc = json.loads(text)
    for p in doc["problems"]:
        p["file"], p["row"] = where[p["row"]]
    return canonical_json(doc)


@pytest.mark.parametrize("split", [1, 3], ids=["shuffled", "three files"])
def test_unsorted_input_gives_the_bytes_of_the_sorted_input(
        cohort: tuple[Path, Path], noted: tuple[Path, str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, split: int) -> None:
    """Rows shuffled (one file, two jobs) or dealt over three files (one job, rows of a
    customer in every file): the same document, problems at the rows where each file has
    them; with buckets of 20 kB the input is spread over a dozen buckets."""
    monkeypatch.setattr(partition, "BUCKET_BYTES", 20_000)
    contract, _ = cohort
    events, sorted_json = noted
    header, *rows = events.read_text(encoding="utf-8").splitlines(keepends=True)
    order = list(range(len(rows)))
    random.Random(split).shuffle(order)
    files = [tmp_path / f"events-{k}.csv" for k in range(split)]
    where = _moved(header, rows, files, [order[k::split] for k in range(split)])
    out = io.StringIO()
    done = api.evaluate_to(str(contract), [str(f) for f in files], AS_OF, out, "json",
                           jobs=2 if split == 1 else 1)
    assert done.ok and partition.bucket_count([str(f) for f in files], 1) >= 12
    assert len(json.loads(sorted_json)["problems"]) == 3  # located problems to compare
    assert out.getvalue() == _relocated(sorted_json, where)
    whole = io.StringIO()
    api.write_evaluation(_whole_of(contract, files), "json", whole)
    assert out.getvalue() == whole.getvalue()


def _whole_of(contract: Path, files: list[Path]) -> Any:
    loaded, _ = load_contract(str(contract))
    assert loaded is not None
    return evaluate(loaded, read_events([str(f) for f in files]).events, AS_OF)


def test_errors_of_unsorted_input_are_located_as_the_reader_locates_them(
        cohort: tuple[Path, Path], picked: Picked, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """An event id two customers use (the second row also names a provider the contract
    lacks: the reader leaves the row out, so that is not said), a row repeated, a type
    misspelt, and a file given twice: the problems of the whole reader, row for row."""
    monkeypatch.setattr(partition, "BUCKET_BYTES", 20_000)
    contract, events = cohort
    header, *rows = events.read_text(encoding="utf-8").splitlines(keepends=True)
    first, last = f"{picked.first_started}-s,", f"{picked.last_started}-s,"
    bad = []
    for row in rows:
        if row.startswith(last):
            row = row.replace(last, first).replace(",manager_", ",nobody_")
        if row.startswith(f"{picked.repeated}-r,"):
            bad.append(row)
        bad.append(row.replace(",service_start,", ",service_strat,")
                   if row.startswith(f"{picked.middle_started}-s,") else row)
    random.Random(7).shuffle(bad)
    # the row given another customer's id is read after that customer's own, whatever the
    # shuffle: one file takes the even places, the other the odd ones
    read = sorted(range(len(bad)), key=lambda i: (i % 2, i // 2))
    renamed, own = (next(i for i, r in enumerate(bad) if r.startswith(first)
                         and (",nobody_" in r) == other) for other in (True, False))
    if read.index(renamed) < read.index(own):
        bad[renamed], bad[own] = bad[own], bad[renamed]
    one, two = tmp_path / "a.csv", tmp_path / "b.csv"
    one.write_text(header + "".join(bad[::2]), encoding="utf-8")
    two.write_text(header + "".join(bad[1::2]), encoding="utf-8")
    for files, jobs in (([one, two], 2), ([one, two, one], 1)):
        paths = [str(f) for f in files]
        _, done = _run(contract, paths, jobs)
        whole = api.load_inputs(str(contract), paths)
        assert [str(p) for p in done.problems] == [str(p) for p in whole.problems]
        assert not done.ok and {"E002", "E007", "E008"} <= {p.code for p in done.problems}
        assert "E013" not in {p.code for p in done.problems}


def _run(contract: Path, paths: list[str], jobs: int) -> tuple[str, api.EvaluationRun]:
    out = io.StringIO()
    return out.getvalue(), api.evaluate_to(str(contract), paths, AS_OF, out, "csv", jobs=jobs)


def test_event_ids_with_alike_hashes_only_change_nothing(
        cohort: tuple[Path, Path], noted: tuple[Path, str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """64-bit hashes of two ids alike (forced here: 16 values for every id) send every
    shard to gather its rows of those ids; the ids differ, so nothing changes."""
    contract, _ = cohort
    events, before = noted
    monkeypatch.setattr(shard_module, "id_hash", lambda event_id: zlib.crc32(
        event_id.encode()) & 15)
    out = io.StringIO()
    done = api.evaluate_to(str(contract), [str(events)], AS_OF, out, "json")
    assert done.ok and out.getvalue() == before


def test_invoices_with_corrections_from_unsorted_files_are_those_made_in_memory(
        cohort: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Invoices read the customers from the buckets' spools one at a time; with rows
    shuffled, a month invoiced, then the evidence rows of three of its lines voided in a
    second file (lines whose customer has no other row of the types the line cites, so that
    nothing else can earn them): the same invoices, corrections and their reasons as the
    engine's evaluation in memory."""
    monkeypatch.setattr(partition, "BUCKET_BYTES", 20_000)
    contract, events = cohort
    header, *rows = events.read_text(encoding="utf-8").splitlines(keepends=True)
    random.Random(3).shuffle(rows)
    shuffled, voids = tmp_path / "events.csv", tmp_path / "voids.csv"
    shuffled.write_text(header + "".join(rows), encoding="utf-8")
    loaded, _ = load_contract(str(contract))
    assert loaded is not None
    invoices = []
    for period, files in (("2020-06", [shuffled]), ("2020-07", [shuffled, voids])):
        paths = [str(f) for f in files]
        bounds = api.billing_period(period, None, None)
        streamed, _ = api.issue_invoice(str(contract), paths, bounds, jobs=2,
                                        ledger_path=str(tmp_path / "a.sqlite"),
                                        provider="manager_a", new_ledger=period == "2020-06")
        whole = billing.issue_invoice(loaded, read_events(paths).events, bounds,
                                      ledger_path=str(tmp_path / "b.sqlite"),
                                      inputs_hash=billing.inputs_sha256(paths),
                                      provider="manager_a")
        assert streamed is not None and streamed.invoice is not None
        assert whole.invoice is not None
        assert streamed.invoice.to_dict() == whole.invoice.to_dict()
        invoices.append(streamed.invoice)
        if period != "2020-06":
            continue
        by_id = {row.split(",")[0]: row.rstrip("\n").split(",") for row in rows}
        lost = _wholly_evidenced(streamed.invoice.lines, by_id)
        gone = sorted({e for ln in lost for e in ln.evidence})
        voids.write_text(header + "".join(  # recorded 2020-07-20, void
            ",".join([*by_id[e][:4], "2020-07-20", by_id[e][5], "true", *by_id[e][7:]])
            + "\n" for e in gone), encoding="utf-8")
    assert len(invoices[1].corrections) >= 3
    corrected = {(c.customer_id, c.component): c for c in invoices[1].corrections}
    lost_keys = {(ln.customer_id, ln.component) for ln in lost}
    assert lost_keys <= set(corrected)
    assert all("no longer payable" in corrected[k].reason for k in lost_keys)
    # any other correction: a line the lowered contract ceiling cut, paid more now that the
    # lines lost leave it room (whether the ceiling binds by June depends on the draws)
    assert all(c.now > c.invoiced_before and "contract ceiling of 30000.00 reached" in c.reason
               for k, c in corrected.items() if k not in lost_keys)


def _wholly_evidenced(lines: Any, by_id: dict[str, list[str]]) -> list[Any]:
    """The first three lines that are their customer's only line on
    the invoice (no cap shared with another line) and whose customer has no row of the types
    the line cites other than its evidence (voided, nothing is left to earn the line)."""
    rows_of: dict[tuple[str, str], set[str]] = {}
    for event_id, row in by_id.items():
        rows_of.setdefault((row[1], row[2]), set()).add(event_id)
    per_customer = Counter(ln.customer_id for ln in lines)
    whole = [ln for ln in lines if per_customer[ln.customer_id] == 1 and ln.evidence
             and all(e in by_id for e in ln.evidence)
             and all(rows_of[(by_id[e][1], by_id[e][2])] <= set(ln.evidence)
                     for e in ln.evidence)]
    assert len(whole) >= 3, len(whole)
    return whole[:3]


@pytest.mark.parametrize("wanted", [None, ["c0000007", "c0000150"]], ids=["all", "two"])
def test_the_totals_of_a_run_without_outputs_take_the_ceiling_s_cuts(
        cohort: tuple[Path, Path], tmp_path: Path, wanted: list[str] | None) -> None:
    """Invoices write no evaluation: the ceiling's cuts are taken off the totals from the
    compact columns alone, for the customers shown, as the whole evaluation has them."""
    contract, events = cohort
    done = evaluate_streamed(str(contract), [str(events)], AS_OF, spool=str(tmp_path),
                             dialect=PLAIN, jobs=1, wanted=wanted, keep_lines=True)
    assert done is not None and done.ok and done.cuts
    loaded, _ = load_contract(str(contract))
    assert loaded is not None
    whole = evaluate(loaded, read_events([str(events)]).events, AS_OF, wanted)
    assert done.totals == whole.totals
    assert [c.to_dict() for c in done.customers()] == [c.to_dict() for c in whole.customers]


@settings(max_examples=150, deadline=None)
@given(st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20), st.sampled_from(["", "    "]))
def test_customers_are_indented_as_json_indents_them(data: Any, indent: str) -> None:
    # json's bytes, with characters that would act on a terminal written as \\u escapes,
    # further indented (the canonical writer is ``indented`` itself)
    expected = json_escaped(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False))
    assert indented(data, indent) == expected.replace("\n", "\n" + indent)
    assert canonical_json(data) == expected + "\n"


@settings(max_examples=150, deadline=None)
@given(st.recursive(
    st.none() | st.integers() | st.text() | st.sampled_from(["\u202e", "\x1b[31m", "\x85", "é€"]),
    lambda inner: st.lists(inner, max_size=6) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=40), st.sampled_from([1, 3, 4096]))
def test_an_invoice_written_in_pieces_is_the_same_text(data: Any, batch: int) -> None:
    """A first invoice of a large cohort is written to its file as it is made, in batches of
    pieces each escaped on its own: the same text as the whole escaped at once."""
    pieces: list[str] = []
    saved = jsonout._SPILL
    jsonout._SPILL = batch
    try:
        write_canonical(data, pieces.append)
    finally:
        jsonout._SPILL = saved
    assert "".join(pieces) == canonical_json(data)
    assert batch == 4096 or not isinstance(data, list) or len(data) < 2 or len(pieces) > 1


_TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=8) | st.sampled_from(
    ["\u202e", "\x1b[31m", "\x85", "\"\\/", "é€", "=1+1", " -x", "'@a", "\tx", "a,b\n"])
_DAYS = st.dates(date(2019, 1, 1), date(2022, 12, 31))
_AMOUNT = st.decimals(min_value=Decimal("-99999"), max_value=Decimal("99999"), places=2)


@st.composite
def _lines(draw: st.DrawFn) -> Line:
    start = draw(st.none() | _DAYS)
    cap = draw(st.none() | _TEXT)
    return Line(
        component=draw(_TEXT), kind=draw(_TEXT), clause=draw(_TEXT),
        customer_id=draw(_TEXT), segment=draw(st.none() | _TEXT),
        provider=draw(st.none() | _TEXT),
        status=draw(st.sampled_from(["payable", "pending", "not_earned"])),
        occurrence=draw(_TEXT), date=draw(st.none() | _DAYS),
        quantity=draw(st.decimals(allow_nan=False, allow_infinity=False, places=3,
                                  min_value=-1000, max_value=1000)),
        unit_price=draw(_AMOUNT), amount=draw(_AMOUNT), reason=draw(_TEXT),
        evidence=tuple(draw(st.lists(_TEXT, max_size=3))),
        period_start=start, period_end=draw(st.none() | _DAYS) if start else None,
        cap=cap, uncapped=draw(st.none() | _AMOUNT) if cap is not None else None)


@settings(max_examples=200, deadline=None)
@given(_TEXT, st.none() | _TEXT, st.none() | _TEXT, st.lists(_lines(), max_size=3))
def test_a_customer_is_written_field_by_field_as_json_writes_its_dict(
        customer: str, segment: str | None, provider: str | None, lines: list[Line]) -> None:
    # the writers of each format write a customer's fields themselves: the same bytes as
    # its dict through json, for any text (escapes, characters that act on a terminal)
    result = CustomerResult(customer, segment, provider, lines, context=None)  # type: ignore[arg-type]
    data = result.to_dict()
    assert customer_record(result) == jsonl_record("customer", data)
    assert customer_element(result) == "    " + indented(data, "    ")
    # the CSV rows: every cell through safe_cell, as written cell by cell
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for ln in lines:
        writer.writerow([safe_cell(v) for v in (
            ln.customer_id, ln.segment, ln.provider, ln.component, ln.kind, ln.status,
            ln.occurrence, ln.date and ln.date.isoformat(),
            ln.period_start and ln.period_start.isoformat(),
            ln.period_end and ln.period_end.isoformat(), ln.quantity,
            money_text(ln.unit_price), money_text(ln.amount), "EUR",
            money_text(ln.uncapped) if ln.uncapped is not None else None, ln.cap,
            " ".join(ln.evidence), ln.clause, ln.reason)])
    assert csv_rows(lines, "EUR") == out.getvalue()


def test_a_table_of_many_customers_shows_totals_by_segment_provider_and_component(
        cohort: tuple[Path, Path], whole: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Up to the limit every customer's table, as the evaluation made whole prints it (two
    customers asked for); past it (the limit lowered to 150 of 200 customers) the totals
    of each segment, provider and component, and how to get every line."""
    contract, events = cohort
    args = ["evaluate", str(contract), str(events), "--as-of", AS_OF.isoformat(), "--jobs",
            "2"]
    two = ["c0000007", "c0000150"]
    full = runner.invoke(app, [*args, "--customer", two[0], "--customer", two[1]])
    loaded, _ = load_contract(str(contract))
    assert loaded is not None
    printed = io.StringIO()
    print_evaluation(Console(file=printed, width=160, soft_wrap=False, highlight=False),
                     evaluate(loaded, read_events([str(events)]).events, AS_OF, two))
    assert full.exit_code == 0 and full.stdout == printed.getvalue()
    monkeypatch.setattr(evaluation_cli, "TABLE_CUSTOMERS", 150)
    short = runner.invoke(app, args)
    assert short.exit_code == 0
    assert "200 customers are more than 150" in short.stdout
    assert "--format csv, json or jsonl; one customer's: --customer ID" in short.stdout
    assert f"total payable {whole.totals.payable} EUR" in short.stdout
    sums: dict[tuple[str, str, str], list[Any]] = {}
    for line in whole.all_lines():
        row = sums.setdefault((line.segment or "-", line.provider or "-", line.component),
                              [set(), 0, Decimal(0)])
        row[0].add(line.customer_id)
        row[1] += 1
        row[2] += line.amount if line.status == "payable" else 0
    shown = [[cell.strip() for cell in text.split("│")[1:-1]]
             for text in short.stdout.splitlines() if text.startswith("│")]
    assert len(shown) == len(sums) == 18  # 3 segments, 3 managers, 2 components
    for segment, provider, component, customers, count, payable, *_ in shown:
        found = sums[(segment, provider, component)]
        assert (int(customers), int(count), Decimal(payable)) == (len(found[0]), found[1],
                                                                  found[2])


def _spool_records(path: str | None) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    if path is None:
        return out
    with open(path, "rb") as fh:
        while True:
            try:
                out.extend(pickle.load(fh))  # the spool holds batches of customers
            except EOFError:
                return out


def test_the_ceiling_spools_only_the_customers_it_could_cut(cohort: tuple[Path, Path],
                                                              tmp_path: Path) -> None:
    """Written as evaluated; only the customers with a payable or pending amount are kept to
    be written again, and every customer the ceiling cut is among them."""
    contract, events = cohort
    done = evaluate_streamed(str(contract), [str(events)], AS_OF, spool=str(tmp_path),
                             dialect=PLAIN, jobs=1, formats=("jsonl",))
    assert done is not None and done.ok and done.cuts
    assert all(s.lines_file is None for s in done.shards)
    kept = [r for s in done.shards for r in _spool_records(s.cut_file)]
    evaluated = sum(s.customers for s in done.shards)
    assert 0 < len(kept) < evaluated
    for record in kept:
        lines = shard_module.spooled_lines(record[4])
        assert any(ln.status != "not_earned" and ln.amount > 0 for ln in lines)
    out = io.StringIO()
    done.write("jsonl", out)
    cut = {c["customer_id"] for c in map(json.loads, out.getvalue().splitlines())
           if c["record"] == "customer" and any(
               ln["cap"] and "contract ceiling" in ln["cap"]["note"] for ln in c["lines"])}
    assert cut and cut <= {r[0] for r in kept}


def test_under_the_ceiling_nothing_is_written_twice(tmp_path: Path) -> None:
    contract = ROOT / "contracts" / "palvelumanageri.yaml"  # 1,200,000 €: not reached
    events = tmp_path / "events.csv"
    with events.open("w", encoding="utf-8", newline="") as fh:
        api.generate_events(str(contract), fh, customers=40, seed=3)
    done = evaluate_streamed(str(contract), [str(events)], AS_OF, spool=str(tmp_path),
                             dialect=PLAIN, jobs=1, formats=("json",))
    assert done is not None and done.ok and not done.cuts
    assert not any(p.endswith("-cut.part") for s in done.shards for p in s.outputs.values())
    out = io.StringIO()
    done.write("json", out)
    assert out.getvalue() == canonical_json(_whole(contract, events).to_dict())


@pytest.mark.parametrize("late", [False, True])
def test_the_referral_that_decides_the_segment_counts_rows_recorded_after_as_of(
        tmp_path: Path, late: bool) -> None:
    # the segment check reads every referral row, whenever recorded; evaluation reads those
    # known by as_of: a correction recorded later that no segment takes is E014 either way
    recorded = "2021-08-01" if late else "2020-02-01"
    events = tmp_path / "events.csv"
    events.write_text("event_id,customer_id,type,date,recorded,provider,unemployed_since\n"
                      "r1,c1,referral,2020-01-10,,acme,2019-06-01\n"
                      "s1,c1,service_start,2020-01-15,,acme,\n"
                      f"r1,c1,referral,2020-01-10,{recorded},acme,\n"
                      "r2,c2,referral,2020-01-10,,acme,2018-06-01\n", encoding="utf-8")
    contract = ROOT / "tests" / "data" / "minimal.yaml"
    text, done = _streamed(contract, events, "jsonl")
    whole = api.load_inputs(str(contract), [str(events)])
    assert [(p.code, p.source.row) for p in done.problems] == [("E014", 4)]
    assert [str(p) for p in done.problems] == [str(p) for p in whole.problems]
    assert not done.ok and text == ""


_ID_ROWS = st.lists(st.tuples(st.sampled_from(["e1", "e2", "e3", "e4", "e5", "e6"]),
                              st.sampled_from(["contact", "hours"]), st.integers(0, 2)),
                    min_size=1, max_size=10)


@settings(max_examples=200, deadline=None)
@given(_ID_ROWS)
def test_a_shard_checks_a_customers_ids_as_the_reader_does(
        rows: list[tuple[str, str, int]]) -> None:
    """Rows whose id comes once are kept without the checks; the rest are checked as the
    whole-file reader checks them (``E007``, ``E008``): the same rows kept, the same words."""
    lines = ["event_id,customer_id,type,date,recorded,responded,hours"]
    for event_id, kind, day in rows:
        cells = "true," if kind == "contact" else ",2"
        lines.append(f"{event_id},c1,{kind},2020-01-01,2020-01-0{1 + day},{cells}")
    text = "\n".join(lines) + "\n"
    whole = read_text(text, "e.csv")
    every = [e for e, _ in iter_csv(io.StringIO(text), "e.csv") if e is not None]
    kept, problems, ids = shard_module._checked(every, None, None)
    assert kept == whole.events
    assert [str(p) for p in problems] == [str(p) for p in whole.problems]
    assert list(ids) == list(dict.fromkeys(e.event_id for e in whole.events))
