"""``evaluate`` and ``explain``: what each customer has earned, and why.

``evaluate --format table`` shows every customer's lines up to ``TABLE_CUSTOMERS``
customers; past that, a table per customer is slow to print and no one reads twenty
thousand of them, so it shows the totals by segment, provider and component and says how
to get every line (``--format csv|json|jsonl``, or ``--customer``).
"""

from __future__ import annotations

import io
import sys
from enum import StrEnum
from typing import Annotated, BinaryIO

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from .. import api
from ..api import (
    Dialect,
    Evaluation,
    EvaluationRun,
    LoadedContract,
    Summary,
    evaluate_table,
    evaluate_to,
    explain_customer,
    provider_customers,
)
from ..errors import EXIT_PROBLEMS, has_errors
from ..jsonout import canonical_json
from ..values import counted, money_text
from .common import (
    AsOfOpt,
    ContractArg,
    CustomersOpt,
    DateFormatOpt,
    DecimalCommaOpt,
    DelimiterOpt,
    DialectOpt,
    EncodingOpt,
    EventsArg,
    JobsOpt,
    OutputOpt,
    SelectProviderOpt,
    check_output,
    cli_date,
    err,
    exit_code,
    fail,
    file_dialect,
    out,
    prepare_stream,
    write_output,
)
from .report import explain_customer as print_explanation
from .report import print_evaluation, print_problems, safe_text

TABLE_CUSTOMERS = 200  # past this many customers, the table shows totals only


