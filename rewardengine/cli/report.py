"""Rendering for people: rich tables and explanations. The CLI is the only caller.

Everything here turns library results into text; nothing computes money.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import TYPE_CHECKING

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..api import Evaluation, Line
from ..csvsafe import write_csv
from ..errors import Problem, Severity
from ..printable import printable
from ..values import counted, money_text

if TYPE_CHECKING:
    from ..api import ComponentView, ExampleResult, Explanation


def safe_text(value: object, limit: int | None = None) -> str:
    """Text from input made safe to show on a terminal: every control character written as
    an escape (``\\x1b``), and cut at ``limit`` characters with an ellipsis."""
    text = str(value)
    if limit is not None and len(text) > limit:
        text = text[:limit] + "…"
    return printable(text)


STATUS_STYLE = {"payable": "green", "pending": "yellow", "not_earned": "red"}

CSV_COLUMNS = (
    "customer_id", "segment", "provider", "component", "kind", "status", "occurrence", "date",
    "period_start", "period_end", "quantity", "unit_price", "amount", "currency", "uncapped",
    "cap",
    "evidence", "clause", "reason",
)


# problems of one code in one file shown on a terminal; the rest are counted in one line (a
# spreadsheet export read without its dialect has a problem in every row: a million lines
# would bury the first, which names the fix)
SHOWN_PER_CODE = 100


def print_problems(console: Console, problems: list[Problem]) -> None:
    found: Counter[tuple[str, str]] = Counter()
    first: dict[tuple[str, str], Problem] = {}
    for p in problems:
        key = (p.source.file, p.code)
        found[key] += 1
        first.setdefault(key, p)
        if found[key] <= SHOWN_PER_CODE:
            console.print(Text(safe_text(p), style=_STYLE.get(p.severity, "cyan")),
                          soft_wrap=True)
    for key, n in found.items():
        if n > SHOWN_PER_CODE:
            p = first[key]
            console.print(Text(safe_text(_more(p, n)), style=_STYLE.get(p.severity, "cyan")),
                          soft_wrap=True)


_STYLE = {Severity.ERROR: "red", Severity.WARNING: "yellow"}
# the command whose JSON lists every problem of a kind (by the code's letter)
LISTED_BY = {**dict.fromkeys("CEFPWY", "validate CONTRACT EVENTS --format json"),
             "V": "evaluate --format json", "B": "verify --format json"}


def _more(p: Problem, n: int) -> str:
    """The line that counts the ``n`` problems of ``p``'s code in its file past the first
    shown, worded as a problem's line is (``Problem.__str__``)."""
    said = "" if p.severity is Severity.ERROR else f"{p.severity.value}: "
    where = f"; `{LISTED_BY[p.code[0]]}` lists every one" if p.code[0] in LISTED_BY else ""
    return (f"{p.source.file}: {p.code} {said}… and {n - SHOWN_PER_CODE:,} more (the first "
            f"{SHOWN_PER_CODE} of {n:,} are shown{where})")


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
        # a customer no evaluation could evaluate (V001) has no segment or provider: said so
        title = (f"customer {cust.customer_id} · segment {cust.segment or 'none'} · provider "
                 f"{cust.provider or 'none'} · payable {money_text(t.payable)} · pending "
                 f"{money_text(t.pending)}")
        console.print(lines_table(cust.lines, safe_text(title)))
    if ev.contract_lines:
        console.print(lines_table(ev.contract_lines, "contract-level fees"))
    t = ev.totals
    cur = md.currency
    console.print(f"[bold]total payable {money_text(t.payable)} {cur}[/bold] · pending "
                  f"{money_text(t.pending)} {cur} · not earned {money_text(t.not_earned)} "
                  f"{cur} · {counted(len(ev.customers), 'customer')}")


