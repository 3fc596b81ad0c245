"""Text from input made safe to show: on a terminal, in a page, in a cell.

Characters that would act rather than show — C0/C1 controls (ESC sequences, OSC-8 links)
and bidirectional overrides that reorder what is shown — are written as escapes
(``\\x1b``), so a hostile value in an event file or a bill is seen for what it is.
"""

from __future__ import annotations

import re

UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e"
                    "\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` with every unsafe character written as its escape."""
    return UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def replaced(text: str) -> str:
    """``text`` with every unsafe character replaced by U+FFFD, one for one: for XML, which
    cannot hold most control characters, where field lengths are counted."""
    return UNSAFE.sub("\ufffd", text)


def json_escaped(text: str) -> str:
    """JSON text with every unsafe character inside its strings written as a ``\\uXXXX``
    escape: the same JSON value, nothing raw to act on a terminal. (Outside strings JSON
    has only ASCII, and json already escapes C0 controls.)"""
    return UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
