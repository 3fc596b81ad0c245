"""Synthetic event files for any contract, drawn from a cohort (``cohort.py``).

``customer_rows(plan, index, rng)`` draws one customer's rows (a list of field -> text
mappings, as an event file holds them) from a random stream: the unit a Monte Carlo
forecast repeats. ``write_events`` writes whole files: customers in blocks of
``BLOCK`` drawn from ``Generator(PCG64(SeedSequence(seed, spawn_key=(block,))))``, so a
file is the same bytes for a seed whatever the number of processes writing it, and customer
``c0000042`` is the same customer in a file of 100 or of a million. Customer ids are
zero-padded, so the file is sorted by customer (the fast path of ``evaluate --jobs``).

Every customer takes the same number of uniform draws (``DRAWS``) from the stream, turned
into dates, counts and amounts by inverse transforms; a customer who needs more continues
on a stream seeded from its own draws. Amounts are written as text with two decimals (the
engine reads them as ``Decimal``); nothing here computes money.

What is drawn, per customer: a referral in the contract's referral window (month by the
cohort's rates), a segment by the cohort's mix (written on the referral for
``segments.source: referral``; otherwise referral attributes that fall in that tier's
rules), a provider; a service start and sometimes an early end; contacts each month of the
service and their answers; hours delivered in the first months; jobs with gaps,
part-time, subsidised, with their evidence, a self-report confirmed later by a
later-recorded register row, an end recorded later as a correction, sometimes a void;
education; surveys; benefit months; expenses; now and then a second referral.

What the contract counts decides which rows and values are drawn: each component says which
event rows it counts (``ComponentBase.wanted_events``), so hours are written with the
activities its fees pay for (an hourly fee's, or an event fee's ``where: {activity: ...}``),
surveys with its instruments, expenses with its categories, education with the kinds it
pays for (or ``vocational``), and a service end with the reasons it pays for (every service
then ends with a row: early, or on its last day) — else the generator would write nothing a
fee on such rows could pay.
"""

from __future__ import annotations

import hashlib
import os
import random
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, fields, replace
from datetime import date, timedelta
from decimal import Decimal
from itertools import chain, pairwise
from typing import IO, Any

import numpy as np

from .cohort import Cohort, Jobs, Profile
from .contract.load import LoadedContract
from .contract.model import Range, Segmentation, WantedEvent
from .contract.segments import assign
from .evaluate.context import referral_attributes
from .events.model import Referral
from .pipeline import load_contract_bytes
from .processes import usable_jobs
from .values import Duration, add_months

BLOCK = 4096  # customers per random stream; fixed, so files do not depend on --jobs
DRAWS = 192  # uniform draws every customer takes from the stream
FIRST_DRAWS = 112  # of those, made Python floats at once (most customers need fewer)
ROW_FIELDS = (
    "event_id", "customer_id", "type", "date", "recorded", "end", "void", "provider",
    "segment", "unemployed_since", "birth_date", "partial_work_ability", "benefit_days",
    "reason", "hours", "activity", "responded", "kind", "evidence", "hours_per_week", "fte",
    "wage", "days", "amount", "instrument", "score", "description", "category",
)
Row = dict[str, Any]  # field -> its text (a file's row), or its typed value (``TYPED``)


@dataclass(frozen=True, slots=True)
class Written:
    """How a drawn value is held in a row: as the text a file holds (``TEXT``, what
    ``generate`` writes) or as the typed value an event holds (``TYPED``: a simulated
    customer's rows go to the reader's typed entry, ``events.fast.typed_event``, with no
    text written and read back). The same draws give the same values either way: a typed
    amount is the Decimal of the text with two decimals."""

    day: Callable[[int], Any]  # a day by its ordinal
    date: Callable[[date], Any]
    money: Callable[[float], Any]  # two decimals
    tenth: Callable[[float], Any]  # one decimal
    hours: Callable[[float], Any]  # half hours, as few digits as they need
    whole: Callable[[int], Any]
    flag: Callable[[bool], Any]
    rounded: Callable[[float], Any]  # to a whole number (a survey's score)
    # the rows drawn most, whole: (customer, month, number, day's ordinal, answered) and
    # (customer, month, number, day's ordinal, hours, activity or None)
    contact: Callable[[str, int, int, int, bool], Any]
    hours_row: Callable[[str, int, int, int, float, str | None], Any]


