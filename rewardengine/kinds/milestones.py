"""milestones: a ladder of payments as qualifying work goes on (UK Work Programme job outcome
and sustainment payments; Australian 4/12/26-week outcomes with a benefit test).

Qualifying work, ``counting``, ``max_gap``, ``window`` and the deadline are those of
employment_outcome (see there). Rules (documented in docs/contract-language.md):

* ``steps``: step ``after`` is reached on the day counted work reaches that duration; with
  ``continuous`` counting, any single spell may reach it (months counted from the spell's first
  day); with ``cumulative`` all counted days add up (months from the first counted day). Each
  step pays once, occurrence ``step:<after>`` ("step:13 weeks"), resting on every counted day up
  to it (its evidence is the weakest of them). Of several spells reaching a step, the one
  paid first takes it (``_taken``): work not priced never keeps a payable step unpaid. A
  step lost in one spell, on its benefit test or on evidence no confirmation can price,
  awaits another (pending) while the deadline is ahead (``_step_elsewhere``); one whose test
  fails for every spell (on the months before the service alone) is lost at once. Unreached
  steps are each pending, or not_earned once the deadline has passed.
* ``steps_in_one_spell`` (continuous counting): every step is counted in the spell of the
  first step (AVGS: both instalments for the one employment), chosen by ``_ladder_spell``;
  another spell reaching a later step is named in the reason.
* Qualifying work, and the outcome work rules (``work.starts_within``,
  ``work.min_agreed_length``, ``work.one_employer``, ``work.average_hours_per_week``), are
  those of employment_outcome (kinds/employment_common.py). With hours on average a step is
  reached on the first day that ends a run of ``after`` averaging them; sustainment with hours
  on average is refused (C218).
* ``sustainment``: after the last step, every further ``every`` of counted work pays, up to
  ``max_count`` (occurrence ``sustain:1``, ``sustain:2``...). ``sustainment.counting``:
  ``cumulative`` (default): with continuous counting this work is counted in the spell that
  reached the last step and, after the step, in any other spell, each day once, at the
  heavier weight and on the stronger evidence of the spells covering it (a break pauses
  sustainment, it does not end it); the k-th sustainment is due at ``anchor + last
  step + k * every`` (always from the anchor) and rests on the days since the previous
  payment. ``continuous``: each payment needs ``every`` of work within one spell, counted
  from the day after the previous payment (the first: after the last step), ``every`` in
  months from that day; a break longer than ``max_gap`` ends the spell, the days counted so
  far are lost, and the count restarts on the first day of the next spell; with spells side
  by side, the spell reaching it first pays, one priced before one not, the one paid most
  on one day. A payment reached on evidence no confirmation can price is passed over: the
  count goes on from the day after, in that spell as in the others (``_chain``), and the
  payment is pending while the deadline is ahead; once it has passed with none priced, it
  is not_earned on the first reach (one a confirmation could have priced first). The
  payments after one pending for want of a price (a confirmation, or a spell reaching it on
  priced evidence) wait for it. Only the next one is shown pending (or
  not_earned), and only once the last step has been reached. Sustainment requires the last
  step to be paid (in full or in part):
  when it is not_earned (benefit test failed, evidence not priced) no sustainment line
  follows; while it is pending, sustainment payments reached are pending too.
* ``benefit_test`` (steps only): the customer's benefit (``measure``: days or amount of the
  monthly ``benefit`` rows) in the calendar months wholly inside the ``baseline`` period
  before the service start, ``[start - baseline, start)``, is compared with the benefit in:

  - ``compare: rolling_months`` (default): the calendar months wholly inside a period as long
    ending on the step's day, ``[day + 1 - baseline, day + 1)``;
  - ``compare: outcome_period``: the calendar months from the first month beginning on or
    after the first day the step rests on (the spell's first counted day) through the month
    holding the step's day; that month alone when no month begins in between. The step is
    pending until the last of them has ended (``as_of`` on or after its last day), at the best
    outcome the benefit known so far still allows (benefit only adds up), and not_earned at
    once when even that is too little.

  Each side is a monthly average; a month with no row counts as 0 (named in the reason once
  it has ended), a month whose rows lack the measure is left out. ``fall = 1 - during /
  baseline`` (decided exactly, without division). A fall of at least ``full_fall`` pays the
  step in full; at least ``partial_fall``, ``partial_share`` of it (quantity = share, unit
  price = full amount); less is not_earned. A baseline of 0: as ``zero_baseline`` says (one
  setting shared with benefit_reduction, kinds/benefit_common.py): ``no_fall`` (default)
  not_earned; ``full_if_none_during`` a full fall with no benefit during (income support is
  not paid, which is the full-outcome condition), no fall with benefit during. No measured
  month on a side means the test cannot be measured: not_earned.
  ``against: period_days`` (measure days, compare outcome_period): no baseline; the benefit
  days of the outcome months are measured against the days of those months, ``fall = 1 -
  benefit days / days``: the share of days without benefit ("no income support for at least
  60 % of the outcome period" is ``partial_fall: 0.6``).
* An evidence level the step's (or sustainment's) price table lacks: as in employment_outcome,
  pending for a confirmation while the deadline is ahead; where no confirmation can price
  it, pending for another spell (steps, with continuous counting) or for more work
  (continuous sustainment, above) while the deadline is ahead; else not_earned at 0.00.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from functools import partial
from itertools import pairwise
from operator import attrgetter
from typing import Any, Literal, NamedTuple

from dateutil.relativedelta import relativedelta
from pydantic import Field

from ..contract.model import (
    EVIDENCE_LEVELS,
    ComponentBase,
    ContractBase,
    Counting,
    DurationThreshold,
    OutcomeWindow,
    Path,
    Price,
    PriceTable,
    Site,
    Strict,
    SustainmentThreshold,
    Threshold,
    WorkRules,
    most_of,
)
from ..errors import Problem
from ..evaluate.context import CustomerContext
from ..evaluate.lines import Line
from ..evaluate.trace import Trace
from ..events.model import Benefit
from ..periods import ONE_DAY, Period, calendar_months
from ..values import (
    Duration,
    DurationField,
    Fraction,
    IsoDate,
    LengthField,
    WholeNumber,
    money_text,
)
from ..work import Reached, Stretch, needed_days, reach
from .base import CustomerKind, Outcome
from .benefit_common import ZERO_BASELINE_HELP, ZeroBaseline, zero_baseline_text
from .employment_common import (
    ONE,
    ZERO,
    OutcomeWork,
    Track,
    WorkCount,
    confirmations,
    count_days,
    count_work,
    criteria_text,
    duration_text,
    first_late,
    ids_text,
    no_price_line,
    not_started_line,
    num,
    outcome_work_rules,
    reached_evidence,
    reached_text,
    since,
    unpriced_line,
    unreached_line,
    work_checks,
    work_trace,
)


class Milestone(Strict):
    after: LengthField
    amount: Price


class Sustainment(Strict):
    every: LengthField
    amount: Price
    max_count: WholeNumber = Field(ge=1)
    counting: Literal["continuous", "cumulative"] = Field(
        default="cumulative",
        description="cumulative: a break pauses the count; continuous: each payment needs "
                    "`every` of work without a break longer than max_gap, a longer break "
                    "restarts it")


class BenefitTest(Strict):
    """Full outcome when benefit falls by ``full_fall``; partial at ``partial_fall``. The fall
    is measured against the ``baseline`` before the service, or (``against: period_days``)
    against the days of the compared months: the share of them without benefit."""

    measure: Literal["days", "amount"] = "amount"
    against: Literal["baseline", "period_days"] = Field(
        default="baseline",
        description="baseline: the benefit before the service; period_days: the days of the "
                    "compared months (no benefit on at least full_fall of them)")
    baseline: DurationField | None = None
    zero_baseline: ZeroBaseline = Field(default="no_fall", description=ZERO_BASELINE_HELP)
    full_fall: Fraction = Decimal(1)
    partial_fall: Fraction | None = None
    partial_share: Fraction | None = None
    compare: Literal["rolling_months", "outcome_period"] = Field(
        default="rolling_months",
        description="rolling_months: the whole months of a baseline-long period ending on the "
                    "step's day; outcome_period: the months of the work the step rests on")


class Milestones(ComponentBase):
    kind: Literal["milestones"]
    work: OutcomeWork = Field(default_factory=OutcomeWork)
    counting: Literal["continuous", "cumulative"] = "continuous"
    max_gap: DurationField | None = None
    window: OutcomeWindow = "service_and_follow_up"
    reach_by: IsoDate | None = None
    reach_within: LengthField | None = Field(
        default=None, description="the outcome must be reached within this time of the "
                                  "service start (its first day counted), e.g. '6 months'")
    steps: list[Milestone] = Field(min_length=1)
    steps_in_one_spell: bool = Field(
        default=False, description="every step is counted in the spell of the first step "
                                   "(counting: continuous): every instalment for the one "
                                   "employment")
    sustainment: Sustainment | None = None
    benefit_test: BenefitTest | None = None

    def price_tables(self) -> list[PriceTable]:
        out = [PriceTable(("steps", j, "amount"), s.amount, "fee", f"milestone {j + 1} fee",
                          by_evidence=True) for j, s in enumerate(self.steps)]
        if self.sustainment is not None:
            out.append(PriceTable(("sustainment", "amount"), self.sustainment.amount, "fee",
                                  "sustainment payment", by_evidence=True))
        return [*out, *super().price_tables()]

    def work_rules(self) -> WorkRules | None:
        return outcome_work_rules(self.work)

    def most_paid(self, contract: ContractBase, seen: frozenset[str] = frozenset()
                  ) -> Decimal | None:
        # each step once (a partial one pays a share of its amount), and at most max_count
        # sustainment payments
        steps = sum((most_of(s.amount) or ZERO for s in self.steps), ZERO)
        if self.sustainment is None:
            return steps
        return steps + self.sustainment.max_count * (most_of(self.sustainment.amount) or ZERO)

    def counting_window(self) -> Counting | None:
        return self.window

    def counting_window_path(self) -> Path:
        return ("window",)

    def deadline_date(self) -> date | None:
        return self.reach_by

    def deadline_within(self) -> Duration | None:
        return self.reach_within

    def thresholds(self) -> list[Threshold]:
        out: list[Threshold] = [
            DurationThreshold(s.after, f"milestone {j + 1} ({s.after}) of {self.name}",
                              ("steps", j, "after")) for j, s in enumerate(self.steps)]
        if self.sustainment is not None:
            out.append(SustainmentThreshold(self.sustainment.every, self.sustainment.max_count,
                                            self.steps[-1].after, ("sustainment", "max_count")))
        return out

    def checks(self, site: Site) -> list[Problem]:
        out = work_checks(self.work, self.counting, self.window, site)
        if self.sustainment is not None and self.work.average_hours_per_week is not None:
            out.append(site.err("C218", "work.average_hours_per_week applies to the steps; "
                                "sustainment payments count days, not hours on average",
                                "work", "average_hours_per_week"))
        if self.steps_in_one_spell and self.counting != "continuous":
            out.append(site.err("C218", "steps_in_one_spell applies to counting: continuous "
                                "(the steps of one spell), not to counting: "
                                f"{self.counting}", "steps_in_one_spell"))
        for j in range(1, len(self.steps)):
            if not self.steps[j].after.certainly_longer(self.steps[j - 1].after):
                out.append(site.err("C210", f"milestone {j + 1} ({self.steps[j].after}) is not "
                                    f"after milestone {j} ({self.steps[j - 1].after})",
                                    "steps", j, "after"))
        if self.benefit_test is not None:
            out.extend(benefit_test_checks(self.benefit_test, site))
        return out


def _step_key(step: Milestone) -> str:
    return f"step:{step.after}"


def evaluate(comp: Milestones, ctx: CustomerContext, prior: Sequence[Line]) -> Outcome:
    first = _step_key(comp.steps[0])
    if ctx.price(comp.steps[0].amount) is None:
        return Outcome([unpriced_line(ctx, comp, first)])
    wc = count_work(ctx, comp.work, comp.counting, comp.max_gap, comp.window, comp.reach_by,
                    reach_within=comp.reach_within)
    if wc is None:
        return Outcome([not_started_line(ctx, comp, _step_key(s), s.amount)
                        for s in comp.steps],
                       Trace((f"counting {criteria_text(comp.work)}, {comp.counting}: no "
                              "service start yet",)))
    return Outcome(_lines(ctx, comp, wc), work_trace(wc))


def _lines(ctx: CustomerContext, comp: Milestones, wc: WorkCount) -> list[Line]:
    lines: list[Line] = []
    last: tuple[Line, tuple[Reached, Track, Decimal]] | None = None
    # steps_in_one_spell: the spell every step is counted in (None: each step's earliest)
    ladder = _ladder_spell(ctx, comp, wc) if comp.steps_in_one_spell else None
    spell = ladder[0] if ladder is not None else None
    for i, step in enumerate(comp.steps):
        lost_note = ("; no sustainment payments follow a step that is not paid"
                     if i == len(comp.steps) - 1 and comp.sustainment is not None else "")
        if spell is None:
            taken = _taken(ctx, comp, wc, step, lost_note)
        else:
            hit = _earliest(wc, step.after, (spell,))
            taken = None if hit is None else (hit, *_step_line(ctx, comp, wc, step, hit,
                                                                lost_note))
        if taken is None and ladder is not None:
            lines.append(_unreached_in_spell(ctx, comp, wc, step, *ladder[:2]))
            last = None
            continue
        if taken is None:
            target = partial(needed_days, step.after)
            lines.append(unreached_line(
                ctx, comp, wc, occurrence=_step_key(step), amount=step.amount, target=target,
                what=str(step.after), candidates=wc.tracks,
                late=first_late(wc, wc.late_tracks, target), open_track=wc.open_track(),
                extra=("; then the benefit test applies"
                       if comp.benefit_test and not wc.decided else "")))
            last = None
            continue
        hit, line, test = taken
        # lost in this spell: while another may still take the step (without the ladder, or
        # with a ladder none of whose steps is paid), it awaits that one
        if line.status == "not_earned" and wc.continuous and not wc.decided \
                and (ladder is None or not ladder[2]) \
                and (awaited := _step_elsewhere(ctx, comp, wc, step, hit, test)) is not None:
            lines.append(awaited)
            last = None
            continue
        lines.append(line)
        last = (line, hit)
    if comp.sustainment is not None and last is not None and last[0].status != "not_earned":
        # sustainment follows a paid last step (full or partial); while that step is still
        # pending, so are the sustainment payments reached after it
        waiting = (f"; payable once the {comp.steps[-1].after} step is paid"
                   if last[0].status == "pending" else None)
        lines.extend(_sustainment(ctx, comp, wc, comp.sustainment, last[1], waiting))
    return lines


def _step_elsewhere(ctx: CustomerContext, comp: Milestones, wc: WorkCount, step: Milestone,
                    hit: tuple[Reached, Track, Decimal], test: BenefitResult | None
                    ) -> Line | None:
    """A step reached only in spells where it is not paid, while the deadline is ahead:
    pending, for another spell may still reach it and be paid (a spell reaches a step once,
    so not one of these). Not paid: its benefit test not met, or its evidence without a price
    (with no confirmation to await: a table pricing employer-confirmed work but not the
    register). None where no spell can pass the test (it failed on the months before the
    service alone): the step is lost."""
    got, track, _ = hit
    if test is not None and (test.share is not None or test.for_every_spell):
        return None
    if test is None:  # lost for want of a price for its evidence
        level, _ = reached_evidence(track.rests(got), got)
        why = (f"reached {step.after} on {got.on}, but on evidence '{level}', which the price "
               "table does not price")
        cited: set[str] = set(track.event_ids)
    else:
        why = f"reached {step.after} on {got.on}, but it is not paid; {test.reason}"
        cited = {*track.event_ids, *test.event_ids}
    reached = {t.key for _, t, _ in _reaching(wc, step.after, wc.tracks)}
    open_track = wc.open_track()
    line = unreached_line(
        ctx, comp, wc, occurrence=_step_key(step), amount=step.amount,
        target=partial(needed_days, step.after), what=str(step.after),
        candidates=[t for t in wc.tracks if t.key not in reached], late=None,
        open_track=open_track if open_track is not None and open_track.key not in reached
        else None,
        extra=(f"; the spell from {track.start} ({ids_text(track.event_ids)}) {why}"
               + ("; then the benefit test applies" if comp.benefit_test else "")))
    # the spell and the benefit rows the reason cites
    return replace(line, evidence=(*line.evidence, *sorted(cited - set(line.evidence))))


def _reaching(wc: WorkCount, after: Duration, tracks: Sequence[Track]
              ) -> list[tuple[Reached, Track, Decimal]]:
    """Each of ``tracks`` that reaches ``after``: the day, the spell, the days needed."""
    hits = []
    for track in tracks:
        got = wc.reach(track.parts, partial(needed_days, after))
        if got is not None:
            hits.append((got, track, needed_days(after, got.first_day)))
    return hits


def _earliest(wc: WorkCount, after: Duration, tracks: Sequence[Track]
              ) -> tuple[Reached, Track, Decimal] | None:
    """The first of ``tracks`` to reach ``after``; of those reaching it the same day, the
    earliest begun, then the one running on longest."""
    hits = _reaching(wc, after, tracks)
    return min(hits, key=lambda h: (h[0].on, h[1].start, -h[1].end.toordinal(),
                                    h[1].event_ids)) if hits else None


# a spell reaching a step, the step's line in it, and its benefit test (if one was taken)
_Made = tuple[tuple[Reached, Track, Decimal], Line, "BenefitResult | None"]


def _taken(ctx: CustomerContext, comp: Milestones, wc: WorkCount, step: Milestone,
           lost_note: str) -> _Made | None:
    """The spell a step is paid for, each step on its own (without ``steps_in_one_spell``):
    of the spells that reach it, the one paid first, the earliest whose step is payable and
    of those payable the same day the most paid; with none payable, one that may still be
    paid (pending) before one that cannot; then the earliest to reach it, the earliest begun,
    the first by event ids. So work whose step is not payable (evidence the price table
    does not price, a benefit test not met) never keeps another spell's step from being
    paid: more work never pays less. The spell with its step's line and test, made once."""
    made = [(hit, *_step_line(ctx, comp, wc, step, hit, lost_note))
            for hit in _reaching(wc, step.after, wc.tracks)]
    if len(made) < 2:  # most customers: one spell or none
        return made[0] if made else None
    return min(made, key=_step_rank)


