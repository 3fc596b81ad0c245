"""The billing commands: ``invoice`` (and ``invoice show N``) and ``verify``.

``register(app)`` adds them to the main typer app. ``invoice`` takes its positional arguments
as one list so that both ``invoice CONTRACT EVENTS... --period P`` and ``invoice show N``
work: when the first argument is the word ``show`` it shows an issued invoice (a contract file
really named ``show`` is given as ``./show``). Money is computed only in the library.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from pydantic_core import PydanticCustomError
from rich.console import Console
from rich.table import Table
from rich.text import Text

from .api import Inputs, load_inputs
from .errors import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, has_errors
from .invoicing.bill import MappingError, parse_mapping, read_bill
from .invoicing.ledger import LedgerError
from .invoicing.periods import BillingPeriod, PeriodError, resolve_period
from .invoicing.render import (
    class_label,
    invoice_csv,
    invoice_html,
    invoice_json,
    report_html,
    report_json,
)
from .invoicing.run import (
    InvoicingError,
    inputs_sha256,
    issue_invoice,
    show_invoice,
    verify_bill,
)
from .invoicing.verify import CLASSES, VerifyReport
from .report import print_problems
from .values import money_text, parse_date

DEFAULT_LEDGER = "ledger.sqlite"
CLASS_STYLE = {"match": "green", "amount_differs": "yellow", "not_payable": "red",
               "duplicate": "magenta", "underbilled": "cyan"}


class InvoiceFormat(StrEnum):
    json = "json"
    csv = "csv"
    html = "html"


class ReportFormat(StrEnum):
    table = "table"
    json = "json"
    html = "html"


def _err() -> Console:
    return Console(stderr=True, soft_wrap=True, highlight=False)


def _out() -> Console:
    return Console(soft_wrap=False, width=None if sys.stdout.isatty() else 160,
                   highlight=False)


def _fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    _err().print(f"error: {message}", markup=False)
    return typer.Exit(code)


def _emit(text: str, output: str | None) -> None:
    if output is None:
        sys.stdout.write(text)
    else:
        Path(output).write_text(text, encoding="utf-8")


def _period(period: str | None, first: str | None, last: str | None) -> BillingPeriod:
    try:
        return resolve_period(period, first, last)
    except PeriodError as exc:
        raise _fail(str(exc)) from None


def _inputs(contract: str, events: list[str]) -> Inputs:
    inputs = load_inputs(contract, events)
    if inputs.unreadable or not inputs.ok:
        print_problems(_err(), inputs.problems)
        raise _fail("the contract or the events have errors; nothing was computed",
                    EXIT_USAGE if inputs.unreadable else EXIT_PROBLEMS)
    if inputs.problems:  # warnings
        print_problems(_err(), inputs.problems)
    return inputs


PeriodOpt = Annotated[str | None, typer.Option(
    "--period", help="a month YYYY-MM or a quarter YYYY-Qn")]
FromOpt = Annotated[str | None, typer.Option("--from", help="first day YYYY-MM-DD")]
ToOpt = Annotated[str | None, typer.Option("--to", help="last day YYYY-MM-DD (inclusive)")]
ProviderOpt = Annotated[str | None, typer.Option(
    "--provider", help="the provider to invoice (needed when the contract has several)")]
JointOpt = Annotated[bool, typer.Option(
    "--joint", help="one joint invoice for the consortium, a section per member")]
OutputOpt = Annotated[str | None, typer.Option("--output", "-o", help="write to this file")]


def invoice(
    args: Annotated[list[str], typer.Argument(
        metavar="CONTRACT EVENTS... | show NUMBER",
        help="the contract and event files; or 'show' and an issued invoice's number")],
    period: PeriodOpt = None,
    first_day: FromOpt = None,
    last_day: ToOpt = None,
    provider: ProviderOpt = None,
    joint: JointOpt = False,
    ledger: Annotated[str, typer.Option(
        "--ledger", help="the ledger file (SQLite; created on first use)")] = DEFAULT_LEDGER,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="compute the same invoice without writing it")] = False,
    issue_date: Annotated[str | None, typer.Option(
        "--issue-date", help="the invoice date YYYY-MM-DD (default: the period's last "
        "day)")] = None,
    format: Annotated[InvoiceFormat, typer.Option("--format", "-f")] = InvoiceFormat.json,
    output: OutputOpt = None,
) -> None:
    """Invoice a period: new payable lines plus corrections of earlier invoices.

    `invoice show NUMBER` re-renders an issued invoice from the ledger.
    """
    render = {InvoiceFormat.json: invoice_json, InvoiceFormat.csv: invoice_csv,
              InvoiceFormat.html: invoice_html}[format]
    if args[0] == "show":
        if len(args) != 2:
            raise _fail("usage: invoice show NUMBER [--ledger PATH] [--format F]")
        try:
            shown = show_invoice(ledger, args[1])
        except LedgerError as exc:
            raise _fail(str(exc)) from None
        if shown is None:
            raise _fail(f"no invoice {args[1][:60]} in {ledger}", EXIT_PROBLEMS)
        _emit(render(shown), output)
        return
    if len(args) < 2:
        raise _fail("give the contract and at least one event file")
    contract, events = args[0], args[1:]
    billing_period = _period(period, first_day, last_day)
    on = None
    if issue_date is not None:
        try:
            on = parse_date(issue_date)
        except PydanticCustomError as exc:
            raise _fail(f"--issue-date: {exc}") from None
    inputs = _inputs(contract, events)
    assert inputs.contract is not None
    try:
        result = issue_invoice(
            inputs.contract, inputs.events.events, billing_period, ledger_path=ledger,
            inputs_hash=inputs_sha256(events), provider=provider, joint=joint,
            issue_date=on, dry_run=dry_run)
    except (InvoicingError, LedgerError) as exc:
        raise _fail(str(exc)) from None
    _err().print(result.message, markup=False)
    if result.invoice is not None and result.status != "nothing_new":
        _emit(render(result.invoice), output)
        for problem in result.invoice.problems:  # already "FILE:ROW: CODE [warning: ]message"
            _err().print(problem, markup=False)


def _report_table(console: Console, report: VerifyReport) -> None:
    console.print(f"[bold]Bill {report.bill_file}[/bold] for {report.period.label}, contract "
                  f"{report.contract_id} v{report.contract_version}, facts as of "
                  f"{report.as_of}; compared with {report.ledger}", markup=True)
    table = Table(expand=True, show_lines=False)
    for name, justify in (("class", "left"), ("row", "right"), ("customer", "left"),
                          ("component", "left"), ("occurrence", "left"), ("date", "left"),
                          ("billed", "right"), ("computed", "right"), ("diff", "right"),
                          ("reason", "left")):
        table.add_column(name, justify=justify,  # type: ignore[arg-type]
                         ratio=1 if name == "reason" else None,
                         no_wrap=name in ("billed", "computed", "diff", "date"))
    for f in report.findings:
        table.add_row(
            Text(f.cls, style=CLASS_STYLE[f.cls]), "" if f.row is None else str(f.row),
            f.customer_id, f.component, f.occurrence or "", f.date.isoformat() if f.date else "",
            "" if f.billed is None else money_text(f.billed),
            "" if f.computed is None else money_text(f.computed),
            money_text(f.difference) if f.cls != "match" else "",
            Text(f.reason + (f" [{f.clause}]" if f.clause else "")))
    console.print(table)
    counts = ", ".join(f"{report.count(c)} {class_label(c).split(' / ')[1].lower()}"
                       for c in CLASSES)
    console.print(counts, markup=False)
    console.print(f"billed {money_text(report.billed_total)}, computed "
                  f"{money_text(report.computed_total)}, difference "
                  f"{money_text(report.difference)} (VAT excluded)", markup=False)
    for p in report.problems:
        console.print(Text(str(p), style="red"))
    console.print(Text("the bill is right" if report.ok else "the bill is NOT right",
                       style="green" if report.ok else "bold red"))


def verify(
    args: Annotated[list[str], typer.Argument(
        metavar="CONTRACT EVENTS... BILL",
        help="the contract, the event files, and the bill (CSV or JSON)")],
    period: PeriodOpt = None,
    first_day: FromOpt = None,
    last_day: ToOpt = None,
    provider: ProviderOpt = None,
    joint: JointOpt = False,
    ledger: Annotated[str, typer.Option(
        "--ledger", help="the ledger of what was invoiced (read only; a missing file means "
        "nothing was invoiced before)")] = DEFAULT_LEDGER,
    mapping: Annotated[list[str] | None, typer.Option(
        "--map", help="bill columns with other names: FIELD=COLUMN[,FIELD=COLUMN...], "
        "fields: customer, component, occurrence, date, amount, provider, type")] = None,
    format: Annotated[ReportFormat, typer.Option("--format", "-f")] = ReportFormat.table,
    output: OutputOpt = None,
) -> None:
    """Check a provider's bill line by line; exit 0 only if it is right, 1 if not."""
    if len(args) < 3:
        raise _fail("give the contract, at least one event file and the bill")
    contract, events, bill_path = args[0], args[1:-1], args[-1]
    billing_period = _period(period, first_day, last_day)
    try:
        columns = parse_mapping(mapping)
    except MappingError as exc:
        raise _fail(f"--map: {exc}") from None
    bill = read_bill(bill_path, columns)
    if bill.unreadable:
        print_problems(_err(), bill.problems)
        raise _fail("the bill cannot be read", EXIT_USAGE)
    inputs = _inputs(contract, events)
    assert inputs.contract is not None
    try:
        report = verify_bill(inputs.contract, inputs.events.events, bill, billing_period,
                             ledger_path=ledger, provider=provider, joint=joint)
    except (InvoicingError, LedgerError) as exc:
        raise _fail(str(exc)) from None
    if format is ReportFormat.json:
        _emit(report_json(report), output)
    elif format is ReportFormat.html:
        _emit(report_html(report), output)
    elif output is not None:
        console = Console(file=open(output, "w", encoding="utf-8"),  # noqa: SIM115
                          width=160, soft_wrap=False, highlight=False)
        _report_table(console, report)
        console.file.close()
    else:
        _report_table(_out(), report)
    raise typer.Exit(EXIT_OK if report.ok and not has_errors(list(report.problems))
                     else EXIT_PROBLEMS)


def register(app: typer.Typer) -> None:
    """Add ``invoice`` and ``verify`` to ``app``."""
    app.command("invoice")(invoice)
    app.command("verify")(verify)