class Draws:
    """A customer's uniform draws, taken in order; more come from a stream seeded from them.

    ``next()`` takes the next draw (``u.next()`` is the same, a little slower): the list's own
    iterator, then the extra stream, so the hot loops of drawing make no Python call per
    draw. ``w``: how the rows drawn from them hold their values (text by default)."""

    __slots__ = ("_u", "next", "w")

    def __init__(self, u: Sequence[float], written: Written | None = None,
                 rest: np.ndarray | None = None) -> None:
        """``rest``: the draws after ``u``, made Python floats only when they are reached
        (most customers never reach them)."""
        self.w = TEXT if written is None else written
        self._u = u if type(u) is list else list(u)  # never changed here: no copy
        self.next: Callable[[], float] = chain(
            self._u, () if rest is None else _later(rest), _more(self._u)).__next__

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


def _later(rest: np.ndarray) -> Iterator[float]:
    yield from rest.tolist()


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
    starts_at_referral: bool
    activities: tuple[str, ...] = ()
    instruments: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    benefits: bool = False
    hours: bool = False  # hours rows are counted (with the activities, or any)
    expenses: bool = False  # expense rows are counted (with the categories, or any)
    earnings: bool = False  # earnings rows are counted: each job's wages, month by month
    cumulative_days: bool = False  # benefit rows carry the customer's benefit days in all
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


def make_plan(loaded: LoadedContract, cohort: Cohort,
              source: tuple[str, bytes] | None = None) -> Plan:
    """The drawing plan for ``cohort`` under ``loaded`` (ValueError: they do not fit);
    ``source``, the contract file's name and bytes, lets the plan go to other processes."""
    c = loaded.contract
    refs = cohort.referrals
    first = refs.first_day or c.metadata.valid_from
    last = refs.last_day or c.windows.referrals_until or c.metadata.valid_until
    if last < first:
        raise ValueError(f"the referral window {first}..{last} is empty")
    segs = c.segments
    ids = [t.id for t in segs.tiers] if segs is not None else ["default"]
    mix = {k: float(v) for k, v in (cohort.segments or {s: Decimal(1) for s in ids}).items()}
    unknown = sorted(set(mix) - set(ids)) + sorted(
        set(cohort.profiles) - set(ids) - {"default"})
    providers = [p.id for p in c.metadata.providers]
    pmix = {k: float(v) for k, v in (cohort.providers or {p: Decimal(1) for p in providers})
            .items()}
    unknown += sorted(set(pmix) - set(providers))
    if unknown:
        # each id once (a segment may be in the mix and in the profiles), and the contract
        # by its file: with --compare the cohort may fit one draft and not the other
        named = ", ".join(dict.fromkeys(unknown))
        raise ValueError(f"the cohort names {named}, which the contract "
                         f"{os.path.basename(loaded.file)} does not have (segments: "
                         f"{', '.join(ids)}; providers: {', '.join(providers)})")
    by = "none" if segs is None else segs.source
    attrs = sorted({k for t in segs.tiers for k in t.when if k.startswith("attr_")}) \
        if segs is not None else []
    kinds = {comp.kind_name: comp for comp in c.components}
    wanted = [w for comp in c.components for w in comp.wanted_events()]
    # a buyer's share by benefit days paid in all is read from the benefit rows' counter
    cumulative = any(getattr(comp, "buyer_share", None) is not None for comp in c.components)
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
        starts_at_referral=c.windows.service.starts_at == "referral",
        activities=counted["hours.activity"], instruments=counted["survey.instrument"],
        categories=counted["expense.category"],
        benefits="benefit_reduction" in kinds or any(w.type == "benefit" for w in wanted)
        or any(getattr(comp, "benefit_test", None) is not None for comp in c.components),
        hours=any(w.type == "hours" for w in wanted),
        earnings=any(w.type == "earnings" for w in wanted),
        cumulative_days=cumulative,
        expenses=any(w.type == "expense" for w in wanted),
        education_kinds=_with(counted["education.kind"], "vocational"),
        end_reasons=_with(counted["service_end.reason"], "ended")
        if counted["service_end.reason"] else (),
        columns=(*ROW_FIELDS[:13], *attrs, *ROW_FIELDS[13:],
                 *(("cumulative_days",) if cumulative else ())),
        profiles={s: cohort.profile(s) for s in ids},
        quoting=any(ch in t for t in texts for ch in ',"\r\n'), source=source)


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
        for _ in range(4000):
            recipe = _attempt(tier.when, segs.tiers, cohort.profile(tier.id), since, born, rnd)
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
    """One customer's rows, drawn from ``rng`` (``DRAWS`` uniforms)."""
    return draw_customer(plan, customer_id(index, width), Draws(rng.random(DRAWS).tolist()))


