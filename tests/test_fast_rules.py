"""The fee kinds made fast without a second copy of any rule: traces whose steps are made
only when read, the timeline's lists in one pass, and integer arithmetic that equals the
exact fractions it replaced."""

from __future__ import annotations

import inspect
import math
import pickle
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import FrozenInstanceError, dataclass
from dataclasses import fields as dataclass_fields
from dataclasses import replace as dataclass_replace
from datetime import date, timedelta
from decimal import ROUND_DOWN, ROUND_UP, Decimal, localcontext
from fractions import Fraction
from functools import partial
from itertools import combinations, pairwise
from types import SimpleNamespace
from typing import Any

import pytest
from conftest import contract_from, one
from dateutil.relativedelta import relativedelta
from hypothesis import example, given, settings
from hypothesis import strategies as st

from rewardengine.contract.model import (
    EMPLOYMENT_KINDS,
    EVIDENCE_LEVELS,
    Dated,
    amount_at,
    amounts_over,
)
from rewardengine.evaluate.context import CustomerContext
from rewardengine.evaluate.lines import Line, _times, make_line
from rewardengine.evaluate.trace import Step, Trace
from rewardengine.events.model import Employment
from rewardengine.kinds import employment_condition as ec
from rewardengine.kinds.earnings_common import nth_unit
from rewardengine.kinds.earnings_milestones import EarningsMilestones, _reached
from rewardengine.kinds.employment_condition import (
    EmploymentCondition,
    _Sum,
    count_text,
    out_of_reach,
)
from rewardengine.kinds.work_history import _lost_on, covered_days, covered_pieces
from rewardengine.periods import Period, day_share, iso_weeks, whole_months, whole_weeks
from rewardengine.values import add_months, exact, parse_duration, round_cents, weighted_ratio
from rewardengine.work import (
    FULL_TIME_HOURS,
    Reached,
    Stretch,
    _day_weight,
    _places,
    as_decimal,
    counted,
    job_hours,
    needed_days,
    reach,
    reach_average,
    weakest,
)


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


# --- integer arithmetic against the exact fractions it replaced (the oracle) ---------------

def _oracle_weighted(pairs: list[tuple[Decimal, Decimal]]) -> Fraction:
    """The arithmetic the kinds used before: Fraction sums, divided."""
    total = sum((v for v, _ in pairs), Decimal(0))
    return sum((Fraction(v) * Fraction(w) for v, w in pairs), Fraction(0)) / Fraction(total)


hours = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000"), places=2,
                    allow_nan=False, allow_infinity=False)
weights = st.decimals(min_value=Decimal("0"), max_value=Decimal("2"), places=3,
                      allow_nan=False, allow_infinity=False)


@given(st.lists(st.tuples(hours, weights), min_size=1, max_size=6))
@example([(Decimal("262.5"), Decimal("0.75")), (Decimal("37.5"), Decimal("1"))])
@example([(Decimal("0.1"), Decimal("0.333")), (Decimal("3"), Decimal("0"))])
def test_weighted_ratio_equals_the_fractions(pairs: list[tuple[Decimal, Decimal]]) -> None:
    num, den = weighted_ratio(pairs)
    assert den > 0
    assert Fraction(num, den) == _oracle_weighted(pairs)


@given(weights)
def test_exact_is_the_fraction(weight: Decimal) -> None:
    assert exact(weight) == Fraction(weight)
    assert exact(weight) is exact(Decimal(str(weight)))


def _oracle_lost(count: Fraction, remaining: int, best: Fraction, required: int) -> bool:
    return count + remaining * best < required


@given(st.lists(st.fractions(min_value=0, max_value=2, max_denominator=400), max_size=30),
       weights, st.integers(1, 60))
def test_unit_weights_out_of_reach_like_the_fractions(units: list[Fraction], weight: Decimal,
                                                      required: int) -> None:
    """employment_condition's out-of-reach test, cross-multiplied, against Fractions."""
    best = exact(weight)
    count = Fraction(0)
    n = len(units) + 5
    assert out_of_reach(count, n, best, required) == _oracle_lost(count, n, best, required)
    for i, w in enumerate(units):
        count += w
        assert (out_of_reach(count, n - i - 1, best, required)
                == _oracle_lost(count, n - i - 1, best, required))


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)), st.integers(-40, 40))
def test_month_units_from_a_count_of_months(day: date, months: int) -> None:
    """earnings_common's calendar months equal the clamped month arithmetic they replace."""
    first = day.replace(day=1)
    assert nth_unit("months", first, months) == Period(add_months(first, months),
                                                       add_months(first, months + 1))
    assert add_months(day, months) == day + relativedelta(months=months)


# --- work_history: days covered, cut into runs instead of walked one by one ----------------

def _oracle_covered(work: list[tuple[Period, Fraction]], schooling: list[Period]
                    ) -> dict[date, Fraction]:
    """The arithmetic work_history used before: a value for every day, the highest wins."""
    value: dict[date, Fraction] = {}
    for period, weight in work:
        for i in range(period.days):
            day = period.start + timedelta(days=i)
            value[day] = max(value.get(day, Fraction(0)), weight)
    for period in schooling:
        for i in range(period.days):
            day = period.start + timedelta(days=i)
            value[day] = max(value.get(day, Fraction(0)), Fraction(1))
    return value


def _days_of(pieces: Sequence[tuple[Period, Fraction]]) -> dict[date, Fraction]:
    """Each covered day of ``pieces`` and what it counts."""
    return {piece.start + timedelta(days=i): value
            for piece, value in pieces for i in range(piece.days)}


_runs = st.lists(st.tuples(st.integers(0, 30), st.integers(1, 40)), max_size=6)


@given(_runs, st.lists(st.fractions(min_value=Fraction(1, 12), max_value=2,
                                    max_denominator=12), min_size=6, max_size=6), _runs)
