"""The lint rules, one module each, named after their code (``W005.py``); found and registered
once. Adding a rule is adding its module, its section in docs/lint.md, its entry in
``rewardengine/codes.py`` and its case file in tests/lint_cases/."""

from __future__ import annotations

import importlib
import pkgutil

from ..base import Rule


def _discover() -> dict[str, Rule]:
    found: dict[str, Rule] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        rule = getattr(module, "RULE", None)
        if isinstance(rule, Rule):
            if rule.code in found or rule.code != info.name:
                raise ValueError(f"lint rule {rule.code} is registered twice or misnamed")
            found[rule.code] = Rule(rule.code, rule.check, rule.needs,
                                    (module.__doc__ or "").strip(), rule.after)
    return found


RULES: dict[str, Rule] = _discover()
