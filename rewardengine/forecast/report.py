"""Self-contained HTML reports of simulations and forecasts, with charts (matplotlib SVG).

The page needs nothing from the network and runs no script: its charts are inline SVG, its
style inline CSS. The SVG bytes are the same for the same result: the hash salt is fixed
(``svg.hashsalt``), no date is written in the metadata, and text stays text
(``svg.fonttype: none``). Labels are in Finnish or English; numbers are written by Babel in
the language's style. Amounts are drawn as floats (a chart's coordinates only): every figure
written in the page's tables comes from the Decimal results.

matplotlib is an optional dependency (the ``report`` extra); ``available()`` says how to
install it when it is missing.
"""

from __future__ import annotations

import html
import io
import re
import textwrap
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal

from .ahead import NOT_FORECAST, Forecast, PendingFee
from .simulate import Simulation, Summary
from .stats import every_month

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Forecast of contract payments", "distribution": "Payment per customer, "
        "over runs", "per_customer": "payment per customer ({currency})", "runs": "runs",
        "runs_axis": "runs",
        "cash_flow": "Cash flow per month (mean, P10-P90 band)", "month": "month",
        "amount": "amount ({currency})", "comparison": "Comparison per component (mean per "
        "customer)", "component": "component", "mean": "mean", "total": "total",
        "fixed": "fixed pay", "result": "result pay", "ceiling": "the contract ceiling "
        "{ceiling} binds in", "of_runs": "runs",
        "at_most": "at most {p} likely, at 95 % confidence",
        "worst": "worst case the caps and the fees' own rules allow per customer",
        "worst_total": "in total", "none": "no cap or rule bounds it",
        "room": "room left under the contract ceiling",
        "ahead": "Payments ahead per month, by line date (mean, P10-P90 band)",
        "earned": "earned by the as-of date", "expected": "expected ahead",
        "customers": "customers", "seed": "seed", "horizon": "horizon", "segment": "segment",
        "unreferred": "not referred by the horizon",
        "difference": "difference", "se": "standard error", "as_of": "as of",
        "provider": "provider", "chance": "chance of payment ahead", "customer": "customer",
        "pending": "pending fees (deadline)", "cohort": "cohort", "paid_to": "paid to",
        "of_pay": "of pay", "no_deadline": "no deadline yet",
        "only_one": "the fees of only one component are paid", "or": "or",
        "and": "and",
        "member_cash_flow": "Cash flow per month and member (mean, P10-P90 band)",
        "not_forecast": "not forecast", "customer_one": "customer",
        "nothing_ahead": "with nothing ahead", "each": "each",
        "notes": "Notes on the inputs",
        "referred_later": "with a referral (or a start, where none is needed) recorded only "
                          "after the as-of date",
        "no_referral": "with no referral in the events (none, or one retracted; nor a start, "
                       "where none is needed)",
        "problems": "with a problem of their own (evaluate names it)",
        # one customer: the same words (Finnish says "jonka", not "joiden")
        "referred_later_one": "with a referral (or a start, where none is needed) recorded "
                              "only after the as-of date",
        "no_referral_one": "with no referral in the events (none, or one retracted; nor a "
                           "start, where none is needed)",
        "problems_one": "with a problem of their own (evaluate names it)",
    },
    "fi": {
        # "ajoittain" and "osittain" would read "now and then" and "partly": the charts are
        # over runs and per component; a count takes the partitive singular ("40 ajoa")
        "title": "Sopimuksen maksujen ennuste", "distribution": "Maksu asiakasta kohden, "
        "jakauma ajojen kesken", "per_customer": "maksu asiakasta kohden ({currency})",
        "runs": "ajoa", "runs_axis": "ajojen määrä",
        "cash_flow": "Kassavirta kuukausittain (keskiarvo, P10-P90-vaihteluväli)",
        "month": "kuukausi", "amount": "summa ({currency})", "comparison": "Vertailu "
        "maksuosittain (keskiarvo asiakasta kohden)", "component": "maksuosa",
        "mean": "keskiarvo", "total": "yhteensä", "fixed": "kiinteä maksu",
        "result": "tulosmaksu", "ceiling": "sopimuksen kokonaiskatto {ceiling} täyttyy",
        "of_runs": "ajossa",
        "at_most": "todennäköisyys enintään {p} 95 %:n luottamustasolla",
        "worst": "pahin tapaus, jonka katot ja maksujen omat säännöt "
        "sallivat asiakasta kohden", "worst_total": "yhteensä",
        "none": "mikään katto tai sääntö ei rajaa",
        "room": "sopimuksen kokonaiskattoa jäljellä", "ahead": "Tulevat maksut kuukausittain "
        "rivin päivän mukaan (keskiarvo, P10-P90-vaihteluväli)",
        "earned": "ansaittu tarkastelupäivään mennessä", "expected": "odotettavissa",
        "customers": "asiakasta",
        "seed": "siemen", "horizon": "tarkasteluraja", "segment": "asiakasryhmä",
        "difference": "erotus", "se": "keskivirhe", "as_of": "tilanne",
        "provider": "palveluntuottaja", "chance": "maksun todennäköisyys",
        "customer": "asiakas", "pending": "avoimet maksut (määräpäivä)",
        "cohort": "kohortti", "paid_to": "maksettu palveluntuottajalle",
        "of_pay": "maksuista", "no_deadline": "ei vielä määräpäivää",
        "only_one": "vain yhden osan maksut maksetaan", "or": "tai", "and": "ja",
        "member_cash_flow": "Kassavirta kuukausittain ja palveluntuottajittain (keskiarvo, "
        "P10-P90-vaihteluväli)",
        "not_forecast": "ei ennustettu", "customer_one": "asiakas",
        "nothing_ahead": "ilman tulevia maksuja", "each": "kappaleelta",
        "notes": "Huomiot lähtötiedoista",
        "referred_later": ", joiden ohjaus (tai aloitus, jos ohjausta ei tarvita) on kirjattu "
                          "vasta tarkastelupäivän jälkeen",
        "no_referral": ", joilla ei ole ohjausta tiedoissa (ei lainkaan tai peruttu; eikä "
                       "aloitusta, jos ohjausta ei tarvita)",
        "problems": ", joiden tiedoissa on oma virhe (evaluate nimeää sen)",
        "referred_later_one": ", jonka ohjaus (tai aloitus, jos ohjausta ei tarvita) on "
                              "kirjattu vasta tarkastelupäivän jälkeen",
        "no_referral_one": ", jolla ei ole ohjausta tiedoissa (ei lainkaan tai peruttu; eikä "
                           "aloitusta, jos ohjausta ei tarvita)",
        "problems_one": ", jonka tiedoissa on oma virhe (evaluate nimeää sen)",
        "unreferred": "ei ohjattu tarkasteluun mennessä",
    },
}
LOCALES = {"en": "en_GB", "fi": "fi_FI"}
STYLE = """body{font-family:sans-serif;margin:2em;max-width:60em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{padding:.2em .8em;text-align:right}
td:first-child,th:first-child{text-align:left;white-space:nowrap}tr:nth-child(even){background:#f3f3f3}
figure{margin:1em 0}svg{max-width:100%;height:auto}"""