def draw_customer(plan: Plan, cid: str, u: Draws) -> list[Row]:
    """One customer's rows from its draws (see the module's docstring for what is drawn)."""
    ref = _referral_day(plan, u)
    segment = u.pick(plan.segments)
    profile = plan.profile(segment)
    provider = u.pick(plan.providers)
    rows = [_referral(plan, cid, ref, segment, provider, u)]
    svc = profile.service
    start: date | None = ref if plan.starts_at_referral else None
    last = None
    if u.chance(svc.starts):
        if start is None:
            start = ref + timedelta(int(svc.days_to_start.sampler(u.next(), u.next())))
        rows.append({"event_id": f"{cid}-s", "customer_id": cid, "type": "service_start",
                     "date": u.w.date(start), "provider": provider})
        last = start + timedelta(plan.service_days - 1)
        early = u.chance(svc.ends_early)
        if early:
            days = int(plan.service_days * svc.share_of_length.sampler(u.next(), u.next()))
            last = start + timedelta(max(days, 1))
        if early or plan.end_reasons:
            reason = plan.end_reasons[int(u.next() * len(plan.end_reasons))] \
                if plan.end_reasons else "ended"
            rows.append({"event_id": f"{cid}-x", "customer_id": cid, "type": "service_end",
                         "date": u.w.date(last), "reason": reason})
        _in_service(plan, cid, profile, start, last, u, rows)
    else:
        u.next(), u.next()  # the same draws taken whether or not the service starts
    jobs = _jobs(cid, profile, start or ref, u)
    rows.extend(row for _, _, job_rows in jobs for row in job_rows)
    if plan.earnings:
        rows.extend(_earnings(cid, jobs, u.w))
    rows.extend(_education(plan, cid, profile, ref, u))
    if plan.benefits:
        days_before = int(rows[0]["benefit_days"]) if plan.cumulative_days else None
        rows.extend(_benefits(cid, profile, ref, [(a, b) for a, b, _ in jobs], u, days_before))
    if u.chance(svc.re_referred):
        again = ref + timedelta(int(30 + 300 * u.next()))
        rows.append({"event_id": f"{cid}-r2", "customer_id": cid, "type": "referral",
                     "date": u.w.date(again), "provider": provider,
                     **({"segment": segment} if plan.segment_source == "referral" else {})})
    return rows


def _referral_day(plan: Plan, u: Draws) -> date:
    x = u.next()
    for bound, lo, hi in plan.months:
        if x < bound:
            return lo + timedelta(int(u.next() * ((hi - lo).days + 1)))
    _, lo, hi = plan.months[-1]
    return hi


