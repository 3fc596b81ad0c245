"""What a fee kind is to the engine: its model and its evaluation, typed.

A kind module defines its model (a ``ComponentBase`` subclass, which answers the questions
checks and lint ask), its evaluation (lines plus a trace) and one ``KIND`` naming both. The
registry (``rewardengine.kinds``) finds every module's ``KIND``; nothing else is edited to add a
kind. See docs/architecture.md.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Generic, TypeVar

from ..contract.load import LoadedContract
from ..contract.model import ComponentBase, kind_of
from ..evaluate.context import CustomerContext
from ..evaluate.lines import Line
from ..evaluate.trace import NO_TRACE, Trace

C = TypeVar("C", bound=ComponentBase)


@dataclass(frozen=True)
class Outcome:
    """A component's lines for one customer (or the contract), and how they were found."""

    lines: list[Line]
    trace: Trace = field(default=NO_TRACE)


@dataclass(frozen=True)
class CustomerKind(Generic[C]):
    """A kind evaluated per customer. ``late``: it reads the lines of the components
    evaluated before it (survey multipliers), so it runs after all the others."""

    model: type[C]
    evaluate: Callable[[C, CustomerContext, Sequence[Line]], Outcome]
    late: bool = False

    @property
    def name(self) -> str:
        return kind_of(self.model)


@dataclass(frozen=True)
class ContractKind(Generic[C]):
    """A kind evaluated once per contract (capacity bought per month), with no customer."""

    model: type[C]
    evaluate: Callable[[C, LoadedContract, date], Outcome]

    @property
    def name(self) -> str:
        return kind_of(self.model)


