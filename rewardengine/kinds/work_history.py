"""work_history: pay per extra day in work or education during the service, compared with the
same length of time before it (Palvelumanageri).

Rules (docs/contract-language.md):

* Comparison: ``[service start + comparison.from, that + comparison.length)``; ``from``
  defaults to 0 and ``length`` to ``baseline``. Baseline: when ``comparison.length`` is left
  out or written as ``baseline`` (equal lengths), as many days as the comparison period,
  ending the day before the service start — 12 months are 365 or 366 days, so equal months
  are compared in days (a comparison 2019-03-01..2020-02-29 of 366 days has the baseline
  2018-02-28..2019-02-28); otherwise ``[service start - baseline, service start)``, and the
  two counts are compared as they are. Neither is cut by the service or follow-up window.
* A day counts when it is covered by qualifying work (``work``: the thresholds and kind
  weights of employment_outcome, see rewardengine/work.py) and/or an education event
  (``date`` to ``end`` inclusive; no ``end``: ongoing), as ``count`` selects. Facts count only
  up to and including ``as_of``.
* Each day counts once, however many facts cover it, at the highest weight among them: an
  education day counts 1; a work day counts its jobs' hours-weighted kind weight (1 unless the
  contract weights a kind otherwise). So overlapping work and education is one day.
* Extra days = comparison days - baseline days. Once the comparison period has ended
  (``as_of`` on or after its last day) the line is payable on its last day with quantity = extra
  days at ``rate`` if extra >= ``min_extra_days``, else not_earned. ``rate`` may be priced by
  evidence level: the weakest evidence of the jobs counted in the comparison period decides
  (with only education days, the best-priced level). The component's ``cap`` is applied by
  the engine.
* Before then: pending with the days so far (quantity: the extra days already secured, if at
  least ``min_extra_days``, else 0); not_earned early when even counting every remaining day
  of the comparison period could not reach ``min_extra_days``, dated the day it went out of
  reach (the first day after which the days so far, with every later day counted, stay
  below it).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction
from functools import lru_cache
from itertools import pairwise
from typing import Literal

from pydantic import Field

from ..contract.model import (
    ComparisonPeriod,
    ComponentBase,
    ContractBase,
    Price,
    PriceTable,
    QualifyingWork,
    WorkRules,
    most_of,
)
from ..evaluate.context import CustomerContext
from ..evaluate.lines import Line, Status
from ..evaluate.trace import Step, Trace
from ..periods import ONE_DAY, Period, baseline_and_comparison
from ..values import Duration, LengthField, WholeNumber, money_text, once
from ..work import Stretch, as_decimal, stretches, weakest
from .base import CustomerKind, Outcome


class WorkHistory(ComponentBase):
    kind: Literal["work_history"]
    baseline: LengthField
    comparison: ComparisonPeriod = Field(default_factory=ComparisonPeriod)
    count: list[Literal["work", "education"]] = Field(min_length=1)
    work: QualifyingWork = Field(default_factory=QualifyingWork)
    rate: Price
    min_extra_days: WholeNumber = Field(default=1, ge=1)

    def price_tables(self) -> list[PriceTable]:
        return [PriceTable(("rate",), self.rate, "rate", "rate", by_evidence=True),
                *super().price_tables()]

    def work_rules(self) -> WorkRules | None:
        w = self.work
        return WorkRules({str(k): v for k, v in w.kinds.items()}, ("work", "kinds"),
                         w.min_hours_per_week, ("work", "min_hours_per_week"),
                         w.full_time_hours, must_count=False, reachable=False)

    def best_day(self) -> Decimal:
        """The most one day can count: an education day 1, a work day its kind's weight."""
        day_values: list[Decimal] = []
        if "education" in self.count:
            day_values.append(Decimal(1))
        if "work" in self.count:
            day_values.extend(self.work.kinds.values())
        return max(day_values, default=Decimal(0))

    def most_paid(self, contract: ContractBase, seen: frozenset[str] = frozenset()
                  ) -> Decimal | None:
        # every day of the longest comparison period extra, at the best a day counts
        days = (self.comparison.length or self.baseline).max_days()
        top = most_of(self.rate)
        return None if top is None else days * self.best_day() * top

ZERO = Decimal(0)
ONE = Decimal(1)


@dataclass(frozen=True, slots=True)
class Covered:
    """The days of one period covered by counting facts."""

    days: Decimal  # weighted day count
    event_ids: tuple[str, ...]
    evidence: tuple[str, ...]  # evidence levels of the jobs that counted
    exact: Fraction = Fraction(0)  # the same count, exactly
    # runs of covered days, in order and apart, each with what one of its days counts
    pieces: tuple[tuple[Period, Fraction], ...] = ()


