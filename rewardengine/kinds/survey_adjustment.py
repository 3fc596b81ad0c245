"""survey_adjustment: a customer survey score (working-life radar, feedback) as a fee criterion.

Surveys of ``instrument`` dated inside the service-and-follow-up window, up to ``as_of``,
give the score: ``latest`` = the last survey's score; ``change`` = last minus first (needs
two surveys). The band is the one with the highest ``min_score`` at or below the score.

``mode: bonus``: one line, occurrence ``once``, payable on the date of the (last) survey
with the band's amount (priced by segment). The score follows the latest survey, so a later
survey inside the window corrects the line. Without a score the line is ``pending`` while the
window is open, at the highest band's amount (the most it can still pay), and ``not_earned``
after it; a score below every band is ``pending`` at the lowest band's amount while the
window is open ("needs 3.0 by ..."), ``not_earned`` after.

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
from typing import Any

from ..contract.model import Band, SurveyAdjustment
from ..evaluate.context import CustomerContext
from ..evaluate.lines import Line, Status
from ..events.model import Survey
from ..periods import Period
from ..values import money_text, round_cents

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


def evaluate(component: Any, ctx: CustomerContext, prior: Sequence[Line]) -> list[Line]:
    comp: SurveyAdjustment = component
    bands = sorted(comp.bands, key=lambda b: b.min_score)
    window = ctx.window("service_and_follow_up")
    surveys = [s for s in ctx.timeline.surveys
               if s.instrument == comp.instrument and window is not None
               and s.date in window and s.date <= ctx.as_of]
    if comp.mode == "multiplier":
        return _multiplier(comp, ctx, prior, bands, window, surveys)
    return [_bonus(comp, ctx, bands, window, surveys)]


def _bonus(comp: SurveyAdjustment, ctx: CustomerContext, bands: list[Band],
           window: Period | None, surveys: list[Survey]) -> Line:
    def price(band: Band) -> Decimal:
        return ctx.price(band.amount) or ZERO

    table = ", ".join(f"{_num(b.min_score)}+ pays {money_text(price(b))}" for b in bands)
    top = price(bands[-1])
    if window is None:
        status, reason, on = ctx.without_service("waiting for the service start")
        return ctx.line(comp, status=status, occurrence="once", on=on, quantity=ONE,
                        unit_price=top,
                        reason=f"{reason}; bonus by {comp.instrument} score: {table}")
    is_open = ctx.as_of < window.last_day
    score = _score(comp, surveys)
    if score is None:
        needed = _missing(comp, surveys)
        evidence = [s.event_id for s in surveys]
        if is_open:
            return ctx.line(comp, status="pending", occurrence="once", on=window.last_day,
                            quantity=ONE, unit_price=top, evidence=evidence,
                            reason=f"needs {needed} by {window.last_day}; bonus by score: "
                                   f"{table}")
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
                                   f"({table})")
        return ctx.line(comp, status="not_earned", occurrence="once", on=score.on,
                        quantity=ONE, unit_price=price(low), evidence=score.evidence,
                        reason=f"no bonus: {score.text} is below the lowest band "
                               f"({_num(low.min_score)}); the window closed on "
                               f"{window.last_day}")
    i, band = found
    amount = ctx.price(band.amount)
    if amount is None:
        return ctx.line(comp, status="not_earned", occurrence="once", on=score.on,
                        quantity=ONE, unit_price=ZERO, evidence=score.evidence,
                        reason=f"{score.text} reaches {_band_name(i, band)}, but the band "
                               f"has no amount for segment {ctx.segment}")
    later = (f"; a later survey by {window.last_day} may still change the band"
             if is_open else "")
    return ctx.line(comp, status="payable", occurrence="once", on=score.on, quantity=ONE,
                    unit_price=amount, evidence=score.evidence,
                    reason=f"{score.text} reaches {_band_name(i, band)}: bonus "
                           f"{money_text(amount)}{later}")


def _multiplier(comp: SurveyAdjustment, ctx: CustomerContext, prior: Sequence[Line],
                bands: list[Band], window: Period | None, surveys: list[Survey]
                ) -> list[Line]:
    targets = [ln for ln in prior
               if ln.component in comp.applies_to and ln.status != "not_earned"]
    if not targets:
        return []
    names = ", ".join(dict.fromkeys(ln.component for ln in targets))
    count = f"{len(targets)} line{'s' if len(targets) > 1 else ''} of {names}"
    factors = ", ".join(f"{_num(b.min_score)}+ x{_num(b.factor or ONE)}" for b in bands)
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
