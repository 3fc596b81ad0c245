"""The command line: parse, call the library (``rewardengine.api``), render.

One module per group of commands; what they share (arguments, options, consoles, output
files) is declared once in ``common``. Nothing here computes money.
"""

from __future__ import annotations

import os
import stat
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
    piped = _is_pipe(1)
    try:
        app()
    except SystemExit as done:
        if _reader_closed_the_pipe() or (piped and done.code == 1 and _is_devnull(1)):
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
    writes nothing more, once every step of the command has ended and cleaned up after it.
    (The consoles' library, rich, stops so too, but points the descriptor at /dev/null
    instead: ``_is_devnull``.)"""
    return type(sys.stdout).__name__.lstrip("_") == "PacifyFlushWrapper"


def _is_pipe(fd: int) -> bool:
    try:
        return stat.S_ISFIFO(os.fstat(fd).st_mode)
    except OSError:
        return False


def _is_devnull(fd: int) -> bool:
    """Whether ``fd`` is now /dev/null (where rich points a standard output whose reader
    closed the pipe, before it exits 1)."""
    try:
        here, null = os.fstat(fd), os.stat(os.devnull)
    except OSError:
        return False
    return stat.S_ISCHR(here.st_mode) and here.st_rdev == null.st_rdev


__all__ = ["app", "main"]
