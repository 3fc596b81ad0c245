"""What the employment-based outcome kinds share: counting qualifying work into tracks
(spells, or all counted work), its trace, and the words their reasons are made of.

Used by employment_outcome and milestones (employment_condition borrows a few words). The
counting rules themselves are in rewardengine/work.py and docs/contract-language.md.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction
from itertools import pairwise

from ..contract.model import (
    EVIDENCE_LEVELS,
    ComponentBase,
    OutcomeWindow,
    Price,
    QualifyingWork,
    WorkRules,
)
from ..contract.windows import Deadline
from ..evaluate.context import CustomerContext
from ..evaluate.lines import Line, Status, event_key
from ..evaluate.trace import Step, Trace
from ..events.model import Employment
from ..periods import ONE_DAY, Period
from ..values import Duration
from ..work import (
    Reached,
    Spell,
    Stretch,
    as_decimal,
    counted,
    fte_at_least,
    job_fte,
    job_hours,
    job_period,
    reach,
    spells,
    stretches,
    weakest,
)

ONE = Decimal(1)
ZERO = Decimal(0)

EVIDENCE_WORDS = {
    "register": "register-verified",
    "te_office": "TE-office-verified",
    "employer": "employer-confirmed",
    "self_report": "self-reported",
}


# --- number and text helpers ---------------------------------------------------------------

def num(value: Decimal) -> str:
    """A day count or hours without exponent or trailing zeros: 90, 60.5, 29.9."""
    text = format(value.normalize(), "f")
    return text


def fte_text(value: Decimal) -> str:
    """FTE with at least two decimals, cut (never rounded up) at four: 0.80, 0.7973."""
    cut = value.quantize(Decimal("0.0001"), rounding=ROUND_DOWN)
    text = format(cut.normalize(), "f")
    whole, _, frac = text.partition(".")
    return f"{whole}.{frac.ljust(2, '0')}"


def times_text(n: int) -> str:
    return "once" if n == 1 else f"{n} times"


def days_text(n: int) -> str:
    return "one day" if n == 1 else f"{n} days"


def ids_text(ids: Iterable[str]) -> str:
    items = sorted(set(ids))
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _days(count: Decimal) -> str:
    return "day" if count == ONE else "days"


def evidence_words(level: str) -> str:
    return EVIDENCE_WORDS.get(level, level)


def count_days(count: Decimal) -> str:
    """ "1 day", "90 days", "29.5 days": a (weighted) day count with its noun."""
    return f"{num(count)} {_days(count)}"


def duration_text(duration: Duration, days: Decimal) -> str:
    if duration.unit == "days":
        return count_days(days)
    return f"{duration} ({count_days(days)})"


def criteria_text(work: QualifyingWork) -> str:
    """What work qualifies, in words: "0.80 FTE or more, open or subsidised at weight 0.5"."""
    parts: list[str] = []
    if work.min_fte is not None:
        parts.append(f"{fte_text(work.min_fte)} FTE or more")
    if work.min_hours_per_week is not None:
        parts.append(f"{num(work.min_hours_per_week)} h/week or more")
    kinds = [k if w == ONE else f"{k} at weight {num(w)}"
             for k, w in work.kinds.items() if w > 0]
    if kinds:
        parts.append(kinds[0] if len(kinds) == 1
                     else ", ".join(kinds[:-1]) + " or " + kinds[-1])
    return ", ".join(parts) or "any work"


def by_text(deadline: Deadline) -> str:
    """ "2021-07-14, when the follow-up ends" / "2020-12-31, the contract's outcomes_until
    date"."""
    why = deadline.why.rstrip(",")
    if why.startswith("the component's") or why.startswith("the contract's"):
        return f"{deadline.last_day}, {why}"
    return f"{deadline.last_day}, when {why}"


