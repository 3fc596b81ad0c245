"""The command line: parse, call the library, render. No money is computed here."""

from __future__ import annotations

import os
import sys
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

import typer
from pydantic_core import PydanticCustomError
from rich.console import Console

from . import __version__
from .api import Inputs, load_inputs, run_evaluation
from .contract.model import Contract
from .errors import EXIT_INTERNAL, EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, Severity, has_errors
from .jsonout import canonical_json
from .report import evaluation_csv, explain_customer, print_evaluation, print_problems
from .values import parse_date

app = typer.Typer(
    name="rewardengine",
    help="Executable outcome-based payment contracts for employment services.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # event data is personal: never print locals
    pretty_exceptions_enable=False,
)


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class ProblemFormat(StrEnum):
    text = "text"
    json = "json"


def _out() -> Console:
    return Console(soft_wrap=False, width=None if sys.stdout.isatty() else 160)


def _err() -> Console:
    return Console(stderr=True, soft_wrap=True)


def _parse_date(value: str, option: str) -> date:
    try:
        return parse_date(value)
    except PydanticCustomError as exc:
        raise typer.BadParameter(str(exc), param_hint=option) from None


def _exit_for(inputs: Inputs) -> int:
    if inputs.unreadable:
        return EXIT_USAGE
    return EXIT_PROBLEMS if has_errors(inputs.problems) else EXIT_OK


ContractArg = Annotated[str, typer.Argument(help="contract YAML file", metavar="CONTRACT")]
EventsArg = Annotated[list[str], typer.Argument(help="event files (CSV or JSON Lines)",
                                                metavar="EVENTS...")]


@app.command()
def validate(
    contract: ContractArg,
    events: Annotated[list[str] | None, typer.Argument(
        help="event files to check too", metavar="[EVENTS]...")] = None,
    format: Annotated[ProblemFormat, typer.Option("--format", "-f")] = ProblemFormat.text,
    strict: Annotated[bool, typer.Option(help="lint warnings make the exit code 1")] = False,
) -> None:
    """Check a contract (and event files): every problem at once, then lint warnings."""
    inputs = load_inputs(contract, events or [], with_lint=True)
    code = _exit_for(inputs)
    if code == EXIT_OK and strict and inputs.problems:
        code = EXIT_PROBLEMS
    if format is ProblemFormat.json:
        sys.stdout.write(canonical_json({
            "ok": code == EXIT_OK,
            "problems": [p.to_dict() for p in inputs.problems],
        }))
    else:
        print_problems(_out(), inputs.problems)
        errors = sum(p.severity is Severity.ERROR for p in inputs.problems)
        warnings = len(inputs.problems) - errors
        summary = f"{errors} error(s), {warnings} warning(s)"
        _err().print(("ok: " if code == EXIT_OK else "") + summary, highlight=False)
    raise typer.Exit(code)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the contract language (for editors checking drafts)."""
    data = Contract.model_json_schema(by_alias=True)
    data["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    data["title"] = "rewardengine contract"
    sys.stdout.write(canonical_json(data))


def _evaluate_or_exit(contract: str, events: list[str], as_of: str,
                      customers: list[str] | None) -> Any:
    on = _parse_date(as_of, "--as-of")
    ev, inputs = run_evaluation(contract, events, on, customers)
    if ev is None:
        print_problems(_err(), inputs.problems)
        raise typer.Exit(_exit_for(inputs))
    if inputs.problems:  # warnings only
        print_problems(_err(), inputs.problems)
    return ev


@app.command()
def evaluate(
    contract: ContractArg,
    events: EventsArg,
    as_of: Annotated[str, typer.Option("--as-of", help="evaluate with facts recorded by "
                                       "this date (YYYY-MM-DD)")],
    customer: Annotated[list[str] | None, typer.Option(
        "--customer", help="only this customer (repeatable)")] = None,
    format: Annotated[Format, typer.Option("--format", "-f")] = Format.table,
) -> None:
    """Compute what each customer has earned, what is pending and what was not earned."""
    ev = _evaluate_or_exit(contract, events, as_of, customer)
    if customer:
        missing = sorted(set(customer) - {c.customer_id for c in ev.customers})
        if missing:
            _err().print(f"no events for customer(s): {', '.join(missing)}", markup=False)
            raise typer.Exit(EXIT_PROBLEMS)
    if format is Format.json:
        sys.stdout.write(canonical_json(ev.to_dict()))
    elif format is Format.csv:
        sys.stdout.write(evaluation_csv(ev))
    else:
        print_evaluation(_out(), ev)
    if ev.problems:
        print_problems(_err(), ev.problems)
        if has_errors(ev.problems):
            raise typer.Exit(EXIT_PROBLEMS)


@app.command()
def explain(
    contract: ContractArg,
    events: EventsArg,
    customer: Annotated[str, typer.Option("--customer", help="the customer to explain")],
    as_of: Annotated[str, typer.Option("--as-of", help="YYYY-MM-DD")],
) -> None:
    """Explain one customer: timeline, segment, windows, and why each fee fired or not."""
    ev = _evaluate_or_exit(contract, events, as_of, [customer])
    if not ev.customers:
        _err().print(f"no events recorded by {as_of} for customer {customer}", markup=False)
        raise typer.Exit(EXIT_PROBLEMS)
    explain_customer(_out(), ev, ev.customers[0])
    if ev.problems:
        print_problems(_err(), ev.problems)
        if has_errors(ev.problems):  # the customer could not be evaluated
            raise typer.Exit(EXIT_PROBLEMS)


@app.command()
def version() -> None:
    """Print the engine version."""
    sys.stdout.write(f"rewardengine {__version__}\n")


def _register_optional() -> None:
    try:
        from . import cli_billing
    except ImportError:  # billing commands are optional while they are being built
        return
    cli_billing.register(app)


_register_optional()


def main() -> None:
    try:
        app()
    except Exception as exc:
        # A bug, not bad input (bad input is reported as problems). No traceback: locals and
        # messages may hold customer data. REWARDENGINE_DEBUG=1 shows it for developers.
        if os.environ.get("REWARDENGINE_DEBUG"):
            raise
        sys.stderr.write(f"rewardengine: internal error ({type(exc).__name__}); please report "
                         "it with the command that caused it\n")
        sys.exit(EXIT_INTERNAL)