def _step_rank(made: _Made) -> tuple[Any, ...]:
    (got, track, _), line, _ = made
    paid = line.status == "payable"
    # no "runs on longest": it changes as the days go by, and with it the step's evidence
    return (0 if paid else 1 if line.status == "pending" else 2, got.on,
            -line.amount if paid else ZERO, track.start, track.event_ids)


def _ladder_spell(ctx: CustomerContext, comp: Milestones, wc: WorkCount
                  ) -> tuple[Track, bool, bool] | None:
    """``steps_in_one_spell``: the spell every step is counted in, and whether it is sure to
    stay so. Of the spells that reach the first step, the one paid first: the earliest day
    one of its steps is payable, the most paid that day; then one whose first step may still
    be paid before one whose first step is lost, the earliest to reach the first step, the
    one reaching the later steps first, and the earliest begun. A spell paid on a
    day keeps the ladder as later days come (only a correction of the rows moves it); it is
    sure when it is paid and no other, paid as much that day, still runs; paid when one of
    its steps is payable (else another spell paid later takes the ladder). None: no spell has
    reached the first step."""
    # a rank's fourth place is the day the spell reaches the first step (unreached: last)
    ranked = sorted((rank, track) for track in wc.tracks
                    if (rank := _ladder_rank(ctx, comp, wc, track))[3] != date.max)
    if not ranked:
        return None
    (best, spell), rivals = ranked[0], ranked[1:]
    paid = best[0] != date.max
    sure = paid and not any(rank[:2] == best[:2] and wc.joinable(track)
                            for rank, track in rivals)
    return spell, sure, paid


