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
from dataclasses import dataclass

# a spreadsheet's "CSV" on a Finnish or Swedish Windows: the guess when nothing is named
FALLBACK = "cp1252"
# UTF-32's marks first: UTF-32-LE's begins with UTF-16-LE's (FF FE 00 00)
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig", "UTF-8"), (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
         (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"), (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
         (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"))


@dataclass(frozen=True)
class BillText:
    text: str
    # how it was read when that was not plain UTF-8 (said as a note, F005), else None
    read_as: str | None


class UnreadableBill(Exception):
    """The bill's bytes are text in no encoding tried; ``row`` is the line of the bad byte."""

    def __init__(self, message: str, row: int | None) -> None:
        super().__init__(message)
        self.row = row


def bill_text(raw: bytes, named: str | None) -> BillText:
    """The text of a bill's bytes ``raw``; ``named`` is the encoding given with
    ``--encoding`` (the event files'), tried only when the bill says nothing itself."""
    for bom, codec, said in _BOMS:
        if raw.startswith(bom):
            return BillText(_decode(raw, codec, said), None if said == "UTF-8" else said)
    if b"\x00" not in raw:  # NUL bytes are valid UTF-8, but a sign of UTF-16 without a mark
        try:
            return BillText(raw.decode("utf-8"), None)
        except UnicodeDecodeError:
            pass
    wide = named is not None and codecs.lookup(named).name.startswith("utf-16")
    if named is not None and (wide or b"\x00" not in raw):
        return BillText(_decode(raw, named, named), f"{named} (named with --encoding)")
    if b"\x00" in raw:
        # --encoding takes only encodings that write ASCII as ASCII, so naming UTF-16 is
        # no way out: the bill is to be saved again
        raise UnreadableBill("it has NUL bytes: UTF-16 without a byte-order mark? save it "
                             "again as UTF-8 (or as UTF-16 with a byte-order mark)",
                             _row(raw, raw.index(b"\x00")))
    return BillText(_decode(raw, FALLBACK, FALLBACK),
                    f"{FALLBACK} (not UTF-8, and no other --encoding named)")


def _decode(raw: bytes, codec: str, said: str) -> str:
    try:
        return raw.decode(codec)
    except UnicodeDecodeError as exc:
        raise UnreadableBill(f"not {said} (byte {exc.start})", _row(raw, exc.start)) from None


def _row(raw: bytes, at: int) -> int:
    return raw.count(b"\n", 0, at) + 1