def _referral(plan: Plan, cid: str, ref: date, segment: str, provider: str, u: Draws) -> Row:
    row = {"event_id": f"{cid}-r", "customer_id": cid, "type": "referral",
           "date": u.w.date(ref), "provider": provider}
    if plan.segment_source == "referral":
        row["segment"] = segment
    recipes = plan.recipes.get(segment)
    person = plan.profile(segment).person
    if recipes:
        attrs = _recipe_on(plan, recipes, segment, ref, int(u.next() * len(recipes)))
        since = ref - timedelta(int(attrs["since_days"]))
        born = ref - timedelta(int(attrs["born_days"]))
    else:
        benefit_days = plan.profile(segment).benefits.benefit_days
        attrs = {
            "benefit_days": int(benefit_days.sampler(u.next(), u.next())),
            "partial_work_ability": u.chance(person.partial_work_ability)}
        months = int(person.unemployment_months.sampler(u.next(), u.next()))
        since = add_months(ref, -months) - timedelta(int(u.next() * 14))
        born = add_months(ref, -12 * int(person.age.sampler(u.next(), u.next()))) - \
            timedelta(int(u.next() * 300))
    w = u.w
    row.update(unemployed_since=w.date(since), birth_date=w.date(born),
               benefit_days=w.whole(int(attrs["benefit_days"])),
               partial_work_ability=w.flag(bool(attrs["partial_work_ability"])))
    for name in plan.attr_columns:
        if name in attrs:
            row[name] = str(attrs[name])
    return row


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


def _in_service(plan: Plan, cid: str, profile: Profile, start: date, last: date,
                u: Draws, rows: list[Row]) -> None:
    """Add the rows of a service running ``start`` to ``last`` to ``rows``."""
    # days as ordinals and their text from a cache: date and timedelta objects made per row
    # cost more than the rest of the row
    svc = profile.service
    nxt, add = u.next, rows.append
    contacts, responds = svc.contacts_per_month.sampler, _FLOATS[svc.responds]
    contact = u.w.contact
    last_day = last.toordinal()
    hours = plan.hours and svc.hours_months > 0
    for n, first in enumerate(_month_firsts(start, last_day)):
        for k in range(int(contacts(nxt(), nxt()))):
            day = first + int(nxt() * 28)
            if day <= last_day:
                add(contact(cid, n, k, day, nxt() < responds))
        if hours and n < svc.hours_months:
            _hours(plan, cid, svc.hours_per_month.sampler(nxt(), nxt()), first, last_day, n,
                   u, rows)
        if plan.expenses:
            _expenses(plan, cid, profile, first, n, u, rows)
    if plan.instruments and u.chance(profile.surveys.share):
        rows.extend(_surveys(plan, cid, profile, start, last, u))


def _expenses(plan: Plan, cid: str, profile: Profile, first: int, n: int, u: Draws,
              rows: list[Row]) -> None:
    """The expenses of the month starting on ordinal ``first``."""
    nxt, w = u.next, u.w
    for k in range(int(profile.expenses.per_month.sampler(nxt(), nxt()))):
        row = {"event_id": f"{cid}-x{n}-{k}", "customer_id": cid, "type": "expense",
               "date": w.day(first + int(nxt() * 28)),
               "amount": w.money(profile.expenses.amount.sampler(nxt(), nxt()))}
        if plan.categories:
            row["category"] = plan.categories[int(nxt() * len(plan.categories))]
        rows.append(row)


_FIRSTS: dict[date, tuple[int, ...]] = {}  # a service's months by its start (they repeat)


def _month_firsts(start: date, last_day: int) -> tuple[int, ...]:
    """The ordinals of ``start`` and the same day each month after it (``add_months``), up to
    the ordinal ``last_day``."""
    known = _FIRSTS.get(start)
    if known is None or known[-1] <= last_day:
        firsts, n = [start.toordinal()], 1
        while firsts[-1] <= last_day:  # one past the last, so a later service can tell
            firsts.append(add_months(start, n).toordinal())
            n += 1
        if len(_FIRSTS) >= 100_000:
            _FIRSTS.clear()
        known = _FIRSTS[start] = tuple(firsts)
    return known[:bisect_right(known, last_day)]