def _ladder_rank(ctx: CustomerContext, comp: Milestones, wc: WorkCount, track: Track
                 ) -> tuple[Any, ...]:
    """``_ladder_spell``'s order of ``track``: (first payable day, minus the amount payable
    that day, whether its first step is lost (not_earned: a pending one may still be paid),
    the day each step is reached (unreached: last), first day, event ids)."""
    reached = [_earliest(wc, s.after, (track,)) for s in comp.steps]
    paid: dict[date, Decimal] = {}
    lost = False
    for step, hit in zip(comp.steps, reached, strict=True):
        line = _step_line(ctx, comp, wc, step, hit, "")[0] if hit is not None else None
        lost = lost or (step is comp.steps[0] and line is not None
                        and line.status == "not_earned")
        if line is not None and line.status == "payable" and line.date is not None:
            paid[line.date] = paid.get(line.date, ZERO) + line.amount
    day = min(paid, default=date.max)
    return (day, -paid.get(day, ZERO), lost,
            *((h[0].on if h is not None else date.max) for h in reached),
            track.start, track.event_ids)


def _unreached_in_spell(ctx: CustomerContext, comp: Milestones, wc: WorkCount,
                        step: Milestone, spell: Track, sure: bool) -> Line:
    """A step after the first, not reached in ``spell``, the spell of the first step
    (``steps_in_one_spell``; ``sure``: no other can take its place): only its work counts;
    another spell that reached the step is named, and why it is not paid."""
    target = partial(needed_days, step.after)
    late = wc.late(spell)
    others = [t for t in wc.tracks if t is not spell]
    elsewhere = _earliest(wc, step.after, others)
    # while the step is awaited: a spell over (not cut by the deadline) can no longer grow
    ended = "" if wc.decided or wc.joinable(spell) else (
        f", which ended on {spell.end - ONE_DAY}" + (": only a correction of its rows could "
                                                     "still reach this step" if sure else ""))
    # said where it bears on the line: other work, or the spell over while it is awaited
    extra = (f"; every step is counted in the spell of the first step, the one from "
             f"{spell.start} ({ids_text(spell.event_ids)}){ended} (steps_in_one_spell)"
             if others or ended else "")
    if elsewhere is not None:
        got, track, _ = elsewhere
        extra += (f"; the spell from {track.start} ({ids_text(track.event_ids)}) reached "
                  f"{step.after} on {got.on}, but it is another spell")
    return unreached_line(
        ctx, comp, wc, occurrence=_step_key(step), amount=step.amount, target=target,
        what=str(step.after), candidates=[spell],
        late=first_late(wc, [late] if late is not None else [], target), open_track=spell,
        extra=extra)


