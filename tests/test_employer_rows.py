"""V008: employment rows naming no employer, under a contract that tells employers apart.

AVGS keeps out a job with an earlier employer and joins only one employer's jobs; data
without the employer column evaluates (a job naming none is a relationship of its own),
but a bill recomputed from it can pay what the rule refuses: `validate`, `evaluate`,
`explain` and `invoice` say so, once for the whole input, the same for any `--jobs`, shard
count and row order.
"""

from __future__ import annotations

import csv
import io
import json
import random
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rewardengine import api
from rewardengine.cli import app
from rewardengine.engine import evaluate
from rewardengine.events.read import read_events
from rewardengine.invoicing.periods import BillingPeriod
from rewardengine.pipeline import load_contract
from rewardengine.scale import plan

ROOT = Path(__file__).resolve().parent.parent
AVGS = ROOT / "contracts" / "avgs_placement_voucher.yaml"
AVGS_EVENTS = ROOT / "examples" / "avgs_placement_voucher" / "events.csv"
TEHOSTETTU = ROOT / "contracts" / "tehostettu_tyonvalitys.yaml"
AS_OF = date(2015, 12, 31)

RULES = ("(placement_fee: work.one_employer, work.exclude_earlier_employer): a job naming "
         "none is an employment relationship of its own, so it never joins another job with "
         "its employer into one spell; it is never kept out as work for an earlier employer")


def _rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return path


def _unnamed(rows: list[list[str]], every: int) -> list[list[str]]:
    """The rows with the employer left out of every ``every``-th employment row (the first
    among them)."""
    head = rows[0]
    kind, employer = head.index("type"), head.index("employer")
    out, seen = [head], 0
    for row in rows[1:]:
        row = list(row)
        if row[kind] == "employment":
            if seen % every == 0:
                row[employer] = ""
            seen += 1
        out.append(row)
    return out


def _problems(contract: Path, events: Path) -> list[tuple[str, str, int | None]]:
    loaded, _ = load_contract(str(contract))
    assert loaded is not None
    ev = evaluate(loaded, read_events([str(events)]).events, AS_OF)
    return [(p.code, p.message, p.source.row) for p in ev.problems if p.code == "V008"]


def test_every_row_naming_none_is_counted_and_said_at_the_first(tmp_path: Path) -> None:
    rows = _rows(AVGS_EVENTS)
    head = rows[0]
    employer = head.index("employer")
    jobs = [n for n, r in enumerate(rows) if r[head.index("type")] == "employment"]
    events = _write(tmp_path / "events.csv", [r[:employer] + r[employer + 1:] for r in rows])
    found = _problems(AVGS, events)
    # the row numbers of a file count its header as row 1
    assert found == [("V008", f"{len(jobs)} of {len(jobs)} employment rows name no employer, "
                      f"and the contract tells employers apart {RULES}", jobs[0] + 1)]


