"""survey_adjustment: NOT YET IMPLEMENTED (work in progress)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..evaluate.context import CustomerContext
from ..evaluate.lines import Line


def evaluate(component: Any, ctx: CustomerContext, prior: Sequence[Line]) -> list[Line]:
    raise NotImplementedError("survey_adjustment")