def _labels(lang: str, currencies: Sequence[str]) -> dict[str, str]:
    """The labels in ``lang``, amounts named in the contract's currency (each draft's, once)."""
    named = " / ".join(dict.fromkeys(currencies))
    return {k: v.replace("{currency}", named) for k, v in LABELS[lang].items()}


def _draft_names(a: Summary, b: Summary) -> tuple[str, str]:
    """Two drafts by name; two of one file name (in other folders) as A and B too."""
    if a.contract == b.contract:
        return f"{a.contract} (A)", f"{b.contract} (B)"
    return a.contract, b.contract


class ReportUnavailable(Exception):
    """matplotlib is not installed."""


def available() -> None:
    """Raise ReportUnavailable (saying how to install it) when matplotlib is missing."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise ReportUnavailable("the HTML report needs matplotlib: install it with "
                                "pip install 'rewardengine[report]'") from None


def _figure() -> Any:
    import matplotlib
    from matplotlib.figure import Figure
    matplotlib.rcParams.update({"svg.hashsalt": "rewardengine", "svg.fonttype": "none",
                                "font.family": "sans-serif", "font.size": 10})
    return Figure(figsize=(8, 3.6))


def _numbers(lang: str, *axes: Any) -> None:
    """Tick labels of ``axes`` written in the language's style (2 500 in Finnish, 2,500 in
    English), never as an offset (1e6) a reader must multiply back."""
    for axis in axes:
        axis.set_major_formatter(_tick_formatter(lang))


def _tick_formatter(lang: str) -> Any:
    """A matplotlib formatter that writes every tick of an axis with the same decimals (as
    the tables write amounts: 0.50, not 0.5), as few as tell the ticks apart, at most four;
    a zero is never -0."""
    from matplotlib.ticker import Formatter

    class Ticks(Formatter):
        places = 0

        def set_locs(self, locs: list[float]) -> None:
            super().set_locs(locs)
            self.places = next((d for d in range(5) if all(
                abs(v - round(v, d)) < 1e-9 * max(1.0, abs(v)) for v in locs)), 4)

        def __call__(self, value: float, pos: int | None = None) -> str:
            shown = round(value, self.places) + 0.0  # + 0.0: -0.0 is written 0
            pattern = "#,##0" + ("." + "0" * self.places if self.places else "")
            return str(format_decimal(shown, format=pattern, locale=LOCALES[lang]))
    return Ticks()


def _svg(fig: Any) -> str:
    buffer = io.StringIO()
    fig.tight_layout()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": "rewardengine"})
    text = buffer.getvalue()
    return text[text.index("<svg"):]  # the XML prologue and DOCTYPE are not for inline use


def _count(value: int, lang: str) -> str:
    """A count in the language's style (1,000 in English is 1 000 in Finnish, where a comma
    is the decimal sign)."""
    return format_decimal(value, format="#,##0", locale=LOCALES[lang])


def _share(value: Decimal, lang: str) -> str:
    return format_decimal(value * 100, format="0.0", locale=LOCALES[lang]) + " %"


def _after(clause: str) -> str:
    return clause if clause.startswith(",") else f" {clause}"


def _chance(share: Decimal, lang: str) -> str:
    """A share of runs as a percentage to one place, as the terminal shows it (to whole
    percent, 99.5 % read "100 %": certain)."""
    return f"{format_decimal(share * 100, format='0.0', locale=LOCALES[lang])} %"


def _day(day: date, lang: str) -> str:
    """A date as the language writes it: 31.12.2020 in Finnish, ISO in English (as the
    command line writes it)."""
    return day.isoformat() if lang == "en" else format_date(day, format="d.M.yyyy",
                                                            locale=LOCALES[lang])


def _month(month: str, lang: str) -> str:
    """A month (``2020-09``) as the language writes it: 9/2020 in Finnish, as the invoices
    and their reasons do; ISO in English (as the command line writes it)."""
    if lang == "en":
        return month
    year, _, number = month.partition("-")
    return f"{int(number)}/{year}"


def _money(value: Decimal | None, lang: str) -> str:
    """An amount in the language's digits; a standard error of one run (None) as a dash."""
    if value is None:
        return "\u2013"
    return format_decimal(value, format="#,##0.00", locale=LOCALES[lang])


