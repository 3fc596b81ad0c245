"""The command line's entry point: the program is loaded inside it, so Ctrl-C while it loads
(about a second) ends it quietly, as Ctrl-C later does, not with a traceback of the import."""

from __future__ import annotations

import sys

INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a program that Ctrl-C ended


def main() -> None:
    try:
        from .cli import main as run
    except KeyboardInterrupt:
        sys.stderr.write("\n")  # closes the terminal's ^C echo
        sys.exit(INTERRUPTED)
    run()
