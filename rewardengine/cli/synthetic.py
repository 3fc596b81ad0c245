"""``generate``: a synthetic event file for any contract, drawn from a cohort."""

from __future__ import annotations

import io
import os
import tempfile
from typing import Annotated, BinaryIO

import typer

from .. import api
from ..api import GenerateError, generate_events
from ..errors import EXIT_PROBLEMS, has_errors
from ..jsonout import canonical_json
from .common import (
    ContractArg,
    JobsOpt,
    check_output,
    err,
    exit_code,
    fail,
    prepare_stream,
    write_output,
)
from .report import print_problems


def generate(
    contract: ContractArg,
    output: Annotated[str, typer.Option("--output", "-o", help="the event file to write "
                                        "(CSV, or Parquet when it ends .parquet; written "
                                        "whole or not at all)")],
    customers: Annotated[int | None, typer.Option(
        "--customers", "-n", min=1, max=100_000_000,
        help="how many customers (default: the cohort's size)")] = None,
    seed: Annotated[int, typer.Option("--seed", min=0, help="the random seed: the same "
                                      "seed gives the same file")] = 0,
    cohort: Annotated[str | None, typer.Option(
        "--cohort", help="a cohort file (YAML; see docs/cohort.md); default cohort "
        "without one")] = None,
    jobs: JobsOpt = 1,
) -> None:
    """Write realistic synthetic events for a contract: referrals over its referral window,
    segments in proportion, services, contacts, hours, jobs, corrections and more."""
    check_output(output, inputs=[contract, *([cohort] if cohort else [])])
    parquet = output.lower().endswith(".parquet")
    missing = api.parquet_missing() if parquet else None
    if missing is not None:
        fail(missing)
    found: list[object] = []

    def write_csv(fh: BinaryIO) -> None:
        text = io.TextIOWrapper(fh, encoding="utf-8", newline="")
        try:
            rows, problems = generate_events(contract, text, customers=customers, seed=seed,
                                             cohort_path=cohort, jobs=jobs)
        except GenerateError as exc:
            fail(str(exc))
        text.flush()
        text.detach()
        found.extend([rows, problems])

    def write(fh: BinaryIO) -> None:
        if not parquet:
            write_csv(fh)
            return
        # the CSV first, beside the output (it may be large), then its rows as Parquet
        with tempfile.TemporaryFile(dir=os.path.dirname(os.path.abspath(output))) as spool:
            write_csv(spool)
            problems = found[1]
            assert isinstance(problems, list)
            if not has_errors(problems):
                spool.seek(0)
                api.events_to_parquet(spool, fh)

    pending = prepare_stream(write, output)
    rows, problems = found
    assert isinstance(problems, list)
    if problems:
        print_problems(err(), problems)
    if has_errors(problems):
        pending.discard()
        raise typer.Exit(exit_code(problems, api.unreadable(problems)) or EXIT_PROBLEMS)
    pending()
    err().print(f"wrote {rows:,} rows to {output}", markup=False)


def cohort_schema_command(
    output: Annotated[str | None, typer.Option("--output", "-o")] = None,
) -> None:
    """Print the JSON Schema of cohort files (for editors checking them)."""
    check_output(output)
    write_output(canonical_json(api.cohort_schema()), output)


def register(app: typer.Typer) -> None:
    app.command()(generate)
    app.command("cohort-schema")(cohort_schema_command)
