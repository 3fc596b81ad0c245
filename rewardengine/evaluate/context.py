"""What every fee kind needs to know about one customer: segment, provider, windows, prices.

All of it is decided from the timeline as of a date; nothing here reads a clock or a file.
Segment rules read the referral's attributes *at the referral date*.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from ..contract.load import LoadedContract
from ..contract.model import (
    EMPLOYMENT_KINDS,
    EVIDENCE_LEVELS,
    ComponentBase,
    Dated,
    OutcomeWindow,
    Price,
    Windows,
    amount_at,
)
from ..contract.segments import (
    AttrValue,
    Since,
    age_attributes,
    assign,
    unemployment_attributes,
)
from ..contract.windows import Deadline, deadline, outcome_window_end, within_deadline
from ..events.model import EventBase, Referral
from ..events.timeline import Timeline
from ..periods import ONE_DAY, Period
from ..values import Duration, once, once_for
from .lines import Line, Status, line_of

WindowName = Literal["contract", "service", "service_and_follow_up"]

# the types of event every customer's context reads (``build_context``): the referral for
# the segment, the service start and end for the windows, and the provider named on them
FRAMING_EVENTS = frozenset({"referral", "service_start", "service_end"})


def referral_attributes(referral: Referral) -> dict[str, AttrValue]:
    """Segment attributes measured at the referral date."""
    attrs: dict[str, AttrValue] = {}
    on = referral.date
    attrs["referral_date"] = on
    if referral.unemployed_since is not None:
        attrs.update(unemployment_attributes(referral.unemployed_since, on))
    if referral.birth_date is not None:
        attrs.update(age_attributes(referral.birth_date, on))
    if referral.benefit_days is not None:
        attrs["benefit_days"] = Decimal(referral.benefit_days)
    if referral.partial_work_ability is not None:
        attrs["partial_work_ability"] = referral.partial_work_ability
    for key, value in referral.attributes.items():
        attrs[key] = value
    return attrs


# the referral field each measured segment attribute is read from (``referral_attributes``)
_FIELD_OF = {"unemployment_days": "unemployed_since", "unemployment_months": "unemployed_since",
             "unemployed": "unemployed_since", "age": "birth_date"}


@dataclass(frozen=True, init=False)
class CustomerContext:
    loaded: LoadedContract
    timeline: Timeline
    segment: str | None
    segment_reason: str
    provider: str | None
    provider_reason: str
    service: Period | None  # [start, end); end is the actual end or the longest it may run
    service_reason: str
    service_ended: bool  # the end is final as of ``as_of``
    service_evidence: tuple[str, ...] = ()
    problems: list[str] = field(default_factory=list)
    # facts the evaluation does not use, and why (shown as warnings, never dropped silently)
    ignored: list[tuple[EventBase, str]] = field(default_factory=list)
    # facts about this customer that several components ask for, found once (the kinds key
    # them by the class or function that makes them)
    memo: dict[object, object] = field(default_factory=dict, init=False, compare=False,
                                       repr=False)

    def __init__(self, loaded: LoadedContract, timeline: Timeline, segment: str | None,
                 segment_reason: str, provider: str | None, provider_reason: str,
                 service: Period | None, service_reason: str, service_ended: bool,
                 service_evidence: tuple[str, ...] = (), problems: list[str] | None = None,
                 ignored: list[tuple[EventBase, str]] | None = None) -> None:
        # the dataclass's own __init__, the fields set in the instance's dict at once (a
        # frozen dataclass sets each through object.__setattr__: most of a context's cost)
        self.__dict__.update(
            loaded=loaded, timeline=timeline, segment=segment, segment_reason=segment_reason,
            provider=provider, provider_reason=provider_reason, service=service,
            service_reason=service_reason, service_ended=service_ended,
            service_evidence=service_evidence, problems=[] if problems is None else problems,
            ignored=[] if ignored is None else ignored, memo={})

    @property
    def as_of(self) -> date:
        return self.timeline.as_of

    @property
    def customer_id(self) -> str:
        return self.timeline.customer_id

    @property
    def entered(self) -> date | None:
        """The day the customer entered the contract's story: their referral's; with none,
        their service's start where the contract needs no referral (no segments: a voucher
        programme's data has no referral rows); None: neither is known."""
        ref = self.timeline.referral
        if ref is not None:
            return ref.date
        if self.service is None or self.loaded.contract.segments is not None:
            return None
        return self.service.start

    @property
    def currency_sign(self) -> str:
        """How reasons write the contract's currency after an amount: € for euros, else the
        ISO 4217 code (unambiguous: "kr" or "$" are not)."""
        code = self.loaded.contract.metadata.currency
        return "€" if code == "EUR" else code

    # --- windows ---------------------------------------------------------------------

    def window(self, name: WindowName) -> Period | None:
        c = self.loaded.contract
        if name == "contract":
            return Period(c.metadata.valid_from, c.metadata.valid_until + ONE_DAY)
        if self.service is None:
            return None
        return Period(self.service.start,
                      outcome_window_end(c.windows, self.service.end, name))

    def deadline(self, window: OutcomeWindow, reach_by: date | None = None,
                 active_only: bool = False, reach_within: Duration | None = None
                 ) -> Deadline | None:
        """Last day an outcome counting in ``window`` may be reached (grace included; only
        days in service with ``active_only``; at most ``reach_within`` from the service
        start); None before the service has started."""
        if self.service is None:
            return None
        windows = self.loaded.contract.windows
        known = once(_deadlines, windows)
        within = None if reach_within is None else within_deadline(self.service.start,
                                                                  reach_within)
        key = (self.service.end, window, reach_by, active_only, within)
        found = known.get(key)
        if found is None:
            if len(known) >= _DEADLINES_KEPT:
                known.clear()
            found = known[key] = deadline(windows, self.service.end, window, reach_by,
                                          active_only, within)
        return found

    def without_service(self, waiting: str, outcome: bool = True
                        ) -> tuple[Status, str, date | None]:
        """Status, reason and date for a fee of a customer whose service has not started.

        Pending while a service can still start; not earned once the contract has ended
        (``valid_until``) or, for an outcome fee, its ``outcomes_until`` has passed with no
        service start. Fees for delivered service (events, hours, expenses) wait for the
        contract's end only.
        """
        c = self.loaded.contract
        ends = [(c.metadata.valid_until, "the contract ended")]
        if outcome and c.windows.outcomes_until is not None:
            ends.append((c.windows.outcomes_until, "its outcomes_until date passed"))
        last, why = min(ends)
        if self.as_of > last:
            return ("not_earned", f"no service start was recorded by {last}, when {why} "
                    f"({self.service_reason})", last)
        return "pending", f"{waiting}: {self.service_reason}", None

    # --- prices ----------------------------------------------------------------------

    def price(self, price: Price | None, evidence: str | None = None,
              on: date | None = None, kind: str | None = None) -> Decimal | None:
        """The amount for this customer's segment (and employment kind, and evidence level)
        in force on ``on`` (the day the fee is earned; the evaluation date when left out);
        None: not priced. A table by kind asked for no kind gives the most any kind pays; a
        table by evidence asked for no level, the strongest level priced."""
        if price is None or isinstance(price, Decimal):
            return price  # a plain amount: the same for everyone on every day
        return self._cell(price, evidence, on or self.as_of, kind)

    def _cell(self, cell: Any, evidence: str | None, day: date, kind: str | None
              ) -> Decimal | None:
        if not isinstance(cell, dict):
            return amount_at(cell, day)
        # the path through a table is the same for every customer of a segment: found once,
        # and with it the price itself when no amount on the path is dated
        leaves, by_day, price = once_for(_leaves, cell, (self.segment, evidence, kind))
        return _most(leaves, day) if by_day else price

    @property
    def priced_on(self) -> date:
        """The day the customer's own limits (caps, budgets) are read: the service start,
        or the evaluation date before it."""
        return self.service.start if self.service is not None else self.as_of

    # --- lines -----------------------------------------------------------------------

    def line(self, component: ComponentBase, *, status: Status, occurrence: str, on: date | None,
             quantity: Decimal, unit_price: Decimal, reason: str,
             evidence: tuple[str, ...] | list[str] = (),
             period: Period | None = None, provider: str | None = None) -> Line:
        """A line of this customer; ``provider``: the consortium member that delivered what
        the line pays for (an hours, contact or expense row naming one), else the customer's
        provider."""
        start, end = (period.start, period.end) if period else (None, None)
        cid, kind, clause = self.loaded.line_head(component)
        return line_of(cid, kind, clause, self.timeline.customer_id, self.segment,
                       provider or self.provider, status, occurrence, on, quantity,
                       unit_price, reason, evidence, start, end)


