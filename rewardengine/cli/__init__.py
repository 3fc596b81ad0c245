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
    except Exception as exc:
        # A bug, not bad input (bad input is reported as problems). No traceback: locals and
        # messages may hold customer data. REWARDENGINE_DEBUG=1 shows it for developers.
        if os.environ.get("REWARDENGINE_DEBUG"):
            raise
        sys.stderr.write(f"rewardengine: internal error ({type(exc).__name__}); please report "
                         "it with the command that caused it\n")
        sys.exit(EXIT_INTERNAL)


__all__ = ["app", "main"]
