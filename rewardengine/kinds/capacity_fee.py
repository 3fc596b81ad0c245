"""capacity_fee: NOT YET IMPLEMENTED (work in progress)."""

from __future__ import annotations

from datetime import date
from typing import Any

from ..contract.load import LoadedContract
from ..evaluate.lines import Line


def evaluate(component: Any, loaded: LoadedContract, as_of: date) -> list[Line]:
    raise NotImplementedError("capacity_fee")
