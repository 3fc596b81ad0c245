"""A CSV file cut short inside its last cell (E018): the last row still reads, with a shorter
value, so the missing line end is the only sign left; said once per file, however the file
is read."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rewardengine import api
from rewardengine.cli import app
from rewardengine.events.read import read_events
from rewardengine.scale import plan
from rewardengine.tabular import Dialect

ROOT = Path(__file__).resolve().parents[1]
CONTRACT = str(ROOT / "contracts" / "employment_condition_2024.yaml")
runner = CliRunner()

# the 2024 employment condition: 12 months of at least 930.00 € of earnings
HEAD = "event_id,customer_id,type,date,evidence,amount\ns1,a,service_start,2024-09-16,,\n"
MONTHS = "".join(f"w{n:02},a,earnings,{date(2024 + (9 + n) // 12, (9 + n) % 12 + 1, 25)},"
                 f"register,930.00\n" for n in range(1, 13))


def _codes(path: Path) -> list[str]:
    return [p.code for p in read_events([str(path)]).problems]


@pytest.mark.parametrize(("ending", "warned"), [
    ("930.00\n", False), ("930.00\r\n", False), ("930.00\r", False), ("930.00", True),
    ("93", True)])
def test_a_last_row_without_a_line_end_is_said(tmp_path: Path, ending: str, warned: bool
                                               ) -> None:
    path = tmp_path / "e.csv"
    path.write_bytes((HEAD + MONTHS).removesuffix("930.00\n").encode() + ending.encode())
    assert _codes(path) == (["E018"] if warned else [])


def test_json_lines_are_not_checked(tmp_path: Path) -> None:
    jsonl = tmp_path / "e.jsonl"
    jsonl.write_text('{"event_id": "s1", "customer_id": "a", "type": "service_start", '
                     '"date": "2024-09-16"}', encoding="utf-8")
    assert _codes(jsonl) == []  # a cut object is not valid JSON (E010)


def test_the_cut_figure_comes_with_the_warning_on_the_command_line(tmp_path: Path) -> None:
    whole, cut = tmp_path / "whole.csv", tmp_path / "cut.csv"
    whole.write_text(HEAD + MONTHS, encoding="utf-8")
    cut.write_bytes((HEAD + MONTHS).encode()[:-5])  # "...,register,93"
    said = {}
    for path in (whole, cut):
        result = runner.invoke(app, ["evaluate", CONTRACT, str(path), "--as-of", "2026-12-31",
                                     "-f", "csv"])
        assert result.exit_code == 0, result.output
        said[path] = result.stderr
    assert "E018" not in said[whole]
    assert f"{cut}: E018 warning: the file's last row has no line end" in said[cut]
    checked = runner.invoke(app, ["validate", CONTRACT, str(cut)])
    assert checked.exit_code == 0 and "E018 warning" in checked.stdout + checked.stderr


def test_said_once_for_any_jobs_and_shards(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                           ) -> None:
    monkeypatch.setattr(plan, "MIN_SHARD_BYTES", 200)
    rows = "".join(f"r{n},c{n:04},referral,2024-09-0{n % 9 + 1},,\n" for n in range(400))
    path = tmp_path / "many.csv"
    path.write_text(HEAD.replace("s1,a,service_start,2024-09-16,,\n", "") + rows.rstrip("\n"),
                    encoding="utf-8")
    said = []
    for jobs in (1, 2):
        done = api.evaluate_to(CONTRACT, [str(path)], date(2026, 12, 31), io.StringIO(),
                               "json", jobs=jobs)
        said.append([(p.code, str(p.source)) for p in done.problems if p.code == "E018"])
    assert said[0] == said[1] == [("E018", str(path))]


@pytest.mark.parametrize("stop", ["long", "undecodable"])
def test_not_said_for_a_file_whose_reading_stopped_before_its_end(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stop: str) -> None:
    """A line too long (F004) or bytes that are not UTF-8 (F003) stop the reading: the last
    row was never read, so nothing is said of it, for any ``--jobs`` (such a file is read
    whole: its shards cannot be planned)."""
    monkeypatch.setattr(plan, "MIN_SHARD_BYTES", 200)
    rows = "".join(f"r{n},c{n:04},referral,2024-09-0{n % 9 + 1},,\n" for n in range(400))
    bad = b"x" * 1_000_001 if stop == "long" else b"\xff"
    path = tmp_path / "stopped.csv"
    path.write_bytes(HEAD.replace("s1,a,service_start,2024-09-16,,\n", "").encode()
                     + rows[:4000].encode() + b"r9,c0200,referral,2024-09-01,," + bad + b"\n"
                     + rows[4000:].rstrip("\n").encode())
    for jobs in (1, 2):
        done = api.evaluate_to(CONTRACT, [str(path)], date(2026, 12, 31), io.StringIO(),
                               "json", jobs=jobs)
        codes = {p.code for p in done.problems}
        assert codes & {"F003", "F004"} and "E018" not in codes, (jobs, codes)


@pytest.mark.parametrize("blank_lines", [0, 3])
def test_not_said_of_a_file_of_only_a_header(tmp_path: Path, blank_lines: int) -> None:
    # its last row is the header: nothing was read that a cut could have shortened
    path = tmp_path / "header.csv"
    path.write_text("\n" * blank_lines + "event_id,customer_id,type,date", encoding="utf-8")
    assert "E018" not in _codes(path)
    one = tmp_path / "one.csv"
    one.write_text("\n" * blank_lines + "event_id,customer_id,type,date\nr1,a,referral,"
                   "2024-09-01", encoding="utf-8")
    assert "E018" in _codes(one)


# a customer id like a henkilötunnus (E015) in a file cut short (E018): both said once per file
_HETU_CUT = (HEAD + MONTHS).replace(",a,", ",131052-308T,").encode()[:-5]


def _once_per_file(problems: list[api.Problem]) -> list[tuple[str, str]]:
    return [(p.code, str(p.source)) for p in problems if p.code in ("E015", "E018")]


def test_a_file_named_twice_is_said_of_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                            ) -> None:
    """Named twice, its rows are read twice (and their ids repeat, E007), but what is said
    of the whole file is said once, for any ``--jobs``, cut into shards or not."""
    path = tmp_path / "cut.csv"
    path.write_bytes(_HETU_CUT)
    said = [("E015", f"{path}:2"), ("E018", str(path))]
    assert _once_per_file(read_events([str(path), str(path)]).problems) == said
    for shard_bytes in (200, plan.MIN_SHARD_BYTES):
        monkeypatch.setattr(plan, "MIN_SHARD_BYTES", shard_bytes)
        for jobs in (1, 2):
            done = api.evaluate_to(CONTRACT, [str(path), str(path)], date(2026, 12, 31),
                                   io.StringIO(), "json", jobs=jobs)
            assert sorted(_once_per_file(done.problems)) == said, (shard_bytes, jobs)


def test_the_same_file_spelt_two_ways_is_one_file(tmp_path: Path) -> None:
    path = tmp_path / "cut.csv"
    path.write_bytes(_HETU_CUT)
    again = str(tmp_path / "." / "cut.csv")
    assert _once_per_file(read_events([str(path), again]).problems) == [
        ("E015", f"{path}:2"), ("E018", str(path))]


def test_the_encoding_named_is_said_once_per_file(tmp_path: Path) -> None:
    path = tmp_path / "cp1252.csv"
    path.write_bytes((HEAD + MONTHS).encode("cp1252"))
    read = read_events([str(path), str(path)], Dialect(encoding="cp1252"))
    assert [(p.code, str(p.source)) for p in read.problems if p.code == "F005"] == [
        ("F005", str(path))]


def test_events_fitted_and_forecast_from_one_file_are_said_of_once(tmp_path: Path) -> None:
    path = tmp_path / "cut.csv"
    path.write_bytes(_HETU_CUT)
    result = runner.invoke(app, ["forecast", CONTRACT, str(path), "--as-of", "2025-03-31",
                                 "--from-events", str(path), "--runs", "2", "-f", "json"])
    # its one customer has no referral, and needs none (the contract has no segments): the
    # cohort is fitted from their service start; what the fit says is said with the file's
    # own problems, each once
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["customers"][0]["customer_id"] == "131052-308T"
    assert result.stderr.count(f"{path}: G105 info") == 1, result.stderr
    assert result.stderr.count(f"{path}: E018 warning") == 1, result.stderr
    assert result.stderr.count(f"{path}:2: E015 warning") == 1, result.stderr