def _step_line(ctx: CustomerContext, comp: Milestones, wc: WorkCount, step: Milestone,
               hit: tuple[Reached, Track, Decimal], lost_note: str
               ) -> tuple[Line, BenefitResult | None]:
    """The line of a step reached in ``hit``'s spell, and its benefit test where one decides
    it (none without a test, or where the step's evidence has no price and the test does not
    fail for every spell)."""
    got, track, need = hit
    key = _step_key(step)
    rests = track.rests(got)
    reason, level, ids = reached_text(ctx, comp.work, rests, got,
                                      duration_text(step.after, need))
    span = Period(got.first_day, got.on + ONE_DAY)
    price = ctx.price(step.amount, level, on=got.on)
    test = None
    if comp.benefit_test is not None:
        assert ctx.service is not None
        test = benefit_test(ctx, comp.benefit_test, ctx.service.start, got.first_day, got.on)
    if price is None:
        if test is not None and test.share is None and test.for_every_spell:
            # no confirmation, and no other spell, can be paid: the months before the
            # service fail the test
            return ctx.line(comp, status="not_earned", occurrence=key, on=got.on,
                            quantity=ONE, unit_price=ZERO, evidence=(*ids, *test.event_ids),
                            period=span, reason=f"{reason}; {test.reason}{lost_note}"), test
        # a test passed or still open is not cited: the price decides
        line = no_price_line(ctx, comp, key, got.on, level, reason, ids, span,
                             amount=step.amount, deadline=wc.deadline)
        return (replace(line, reason=line.reason + lost_note)
                if line.status == "not_earned" else line), None
    if test is None:
        return ctx.line(comp, status="payable", occurrence=key, on=got.on, quantity=ONE,
                        unit_price=price, evidence=ids, period=span, reason=reason), None
    evidence = (*ids, *test.event_ids)
    reason = f"{reason}; {test.reason}"
    if test.share is None:
        return ctx.line(comp, status="not_earned", occurrence=key, on=got.on, quantity=ONE,
                        unit_price=price, evidence=evidence, period=span,
                        reason=reason + lost_note), test
    if test.decided_on is not None:
        return ctx.line(comp, status="pending", occurrence=key, on=test.decided_on,
                        quantity=test.share, unit_price=price, evidence=evidence, period=span,
                        reason=reason), test
    return ctx.line(comp, status="payable", occurrence=key, on=got.on, quantity=test.share,
                    unit_price=price, evidence=evidence, period=span, reason=reason), test


def _sustainment(ctx: CustomerContext, comp: Milestones, wc: WorkCount, sust: Sustainment,
                 last_hit: tuple[Reached, Track, Decimal], waiting: str | None) -> list[Line]:
    if sust.counting == "continuous":
        return _continuous_sustainment(ctx, comp, wc, sust, last_hit, waiting)
    last_step = comp.steps[-1]
    got, track, need = last_hit

    def target(anchor: date, k: int) -> Decimal:
        due = Duration(sust.every.count * k, sust.every.unit).after(
            last_step.after.after(anchor))
        return Decimal((due - anchor).days)

    # sustainment counts further work after the last step, in other spells too: a break
    # after the outcome pauses sustainment rather than ending it (so more work never pays
    # less, whichever spell reached the steps)
    parts = _onward(ctx, sust, track, wc.tracks, got.on + ONE_DAY)
    lines: list[Line] = []
    previous, previous_need = got, need
    for k in range(1, sust.max_count + 1):
        occurrence = f"sustain:{k}"
        k_need = target(track.start, k)
        hit = reach(parts, k_need)
        if hit is None:
            late = wc.late(track)
            # the work counted so far, from the spell of the last step on: still growing if
            # further work may yet join it (the latest spell is open)
            counted_so_far = Track(parts, track.key)
            kth = partial(target, k=k)
            lines.append(unreached_line(
                ctx, comp, wc, occurrence=occurrence, amount=sust.amount, target=kth,
                what=f"{last_step.after} and {k} x {sust.every}",
                candidates=[counted_so_far],
                late=first_late(wc, [late] if late is not None else [], kth),
                open_track=counted_so_far,
                extra=f" (sustainment {k} of {sust.max_count})"))
            break
        span, rests = since(parts, previous, previous_need, hit.on)
        what = (f"{duration_text(last_step.after, need)} plus {k} x {sust.every} "
                f"({count_days(k_need)})")
        reason, level, ids = reached_text(ctx, comp.work, rests, hit, what)
        lines.append(_sustain_line(ctx, comp, wc, sust, k, hit, span, ids, level,
                                   f"{reason} (sustainment {k} of {sust.max_count})", waiting))
        previous, previous_need = hit, k_need
    return lines


