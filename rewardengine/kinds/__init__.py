"""One module per fee kind; each is a small pure function registered here.

A customer kind is ``evaluate(component, ctx, prior) -> list[Line]`` where ``prior`` holds the
lines of the components evaluated before it (only survey multipliers read it). A contract kind
(``capacity_fee``) is ``evaluate(component, loaded, as_of) -> list[Line]``.
Adding a kind touches its module, the model in contract/model.py and one entry below.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from ..contract.load import LoadedContract
from ..evaluate.context import CustomerContext
from ..evaluate.lines import Line
from . import (
    benefit_reduction,
    capacity_fee,
    employment_condition,
    employment_outcome,
    event_fee,
    hourly_fee,
    milestones,
    monthly_fee,
    reimbursed_expenses,
    survey_adjustment,
    work_history,
)

CustomerKind = Callable[[Any, CustomerContext, Sequence[Line]], list[Line]]
ContractKind = Callable[[Any, LoadedContract, date], list[Line]]

CUSTOMER_KINDS: dict[str, CustomerKind] = {
    "event_fee": event_fee.evaluate,
    "hourly_fee": hourly_fee.evaluate,
    "monthly_fee": monthly_fee.evaluate,
    "employment_outcome": employment_outcome.evaluate,
    "milestones": milestones.evaluate,
    "employment_condition": employment_condition.evaluate,
    "work_history": work_history.evaluate,
    "benefit_reduction": benefit_reduction.evaluate,
    "survey_adjustment": survey_adjustment.evaluate,
    "reimbursed_expenses": reimbursed_expenses.evaluate,
}
CONTRACT_KINDS: dict[str, ContractKind] = {
    "capacity_fee": capacity_fee.evaluate,
}
# kinds that read other components' lines run after all others
LATE_KINDS = frozenset({"survey_adjustment"})
