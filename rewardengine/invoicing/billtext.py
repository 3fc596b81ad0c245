"""A bill's text in the bill's own encoding, told from its bytes.

A bill often comes from another system than the event files (a provider's spreadsheet beside
the public buyer's register extract), so ``--encoding``, which names the event files', is
only the bill's last resort: a byte-order mark says UTF-8 or UTF-16; bytes that are valid
UTF-8 are UTF-8; otherwise the encoding named with ``--encoding``, else cp1252 (what a
Finnish spreadsheet saves as "CSV"), read strictly. Bytes that none of these read are an
error at the bill's line and byte.
"""

from __future__ import annotations

import codecs
import sys
from dataclasses import dataclass

# a spreadsheet's "CSV" on a Finnish or Swedish Windows: the guess when nothing is named
FALLBACK = "cp1252"
# UTF-32's marks first: UTF-32-LE's begins with UTF-16-LE's (FF FE 00 00); with each mark
# the encoding that writes the text after it again
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig", "UTF-8", "utf-8"),
         (codecs.BOM_UTF32_LE, "utf-32", "UTF-32", "utf-32-le"),
         (codecs.BOM_UTF32_BE, "utf-32", "UTF-32", "utf-32-be"),
         (codecs.BOM_UTF16_LE, "utf-16", "UTF-16", "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16", "UTF-16", "utf-16-be"))


@dataclass(frozen=True)
class BillText:
    text: str
    # how it was read when that was not plain UTF-8 (said as a note, F005), else None
    read_as: str | None
    # how to write the text back as the bill had it (pseudonymize): the byte-order mark
    # and the encoding of the rest
    bom: bytes = b""
    codec: str = "utf-8"

    def encode(self, text: str) -> bytes:
        """``text`` as the bill's bytes: its byte-order mark, then its encoding."""
        return self.bom + text.encode(self.codec)


class UnreadableBill(Exception):
    """The bill's bytes are text in no encoding tried; ``row`` is the line of the bad byte."""

    def __init__(self, message: str, row: int | None) -> None:
        super().__init__(message)
        self.row = row


def bill_text(raw: bytes, named: str | None) -> BillText:
    """The text of a bill's bytes ``raw``; ``named`` is the encoding given with
    ``--encoding`` (the event files'), tried only when the bill says nothing itself."""
    if raw.startswith(b"SQLite format 3\x00"):
        raise UnreadableBill("it is a SQLite database (a ledger?), not a bill: give the "
                             "bill's CSV or JSON file", None)
    for bom, codec, said, again in _BOMS:
        if raw.startswith(bom):
            return BillText(_decode(raw, codec, said), None if said == "UTF-8" else said,
                            bom, again)
    if b"\x00" not in raw:  # NUL bytes are valid UTF-8, but a sign of UTF-16 without a mark
        try:
            return BillText(raw.decode("utf-8"), None)
        except UnicodeDecodeError:
            pass
    wide = named is not None and codecs.lookup(named).name.startswith("utf-16")
    if named is not None and (wide or b"\x00" not in raw):
        return BillText(_decode(raw, named, named), f"{named} (named with --encoding)",
                        codec=_without_mark(named))
    if b"\x00" in raw:
        # --encoding takes only encodings that write ASCII as ASCII, so naming UTF-16 is
        # no way out: the bill is to be saved again
        raise UnreadableBill("it has NUL bytes: not a text file, or UTF-16 without a "
                             "byte-order mark? save it again as UTF-8 (or as UTF-16 with a "
                             "byte-order mark)",
                             _row(raw, raw.index(b"\x00")))
    return BillText(_decode(raw, FALLBACK, FALLBACK),
                    f"{FALLBACK} (not UTF-8, and no other --encoding named)", codec=FALLBACK)


def _without_mark(named: str) -> str:
    """The encoding that writes what ``named`` read: UTF-16 or UTF-32 without a mark is read
    in this machine's byte order, and written so, without a mark."""
    name = codecs.lookup(named).name
    if name in ("utf-16", "utf-32"):
        return f"{name}-{'le' if sys.byteorder == 'little' else 'be'}"
    return name


def _decode(raw: bytes, codec: str, said: str) -> str:
    try:
        return raw.decode(codec)
    except UnicodeDecodeError as exc:
        raise UnreadableBill(f"not {said} (byte {exc.start})", _row(raw, exc.start)) from None


def _row(raw: bytes, at: int) -> int:
    return raw.count(b"\n", 0, at) + 1