@example([(0, 10)], [Fraction(5, 6)] * 6, [(5, 1)])
@example([(0, 10), (0, 3)], [Fraction(1, 2)] * 6, [(9, 1), (0, 40)])
def test_covered_runs_equal_the_days_one_by_one(work_runs: list[tuple[int, int]],
                                                weights: list[Fraction],
                                                school_runs: list[tuple[int, int]]) -> None:
    start = date(2024, 2, 20)  # across a leap day
    work: list[tuple[Period, Fraction]] = []
    day = start
    # stretches lie apart, in order
    for (gap, days), weight in zip(work_runs, weights[:len(work_runs)], strict=True):
        first = day + timedelta(days=gap)
        work.append((Period(first, first + timedelta(days=days)), weight))
        day = first + timedelta(days=days)
    schooling = [Period(start + timedelta(days=a), start + timedelta(days=a + n))
                 for a, n in school_runs]
    pieces = covered_pieces(work, schooling)
    oracle = _oracle_covered(work, schooling)
    assert _days_of(pieces) == oracle
    assert (sum((v * p.days for p, v in pieces), Fraction(0))
            == sum(oracle.values(), Fraction(0)))
    assert all(a.end <= b.start for (a, _), (b, _) in pairwise(pieces))


@given(st.dates(min_value=date(1900, 1, 8), max_value=date(2200, 12, 31)),
       st.integers(0, 800))
@example(date(2024, 1, 1), 7)  # a Monday, exactly one week
@example(date(2024, 1, 1), 6)  # one day short
@example(date(2024, 1, 2), 13)  # a Tuesday: the first whole week starts the next Monday
def test_whole_weeks_from_the_first_monday(start: date, days: int) -> None:
    """periods.whole_weeks, counted from the first Monday, equals the calendar weeks it
    replaced (every week overlapping the period, kept when wholly inside)."""
    period = Period(start, start + timedelta(days=days))
    oracle = [w for w in iso_weeks(period)
              if period.start <= w.start and w.end <= period.end]
    assert list(whole_weeks(period)) == oracle


@given(st.sampled_from(["weeks", "months"]),
       st.lists(st.tuples(st.dates(min_value=date(1, 1, 1), max_value=date(9999, 6, 30)),
                          st.integers(0, 1200)), min_size=1, max_size=4))
@example("weeks", [(date(2024, 1, 1), 7), (date(2024, 1, 1), 6)])  # one week; a day short
@example("months", [(date(2024, 2, 1), 29), (date(2024, 2, 1), 28), (date(2024, 2, 2), 29)])
@example("weeks", [(date(2020, 1, 6), 70), (date(2040, 1, 2), 7), (date(2020, 1, 6), 7000)])
@example("months", [(date(1, 1, 1), 31), (date(9999, 6, 30), 100)])  # the calendar's ends
def test_whole_units_sliced_from_the_calendar_like_made_anew(
        unit: str, references: list[tuple[date, int]]) -> None:
    """The units of a reference period, a slice of a calendar made once (and widened or made
    again for a period outside it), equal its whole weeks or months made for it alone."""
    ec._CALENDARS.clear()
    for start, days in references:
        last = date(9999, 10, 31).toordinal()  # a month past it must still be a date
        period = Period(start, date.fromordinal(min(start.toordinal() + days, last)))
        got = ec._whole_units.__wrapped__(unit, period)
        periods = tuple(whole_weeks(period) if unit == "weeks" else whole_months(period))
        assert got == ec._Units(
            periods, tuple(p.last_day for p in periods),
            tuple((p.start.toordinal(), p.end.toordinal()) for p in periods),
            tuple(ec.Unit(p, ec.ZERO, False, ec.NO_CREDIT, ()) for p in periods),
            tuple(p.end.toordinal() for p in periods))


# --- work.py: a day's weight without Fractions for jobs of one weight ----------------------

def _oracle_day_weight(jobs: list[Employment], weights: dict[str, Decimal], min_hours: Decimal
                       ) -> Fraction:
    """The arithmetic work.py used before: every group of jobs that qualifies the day, its
    hours-weighted average weight in Fractions, the best."""
    def average(group: tuple[Employment, ...]) -> Fraction:
        hours = sum((job_hours(j) for j in group), Decimal(0))
        if hours <= 0:
            return Fraction(max(weights[j.kind] for j in group))
        return sum((Fraction(job_hours(j)) * Fraction(weights[j.kind]) for j in group),
                   Fraction(0)) / Fraction(hours)

    return max(average(g) for k in range(1, len(jobs) + 1) for g in combinations(jobs, k)
               if sum((job_hours(j) for j in g), Decimal(0)) >= min_hours)


_day_job = st.tuples(st.sampled_from(["open", "subsidised", "apprenticeship"]),
                     st.decimals(min_value=Decimal("0.5"), max_value=Decimal("40"), places=1,
                                 allow_nan=False, allow_infinity=False))


@given(st.lists(_day_job, min_size=1, max_size=4),
       st.sampled_from([Decimal("0.5"), Decimal("1"), Decimal("0.333")]),
       st.sampled_from([Decimal("0.5"), Decimal("1"), Decimal("0.75")]),
       st.sampled_from([Decimal("0"), Decimal("18"), Decimal("30")]))
@example([("open", Decimal("20")), ("subsidised", Decimal("10"))], Decimal("0.5"),
         Decimal("0.75"), Decimal("30"))  # 5/6 of a day
def test_day_weight_equals_the_fractions(jobs: list[tuple[str, Decimal]], subsidised: Decimal,
                                         apprenticeship: Decimal, min_hours: Decimal) -> None:
    weights = {"open": Decimal(1), "subsidised": subsidised, "apprenticeship": apprenticeship}
    active = [Employment.model_validate({
        "event_id": f"e{i}", "customer_id": "c1", "type": "employment", "date": "2024-01-01",
        "hours_per_week": str(h), "kind": kind, "evidence": "register"})
        for i, (kind, h) in enumerate(jobs)]
    total = sum((job_hours(j) for j in active), Decimal(0))
    if total < min_hours:
        return  # the day does not qualify: no weight is asked for

    def qualifies(group: Sequence[Employment]) -> bool:
        return bool(group) and sum((job_hours(j) for j in group), Decimal(0)) >= min_hours

    assert _day_weight(active, weights, FULL_TIME_HOURS, qualifies) == \
        _oracle_day_weight(active, weights, min_hours)