def number(value: Decimal) -> str:
    """A day count for a reason: ``47``, ``47.5``."""
    return f"{value.normalize():f}" if value else "0"


def count(value: Fraction) -> str:
    """An exact count for a reason, to two places (cut, never rounded up): ``184.5``,
    ``49.72``."""
    cut = as_decimal(value).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    return number(cut)


def work_parts(comp: WorkHistory, ctx: CustomerContext, span: Period) -> list[Stretch]:
    """The qualifying stretches of work inside ``span`` (none when work does not count),
    found once for the baseline and the comparison period together: a stretch is a run of
    days in one state, so those of either period are the ones of ``span`` cut to it."""
    if "work" not in comp.count:
        return []
    rules = comp.work
    weights = {str(k): v for k, v in rules.kinds.items()}
    return stretches(ctx.timeline.employments, weights, span, ctx.as_of,
                     rules.min_hours_per_week, rules.min_fte, rules.full_time_hours)


def covered(comp: WorkHistory, ctx: CustomerContext, period: Period,
            parts: Sequence[Stretch]) -> Covered:
    """The days of ``period`` in work (``parts``: ``work_parts`` of a span holding it) or in
    education."""
    if not parts and ("education" not in comp.count or not ctx.timeline.educations):
        return _NOTHING  # nothing to count (most customers before their service)
    ids: set[str] = set()
    evidence: set[str] = set()
    work: list[tuple[Period, Fraction]] = []
    for part in parts:
        if part.exact_weight <= 0 or (days := part.period.clip(period)) is None:
            continue
        ids.update(part.event_ids)
        evidence.add(part.evidence)
        work.append((days, part.exact_weight))
    schooling: list[Period] = []
    if "education" in comp.count:
        for edu in ctx.timeline.educations:
            last = min(edu.end or ctx.as_of, ctx.as_of)
            if last < edu.date:
                continue
            clipped = Period(edu.date, last + ONE_DAY).clip(period)
            if clipped is None:
                continue
            ids.add(edu.event_id)
            schooling.append(clipped)
    pieces = covered_pieces(work, schooling)
    total = covered_days(pieces)
    return Covered(as_decimal(total), tuple(sorted(ids)), tuple(sorted(evidence)), total,
                   pieces)


_NOTHING = Covered(as_decimal(Fraction(0)), (), (), Fraction(0), ())  # no day covered
_WHOLE_DAY = Fraction(1)  # a day of education counts whole (made once, not per run)


def covered_days(pieces: Sequence[tuple[Period, Fraction]]) -> Fraction:
    """The days the pieces cover, each at its value, summed exactly (twelve days at 5/6 are
    10 days, not 9.99...): in integers over the values' common denominator, one Fraction
    made at the end, not one per piece."""
    common = math.lcm(*(value.denominator for _, value in pieces)) if pieces else 1
    return Fraction(sum(value.numerator * (common // value.denominator) * piece.days
                        for piece, value in pieces), common)


def covered_pieces(work: Sequence[tuple[Period, Fraction]], schooling: Sequence[Period]
                   ) -> tuple[tuple[Period, Fraction], ...]:
    """Runs of days covered by work stretches (apart from one another, each at its weight)
    and education periods (which may overlap, each day at 1), a day counting the highest of
    what covers it: the days are cut where any fact starts or ends, never walked one by
    one."""
    bounds = sorted({d for p, _ in work for d in (p.start, p.end)}
                    | {d for p in schooling for d in (p.start, p.end)})
    out: list[tuple[Period, Fraction]] = []
    for start, end in pairwise(bounds):
        values = [w for p, w in work if p.start <= start and end <= p.end]
        if any(p.start <= start and end <= p.end for p in schooling):
            values.append(_WHOLE_DAY)
        if not values:
            continue
        value = max(values)
        if out and out[-1][0].end == start and out[-1][1] == value:
            out[-1] = (Period(out[-1][0].start, end), value)
        else:
            out.append((Period(start, end), value))
    return tuple(out)


@dataclass(frozen=True)
class _Compared:
    """The days in work or education before the service and during it."""

    baseline: Period
    comparison: Period
    before: Covered
    during: Covered
    price: Decimal | None  # at the weakest evidence of the work during; None: not priced
    evidence: str | None
    # the extra days, exactly: read several times in a line's words, worked out once
    extra_exact: Fraction = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "extra_exact", self.during.exact - self.before.exact)

    @property
    def extra(self) -> Decimal:
        return as_decimal(self.extra_exact)

    @property
    def before_text(self) -> str:
        """``184 before (2018-02-28..2019-02-28)``."""
        return f"{number(self.before.days)} before ({self.baseline})"

    @property
    def ids(self) -> list[str]:
        return sorted({*self.before.event_ids, *self.during.event_ids})


