"""``ledger check`` and ``ledger export``: a ledger's problems, and its whole audit trail.

Both read the ledger only (never create, mark or change it); the library does the work
(``rewardengine.api.check_ledger`` / ``export_ledger``), this module parses and renders.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.text import Text

from ..api import check_ledger, export_ledger
from ..errors import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, Severity
from ..jsonout import canonical_json
from .common import (
    DEFAULT_LEDGER,
    OutputOpt,
    check_output,
    err,
    ledger_path,
    out,
    write_output,
)
from .report import print_problems, safe_text

if TYPE_CHECKING:
    from ..api import LedgerReport

LedgerPathOpt = Annotated[str, typer.Option(
    "--ledger", help="the ledger file (read only: never created, marked or changed)",
    callback=ledger_path)]


class CheckFormat(StrEnum):
    text = "text"
    json = "json"


class ExportFormat(StrEnum):
    json = "json"
    csv = "csv"


ledger_app = typer.Typer(
    no_args_is_help=True,
    help="Check a ledger for every problem, or export its whole audit trail.")


def _exit_code(report: LedgerReport) -> int:
    if report.unreadable:
        return EXIT_USAGE
    return EXIT_OK if report.ok else EXIT_PROBLEMS


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _describe(console: Console, report: LedgerReport) -> None:
    marks = "marked" if report.marked else "not marked yet"
    console.print(Text(f"ledger {safe_text(report.path)}: schema {report.schema_version}, "
                       f"{marks}, journal {report.journal}"))
    contracts = ", ".join(f"{safe_text(c)}: {n}" for c, n in report.contracts)
    console.print(Text(f"{_plural(report.invoices, 'invoice')}"
                       f"{f' ({contracts})' if contracts else ''}, "
                       f"{_plural(report.lines, 'line')}, "
                       f"{_plural(report.corrections, 'correction')}"))
    if report.head is not None:
        console.print(Text(f"hash chain head: {report.head[1]} (after "
                           f"{safe_text(report.head[0])})"))


@ledger_app.command("check")
def check(
    ledger: LedgerPathOpt = DEFAULT_LEDGER,
    format: Annotated[CheckFormat, typer.Option("--format", "-f")] = CheckFormat.text,
) -> None:
    """Report every problem of a ledger: exit 0 whole, 1 problems found, 2 not a ledger or
    unreadable."""
    report = check_ledger(ledger)
    if format is CheckFormat.json:
        sys.stdout.write(canonical_json(report.to_dict()))
        raise typer.Exit(_exit_code(report))
    if report.unreadable:
        print_problems(err(), list(report.problems))
        err().print("the ledger cannot be checked", markup=False)
        raise typer.Exit(EXIT_USAGE)
    console = out()
    _describe(console, report)
    print_problems(console, list(report.problems))
    errors = sum(p.severity is Severity.ERROR for p in report.problems)
    console.print(Text("the ledger is whole" if report.ok else
                       f"the ledger has {_plural(errors, 'problem')}",
                       style="green" if report.ok else "bold red"))
    raise typer.Exit(_exit_code(report))


@ledger_app.command("export")
def export(
    ledger: LedgerPathOpt = DEFAULT_LEDGER,
    format: Annotated[ExportFormat | None, typer.Option(
        "--format", "-f", help="json or csv [default: csv for an -o FILE ending in .csv, "
        "else json]", show_default=False)] = None,
    output: OutputOpt = None,
) -> None:
    """Write every invoice, line and correction with the stored document hashes, each row's
    sha256 and a hash chain over the rows. A ledger with problems is exported as stored
    (exit 1)."""
    check_output(output, protect=[ledger])
    text, report = export_ledger(ledger, _export_format(format, output).value)
    if text is None:
        print_problems(err(), list(report.problems))
        err().print("nothing was exported", markup=False)
        raise typer.Exit(EXIT_USAGE if report.unreadable else EXIT_PROBLEMS)
    write_output(text, output)
    if not report.ok:
        print_problems(err(), list(report.problems))
        err().print("exported as stored, but the ledger has problems (see `rewardengine "
                    "ledger check`)", markup=False)
    raise typer.Exit(_exit_code(report))


def _export_format(given: ExportFormat | None, output: str | None) -> ExportFormat:
    """The format asked for; none asked for: the output file's suffix says (``trail.csv``
    is CSV), else JSON, so a file named .csv never holds JSON unasked."""
    if given is not None:
        return given
    csv_named = output is not None and output.lower().endswith(".csv")
    return ExportFormat.csv if csv_named else ExportFormat.json


def register(app: typer.Typer) -> None:
    """Add the ``ledger`` group (``check``, ``export``) to ``app``."""
    app.add_typer(ledger_app, name="ledger")