@given(st.lists(st.fractions(min_value=0, max_value=2, max_denominator=400), max_size=30),
       st.integers(0, 60))
@example([Fraction(3, 4)] * 35, 26)  # 35 weeks of subsidised work make 26.25
@example([Fraction(3, 4)] * 34 + [Fraction(1, 2)], 26)  # 25.5 + 0.5: exactly 26
def test_unit_counts_summed_in_integers_like_the_fractions(units: list[Fraction],
                                                          required: int) -> None:
    """employment_condition's running count of qualifying units, kept as integers over a
    common denominator, against the Fraction sum it replaced (the oracle)."""
    total, oracle = _Sum(), Fraction(0)
    for w in units:
        total.add(w)
        oracle += w
        assert total.value == oracle
        assert total.at_least(required) == (oracle >= required)


def _oracle_share(days: int, of: int) -> Decimal:
    """day_share as it was: a local context entered for every share."""
    with localcontext() as ctx:
        ctx.prec = 28
        ctx.rounding = ROUND_UP
        return (Decimal(days) / Decimal(of)).normalize() if days else Decimal(0)


def _oracle_times(quantity: Decimal, unit_price: Decimal) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 60
        return round_cents(quantity * unit_price)


@given(st.integers(1, 400).flatmap(lambda of: st.tuples(st.integers(0, of), st.just(of))),
       st.decimals(min_value=0, max_value=Decimal("1e15") - 1, places=2))
@example((10, 30), Decimal("999999999999999.99"))
@example((1, 3), Decimal("0.01"))
def test_shares_and_line_amounts_like_a_local_context(share: tuple[int, int],
                                                     price: Decimal) -> None:
    """A day share and a line's amount made with contexts made once, against the local
    contexts entered for every one (the oracle): the same digits, the same exponent."""
    days, of = share
    assert str(day_share(days, of)) == str(_oracle_share(days, of))
    assert str(_times(day_share(days, of), price)) == str(_oracle_times(_oracle_share(days, of),
                                                                           price))
    assert str(_times(Decimal(days), price)) == str(_oracle_times(Decimal(days), price))


def _oracle_reach_average(parts: Sequence[Stretch], needed: Callable[[date], Decimal],
                          minimum: Decimal) -> Reached | None:
    """reach_average as it was: one entry per day laid out, the duration asked again for
    every step of the window (the oracle)."""
    days = [(part.period.start + timedelta(days=i), part)
            for part in parts for i in range(part.period.days)]
    w_scale = math.lcm(*(p.exact_weight.denominator for p in parts)) if parts else 1
    h_scale = 10 ** max(_places(minimum), *(_places(p.hours) for p in parts))
    per_part = {id(p): (int(p.exact_weight * w_scale), int(p.hours * h_scale)) for p in parts}
    weights, hours = [0], [0]
    for _, part in days:
        w, h = per_part[id(part)]
        weights.append(weights[-1] + w)
        hours.append(hours[-1] + h)
    goal = int(minimum * h_scale)

    def need(i: int) -> int:
        return int(needed(days[i][0])) * w_scale

    s = 0
    for e in range(len(days)):
        while s < e and weights[e + 1] - weights[s + 1] >= need(s + 1):
            s += 1
        if weights[e + 1] - weights[s] < need(s):
            continue
        if hours[e + 1] - hours[s] >= goal * (e + 1 - s):
            window = days[s:e + 1]
            used = list({id(p): p for _, p in window}.values())
            evidence = next((level for rank, level in enumerate(EVIDENCE_LEVELS)
                             if sum(int(p.level_hours[rank] * h_scale) for _, p in window)
                             >= goal * len(window)), None) or weakest(p.evidence for p in used)
            return Reached(days[e][0], evidence,
                           tuple(sorted({i for p in used for i in p.event_ids})),
                           days[s][0], Fraction(hours[e + 1] - hours[s], 7 * h_scale),
                           e + 1 - s)
    return None


_stretch = st.tuples(st.integers(0, 20), st.integers(1, 60),
                     st.sampled_from([Fraction(1), Fraction(1, 2), Fraction(3, 4),
                                      Fraction(5, 6)]),
                     st.decimals(min_value=0, max_value=60, places=1),
                     st.integers(0, len(EVIDENCE_LEVELS) - 1))


@given(st.dates(min_value=date(2019, 1, 1), max_value=date(2026, 12, 31)),
       st.lists(_stretch, min_size=1, max_size=8),
       st.sampled_from(["13 weeks", "26 weeks", "3 months", "1 months", "40 days"]),
       st.decimals(min_value=1, max_value=40, places=2))
@example(date(2024, 1, 31), [(0, 40, Fraction(1), Decimal(15), 0)], "1 months",
         Decimal(15))  # a month from Jan 31: a window of 29 days
@example(date(2024, 1, 1), [(0, 20, Fraction(1), Decimal(10), 1),
                            (3, 100, Fraction(1, 2), Decimal(20), 0)], "26 weeks",
         Decimal("14.99"))  # the first weeks average too little: a later window reaches it
def test_hours_on_average_like_one_entry_a_day(start: date,
                                               runs: list[tuple[int, int, Fraction, Decimal,
                                                                int]],
                                               duration: str, minimum: Decimal) -> None:
    """reach_average over running sums laid out per stretch, against the day-by-day
    version it replaced (the oracle): the same day, window, hours and evidence."""
    parts, day = [], start
    for n, (gap, days, weight, hours, level) in enumerate(runs):
        day += timedelta(days=gap)
        parts.append(Stretch(Period(day, day + timedelta(days=days)), hours, hours / 40,
                             weight, EVIDENCE_LEVELS[level], (f"e{n}",),
                             tuple(hours if rank >= level else Decimal(0)
                                   for rank in range(len(EVIDENCE_LEVELS)))))
        day += timedelta(days=days)
    needed = partial(needed_days, parse_duration(duration))
    assert reach_average(parts, needed, minimum) == _oracle_reach_average(parts, needed,
                                                                          minimum)


