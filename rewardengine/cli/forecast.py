"""``simulate``, ``price``, ``forecast`` and ``cohort fit``: what a contract will pay, to whom
and when (docs/forecast.md)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from io import StringIO
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from .. import api  # the forecasting modules load when a command first asks for them
from ..errors import EXIT_OK, EXIT_PROBLEMS, has_errors
from ..jsonout import canonical_json
from ..values import comma_advice, comma_fixed, counted
from .common import (
    ContractArg,
    DateFormatOpt,
    DecimalCommaOpt,
    DelimiterOpt,
    DialectOpt,
    EncodingOpt,
    EventsArg,
    JobsOpt,
    OutputOpt,
    check_output,
    check_outputs,
    cli_date,
    each_once,
    err,
    exit_code,
    fail,
    file_dialect,
    out,
    write_output,
)
from .forecast_render import forecast_table, price_table, simulation_table
from .report import print_problems

T = TypeVar("T")


class Format(StrEnum):
    table = "table"
    json = "json"


class Lang(StrEnum):
    en = "en"
    fi = "fi"


CohortOpt = Annotated[str | None, typer.Option(
    "--cohort", help="a cohort file (YAML; docs/cohort.md); the default cohort without one")]
FromEventsOpt = Annotated[list[str] | None, typer.Option(
    "--from-events", help="fit the cohort from this event file (repeatable) instead",
    callback=each_once)]
RunsOpt = Annotated[int, typer.Option("--runs", min=1, max=1_000_000,
                                      help="Monte Carlo runs")]
SeedOpt = Annotated[int, typer.Option("--seed", min=0, help="the random seed: the same "
                                      "seed gives the same output, whatever --jobs")]
CustomersOpt = Annotated[int | None, typer.Option(
    "--customers", "-n", min=1, max=10_000_000,
    help="customers per run (default: the cohort's size)")]
HorizonOpt = Annotated[str | None, typer.Option(
    "--horizon", help="evaluate as of this date (default: the last day a fee can be earned)")]
FormatOpt = Annotated[Format, typer.Option("--format", "-f")]
ReportOpt = Annotated[str | None, typer.Option(
    "--report", help="also write a self-contained HTML report with charts to this file")]
LangOpt = Annotated[Lang | None, typer.Option(
    "--lang", help="the report's language (with --report)  [default: en]")]


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr when it is a terminal (the library reports through the
    callback this gives)."""
    if not sys.stderr.isatty():
        yield None
        return
    with Progress(f"[bold]{label}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=err(), transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _done(found: api.Outcome[T]) -> T:
    if found.problems:
        print_problems(err(), found.problems)
    if found.result is None:
        raise typer.Exit(exit_code(found.problems, found.unreadable) or 1)
    return found.result


def _said(found: api.Outcome[Any]) -> list[str]:
    """The problems said beside a result, as a report lists them (its file, code, words)."""
    return [f"{p.source}: {p.code} {p.severity.value}: {p.message}" if str(p.source)
            else f"{p.code} {p.severity.value}: {p.message}" for p in found.problems]


def _json(found: api.Outcome[Any], body: dict[str, Any]) -> str:
    """The JSON output: the library's document of the outcome."""
    return canonical_json(found.document(body))


def _report(path: str | None, render: Callable[[], str]) -> None:
    if path is None:
        return
    write_output(render(), path, "--report")
    err().print(f"wrote the report to {path}", markup=False)


def _request(contract: str, cohort: str | None, from_events: list[str] | None, runs: int,
             seed: int, customers: int | None, jobs: int, horizon: str | None,
             progress: Callable[[int, int], None] | None = None,
             dialect: api.Dialect | None = None) -> api.Request:
    if cohort is not None and from_events:
        fail("give --cohort or --from-events, not both")
    req = api.Request(contract, cohort, tuple(from_events or ()), runs, seed, customers, jobs,
                      cli_date(horizon, "--horizon") if horizon else None, progress=progress)
    return req if dialect is None else replace(req, dialect=dialect)


def simulate(
    contract: ContractArg,
    cohort: CohortOpt = None,
    from_events: FromEventsOpt = None,
    runs: RunsOpt = 1000,
    seed: SeedOpt = 0,
    customers: CustomersOpt = None,
    jobs: JobsOpt = 1,
    compare: Annotated[str | None, typer.Option(
        "--compare", help="another draft: the same cohort and draws, side by side")] = None,
    horizon: HorizonOpt = None,
    format: FormatOpt = Format.table,
    report: ReportOpt = None,
    lang: LangOpt = None,
    output: OutputOpt = None,
    dialect: DialectOpt = None,
    delimiter: DelimiterOpt = None,
    decimal_comma: DecimalCommaOpt = False,
    date_format: DateFormatOpt = None,
    encoding: EncodingOpt = None,
) -> None:
    """Monte Carlo: what the contract is expected to pay per customer (by component and
    segment), fixed and result pay, cash flow per month, the worst case and the ceiling.
    The file dialect options are those of the --from-events files."""
    check_outputs([("--output", output), ("--report", report)],
                  _read(contract, cohort, from_events, compare))
    read_as = _events_dialect(from_events, dialect, delimiter, decimal_comma, date_format,
                              encoding)
    _report_ready(report, lang)
    with progress_bar("simulating") as bar:
        req = _request(contract, cohort, from_events, runs, seed, customers, jobs, horizon,
                       bar, read_as)
        try:
            found = api.simulate_contract(req, compare)
            sim = _done(found)
        except api.ForecastError as exc:
            fail(str(exc))
    text = _json(found, sim.to_dict()) if format is Format.json else None
    if text is None:
        _print_or_write(lambda console: simulation_table(console, sim), output)
    else:
        write_output(text, output)
    _report(report, lambda: api.simulation_html(sim, (lang or Lang.en).value,
                                                _said(found)))


def _read(contract: str, cohort: str | None, from_events: list[str] | None,
          compare: str | None, events: list[str] | None = None) -> list[str]:
    """The files a command reads: no output may overwrite one."""
    return [contract, *(p for p in (cohort, compare) if p is not None), *(from_events or ()),
            *(events or ())]


def _events_dialect(from_events: list[str] | None, name: str | None, delimiter: str | None,
                    decimal_comma: bool, date_format: str | None, encoding: str | None
                    ) -> api.Dialect:
    """The dialect of the --from-events files; a note that it changes nothing without them
    (as --lang without --report), so a misplaced option is not silently passed over."""
    read_as = file_dialect(name, delimiter, decimal_comma, date_format, encoding)
    given = [flag for flag, value in (("--dialect", name), ("--delimiter", delimiter),
                                      ("--decimal-comma", decimal_comma or None),
                                      ("--date-format", date_format),
                                      ("--encoding", encoding)) if value is not None]
    if given and not from_events:
        one = len(given) == 1
        err().print(f"note: {', '.join(given)} {'describes' if one else 'describe'} the "
                    f"--from-events files; without --from-events "
                    f"{'it changes' if one else 'they change'} nothing", markup=False)
    return read_as


def _report_ready(report: str | None, lang: Lang | None = None) -> None:
    """Say before any work that the report cannot be made (matplotlib missing): exit 2; and
    that --lang without --report changes nothing."""
    if report is None:
        if lang is not None:
            err().print("note: --lang is the language of the --report page; without --report "
                        "it changes nothing", markup=False)
        return
    try:
        api.report_available()
    except api.ForecastError as exc:
        fail(str(exc))


def _print_or_write(render: Callable[[Any], None], output: str | None) -> None:
    if output is None:
        render(out())
        return
    buffer = StringIO()
    render(Console(file=buffer, width=160, highlight=False, soft_wrap=False))
    write_output(buffer.getvalue(), output)


def price(
    contract: ContractArg,
    target: Annotated[str, typer.Option("--target-per-customer",
                                        help="the expected cost per customer to reach")],
    solve: Annotated[str, typer.Option("--solve", help="the component whose amount is "
                                       "solved")],
    segment: Annotated[str | None, typer.Option(
        "--segment", help="solve this segment's price; the target is per customer of it")
    ] = None,
    hold: Annotated[list[str] | None, typer.Option(
        "--hold", help="keep this cell of the fee at its written amount (a price the "
        "programme fixes, as the output names it: self_report); repeatable")] = None,
    cohort: CohortOpt = None,
    from_events: FromEventsOpt = None,
    runs: RunsOpt = 200,
    seed: SeedOpt = 0,
    customers: CustomersOpt = None,
    jobs: JobsOpt = 1,
    horizon: HorizonOpt = None,
    format: FormatOpt = Format.table,
    output: OutputOpt = None,
    dialect: DialectOpt = None,
    delimiter: DelimiterOpt = None,
    decimal_comma: DecimalCommaOpt = False,
    date_format: DateFormatOpt = None,
    encoding: EncodingOpt = None,
) -> None:
    """The amount of one component that makes the expected cost per customer hit a target,
    and the fixed/result split it gives. The file dialect options are those of the
    --from-events files."""
    check_outputs([("--output", output)], _read(contract, cohort, from_events, None))
    read_as = _events_dialect(from_events, dialect, delimiter, decimal_comma, date_format,
                              encoding)
    written = target.strip()
    advice = comma_advice(written)
    if advice is not None and advice[0] != "a decimal comma":  # 2,500: thousands or decimals?
        fail(f"--target-per-customer: '{written}' has {advice[0]}; {advice[1]}")
    try:
        goal = Decimal(comma_fixed(written) or written)
    except InvalidOperation:
        fail(f"--target-per-customer: '{written[:30]}' is not an amount")
    if not goal.is_finite() or goal < 0:
        fail("--target-per-customer: give an amount of 0 or more")
    with progress_bar("pricing") as bar:
        req = _request(contract, cohort, from_events, runs, seed, customers, jobs, horizon,
                       bar, read_as)
        try:
            found = api.price_component(req, solve, goal, segment, hold or ())
            solved, sim = _done(found)
        except api.ForecastError as exc:
            fail(str(exc))
    if format is Format.json:
        write_output(_json(found, {"price": solved.to_dict(), **sim.to_dict()}), output)
    else:
        _print_or_write(lambda console: price_table(console, solved, sim), output)


def forecast(
    contract: ContractArg,
    events: EventsArg,
    as_of: Annotated[str, typer.Option("--as-of", help="what has happened by this date "
                                       "(YYYY-MM-DD) is kept; the rest is drawn")],
    cohort: CohortOpt = None,
    from_events: FromEventsOpt = None,
    fit: Annotated[bool, typer.Option(
        "--fit", help="fit the cohort from EVENTS themselves, as known by --as-of "
        "(instead of --cohort or --from-events)")] = False,
    runs: RunsOpt = 200,
    seed: SeedOpt = 0,
    provider: Annotated[str | None, typer.Option(
        "--provider", help="only this provider's customers (named on the service start, "
        "else the referral)")] = None,
    jobs: JobsOpt = 1,
    horizon: HorizonOpt = None,
    format: FormatOpt = Format.table,
    report: ReportOpt = None,
    lang: LangOpt = None,
    output: OutputOpt = None,
    dialect: DialectOpt = None,
    delimiter: DelimiterOpt = None,
    decimal_comma: DecimalCommaOpt = False,
    date_format: DateFormatOpt = None,
    encoding: EncodingOpt = None,
) -> None:
    """For customers in progress: the rest of each timeline drawn from the cohort given what
    has happened by the as-of date; payments ahead per month, provider and customer."""
    check_outputs([("--output", output), ("--report", report)],
                  _read(contract, cohort, from_events, None, events))
    _report_ready(report, lang)
    on = cli_date(as_of, "--as-of")
    read_as = file_dialect(dialect, delimiter, decimal_comma, date_format, encoding)
    if fit and (cohort is not None or from_events):
        fail("give --fit, --cohort or --from-events, only one")
    with progress_bar("forecasting") as bar:
        req = _request(contract, cohort, list(events) if fit else from_events, runs, seed,
                       None, jobs, horizon, bar, read_as)
        try:
            outcome = api.forecast_customers(req, events, on, provider)
            found = _done(outcome)
        except api.ForecastError as exc:
            fail(str(exc))
    if format is Format.json:
        write_output(_json(outcome, found.to_dict()), output)
    else:
        _print_or_write(lambda console: forecast_table(console, found), output)
    _report(report, lambda: api.forecast_html(found, (lang or Lang.en).value,
                                              _said(outcome)))
    if has_errors(outcome.problems):  # a customer could not be evaluated, as evaluate says
        raise typer.Exit(EXIT_PROBLEMS)


cohort_app = typer.Typer(help="Cohort files: fit one from real event data.",
                         no_args_is_help=True)


@cohort_app.command("fit")
def cohort_fit(
    contract: ContractArg,
    events: EventsArg,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="fit from the rows known by this date (YYYY-MM-DD; default: the "
        "data's last day)")] = None,
    output: OutputOpt = None,
    dialect: DialectOpt = None,
    delimiter: DelimiterOpt = None,
    decimal_comma: DecimalCommaOpt = False,
    date_format: DateFormatOpt = None,
    encoding: EncodingOpt = None,
) -> None:
    """Fit a cohort from real event data: empirical distributions per segment, each with
    the number of customers it rests on (as comments in the YAML and on stderr)."""
    check_output(output, inputs=[contract, *events])
    on = cli_date(as_of, "--as-of") if as_of is not None else None
    read_as = file_dialect(dialect, delimiter, decimal_comma, date_format, encoding)
    fitted = _done(api.fit_cohort(contract, events, read_as, on))
    write_output(fitted.text, output)
    console = err()
    console.print(f"fitted from {counted(fitted.customers, 'customer')} as of {fitted.as_of}: "
                  + ", ".join(f"{s} {n:,}" for s, n in fitted.segments.items()), markup=False)
    for name in fitted.defaults:
        console.print(f"kept the default for {name}: too few to estimate", markup=False)
    raise typer.Exit(EXIT_OK)


def register(app: typer.Typer) -> None:
    app.command()(simulate)
    app.command()(price)
    app.command()(forecast)
    app.add_typer(cohort_app, name="cohort")
