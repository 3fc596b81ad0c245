"""What the employment-based outcome kinds share: counting qualifying work into tracks
(spells, or all counted work), its trace, and the words their reasons are made of.

Used by employment_outcome and milestones (employment_condition borrows a few words). The
counting rules themselves are in rewardengine/work.py and docs/contract-language.md. The
outcome work rules (``OutcomeWork``) decided here:

* ``starts_within``: only jobs whose first day (``date``) lies inside the window (both ends
  included) count; their days count after it closes, up to the deadline.
* ``min_agreed_length``: only jobs whose first recorded version (the timeline's
  ``first_version``) has no end, or an end with ``end + 1 day >= date + length``, count; a
  later extension changes nothing.
* ``one_employer``: the jobs of each employer (a job naming none is its own) are counted and
  joined into spells apart; the trace names where a change of employer ended a spell.
* ``average_hours_per_week``: tracks are reached through ``work.reach_average``.
* A ``Grade`` (employment_outcome's prices by kind or band) counts one kind's jobs, and the
  days at or above a band's lower bound, on their own; its tracks' keys end ``:<grade>``.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal
from difflib import get_close_matches
from fractions import Fraction
from functools import cached_property
from itertools import pairwise
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, PlainSerializer, WithJsonSchema
from pydantic_core import PydanticCustomError

from ..contract.model import (
    EVIDENCE_LEVELS,
    ComponentBase,
    OutcomeWindow,
    Path,
    Price,
    QualifyingWork,
    Site,
    Strict,
    WorkRules,
)
from ..contract.windows import Deadline
from ..errors import Problem
from ..evaluate.context import CustomerContext
from ..evaluate.lines import Line, Status, event_key
from ..evaluate.trace import Step, Trace
from ..events.model import Employment
from ..periods import ONE_DAY, Period
from ..shown import quoted
from ..values import (
    DURATION_PATTERN,
    Duration,
    DurationField,
    Quantity,
    once_for,
    parse_duration,
)
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
    reach_average,
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


def criteria_text(work: QualifyingWork, grade: Grade | None = None) -> str:
    """What work qualifies, in words: "0.80 FTE or more, open or subsidised at weight 0.5"
    (made once per component's work and grade: it depends on nothing else)."""
    return once_for(_criteria_text, work, grade)


def _criteria_text(work: QualifyingWork, grade: Grade | None) -> str:
    parts: list[str] = []
    min_fte = _highest(work.min_fte, grade.min_fte if grade else None)
    min_hours = _highest(work.min_hours_per_week, grade.min_hours if grade else None)
    if min_fte is not None:
        parts.append(f"{fte_text(min_fte)} FTE or more")
    if min_hours is not None:
        parts.append(f"{num(min_hours)} h/week or more")
    average = getattr(work, "average_hours_per_week", None)
    if average is not None:
        parts.append(f"averaging {num(average)} h/week or more")
    kinds = [k if w == ONE else f"{k} at weight {num(w)}"
             for k, w in work.kinds.items() if w > 0
             and (grade is None or grade.kind is None or k == grade.kind)]
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
    if why.startswith("the component's reach_within"):
        return f"{why}, {last}"
    if why.startswith("the service ends (only"):
        return f"the service ended on {last}"
    if ", plus " in why:
        grace = why.split(", plus ", 1)[1].removesuffix(" grace")
        return f"the outcome window, with {grace} grace, closed on {last}"
    return f"the outcome window closed on {last}"


# --- the work an outcome counts --------------------------------------------------------------

WindowStart = Literal["service", "service_and_follow_up"]
AFTER_SERVICE = "service_and_after"  # the key of a window reaching past the service's end


@dataclass(frozen=True)
class AfterService:
    """The service and the ``after`` that follows its end: "a job started during the service
    or within 3 months after it" (``{service_and_after: 3 months}``). The service is the
    customer's own (an early ``service_end`` closes it, and the months after run from it)."""

    after: Duration

    def __str__(self) -> str:
        return f"the service and {self.after} after it"


StartAt = WindowStart | Duration | AfterService  # a start window, as the model holds it

def _start_window(value: Any) -> Any:
    """``service``, ``service_and_follow_up``, a duration from the service start
    (``6 months``), or ``{service_and_after: 3 months}``: what ``starts_within`` is written
    as; else one message saying all."""
    if value in ("service", "service_and_follow_up") or isinstance(value, AfterService):
        return value
    if isinstance(value, dict):
        return _after_service(value)
    if not isinstance(value, (str, Duration)):
        raise PydanticCustomError("start_window", "expected service, service_and_follow_up, "
                                  "a duration from the service start like '6 months', or "
                                  "{service_and_after: 3 months}")
    if isinstance(value, str) and not re.match(DURATION_PATTERN, value):
        raise PydanticCustomError(
            "start_window", "{value} is neither service, service_and_follow_up, a duration "
            "from the service start like '6 months', nor {service_and_after: 3 months}{meant}",
            {"value": quoted(value, 40), "meant": _meant_window(value)})
    return _some_days(parse_duration(value))  # its own message: too long, say


def _meant_window(value: str) -> str:
    """The form a mistyped start window most resembles, as a hint."""
    if get_close_matches(value.lower(), [AFTER_SERVICE], 1, 0.8):
        return f" (a mapping: write {{{AFTER_SERVICE}: 3 months}})"
    close = get_close_matches(value.lower(), ["service", "service_and_follow_up"], 1, 0.75)
    return f" (did you mean {close[0]}?)" if close else ""


def _after_service(value: dict[Any, Any]) -> AfterService:
    """``{service_and_after: <duration>}``: the one key, and a duration of at least a day."""
    keys = [str(k) for k in value]
    if keys != [AFTER_SERVICE]:
        others = [k for k in keys if k != AFTER_SERVICE]
        meant = (" (did you mean service_and_after?)"
                 if any(get_close_matches(k, [AFTER_SERVICE], 1, 0.8) for k in others) else "")
        raise PydanticCustomError(
            "start_window", "a start window written as a mapping is {service_and_after: "
            "<duration>} (the service and the days after it), not {others}{meant}",
            {"others": ", ".join(quoted(k, 30) for k in others) or "nothing", "meant": meant})
    return AfterService(_some_days(parse_duration(value[AFTER_SERVICE])))


def _some_days(found: Duration) -> Duration:
    if found.count == 0:
        raise PydanticCustomError("start_window", "a start window of {value} holds no day",
                                  {"value": str(found)})
    return found


def _written_window(value: StartAt) -> Any:
    """A start window as it is written: a name, a duration, or its one-key mapping."""
    if isinstance(value, AfterService):
        return {AFTER_SERVICE: str(value.after)}
    return str(value)


# a window by name, a duration from the service start (``6 months``: the job's first day
# before the day 6 months after the service's first day, as a service of 6 months runs), or
# the service and a duration after its end (``{service_and_after: 3 months}``)
StartWindow = Annotated[
    StartAt,
    BeforeValidator(_start_window),
    PlainSerializer(_written_window),
    WithJsonSchema({"anyOf": [
        {"enum": ["service", "service_and_follow_up"]},
        {"type": "string", "pattern": DURATION_PATTERN,
         "description": "from the service start, e.g. '6 months'"},
        {"type": "object", "additionalProperties": False, "required": [AFTER_SERVICE],
         "properties": {AFTER_SERVICE: {
             "type": "string", "pattern": DURATION_PATTERN,
             "description": "the service and this long after its end, e.g. '3 months'"}}},
    ]}),
]


class EarlierEmployer(Strict):
    """No outcome from a job with an employer the customer already worked for: more than
    ``more_than`` in the ``within`` before the employment relationship began (§ 45 (6) SGB
    III: more than three months in the four years before)."""

    within: DurationField = Field(description="how far back from the relationship's first "
                                              "day earlier work with the employer is looked "
                                              "for, e.g. '48 months'")
    more_than: DurationField = Field(description="earlier work with the employer longer than "
                                                 "this keeps the job out, e.g. '3 months'")


class OutcomeWork(QualifyingWork):
    """Which work counts towards an outcome (employment_outcome, milestones): the keys of
    qualifying work, and the rules programmes add — hours on average over the outcome period,
    where a job must start, one employer, a job's length as agreed at its start."""

    average_hours_per_week: Quantity | None = Field(
        default=None, description="the outcome period must average at least this many hours "
                                  "a week (counting: continuous)")
    starts_within: StartWindow | None = Field(
        default=None, description="only jobs that start inside this window (service, "
                                  "service_and_follow_up, a duration from the service start "
                                  "such as '6 months', or {service_and_after: 3 months}) "
                                  "count; their days count after it closes too")
    one_employer: bool = Field(
        default=False, description="a spell is one employment relationship: a change of "
                                   "employer ends it (counting: continuous)")
    min_agreed_length: DurationField | None = Field(
        default=None, description="only jobs agreed, when first recorded, as open-ended or "
                                  "for at least this long count, however long they last")
    exclude_earlier_employer: EarlierEmployer | None = Field(
        default=None, description="a job does not count when the customer worked for its "
                                  "employer more than more_than in the within before the "
                                  "relationship began")


def work_checks(work: OutcomeWork, counting: str, counts_in: str, site: Site) -> list[Problem]:
    """Wrong combinations of the outcome work rules with the component's counting and window
    (``counts_in``: ``service``, ``service_and_follow_up`` or ``active_service``)."""
    out: list[Problem] = []
    if counting != "continuous":
        for key, what in (("average_hours_per_week", "an average over consecutive weeks"),
                          ("one_employer", "one employment relationship for the whole "
                                           "duration")):
            if getattr(work, key) not in (None, False):
                out.append(site.err("C218", f"work.{key} applies to counting: continuous "
                                    f"({what}), not to counting: {counting}", "work", key))
    if work.starts_within == "service_and_follow_up" and counts_in != "service_and_follow_up":
        out.append(site.err("C218", "work.starts_within: service_and_follow_up is wider than "
                            f"where days count ({counts_in.replace('_', ' ')}): a job started "
                            "in the follow-up would count no day", "work", "starts_within"))
    within, service = work.starts_within, site.service_length
    if isinstance(within, Duration) and service is not None \
            and counts_in != "service_and_follow_up" and within.certainly_longer(service):
        out.append(site.err("C218", f"work.starts_within: {within} is longer than the service "
                            f"({service}), where days count: a job started after the service "
                            "would count no day", "work", "starts_within"))
    if isinstance(within, AfterService):
        out.extend(_after_service_checks(within, counts_in, site))
    if isinstance(within, Duration) and service is not None and site.follow_up is not None \
            and counts_in == "service_and_follow_up" \
            and within.min_days() > service.max_days() + site.follow_up.max_days():
        out.append(site.err("C218", f"work.starts_within: {within} is longer than the service "
                            f"({service}) and its follow-up ({site.follow_up}), where days "
                            "count: a job started after them would count no day", "work",
                            "starts_within"))
    earlier = work.exclude_earlier_employer
    if earlier is not None and _never_more(earlier):
        out.append(site.err("C218", f"work.exclude_earlier_employer: more than "
                            f"{earlier.more_than} of work cannot fit in {earlier.within}: no "
                            "job would ever be kept out", "work", "exclude_earlier_employer"))
    return out


def _never_more(rule: EarlierEmployer) -> bool:
    """No earlier work inside ``within`` can be more than ``more_than``: counted from its
    first day, the days of a look-back no longer than ``more_than`` never pass it."""
    if rule.more_than.unit == rule.within.unit:
        return rule.more_than.count >= rule.within.count
    return rule.more_than.min_days() >= rule.within.max_days()


def _after_service_checks(within: AfterService, counts_in: str, site: Site) -> list[Problem]:
    """C218 when no day after the service counts (``counts_in``: where days count), or
    fewer days after it than a job may start in: such a job would count no day."""
    if counts_in != "service_and_follow_up" or (site.follow_up is None
                                                and site.service_length is not None):
        where = (counts_in.replace("_", " ") if counts_in != "service_and_follow_up"
                 else "the service: the contract has no follow_up")
        return [site.err("C218", f"work.starts_within: {within} is wider than where days count "
                         f"({where}): a job started after the service would count no day",
                         "work", "starts_within")]
    if site.follow_up is None:
        return []  # the windows have errors, told where they are
    if within.after.certainly_longer(site.follow_up):
        return [site.err("C218", f"work.starts_within: {within} reaches past the follow-up "
                         f"({site.follow_up}), where days count: a job started after the "
                         "follow-up would count no day", "work", "starts_within")]
    return []


@dataclass(frozen=True)
class Grade:
    """A part of the work priced on its own (employment_outcome): one employment kind's jobs,
    and/or the days at or above an extent band's lower bound. Its name ends occurrences."""

    name: str  # "open", "full_time", "open/full_time"
    kind: str | None = None
    min_fte: Decimal | None = None
    min_hours: Decimal | None = None


@dataclass(frozen=True)
class Track:
    """Days that count towards one outcome: a spell (continuous) or all counted work. Its
    day count and jobs are worked out once, when first asked (the kinds ask them of every
    candidate, and again in reasons and notes)."""

    parts: tuple[Stretch, ...]
    key: str  # "spell:<id>" (continuous) or "all" (cumulative)

    @property
    def start(self) -> date:
        return self.parts[0].period.start

    @property
    def end(self) -> date:
        return self.parts[-1].period.end

    @cached_property
    def days(self) -> Decimal:
        return counted(self.parts)

    @property
    def evidence(self) -> str:
        return weakest(p.evidence for p in self.parts)

    @cached_property
    def event_ids(self) -> tuple[str, ...]:
        return tuple(sorted({i for p in self.parts for i in p.event_ids}))

    def rests(self, got: Reached) -> list[Stretch]:
        """The stretches an outcome reached in this track rests on: its first day (the
        track's start, or the start of the averaged window) through the day reached."""
        upto = Period(got.first_day, got.on + ONE_DAY)
        return [p for p in self.parts if p.period.overlap_days(upto) > 0]


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
    grade: Grade | None = None
    changes: tuple[Step, ...] = ()  # one_employer: where a change of employer ended a spell

    @property
    def decided(self) -> bool:
        """The deadline has passed (or is today): what is not reached now is lost."""
        return self.ctx.as_of >= self.deadline.last_day

    @property
    def criteria(self) -> str:
        return criteria_text(self.work, self.grade)

    @property
    def average(self) -> Decimal | None:
        """The hours a week the outcome period must average, when the work asks for one."""
        value: Decimal | None = getattr(self.work, "average_hours_per_week", None)
        return value

    def reach(self, parts: Sequence[Stretch], needed: Callable[[date], Decimal]
              ) -> Reached | None:
        """The day ``parts`` reach the duration ``needed(first day)`` (averaging the hours the
        work asks for, if it asks)."""
        if not parts:
            return None
        if self.average is not None:
            return reach_average(parts, needed, self.average)
        return reach(parts, needed(parts[0].period.start))

    def open_track(self) -> Track | None:
        """The track further work would extend: the only one when cumulative; for continuous
        counting the latest spell a job starting tomorrow could still join."""
        if not self.tracks:
            return None
        if not self.continuous:
            return self.tracks[-1]
        joinable = [t for t in self.tracks if self.joinable(t)]
        return joinable[-1] if joinable else None

    def joinable(self, track: Track) -> bool:
        """A job starting tomorrow could still join ``track`` (within ``max_gap`` of its
        end, or before it ends)."""
        end = self.max_gap.after(track.end) if self.max_gap is not None else track.end
        return self.ctx.as_of + ONE_DAY <= end

    def goes_on(self, track: Track) -> bool:
        """``track``'s work goes on tomorrow: it covers today, and a job of its last days has
        no end date or a later one (a job ending today is cut to today as well)."""
        if track.end != self.ctx.as_of + ONE_DAY:
            return False
        last = set(track.parts[-1].event_ids)
        return any(j.event_id in last and (j.end is None or j.end > self.ctx.as_of)
                   for j in self.ctx.timeline.employments)

    def late(self, track: Track) -> Track | None:
        """The same track with the deadline ignored."""
        return next((t for t in self.late_tracks if t.start == track.start
                     and t.parts[0].event_ids == track.parts[0].event_ids), None)


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


def _tracks(groups: Sequence[Sequence[Stretch]], continuous: bool, max_gap: Duration | None,
            jobs: dict[str, Employment], grade: Grade | None) -> tuple[Track, ...]:
    """The tracks of the stretches of each employer (one group without one_employer)."""
    if not any(groups):
        return ()  # no qualifying day: no track (most customers of a grade)
    if not continuous:
        parts = [p for g in groups for p in g]
        return (Track(tuple(parts), "all"),) if parts else ()
    found = [spell for g in groups for spell in _join(g, max_gap)]
    if len(found) > 1:  # (one spell, most customers with work, needs no order)
        found.sort(key=lambda s: (s.start, s.event_ids))
    out = []
    led: set[str] = set()
    suffix = f":{grade.name}" if grade is not None else ""
    for spell in found:
        first = spell.stretches[0].event_ids
        lead = min(first, key=lambda i: (jobs[i].date, i) if i in jobs else (date.max, i))
        # one long job can lead several spells (topped up by others at different times):
        # the later ones add their first day, so every spell has its own identity
        key = (f"spell:{event_key(lead)}" if lead not in led
               else f"spell:{event_key(lead)}@{spell.start}")
        led.add(lead)
        out.append(Track(spell.stretches, key + suffix))
    return tuple(out)


def _admitted(ctx: CustomerContext, work: QualifyingWork, jobs: Sequence[Employment]
              ) -> tuple[list[Employment], list[str]]:
    """The jobs the work rules let count, and a note for each job they keep out: a job that
    did not start inside ``starts_within``, was agreed, when first recorded, for less than
    ``min_agreed_length``, or is with an employer it excludes (``exclude_earlier_employer``)."""
    within: StartAt | None = getattr(work, "starts_within", None)
    agreed: Duration | None = getattr(work, "min_agreed_length", None)
    earlier: EarlierEmployer | None = getattr(work, "exclude_earlier_employer", None)
    window = _start_period(ctx, within)
    kept: list[Employment] = []
    notes: list[str] = []
    for job in jobs:
        # a renewal of a contract begun inside the window belongs to it; a job begun before
        # the window never moves a later one out of it (more work never pays less)
        began = relationship_start(ctx, job, jobs, window=window) if window else job.date
        if window is not None and began not in window:
            notes.append(f"job {job.event_id} started on {job.date}, outside "
                         f"{_start_words(within)} ({window.start}..{window.last_day}), and "
                         "only jobs started inside it count")
            continue
        short = _agreed_short(ctx, job, agreed) if agreed is not None else None
        if short is None and earlier is not None:
            short = _earlier_employer(ctx, job, earlier, jobs)
        if short is not None:
            notes.append(short)
            continue
        kept.append(job)
    return kept, notes


def _earlier_employer(ctx: CustomerContext, job: Employment, rule: EarlierEmployer,
                      jobs: Sequence[Employment]) -> str | None:
    """Why ``job`` is kept out by earlier work with its employer (None when it is not): the
    days of the employer's other jobs in ``rule.within`` before the relationship began (its
    jobs begun after the service started joined where one runs into the next without a day
    between), more than ``rule.more_than`` counted from the first of those days. A job naming
    no employer has no earlier work with it."""
    if job.employer is None:
        return None
    worked = _worked_for(ctx, job, jobs)
    # a relationship begun before the service is earlier work, however it runs on: only a
    # contract renewed after the service started is the same employment as the placement
    began = relationship_start(ctx, job, jobs, since=ctx.service.start if ctx.service else None,
                               worked=worked)
    look = Period(rule.within.before(began), began)
    earlier = [c for p in worked if (c := p.clip(look)) is not None]
    days = _days_covered(earlier)
    if not days:
        return None
    first = earlier[0].start
    allowed = (rule.more_than.after(first) - first).days  # the days of more_than from first
    if days <= allowed:
        return None
    return (f"job {job.event_id} is with {job.employer}, for whom the customer worked {days} "
            f"days in the {rule.within} before the relationship began on {began} "
            f"({look.start}..{look.last_day}): more than {rule.more_than} ({allowed} days "
            f"from {first}), so it does not count")


def _worked_for(ctx: CustomerContext, job: Employment, jobs: Sequence[Employment]
                ) -> list[Period]:
    """The days of every job with ``job``'s employer, by first day (known as of the
    evaluation date)."""
    return sorted(p for j in jobs if j.employer == job.employer
                  and (p := job_period(j, ctx.as_of)) is not None)


def relationship_start(ctx: CustomerContext, job: Employment, jobs: Sequence[Employment],
                       *, since: date | None = None, window: Period | None = None,
                       worked: Sequence[Period] | None = None) -> date:
    """The first day of the employment relationship ``job`` belongs to: its own first day,
    or that of a job with its employer that runs into it, or overlaps it, without a day
    between (a contract renewed from one day to the next, a second contract beside the
    first), and so on back, only through jobs begun on or after ``since`` and inside
    ``window`` (``worked``: the employer's jobs' days, ``_worked_for``, if found already).
    A job naming no employer is a relationship of its own."""
    if job.employer is None:
        return job.date
    began = job.date
    for p in reversed(worked if worked is not None else _worked_for(ctx, job, jobs)):
        if p.start < began <= p.end and (since is None or p.start >= since) \
                and (window is None or p.start in window):
            began = p.start
    return began


def _days_covered(periods: list[Period]) -> int:
    """The days inside any of ``periods`` (sorted by start), each day once."""
    days, reached = 0, date.min
    for p in periods:
        start = max(p.start, reached)
        if p.end > start:
            days += (p.end - start).days
            reached = p.end
    return days


def _start_period(ctx: CustomerContext, within: StartAt | None) -> Period | None:
    """The days a job may start on: a window by name, the duration from the service's
    first day (however the service ends), or the service and the duration after its end."""
    if within is None:
        return None
    if isinstance(within, Duration):
        start = ctx.service.start if ctx.service is not None else None
        return Period(start, within.after(start)) if start is not None else None
    if isinstance(within, AfterService):
        service = ctx.service
        return Period(service.start, within.after.after(service.end)) if service else None
    return ctx.window(within)


def _start_words(within: StartAt | None) -> str:
    if isinstance(within, Duration):
        return f"{within} from the service start"
    if isinstance(within, AfterService):
        return f"the service or the {within.after} after it"
    return "the service" if within == "service" else "the service or its follow-up"


def _agreed_short(ctx: CustomerContext, job: Employment, agreed: Duration) -> str | None:
    """Why ``job`` was agreed for less than ``agreed`` (None when it was not): its first
    recorded version is the contract as agreed at the start."""
    first = ctx.timeline.first_version(job)
    if first.end is None or first.end + ONE_DAY >= agreed.after(first.date):
        return None
    later = (f", even as extended to {job.end}" if job.end != first.end and job.end is not None
             else ", even though it went on" if job.end is None else "")
    return (f"job {job.event_id} was agreed, when first recorded on {first.known_on}, to run "
            f"{first.date}..{first.end}: less than {agreed} (to {agreed.after(first.date)}), "
            f"so it does not count{later}")


def _employers(jobs: Sequence[Employment], one_employer: bool) -> list[list[Employment]]:
    """The jobs of each employment relationship (all jobs together without one_employer). A
    job that names no employer is a relationship of its own."""
    if not one_employer:
        return [list(jobs)]
    groups: dict[str, list[Employment]] = {}
    for job in jobs:
        groups.setdefault(job.employer or f"\0{job.event_id}", []).append(job)
    return [groups[k] for k in sorted(groups)]


def _job_notes(ctx: CustomerContext, work: QualifyingWork, counting: Period,
               tracks: Sequence[Track], deadline: Deadline, requires_active: bool,
               admitted: Sequence[Employment], grade: Grade | None) -> list[str]:
    notes: list[str] = []
    used: set[str] | None = None  # the jobs some track counted (found when first asked)
    service = ctx.service
    for job in admitted:
        jid = job.event_id
        if work.kinds.get(job.kind, ZERO) <= 0 or (grade and grade.kind
                                                    and job.kind != grade.kind):
            notes.append(f"job {jid} is {job.kind} work, which does not count"
                         + (f" as {grade.kind} work" if grade and grade.kind
                            and work.kinds.get(job.kind, ZERO) > 0 else ""))
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
        elif jid not in (used := _used(tracks) if used is None else used):
            notes.append(_below(job, work, grade))
        elif (requires_active and service is not None and span.end > service.end
              and counting.end == service.end):
            notes.append(f"days of job {jid} after the service ended on {service.last_day} "
                         "do not count (only days in service count)")
    for gone in ctx.timeline.voided:
        if isinstance(gone, Employment):
            notes.append(f"employment {gone.event_id} was voided (recorded {gone.known_on})")
    return notes


def _used(tracks: Sequence[Track]) -> set[str]:
    return {i for t in tracks for i in t.event_ids}


def _highest(*values: Decimal | None) -> Decimal | None:
    given = [v for v in values if v is not None]
    return max(given) if given else None


def _below(job: Employment, work: QualifyingWork, grade: Grade | None) -> str:
    jid = job.event_id
    full = work.full_time_hours
    min_fte = _highest(work.min_fte, grade.min_fte if grade else None)
    min_hours = _highest(work.min_hours_per_week, grade.min_hours if grade else None)
    if min_fte is not None and not fte_at_least([job], min_fte, full):
        if job.fte is not None:
            return f"job {jid} at {fte_text(job.fte)} FTE is below {fte_text(min_fte)}"
        return (f"job {jid} at {num(job_hours(job, full))} h/week "
                f"({fte_text(job_fte(job, full))} FTE) is below {fte_text(min_fte)} FTE")
    hours = job_hours(job, full)
    if min_hours is not None and hours < min_hours:
        return f"job {jid} at {num(hours)} h/week is below {num(min_hours)} h/week"
    return f"job {jid} has no qualifying day"


def count_work(ctx: CustomerContext, work: QualifyingWork, counting_mode: str,
               max_gap: Duration | None, window: OutcomeWindow, reach_by: date | None,
               requires_active: bool = False, grade: Grade | None = None,
               reach_within: Duration | None = None) -> WorkCount | None:
    """Qualifying work of the customer for one component (for one grade of it, when its price
    depends on the kind or the extent of the work); None when no service has started."""
    frame = _frame(ctx, work, window, reach_by, requires_active, reach_within)
    if frame is None:
        return None
    counting, _, deadline, admitted, kept_out, groups, by_id = frame
    weights = _rules(work, grade)[0]
    continuous = counting_mode == "continuous"
    if any(weights.get(j.kind, ZERO) > 0 for j in admitted):
        tracks, late_tracks = _counted_tracks(ctx, work, frame, grade, continuous, max_gap)
    else:  # no job of a kind that counts (most customers of a grade): no qualifying day
        tracks = late_tracks = ()
    notes = kept_out + _job_notes(ctx, work, counting, tracks, deadline, requires_active,
                                  admitted, grade)
    changes = _employer_changes(tracks, by_id, max_gap) if len(groups) > 1 else ()
    return WorkCount(ctx, work, continuous, max_gap, counting, deadline, tracks, late_tracks,
                     tuple(notes), grade, changes)


def _counted_tracks(ctx: CustomerContext, work: QualifyingWork, frame: _Frame,
                    grade: Grade | None, continuous: bool, max_gap: Duration | None
                    ) -> tuple[tuple[Track, ...], tuple[Track, ...]]:
    """The tracks inside the counting period, and the same work ignoring the deadline."""
    counting, late, _, _, _, groups, by_id = frame
    weights, min_hours, min_fte = _rules(work, grade)
    # the stretches of the longer period, once; those of the counting period are cut from
    # them (a stretch is a run of days in one state, so cutting it changes nothing else)
    late_parts = [stretches(g, weights, late, ctx.as_of, min_hours, min_fte,
                            work.full_time_hours) for g in groups]
    parts = [_cut(g, counting) for g in late_parts]
    tracks = _tracks(parts, continuous, max_gap, by_id, grade)
    # nothing cut at the deadline: the tracks ignoring it are the same tracks
    late_tracks = tracks if all(p is g for p, g in zip(parts, late_parts, strict=True)) else \
        _tracks(late_parts, continuous, max_gap, by_id, grade)
    return tracks, late_tracks


_Frame = tuple[Period, Period, Deadline, list[Employment], list[str], list[list[Employment]],
               dict[str, Employment]]


def _frame(ctx: CustomerContext, work: QualifyingWork, window: OutcomeWindow,
           reach_by: date | None, requires_active: bool, reach_within: Duration | None
           ) -> _Frame | None:
    """What counting the customer's work for a component is framed by, the same for every
    grade of it: the days that count, the longer days of the explanations, the deadline, the
    jobs the work rules admit (and notes on those kept out), grouped by employer. Found once
    per customer (a component priced by kind counts each kind apart); None before a service
    has started."""
    key = (_frame, id(work), window, reach_by, requires_active, reach_within)
    if key in ctx.memo:
        return ctx.memo[key]  # type: ignore[return-value]
    found = ctx.memo[key] = _make_frame(ctx, work, window, reach_by, requires_active,
                                        reach_within)
    return found


def _make_frame(ctx: CustomerContext, work: QualifyingWork, window: OutcomeWindow,
                reach_by: date | None, requires_active: bool, reach_within: Duration | None
                ) -> _Frame | None:
    service = ctx.service
    deadline = ctx.deadline(window, reach_by, requires_active, reach_within)
    if service is None or deadline is None:
        return None
    # days count from the service start: where the service, and every outcome window, starts
    # (``ctx.window`` is not asked for: its end is not used here)
    start = service.start
    end = deadline.last_day + ONE_DAY
    late_end = service.end if requires_active else max(ctx.as_of + ONE_DAY, end)
    admitted, kept_out = _admitted(ctx, work, ctx.timeline.employments)
    groups = _employers(admitted, getattr(work, "one_employer", False))
    return (Period(start, max(start, end)), Period(start, max(start, late_end)), deadline,
            admitted, kept_out, groups, {j.event_id: j for j in admitted})


_Rules = tuple[dict[str, Decimal], Decimal | None, Decimal | None]


def _rules(work: QualifyingWork, grade: Grade | None) -> _Rules:
    """The kind weights and the least hours and FTE a day needs, for the work of one grade
    (made once per component's work and grade)."""
    return once_for(_make_rules, work, grade)


def _make_rules(work: QualifyingWork, grade: Grade | None) -> _Rules:
    weights = {str(k): v for k, v in work.kinds.items()}
    if grade is not None and grade.kind is not None:
        weights = {grade.kind: weights.get(grade.kind, ZERO)}
    return (weights, _highest(work.min_hours_per_week, grade.min_hours if grade else None),
            _highest(work.min_fte, grade.min_fte if grade else None))


def _cut(parts: list[Stretch], counting: Period) -> list[Stretch]:
    """The stretches inside ``counting``: whole where they lie inside it, else cut (the
    very list given when every stretch lies inside)."""
    out = []
    whole = True
    start, end = counting.start, counting.end
    for p in parts:
        if start <= p.period.start and p.period.end <= end:
            out.append(p)
            continue
        whole = False
        if (cut := p.period.clip(counting)) is not None:
            out.append(p.cut_to(cut))
    return parts if whole else out


def _employer_changes(tracks: Sequence[Track], jobs: dict[str, Employment],
                      max_gap: Duration | None) -> tuple[Step, ...]:
    """Where a change of employer ended a spell that would otherwise have gone on: a spell of
    another employer starting while the earlier one could still have been joined."""
    def employers(track: Track) -> str:
        return ", ".join(sorted({jobs[i].employer or f"job {i}" for i in track.event_ids
                                 if i in jobs}))

    out = []
    for a, b in ((a, b) for a in tracks for b in tracks if a.start < b.start):
        joinable = max_gap.after(a.end) if max_gap is not None else a.end
        if b.start <= joinable and a.end <= b.end and employers(a) != employers(b):
            out.append(Step("employer change", f"employment with {employers(a)} ended on "
                            f"{a.end - ONE_DAY}; from {b.start} the work with {employers(b)} "
                            "is another employment relationship, a spell of its own",
                            b.start, b.end, None, b.event_ids))
    return tuple(out)


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


def rules_text(wc: WorkCount) -> str:
    """The rule as applied, for the trace: what counts, how, and from when to when."""
    work = wc.work
    rule = f"counting {wc.criteria}, {'continuous' if wc.continuous else 'cumulative'}"
    within = getattr(work, "starts_within", None)
    if isinstance(within, Duration):
        rule += f", only jobs started within {within} of the service start"
    elif isinstance(within, AfterService):
        rule += f", only jobs started during the service or within {within.after} after it"
    elif within is not None:
        rule += f", only jobs started inside the {within.replace('_', ' ')} window"
    window = _start_period(wc.ctx, within)
    if window is not None:  # the customer's own days a job may start on
        rule += f" ({window.start}..{window.last_day})"
    agreed = getattr(work, "min_agreed_length", None)
    if agreed is not None:
        rule += f", only jobs agreed (as first recorded) for {agreed} or more"
    earlier = getattr(work, "exclude_earlier_employer", None)
    if earlier is not None:
        rule += (f", not jobs with an employer the customer worked for more than "
                 f"{earlier.more_than} in the {earlier.within} before")
    if getattr(work, "one_employer", False):
        rule += ", one employer a spell (a change of employer ends it)"
    return (f"{rule}, days {wc.counting.start} to {wc.deadline.last_day} "
            f"({wc.deadline.why})")


def work_trace(wc: WorkCount, extra: Callable[[], Iterable[Step]] = tuple) -> Trace:
    """What the counting looked at: the rule, each spell (or all counted work) with the days
    it counted, and the jobs that did not count and why; ``extra`` makes the kind's own
    steps, only when the trace is read."""
    return Trace(lambda: (rules_text(wc),), lambda: (*track_steps(wc), *wc.changes, *extra(),
                                             *(Step("not counted", note) for note in wc.notes)))


def track_steps(wc: WorkCount) -> list[Step]:
    name = "spell" if wc.continuous else "all counted work"
    of = f" ({wc.grade.name})" if wc.grade is not None else ""
    return [Step(name, f"{name}{of} {t.start}..{t.end - ONE_DAY}: {num(t.days)} days counted, "
                       f"evidence {t.evidence}, jobs {', '.join(t.event_ids)}",
                 t.start, t.end, t.days, t.event_ids) for t in wc.tracks]


def average_step(track: Track, got: Reached) -> Step:
    """The weeks an average was taken over, and each week's hours: weeks of counted days laid
    from the window's first day (gap days are not counted)."""
    assert got.hours is not None
    window = Period(got.first_day, got.on + ONE_DAY)
    daily = [Fraction(part.hours) / 7 for part in track.rests(got)
             for _ in range(part.period.overlap_days(window))]
    weeks = ", ".join(hours_text(sum(daily[i:i + 7], Fraction(0)))
                      for i in range(0, len(daily), 7))
    return Step("weeks averaged",
                f"hours {got.first_day}..{got.on}: {hours_text(got.hours)} h in {got.days} "
                f"days, {hours_text(7 * got.hours / got.days)} h/week on average; week by "
                f"week from {got.first_day}: {weeks} h", got.first_day, got.on + ONE_DAY,
                as_decimal(got.hours), got.event_ids)


def hours_text(value: Fraction) -> str:
    """Hours shown to two decimals at most, cut (never rounded up): 15, 14.99, 7.5."""
    return num(as_decimal(value).quantize(Decimal("0.01"), rounding=ROUND_DOWN))


def outcome_work_rules(work: QualifyingWork) -> WorkRules:
    """The work rules of an outcome kind that counts ``work`` (employment_outcome, milestones):
    the least hours a week it asks, per day or on average."""
    average: Decimal | None = getattr(work, "average_hours_per_week", None)
    hours: Decimal | None = work.min_hours_per_week
    path: Path = ("work", "min_hours_per_week")
    if average is not None and (hours is None or average > hours):
        hours, path = average, ("work", "average_hours_per_week")
    return WorkRules({str(k): v for k, v in work.kinds.items()}, ("work", "kinds"),
                     hours, path, work.full_time_hours)


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
    if not ctx.timeline.superseded:
        return out  # one recorded version of every job: no evidence changed
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


def reached_evidence(rests: Sequence[Stretch], got: Reached) -> tuple[str, tuple[str, ...]]:
    """(evidence level, event ids) of a reached threshold."""
    # hours on average: the evidence of the hours averaged (see work.reach_average)
    level = got.evidence if got.hours is not None else weakest(p.evidence for p in rests)
    return level, tuple(sorted({i for p in rests for i in p.event_ids}))


def reached_text(ctx: CustomerContext, work: QualifyingWork, rests: Sequence[Stretch],
                 got: Reached, what: str) -> tuple[str, str, tuple[str, ...]]:
    """(reason, evidence level, event ids) of a reached threshold."""
    level, ids = reached_evidence(rests, got)
    if got.hours is not None:
        extent = (f"averaging {hours_text(7 * got.hours / got.days)} h/week "
                  f"({hours_text(got.hours)} h from {got.first_day})")
    else:
        extent = f"at {extent_text(rests, work)}"
    reason = f"employment {ids_text(ids)} reached {what} on {got.on} {extent}, " \
             f"{evidence_words(level)}"
    if getattr(work, "one_employer", False):
        jobs = {j.event_id: j for j in ctx.timeline.employments}
        employers = sorted({jobs[i].employer or f"none named (job {i})" for i in ids if i in jobs})
        reason += f", one employer ({', '.join(employers)})"
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
                        unit_price=ctx.price(amount, stronger[-1], on=on) or ZERO,
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
                   what: str, candidates: Sequence[Track], late: LateHit,
                   open_track: Track | None, extra: str = "", kind: str | None = None,
                   restarts: Track | None = None) -> Line:
    """A pending (deadline ahead) or not_earned (deadline passed) line for an outcome that
    has not been reached. ``target(anchor)`` is the day count needed by a track starting on
    ``anchor``; ``what`` names the threshold ("90 days"); ``late``: the outcome reached
    after the deadline (``first_late``); ``restarts``: with no ``open_track``, the spell the
    count starts again in tomorrow (a payment reached today, the job going on)."""
    if not wc.decided:
        status: Status = "pending"
        reason, level, evidence = _still_open(ctx, wc, target, candidates, open_track,
                                              restarts)
    else:
        status = "not_earned"
        reason, level, evidence = _lost(wc, target, what, candidates, late)
    on = wc.deadline.last_day
    price = ctx.price(amount, level, on=on, kind=kind) if level is not None else None
    if price is None:
        price = ctx.price(amount, on=on, kind=kind) or ZERO
        if level is not None:
            reason += (f"; {evidence_words(level)} work is not priced, shown at the price of "
                       "the strongest evidence")
    reason += extra + _notes_text(wc.notes)
    return ctx.line(comp, status=status, occurrence=occurrence, on=wc.deadline.last_day,
                    quantity=ONE, unit_price=price, reason=reason, evidence=evidence)


