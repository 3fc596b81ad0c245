"""Parquet event files: read as the CSV of the same rows (the same events, the same problems
with the same messages), rows numbered from the first row of data or by ``source_row``, cut
into shards and parts by rows, and written by ``generate -o FILE.parquet``."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import random
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from rewardengine import api
from rewardengine.cli import app
from rewardengine.events import parquet
from rewardengine.events.read import iter_parquet, read_events, read_text
from rewardengine.privacy import PersonalIdWatch
from rewardengine.scale import plan
from rewardengine.scale.plan import plan_parts, plan_shards
from rewardengine.tabular import PLAIN

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2021, 6, 30)
runner = CliRunner()


@pytest.fixture(autouse=True)
def _small_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shards, parts and record batches of a few hundred rows: a small file has many."""
    monkeypatch.setattr(plan, "MIN_SHARD_ROWS", 200)
    monkeypatch.setattr(parquet, "BATCH_ROWS", 100)


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """60 customers of palvelumanageri as CSV, three of them referred twice on the same day
    (warnings located at those rows, V002)."""
    folder = tmp_path_factory.mktemp("parquet")
    contract = ROOT / "contracts" / "palvelumanageri.yaml"
    text = io.StringIO()
    rows, problems = api.generate_events(str(contract), text, customers=60, seed=7)
    assert rows > 800 and not problems
    # the first, middle and last customer referred once (by the rows drawn: the ids named
    # here before included one past the 60 customers, so only two were referred twice)
    referrals = Counter(r["customer_id"] for r in csv.DictReader(io.StringIO(text.getvalue()))
                        if r["type"] == "referral")
    once = [c for c, n in referrals.items() if n == 1]
    assert len(once) >= 3
    twice = tuple(f"{c}-r," for c in (once[0], once[len(once) // 2], once[-1]))
    out = []
    for row in text.getvalue().splitlines(keepends=True):
        out.append(row)
        if row.startswith(twice):
            out.append(row.replace("-r,", "-r9,", 1))
    assert len(out) == len(text.getvalue().splitlines()) + 3
    events = folder / "events.csv"
    events.write_text("".join(out), encoding="utf-8")
    return contract, events


def to_parquet(csv_path: Path, out: Path, source_row: bool = False, group: int = 250) -> Path:
    """A CSV event file as Parquet (typed columns, as ``generate`` writes them), in row
    groups of ``group`` rows; with ``source_row``, the CSV's row numbers kept beside."""
    raw = io.BytesIO()
    with csv_path.open("rb") as fh:
        parquet.write_from_csv(fh, raw)
    table = pq.read_table(io.BytesIO(raw.getvalue()))
    if source_row:
        table = table.append_column("source_row", pa.array(range(2, table.num_rows + 2),
                                                           pa.int64()))
    pq.write_table(table, out, row_group_size=group)
    return out


def _run(contract: Path, events: Path, fmt: str, jobs: int, **kw: Any) -> str:
    out = io.StringIO()
    done = api.evaluate_to(str(contract), [str(events)], AS_OF, out, fmt, jobs=jobs, **kw)
    assert done.ok
    return out.getvalue()


def _table(columns: dict[str, Any], path: Path, group: int | None = None) -> Path:
    pq.write_table(pa.table(columns), path, row_group_size=group)
    return path


def _problems(path: Path) -> list[str]:
    return [str(p) for p in read_events([str(path)]).problems]


# --- the same bytes as the CSV of the same rows ---------------------------------------------

@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv"])
@pytest.mark.parametrize("jobs", [1, 2])
def test_csv_and_parquet_give_the_same_bytes(cohort: tuple[Path, Path], tmp_path: Path,
                                             fmt: str, jobs: int) -> None:
    """With the CSV's row numbers kept (``source_row``), only the file's name differs; the
    Parquet file has four row groups and is read 100 rows at a time, in shards for two
    jobs."""
    contract, events = cohort
    table = to_parquet(events, tmp_path / "events.parquet", source_row=True)
    assert pq.ParquetFile(table).metadata.num_row_groups >= 4
    assert len(plan_shards([str(table)], PLAIN, jobs)) == jobs
    from_csv = _run(contract, events, fmt, jobs)
    from_parquet = _run(contract, table, fmt, jobs)
    assert "V002" in from_csv or fmt == "csv"
    assert from_parquet == from_csv.replace(str(events), str(table))


def test_without_source_row_rows_count_from_the_first_row_of_data(
        cohort: tuple[Path, Path], tmp_path: Path) -> None:
    contract, events = cohort
    table = to_parquet(events, tmp_path / "events.parquet")
    doc = json.loads(_run(contract, events, "json", 1))
    for p in doc["problems"]:  # the CSV's header is its row 1
        p["file"], p["row"] = str(table), p["row"] - 1
    assert json.loads(_run(contract, table, "json", 2)) == doc
    assert doc["problems"]


@pytest.mark.parametrize(("jobs", "fmt"), [(1, "csv"), (2, "jsonl")])
def test_shuffled_rows_give_the_bytes_of_the_shuffled_csv(
        cohort: tuple[Path, Path], tmp_path: Path, jobs: int, fmt: str) -> None:
    """Rows not grouped by customer go through the partition on disk, as CSV's do."""
    contract, events = cohort
    header, *rows = events.read_text(encoding="utf-8").splitlines(keepends=True)
    random.Random(3).shuffle(rows)
    shuffled = tmp_path / "shuffled.csv"
    shuffled.write_text(header + "".join(rows), encoding="utf-8")
    table = to_parquet(shuffled, tmp_path / "shuffled.parquet", source_row=True)
    from_csv = _run(contract, shuffled, fmt, jobs)
    assert _run(contract, table, fmt, jobs) == from_csv.replace(str(shuffled), str(table))
    assert len(plan_parts([str(table)], PLAIN, 2)) == 2


def test_the_dask_run_takes_parquet_shards(cohort: tuple[Path, Path], tmp_path: Path) -> None:
    pytest.importorskip("dask.bag")
    from rewardengine.scale.on_dask import dask_mapper
    contract, events = cohort
    table = to_parquet(events, tmp_path / "events.parquet", source_row=True)
    local = _run(contract, table, "jsonl", 2)
    on_dask = _run(contract, table, "jsonl", 3, mapper=dask_mapper(scheduler="threads"))
    assert on_dask == local


def test_shards_hold_whole_customers(cohort: tuple[Path, Path], tmp_path: Path) -> None:
    _, events = cohort
    table = to_parquet(events, tmp_path / "events.parquet")
    ids = pq.read_table(table, columns=["customer_id"]).column(0).to_pylist()
    shards = plan_shards([str(table)], PLAIN, 5)
    assert len(shards) == 5 and shards[0].start == 0 and shards[-1].end == len(ids)
    for before, after in itertools.pairwise(shards):
        assert before.end == after.start
        assert after.start is not None and ids[after.start] != ids[after.start - 1]


# --- located errors, worded as the CSV's ------------------------------------------------------

ROWS = {"event_id": ["r1", "s1", "h1"], "customer_id": ["c1", "c1", "c1"],
        "type": ["referral", "service_start", "hours"],
        "date": ["2020-02-01", "2020-13-01", "2020-03-01"],
        "provider": ["acme", "acme", None], "hours": [None, None, "1.5"]}


def _csv_problems(columns: dict[str, Any], name: str) -> list[str]:
    """The problems of the CSV of the same rows, as a Parquet file names them (its row 1 is
    the CSV's row 2)."""
    lines = [",".join(columns)]
    for values in zip(*columns.values(), strict=True):
        lines.append(",".join("" if v is None else str(v) for v in values))
    found = read_text("\n".join(lines) + "\n", name).problems
    return [f"{name}:{p.source.row - 1}: {p.code} {p.message}" for p in found]


def test_a_bad_date_in_a_text_column_is_the_csv_s_problem(tmp_path: Path) -> None:
    path = _table(ROWS, tmp_path / "e.parquet")
    found = _problems(path)
    assert found == _csv_problems(ROWS, str(path))
    assert found == [f"{path}:2: E005 field 'date': '2020-13-01' is not a real date (month "
                     "must be in 1..12)"]


def test_a_floating_point_money_column_is_refused_with_one_problem(tmp_path: Path) -> None:
    columns = {**ROWS, "date": ["2020-02-01"] * 3, "amount": pa.array([None, None, 12.5])}
    path = _table(columns, tmp_path / "e.parquet")
    got = read_events([str(path)])
    assert [str(p) for p in got.problems] == [
        f"{path}: E017 column 'amount' holds floating-point numbers (double), which are not "
        "exact; write money, hours and other numbers as decimal128 or as text"]
    assert got.events == []
    hours = {**columns, "amount": [None] * 3, "hours": pa.array([None, None, 1.5], pa.float32())}
    assert _problems(_table(hours, tmp_path / "h.parquet"))[0].endswith(
        "E017 column 'hours' holds floating-point numbers (float), which are not exact; write "
        "money, hours and other numbers as decimal128 or as text")
    days = {**columns, "amount": [None] * 3, "benefit_days": pa.array([None, None, 3.0])}
    assert _problems(_table(days, tmp_path / "d.parquet"))[0].endswith(
        "E017 column 'benefit_days' holds floating-point numbers (double); write whole "
        "numbers as int32 (pandas writes a whole-number column with missing values as "
        "floats: make it Int32)")


def test_a_missing_column_is_the_csv_s_missing_header_field(tmp_path: Path) -> None:
    columns = {k: v for k, v in ROWS.items() if k != "date"}
    path = _table(columns, tmp_path / "e.parquet")
    assert _problems(path) == [f"{path}: E001 missing column 'date'"]
    index = _table({**ROWS, "__index_level_0__": [0, 1, 2]}, tmp_path / "i.parquet")
    assert _problems(index) == [f"{index}: E001 column 7: unknown column '__index_level_0__' "
                                "(the index pandas stores: write the file with "
                                "to_parquet(..., index=False))"]
    unknown = _table({**ROWS, "colour": ["red"] * 3}, tmp_path / "u.parquet")
    assert _problems(unknown) == [f"{unknown}: E001 column 7: unknown column 'colour'"]
    numbered = _table({"source_row": [2, 3, 4], **ROWS, "colour": ["red"] * 3},
                      tmp_path / "n.parquet")  # source_row keeps its place in the count
    assert _problems(numbered) == [f"{numbered}: E001 column 8: unknown column 'colour'"]


def test_a_column_of_a_type_its_field_does_not_take_is_refused(tmp_path: Path) -> None:
    columns = {**ROWS, "date": ["2020-02-01"] * 3, "hours": pa.array([None, None, True])}
    path = _table(columns, tmp_path / "e.parquet")
    assert _problems(path) == [f"{path}: E017 column 'hours' is bool, which is not read for "
                               "this field; write it as text"]
    zoned = {**ROWS, "date": pa.array([dt.datetime(2020, 2, 1)] * 3,
                                      pa.timestamp("ms", tz="Europe/Helsinki"))}
    path = _table(zoned, tmp_path / "z.parquet")
    assert _problems(path) == [f"{path}: E017 column 'date' is timestamp[ms, tz=Europe/Helsinki],"
                               " a time with a time zone; write dates as date32 or as text"]


def test_exact_native_types_are_read_as_their_text(tmp_path: Path) -> None:
    """date32, midnight timestamps, whole numbers, decimals, booleans and dictionaries."""
    columns = {
        "event_id": ["r1", "s1", "h1", "b1"], "customer_id": pa.array([7, 7, 7, 7]),
        "type": pa.array(["referral", "service_start", "hours", "benefit"]).dictionary_encode(),
        "date": pa.array([dt.date(2020, 2, 1), dt.date(2020, 2, 3), dt.date(2020, 3, 1),
                          dt.date(2020, 3, 31)], pa.date32()),
        "recorded": pa.array([None, dt.datetime(2020, 2, 3), None, None], pa.timestamp("ms")),
        "hours": pa.array([None, None, 15, None], pa.int16()),
        "amount": pa.array([None, None, None, Decimal("929.99")], pa.decimal128(12, 2)),
        "days": pa.array([None, None, None, 21], pa.int32()),
        "partial_work_ability": pa.array([True, None, None, None]),
    }
    got = read_events([str(_table(columns, tmp_path / "e.parquet"))])
    assert got.problems == []
    referral, start, hours, benefit = got.events
    assert referral.customer_id == "7" and referral.partial_work_ability is True  # type: ignore[attr-defined]
    assert start.known_on == dt.date(2020, 2, 3)
    assert hours.hours == Decimal("15")  # type: ignore[attr-defined]
    assert benefit.amount == Decimal("929.99") and type(benefit.amount) is Decimal  # type: ignore[attr-defined]
    assert [e.row for e in got.events] == [1, 2, 3, 4]


def test_money_with_three_decimals_and_a_time_of_day_are_the_csv_s_problems(
        tmp_path: Path) -> None:
    columns = {"event_id": ["b1", "b2"], "customer_id": ["c1", "c1"],
               "type": ["benefit", "benefit"],
               "date": pa.array([dt.datetime(2020, 3, 1, 10), dt.datetime(2020, 4, 1)],
                                pa.timestamp("us")),
               "amount": pa.array([Decimal("930.000"), Decimal("930.005")],
                                  pa.decimal128(12, 3))}
    path = _table(columns, tmp_path / "e.parquet")
    as_text = {**columns, "date": ["2020-03-01 10:00:00.000000", "2020-04-01"],
               "amount": ["930.000", "930.005"]}
    found = _problems(path)
    assert found == _csv_problems(as_text, str(path))
    assert [f.split(": ")[0] for f in found] == [f"{path}:1", f"{path}:1", f"{path}:2"]


def test_duplicate_event_ids_across_rows(tmp_path: Path) -> None:
    columns = {"event_id": ["r1", "s1", "s1", "r1"], "customer_id": ["c1", "c1", "c1", "c2"],
               "type": ["referral", "service_start", "service_start", "referral"],
               "date": ["2020-02-01", "2020-02-03", "2020-02-03", "2020-02-05"]}
    path = _table(columns, tmp_path / "e.parquet")
    assert _problems(path) == [
        f"{path}:3: E007 event id 's1' repeats with the same recorded date 2020-02-03 (first "
        f"at {path}:2); a correction needs a later recorded date",
        f"{path}:4: E008 event id 'r1' was first used at {path}:1 for another customer or "
        "event type"]
    numbered = _table({**columns, "source_row": [10, 12, 15, 16]}, tmp_path / "n.parquet")
    assert _problems(numbered) == [
        f"{numbered}:15: E007 event id 's1' repeats with the same recorded date 2020-02-03 "
        f"(first at {numbered}:12); a correction needs a later recorded date",
        f"{numbered}:16: E008 event id 'r1' was first used at {numbered}:10 for another "
        "customer or event type"]


def test_a_text_cell_over_the_limit_and_a_row_of_nulls(tmp_path: Path) -> None:
    columns = {"event_id": ["r1", None, "s1"], "customer_id": ["c1", None, "c1"],
               "type": ["referral", None, "service_end"], "date": ["2020-02-01", None,
                                                                   "2020-02-03"],
               "reason": [None, None, "x" * 10_001]}
    path = _table(columns, tmp_path / "e.parquet")
    assert _problems(path) == [
        f"{path}:3: E010 field 'reason' is longer than 10,000 characters"]
    encoded = {**columns, "reason": pa.array(columns["reason"]).dictionary_encode()}
    path = _table(encoded, tmp_path / "d.parquet")
    assert _problems(path) == [
        f"{path}:3: E010 field 'reason' is longer than 10,000 characters"]


def test_an_empty_file(tmp_path: Path) -> None:
    path = _table({k: pa.array([], pa.string()) for k in ROWS}, tmp_path / "e.parquet")
    assert _problems(path) == [f"{path}:1: E011 the file is empty (no rows)"]


# --- numbering: the first and last rows, batches, row groups, shards, source_row -------------

def _bad_dates(rows: int, bad: list[int]) -> dict[str, Any]:
    """Referrals of one customer each, the dates of rows ``bad`` (from 1) invalid."""
    return {"event_id": [f"r{n}" for n in range(1, rows + 1)],
            "customer_id": [f"c{n}" for n in range(1, rows + 1)],
            "type": ["referral"] * rows,
            "date": ["2020-02-30" if n in bad else "2020-02-01" for n in range(1, rows + 1)]}


def test_rows_are_numbered_across_batches_and_row_groups(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    monkeypatch.setattr(parquet, "BATCH_ROWS", 4)
    path = _table(_bad_dates(23, [1, 4, 5, 9, 10, 23]), tmp_path / "e.parquet", group=5)
    assert [p.source.row for p in read_events([str(path)]).problems] == [1, 4, 5, 9, 10, 23]
    # a range of rows (a shard) numbers its rows where they are in the file
    watch = PersonalIdWatch()
    assert [p.source.row for _, ps in iter_parquet(str(path), 3, 10, watch) for p in ps] \
        == [4, 5, 9, 10]
    assert [e.row for e, _ in iter_parquet(str(path), 9, 12, watch) if e] == [11, 12]


def test_source_row_names_the_producer_s_rows(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parquet, "BATCH_ROWS", 3)
    numbers = [1, 5, 6, 7, 40, 41, 42, 100]
    path = _table({**_bad_dates(8, [1, 5, 8]), "source_row": numbers}, tmp_path / "e.parquet",
                  group=4)
    assert [p.source.row for p in read_events([str(path)]).problems] == [1, 40, 100]
    assert [e.row for e, _ in iter_parquet(str(path), 4, 7, PersonalIdWatch()) if e] \
        == [41, 42]


@pytest.mark.parametrize(("numbers", "why"), [
    ([1, 2, 2, 3], "column 'source_row': row 2 comes after row 2; the producer's row numbers "
                   "must grow down the file"),
    ([3, 2, 4, 5], "column 'source_row': row 2 comes after row 3; the producer's row numbers "
                   "must grow down the file"),
    ([1, 2, None, 5], "column 'source_row': a row without a whole number of at least 1 "
                      "(after row 2)"),
    ([0, 1, 2, 3], "column 'source_row': a row without a whole number of at least 1"),
])
def test_source_row_numbers_that_do_not_grow_stop_the_file(
        tmp_path: Path, numbers: list[int | None], why: str) -> None:
    path = _table({**_bad_dates(4, []), "source_row": pa.array(numbers, pa.int32())},
                  tmp_path / "e.parquet")
    got = read_events([str(path)])
    assert [str(p) for p in got.problems] == [f"{path}: E017 {why}"]
    stop = next(n for n, v in enumerate(numbers) if v is None or v < 1
                or (n and v <= (numbers[n - 1] or 0)))
    assert len(got.events) == stop  # the rows before are read, the rest are not


def test_a_shard_checks_its_first_source_row_against_the_row_before(tmp_path: Path) -> None:
    path = _table({**_bad_dates(6, []), "source_row": [1, 2, 9, 8, 10, 11]},
                  tmp_path / "e.parquet", group=2)
    rows = list(iter_parquet(str(path), 3, 6, PersonalIdWatch()))
    assert [str(p) for _, ps in rows for p in ps] == [
        f"{path}: E017 column 'source_row': row 8 comes after row 9; the producer's row "
        "numbers must grow down the file"]
    text = _table({**_bad_dates(2, []), "source_row": ["1", "2"]}, tmp_path / "t.parquet")
    assert _problems(text) == [f"{text}: E017 column 'source_row' is string; it must hold "
                               "whole numbers (the producer's row numbers)"]


# --- unreadable files: exit 2, never a traceback ---------------------------------------------

def test_a_file_that_is_not_parquet(tmp_path: Path) -> None:
    fake = tmp_path / "e.parquet"
    fake.write_text("event_id,customer_id,type,date\n", encoding="utf-8")
    assert _problems(fake) == [
        f"{fake}: F001 cannot read file: not a Parquet file: it is text (a CSV or JSON Lines "
        "file named .parquet?)"]
    other = tmp_path / "o.parquet"
    other.write_bytes(b"\x00\x01garbage")
    assert _problems(other) == [
        f"{other}: F001 cannot read file: not a Parquet file (Parquet magic bytes not found "
        "in footer. Either the file is corrupted or this is not a parquet file.)"]
    cut = tmp_path / "cut.parquet"  # a Parquet file cut short: damaged, not something else
    cut.write_bytes(_table(ROWS, tmp_path / "whole.parquet").read_bytes()[:300])
    assert _problems(cut) == [
        f"{cut}: F001 cannot read file: a damaged Parquet file (Parquet magic bytes not found "
        "in footer. Either the file is corrupted or this is not a parquet file.)"]
    result = runner.invoke(app, ["evaluate", str(ROOT / "contracts" / "palvelumanageri.yaml"),
                                 str(fake), "--as-of", "2021-06-30"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "not a Parquet file" in result.output
    missing = tmp_path / "missing.parquet"
    assert _problems(missing) == [f"{missing}: F001 cannot read file: No such file or "
                                  "directory"]


def test_a_parquet_file_by_its_magic_bytes(tmp_path: Path) -> None:
    path = _table({**ROWS, "date": ["2020-02-01"] * 3}, tmp_path / "events.dat")
    assert parquet.is_parquet(str(path)) and read_events([str(path)]).problems == []


def test_without_pyarrow_a_parquet_file_says_what_to_install(
        cohort: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    contract, events = cohort
    table = to_parquet(events, tmp_path / "events.parquet")
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)  # import fails
    result = runner.invoke(app, ["evaluate", str(contract), str(table), "--as-of",
                                 "2021-06-30", "--jobs", "2"])
    assert result.exit_code == 2, result.output
    assert "F001 cannot read file: Parquet files need pyarrow: install rewardengine[parquet]" \
        in result.output.replace("\n", " ").replace("  ", " ")
    result = runner.invoke(app, ["generate", str(contract), "-n", "3",
                                 "-o", str(tmp_path / "new.parquet")])
    assert result.exit_code == 2 and "install rewardengine[parquet]" in result.output
    assert not (tmp_path / "new.parquet").exists()


# --- generate -o FILE.parquet -----------------------------------------------------------------

def test_generate_writes_typed_columns_read_as_its_csv(cohort: tuple[Path, Path],
                                                       tmp_path: Path) -> None:
    contract, _ = cohort
    as_csv, as_parquet = tmp_path / "g.csv", tmp_path / "g.parquet"
    for out in (as_csv, as_parquet):
        result = runner.invoke(app, ["generate", str(contract), "-n", "40", "--seed", "3",
                                     "-o", str(out)])
        assert result.exit_code == 0, result.output
    schema = pq.read_schema(as_parquet)
    assert schema.field("date").type == pa.date32()
    assert schema.field("responded").type == pa.bool_()
    assert schema.field("benefit_days").type == pa.int32()
    assert schema.field("amount").type == pa.decimal128(18, 2)
    assert schema.field("hours").type == pa.string()  # its own decimals, as the CSV's
    rows = len(as_csv.read_text(encoding="utf-8").splitlines()) - 1
    assert pq.ParquetFile(as_parquet).metadata.num_rows == rows
    doc = json.loads(_run(contract, as_csv, "json", 1))
    for p in doc["problems"]:
        p["file"], p["row"] = str(as_parquet), p["row"] - 1
    assert json.loads(_run(contract, as_parquet, "json", 1)) == doc


def test_the_dialect_options_leave_a_parquet_file_alone(cohort: tuple[Path, Path],
                                                        tmp_path: Path) -> None:
    """A Parquet file's text is UTF-8 and plain: no note of an encoding, one job or two."""
    contract, events = cohort
    table = to_parquet(events, tmp_path / "events.parquet", source_row=True)
    plain = _run(contract, table, "jsonl", 1)
    for jobs in (1, 2):
        out = io.StringIO()
        done = api.evaluate_to(str(contract), [str(table)], AS_OF, out, "jsonl", jobs=jobs,
                               dialect=api.make_dialect("fi", encoding="cp1252"))
        assert out.getvalue() == plain
        assert not [p for p in done.problems if p.code == "F005"]


# --- pseudonymize ----------------------------------------------------------------------------

KEY = b"k" * 32


def _pseudonymize(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["pseudonymize", *args])
    return result.exit_code, result.stdout + result.stderr


def test_pseudonymized_parquet_evaluates_as_the_pseudonymized_csv(
        cohort: tuple[Path, Path], tmp_path: Path) -> None:
    """Only the customer column changes (to the pseudonyms the CSV gets), and the event ids
    built from customer ids (the customer id inside them, as in the CSV), every other column
    and the row groups as they were: both evaluate to the same bytes."""
    from rewardengine.privacy import pseudonym, replace_token
    contract, events = cohort
    table = to_parquet(events, tmp_path / "events.parquet", source_row=True)
    key = tmp_path / "key"
    key.write_bytes(KEY)
    out_csv, out_parquet = tmp_path / "p.csv", tmp_path / "p.parquet"
    for source, out in ((events, out_csv), (table, out_parquet)):
        code, said = _pseudonymize(str(source), "--key-file", str(key), "-o", str(out))
        assert code == 0, said
    before, after = pq.read_table(table), pq.read_table(out_parquet)
    assert after.column_names == before.column_names
    assert after.drop(["customer_id", "event_id"]).equals(
        before.drop(["customer_id", "event_id"]))
    assert after.column("customer_id").to_pylist() == [
        pseudonym(KEY, c) for c in before.column("customer_id").to_pylist()]
    ids = zip(before.column("event_id").to_pylist(), before.column("customer_id").to_pylist(),
              strict=True)
    assert after.column("event_id").to_pylist() == [
        replace_token(e, c, pseudonym(KEY, c))[0] for e, c in ids]
    assert any(c in e for e, c in zip(before.column("event_id").to_pylist(),
                                      before.column("customer_id").to_pylist(), strict=True))
    assert pq.ParquetFile(out_parquet).metadata.num_row_groups == \
        pq.ParquetFile(table).metadata.num_row_groups
    assert _run(contract, out_parquet, "jsonl", 2) == _run(
        contract, out_csv, "jsonl", 1).replace(str(out_csv), str(out_parquet))


def test_check_says_of_parquet_what_it_says_of_the_csv_of_the_same_rows(tmp_path: Path
                                                                       ) -> None:
    """The same warnings, counts and first rows (one lower: a Parquet file has no header
    row), and never an id."""
    import re

    from test_privacy import HETU_ROWS
    events = tmp_path / "events.csv"
    events.write_text(HETU_ROWS + "r4,matti@example.fi,referral,2020-01-10\n", encoding="utf-8")
    table = to_parquet(events, tmp_path / "events.parquet")
    code, from_csv = _pseudonymize("--check", str(events))
    assert code == 1 and "E015 warning" in from_csv and "E016 warning" in from_csv
    code, from_parquet = _pseudonymize("--check", str(table))
    lower = re.sub(r"(:|row )(\d+)", lambda m: f"{m[1]}{int(m[2]) - 1}",
                   from_csv.replace(str(events), "FILE"))
    assert (code, from_parquet.replace(str(table), "FILE")) == (1, lower)
    assert "131052-308T" not in from_parquet and "matti" not in from_parquet


def test_a_dictionary_encoded_customer_column_is_pseudonymized_and_checked(tmp_path: Path
                                                                          ) -> None:
    """A customer column stored as a dictionary (pandas' categorical) is read by row group
    as a chunked column: --check and the rewrite take it as text, as the reader does."""
    from rewardengine.privacy import pseudonym
    ids = ["131052-308T", "c2", "131052-308T"]
    path = _table({"event_id": ["r1", "r2", "s1"],
                   "customer_id": pa.array(ids).dictionary_encode(),
                   "type": ["referral", "referral", "service_start"],
                   "date": ["2020-01-07", "2020-01-07", "2020-01-13"]},
                  tmp_path / "e.parquet", group=2)
    code, said = _pseudonymize("--check", str(path))
    assert code == 1 and "E015 warning: 1 customer id looks like" in said, said
    assert "131052-308T" not in said
    key = tmp_path / "key"
    key.write_bytes(KEY)
    out = tmp_path / "out.parquet"
    code, said = _pseudonymize(str(path), "--key-file", str(key), "-o", str(out))
    assert code == 0, said
    after = pq.read_table(out)
    assert after.column("customer_id").to_pylist() == [pseudonym(KEY, c) for c in ids]
    assert after.drop(["customer_id"]).equals(pq.read_table(path).drop(["customer_id"]))


def test_pseudonymize_refuses_parquet_without_a_customer_column(tmp_path: Path) -> None:
    path = _table({"event_id": ["e1"], "person": ["c1"]}, tmp_path / "e.parquet")
    key = tmp_path / "key"
    key.write_bytes(KEY)
    out = tmp_path / "out.parquet"
    code, said = _pseudonymize(str(path), "--key-file", str(key), "-o", str(out))
    assert code == 1, said
    assert f"{path}: E001 no customer column (looked for customer_id, customer)" in said
    assert "nothing was written" in said and not out.exists()
    not_parquet = tmp_path / "x.parquet"
    not_parquet.write_text("event_id,customer_id\n", encoding="utf-8")
    code, said = _pseudonymize("--check", str(not_parquet))
    assert code == 2 and f"{not_parquet}: F001 cannot read file: not a Parquet file" in said


def test_columns_named_alike_are_the_header_s_problems_not_a_crash(tmp_path: Path) -> None:
    """Parquet allows two columns of one name; the reader and pseudonymize take them by
    position and say so (found by the fuzz: it was an internal error)."""
    path = tmp_path / "dup.parquet"
    pq.write_table(pa.Table.from_arrays(
        [pa.array(["e1", "e2"]), pa.array(["c1", "131052-308T"]), pa.array([2, 3]),
         pa.array(["referral"] * 2), pa.array(["c9", "c9"]), pa.array([2, 3])],
        names=["event_id", "customer_id", "source_row", "type", "customer_id",
               "source_row"]), path)
    assert _problems(path) == [
        f"{path}: E001 column 5: duplicate column 'customer_id'",
        f"{path}: E001 missing column 'date'",
        f"{path}: E017 column 'source_row' appears 2 times"]
    code, said = _pseudonymize("--check", str(path))  # one pseudonymized, one raw: refused
    assert code == 1
    assert f"{path}: E001 2 columns may hold customer ids (columns 2, 5): pseudonymizing " \
           "one would leave the others' ids as they are; keep one" in said
    text_rows = _table({"event_id": ["e1", "e2"], "customer_id": ["c1", "131052-308T"],
                        "source_row": ["x", "y"]}, tmp_path / "t.parquet")
    code, said = _pseudonymize("--check", str(text_rows))
    assert code == 1 and f"{text_rows}:2: E015 warning" in said


# --- a file that stops part-way: the same problems for any --jobs ----------------------------

def _stopping(cohort: tuple[Path, Path], tmp_path: Path, how: str) -> Path:
    """The cohort as Parquet (row groups of 250 rows) that stops being readable at row 501
    (``how``: text that is not UTF-8, a damaged page, source_row going back), with a bad
    row after it that the reader never reaches."""
    _, events = cohort
    table = pq.read_table(to_parquet(events, tmp_path / "good.parquet"))
    types = table.column("type").to_pylist()
    types[700] = "bogus"
    table = table.set_column(table.schema.get_field_index("type"), "type",
                             pa.array(types, pa.string()))
    if how == "not utf-8":
        providers = [(v or "").encode() for v in table.column("provider").to_pylist()]
        providers[500] = b"ab\xff\xfe"
        table = table.set_column(table.schema.get_field_index("provider"), "provider",
                                 pa.array(providers, pa.binary()).view(pa.string()))
    if how == "source_row":
        numbers = list(range(1, table.num_rows + 1))
        numbers[500] = 3
        table = table.append_column("source_row", pa.array(numbers, pa.int64()))
    path = tmp_path / "stops.parquet"
    pq.write_table(table, path, row_group_size=250)
    if how == "damaged page":  # row group 2 (rows 501-750): its first column's page header
        offset = pq.ParquetFile(path).metadata.row_group(2).column(0).data_page_offset
        data = bytearray(path.read_bytes())
        data[offset:offset + 16] = b"\x0f" * 16
        path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize(("how", "expected"), [
    ("not utf-8", ":501: F003 column 'provider' holds text that is not UTF-8"),
    ("damaged page", ": F001 cannot read file: a damaged Parquet file: row group 3 of "),
    ("source_row", ": E017 column 'source_row': row 3 comes after row 500; the producer's "
                   "row numbers must grow down the file"),
])
def test_a_file_that_stops_part_way_says_the_same_for_any_jobs(
        cohort: tuple[Path, Path], tmp_path: Path, how: str, expected: str) -> None:
    contract, _ = cohort
    path = _stopping(cohort, tmp_path, how)
    whole = [str(p) for p in api.load_inputs(str(contract), [str(path)]).problems]
    assert any(p.startswith(f"{path}{expected}") for p in whole), whole
    assert not any("bogus" in p for p in whole)  # never reached
    if how == "damaged page":  # where, counted from the first row of data
        assert any(", rows 501-750 (" in p for p in whole), whole
    for jobs in (1, 2, 3):
        done = api.evaluate_to(str(contract), [str(path)], AS_OF, io.StringIO(), "jsonl",
                               jobs=jobs)
        assert [str(p) for p in done.problems] == whole, jobs
    result = runner.invoke(app, ["evaluate", str(contract), str(path), "--as-of",
                                 AS_OF.isoformat(), "--jobs", "2"])
    assert result.exit_code == (1 if how == "source_row" else 2), result.output
    if how == "not utf-8":
        code, said = _pseudonymize(str(path), "--key-file", str(_key(tmp_path)), "-o",
                                   str(tmp_path / "out.parquet"))
        # it reads the customer column alone and copies the others as they are
        assert code == 0 and (tmp_path / "out.parquet").exists(), said


def _key(tmp_path: Path) -> Path:
    key = tmp_path / "key"
    key.write_bytes(KEY)
    return key


def test_pseudonymize_refuses_customer_ids_that_are_not_text(tmp_path: Path) -> None:
    ids = pa.array([b"c1", b"c2\xff", b"c3"], pa.binary()).view(pa.string())
    path = tmp_path / "e.parquet"
    pq.write_table(pa.table({"event_id": ["e1", "e2", "e3"], "customer_id": ids}), path,
                   compression="zstd")
    code, said = _pseudonymize(str(path), "--key-file", str(_key(tmp_path)), "-o",
                               str(tmp_path / "out.parquet"))
    assert code == 2 and not (tmp_path / "out.parquet").exists()
    assert f"{path}:2: F003 column 'customer_id' holds text that is not UTF-8" in said
    good = _table({"event_id": ["e1", "e2", "e3"], "customer_id": ["c1", None, " "]},
                  tmp_path / "g.parquet")
    pq.write_table(pq.read_table(good), good, compression="zstd", row_group_size=2)
    out = tmp_path / "g-out.parquet"
    assert _pseudonymize(str(good), "--key-file", str(_key(tmp_path)), "-o", str(out))[0] == 0
    from rewardengine.privacy import pseudonym
    assert pq.read_table(out).column("customer_id").to_pylist() == [
        pseudonym(KEY, "c1"), None, " "]  # a null and a blank stay as they were
    written = pq.ParquetFile(out).metadata  # the codec and the row groups kept
    assert written.num_row_groups == 2 and written.row_group(0).column(0).compression == "ZSTD"


def test_a_parquet_file_given_as_the_contract_is_named(tmp_path: Path) -> None:
    events = _table(ROWS, tmp_path / "e.parquet")
    result = runner.invoke(app, ["validate", str(events)])  # the contract left out
    assert result.exit_code == 2
    assert "e.parquet looks like an event file (its name): give the contract (YAML) first" \
        in " ".join(result.output.replace("│", " ").split())
