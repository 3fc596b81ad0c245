"""Lint: warnings for procurement officers about traps in a contract that validated.

``lint(loaded)`` returns warnings (``Problem`` with ``Severity.WARNING``, codes ``W0xx``), each
located at the key concerned, in file order. Every check, why it matters and how to accept it
is described in docs/lint.md. A contract accepts a warning on purpose with
``accept: [{code: W005, component: monthly, reason: "..."}]``; an accept entry that matches
no warning is itself a warning (W000), so stale entries do not pile up.

Reachability (W001, W008, W017) is decided without events: for every possible service start
in a four-year cycle (so every month length and leap-day position occurs) the window and the
threshold are laid out exactly as the engine does it (durations added to the anchor), with
work counted from the first day of the service at the highest weight any kind has. A
threshold is reported only when it is out of reach for every start, or within reach only for a
customer who works every single day from the first day: never on a guess.

Pure: no clock, no I/O, no printing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal
from typing import Any, Literal

from ..errors import Problem, Source, sorted_problems
from ..periods import ONE_DAY
from ..values import Duration, money_text
from .checks import EVIDENCE_PRICED
from .load import LoadedContract
from .model import (
    EVIDENCE_LEVELS,
    BenefitReduction,
    CapacityFee,
    Component,
    Contract,
    EmploymentCondition,
    EmploymentOutcome,
    EventFee,
    HourlyFee,
    Milestones,
    MonthlyFee,
    ReimbursedExpenses,
    SurveyAdjustment,
    WorkHistory,
)

Path = tuple[str | int, ...]

# every service start from 2019-01-01 to 2022-12-31: each day of the year, each month length,
# each position relative to a leap day (Gregorian century years aside)
_CYCLE: tuple[date, ...] = tuple(date(2019, 1, 1) + timedelta(days=i) for i in range(1461))

HOURS_IN_WEEK = Decimal(168)
MAX_FACTOR = Decimal(2)

# words for the codes, used in W000 messages and docs/lint.md
TITLES: dict[str, str] = {
    "W000": "accept entry that matches no warning",
    "W001": "outcome or phase that cannot be reached",
    "W002": "full price for self-reported evidence",
    "W003": "a fee without bound and no cap",
    "W004": "no cap at all",
    "W005": "periodic fee lost when the customer does not answer",
    "W006": "outcome fee that requires serving a customer who already works",
    "W007": "price falls as distance from the labour market grows",
    "W008": "late referrals cannot reach the outcome before the deadline",
    "W009": "subsidised work counted at full weight",
    "W010": "capacity fee outside the contract's validity",
    "W011": "grace longer than the follow-up",
    "W012": "survey multiplier above 2",
    "W013": "fee paid on referral",
    "W014": "published prices without a source",
    "W015": "monthly fee lost for a month cut short",
    "W016": "a single fee larger than a cap",
    "W017": "outcomes reachable after the contract ends, with no cut-off",
}


@dataclass(frozen=True)
class _Found:
    problem: Problem
    component: str | None


def lint(loaded: LoadedContract) -> list[Problem]:
    """Warnings for a contract that validated; accepted ones dropped, unused accepts W000."""
    found = list(_all(loaded))
    accepted = loaded.contract.accept
    used = [False] * len(accepted)
    kept: list[Problem] = []
    for f in found:
        hits = [i for i, a in enumerate(accepted) if a.code == f.problem.code
                and (a.component is None or a.component == f.component)]
        for i in hits:
            used[i] = True
        if not hits:
            kept.append(f.problem)
    component_ids = {c.id for c in loaded.contract.components}
    for i, entry in enumerate(accepted):
        if used[i]:
            continue
        what = f"{entry.code}" + (f" for component '{entry.component}'"
                                  if entry.component is not None else "")
        elsewhere = sorted({f"'{f.component}'" for f in found
                            if f.problem.code == entry.code and f.component is not None})
        if entry.component is not None and entry.component not in component_ids:
            why = f"no component has id '{entry.component}'"
        elif entry.code == "W000":
            why = "W000 itself cannot be accepted"
        elif entry.code not in TITLES:
            why = f"there is no lint check {entry.code}"
        elif elsewhere:
            why = f"{entry.code} is raised only for {', '.join(elsewhere)}"
        else:
            why = f"the contract does not trigger it ({TITLES[entry.code]})"
        kept.append(_problem(loaded, "W000", f"accept entry {what} matches no warning: {why}; "
                             "remove the entry or correct its code or component",
                             ("accept", i)))
    return sorted_problems(kept)


# --- helpers ----------------------------------------------------------------------------

def _src(lc: LoadedContract, path: Path) -> Source:
    """The key itself when ``path`` ends at a mapping key, else the value (or nearest parent)."""
    if path in lc.doc.key_marks:
        return lc.doc.key_source(path)
    return lc.source(*path)


def _problem(lc: LoadedContract, code: str, message: str, path: Path) -> Problem:
    return Problem(code, message, _src(lc, path))


def _warn(lc: LoadedContract, code: str, message: str, path: Path,
          component: str | None = None) -> _Found:
    return _Found(_problem(lc, code, message, path), component)


def _name(comp: Component) -> str:
    return f"{comp.kind.replace('_', ' ')} '{comp.id}'"


def _longer(a: Duration, b: Duration) -> bool:
    """``a`` is certainly longer than ``b``, for every anchor date."""
    if a.unit == b.unit:
        return a.count > b.count
    return a.min_days() > b.max_days()


def _span(low: int, high: int, unit: str = "days") -> str:
    return f"{low} {unit}" if low == high else f"{low} to {high} {unit}"


def _max_weight(weights: Mapping[Any, Decimal]) -> Decimal:
    return max((w for w in weights.values()), default=Decimal(0))


def _weight_words(weights: Mapping[Any, Decimal]) -> str:
    return ", ".join(f"{k} {v}" for k, v in weights.items())


def _after(duration: Duration, anchor: date) -> date:
    """``duration.after(anchor)``, or ``date.max`` when that is beyond the calendar."""
    try:
        return duration.after(anchor)
    except (OverflowError, ValueError):
        return date.max


def _plus(anchor: date, days: int) -> date:
    try:
        return anchor + timedelta(days=days)
    except OverflowError:
        return date.max


def _ceil_div(days: int, weight: Decimal) -> int:
    return int((Decimal(days) / weight).to_integral_value(rounding=ROUND_CEILING))


def _all(lc: LoadedContract) -> Iterator[_Found]:
    c = lc.contract
    reach = _Reach(lc)
    for i, comp in enumerate(c.components):
        yield from reach.component(i, comp)
    yield from _evidence(lc)
    yield from _bounds(lc)
    for i, comp in enumerate(c.components):
        base: Path = ("components", i)
        if isinstance(comp, MonthlyFee):
            yield from _monthly(lc, comp, base)
        if isinstance(comp, (EmploymentOutcome, Milestones, EmploymentCondition)):
            yield from _active_service(lc, comp, base)
        yield from _distance(lc, comp, base)
        yield from _subsidised(lc, comp, base)
        if isinstance(comp, CapacityFee):
            yield from _capacity(lc, comp, base)
        if isinstance(comp, SurveyAdjustment) and comp.mode == "multiplier":
            for j, band in enumerate(comp.bands):
                if band.factor is not None and band.factor > MAX_FACTOR:
                    yield _warn(lc, "W012", f"{_name(comp)} multiplies "
                                f"{', '.join(comp.applies_to)} by {band.factor} for a score of "
                                f"{band.min_score} or more: one survey answer more than doubles "
                                "a fee, and customer experience alone is not a sound measure "
                                "for a result fee", (*base, "bands", j, "factor"), comp.id)
        if isinstance(comp, EventFee) and comp.event == "referral":
            yield _warn(lc, "W013", f"{_name(comp)} is paid when a customer is referred, "
                        "before any service starts: it pays for customers who never start "
                        "(Tehostettu työnvälitys referred over 13,000 job seekers, of whom about "
                        "8,500 started); pay on service_start instead", (*base, "event"), comp.id)
    yield from _windows(lc)
    yield from reach.open_ended()
    md = c.metadata
    if not md.illustrative and not md.source:
        yield _warn(lc, "W014", "metadata.illustrative is false, so the amounts are the "
                    "contract's published prices, but metadata.source does not say where "
                    "they are published: an invoice checker cannot trace a price to its "
                    "source", ("metadata", "illustrative"))


# --- W001, W008, W017: reachability -------------------------------------------------------

@dataclass(frozen=True)
class _Target:
    """One threshold of a component, laid out for a service starting on a given day."""

    index: int
    comp: Component
    what: str
    path: Path
    slack: Callable[[date], int]  # spare days (units) when work starts on the first day
    earliest: Callable[[date], date]  # first day the threshold can be reached
    unreachable: Callable[[], str]  # why, when no start date can make it
    tight: Callable[[], str]  # why, when only a perfect customer can make it
    reach_by: date | None


# where work may count: the service, the service and its follow-up, or (with
# requires_active_service) only the days the service really runs, with no grace
_Counting = Literal["service", "service_and_follow_up", "active_service"]


class _Reach:
    def __init__(self, lc: LoadedContract) -> None:
        self.lc = lc
        self.c: Contract = lc.contract
        self.w = self.c.windows
        self.open: list[tuple[str, date]] = []  # (component id, last day) for W017

    # the counting window of a component, for a service starting on ``d`` (exclusive end)
    def window_end(self, d: date, follow: _Counting) -> date:
        end = _after(self.w.service.max_length, d)
        if follow == "service_and_follow_up" and self.w.follow_up is not None:
            end = _after(self.w.follow_up, end)
        if self.w.grace is not None and follow != "active_service":
            end = _after(self.w.grace, end)
        return end

    def window_words(self, follow: _Counting) -> str:
        words = f"the service (at most {self.w.service.max_length})"
        if follow == "service_and_follow_up" and self.w.follow_up is not None:
            words += f" and its follow-up ({self.w.follow_up})"
        if self.w.grace is not None and follow != "active_service":
            words += f" plus {self.w.grace} grace"
        return words

    def fixed(self, reach_by: date | None) -> tuple[date, str] | None:
        """The earliest fixed last day (reach_by, outcomes_until) and what sets it."""
        out: list[tuple[date, str]] = []
        if reach_by is not None:
            out.append((reach_by, "the component's reach_by"))
        if self.w.outcomes_until is not None:
            out.append((self.w.outcomes_until, "windows.outcomes_until"))
        return min(out, key=lambda x: x[0]) if out else None

    def last_referral(self) -> tuple[date, str]:
        if self.w.referrals_until is not None:
            return self.w.referrals_until, "windows.referrals_until"
        return self.c.metadata.valid_until, "metadata.valid_until, as no referrals_until is set"

    def component(self, i: int, comp: Component) -> Iterator[_Found]:
        base: Path = ("components", i)
        if isinstance(comp, (HourlyFee, MonthlyFee)) and comp.phase is not None:
            yield from self.phase(i, comp, base)
        if isinstance(comp, (EmploymentOutcome, Milestones)):
            yield from self.work_limits(comp, comp.work.kinds, comp.work.min_hours_per_week,
                                        (*base, "work"))
            if _max_weight(comp.work.kinds) <= 0:
                return
        if isinstance(comp, EmploymentCondition):
            yield from self.work_limits(comp, comp.weights, comp.min_hours_per_week, base)
            if _max_weight(comp.weights) <= 0:
                return
        targets = list(self.targets(i, comp))
        unreachable = late = False
        for t in targets:
            # later steps of a ladder are longer still: report the first step out of reach,
            # and the first step late referrals miss
            found = [f for f in self.check(t) if not (late and f.problem.code == "W008")]
            yield from found
            late = late or any(f.problem.code == "W008" for f in found)
            if any(f.problem.code == "W001" for f in found):
                unreachable = True
                break
        if (targets and not unreachable and targets[0].reach_by is None
                and self.w.outcomes_until is None):
            latest = self.last_referral()[0]
            last = (self.condition_end(comp, latest) if isinstance(comp, EmploymentCondition)
                    else self.window_end(latest, self.follows(comp)) - ONE_DAY)
            if last > self.c.metadata.valid_until:
                self.open.append((comp.id, last))

    def work_limits(self, comp: Component, weights: Mapping[Any, Decimal],
                    min_hours: Decimal | None, path: Path) -> Iterator[_Found]:
        if _max_weight(weights) <= 0:
            yield _warn(self.lc, "W001", f"{_name(comp)} can never be reached: no employment "
                        f"kind counts (every weight is 0: {_weight_words(weights)})",
                        (*path, "kinds") if isinstance(comp, (EmploymentOutcome, Milestones))
                        else (*path, "weights"), comp.id)
        if min_hours is not None and min_hours > HOURS_IN_WEEK:
            yield _warn(self.lc, "W001", f"{_name(comp)} can never be reached: it asks for "
                        f"{min_hours} hours of work a week, more than the {HOURS_IN_WEEK} hours "
                        "a week has", (*path, "min_hours_per_week"), comp.id)

    def follows(self, comp: Component) -> _Counting:
        """Where a component's work may count. Only days in service count with
        requires_active_service, and then the grace does not extend it (as in the engine)."""
        if isinstance(comp, EmploymentOutcome) and comp.requires_active_service:
            return "active_service"
        window = getattr(comp, "window", "service_and_follow_up")
        return "service_and_follow_up" if window == "service_and_follow_up" else "service"

    def targets(self, i: int, comp: Component) -> Iterator[_Target]:
        base: Path = ("components", i)
        if isinstance(comp, EmploymentOutcome):
            yield self.duration_target(i, comp, comp.min_duration, _name(comp),
                                       (*base, "min_duration"), comp.work.kinds, comp.reach_by)
        elif isinstance(comp, Milestones):
            for j, step in enumerate(comp.steps):
                yield self.duration_target(
                    i, comp, step.after, f"milestone {j + 1} ({step.after}) of {_name(comp)}",
                    (*base, "steps", j, "after"), comp.work.kinds, comp.reach_by)
            if comp.sustainment is not None:
                yield from self.sustainment(i, comp, base)
        elif isinstance(comp, EmploymentCondition):
            yield self.condition_target(i, comp, base)

    def duration_target(self, i: int, comp: Component, need: Duration, what: str, path: Path,
                        weights: Mapping[Any, Decimal], reach_by: date | None) -> _Target:
        follow = self.follows(comp)
        weight = _max_weight(weights)

        def needed(d: date) -> int:
            return _ceil_div((_after(need, d) - d).days, weight)

        def avail(d: date) -> int:
            return (self.window_end(d, follow) - d).days

        def needs_words() -> str:
            work = [(_after(need, d) - d).days for d in _CYCLE]
            words = f"it needs {need} of qualifying work"
            if need.unit == "months":
                words += f" ({_span(min(work), max(work))})"
            if weight != 1:
                cal = [needed(d) for d in _CYCLE]
                words += (f", and work counts at a weight of at most {weight} "
                          f"({_weight_words(weights)}), so {_span(min(cal), max(cal))} "
                          "of work")
            return words

        where = f"only days inside {self.window_words(follow)} count"
        if isinstance(comp, EmploymentOutcome) and comp.requires_active_service:
            where += " (requires_active_service)"

        def unreachable() -> str:
            days = [avail(d) for d in _CYCLE]
            return (f"{what} can never be reached: {needs_words()} counted from the service "
                    f"start, but {where}: at most {max(days)} days")

        def tight() -> str:
            return (f"{what} can only just be reached: {needs_words()} counted from the "
                    f"service start, and {where}, so only a customer who works every day from "
                    "the first day of the service earns it")

        return _Target(i, comp, what, path, lambda d: avail(d) - needed(d),
                       lambda d: _plus(d, needed(d) - 1), unreachable, tight,
                       reach_by)

    def sustainment(self, i: int, comp: Milestones, base: Path) -> Iterator[_Target]:
        sus = comp.sustainment
        assert sus is not None
        last = comp.steps[-1].after
        follow = self.follows(comp)
        weight = _max_weight(comp.work.kinds)

        def needed(d: date, k: int) -> int:
            end = _after(Duration(sus.every.count * k, sus.every.unit), _after(last, d))
            return _ceil_div((end - d).days, weight)

        def count_at(d: date) -> int:
            """How many sustainment payments fit the window (needed grows with k)."""
            avail = (self.window_end(d, follow) - d).days
            lo, hi = 0, sus.max_count
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if needed(d, mid) <= avail:
                    lo = mid
                else:
                    hi = mid - 1
            return lo

        def reachable_count() -> int:
            return max(count_at(d) for d in _CYCLE)

        n = sus.max_count
        if all(needed(d, n) > (self.window_end(d, follow) - d).days for d in _CYCLE):
            # the last sustainment payment is out of reach: say how many are not
            def unreachable() -> str:
                k = reachable_count()
                return (f"{_name(comp)}: only {k} of the {n} sustainment payments (every "
                        f"{sus.every} after {last}) can ever be reached inside "
                        f"{self.window_words(follow)}; the rest can never be paid")

            yield _Target(i, comp, "", (*base, "sustainment", "max_count"),
                          lambda d: -1, lambda d: d, unreachable, unreachable, None)

    def condition_target(self, i: int, comp: EmploymentCondition, base: Path) -> _Target:
        weight = _max_weight(comp.weights)
        units_needed = _ceil_div(comp.required, weight)
        unit = comp.unit[:-1]

        def first_unit(d: date) -> date:
            """The first day of the first whole week (Monday) or month starting on or after d."""
            if comp.unit == "weeks":
                return d + timedelta(days=(7 - d.weekday()) % 7)
            return d if d.day == 1 else _after(Duration(1, "months"), d.replace(day=1))

        def units(d: date) -> int:
            """Whole calendar units in the reference period (as periods.whole_weeks/months)."""
            start, end = first_unit(d), self.condition_end(comp, d) + ONE_DAY
            if comp.unit == "weeks":
                return max(0, (end - start).days // 7)
            # start is the 1st of a month: whole months up to the 1st of end's month
            return max(0, (end.year - start.year) * 12 + end.month - start.month)

        def earliest(d: date) -> date:
            unit_len = Duration(units_needed, "weeks" if comp.unit == "weeks" else "months")
            return _plus(_after(unit_len, first_unit(d)), -1)

        def needs_words() -> str:
            words = f"it needs {comp.required} qualifying calendar {comp.unit}"
            if weight != 1:
                words += (f", and a {unit} counts at a weight of at most {weight} "
                          f"({_weight_words(comp.weights)}), so {units_needed} {comp.unit} "
                          "of work")
            return words

        where = (f"the reference period of {comp.reference_period}, cut at the end of "
                 f"{self.window_words('service_and_follow_up')},")

        def unreachable() -> str:
            most = max(units(d) for d in _CYCLE)
            return (f"{_name(comp)} can never be met: {needs_words()}, but {where} holds at "
                    f"most {most} whole calendar {comp.unit}")

        def tight() -> str:
            return (f"{_name(comp)} can only just be met: {needs_words()}, and {where} holds "
                    f"no more than that, so only a customer who qualifies in every {unit} of "
                    "it earns the fee")

        return _Target(i, comp, _name(comp), (*base, "required"),
                       lambda d: units(d) - units_needed, earliest, unreachable, tight,
                       comp.reach_by)

    def condition_end(self, comp: EmploymentCondition, d: date) -> date:
        """The last day of the reference period, cut by the window (no fixed dates)."""
        end = self.window_end(d, "service_and_follow_up")
        return _plus(min(_after(comp.reference_period, d), end), -1)

    def check(self, t: _Target) -> Iterator[_Found]:
        lc = self.lc
        best = max(t.slack(d) for d in _CYCLE)
        if best < 0:
            yield _warn(lc, "W001", t.unreachable(), t.path, t.comp.id)
            return
        if best == 0:
            yield _warn(lc, "W001", t.tight(), t.path, t.comp.id)
            return
        fixed = self.fixed(t.reach_by)
        if fixed is None:
            return
        deadline, why = fixed
        first = self.c.metadata.valid_from
        soonest = t.earliest(first)
        if soonest >= deadline:
            verb = "can never be reached" if soonest > deadline else "can only just be reached"
            yield _warn(lc, "W001", f"{t.what} {verb}: even a customer whose service starts on "
                        f"the contract's first day {first} and who works from that day "
                        f"reaches it on {soonest} at the earliest, "
                        + ("after" if soonest > deadline else "the very last day allowed by")
                        + f" {why} {deadline}", t.path, t.comp.id)
            return
        last_referral, source = self.last_referral()
        if t.earliest(last_referral) <= deadline:
            return
        lo, hi = first, last_referral  # earliest(lo) <= deadline < earliest(hi)
        while (hi - lo).days > 1:
            mid = lo + timedelta(days=(hi - lo).days // 2)
            if t.earliest(mid) <= deadline:
                lo = mid
            else:
                hi = mid
        yield _warn(lc, "W008", f"{t.what}: a customer whose service starts after {lo} "
                    f"cannot reach it by {deadline} ({why}), yet referrals are accepted until "
                    f"{last_referral} (by {source}): the provider serves those customers with no "
                    "chance of this fee (the \"8 months complete after the contract year "
                    "ended\" trap)", t.path, t.comp.id)

    def phase(self, i: int, comp: HourlyFee | MonthlyFee, base: Path) -> Iterator[_Found]:
        phase = comp.phase
        assert phase is not None
        start = phase.from_ or Duration(0, "days")
        service = self.w.service.max_length

        def empty(d: date) -> bool:
            return _after(start, d) >= min(_after(phase.until, d), _after(service, d))

        if all(empty(d) for d in _CYCLE):
            yield _warn(self.lc, "W001", f"{_name(comp)} can never be paid: its phase "
                        f"[{start}, {phase.until}) from the service start holds no day of a "
                        f"service of at most {service}", (*base, "phase", "from"), comp.id)

    def open_ended(self) -> Iterator[_Found]:
        if not self.open:
            return
        last_referral, source = self.last_referral()
        last = max(day for _, day in self.open)
        ids = ", ".join(f"'{cid}'" for cid, _ in self.open)
        yield _warn(self.lc, "W017", f"outcomes can be reached after the contract ends on "
                    f"{self.c.metadata.valid_until}: a customer referred on {last_referral} "
                    f"(the last day, by {source}) can reach {ids} until {last}, and the "
                    "contract does not say whether such outcomes are paid (the engine pays "
                    "them); set windows.outcomes_until (or the component's reach_by) to say "
                    "until when",
                    ("windows",))


# --- W002: full price for self-reported evidence ----------------------------------------------

def _cells(price: Any, segment_ids: list[str]) -> Iterator[tuple[Path, str | None, Any]]:
    """(path suffix, segment or None, cell): a cell is an amount or an evidence table."""
    if not isinstance(price, dict):
        yield (), None, price
        return
    if any(k in segment_ids for k in price):
        for seg, cell in price.items():
            yield (seg,), seg, cell
    else:
        yield (), None, price


def _evidence_issue(cell: Any) -> tuple[Path, str] | None:
    if isinstance(cell, Decimal):
        return (), (f"pays {money_text(cell)} whatever the evidence, so a self-reported job "
                    "earns as much as a register-verified one")
    if not isinstance(cell, dict) or "self_report" not in cell:
        return None
    own = cell["self_report"]
    others = {k: v for k, v in cell.items() if k != "self_report"}
    if not others:
        return ("self_report",), (f"pays {money_text(own)} for self-reported work and has no "
                                  "price for verified work")
    level, top = max(others.items(), key=lambda kv: (kv[1], -EVIDENCE_LEVELS.index(kv[0])))
    if own >= top:
        return ("self_report",), (f"pays {money_text(own)} for self-reported work, as much as "
                                  f"for {level} evidence ({money_text(top)})")
    return None


def _evidence(lc: LoadedContract) -> Iterator[_Found]:
    segment_ids = lc.contract.segment_ids()
    for i, comp in enumerate(lc.contract.components):
        if not isinstance(comp, EVIDENCE_PRICED):
            continue
        base: Path = ("components", i)
        tables: list[tuple[Path, Any]] = []
        if isinstance(comp, (EmploymentOutcome, EmploymentCondition)):
            tables.append((("amount",), comp.amount))
        elif isinstance(comp, WorkHistory):
            tables.append((("rate",), comp.rate))
        elif isinstance(comp, Milestones):
            tables.extend((("steps", j, "amount"), s.amount) for j, s in enumerate(comp.steps))
            if comp.sustainment is not None:
                tables.append((("sustainment", "amount"), comp.sustainment.amount))
        done = False
        for where, price in tables:
            for suffix, seg, cell in _cells(price, segment_ids):
                issue = _evidence_issue(cell)
                if issue is None:
                    continue
                tail, words = issue
                who = f" (segment {seg})" if seg is not None else ""
                yield _warn(lc, "W002", f"{_name(comp)}{who} {words}: the buyer pays in full for "
                            "unverified claims; price each evidence level (e.g. register: "
                            "750.00, self_report: 190.00) — a later register confirmation then "
                            "pays the difference", (*base, *where, *suffix, *tail), comp.id)
                done = True
                break
            if done:
                break


# --- W003, W004, W016: bounds ---------------------------------------------------------------

def _unbounded(comp: Component, contract: Contract, seen: frozenset[str] = frozenset()
               ) -> str | None:
    """Why one customer can be paid without limit by this component (None: bounded)."""
    if comp.cap is not None:
        return None
    if isinstance(comp, EventFee) and comp.per == "each" and comp.max_count is None:
        return (f"pays every {comp.event.replace('_', ' ')} event (per: each) with no "
                "max_count")
    if isinstance(comp, HourlyFee) and comp.max_hours is None:
        return "pays every hour recorded, with no max_hours"
    if isinstance(comp, SurveyAdjustment) and comp.mode == "multiplier":
        for target_id in comp.applies_to:
            target = contract.component(target_id)
            if target is not None and target_id not in seen:
                why = _unbounded(target, contract, seen | {comp.id})
                if why is not None:
                    return f"multiplies '{target_id}', which {why}"
    return None


def _seg_value(price: Any, seg: str, segment_ids: list[str]) -> Decimal | None:
    """The largest single amount ``price`` can pay a customer of segment ``seg``."""
    if price is None:
        return None
    if isinstance(price, Decimal):
        return price
    cell = price.get(seg) if any(k in segment_ids for k in price) else price
    if cell is None:
        return None
    if isinstance(cell, Decimal):
        return cell
    values = [v for v in cell.values() if isinstance(v, Decimal)]
    return max(values) if values else None


def _single_prices(comp: Component) -> list[tuple[Path, Any, str]]:
    """Price tables whose every cell is what one line pays (not a rate)."""
    if isinstance(comp, (EventFee, MonthlyFee, EmploymentOutcome, EmploymentCondition)):
        return [(("amount",), comp.amount, "fee")]
    if isinstance(comp, ReimbursedExpenses):
        return [(("budget",), comp.budget, "budget")]
    if isinstance(comp, Milestones):
        out: list[tuple[Path, Any, str]] = [
            (("steps", j, "amount"), s.amount, f"milestone {j + 1} fee")
            for j, s in enumerate(comp.steps)]
        if comp.sustainment is not None:
            out.append((("sustainment", "amount"), comp.sustainment.amount,
                        "sustainment payment"))
        return out
    if isinstance(comp, BenefitReduction):
        out = [(("full", "amount"), comp.full.amount, "full fee")]
        if comp.partial is not None:
            out.append((("partial", "amount"), comp.partial.amount, "partial fee"))
        return out
    if isinstance(comp, SurveyAdjustment) and comp.mode == "bonus":
        return [(("bands", j, "amount"), b.amount, f"band {j + 1} bonus")
                for j, b in enumerate(comp.bands) if b.amount is not None]
    return []


def _bounds(lc: LoadedContract) -> Iterator[_Found]:
    c = lc.contract
    caps = c.caps
    segment_ids = c.segment_ids()
    any_unbounded = False
    if caps.per_customer is None and caps.contract_total is None:
        for i, comp in enumerate(c.components):
            why = _unbounded(comp, c)
            if why is None:
                continue
            any_unbounded = True
            path: Path = (("components", i, "per") if isinstance(comp, EventFee)
                          else ("components", i))
            yield _warn(lc, "W003", f"{_name(comp)} {why}, and the contract has neither "
                        "caps.per_customer nor caps.contract_total: nobody can say before "
                        "the tender what one customer, or the whole contract, may cost; set "
                        "a limit on the component, a cap, or a ceiling", path, comp.id)
        if not any_unbounded:
            yield _warn(lc, "W004", "the contract has no cap at all (neither caps.per_customer "
                        "nor caps.contract_total): the most one customer costs is only the sum "
                        "of every fee, and the total grows with every customer referred; a "
                        "rate card caps both", ("caps",))
    for i, comp in enumerate(c.components):
        applies = comp.segments if comp.segments is not None else segment_ids
        limits = [(comp.cap, "the component's cap"), (caps.per_customer, "caps.per_customer")]
        issue: tuple[Path, str] | None = None
        for where, price, label in _single_prices(comp):
            for seg in applies:
                amount = _seg_value(price, seg, segment_ids)
                for cap, cap_label in limits:
                    limit = _seg_value(cap, seg, segment_ids)
                    if amount is None or limit is None or amount <= limit:
                        continue
                    who = f" for segment {seg}" if c.segments is not None else ""
                    issue = ((*where, seg) if isinstance(price, dict) and seg in price
                             else where,
                             f"a single {label} of {_name(comp)} ({money_text(amount)}{who}) "
                             f"is more than {cap_label} ({money_text(limit)}): it can never be "
                             "paid in full, whatever else the customer earns")
                    break
                if issue:
                    break
            if issue:
                break
        if issue is not None:
            yield _warn(lc, "W016", issue[1], ("components", i, *issue[0]), comp.id)


# --- W005, W015: monthly fee -----------------------------------------------------------------

def _monthly(lc: LoadedContract, comp: MonthlyFee, base: Path) -> Iterator[_Found]:
    if comp.condition is not None:
        n = comp.condition.min_responded_contacts
        answered = "an answered contact" if n == 1 else f"{n} answered contacts"
        yield _warn(lc, "W005", f"{_name(comp)} pays a service month only when it has "
                    f"{answered}: the provider loses the month's fee when the customer does "
                    "not answer, even after months of work (\"the monthly result fee is lost "
                    "for every month in which the customer did not answer\")",
                    (*base, "condition"), comp.id)
    if comp.proration == "none":
        yield _warn(lc, "W015", f"{_name(comp)} has proration: none, so a service month cut "
                    "short by the service end pays nothing: the last month of every customer "
                    "who leaves for a job mid-month is lost, which rewards keeping an employed "
                    "customer in service to the month's end; use proration: daily or full",
                    (*base, "proration") if (*base, "proration") in lc.doc.key_marks
                    else base, comp.id)


# --- W006: outcome that needs serving an employed customer ------------------------------------

def _active_service(lc: LoadedContract, comp: EmploymentOutcome | Milestones
                    | EmploymentCondition, base: Path) -> Iterator[_Found]:
    tail = ("a customer who finds a job must be kept in service, and served, until the "
            "threshold is reached: ending the service when the customer starts work forfeits "
            "the fee (\"to earn the result fee the provider must still deliver services to a "
            "person who already works\")")
    if isinstance(comp, EmploymentOutcome) and comp.requires_active_service:
        yield _warn(lc, "W006", f"{_name(comp)} counts work only while the service is active "
                    f"(requires_active_service: true): {tail}",
                    (*base, "requires_active_service"), comp.id)
        return
    window = getattr(comp, "window", "service_and_follow_up")
    if window == "service":
        yield _warn(lc, "W006", f"{_name(comp)} counts work only inside the service window "
                    f"(window: service): {tail}", (*base, "window"), comp.id)
    elif lc.contract.windows.follow_up is None:
        yield _warn(lc, "W006", f"{_name(comp)} counts work in the service and follow-up, but "
                    f"the contract has no windows.follow_up, so only work during the service "
                    f"counts: {tail}", base, comp.id)


# --- W007: prices falling with distance -------------------------------------------------------

def _price_tables(comp: Component) -> list[tuple[Path, Any]]:
    out: list[tuple[Path, Any]] = []
    for name in ("amount", "rate", "budget"):
        price = getattr(comp, name, None)
        if price is not None and not isinstance(comp, CapacityFee):
            out.append(((name,), price))
    if isinstance(comp, Milestones):
        out.extend((("steps", j, "amount"), s.amount) for j, s in enumerate(comp.steps))
        if comp.sustainment is not None:
            out.append((("sustainment", "amount"), comp.sustainment.amount))
    if isinstance(comp, BenefitReduction):
        out.append((("full", "amount"), comp.full.amount))
        if comp.partial is not None:
            out.append((("partial", "amount"), comp.partial.amount))
    if isinstance(comp, SurveyAdjustment):
        out.extend((("bands", j, "amount"), b.amount) for j, b in enumerate(comp.bands)
                   if b.amount is not None)
    return out


def _level_value(cell: Any, level: str | None) -> Decimal | None:
    if isinstance(cell, Decimal):
        return cell
    if isinstance(cell, dict) and level is not None:
        value = cell.get(level)
        return value if isinstance(value, Decimal) else None
    return None


def _distance(lc: LoadedContract, comp: Component, base: Path) -> Iterator[_Found]:
    seg = lc.contract.segments
    if seg is None:
        return
    distance = {t.id: t.distance for t in seg.tiers}
    for where, price in _price_tables(comp):
        if not isinstance(price, dict):
            continue
        tiers = [s for s in price if s in distance]
        levels: list[str | None] = [None, *EVIDENCE_LEVELS]
        for near in tiers:
            for far in tiers:
                if distance[far] <= distance[near]:
                    continue
                for level in levels:
                    a, b = _level_value(price[near], level), _level_value(price[far], level)
                    if a is None or b is None or b >= a:
                        continue
                    at = f" for {level} evidence" if level and isinstance(price[far], dict) \
                        else ""
                    yield _warn(lc, "W007", f"{_name(comp)} pays {money_text(b)}{at} in "
                                f"segment {far} (distance {distance[far]}) but "
                                f"{money_text(a)} in segment {near} (distance "
                                f"{distance[near]}): customers farther from the labour market "
                                "earn the provider less, so it pays to pick the easy ones; "
                                "tiered prices should rise with distance",
                                (*base, *where, far), comp.id)
                    return


# --- W009: subsidised work at full weight -----------------------------------------------------

def _subsidised(lc: LoadedContract, comp: Component, base: Path) -> Iterator[_Found]:
    if isinstance(comp, (EmploymentOutcome, Milestones, WorkHistory)):
        weights, path = comp.work.kinds, (*base, "work", "kinds", "subsidised")
    elif isinstance(comp, EmploymentCondition):
        weights, path = comp.weights, (*base, "weights", "subsidised")
    else:
        return
    sub = weights.get("subsidised", Decimal(0))
    full = weights.get("open", Decimal(1))
    if sub <= 0 or sub < full:
        return
    explicit = path in lc.doc.key_marks
    how = (f"at weight {sub}" + (", the same as open-market work" if sub == full
                                 else f", more than open-market work ({full})"))
    if not explicit:
        how += " (the default: every kind counts at 1 unless weights says otherwise)"
    yield _warn(lc, "W009", f"{_name(comp)} counts subsidised work (palkkatuki) {how}: the "
                "state already pays part of that wage, and many contracts pay less, or "
                "nothing, for it; give subsidised a lower weight (e.g. 0.5) or accept W009",
                path if explicit else base, comp.id)


# --- W010, W011: dates --------------------------------------------------------------------------

def _capacity(lc: LoadedContract, comp: CapacityFee, base: Path) -> Iterator[_Found]:
    md = lc.contract.metadata
    if comp.from_ is not None and comp.from_ < md.valid_from:
        yield _warn(lc, "W010", f"{_name(comp)} starts on {comp.from_}, before the contract "
                    f"is valid from {md.valid_from}: the buyer pays for capacity before the "
                    "contract starts", (*base, "from"), comp.id)
    if comp.until is not None and comp.until > md.valid_until:
        yield _warn(lc, "W010", f"{_name(comp)} runs until {comp.until}, after the contract "
                    f"ends on {md.valid_until}: the buyer pays for capacity after the contract "
                    "has ended", (*base, "until"), comp.id)


def _windows(lc: LoadedContract) -> Iterator[_Found]:
    w = lc.contract.windows
    if w.grace is not None and w.follow_up is not None and _longer(w.grace, w.follow_up):
        yield _warn(lc, "W011", f"windows.grace ({w.grace}) is longer than the follow-up "
                    f"({w.follow_up}): outcomes may still complete longer after the follow-up "
                    "than the follow-up itself lasts; a grace is meant for late data, not as "
                    "more time to reach an outcome", ("windows", "grace"))
