"""Synthetic event files for any contract, drawn from a cohort (``cohort.py``).

One generator, by blocks of customers drawn as columns (``draw_block``): every value of a
block is an array drawn with vectorised ``Generator`` draws (a cohort distribution's
``vector``, the same formula as its scalar ``draw``), in a fixed order; days are integer
ordinals, offsets from an anchor (months by ``blocks.months_on``); a segment's profile
applies to its customers through masks; each kind of row is held once as its fields'
columns of texts (``blocks.Part``), of which ``generate`` writes CSV lines and ``simulate``
makes events, put in customer order by a stable sort. ``write_events`` writes
whole files: blocks of ``BLOCK`` customers drawn from
``Generator(PCG64(SeedSequence(seed, spawn_key=(block,))))``, so a file is the same bytes
for a seed whatever the number of processes writing it, and customer ``c0000042`` is the
same customer in a file of 100 or of a million. Customer ids are zero-padded, so the file is
sorted by customer (the fast path of ``evaluate --jobs``). ``block_rows`` gives a block's
rows per customer as text (``simulate`` makes events of a block's rows' fields instead,
``forecast.runs.block_events``). A forecast that continues a real timeline draws a block's
service rows and chains of new jobs with ``in_service`` and ``job_chains``, the generator's
own. Amounts are written as text with two decimals (the
engine reads them as ``Decimal``); nothing here computes money.

What is drawn, per customer: a referral in the contract's referral window (month by the
cohort's rates), a segment by the cohort's mix (written on the referral for
``segments.source: referral``; otherwise referral attributes that fall in that tier's
rules), a provider; a service start and sometimes an early end; contacts each month of the
service and their answers; hours delivered in the first months; jobs with gaps,
part-time, subsidised, with their evidence, a self-report confirmed later by a
later-recorded register row, an end recorded later as a correction, sometimes a void;
education; surveys; benefit months; expenses; now and then a second referral; and, drawn
last so that no other draw moves, the earlier work the unemployment followed.

What the contract counts decides which rows and values are drawn: each component says which
event rows it counts (``ComponentBase.wanted_events``), so hours are written with the
activities its fees pay for (an hourly fee's, or an event fee's ``where: {activity: ...}``),
surveys with its instruments, expenses with its categories, education with the kinds it
pays for (or ``vocational``), and a service end with the reasons it pays for (every service
then ends with a row: early, or on its last day) — else the generator would write nothing a
fee on such rows could pay.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import os
import random
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from decimal import Decimal
from itertools import chain, pairwise
from typing import IO, Any

import numpy as np

from .blocks import (
    Array,
    Block,
    Part,
    Source,
    as_days,
    day_text,
    iso,
    month_first,
    months_on,
    pick,
    texts,
    within,
)
from .cohort import Cohort, Jobs, Profile, bounds
from .contract.load import LoadedContract
from .contract.model import Range, Segmentation, WantedEvent
from .contract.segments import assign
from .evaluate.context import referral_attributes
from .events.model import Referral
from .pipeline import load_contract_bytes
from .processes import usable_jobs
from .shown import brief, meant
from .values import MAX_DATE, MIN_DATE, Duration, add_months

BLOCK = 4096  # customers per random stream; fixed, so files do not depend on --jobs
ROW_FIELDS = (
    "event_id", "customer_id", "type", "date", "recorded", "end", "void", "provider",
    "segment", "unemployed_since", "birth_date", "partial_work_ability", "benefit_days",
    "reason", "hours", "activity", "responded", "kind", "evidence", "hours_per_week", "fte",
    "wage", "days", "amount", "instrument", "score", "description", "category",
)
Row = dict[str, Any]  # field -> its text (a file's row)


class Draws:
    """A customer's uniform draws, taken in order; more come from a stream seeded from them.

    ``next()`` takes the next draw (``u.next()`` is the same, a little slower): the list's own
    iterator, then the extra stream, so the hot loops of drawing make no Python call per
    draw."""

    __slots__ = ("_u", "next")

    def __init__(self, u: Sequence[float]) -> None:
        self._u = u if type(u) is list else list(u)  # never changed here: no copy
        self.next: Callable[[], float] = chain(self._u, _more(self._u)).__next__

    def __call__(self) -> float:
        return self.next()

    def chance(self, share: Decimal) -> bool:
        return self.next() < _FLOATS[share]

    def pick(self, cumulative: Sequence[tuple[float, str]]) -> str:
        u = self.next()
        for bound, name in cumulative:
            if u < bound:
                return name
        return cumulative[-1][1]


def _more(u: list[float]) -> Iterator[float]:
    """Draws past the list: a stream seeded from the first draw (made only when needed)."""
    extra = random.Random(int(u[0] * 2**53) if u else 0)
    while True:
        yield extra.random()


class _Cache(dict[Any, Any]):
    """Values worked out once by key (``cache[key]``: a lookup, no Python call when found),
    at most ``most`` kept."""

    def __init__(self, work: Callable[[Any], Any], most: int) -> None:
        super().__init__()
        self.work, self.most = work, most

    def __missing__(self, key: Any) -> Any:
        if len(self) >= self.most:
            self.clear()
        found = self[key] = self.work(key)
        return found


# a cohort's shares, as floats (float(Decimal) is slow)
_FLOATS: dict[Decimal, float] = _Cache(float, 10_000)
_as_float: Callable[[Decimal], float] = _FLOATS.__getitem__


@dataclass(frozen=True)
class Plan:
    """What drawing needs from the contract and the cohort, worked out once."""

    loaded: LoadedContract
    cohort: Cohort
    first_day: date
    last_day: date
    months: tuple[tuple[float, date, date], ...]  # cumulative weight, first and last day
    segments: tuple[tuple[float, str], ...]
    providers: tuple[tuple[float, str], ...]
    segment_source: str  # "none", "referral" or "rules"
    recipes: dict[str, tuple[dict[str, Any], ...]]  # rule segments: attribute sets
    attr_columns: tuple[str, ...]
    service_days: int  # the longest service, in days (months at their shortest)
    service_months: int  # the longest service in calendar months (0: written in days)
    starts_at_referral: bool
    activities: tuple[str, ...] = ()
    instruments: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    benefits: bool = False
    hours: bool = False  # hours rows are counted (with the activities, or any)
    expenses: bool = False  # expense rows are counted (with the categories, or any)
    earnings: bool = False  # earnings rows are counted: each job's wages, month by month
    cumulative_days: bool = False  # benefit rows carry the customer's benefit days in all
    employers: bool = False  # a fee tells jobs apart by employer: every job names one
    education_kinds: tuple[str, ...] = ("vocational",)
    end_reasons: tuple[str, ...] = ()  # service ends are counted by reason: every one ends
    columns: tuple[str, ...] = field(default=ROW_FIELDS)
    profiles: dict[str, Profile] = field(default_factory=dict)  # per segment
    quoting: bool = False  # a text from the contract needs CSV quotes
    source: tuple[str, bytes] | None = None  # the contract file's name and bytes
    # (segment, first recipe, referral day) -> the recipe drawn: segmenting a referral is
    # slow, and the same few thousand combinations repeat
    chosen: dict[tuple[str, int, date], dict[str, Any]] = field(
        default_factory=dict, compare=False, repr=False)

    def __reduce__(self) -> tuple[Any, ...]:
        """A plan travels to another process as the contract's bytes and the cohort."""
        if self.source is None:
            raise TypeError("a plan made without the contract's bytes stays in its process")
        return (_plan_from_source, (self.source, self.cohort))

    def profile(self, segment: str) -> Profile:
        return self.profiles[segment]

    @property
    def as_written(self) -> bool:
        """Whether every text drawn from the contract is read back as it is written: none
        needs CSV quotes or has spaces around it (which a reader strips)."""
        names = [*self.activities, *self.instruments, *self.categories,
                 *self.education_kinds, *self.end_reasons, *(n for _, n in self.providers),
                 *(n for _, n in self.segments),
                 *(str(v) for recipes in self.recipes.values() for recipe in recipes
                   for k, v in recipe.items() if k.startswith("attr_"))]
        return all(_cell(n) == n == n.strip() for n in names)

    def draws_like(self, other: Plan) -> bool:
        """Whether ``other`` draws the same rows from the same draws: every field drawing
        reads is equal, and so are the segments (a recipe is checked against them). Two
        drafts that differ only in their prices draw alike."""
        return self.loaded.contract.segments == other.loaded.contract.segments and all(
            getattr(self, f.name) == getattr(other, f.name) for f in fields(self)
            if f.name not in _NOT_DRAWN)


