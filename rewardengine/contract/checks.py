"""Cross-checks a schema cannot express: references, coverage, windows, price tables.

Each check yields problems located at the key that is wrong. All checks run; nothing stops at
the first problem.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..errors import Problem
from ..events.model import fields_of
from ..values import Duration
from .load import LoadedContract
from .model import (
    EVIDENCE_LEVELS,
    Band,
    BenefitReduction,
    CapacityFee,
    Component,
    EmploymentCondition,
    EmploymentOutcome,
    EventFee,
    Milestones,
    Phase,
    SurveyAdjustment,
    WorkHistory,
)
from .segments import SEGMENT_ATTRIBUTES_OK, coverage, describe_point

# kinds whose price may depend on the evidence level of the employment behind it
EVIDENCE_PRICED = (EmploymentOutcome, Milestones, EmploymentCondition, WorkHistory)


def check_contract(loaded: LoadedContract) -> list[Problem]:
    return list(_checks(loaded))


def _err(loaded: LoadedContract, code: str, message: str, *path: str | int) -> Problem:
    return Problem(code, message, loaded.source(*path))


def _key_err(loaded: LoadedContract, code: str, message: str, *path: str | int) -> Problem:
    """A problem with a mapping key itself (an unknown name): located at the key."""
    return Problem(code, message, loaded.doc.key_source(tuple(path)))


def _checks(lc: LoadedContract) -> Iterator[Problem]:
    c = lc.contract
    md = c.metadata
    if md.valid_until < md.valid_from:
        yield _err(lc, "C205", f"valid_until {md.valid_until} is before valid_from "
                   f"{md.valid_from}", "metadata", "valid_until")
    provider_ids = [p.id for p in md.providers]
    yield from _duplicates(lc, provider_ids, "C212", "provider id",
                           lambda i: ("metadata", "providers", i, "id"))
    w = c.windows
    for name in ("referrals_until", "outcomes_until"):
        value = getattr(w, name)
        if value is not None and value < md.valid_from:
            yield _err(lc, "C205", f"windows.{name} {value} is before the contract's "
                       f"valid_from {md.valid_from}", "windows", name)
    if w.referrals_until and w.outcomes_until and w.outcomes_until < w.referrals_until:
        yield _err(lc, "C205", f"windows.outcomes_until {w.outcomes_until} is before "
                   f"referrals_until {w.referrals_until}", "windows", "outcomes_until")

    if w.service.max_length.count == 0:
        yield _err(lc, "C211", "the service's max_length must be longer than 0",
                   "windows", "service", "max_length")

    segment_ids = c.segment_ids()
    if c.segments is not None:
        yield from _duplicates(lc, segment_ids, "C212", "segment id",
                               lambda i: ("segments", "tiers", i, "id"))
        yield from _segment_checks(lc)

    component_ids = [comp.id for comp in c.components]
    yield from _duplicates(lc, component_ids, "C201", "component id",
                           lambda i: ("components", i, "id"))
    for i, comp in enumerate(c.components):
        yield from _component_checks(lc, i, comp, segment_ids, provider_ids, component_ids)

    if c.caps.per_customer is not None:
        yield from _price_checks(lc, c.caps.per_customer, segment_ids, False,
                                 ("caps", "per_customer"))


def _duplicates(lc: LoadedContract, ids: list[str], code: str, what: str,
                path: Any) -> Iterator[Problem]:
    seen: set[str] = set()
    for i, ident in enumerate(ids):
        if ident in seen:
            yield _err(lc, code, f"duplicate {what} '{ident}'", *path(i))
        seen.add(ident)


def _segment_checks(lc: LoadedContract) -> Iterator[Problem]:
    seg = lc.contract.segments
    assert seg is not None
    for i, tier in enumerate(seg.tiers):
        for name in tier.when:
            if name not in SEGMENT_ATTRIBUTES_OK and not name.startswith("attr_"):
                yield _key_err(lc, "C213", f"unknown segment attribute '{name}'; use one "
                               f"of {', '.join(SEGMENT_ATTRIBUTES_OK)} or attr_<name>",
                               "segments", "tiers", i, "when", name)
        if seg.source == "referral" and tier.when:
            yield _err(lc, "C214", f"segment '{tier.id}' has rules, but segments come from "
                       "the referral (source: referral)", "segments", "tiers", i, "when")
    if seg.source == "referral":
        return
    issues, mixed = coverage(seg)
    for name in mixed:
        yield _err(lc, "C213", f"segment attribute '{name}' is used both as a range and as "
                   "a value list or true/false", "segments", "tiers")
    for issue in issues:
        if issue.kind == "unchecked":
            yield Problem("C215", "segments combine too many ranges and values to check that "
                          "every customer falls in exactly one; check them by hand",
                          lc.source("segments", "tiers"))
        elif issue.kind == "gap":
            yield _err(lc, "C207", "segments leave a gap: a customer with "
                       f"{describe_point(issue.example)} falls in no segment "
                       "(add a tier, or widen a range)", "segments", "tiers")
        else:
            who = (f"a customer with {describe_point(issue.example)}" if issue.example
                   else "every customer")
            yield _err(lc, "C206", f"segments {', '.join(issue.segments)} overlap: {who} "
                       "falls in all of them (narrow a range, or set policy: first_match)",
                       "segments", "tiers")


def _price_checks(lc: LoadedContract, price: Any, segment_ids: list[str],
                  evidence_ok: bool, path: tuple[str | int, ...],
                  applies_to: list[str] | None = None) -> Iterator[Problem]:
    if not isinstance(price, dict):
        return
    keys = list(price)
    seg_keys = [k for k in keys if k in segment_ids]
    ev_keys = [k for k in keys if k in EVIDENCE_LEVELS]
    where = ".".join(str(p) for p in path)
    for k in keys:
        if k not in segment_ids and k not in EVIDENCE_LEVELS:
            yield _key_err(lc, "C202", f"{where}: '{k}' is neither a segment "
                           f"({', '.join(segment_ids)}) nor an evidence level", *path, k)
    if seg_keys and ev_keys:
        yield _err(lc, "C202", f"{where} mixes segment and evidence keys; nest evidence "
                   "levels under each segment", *path)
    if ev_keys and not evidence_ok:
        yield _err(lc, "C202", f"{where}: prices by evidence level only apply to "
                   "employment-based fees", *path)
    if seg_keys:
        needed = applies_to if applies_to is not None else segment_ids
        missing = [s for s in needed if s not in price]
        if missing:
            yield _err(lc, "C203", f"{where} has no price for segment(s) "
                       f"{', '.join(missing)}", *path)
    for k, v in price.items():
        if isinstance(v, dict):
            if k not in segment_ids:
                yield _key_err(lc, "C202", f"{where}.{k}: only a segment may hold a table "
                               "of evidence levels", *path, k)
            for ek in v:
                if ek not in EVIDENCE_LEVELS:
                    yield _key_err(lc, "C202", f"{where}.{k}: '{ek}' is not an evidence "
                                   f"level ({', '.join(EVIDENCE_LEVELS)})", *path, k, ek)
            if not evidence_ok:
                yield _err(lc, "C202", f"{where}: prices by evidence level only apply to "
                           "employment-based fees", *path, k)


def _phase_checks(lc: LoadedContract, phase: Phase | None, service: Duration,
                  path: tuple[str | int, ...]) -> Iterator[Problem]:
    if phase is None:
        return
    start = phase.from_
    # flagged when the phase is empty for every service start (mixed units: by day bounds)
    if start is not None and (start.count >= phase.until.count if start.unit == phase.until.unit
                              else start.min_days() >= phase.until.max_days()):
        yield _err(lc, "C204", f"phase starts at {start} but ends at {phase.until}",
                   *path, "until")
    if _longer(phase.until, service):
        yield _err(lc, "C204", f"phase ends {phase.until} after the service start, later "
                   f"than the service's maximum length of {service}", *path, "until")


def _longer(a: Duration, b: Duration) -> bool:
    """``a`` is certainly longer than ``b`` (exact for equal units; else by day bounds)."""
    if a.unit == b.unit:
        return a.count > b.count
    return a.min_days() > b.max_days()


def _component_checks(lc: LoadedContract, i: int, comp: Component, segment_ids: list[str],
                      provider_ids: list[str], component_ids: list[str]) -> Iterator[Problem]:
    base = ("components", i)
    service = lc.contract.windows.service.max_length
    applies = comp.segments
    if applies is not None:
        for j, s in enumerate(applies):
            if s not in segment_ids:
                yield _err(lc, "C202", f"unknown segment '{s}'", *base, "segments", j)
    evidence_ok = isinstance(comp, EVIDENCE_PRICED)
    for name in ("amount", "rate", "cap", "budget"):
        price = getattr(comp, name, None)
        if price is not None:
            yield from _price_checks(lc, price, segment_ids, evidence_ok and name != "cap",
                                     (*base, name), applies)
    if hasattr(comp, "phase"):
        yield from _phase_checks(lc, comp.phase, service, (*base, "phase"))

    if isinstance(comp, EventFee):
        fields = fields_of(comp.event)
        for key in comp.where:
            if key not in fields and not (comp.event == "referral" and key.startswith("attr_")):
                # a misspelt field would make the fee silently never pay
                has = ", ".join(sorted(fields - {"event_id", "customer_id", "void"}))
                article = "an" if comp.event[0] in "aeiou" else "a"
                yield Problem("C216", f"{article} {comp.event} row has no field '{key[:60]}'; "
                              f"it has {has}", lc.doc.key_source((*base, "where", key)))
    if isinstance(comp, CapacityFee):
        if comp.provider is not None and comp.provider not in provider_ids:
            yield _err(lc, "C208", f"unknown provider '{comp.provider}'", *base, "provider")
        if comp.provider is None and len(provider_ids) > 1:
            yield _err(lc, "C208", "a capacity fee must name its provider when the contract "
                       "has several", *base)
        if comp.from_ and comp.until and comp.until < comp.from_:
            yield _err(lc, "C205", f"until {comp.until} is before from {comp.from_}",
                       *base, "until")
    work_rules = getattr(comp, "work", None)
    if work_rules is not None and work_rules.full_time_hours <= 0:
        yield _err(lc, "C211", "work.full_time_hours must be above 0",
                   *base, "work", "full_time_hours")
    if isinstance(comp, (EmploymentOutcome, Milestones)):
        work = comp.work
        if not work.kinds:
            yield _err(lc, "C211", "no employment kind counts (work.kinds is empty)",
                       *base, "work", "kinds")
    if isinstance(comp, Milestones):
        for j in range(1, len(comp.steps)):
            if not _longer(comp.steps[j].after, comp.steps[j - 1].after):
                yield _err(lc, "C210", f"milestone {j + 1} ({comp.steps[j].after}) is not "
                           f"after milestone {j} ({comp.steps[j - 1].after})",
                           *base, "steps", j, "after")
        for j, step in enumerate(comp.steps):
            yield from _price_checks(lc, step.amount, segment_ids, True,
                                     (*base, "steps", j, "amount"), applies)
        if comp.sustainment is not None:
            yield from _price_checks(lc, comp.sustainment.amount, segment_ids, True,
                                     (*base, "sustainment", "amount"), applies)
        bt = comp.benefit_test
        if bt is not None:
            if (bt.partial_fall is None) != (bt.partial_share is None):
                yield _err(lc, "C217", "benefit_test needs both partial_fall and "
                           "partial_share, or neither", *base, "benefit_test")
            if bt.partial_fall is not None and bt.partial_fall >= bt.full_fall:
                yield _err(lc, "C219", "benefit_test.partial_fall must be below full_fall",
                           *base, "benefit_test", "partial_fall")
    if isinstance(comp, EmploymentCondition):
        if comp.unit == "weeks" and comp.min_hours_per_week is None:
            yield _err(lc, "C217", "unit: weeks needs min_hours_per_week", *base)
        if comp.unit == "months" and comp.min_monthly_wage is None:
            yield _err(lc, "C217", "unit: months needs min_monthly_wage", *base)
        if comp.unit == "weeks" and comp.min_monthly_wage is not None:
            yield _err(lc, "C218", "min_monthly_wage applies to unit: months",
                       *base, "min_monthly_wage")
        if comp.unit == "months" and comp.min_hours_per_week is not None:
            yield _err(lc, "C218", "min_hours_per_week applies to unit: weeks",
                       *base, "min_hours_per_week")
    if isinstance(comp, BenefitReduction):
        yield from _price_checks(lc, comp.full.amount, segment_ids, False,
                                 (*base, "full", "amount"), applies)
        if comp.partial is not None:
            yield from _price_checks(lc, comp.partial.amount, segment_ids, False,
                                     (*base, "partial", "amount"), applies)
            if comp.partial.min_fall >= comp.full.min_fall:
                yield _err(lc, "C219", "partial.min_fall must be below full.min_fall",
                           *base, "partial", "min_fall")
    if isinstance(comp, SurveyAdjustment):
        yield from _survey_checks(lc, comp, base, segment_ids, component_ids)


def _survey_checks(lc: LoadedContract, comp: SurveyAdjustment, base: tuple[str | int, ...],
                   segment_ids: list[str], component_ids: list[str]) -> Iterator[Problem]:
    for j, target in enumerate(comp.applies_to):
        if target not in component_ids:
            yield _err(lc, "C209", f"unknown component '{target}'", *base, "applies_to", j)
        elif target == comp.id:
            yield _err(lc, "C209", "a survey adjustment cannot apply to itself",
                       *base, "applies_to", j)
    if comp.mode == "multiplier" and not comp.applies_to:
        yield _err(lc, "C217", "mode: multiplier needs applies_to", *base)
    if comp.mode == "bonus" and comp.applies_to:
        yield _err(lc, "C218", "applies_to is only for mode: multiplier", *base, "applies_to")
    for j, band in enumerate(comp.bands):
        yield from _band_checks(lc, comp, band, (*base, "bands", j), segment_ids)
        if j and band.min_score <= comp.bands[j - 1].min_score:
            yield _err(lc, "C210", "bands must be in increasing min_score",
                       *base, "bands", j, "min_score")


def _band_checks(lc: LoadedContract, comp: SurveyAdjustment, band: Band,
                 path: tuple[str | int, ...], segment_ids: list[str]) -> Iterator[Problem]:
    if comp.mode == "bonus":
        if band.amount is None:
            yield _err(lc, "C217", "a bonus band needs an amount", *path)
        if band.factor is not None:
            yield _err(lc, "C218", "a bonus band has an amount, not a factor", *path, "factor")
        if band.amount is not None:
            yield from _price_checks(lc, band.amount, segment_ids, False, (*path, "amount"),
                                     comp.segments)
        return
    if band.factor is None:
        yield _err(lc, "C217", "a multiplier band needs a factor", *path)
    if band.amount is not None:
        yield _err(lc, "C218", "a multiplier band has a factor, not an amount", *path,
                   "amount")