def closed_text(deadline: Deadline) -> str:
    """What closed on the deadline, to follow "N days after"."""
    why = deadline.why.rstrip(",")
    last = deadline.last_day
    if why.startswith("the component's reach_by"):
        return f"the component's reach_by date, {last}"
    if why.startswith("the contract's outcomes_until"):
        return f"the contract's outcomes_until date, {last}"
    if why.startswith("the service ends (only"):
        return f"the service ended on {last}"
    if ", plus " in why:
        grace = why.split(", plus ", 1)[1].removesuffix(" grace")
        return f"the outcome window, with {grace} grace, closed on {last}"
    return f"the outcome window closed on {last}"


# --- counting work -------------------------------------------------------------------------

@dataclass(frozen=True)
class Track:
    """Days that count towards one outcome: a spell (continuous) or all counted work."""

    parts: tuple[Stretch, ...]
    key: str  # "spell:<id>" (continuous) or "all" (cumulative)

    @property
    def start(self) -> date:
        return self.parts[0].period.start

    @property
    def end(self) -> date:
        return self.parts[-1].period.end

    @property
    def days(self) -> Decimal:
        return counted(self.parts)

    @property
    def evidence(self) -> str:
        return weakest(p.evidence for p in self.parts)

    @property
    def event_ids(self) -> tuple[str, ...]:
        return tuple(sorted({i for p in self.parts for i in p.event_ids}))


@dataclass(frozen=True)
class WorkCount:
    """The qualifying work of one customer for one component, and the rules that framed it."""

    ctx: CustomerContext
    work: QualifyingWork
    continuous: bool
    max_gap: Duration | None
    counting: Period  # days that may count: [service start, deadline + 1)
    deadline: Deadline
    tracks: tuple[Track, ...]  # inside ``counting``
    late_tracks: tuple[Track, ...]  # the same work ignoring the deadline (for explanations)
    notes: tuple[str, ...]  # jobs that did not count, and why

    @property
    def decided(self) -> bool:
        """The deadline has passed (or is today): what is not reached now is lost."""
        return self.ctx.as_of >= self.deadline.last_day

    @property
    def criteria(self) -> str:
        return criteria_text(self.work)

    def open_track(self) -> Track | None:
        """The track further work would extend: the only one when cumulative; for continuous
        counting the last spell, if a job starting tomorrow could still join it."""
        if not self.tracks:
            return None
        last = self.tracks[-1]
        if not self.continuous:
            return last
        tomorrow = self.ctx.as_of + ONE_DAY
        allowed = self.max_gap.after(last.end) if self.max_gap is not None else last.end
        return last if tomorrow <= allowed else None

    def late(self, track: Track) -> Track | None:
        """The same track with the deadline ignored."""
        return next((t for t in self.late_tracks if t.start == track.start), None)


def _join(parts: Sequence[Stretch], max_gap: Duration | None) -> list[Spell]:
    if max_gap is None:
        return spells(parts, 0)
    if max_gap.unit != "months":
        return spells(parts, max_gap.days_exact())
    groups: list[list[Stretch]] = []
    for part in parts:  # a month gap is measured from the end of the stretch before it
        if groups and part.period.start <= max_gap.after(groups[-1][-1].period.end):
            groups[-1].append(part)
        else:
            groups.append([part])
    return [Spell(tuple(g)) for g in groups]


def _tracks(parts: Sequence[Stretch], continuous: bool, max_gap: Duration | None,
            jobs: dict[str, Employment]) -> tuple[Track, ...]:
    if not parts:
        return ()
    if not continuous:
        return (Track(tuple(parts), "all"),)
    out = []
    led: set[str] = set()
    for spell in _join(parts, max_gap):
        first = spell.stretches[0].event_ids
        lead = min(first, key=lambda i: (jobs[i].date, i) if i in jobs else (date.max, i))
        # one long job can lead several spells (topped up by others at different times):
        # the later ones add their first day, so every spell has its own identity
        key = (f"spell:{event_key(lead)}" if lead not in led
               else f"spell:{event_key(lead)}@{spell.start}")
        led.add(lead)
        out.append(Track(spell.stretches, key))
    return tuple(out)