def _sustain_line(ctx: CustomerContext, comp: Milestones, wc: WorkCount, sust: Sustainment,
                  k: int, hit: Reached, span: Period, ids: tuple[str, ...], level: str,
                  reason: str, waiting: str | None) -> Line:
    """A sustainment payment reached: payable, pending while the last step is, or waiting
    for a confirmation of evidence the price table lacks."""
    occurrence = f"sustain:{k}"
    price = ctx.price(sust.amount, level, on=hit.on)
    if price is None:
        return no_price_line(ctx, comp, occurrence, hit.on, level, reason, ids, span,
                             amount=sust.amount, deadline=wc.deadline)
    status: Literal["payable", "pending"] = "pending" if waiting is not None else "payable"
    return ctx.line(comp, status=status, occurrence=occurrence, on=hit.on, quantity=ONE,
                    unit_price=price, evidence=ids, period=span,
                    reason=reason + (waiting or ""))


def _onward(ctx: CustomerContext, sust: Sustainment, track: Track, tracks: Sequence[Track],
            after: date) -> tuple[Stretch, ...]:
    """The stretches of ``track`` and, from ``after`` (the day after the last step) on, of
    every other spell, in date order, each day once: a spell running beside it (another
    employer's job) adds the days it leaves uncounted, its gaps included. A day several
    spells cover counts as a day of one spell does (work.py): their hours added, at the
    heaviest kind weight of them, on the evidence of them the sustainment pays most for (each
    qualifies the day on its own), resting on all their jobs; so a job beside, whatever its
    evidence or kind, never lowers a payment."""
    others = [p for t in tracks if t is not track for p in _from(t.parts, after)]
    if not others:  # most customers: one spell
        return track.parts
    pieces = [*track.parts, *others]
    bounds = sorted({d for p in pieces for d in (p.period.start, p.period.end)})
    runs: list[tuple[tuple[int, ...], date, date]] = []  # (the pieces covering), days
    for start, end in pairwise(bounds):
        cover = tuple(i for i, p in enumerate(pieces)
                      if p.period.start <= start and end <= p.period.end)
        if not cover:
            continue
        if runs and runs[-1][0] == cover and runs[-1][2] == start:
            runs[-1] = (cover, runs[-1][1], end)
        else:
            runs.append((cover, start, end))
    return tuple(_day_of(ctx, sust, [pieces[i] for i in cover], Period(a, b))
                 for cover, a, b in runs)


def _day_of(ctx: CustomerContext, sust: Sustainment, cover: Sequence[Stretch], period: Period
            ) -> Stretch:
    """Days the stretches ``cover`` (of several spells) all cover, as one stretch."""
    if len(cover) == 1:
        return cover[0] if cover[0].period == period else cover[0].cut_to(period)

    def paid(p: Stretch) -> tuple[bool, Decimal, int]:
        price = ctx.price(sust.amount, p.evidence, on=period.start)
        return price is None, -(price or ZERO), EVIDENCE_LEVELS.index(p.evidence)

    levels = [p.level_hours for p in cover if p.level_hours]
    return Stretch(period, sum((p.hours for p in cover), ZERO), sum((p.fte for p in cover), ZERO),
                   max(p.exact_weight for p in cover), min(cover, key=paid).evidence,
                   tuple(sorted({i for p in cover for i in p.event_ids})),
                   tuple(sum(h, ZERO) for h in zip(*levels, strict=True)) if levels else ())


def _from(parts: Sequence[Stretch], day: date) -> tuple[Stretch, ...]:
    """The stretches of ``parts`` from ``day`` on (the first one cut to start there)."""
    out = []
    for p in parts:
        if p.period.end <= day:
            continue
        out.append(p if p.period.start >= day else replace(p, period=Period(day, p.period.end)))
    return tuple(out)


def _continuous_sustainment(ctx: CustomerContext, comp: Milestones, wc: WorkCount,
                            sust: Sustainment, last_hit: tuple[Reached, Track, Decimal],
                            waiting: str | None) -> list[Line]:
    """Each payment needs ``every`` of work in one spell, counted from the day after the
    previous payment (the first: after the last step), in whichever spell reaches it first
    (``_first_to_reach``): a break longer than ``max_gap`` or a change of employer ends a
    spell, and the count restarts in another (``_restart`` says where)."""
    got, current, _ = last_hit
    lines: list[Line] = []
    start, lost = got.on + ONE_DAY, ""
    chains: _Chains = {}
    for k in range(1, sust.max_count + 1):
        found = _first_to_reach(ctx, wc, sust, current, start, chains)
        if found is None:
            lines.append(_sustain_unreached(ctx, comp, wc, sust, k,
                                            _awaited(wc, current, start), start))
            break
        hit, parts, spell, passed, beside = found
        if spell is not current:
            lost = _restart(current, spell, parts[0].period.start, hit.on, wc.max_gap,
                            passed[1].start if passed is not None else None, beside)
            current = spell
        if passed is not None:
            lost += _passed_words(passed)
        rests = [p for p in parts if p.period.start <= hit.on]
        need = needed_days(sust.every, parts[0].period.start)
        reason, level, ids = reached_text(
            ctx, comp.work, rests, hit,
            f"{duration_text(sust.every, need)} of continuous work since {parts[0].period.start}")
        reason += f" (sustainment {k} of {sust.max_count}){lost}"
        line = _sustain_line(ctx, comp, wc, sust, k, hit,
                             Period(parts[0].period.start, hit.on + ONE_DAY), ids, level,
                             reason, waiting)
        if line.status == "not_earned" and not wc.decided:
            # reached only on evidence no confirmation can price: a spell may still reach it
            # while the deadline is ahead
            lines.append(_sustain_elsewhere(ctx, comp, wc, sust, k, start, hit, spell, level,
                                            chains))
            break
        lines.append(line)
        if line.status == "pending" and ctx.price(sust.amount, level, on=hit.on) is None:
            # waiting for a confirmation: a spell priced may take it later (ranked first),
            # and the payments after it are counted from where it is paid
            break
        start, lost = hit.on + ONE_DAY, ""
    return lines


