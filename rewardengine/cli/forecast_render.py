"""Tables of simulations, prices and forecasts for the terminal."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..values import counted, money_text
from .report import safe_text

if TYPE_CHECKING:
    from ..api import Simulation

STATS = ("mean", "P10", "P50", "P90", "se")


def se_text(se: Decimal | None) -> str:
    """A standard error as shown: ``n/a`` from a single run (it says nothing of the spread)."""
    return "n/a" if se is None else money_text(se)


def _row(est: Any) -> list[str]:
    return [*(money_text(v) for v in (est.mean, est.p10, est.p50, est.p90)), se_text(est.se)]


def _method(method: str) -> str:
    return {"linear": "a straight line through two amounts",
            "bisection": "halving between two amounts"}.get(method, method)


def _percent(share: Any) -> str:
    return f"{share * 100:.1f} %"


def _summary_table(title: str, s: Any) -> Table:
    t = Table(title=title, title_justify="left", show_edge=False)
    t.add_column("per customer")
    for name in STATS:
        t.add_column(name, justify="right")
    t.add_row(Text("total", style="bold"), *_row(s.per_customer))
    t.add_row("fixed pay", *_row(s.fixed))
    t.add_row("result pay", *_row(s.result))
    t.add_section()
    for comp, est in s.by_component.items():
        t.add_row(f"component {safe_text(comp, 40)}", *_row(est))
    t.add_section()
    for seg, est in s.by_segment.items():
        # "-": customers whose referral is drawn after the horizon (no segment by then)
        unreferred = ", not referred by the horizon" if seg == "-" else ""
        t.add_row(f"segment {safe_text(seg, 30)} ({_percent(s.segment_share[seg])}"
                  f"{unreferred})", *_row(est))
    if len(s.by_provider) > 1:
        # per customer of the whole cohort, as every row here (they add up to the total),
        # not per customer of the member: its share of all pay says what it earns
        t.add_section()
        for who, est in s.by_provider.items():
            t.add_row(f"paid to {safe_text(who, 30)} ({_percent(s.provider_share[who])} of "
                      "pay)", *_row(est))
    return t


def _cash_flow(s: Any) -> Table:
    t = Table(title="cash flow per month (the whole cohort, by line date)",
              title_justify="left", show_edge=False)
    t.add_column("month")
    for name in STATS:
        t.add_column(name, justify="right")
    for month, est in s.cash_flow:
        t.add_row(month, *_row(est))
    if not s.cash_flow:  # an empty table reads as a broken one
        t.add_row("(no payment in any run)", *("" for _ in STATS))
    return t


def _member_cash_flow(s: Any) -> Table:
    """A consortium's cash flow per month and member: the mean, P10-P90."""
    t = Table(title="cash flow per month and member (the whole cohort, by line date): mean "
              "(P10-P90)", title_justify="left", show_edge=False)
    t.add_column("month")
    for who in s.member_cash_flow:
        t.add_column(safe_text(who, 30), justify="right")
    flows = list(s.member_cash_flow.values())
    for i, (month, _) in enumerate(flows[0]):
        t.add_row(month, *(f"{money_text(f[i][1].mean)} ({money_text(f[i][1].p10)}-"
                           f"{money_text(f[i][1].p90)})" for f in flows))
    return t


def _facts(console: Console, s: Any) -> None:
    console.print(f"fixed pay is {_percent(s.fixed_share)} of all pay", markup=False)
    if s.ceiling is not None:
        console.print(f"contract ceiling {money_text(s.ceiling)}: binds in {s.ceiling_binds} "
                      f"of {s.runs} runs ({_percent(s.ceiling_probability)}; at most "
                      f"{_percent(s.ceiling_probability_upper)} at 95 % confidence)",
                      markup=False)
    w = s.worst
    each = "no cap or rule bounds it" if w.per_customer is None else money_text(w.per_customer)
    total = "no cap or rule bounds it" if w.total is None else money_text(w.total)
    console.print(f"worst case the caps and the fees' own rules allow: per customer {each}, "
                  f"in total {total} "
                  f"({w.how}); the most one simulated customer was paid: "
                  f"{money_text(w.observed_per_customer)}", markup=False)
    if s.pending:
        console.print(f"still pending at the horizon: {money_text(s.pending)} per customer",
                      markup=False)


def simulation_table(console: Console, sim: Simulation) -> None:
    first = sim.summaries[0]
    # the horizon is the last day evaluated, not a date the data is known by: "until", as
    # the forecast's header says it
    console.print(f"cohort {safe_text(sim.cohort, 40)} · {counted(first.runs, 'run')} x "
                  f"{counted(first.customers, 'customer')} · seed {sim.seed} · until "
                  f"{sim.horizon}", markup=False)
    for s in sim.summaries:
        console.print(_summary_table(f"{safe_text(s.contract, 60)}", s))
        _facts(console, s)
        console.print(_cash_flow(s))
        if s.member_cash_flow:
            console.print(_member_cash_flow(s))
    if sim.difference is not None:
        a, b = sim.summaries
        t = Table(title=f"{safe_text(b.contract, 40)} minus {safe_text(a.contract, 40)} "
                  "(same draws; paired standard errors)", title_justify="left",
                  show_edge=False)
        t.add_column("per customer")
        for name in ("A", "B", "difference", "se"):
            t.add_column(name, justify="right")
        d = sim.difference
        t.add_row("total", money_text(a.per_customer.mean), money_text(b.per_customer.mean),
                  money_text(d.per_customer.mean), se_text(d.per_customer.se))
        # each component, then each segment (per customer of it)
        for what, width, diffs, of_a, of_b in (
                ("component", 40, d.by_component, a.by_component, b.by_component),
                ("segment", 30, d.by_segment, a.by_segment, b.by_segment)):
            for name, est in diffs.items():
                ea, eb = of_a.get(name), of_b.get(name)
                t.add_row(f"{what} {safe_text(name, width)}",
                          money_text(ea.mean) if ea else "-",
                          money_text(eb.mean) if eb else "-", money_text(est.mean),
                          se_text(est.se))
        t.add_row("fixed share", _percent(a.fixed_share), _percent(b.fixed_share), "", "")
        console.print(t)