def _distribution(summaries: Sequence[Summary], t: dict[str, str], lang: str) -> str:
    from matplotlib.ticker import MaxNLocator

    fig = _figure()
    ax = fig.add_subplot()
    values = [[float(v) for v in s.per_customer_runs] for s in summaries]
    lo = min(min(v) for v in values)
    hi = max(max(v) for v in values)
    bins = [lo + (hi - lo) * k / 30 for k in range(31)] if hi > lo else 10
    for s, v in zip(summaries, values, strict=True):
        ax.hist(v, bins=bins, alpha=0.6, label=s.contract)
    _numbers(lang, ax.xaxis, ax.yaxis)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # runs are counted whole
    ax.set_xlabel(t["per_customer"])
    ax.set_ylabel(t["runs_axis"])
    ax.set_title(t["distribution"])
    if len(summaries) > 1:
        ax.legend()
    return _svg(fig)


def _band(series: Sequence[tuple[str, Sequence[tuple[str, Any]]]], title: str,
          t: dict[str, str], lang: str) -> str:
    fig = _figure()
    ax = fig.add_subplot()
    months = every_month(sorted({m for _, flow in series for m, _ in flow}))
    x = list(range(len(months)))
    for name, flow in series:
        by = dict(flow)
        mean = [float(by[m].mean) if m in by else 0.0 for m in months]
        ax.fill_between(x, [float(by[m].p10) if m in by else 0.0 for m in months],
                        [float(by[m].p90) if m in by else 0.0 for m in months], alpha=0.25)
        ax.plot(x, mean, marker="o", markersize=3, label=name)
    step = max(1, len(months) // 12)
    ax.set_xticks(x[::step], [_month(m, lang) for m in months[::step]], rotation=45,
                  ha="right")
    _numbers(lang, ax.yaxis)
    ax.set_xlabel(t["month"])
    ax.set_ylabel(t["amount"])
    ax.set_title(_two_lines(title))
    if len(series) > 1:
        ax.legend()
    return _svg(fig)


TITLE_WIDTH = 75  # characters of a chart's title line (the figure is 8 inches wide)


def _two_lines(title: str) -> str:
    """A chart's title wrapped, never cut (a Finnish one runs past the figure's edge), in
    two lines at least: a short one gets a blank line above it, so the chart keeps the same
    height, and the same ticks, in every language (the titles written here fit in two)."""
    lines = textwrap.wrap(title, TITLE_WIDTH)
    return "\n".join([""] * (2 - len(lines)) + lines)


def _month_table(series: Sequence[tuple[str, Sequence[tuple[str, Any]]]],
                 t: dict[str, str], lang: str) -> str:
    """A chart's months as figures to read and copy: its mean, P10 and P90 in columns; of
    several series (drafts, members), a column each, ``mean (P10-P90)``."""
    months = sorted({m for _, flow in series for m, _ in flow})
    by = [dict(flow) for _, flow in series]
    if len(series) == 1:
        return _table([t["month"], t["mean"], "P10", "P90"], [
            [_month(m, lang), *(["-"] * 3 if (e := by[0].get(m)) is None else
                  [_money(v, lang) for v in (e.mean, e.p10, e.p90)])] for m in months])
    head = [t["month"], *(f"{name} {t['mean']} (P10\u2013P90)" for name, _ in series)]
    return _table(head, [[_month(m, lang), *("-" if (e := flows.get(m)) is None else
                               f"{_money(e.mean, lang)} ({_money(e.p10, lang)}\u2013"
                               f"{_money(e.p90, lang)})" for flows in by)] for m in months])


def _comparison(a: Summary, b: Summary, t: dict[str, str], lang: str) -> str:
    fig = _figure()
    ax = fig.add_subplot()
    comps = sorted(set(a.by_component) | set(b.by_component))
    x = list(range(len(comps)))
    for k, (s, name) in enumerate(zip((a, b), _draft_names(a, b), strict=True)):
        ax.bar([i + (k - 0.5) * 0.4 for i in x],
               [float(s.by_component[c].mean) if c in s.by_component else 0.0
                for c in comps], width=0.4, label=name)
    ax.set_xticks(x, comps, rotation=20, ha="right")
    _numbers(lang, ax.yaxis)
    ax.set_ylabel(t["amount"])
    ax.set_title(t["comparison"])
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1))  # bars fill the width: beside them
    return _svg(fig)