def _job_notes(ctx: CustomerContext, work: QualifyingWork, counting: Period,
               tracks: Sequence[Track], deadline: Deadline, requires_active: bool
               ) -> list[str]:
    notes: list[str] = []
    used = {i for t in tracks for i in t.event_ids}
    full = work.full_time_hours
    service = ctx.service
    for job in ctx.timeline.employments:
        jid = job.event_id
        if work.kinds.get(job.kind, ZERO) <= 0:
            notes.append(f"job {jid} is {job.kind} work, which does not count")
            continue
        span = job_period(job, ctx.as_of)
        if span is None:
            continue  # starts after as_of: not known to have happened yet
        if span.end <= counting.start:
            notes.append(f"job {jid} ended on {span.last_day}, before the service started on "
                         f"{counting.start}")
        elif span.start >= counting.end:
            if requires_active and service is not None and span.start >= service.end:
                notes.append(f"job {jid} started on {span.start}, after the service ended on "
                             f"{service.last_day}, and only days in service count")
            else:
                notes.append(f"job {jid} started on {span.start}, after the last day that "
                             f"counts ({deadline.last_day})")
        elif jid not in used:
            notes.append(_below(job, work, full))
        elif (requires_active and service is not None and span.end > service.end
              and counting.end == service.end):
            notes.append(f"days of job {jid} after the service ended on {service.last_day} "
                         "do not count (only days in service count)")
    for gone in ctx.timeline.voided:
        if isinstance(gone, Employment):
            notes.append(f"employment {gone.event_id} was voided (recorded {gone.known_on})")
    return notes


def _below(job: Employment, work: QualifyingWork, full: Decimal) -> str:
    jid = job.event_id
    if work.min_fte is not None and not fte_at_least([job], work.min_fte, full):
        if job.fte is not None:
            return f"job {jid} at {fte_text(job.fte)} FTE is below {fte_text(work.min_fte)}"
        return (f"job {jid} at {num(job_hours(job, full))} h/week "
                f"({fte_text(job_fte(job, full))} FTE) is below {fte_text(work.min_fte)} FTE")
    hours = job_hours(job, full)
    if work.min_hours_per_week is not None and hours < work.min_hours_per_week:
        return (f"job {jid} at {num(hours)} h/week is below "
                f"{num(work.min_hours_per_week)} h/week")
    return f"job {jid} has no qualifying day"


def count_work(ctx: CustomerContext, work: QualifyingWork, counting_mode: str,
               max_gap: Duration | None, window: OutcomeWindow, reach_by: date | None,
               requires_active: bool = False) -> WorkCount | None:
    """Qualifying work of the customer for one component; None when no service has started."""
    service = ctx.service
    period = ctx.service if requires_active else ctx.window(window)
    deadline = ctx.deadline(window, reach_by, active_only=requires_active)
    if service is None or period is None or deadline is None:
        return None
    start = period.start
    end = deadline.last_day + ONE_DAY
    late_end = service.end if requires_active else max(ctx.as_of + ONE_DAY, end)
    counting = Period(start, max(start, end))
    late = Period(start, max(start, late_end))
    jobs = ctx.timeline.employments
    by_id = {j.event_id: j for j in jobs}
    weights = {str(k): v for k, v in work.kinds.items()}
    continuous = counting_mode == "continuous"

    def parts(within: Period) -> list[Stretch]:
        return stretches(jobs, weights, within, ctx.as_of, work.min_hours_per_week,
                         work.min_fte, work.full_time_hours)

    tracks = _tracks(parts(counting), continuous, max_gap, by_id)
    late_tracks = _tracks(parts(late), continuous, max_gap, by_id)
    notes = _job_notes(ctx, work, counting, tracks, deadline, requires_active)
    return WorkCount(ctx, work, continuous, max_gap, counting, deadline, tracks, late_tracks,
                     tuple(notes))


