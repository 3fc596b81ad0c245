"""Hostile inputs across every command (tests/cli_fuzz_cases.py): never exit 3, never an
exception or a traceback, no terminal control character echoed. A bounded count here (more
with CI=true); benchmarks/fuzz.py runs 100,000 and more."""

from __future__ import annotations

import os
from pathlib import Path

from cli_fuzz_cases import COMMANDS, Fuzzer

CASES = 120 if os.environ.get("CI") else 60


def test_hostile_inputs_across_every_command(tmp_path: Path) -> None:
    fuzzer = Fuzzer(tmp_path, seed=int(os.environ.get("FUZZ_SEED", "20261129")))
    outcomes = [fuzzer.run(fuzzer.case(i)) for i in range(CASES)]
    failures = [(o.case, o.command, o.failure) for o in outcomes if o.failure]
    assert failures == []
    assert {o.command for o in outcomes} == set(COMMANDS)  # every command was tried
    assert {o.exit_code for o in outcomes} >= {0, 1, 2}
