"""Rendering for people: rich tables and explanations. The CLI is the only caller.

Everything here turns library results into text; nothing computes money.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..csvsafe import write_csv
from ..errors import Problem, Severity
from ..evaluate.context import CustomerContext
from ..evaluate.engine import CustomerResult, Evaluation
from ..evaluate.lines import Line
from ..events.model import EventBase
from ..kinds.employment_common import count_work
from ..periods import ONE_DAY
from ..values import money_text

# characters that would act on a terminal rather than show: C0/C1 controls (ESC sequences,
# OSC-8 links) and bidirectional overrides that reorder what is shown
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e"
                     "\u2066-\u2069]")


def safe_text(value: object, limit: int | None = None) -> str:
    """Text from input made safe to show on a terminal: every control character written as
    an escape (``\\x1b``), and cut at ``limit`` characters with an ellipsis."""
    text = str(value)
    if limit is not None and len(text) > limit:
        text = text[:limit] + "…"
    return _UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


STATUS_STYLE = {"payable": "green", "pending": "yellow", "not_earned": "red"}

CSV_COLUMNS = (
    "customer_id", "segment", "provider", "component", "kind", "status", "occurrence", "date",
    "period_start", "period_end", "quantity", "unit_price", "amount", "uncapped", "cap",
    "evidence", "clause", "reason",
)


def print_problems(console: Console, problems: list[Problem]) -> None:
    for p in problems:
        style = {Severity.ERROR: "red", Severity.WARNING: "yellow"}.get(p.severity, "cyan")
        console.print(Text(safe_text(p), style=style), soft_wrap=True)


def _quantity(q: Decimal) -> str:
    """Exact quantities can be long fractions (10/30 of a month); the table shows four
    decimals and marks the cut, the JSON and CSV keep every digit."""
    exponent = q.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -4:
        return f"{q.quantize(Decimal('0.0001'))}…"
    return str(q)


def lines_table(lines: list[Line], title: str | None = None) -> Table:
    table = Table(title=escape(title) if title else None, show_lines=False, expand=True,
                  title_justify="left")
    table.add_column("component")
    table.add_column("status")
    table.add_column("date", no_wrap=True)
    table.add_column("qty", justify="right")
    table.add_column("unit price", justify="right")
    table.add_column("amount", justify="right", no_wrap=True)
    table.add_column("reason", ratio=1)
    for ln in lines:
        reason = ln.reason + (f" [{ln.cap}]" if ln.cap else "")
        # Text, not str: reasons and ids are data, never rich markup
        table.add_row(Text(safe_text(ln.component)),
                      Text(ln.status, style=STATUS_STYLE[ln.status]),
                      ln.date.isoformat() if ln.date else "", _quantity(ln.quantity),
                      money_text(ln.unit_price), money_text(ln.amount), Text(safe_text(reason)))
    return table


def print_evaluation(console: Console, ev: Evaluation) -> None:
    md = ev.loaded.contract.metadata
    console.print(Text.assemble((safe_text(md.title), "bold"),
                                f" ({md.id} v{md.version}) as of {ev.as_of}"))
    for cust in ev.customers:
        t = cust.totals
        title = (f"customer {cust.customer_id} · segment {cust.segment} · provider "
                 f"{cust.provider} · payable {money_text(t.payable)} · pending "
                 f"{money_text(t.pending)}")
        console.print(lines_table(cust.lines, safe_text(title)))
    if ev.contract_lines:
        console.print(lines_table(ev.contract_lines, "contract-level fees"))
    t = ev.totals
    console.print(f"[bold]total payable {money_text(t.payable)}[/bold] · pending "
                  f"{money_text(t.pending)} · not earned {money_text(t.not_earned)} · "
                  f"{len(ev.customers)} customers")


def evaluation_csv(ev: Evaluation) -> str:
    rows = []
    for ln in ev.all_lines():
        rows.append([
            ln.customer_id or "", ln.segment or "", ln.provider or "", ln.component, ln.kind,
            ln.status, ln.occurrence, ln.date.isoformat() if ln.date else "",
            ln.period_start.isoformat() if ln.period_start else "",
            ln.period_end.isoformat() if ln.period_end else "", str(ln.quantity),
            money_text(ln.unit_price), money_text(ln.amount),
            money_text(ln.uncapped) if ln.uncapped is not None else "", ln.cap or "",
            " ".join(ln.evidence), ln.clause, ln.reason,
        ])
    return write_csv(CSV_COLUMNS, rows)


def _event_summary(e: EventBase) -> str:
    skip = {"event_id", "customer_id", "type", "date", "file", "row", "recorded", "void",
            "attributes"}
    parts = [f"{k}={str(v).lower() if isinstance(v, bool) else v}"
             for k, v in e.model_dump(exclude_none=True).items() if k not in skip]
    attrs = getattr(e, "attributes", {})
    parts.extend(f"{k}={v}" for k, v in sorted(attrs.items()))
    if e.recorded is not None and e.recorded != e.date:
        parts.append(f"recorded {e.recorded}")
    return ", ".join(parts)


def _spell_texts(comp: Any, ctx: CustomerContext) -> list[Table | Text]:
    """For employment-based fees: the work that counted, spell by spell, and what did not."""
    if comp.kind not in ("employment_outcome", "milestones"):
        return []
    wc = count_work(ctx, comp.work, comp.counting, comp.max_gap, comp.window, comp.reach_by,
                    getattr(comp, "requires_active_service", False))
    if wc is None:
        return []
    out: list[Table | Text] = [Text(
        f"counting {wc.criteria}, {comp.counting}, days {wc.counting.start} to "
        f"{wc.deadline.last_day} ({wc.deadline.why})", style="dim")]
    for track in wc.tracks:
        name = "spell" if wc.continuous else "all counted work"
        out.append(Text(f"  {name} {track.start}..{track.end - ONE_DAY}: "
                        f"{track.days.normalize():f} days counted, evidence {track.evidence}, "
                        f"jobs {', '.join(track.event_ids)}"))
    for note in wc.notes:
        out.append(Text(safe_text(f"  {note}"), style="dim"))
    return out


def explain_customer(console: Console, ev: Evaluation, cust: CustomerResult) -> None:
    ctx = cust.context
    tl = ctx.timeline
    loaded = ev.loaded
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column()
    head.add_row("customer", Text(safe_text(cust.customer_id)))
    head.add_row("as of", f"{tl.as_of} (only facts recorded by then count)")
    head.add_row("segment", Text(safe_text(f"{cust.segment or '-'} — {ctx.segment_reason}")))
    head.add_row("provider", Text(safe_text(f"{cust.provider or '-'} — {ctx.provider_reason}")))
    head.add_row("service", Text(safe_text(ctx.service_reason)))
    follow = ctx.window("service_and_follow_up")
    if follow is not None and loaded.contract.windows.follow_up is not None:
        head.add_row("follow-up", f"until {follow.last_day} "
                     f"({loaded.contract.windows.follow_up} after the service)")
    for problem in ctx.problems:
        head.add_row("problem", Text(safe_text(problem), style="red"))
    for _, why in ctx.ignored:
        head.add_row("ignored", Text(safe_text(why), style="yellow"))
    console.print(Panel(head, title="who and when", title_align="left"))

    events = Table(title="timeline", title_justify="left", expand=True)
    for col in ("date", "event", "type", "details", "row"):
        events.add_column(col)
    for e in tl.events:
        events.add_row(e.date.isoformat(), Text(safe_text(e.event_id)),
                       e.type,  # type: ignore[attr-defined]
                       Text(safe_text(_event_summary(e))), Text(safe_text(str(e.source))))
    for e in tl.superseded:
        events.add_row(e.date.isoformat(), Text(safe_text(e.event_id)),
                       e.type,  # type: ignore[attr-defined]
                       Text(safe_text("superseded by a later-recorded row: " + _event_summary(e)),
                            style="dim"), Text(safe_text(str(e.source))))
    for e in tl.voided:
        events.add_row(e.date.isoformat(), Text(safe_text(e.event_id)),
                       e.type,  # type: ignore[attr-defined]
                       Text("voided (retracted)", style="dim"), Text(safe_text(str(e.source))))
    console.print(events)

    for comp in loaded.contract.components:
        lines = [ln for ln in cust.lines if ln.component == comp.id]
        title = f"{comp.id} ({comp.kind}) — {loaded.clause(comp.id)}"
        if comp.label:
            title += f" — {comp.label}"
        if comp.kind == "capacity_fee":
            body: Table | Text = Text("a fee per contract month, not per customer",
                                      style="dim")
        elif comp.segments is not None and cust.segment not in comp.segments:
            body = Text(safe_text(f"does not apply: only for segments {', '.join(comp.segments)}"),
                        style="dim")
        elif not lines:
            body = Text("nothing fired", style="dim")
        else:
            body = lines_table(lines)
        parts: list[Table | Text] = [*_spell_texts(comp, ctx), body]
        console.print(Panel(Group(*parts), title=escape(safe_text(title)), title_align="left"))
    t = cust.totals
    console.print(f"[bold]payable {money_text(t.payable)}[/bold] · pending "
                  f"{money_text(t.pending)} · not earned {money_text(t.not_earned)}")