def since(parts: Sequence[Stretch], previous: Reached | None, previous_needed: Decimal,
          on: date) -> tuple[Period, list[Stretch]]:
    """The days a further outcome rests on, and their stretches: the days after the previous
    one was reached (including that day when only part of it was used up), through ``on``."""
    first = parts[0].period.start
    if previous is not None:
        upto = Period(first, previous.on + ONE_DAY)
        first = previous.on + ONE_DAY
        through = as_decimal(sum((p.exact_weight * p.period.overlap_days(upto)
                                  for p in parts), Fraction(0)))
        if through > previous_needed:
            first = previous.on
    window = Period(first, on + ONE_DAY)
    used = [p for p in parts if p.period.overlap_days(window) > 0]
    return Period(max(first, used[0].period.start), on + ONE_DAY), used


def work_trace(wc: WorkCount) -> Trace:
    """What the counting looked at: the rule, each spell (or all counted work) with the days
    it counted, and the jobs that did not count and why."""
    rule = (f"counting {wc.criteria}, {'continuous' if wc.continuous else 'cumulative'}, days "
            f"{wc.counting.start} to {wc.deadline.last_day} ({wc.deadline.why})")
    name = "spell" if wc.continuous else "all counted work"
    steps = [Step(name, f"{name} {t.start}..{t.end - ONE_DAY}: {num(t.days)} days counted, "
                        f"evidence {t.evidence}, jobs {', '.join(t.event_ids)}",
                  t.start, t.end, t.days, t.event_ids) for t in wc.tracks]
    steps.extend(Step("not counted", note) for note in wc.notes)
    return Trace((rule,), tuple(steps))


def outcome_work_rules(work: QualifyingWork) -> WorkRules:
    """The work rules of an outcome kind that counts ``work`` (employment_outcome, milestones)."""
    return WorkRules({str(k): v for k, v in work.kinds.items()}, ("work", "kinds"),
                     work.min_hours_per_week, ("work", "min_hours_per_week"),
                     work.full_time_hours)


# --- reasons -------------------------------------------------------------------------------

def extent_text(parts: Sequence[Stretch], work: QualifyingWork) -> str:
    """ "0.80 FTE" / "30 h/week" / "30 h/week (0.80 FTE)": the least the work ran at."""
    fte = min(p.fte for p in parts)
    hours = min(p.hours for p in parts)
    if work.min_hours_per_week is not None and work.min_fte is None:
        return f"{num(hours)} h/week"
    if work.min_hours_per_week is not None:
        return f"{num(hours)} h/week ({fte_text(fte)} FTE)"
    return f"{fte_text(fte)} FTE"


def evidence_history(ctx: CustomerContext, ids: Iterable[str]) -> list[str]:
    """For jobs whose evidence changed between recorded versions: "E17 self-reported until
    2020-07-01, register-verified since"."""
    out: list[str] = []
    current = {e.event_id: e for e in ctx.timeline.employments}
    for jid in sorted(set(ids)):
        job = current.get(jid)
        if job is None:
            continue
        versions = sorted([e for e in ctx.timeline.superseded
                           if e.event_id == jid and isinstance(e, Employment)] + [job],
                          key=lambda e: e.known_on)
        steps: list[str] = []
        for before, after in pairwise(versions):
            if before.evidence != after.evidence:
                steps.append(f"{evidence_words(before.evidence)} until {after.known_on}")
        if steps:
            out.append(f"{jid} " + ", ".join(steps) + f", {evidence_words(job.evidence)} since")
    return out


def reached_text(ctx: CustomerContext, work: QualifyingWork, rests: Sequence[Stretch],
                 got: Reached, what: str) -> tuple[str, str, tuple[str, ...]]:
    """(reason, evidence level, event ids) of a reached threshold."""
    level = weakest(p.evidence for p in rests)
    ids = tuple(sorted({i for p in rests for i in p.event_ids}))
    reason = (f"employment {ids_text(ids)} reached {what} on {got.on} at "
              f"{extent_text(rests, work)}, {evidence_words(level)}")
    history = evidence_history(ctx, ids)
    if history:
        reason += " (" + "; ".join(history) + ")"
    weights = sorted({p.weight for p in rests if p.weight != ONE})
    if weights:
        reason += f"; days counted at weight {', '.join(num(w) for w in weights)}"
    return reason, level, ids