def evaluation_csv(ev: Evaluation) -> str:
    currency = ev.loaded.contract.metadata.currency
    rows = []
    for ln in ev.all_lines():
        rows.append([
            ln.customer_id or "", ln.segment or "", ln.provider or "", ln.component, ln.kind,
            ln.status, ln.occurrence, ln.date.isoformat() if ln.date else "",
            ln.period_start.isoformat() if ln.period_start else "",
            ln.period_end.isoformat() if ln.period_end else "", str(ln.quantity),
            money_text(ln.unit_price), money_text(ln.amount), currency,
            money_text(ln.uncapped) if ln.uncapped is not None else "", ln.cap or "",
            " ".join(ln.evidence), ln.clause, ln.reason,
        ])
    return write_csv(CSV_COLUMNS, rows)


def _trace_texts(view: ComponentView) -> list[Text]:
    """The rule as applied (dim), then each step: a spell and its days, a month, a job that
    did not count (dim)."""
    out = [Text(safe_text(rule), style="dim") for rule in view.trace.rules]
    for step in view.trace.steps:
        out.append(Text(safe_text(f"  {step.text}"),
                        style="dim" if step.what == "not counted" else ""))
    return out


def _who_and_when(x: Explanation) -> Panel:
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column()
    head.add_row("customer", Text(safe_text(x.customer_id)))
    head.add_row("as of", f"{x.as_of} (only facts recorded by then count)")
    head.add_row("segment", Text(safe_text(f"{x.segment or '-'} — {x.segment_reason}")))
    head.add_row("provider", Text(safe_text(f"{x.provider or '-'} — {x.provider_reason}")))
    head.add_row("service", Text(safe_text(x.service)))
    if x.follow_up is not None:
        head.add_row("follow-up", x.follow_up)
    for problem in x.problems:
        head.add_row("problem", Text(safe_text(problem), style="red"))
    for why in x.ignored:
        head.add_row("ignored", Text(safe_text(why), style="yellow"))
    return Panel(head, title="who and when", title_align="left")


_STATE_WORDS = {"superseded": "superseded by a later-recorded row: ",
                "voided": "voided (retracted)"}


def _timeline(x: Explanation) -> Table:
    events = Table(title="timeline", title_justify="left", expand=True)
    for col in ("date", "event", "type", "details", "row"):
        events.add_column(col)
    for view in x.timeline:
        e = view.event
        if view.state == "voided":
            details = Text(_STATE_WORDS["voided"], style="dim")
        elif view.state == "superseded":
            details = Text(safe_text(_STATE_WORDS["superseded"] + view.details), style="dim")
        else:
            details = Text(safe_text(view.details))
        events.add_row(e.date.isoformat(), Text(safe_text(e.event_id)),
                       str(getattr(e, "type", "")), details, Text(safe_text(str(e.source))))
    return events


def explain_customer(console: Console, x: Explanation) -> None:
    """One customer's explanation as text: read from the evaluation, nothing recomputed."""
    console.print(_who_and_when(x))
    console.print(_timeline(x))
    for view in x.components:
        title = f"{view.id} ({view.kind}) — {view.clause}"
        if view.label:
            title += f" — {view.label}"
        if view.note is not None:
            body: Table | Text = Text(safe_text(view.note), style="dim")
        elif not view.lines:
            body = Text("nothing fired", style="dim")
        else:
            body = lines_table(list(view.lines))
        parts: list[Table | Text] = [*_trace_texts(view), body] if view.applies else [body]
        console.print(Panel(Group(*parts), title=escape(safe_text(title)), title_align="left"))
    t, cur = x.totals, x.currency
    console.print(f"[bold]payable {money_text(t.payable)} {cur}[/bold] · pending "
                  f"{money_text(t.pending)} {cur} · not earned {money_text(t.not_earned)} "
                  f"{cur}")


def print_examples(console: Console, results: list[ExampleResult]) -> None:
    """Each worked example: passed, or its differences and the explanation of each customer
    concerned (read from the evaluation)."""
    for r in results:
        mark = Text("PASS", style="green") if r.ok else Text("FAIL", style="bold red")
        console.print(Text.assemble(mark, f" {safe_text(r.name)} ({r.source})"))
        print_problems(console, r.problems)
        for d in r.differences:
            console.print(Text(safe_text(f"  {d.kind}: {d.text}"), style="red"))
        for x in r.explanations.values():
            explain_customer(console, x)