_DeadlineKey = tuple[date, OutcomeWindow, date | None, bool, Deadline | None]
_DEADLINES_KEPT = 10_000  # deadlines kept per contract (beyond it, start again)


def _deadlines(windows: Windows) -> dict[_DeadlineKey, Deadline]:
    """The deadlines found so far under a contract's windows, by the service's end and
    what else they depend on: a deadline is the same for every customer whose service ends
    on the same day (a run's customers share a few hundred ends)."""
    return {}


def _leaves(cell: Any, asked: tuple[str | None, str | None, str | None]
            ) -> tuple[tuple[Any, ...], bool, Decimal | None]:
    """``customer_leaves`` for ``asked`` = (segment, evidence, kind), as ``once_for`` keeps
    it; whether the price depends on the day (an amount among them is dated); and the price
    on any day when it does not."""
    leaves = tuple(customer_leaves(cell, *asked))
    if any(isinstance(leaf, Dated) for leaf in leaves):
        return leaves, True, None
    return leaves, False, _most(leaves, date.min)


def _most(leaves: tuple[Any, ...], day: date) -> Decimal | None:
    """The price of ``leaves`` on ``day``: the one amount, or the most of several (the
    first of equal ones); None when none is priced."""
    if len(leaves) == 1:
        return amount_at(leaves[0], day)
    return max((v for leaf in leaves if (v := amount_at(leaf, day)) is not None),
               default=None)