def _oracle_reach(parts: Sequence[Stretch], needed: Decimal) -> Reached | None:
    """work.reach as it was: the count summed in Fractions (the oracle)."""
    total, goal = Fraction(0), Fraction(needed)
    used: list[Stretch] = []
    for part in parts:
        used.append(part)
        if part.exact_weight > 0 and total + part.exact_days >= goal:
            days = math.ceil((goal - total) / part.exact_weight)
            return Reached(part.period.start + timedelta(days=max(days, 1) - 1),
                           weakest(s.evidence for s in used),
                           tuple(sorted({i for s in used for i in s.event_ids})),
                           parts[0].period.start)
        total += part.exact_days
    return None


@given(st.dates(min_value=date(2019, 1, 1), max_value=date(2026, 12, 31)),
       st.lists(_stretch, min_size=1, max_size=8),
       st.sampled_from([Fraction(0), Fraction(1), Fraction(1, 3), Fraction(7, 10)]),
       st.decimals(min_value=0, max_value=400, places=2))
@example(date(2024, 1, 1), [(0, 182, Fraction(1), Decimal(20), 0)], Fraction(1),
         Decimal(182))  # exactly on: the last day
@example(date(2024, 1, 1), [(0, 181, Fraction(1), Decimal(20), 0)], Fraction(1),
         Decimal(182))  # one day short
@example(date(2024, 1, 1), [(0, 100, Fraction(1, 2), Decimal(20), 0),
                            (2, 100, Fraction(5, 6), Decimal(20), 0)], Fraction(1),
         Decimal("90.5"))
def test_weighted_days_counted_in_integers_like_the_fractions(
        start: date, runs: list[tuple[int, int, Fraction, Decimal, int]], zero: Fraction,
        needed: Decimal) -> None:
    """work.reach and work.counted in integers over common denominators, against the
    Fraction sums they replaced (the oracle)."""
    parts, day = [], start
    for n, (gap, days, weight, hours, level) in enumerate(runs):
        day += timedelta(days=gap)
        parts.append(Stretch(Period(day, day + timedelta(days=days)), hours, hours / 40,
                             weight * zero if n % 3 == 2 else weight, EVIDENCE_LEVELS[level],
                             (f"e{n}",)))
        day += timedelta(days=days)
    assert reach(parts, needed) == _oracle_reach(parts, needed)
    assert counted(parts) == as_decimal(sum((p.exact_days for p in parts), Fraction(0)))


def _oracle_run(rolling: bool, periods: int, within: int | None,
                flags: Sequence[bool | None]) -> tuple[int, int] | None:
    """earnings_milestones' search for a step, as it was: a window tried at every unit."""
    usable = min(within, len(flags)) if not rolling and within is not None else len(flags)
    span = within if rolling and within else usable
    possible = [0]
    for flag in flags[:usable]:
        possible.append(possible[-1] + (flag is not False))
    for i in range(usable):
        lo = max(0, i - span + 1)
        if possible[i + 1] - possible[lo] >= periods:
            return (lo if rolling else 0, i)
    return None


@given(st.booleans(), st.integers(1, 12), st.one_of(st.none(), st.integers(1, 24)),
       st.lists(st.sampled_from([True, False, None]), max_size=60))
@example(True, 3, 6, [True, False, False, False, False, True, True, False, True])
@example(True, 9, 18, [True] * 8 + [False] * 10 + [True])  # one short in the window
def test_earnings_steps_found_like_a_window_at_every_unit(
        rolling: bool, periods: int, within: int | None, flags: list[bool | None]) -> None:
    comp = EarningsMilestones.model_validate({
        "id": "m", "kind": "earnings_milestones", "unit": "months", "min_earnings": "100.00",
        "reference": "rolling" if rolling else "service_start",
        "steps": [{"periods": periods, "within": within, "amount": "10.00"}]})
    run = _reached(comp, comp.steps[0], flags)
    assert (None if run is None else (run.first, run.last)) == _oracle_run(
        rolling, periods, within, flags)


# --- a Line made through its slots, and a price's path through its table found once -----

def _a_line(**changes: object) -> Line:
    fields_ = dict(component="fee", kind="monthly_fee", clause="c.yaml:3", customer_id="C1",
                   segment="A", provider="P", status="payable", occurrence="m01",
                   date=date(2024, 1, 31), quantity=Decimal("1"), unit_price=Decimal("930.00"),
                   amount=Decimal("930.00"), reason="service month 1",
                   evidence=("E1", "E2"), period_start=date(2024, 1, 1),
                   period_end=date(2024, 2, 1))
    fields_.update(changes)
    return Line(**fields_)  # type: ignore[arg-type]


_Day = date  # the field named ``date`` hides the type inside the class


@dataclass(frozen=True, slots=True)
class _PlainLine:
    """The same fields with the dataclass's own ``__init__``: the signature to keep."""

    component: str
    kind: str
    clause: str
    customer_id: str | None
    segment: str | None
    provider: str | None
    status: str
    occurrence: str
    date: date | None
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    reason: str
    evidence: tuple[str, ...] = ()
    period_start: _Day | None = None
    period_end: _Day | None = None
    cap: str | None = None
    uncapped: Decimal | None = None


def test_a_line_keeps_the_dataclass_interface() -> None:
    line = _a_line()
    plain = inspect.signature(_PlainLine)
    assert [(p.name, p.default, p.kind) for p in inspect.signature(Line).parameters.values()] \
        == [(p.name, p.default, p.kind) for p in plain.parameters.values()]
    values = [getattr(line, f.name) for f in dataclass_fields(Line)]
    assert Line(*values) == line and hash(Line(*values)) == hash(line)
    assert values == [getattr(_PlainLine(*values), f.name)
                      for f in dataclass_fields(_PlainLine)]
    assert line != _a_line(reason="other") and line.cap is None and line.uncapped is None
    assert pickle.loads(pickle.dumps(line)) == line
    assert dataclass_replace(line, amount=Decimal("1.00")).amount == Decimal("1.00")
    capped = line.capped_to(Decimal("100.00"), "cap 100.00")
    assert (capped.amount, capped.uncapped, capped.cap) == (Decimal("100.00"),
                                                           Decimal("930.00"), "cap 100.00")
    assert line.to_dict()["amount"] == "930.00" and line.to_dict()["period"] == {
        "start": "2024-01-01", "end": "2024-02-01"}
    with pytest.raises(FrozenInstanceError):
        line.amount = Decimal(0)  # type: ignore[misc]
    with pytest.raises(TypeError):
        Line("fee")  # type: ignore[call-arg]


