"""Canonical JSON output: the same data always gives the same bytes."""

from __future__ import annotations

import json
from collections.abc import Callable
from json.encoder import encode_basestring
from typing import Any

from .printable import json_escaped as _json_escaped


def canonical_json(data: Any) -> str:
    """Sorted keys, two-space indent, UTF-8 text, a newline at the end. Amounts are already
    strings with two decimals, so no float ever reaches ``json``. Characters that would act
    on a terminal (C1 controls, bidirectional overrides) are written as ``\\u`` escapes.
    The text of ``json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False)``, written
    by ``indented`` (json with an indent runs in Python, not in C)."""
    return indented(data) + "\n"


def indented(data: Any, indent: str = "") -> str:
    """``json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False)`` with every line
    after the first further indented by ``indent``: the same text, its strings escaped by
    ``json``'s own C function."""
    out: list[str] = []
    _put(data, indent, out)
    return json_escaped("".join(out))


def json_escaped(text: str) -> str:
    """``printable.json_escaped``, without its pattern's scan of a text that has nothing to
    escape: every character it escapes is a control or format character, which
    ``str.isprintable`` refuses, so printable text (line ends aside) is returned as it is.
    Most customers' texts are; the scan cost a quarter of writing one."""
    if text.replace("\n", "").isprintable():
        return text
    return _json_escaped(text)


_SPILL = 4096  # pieces gathered before ``write_canonical`` hands them on


def write_canonical(data: Any, write: Callable[[str], object]) -> None:
    """``canonical_json(data)``, handed to ``write`` in pieces as it is made rather than
    joined whole: the same text (every escape ``json_escaped`` writes is of one character,
    so escaping the pieces one by one escapes the same characters as escaping the whole),
    without a document-sized list of pieces and its copies in memory at once."""
    out: list[str] = []

    def spill(pieces: list[str]) -> None:
        write(json_escaped("".join(pieces)))
        pieces.clear()

    _put(data, "", out, spill)
    out.append("\n")
    spill(out)


def _put(value: Any, indent: str, out: list[str],
         spill: Callable[[list[str]], None] | None = None) -> None:
    if type(value) is str:
        out.append(encode_basestring(value))
    elif value is None:
        out.append("null")
    elif type(value) is dict and all(type(k) is str for k in value):
        if not value:
            out.append("{}")
            return
        inner = indent + "  "
        out.append("{\n")
        for n, key in enumerate(sorted(value)):
            out.append((",\n" if n else "") + inner + encode_basestring(key) + ": ")
            _put(value[key], inner, out, spill)
        out.append(f"\n{indent}}}")
    elif type(value) is list:
        if not value:
            out.append("[]")
            return
        inner = indent + "  "
        out.append("[\n")
        for n, item in enumerate(value):
            out.append(f",\n{inner}" if n else inner)
            _put(item, inner, out, spill)
            if spill is not None and len(out) >= _SPILL:
                spill(out)
        out.append(f"\n{indent}]")
    else:  # numbers, booleans and anything else: as json writes them
        text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)
        out.append(text.replace("\n", "\n" + indent))

