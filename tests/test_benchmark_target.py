"""``benchmarks/simulate.py --target`` runs the forecast issue's target command and reports
it: a row per contract with its times, CPU per customer, peak memory and the 60 s verdict
(here on a tiny run, so the row's arithmetic is checked, not the machine)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("simulate_benchmark",
                                                  ROOT / "benchmarks" / "simulate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["simulate_benchmark"] = module
    spec.loader.exec_module(module)
    return module


def test_the_target_row_names_its_run_and_verdict(monkeypatch: pytest.MonkeyPatch) -> None:
    bench = _script()
    monkeypatch.setattr(bench, "TARGET_RUNS", 2)
    monkeypatch.setattr(bench, "TARGET_CUSTOMERS", 30)
    rows = bench.target(["tehostettu_tyonvalitys"])
    assert rows[0].startswith("| contract | runs x customers | --jobs | wall s | CPU s |")
    cells = [c.strip() for c in rows[2].strip("|").split("|")]
    assert cells[:3] == ["tehostettu_tyonvalitys", "2 x 30", "2"]
    wall, cpu, each, peak = (float(c) for c in cells[3:7])
    assert 0 < wall < 60 and cpu > 0 and peak > 0
    # the CPU cell is rounded to a tenth of a second: per customer, within that rounding
    assert each == pytest.approx(cpu / 60 * 1000, abs=0.05 / 60 * 1000 + 0.001)
    assert cells[7] == "yes"