def _rules(comp: WorkHistory) -> tuple[str, ...]:
    """The component's rule in words, the same for every customer: written once."""
    return (f"pays each extra day in {' or '.join(comp.count)} during the comparison period "
            f"over the {comp.baseline} before the service; at least {comp.min_extra_days} "
            "extra days",)


def evaluate(comp: WorkHistory, ctx: CustomerContext, prior: Sequence[Line]) -> Outcome:
    rules = once(_rules, comp)
    any_price = ctx.price(comp.rate)
    if any_price is None:
        return Outcome([ctx.line(comp, status="not_earned", occurrence="once", on=None,
                                 quantity=ZERO, unit_price=ZERO,
                                 reason=f"no price for segment {ctx.segment}")],
                       Trace(rules))
    if ctx.service is None:
        status, reason, on = ctx.without_service("waiting for the service start")
        return Outcome([ctx.line(comp, status=status, occurrence="once", on=on, quantity=ZERO,
                                 unit_price=any_price, reason=reason)], Trace(rules))
    baseline, comparison = _periods(comp, ctx.service.start)
    parts = work_parts(comp, ctx, Period(min(baseline.start, comparison.start),
                                         max(baseline.end, comparison.end)))
    before = covered(comp, ctx, baseline, parts)
    during = covered(comp, ctx, comparison, parts)
    evidence = weakest(during.evidence) if during.evidence else None
    price = ctx.price(comp.rate, evidence, on=comparison.last_day) if evidence else (
        ctx.price(comp.rate, on=comparison.last_day) or any_price)
    c = _Compared(baseline, comparison, before, during, price, evidence)
    line = _decided(comp, ctx, c) if ctx.as_of >= comparison.last_day else _running(comp, ctx, c)
    def steps() -> tuple[Step, ...]:
        return (Step("baseline", f"before the service, {baseline}: {number(before.days)} days",
                     baseline.start, baseline.end, before.days, before.event_ids),
                Step("comparison", f"during the service, {comparison}: "
                     f"{number(during.days)} days", comparison.start, comparison.end,
                     during.days, during.event_ids))

    return Outcome([line], Trace(rules, steps))


def _periods(comp: WorkHistory, start: date) -> tuple[Period, Period]:
    """The baseline and the comparison period (``_periods_from``)."""
    return _periods_from(comp.baseline, comp.comparison.from_, comp.comparison.length, start)


@lru_cache(maxsize=4096)  # customers share service starts: worked out once for each
def _periods_from(baseline_length: Duration, offset: Duration | None,
                  length: Duration | None, start: date) -> tuple[Period, Period]:
    """The baseline and the comparison period. Written alike (``comparison.length`` left out
    or equal to ``baseline``), the baseline is as many days as the comparison period, ending
    the day before the service start: 12 months are 365 or 366 days, and equal lengths are
    compared in days. Written differently, both are as written and their days are compared
    as counted."""
    baseline, comparison = baseline_and_comparison(start, baseline_length, offset, length)
    if length in (None, baseline_length):
        baseline = Period(start - timedelta(days=comparison.days), start)
    return baseline, comparison


def _texts(comp: WorkHistory, c: _Compared, so_far: bool, sign: str
           ) -> tuple[str, str, str]:
    """(the comparison in words, the rate in words, a note on an unpriced level)."""
    what = " or ".join(comp.count)
    unit_price = c.price if c.price is not None else ZERO
    no_price = "" if c.price is not None else (
        f"; the contract has no price for evidence level {c.evidence}")
    vs = (f"{number(c.during.days)} days in {what} {'so far ' if so_far else ''}during "
          f"{c.comparison} vs {c.before_text}")
    return vs, f"{money_text(unit_price)} {sign} per extra day", no_price


