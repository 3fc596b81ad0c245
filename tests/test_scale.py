"""Evaluation in shards: the same bytes for --jobs 1 and 2, for any number of shards, for
input in any row order, and as the evaluation made whole in memory; the contract ceiling's
cuts across shards; invoices and bill checks alike; the Dask run alike (when installed)."""

from __future__ import annotations

import io
import json
import random
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from rewardengine import api
from rewardengine.cli import app
from rewardengine.engine import evaluate
from rewardengine.events.read import read_events
from rewardengine.jsonout import canonical_json
from rewardengine.pipeline import load_contract
from rewardengine.scale import plan
from rewardengine.scale.plan import plan_shards
from rewardengine.tabular import PLAIN

ROOT = Path(__file__).resolve().parent.parent
AS_OF = date(2021, 6, 30)
runner = CliRunner()


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """200 customers of palvelumanageri with its ceiling lowered to 30,000 € so that it
    cuts lines of many customers in several shards."""
    folder = tmp_path_factory.mktemp("scale")
    text = (ROOT / "contracts" / "palvelumanageri.yaml").read_text(encoding="utf-8")
    contract = folder / "palvelumanageri.yaml"
    contract.write_text(text.replace("contract_total: 1200000.00", "contract_total: 30000.00"),
                        encoding="utf-8")
    events = folder / "events.csv"
    with events.open("w", encoding="utf-8", newline="") as fh:
        rows, problems = api.generate_events(str(contract), fh, customers=200, seed=11)
    assert rows > 2500 and not problems
    return contract, events


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
                                                     tmp_path: Path) -> None:
    contract, events = cohort
    text = events.read_text(encoding="utf-8")
    bad = tmp_path / "events.csv"
    bad.write_text(text.replace("c0000190-s,c0000190,service_start,",
                                "c0000190-s,c0000190,service_strat,"), encoding="utf-8")
    out, done = _streamed(contract, bad, jobs=2)
    assert not done.ok and out == ""
    assert [p.code for p in done.problems if p.severity.value == "error"] == ["E002"]
    whole = api.load_inputs(str(contract), [str(bad)])
    assert [str(p) for p in done.problems] == [str(p) for p in whole.problems]


def test_an_event_id_of_two_customers_in_two_shards_is_found(cohort: tuple[Path, Path],
                                                            tmp_path: Path) -> None:
    contract, events = cohort
    text = events.read_text(encoding="utf-8")
    bad = tmp_path / "events.csv"
    bad.write_text(text.replace("c0000190-s,", "c0000001-s,"), encoding="utf-8")
    _, done = _streamed(contract, bad, jobs=2)
    assert "E008" in {p.code for p in done.problems}
    whole = api.load_inputs(str(contract), [str(bad)])
    assert [str(p) for p in done.problems] == [str(p) for p in whole.problems]


def test_the_cli_writes_the_same_bytes_for_any_jobs(cohort: tuple[Path, Path]) -> None:
    contract, events = cohort
    outs = [runner.invoke(app, ["evaluate", str(contract), str(events), "--as-of",
                                AS_OF.isoformat(), "--format", "jsonl", "--jobs", j])
            for j in ("1", "2")]
    assert outs[0].exit_code == 0 and outs[0].stdout == outs[1].stdout
    records = [json.loads(line)["record"] for line in outs[0].stdout.splitlines()]
    assert records[0] == "evaluation" and records[-1] == "totals"
    assert records.count("customer") == 200


def test_invoices_and_bill_checks_are_the_same_for_any_jobs(cohort: tuple[Path, Path],
                                                            tmp_path: Path) -> None:
    contract, events = cohort
    docs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"invoice-{jobs}.json"
        result = runner.invoke(app, [
            "invoice", str(contract), str(events), "--period", "2020-06", "--provider",
            "manager_a", "--ledger", str(tmp_path / f"ledger-{jobs}.sqlite"), "-o", str(out),
            "--jobs", jobs])
        assert result.exit_code == 0, result.output
        docs.append(out.read_text(encoding="utf-8"))
    assert docs[0] == docs[1]
    assert len(json.loads(docs[0])["sections"][0]["lines"]) > 3
    bill = tmp_path / "bill.csv"
    made = runner.invoke(app, [
        "invoice", str(contract), str(events), "--period", "2020-07", "--provider",
        "manager_a", "--ledger", str(tmp_path / "provider.sqlite"), "--format", "csv",
        "-o", str(bill), "--dry-run"])
    assert made.exit_code == 0, made.output
    checked = runner.invoke(app, [
        "verify", str(contract), str(events), str(bill), "--period", "2020-07",
        "--provider", "manager_a", "--ledger", str(tmp_path / "none.sqlite"), "--jobs", "2"])
    assert checked.exit_code == 0, checked.output


def test_the_dask_run_gives_the_same_bytes(cohort: tuple[Path, Path]) -> None:
    pytest.importorskip("dask.bag")
    from rewardengine.scale.on_dask import dask_mapper
    contract, events = cohort
    local, _ = _streamed(contract, events, jobs=2)
    out = io.StringIO()
    done = api.evaluate_to(str(contract), [str(events)], AS_OF, out, "json", jobs=3,
                           mapper=dask_mapper(scheduler="processes", workers=2))
    assert done.ok and out.getvalue() == local
