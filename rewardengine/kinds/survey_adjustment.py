"""survey_adjustment: a customer survey score (working-life radar, feedback) as a fee criterion.

Surveys of ``instrument`` dated inside the service-and-follow-up window, up to ``as_of``,
give the score: ``latest`` = the last survey's score; ``change`` = last minus first (needs
two surveys). The band is the one with the highest ``min_score`` at or below the score.

``mode: bonus``: one line, occurrence ``once``, payable on the date of the (last) survey
with the band's amount (priced by segment). The score follows the latest survey, so a later
survey inside the window corrects the line. Without a score the line is ``pending`` while the
window is open, at the highest band's amount (the most it can still pay), and ``not_earned``
after it; a score below every band is ``pending`` at the lowest band's amount while the
window is open ("needs 3.0 by ..."), ``not_earned`` after. A score in a band whose amount
starts only after the survey (a survey before ``valid_from``) is ``pending`` at that band's
amount on the window's last day while the window is open and a band is priced by then (a later
survey may still pay), ``not_earned`` at 0.00 otherwise.

``mode: multiplier``: for every payable or pending line already computed for this customer by
a component in ``applies_to`` (amounts before caps), one line of ``(factor - 1) * amount``
with the adjusted line's status, occurrence ``<component>:<occurrence>``, dated the later of
the adjusted line and the survey. A factor below 1 gives a negative line (a reduction).
Without a score, or with a score below every band, nothing is adjusted: one zero line,
occurrence ``score``, says so (``pending`` while the window is open, ``not_earned`` after).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Literal

from pydantic import Field

from ..contract.model import (
    ComponentBase,
    Components,
    ContractBase,
    Multiplier,
    Path,
    Price,
    PriceTable,
    Site,
    Strict,
    most_of,
)
from ..errors import Problem
from ..evaluate.context import CustomerContext
from ..evaluate.lines import Line, Status
from ..evaluate.trace import Step, Trace
from ..events.model import Survey
from ..periods import ONE_DAY, Period
from ..values import Number, Quantity, money_text, once, round_cents
from .base import CustomerKind, Outcome


class Band(Strict):
    min_score: Number
    amount: Price | None = None
    factor: Quantity | None = None


class SurveyAdjustment(ComponentBase):
    kind: Literal["survey_adjustment"]
    instrument: str
    score: Literal["latest", "change"] = "latest"
    mode: Literal["bonus", "multiplier"] = "bonus"
    applies_to: list[str] = Field(default_factory=list)
    bands: list[Band] = Field(min_length=1)

    def price_tables(self) -> list[PriceTable]:
        bonus = [PriceTable(("bands", j, "amount"), b.amount, "fee", f"band {j + 1} bonus")
                 for j, b in enumerate(self.bands)
                 if self.mode == "bonus" and b.amount is not None]
        return [*bonus, *super().price_tables()]

    def multipliers(self) -> list[Multiplier]:
        if self.mode != "multiplier":
            return []
        return [Multiplier(b.factor, b.min_score, ("bands", j, "factor"))
                for j, b in enumerate(self.bands) if b.factor is not None]

    def adjusts(self) -> list[str]:
        return list(self.applies_to) if self.mode == "multiplier" else []

    def most_paid(self, contract: ContractBase, seen: frozenset[str] = frozenset()
                  ) -> Decimal | None:
        if self.mode == "bonus":  # one line, at the best band's amount
            return max((top for b in self.bands if b.amount is not None
                        if (top := most_of(b.amount)) is not None), default=None)
        # (factor - 1) times each line of the components it adjusts, after their own caps:
        # a factor above 1 raises their most by that share; one at or below 1 only reduces
        raised = max((b.factor for b in self.bands if b.factor is not None),
                     default=Decimal(1)) - 1
        if raised <= 0:
            return Decimal(0)
        most = Decimal(0)
        for target_id in dict.fromkeys(self.applies_to):
            target = contract.component(target_id)
            found = None if target is None or target_id in seen | {self.id} else \
                target.bound(contract, seen | {self.id})
            if found is None:
                return None
            most += found[0]
        return raised * most

    def unbounded(self, contract: Components, seen: frozenset[str] = frozenset()
                  ) -> tuple[str, Path] | None:
        if self.cap is not None or self.mode != "multiplier":
            return None
        for target_id in self.applies_to:
            target = contract.component(target_id)
            if target is not None and target_id not in seen:
                found = target.unbounded(contract, seen | {self.id})
                if found is not None:
                    return f"multiplies '{target_id}', which {found[0]}", ()
        return None

    def checks(self, site: Site) -> list[Problem]:
        out = []
        for j, target in enumerate(self.applies_to):
            if target not in site.component_ids:
                out.append(site.err("C209", f"unknown component '{target}'", "applies_to", j))
            elif target == self.id:
                out.append(site.err("C209", "a survey adjustment cannot apply to itself",
                                    "applies_to", j))
        if self.mode == "multiplier" and not self.applies_to:
            out.append(site.err("C217", "mode: multiplier needs applies_to"))
        if self.mode == "bonus" and self.applies_to:
            out.append(site.err("C218", "applies_to is only for mode: multiplier",
                                "applies_to"))
        for j, band in enumerate(self.bands):
            out.extend(self._band_checks(site, band, j))
            if j and band.min_score <= self.bands[j - 1].min_score:
                out.append(site.err("C210", "bands must be in increasing min_score",
                                    "bands", j, "min_score"))
        return out

    def _band_checks(self, site: Site, band: Band, j: int) -> list[Problem]:
        out = []
        if self.mode == "bonus":
            if band.amount is None:
                out.append(site.err("C217", "a bonus band needs an amount", "bands", j))
            if band.factor is not None:
                out.append(site.err("C218", "a bonus band has an amount, not a factor",
                                    "bands", j, "factor"))
            return out
        if band.factor is None:
            out.append(site.err("C217", "a multiplier band needs a factor", "bands", j))
        if band.amount is not None:
            out.append(site.err("C218", "a multiplier band has a factor, not an amount",
                                "bands", j, "amount"))
        return out

ONE = Decimal(1)
ZERO = Decimal(0)
HUNDRED = Decimal(100)


def _num(value: Decimal, sign: bool = False) -> str:
    text = f"{value.normalize():f}"
    return f"+{text}" if sign and value > 0 else text


@dataclass(frozen=True)
class Score:
    value: Decimal
    on: date
    text: str
    evidence: tuple[str, ...]


def _score(comp: SurveyAdjustment, surveys: list[Survey]) -> Score | None:
    if not surveys:
        return None
    last = surveys[-1]
    if comp.score == "latest":
        return Score(last.score, last.date, f"{comp.instrument} score {_num(last.score)} "
                     f"(survey {last.event_id} on {last.date})", (last.event_id,))
    if len(surveys) < 2:
        return None
    first = surveys[0]
    change = last.score - first.score
    return Score(change, last.date,
                 f"{comp.instrument} score change {_num(change, sign=True)} (from "
                 f"{_num(first.score)}, survey {first.event_id} on {first.date}, to "
                 f"{_num(last.score)}, survey {last.event_id} on {last.date})",
                 (first.event_id, last.event_id))


def _band(bands: list[Band], value: Decimal) -> tuple[int, Band] | None:
    found = None
    for i, band in enumerate(bands):
        if band.min_score <= value:
            found = (i, band)
    return found


def _band_name(i: int, band: Band) -> str:
    return f"band {i + 1} (score {_num(band.min_score)} or more)"


def _missing(comp: SurveyAdjustment, surveys: list[Survey]) -> str:
    if comp.score == "change" and surveys:
        first = surveys[0]
        return (f"a second {comp.instrument} survey to measure change (first: "
                f"{_num(first.score)}, survey {first.event_id} on {first.date})")
    return f"a {comp.instrument} survey"


def evaluate(comp: SurveyAdjustment, ctx: CustomerContext, prior: Sequence[Line]) -> Outcome:
    bands = once(_sorted_bands, comp)
    window = ctx.window("service_and_follow_up")
    surveys = [s for s in ctx.timeline.surveys
               if s.instrument == comp.instrument and window is not None
               and s.date in window and s.date <= ctx.as_of]
    if comp.mode == "multiplier":
        lines = _multiplier(comp, ctx, prior, bands, window, surveys)
    else:
        lines = [_bonus(comp, ctx, bands, window, surveys)]
    # the rule and the surveys in words are written only when the trace is read
    return Outcome(lines, Trace(partial(_rules, comp, window), partial(_steps, surveys)))


def _sorted_bands(comp: SurveyAdjustment) -> list[Band]:
    """The bands, lowest score first: the same for every customer, sorted once."""
    return sorted(comp.bands, key=lambda b: b.min_score)


def _rules(comp: SurveyAdjustment, window: Period | None) -> tuple[str, ...]:
    measure = "the latest score" if comp.score == "latest" else "the change from first to last"
    return (f"{comp.mode} by {comp.instrument} survey: {measure}, surveys dated inside the "
            f"service and follow-up window "
            + (str(window) if window is not None else "(not open: no service start)"),)


def _steps(surveys: list[Survey]) -> tuple[Step, ...]:
    return tuple(Step("survey", f"survey {s.event_id} on {s.date}: score {_num(s.score)}",
                      s.date, s.date + ONE_DAY, evidence=(s.event_id,)) for s in surveys)


def _bonus(comp: SurveyAdjustment, ctx: CustomerContext, bands: list[Band],
           window: Period | None, surveys: list[Survey]) -> Line:
    def price(band: Band) -> Decimal:
        # a line not paid yet (or lost) takes the value of the day it falls due: the
        # window's last day (a payable line, its survey's day, is priced below)
        return ctx.price(band.amount, on=window.last_day if window else None) or ZERO

    def table() -> str:  # the bands in words, for the lines that are not paid
        return ", ".join(f"{_num(b.min_score)}+ pays {money_text(price(b))}" for b in bands)

    if window is None:
        status, reason, on = ctx.without_service("waiting for the service start")
        return ctx.line(comp, status=status, occurrence="once", on=on, quantity=ONE,
                        unit_price=price(bands[-1]),
                        reason=f"{reason}; bonus by {comp.instrument} score: {table()}")
    is_open = ctx.as_of < window.last_day
    score = _score(comp, surveys)
    if score is None:
        needed = _missing(comp, surveys)
        evidence = [s.event_id for s in surveys]
        top = price(bands[-1])
        if is_open:
            return ctx.line(comp, status="pending", occurrence="once", on=window.last_day,
                            quantity=ONE, unit_price=top, evidence=evidence,
                            reason=f"needs {needed} by {window.last_day}; bonus by score: "
                                   f"{table()}")
        return ctx.line(comp, status="not_earned", occurrence="once", on=window.last_day,
                        quantity=ONE, unit_price=top, evidence=evidence,
                        reason=f"no bonus: no {needed.removeprefix('a ')} inside the service "
                               f"and follow-up window {window}")
    found = _band(bands, score.value)
    if found is None:
        low = bands[0]
        if is_open:
            return ctx.line(comp, status="pending", occurrence="once", on=window.last_day,
                            quantity=ONE, unit_price=price(low), evidence=score.evidence,
                            reason=f"{score.text} is below the lowest band; needs "
                                   f"{_num(low.min_score)} or more by {window.last_day} "
                                   f"({table()})")
        return ctx.line(comp, status="not_earned", occurrence="once", on=score.on,
                        quantity=ONE, unit_price=price(low), evidence=score.evidence,
                        reason=f"no bonus: {score.text} is below the lowest band "
                               f"({_num(low.min_score)}); the window closed on "
                               f"{window.last_day}")
    i, band = found
    amount = ctx.price(band.amount, on=score.on)
    if amount is None:  # the contract checks price every segment: dated later than the survey
        return _priced_later(comp, ctx, bands, window, score, found, is_open)
    later = (f"; a later survey by {window.last_day} may still change the band"
             if is_open else "")
    return ctx.line(comp, status="payable", occurrence="once", on=score.on, quantity=ONE,
                    unit_price=amount, evidence=score.evidence,
                    reason=f"{score.text} reaches {_band_name(i, band)}: bonus "
                           f"{money_text(amount)}{later}")


def _priced_later(comp: SurveyAdjustment, ctx: CustomerContext, bands: list[Band],
                  window: Period, score: Score, reached: tuple[int, Band], is_open: bool
                  ) -> Line:
    """A score in a band whose amount starts after the survey (a survey before the contract's
    ``valid_from``). The latest survey sets the score, so while the window is open a later
    survey, dated when a band's amount is in force, can still pay: ``pending`` until the
    window's last day, as a score below every band is, at the band's amount on that day (or,
    if only other bands are priced by then, the most of theirs); ``not_earned`` once no
    survey can count."""
    i, band = reached
    unpriced = (f"{score.text} reaches {_band_name(i, band)}, but the band has no amount in "
                f"force for segment {ctx.segment} on {score.on}")
    due = [p for b in (band, *reversed(bands))
           if (p := ctx.price(b.amount, on=window.last_day)) is not None]
    if is_open and due:
        return ctx.line(comp, status="pending", occurrence="once", on=window.last_day,
                        quantity=ONE, unit_price=due[0], evidence=score.evidence,
                        reason=f"{unpriced}; a later survey by {window.last_day} may still "
                               "earn the bonus")
    return ctx.line(comp, status="not_earned", occurrence="once", on=score.on, quantity=ONE,
                    unit_price=ZERO, evidence=score.evidence, reason=unpriced)


def _multiplier(comp: SurveyAdjustment, ctx: CustomerContext, prior: Sequence[Line],
                bands: list[Band], window: Period | None, surveys: list[Survey]
                ) -> list[Line]:
    targets = [ln for ln in prior
               if ln.component in comp.applies_to and ln.status != "not_earned"]
    if not targets:
        return []
    names = ", ".join(dict.fromkeys(ln.component for ln in targets))
    count = f"{len(targets)} line{'s' if len(targets) > 1 else ''} of {names}"
    factors = ", ".join(f"{_num(b.min_score)}+ x{_num(ONE if b.factor is None else b.factor)}"
                        for b in bands)
    is_open = window is not None and ctx.as_of < window.last_day
    status: Status = "pending" if is_open or window is None else "not_earned"
    score = _score(comp, surveys) if window is not None else None
    if score is None:
        if window is None:
            why = f"waiting for the service start ({ctx.service_reason})"
        elif is_open:
            why = (f"needs {_missing(comp, surveys)} by {window.last_day} to set "
                   "the factor")
        else:
            why = (f"no {_missing(comp, surveys).removeprefix('a ')} inside the "
                   f"service and follow-up window {window}")
        return [ctx.line(comp, status=status, occurrence="score", on=None, quantity=ZERO,
                         unit_price=ZERO, evidence=[s.event_id for s in surveys],
                         reason=f"{count} not adjusted: {why} (factors by score: {factors})")]
    found = _band(bands, score.value)
    if found is None:
        tail = (f"; a survey by {window.last_day} may still reach "
                f"{_num(bands[0].min_score)}" if is_open and window is not None else "")
        return [ctx.line(comp, status=status, occurrence="score", on=score.on,
                         quantity=ZERO, unit_price=ZERO, evidence=score.evidence,
                         reason=f"{count} not adjusted: {score.text} is below the lowest "
                                f"band ({factors}){tail}")]
    i, band = found
    factor = band.factor if band.factor is not None else ONE
    delta = factor - ONE
    percent = _num(delta * HUNDRED, sign=True)
    lines: list[Line] = []
    for ln in targets:
        on = max(ln.date, score.on) if ln.date is not None else score.on
        adjusted = round_cents(delta * ln.amount)
        shown = f"+{money_text(adjusted)}" if adjusted > 0 else money_text(adjusted)
        lines.append(ctx.line(
            comp, status=ln.status, occurrence=f"{ln.component}:{ln.occurrence}", on=on,
            quantity=delta, unit_price=ln.amount, evidence=[*ln.evidence, *score.evidence],
            reason=f"{score.text} is in {_band_name(i, band)}, factor {_num(factor)}: "
                   f"{percent} % of {ln.component} {ln.occurrence} ({ln.status} "
                   f"{money_text(ln.amount)}) = {shown}"))
    return lines


KIND = CustomerKind(SurveyAdjustment, evaluate, late=True, reads=frozenset({"survey"}))