def _still_open(ctx: CustomerContext, wc: WorkCount, target: Callable[[date], Decimal],
                candidates: Sequence[Track], open_track: Track | None,
                restarts: Track | None = None) -> tuple[str, str | None, list[str]]:
    """(reason, evidence level, evidence) of an outcome the deadline still allows."""
    deadline = wc.deadline
    evidence: list[str] = []
    level = open_track.evidence if open_track is not None else None
    if open_track is not None:
        evidence.extend(open_track.event_ids)
        need = target(open_track.start)
        more = max(ZERO, need - open_track.days)
        progress = (f"{num(open_track.days)} of {count_days(need)} so far"
                    + (f" in the spell from {open_track.start}" if wc.continuous else "")
                    + _average_so_far(wc, open_track))
        if more > 0:
            reason = (f"needs {num(more)} more {_days(more)} of qualifying work "
                      f"({wc.criteria}) by {by_text(deadline)}; {progress}")
        else:  # days enough, but too few hours on average so far
            reason = (f"needs {count_days(need)} of work averaging {num(wc.average or ZERO)} "
                      f"h/week or more by {by_text(deadline)}; the spell from "
                      f"{open_track.start} has {count_days(open_track.days)}"
                      f"{_average_so_far(wc, open_track)}")
    else:
        more = need = target(ctx.as_of + ONE_DAY)
        spell = "a new spell of " if wc.continuous and wc.tracks and restarts is None else ""
        reason = (f"needs {spell}{count_days(need)} of qualifying work ({wc.criteria}) by "
                  f"{by_text(deadline)}")
        if restarts is not None:
            evidence.extend(restarts.event_ids)
            reason += (f"; counted from {ctx.as_of + ONE_DAY} in the spell from "
                       f"{restarts.start} ({ids_text(restarts.event_ids)})")
        best = max(candidates, key=lambda t: (t.days, t.start), default=None)
        if (spell or restarts is not None) and best is not None:
            evidence.extend(best.event_ids)
            reason += (f"; the longest spell so far, {best.start}..{best.end - ONE_DAY} "
                       f"({ids_text(best.event_ids)}), has "
                       + (f"{count_days(best.days)}{_average_so_far(wc, best, 'in all')}"
                          if best.days >= target(best.start) else
                          f"{num(best.days)} of {count_days(target(best.start))}"))
    left = (deadline.last_day - ctx.as_of).days
    if more > left:
        reason += (f"; only {days_text(left)} {'remains' if left == 1 else 'remain'}, so "
                   "it cannot be reached in time on the work known so far")
    return reason, level, evidence