CONFIRMED_BY = {"register": "register", "te_office": "TE office", "employer": "employer"}


def confirmations(ctx: CustomerContext, amount: Price, level: str) -> list[str]:
    """The evidence levels stronger than ``level`` that the price table prices, weakest
    first: the confirmations that would still make an outcome payable."""
    stronger = EVIDENCE_LEVELS[:EVIDENCE_LEVELS.index(level)]
    return [lv for lv in reversed(stronger) if ctx.price(amount, lv) is not None]


def confirmations_text(levels: Sequence[str]) -> str:
    """ "the employer, TE office or register" """
    names = [CONFIRMED_BY[lv] for lv in levels]
    return "the " + (names[0] if len(names) == 1
                     else ", ".join(names[:-1]) + " or " + names[-1])


def no_price_line(ctx: CustomerContext, comp: ComponentBase, occurrence: str, on: date | None,
                  level: str, reason: str, evidence: tuple[str, ...],
                  period: Period | None, *, amount: Price, deadline: Deadline) -> Line:
    """An outcome reached on evidence the price table does not price. While the deadline is
    ahead and a stronger level is priced, a later-recorded confirmation can still make it
    payable: pending at the price of the strongest evidence. Otherwise not_earned at 0.00."""
    unpriced = (f"the price table has no price for {evidence_words(level)} work "
                f"(evidence '{level}')")
    stronger = confirmations(ctx, amount, level)
    if stronger and ctx.as_of < deadline.last_day:
        return ctx.line(comp, status="pending", occurrence=occurrence, on=on, quantity=ONE,
                        unit_price=ctx.price(amount, stronger[-1]) or ZERO,
                        evidence=evidence, period=period,
                        reason=f"{reason}; {unpriced}: needs confirmation by "
                               f"{confirmations_text(stronger)} by {by_text(deadline)}")
    if stronger:
        why = (f"{unpriced}, and no confirmation by {confirmations_text(stronger)} was "
               f"recorded by {by_text(deadline)}")
    elif level != EVIDENCE_LEVELS[0]:
        why = f"{unpriced}, nor for any stronger evidence"
    else:
        why = unpriced
    return ctx.line(comp, status="not_earned", occurrence=occurrence, on=on, quantity=ONE,
                    unit_price=ZERO, evidence=evidence, period=period,
                    reason=f"{reason}; but {why}")


def _notes_text(notes: Sequence[str]) -> str:
    return ("; not counted: " + "; ".join(notes)) if notes else ""


def unreached_line(ctx: CustomerContext, comp: ComponentBase, wc: WorkCount, *,
                   occurrence: str, amount: Price, target: Callable[[date], Decimal],
                   what: str, candidates: Sequence[Track], late_candidates: Sequence[Track],
                   open_track: Track | None, extra: str = "") -> Line:
    """A pending (deadline ahead) or not_earned (deadline passed) line for an outcome that
    has not been reached. ``target(anchor)`` is the day count needed by a track starting on
    ``anchor``; ``what`` names the threshold ("90 days")."""
    if not wc.decided:
        status: Status = "pending"
        reason, level, evidence = _still_open(ctx, wc, target, candidates, open_track)
    else:
        status = "not_earned"
        reason, level, evidence = _lost(wc, target, what, candidates, late_candidates)
    price = ctx.price(amount, level) if level is not None else None
    if price is None:
        price = ctx.price(amount) or ZERO
        if level is not None:
            reason += (f"; {evidence_words(level)} work is not priced, shown at the price of "
                       "the strongest evidence")
    reason += extra + _notes_text(wc.notes)
    return ctx.line(comp, status=status, occurrence=occurrence, on=wc.deadline.last_day,
                    quantity=ONE, unit_price=price, reason=reason, evidence=evidence)


