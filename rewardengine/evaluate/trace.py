"""Explanations as data: what a kind looked at while it made its lines.

A kind returns its lines with a ``Trace``: the rule as applied (its parameters and windows in
words), then the steps it took (a spell of work and the days it counted, a month and its
contacts, a job that did not count and why). ``explain`` renders the trace; it recomputes
nothing. The same data is printed as a tree by ``explain --format json``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from ..periods import ONE_DAY


@dataclass(frozen=True, slots=True)
class Step:
    """One thing a rule looked at: a spell, a month, a job that did not count."""

    what: str  # "spell", "counted work", "month", "week", "period", "not counted"
    text: str  # the step in words
    start: date | None = None
    end: date | None = None  # exclusive
    counted: Decimal | None = None  # days, weeks, months or hours the step counted
    evidence: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "what": self.what, "text": self.text,
            "start": self.start.isoformat() if self.start else None,
            "last_day": (self.end - ONE_DAY).isoformat() if self.end else None,
            "counted": None if self.counted is None else f"{self.counted.normalize():f}",
            "evidence": list(self.evidence),
        }


@dataclass(frozen=True, slots=True)
class Trace:
    """The rule as applied (``rules``, in words) and the steps taken (``steps``)."""

    rules: tuple[str, ...] = ()
    steps: tuple[Step, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"rules": list(self.rules), "steps": [s.to_dict() for s in self.steps]}


NO_TRACE = Trace()
