"""The command line: parse, call the library (``rewardengine.api``), render.

One module per group of commands; what they share (arguments, options, consoles, output
files) is declared once in ``common``. Nothing here computes money.
"""

from __future__ import annotations

import os
import signal
import stat
import sys

import typer

from ..errors import EXIT_INTERNAL
from . import billing, contract, evaluation, forecast, ledger, privacy, synthetic

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
    _end_quietly_on_a_closed_pipe()
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


def _end_quietly_on_a_closed_pipe() -> None:
    """With standard output a pipe, end as a Unix filter does when its reader closes the
    pipe early (``rewardengine evaluate ... | head``): by the signal, which the shell shows
    as 141, not exit code 1, which says problems were found. (Python ignores the signal and
    the command line's library then exits 1.) A file, a terminal or /dev/null is never
    closed on the writer, so nothing changes for them."""
    try:
        piped = stat.S_ISFIFO(os.fstat(sys.stdout.fileno()).st_mode)
    except (OSError, ValueError, AttributeError):  # no descriptor (captured in tests)
        return
    if piped and hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)


__all__ = ["app", "main"]