def _decided(comp: WorkHistory, ctx: CustomerContext, c: _Compared) -> Line:
    vs, rate, no_price = _texts(comp, c, False, ctx.currency_sign)
    extra = c.extra

    def line(status: Status, quantity: Decimal, unit_price: Decimal, reason: str) -> Line:
        return ctx.line(comp, status=status, occurrence="once", on=c.comparison.last_day,
                        quantity=quantity, unit_price=unit_price, evidence=c.ids,
                        period=c.comparison, reason=reason)

    shown = c.price if c.price is not None else ZERO
    if c.extra_exact <= 0:
        return line("not_earned", ZERO, shown, f"{vs}: no increase")
    if c.extra_exact < comp.min_extra_days:
        return line("not_earned", extra, shown,
                    f"{vs}: {count(c.extra_exact)} extra, below the minimum of "
                    f"{comp.min_extra_days} extra days")
    if c.price is None:
        return line("not_earned", extra, ZERO,
                    f"{vs}: {count(c.extra_exact)} extra days{no_price}")
    evidence_text = f", weakest work evidence {c.evidence}" if c.evidence else ""
    return line("payable", extra, c.price,
                f"{vs}: {count(c.extra_exact)} extra days at {rate}{evidence_text}")


def _running(comp: WorkHistory, ctx: CustomerContext, c: _Compared) -> Line:
    """The comparison period is still running: the days after as_of may still count."""
    so_far, rate, no_price = _texts(comp, c, True, ctx.currency_sign)
    extra, comparison = c.extra, c.comparison
    from_day = max(comparison.start, ctx.as_of + ONE_DAY)
    remaining = max((comparison.end - from_day).days, 0)
    best_day = comp.best_day()
    unit_price = c.price if c.price is not None else ZERO
    if c.extra_exact + remaining * Fraction(best_day) < comp.min_extra_days:
        return ctx.line(comp, status="not_earned", occurrence="once",
                        on=_lost_on(comp, c, Fraction(best_day)), quantity=ZERO,
                        unit_price=unit_price,
                        evidence=c.ids, period=comparison,
                        reason=f"can no longer be earned: {so_far}; even with every one of "
                               f"the {remaining} remaining days the increase would stay "
                               f"below {comp.min_extra_days} extra days")
    target = as_decimal(c.before.exact + comp.min_extra_days)
    secured = extra if c.extra_exact >= comp.min_extra_days else ZERO
    if secured:
        todo = (f"{count(c.extra_exact)} extra days secured so far at {rate}; more days count "
                f"until {comparison.last_day}")
    else:
        todo = (f"needs {count(Fraction(target - c.during.days))} more days by "
                f"{comparison.last_day} "
                f"for the minimum of {comp.min_extra_days} extra days, then {rate}")
    return ctx.line(comp, status="pending", occurrence="once", on=comparison.last_day,
                    quantity=secured, unit_price=unit_price, evidence=c.ids, period=comparison,
                    reason=f"{so_far}; {todo}{no_price}")


def _lost_on(comp: WorkHistory, c: _Compared, best: Fraction) -> date:
    """The day the minimum went out of reach: the first day of the comparison period after
    which the days counted so far, with every later day at its best, stay below it (its
    first day when even a full period could not reach it).

    Worked out a run of days at a time, not day by day (a year of days, each a sum of
    fractions, was about 3 % of a forecast's time): on the ``i``-th day of a run whose days
    each count ``v`` (0 between the covered runs), the days so far with the rest at their
    best come to ``first + i * (v - best)``, ``first`` that sum on its first day, so the
    first day below the target is found by one division."""
    target = c.before.exact + comp.min_extra_days
    period = c.comparison
    if period.days * best < target:
        return period.start
    end = period.end.toordinal()
    running = Fraction(0)
    for start, stop, value in _runs(c.during.pieces, period):
        first = running + value + (end - start - 1) * best  # on the run's first day
        if first < target:
            return date.fromordinal(start)
        if value < best:  # each later day of the run brings the sum down by best - value
            i = (first - target) // (best - value) + 1
            if i < stop - start:
                return date.fromordinal(start + i)
        running += (stop - start) * value
    return period.last_day


def _runs(pieces: Sequence[tuple[Period, Fraction]], period: Period
          ) -> Iterator[tuple[int, int, Fraction]]:
    """``period`` as runs of days (first and end as day numbers) and what each of their
    days counts: the covered ``pieces`` (in order, apart, inside it) and the days between
    them at 0."""
    at = period.start.toordinal()
    for piece, value in pieces:
        start, stop = piece.start.toordinal(), piece.end.toordinal()
        if at < start:
            yield at, start, _NO_DAY
        yield start, stop, value
        at = stop
    if at < period.end.toordinal():
        yield at, period.end.toordinal(), _NO_DAY


_NO_DAY = Fraction(0)  # what a day no fact covers counts


KIND = CustomerKind(WorkHistory, evaluate, reads=frozenset({"employment", "education"}))