def _still_open(ctx: CustomerContext, wc: WorkCount, target: Callable[[date], Decimal],
                candidates: Sequence[Track], open_track: Track | None
                ) -> tuple[str, str | None, list[str]]:
    """(reason, evidence level, evidence) of an outcome the deadline still allows."""
    deadline = wc.deadline
    evidence: list[str] = []
    level = open_track.evidence if open_track is not None else None
    if open_track is not None:
        evidence.extend(open_track.event_ids)
        need = target(open_track.start)
        more = need - open_track.days
        progress = (f"{num(open_track.days)} of {count_days(need)} so far"
                    + (f" in the spell from {open_track.start}" if wc.continuous else ""))
        reason = (f"needs {num(more)} more {_days(more)} of qualifying work "
                  f"({wc.criteria}) by {by_text(deadline)}; {progress}")
    else:
        more = need = target(ctx.as_of + ONE_DAY)
        spell = "a new spell of " if wc.continuous and wc.tracks else ""
        reason = (f"needs {spell}{count_days(need)} of qualifying work ({wc.criteria}) by "
                  f"{by_text(deadline)}")
        best = max(candidates, key=lambda t: (t.days, t.start), default=None)
        if spell and best is not None:
            evidence.extend(best.event_ids)
            reason += (f"; the longest spell so far, {best.start}..{best.end - ONE_DAY} "
                       f"({ids_text(best.event_ids)}), has {num(best.days)} of "
                       f"{count_days(target(best.start))}")
    left = (deadline.last_day - ctx.as_of).days
    if more > left:
        reason += (f"; only {days_text(left)} {'remains' if left == 1 else 'remain'}, so "
                   "it cannot be reached in time on the work known so far")
    return reason, level, evidence


def _lost(wc: WorkCount, target: Callable[[date], Decimal], what: str,
          candidates: Sequence[Track], late_candidates: Sequence[Track]
          ) -> tuple[str, str | None, list[str]]:
    """(reason, evidence level, evidence) of an outcome whose deadline has passed."""
    deadline = wc.deadline
    late_hits: list[tuple[Reached, Track]] = []
    for track in late_candidates:
        got = reach(track.parts, target(track.start))
        if got is not None and got.on > deadline.last_day:
            late_hits.append((got, track))
    if late_hits:
        got, track = min(late_hits, key=lambda h: h[0].on)
        return (f"threshold of {what} reached on {got.on}, "
                f"{days_text((got.on - deadline.last_day).days)} after "
                f"{closed_text(deadline)}"), got.evidence, list(got.event_ids)
    best = max(candidates, key=lambda t: (t.days, t.start), default=None)
    if best is None and wc.tracks:
        reason = (f"no further spell of qualifying work ({wc.criteria}) reached {what} by "
                  f"{by_text(deadline)}")
    elif best is None:
        reason = f"no qualifying work ({wc.criteria}) by {by_text(deadline)}"
    else:
        reason = (f"only {num(best.days)} of {count_days(target(best.start))} of "
                  f"qualifying work ({wc.criteria}) by {by_text(deadline)}")
    return (reason, best.evidence if best is not None else None,
            list(best.event_ids) if best is not None else [])


def not_started_line(ctx: CustomerContext, comp: ComponentBase, occurrence: str, amount: Price
                     ) -> Line:
    status, reason, on = ctx.without_service("service has not started")
    return ctx.line(comp, status=status, occurrence=occurrence, on=on, quantity=ONE,
                    unit_price=ctx.price(amount) or ZERO, reason=reason)


def unpriced_line(ctx: CustomerContext, comp: ComponentBase, occurrence: str) -> Line:
    return ctx.line(comp, status="not_earned", occurrence=occurrence, on=None, quantity=ONE,
                    unit_price=ZERO, reason=f"no price for segment {ctx.segment}")


# --- the kind ------------------------------------------------------------------------------
