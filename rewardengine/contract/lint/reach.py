"""Reachability, shared by W001, W008 and W017: can a threshold be reached inside its windows?

Decided without events: for every possible service start in a four-year cycle (so every month
length and leap-day position occurs) the window and the threshold are laid out exactly as the
engine does it (``contract/windows.py``: durations added to the anchor), with work counted from
the first day of the service at the highest weight any kind has. A threshold is reported only
when it is out of reach for every start, or within reach only for a customer who works every
single day from the first day: never on a guess. The findings are laid out once per draft and
shared by the three rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal

from ...values import Duration
from ..model import (
    NO_LIMIT,
    CalendarThreshold,
    ComponentBase,
    Counting,
    DurationThreshold,
    Path,
    Phase,
    SustainmentThreshold,
    Threshold,
    WorkRules,
)
from ..windows import counting_end, fixed_deadline
from .base import Finding, Lint, max_weight, weight_words

ONE_DAY = timedelta(days=1)
# every service start from 2019-01-01 to 2022-12-31: each day of the year, each month length,
# each position relative to a leap day (Gregorian century years aside)
CYCLE: tuple[date, ...] = tuple(date(2019, 1, 1) + timedelta(days=i) for i in range(1461))
HOURS_IN_WEEK = Decimal(168)
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_FIXED_WORDS = {"the component's reach_by date": "the component's reach_by",
                "the contract's outcomes_until date": "windows.outcomes_until"}


def after(duration: Duration, anchor: date) -> date:
    """``duration.after(anchor)``, or ``date.max`` when that is beyond the calendar."""
    try:
        return duration.after(anchor)
    except (OverflowError, ValueError):
        return date.max


def plus(anchor: date, days: int) -> date:
    try:
        return anchor + timedelta(days=days)
    except OverflowError:
        return date.max


def _ceil_div(days: int, weight: Decimal) -> int:
    return int((Decimal(days) / weight).to_integral_value(rounding=ROUND_CEILING))


def _span(low: int, high: int, unit: str = "days") -> str:
    return f"{low} {unit}" if low == high else f"{low} to {high} {unit}"


@dataclass(frozen=True)
class Target:
    """One threshold of a component, laid out for a service starting on a given day."""

    comp: ComponentBase
    what: str
    path: Path
    slack: Callable[[date], int]  # spare days (units) when work starts on the first day
    earliest: Callable[[date], date]  # first day the threshold can be reached
    unreachable: Callable[[], str]  # why, when no start date can make it
    tight: Callable[[], str]  # why, when only a perfect customer can make it
    reach_by: date | None


def findings(lint: Lint) -> list[Finding]:
    """Every W001, W008 and W017 finding of the draft, laid out once."""
    if "reach" not in lint.shared:
        reach = Reach(lint)
        found = [f for base, comp in lint.components() for f in reach.component(base, comp)]
        found.extend(reach.open_ended())
        lint.shared["reach"] = found
    out: list[Finding] = lint.shared["reach"]
    return out


def _first_unit(t: CalendarThreshold, d: date) -> date:
    """The first day of the first unit that counts for a service starting on d: the first
    whole week (Monday) or month starting on or after d; with counts_start_unit, the unit
    holding d unless d is its last day."""
    if t.counts_start_unit:
        # the unit holding d counts when it ends after d: the unit holding d + 1 day
        d = d + ONE_DAY
        return d - timedelta(days=d.weekday()) if t.unit == "weeks" else d.replace(day=1)
    if t.unit == "weeks":
        return d + timedelta(days=(7 - d.weekday()) % 7)
    return d if d.day == 1 else after(Duration(1, "months"), d.replace(day=1))


class Reach:
    def __init__(self, lint: Lint) -> None:
        self.lint = lint
        windows, metadata = lint.draft.windows, lint.draft.metadata
        assert windows is not None and metadata is not None
        self.w = windows
        self.md = metadata
        self.open: list[tuple[str, date]] = []  # (component id, last day) for W017
        # a component's targets out of reach from some start days only (``check``)
        self.partly: list[Finding] = []

    def window_end(self, d: date, comp: ComponentBase) -> date:
        """The exclusive end of the days a component's work may count in, for a service
        starting on ``d``: its counting window, cut at its ``reach_within``."""
        try:
            end = counting_end(self.w, self.w.service.max_length.after(d),
                               self.follows(comp))[0]
        except (OverflowError, ValueError):
            end = date.max
        within = comp.deadline_within()
        if within is None:
            return end
        try:
            return min(end, within.after(d))
        except (OverflowError, ValueError):
            return end

    def window_words(self, comp: ComponentBase) -> str:
        follow = self.follows(comp)
        words = f"the service (at most {self.w.service.max_length})"
        if follow == "service_and_follow_up" and self.w.follow_up is not None:
            words += f" and its follow-up ({self.w.follow_up})"
        if self.w.grace is not None and follow != "active_service":
            words += f" plus {self.w.grace} grace"
        within = comp.deadline_within()
        if within is not None:
            words += f", and only the first {within} from the service start (reach_within)"
        return words

    def fixed(self, reach_by: date | None) -> tuple[date, str] | None:
        """The earliest fixed last day (reach_by, outcomes_until) and what sets it."""
        found = fixed_deadline(self.w, reach_by)
        return (found.last_day, _FIXED_WORDS[found.why]) if found else None

    def last_referral(self) -> tuple[date, str]:
        if self.w.referrals_until is not None:
            return self.w.referrals_until, "windows.referrals_until"
        return self.md.valid_until, "metadata.valid_until, as no referrals_until is set"

    def component(self, base: Path, comp: ComponentBase) -> Iterator[Finding]:
        phase = comp.service_phase()
        if phase is not None:
            yield from self.phase(base, comp, phase)
        rules = comp.work_rules()
        if rules is not None and rules.reachable:
            yield from self.work_limits(base, comp, rules)
            if max_weight(rules.weights) <= 0:
                return
        thresholds = comp.thresholds()
        targets = [t for t in (self.target(base, comp, rules, th) for th in thresholds)
                   if t is not None]
        unreachable = late = False
        self.partly = []
        for t in targets:
            # later steps of a ladder are longer still: report the first step out of reach,
            # and the first step late referrals miss
            found = [f for f in self.check(t) if not (late and f.problem.code == "W008")]
            yield from found
            late = late or any(f.problem.code == "W008" for f in found)
            if any(f.problem.code == "W001" for f in found):
                unreachable = True
                break
        if not unreachable and self.partly:  # the first step out of reach from some starts
            yield self.partly[0]
        if (targets and not unreachable and targets[0].reach_by is None
                and self.w.outcomes_until is None):
            self.note_open(comp, thresholds[0])

    def note_open(self, comp: ComponentBase, first: Threshold) -> None:
        latest = self.last_referral()[0]
        if isinstance(first, CalendarThreshold):
            last = self.condition_end(first.reference_period, latest, comp)
        else:
            last = self.window_end(latest, comp) - ONE_DAY
        if last > self.md.valid_until:
            self.open.append((comp.id, last))

    def work_limits(self, base: Path, comp: ComponentBase, rules: WorkRules
                    ) -> Iterator[Finding]:
        if max_weight(rules.weights) <= 0:
            yield self.lint.warn("W001", f"{comp.name} can never be reached: no employment "
                                 f"kind counts (every weight is 0: "
                                 f"{weight_words(rules.weights)})",
                                 (*base, *rules.weights_path), comp.id)
        if rules.min_hours is not None and rules.min_hours > HOURS_IN_WEEK:
            yield self.lint.warn("W001", f"{comp.name} can never be reached: it asks for "
                                 f"{rules.min_hours} hours of work a week, more than the "
                                 f"{HOURS_IN_WEEK} hours a week has",
                                 (*base, *rules.min_hours_path), comp.id)

    def follows(self, comp: ComponentBase) -> Counting:
        """Where a component's work may count. Only days in service count with
        requires_active_service, and then the grace does not extend it (as in the engine)."""
        return comp.counting_window() or "service_and_follow_up"

    def target(self, base: Path, comp: ComponentBase, rules: WorkRules | None,
               threshold: Threshold) -> Target | None:
        weights = rules.weights if rules is not None else {}
        if isinstance(threshold, DurationThreshold):
            return self.duration_target(base, comp, threshold, weights)
        if isinstance(threshold, SustainmentThreshold):
            return self.sustainment(base, comp, threshold, weights)
        return self.condition_target(base, comp, threshold, weights)

    def duration_target(self, base: Path, comp: ComponentBase, t: DurationThreshold,
                        weights: dict[str, Decimal]) -> Target:
        follow = self.follows(comp)
        weight = max_weight(weights)
        need: Duration = t.need

        def needed(d: date) -> int:
            return _ceil_div((after(need, d) - d).days, weight)

        def avail(d: date) -> int:
            return (self.window_end(d, comp) - d).days

        def needs_words() -> str:
            work = [(after(need, d) - d).days for d in CYCLE]
            words = f"it needs {need} of qualifying work"
            if need.unit == "months":
                words += f" ({_span(min(work), max(work))})"
            if weight != 1:
                cal = [needed(d) for d in CYCLE]
                words += (f", and work counts at a weight of at most {weight} "
                          f"({weight_words(weights)}), so {_span(min(cal), max(cal))} "
                          "of work")
            return words

        where = f"only days inside {self.window_words(comp)} count"
        if follow == "active_service":
            where += " (requires_active_service)"

        def unreachable() -> str:
            days = [avail(d) for d in CYCLE]
            return (f"{t.what} can never be reached: {needs_words()} counted from the service "
                    f"start, but {where}: at most {max(days)} days")

        def tight() -> str:
            return (f"{t.what} can only just be reached: {needs_words()} counted from the "
                    f"service start, and {where}, so only a customer who works every day from "
                    "the first day of the service earns it")

        return Target(comp, t.what, (*base, *t.path), lambda d: avail(d) - needed(d),
                      lambda d: plus(d, needed(d) - 1), unreachable, tight,
                      comp.deadline_date())

    def sustainment(self, base: Path, comp: ComponentBase, t: SustainmentThreshold,
                    weights: dict[str, Decimal]) -> Target | None:
        """A target only when the last sustainment payment is out of reach for every start
        (it then says how many can be reached)."""
        weight = max_weight(weights)
        every: Duration = t.every

        def needed(d: date, k: int) -> int:
            end = after(Duration(every.count * k, every.unit), after(t.after, d))
            return _ceil_div((end - d).days, weight)

        def count_at(d: date) -> int:
            """How many sustainment payments fit the window (needed grows with k)."""
            avail = (self.window_end(d, comp) - d).days
            lo, hi = 0, t.max_count
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if needed(d, mid) <= avail:
                    lo = mid
                else:
                    hi = mid - 1
            return lo

        n = t.max_count
        if not all(needed(d, n) > (self.window_end(d, comp) - d).days for d in CYCLE):
            return None

        def unreachable() -> str:
            k = max(count_at(d) for d in CYCLE)
            return (f"{comp.name}: only {k} of the {n} sustainment payments (every {every} "
                    f"after {t.after}) can ever be reached inside {self.window_words(comp)}; "
                    "the rest can never be paid")

        return Target(comp, "", (*base, *t.path), lambda d: -1, lambda d: d, unreachable,
                      unreachable, None)

    def condition_target(self, base: Path, comp: ComponentBase, t: CalendarThreshold,
                         weights: dict[str, Decimal]) -> Target:
        # a kind without employment kinds to weigh (earnings months) counts each unit as 1
        weight = max_weight(weights) if weights else Decimal(1)
        units_needed = _ceil_div(t.required, weight)
        unit = t.unit[:-1]

        def first_unit(d: date) -> date:
            return _first_unit(t, d)

        def units(d: date) -> int:
            """Whole calendar units in the reference period (as periods.whole_weeks/months)."""
            start = first_unit(d)
            end = self.condition_end(t.reference_period, d, comp) + ONE_DAY
            if t.unit == "weeks":
                count = max(0, (end - start).days // 7)
            else:
                # start is the 1st of a month: whole months up to the 1st of end's month
                count = max(0, (end.year - start.year) * 12 + end.month - start.month)
            return count if t.within_units is None else min(count, t.within_units)

        def earliest(d: date) -> date:
            unit_len = Duration(units_needed, "weeks" if t.unit == "weeks" else "months")
            return plus(after(unit_len, first_unit(d)), -1)

        def needs_words() -> str:
            words = f"it needs {t.required} qualifying calendar {t.unit}"
            if weight != 1:
                words += (f", and a {unit} counts at a weight of at most {weight} "
                          f"({weight_words(weights)}), so {units_needed} {t.unit} of work")
            return words

        where = (f"the reference period of {t.reference_period}, cut at the end of "
                 f"{self.window_words(comp)},")
        if t.reference_period == NO_LIMIT:
            where = f"{self.window_words(comp)}"
        if t.within_units is not None:
            where = (f"its reference of the first {t.within_units} calendar {t.unit} from the "
                     f"service start, cut at the end of {self.window_words(comp)},")

        def unreachable() -> str:
            most = max(units(d) for d in CYCLE)
            return (f"{comp.name} can never be met: {needs_words()}, but {where} holds at "
                    f"most {most} whole calendar {t.unit}")

        def tight() -> str:
            return (f"{comp.name} can only just be met: {needs_words()}, and {where} holds "
                    f"no more than that, so only a customer who qualifies in every {unit} of "
                    "it earns the fee")

        return Target(comp, comp.name, (*base, *t.path), lambda d: units(d) - units_needed,
                      earliest, unreachable, tight, comp.deadline_date())

    def condition_end(self, reference_period: Duration, d: date, comp: ComponentBase
                      ) -> date:
        """The last day of the reference period, cut by the window and the component's
        reach_within (no fixed dates)."""
        end = self.window_end(d, comp)
        return plus(min(after(reference_period, d), end), -1)

    def check(self, t: Target) -> Iterator[Finding]:
        best = max(t.slack(d) for d in CYCLE)
        if best < 0:
            yield self.lint.warn("W001", t.unreachable(), t.path, t.comp.id)
            return
        never = self.never_from(t)
        if best == 0:
            yield self.lint.warn("W001", t.tight() + never, t.path, t.comp.id)
            return
        if never:  # said only when nothing stronger is (``component``)
            self.partly.append(self.lint.warn(
                "W001", f"{t.what} can be reached only for a service starting on some days: "
                f"the time it has, and what it needs, depend on the start day{never}", t.path,
                t.comp.id))
        fixed = self.fixed(t.reach_by)
        if fixed is None:
            return
        deadline, why = fixed
        first = self.md.valid_from
        soonest = t.earliest(first)
        if soonest >= deadline:
            verb = "can never be reached" if soonest > deadline else "can only just be reached"
            yield self.lint.warn(
                "W001", f"{t.what} {verb}: even a customer whose service starts on the "
                f"contract's first day {first} and who works from that day reaches it on "
                f"{soonest} at the earliest, "
                + ("after" if soonest > deadline else "the very last day allowed by")
                + f" {why} {deadline}", t.path, t.comp.id)
            return
        yield from self.late_referrals(t, deadline, why)

    def never_from(self, t: Target) -> str:
        """Words for the first service start a referral can bring (from valid_from to the
        last referral day, at most a year) from which the target can never be reached (""
        when it can be from every such start): the whole calendar weeks or months a window
        holds, and the days it holds, depend on the day it starts."""
        first = self.md.valid_from
        # the starts a referral can bring: from valid_from to the last referral day
        days = max(1, min(366, (self.last_referral()[0] - first).days + 1))
        day = next((first + timedelta(days=i) for i in range(days)
                    if t.slack(first + timedelta(days=i)) < 0), None)
        if day is None:
            return ""
        return (f"; for a service starting on {day} (a {_WEEKDAYS[day.weekday()]}) it can never "
                "be reached, even by a customer who works every day from the first day")

    def late_referrals(self, t: Target, deadline: date, why: str) -> Iterator[Finding]:
        last_referral, source = self.last_referral()
        if t.earliest(last_referral) <= deadline:
            return
        lo, hi = self.md.valid_from, last_referral  # earliest(lo) <= deadline < earliest(hi)
        while (hi - lo).days > 1:
            mid = lo + timedelta(days=(hi - lo).days // 2)
            if t.earliest(mid) <= deadline:
                lo = mid
            else:
                hi = mid
        yield self.lint.warn(
            "W008", f"{t.what}: a customer whose service starts after {lo} cannot reach it by "
            f"{deadline} ({why}), yet referrals are accepted until {last_referral} (by "
            f"{source}): the provider serves those customers with no chance of this fee (the "
            "\"8 months complete after the contract year ended\" trap)", t.path, t.comp.id)

    def phase(self, base: Path, comp: ComponentBase, phase: Phase) -> Iterator[Finding]:
        start = phase.from_ or Duration(0, "days")
        service = self.w.service.max_length

        def empty(d: date) -> bool:
            return after(start, d) >= min(after(phase.until, d), after(service, d))

        if phase.inverted():
            return  # empty whatever the service: an error of its own (C204), said there
        if all(empty(d) for d in CYCLE):
            yield self.lint.warn("W001", f"{comp.name} can never be paid: its phase "
                                 f"[{start}, {phase.until}) from the service start holds no "
                                 f"day of a service of at most {service}",
                                 (*base, "phase", "from"), comp.id)

    def open_ended(self) -> Iterator[Finding]:
        if not self.open:
            return
        last_referral, source = self.last_referral()
        last = max(day for _, day in self.open)
        ids = ", ".join(f"'{cid}'" for cid, _ in self.open)
        yield self.lint.warn(
            "W017", f"outcomes can be reached after the contract ends on "
            f"{self.md.valid_until}: a customer referred on {last_referral} (the last day, by "
            f"{source}) can reach {ids} until {last}, and the contract does not say whether "
            "such outcomes are paid (the engine pays them); set windows.outcomes_until (or "
            "the component's reach_by) to say until when", ("windows",))