# a day's ISO text, and the day, by its ordinal: the same few thousand days repeat
_iso: Callable[[int], str] = _Cache(lambda day: date.fromordinal(day).isoformat(),
                                    200_000).__getitem__
_day: Callable[[int], date] = _Cache(date.fromordinal, 200_000).__getitem__


def _same(value: Any) -> Any:
    return value


def _contact_row(day: Callable[[int], Any], flag: Callable[[bool], Any]
                 ) -> Callable[[str, int, int, int, bool], Row]:
    yes, no = flag(True), flag(False)

    def contact(cid: str, n: int, k: int, on: int, answered: bool) -> Row:
        return {"event_id": f"{cid}-k{n}-{k}", "customer_id": cid, "type": "contact",
                "date": day(on), "responded": yes if answered else no}
    return contact


def _hours_row(day: Callable[[int], Any], hours: Callable[[float], Any]
               ) -> Callable[[str, int, int, int, float, str | None], Row]:
    def hours_row(cid: str, n: int, k: int, on: int, each: float, activity: str | None
                  ) -> Row:
        row = {"event_id": f"{cid}-h{n}-{k}", "customer_id": cid, "type": "hours",
               "date": day(on), "hours": hours(each)}
        if activity is not None:
            row["activity"] = activity
        return row
    return hours_row


def _text_flag(yes: bool) -> str:
    return "true" if yes else "false"


_g = "{:g}".format  # hours: as few digits as they need
TEXT = Written(
    day=_iso, date=date.isoformat, money="{:.2f}".format, tenth="{:.1f}".format,
    hours=_g, whole=str, flag=_text_flag, rounded=lambda x: f"{round(x):d}",
    contact=_contact_row(_iso, _text_flag), hours_row=_hours_row(_iso, _g))
TYPED = Written(
    day=_day, date=_same, money=lambda x: Decimal(f"{x:.2f}"),
    tenth=lambda x: Decimal(f"{x:.1f}"), hours=lambda x: Decimal(f"{x:g}"), whole=_same,
    flag=_same, rounded=lambda x: Decimal(round(x)),
    contact=_contact_row(_day, _same),
    hours_row=_hours_row(_day, lambda x: Decimal(f"{x:g}")))


def lines_written(plan: Plan) -> Written:
    """``TEXT`` for writing a file: contacts and hours (most of a file's rows) come as their
    CSV lines straight away, the same text ``_Lines`` makes of their ``TEXT`` rows (a row
    and its formatting cost several times the line). Only where no cell needs quoting:
    their cells are ids and numbers from fixed alphabets, dates, and an activity that
    needs no quotes unless the plan says a contract text does."""
    contact = _template(plan.columns, {
        "event_id": "%s-k%d-%d", "customer_id": "%s", "type": "contact", "date": "%s",
        "responded": "%s"})
    hours = _template(plan.columns, {
        "event_id": "%s-h%d-%d", "customer_id": "%s", "type": "hours", "date": "%s",
        "hours": "%s"})
    active = _template(plan.columns, {
        "event_id": "%s-h%d-%d", "customer_id": "%s", "type": "hours", "date": "%s",
        "hours": "%s", "activity": "%s"})
    iso = _iso

    def contact_line(cid: str, n: int, k: int, on: int, answered: bool) -> str:
        return contact % (cid, n, k, cid, iso(on), "true" if answered else "false")

    def hours_line(cid: str, n: int, k: int, on: int, each: float, activity: str | None
                   ) -> str:
        if activity is None:
            return hours % (cid, n, k, cid, iso(on), _g(each))
        return active % (cid, n, k, cid, iso(on), _g(each), activity)
    return replace(TEXT, contact=contact_line,
                   hours_row=TEXT.hours_row if plan.quoting else hours_line)