class Format(StrEnum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"


def _customer_problems(ev: Evaluation) -> None:
    if ev.problems:
        print_problems(err(), ev.problems)
        if has_errors(ev.problems):  # a customer could not be evaluated
            raise typer.Exit(EXIT_PROBLEMS)


def evaluate(
    contract: ContractArg,
    events: EventsArg,
    as_of: AsOfOpt,
    customer: CustomersOpt = None,
    format: Annotated[Format, typer.Option("--format", "-f")] = Format.table,
    dialect: DialectOpt = None,
    delimiter: DelimiterOpt = None,
    decimal_comma: DecimalCommaOpt = False,
    date_format: DateFormatOpt = None,
    encoding: EncodingOpt = None,
    jobs: JobsOpt = 1,
    provider: SelectProviderOpt = None,
    output: OutputOpt = None,
) -> None:
    """Compute what each customer has earned, what is pending and what was not earned."""
    check_output(output, inputs=[contract, *events])
    read_as = file_dialect(dialect, delimiter, decimal_comma, date_format, encoding)
    if provider is not None:
        customer = _of_provider(contract, events, as_of, provider, customer, read_as)
    if format is not Format.table:
        _stream(contract, events, as_of, customer, format.value, read_as, jobs, output)
        return
    on = cli_date(as_of, "--as-of")
    done = evaluate_table(contract, events, on, limit=TABLE_CUSTOMERS, customers=customer,
                          dialect=read_as, jobs=jobs)
    if done.problems:  # errors, or warnings only
        print_problems(err(), done.problems)
    if not done.ok:
        raise typer.Exit(exit_code(done.problems, done.unreadable))
    missing = sorted(set(customer or ()) - done.shown)
    if missing:
        err().print(f"no events for customer(s): {', '.join(missing)}", markup=False)
        raise typer.Exit(EXIT_PROBLEMS)
    buffer = io.StringIO()
    console = out() if output is None else Console(file=buffer, width=160, highlight=False,
                                                   soft_wrap=False)
    if done.evaluation is not None:
        print_evaluation(console, done.evaluation)
        _written(buffer, output)
        _customer_problems(done.evaluation)
        return
    assert done.summary is not None and done.contract is not None
    _print_summary(console, done.contract, on.isoformat(), done.summary)
    _written(buffer, output)
    if done.customer_problems:
        print_problems(err(), done.customer_problems)
        if has_errors(done.customer_problems):
            raise typer.Exit(EXIT_PROBLEMS)


def _written(buffer: io.StringIO, output: str | None) -> None:
    """The table rendered into ``buffer``, put in ``output`` (none: it went to stdout)."""
    if output is not None:
        write_output(buffer.getvalue(), output)


def _print_summary(console: Console, contract: LoadedContract, as_of: str, summary: Summary
                   ) -> None:
    """The totals by segment, provider and component, and how to see every line."""
    md = contract.contract.metadata
    console.print(Text.assemble((safe_text(md.title), "bold"),
                                f" ({md.id} v{md.version}) as of {as_of}"))
    table = Table(title="totals by segment, provider and component", title_justify="left")
    for name in ("segment", "provider", "component"):
        table.add_column(name)
    for name in ("customers", "lines", "payable", "pending", "not earned"):
        table.add_column(name, justify="right", no_wrap=True)
    for row in summary.rows:
        table.add_row(Text(safe_text(row.segment or "-")), Text(safe_text(row.provider or "-")),
                      Text(safe_text(row.component)), f"{row.customers:,}", f"{row.lines:,}",
                      money_text(row.payable), money_text(row.pending),
                      money_text(row.not_earned))
    console.print(table)
    t, cur = summary.totals, md.currency
    console.print(f"[bold]total payable {money_text(t.payable)} {cur}[/bold] · pending "
                  f"{money_text(t.pending)} {cur} · not earned {money_text(t.not_earned)} "
                  f"{cur} · {counted(summary.customers, 'customer')}")
    console.print(Text(
        f"{summary.customers:,} customers are more than {TABLE_CUSTOMERS}: each customer's "
        "lines are not shown. Every line: --format csv, json or jsonl; one customer's: "
        "--customer ID.", style="dim"))


def _of_provider(contract: str, events: list[str], as_of: str, provider: str,
                 customers: list[str] | None, dialect: Dialect) -> list[str]:
    """The customers of ``provider`` (among ``customers``, if given); none: said, and the
    evaluation of no customers is what the command shows."""
    try:
        found, inputs = provider_customers(contract, events, cli_date(as_of, "--as-of"),
                                           provider, dialect)
    except api.ForecastError as exc:
        fail(str(exc))
    if found is None:
        if inputs.problems:
            print_problems(err(), inputs.problems)
        raise typer.Exit(exit_code(inputs.problems, inputs.unreadable))
    if customers:
        other = sorted(set(customers) - set(found))
        if other:
            fail(f"not customer(s) of provider {provider}: {', '.join(other)[:200]}",
                 EXIT_PROBLEMS)
        found = [c for c in found if c in customers]
    if not found:  # said, and an evaluation of no customers shown (or written to -o)
        err().print(f"provider {provider} has no customers as of {as_of}", markup=False)
    return found


def _stream(contract: str, events: list[str], as_of: str, customers: list[str] | None,
            fmt: str, dialect: Dialect, jobs: int, output: str | None = None) -> None:
    """JSON, JSON Lines and CSV, written customer by customer (the same bytes for any
    ``--jobs``) to stdout, or to a file beside ``output`` put in its place when all is
    written (nothing is put there when the inputs have errors)."""
    on = cli_date(as_of, "--as-of")
    pending = None
    if customers is not None:
        # a missing customer is said before anything is written
        buffer = io.StringIO()
        done = evaluate_to(contract, events, on, buffer, fmt, customers=customers,
                           dialect=dialect, jobs=jobs)
        text = buffer.getvalue()
    elif output is None:
        done = evaluate_to(contract, events, on, sys.stdout, fmt, dialect=dialect, jobs=jobs)
        text = ""
    else:
        ran: list[EvaluationRun] = []

        def write(fh: BinaryIO) -> None:
            # the bytes stdout gets: UTF-8, line ends as the writers make them
            wrapped = io.TextIOWrapper(fh, encoding="utf-8", newline="")
            ran.append(evaluate_to(contract, events, on, wrapped, fmt, dialect=dialect,
                                   jobs=jobs))
            wrapped.flush()
            wrapped.detach()

        pending = prepare_stream(write, output)
        done, text = ran[0], ""
    if done.problems:
        print_problems(err(), done.problems)
    if not done.ok:
        if pending is not None:
            pending.discard()
        raise typer.Exit(exit_code(done.problems, done.unreadable))
    missing = sorted(set(customers or ()) - done.shown)
    if missing:
        err().print(f"no events for customer(s): {', '.join(missing)}", markup=False)
        raise typer.Exit(EXIT_PROBLEMS)
    if pending is not None:
        pending()
    elif output is not None:
        write_output(text, output)
    else:
        sys.stdout.write(text)
    if done.customer_problems:
        print_problems(err(), done.customer_problems)
        if has_errors(done.customer_problems):
            raise typer.Exit(EXIT_PROBLEMS)


class ExplainFormat(StrEnum):
    table = "table"
    json = "json"


def explain(
    contract: ContractArg,
    events: EventsArg,
    customer: Annotated[str, typer.Option("--customer", help="the customer to explain")],
    as_of: AsOfOpt,
    format: Annotated[ExplainFormat, typer.Option("--format", "-f")] = ExplainFormat.table,
    dialect: DialectOpt = None,
    delimiter: DelimiterOpt = None,
    decimal_comma: DecimalCommaOpt = False,
    date_format: DateFormatOpt = None,
    encoding: EncodingOpt = None,
) -> None:
    """Explain one customer: timeline, segment, windows, and why each fee fired or not."""
    on = cli_date(as_of, "--as-of")
    read_as = file_dialect(dialect, delimiter, decimal_comma, date_format, encoding)
    x, ev, inputs = explain_customer(contract, events, customer, on, read_as)
    if inputs.problems:
        print_problems(err(), inputs.problems)
    if ev is None:
        raise typer.Exit(exit_code(inputs.problems, inputs.unreadable))
    if x is None:
        err().print(f"no events recorded by {as_of} for customer {customer}", markup=False)
        raise typer.Exit(EXIT_PROBLEMS)
    if format is ExplainFormat.json:
        sys.stdout.write(canonical_json(x.to_dict()))
    else:
        print_explanation(out(), x)
    _customer_problems(ev)


def register(app: typer.Typer) -> None:
    app.command()(evaluate)
    app.command()(explain)