_NOT_DRAWN = frozenset({"loaded", "source", "chosen"})  # what draws_like leaves aside


def _cumulative(weights: dict[str, float]) -> tuple[tuple[float, str], ...]:
    total = sum(weights.values()) or 1.0
    out, run = [], 0.0
    for name, weight in weights.items():
        run += weight / total
        out.append((run, name))
    return tuple(out)


_PLANS: dict[tuple[str, str, int], Plan] = {}


def _plan_from_source(source: tuple[str, bytes], cohort: Cohort) -> Plan:
    key = (source[0], hashlib.sha256(source[1]).hexdigest(), hash(cohort.model_dump_json()))
    if key not in _PLANS:
        loaded, _ = load_contract_bytes(source[1], source[0])
        if loaded is None:
            raise ValueError("the contract has errors")
        _PLANS[key] = make_plan(loaded, cohort, source)
    return _PLANS[key]


class Unfit(ValueError):
    """The cohort does not fit the contract (``make_plan``), with the cohort path to blame
    when one is (``path``; None: the names, which ``lacking_names`` locates)."""

    def __init__(self, message: str, path: tuple[str, ...] | None = None) -> None:
        super().__init__(message)
        self.path = path


def unfit_days(loaded: LoadedContract, cohort: Cohort) -> tuple[tuple[str, ...], str] | None:
    """Where the cohort's days do not fit, whatever names it writes: its referrals draw
    nobody (``nobody_referred``) or its draws date a row no event may have
    (``beyond_calendar``); with the cohort path to blame."""
    return nobody_referred(loaded, cohort) or beyond_calendar(loaded, cohort)


def make_plan(loaded: LoadedContract, cohort: Cohort,
              source: tuple[str, bytes] | None = None) -> Plan:
    """The drawing plan for ``cohort`` under ``loaded`` (ValueError: they do not fit);
    ``source``, the contract file's name and bytes, lets the plan go to other processes."""
    c = loaded.contract
    refs = cohort.referrals
    first, last = _days_drawn(loaded, cohort)
    gap = unfit_days(loaded, cohort)
    if gap is not None:
        raise Unfit(gap[1], gap[0])
    segs = c.segments
    ids, providers = cohort_names(loaded)
    mix = {k: float(v) for k, v in (cohort.segments or {s: Decimal(1) for s in ids}).items()}
    pmix = {k: float(v) for k, v in (cohort.providers or {p: Decimal(1) for p in providers})
            .items()}
    unknown = names_lacking(loaded, mix, cohort.profiles, pmix)
    if unknown:
        raise ValueError(lacking_message(loaded, unknown))
    by = "none" if segs is None else segs.source
    attrs = sorted({k for t in segs.tiers for k in t.when if k.startswith("attr_")}) \
        if segs is not None else []
    kinds = {comp.kind_name: comp for comp in c.components}
    wanted = [w for comp in c.components for w in comp.wanted_events()]
    # a buyer's share by benefit days paid in all is read from the benefit rows' counter
    cumulative = any(getattr(comp, "buyer_share", None) is not None for comp in c.components)
    employers = any(comp.reads_employers() for comp in c.components)
    counted = {name: _values(wanted, *name.split(".")) for name in (
        "hours.activity", "survey.instrument", "expense.category", "education.kind",
        "service_end.reason")}
    texts = [*(v for values in counted.values() for v in values), *ids, *providers,
             *(str(v) for t in (segs.tiers if segs else []) for v in t.when.values())]
    return Plan(
        loaded=loaded, cohort=cohort, first_day=first, last_day=last,
        months=_months(first, last, refs.per_month), segments=_cumulative(mix),
        providers=_cumulative(pmix), segment_source=by,
        recipes=_recipes(loaded, cohort, ids) if by == "rules" else {},
        attr_columns=tuple(attrs), service_days=c.windows.service.max_length.min_days(),
        service_months=(c.windows.service.max_length.count
                        if c.windows.service.max_length.unit == "months" else 0),
        starts_at_referral=c.windows.service.starts_at == "referral",
        activities=counted["hours.activity"], instruments=counted["survey.instrument"],
        categories=counted["expense.category"],
        benefits="benefit_reduction" in kinds or any(w.type == "benefit" for w in wanted)
        or any(getattr(comp, "benefit_test", None) is not None for comp in c.components),
        hours=any(w.type == "hours" for w in wanted),
        earnings=any(w.type == "earnings" for w in wanted),
        cumulative_days=cumulative,
        employers=employers,
        expenses=any(w.type == "expense" for w in wanted),
        education_kinds=_with(counted["education.kind"], "vocational"),
        end_reasons=_with(counted["service_end.reason"], "ended")
        if counted["service_end.reason"] else (),
        columns=(*ROW_FIELDS[:13], *attrs, *ROW_FIELDS[13:],
                 *(("cumulative_days",) if cumulative else ()),
                 *(("employer",) if employers else ())),
        profiles={s: cohort.profile(s) for s in ids},
        quoting=any(ch in t for t in texts for ch in ',"\r\n'), source=source)


def cohort_names(loaded: LoadedContract) -> tuple[list[str], list[str]]:
    """The segment ids (``default`` for a contract without segments) and the provider ids a
    cohort may name."""
    c = loaded.contract
    ids = [t.id for t in c.segments.tiers] if c.segments is not None else ["default"]
    return ids, [p.id for p in c.metadata.providers]


def names_lacking(loaded: LoadedContract, segments: Iterable[str], profiles: Iterable[str],
                  providers: Iterable[str]) -> list[str]:
    """What a cohort names that the contract lacks (it does not fit: G104): segments of its
    mix, profiles other than ``default`` that are not a segment, and providers."""
    ids, known = cohort_names(loaded)
    return [*sorted(set(segments) - set(ids)),
            *sorted(set(profiles) - set(ids) - {"default"}),
            *sorted(set(providers) - set(known))]


def lacking_message(loaded: LoadedContract, names: Sequence[str], part: str | None = None
                    ) -> str:
    """G104's message: the names and what the contract has instead (a name close to one of
    its in the same ``part`` of the cohort, or its name in the other part: a provider
    written as a segment)."""
    ids, providers = cohort_names(loaded)
    pool = {"segments": ids, "profiles": ids, "providers": providers}.get(
        part or "", [*ids, *providers])
    # the contract by its file: with --compare the cohort may fit one draft and not the other
    file = os.path.basename(loaded.file)
    said = []
    missing = [n for n in dict.fromkeys(names) if n not in ids and n not in providers]
    if missing:
        named = ", ".join(brief(n) + meant(n, pool, 0.75) for n in missing)
        said.append(f"the cohort names {named}, which the contract {file} does not have")
    said.extend(f"{brief(n)} is a {'provider' if n in providers else 'segment'} of the "
                f"contract {file}, not a {'segment' if n in providers else 'provider'}"
                for n in dict.fromkeys(names) if n not in missing)
    return f"{'; '.join(said)} (segments: {', '.join(ids)}; providers: {', '.join(providers)})"


def _values(wanted: Sequence[WantedEvent], row_type: str, name: str) -> tuple[str, ...]:
    """The values of field ``name`` that components count on ``row_type`` rows, in the
    order the components name them."""
    out: list[str] = []
    for w in wanted:
        for text in (w.values(name) or ()) if w.type == row_type else ():
            if text not in out:
                out.append(text)
    return tuple(out)


def _with(values: tuple[str, ...], other: str) -> tuple[str, ...]:
    """The values counted, and one that is not (so not every row pays)."""
    return values if other in values else (*values, other)


def _referral_window(loaded: LoadedContract) -> tuple[date, date]:
    """The contract's referral window: valid_from to referrals_until, else valid_until."""
    c = loaded.contract
    return c.metadata.valid_from, c.windows.referrals_until or c.metadata.valid_until


def _days_drawn(loaded: LoadedContract, cohort: Cohort) -> tuple[date, date]:
    """The first and last referral day drawn: the cohort's, else the contract's window."""
    opens, closes = _referral_window(loaded)
    refs = cohort.referrals
    return refs.first_day or opens, refs.last_day or closes


def first_referral_day(loaded: LoadedContract, cohort: Cohort) -> date:
    """The first day a customer of ``cohort`` may be referred under ``loaded``."""
    return _days_drawn(loaded, cohort)[0]


