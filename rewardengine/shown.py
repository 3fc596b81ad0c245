"""How a message echoes a value from the user's files: briefly, and never what looks personal.

Event data is personal. A message may quote a bad cell so that its user can find and mend
it, but at most ``limit`` characters of it, and not at all when the cell holds what looks
like a Finnish personal identity code (henkilötunnus: by its shape, valid or not, since a
mistyped code is personal still, also glued to a name), an e-mail address or a phone number
(a mobile, a landline or an international one, alone or inside other text). Such a cell is
named by what it looks like instead. Names cannot be told from other text, so for them the
cut is the only guard.

The bottom layer: imports nothing of the package.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

# DDMMYY, a century sign (+ - A-F U-Y), an individual number, a check character; also as
# people type it: a space around the sign or for it, a dash a word processor put for '-', a
# name typed on without a space (131052-308TMatti); a digit on either side makes it some
# other number
HETU_SHAPE = re.compile(r"(?<![0-9])[0-9]{6}(?:\s?[-+A-FU-Ya-fu-y\u2010-\u2015\u2212]\s?|\s)"
                        r"[0-9]{3}[0-9A-Ya-y](?![0-9])")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_EMAIL_IN = re.compile(r"[^@\s'\"<>(),;]+@[^@\s'\"<>(),;]+\.[A-Za-z]{2,}")
# international (+358 40 123 4567, +358 9 123 4567) or a Finnish mobile number (040 123 4567,
# 050-1234567)
_MOBILE = r"\+\d(?:[ -]?\d){6,14}|0(?:4\d|50)(?:[ -]?\d){5,8}"
# a landline (09 123 4567, 017-123 456, (09) 123 4567): a zero, an area code of one to three
# digits, a space or a dash, and 5 to 9 digits in groups split by single spaces. Without the
# space or dash after the area code only a mobile number is one: a solid run of digits after
# a zero is as often an id (0123456, a business id 0112038-9) or a date typed without dots
# (01012020), which the user must see to mend
_LANDLINE = r"0[1-9]\d{0,2}\)?[ -]\d(?: ?\d){4,8}"
# a whole value (a customer id) that is a phone number, a landline too
PHONE = re.compile(rf"^(?:{_MOBILE}|\(?{_LANDLINE})$", re.ASCII)
# in a message's value anywhere in the text (puh.040 123 4567.), but not inside a word, an id
# (h-01-234567), a decimal (1,0912345), a date (0202-12-31) or a longer number
_PHONE_IN = re.compile(rf"(?<![\w+-])(?<!\d[.,])(?:{_MOBILE}|{_LANDLINE})(?!\w|[.,]\d)",
                       re.ASCII)
# a mobile, an international or a landline number (its area code and a space) glued on to an
# id with a dash (x-040 123 4567, id-+358401234567): what ``pseudonymize --check`` looks for
# in ids besides what ``personal_shape`` finds. Messages do not use it: they echo such an id
# cut, so that its user can find it, as any id (h-01-234567) glued on with a dash
PHONE_AFTER_DASH = re.compile(rf"(?<=-)(?:{_MOBILE}|\(?0[1-9]\d{{0,2}}\)? \d(?: ?\d){{4,8}})"
                              r"(?!\w|[.,]\d)", re.ASCII)

LIMIT = 40


def personal_shape(text: str) -> str | None:
    """What a value looks like when it may be personal: the words for it, or None."""
    if HETU_SHAPE.search(text):
        return "a personal identity code"
    if _EMAIL_IN.search(text):
        return "an e-mail address"
    if _PHONE_IN.search(text):
        return "a phone number"
    return None


def quoted(value: object, limit: int = LIMIT) -> str:
    """A value as messages echo it: quoted and cut after ``limit`` characters, or, when it
    looks personal, named by what it looks like."""
    text = str(value)
    kind = personal_shape(text)
    if kind is not None:
        return f"a value that looks like {kind} (not shown)"
    return f"'{text[:limit]}…'" if len(text) > limit else f"'{text}'"


def brief(value: object, limit: int = LIMIT) -> str:
    """A name from the user's file as a message echoes it: as written when it is short and
    does not look personal, else as ``quoted`` shows it."""
    text = str(value)
    return text if len(text) <= limit and personal_shape(text) is None else quoted(text, limit)


def meant(written: str, names: Sequence[str], cutoff: float = 0.6) -> str:
    """`` (did you mean 'long_term'?)`` for a name written close to one of ``names``, or
    in other capitals; else nothing."""
    close = closest(written, names, cutoff)
    return f" (did you mean '{close}'?)" if close else ""


def closest(written: str, names: Sequence[str], cutoff: float = 0.6) -> str | None:
    """The one of ``names`` closest to ``written`` (or to it in other capitals), None where
    none is close or two are as close (member_z is as near member_a as member_b). It is the
    file's or the contract's own name, never the user's data."""
    found = _closest(written, names, cutoff)
    if found is None:
        lower = {name.lower(): name for name in names}
        low = _closest(written.lower(), list(lower), cutoff)
        found = None if low is None else lower[low]
    return found


def _closest(written: str, names: Sequence[str], cutoff: float) -> str | None:
    ratios = sorted(((difflib.SequenceMatcher(None, written, n).ratio(), n) for n in names),
                    key=lambda r: -r[0])
    if not ratios or ratios[0][0] < cutoff or (len(ratios) > 1 and ratios[1][0] == ratios[0][0]):
        return None
    return ratios[0][1]
