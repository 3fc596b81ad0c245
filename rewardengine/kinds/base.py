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
from ..contract.windows import fixed_deadline
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
    # the types of event this kind reads of a customer (``events_read``), beside the
    # referral, service start and service end every customer's context reads; None: any
    reads: frozenset[str] | Callable[[C], frozenset[str]] | None = None
    # the component's deadline for the customer: the last day an outcome may be reached or
    # confirmed (None: the kind has none, or no service has started)
    deadline: Callable[[C, CustomerContext], date | None] | None = None

    def last_day_to_earn(self, comp: C, ctx: CustomerContext, line: Line) -> date | None:
        """The last day a pending ``line`` can still become payable. A pending line dated
        after the evaluation date waits for that day (a deadline, a month's end, a planned
        event). One dated on or before it was reached already and waits for something
        recorded later, a confirmation of its evidence: until the component's deadline."""
        if line.date is not None and line.date <= ctx.as_of and self.deadline is not None:
            return self.deadline(comp, ctx) or line.date
        if line.date is None and ctx.service is None and self.deadline is not None:
            # no service yet: whenever it starts, the outcome is reached by the fixed dates
            # at the latest (reach_by, outcomes_until), if the contract sets one
            fixed = fixed_deadline(ctx.loaded.contract.windows, comp.deadline_date())
            return fixed.last_day if fixed is not None else None
        return line.date

    def events_read(self, comp: C) -> frozenset[str] | None:
        """The types of event ``comp``'s lines for a customer can depend on, beside those of
        the context (None: any type). Simulation makes no event of a type that no component
        of the contract reads: such events cannot change a line."""
        return self.reads(comp) if callable(self.reads) else self.reads

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