def _template(columns: tuple[str, ...], cells: dict[str, str]) -> str:
    """A CSV line's template: ``cells`` in their columns (in the order they are given, which
    must be the columns' order), every other column empty."""
    if [c for c in columns if c in cells] != list(cells):
        raise ValueError("the columns are not in the order a line's template fills them")
    return ",".join(cells.get(c, "") for c in columns)


def _hours(plan: Plan, cid: str, hours: float, month: int, last: int, n: int,
           u: Draws, rows: list[Row]) -> None:
    """Hours delivered in the month starting on ordinal ``month`` (up to ordinal ``last``)."""
    sessions = max(1, round(hours / 2))
    each = round(hours / sessions * 2) / 2  # half hours
    for k in range(sessions):
        day = month + int(u.next() * 28)
        if each > 0 and day <= last:
            activity = plan.activities[int(u.next() * len(plan.activities))] \
                if plan.activities else None
            rows.append(u.w.hours_row(cid, n, k, day, each, activity))


def _surveys(plan: Plan, cid: str, profile: Profile, start: date, last: date,
             u: Draws) -> Iterator[Row]:
    first = profile.surveys.first_score.sampler(u.next(), u.next())
    later = first + profile.surveys.change.sampler(u.next(), u.next())
    for instrument in plan.instruments:
        for tag, day, score in (("a", start + timedelta(7), first),
                                ("b", last - timedelta(7), later)):
            if tag == "a" or day > start + timedelta(7):
                yield {"event_id": f"{cid}-q{tag}-{instrument}", "customer_id": cid,
                       "type": "survey", "date": u.w.date(day), "instrument": instrument,
                       "score": u.w.rounded(score)}


def _jobs(cid: str, profile: Profile, anchor: date, u: Draws
          ) -> list[tuple[date, date | None, list[Row]]]:
    jobs = profile.jobs
    if not u.chance(jobs.share):
        return []
    out = []
    begin = anchor + timedelta(int(jobs.days_to_first.sampler(u.next(), u.next())))
    for n in range(1 + int(jobs.more.sampler(u.next(), u.next()))):
        length = int(jobs.length_days.sampler(u.next(), u.next()))
        end = None if u.chance(jobs.ongoing) else begin + timedelta(max(length, 1) - 1)
        out.append((begin, end, _job_rows(f"{cid}-e{n}", cid, profile, begin, end, u)))
        if end is None:
            break
        begin = end + timedelta(1 + int(jobs.gap_days.sampler(u.next(), u.next())))
    return out


def _job_rows(eid: str, cid: str, profile: Profile, begin: date, end: date | None,
              u: Draws) -> list[Row]:
    jobs = profile.jobs
    nxt = u.next
    _, (subsidised, apprenticeship, entrepreneur), mix = _job_mix(jobs)
    x = nxt()
    kind = ("subsidised" if x < subsidised else "apprenticeship" if x < apprenticeship
            else "entrepreneur" if x < entrepreneur else "open")
    evidence = u.pick(mix)
    hours = jobs.hours_per_week.sampler(nxt(), nxt())
    first = begin.toordinal()  # days as ordinals, as in _in_service
    w = u.w
    day = w.day
    base = {"event_id": eid, "customer_id": cid, "type": "employment", "date": day(first),
            "kind": kind, "hours_per_week": w.tenth(hours),
            "fte": w.money(min(hours / jobs.full_time_hours, 1.0)),
            "wage": w.money(jobs.wage.sampler(nxt(), nxt()))}
    told = first + int(nxt() * 10)
    rows = [{**base, "evidence": evidence, "recorded": day(told)}]
    recorded = told
    confirmed = evidence == "self_report" and u.chance(jobs.confirmed)
    when = told + int(jobs.confirm_delay_days.sampler(nxt(), nxt()))
    if end is not None:
        last = end.toordinal()
        ended = max(last + int(jobs.end_recorded_delay_days.sampler(nxt(), nxt())), told + 1)
        if confirmed and when < ended:
            rows.append({**base, "evidence": "register", "recorded": day(when)})
        rows.append({**base, "evidence": "register" if confirmed else evidence,
                     "recorded": day(ended), "end": day(last)})
        recorded = ended
    elif confirmed:
        rows.append({**base, "evidence": "register", "recorded": day(when)})
        recorded = when
    if u.chance(jobs.voided):
        rows.append({**rows[-1], "recorded": day(recorded + 30), "void": w.flag(True)})
    return rows


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


