"""A named pipe fed a text once, for the tests that a command reads a pipe only once."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def fed_pipe(pipe: Path, text: str) -> Iterator[Path]:
    """A named pipe at ``pipe`` fed ``text`` once while the block runs, removed after it.
    A second open (a double read) waits for a writer: it gets an empty one when the block
    is slow to end, so a regression fails rather than hangs."""
    os.mkfifo(pipe)
    finished = threading.Event()

    def feed() -> None:
        with open(pipe, "w", encoding="utf-8") as fh:
            fh.write(text)
        if not finished.wait(10):
            with contextlib.suppress(OSError):
                os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))
    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    try:
        yield pipe
    finally:
        finished.set()
        writer.join(timeout=10)
        pipe.unlink()