def test_a_line_of_one_id_given_as_a_list_keeps_a_tuple() -> None:
    """make_line sorts only two ids or more: one id given in a list is still kept as the
    tuple the sorting gave before (a list would make the line unhashable)."""
    line = _a_line()
    component: Any = SimpleNamespace(id=line.component, kind_name=line.kind)
    written: list[Any] = [["e1"], ("e1",), [], ["e2", "e1", "e2"]]
    made = [make_line(component=component, clause=line.clause, ctx_customer=line.customer_id,
                      segment=line.segment, provider=line.provider, status=line.status,
                      occurrence=line.occurrence, on=line.date, quantity=line.quantity,
                      unit_price=line.unit_price, reason=line.reason,
                      evidence=ids)
            for ids in written]
    assert [m.evidence for m in made] == [("e1",), ("e1",), (), ("e1", "e2")]
    assert all(type(m.evidence) is tuple for m in made)
    assert made[0] == made[1] and hash(made[0]) == hash(made[1])


def _oracle_cell(segment: str | None, cell: Any, evidence: str | None, day: date,
                 kind: str | None) -> Decimal | None:
    """The walk through a price table done for every price asked (before it was found once
    per table, segment, evidence and kind)."""
    if not isinstance(cell, dict):
        return amount_at(cell, day)
    if segment is not None and segment in cell:
        return _oracle_cell(segment, cell[segment], evidence, day, kind)
    if any(k in EMPLOYMENT_KINDS for k in cell):
        if kind is not None:
            return _oracle_cell(segment, cell[kind], evidence, day, kind) if kind in cell \
                else None
        found = [v for k in EMPLOYMENT_KINDS if k in cell
                 if (v := _oracle_cell(segment, cell[k], evidence, day, None)) is not None]
        return max(found, default=None)
    if evidence is None:
        for level in EVIDENCE_LEVELS:
            if level in cell and not isinstance(cell[level], dict):
                return amount_at(cell[level], day)
        return None
    value = cell.get(evidence)
    return None if value is None or isinstance(value, dict) else amount_at(value, day)


_amounts = st.sampled_from([Decimal("930"), Decimal("930.00"), Decimal("929.99"),
                            Decimal("0")])
_dated = st.builds(lambda a, b: Dated(values={date(2024, 1, 1): a, date(2025, 1, 1): b}),
                   _amounts, _amounts)
_leaf = st.one_of(_amounts, _dated)
_by_evidence = st.dictionaries(st.sampled_from(EVIDENCE_LEVELS), _leaf, min_size=1)
_by_kind = st.dictionaries(st.sampled_from(EMPLOYMENT_KINDS),
                           st.one_of(_leaf, _by_evidence), min_size=1)
_table = st.one_of(_leaf, _by_evidence, _by_kind,
                   st.dictionaries(st.sampled_from(["A", "B"]),
                                   st.one_of(_leaf, _by_evidence, _by_kind), min_size=1))


@given(_table, st.sampled_from([None, "A", "B"]), st.sampled_from([None, *EVIDENCE_LEVELS]),
       st.sampled_from([None, *EMPLOYMENT_KINDS]),
       st.sampled_from([date(2023, 12, 31), date(2024, 1, 1), date(2024, 12, 31),
                        date(2025, 1, 1), date(2025, 1, 2)]))
def test_a_price_found_by_its_path_like_the_walk(table: Any, segment: str | None,
                                                 evidence: str | None, kind: str | None,
                                                 day: date) -> None:
    ctx = SimpleNamespace(segment=segment)
    for _ in range(2):  # the path found, then remembered
        got = CustomerContext._cell(ctx, table, evidence, day, kind)  # type: ignore[arg-type]
        want = _oracle_cell(segment, table, evidence, day, kind)
        assert got == want and str(got) == str(want)  # 930 and 930.00 told apart


def test_a_dated_amount_a_day_short_on_and_over_its_change() -> None:
    dated = Dated(values={date(2024, 1, 1): Decimal("929.99"), date(2025, 1, 1): Decimal("930.00")})
    assert [dated.at(date(2023, 12, 31)), dated.at(date(2024, 1, 1)), dated.at(date(2024, 12, 31)),
            dated.at(date(2025, 1, 1)), dated.at(date(2025, 1, 2))] == \
        [None, Decimal("929.99"), Decimal("929.99"), Decimal("930.00"), Decimal("930.00")]
    other = Dated(values={date(2024, 1, 1): Decimal("1.00")})  # its own steps, not the other's
    assert other.at(date(2025, 6, 1)) == Decimal("1.00")


# --- employment condition: runs of alike weeks counted at once ---------------------------

def _oracle_count(comp: EmploymentCondition, ctx: CustomerContext, service: Period
                  ) -> ec._Count:
    reference, reference_text = ec._reference_period(comp, ctx, service)
    units = ec._whole_units(comp.unit, reference)
    paid: Sequence[ec.Paid] = (ctx.timeline.earnings if comp.wages == "earnings"
                            else ctx.timeline.employments)
    worked = ec._worked(comp, [j for j in paid if comp.weights.get(j.kind, ec.ZERO) > 0],
                        ctx.as_of)
    spans = ec._spans(comp, worked)
    weeks = comp.unit == "weeks"
    thresholds = ec._thresholds(comp, reference) if weeks else []  # weeks: not dated
    # a unit's result depends only on the days each job worked in it (and, for months, on
    # the month's length and thresholds): units alike are worked out once per customer
    made: dict[object, ec.Unit] = {}
    count = ec._Sum()
    qualifying: list[ec.Unit] = []
    looked_at: list[ec.Unit] = []
    first = min((s for _, s, _ in spans), default=0)
    last = max((e for _, _, e in spans), default=0)
    # the units that have ended by the evaluation date are counted, the others not yet
    for k in range(bisect_right(units.last_days, ctx.as_of)):
        period, (start, end) = units.periods[k], units.days[k]
        if end <= first or last <= start:  # no work in it
            looked_at.append(units.empty[k])
            continue
        days_in = tuple((i, (end if end < e else e) - (start if start > s else s))
                        for i, s, e in spans if s < end and start < e)
        if not weeks:
            thresholds = ec._thresholds(comp, period)
        key = days_in if weeks else (days_in, period.days, tuple(thresholds))
        alike = made.get(key)
        if alike is None:
            parts, denominator = ec._parts(comp, period, worked, days_in)
            unit = made[key] = ec._unit(period, parts, denominator, thresholds, comp)
        else:
            unit = ec.Unit(period, *alike[1:])
        looked_at.append(unit)
        if not unit.qualifies:
            continue
        qualifying.append(unit)
        count.add(unit.weight)
        if count.at_least(comp.required):
            return ec._Count(reference, reference_text, list(units.periods), qualifying,
                          looked_at, count.value, unit)
    return ec._Count(reference, reference_text, list(units.periods), qualifying, looked_at,
                  count.value, None)


