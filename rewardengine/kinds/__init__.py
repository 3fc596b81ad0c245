"""The fee kinds, one module each, found and registered once, keyed by their model class.

Every module of this package that defines ``KIND`` (a ``CustomerKind`` or ``ContractKind``)
is a kind: its model is part of the contract language and its evaluation runs in the engine.
Adding a kind is adding its module (with its docs section and tests); nothing here changes.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable
from typing import Any

from ..contract.model import ComponentBase, ContractBase, contract_class
from .base import ContractKind, CustomerKind, Outcome

Kind = CustomerKind[Any] | ContractKind[Any]


class Registry:
    """The kinds by model class and by name; each registered once."""

    def __init__(self, kinds: Iterable[Kind]) -> None:
        self.by_model: dict[type[ComponentBase], Kind] = {}
        self.by_name: dict[str, Kind] = {}
        for kind in kinds:
            if kind.model in self.by_model or kind.name in self.by_name:
                raise ValueError(f"fee kind {kind.name} is registered twice")
            self.by_model[kind.model] = kind
            self.by_name[kind.name] = kind
        self.contract_class: type[ContractBase] = contract_class(self.models)

    @property
    def models(self) -> tuple[type[ComponentBase], ...]:
        return tuple(self.by_model)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.by_name)

    def of(self, component: ComponentBase) -> Kind:
        return self.by_model[type(component)]


def _discover() -> list[Kind]:
    """The ``KIND`` of every module of this package, by module name (a stable order)."""
    found: list[Kind] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        kind = getattr(module, "KIND", None)
        if isinstance(kind, CustomerKind | ContractKind):
            found.append(kind)
    return found


KINDS = Registry(_discover())

__all__ = ["KINDS", "ContractKind", "CustomerKind", "Kind", "Outcome", "Registry"]
