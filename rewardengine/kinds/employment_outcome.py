"""employment_outcome: a fee when qualifying work reaches a minimum duration.

The Finnish "90 days at 80 % of full time" result fee, the Omavalmentaja employment fee and the
UK job outcome are all this kind. Rules (documented in docs/contract-language.md):

* Days count from the service start to the deadline (``ctx.deadline``: the end of ``window``
  plus grace, or an earlier ``reach_by`` / ``outcomes_until``), never before the service start.
  With ``requires_active_service`` only days inside the service count, whatever ``window`` says.
* A day counts when the work active that day qualifies (``work``: hours and/or FTE summed over
  overlapping jobs, kinds at their weights); see rewardengine/work.py.
* ``continuous``: each spell (stretches joined across gaps of at most ``max_gap``) must reach
  ``min_duration`` on its own; a month duration is counted from the spell's first day.
  ``cumulative``: all counted days are summed; months are counted from the first counted day,
  and the k-th outcome needs k times ``min_duration`` (from that same anchor).
* Occurrences: ``spell:<id>`` for continuous counting, where ``<id>`` is the job active on the
  spell's first counted day that started first (then the lowest id), so a corrected end date
  keeps the occurrence and a voided job drops its line; ``n1``, ``n2``, ... for cumulative
  counting (also with ``max_times: 1``). A pending or lost next outcome of continuous counting
  with no spell under way is ``next``.
* The price depends on the outcome's evidence: the weakest over the days it rests on (for a
  further cumulative outcome: the days since the previous one). An evidence level the price
  table lacks does not use up one of ``max_times``; it is pending while the deadline is ahead
  and a stronger level is priced (a later-recorded confirmation would make it payable; shown
  at the price of the strongest evidence), else not_earned at 0.00. While it is pending, the
  next unreached outcome is listed only if ``max_times`` leaves room for both.
* A continuous spell beyond ``max_times`` is not_earned with quantity 0: the contract never
  offered it, so nothing is forgone.
* Not reached with the deadline ahead: pending, priced at the evidence of the work so far (the
  strongest priced level when there is none, or when that level is not priced). Not reached
  when the deadline has passed: not_earned, with when it would have been reached (ignoring the
  deadline) or how much was missing, and the jobs that did not qualify.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import Field

from ..contract.model import (
    ComponentBase,
    Counting,
    DurationThreshold,
    OutcomeWindow,
    Path,
    Price,
    PriceTable,
    QualifyingWork,
    Threshold,
    WorkRules,
)
from ..evaluate.context import CustomerContext
from ..evaluate.lines import Line
from ..evaluate.trace import Trace
from ..periods import ONE_DAY, Period
from ..values import Duration, DurationField, IsoDate, WholeNumber
from ..work import Reached, needed_days, reach
from .base import CustomerKind, Outcome
from .employment_common import (
    ONE,
    ZERO,
    Track,
    WorkCount,
    count_work,
    criteria_text,
    duration_text,
    no_price_line,
    not_started_line,
    outcome_work_rules,
    reached_text,
    since,
    times_text,
    unpriced_line,
    unreached_line,
    work_trace,
)


class EmploymentOutcome(ComponentBase):
    kind: Literal["employment_outcome"]
    work: QualifyingWork = Field(default_factory=QualifyingWork)
    min_duration: DurationField
    counting: Literal["continuous", "cumulative"] = "continuous"
    max_gap: DurationField | None = None
    window: OutcomeWindow = "service_and_follow_up"
    reach_by: IsoDate | None = None
    amount: Price
    max_times: WholeNumber = Field(default=1, ge=1)
    requires_active_service: bool = False

    def price_tables(self) -> list[PriceTable]:
        return [PriceTable(("amount",), self.amount, "fee", "fee", by_evidence=True),
                *super().price_tables()]

    def work_rules(self) -> WorkRules | None:
        return outcome_work_rules(self.work)

    def counting_window(self) -> Counting | None:
        return "active_service" if self.requires_active_service else self.window

    def counting_window_path(self) -> Path:
        return ("requires_active_service",) if self.requires_active_service else ("window",)

    def deadline_date(self) -> date | None:
        return self.reach_by

    def thresholds(self) -> list[Threshold]:
        return [DurationThreshold(self.min_duration, self.name, ("min_duration",))]


def evaluate(comp: EmploymentOutcome, ctx: CustomerContext, prior: Sequence[Line]) -> Outcome:
    continuous = comp.counting == "continuous"
    first_occurrence = "next" if continuous else "n1"
    if ctx.price(comp.amount) is None:
        return Outcome([unpriced_line(ctx, comp, first_occurrence)])
    wc = count_work(ctx, comp.work, comp.counting, comp.max_gap, comp.window, comp.reach_by,
                    comp.requires_active_service)
    if wc is None:
        return Outcome([not_started_line(ctx, comp, first_occurrence, comp.amount)],
                       Trace((f"counting {criteria_text(comp.work)}, {comp.counting}: no "
                              "service start yet",)))
    lines = _continuous(ctx, comp, wc) if continuous else _cumulative(ctx, comp, wc)
    return Outcome(lines, work_trace(wc))


def _continuous(ctx: CustomerContext, comp: EmploymentOutcome, wc: WorkCount) -> list[Line]:
    hits: list[tuple[Reached, Track, Decimal]] = []
    for track in wc.tracks:
        need = needed_days(comp.min_duration, track.start)
        got = reach(track.parts, need)
        if got is not None:
            hits.append((got, track, need))
    hits.sort(key=lambda h: (h[0].on, h[1].key))
    lines: list[Line] = []
    paid = 0
    waiting = 0  # reached on unpriced evidence, pending a confirmation
    for got, track, need in hits:
        rests = [p for p in track.parts if p.period.start <= got.on]
        what = duration_text(comp.min_duration, need)
        reason, level, ids = reached_text(ctx, comp.work, rests, got, what)
        span = Period(track.start, got.on + ONE_DAY)
        price = ctx.price(comp.amount, level)
        if price is None:
            line = no_price_line(ctx, comp, track.key, got.on, level, reason, ids, span,
                                 amount=comp.amount, deadline=wc.deadline)
            waiting += line.status == "pending"
            lines.append(line)
            continue
        if paid >= comp.max_times:
            # the contract never offered this one: nothing is forgone (quantity 0)
            lines.append(ctx.line(
                comp, status="not_earned", occurrence=track.key, on=got.on, quantity=ZERO,
                unit_price=price, evidence=ids, period=span,
                reason=f"{reason}; but the fee is paid at most {times_text(comp.max_times)}"))
            continue
        paid += 1
        lines.append(ctx.line(comp, status="payable", occurrence=track.key, on=got.on,
                              quantity=ONE, unit_price=price, evidence=ids, period=span,
                              reason=reason))
    # the next outcome is shown unless the paid ones and those awaiting a confirmation
    # already fill max_times (it would count the same fee twice)
    if paid + waiting < comp.max_times:
        reached = {h[1].key for h in hits}
        open_track = wc.open_track()
        if open_track is not None and open_track.key in reached:
            open_track = None
        candidates = [t for t in wc.tracks if t.key not in reached]
        late = [t for t in wc.late_tracks if t.key not in reached]
        if wc.decided:
            best = max(candidates, key=lambda t: (t.days, t.start), default=None)
            late_hit = _first_late(late, comp.min_duration, wc.deadline.last_day)
            chosen = late_hit or best
            occurrence = chosen.key if chosen is not None else "next"
        else:
            occurrence = open_track.key if open_track is not None else "next"
        if all(ln.occurrence != occurrence for ln in lines):
            lines.append(unreached_line(
                ctx, comp, wc, occurrence=occurrence, amount=comp.amount,
                target=lambda anchor: needed_days(comp.min_duration, anchor),
                what=str(comp.min_duration), candidates=candidates, late_candidates=late,
                open_track=open_track))
    return lines


def _first_late(tracks: Sequence[Track], duration: Duration, last_day: date) -> Track | None:
    hits = []
    for track in tracks:
        got = reach(track.parts, needed_days(duration, track.start))
        if got is not None and got.on > last_day:
            hits.append((got.on, track))
    return min(hits, key=lambda h: h[0])[1] if hits else None


def _cumulative(ctx: CustomerContext, comp: EmploymentOutcome, wc: WorkCount) -> list[Line]:
    track = wc.tracks[0] if wc.tracks else None
    lines: list[Line] = []
    previous: Reached | None = None
    previous_need = ZERO
    k = 1
    paid = 0
    waiting = 0  # reached on unpriced evidence, pending a confirmation
    while track is not None and paid < comp.max_times:
        total = Duration(comp.min_duration.count * k, comp.min_duration.unit)
        need = needed_days(total, track.start)
        got = reach(track.parts, need)
        if got is None:
            break
        span, rests = since(track.parts, previous, previous_need, got.on)
        what = duration_text(total, need) + " in total"
        reason, level, ids = reached_text(ctx, comp.work, rests, got, what)
        price = ctx.price(comp.amount, level)
        occurrence = f"n{k}"
        if price is None:
            line = no_price_line(ctx, comp, occurrence, got.on, level, reason, ids, span,
                                 amount=comp.amount, deadline=wc.deadline)
            waiting += line.status == "pending"
            lines.append(line)
        else:
            paid += 1
            lines.append(ctx.line(comp, status="payable", occurrence=occurrence, on=got.on,
                                  quantity=ONE, unit_price=price, evidence=ids, period=span,
                                  reason=reason))
        previous, previous_need = got, need
        k += 1
    if paid + waiting < comp.max_times:
        def target(anchor: date, k: int = k) -> Decimal:
            first = track.start if track is not None else anchor
            return needed_days(Duration(comp.min_duration.count * k, comp.min_duration.unit),
                               first)

        late = list(wc.late_tracks)
        lines.append(unreached_line(
            ctx, comp, wc, occurrence=f"n{k}", amount=comp.amount, target=target,
            what=f"{Duration(comp.min_duration.count * k, comp.min_duration.unit)} in total",
            candidates=list(wc.tracks), late_candidates=late, open_track=track))
    return lines


KIND = CustomerKind(EmploymentOutcome, evaluate)