def _table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    out = ["<table><tr>", *(f"<th>{html.escape(h)}</th>" for h in head), "</tr>"]
    for row in rows:
        out.extend(["<tr>", *(f"<td>{html.escape(c)}</td>" for c in row), "</tr>"])
    out.append("</table>")
    return "".join(out)


def _notes(notes: Sequence[str], t: dict[str, str]) -> list[str]:
    """What the command said beside its result, as a list under its heading (none: none)."""
    if not notes:
        return []
    return [f"<h2>{t['notes']}</h2><ul>"
            + "".join(f"<li>{_code(html.escape(n))}</li>" for n in notes) + "</ul>"]


def _code(escaped: str) -> str:
    """A note's `command` written in backticks, as code (the note is escaped already)."""
    return re.sub(r"`([^`<>]+)`", r"<code>\1</code>", escaped)


def _page(title: str, lang: str, body: Sequence[str]) -> str:
    return (f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>"
            f"<h1>{html.escape(title)}</h1>" + "\n".join(body) + "</body></html>\n")


def _mean_of(table: dict[str, Any], key: str, lang: str) -> str:
    """A draft's mean per customer of a component or segment (``table``: its estimates by
    them), or '-' for one it lacks."""
    e = table.get(key)
    return "-" if e is None else _money(e.mean, lang)