def nobody_referred(loaded: LoadedContract, cohort: Cohort
                    ) -> tuple[tuple[str, ...], str] | None:
    """Why the cohort refers nobody, with the cohort path to blame (G104): the days drawn
    end before they begin, or ``per_month`` gives none of their months a rate; else None."""
    refs = cohort.referrals
    opens, closes = _referral_window(loaded)
    first, last = _days_drawn(loaded, cohort)
    if last < first:
        # the day the cohort writes is to blame; else the one the contract gives it
        at = "last_day" if refs.last_day is not None else "first_day"
        return (("referrals", at), f"referrals are drawn from {first} to {last}, no day at all "
                f"(first_day and last_day, else the contract's referral window {opens}.."
                f"{closes}): give a last day on or after the first")
    months = {m for m, n in (refs.per_month or {}).items() if n > 0
              and first.isoformat()[:7] <= m <= last.isoformat()[:7]}
    if refs.per_month is not None and not months:
        return (("referrals", "per_month"), f"per_month gives no referrals to a month of the "
                f"days drawn, {first}..{last}: nobody is referred; give rates to months "
                "inside them")
    return None


def beyond_calendar(loaded: LoadedContract, cohort: Cohort
                    ) -> tuple[tuple[str, ...], str] | None:
    """A profile whose draws can date a row outside the years an event may have
    (``values.MIN_DATE`` to ``MAX_DATE``), from the referral days drawn, with the cohort path
    to blame (G104); None when every date fits. Each reach adds up every part's largest draw
    (``cohort.bounds``): the furthest job is every further job at its longest after the
    longest gaps, so a cohort is refused only where its bounds allow such a date."""
    first, last = _days_drawn(loaded, cohort)
    for segment in cohort_names(loaded)[0]:
        for section, what, days, ahead in _reaches(cohort.profile(segment)):
            day = last.toordinal() + days if ahead else first.toordinal() - days
            if MIN_DATE.toordinal() <= day <= MAX_DATE.toordinal():
                continue
            written = next((n for n in (segment, "default") if n in cohort.profiles), None)
            path = ("profiles", written, section) if written is not None else ("referrals",)
            edge = MAX_DATE if ahead else MIN_DATE
            reach = f"{days:,.0f}" if days < 1e9 else f"{days:.3g}"
            return path, (
                f"profile {written or 'default'}: {what} can reach {reach} days "
                f"{'after the last' if ahead else 'before the first'} referral day "
                f"{last if ahead else first}, {'past' if ahead else 'before'} {edge}, the "
                f"{'last' if ahead else 'first'} day an event may have: give smaller values "
                "or a max")
    return None


def _reaches(p: Profile) -> list[tuple[str, str, float, bool]]:
    """How far a profile's draws reach from the referral day: (section, what reaches, days,
    ahead or before), each the sum of its parts' largest draws (``as_days`` cuts each)."""
    def hi(d: Any) -> float:
        return max(bounds(d)[1], 0.0)

    j, start = p.jobs, hi(p.service.days_to_start)
    more = hi(j.more)
    chain = (start + hi(j.days_to_first) + (more + 1) * (hi(j.length_days) + 1)
             + more * hi(j.gap_days)
             + max(hi(j.confirm_delay_days), hi(j.end_recorded_delay_days)) + VOID_DAYS)
    return [
        ("jobs", "the jobs (the first, every further one at its longest, the gaps and "
                 "the later records)", chain, True),
        ("jobs", "a first job begun before the service (days_to_first below 0)",
         max(-bounds(j.days_to_first)[0], 0.0), False),
        ("education", "an education (its start and length)",
         hi(p.education.days_to_start) + hi(p.education.length_days), True),
        ("person", "the birth date (age)", 366 * (hi(p.person.age) + 1) + 300, False),
        ("person", "the earlier work (unemployment_months and earlier_work.length_days)",
         31 * hi(p.person.unemployment_months) + 14 + hi(p.earlier_work.length_days), False),
        ("benefits", "the benefit months (months_before)",
         31 * (p.benefits.months_before + 1), False),
        ("benefits", "the benefit months (months_after)", 31 * (p.benefits.months_after + 1),
         True)]


def outside_window(loaded: LoadedContract, cohort: Cohort
                   ) -> list[tuple[tuple[str, ...], str]]:
    """What of the cohort's referrals falls outside the contract's referral window, each
    with the cohort path it is written at: referrals drawn before or after the window (a
    ``first_day`` or ``last_day`` beyond it), and months of ``per_month`` outside the days
    drawn, which are not drawn at all. Warnings: the cohort still fits."""
    refs = cohort.referrals
    opens, closes = _referral_window(loaded)
    window = f"the contract's referral window {opens}..{closes}"
    out: list[tuple[tuple[str, ...], str]] = []
    if refs.first_day is not None and refs.first_day < opens:
        out.append((("referrals", "first_day"), f"first_day {refs.first_day} is before "
                    f"{window}: customers are drawn referred before it"))
    if refs.last_day is not None and refs.last_day > closes:
        out.append((("referrals", "last_day"), f"last_day {refs.last_day} is after {window}: "
                    "customers are drawn referred after it"))
    first, last = _days_drawn(loaded, cohort)
    for month, count in (refs.per_month or {}).items():
        start = _month_start(month)
        if count and (start > last or add_months(start, 1) <= first):
            out.append((("referrals", "per_month", month), f"per_month {month}: its {count:,} "
                        f"referrals fall outside the days drawn, {first}..{last}, and are not "
                        "drawn (the other months share the customers)"))
    latest = max((m for m, count in (refs.per_month or {}).items() if count), default=None)
    if latest is not None and latest < last.isoformat()[:7]:
        # a cohort fitted mid-contract counts referrals up to its data's end: drawn as it
        # stands, the contract would refer nobody after it
        after = add_months(_month_start(latest), 1)
        out.append((("referrals", "per_month"), f"per_month names no month after "
                    f"{latest}: nobody is drawn referred from {after} to {last}, the last "
                    f"day drawn of {window}; give those months their referrals (a cohort "
                    "fitted from data cut mid-contract ends where the data does)"))
    return out


def _month_start(month: str) -> date:
    """The first day of a cohort's month ("2020-03")."""
    return date(int(month[:4]), int(month[5:7]), 1)


def _months(first: date, last: date, per_month: dict[str, int] | None
            ) -> tuple[tuple[float, date, date], ...]:
    spans: list[tuple[float, date, date]] = []
    month = first.replace(day=1)
    while month <= last:
        nxt = add_months(month, 1)
        lo, hi = max(month, first), min(nxt - timedelta(1), last)
        weight = float((per_month or {}).get(month.isoformat()[:7], 0 if per_month else
                                             (hi - lo).days + 1))
        spans.append((weight, lo, hi))
        month = nxt
    total = sum(w for w, _, _ in spans)
    if total <= 0:
        raise ValueError("the cohort refers nobody inside the contract's referral window")
    out, run = [], 0.0
    for weight, lo, hi in spans:
        run += weight / total
        out.append((run, lo, hi))
    return tuple(out)


# --- referral attributes that fall in a tier's rules -------------------------------------

# The referral fields the segment attributes are measured from, as days before the referral
_SINCE = ("unemployment_days", "unemployment_months", "unemployed", "unemployed_since")
_BORN = ("age", "birth_date")


def _recipes(loaded: LoadedContract, cohort: Cohort, ids: list[str]
             ) -> dict[str, tuple[dict[str, Any], ...]]:
    """Per tier, referral fields (unemployed since and born so many days before the referral,
    benefit days, ...) whose attributes the tier's rules take, checked with the engine's own
    measure (``referral_attributes``) on a referral in the middle of the referral window.
    Each customer of the tier takes one that still falls in it on its own referral date."""
    segs = loaded.contract.segments
    assert segs is not None
    c = loaded.contract
    nominal = c.metadata.valid_from + (
        (c.windows.referrals_until or c.metadata.valid_until) - c.metadata.valid_from) / 2
    rnd = random.Random(20240901)  # fixed: the recipes are part of the plan, not of a run
    since = _points(segs.tiers, _SINCE, nominal)
    born = _points(segs.tiers, _BORN, nominal)
    out: dict[str, tuple[dict[str, Any], ...]] = {}
    for tier in segs.tiers:
        found: list[dict[str, Any]] = []
        profile = cohort.profile(tier.id)  # made once a tier (a segment's inherits: work)
        for _ in range(4000):
            recipe = _attempt(tier.when, segs.tiers, profile, since, born, rnd)
            if _falls_in(segs, tier.id, _referral_of(recipe, nominal)):
                found.append(recipe)
                if len(found) == 64:
                    break
        if not found:
            raise ValueError(f"no referral could be drawn that falls in segment {tier.id} "
                             "alone; check its rules")
        out[tier.id] = tuple(found)
    return out