_CONDITION = """
components:
  - id: condition
    kind: employment_condition
    unit: {unit}
    {least}
    required: {required}
    reference_period: 12 months
    weights: {{open: 1, subsidised: 0.75}}
    amount: 3000.00
    partial: {{{partial}, counts: 0.5}}
"""
_LEAST = {"weeks": ("min_hours_per_week: 18", "min_hours_per_week: 9"),
          "months": ("min_monthly_wage: 1000.00", "min_monthly_wage: 500.00")}
_START = ("r1,c1,referral,2020-01-10,,,,acme,,2019-06-01\n"
          "s1,c1,service_start,2020-01-15\n")
_job_rows = st.lists(st.tuples(st.integers(-20, 380), st.integers(0, 200),
                               st.sampled_from(["8", "9", "17.9", "18", "18.1", "37.5"]),
                               st.sampled_from(["open", "subsidised"])), max_size=4)


def _condition_rows(jobs: list[tuple[int, int, str, str]]) -> str:
    out = _START
    for n, (first, length, hours, kind) in enumerate(jobs):
        a = date(2020, 1, 15) + timedelta(days=first)
        wage = "1000.00" if n % 2 else "600.00"
        out += (f"e{n},c1,employment,{a},,{a + timedelta(days=length)},,,,,,,,,{kind},"
                f"register,,{hours},{wage}\n")
    return out


@settings(max_examples=60, deadline=None)
@given(_job_rows, st.sampled_from(["weeks", "months"]), st.integers(1, 30),
       st.integers(0, 420))
@example([(5, 181, "37.5", "open")], "weeks", 26, 200)  # exactly on: met on its last Sunday
@example([(5, 174, "37.5", "open")], "weeks", 26, 400)  # a week short
@example([(5, 188, "37.5", "open")], "weeks", 26, 400)  # a week over
@example([(0, 300, "18", "subsidised"), (40, 10, "9", "open")], "weeks", 20, 420)
# the empty weeks before the first work and after the last are taken at once: work from a
# week's Monday (day 12), from the Sunday before (a day short), from its Tuesday (a day over)
@example([(12, 30, "37.5", "open")], "weeks", 26, 400)
@example([(11, 30, "37.5", "open")], "weeks", 26, 400)
@example([(13, 30, "37.5", "open")], "weeks", 26, 400)
# ... and work ending on the Sunday before a week (day 18), on its Monday, or the day before
@example([(5, 13, "37.5", "open")], "weeks", 26, 400)
@example([(5, 14, "37.5", "open")], "weeks", 26, 400)
@example([(5, 12, "37.5", "open")], "weeks", 26, 400)
@example([], "months", 3, 400)  # no work at all
def test_alike_weeks_counted_at_once_like_one_by_one(jobs: list[tuple[int, int, str, str]],
                                                     unit: str, required: int,
                                                     as_of: int) -> None:
    least, partial = _LEAST[unit]
    contract = contract_from(_CONDITION.format(unit=unit, required=required, least=least,
                                               partial=partial))
    rows = _condition_rows(jobs)
    day = str(date(2020, 1, 15) + timedelta(days=as_of))
    got = one(contract, rows, day)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ec, "_count", _oracle_count)
        want = one(contract, rows, day)
    assert [ln.to_dict() for ln in got.lines] == [ln.to_dict() for ln in want.lines]
    assert {k: t.to_dict() for k, t in got.traces.items()} == \
        {k: t.to_dict() for k, t in want.traces.items()}


@given(st.integers(0, 40), st.integers(1, 8), st.integers(1, 30),
       st.sampled_from([Fraction(1), Fraction(3, 4), Fraction(3, 8), Fraction(1, 2)]))
def test_units_to_a_count_like_adding_one_by_one(done: int, over: int, required: int,
                                                 weight: Fraction) -> None:
    total = ec._Sum()
    total.add(Fraction(done, over))
    if total.at_least(required):
        return
    need = total.units_to(required, weight)
    step, n = ec._Sum(), 0
    step.add(Fraction(done, over))
    while not step.at_least(required):
        step.add(weight)
        n += 1
    assert need == n
    assert ec._Sum().units_to(1, Fraction(0)) is None