def _summary_rows(s: Summary, t: dict[str, str], lang: str) -> list[list[str]]:
    def row(name: str, e: Any) -> list[str]:
        return [name, *(_money(v, lang) for v in (e.mean, e.p10, e.p50, e.p90, e.se))]
    rows = [row(t["total"], s.per_customer), row(t["fixed"], s.fixed),
            row(t["result"], s.result)]
    rows += [row(f"{t['component']} {c}", e) for c, e in s.by_component.items()]
    # "-": customers whose referral is drawn after the horizon (no segment by then)
    rows += [row(f"{t['segment']} {g}" + (f" ({t['unreferred']})" if g == "-" else ""), e)
             for g, e in s.by_segment.items()]
    if len(s.by_provider) > 1:  # per customer of the cohort, with the member's share of pay
        rows += [row(f"{t['paid_to']} {p} ({_share(s.provider_share[p], lang)} "
                     f"{t['of_pay']})", e) for p, e in s.by_provider.items()]
    return rows


def simulation_html(sim: Simulation, lang: str = "en", notes: Sequence[str] = ()) -> str:
    """The report of a simulation (and of its comparison); ``notes``: what the command said
    beside it (a fitted cohort's caveats), listed at the end."""
    t = _labels(lang, [s.currency for s in sim.summaries])
    first = sim.summaries[0]
    body = [f"<p>{t['cohort']} {html.escape(sim.cohort)} · "
            f"{_count(first.runs, lang)} {t['runs']} x {_count(first.customers, lang)} "
            f"{t['customers']} · "
            f"{t['seed']} {sim.seed} · {t['horizon']} {_day(sim.horizon, lang)}</p>"]
    for s in sim.summaries:
        worst = t["none"] if s.worst.per_customer is None else _money(s.worst.per_customer,
                                                                       lang)
        total = t["none"] if s.worst.total is None else _money(s.worst.total, lang)
        body.append(f"<h2>{html.escape(s.contract)}</h2>")
        # the figures are per customer, in the contract's currency: the header says so, as
        # the table of the command line does ("per customer")
        body.append(_table([t["per_customer"], t["mean"], "P10", "P50", "P90", t["se"]],
                           _summary_rows(s, t, lang)))
        # the ceiling with its amount, as the command line says it
        ceiling = (f"; {t['ceiling'].replace('{ceiling}', _money(s.ceiling, lang))} "
                   f"{s.ceiling_binds} / {s.runs} {t['of_runs']} ("
                   f"{t['at_most'].replace('{p}', _share(s.ceiling_probability_upper, lang))})"
                   if s.ceiling is not None else "")
        body.append(f"<p>{t['worst']}: {html.escape(worst)}, {t['worst_total']} "
                    f"{html.escape(total)}{html.escape(ceiling)}</p>")
    body.append(f"<figure>{_distribution(sim.summaries, t, lang)}</figure>")
    series = [(s.contract, s.cash_flow) for s in sim.summaries]
    body.append(f"<figure>{_band(series, t['cash_flow'], t, lang)}</figure>")
    body.append(_month_table(series, t, lang))
    for s in sim.summaries:  # a consortium's: each member's cash flow, a band each
        if s.member_cash_flow:
            members = list(s.member_cash_flow.items())
            chart = _band(members, f"{t['member_cash_flow']}: {s.contract}", t, lang)
            body.append(f"<figure>{chart}</figure>")
            body.append(_month_table(members, t, lang))
    if sim.difference is not None:
        a, b = sim.summaries
        d = sim.difference
        # the drafts by name, as above (the command line names them "B minus A" likewise)
        body.append(_table([t["per_customer"], *_draft_names(a, b), t["difference"],
                            t["se"]],
                           [[t["total"], _money(a.per_customer.mean, lang),
                             _money(b.per_customer.mean, lang),
                             _money(d.per_customer.mean, lang),
                             _money(d.per_customer.se, lang)],
                            # each component too, as the command line's table has it
                            *([f"{t['component']} {c}", _mean_of(a.by_component, c, lang),
                               _mean_of(b.by_component, c, lang), _money(e.mean, lang),
                               _money(e.se, lang)] for c, e in d.by_component.items()),
                            # and each segment, per customer of it
                            *([f"{t['segment']} {g}", _mean_of(a.by_segment, g, lang),
                               _mean_of(b.by_segment, g, lang), _money(e.mean, lang),
                               _money(e.se, lang)] for g, e in d.by_segment.items())]))
        body.append(f"<figure>{_comparison(a, b, t, lang)}</figure>")
    return _page(t["title"], lang, [*body, *_notes(notes, t)])


