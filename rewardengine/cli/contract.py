"""``validate``, ``schema`` and ``version``: the contract as a procurement officer drafts it."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from .. import __version__
from ..api import contract_schema, test_contract, validate_inputs
from ..errors import EXIT_OK, EXIT_PROBLEMS, Severity
from ..jsonout import canonical_json
from .common import (
    ContractArg,
    DateFormatOpt,
    DecimalCommaOpt,
    DelimiterOpt,
    DialectOpt,
    EncodingOpt,
    JobsOpt,
    ProblemFormat,
    each_once,
    err,
    exit_code,
    file_dialect,
    out,
)
from .report import print_examples, print_problems


def validate(
    contract: ContractArg,
    events: Annotated[list[str] | None, typer.Argument(
        help="event files to check too", metavar="[EVENTS]...", callback=each_once)] = None,
    format: Annotated[ProblemFormat, typer.Option("--format", "-f")] = ProblemFormat.text,
    strict: Annotated[bool, typer.Option(help="lint warnings make the exit code 1")] = False,
    dialect: DialectOpt = None,
    delimiter: DelimiterOpt = None,
    decimal_comma: DecimalCommaOpt = False,
    date_format: DateFormatOpt = None,
    encoding: EncodingOpt = None,
    jobs: JobsOpt = 1,
) -> None:
    """Check a contract (and event files): every problem at once, then lint warnings. The
    event files are read in shards of whole customers and never held in memory."""
    read_as = file_dialect(dialect, delimiter, decimal_comma, date_format, encoding)
    inputs = validate_inputs(contract, events or [], dialect=read_as, jobs=jobs)
    code = exit_code(inputs.problems, inputs.unreadable)
    # the note which encoding a file was read in (F005) is no finding
    if code == EXIT_OK and strict and any(p.code != "F005" for p in inputs.problems):
        code = EXIT_PROBLEMS
    if format is ProblemFormat.json:
        sys.stdout.write(canonical_json({
            "ok": code == EXIT_OK,
            "problems": [p.to_dict() for p in inputs.problems],
            "skipped": [p.to_dict() for p in inputs.skipped],
        }))
    else:
        print_problems(out(), [*inputs.problems, *inputs.skipped])
        # the checks not made (P001) are info lines printed above: counted with them
        shown = [*inputs.problems, *inputs.skipped]
        counts = {s: sum(p.severity is s for p in shown) for s in Severity}
        summary = (f"{counts[Severity.ERROR]} error(s), {counts[Severity.WARNING]} "
                   f"warning(s), {counts[Severity.INFO]} info")
        err().print(("ok: " if code == EXIT_OK else "") + summary, markup=False)
    raise typer.Exit(code)


def test(
    contract: ContractArg,
    format: Annotated[ProblemFormat, typer.Option("--format", "-f")] = ProblemFormat.text,
) -> None:
    """Run the contract's worked examples (its `tests:`); exit 1 if any gives other lines."""
    results, inputs = test_contract(contract)
    if results is None:
        print_problems(err(), inputs.problems)
        raise typer.Exit(exit_code(inputs.problems, inputs.unreadable) or EXIT_PROBLEMS)
    failed = sum(not r.ok for r in results)
    if format is ProblemFormat.json:
        sys.stdout.write(canonical_json({"ok": not failed,
                                         "examples": [r.to_dict() for r in results]}))
    else:
        print_examples(out(), results)
        err().print(f"{len(results) - failed} of {len(results)} worked example(s) pass"
                    if results else
                    f"{os.path.basename(contract)} has no worked examples (tests:), so "
                    "nothing was checked: write a timeline and the lines it must give "
                    "(docs/contract-language.md#tests-worked-examples)", markup=False)
    raise typer.Exit(EXIT_PROBLEMS if failed else EXIT_OK)


def schema() -> None:
    """Print the JSON Schema of the contract language (for editors checking drafts)."""
    sys.stdout.write(canonical_json(contract_schema()))


def version() -> None:
    """Print the engine version."""
    sys.stdout.write(f"rewardengine {__version__}\n")


def register(app: typer.Typer) -> None:
    app.command()(validate)
    app.command()(test)
    app.command()(schema)
    app.command()(version)
