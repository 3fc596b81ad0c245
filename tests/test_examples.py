"""Golden cases: every worked example through the CLI equals its expected JSON to the cent;
every bundled contract validates, and every lint warning it raises is explained (accepted)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rewardengine.cli import app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p for p in (ROOT / "examples").iterdir() if (p / "expected.json").exists())
CONTRACTS = sorted((ROOT / "contracts").glob("*.yaml"))
runner = CliRunner()


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    # clause locations in expected results are relative to the repository root
    monkeypatch.chdir(ROOT)


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_matches_expected(example: Path) -> None:
    name = example.name
    as_of = (example / "as_of.txt").read_text(encoding="utf-8").strip()
    events = sorted(str(p.relative_to(ROOT)) for p in example.iterdir()
                    if p.suffix in (".csv", ".jsonl"))
    result = runner.invoke(app, ["evaluate", f"contracts/{name}.yaml", *events,
                                 "--as-of", as_of, "--format", "json"])
    assert result.exit_code == 0, result.output
    expected = (example / "expected.json").read_text(encoding="utf-8")
    assert json.loads(result.stdout) == json.loads(expected)
    assert result.stdout == expected  # byte for byte: canonical JSON


def test_every_contract_has_an_example() -> None:
    assert {p.stem for p in CONTRACTS} == {p.name for p in EXAMPLES}


@pytest.mark.parametrize("contract", CONTRACTS, ids=[p.stem for p in CONTRACTS])
def test_contract_validates_without_unexplained_warnings(contract: Path) -> None:
    result = runner.invoke(app, ["validate", os.path.relpath(contract, ROOT), "--strict",
                                 "--format", "json"])
    problems = json.loads(result.stdout)["problems"]
    assert problems == [], problems
    assert result.exit_code == 0


@pytest.mark.parametrize("contract", CONTRACTS, ids=[p.stem for p in CONTRACTS])
def test_contract_says_where_it_comes_from(contract: Path) -> None:
    head = contract.read_text(encoding="utf-8").splitlines()[:40]
    comment = "\n".join(line for line in head if line.startswith("#")).lower()
    assert "illustrative" in comment or "published" in comment