def _pending(p: PendingFee, t: dict[str, str], lang: str) -> str:
    """What a pending fee pays: its amount, or the price of each event it counts."""
    return _money(p.amount, lang) if p.each is None else f"{_money(p.each, lang)} {t['each']}"


def _customers_table(f: Forecast, t: dict[str, str], lang: str) -> str:
    """Per customer: earned, expected ahead, the chance of a payment ahead, the pending fees;
    each customer's provider too where they are not all one's (a consortium)."""
    members = len({c.provider for c in f.customers}) > 1
    head = [t["customer"], t["segment"], *([t["provider"]] if members else []), t["earned"],
            t["expected"], t["chance"], t["pending"]]
    return _table(head, [
        [c.customer_id, c.segment or "-", *([c.provider or "-"] if members else []),
         _money(c.earned, lang), _money(c.ahead.mean, lang), _chance(c.chance, lang),
         c.pending_told(lambda name, p: f"{name} {_pending(p, t, lang)} "
                        f"({_day(p.deadline, lang) if p.deadline else t['no_deadline']})",
                        t["only_one"], t["or"],
                        t["and"])]
        for c in f.customers])


def forecast_html(f: Forecast, lang: str = "en", notes: Sequence[str] = ()) -> str:
    """The report of a forecast of customers in progress; ``notes``: what the command said
    beside it (a fitted cohort's caveats, data that may be old), listed at the end."""
    t = _labels(lang, [f.currency])
    # a provider's page says it covers that provider's customers only, as the command
    # line's header does
    who = f" · {t['provider']} {html.escape(f.provider)}" if f.provider else ""
    room = ("" if f.ceiling_room is None else
            f"<p>{t['room']}: {_money(f.ceiling_room, lang)}</p>")
    done = f" ({_count(f.done, lang)} {t['nothing_ahead']})" if f.done else ""
    # a Finnish relative clause takes its comma (", jonka ohjaus"), an English one none
    left = "; ".join(f"{_count(n, lang)} {t['customers' if n != 1 else 'customer_one']}"
                     f"{_after(t[why if n != 1 else why + '_one'])}"
                     for why in NOT_FORECAST if (n := f.not_forecast.get(why, 0)))
    if left:
        room += f"<p>{t['not_forecast']}: {left}</p>"
    body = [f"<p>{t['as_of']} {_day(f.as_of, lang)}{who} · {_count(len(f.customers), lang)} "
            f"{t['customers']}{done} · {t['cohort']} {html.escape(f.cohort)} · "
            f"{_count(f.runs, lang)} {t['runs']} · {t['seed']} {f.seed} · "
            f"{t['horizon']} {_day(f.horizon, lang)}</p>",
            f"<p>{t['earned']}: {_money(f.earned, lang)}; {t['expected']}: "
            f"{_money(f.total.mean, lang)} (P10 {_money(f.total.p10, lang)}, P90 "
            f"{_money(f.total.p90, lang)})</p>{room}",
            f"<figure>{_band([(t['expected'], f.by_month)], t['ahead'], t, lang)}</figure>",
            _month_table([(t["expected"], f.by_month)], t, lang),
            _table([t["provider"], t["mean"], "P10", "P50", "P90", t["se"]],
                   [[p, *(_money(v, lang) for v in (e.mean, e.p10, e.p50, e.p90, e.se))]
                    for p, e in f.by_provider.items()]),
            _customers_table(f, t, lang)]
    return _page(t["title"], lang, [*body, *_notes(notes, t)])
