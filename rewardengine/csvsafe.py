"""CSV cells that are safe to open in a spreadsheet.

A cell starting with ``=``, ``+``, ``-``, ``@`` (or a tab / carriage return), also after
leading spaces (`` =1+1``), may be executed as a formula by spreadsheet programs. Such cells
get a leading apostrophe, which spreadsheets show as text; plain amounts like ``-12.50`` are
kept readable but quoted the same way, because a formula could also hide behind a minus sign.
The bill reader removes exactly that apostrophe again (``bill._unescape``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

_DANGEROUS = ("=", "+", "-", "@")


def needs_apostrophe(text: str) -> bool:
    """The cell could start a formula: its first character that is not a space is one of
    ``= + - @``, or it starts with a tab or a carriage return. Apostrophes before such a
    start count too (``'=x`` is written ``''=x``), so that a reader that removes one
    apostrophe gets back exactly the cell."""
    bare = text.lstrip("'")
    return bare.startswith(("\t", "\r")) or bare.lstrip().startswith(_DANGEROUS)


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if needs_apostrophe(text) else text


def write_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return out.getvalue()
