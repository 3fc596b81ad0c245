"""The house rules the code keeps: short functions, and a kind that is one unit."""

from __future__ import annotations

import ast
from pathlib import Path

from rewardengine.contract.model import ComponentBase
from rewardengine.kinds import KINDS, ContractKind, CustomerKind

ROOT = Path(__file__).resolve().parent.parent / "rewardengine"
MAX_LINES = 60


def test_no_function_is_longer_than_sixty_lines_without_a_reason() -> None:
    """A longer function says why on its ``def`` line (``# long: ...``)."""
    long = []
    for path in sorted(ROOT.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_LINES and "# long:" not in lines[node.lineno - 1]:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} "
                                f"({length} lines)")
    assert long == []


def test_every_kind_is_one_module_with_its_model_and_evaluation() -> None:
    assert len(KINDS.names) == 13
    for name, kind in KINDS.by_name.items():
        assert isinstance(kind, CustomerKind | ContractKind)
        assert issubclass(kind.model, ComponentBase)
        # the model, the evaluation and KIND live in the kind's own module
        assert kind.model.__module__ == f"rewardengine.kinds.{name}"
        assert kind.evaluate.__module__ == f"rewardengine.kinds.{name}"


def test_the_contract_language_names_no_kind() -> None:
    """The language's own modules know the kinds only as ``ComponentBase``."""
    for path in (ROOT / "contract").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for name in KINDS.names:
            model = KINDS.by_name[name].model.__name__
            assert f"import {model}" not in text and f" {model}," not in text, (path, model)
