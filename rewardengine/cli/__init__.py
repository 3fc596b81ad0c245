"""The command line: parse, call the library (``rewardengine.api``), render.

One module per group of commands; what they share (arguments, options, consoles, output
files) is declared once in ``common``. Nothing here computes money.
"""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType
from typing import NoReturn

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


def _terminated(signum: int, frame: FrameType | None) -> NoReturn:
    """SIGTERM (a job scheduler stopping the run, ``kill``) as an ordinary exit, so that
    what a command cleans up on the way out is cleaned up: a half-written output beside its
    target, a scratch folder of spooled events."""
    raise SystemExit(128 + signum)


def main() -> None:
    signal.signal(signal.SIGTERM, _terminated)
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


__all__ = ["app", "main"]