def _sustain_elsewhere(ctx: CustomerContext, comp: Milestones, wc: WorkCount,
                       sust: Sustainment, k: int, start: date, hit: Reached, spell: Track,
                       level: str, chains: _Chains) -> Line:
    """A continuous sustainment payment reached, from ``start``, only on evidence the price
    table does not price and no confirmation can (``spell``'s, on ``hit.on``), while the
    deadline is ahead: pending, for a spell may still reach it and be paid (another, or one
    going on after the reach it passed over); the payments after it wait for it."""
    target = partial(needed_days, sust.every)
    others: list[tuple[Track, Track, date | None]] = []
    restarts: tuple[Track, date] | None = None  # a spell passed over today, going on
    for track in wc.tracks:
        # each spell's work since the last reach it passed over (``_chain``)
        passed_over = _chain(ctx, sust, _from(track.parts, start), track.key, chains)
        last = passed_over[-1].hit.on if passed_over else None
        parts = _from(track.parts, last + ONE_DAY if last is not None else start)
        if parts:
            others.append((track, Track(parts, track.key), last))
        elif last is not None and wc.continuous and wc.goes_on(track):
            restarts = track, last  # counted again from tomorrow
    still_open = next((so_far for track, so_far, _ in reversed(others)
                       if wc.joinable(track)), None)
    if still_open is not None:
        restarts = None
    # the work so far counted from the day after a later reach passed over: say so
    again = restarts[1] if restarts is not None else next(
        (last for _, so_far, last in others if so_far is still_open and last is not None),
        None)
    again = again if again != hit.on else None
    line = unreached_line(
        ctx, comp, wc, occurrence=f"sustain:{k}", amount=sust.amount, target=target,
        what=f"{sust.every} of continuous work", candidates=[t for _, t, _ in others],
        late=None, open_track=still_open,
        restarts=restarts[0] if restarts is not None else None,
        extra=(f" (sustainment {k} of {sust.max_count}); the spell from {spell.start} "
               f"({ids_text(spell.event_ids)}) reached it on {hit.on}, but on evidence "
               f"'{level}', which the price table does not price"
               + (f"; counted again from the day after each reach not priced, the last on "
                  f"{again}" if again is not None else "")))
    cited = sorted(set(spell.event_ids) - set(line.evidence))
    return replace(line, evidence=(*line.evidence, *cited))


# the next continuous sustainment payment: the day, the days it rests on, the spell, and a
# spell not priced that reached it earlier (where it did, on what evidence), if any, and
# whether the current spell reached it the same day (and is paid less)
_Next = tuple[Reached, tuple[Stretch, ...], Track, tuple[Reached, Track, str] | None, bool]


def _first_to_reach(ctx: CustomerContext, wc: WorkCount, sust: Sustainment, current: Track,
                    start: date, chains: _Chains) -> _Next | None:
    """The next continuous sustainment payment: ``every`` of work in one spell from
    ``start`` (the day after the previous payment, or a later spell's first day), in the spell
    that reaches it first; a spell whose evidence the price table prices before one it does
    not, even one reaching it earlier, so work not priced never keeps a priced payment
    unpaid (and of those not priced, one a confirmation may still price first); of those
    reaching it the same day, the one paid most, then the current one, the earliest begun,
    the first by event ids."""
    hits = [h for spell in (current, *(t for t in wc.tracks if t is not current))
            for h in _reaches(ctx, sust, spell, start, spell is current, chains)]
    if not hits:
        return None
    best = min(hits, key=attrgetter("rank"))
    # a spell not priced that reached it before the one taken: said in the reason
    passed = min((h for h in hits if h.unpriced and h.hit.on < best.hit.on),
                 key=attrgetter("rank"), default=None)
    # the current spell reached it the same day, and is paid less
    beside = best.spell is not current and any(
        h.spell is current and (h.unpriced, h.hit.on) == (best.unpriced, best.hit.on)
        for h in hits)
    return (best.hit, best.parts, best.spell,
            (passed.hit, passed.spell, passed.level) if passed is not None else None, beside)


def _reaches(ctx: CustomerContext, sust: Sustainment, spell: Track, start: date,
             current: bool, chains: _Chains) -> list[_Reach]:
    """``spell``'s reaches of the next continuous sustainment payment from ``start``
    (``_chain``), ranked."""
    return [_Reach((t.price is None, t.lost, t.hit.on, -(t.price or ZERO), not current,
                    spell.start, spell.event_ids), t.hit, t.parts, spell, t.level)
            for t in _chain(ctx, sust, _from(spell.parts, start), spell.key, chains)]


class _Try(NamedTuple):
    """One spell's reach of a continuous sustainment payment: the day, the days counted from
    the day it is counted from, their evidence, its price (None: not priced), and whether no
    confirmation can price it."""

    hit: Reached
    parts: tuple[Stretch, ...]
    level: str
    price: Decimal | None
    lost: bool


# the reaches counted from one day in one spell (its key, the first day counted)
_Chains = dict[tuple[str, date], tuple[_Try, ...]]


def _chain(ctx: CustomerContext, sust: Sustainment, parts: tuple[Stretch, ...], key: str,
           chains: _Chains) -> tuple[_Try, ...]:
    """The reaches of a continuous sustainment payment in ``parts``, one spell's work from the
    day it is counted from. One on evidence the price table does not price and no
    confirmation can does not use the payment up: the count goes on from the day after, in
    the same spell, until a reach is priced or may be (or none is left), so one job's later
    confirmed weeks are paid. Each is made once for all the payments (``chains``): a payment
    counted from the day after a reach passed over finds the rest of the same chain."""
    made: list[tuple[tuple[str, date], _Try]] = []
    rest: tuple[_Try, ...] = ()
    while parts:
        memo = (key, parts[0].period.start)
        if (known := chains.get(memo)) is not None:
            rest = known
            break
        hit = reach(parts, needed_days(sust.every, parts[0].period.start))
        if hit is None:
            chains[memo] = ()
            break
        level, _ = reached_evidence([p for p in parts if p.period.start <= hit.on], hit)
        price = ctx.price(sust.amount, level, on=hit.on)
        # not priced: one a confirmation may still price before one none can
        lost = price is None and not confirmations(ctx, sust.amount, level)
        made.append((memo, _Try(hit, parts, level, price, lost)))
        if not lost:
            break
        parts = _from(parts, hit.on + ONE_DAY)
    for memo, one in reversed(made):
        rest = (one, *rest)
        chains[memo] = rest
    return rest


class _Reach(NamedTuple):
    """A spell reaching the next continuous sustainment payment, and its place in the order
    ``_first_to_reach`` takes them in (not priced last, none confirmable last, day, most paid,
    current, start, ids)."""

    rank: tuple[Any, ...]
    hit: Reached
    parts: tuple[Stretch, ...]
    spell: Track
    level: str

    @property
    def unpriced(self) -> bool:
        return bool(self.rank[0])