def _days_before(name: str, bound: Any, on: date) -> int | None:
    """A bound of ``name`` as the days before a referral on ``on`` it stands for."""
    if isinstance(bound, date):
        return (on - bound).days
    if isinstance(bound, Duration):
        return bound.min_days() if bound.unit != "months" else \
            (on - add_months(on, -bound.count)).days
    if not isinstance(bound, Decimal):
        return None
    if name == "unemployment_months":
        return (on - add_months(on, -int(bound))).days
    if name == "age":
        return (on - add_months(on, -12 * int(bound))).days
    return int(bound)


def _points(tiers: Sequence[Any], names: tuple[str, ...], on: date) -> list[int]:
    """Days before the referral on and around every bound the tiers put on ``names``."""
    cuts = sorted({d for t in tiers for k, cond in t.when.items() if k in names
                   and isinstance(cond, Range) for _, b in cond.bounds()
                   if (d := _days_before(k, b, on)) is not None})
    points = {p for cut in cuts for p in (cut - 1, cut, cut + 1)}
    points |= {(a + b) // 2 for a, b in pairwise(cuts)}
    if cuts:
        points |= {cuts[0] // 2, cuts[-1] + 200}
    return sorted(p for p in points if p >= 0)


def _attempt(when: dict[str, Any], tiers: Sequence[Any], profile: Profile, since: list[int],
             born: list[int], rnd: random.Random) -> dict[str, Any]:
    person = profile.person
    drawn_since = int(30.44 * float(person.unemployment_months.draw(rnd.random(), rnd.random())))
    drawn_born = int(365.25 * float(person.age.draw(rnd.random(), rnd.random()))) + 100
    recipe: dict[str, Any] = {
        "since_days": rnd.choice(since) if since and rnd.random() < 0.8 else drawn_since,
        "born_days": rnd.choice(born) if born and rnd.random() < 0.8 else drawn_born,
        "benefit_days": int(profile.benefits.benefit_days.draw(rnd.random(), rnd.random())),
        "partial_work_ability": rnd.random() < float(person.partial_work_ability),
    }
    used = {k: [t.when[k] for t in tiers if k in t.when] for t in tiers for k in t.when}
    for name in ("benefit_days", "partial_work_ability"):
        if name in used:
            cond = when.get(name, rnd.choice(used[name]) if rnd.random() < 0.5 else None)
            recipe[name] = _value_for(name, cond, recipe[name], rnd)
    for name, conditions in used.items():
        if name.startswith("attr_"):
            cond = when.get(name, rnd.choice(conditions) if rnd.random() < 0.5 else None)
            recipe[name] = _value_for(name, cond, None, rnd)
    return recipe


def _value_for(name: str, cond: Any, current: Any, rnd: random.Random) -> Any:
    if isinstance(cond, Range):
        numbers = [b for _, b in cond.bounds() if isinstance(b, Decimal)]
        lo = float(min(numbers)) if numbers else 0.0
        hi = float(max(numbers)) if len(numbers) > 1 else lo + 60
        return int(lo + rnd.random() * max(hi - lo, 0)) + (1 if rnd.random() < 0.5 else 0)
    if isinstance(cond, bool):
        return cond if rnd.random() < 0.9 else not cond
    if isinstance(cond, list):
        return rnd.choice([str(v) for v in cond] + ["other"] if rnd.random() < 0.1
                          else [str(v) for v in cond])
    if current is not None:
        return current
    return "other" if name.startswith("attr_") else 0


def _referral_of(recipe: dict[str, Any], on: date) -> Referral:
    """The referral a recipe gives on ``on``, measured as the engine measures it."""
    return Referral(
        event_id="r", customer_id="c", type="referral", date=on,
        unemployed_since=on - timedelta(recipe["since_days"]),
        birth_date=on - timedelta(recipe["born_days"]),
        benefit_days=recipe["benefit_days"],
        partial_work_ability=recipe["partial_work_ability"],
        attributes={k: str(v) for k, v in recipe.items() if k.startswith("attr_")})


def _falls_in(segs: Segmentation, tier: str, referral: Referral) -> bool:
    hits = assign(segs, referral_attributes(referral))
    return bool(hits) and hits[0].id == tier and (segs.policy == "first_match"
                                                  or len(hits) == 1)


def customer_id(index: int, width: int = 7) -> str:
    return f"c{index:0{width}d}"


def customer_rows(plan: Plan, index: int, rng: np.random.Generator,
                  width: int = 7) -> list[Row]:
    """One customer's rows, drawn from ``rng`` (a block of one customer)."""
    return rows_of(plan.columns, draw_block(plan, rng, [customer_id(index, width)]).text())


def block_rows(plan: Plan, rng: np.random.Generator, cids: list[str]) -> list[list[Row]]:
    """The rows of the customers ``cids`` drawn as one block from ``rng``, per customer."""
    return [rows_of(plan.columns, text)
            for text in draw_block(plan, rng, cids).texts_by_owner()]


def rows_of(columns: tuple[str, ...], text: str) -> list[Row]:
    """Rows (field -> text) of CSV lines with ``columns``; empty cells left out."""
    return [row_of(columns, cells) for cells in csv.reader(text.splitlines())]


def row_of(columns: Sequence[str], cells: Sequence[str]) -> Row:
    """A row (field -> text) of one line's cells in ``columns``; empty cells left out."""
    return {c: v for c, v in zip(columns, cells, strict=True) if v}


def _recipe_on(plan: Plan, recipes: tuple[dict[str, Any], ...], segment: str, ref: date,
               first: int) -> dict[str, Any]:
    """The first recipe from ``first`` on that falls in ``segment`` on this referral date
    (near a bound, months of other lengths may move a customer across it); else ``first``."""
    known = plan.chosen.get((segment, first, ref))
    if known is not None:
        return known
    segs = plan.loaded.contract.segments
    assert segs is not None
    found = recipes[first]
    for k in range(len(recipes)):
        recipe = recipes[(first + k) % len(recipes)]
        if _falls_in(segs, segment, _referral_of(recipe, ref)):
            found = recipe
            break
    if len(plan.chosen) >= 200_000:
        plan.chosen.clear()
    plan.chosen[(segment, first, ref)] = found
    return found


def _rows(plan: Plan, cells: dict[str, str], *columns: Sequence[str]) -> Part:
    """Rows of one kind: ``cells`` (each field's cell, ``%s`` a slot) filled by ``columns``
    (a column of texts per slot, in order): the one form a file's lines and simulate's
    events are both made of."""
    return Part(_template(plan.columns, cells), tuple(cells.items()), columns)


def _template(columns: tuple[str, ...], cells: dict[str, str]) -> str:
    """A CSV line's template: ``cells`` in their columns (in the order they are given, which
    must be the columns' order), every other column empty."""
    return _templates(columns, tuple(cells.items()))


@functools.lru_cache(maxsize=4096)
def _templates(columns: tuple[str, ...], cells: tuple[tuple[str, str], ...]) -> str:
    given = dict(cells)
    if [c for c in columns if c in given] != list(given):
        raise ValueError("the columns are not in the order a line's template fills them")
    return ",".join(given.get(c, "") for c in columns)


_MIXES: dict[int, tuple[Jobs, tuple[float, float, float], tuple[tuple[float, str], ...]]] = {}


def _job_mix(jobs: Jobs) -> tuple[Jobs, tuple[float, float, float],
                                  tuple[tuple[float, str], ...]]:
    """The bounds of a job's kinds and its evidence mix as floats, worked out once per
    cohort profile (kept beside it, so its id stays its own)."""
    known = _MIXES.get(id(jobs))
    if known is None or known[0] is not jobs:
        if len(_MIXES) >= 1000:
            _MIXES.clear()
        bounds = (float(jobs.subsidised), float(jobs.subsidised + jobs.apprenticeship),
                  float(jobs.subsidised + jobs.apprenticeship + jobs.entrepreneur))
        known = _MIXES[id(jobs)] = (
            jobs, bounds, _cumulative({k: float(v) for k, v in jobs.evidence.items()}))
    return known


EARNED_MONTHS = 36  # an ongoing job's wages are written for this many months from its start
FIRST_RECORD_DAYS = 10  # a job is first recorded 0 to 9 days after it starts
VOID_DAYS = 30  # a voided job's void is recorded this many days after its last record



# --- whole files -------------------------------------------------------------------------

def block_stream(seed: int, block: int) -> np.random.Generator:
    """The random stream of one block of ``BLOCK`` customers."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed,
                                                                     spawn_key=(block,))))


_QUOTED = frozenset(',"\r\n')  # the characters a CSV cell is quoted for


def _cell(text: str) -> str:
    if _QUOTED.isdisjoint(text):  # (a set's own loop: a drawn block asks for every row)
        return text
    return '"' + text.replace('"', '""') + '"'


def block_text(plan: Plan, seed: int, block: int, customers: int, width: int) -> str:
    """The CSV lines of one block (its customers in order)."""
    first = block * BLOCK
    ids = [customer_id(first + i, width) for i in range(min(BLOCK, customers - first))]
    return draw_block(plan, block_stream(seed, block), ids).text()


def _block_job(args: tuple[Plan, int, int, int, int]) -> str:
    return block_text(*args)


def write_events(plan: Plan, customers: int, seed: int, out: IO[str], jobs: int = 1,
                 progress: Callable[[int], None] | None = None) -> int:
    """Write ``customers`` customers' rows as CSV to ``out``; returns the rows written."""
    width = max(7, len(str(max(customers - 1, 0))))
    out.write(",".join(plan.columns) + "\n")
    blocks = [(plan, seed, b, customers, width) for b in range((customers + BLOCK - 1) // BLOCK)]
    rows = 0
    if usable_jobs(jobs) <= 1 or len(blocks) <= 1:
        texts: Iterator[str] = map(_block_job, blocks)
        for n, text in enumerate(texts):
            out.write(text)
            rows += text.count("\n")
            if progress:
                progress(n)
        return rows
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for n, text in enumerate(pool.map(_block_job, blocks, chunksize=1)):
            out.write(text)
            rows += text.count("\n")
            if progress:
                progress(n)
    return rows


def default_jobs() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


# --- a block of customers drawn as columns ------------------------------------------------

_FLAGS = texts(["false", "true"])
_EARLIER, _SERVICE, _SURVEY, _JOB, _EARNED, _EDUCATION, _BENEFIT, _AGAIN = (
    1, 10_000, 5_000_000, 6_000_000, 7_000_000, 8_000_000, 9_000_000, 10_000_000)


def draw_block(plan: Plan, source: Source, cids: list[str]) -> Block:
    """The customers ``cids`` drawn from ``source``, as a block of lines."""
    count = len(cids)
    months = plan.months
    m = pick(source.random((count,)), tuple((b, "") for b, _, _ in months))
    lo = np.array([a.toordinal() for _, a, _ in months])[m]
    span = np.array([(z - a).days + 1 for _, a, z in months])[m]
    ref = lo + within(source.random((count,)), span)
    seg = pick(source.random((count,)), plan.segments)
    provider = pick(source.random((count,)), plan.providers)
    names = [name for _, name in plan.segments]
    b = Block(source, count, seg, [plan.profile(s) for s in names])
    b.ids = texts(cids)
    providers = [_cell(name) for _, name in plan.providers]
    benefit_days, since = _referrals(plan, b, cids, names, ref, provider)
    start, last, starts = _service(plan, b, cids, ref, providers, provider)
    in_service(plan, b, cids, start, last, starts)
    jobs = _jobs(plan, b, cids, np.where(starts, start, ref))
    _education(plan, b, cids, ref)
    if plan.benefits:
        _benefits(plan, b, cids, ref, jobs, benefit_days, since)
    again = b.chance(lambda p: p.service.re_referred)
    day = ref + as_days(30 + 300 * b.u())
    by_referral = plan.segment_source == "referral"
    who = np.nonzero(again)[0]
    person = b.ids[who].tolist()
    columns = [person, person, iso(day[who]), texts(providers)[provider[who]].tolist()]
    if by_referral:
        columns.append(texts([_cell(n) for n in names])[seg[who]].tolist())
    b.add(who, _AGAIN, _rows(plan, {
        "event_id": "%s-r2", "customer_id": "%s", "type": "referral", "date": "%s",
        "provider": "%s", **({"segment": "%s"} if by_referral else {})}, *columns))
    # drawn last: the draws before it are as they were
    none = np.zeros(0, dtype=np.int64)
    _earlier_work(plan, b, ref, since, (jobs[0][0], jobs[0][1]) if jobs else (none, none))
    return b


def _referrals(plan: Plan, b: Block, cids: list[str], names: list[str], ref: Array,
               provider: Array) -> tuple[Array, Array]:
    """The first referral's rows; returns the benefit days at referral and the day the
    unemployment began (ordinals)."""
    n = b.n
    pick_u = b.u()
    benefit = as_days(b.dist(lambda p: p.benefits.benefit_days))
    partial = b.chance(lambda p: p.person.partial_work_ability)
    months = as_days(b.dist(lambda p: p.person.unemployment_months))
    since = months_on(ref, -months) - within(b.u(), 14)
    age = as_days(b.dist(lambda p: p.person.age))
    born = months_on(ref, -12 * age) - within(b.u(), 300)
    attrs: list[dict[str, Any]] = [{} for _ in range(n)]
    if plan.recipes:
        ref_list, seg_list, u_list = ref.tolist(), b.segment.tolist(), pick_u.tolist()
        for i in range(n):
            name = names[seg_list[i]]
            recipes = plan.recipes[name]
            recipe = _recipe_on(plan, recipes, name, date.fromordinal(ref_list[i]),
                                int(u_list[i] * len(recipes)))
            attrs[i] = recipe
            since[i] = ref_list[i] - int(recipe["since_days"])
            born[i] = ref_list[i] - int(recipe["born_days"])
            benefit[i] = int(recipe["benefit_days"])
            partial[i] = bool(recipe["partial_work_ability"])
    by_referral = plan.segment_source == "referral"
    cells = {"event_id": "%s-r", "customer_id": "%s", "type": "referral", "date": "%s",
             "provider": "%s", **({"segment": "%s"} if by_referral else {}),
             "unemployed_since": "%s", "birth_date": "%s", "partial_work_ability": "%s",
             "benefit_days": "%s", **dict.fromkeys(plan.attr_columns, "%s")}
    providers = texts([_cell(name) for _, name in plan.providers])
    columns = [cids, cids, iso(ref), providers[provider].tolist()]
    if by_referral:
        columns.append(texts([_cell(name) for name in names])[b.segment].tolist())
    columns += [iso(since), iso(born), _FLAGS[partial.astype(np.int64)].tolist(),
                list(map(str, benefit.tolist()))]
    columns += [[_cell(str(a[name])) if name in a else "" for a in attrs]
                for name in plan.attr_columns]
    b.add(np.arange(n), 0, _rows(plan, cells, *columns))
    return benefit, since


def _service(plan: Plan, b: Block, cids: list[str], ref: Array, providers: list[str],
             provider: Array) -> tuple[Array, Array, Array]:
    """Service starts and ends: (start, last day, started) per customer."""
    starts = b.chance(lambda p: p.service.starts)
    delay = as_days(b.dist(lambda p: p.service.days_to_start))
    start = ref if plan.starts_at_referral else ref + delay
    early = b.chance(lambda p: p.service.ends_early)
    share = b.dist(lambda p: p.service.share_of_length)
    reason_u = b.u()
    # the longest service from each start: calendar months as the engine counts them
    length = (months_on(start, plan.service_months) - start if plan.service_months
              else np.full(len(start), plan.service_days, dtype=np.int64))
    last = np.where(early, start + np.maximum(as_days(length * share), 1),
                    start + length - 1)
    who = np.nonzero(starts)[0]
    person = b.ids[who].tolist()
    b.add(who, 1, _rows(plan, {"event_id": "%s-s", "customer_id": "%s",
                               "type": "service_start", "date": "%s", "provider": "%s"},
                        person, person, iso(start[who]), texts(providers)[provider[who]].tolist()))
    ended = starts & (early | bool(plan.end_reasons))
    reasons, which = drawn_names(b, reason_u, plan.end_reasons or ("ended",),
                                 lambda p: p.service.end_reasons)
    who = np.nonzero(ended)[0]
    person = b.ids[who].tolist()
    b.add(who, 2, _rows(plan, {"event_id": "%s-x", "customer_id": "%s",
                               "type": "service_end", "date": "%s", "reason": "%s"},
                        person, person, iso(last[who]), reasons[which[who]].tolist()))
    return start, last, starts


def drawn_names(b: Block, u: Array, written: Sequence[str],
                mix_of: Callable[[Profile], Mapping[str, Decimal] | None]
                ) -> tuple[Array, Array]:
    """The names a row may hold (texts) and which each draw ``u`` takes: by the profile's
    mix of names where its cohort gives one (the shares in proportion), else evenly among
    ``written`` (the names the contract counts, and one it does not). One draw each either
    way, so a mix moves no other row."""
    names = list(written)
    mixes = [mix_of(p) for p in b.profiles]
    names += list(dict.fromkeys(n for mix in mixes if mix for n in mix if n not in names))
    which = within(u, max(len(written), 1))
    for mask, mix in zip(b.masks, mixes, strict=True):
        if mix:
            cumulative = name_bounds(mix)
            at = np.array([names.index(n) for _, n in cumulative])
            which[mask] = at[pick(u[mask], cumulative)]
    return texts([_cell(n) for n in names] or [""]), which


def name_bounds(mix: Mapping[str, Decimal]) -> tuple[tuple[float, str], ...]:
    """A mix of names as the bounds ``pick`` reads, worked out once per mix."""
    key = tuple(mix.items())
    found = _NAME_BOUNDS.get(key)
    if found is None:
        if len(_NAME_BOUNDS) >= 1000:
            _NAME_BOUNDS.clear()
        found = _NAME_BOUNDS[key] = _cumulative({k: float(v) for k, v in mix.items()})
    return found


_NAME_BOUNDS: dict[tuple[tuple[str, Decimal], ...], tuple[tuple[float, str], ...]] = {}


def drawn_name(u: float, written: Sequence[str], mix: Mapping[str, Decimal] | None) -> str:
    """``drawn_names`` of one draw: the same name for the same draw."""
    if mix:
        for bound, name in name_bounds(mix):
            if u < bound:
                return name
        return name_bounds(mix)[-1][1]
    return written[int(u * len(written))]


def in_service(plan: Plan, b: Block, cids: list[str], start: Array, last: Array,
                starts: Array) -> None:
    """Contacts, hours and expenses month by month of each service, and surveys."""
    longest = int((last - start)[starts].max()) if starts.any() else 0
    slots = longest // 28 + 2
    firsts = months_on(start[:, None], np.arange(slots)[None, :])
    active = (firsts <= last[:, None]) & starts[:, None]
    _contacts(plan, b, cids, firsts, active, last)
    if plan.hours:
        _hours(plan, b, cids, firsts, active, last)
    if plan.expenses:
        _expenses(plan, b, cids, firsts, active)
    if plan.instruments:
        _surveys(plan, b, cids, start, last, starts)


def _counted(b: Block, counts: Array, slots: int) -> int:
    """The most of anything a customer has in a month (at least one, so arrays exist)."""
    return max(int(counts.max()) if counts.size else 0, 1)


def _contacts(plan: Plan, b: Block, cids: list[str], firsts: Array, active: Array,
              last: Array) -> None:
    slots = firsts.shape[1]
    counts = as_days(b.dist(lambda p: p.service.contacts_per_month, slots))
    most = _counted(b, counts * active, slots)
    day = firsts[:, :, None] + within(b.u(slots, most), 28)
    answered = b.u(slots, most) < b.share(lambda p: p.service.responds)[:, None, None]
    keep = (active[:, :, None] & (np.arange(most)[None, None, :] < counts[:, :, None])
            & (day <= last[:, None, None]))
    i, n, k = np.nonzero(keep)
    slot = n * most + k
    ids = texts([f"-k{a}-{z}" for a in range(slots) for z in range(most)])
    person = b.ids[i].tolist()
    b.add(i, _SERVICE + n * 1000 + k, _rows(plan, {
        "event_id": "%s%s", "customer_id": "%s", "type": "contact", "date": "%s",
        "responded": "%s"}, person, ids[slot].tolist(), person, iso(day[keep]),
        _FLAGS[answered[keep].astype(np.int64)].tolist()))


def _hours(plan: Plan, b: Block, cids: list[str], firsts: Array, active: Array,
           last: Array) -> None:
    slots = firsts.shape[1]
    hours = b.dist(lambda p: p.service.hours_per_month, slots)
    in_months = b.share(lambda p: p.service.hours_months)[:, None] > np.arange(slots)[None, :]
    sessions = np.maximum(1, np.round(hours / 2)).astype(np.int64)
    each = np.round(hours / sessions * 2) / 2
    on = active & in_months & (each > 0)
    most = _counted(b, sessions * on, slots)
    day = firsts[:, :, None] + within(b.u(slots, most), 28)
    acts, which = drawn_names(b, b.u(slots, most), plan.activities,
                              lambda p: p.service.activities if plan.activities else None)
    keep = (on[:, :, None] & (np.arange(most)[None, None, :] < sessions[:, :, None])
            & (day <= last[:, None, None]))
    i, n, k = np.nonzero(keep)
    ids = texts([f"-h{a}-{z}" for a in range(slots) for z in range(most)])
    halves = (each[i, n] * 2).astype(np.int64)
    amounts = texts([f"{h / 2:g}" for h in range(int(halves.max()) + 1 if
                                                         halves.size else 1)])[halves]
    cells = {"event_id": "%s%s", "customer_id": "%s", "type": "hours", "date": "%s",
             "hours": "%s"}
    person = b.ids[i].tolist()
    columns = [person, ids[n * most + k].tolist(), person, iso(day[keep]), amounts.tolist()]
    if plan.activities:
        cells["activity"] = "%s"
        columns.append(acts[which[keep]].tolist())
    b.add(i, _SERVICE + n * 1000 + 300 + k, _rows(plan, cells, *columns))


def _expenses(plan: Plan, b: Block, cids: list[str], firsts: Array, active: Array) -> None:
    slots = firsts.shape[1]
    counts = as_days(b.dist(lambda p: p.expenses.per_month, slots))
    most = _counted(b, counts * active, slots)
    day = firsts[:, :, None] + within(b.u(slots, most), 28)
    amount = b.dist(lambda p: p.expenses.amount, slots, most)
    cats, which = drawn_names(b, b.u(slots, most), plan.categories,
                              lambda p: p.expenses.categories if plan.categories else None)
    keep = active[:, :, None] & (np.arange(most)[None, None, :] < counts[:, :, None])
    i, n, k = np.nonzero(keep)
    ids = texts([f"-x{a}-{z}" for a in range(slots) for z in range(most)])
    cells = {"event_id": "%s%s", "customer_id": "%s", "type": "expense", "date": "%s",
             "amount": "%s"}
    person = b.ids[i].tolist()
    columns = [person, ids[n * most + k].tolist(), person, iso(day[keep]),
               list(map("%.2f".__mod__, amount[keep].tolist()))]
    if plan.categories:
        cells["category"] = "%s"
        columns.append(cats[which[keep]].tolist())
    b.add(i, _SERVICE + n * 1000 + 700 + k, _rows(plan, cells, *columns))


def _surveys(plan: Plan, b: Block, cids: list[str], start: Array, last: Array,
             starts: Array) -> None:
    answers = b.chance(lambda p: p.surveys.share) & starts
    first = b.dist(lambda p: p.surveys.first_score)
    later = first + b.dist(lambda p: p.surveys.change)
    cells = {"event_id": "%s", "customer_id": "%s", "type": "survey", "date": "%s",
             "instrument": "%s", "score": "%s"}
    for j, instrument in enumerate(plan.instruments):
        name = _cell(instrument)
        for tag, day, score, also in (
                ("a", start + 7, first, answers),
                ("b", last - 7, later, answers & (last - 7 > start + 7))):
            who = np.nonzero(also)[0]
            person = b.ids[who].tolist()
            scores = np.round(score[who]).astype(np.int64).tolist()
            b.add(who, _SURVEY + 2 * j + (tag == "b"), _rows(
                plan, cells, [_cell(f"{cid}-q{tag}-{instrument}") for cid in person], person,
                iso(day[who]), [name] * who.size, list(map(str, scores))))


def _jobs(plan: Plan, b: Block, cids: list[str], anchor: Array) -> list[tuple[Array, ...]]:
    """Chains of jobs with their rows; returns per slot (customer, begin, last day or -1)."""
    has = b.chance(lambda p: p.jobs.share)
    begin = anchor + as_days(b.dist(lambda p: p.jobs.days_to_first))
    more = as_days(b.dist(lambda p: p.jobs.more))
    return job_chains(plan, b, cids, has, begin, more)


@dataclass(frozen=True)
class FirstJob:
    """A forecast's first job of a chain drawn already, given what the as-of date shows (its
    first wage paid by then), in place of the block's draws for the customers ``who``
    (a mask): whether it goes on, its length in days, its month's wage and its kind."""

    who: Array
    ongoing: Array
    length: Array
    wage: Array
    kind: Array


def job_chains(plan: Plan, b: Block, cids: list[str], has: Array, begin: Array, more: Array,
               told: Array | None = None, seen_by: Array | None = None,
               first: FirstJob | None = None) -> list[tuple[Array, ...]]:
    """The chains of jobs of the customers ``has``, with their rows: the first job begins
    on ``begin``, up to ``more`` follow it, each a drawn gap after the last one's end, and an
    ongoing job ends the chain. ``told``: the first job's days to its first record where
    drawn already (a forecast's, given the as-of date), in place of the block's draw; so
    ``first``, the rest of a first job a forecast drew already (``FirstJob``).
    ``seen_by``: a forecast's as-of date (ordinals): a later job of the chain begun by then is
    first recorded after it at the earliest (none was recorded by then).
    Returns per slot (customer, begin, last day or -1)."""
    slots = int(more[has].max()) + 1 if has.any() else 1
    length = as_days(b.dist(lambda p: p.jobs.length_days, slots))
    ongoing = b.chance(lambda p: p.jobs.ongoing, slots)
    if first is not None:  # the same draws taken, the first job's replaced
        length[first.who, 0], ongoing[first.who, 0] = first.length, first.ongoing
    gap = as_days(b.dist(lambda p: p.jobs.gap_days, slots))
    alive = has.copy()
    chain: list[tuple[Array, ...]] = []
    for n in range(slots):
        alive &= n <= more
        end = np.where(ongoing[:, n], -1, begin + np.maximum(length[:, n], 1) - 1)
        who = np.nonzero(alive)[0]
        chain.append((who, begin[who], end[who]))
        alive &= ~ongoing[:, n]
        begin = end + 1 + gap[:, n]
    _job_rows(plan, b, cids, chain, slots, told, seen_by, first)
    return chain


def _job_rows(plan: Plan, b: Block, cids: list[str], chain: list[tuple[Array, ...]],
              slots: int, told: Array | None = None, seen_by: Array | None = None,
              first: FirstJob | None = None) -> None:
    drawn = _job_draws(b, slots)
    if told is not None:  # the same draws taken, the first record's replaced
        drawn[5][:, 0] = told
    if first is not None:
        drawn[4][first.who, 0], drawn[1][first.who, 0] = first.wage, first.kind
    for n, (who, begins, ends) in enumerate(chain):
        if who.size and seen_by is not None:  # the same draws taken, none recorded by then
            drawn[5][who, n] = np.maximum(drawn[5][who, n], seen_by[who] + 1 - begins)
        if who.size:
            _one_job(plan, b, n, who, begins, ends, tuple(
                begins + x[who, n] if k == 5 else x[who, n] for k, x in enumerate(drawn)))
    if plan.earnings:
        _earnings(plan, b, cids, chain, drawn[4], drawn[1])


_JOB_CELLS = {
    "event_id": "%s-e%s", "customer_id": "%s", "type": "employment", "date": "%s",
    "recorded": "%s", "end": "%s", "void": "%s", "kind": "%s", "evidence": "%s",
    "hours_per_week": "%s", "fte": "%s", "wage": "%s"}


# a drawn value cut down to the places written never reaches a threshold it is under (29.96
# hours were written 30.0, and 29.9 hours an FTE of 0.80, which the 80 % rule then paid);
# the slack keeps a value that is exactly on a step (30 / 37.5 = 0.8) on it
_ON_A_STEP = 1e-9


def cut_down(values: Array, places: int) -> list[str]:
    """``values`` written to ``places`` decimals, cut down, never rounded up."""
    scale = 10 ** places
    steps = np.floor(values * scale + _ON_A_STEP).astype(np.int64)
    return [f"{k / scale:.{places}f}" for k in steps.tolist()]


def fte_written(hours: Array, b: Block) -> Array:
    """The FTE of hours a week as written (``cut_down`` to 0.1), over the profile's full
    time, cut down to 0.01 and at most 1: a job's hours and FTE then say the same."""
    full = b.share(lambda p: p.jobs.full_time_hours)
    tenths = np.floor(hours * 10 + _ON_A_STEP)
    per_hundred = tenths * 10 / (full[:, None] if hours.ndim == 2 else full)
    steps = np.minimum(np.floor(per_hundred + _ON_A_STEP).astype(np.int64), 100)
    return np.array([f"{k / 100:.2f}" for k in steps.ravel().tolist()],
                    dtype=object).reshape(steps.shape)


def _job_draws(b: Block, slots: int) -> tuple[Array, ...]:
    """What is drawn for each job slot: evidence, kind, hours a week, FTE, wage, days from
    the start to its first record, whether a self-report is confirmed, the days to that,
    the days until the end is recorded, and whether it is voided."""
    kind_u, evidence_u = b.u(slots), b.u(slots)
    hours = b.dist(lambda p: p.jobs.hours_per_week, slots)
    fte = fte_written(hours, b)  # as written: texts
    wage = b.dist(lambda p: p.jobs.wage, slots)
    told = (b.u(slots) * FIRST_RECORD_DAYS).astype(np.int64)
    confirmed = b.chance(lambda p: p.jobs.confirmed, slots)
    when = as_days(b.dist(lambda p: p.jobs.confirm_delay_days, slots))
    delay = as_days(b.dist(lambda p: p.jobs.end_recorded_delay_days, slots))
    voided = b.chance(lambda p: p.jobs.voided, slots)
    evidence = np.empty(evidence_u.shape, dtype=object)
    kinds = np.full(kind_u.shape, "open", dtype=object)
    for mask, profile in zip(b.masks, b.profiles, strict=True):
        _, (sub, app, ent), mix = _job_mix(profile.jobs)
        evidence[mask] = np.array([n for _, n in mix], dtype=object)[pick(evidence_u[mask],
                                                                          mix)]
        x = kind_u[mask]
        kinds[mask] = np.where(x < sub, "subsidised", np.where(
            x < app, "apprenticeship", np.where(x < ent, "entrepreneur", "open")))
    return evidence, kinds, hours, fte, wage, told, confirmed, when, delay, voided


def _one_job(plan: Plan, b: Block, n: int, who: Array, begins: Array, ends: Array,
             drawn: tuple[Array, ...]) -> None:
    """The rows of the ``n``-th job of customers ``who``: the first record, a register row
    confirming a self-report, the end recorded later, a void of the last of them."""
    evidence, kinds, hours, fte, wage, told, confirmed, when, delay, voided = drawn
    sure = confirmed & (evidence == "self_report")
    on = told + when
    over = ends >= 0
    ended = np.maximum(ends + delay, told + 1)
    confirms = sure & (~over | (on < ended))
    rows = [  # (who of them, recorded, end, evidence)
        (np.ones(who.shape, dtype=bool), told, None, evidence),
        (confirms, on, None, np.full(who.shape, "register", dtype=object)),
        (over, ended, ends, np.where(sure, "register", evidence))]
    last_at = np.where(over, ended, np.where(sure, on, told))
    rows.append((voided, last_at + VOID_DAYS, np.where(over, ends, -1),
                 np.where(over, rows[2][3], np.where(sure, "register", evidence))))
    person = b.ids[who]
    common = (texts(cut_down(hours, 1)), texts(fte.tolist()),
              texts([f"{x:.2f}" for x in wage.tolist()]))
    begun = texts(iso(begins))
    cells = {**_JOB_CELLS, "employer": employer_of(n)} if plan.employers else _JOB_CELLS
    for step, (mask, recorded, end, ev) in enumerate(rows):
        j = np.nonzero(mask)[0]
        if not j.size:
            continue
        ids = person[j].tolist()
        finish = [""] * j.size if end is None else [
            day_text(d) if d >= 0 else "" for d in end[j].tolist()]
        b.add(who[j], _JOB + 10 * n + step, _rows(
            plan, cells, ids, [str(n)] * j.size, ids, begun[j].tolist(), iso(recorded[j]),
            finish, ["true" if step == 3 else ""] * j.size, kinds[j].tolist(), list(ev[j]),
            *(c[j].tolist() for c in common)))


def employer_of(n: int) -> str:
    """The employer of a customer's ``n``-th job of the chain (from 0): each job with an
    employer of its own, named only to tell the customer's employers apart (a rule compares
    one customer's jobs); earlier work's is ``employer-0``, unless it is the first job's."""
    return f"employer-{n + 1}"


def _earnings(plan: Plan, b: Block, cids: list[str], chain: list[tuple[Array, ...]],
              wage: Array, kinds: Array) -> None:
    """Each job's wages a calendar month, dated the month's last day (no draws)."""
    cells = {"event_id": "%s-w%s", "customer_id": "%s", "type": "earnings", "date": "%s",
             "kind": "%s", "evidence": "register", "amount": "%s"}
    for n, (who, begins, ends) in enumerate(chain):
        if not who.size:
            continue
        paid = np.array([f"{w:.2f}" for w in wage[who, n].tolist()], dtype=float)
        keep, pay, amount = monthly_wages(begins, ends, paid)
        j, m = np.nonzero(keep)
        owner = who[j]
        person = b.ids[owner].tolist()
        ids = texts([f"{n}-{k}" for k in range(EARNED_MONTHS + 1)])
        b.add(owner, _EARNED + 100 * n + m, _rows(
            plan, cells, person, ids[m].tolist(), person, iso(pay[keep]),
            kinds[owner, n].tolist(), list(map("%.2f".__mod__, amount[keep].tolist()))))


def monthly_wages(begins: Array, ends: Array, paid: Array) -> tuple[Array, Array, Array]:
    """The generator's rule for a job's wages (no draws), shared with a forecast's jobs under
    way: jobs begun on ``begins`` (ordinals), ending on ``ends`` (-1: going on, paid for
    ``EARNED_MONTHS`` months from its start), at a month's wage ``paid`` (as written, to the
    cent). Per job and month from its start: whether paid, the pay day (the calendar
    month's last day, an ordinal) and the month's wage for the days worked in it."""
    steps = np.arange(EARNED_MONTHS + 1)[None, :]
    last = np.where(ends >= 0, ends, months_on(begins, EARNED_MONTHS) - 1)
    firsts = months_on(month_first(begins)[:, None], steps)
    pay = months_on(firsts, 1) - 1
    keep = firsts <= last[:, None]
    worked = np.minimum(pay, last[:, None]) - np.maximum(firsts, begins[:, None]) + 1
    month_days = pay - firsts + 1
    return keep, pay, paid[:, None] * worked / month_days


_EARLIER_CELLS = {
    "event_id": "%s-p", "customer_id": "%s", "type": "employment", "date": "%s",
    "recorded": "%s", "end": "%s", "kind": "%s", "evidence": "register",
    "hours_per_week": "%s", "fte": "%s", "wage": "%s"}


def _earlier_work(plan: Plan, b: Block, ref: Array, since: Array,
                  first: tuple[Array, Array]) -> None:
    """The job that ended the day before the unemployment began (``since``), of the
    customers the profile's ``earlier_work.share`` draws: known from the register on the
    referral day, with its wages month by month where the contract reads earnings. It ends
    before the first job of the chain begins (``first``: the customers who have one, and its
    begin; a negative ``days_to_first`` may put it before ``since``). Where the contract
    tells employers apart, with the first job's employer with the chance
    ``same_employer``."""
    has = b.chance(lambda p: p.earlier_work.share)
    length = np.maximum(as_days(b.dist(lambda p: p.earlier_work.length_days)), 1)
    hours = b.dist(lambda p: p.earlier_work.hours_per_week)
    subsidised = b.chance(lambda p: p.earlier_work.subsidised)
    wage = b.dist(lambda p: p.earlier_work.wage)
    same = b.chance(lambda p: p.earlier_work.same_employer)
    who = np.nonzero(has)[0]
    if not who.size:
        return
    working, first_begin = first
    before = since - 1
    before[working] = np.minimum(before[working], first_begin - 1)
    ends = before[who]
    begins = ends - length[who] + 1
    kinds = np.where(subsidised, "subsidised", "open")
    person = b.ids[who].tolist()
    paid = [f"{x:.2f}" for x in wage[who].tolist()]
    columns = [person, person, iso(begins), iso(ref[who]), iso(ends), kinds[who].tolist(),
               cut_down(hours[who], 1), fte_written(hours, b)[who].tolist(), paid]
    cells = _EARLIER_CELLS
    if plan.employers:
        has_first = np.zeros(b.n, dtype=bool)
        has_first[working] = True
        cells = {**cells, "employer": "%s"}
        columns.append(np.where(same[who] & has_first[who], employer_of(0),
                                "employer-0").tolist())
    b.add(who, _EARLIER, _rows(plan, cells, *columns))
    if plan.earnings:
        # the last months before the end, at most as many as a job's wages are written for
        shown = np.maximum(begins, months_on(month_first(ends), -EARNED_MONTHS + 1))
        keep, pay, amount = monthly_wages(shown, ends, np.array(paid, dtype=float))
        j, m = np.nonzero(keep)
        owner = who[j]
        ids = texts([f"p-{k}" for k in range(EARNED_MONTHS + 1)])
        b.add(owner, _EARLIER + 1 + m, _rows(
            plan, {"event_id": "%s-w%s", "customer_id": "%s", "type": "earnings",
                   "date": "%s", "kind": "%s", "evidence": "register", "amount": "%s"},
            b.ids[owner].tolist(), ids[m].tolist(), b.ids[owner].tolist(), iso(pay[keep]),
            kinds[owner].tolist(), list(map("%.2f".__mod__, amount[keep].tolist()))))


def _education(plan: Plan, b: Block, cids: list[str], ref: Array) -> None:
    has = b.chance(lambda p: p.education.share)
    start = ref + as_days(b.dist(lambda p: p.education.days_to_start))
    end = start + as_days(b.dist(lambda p: p.education.length_days))
    kinds, which = drawn_names(b, b.u(), plan.education_kinds, lambda p: p.education.kinds)
    who = np.nonzero(has)[0]
    person = b.ids[who].tolist()
    b.add(who, _EDUCATION, _rows(plan, {"event_id": "%s-d", "customer_id": "%s",
                                        "type": "education", "date": "%s", "end": "%s",
                                        "kind": "%s"},
                                 person, person, iso(start[who]), iso(end[who]),
                                 kinds[which[who]].tolist()))


def _benefits(plan: Plan, b: Block, cids: list[str], ref: Array,
              jobs: list[tuple[Array, ...]], at_referral: Array, since: Array) -> None:
    """A benefit row a month: none paid in a month before the unemployment began
    (``since``: the customer was in earlier work, or not unemployed), nor in one mostly
    worked, unless adjusted (``Benefits.while_working``)."""
    before = b.share(lambda p: p.benefits.months_before).astype(np.int64)
    total = before + b.share(lambda p: p.benefits.months_after).astype(np.int64)
    slots = max(int(total.max()), 1)
    daily = np.array([p.benefits.daily_amount.draw(0.5, 0.5) for p in b.profiles])[b.segment]
    steps = np.arange(slots)[None, :]
    months = months_on(months_on(month_first(ref), -before)[:, None], steps)
    mid = months + 14
    working = mid < since[:, None]  # before the unemployment began: no benefit
    adjustable = ~working
    for who, begins, ends in jobs:
        working[who] |= (begins[:, None] <= mid[who]) & (
            (ends[:, None] < 0) | (mid[who] <= ends[:, None]))
    full = as_days(b.dist(lambda p: p.benefits.days_per_month, slots))
    half = np.maximum(as_days(b.dist(lambda p: p.benefits.days_per_month, slots)) // 2, 1)
    adjusted = b.chance(lambda p: p.benefits.while_working, slots)
    days = np.where(~working, full, np.where(adjusted & adjustable, half, 0))
    keep = steps < total[:, None]
    days = np.where(keep, days, 0)
    amount = days * daily[:, None]
    cells = {"event_id": "%s-b%s", "customer_id": "%s", "type": "benefit", "date": "%s",
             "days": "%s", "amount": "%s"}
    i, n = np.nonzero(keep)
    person = b.ids[i].tolist()
    columns = [person, list(map(str, n.tolist())), person, iso(months[keep]),
               list(map(str, days[keep].tolist())),
               list(map("%.2f".__mod__, amount[keep].tolist()))]
    if plan.cumulative_days:
        earlier = np.where(steps < before[:, None], days, 0).sum(axis=1)
        running = np.maximum(at_referral - earlier, 0)[:, None] + np.cumsum(days, axis=1)
        cells["cumulative_days"] = "%s"
        columns.append(list(map(str, running[keep].tolist())))
    b.add(i, _BENEFIT + n, _rows(plan, cells, *columns))