def test_some_rows_naming_none(tmp_path: Path) -> None:
    rows = _unnamed(_rows(AVGS_EVENTS), 3)
    events = _write(tmp_path / "events.csv", rows)
    employment = sum(r[2] == "employment" for r in rows[1:])
    unnamed = -(-employment // 3)
    [(_, message, row)] = _problems(AVGS, events)
    assert message.startswith(f"{unnamed} of {employment} employment rows name no employer")
    first = next(n for n, r in enumerate(rows) if r[2] == "employment")
    assert row == first + 1


def test_one_row_naming_none_is_said_in_the_singular(tmp_path: Path) -> None:
    rows = _rows(AVGS_EVENTS)
    employer = rows[0].index("employer")
    last = max(n for n, r in enumerate(rows) if r[2] == "employment")
    rows[last][employer] = ""
    [(_, message, row)] = _problems(AVGS, _write(tmp_path / "events.csv", rows))
    assert message.startswith("1 of 12 employment rows names no employer, and")
    assert row == last + 1


def test_no_warning_when_every_job_names_its_employer() -> None:
    assert _problems(AVGS, AVGS_EVENTS) == []


def test_no_warning_for_a_contract_that_does_not_tell_employers_apart() -> None:
    # tehostettu's example names no employer, and none of its rules asks for one
    events = ROOT / "examples" / "tehostettu_tyonvalitys" / "events.csv"
    assert "employer" not in _rows(events)[0]
    loaded, _ = load_contract(str(TEHOSTETTU))
    assert loaded is not None
    ev = evaluate(loaded, read_events([str(events)]).events, date(2021, 6, 30))
    assert [p for p in ev.problems if p.code == "V008"] == []


def test_another_employer_each_time_is_named(tmp_path: Path) -> None:
    contract = tmp_path / "c.yaml"
    contract.write_text(INLINE, encoding="utf-8")
    events = _write(tmp_path / "e.csv", [
        ["event_id", "customer_id", "type", "date", "end", "kind", "evidence",
         "hours_per_week", "employer"],
        ["s1", "c1", "service_start", "2020-01-06", "", "", "", "", ""],
        ["j1", "c1", "employment", "2020-02-03", "2020-06-30", "open", "register", "37.5",
         "E-1"],
        ["j2", "c1", "employment", "2020-08-03", "", "open", "register", "37.5", ""],
    ])
    [(_, message, row)] = _problems(contract, events)
    assert message == ("1 of 2 employment rows names no employer, and the contract tells "
                       "employers apart (outcome: work.one_employer, "
                       "another_employer_each_time): a job naming none is an employment "
                       "relationship of its own, so it never joins another job with its "
                       "employer into one spell; it always counts as another employer than "
                       "the one paid before")
    assert row == 4


INLINE = """\
metadata:
  id: each_time
  title: an outcome paid again for each new employer
  version: "1"
  buyer: b
  providers: [{id: p, name: P}]
  valid_from: 2020-01-01
  valid_until: 2021-12-31
windows:
  service: {starts_at: service_start, max_length: 12 months}
  follow_up: 12 months
components:
  - id: outcome
    kind: employment_outcome
    amount: 1000.00
    min_duration: 30 days
    max_times: 3
    another_employer_each_time: true
    work: {one_employer: true}
"""


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """600 generated AVGS customers (their jobs name employers), every fifth job's employer
    left out, and the same rows shuffled."""
    folder = tmp_path_factory.mktemp("avgs")
    out = io.StringIO()
    written, problems = api.generate_events(str(AVGS), out, customers=600, seed=11)
    assert written and not [p for p in problems if p.severity.value == "error"]
    rows = _unnamed(list(csv.reader(io.StringIO(out.getvalue()))), 5)
    events = _write(folder / "events.csv", rows)
    shuffled = [rows[0], *random.Random(3).sample(rows[1:], len(rows) - 1)]
    return events, _write(folder / "shuffled.csv", shuffled)


def _evaluated(events: Path, jobs: int) -> tuple[str, api.EvaluationRun]:
    out = io.StringIO()
    done = api.evaluate_to(str(AVGS), [str(events)], AS_OF, out, "json", jobs=jobs)
    return out.getvalue(), done


def test_the_same_for_any_jobs_shards_and_row_order(
        cohort: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    events, shuffled = cohort
    one, done = _evaluated(events, 1)
    monkeypatch.setattr(plan, "MIN_SHARD_BYTES", 10_000)  # several shards of this file
    two, _ = _evaluated(events, 2)
    assert len(plan.plan_shards([str(events)], api.PLAIN, 2)) == 2
    assert two == one
    found = [p for p in json.loads(one)["problems"] if p["code"] == "V008"]
    rows = _rows(events)
    employment = [n for n, r in enumerate(rows) if r[2] == "employment"]
    assert [(p["message"].split(",")[0], p["row"]) for p in found] == [
        (f"{-(-len(employment) // 5)} of {len(employment)} employment rows name no employer",
         employment[0] + 1)]
    assert next(p for p in done.customer_problems if p.code == "V008").message == \
        found[0]["message"]
    # the shuffled rows: the same count, at the first such row of that file
    again = [p for p in json.loads(_evaluated(shuffled, 2)[0])["problems"]
             if p["code"] == "V008"]
    moved = _rows(shuffled)
    first = next(n for n, r in enumerate(moved) if r[2] == "employment" and not r[-1])
    assert [(p["message"], p["row"]) for p in again] == [(found[0]["message"], first + 1)]


def test_validate_says_it_streamed_and_in_memory_alike(cohort: tuple[Path, Path],
                                                       monkeypatch: pytest.MonkeyPatch
                                                       ) -> None:
    events, _ = cohort
    whole = api.load_inputs(str(AVGS), [str(events)], with_lint=True)
    monkeypatch.setattr(plan, "MIN_SHARD_BYTES", 10_000)
    streamed = api.validate_inputs(str(AVGS), [str(events)], jobs=2)
    assert streamed.problems == whole.problems
    assert [p.code for p in streamed.problems if p.code == "V008"] == ["V008"]


def test_the_command_line_warns_and_strict_refuses(tmp_path: Path) -> None:
    rows = _unnamed(_rows(AVGS_EVENTS), 1)
    events = _write(tmp_path / "events.csv", rows)
    runner = CliRunner()
    done = runner.invoke(app, ["validate", str(AVGS), str(events)])
    assert done.exit_code == 0
    assert "V008 warning: 12 of 12 employment rows name no employer" in done.output
    strict = runner.invoke(app, ["validate", str(AVGS), str(events), "--strict"])
    assert strict.exit_code == 1
    clean = runner.invoke(app, ["validate", str(AVGS), str(AVGS_EVENTS)])
    assert clean.exit_code == 0
    assert "V008" not in clean.output


def test_an_invoice_lists_it(tmp_path: Path) -> None:
    events = _write(tmp_path / "events.csv", _unnamed(_rows(AVGS_EVENTS), 2))
    period = BillingPeriod("2014-09", date(2014, 9, 1), date(2014, 10, 1))
    issued, inputs = api.issue_invoice(str(AVGS), [str(events)], period,
                                       ledger_path=str(tmp_path / "ledger.sqlite"),
                                       dry_run=True, new_ledger=True)
    assert issued is not None, inputs.problems
    assert [p.code for p in issued.invoice.problems] == ["V008"]
