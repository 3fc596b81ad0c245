"""One customer's evaluation as an explanation: who and when, the timeline, and for each
component the rule as applied (its trace) and its lines, each line with its clause and the
events it rests on.

Everything here is read from the evaluation (``CustomerResult``: its context, its traces, its
lines); nothing is recomputed. ``explain`` renders it as text, ``explain --format json`` prints
``to_dict()``: a tree line <- clause file:line <- events with their recorded dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from .engine import CustomerResult, Evaluation
from .evaluate.lines import Line, Totals
from .evaluate.trace import NO_TRACE, Trace
from .events.model import EventBase
from .kinds import KINDS, ContractKind

_SKIP = {"event_id", "customer_id", "type", "date", "file", "row", "recorded", "void",
         "attributes"}


@dataclass(frozen=True)
class EventView:
    """One row of the timeline, as the evaluation saw it."""

    event: EventBase
    state: str  # "live", "superseded" (by a later-recorded row) or "voided"
    # a live event's version recorded first, when a later one replaced it (a job's end as
    # agreed at its start, before an extension)
    first: EventBase | None = None

    @property
    def details(self) -> str:
        text = ", ".join(_fields(self.event))
        if self.first is not None:
            changed = [f for f in _fields(self.first, dated=False)
                       if f not in _fields(self.event, dated=False)]
            text += (f"; first recorded {self.first.known_on}"
                     + (f" with {', '.join(changed)}" if changed else ""))
        return text

    def to_dict(self) -> dict[str, Any]:
        e = self.event
        out = {"event_id": e.event_id, "type": getattr(e, "type", None),
               "date": e.date.isoformat(), "recorded": e.known_on.isoformat(),
               "state": self.state, "details": self.details, "source": str(e.source)}
        if self.first is not None:
            out["first_recorded"] = {"recorded": self.first.known_on.isoformat(),
                                     "details": ", ".join(_fields(self.first)),
                                     "source": str(self.first.source)}
        return out


def _fields(e: EventBase, dated: bool = True) -> list[str]:
    """An event's fields in words: "end=2020-03-31", "kind=open", ..."""
    skip = _SKIP if dated else _SKIP - {"date"}
    parts = [f"{k}={str(v).lower() if isinstance(v, bool) else v}"
             for k, v in e.model_dump(exclude_none=True).items() if k not in skip]
    if not dated and e.end is None and getattr(e, "type", None) in ("employment", "education"):
        parts.append("no end")  # so a first version without an end shows beside a later end
    attrs = getattr(e, "attributes", {})
    parts.extend(f"{k}={v}" for k, v in sorted(attrs.items()))
    if dated and e.recorded is not None and e.recorded != e.date:
        parts.append(f"recorded {e.recorded}")
    return parts


@dataclass(frozen=True)
class ComponentView:
    """A component for this customer: whether it applies, how it found its lines, the lines."""

    id: str
    kind: str
    label: str | None
    clause: str
    applies: bool
    note: str | None  # why nothing is shown (another segment, a fee per contract month)
    trace: Trace
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Explanation:
    customer_id: str
    as_of: date
    segment: str | None
    segment_reason: str
    provider: str | None
    provider_reason: str
    service: str
    follow_up: str | None
    problems: tuple[str, ...]
    ignored: tuple[str, ...]
    timeline: tuple[EventView, ...]
    components: tuple[ComponentView, ...]
    totals: Totals
    currency: str

    def to_dict(self) -> dict[str, Any]:
        events = {v.event.event_id: v for v in self.timeline if v.state == "live"}
        return {
            "customer_id": self.customer_id, "as_of": self.as_of.isoformat(),
            "segment": {"id": self.segment, "reason": self.segment_reason},
            "provider": {"id": self.provider, "reason": self.provider_reason},
            "service": self.service, "follow_up": self.follow_up,
            "problems": list(self.problems), "ignored": list(self.ignored),
            "timeline": [v.to_dict() for v in self.timeline],
            "components": [_component_dict(c, events) for c in self.components],
            "totals": self.totals.to_dict(), "currency": self.currency,
        }


def _component_dict(c: ComponentView, events: dict[str, EventView]) -> dict[str, Any]:
    return {
        "id": c.id, "kind": c.kind, "label": c.label, "clause": c.clause,
        "applies": c.applies, "note": c.note, "trace": c.trace.to_dict(),
        "lines": [{**ln.to_dict(),
                   "evidence": [events[i].to_dict() if i in events else {"event_id": i}
                                for i in ln.evidence]} for ln in c.lines],
    }


def explain(ev: Evaluation, cust: CustomerResult) -> Explanation:
    ctx = cust.context
    tl = ctx.timeline
    contract = ev.loaded.contract
    follow = ctx.window("service_and_follow_up")
    follow_up = (f"until {follow.last_day} ({contract.windows.follow_up} after the service)"
                 if follow is not None and contract.windows.follow_up is not None else None)
    firsts = {e.event_id: e for e in tl.first_versions}
    timeline = (*(EventView(e, "live", firsts.get(e.event_id)) for e in tl.events),
                *(EventView(e, "superseded") for e in tl.superseded),
                *(EventView(e, "voided") for e in tl.voided))
    views = []
    for comp in contract.components:
        note = None
        applies = comp.segments is None or cust.segment in comp.segments
        if isinstance(KINDS.of(comp), ContractKind):
            applies, note = False, "a fee per contract month, not per customer"
        elif not applies:
            note = f"does not apply: only for segments {', '.join(comp.segments or [])}"
        views.append(ComponentView(
            comp.id, comp.kind_name, comp.label, ev.loaded.clause(comp.id), applies, note,
            cust.traces.get(comp.id, NO_TRACE),
            tuple(ln for ln in cust.lines if ln.component == comp.id)))
    return Explanation(
        cust.customer_id, tl.as_of, cust.segment, ctx.segment_reason, cust.provider,
        ctx.provider_reason, ctx.service_reason, follow_up, tuple(ctx.problems),
        tuple(why for _, why in ctx.ignored), timeline, tuple(views), cust.totals,
        contract.metadata.currency)