def _oracle_count_text(value: Fraction | Decimal) -> str:
    """``count_text`` through a Fraction made of the value (before: one per count shown)."""
    frac = Fraction(value)
    if frac.denominator == 1:
        return str(frac.numerator)
    dec = (Decimal(frac.numerator) / Decimal(frac.denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_DOWN)
    return f"{dec.normalize():f}"


@given(st.one_of(st.fractions(min_value=0, max_value=200, max_denominator=400),
                 st.decimals(min_value=0, max_value=200, places=3)))
@example(Fraction(2599, 100))  # 25.99, never 26
@example(Fraction(25999, 1000))  # 25.999 cut to 25.99
@example(Decimal("26.000"))  # a whole number written with places
@example(Fraction(26))
def test_count_text_without_a_fraction_like_with_one(value: Fraction | Decimal) -> None:
    assert count_text(value) == _oracle_count_text(value)


_CHANGES = {date(2024, 1, 1): Decimal("929.99"), date(2024, 7, 1): Decimal("930.00"),
            date(2025, 1, 1): Decimal("944")}


@given(st.lists(st.dates(min_value=date(2023, 12, 1), max_value=date(2025, 2, 1)),
                max_size=40).map(sorted))
@example([date(2023, 12, 31), date(2024, 1, 1), date(2024, 6, 30), date(2024, 7, 1),
          date(2024, 7, 2), date(2024, 12, 31), date(2025, 1, 1)])  # short, on, over
def test_a_dated_amount_over_days_like_each_day_asked(days: list[date]) -> None:
    dated = Dated(values=_CHANGES)
    assert dated.over(days) == [dated.at(d) for d in days]
    assert [str(v) for v in amounts_over(dated, days)] == [str(dated.at(d)) for d in days]
    assert amounts_over(Decimal("930"), days) == [Decimal("930")] * len(days)
    assert amounts_over(None, days) == [None] * len(days)


def test_a_dated_amount_over_days_out_of_order_is_refused() -> None:
    with pytest.raises(ValueError, match="out of order"):
        Dated(values=_CHANGES).over([date(2024, 7, 1), date(2024, 6, 30)])


@given(st.lists(st.tuples(st.integers(0, 400), st.integers(0, 60),
                          st.fractions(min_value=0, max_value=1, max_denominator=12)),
                max_size=8))
@example([(0, 12, Fraction(5, 6))])  # twelve days at 5/6 are exactly 10
@example([])
def test_covered_days_in_integers_like_a_sum_of_fractions(
        runs: list[tuple[int, int, Fraction]]) -> None:
    first = date(2020, 1, 1)
    pieces = [(Period(first + timedelta(days=a), first + timedelta(days=a + n)), v)
              for a, n, v in runs]
    want = sum((value * piece.days for piece, value in pieces), Fraction(0))
    assert covered_days(pieces) == want
    assert (covered_days(pieces).numerator, covered_days(pieces).denominator) == \
        (want.numerator, want.denominator)


# --- caps: lines within every limit are not sorted -------------------------------------------

_cap_lines = st.lists(st.tuples(st.sampled_from(["a", "b"]),
                                st.sampled_from(["payable", "pending", "not_earned"]),
                                st.sampled_from([Decimal("-100.00"), Decimal("0.00"),
                                                 Decimal("0.01"), Decimal("929.99"),
                                                 Decimal("930.00"), Decimal("1500.00")]),
                                st.integers(1, 28)), max_size=8)


@given(_cap_lines, st.sampled_from([None, Decimal("0"), Decimal("929.99"), Decimal("930.00"),
                                    Decimal("930.01"), Decimal("3000.00")]),
       st.booleans())
@example([("a", "payable", Decimal("930.00"), 1)], Decimal("930.00"), False)  # exactly on
@example([("a", "payable", Decimal("930.00"), 1)], Decimal("929.99"), False)  # a cent short
@example([("a", "payable", Decimal("930.00"), 1), ("a", "pending", Decimal("-100.00"), 2)],
         Decimal("929.99"), True)  # a reduction does not make room for the line before it
def test_caps_within_the_limits_like_the_walk_in_accrual_order(
        specs: list[tuple[str, str, Decimal, int]], limit: Decimal | None,
        by_component: bool) -> None:
    from rewardengine.evaluate.caps import _cut_in_order, apply_cap
    lines = [_a_line(component=c, status=s, amount=a, date=date(2024, 1, d),
                     occurrence=f"m{k:02d}") for k, (c, s, a, d) in enumerate(specs)]

    def limit_of(line: Line) -> Decimal | None:
        return limit

    def group_of(line: Line) -> str:
        return line.component if by_component else "customer"

    def label(line: Line) -> str:
        return "the cap"

    assert apply_cap(lines, limit_of, group_of, label) == \
        _cut_in_order(lines, limit_of, group_of, label)


# --- work.py: a stretch of one job takes that job's values ---------------------------------

def _oracle_stretch(period: Period, active: list[Employment], weights: dict[str, Decimal],
                    qualifies: Callable[[Sequence[Employment]], bool]) -> Stretch:
    """A qualifying stretch as work.py made every one before: sums over its jobs, the best
    weight of a group that qualifies, the strongest evidence whose jobs qualify the day."""
    from rewardengine.work import _day_evidence, _level_hours, job_fte
    return Stretch(period, sum((job_hours(j) for j in active), Decimal(0)),
                   sum((job_fte(j) for j in active), Decimal(0)),
                   _day_weight(active, weights, FULL_TIME_HOURS, qualifies),
                   _day_evidence(active, qualifies),
                   tuple(sorted(j.event_id for j in active)),
                   _level_hours(active, FULL_TIME_HOURS))


_stretch_job = st.tuples(st.integers(0, 60), st.integers(0, 60),
                         st.sampled_from(["open", "subsidised"]),
                         st.sampled_from(["29.9", "30", "30.0", "30.1", "40.00"]),
                         st.sampled_from([None, "0.8", "0.79", "0.80"]),
                         st.sampled_from(EVIDENCE_LEVELS))


@given(st.lists(_stretch_job, min_size=1, max_size=3),
       st.sampled_from([None, Decimal("30")]), st.sampled_from([None, Decimal("0.8")]))
@example([(0, 29, "open", "30", None, "employer")], Decimal("30"), None)  # exactly on
@example([(0, 29, "open", "29.9", None, "employer")], Decimal("30"), None)  # just short
@example([(0, 29, "open", "40.00", "0.80", "self_report")], None, Decimal("0.8"))
def test_stretches_of_one_job_like_the_sums(jobs: list[tuple[int, int, str, str, str | None,
                                                               str]],
                                            min_hours: Decimal | None,
                                            min_fte: Decimal | None) -> None:
    from rewardengine.work import _meets, stretches
    weights = {"open": Decimal(1), "subsidised": Decimal("0.5")}
    start = date(2024, 1, 1)
    made = [Employment.model_validate({
        "event_id": f"e{i}", "customer_id": "c1", "type": "employment",
        "date": str(start + timedelta(days=a)), "end": str(start + timedelta(days=a + n)),
        "hours_per_week": hours if fte is None else None, "fte": fte, "kind": kind,
        "evidence": level}) for i, (a, n, kind, hours, fte, level) in enumerate(jobs)]
    within = Period(start, start + timedelta(days=200))

    def qualifies(group: Sequence[Employment]) -> bool:
        return bool(group) and _meets(group, min_hours, min_fte, FULL_TIME_HOURS)

    got = stretches(made, weights, within, date(2025, 1, 1), min_hours, min_fte)
    for s in got:
        active = [j for j in made if j.event_id in s.event_ids]
        want = _oracle_stretch(s.period, active, weights, qualifies)
        assert (s, [str(v) for v in s.level_hours], str(s.hours), str(s.fte)) == \
            (want, [str(v) for v in want.level_hours], str(want.hours), str(want.fte))


@given(st.lists(_stretch_job, min_size=1, max_size=4), st.integers(0, 70), st.integers(0, 70),
       st.sampled_from([None, Decimal("30")]))
@example([(9, 10, "open", "30", None, "register")], 10, 20, None)  # a job over the boundary
@example([(0, 9, "open", "30", None, "register")], 10, 20, None)  # ends the day before it
@example([(0, 10, "open", "30", None, "register")], 10, 20, None)  # ends on it
def test_stretches_of_a_span_cut_to_a_period_like_those_of_the_period(
        jobs: list[tuple[int, int, str, str, str | None, str]], cut: int, more: int,
        min_hours: Decimal | None) -> None:
    """work_history finds the stretches of its baseline and comparison periods once, over
    both, and cuts them to each: the same runs, states and jobs as found in each period."""
    from rewardengine.work import stretches
    weights = {"open": Decimal(1), "subsidised": Decimal("0.5")}
    start = date(2024, 1, 1)
    made = [Employment.model_validate({
        "event_id": f"e{i}", "customer_id": "c1", "type": "employment",
        "date": str(start + timedelta(days=a)), "end": str(start + timedelta(days=a + n)),
        "hours_per_week": hours if fte is None else None, "fte": fte, "kind": kind,
        "evidence": level}) for i, (a, n, kind, hours, fte, level) in enumerate(jobs)]
    first = Period(start, start + timedelta(days=cut))
    second = Period(start + timedelta(days=cut), start + timedelta(days=cut + more))
    span = Period(first.start, second.end)
    as_of = date(2025, 1, 1)
    whole = stretches(made, weights, span, as_of, min_hours)
    for period in (first, second):
        cut_parts = [(days, p.exact_weight, p.evidence, p.event_ids) for p in whole
                     if (days := p.period.clip(period)) is not None]
        alone = [(p.period, p.exact_weight, p.evidence, p.event_ids)
                 for p in stretches(made, weights, period, as_of, min_hours)]
        assert cut_parts == alone


@given(st.dates(date(1900, 1, 1), date(2999, 12, 1)), st.integers(0, 400))
@example(date(2020, 1, 1), 0)  # empty
@example(date(2020, 1, 1), 1)  # one day: its first day is its last
@example(date(2020, 2, 1), 29)  # February of a leap year
def test_a_period_in_words_like_its_last_day_formatted(start: date, days: int) -> None:
    """A period's words are written from the dates' isoformat directly: the same as the
    formatted start and ``last_day``."""
    period = Period(start, start + timedelta(days=days))
    want = f"{period.start}..{period.last_day}" if period.days else f"{period.start} (empty)"
    assert str(period) == want


def _lost_on_day_by_day(target: Fraction, period: Period,
                        pieces: Sequence[tuple[Period, Fraction]], best: Fraction) -> date:
    """work_history's day the minimum went out of reach, as it was found before: day by
    day, the days counted so far and every later day at its best."""
    if period.days * best < target:
        return period.start
    counted = _days_of(pieces)
    running = Fraction(0)
    day = period.start
    while day < period.end:
        running += counted.get(day, Fraction(0))
        if running + (period.end - day - timedelta(days=1)).days * best < target:
            return day
        day += timedelta(days=1)
    return period.last_day


@given(_runs, st.lists(st.fractions(min_value=Fraction(1, 12), max_value=1,
                                    max_denominator=12), min_size=6, max_size=6),
       st.fractions(min_value=Fraction(1, 2), max_value=2, max_denominator=4),
       st.integers(0, 200), st.fractions(min_value=0, max_value=150, max_denominator=6),
       st.integers(30, 200))
@example([(0, 10)], [Fraction(1)] * 6, Fraction(1), 20, Fraction(0), 40)
@example([], [Fraction(1)] * 6, Fraction(1), 39, Fraction(0), 40)  # a full period: a day over
@example([], [Fraction(1)] * 6, Fraction(1), 40, Fraction(0), 40)  # exactly reachable
@example([], [Fraction(1)] * 6, Fraction(1), 41, Fraction(0), 40)  # one day short
@example([(0, 39)], [Fraction(1)] * 6, Fraction(1), 40, Fraction(0), 40)  # the last day decides
def test_the_day_out_of_reach_by_runs_is_the_day_walked_to(
        work_runs: list[tuple[int, int]], weights: list[Fraction], best: Fraction,
        minimum: int, before: Fraction, days: int) -> None:
    period = Period(date(2024, 2, 10), date(2024, 2, 10) + timedelta(days=days))
    work: list[tuple[Period, Fraction]] = []
    day = period.start
    for (gap, n), weight in zip(work_runs, weights[:len(work_runs)], strict=True):
        first = day + timedelta(days=gap)
        last = min(first + timedelta(days=n), period.end)
        if first >= last:
            break
        work.append((Period(first, last), weight))
        day = last
    pieces = covered_pieces(work, [])
    best = max([best, *(w for _, w in pieces)])  # what a day counts at most
    comp = SimpleNamespace(min_extra_days=minimum)
    c = SimpleNamespace(before=SimpleNamespace(exact=before), comparison=period,
                        during=SimpleNamespace(pieces=pieces))
    assert _lost_on(comp, c, best) == _lost_on_day_by_day(  # type: ignore[arg-type]
        before + minimum, period, pieces, best)