def _awaited(wc: WorkCount, current: Track, start: date) -> Track:
    """The spell the next continuous sustainment payment is awaited in: the current one while
    it can still go on, else the latest that can, else the latest with work from ``start``
    (its late days say when it was reached after the deadline), else the current one."""
    if wc.joinable(current):
        return current
    after = [t for t in wc.tracks if _from(t.parts, start)]
    going = [t for t in after if wc.joinable(t)] or after
    return going[-1] if going else current


def _passed_words(passed: tuple[Reached, Track, str]) -> str:
    """Why a continuous sustainment payment reached earlier in another spell is not its."""
    got, spell, level = passed
    return (f"; the spell from {spell.start} ({ids_text(spell.event_ids)}) reached it earlier, "
            f"on {got.on}, but on evidence '{level}', which the price table does not price")


def _restart(ended: Track, spell: Track, day: date, reached: date, max_gap: Duration | None,
             passed: date | None, beside: bool) -> str:
    """The words for continuous sustainment counted in ``spell`` from ``day`` instead of in
    ``ended``, the spell of the payment before (reached on ``reached``): after a break longer
    than ``max_gap``; after the earlier spell ended (another employer's job beside it or right
    after it); or beside it, still running, reaching the payment first. ``passed``: the first
    day of a spell on evidence not priced that reached the payment earlier (the caller says
    which): this spell did not reach it first, and when that one began within ``max_gap``
    work went on, so no break is said. ``beside``: ``ended`` reached it the same day (this
    one is paid more), so neither reached it first."""
    allowed = max_gap.after(ended.end) if max_gap is not None else ended.end
    if spell.start > allowed and (passed is None or passed > allowed):
        return (f"; counted from {spell.start}, when work began again after a break longer "
                f"than allowed ended the spell on {ended.end - ONE_DAY}")
    if ended.end <= reached:
        return (f"; counted from {day} in the spell from {spell.start} "
                f"({ids_text(spell.event_ids)}), after the spell from {ended.start} ended "
                f"on {ended.end - ONE_DAY}")
    if passed is not None or beside:
        return f"; counted from {day} in the spell from {spell.start} ({ids_text(spell.event_ids)})"
    return (f"; counted from {day} in the spell from {spell.start} "
            f"({ids_text(spell.event_ids)}), which reached it first")


def _sustain_unreached(ctx: CustomerContext, comp: Milestones, wc: WorkCount,
                       sust: Sustainment, k: int, last: Track, start: date) -> Line:
    """The next continuous sustainment payment, not reached: the work of the latest spell
    since ``start`` is its open track while a job starting tomorrow could still join it."""
    parts = _from(last.parts, start)
    so_far = Track(parts, last.key) if parts else None
    still_open = so_far if wc.joinable(last) else None
    # reached today, the spell going on: the count starts again in it tomorrow
    restarts = last if not parts and wc.continuous and wc.goes_on(last) else None
    late = wc.late(last)
    late_parts = _from(late.parts, start) if late is not None else ()
    target = partial(needed_days, sust.every)
    return unreached_line(
        ctx, comp, wc, occurrence=f"sustain:{k}", amount=sust.amount, target=target,
        what=f"{sust.every} of continuous work",
        candidates=[so_far] if so_far is not None else [],
        late=first_late(wc, [Track(late_parts, last.key)] if late_parts else [], target),
        open_track=still_open, extra=f" (sustainment {k} of {sust.max_count})",
        restarts=restarts)


# --- benefit test --------------------------------------------------------------------------

def benefit_test_checks(bt: BenefitTest, site: Site) -> list[Problem]:
    """The keys of a benefit test that need or exclude each other."""
    out = []
    if (bt.partial_fall is None) != (bt.partial_share is None):
        out.append(site.err("C217", "benefit_test needs both partial_fall and "
                            "partial_share, or neither", "benefit_test"))
    if bt.partial_fall is not None and bt.partial_fall >= bt.full_fall:
        out.append(site.err("C219", "benefit_test.partial_fall must be below "
                            "full_fall", "benefit_test", "partial_fall"))
    if bt.against == "baseline" and bt.baseline is None:
        out.append(site.err("C217", "benefit_test needs a baseline (the period before the "
                            "service compared with), or against: period_days",
                            "benefit_test"))
    if bt.against == "period_days":
        if bt.measure != "days":
            out.append(site.err("C218", "against: period_days compares benefit days with "
                                "the days of the period: it needs measure: days",
                                "benefit_test", "against"))
        if bt.compare != "outcome_period":
            out.append(site.err("C218", "against: period_days measures the months of the "
                                "outcome: it needs compare: outcome_period", "benefit_test",
                                "against"))
        for key in ("baseline", "zero_baseline"):
            if key in bt.model_fields_set:
                out.append(site.err("C218", f"{key} is not used with against: period_days, "
                                    "which has no baseline", "benefit_test", key))
    return out


@dataclass(frozen=True)
class BenefitResult:
    share: Decimal | None  # 1 (full), the partial share, or None (not earned)
    reason: str
    event_ids: tuple[str, ...]
    # not decided yet: the day the last compared month ends (``share`` is then the best
    # outcome still possible)
    decided_on: date | None = None
    # not earned on the months before the service alone: no spell can pass the test
    for_every_spell: bool = False


@dataclass(frozen=True)
class _Side:
    months: tuple[Period, ...]  # the calendar months compared
    total: Decimal
    measured: int  # months measured (with rows giving the measure, or no row at all)
    skipped: tuple[str, ...]  # months whose rows lack the measure
    missing: tuple[str, ...]  # months already ended with no row (counted as 0)
    event_ids: tuple[str, ...]
    days: int = 0  # the days of the months measured


def _whole_months(period: Period) -> list[Period]:
    return [m for m in calendar_months(period)
            if m.start >= period.start and m.end <= period.end]


def _side(rows: Sequence[Benefit], months: Sequence[Period], measure: str, as_of: date
          ) -> _Side:
    total = ZERO
    measured = days = 0
    skipped: list[str] = []
    missing: list[str] = []
    ids: list[str] = []
    for month in months:
        inside = [r for r in rows if r.date in month]
        values = [getattr(r, measure) for r in inside]
        if any(v is None for v in values):
            skipped.append(f"{month.start:%Y-%m}")
            continue
        measured += 1
        days += month.days
        if not inside and as_of >= month.last_day:
            missing.append(f"{month.start:%Y-%m}")
        total += sum((Decimal(v) for v in values), ZERO)
        ids.extend(r.event_id for r in inside)
    return _Side(tuple(months), total, measured, tuple(skipped), tuple(missing), tuple(ids),
                 days)


def _months_text(side: _Side) -> str:
    if not side.months:
        return "no whole month"
    first, last = f"{side.months[0].start:%Y-%m}", f"{side.months[-1].start:%Y-%m}"
    return first if first == last else f"{first}..{last}"


def _per_month(side: _Side, measure: str) -> str:
    if side.measured == 0:
        return "-"
    value = side.total / side.measured
    if measure == "amount":
        return money_text(value)
    return num(value.quantize(Decimal("0.1"))) + " days"


