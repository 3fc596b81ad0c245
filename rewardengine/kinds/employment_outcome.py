"""employment_outcome: a fee when qualifying work reaches a minimum duration.

The Finnish "90 days at 80 % of full time" result fee, the Omavalmentaja employment fee, the UK
job outcome and the Australian "12 consecutive weeks averaging 15 hours" outcome are all this
kind. Rules (documented in docs/contract-language.md):

* Days count from the service start to the deadline (``ctx.deadline``: the end of ``window``
  plus grace, or an earlier ``reach_by`` / ``reach_within`` / ``outcomes_until``), never
  before the service start.
  With ``requires_active_service`` only days inside the service count, whatever ``window`` says.
* A day counts when the work active that day qualifies (``work``: hours and/or FTE summed over
  overlapping jobs, kinds at their weights); see rewardengine/work.py. The outcome work rules
  (``work.starts_within``, ``work.min_agreed_length``, ``work.one_employer``,
  ``work.average_hours_per_week``) are in kinds/employment_common.py.
* ``continuous``: each spell (stretches joined across gaps of at most ``max_gap``) must reach
  ``min_duration`` on its own; a month duration is counted from the spell's first day (with
  hours on average, from the first day of the window averaged).
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
* Graded prices (continuous counting only). A price table by employment kind counts each kind
  on its own: a day counts for a kind when that kind's jobs qualify it alone, and spells of
  different kinds never join. ``bands`` price the outcome by the extent of its work: a band's
  days are those at or above its lower bound, so the spells of a higher band lie inside those
  of a lower one; an outcome is in the band whose range holds the least extent of the days it
  rests on (one at or above the band's upper bound is not in it). Each kind and band is a
  *grade* with its own spells, and occurrence ``spell:<id>:<grade>``. Outcomes of spells that
  share a day are one outcome (one employment): it is paid at the grade reached first, and a
  better-priced grade reached later pays the difference (an upgrade line).
* ``max_times``: outcomes are paid in the order they are reached, up to ``max_times``; a
  further one is not_earned with quantity 0 (the contract never offered it, nothing is
  forgone) — unless ``top_up``: then an outcome priced above the least paid one pays the
  difference, and takes its place. So with ``max_times: 1`` and ``top_up`` the customer's one
  outcome is paid at the best price reached.
* Not reached with the deadline ahead: pending, priced at the evidence of the work so far (the
  strongest priced level when there is none, or when that level is not priced). Not reached
  when the deadline has passed: not_earned, with when it would have been reached (ignoring the
  deadline) or how much was missing, and the jobs that did not qualify.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any, Literal, NamedTuple

from pydantic import Field

from ..contract.model import (
    EMPLOYMENT_KINDS,
    ComponentBase,
    ContractBase,
    Counting,
    DurationThreshold,
    Identifier,
    OutcomeWindow,
    Path,
    Price,
    PriceTable,
    Site,
    Strict,
    Threshold,
    WorkRules,
    most_of,
    price_leaves,
)
from ..errors import Problem
from ..evaluate.context import CustomerContext
from ..evaluate.lines import Line
from ..evaluate.trace import Step, Trace
from ..periods import ONE_DAY, Period
from ..values import (
    Duration,
    DurationField,
    Fraction,
    IsoDate,
    LengthField,
    Quantity,
    WholeNumber,
    money_text,
    once,
    once_for,
)
from ..work import Reached, Stretch, needed_days, reach
from .base import CustomerKind, Outcome
from .employment_common import (
    ONE,
    ZERO,
    Grade,
    OutcomeWork,
    Track,
    WorkCount,
    average_step,
    count_work,
    criteria_text,
    duration_text,
    first_late,
    fte_text,
    no_price_line,
    not_started_line,
    num,
    outcome_work_rules,
    reached_evidence,
    reached_text,
    rules_text,
    since,
    times_text,
    track_steps,
    unpriced_line,
    unreached_line,
    work_checks,
    work_trace,
)


class ExtentBand(Strict):
    """An extent band: the outcome's work from ``min_*`` up to (not including) ``max_*``,
    in FTE or in hours a week, priced by ``amount``."""

    id: Identifier
    min_fte: Fraction | None = None
    max_fte: Fraction | None = None
    min_hours_per_week: Quantity | None = None
    max_hours_per_week: Quantity | None = None
    amount: Price

    def bounds(self) -> tuple[str, Decimal | None, Decimal | None]:
        """(measure, lower bound, upper bound): measure ``fte`` or ``hours``."""
        if self.min_hours_per_week is not None or self.max_hours_per_week is not None:
            return "hours", self.min_hours_per_week, self.max_hours_per_week
        return "fte", self.min_fte, self.max_fte

    def words(self) -> str:
        """ "band part_time (0.50 to below 0.80 FTE)" """
        measure, low, high = self.bounds()

        def shown(v: Decimal) -> str:
            return fte_text(v) if measure == "fte" else num(v)

        unit = "FTE" if measure == "fte" else "h/week"
        if high is None:
            return f"band {self.id} ({shown(low or ZERO)} {unit} or more)"
        return f"band {self.id} ({shown(low or ZERO)} to below {shown(high)} {unit})"


class EmploymentOutcome(ComponentBase):
    kind: Literal["employment_outcome"]
    work: OutcomeWork = Field(default_factory=OutcomeWork)
    min_duration: LengthField
    counting: Literal["continuous", "cumulative"] = "continuous"
    max_gap: DurationField | None = None
    window: OutcomeWindow = "service_and_follow_up"
    reach_by: IsoDate | None = None
    reach_within: LengthField | None = Field(
        default=None, description="the outcome must be reached within this time of the "
                                  "service start (its first day counted), e.g. '6 months'")
    amount: Price | None = None
    bands: list[ExtentBand] | None = Field(
        default=None, min_length=1,
        description="price the outcome by the extent of its work, in place of amount")
    max_times: WholeNumber = Field(default=1, ge=1)
    top_up: bool = Field(
        default=False, description="beyond max_times, an outcome priced higher than the least "
                                   "paid one pays the difference")
    requires_active_service: bool = False
    another_employer_each_time: bool = Field(
        default=False, description="an outcome after the first is paid only with another "
                                   "employer than the outcome paid before it (work.one_employer)")

    def price_tables(self) -> list[PriceTable]:
        kinds = tuple(k for k in EMPLOYMENT_KINDS if self.work.kinds.get(k, ZERO) > 0)  # type: ignore[call-overload]
        out = [PriceTable(("amount",), self.amount, "fee", "fee", by_evidence=True,
                          by_kind=kinds)] if self.amount is not None else []
        out.extend(PriceTable(("bands", j, "amount"), b.amount, "fee", f"band '{b.id}' fee",
                              by_evidence=True, by_kind=kinds)
                   for j, b in enumerate(self.bands or []))
        return [*out, *super().price_tables()]

    def work_rules(self) -> WorkRules | None:
        return outcome_work_rules(self.work)

    def most_paid(self, contract: ContractBase, seen: frozenset[str] = frozenset()
                  ) -> Decimal | None:
        # at most max_times outcomes, each paid at most the top price: an upgrade or a
        # top-up pays the difference up to a better price, never beyond it
        tops = [most_of(p) for p in (self.amount, *(b.amount for b in self.bands or []))
                if p is not None]
        top = max((t for t in tops if t is not None), default=None)
        return None if top is None else self.max_times * top

    def counting_window(self) -> Counting | None:
        return "active_service" if self.requires_active_service else self.window

    def counting_window_path(self) -> Path:
        return ("requires_active_service",) if self.requires_active_service else ("window",)

    def deadline_date(self) -> date | None:
        return self.reach_by

    def deadline_within(self) -> Duration | None:
        return self.reach_within

    def thresholds(self) -> list[Threshold]:
        return [DurationThreshold(self.min_duration, self.name, ("min_duration",))]

    def checks(self, site: Site) -> list[Problem]:
        out = work_checks(self.work, self.counting, self.counting_window() or self.window,
                          site)
        if self.amount is None and self.bands is None:
            out.append(site.err("C101", "missing required key 'amount' (or 'bands', each "
                                "with its amount)"))
        if self.amount is not None and self.bands is not None:
            out.append(site.err("C218", "give amount or bands, not both: with bands, each "
                                "band has its own amount", "bands"))
        graded = [(key, what) for key, what in (
            ("bands", "bands" if self.bands else None),
            ("top_up", "top_up" if self.top_up else None),
            ("amount", "a price by employment kind" if _by_kind(self.amount) else None))
            if what is not None]
        if self.counting != "continuous":
            out.extend(site.err("C218", f"{what} applies to counting: continuous (an outcome is "
                                "a spell of work), not to counting: cumulative", key)
                       for key, what in graded)
        return [*out, *self._successive_checks(site), *_band_checks(self.bands or [], site)]

    def _successive_checks(self, site: Site) -> list[Problem]:
        if not self.another_employer_each_time:
            return []
        key = "another_employer_each_time"
        why = [("work.one_employer: true (a spell is then one employment relationship, with one "
                "employer)", not self.work.one_employer),
               ("max_times above 1 (one outcome has none after it)", self.max_times == 1),
               ("no top_up (a top-up replaces an outcome paid, not the one before)",
                self.top_up)]
        return [site.err("C218", f"{key} needs {need}", key) for need, wrong in why if wrong]


def _by_kind(price: Any) -> bool:
    """A price keyed by employment kind anywhere in it (segments are not known here: a key
    that is a kind is a kind unless it is a segment, which checks report)."""
    return isinstance(price, dict) and any(
        k in EMPLOYMENT_KINDS or _by_kind(v) for k, v in price.items())


def _band_checks(bands: Sequence[ExtentBand], site: Site) -> list[Problem]:
    out: list[Problem] = []
    measures = {b.bounds()[0] for b in bands}
    for j, band in enumerate(bands):
        _, low, high = band.bounds()
        if band.min_fte is None and band.min_hours_per_week is None:
            out.append(site.err("C217", f"band '{band.id}' needs a lower bound, min_fte or "
                                "min_hours_per_week", "bands", j))
        elif (band.min_fte is None) != (band.max_fte is None) and \
                (band.min_hours_per_week is None) != (band.max_hours_per_week is None):
            out.append(site.err("C218", f"band '{band.id}' mixes FTE and hours bounds",
                                "bands", j))
        if low is not None and high is not None and high <= low:
            out.append(site.err("C219", f"band '{band.id}': the upper bound {num(high)} must be "
                                f"above the lower bound {num(low)}", "bands", j))
        if j > 0 and low is not None and len(measures) == 1:
            _, before, before_high = bands[j - 1].bounds()
            if before is not None and (low <= before or (before_high is None
                                                         or low < before_high)):
                out.append(site.err("C210", f"band '{band.id}' must start at or above the "
                                    f"upper bound of band '{bands[j - 1].id}' (bands go up "
                                    "in order and do not overlap)", "bands", j))
    if len(measures) > 1:
        out.append(site.err("C218", "bands mix FTE and hours bounds: use one measure",
                            "bands"))
    if len({b.id for b in bands}) < len(bands):
        out.append(site.err("C212", "two bands with the same id", "bands"))
    return out


# --- evaluation ------------------------------------------------------------------------------

def evaluate(comp: EmploymentOutcome, ctx: CustomerContext, prior: Sequence[Line]) -> Outcome:
    continuous = comp.counting == "continuous"
    first_occurrence = "next" if continuous else "n1"
    top = _top_amount(comp, ctx)
    if ctx.price(top) is None:
        return Outcome([unpriced_line(ctx, comp, first_occurrence)])
    counts = _counts(comp, ctx)
    if counts is None:
        return Outcome([not_started_line(ctx, comp, first_occurrence, top)],
                       Trace((f"counting {criteria_text(comp.work)}, {comp.counting}: no "
                              "service start yet",)))
    if not continuous:
        wc = counts[0].wc
        return Outcome(_cumulative(ctx, comp, wc, top), work_trace(wc))
    lines, steps = _continuous(ctx, comp, counts)
    if len(counts) == 1:
        return Outcome(lines, work_trace(counts[0].wc, lambda: (make() for make in steps)))
    return Outcome(lines, Trace(lambda: (rules_text(c.wc) for c in counts),
                                lambda: (*(s for c in counts
                                           for s in (*track_steps(c.wc), *c.wc.changes)),
                                         *(make() for make in steps),
                                         *(Step("not counted", n)
                                           for n in _merged(counts).notes))))


class _Count(NamedTuple):
    """The work counted for one grade of the component (the whole of it when ungraded), the
    price table of that grade, and its employment kind (for prices by kind). A named tuple:
    two are made for every customer of a contract priced by kind."""

    wc: WorkCount
    amount: Price
    kind: str | None
    band: ExtentBand | None


_Grades = list[tuple[Grade | None, Price, ExtentBand | None]]


def _grades(comp: EmploymentOutcome, ctx: CustomerContext) -> _Grades:
    """The grades the component prices on its own: each counted kind (when a price is by
    kind) times each band; one ungraded count otherwise. They depend on the contract alone,
    so they are made once per component (and segment list)."""
    segment_ids = tuple(once(ContractBase.segment_ids, ctx.loaded.contract))
    return once_for(_make_grades, comp, segment_ids)


def _make_grades(comp: EmploymentOutcome, segment_ids: tuple[str, ...]) -> _Grades:
    tables = [comp.amount] if comp.bands is None else [b.amount for b in comp.bands]
    by_kind = any(dim == "kind" for t in tables for way, _ in price_leaves(t, segment_ids)
                  for dim, _ in way)
    kinds: list[str | None] = [k for k in EMPLOYMENT_KINDS
                               if comp.work.kinds.get(k, ZERO) > 0  # type: ignore[call-overload]
                               ] if by_kind else [None]
    bands: list[ExtentBand | None] = list(comp.bands) if comp.bands else [None]
    if kinds == [None] and bands == [None]:
        assert comp.amount is not None
        return [(None, comp.amount, None)]
    out: list[tuple[Grade | None, Price, ExtentBand | None]] = []
    for kind in kinds:
        for band in bands:
            name = "/".join(n for n in (kind, band.id if band else None) if n)
            measure, low, _ = band.bounds() if band else ("fte", None, None)
            amount = band.amount if band is not None else comp.amount
            assert amount is not None
            out.append((Grade(name, kind, low if measure == "fte" else None,
                              low if measure == "hours" else None), amount, band))
    return out


def _counts(comp: EmploymentOutcome, ctx: CustomerContext) -> list[_Count] | None:
    out = []
    for grade, amount, band in _grades(comp, ctx):
        wc = count_work(ctx, comp.work, comp.counting, comp.max_gap, comp.window,
                        comp.reach_by, comp.requires_active_service, grade,
                        comp.reach_within)
        if wc is None:
            return None
        out.append(_Count(wc, amount, grade.kind if grade else None, band))
    return out


def _top_amount(comp: EmploymentOutcome, ctx: CustomerContext) -> Price:
    """The price table that pays the most (the highest band's, or ``amount``)."""
    if comp.bands is None:
        assert comp.amount is not None
        return comp.amount
    return max((b.amount for b in comp.bands),
               key=lambda a: ctx.price(a) or Decimal(-1))


@dataclass(frozen=True)
class _Hit:
    """An outcome reached in one track of one grade."""

    got: Reached
    track: Track
    count: _Count
    price: Decimal | None
    words: Callable[[], str]  # the reason, made only for an outcome that makes a line
    level: str
    ids: tuple[str, ...]

    @property
    def reason(self) -> str:
        return self.words()

    @property
    def span(self) -> Period:
        return Period(self.got.first_day, self.got.on + ONE_DAY)

    @property
    def key(self) -> str:
        return self.track.key


def _hits(ctx: CustomerContext, comp: EmploymentOutcome, counts: Sequence[_Count]
          ) -> tuple[list[_Hit], list[Callable[[], Step]]]:
    """Every outcome reached, in the order reached (the better price first on one day), and
    what makes the trace steps of what was averaged or left to a higher band (made only
    when the trace is read)."""
    hits: list[_Hit] = []
    steps: list[Callable[[], Step]] = []
    for count in counts:
        for track in count.wc.tracks:
            got = count.wc.reach(track.parts, partial(needed_days, comp.min_duration))
            if got is None:
                continue
            rests = track.rests(got)
            band = count.band
            if band is not None and not _in_band(band, rests):
                if not _band_above(comp, band):  # else the band above prices it
                    steps.append(partial(_above_band, comp, band, track, got))
                continue
            level, ids = reached_evidence(rests, got)
            price = ctx.price(count.amount, level, on=got.on, kind=count.kind)
            hits.append(_Hit(got, track, count, price,
                             partial(_reason, ctx, comp, count, rests, got), level, ids))
            if got.hours is not None:
                steps.append(partial(average_step, track, got))
    hits.sort(key=lambda h: (h.got.on, -(h.price or ZERO), h.key))
    return hits, steps


def _reason(ctx: CustomerContext, comp: EmploymentOutcome, count: _Count,
            rests: Sequence[Stretch], got: Reached) -> str:
    need = needed_days(comp.min_duration, got.first_day)
    reason, _, _ = reached_text(ctx, comp.work, rests, got,
                                duration_text(comp.min_duration, need))
    if count.wc.grade is not None:
        reason += "; " + _grade_words(count)
    return reason


def _above_band(comp: EmploymentOutcome, band: ExtentBand, track: Track, got: Reached
                ) -> Step:
    return Step("above the band", f"{track.key}: the work reached {comp.min_duration} on "
                f"{got.on} at or above the upper bound of {band.words()}, and no band prices "
                "it", track.start, got.on + ONE_DAY)


def _in_band(band: ExtentBand, rests: Sequence[Any]) -> bool:
    """The least extent of the days an outcome rests on is below the band's upper bound."""
    measure, _, high = band.bounds()
    if high is None:
        return True
    least = min(p.fte if measure == "fte" else p.hours for p in rests)
    return bool(least < high)


def _band_above(comp: EmploymentOutcome, band: ExtentBand) -> bool:
    """Another band starts at (or below) this band's upper bound: it takes the work above."""
    _, low, high = band.bounds()
    return any(b is not band and (b.bounds()[1] or ZERO) > (low or ZERO)
               and high is not None and (b.bounds()[1] or ZERO) <= high
               for b in comp.bands or [])


def _grade_words(count: _Count) -> str:
    words = []
    if count.kind is not None:
        words.append(f"{count.kind} work")
    if count.band is not None:
        words.append(count.band.words())
    return "priced as " + ", ".join(words)


def _clusters(hits: Sequence[_Hit]) -> dict[str, int]:
    """Each hit's outcome: hits whose spells share a day are one employment (one outcome)."""
    parent = list(range(len(hits)))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for i, a in enumerate(hits):
        for j in range(i):
            b = hits[j]
            if a.track.start < b.track.end and b.track.start < a.track.end:
                parent[root(i)] = root(j)
    return {h.key: root(i) for i, h in enumerate(hits)}


@dataclass
class _Paid:
    """The outcomes paid so far: each one's price, and the occurrence it was first paid as."""

    price: dict[int, Decimal]
    first: dict[int, str]
    refused: set[int]
    employer: str | None = None  # of the outcome paid last (another_employer_each_time)
    last: str = ""  # that outcome's occurrence


def _continuous(ctx: CustomerContext, comp: EmploymentOutcome, counts: Sequence[_Count]
                ) -> tuple[list[Line], list[Callable[[], Step]]]:
    hits, steps = _hits(ctx, comp, counts)
    cluster = _clusters(hits)
    priced = {cluster[h.key] for h in hits if h.price is not None}
    paid = _Paid({}, {}, set())
    lines: list[Line] = []
    waiting = 0  # reached on unpriced evidence, pending a confirmation
    deadline = counts[0].wc.deadline
    for hit in hits:
        c = cluster[hit.key]
        if _successive(ctx, comp, hit, c, paid):  # priced or awaiting a confirmation
            lines.extend(_same_employer(ctx, comp, hit, c, paid))
            continue
        if hit.price is None:
            if c not in priced and all(cluster.get(ln.occurrence) != c for ln in lines):
                line = no_price_line(ctx, comp, hit.key, hit.got.on, hit.level, hit.reason,
                                     hit.ids, hit.span, amount=hit.count.amount,
                                     deadline=deadline)
                waiting += line.status == "pending"
                lines.append(line)
            continue
        lines.extend(_paid_line(ctx, comp, hit, c, paid))
    # the next outcome is shown unless the paid ones and those awaiting a confirmation
    # already fill max_times (it would count the same fee twice)
    if len(paid.price) + waiting < comp.max_times:
        # a spell with the employer paid last cannot be the next outcome
        same = ({t.key for c in counts for t in (*c.wc.tracks, *c.wc.late_tracks)
                 if _employer(ctx, t) == paid.employer}
                if comp.another_employer_each_time and paid.employer is not None else set())
        lines.extend(_next_line(ctx, comp, counts, {h.key for h in hits} | same, lines))
    elif comp.top_up and not waiting:
        lines.extend(_top_up_line(ctx, comp, counts, {h.key for h in hits}, lines, paid))
    return lines, steps


def _top_up_line(ctx: CustomerContext, comp: EmploymentOutcome, counts: Sequence[_Count],
                 reached: set[str], lines: Sequence[Line], paid: _Paid) -> list[Line]:
    """A top-up under way (``top_up``, max_times outcomes paid): the longest spell still
    running of a grade priced, at its evidence, above the least paid outcome, pending the
    difference while the deadline is ahead. None when no such spell runs: a top-up is a
    chance, not an outcome awaited (a spell that stops short, or the deadline passing,
    takes the line away, and nothing is forgone)."""
    low = min(paid.price, key=lambda k: (paid.price[k], k))
    floor, tomorrow = paid.price[low], ctx.as_of + ONE_DAY
    running = [(t, c) for c in counts for t in c.wc.tracks
               if t.key not in reached and not c.wc.decided and _running(comp, t, tomorrow)]
    better = [(t, c, price) for t, c in running
              if (price := _at_evidence(ctx, c, t)) is not None and price > floor]
    if not better:
        return []
    track, count, price = max(better, key=lambda b: (b[0].days, b[0].start))
    if any(ln.occurrence == track.key for ln in lines):
        return []
    diff = price - floor
    return [unreached_line(
        ctx, comp, count.wc, occurrence=track.key, amount=diff,
        target=partial(needed_days, comp.min_duration), what=str(comp.min_duration),
        candidates=[t for t, _, _ in better], late=None, open_track=track,
        extra=(f"; with top_up the difference is paid: {money_text(price)} less the "
               f"{money_text(floor)} paid for {paid.first[low]}"),
        kind=count.kind)]


def _paid_line(ctx: CustomerContext, comp: EmploymentOutcome, hit: _Hit, c: int,
               paid: _Paid) -> list[Line]:
    """The line of a priced outcome: paid in full, an upgrade of the same employment, a
    top-up over the least paid outcome, or not offered (beyond max_times)."""
    assert hit.price is not None
    if c in paid.price:
        if hit.price <= paid.price[c]:
            return []
        diff = hit.price - paid.price[c]
        why = (f"; it upgrades the outcome paid as {paid.first[c]} "
               f"({money_text(paid.price[c])}), so the difference {money_text(diff)} is paid")
        paid.price[c] = hit.price
        return [_line(ctx, comp, hit, diff, why)]
    if len(paid.price) < comp.max_times:
        if comp.another_employer_each_time:  # the employer paid last (``_successive``)
            paid.employer, paid.last = _employer(ctx, hit.track), hit.key
        paid.price[c], paid.first[c] = hit.price, hit.key
        return [_line(ctx, comp, hit, hit.price, "")]
    low = min(paid.price, key=lambda k: (paid.price[k], k))
    if comp.top_up and hit.price > paid.price[low]:
        diff = hit.price - paid.price[low]
        why = (f"; the fee is paid at most {times_text(comp.max_times)} and "
               f"{money_text(paid.price[low])} was paid for {paid.first[low]}, so with top_up "
               f"the difference {money_text(diff)} is paid")
        del paid.price[low]
        paid.price[c], paid.first[c] = hit.price, hit.key
        return [_line(ctx, comp, hit, diff, why)]
    if c in paid.refused:
        return []
    paid.refused.add(c)
    # the contract never offered this one: nothing is forgone (quantity 0)
    return [ctx.line(comp, status="not_earned", occurrence=hit.key, on=hit.got.on,
                     quantity=ZERO, unit_price=hit.price, evidence=hit.ids, period=hit.span,
                     reason=f"{hit.reason}; but the fee is paid at most "
                            f"{times_text(comp.max_times)}")]


def _employer(ctx: CustomerContext, track: Track) -> str:
    """The employer of a spell of one employment relationship (work.one_employer): its
    jobs'; a job naming none is a relationship of its own."""
    first = track.event_ids[0]
    job = next((j for j in ctx.timeline.employments if j.event_id == first), None)
    return job.employer if job is not None and job.employer else f"job {first}"


def _successive(ctx: CustomerContext, comp: EmploymentOutcome, hit: _Hit, c: int,
                paid: _Paid) -> bool:
    """A new outcome with the employer of the outcome paid before it, which the contract does
    not pay (another_employer_each_time)."""
    return (comp.another_employer_each_time and paid.employer is not None
            and c not in paid.price and _employer(ctx, hit.track) == paid.employer)


def _same_employer(ctx: CustomerContext, comp: EmploymentOutcome, hit: _Hit, c: int,
                   paid: _Paid) -> list[Line]:
    """A successive outcome with the employer of the outcome paid before it: not offered
    (quantity 0, nothing forgone), said once per employment."""
    if c in paid.refused:
        return []
    paid.refused.add(c)
    return [ctx.line(comp, status="not_earned", occurrence=hit.key, on=hit.got.on,
                     quantity=ZERO, unit_price=hit.price or ZERO, evidence=hit.ids,
                     period=hit.span,
                     reason=f"{hit.reason}; but the outcome before it ({paid.last}) was with the "
                            f"same employer ({paid.employer}), and the contract pays a "
                            "successive outcome only with another employer")]


def _line(ctx: CustomerContext, comp: EmploymentOutcome, hit: _Hit, price: Decimal,
          why: str) -> Line:
    return ctx.line(comp, status="payable", occurrence=hit.key, on=hit.got.on, quantity=ONE,
                    unit_price=price, evidence=hit.ids, period=hit.span,
                    reason=hit.reason + why)


def _running(comp: EmploymentOutcome, track: Track, tomorrow: date) -> bool:
    """Whether a spell may still go on: it runs into ``tomorrow``, or a job starting then
    would join it (within ``max_gap``)."""
    return tomorrow <= (comp.max_gap.after(track.end) if comp.max_gap else track.end)


def _at_evidence(ctx: CustomerContext, count: _Count, track: Track) -> Decimal | None:
    """What a spell of ``count``'s grade pays at its evidence (0.00 where that evidence is
    priced so); the strongest evidence's price where its evidence is not priced at all."""
    price = ctx.price(count.amount, track.evidence, kind=count.kind)
    return price if price is not None else ctx.price(count.amount, kind=count.kind)


def _merged(counts: Sequence[_Count]) -> WorkCount:
    """The work of every grade together, for the line of an outcome not reached: all their
    spells, and the notes of jobs no grade counted."""
    first = counts[0].wc
    if len(counts) == 1:
        return first
    tracks = _in_order([t for c in counts for t in c.wc.tracks])
    late = _in_order([t for c in counts for t in c.wc.late_tracks])
    used = {i for t in tracks for i in t.event_ids}
    notes: list[str] = []
    noted: set[str] = set()
    for c in counts:
        for note in c.wc.notes:
            job = note.split()[1] if note.startswith("job ") else None
            # a job some grade counted, or already noted by a lower grade, is not noted again
            if job is not None and (job in used or job in noted):
                continue
            if job is not None:
                noted.add(job)
            if note not in notes:
                notes.append(note)
    # made directly: ``dataclasses.replace`` cost more than the merging
    return WorkCount(first.ctx, first.work, first.continuous, first.max_gap, first.counting,
                     first.deadline, tuple(tracks), tuple(late), tuple(notes), None,
                     first.changes)


def _in_order(tracks: list[Track]) -> list[Track]:
    """Tracks by first day, then key (sorted in place; none or one, most customers, as
    they are)."""
    if len(tracks) > 1:
        tracks.sort(key=lambda t: (t.start, t.key))
    return tracks


def _next_line(ctx: CustomerContext, comp: EmploymentOutcome, counts: Sequence[_Count],
               reached: set[str], lines: Sequence[Line]) -> list[Line]:
    """The next outcome, not reached yet: pending while the deadline is ahead, else lost."""
    wc = _merged(counts)
    candidates = [t for t in wc.tracks if t.key not in reached]
    late = [t for t in wc.late_tracks if t.key not in reached]
    tomorrow = ctx.as_of + ONE_DAY
    joinable = [t for t in candidates if _running(comp, t, tomorrow)]
    open_track = max(joinable, key=lambda t: (t.days, t.start), default=None)
    target = partial(needed_days, comp.min_duration)
    # found once: it chooses the occurrence, and the reason tells when it was reached
    found = first_late(wc, late, target)
    if wc.decided:
        best = max(candidates, key=lambda t: (t.days, t.start), default=None)
        chosen = found[1] if found is not None else best
        occurrence = chosen.key if chosen is not None else "next"
    else:
        chosen = open_track
        occurrence = open_track.key if open_track is not None else "next"
    if any(ln.occurrence == occurrence for ln in lines):
        return []
    # the grade of the chosen track (its key ends with the grade's name: one grade has it)
    count = None if chosen is None else next(
        (c for c in reversed(counts) for t in (*c.wc.tracks, *c.wc.late_tracks)
         if t.key == chosen.key), None)
    amount = count.amount if count is not None else _top_amount(comp, ctx)
    return [unreached_line(
        ctx, comp, wc, occurrence=occurrence, amount=amount, target=target,
        what=str(comp.min_duration), candidates=candidates, late=found,
        open_track=open_track, kind=count.kind if count is not None else None)]


def _cumulative(ctx: CustomerContext, comp: EmploymentOutcome, wc: WorkCount, amount: Price
                ) -> list[Line]:
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
        got = reach(track.parts, need)  # cumulative: no average (checked, C218)
        if got is None:
            break
        span, rests = since(track.parts, previous, previous_need, got.on)
        what = duration_text(total, need) + " in total"
        reason, level, ids = reached_text(ctx, comp.work, rests, got, what)
        price = ctx.price(amount, level, on=got.on)
        occurrence = f"n{k}"
        if price is None:
            line = no_price_line(ctx, comp, occurrence, got.on, level, reason, ids, span,
                                 amount=amount, deadline=wc.deadline)
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

        lines.append(unreached_line(
            ctx, comp, wc, occurrence=f"n{k}", amount=amount, target=target,
            what=f"{Duration(comp.min_duration.count * k, comp.min_duration.unit)} in total",
            candidates=list(wc.tracks), late=first_late(wc, wc.late_tracks, target),
            open_track=track))
    return lines


def _deadline(comp: EmploymentOutcome, ctx: CustomerContext) -> date | None:
    found = ctx.deadline(comp.window, comp.reach_by, comp.requires_active_service,
                         comp.reach_within)
    return found.last_day if found is not None else None


KIND = CustomerKind(EmploymentOutcome, evaluate, deadline=_deadline,
                    reads=frozenset({"employment"}))
