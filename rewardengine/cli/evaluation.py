"""``evaluate`` and ``explain``: what each customer has earned, and why."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer

from ..api import PLAIN, Dialect, Evaluation, explain_customer, run_evaluation
from ..errors import EXIT_PROBLEMS, has_errors
from ..jsonout import canonical_json
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
    cli_date,
    err,
    exit_code,
    file_dialect,
    out,
)
from .report import evaluation_csv, print_evaluation, print_problems
from .report import explain_customer as print_explanation


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def _evaluate_or_exit(contract: str, events: list[str], as_of: str,
                      customers: list[str] | None, dialect: Dialect = PLAIN) -> Evaluation:
    on = cli_date(as_of, "--as-of")
    ev, inputs = run_evaluation(contract, events, on, customers, dialect)
    if inputs.problems:  # errors, or warnings only
        print_problems(err(), inputs.problems)
    if ev is None:
        raise typer.Exit(exit_code(inputs.problems, inputs.unreadable))
    return ev


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
) -> None:
    """Compute what each customer has earned, what is pending and what was not earned."""
    read_as = file_dialect(dialect, delimiter, decimal_comma, date_format, encoding)
    ev = _evaluate_or_exit(contract, events, as_of, customer, read_as)
    if customer:
        missing = sorted(set(customer) - {c.customer_id for c in ev.customers})
        if missing:
            err().print(f"no events for customer(s): {', '.join(missing)}", markup=False)
            raise typer.Exit(EXIT_PROBLEMS)
    if format is Format.json:
        sys.stdout.write(canonical_json(ev.to_dict()))
    elif format is Format.csv:
        sys.stdout.write(evaluation_csv(ev))
    else:
        print_evaluation(out(), ev)
    _customer_problems(ev)


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