LateHit = tuple[Reached, Track] | None


def first_late(wc: WorkCount, tracks: Iterable[Track], target: Callable[[date], Decimal]
               ) -> LateHit:
    """The outcome first reached after the deadline by one of ``tracks`` (the work with the
    deadline ignored), and its track; the first track of those reached on the same day.
    None while the deadline is ahead: nothing is late yet."""
    if not wc.decided:
        return None
    late_hits: list[tuple[Reached, Track]] = []
    for track in tracks:
        got = wc.reach(track.parts, target)
        if got is not None and got.on > wc.deadline.last_day:
            late_hits.append((got, track))
    return min(late_hits, key=lambda h: h[0].on) if late_hits else None


def _lost(wc: WorkCount, target: Callable[[date], Decimal], what: str,
          candidates: Sequence[Track], late: LateHit) -> tuple[str, str | None, list[str]]:
    """(reason, evidence level, evidence) of an outcome whose deadline has passed (``late``:
    its ``first_late`` hit)."""
    deadline = wc.deadline
    if late is not None:
        got, _ = late
        return (f"threshold of {what} reached on {got.on}, "
                f"{days_text((got.on - deadline.last_day).days)} after "
                f"{closed_text(deadline)}"), got.evidence, list(got.event_ids)
    best = max(candidates, key=lambda t: (t.days, t.start), default=None)
    if best is None and wc.tracks:
        reason = (f"no further spell of qualifying work ({wc.criteria}) reached {what} by "
                  f"{by_text(deadline)}")
    elif best is None:
        reason = f"no qualifying work ({wc.criteria}) by {by_text(deadline)}"
    elif best.days >= target(best.start):  # days enough, but too few hours on average
        reason = (f"the spell {best.start}..{best.end - ONE_DAY} ({ids_text(best.event_ids)}) "
                  f"has {count_days(best.days)}{_average_so_far(wc, best, 'in all')}, but no "
                  f"{what} of it averaged {num(wc.average or ZERO)} h/week or more by "
                  f"{by_text(deadline)}")
    else:
        reason = (f"only {num(best.days)} of {count_days(target(best.start))} of "
                  f"qualifying work ({wc.criteria}) by {by_text(deadline)}")
    return (reason, best.evidence if best is not None else None,
            list(best.event_ids) if best is not None else [])


def _average_so_far(wc: WorkCount, track: Track, words: str = "so far") -> str:
    """ ", averaging 14.9 h/week so far": the hours a week of a whole track, when the work
    asks for an average."""
    if wc.average is None:
        return ""
    days = sum(p.period.days for p in track.parts)
    hours = sum((Fraction(p.hours) * p.period.days for p in track.parts), Fraction(0)) / 7
    return f", averaging {hours_text(7 * hours / days)} h/week {words}"


def not_started_line(ctx: CustomerContext, comp: ComponentBase, occurrence: str, amount: Price
                     ) -> Line:
    status, reason, on = ctx.without_service("service has not started")
    return ctx.line(comp, status=status, occurrence=occurrence, on=on, quantity=ONE,
                    unit_price=ctx.price(amount) or ZERO, reason=reason)


def unpriced_line(ctx: CustomerContext, comp: ComponentBase, occurrence: str) -> Line:
    return ctx.line(comp, status="not_earned", occurrence=occurrence, on=None, quantity=ONE,
                    unit_price=ZERO, reason=f"no price for segment {ctx.segment}")


# --- the kind ------------------------------------------------------------------------------
