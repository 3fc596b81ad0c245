"""Canonical JSON output: the same data always gives the same bytes."""

from __future__ import annotations

import json
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


def _put(value: Any, indent: str, out: list[str]) -> None:
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
            _put(value[key], inner, out)
        out.append(f"\n{indent}}}")
    elif type(value) is list:
        if not value:
            out.append("[]")
            return
        inner = indent + "  "
        out.append("[\n")
        for n, item in enumerate(value):
            out.append(f",\n{inner}" if n else inner)
            _put(item, inner, out)
        out.append(f"\n{indent}]")
    else:  # numbers, booleans and anything else: as json writes them
        text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)
        out.append(text.replace("\n", "\n" + indent))