def price_table(console: Console, solved: Any, sim: Simulation) -> None:
    s = sim.summaries[0]
    where = f" for segment {safe_text(solved.segment, 30)}" if solved.segment else ""
    # with --segment the target is per customer of that segment; the lines below are over
    # all customers, so each says which customers it is per
    whose = f" of segment {safe_text(solved.segment, 30)}" if solved.segment else ""
    known = ("" if solved.amount_se is None else
             f" (± {money_text(solved.amount_se)}, one standard error from the runs' spread: "
             "more runs narrow it)")
    console.print(f"{safe_text(solved.component, 40)}{where}: {money_text(solved.amount)}"
                  f"{known} makes the expected cost per customer{whose} "
                  f"{money_text(solved.cost)} "
                  f"(target {money_text(solved.target)}; solved by {_method(solved.method)}, "
                  f"{counted(len(solved.points), 'evaluation')} of {counted(s.runs, 'run')} "
                  f"x {counted(s.customers, 'customer')}; amounts rounded half-up to cents)",
                  markup=False)
    if solved.amount_se is not None and solved.amount_se * 2 > abs(solved.amount):
        # a trial read 2673.99 (± 4104.35) as an answer to the cent
        console.print(f"note: the standard error is more than half the amount: at "
                      f"{counted(s.runs, 'run')} the amount is not known to within "
                      f"{money_text(solved.amount_se)}; more runs (--runs) narrow it",
                      markup=False)
    if len(solved.cells) > 1 or solved.cells[0].name != "amount":
        console.print("the fee's cells: " + ", ".join(_cell_shown(c, solved.held)
                                                      for c in solved.cells), markup=False)
    every = " (all segments)" if solved.segment else ""
    console.print(f"fixed pay {money_text(s.fixed.mean)} and result pay "
                  f"{money_text(s.result.mean)} per customer{every}: fixed is "
                  f"{_percent(s.fixed_share)}", markup=False)
    console.print(_summary_table("at that amount", s))
    for note in sim.notes:  # the ceiling binding in some runs at that amount
        console.print(f"warning: {note}", markup=False)


def _cell_shown(cell: Any, held: tuple[str, ...]) -> str:
    """A cell of a solved fee: its name, amount, whether held, and its aliases' names."""
    notes = [*(["held"] if cell.name in held else []),
             *([f"also {', '.join(safe_text(n, 60) for n in cell.also)}"] if cell.also else [])]
    return (f"{safe_text(cell.name, 60)} {money_text(cell.amount)}"
            + (f" ({'; '.join(notes)})" if notes else ""))


def forecast_table(console: Console, f: Any) -> None:
    who = f" · provider {safe_text(f.provider, 30)}" if f.provider else ""
    done = f" ({f.done:,} with nothing ahead)" if f.done else ""
    console.print(f"as of {f.as_of}{who} · {counted(len(f.customers), 'customer')} in progress"
                  f"{done} · cohort {safe_text(f.cohort, 40)} · {counted(f.runs, 'run')} · "
                  f"seed {f.seed} · until {f.horizon}", markup=False)
    # a member's customers' lines: those another member delivered (and is paid) among them
    whose = " (its customers' lines, another member's too)" if f.provider else ""
    console.print(f"earned by then{whose}: {money_text(f.earned)}; expected ahead: "
                  f"{money_text(f.total.mean)} (P10 {money_text(f.total.p10)}, P90 "
                  f"{money_text(f.total.p90)}, se {se_text(f.total.se)})", markup=False)
    if f.ceiling_room is not None:
        console.print(f"room left under the contract ceiling: {money_text(f.ceiling_room)}",
                      markup=False)
    for told in f.not_forecast_told():  # one reason a line: each may be long
        console.print(f"not forecast: {told}", markup=False)
    if f.referrals_open:  # referrals can still come: they are simulate's
        console.print(f"customers referred after {f.as_of} are in no forecast: simulate "
                      "draws the referrals still to come", markup=False)
    months = Table(title="payments ahead per month (by line date: a fee confirmed later is "
                   "invoiced when the confirmation is recorded)", title_justify="left",
                   show_edge=False)
    months.add_column("month")
    for name in STATS:
        months.add_column(name, justify="right")
    for month, est in f.by_month:
        months.add_row(month, *_row(est))
    for who_, est in f.by_provider.items():
        months.add_row(f"provider {safe_text(who_, 30)}", *_row(est))
    console.print(months)
    people = Table(title="per customer", title_justify="left", show_edge=False)
    for name in ("customer", "segment", "provider", "earned", "ahead", "chance",
                 "pending fees (deadline)"):
        people.add_column(name, justify="right" if name in ("earned", "ahead", "chance")
                          else "left")
    for c in f.customers:
        pending = c.pending_told(lambda name, p: f"{safe_text(name, 50)} {p.told()} "
                                 f"({p.deadline or 'no deadline yet'})",
                                 "the fees of only one component are paid")
        people.add_row(safe_text(c.customer_id, 20), safe_text(c.segment or "-", 20),
                       safe_text(c.provider or "-", 20), money_text(c.earned),
                       money_text(c.ahead.mean), _percent(c.chance), pending)
    console.print(people)
