"""The command line: parse, call the library (``rewardengine.api``), render.

One module per group of commands; what they share (arguments, options, consoles, output
files) is declared once in ``common``. Nothing here computes money.
"""

from __future__ import annotations

import os
import sys

import typer

from ..errors import EXIT_INTERNAL
from . import billing, contract, evaluation, forecast, ledger, privacy, synthetic

PIPE_CLOSED = 141  # 128 + SIGPIPE

app = typer.Typer(
    name="rewardengine",
    help="Executable outcome-based payment contracts for employment services.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # event data is personal: never print locals
    pretty_exceptions_enable=False,
)
for module in (contract, evaluation, billing, ledger, privacy, synthetic, forecast):
    module.register(app)


def main() -> None:
    try:
        app()
    except SystemExit:
        if _reader_closed_the_pipe():
            # as a Unix filter the signal ends (the shell shows 141), not 1, which says
            # problems were found; what was written aside is removed by then
            sys.exit(PIPE_CLOSED)
        raise
    except Exception as exc:
        # A bug, not bad input (bad input is reported as problems). No traceback: locals and
        # messages may hold customer data. REWARDENGINE_DEBUG=1 shows it for developers.
        if os.environ.get("REWARDENGINE_DEBUG"):
            raise
        sys.stderr.write(f"rewardengine: internal error ({type(exc).__name__}); please report "
                         "it with the command that caused it\n")
        sys.exit(EXIT_INTERNAL)


def _reader_closed_the_pipe() -> bool:
    """Whether the command line's library stopped on a pipe its reader closed (``rewardengine
    evaluate ... | head``): it then exits 1 and swaps standard output for a wrapper that
    writes nothing more, once every step of the command has ended and cleaned up after it."""
    return type(sys.stdout).__name__.lstrip("_") == "PacifyFlushWrapper"


__all__ = ["app", "main"]
