"""Explanations as data: what a kind looked at while it made its lines.

A kind returns its lines with a ``Trace``: the rule as applied (its parameters and windows in
words), then the steps it took (a spell of work and the days it counted, a month and its
contacts, a job that did not count and why). ``explain`` renders the trace; it recomputes
nothing. The same data is printed as a tree by ``explain --format json``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
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


Steps = tuple[Step, ...]


class Trace:
    """The rule as applied (``rules``, in words) and the steps taken (``steps``).

    ``steps`` may be given as a function of no arguments that makes them from the
    evaluation's own results: it is called once, the first time the steps are read (by
    ``explain`` or a JSON trace), so an evaluation nobody explains never builds their text.
    It must only describe what the kind already decided, never decide anything itself.
    ``rules`` may be given the same way (their words are written only when read).
    """

    __slots__ = ("_make", "_make_rules", "_rules", "_steps")

    def __init__(self, rules: tuple[str, ...] | Callable[[], Iterable[str]] = (),
                 steps: Steps | Callable[[], Iterable[Step]] = ()) -> None:
        self._rules: tuple[str, ...] | None = rules if isinstance(rules, tuple) else None
        self._make_rules = None if isinstance(rules, tuple) else rules
        self._steps: Steps | None = steps if isinstance(steps, tuple) else None
        self._make = None if isinstance(steps, tuple) else steps

    @property
    def rules(self) -> tuple[str, ...]:
        if self._rules is None:
            assert self._make_rules is not None
            self._rules = tuple(self._make_rules())
            self._make_rules = None
        return self._rules

    @property
    def steps(self) -> Steps:
        if self._steps is None:
            assert self._make is not None
            self._steps = tuple(self._make())
            self._make = None  # made once; let the evaluation's results go
        return self._steps

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Trace):
            return NotImplemented
        return self.rules == other.rules and self.steps == other.steps

    def __hash__(self) -> int:
        return hash((self.rules, self.steps))

    def __repr__(self) -> str:
        return f"Trace(rules={self.rules!r}, steps={self.steps!r})"

    def __reduce__(self) -> tuple[type[Trace], tuple[tuple[str, ...], Steps]]:
        # sent to another process with its steps made (a function does not travel)
        return (Trace, (self.rules, self.steps))

    def to_dict(self) -> dict[str, Any]:
        return {"rules": list(self.rules), "steps": [s.to_dict() for s in self.steps]}


NO_TRACE = Trace()
