"""Cross-checks a schema cannot express: references, coverage, windows, price tables.

They run on a ``Draft``: every part whose schema is valid is checked; a check that needs a part
with errors (the segments, to check a price table's keys) is skipped, and the skip is said
(``P001``). Each problem is located at the key that is wrong. What only one kind can see is
asked of the component (``ComponentBase.checks``); the generic questions (its price tables,
its phase, the work it counts) are asked the same way of every kind.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from ..errors import Problem
from ..shown import meant, quoted
from ..values import Duration
from .einvoice_checks import einvoice_checks
from .load import Draft
from .model import (
    BOUND_TYPES,
    EMPLOYMENT_KINDS,
    EVIDENCE_LEVELS,
    PRICE_DIMENSIONS,
    ComponentBase,
    Dated,
    Path,
    PriceTable,
    Range,
    Site,
    price_dimension,
)
from .segments import SEGMENT_ATTRIBUTES_OK, coverage, describe_point


def check_contract(draft: Draft) -> list[Problem]:
    return list(_checks(draft))


# cross-check errors after which a part's values mean nothing to what reads them as a
# whole: dates out of order (a contract ending before it starts)
_UNREADABLE_AFTER = frozenset({"C205"})


def _err(draft: Draft, code: str, message: str, *path: str | int) -> Problem:
    if code in _UNREADABLE_AFTER and path and isinstance(path[0], str):
        draft.faulty.add(path[0])  # lint reading the part as a whole skips it
    return Problem(code, message, draft.source(*path))


def _key_err(draft: Draft, code: str, message: str, *path: str | int) -> Problem:
    """A problem with a mapping key itself (an unknown name): located at the key."""
    return Problem(code, message, draft.key_source(*path))


def skipped(draft: Draft, what: str, because: str, *path: str | int) -> Problem:
    """A check not made because what it needs has errors: said, so nothing hides silently."""
    return Problem("P001", f"{what} not checked: {because}", draft.source(*path))


def _checks(draft: Draft) -> Iterator[Problem]:
    yield from _metadata_checks(draft)
    yield from einvoice_checks(draft)
    yield from _window_checks(draft)
    if draft.segments is not None:
        ids = [t.id for t in draft.segments.tiers]
        yield from _duplicates(draft, ids, "C212", "segment id",
                               lambda i: ("segments", "tiers", i, "id"))
        yield from _segment_checks(draft)
    component_ids = draft.component_ids()
    yield from _duplicates(draft, component_ids, "C201", "component id",
                           lambda i: ("components", i, "id"))
    if not draft.valid("segments"):
        yield skipped(draft, "price tables and segment lists of the components",
                      "the segments have errors", "segments")
    for i, comp in draft.items():
        yield from _component_checks(draft, i, comp, component_ids)
    yield from _example_checks(draft, component_ids)
    yield from _alternative_checks(draft, component_ids)
    caps = draft.caps
    if caps is not None and caps.per_customer is not None:
        yield from _price_checks(draft, PriceTable(("per_customer",), caps.per_customer, "cap",
                                                   "cap"), ("caps",), None)


def _example_checks(draft: Draft, component_ids: list[str]) -> Iterator[Problem]:
    """A worked example expects lines of components the contract has, each example named
    once (so `rewardengine test` can report it by name)."""
    examples = sorted(draft.examples.items())
    named: set[str] = set()
    for i, example in examples:
        if example.name in named:
            yield _err(draft, "C221", f"duplicate worked example name '{example.name}'",
                       "tests", i, "name")
        named.add(example.name)
    for i, example in examples:
        for j, want in enumerate(example.expect):
            if want.component not in component_ids:
                yield _err(draft, "C221", f"worked example {quoted(example.name, 60)} expects "
                           f"a line of component {quoted(want.component, 40)}, which the "
                           f"contract does not have{meant(want.component, component_ids)}",
                           "tests", i, "expect", j, "component")


def _alternative_checks(draft: Draft, component_ids: list[str]) -> Iterator[Problem]:
    """Each group of alternatives names components the contract has that earn fees of their
    own, each once, and no component is in two groups (which one would it lose to?)."""
    grouped: dict[str, int] = {}
    for i, alternative in enumerate(draft.alternatives or []):
        for j, ident in enumerate(alternative.components):
            where = ("alternatives", i, "components", j)
            comp = draft.component(ident)
            if ident not in component_ids:
                yield _err(draft, "C230", f"unknown component '{ident}'", *where)
            elif ident in alternative.components[:j]:
                yield _err(draft, "C230", f"component '{ident}' is listed twice", *where)
            elif ident in grouped:
                yield _err(draft, "C230", f"component '{ident}' is already in the group of "
                           f"alternatives {grouped[ident] + 1}; a component can be in one "
                           "group only", *where)
            elif comp is not None and comp.adjusts():
                yield _err(draft, "C230", f"component '{ident}' adjusts other fees and earns "
                           "none of its own, so it cannot be an alternative", *where)
            grouped.setdefault(ident, i)


def _metadata_checks(draft: Draft) -> Iterator[Problem]:
    md = draft.metadata
    if md is None:
        return
    if md.valid_until < md.valid_from:
        yield _err(draft, "C205", f"valid_until {md.valid_until} is before valid_from "
                   f"{md.valid_from}", "metadata", "valid_until")
    ids = [p.id for p in md.providers]
    yield from _duplicates(draft, ids, "C212", "provider id",
                           lambda i: ("metadata", "providers", i, "id"))
    if md.lead_provider is not None and md.lead_provider not in ids:
        yield _err(draft, "C202", f"lead_provider {quoted(md.lead_provider, 40)} is not one of "
                   f"the providers ({', '.join(ids)}){meant(md.lead_provider, ids)}",
                   "metadata", "lead_provider")


def _window_checks(draft: Draft) -> Iterator[Problem]:
    w, md = draft.windows, draft.metadata
    if w is None:
        return
    if md is not None:
        for name in ("referrals_until", "outcomes_until"):
            value = getattr(w, name)
            if value is not None and value < md.valid_from:
                yield _err(draft, "C205", f"windows.{name} {value} is before the contract's "
                           f"valid_from {md.valid_from}", "windows", name)
    # the contract's end, where the referral day is after it (None: it is not)
    ends = md.valid_until if md is not None and w.referrals_until is not None \
        and w.referrals_until > md.valid_until else None
    if ends is not None:
        yield _err(draft, "C205", f"windows.referrals_until {w.referrals_until} is after the "
                   f"contract's valid_until {ends}: no customer is referred after the "
                   "contract ends", "windows", "referrals_until")
    # outcomes_until on or after the contract's end is before a referral day after it: one
    # mistake, said once (at the referral day)
    if w.referrals_until and w.outcomes_until and w.outcomes_until < w.referrals_until \
            and not (ends is not None and w.outcomes_until >= ends):
        yield _err(draft, "C205", f"windows.outcomes_until {w.outcomes_until} is before "
                   f"referrals_until {w.referrals_until}", "windows", "outcomes_until")
    if w.service.max_length.count == 0:
        yield _err(draft, "C211", "the service's max_length must be longer than 0",
                   "windows", "service", "max_length")


def _duplicates(draft: Draft, ids: Sequence[str], code: str, what: str,
                path: Any) -> Iterator[Problem]:
    seen: set[str] = set()
    for i, ident in enumerate(ids):
        if ident in seen:
            yield _err(draft, code, f"duplicate {what} '{ident}'", *path(i))
        seen.add(ident)


def _segment_checks(draft: Draft) -> Iterator[Problem]:
    seg = draft.segments
    assert seg is not None
    bounds: list[Problem] = []  # the ranges' own problems
    unknown = False
    for i, tier in enumerate(seg.tiers):
        for name in tier.when:
            if name not in SEGMENT_ATTRIBUTES_OK and not name.startswith("attr_"):
                unknown = True
                close = difflib.get_close_matches(name, SEGMENT_ATTRIBUTES_OK, n=1)
                hint = f"did you mean '{close[0]}'? " if close else ""
                yield _key_err(draft, "C213", f"unknown segment attribute {quoted(name, 40)}; "
                               f"{hint}use one of {', '.join(SEGMENT_ATTRIBUTES_OK)} or "
                               "attr_<name>", "segments", "tiers", i, "when", name)
        for name, cond in tier.when.items():
            if isinstance(cond, Range):
                bounds.extend(_range_checks(draft, name, cond,
                                            ("segments", "tiers", i, "when", name)))
        if seg.source == "referral" and tier.when:
            yield _err(draft, "C214", f"segment '{tier.id}' has rules, but segments come "
                       "from the referral (source: referral)", "segments", "tiers", i, "when")
    yield from bounds
    if seg.source == "referral":
        return
    if any(p.code == "C213" for p in bounds):  # a bound of the wrong type reads as another
        # kind of rule (an empty range, C219, is checked: its gap is a real one)
        yield skipped(draft, "whether every customer falls in exactly one segment",
                      "a segment's range has a bound of the wrong type", "segments", "tiers")
        return
    if unknown:  # a rule no customer has a value for: its gaps and overlaps are not real
        yield skipped(draft, "whether every customer falls in exactly one segment",
                      "a segment's rule names an unknown attribute", "segments", "tiers")
        return
    issues, mixed = coverage(seg)
    for name in mixed:
        yield _err(draft, "C213", f"segment attribute '{name}' is used both as a range and "
                   "as a value list or true/false", "segments", "tiers")
    for issue in issues:
        if issue.kind == "unchecked":
            yield Problem("C215", "segments combine too many ranges and values to check that "
                          "every customer falls in exactly one; check them by hand",
                          draft.source("segments", "tiers"))
        elif issue.kind == "gap":
            yield _err(draft, "C207", "segments leave a gap: a customer with "
                       f"{describe_point(issue.example)} falls in no segment "
                       "(add a tier, or widen a range)", "segments", "tiers")
        else:
            who = (f"a customer with {describe_point(issue.example)}" if issue.example
                   else "every customer")
            yield _err(draft, "C206", f"segments {', '.join(issue.segments)} overlap: {who} "
                       "falls in all of them (narrow a range, or set policy: first_match)",
                       "segments", "tiers")


def _dated_checks(draft: Draft, leaf: Any, path: Path) -> Iterator[Problem]:
    """A value that changes on dates has one from the contract's first day: before its first
    date it has none, and a fee earned then could not be priced. Every value of a component
    is looked at: prices, thresholds, nested keys."""
    md = draft.metadata
    if isinstance(leaf, dict):
        for k, v in leaf.items():
            yield from _dated_checks(draft, v, (*path, k))
    elif isinstance(leaf, list):
        for j, v in enumerate(leaf):
            yield from _dated_checks(draft, v, (*path, j))
    elif isinstance(leaf, BaseModel) and not isinstance(leaf, Dated):
        for name, field_info in type(leaf).model_fields.items():
            yield from _dated_checks(draft, getattr(leaf, name),
                                     (*path, field_info.alias or name))
    elif isinstance(leaf, Dated) and md is not None:
        first = leaf.changes()[0][0]
        if first > md.valid_from:
            yield _err(draft, "C220", f"{'.'.join(str(p) for p in path)}: the first of these "
                       f"values holds from {first}, after the contract's valid_from "
                       f"{md.valid_from}; give a value from {md.valid_from}", *path, "values")


def _range_checks(draft: Draft, name: str, cond: Range, path: Path) -> Iterator[Problem]:
    """One lower and one upper bound at most, of the type the attribute is measured in, the
    lower below the upper."""
    lowers = [k for k in ("min", "at_least", "more_than") if getattr(cond, k) is not None]
    uppers = [k for k in ("max", "less_than", "at_most") if getattr(cond, k) is not None]
    for keys in (lowers, uppers):
        if len(keys) > 1:
            yield _key_err(draft, "C218", f"{name}: {' and '.join(keys)} are both bounds on "
                           "the same side; give one", *path, keys[1])
    wanted = BOUND_TYPES.get(name, Decimal)
    words = {Decimal: "a number", date: "a date written YYYY-MM-DD",
             Duration: "a duration like '24 months'"}
    for key, bound in cond.bounds():
        if not isinstance(bound, wanted) or isinstance(bound, bool):
            yield _err(draft, "C213", f"{name}: the bound {key} must be {words[wanted]}, "
                       f"not '{str(bound)[:40]}'", *path, key)
    lower, upper = cond.lower(), cond.upper()
    if lower and upper and type(lower[0]) is type(upper[0]) and _empty(lower, upper):
        yield _err(draft, "C219", f"{name}: the range is empty (its lower bound is not below "
                   "its upper bound)", *path)


def _empty(lower: tuple[Any, bool], upper: tuple[Any, bool]) -> bool:
    lo, hi = lower[0], upper[0]
    if isinstance(lo, Duration):
        if lo.unit != hi.unit:
            return False  # compared by calendar date: not decided here
        lo, hi = lo.count, hi.count
    return bool(lo > hi or (lo == hi and not (lower[1] and upper[1])))


_KEY_WORDS = {"segment": "segment", "kind": "employment kind", "evidence": "evidence"}
_PLURAL = {"segment": "segments", "kind": "employment kinds", "evidence": "evidence levels"}
_ONE = {"segment": "a segment", "kind": "an employment kind", "evidence": "an evidence level"}


def _price_checks(draft: Draft, table: PriceTable, base: Path,
                  applies_to: list[str] | None) -> Iterator[Problem]:
    """A price table's keys: segment ids, employment kinds (where the table may be priced by
    kind) and evidence levels, nested in that order, one dimension per mapping; a table by
    segment prices every segment the component applies to, a table by kind every kind it
    counts."""
    price = table.price
    segment_ids = draft.segment_ids()
    if not isinstance(price, dict) or segment_ids is None:
        return
    path = (*base, *table.path)
    yield from _level_checks(draft, table, price, path, segment_ids, applies_to, None)


def _level_checks(draft: Draft, table: PriceTable, cell: dict[str, Any], path: Path,
                  segment_ids: list[str], applies_to: list[str] | None, outer: str | None
                  ) -> Iterator[Problem]:
    where = ".".join(str(p) for p in path)
    dims = {k: price_dimension(k, segment_ids) for k in cell}
    here = [d for d in PRICE_DIMENSIONS if d in dims.values()]
    for k, dim in dims.items():
        if dim is None:
            yield _key_err(draft, "C202", _unknown_key(where, k, here, segment_ids, outer,
                                                       set(cell)), *path, k)
    yield from _dimension_checks(draft, table, path, where, here, outer)
    if "segment" in here:
        needed = applies_to if applies_to is not None else segment_ids
        missing = [s for s in needed if s not in cell]
        if missing:
            yield _err(draft, "C203", f"{where} has no price for segment(s) "
                       f"{', '.join(missing)}", *path)
    if "kind" in here and table.by_kind and table.role != "cap":
        missing = [k for k in table.by_kind if k not in cell]
        if missing:
            yield _err(draft, "C203", f"{where} has no price for employment kind(s) "
                       f"{', '.join(missing)}, which the component counts", *path)
    for k, v in cell.items():
        if isinstance(v, dict):
            yield from _nested_checks(draft, table, k, v, path, where, dims[k], here,
                                      segment_ids, applies_to)


def _unknown_key(where: str, k: str, here: list[str], segment_ids: list[str],
                 outer: str | None, given: set[str]) -> str:
    if outer is not None:
        dim = "kind" if "kind" in here else "evidence"
        values = EMPLOYMENT_KINDS if dim == "kind" else EVIDENCE_LEVELS
        return f"{where}: {quoted(k, 40)} is not {_ONE[dim]} ({', '.join(values)})" + \
            meant(k, [v for v in values if v not in given])
    names = [f"a segment ({', '.join(segment_ids)})",
             *(["an employment kind"] if "kind" in here else []), "an evidence level"]
    return (f"{where}: {quoted(k, 40)} is neither {', '.join(names[:-1])} nor {names[-1]}"
            + meant(k, [n for n in (*segment_ids, *(EMPLOYMENT_KINDS if "kind" in here
                                                      else ()), *EVIDENCE_LEVELS)
                         if n not in given]))  # a name written already is not the one meant


def _dimension_checks(draft: Draft, table: PriceTable, path: Path, where: str,
                      here: list[str], outer: str | None) -> Iterator[Problem]:
    if len(here) > 1:
        a, b = here[0], here[1]
        yield _err(draft, "C202", f"{where} mixes {_KEY_WORDS[a]} and {_KEY_WORDS[b]} keys; "
                   f"nest {_PLURAL[b]} under each {_KEY_WORDS[a]}", *path)
    if outer is not None and here and PRICE_DIMENSIONS.index(here[0]) <= \
            PRICE_DIMENSIONS.index(outer):
        yield _err(draft, "C202", f"{where}: {_PLURAL[here[0]]} cannot be nested under "
                   f"{_ONE[outer]} (prices nest segment, then employment kind, then "
                   "evidence level)", *path)
    ok = table.role != "cap"
    if "evidence" in here and not (table.by_evidence and ok):
        yield _err(draft, "C202", f"{where}: prices by evidence level only apply to "
                   "employment-based fees", *path)
    if "kind" in here and not (table.by_kind and ok):
        yield _err(draft, "C202", f"{where}: prices by employment kind only apply to the "
                   "fees of employment_outcome", *path)


def _nested_checks(draft: Draft, table: PriceTable, k: str, cell: dict[str, Any], path: Path,
                   where: str, dim: str | None, here: list[str], segment_ids: list[str],
                   applies_to: list[str] | None) -> Iterator[Problem]:
    if dim in ("segment", "kind"):
        yield from _level_checks(draft, table, cell, (*path, k), segment_ids, applies_to, dim)
        return
    if dim == "evidence":
        yield _key_err(draft, "C202", f"{where}.{k}: an evidence level holds one amount, not "
                       "a table", *path, k)
        return
    if dim is None:
        return  # a name of no dimension (a misspelt segment): said already, with a hint
    inner = [d for d in PRICE_DIMENSIONS
             if any(price_dimension(x, segment_ids) == d for x in cell)] or ["evidence"]
    holder = here[0] if here and here[0] != "evidence" else "segment"
    yield _key_err(draft, "C202", f"{where}.{k}: only {_ONE[holder]} may hold a table of "
                   f"{_PLURAL[inner[0]]}", *path, k)


def _phase_checks(draft: Draft, comp: ComponentBase, base: Path) -> Iterator[Problem]:
    phase = comp.service_phase()
    if phase is None or draft.windows is None:
        return
    service = draft.windows.service.max_length
    path = (*base, "phase")
    if phase.inverted():  # empty for every service start
        yield _err(draft, "C204", f"phase starts at {phase.from_} but ends at {phase.until}",
                   *path, "until")
    if phase.until.certainly_longer(service):
        yield _err(draft, "C204", f"phase ends {phase.until} after the service start, later "
                   f"than the service's maximum length of {service}", *path, "until")


def _work_checks(draft: Draft, comp: ComponentBase, base: Path) -> Iterator[Problem]:
    rules = comp.work_rules()
    if rules is None:
        return
    if rules.full_time_hours is not None and rules.full_time_hours <= 0:
        yield _err(draft, "C211", "work.full_time_hours must be above 0",
                   *base, "work", "full_time_hours")
    if rules.must_count and not rules.weights:
        yield _err(draft, "C211", "no employment kind counts (work.kinds is empty)",
                   *base, *rules.weights_path)


def _component_checks(draft: Draft, i: int, comp: ComponentBase, component_ids: list[str]
                      ) -> Iterator[Problem]:
    base: Path = ("components", i)
    segment_ids = draft.segment_ids()
    if comp.segments is not None and segment_ids is not None:
        for j, s in enumerate(comp.segments):
            if s not in segment_ids:
                yield _err(draft, "C202", f"unknown segment {quoted(s, 40)}"
                           f"{meant(s, list(segment_ids))}; the segments are "
                           f"{', '.join(segment_ids)}", *base, "segments", j)
    for table in comp.price_tables():
        yield from _price_checks(draft, table, base, comp.segments)
    yield from _phase_checks(draft, comp, base)
    yield from _work_checks(draft, comp, base)
    yield from _dated_checks(draft, comp, base)
    site = Site(base=base, segment_ids=segment_ids, provider_ids=draft.provider_ids(),
                component_ids=component_ids,
                err=lambda code, message, *path: _err(draft, code, message, *path),
                key_err=lambda code, message, *path: _key_err(draft, code, message, *path),
                service_length=draft.windows.service.max_length if draft.windows else None,
                follow_up=draft.windows.follow_up if draft.windows else None)
    yield from comp.checks(site)