def _education(plan: Plan, cid: str, profile: Profile, ref: date, u: Draws) -> list[Row]:
    edu = profile.education
    if not u.chance(edu.share):
        return []
    start = ref + timedelta(int(edu.days_to_start.sampler(u.next(), u.next())))
    end = start + timedelta(int(edu.length_days.sampler(u.next(), u.next())))
    kinds = plan.education_kinds
    kind = kinds[int(u.next() * len(kinds))] if len(kinds) > 1 else kinds[0]
    return [{"event_id": f"{cid}-d", "customer_id": cid, "type": "education",
             "date": u.w.date(start), "end": u.w.date(end), "kind": kind}]


def _benefits(cid: str, profile: Profile, ref: date, jobs: list[tuple[date, date | None]],
              u: Draws, days_at_referral: int | None = None) -> list[Row]:
    """A benefit row a month; in a month whose middle day is worked, none, or with the
    chance ``while_working`` an adjusted benefit of half the days; with
    ``days_at_referral``, each row also says the benefit days paid in all up to and including
    it (the referral's count at the referral month, earlier months counted back from it)."""
    ben = profile.benefits
    nxt, per_month = u.next, ben.days_per_month.sampler
    daily = ben.daily_amount.draw(0.5, 0.5)  # the same every month
    first = add_months(ref.replace(day=1), -ben.months_before)
    rows = []
    for n, (month, mid) in enumerate(_months_from(first, ben.months_before + ben.months_after)):
        working = any(a <= mid and (b is None or mid <= b) for a, b in jobs)
        if not working:
            days = int(per_month(nxt(), nxt()))
        elif u.chance(ben.while_working):  # adjusted benefit beside part-time or low pay
            days = max(int(per_month(nxt(), nxt())) // 2, 1)
        else:
            days = 0
        amount = days * daily
        rows.append({"event_id": f"{cid}-b{n}", "customer_id": cid, "type": "benefit",
                     "date": u.w.date(month), "days": u.w.whole(days),
                     "amount": u.w.money(amount)})
    if days_at_referral is not None:
        before = sum(int(r["days"]) for r in rows[:ben.months_before])
        running = max(days_at_referral - before, 0)
        for row in rows:
            running += int(row["days"])
            row["cumulative_days"] = u.w.whole(running)
    return rows


_MONTHS: dict[tuple[date, int], tuple[tuple[date, date], ...]] = {}


def _months_from(first: date, count: int) -> tuple[tuple[date, date], ...]:
    """``count`` months from ``first``: each one's first day, and its middle day
    (the 15th); the same few hundred spans repeat, so they are worked out once."""
    known = _MONTHS.get((first, count))
    if known is None:
        if len(_MONTHS) >= 10_000:
            _MONTHS.clear()
        months = [add_months(first, n) for n in range(count)]
        known = _MONTHS[(first, count)] = tuple((m, m + timedelta(14))
                                                for m in months)
    return known


EARNED_MONTHS = 36  # an ongoing job's wages are written for this many months from its start


def _earnings(cid: str, jobs: list[tuple[date, date | None, list[Row]]],
              w: Written) -> list[Row]:
    """Each job's wages as the income register reports them: one earnings row a calendar
    month, dated its last day (the pay date), the monthly wage times the share of the
    month's days worked. Evidence: the register. No draws are taken."""
    rows = []
    for n, (begin, end, job_rows) in enumerate(jobs):
        wage, kind = float(job_rows[0]["wage"]), job_rows[0]["kind"]
        last = end if end is not None else add_months(begin, EARNED_MONTHS) - timedelta(1)
        month = begin.replace(day=1)
        for m in range(EARNED_MONTHS + 1):
            first_day = add_months(month, m)
            if first_day > last:
                break
            pay_day = add_months(first_day, 1) - timedelta(1)
            worked = (min(pay_day, last) - max(first_day, begin)).days + 1
            amount = wage * worked / pay_day.day
            rows.append({"event_id": f"{cid}-w{n}-{m}", "customer_id": cid, "type": "earnings",
                         "date": w.date(pay_day), "amount": w.money(amount),
                         "evidence": "register", "kind": kind})
    return rows


# --- whole files -------------------------------------------------------------------------

def block_stream(seed: int, block: int) -> np.random.Generator:
    """The random stream of one block of ``BLOCK`` customers."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed,
                                                                     spawn_key=(block,))))


def _cell(text: str) -> str:
    if any(ch in text for ch in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


class _Lines:
    """Rows as CSV lines: one template per set of fields a row gives (a few dozen). Without
    quoting, the template names its fields (``%(date)s``), so a row fills it directly."""

    def __init__(self, columns: tuple[str, ...], quoting: bool) -> None:
        self.columns = columns
        self.quoting = quoting
        self.named = not quoting and not any(ch in c for c in columns for ch in "%()")
        self.templates: dict[tuple[str, ...], tuple[str, tuple[str, ...]]] = {}

    def __call__(self, row: Row | str) -> str:
        if isinstance(row, str):  # a line already (``lines_written``)
            return row
        template, order = self._template(row)
        if self.named:
            return template % row
        if self.quoting:
            return template % tuple([_cell(row[c]) for c in order])
        return template % tuple([row[c] for c in order])

    def _template(self, row: Row) -> tuple[str, tuple[str, ...]]:
        sig = tuple(row)
        known = self.templates.get(sig)
        if known is None:
            order = tuple(c for c in self.columns if c in row)
            place = "%({})s" if self.named else "%s"
            known = (",".join(place.format(c) if c in row else "" for c in self.columns),
                     order)
            self.templates[sig] = known
        return known

    def extend(self, lines: list[str], rows: Sequence[Row | str]) -> None:
        """Add the lines of ``rows`` to ``lines`` (named templates filled in a local loop:
        the call per row cost more than filling it)."""
        if not self.named:
            lines.extend(map(self, rows))
            return
        templates = self.templates
        for row in rows:
            if isinstance(row, str):  # a line already (``lines_written``)
                lines.append(row)
                continue
            known = templates.get(tuple(row))
            lines.append((known or self._template(row))[0] % row)


def block_text(plan: Plan, seed: int, block: int, customers: int, width: int) -> str:
    """The CSV lines of one block (its customers in order)."""
    first = block * BLOCK
    count = min(BLOCK, customers - first)
    matrix = block_stream(seed, block).random((count, DRAWS))
    head = matrix[:, :FIRST_DRAWS].tolist()  # the rest become floats when reached
    lines: list[str] = []
    line = _Lines(plan.columns, plan.quoting)
    written = lines_written(plan)
    for i in range(count):
        line.extend(lines, draw_customer(plan, customer_id(first + i, width),
                                         Draws(head[i], written, matrix[i, FIRST_DRAWS:])))
    return "\n".join(lines) + "\n" if lines else ""


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


# --- parts of a customer, for forecasts that continue a real timeline --------------------

def service_rows(plan: Plan, cid: str, profile: Profile, start: date, last: date,
                 u: Draws) -> list[Row]:
    """The rows of a service running ``start`` to ``last``: contacts, hours, expenses and
    surveys, as ``draw_customer`` draws them."""
    rows: list[Row] = []
    _in_service(plan, cid, profile, start, last, u, rows)
    return rows


def job_rows(eid: str, cid: str, profile: Profile, begin: date, end: date | None,
             u: Draws) -> list[Row]:
    """The rows of one job (its evidence, a later confirmation, its recorded end, a void)."""
    return _job_rows(eid, cid, profile, begin, end, u)