def customer_leaves(cell: Any, segment: str | None, evidence: str | None, kind: str | None
                 ) -> list[Any]:
    """The amounts (plain or dated) a price cell gives a customer of ``segment`` for
    ``evidence`` and ``kind``: one, or none (not priced); several for a table by kind asked
    for no kind, of which the price is the most any pays on the day (the first of equal
    ones, in the order of ``EMPLOYMENT_KINDS``)."""
    if not isinstance(cell, dict):
        return [cell]
    if segment is not None and segment in cell:
        return customer_leaves(cell[segment], segment, evidence, kind)
    if any(k in EMPLOYMENT_KINDS for k in cell):
        if kind is not None:
            return customer_leaves(cell[kind], segment, evidence, kind) if kind in cell else []
        return [leaf for k in EMPLOYMENT_KINDS if k in cell
                for leaf in customer_leaves(cell[k], segment, evidence, None)]
    if evidence is None:
        # a table by evidence level with no evidence asked: the strongest level priced
        for level in EVIDENCE_LEVELS:
            if level in cell and not isinstance(cell[level], dict):
                return [cell[level]]
        return []
    value = cell.get(evidence)
    return [] if value is None or isinstance(value, dict) else [value]


def assign_segment(loaded: LoadedContract, referral: Referral | None
                   ) -> tuple[str | None, str, str | None]:
    """The customer's segment from the referral: (segment, reason, problem)."""
    seg = loaded.contract.segments
    if seg is None:
        return "default", "the contract has one price tier", None
    if referral is None:
        return None, "no referral yet", "no referral recorded, so no segment"
    if seg.source == "referral":
        ids = [t.id for t in seg.tiers]
        if referral.segment is None:
            return None, "no segment on the referral", (
                f"referral {referral.event_id} gives no segment")
        if referral.segment not in ids:
            return None, "unknown segment", (
                f"referral {referral.event_id} names segment '{referral.segment}', not one "
                f"of {', '.join(ids)}")
        return referral.segment, f"segment given on referral {referral.event_id}", None
    attrs = referral_attributes(referral)
    hits = assign(seg, attrs)
    # a duration reads from its first day: the referral's date is said with it
    shown = ", ".join(f"{k} since {v.start}" if isinstance(v, Since) else f"{k}={v}"
                      for k, v in sorted(attrs.items()) if any(k in t.when for t in seg.tiers))
    if not hits:
        read = sorted({_FIELD_OF.get(k, k) for t in seg.tiers for k in t.when
                       if k not in attrs})
        lacking = (f": it gives no {', '.join(read)}, which the segments' rules read"
                   if read else "")
        return None, "no segment matches", (
            f"referral {referral.event_id} ({shown or 'no attributes'}) matches no "
            f"segment{lacking}")
    if len(hits) > 1 and seg.policy == "exclusive":
        return None, "several segments match", (
            f"referral {referral.event_id} matches segments "
            f"{', '.join(t.id for t in hits)}")
    first = hits[0]
    if not shown:
        return first.id, f"at referral {referral.date}: the rules of {first.id} ask nothing", None
    return first.id, f"at referral {referral.date}: {shown}", None