def outcome_months(spell_start: date, day: date) -> list[Period]:
    """``compare: outcome_period``: the calendar months from the first month beginning on or
    after the spell's first day through the month holding the step's day; the step day's month
    alone when no month begins in between (a month that began before the spell holds benefit
    paid before the job)."""
    first = spell_start if spell_start.day == 1 else (
        spell_start.replace(day=1) + relativedelta(months=1))
    first = min(first, day.replace(day=1))
    return list(calendar_months(Period(first, day + ONE_DAY)))


@dataclass(frozen=True)
class _Compared:
    """The two sides of a benefit test and how to say them."""

    base: _Side | None  # the baseline before the service; None: against the period's days
    during: _Side
    where: str  # the months compared, in words
    decided_on: date | None  # the last compared month is still running: decided then
    note: str  # months left out or counted as 0

    @property
    def ids(self) -> tuple[str, ...]:
        return (*(self.base.event_ids if self.base else ()), *self.during.event_ids)

    @property
    def reference(self) -> tuple[Decimal, int]:
        """(total, months) the benefit during is measured against: the baseline's, or (the
        period's days) the days of the measured months, spread over the same months."""
        if self.base is not None:
            return self.base.total, self.base.measured
        return Decimal(self.during.days), self.during.measured


def _compare(ctx: CustomerContext, test: BenefitTest, service_start: date, spell_start: date,
             day: date) -> _Compared:
    rows = ctx.timeline.benefits
    as_of = ctx.as_of
    base = None
    if test.against == "baseline":
        assert test.baseline is not None
        base = _side(rows, _whole_months(Period(test.baseline.before(service_start),
                                                service_start)), test.measure, as_of)
    if test.compare == "outcome_period":
        during = _side(rows, outcome_months(spell_start, day), test.measure, as_of)
        where = (f"the outcome month{'s' if len(during.months) > 1 else ''} "
                 f"{_months_text(during)}")
    else:
        assert test.baseline is not None  # rolling months are as long as the baseline
        end = day + ONE_DAY
        during = _side(rows, _whole_months(Period(test.baseline.before(end), end)),
                       test.measure, as_of)
        where = _months_text(during)
    decided_on = (during.months[-1].last_day
                  if during.months and as_of < during.months[-1].last_day else None)
    notes = []
    sides = (during,) if base is None else (base, during)
    skipped = sorted({m for side in sides for m in side.skipped})
    missing = sorted({m for side in sides for m in side.missing})
    if skipped:
        notes.append(f"left out, no {test.measure} given: {', '.join(skipped)}")
    if missing:
        notes.append(f"no benefit row for {', '.join(missing)}: counted as 0")
    return _Compared(base, during, where, decided_on,
                     f" ({'; '.join(notes)})" if notes else "")


def benefit_test(ctx: CustomerContext, test: BenefitTest, service_start: date,
                 spell_start: date, day: date) -> BenefitResult:
    """Compare the benefit before the service (or the days of the period) with the benefit
    at the step (see module)."""
    c = _compare(ctx, test, service_start, spell_start, day)
    base, during, decided_on, ids = c.base, c.during, c.decided_on, c.ids
    if (base is not None and base.measured == 0) or during.measured == 0:
        empty = "baseline" if base is not None and base.measured == 0 else "comparison"
        return BenefitResult(None, f"benefit test cannot be measured: no whole calendar month "
                             f"of benefit data in the {empty} period{c.note}", ids,
                             for_every_spell=empty == "baseline")
    so_far = " so far" if decided_on is not None else ""
    if base is None:
        compared = (f"benefit paid on {num(during.total)}{so_far} of the {during.days} days "
                    f"of {c.where}{c.note}")
    else:
        compared = (f"benefit {test.measure} a month {_per_month(base, test.measure)} in "
                    f"{_months_text(base)} before the service, "
                    f"{_per_month(during, test.measure)}{so_far} in {c.where}{c.note}")
    wait = ""
    if decided_on is not None:
        wait = (f"; decided once {during.months[-1].start:%Y-%m} has ended, on {decided_on} "
                "(benefit still to come can only lower the fall)")
    if base is not None and base.total == 0:
        full, why = zero_baseline_text(test.zero_baseline, during.total == 0)
        if not full:
            return BenefitResult(None, f"{compared}: {why}", ids, for_every_spell=not
                                 zero_baseline_text(test.zero_baseline, True)[0])
        what = "a full outcome so far" if decided_on is not None else "counted as a full fall"
        return BenefitResult(ONE, f"{compared}: {why}, {what}{wait}", ids, decided_on)
    return _verdict(test, c, compared, wait)


def _verdict(test: BenefitTest, c: _Compared, compared: str, wait: str) -> BenefitResult:
    during, decided_on, ids = c.during, c.decided_on, c.ids
    ref_total, ref_months = c.reference

    # fall >= f  <=>  during / n_d <= (1 - f) * ref / n_r  <=>  D * n_r <= (1 - f) * R * n_d
    def falls(by: Decimal) -> bool:
        return during.total * ref_months <= (ONE - by) * ref_total * during.measured

    fall = ONE - (during.total * ref_months) / (ref_total * during.measured)
    shown = f"{num((fall * 100).quantize(Decimal('0.1')))} %" + (
        " so far" if decided_on is not None else "")
    fell, short = ((f"fell {shown}", f"fell only {shown}") if c.base is not None else
                   (f"no benefit on {shown} of the days",
                    f"no benefit on only {shown} of the days"))
    if falls(test.full_fall):
        return BenefitResult(ONE, f"{compared}: {fell}, at least the "
                             f"{num(test.full_fall * 100)} % for a full outcome{wait}", ids,
                             decided_on)
    if test.partial_fall is not None and test.partial_share is not None \
            and falls(test.partial_fall):
        best = ", at best" if decided_on is not None else ""
        return BenefitResult(test.partial_share,
                             f"{compared}: {fell}, at least the "
                             f"{num(test.partial_fall * 100)} % for a partial outcome "
                             f"({num(test.partial_share * 100)} % of the amount){best}{wait}",
                             ids, decided_on)
    need = test.partial_fall if test.partial_fall is not None else test.full_fall
    lost = (", and benefit still to come can only lower the fall, so it can no longer be "
            "earned") if decided_on is not None else ""
    return BenefitResult(None, f"{compared}: {short}, less than the "
                         f"{num(need * 100)} % needed{lost}", ids)


def _deadline(comp: Milestones, ctx: CustomerContext) -> date | None:
    found = ctx.deadline(comp.window, comp.reach_by, reach_within=comp.reach_within)
    return found.last_day if found is not None else None


KIND = CustomerKind(Milestones, evaluate, deadline=_deadline,
                    reads=frozenset({"employment", "benefit"}))
