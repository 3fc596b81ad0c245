"""The fee kinds made fast without a second copy of any rule: traces whose steps are made
only when read, the timeline's lists in one pass, and integer arithmetic that equals the
exact fractions it replaced."""

from __future__ import annotations

import pickle
from datetime import date
from decimal import Decimal

from rewardengine.evaluate.trace import Step, Trace


def _steps() -> list[Step]:
    return [Step("week", "week 2025-01-06..2025-01-12: 20 h, qualifies, counts 1",
                 date(2025, 1, 6), date(2025, 1, 13), Decimal(1), ("e1",))]


def test_trace_steps_made_once_on_first_read() -> None:
    calls: list[int] = []

    def make() -> list[Step]:
        calls.append(1)
        return _steps()

    lazy = Trace(("rule",), make)
    assert calls == []
    assert lazy.steps == tuple(_steps())
    assert lazy.steps is lazy.steps
    assert calls == [1]
    assert lazy == Trace(("rule",), tuple(_steps()))
    assert lazy.to_dict() == Trace(("rule",), tuple(_steps())).to_dict()


def test_trace_travels_to_another_process_with_its_steps() -> None:
    back = pickle.loads(pickle.dumps(Trace(("rule",), _steps)))
    assert back.steps == tuple(_steps()) and back.rules == ("rule",)
