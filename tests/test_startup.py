"""``evaluate`` and ``validate`` start without what only other commands need: invoicing,
forecasts, cohorts, the synthetic generator and numpy are imported when first asked for."""

from __future__ import annotations

import subprocess
import sys

LATER = ("numpy", "rewardengine.invoicing", "rewardengine.forecast", "rewardengine.cohort",
         "rewardengine.synth", "rewardengine.explanation", "rewardengine.worked")


def test_the_command_line_starts_without_what_only_some_commands_need() -> None:
    probe = ("import sys, rewardengine.cli; "
             "print(' '.join(sorted({m.split('.')[0] if m.startswith('numpy') else m "
             "for m in sys.modules})))")
    found = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                           check=True).stdout.split()
    assert not [m for m in found if m.startswith(LATER)]


def test_names_imported_later_are_there_when_asked_for() -> None:
    from rewardengine import api
    assert api.CLASSES and callable(api.simulate_contract) and callable(api.cohort_schema)
    assert api.Invoice.__name__ == "Invoice"


def test_the_names_imported_later_are_the_ones_the_type_checker_sees() -> None:
    """``api._LATER`` (what runs) and the ``TYPE_CHECKING`` imports (what mypy reads) name
    the same things from the same modules, so neither can drift from the other."""
    import ast
    import inspect

    from rewardengine import api
    seen: dict[str, tuple[str, str]] = {}
    for node in ast.walk(ast.parse(inspect.getsource(api))):
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for found in node.body:
                assert isinstance(found, ast.ImportFrom)
                for alias in found.names:
                    module = "." * found.level + (found.module or "")
                    seen[alias.asname or alias.name] = (module, alias.name)
    annotation_only = {"Mapper"}  # named in signatures, never offered
    assert {k: v for k, v in seen.items() if k not in annotation_only} == api._LATER
    for name in api._LATER:
        getattr(api, name)
