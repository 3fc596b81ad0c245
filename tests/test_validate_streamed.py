"""``validate`` with event files reads them in shards of whole customers and never holds
them (it held every event: 1.7 GB for 100,000 customers). What it says is what the reading
in memory (``load_inputs(..., with_lint=True)``) says, in the same order, for any
``--jobs``, any row order and any number of files: row problems, lint findings, the checks
not made, and the customers no evaluation could evaluate (``V001``, only when nothing else
is an error)."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest
from pipe_cases import fed_pipe
from typer.testing import CliRunner

from rewardengine import api
from rewardengine.cli import app
from rewardengine.jsonout import canonical_json
from rewardengine.scale import plan

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


@pytest.fixture(autouse=True)
def _small_shards(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plan, "MIN_SHARD_BYTES", 10_000)  # several shards of a small file


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, list[str]]:
    """palvelumanageri (three providers, three segments) and 150 generated customers: the
    contract, the header and the rows (sorted by customer)."""
    folder = tmp_path_factory.mktemp("validate")
    contract = ROOT / "contracts" / "palvelumanageri.yaml"
    events = folder / "events.csv"
    with events.open("w", encoding="utf-8", newline="") as fh:
        _, problems = api.generate_events(str(contract), fh, customers=150, seed=11)
    assert not problems
    header, *rows = events.read_text(encoding="utf-8").splitlines(keepends=True)
    return contract, header, rows


def _said(inputs: api.Inputs) -> tuple[list[str], list[str]]:
    return [str(p) for p in inputs.problems], [str(p) for p in inputs.skipped]


def _same(contract: Path, paths: list[Path], jobs: tuple[int, ...] = (1, 2, 3)
          ) -> tuple[list[str], list[str]]:
    """What validate says of ``paths``, asserted the same as the reading in memory for
    each of ``jobs``."""
    names = [str(p) for p in paths]
    whole = _said(api.load_inputs(str(contract), names, with_lint=True))
    for n in jobs:
        streamed = api.validate_inputs(str(contract), names, jobs=n)
        assert _said(streamed) == whole, n
        # never held (a contract with errors: read the usual way, as evaluate does)
        assert streamed.events.events == [] or streamed.contract is None
    return whole


def _customers(rows: list[str]) -> list[str]:
    return list(dict.fromkeys(r.split(",", 2)[1] for r in rows))


def _write(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text(header + "".join(rows), encoding="utf-8")
    return path


@pytest.mark.parametrize("example", sorted(p.name for p in (ROOT / "examples").iterdir()
                                           if (p / "events.csv").exists()))
def test_every_bundled_example_is_validated_as_in_memory(example: str) -> None:
    contract = ROOT / "contracts" / f"{example}.yaml"
    problems, _ = _same(contract, [ROOT / "examples" / example / "events.csv"], jobs=(1,))
    assert not any(": E" in p or ": V" in p for p in problems), problems


def test_row_errors_are_the_same_for_any_jobs_order_and_files(
        cohort: tuple[Path, str, list[str]], tmp_path: Path) -> None:
    """A misspelt type (E002), a date that is no date, an event id of two customers far
    apart (E008), an unknown provider (E013): the same problems, in the same order, from
    one sorted file, the rows shuffled, and the rows split over two files."""
    contract, header, rows = cohort
    ids = _customers(rows)
    started = [c for c in ids if any(r.startswith(f"{c}-s,") for r in rows)]
    first, last = started[1], started[-2]
    bad = []
    for row in rows:
        if row.startswith(f"{last}-s,"):
            row = row.replace(f"{last}-s,", f"{first}-s,")
        elif row.startswith(f"{ids[40]}-r,"):
            row = row.replace(",referral,", ",referal,")
        elif row.startswith(f"{ids[80]}-s,"):
            row = row.replace(",manager_", ",nobody_")
        elif row.startswith(f"{ids[100]}-r,"):
            row = row.replace(",20", ",30", 1)  # a date the calendar lacks
        bad.append(row)
    sorted_file = _write(tmp_path / "sorted.csv", header, bad)
    problems, _ = _same(contract, [sorted_file])
    assert {"E002", "E008", "E013"} <= {p.split(": ")[1].split()[0] for p in problems}
    assert not any(": V001 " in p for p in problems)  # rows with errors: none evaluated
    random.Random(5).shuffle(bad)
    assert _same(contract, [_write(tmp_path / "shuffled.csv", header, bad)])[0] != problems
    one, two = (_write(tmp_path / f"{n}.csv", header, bad[n::2]) for n in (0, 1))
    _same(contract, [one, two], jobs=(1, 2))


def test_customers_no_evaluation_could_evaluate_are_told_from_every_shard(
        cohort: tuple[Path, str, list[str]], tmp_path: Path) -> None:
    """Without their referral (the contract has segments) or with no provider named on it
    or the service start (it has three), customers early, in the middle and last of the
    file cannot be evaluated (V001): told of each, in file and row order, as in memory;
    one row error more and none is told (nothing is evaluated from rows with errors)."""
    contract, header, rows = cohort
    ids = _customers(rows)
    gone = {f"{ids[2]}-r,", f"{ids[75]}-r,", f"{ids[-1]}-r,"}
    kept = [r for r in rows if not any(r.startswith(g) for g in gone)]
    unnamed = [r.replace(",manager_a,", ",,").replace(",manager_b,", ",,")
               .replace(",manager_c,", ",,") if r.startswith(f"{ids[120]}-") else r
               for r in kept]
    path = _write(tmp_path / "events.csv", header, unnamed)
    problems, _ = _same(contract, [path])
    v001 = [p for p in problems if ": V001 " in p]
    assert len(v001) >= 3 and all("no referral" in p for p in v001[:2]), problems
    assert v001 == sorted(v001, key=lambda p: int(p.split(":")[1]))
    random.Random(2).shuffle(unnamed)
    _same(contract, [_write(tmp_path / "shuffled.csv", header, unnamed)], jobs=(2,))
    broken = [unnamed[0].replace(",20", ",x20", 1), *unnamed[1:]]
    problems, _ = _same(contract, [_write(tmp_path / "broken.csv", header, broken)],
                        jobs=(1, 2))
    assert problems and not any(": V001 " in p for p in problems)


def test_a_contract_with_errors_has_its_events_read_the_usual_way(
        cohort: tuple[Path, str, list[str]], tmp_path: Path) -> None:
    contract, header, rows = cohort
    broken = tmp_path / "contract.yaml"
    broken.write_text(contract.read_text(encoding="utf-8").replace(
        "contract_total: 1200000.00", "contract_total: lots"), encoding="utf-8")
    bad = [rows[0].replace(",20", ",x20", 1), *rows[1:]]
    problems, skipped = _same(broken, [_write(tmp_path / "events.csv", header, bad)],
                              jobs=(1, 2))
    assert any(": C1" in p for p in problems) and any(": E" in p for p in problems)
    assert skipped


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
@pytest.mark.parametrize("contract_text", ["as it is", "broken"])
def test_events_on_a_pipe_are_read_once_and_told_at_their_name(
        cohort: tuple[Path, str, list[str]], tmp_path: Path, contract_text: str) -> None:
    contract, header, rows = cohort
    if contract_text == "broken":
        broken = tmp_path / "contract.yaml"
        broken.write_text(contract.read_text(encoding="utf-8").replace(
            "contract_total: 1200000.00", "contract_total: lots"), encoding="utf-8")
        contract = broken
    text = header + rows[0].replace(",20", ",x20", 1) + "".join(rows[1:])
    given = _write(tmp_path / "given.csv", header, [text[len(header):]])
    args = ["validate", str(contract), "EVENTS", "-f", "json", "--jobs", "2"]
    from_file = runner.invoke(app, [str(given) if a == "EVENTS" else a for a in args])
    with fed_pipe(tmp_path / "piped.csv", text) as pipe:
        piped = runner.invoke(app, [str(pipe) if a == "EVENTS" else a for a in args])
    assert from_file.exit_code == piped.exit_code == 1
    assert piped.output.replace("piped.csv", "given.csv") == from_file.output
    assert "rewardengine-" not in piped.output and "piped-0" not in piped.output


def test_the_json_of_validate_is_the_librarys_result(
        cohort: tuple[Path, str, list[str]], tmp_path: Path) -> None:
    contract, header, rows = cohort
    ids = _customers(rows)
    path = _write(tmp_path / "events.csv", header,
                  [r for r in rows if not r.startswith(f"{ids[9]}-r,")])
    done = runner.invoke(app, ["validate", str(contract), str(path), "-f", "json",
                               "--jobs", "2"])
    inputs = api.validate_inputs(str(contract), [str(path)], jobs=2)
    assert done.exit_code == 1
    assert json.loads(done.output) == json.loads(canonical_json({
        "ok": False, "problems": [p.to_dict() for p in inputs.problems],
        "skipped": [p.to_dict() for p in inputs.skipped]}))
    said = json.loads(done.output)["problems"]
    # no referral: no segment, nor provider (and the rows passed over, V002, beside them)
    assert "V001" in {p["code"] for p in said} <= {"V001", "V002"}
    assert {p["row"] for p in said} == {p.source.row for p in inputs.problems} != {None}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
@pytest.mark.parametrize("contract_text", ["as it is", "broken"])
def test_a_contract_on_a_pipe_is_read_once(
        cohort: tuple[Path, str, list[str]], tmp_path: Path, contract_text: str) -> None:
    """The contract's bytes come once from a pipe: read once, for the checks and every
    shard (it was read again, and the run ended in an internal error or waited)."""
    contract, header, rows = cohort
    text = contract.read_text(encoding="utf-8")
    if contract_text == "broken":
        text = text.replace("contract_total: 1200000.00", "contract_total: lots")
    given = tmp_path / "contract.yaml"
    given.write_text(text, encoding="utf-8")
    events = str(_write(tmp_path / "events.csv", header, rows[:400]))
    from_file = runner.invoke(app, ["validate", str(given), events, "-f", "json",
                                    "--jobs", "2"])
    with fed_pipe(tmp_path / "piped.yaml", text) as pipe:
        piped = runner.invoke(app, ["validate", str(pipe), events, "-f", "json",
                                    "--jobs", "2"])
    assert piped.exit_code == from_file.exit_code == (1 if contract_text == "broken" else 0)
    assert piped.output.replace("piped.yaml", "contract.yaml") == from_file.output


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_pipe_beside_a_file_is_told_at_its_name_and_in_its_place(
        cohort: tuple[Path, str, list[str]], tmp_path: Path) -> None:
    """Problems in a pipe and a file given after it (its rows repeated there): in the order
    of the names given, and a row of the pipe named in a message (``first at``) by the
    pipe's name, as the reading in memory tells them; never the name of the pipe's copy."""
    contract, header, rows = cohort
    bad = [rows[0].replace(",referral,", ",referal,", 1), *rows[1:300]]
    text = header + "".join(bad)
    first = _write(tmp_path / "a.csv", header, bad)
    with fed_pipe(tmp_path / "z.csv", text) as pipe:
        piped = api.validate_inputs(str(contract), [str(pipe), str(first)], jobs=2)
    _write(tmp_path / "z.csv", header, bad)  # the pipe's bytes, as a file of its name
    whole = api.load_inputs(str(contract), [str(tmp_path / "z.csv"), str(first)],
                            with_lint=True)
    assert _said(piped) == _said(whole)
    assert any(f" (first at {tmp_path / 'z.csv'}:" in p for p in _said(piped)[0])
    assert not any("rewardengine-" in p or "piped-" in p for p in _said(piped)[0])


def test_rows_an_evaluation_passes_over_are_told_as_evaluate_tells_them(
        cohort: tuple[Path, str, list[str]], tmp_path: Path) -> None:
    """A second referral of a customer in the middle of the file (V002, a warning): told by
    validate, from any shard, as evaluate as of the data's end tells it; exit 0."""
    contract, header, rows = cohort
    ids = _customers(rows)
    first = next(r for r in rows if r.startswith(f"{ids[70]}-r,"))
    again = first.replace(f"{ids[70]}-r,", f"{ids[70]}-again,", 1)
    at = rows.index(first) + 1
    path = _write(tmp_path / "events.csv", header, [*rows[:at], again, *rows[at:]])
    problems, _ = _same(contract, [path])
    v002 = [p for p in problems if ": V002 " in p and f"{ids[70]}-again" in p]
    assert len(v002) == 1, problems
    # two referrals on one day: one decides, the other (at its row) is passed over
    assert v002[0].startswith((f"{path}:{at + 1}: V002 ", f"{path}:{at + 2}: V002 "))
    done = runner.invoke(app, ["validate", str(contract), str(path), "--jobs", "2"])
    assert done.exit_code == 0 and "V002 warning: referral" in done.output