def _provider_ids(loaded: LoadedContract) -> tuple[str, ...]:
    return tuple(p.id for p in loaded.contract.metadata.providers)


def _provider(loaded: LoadedContract, timeline: Timeline) -> tuple[str | None, str, str | None]:
    providers = once(_provider_ids, loaded)
    chosen: tuple[str, str] | None = None
    for start in timeline.service_starts:
        if start.provider:
            chosen = (start.provider, f"named on service start {start.event_id}")
            break
    if chosen is None and timeline.referral is not None and timeline.referral.provider:
        chosen = (timeline.referral.provider,
                  f"named on referral {timeline.referral.event_id}")
    if chosen is None:
        if len(providers) == 1:
            return providers[0], "the contract's only provider", None
        return None, "no provider named", "no provider named on the referral or service start"
    if chosen[0] not in providers:
        return None, "unknown provider", f"provider '{chosen[0]}' is not in the contract"
    return chosen[0], chosen[1], None


def _service(loaded: LoadedContract, timeline: Timeline
             ) -> tuple[Period | None, str, bool, tuple[str, ...]]:
    sw = loaded.contract.windows.service
    anchor: EventBase | None
    if sw.starts_at == "referral":
        anchor = timeline.referral
    else:
        anchor = timeline.service_starts[0] if timeline.service_starts else None
    if anchor is None:
        return None, f"no {sw.starts_at.replace('_', ' ')} recorded yet", False, ()
    start = anchor.date
    longest = sw.max_length.after(start)
    for end in timeline.service_ends:
        if end.date >= start:
            stop = min(end.date + ONE_DAY, longest)
            why = (f"service {start}..{stop - ONE_DAY}: started ({anchor.event_id}), ended "
                   f"{end.date} ({end.event_id}{', ' + end.reason if end.reason else ''})")
            if stop == longest and end.date + ONE_DAY > longest:
                why += f", cut at the maximum length of {sw.max_length}"
            return Period(start, stop), why, True, (anchor.event_id, end.event_id)
    ended = timeline.as_of >= longest
    why = (f"service from {start} ({anchor.event_id}); "
           + (f"ran its maximum {sw.max_length} to {longest - ONE_DAY}" if ended
              else f"ongoing, at most until {longest - ONE_DAY}"))
    return Period(start, longest), why, ended, (anchor.event_id,)


def build_context(loaded: LoadedContract, timeline: Timeline) -> CustomerContext:
    segment, segment_reason, seg_problem = assign_segment(loaded, timeline.referral)
    provider, provider_reason, prov_problem = _provider(loaded, timeline)
    service, service_reason, ended, service_ev = _service(loaded, timeline)
    problems = [p for p in (seg_problem, prov_problem) if p]
    return CustomerContext(
        loaded=loaded, timeline=timeline, segment=segment, segment_reason=segment_reason,
        provider=provider, provider_reason=provider_reason, service=service,
        service_reason=service_reason, service_ended=ended, service_evidence=service_ev,
        problems=problems, ignored=_ignored(loaded, timeline, service, service_ev))


def _ignored(loaded: LoadedContract, timeline: Timeline, service: Period | None,
             used: tuple[str, ...]) -> list[tuple[EventBase, str]]:
    """Referrals, starts and ends the evaluation passes over, each with the reason."""
    out: list[tuple[EventBase, str]] = []
    first = timeline.referral
    for ref in timeline.referrals[1:]:
        assert first is not None
        out.append((ref, f"referral {ref.event_id} on {ref.date} is ignored: the first "
                         f"referral ({first.event_id} on {first.date}) decides the segment"))
    if loaded.contract.windows.service.starts_at == "service_start":
        for start in timeline.service_starts[1:]:
            anchor = timeline.service_starts[0]
            out.append((start, f"service start {start.event_id} on {start.date} is ignored: "
                               f"the service runs from the first ({anchor.event_id} on "
                               f"{anchor.date})"))
    for end in timeline.service_ends:
        if end.event_id in used:
            continue
        if service is not None and end.date < service.start:
            why = f"it is before the service start on {service.start}"
        elif service is None:
            why = "no service has started"
        else:
            why = f"the service already ended on {service.last_day}"
        out.append((end, f"service end {end.event_id} on {end.date} is ignored: {why}"))
    return out
