"""``invoice`` (with ``invoice show N``) and ``verify``: the billing commands.

``invoice`` is a group whose default sub-command issues an invoice, so both
``invoice CONTRACT EVENTS... --period P`` and ``invoice show N`` work (a contract file really
named ``show`` is given as ``./show``). Money is computed only in the library.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text
from typer.core import TyperGroup

from .. import api
from ..api import (
    EINVOICE_FORMATS,
    BillingError,
    EInvoiceUnavailable,
    Inputs,
    billing_period,
    issue_invoice,
    read_bill_file,
    render_invoice,
    show_invoice,
    verify_bill,
)
from ..errors import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, has_errors
from ..values import money_text
from .common import (
    DEFAULT_LEDGER,
    DateFormatOpt,
    DecimalCommaOpt,
    DelimiterOpt,
    DialectOpt,
    EncodingOpt,
    FromOpt,
    JobsOpt,
    JointOpt,
    OutputOpt,
    PeriodOpt,
    ProviderOpt,
    ToOpt,
    a_contract,
    check_output,
    cli_date,
    each_once,
    err,
    exit_code,
    fail,
    file_dialect,
    ledger_path,
    out,
    prepare_output,
    prepare_stream,
    same_file,
    write_output,
)
from .report import print_problems, safe_text

if TYPE_CHECKING:
    from ..api import Invoice, IssueResult, VerifyReport

CLASS_STYLE = {"match": "green", "amount_differs": "yellow", "date_differs": "yellow",
               "not_payable": "red",
               "duplicate": "magenta", "underbilled": "cyan"}


class InvoiceFormat(StrEnum):
    json = "json"
    csv = "csv"
    html = "html"
    ubl = "ubl"  # Peppol BIS Billing 3.0 (EN 16931), UBL 2.1
    finvoice = "finvoice"  # Finvoice 3.0
    xlsx = "xlsx"  # for checkers who work in Excel (needs -o)


class Lang(StrEnum):
    fi = "fi"
    sv = "sv"
    en = "en"


class ReportFormat(StrEnum):
    table = "table"
    json = "json"
    html = "html"


LangOpt = Annotated[Lang | None, typer.Option(
    "--lang", help="HTML and XLSX in one language, with Finnish number and date formats; "
    "UBL and Finvoice with their payment terms in it (default: HTML in Finnish and English, "
    "XLSX in Finnish, UBL and Finvoice terms in English)")]
ReportLangOpt = Annotated[Lang | None, typer.Option(
    "--lang", help="the HTML report in one language, with Finnish number and date formats "
    "(default: Finnish and English)")]
MemberOpt = Annotated[str | None, typer.Option(
    "--member", help="one member's own invoice out of a consortium's joint invoice (each "
    "member invoices its own part unless the contract names a lead provider)")]


class _Renderer:
    """Renders an invoice in the chosen format and prepares its output (before the ledger
    commits, put in place after)."""

    def __init__(self, fmt: InvoiceFormat, lang: Lang | None, member: str | None,
                 output: str | None) -> None:
        if fmt is InvoiceFormat.xlsx and output is None:
            fail("--format xlsx writes a workbook: give -o FILE.xlsx")
        self.fmt, self.lang, self.member, self.output = fmt, lang, member, output

    def render(self, invoice: Invoice) -> str | bytes:
        return render_invoice(invoice, self.fmt.value, member=self.member,
                              lang=self.lang.value if self.lang else None)

    def prepare(self, invoice: Invoice) -> Callable[[], None]:
        if self.fmt is InvoiceFormat.json and self.member is None and self.output is not None:
            # streamed into the file as it is made (the same bytes as ``render``): a first
            # invoice, of every earning of a large cohort, is never held whole as text
            return prepare_stream(lambda fh: api.write_invoice_json(
                invoice, lambda text: fh.write(text.encode("utf-8"))), self.output)
        data = self.render(invoice)
        if isinstance(data, bytes):
            assert self.output is not None
            return prepare_stream(lambda fh: fh.write(data), self.output)
        return prepare_output(data, self.output)

    def write(self, invoice: Invoice) -> None:
        self.prepare(invoice)()

LedgerOpt = Annotated[str, typer.Option(
    "--ledger", help="the ledger file (SQLite); it must be there: a new one is started only "
    "with --new-ledger", callback=ledger_path)]
NewLedgerOpt = Annotated[bool, typer.Option(
    "--new-ledger", help="start a new ledger at --ledger (where no file is): the first "
    "invoice of a contract; a missing ledger is otherwise refused (L013)")]
ReadLedgerOpt = Annotated[str | None, typer.Option(
    "--ledger", help="the ledger of what was invoiced (read only; default ledger.sqlite); it "
    "must be there: --no-ledger compares a first bill with nothing invoiced",
    callback=ledger_path)]
NoLedgerOpt = Annotated[bool, typer.Option(
    "--no-ledger", help="compare the bill with no ledger: nothing was invoiced before (a "
    "first bill)")]
InvoiceFormatOpt = Annotated[InvoiceFormat, typer.Option("--format", "-f")]


class DefaultCommandGroup(TyperGroup):
    """A group whose first argument, when it names no sub-command, goes to the default one
    (``invoice CONTRACT EVENTS...`` is ``invoice issue CONTRACT EVENTS...``)."""

    default_command = "issue"

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)


invoice_app = typer.Typer(
    cls=DefaultCommandGroup, no_args_is_help=True,
    help="Invoice a period (the default: `invoice CONTRACT EVENTS... --period P`), or show "
         "an issued invoice (`invoice show NUMBER`).")


@invoice_app.command("issue")
def issue(
    contract: Annotated[str, typer.Argument(help="contract YAML file", metavar="CONTRACT",
                                            callback=a_contract)],
    events: Annotated[list[str] | None, typer.Argument(
        help="event files (CSV, JSON Lines or Parquet)", metavar="EVENTS...",
        callback=each_once)] = None,
    period: PeriodOpt = None,
    first_day: FromOpt = None,
    last_day: ToOpt = None,
    provider: ProviderOpt = None,
    joint: JointOpt = False,
    ledger: LedgerOpt = DEFAULT_LEDGER,
    new_ledger: NewLedgerOpt = False,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="compute the same invoice without writing it")] = False,
    issue_date: Annotated[str | None, typer.Option(
        "--issue-date", help="the invoice date YYYY-MM-DD, the day it is sent: not before "
        "the period's last day, nor before the facts or the invoice already issued that a "
        "period invoiced out of order follows; default the earliest such day. The due date "
        "follows it")] = None,
    format: InvoiceFormatOpt = InvoiceFormat.json,
    output: OutputOpt = None,
    lang: LangOpt = None,
    member: MemberOpt = None,
    dialect: DialectOpt = None,
    delimiter: DelimiterOpt = None,
    decimal_comma: DecimalCommaOpt = False,
    date_format: DateFormatOpt = None,
    encoding: EncodingOpt = None,
    jobs: JobsOpt = 1,
) -> None:
    """Invoice a period: new payable lines plus corrections of earlier invoices.

    The invoice is recorded in the ledger in one transaction; the output file is written
    before the commit and put in place after it, so a failed write records nothing."""
    if not events:
        fail("give the contract and at least one event file")
    try:
        billing = billing_period(period, first_day, last_day)
    except BillingError as exc:
        fail(str(exc))
    on = cli_date(issue_date, "--issue-date") if issue_date is not None else None
    read_as = file_dialect(dialect, delimiter, decimal_comma, date_format, encoding)
    check_output(output, protect=[ledger], inputs=[contract, *events])
    renderer = _Renderer(format, lang, member, output)
    try:
        result, inputs = issue_invoice(
            contract, events, billing, ledger_path=ledger, provider=provider, joint=joint,
            issue_date=on, dry_run=dry_run,
            prepare=lambda invoice: _after_commit(renderer.prepare(invoice), invoice, ledger,
                                                  output, dry_run),
            dialect=read_as, jobs=jobs, member=member,
            einvoice=format.value if format.value in EINVOICE_FORMATS else False,
            new_ledger=new_ledger)
    except BillingError as exc:
        fail(str(exc))
    except EInvoiceUnavailable as exc:  # nothing was recorded: the ledger rolled back
        fail(f"{exc}; nothing was recorded", EXIT_PROBLEMS)
    _report_issue(result, inputs)


def _report_issue(result: IssueResult | None, inputs: Inputs) -> None:
    if inputs.problems:
        print_problems(err(), inputs.problems)
    if result is None:
        fail("the contract or the events have errors; nothing was computed",
             exit_code(inputs.problems, inputs.unreadable))
    err().print(result.message, markup=False)
    if result.invoice is not None:
        # said on every path: a customer left out (V001) explains "nothing to invoice" too
        print_problems(err(), list(result.invoice.problems))
    print_problems(err(), list(result.notes))
    if result.status == "refused":
        raise typer.Exit(EXIT_PROBLEMS)


class _AfterCommit:
    """The step that puts an invoice's output in place once the ledger holds the invoice: if
    the output cannot be written then, the invoice is recorded all the same, and the message
    says so and how to write the output again."""

    def __init__(self, step: Callable[[], None], number: str, ledger: str,
                 output: str | None, recorded: bool) -> None:
        self.step, self.number, self.ledger = step, number, ledger
        self.output, self.recorded = output, recorded

    def __call__(self) -> None:
        try:
            self.step()
        except typer.Exit:
            if self.recorded and self.output is not None:
                err().print(f"the invoice {self.number} IS recorded in the ledger; write its "
                            f"output again with: rewardengine invoice show {self.number} "
                            f"--ledger {self.ledger} -o FILE", markup=False)
            raise

    def discard(self) -> None:
        discard = getattr(self.step, "discard", None)
        if callable(discard):
            discard()


def _after_commit(step: Callable[[], None], invoice: Invoice, ledger: str,
                  output: str | None, dry_run: bool) -> Callable[[], None]:
    return _AfterCommit(step, invoice.number, ledger, output, not dry_run)


@invoice_app.command("show")
def show(
    number: Annotated[str, typer.Argument(help="the invoice number", metavar="NUMBER")],
    ledger: LedgerOpt = DEFAULT_LEDGER,
    format: InvoiceFormatOpt = InvoiceFormat.json,
    output: OutputOpt = None,
    lang: LangOpt = None,
    member: MemberOpt = None,
) -> None:
    """Re-render an issued invoice from the ledger, exactly as it was issued."""
    check_output(output, protect=[ledger])
    renderer = _Renderer(format, lang, member, output)
    if not os.path.lexists(ledger):
        fail(f"no ledger at {ledger}: nothing was invoiced there (give --ledger PATH)")
    try:
        shown = show_invoice(ledger, number)
        if shown is None:
            fail(f"no invoice {safe_text(number, 60)} in {ledger}", EXIT_PROBLEMS)
        renderer.write(shown)
    except BillingError as exc:
        fail(str(exc))
    except EInvoiceUnavailable as exc:
        fail(str(exc), EXIT_PROBLEMS)


def _report_table(console: Console, report: VerifyReport) -> None:
    console.print(Text.assemble(("Bill ", "bold"), (safe_text(report.bill_file), "bold"),
                                f" for {report.period.label}, contract {report.contract_id} "
                                f"v{report.contract_version}, facts as of {report.as_of}; "
                                f"compared with {report.ledger}"))
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
            Text(safe_text(f.customer_id)), Text(safe_text(f.component)),
            Text(safe_text(f.occurrence or "")), f.date.isoformat() if f.date else "",
            "" if f.billed is None else money_text(f.billed),
            "" if f.computed is None else money_text(f.computed),
            money_text(f.difference) if f.cls != "match" else "",
            Text(safe_text(f.reason + (f" [{f.clause}]" if f.clause else ""))))
    console.print(table)
    counts = ", ".join(f"{report.count(c)} {api.class_label(c).split(' / ')[1].lower()}"
                       for c in api.CLASSES)
    console.print(counts, markup=False)
    console.print(f"billed {money_text(report.billed_total)}, computed "
                  f"{money_text(report.computed_total)}, difference "
                  f"{money_text(report.difference)} (VAT excluded)", markup=False)
    print_problems(console, list(report.problems))
    if report.event_problems:
        console.print(f"the events' problems, as the computed invoice holds them "
                      f"({len(report.event_problems)}; they do not make the bill wrong):",
                      markup=False)
        print_problems(console, list(report.event_problems))
    console.print(Text("the bill is right" if report.ok else "the bill is NOT right",
                       style="green" if report.ok else "bold red"))


def _table_text(report: VerifyReport) -> str:
    buffer = io.StringIO()
    _report_table(Console(file=buffer, width=160, soft_wrap=False, highlight=False), report)
    return buffer.getvalue()


def _each_once(contract: str, events: list[str], bill_path: str) -> None:
    """The contract not an event file, each event file once, and the bill not one of them
    (a usage error)."""
    try:
        a_contract(contract)
        each_once(events)
    except typer.BadParameter as exc:  # told at the arguments, as the other commands tell it
        raise typer.BadParameter(exc.message, param_hint="CONTRACT EVENTS... BILL") from None
    if any(same_file(bill_path, e) for e in events):
        raise typer.BadParameter(f"the bill {bill_path} is given as an event file too: the "
                                 "last file is the bill, the files before it the events",
                                 param_hint="CONTRACT EVENTS... BILL")


def verify(
    args: Annotated[list[str], typer.Argument(
        metavar="CONTRACT EVENTS... BILL",
        help="the contract, the event files, and the bill (CSV or JSON)")],
    period: PeriodOpt = None,
    first_day: FromOpt = None,
    last_day: ToOpt = None,
    provider: ProviderOpt = None,
    joint: JointOpt = False,
    ledger: ReadLedgerOpt = None,
    no_ledger: NoLedgerOpt = False,
    mapping: Annotated[list[str] | None, typer.Option(
        "--map", help="bill columns with other names: FIELD=COLUMN[,FIELD=COLUMN...], "
        "fields: customer, component, occurrence, date, amount, provider, type")] = None,
    format: Annotated[ReportFormat, typer.Option("--format", "-f")] = ReportFormat.table,
    output: OutputOpt = None,
    dialect: DialectOpt = None,
    delimiter: DelimiterOpt = None,
    decimal_comma: DecimalCommaOpt = False,
    date_format: DateFormatOpt = None,
    encoding: EncodingOpt = None,
    jobs: JobsOpt = 1,
    lang: ReportLangOpt = None,
) -> None:
    """Check a provider's bill line by line; exit 0 only if it is right, 1 if not."""
    if len(args) < 3:
        fail("give the contract, at least one event file and the bill")
    read_as = file_dialect(dialect, delimiter, decimal_comma, date_format, encoding)
    contract, events, bill_path = args[0], args[1:-1], args[-1]
    _each_once(contract, events, bill_path)
    compared = _compared_with(ledger, no_ledger)
    check_output(output, protect=[compared or DEFAULT_LEDGER], inputs=args)
    try:
        billing = billing_period(period, first_day, last_day)
        bill = read_bill_file(bill_path, mapping, read_as)
        if bill.unreadable:
            print_problems(err(), bill.problems)
            fail("the bill cannot be read", EXIT_USAGE)
        report, inputs = verify_bill(contract, events, bill, billing, ledger_path=compared,
                                     provider=provider, joint=joint, dialect=read_as,
                                     jobs=jobs)
    except BillingError as exc:
        fail(str(exc))
    if inputs.problems:
        print_problems(err(), inputs.problems)
    if report is None:
        fail("the contract or the events have errors; nothing was computed",
             exit_code(inputs.problems, inputs.unreadable))
    render: dict[ReportFormat, Callable[[VerifyReport], str]] = {
        ReportFormat.json: api.report_json,
        ReportFormat.html: lambda r: api.report_html(r, lang.value if lang else None)}
    if format in render:
        write_output(render[format](report), output)
    elif output is not None:
        write_output(_table_text(report), output)
    else:
        _report_table(out(), report)
    raise typer.Exit(EXIT_OK if report.ok and not has_errors(list(report.problems))
                     else EXIT_PROBLEMS)


def _compared_with(ledger: str | None, no_ledger: bool) -> str | None:
    """The ledger a bill is compared with: the one named, else ``ledger.sqlite``; None with
    ``--no-ledger`` (nothing invoiced before), which a ledger named contradicts."""
    if no_ledger and ledger is not None:
        fail("give either --ledger or --no-ledger, not both")
    return None if no_ledger else (ledger or DEFAULT_LEDGER)


def register(app: typer.Typer) -> None:
    """Add ``invoice`` (a group: issue by default, and show) and ``verify`` to ``app``."""
    app.add_typer(invoice_app, name="invoice")
    app.command("verify")(verify)

